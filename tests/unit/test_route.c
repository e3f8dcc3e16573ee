/*
 * test_route.c — routing decisions against a naive reference: random trees
 * and random multi-parent graphs, every sampled pair's hop-by-hop walk
 * compared with BFS over the active topology, which the harness computes
 * from the hosts' view, not from the core's tables.
 */
#include <stdlib.h>
#include <string.h>

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

/* At the root, which knows every record, the path between any two other
 * nodes (mcc route DEST SOURCE) is a shortest path of the active tree,
 * step by step a chain of parent / child edges. */
static void test_route_between_others_at_the_root(void) {
  size_t n = 31;
  harness *h = harness_new(n, 300, NULL);
  for (size_t i = 1; i < n; i++) {
    size_t p = (i - 1) / 2;
    harness_set_parents(h, i, &p, 1);
  }
  harness_start(h);
  harness_run_for(h, 10 * HARNESS_S);
  mcc_node *root = harness_node(h, 0);
  unsigned bad = 0;
  for (size_t s = 1; s < n; s++)
    for (size_t d = 1; d < n; d++) {
      mcc_route r;
      int rv = mcc_node_route_from(root, harness_id(h, s), harness_id(h, d), &r);
      if (s == d) {
        bad += rv != MCC_ERR_INVALID_ARGUMENT;
        continue;
      }
      if (rv != 0 || (int)r.hops_len != harness_shortest(h, s, d)) {
        bad++;
        continue;
      }
      size_t at = s;
      for (size_t k = 0; k < r.hops_len; k++) {
        size_t next = harness_find(h, &r.hops[k]);
        int edge = next != SIZE_MAX &&
                   ((next - 1) / 2 == at || (at - 1) / 2 == next);
        bad += !edge;
        at = next;
      }
      bad += at != d;
    }
  CU_ASSERT_EQUAL(bad, 0);
  /* From this node itself it is mcc_node_route. */
  mcc_route a, b;
  CU_ASSERT_EQUAL(mcc_node_route_from(root, harness_id(h, 0), harness_id(h, 9), &a), 0);
  CU_ASSERT_EQUAL(mcc_node_route(root, harness_id(h, 9), &b), 0);
  CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
  /* A leaf knows only itself and its parent. */
  mcc_route r;
  CU_ASSERT_EQUAL(mcc_node_route_from(harness_node(h, 30), harness_id(h, 14),
                                      harness_id(h, 3), &r),
                  MCC_ERR_NO_ROUTE);
  harness_free(h);
}

void suite_route(void) {
  CU_pSuite s = CU_add_suite("route", NULL, NULL);
  ADD_TEST(s, test_route_between_others_at_the_root);
  ADD_TEST(s, test_route_random_trees);
  ADD_TEST(s, test_route_random_multi_parent_after_failures);
}
