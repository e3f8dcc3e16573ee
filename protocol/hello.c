/*
 * hello.c — the parent's side of the link handshake: a child's HELLO, and
 * the proof that commits its link.
 *
 *   child                                   parent
 *   HELLO (signed, eph_c)          ---->    cheap checks, then (guard.c)
 *                                           verify; keys; *pending*
 *                                  <----    HELLO_ACK (signed over eph_c)
 *   KEEPALIVE sealed, new keys     ---->    opens under the pending keys:
 *                                           the child holds eph_c's secret
 *                                           and receives at this address;
 *                                           only now the link is created,
 *                                           moved or re-keyed
 *                                  <----    ROOT
 *
 * A HELLO alone changes no link, no route and no record, so a captured one
 * replayed from anywhere costs the parent a HELLO_ACK at most (and, past
 * the budget, only a cookie reply), and leaves a pending entry that
 * expires. Pending entries are bounded (PENDING_MAX, each the size of a
 * small record) and live for half the child's keep-alive period plus a
 * second, the time the child keeps confirming before it gives up.
 *
 * Cheap before costly (PROTOCOL.md, "Cost before trust"): length and type,
 * the timestamp window, replay against the child's link, the trust policy
 * (a comparison of keys), the budget or a cookie, the source's rate; only
 * then the certificate's and the HELLO's signatures and the DH.
 */
#include <sodium.h>
#include <stdlib.h>

#include "cert.h"
#include "node.h"

#define PENDING_MAX 16384
#define PENDING_MIN_LIFE_NS (2ull * NS_PER_S)
#define PENDING_MAX_LIFE_NS (60ull * NS_PER_S)

static uint32_t pending_hash_at(const void *items, uint32_t slot) {
  return link_addr_hash(&((const pending_hello *)items)[slot].addr);
}

static pending_hello *pending_by_addr(const handshake_state *g,
                                      const mcc_addr *addr) {
  if (!g) return NULL;
  for (uint32_t s = index_first(&g->pending_index, link_addr_hash(addr));
       s != INDEX_NIL; s = index_next(&g->pending_index, s))
    if (memcmp(&g->pending[s].addr, addr, sizeof *addr) == 0)
      return &g->pending[s];
  return NULL;
}

static void pending_table_free(handshake_state *g) {
  if (g->pending) sodium_memzero(g->pending, g->cappending * sizeof *g->pending);
  free(g->pending);
  g->pending = NULL;
  g->npending = g->cappending = 0;
  index_clear(&g->pending_index);
}

/* The last one out frees the table: a parent whose children all joined
 * holds no room for more (every parent of a large network at once, in its
 * bootstrap). */
static void pending_remove(handshake_state *g, pending_hello *p) {
  uint32_t slot = (uint32_t)(p - g->pending);
  index_remove(&g->pending_index, slot, link_addr_hash(&p->addr));
  uint32_t last = g->npending - 1;
  if (slot != last) {
    index_move(&g->pending_index, last, slot,
               link_addr_hash(&g->pending[last].addr));
    g->pending[slot] = g->pending[last];
  }
  sodium_memzero(&g->pending[last], sizeof g->pending[last]);
  if (--g->npending == 0) pending_table_free(g);
}

static pending_hello *pending_add(handshake_state *g, const mcc_addr *addr) {
  if (g->npending >= PENDING_MAX) return NULL;
  if (g->npending == g->cappending) {
    uint32_t cap = g->cappending ? g->cappending * 2 : 2;
    pending_hello *n = realloc(g->pending, (size_t)cap * sizeof *n);
    if (!n) return NULL;
    g->pending = n;
    g->cappending = cap;
  }
  if (index_reserve(&g->pending_index, g->cappending, g->npending,
                    pending_hash_at, g->pending) != 0)
    return NULL;
  uint32_t slot = g->npending++;
  pending_hello *p = &g->pending[slot];
  memset(p, 0, sizeof *p);
  p->addr = *addr;
  index_insert(&g->pending_index, slot, link_addr_hash(addr));
  return p;
}

static uint64_t pending_life_ns(uint64_t child_period_ns) {
  uint64_t t = child_period_ns / 2 + NS_PER_S;
  if (t < PENDING_MIN_LIFE_NS) t = PENDING_MIN_LIFE_NS;
  return t > PENDING_MAX_LIFE_NS ? PENDING_MAX_LIFE_NS : t;
}

static void send_ack(mcc_node *node, const pending_hello *p) {
  wire_hello_ack ack;
  memcpy(ack.eph, p->eph_pub, 32);
  ack.cert = node->cert;
  uint8_t out[WIRE_HELLO_ACK_LEN];
  wire_signer signer = node_signer(node);
  wire_hello_ack_encode(out, &ack, p->child_eph, &signer);
  node_send(node, &p->addr, out, sizeof out);
}

/* The checks that cost no public-key operation. */
static int hello_cheap_checks(mcc_node *node, const wire_hello *hello,
                              const mcc_addr *from, uint64_t now) {
  if (sodium_memcmp(hello->cert.subject.key, node->keys.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT;
  uint64_t now_ms = (uint64_t)node->unix_at_zero_s * 1000 + now / 1000000;
  if (hello->timestamp_ms > now_ms + HELLO_MAX_CLOCK_SKEW_MS ||
      hello->timestamp_ms + HELLO_MAX_CLOCK_SKEW_MS < now_ms)
    return MCC_ERR_REPLAY;
  const child_link *c = link_child_by_id(node, &hello->cert.subject);
  if (c && hello->timestamp_ms <= c->hello_ts_ms) return MCC_ERR_REPLAY;
  const pending_hello *p = pending_by_addr(node->hs, from);
  if (p && memcmp(&p->peer, &hello->cert.subject, sizeof p->peer) == 0 &&
      hello->timestamp_ms <= p->ts_ms)
    return MCC_ERR_REPLAY;
  uint64_t unix_s = node_unix_s(node);
  if (unix_s < hello->cert.not_before) return MCC_ERR_CERT_NOT_YET_VALID;
  if (unix_s > hello->cert.not_after) return MCC_ERR_CERT_EXPIRED;
  if (!trust_allows(&node->trust, &hello->cert)) return MCC_ERR_UNTRUSTED;
  return 0;
}

/* Within the budget, or, under load, with a cookie for its address (and
 * within its address's rate); otherwise a cookie reply and MCC_ERR_BUSY. */
static int hello_may_cost(mcc_node *node, const mcc_addr *from,
                          const uint8_t *data, size_t datalen, uint64_t now) {
  if (guard_budget_take(node, GUARD_HELLOS, now)) return 0;
  if (!guard_cookie_ok(node, from, data, datalen, now)) {
    guard_cookie_reply(node, from, data, now);
    return MCC_ERR_BUSY;
  }
  if (!guard_source_allow(node, from, now))
    return MCC_ERR_BUSY;
  return 0;
}

int link_on_hello(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now) {
  wire_hello hello;
  int rv = wire_hello_parse(&hello, data, datalen);
  if (rv == 0) rv = hello_cheap_checks(node, &hello, from, now);
  if (rv == 0) rv = hello_may_cost(node, from, data, datalen, now);
  if (rv != 0) return rv;
  node->stats.handshakes_verified++;
  rv = node_check_cert(node, &hello.cert);
  if (rv == 0) rv = wire_hello_verify(&hello, data, node->cache, VERIFY_LOOKUP);
  if (rv != 0) return rv;

  handshake_state *g = guard_state(node, now);
  if (!g) return MCC_ERR_NOMEM;
  pending_hello *p = pending_by_addr(g, from);
  if (p && memcmp(&p->peer, &hello.cert.subject, sizeof p->peer) == 0 &&
      memcmp(p->child_eph, hello.eph, 32) == 0) {
    /* The child sends its HELLO again (our ack was lost): the same ack,
     * so that whichever copy it gets, its keys are ours. */
    p->ts_ms = hello.timestamp_ms;
    p->expires_ns = now + pending_life_ns(p->period_ns);
    send_ack(node, p);
    return 0;
  }
  if (!p && !(p = pending_add(g, from))) {
    node->stats.hellos_unconfirmed++;
    return MCC_ERR_LIMIT;
  }
  if (p->expires_ns) node->stats.hellos_unconfirmed++; /* displaced */
  uint8_t eph_sec[32];
  link_new_ephemeral(node, eph_sec, p->eph_pub);
  rv = link_derive_keys(eph_sec, hello.eph, hello.eph, p->eph_pub, p->key_rx,
                        p->key_tx);
  sodium_memzero(eph_sec, sizeof eph_sec);
  if (rv != 0) {
    pending_remove(g, p);
    return rv;
  }
  p->peer = hello.cert.subject;
  memcpy(p->child_eph, hello.eph, 32);
  p->ts_ms = hello.timestamp_ms;
  p->period_ns = (uint64_t)hello.keepalive_period_s * NS_PER_S;
  p->expires_ns = now + pending_life_ns(p->period_ns);
  if (p->expires_ns < g->pending_sweep_at_ns)
    g->pending_sweep_at_ns = p->expires_ns;
  send_ack(node, p);
  return 0;
}

/* A child re-keys only once its counter reached LINK_REKEY_AFTER_MESSAGES;
 * the margin allows for its last messages being lost. */
static int child_is_rekeying(const child_link *c) {
  return c->rx.any && c->rx.top >= LINK_REKEY_AFTER_MESSAGES - (1u << 20);
}

int hello_confirm(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now, child_link **pc) {
  handshake_state *g = node->hs;
  pending_hello *p = pending_by_addr(g, from);
  if (!p) return MCC_ERR_NO_LINK;
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen = 0;
  uint32_t counter = 0;
  int rv = wire_open(data, datalen, p->key_rx, &counter, body, &bodylen);
  sodium_memzero(body, sizeof body);
  if (rv != 0) return rv;
  pending_hello h = *p;
  pending_remove(g, p);

  /* Another node's link at this address goes (that node moved away). */
  child_link *other = link_child_by_addr(node, from);
  if (other && memcmp(&other->peer, &h.peer, sizeof h.peer) != 0)
    link_child_remove(node, other, now);
  /* A child that joins again keeps its link id. Unless it only re-keys
   * (its counters reached LINK_REKEY_AFTER_MESSAGES), it restarted, came
   * back after a lost BYE, or probes us as a candidate: it may no longer
   * have what it announced here, so that is withdrawn, and it announces
   * its subtree again if it makes us its active parent. */
  child_link *c = link_child_by_id(node, &h.peer);
  if (c && !child_is_rekeying(c)) state_on_link_lost(node, c->id, now);
  if (c && memcmp(&c->addr, from, sizeof *from) != 0)
    link_child_move(node, c, from);
  if (!c) {
    c = link_child_add(node, from, &h.peer);
    if (!c) {
      sodium_memzero(&h, sizeof h);
      return MCC_ERR_NOMEM;
    }
    char text[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&c->peer, text);
    node_log(node, MCC_LOG_INFO, "child joined: %s", text);
  }
  memcpy(c->key_rx, h.key_rx, 32);
  memcpy(c->key_tx, h.key_tx, 32);
  sodium_memzero(&h.key_rx, sizeof h.key_rx);
  sodium_memzero(&h.key_tx, sizeof h.key_tx);
  replay_init(&c->rx);
  c->tx_counter = 0;
  c->has_update = 0; /* counters start again with the new keys */
  c->root_acked = 0; /* its first KEEPALIVE is answered with our ROOT */
  c->hello_ts_ms = h.ts_ms;
  c->period_ns = h.period_ns;
  c->last_rx_ns = now;
  node->routes_dirty = 1;
  if (node->sweep_at_ns == NEVER) node->sweep_at_ns = now + node->keep_alive_ns;
  *pc = c;
  return 0;
}

void hello_on_timers(mcc_node *node, uint64_t now) {
  handshake_state *g = node->hs;
  if (!g || now < g->pending_sweep_at_ns) return;
  uint64_t next = NEVER;
  for (uint32_t s = 0; s < g->npending;) {
    pending_hello *p = &g->pending[s];
    if (p->expires_ns <= now) {
      node->stats.hellos_unconfirmed++;
      pending_remove(g, p); /* moves the last one into slot s */
      continue;
    }
    if (p->expires_ns < next) next = p->expires_ns;
    s++;
  }
  if (g->npending == 0) {
    if (guard_quiet(node, now)) { /* nothing worth keeping (guard.c) */
      hello_free(node);
      guard_free(node);
      return;
    }
    next = now + GUARD_RELEASE_NS;
  }
  g->pending_sweep_at_ns = next;
}

uint64_t hello_next_deadline(const mcc_node *node) {
  return node->hs ? node->hs->pending_sweep_at_ns : NEVER;
}

void hello_free(mcc_node *node) {
  if (node->hs) pending_table_free(node->hs);
}

size_t hello_memory(const mcc_node *node) {
  const handshake_state *g = node->hs;
  return g ? (size_t)g->cappending * sizeof(pending_hello) +
                 index_memory(&g->pending_index)
           : 0;
}
