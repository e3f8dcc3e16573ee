/*
 * test_update_window.c — a child keeps up to UPDATE_WINDOW UPDATEs in
 * flight to its parent, never more; an UPDATE overtaken by a newer one is
 * dropped unacknowledged and what it carried still arrives (resent).
 */
#include <string.h>

#include "harness.h"
#include "suites.h"
#include "testutil.h"
#include "wire.h"

#define RELAY 1    /* child of the root, parent of the leaves */
#define LEAVES 48  /* records enough for more than a window of UPDATEs */

typedef struct window_watch {
  int outstanding, max_outstanding;
  int held; /* an UPDATE kept back, to be delivered late */
  uint8_t late[WIRE_MAX_DATAGRAM];
  size_t late_len;
  int hold_one;
} window_watch;

/* Counts UPDATEs relay -> root against UPDATE_ACKs root -> relay, in the
 * order they cross the wire; optionally keeps the first UPDATE back. */
static int watch(void *user, size_t from, size_t to, uint8_t *data,
                 size_t *len) {
  window_watch *w = user;
  int type = wire_datagram_type(data, *len);
  if (from == RELAY && to == 0 && type == WIRE_UPDATE) {
    if (w->hold_one && !w->held) {
      memcpy(w->late, data, *len);
      w->late_len = *len;
      w->held = 1;
      return 0;
    }
    if (++w->outstanding > w->max_outstanding)
      w->max_outstanding = w->outstanding;
  }
  if (from == 0 && to == RELAY && type == WIRE_UPDATE_ACK) w->outstanding--;
  return 1;
}

static harness *relay_tree(window_watch *w) {
  harness *h = harness_new(2 + LEAVES, 41, NULL);
  size_t root = 0, relay = RELAY;
  harness_set_parents(h, RELAY, &root, 1);
  for (size_t i = 2; i < 2 + LEAVES; i++) harness_set_parents(h, i, &relay, 1);
  memset(w, 0, sizeof *w);
  harness_set_filter(h, watch, w);
  return h;
}

static void test_update_window_fills_and_bounds(void) {
  window_watch w;
  harness *h = relay_tree(&w);
  harness_start(h);
  harness_run_for(h, 10 * HARNESS_S);
  CU_ASSERT_EQUAL(w.max_outstanding, UPDATE_WINDOW);
  CU_ASSERT_EQUAL(w.outstanding, 0);
  CU_ASSERT_EQUAL(mcc_node_known_count(harness_node(h, 0)), 2 + LEAVES);
  harness_free(h);
}

static void test_update_window_overtaken_update_is_dropped(void) {
  window_watch w;
  harness *h = relay_tree(&w);
  w.hold_one = 1;
  harness_start(h);
  /* Until a later UPDATE of the relay has been applied at the root. */
  mcc_node_stats st;
  for (int k = 0; k < 100 && w.outstanding == 0; k++)
    harness_run_for(h, HARNESS_MS);
  harness_run_for(h, 10 * HARNESS_MS);
  CU_ASSERT_TRUE_FATAL(w.held);
  mcc_node_get_stats(harness_node(h, 0), &st);
  uint64_t acks = st.ack_sent;
  CU_ASSERT_EQUAL(harness_inject(h, RELAY, 0, w.late, w.late_len), 0);
  mcc_node_get_stats(harness_node(h, 0), &st);
  CU_ASSERT_EQUAL(st.updates_stale, 1);
  CU_ASSERT_EQUAL(st.ack_sent, acks); /* not acknowledged */
  /* The relay resends what the late UPDATE carried; all arrive. */
  harness_run_for(h, 20 * HARNESS_S);
  CU_ASSERT_EQUAL(mcc_node_known_count(harness_node(h, 0)), 2 + LEAVES);
  for (size_t i = 1; i < 2 + LEAVES; i++)
    CU_ASSERT_EQUAL(harness_follow_route(h, 0, i, 64),
                    harness_shortest(h, 0, i));
  harness_free(h);
}

void suite_update_window(void) {
  CU_pSuite s = CU_add_suite("update_window", NULL, NULL);
  ADD_TEST(s, test_update_window_fills_and_bounds);
  ADD_TEST(s, test_update_window_overtaken_update_is_dropped);
}
