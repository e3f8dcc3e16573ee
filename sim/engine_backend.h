/*
 * engine_backend.h — what a second backend of engine.h plugs in (issue
 * 14): the engine (engine.c) keeps everything above the wire for every
 * backend — the virtual nodes and their cores, keys and certificates, the
 * link table (which pairs are linked, up/down, MTU checks), the counters
 * (wire bytes = UDP payload + 8 + 20, per node and per type), flow tags,
 * deliveries and drops, lookups, tunnels and the engine's own pcap files —
 * and a backend supplies only the clock, the nodes' core timers and the
 * transport of a datagram over a link.
 *
 * Why a table of operations chosen at sim_engine_new (cfg.backend), and
 * NULL meaning the native engine rather than a second entry in the table:
 * the native engine is the fast path (10^5 nodes, every event through two
 * heaps), its code stays exactly as it was — no indirect call per event,
 * and every figure byte-identical by construction — while the other
 * backend is a separate object (engine_ns3.c) linked only into mcc-sim
 * when ns-3 is present, so libmccsim.a, the unit tests, benches and
 * fuzzers need no C++ and no ns-3. Each hook is one `if (e->ops)` at the
 * point where the native engine would touch its heaps or links.
 */
#ifndef MCC_SIM_ENGINE_BACKEND_H
#define MCC_SIM_ENGINE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct sim_backend_ops {
  const char *name; /* "ns3" */
  /* The backend's state for engine e: its nodes (0 .. sim_engine_size - 1,
   * as the engine's) and links (sim_backend_nlinks of them, numbered as
   * the engine's, see sim_backend_link). 0, or a MCC_ERR_* with err. */
  int (*create)(void **pstate, sim_engine *e, uint64_t seed, char *err,
                size_t errlen);
  void (*destroy)(void *state);
  uint64_t (*now)(const void *state);
  void (*run_until)(void *state, uint64_t t);
  /* The node's core timer at `at` (>= now), replacing the one it had;
   * UINT64_MAX: none. When it fires: sim_backend_timer. */
  void (*set_timer)(void *state, uint32_t node, uint64_t at);
  /* A datagram from `from` to its neighbour `to` over `link`, already
   * counted, captured and checked (link up, MTU) by the engine; when it
   * arrives: sim_backend_datagram with the same tag. */
  void (*send)(void *state, uint32_t link, uint32_t from, uint32_t to,
               const uint8_t *data, size_t len, uint32_t tag_flow,
               uint32_t tag_seq);
  void (*set_link)(void *state, uint32_t link, int up);
  /* The node's radio to (x, y) metres (sim_engine_move); NULL when the
   * backend has no radio. 0 or MCC_ERR_INVALID_ARGUMENT. */
  int (*move)(void *state, uint32_t node, double x, double y);
} sim_backend_ops;

/* The engine's links as a backend builds them: link k between a and b
 * with its parameters (defaults applied; mtu never 0). */
size_t sim_backend_nlinks(const sim_engine *e);
/* The index of the link between a and b (either order), or UINT32_MAX. */
uint32_t sim_backend_link_of(const sim_engine *e, uint32_t a, uint32_t b);
void sim_backend_link(const sim_engine *e, size_t k, uint32_t *a, uint32_t *b,
                      sim_link_params *p);

/* The engine's capture directory (NULL: no captures), a node's name, and
 * its radio position (0: it has none). */
const char *sim_backend_pcap_dir(const sim_engine *e);
const char *sim_backend_node_name(const sim_engine *e, uint32_t node);
int sim_backend_node_pos(const sim_engine *e, uint32_t node, double *x,
                         double *y);

/* Called by a backend from its events (its clock at the event's time). */
void sim_backend_timer(sim_engine *e, uint32_t node);
void sim_backend_datagram(sim_engine *e, uint32_t node, uint32_t from,
                          const uint8_t *data, size_t len, uint32_t tag_flow,
                          uint32_t tag_seq);

#endif
