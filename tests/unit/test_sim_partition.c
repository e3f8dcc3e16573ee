/*
 * test_sim_partition.c — nodes to partitions (sim/partition.c): every
 * node gets one, parts are about equal, a tree is cut into whole subtrees
 * (few first-parent links cross), cycles of first parents are reached,
 * fewer nodes than partitions give fewer partitions, and a star (one node
 * with most of the work) gives one.
 */
#include <stdlib.h>

#include "partition.h"
#include "suites.h"
#include "testutil.h"

/* First-parent (order 0) links whose ends are in different partitions. */
static size_t crossing(const sim_topology *t, const uint32_t *part) {
  size_t n = 0;
  for (size_t k = 0; k < t->nedges; k++)
    if (t->edges[k].order == 0 &&
        part[t->edges[k].child] != part[t->edges[k].parent])
      n++;
  return n;
}

static void test_sim_partition_tree(void) {
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(&t, 10, 4, 2, err, sizeof err), 0);
  uint32_t *part = malloc(t.nnodes * sizeof *part);
  CU_ASSERT_PTR_NOT_NULL_FATAL(part);
  for (unsigned want = 1; want <= 4; want++) {
    CU_ASSERT_EQUAL(sim_partition(&t, want, part), (int)want);
    size_t size[4] = {0};
    for (size_t i = 0; i < t.nnodes; i++) {
      CU_ASSERT_TRUE(part[i] < want);
      if (part[i] < want) size[part[i]]++;
    }
    for (unsigned k = 0; k < want; k++) {
      CU_ASSERT_TRUE(size[k] >= t.nnodes / want);
      CU_ASSERT_TRUE(size[k] <= t.nnodes / want + 1);
    }
    /* A cut through a depth-first order crosses, on each of the 4
     * levels above it, at most the links to the cut node's siblings (a
     * random split would cross half of the 11,110). */
    CU_ASSERT_TRUE(crossing(&t, part) <= 4 * 10 * (want - 1));
  }
  free(part);
  sim_topology_free(&t);
}

static void test_sim_partition_star_is_one(void) {
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_star(&t, 101, err, sizeof err), 0);
  uint32_t part[101];
  CU_ASSERT_EQUAL(sim_partition(&t, 2, part), 1);
  for (size_t i = 0; i < 101; i++) CU_ASSERT_EQUAL(part[i], 0);
  sim_topology_free(&t);
}

static void test_sim_partition_cycles_and_few_nodes(void) {
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_cyclic(&t, 9, err, sizeof err), 0);
  uint32_t part[9];
  CU_ASSERT_EQUAL(sim_partition(&t, 3, part), 3);
  size_t size[3] = {0};
  for (size_t i = 0; i < 9; i++)
    if (part[i] < 3) size[part[i]]++;
  CU_ASSERT_EQUAL(size[0] + size[1] + size[2], 9);
  CU_ASSERT_EQUAL(size[0], 3);
  sim_topology_free(&t);
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_linear(&t, 3, err, sizeof err), 0);
  /* Three nodes for eight partitions: three at most, and then a node
   * with a child is more than half a partition's work. */
  CU_ASSERT_EQUAL(sim_partition(&t, 8, part), 1);
  CU_ASSERT_EQUAL(part[0] + part[1] + part[2], 0);
  CU_ASSERT_EQUAL(sim_partition(&t, 1, part), 1);
  sim_topology_free(&t);
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_linear(&t, 8, err, sizeof err), 0);
  CU_ASSERT_EQUAL(sim_partition(&t, 2, part), 2);
  CU_ASSERT_NOT_EQUAL(part[0], part[7]);
  sim_topology_free(&t);
}

void suite_sim_partition(void) {
  CU_pSuite s = CU_add_suite("sim_partition", NULL, NULL);
  ADD_TEST(s, test_sim_partition_tree);
  ADD_TEST(s, test_sim_partition_star_is_one);
  ADD_TEST(s, test_sim_partition_cycles_and_few_nodes);
}
