/*
 * node.h — the node's internal state, shared by the files that each own one
 * concern of it: link.c (neighbour links, handshakes, keep-alives, parent
 * choice), state.c (records and their propagation), route.c (Dijkstra),
 * node.c (the public API, dispatch, and the one place that computes the next
 * deadline).
 *
 * Timers are named events: recv and expiry code calls link_on_*() and
 * state_on_*(); node_after_event() recomputes the expiry.
 */
#ifndef MCC_NODE_H
#define MCC_NODE_H

#include <mcc/mcc.h>

#include "index.h"
#include "record_store.h"
#include "replay.h"
#include "wire.h"

#define NS_PER_S 1000000000ull
#define NEVER UINT64_MAX
#define VIA_SELF UINT32_MAX
#define VIA_NONE (UINT32_MAX - 1)
#define NO_VERTEX UINT32_MAX
/* Most records an UPDATE can carry: withdrawals are the smallest entry. */
#define INFLIGHT_MAX (WIRE_MAX_UPDATE_BODY / WIRE_WITHDRAW_LEN)

enum record_flag {
  REC_HAS_PARENT = 0x01,
  REC_DIRTY = 0x02,     /* the active parent has not acked this version */
  REC_INFLIGHT = 0x04,  /* this version is in an UPDATE in flight */
  REC_WITHDRAWN = 0x08, /* tombstone: kept until the withdrawal is acked */
  REC_UNSIGNED = 0x10,  /* our own record, signed when first sent */
};

/* A known node, as this node holds it: the signed content, shared with
 * every other holder, in node->store (record_store.c), and what is this
 * holder's own. 16 bytes: a node holds one per node of its subtree. */
typedef struct record {
  uint32_t body;          /* handle in node->store */
  uint32_t via;           /* child link id it came over, or VIA_SELF;
                             other links claiming it: node->claims */
  uint32_t last_change_s; /* node-relative seconds */
  uint8_t flags;
  uint8_t flight;         /* the UPDATE it is in, while REC_INFLIGHT */
} record;

/* A position towards a root (rooting.c): the root's id, the sequence
 * number it issued, and the hops to it; depth ROOT_DEPTH_NONE: no root. */
typedef struct root_pos {
  mcc_id root;
  uint32_t seq;
  uint8_t depth;
  uint8_t island; /* the root is an island top, not a configured root */
} root_pos;

/* A second or later child link claiming a record's version (claim.c). */
typedef struct record_claim {
  mcc_id id;
  uint32_t link;
} record_claim;

/* An UPDATE in flight to the active parent. */
typedef struct update_flight {
  uint32_t counter;    /* its sealed counter, which the ack carries */
  uint32_t n;          /* records it carries: slots[n] (INDEX_NIL: gone) */
  uint32_t *slots;
  uint64_t retx_at_ns; /* NEVER: this place in the window is free */
} update_flight;

/* One direction pair of end-to-end keys. */
typedef struct session_keys {
  uint8_t send[32], recv[32];
  uint32_t local_index, remote_index; /* 0 = none */
  uint32_t send_counter;
  uint8_t ours; /* we initiated the handshake that made them */
  replay_window rx;
  uint64_t born_ns;
} session_keys;

/* An end-to-end session with one peer. Its slot in node->sessions never
 * moves, and our indexes carry the slot in their low SESSION_SLOT_BITS, so
 * a DATA packet finds its keys without a hash. */
typedef struct session {
  mcc_id peer;
  uint8_t in_use;
  uint8_t initiator; /* we initiated cur */
  uint8_t attempts;  /* INITs sent for the handshake in progress */
  uint8_t npending;
  session_keys cur, prev;
  uint32_t hs_index; /* our index in the handshake in progress */
  uint64_t retry_at_ns, last_used_ns;
  uint64_t last_init_ts_ms; /* newest INIT accepted from the peer */
  /* Healing (PROTOCOL.md, "Sessions that heal"): the first DATA we sent
   * since the peer's last one arrived (0: answered), and when an arrived
   * DATA is due an answer if we send nothing first (NEVER: none due). */
  uint64_t unanswered_since_ns, reply_due_ns;
  uint64_t rtt_ns; /* of our last handshake: INIT sent to RESP in */
  struct noise_state *hs;   /* only while our handshake runs */
  uint8_t *pending[SESSION_MAX_PENDING];
  uint16_t pending_len[SESSION_MAX_PENDING];
} session;

#define SESSION_SLOT_BITS 20
#define SESSION_SLOT_MASK ((1u << SESSION_SLOT_BITS) - 1)

typedef struct child_link {
  mcc_id peer;
  mcc_addr addr;
  uint8_t key_tx[32], key_rx[32];
  uint32_t tx_counter; /* before rx, in what rx's alignment would leave */
  replay_window rx;
  uint32_t id; /* stable while the link lives, for record.via */
  uint32_t update_counter; /* of the newest UPDATE applied, if any */
  uint64_t last_rx_ns;
  uint64_t hello_ts_ms;
  uint64_t period_ns; /* the child's keep-alive period */
  uint32_t root_counter;   /* of the newest ROOT sent to it */
  uint8_t has_update;
  uint8_t root_acked;      /* it acknowledged root_counter */
} child_link;

/* A HELLO the parent answered, waiting for the child's first sealed message
 * under the new keys (key confirmation, hello.c): only that creates, moves
 * or re-keys a child link. Keyed by the address the HELLO came from. */
typedef struct pending_hello {
  mcc_addr addr;
  mcc_id peer;
  uint8_t child_eph[32], eph_pub[32]; /* the HELLO's and our ack's */
  uint8_t key_rx[32], key_tx[32];
  uint64_t ts_ms;      /* the HELLO's timestamp */
  uint64_t period_ns;  /* the child's keep-alive period */
  uint64_t expires_ns;
} pending_hello;

/* The parent's side of handshakes from unproven senders (hello.c, guard.c),
 * made when the first HELLO or SESSION_INIT arrives: a node nobody joins
 * or opens a session with never pays for it. */
#define GUARD_SOURCES 64
#define GUARD_SEEN_INITS 64
/* The sources in debt (GCRA: tat after now), by exact address: made when
 * the node is first under load. */
typedef struct guard_sources {
  mcc_addr addr[GUARD_SOURCES];
  uint64_t tat[GUARD_SOURCES];
} guard_sources;
/* The first 8 bytes of e of the last SESSION_INITs: made with the first. */
typedef struct guard_seen_inits {
  uint64_t e[GUARD_SEEN_INITS];
  uint32_t next;
} guard_seen_inits;
typedef struct handshake_state {
  pending_hello *pending; /* HELLOs waiting for key confirmation */
  uint32_t npending, cappending;
  slot_index pending_index; /* by address */
  uint64_t pending_sweep_at_ns;
  uint64_t budget_tat_ns; /* GCRA over settings.handshakes_per_s: HELLOs */
  uint64_t init_tat_ns;   /* the same for SESSION_INITs */
  uint64_t cookie_tat_ns; /* cookie replies: GUARD_COOKIES_PER_HANDSHAKE x */
  uint8_t cookie_secret[2][32]; /* current, previous */
  uint64_t cookie_born_ns;
  /* Made when first needed: a parent whose children join within its
   * budget never pays for them (2.3 KB, while every parent of a large
   * network handshakes at once). */
  guard_sources *sources;
  guard_seen_inits *seen;
} handshake_state;

/* The child's secrets of a join under way (parent.c): the ephemeral key of
 * its HELLO, and a cookie its parent gave under load. */
typedef struct join_secrets {
  uint8_t eph_sec[32], eph_pub[32];
  uint8_t echo[WIRE_COOKIE_ECHO_LEN]; /* of the last HELLO sent */
  uint8_t cookie[WIRE_COOKIE_LEN];
  mcc_addr cookie_addr;
  uint64_t cookie_ns; /* NEVER: none */
} join_secrets;

/* JOINING: HELLO sent. LINKED: keys agreed, waiting for a root position
 * we may adopt (a candidate). UP: the active parent. */
enum parent_state { PARENT_NONE, PARENT_JOINING, PARENT_LINKED, PARENT_UP };
/* Why a parent is being joined: looking for one (failover, no root), or
 * trying the first parent again while the current one serves. */
enum join_mode { JOIN_SEARCH, JOIN_REJOIN };

typedef struct parent_link {
  uint8_t state;  /* enum parent_state */
  uint8_t index;  /* into settings.parents */
  uint8_t misses; /* unanswered keep-alives or hellos in a row */
  uint8_t awaiting;
  uint8_t mode;     /* enum join_mode, for the join link */
  uint8_t asked;    /* a SEQ_REQUEST went to this candidate */
  mcc_id peer;
  mcc_addr addr;
  uint8_t key_tx[32], key_rx[32];
  uint32_t tx_counter; /* before rx, in what rx's alignment would leave */
  replay_window rx;
  uint64_t next_ns;    /* next keep-alive or retry */
  uint64_t asked_ns;   /* first send of the unanswered keep-alive */
} parent_link;

struct mcc_node {
  mcc_callbacks cb;
  mcc_keypair keys;
  mcc_cert cert;
  uint32_t handshakes_per_s; /* settings.handshakes_per_s, 0: no limit */
  uint64_t keep_alive_ns, rejoin_ns;
  int64_t unix_at_zero_s;
  mcc_addr *parents; /* nparents of them, in order of preference */
  mcc_trust trust; /* arrays owned by the node */
  mcc_verify_cache *cache;
  /* Small settings and flags, together: no padding between them (a
   * simulator holds a million of these). */
  uint8_t nparents;
  uint8_t hop_limit;          /* TTL a routed datagram starts with */
  uint8_t compression;        /* settings.compression */
  uint8_t tunnels_only;       /* settings.tunnels_only */
  uint8_t lookup_ttl;         /* settings.network_lookup_ttl */
  uint8_t own_store;          /* the record store is this node's alone */
  uint8_t join_rounds_failed; /* rounds unanswered since the last join */
  uint8_t routes_dirty;

  record *recs; /* recs[0] is this node */
  uint32_t nrecs, caprecs, ndirty, dirty_cursor;
  slot_index rec_index;
  mcc_record_store *store; /* the record bodies (settings.record_store) */
  record_claim *claims; /* usually empty */
  uint32_t nclaims, capclaims;

  child_link *children;
  uint32_t nchildren, capchildren, next_link_id;
  uint32_t seq_forwarded; /* newest SEQ_REQUEST passed up (and when:
                             seq_forwarded_ns) */
  slot_index child_index;    /* by address */
  slot_index child_id_index; /* by peer id */
  uint64_t sweep_at_ns;
  uint64_t lookup_timeout_ns; /* settings.network_lookup_timeout_ns */
  struct lookup_state *lookup; /* lookup.c, made with the first question */
  struct tunnel_table *tunnels; /* tunnel.c, made with the first one */
  struct handshake_state *hs; /* made when the first handshake arrives */

  parent_link up;   /* the active parent */
  parent_link join; /* a parent being joined: first join, failover, rejoin */
  mcc_id *parent_ids; /* per parent, as last seen (zero: not yet) */
  uint64_t rejoin_at_ns;
  uint64_t join_at_ns;        /* next round of the parent list (backoff) */

  struct join_secrets *js; /* while a join runs (parent.c) */
  root_pos cand; /* the join link's root position, once it sent one */
  root_pos adv;  /* what we tell our children */
  root_pos fd;  /* feasibility distance: the best adv we ever had */
  uint64_t unrooted_since_ns;
  uint64_t seq_forwarded_ns;

  update_flight *flights;   /* UPDATE_WINDOW places while any is in use */
  uint32_t nflights;        /* places of the window in use */
  uint32_t ninflight_recs;  /* records with REC_INFLIGHT */
  uint64_t update_rto_ns;

  uint32_t *route_prev; /* per vertex, after route_compute */
  uint32_t route_cap;
  uint32_t parent_vertex;

  session *sessions;
  uint32_t nsessions, capsessions;
  slot_index session_index; /* by peer id */
  uint32_t free_session; /* free list via in_use */
  uint64_t session_sweep_at_ns, handshake_at_ns;
  struct mcc_resolver *resolver; /* created on first use */
  struct mcc_resolver_settings *resolver_settings; /* NULL: defaults */

  uint64_t now_ns, expiry_ns;
  mcc_node_stats stats;
};

/* node.c */
uint64_t node_unix_s(const mcc_node *node);
void node_send(mcc_node *node, const mcc_addr *to, const uint8_t *data,
               size_t datalen);
void node_log(mcc_node *node, enum mcc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int node_check_cert(mcc_node *node, const mcc_cert *cert);

/* link.c */
void link_start_join(mcc_node *node, uint8_t index, enum join_mode mode,
                     uint64_t now);
int link_set_parents(mcc_node *node, const mcc_addr *parents, size_t n,
                     uint64_t now);
int link_on_hello_ack(mcc_node *node, const mcc_addr *from,
                      const uint8_t *data, size_t datalen, uint64_t now);
int link_on_from_child(mcc_node *node, const mcc_addr *from, int type,
                       const uint8_t *data, size_t datalen, uint64_t now);
int link_on_from_parent(mcc_node *node, const mcc_addr *from, int type,
                        const uint8_t *data, size_t datalen, uint64_t now);
void link_on_timers(mcc_node *node, uint64_t now);
uint64_t link_next_deadline(const mcc_node *node);
child_link *link_child_by_id(mcc_node *node, const mcc_id *id);
child_link *link_child_by_addr(mcc_node *node, const mcc_addr *addr);
child_link *link_child_by_link_id(mcc_node *node, uint32_t link_id);
void link_send_sealed_to_parent(mcc_node *node, enum wire_type type,
                                const uint8_t *body, size_t bodylen,
                                uint32_t *pcounter);
void link_free(mcc_node *node);

/* hello.c: the parent's side of the link handshake */
int link_on_hello(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now);
/* A sealed message from `from` that no child link's keys open: if it
 * opens under a pending handshake's keys, the child proved its key at that
 * address and the link is committed (*pc). */
int hello_confirm(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now, child_link **pc);
void hello_on_timers(mcc_node *node, uint64_t now);
uint64_t hello_next_deadline(const mcc_node *node);
void hello_free(mcc_node *node);
size_t hello_memory(const mcc_node *node);

/* guard.c: what unauthenticated input may cost (cost before trust) */
handshake_state *guard_state(mcc_node *node, uint64_t now); /* NULL: NOMEM */
/* 1: within settings.handshakes_per_s (taken); 0: under load. HELLOs
 * and SESSION_INITs have a budget each, so a flood of one kind leaves the
 * other alone. */
enum guard_budget { GUARD_HELLOS, GUARD_INITS };
int guard_budget_take(mcc_node *node, enum guard_budget which, uint64_t now);
int guard_source_allow(mcc_node *node, const mcc_addr *from, uint64_t now);
int guard_cookie_reply(mcc_node *node, const mcc_addr *from,
                       const uint8_t *hello, uint64_t now);
int guard_cookie_ok(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                    size_t datalen, uint64_t now);
int guard_init_replayed(mcc_node *node, const uint8_t e[32], uint64_t now);
/* Nothing pending, every allowance whole: the state can go. */
int guard_quiet(const mcc_node *node, uint64_t now);
#define GUARD_RELEASE_NS (10ull * NS_PER_S)
void guard_free(mcc_node *node);
size_t guard_memory(const mcc_node *node);

/* link.c: keys, and the parent's side */
uint32_t link_addr_hash(const mcc_addr *a);
child_link *link_child_add(mcc_node *node, const mcc_addr *addr,
                           const mcc_id *peer);
void link_child_remove(mcc_node *node, child_link *c, uint64_t now);
/* The child link's address is now addr. */
void link_child_move(mcc_node *node, child_link *c, const mcc_addr *addr);
int link_on_cookie_reply(mcc_node *node, const mcc_addr *from,
                         const uint8_t *data, size_t datalen, uint64_t now);
int link_derive_keys(const uint8_t my_sec[32], const uint8_t peer_pub[32],
                     const uint8_t child_eph[32], const uint8_t parent_eph[32],
                     uint8_t c2p[32], uint8_t p2c[32]);
void link_new_ephemeral(mcc_node *node, uint8_t sec[32], uint8_t pub[32]);
/* Seals a message under key with the next counter and sends it. */
void link_seal_and_send(mcc_node *node, const mcc_addr *to,
                        const uint8_t key[32], uint32_t *tx_counter,
                        enum wire_type type, const uint8_t *body,
                        size_t bodylen, uint32_t *pcounter);

/* parent.c: the child's side, candidates and the search for a parent */
void parent_on_timers(mcc_node *node, uint64_t now);
void parent_free(mcc_node *node);
uint64_t parent_next_deadline(const mcc_node *node);
void link_on_candidate_info(mcc_node *node, uint64_t now);
/* Our own position changed: look for a parent if it calls for it. */
void link_on_position_changed(mcc_node *node, uint64_t now);
void link_send_sealed(mcc_node *node, parent_link *p, enum wire_type type,
                      const uint8_t *body, size_t bodylen, uint32_t *pcounter);
void link_send_to_child(mcc_node *node, child_link *c, enum wire_type type,
                        const uint8_t *body, size_t bodylen,
                        uint32_t *pcounter);

/* rooting.c */
enum root_verdict { ROOT_ADOPT, ROOT_ASK_SEQ, ROOT_WAIT, ROOT_REFUSE };
void rooting_init(mcc_node *node, uint64_t now);
int rooting_is_rooted(const root_pos *p);
/* a strictly better than b: newer seq, then fewer hops, then larger root */
int rooting_better(const root_pos *a, const root_pos *b);
void rooting_encode(uint8_t body[WIRE_ROOT_BODY_LEN], const root_pos *p);
int rooting_decode(root_pos *p, const uint8_t *body, size_t bodylen);
enum root_verdict rooting_judge(const mcc_node *node, const root_pos *cand);
void rooting_send_to_child(mcc_node *node, child_link *c);
/* The active parent told us its position, or changed to one with that
 * position, or went (pos NULL). */
void rooting_on_parent(mcc_node *node, const root_pos *pos, uint64_t now);
void rooting_on_parents_changed(mcc_node *node, uint64_t now);
void rooting_become_island_top(mcc_node *node, uint64_t now);
void rooting_ask_seq(mcc_node *node, parent_link *p);
int rooting_on_ack(mcc_node *node, child_link *c, const uint8_t *body,
                   size_t bodylen);
int rooting_on_seq_request(mcc_node *node, child_link *c, const uint8_t *body,
                           size_t bodylen, uint64_t now);

/* claim.c: which child links carry a record's version */
int claim_has(const mcc_node *node, const record *r, uint32_t link);
/* 1 when link's claim is new, 0 when it had one, or MCC_ERR_NOMEM */
int claim_add(mcc_node *node, record *r, uint32_t link);
/* 1 when no link claims r any more (link need not have claimed it) */
int claim_drop(mcc_node *node, record *r, uint32_t link);
/* a new version, over this link (or VIA_SELF) only */
void claim_reset(mcc_node *node, record *r, uint32_t link);
void claim_forget(mcc_node *node, const record *r);
void claim_free(mcc_node *node);
size_t claim_memory(const mcc_node *node);

/* state.c */
int state_init(mcc_node *node, const char *dns_names, const char *tags,
               uint32_t static_addr, uint64_t now);
void state_free(mcc_node *node);
record *state_find(mcc_node *node, const mcc_id *id, uint32_t *pslot);
/* The link to the same parent got fresh keys. */
void state_on_rekey(mcc_node *node, uint64_t now);
void state_on_parent_changed(mcc_node *node, uint64_t now);
void state_on_link_lost(mcc_node *node, uint32_t link_id, uint64_t now);
/* Validates the whole body first; applies nothing when it is malformed. */
int state_on_update(mcc_node *node, const child_link *from,
                    const uint8_t *body, size_t bodylen, uint64_t now);
void state_on_update_ack(mcc_node *node, uint32_t counter, uint64_t now);
void state_on_timers(mcc_node *node, uint64_t now);
void state_flush(mcc_node *node, uint64_t now);
uint64_t state_next_deadline(const mcc_node *node);
size_t state_memory(const mcc_node *node);

/* session.c */
int session_on_init(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now);
int session_on_resp(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now);
int session_on_data(mcc_node *node, const uint8_t *data, size_t datalen,
                    uint64_t now);
int session_send_packet(mcc_node *node, const mcc_id *dst,
                        const uint8_t *ip, size_t iplen, uint64_t now);
void session_on_timers(mcc_node *node, uint64_t now);
uint64_t session_next_deadline(const mcc_node *node);
void session_free_all(mcc_node *node);
/* The session with peer goes, keys and all (a tunnel removed). */
void session_forget(mcc_node *node, const mcc_id *peer);
size_t session_memory(const mcc_node *node);

/* tunnel.c */
struct mcc_tunnel;
const struct mcc_tunnel *tunnel_find(const mcc_node *node, const mcc_id *peer);
/* 0 when a user packet between us and peer may pass (outgoing: we send
 * it), else MCC_ERR_UNTRUSTED, counted by reason. */
int tunnel_filter(mcc_node *node, const mcc_id *peer, const uint8_t *ip,
                  size_t iplen, int outgoing);
/* Our keys and certificate for a session with peer (an endpoint's when
 * peer is a tunnel's peer endpoint, else the node's), and where its
 * datagrams are routed. */
void tunnel_session_side(const mcc_node *node, const mcc_id *peer,
                         const mcc_keypair **keys, const mcc_cert **cert,
                         const mcc_id **route_to);
/* Whose address a packet from peer is delivered to: the node's, or for
 * an external tunnel's server the server endpoint's (for the host's DNAT
 * to the LAN device). */
const mcc_id *tunnel_deliver_to(const mcc_node *node, const mcc_id *peer);
void tunnel_free_all(mcc_node *node);
size_t tunnel_memory(const mcc_node *node);

/* forward.c */
/* A routed datagram (INIT, RESP, DATA) from a neighbour: ours, or relayed
 * one hop on with its TTL decreased. */
int forward_on_routed(mcc_node *node, const mcc_addr *from, int type,
                      const uint8_t *data, size_t datalen, uint64_t now);
/* Sends a routed datagram we originate towards dst (or a prefix of it). */
int forward_send(mcc_node *node, const uint8_t *dst, size_t dstlen,
                 uint8_t *data, size_t datalen);

/* node_resolve.c: the resolver's view, for the data plane. addr_to_id
 * returns the resolver's codes: MCC_ERR_NO_ROUTE for an address of its
 * network no id holds, MCC_ERR_VALUE for one outside it that is no id's
 * static address. */
int node_addr_to_id(mcc_node *node, int family, const uint8_t *addr,
                    mcc_id *id);
int node_id_to_addrs(mcc_node *node, const mcc_id *id, uint8_t addr4[4],
                     uint8_t addr6[16]);
/* The neighbour to reach dst through, by id or by id prefix. */
int node_next_hop(mcc_node *node, const uint8_t *dst, size_t dstlen,
                  mcc_addr *addr);

/* node_resolve.c */
void node_resolver_on_record(mcc_node *node, const record *r, int gone);
/* id's static address in the resolver (0: none), conflicts reported. */
void node_resolver_static(mcc_node *node, const mcc_id *id, uint32_t addr);
/* lookup.c: the data plane met an IPv4 address outside the resolver's
 * network that no node holds here: ask who has it as its static-addr. */
void lookup_static_addr(mcc_node *node, const uint8_t addr[4], uint64_t now);
void node_resolver_free(mcc_node *node);
size_t node_resolver_memory(const mcc_node *node);

/* route.c */
int route_compute(mcc_node *node);
/* The known graph's shortest path from src to dst (hops after src). */
int route_between(mcc_node *node, const mcc_id *src, const mcc_id *dst,
                  mcc_route *route);
void route_free(mcc_node *node);
/* Is child link link_id, whose peer's record is r, an edge of the known
 * graph (a child that made us its active parent)? */
int route_child_edge(const mcc_node *node, const record *r, uint32_t link_id);

/* The signed content of a held record. */
static inline const record_body *rec_body(const mcc_node *node,
                                          const record *r) {
  return record_store_body(node->store, r->body);
}

/* A vertex of the routing graph: a record, or the active parent that has
 * no record here (route.c). */
static inline const mcc_id *vertex_id(const mcc_node *node, uint32_t v) {
  return v < node->nrecs ? &rec_body(node, &node->recs[v])->id
                         : &node->up.peer;
}

/* The node's keys, and whom to tell of what they sign. */
static inline wire_signer node_signer(const mcc_node *node) {
  wire_signer s = {&node->keys, node->cb.signed_message, node->cb.user_data};
  return s;
}

/* node.c: recomputes the next deadline after anything that may move one. */
void node_after_event(mcc_node *node);
/* lookup.c: network lookup */
int lookup_on_question(mcc_node *node, child_link *from, const uint8_t *body,
                       size_t bodylen, uint64_t now);
int lookup_on_reply(mcc_node *node, const uint8_t *body, size_t bodylen,
                    uint64_t now);
void lookup_on_timers(mcc_node *node, uint64_t now);
uint64_t lookup_next_deadline(const mcc_node *node);
void lookup_free(mcc_node *node);
size_t lookup_memory(const mcc_node *node);
/* state.c: a held record as it goes on the wire (our own signed first). */
void state_record_to_wire(mcc_node *node, record *r, wire_record *w);

#endif
