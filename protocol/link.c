/*
 * link.c — neighbour links: the child opens them (so it works behind NAT),
 * both sides prove their keys and present certificates, then every message
 * is sealed with per-direction keys from an ephemeral X25519 exchange.
 *
 * The child's side (joining, choosing and keeping a parent) is parent.c;
 * a child's HELLO, until it proves its key, is hello.c; this file holds
 * the keys and the parent's side of established links: children's
 * keep-alives and UPDATEs, and telling them our root position.
 *
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
int link_derive_keys(const uint8_t my_sec[32], const uint8_t peer_pub[32],
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

void link_new_ephemeral(mcc_node *node, uint8_t sec[32], uint8_t pub[32]) {
  node->cb.random(node->cb.user_data, sec, 32);
  crypto_scalarmult_base(pub, sec);
}

/* ---- parent side: children ------------------------------------------------ */

uint32_t link_addr_hash(const mcc_addr *a) {
  uint32_t h = 2166136261u;
  const uint8_t *p = (const uint8_t *)a;
  for (size_t i = 0; i < sizeof *a; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint32_t child_hash_at(const void *items, uint32_t slot) {
  return link_addr_hash(&((const child_link *)items)[slot].addr);
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
  for (uint32_t s = index_first(&node->child_index, link_addr_hash(addr));
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

void link_child_remove(mcc_node *node, child_link *c, uint64_t now) {
  uint32_t slot = (uint32_t)(c - node->children);
  uint32_t link_id = c->id;
  index_remove(&node->child_index, slot, link_addr_hash(&c->addr));
  index_remove(&node->child_id_index, slot, id_hash(&c->peer));
  uint32_t last = node->nchildren - 1;
  if (slot != last) {
    index_move(&node->child_index, last, slot,
               link_addr_hash(&node->children[last].addr));
    index_move(&node->child_id_index, last, slot,
               id_hash(&node->children[last].peer));
    node->children[slot] = node->children[last];
  }
  node->nchildren--;
  node->routes_dirty = 1;
  state_on_link_lost(node, link_id, now);
}

child_link *link_child_add(mcc_node *node, const mcc_addr *addr,
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
  index_insert(&node->child_index, slot, link_addr_hash(addr));
  index_insert(&node->child_id_index, slot, id_hash(peer));
  return c;
}

void link_child_move(mcc_node *node, child_link *c, const mcc_addr *addr) {
  uint32_t slot = (uint32_t)(c - node->children);
  index_remove(&node->child_index, slot, link_addr_hash(&c->addr));
  c->addr = *addr;
  index_insert(&node->child_index, slot, link_addr_hash(addr));
}

void link_seal_and_send(mcc_node *node, const mcc_addr *to,
                        const uint8_t key[32], uint32_t *tx_counter,
                        enum wire_type type, const uint8_t *body,
                        size_t bodylen, uint32_t *pcounter) {
  uint8_t out[WIRE_MAX_DATAGRAM];
  uint32_t counter = (*tx_counter)++;
  size_t n = wire_seal(out, type, counter, key, body, bodylen);
  node_send(node, to, out, n);
  if (pcounter) *pcounter = counter;
}

void link_send_to_child(mcc_node *node, child_link *c, enum wire_type type,
                        const uint8_t *body, size_t bodylen,
                        uint32_t *pcounter) {
  link_seal_and_send(node, &c->addr, c->key_tx, &c->tx_counter, type, body,
                     bodylen, pcounter);
}

int link_on_from_child(mcc_node *node, const mcc_addr *from, int type,
                       const uint8_t *data, size_t datalen, uint64_t now) {
  child_link *c = link_child_by_addr(node, from);
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen = 0;
  uint32_t counter = 0;
  int rv = c ? wire_open(data, datalen, c->key_rx, &counter, body, &bodylen)
             : MCC_ERR_NO_LINK;
  if (rv != 0) {
    /* Perhaps the first message under a handshake's new keys. */
    if (hello_confirm(node, from, data, datalen, now, &c) != 0) return rv;
    rv = wire_open(data, datalen, c->key_rx, &counter, body, &bodylen);
    if (rv != 0) return rv;
  }
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
  if (type == WIRE_LOOKUP) {
    rv = lookup_on_question(node, c, body, bodylen, now);
    if (rv != 0) return rv;
    replay_accept(&c->rx, counter);
    c->last_rx_ns = now;
    return 0;
  }
  if (type == WIRE_ROOT_ACK || type == WIRE_SEQ_REQUEST) {
    rv = type == WIRE_ROOT_ACK
             ? rooting_on_ack(node, c, body, bodylen)
             : rooting_on_seq_request(node, c, body, bodylen, now);
    if (rv != 0) return rv;
    replay_accept(&c->rx, counter);
    c->last_rx_ns = now;
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
    if (c->root_acked)
      link_send_to_child(node, c, WIRE_KEEPALIVE_ACK, NULL, 0, NULL);
    else /* our position, until it is acknowledged */
      rooting_send_to_child(node, c);
  } else if (type == WIRE_UPDATE) {
    uint8_t ackbody[4];
    put_be32(ackbody, counter);
    link_send_to_child(node, c, WIRE_UPDATE_ACK, ackbody, sizeof ackbody,
                       NULL);
    node->stats.ack_sent++;
  } else if (type == WIRE_BYE) {
    node_log(node, MCC_LOG_INFO, "child left");
    link_child_remove(node, c, now);
  }
  return 0;
}

/* ---- timers ----------------------------------------------------------------- */

static void on_sweep_timer(mcc_node *node, uint64_t now) {
  for (uint32_t s = 0; s < node->nchildren;) {
    child_link *c = &node->children[s];
    if (c->last_rx_ns + CHILD_TIMEOUT_PERIODS * c->period_ns <= now) {
      char text[MCC_ID_TEXT_LEN + 1];
      mcc_id_to_text(&c->peer, text);
      node_log(node, MCC_LOG_INFO, "child timed out: %s", text);
      link_child_remove(node, c, now); /* moves the last child into s */
    } else {
      s++;
    }
  }
  node->sweep_at_ns = node->nchildren ? now + node->keep_alive_ns : NEVER;
}

void link_on_timers(mcc_node *node, uint64_t now) {
  parent_on_timers(node, now);
  if (now >= node->sweep_at_ns) on_sweep_timer(node, now);
  hello_on_timers(node, now);
}

uint64_t link_next_deadline(const mcc_node *node) {
  uint64_t t = parent_next_deadline(node);
  uint64_t h = hello_next_deadline(node);
  if (h < t) t = h;
  return node->sweep_at_ns < t ? node->sweep_at_ns : t;
}

void link_free(mcc_node *node) {
  hello_free(node);
  guard_free(node);
  free(node->children);
  index_clear(&node->child_index);
  index_clear(&node->child_id_index);
  sodium_memzero(&node->up, sizeof node->up);
  parent_free(node);
}
