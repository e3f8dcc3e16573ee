/*
 * bench_core.c — the figures of the protocol core that `make bench` writes
 * to results/bench-core.json: wire bytes of a keep-alive exchange, record
 * bytes in a converged idle network, memory per record and per leaf, and
 * what the verification cache saves. Wire bytes follow DESIGN.md (UDP
 * payload + 8 + 20, IPv4). Byte figures are exact (the harness is
 * deterministic); times are wall clock on this machine and vary.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/harness.h"
#include "bench.h"
#include "cert.h"
#include "node.h"

#define DAY_S 86400ull

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct size_capture {
  size_t len[8];
} size_capture;

static int capture_sizes(void *user, size_t from, size_t to, uint8_t *data,
                         size_t *len) {
  size_capture *c = user;
  int type = data[0] & 0x1f;
  if (type < 8 && !c->len[type]) c->len[type] = *len;
  return 1;
}

/* A tree of n nodes, each node i's parent (i - 1) / fanout. */
static harness *tree(size_t n, size_t fanout, uint64_t seed) {
  harness *h = harness_new(n, seed, NULL);
  for (size_t i = 1; i < n; i++) {
    size_t p = (i - 1) / fanout;
    harness_set_parents(h, i, &p, 1);
  }
  return h;
}

static size_t live_known(mcc_node *node) {
  size_t k = 0;
  mcc_node_info info;
  for (size_t i = 0; i < mcc_node_known_count(node); i++)
    if (mcc_node_known_get(node, i, &info) == 0) k++;
  return k;
}

int main(int argc, char **argv) {
  const char *out_path = argc > 1 ? argv[1] : "results/bench-core.json";
  if (sodium_init() < 0) return 1;

  /* 1. One keep-alive exchange on a link, exactly. */
  size_capture cap = {{0}};
  harness *pair = tree(2, 1, 1);
  harness_set_filter(pair, capture_sizes, &cap);
  harness_start(pair);
  harness_run_for(pair, 31 * HARNESS_S);
  size_t ka = cap.len[WIRE_KEEPALIVE], ka_ack = cap.len[WIRE_KEEPALIVE_ACK];
  uint64_t keepalive_exchange = ka + ka_ack + 2 * 28;
  harness_free(pair);

  /* 2. A 1,111-node tree (fanout 10, depth 3): convergence, then one hour
   * idle with default timers. */
  const size_t n = 1111;
  harness *h = tree(n, 10, 2);
  double t0 = wall_s();
  harness_start(h);
  uint64_t converged_ns = 0;
  while (harness_now(h) < 60 * HARNESS_S) {
    harness_run_for(h, 10 * HARNESS_MS);
    if (live_known(harness_node(h, 0)) == n) {
      converged_ns = harness_now(h);
      break;
    }
  }
  harness_run_for(h, 5 * HARNESS_S);
  double t1 = wall_s();
  harness_reset_counters(h);
  harness_run_for(h, 3600 * HARNESS_S);
  double t2 = wall_s();
  uint64_t idle_record_bytes = harness_wire_bytes(h, WIRE_UPDATE) +
                               harness_wire_bytes(h, WIRE_UPDATE_ACK);
  uint64_t leaf_day = harness_node_wire_bytes(h, n - 1) * 24;
  uint64_t root_day = harness_node_wire_bytes(h, 0) * 24;
  uint64_t total = 0, max = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t b = harness_node_wire_bytes(h, i) * 24;
    total += b;
    if (b > max) max = b;
  }

  /* 3. Memory: the marginal bytes of a record at the root, and a leaf. */
  mcc_node *root = harness_node(h, 0);
  size_t root_mem = mcc_node_memory(root);
  size_t leaf_mem = mcc_node_memory(harness_node(h, n - 1));
  harness *lone = tree(1, 1, 3);
  harness_start(lone);
  size_t lone_mem = mcc_node_memory(harness_node(lone, 0));
  harness_free(lone);
  double record_bytes = (double)(root_mem - lone_mem) / (double)(n - 1);
  harness_free(h);

  /* 4. Certificate verification: Ed25519 versus a cache hit. */
  mcc_keypair net, node;
  uint8_t seed[32] = {1};
  mcc_keypair_from_seed(&net, seed);
  seed[0] = 2;
  mcc_keypair_from_seed(&node, seed);
  mcc_cert cert;
  mcc_cert_sign(&cert, MCC_CERT_NODE, &node.pub, &net, 0, UINT32_MAX);
  mcc_verify_cache *cache;
  mcc_verify_cache_new(&cache, 1024);
  const int reps = 20000;
  double a = wall_s();
  for (int i = 0; i < reps; i++) cert_verify_cached(&cert, 1, NULL, NULL);
  double b = wall_s();
  for (int i = 0; i < reps; i++) cert_verify_cached(&cert, 1, cache, NULL);
  double c = wall_s();
  mcc_verify_cache_free(cache);
  double verify_us = (b - a) / reps * 1e6, hit_us = (c - b) / reps * 1e6;

  FILE *f = fopen(out_path, "w");
  if (!f) {
    perror(out_path);
    return 1;
  }
  fprintf(f, "{");
  bench_json_u64(f, "keepalive_exchange_wire_bytes", keepalive_exchange);
  bench_json_u64(f, "keepalive_wire_bytes_one_way", ka + 28);
  bench_json_u64(f, "idle_state_bytes_after_convergence", idle_record_bytes);
  bench_json_u64(f, "idle_leaf_wire_bytes_per_day", leaf_day);
  bench_json_u64(f, "idle_root_wire_bytes_per_day", root_day);
  bench_json_u64(f, "idle_mean_wire_bytes_per_day", total / n);
  bench_json_u64(f, "idle_max_wire_bytes_per_day", max);
  bench_json_u64(f, "tree_nodes", n);
  bench_json_f(f, "bootstrap_simulated_s", (double)converged_ns / 1e9);
  bench_json_u64(f, "record_struct_bytes", sizeof(record));
  bench_json_f(f, "record_bytes", record_bytes);
  bench_json_u64(f, "leaf_node_bytes", leaf_mem);
  bench_json_f(f, "cert_verify_us", verify_us);
  bench_json_f(f, "cert_verify_cache_hit_us", hit_us);
  bench_json_f(f, "wall_bootstrap_s", t1 - t0);
  bench_json_f(f, "wall_idle_hour_s", t2 - t1);
  printf("keep-alive exchange: %llu wire bytes (target <= 100)\n",
         (unsigned long long)keepalive_exchange);
  printf("record bytes in 1 idle hour after convergence (%zu nodes): %llu "
         "(target 0)\n",
         n, (unsigned long long)idle_record_bytes);
  printf("idle per day: leaf %llu, root %llu, mean %llu, max %llu bytes\n",
         (unsigned long long)leaf_day, (unsigned long long)root_day,
         (unsigned long long)(total / n), (unsigned long long)max);
  printf("memory: %.1f bytes per record at the root (struct %zu, target "
         "<= 256), leaf node %zu bytes (target <= 2048)\n",
         record_bytes, sizeof(record), leaf_mem);
  printf("certificate check: %.2f us, cache hit %.2f us (%.0fx)\n",
         verify_us, hit_us, verify_us / hit_us);
  printf("bootstrap %.2f s simulated; wall %.2f s, idle hour %.2f s\n",
         (double)converged_ns / 1e9, t1 - t0, t2 - t1);
  bench_dataplane(f);
  bench_tunnel(f);
  bench_lookup(f);
  fprintf(f, "\n}\n");
  fclose(f);
  printf("wrote %s\n", out_path);
  return 0;
}

static int first_key = 1;

void bench_json_u64(FILE *f, const char *key, uint64_t v) {
  fprintf(f, "%s\n  \"%s\": %llu", first_key ? "" : ",", key,
          (unsigned long long)v);
  first_key = 0;
}

void bench_json_f(FILE *f, const char *key, double v) {
  fprintf(f, "%s\n  \"%s\": %.3f", first_key ? "" : ",", key, v);
  first_key = 0;
}
