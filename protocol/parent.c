/*
 * parent.c — the child's side of neighbour links: choosing, joining and
 * keeping a parent. The child opens every link (so it works behind NAT).
 *
 * Two links at most: `up`, the active parent, and `join`, a parent being
 * tried. A joined parent is first a candidate (LINKED): it becomes active
 * only when the root position it sends is one we may adopt (rooting.c);
 * until then our records keep flowing to the current parent, if any.
 *
 * Timers of a child towards its parents:
 *   join      HELLO (or, for a candidate, the SEQ_REQUEST or a keep-alive
 *             that asks for its position again) unanswered for
 *             keep-alive/6: send again; after KEEPALIVE_MAX_MISSES, the
 *             candidate failed: try the next one (a rejoin stays). After a
 *             round of the list: wait (backoff, JOIN_BACKOFF_MAX_SHIFT).
 *   keepalive every keep-alive period; unanswered for a sixth of it: send
 *             again; KEEPALIVE_MAX_MISSES in a row: the parent is dead.
 *   search    while we have no root (after UNROOTED_GRACE_RETRIES retry
 *             periods), or only an island's: look for a better parent.
 *   rejoin    every rejoin-period while the active parent is not the first:
 *             try the first one again.
 */
#include <sodium.h>
#include <stdlib.h>

#include "cert.h"
#include "node.h"

/* How long a child uses a parent's cookie (the parent honours it for one
 * to two of its cookie periods, guard.c). */
#define COOKIE_VALID_NS (110ull * NS_PER_S)

static uint64_t retry_ns(const mcc_node *node) {
  return node->keep_alive_ns / KEEPALIVE_RETRY_DIVISOR;
}

static void send_hello(mcc_node *node, uint64_t now) {
  wire_hello hello;
  uint64_t period_s = node->keep_alive_ns / NS_PER_S;
  hello.keepalive_period_s =
      (uint16_t)(period_s == 0 ? 1 : period_s > 65535 ? 65535 : period_s);
  hello.timestamp_ms = (uint64_t)node->unix_at_zero_s * 1000 + now / 1000000;
  memcpy(hello.eph, node->js->eph_pub, 32);
  hello.cert = node->cert;
  uint8_t out[WIRE_HELLO_COOKIE_LEN];
  wire_signer signer = node_signer(node);
  wire_hello_encode(out, &hello, &signer);
  memcpy(node->js->echo, out + WIRE_HELLO_LEN - WIRE_SIG_LEN,
         sizeof node->js->echo);
  const join_secrets *js = node->js;
  size_t len = WIRE_HELLO_LEN;
  if (js->cookie_ns != NEVER && now - js->cookie_ns < COOKIE_VALID_NS &&
      memcmp(&js->cookie_addr, &node->join.addr, sizeof js->cookie_addr) == 0)
    len = wire_hello_add_cookie_mac(out, js->cookie);
  node_send(node, &node->join.addr, out, len);
  node->stats.hello_sent++;
}

/* A parent under load asks for our HELLO again with its cookie: only if
 * it echoes our HELLO (its signature's first bytes: only who saw the HELLO
 * knows them), to the parent we are joining. */
int link_on_cookie_reply(mcc_node *node, const mcc_addr *from,
                         const uint8_t *data, size_t datalen, uint64_t now) {
  uint8_t echo[WIRE_COOKIE_ECHO_LEN], cookie[WIRE_COOKIE_LEN];
  int rv = wire_cookie_reply_decode(data, datalen, echo, cookie);
  if (rv != 0) return rv;
  parent_link *j = &node->join;
  join_secrets *js = node->js;
  if (j->state != PARENT_JOINING || !js ||
      memcmp(from, &j->addr, sizeof *from) != 0)
    return MCC_ERR_NO_LINK;
  if (sodium_memcmp(echo, js->echo, sizeof echo) != 0) return MCC_ERR_REPLAY;
  if (js->cookie_ns != NEVER && memcmp(cookie, js->cookie, sizeof cookie) == 0 &&
      memcmp(&js->cookie_addr, from, sizeof *from) == 0)
    return 0; /* the one we hold: our HELLO with it is on its way */
  memcpy(js->cookie, cookie, sizeof cookie);
  js->cookie_addr = *from;
  js->cookie_ns = now;
  send_hello(node, now);
  return 0;
}

/* The join link is over (adopted, failed, re-keyed or dropped): its
 * secrets go. */
static void join_clear(mcc_node *node) {
  sodium_memzero(&node->join, sizeof node->join);
  if (!node->js) return;
  sodium_memzero(node->js, sizeof *node->js);
  free(node->js);
  node->js = NULL;
}

void link_start_join(mcc_node *node, uint8_t index, enum join_mode mode,
                     uint64_t now) {
  parent_link *j = &node->join;
  if (!node->js) {
    node->js = calloc(1, sizeof *node->js);
    if (!node->js) { /* tried again at the next round */
      memset(j, 0, sizeof *j);
      if (node->join_at_ns == NEVER) node->join_at_ns = now + retry_ns(node);
      return;
    }
    node->js->cookie_ns = NEVER;
  }
  memset(j, 0, sizeof *j);
  j->state = PARENT_JOINING;
  j->index = index;
  j->mode = (uint8_t)mode;
  j->addr = node->parents[index];
  link_new_ephemeral(node, node->js->eph_sec, node->js->eph_pub);
  j->next_ns = now + retry_ns(node);
  send_hello(node, now);
}

void link_send_sealed(mcc_node *node, parent_link *p, enum wire_type type,
                      const uint8_t *body, size_t bodylen,
                      uint32_t *pcounter) {
  link_seal_and_send(node, &p->addr, p->key_tx, &p->tx_counter, type, body,
                     bodylen, pcounter);
}

void link_send_sealed_to_parent(mcc_node *node, enum wire_type type,
                                const uint8_t *body, size_t bodylen,
                                uint32_t *pcounter) {
  link_send_sealed(node, &node->up, type, body, bodylen, pcounter);
}

/* Is the node with this id below us (we hold its record from a child)? */
static int is_descendant(mcc_node *node, const mcc_id *id) {
  const record *r = state_find(node, id, NULL);
  return r && r->via != VIA_SELF && !(r->flags & REC_WITHDRAWN);
}

/* The first parent index from `from` on worth trying: not the active one,
 * not one known to be below us. nparents when none is left this round. */
static uint8_t next_candidate(mcc_node *node, unsigned from) {
  static const mcc_id zero;
  for (unsigned i = from; i < node->nparents; i++) {
    if (node->up.state == PARENT_UP && node->up.index == i) continue;
    const mcc_id *id = &node->parent_ids[i];
    if (memcmp(id, &zero, sizeof zero) != 0 && is_descendant(node, id))
      continue;
    return (uint8_t)i;
  }
  return node->nparents;
}

/* Without a parent, with one that has no root, or under an island top:
 * until a configured root's tree is found, in rounds 1, 2, 4, then 8
 * keep-alive periods apart. A rootless network so pays for a probe every
 * 8 periods per node with a parent outside its own subtree: the price of
 * finding a root that comes back, wherever it comes back. */
static int search_needed(const mcc_node *node) {
  if (node->nparents == 0) return 0;
  if (node->up.state != PARENT_UP) return 1;
  return !rooting_is_rooted(&node->adv) || node->adv.island;
}

/* Between rounds of the parent list: 1, 2, 4, then 8 keep-alive periods
 * as rounds keep failing. */
static uint64_t backoff_ns(const mcc_node *node) {
  unsigned shift = node->join_rounds_failed < JOIN_BACKOFF_MAX_SHIFT
                       ? node->join_rounds_failed
                       : JOIN_BACKOFF_MAX_SHIFT;
  return node->keep_alive_ns << shift;
}

/* A round of the parent list found nothing: a node without a parent tops
 * an island, and the next round waits. */
static void round_failed(mcc_node *node, uint64_t now) {
  if (node->up.state != PARENT_UP) rooting_become_island_top(node, now);
  node->join_at_ns = now + backoff_ns(node);
  if (node->join_rounds_failed < UINT8_MAX) node->join_rounds_failed++;
}

/* Starts the search at parent index `from`, or ends the round. */
static void search_from(mcc_node *node, unsigned from, uint64_t now) {
  uint8_t next = next_candidate(node, from);
  if (next < node->nparents)
    link_start_join(node, next, JOIN_SEARCH, now);
  else
    round_failed(node, now);
}

/* After a rejoin probe: a node that needs a parent and has no search
 * planned gets one, at the current backoff. */
static void keep_searching(mcc_node *node, uint64_t now) {
  if (search_needed(node) && node->join.state == PARENT_NONE &&
      node->join_at_ns == NEVER)
    node->join_at_ns = now + backoff_ns(node);
}

static void send_bye(mcc_node *node, parent_link *p) {
  link_send_sealed(node, p, WIRE_BYE, NULL, 0, NULL);
}

static void send_keepalive(mcc_node *node, parent_link *p) {
  link_send_sealed(node, p, WIRE_KEEPALIVE, NULL, 0, NULL);
  node->stats.keepalive_sent++;
}

/* The candidate will not do: leave it, and try the next one. */
static void candidate_failed(mcc_node *node, uint64_t now) {
  parent_link *j = &node->join;
  if (j->state == PARENT_LINKED) send_bye(node, j);
  uint8_t failed = j->index, mode = j->mode;
  join_clear(node);
  if (mode == JOIN_REJOIN) { /* the current parent stays */
    keep_searching(node, now);
    return;
  }
  if (!search_needed(node)) return;
  search_from(node, (unsigned)failed + 1, now);
}

/* The candidate becomes the active parent. */
static void adopt(mcc_node *node, uint64_t now) {
  parent_link *j = &node->join;
  if (node->up.state == PARENT_UP) send_bye(node, &node->up);
  j->state = PARENT_UP;
  j->misses = 0;
  j->awaiting = 0;
  j->asked = 0;
  j->next_ns = now + node->keep_alive_ns;
  node->up = *j;
  join_clear(node);
  node->join_rounds_failed = 0;
  node->join_at_ns = NEVER;
  node->stats.parent_switches++;
  node->rejoin_at_ns = node->up.index != 0 ? now + node->rejoin_ns : NEVER;
  node->routes_dirty = 1;
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&node->up.peer, text);
  node_log(node, MCC_LOG_INFO, "parent %u is up: %s", node->up.index, text);
  rooting_on_parent(node, &node->cand, now);
  state_on_parent_changed(node, now);
}

void link_on_candidate_info(mcc_node *node, uint64_t now) {
  parent_link *j = &node->join;
  switch (rooting_judge(node, &node->cand)) {
  case ROOT_ADOPT:
    adopt(node, now);
    break;
  case ROOT_ASK_SEQ:
    if (!j->asked) rooting_ask_seq(node, j);
    break;
  case ROOT_WAIT: /* its next ROOT, before the join timer gives up */
    break;
  case ROOT_REFUSE:
    candidate_failed(node, now);
    break;
  }
}

void link_on_position_changed(mcc_node *node, uint64_t now) {
  if (node->up.state == PARENT_UP) node->join_rounds_failed = 0;
  if (!search_needed(node)) return; /* a probe under way: join_at waits */
  uint64_t at = now;
  if (node->up.state == PARENT_UP) {
    /* An active parent without a root may find one again soon; an island
     * is waited out like a failed round. */
    at = rooting_is_rooted(&node->adv)
             ? now + node->keep_alive_ns
             : node->unrooted_since_ns +
                   UNROOTED_GRACE_RETRIES * retry_ns(node);
  }
  if (at < node->join_at_ns) node->join_at_ns = at;
}

int link_on_hello_ack(mcc_node *node, const mcc_addr *from,
                      const uint8_t *data, size_t datalen, uint64_t now) {
  parent_link *j = &node->join;
  if (j->state != PARENT_JOINING || memcmp(from, &j->addr, sizeof *from) != 0)
    return MCC_ERR_NO_LINK;
  wire_hello_ack ack;
  if (!node->js) return MCC_ERR_NO_LINK;
  int rv = wire_hello_ack_decode(&ack, data, datalen, node->js->eph_pub,
                                 node->cache,
                                 VERIFY_LOOKUP);
  if (rv != 0) return rv;
  rv = node_check_cert(node, &ack.cert);
  if (rv != 0) return rv;
  if (sodium_memcmp(ack.cert.subject.key, node->keys.pub.key, 32) == 0)
    return MCC_ERR_INVALID_ARGUMENT; /* our own address in parents */
  rv = link_derive_keys(node->js->eph_sec, ack.eph, node->js->eph_pub,
                        ack.eph, j->key_tx, j->key_rx);
  if (rv != 0) return rv;
  sodium_memzero(node->js->eph_sec, sizeof node->js->eph_sec);
  j->peer = ack.cert.subject;
  node->parent_ids[j->index] = ack.cert.subject;
  replay_init(&j->rx);
  j->misses = 0;

  int rekey = node->up.state == PARENT_UP &&
              sodium_memcmp(node->up.peer.key, ack.cert.subject.key, 32) == 0;
  if (rekey) { /* same parent, fresh keys: only what was in flight changes */
    parent_link *p = &node->up;
    memcpy(p->key_tx, j->key_tx, 32);
    memcpy(p->key_rx, j->key_rx, 32);
    p->rx = j->rx;
    p->tx_counter = 0;
    p->addr = j->addr;
    join_clear(node);
    /* The parent keeps the old keys until a message under the new ones
     * proves them (hello.c): a keep-alive, answered like any, and sent
     * again until it is. */
    send_keepalive(node, p);
    p->awaiting = 1;
    p->misses = 0;
    p->asked_ns = now;
    p->next_ns = now + retry_ns(node);
    state_on_rekey(node, now);
    return 0;
  }
  j->state = PARENT_LINKED;
  j->next_ns = now + retry_ns(node);
  if (is_descendant(node, &j->peer)) {
    candidate_failed(node, now);
    return 0;
  }
  /* Proof of our key at this address; the parent answers with its ROOT. */
  send_keepalive(node, j);
  return 0;
}

int link_set_parents(mcc_node *node, const mcc_addr *parents, size_t n,
                     uint64_t now) {
  if (n > MCC_MAX_PARENTS) return MCC_ERR_LIMIT;
  if (n == node->nparents &&
      (n == 0 || memcmp(parents, node->parents, n * sizeof *parents) == 0))
    return 0;
  mcc_addr *copy = NULL;
  mcc_id *ids = NULL;
  if (n) {
    copy = malloc(n * sizeof *copy);
    ids = calloc(n, sizeof *ids);
    if (!copy || !ids) {
      free(copy);
      free(ids);
      return MCC_ERR_NOMEM;
    }
    memcpy(copy, parents, n * sizeof *copy);
  }
  free(node->parents);
  free(node->parent_ids);
  node->parents = copy;
  node->parent_ids = ids;
  node->nparents = (uint8_t)n;
  if (node->join.state == PARENT_LINKED) send_bye(node, &node->join);
  join_clear(node); /* its index is stale */
  node->join_at_ns = NEVER;
  node->join_rounds_failed = 0;
  if (node->up.state == PARENT_UP) {
    for (size_t k = 0; k < n; k++) {
      if (memcmp(&copy[k], &node->up.addr, sizeof *copy) != 0) continue;
      node->up.index = (uint8_t)k; /* same parent, new rank */
      node->parent_ids[k] = node->up.peer;
      node->rejoin_at_ns = k ? now + node->rejoin_ns : NEVER;
      return 0;
    }
    send_bye(node, &node->up); /* no longer one of our parents */
    memset(&node->up, 0, sizeof node->up);
    node->rejoin_at_ns = NEVER;
    node->routes_dirty = 1;
    rooting_on_parent(node, NULL, now);
    state_on_parent_changed(node, now);
  }
  rooting_on_parents_changed(node, now);
  if (n) link_start_join(node, 0, JOIN_SEARCH, now);
  return 0;
}

void mcc_node_leave(mcc_node *node, uint64_t now) {
  if (!node) return;
  if (now > node->now_ns) node->now_ns = now;
  if (node->up.state == PARENT_UP) send_bye(node, &node->up);
  if (node->join.state == PARENT_LINKED) send_bye(node, &node->join);
  sodium_memzero(&node->up, sizeof node->up);
  join_clear(node);
  node->nparents = 0; /* nothing to join any more */
  node->join_at_ns = node->rejoin_at_ns = node->sweep_at_ns = NEVER;
  node->expiry_ns = NEVER;
}

static void parent_lost(mcc_node *node, uint64_t now) {
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&node->up.peer, text);
  node_log(node, MCC_LOG_WARN, "parent %u stopped answering: %s",
           node->up.index, text);
  unsigned next = (node->up.index + 1u) % node->nparents;
  memset(&node->up, 0, sizeof node->up);
  node->rejoin_at_ns = NEVER;
  node->routes_dirty = 1;
  if (node->join.state == PARENT_LINKED) send_bye(node, &node->join);
  join_clear(node);
  rooting_on_parent(node, NULL, now);
  state_on_parent_changed(node, now);
  /* From the next one round, as configured; a dead one is tried last. */
  uint8_t c = next_candidate(node, next);
  if (c == node->nparents) c = next_candidate(node, 0);
  if (c < node->nparents)
    link_start_join(node, c, JOIN_SEARCH, now);
  else
    round_failed(node, now);
}

int link_on_from_parent(mcc_node *node, const mcc_addr *from, int type,
                        const uint8_t *data, size_t datalen, uint64_t now) {
  parent_link *p;
  if (node->up.state == PARENT_UP &&
      memcmp(from, &node->up.addr, sizeof *from) == 0)
    p = &node->up;
  else if (node->join.state == PARENT_LINKED &&
           memcmp(from, &node->join.addr, sizeof *from) == 0)
    p = &node->join;
  else
    return MCC_ERR_NO_LINK;
  if (type != WIRE_KEEPALIVE_ACK && type != WIRE_UPDATE_ACK &&
      type != WIRE_ROOT && type != WIRE_LOOKUP_REPLY)
    return MCC_ERR_TYPE;
  if (type == WIRE_LOOKUP_REPLY && p != &node->up) return MCC_ERR_STATE;
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen = 0;
  uint32_t counter = 0;
  int rv = wire_open(data, datalen, p->key_rx, &counter, body, &bodylen);
  if (rv != 0) return rv;
  if (!replay_check(&p->rx, counter)) return MCC_ERR_REPLAY;
  if (type == WIRE_KEEPALIVE_ACK && bodylen != 0) return MCC_ERR_BAD_LENGTH;
  if (type == WIRE_UPDATE_ACK && bodylen != 4) return MCC_ERR_BAD_LENGTH;
  root_pos info;
  if (type == WIRE_ROOT && (rv = rooting_decode(&info, body, bodylen)) != 0)
    return rv;
  if (type == WIRE_LOOKUP_REPLY) {
    rv = lookup_on_reply(node, body, bodylen, now);
    if (rv == MCC_ERR_STALE || rv == MCC_ERR_BAD_SIGNATURE)
      replay_accept(&p->rx, counter); /* authentic link message, no use */
    if (rv == 0) replay_accept(&p->rx, counter);
    return rv == MCC_ERR_STALE ? 0 : rv;
  }
  replay_accept(&p->rx, counter);
  if (p == &node->up) p->misses = 0; /* a candidate's count its chances */
  if (type == WIRE_ROOT) {
    uint8_t ack[4];
    put_be32(ack, counter);
    link_send_sealed(node, p, WIRE_ROOT_ACK, ack, sizeof ack, NULL);
    if (p == &node->join) node->cand = info;
  }
  if (p == &node->join) {
    if (type == WIRE_ROOT) link_on_candidate_info(node, now);
    return 0;
  }
  if (p->awaiting) {
    p->awaiting = 0;
    p->next_ns = p->asked_ns + node->keep_alive_ns;
  }
  if (type == WIRE_UPDATE_ACK) state_on_update_ack(node, get_be32(body), now);
  if (type == WIRE_ROOT) rooting_on_parent(node, &info, now);
  return 0;
}

/* ---- timers ----------------------------------------------------------------- */

static void on_join_timer(mcc_node *node, uint64_t now) {
  parent_link *j = &node->join;
  if (++j->misses >= KEEPALIVE_MAX_MISSES) {
    candidate_failed(node, now);
    return;
  }
  j->next_ns = now + retry_ns(node);
  if (j->state == PARENT_JOINING)
    send_hello(node, now);
  else if (j->asked)
    rooting_ask_seq(node, j);
  else
    send_keepalive(node, j); /* answered with its ROOT if ours was lost */
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
  send_keepalive(node, p);
  p->next_ns = now + retry_ns(node);
}

void parent_free(mcc_node *node) { join_clear(node); }

void parent_on_timers(mcc_node *node, uint64_t now) {
  if (node->up.state == PARENT_UP && now >= node->up.next_ns)
    on_keepalive_timer(node, now);
  if ((node->join.state == PARENT_JOINING ||
       node->join.state == PARENT_LINKED) &&
      now >= node->join.next_ns)
    on_join_timer(node, now);
  if (now >= node->join_at_ns) {
    node->join_at_ns = NEVER;
    if (search_needed(node)) {
      if (node->join.state == PARENT_NONE)
        search_from(node, 0, now);
      else /* a rejoin probe is under way: after it */
        node->join_at_ns = now + retry_ns(node);
    }
  }
  if (now >= node->rejoin_at_ns) {
    node->rejoin_at_ns = now + node->rejoin_ns;
    if (node->up.state == PARENT_UP && node->up.index != 0 &&
        node->join.state == PARENT_NONE && next_candidate(node, 0) == 0)
      link_start_join(node, 0, JOIN_REJOIN, now);
  }
  if (node->up.state == PARENT_UP && node->join.state == PARENT_NONE &&
      node->up.tx_counter >= LINK_REKEY_AFTER_MESSAGES)
    link_start_join(node, node->up.index, JOIN_REJOIN, now);
}

uint64_t parent_next_deadline(const mcc_node *node) {
  uint64_t t = node->rejoin_at_ns;
  if (node->join_at_ns < t) t = node->join_at_ns;
  if (node->up.state == PARENT_UP && node->up.next_ns < t)
    t = node->up.next_ns;
  if ((node->join.state == PARENT_JOINING ||
       node->join.state == PARENT_LINKED) &&
      node->join.next_ns < t)
    t = node->join.next_ns;
  return t;
}
