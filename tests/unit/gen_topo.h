/*
 * gen_topo.h — small random topologies and event timelines for property
 * tests: one generator per scenario class that has broken routing
 * convergence before (issue 10), a deterministic PRNG so a (class, seed)
 * pair names one case, and a text form of both that prints on failure and
 * parses back, so a failing case can be kept as a literal regression case.
 *
 * Text forms:
 *   topology  "0:- 1:0 2:0,1 3:2,0"      node:parents in order ("-": a root)
 *   timeline  "30.000 kill 3; 33.250 cut 5 2; 40.000 restore 5 2;
 *              41.500 revive 3"           seconds.millis, cut/restore
 *                                          child then configured parent
 */
#ifndef MCC_TEST_GEN_TOPO_H
#define MCC_TEST_GEN_TOPO_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

#define TOPO_MAX_NODES 80
#define TOPO_MAX_PARENTS 3
#define TL_MAX_EVENTS 8

/* splitmix64: a seed names the whole sequence, on every platform. */
typedef struct topo_rng {
  uint64_t s;
} topo_rng;

void topo_rng_seed(topo_rng *r, uint64_t seed);
uint64_t topo_rng_next(topo_rng *r);
/* Uniform in [0, n); n > 0. */
size_t topo_rng_below(topo_rng *r, size_t n);

typedef enum topo_class {
  TOPO_DAG,          /* random DAG, 1-3 parents per node, 1-2 roots */
  TOPO_GATEWAY_RING, /* two roots; gateways: both roots + the next gateway */
  TOPO_TOP_PAIR,     /* two nodes each other's only parent, with children */
  TOPO_TOP_CYCLE,    /* first parents form a cycle, the root second */
  TOPO_CHAIN,        /* a line below one root */
  TOPO_ARBITRARY,    /* any parent lists: cycles, often no root at all */
  TOPO_NCLASSES
} topo_class;

typedef struct topo {
  topo_class cls;
  size_t n;
  size_t nparents[TOPO_MAX_NODES];
  size_t parents[TOPO_MAX_NODES][TOPO_MAX_PARENTS]; /* in preference order */
} topo;

const char *topo_class_name(topo_class c);
/* 0, or -1 for an unknown name. */
int topo_class_parse(const char *name, topo_class *pc);

/* Each generator fills t with n nodes (clamped to what the class needs and
 * to TOPO_MAX_NODES). */
void topo_gen_dag(topo *t, size_t n, topo_rng *r);
void topo_gen_gateway_ring(topo *t, size_t n, topo_rng *r);
void topo_gen_top_pair(topo *t, size_t n, topo_rng *r);
void topo_gen_top_cycle(topo *t, size_t n, topo_rng *r);
void topo_gen_chain(topo *t, size_t n, topo_rng *r);
void topo_gen_arbitrary(topo *t, size_t n, topo_rng *r);
void topo_generate(topo *t, topo_class c, size_t n, topo_rng *r);

/* A root has no configured parents. */
int topo_is_root(const topo *t, size_t i);
int topo_has_parent(const topo *t, size_t child, size_t parent);
/* Before harness_start: every node's parent list. */
void topo_apply(const topo *t, harness *h);
void topo_format(const topo *t, char *buf, size_t len);
/* 0, or -1 when text is not a topology (then t is unspecified). */
int topo_parse(topo *t, const char *text);

enum tl_kind { TL_KILL, TL_REVIVE, TL_CUT, TL_RESTORE };

typedef struct tl_event {
  uint64_t at_ns;
  enum tl_kind kind;
  size_t a, b; /* the node; for cut/restore the child and its parent */
} tl_event;

typedef struct timeline {
  size_t n;
  tl_event ev[TL_MAX_EVENTS];
} timeline;

/* nevents events from start_ns on: gaps of 1-6 s (inside a failover) or
 * 8-45 s, each event chosen among those that change something (kill a
 * live node, often an inner one; revive a dead one; cut an uncut link to
 * a configured parent; restore a cut one). */
void timeline_generate(timeline *tl, const topo *t, size_t nevents,
                       uint64_t start_ns, topo_rng *r);
/* Runs the harness up to each event and applies it. */
void timeline_run(const timeline *tl, harness *h);
void timeline_format(const timeline *tl, char *buf, size_t len);
int timeline_parse(timeline *tl, const char *text);

#endif
