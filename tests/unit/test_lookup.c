/*
 * test_lookup.c — network lookup (lookup.c) in the in-memory harness: a
 * chain of 6 and a 15-node tree answer ids, names and static addresses
 * from the hop that holds the record (a root holds all), a root says
 * NO_SUCH for what nobody has (a tunnel endpoint's key included), the hop
 * limit and the timeout end a lookup, a parent that forges an answer is
 * not believed, answers are cached for resolver.ttl (negative ones 5 s),
 * one question goes out for two askers, and nothing is sent while nobody
 * asks.
 *
 *   chain:  0 <- 1 <- 2 <- 3 <- 4 <- 5     0 "gw" 10.115.0.1, 3 "mid"
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include <mcc/resolve.h>

#include "gen_topo.h"
#include "harness.h"
#include "ippkt.h"
#include "node.h"
#include "suites.h"
#include "wire.h"

#define S HARNESS_S
#define MS HARNESS_MS
#define GW_STATIC 0x0a730001u

static harness *chain6(const mcc_settings *base) {
  harness *h = harness_new(6, 71, base);
  for (size_t i = 1; i < 6; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_set_names(h, 0, "gw", GW_STATIC);
  harness_set_names(h, 3, "mid", 0);
  harness_start(h);
  harness_run_for(h, 10 * S);
  return h;
}

static int same(const mcc_id *a, const mcc_id *b) {
  return memcmp(a->key, b->key, 32) == 0;
}

/* Node i asks; the question must go out (no answer known here):
 * its token. */
static uint32_t sent(harness *h, size_t i, enum mcc_lookup_kind kind,
                     const void *key, size_t keylen) {
  int status;
  mcc_id id;
  uint32_t token = 0;
  CU_ASSERT_EQUAL(mcc_node_lookup(harness_node(h, i), kind, key, keylen,
                                  harness_now(h), &status, &id, &token),
                  0);
  return token;
}

/* Node i asks; the answer (now or from the network within 1 s). */
static int ask(harness *h, size_t i, enum mcc_lookup_kind kind,
               const void *key, size_t keylen, mcc_id *pid, int *now) {
  int status = -1;
  uint32_t token = 0;
  uint64_t before = harness_answers(h, i, NULL);
  int rv = mcc_node_lookup(harness_node(h, i), kind, key, keylen,
                           harness_now(h), &status, pid, &token);
  if (now) *now = rv == 1;
  if (rv == 1) return status;
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  harness_run_for(h, S);
  harness_answer a;
  if (harness_answers(h, i, &a) != before + 1 || a.token != token) return -1;
  *pid = a.id;
  return a.status;
}

static int ask_name(harness *h, size_t i, const char *name, mcc_id *pid,
                    int *now) {
  return ask(h, i, MCC_LOOKUP_NAME, name, strlen(name), pid, now);
}

static void test_lookup_chain(void) {
  harness *h = chain6(NULL);
  mcc_id id;
  int now;
  /* Up to the root and back: 5 hops each way, 1 ms a hop. */
  harness_reset_counters(h);
  uint64_t t0 = harness_now(h);
  sent(h, 5, MCC_LOOKUP_NAME, "gw", 2);
  harness_run_for(h, S);
  harness_answer a;
  CU_ASSERT_EQUAL(harness_answers(h, 5, &a), 1);
  CU_ASSERT_EQUAL(a.status, MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&a.id, harness_id(h, 0)));
  CU_ASSERT(a.at_ns - t0 <= 10 * MS + MS);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP), 5);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP_REPLY), 5);
  printf("\n    lookup of a name 5 hops up: %llu wire bytes, %.1f ms\n",
         (unsigned long long)(harness_wire_bytes(h, WIRE_LOOKUP) +
                              harness_wire_bytes(h, WIRE_LOOKUP_REPLY)),
         (double)(a.at_ns - t0) / MS);
  /* The same, under the domain, with a trailing dot, in upper case. */
  CU_ASSERT_EQUAL(ask_name(h, 5, "GW.home.arpa.", &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&id, harness_id(h, 0)));
  /* Answered by the hop that holds it: node 3 for its own name. */
  harness_reset_counters(h);
  CU_ASSERT_EQUAL(ask_name(h, 5, "mid", &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&id, harness_id(h, 3)));
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP), 2);
  /* A static address; an id; "<id><domain>". */
  uint8_t gw[4] = {10, 115, 0, 1};
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_IPV4, gw, 4, &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&id, harness_id(h, 0)));
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_ID, harness_id(h, 1), 32, &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT_FALSE(now);
  char name[MCC_ID_TEXT_LEN + 20];
  mcc_id_to_text(harness_id(h, 0), name);
  strcat(name, ".home.arpa");
  CU_ASSERT_EQUAL(ask_name(h, 5, name, &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&id, harness_id(h, 0)));
  /* Nobody has it: the root says so. An unknown key is no node. */
  CU_ASSERT_EQUAL(ask_name(h, 5, "nosuch", &id, &now), MCC_LOOKUP_NO_SUCH);
  mcc_id stranger;
  memset(stranger.key, 0x42, 32);
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_ID, &stranger, 32, &id, &now),
                  MCC_LOOKUP_NO_SUCH);
  uint8_t nobody[4] = {10, 115, 9, 9};
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_IPV4, nobody, 4, &id, &now),
                  MCC_LOOKUP_NO_SUCH);
  /* Known here, answered at once: the subtree, the links, the root's all. */
  CU_ASSERT_EQUAL(ask(h, 0, MCC_LOOKUP_ID, harness_id(h, 5), 32, &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT_TRUE(now);
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_ID, harness_id(h, 4), 32, &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT_TRUE(now);
  CU_ASSERT_EQUAL(ask_name(h, 1, "mid", &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT_TRUE(now);
  CU_ASSERT_EQUAL(ask_name(h, 0, "nosuch", &id, &now), MCC_LOOKUP_NO_SUCH);
  CU_ASSERT_TRUE(now);
  /* Not a name. */
  int st;
  uint32_t tk;
  CU_ASSERT_EQUAL(mcc_node_lookup(harness_node(h, 5), MCC_LOOKUP_NAME, "a..b",
                                  4, harness_now(h), &st, &id, &tk),
                  MCC_ERR_VALUE);
  /* Nobody asks: nothing is sent. */
  harness_reset_counters(h);
  harness_run_for(h, 300 * S);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP), 0);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP_REPLY), 0);
  harness_free(h);
}

/* network-lookup-ttl 2: the question stops two hops up; a lost question
 * times out after network-lookup-timeout. */
static void test_lookup_ttl_and_timeout(void) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.network_lookup_ttl = 2;
  s.network_lookup_timeout_ns = 3 * S;
  harness *h = chain6(&s);
  mcc_id id;
  int now;
  CU_ASSERT_EQUAL(ask_name(h, 5, "gw", &id, &now), MCC_LOOKUP_UNREACHABLE);
  CU_ASSERT_EQUAL(ask_name(h, 4, "mid", &id, &now), MCC_LOOKUP_FOUND);
  harness_cut(h, 2, 1, 1); /* questions from 2 no longer reach 1 */
  uint32_t token = sent(h, 3, MCC_LOOKUP_NAME, "gw", 2);
  harness_run_for(h, 2 * S);
  CU_ASSERT_EQUAL(harness_answers(h, 3, NULL), 0);
  harness_run_for(h, 2 * S);
  harness_answer a;
  CU_ASSERT_EQUAL(harness_answers(h, 3, &a), 1);
  CU_ASSERT_EQUAL(a.token, token);
  CU_ASSERT_EQUAL(a.status, MCC_LOOKUP_TIMEOUT);
  harness_free(h);
}

/* ---- a parent that lies --------------------------------------------------- */

typedef struct liar {
  harness *h;
  uint32_t query_id; /* of the question node 5 sent, captured */
  int captured;
} liar;

/* Drops node 5's questions to node 4, keeping the query id. */
static int capture_question(void *user, size_t from, size_t to, uint8_t *data,
                            size_t *len) {
  liar *l = user;
  if (from != 5 || to != 4 || (data[0] & 0x1f) != WIRE_LOOKUP) return 1;
  mcc_node *n5 = harness_node(l->h, 5);
  uint8_t body[WIRE_MAX_DATAGRAM];
  size_t bodylen;
  uint32_t counter;
  if (wire_open(data, *len, n5->up.key_tx, &counter, body, &bodylen) == 0) {
    l->query_id = get_be32(body);
    l->captured = 1;
  }
  return 0;
}

/* Node 4, the parent, answers node 5 with reply body b. */
static void lie(harness *h, uint32_t counter, const uint8_t *b, size_t len) {
  mcc_node *n5 = harness_node(h, 5);
  uint8_t out[WIRE_MAX_DATAGRAM];
  size_t n = wire_seal(out, WIRE_LOOKUP_REPLY, counter, n5->up.key_rx, b, len);
  mcc_addr from = harness_addr(4);
  harness_inject_addr(h, &from, 5, out, n);
}

static void test_lookup_forged_answer(void) {
  harness *h = chain6(NULL);
  liar l = {h, 0, 0};
  harness_set_filter(h, capture_question, &l);
  sent(h, 5, MCC_LOOKUP_NAME, "gw", 2);
  harness_run_for(h, 10 * MS);
  CU_ASSERT_TRUE_FATAL(l.captured);
  /* Node 5's genuine record (node 4 holds it), claimed to answer "gw";
   * then the same record with "gw" written into it (its signature no
   * longer holds): both refused. */
  mcc_node *n4 = harness_node(h, 4);
  record *r5 = state_find(n4, harness_id(h, 5), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r5);
  wire_record w;
  state_record_to_wire(n4, r5, &w);
  uint8_t body[600];
  put_be32(body, l.query_id);
  body[4] = MCC_LOOKUP_FOUND;
  size_t len = 5 + wire_record_encode(body + 5, &w);
  uint64_t forged = 0;
  lie(h, 1000, body, len);
  wire_record bad = w;
  bad.extra[0] = WIRE_EXTRA_DNS_NAME, bad.extra[1] = 2;
  bad.extra[2] = 'g', bad.extra[3] = 'w';
  bad.extra_len = 4;
  len = 5 + wire_record_encode(body + 5, &bad);
  lie(h, 1001, body, len);
  harness_run_for(h, 10 * MS);
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 5), &st);
  forged = st.lookup_forged;
  CU_ASSERT_EQUAL(forged, 2);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 0); /* still waiting */
  /* The truth, from node 0's record, is believed. */
  record *r0 = state_find(n4, harness_id(h, 0), NULL);
  CU_ASSERT_PTR_NULL(r0); /* node 4 does not hold it: build it at node 0 */
  mcc_node *n0 = harness_node(h, 0);
  state_record_to_wire(n0, &n0->recs[0], &w);
  len = 5 + wire_record_encode(body + 5, &w);
  lie(h, 1002, body, len);
  harness_run_for(h, 10 * MS);
  harness_answer a;
  CU_ASSERT_EQUAL(harness_answers(h, 5, &a), 1);
  CU_ASSERT_EQUAL(a.status, MCC_LOOKUP_FOUND);
  CU_ASSERT(same(&a.id, harness_id(h, 0)));
  /* A late copy changes nothing. */
  lie(h, 1003, body, len);
  harness_run_for(h, 10 * MS);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 1);
  harness_free(h);
}

/* ---- a 15-node tree -------------------------------------------------------- */

static void test_lookup_tree15(void) {
  harness *h = harness_new(15, 72, NULL);
  char names[15][8];
  for (size_t i = 0; i < 15; i++) {
    snprintf(names[i], sizeof names[i], "n%zu", i);
    harness_set_names(h, i, names[i], 0x0a730000u + 10 + (uint32_t)i);
    if (i) {
      size_t p = (i - 1) / 2;
      harness_set_parents(h, i, &p, 1);
    }
  }
  harness_start(h);
  harness_run_for(h, 10 * S);
  int wrong = 0, local = 0, asked = 0;
  for (size_t leaf = 7; leaf < 15; leaf++)
    for (size_t j = 0; j < 15; j++) {
      mcc_id id;
      int now;
      int status = ask_name(h, leaf, names[j], &id, &now);
      uint8_t addr[4] = {10, 115, 0, (uint8_t)(10 + j)};
      mcc_id id2;
      int status2 = ask(h, leaf, MCC_LOOKUP_IPV4, addr, 4, &id2, NULL);
      if (status != MCC_LOOKUP_FOUND || !same(&id, harness_id(h, j)) ||
          status2 != MCC_LOOKUP_FOUND || !same(&id2, harness_id(h, j)))
        wrong++;
      local += now;
      asked++;
    }
  CU_ASSERT_EQUAL(wrong, 0);
  CU_ASSERT_EQUAL(local, 8); /* each leaf holds only its own record */
  CU_ASSERT_EQUAL(asked, 8 * 15);
  harness_free(h);
}

/* ---- caching and sharing --------------------------------------------------- */

static void test_lookup_cache(void) {
  mcc_resolver_settings rs;
  mcc_resolver_settings_default(&rs);
  rs.ttl_s = 10;
  mcc_settings s;
  mcc_settings_default(&s);
  s.resolver = &rs;
  harness *h = chain6(&s);
  mcc_id id;
  int now;
  CU_ASSERT_EQUAL(ask_name(h, 5, "gw", &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT_FALSE(now);
  CU_ASSERT_EQUAL(ask_name(h, 5, "gw", &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT_TRUE(now);
  CU_ASSERT(same(&id, harness_id(h, 0)));
  harness_run_for(h, 10 * S);
  CU_ASSERT_EQUAL(ask_name(h, 5, "gw", &id, &now), MCC_LOOKUP_FOUND);
  CU_ASSERT_FALSE(now); /* expired after resolver.ttl */
  CU_ASSERT_EQUAL(ask_name(h, 5, "nosuch", &id, &now), MCC_LOOKUP_NO_SUCH);
  CU_ASSERT_FALSE(now);
  CU_ASSERT_EQUAL(ask_name(h, 5, "nosuch", &id, &now), MCC_LOOKUP_NO_SUCH);
  CU_ASSERT_TRUE(now);
  harness_run_for(h, 5 * S);
  CU_ASSERT_EQUAL(ask_name(h, 5, "nosuch", &id, &now), MCC_LOOKUP_NO_SUCH);
  CU_ASSERT_FALSE(now);
  /* Two askers, one question. */
  harness_reset_counters(h);
  uint32_t t1 = sent(h, 5, MCC_LOOKUP_NAME, "mid", 3);
  uint32_t t2 = sent(h, 5, MCC_LOOKUP_NAME, "MID", 3);
  CU_ASSERT_NOT_EQUAL(t1, t2);
  harness_run_for(h, S);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 2 + 4);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP), 2); /* 5->4->3 */
  harness_free(h);
}

/* The first question is lost on the way: the asker asks again after 1 s.
 * That an id is a node is kept 10 minutes even with resolver.ttl 0, so a
 * node's id keeps resolving while its path fails over. */
static int drops_left;
static int drop_lookups(void *user, size_t from, size_t to, uint8_t *data,
                        size_t *len) {
  if ((data[0] & 0x1f) != WIRE_LOOKUP || drops_left == 0) return 1;
  drops_left--;
  return 0;
}

static void test_lookup_retry_and_id_keep(void) {
  harness *h = chain6(NULL);
  harness_set_filter(h, drop_lookups, NULL);
  drops_left = 1;
  mcc_id id;
  uint64_t t0 = harness_now(h);
  sent(h, 5, MCC_LOOKUP_ID, harness_id(h, 0), 32);
  harness_run_for(h, 900 * MS);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 0);
  harness_run_for(h, 200 * MS);
  harness_answer a;
  CU_ASSERT_EQUAL(harness_answers(h, 5, &a), 1);
  CU_ASSERT_EQUAL(a.status, MCC_LOOKUP_FOUND);
  CU_ASSERT(a.at_ns - t0 >= S && a.at_ns - t0 <= S + 20 * MS);
  /* Known for 10 minutes: answered at once, with the links cut. */
  harness_cut(h, 5, 4, 1);
  harness_run_for(h, 500 * S);
  int now;
  CU_ASSERT_EQUAL(ask(h, 5, MCC_LOOKUP_ID, harness_id(h, 0), 32, &id, &now),
                  MCC_LOOKUP_FOUND);
  CU_ASSERT_TRUE(now);
  harness_free(h);
}

/* ---- static addresses ------------------------------------------------------ */

/* Node 5 sends a UDP packet to dst; 1 when node `at` got it within 1 s. */
static int send_to(harness *h, size_t from, const uint8_t dst[4], size_t at) {
  uint8_t ip[128], src[4], s6[16], payload[8] = {1};
  harness_local_addr(h, from, from, src, s6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, src, dst, 1, 64, payload, 8);
  uint64_t before = harness_delivered(h, at);
  harness_send_packet(h, from, ip, len);
  harness_run_for(h, S);
  return harness_delivered(h, at) == before + 1;
}

/* A static address is resolved and routed everywhere: node 5 does not hold
 * node 0's record, so its first packet to 10.115.0.1 makes it ask, and the
 * next one goes; node 1 holds node 3's record and knows 10.115.0.3 at once.
 * The root's reply comes from the static address. Two nodes claiming one
 * address: the first keeps it, and the clash is counted where both records
 * meet. */
static void test_lookup_static_addresses(void) {
  harness *h = harness_new(6, 73, NULL);
  for (size_t i = 1; i < 6; i++) {
    size_t p = i - 1;
    harness_set_parents(h, i, &p, 1);
  }
  harness_set_names(h, 0, "gw", GW_STATIC);
  harness_set_names(h, 3, "mid", 0x0a730003u);
  harness_set_names(h, 4, NULL, 0x0a730003u); /* the same: a clash */
  harness_start(h);
  harness_run_for(h, 10 * S);
  uint8_t gw[4] = {10, 115, 0, 1}, mid[4] = {10, 115, 0, 3};
  CU_ASSERT_FALSE(send_to(h, 5, gw, 0)); /* asks */
  CU_ASSERT_TRUE(send_to(h, 5, gw, 0));  /* goes */
  size_t len;
  const uint8_t *got = harness_last_delivered(h, 0, &len);
  uint8_t five[4], s6[16];
  harness_local_addr(h, 0, 5, five, s6);
  CU_ASSERT(len >= 20 && memcmp(got + 12, five, 4) == 0);
  /* the answer back to node 5 comes from 10.115.0.1 in its view */
  uint8_t root_from5[4];
  harness_local_addr(h, 5, 0, root_from5, s6);
  CU_ASSERT_EQUAL(memcmp(root_from5, gw, 4), 0);
  CU_ASSERT_TRUE(send_to(h, 0, five, 5));
  got = harness_last_delivered(h, 5, &len);
  CU_ASSERT(len >= 20 && memcmp(got + 12, gw, 4) == 0);
  /* node 3 holds node 4's record (4 is its child); node 4's claim of
   * 10.115.0.3, node 3's own, is refused there: node 3 is not reachable
   * by it from node 2, which holds both (and counts the clash) */
  CU_ASSERT_TRUE(send_to(h, 1, mid, 3));
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 2), &st);
  CU_ASSERT(st.static_conflicts >= 1);
  mcc_node_get_stats(harness_node(h, 5), &st);
  CU_ASSERT_EQUAL(st.static_conflicts, 0);
  /* an address nobody has: asked once, then the negative answer holds */
  uint8_t none[4] = {10, 115, 7, 7};
  harness_reset_counters(h);
  CU_ASSERT_FALSE(send_to(h, 5, none, 0));
  CU_ASSERT_FALSE(send_to(h, 5, none, 0));
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP), 5);
  harness_free(h);
}

/* A child that asks more than its share: the hop above keeps 64 of its
 * questions open and answers the rest BUSY at once, so one child cannot
 * take the 1,024 places every child shares; BUSY is no answer, so the
 * asker asks those again on its retry schedule and every question is
 * answered once the hop has room (a burst is served in turns). */
static void test_lookup_per_child_share(void) {
  harness *h = chain6(NULL);
  harness_cut(h, 4, 3, 1); /* questions from node 4 go nowhere */
  harness_reset_counters(h);
  for (int i = 0; i < 100; i++) {
    char name[16];
    snprintf(name, sizeof name, "q%d", i);
    sent(h, 5, MCC_LOOKUP_NAME, name, strlen(name));
  }
  harness_run_for(h, 100 * MS);
  CU_ASSERT_EQUAL(harness_datagrams(h, WIRE_LOOKUP_REPLY), 36);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 0);
  harness_free(h);
  /* with the way up open: 64 answered at once, the other 36 a retry later */
  h = chain6(NULL);
  for (int i = 0; i < 100; i++) {
    char name[16];
    snprintf(name, sizeof name, "q%d", i);
    sent(h, 5, MCC_LOOKUP_NAME, name, strlen(name));
  }
  harness_run_for(h, 100 * MS);
  CU_ASSERT_EQUAL(harness_answers(h, 5, NULL), 64);
  harness_run_for(h, 2 * S);
  harness_answer a;
  CU_ASSERT_EQUAL(harness_answers(h, 5, &a), 100);
  CU_ASSERT_EQUAL(a.status, MCC_LOOKUP_NO_SUCH);
  harness_free(h);
}

/* ---- the class: random networks and failures -------------------------------
 *
 * Random single-root DAGs (1-3 parents a node) and chains of 6-20 nodes,
 * every node named x<i>: once converged, every question from any node
 * about any other's name finds exactly that node; then a random node
 * other than the root dies, and while the network fails over and after,
 * no answer ever names the wrong node (it may be late, or say the node is
 * gone, never lie). Seeds print on failure. */
static int random_asks(harness *h, topo_rng *r, size_t n, int must_find,
                       const int *dead, uint64_t seed, const char *phase) {
  int bad = 0;
  for (int k = 0; k < 25; k++) {
    size_t from = topo_rng_below(r, n), to = topo_rng_below(r, n);
    if (from == to || dead[from]) continue;
    char name[16];
    snprintf(name, sizeof name, "x%zu", to);
    mcc_id id;
    int now, st = ask_name(h, from, name, &id, &now);
    int right = st == MCC_LOOKUP_FOUND && same(&id, harness_id(h, to));
    int wrong = st == MCC_LOOKUP_FOUND && !right;
    if (wrong || (must_find && !right)) {
      bad++;
      printf("\n  seed %llu, %s: x%zu asked for x%zu: status %d%s\n",
             (unsigned long long)seed, phase, from, to, st,
             wrong ? " naming another node" : "");
    }
  }
  return bad;
}

static void test_lookup_random_networks(void) {
  int bad = 0, ran = 0;
  for (uint64_t seed = 1; seed <= 16; seed++) {
    topo_rng r;
    topo_rng_seed(&r, seed * 7919);
    topo t;
    size_t n = 6 + topo_rng_below(&r, 15), roots = 0;
    topo_generate(&t, seed % 2 ? TOPO_DAG : TOPO_CHAIN, n, &r);
    n = t.n;
    for (size_t i = 0; i < n; i++) roots += topo_is_root(&t, i);
    if (roots != 1) continue; /* two roots: two networks, by design */
    ran++;
    harness *h = harness_new(n, seed, NULL);
    topo_apply(&t, h);
    char names[TOPO_MAX_NODES][24];
    for (size_t i = 0; i < n; i++) {
      snprintf(names[i], sizeof names[i], "x%zu", i);
      harness_set_names(h, i, names[i], 0);
    }
    harness_start(h);
    harness_run_for(h, 30 * S);
    int dead[TOPO_MAX_NODES] = {0};
    bad += random_asks(h, &r, n, 1, dead, seed, "converged");
    size_t k;
    do k = topo_rng_below(&r, n); while (topo_is_root(&t, k));
    harness_kill(h, k);
    dead[k] = 1;
    harness_run_for(h, 2 * S);
    bad += random_asks(h, &r, n, 0, dead, seed, "failing over");
    harness_run_for(h, 120 * S);
    bad += random_asks(h, &r, n, 0, dead, seed, "after the failover");
    harness_free(h);
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(ran >= 10);
}

void suite_lookup(void) {
  CU_pSuite s = CU_add_suite("lookup", NULL, NULL);
  CU_add_test(s, "chain of 6", test_lookup_chain);
  CU_add_test(s, "ttl and timeout", test_lookup_ttl_and_timeout);
  CU_add_test(s, "forged answer", test_lookup_forged_answer);
  CU_add_test(s, "15-node tree", test_lookup_tree15);
  CU_add_test(s, "cache and sharing", test_lookup_cache);
  CU_add_test(s, "retry, and ids kept", test_lookup_retry_and_id_keep);
  CU_add_test(s, "static addresses", test_lookup_static_addresses);
  CU_add_test(s, "a child's share of a hop", test_lookup_per_child_share);
  CU_add_test(s, "random networks and failures", test_lookup_random_networks);
}
