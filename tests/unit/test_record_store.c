/*
 * test_record_store.c — the store of signed record bodies (record_store.c):
 * equal content is one body, counted; the last holder frees it; any byte
 * that differs (sequence number, signature) makes another body, so a
 * forged record never aliases a genuine one; nodes that share a store
 * hold their records' bodies once and give them back when freed; and a
 * shared store changes nothing on the wire.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node.h"
#include "record_store.h"
#include "store_memory.h"
#include "suites.h"
#include "testutil.h"
#include "wire.h"

/* A record of node `tag` with sequence number seq, signed by its key. */
static void signed_record(wire_record *w, uint8_t tag, uint32_t seq) {
  mcc_keypair node, net;
  test_keys(&node, tag);
  test_keys(&net, 200);
  memset(w, 0, sizeof *w);
  mcc_cert_sign(&w->cert, MCC_CERT_NODE, &node.pub, &net, 1, 2000000000);
  w->seq = seq;
  w->flags = WIRE_RECORD_HAS_PARENT;
  memset(w->parent.key, 7, 32);
  const char names[] = {WIRE_EXTRA_DNS_NAME, 3, 'a', 'b', 'c'};
  memcpy(w->extra, names, sizeof names);
  w->extra_len = sizeof names;
  wire_signer signer = {&node, NULL, NULL};
  wire_record_sign(w, &signer);
}

static void test_record_store_interns_equal_content(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  size_t empty = mcc_record_store_memory(st);
  wire_record a, b;
  signed_record(&a, 1, 5);
  signed_record(&b, 1, 5); /* the same bytes, made again */
  uint32_t ha, hb;
  CU_ASSERT_EQUAL(record_store_intern(st, &a, &ha), 0);
  CU_ASSERT_EQUAL(record_store_intern(st, &b, &hb), 0);
  CU_ASSERT_EQUAL(ha, hb);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 1);
  CU_ASSERT_EQUAL(record_store_body(st, ha)->refs, 2);
  CU_ASSERT(mcc_record_store_memory(st) > empty);

  wire_record back;
  record_store_to_wire(st, ha, &back);
  CU_ASSERT_EQUAL(back.seq, 5);
  CU_ASSERT_EQUAL(back.extra_len, a.extra_len);
  CU_ASSERT_EQUAL(memcmp(back.sig, a.sig, 64), 0);
  uint8_t x[WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  uint8_t y[WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  CU_ASSERT_EQUAL(wire_record_encode(x, &back), wire_record_encode(y, &a));
  CU_ASSERT_EQUAL(memcmp(x, y, wire_record_len(&a)), 0);

  record_store_release(st, ha);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 1); /* one holder left */
  record_store_release(st, hb);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 0);
  CU_ASSERT_EQUAL(st->body_bytes, 0);
  mcc_record_store_free(st);
}

static void test_record_store_new_version_is_new_body(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  wire_record v5, v6, other;
  signed_record(&v5, 1, 5);
  signed_record(&v6, 1, 6);
  signed_record(&other, 2, 5);
  uint32_t h5, h6, ho;
  CU_ASSERT_EQUAL(record_store_intern(st, &v5, &h5), 0);
  CU_ASSERT_EQUAL(record_store_intern(st, &v6, &h6), 0);
  CU_ASSERT_EQUAL(record_store_intern(st, &other, &ho), 0);
  CU_ASSERT_NOT_EQUAL(h5, h6);
  CU_ASSERT_NOT_EQUAL(h5, ho);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 3);
  record_store_release(st, h5);
  /* the freed handle is reused, the others are untouched */
  uint32_t again;
  CU_ASSERT_EQUAL(record_store_intern(st, &v5, &again), 0);
  CU_ASSERT_EQUAL(again, h5);
  CU_ASSERT_EQUAL(record_store_body(st, h6)->seq, 6);
  CU_ASSERT_EQUAL(record_store_body(st, ho)->seq, 5);
  mcc_record_store_free(st); /* with bodies still held: all go */
}

/* Same id and seq, another signature: a forgery is a body of its own, and
 * the genuine body keeps its bytes whatever happens to it. */
static void test_record_store_forgery_does_not_alias(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  wire_record genuine, forged;
  signed_record(&genuine, 1, 5);
  forged = genuine;
  forged.sig[0] ^= 1;
  uint32_t hg, hf;
  CU_ASSERT_EQUAL(record_store_intern(st, &genuine, &hg), 0);
  CU_ASSERT_EQUAL(record_store_intern(st, &forged, &hf), 0);
  CU_ASSERT_NOT_EQUAL(hg, hf);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 2);
  record_store_release(st, hf);
  CU_ASSERT_EQUAL(memcmp(record_store_body(st, hg)->sig, genuine.sig, 64), 0);
  /* any other field as well: the content is compared whole */
  wire_record moved = genuine;
  moved.static_addr = 0x0a000001;
  uint32_t hm;
  CU_ASSERT_EQUAL(record_store_intern(st, &moved, &hm), 0);
  CU_ASSERT_NOT_EQUAL(hg, hm);
  record_store_release(st, hm);
  record_store_release(st, hg);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 0);
  mcc_record_store_free(st);
}

/* Many bodies: the chains grow and every one is still found. */
static void test_record_store_many_bodies(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  enum { N = 300 };
  uint32_t h[N];
  wire_record w;
  signed_record(&w, 1, 0);
  for (uint32_t i = 0; i < N; i++) {
    w.seq = i; /* unsigned content is content all the same */
    CU_ASSERT_EQUAL(record_store_intern(st, &w, &h[i]), 0);
  }
  for (uint32_t i = 0; i < N; i++) {
    uint32_t again;
    w.seq = i;
    CU_ASSERT_EQUAL(record_store_intern(st, &w, &again), 0);
    CU_ASSERT_EQUAL(again, h[i]);
    record_store_release(st, again);
  }
  for (uint32_t i = 0; i < N; i += 2) record_store_release(st, h[i]);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), N / 2);
  for (uint32_t i = 1; i < N; i += 2) record_store_release(st, h[i]);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 0);
  mcc_record_store_free(st);
}

static uint32_t handle_of(harness *h, size_t at, size_t of) {
  record *r = state_find(harness_node(h, at), harness_id(h, of), NULL);
  return r ? r->body : BODY_NONE;
}

/* A chain 0 <- 1 <- 2 sharing one store, as the simulator's nodes do. */
static harness *shared_chain(mcc_record_store *st) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.record_store = st;
  return harness_new_chain(3, 12, &s);
}

/* The simulator's figure for its stores (sim/store_memory.c): a body held
 * in two stores counts once, and neither the split nor the order of
 * inserts and releases changes the figure, as a store's own does. */
static void test_record_store_memory_across_stores(void) {
  wire_record r[4];
  for (int i = 0; i < 4; i++) signed_record(&r[i], (uint8_t)(10 + i), 1);
  mcc_record_store *one, *a, *b;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&one), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&a), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&b), 0);
  uint32_t h;
  for (int i = 0; i < 3; i++) record_store_intern(one, &r[i], &h);
  record_store_intern(a, &r[0], &h);
  record_store_intern(a, &r[1], &h);
  record_store_intern(b, &r[3], &h); /* in b, then gone again */
  record_store_release(b, h);
  record_store_intern(b, &r[2], &h);
  record_store_intern(b, &r[1], &h); /* r[1] in both a and b */
  mcc_record_store *split[2] = {a, b};
  size_t whole = sim_store_memory(&one, 1);
  CU_ASSERT(whole > 0);
  CU_ASSERT_EQUAL(sim_store_memory(split, 2), whole);
  size_t bodies = 0;
  for (int i = 0; i < 3; i++)
    bodies += offsetof(record_body, extra) + r[i].extra_len;
  CU_ASSERT_EQUAL(whole, bodies + 3 * SIM_STORE_INDEX_BYTES);
  mcc_record_store_free(one);
  mcc_record_store_free(a);
  mcc_record_store_free(b);
}

static void test_record_store_nodes_share_bodies(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  harness *h = shared_chain(st);
  /* the leaf's record is held by all three, as one body */
  uint32_t leaf = handle_of(h, 2, 2);
  CU_ASSERT_NOT_EQUAL(leaf, BODY_NONE);
  CU_ASSERT_EQUAL(handle_of(h, 1, 2), leaf);
  CU_ASSERT_EQUAL(handle_of(h, 0, 2), leaf);
  CU_ASSERT_EQUAL(record_store_body(st, leaf)->refs, 3);
  CU_ASSERT_EQUAL(handle_of(h, 0, 1), handle_of(h, 1, 1));
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 3); /* one a node */
  /* a node pays its references, not the bodies */
  size_t leaf_mem = mcc_node_memory(harness_node(h, 2));
  CU_ASSERT(leaf_mem <= 2048);

  /* a node freed gives its references back */
  harness_kill(h, 2);
  CU_ASSERT_EQUAL(record_store_body(st, leaf)->refs, 2);
  harness_free(h);
  CU_ASSERT_EQUAL(mcc_record_store_count(st), 0);
  mcc_record_store_free(st);
}

/* A node given no store makes its own (mccd): it pays for the bodies, and
 * nothing it sends differs from a node sharing one. */
static void test_record_store_private_same_wire(void) {
  mcc_record_store *st;
  CU_ASSERT_EQUAL_FATAL(mcc_record_store_new(&st), 0);
  harness *shared = shared_chain(st);
  harness *own = harness_new_chain(3, 12, NULL);
  harness_run_for(own, 600 * HARNESS_S);
  harness_run_for(shared, 600 * HARNESS_S);
  CU_ASSERT_EQUAL(harness_wire_bytes(own, 0), harness_wire_bytes(shared, 0));
  CU_ASSERT_EQUAL(harness_datagrams(own, 0), harness_datagrams(shared, 0));
  CU_ASSERT_EQUAL(mcc_node_known_count(harness_node(own, 0)),
                  mcc_node_known_count(harness_node(shared, 0)));
  size_t with_bodies = mcc_node_memory(harness_node(own, 0));
  size_t refs_only = mcc_node_memory(harness_node(shared, 0));
  CU_ASSERT(with_bodies > refs_only + 3 * sizeof(record_body));
  harness_free(own);
  harness_free(shared);
  mcc_record_store_free(st);
}

void suite_record_store(void) {
  CU_pSuite s = CU_add_suite("record_store", NULL, NULL);
  ADD_TEST(s, test_record_store_interns_equal_content);
  ADD_TEST(s, test_record_store_memory_across_stores);
  ADD_TEST(s, test_record_store_new_version_is_new_body);
  ADD_TEST(s, test_record_store_forgery_does_not_alias);
  ADD_TEST(s, test_record_store_many_bodies);
  ADD_TEST(s, test_record_store_nodes_share_bodies);
  ADD_TEST(s, test_record_store_private_same_wire);
}
