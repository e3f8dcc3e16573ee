/*
 * test_sim_engine.c — the simulator's engine and measurements on small
 * generated topologies: determinism, link delay / rate / loss / MTU, cut
 * links, bootstrap, idle traffic, failover, and all-pairs routing.
 */
#include <string.h>

#include "engine.h"
#include "measure.h"
#include "suites.h"
#include "testutil.h"
#include "wire.h"

#define S 1000000000ull
#define MS 1000000ull

static sim_engine_config config(uint64_t seed) {
  sim_engine_config c;
  memset(&c, 0, sizeof c);
  c.seed = seed;
  mcc_settings_default(&c.base);
  c.link_defaults.delay_ns = 5 * MS;
  c.unix_start_s = 1790000000;
  return c;
}

static sim_engine *tree_engine_threads(sim_topology *t, unsigned depth,
                                       unsigned parents, uint64_t seed,
                                       int helper_threads) {
  char err[256];
  sim_topology_init(t);
  if (sim_topology_tree(t, 2, depth, parents, err, sizeof err) != 0)
    return NULL;
  sim_engine_config c = config(seed);
  c.helper_threads = helper_threads;
  sim_engine *e = NULL;
  if (sim_engine_new(&e, t, &c, err, sizeof err) != 0) return NULL;
  return e;
}

static sim_engine *tree_engine(sim_topology *t, unsigned depth,
                               unsigned parents, uint64_t seed) {
  return tree_engine_threads(t, depth, parents, seed, 0);
}

/* Worker threads (2 or 3 partitions, windows, out-boxes) change no byte:
 * the same events, counters and node statistics, through a failover. */
static void test_sim_engine_threads_change_nothing(void) {
  for (int extra = 1; extra <= 2; extra++) {
  sim_topology t1, t2;
  sim_engine *a = tree_engine_threads(&t1, 4, 2, 11, 0);
  sim_engine *b = tree_engine_threads(&t2, 4, 2, 11, extra);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  sim_engine_stat st;
  sim_engine_stats(b, &st);
  CU_ASSERT_EQUAL(st.partitions, (unsigned)extra + 1);
  CU_ASSERT_EQUAL(st.lookahead_ns, 5 * MS);
  sim_engine *both[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    sim_engine_run_until(both[k], 100 * S);
    sim_engine_kill(both[k], 1);
    sim_engine_run_until(both[k], 400 * S);
    sim_engine_revive(both[k], 1);
    sim_engine_run_until(both[k], 900 * S);
  }
  CU_ASSERT_EQUAL(sim_engine_events(a), sim_engine_events(b));
  size_t n = sim_engine_size(a);
  for (uint32_t i = 0; i < n; i++) {
    CU_ASSERT_EQUAL(memcmp(sim_engine_counters(a, i),
                           sim_engine_counters(b, i), sizeof(sim_counters)),
                    0);
    mcc_node_stats sa, sb;
    mcc_node_get_stats(sim_engine_node(a, i), &sa);
    mcc_node_get_stats(sim_engine_node(b, i), &sb);
    /* Only how often the cache answered may differ. */
    sa.cert_cache_hits = sb.cert_cache_hits = 0;
    CU_ASSERT_EQUAL(memcmp(&sa, &sb, sizeof sa), 0);
  }
  sim_engine_stats(b, &st);
  CU_ASSERT_TRUE(st.windows > 0);
  CU_ASSERT_EQUAL(st.events, sim_engine_events(b));
  sim_engine_free(a);
  sim_engine_free(b);
  sim_topology_free(&t1);
  sim_topology_free(&t2);
  }
}

/* A link of no delay between two partitions would leave windows of no
 * time: the engine runs one partition then. */
static void test_sim_engine_zero_delay_one_partition(void) {
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(&t, 2, 3, 1, err, sizeof err), 0);
  sim_engine_config c = config(3);
  c.link_defaults.delay_ns = 0;
  c.helper_threads = 1;
  sim_engine *e = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_engine_new(&e, &t, &c, err, sizeof err), 0);
  sim_engine_stat st;
  sim_engine_stats(e, &st);
  CU_ASSERT_EQUAL(st.partitions, 1);
  sim_engine_run_until(e, 60 * S);
  CU_ASSERT_TRUE(sim_engine_events(e) > 0);
  sim_engine_free(e);
  sim_topology_free(&t);
}

static void test_sim_engine_deterministic(void) {
  sim_topology t1, t2;
  sim_engine *a = tree_engine(&t1, 3, 2, 7), *b = tree_engine(&t2, 3, 2, 7);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  sim_engine_run_until(a, 600 * S);
  sim_engine_run_until(b, 600 * S);
  CU_ASSERT_EQUAL(sim_engine_events(a), sim_engine_events(b));
  for (uint32_t i = 0; i < 15; i++)
    CU_ASSERT_EQUAL(memcmp(sim_engine_counters(a, i),
                           sim_engine_counters(b, i), sizeof(sim_counters)),
                    0);
  /* Another seed: other keys, other random bytes, other traffic sizes
   * nowhere, but other ids. */
  sim_topology t3;
  sim_engine *c = tree_engine(&t3, 3, 2, 8);
  CU_ASSERT_NOT_EQUAL(memcmp(mcc_node_id(sim_engine_node(a, 0)),
                             mcc_node_id(sim_engine_node(c, 0)), 32),
                      0);
  sim_engine_free(a);
  sim_engine_free(b);
  sim_engine_free(c);
  sim_topology_free(&t1);
  sim_topology_free(&t2);
  sim_topology_free(&t3);
}

/* Two nodes: the link's delay and rate show in when the parent is up. */
static uint64_t join_time(sim_link_params p) {
  sim_topology t;
  char err[256];
  sim_topology_init(&t);
  sim_topology_linear(&t, 2, err, sizeof err);
  sim_engine_config c = config(1);
  c.link_defaults = p;
  sim_engine *e = NULL;
  if (sim_engine_new(&e, &t, &c, err, sizeof err) != 0) return 0;
  uint64_t at = 0;
  for (uint64_t now = 0; now < 10 * S; now += MS) {
    sim_engine_run_until(e, now);
    if (mcc_node_parent(sim_engine_node(e, 1), NULL, NULL) == 0) {
      at = now;
      break;
    }
  }
  sim_engine_free(e);
  sim_topology_free(&t);
  return at;
}

static void test_sim_engine_link_delay_and_rate(void) {
  sim_link_params p = {10 * MS, 0, 0, 0, 0, SIM_MODEL_P2P};
  /* HELLO there, HELLO_ACK back, the child's KEEPALIVE under the new keys
   * there (key confirmation), the parent's ROOT back: four delays. */
  CU_ASSERT_EQUAL(join_time(p), 40 * MS);
  p.delay_ns = 50 * MS;
  CU_ASSERT_EQUAL(join_time(p), 200 * MS);
  /* 9600 bit/s: HELLO (245 + 28 bytes), HELLO_ACK (235 + 28), KEEPALIVE
   * (21 + 28) and ROOT (59 + 28) take 227.5, 219.2, 40.8 and 72.5 ms to
   * serialise; the child adopts the parent when the ROOT is in. */
  p.delay_ns = 0;
  p.rate_bps = 9600;
  uint64_t t = join_time(p);
  CU_ASSERT(t >= 558 * MS && t <= 562 * MS);
}

static void test_sim_engine_loss_mtu_and_cut(void) {
  sim_topology t;
  char err[256];
  sim_topology_init(&t);
  sim_topology_linear(&t, 2, err, sizeof err);
  sim_engine_config c = config(3);
  c.link_defaults.loss = 1.0; /* nothing arrives */
  sim_engine *e = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_engine_new(&e, &t, &c, err, sizeof err), 0);
  sim_engine_run_until(e, 60 * S);
  CU_ASSERT_NOT_EQUAL(mcc_node_parent(sim_engine_node(e, 1), NULL, NULL), 0);
  CU_ASSERT(sim_engine_counters(e, 1)->datagrams_sent > 0);
  CU_ASSERT_EQUAL(sim_engine_counters(e, 0)->datagrams_received, 0);
  sim_engine_free(e);
  c.link_defaults.loss = 0;
  c.link_defaults.mtu = 200; /* a HELLO (273 wire bytes) does not fit */
  CU_ASSERT_EQUAL_FATAL(sim_engine_new(&e, &t, &c, err, sizeof err), 0);
  sim_engine_run_until(e, 60 * S);
  CU_ASSERT_NOT_EQUAL(mcc_node_parent(sim_engine_node(e, 1), NULL, NULL), 0);
  sim_engine_free(e);
  c.link_defaults.mtu = 0;
  CU_ASSERT_EQUAL_FATAL(sim_engine_new(&e, &t, &c, err, sizeof err), 0);
  sim_engine_run_until(e, 10 * S);
  CU_ASSERT_EQUAL(mcc_node_parent(sim_engine_node(e, 1), NULL, NULL), 0);
  CU_ASSERT_EQUAL(sim_engine_set_link(e, 0, 1, 0), 0);
  CU_ASSERT_EQUAL(sim_engine_set_link(e, 0, 0, 0), MCC_ERR_NO_LINK);
  sim_engine_run_until(e, 120 * S); /* three keep-alives unanswered */
  CU_ASSERT_NOT_EQUAL(mcc_node_parent(sim_engine_node(e, 1), NULL, NULL), 0);
  sim_engine_set_link(e, 0, 1, 1);
  sim_engine_run_until(e, 200 * S);
  CU_ASSERT_EQUAL(mcc_node_parent(sim_engine_node(e, 1), NULL, NULL), 0);
  sim_engine_free(e);
  sim_topology_free(&t);
}

static void test_sim_engine_measures_a_tree(void) {
  sim_topology t;
  sim_engine *e = tree_engine(&t, 3, 2, 11);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  sim_measure *m = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_measure_new(&m, e, &t, 11), 0);
  uint64_t now = 0;
  while (!sim_measure_bootstrap_check(m) && now < 60 * S)
    sim_engine_run_until(e, now += S);
  CU_ASSERT(now < 5 * S);
  sim_engine_run_until(e, 60 * S);
  sim_measure_idle_begin(m);
  sim_engine_run_until(e, 3660 * S);
  sim_measure_idle_end(m);
  sim_measure_ping(m, 1000);
  sim_engine_run_until(e, sim_engine_now(e) + 5 * S);
  /* Node 1's subtree (3, 4, 7..10) fails over to node 2. */
  sim_engine_kill(e, 1);
  sim_measure_on_kill(m, 1);
  now = sim_engine_now(e);
  while (sim_measure_failover_check(m)) sim_engine_run_until(e, now += S);
  sim_measure_ping(m, 1000);
  /* Pings do not wait: their packets are counted as they arrive. */
  sim_engine_run_until(e, sim_engine_now(e) + 5 * S);
  sim_metrics out;
  sim_measure_finish(m, &out);
  /* A leaf: one keep-alive exchange (98 wire bytes) every 30 s. */
  CU_ASSERT_DOUBLE_EQUAL(out.idle_leaf, 98.0 * 2880, 1);
  CU_ASSERT_EQUAL(out.routing_pairs, 15 * 14 + 14 * 13);
  CU_ASSERT_EQUAL(out.routing_delivered, out.routing_pairs);
  CU_ASSERT_EQUAL(out.routing_optimal, out.routing_pairs);
  CU_ASSERT_EQUAL(out.routing_loops, 0);
  CU_ASSERT_EQUAL(out.failover_events, 1);
  CU_ASSERT(out.failover_max_s > 0 && out.failover_max_s <= 90);
  CU_ASSERT_EQUAL(out.failover_unrecovered, 0);
  CU_ASSERT_EQUAL(out.overhead_p64_steady, 39);
  CU_ASSERT_EQUAL(out.overhead_p1000_steady, 39);
  CU_ASSERT_EQUAL(out.overhead_p64_first, 39 + 264 + 28 + 256 + 28);
  sim_measure_free(m);
  sim_engine_free(e);
  sim_topology_free(&t);
}

void suite_sim_engine(void) {
  CU_pSuite s = CU_add_suite("sim_engine", NULL, NULL);
  ADD_TEST(s, test_sim_engine_deterministic);
  ADD_TEST(s, test_sim_engine_threads_change_nothing);
  ADD_TEST(s, test_sim_engine_zero_delay_one_partition);
  ADD_TEST(s, test_sim_engine_link_delay_and_rate);
  ADD_TEST(s, test_sim_engine_loss_mtu_and_cut);
  ADD_TEST(s, test_sim_engine_measures_a_tree);
}
