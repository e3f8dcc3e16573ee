/*
 * test_noise.c — the handshake's primitives against a second implementation
 * (HMAC-BLAKE2b vectors computed with Python's hmac and hashlib.blake2b),
 * and the KK handshake: both sides derive the same keys, and any change
 * to a message, a key or the prologue makes it fail.
 */
#include <sodium.h>

#include "noise.h"
#include "suites.h"
#include "testutil.h"

static void hex(uint8_t *out, const char *h, size_t n) {
  sodium_hex2bin(out, n, h, 2 * n, NULL, NULL, NULL);
}

static void test_noise_hmac_blake2b_vectors(void) {
  static const char msg[] = "The quick brown fox jumps over the lazy dog";
  uint8_t key[200], want[64], got[64];
  for (int i = 0; i < 200; i++) key[i] = (uint8_t)i;
  hex(want,
      "04ee7426defe6a0b873ebc0a47f31391324e13534aaea631564fcac3659e94fe"
      "6bd07501e39038dfa63d0140c6b03c2cb1bf715764bc9807894474141d58f81e",
      64);
  noise_hmac(got, key, 64, (const uint8_t *)msg, sizeof msg - 1);
  CU_ASSERT_EQUAL(memcmp(got, want, 64), 0);
  /* A key longer than the block is hashed first. */
  hex(want,
      "7b6d593626fdbf17325c34e2e415d85c4fe0bfa9264d3e6037b146acdd2544b0"
      "bec787e5a214533833c0e0f8386f6f3a46a1566cac5917652e8a0ad0b1bd8e99",
      64);
  noise_hmac(got, key, 200, (const uint8_t *)msg, sizeof msg - 1);
  CU_ASSERT_EQUAL(memcmp(got, want, 64), 0);
}

static void test_noise_hkdf_vector(void) {
  uint8_t ck[64], ikm[32], o1[64], o2[64], w1[64], w2[64];
  memset(ck, 1, sizeof ck);
  memset(ikm, 2, sizeof ikm);
  hex(w1,
      "12c4352c487964a39209817dc1f3a007a0d46ca33334d4a860fd773ac5dc462c"
      "37dfeaa45b8b38a14b7f416a9107ea18e15700c2de4a105e6607be1964ce0184",
      64);
  hex(w2,
      "c9b08b41c790d5ccfb34c7575440ff38aa6daebdf57cc8caf802d7588be685b1"
      "03a8b67a866c7193734491c3f6ca839d82f80844f7ee827c8db71540f039c317",
      64);
  noise_hkdf2(ck, ikm, sizeof ikm, o1, o2);
  CU_ASSERT_EQUAL(memcmp(o1, w1, 64), 0);
  CU_ASSERT_EQUAL(memcmp(o2, w2, 64), 0);
}

typedef struct hs_result {
  int rv1, rv2;
  uint8_t i_i2r[32], i_r2i[32], r_i2r[32], r_r2i[32];
  uint8_t payload1[16], payload2[16];
} hs_result;

/* Runs a handshake; corrupt(msg, which) may alter message 1 or 2. */
static void handshake(hs_result *res, const mcc_keypair *ini,
                      const mcc_keypair *resp, const mcc_id *resp_claimed,
                      const char *prologue_i, const char *prologue_r,
                      void (*corrupt)(uint8_t *msg, int which)) {
  noise_state si, sr;
  uint8_t e1[32], e2[32], m1[32 + 16 + 16], m2[32 + 16 + 16];
  memset(e1, 0x11, 32);
  memset(e2, 0x22, 32);
  noise_init(&si, &ini->pub, resp_claimed, (const uint8_t *)prologue_i,
             strlen(prologue_i));
  noise_init(&sr, &ini->pub, &resp->pub, (const uint8_t *)prologue_r,
             strlen(prologue_r));
  noise_write_msg1(&si, e1, ini, resp_claimed,
                   (const uint8_t *)"hello-from-init!", 16, m1);
  if (corrupt) corrupt(m1, 1);
  res->rv1 = noise_read_msg1(&sr, resp, &ini->pub, m1, sizeof m1,
                             res->payload1);
  noise_write_msg2(&sr, e2, &ini->pub, (const uint8_t *)"hello-from-resp!",
                   16, m2);
  if (corrupt) corrupt(m2, 2);
  res->rv2 = res->rv1 ? -1
                      : noise_read_msg2(&si, ini, m2, sizeof m2,
                                        res->payload2);
  noise_split(&si, res->i_i2r, res->i_r2i);
  noise_split(&sr, res->r_i2r, res->r_r2i);
}

static void flip_msg1_tag(uint8_t *m, int which) {
  if (which == 1) m[60] ^= 1;
}
static void flip_msg2_e(uint8_t *m, int which) {
  if (which == 2) m[3] ^= 1;
}

static void test_noise_kk_agrees_and_refuses_changes(void) {
  mcc_keypair a, b, c;
  test_keys(&a, 1);
  test_keys(&b, 2);
  test_keys(&c, 3);
  hs_result r;
  handshake(&r, &a, &b, &b.pub, "p", "p", NULL);
  CU_ASSERT_EQUAL(r.rv1, 0);
  CU_ASSERT_EQUAL(r.rv2, 0);
  CU_ASSERT_EQUAL(memcmp(r.payload1, "hello-from-init!", 16), 0);
  CU_ASSERT_EQUAL(memcmp(r.payload2, "hello-from-resp!", 16), 0);
  CU_ASSERT_EQUAL(memcmp(r.i_i2r, r.r_i2r, 32), 0);
  CU_ASSERT_EQUAL(memcmp(r.i_r2i, r.r_r2i, 32), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(r.i_i2r, r.i_r2i, 32), 0);
  /* Another prologue (a swapped certificate): refused. */
  handshake(&r, &a, &b, &b.pub, "p", "q", NULL);
  CU_ASSERT_EQUAL(r.rv1, MCC_ERR_DECRYPT);
  /* The initiator aimed at c, b answers: b cannot read it. */
  handshake(&r, &a, &b, &c.pub, "p", "p", NULL);
  CU_ASSERT_EQUAL(r.rv1, MCC_ERR_DECRYPT);
  handshake(&r, &a, &b, &b.pub, "p", "p", flip_msg1_tag);
  CU_ASSERT_EQUAL(r.rv1, MCC_ERR_DECRYPT);
  handshake(&r, &a, &b, &b.pub, "p", "p", flip_msg2_e);
  CU_ASSERT_EQUAL(r.rv1, 0);
  CU_ASSERT_EQUAL(r.rv2, MCC_ERR_DECRYPT);
}

void suite_noise(void) {
  CU_pSuite s = CU_add_suite("noise", NULL, NULL);
  ADD_TEST(s, test_noise_hmac_blake2b_vectors);
  ADD_TEST(s, test_noise_hkdf_vector);
  ADD_TEST(s, test_noise_kk_agrees_and_refuses_changes);
}
