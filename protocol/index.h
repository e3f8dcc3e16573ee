/*
 * index.h — a chained hash index over the slots of an array that the caller
 * owns (records, child links). It stores only slot numbers, so the items
 * stay packed and the caller compares keys itself.
 */
#ifndef MCC_INDEX_H
#define MCC_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define INDEX_NIL UINT32_MAX

typedef struct slot_index {
  uint32_t *heads; /* nheads entries, a power of two */
  uint32_t *next;  /* per slot */
  uint32_t nheads, nslots;
} slot_index;

typedef uint32_t (*slot_hash_fn)(const void *items, uint32_t slot);

void index_init(slot_index *ix);
void index_clear(slot_index *ix);
/* Makes room for nslots slots; rehashes slots [0, used) when it grows. */
int index_reserve(slot_index *ix, uint32_t nslots, uint32_t used,
                  slot_hash_fn hash, const void *items);
void index_insert(slot_index *ix, uint32_t slot, uint32_t hash);
void index_remove(slot_index *ix, uint32_t slot, uint32_t hash);
/* The item in slot `from` now lives in slot `to` (after a swap-remove). */
void index_move(slot_index *ix, uint32_t from, uint32_t to, uint32_t hash);
static inline uint32_t index_first(const slot_index *ix, uint32_t hash) {
  return ix->nheads ? ix->heads[hash & (ix->nheads - 1)] : INDEX_NIL;
}
static inline uint32_t index_next(const slot_index *ix, uint32_t slot) {
  return ix->next[slot];
}
size_t index_memory(const slot_index *ix);

#endif
