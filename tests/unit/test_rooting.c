/*
 * test_rooting.c — the rooting module (protocol/rooting.c): the order of
 * root positions, the ROOT body's encoding, and the invariant that keeps
 * the active parent graph free of cycles, checked at every step of random
 * timelines rather than only at the end:
 *
 *     for every active edge child -> parent:  fd(child) < fd(parent)
 *
 * (an edge counts while the child's parent link is up and the parent, alive,
 * holds a child link for it: a restarted parent forgets its fd, and its old
 * children cannot reach it until they join it again, PROTOCOL.md).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "gen_topo.h"
#include "harness.h"
#include "node.h"
#include "suites.h"
#include "testutil.h"

static root_pos pos(uint32_t seq, uint8_t depth, uint8_t root_byte) {
  root_pos p;
  memset(&p, 0, sizeof p);
  p.seq = seq;
  p.depth = depth;
  p.root.key[0] = root_byte;
  return p;
}

/* A strict total order on rooted positions, unrooted below them all. */
static void test_rooting_order(void) {
  root_pos none = pos(0, ROOT_DEPTH_NONE, 0);
  CU_ASSERT_TRUE(rooting_better(&(root_pos){.seq = 1, .depth = 3}, &none));
  CU_ASSERT_FALSE(rooting_better(&none, &none));
  CU_ASSERT_FALSE(rooting_better(&none, &(root_pos){.seq = 0, .depth = 0}));
  /* newer seq first, then fewer hops, then the larger root id */
  root_pos a = pos(5, 9, 1), b = pos(4, 0, 9), c = pos(5, 2, 1),
           d = pos(5, 2, 2);
  CU_ASSERT_TRUE(rooting_better(&a, &b));
  CU_ASSERT_TRUE(rooting_better(&c, &a));
  CU_ASSERT_TRUE(rooting_better(&d, &c));
  /* one hop more is always worse: what the invariant rests on */
  root_pos e = d;
  e.depth++;
  CU_ASSERT_TRUE(rooting_better(&d, &e));
  /* against a table of every pair of a small set: irreflexive,
   * antisymmetric, total, transitive */
  root_pos set[27];
  size_t n = 0;
  for (uint32_t s = 1; s <= 3; s++)
    for (uint8_t dep = 0; dep < 3; dep++)
      for (uint8_t r = 1; r <= 3; r++) set[n++] = pos(s, dep, r);
  for (size_t i = 0; i < n; i++) {
    CU_ASSERT_FALSE(rooting_better(&set[i], &set[i]));
    for (size_t j = 0; j < n; j++) {
      if (i == j) continue;
      int ij = rooting_better(&set[i], &set[j]);
      int ji = rooting_better(&set[j], &set[i]);
      CU_ASSERT_EQUAL(ij + ji, 1);
      for (size_t k = 0; k < n; k++)
        if (ij && rooting_better(&set[j], &set[k]))
          CU_ASSERT_TRUE(rooting_better(&set[i], &set[k]));
    }
  }
}

static void test_rooting_encoding(void) {
  uint8_t body[WIRE_ROOT_BODY_LEN];
  root_pos p = pos(0x01020304, 7, 0xab), q;
  p.island = 1;
  rooting_encode(body, &p);
  CU_ASSERT_EQUAL(body[36], 7);
  CU_ASSERT_EQUAL(body[37], WIRE_ROOT_FLAG_ISLAND);
  CU_ASSERT_EQUAL(rooting_decode(&q, body, sizeof body), 0);
  CU_ASSERT_EQUAL(q.seq, p.seq);
  CU_ASSERT_EQUAL(q.depth, 7);
  CU_ASSERT_EQUAL(q.island, 1);
  CU_ASSERT_EQUAL(memcmp(q.root.key, p.root.key, 32), 0);
  /* a wrong length or an unknown flag is refused */
  CU_ASSERT_EQUAL(rooting_decode(&q, body, sizeof body - 1),
                  MCC_ERR_BAD_LENGTH);
  body[37] = 0x02;
  CU_ASSERT_EQUAL(rooting_decode(&q, body, sizeof body), MCC_ERR_TYPE);
  /* depth 255 is "no root", whatever the other fields say */
  body[37] = 0;
  body[36] = ROOT_DEPTH_NONE;
  CU_ASSERT_EQUAL(rooting_decode(&q, body, sizeof body), 0);
  CU_ASSERT_FALSE(rooting_is_rooted(&q));
}

/* The number of active edges that break the invariant now. */
static size_t invariant_breaks(harness *h, char *why, size_t whylen) {
  size_t bad = 0;
  for (size_t i = 0; i < harness_size(h); i++) {
    if (!harness_alive(h, i)) continue;
    mcc_node *c = harness_node(h, i);
    if (c->up.state != PARENT_UP) continue;
    size_t p = harness_find_addr(&c->up.addr);
    if (p == SIZE_MAX || !harness_alive(h, p)) continue;
    mcc_node *pn = harness_node(h, p);
    if (!link_child_by_id(pn, &c->keys.pub)) continue;
    if (rooting_better(&pn->fd, &c->fd)) continue;
    if (!bad)
      snprintf(why, whylen,
               "edge %zu -> %zu: fd(child) = (%u, %u), fd(parent) = (%u, %u)",
               i, p, c->fd.seq, c->fd.depth, pn->fd.seq, pn->fd.depth);
    bad++;
  }
  return bad;
}

/* Random topologies of every class under random timelines, the invariant
 * checked every 250 ms of simulated time from start to settled. */
static void test_rooting_invariant_every_step(void) {
  size_t checks = 0, breaks = 0;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    for (int cls = 0; cls < TOPO_NCLASSES; cls++) {
      topo_rng r;
      topo_rng_seed(&r, seed * 977 + (uint64_t)cls);
      topo t;
      timeline tl;
      memset(&t, 0, sizeof t);
      memset(&tl, 0, sizeof tl);
      topo_generate(&t, (topo_class)cls, 6 + topo_rng_below(&r, 8), &r);
      timeline_generate(&tl, &t, 3 + topo_rng_below(&r, 6),
                        10 * HARNESS_S, &r);
      mcc_settings s;
      mcc_settings_default(&s);
      s.keep_alive_period_ns = 2 * HARNESS_S;
      s.rejoin_period_ns = 10 * HARNESS_S;
      harness *h = harness_new(t.n, seed * 31 + (uint64_t)cls, &s);
      topo_apply(&t, h);
      harness_start(h);
      uint64_t end = (tl.n ? tl.ev[tl.n - 1].at_ns : 0) + 60 * HARNESS_S;
      size_t next_ev = 0;
      char why[160] = "";
      size_t bad = 0;
      for (uint64_t now = 0; now <= end; now += 250 * HARNESS_MS) {
        while (next_ev < tl.n && tl.ev[next_ev].at_ns <= now) {
          timeline one = tl;
          one.ev[0] = tl.ev[next_ev++];
          one.n = 1;
          timeline_run(&one, h);
        }
        harness_run_until(h, now);
        bad += invariant_breaks(h, why, sizeof why);
        checks++;
      }
      if (bad) {
        char tt[512], tlt[512];
        topo_format(&t, tt, sizeof tt);
        timeline_format(&tl, tlt, sizeof tlt);
        fprintf(stderr, "rooting invariant: %s:%llu: %s\n  topology: %s\n"
                        "  timeline: %s\n",
                topo_class_name((topo_class)cls), (unsigned long long)seed,
                why, tt, tlt);
      }
      breaks += bad;
      harness_free(h);
    }
  }
  CU_ASSERT_EQUAL(breaks, 0);
  CU_ASSERT(checks > 1000);
}

void suite_rooting(void) {
  CU_pSuite s = CU_add_suite("rooting", NULL, NULL);
  ADD_TEST(s, test_rooting_order);
  ADD_TEST(s, test_rooting_encoding);
  ADD_TEST(s, test_rooting_invariant_every_step);
}
