/*
 * heap4.h — the sift of a 4-ary min-heap, written once for the engine's
 * two heaps: datagrams in flight (engine.c) and node deadlines
 * (timer_heap.c). Four children per entry give half the levels of a
 * binary heap, and siblings share cache lines, which matters once a heap
 * outgrows the caches.
 *
 * HEAP4_DEFINE_SIFT(name, T, before, place) defines
 *   static void name(void *ctx, T *items, size_t len, size_t i, T x)
 * which puts x into slot i of a heap of len entries and moves it up or down
 * to where it belongs. before(const T *, const T *) orders entries;
 * place(ctx, items, i, x) stores an entry in slot i (and may note where it
 * went). Both are macros or static functions, so the sift is inlined.
 */
#ifndef MCC_SIM_HEAP4_H
#define MCC_SIM_HEAP4_H

#include <stddef.h>

#define HEAP4_ARITY 4

#define HEAP4_DEFINE_SIFT(name, T, before, place)                           \
  static void name(void *ctx, T *items, size_t len, size_t i, T x) {        \
    size_t start = i;                                                       \
    while (i > 0 && before(&x, &items[(i - 1) / HEAP4_ARITY])) {            \
      place(ctx, items, i, items[(i - 1) / HEAP4_ARITY]);                   \
      i = (i - 1) / HEAP4_ARITY;                                            \
    }                                                                       \
    while (i == start) { /* did not go up: maybe down */                    \
      size_t first = HEAP4_ARITY * i + 1, c = first;                        \
      if (first >= len) break;                                              \
      size_t end = first + HEAP4_ARITY < len ? first + HEAP4_ARITY : len;   \
      for (size_t k = first + 1; k < end; k++)                              \
        if (before(&items[k], &items[c])) c = k;                            \
      if (!before(&items[c], &x)) break;                                    \
      place(ctx, items, i, items[c]);                                       \
      i = start = c;                                                        \
    }                                                                       \
    place(ctx, items, i, x);                                                \
  }

#endif
