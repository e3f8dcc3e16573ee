/*
 * store_memory.c — store_memory.h: distinct record bodies across stores,
 * found by content in an open-addressing table built for the count.
 */
#include "store_memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen_body {
  uint64_t hash; /* 0: an empty slot */
  const uint8_t *content;
  size_t len;
} seen_body;

typedef struct counter {
  seen_body *slots;
  size_t mask, used;
  size_t bytes;
  int nomem;
} counter;

static uint64_t content_hash(const uint8_t *p, size_t n) { /* FNV-1a */
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h | 1; /* never 0 */
}

static int grow(counter *c) {
  size_t cap = c->slots ? 2 * (c->mask + 1) : 1024;
  seen_body *slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; c->slots && i <= c->mask; i++) {
    if (!c->slots[i].hash) continue;
    size_t j = (size_t)c->slots[i].hash & (cap - 1);
    while (slots[j].hash) j = (j + 1) & (cap - 1);
    slots[j] = c->slots[i];
  }
  free(c->slots);
  c->slots = slots;
  c->mask = cap - 1;
  return 0;
}

static void count_body(void *user, const uint8_t *content, size_t len,
                       size_t bytes) {
  counter *c = user;
  if (c->nomem) return;
  if ((c->used + 1) * 2 > (c->slots ? c->mask + 1 : 0) && grow(c) != 0) {
    c->nomem = 1;
    return;
  }
  uint64_t h = content_hash(content, len);
  size_t i = (size_t)h & c->mask;
  for (; c->slots[i].hash; i = (i + 1) & c->mask)
    if (c->slots[i].hash == h && c->slots[i].len == len &&
        memcmp(c->slots[i].content, content, len) == 0)
      return; /* held in another store too: counted */
  c->slots[i] = (seen_body){h, content, len};
  c->used++;
  c->bytes += bytes + SIM_STORE_INDEX_BYTES;
}

size_t sim_store_memory(mcc_record_store *const *stores, size_t nstores) {
  counter c;
  memset(&c, 0, sizeof c);
  for (size_t k = 0; k < nstores; k++)
    mcc_record_store_each(stores[k], count_body, &c);
  free(c.slots);
  return c.nomem ? 0 : c.bytes;
}
