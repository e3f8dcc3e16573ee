/*
 * testutil.h — small helpers shared by the CUnit suites.
 */
#ifndef MCC_TESTUTIL_H
#define MCC_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <string.h>

#include <mcc/mcc.h>

#define ADD_TEST(suite, fn) CU_add_test((suite), #fn, (fn))

static inline void test_keys(mcc_keypair *kp, uint8_t tag) {
  uint8_t seed[MCC_SEED_LEN];
  memset(seed, tag, sizeof seed);
  mcc_keypair_from_seed(kp, seed);
}

#endif
