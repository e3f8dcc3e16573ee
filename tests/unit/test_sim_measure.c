/*
 * test_sim_measure.c — the simulator's metrics against hand-counted cases
 * on tiny topologies (each drawn above its test): flows and pings counted
 * by delivery events, failovers that respect link state, leaf kills,
 * overlapping failovers losing each packet once, trust in reachability,
 * the hop limit, MTU drops, undetermined metrics, the cost estimate, and
 * the tunnels.* classes with the flow numbers that keep packets apart.
 */
#include <math.h>
#include <string.h>

#include "cost.h"
#include "engine.h"
#include "measure.h"
#include "metrics.h"
#include "scenario.h"
#include "suites.h"
#include "testutil.h"

#define S 1000000000ull
#define MS 1000000ull

typedef struct fixture {
  sim_topology t;
  sim_engine *e;
  sim_measure *m;
} fixture;

/* A linear chain n0 <- n1 <- ... (n0 the root), booted and settled. */
static int start(fixture *f, unsigned n, uint64_t delay, uint32_t mtu,
                 int network_of_n1) {
  char err[256];
  memset(f, 0, sizeof *f);
  sim_topology_init(&f->t);
  if (sim_topology_linear(&f->t, n, err, sizeof err) != 0) return -1;
  if (network_of_n1 >= 0) f->t.nodes[1].network = network_of_n1;
  sim_engine_config c;
  memset(&c, 0, sizeof c);
  c.seed = 5;
  mcc_settings_default(&c.base);
  c.link_defaults.delay_ns = delay;
  c.link_defaults.mtu = mtu;
  c.unix_start_s = 1790000000;
  if (sim_engine_new(&f->e, &f->t, &c, err, sizeof err) != 0) return -1;
  if (sim_measure_new(&f->m, f->e, &f->t, 5) != 0) return -1;
  sim_engine_run_until(f->e, 60 * S);
  return 0;
}

static void stop(fixture *f) {
  sim_measure_free(f->m);
  sim_engine_free(f->e);
  sim_topology_free(&f->t);
}

/* A UDP flow to n0 as sim_engine_send sends it (ports 10000 + flow ->
 * 20000). */
static const sim_flow_desc to_n0_udp = {0, 17, 20000, 0};

/* n0 <- n1 <- n2: five packets from n2 to n0, one a second, no ping ever:
 * five sent, five delivered. */
static void test_sim_measure_flows_counted_by_events(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  uint32_t id = sim_measure_flow_add(f.m, &to_n0_udp);
  for (uint32_t q = 0; q < 5; q++) {
    sim_measure_flow_sent(f.m, id, q, SIM_PKT_PLAIN);
    sim_engine_send(f.e, 2, 0, 17, 64, id, q);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + S);
  }
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.flows_sent, 5);
  CU_ASSERT_EQUAL(out.flows_delivered, 5);
  CU_ASSERT_EQUAL(out.failover_lost_packets, 0);
  stop(&f);
}

/* Payloads too small for the 4-byte sequence: UDP size 0, TCP size 1
 * (sequence in the TCP header), ICMP size 2 (16-bit echo sequence); three
 * packets each from n2 to n0, all counted. */
static void test_sim_measure_tiny_payloads(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  static const int proto[3] = {17, 6, 1};
  uint32_t id[3];
  for (int k = 0; k < 3; k++) {
    sim_flow_desc d = {0, proto[k], proto[k] == 1 ? 0 : 20000, 0};
    id[k] = sim_measure_flow_add(f.m, &d);
  }
  for (uint32_t q = 0; q < 3; q++) {
    for (int k = 0; k < 3; k++) {
      sim_measure_flow_sent(f.m, id[k], q, SIM_PKT_PLAIN);
      sim_engine_send(f.e, 2, 0, proto[k], (size_t)k, id[k], q);
    }
    sim_engine_run_until(f.e, sim_engine_now(f.e) + S);
  }
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.flows_sent, 9);
  CU_ASSERT_EQUAL(out.flows_delivered, 9);
  stop(&f);
}

/* A sample of 5 of the 6 pairs of 3 nodes is 5 distinct pairs: each node
 * receives at most 2 of the packets (from its 2 peers), 5 in all. Drawn
 * with replacement, a pair could come twice and a node get 3. */
static void test_sim_measure_sample_without_repeats(void) {
  for (unsigned run = 0; run < 8; run++) {
    fixture f;
    CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
    for (unsigned k = 0; k < run; k++) sim_measure_ping(f.m, 1); /* new draws */
    sim_engine_run_until(f.e, sim_engine_now(f.e) + 10 * S);
    uint64_t before[3];
    for (uint32_t i = 0; i < 3; i++) {
      mcc_node_stats st;
      mcc_node_get_stats(sim_engine_node(f.e, i), &st);
      before[i] = st.packets_delivered;
    }
    sim_measure_ping(f.m, 5);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + 10 * S);
    uint64_t total = 0;
    for (uint32_t i = 0; i < 3; i++) {
      mcc_node_stats st;
      mcc_node_get_stats(sim_engine_node(f.e, i), &st);
      uint64_t got = st.packets_delivered - before[i];
      CU_ASSERT(got <= 2);
      total += got;
    }
    CU_ASSERT_EQUAL(total, 5);
    stop(&f);
  }
}

/* n0 <- n1 <- n2: all 6 pairs pinged. The ping does not move the clock;
 * finished at once, all 6 are pending: undelivered, reason "lost" (the
 * walk arrives). Pinged again and given 5 s, all 6 are delivered. */
static void test_sim_measure_ping_does_not_wait(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  uint64_t before = sim_engine_now(f.e);
  sim_measure_ping(f.m, SIZE_MAX);
  CU_ASSERT_EQUAL(sim_engine_now(f.e), before);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.routing_pairs, 6);
  CU_ASSERT_EQUAL(out.routing_reachable, 6);
  CU_ASSERT_EQUAL(out.routing_optimal, 6);
  CU_ASSERT_EQUAL(out.routing_delivered, 0);
  CU_ASSERT_EQUAL(out.undelivered_lost, 6);
  CU_ASSERT_EQUAL(out.flows_sent, 0);
  CU_ASSERT_EQUAL(out.flows_delivered, 0);
  stop(&f);

  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  sim_measure_ping(f.m, SIZE_MAX);
  sim_engine_run_until(f.e, sim_engine_now(f.e) + 5 * S);
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.routing_delivered, 6);
  CU_ASSERT_EQUAL(out.undelivered_lost, 0);
  CU_ASSERT_EQUAL(out.flows_delivered, 0); /* pings are not flows */
  stop(&f);
}

/* n0 <- n1 over a 2 s link: the first ping takes 6 s (handshake there and
 * back, then the packet), and is still credited to its ping. */
static void test_sim_measure_slow_ping_credited(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 2, 2 * S, 1500, -1), 0);
  sim_measure_ping_pair(f.m, 1, 0);
  sim_engine_run_until(f.e, sim_engine_now(f.e) + 5 * S);
  sim_metrics mid;
  sim_measure_current(f.m, &mid);
  CU_ASSERT_EQUAL(mid.routing_delivered, 0); /* not yet after 5 s */
  sim_engine_run_until(f.e, sim_engine_now(f.e) + 5 * S);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.routing_pairs, 1);
  CU_ASSERT_EQUAL(out.routing_delivered, 1);
  CU_ASSERT_EQUAL(out.flows_delivered, 0);
  stop(&f);
}

/* n0 <- n1 <- n2, the link n1 - n0 cut for 300 s: n1 and n2 are cut off
 * all that time, so the failover lasts at least 300 s. Killing the leaf
 * n2 afterwards is no failover. */
static void test_sim_measure_cut_isolates(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  sim_measure_on_cut(f.m, 1, 0);
  sim_engine_set_link(f.e, 1, 0, 0);
  uint64_t t0 = sim_engine_now(f.e), now = t0;
  int pending = 1;
  while (now < t0 + 300 * S) {
    sim_engine_run_until(f.e, now += S);
    pending = sim_measure_failover_check(f.m);
    CU_ASSERT_TRUE(pending);
    if (!pending) break;
  }
  sim_engine_set_link(f.e, 1, 0, 1);
  while (pending && now < t0 + 3600 * S) {
    sim_engine_run_until(f.e, now += S);
    pending = sim_measure_failover_check(f.m);
  }
  CU_ASSERT_FALSE(pending);
  sim_engine_kill(f.e, 2);
  sim_measure_on_kill(f.m, 2);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.failover_events, 1);
  CU_ASSERT(out.failover_max_s >= 300);
  CU_ASSERT_EQUAL(out.failover_unrecovered, 0);
  stop(&f);
}

/* n0 <- n1 <- n2 <- n3, a flow from n3 to n0, one packet a second. The
 * link n2 - n1 is cut, a second later n2 dies: two overlapping failovers,
 * neither recovers. Ten packets are sent meanwhile and lost: 10, not 19. */
static void test_sim_measure_lost_once(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 4, 5 * MS, 1500, -1), 0);
  uint32_t id = sim_measure_flow_add(f.m, &to_n0_udp);
  sim_measure_on_cut(f.m, 2, 1);
  sim_engine_set_link(f.e, 2, 1, 0);
  for (uint32_t q = 0; q < 10; q++) {
    if (q == 1) {
      sim_engine_kill(f.e, 2);
      sim_measure_on_kill(f.m, 2);
    }
    sim_measure_flow_sent(f.m, id, q, SIM_PKT_PLAIN);
    sim_engine_send(f.e, 3, 0, 17, 64, id, q);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + S);
  }
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.failover_events, 2);
  CU_ASSERT_EQUAL(out.failover_unrecovered, 2);
  CU_ASSERT_EQUAL(out.flows_sent, 10);
  CU_ASSERT_EQUAL(out.flows_delivered, 0);
  CU_ASSERT_EQUAL(out.failover_lost_packets, 10);
  stop(&f);
}

/* n0 <- n1 <- n2 with n1 in network 1, which n0 and n2 do not trust: the
 * four pairs with n1 are forbidden; n0 and n2 may talk, but their only
 * path crosses n1, so they are not reachable. */
static void test_sim_measure_reachable_respects_trust(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, 1), 0);
  sim_measure_ping(f.m, SIZE_MAX);
  sim_engine_run_until(f.e, sim_engine_now(f.e) + 5 * S);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.routing_forbidden_pairs, 4);
  CU_ASSERT_EQUAL(out.routing_forbidden_delivered, 0);
  CU_ASSERT_EQUAL(out.routing_pairs, 2);
  CU_ASSERT_EQUAL(out.routing_reachable, 0);
  CU_ASSERT_EQUAL(out.routing_delivered, 0);
  CU_ASSERT_EQUAL(out.routing_loops, 0);
  stop(&f);
}

/* A chain of 70: its ends are 69 hops apart, past the old 64-hop walk,
 * within MCC_HOP_LIMIT: delivered on the shortest path, no loop. */
static void test_sim_measure_long_path_no_loop(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 70, 1 * MS, 1500, -1), 0);
  sim_measure_ping_pair(f.m, 69, 0);
  sim_measure_ping_pair(f.m, 0, 69);
  sim_engine_run_until(f.e, sim_engine_now(f.e) + 5 * S);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.routing_pairs, 2);
  CU_ASSERT_EQUAL(out.routing_loops, 0);
  CU_ASSERT_EQUAL(out.undelivered_hop_limit, 0);
  CU_ASSERT_EQUAL(out.routing_optimal, 2);
  CU_ASSERT_EQUAL(out.routing_delivered, 2);
  stop(&f);
}

/* n0 <- n1 on a 576-byte link: the 1000-byte probe cannot cross, so
 * p1000 is undetermined (not 1000 bytes negative), and the drop counted;
 * the 64-byte probes fit: 39 bytes. */
static void test_sim_measure_small_mtu(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 2, 5 * MS, 576, -1), 0);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  CU_ASSERT_EQUAL(out.overhead_p64_steady, 39);
  CU_ASSERT_TRUE(isnan(out.overhead_p1000_steady));
  CU_ASSERT_EQUAL(sim_engine_dropped_mtu(f.e), 1);
  const char *why = sim_metrics_undetermined(&out, "overhead.p1000_steady");
  CU_ASSERT_PTR_NOT_NULL_FATAL(why);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "MTU"));
  CU_ASSERT_PTR_NULL(sim_metrics_undetermined(&out, "overhead.p64_steady"));
  stop(&f);
}

/* bootstrap_s never reached: undetermined, null in JSON, and no
 * comparison holds. */
static void test_sim_measure_undetermined(void) {
  sim_metrics m;
  memset(&m, 0, sizeof m);
  m.bootstrap_s = NAN;
  CU_ASSERT_STRING_EQUAL(sim_metrics_undetermined(&m, "bootstrap_s"),
                         "not determined (never reached)");
  CU_ASSERT_PTR_NULL(sim_metrics_undetermined(&m, "nodes"));
  sim_expectation x = {"bootstrap_s", SIM_OP_LT, NULL, 30, "", 1};
  for (int op = SIM_OP_LT; op <= SIM_OP_NE; op++) {
    x.op = (sim_expect_op)op;
    CU_ASSERT_FALSE(sim_expect_eval(&x, m.bootstrap_s, 30));
  }
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  sim_metrics_write_json(&m, f);
  fclose(f);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"bootstrap_s\": null,"));
}

static int cost_of(const char *text, uint64_t nodes, double mem, char *err,
                   size_t errlen) {
  sim_scenario sc;
  if (sim_scenario_parse(&sc, "x.scn", text, strlen(text), err, errlen) != 0)
    return 1;
  int rv = sim_cost_check(&sc, nodes ? nodes
                                     : sim_cost_generated_nodes(&sc.topo),
                          30 * S, mem, NULL, err, errlen);
  sim_scenario_free(&sc);
  return rv;
}

/* The cost estimate: 16,777,216 nodes need 96 GiB at 6 KiB a node; a flow
 * every nanosecond for an hour is 3.6e12 packets; both are refused with
 * the line and the figure. A small run passes. */
/* One UDP packet of 64 bytes of flow id from src to `to`, with ports,
 * counted as cls. */
static void send_as(fixture *f, uint32_t src, const mcc_id *to, uint32_t id,
                    uint32_t q, uint16_t sport, uint16_t dport,
                    sim_pkt_class cls) {
  sim_measure_flow_sent(f->m, id, q, cls);
  sim_engine_send_to(f->e, src, to, 17, 64, id, q, sport, dport);
}

/* n0 <- n1 <- n2, nodes allowed to talk (version 1), a tunnel from n2
 * (client) to n0 (server) offering udp:7000. Three packets a flow: in the
 * tunnel and the server's answers arrive and count in tunnels.*; another
 * port is denied; node to node is plain. Once the tunnel is revoked at
 * both ends, its packets (classed revoked) arrive no more. */
static void test_sim_measure_tunnels(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 3, 5 * MS, 1500, -1), 0);
  static const mcc_tunnel_target t7000 = {17, 7000, 7000};
  uint32_t tn;
  CU_ASSERT_EQUAL_FATAL(
      sim_engine_tunnel_new(f.e, "cam", 2, 0, &t7000, 1, 1, &tn), 0);
  const mcc_id *server = sim_engine_tunnel_endpoint(f.e, tn, 1);
  const mcc_id *client = sim_engine_tunnel_endpoint(f.e, tn, 0);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(sim_engine_node(f.e, 0)), 1);
  sim_flow_desc in = {0, 17, 7000, 0}, back = {2, 17, 7000, 1};
  sim_flow_desc wrong = {0, 17, 7001, 0};
  uint32_t fi = sim_measure_flow_add(f.m, &in);
  uint32_t fb = sim_measure_flow_add(f.m, &back);
  uint32_t fw = sim_measure_flow_add(f.m, &wrong);
  uint32_t fn = sim_measure_flow_add(f.m, &to_n0_udp);
  for (uint32_t q = 0; q < 6; q++) {
    if (q == 3) sim_engine_tunnel_set(f.e, tn, 3, 0);
    sim_pkt_class c = q < 3 ? SIM_PKT_TUNNEL : SIM_PKT_REVOKED;
    send_as(&f, 2, server, fi, q, (uint16_t)(10000 + fi), 7000, c);
    send_as(&f, 0, client, fb, q, 7000, (uint16_t)(10000 + fb), c);
    send_as(&f, 2, server, fw, q, (uint16_t)(10000 + fw), 7001,
            SIM_PKT_DENIED);
    send_as(&f, 2, sim_engine_node_id(f.e, 0), fn, q, (uint16_t)(10000 + fn),
            20000, SIM_PKT_PLAIN);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + S);
  }
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(sim_engine_node(f.e, 0)), 0);
  sim_metrics out;
  sim_measure_finish(f.m, &out);
  static const struct {
    const char *name;
    double value;
  } want[] = {
      {"tunnels.sent", 6},         {"tunnels.delivered", 6},
      {"tunnels.revoked_sent", 6}, {"tunnels.revoked_delivered", 0},
      {"tunnels.denied_sent", 6},  {"tunnels.denied_delivered", 0},
      {"flows.sent", 24},          {"flows.delivered", 12},
  };
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    double v = -1;
    CU_ASSERT_TRUE(sim_metrics_get(&out, want[k].name, &v));
    CU_ASSERT_EQUAL(v, want[k].value);
  }
  stop(&f);
}

/* A flow number that would make two flows' packets read alike is left
 * unused: forward flow 0 to n0 on port 10001 and a reply to n0 from port
 * 10000 would both be (10000 -> 10001) as flow 1. */
static void test_sim_measure_no_ambiguous_numbers(void) {
  fixture f;
  CU_ASSERT_EQUAL_FATAL(start(&f, 2, 5 * MS, 1500, -1), 0);
  sim_flow_desc a = {0, 17, 10001, 0}, b = {0, 17, 10000, 1};
  sim_flow_desc c = {0, 6, 10000, 1}; /* another protocol: no clash */
  CU_ASSERT_EQUAL(sim_measure_flow_add(f.m, &a), 0);
  CU_ASSERT_EQUAL(sim_measure_flow_add(f.m, &b), 2);
  CU_ASSERT_EQUAL(sim_measure_flow_add(f.m, &c), 3);
  stop(&f);
}

static void test_sim_measure_cost(void) {
  char err[512];
  double gib = 1024.0 * 1024 * 1024;
  CU_ASSERT_EQUAL(cost_of("duration 1m\ntopology star n=16777216\n", 0,
                          12 * gib, err, sizeof err),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "x.scn:2: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "96.0 GiB"));
  CU_ASSERT_EQUAL(cost_of("topology linear n=3\nduration 1h\nat 1m flow "
                          "start f from n0 to n2 udp every=1ns\n",
                          0, 12 * gib, err, sizeof err),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "x.scn:3: flow start: f"));
  CU_ASSERT_EQUAL(cost_of("topology linear n=3\nduration 2s\nat 1s flow "
                          "start f from n0 to n2 udp every=1ns\n",
                          0, 12 * gib, err, sizeof err),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "x.scn:3: the run would need about"));
  CU_ASSERT_EQUAL(cost_of("topology tree fanout=2 depth=3\nduration 1h\n"
                          "at 1m ping all\n",
                          0, 12 * gib, err, sizeof err),
                  0);
  /* 1,000,000 nodes for 1 h: 4.8e8 events, 5.7 GiB: fits in 12 GiB. */
  CU_ASSERT_EQUAL(cost_of("topology file x.dot\nduration 1h\n", 1000000,
                          12 * gib, err, sizeof err),
                  0);
}

void suite_sim_measure(void) {
  CU_pSuite s = CU_add_suite("sim_measure", NULL, NULL);
  ADD_TEST(s, test_sim_measure_flows_counted_by_events);
  ADD_TEST(s, test_sim_measure_tiny_payloads);
  ADD_TEST(s, test_sim_measure_ping_does_not_wait);
  ADD_TEST(s, test_sim_measure_sample_without_repeats);
  ADD_TEST(s, test_sim_measure_slow_ping_credited);
  ADD_TEST(s, test_sim_measure_cut_isolates);
  ADD_TEST(s, test_sim_measure_lost_once);
  ADD_TEST(s, test_sim_measure_reachable_respects_trust);
  ADD_TEST(s, test_sim_measure_long_path_no_loop);
  ADD_TEST(s, test_sim_measure_small_mtu);
  ADD_TEST(s, test_sim_measure_undetermined);
  ADD_TEST(s, test_sim_measure_cost);
  ADD_TEST(s, test_sim_measure_tunnels);
  ADD_TEST(s, test_sim_measure_no_ambiguous_numbers);
}
