/*
 * test_identity.c — key pairs and the Base32 text form of node ids.
 */
#include "suites.h"
#include "testutil.h"

static void test_identity_seed_is_deterministic(void) {
  mcc_keypair a, b, c;
  test_keys(&a, 7);
  test_keys(&b, 7);
  test_keys(&c, 8);
  CU_ASSERT_EQUAL(memcmp(a.pub.key, b.pub.key, 32), 0);
  CU_ASSERT_EQUAL(memcmp(a.sec, b.sec, 64), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(a.pub.key, c.pub.key, 32), 0);
}

static void test_identity_generate_differs(void) {
  mcc_keypair a, b;
  CU_ASSERT_EQUAL(mcc_keypair_generate(&a), 0);
  CU_ASSERT_EQUAL(mcc_keypair_generate(&b), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(a.pub.key, b.pub.key, 32), 0);
}

static void test_identity_text_round_trip(void) {
  for (int t = 0; t < 64; t++) {
    mcc_keypair kp;
    test_keys(&kp, (uint8_t)t);
    char text[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&kp.pub, text);
    CU_ASSERT_EQUAL(strlen(text), MCC_ID_TEXT_LEN);
    CU_ASSERT_EQUAL(strspn(text, "0123456789abcdefghjkmnpqrstvwxyz"),
                    MCC_ID_TEXT_LEN);
    mcc_id back;
    CU_ASSERT_EQUAL(mcc_id_from_text(&back, text, strlen(text)), 0);
    CU_ASSERT_EQUAL(memcmp(back.key, kp.pub.key, 32), 0);
  }
}

static void test_identity_known_vectors(void) {
  mcc_id zero, ones;
  memset(zero.key, 0, 32);
  memset(ones.key, 0xff, 32);
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&zero, text);
  CU_ASSERT_STRING_EQUAL(text,
                         "0000000000000000000000000000000000000000000000000000");
  mcc_id_to_text(&ones, text);
  /* 256 one bits then 4 zero bits: the last character is 0b10000 = 'g'. */
  CU_ASSERT_STRING_EQUAL(text,
                         "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzg");
  /* The manual's example id parses. */
  mcc_id id;
  const char *manual = "3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7x0";
  CU_ASSERT_EQUAL(mcc_id_from_text(&id, manual, strlen(manual)), 0);
  mcc_id_to_text(&id, text);
  CU_ASSERT_STRING_EQUAL(text, manual);
}

static void test_identity_rejects_bad_text(void) {
  mcc_id id;
  const char *good = "3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7x0";
  char buf[80];
  static const struct {
    const char *what;
    int len_delta;
    int pos;
    char c;
    int want;
  } cases[] = {
      {"one short", -1, -1, 0, MCC_ERR_ID_LENGTH},
      {"empty", -52, -1, 0, MCC_ERR_ID_LENGTH},
      {"one long", +1, 52, '0', MCC_ERR_ID_LENGTH},
      {"letter i", 0, 3, 'i', MCC_ERR_ID_CHAR},
      {"letter l", 0, 10, 'l', MCC_ERR_ID_CHAR},
      {"letter o", 0, 0, 'o', MCC_ERR_ID_CHAR},
      {"letter u", 0, 20, 'u', MCC_ERR_ID_CHAR},
      {"upper case", 0, 1, 'Z', MCC_ERR_ID_CHAR},
      {"space", 0, 5, ' ', MCC_ERR_ID_CHAR},
      {"NUL", 0, 5, '\0', MCC_ERR_ID_CHAR},
      {"trailing bits", 0, 51, '1', MCC_ERR_ID_PADDING},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    memcpy(buf, good, 53);
    size_t len = (size_t)(52 + cases[k].len_delta);
    if (cases[k].pos >= 0) buf[cases[k].pos] = cases[k].c;
    int rv = mcc_id_from_text(&id, buf, len);
    if (rv != cases[k].want)
      fprintf(stderr, "case %s: got %d\n", cases[k].what, rv);
    CU_ASSERT_EQUAL(rv, cases[k].want);
  }
  CU_ASSERT_EQUAL(mcc_id_from_text(&id, good, 52), 0);
}

void suite_identity(void) {
  CU_pSuite s = CU_add_suite("identity", NULL, NULL);
  ADD_TEST(s, test_identity_seed_is_deterministic);
  ADD_TEST(s, test_identity_generate_differs);
  ADD_TEST(s, test_identity_text_round_trip);
  ADD_TEST(s, test_identity_known_vectors);
  ADD_TEST(s, test_identity_rejects_bad_text);
}
