/*
 * rooting.c — where this node stands towards a root, and the rule that
 * keeps the graph of active parents free of cycles at every instant.
 *
 * Every node tells its children its position: the root it hangs from, the
 * sequence number that root issued, and its depth, or "no root". A parent
 * sends ROOT when its position changes and, until the child acknowledges
 * it, in answer to the child's keep-alives; the idle exchange stays
 * KEEPALIVE / KEEPALIVE_ACK.
 *
 * Feasibility (Babel's condition, with the root as the one destination):
 * a node adopts a NEW parent only if that parent's position is strictly
 * better than fd, the best position this node ever advertised, in the order
 * newer seq, then smaller depth, then larger root id. What the current
 * parent says is always taken. Invariant: for every active edge
 * child -> parent, fd(child) < fd(parent). It holds when an edge is made,
 * fds never decrease, and a node's adv is always its parent's plus one hop,
 * so it keeps holding; a cycle would need fd(x) < fd(x). When a candidate
 * is rooted but not feasible, the child asks (SEQ_REQUEST, up the
 * candidate's chain) the root for a newer seq, which the root floods down.
 *
 * A node with parents but no active one, after a whole round of its parent
 * list found no feasible candidate, becomes an island top: it advertises
 * itself as a root with the island flag and seq fd.seq + 1, so its subtree
 * stays connected in rootless phases. Island nodes keep looking for a
 * parent under a configured root (parent.c); island tops join other
 * islands too, so a rootless network ends up as one tree.
 */
#include <sodium.h>

#include "node.h"

int rooting_is_rooted(const root_pos *p) {
  return p->depth <= ROOT_DEPTH_MAX;
}

int rooting_better(const root_pos *a, const root_pos *b) {
  if (!rooting_is_rooted(a)) return 0;
  if (!rooting_is_rooted(b)) return 1;
  if (a->seq != b->seq) return a->seq > b->seq;
  if (a->depth != b->depth) return a->depth < b->depth;
  return memcmp(a->root.key, b->root.key, 32) > 0;
}

static int same_pos(const root_pos *a, const root_pos *b) {
  if (!rooting_is_rooted(a) || !rooting_is_rooted(b))
    return rooting_is_rooted(a) == rooting_is_rooted(b);
  return a->seq == b->seq && a->depth == b->depth &&
         a->island == b->island && memcmp(a->root.key, b->root.key, 32) == 0;
}

static root_pos unrooted(void) {
  root_pos p;
  memset(&p, 0, sizeof p);
  p.depth = ROOT_DEPTH_NONE;
  return p;
}

void rooting_encode(uint8_t body[WIRE_ROOT_BODY_LEN], const root_pos *p) {
  memcpy(body, p->root.key, 32);
  put_be32(body + 32, p->seq);
  body[36] = p->depth;
  body[37] = p->island ? WIRE_ROOT_FLAG_ISLAND : 0;
}

int rooting_decode(root_pos *p, const uint8_t *body, size_t bodylen) {
  if (bodylen != WIRE_ROOT_BODY_LEN) return MCC_ERR_BAD_LENGTH;
  if (body[37] & (uint8_t)~WIRE_ROOT_FLAG_ISLAND) return MCC_ERR_TYPE;
  memcpy(p->root.key, body, 32);
  p->seq = get_be32(body + 32);
  p->depth = body[36];
  p->island = (body[37] & WIRE_ROOT_FLAG_ISLAND) != 0;
  if (!rooting_is_rooted(p)) *p = unrooted();
  return 0;
}

void rooting_send_to_child(mcc_node *node, child_link *c) {
  uint8_t body[WIRE_ROOT_BODY_LEN];
  rooting_encode(body, &node->adv);
  link_send_to_child(node, c, WIRE_ROOT, body, sizeof body, &c->root_counter);
  c->root_acked = 0;
  node->stats.root_sent++;
}

/* Our position is p from now on: tell every child. */
static void set_adv(mcc_node *node, const root_pos *p, uint64_t now) {
  if (same_pos(&node->adv, p)) return;
  int was_rooted = rooting_is_rooted(&node->adv);
  node->adv = *p;
  if (rooting_better(p, &node->fd)) node->fd = *p;
  if (!rooting_is_rooted(p) && was_rooted) node->unrooted_since_ns = now;
  for (uint32_t s = 0; s < node->nchildren; s++)
    rooting_send_to_child(node, &node->children[s]);
  link_on_position_changed(node, now);
}

static root_pos own_root(const mcc_node *node, uint32_t seq, int island) {
  root_pos p;
  memset(&p, 0, sizeof p);
  p.root = node->keys.pub;
  p.seq = seq;
  p.depth = 0;
  p.island = (uint8_t)(island != 0);
  return p;
}

/* A configured root starts from the clock, so that a restarted root is
 * newer than what it issued before (unless it was asked past the clock). */
static uint32_t fresh_seq(const mcc_node *node) {
  uint64_t unix_s = node_unix_s(node);
  uint32_t seq = node->fd.seq + 1;
  if (unix_s > seq && unix_s <= UINT32_MAX) seq = (uint32_t)unix_s;
  return seq;
}

void rooting_init(mcc_node *node, uint64_t now) {
  node->fd = unrooted();
  node->adv = unrooted();
  node->unrooted_since_ns = now;
  if (node->nparents == 0) {
    root_pos p = own_root(node, fresh_seq(node), 0);
    node->adv = p;
    node->fd = p;
  }
}

void rooting_on_parents_changed(mcc_node *node, uint64_t now) {
  if (node->nparents == 0) {
    root_pos p = own_root(node, fresh_seq(node), 0);
    set_adv(node, &p, now);
  } else if (node->up.state != PARENT_UP) {
    root_pos p = unrooted();
    set_adv(node, &p, now);
  }
}

void rooting_on_parent(mcc_node *node, const root_pos *pos, uint64_t now) {
  if (node->nparents == 0) return; /* a configured root stays one */
  root_pos p = unrooted();
  if (pos && node->up.state == PARENT_UP && rooting_is_rooted(pos) &&
      pos->depth < ROOT_DEPTH_MAX) {
    p = *pos;
    p.depth++;
  }
  set_adv(node, &p, now);
}

void rooting_become_island_top(mcc_node *node, uint64_t now) {
  if (node->nparents == 0 || node->up.state == PARENT_UP) return;
  if (node->adv.island && node->adv.depth == 0) return; /* already */
  root_pos p = own_root(node, node->fd.seq + 1, 1);
  set_adv(node, &p, now);
  node->stats.island_formed++;
}

enum root_verdict rooting_judge(const mcc_node *node, const root_pos *cand) {
  if (!rooting_is_rooted(cand) || cand->depth >= ROOT_DEPTH_MAX)
    return ROOT_WAIT; /* it may find one in a moment (start-up, failover) */
  if (memcmp(cand->root.key, node->keys.pub.key, 32) == 0)
    return ROOT_REFUSE; /* our own island: the candidate is below us */
  const root_pos *me = &node->adv;
  if (cand->island && rooting_is_rooted(me) && !(me->island && me->depth == 0))
    return ROOT_REFUSE; /* only a node without a root, or an island top
                           (islands merge), has use for an island */
  if (rooting_is_rooted(me) && !me->island && me->depth == 0)
    return ROOT_REFUSE; /* a configured root has no parent */
  return rooting_better(cand, &node->fd) ? ROOT_ADOPT : ROOT_ASK_SEQ;
}

void rooting_ask_seq(mcc_node *node, parent_link *p) {
  uint8_t body[WIRE_SEQ_REQUEST_BODY_LEN];
  memcpy(body, node->cand.root.key, 32);
  put_be32(body + 32, node->fd.seq + 1);
  link_send_sealed(node, p, WIRE_SEQ_REQUEST, body, sizeof body, NULL);
  p->asked = 1;
  node->stats.seq_requests_sent++;
}

int rooting_on_ack(mcc_node *node, child_link *c, const uint8_t *body,
                   size_t bodylen) {
  if (bodylen != 4) return MCC_ERR_BAD_LENGTH;
  if (get_be32(body) == c->root_counter) c->root_acked = 1;
  return 0;
}

int rooting_on_seq_request(mcc_node *node, child_link *c, const uint8_t *body,
                           size_t bodylen, uint64_t now) {
  if (bodylen != WIRE_SEQ_REQUEST_BODY_LEN) return MCC_ERR_BAD_LENGTH;
  uint32_t wanted = get_be32(body + 32);
  root_pos *me = &node->adv;
  if (!rooting_is_rooted(me) || memcmp(me->root.key, body, 32) != 0 ||
      wanted <= me->seq) {
    rooting_send_to_child(node, c); /* what we have is all there is */
    return 0;
  }
  if (me->depth == 0) { /* ours to issue */
    root_pos p = *me;
    p.seq = wanted;
    set_adv(node, &p, now);
    node->stats.seq_bumps++;
    return 0;
  }
  if (node->up.state != PARENT_UP) return 0;
  uint64_t retry = node->keep_alive_ns / KEEPALIVE_RETRY_DIVISOR;
  if (wanted <= node->seq_forwarded && now < node->seq_forwarded_ns + retry)
    return 0; /* already on its way up */
  node->seq_forwarded = wanted;
  node->seq_forwarded_ns = now;
  link_send_sealed(node, &node->up, WIRE_SEQ_REQUEST, body, bodylen, NULL);
  return 0;
}
