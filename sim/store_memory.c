/*
 * store_memory.c — store_memory.h: a digest per body, sorted, each
 * distinct one counted once.
 */
#include "store_memory.h"

#include "fatal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct collector {
  sim_body_sum **sums;
  size_t *n, *cap;
} collector;

static void add_body(void *user, const uint8_t *content, size_t len,
                     size_t bytes) {
  collector *c = user;
  if (*c->n == *c->cap) {
    *c->cap = *c->cap ? 2 * *c->cap : 1024;
    *c->sums = sim_xrealloc(*c->sums, *c->cap * sizeof **c->sums,
                            "counting record bodies");
  }
  sim_body_sum *s = &(*c->sums)[(*c->n)++];
  memset(s, 0, sizeof *s);
  crypto_generichash(s->digest, sizeof s->digest, content, len, NULL, 0);
  s->len = len;
  s->bytes = bytes;
}

void sim_store_sums(const mcc_record_store *store, sim_body_sum **sums,
                    size_t *n, size_t *cap) {
  collector c = {sums, n, cap};
  mcc_record_store_each(store, add_body, &c);
}

static int sum_cmp(const void *x, const void *y) {
  const sim_body_sum *a = x, *b = y;
  int c = memcmp(a->digest, b->digest, sizeof a->digest);
  if (c) return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

size_t sim_store_distinct_bytes(sim_body_sum *sums, size_t n) {
  if (n > 1) qsort(sums, n, sizeof *sums, sum_cmp);
  size_t bytes = 0;
  for (size_t k = 0; k < n; k++)
    if (k == 0 || sum_cmp(&sums[k], &sums[k - 1]) != 0)
      bytes += sums[k].bytes + SIM_STORE_INDEX_BYTES;
  return bytes;
}

size_t sim_store_memory(mcc_record_store *const *stores, size_t nstores) {
  sim_body_sum *sums = NULL;
  size_t n = 0, cap = 0;
  for (size_t k = 0; k < nstores; k++)
    sim_store_sums(stores[k], &sums, &n, &cap);
  size_t bytes = sim_store_distinct_bytes(sums, n);
  free(sums);
  return bytes;
}
