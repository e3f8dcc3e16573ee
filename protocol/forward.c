/*
 * forward.c — routed datagrams (SESSION_INIT, SESSION_RESP, DATA): deliver
 * the ones addressed to us, relay the others one hop towards their
 * destination. Relays read only the header: type, TTL and the destination
 * (the whole id in a handshake, its first 8 bytes in DATA); everything else
 * is sealed end to end. The TTL starts at the hop limit (settings.hop_limit,
 * MCC_HOP_LIMIT = 255, apart from network-lookup-ttl) and a packet
 * is dropped rather than forwarded with none left, so no packet travels
 * more hops than that, whatever the routing tables say.
 *
 * Routed datagrams are taken only from neighbours: the active parent and
 * child links, whose addresses proved a key (hello.c); from anywhere else
 * they are dropped before any work, ours included.
 *
 * A packet never goes back to the neighbour it came from: one that would
 * (the sender's tables and ours disagree for a moment, e.g. its
 * destination just moved) is dropped. So a packet that came down from our
 * active parent never climbs again: it climbs active parents, then
 * descends child links, and active parents form no cycle (rooting.c).
 */
#include "node.h"

static int from_neighbour(mcc_node *node, const mcc_addr *from) {
  if (node->up.state == PARENT_UP &&
      memcmp(from, &node->up.addr, sizeof *from) == 0)
    return 1;
  return link_child_by_addr(node, from) != NULL;
}

/* Sends towards dst. `from`: the neighbour it came from (NULL: ours), to
 * which it never goes back. (That one rule also keeps a packet that came
 * down from our active parent from climbing again.) */
static int send_on(mcc_node *node, const uint8_t *dst, size_t dstlen,
                   uint8_t *data, size_t datalen, const mcc_addr *from) {
  mcc_addr addr;
  int rv = node_next_hop(node, dst, dstlen, &addr);
  if (rv == 0 && from && memcmp(&addr, from, sizeof addr) == 0) {
    node->stats.dropped_turned_up++;
    rv = MCC_ERR_NO_ROUTE;
  }
  if (rv != 0) {
    node->stats.packets_dropped++;
    return rv;
  }
  node_send(node, &addr, data, datalen);
  return 0;
}

int forward_send(mcc_node *node, const uint8_t *dst, size_t dstlen,
                 uint8_t *data, size_t datalen) {
  return send_on(node, dst, dstlen, data, datalen, NULL);
}

int forward_on_routed(mcc_node *node, const mcc_addr *from, int type,
                      const uint8_t *data, size_t datalen, uint64_t now) {
  size_t dstlen = type == WIRE_DATA ? WIRE_DST_PREFIX_LEN : 32;
  size_t least = type == WIRE_DATA ? WIRE_DATA_OVERHEAD : 2 + 32 + 32;
  if (datalen < least) return MCC_ERR_TRUNCATED;
  /* Only from established links, ours included: an address that never
   * proved a key at it (hello.c) costs us nothing here. */
  if (!from_neighbour(node, from)) return MCC_ERR_NO_LINK;
  if (memcmp(data + 2, node->keys.pub.key, dstlen) == 0) {
    switch (type) {
    case WIRE_SESSION_INIT:
      return session_on_init(node, data, datalen, now);
    case WIRE_SESSION_RESP:
      return session_on_resp(node, data, datalen, now);
    default:
      return session_on_data(node, data, datalen, now);
    }
  }
  if (data[1] <= 1) {
    node->stats.packets_dropped++;
    return MCC_ERR_LIMIT;
  }
  uint8_t copy[WIRE_MAX_ROUTED];
  memcpy(copy, data, datalen);
  copy[1]--;
  int rv = send_on(node, data + 2, dstlen, copy, datalen, from);
  if (rv == 0) node->stats.packets_forwarded++;
  return rv;
}
