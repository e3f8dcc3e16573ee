/*
 * metrics.c — names, lookup and JSON output of sim_metrics. One table maps
 * each name to its field, so metrics.json, `expect` lines and the summary
 * can never disagree about a name.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "metrics.h"

typedef struct metric_name {
  const char *name;
  size_t offset;
} metric_name;

#define M(name, field) {name, offsetof(sim_metrics, field)}

static const metric_name names[] = {
    M("bootstrap_s", bootstrap_s),
    M("events", events),
    M("failover.events", failover_events),
    M("failover.lost_packets", failover_lost_packets),
    M("failover.max_s", failover_max_s),
    M("failover.unrecovered", failover_unrecovered),
    M("flows.delivered", flows_delivered),
    M("flows.sent", flows_sent),
    M("idle.leaf_bytes_per_day", idle_leaf),
    M("idle.max_bytes_per_day", idle_max),
    M("idle.mean_bytes_per_day", idle_mean),
    M("idle.root_bytes_per_day", idle_root),
    M("idle.window_s", idle_window_s),
    M("links.dropped_mtu", links_dropped_mtu),
    M("lookup.bytes", lookup_bytes),
    M("lookup.count", lookup_count),
    M("lookup.failed", lookup_failed),
    M("lookup.found", lookup_found),
    M("lookup.max_s", lookup_max_s),
    M("nodes", nodes),
    M("overhead.p1000_steady", overhead_p1000_steady),
    M("overhead.p64_first", overhead_p64_first),
    M("overhead.p64_steady", overhead_p64_steady),
    M("routing.delivered", routing_delivered),
    M("routing.forbidden_delivered", routing_forbidden_delivered),
    M("routing.forbidden_pairs", routing_forbidden_pairs),
    M("routing.loops", routing_loops),
    M("routing.optimal", routing_optimal),
    M("routing.pairs", routing_pairs),
    M("routing.reachable", routing_reachable),
    M("routing.undelivered.dead_node", undelivered_dead_node),
    M("routing.undelivered.denied", undelivered_denied),
    M("routing.undelivered.hop_limit", undelivered_hop_limit),
    M("routing.undelivered.link_down", undelivered_link_down),
    M("routing.undelivered.loop", undelivered_loop),
    M("routing.undelivered.lost", undelivered_lost),
    M("routing.undelivered.mtu", undelivered_mtu),
    M("routing.undelivered.no_route", undelivered_no_route),
    M("routing.undelivered.trust", undelivered_trust),
    M("sessions.recoveries", sessions_recoveries),
    M("sessions.recovery_max_s", sessions_recovery_max_s),
    M("sessions.unrecovered", sessions_unrecovered),
    M("state_bytes_per_node", state_bytes_per_node),
    M("tunnels.delivered", tunnels_delivered),
    M("tunnels.denied_delivered", tunnels_denied_delivered),
    M("tunnels.denied_sent", tunnels_denied_sent),
    M("tunnels.revoked_delivered", tunnels_revoked_delivered),
    M("tunnels.revoked_sent", tunnels_revoked_sent),
    M("tunnels.sent", tunnels_sent),
};

const char *sim_metrics_name(size_t i) {
  return i < sizeof names / sizeof names[0] ? names[i].name : NULL;
}

int sim_metrics_get(const sim_metrics *m, const char *name, double *value) {
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i].name, name) == 0) {
      *value = *(const double *)((const char *)m + names[i].offset);
      return 1;
    }
  return 0;
}

const char *sim_metrics_undetermined(const sim_metrics *m, const char *name) {
  double v;
  if (!sim_metrics_get(m, name, &v) || !isnan(v)) return NULL;
  if (strcmp(name, "bootstrap_s") == 0)
    return "not determined (never reached)";
  if (strncmp(name, "overhead.", 9) == 0 && m->overhead_why)
    return m->overhead_why;
  return "not determined";
}

void sim_metrics_write_json(const sim_metrics *m, FILE *f) {
  fprintf(f, "{\n");
  size_t n = sizeof names / sizeof names[0];
  for (size_t i = 0; i < n; i++) {
    double v = *(const double *)((const char *)m + names[i].offset);
    if (isnan(v))
      fprintf(f, "  \"%s\": null%s\n", names[i].name, i + 1 < n ? "," : "");
    else if (v == floor(v) && fabs(v) < 9e15)
      fprintf(f, "  \"%s\": %.0f%s\n", names[i].name, v, i + 1 < n ? "," : "");
    else
      fprintf(f, "  \"%s\": %.3f%s\n", names[i].name, v, i + 1 < n ? "," : "");
  }
  fprintf(f, "}\n");
}
