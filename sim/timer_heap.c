/*
 * timer_heap.c — the node deadlines of timer_heap.h.
 */
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "heap4.h"
#include "timer_heap.h"

#define LINE 64

static int earlier(const timer_entry *x, const timer_entry *y) {
  return x->at != y->at ? x->at < y->at : x->node < y->node;
}

/* Slot i gets t, and t's node learns where it is. */
static void put(void *slots, timer_entry *items, size_t i, timer_entry t) {
  items[i] = t;
  ((uint32_t *)slots)[t.node] = (uint32_t)i;
}

HEAP4_DEFINE_SIFT(sift, timer_entry, earlier, put)

/* Room for one more. The array starts three entries into a line, so that
 * the children of every entry, 4i + 1 .. 4i + 4, begin a line. Aligned by
 * hand from malloc, which mcc-sim watches for failures (alloc_wrap.c). */
static int grow(timer_heap *h) {
  if (h->len < h->cap) return 0;
  size_t cap = h->cap ? h->cap * 2 : 1024;
  uint8_t *mem = malloc((cap + 3) * sizeof *h->items + LINE - 1);
  if (!mem) return MCC_ERR_NOMEM;
  uintptr_t line = ((uintptr_t)mem + LINE - 1) & ~(uintptr_t)(LINE - 1);
  timer_entry *items = (timer_entry *)line + 3;
  if (h->len) memcpy(items, h->items, h->len * sizeof *items);
  free(h->mem);
  h->mem = mem;
  h->items = items;
  h->cap = cap;
  return 0;
}

int timer_heap_set(timer_heap *h, uint32_t *slots, timer_entry t) {
  if (slots[t.node] != TIMER_NO_SLOT) {
    sift(slots, h->items, h->len, slots[t.node], t);
    return 0;
  }
  if (grow(h) != 0) return MCC_ERR_NOMEM;
  h->len++;
  sift(slots, h->items, h->len, h->len - 1, t);
  return 0;
}

void timer_heap_remove(timer_heap *h, uint32_t *slots, uint32_t node) {
  uint32_t i = slots[node];
  if (i == TIMER_NO_SLOT) return;
  slots[node] = TIMER_NO_SLOT;
  timer_entry last = h->items[--h->len];
  if (i < h->len) sift(slots, h->items, h->len, i, last);
}

timer_entry timer_heap_pop(timer_heap *h, uint32_t *slots) {
  timer_entry top = h->items[0], last = h->items[--h->len];
  slots[top.node] = TIMER_NO_SLOT;
  if (h->len) sift(slots, h->items, h->len, 0, last);
  return top;
}

void timer_heap_free(timer_heap *h) {
  free(h->mem);
  memset(h, 0, sizeof *h);
}
