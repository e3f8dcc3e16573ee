/*
 * run.c — one scenario, start to end (run.h): the topology from its
 * generator or DOT file, the node networks and config overrides applied,
 * the tunnels made, the timeline played on the engine with measurements
 * in step, then the outputs and the verdict on every expectation. Every name in the scenario
 * is checked before the first event runs, so a typo costs no simulation.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mcc/conf.h>

#include "comm.h"
#include "cost.h"
#include "dot.h"
#include "engine.h"
#include "fatal.h"
#include "link_models.h"
#include "lookups.h"
#include "measure.h"
#include "metrics.h"
#include "output.h"
#include "rank_output.h"
#include "run.h"
#include "scenario.h"

#define S_NS 1000000000ull
#define WHAT "running the scenario"
#define UNIX_START 1790000000 /* a fixed wall clock: runs reproduce */
#define DEFAULT_DELAY_NS (10 * 1000000ull)

/* A tunnel of the scenario as the run stands: the ends it is missing
 * from (SIM_END_*), and since when it has been missing from one. */
typedef struct tunnel_state {
  uint32_t client, server, index; /* nodes; the engine's number */
  unsigned missing;
  uint64_t missing_since;
} tunnel_state;

typedef struct flow_state {
  const char *name;
  uint32_t src, dst, id, seq;
  const mcc_id *to; /* the destination: a node's id, an endpoint's key */
  uint16_t sport, dport;
  int proto;
  uint32_t size;
  uint64_t every, next_at;
  int active;
  size_t tunnel; /* SIZE_MAX: none, or not inside it */
  int denied;    /* no tunnel allows it */
} flow_state;

typedef struct run_ctx {
  const sim_scenario *sc;
  sim_topology topo;
  sim_engine *e;
  sim_measure *m;
  uint32_t *ev_a, *ev_b; /* resolved node indexes per event */
  size_t *ev_tunnel;     /* index in tunnels per event naming one */
  tunnel_state *tunnels; /* as sc->tunnels */
  uint64_t keep_alive_ns;
  flow_state *flows;
  size_t nflows;
  int threads, ranks;
  sim_comm *comm; /* MPI ranks, or NULL */
  int ns3;              /* the run is on the ns-3 backend */
  sim_lookups *lookups; /* `resolve` events */
} run_ctx;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  return 2;
}

static int build_topology(run_ctx *c, uint64_t seed, char *err,
                          size_t errlen) {
  const sim_topo_spec *t = &c->sc->topo;
  sim_topology_init(&c->topo);
  switch (t->kind) {
  case SIM_TOPO_TREE:
    return sim_topology_tree(&c->topo, t->fanout, t->depth,
                             t->parents ? t->parents : 1, err, errlen);
  case SIM_TOPO_LINEAR:
    return sim_topology_linear(&c->topo, t->n, err, errlen);
  case SIM_TOPO_CYCLIC:
    return sim_topology_cyclic(&c->topo, t->n, err, errlen);
  case SIM_TOPO_STAR:
    return sim_topology_star(&c->topo, t->n, err, errlen);
  case SIM_TOPO_RANDOM:
    return sim_topology_random(&c->topo, t->n, t->parents ? t->parents : 1,
                               t->has_seed ? t->seed : seed, err, errlen);
  case SIM_TOPO_FILE:
    return sim_dot_read(&c->topo, t->path, err, errlen);
  case SIM_TOPO_GRID:
    return sim_topology_grid(&c->topo, t->w, t->h,
                             t->parents ? t->parents : 1, t->spacing, err,
                             errlen);
  default:
    snprintf(err, errlen, "no topology");
    return MCC_ERR_VALUE;
  }
}

static int parent_of(const sim_topology *t, uint32_t child, uint32_t p) {
  uint32_t parents[MCC_MAX_PARENTS];
  size_t np = sim_topology_parents(t, child, parents, MCC_MAX_PARENTS);
  for (size_t k = 0; k < np && k < MCC_MAX_PARENTS; k++)
    if (parents[k] == p) return 1;
  return 0;
}

static int has_link(const sim_topology *t, uint32_t a, uint32_t b) {
  return parent_of(t, a, b) || parent_of(t, b, a);
}

typedef struct named {
  const char *name;
  size_t index;
} named;

static int by_name(const void *a, const void *b) {
  return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* Which tunnel each event names (the parser made sure it exists). */
static int tunnel_indexes(run_ctx *c) {
  const sim_scenario *sc = c->sc;
  named *byname = sim_xcalloc(sc->ntunnels, sizeof *byname, WHAT);
  for (size_t k = 0; k < sc->ntunnels; k++)
    byname[k] = (named){sc->tunnels[k].name, k};
  qsort(byname, sc->ntunnels, sizeof *byname, by_name);
  for (size_t k = 0; k < sc->nevents; k++) {
    named key = {sc->events[k].tunnel, 0};
    const named *hit =
        key.name ? bsearch(&key, byname, sc->ntunnels, sizeof key, by_name)
                 : NULL;
    if (hit) c->ev_tunnel[k] = hit->index;
  }
  free(byname);
  return 0;
}

/* `names on`: every node's name is one of its dns-names. */
static int name_nodes(run_ctx *c) {
  for (size_t i = 0; c->sc->names_on && i < c->topo.nnodes; i++) {
    sim_topo_node *tn = &c->topo.nodes[i];
    size_t n = strlen(tn->name) + (tn->dns_names ? strlen(tn->dns_names) : 0);
    char *names = sim_xmalloc(n + 2, WHAT);
    snprintf(names, n + 2, "%s%s%s", tn->name, tn->dns_names ? "," : "",
             tn->dns_names ? tn->dns_names : "");
    free(tn->dns_names);
    tn->dns_names = names;
  }
  return 0;
}

/* Node networks and trust, and every event's node names, before running. */
static int resolve_names(run_ctx *c) {
  const sim_scenario *sc = c->sc;
  if (name_nodes(c) != 0) return 2;
  for (size_t k = 0; k < sc->nnodes; k++) {
    const sim_node_spec *ns = &sc->nodes[k];
    long i = sim_topology_find(&c->topo, ns->node);
    if (i < 0)
      return fail("mcc-sim: %s:%u: no node named '%s' in the topology\n",
                  sc->path, ns->line, ns->node);
    if (ns->has_network) c->topo.nodes[i].network = ns->network;
    c->topo.nodes[i].trusts |= ns->trusts;
  }
  c->tunnels = sim_xcalloc(sc->ntunnels, sizeof *c->tunnels, WHAT);
  c->ev_tunnel = sim_xcalloc(sc->nevents, sizeof *c->ev_tunnel, WHAT);
  c->ev_a = sim_xcalloc(sc->nevents, sizeof *c->ev_a, WHAT);
  c->ev_b = sim_xcalloc(sc->nevents, sizeof *c->ev_b, WHAT);
  for (size_t k = 0; k < sc->ntunnels; k++) {
    const sim_tunnel_spec *ts = &sc->tunnels[k];
    long cl = sim_topology_find(&c->topo, ts->client);
    long sv = sim_topology_find(&c->topo, ts->server);
    if (cl < 0 || sv < 0)
      return fail("mcc-sim: %s:%u: no node named '%s' in the topology\n",
                  sc->path, ts->line, cl < 0 ? ts->client : ts->server);
    c->tunnels[k].client = (uint32_t)cl;
    c->tunnels[k].server = (uint32_t)sv;
    c->tunnels[k].missing = ts->starts_missing ? SIM_END_BOTH : 0;
  }
  if (tunnel_indexes(c) != 0) return 2;
  for (size_t k = 0; k < sc->nevents; k++) {
    const sim_event *ev = &sc->events[k];
    long a = ev->a ? sim_topology_find(&c->topo, ev->a) : 0;
    long b = ev->b ? sim_topology_find(&c->topo, ev->b) : 0;
    if (a < 0 || b < 0)
      return fail("mcc-sim: %s:%u: no node named '%s' in the topology\n",
                  sc->path, ev->line, a < 0 ? ev->a : ev->b);
    c->ev_a[k] = (uint32_t)a;
    c->ev_b[k] = (uint32_t)b;
    if ((ev->kind == SIM_EV_CUT || ev->kind == SIM_EV_RESTORE) &&
        !has_link(&c->topo, (uint32_t)a, (uint32_t)b))
      return fail("mcc-sim: %s:%u: no link between %s and %s in the "
                  "topology\n",
                  sc->path, ev->line, ev->a, ev->b);
  }
  for (size_t k = 0; k < sc->nexpects; k++) {
    double v;
    sim_metrics zero;
    memset(&zero, 0, sizeof zero);
    const sim_expectation *x = &sc->expects[k];
    if (!sim_metrics_get(&zero, x->metric, &v) ||
        (x->rhs_metric && !sim_metrics_get(&zero, x->rhs_metric, &v)))
      return fail("mcc-sim: %s:%u: expect: unknown metric in '%s' "
                  "(`mcc-sim metrics` lists them)\n",
                  sc->path, x->line, x->text);
  }
  return 0;
}

static int apply_config(const sim_scenario *sc, mcc_settings *base) {
  mcc_conf *conf = NULL;
  char err[512];
  if (mcc_conf_new(&conf) != 0) return 2;
  for (size_t k = 0; k < sc->nsets; k++)
    if (mcc_conf_set(conf, sc->sets[k].key, sc->sets[k].value, err,
                     sizeof err) != 0) {
      fprintf(stderr, "mcc-sim: %s:%u: set %s: %s\n", sc->path,
              sc->sets[k].line, sc->sets[k].key, err);
      mcc_conf_free(conf);
      return 2;
    }
  mcc_settings_default(base);
  int rv = mcc_conf_apply_settings(conf, base, err, sizeof err);
  /* Names and tags come from the topology, per node. */
  base->dns_names = base->tags = NULL;
  /* Scenarios are version-1 worlds (node-to-node traffic) until they
   * declare tunnels. */
  base->tunnels_only = 0;
  base->trusted_nodes_len = base->trusted_networks_len = 0;
  mcc_conf_free(conf);
  if (rv != 0) {
    fprintf(stderr, "mcc-sim: %s: %s\n", sc->path, err);
    return 2;
  }
  return 0;
}

/* The scenario's tunnels in the engine, in place from the start or not. */
static int make_tunnels(run_ctx *c) {
  const sim_scenario *sc = c->sc;
  for (size_t k = 0; k < sc->ntunnels; k++) {
    tunnel_state *t = &c->tunnels[k];
    const sim_tunnel_spec *ts = &sc->tunnels[k];
    int rv = sim_engine_tunnel_new(c->e, ts->name, t->client, t->server,
                                   ts->targets, ts->ntargets, !t->missing,
                                   &t->index);
    if (rv != 0)
      return fail("mcc-sim: %s:%u: tunnel %s: %s\n", sc->path, ts->line,
                  ts->name, mcc_strerror(rv));
  }
  return 0;
}

/* What the network must do with a packet of f sent now (measure.h). */
static sim_pkt_class packet_class(const run_ctx *c, const flow_state *f,
                                  uint64_t now) {
  if (f->tunnel == SIZE_MAX) return f->denied ? SIM_PKT_DENIED : SIM_PKT_PLAIN;
  const tunnel_state *t = &c->tunnels[f->tunnel];
  if (!t->missing) return SIM_PKT_TUNNEL;
  return now < t->missing_since + c->keep_alive_ns ? SIM_PKT_GRACE
                                                    : SIM_PKT_REVOKED;
}

/* A flow's addresses, ports and standing: between nodes (allowed unless
 * tunnels only), to a tunnel's server endpoint (inside the tunnel when it
 * comes from the tunnel's client to a target), or from it back to the
 * client (inside when it answers from a target). */
static void start_flow(run_ctx *c, size_t k, flow_state *f) {
  const sim_event *ev = &c->sc->events[k];
  uint32_t a = c->ev_a[k], b = c->ev_b[k];
  size_t tk = c->ev_tunnel[k];
  const tunnel_state *t = ev->end != SIM_FLOW_NODES ? &c->tunnels[tk] : NULL;
  const sim_tunnel_spec *ts = t ? &c->sc->tunnels[tk] : NULL;
  int reply = ev->end == SIM_FLOW_FROM_TUNNEL;
  sim_flow_desc d = {b, ev->proto, ev->port, reply};
  *f = (flow_state){ev->flow, a, b, sim_measure_flow_add(c->m, &d), 0,
                    sim_engine_node_id(c->e, b), 0, ev->port, ev->proto,
                    ev->size, ev->every_ns, sim_engine_now(c->e), 1,
                    SIZE_MAX, c->sc->tunnels_only};
  f->sport = (uint16_t)(10000 + f->id);
  if (!t) return;
  f->to = sim_engine_tunnel_endpoint(c->e, t->index, !reply);
  if (reply) {
    f->sport = ev->port;
    f->dport = (uint16_t)(10000 + f->id);
  }
  int inside = ev->proto != SIM_PROTO_ICMP &&
               (reply || a == t->client) &&
               mcc_targets_match(ts->targets, ts->ntargets,
                                 (uint8_t)ev->proto, ev->port);
  f->tunnel = inside ? tk : SIZE_MAX;
  f->denied = !inside;
}

static void apply_tunnel(run_ctx *c, size_t k) {
  const sim_event *ev = &c->sc->events[k];
  tunnel_state *t = &c->tunnels[c->ev_tunnel[k]];
  int add = ev->kind == SIM_EV_TUNNEL_ADD;
  unsigned ends = add ? t->missing : ev->ends;
  if (!add && !t->missing) t->missing_since = sim_engine_now(c->e);
  t->missing = add ? 0 : t->missing | ends;
  sim_engine_tunnel_set(c->e, t->index, ends, add);
}

static void apply_event(run_ctx *c, size_t k) {
  const sim_event *ev = &c->sc->events[k];
  uint32_t a = c->ev_a[k], b = c->ev_b[k];
  switch (ev->kind) {
  case SIM_EV_KILL:
    if (sim_engine_alive(c->e, a)) {
      sim_engine_kill(c->e, a);
      sim_measure_on_kill(c->m, a);
    }
    break;
  case SIM_EV_REVIVE:
    sim_engine_revive(c->e, a);
    break;
  case SIM_EV_RESTART: /* the same keys, nothing else kept */
    if (!sim_engine_alive(c->e, a)) break;
    sim_engine_kill(c->e, a);
    sim_measure_on_kill(c->m, a);
    sim_engine_revive(c->e, a);
    for (size_t i = 0; i < c->nflows; i++) {
      const flow_state *f = &c->flows[i];
      sim_pkt_class cls = packet_class(c, f, sim_engine_now(c->e));
      if (f->active && (f->src == a || f->dst == a) &&
          (cls == SIM_PKT_PLAIN || cls == SIM_PKT_TUNNEL))
        sim_measure_on_restart(c->m, f->id);
    }
    break;
  case SIM_EV_CUT:
    sim_measure_on_cut(c->m, a, b);
    sim_engine_set_link(c->e, a, b, 0);
    break;
  case SIM_EV_RESTORE:
    sim_engine_set_link(c->e, a, b, 1);
    break;
  case SIM_EV_FLOW_START: {
    c->flows = sim_xrealloc(c->flows, (c->nflows + 1) * sizeof *c->flows,
                            WHAT);
    start_flow(c, k, &c->flows[c->nflows++]);
    break;
  }
  case SIM_EV_FLOW_STOP:
    for (size_t i = 0; i < c->nflows; i++)
      if (c->flows[i].active && !strcmp(c->flows[i].name, ev->flow))
        c->flows[i].active = 0;
    break;
  case SIM_EV_PING_ALL:
    sim_measure_ping(c->m, ev->ping_max ? ev->ping_max : SIZE_MAX);
    break;
  case SIM_EV_PING:
    sim_measure_ping_pair(c->m, a, b);
    break;
  case SIM_EV_TUNNEL_ADD:
  case SIM_EV_TUNNEL_REVOKE:
    apply_tunnel(c, k);
    break;
  case SIM_EV_RESOLVE:
    sim_lookups_ask(c->lookups, a, b);
    break;
  case SIM_EV_RESOLVE_LEAVES:
    sim_lookups_ask_leaves(c->lookups);
    break;
  case SIM_EV_MOVE: /* checked: a has a radio (sim_link_models_check) */
    sim_engine_move(c->e, a, ev->x, ev->y);
    c->topo.nodes[a].x = ev->x; /* topology.dot shows where it went */
    c->topo.nodes[a].y = ev->y;
    break;
  }
}

static void send_flows(run_ctx *c, uint64_t now) {
  for (size_t i = 0; i < c->nflows; i++) {
    flow_state *f = &c->flows[i];
    while (f->active && f->next_at <= now) {
      if (sim_engine_alive(c->e, f->src)) {
        sim_measure_flow_sent(c->m, f->id, f->seq, packet_class(c, f, now));
        sim_engine_send_to(c->e, f->src, f->to, f->proto, f->size, f->id,
                           f->seq, f->sport, f->dport);
      }
      f->seq++;
      f->next_at += f->every;
    }
  }
}

static uint64_t next_flow_time(const run_ctx *c) {
  uint64_t t = UINT64_MAX;
  for (size_t i = 0; i < c->nflows; i++)
    if (c->flows[i].active && c->flows[i].next_at < t) t = c->flows[i].next_at;
  return t;
}

/* The timeline: events, flows, idle window, and once-a-second checks while
 * bootstrap or a failover is pending. */
static void play(run_ctx *c, sim_progress *progress) {
  const sim_scenario *sc = c->sc;
  uint64_t end = sc->duration_ns, idle_from = UINT64_MAX, idle_to = UINT64_MAX;
  if (sc->has_idle) {
    idle_from = sc->idle_from_ns;
    idle_to = sc->idle_to_ns;
  } else { /* a minute in, to the first event or the end */
    idle_from = 60 * S_NS;
    idle_to = sc->nevents ? sc->events[0].time_ns : end;
    if (idle_to < idle_from + 60 * S_NS) idle_from = idle_to = UINT64_MAX;
  }
  int booted = 0, failovers = 0, idle_open = 0;
  uint64_t next_check = S_NS;
  size_t k = 0;
  for (;;) {
    uint64_t now = sim_engine_now(c->e), t = end;
    if (k < sc->nevents && sc->events[k].time_ns < t) t = sc->events[k].time_ns;
    uint64_t f = next_flow_time(c);
    if (f < t) t = f;
    if (!idle_open && idle_from < t) t = idle_from;
    if (idle_open && idle_to < t) t = idle_to;
    if ((!booted || failovers) && next_check < t) t = next_check;
    if (t < now) t = now;
    sim_engine_run_until(c->e, t);
    sim_progress_update(progress, t, end);
    if ((!booted || failovers) && next_check <= t) {
      if (!booted) booted = sim_measure_bootstrap_check(c->m);
      if (failovers) failovers = sim_measure_failover_check(c->m);
      next_check = t + S_NS;
    }
    if (!idle_open && idle_from <= t && idle_from != UINT64_MAX) {
      sim_measure_idle_begin(c->m);
      idle_open = 1;
      idle_from = UINT64_MAX;
    }
    if (idle_open && idle_to <= t) {
      sim_measure_idle_end(c->m);
      idle_open = 0;
      idle_to = UINT64_MAX;
    }
    send_flows(c, t);
    while (k < sc->nevents && sc->events[k].time_ns <= t) {
      sim_event_kind kind = sc->events[k].kind;
      apply_event(c, k++);
      if (kind == SIM_EV_KILL || kind == SIM_EV_CUT ||
          kind == SIM_EV_RESTART) {
        failovers = 1;
        next_check = sim_engine_now(c->e) + S_NS;
      }
    }
    if (t >= end && k == sc->nevents) break;
  }
  if (idle_open) sim_measure_idle_end(c->m);
  if (failovers) sim_measure_failover_check(c->m);
}

/* The simulation's state, once the outputs have what they need of it:
 * cgraph's graph of topology.dot then reuses its memory (some 600 bytes a
 * node) instead of adding to the run's peak. */
static void free_simulation(run_ctx *c) {
  sim_lookups_free(c->lookups);
  sim_measure_free(c->m);
  sim_engine_free(c->e);
  c->lookups = NULL;
  c->m = NULL;
  c->e = NULL;
}

/* Every rank gathers what the outputs need (collective: engine.h), and
 * frees the simulation; rank 0 alone writes them. */
static int write_outputs(run_ctx *c, const char *dir, const sim_metrics *m,
                         double wall, int svg) {
  char path[4200], err[512];
  sim_engine_stat stat;
  sim_engine_stats(c->e, &stat);
  uint64_t rss_all = sim_peak_rss(); /* every rank's peak, added up */
  if (c->comm) c->comm->sum_u64(c->comm, &rss_all, 1);
  sim_node_state *st = sim_xcalloc(c->topo.nnodes, sizeof *st, WHAT);
  for (uint32_t i = 0; i < c->topo.nnodes; i++) {
    uint32_t parents[1];
    st[i].alive = (uint8_t)sim_engine_alive(c->e, i);
    st[i].is_root = sim_topology_parents(&c->topo, i, parents, 1) == 0;
    st[i].active_parent = -1;
    uint32_t p = sim_engine_parent(c->e, i);
    if (st[i].alive && p != UINT32_MAX) st[i].active_parent = p;
  }
  int rank = sim_engine_rank(c->e);
  free_simulation(c);
  if (rank != 0) {
    free(st);
    return 0;
  }
  /* metrics.json last: there is one only when everything else went */
  char dot[4200], svgp[4200];
  snprintf(dot, sizeof dot, "%s/topology.dot", dir);
  snprintf(svgp, sizeof svgp, "%s/topology.svg", dir);
  int rv = sim_dot_write(&c->topo, st, dot, svg ? svgp : NULL, err,
                         sizeof err);
  free(st);
  if (sim_alloc_failed()) sim_out_of_memory("writing the outputs");
  if (rv != 0) {
    fprintf(stderr, "mcc-sim: %s\n", err);
    return 2;
  }
  snprintf(path, sizeof path, "%s/run.json", dir);
  sim_run_cost cost = {wall,
                       stat.events,
                       c->topo.nnodes,
                       c->threads,
                       c->ranks,
                       c->ns3 ? "ns3" : "native",
                       stat.partitions,
                       stat.windows,
                       stat.barrier_wait_s,
                       stat.busy_s,
                       rss_all};
  if (sim_write_run_json(path, &cost) != 0) {
    fprintf(stderr, "mcc-sim: %s: %s\n", path, strerror(errno));
    return 2;
  }
  snprintf(path, sizeof path, "%s/metrics.json", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "mcc-sim: %s: %s\n", path, strerror(errno));
    return 2;
  }
  sim_metrics_write_json(m, f);
  if (fclose(f) != 0) {
    fprintf(stderr, "mcc-sim: %s: %s\n", path, strerror(errno));
    return 2;
  }
  return 0;
}

static void format_bytes_or_undetermined(char *buf, size_t len, double v) {
  if (isnan(v))
    snprintf(buf, len, "not determined");
  else
    snprintf(buf, len, "%.0f B", v);
}

static void summary(const sim_scenario *sc, const sim_metrics *m,
                    uint64_t seed, double wall) {
  printf("scenario %s: %.0f nodes, %.0f s simulated, seed %llu, %.0f events "
         "in %.2f s\n",
         sc->name, m->nodes, (double)sc->duration_ns / S_NS,
         (unsigned long long)seed, m->events, wall);
  if (isnan(m->bootstrap_s))
    printf("  bootstrap       not reached\n");
  else
    printf("  bootstrap       %.0f s\n", m->bootstrap_s);
  printf("  idle per day    leaf %.0f B, root %.0f B, mean %.0f B, max %.0f B "
         "(over %.0f s)\n",
         m->idle_leaf, m->idle_root, m->idle_mean, m->idle_max,
         m->idle_window_s);
  /* an undetermined figure (NaN) is shown as such, with the reason */
  char o64s[32], o64f[32], o1000[160];
  format_bytes_or_undetermined(o64s, sizeof o64s, m->overhead_p64_steady);
  format_bytes_or_undetermined(o64f, sizeof o64f, m->overhead_p64_first);
  format_bytes_or_undetermined(o1000, sizeof o1000, m->overhead_p1000_steady);
  if (isnan(m->overhead_p1000_steady) && m->overhead_why)
    snprintf(o1000, sizeof o1000, "%s", m->overhead_why);
  printf("  overhead        64 B: %s steady, %s first packet; 1000 B: %s\n",
         o64s, o64f, o1000);
  printf("  failover        %.0f events, longest %.0f s, %.0f unrecovered, "
         "%.0f user packets lost meanwhile\n",
         m->failover_events, m->failover_max_s, m->failover_unrecovered,
         m->failover_lost_packets);
  if (m->sessions_recoveries)
    printf("  sessions        %.0f restarts of a flow's end, longest recovery "
           "%.1f s, %.0f unrecovered\n",
           m->sessions_recoveries, m->sessions_recovery_max_s,
           m->sessions_unrecovered);
  printf("  routing         %.0f/%.0f pairs delivered, %.0f on a shortest "
         "path, %.0f loops; %.0f/%.0f forbidden pairs delivered\n",
         m->routing_delivered, m->routing_pairs, m->routing_optimal,
         m->routing_loops, m->routing_forbidden_delivered,
         m->routing_forbidden_pairs);
  printf("  undelivered     %.0f loop, %.0f hop limit, %.0f no route, %.0f "
         "trust, %.0f dead node, %.0f link down, %.0f MTU, %.0f denied, %.0f "
         "lost\n",
         m->undelivered_loop, m->undelivered_hop_limit,
         m->undelivered_no_route, m->undelivered_trust,
         m->undelivered_dead_node, m->undelivered_link_down,
         m->undelivered_mtu, m->undelivered_denied, m->undelivered_lost);
  printf("  flows           %.0f/%.0f packets delivered; %.0f datagrams over "
         "a link's MTU dropped\n",
         m->flows_delivered, m->flows_sent, m->links_dropped_mtu);
  if (sc->ntunnels || sc->tunnels_only)
    printf("  tunnels         %.0f/%.0f packets delivered inside tunnels; "
           "%.0f/%.0f after a revocation, %.0f/%.0f no tunnel allows "
           "delivered%s\n",
           m->tunnels_delivered, m->tunnels_sent, m->tunnels_revoked_delivered,
           m->tunnels_revoked_sent, m->tunnels_denied_delivered,
           m->tunnels_denied_sent, sc->tunnels_only ? " (tunnels only)" : "");
  if (m->lookup_count > 0)
    printf("  lookups         %.0f/%.0f answered with the right node, %.0f "
           "failed; longest %.3f s; %.0f wire bytes\n",
           m->lookup_found, m->lookup_count, m->lookup_failed,
           m->lookup_max_s, m->lookup_bytes);
  printf("  memory          %.0f protocol bytes per node\n",
         m->state_bytes_per_node);
}

/* An expectation on a metric the run could not determine fails, whatever
 * the comparison, and says why. */
static int check_expectations(const sim_scenario *sc, const sim_metrics *m,
                              int quiet) {
  int failed = 0;
  for (size_t k = 0; k < sc->nexpects; k++) {
    const sim_expectation *x = &sc->expects[k];
    double lhs = 0, rhs = x->rhs_value;
    sim_metrics_get(m, x->metric, &lhs);
    if (x->rhs_metric) sim_metrics_get(m, x->rhs_metric, &rhs);
    const char *why = sim_metrics_undetermined(m, x->metric);
    const char *which = x->metric;
    if (!why && x->rhs_metric) {
      why = sim_metrics_undetermined(m, x->rhs_metric);
      which = x->rhs_metric;
    }
    int ok = !why && sim_expect_eval(x, lhs, rhs);
    failed += !ok;
    if (why)
      fprintf(stderr, "mcc-sim: %s:%u: expectation failed: %s (%s %s)\n",
              sc->path, x->line, x->text, which, why);
    else if (!ok)
      fprintf(stderr, "mcc-sim: %s:%u: expectation failed: %s (%s is %g)\n",
              sc->path, x->line, x->text, x->metric, lhs);
    else if (!quiet)
      printf("  ok  %s (%g)\n", x->text, lhs);
  }
  if (!quiet)
    printf("expectations: %zu hold, %d fail\n", sc->nexpects - (size_t)failed,
           failed);
  return failed ? 1 : 0;
}

/* Under mpirun, whether every rank got past a step that can fail on one
 * only (a directory it cannot make, a capture it cannot open): all go on
 * or all stop, never some waiting for the others. When only others
 * failed, rank 0 passes on what they said (rank_output.h). */
static int all_ranks_ok(sim_comm *comm, int failed, const char *what) {
  if (!comm) return !failed;
  /* short of memory, this rank may have skipped a collective the others
   * are in: only an abort frees them */
  if (sim_alloc_failed()) sim_out_of_memory(what);
  uint64_t any = failed != 0;
  comm->max_u64(comm, &any, 1);
  size_t len = 0;
  char *said = sim_rank_output_take(&len); /* since the last agreement */
  if (!any) {
    free(said);
    return 1;
  }
  if (!failed) len = 0;
  size_t *lens = sim_xcalloc(comm->size, sizeof *lens, what);
  uint8_t *all = NULL;
  if (comm->allgather(comm, said, len, &all, lens) != 0)
    sim_out_of_memory(what); /* the same on every rank: a size over 2 GiB */
  /* when rank 0 failed too, it has said why, and the others mostly
   * the same (a broken scenario): its word alone */
  if (comm->rank == 0 && !failed) {
    const uint8_t *at = all;
    size_t others = 0;
    for (unsigned r = 1; r < comm->size; r++) others += lens[r];
    at += lens[0];
    for (unsigned r = 1; r < comm->size; at += lens[r], r++)
      if (lens[r]) {
        fprintf(stderr, "mcc-sim: %s failed on MPI rank %u:\n", what, r);
        fwrite(at, 1, lens[r], stderr);
      }
    if (!others)
      fprintf(stderr, "mcc-sim: %s: failed on another MPI rank\n", what);
  }
  free(all);
  free(said);
  free(lens);
  return 0;
}

int sim_run(const sim_run_options *o) {
  sim_scenario sc;
  char err[1024];
  memset(&sc, 0, sizeof sc);
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.sc = &sc;
  int rc = 2;
  sim_engine_config cfg;
  memset(&cfg, 0, sizeof cfg);
  /* The cost is checked before anything big is allocated: with the
   * generator's node count before it runs, with a DOT file's after.
   * Under mpirun, against the smallest memory of any rank's machine. */
  double mem_limit = sim_cost_memory_limit();
  if (o->comm) {
    uint64_t least = (uint64_t)mem_limit;
    o->comm->min_u64(o->comm, &least, 1);
    mem_limit = (double)least;
  }
  /* Until the output directory is made, a step failing on one rank only
   * (a file that one host lacks) must stop every rank: they agree once,
   * below, at `prepared`. */
  int failed = 1;
  char dir[4096], pcap[4200];
  uint64_t seed = 0, generated = 0;
  if (sim_scenario_load(&sc, o->scenario_path, err, sizeof err) != 0) {
    fprintf(stderr, "mcc-sim: %s\n", err);
    goto prepared;
  }
  for (size_t k = 0; k < sc.nwarnings; k++)
    fprintf(stderr, "mcc-sim: warning: %s\n", sc.warnings[k]);
  size_t said_len; /* every rank warned; rank 0 has said so already */
  free(sim_rank_output_take(&said_len));
  seed = o->has_seed ? o->seed : sc.seed;
  generated = sim_cost_generated_nodes(&sc.topo);
  if ((rc = apply_config(&sc, &cfg.base)) != 0) goto prepared;
  cfg.base.tunnels_only = sc.tunnels_only;
  c.keep_alive_ns = cfg.base.keep_alive_period_ns;
  rc = 2;
  if (generated &&
      sim_cost_check(&sc, generated, cfg.base.keep_alive_period_ns,
                     mem_limit, NULL, err, sizeof err) != 0) {
    fprintf(stderr, "mcc-sim: %s\n", err);
    goto prepared;
  }
  err[0] = '\0';
  if (build_topology(&c, seed, err, sizeof err) != 0) {
    fprintf(stderr, "mcc-sim: %s:%u: topology: %s\n", sc.path, sc.topo.line,
            err[0] ? err : "out of memory");
    goto prepared;
  }
  if (!generated &&
      sim_cost_check(&sc, c.topo.nnodes, cfg.base.keep_alive_period_ns,
                     mem_limit, NULL, err, sizeof err) != 0) {
    fprintf(stderr, "mcc-sim: %s\n", err);
    goto prepared;
  }
  if ((rc = resolve_names(&c)) != 0) goto prepared;
  rc = 2;
  if (o->out_dir)
    snprintf(dir, sizeof dir, "%s", o->out_dir);
  else
    snprintf(dir, sizeof dir, "sim-out/%s", sc.name);
  snprintf(pcap, sizeof pcap, "%s/pcap", dir);
  if (sim_mkdirs(dir) != 0 || (o->pcap && sim_mkdirs(pcap) != 0)) {
    fprintf(stderr, "mcc-sim: %s: %s\n", dir, strerror(errno));
    goto prepared;
  }
  failed = 0;
prepared:
  if (!all_ranks_ok(o->comm, failed, "preparing the run")) {
    if (!failed) rc = 2; /* another rank's failure */
    goto out;
  }
  cfg.seed = seed;
  cfg.unix_start_s = UNIX_START;
  cfg.pcap_dir = o->pcap ? pcap : NULL;
  int threads = o->threads ? o->threads
                : o->comm    ? 1
                             : (sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1);
  if (o->comm && threads > 1) {
    fprintf(stderr, "mcc-sim: --threads %d: under mpirun each rank runs one "
                    "partition on one thread; start more ranks instead\n",
            threads);
    goto out;
  }
  cfg.helper_threads = threads - 1;
  cfg.comm = o->comm;
  cfg.backend = o->backend;
  if (!o->backend_given && sc.backend_ns3) {
    if (!o->ns3) {
      fprintf(stderr,
              "mcc-sim: %s:%u: backend ns3: this mcc-sim was built without "
              "ns-3 (install libns3-dev with tools/install-deps, then make "
              "clean && make), or run it with --backend native\n",
              sc.path, sc.backend_line);
      goto out;
    }
    cfg.backend = o->ns3;
  }
  c.threads = threads;
  c.ranks = o->comm ? (int)o->comm->size : 1;
  c.comm = o->comm;
  c.ns3 = cfg.backend != NULL;
  if (o->comm && c.ns3) {
    fprintf(stderr, "mcc-sim: %s: the ns-3 backend runs in one process; "
                    "run it without mpirun\n", sc.path);
    goto out;
  }
  cfg.link_defaults.delay_ns = DEFAULT_DELAY_NS;
  cfg.link_defaults.mtu = 1500;
  sim_link_apply(&cfg.link_defaults, &sc.link, sc.link_has);
  if (sim_link_models_check(&sc, &c.topo, c.ev_a, c.ns3, err, sizeof err) != 0) {
    fprintf(stderr, "mcc-sim: %s\n", err);
    goto out;
  }
  double t0 = sim_wall_s();
  err[0] = '\0';
  int erv = sim_engine_new(&c.e, &c.topo, &cfg, err, sizeof err);
  if (erv == 0) erv = sim_measure_new(&c.m, c.e, &c.topo, seed);
  if (erv == 0) erv = sim_lookups_new(&c.lookups, c.e, &c.topo, sc.names_on);
  if (erv != 0)
    fprintf(stderr, "mcc-sim: %s:%u: %s\n", sc.path, sc.topo.line,
            err[0] ? err : mcc_strerror(erv));
  if (!all_ranks_ok(o->comm, erv != 0, "starting the nodes")) goto out;
  sim_measure_set_tunnels_only(c.m, sc.tunnels_only);
  if ((rc = make_tunnels(&c)) != 0) goto out;
  rc = 2;
  sim_progress progress;
  sim_progress_init(&progress, o->progress && (!o->comm || o->comm->rank == 0));
  play(&c, &progress);
  sim_progress_done(&progress);
  sim_metrics m;
  sim_measure_finish(c.m, &m);
  sim_lookups_fill(c.lookups, &m);
  if (sim_alloc_failed()) sim_out_of_memory("measuring the run");
  double wall = sim_wall_s() - t0;
  if (o->pcap && sim_engine_close_captures(c.e) != 0) {
    fprintf(stderr, "mcc-sim: %s: writing the captures failed\n", pcap);
    goto out;
  }
  /* Graphviz lays out a network of 10^6 nodes for longer than it took to
   * simulate, in more memory: past a size, topology.dot only. */
  int svg = !o->no_svg && c.topo.nnodes <= SIM_SVG_MAX_NODES;
  if ((rc = write_outputs(&c, dir, &m, wall, svg)) != 0) goto out;
  if (!o->quiet) summary(&sc, &m, seed, wall);
  rc = check_expectations(&sc, &m, o->quiet);
  if (!o->quiet)
    printf("wrote %s/metrics.json, run.json, topology.dot%s%s\n", dir,
           svg ? ", topology.svg" : "", o->pcap ? ", pcap/" : "");
  if (!o->quiet && !o->no_svg && !svg)
    printf("no topology.svg: %zu nodes is over %d to lay out (sfdp -Tsvg "
           "topology.dot makes one, slowly)\n",
           (size_t)c.topo.nnodes, SIM_SVG_MAX_NODES);
out:
  free_simulation(&c);
  sim_topology_free(&c.topo);
  free(c.ev_a);
  free(c.ev_b);
  free(c.ev_tunnel);
  free(c.tunnels);
  free(c.flows);
  sim_scenario_free(&sc);
  return rc;
}
