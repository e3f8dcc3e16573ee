/*
 * metrics.h — the simulator's figures, with DESIGN.md's one definition of
 * each, under stable names: the keys of metrics.json and of `expect` lines.
 * metrics.json holds only what the run determines (so two runs with the
 * same scenario and seed give identical bytes); wall time and memory of
 * the simulator itself go to run.json.
 */
#ifndef MCC_SIM_METRICS_H
#define MCC_SIM_METRICS_H

#include <stdio.h>

typedef struct sim_metrics {
  double nodes, events, bootstrap_s, state_bytes_per_node;
  double idle_leaf, idle_root, idle_mean, idle_max, idle_window_s;
  double overhead_p64_steady, overhead_p64_first, overhead_p1000_steady;
  double failover_events, failover_max_s, failover_lost_packets,
      failover_unrecovered;
  double routing_pairs, routing_reachable, routing_delivered, routing_optimal,
      routing_loops,
      routing_forbidden_pairs, routing_forbidden_delivered;
  /* pairs not delivered by the end of the run, by reason (measure.c) */
  double undelivered_loop, undelivered_hop_limit, undelivered_no_route,
      undelivered_trust, undelivered_dead_node, undelivered_link_down,
      undelivered_mtu, undelivered_denied, undelivered_lost;
  double flows_sent, flows_delivered;
  /* restarts of a running flow's ends, the longest time until a packet
   * the flow sent after one was delivered, those never recovered */
  double sessions_recoveries, sessions_recovery_max_s, sessions_unrecovered;
  double links_dropped_mtu;
  /* user packets by what the tunnels must do with them (sim_pkt_class):
   * carry them, or stop them (revoked tunnels, flows no tunnel allows) */
  double tunnels_sent, tunnels_delivered, tunnels_revoked_sent,
      tunnels_revoked_delivered, tunnels_denied_sent,
      tunnels_denied_delivered;
  /* `resolve` events: questions asked, answered with the right node,
   * not (no such node, no root, timeout, still open at the end), the
   * longest wait for an answer, and the wire bytes of LOOKUP and
   * LOOKUP_REPLY datagrams over the run */
  double lookup_count, lookup_found, lookup_failed, lookup_max_s,
      lookup_bytes;
  /* A metric the run could not determine is NaN (null in metrics.json);
   * why, for the overhead probes (a static string, or NULL). */
  const char *overhead_why;
} sim_metrics;

/* The value of a metric by its name; 0 when the name is unknown. */
int sim_metrics_get(const sim_metrics *m, const char *name, double *value);
/* NULL when the metric has a value; else why it has none, as a phrase
 * such as "not determined (never reached)". */
const char *sim_metrics_undetermined(const sim_metrics *m, const char *name);
/* Every metric name, in metrics.json order; NULL past the end. */
const char *sim_metrics_name(size_t i);
/* Writes metrics.json (sorted, fixed formatting). */
void sim_metrics_write_json(const sim_metrics *m, FILE *f);

#endif
