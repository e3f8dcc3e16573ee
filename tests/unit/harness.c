/*
 * harness.c — the in-memory network of harness.h: a binary heap of
 * datagram deliveries ordered by (time, sequence), a fake clock that jumps
 * to the earliest delivery or node expiry, and per-node deterministic
 * randomness (BLAKE2b of seed, node, counter).
 */
#include "harness.h"
#include "node.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOP_DELAY_NS (1 * HARNESS_MS)
#define MAX_NETWORKS 4
#define MAX_TYPES 32

typedef struct delivery {
  uint64_t at, seq;
  size_t from, to;
  size_t len;
  uint8_t *data;
} delivery;

typedef struct hnode {
  mcc_node *node;
  mcc_keypair keys;
  mcc_cert cert;
  size_t net;
  uint8_t trusts[MAX_NETWORKS];
  size_t parents[MCC_MAX_PARENTS];
  size_t nparents;
  int alive;
  uint64_t rand_counter;
  uint64_t wire_bytes;
  uint64_t delivered;
  uint8_t last[1500];
  size_t lastlen;
  char names[MCC_MAX_EXTRA_LEN + 1]; /* dns-names, "" for none */
  uint32_t static_addr;
  harness_answer answer; /* the last lookup_done */
  uint64_t answers;
  struct harness *h;
  size_t index;
} hnode;

struct harness {
  size_t n;
  hnode *nodes;
  mcc_keypair networks[MAX_NETWORKS];
  mcc_keypair authority;
  mcc_settings base;
  uint64_t seed, now, seq;
  delivery *q;
  size_t qlen, qcap;
  harness_filter_fn filter;
  void *filter_user;
  uint8_t *cut; /* n * n, symmetric; NULL until the first cut */
  harness_signed_fn on_signed;
  void *signed_user;
  uint64_t bytes[MAX_TYPES], dgrams[MAX_TYPES];
  size_t current; /* the node whose callback is running */
};

static void seed_from(uint8_t out[32], uint64_t seed, uint64_t a, uint64_t b) {
  uint8_t in[24];
  memcpy(in, &seed, 8);
  memcpy(in + 8, &a, 8);
  memcpy(in + 16, &b, 8);
  crypto_generichash(out, 32, in, sizeof in, NULL, 0);
}

mcc_addr harness_addr(size_t i) {
  mcc_addr a;
  memset(&a, 0, sizeof a);
  a.family = 4;
  a.port = 9376;
  a.ip[0] = 10;
  a.ip[1] = (uint8_t)(i >> 16);
  a.ip[2] = (uint8_t)(i >> 8);
  a.ip[3] = (uint8_t)i;
  return a;
}

size_t harness_find_addr(const mcc_addr *a) {
  if (a->family != 4 || a->ip[0] != 10) return SIZE_MAX;
  return ((size_t)a->ip[1] << 16) | ((size_t)a->ip[2] << 8) | a->ip[3];
}

static void q_push(harness *h, delivery d) {
  if (h->qlen == h->qcap) {
    h->qcap = h->qcap ? h->qcap * 2 : 64;
    h->q = realloc(h->q, h->qcap * sizeof *h->q);
  }
  size_t i = h->qlen++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (h->q[p].at < d.at || (h->q[p].at == d.at && h->q[p].seq < d.seq))
      break;
    h->q[i] = h->q[p];
    i = p;
  }
  h->q[i] = d;
}

static delivery q_pop(harness *h) {
  delivery top = h->q[0], last = h->q[--h->qlen];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->qlen) break;
    if (c + 1 < h->qlen &&
        (h->q[c + 1].at < h->q[c].at ||
         (h->q[c + 1].at == h->q[c].at && h->q[c + 1].seq < h->q[c].seq)))
      c++;
    if (last.at < h->q[c].at ||
        (last.at == h->q[c].at && last.seq < h->q[c].seq))
      break;
    h->q[i] = h->q[c];
    i = c;
  }
  h->q[i] = last;
  return top;
}

static void cb_send(void *user, const mcc_addr *to, const uint8_t *data,
                    size_t len) {
  hnode *hn = user;
  harness *h = hn->h;
  delivery d = {h->now + HOP_DELAY_NS, h->seq++, hn->index,
                harness_find_addr(to), len, malloc(len ? len : 1)};
  memcpy(d.data, data, len);
  q_push(h, d);
}

static void cb_deliver(void *user, const uint8_t *ip, size_t len) {
  hnode *hn = user;
  hn->delivered++;
  hn->lastlen = len < sizeof hn->last ? len : sizeof hn->last;
  memcpy(hn->last, ip, hn->lastlen);
}

static void cb_lookup_done(void *user, uint32_t token, int status,
                           const mcc_id *id) {
  hnode *hn = user;
  hn->answers++;
  hn->answer.token = token;
  hn->answer.status = status;
  hn->answer.at_ns = hn->h->now;
  if (id) hn->answer.id = *id;
  else memset(&hn->answer.id, 0, sizeof hn->answer.id);
}

static void cb_random(void *user, uint8_t *out, size_t len) {
  hnode *hn = user;
  uint8_t seed[32];
  seed_from(seed, hn->h->seed, 1000000 + hn->index, hn->rand_counter++);
  randombytes_buf_deterministic(out, len, seed);
}

harness *harness_new(size_t n, uint64_t seed, const mcc_settings *base) {
  if (sodium_init() < 0) return NULL;
  harness *h = calloc(1, sizeof *h);
  h->n = n;
  h->seed = seed;
  h->nodes = calloc(n, sizeof *h->nodes);
  if (base)
    h->base = *base;
  else
    mcc_settings_default(&h->base);
  h->base.unix_time_at_zero_s = HARNESS_UNIX_START;
  uint8_t s[32];
  seed_from(s, seed, 0, 0);
  mcc_keypair_from_seed(&h->authority, s);
  for (size_t k = 0; k < MAX_NETWORKS; k++) {
    seed_from(s, seed, 1, k);
    mcc_keypair_from_seed(&h->networks[k], s);
  }
  for (size_t i = 0; i < n; i++) {
    hnode *hn = &h->nodes[i];
    hn->h = h;
    hn->index = i;
    seed_from(s, seed, 2, i);
    mcc_keypair_from_seed(&hn->keys, s);
  }
  return h;
}

void harness_free(harness *h) {
  if (!h) return;
  for (size_t i = 0; i < h->n; i++) mcc_node_free(h->nodes[i].node);
  for (size_t k = 0; k < h->qlen; k++) free(h->q[k].data);
  free(h->q);
  free(h->cut);
  free(h->nodes);
  free(h);
}

void harness_set_names(harness *h, size_t i, const char *names,
                       uint32_t static_addr) {
  snprintf(h->nodes[i].names, sizeof h->nodes[i].names, "%s",
           names ? names : "");
  h->nodes[i].static_addr = static_addr;
}

uint64_t harness_answers(const harness *h, size_t i, harness_answer *last) {
  if (last) *last = h->nodes[i].answer;
  return h->nodes[i].answers;
}

void harness_set_parents(harness *h, size_t i, const size_t *parents,
                         size_t nparents) {
  memcpy(h->nodes[i].parents, parents, nparents * sizeof *parents);
  h->nodes[i].nparents = nparents;
}

harness *harness_new_chain(size_t n, uint64_t seed, const mcc_settings *base) {
  harness *h = harness_new(n, seed, base);
  for (size_t i = 1; i < n; i++) {
    size_t up = i - 1;
    harness_set_parents(h, i, &up, 1);
  }
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  return h;
}

void harness_set_network(harness *h, size_t i, size_t net) {
  h->nodes[i].net = net;
}

void harness_trust_network(harness *h, size_t i, size_t net) {
  h->nodes[i].trusts[net] = 1;
}

static void cb_signed(void *user, const uint8_t pk[32], const uint8_t *msg,
                      size_t msglen, const uint8_t sig[64]) {
  hnode *hn = user;
  hn->h->on_signed(hn->h->signed_user, (size_t)(hn - hn->h->nodes), pk, msg,
                   msglen, sig);
}

void harness_on_signed(harness *h, harness_signed_fn fn, void *user) {
  h->on_signed = fn;
  h->signed_user = user;
}

void harness_set_filter(harness *h, harness_filter_fn fn, void *user) {
  h->filter = fn;
  h->filter_user = user;
}

void harness_cut(harness *h, size_t a, size_t b, int cut) {
  if (a >= h->n || b >= h->n || (!h->cut && !cut)) return;
  if (!h->cut) h->cut = calloc(h->n * h->n, 1);
  h->cut[a * h->n + b] = h->cut[b * h->n + a] = cut != 0;
}

int harness_is_cut(const harness *h, size_t a, size_t b) {
  return h->cut && a < h->n && b < h->n && h->cut[a * h->n + b];
}

void harness_node_cert(const harness *h, size_t net, const mcc_id *subject,
                       uint32_t not_before, uint32_t not_after,
                       mcc_cert *cert) {
  mcc_cert_sign(cert, MCC_CERT_NODE, subject, &h->networks[net], not_before,
                not_after);
}

void harness_tunnel_cert(const harness *h, size_t net, const mcc_id *subject,
                         uint32_t not_before, uint32_t not_after,
                         mcc_cert *cert) {
  mcc_cert_sign(cert, MCC_CERT_TUNNEL, subject, &h->networks[net],
                not_before, not_after);
}

const mcc_keypair *harness_keys(const harness *h, size_t i) {
  return &h->nodes[i].keys;
}

static void start_node(harness *h, size_t i) {
  hnode *hn = &h->nodes[i];
  mcc_settings s = h->base;
  for (size_t k = 0; k < hn->nparents; k++)
    s.parents[k] = harness_addr(hn->parents[k]);
  s.parents_len = hn->nparents;
  if (hn->names[0]) s.dns_names = hn->names;
  if (hn->static_addr) s.static_addr = hn->static_addr;
  for (size_t k = 0; k < MAX_NETWORKS; k++)
    if (hn->trusts[k]) s.trusted_networks[s.trusted_networks_len++] =
        h->networks[k].pub;
  harness_node_cert(h, hn->net, &hn->keys.pub, HARNESS_UNIX_START - 86400,
                    HARNESS_UNIX_START + 365 * 86400, &hn->cert);
  mcc_callbacks cb = {.send = cb_send,
                      .random = cb_random,
                      .deliver = cb_deliver,
                      .lookup_done = cb_lookup_done,
                      .signed_message = h->on_signed ? cb_signed : NULL,
                      .user_data = hn};
  hn->alive = 1;
  h->current = i;
  int rv = mcc_node_new(&hn->node, &s, &cb, &hn->keys, &hn->cert,
                        &h->networks[hn->net].pub, 1, h->now);
  if (rv != 0) {
    fprintf(stderr, "harness: node %zu: %s\n", i, mcc_strerror(rv));
    abort();
  }
}

void harness_start(harness *h) {
  for (size_t i = 0; i < h->n; i++) start_node(h, i);
}

void harness_kill(harness *h, size_t i) {
  mcc_node_free(h->nodes[i].node);
  h->nodes[i].node = NULL;
  h->nodes[i].alive = 0;
}

void harness_revive(harness *h, size_t i) { start_node(h, i); }

int harness_alive(const harness *h, size_t i) { return h->nodes[i].alive; }

static void deliver(harness *h, delivery *d) {
  size_t len = d->len;
  if (d->to >= h->n) return;
  if (harness_is_cut(h, d->from, d->to)) return;
  if (h->filter && !h->filter(h->filter_user, d->from, d->to, d->data, &len))
    return;
  /* Counted on the wire even when the receiver is dead. */
  int type = len ? d->data[0] & 0x1f : 0;
  uint64_t wire = len + 28;
  h->bytes[0] += wire;
  h->dgrams[0]++;
  if (type > 0 && type < MAX_TYPES) {
    h->bytes[type] += wire;
    h->dgrams[type]++;
  }
  h->nodes[d->from].wire_bytes += wire;
  h->nodes[d->to].wire_bytes += wire;
  if (!h->nodes[d->to].alive) return;
  mcc_addr from = harness_addr(d->from);
  h->current = d->to;
  mcc_node_recv(h->nodes[d->to].node, &from, d->data, len, h->now);
}

void harness_run_until(harness *h, uint64_t t) {
  for (;;) {
    uint64_t next = UINT64_MAX;
    size_t who = SIZE_MAX;
    for (size_t i = 0; i < h->n; i++) {
      if (!h->nodes[i].alive) continue;
      uint64_t e = mcc_node_get_expiry(h->nodes[i].node);
      if (e < next) {
        next = e;
        who = i;
      }
    }
    int from_queue = h->qlen && h->q[0].at <= next;
    if (from_queue) next = h->q[0].at;
    if (next > t) break;
    if (next > h->now) h->now = next;
    if (from_queue) {
      delivery d = q_pop(h);
      deliver(h, &d);
      free(d.data);
    } else {
      h->current = who;
      mcc_node_handle_expiry(h->nodes[who].node, h->now);
    }
  }
  if (t > h->now) h->now = t;
}

void harness_run_for(harness *h, uint64_t dt) { harness_run_until(h, h->now + dt); }

uint64_t harness_now(const harness *h) { return h->now; }
mcc_node *harness_node(harness *h, size_t i) { return h->nodes[i].node; }
size_t harness_size(const harness *h) { return h->n; }
const mcc_id *harness_id(const harness *h, size_t i) {
  return &h->nodes[i].keys.pub;
}

size_t harness_find(const harness *h, const mcc_id *id) {
  for (size_t i = 0; i < h->n; i++)
    if (memcmp(h->nodes[i].keys.pub.key, id->key, 32) == 0) return i;
  return SIZE_MAX;
}

int harness_inject(harness *h, size_t from, size_t i, const uint8_t *data,
                   size_t len) {
  mcc_addr a = harness_addr(from);
  return mcc_node_recv(h->nodes[i].node, &a, data, len, h->now);
}

int harness_inject_addr(harness *h, const mcc_addr *from, size_t i,
                        const uint8_t *data, size_t len) {
  if (!h->nodes[i].alive) return MCC_ERR_NO_LINK;
  return mcc_node_recv(h->nodes[i].node, from, data, len, h->now);
}

int harness_follow_route(harness *h, size_t src, size_t dst, unsigned ttl) {
  size_t at = src;
  for (unsigned hops = 0; hops < ttl; hops++) {
    mcc_route r;
    if (mcc_node_route(h->nodes[at].node, harness_id(h, dst), &r) != 0)
      return -2;
    size_t next = harness_find(h, &r.next_hop);
    if (next == SIZE_MAX || !h->nodes[next].alive) return -3;
    if (next == dst) return (int)hops + 1;
    at = next;
  }
  return -1;
}

int harness_relays_from(harness *h, size_t y, size_t x) {
  if (y >= h->n || x >= h->n || !h->nodes[y].alive) return 0;
  mcc_node *node = h->nodes[y].node;
  mcc_addr a = harness_addr(x);
  if (node->up.state == PARENT_UP && memcmp(&node->up.addr, &a, sizeof a) == 0)
    return 1;
  return link_child_by_addr(node, &a) != NULL;
}

int harness_shortest(harness *h, size_t src, size_t dst) {
  /* BFS over undirected edges child -- active parent, from the hosts' view
   * (which address each node's active parent has), not the core's tables. */
  size_t n = h->n;
  int *dist = malloc(n * sizeof *dist);
  size_t *queue = malloc(n * sizeof *queue);
  size_t *parent = malloc(n * sizeof *parent);
  for (size_t i = 0; i < n; i++) {
    dist[i] = -1;
    parent[i] = SIZE_MAX;
    mcc_addr pa;
    if (h->nodes[i].alive &&
        mcc_node_parent(h->nodes[i].node, NULL, &pa) == 0) {
      size_t p = harness_find_addr(&pa);
      if (p < n && h->nodes[p].alive) parent[i] = p;
    }
  }
  size_t head = 0, tail = 0;
  dist[src] = 0;
  queue[tail++] = src;
  while (head < tail) {
    size_t v = queue[head++];
    for (size_t w = 0; w < n; w++) {
      int adjacent = parent[v] == w || parent[w] == v;
      if (adjacent && dist[w] < 0) {
        dist[w] = dist[v] + 1;
        queue[tail++] = w;
      }
    }
  }
  int d = dist[dst];
  free(dist);
  free(queue);
  free(parent);
  return d;
}

int harness_send_packet(harness *h, size_t i, const uint8_t *ip, size_t len) {
  h->current = i;
  return mcc_node_send_packet(h->nodes[i].node, ip, len, h->now);
}

uint64_t harness_delivered(const harness *h, size_t i) {
  return h->nodes[i].delivered;
}

const uint8_t *harness_last_delivered(const harness *h, size_t i,
                                      size_t *plen) {
  *plen = h->nodes[i].lastlen;
  return h->nodes[i].last;
}

void harness_local_addr(harness *h, size_t at, size_t of, uint8_t addr4[4],
                        uint8_t addr6[16]) {
  node_id_to_addrs(h->nodes[at].node, harness_id(h, of), addr4, addr6);
}

void harness_reset_counters(harness *h) {
  memset(h->bytes, 0, sizeof h->bytes);
  memset(h->dgrams, 0, sizeof h->dgrams);
  for (size_t i = 0; i < h->n; i++) h->nodes[i].wire_bytes = 0;
}

uint64_t harness_wire_bytes(const harness *h, int type) {
  return type >= 0 && type < MAX_TYPES ? h->bytes[type] : 0;
}

uint64_t harness_datagrams(const harness *h, int type) {
  return type >= 0 && type < MAX_TYPES ? h->dgrams[type] : 0;
}

uint64_t harness_node_wire_bytes(const harness *h, size_t i) {
  return h->nodes[i].wire_bytes;
}
