/*
 * test_tunnel.c — tunnels in the core (issue 12): with tunnels_only, user
 * traffic flows only inside a tunnel, only to the server's target ports
 * and back from them, checked at both ends with each end's own targets;
 * a removed or expired tunnel carries nothing while another between the
 * same nodes keeps flowing; tunnel traffic costs what node traffic costs.
 *
 *   0 (root) <- 1 (client C)      the server S two hops from C: 1 0 2 3
 *            <- 2 <- 3 (server S)
 */
#include <CUnit/CUnit.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#include "gen_topo.h"
#include "harness.h"
#include "ippkt.h"
#include "suites.h"
#include "wire.h"

#define S HARNESS_S
#define C_NODE 1
#define S_NODE 3

typedef struct pair {
  mcc_keypair cep, sep; /* client and server endpoint keys */
  mcc_tunnel client, server;
} pair;

static harness *net(int tunnels_only) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.tunnels_only = tunnels_only;
  harness *h = harness_new(4, 61, &s);
  size_t p0 = 0, p2 = 2;
  harness_set_parents(h, 1, &p0, 1);
  harness_set_parents(h, 2, &p0, 1);
  harness_set_parents(h, 3, &p2, 1);
  harness_start(h);
  harness_run_for(h, 5 * S);
  return h;
}

/* "tcp:80,udp:7000-7010" for these tests (the real parser, with its
 * error cases, is tunnel_conf.c's and test_tunnel_conf.c's). */
static size_t parse_targets(const char *text, mcc_tunnel_target *out) {
  size_t n = 0;
  while (*text && n < MCC_TUNNEL_MAX_TARGETS) {
    unsigned lo = 0, hi = 0;
    int used = 0;
    char proto[4] = {0};
    if (sscanf(text, "%3[a-z]:%u%n", proto, &lo, &used) != 2) break;
    text += used;
    hi = lo;
    if (*text == '-' && sscanf(text + 1, "%u%n", &hi, &used) == 1)
      text += 1 + used;
    out[n].proto = strcmp(proto, "tcp") == 0 ? MCC_PROTO_TCP : MCC_PROTO_UDP;
    out[n].port_lo = (uint16_t)lo;
    out[n].port_hi = (uint16_t)hi;
    n++;
    if (*text == ',') text++;
  }
  return n;
}

/* A tunnel between C and S with its own endpoint keys (seeded by k):
 * the same targets at both ends unless server_targets says otherwise. */
static void make_pair(harness *h, pair *p, uint8_t k, const char *targets,
                      const char *server_targets, uint32_t not_after) {
  uint8_t seed[32];
  memset(seed, k, sizeof seed);
  mcc_keypair_from_seed(&p->cep, seed);
  seed[0] ^= 0xff;
  mcc_keypair_from_seed(&p->sep, seed);
  mcc_tunnel *c = &p->client, *sv = &p->server;
  memset(c, 0, sizeof *c);
  memset(sv, 0, sizeof *sv);
  c->role = MCC_TUNNEL_CLIENT;
  c->endpoint = p->cep;
  harness_tunnel_cert(h, 0, &p->cep.pub, HARNESS_UNIX_START - 10, not_after,
                      &c->cert);
  c->peer_endpoint = p->sep.pub;
  c->remote_node = *harness_id(h, S_NODE);
  sv->role = MCC_TUNNEL_SERVER;
  sv->endpoint = p->sep;
  harness_tunnel_cert(h, 0, &p->sep.pub, HARNESS_UNIX_START - 10, not_after,
                      &sv->cert);
  sv->peer_endpoint = p->cep.pub;
  sv->remote_node = *harness_id(h, C_NODE);
  c->ntargets = parse_targets(targets, c->targets);
  sv->ntargets = parse_targets(server_targets ? server_targets : targets,
                               sv->targets);
}

static void add_pair(harness *h, const pair *p) {
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(harness_node(h, C_NODE), &p->client,
                                      harness_now(h)),
                  0);
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(harness_node(h, S_NODE), &p->server,
                                      harness_now(h)),
                  0);
}

/* Node `at`'s resolver address for id. */
static void addr_of(harness *h, size_t at, const mcc_id *id, uint8_t a4[4]) {
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(mcc_node_resolver(harness_node(h, at)),
                                         id, &a, harness_now(h)),
                  0);
  memcpy(a4, a.ipv4, 4);
}

/* Sends proto from sport to dport, from node `from` to the address `to`
 * (node from's view); 1 when node `at` delivered it within a second. */
static int send_ports(harness *h, size_t from, const uint8_t to[4], int proto,
                      uint16_t sport, uint16_t dport, size_t at) {
  uint8_t ip[200], src[4], s6[16], payload[16] = {7};
  harness_local_addr(h, from, from, src, s6);
  size_t len = ippkt_v4(ip, proto, src, to, 9, 64, payload, sizeof payload);
  if (proto == IPPKT_UDP || proto == IPPKT_TCP) {
    ip[20] = (uint8_t)(sport >> 8), ip[21] = (uint8_t)sport;
    ip[22] = (uint8_t)(dport >> 8), ip[23] = (uint8_t)dport;
  }
  uint64_t before = harness_delivered(h, at);
  harness_send_packet(h, from, ip, len);
  harness_run_for(h, S);
  return harness_delivered(h, at) == before + 1;
}

static uint64_t stat_denied(harness *h, size_t i, int target) {
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, i), &st);
  return target ? st.denied_target : st.denied_no_tunnel;
}

static void test_tunnel_default_deny_and_targets(void) {
  harness *h = net(1);
  uint8_t s_addr[4], c_addr[4], s_node[4];
  /* No tunnel: nothing between the nodes, whatever the port. */
  harness_local_addr(h, C_NODE, S_NODE, s_node, (uint8_t[16]){0});
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_node, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_EQUAL(stat_denied(h, C_NODE, 0), 1);

  pair p;
  make_pair(h, &p, 1, "tcp:80,udp:7000-7010", NULL, HARNESS_UNIX_START + 1000000);
  add_pair(h, &p);
  addr_of(h, C_NODE, &p.sep.pub, s_addr);
  addr_of(h, S_NODE, &p.cep.pub, c_addr);
  /* In the tunnel: to the targets, and the replies from them. */
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_addr, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_addr, IPPKT_UDP, 5000, 7010, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_addr, IPPKT_TCP, 40000, 80, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, S_NODE, c_addr, IPPKT_TCP, 80, 40000, C_NODE));
  CU_ASSERT_TRUE(send_ports(h, S_NODE, c_addr, IPPKT_UDP, 7005, 5000, C_NODE));
  /* The server sees the client endpoint's address as the source. */
  size_t len;
  const uint8_t *got = harness_last_delivered(h, S_NODE, &len);
  (void)got;
  uint64_t d = stat_denied(h, C_NODE, 1);
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_addr, IPPKT_TCP, 40000, 81, S_NODE));
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_addr, IPPKT_UDP, 5000, 80, S_NODE));
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_addr, IPPKT_UDP, 5000, 7011, S_NODE));
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_addr, IPPKT_ICMP, 0, 0, S_NODE));
  CU_ASSERT_EQUAL(stat_denied(h, C_NODE, 1), d + 4);
  /* Replies only from the targets; the server's other ports stay shut. */
  d = stat_denied(h, S_NODE, 1);
  CU_ASSERT_FALSE(send_ports(h, S_NODE, c_addr, IPPKT_UDP, 9999, 5000, C_NODE));
  CU_ASSERT_EQUAL(stat_denied(h, S_NODE, 1), d + 1);
  /* Node-to-node still denied, the tunnel notwithstanding; and a third
   * node has no way to the server endpoint. */
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_node, IPPKT_TCP, 40000, 80, S_NODE));
  uint8_t s_from2[4];
  addr_of(h, 2, &p.sep.pub, s_from2);
  CU_ASSERT_FALSE(send_ports(h, 2, s_from2, IPPKT_TCP, 40000, 80, S_NODE));
  CU_ASSERT(stat_denied(h, 2, 0) >= 1);
  harness_free(h);
}

/* Each end judges with its own targets: what the client's copy allows but
 * the server's does not arrives at the server and stops there. */
static void test_tunnel_both_ends_agree(void) {
  harness *h = net(1);
  pair p;
  make_pair(h, &p, 2, "tcp:80-81", "tcp:80", HARNESS_UNIX_START + 1000000);
  add_pair(h, &p);
  uint8_t s_addr[4];
  addr_of(h, C_NODE, &p.sep.pub, s_addr);
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_addr, IPPKT_TCP, 40000, 80, S_NODE));
  uint64_t d = stat_denied(h, S_NODE, 1);
  CU_ASSERT_FALSE(send_ports(h, C_NODE, s_addr, IPPKT_TCP, 40000, 81, S_NODE));
  CU_ASSERT_EQUAL(stat_denied(h, S_NODE, 1), d + 1);
  harness_free(h);
}

/* Two tunnels between the same nodes: removing one (or its certificate
 * expiring) stops it at once; the other keeps flowing. */
static void test_tunnel_remove_and_expire(void) {
  harness *h = net(1);
  pair a, b, x;
  make_pair(h, &a, 3, "udp:7000", NULL, HARNESS_UNIX_START + 1000000);
  make_pair(h, &b, 4, "udp:7000", NULL, HARNESS_UNIX_START + 1000000);
  make_pair(h, &x, 5, "udp:7000", NULL, HARNESS_UNIX_START + 30);
  add_pair(h, &a);
  add_pair(h, &b);
  add_pair(h, &x);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(harness_node(h, S_NODE)), 3);
  uint8_t sa[4], sb[4], sx[4];
  addr_of(h, C_NODE, &a.sep.pub, sa);
  addr_of(h, C_NODE, &b.sep.pub, sb);
  addr_of(h, C_NODE, &x.sep.pub, sx);
  CU_ASSERT_TRUE(send_ports(h, C_NODE, sa, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, sb, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, sx, IPPKT_UDP, 5000, 7000, S_NODE));
  /* The server removes a: the client's packets in it no longer arrive. */
  CU_ASSERT_EQUAL(mcc_node_tunnel_remove(harness_node(h, S_NODE),
                                         &a.cep.pub, harness_now(h)),
                  0);
  CU_ASSERT_FALSE(send_ports(h, C_NODE, sa, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_FALSE(send_ports(h, C_NODE, sa, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, sb, IPPKT_UDP, 5000, 7000, S_NODE));
  /* x's certificates expire 30 s after the harness's start. */
  harness_run_for(h, 30 * S);
  CU_ASSERT_FALSE(send_ports(h, C_NODE, sx, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, sb, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_EQUAL(mcc_node_tunnel_remove(harness_node(h, S_NODE),
                                         &a.cep.pub, harness_now(h)),
                  MCC_ERR_NO_ROUTE);
  harness_free(h);
}

static void test_tunnel_bad_arguments(void) {
  harness *h = net(1);
  pair p;
  make_pair(h, &p, 6, "tcp:80", NULL, HARNESS_UNIX_START + 1000);
  mcc_node *n = harness_node(h, C_NODE);
  mcc_tunnel t = p.client;
  t.cert.kind = MCC_CERT_NODE;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(n, &t, harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  t = p.client;
  t.ntargets = 0;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(n, &t, harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  t = p.client;
  t.peer_endpoint = *harness_id(h, C_NODE); /* ourselves */
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(n, &t, harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  t = p.client;
  t.targets[0].port_lo = 0;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(n, &t, harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(n), 0);
  harness_free(h);
}

static size_t last_data_len;
static int data_len_filter(void *user, size_t from, size_t to, uint8_t *data,
                           size_t *len) {
  if ((data[0] & 0x1f) == WIRE_DATA && *len > WIRE_DATA_OVERHEAD)
    last_data_len = *len;
  return 1;
}

/* Inside a tunnel a packet costs what it costs between nodes: a UDP
 * packet with 64 bytes of payload is a 103-byte DATA, 39 bytes of
 * overhead on an IPv4 link (PROTOCOL.md). */
static void test_tunnel_overhead(void) {
  harness *h = net(1);
  pair p;
  make_pair(h, &p, 7, "udp:7000", NULL, HARNESS_UNIX_START + 1000000);
  add_pair(h, &p);
  uint8_t s_addr[4], src[4], s6[16], ip[200], payload[64] = {1};
  addr_of(h, C_NODE, &p.sep.pub, s_addr);
  harness_local_addr(h, C_NODE, C_NODE, src, s6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, src, s_addr, 1, 64, payload, 64);
  harness_set_filter(h, data_len_filter, NULL);
  for (int i = 0; i < 2; i++) { /* the second is steady state */
    harness_send_packet(h, C_NODE, ip, len);
    harness_run_for(h, S);
  }
  CU_ASSERT_EQUAL(last_data_len, 103);
  CU_ASSERT_EQUAL(last_data_len + 28 - (20 + 8 + 64), 39);
  harness_free(h);
}

/* An external tunnel's server delivers to its endpoint's own address (the
 * host forwards that to the LAN device); a plain one to the node's. */
static void test_tunnel_external_delivery(void) {
  harness *h = net(1);
  pair p;
  make_pair(h, &p, 8, "tcp:80", NULL, HARNESS_UNIX_START + 1000000);
  p.server.external_ip = 0xc0a80114; /* 192.168.1.20 */
  add_pair(h, &p);
  uint8_t s_addr[4], ep_addr[4], node_addr[4], s6[16];
  addr_of(h, C_NODE, &p.sep.pub, s_addr);
  addr_of(h, S_NODE, &p.sep.pub, ep_addr);
  harness_local_addr(h, S_NODE, S_NODE, node_addr, s6);
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_addr, IPPKT_TCP, 40000, 80, S_NODE));
  size_t len;
  const uint8_t *got = harness_last_delivered(h, S_NODE, &len);
  CU_ASSERT(len >= 20 && memcmp(got + 16, ep_addr, 4) == 0);
  CU_ASSERT(memcmp(ep_addr, node_addr, 4) != 0);
  /* not RFC 1918, or on a client: refused */
  mcc_tunnel t = p.server;
  t.external_ip = 0x08080808;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(harness_node(h, S_NODE), &t,
                                      harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  t = p.client;
  t.external_ip = 0x0a000001;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(harness_node(h, C_NODE), &t,
                                      harness_now(h)),
                  MCC_ERR_INVALID_ARGUMENT);
  harness_free(h);
}

/* Version-1 networks (tunnels_only = 0) keep node-to-node traffic. */
static void test_tunnel_v1_opt_out(void) {
  harness *h = net(0);
  uint8_t s_node[4], s6[16];
  harness_local_addr(h, C_NODE, S_NODE, s_node, s6);
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_node, IPPKT_UDP, 5000, 7000, S_NODE));
  CU_ASSERT_TRUE(send_ports(h, C_NODE, s_node, IPPKT_ICMP, 0, 0, S_NODE));
  harness_free(h);
}

/* ---- the filter as a property over random networks ------------------------
 *
 * Random single-root networks (every node 1-2 parents among the nodes
 * before it), 1-4 tunnels between random pairs (a pair may hold several,
 * either way round) with random tcp/udp targets in ports 1-12, a
 * revocation at both ends or at the server only, and random probes: to a
 * tunnel's server endpoint, to a client endpoint (the reply direction) or
 * to a node, random protocol and ports, from any node. A model says where
 * each probe must arrive; every node's delivered count is checked after
 * each probe, so a probe arriving where it must not, or a second time, is
 * caught. Seeds print on failure. */

#define PROP_NODES 12
#define PROP_TUNNELS 4
#define PROP_PORTS 12

typedef struct prop_tunnel {
  size_t client, server;
  mcc_keypair cep, sep;
  mcc_tunnel_target targets[3];
  size_t ntargets;
  int at_client, at_server; /* held at that end now */
} prop_tunnel;

static int prop_allows(const prop_tunnel *t, int proto, uint16_t port) {
  int p = proto == IPPKT_TCP ? MCC_PROTO_TCP : MCC_PROTO_UDP;
  if (proto != IPPKT_TCP && proto != IPPKT_UDP) return 0;
  for (size_t k = 0; k < t->ntargets; k++)
    if (t->targets[k].proto == p && t->targets[k].port_lo <= port &&
        port <= t->targets[k].port_hi)
      return 1;
  return 0;
}

static void prop_add(harness *h, prop_tunnel *t, int client_end) {
  mcc_tunnel x;
  memset(&x, 0, sizeof x);
  x.role = client_end ? MCC_TUNNEL_CLIENT : MCC_TUNNEL_SERVER;
  x.endpoint = client_end ? t->cep : t->sep;
  x.peer_endpoint = client_end ? t->sep.pub : t->cep.pub;
  x.remote_node = *harness_id(h, client_end ? t->server : t->client);
  harness_tunnel_cert(h, 0, &x.endpoint.pub, HARNESS_UNIX_START - 10,
                      HARNESS_UNIX_START + 1000000, &x.cert);
  memcpy(x.targets, t->targets, sizeof t->targets);
  x.ntargets = t->ntargets;
  size_t at = client_end ? t->client : t->server;
  CU_ASSERT_EQUAL(mcc_node_tunnel_add(harness_node(h, at), &x, harness_now(h)),
                  0);
  *(client_end ? &t->at_client : &t->at_server) = 1;
}

static void prop_case(uint64_t seed, int *failures) {
  topo_rng r;
  topo_rng_seed(&r, seed);
  mcc_settings st;
  mcc_settings_default(&st);
  st.tunnels_only = 1;
  size_t n = 4 + topo_rng_below(&r, PROP_NODES - 3);
  harness *h = harness_new(n, seed, &st);
  for (size_t i = 1; i < n; i++) {
    size_t ps[2] = {topo_rng_below(&r, i), topo_rng_below(&r, i)};
    harness_set_parents(h, i, ps, ps[0] == ps[1] ? 1 : 2);
  }
  harness_start(h);
  harness_run_for(h, 8 * S);
  prop_tunnel tun[PROP_TUNNELS];
  size_t nt = 1 + topo_rng_below(&r, PROP_TUNNELS);
  for (size_t k = 0; k < nt; k++) {
    prop_tunnel *t = &tun[k];
    memset(t, 0, sizeof *t);
    t->client = topo_rng_below(&r, n);
    t->server = (t->client + 1 + topo_rng_below(&r, n - 1)) % n;
    uint8_t key_seed[32];
    for (size_t b = 0; b < 32; b++) key_seed[b] = (uint8_t)topo_rng_next(&r);
    mcc_keypair_from_seed(&t->cep, key_seed);
    key_seed[0] ^= 0xff;
    mcc_keypair_from_seed(&t->sep, key_seed);
    t->ntargets = 1 + topo_rng_below(&r, 3);
    for (size_t j = 0; j < t->ntargets; j++) { /* disjoint: one port each */
      uint16_t lo = (uint16_t)(1 + 4 * j + topo_rng_below(&r, 2));
      t->targets[j].proto =
          topo_rng_below(&r, 2) ? MCC_PROTO_TCP : MCC_PROTO_UDP;
      t->targets[j].port_lo = lo;
      t->targets[j].port_hi = (uint16_t)(lo + topo_rng_below(&r, 3));
    }
    prop_add(h, t, 1);
    prop_add(h, t, 0);
  }
  size_t revoke_at = 10 + topo_rng_below(&r, 20), revoked = topo_rng_below(&r, nt);
  int server_only = (int)topo_rng_below(&r, 2);
  for (size_t probe = 0; probe < 40; probe++) {
    if (probe == revoke_at) {
      prop_tunnel *t = &tun[revoked];
      CU_ASSERT_EQUAL(mcc_node_tunnel_remove(harness_node(h, t->server),
                                             &t->cep.pub, harness_now(h)),
                      0);
      t->at_server = 0;
      if (!server_only) {
        CU_ASSERT_EQUAL(mcc_node_tunnel_remove(harness_node(h, t->client),
                                               &t->sep.pub, harness_now(h)),
                        0);
        t->at_client = 0;
      }
    }
    /* Half the probes near a tunnel's traffic (its sender, a target's
     * protocol and port), the rest anywhere, so both verdicts are tried. */
    size_t kind = topo_rng_below(&r, 3);
    const prop_tunnel *t = &tun[topo_rng_below(&r, nt)];
    const mcc_tunnel_target *g = &t->targets[topo_rng_below(&r, t->ntargets)];
    int near = topo_rng_below(&r, 2) == 0;
    size_t from = near ? (kind == 1 ? t->server : t->client)
                       : topo_rng_below(&r, n);
    int proto = near && topo_rng_below(&r, 4) != 0
                    ? (g->proto == MCC_PROTO_TCP ? IPPKT_TCP : IPPKT_UDP)
                    : (int[]){IPPKT_TCP, IPPKT_UDP,
                              IPPKT_ICMP}[topo_rng_below(&r, 3)];
    uint16_t in_target =
        (uint16_t)(g->port_lo + topo_rng_below(&r, g->port_hi - g->port_lo + 1u));
    uint16_t sport = (uint16_t)(1 + topo_rng_below(&r, PROP_PORTS));
    uint16_t dport = (uint16_t)(1 + topo_rng_below(&r, PROP_PORTS));
    if (near && kind == 0) dport = in_target;
    if (near && kind == 1) sport = in_target;
    /* A probe to a node's address or to an endpoint's, as `from` sees it. */
    size_t to_node = topo_rng_below(&r, n), want = SIZE_MAX;
    uint8_t to[4], s6[16];
    if (kind == 0) {
      addr_of(h, from, &t->sep.pub, to);
      if (from == t->client && t->at_client && t->at_server &&
          prop_allows(t, proto, dport))
        want = t->server;
    } else if (kind == 1) {
      addr_of(h, from, &t->cep.pub, to);
      if (from == t->server && t->at_client && t->at_server &&
          prop_allows(t, proto, sport))
        want = t->client;
    } else {
      if (to_node == from) to_node = (from + 1) % n;
      harness_local_addr(h, from, to_node, to, s6);
    }
    uint64_t before[PROP_NODES];
    for (size_t i = 0; i < n; i++) before[i] = harness_delivered(h, i);
    send_ports(h, from, to, proto, sport, dport, 0);
    for (size_t i = 0; i < n; i++) {
      uint64_t got = harness_delivered(h, i) - before[i];
      uint64_t expect = i == want ? 1 : 0;
      if (got != expect) {
        (*failures)++;
        printf("\n  seed %llu probe %zu: %s %d %u->%u from %zu (tunnel "
               "%zu->%zu, kind %zu): node %zu delivered %llu, expected "
               "%llu\n",
               (unsigned long long)seed, probe,
               proto == IPPKT_TCP ? "tcp" : proto == IPPKT_UDP ? "udp" : "icmp",
               proto, sport, dport, from, t->client, t->server, kind, i,
               (unsigned long long)got, (unsigned long long)expect);
      }
    }
  }
  harness_free(h);
}

static void test_tunnel_property(void) {
  int failures = 0;
  for (uint64_t seed = 1; seed <= 24; seed++) prop_case(seed, &failures);
  CU_ASSERT_EQUAL(failures, 0);
}

void suite_tunnel(void) {
  CU_pSuite s = CU_add_suite("tunnel", NULL, NULL);
  CU_add_test(s, "default deny and targets", test_tunnel_default_deny_and_targets);
  CU_add_test(s, "both ends agree", test_tunnel_both_ends_agree);
  CU_add_test(s, "remove and expire", test_tunnel_remove_and_expire);
  CU_add_test(s, "bad arguments", test_tunnel_bad_arguments);
  CU_add_test(s, "v1 opt-out", test_tunnel_v1_opt_out);
  CU_add_test(s, "overhead", test_tunnel_overhead);
  CU_add_test(s, "external delivery", test_tunnel_external_delivery);
  CU_add_test(s, "property: random networks, tunnels, probes",
              test_tunnel_property);
}
