/*
 * node.c — the node object: creation from settings, keys and a host
 * interface; the sans-IO entry points (recv, get_expiry, handle_expiry);
 * dispatch of datagrams to link.c and state.c; and the queries behind
 * `mcc nodes` and `mcc route`.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <mcc/resolve.h>

#include "cert.h"
#include "node.h"
#include "packet.h"

void mcc_settings_default(mcc_settings *s) {
  memset(s, 0, sizeof *s);
  s->keep_alive_period_ns = KEEPALIVE_PERIOD_NS;
  s->rejoin_period_ns = REJOIN_PERIOD_NS;
  s->network_lookup_ttl = 64;
  s->network_lookup_timeout_ns = 20 * NS_PER_S;
  s->hop_limit = MCC_HOP_LIMIT;
  s->handshakes_per_s = MCC_HANDSHAKES_PER_S;
}

uint64_t node_unix_s(const mcc_node *node) {
  int64_t t = node->unix_at_zero_s + (int64_t)(node->now_ns / NS_PER_S);
  return t < 0 ? 0 : (uint64_t)t;
}

void node_send(mcc_node *node, const mcc_addr *to, const uint8_t *data,
               size_t datalen) {
  node->stats.datagrams_sent++;
  node->stats.wire_payload_bytes_sent += datalen;
  node->cb.send(node->cb.user_data, to, data, datalen);
}

void node_log(mcc_node *node, enum mcc_log_level level, const char *fmt,
              ...) {
  if (!node->cb.log) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  node->cb.log(node->cb.user_data, level, msg);
}

int node_check_cert(mcc_node *node, const mcc_cert *cert) {
  int hit = 0;
  int rv = cert_verify_cached(cert, node_unix_s(node), node->cache, &hit);
  node->stats.cert_verifications++;
  if (hit) node->stats.cert_cache_hits++;
  if (rv != 0) return rv;
  return trust_allows(&node->trust, cert) ? 0 : MCC_ERR_UNTRUSTED;
}

static int check_settings(const mcc_settings *s, const mcc_callbacks *cb,
                          const mcc_keypair *keys, const mcc_cert *cert) {
  if (!s || !cb || !keys || !cert || !cb->send || !cb->random)
    return MCC_ERR_INVALID_ARGUMENT;
  if (s->keep_alive_period_ns < NS_PER_S || s->rejoin_period_ns < NS_PER_S)
    return MCC_ERR_INVALID_ARGUMENT;
  if (s->parents_len > MCC_MAX_PARENTS ||
      s->trusted_networks_len > MCC_MAX_TRUSTED ||
      s->trusted_nodes_len > MCC_MAX_TRUSTED)
    return MCC_ERR_LIMIT;
  if (s->network_lookup_ttl == 0 || s->network_lookup_ttl > 255 ||
      s->network_lookup_timeout_ns < NS_PER_S / 1000 ||
      s->network_lookup_timeout_ns > 3600 * NS_PER_S ||
      s->hop_limit == 0 || s->hop_limit > 255)
    return MCC_ERR_INVALID_ARGUMENT;
  if (cert->kind != MCC_CERT_NODE ||
      memcmp(cert->subject.key, keys->pub.key, MCC_KEY_LEN) != 0)
    return MCC_ERR_INVALID_ARGUMENT;
  return 0;
}

void node_after_event(mcc_node *node) {
  uint64_t t = link_next_deadline(node);
  uint64_t s = state_next_deadline(node);
  uint64_t e = session_next_deadline(node);
  uint64_t l = lookup_next_deadline(node);
  if (s < t) t = s;
  if (l < t) t = l;
  node->expiry_ns = e < t ? e : t;
}

int mcc_node_new(mcc_node **pnode, const mcc_settings *settings,
                 const mcc_callbacks *callbacks, const mcc_keypair *keys,
                 const mcc_cert *cert, const mcc_id *networks,
                 size_t networks_len, uint64_t now) {
  if (!pnode) return MCC_ERR_INVALID_ARGUMENT;
  int rv = check_settings(settings, callbacks, keys, cert);
  if (rv != 0) return rv;
  if ((networks_len && !networks) || networks_len > MCC_MAX_TRUSTED)
    return MCC_ERR_INVALID_ARGUMENT;
  if (sodium_init() < 0) return MCC_ERR_NOMEM;

  mcc_node *node = calloc(1, sizeof *node);
  if (!node) return MCC_ERR_NOMEM;
  node->cb = *callbacks;
  node->keys = *keys;
  node->cert = *cert;
  node->keep_alive_ns = settings->keep_alive_period_ns;
  node->rejoin_ns = settings->rejoin_period_ns;
  node->hop_limit = settings->hop_limit;
  node->unix_at_zero_s = settings->unix_time_at_zero_s;
  node->nparents = (uint8_t)settings->parents_len;
  node->cache = settings->verify_cache;
  node->store = settings->record_store;
  node->compression = settings->compression != 0;
  node->now_ns = now;
  node->sweep_at_ns = NEVER;
  node->rejoin_at_ns = NEVER;
  node->join_at_ns = NEVER;
  node->update_rto_ns = UPDATE_RTO_NS;
  node->routes_dirty = 1;
  index_init(&node->rec_index);
  index_init(&node->child_index);
  index_init(&node->child_id_index);
  index_init(&node->session_index);
  node->free_session = INDEX_NIL;
  node->session_sweep_at_ns = NEVER;
  node->handshake_at_ns = NEVER;
  node->handshakes_per_s = settings->handshakes_per_s;
  node->tunnels_only = settings->tunnels_only != 0;
  node->lookup_ttl = (uint8_t)settings->network_lookup_ttl;
  node->lookup_timeout_ns = settings->network_lookup_timeout_ns;

  rv = MCC_ERR_NOMEM;
  size_t nnet = networks_len + settings->trusted_networks_len;
  mcc_id *nets = nnet ? malloc(nnet * sizeof *nets) : NULL;
  mcc_id *nodes = settings->trusted_nodes_len
                      ? malloc(settings->trusted_nodes_len * sizeof *nodes)
                      : NULL;
  if ((nnet && !nets) || (settings->trusted_nodes_len && !nodes))
    goto fail_trust;
  if (settings->resolver) {
    node->resolver_settings = malloc(sizeof *node->resolver_settings);
    if (!node->resolver_settings) goto fail_trust;
    *node->resolver_settings = *settings->resolver;
  }
  if (node->nparents) {
    node->parents = malloc(node->nparents * sizeof *node->parents);
    if (!node->parents) goto fail_trust;
    memcpy(node->parents, settings->parents,
           node->nparents * sizeof *node->parents);
    node->parent_ids = calloc(node->nparents, sizeof *node->parent_ids);
    if (!node->parent_ids) goto fail_trust;
  }
  if (networks_len) memcpy(nets, networks, networks_len * sizeof *nets);
  if (settings->trusted_networks_len)
    memcpy(nets + networks_len, settings->trusted_networks,
           settings->trusted_networks_len * sizeof *nets);
  if (settings->trusted_nodes_len)
    memcpy(nodes, settings->trusted_nodes,
           settings->trusted_nodes_len * sizeof *nodes);
  node->trust = (mcc_trust){nets, nnet, nodes, settings->trusted_nodes_len};

  rv = state_init(node, settings->dns_names, settings->tags,
                  settings->static_addr, now);
  if (rv != 0) goto fail_state;
  rooting_init(node, now);
  if (node->nparents) link_start_join(node, 0, JOIN_SEARCH, now);
  node_after_event(node);
  *pnode = node;
  return 0;

fail_state:
  state_free(node);
fail_trust:
  free(node->resolver_settings);
  free(node->parents);
  free(node->parent_ids);
  free(nets);
  free(nodes);
  sodium_memzero(node, sizeof *node);
  free(node);
  return rv;
}

void mcc_node_free(mcc_node *node) {
  if (!node) return;
  session_free_all(node);
  tunnel_free_all(node);
  lookup_free(node);
  node_resolver_free(node);
  state_free(node);
  link_free(node);
  route_free(node);
  free((void *)node->trust.networks);
  free((void *)node->trust.nodes);
  free(node->parents);
  free(node->parent_ids);
  sodium_memzero(node, sizeof *node);
  free(node);
}

int mcc_node_recv(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now) {
  if (!node || !from || (!data && datalen)) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  node->stats.datagrams_received++;
  int rv = datalen > WIRE_MAX_ROUTED ? MCC_ERR_BAD_LENGTH
                                     : wire_datagram_type(data, datalen);
  if (rv > 0) {
    int type = rv;
    switch (type) {
    case WIRE_HELLO:
      rv = link_on_hello(node, from, data, datalen, now);
      break;
    case WIRE_HELLO_ACK:
      rv = link_on_hello_ack(node, from, data, datalen, now);
      break;
    case WIRE_KEEPALIVE:
    case WIRE_UPDATE:
    case WIRE_BYE:
    case WIRE_ROOT_ACK:
    case WIRE_SEQ_REQUEST:
    case WIRE_LOOKUP:
      rv = link_on_from_child(node, from, type, data, datalen, now);
      break;
    case WIRE_SESSION_INIT:
    case WIRE_SESSION_RESP:
    case WIRE_DATA:
      rv = forward_on_routed(node, from, type, data, datalen, now);
      break;
    case WIRE_COOKIE_REPLY:
      rv = link_on_cookie_reply(node, from, data, datalen, now);
      break;
    default:
      rv = link_on_from_parent(node, from, type, data, datalen, now);
      break;
    }
  }
  if (rv < 0) node->stats.rejected++;
  node_after_event(node);
  return rv < 0 ? rv : 0;
}

uint64_t mcc_node_get_expiry(const mcc_node *node) { return node->expiry_ns; }

int mcc_node_handle_expiry(mcc_node *node, uint64_t now) {
  if (!node) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  link_on_timers(node, now);
  state_on_timers(node, now);
  session_on_timers(node, now);
  lookup_on_timers(node, now);
  node_after_event(node);
  return 0;
}

int mcc_node_send_packet(mcc_node *node, const uint8_t *packet,
                         size_t packetlen, uint64_t now) {
  if (!node || (!packet && packetlen)) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  int family;
  const uint8_t *addr;
  mcc_id dst;
  int rv = packetlen > PACKET_MAX_INNER
               ? MCC_ERR_BAD_LENGTH
               : packet_destination(packet, packetlen, &family, &addr);
  if (rv == 0) {
    rv = node_addr_to_id(node, family, addr, &dst);
    /* An IPv4 address outside the resolver's network no node holds here:
     * perhaps a static-addr; ask the network, and the next packet goes. */
    if (rv == MCC_ERR_VALUE && family == 4 && addr[0] != 0 &&
        addr[0] != 127 && addr[0] < 224)
      lookup_static_addr(node, addr, now);
    if (rv != 0) rv = MCC_ERR_NO_ROUTE;
  }
  if (rv == 0 && memcmp(dst.key, node->keys.pub.key, 32) == 0)
    rv = MCC_ERR_INVALID_ARGUMENT;
  if (rv == 0) rv = tunnel_filter(node, &dst, packet, packetlen, 1);
  if (rv == 0) rv = session_send_packet(node, &dst, packet, packetlen, now);
  if (rv != 0) node->stats.packets_dropped++;
  node_after_event(node);
  return rv;
}

const mcc_id *mcc_node_id(const mcc_node *node) { return &node->keys.pub; }

const mcc_cert *mcc_node_cert(const mcc_node *node) { return &node->cert; }

int mcc_node_set_parents(mcc_node *node, const mcc_addr *parents, size_t n,
                         uint64_t now) {
  if (!node || (!parents && n)) return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  int rv = link_set_parents(node, parents, n, now);
  node_after_event(node);
  return rv;
}

int mcc_node_parent(const mcc_node *node, mcc_id *pid, mcc_addr *paddr) {
  if (node->up.state != PARENT_UP) return MCC_ERR_NO_LINK;
  if (pid) *pid = node->up.peer;
  if (paddr) *paddr = node->up.addr;
  return 0;
}

int mcc_node_rooting(const mcc_node *node, mcc_rooting *rooting) {
  if (!node || !rooting) return MCC_ERR_INVALID_ARGUMENT;
  memset(rooting, 0, sizeof *rooting);
  rooting->rooted = (uint8_t)rooting_is_rooted(&node->adv);
  if (!rooting->rooted) return 0;
  rooting->island = node->adv.island;
  rooting->depth = node->adv.depth;
  rooting->seq = node->adv.seq;
  rooting->root = node->adv.root;
  return 0;
}

/* The active parent is listed after the records when it has none here. */
static int parent_listed_extra(const mcc_node *node) {
  return node->up.state == PARENT_UP &&
         !state_find((mcc_node *)node, &node->up.peer, NULL);
}

size_t mcc_node_known_count(const mcc_node *node) {
  return node->nrecs + (size_t)parent_listed_extra(node);
}

int mcc_node_known_get(const mcc_node *node, size_t i, mcc_node_info *info) {
  if (!node || !info || i >= mcc_node_known_count(node))
    return MCC_ERR_INVALID_ARGUMENT;
  memset(info, 0, sizeof *info);
  if (i == node->nrecs) {
    info->id = node->up.peer;
    info->parent_unknown = 1;
    info->is_neighbour = 1;
    info->cert_kind = MCC_CERT_NODE;
    info->addr = node->up.addr;
    info->last_seen_ns = node->now_ns;
    return 0;
  }
  const record *r = &node->recs[i];
  if (r->flags & REC_WITHDRAWN) return MCC_ERR_STALE;
  const record_body *b = rec_body(node, r);
  info->id = b->id;
  info->parent = b->parent;
  info->has_parent = (r->flags & REC_HAS_PARENT) != 0;
  info->is_self = i == 0;
  info->cert_kind = b->kind;
  info->seq = b->seq;
  info->static_addr = b->static_addr;
  info->last_seen_ns = (uint64_t)r->last_change_s * NS_PER_S;
  if (node->up.state == PARENT_UP &&
      memcmp(b->id.key, node->up.peer.key, 32) == 0) {
    info->is_neighbour = 1;
    info->addr = node->up.addr;
  }
  child_link *c = link_child_by_id((mcc_node *)node, &b->id);
  if (c) {
    info->is_neighbour = 1;
    info->addr = c->addr;
    info->last_seen_ns = c->last_rx_ns;
  }
  return 0;
}

static void append_names(const uint8_t *extra, size_t extra_len,
                         uint8_t kind, char *out, size_t outlen) {
  size_t n = 0;
  if (outlen) out[0] = '\0';
  for (size_t i = 0; i + 2 <= extra_len; i += 2u + extra[i + 1]) {
    if (extra[i] != kind) continue;
    int w = snprintf(out + n, outlen > n ? outlen - n : 0, "%s%.*s",
                     n ? "," : "", extra[i + 1], (const char *)extra + i + 2);
    if (w > 0) n += (size_t)w;
  }
}

int mcc_node_known_names(const mcc_node *node, size_t i, char *dns_names,
                         size_t dns_names_len, char *tags, size_t tags_len) {
  if (!node || i >= mcc_node_known_count(node))
    return MCC_ERR_INVALID_ARGUMENT;
  /* the parent listed without a record, and tombstones, have no names */
  const uint8_t *extra = NULL;
  size_t extra_len = 0;
  if (i < node->nrecs && !(node->recs[i].flags & REC_WITHDRAWN)) {
    const record_body *b = rec_body(node, &node->recs[i]);
    extra = b->extra;
    extra_len = b->extra_len;
  }
  if (dns_names)
    append_names(extra, extra_len, WIRE_EXTRA_DNS_NAME, dns_names,
                 dns_names_len);
  if (tags) append_names(extra, extra_len, WIRE_EXTRA_TAG, tags, tags_len);
  return 0;
}

/* The address of neighbour id, whose live record here is r (NULL: none):
 * our active parent, or a child that made us its active parent. */
static int neighbour_addr(mcc_node *node, const mcc_id *id, const record *r,
                          mcc_addr *addr) {
  if (node->up.state == PARENT_UP &&
      memcmp(id->key, node->up.peer.key, 32) == 0) {
    *addr = node->up.addr;
    return 1;
  }
  if (!r) return 0;
  child_link *c = link_child_by_id(node, id);
  if (!c || !route_child_edge(node, r, c->id)) return 0; /* a candidate */
  *addr = c->addr;
  return 1;
}

/* The routing decision. r: dst's record if the caller found it already.
 * With route == NULL only *next is filled: the per-packet path, which
 * must not copy a path of ids. */
static int route_lookup(mcc_node *node, const mcc_id *dst, const record *r,
                        mcc_addr *next, mcc_route *route) {
  if (!r) r = state_find(node, dst, NULL);
  if (r && (r->flags & REC_WITHDRAWN)) r = NULL;
  uint32_t slot = r ? (uint32_t)(r - node->recs) : 0;
  if (neighbour_addr(node, dst, r, next)) {
    if (route) {
      route->next_hop = *dst;
      route->hops[0] = *dst;
      route->hops_len = 1;
    }
    return 0;
  }
  if (node->routes_dirty) {
    int rv = route_compute(node);
    if (rv != 0) return rv;
  }
  if (r && node->route_prev[slot] != NO_VERTEX) {
    size_t len = 0;
    uint32_t first = slot;
    for (uint32_t v = slot; v != 0; v = node->route_prev[v]) {
      len++;
      first = v;
    }
    const record *fr = first < node->nrecs ? &node->recs[first] : NULL;
    if (neighbour_addr(node, vertex_id(node, first), fr, next)) {
      if (route) {
        size_t k = len;
        for (uint32_t v = slot; v != 0; v = node->route_prev[v])
          if (--k < MCC_ROUTE_MAX_HOPS) route->hops[k] = *vertex_id(node, v);
        route->hops_len = len < MCC_ROUTE_MAX_HOPS ? len : MCC_ROUTE_MAX_HOPS;
        route->next_hop = route->hops[0];
      }
      return 0;
    }
  }
  if (node->up.state != PARENT_UP) return MCC_ERR_NO_ROUTE;
  *next = node->up.addr;
  if (route) {
    route->via_default = 1;
    route->next_hop = node->up.peer;
    route->hops[0] = node->up.peer;
    route->hops_len = 1;
  }
  return 0;
}

int mcc_node_route(mcc_node *node, const mcc_id *dst, mcc_route *route) {
  if (!node || !dst || !route) return MCC_ERR_INVALID_ARGUMENT;
  if (memcmp(dst->key, node->keys.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT;
  memset(route, 0, sizeof *route);
  int rv = route_lookup(node, dst, NULL, &route->next_addr, route);
  if (rv != 0) memset(route, 0, sizeof *route);
  return rv;
}

int mcc_node_route_from(mcc_node *node, const mcc_id *src, const mcc_id *dst,
                        mcc_route *route) {
  if (!node || !src || !dst || !route) return MCC_ERR_INVALID_ARGUMENT;
  if (memcmp(src->key, node->keys.pub.key, 32) == 0)
    return mcc_node_route(node, dst, route);
  int rv = route_between(node, src, dst, route);
  if (rv != 0) memset(route, 0, sizeof *route);
  return rv;
}

/* The record whose id starts with prefix (8 bytes), if we hold one. */
static const record *record_by_prefix(mcc_node *node, const uint8_t *prefix) {
  uint32_t h;
  memcpy(&h, prefix, sizeof h);
  for (uint32_t s = index_first(&node->rec_index, h); s != INDEX_NIL;
       s = index_next(&node->rec_index, s))
    if (memcmp(vertex_id(node, s)->key, prefix, WIRE_DST_PREFIX_LEN) == 0 &&
        !(node->recs[s].flags & REC_WITHDRAWN))
      return &node->recs[s];
  return NULL;
}

int node_next_hop(mcc_node *node, const uint8_t *dst, size_t dstlen,
                  mcc_addr *addr) {
  mcc_id id;
  if (dstlen == 32) {
    memcpy(id.key, dst, 32);
  } else if (node->up.state == PARENT_UP &&
             memcmp(node->up.peer.key, dst, dstlen) == 0) {
    *addr = node->up.addr;
    return 0;
  } else {
    const record *r = record_by_prefix(node, dst);
    if (!r) {
      if (node->up.state != PARENT_UP) return MCC_ERR_NO_ROUTE;
      *addr = node->up.addr;
      return 0;
    }
    return route_lookup(node, &rec_body(node, r)->id, r, addr, NULL);
  }
  return route_lookup(node, &id, NULL, addr, NULL);
}

void mcc_node_get_stats(const mcc_node *node, mcc_node_stats *stats) {
  *stats = node->stats;
}

size_t mcc_node_memory(const mcc_node *node) {
  return sizeof *node + state_memory(node) +
         (size_t)node->capchildren * sizeof(child_link) +
         index_memory(&node->child_index) +
         index_memory(&node->child_id_index) + session_memory(node) +
         (size_t)node->route_cap * sizeof(uint32_t) +
         (node->trust.networks_len + node->trust.nodes_len) * sizeof(mcc_id) +
         node->nparents * (sizeof(mcc_addr) + sizeof(mcc_id)) +
         node_resolver_memory(node) + claim_memory(node) +
         hello_memory(node) + guard_memory(node) + tunnel_memory(node) +
         lookup_memory(node);
}
