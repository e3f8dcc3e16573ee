/*
 * test_route.c — routing decisions against a naive reference: random trees
 * and random multi-parent graphs, every sampled pair's hop-by-hop walk
 * compared with BFS over the active topology, which the harness computes
 * from the hosts' view, not from the core's tables.
 */
#include <stdlib.h>

#include "harness.h"
#include "suites.h"
#include "testutil.h"

static unsigned compare_pairs(harness *h, unsigned samples, unsigned seed) {
  unsigned bad = 0;
  size_t n = harness_size(h);
  srand(seed);
  for (unsigned k = 0; k < samples; k++) {
    size_t s = (size_t)rand() % n, d = (size_t)rand() % n;
    if (s == d) continue;
    int got = harness_follow_route(h, s, d, 64);
    int want = harness_shortest(h, s, d);
    if (got != want) {
      fprintf(stderr, "route %zu -> %zu: %d, reference %d\n", s, d, got,
              want);
      bad++;
    }
  }
  return bad;
}

static void test_route_random_trees(void) {
  for (unsigned t = 0; t < 4; t++) {
    size_t n = 30 + 10 * t;
    harness *h = harness_new(n, 100 + t, NULL);
    srand(t);
    for (size_t i = 1; i < n; i++) {
      size_t p = (size_t)rand() % i;
      harness_set_parents(h, i, &p, 1);
    }
    harness_start(h);
    harness_run_for(h, 10 * HARNESS_S);
    CU_ASSERT_EQUAL(compare_pairs(h, 300, t), 0);
    harness_free(h);
  }
}

static void test_route_random_multi_parent_after_failures(void) {
  size_t n = 40;
  harness *h = harness_new(n, 200, NULL);
  srand(77);
  for (size_t i = 1; i < n; i++) {
    size_t ps[2] = {(size_t)rand() % i, (size_t)rand() % i};
    harness_set_parents(h, i, ps, ps[0] == ps[1] ? 1 : 2);
  }
  harness_start(h);
  harness_run_for(h, 10 * HARNESS_S);
  CU_ASSERT_EQUAL(compare_pairs(h, 300, 1), 0);
  /* Kill three inner nodes; after failover and expiry every pair that the
   * reference can still connect is routed on a shortest path. */
  harness_kill(h, 1);
  harness_kill(h, 5);
  harness_kill(h, 9);
  harness_run_for(h, 5 * 60 * HARNESS_S);
  unsigned bad = 0;
  for (size_t s = 0; s < n; s++)
    for (size_t d = 0; d < n; d++) {
      if (s == d || !harness_alive(h, s) || !harness_alive(h, d)) continue;
      int want = harness_shortest(h, s, d);
      int got = harness_follow_route(h, s, d, 64);
      if ((want < 0 ? got >= 0 : got != want) || got == -1) {
        fprintf(stderr, "after failures: %zu -> %zu: %d, reference %d\n", s,
                d, got, want);
        bad++; /* a loop (-1) is never acceptable */
      }
    }
  CU_ASSERT_EQUAL(bad, 0);
  harness_free(h);
}

void suite_route(void) {
  CU_pSuite s = CU_add_suite("route", NULL, NULL);
  ADD_TEST(s, test_route_random_trees);
  ADD_TEST(s, test_route_random_multi_parent_after_failures);
}
