/*
 * engine.c — the native backend of engine.h. Events are ordered by (time,
 * timers before datagrams, the node that scheduled them, that node's own
 * sequence number): a key that does not depend on how the nodes are
 * spread over threads.
 * Datagram arrivals and node timers wait in two 4-ary heaps per
 * partition. A node has one entry in the timer heap at most, moved in
 * place whenever its expiry changes (timer_heap.h), so the heap holds one
 * entry per node with a deadline, and each step is O(log n). Underlay
 * addresses are 10.x.y.z:9376, x.y.z the node index.
 *
 * Partitions (partition.h) run in parallel windows (workers.h), the
 * conservative way: a window ends before the earliest pending event plus
 * the smallest delay of a link between two partitions, so nothing sent in
 * it can arrive in it elsewhere. Datagrams for another partition wait in
 * the sender's out-box until the window ends; callbacks and the shared
 * captures go through journals (journal.h) replayed in key order. A node
 * is only ever touched by its own partition's thread, or by the caller
 * between windows. With one partition and more threads, a helper thread
 * verifies the signatures nodes make ahead (precheck.h) instead. Tunnels
 * are held here too, so that a revived node gets its ends back.
 */
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "fatal.h"
#include "heap4.h"
#include "node.h" /* TEMPORARY: node_id_to_addrs until resolve.h lands */
#include "partition.h"
#include "store_memory.h"

/* Also what a partition's nomem flag comes to at a window's end: the
 * worker that ran short marks it, so no thread exits in mid-window. */
#define WHAT "running the nodes"
static void out_of_memory(void) { sim_out_of_memory(WHAT); }

/* ---- the event heap ------------------------------------------------------ */

/* Datagrams at the same instant by the sending node and its count (the
 * node timers come before them: next_kind). */
static int before(const event *x, const event *y) {
  if (x->at != y->at) return x->at < y->at;
  if (x->from != y->from) return x->from < y->from;
  return x->seq < y->seq;
}

/* Room for one more entry. */
static int grow(event_heap *h, size_t first_cap) {
  if (h->len < h->cap) return 0;
  size_t cap = h->cap ? h->cap * 2 : first_cap;
  event *items = realloc(h->items, cap * sizeof *items);
  if (!items) return MCC_ERR_NOMEM;
  h->items = items;
  h->cap = cap;
  return 0;
}

static void put(void *ctx, event *items, size_t i, event ev) {
  items[i] = ev;
}

HEAP4_DEFINE_SIFT(sift, event, before, put)

static int heap_push(event_heap *h, event ev) {
  if (grow(h, 1024) != 0) return MCC_ERR_NOMEM;
  h->len++;
  sift(NULL, h->items, h->len, h->len - 1, ev);
  return 0;
}

static event heap_pop(event_heap *h) {
  event top = h->items[0], last = h->items[--h->len];
  if (h->len) sift(NULL, h->items, h->len, 0, last);
  return top;
}

/* A datagram into the receiver's partition (the caller's own, or any
 * between windows, of this rank); ev's key is set. */
static int push(sim_engine *e, event ev) {
  return heap_push(&e->parts[e->nodes[ev.node].part].datagrams, ev);
}

int engine_push(sim_engine *e, event ev) { return push(e, ev); }

static int out_add(event_heap *h, event ev) {
  if (grow(h, 256) != 0) return MCC_ERR_NOMEM;
  h->items[h->len++] = ev;
  return 0;
}

/* Which of the partition's two heaps holds its next event: a timer before
 * a datagram of the same instant (a deadline is set long before what
 * arrives at it). EV_NONE when both are empty. */
enum { EV_NONE = -1, EV_DATAGRAM, EV_TIMER };
static int next_kind(const part *p, uint64_t *at) {
  const timer_entry *t = timer_heap_top(&p->timers);
  const event_heap *d = &p->datagrams;
  if (t && (!d->len || t->at <= d->items[0].at)) {
    *at = t->at;
    return EV_TIMER;
  }
  if (!d->len) return EV_NONE;
  *at = d->items[0].at;
  return EV_DATAGRAM;
}

/* ---- nodes, addresses, randomness ----------------------------------------- */

mcc_addr sim_engine_addr(uint32_t node) {
  mcc_addr a;
  memset(&a, 0, sizeof a);
  a.family = 4;
  a.port = UNDERLAY_PORT;
  a.ip[0] = 10;
  a.ip[1] = (uint8_t)(node >> 16);
  a.ip[2] = (uint8_t)(node >> 8);
  a.ip[3] = (uint8_t)node;
  return a;
}

uint32_t sim_engine_node_of(const sim_engine *e, const mcc_addr *a) {
  if (a->family != 4 || a->ip[0] != 10 || a->port != UNDERLAY_PORT)
    return UINT32_MAX;
  uint32_t i = (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 | a->ip[3];
  return i < e->n ? i : UINT32_MAX;
}

static void derive(uint8_t out[32], uint64_t seed, const char *what,
                   uint64_t a, uint64_t b) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, (const uint8_t *)&seed, sizeof seed);
  crypto_generichash_update(&st, (const uint8_t *)what, strlen(what));
  crypto_generichash_update(&st, (const uint8_t *)&a, sizeof a);
  crypto_generichash_update(&st, (const uint8_t *)&b, sizeof b);
  crypto_generichash_final(&st, out, 32);
}

/* The node's clock: its partition's (the time of the event it handles). */
static uint64_t node_now(const sim_engine *e, const vnode *v) {
  return e->ops ? e->now : e->parts[v->part].now;
}

static void schedule(sim_engine *e, vnode *v) {
  uint64_t t = v->node ? mcc_node_get_expiry(v->node) : NEVER;
  if (t == v->expiry) return;
  v->expiry = t;
  v->gen++;
  uint64_t now = node_now(e, v);
  if (e->ops) {
    e->ops->set_timer(e->bk, v->index, t != NEVER && t < now ? now : t);
    return;
  }
  timer_heap *h = &e->parts[v->part].timers;
  if (t == NEVER) {
    timer_heap_remove(h, e->timer_slots, v->index);
    return;
  }
  timer_entry te = {t < now ? now : t, v->index, (uint32_t)v->gen};
  if (timer_heap_set(h, e->timer_slots, te) != 0) e->parts[v->part].nomem = 1;
}

/* ---- links ------------------------------------------------------------------ */

static uint64_t link_key(uint32_t a, uint32_t b) {
  uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
  return ((uint64_t)lo << 32 | hi) + 1;
}

static size_t link_home(const sim_engine *e, uint64_t key) {
  return (size_t)((key * 0x9E3779B97F4A7C15ull) >> e->link_shift);
}

static link *find_link(const sim_engine *e, uint32_t a, uint32_t b) {
  uint64_t k = link_key(a, b);
  for (size_t i = link_home(e, k);; i = (i + 1) & e->link_mask) {
    if (e->link_table[i].key == 0) return NULL;
    if (e->link_table[i].key == k) return &e->links[e->link_table[i].slot];
  }
}

static uint64_t next_random(uint64_t *s) { /* xorshift64* */
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static int same_props(const sim_link_params *x, const sim_link_params *y) {
  return x->delay_ns == y->delay_ns && x->rate_bps == y->rate_bps &&
         x->loss == y->loss && x->mtu == y->mtu && x->queue == y->queue &&
         x->model == y->model;
}

static uint64_t props_hash(const sim_link_params *p) {
  double loss = p->loss == 0 ? 0 : p->loss; /* -0 and 0: one entry */
  uint64_t bits;
  memcpy(&bits, &loss, sizeof bits);
  uint64_t h = p->delay_ns;
  h = (h ^ p->rate_bps) * 0x9E3779B97F4A7C15ull;
  h = (h ^ bits) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ ((uint64_t)p->mtu << 32 | p->queue)) * 0x94D049BB133111EBull;
  return (h ^ p->model) * 0x9E3779B97F4A7C15ull;
}

/* The index of p in e->link_params, added when new; the table (2^bits
 * slots, UINT32_MAX: empty) finds it. */
static uint32_t intern_props(sim_engine *e, uint32_t *table, unsigned bits,
                             const sim_link_params *p) {
  size_t mask = ((size_t)1 << bits) - 1;
  size_t i = (size_t)(props_hash(p) >> (64 - bits));
  for (; table[i] != UINT32_MAX; i = (i + 1) & mask)
    if (same_props(&e->link_params[table[i]], p)) return table[i];
  table[i] = (uint32_t)e->nlink_params;
  e->link_params[e->nlink_params] = *p;
  return (uint32_t)e->nlink_params++;
}

static int build_links(sim_engine *e, char *err, size_t errlen) {
  const sim_topology *t = e->topo;
  e->links = calloc(t->nedges ? t->nedges : 1, sizeof *e->links);
  unsigned bits = 4;
  while (((size_t)1 << bits) < 2 * t->nedges + 16) bits++;
  e->link_mask = ((size_t)1 << bits) - 1;
  e->link_shift = 64 - bits;
  e->link_table = calloc(e->link_mask + 1, sizeof *e->link_table);
  /* at most one set of properties per edge, and as many slots again */
  e->link_params = calloc(t->nedges ? t->nedges : 1, sizeof *e->link_params);
  uint32_t *props = malloc(((size_t)1 << bits) * sizeof *props);
  if (!e->links || !e->link_table || !e->link_params || !props) {
    free(props);
    return MCC_ERR_NOMEM;
  }
  memset(props, 0xff, ((size_t)1 << bits) * sizeof *props);
  for (size_t k = 0; k < t->nedges; k++) {
    const sim_topo_edge *ed = &t->edges[k];
    const link *known = find_link(e, ed->child, ed->parent);
    if (known && known->a == ed->parent) continue; /* b -> a and a -> b:
                                                      one link, both roles */
    if (known) {
      snprintf(err, errlen, "two links between %s and %s",
               t->nodes[ed->child].name, t->nodes[ed->parent].name);
      free(props);
      return MCC_ERR_VALUE;
    }
    link *l = &e->links[e->nlinks];
    l->a = ed->child;
    l->b = ed->parent;
    sim_link_params p = e->cfg.link_defaults;
    sim_link_apply(&p, &ed->params, ed->has);
    if (!p.mtu) p.mtu = 1500;
    l->params = intern_props(e, props, bits, &p);
    l->up = 1;
    for (int dir = 0; dir < 2; dir++) {
      uint8_t s[32];
      derive(s, e->cfg.seed, "link", k, (uint64_t)dir);
      memcpy(&l->rng[dir], s, sizeof l->rng[dir]);
      if (!l->rng[dir]) l->rng[dir] = 1;
    }
    uint64_t key = link_key(l->a, l->b);
    size_t i = link_home(e, key);
    while (e->link_table[i].key) i = (i + 1) & e->link_mask;
    e->link_table[i].key = key;
    e->link_table[i].slot = (uint32_t)e->nlinks++;
  }
  free(props);
  sim_link_params *fit = realloc(
      e->link_params, (e->nlink_params ? e->nlink_params : 1) * sizeof *fit);
  if (fit) e->link_params = fit; /* smaller: kept as it was if not */
  return 0;
}

/* ---- callbacks from the core ---------------------------------------------------- */

static void capture(sim_engine *e, sim_pcap *p, uint64_t now, uint32_t from,
                    uint32_t to, const uint8_t *data, size_t len) {
  mcc_addr a = sim_engine_addr(from), b = sim_engine_addr(to);
  if (sim_pcap_write_udp(p, now, a.ip, UNDERLAY_PORT, b.ip, UNDERLAY_PORT,
                         data, len) != 0)
    atomic_store_explicit(&e->pcap_failed, 1, memory_order_relaxed);
}

/* What node v leaves for the caller while a window runs: its key is the
 * node's clock, the node and the node's next sequence number. */
static void journal(sim_engine *e, vnode *v, sim_jrec r, const void *data,
                    size_t len) {
  part *p = &e->parts[v->part];
  r.at = p->now;
  r.node = v->index;
  r.seq = v->seq++;
  if (sim_journal_add(&p->journal, &r, data, len) != 0) p->nomem = 1;
}

/* The native engine journals what its nodes leave for the caller, in a
 * window or not, and replays it at the next synchronisation (sync_parts):
 * so the callbacks and the captures come in the same order whether the
 * nodes are in one partition, several, or several processes. */
static void drop(sim_engine *e, vnode *v, uint32_t flow, uint32_t seq,
                 int reason) {
  if (!e->on_drop) return;
  if (!e->ops)
    journal(e, v, (sim_jrec){.kind = J_DROP, .a = flow, .b = seq, .c = reason},
            NULL, 0);
  else
    e->on_drop(e->drop_user, flow, seq, reason);
}

/* A node made a signature its peers will check: the precheck thread
 * verifies it ahead, with the node's certificate the first time (the
 * parent checks both when the node's first HELLO arrives). */
static void cb_signed(void *user, const uint8_t pk[32], const uint8_t *msg,
                      size_t msglen, const uint8_t sig[64]) {
  vnode *v = user;
  const mcc_cert *cert = NULL;
  const mcc_cert *starting = v->e->parts[v->part].start_cert;
  if (!v->cert_prechecked) cert = starting ? starting : mcc_node_cert(v->node);
  v->cert_prechecked = 1;
  sim_precheck_submit(v->e->precheck, pk, msg, msglen, sig, cert);
}

static void cb_send(void *user, const mcc_addr *to, const uint8_t *data,
                    size_t len) {
  vnode *v = user;
  sim_engine *e = v->e;
  uint32_t dst = sim_engine_node_of(e, to);
  uint64_t wire = len + WIRE_IPV4_OVERHEAD;
  link *l = v->last_link;
  if (!l || v->last_dst != dst) {
    l = dst == UINT32_MAX ? NULL : find_link(e, v->index, dst);
    v->last_dst = dst;
    v->last_link = l;
  }
  if (!l || !l->up) return; /* never on a wire */
  part *p = &e->parts[v->part];
  uint64_t now = node_now(e, v);
  const sim_link_params *lp = link_props(e, l);
  if (wire > lp->mtu) { /* no fragmentation in the underlay: dropped */
    p->dropped_mtu++;
    if (p->cur_flow) drop(e, v, p->cur_flow - 1, p->cur_seq, SIM_DROP_MTU);
    return;
  }
  v->c.wire_sent += wire;
  v->c.datagrams_sent++;
  int type = len ? data[0] & 0x1f : 0;
  p->type_bytes[0] += wire;
  p->type_dgrams[0]++;
  if (type < MAX_TYPES) {
    p->type_bytes[type] += wire;
    p->type_dgrams[type]++;
  }
  if (v->pcap) capture(e, v->pcap, now, v->index, dst, data, len);
  if (e->capturing && !e->ops)
    journal(e, v, (sim_jrec){.kind = J_NET, .a = v->index, .b = dst}, data,
            len);
  else if (e->all)
    capture(e, e->all, now, v->index, dst, data, len);
  if (e->ops) {
    e->ops->send(e->bk, (uint32_t)(l - e->links), v->index, dst, data, len,
                 p->cur_flow, p->cur_seq);
    return;
  }
  int dir = l->a == v->index ? 0 : 1;
  uint64_t depart = now;
  if (lp->rate_bps) { /* serialisation: one datagram at a time */
    if (l->busy_until[dir] > depart) depart = l->busy_until[dir];
    depart += wire * 8 * 1000000000ull / lp->rate_bps;
    l->busy_until[dir] = depart;
  }
  if (lp->loss > 0 &&
      (double)(next_random(&l->rng[dir]) >> 11) / 9007199254740992.0 <
          lp->loss)
    return;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) {
    p->nomem = 1;
    return;
  }
  memcpy(copy, data, len);
  event ev = {depart + lp->delay_ns, v->seq++, dst, v->index,
              (uint32_t)len, p->cur_flow, p->cur_seq, copy};
  /* another partition's heap is not this thread's to touch in a window,
   * nor this process's when another rank runs it */
  int rv = (e->in_window || !engine_local(e, dst)) &&
                   e->nodes[dst].part != v->part
               ? out_add(&p->out, ev)
               : push(e, ev);
  if (rv != 0) {
    p->nomem = 1;
    free(copy);
  }
}

static void cb_random(void *user, uint8_t *out, size_t len) {
  vnode *v = user;
  uint8_t seed[32];
  derive(seed, v->e->cfg.seed, "random", v->index, v->rand_counter++);
  randombytes_buf_deterministic(out, len, seed);
}

/* Flow packets carry their flow number in the ports (UDP, TCP) or the
 * echo identifier (ICMP), and their sequence in the first payload bytes;
 * with fewer than 4 payload bytes, in the TCP sequence number (32 bits),
 * the echo sequence (ICMP: 16 bits) or nowhere (UDP: 0 bits). */
static void cb_deliver(void *user, const uint8_t *ip, size_t len) {
  vnode *v = user;
  sim_engine *e = v->e;
  uint64_t now = node_now(e, v);
  if (v->inner && sim_pcap_write_ip(v->inner, now, ip, len) != 0)
    atomic_store_explicit(&e->pcap_failed, 1, memory_order_relaxed);
  if (e->capturing && !e->ops)
    journal(e, v, (sim_jrec){.kind = J_INNER}, ip, len);
  else if (e->all_inner && sim_pcap_write_ip(e->all_inner, now, ip, len) != 0)
    atomic_store_explicit(&e->pcap_failed, 1, memory_order_relaxed);
  if (!e->on_delivery || len < 20 || (ip[0] >> 4) != 4) return;
  size_t hl = (size_t)(ip[0] & 15) * 4;
  uint8_t proto = ip[9];
  size_t off = proto == 17 ? 8 : proto == 6 ? 20 : 8;
  if (len < hl + off) return;
  const uint8_t *seg = ip + hl;
  sim_delivery d = {v->index, proto, 0, 0, 0, 0, 0, now};
  if (proto == 1) {
    d.flow = (uint32_t)(seg[4] << 8 | seg[5]);
  } else {
    d.sport = (uint16_t)(seg[0] << 8 | seg[1]);
    d.dport = (uint16_t)(seg[2] << 8 | seg[3]);
    d.flow = (uint32_t)d.sport - 10000u;
  }
  const uint8_t *p = len >= hl + off + 4 ? seg + off
                     : proto == 6        ? seg + 4
                                         : NULL;
  d.seq_bits = p ? 32 : proto == 1 ? 16 : 0;
  d.seq = p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                  (uint32_t)p[2] << 8 | p[3]
          : d.seq_bits ? (uint32_t)(seg[6] << 8 | seg[7])
                       : 0;
  if (!e->ops)
    journal(e, v, (sim_jrec){.kind = J_DELIVERY}, &d, sizeof d);
  else
    e->on_delivery(e->delivery_user, &d);
}

static void cb_lookup_done(void *user, uint32_t token, int status,
                           const mcc_id *id) {
  vnode *v = user;
  sim_engine *e = v->e;
  if (!e->on_lookup) return;
  if (!e->ops)
    journal(e, v, (sim_jrec){.kind = J_LOOKUP, .a = token, .c = status},
            id ? id->key : NULL, id ? sizeof id->key : 0);
  else
    e->on_lookup(e->lookup_user, v->index, token, status, id);
}

/* ---- node lifecycle ------------------------------------------------------------- */

static void derive_creds(const sim_engine *e, uint32_t i, node_creds *c);

static int start_node(sim_engine *e, uint32_t i, char *err, size_t errlen) {
  vnode *v = &e->nodes[i];
  if (!engine_local(e, i)) { /* its rank starts its core */
    v->alive = 1;
    v->expiry = NEVER;
    return 0;
  }
  const sim_topo_node *tn = &e->topo->nodes[i];
  mcc_settings s = e->cfg.base;
  s.unix_time_at_zero_s = e->cfg.unix_start_s;
  s.verify_cache = e->cache;
  s.record_store = e->parts[v->part].store;
  s.dns_names = tn->dns_names;
  s.tags = tn->tags;
  uint32_t parents[MCC_MAX_PARENTS];
  size_t np = sim_topology_parents(e->topo, i, parents, MCC_MAX_PARENTS);
  for (size_t k = 0; k < np && k < MCC_MAX_PARENTS; k++)
    s.parents[k] = sim_engine_addr(parents[k]);
  s.parents_len = np < MCC_MAX_PARENTS ? np : MCC_MAX_PARENTS;
  s.trusted_networks_len = 0;
  for (int k = 0; k < NETWORKS; k++)
    if (k != tn->network && (tn->trusts >> k & 1))
      s.trusted_networks[s.trusted_networks_len++] = e->networks[k].pub;
  mcc_callbacks cb = {.send = cb_send,
                      .random = cb_random,
                      .deliver = cb_deliver,
                      .lookup_done = cb_lookup_done,
                      .signed_message = e->precheck ? cb_signed : NULL,
                      .user_data = v};
  int net = tn->network >= 0 && tn->network < NETWORKS ? tn->network : 0;
  node_creds restart;
  const node_creds *c = e->creds ? &e->creds[i] : &restart;
  if (!e->creds) derive_creds(e, i, &restart);
  part *p = &e->parts[v->part];
  p->start_cert = &c->cert;
  int rv = mcc_node_new(&v->node, &s, &cb, &c->keys, &c->cert,
                        &e->networks[net].pub, 1, e->now);
  p->start_cert = NULL;
  if (c == &restart) sodium_memzero(&restart, sizeof restart);
  if (rv != 0) {
    snprintf(err, errlen, "node %s: %s", tn->name, mcc_strerror(rv));
    return rv;
  }
  v->alive = 1;
  v->expiry = NEVER;
  for (size_t k = 0; k < e->ntunnels; k++) /* a restarted daemon re-reads
                                              its tunnel files */
    for (int end = 0; end < 2; end++)
      if (e->tunnels[k].node[end] == i && (e->tunnels[k].in_place >> end & 1))
        mcc_node_tunnel_add(v->node, &e->tunnels[k].end[end], e->now);
  schedule(e, v);
  return 0;
}

static int open_capture(sim_engine *e, sim_pcap **pp, const char *name,
                        char *err, size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.pcap", e->cfg.pcap_dir, name);
  int rv = sim_pcap_open(pp, path, err, errlen);
  if (rv == 0) sim_pcap_set_epoch(*pp, e->cfg.unix_start_s);
  return rv;
}

/* network.pcap sees every datagram once, as it leaves its sender;
 * inner.pcap every packet a node delivers: written by rank 0 from the
 * journals. Per-node files too, by the node's rank, while the network is
 * small enough not to run out of file descriptors. */
static int open_captures(sim_engine *e, char *err, size_t errlen) {
  int rv = 0;
  e->capturing = 1;
  if (sim_engine_rank(e) == 0) {
    rv = open_capture(e, &e->all, "network", err, errlen);
    if (rv == 0) rv = open_capture(e, &e->all_inner, "inner", err, errlen);
  }
  for (size_t i = 0; rv == 0 && e->n <= SIM_PCAP_PER_NODE_MAX && i < e->n;
       i++) {
    if (!engine_local(e, (uint32_t)i)) continue;
    char name[512];
    const char *node = e->topo->nodes[i].name;
    snprintf(name, sizeof name, "node-%s", node);
    rv = open_capture(e, &e->nodes[i].pcap, name, err, errlen);
    snprintf(name, sizeof name, "node-%s-inner", node);
    if (rv == 0) rv = open_capture(e, &e->nodes[i].inner, name, err, errlen);
  }
  return rv;
}

static void sync_parts(sim_engine *e);

static int close_files(sim_engine *e) {
  int failed = e->pcap_failed;
  failed |= sim_pcap_close(e->all) != 0;
  failed |= sim_pcap_close(e->all_inner) != 0;
  e->all = e->all_inner = NULL;
  for (size_t i = 0; e->nodes && i < e->n; i++) {
    failed |= sim_pcap_close(e->nodes[i].pcap) != 0;
    failed |= sim_pcap_close(e->nodes[i].inner) != 0;
    e->nodes[i].pcap = e->nodes[i].inner = NULL;
  }
  return failed ? MCC_ERR_LIMIT : 0;
}

int sim_engine_close_captures(sim_engine *e) {
  if (!e->ops) sync_parts(e); /* what the last actions sent */
  int rv = close_files(e);
  if (e->comm) { /* any rank's failure is the run's */
    uint64_t failed = rv != 0;
    e->comm->max_u64(e->comm, &failed, 1);
    rv = failed ? MCC_ERR_LIMIT : 0;
  }
  return rv;
}

/* Each node's keys and certificate come from the seed and its index alone,
 * so a helper thread can make every other node's, in any order, and a
 * restart can make them again. */
static void derive_creds(const sim_engine *e, uint32_t i, node_creds *c) {
  uint32_t nb = (uint32_t)(e->cfg.unix_start_s - 86400);
  uint32_t na = (uint32_t)(e->cfg.unix_start_s + 366 * 86400);
  uint8_t s[32];
  derive(s, e->cfg.seed, "node", i, 0);
  mcc_keypair_from_seed(&c->keys, s);
  sodium_memzero(s, sizeof s);
  int net = e->topo->nodes[i].network;
  mcc_cert_sign(&c->cert, MCC_CERT_NODE, &c->keys.pub,
                &e->networks[net >= 0 && net < NETWORKS ? net : 0], nb, na);
}

typedef struct key_job {
  sim_engine *e;
  uint32_t first, step;
} key_job;

static void *make_keys(void *arg) {
  const key_job *k = arg;
  sim_engine *e = k->e;
  for (uint32_t i = k->first; i < e->n; i += k->step) {
    if (!engine_local(e, i)) continue;
    derive_creds(e, i, &e->creds[i]);
    e->nodes[i].id = e->creds[i].keys.pub;
  }
  return NULL;
}

static void free_creds(sim_engine *e) {
  if (!e->creds) return;
  sodium_memzero(e->creds, e->n * sizeof *e->creds);
  free(e->creds);
  e->creds = NULL;
}

static void make_node_keys(sim_engine *e) {
  for (uint32_t i = 0; i < e->n; i++) {
    e->nodes[i].e = e;
    e->nodes[i].index = i;
  }
  e->creds = sim_xcalloc(e->n ? e->n : 1, sizeof *e->creds, "starting the nodes");
  key_job mine = {e, 0, 1}, theirs = {e, 1, 2};
  pthread_t helper;
  int helped = e->cfg.helper_threads > 0 && e->n > 1 &&
               pthread_create(&helper, NULL, make_keys, &theirs) == 0;
  if (helped) mine.step = 2;
  make_keys(&mine);
  if (helped) pthread_join(helper, NULL);
  if (!e->comm) return;
  /* Every rank needs every node's id (to address it, to name a next
   * hop); each made its own nodes'. */
  mcc_id *ids = sim_xcalloc(e->n, sizeof *ids, "starting the nodes");
  for (uint32_t i = 0; i < e->n; i++)
    if (engine_local(e, i)) ids[i] = e->nodes[i].id;
  e->comm->or_bytes(e->comm, ids, e->n * sizeof *ids);
  for (uint32_t i = 0; i < e->n; i++) e->nodes[i].id = ids[i];
  free(ids);
}

/* With several partitions in one process, each worker starts its own
 * partition's nodes, in index order, on the thread that will run them:
 * a node's start touches only its partition's store and heaps, and what
 * it sends to another partition waits in its out-box, handed over as
 * after a window. Events are ordered by key, so the run is the one that
 * starting every node in turn gives. */
typedef struct start_job {
  sim_engine *e;
  int rv[64];
  uint32_t failed[64];
  char err[64][256];
} start_job;

static void start_part_k(void *arg, unsigned k) {
  start_job *j = arg;
  sim_engine *e = j->e;
  for (uint32_t i = 0; i < e->n; i++)
    if (e->nodes[i].part == k &&
        (j->rv[k] = start_node(e, i, j->err[k], sizeof j->err[k])) != 0) {
      j->failed[k] = i;
      return;
    }
}

static int start_nodes(sim_engine *e, char *err, size_t errlen) {
  if (e->comm || e->ops || e->nparts == 1 || e->nparts > 64) {
    for (uint32_t i = 0; i < e->n; i++) {
      int rv = start_node(e, i, err, errlen);
      if (rv != 0) return rv;
    }
    return 0;
  }
  start_job *j = calloc(1, sizeof *j);
  if (!j) return MCC_ERR_NOMEM;
  j->e = e;
  e->in_window = 1;
  sim_workers_run(e->workers, start_part_k, j);
  e->in_window = 0;
  int rv = 0;
  uint32_t first = UINT32_MAX;
  for (unsigned k = 0; k < e->nparts; k++) /* the first failing node's */
    if (j->rv[k] != 0 && j->failed[k] < first) {
      first = j->failed[k];
      rv = j->rv[k];
      snprintf(err, errlen, "%s", j->err[k]);
    }
  free(j);
  if (rv == 0) sync_parts(e);
  return rv;
}

/* The partitions (native engine only) and the lookahead between them: a
 * link with no delay between two partitions would make windows of
 * nothing, so then there is one partition. */
static int make_parts(sim_engine *e) {
  unsigned want = e->ops    ? 1
                  : e->comm ? e->comm->size
                            : (unsigned)e->cfg.helper_threads + 1;
  uint32_t *pt = malloc((e->n ? e->n : 1) * sizeof *pt);
  if (!pt) return MCC_ERR_NOMEM;
  int np = sim_partition(e->topo, want, pt);
  if (np < 0) {
    free(pt);
    return np;
  }
  e->lookahead = NEVER;
  for (size_t k = 0; k < e->nlinks; k++) {
    const link *l = &e->links[k];
    if (pt[l->a] != pt[l->b] && link_props(e, l)->delay_ns < e->lookahead)
      e->lookahead = link_props(e, l)->delay_ns;
  }
  if (e->lookahead == 0) np = 1;
  for (uint32_t i = 0; i < e->n; i++) e->nodes[i].part = np > 1 ? pt[i] : 0;
  free(pt);
  if (np == 1) e->lookahead = NEVER;
  e->nparts = (unsigned)np;
  size_t size = e->nparts * sizeof *e->parts;
  if (posix_memalign((void **)&e->parts, 64, size) != 0) return MCC_ERR_NOMEM;
  memset(e->parts, 0, size);
  for (unsigned k = 0; k < e->nparts; k++)
    if (mcc_record_store_new(&e->parts[k].store) != 0) return MCC_ERR_NOMEM;
  /* MPI: this process runs one partition, its rank's (none when the
   * topology gave fewer partitions than ranks) */
  return sim_workers_new(&e->workers, e->comm ? 1 : e->nparts);
}

int sim_engine_new(sim_engine **pe, const sim_topology *topo,
                   const sim_engine_config *cfg, char *err, size_t errlen) {
  if (sodium_init() < 0) return MCC_ERR_NOMEM;
  sim_engine *e = calloc(1, sizeof *e);
  if (!e) return MCC_ERR_NOMEM;
  e->topo = topo;
  e->cfg = *cfg;
  e->comm = cfg->comm;
  e->n = topo->nnodes;
  e->nodes = calloc(e->n ? e->n : 1, sizeof *e->nodes);
  e->timer_slots = malloc((e->n ? e->n : 1) * sizeof *e->timer_slots);
  int rv = MCC_ERR_NOMEM;
  if (!e->nodes || !e->timer_slots) goto fail;
  /* every slot TIMER_NO_SLOT */
  memset(e->timer_slots, 0xff, e->n * sizeof *e->timer_slots);
  rv = build_links(e, err, errlen);
  if (rv != 0) goto fail;
  if (cfg->backend) {
    if ((rv = cfg->backend->create(&e->bk, e, cfg->seed, err, errlen)) != 0)
      goto fail;
    e->ops = cfg->backend;
  }
  if ((rv = make_parts(e)) != 0) goto fail;
  /* room for the signatures of this process's nodes (an MPI rank's own) */
  size_t local = 0;
  for (uint32_t i = 0; i < e->n; i++) local += engine_local(e, i);
  if ((rv = mcc_verify_cache_new(&e->cache, 16 * local + 1024)) != 0) goto fail;
  uint8_t s[32];
  mcc_keypair authority;
  derive(s, cfg->seed, "authority", 0, 0);
  mcc_keypair_from_seed(&authority, s);
  for (int k = 0; k < NETWORKS; k++) {
    derive(s, cfg->seed, "network", (uint64_t)k, 0);
    mcc_keypair_from_seed(&e->networks[k], s);
  }
  make_node_keys(e);
  if (cfg->helper_threads > 0 && e->nparts == 1 &&
      (rv = sim_precheck_start(&e->precheck, e->cache)) != 0)
    goto fail;
  if (cfg->pcap_dir && (rv = open_captures(e, err, errlen)) != 0) goto fail;
  rv = start_nodes(e, err, errlen);
  free_creds(e);
  if (rv != 0) goto fail;
  *pe = e;
  return 0;
fail:
  sim_engine_free(e);
  /* under MPI another rank may be in a collective this one will not make */
  if (rv == MCC_ERR_NOMEM || sim_alloc_failed()) out_of_memory();
  return rv;
}

void sim_engine_free(sim_engine *e) {
  if (!e) return;
  sim_workers_free(e->workers);
  close_files(e);
  sim_precheck_stop(e->precheck);
  free_creds(e);
  if (e->ops) e->ops->destroy(e->bk);
  /* also after a start that failed half-way (sim_engine_new) */
  for (size_t i = 0; e->nodes && i < e->n; i++) mcc_node_free(e->nodes[i].node);
  for (unsigned k = 0; e->parts && k < e->nparts; k++) {
    part *p = &e->parts[k];
    for (size_t j = 0; j < p->datagrams.len; j++) free(p->datagrams.items[j].data);
    for (size_t j = 0; j < p->out.len; j++) free(p->out.items[j].data);
    free(p->datagrams.items);
    timer_heap_free(&p->timers);
    free(p->out.items);
    sim_journal_free(&p->journal);
    mcc_record_store_free(p->store); /* after the nodes that use it */
  }
  free(e->parts);
  sim_journal_free(&e->merged);
  free(e->view_parent);
  free(e->view_counters);
  free(e->nodes);
  free(e->timer_slots);
  free(e->links);
  free(e->link_params);
  free(e->link_table);
  if (e->tunnels) sodium_memzero(e->tunnels, e->ntunnels * sizeof *e->tunnels);
  free(e->tunnels);
  mcc_verify_cache_free(e->cache);
  free(e);
}

/* ---- running ---------------------------------------------------------------------- */

/* One partition's share of a window: its events up to the bound, in key
 * order. Only its own nodes, heaps, counters and journal are touched. */
static void run_part(sim_engine *e, part *p) {
  uint64_t at;
  int kind;
  while ((kind = next_kind(p, &at)) != EV_NONE && at <= e->bound) {
    if (at > p->now) p->now = at;
    if (kind == EV_TIMER) {
      timer_entry t = timer_heap_pop(&p->timers, e->timer_slots);
      vnode *v = &e->nodes[t.node];
      if (t.gen != (uint32_t)v->gen || !v->alive) continue;
      v->expiry = NEVER;
      p->events++;
      mcc_node_handle_expiry(v->node, p->now);
      schedule(e, v);
      continue;
    }
    event ev = heap_pop(&p->datagrams);
    vnode *v = &e->nodes[ev.node];
    p->events++;
    if (v->alive) {
      mcc_addr from = sim_engine_addr(ev.from);
      v->c.wire_received += ev.len + WIRE_IPV4_OVERHEAD;
      v->c.datagrams_received++;
      if (v->pcap) capture(e, v->pcap, p->now, ev.from, ev.node, ev.data, ev.len);
      p->cur_flow = ev.tag_flow;
      p->cur_seq = ev.tag_seq;
      mcc_node_recv(v->node, &from, ev.data, ev.len, p->now);
      p->cur_flow = p->cur_seq = 0;
      schedule(e, v);
    }
    free(ev.data);
  }
}

static void run_part_k(void *arg, unsigned k) {
  sim_engine *e = arg;
  if (e->comm) k = e->comm->rank;
  if (k < e->nparts) run_part(e, &e->parts[k]);
}

static uint64_t next_event_time(sim_engine *e) {
  uint64_t t = NEVER, at;
  for (unsigned k = 0; k < e->nparts; k++)
    if (next_kind(&e->parts[k], &at) != EV_NONE && at < t) t = at;
  return t;
}

/* The journals merged in key order, to the captures and the caller's
 * callbacks, each at the time its record was made; how many there were
 * (over all ranks). */
static size_t replay(sim_engine *e) {
  unsigned n = e->comm ? e->comm->size : e->nparts;
  sim_journal *js[64] = {0};
  sim_journal **jp = n <= 64 ? js : sim_xcalloc(n, sizeof *jp, WHAT);
  sim_journal *gathered = NULL;
  if (e->comm) {
    gathered = sim_xcalloc(n, sizeof *gathered, WHAT);
    if (ranks_gather_journals(e, gathered) != 0) out_of_memory();
    for (unsigned k = 0; k < n; k++) jp[k] = &gathered[k];
  } else {
    for (unsigned k = 0; k < n; k++) jp[k] = &e->parts[k].journal;
  }
  if (sim_journal_merge(&e->merged, jp, n) != 0) out_of_memory();
  if (jp != js) free(jp);
  for (unsigned k = 0; gathered && k < n; k++) sim_journal_free(&gathered[k]);
  free(gathered);
  uint64_t now = e->now;
  size_t count = e->merged.len;
  for (size_t k = 0; k < e->merged.len; k++) {
    const sim_jrec *r = &e->merged.r[k];
    e->now = r->at;
    switch (r->kind) {
    case J_NET:
      if (e->all) capture(e, e->all, r->at, r->a, r->b, r->data, r->len);
      break;
    case J_INNER:
      if (e->all_inner &&
          sim_pcap_write_ip(e->all_inner, r->at, r->data, r->len) != 0)
        atomic_store_explicit(&e->pcap_failed, 1, memory_order_relaxed);
      break;
    case J_DELIVERY: {
      sim_delivery d;
      memcpy(&d, r->data, sizeof d);
      e->on_delivery(e->delivery_user, &d);
      break;
    }
    case J_DROP:
      e->on_drop(e->drop_user, r->a, r->b, r->c);
      break;
    case J_LOOKUP: {
      mcc_id id;
      if (r->len) memcpy(id.key, r->data, sizeof id.key);
      e->on_lookup(e->lookup_user, r->node, r->a, r->c, r->len ? &id : NULL);
      break;
    }
    }
  }
  e->now = now;
  sim_journal_clear(&e->merged);
  return count;
}

/* Between windows, and before the first: datagrams that crossed into
 * their partitions' heaps (over ranks too), then the journals replayed.
 * What the callbacks do may send and journal more, so again until
 * nothing is left anywhere. */
static void sync_parts(sim_engine *e) {
  for (;;) {
    if (e->comm) {
      ranks_exchange(e);
    } else {
      for (unsigned k = 0; k < e->nparts; k++) {
        part *p = &e->parts[k];
        for (size_t j = 0; j < p->out.len; j++)
          if (push(e, p->out.items[j]) != 0) {
            free(p->out.items[j].data);
            p->nomem = 1;
          }
        p->out.len = 0;
      }
    }
    for (unsigned k = 0; k < e->nparts; k++)
      if (e->parts[k].nomem) out_of_memory();
    /* anything the cores or the runner could not allocate (alloc_wrap.c) */
    if (sim_alloc_failed()) out_of_memory();
    replay(e);
    uint64_t pending = 0;
    for (unsigned k = 0; k < e->nparts; k++)
      pending += e->parts[k].out.len + e->parts[k].journal.len;
    if (e->comm) e->comm->sum_u64(e->comm, &pending, 1);
    if (!pending) return;
  }
}

/* Windows from the earliest pending event t0 to t0 + lookahead - 1 (or
 * t): whatever a partition sends in one arrives elsewhere after it. */
void sim_engine_run_until(sim_engine *e, uint64_t t) {
  if (e->ops) {
    e->ops->run_until(e->bk, t);
    e->now = e->ops->now(e->bk);
    if (sim_alloc_failed()) out_of_memory();
    return;
  }
  uint64_t span = e->lookahead < WINDOW_MAX_NS ? e->lookahead : WINDOW_MAX_NS;
  e->state_gen++;
  sync_parts(e);
  for (;;) {
    uint64_t t0 = next_event_time(e);
    if (e->comm) e->comm->min_u64(e->comm, &t0, 1);
    if (t0 > t || t0 == NEVER) break;
    e->bound = t - t0 > span - 1 ? t0 + (span - 1) : t;
    e->in_window = 1;
    sim_workers_run(e->workers, run_part_k, e);
    e->in_window = 0;
    e->windows++;
    uint64_t now = e->now;
    for (unsigned k = 0; k < e->nparts; k++)
      if (e->parts[k].now > now) now = e->parts[k].now;
    if (e->comm) e->comm->max_u64(e->comm, &now, 1);
    e->now = now;
    sync_parts(e);
  }
  if (t > e->now && t != NEVER) e->now = t;
  for (unsigned k = 0; k < e->nparts; k++) e->parts[k].now = e->now;
}

uint64_t sim_engine_now(const sim_engine *e) { return e->now; }

/* ---- what another backend calls (engine_backend.h) -------------------------------- */

size_t sim_backend_nlinks(const sim_engine *e) { return e->nlinks; }

uint32_t sim_backend_link_of(const sim_engine *e, uint32_t a, uint32_t b) {
  const link *l = find_link(e, a, b);
  return l ? (uint32_t)(l - e->links) : UINT32_MAX;
}

const char *sim_backend_pcap_dir(const sim_engine *e) {
  return e->cfg.pcap_dir;
}

const char *sim_backend_node_name(const sim_engine *e, uint32_t node) {
  return e->topo->nodes[node].name;
}

int sim_backend_node_pos(const sim_engine *e, uint32_t node, double *x,
                         double *y) {
  const sim_topo_node *n = &e->topo->nodes[node];
  *x = n->x;
  *y = n->y;
  return n->has_pos;
}

int sim_engine_move(sim_engine *e, uint32_t node, double x, double y) {
  if (node >= e->n || !e->ops || !e->ops->move) return MCC_ERR_INVALID_ARGUMENT;
  return e->ops->move(e->bk, node, x, y);
}

void sim_backend_link(const sim_engine *e, size_t k, uint32_t *a, uint32_t *b,
                      sim_link_params *p) {
  *a = e->links[k].a;
  *b = e->links[k].b;
  *p = *link_props(e, &e->links[k]);
}

/* As the native loop handles a timer event and a datagram event. */
void sim_backend_timer(sim_engine *e, uint32_t node) {
  vnode *v = &e->nodes[node];
  e->now = e->ops->now(e->bk);
  if (!v->alive) return;
  v->expiry = NEVER;
  e->parts[0].events++;
  mcc_node_handle_expiry(v->node, e->now);
  schedule(e, v);
}

void sim_backend_datagram(sim_engine *e, uint32_t node, uint32_t from,
                          const uint8_t *data, size_t len, uint32_t tag_flow,
                          uint32_t tag_seq) {
  vnode *v = &e->nodes[node];
  part *p = &e->parts[0];
  e->now = e->ops->now(e->bk);
  p->events++;
  if (!v->alive) return;
  mcc_addr a = sim_engine_addr(from);
  v->c.wire_received += len + WIRE_IPV4_OVERHEAD;
  v->c.datagrams_received++;
  if (v->pcap) capture(e, v->pcap, e->now, from, node, data, len);
  p->cur_flow = tag_flow;
  p->cur_seq = tag_seq;
  mcc_node_recv(v->node, &a, data, len, e->now);
  p->cur_flow = p->cur_seq = 0;
  schedule(e, v);
}

/* Sums of the partitions' counters; over the ranks too, so collective
 * (comm.h) with them. */
static uint64_t parts_sum(const sim_engine *e, size_t offset) {
  uint64_t n = 0;
  for (unsigned k = 0; k < e->nparts; k++)
    n += *(const uint64_t *)((const char *)&e->parts[k] + offset);
  if (e->comm) e->comm->sum_u64(e->comm, &n, 1);
  return n;
}

uint64_t sim_engine_events(const sim_engine *e) {
  return parts_sum(e, offsetof(part, events));
}

void sim_engine_stats(const sim_engine *e, sim_engine_stat *s) {
  memset(s, 0, sizeof *s);
  s->partitions = e->nparts;
  s->lookahead_ns = e->lookahead;
  s->windows = e->windows;
  s->events = sim_engine_events(e);
  uint64_t ns[2] = {sim_workers_wait_ns(e->workers),
                    sim_workers_busy_ns(e->workers)};
  if (e->comm) { /* a rank waits in its collectives */
    ns[0] = e->comm->wait_ns;
    e->comm->sum_u64(e->comm, ns, 2);
  }
  s->barrier_wait_s = (double)ns[0] / 1e9;
  s->busy_s = (double)ns[1] / 1e9;
}

size_t sim_engine_store_memory(sim_engine *e) {
  if (e->comm) return ranks_store_memory(e);
  mcc_record_store **stores = sim_xcalloc(e->nparts, sizeof *stores, WHAT);
  for (unsigned k = 0; k < e->nparts; k++) stores[k] = e->parts[k].store;
  size_t bytes = sim_store_memory(stores, e->nparts);
  free(stores);
  return bytes;
}

size_t sim_engine_size(const sim_engine *e) { return e->n; }
mcc_node *sim_engine_node(sim_engine *e, uint32_t i) { return e->nodes[i].node; }
unsigned sim_engine_rank(const sim_engine *e) { return e->comm ? e->comm->rank : 0; }

uint32_t engine_node_parent(sim_engine *e, uint32_t i) {
  mcc_addr a;
  const vnode *v = &e->nodes[i];
  if (!v->alive || !v->node || mcc_node_parent(v->node, NULL, &a) != 0)
    return UINT32_MAX;
  return sim_engine_node_of(e, &a);
}

size_t engine_node_known(sim_engine *e, uint32_t i) {
  mcc_node *node = e->nodes[i].node;
  size_t k = 0;
  mcc_node_info info;
  for (size_t j = 0; node && j < mcc_node_known_count(node); j++)
    if (mcc_node_known_get(node, j, &info) == 0 && info.seq) k++;
  return k;
}

uint32_t sim_engine_parent(sim_engine *e, uint32_t i) {
  if (!e->comm) return engine_node_parent(e, i);
  ranks_view_parents(e);
  return e->nodes[i].alive ? e->view_parent[i] : UINT32_MAX;
}

void sim_engine_records_known(sim_engine *e, const uint32_t *nodes, size_t n,
                              uint64_t *known) {
  for (size_t k = 0; k < n; k++) /* another rank's node has no core here */
    known[k] = engine_node_known(e, nodes[k]);
  if (e->comm) e->comm->sum_u64(e->comm, known, n);
}

uint64_t sim_engine_nodes_memory(sim_engine *e) {
  uint64_t m = 0;
  for (uint32_t i = 0; i < e->n; i++)
    if (e->nodes[i].alive && e->nodes[i].node)
      m += mcc_node_memory(e->nodes[i].node);
  if (e->comm) e->comm->sum_u64(e->comm, &m, 1);
  return m;
}

void sim_engine_routes(sim_engine *e, const uint32_t *at, const uint32_t *dst,
                       size_t n, mcc_id *next) {
  memset(next, 0, n * sizeof *next);
  for (size_t k = 0; k < n; k++) {
    mcc_route r;
    mcc_node *node = e->nodes[at[k]].node;
    if (node && mcc_node_route(node, &e->nodes[dst[k]].id, &r) == 0)
      next[k] = r.next_hop;
  }
  if (e->comm) /* each answered by the one rank that runs at[k] */
    e->comm->or_bytes(e->comm, next, n * sizeof *next);
}

int sim_engine_lookup(sim_engine *e, uint32_t from, int kind, const void *key,
                      size_t len, int *status, mcc_id *got, uint32_t *token) {
  struct {
    int32_t rv, status;
    uint32_t token;
    mcc_id got;
  } a;
  memset(&a, 0, sizeof a);
  a.rv = MCC_ERR_INVALID_ARGUMENT;
  a.status = -1;
  mcc_node *node = e->nodes[from].node;
  if (node) {
    int st = -1;
    a.rv = mcc_node_lookup(node, kind, key, len, e->now, &st, &a.got, &a.token);
    a.status = st;
  }
  if (e->comm && e->nodes[from].part < e->comm->size)
    e->comm->bcast(e->comm, &a, sizeof a, e->nodes[from].part);
  e->state_gen++;
  *status = a.status;
  *got = a.got;
  *token = a.token;
  return a.rv;
}
const mcc_id *sim_engine_node_id(const sim_engine *e, uint32_t i) {
  return &e->nodes[i].id;
}
int sim_engine_alive(const sim_engine *e, uint32_t i) { return e->nodes[i].alive; }

const sim_counters *sim_engine_counters(sim_engine *e, uint32_t i) {
  if (!e->comm) return &e->nodes[i].c;
  ranks_view_counters(e);
  return &e->view_counters[i];
}

void sim_engine_kill(sim_engine *e, uint32_t i) {
  vnode *v = &e->nodes[i];
  if (!v->alive) return;
  e->state_gen++;
  mcc_node_free(v->node);
  v->node = NULL;
  v->alive = 0;
  v->gen++;
  v->expiry = NEVER;
  if (e->ops)
    e->ops->set_timer(e->bk, i, NEVER);
  else
    timer_heap_remove(&e->parts[v->part].timers, e->timer_slots, i);
}

void sim_engine_revive(sim_engine *e, uint32_t i) {
  char err[256];
  if (e->nodes[i].alive) return;
  e->state_gen++;
  uint64_t failed = start_node(e, i, err, sizeof err) != 0;
  if (failed) fprintf(stderr, "mcc-sim: cannot revive: %s\n", err);
  if (e->comm) { /* the node's rank decides: alive everywhere or nowhere */
    e->comm->max_u64(e->comm, &failed, 1);
    if (failed) e->nodes[i].alive = 0;
  }
}

int sim_engine_set_link(sim_engine *e, uint32_t a, uint32_t b, int up) {
  link *l = find_link(e, a, b);
  if (!l) return MCC_ERR_NO_LINK;
  l->up = up;
  if (e->ops) e->ops->set_link(e->bk, (uint32_t)(l - e->links), up);
  return 0;
}

int sim_engine_link_up(const sim_engine *e, uint32_t a, uint32_t b) {
  const link *l = find_link(e, a, b);
  return l ? l->up : -1;
}

uint32_t sim_engine_link_mtu(const sim_engine *e, uint32_t a, uint32_t b) {
  const link *l = find_link(e, a, b);
  return l ? link_props(e, l)->mtu : 0;
}

uint64_t sim_engine_dropped_mtu(const sim_engine *e) {
  return parts_sum(e, offsetof(part, dropped_mtu));
}

void sim_engine_on_lookup(sim_engine *e, sim_lookup_fn fn, void *user) {
  e->on_lookup = fn;
  e->lookup_user = user;
}

void sim_engine_poke(sim_engine *e, uint32_t node) {
  e->state_gen++;
  if (node < e->n && e->nodes[node].alive && e->nodes[node].node)
    schedule(e, &e->nodes[node]);
}

void sim_engine_on_drop(sim_engine *e, sim_drop_fn fn, void *user) {
  e->on_drop = fn;
  e->drop_user = user;
}

void sim_engine_on_delivery(sim_engine *e, sim_delivery_fn fn, void *user) {
  e->on_delivery = fn;
  e->delivery_user = user;
}

/* Summed over partitions, between windows. */
uint64_t sim_engine_type_bytes(const sim_engine *e, int type) {
  if (type < 0 || type >= MAX_TYPES) return 0;
  return parts_sum(e, offsetof(part, type_bytes) + (size_t)type * 8);
}

uint64_t sim_engine_type_datagrams(const sim_engine *e, int type) {
  if (type < 0 || type >= MAX_TYPES) return 0;
  return parts_sum(e, offsetof(part, type_dgrams) + (size_t)type * 8);
}

void sim_engine_reset_counters(sim_engine *e) {
  e->state_gen++;
  for (unsigned k = 0; k < e->nparts; k++) {
    memset(e->parts[k].type_bytes, 0, sizeof e->parts[k].type_bytes);
    memset(e->parts[k].type_dgrams, 0, sizeof e->parts[k].type_dgrams);
  }
  for (size_t i = 0; i < e->n; i++) memset(&e->nodes[i].c, 0, sizeof e->nodes[i].c);
}

/* ---- tunnels -------------------------------------------------------------------------- */

/* An endpoint's key pair from the seed and the tunnel's name: the same
 * scenario and seed always give the same keys. */
static void endpoint_keys(mcc_keypair *k, uint64_t seed, const char *name,
                          int server) {
  uint8_t s[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, (const uint8_t *)&seed, sizeof seed);
  crypto_generichash_update(&st, (const uint8_t *)(server ? "tunnel server"
                                                          : "tunnel client"),
                            13);
  crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
  crypto_generichash_final(&st, s, sizeof s);
  mcc_keypair_from_seed(k, s);
}

int sim_engine_tunnel_new(sim_engine *e, const char *name, uint32_t client,
                          uint32_t server, const mcc_tunnel_target *targets,
                          size_t ntargets, int in_place, uint32_t *pindex) {
  if (client >= e->n || server >= e->n || client == server || !ntargets ||
      ntargets > MCC_TUNNEL_MAX_TARGETS)
    return MCC_ERR_INVALID_ARGUMENT;
  e->tunnels = sim_xrealloc(e->tunnels, (e->ntunnels + 1) * sizeof *e->tunnels,
                           "making the tunnels");
  sim_tunnel *t = &e->tunnels[e->ntunnels];
  memset(t, 0, sizeof *t);
  t->node[0] = client;
  t->node[1] = server;
  int net = e->topo->nodes[server].network;
  const mcc_keypair *issuer = &e->networks[net >= 0 && net < NETWORKS ? net : 0];
  uint32_t nb = (uint32_t)(e->cfg.unix_start_s - 86400);
  uint32_t na = (uint32_t)(e->cfg.unix_start_s + 366 * 86400);
  for (int end = 0; end < 2; end++) {
    mcc_tunnel *x = &t->end[end];
    x->role = end ? MCC_TUNNEL_SERVER : MCC_TUNNEL_CLIENT;
    endpoint_keys(&x->endpoint, e->cfg.seed, name, end);
    mcc_cert_sign(&x->cert, MCC_CERT_TUNNEL, &x->endpoint.pub, issuer, nb, na);
    x->remote_node = e->nodes[t->node[!end]].id;
    memcpy(x->targets, targets, ntargets * sizeof *targets);
    x->ntargets = ntargets;
  }
  t->end[0].peer_endpoint = t->end[1].endpoint.pub;
  t->end[1].peer_endpoint = t->end[0].endpoint.pub;
  *pindex = (uint32_t)e->ntunnels++;
  if (in_place) sim_engine_tunnel_set(e, *pindex, 3, 1);
  return 0;
}

void sim_engine_tunnel_set(sim_engine *e, uint32_t tunnel, unsigned ends,
                           int in_place) {
  sim_tunnel *t = &e->tunnels[tunnel];
  for (int end = 0; end < 2; end++) {
    if (!(ends >> end & 1) || (int)(t->in_place >> end & 1) == !!in_place)
      continue;
    t->in_place ^= 1u << end;
    vnode *v = &e->nodes[t->node[end]];
    e->state_gen++;
    if (!v->alive || !v->node) continue; /* a revive adds what is in place;
                                            another rank's node is its */
    if (in_place)
      mcc_node_tunnel_add(v->node, &t->end[end], e->now);
    else
      mcc_node_tunnel_remove(v->node, &t->end[end].peer_endpoint, e->now);
    schedule(e, v);
  }
}

const mcc_id *sim_engine_tunnel_endpoint(const sim_engine *e, uint32_t tunnel,
                                         int server) {
  return &e->tunnels[tunnel].end[server ? 1 : 0].endpoint.pub;
}

/* ---- user traffic ------------------------------------------------------------------- */

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

int sim_engine_send(sim_engine *e, uint32_t src, uint32_t dst, int proto,
                    size_t size, uint32_t flow, uint32_t seq) {
  if (dst >= e->n) return MCC_ERR_INVALID_ARGUMENT;
  return sim_engine_send_to(e, src, &e->nodes[dst].id, proto, size,
                            flow, seq, (uint16_t)(10000 + flow), 20000);
}

static void send_packet(sim_engine *e, vnode *v, const mcc_id *to, int proto,
                        size_t size, uint32_t flow, uint32_t seq,
                        uint16_t sport, uint16_t dport);

int sim_engine_send_to(sim_engine *e, uint32_t src, const mcc_id *to,
                       int proto, size_t size, uint32_t flow, uint32_t seq,
                       uint16_t sport, uint16_t dport) {
  vnode *v = &e->nodes[src];
  if (!v->alive || size > 1200) return MCC_ERR_INVALID_ARGUMENT;
  e->state_gen++;
  if (v->node) /* else another rank's, which sends it */
    send_packet(e, v, to, proto, size, flow, seq, sport, dport);
  return 0;
}

/* The packet sim_engine_send_to describes, made and sent by v's core. */
static void send_packet(sim_engine *e, vnode *v, const mcc_id *to, int proto,
                        size_t size, uint32_t flow, uint32_t seq,
                        uint16_t sport, uint16_t dport) {
  uint8_t ip[1300], s6[16], d6[16];
  memset(ip, 0, sizeof ip);
  int rv = sim_local_addr(v->node, &v->id, ip + 12, s6);
  if (rv == 0) rv = sim_local_addr(v->node, to, ip + 16, d6);
  if (rv != 0) return; /* no address for it: never sent, so never arrives */
  size_t hl = proto == 6 ? 20 : 8, seglen = hl + size;
  uint8_t *seg = ip + 20;
  if (proto == 1) { /* echo request, identifier = flow */
    seg[0] = 8;
    seg[4] = (uint8_t)(flow >> 8), seg[5] = (uint8_t)flow;
    seg[6] = (uint8_t)(seq >> 8), seg[7] = (uint8_t)seq;
  } else {
    seg[0] = (uint8_t)(sport >> 8), seg[1] = (uint8_t)sport;
    seg[2] = (uint8_t)(dport >> 8), seg[3] = (uint8_t)dport;
    if (proto == 17) {
      seg[4] = (uint8_t)(seglen >> 8), seg[5] = (uint8_t)seglen;
    } else {
      seg[4] = (uint8_t)(seq >> 24), seg[5] = (uint8_t)(seq >> 16);
      seg[6] = (uint8_t)(seq >> 8), seg[7] = (uint8_t)seq;
      seg[12] = 0x50, seg[13] = 0x18, seg[14] = 0xff, seg[15] = 0xff;
    }
  }
  uint8_t *payload = seg + hl;
  for (size_t i = 0; i < size; i++) payload[i] = (uint8_t)(i * 31 + flow);
  if (size >= 4) {
    payload[0] = (uint8_t)(seq >> 24), payload[1] = (uint8_t)(seq >> 16);
    payload[2] = (uint8_t)(seq >> 8), payload[3] = (uint8_t)seq;
  }
  size_t total = 20 + seglen;
  ip[0] = 0x45;
  ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
  ip[6] = 0x40;
  ip[8] = 64;
  ip[9] = (uint8_t)proto;
  uint16_t c = csum(ip, 20, 0);
  ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
  uint32_t pseudo = proto == 1 ? 0
                               : (uint32_t)csum(ip + 12, 8, 0) ^ 0xffff;
  if (proto != 1) pseudo += (uint32_t)proto + (uint32_t)seglen;
  int off = proto == 17 ? 6 : proto == 6 ? 16 : 2;
  c = csum(seg, seglen, pseudo);
  seg[off] = (uint8_t)(c >> 8), seg[off + 1] = (uint8_t)c;
  part *p = &e->parts[v->part];
  p->cur_flow = flow + 1;
  p->cur_seq = seq;
  mcc_node_send_packet(v->node, ip, total, e->now);
  p->cur_flow = p->cur_seq = 0;
  schedule(e, v);
}

int sim_local_addr(mcc_node *viewer, const mcc_id *of, uint8_t addr4[4],
                   uint8_t addr6[16]) {
  return node_id_to_addrs(viewer, of, addr4, addr6);
}
