/*
 * link.c — neighbour links: the child opens them (so it works behind NAT),
 * both sides prove their keys and present certificates, then every message
 * is sealed with per-direction keys from an ephemeral X25519 exchange.
 *
 * Timers of a child towards its parents:
 *   join      HELLO unanswered for keep-alive/6: send again; after
 *             KEEPALIVE_MAX_MISSES, try the next parent (or, on a rejoin,
 *             stay with the current one); after the last one, wait
 *             (backoff, JOIN_BACKOFF_MAX_SHIFT) before the next round.
 *   keepalive every keep-alive period; unanswered for a sixth of it: send
 *             again; KEEPALIVE_MAX_MISSES in a row: the parent is dead,
 *             join the next one.
 *   rejoin    every rejoin-period while the active parent is not the first:
 *             try the first one again.
 * Timers of a parent:
 *   sweep     every keep-alive period: drop children silent for
 *             CHILD_TIMEOUT_PERIODS of their own periods.
 *   rekey     after LINK_REKEY_AFTER_MESSAGES the child sends a new HELLO
 *             to the same parent, long before a 32-bit counter could wrap.
 */
#include <sodium.h>
#include <stdlib.h>

#include "cert.h"
#include "node.h"

static const char link_kdf_context[] = "mcc-link-v1";

/* Both sides derive child->parent and parent->child keys from the DH. */
static int derive_keys(const uint8_t my_sec[32], const uint8_t peer_pub[32],
                       const uint8_t child_eph[32],
                       const uint8_t parent_eph[32], uint8_t c2p[32],
                       uint8_t p2c[32]) {
  uint8_t dh[32], okm[64];
  if (crypto_scalarmult(dh, my_sec, peer_pub) != 0) return MCC_ERR_DECRYPT;
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, sizeof okm);
  crypto_generichash_update(&st, (const uint8_t *)link_kdf_context,
                            sizeof link_kdf_context - 1);
  crypto_generichash_update(&st, dh, sizeof dh);
  crypto_generichash_update(&st, child_eph, 32);
  crypto_generichash_update(&st, parent_eph, 32);
  crypto_generichash_final(&st, okm, sizeof okm);
  memcpy(c2p, okm, 32);
  memcpy(p2c, okm + 32, 32);
  sodium_memzero(dh, sizeof dh);
  sodium_memzero(okm, sizeof okm);
  return 0;
}

static void new_ephemeral(mcc_node *node, uint8_t sec[32], uint8_t pub[32]) {
  node->cb.random(node->cb.user_data, sec, 32);
  crypto_scalarmult_base(pub, sec);
}

static uint64_t retry_ns(const mcc_node *node) {
  return node->keep_alive_ns / KEEPALIVE_RETRY_DIVISOR;
}

/* ---- child side: joining and keeping a parent ---------------------------- */

static void send_hello(mcc_node *node, uint64_t now) {
  wire_hello hello;
  uint64_t period_s = node->keep_alive_ns / NS_PER_S;
  hello.keepalive_period_s =
      (uint16_t)(period_s == 0 ? 1 : period_s > 65535 ? 65535 : period_s);
  hello.timestamp_ms = (uint64_t)node->unix_at_zero_s * 1000 + now / 1000000;
  memcpy(hello.eph, node->join.eph_pub, 32);
  hello.cert = node->cert;
  uint8_t out[WIRE_HELLO_LEN];
  wire_signer signer = node_signer(node);
  wire_hello_encode(out, &hello, &signer);
  node_send(node, &node->join.addr, out, sizeof out);
  node->stats.hello_sent++;
}

void link_start_join(mcc_node *node, uint8_t index, uint64_t now) {
  parent_link *j = &node->join;
  memset(j, 0, sizeof *j);
  j->state = PARENT_JOINING;
  j->index = index;
  j->addr = node->parents[index];
  new_ephemeral(node, j->eph_sec, j->eph_pub);
  j->next_ns = now + retry_ns(node);
  send_hello(node, now);
}

static void send_bye(mcc_node *node) {
  uint8_t out[WIRE_BYE_LEN];
  size_t n = wire_seal(out, WIRE_BYE, node->up.tx_counter++, node->up.key_tx,
                       NULL, 0);
  node_send(node, &node->up.addr, out, n);
}

int link_on_hello_ack(mcc_node *node, const mcc_addr *from,
                      const uint8_t *data, size_t datalen, uint64_t now) {
  parent_link *j = &node->join;
  if (j->state != PARENT_JOINING || memcmp(from, &j->addr, sizeof *from) != 0)
    return MCC_ERR_NO_LINK;
  wire_hello_ack ack;
  int rv = wire_hello_ack_decode(&ack, data, datalen, j->eph_pub, node->cache,
                                 VERIFY_LOOKUP);
  if (rv != 0) return rv;
  rv = node_check_cert(node, &ack.cert);
  if (rv != 0) return rv;
  if (sodium_memcmp(ack.cert.subject.key, node->keys.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT; /* our own address in parents */
  rv = derive_keys(j->eph_sec, ack.eph, j->eph_pub, ack.eph, j->key_tx,
                   j->key_rx);
  if (rv != 0) return rv;
  sodium_memzero(j->eph_sec, sizeof j->eph_sec);

  int rekey = node->up.state == PARENT_UP &&
              sodium_memcmp(node->up.peer.key, ack.cert.subject.key, 32) == 0;
  if (node->up.state == PARENT_UP && !rekey) send_bye(node); /* rejoin */
  j->peer = ack.cert.subject;
  j->state = PARENT_UP;
  j->misses = 0;
  j->awaiting = 0;
  replay_init(&j->rx);
  j->next_ns = now + node->keep_alive_ns;
  node->up = *j;
  memset(j, 0, sizeof *j);
  if (rekey) { /* same parent, fresh keys: only what was in flight changes */
    state_on_rekey(node, now);
    return 0;
  }
  node->join_rounds_failed = 0;
  node->stats.parent_switches++;
  node->rejoin_at_ns = node->up.index != 0 ? now + node->rejoin_ns : NEVER;
  node->routes_dirty = 1;
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&node->up.peer, text);
  node_log(node, MCC_LOG_INFO, "parent %u is up: %s", node->up.index, text);
  state_on_parent_changed(node, now);
  return 0;
}

int link_set_parents(mcc_node *node, const mcc_addr *parents, size_t n,
                     uint64_t now) {
  if (n > MCC_MAX_PARENTS) return MCC_ERR_LIMIT;
  if (n == node->nparents &&
      (n == 0 || memcmp(parents, node->parents, n * sizeof *parents) == 0))
    return 0;
  mcc_addr *copy = NULL;
  if (n) {
    copy = malloc(n * sizeof *copy);
    if (!copy) return MCC_ERR_NOMEM;
    memcpy(copy, parents, n * sizeof *copy);
  }
  free(node->parents);
  node->parents = copy;
  node->nparents = (uint8_t)n;
  sodium_memzero(&node->join, sizeof node->join); /* its index is stale */
  node->join_at_ns = NEVER;
  node->join_rounds_failed = 0;
  if (node->up.state == PARENT_UP) {
    for (size_t k = 0; k < n; k++) {
      if (memcmp(&copy[k], &node->up.addr, sizeof *copy) != 0) continue;
      node->up.index = (uint8_t)k; /* same parent, new rank */
      node->rejoin_at_ns = k ? now + node->rejoin_ns : NEVER;
      return 0;
    }
    send_bye(node); /* no longer one of our parents */
    memset(&node->up, 0, sizeof node->up);
    node->rejoin_at_ns = NEVER;
    node->routes_dirty = 1;
    state_on_parent_changed(node, now);
  }
  if (n) link_start_join(node, 0, now);
  return 0;
}

static void send_keepalive(mcc_node *node) {
  uint8_t out[WIRE_KEEPALIVE_LEN];
  size_t n = wire_seal(out, WIRE_KEEPALIVE, node->up.tx_counter++,
                       node->up.key_tx, NULL, 0);
  node_send(node, &node->up.addr, out, n);
  node->stats.keepalive_sent++;
}

void link_send_sealed_to_parent(mcc_node *node, enum wire_type type,
                                const uint8_t *body, size_t bodylen,
                                uint32_t *pcounter) {
  uint8_t out[WIRE_MAX_DATAGRAM];
  uint32_t counter = node->up.tx_counter++;
  size_t n = wire_seal(out, type, counter, node->up.key_tx, body, bodylen);
  node_send(node, &node->up.addr, out, n);
  if (pcounter) *pcounter = counter;
}

static void parent_lost(mcc_node *node, uint64_t now) {
  uint8_t next = (uint8_t)((node->up.index + 1) % node->nparents);
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&node->up.peer, text);
  node_log(node, MCC_LOG_WARN, "parent %u stopped answering: %s",
           node->up.index, text);
  memset(&node->up, 0, sizeof node->up);
  node->rejoin_at_ns = NEVER;
  node->routes_dirty = 1;
  state_on_parent_changed(node, now);
  link_start_join(node, next, now);
}

int link_on_from_parent(mcc_node *node, const mcc_addr *from, int type,
                        const uint8_t *data, size_t datalen, uint64_t now) {
  parent_link *p = &node->up;
  if (p->state != PARENT_UP || memcmp(from, &p->addr, sizeof *from) != 0)
    return MCC_ERR_NO_LINK;
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen = 0;
  uint32_t counter = 0;
  int rv = wire_open(data, datalen, p->key_rx, &counter, body, &bodylen);
  if (rv != 0) return rv;
  if (!replay_check(&p->rx, counter)) return MCC_ERR_REPLAY;
  if (type == WIRE_KEEPALIVE_ACK && bodylen != 0) return MCC_ERR_BAD_LENGTH;
  if (type == WIRE_UPDATE_ACK && bodylen != 4) return MCC_ERR_BAD_LENGTH;
  replay_accept(&p->rx, counter);
  p->misses = 0;
  if (p->awaiting) {
    p->awaiting = 0;
    p->next_ns = p->asked_ns + node->keep_alive_ns;
  }
  if (type == WIRE_UPDATE_ACK) state_on_update_ack(node, get_be32(body), now);
  return 0;
}

/* ---- parent side: children ------------------------------------------------ */

static uint32_t addr_hash(const mcc_addr *a) {
  uint32_t h = 2166136261u;
  const uint8_t *p = (const uint8_t *)a;
  for (size_t i = 0; i < sizeof *a; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint32_t child_hash_at(const void *items, uint32_t slot) {
  return addr_hash(&((const child_link *)items)[slot].addr);
}

static uint32_t id_hash(const mcc_id *id) {
  uint32_t h;
  memcpy(&h, id->key, sizeof h);
  return h;
}

static uint32_t child_id_hash_at(const void *items, uint32_t slot) {
  return id_hash(&((const child_link *)items)[slot].peer);
}

child_link *link_child_by_addr(mcc_node *node, const mcc_addr *addr) {
  for (uint32_t s = index_first(&node->child_index, addr_hash(addr));
       s != INDEX_NIL; s = index_next(&node->child_index, s))
    if (memcmp(&node->children[s].addr, addr, sizeof *addr) == 0)
      return &node->children[s];
  return NULL;
}

child_link *link_child_by_id(mcc_node *node, const mcc_id *id) {
  for (uint32_t s = index_first(&node->child_id_index, id_hash(id));
       s != INDEX_NIL; s = index_next(&node->child_id_index, s))
    if (memcmp(node->children[s].peer.key, id->key, 32) == 0)
      return &node->children[s];
  return NULL;
}

child_link *link_child_by_link_id(mcc_node *node, uint32_t link_id) {
  for (uint32_t s = 0; s < node->nchildren; s++)
    if (node->children[s].id == link_id) return &node->children[s];
  return NULL;
}

static void child_remove(mcc_node *node, child_link *c, uint64_t now) {
  uint32_t slot = (uint32_t)(c - node->children);
  uint32_t link_id = c->id;
  index_remove(&node->child_index, slot, addr_hash(&c->addr));
  index_remove(&node->child_id_index, slot, id_hash(&c->peer));
  uint32_t last = node->nchildren - 1;
  if (slot != last) {
    index_move(&node->child_index, last, slot,
               addr_hash(&node->children[last].addr));
    index_move(&node->child_id_index, last, slot,
               id_hash(&node->children[last].peer));
    node->children[slot] = node->children[last];
  }
  node->nchildren--;
  node->routes_dirty = 1;
  state_on_link_lost(node, link_id, now);
}

static child_link *child_add(mcc_node *node, const mcc_addr *addr,
                             const mcc_id *peer) {
  if (node->nchildren == node->capchildren) {
    uint32_t cap = node->capchildren ? node->capchildren * 2 : 2;
    child_link *c = realloc(node->children, (size_t)cap * sizeof *c);
    if (!c) return NULL;
    node->children = c;
    node->capchildren = cap;
  }
  if (index_reserve(&node->child_index, node->capchildren, node->nchildren,
                    child_hash_at, node->children) != 0 ||
      index_reserve(&node->child_id_index, node->capchildren,
                    node->nchildren, child_id_hash_at, node->children) != 0)
    return NULL;
  uint32_t slot = node->nchildren++;
  child_link *c = &node->children[slot];
  memset(c, 0, sizeof *c);
  c->addr = *addr;
  c->peer = *peer;
  c->id = node->next_link_id++;
  index_insert(&node->child_index, slot, addr_hash(addr));
  index_insert(&node->child_id_index, slot, id_hash(peer));
  return c;
}

int link_on_hello(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now) {
  wire_hello hello;
  int rv = wire_hello_decode(&hello, data, datalen, node->cache, VERIFY_LOOKUP);
  if (rv != 0) return rv;
  if (sodium_memcmp(hello.cert.subject.key, node->keys.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT;
  uint64_t now_ms = (uint64_t)node->unix_at_zero_s * 1000 + now / 1000000;
  if (hello.timestamp_ms > now_ms + HELLO_MAX_CLOCK_SKEW_MS ||
      hello.timestamp_ms + HELLO_MAX_CLOCK_SKEW_MS < now_ms)
    return MCC_ERR_REPLAY;
  child_link *c = link_child_by_id(node, &hello.cert.subject);
  if (c && hello.timestamp_ms <= c->hello_ts_ms) return MCC_ERR_REPLAY;
  rv = node_check_cert(node, &hello.cert);
  if (rv != 0) return rv;

  wire_hello_ack ack;
  uint8_t eph_sec[32], c2p[32], p2c[32];
  new_ephemeral(node, eph_sec, ack.eph);
  rv = derive_keys(eph_sec, hello.eph, hello.eph, ack.eph, c2p, p2c);
  sodium_memzero(eph_sec, sizeof eph_sec);
  if (rv != 0) return rv;

  /* A child that joins again keeps its link id, so the records it announced
   * stay valid until it announces them again. */
  if (c && memcmp(&c->addr, from, sizeof *from) != 0) {
    uint32_t slot = (uint32_t)(c - node->children);
    index_remove(&node->child_index, slot, addr_hash(&c->addr));
    c->addr = *from;
    index_insert(&node->child_index, slot, addr_hash(from));
  }
  if (!c) {
    child_link *other = link_child_by_addr(node, from);
    if (other) child_remove(node, other, now); /* another node, same addr */
    c = child_add(node, from, &hello.cert.subject);
    if (!c) return MCC_ERR_NOMEM;
    char text[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&c->peer, text);
    node_log(node, MCC_LOG_INFO, "child joined: %s", text);
  }
  memcpy(c->key_rx, c2p, 32);
  memcpy(c->key_tx, p2c, 32);
  replay_init(&c->rx);
  c->tx_counter = 0;
  c->has_update = 0; /* counters start again with the new keys */
  c->hello_ts_ms = hello.timestamp_ms;
  c->period_ns = (uint64_t)hello.keepalive_period_s * NS_PER_S;
  c->last_rx_ns = now;
  node->routes_dirty = 1;
  if (node->sweep_at_ns == NEVER) node->sweep_at_ns = now + node->keep_alive_ns;

  ack.cert = node->cert;
  uint8_t out[WIRE_HELLO_ACK_LEN];
  wire_signer signer = node_signer(node);
  wire_hello_ack_encode(out, &ack, hello.eph, &signer);
  node_send(node, from, out, sizeof out);
  return 0;
}

static void send_to_child(mcc_node *node, child_link *c, enum wire_type type,
                          const uint8_t *body, size_t bodylen) {
  uint8_t out[WIRE_SEALED_OVERHEAD + 4];
  size_t n = wire_seal(out, type, c->tx_counter++, c->key_tx, body, bodylen);
  node_send(node, &c->addr, out, n);
}

int link_on_from_child(mcc_node *node, const mcc_addr *from, int type,
                       const uint8_t *data, size_t datalen, uint64_t now) {
  child_link *c = link_child_by_addr(node, from);
  if (!c) return MCC_ERR_NO_LINK;
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen = 0;
  uint32_t counter = 0;
  int rv = wire_open(data, datalen, c->key_rx, &counter, body, &bodylen);
  if (rv != 0) return rv;
  if (!replay_check(&c->rx, counter)) return MCC_ERR_REPLAY;
  if ((type == WIRE_KEEPALIVE || type == WIRE_BYE) && bodylen != 0)
    return MCC_ERR_BAD_LENGTH;
  if (type == WIRE_UPDATE && c->has_update && counter < c->update_counter) {
    /* Overtaken by a newer UPDATE already applied: applying it now could
     * undo that one, so it is dropped unacknowledged and the child sends
     * again what is still current. */
    replay_accept(&c->rx, counter);
    c->last_rx_ns = now;
    node->stats.updates_stale++;
    return 0;
  }
  if (type == WIRE_UPDATE) {
    rv = state_on_update(node, c, body, bodylen, now);
    if (rv != 0) return rv;
    c->update_counter = counter;
    c->has_update = 1;
  }
  replay_accept(&c->rx, counter);
  c->last_rx_ns = now;
  if (type == WIRE_KEEPALIVE) {
    send_to_child(node, c, WIRE_KEEPALIVE_ACK, NULL, 0);
  } else if (type == WIRE_UPDATE) {
    uint8_t ackbody[4];
    put_be32(ackbody, counter);
    send_to_child(node, c, WIRE_UPDATE_ACK, ackbody, sizeof ackbody);
    node->stats.ack_sent++;
  } else if (type == WIRE_BYE) {
    node_log(node, MCC_LOG_INFO, "child left");
    child_remove(node, c, now);
  }
  return 0;
}

/* ---- timers ----------------------------------------------------------------- */

static void on_join_timer(mcc_node *node, uint64_t now) {
  parent_link *j = &node->join;
  if (++j->misses < KEEPALIVE_MAX_MISSES) {
    j->next_ns = now + retry_ns(node);
    send_hello(node, now);
    return;
  }
  uint8_t failed = j->index;
  memset(j, 0, sizeof *j);
  if (node->up.state == PARENT_UP) return; /* a rejoin failed: stay */
  uint8_t next = (uint8_t)((failed + 1) % node->nparents);
  if (next != 0) { /* joining or failing over: the next one now */
    link_start_join(node, next, now);
    return;
  }
  unsigned shift = node->join_rounds_failed < JOIN_BACKOFF_MAX_SHIFT
                       ? node->join_rounds_failed
                       : JOIN_BACKOFF_MAX_SHIFT;
  if (node->join_rounds_failed < UINT8_MAX) node->join_rounds_failed++;
  node->join_at_ns = now + (node->keep_alive_ns << shift);
}

static void on_keepalive_timer(mcc_node *node, uint64_t now) {
  parent_link *p = &node->up;
  if (p->awaiting && ++p->misses >= KEEPALIVE_MAX_MISSES) {
    parent_lost(node, now);
    return;
  }
  if (!p->awaiting) {
    p->awaiting = 1;
    /* From the deadline, not from when the host got round to it: a host
     * that wakes a little late (mccd rounds to milliseconds) must not
     * stretch every period (the lab measured 1.0013 s for 1 s). A deadline
     * missed by more than a period (a suspended host) starts afresh. */
    p->asked_ns = now - p->next_ns < node->keep_alive_ns ? p->next_ns : now;
  }
  send_keepalive(node);
  p->next_ns = now + retry_ns(node);
}

static void on_sweep_timer(mcc_node *node, uint64_t now) {
  for (uint32_t s = 0; s < node->nchildren;) {
    child_link *c = &node->children[s];
    if (c->last_rx_ns + CHILD_TIMEOUT_PERIODS * c->period_ns <= now) {
      char text[MCC_ID_TEXT_LEN + 1];
      mcc_id_to_text(&c->peer, text);
      node_log(node, MCC_LOG_INFO, "child timed out: %s", text);
      child_remove(node, c, now); /* moves the last child into slot s */
    } else {
      s++;
    }
  }
  node->sweep_at_ns = node->nchildren ? now + node->keep_alive_ns : NEVER;
}

void link_on_timers(mcc_node *node, uint64_t now) {
  if (node->up.state == PARENT_UP && now >= node->up.next_ns)
    on_keepalive_timer(node, now);
  if (node->join.state == PARENT_JOINING && now >= node->join.next_ns)
    on_join_timer(node, now);
  if (now >= node->join_at_ns) {
    node->join_at_ns = NEVER;
    if (node->up.state != PARENT_UP && node->join.state == PARENT_NONE &&
        node->nparents)
      link_start_join(node, 0, now);
  }
  if (now >= node->rejoin_at_ns) {
    node->rejoin_at_ns = now + node->rejoin_ns;
    if (node->up.state == PARENT_UP && node->up.index != 0 &&
        node->join.state == PARENT_NONE)
      link_start_join(node, 0, now);
  }
  if (now >= node->sweep_at_ns) on_sweep_timer(node, now);
  if (node->up.state == PARENT_UP && node->join.state == PARENT_NONE &&
      node->up.tx_counter >= LINK_REKEY_AFTER_MESSAGES)
    link_start_join(node, node->up.index, now);
}

uint64_t link_next_deadline(const mcc_node *node) {
  uint64_t t = node->rejoin_at_ns;
  if (node->join_at_ns < t) t = node->join_at_ns;
  if (node->up.state == PARENT_UP && node->up.next_ns < t)
    t = node->up.next_ns;
  if (node->join.state == PARENT_JOINING && node->join.next_ns < t)
    t = node->join.next_ns;
  if (node->sweep_at_ns < t) t = node->sweep_at_ns;
  return t;
}

void link_free(mcc_node *node) {
  free(node->children);
  index_clear(&node->child_index);
  index_clear(&node->child_id_index);
  sodium_memzero(&node->up, sizeof node->up);
  sodium_memzero(&node->join, sizeof node->join);
}
