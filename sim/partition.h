/*
 * partition.h — which worker thread runs which virtual node (issue 15).
 * The native engine splits the nodes into partitions, each with its own
 * event queues, and runs them in parallel windows no longer than the
 * smallest delay of a link between two partitions (engine.c, workers.h).
 * The fewer links cross, the fewer datagrams are exchanged at window ends,
 * so a partition is a run of whole subtrees: the nodes in depth-first
 * order of their first parent, cut into parts of about equal size.
 */
#ifndef MCC_SIM_PARTITION_H
#define MCC_SIM_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

/* Fills part[0 .. nnodes - 1] with partition numbers 0 .. nparts - 1 and
 * returns nparts: `want`, or fewer when there are fewer nodes than that
 * (at least 1), or 1 when one node has so many children that it alone is
 * over half a partition's share of the work (a star's root: the engine's
 * signature precheck thread helps it more). The assignment depends only
 * on the topology and `want`. MCC_ERR_NOMEM. */
int sim_partition(const sim_topology *t, unsigned want, uint32_t *part);

#endif
