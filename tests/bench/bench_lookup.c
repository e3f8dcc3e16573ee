/*
 * bench_lookup.c — issue 13's figures for results/bench-core.json: what a
 * network lookup of a name 4 hops up costs on the wire (every LOOKUP and
 * LOOKUP_REPLY datagram, UDP/IPv4 headers included) and how long it takes
 * at 1 ms a hop (the harness's link delay): the target is 4 hops x the
 * link RTT + 1 ms of processing.
 */
#include <stdio.h>
#include <string.h>

#include "../unit/harness.h"
#include "../../protocol/wire.h"
#include "bench.h"

void bench_lookup(FILE *json) {
  harness *h = harness_new(5, 31, NULL);
  for (size_t i = 1; i < 5; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_set_names(h, 0, "gw", 0);
  harness_start(h);
  harness_run_for(h, 10 * HARNESS_S);
  harness_reset_counters(h);
  int status;
  uint32_t token;
  mcc_id id;
  uint64_t t0 = harness_now(h);
  int rv = mcc_node_lookup(harness_node(h, 4), MCC_LOOKUP_NAME, "gw", 2, t0,
                           &status, &id, &token);
  harness_run_for(h, HARNESS_S);
  harness_answer a;
  int ok = rv == 0 && harness_answers(h, 4, &a) == 1 &&
           a.status == MCC_LOOKUP_FOUND;
  uint64_t q = harness_wire_bytes(h, WIRE_LOOKUP);
  uint64_t r = harness_wire_bytes(h, WIRE_LOOKUP_REPLY);
  double ms = ok ? (double)(a.at_ns - t0) / HARNESS_MS : -1;
  harness_free(h);
  bench_json_u64(json, "lookup_4_hops_wire_bytes", q + r);
  bench_json_u64(json, "lookup_4_hops_question_bytes", q);
  bench_json_f(json, "lookup_4_hops_ms", ms);
  printf("network lookup of a name 4 hops up: %llu wire bytes (%llu the "
         "questions, %llu the answers; target <= 300), %.1f ms at 1 ms a "
         "hop (target <= 4 x 2 ms + 1 ms)%s\n",
         (unsigned long long)(q + r), (unsigned long long)q,
         (unsigned long long)r, ms, ok ? "" : " (NOT ANSWERED)");
}
