/*
 * test_replay.c — the replay window against a naive reference (a set of
 * every accepted counter and the highest one) on random input.
 */
#include <stdlib.h>

#include "replay.h"
#include "suites.h"
#include "testutil.h"

static void test_replay_basic(void) {
  replay_window w;
  replay_init(&w);
  CU_ASSERT_TRUE(replay_check(&w, 0));
  replay_accept(&w, 0);
  CU_ASSERT_FALSE(replay_check(&w, 0));
  CU_ASSERT_TRUE(replay_check(&w, 5));
  replay_accept(&w, 5);
  CU_ASSERT_TRUE(replay_check(&w, 3)); /* reordered, inside the window */
  replay_accept(&w, 3);
  CU_ASSERT_FALSE(replay_check(&w, 3));
  replay_accept(&w, 1000);
  CU_ASSERT_FALSE(replay_check(&w, 1000 - REPLAY_WINDOW_BITS)); /* too old */
  CU_ASSERT_TRUE(replay_check(&w, 1000 - REPLAY_WINDOW_BITS + 1));
}

static void test_replay_against_reference(void) {
  enum { RANGE = 600, ROUNDS = 20000 };
  static uint8_t seen[RANGE];
  memset(seen, 0, sizeof seen);
  replay_window w;
  replay_init(&w);
  long top = -1;
  srand(12345);
  unsigned mismatches = 0;
  for (int i = 0; i < ROUNDS; i++) {
    long pick = top < 0 ? rand() % 8 : top - 80 + rand() % 100;
    if (pick < 0 || pick >= RANGE) continue;
    uint32_t c = (uint32_t)pick;
    int want = !seen[c] && (top < 0 || (long)c > top - REPLAY_WINDOW_BITS);
    int got = replay_check(&w, c);
    if (got != want) mismatches++;
    if (got) {
      replay_accept(&w, c);
      seen[c] = 1;
      if ((long)c > top) top = c;
    }
  }
  CU_ASSERT_EQUAL(mismatches, 0);
}

void suite_replay(void) {
  CU_pSuite s = CU_add_suite("replay", NULL, NULL);
  ADD_TEST(s, test_replay_basic);
  ADD_TEST(s, test_replay_against_reference);
}
