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

typedef struct sim_link_params {
  uint64_t delay_ns; /* one way */
  uint64_t rate_bps; /* 0: unlimited (no serialisation delay) */
  double loss;       /* probability a datagram is lost, 0..1 */
  uint32_t mtu;      /* largest IP packet, bytes; 0: 1500 */
} sim_link_params;

/* Which fields of an edge's sim_link_params were given explicitly (in DOT);
 * the others take the scenario's link defaults. */
enum {
  SIM_LINK_HAS_DELAY = 1,
  SIM_LINK_HAS_RATE = 2,
  SIM_LINK_HAS_LOSS = 4,
  SIM_LINK_HAS_MTU = 8,
};

typedef struct sim_topo_node {
  char *name;      /* unique; generators name nodes n0, n1, ... */
  char *role;      /* free text from DOT ("root", "gateway"...), or NULL */
  char *dns_names; /* comma list, or NULL */
  char *tags;      /* comma list, or NULL */
  int network;     /* certificate issuer: 0 is the main network */
  int trusts;      /* bit mask of other networks this node trusts */
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

/* Parses "10ms", "1.5s", "250us", "1Mbit", "64kbit", "1Gbit", "0.01",
 * "1%"; -1 on malformed text. Shared by DOT attributes and scenarios. */
int sim_parse_duration_ns(const char *text, uint64_t *pns);
int sim_parse_rate_bps(const char *text, uint64_t *pbps);
int sim_parse_probability(const char *text, double *pp);

#endif
