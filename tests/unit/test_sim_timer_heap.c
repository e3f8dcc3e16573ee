/*
 * test_sim_timer_heap.c — the engine's node deadlines (sim/timer_heap.c)
 * against a model: random timelines of sets (new and moved entries, to
 * earlier and later times, ties on the time), removals and pops over 1,500
 * nodes, from a heap filled past its first allocation, and after every step the heap must hold exactly the
 * model's entries, pop them in (time, node) order, know where each one is,
 * and keep each group of four siblings on one cache line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "timer_heap.h"

#define NODES 1500 /* over the heap's first 1,024 entries: it grows */
#define NONE UINT64_MAX

static uint64_t next(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

/* The model's earliest entry: the node, or NODES when empty. */
static uint32_t model_min(const uint64_t *at) {
  uint32_t best = NODES;
  for (uint32_t i = 0; i < NODES; i++)
    if (at[i] != NONE && (best == NODES || at[i] < at[best])) best = i;
  return best;
}

/* Every entry where its slot says, as the model has it, and the heap
 * order holds. */
static int consistent(const timer_heap *h, const uint32_t *slots,
                      const uint64_t *at) {
  size_t live = 0;
  for (uint32_t i = 0; i < NODES; i++) {
    if (at[i] == NONE) {
      if (slots[i] != TIMER_NO_SLOT) return 0;
      continue;
    }
    live++;
    if (slots[i] >= h->len) return 0;
    const timer_entry *e = &h->items[slots[i]];
    if (e->node != i || e->at != at[i]) return 0;
  }
  if (live != h->len) return 0;
  for (size_t k = 1; k < h->len; k++) {
    const timer_entry *c = &h->items[k], *p = &h->items[(k - 1) / 4];
    if (c->at < p->at || (c->at == p->at && c->node < p->node)) return 0;
  }
  return 1;
}

static void test_sim_timer_heap_matches_model(void) {
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 40; round++) {
    timer_heap h;
    memset(&h, 0, sizeof h);
    uint32_t slots[NODES];
    uint64_t at[NODES];
    memset(slots, 0xff, sizeof slots);
    for (int i = 0; i < NODES; i++) at[i] = NONE;
    uint32_t gen[NODES] = {0};
    int ok = 1;
    /* few distinct times in some rounds: many ties, broken by node */
    uint64_t span = round % 2 ? 50 : 1000000;
    for (uint32_t node = 0; node < NODES; node++) { /* grows twice */
      timer_entry t = {next(&seed) % span, node, ++gen[node]};
      CU_ASSERT_EQUAL_FATAL(timer_heap_set(&h, slots, t), 0);
      at[node] = t.at;
    }
    CU_ASSERT_TRUE(consistent(&h, slots, at));
    CU_ASSERT_TRUE(h.cap >= NODES);
    for (int step = 0; step < 3000 && ok; step++) {
      uint64_t r = next(&seed);
      uint32_t node = (uint32_t)(r % NODES);
      switch ((r >> 20) % 8) {
      case 0: case 1: case 2: case 3: { /* set: new, earlier or later */
        timer_entry t = {next(&seed) % span, node, ++gen[node]};
        CU_ASSERT_EQUAL_FATAL(timer_heap_set(&h, slots, t), 0);
        at[node] = t.at;
        break;
      }
      case 4: case 5:
        timer_heap_remove(&h, slots, node);
        at[node] = NONE;
        break;
      default: { /* pop */
        uint32_t want = model_min(at);
        if (want == NODES) {
          ok = timer_heap_top(&h) == NULL;
          break;
        }
        timer_entry t = timer_heap_pop(&h, slots);
        ok = t.node == want && t.at == at[want] && t.gen == gen[want];
        at[want] = NONE;
      }
      }
      if (ok) ok = consistent(&h, slots, at);
      if (ok && h.len) /* items[1 + 4k] begins a cache line */
        ok = ((uintptr_t)&h.items[1] & 63) == 0;
    }
    CU_ASSERT_TRUE(ok);
    /* what is left comes out in order */
    for (uint32_t want; ok && (want = model_min(at)) != NODES;) {
      timer_entry t = timer_heap_pop(&h, slots);
      ok = t.node == want && t.at == at[want];
      at[want] = NONE;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(h.len, 0);
    CU_ASSERT_PTR_NULL(timer_heap_top(&h));
    timer_heap_free(&h);
  }
}

void suite_sim_timer_heap(void) {
  CU_pSuite s = CU_add_suite("sim_timer_heap", NULL, NULL);
  ADD_TEST(s, test_sim_timer_heap_matches_model);
}
