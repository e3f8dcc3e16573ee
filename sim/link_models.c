/*
 * link_models.c — the check of link_models.h: what only ns-3 can carry,
 * refused on the native engine with its file and line; on ns-3, a move
 * only for a node that has a radio.
 */
#include "link_models.h"

#include <stdio.h>

#include <mcc/mcc.h>

/* The edge's model as the engine will see it: the edge's own, else the
 * scenario's `link` line's, else p2p. */
static int edge_model(const sim_scenario *sc, const sim_topo_edge *ed) {
  sim_link_params p = {.model = SIM_MODEL_P2P};
  sim_link_apply(&p, &sc->link, sc->link_has);
  sim_link_apply(&p, &ed->params, ed->has);
  return p.model;
}

static const char *const NEEDS_NS3 =
    "needs the ns-3 backend (--backend ns3, or the line 'backend ns3'); the "
    "native engine has only point-to-point links with unbounded queues";

static int refuse_native(const sim_scenario *sc, const sim_topology *t,
                         char *err, size_t errlen) {
  if ((sc->link_has & SIM_LINK_HAS_MODEL) && sc->link.model != SIM_MODEL_P2P) {
    snprintf(err, errlen, "%s:%u: link model=%s %s", sc->path,
             sc->link_model_line, sim_link_model_name(sc->link.model),
             NEEDS_NS3);
    return MCC_ERR_VALUE;
  }
  if (sc->link_has & SIM_LINK_HAS_QUEUE) {
    snprintf(err, errlen, "%s:%u: link queue=%u %s", sc->path,
             sc->link_queue_line, sc->link.queue, NEEDS_NS3);
    return MCC_ERR_VALUE;
  }
  for (size_t k = 0; k < t->nedges; k++) {
    const sim_topo_edge *ed = &t->edges[k];
    char what[32] = "";
    if (ed->has & SIM_LINK_HAS_QUEUE) snprintf(what, sizeof what, "queue");
    if ((ed->has & SIM_LINK_HAS_MODEL) && ed->params.model != SIM_MODEL_P2P)
      snprintf(what, sizeof what, "model=%s",
               sim_link_model_name(ed->params.model));
    if (!what[0]) continue;
    snprintf(err, errlen, "%s:%u: topology: %s: edge %s -> %s: %s %s",
             sc->path, sc->topo.line, sc->topo.file ? sc->topo.file : "",
             t->nodes[ed->child].name, t->nodes[ed->parent].name, what,
             NEEDS_NS3);
    return MCC_ERR_VALUE;
  }
  for (size_t k = 0; k < sc->nevents; k++)
    if (sc->events[k].kind == SIM_EV_MOVE) {
      snprintf(err, errlen, "%s:%u: move: a radio position %s", sc->path,
               sc->events[k].line, NEEDS_NS3);
      return MCC_ERR_VALUE;
    }
  return 0;
}

int sim_link_models_check(const sim_scenario *sc, const sim_topology *t,
                          const uint32_t *ev_nodes, int ns3, char *err,
                          size_t errlen) {
  if (!ns3) return refuse_native(sc, t, err, errlen);
  for (size_t k = 0; k < sc->nevents; k++) {
    if (sc->events[k].kind != SIM_EV_MOVE) continue;
    int radio = 0;
    for (size_t j = 0; j < t->nedges && !radio; j++)
      radio = (t->edges[j].child == ev_nodes[k] ||
               t->edges[j].parent == ev_nodes[k]) &&
              edge_model(sc, &t->edges[j]) == SIM_MODEL_WIFI;
    if (!radio) {
      snprintf(err, errlen,
               "%s:%u: move: %s is on no wifi link, so it has no radio to "
               "move (link model=wifi, or model=wifi on its DOT edges)",
               sc->path, sc->events[k].line, sc->events[k].a);
      return MCC_ERR_VALUE;
    }
  }
  return 0;
}
