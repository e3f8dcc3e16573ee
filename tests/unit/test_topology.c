/*
 * test_topology.c — whole networks of core nodes in the in-memory harness:
 * convergence, shortest-path routing, silence when idle, cycles, and
 * failover between parents.
 *
 *   tree of 15 (fanout 2)      chain of 6          cycle of 4
 *           0                  5->4->3->2->1->0    0->1->2->3->0
 *        1     2               (arrow: child -> parent)
 *       3 4   5 6
 *      7..14 under 3..6
 */
#include "harness.h"
#include "suites.h"
#include "testutil.h"
#include "wire.h"

static size_t live_known(mcc_node *node) {
  size_t n = 0;
  mcc_node_info info;
  for (size_t i = 0; i < mcc_node_known_count(node); i++)
    if (mcc_node_known_get(node, i, &info) == 0) n++;
  return n;
}

/* Every pair: delivered, on a shortest path, no loop. Returns failures. */
static unsigned check_all_pairs(harness *h) {
  unsigned bad = 0;
  size_t n = harness_size(h);
  for (size_t s = 0; s < n; s++)
    for (size_t d = 0; d < n; d++) {
      if (s == d || !harness_alive(h, s) || !harness_alive(h, d)) continue;
      int got = harness_follow_route(h, s, d, 64);
      int want = harness_shortest(h, s, d);
      if (got != want) {
        fprintf(stderr, "route %zu -> %zu: %d hops, shortest %d\n", s, d, got,
                want);
        bad++;
      }
    }
  return bad;
}

static uint64_t record_traffic(const harness *h) {
  return harness_wire_bytes(h, WIRE_UPDATE) +
         harness_wire_bytes(h, WIRE_UPDATE_ACK);
}

static void test_topology_tree15_converges_routes_and_goes_quiet(void) {
  harness *h = harness_new(15, 1, NULL);
  for (size_t i = 1; i < 15; i++) {
    size_t p = (i - 1) / 2;
    harness_set_parents(h, i, &p, 1);
  }
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 15);
  /* Every node knows its subtree: node 1 knows 1,3,4,7..10 = 7. */
  CU_ASSERT_EQUAL(live_known(harness_node(h, 1)), 7 + 1); /* + its parent */
  CU_ASSERT_EQUAL(live_known(harness_node(h, 7)), 1 + 1);
  CU_ASSERT_EQUAL(check_all_pairs(h), 0);

  harness_reset_counters(h);
  harness_run_for(h, 10 * 60 * HARNESS_S);
  CU_ASSERT_EQUAL(record_traffic(h), 0);
  /* The network was not simply silent: 14 links kept alive, 20 rounds. */
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_KEEPALIVE), 14 * 20);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_KEEPALIVE_ACK), 14 * 20);
  CU_ASSERT_EQUAL(harness_wire_bytes(h, 0),
                  14 * 20 * 2 * (WIRE_KEEPALIVE_LEN + 28));
  CU_ASSERT_EQUAL(check_all_pairs(h), 0);
  harness_free(h);
}

static void test_topology_chain6_all_pairs_bounded_updates(void) {
  harness *h = harness_new(6, 2, NULL);
  for (size_t i = 1; i < 6; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 6);
  CU_ASSERT_EQUAL(check_all_pairs(h), 0);
  /* Each node's record climbs once per ancestor; a record may be announced
   * twice (before and after its node learns its parent's id). */
  uint64_t updates = harness_datagrams(h, WIRE_UPDATE);
  CU_ASSERT(updates > 0);
  CU_ASSERT(updates <= 2 * (5 + 4 + 3 + 2 + 1));
  harness_reset_counters(h);
  harness_run_for(h, 10 * 60 * HARNESS_S);
  CU_ASSERT_EQUAL(record_traffic(h), 0);
  harness_free(h);
}

/* A ring of four with no root (each node's only parent is the next one):
 * no node may take a parent whose position is not strictly better than its
 * own best (rooting.c), so the ring cannot close. Each node, finding no
 * root, tops an island; island tops join islands of a larger root id, and
 * the ring becomes one chain under the largest id, with no cycle. */
static size_t active_parent(harness *h, size_t i);

static void test_topology_cycle4_no_loops_bounded_updates(void) {
  harness *h = harness_new(4, 3, NULL);
  for (size_t i = 0; i < 4; i++) {
    size_t p = (i + 1) % 4;
    harness_set_parents(h, i, &p, 1);
  }
  harness_start(h);
  harness_run_for(h, 3 * 60 * HARNESS_S);
  size_t tops = 0, top = 0;
  for (size_t i = 0; i < 4; i++) {
    if (active_parent(h, i) != SIZE_MAX) continue;
    tops++;
    top = i;
  }
  CU_ASSERT_EQUAL(tops, 1);
  CU_ASSERT_EQUAL(live_known(harness_node(h, top)), 4);
  for (size_t i = 0; i < 4; i++) { /* the chain climbs to the top */
    size_t at = i, hops = 0;
    while (at != top && at != SIZE_MAX && hops++ < 4) at = active_parent(h, at);
    CU_ASSERT_EQUAL(at, top);
  }
  CU_ASSERT_EQUAL(check_all_pairs(h), 0);
  /* Each record climbs the chain once per island merge: bounded. */
  uint64_t updates = harness_datagrams(h, WIRE_UPDATE);
  CU_ASSERT(updates > 0);
  CU_ASSERT(updates <= 4 * 4 * 3);
  harness_reset_counters(h);
  harness_run_for(h, 10 * 60 * HARNESS_S);
  CU_ASSERT_EQUAL(record_traffic(h), 0);
  harness_free(h);
}

static size_t active_parent(harness *h, size_t i) {
  mcc_addr a;
  if (!harness_alive(h, i) || mcc_node_parent(harness_node(h, i), NULL, &a))
    return SIZE_MAX;
  return harness_find_addr(&a);
}

/*   root 0 <- P1 1, P2 2;  child 3 with parents [1, 2];  grandchild 4 -> 3 */
static void test_topology_failover_and_rejoin(void) {
  harness *h = harness_new(5, 4, NULL);
  size_t root = 0, p[2] = {1, 2}, c = 3;
  harness_set_parents(h, 1, &root, 1);
  harness_set_parents(h, 2, &root, 1);
  harness_set_parents(h, 3, p, 2);
  harness_set_parents(h, 4, &c, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(active_parent(h, 3), 1);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 4, 64), 3);

  const uint64_t period = 30 * HARNESS_S;
  harness_run_for(h, 17 * HARNESS_S); /* die between two keep-alives */
  uint64_t killed = harness_now(h);
  harness_kill(h, 1);
  while (active_parent(h, 3) != 2 && harness_now(h) < killed + 4 * period)
    harness_run_for(h, 100 * HARNESS_MS);
  uint64_t switched = harness_now(h) - killed;
  fprintf(stderr, "failover after %.1f s\n", (double)switched / 1e9);
  CU_ASSERT_EQUAL(active_parent(h, 3), 2);
  CU_ASSERT(switched <= 3 * period);
  harness_run_for(h, 1 * HARNESS_S);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 3, 64), 2);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 4, 64), 3);
  CU_ASSERT_EQUAL(harness_follow_route(h, 4, 2, 64), 2);

  harness_run_for(h, 13 * HARNESS_S);
  uint64_t revived = harness_now(h);
  harness_revive(h, 1);
  const uint64_t rejoin = 60 * HARNESS_S;
  while (active_parent(h, 3) != 1 && harness_now(h) < revived + 3 * rejoin)
    harness_run_for(h, 100 * HARNESS_MS);
  uint64_t back = harness_now(h) - revived;
  fprintf(stderr, "returned to the first parent after %.1f s\n",
          (double)back / 1e9);
  CU_ASSERT_EQUAL(active_parent(h, 3), 1);
  CU_ASSERT(back <= rejoin + period);
  harness_run_for(h, 2 * HARNESS_S);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 4, 64), 3);
  CU_ASSERT_EQUAL(harness_follow_route(h, 2, 4, 64), 4);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 5);
  /* P2 was told goodbye: it no longer lists 3 or 4. */
  CU_ASSERT_EQUAL(live_known(harness_node(h, 2)), 1 + 1);
  CU_ASSERT_EQUAL(check_all_pairs(h), 0);
  harness_free(h);
}

/* A dead leaf's record is withdrawn up the tree when its link times out. */
static void test_topology_vanished_node_expires(void) {
  harness *h = harness_new(4, 5, NULL);
  for (size_t i = 1; i < 4; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 4);
  harness_kill(h, 3);
  harness_run_for(h, 4 * 30 * HARNESS_S + 5 * HARNESS_S);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 3);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 1)), 2 + 1);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 3, 64), -2);
  harness_free(h);
}

/* Network 1's node cannot join network 0's parent unless trusted. */
static void test_topology_untrusted_network_isolated(void) {
  harness *h = harness_new(3, 6, NULL);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  harness_set_parents(h, 2, &root, 1);
  harness_set_network(h, 2, 1);
  harness_trust_network(h, 2, 0); /* 2 trusts 0, but 0 does not trust 2 */
  harness_start(h);
  harness_run_for(h, 60 * HARNESS_S);
  CU_ASSERT_EQUAL(active_parent(h, 1), 0);
  CU_ASSERT_EQUAL(active_parent(h, 2), SIZE_MAX);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 2);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 2, 64), -2);
  harness_free(h);

  h = harness_new(3, 6, NULL);
  harness_set_parents(h, 1, &root, 1);
  harness_set_parents(h, 2, &root, 1);
  harness_set_network(h, 2, 1);
  harness_trust_network(h, 2, 0);
  harness_trust_network(h, 0, 1); /* trusted-networks on the parent */
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(active_parent(h, 2), 0);
  CU_ASSERT_EQUAL(live_known(harness_node(h, 0)), 3);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 2, 64), 1);
  harness_free(h);
}

void suite_topology(void) {
  CU_pSuite s = CU_add_suite("topology", NULL, NULL);
  ADD_TEST(s, test_topology_tree15_converges_routes_and_goes_quiet);
  ADD_TEST(s, test_topology_chain6_all_pairs_bounded_updates);
  ADD_TEST(s, test_topology_cycle4_no_loops_bounded_updates);
  ADD_TEST(s, test_topology_failover_and_rejoin);
  ADD_TEST(s, test_topology_vanished_node_expires);
  ADD_TEST(s, test_topology_untrusted_network_isolated);
}
