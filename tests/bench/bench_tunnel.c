/*
 * bench_tunnel.c — issue 12's figures for results/bench-core.json: the
 * core's seal+open rate inside a tunnel with one tunnel on the node and
 * with 1,000 (the filter finds a tunnel by hash, so the ratio should stay
 * near 1), and the memory a tunnel costs.
 */
#include <stdio.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#include "../unit/harness.h"
#include "../unit/ippkt.h"
#include "bench.h"

/* Both ends of tunnel k between node 1 (client) and node 0 (server). */
static void add_tunnel(harness *h, uint32_t k, mcc_keypair *sep) {
  uint8_t seed[32] = {0};
  memcpy(seed, &k, sizeof k);
  mcc_keypair cep;
  mcc_keypair_from_seed(&cep, seed);
  seed[31] = 1;
  mcc_keypair_from_seed(sep, seed);
  mcc_tunnel c, s;
  memset(&c, 0, sizeof c);
  c.role = MCC_TUNNEL_CLIENT;
  c.endpoint = cep;
  harness_tunnel_cert(h, 0, &cep.pub, HARNESS_UNIX_START - 10,
                      HARNESS_UNIX_START + 100000, &c.cert);
  c.peer_endpoint = sep->pub;
  c.remote_node = *harness_id(h, 0);
  c.targets[0] = (mcc_tunnel_target){MCC_PROTO_UDP, 7000, 7000};
  c.targets[1] = (mcc_tunnel_target){MCC_PROTO_TCP, 8000, 8080};
  c.ntargets = 2;
  s = c;
  s.role = MCC_TUNNEL_SERVER;
  s.endpoint = *sep;
  harness_tunnel_cert(h, 0, &sep->pub, HARNESS_UNIX_START - 10,
                      HARNESS_UNIX_START + 100000, &s.cert);
  s.peer_endpoint = cep.pub;
  s.remote_node = *harness_id(h, 1);
  mcc_node_tunnel_add(harness_node(h, 1), &c, harness_now(h));
  mcc_node_tunnel_add(harness_node(h, 0), &s, harness_now(h));
}

void bench_tunnel(FILE *json) {
  mcc_settings st;
  mcc_settings_default(&st);
  st.tunnels_only = 1;
  harness *h = harness_new(2, 78, &st);
  size_t p = 0;
  harness_set_parents(h, 1, &p, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  mcc_keypair sep;
  add_tunnel(h, 1, &sep);
  mcc_resolve_addrs a;
  mcc_resolver_lookup_id(mcc_node_resolver(harness_node(h, 1)), &sep.pub, &a,
                         harness_now(h));
  uint8_t payload[1300], ip[1400], s4[4], s6[16];
  memset(payload, 0x3c, sizeof payload);
  harness_local_addr(h, 1, 1, s4, s6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, s4, a.ipv4, 1, 64, payload, 1252);
  ip[22] = 7000 >> 8, ip[23] = 7000 & 0xff; /* a target port */
  double one = bench_seal_open_rate(h, ip, len);
  size_t mem0 = mcc_node_memory(harness_node(h, 0));
  for (uint32_t k = 2; k <= 1000; k++) {
    mcc_keypair other;
    add_tunnel(h, k, &other);
  }
  size_t per_tunnel = (mcc_node_memory(harness_node(h, 0)) - mem0) / 999;
  double thousand = bench_seal_open_rate(h, ip, len);
  harness_free(h);
  bench_json_f(json, "tunnel_seal_open_gbytes_per_s_1", one);
  bench_json_f(json, "tunnel_seal_open_gbytes_per_s_1000", thousand);
  bench_json_u64(json, "tunnel_bytes", per_tunnel);
  printf("tunnels: seal+open in a tunnel %.3f GB/s with 1 tunnel, %.3f with "
         "1,000 (%.2fx, target >= 0.9x); %zu bytes a tunnel (target <= 512)\n",
         one, thousand, one > 0 ? thousand / one : 0, per_tunnel);
}
