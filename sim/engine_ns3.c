/*
 * engine_ns3.c — the ns-3 backend of engine.h (engine_backend.h), over
 * libns3c (sim/ns3c/ns3c.h) only: C, no ns-3 header. Built and linked
 * into mcc-sim only where ns-3 is installed (the Makefile's NS3).
 *
 * Each engine node is one ns-3 node (same index); each engine link one
 * ns3c point-to-point link (same index) with the scenario's delay, loss
 * and MTU; a node's core timer is one ns3c scheduled callback, cancelled
 * and scheduled again when the core's expiry changes. The cores keep the
 * native underlay addresses (10.x.y.z:9376, sim_engine_addr): a datagram
 * to a neighbour goes to that neighbour's ns-3 address on the link
 * between them, and an arrival is handed to the core as coming from the
 * sender's native address, so the cores see the same bytes on both
 * backends. Counting, MTU drops, cut links (dropped at the sender) and
 * captures are the engine's, before anything reaches ns-3.
 *
 * Rates: the native engine's rate 0 means no serialisation at all; ns-3
 * needs a rate, so such links get UNLIMITED_BPS, at which every datagram
 * takes 0 ns to serialise (ns-3 rounds to its 1 ns resolution), and
 * arrival times equal the native ones. A given rate goes to ns-3 as it is
 * — ns-3 also serialises the 2-byte PPP header — so on rate-limited links
 * the two backends differ by design. The device queue (DropTail) is made
 * large enough never to drop, as the native engine's never does.
 *
 * Flow tags (which user packet a datagram is owed to, for drop reports)
 * cannot ride inside an ns-3 packet through libns3c, so each link
 * direction keeps a FIFO of the tagged datagrams in flight (length and a
 * hash of their bytes); point-to-point links keep order, so an arrival is
 * matched by scanning from the head, and what it skips was lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "engine_backend.h"
#include "engine_ns3.h"
#include "ns3c/ns3c.h"

#define NEVER UINT64_MAX
#define UNLIMITED_BPS 1000000000000000000ull /* 10^18 bit/s */
/* The native engine's queue is unbounded: so is ns-3's, in effect (at 0 ns
 * per datagram a burst still waits in the device queue for its turn). */
#define QUEUE_PKTS 1000000

typedef struct tag_entry {
  uint64_t hash;
  uint32_t len, flow, seq;
} tag_entry;

typedef struct tag_fifo { /* a ring */
  tag_entry *items;
  size_t head, len, cap;
} tag_fifo;

typedef struct ns3_link {
  uint32_t a, b;
  ns3c_addr addr[2]; /* a's and b's address on this link */
  tag_fifo tags[2];  /* in flight: a -> b, b -> a */
} ns3_link;

typedef struct ns3_node {
  struct ns3_backend *bk;
  uint32_t index;
  uint64_t timer; /* ns3c id, 0: none */
} ns3_node;

typedef struct ns3_backend {
  sim_engine *e;
  ns3c *ns;
  ns3_node *nodes;
  size_t n;
  ns3_link *links;
  size_t nlinks;
} ns3_backend;

static uint64_t hash_bytes(const uint8_t *p, size_t n) { /* FNV-1a */
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

static void fifo_push(tag_fifo *f, tag_entry t) {
  if (f->len == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 8;
    tag_entry *items = malloc(cap * sizeof *items);
    if (!items) return; /* the tag is lost: the datagram arrives untagged */
    for (size_t i = 0; i < f->len; i++)
      items[i] = f->items[(f->head + i) % f->cap];
    free(f->items);
    f->items = items;
    f->head = 0;
    f->cap = cap;
  }
  f->items[(f->head + f->len++) % f->cap] = t;
}

/* The tag of an arriving datagram, or 0 (flow 0: untagged). */
static void fifo_match(tag_fifo *f, const uint8_t *data, size_t len,
                       uint32_t *flow, uint32_t *seq) {
  *flow = *seq = 0;
  if (!f->len) return;
  uint64_t h = hash_bytes(data, len);
  for (size_t i = 0; i < f->len; i++) {
    tag_entry *t = &f->items[(f->head + i) % f->cap];
    if (t->len == len && t->hash == h) {
      *flow = t->flow;
      *seq = t->seq;
      f->head = (f->head + i + 1) % f->cap; /* those before it were lost */
      f->len -= i + 1;
      return;
    }
  }
}

static void on_timer(void *user) {
  ns3_node *nd = user;
  nd->timer = 0;
  sim_backend_timer(nd->bk->e, nd->index);
}

static void on_recv(void *user, uint32_t node, const ns3c_addr *from,
                    uint32_t from_node, const uint8_t *data, size_t len) {
  ns3_backend *bk = user;
  if (from_node >= bk->n || node >= bk->n) return;
  uint32_t flow = 0, seq = 0;
  /* ns3c.h: link k owns 10.0.0.0 + 4k, its first node .1, its second .2 */
  uint32_t ip = (uint32_t)from->ip[1] << 16 | (uint32_t)from->ip[2] << 8 |
                from->ip[3];
  uint32_t k = ip >> 2;
  if (k < bk->nlinks) {
    ns3_link *l = &bk->links[k];
    fifo_match(&l->tags[l->a == from_node ? 0 : 1], data, len, &flow, &seq);
  }
  sim_backend_datagram(bk->e, node, from_node, data, len, flow, seq);
}

static void ns3_destroy(void *state) {
  ns3_backend *bk = state;
  if (!bk) return;
  ns3c_free(bk->ns);
  for (size_t k = 0; k < bk->nlinks; k++)
    for (int d = 0; d < 2; d++) free(bk->links[k].tags[d].items);
  free(bk->links);
  free(bk->nodes);
  free(bk);
}

static int ns3_create(void **pstate, sim_engine *e, uint64_t seed, char *err,
                      size_t errlen) {
  ns3_backend *bk = calloc(1, sizeof *bk);
  if (!bk) return MCC_ERR_NOMEM;
  bk->e = e;
  bk->n = sim_engine_size(e);
  bk->nlinks = sim_backend_nlinks(e);
  bk->nodes = calloc(bk->n ? bk->n : 1, sizeof *bk->nodes);
  bk->links = calloc(bk->nlinks ? bk->nlinks : 1, sizeof *bk->links);
  if (!bk->nodes || !bk->links) {
    ns3_destroy(bk);
    return MCC_ERR_NOMEM;
  }
  int rv = ns3c_new(&bk->ns, seed);
  if (rv != 0) {
    snprintf(err, errlen, "ns-3: %s", ns3c_strerror(rv));
    bk->ns = NULL;
    ns3_destroy(bk);
    return MCC_ERR_VALUE;
  }
  ns3c_on_recv(bk->ns, on_recv, bk);
  ns3c_nodes_new(bk->ns, (uint32_t)bk->n);
  for (size_t i = 0; i < bk->n; i++) {
    bk->nodes[i].bk = bk;
    bk->nodes[i].index = (uint32_t)i;
  }
  for (size_t k = 0; k < bk->nlinks; k++) {
    ns3_link *l = &bk->links[k];
    sim_link_params p;
    sim_backend_link(e, k, &l->a, &l->b, &p);
    ns3c_p2p_params q;
    ns3c_p2p_params_default(&q);
    q.rate_bps = p.rate_bps ? p.rate_bps : UNLIMITED_BPS;
    q.delay_ns = p.delay_ns;
    q.loss = p.loss;
    q.queue_pkts = QUEUE_PKTS;
    /* The engine drops what exceeds the scenario's MTU before ns-3 sees
     * it; the device's own MTU only has to let the rest through. */
    q.mtu = p.mtu > 1500 ? p.mtu : 1500;
    uint32_t idx;
    rv = ns3c_p2p_new(bk->ns, l->a, l->b, &q, &idx);
    if (rv == 0 && idx != k) rv = NS3C_ERR_INVALID;
    if (rv == 0) rv = ns3c_link_addr(bk->ns, idx, l->a, &l->addr[0]);
    if (rv == 0) rv = ns3c_link_addr(bk->ns, idx, l->b, &l->addr[1]);
    if (rv != 0) {
      snprintf(err, errlen, "ns-3: link %zu: %s", k, ns3c_strerror(rv));
      ns3_destroy(bk);
      return MCC_ERR_VALUE;
    }
  }
  *pstate = bk;
  return 0;
}

static uint64_t ns3_now(const void *state) {
  const ns3_backend *bk = state;
  return ns3c_now(bk->ns);
}

static void ns3_run_until(void *state, uint64_t t) {
  ns3_backend *bk = state;
  ns3c_run_until(bk->ns, t);
}

static void ns3_set_timer(void *state, uint32_t node, uint64_t at) {
  ns3_backend *bk = state;
  ns3_node *nd = &bk->nodes[node];
  if (nd->timer) ns3c_cancel(bk->ns, nd->timer);
  nd->timer = 0;
  if (at != NEVER) nd->timer = ns3c_schedule(bk->ns, at, on_timer, nd);
}

static void ns3_send(void *state, uint32_t link, uint32_t from, uint32_t to,
                     const uint8_t *data, size_t len, uint32_t tag_flow,
                     uint32_t tag_seq) {
  ns3_backend *bk = state;
  ns3_link *l = &bk->links[link];
  int dir = l->a == from ? 0 : 1;
  if (ns3c_sendto(bk->ns, from, &l->addr[!dir], data, len) != 0) return;
  if (tag_flow)
    fifo_push(&l->tags[dir],
              (tag_entry){hash_bytes(data, len), (uint32_t)len, tag_flow,
                          tag_seq});
  (void)to;
}

static void ns3_set_link(void *state, uint32_t link, int up) {
  ns3_backend *bk = state;
  ns3c_link_set_up(bk->ns, link, up);
}

const sim_backend_ops sim_backend_ns3 = {
    "ns3",       ns3_create,    ns3_destroy, ns3_now, ns3_run_until,
    ns3_set_timer, ns3_send,    ns3_set_link,
};
