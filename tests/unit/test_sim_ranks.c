/*
 * test_sim_ranks.c — the engine's rank logic (sim/engine_ranks.c) without
 * MPI: "ranks" are threads of this process, joined by a comm.h whose
 * collectives meet at a barrier. Each rank plays the same timeline
 * (bootstrap, idle, pings, a kill and its failover, pings again) on its
 * own engine, and every rank's metrics must be the bytes one process
 * gives. Run under ASan too (mcc-unit-asan), which mpirun cannot give.
 * tests/sim/ranks does the same with real MPI ranks over the suite.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "engine.h"
#include "measure.h"
#include "metrics.h"
#include "suites.h"
#include "testutil.h"

#define S 1000000000ull
#define MAX_RANKS 4

typedef struct world {
  unsigned size;
  pthread_barrier_t bar;
  const void *slot[MAX_RANKS];
  const size_t *lens[MAX_RANKS];
  size_t len[MAX_RANKS];
} world;

typedef struct rank {
  sim_comm c; /* first: a sim_comm * is a rank * */
  world *w;
  const sim_topology *t;
  uint64_t seed;
  char *json; /* its metrics.json */
} rank;

static world *world_of(sim_comm *c) { return ((rank *)(void *)c)->w; }

static void meet(world *w) { pthread_barrier_wait(&w->bar); }

/* Every rank's n values, combined by op (0 sum, 1 min, 2 max, 3 or). */
static void reduce(sim_comm *c, void *v, size_t n, size_t width, int op) {
  world *w = world_of(c);
  uint8_t *out = calloc(n ? n : 1, width);
  w->slot[c->rank] = v;
  meet(w);
  for (size_t i = 0; i < n; i++)
    for (unsigned r = 0; r < w->size; r++) {
      if (op == 3) {
        for (size_t b = 0; b < width; b++)
          out[i * width + b] |= ((const uint8_t *)w->slot[r])[i * width + b];
        continue;
      }
      uint64_t x = ((const uint64_t *)w->slot[r])[i], *y = (uint64_t *)out + i;
      if (r == 0 || op == 0)
        *y = r == 0 ? x : *y + x;
      else if (op == 1 ? x < *y : x > *y)
        *y = x;
    }
  meet(w);
  memcpy(v, out, n * width);
  free(out);
}

static void sum_u64(sim_comm *c, uint64_t *v, size_t n) { reduce(c, v, n, 8, 0); }
static void min_u64(sim_comm *c, uint64_t *v, size_t n) { reduce(c, v, n, 8, 1); }
static void max_u64(sim_comm *c, uint64_t *v, size_t n) { reduce(c, v, n, 8, 2); }
static void or_bytes(sim_comm *c, void *buf, size_t len) { reduce(c, buf, len, 1, 3); }

static int allgather(sim_comm *c, const void *mine, size_t len, uint8_t **out,
                     size_t *lens) {
  world *w = world_of(c);
  w->slot[c->rank] = mine;
  w->len[c->rank] = len;
  meet(w);
  size_t total = 0;
  for (unsigned r = 0; r < w->size; r++) total += lens[r] = w->len[r];
  *out = malloc(total ? total : 1);
  for (size_t r = 0, at = 0; r < w->size; at += w->len[r++])
    if (w->len[r]) memcpy(*out + at, w->slot[r], w->len[r]);
  meet(w);
  return 0;
}

static int alltoall(sim_comm *c, const uint8_t *send, const size_t *send_lens,
                    uint8_t **recv, size_t *recv_lens) {
  world *w = world_of(c);
  w->slot[c->rank] = send;
  w->lens[c->rank] = send_lens;
  meet(w);
  size_t total = 0;
  for (unsigned r = 0; r < w->size; r++) total += recv_lens[r] = w->lens[r][c->rank];
  *recv = malloc(total ? total : 1);
  size_t at = 0;
  for (unsigned r = 0; r < w->size; r++) {
    size_t off = 0; /* my run in r's buffer */
    for (unsigned k = 0; k < c->rank; k++) off += w->lens[r][k];
    if (recv_lens[r])
      memcpy(*recv + at, (const uint8_t *)w->slot[r] + off, recv_lens[r]);
    at += recv_lens[r];
  }
  meet(w);
  return 0;
}

static void bcast(sim_comm *c, void *buf, size_t len, unsigned root) {
  world *w = world_of(c);
  if (c->rank == root) w->slot[root] = buf;
  meet(w);
  if (c->rank != root) memcpy(buf, w->slot[root], len);
  meet(w);
}

static void stop(sim_comm *c, int status) {
  (void)c;
  fprintf(stderr, "test_sim_ranks: a rank aborted (%d)\n", status);
  abort();
}

/* Bootstrap, an idle while, pings, a kill and its failover, pings again;
 * the metrics as metrics.json writes them. */
static char *play(const sim_topology *t, uint64_t seed, sim_comm *comm) {
  char err[256];
  sim_engine_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.seed = seed;
  mcc_settings_default(&cfg.base);
  cfg.link_defaults.delay_ns = 7 * 1000000ull;
  cfg.unix_start_s = 1790000000;
  cfg.comm = comm;
  sim_engine *e = NULL;
  sim_measure *m = NULL;
  if (sim_engine_new(&e, t, &cfg, err, sizeof err) != 0 ||
      sim_measure_new(&m, e, t, seed) != 0)
    return NULL;
  uint64_t now = 0;
  while (!sim_measure_bootstrap_check(m) && now < 300 * S)
    sim_engine_run_until(e, now += S);
  sim_measure_idle_begin(m);
  sim_engine_run_until(e, now += 90 * S);
  sim_measure_idle_end(m);
  sim_measure_ping(m, 300);
  sim_engine_run_until(e, now += 5 * S);
  sim_engine_kill(e, 1);
  sim_measure_on_kill(m, 1);
  while (sim_measure_failover_check(m) && now < 900 * S)
    sim_engine_run_until(e, now += S);
  sim_measure_ping(m, 300);
  sim_engine_run_until(e, now += 10 * S);
  sim_metrics out;
  sim_measure_finish(m, &out);
  char *json = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&json, &len);
  if (f) {
    sim_metrics_write_json(&out, f);
    fclose(f);
  }
  sim_measure_free(m);
  sim_engine_free(e);
  return json;
}

static void *rank_main(void *arg) {
  rank *r = arg;
  r->json = play(r->t, r->seed, &r->c);
  return NULL;
}

/* n ranks on threads; 1 when every rank's metrics are one process's. */
static int ranks_agree(const sim_topology *t, uint64_t seed, unsigned n) {
  char *one = play(t, seed, NULL);
  world w;
  memset(&w, 0, sizeof w);
  w.size = n;
  pthread_barrier_init(&w.bar, NULL, n);
  rank rs[MAX_RANKS];
  pthread_t th[MAX_RANKS];
  for (unsigned k = 0; k < n; k++) {
    memset(&rs[k], 0, sizeof rs[k]);
    rs[k].c = (sim_comm){k,        n,     sum_u64,  min_u64, max_u64,
                         or_bytes, allgather, alltoall, bcast,   stop, 0};
    rs[k].w = &w;
    rs[k].t = t;
    rs[k].seed = seed;
    pthread_create(&th[k], NULL, rank_main, &rs[k]);
  }
  int same = one != NULL;
  for (unsigned k = 0; k < n; k++) {
    pthread_join(th[k], NULL);
    same = same && rs[k].json && strcmp(one, rs[k].json) == 0;
    if (rs[k].json && one && strcmp(one, rs[k].json) != 0)
      fprintf(stderr, "rank %u of %u differs:\n%s\nfrom one process's:\n%s\n",
              k, n, rs[k].json, one);
    free(rs[k].json);
  }
  pthread_barrier_destroy(&w.bar);
  free(one);
  return same;
}

static void test_sim_ranks_tree(void) {
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(&t, 3, 3, 2, err, sizeof err), 0);
  CU_ASSERT_TRUE(ranks_agree(&t, 5, 2));
  CU_ASSERT_TRUE(ranks_agree(&t, 6, 3));
  sim_topology_free(&t);
}

static void test_sim_ranks_fewer_partitions_than_ranks(void) {
  /* a star: one partition, so rank 1 runs no node at all */
  char err[256];
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_star(&t, 9, err, sizeof err), 0);
  CU_ASSERT_TRUE(ranks_agree(&t, 7, 2));
  sim_topology_free(&t);
}

void suite_sim_ranks(void) {
  CU_pSuite s = CU_add_suite("sim_ranks", NULL, NULL);
  ADD_TEST(s, test_sim_ranks_tree);
  ADD_TEST(s, test_sim_ranks_fewer_partitions_than_ranks);
}
