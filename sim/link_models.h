/*
 * link_models.h — which link models a run may use: point-to-point links on
 * both backends; shared media (csma), radio (wifi), device queues and node
 * moves only on ns-3. The native engine refuses them with the line that
 * asks for them rather than approximate a shared medium with independent
 * links, which would give figures that look right and mean something else.
 */
#ifndef MCC_SIM_LINK_MODELS_H
#define MCC_SIM_LINK_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "topology.h"

/* 0 when the scenario's links, queues and moves fit the backend (ns3:
 * 1 for ns-3, 0 for the native engine); else MCC_ERR_VALUE with err
 * "path:line: what is wrong and what to do". ev_nodes[k] is event k's
 * first node, resolved against the topology. */
int sim_link_models_check(const sim_scenario *sc, const sim_topology *t,
                          const uint32_t *ev_nodes, int ns3, char *err,
                          size_t errlen);

#endif
