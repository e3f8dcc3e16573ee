/*
 * measure.h — how the simulator observes a run to fill sim_metrics with
 * DESIGN.md's definitions. The scenario runner calls these as the timeline
 * unfolds; nothing here changes what the nodes do, except the probes and
 * pings, which send real packets like any user would.
 */
#ifndef MCC_SIM_MEASURE_H
#define MCC_SIM_MEASURE_H

#include <stdint.h>

#include "engine.h"
#include "metrics.h"
#include "topology.h"

typedef struct sim_measure sim_measure;

int sim_measure_new(sim_measure **pm, sim_engine *e, const sim_topology *t,
                    uint64_t seed);
void sim_measure_free(sim_measure *m);

/* Called every simulated second until it returns 1: bootstrap is over when
 * every root knows every node it can and may know. */
int sim_measure_bootstrap_check(sim_measure *m);

/* Idle window: wire bytes between begin and end, scaled to a day. */
void sim_measure_idle_begin(sim_measure *m);
void sim_measure_idle_end(sim_measure *m);

/* A node died or a link was cut: the nodes whose active path to the root
 * went through it must become reachable from their root again (killing a
 * node that is nobody's active parent is no failover). */
void sim_measure_on_kill(sim_measure *m, uint32_t node);
void sim_measure_on_cut(sim_measure *m, uint32_t a, uint32_t b);
/* An end of running flow f restarted now: the flow has recovered when a
 * packet of it sent from now on is delivered (sessions.recovery_max_s). */
void sim_measure_on_restart(sim_measure *m, uint32_t f);
/* Called every simulated second while it returns 1 (failovers pending). */
int sim_measure_failover_check(sim_measure *m);

/* Flows: the runner sends, measure counts. A flow's packets go to node
 * dst with proto; UDP and TCP ones carry the flow number in a port: the
 * source port (10000 + flow) with `port` as destination port, or with
 * reply (a tunnel's server answering), the destination port (10000 +
 * flow) with `port` as source port. A delivery is credited to a flow only
 * where and as its packets are sent. */
typedef struct sim_flow_desc {
  uint32_t dst;
  int proto;
  uint16_t port;
  int reply;
} sim_flow_desc;

/* What a user packet is to the tunnels.* metrics, judged as it is sent. */
typedef enum sim_pkt_class {
  SIM_PKT_PLAIN,   /* between nodes, where no tunnel is needed */
  SIM_PKT_TUNNEL,  /* inside a tunnel in place at both ends */
  SIM_PKT_GRACE,   /* inside a tunnel missing at an end for less than a
                      keep-alive period: not judged */
  SIM_PKT_REVOKED, /* inside a tunnel missing at an end for a keep-alive
                      period or more: must not arrive */
  SIM_PKT_DENIED   /* of a flow no tunnel allows: must not arrive */
} sim_pkt_class;

/* Returns the flow's number. */
uint32_t sim_measure_flow_add(sim_measure *m, const sim_flow_desc *d);
void sim_measure_flow_sent(sim_measure *m, uint32_t flow, uint32_t seq,
                           sim_pkt_class cls);
/* With tunnels only (the scenario's `tunnels only`), the overhead probes
 * go through a tunnel made for them after the run. */
void sim_measure_set_tunnels_only(sim_measure *m, int on);

/* Routing correctness over sampled pairs (all pairs up to max): each pair's
 * hop-by-hop walk through the cores' routing decisions against BFS in the
 * active topology, judged now, and a real packet sent, credited whenever
 * it arrives. Neither waits nor moves the clock. */
void sim_measure_ping(sim_measure *m, size_t max);
void sim_measure_ping_pair(sim_measure *m, uint32_t src, uint32_t dst);

/* The figures measured so far, without the final probes. */
void sim_measure_current(const sim_measure *m, sim_metrics *out);
/* Final figures: state memory, failovers, undelivered pings by reason,
 * totals; then (the timeline's figures frozen) the overhead probes on a
 * leaf's link, which run the clock on past the end. */
void sim_measure_finish(sim_measure *m, sim_metrics *out);

#endif
