/*
 * test_wire.c — datagram layouts: sizes as PROTOCOL.md documents them,
 * round trips, and decoders refusing what is malformed.
 */
#include "suites.h"
#include "testutil.h"
#include "wire.h"

static void test_wire_sizes_match_protocol_md(void) {
  CU_ASSERT_EQUAL(MCC_CERT_LEN, 138);
  CU_ASSERT_EQUAL(WIRE_HELLO_LEN, 245);
  CU_ASSERT_EQUAL(WIRE_HELLO_ACK_LEN, 235);
  CU_ASSERT_EQUAL(WIRE_KEEPALIVE_LEN, 21);
  CU_ASSERT_EQUAL(WIRE_UPDATE_ACK_LEN, 25);
  CU_ASSERT_EQUAL(WIRE_BYE_LEN, 21);
  CU_ASSERT_EQUAL(WIRE_RECORD_FIXED_LEN, 244);
  CU_ASSERT_EQUAL(WIRE_WITHDRAW_LEN, 37);
  CU_ASSERT_EQUAL(WIRE_MAX_DATAGRAM, 1232);
}

static void test_wire_datagram_type(void) {
  uint8_t b[1] = {0};
  CU_ASSERT_EQUAL(wire_datagram_type(b, 0), MCC_ERR_TRUNCATED);
  for (int t = 0; t < 32; t++) {
    b[0] = (uint8_t)((1 << 5) | t);
    int want = (t >= WIRE_HELLO && t <= WIRE_TYPE_LAST) ? t : MCC_ERR_TYPE;
    CU_ASSERT_EQUAL(wire_datagram_type(b, 1), want);
  }
  for (int v = 0; v < 8; v++) {
    if (v == 1) continue;
    b[0] = (uint8_t)((v << 5) | WIRE_HELLO);
    CU_ASSERT_EQUAL(wire_datagram_type(b, 1), MCC_ERR_VERSION);
  }
}

static void make_record(wire_record *w, mcc_keypair *node, mcc_keypair *net) {
  memset(w, 0, sizeof *w);
  mcc_cert_sign(&w->cert, MCC_CERT_NODE, &node->pub, net, 1, 2);
  w->seq = 42;
  w->flags = WIRE_RECORD_HAS_PARENT;
  memset(w->parent.key, 0xab, 32);
  w->static_addr = 0x0a730001;
  const uint8_t extra[] = {WIRE_EXTRA_DNS_NAME, 3, 'c', 'a', 'm',
                           WIRE_EXTRA_TAG, 2, 'o', 'k'};
  memcpy(w->extra, extra, sizeof extra);
  w->extra_len = sizeof extra;
  wire_signer signer = {node, NULL, NULL};
  wire_record_sign(w, &signer);
}

static void test_wire_record_round_trip_and_tamper(void) {
  mcc_keypair node, net;
  test_keys(&node, 5);
  test_keys(&net, 6);
  wire_record w, back;
  make_record(&w, &node, &net);
  uint8_t buf[WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  size_t n = wire_record_encode(buf, &w), used = 0;
  CU_ASSERT_EQUAL(n, WIRE_RECORD_FIXED_LEN + 9);
  CU_ASSERT_EQUAL(wire_record_decode(&back, buf, n, &used), 0);
  CU_ASSERT_EQUAL(used, n);
  CU_ASSERT_EQUAL(back.seq, 42);
  CU_ASSERT_EQUAL(back.static_addr, 0x0a730001);
  CU_ASSERT_EQUAL(wire_record_verify(&back, NULL, NULL), 0);
  /* Any flipped byte is refused by decode or by the signature. */
  unsigned refused = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t copy[sizeof buf];
    memcpy(copy, buf, n);
    copy[i] ^= 0x04;
    if (wire_record_decode(&back, copy, n, &used) != 0 ||
        wire_record_verify(&back, NULL, NULL) != 0 || used != n)
      refused++;
  }
  /* The certificate's own signature bytes are not the record's to check:
   * only mcc_cert_verify catches those 64. */
  CU_ASSERT_EQUAL(refused, n);
  /* Truncation anywhere. */
  for (size_t len = 0; len < n; len++)
    CU_ASSERT_NOT_EQUAL(wire_record_decode(&back, buf, len, &used), 0);
}

static void test_wire_extra_check(void) {
  static const struct {
    uint8_t bytes[8];
    size_t len;
    int want;
  } cases[] = {
      {{0}, 0, 0},
      {{1, 1, 'a'}, 3, 0},
      {{1, 2, 'a'}, 3, MCC_ERR_TRUNCATED},
      {{1}, 1, MCC_ERR_TRUNCATED},
      {{3, 1, 'a'}, 3, MCC_ERR_TYPE},
      {{1, 0}, 2, MCC_ERR_BAD_LENGTH},
      {{2, 1, ','}, 3, MCC_ERR_VALUE},
      {{2, 1, ' '}, 3, MCC_ERR_VALUE},
      {{2, 1, 0x80}, 3, MCC_ERR_VALUE},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    CU_ASSERT_EQUAL(wire_extra_check(cases[k].bytes, cases[k].len),
                    cases[k].want);
}

static void test_wire_seal_open(void) {
  uint8_t key[32], other[32];
  memset(key, 1, 32);
  memset(other, 2, 32);
  uint8_t out[64], body[64];
  size_t n = wire_seal(out, WIRE_UPDATE_ACK, 7, key, (const uint8_t *)"abcd", 4);
  CU_ASSERT_EQUAL(n, WIRE_UPDATE_ACK_LEN);
  uint32_t counter = 0;
  size_t bodylen = 0;
  CU_ASSERT_EQUAL(wire_open(out, n, key, &counter, body, &bodylen), 0);
  CU_ASSERT_EQUAL(counter, 7);
  CU_ASSERT_EQUAL(bodylen, 4);
  CU_ASSERT_EQUAL(memcmp(body, "abcd", 4), 0);
  CU_ASSERT_EQUAL(wire_open(out, n, other, &counter, body, &bodylen),
                  MCC_ERR_DECRYPT);
  out[0] ^= 1; /* the header is authenticated */
  CU_ASSERT_EQUAL(wire_open(out, n, key, &counter, body, &bodylen),
                  MCC_ERR_DECRYPT);
  CU_ASSERT_EQUAL(wire_open(out, WIRE_SEALED_OVERHEAD - 1, key, &counter,
                            body, &bodylen),
                  MCC_ERR_TRUNCATED);
}

void suite_wire(void) {
  CU_pSuite s = CU_add_suite("wire", NULL, NULL);
  ADD_TEST(s, test_wire_sizes_match_protocol_md);
  ADD_TEST(s, test_wire_datagram_type);
  ADD_TEST(s, test_wire_record_round_trip_and_tamper);
  ADD_TEST(s, test_wire_extra_check);
  ADD_TEST(s, test_wire_seal_open);
}
