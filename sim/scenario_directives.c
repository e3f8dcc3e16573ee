/*
 * scenario_directives.c — one function per directive of a scenario file
 * (name, topology, seed, duration, link, set, network, trust, tunnels,
 * tunnel, idle, at, expect), each checking its own arguments; the table
 * that dispatches a line to them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parse.h"

/* ---- directives --------------------------------------------------------------- */

static int d_name(parser *p) {
  int rv = scn_once(p, "name", &p->name_line);
  if (rv) return rv;
  const char *t = p->ntok == 2 ? p->tok[1] : "";
  if (!scn_valid_node(t) || t[0] == '.')
    return scn_fail(p, MCC_ERR_VALUE,
                "name: expected one name of letters, digits, '_', '.' and "
                "'-', not starting with '.', such as tree-failover, got '%s'",
                scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
  if (!(p->s->name = scn_sdup(p, t))) return scn_nomem(p);
  return 0;
}

static int d_seed(parser *p) {
  int rv = scn_once(p, "seed", &p->seed_line);
  if (rv) return rv;
  if (p->ntok != 2 || scn_parse_uint(p->tok[1], 0, UINT64_MAX, &p->s->seed) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "seed: expected an integer 0-18446744073709551615, got '%s'",
                scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
  return 0;
}

/* An event or idle window ending at t past the duration, if known. */
static int after_end(parser *p, const char *what, uint64_t t) {
  if (!p->duration_line || t <= p->s->duration_ns) return 0;
  char a[32], b[32];
  return scn_fail(p, MCC_ERR_VALUE,
              "%s: %s is after the end of the run (duration %s, line %u)",
              what, scn_fmt_time(a, sizeof a, t),
              scn_fmt_time(b, sizeof b, p->s->duration_ns), p->duration_line);
}

static int d_duration(parser *p) {
  sim_scenario *s = p->s;
  int rv = scn_once(p, "duration", &p->duration_line);
  if (rv) return rv;
  if (p->ntok != 2 || sim_parse_duration_ns(p->tok[1], &s->duration_ns) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "duration: expected a duration such as 30s, 10m or 2h, got "
                "'%s'",
                scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
  if (s->duration_ns == 0)
    return scn_fail(p, MCC_ERR_VALUE, "duration: must be more than 0, got '%s'",
                scn_show(p, p->tok[1]));
  /* what came before: report the first line that ends after the run */
  unsigned bad = 0;
  const char *what = "at";
  uint64_t t = 0;
  for (size_t i = 0; i < s->nevents && !bad; i++)
    if (s->events[i].time_ns > s->duration_ns)
      bad = s->events[i].line, t = s->events[i].time_ns;
  if (p->idle_line && s->idle_to_ns > s->duration_ns &&
      (!bad || p->idle_line < bad))
    bad = p->idle_line, t = s->idle_to_ns, what = "idle";
  if (!bad) return 0;
  p->line = bad;
  return after_end(p, what, t);
}

static int d_link(parser *p) {
  static const char *const names[] = {"delay", "rate",  "loss", "mtu",
                                      "queue", "model", NULL};
  const char *v[6];
  sim_link_params *l = &p->s->link;
  if (p->ntok < 2)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "link: expected one or more of delay=, rate=, loss=, mtu=, "
                "queue=, model= "
                "such as link delay=10ms rate=1Mbit, got '%s'",
                scn_got_line(p));
  int rv = scn_params(p, "link", 1, names, v, "delay=10ms");
  if (rv) return rv;
  for (int k = 0; k < 6; k++) {
    if (!v[k]) continue;
    if (p->link_line[k])
      return scn_fail(p, MCC_ERR_SYNTAX, "link: %s= already set on line %u",
                  names[k], p->link_line[k]);
    p->link_line[k] = p->line;
  }
  uint64_t mtu;
  if (v[0] && sim_parse_duration_ns(v[0], &l->delay_ns) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: delay: expected a duration such as 10ms, got '%s'",
                scn_show(p, v[0]));
  if (v[1] && sim_parse_rate_bps(v[1], &l->rate_bps) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: rate: expected a rate such as 64kbit, 1Mbit or 1Gbit "
                "(0: unlimited), got '%s'",
                scn_show(p, v[1]));
  if (v[2] && sim_parse_probability(v[2], &l->loss) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: loss: expected a probability 0-1 such as 0.01 or 1%%, "
                "got '%s'",
                scn_show(p, v[2]));
  if (v[3] && scn_parse_uint(v[3], 576, 65535, &mtu) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: mtu: expected an integer in range 576-65535, got '%s'",
                scn_show(p, v[3]));
  if (v[3]) l->mtu = (uint32_t)mtu;
  uint64_t queue;
  if (v[4] && scn_parse_uint(v[4], 1, 1000000, &queue) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: queue: expected a number of packets in range "
                "1-1000000, got '%s'",
                scn_show(p, v[4]));
  if (v[4]) l->queue = (uint32_t)queue, p->s->link_queue_line = p->line;
  int model = v[5] ? sim_link_model_parse(v[5]) : SIM_MODEL_P2P;
  if (model < 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "link: model: expected p2p, csma or wifi, got '%s'",
                scn_show(p, v[5]));
  if (v[5]) l->model = (uint8_t)model, p->s->link_model_line = p->line;
  p->s->link_has |= (v[0] ? SIM_LINK_HAS_DELAY : 0u) |
                    (v[1] ? SIM_LINK_HAS_RATE : 0u) |
                    (v[2] ? SIM_LINK_HAS_LOSS : 0u) |
                    (v[3] ? SIM_LINK_HAS_MTU : 0u) |
                    (v[4] ? SIM_LINK_HAS_QUEUE : 0u) |
                    (v[5] ? SIM_LINK_HAS_MODEL : 0u);
  return 0;
}

typedef struct topo_kind {
  const char *name;
  sim_topo_kind kind;
  const char *const *params;
  unsigned required; /* bit k: params[k] must be given */
  const char *example, *param_example;
} topo_kind;

static const char *const tree_params[] = {"fanout", "depth", "parents", NULL};
static const char *const n_params[] = {"n", NULL};
static const char *const random_params[] = {"n", "parents", "seed", NULL};
static const char *const grid_params[] = {"w", "h", "parents", "spacing",
                                          NULL};

static const topo_kind topo_kinds[] = {
    {"tree", SIM_TOPO_TREE, tree_params, 3,
     "topology tree fanout=2 depth=3 parents=2", "fanout=2"},
    {"linear", SIM_TOPO_LINEAR, n_params, 1, "topology linear n=6", "n=6"},
    {"cyclic", SIM_TOPO_CYCLIC, n_params, 1, "topology cyclic n=4", "n=4"},
    {"star", SIM_TOPO_STAR, n_params, 1, "topology star n=100", "n=100"},
    {"random", SIM_TOPO_RANDOM, random_params, 1,
     "topology random n=50 parents=1 seed=3", "n=50"},
    {"grid", SIM_TOPO_GRID, grid_params, 3,
     "topology grid w=7 h=7 parents=2 spacing=40", "w=7"},
};

/* The file's path as the runner opens it: relative paths are relative to
 * the scenario file's directory. */
static int resolve_file(parser *p, const char *file) {
  sim_topo_spec *t = &p->s->topo;
  const char *slash = strrchr(p->s->path, '/');
  if (file[0] == '/' || !slash) {
    t->path = t->file;
    return 0;
  }
  size_t dirlen = (size_t)(slash - p->s->path) + 1, len = strlen(file);
  if (!(t->path = scn_chunk_alloc(&p->s->chunks, dirlen + len + 1)))
    return scn_nomem(p);
  memcpy(t->path, p->s->path, dirlen);
  memcpy(t->path + dirlen, file, len + 1);
  return 0;
}

static int d_topology(parser *p) {
  sim_topo_spec *t = &p->s->topo;
  int rv = scn_once(p, "topology", &p->topo_line);
  if (rv) return rv;
  t->line = p->line;
  if (p->ntok < 2)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "topology: expected 'topology KIND [PARAMETERS]' with KIND "
                "tree, linear, cyclic, star, random, grid or file, got '%s'",
                scn_got_line(p));
  const char *kind = p->tok[1];
  if (strcmp(kind, "file") == 0) {
    if (p->ntok != 3 || !p->tok[2][0])
      return scn_fail(p, MCC_ERR_SYNTAX,
                  "topology file: expected 'topology file PATH' (quote a "
                  "path with spaces), got '%s'",
                  scn_got_line(p));
    t->kind = SIM_TOPO_FILE;
    if (!(t->file = scn_sdup(p, p->tok[2]))) return scn_nomem(p);
    return resolve_file(p, t->file);
  }
  const topo_kind *k = NULL;
  for (size_t i = 0; i < sizeof topo_kinds / sizeof topo_kinds[0]; i++)
    if (strcmp(topo_kinds[i].name, kind) == 0) k = &topo_kinds[i];
  if (!k)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "topology: unknown kind '%s' (expected tree, linear, cyclic, "
                "star, random, grid or file)",
                scn_show(p, kind));
  char what[32];
  snprintf(what, sizeof what, "topology %s", k->name);
  const char *v[4];
  if ((rv = scn_params(p, what, 2, k->params, v, k->param_example)))
    return rv;
  for (unsigned i = 0; k->params[i]; i++)
    if ((k->required >> i & 1) && !v[i])
      return scn_fail(p, MCC_ERR_SYNTAX, "%s: missing %s= (such as '%s')", what,
                  k->params[i], k->example);
  t->kind = k->kind;
  t->parents = 1;
  t->spacing = 40;
  for (unsigned i = 0; k->params[i]; i++) {
    const char *name = k->params[i];
    uint64_t min = 1, max = UINT_MAX, val;
    if (!v[i]) continue;
    if (strcmp(name, "spacing") == 0) {
      if (scn_parse_number(v[i], &t->spacing) != 0 || !(t->spacing > 0) ||
          t->spacing > 1e6)
        return scn_fail(p, MCC_ERR_VALUE,
                        "%s: spacing: expected metres, more than 0 and at "
                        "most 1000000, such as 40 or 12.5, got '%s'",
                        what, scn_show(p, v[i]));
      continue;
    }
    if (strcmp(name, "depth") == 0) min = 0;
    if (strcmp(name, "parents") == 0) max = 2;
    if (strcmp(name, "n") == 0 && k->kind == SIM_TOPO_CYCLIC) min = 3;
    if (strcmp(name, "seed") == 0) min = 0, max = UINT64_MAX;
    if (scn_parse_uint(v[i], min, max, &val) != 0)
      return scn_fail(p, MCC_ERR_VALUE,
                  "%s: %s: expected an integer in range %" PRIu64 "-%" PRIu64
                  ", got '%s'",
                  what, name, min, max, scn_show(p, v[i]));
    if (strcmp(name, "fanout") == 0) t->fanout = (unsigned)val;
    if (strcmp(name, "depth") == 0) t->depth = (unsigned)val;
    if (strcmp(name, "parents") == 0) t->parents = (unsigned)val;
    if (strcmp(name, "n") == 0) t->n = (unsigned)val;
    if (strcmp(name, "w") == 0) t->w = (unsigned)val;
    if (strcmp(name, "h") == 0) t->h = (unsigned)val;
    if (strcmp(name, "seed") == 0) t->seed = val, t->has_seed = 1;
  }
  if (k->kind == SIM_TOPO_LINEAR || k->kind == SIM_TOPO_CYCLIC ||
      k->kind == SIM_TOPO_STAR)
    t->parents = 0;
  return 0;
}

static int d_set(parser *p) {
  sim_scenario *s = p->s;
  if (p->ntok < 2)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "set: expected 'set KEY VALUE' such as 'set "
                "keep-alive-period 30s', got '%s'",
                scn_got_line(p));
  const mcc_conf_key *k = mcc_conf_key_find(p->tok[1]);
  if (!k) {
    const mcc_conf_key *near =
        mcc_conf_key_closest(p->tok[1], strlen(p->tok[1]));
    const char *best = near ? near->name : NULL;
    return scn_fail(p, MCC_ERR_SYNTAX, "set: unknown mcc.conf key '%s'%s%s%s",
                scn_show(p, p->tok[1]), best ? " (did you mean '" : "",
                best ? best : "", best ? "'?)" : "");
  }
  if (p->ntok < 3)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "set: %s: missing value (write \"\" for an empty one)",
                k->name);
  const char *value = scn_join(p, 2, p->ntok);
  if (!value) return scn_nomem(p);
  if (!p->conf && mcc_conf_new(&p->conf) != 0) return scn_nomem(p);
  char msg[256];
  int rv = mcc_conf_set(p->conf, k->name, value, msg, sizeof msg);
  if (rv == MCC_ERR_NOMEM) return scn_nomem(p);
  if (rv != 0)
    return scn_fail(p, rv == MCC_ERR_SYNTAX ? MCC_ERR_SYNTAX : MCC_ERR_VALUE,
                "set: %s", msg);
  if (scn_grow(&s->sets, &s->capsets, s->nsets + 1, sizeof *s->sets) != 0)
    return scn_nomem(p);
  sim_conf_override *o = &s->sets[s->nsets];
  if (!(o->key = scn_sdup(p, k->name)) || !(o->value = scn_sdup(p, value)))
    return scn_nomem(p);
  o->line = p->line;
  s->nsets++;
  if (msg[0]) { /* a warning: a deprecated key */
    char head[64];
    int n = snprintf(head, sizeof head, ":%u: set: ", p->line);
    size_t plen = strlen(s->path), len = plen + (size_t)n + strlen(msg) + 1;
    char *w = scn_chunk_alloc(&s->chunks, len);
    if (!w || scn_grow(&s->warnings, &s->capwarnings, s->nwarnings + 1,
                   sizeof *s->warnings) != 0)
      return scn_nomem(p);
    snprintf(w, len, "%s%s%s", s->path, head, msg);
    s->warnings[s->nwarnings++] = w;
  }
  return 0;
}

/* The entry of node tok[1] in s->nodes, created at its first mention. */
static int node_spec(parser *p, const char *what, sim_node_spec **pspec) {
  sim_scenario *s = p->s;
  char *name;
  int rv = scn_node_arg(p, what, 1, &name), fresh;
  if (rv) return rv;
  if (scn_grow(&s->nodes, &s->capnodes, s->nnodes + 1, sizeof *s->nodes) != 0)
    return scn_nomem(p);
  slot *sl = scn_strmap_get(&p->nodes, name, &fresh);
  if (!sl) return scn_nomem(p);
  if (fresh) {
    sl->index = s->nnodes++;
    memset(&s->nodes[sl->index], 0, sizeof *s->nodes);
    s->nodes[sl->index].node = name;
    s->nodes[sl->index].line = p->line;
  }
  *pspec = &s->nodes[sl->index];
  return 0;
}

static int network_arg(parser *p, const char *what, const char *t,
                       int *pnet) {
  uint64_t v;
  if (scn_parse_uint(t, 0, SIM_SCENARIO_NETWORK_MAX, &v) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "%s: expected a network number 0-%d, got '%s'", what,
                SIM_SCENARIO_NETWORK_MAX, scn_show(p, t));
  *pnet = (int)v;
  return 0;
}

static int d_network(parser *p) {
  sim_node_spec *n;
  int net = 0, rv;
  if (p->ntok != 3)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "network: expected 'network NODE NET' such as 'network n3 "
                "1', got '%s'",
                scn_got_line(p));
  if ((rv = network_arg(p, "network", p->tok[2], &net))) return rv;
  if ((rv = node_spec(p, "network", &n))) return rv;
  if (n->has_network)
    return scn_fail(p, MCC_ERR_VALUE, "network: %s's network is already set",
                n->node);
  n->has_network = 1;
  n->network = net;
  return 0;
}

static int d_trust(parser *p) {
  sim_node_spec *n;
  int net = 0, mask = 0, rv;
  if (p->ntok < 3)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "trust: expected 'trust NODE NET...' such as 'trust n3 0', "
                "got '%s'",
                scn_got_line(p));
  for (size_t i = 2; i < p->ntok; i++) {
    if ((rv = network_arg(p, "trust", p->tok[i], &net))) return rv;
    mask |= 1 << net;
  }
  if ((rv = node_spec(p, "trust", &n))) return rv;
  n->trusts |= mask;
  return 0;
}

static int d_tunnels(parser *p) {
  int rv = scn_once(p, "tunnels", &p->tunnels_line);
  if (rv) return rv;
  const char *t = p->ntok == 2 ? p->tok[1] : "";
  if (strcmp(t, "only") == 0 || strcmp(t, "allow-nodes") == 0) {
    p->s->tunnels_only = t[0] == 'o';
    return 0;
  }
  return scn_fail(p, MCC_ERR_VALUE,
                  "tunnels: expected 'tunnels only' or 'tunnels "
                  "allow-nodes', got '%s'",
                  scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
}

static int d_names(parser *p) {
  int rv = scn_once(p, "names", &p->names_line);
  if (rv) return rv;
  if (p->ntok == 2 && strcmp(p->tok[1], "on") == 0) {
    p->s->names_on = 1;
    return 0;
  }
  return scn_fail(p, MCC_ERR_VALUE, "names: expected 'names on', got '%s'",
                  scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
}

static int d_backend(parser *p) {
  int rv = scn_once(p, "backend", &p->backend_line);
  if (rv) return rv;
  const char *b = p->ntok == 2 ? p->tok[1] : "";
  if (strcmp(b, "native") == 0 || strcmp(b, "ns3") == 0) {
    p->s->backend_ns3 = b[0] == 'n' && b[1] == 's';
    p->s->backend_line = p->line;
    return 0;
  }
  return scn_fail(p, MCC_ERR_VALUE,
                  "backend: expected 'backend native' or 'backend ns3', got "
                  "'%s'",
                  scn_join(p, 1, p->ntok) ? scn_show(p, p->join) : "");
}

/* tok[i]: a tunnel's name, spelt as a node's. */
static int tunnel_name_arg(parser *p, const char *what, size_t i,
                           char **pname) {
  if (!scn_valid_node(p->tok[i]))
    return scn_fail(p, MCC_ERR_VALUE,
                    "%s: expected a tunnel name (letters, digits, '_', '.', "
                    "'-') such as cam, got '%s'",
                    what, scn_show(p, p->tok[i]));
  if (!(*pname = scn_sdup(p, p->tok[i]))) return scn_nomem(p);
  return 0;
}

/* tunnel NAME client NODE server NODE targets TARGETS */
static int d_tunnel(parser *p) {
  sim_scenario *s = p->s;
  sim_tunnel_spec t;
  char msg[256];
  int rv, fresh;
  memset(&t, 0, sizeof t);
  t.line = p->line;
  if (p->ntok != 8 || strcmp(p->tok[2], "client") != 0 ||
      strcmp(p->tok[4], "server") != 0 || strcmp(p->tok[6], "targets") != 0)
    return scn_fail(p, MCC_ERR_SYNTAX,
                    "tunnel: expected 'tunnel NAME client NODE server NODE "
                    "targets TARGETS' such as 'tunnel cam client n4 server "
                    "n9 targets tcp:80,udp:7000-7010', got '%s'",
                    scn_got_line(p));
  if ((rv = tunnel_name_arg(p, "tunnel", 1, &t.name)) ||
      (rv = scn_node_arg(p, "tunnel: client", 3, &t.client)) ||
      (rv = scn_node_arg(p, "tunnel: server", 5, &t.server)))
    return rv;
  if (strcmp(t.client, t.server) == 0)
    return scn_fail(p, MCC_ERR_VALUE,
                    "tunnel: expected two different nodes, got 'client %s "
                    "server %s'",
                    t.client, t.server);
  rv = mcc_targets_parse(p->tok[7], strlen(p->tok[7]), t.targets,
                         MCC_TUNNEL_MAX_TARGETS, &t.ntargets, msg, sizeof msg);
  if (rv == MCC_ERR_NOMEM) return scn_nomem(p);
  if (rv != 0)
    return scn_fail(p, MCC_ERR_VALUE, "tunnel: targets: %s", msg);
  if (scn_grow(&s->tunnels, &s->captunnels, s->ntunnels + 1,
               sizeof *s->tunnels) != 0)
    return scn_nomem(p);
  slot *sl = scn_strmap_get(&p->tunnels, t.name, &fresh);
  if (!sl) return scn_nomem(p);
  if (!fresh)
    return scn_fail(p, MCC_ERR_VALUE,
                    "tunnel: a tunnel named '%s' is already declared on line "
                    "%u (each tunnel needs its own name)",
                    t.name, sl->line);
  sl->index = s->ntunnels;
  sl->line = p->line;
  s->tunnels[s->ntunnels++] = t;
  return 0;
}

static int d_idle(parser *p) {
  sim_scenario *s = p->s;
  int rv = scn_once(p, "idle", &p->idle_line);
  if (rv) return rv;
  if (p->ntok != 5 || strcmp(p->tok[1], "from") != 0 ||
      strcmp(p->tok[3], "to") != 0)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "idle: expected 'idle from TIME to TIME' such as 'idle from "
                "5m to 65m', got '%s'",
                scn_got_line(p));
  if ((rv = scn_time_arg(p, "idle: from", p->tok[2], &s->idle_from_ns)) ||
      (rv = scn_time_arg(p, "idle: to", p->tok[4], &s->idle_to_ns)))
    return rv;
  if (s->idle_to_ns <= s->idle_from_ns)
    return scn_fail(p, MCC_ERR_VALUE,
                "idle: the window must end after it begins, got 'from %s to "
                "%s'",
                scn_show(p, p->tok[2]), scn_show(p, p->tok[4]));
  s->has_idle = 1;
  return after_end(p, "idle", s->idle_to_ns);
}

static int ev_usage(parser *p, const char *what, const char *usage) {
  return scn_fail(p, MCC_ERR_SYNTAX, "%s: expected '%s', got '%s'", what, usage,
              scn_got_line(p));
}

/* tok[i]: a node's name, or tunnel:NAME (*ptunnel = 1, the name). */
static int flow_end_arg(parser *p, const char *what, size_t i, char **pname,
                        int *ptunnel) {
  const char *t = p->tok[i];
  *ptunnel = strncmp(t, "tunnel:", 7) == 0;
  if (!*ptunnel) return scn_node_arg(p, what, i, pname);
  if (!scn_valid_node(t + 7))
    return scn_fail(p, MCC_ERR_VALUE,
                    "%s: expected tunnel:NAME with a tunnel's name such as "
                    "tunnel:cam, got '%s'",
                    what, scn_show(p, t));
  if (!(*pname = scn_sdup(p, t + 7))) return scn_nomem(p);
  return 0;
}

/* The port= of a flow: what a tunnel flow needs, a node flow may have. */
static int flow_port(parser *p, sim_event *ev, const char *v) {
  uint64_t port = SIM_FLOW_PORT_DEFAULT;
  if (v && ev->proto == SIM_PROTO_ICMP)
    return scn_fail(p, MCC_ERR_VALUE,
                    "flow start: port= is for udp and tcp flows, not icmp");
  if (!v && ev->proto != SIM_PROTO_ICMP && ev->end != SIM_FLOW_NODES)
    return scn_fail(p, MCC_ERR_VALUE,
                    "flow start: a %s flow %s a tunnel needs port= (the "
                    "server's port, such as port=80)",
                    ev->proto == SIM_PROTO_TCP ? "tcp" : "udp",
                    ev->end == SIM_FLOW_TO_TUNNEL ? "to" : "from");
  if (v && scn_parse_uint(v, 1, 65535, &port) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                    "flow start: port: expected a port in range 1-65535, got "
                    "'%s'",
                    scn_show(p, v));
  ev->port = ev->proto == SIM_PROTO_ICMP ? 0 : (uint16_t)port;
  return 0;
}

/* tok: at TIME flow start NAME from A to B PROTO [size=N] [every=T]
 * [port=P], A or B a node or tunnel:NAME */
static int ev_flow(parser *p, sim_event *ev) {
  static const char *const names[] = {"size", "every", "port", NULL};
  static const char *const start_usage =
      "at TIME flow start NAME from NODE|tunnel:NAME to NODE|tunnel:NAME "
      "udp|tcp|icmp [size=BYTES] [every=TIME] [port=PORT]";
  const char *sub = p->ntok > 3 ? p->tok[3] : "";
  const char *v[3];
  int rv, from_tunnel, to_tunnel;
  if (strcmp(sub, "stop") == 0) {
    ev->kind = SIM_EV_FLOW_STOP;
    if (p->ntok != 5) return ev_usage(p, "flow stop", "at TIME flow stop NAME");
    return scn_node_arg(p, "flow stop", 4, &ev->flow);
  }
  if (strcmp(sub, "start") != 0)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "flow: expected 'flow start' or 'flow stop', got 'flow %s'",
                scn_show(p, sub));
  ev->kind = SIM_EV_FLOW_START;
  if (p->ntok < 10 || strcmp(p->tok[5], "from") != 0 ||
      strcmp(p->tok[7], "to") != 0)
    return ev_usage(p, "flow start", start_usage);
  if ((rv = scn_node_arg(p, "flow start", 4, &ev->flow)) ||
      (rv = flow_end_arg(p, "flow start: from", 6, &ev->a, &from_tunnel)) ||
      (rv = flow_end_arg(p, "flow start: to", 8, &ev->b, &to_tunnel)))
    return rv;
  if (from_tunnel && to_tunnel)
    return scn_fail(p, MCC_ERR_VALUE,
                    "flow start: expected at most one end to be a tunnel, "
                    "got 'from %s to %s'",
                    scn_show(p, p->tok[6]), scn_show(p, p->tok[8]));
  if (to_tunnel) { /* the nodes are the tunnel's: scenario.c fills them */
    ev->end = SIM_FLOW_TO_TUNNEL;
    ev->tunnel = ev->b;
    ev->b = NULL;
  } else if (from_tunnel) {
    ev->end = SIM_FLOW_FROM_TUNNEL;
    ev->tunnel = ev->a;
    ev->a = NULL;
  } else if (strcmp(ev->a, ev->b) == 0) {
    return scn_fail(p, MCC_ERR_VALUE,
                "flow start: expected two different nodes, got 'from %s to "
                "%s'",
                ev->a, ev->b);
  }
  const char *proto = p->tok[9];
  if (strcmp(proto, "udp") == 0)
    ev->proto = SIM_PROTO_UDP;
  else if (strcmp(proto, "tcp") == 0)
    ev->proto = SIM_PROTO_TCP;
  else if (strcmp(proto, "icmp") == 0)
    ev->proto = SIM_PROTO_ICMP;
  else
    return scn_fail(p, MCC_ERR_VALUE,
                "flow start: expected a protocol udp, tcp or icmp, got '%s'",
                scn_show(p, proto));
  if ((rv = scn_params(p, "flow start", 10, names, v, "size=64")) != 0) return rv;
  uint64_t size = SIM_FLOW_SIZE_DEFAULT;
  if (v[0] && scn_parse_uint(v[0], 0, SIM_FLOW_SIZE_MAX, &size) != 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "flow start: size: expected payload bytes in range 0-%d, got "
                "'%s'",
                SIM_FLOW_SIZE_MAX, scn_show(p, v[0]));
  ev->size = (uint32_t)size;
  ev->every_ns = SIM_FLOW_EVERY_DEFAULT_NS;
  if (v[1] && (sim_parse_duration_ns(v[1], &ev->every_ns) != 0 ||
               ev->every_ns == 0))
    return scn_fail(p, MCC_ERR_VALUE,
                "flow start: every: expected an interval above 0 such as "
                "1s or 100ms, got '%s'",
                scn_show(p, v[1]));
  return flow_port(p, ev, v[2]);
}

/* tok: at TIME tunnel add NAME | at TIME tunnel revoke NAME [client|server] */
static int ev_tunnel(parser *p, sim_event *ev) {
  const char *sub = p->ntok > 3 ? p->tok[3] : "";
  ev->ends = SIM_END_BOTH;
  if (strcmp(sub, "add") == 0) {
    ev->kind = SIM_EV_TUNNEL_ADD;
    if (p->ntok != 5) return ev_usage(p, "tunnel add", "at TIME tunnel add NAME");
    return tunnel_name_arg(p, "tunnel add", 4, &ev->tunnel);
  }
  if (strcmp(sub, "revoke") != 0)
    return scn_fail(p, MCC_ERR_SYNTAX,
                    "tunnel: expected 'tunnel add' or 'tunnel revoke', got "
                    "'tunnel %s'",
                    scn_show(p, sub));
  ev->kind = SIM_EV_TUNNEL_REVOKE;
  if (p->ntok != 5 && p->ntok != 6)
    return ev_usage(p, "tunnel revoke",
                    "at TIME tunnel revoke NAME [client|server]");
  if (p->ntok == 6 && strcmp(p->tok[5], "client") == 0)
    ev->ends = SIM_END_CLIENT;
  else if (p->ntok == 6 && strcmp(p->tok[5], "server") == 0)
    ev->ends = SIM_END_SERVER;
  else if (p->ntok == 6)
    return scn_fail(p, MCC_ERR_VALUE,
                    "tunnel revoke: expected the end client or server (none: "
                    "both ends), got '%s'",
                    scn_show(p, p->tok[5]));
  return tunnel_name_arg(p, "tunnel revoke", 4, &ev->tunnel);
}

static int ev_ping(parser *p, sim_event *ev) {
  static const char *const names[] = {"max", NULL};
  const char *v[1];
  int rv;
  if (p->ntok > 3 && strcmp(p->tok[3], "all") == 0) {
    ev->kind = SIM_EV_PING_ALL;
    if ((rv = scn_params(p, "ping all", 4, names, v, "max=2000"))) return rv;
    if (v[0] && scn_parse_uint(v[0], 1, UINT64_MAX, &ev->ping_max) != 0)
      return scn_fail(p, MCC_ERR_VALUE,
                  "ping all: max: expected a number of pairs of at least 1, "
                  "got '%s'",
                  scn_show(p, v[0]));
    return 0;
  }
  ev->kind = SIM_EV_PING;
  if (p->ntok != 5)
    return ev_usage(p, "ping", "at TIME ping all [max=PAIRS]' or 'at TIME "
                               "ping NODE NODE");
  if ((rv = scn_node_arg(p, "ping", 3, &ev->a)) ||
      (rv = scn_node_arg(p, "ping", 4, &ev->b)))
    return rv;
  if (strcmp(ev->a, ev->b) == 0)
    return scn_fail(p, MCC_ERR_VALUE,
                "ping: expected two different nodes, got '%s %s'", ev->a,
                ev->b);
  return 0;
}

static int ev_resolve(parser *p, sim_event *ev) {
  int rv;
  if (p->ntok == 4 && strcmp(p->tok[3], "leaves") == 0) {
    ev->kind = SIM_EV_RESOLVE_LEAVES;
    return 0;
  }
  ev->kind = SIM_EV_RESOLVE;
  if (p->ntok != 5)
    return ev_usage(p, "resolve",
                    "at TIME resolve NODE NODE' or 'at TIME resolve leaves");
  if ((rv = scn_node_arg(p, "resolve", 3, &ev->a)) ||
      (rv = scn_node_arg(p, "resolve", 4, &ev->b)))
    return rv;
  if (strcmp(ev->a, ev->b) == 0)
    return scn_fail(p, MCC_ERR_VALUE,
                    "resolve: expected two different nodes, got '%s %s'",
                    ev->a, ev->b);
  return 0;
}

/* at TIME move NODE x=X y=Y: metres, within the grid generator's reach */
static int ev_move(parser *p, sim_event *ev) {
  static const char *const names[] = {"x", "y", NULL};
  const char *v[2];
  int rv;
  ev->kind = SIM_EV_MOVE;
  if (p->ntok != 6) return ev_usage(p, "move", "at TIME move NODE x=X y=Y");
  if ((rv = scn_node_arg(p, "move", 3, &ev->a)) ||
      (rv = scn_params(p, "move", 4, names, v, "x=120")))
    return rv;
  double *out[2] = {&ev->x, &ev->y};
  for (int k = 0; k < 2; k++)
    if (!v[k] || scn_parse_number(v[k], out[k]) != 0 || *out[k] < -1e9 ||
        *out[k] > 1e9)
      return scn_fail(p, MCC_ERR_VALUE,
                      "move: %s: expected metres such as %s=120 or %s=-7.5 "
                      "(both x= and y=), got '%s'",
                      names[k], names[k], names[k],
                      v[k] ? scn_show(p, v[k]) : "");
  return 0;
}

static int d_at(parser *p) {
  sim_scenario *s = p->s;
  sim_event ev;
  int rv;
  memset(&ev, 0, sizeof ev);
  ev.line = p->line;
  if (p->ntok < 3)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "at: expected 'at TIME EVENT' (EVENT: kill, revive, "
                "restart, cut, restore, flow, ping, tunnel, resolve, move), "
                "got "
                "'%s'",
                scn_got_line(p));
  if ((rv = scn_time_arg(p, "at", p->tok[1], &ev.time_ns))) return rv;
  const char *kind = p->tok[2];
  if (strcmp(kind, "kill") == 0 || strcmp(kind, "revive") == 0) {
    ev.kind = kind[0] == 'k' ? SIM_EV_KILL : SIM_EV_REVIVE;
    if (p->ntok != 4)
      return ev_usage(p, kind, kind[0] == 'k' ? "at TIME kill NODE"
                                              : "at TIME revive NODE");
    if ((rv = scn_node_arg(p, kind, 3, &ev.a))) return rv;
  } else if (strcmp(kind, "restart") == 0) {
    ev.kind = SIM_EV_RESTART;
    if (p->ntok != 4) return ev_usage(p, kind, "at TIME restart NODE");
    if ((rv = scn_node_arg(p, kind, 3, &ev.a))) return rv;
  } else if (strcmp(kind, "cut") == 0 || strcmp(kind, "restore") == 0) {
    ev.kind = kind[0] == 'c' ? SIM_EV_CUT : SIM_EV_RESTORE;
    if (p->ntok != 5)
      return ev_usage(p, kind, kind[0] == 'c' ? "at TIME cut NODE NODE"
                                              : "at TIME restore NODE NODE");
    if ((rv = scn_node_arg(p, kind, 3, &ev.a)) ||
        (rv = scn_node_arg(p, kind, 4, &ev.b)))
      return rv;
    if (strcmp(ev.a, ev.b) == 0)
      return scn_fail(p, MCC_ERR_VALUE,
                  "%s: expected the two ends of a link, got '%s %s'", kind,
                  ev.a, ev.b);
  } else if (strcmp(kind, "flow") == 0) {
    if ((rv = ev_flow(p, &ev))) return rv;
  } else if (strcmp(kind, "ping") == 0) {
    if ((rv = ev_ping(p, &ev))) return rv;
  } else if (strcmp(kind, "tunnel") == 0) {
    if ((rv = ev_tunnel(p, &ev))) return rv;
  } else if (strcmp(kind, "resolve") == 0) {
    if ((rv = ev_resolve(p, &ev))) return rv;
  } else if (strcmp(kind, "move") == 0) {
    if ((rv = ev_move(p, &ev))) return rv;
  } else {
    return scn_fail(p, MCC_ERR_SYNTAX,
                "at: unknown event '%s' (expected kill, revive, restart, "
                "cut, restore, flow start, flow stop, ping, tunnel add, "
                "tunnel revoke, resolve or move)",
                scn_show(p, kind));
  }
  if ((rv = after_end(p, "at", ev.time_ns))) return rv;
  if (scn_grow(&s->events, &s->capevents, s->nevents + 1, sizeof ev) != 0)
    return scn_nomem(p);
  s->events[s->nevents++] = ev;
  return 0;
}

const char *const scn_op_names[6] = {"<", "<=", ">", ">=", "==", "!="};

static int d_expect(parser *p) {
  sim_scenario *s = p->s;
  sim_expectation e;
  memset(&e, 0, sizeof e);
  e.line = p->line;
  if (p->ntok != 4)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "expect: expected 'expect METRIC OP VALUE' with spaces "
                "around the operator (< <= > >= == !=) such as 'expect "
                "routing.loops == 0', got '%s'",
                scn_got_line(p));
  if (!scn_valid_metric(p->tok[1]))
    return scn_fail(p, MCC_ERR_VALUE,
                "expect: expected a metric name such as routing.delivered "
                "(a-z, 0-9, '_', parts joined by '.'), got '%s'",
                scn_show(p, p->tok[1]));
  size_t op = 0;
  while (op < 6 && strcmp(scn_op_names[op], p->tok[2]) != 0) op++;
  if (op == 6)
    return scn_fail(p, MCC_ERR_VALUE,
                "expect: expected an operator < <= > >= == or !=, got '%s'",
                scn_show(p, p->tok[2]));
  e.op = (sim_expect_op)op;
  const char *rhs = p->tok[3];
  int num = scn_parse_number(rhs, &e.rhs_value);
  if (num == -2)
    return scn_fail(p, MCC_ERR_VALUE,
                "expect: expected a number within the range of a double, got "
                "'%s'",
                scn_show(p, rhs));
  if (num != 0) {
    if (!scn_valid_metric(rhs))
      return scn_fail(p, MCC_ERR_VALUE,
                  "expect: expected a number or a metric name after '%s', "
                  "got '%s'",
                  scn_op_names[op], scn_show(p, rhs));
    if (!(e.rhs_metric = scn_sdup(p, rhs))) return scn_nomem(p);
  }
  if (!(e.metric = scn_sdup(p, p->tok[1])) || !scn_join(p, 1, 4) ||
      !(e.text = scn_sdup(p, p->join)))
    return scn_nomem(p);
  if (scn_grow(&s->expects, &s->capexpects, s->nexpects + 1, sizeof e) != 0)
    return scn_nomem(p);
  s->expects[s->nexpects++] = e;
  return 0;
}

static const struct directive {
  const char *name;
  int (*fn)(parser *p);
} directives[] = {
    {"name", d_name},       {"topology", d_topology}, {"seed", d_seed},
    {"duration", d_duration}, {"link", d_link},       {"set", d_set},
    {"network", d_network}, {"trust", d_trust},       {"tunnels", d_tunnels},
    {"tunnel", d_tunnel},   {"idle", d_idle},         {"at", d_at},
    {"expect", d_expect},   {"names", d_names},       {"backend", d_backend},
};

int scn_parse_line(parser *p, const char *b, const char *e) {
  int rv = scn_tokenize(p, b, e);
  if (rv || p->ntok == 0) return rv;
  for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
    if (strcmp(directives[i].name, p->tok[0]) == 0) return directives[i].fn(p);
  return scn_fail(p, MCC_ERR_SYNTAX,
              "unknown directive '%s' (expected name, topology, seed, "
              "duration, link, set, network, trust, tunnels, tunnel, names, "
              "backend, idle, at, expect)",
              scn_show(p, p->tok[0]));
}
