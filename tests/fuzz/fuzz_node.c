/*
 * fuzz_node.c — the node's receive path (mcc_node_recv) on live links: a
 * chain of the unit tests' in-memory network, node 2 a child of node 1, a
 * child of node 0, run until the links are up, a keep-alive round happened
 * and one end-to-end session carried a packet. The first input byte picks
 * what the rest is, modulo MODES:
 *   0  a datagram to the parent (node 0) from the child's address (node 1)
 *   1  a datagram to the parent from a stranger's address (node 7)
 *   2  a datagram to the child (node 1) from the parent's address
 *   3  an UPDATE body, sealed with the link's real key and a fresh counter
 *      and sent from node 1 to node 0, so the record-entry parser and the
 *      record store (state.c) see bytes no AEAD tag would otherwise let by
 *   4  byte 1 picks KEEPALIVE_ACK or UPDATE_ACK; the rest is its body,
 *      sealed with the link's key, from node 0 to node 1
 *   5  an UPDATE body sealed from node 2 to node 1: node 1 has a parent,
 *      so what it accepts it relays (dirty records, tombstones, the UPDATE
 *      in flight) and node 0 checks the relayed records' signatures
 *   6  a LOOKUP body sealed from node 2 to node 1 (lookup.c), which answers
 *      it or asks node 0, keeping a pending question
 *   7  a LOOKUP_REPLY body sealed from node 0 to node 1: the answer parser,
 *      the record check and the pending questions it may complete
 * and (byte 0 / MODES) % 8 == 7 lets 60 s pass after the input instead of
 * 5 ms, so timers (retries, keep-alives, timeouts) fire on fuzzed state.
 * Node state carries over between inputs (as on a real node), so the
 * network is rebuilt every REBUILD_EVERY inputs to keep runs reproducible
 * enough. After every input each node must still list itself first.
 */

/* The Makefile's fuzz rule links no test code, so the in-memory network
 * is compiled into this one unit (and into the replay build alike). */
#include "../unit/harness.c"
#include "../unit/ippkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

#define FUZZ_SEED 0x6d6363u
#define NODES 3
/* -DREBUILD_EVERY=1 makes each input start from a fresh network: slower,
 * but a crash then reproduces from its input alone. */
#ifndef REBUILD_EVERY
#define REBUILD_EVERY 500
#endif
#define STRANGER 7
/* Time the nodes get after an input: replies cross (1 ms a hop) and are
 * answered; the long step lets timers fire. */
#define STEP_NS (5 * HARNESS_MS)
#define LONG_STEP_NS (60 * HARNESS_S)

enum mode {
  TO_PARENT,
  FROM_STRANGER,
  TO_CHILD,
  SEALED_UPDATE,
  SEALED_TO_CHILD,
  SEALED_RELAYED,
  SEALED_LOOKUP,
  SEALED_LOOKUP_REPLY,
  MODES
};

static harness *h;
static unsigned inputs;

/* The fixture; the seed corpus was captured from exactly this run. */
static void build(void) {
  harness_free(h);
  h = harness_new(NODES, FUZZ_SEED, NULL);
  if (!h) abort();
  for (size_t i = 1; i < NODES; i++) {
    size_t parent = i - 1;
    harness_set_parents(h, i, &parent, 1);
  }
  harness_start(h);
  harness_run_for(h, 31 * HARNESS_S); /* links up, one keep-alive round */

  uint8_t payload[64], ip[128], s4[4], s6[16], d4[4], d6[16];
  memset(payload, 0x6d, sizeof payload);
  harness_local_addr(h, 1, 1, s4, s6);
  harness_local_addr(h, 1, 0, d4, d6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, s4, d4, 1, 64, payload, sizeof payload);
  harness_send_packet(h, 1, ip, len); /* a session, for DATA inputs */
  harness_run_for(h, 4 * HARNESS_S);
  if (mcc_node_parent(harness_node(h, 1), NULL, NULL) != 0 ||
      mcc_node_parent(harness_node(h, 2), NULL, NULL) != 0 ||
      mcc_node_known_count(harness_node(h, 0)) != NODES ||
      harness_delivered(h, 0) != 1)
    abort(); /* the fixture itself is broken, not the input */
  inputs = 0;
}

/* A counter above every one the receiving window has seen. When the real
 * sender shares the key, it takes the counter too, so its own next
 * messages stay fresh and the link survives the input. */
static uint32_t next_counter(const replay_window *rx, uint32_t *sender_ctr,
                             int shared) {
  uint32_t c = rx->any ? rx->top + 1 : 0;
  if (shared) {
    if (*sender_ctr > c) c = *sender_ctr;
    *sender_ctr = c + 1;
  }
  return c;
}

/* body as an UPDATE from node `from` to its parent `to`, sealed with the
 * key `to` holds for that child link (raw when there is no such link). */
static int sealed_to_parent(enum wire_type type, size_t from, size_t to,
                            const uint8_t *body, size_t len) {
  mcc_node *parent = harness_node(h, to), *child = harness_node(h, from);
  child_link *c = link_child_by_id(parent, harness_id(h, from));
  if (!c) return harness_inject(h, from, to, body, len);
  if (len > WIRE_MAX_UPDATE_BODY) len = WIRE_MAX_UPDATE_BODY;
  int shared = child->up.state == PARENT_UP &&
               memcmp(child->up.key_tx, c->key_rx, 32) == 0;
  uint32_t ctr = next_counter(&c->rx, &child->up.tx_counter, shared);
  uint8_t out[WIRE_MAX_DATAGRAM];
  size_t n = wire_seal(out, type, ctr, c->key_rx, body, len);
  return harness_inject(h, from, to, out, n);
}

static int sealed_update(size_t from, size_t to, const uint8_t *body,
                         size_t len) {
  return sealed_to_parent(WIRE_UPDATE, from, to, body, len);
}

/* type < 0: byte 0 picks KEEPALIVE_ACK or UPDATE_ACK, the rest is the
 * body; else the whole input is a body of that type. */
static int sealed_to_child(int type_or_pick, const uint8_t *data,
                           size_t size) {
  mcc_node *parent = harness_node(h, 0), *child = harness_node(h, 1);
  int pick = type_or_pick < 0;
  if ((pick && size == 0) || child->up.state != PARENT_UP)
    return harness_inject(h, 0, 1, data, size);
  enum wire_type type =
      !pick ? (enum wire_type)type_or_pick
            : data[0] & 1 ? WIRE_UPDATE_ACK : WIRE_KEEPALIVE_ACK;
  if (pick) data++, size--;
  size_t len = size;
  if (len > WIRE_MAX_UPDATE_BODY) len = WIRE_MAX_UPDATE_BODY;
  child_link *c = link_child_by_id(parent, harness_id(h, 1));
  uint32_t unused = 0;
  int shared = c && memcmp(c->key_tx, child->up.key_rx, 32) == 0;
  uint32_t ctr = next_counter(&child->up.rx, shared ? &c->tx_counter : &unused,
                              shared);
  uint8_t out[WIRE_MAX_DATAGRAM];
  size_t n = wire_seal(out, type, ctr, child->up.key_rx, data, len);
  return harness_inject(h, 0, 1, out, n);
}

/* What must hold whatever a node was sent: it lists itself first, every
 * entry reads back, and routing answers without crashing or looping. */
static void check_node(size_t i) {
  mcc_node *node = harness_node(h, i);
  size_t n = mcc_node_known_count(node);
  CHECK(n >= 1);
  mcc_node_info info;
  CHECK(mcc_node_known_get(node, 0, &info) == 0 && info.is_self);
  CHECK(memcmp(info.id.key, mcc_node_id(node)->key, MCC_KEY_LEN) == 0);
  CHECK(memcmp(info.id.key, harness_id(h, i)->key, MCC_KEY_LEN) == 0);
  char names[512], tags[512];
  for (size_t k = 0; k < n; k++) {
    int rv = mcc_node_known_get(node, k, &info);
    CHECK(rv == 0 || rv == MCC_ERR_STALE);
    CHECK(mcc_node_known_names(node, k, names, sizeof names, tags,
                               sizeof tags) == 0);
    if (rv != 0 || k == 0) continue;
    CHECK(!info.is_self);
    mcc_route route;
    rv = mcc_node_route(node, &info.id, &route);
    CHECK(rv == 0 || rv == MCC_ERR_NO_ROUTE);
    CHECK(route.hops_len <= MCC_ROUTE_MAX_HOPS);
  }
  CHECK(mcc_node_known_get(node, n, &info) == MCC_ERR_INVALID_ARGUMENT);
  CHECK(mcc_node_memory(node) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!h || inputs >= REBUILD_EVERY) build();
  inputs++;
  if (size == 0) return 0;
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  switch (data[0] % MODES) {
  case TO_PARENT:
    harness_inject(h, 1, 0, p, n);
    break;
  case FROM_STRANGER:
    harness_inject(h, STRANGER, 0, p, n);
    break;
  case TO_CHILD:
    harness_inject(h, 0, 1, p, n);
    break;
  case SEALED_UPDATE:
    sealed_update(1, 0, p, n);
    break;
  case SEALED_TO_CHILD:
    sealed_to_child(-1, p, n);
    break;
  case SEALED_RELAYED:
    sealed_update(2, 1, p, n);
    break;
  case SEALED_LOOKUP:
    sealed_to_parent(WIRE_LOOKUP, 2, 1, p, n);
    break;
  default:
    sealed_to_child(WIRE_LOOKUP_REPLY, p, n);
    break;
  }
  harness_run_for(h, (data[0] / MODES) % 8 == 7 ? LONG_STEP_NS : STEP_NS);
  for (size_t i = 0; i < NODES; i++) check_node(i);
  return 0;
}
