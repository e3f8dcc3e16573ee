/*
 * bench_dataplane.c — core II's figures for results/bench-core.json:
 * packet overhead (DESIGN.md: wire bytes on one underlay link minus the
 * inner packet) for several payloads, underlays and hop counts, and the
 * throughput of sealing and opening user packets in the core against
 * libsodium's raw ChaCha20-Poly1305 measured in the same run.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/harness.h"
#include "../unit/ippkt.h"
#include "bench.h"
#include "node.h"
#include "noise.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
  uint64_t bytes[16];
  unsigned count[16];
  unsigned keepalives; /* empty DATA answering one-way traffic */
} tally;

/* A session keep-alive (PROTOCOL.md, "Sessions that heal") answers the
 * packet before it a second later: not part of any one packet's cost. */
static int count_types(void *user, size_t from, size_t to, uint8_t *data,
                       size_t *len) {
  tally *t = user;
  int type = data[0] & 0x1f;
  if (type == WIRE_DATA && *len == WIRE_DATA_OVERHEAD) {
    t->keepalives++;
    return 1;
  }
  t->bytes[type] += *len;
  t->count[type]++;
  return 1;
}

/* Wire bytes (IPv4 underlay) of routed datagrams for one packet. */
static uint64_t send_one(harness *h, size_t src, size_t dst, int proto,
                         int v6, size_t n, tally *t) {
  uint8_t payload[1300], ip[1400], s4[4], s6[16], d4[4], d6[16];
  memset(payload, 0x5a, n);
  harness_local_addr(h, src, src, s4, s6);
  harness_local_addr(h, src, dst, d4, d6);
  size_t len = v6 ? ippkt_v6(ip, proto, s6, d6, 64, payload, n)
                  : ippkt_v4(ip, proto, s4, d4, 1, 64, payload, n);
  memset(t, 0, sizeof *t);
  harness_send_packet(h, src, ip, len);
  harness_run_for(h, HARNESS_S);
  uint64_t wire = 0;
  for (int k = WIRE_SESSION_INIT; k <= WIRE_DATA; k++)
    wire += t->bytes[k] + 28ull * t->count[k];
  return wire;
}

static harness *chain(size_t n) {
  harness *h = harness_new(n, 77, NULL);
  for (size_t i = 1; i < n; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_set_filter(h, NULL, NULL);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  return h;
}

/* A capture of the last datagram a node sent, for the throughput loop. */
typedef struct pipe_end {
  uint8_t buf[1500];
  size_t len;
  uint64_t delivered;
} pipe_end;

static void pipe_send(void *user, const mcc_addr *to, const uint8_t *d,
                      size_t n) {
  pipe_end *p = user;
  memcpy(p->buf, d, n);
  p->len = n;
}
static void pipe_deliver(void *user, const uint8_t *ip, size_t n) {
  ((pipe_end *)user)->delivered++;
}

double bench_seal_open_rate(harness *h, const uint8_t *ip, size_t len) {
  /* Take node 1 -> node 0 with their session up, then swap in callbacks
   * that hand each datagram straight to the other node: no queue, no
   * allocation, only the core's work. */
  harness_send_packet(h, 1, ip, len);
  harness_run_for(h, HARNESS_S);
  mcc_node *a = harness_node(h, 1), *b = harness_node(h, 0);
  pipe_end pa = {{0}, 0, 0}, pb = {{0}, 0, 0};
  mcc_callbacks save_a = a->cb, save_b = b->cb;
  a->cb.send = pipe_send, a->cb.user_data = &pa;
  b->cb.deliver = pipe_deliver, b->cb.user_data = &pb;
  mcc_addr from = harness_addr(1);
  uint64_t t = harness_now(h);
  const int reps = 200000;
  double t0 = now_s();
  for (int i = 0; i < reps; i++) {
    mcc_node_send_packet(a, ip, len, t);
    mcc_node_recv(b, &from, pa.buf, pa.len, t);
  }
  double dt = now_s() - t0;
  a->cb = save_a, b->cb = save_b;
  if (pb.delivered != (uint64_t)reps) {
    fprintf(stderr, "bench: %llu of %d packets delivered\n",
            (unsigned long long)pb.delivered, reps);
    return 0;
  }
  return (double)len * reps / dt / 1e9;
}

static double seal_open_gbytes_per_s(harness *h, size_t inner_len) {
  uint8_t payload[1300], ip[1400], s4[4], s6[16], d4[4], d6[16];
  memset(payload, 0x3c, sizeof payload);
  harness_local_addr(h, 1, 1, s4, s6);
  harness_local_addr(h, 1, 0, d4, d6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, s4, d4, 1, 64, payload, inner_len - 28);
  return bench_seal_open_rate(h, ip, len);
}

static double raw_aead_gbytes_per_s(size_t n) {
  uint8_t key[32], nonce[12] = {0}, msg[1500], ct[1600], pt[1500];
  memset(key, 1, sizeof key);
  memset(msg, 2, sizeof msg);
  const int reps = 200000;
  unsigned long long clen, mlen;
  double t0 = now_s();
  for (int i = 0; i < reps; i++) {
    nonce[0] = (uint8_t)i;
    crypto_aead_chacha20poly1305_ietf_encrypt(ct, &clen, msg, n, NULL, 0,
                                              NULL, nonce, key);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(pt, &mlen, NULL, ct, clen,
                                                  NULL, 0, nonce, key) != 0)
      return 0;
  }
  return (double)n * reps / (now_s() - t0) / 1e9;
}

void bench_dataplane(FILE *json) {
  tally t;
  harness *h = chain(3);
  harness_set_filter(h, count_types, &t);
  const uint64_t in64 = 20 + 8 + 64, in1000 = 20 + 8 + 1000;
  uint64_t first64 = send_one(h, 1, 0, IPPKT_UDP, 0, 64, &t) - in64;
  uint64_t steady64 = send_one(h, 1, 0, IPPKT_UDP, 0, 64, &t) - in64;
  uint64_t data64 = t.bytes[WIRE_DATA];
  uint64_t steady1000 = send_one(h, 1, 0, IPPKT_UDP, 0, 1000, &t) - in1000;
  uint64_t tcp64 = send_one(h, 1, 0, IPPKT_TCP, 0, 64, &t) - (20 + 20 + 64);
  uint64_t icmp56 = send_one(h, 1, 0, IPPKT_ICMP, 0, 56, &t) - (20 + 8 + 56);
  uint64_t inner6 = send_one(h, 1, 0, IPPKT_UDP, 1, 64, &t) - (40 + 8 + 64);
  /* Two hops: the same packet crosses two links. */
  send_one(h, 2, 0, IPPKT_UDP, 0, 64, &t);
  uint64_t two_hops = send_one(h, 2, 0, IPPKT_UDP, 0, 64, &t);
  uint64_t per_extra_hop = two_hops - (steady64 + in64);
  harness_set_filter(h, NULL, NULL);
  double core = seal_open_gbytes_per_s(h, 1280);
  double core_small = seal_open_gbytes_per_s(h, 92);
  harness_free(h);
  double raw = raw_aead_gbytes_per_s(1400);
  double raw1280 = raw_aead_gbytes_per_s(1280);

  bench_json_u64(json, "overhead_p64_steady", steady64);
  bench_json_u64(json, "overhead_p64_first", first64);
  bench_json_u64(json, "overhead_p1000_steady", steady1000);
  bench_json_u64(json, "overhead_p64_steady_ipv6_underlay", steady64 + 20);
  bench_json_u64(json, "overhead_p64_steady_ipv6_inner", inner6);
  bench_json_u64(json, "overhead_tcp_p64_steady", tcp64);
  bench_json_u64(json, "overhead_icmp_echo_p56_steady", icmp56);
  bench_json_u64(json, "wire_bytes_per_extra_hop_p64", per_extra_hop);
  bench_json_u64(json, "data_datagram_bytes_p64", data64);
  bench_json_u64(json, "session_keepalive_wire_bytes",
                 WIRE_DATA_OVERHEAD + 28);
  bench_json_u64(json, "session_bytes", sizeof(session));
  bench_json_u64(json, "session_handshake_bytes", sizeof(noise_state));
  bench_json_f(json, "seal_open_gbytes_per_s", core);
  bench_json_f(json, "seal_open_gbytes_per_s_92b", core_small);
  bench_json_f(json, "raw_aead_gbytes_per_s", raw);
  bench_json_f(json, "raw_aead_gbytes_per_s_1280b", raw1280);
  printf("overhead, UDP 64 B: %llu steady (target <= 40), %llu first packet "
         "(handshake), 1000 B: %llu; IPv6 underlay %llu; inner IPv6 %llu; "
         "TCP %llu; ICMP echo %llu\n",
         (unsigned long long)steady64, (unsigned long long)first64,
         (unsigned long long)steady1000, (unsigned long long)steady64 + 20,
         (unsigned long long)inner6, (unsigned long long)tcp64,
         (unsigned long long)icmp56);
  printf("each extra hop: %llu wire bytes for a 64 B UDP packet\n",
         (unsigned long long)per_extra_hop);
  printf("seal+open in the core: %.2f GB/s at 1280 B (%.2f at 92 B); raw "
         "ChaCha20-Poly1305 seal+open %.2f GB/s at 1400 B, %.2f at 1280 B\n",
         core, core_small, raw, raw1280);
  printf("session: %zu bytes (+%zu while a handshake runs; target <= 512)\n",
         sizeof(session), sizeof(noise_state));
}
