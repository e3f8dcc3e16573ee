/*
 * scenario.h — scenario files (.scn), the simulator's input: which topology
 * to build, how long to run, link defaults, mcc.conf overrides, per-node
 * networks and trust, tunnels, a timeline of events (kill, revive, cut,
 * restore, flows, pings, tunnel revocations) and the expectations the run
 * is judged by. The format is documented for users in scenarios/README.md.
 *
 * Parsing reads nothing but the text it is given: node names stay strings
 * (the runner resolves them against the topology) and a topology file is
 * only located, not opened. The parser checks everything that can be known
 * without the topology: syntax, units and ranges, mcc.conf keys and values,
 * events within the run, and a consistent timeline (a flow is started once
 * before it is stopped; a node is killed while alive and revived while
 * dead; a link is cut while up and restored while down; a tunnel is
 * revoked where it is in place and added back where it is not).
 */
#ifndef MCC_SIM_SCENARIO_H
#define MCC_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/tunnel.h>

#include "topology.h"

typedef enum sim_topo_kind {
  SIM_TOPO_NONE = 0, /* only in an empty (unparsed) scenario */
  SIM_TOPO_TREE,
  SIM_TOPO_LINEAR,
  SIM_TOPO_CYCLIC,
  SIM_TOPO_STAR,
  SIM_TOPO_RANDOM,
  SIM_TOPO_FILE,
  SIM_TOPO_GRID
} sim_topo_kind;

/* The `topology` line: a generator's parameters (see topology.h for the
 * shapes) or a DOT file. Fields a kind does not use are 0 / NULL. */
typedef struct sim_topo_spec {
  sim_topo_kind kind;
  unsigned line;          /* where it was given, for the runner's errors */
  unsigned n;             /* linear, cyclic, star, random: node count */
  unsigned fanout, depth; /* tree */
  unsigned w, h;          /* grid */
  double spacing;         /* grid: metres between neighbours (default 40) */
  unsigned parents;       /* tree, random, grid: 1 or 2 (default 1) */
  int has_seed;           /* random: seed= given; else use scenario seed */
  uint64_t seed;
  char *file; /* file: the path as written */
  char *path; /* file: resolved against the scenario file's directory
                 (the same text when absolute or the scenario has none) */
} sim_topo_spec;

/* `set KEY VALUE`: an mcc.conf override for every node, in file order (a
 * key set twice appears twice; applying them in order gives the later). */
typedef struct sim_conf_override {
  char *key;   /* a known key (mcc_conf_key_find), as spelt in the table */
  char *value; /* accepted by mcc_conf_set */
  unsigned line;
} sim_conf_override;

/* `network NODE NET` and `trust NODE NET...`: one entry per node named in
 * either, in order of first mention. */
typedef struct sim_node_spec {
  char *node;
  int has_network;
  int network;  /* 0..SIM_SCENARIO_NETWORK_MAX; 0 unless has_network */
  int trusts;   /* bit mask of networks, as sim_topo_node.trusts */
  unsigned line; /* of the first mention */
} sim_node_spec;

#define SIM_SCENARIO_NETWORK_MAX 7 /* as DOT's network attribute */

/* `tunnel NAME client NODE server NODE targets TARGETS`: the server end on
 * one node offers the targets to the client end on another. In place at
 * both ends from the start, unless its first event is an `add`. */
typedef struct sim_tunnel_spec {
  char *name;
  char *client, *server; /* node names, different */
  mcc_tunnel_target targets[MCC_TUNNEL_MAX_TARGETS];
  size_t ntargets;
  int starts_missing; /* its first event is `at TIME tunnel add NAME` */
  unsigned line;
} sim_tunnel_spec;

/* A tunnel's ends, as `tunnel revoke NAME [client|server]` names them. */
#define SIM_END_CLIENT 1u
#define SIM_END_SERVER 2u
#define SIM_END_BOTH 3u

typedef enum sim_event_kind {
  SIM_EV_KILL,       /* a */
  SIM_EV_REVIVE,     /* a */
  SIM_EV_CUT,        /* the link between a and b, either order */
  SIM_EV_RESTORE,    /* a, b */
  SIM_EV_FLOW_START, /* flow from a to b: proto, size, every_ns */
  SIM_EV_FLOW_STOP,  /* flow */
  SIM_EV_PING_ALL,   /* ping_max */
  SIM_EV_PING,       /* from a to b */
  SIM_EV_RESTART,    /* a: killed and started again at once, same keys */
  SIM_EV_TUNNEL_ADD,   /* tunnel: put back at the ends it is missing from */
  SIM_EV_TUNNEL_REVOKE, /* tunnel, ends: removed there */
  SIM_EV_RESOLVE,       /* a asks the network for b (its name or id) */
  SIM_EV_RESOLVE_LEAVES, /* every leaf asks for the leaf half-way round */
  SIM_EV_MOVE            /* a's radio goes to (x, y): ns-3's wifi only */
} sim_event_kind;

/* Which end of a flow is a tunnel's endpoint (FLOW_START). */
typedef enum sim_flow_end {
  SIM_FLOW_NODES = 0,  /* from node a to node b */
  SIM_FLOW_TO_TUNNEL,  /* from node a to the tunnel's server endpoint, at
                          node b (its server node) */
  SIM_FLOW_FROM_TUNNEL /* from the tunnel's server endpoint, at node a (its
                          server node), back to its client endpoint at
                          node b (its client node): the replies */
} sim_flow_end;

/* IP protocol numbers, as sim_engine_send takes them. */
#define SIM_PROTO_ICMP 1
#define SIM_PROTO_TCP 6
#define SIM_PROTO_UDP 17

#define SIM_FLOW_SIZE_MAX 1200          /* payload bytes */
#define SIM_FLOW_SIZE_DEFAULT 64
#define SIM_FLOW_EVERY_DEFAULT_NS 1000000000ull /* 1s */
#define SIM_FLOW_PORT_DEFAULT 20000 /* a node flow's destination port */

typedef struct sim_event {
  uint64_t time_ns;
  sim_event_kind kind;
  unsigned line;
  char *a, *b;       /* node names, NULL where the kind has none; a flow
                        to or from a tunnel has the tunnel's nodes here */
  char *flow;        /* FLOW_START, FLOW_STOP */
  int proto;         /* FLOW_START: SIM_PROTO_* */
  uint32_t size;     /* FLOW_START: payload bytes, 0..SIM_FLOW_SIZE_MAX */
  uint64_t every_ns; /* FLOW_START: one packet every, > 0 */
  uint16_t port;     /* FLOW_START, udp and tcp: the destination port (from
                        a tunnel: the source port); 0 for icmp */
  sim_flow_end end;  /* FLOW_START */
  char *tunnel;      /* FLOW_START to or from a tunnel, TUNNEL_* */
  unsigned ends;     /* TUNNEL_REVOKE: SIM_END_* */
  uint64_t ping_max; /* PING_ALL: most pairs sampled; 0: every pair */
  double x, y;       /* MOVE: metres */
} sim_event;

typedef enum sim_expect_op {
  SIM_OP_LT,
  SIM_OP_LE,
  SIM_OP_GT,
  SIM_OP_GE,
  SIM_OP_EQ,
  SIM_OP_NE
} sim_expect_op;

/* `expect METRIC OP VALUE`: metric names are checked for their shape only
 * ([a-z0-9_]+ with '.' between parts); the runner knows the list. */
typedef struct sim_expectation {
  char *metric;
  sim_expect_op op;
  char *rhs_metric; /* the right side is a metric, or NULL: rhs_value */
  double rhs_value; /* finite */
  char *text;       /* "metric op rhs" as written, for reports */
  unsigned line;
} sim_expectation;

struct sim_scenario_chunk; /* private: the strings' storage */

typedef struct sim_scenario {
  char *path; /* as given to the parser */
  char *name; /* `name`, or the file name without directory and .scn */
  sim_topo_spec topo;
  uint64_t seed;        /* default 1 */
  uint64_t duration_ns; /* > 0 */

  sim_link_params link; /* `link` defaults for what the topology leaves */
  unsigned link_has;    /* SIM_LINK_HAS_* for the fields given */
  unsigned link_model_line, link_queue_line; /* where model=, queue= were */

  sim_conf_override *sets;
  size_t nsets;
  sim_node_spec *nodes;
  size_t nnodes;
  sim_tunnel_spec *tunnels; /* file order */
  size_t ntunnels;
  /* `tunnels only`: user traffic flows only inside tunnels (the core's
   * settings.tunnels_only); 0, `tunnels allow-nodes` or no such line:
   * between nodes too, as in version 1. */
  int tunnels_only;
  /* `names on`: every node has its name as a dns-name, and `resolve`
   * asks by name; otherwise by id. */
  int names_on;
  /* `backend ns3`: run on ns-3 unless the command line says otherwise */
  int backend_ns3;
  unsigned backend_line;

  int has_idle; /* `idle from A to B`: A < B <= duration */
  uint64_t idle_from_ns, idle_to_ns;

  sim_event *events; /* sorted by time; equal times keep file order */
  size_t nevents;
  sim_expectation *expects; /* file order */
  size_t nexpects;

  /* Warnings that do not stop the run ("path:line: set: KEY: deprecated
   * ..."), for the runner to print. */
  char **warnings;
  size_t nwarnings;

  /* private */
  struct sim_scenario_chunk *chunks;
  size_t capsets, capnodes, capevents, capexpects, capwarnings, captunnels;
} sim_scenario;

/* Parses len bytes of text (need not be NUL-terminated) read from path,
 * which names the file in messages, gives the default name, and anchors a
 * relative topology file (NULL: "scenario", no directory). s need not be
 * initialised. Returns 0 with s filled (free it with sim_scenario_free) and
 * err ""; or the first error, with s left empty and err holding one line
 * "path:line: what: expected ..., got '...'":
 *   MCC_ERR_SYNTAX  the file's shape: an unknown directive, event or
 *                   parameter, a wrong number of arguments, a missing or
 *                   repeated directive, an unterminated quote, a control
 *                   character, an unknown mcc.conf key
 *   MCC_ERR_VALUE   a malformed or out-of-range value, an event after the
 *                   end of the run, an inconsistent timeline
 *   MCC_ERR_NOMEM
 *   MCC_ERR_INVALID_ARGUMENT  s NULL, or text NULL with len > 0
 * err may be NULL when errlen is 0. */
int sim_scenario_parse(sim_scenario *s, const char *path, const char *text,
                       size_t len, char *err, size_t errlen);

/* Reads the file at path and parses it. Besides the codes above,
 * MCC_ERR_INVALID_ARGUMENT when it cannot be read ("path: No such file or
 * directory"). */
int sim_scenario_load(sim_scenario *s, const char *path, char *err,
                      size_t errlen);

/* Input files are read whole, with a size limit, and must be regular
 * files (not a device such as /dev/zero, a FIFO or a directory). */
#define SIM_SCENARIO_MAX_BYTES (16u << 20)
#define SIM_DOT_MAX_BYTES (256u << 20)

/* Reads the regular file at path, at most max bytes, into a new
 * NUL-terminated buffer (*pbuf, free it; *plen bytes). `what` names the
 * kind of file in messages ("scenario", "DOT"). Returns 0, or
 * MCC_ERR_INVALID_ARGUMENT (cannot open or read, not a regular file),
 * MCC_ERR_LIMIT (larger than max), MCC_ERR_NOMEM, with err
 * "path: what is wrong". */
int sim_read_regular_file(const char *path, size_t max, const char *what,
                          char **pbuf, size_t *plen, char *err,
                          size_t errlen);

/* Frees what s holds and leaves it empty; s may be NULL or empty. */
void sim_scenario_free(sim_scenario *s);

/* 1 when `lhs op rhs` holds, else 0; never holds when either side is NaN
 * (a metric the run could not determine). == and != compare exactly. */
int sim_expect_eval(const sim_expectation *e, double lhs, double rhs);

/* "<", "<=", ...; "kill", "flow start", "ping all", ... ("?" when out of
 * range). */
const char *sim_expect_op_name(sim_expect_op op);
const char *sim_event_kind_name(sim_event_kind kind);

#endif
