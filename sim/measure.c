/*
 * measure.c — observing a run (measure.h). Reachability is judged two
 * independent ways: by walking the cores' own routing decisions hop by hop,
 * and by BFS over the active topology as the hosts see it (each node's
 * active parent, over links that are up and admitted by trust), so a
 * routing bug cannot hide behind its own tables. Packets are counted by
 * events: every flow, ping and probe packet carries a tag (flow number,
 * sequence), and the engine reports each delivery and each MTU drop.
 * A user packet is also classed as it is sent (sim_pkt_class) for the
 * tunnels.* metrics: what the tunnels must carry, and what must not arrive.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"
#include "measure.h"
#include "scenario.h" /* SIM_PROTO_*, SIM_FLOW_PORT_DEFAULT */

#define S_NS 1000000000ull
#define WHAT "measuring the run"
#define KNOWN_BATCH 64

typedef struct id_entry {
  uint8_t key[32];
  uint32_t index;
} id_entry;

/* What a tag (a flow number on the wire) stands for; a number left unused
 * keeps two flows' packets from reading alike (sim_measure_flow_add). */
enum { TAG_USER, TAG_PING, TAG_PROBE, TAG_UNUSED };
/* Per packet: not sent, in flight or lost so far, delivered, dropped at a
 * link for its MTU (until a later copy arrives). */
enum { PKT_UNSENT, PKT_SENT, PKT_DELIVERED, PKT_MTU };

typedef struct ping_pair {
  uint32_t s, d;
  uint8_t forbidden;
  uint8_t verdict; /* the walk's walk_result at the time of the ping */
} ping_pair;

typedef struct flow {
  int kind;
  sim_flow_desc desc; /* TAG_USER: where and how its packets go */
  uint64_t *sent_at; /* per sequence number, 0 = not sent */
  uint8_t *state;    /* PKT_* */
  uint8_t *cls;      /* TAG_USER: sim_pkt_class per sequence number */
  uint32_t cap, sent;
  uint32_t oldest; /* below it every packet is delivered (or unsent) */
  ping_pair *pairs; /* TAG_PING: pair k is sequence k */
  size_t npairs;
} flow;

/* A running flow one of whose ends restarted at t0; t1 when a packet it
 * sent from t0 on was first delivered (0 while pending). */
typedef struct recovery {
  uint32_t flow;
  uint64_t t0, t1;
} recovery;

typedef struct failover {
  uint64_t t0, t1; /* t1: when it completed, 0 while pending */
  uint32_t *nodes; /* must become reachable again */
  size_t n;
} failover;

struct sim_measure {
  sim_engine *e;
  const sim_topology *t;
  uint64_t seed, rng;
  size_t n;
  sim_metrics m;
  id_entry *ids;  /* sorted by key */
  uint64_t *idle_base;
  uint64_t idle_t0;
  failover *fo;
  size_t nfo;
  recovery *rec;
  size_t nrec;
  flow *flows;
  size_t nflows;
  int frozen;     /* the run is over: only the probes count from now on */
  int tunnels_only; /* the probes go through a tunnel */
  uint32_t *seen; /* walk stamps, per node */
  uint32_t stamp;
  uint32_t *roots; /* nodes without parents in the topology */
  size_t nroots;
};

static void on_delivery(void *user, const sim_delivery *d);
static void on_drop(void *user, uint32_t f, uint32_t seq, int reason);

static int id_cmp(const void *a, const void *b) {
  return memcmp(((const id_entry *)a)->key, ((const id_entry *)b)->key, 32);
}

static uint32_t index_of(const sim_measure *m, const mcc_id *id) {
  id_entry k;
  memcpy(k.key, id->key, 32);
  const id_entry *hit = bsearch(&k, m->ids, m->n, sizeof k, id_cmp);
  return hit ? hit->index : UINT32_MAX;
}

int sim_measure_new(sim_measure **pm, sim_engine *e, const sim_topology *t,
                    uint64_t seed) {
  sim_measure *m = calloc(1, sizeof *m);
  if (!m) return MCC_ERR_NOMEM;
  m->e = e;
  m->t = t;
  m->seed = seed;
  m->rng = seed * 0x9E3779B97F4A7C15ull + 1;
  m->n = t->nnodes;
  m->ids = sim_xcalloc(m->n, sizeof *m->ids, WHAT);
  m->idle_base = sim_xcalloc(m->n, sizeof *m->idle_base, WHAT);
  m->seen = sim_xcalloc(m->n, sizeof *m->seen, WHAT);
  m->roots = sim_xcalloc(m->n, sizeof *m->roots, WHAT);
  for (uint32_t i = 0; i < m->n; i++) {
    memcpy(m->ids[i].key, sim_engine_node_id(e, i)->key, 32);
    m->ids[i].index = i;
  }
  qsort(m->ids, m->n, sizeof *m->ids, id_cmp);
  for (uint32_t i = 0; i < m->n; i++) {
    uint32_t parents[1];
    if (sim_topology_parents(t, i, parents, 1) == 0) m->roots[m->nroots++] = i;
  }
  m->m.nodes = (double)m->n;
  m->m.bootstrap_s = NAN;
  sim_engine_on_delivery(e, on_delivery, m);
  sim_engine_on_drop(e, on_drop, m);
  *pm = m;
  return 0;
}

void sim_measure_free(sim_measure *m) {
  if (!m) return;
  for (size_t k = 0; k < m->nfo; k++) free(m->fo[k].nodes);
  for (size_t k = 0; k < m->nflows; k++) {
    free(m->flows[k].sent_at);
    free(m->flows[k].state);
    free(m->flows[k].cls);
    free(m->flows[k].pairs);
  }
  free(m->seen);
  free(m->roots);
  free(m->fo);
  free(m->rec);
  free(m->flows);
  free(m->ids);
  free(m->idle_base);
  free(m);
}

/* ---- topology facts --------------------------------------------------------- */

static int trusts(const sim_topology *t, uint32_t u, uint32_t v) {
  int nv = t->nodes[v].network;
  return nv == t->nodes[u].network || ((t->nodes[u].trusts >> nv) & 1);
}

static uint32_t active_parent(sim_measure *m, uint32_t i) {
  uint32_t p = sim_engine_parent(m->e, i);
  return p < m->n && sim_engine_alive(m->e, p) ? p : UINT32_MAX;
}

/* i's active parent as i believes it, alive or not. */
static uint32_t believed_parent(sim_measure *m, uint32_t i) {
  return sim_engine_parent(m->e, i);
}

/* The root at the end of each node's chain of active parents, into root[]
 * (UINT32_MAX for a chain that loops): a walk stops at the first node whose
 * root is known, so the work is linear in the nodes. */
#define ROOT_UNKNOWN (UINT32_MAX - 1)
#define ROOT_WALKING (UINT32_MAX - 2)
static void chain_roots(sim_measure *m, uint32_t *root, uint32_t *path) {
  for (uint32_t i = 0; i < m->n; i++) root[i] = ROOT_UNKNOWN;
  for (uint32_t i = 0; i < m->n; i++) {
    size_t len = 0;
    uint32_t at = i, found;
    for (;;) {
      if (root[at] == ROOT_WALKING) { /* back on this walk: a cycle */
        found = UINT32_MAX;
        break;
      }
      if (root[at] != ROOT_UNKNOWN) {
        found = root[at];
        break;
      }
      root[at] = ROOT_WALKING;
      path[len++] = at;
      uint32_t p = active_parent(m, at);
      if (p == UINT32_MAX) {
        found = at;
        break;
      }
      at = p;
    }
    while (len) root[path[--len]] = found;
  }
}

static int has_admitted_parent(const sim_topology *t, uint32_t i) {
  uint32_t parents[MCC_MAX_PARENTS + 1];
  size_t np = sim_topology_parents(t, i, parents, MCC_MAX_PARENTS + 1);
  for (size_t k = 0; k < np && k <= MCC_MAX_PARENTS; k++)
    if (trusts(t, i, parents[k]) && trusts(t, parents[k], i)) return 1;
  return 0;
}

int sim_measure_bootstrap_check(sim_measure *m) {
  if (!isnan(m->m.bootstrap_s)) return 1;
  size_t n = m->n ? m->n : 1;
  size_t *want = sim_xcalloc(n, sizeof *want, WHAT);
  uint32_t *root = sim_xcalloc(n, sizeof *root, WHAT);
  uint32_t *path = sim_xcalloc(n, sizeof *path, WHAT);
  int done = 1, cyclic = 0;
  chain_roots(m, root, path);
  for (uint32_t i = 0; done && i < m->n; i++) {
    if (!sim_engine_alive(m->e, i)) continue;
    if (root[i] == i && has_admitted_parent(m->t, i))
      done = 0; /* still joining */
    uint32_t r = root[i];
    if (r == UINT32_MAX)
      cyclic = 1;
    else if (trusts(m->t, r, i))
      want[r]++;
  }
  size_t alive = 0;
  for (uint32_t i = 0; done && cyclic && i < m->n; i++)
    alive += sim_engine_alive(m->e, i);
  /* no root: every node must know every live node; else each root what
   * its tree holds. Asked KNOWN_BATCH nodes at a time: one exchange each
   * under MPI, and not many more counted than the first not done. */
  uint32_t ask[KNOWN_BATCH];
  uint64_t known[KNOWN_BATCH];
  for (uint32_t r = 0; done && r < m->n;) {
    size_t na = 0;
    for (; r < m->n && na < KNOWN_BATCH; r++)
      if (sim_engine_alive(m->e, r) && (cyclic || want[r])) ask[na++] = r;
    sim_engine_records_known(m->e, ask, na, known);
    for (size_t k = 0; done && k < na; k++)
      done = known[k] >= (cyclic ? alive : want[ask[k]]);
  }
  free(want);
  free(root);
  free(path);
  if (done) m->m.bootstrap_s = (double)sim_engine_now(m->e) / S_NS;
  return done;
}

/* ---- idle ------------------------------------------------------------------------- */

static uint64_t node_wire(sim_engine *e, uint32_t i) {
  const sim_counters *c = sim_engine_counters(e, i);
  return c->wire_sent + c->wire_received;
}

void sim_measure_idle_begin(sim_measure *m) {
  m->idle_t0 = sim_engine_now(m->e);
  for (uint32_t i = 0; i < m->n; i++) m->idle_base[i] = node_wire(m->e, i);
}

void sim_measure_idle_end(sim_measure *m) {
  uint64_t dt = sim_engine_now(m->e) - m->idle_t0;
  if (dt == 0) return;
  double scale = 86400.0 * S_NS / (double)dt;
  uint8_t *is_parent = sim_xcalloc(m->n, 1, WHAT);
  for (size_t k = 0; k < m->t->nedges; k++) is_parent[m->t->edges[k].parent] = 1;
  double leaf = 0, root = 0, all = 0, max = 0;
  size_t nleaf = 0, nroot = 0, nall = 0;
  for (uint32_t i = 0; i < m->n; i++) {
    if (!sim_engine_alive(m->e, i)) continue;
    double b = (double)(node_wire(m->e, i) - m->idle_base[i]) * scale;
    uint32_t parents[1];
    if (!is_parent[i]) leaf += b, nleaf++;
    if (sim_topology_parents(m->t, i, parents, 1) == 0) root += b, nroot++;
    all += b, nall++;
    if (b > max) max = b;
  }
  free(is_parent);
  m->m.idle_leaf = nleaf ? leaf / (double)nleaf : 0;
  m->m.idle_root = nroot ? root / (double)nroot : 0;
  m->m.idle_mean = nall ? all / (double)nall : 0;
  m->m.idle_max = max;
  m->m.idle_window_s = (double)dt / S_NS;
}

/* ---- routing walks and BFS -------------------------------------------------------------- */

/* Whether u and v admit each other: the neighbour link and the relay of a
 * packet between them need both to trust the other's network. */
static int admitted(const sim_topology *t, uint32_t u, uint32_t v) {
  return trusts(t, u, v) && trusts(t, v, u);
}

/* A packet's fate along the cores' decisions, hop by hop (walk()). */
enum walk_result {
  WALK_ARRIVED,
  WALK_LOOP,      /* a node was visited twice */
  WALK_HOP_LIMIT, /* arrived, but after more than MCC_HOP_LIMIT hops */
  WALK_NO_ROUTE,  /* a node has no next hop, or one it has no link to, or
                     it would send up a packet that already went down */
  WALK_TRUST,     /* the next hop and this node do not admit each other */
  WALK_DEAD_NODE, /* the next hop is dead */
  WALK_LINK_DOWN  /* the link to the next hop is cut */
};

/* (walk, node) pairs a batch of walks has visited: open addressing. */
typedef struct visited {
  uint64_t *keys; /* (walk << 32 | node) + 1; 0: empty */
  size_t mask, used;
} visited;

/* 1 when (w, node) was new, 0 when seen before. */
static int visit(visited *v, size_t w, uint32_t node) {
  if ((v->used + 1) * 2 > (v->keys ? v->mask + 1 : 0)) {
    size_t cap = v->keys ? 2 * (v->mask + 1) : 256;
    uint64_t *keys = sim_xcalloc(cap, sizeof *keys, WHAT);
    for (size_t i = 0; v->keys && i <= v->mask; i++) {
      if (!v->keys[i]) continue;
      size_t j = (size_t)(v->keys[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
      while (keys[j]) j = (j + 1) & (cap - 1);
      keys[j] = v->keys[i];
    }
    free(v->keys);
    v->keys = keys;
    v->mask = cap - 1;
  }
  uint64_t k = ((uint64_t)w << 32 | node) + 1;
  size_t i = (size_t)(k * 0x9E3779B97F4A7C15ull) & v->mask;
  for (; v->keys[i]; i = (i + 1) & v->mask)
    if (v->keys[i] == k) return 0;
  v->keys[i] = k;
  v->used++;
  return 1;
}

/* Follows the routing decisions from s[k] to d[k], for every k at once,
 * one hop per round: the cores of a round's nodes are asked together
 * (sim_engine_routes), which MPI ranks answer in one exchange. The core
 * forwards a packet that came from a node's active parent only down
 * (never back up), so once a hop has gone down (to a node that is not the
 * sender's active parent), a later hop from a node to its own active
 * parent is no route. A walk goes on past the hop limit until it arrives
 * or revisits a node, so a real loop counts as a loop however long it
 * is; each step visits a new node, so it ends within n steps. verdict[k]
 * is a walk_result; hops[k] (may be NULL) the hops taken on arrival. */
static void walks(sim_measure *m, const uint32_t *s, const uint32_t *d,
                  size_t n, uint8_t *verdict, int *hops) {
  uint32_t *at = sim_xcalloc(n, sizeof *at, WHAT);
  uint32_t *prev = sim_xcalloc(n, sizeof *prev, WHAT);
  uint32_t *qat = sim_xcalloc(n, sizeof *qat, WHAT);
  uint32_t *qdst = sim_xcalloc(n, sizeof *qdst, WHAT);
  size_t *live = sim_xcalloc(n, sizeof *live, WHAT);
  mcc_id *next = sim_xcalloc(n, sizeof *next, WHAT);
  visited seen = {0};
  size_t nlive = 0;
  for (size_t k = 0; k < n; k++) {
    verdict[k] = WALK_NO_ROUTE;
    if (hops) hops[k] = 0;
    at[k] = s[k];
    prev[k] = UINT32_MAX;
    visit(&seen, k, s[k]);
    live[nlive++] = k;
  }
  for (int hop = 1; nlive; hop++) {
    for (size_t j = 0; j < nlive; j++) {
      qat[j] = at[live[j]];
      qdst[j] = d[live[j]];
    }
    sim_engine_routes(m->e, qat, qdst, nlive, next);
    size_t still = 0;
    for (size_t j = 0; j < nlive; j++) {
      size_t k = live[j];
      int v = -1; /* a verdict ends the walk */
      uint32_t nx = index_of(m, &next[j]); /* none: zero, no node's id */
      int up = nx == UINT32_MAX ? -1 : sim_engine_link_up(m->e, at[k], nx);
      if (up < 0)
        v = WALK_NO_ROUTE;
      else if (!sim_engine_alive(m->e, nx))
        v = WALK_DEAD_NODE;
      else if (!up)
        v = WALK_LINK_DOWN;
      else if (!admitted(m->t, at[k], nx))
        v = WALK_TRUST;
      /* the core's forwarding rule: never back to the node it came from
       * (protocol/forward.c) */
      else if (nx == prev[k])
        v = WALK_NO_ROUTE;
      else if (nx == d[k]) {
        if (hops) hops[k] = hop;
        v = hop > MCC_HOP_LIMIT ? WALK_HOP_LIMIT : WALK_ARRIVED;
      } else {
        if (!visit(&seen, k, nx)) v = WALK_LOOP;
      }
      if (v >= 0) {
        verdict[k] = (uint8_t)v;
        continue;
      }
      prev[k] = at[k];
      at[k] = nx;
      live[still++] = k;
    }
    nlive = still;
  }
  free(seen.keys);
  free(at);
  free(prev);
  free(qat);
  free(qdst);
  free(live);
  free(next);
}

/* The active topology: each live node's live active parent, kept only
 * where the link is up and the two admit each other. */
static void active_edges(sim_measure *m, uint32_t *parent, uint32_t *first,
                         uint32_t *next_child) {
  for (uint32_t i = 0; i < m->n; i++) first[i] = next_child[i] = UINT32_MAX;
  for (uint32_t i = 0; i < m->n; i++) {
    uint32_t p = active_parent(m, i);
    if (p != UINT32_MAX &&
        (sim_engine_link_up(m->e, i, p) != 1 || !admitted(m->t, i, p)))
      p = UINT32_MAX;
    parent[i] = p;
    if (p != UINT32_MAX) {
      next_child[i] = first[p];
      first[p] = i;
    }
  }
}

/* BFS distances from s over the active topology. */
static void bfs(sim_measure *m, const uint32_t *parent, const uint32_t *first,
                const uint32_t *next_child, uint32_t s, int *dist,
                uint32_t *queue) {
  for (uint32_t i = 0; i < m->n; i++) dist[i] = -1;
  size_t head = 0, tail = 0;
  dist[s] = 0;
  queue[tail++] = s;
  while (head < tail) {
    uint32_t v = queue[head++];
    if (parent[v] != UINT32_MAX && dist[parent[v]] < 0) {
      dist[parent[v]] = dist[v] + 1;
      queue[tail++] = parent[v];
    }
    for (uint32_t c = first[v]; c != UINT32_MAX; c = next_child[c])
      if (dist[c] < 0) {
        dist[c] = dist[v] + 1;
        queue[tail++] = c;
      }
  }
}

static uint64_t next_random(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

/* ---- tags: flows, pings, probes ------------------------------------------------------- */

static flow *flow_at(sim_measure *m, uint32_t f) {
  return f < m->nflows ? &m->flows[f] : NULL;
}

static uint32_t tag_add(sim_measure *m, int kind) {
  m->flows = sim_xrealloc(m->flows, (m->nflows + 1) * sizeof *m->flows, WHAT);
  memset(&m->flows[m->nflows], 0, sizeof *m->flows);
  m->flows[m->nflows].kind = kind;
  return (uint32_t)m->nflows++;
}

/* Whether flow number f for d would make packets that read as another
 * flow's: a reply's destination port 20000 as a ping's or a probe's, or
 * both ports as a flow the other way round (the one port that is not a
 * flow number equal to 10000 + the other's number). */
static int ambiguous(sim_measure *m, const sim_flow_desc *d, uint32_t f) {
  if (d->proto == SIM_PROTO_ICMP) return 0;
  if (d->reply && d->proto == SIM_PROTO_UDP &&
      10000 + f == SIM_FLOW_PORT_DEFAULT)
    return 1;
  const flow *o = flow_at(m, (uint32_t)d->port - 10000u);
  return o && o->kind == TAG_USER && o->desc.reply != d->reply &&
         o->desc.dst == d->dst && o->desc.proto == d->proto &&
         o->desc.port == 10000 + f;
}

uint32_t sim_measure_flow_add(sim_measure *m, const sim_flow_desc *d) {
  while (ambiguous(m, d, (uint32_t)m->nflows)) tag_add(m, TAG_UNUSED);
  uint32_t f = tag_add(m, TAG_USER);
  m->flows[f].desc = *d;
  return f;
}

void sim_measure_set_tunnels_only(sim_measure *m, int on) {
  m->tunnels_only = on;
}

void sim_measure_on_restart(sim_measure *m, uint32_t f) {
  m->rec = sim_xrealloc(m->rec, (m->nrec + 1) * sizeof *m->rec, WHAT);
  m->rec[m->nrec++] = (recovery){f, sim_engine_now(m->e), 0};
  m->m.sessions_recoveries++;
}

static int tag_sent(sim_measure *m, uint32_t f, uint32_t seq) {
  flow *fl = flow_at(m, f);
  if (!fl) return -1;
  if (seq >= fl->cap) {
    uint32_t cap = fl->cap ? fl->cap : 64;
    while (cap <= seq) cap *= 2;
    uint64_t *s = fl->sent_at = sim_xrealloc(fl->sent_at, cap * sizeof *s, WHAT);
    uint8_t *st = fl->state = sim_xrealloc(fl->state, cap, WHAT);
    uint8_t *cl = fl->kind == TAG_USER ? sim_xrealloc(fl->cls, cap, WHAT) : NULL;
    memset(s + fl->cap, 0, (cap - fl->cap) * sizeof *s);
    memset(st + fl->cap, 0, cap - fl->cap);
    if (cl) {
      memset(cl + fl->cap, 0, cap - fl->cap);
      fl->cls = cl;
    }
    fl->cap = cap;
  }
  fl->sent_at[seq] = sim_engine_now(m->e) + 1; /* 0 means never */
  fl->state[seq] = PKT_SENT;
  fl->sent++;
  return 0;
}

void sim_measure_flow_sent(sim_measure *m, uint32_t f, uint32_t seq,
                           sim_pkt_class cls) {
  if (tag_sent(m, f, seq) != 0) return;
  m->m.flows_sent++;
  if (m->flows[f].cls) m->flows[f].cls[seq] = (uint8_t)cls;
  if (cls == SIM_PKT_TUNNEL) m->m.tunnels_sent++;
  if (cls == SIM_PKT_REVOKED) m->m.tunnels_revoked_sent++;
  if (cls == SIM_PKT_DENIED) m->m.tunnels_denied_sent++;
}

/* Packets a failover may lose: those the network ought to deliver. */
static int deliverable(const flow *fl, uint32_t seq) {
  return fl->cls[seq] == SIM_PKT_PLAIN || fl->cls[seq] == SIM_PKT_TUNNEL;
}

/* A delivery whose packet could not carry its whole sequence (tiny
 * payloads): the oldest packet not yet delivered whose low bits match.
 * Exact as long as a flow's packets arrive in order, as on one path. */
static uint32_t resolve_seq(flow *fl, uint32_t low, int bits) {
  while (fl->oldest < fl->cap && (fl->state[fl->oldest] == PKT_DELIVERED ||
                                  fl->state[fl->oldest] == PKT_UNSENT))
    fl->oldest++;
  uint32_t mask = bits ? (uint32_t)((1ull << bits) - 1) : 0;
  for (uint32_t q = fl->oldest; q < fl->cap; q++)
    if ((fl->state[q] == PKT_SENT || fl->state[q] == PKT_MTU) &&
        (q & mask) == (low & mask))
      return q;
  return UINT32_MAX;
}

/* Whether a delivery matches user flow fl's packets, read as a forward
 * packet (the flow number in the source port) or as a reply (in the
 * destination port). */
static int user_match(const flow *fl, const sim_delivery *d, int reply) {
  const sim_flow_desc *x = &fl->desc;
  if (x->dst != d->node || x->proto != d->proto) return 0;
  return d->proto == SIM_PROTO_ICMP || /* the echo identifier either way */
         (x->reply == reply && (reply ? d->sport : d->dport) == x->port);
}

/* The flow a delivered packet belongs to: by the source port (the echo
 * identifier) as sim_engine_send writes it, else as a tunnel server's
 * reply by the destination port; NULL when it is none of ours. Numbers
 * are given so that no packet reads both ways (ambiguous()). */
static flow *delivered_flow(sim_measure *m, const sim_delivery *d,
                            uint32_t *pf) {
  flow *fl = flow_at(m, d->flow);
  int ours = fl && (fl->kind == TAG_USER
                        ? user_match(fl, d, 0)
                        : fl->kind != TAG_UNUSED &&
                              (d->proto == SIM_PROTO_ICMP ||
                               (d->proto == SIM_PROTO_UDP &&
                                d->dport == SIM_FLOW_PORT_DEFAULT)));
  if (ours) {
    *pf = d->flow;
    return fl;
  }
  if (d->proto == SIM_PROTO_ICMP) return NULL;
  uint32_t f = (uint32_t)d->dport - 10000u;
  fl = flow_at(m, f);
  if (!fl || fl->kind != TAG_USER || !user_match(fl, d, 1)) return NULL;
  *pf = f;
  return fl;
}

/* Every delivery of a tagged packet, whenever it comes: a flow packet
 * counts once, a ping credits its pair, however late. After the end of
 * the run only the overhead probes count. */
static void on_delivery(void *user, const sim_delivery *d) {
  sim_measure *m = user;
  uint32_t f = 0, seq = d->seq;
  flow *fl = delivered_flow(m, d, &f);
  if (fl && d->seq_bits < 32) seq = resolve_seq(fl, seq, d->seq_bits);
  if (!fl || seq >= fl->cap || fl->state[seq] == PKT_UNSENT ||
      fl->state[seq] == PKT_DELIVERED)
    return;
  if (m->frozen && fl->kind != TAG_PROBE) return;
  if (fl->kind == TAG_PING &&
      (seq >= fl->npairs || fl->pairs[seq].d != d->node))
    return;
  fl->state[seq] = PKT_DELIVERED;
  if (fl->kind == TAG_USER)
    for (size_t k = 0; k < m->nrec; k++)
      if (m->rec[k].flow == f && !m->rec[k].t1 &&
          fl->sent_at[seq] - 1 >= m->rec[k].t0)
        m->rec[k].t1 = d->now;
  if (fl->kind == TAG_USER) {
    m->m.flows_delivered++;
    if (fl->cls[seq] == SIM_PKT_TUNNEL) m->m.tunnels_delivered++;
    if (fl->cls[seq] == SIM_PKT_REVOKED) m->m.tunnels_revoked_delivered++;
    if (fl->cls[seq] == SIM_PKT_DENIED) m->m.tunnels_denied_delivered++;
  } else if (fl->kind == TAG_PING && fl->pairs[seq].forbidden) {
    m->m.routing_forbidden_delivered++;
  } else if (fl->kind == TAG_PING) {
    m->m.routing_delivered++;
  }
}

static void on_drop(void *user, uint32_t f, uint32_t seq, int reason) {
  sim_measure *m = user;
  flow *fl = flow_at(m, f);
  if (fl && seq < fl->cap && fl->state[seq] == PKT_SENT &&
      reason == SIM_DROP_MTU)
    fl->state[seq] = PKT_MTU;
}

/* ---- pings -------------------------------------------------------------------------------- */

/* Judges every pair now (walk and BFS, which do not move the clock) and
 * sends each a real packet, whose delivery is credited when it comes. */
static void ping_pairs(sim_measure *m, const ping_pair *pairs, size_t n) {
  uint32_t *parent = sim_xcalloc(m->n, sizeof *parent, WHAT);
  uint32_t *first = sim_xcalloc(m->n, sizeof *first, WHAT);
  uint32_t *next_child = sim_xcalloc(m->n, sizeof *next_child, WHAT);
  uint32_t *queue = sim_xcalloc(m->n, sizeof *queue, WHAT);
  int *dist = sim_xcalloc(m->n, sizeof *dist, WHAT);
  uint32_t *src = sim_xcalloc(n, sizeof *src, WHAT);
  uint32_t *dst = sim_xcalloc(n, sizeof *dst, WHAT);
  uint8_t *verdict = sim_xcalloc(n, 1, WHAT);
  int *hopsv = sim_xcalloc(n, sizeof *hopsv, WHAT);
  uint32_t f = tag_add(m, TAG_PING);
  flow *fl = flow_at(m, f);
  fl->pairs = sim_xcalloc(n, sizeof *fl->pairs, WHAT);
  memcpy(fl->pairs, pairs, n * sizeof *pairs);
  fl->npairs = n;
  active_edges(m, parent, first, next_child);
  for (size_t k = 0; k < n; k++) src[k] = pairs[k].s, dst[k] = pairs[k].d;
  walks(m, src, dst, n, verdict, hopsv);
  uint32_t last_src = UINT32_MAX;
  for (size_t k = 0; k < n; k++) {
    ping_pair *p = &fl->pairs[k];
    if (p->s != last_src) {
      bfs(m, parent, first, next_child, p->s, dist, queue);
      last_src = p->s;
    }
    int hops = hopsv[k];
    p->verdict = verdict[k];
    if (p->forbidden) {
      m->m.routing_forbidden_pairs++;
    } else {
      m->m.routing_pairs++;
      if (dist[p->d] >= 0) m->m.routing_reachable++;
      if (p->verdict == WALK_LOOP) m->m.routing_loops++;
      if (p->verdict == WALK_ARRIVED && hops == dist[p->d])
        m->m.routing_optimal++;
    }
    if (tag_sent(m, f, (uint32_t)k) == 0)
      sim_engine_send(m->e, p->s, p->d, 17, 8, f, (uint32_t)k);
  }
  free(src);
  free(dst);
  free(verdict);
  free(hopsv);
  free(parent);
  free(first);
  free(next_child);
  free(queue);
  free(dist);
}

static int pair_cmp(const void *a, const void *b) {
  const ping_pair *x = a, *y = b;
  if (x->s != y->s) return x->s < y->s ? -1 : 1;
  return x->d < y->d ? -1 : x->d > y->d;
}

void sim_measure_ping(sim_measure *m, size_t max) {
  uint32_t *alive = sim_xcalloc(m->n, sizeof *alive, WHAT);
  size_t na = 0;
  for (uint32_t i = 0; i < m->n; i++)
    if (sim_engine_alive(m->e, i)) alive[na++] = i;
  size_t all = na * (na ? na - 1 : 0), want = all < max ? all : max;
  ping_pair *pairs = sim_xcalloc(want, sizeof *pairs, WHAT);
  size_t n = 0;
  for (size_t a = 0; pairs && all <= max && a < na; a++)
    for (size_t b = 0; b < na; b++)
      if (a != b) pairs[n++] = (ping_pair){alive[a], alive[b], 0, 0};
  while (pairs && all > max && n < want) { /* a seeded sample, no pair twice */
    while (n < want) {
      uint32_t s = alive[next_random(&m->rng) % na];
      uint32_t d = alive[next_random(&m->rng) % na];
      if (s != d) pairs[n++] = (ping_pair){s, d, 0, 0};
    }
    qsort(pairs, n, sizeof *pairs, pair_cmp);
    size_t u = 0;
    for (size_t k = 0; k < n; k++)
      if (u == 0 || pairs[k].s != pairs[u - 1].s || pairs[k].d != pairs[u - 1].d)
        pairs[u++] = pairs[k];
    n = u;
  }
  if (pairs) { /* sorted by source either way: one BFS per source */
    for (size_t k = 0; k < n; k++)
      pairs[k].forbidden = !admitted(m->t, pairs[k].s, pairs[k].d);
    ping_pairs(m, pairs, n);
  }
  free(pairs);
  free(alive);
}

void sim_measure_ping_pair(sim_measure *m, uint32_t s, uint32_t d) {
  ping_pair p = {s, d, (uint8_t)!admitted(m->t, s, d), 0};
  if (sim_engine_alive(m->e, s) && sim_engine_alive(m->e, d) && s != d)
    ping_pairs(m, &p, 1);
}

/* Pairs whose packet had not arrived when the run ended, by reason: an
 * MTU drop seen on the way, else with tunnels only the source's refusal
 * (a ping is node-to-node traffic), else what the walk found at ping
 * time, else (the walk arrived) lost on a link or still in flight. */
static void count_undelivered(sim_measure *m) {
  for (size_t f = 0; f < m->nflows; f++) {
    const flow *fl = &m->flows[f];
    if (fl->kind != TAG_PING) continue;
    for (size_t k = 0; k < fl->npairs && k < fl->cap; k++) {
      const ping_pair *p = &fl->pairs[k];
      if (p->forbidden || fl->state[k] == PKT_DELIVERED ||
          fl->state[k] == PKT_UNSENT)
        continue;
      double *reason;
      if (fl->state[k] == PKT_MTU) {
        reason = &m->m.undelivered_mtu;
      } else if (m->tunnels_only) {
        reason = &m->m.undelivered_denied;
      } else {
        switch (p->verdict) {
        case WALK_LOOP: reason = &m->m.undelivered_loop; break;
        case WALK_HOP_LIMIT: reason = &m->m.undelivered_hop_limit; break;
        case WALK_NO_ROUTE: reason = &m->m.undelivered_no_route; break;
        case WALK_TRUST: reason = &m->m.undelivered_trust; break;
        case WALK_DEAD_NODE: reason = &m->m.undelivered_dead_node; break;
        case WALK_LINK_DOWN: reason = &m->m.undelivered_link_down; break;
        default: reason = &m->m.undelivered_lost; break;
        }
      }
      (*reason)++;
    }
  }
}

/* ---- failover ---------------------------------------------------------------------------- */

/* A failover concerns the live nodes whose chain of active parents (as
 * each believes it) passes through `gone`: a dead node (not counted
 * itself), or the child side of a cut link (counted). They may have no
 * other way up yet; then the failover lasts until they have one again
 * (a revive, a restore) or the run ends. A memo makes it linear. */
enum { CHAIN_UNKNOWN, CHAIN_THROUGH, CHAIN_NOT, CHAIN_WALKING };

static void add_failover(sim_measure *m, uint32_t gone, int counts_itself) {
  uint8_t *st = sim_xcalloc(m->n, 1, WHAT);
  uint32_t *path = sim_xcalloc(m->n, sizeof *path, WHAT);
  m->fo = sim_xrealloc(m->fo, (m->nfo + 1) * sizeof *m->fo, WHAT);
  failover *fo = &m->fo[m->nfo];
  memset(fo, 0, sizeof *fo);
  fo->nodes = sim_xcalloc(m->n, sizeof *fo->nodes, WHAT);
  m->nfo++;
  fo->t0 = sim_engine_now(m->e);
  m->m.failover_events++;
  st[gone] = CHAIN_THROUGH;
  for (uint32_t i = 0; i < m->n; i++) {
    size_t len = 0;
    uint32_t at = i;
    uint8_t found;
    for (;;) {
      if (st[at] == CHAIN_WALKING) { /* a cycle that misses gone */
        found = CHAIN_NOT;
        break;
      }
      if (st[at] != CHAIN_UNKNOWN) {
        found = st[at];
        break;
      }
      st[at] = CHAIN_WALKING;
      path[len++] = at;
      uint32_t p = believed_parent(m, at);
      if (p == UINT32_MAX || p >= m->n) {
        found = CHAIN_NOT;
        break;
      }
      at = p;
    }
    while (len) st[path[--len]] = found;
  }
  for (uint32_t i = 0; i < m->n; i++)
    if (st[i] == CHAIN_THROUGH && sim_engine_alive(m->e, i) &&
        (i != gone || counts_itself))
      fo->nodes[fo->n++] = i;
  uint32_t *fit = realloc(fo->nodes, (fo->n ? fo->n : 1) * sizeof *fit);
  if (fit) fo->nodes = fit; /* churn makes many failovers: keep them small */
  free(st);
  free(path);
}

/* Killing a node that nobody has as active parent (a leaf of the active
 * topology) takes nobody's path away: not a failover. */
void sim_measure_on_kill(sim_measure *m, uint32_t node) {
  for (uint32_t i = 0; i < m->n; i++)
    if (i != node && believed_parent(m, i) == node) {
      add_failover(m, node, 0);
      return;
    }
}

void sim_measure_on_cut(sim_measure *m, uint32_t a, uint32_t b) {
  /* The side whose active parent is the other loses its path. */
  if (active_parent(m, a) == b)
    add_failover(m, a, 1);
  else if (active_parent(m, b) == a)
    add_failover(m, b, 1);
}

/* "The rest of the network": the first live root the failover does not
 * concern, or in a topology with no such root (a cycle) the first live
 * node it does not concern; when it concerns every live node, they must
 * reach each other again, judged from the first of them. */
static uint32_t reference_node(sim_measure *m, const failover *fo) {
  if (++m->stamp == 0) {
    memset(m->seen, 0, m->n * sizeof *m->seen);
    m->stamp = 1;
  }
  for (size_t j = 0; j < fo->n; j++) m->seen[fo->nodes[j]] = m->stamp;
  for (size_t k = 0; k < m->nroots; k++) {
    uint32_t r = m->roots[k];
    if (sim_engine_alive(m->e, r) && m->seen[r] != m->stamp) return r;
  }
  uint32_t any = UINT32_MAX;
  for (uint32_t i = 0; i < m->n && any == UINT32_MAX; i++)
    if (sim_engine_alive(m->e, i) && m->seen[i] != m->stamp) any = i;
  for (size_t j = 0; any == UINT32_MAX && j < fo->n; j++)
    if (sim_engine_alive(m->e, fo->nodes[j])) any = fo->nodes[j];
  return any;
}

/* A failover is over when a packet from the reference node would reach
 * every node it concerns: along the cores' decisions, over live nodes and
 * links that are up. */
int sim_measure_failover_check(sim_measure *m) {
  int pending = 0;
  for (size_t k = 0; k < m->nfo; k++) {
    failover *fo = &m->fo[k];
    if (fo->t1) continue;
    uint32_t ref = reference_node(m, fo);
    uint32_t *src = sim_xcalloc(fo->n, sizeof *src, WHAT);
    uint32_t *dst = sim_xcalloc(fo->n, sizeof *dst, WHAT);
    uint8_t *verdict = sim_xcalloc(fo->n, 1, WHAT);
    size_t nw = 0;
    int ok = 1;
    for (size_t j = 0; ok && ref != UINT32_MAX && j < fo->n; j++) {
      uint32_t i = fo->nodes[j];
      if (!sim_engine_alive(m->e, i) || i == ref || !admitted(m->t, ref, i))
        continue;
      src[nw] = ref;
      dst[nw++] = i;
    }
    if (ok) walks(m, src, dst, nw, verdict, NULL);
    for (size_t j = 0; ok && j < nw; j++) ok = verdict[j] == WALK_ARRIVED;
    free(src);
    free(dst);
    free(verdict);
    if (ok) {
      fo->t1 = sim_engine_now(m->e);
      double s = (double)(fo->t1 - fo->t0) / S_NS;
      if (s > m->m.failover_max_s) m->m.failover_max_s = s;
    } else {
      pending = 1;
    }
  }
  return pending;
}

typedef struct span {
  uint64_t from, to;
} span;

static int span_cmp(const void *a, const void *b) {
  const span *x = a, *y = b;
  return x->from < y->from ? -1 : x->from > y->from;
}

/* User flow packets sent while any failover was under way and never
 * delivered, each once however many failovers overlap: the failovers'
 * spans are merged, then each packet is looked up in them. */
static double lost_in_failovers(sim_measure *m, uint64_t now) {
  span *sp = sim_xcalloc(m->nfo, sizeof *sp, WHAT);
  size_t ns = 0;
  for (size_t k = 0; k < m->nfo; k++)
    sp[ns++] = (span){m->fo[k].t0, m->fo[k].t1 ? m->fo[k].t1 : now};
  qsort(sp, ns, sizeof *sp, span_cmp);
  size_t merged = 0;
  for (size_t k = 0; k < ns; k++) {
    if (merged && sp[k].from <= sp[merged - 1].to) {
      if (sp[k].to > sp[merged - 1].to) sp[merged - 1].to = sp[k].to;
    } else {
      sp[merged++] = sp[k];
    }
  }
  double lost = 0;
  for (size_t f = 0; merged && f < m->nflows; f++) {
    const flow *fl = &m->flows[f];
    if (fl->kind != TAG_USER) continue;
    for (uint32_t q = 0; q < fl->cap; q++) {
      if (!fl->sent_at[q] || fl->state[q] == PKT_DELIVERED ||
          !deliverable(fl, q))
        continue;
      uint64_t at = fl->sent_at[q] - 1;
      size_t lo = 0, hi = merged; /* the last span starting at or before */
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp[mid].from <= at) lo = mid + 1;
        else hi = mid;
      }
      if (lo && at <= sp[lo - 1].to) lost++;
    }
  }
  free(sp);
  return lost;
}

/* ---- the end ----------------------------------------------------------------------------- */

static uint64_t routed_bytes(sim_engine *e) {
  uint64_t b = 0;
  for (int t = 8; t <= 10; t++) b += sim_engine_type_bytes(e, t);
  return b;
}

#define PROBE_WAIT_NS (30 * S_NS) /* slow links: up to 30 s a probe */
#define PROBE_STEP_NS (10 * 1000000ull)
#define PROBE_TRIES 3
/* Before each probe: the receiver answers a one-way packet with a session
 * keep-alive a second later (PROTOCOL.md, "Sessions that heal"); that one
 * belongs to the packet before, not to the probe. */
#define PROBE_SETTLE_NS (5 * S_NS)

/* One probe packet from s to its parent (`to`: the parent's id, or with
 * tunnels only the server endpoint of a tunnel to it): the routed wire bytes it
 * caused minus its inner size, measured from its sending to its delivery.
 * A probe lost on the way (a link's loss, a rekey) is sent again, up to
 * PROBE_TRIES times; NaN (with *why) when none arrived. */
static double probe(sim_measure *m, uint32_t f, uint32_t s, const mcc_id *to,
                    size_t size, uint32_t *seq, const char **why) {
  for (int t = 0; t < PROBE_TRIES; t++) {
    sim_engine_run_until(m->e, sim_engine_now(m->e) + PROBE_SETTLE_NS);
    uint32_t q = (*seq)++;
    uint64_t before = routed_bytes(m->e), t0 = sim_engine_now(m->e);
    if (tag_sent(m, f, q) != 0) return NAN;
    sim_engine_send_to(m->e, s, to, SIM_PROTO_UDP, size, f, q,
                       (uint16_t)(10000 + f), SIM_FLOW_PORT_DEFAULT);
    const flow *fl = flow_at(m, f);
    while (fl->state[q] != PKT_DELIVERED && fl->state[q] != PKT_MTU &&
           sim_engine_now(m->e) < t0 + PROBE_WAIT_NS)
      sim_engine_run_until(m->e, sim_engine_now(m->e) + PROBE_STEP_NS);
    if (fl->state[q] == PKT_DELIVERED)
      return (double)(routed_bytes(m->e) - before) - (double)(20 + 8 + size);
    if (fl->state[q] == PKT_MTU) {
      *why = "not determined (the probe packet was over the link's MTU)";
      return NAN;
    }
  }
  *why = "not determined (the probe packet did not arrive)";
  return NAN;
}

void sim_measure_current(const sim_measure *m, sim_metrics *out) {
  *out = m->m;
}

/* Everything the timeline determines is settled first; then the run is
 * frozen (late deliveries no longer count) and the overhead probes run
 * on one link, after the end of the timeline. */
void sim_measure_finish(sim_measure *m, sim_metrics *out) {
  uint64_t now = sim_engine_now(m->e);
  double mem = (double)sim_engine_nodes_memory(m->e);
  size_t alive = 0;
  for (uint32_t i = 0; i < m->n; i++) alive += sim_engine_alive(m->e, i) != 0;
  /* the records the nodes share are theirs too, spread over them */
  mem += (double)sim_engine_store_memory(m->e);
  m->m.state_bytes_per_node = alive ? mem / (double)alive : 0;
  for (size_t k = 0; k < m->nrec; k++) {
    const recovery *r = &m->rec[k];
    if (!r->t1) m->m.sessions_unrecovered++;
    double s = (double)((r->t1 ? r->t1 : now) - r->t0) / S_NS;
    if (s > m->m.sessions_recovery_max_s) m->m.sessions_recovery_max_s = s;
  }
  for (size_t k = 0; k < m->nfo; k++) {
    failover *fo = &m->fo[k];
    if (!fo->t1) {
      m->m.failover_unrecovered++;
      double s = (double)(now - fo->t0) / S_NS;
      if (s > m->m.failover_max_s) m->m.failover_max_s = s;
    }
  }
  m->m.failover_lost_packets = lost_in_failovers(m, now);
  count_undelivered(m);
  m->m.events = (double)sim_engine_events(m->e);
  m->m.links_dropped_mtu = (double)sim_engine_dropped_mtu(m->e);
  m->frozen = 1;
  m->m.overhead_p64_steady = m->m.overhead_p64_first =
      m->m.overhead_p1000_steady = NAN;
  m->m.overhead_why =
      "not determined (no live node with a live parent it trusts to probe)";
  /* Overhead probes on one link: the first leaf whose active parent is
   * alive, or in a topology with no leaf (a ring) the first such node. */
  uint8_t *is_parent = sim_xcalloc(m->n, 1, WHAT);
  uint32_t f = tag_add(m, TAG_PROBE);
  for (size_t k = 0; k < m->t->nedges; k++) is_parent[m->t->edges[k].parent] = 1;
  for (int pass = 0; pass < 2; pass++) {
    uint32_t i = 0, p = UINT32_MAX;
    for (; i < m->n; i++) {
      if (pass == 0 && is_parent[i]) continue;
      p = active_parent(m, i);
      if (p != UINT32_MAX && admitted(m->t, i, p)) break;
    }
    if (i == m->n) continue;
    const char *why = NULL;
    uint32_t seq = 0, tunnel;
    const mcc_id *to = sim_engine_node_id(m->e, p);
    static const mcc_tunnel_target probe_port = {
        SIM_PROTO_UDP, SIM_FLOW_PORT_DEFAULT, SIM_FLOW_PORT_DEFAULT};
    /* "~" is in no tunnel name of a scenario: the probes' own keys */
    if (m->tunnels_only &&
        sim_engine_tunnel_new(m->e, "~probe", i, p, &probe_port, 1, 1,
                              &tunnel) == 0)
      to = sim_engine_tunnel_endpoint(m->e, tunnel, 1);
    double first = probe(m, f, i, to, 64, &seq, &why);
    m->m.overhead_p64_steady = probe(m, f, i, to, 64, &seq, &why);
    m->m.overhead_p1000_steady = probe(m, f, i, to, 1000, &seq, &why);
    /* The pair may already have had a session (pings): the first packet's
     * cost is then the steady one plus the handshake datagrams as seen on
     * the wire during the run. */
    uint64_t ni = sim_engine_type_datagrams(m->e, 8);
    uint64_t nr = sim_engine_type_datagrams(m->e, 9);
    if (ni && nr && !isnan(m->m.overhead_p64_steady))
      first = m->m.overhead_p64_steady +
              (double)sim_engine_type_bytes(m->e, 8) / (double)ni +
              (double)sim_engine_type_bytes(m->e, 9) / (double)nr;
    m->m.overhead_p64_first = first;
    m->m.overhead_why = why;
    break;
  }
  free(is_parent);
  *out = m->m;
}
