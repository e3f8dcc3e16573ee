/*
 * timer_heap.h — the native engine's node deadlines: one 4-ary min-heap
 * per partition with at most one entry per node, moved in place when the
 * node's expiry changes. An entry is 16 bytes and every group of four
 * siblings fills one cache line, because at a million nodes the heap is
 * tens of megabytes and each step down is a cache miss: the sift was a
 * tenth of a 111,111-node run's time with the engine's 56-byte events.
 *
 * Entries are ordered by (time, node). With one entry per node that is
 * the order the engine's event key gives timers (engine.c), so a heap
 * gives the same run as any other arrangement of the same deadlines.
 * Where each node's entry is, the caller keeps in an array indexed by
 * node (TIMER_NO_SLOT: none), shared by the partitions' heaps since each
 * node is in one.
 */
#ifndef MCC_SIM_TIMER_HEAP_H
#define MCC_SIM_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define TIMER_NO_SLOT UINT32_MAX

typedef struct timer_entry {
  uint64_t at;
  uint32_t node;
  uint32_t gen; /* the node's generation when it was set */
} timer_entry;

typedef struct timer_heap {
  timer_entry *items; /* items[1 + 4k .. 4 + 4k] share a cache line */
  void *mem;          /* what malloc gave: items is aligned inside it */
  size_t len, cap;
} timer_heap;

/* The node's entry set to t (t.node's), in place or new. MCC_ERR_NOMEM. */
int timer_heap_set(timer_heap *h, uint32_t *slots, timer_entry t);
/* The node's entry, if it has one, gone. */
void timer_heap_remove(timer_heap *h, uint32_t *slots, uint32_t node);
/* The earliest entry out; the heap is not empty. */
timer_entry timer_heap_pop(timer_heap *h, uint32_t *slots);
/* The earliest entry, NULL when empty. */
static inline const timer_entry *timer_heap_top(const timer_heap *h) {
  return h->len ? &h->items[0] : NULL;
}
void timer_heap_free(timer_heap *h);

#endif
