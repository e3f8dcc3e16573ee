/*
 * dot.h — topologies in Graphviz DOT, through cgraph: read a topology file,
 * and write the network as it stands at the end of a run (DOT, and SVG
 * rendered by gvc).
 *
 * Reading. A digraph (or graph) where an edge `child -> parent` makes
 * parent one of child's parents; the child initiates the link.
 *   edge attributes  order  the parent's rank for this child, 0 first;
 *                           default: where the edge stands among the
 *                           child's edges in the file. Ranks are sort keys
 *                           and are stored renumbered 0, 1, ... per child
 *                           (order=1 and order=2 give ranks 0 and 1); two
 *                           edges of one child with the same rank are an
 *                           error.
 *                    delay  duration ("10ms", sim_parse_duration_ns)
 *                    rate   "1Mbit", "64kbit"... (sim_parse_rate_bps)
 *                    loss   "0.01" or "1%" (sim_parse_probability)
 *                    mtu    integer 576..65535
 *                    each given one sets its SIM_LINK_HAS_* bit; an empty
 *                    value counts as not given.
 *   node attributes  role, dns_names, tags  free text, copied
 *                    network  integer 0..7 (default 0)
 *                    trusts   comma list of network numbers 0..7
 * Other attributes (label, color, pos...) are ignored, so a file styled or
 * laid out by Graphviz still reads. Nodes are numbered in the order they
 * first appear; isolated nodes count. A self-loop, or a second edge between
 * the same child and parent, is an error (a `strict` graph merges such
 * duplicates itself before we see them).
 *
 * Writing: the style, shared with `mcc nodes -f graphviz` on a real node.
 *   graph           rankdir=BT (parents above children)
 *   node            labelled with its name
 *   root            shape=doublecircle
 *   dead node       style=dashed color=gray fontcolor=gray
 *   child -> active parent         solid, penwidth=2
 *   child -> other configured parent  style=dashed color=gray
 *   edge label      the parent order, when the child has more than one
 * The data attributes above (order, delay, rate, loss, mtu, role, network,
 * trusts, dns_names, tags) are written too, so the file reads back as the
 * same topology. Same input, same DOT bytes.
 */
#ifndef MCC_SIM_DOT_H
#define MCC_SIM_DOT_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

/* Above this many nodes the SVG is laid out by sfdp (when gvc has it):
 * dot's layered layout takes minutes on large trees. */
#define SIM_DOT_SFDP_ABOVE 2000
/* mcc-sim writes topology.svg for networks up to this many nodes. */
#define SIM_SVG_MAX_NODES 20000

typedef struct sim_node_state {
  uint8_t alive;
  uint8_t is_root;
  long active_parent; /* node index or -1 */
} sim_node_state;

/* Adds the file's nodes and edges to t (normally empty; names must not
 * clash with nodes already there). Returns 0, or with a one-line message
 * in err naming the file (and the line, node or edge, attribute, expected
 * form and found text):
 *   MCC_ERR_INVALID_ARGUMENT  the file cannot be opened or read
 *   MCC_ERR_SYNTAX            not DOT ("x.dot:12: syntax error near 'foo'")
 *   MCC_ERR_VALUE             a bad attribute, self-loop, duplicate edge
 *   MCC_ERR_NOMEM, MCC_ERR_LIMIT
 * On error t holds whatever was added before it; free it. Not thread-safe:
 * cgraph keeps its error handler and lexer state in globals. */
int sim_dot_read(sim_topology *t, const char *path, char *err, size_t errlen);

/* Writes t with the live state (one entry per node; NULL: every node
 * alive, roots the nodes without parents, active parent the first) as DOT
 * to dot_path, and, when svg_path is not NULL, lays it out ("dot", or
 * "sfdp" above SIM_DOT_SFDP_ABOVE nodes) and renders SVG there. Either
 * path may be NULL. Returns 0, MCC_ERR_INVALID_ARGUMENT (a file cannot be
 * written, with err naming it), MCC_ERR_NOMEM, or MCC_ERR_LIMIT (layout or
 * rendering failed in gvc). Not thread-safe, as sim_dot_read. */
int sim_dot_write(const sim_topology *t, const sim_node_state *state,
                  const char *dot_path, const char *svg_path, char *err,
                  size_t errlen);

#endif
