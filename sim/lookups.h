/*
 * lookups.h — the scenario's `resolve` events: nodes asking the network
 * what a name or id stands for (the core's mcc_node_lookup), and how the
 * answers went: the lookup.* metrics (scenarios/README.md).
 */
#ifndef MCC_SIM_LOOKUPS_H
#define MCC_SIM_LOOKUPS_H

#include "engine.h"
#include "metrics.h"
#include "topology.h"

typedef struct sim_lookups sim_lookups;

/* by_name: ask by the target's name (`names on`), else by its id. */
int sim_lookups_new(sim_lookups **pl, sim_engine *e, const sim_topology *topo,
                    int by_name);
void sim_lookups_free(sim_lookups *l);
/* Node from asks for target, at the engine's now (a dead asker asks
 * nothing: it is not counted). */
void sim_lookups_ask(sim_lookups *l, uint32_t from, uint32_t target);
/* Every leaf (a node no other node has as a parent), in index order, asks
 * for the leaf half-way round that order: in a tree, one in another
 * subtree of the root. */
void sim_lookups_ask_leaves(sim_lookups *l);
/* lookup.count, .found, .failed, .max_s, .bytes into m. */
void sim_lookups_fill(const sim_lookups *l, sim_metrics *m);

#endif
