/*
 * topology.h — the simulator's description of a network before it runs:
 * nodes, child -> parent edges with their parent order, and link
 * parameters. Built by a generator (tree, linear, cyclic, star, random) or
 * read from Graphviz DOT (dot.c), and written back as DOT with the live
 * routing state at the end of a run.
 */
#ifndef MCC_SIM_TOPOLOGY_H
#define MCC_SIM_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

/* How a link is carried. Only the ns-3 backend has shared media and radio;
 * the native engine refuses the others rather than approximate them. */
enum sim_link_model {
  SIM_MODEL_P2P = 0, /* a point-to-point link (both backends) */
  SIM_MODEL_CSMA,    /* a shared segment: each connected set of csma
                        links is one bus (ns-3's CSMA) */
  SIM_MODEL_WIFI     /* an 802.11 ad-hoc channel shared by every node of a
                        wifi link, loss from the distance between them */
};

typedef struct sim_link_params {
  uint64_t delay_ns; /* one way */
  uint64_t rate_bps; /* 0: unlimited (no serialisation delay) */
  double loss;       /* probability a datagram is lost, 0..1 */
  uint32_t mtu;      /* largest IP packet, bytes; 0: 1500 */
  uint32_t queue;    /* device queue, packets; 0: unbounded (ns-3) */
  uint8_t model;     /* enum sim_link_model */
} sim_link_params;

/* Which fields of an edge's sim_link_params were given explicitly (in DOT);
 * the others take the scenario's link defaults. */
enum {
  SIM_LINK_HAS_DELAY = 1,
  SIM_LINK_HAS_RATE = 2,
  SIM_LINK_HAS_LOSS = 4,
  SIM_LINK_HAS_MTU = 8,
  SIM_LINK_HAS_QUEUE = 16,
  SIM_LINK_HAS_MODEL = 32,
};

/* Overwrites the fields of *p that `has` (SIM_LINK_HAS_*) says `given`
 * sets: a scenario's `link` line over the defaults, a DOT edge's own
 * attributes over the scenario's. */
void sim_link_apply(sim_link_params *p, const sim_link_params *given,
                    unsigned has);

/* "p2p", "csma", "wifi"; -1 for another word. */
int sim_link_model_parse(const char *text);
const char *sim_link_model_name(int model);

typedef struct sim_topo_node {
  char *name;      /* unique; generators name nodes n0, n1, ... */
  char *role;      /* free text from DOT ("root", "gateway"...), or NULL */
  char *dns_names; /* comma list, or NULL */
  char *tags;      /* comma list, or NULL */
  int network;     /* certificate issuer: 0 is the main network */
  int trusts;      /* bit mask of other networks this node trusts */
  int has_pos;     /* a radio position: DOT pos="x,y", or the grid's */
  double x, y;     /* metres */
} sim_topo_node;

typedef struct sim_topo_edge {
  uint32_t child, parent; /* node indexes; the child initiates */
  uint32_t order;         /* the parent's rank for this child, 0 first */
  sim_link_params params;
  unsigned has;           /* SIM_LINK_HAS_* */
} sim_topo_edge;

typedef struct sim_topology {
  sim_topo_node *nodes;
  size_t nnodes, capnodes;
  sim_topo_edge *edges;
  size_t nedges, capedges;
} sim_topology;

void sim_topology_init(sim_topology *t);
void sim_topology_free(sim_topology *t);
/* Returns the new node's index, or -1 when out of memory or the name is
 * taken. Strings are copied. */
long sim_topology_add_node(sim_topology *t, const char *name);
int sim_topology_add_edge(sim_topology *t, uint32_t child, uint32_t parent,
                          uint32_t order);
/* Index of the node named name, or -1. */
long sim_topology_find(const sim_topology *t, const char *name);
/* The parents of a node in order: writes up to max indexes, returns how
 * many it has. */
size_t sim_topology_parents(const sim_topology *t, uint32_t node,
                            uint32_t *parents, size_t max);

/* Generators (all deterministic). Node 0 is the root where there is one.
 *   tree: every node has `fanout` children down to `depth` levels below the
 *         root (1 + fanout + ... + fanout^depth nodes); with parents == 2,
 *         each non-root node's second parent is its parent's next sibling
 *         (wrapping within the level; none at depth 1 when the root is
 *         alone), so a failover keeps the node at the same depth.
 *   linear: n nodes, i's parent i - 1.
 *   cyclic: n nodes, i's parent (i + 1) % n: a cycle with no root.
 *   star: node 0 and n - 1 children.
 *   random: n nodes, i's parent uniform in [0, i) from a seeded generator,
 *           and with `parents` == 2 a second distinct one.
 *   grid: w x h nodes in rows, node y * w + x at (x, y) * spacing metres,
 *         n0 the root at the corner. A node's first parent is its left
 *         neighbour (on column 0, the one above); with parents == 2 the
 *         second is the one above, and on the borders the diagonal one
 *         nearest the root: (x-1, 1) on row 0, (1, y-1) on column 0. Every
 *         node but the root has two parents where the grid has room, each
 *         one grid step away (a diagonal on the border). Positions are set,
 *         for radio (wifi) links.
 * Return 0 or a negative MCC_ERR_* code (MCC_ERR_VALUE for bad
 * parameters, with a message in err). */
int sim_topology_tree(sim_topology *t, unsigned fanout, unsigned depth,
                      unsigned parents, char *err, size_t errlen);
int sim_topology_linear(sim_topology *t, unsigned n, char *err,
                        size_t errlen);
int sim_topology_cyclic(sim_topology *t, unsigned n, char *err,
                        size_t errlen);
int sim_topology_star(sim_topology *t, unsigned n, char *err, size_t errlen);
int sim_topology_random(sim_topology *t, unsigned n, unsigned parents,
                        uint64_t seed, char *err, size_t errlen);
int sim_topology_grid(sim_topology *t, unsigned w, unsigned h,
                      unsigned parents, double spacing, char *err,
                      size_t errlen);

/* Parses "10ms", "1.5s", "250us", "1Mbit", "64kbit", "1Gbit", "0.01",
 * "1%"; -1 on malformed text. Shared by DOT attributes and scenarios. */
int sim_parse_duration_ns(const char *text, uint64_t *pns);
int sim_parse_rate_bps(const char *text, uint64_t *pbps);
int sim_parse_probability(const char *text, double *pp);

#endif
