/*
 * tunnel.c — the tunnels a node holds, and the rule that makes them the
 * only way user traffic flows (PROTOCOL.md, "Tunnels").
 *
 * A tunnel end: this end's endpoint key pair and certificate, the other
 * end's endpoint key, the node that holds it, the targets. Its traffic is
 * an end-to-end session between the two endpoint keys (session.c keys a
 * session by its peer's static key, so a tunnel's session is the one
 * whose peer is the tunnel's peer endpoint), routed between the two
 * nodes. Tunnels are found by peer endpoint through a hash index, so the
 * filter costs the same with one tunnel or a thousand.
 *
 * The filter, at both ends with each end's own copy of the targets:
 *   client sends      TCP/UDP to a target port of the server endpoint
 *   server receives   the same
 *   server sends      TCP/UDP from a target port (the replies)
 *   client receives   the same
 * Anything else to or from a tunnel's endpoint is dropped
 * (stats.denied_target); with settings.tunnels_only, every user packet
 * that is not in a tunnel too (stats.denied_no_tunnel).
 */
#include <sodium.h>
#include <stdlib.h>

#include <mcc/tunnel.h>

#include "node.h"
#include "packet.h"

struct tunnel_table {
  mcc_tunnel *items;
  uint32_t n, cap;
  slot_index index; /* by peer endpoint */
};

static uint32_t endpoint_hash(const mcc_id *id) {
  uint32_t h;
  memcpy(&h, id->key, sizeof h);
  return h;
}

static uint32_t tunnel_hash_at(const void *items, uint32_t slot) {
  return endpoint_hash(&((const mcc_tunnel *)items)[slot].peer_endpoint);
}

const mcc_tunnel *tunnel_find(const mcc_node *node, const mcc_id *peer) {
  const struct tunnel_table *tt = node->tunnels;
  if (!tt) return NULL;
  for (uint32_t s = index_first(&tt->index, endpoint_hash(peer));
       s != INDEX_NIL; s = index_next(&tt->index, s))
    if (memcmp(tt->items[s].peer_endpoint.key, peer->key, 32) == 0)
      return &tt->items[s];
  return NULL;
}

static int target_allows(const mcc_tunnel *t, uint8_t proto, uint16_t port) {
  for (size_t k = 0; k < t->ntargets; k++)
    if (t->targets[k].proto == proto && port >= t->targets[k].port_lo &&
        port <= t->targets[k].port_hi)
      return 1;
  return 0;
}

/* Within the certificate's validity: a tunnel whose certificate expired
 * carries nothing, as if it were gone. */
static int tunnel_valid(const mcc_node *node, const mcc_tunnel *t) {
  uint64_t unix_s = node_unix_s(node);
  return unix_s >= t->cert.not_before && unix_s <= t->cert.not_after;
}

/* Judges a user packet between us and peer, sent (outgoing = 1) or
 * received. The ports that count: the server's, which is the destination
 * of what the client sends and the source of what the server sends. */
int tunnel_filter(mcc_node *node, const mcc_id *peer, const uint8_t *ip,
                  size_t iplen, int outgoing) {
  const mcc_tunnel *t = tunnel_find(node, peer);
  if (!t) {
    if (!node->tunnels_only) return 0;
    node->stats.denied_no_tunnel++;
    return MCC_ERR_UNTRUSTED;
  }
  uint8_t proto;
  uint16_t sport, dport;
  int to_server = (t->role == MCC_TUNNEL_CLIENT) == (outgoing != 0);
  if (tunnel_valid(node, t) &&
      packet_ports(ip, iplen, &proto, &sport, &dport) == 0 &&
      target_allows(t, proto, to_server ? dport : sport))
    return 0;
  node->stats.denied_target++;
  return MCC_ERR_UNTRUSTED;
}

/* The keys and certificate a session with peer uses on our side, and the
 * node its datagrams are routed to. */
void tunnel_session_side(const mcc_node *node, const mcc_id *peer,
                         const mcc_keypair **keys, const mcc_cert **cert,
                         const mcc_id **route_to) {
  const mcc_tunnel *t = tunnel_find(node, peer);
  *keys = t ? &t->endpoint : &node->keys;
  *cert = t ? &t->cert : &node->cert;
  *route_to = t ? &t->remote_node : peer;
}

const mcc_id *tunnel_deliver_to(const mcc_node *node, const mcc_id *peer) {
  const mcc_tunnel *t = tunnel_find(node, peer);
  return t && t->role == MCC_TUNNEL_SERVER && t->external_ip
             ? &t->endpoint.pub
             : &node->keys.pub;
}

static struct tunnel_table *table(mcc_node *node) {
  if (!node->tunnels) {
    node->tunnels = calloc(1, sizeof *node->tunnels);
    if (node->tunnels) index_init(&node->tunnels->index);
  }
  return node->tunnels;
}

int mcc_node_tunnel_add(mcc_node *node, const mcc_tunnel *t, uint64_t now) {
  if (!node || !t) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  if ((t->role != MCC_TUNNEL_CLIENT && t->role != MCC_TUNNEL_SERVER) ||
      t->cert.kind != MCC_CERT_TUNNEL ||
      memcmp(t->cert.subject.key, t->endpoint.pub.key, 32) != 0 ||
      t->ntargets == 0 || t->ntargets > MCC_TUNNEL_MAX_TARGETS ||
      memcmp(t->peer_endpoint.key, node->keys.pub.key, 32) == 0 ||
      memcmp(t->peer_endpoint.key, t->endpoint.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT;
  uint32_t x = t->external_ip;
  if (x && (t->role != MCC_TUNNEL_SERVER ||
            !((x >> 24) == 10 || (x >> 20) == 0xac1 || (x >> 16) == 0xc0a8)))
    return MCC_ERR_INVALID_ARGUMENT; /* RFC 1918, on the server only */
  for (size_t k = 0; k < t->ntargets; k++)
    if ((t->targets[k].proto != MCC_PROTO_TCP &&
         t->targets[k].proto != MCC_PROTO_UDP) ||
        t->targets[k].port_lo == 0 ||
        t->targets[k].port_lo > t->targets[k].port_hi)
      return MCC_ERR_INVALID_ARGUMENT;
  const mcc_tunnel *old = tunnel_find(node, &t->peer_endpoint);
  if (old) { /* replaced: its session goes with the old keys */
    session_forget(node, &t->peer_endpoint);
    sodium_memzero((mcc_tunnel *)old, sizeof *old);
    *(mcc_tunnel *)old = *t;
    return 0;
  }
  struct tunnel_table *tt = table(node);
  if (!tt) return MCC_ERR_NOMEM;
  if (tt->n == tt->cap) {
    uint32_t cap = tt->cap ? tt->cap * 2 : 2;
    mcc_tunnel *items = realloc(tt->items, (size_t)cap * sizeof *items);
    if (!items) return MCC_ERR_NOMEM;
    tt->items = items;
    tt->cap = cap;
  }
  if (index_reserve(&tt->index, tt->cap, tt->n, tunnel_hash_at, tt->items) !=
      0)
    return MCC_ERR_NOMEM;
  uint32_t slot = tt->n++;
  tt->items[slot] = *t;
  index_insert(&tt->index, slot, endpoint_hash(&t->peer_endpoint));
  return 0;
}

int mcc_node_tunnel_remove(mcc_node *node, const mcc_id *peer_endpoint,
                           uint64_t now) {
  if (!node || !peer_endpoint) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  const mcc_tunnel *t = tunnel_find(node, peer_endpoint);
  if (!t) return MCC_ERR_NO_ROUTE;
  session_forget(node, peer_endpoint);
  struct tunnel_table *tt = node->tunnels;
  uint32_t slot = (uint32_t)(t - tt->items), last = tt->n - 1;
  index_remove(&tt->index, slot, endpoint_hash(peer_endpoint));
  if (slot != last) {
    index_move(&tt->index, last, slot,
               endpoint_hash(&tt->items[last].peer_endpoint));
    tt->items[slot] = tt->items[last];
  }
  sodium_memzero(&tt->items[last], sizeof tt->items[last]);
  tt->n--;
  return 0;
}

size_t mcc_node_tunnel_count(const mcc_node *node) {
  return node && node->tunnels ? node->tunnels->n : 0;
}

int mcc_node_tunnel_get(const mcc_node *node, size_t i,
                        mcc_tunnel_info *info) {
  if (!node || !info || i >= mcc_node_tunnel_count(node))
    return MCC_ERR_INVALID_ARGUMENT;
  const mcc_tunnel *t = &node->tunnels->items[i];
  memset(info, 0, sizeof *info);
  info->role = t->role;
  info->endpoint = t->endpoint.pub;
  info->peer_endpoint = t->peer_endpoint;
  info->remote_node = t->remote_node;
  memcpy(info->targets, t->targets, t->ntargets * sizeof t->targets[0]);
  info->ntargets = t->ntargets;
  info->external_ip = t->external_ip;
  info->in_force = tunnel_valid(node, t);
  return 0;
}

void tunnel_free_all(mcc_node *node) {
  struct tunnel_table *tt = node->tunnels;
  if (!tt) return;
  if (tt->items) sodium_memzero(tt->items, tt->cap * sizeof *tt->items);
  free(tt->items);
  index_clear(&tt->index);
  free(tt);
  node->tunnels = NULL;
}

size_t tunnel_memory(const mcc_node *node) {
  const struct tunnel_table *tt = node->tunnels;
  return tt ? sizeof *tt + (size_t)tt->cap * sizeof(mcc_tunnel) +
                  index_memory(&tt->index)
            : 0;
}
