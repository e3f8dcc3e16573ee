/*
 * test_update_window.c — a child keeps up to UPDATE_WINDOW UPDATEs in
 * flight to its parent, never more; an UPDATE overtaken by a newer one is
 * dropped unacknowledged and what it carried still arrives (resent); the
 * window's bookkeeping stays consistent through failovers and rejoins.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "node.h"
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

/* 0 when every record in flight is listed by the flight it names, is
 * dirty, and the counts agree; else which of those failed. */
static int flights_consistent(const mcc_node *nd) {
  uint32_t in_flight = 0, used = 0;
  for (uint32_t s = 0; s < nd->nrecs; s++) {
    const record *r = &nd->recs[s];
    if (!(r->flags & REC_INFLIGHT)) continue;
    in_flight++;
    if (!nd->flights) return 1; /* in flight, but no window */
    const update_flight *f = &nd->flights[r->flight];
    int listed = 0;
    for (uint32_t k = 0; f->retx_at_ns != NEVER && k < f->n; k++)
      listed |= f->slots[k] == s;
    if (!listed) return 1;
    if (!(r->flags & REC_DIRTY)) return 2;
  }
  if (in_flight != nd->ninflight_recs) return 3;
  /* The window exists exactly while a place of it is in use. */
  if (!nd->flights) return nd->nflights == 0 ? 0 : 4;
  for (uint32_t f = 0; f < UPDATE_WINDOW; f++)
    used += nd->flights[f].retx_at_ns != NEVER;
  return used == nd->nflights && used > 0 ? 0 : 4;
}

/* Loses every third UPDATE_ACK, so that UPDATEs time out and are given up. */
static int lose_acks(void *user, size_t from, size_t to, uint8_t *data,
                     size_t *len) {
  (void)from;
  (void)to;
  unsigned *acks = user;
  return wire_datagram_type(data, *len) != WIRE_UPDATE_ACK || ++*acks % 3 != 0;
}

static void test_update_window_bookkeeping_through_failures(void) {
  size_t n = 40;
  harness *h = harness_new(n, 200, NULL);
  unsigned acks = 0;
  harness_set_filter(h, lose_acks, &acks);
  srand(77);
  for (size_t i = 1; i < n; i++) {
    size_t ps[2] = {(size_t)rand() % i, (size_t)rand() % i};
    harness_set_parents(h, i, ps, ps[0] == ps[1] ? 1 : 2);
  }
  harness_start(h);
  unsigned bad = 0;
  for (int step = 0; step < 6000; step++) { /* 10 ms each: 60 s */
    if (step == 3) { /* while the first UPDATEs are in flight */
      harness_kill(h, 1);
      harness_kill(h, 2);
    }
    if (step == 3000) harness_revive(h, 1);
    if (step == 4500) harness_kill(h, 5);
    harness_run_for(h, 10 * HARNESS_MS);
    for (size_t i = 0; i < n; i++)
      if (harness_alive(h, i)) bad += flights_consistent(harness_node(h, i)) != 0;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_TRUE(acks > 3); /* acks were lost, UPDATEs given up */
  /* and yet the root routes to every node still attached to it */
  unsigned attached = 0, routed = 0;
  for (size_t i = 1; i < n; i++) {
    int want = harness_shortest(h, 0, i);
    if (!harness_alive(h, i) || want < 0) continue;
    attached++;
    routed += harness_follow_route(h, 0, i, 64) == want;
  }
  CU_ASSERT_TRUE(attached > n / 2);
  CU_ASSERT_EQUAL(routed, attached);
  harness_free(h);
}

void suite_update_window(void) {
  CU_pSuite s = CU_add_suite("update_window", NULL, NULL);
  ADD_TEST(s, test_update_window_fills_and_bounds);
  ADD_TEST(s, test_update_window_overtaken_update_is_dropped);
  ADD_TEST(s, test_update_window_bookkeeping_through_failures);
}
