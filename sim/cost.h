/*
 * cost.h — what a scenario will cost before it runs: simulator events and
 * memory, estimated from the node count, the duration, the keep-alive
 * period, the flows and the pings. A scenario that would exceed the
 * machine is refused up front, naming the line that makes it too big and
 * the figure, rather than allocating until it fails.
 */
#ifndef MCC_SIM_COST_H
#define MCC_SIM_COST_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Estimation constants, measured (results/bench-sim.json: tree_100k peaks
 * at 597 MiB of RSS for 111,111 nodes, 5.5 KiB a node) and rounded up. */
#define SIM_COST_BYTES_PER_NODE 6144.0
#define SIM_COST_EVENTS_PER_KEEPALIVE 4.0 /* per node and period: timers,
                                             keep-alive and its answer */
#define SIM_COST_EVENTS_PER_PACKET 4.0    /* a flow or ping packet */
#define SIM_COST_BYTES_PER_PACKET 16.0    /* a flow packet's bookkeeping */
#define SIM_COST_BYTES_PER_PAIR 48.0      /* a ping pair's */
#define SIM_COST_EVENTS_MAX 4294967296.0  /* 2^32 */
#define SIM_COST_TAGS_MAX 55000u /* flows + pings: a tag is a UDP port */

typedef struct sim_cost {
  double events, bytes;
  double node_events, node_bytes; /* the topology's share */
} sim_cost;

/* Nodes a generator makes, before it makes them (0 for a DOT file). */
uint64_t sim_cost_generated_nodes(const sim_topo_spec *t);

/* Estimates sc's cost with `nodes` nodes and the keep-alive period, and
 * checks it against the limits: events at most SIM_COST_EVENTS_MAX,
 * memory at most mem_limit bytes. Returns 0, or MCC_ERR_LIMIT with err
 * "path:line: ..." naming the line that costs most (the topology line, a
 * flow's start, a ping) and the figures. */
int sim_cost_check(const sim_scenario *sc, uint64_t nodes,
                   uint64_t keepalive_ns, double mem_limit, sim_cost *out,
                   char *err, size_t errlen);

/* Half the machine's physical memory, in bytes. */
double sim_cost_memory_limit(void);

#endif
