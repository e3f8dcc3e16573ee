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
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mcc/mcc.h>

#include "engine_backend.h"
#include "engine_ns3.h"
#include "fatal.h"
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
  sim_link_params p;
  uint32_t carrier;  /* its ns3c p2p link, or the medium that carries it */
  ns3c_addr addr[2]; /* a's and b's address on this link or medium */
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
  uint32_t *on_wifi; /* its medium + 1, 0: no radio (ns3_move) */
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
  /* the engine's link table: an address on a medium names no link */
  uint32_t k = sim_backend_link_of(bk->e, from_node, node);
  ns3_link *l = k < bk->nlinks ? &bk->links[k] : NULL;
  if (l) fifo_match(&l->tags[l->a == from_node ? 0 : 1], data, len, &flow, &seq);
  (void)from;
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
  free(bk->on_wifi);
  free(bk);
}

/* Point-to-point links, in the engine's order. */
static int make_links(ns3_backend *bk, char *err, size_t errlen) {
  for (size_t k = 0; k < bk->nlinks; k++) {
    ns3_link *l = &bk->links[k];
    if (l->p.model != SIM_MODEL_P2P) continue;
    ns3c_p2p_params q;
    ns3c_p2p_params_default(&q);
    q.rate_bps = l->p.rate_bps ? l->p.rate_bps : UNLIMITED_BPS;
    q.delay_ns = l->p.delay_ns;
    q.loss = l->p.loss;
    q.queue_pkts = l->p.queue ? l->p.queue : QUEUE_PKTS;
    /* The engine drops what exceeds the scenario's MTU before ns-3 sees
     * it; the device's own MTU only has to let the rest through. */
    q.mtu = l->p.mtu > 1500 ? l->p.mtu : 1500;
    int rv = ns3c_p2p_new(bk->ns, l->a, l->b, &q, &l->carrier);
    if (rv == 0) rv = ns3c_link_addr(bk->ns, l->carrier, l->a, &l->addr[0]);
    if (rv == 0) rv = ns3c_link_addr(bk->ns, l->carrier, l->b, &l->addr[1]);
    if (rv != 0) {
      snprintf(err, errlen, "ns-3: link %s - %s: %s",
               sim_backend_node_name(bk->e, l->a),
               sim_backend_node_name(bk->e, l->b), ns3c_strerror(rv));
      return MCC_ERR_VALUE;
    }
  }
  return 0;
}

static int medium_addrs(ns3_backend *bk, int model, uint32_t medium,
                        const uint32_t *group, uint32_t g) {
  for (size_t k = 0; k < bk->nlinks; k++) {
    ns3_link *l = &bk->links[k];
    if (l->p.model != model || (group && group[l->a] != g)) continue;
    l->carrier = medium;
    if (ns3c_medium_addr(bk->ns, medium, l->a, &l->addr[0]) != 0 ||
        ns3c_medium_addr(bk->ns, medium, l->b, &l->addr[1]) != 0)
      return MCC_ERR_VALUE;
  }
  return 0;
}

static uint32_t group_root(uint32_t *up, uint32_t i) {
  while (up[i] != i) i = up[i] = up[up[i]];
  return i;
}

/* Each connected set of csma links is one segment, with the parameters of
 * its first link (a rate of 0 is 100 Mbit/s: a bus has one). */
static int make_csma(ns3_backend *bk, char *err, size_t errlen) {
  uint32_t *up = malloc(bk->n * sizeof *up);
  uint32_t *members = malloc(bk->n * sizeof *members);
  uint8_t *made = calloc(bk->n ? bk->n : 1, 1); /* by the segment's root */
  int rv = up && members && made ? 0 : MCC_ERR_NOMEM;
  for (size_t i = 0; rv == 0 && i < bk->n; i++) up[i] = (uint32_t)i;
  for (size_t k = 0; rv == 0 && k < bk->nlinks; k++)
    if (bk->links[k].p.model == SIM_MODEL_CSMA)
      up[group_root(up, bk->links[k].a)] = group_root(up, bk->links[k].b);
  for (size_t k = 0; rv == 0 && k < bk->nlinks; k++) {
    ns3_link *first = &bk->links[k];
    if (first->p.model != SIM_MODEL_CSMA) continue;
    uint32_t g = group_root(up, first->a), n = 0, medium;
    if (made[g]) continue;
    made[g] = 1;
    for (size_t i = 0; i < bk->n; i++)
      if (group_root(up, (uint32_t)i) == g) members[n++] = (uint32_t)i;
    ns3c_csma_params q;
    ns3c_csma_params_default(&q);
    if (first->p.rate_bps) q.rate_bps = first->p.rate_bps;
    q.delay_ns = first->p.delay_ns;
    q.loss = first->p.loss;
    q.queue_pkts = first->p.queue;
    q.mtu = first->p.mtu > 1500 ? first->p.mtu : 1500;
    if (ns3c_csma_new(bk->ns, members, n, &q, &medium) != 0) {
      snprintf(err, errlen, "ns-3: the csma segment of %s: %s",
               sim_backend_node_name(bk->e, first->a),
               ns3c_strerror(NS3C_ERR_INVALID));
      rv = MCC_ERR_VALUE;
      break;
    }
    for (size_t i = 0; i < bk->n; i++) up[i] = group_root(up, (uint32_t)i);
    rv = medium_addrs(bk, SIM_MODEL_CSMA, medium, up, g);
  }
  free(up);
  free(members);
  free(made);
  return rv;
}

/* Every node of a wifi link is on one ad-hoc channel, at its position,
 * with the parameters of the first wifi link (a rate of 0: 6 Mbit/s). */
static int make_wifi(ns3_backend *bk, char *err, size_t errlen) {
  const ns3_link *first = NULL;
  uint32_t *members = malloc(bk->n * sizeof *members);
  double *xy = malloc(bk->n * 2 * sizeof *xy);
  uint32_t n = 0, medium;
  int rv = members && xy ? 0 : MCC_ERR_NOMEM;
  for (size_t k = 0; rv == 0 && k < bk->nlinks; k++) {
    const ns3_link *l = &bk->links[k];
    if (l->p.model != SIM_MODEL_WIFI) continue;
    if (!first) first = l;
    uint32_t ends[2] = {l->a, l->b};
    for (int d = 0; d < 2; d++) {
      uint32_t v = ends[d];
      if (bk->on_wifi[v]) continue;
      bk->on_wifi[v] = 1;
      if (!sim_backend_node_pos(bk->e, v, &xy[2 * n], &xy[2 * n + 1])) {
        snprintf(err, errlen,
                 "node %s is on a wifi link but has no position (a DOT "
                 "pos=\"x,y\" attribute in metres, or topology grid)",
                 sim_backend_node_name(bk->e, v));
        rv = MCC_ERR_VALUE;
        break;
      }
      members[n++] = v;
    }
  }
  if (rv == 0 && first) {
    ns3c_wifi_params q;
    ns3c_wifi_params_default(&q);
    if (first->p.rate_bps) q.rate_bps = first->p.rate_bps;
    q.queue_pkts = first->p.queue;
    q.loss = first->p.loss;
    if (!ns3c_wifi_rate_valid(q.rate_bps)) {
      snprintf(err, errlen,
               "wifi: rate %" PRIu64 " bit/s is no 802.11 mode (802.11a: "
               "6, 9, 12, 18, 24, 36, 48 or 54Mbit; 802.11b: 1, 2, 5.5 or "
               "11Mbit)",
               q.rate_bps);
      rv = MCC_ERR_VALUE;
    } else if (ns3c_wifi_new(bk->ns, members, xy, n, &q, &medium) != 0) {
      snprintf(err, errlen, "ns-3: the wifi channel could not be made");
      rv = MCC_ERR_VALUE;
    } else {
      rv = medium_addrs(bk, SIM_MODEL_WIFI, medium, NULL, 0);
      for (uint32_t i = 0; i < n; i++) bk->on_wifi[members[i]] = medium + 1;
    }
  }
  free(members);
  free(xy);
  return rv;
}

/* ns-3's own captures, under pcap/ns3/: each point-to-point link as its
 * first node's device sees it (link-A-B.pcap, DLT_PPP), each node's device
 * on a medium (csmaM-NODE.pcap, DLT_EN10MB; wifi-NODE.pcap,
 * DLT_IEEE802_11), for the first NS3_PCAP_MAX of them (file
 * descriptors), as the engine's per-node captures stop at a bound. */
#define NS3_PCAP_MAX 256
static int enable_pcap(ns3_backend *bk, char *err, size_t errlen) {
  const char *dir = sim_backend_pcap_dir(bk->e);
  if (!dir) return 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/ns3", dir);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  size_t files = 0;
  uint8_t *done = calloc(bk->n ? bk->n : 1, 1); /* a node's medium device */
  if (!done) return MCC_ERR_NOMEM;
  int rv = 0;
  for (size_t k = 0; rv == 0 && k < bk->nlinks && files < NS3_PCAP_MAX; k++) {
    const ns3_link *l = &bk->links[k];
    const char *a = sim_backend_node_name(bk->e, l->a);
    const char *b = sim_backend_node_name(bk->e, l->b);
    if (l->p.model == SIM_MODEL_P2P) {
      snprintf(path, sizeof path, "%s/ns3/link-%s-%s.pcap", dir, a, b);
      rv = ns3c_link_pcap(bk->ns, l->carrier, path);
      files++;
      continue;
    }
    uint32_t ends[2] = {l->a, l->b};
    for (int d = 0; d < 2 && rv == 0 && files < NS3_PCAP_MAX; d++) {
      if (done[ends[d]]) continue;
      done[ends[d]] = 1;
      const char *name = sim_backend_node_name(bk->e, ends[d]);
      if (l->p.model == SIM_MODEL_WIFI)
        snprintf(path, sizeof path, "%s/ns3/wifi-%s.pcap", dir, name);
      else
        snprintf(path, sizeof path, "%s/ns3/csma%u-%s.pcap", dir, l->carrier,
                 name);
      rv = ns3c_medium_pcap(bk->ns, l->carrier, ends[d], path);
      files++;
    }
  }
  free(done);
  if (rv != 0) {
    snprintf(err, errlen, "%s: cannot write the ns-3 capture", path);
    return MCC_ERR_INVALID_ARGUMENT;
  }
  return 0;
}

/* ns-3 allocates with operator new: when that fails the run ends as any
 * out-of-memory run does (exit 2 and a message), not by std::bad_alloc. */
static void ns3_out_of_memory(void) { sim_out_of_memory("ns-3"); }

static int ns3_create(void **pstate, sim_engine *e, uint64_t seed, char *err,
                      size_t errlen) {
  ns3_backend *bk = calloc(1, sizeof *bk);
  if (!bk) return MCC_ERR_NOMEM;
  bk->e = e;
  bk->n = sim_engine_size(e);
  bk->nlinks = sim_backend_nlinks(e);
  bk->nodes = calloc(bk->n ? bk->n : 1, sizeof *bk->nodes);
  bk->on_wifi = calloc(bk->n ? bk->n : 1, sizeof *bk->on_wifi);
  bk->links = calloc(bk->nlinks ? bk->nlinks : 1, sizeof *bk->links);
  if (!bk->nodes || !bk->links || !bk->on_wifi) {
    ns3_destroy(bk);
    return MCC_ERR_NOMEM;
  }
  ns3c_on_out_of_memory(ns3_out_of_memory);
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
    sim_backend_link(e, k, &l->a, &l->b, &l->p);
  }
  if ((rv = make_links(bk, err, errlen)) != 0 ||
      (rv = make_csma(bk, err, errlen)) != 0 ||
      (rv = make_wifi(bk, err, errlen)) != 0 ||
      (rv = enable_pcap(bk, err, errlen)) != 0) {
    ns3_destroy(bk);
    return rv;
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

/* A medium has no link to cut: the engine drops at the sender what goes
 * over a cut link, on every model. */
static void ns3_set_link(void *state, uint32_t link, int up) {
  ns3_backend *bk = state;
  if (bk->links[link].p.model == SIM_MODEL_P2P)
    ns3c_link_set_up(bk->ns, bk->links[link].carrier, up);
}

static int ns3_move(void *state, uint32_t node, double x, double y) {
  ns3_backend *bk = state;
  if (!bk->on_wifi[node]) return MCC_ERR_INVALID_ARGUMENT;
  return ns3c_node_set_position(bk->ns, node, x, y) == 0
             ? 0
             : MCC_ERR_INVALID_ARGUMENT;
}

const sim_backend_ops sim_backend_ns3 = {
    "ns3",       ns3_create,    ns3_destroy, ns3_now, ns3_run_until,
    ns3_set_timer, ns3_send,    ns3_set_link, ns3_move,
};
