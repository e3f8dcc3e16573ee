/*
 * index.c — the chained hash index. Heads grow to the next power of two at
 * or above half the slot count, so chains stay one or two long.
 */
#include <stdlib.h>

#include <mcc/mcc.h>

#include "index.h"

void index_init(slot_index *ix) {
  ix->heads = NULL;
  ix->next = NULL;
  ix->nheads = 0;
  ix->nslots = 0;
}

void index_clear(slot_index *ix) {
  free(ix->heads);
  free(ix->next);
  index_init(ix);
}

int index_reserve(slot_index *ix, uint32_t nslots, uint32_t used,
                  slot_hash_fn hash, const void *items) {
  if (nslots > ix->nslots) {
    uint32_t *next = realloc(ix->next, (size_t)nslots * sizeof *next);
    if (!next) return MCC_ERR_NOMEM;
    ix->next = next;
    ix->nslots = nslots;
  }
  uint32_t want = 4;
  while (want < nslots / 2) want *= 2; /* chains of one or two */
  if (want <= ix->nheads) return 0;
  uint32_t *heads = malloc((size_t)want * sizeof *heads);
  if (!heads) return MCC_ERR_NOMEM;
  free(ix->heads);
  ix->heads = heads;
  ix->nheads = want;
  for (uint32_t i = 0; i < want; i++) heads[i] = INDEX_NIL;
  for (uint32_t s = 0; s < used; s++) index_insert(ix, s, hash(items, s));
  return 0;
}

void index_insert(slot_index *ix, uint32_t slot, uint32_t hash) {
  uint32_t *head = &ix->heads[hash & (ix->nheads - 1)];
  ix->next[slot] = *head;
  *head = slot;
}

/* The link that points at slot, so it can be rewritten. */
static uint32_t *find_ref(slot_index *ix, uint32_t slot, uint32_t hash) {
  uint32_t *ref = &ix->heads[hash & (ix->nheads - 1)];
  while (*ref != INDEX_NIL && *ref != slot) ref = &ix->next[*ref];
  return *ref == slot ? ref : NULL;
}

void index_remove(slot_index *ix, uint32_t slot, uint32_t hash) {
  uint32_t *ref = find_ref(ix, slot, hash);
  if (ref) *ref = ix->next[slot];
}

void index_move(slot_index *ix, uint32_t from, uint32_t to, uint32_t hash) {
  uint32_t *ref = find_ref(ix, from, hash);
  if (!ref) return;
  *ref = to;
  ix->next[to] = ix->next[from];
}

size_t index_memory(const slot_index *ix) {
  return (size_t)ix->nheads * sizeof *ix->heads +
         (size_t)ix->nslots * sizeof *ix->next;
}
