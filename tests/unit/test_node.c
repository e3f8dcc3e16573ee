/*
 * test_node.c — one link in the harness under attack: malformed datagrams
 * (truncated, oversized, wrong version, bad signature, tampered, replayed)
 * are rejected with an error code and change no state; the exact sizes of
 * a keep-alive exchange; memory per record and per leaf node.
 *
 *   child 1 --HELLO--> parent 0
 *           <--HELLO_ACK--
 *           --UPDATE (own record)-->  <--UPDATE_ACK--
 *           --KEEPALIVE--> <--KEEPALIVE_ACK--   every 30 s
 */
#include <stdlib.h>

#include "harness.h"
#include "node.h"
#include "suites.h"
#include "testutil.h"

typedef struct capture {
  uint8_t data[8][WIRE_MAX_DATAGRAM];
  size_t len[8];
} capture;

static int capture_first(void *user, size_t from, size_t to, uint8_t *data,
                         size_t *len) {
  capture *c = user;
  int type = data[0] & 0x1f;
  if (type < 8 && c->len[type] == 0) {
    memcpy(c->data[type], data, *len);
    c->len[type] = *len;
  }
  return 1;
}

typedef struct snapshot {
  size_t known, memory;
  mcc_node_stats stats;
} snapshot;

static void take(mcc_node *n, snapshot *s) {
  s->known = mcc_node_known_count(n);
  s->memory = mcc_node_memory(n);
  mcc_node_get_stats(n, &s->stats);
}

static int same_state(const snapshot *a, const snapshot *b) {
  return a->known == b->known && a->memory == b->memory &&
         a->stats.datagrams_sent == b->stats.datagrams_sent &&
         a->stats.records_announced == b->stats.records_announced;
}

static harness *linked_pair(capture *cap) {
  harness *h = harness_new(2, 11, NULL);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  harness_set_filter(h, capture_first, cap);
  harness_start(h);
  harness_run_for(h, 31 * HARNESS_S); /* one keep-alive round */
  return h;
}

static void test_node_keepalive_exchange_size(void) {
  capture *cap = calloc(1, sizeof *cap);
  harness *h = linked_pair(cap);
  CU_ASSERT_EQUAL(cap->len[WIRE_KEEPALIVE], 21);
  CU_ASSERT_EQUAL(cap->len[WIRE_KEEPALIVE_ACK], 21);
  CU_ASSERT_EQUAL(cap->len[WIRE_HELLO], WIRE_HELLO_LEN);
  CU_ASSERT_EQUAL(cap->len[WIRE_HELLO_ACK], WIRE_HELLO_ACK_LEN);
  CU_ASSERT_EQUAL(cap->len[WIRE_UPDATE_ACK], WIRE_UPDATE_ACK_LEN);
  /* The child's own record, no names: 1 + 244 bytes, sealed. */
  CU_ASSERT_EQUAL(cap->len[WIRE_UPDATE],
                  WIRE_SEALED_OVERHEAD + 1 + WIRE_RECORD_FIXED_LEN);
  /* Wire bytes (DESIGN.md) of one keep-alive exchange over IPv4. */
  size_t exchange = cap->len[WIRE_KEEPALIVE] + cap->len[WIRE_KEEPALIVE_ACK] +
                    2 * (8 + 20);
  CU_ASSERT(exchange <= 100);
  CU_ASSERT_EQUAL(exchange, 98);
  harness_free(h);
  free(cap);
}

static void test_node_rejects_malformed_without_state_change(void) {
  capture *cap = calloc(1, sizeof *cap);
  harness *h = linked_pair(cap);
  mcc_node *parent = harness_node(h, 0);
  mcc_node *child = harness_node(h, 1);
  snapshot before, after;
  take(parent, &before);
  uint8_t buf[WIRE_MAX_DATAGRAM + 16];
  const uint8_t *hello = cap->data[WIRE_HELLO];

  /* Truncated HELLO, from a stranger's address and from the child's. */
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, hello, WIRE_HELLO_LEN - 1),
                  MCC_ERR_TRUNCATED);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, hello, 1), MCC_ERR_TRUNCATED);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, hello, 0), MCC_ERR_TRUNCATED);
  /* Oversized: longer than any datagram we send, and a padded HELLO. */
  memset(buf, 0x21, sizeof buf);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, buf, WIRE_MAX_DATAGRAM + 1),
                  MCC_ERR_BAD_LENGTH);
  memcpy(buf, hello, WIRE_HELLO_LEN);
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, buf, WIRE_HELLO_LEN + 1),
                  MCC_ERR_BAD_LENGTH);
  /* Wrong version, unknown type. */
  memcpy(buf, hello, WIRE_HELLO_LEN);
  buf[0] = (uint8_t)((2 << 5) | 1);
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, buf, WIRE_HELLO_LEN),
                  MCC_ERR_VERSION);
  buf[0] = (uint8_t)((1 << 5) | 30);
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, buf, WIRE_HELLO_LEN), MCC_ERR_TYPE);
  /* Cheap checks before the signature: a HELLO not newer than the link's
   * is refused as a replay whatever its signature says (the signature
   * checks are in test_hostile.c, with HELLOs that pass the cheap ones). */
  memcpy(buf, hello, WIRE_HELLO_LEN);
  buf[WIRE_HELLO_LEN - 1] ^= 1;
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, buf, WIRE_HELLO_LEN),
                  MCC_ERR_REPLAY);
  memcpy(buf, hello, WIRE_HELLO_LEN);
  buf[5] ^= 1; /* the timestamp, 2^40 ms ahead */
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, buf, WIRE_HELLO_LEN),
                  MCC_ERR_REPLAY);
  /* The genuine HELLO replayed: older than the link's. */
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, hello, WIRE_HELLO_LEN),
                  MCC_ERR_REPLAY);
  /* Sealed messages: tampered, replayed, from an address with no link. */
  const uint8_t *ka = cap->data[WIRE_KEEPALIVE];
  memcpy(buf, ka, WIRE_KEEPALIVE_LEN);
  buf[WIRE_KEEPALIVE_LEN - 3] ^= 0x80;
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, buf, WIRE_KEEPALIVE_LEN),
                  MCC_ERR_DECRYPT);
  memcpy(buf, ka, WIRE_KEEPALIVE_LEN);
  buf[2] ^= 1; /* the counter is authenticated too */
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, buf, WIRE_KEEPALIVE_LEN),
                  MCC_ERR_DECRYPT);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, ka, WIRE_KEEPALIVE_LEN),
                  MCC_ERR_REPLAY);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, cap->data[WIRE_UPDATE],
                                 cap->len[WIRE_UPDATE]),
                  MCC_ERR_REPLAY);
  CU_ASSERT_EQUAL(harness_inject(h, 7, 0, ka, WIRE_KEEPALIVE_LEN),
                  MCC_ERR_NO_LINK);
  /* A parent-direction message the child did not expect. */
  CU_ASSERT_EQUAL(harness_inject(h, 7, 1, cap->data[WIRE_KEEPALIVE_ACK],
                                 WIRE_KEEPALIVE_LEN),
                  MCC_ERR_NO_LINK);
  CU_ASSERT_EQUAL(harness_inject(h, 0, 1, cap->data[WIRE_HELLO_ACK],
                                 WIRE_HELLO_ACK_LEN),
                  MCC_ERR_NO_LINK);

  take(parent, &after);
  CU_ASSERT_TRUE(same_state(&before, &after));
  CU_ASSERT(after.stats.rejected >= before.stats.rejected + 15);

  /* And the link still works: records still known, keep-alives answered. */
  harness_run_for(h, 3 * 30 * HARNESS_S);
  mcc_id pid;
  CU_ASSERT_EQUAL(mcc_node_parent(child, &pid, NULL), 0);
  CU_ASSERT_EQUAL(mcc_node_known_count(parent), 2);
  mcc_node_stats cs;
  mcc_node_get_stats(child, &cs);
  CU_ASSERT_EQUAL(cs.parent_switches, 1);
  harness_free(h);
  free(cap);
}

static void test_node_memory_budget(void) {
  /* a node holds one per node of its subtree; the signed content of a
   * record is shared (record_store.c) */
  CU_ASSERT(sizeof(record) <= 16);
  /* The budget is the simulator's, whose nodes share one record store: a
   * node pays its references, and its share of the bodies (a leaf's own
   * record) below. */
  mcc_record_store *store;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&store), 0);
  mcc_settings s;
  mcc_settings_default(&s);
  s.record_store = store;
  harness *h = harness_new_chain(3, 12, &s);
  size_t leaf = mcc_node_memory(harness_node(h, 2));
  size_t share = mcc_record_store_memory(store) / 3;
  fprintf(stderr, "record %zu bytes, leaf node %zu bytes + %zu of the store\n",
          sizeof(record), leaf, share);
  CU_ASSERT(leaf + share <= 2048);
  harness_free(h);
  mcc_record_store_free(store);
}

static void test_node_new_rejects_bad_arguments(void) {
  mcc_keypair kp, other, net;
  test_keys(&kp, 1);
  test_keys(&other, 2);
  test_keys(&net, 3);
  mcc_cert cert;
  mcc_cert_sign(&cert, MCC_CERT_NODE, &kp.pub, &net, 0, UINT32_MAX);
  mcc_settings s;
  mcc_settings_default(&s);
  mcc_node *node = NULL;
  mcc_callbacks none = {0};
  CU_ASSERT_EQUAL(mcc_node_new(&node, &s, &none, &kp, &cert, &net.pub, 1, 0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(node);
  /* A certificate for another key. */
  mcc_callbacks cb = {0};
  cb.send = (void (*)(void *, const mcc_addr *, const uint8_t *, size_t))1;
  cb.random = (void (*)(void *, uint8_t *, size_t))1;
  CU_ASSERT_EQUAL(
      mcc_node_new(&node, &s, &cb, &other, &cert, &net.pub, 1, 0),
      MCC_ERR_INVALID_ARGUMENT);
  s.keep_alive_period_ns = 0;
  CU_ASSERT_EQUAL(mcc_node_new(&node, &s, &cb, &kp, &cert, &net.pub, 1, 0),
                  MCC_ERR_INVALID_ARGUMENT);
  mcc_settings_default(&s);
  s.parents_len = MCC_MAX_PARENTS + 1;
  CU_ASSERT_EQUAL(mcc_node_new(&node, &s, &cb, &kp, &cert, &net.pub, 1, 0),
                  MCC_ERR_LIMIT);
  mcc_settings_default(&s);
  s.dns_names = "a-name-that-is-fine";
  char long_list[600];
  memset(long_list, 'x', sizeof long_list - 1);
  long_list[sizeof long_list - 1] = '\0';
  s.tags = long_list;
  CU_ASSERT_EQUAL(mcc_node_new(&node, &s, &cb, &kp, &cert, &net.pub, 1, 0),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NULL(node);
}

static void test_node_names_travel_with_the_record(void) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.dns_names = "node1.staex, cam";
  s.tags = "lab";
  harness *h = harness_new(2, 13, &s);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  harness_start(h);
  harness_run_for(h, 2 * HARNESS_S);
  mcc_node *parent = harness_node(h, 0);
  char names[128], tags[64];
  int found = 0;
  for (size_t i = 0; i < mcc_node_known_count(parent); i++) {
    mcc_node_info info;
    if (mcc_node_known_get(parent, i, &info) != 0 || info.is_self) continue;
    mcc_node_known_names(parent, i, names, sizeof names, tags, sizeof tags);
    CU_ASSERT_STRING_EQUAL(names, "node1.staex,cam");
    CU_ASSERT_STRING_EQUAL(tags, "lab");
    CU_ASSERT_TRUE(info.has_parent);
    CU_ASSERT_EQUAL(memcmp(info.parent.key, harness_id(h, 0)->key, 32), 0);
    found++;
  }
  CU_ASSERT_EQUAL(found, 1);
  harness_free(h);
}

/* Near counter exhaustion the child re-keys with the same parent: new keys,
 * same link, no parent switch, no records resent. */
static void test_node_rekeys_before_counter_wraps(void) {
  capture *cap = calloc(1, sizeof *cap);
  harness *h = linked_pair(cap);
  mcc_node *child = harness_node(h, 1);
  uint8_t old_key[32];
  memcpy(old_key, child->up.key_tx, 32);
  child->up.tx_counter = LINK_REKEY_AFTER_MESSAGES;
  mcc_node_stats before, after;
  mcc_node_get_stats(child, &before);
  harness_reset_counters(h);
  harness_run_for(h, 31 * HARNESS_S);
  mcc_node_get_stats(child, &after);
  CU_ASSERT_EQUAL(after.hello_sent, before.hello_sent + 1);
  CU_ASSERT_EQUAL(after.parent_switches, before.parent_switches);
  CU_ASSERT(child->up.tx_counter < 10);
  CU_ASSERT_NOT_EQUAL(memcmp(old_key, child->up.key_tx, 32), 0);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_UPDATE), 0);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_BYE), 0);
  CU_ASSERT_EQUAL(mcc_node_known_count(harness_node(h, 0)), 2);
  /* The new keys work: keep-alives after the re-key were answered. */
  CU_ASSERT_EQUAL(mcc_node_parent(child, NULL, NULL), 0);
  CU_ASSERT_EQUAL(child->up.misses, 0);
  CU_ASSERT(harness_datagrams(h, WIRE_KEEPALIVE_ACK) >= 1);
  harness_free(h);
  free(cap);
}

/* The host re-resolved the parents' names: node 3 moves from node 1 to
 * node 2; the same list again, or a reorder keeping the active parent,
 * switches nothing. */
static void test_node_set_parents(void) {
  harness *h = harness_new(4, 21, NULL);
  size_t root = 0, one = 1;
  harness_set_parents(h, 1, &root, 1);
  harness_set_parents(h, 2, &root, 1);
  harness_set_parents(h, 3, &one, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  mcc_node *n3 = harness_node(h, 3);
  mcc_id pid;
  CU_ASSERT_EQUAL_FATAL(mcc_node_parent(n3, &pid, NULL), 0);
  CU_ASSERT_EQUAL(harness_find(h, &pid), 1);
  mcc_addr list[2] = {harness_addr(2), harness_addr(1)};
  CU_ASSERT_EQUAL(mcc_node_set_parents(n3, list, 1, harness_now(h)), 0);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL_FATAL(mcc_node_parent(n3, &pid, NULL), 0);
  CU_ASSERT_EQUAL(harness_find(h, &pid), 2);
  CU_ASSERT_EQUAL(harness_follow_route(h, 0, 3, 64), 2);
  CU_ASSERT_EQUAL(harness_follow_route(h, 1, 3, 64), 3);
  mcc_node_stats before, after;
  mcc_node_get_stats(n3, &before);
  CU_ASSERT_EQUAL(mcc_node_set_parents(n3, list, 1, harness_now(h)), 0);
  CU_ASSERT_EQUAL(mcc_node_set_parents(n3, list, 2, harness_now(h)), 0);
  harness_run_for(h, 5 * HARNESS_S);
  mcc_node_get_stats(n3, &after);
  CU_ASSERT_EQUAL(after.parent_switches, before.parent_switches);
  CU_ASSERT_EQUAL(mcc_node_set_parents(n3, list, MCC_MAX_PARENTS + 1,
                                       harness_now(h)), MCC_ERR_LIMIT);
  harness_free(h);
}

/* A parent that never accepts us (another network): after each full round
 * of the parent list the next round waits 1, 2, 4, then 8 keep-alive
 * periods, so a refused node sends few HELLOs. A parent that comes back
 * is joined within one backoff (8 periods) and a round. */
static void test_node_join_backs_off(void) {
  harness *h = harness_new(2, 23, NULL);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  harness_set_network(h, 1, 1); /* the root does not trust network 1 */
  harness_start(h);
  harness_run_for(h, 30 * 60 * HARNESS_S);
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 1), &st);
  /* 30 min = 60 periods; a round of 3 HELLOs takes half a period. Without
   * backoff: 120 rounds, 360 HELLOs. With it rounds start at 0, 1.5, 4,
   * 8.5, then every 8.5 periods: 17, 25.5, 34, 42.5, 51, 59.5. */
  CU_ASSERT_EQUAL(st.hello_sent, 3 * 10);
  CU_ASSERT_NOT_EQUAL(mcc_node_parent(harness_node(h, 1), NULL, NULL), 0);
  harness_free(h);

  h = harness_new(2, 24, NULL);
  harness_set_parents(h, 1, &root, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(mcc_node_parent(harness_node(h, 1), NULL, NULL), 0);
  harness_kill(h, 0);
  harness_run_for(h, 30 * 60 * HARNESS_S);
  CU_ASSERT_NOT_EQUAL(mcc_node_parent(harness_node(h, 1), NULL, NULL), 0);
  harness_revive(h, 0);
  harness_run_for(h, (8 * 30 + 15 + 1) * HARNESS_S);
  CU_ASSERT_EQUAL(mcc_node_parent(harness_node(h, 1), NULL, NULL), 0);
  harness_free(h);
}

void suite_node(void) {
  CU_pSuite s = CU_add_suite("node", NULL, NULL);
  ADD_TEST(s, test_node_keepalive_exchange_size);
  ADD_TEST(s, test_node_rejects_malformed_without_state_change);
  ADD_TEST(s, test_node_memory_budget);
  ADD_TEST(s, test_node_new_rejects_bad_arguments);
  ADD_TEST(s, test_node_names_travel_with_the_record);
  ADD_TEST(s, test_node_rekeys_before_counter_wraps);
  ADD_TEST(s, test_node_set_parents);
  ADD_TEST(s, test_node_join_backs_off);
}
