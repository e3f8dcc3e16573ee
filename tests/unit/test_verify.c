/*
 * test_verify.c — the verification cache (hits only for what verified,
 * lookup-only checks, buckets of two, checking ahead with
 * mcc_verify_cache_check) and the signed_message callback's contract: what
 * a node reports is exactly what its peers verify, so a host that checks
 * the reports ahead turns the receivers' checks into cache hits.
 */
#include <sodium.h>
#include <string.h>

#include "cert.h"
#include "harness.h"
#include "suites.h"
#include "testutil.h"
#include "verify.h"
#include "wire.h"

typedef struct signed_msg {
  uint8_t pk[32], sig[64], msg[512];
  size_t len;
} signed_msg;

static void sign_msg(signed_msg *m, const mcc_keypair *k, const char *text) {
  memcpy(m->pk, k->pub.key, 32);
  m->len = strlen(text);
  memcpy(m->msg, text, m->len);
  crypto_sign_detached(m->sig, NULL, m->msg, m->len, k->sec);
}

static int lookup_hits(mcc_verify_cache *c, const signed_msg *m) {
  int hit = -1;
  int rv = verify_signature(c, VERIFY_LOOKUP, m->sig, m->msg, m->len, m->pk,
                            &hit);
  return rv == 0 && hit == 1;
}

static void test_verify_check_ahead_then_hit(void) {
  mcc_keypair k;
  test_keys(&k, 21);
  mcc_verify_cache *c = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_verify_cache_new(&c, 64), 0);
  signed_msg m;
  sign_msg(&m, &k, "a handshake");
  CU_ASSERT_FALSE(lookup_hits(c, &m));
  CU_ASSERT_FALSE(lookup_hits(c, &m)); /* a lookup never stores */
  CU_ASSERT_EQUAL(mcc_verify_cache_check(c, m.pk, m.msg, m.len, m.sig), 0);
  CU_ASSERT_TRUE(lookup_hits(c, &m));
  /* A bad signature is refused and never stored. */
  signed_msg bad = m;
  bad.sig[5] ^= 1;
  CU_ASSERT_EQUAL(mcc_verify_cache_check(c, bad.pk, bad.msg, bad.len, bad.sig),
                  MCC_ERR_BAD_SIGNATURE);
  int hit = -1;
  CU_ASSERT_EQUAL(verify_signature(c, VERIFY_LOOKUP, bad.sig, bad.msg, bad.len,
                                   bad.pk, &hit),
                  MCC_ERR_BAD_SIGNATURE);
  CU_ASSERT_EQUAL(hit, 0);
  /* Nor does a hit for one message stand for another. */
  signed_msg other = m;
  other.msg[0] ^= 1;
  CU_ASSERT_EQUAL(verify_signature(c, VERIFY_LOOKUP, other.sig, other.msg,
                                   other.len, other.pk, NULL),
                  MCC_ERR_BAD_SIGNATURE);
  CU_ASSERT_EQUAL(mcc_verify_cache_check(NULL, m.pk, m.msg, m.len, m.sig),
                  MCC_ERR_INVALID_ARGUMENT);
  mcc_verify_cache_free(c);
}

/* One bucket (capacity 2): the two newest stay, a third pushes out the
 * oldest, which then costs a verification again, and stays correct. */
static void test_verify_bucket_of_two(void) {
  mcc_keypair k;
  test_keys(&k, 22);
  mcc_verify_cache *c = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_verify_cache_new(&c, 2), 0);
  signed_msg a, b, d;
  sign_msg(&a, &k, "first");
  sign_msg(&b, &k, "second");
  sign_msg(&d, &k, "third");
  CU_ASSERT_EQUAL(mcc_verify_cache_check(c, a.pk, a.msg, a.len, a.sig), 0);
  CU_ASSERT_EQUAL(mcc_verify_cache_check(c, b.pk, b.msg, b.len, b.sig), 0);
  CU_ASSERT_TRUE(lookup_hits(c, &a));
  CU_ASSERT_TRUE(lookup_hits(c, &b));
  CU_ASSERT_EQUAL(mcc_verify_cache_check(c, d.pk, d.msg, d.len, d.sig), 0);
  CU_ASSERT_FALSE(lookup_hits(c, &a));
  CU_ASSERT_TRUE(lookup_hits(c, &b));
  CU_ASSERT_TRUE(lookup_hits(c, &d));
  /* Capacity 1 rounds up to one whole bucket. */
  mcc_verify_cache *one = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_verify_cache_new(&one, 1), 0);
  CU_ASSERT_EQUAL(mcc_verify_cache_check(one, a.pk, a.msg, a.len, a.sig), 0);
  CU_ASSERT_TRUE(lookup_hits(one, &a));
  mcc_verify_cache_free(one);
  mcc_verify_cache_free(c);
}

static void test_verify_cert_checked_ahead(void) {
  mcc_keypair net, node;
  test_keys(&net, 23);
  test_keys(&node, 24);
  mcc_cert cert;
  mcc_cert_sign(&cert, MCC_CERT_NODE, &node.pub, &net, 100, 200);
  mcc_verify_cache *c = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_verify_cache_new(&c, 64), 0);
  CU_ASSERT_EQUAL(mcc_verify_cache_check_cert(c, &cert), 0);
  int hit = -1;
  CU_ASSERT_EQUAL(cert_verify_cached(&cert, 150, c, &hit), 0);
  CU_ASSERT_EQUAL(hit, 1);
  /* The validity period is still the node's to check. */
  CU_ASSERT_EQUAL(cert_verify_cached(&cert, 201, c, &hit),
                  MCC_ERR_CERT_EXPIRED);
  mcc_cert forged = cert;
  forged.not_after = 300;
  CU_ASSERT_EQUAL(mcc_verify_cache_check_cert(c, &forged),
                  MCC_ERR_BAD_SIGNATURE);
  CU_ASSERT_EQUAL(cert_verify_cached(&forged, 150, c, &hit),
                  MCC_ERR_BAD_SIGNATURE);
  mcc_verify_cache_free(c);
}

/* ---- the signed_message contract ------------------------------------------ */

#define MAX_REPORTS 64

typedef struct reports {
  signed_msg m[MAX_REPORTS];
  size_t node[MAX_REPORTS];
  size_t n, bad;
  uint8_t hello[WIRE_HELLO_LEN], ack[WIRE_HELLO_ACK_LEN];
  int have_hello, have_ack;
} reports;

static void on_signed(void *user, size_t node, const uint8_t pk[32],
                      const uint8_t *msg, size_t msglen,
                      const uint8_t sig[64]) {
  reports *r = user;
  if (crypto_sign_verify_detached(sig, msg, msglen, pk) != 0) r->bad++;
  if (r->n == MAX_REPORTS || msglen > sizeof r->m[0].msg) return;
  signed_msg *m = &r->m[r->n];
  memcpy(m->pk, pk, 32);
  memcpy(m->sig, sig, 64);
  memcpy(m->msg, msg, msglen);
  m->len = msglen;
  r->node[r->n++] = node;
}

static int capture(void *user, size_t from, size_t to, uint8_t *data,
                   size_t *len) {
  (void)from;
  (void)to;
  reports *r = user;
  int type = wire_datagram_type(data, *len);
  if (type == WIRE_HELLO && *len == WIRE_HELLO_LEN && !r->have_hello) {
    memcpy(r->hello, data, *len);
    r->have_hello = 1;
  }
  if (type == WIRE_HELLO_ACK && *len == WIRE_HELLO_ACK_LEN && !r->have_ack) {
    memcpy(r->ack, data, *len);
    r->have_ack = 1;
  }
  return 1;
}

/* The report whose message ends with the datagram's signed bytes and whose
 * signature is the datagram's. */
static const signed_msg *report_of(const reports *r, const uint8_t *dgram,
                                   size_t signed_len, const uint8_t *sig) {
  for (size_t k = 0; k < r->n; k++) {
    const signed_msg *m = &r->m[k];
    if (memcmp(m->sig, sig, 64) != 0 || m->len < signed_len) continue;
    for (size_t off = 0; off + signed_len <= m->len; off++)
      if (memcmp(m->msg + off, dgram, signed_len) == 0) return m;
  }
  return NULL;
}

static void test_verify_signed_message_reports(void) {
  mcc_verify_cache *cache = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_verify_cache_new(&cache, 256), 0);
  mcc_settings base;
  mcc_settings_default(&base);
  base.verify_cache = cache;
  harness *h = harness_new(2, 31, &base);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  static reports r;
  memset(&r, 0, sizeof r);
  harness_on_signed(h, on_signed, &r);
  harness_set_filter(h, capture, &r);
  harness_start(h);
  harness_run_for(h, 10 * HARNESS_S);
  /* hello (child), ack (root), the child's record: at least three. */
  CU_ASSERT_TRUE(r.n >= 3);
  CU_ASSERT_EQUAL(r.bad, 0);
  CU_ASSERT_TRUE_FATAL(r.have_hello && r.have_ack);
  /* Each handshake signature is reported over exactly the datagram's
   * signed bytes (after a context string), by the node that sent it. */
  const signed_msg *hello = report_of(&r, r.hello, WIRE_HELLO_LEN - 64,
                                      r.hello + WIRE_HELLO_LEN - 64);
  const signed_msg *ack = report_of(&r, r.ack, WIRE_HELLO_ACK_LEN - 64,
                                    r.ack + WIRE_HELLO_ACK_LEN - 64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(hello);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ack);
  CU_ASSERT_EQUAL(memcmp(hello->pk, harness_id(h, 1)->key, 32), 0);
  CU_ASSERT_EQUAL(memcmp(ack->pk, harness_id(h, 0)->key, 32), 0);
  /* What the receivers verified is what was reported: checked ahead, the
   * receiver's lookup-only check of the same datagram is a hit. */
  wire_hello dh;
  CU_ASSERT_FALSE(lookup_hits(cache, hello));
  CU_ASSERT_EQUAL(mcc_verify_cache_check(cache, hello->pk, hello->msg,
                                         hello->len, hello->sig),
                  0);
  CU_ASSERT_TRUE(lookup_hits(cache, hello));
  CU_ASSERT_EQUAL(wire_hello_decode(&dh, r.hello, WIRE_HELLO_LEN, cache,
                                    VERIFY_LOOKUP),
                  0);
  harness_free(h);
  mcc_verify_cache_free(cache);
}

void suite_verify(void) {
  CU_pSuite s = CU_add_suite("verify", NULL, NULL);
  ADD_TEST(s, test_verify_check_ahead_then_hit);
  ADD_TEST(s, test_verify_bucket_of_two);
  ADD_TEST(s, test_verify_cert_checked_ahead);
  ADD_TEST(s, test_verify_signed_message_reports);
}
