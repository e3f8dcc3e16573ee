/*
 * test_cert.c — certificate encoding, Base64, signatures, validity, the
 * trust policy (same network by default; trusted-networks and
 * trusted-nodes widen it) and the verification cache.
 */
#include "cert.h"
#include "suites.h"
#include "testutil.h"

#define T0 1790000000u

typedef struct chain {
  mcc_keypair authority, network, other_network, node;
  mcc_cert network_cert, node_cert, foreign_node_cert;
} chain;

static void make_chain(chain *c) {
  test_keys(&c->authority, 1);
  test_keys(&c->network, 2);
  test_keys(&c->other_network, 3);
  test_keys(&c->node, 4);
  mcc_cert_sign(&c->network_cert, MCC_CERT_NETWORK, &c->network.pub,
                &c->authority, T0 - 100, T0 + 100);
  mcc_cert_sign(&c->node_cert, MCC_CERT_NODE, &c->node.pub, &c->network,
                T0 - 100, T0 + 100);
  mcc_cert_sign(&c->foreign_node_cert, MCC_CERT_NODE, &c->node.pub,
                &c->other_network, T0 - 100, T0 + 100);
}

static void test_cert_encode_round_trip(void) {
  chain c;
  make_chain(&c);
  uint8_t bin[MCC_CERT_LEN];
  mcc_cert_encode(&c.node_cert, bin);
  mcc_cert back;
  CU_ASSERT_EQUAL(mcc_cert_decode(&back, bin, sizeof bin), 0);
  CU_ASSERT_EQUAL(back.kind, MCC_CERT_NODE);
  CU_ASSERT_EQUAL(back.not_before, T0 - 100);
  CU_ASSERT_EQUAL(back.not_after, T0 + 100);
  CU_ASSERT_EQUAL(memcmp(back.subject.key, c.node.pub.key, 32), 0);
  CU_ASSERT_EQUAL(memcmp(back.issuer.key, c.network.pub.key, 32), 0);
  CU_ASSERT_EQUAL(mcc_cert_verify(&back, T0), 0);
}

static void test_cert_base64_round_trip(void) {
  chain c;
  make_chain(&c);
  char text[MCC_CERT_BASE64_LEN + 1];
  mcc_cert_to_base64(&c.network_cert, text);
  CU_ASSERT_EQUAL(strlen(text), MCC_CERT_BASE64_LEN);
  char padded[MCC_CERT_BASE64_LEN + 8];
  snprintf(padded, sizeof padded, "  %s\n", text);
  mcc_cert back;
  CU_ASSERT_EQUAL(mcc_cert_from_base64(&back, padded, strlen(padded)), 0);
  CU_ASSERT_EQUAL(back.kind, MCC_CERT_NETWORK);
  CU_ASSERT_EQUAL(mcc_cert_verify(&back, T0), 0);
  text[10] = '*';
  CU_ASSERT_EQUAL(mcc_cert_from_base64(&back, text, strlen(text)),
                  MCC_ERR_BASE64);
  CU_ASSERT_EQUAL(mcc_cert_from_base64(&back, text, 20), MCC_ERR_BASE64);
  /* libsodium 1.0.18 skips bytes >= 0x80; we must not. */
  mcc_cert_to_base64(&c.network_cert, text);
  text[10] = (char)0xC3;
  CU_ASSERT_EQUAL(mcc_cert_from_base64(&back, text, strlen(text)),
                  MCC_ERR_BASE64);
}

static void test_cert_decode_rejects_malformed(void) {
  chain c;
  make_chain(&c);
  uint8_t bin[MCC_CERT_LEN + 1];
  mcc_cert_encode(&c.node_cert, bin);
  mcc_cert out;
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, MCC_CERT_LEN - 1),
                  MCC_ERR_TRUNCATED);
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, 0), MCC_ERR_TRUNCATED);
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, MCC_CERT_LEN + 1),
                  MCC_ERR_BAD_LENGTH);
  bin[0] = 9;
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, MCC_CERT_LEN), MCC_ERR_VERSION);
  bin[0] = 1;
  bin[1] = 0;
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, MCC_CERT_LEN), MCC_ERR_TYPE);
  bin[1] = 4;
  CU_ASSERT_EQUAL(mcc_cert_decode(&out, bin, MCC_CERT_LEN), MCC_ERR_TYPE);
}

static void test_cert_tampering_breaks_signature(void) {
  chain c;
  make_chain(&c);
  uint8_t bin[MCC_CERT_LEN];
  mcc_cert_encode(&c.node_cert, bin);
  unsigned bad = 0;
  /* Flip one bit of every byte after version and kind, one at a time. */
  for (size_t i = 2; i < MCC_CERT_LEN; i++) {
    uint8_t copy[MCC_CERT_LEN];
    memcpy(copy, bin, sizeof copy);
    copy[i] ^= 0x10;
    mcc_cert out;
    if (mcc_cert_decode(&out, copy, sizeof copy) != 0 ||
        mcc_cert_verify(&out, T0) != 0)
      bad++;
  }
  CU_ASSERT_EQUAL(bad, MCC_CERT_LEN - 2);
}

static void test_cert_validity_period(void) {
  chain c;
  make_chain(&c);
  CU_ASSERT_EQUAL(mcc_cert_verify(&c.node_cert, T0 - 100), 0);
  CU_ASSERT_EQUAL(mcc_cert_verify(&c.node_cert, T0 + 100), 0);
  CU_ASSERT_EQUAL(mcc_cert_verify(&c.node_cert, T0 - 101),
                  MCC_ERR_CERT_NOT_YET_VALID);
  CU_ASSERT_EQUAL(mcc_cert_verify(&c.node_cert, T0 + 101),
                  MCC_ERR_CERT_EXPIRED);
  mcc_cert bad;
  CU_ASSERT_EQUAL(mcc_cert_sign(&bad, MCC_CERT_NODE, &c.node.pub, &c.network,
                                T0, T0 - 1),
                  MCC_ERR_INVALID_ARGUMENT);
}

static void test_cert_trust_policy(void) {
  chain c;
  make_chain(&c);
  mcc_trust own = {&c.network.pub, 1, NULL, 0};
  CU_ASSERT_EQUAL(mcc_trust_check(&own, &c.node_cert, T0), 0);
  /* Signed by a different network key: refused. */
  CU_ASSERT_EQUAL(mcc_trust_check(&own, &c.foreign_node_cert, T0),
                  MCC_ERR_UNTRUSTED);
  /* trusted-networks admits it. */
  mcc_id nets[2] = {c.network.pub, c.other_network.pub};
  mcc_trust wide = {nets, 2, NULL, 0};
  CU_ASSERT_EQUAL(mcc_trust_check(&wide, &c.foreign_node_cert, T0), 0);
  /* trusted-nodes admits that one node only. */
  mcc_trust by_node = {&c.network.pub, 1, &c.node.pub, 1};
  CU_ASSERT_EQUAL(mcc_trust_check(&by_node, &c.foreign_node_cert, T0), 0);
  mcc_keypair stranger;
  test_keys(&stranger, 99);
  mcc_cert stranger_cert;
  mcc_cert_sign(&stranger_cert, MCC_CERT_NODE, &stranger.pub,
                &c.other_network, T0 - 1, T0 + 1);
  CU_ASSERT_EQUAL(mcc_trust_check(&by_node, &stranger_cert, T0),
                  MCC_ERR_UNTRUSTED);
  /* Expired and not-yet-valid are refused even when trusted. */
  CU_ASSERT_EQUAL(mcc_trust_check(&wide, &c.foreign_node_cert, T0 + 500),
                  MCC_ERR_CERT_EXPIRED);
  CU_ASSERT_EQUAL(mcc_trust_check(&wide, &c.foreign_node_cert, T0 - 500),
                  MCC_ERR_CERT_NOT_YET_VALID);
  /* A forged certificate claiming our issuer fails its signature. */
  mcc_cert forged = c.foreign_node_cert;
  forged.issuer = c.network.pub;
  CU_ASSERT_EQUAL(mcc_trust_check(&own, &forged, T0), MCC_ERR_BAD_SIGNATURE);
}

static void test_cert_cache_hits_and_stays_correct(void) {
  chain c;
  make_chain(&c);
  mcc_verify_cache *cache = NULL;
  CU_ASSERT_EQUAL(mcc_verify_cache_new(&cache, 64), 0);
  int hit = -1;
  CU_ASSERT_EQUAL(cert_verify_cached(&c.node_cert, T0, cache, &hit), 0);
  CU_ASSERT_EQUAL(hit, 0);
  CU_ASSERT_EQUAL(cert_verify_cached(&c.node_cert, T0, cache, &hit), 0);
  CU_ASSERT_EQUAL(hit, 1);
  /* Validity is not cached. */
  CU_ASSERT_EQUAL(cert_verify_cached(&c.node_cert, T0 + 500, cache, &hit),
                  MCC_ERR_CERT_EXPIRED);
  /* A tampered certificate never hits. */
  mcc_cert forged = c.node_cert;
  forged.not_after += 1000;
  CU_ASSERT_EQUAL(cert_verify_cached(&forged, T0, cache, &hit),
                  MCC_ERR_BAD_SIGNATURE);
  CU_ASSERT_EQUAL(hit, 0);
  CU_ASSERT_EQUAL(cert_verify_cached(&forged, T0, cache, &hit),
                  MCC_ERR_BAD_SIGNATURE);
  mcc_verify_cache_free(cache);
}

void suite_cert(void) {
  CU_pSuite s = CU_add_suite("cert", NULL, NULL);
  ADD_TEST(s, test_cert_encode_round_trip);
  ADD_TEST(s, test_cert_base64_round_trip);
  ADD_TEST(s, test_cert_decode_rejects_malformed);
  ADD_TEST(s, test_cert_tampering_breaks_signature);
  ADD_TEST(s, test_cert_validity_period);
  ADD_TEST(s, test_cert_trust_policy);
  ADD_TEST(s, test_cert_cache_hits_and_stays_correct);
}
