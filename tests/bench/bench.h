/*
 * bench.h — what the benchmark files share: JSON output of one figure per
 * key (the writer adds commas), and the parts of the benchmark.
 */
#ifndef MCC_BENCH_H
#define MCC_BENCH_H

#include <stdint.h>
#include <stdio.h>

void bench_json_u64(FILE *f, const char *key, uint64_t v);
void bench_json_f(FILE *f, const char *key, double v);
void bench_dataplane(FILE *json);
void bench_tunnel(FILE *json);
void bench_lookup(FILE *json);

struct harness;
/* GB/s of node 1 sealing ip (len bytes) and node 0 opening it, the two
 * wired back to back: the core's work only. */
double bench_seal_open_rate(struct harness *h, const uint8_t *ip, size_t len);

#endif
