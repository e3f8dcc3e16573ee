/*
 * measure.c — observing a run (measure.h). Reachability is judged two
 * independent ways: by walking the cores' own routing decisions hop by hop,
 * and by BFS over the active topology as the hosts see it (each node's
 * active parent), so a routing bug cannot hide behind its own tables.
 */
#include <stdlib.h>
#include <string.h>

#include "measure.h"

#define S_NS 1000000000ull
#define WALK_TTL 64
#define PROBE_FLOW_BASE 50000u

typedef struct id_entry {
  uint8_t key[32];
  uint32_t index;
} id_entry;

typedef struct flow {
  uint64_t *sent_at; /* per sequence number, 0 = not sent */
  uint8_t *delivered;
  uint32_t cap, sent;
} flow;

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
  flow *flows;
  size_t nflows;
  uint32_t ping_flow;
  size_t ping_first; /* flow index range of the pending ping batch */
};

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
  m->ids = calloc(m->n ? m->n : 1, sizeof *m->ids);
  m->idle_base = calloc(m->n ? m->n : 1, sizeof *m->idle_base);
  if (!m->ids || !m->idle_base) {
    sim_measure_free(m);
    return MCC_ERR_NOMEM;
  }
  for (uint32_t i = 0; i < m->n; i++) {
    memcpy(m->ids[i].key, mcc_node_id(sim_engine_node(e, i))->key, 32);
    m->ids[i].index = i;
  }
  qsort(m->ids, m->n, sizeof *m->ids, id_cmp);
  m->m.nodes = (double)m->n;
  m->m.bootstrap_s = -1;
  *pm = m;
  return 0;
}

void sim_measure_free(sim_measure *m) {
  if (!m) return;
  for (size_t k = 0; k < m->nfo; k++) free(m->fo[k].nodes);
  for (size_t k = 0; k < m->nflows; k++) {
    free(m->flows[k].sent_at);
    free(m->flows[k].delivered);
  }
  free(m->fo);
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
  mcc_addr a;
  if (!sim_engine_alive(m->e, i) ||
      mcc_node_parent(sim_engine_node(m->e, i), NULL, &a) != 0)
    return UINT32_MAX;
  uint32_t p = sim_engine_node_of(m->e, &a);
  return p < m->n && sim_engine_alive(m->e, p) ? p : UINT32_MAX;
}

/* i's active parent as i believes it, alive or not. */
static uint32_t believed_parent(sim_measure *m, uint32_t i) {
  mcc_addr a;
  if (!sim_engine_alive(m->e, i) ||
      mcc_node_parent(sim_engine_node(m->e, i), NULL, &a) != 0)
    return UINT32_MAX;
  return sim_engine_node_of(m->e, &a);
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
  for (size_t k = 0; k < t->nedges; k++) {
    const sim_topo_edge *ed = &t->edges[k];
    if (ed->child == i && trusts(t, i, ed->parent) && trusts(t, ed->parent, i))
      return 1;
  }
  return 0;
}

static size_t records_known(sim_engine *e, uint32_t i) {
  mcc_node *node = sim_engine_node(e, i);
  size_t k = 0;
  mcc_node_info info;
  for (size_t j = 0; j < mcc_node_known_count(node); j++)
    if (mcc_node_known_get(node, j, &info) == 0 && info.seq) k++;
  return k;
}

int sim_measure_bootstrap_check(sim_measure *m) {
  if (m->m.bootstrap_s >= 0) return 1;
  size_t n = m->n ? m->n : 1;
  size_t *want = calloc(n, sizeof *want);
  uint32_t *root = malloc(n * sizeof *root), *path = malloc(n * sizeof *path);
  int done = want && root && path, cyclic = 0;
  if (done) chain_roots(m, root, path);
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
  for (uint32_t r = 0; done && r < m->n; r++) {
    if (!sim_engine_alive(m->e, r)) continue;
    if (cyclic) { /* no root: every node must know every live node */
      size_t alive = 0;
      for (uint32_t i = 0; i < m->n; i++) alive += sim_engine_alive(m->e, i);
      done = records_known(m->e, r) >= alive;
    } else if (want[r]) {
      done = records_known(m->e, r) >= want[r];
    }
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
  uint8_t *is_parent = calloc(m->n ? m->n : 1, 1);
  if (!is_parent) return;
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

/* Hops along the cores' decisions: >= 1 arrived, -1 loop or TTL, -2 no
 * route, -3 a dead hop. */
static int walk(sim_measure *m, uint32_t s, uint32_t d) {
  const mcc_id *dst = mcc_node_id(sim_engine_node(m->e, d));
  uint32_t at = s;
  for (int hops = 0; hops < WALK_TTL; hops++) {
    mcc_route r;
    if (mcc_node_route(sim_engine_node(m->e, at), dst, &r) != 0) return -2;
    uint32_t next = index_of(m, &r.next_hop);
    if (next == UINT32_MAX || !sim_engine_alive(m->e, next)) return -3;
    if (next == d) return hops + 1;
    at = next;
  }
  return -1;
}

/* BFS distances from s over edges child -- active parent (alive nodes). */
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

static flow *flow_at(sim_measure *m, uint32_t f) {
  return f < m->nflows ? &m->flows[f] : NULL;
}

uint32_t sim_measure_flow_add(sim_measure *m) {
  flow *nf = realloc(m->flows, (m->nflows + 1) * sizeof *nf);
  if (!nf) return UINT32_MAX;
  m->flows = nf;
  memset(&m->flows[m->nflows], 0, sizeof *nf);
  return (uint32_t)m->nflows++;
}

void sim_measure_flow_sent(sim_measure *m, uint32_t f, uint32_t seq) {
  flow *fl = flow_at(m, f);
  if (!fl) return;
  if (seq >= fl->cap) {
    uint32_t cap = fl->cap ? fl->cap : 64;
    while (cap <= seq) cap *= 2;
    uint64_t *s = realloc(fl->sent_at, cap * sizeof *s);
    uint8_t *d = s ? realloc(fl->delivered, cap) : NULL;
    if (!s || !d) {
      if (s) fl->sent_at = s;
      return;
    }
    memset(s + fl->cap, 0, (cap - fl->cap) * sizeof *s);
    memset(d + fl->cap, 0, cap - fl->cap);
    fl->sent_at = s;
    fl->delivered = d;
    fl->cap = cap;
  }
  fl->sent_at[seq] = sim_engine_now(m->e) + 1; /* 0 means never */
  fl->sent++;
  m->m.flows_sent++;
}

static void on_delivery(void *user, uint32_t node, uint32_t f, uint32_t seq,
                        uint64_t now) {
  sim_measure *m = user;
  flow *fl = flow_at(m, f);
  if (!fl || seq >= fl->cap || !fl->sent_at[seq] || fl->delivered[seq]) return;
  fl->delivered[seq] = 1;
  m->m.flows_delivered++;
}

typedef struct ping_pair {
  uint32_t s, d;
  uint8_t forbidden;
} ping_pair;

static void ping_pairs(sim_measure *m, const ping_pair *pairs, size_t n) {
  uint32_t *parent = malloc(m->n * sizeof *parent);
  uint32_t *first = malloc(m->n * sizeof *first);
  uint32_t *next_child = malloc(m->n * sizeof *next_child);
  uint32_t *queue = malloc(m->n * sizeof *queue);
  int *dist = malloc(m->n * sizeof *dist);
  uint32_t f = sim_measure_flow_add(m);
  if (!parent || !first || !next_child || !queue || !dist || f == UINT32_MAX)
    goto out;
  for (uint32_t i = 0; i < m->n; i++) first[i] = next_child[i] = UINT32_MAX;
  for (uint32_t i = 0; i < m->n; i++) {
    parent[i] = active_parent(m, i);
    if (parent[i] != UINT32_MAX) {
      next_child[i] = first[parent[i]];
      first[parent[i]] = i;
    }
  }
  sim_engine_on_delivery(m->e, on_delivery, m);
  uint32_t last_src = UINT32_MAX;
  for (size_t k = 0; k < n; k++) {
    const ping_pair *p = &pairs[k];
    if (p->s != last_src) {
      bfs(m, parent, first, next_child, p->s, dist, queue);
      last_src = p->s;
    }
    sim_measure_flow_sent(m, f, (uint32_t)k);
    m->m.flows_sent--; /* pings are not user flows */
    sim_engine_send(m->e, p->s, p->d, 17, 8, f, (uint32_t)k);
    if (p->forbidden) {
      m->m.routing_forbidden_pairs++;
      continue;
    }
    m->m.routing_pairs++;
    int hops = walk(m, p->s, p->d);
    if (dist[p->d] >= 0) m->m.routing_reachable++;
    if (hops == -1) m->m.routing_loops++;
    if (hops > 0 && hops == dist[p->d]) m->m.routing_optimal++;
  }
  sim_engine_run_until(m->e, sim_engine_now(m->e) + 5 * S_NS);
  flow *fl = flow_at(m, f);
  for (size_t k = 0; k < n && fl && k < fl->cap; k++) {
    if (!fl->delivered[k]) continue;
    m->m.flows_delivered--;
    if (pairs[k].forbidden)
      m->m.routing_forbidden_delivered++;
    else
      m->m.routing_delivered++;
  }
out:
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
  uint32_t *alive = malloc(m->n * sizeof *alive);
  if (!alive) return;
  size_t na = 0;
  for (uint32_t i = 0; i < m->n; i++)
    if (sim_engine_alive(m->e, i)) alive[na++] = i;
  size_t all = na * (na ? na - 1 : 0), want = all < max ? all : max;
  ping_pair *pairs = malloc((want ? want : 1) * sizeof *pairs);
  size_t n = 0;
  for (size_t a = 0; pairs && all <= max && a < na; a++)
    for (size_t b = 0; b < na; b++)
      if (a != b) pairs[n++] = (ping_pair){alive[a], alive[b], 0};
  while (pairs && all > max && n < want) { /* a seeded sample */
    uint32_t s = alive[next_random(&m->rng) % na];
    uint32_t d = alive[next_random(&m->rng) % na];
    if (s != d) pairs[n++] = (ping_pair){s, d, 0};
  }
  if (pairs) {
    qsort(pairs, n, sizeof *pairs, pair_cmp);
    for (size_t k = 0; k < n; k++)
      pairs[k].forbidden = !(trusts(m->t, pairs[k].s, pairs[k].d) &&
                             trusts(m->t, pairs[k].d, pairs[k].s));
    ping_pairs(m, pairs, n);
  }
  free(pairs);
  free(alive);
}

void sim_measure_ping_pair(sim_measure *m, uint32_t s, uint32_t d) {
  ping_pair p = {s, d, !(trusts(m->t, s, d) && trusts(m->t, d, s))};
  if (sim_engine_alive(m->e, s) && sim_engine_alive(m->e, d) && s != d)
    ping_pairs(m, &p, 1);
}

/* ---- failover ---------------------------------------------------------------------------- */

/* Nodes that must recover after `gone` (a dead node, or the child side of
 * a cut link): those whose chain of active parents passed through it, that
 * can still reach a root over admitted links among live nodes. */
static void add_failover(sim_measure *m, uint32_t gone, uint32_t cut_parent) {
  failover *nf = realloc(m->fo, (m->nfo + 1) * sizeof *nf);
  if (!nf) return;
  m->fo = nf;
  failover *fo = &m->fo[m->nfo++];
  memset(fo, 0, sizeof *fo);
  fo->t0 = sim_engine_now(m->e);
  m->m.failover_events++;
  uint8_t *reach = calloc(m->n, 1);
  uint32_t *queue = malloc(m->n * sizeof *queue);
  fo->nodes = malloc(m->n * sizeof *fo->nodes);
  if (!reach || !queue || !fo->nodes) goto out;
  size_t head = 0, tail = 0;
  for (uint32_t i = 0; i < m->n; i++) {
    uint32_t parents[1];
    if (sim_engine_alive(m->e, i) && i != gone &&
        sim_topology_parents(m->t, i, parents, 1) == 0) {
      reach[i] = 1;
      queue[tail++] = i;
    }
  }
  for (uint32_t i = 0; tail == 0 && i < m->n; i++) /* no root: a ring */
    if (sim_engine_alive(m->e, i) && i != gone) {
      reach[i] = 1;
      queue[tail++] = i;
    }
  while (head < tail) { /* over admitted edges, both directions */
    uint32_t v = queue[head++];
    for (size_t k = 0; k < m->t->nedges; k++) {
      const sim_topo_edge *ed = &m->t->edges[k];
      uint32_t w = ed->child == v ? ed->parent : ed->parent == v ? ed->child
                                                                   : UINT32_MAX;
      if (w == UINT32_MAX || reach[w] || !sim_engine_alive(m->e, w) ||
          (cut_parent != UINT32_MAX &&
           ((v == gone && w == cut_parent) || (w == gone && v == cut_parent))) ||
          (cut_parent == UINT32_MAX && w == gone) ||
          !trusts(m->t, v, w) || !trusts(m->t, w, v))
        continue;
      reach[w] = 1;
      queue[tail++] = w;
    }
  }
  for (uint32_t i = 0; i < m->n; i++) {
    if (!reach[i] || i == gone) continue;
    uint32_t at = i;
    for (size_t steps = 0; steps <= m->n; steps++) { /* chain at the cut */
      uint32_t p = believed_parent(m, at);
      if (cut_parent != UINT32_MAX && at == gone && p == cut_parent) p = gone;
      if (p == UINT32_MAX) break;
      if (p == gone) {
        fo->nodes[fo->n++] = i;
        break;
      }
      at = p;
    }
  }
  if (cut_parent != UINT32_MAX && reach[gone]) fo->nodes[fo->n++] = gone;
out:
  free(reach);
  free(queue);
}

void sim_measure_on_kill(sim_measure *m, uint32_t node) {
  add_failover(m, node, UINT32_MAX);
}

void sim_measure_on_cut(sim_measure *m, uint32_t a, uint32_t b) {
  /* The side whose active parent is the other loses its path. */
  if (active_parent(m, a) == b)
    add_failover(m, a, b);
  else if (active_parent(m, b) == a)
    add_failover(m, b, a);
}

/* "The rest of the network": the first live root, or in a topology with no
 * root (a cycle) the first live node the failover does not concern. */
static uint32_t reference_node(sim_measure *m, const failover *fo) {
  uint32_t parents[1], any = UINT32_MAX;
  for (uint32_t i = 0; i < m->n; i++) {
    if (!sim_engine_alive(m->e, i)) continue;
    if (sim_topology_parents(m->t, i, parents, 1) == 0) return i;
    int concerned = 0;
    for (size_t j = 0; j < fo->n && !concerned; j++)
      concerned = fo->nodes[j] == i;
    if (!concerned && any == UINT32_MAX) any = i;
  }
  /* A ring where every live node was concerned: they must reach each
   * other again, judged from the first of them. */
  for (size_t j = 0; any == UINT32_MAX && j < fo->n; j++)
    if (sim_engine_alive(m->e, fo->nodes[j])) any = fo->nodes[j];
  return any;
}

int sim_measure_failover_check(sim_measure *m) {
  int pending = 0;
  for (size_t k = 0; k < m->nfo; k++) {
    failover *fo = &m->fo[k];
    if (fo->t1) continue;
    uint32_t ref = reference_node(m, fo);
    int ok = 1;
    for (size_t j = 0; ok && ref != UINT32_MAX && j < fo->n; j++) {
      uint32_t i = fo->nodes[j];
      if (!sim_engine_alive(m->e, i) || i == ref || !trusts(m->t, ref, i))
        continue;
      ok = walk(m, ref, i) > 0;
    }
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

/* ---- the end ----------------------------------------------------------------------------- */

static uint64_t routed_bytes(sim_engine *e) {
  uint64_t b = 0;
  for (int t = 8; t <= 10; t++) b += sim_engine_type_bytes(e, t);
  return b;
}

static double probe(sim_measure *m, uint32_t s, uint32_t d, size_t size,
                    uint32_t seq) {
  uint64_t before = routed_bytes(m->e);
  sim_engine_send(m->e, s, d, 17, size, PROBE_FLOW_BASE, seq);
  sim_engine_run_until(m->e, sim_engine_now(m->e) + 2 * S_NS);
  return (double)(routed_bytes(m->e) - before) - (double)(20 + 8 + size);
}

void sim_measure_current(const sim_measure *m, sim_metrics *out) {
  *out = m->m;
}

void sim_measure_finish(sim_measure *m, sim_metrics *out) {
  uint64_t now = sim_engine_now(m->e);
  double mem = 0;
  size_t alive = 0;
  for (uint32_t i = 0; i < m->n; i++)
    if (sim_engine_alive(m->e, i)) {
      mem += (double)mcc_node_memory(sim_engine_node(m->e, i));
      alive++;
    }
  m->m.state_bytes_per_node = alive ? mem / (double)alive : 0;
  for (size_t k = 0; k < m->nfo; k++) {
    failover *fo = &m->fo[k];
    uint64_t end = fo->t1 ? fo->t1 : now;
    if (!fo->t1) {
      m->m.failover_unrecovered++;
      double s = (double)(end - fo->t0) / S_NS;
      if (s > m->m.failover_max_s) m->m.failover_max_s = s;
    }
    for (size_t f = 0; f < m->nflows; f++) /* user packets lost meanwhile */
      for (uint32_t q = 0; q < m->flows[f].cap; q++) {
        uint64_t at = m->flows[f].sent_at[q];
        if (at && !m->flows[f].delivered[q] && at - 1 >= fo->t0 &&
            at - 1 <= end)
          m->m.failover_lost_packets++;
      }
  }
  m->m.events = (double)sim_engine_events(m->e);
  /* Overhead probes on one link: the first leaf whose active parent is
   * alive, or in a topology with no leaf (a ring) the first such node. */
  for (uint32_t pass = 0, i = 0; pass < 2; i = (i + 1 == m->n) ? (pass++, 0)
                                                              : i + 1) {
    if (m->n == 0) break;
    uint32_t p = active_parent(m, i);
    int is_parent = 0;
    for (size_t k = 0; k < m->t->nedges && !is_parent && pass == 0; k++)
      is_parent = m->t->edges[k].parent == i;
    if (p == UINT32_MAX || is_parent || !trusts(m->t, i, p) ||
        !trusts(m->t, p, i))
      continue;
    double first = probe(m, i, p, 64, 0);
    m->m.overhead_p64_steady = probe(m, i, p, 64, 1);
    m->m.overhead_p1000_steady = probe(m, i, p, 1000, 2);
    /* The pair may already have had a session (pings): the first packet's
     * cost is then the steady one plus the handshake datagrams as seen on
     * the wire during the run. */
    uint64_t ni = sim_engine_type_datagrams(m->e, 8);
    uint64_t nr = sim_engine_type_datagrams(m->e, 9);
    if (ni && nr)
      first = m->m.overhead_p64_steady +
              (double)sim_engine_type_bytes(m->e, 8) / (double)ni +
              (double)sim_engine_type_bytes(m->e, 9) / (double)nr;
    m->m.overhead_p64_first = first;
    break;
  }
  *out = m->m;
}
