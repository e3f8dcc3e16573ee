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
  double flows_sent, flows_delivered;
} sim_metrics;

/* The value of a metric by its name; 0 when the name is unknown. */
int sim_metrics_get(const sim_metrics *m, const char *name, double *value);
/* Every metric name, in metrics.json order; NULL past the end. */
const char *sim_metrics_name(size_t i);
/* Writes metrics.json (sorted, fixed formatting). */
void sim_metrics_write_json(const sim_metrics *m, FILE *f);

#endif
