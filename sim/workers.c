/*
 * workers.c — the worker pool of workers.h. A run is announced by bumping
 * a generation number, and its end by counting participants done; whoever
 * waits spins briefly, then sleeps on a condition variable: a 2-core
 * machine shared with other work cannot afford a thread spinning while the
 * one it waits for needs the core. Each participant stamps when it began
 * and finished, so the caller can add up the time spent working and the
 * time spent waiting for the slowest: mcc-bench-sim's window statistics.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <mcc/mcc.h>

#include "workers.h"

#define SPIN 4000 /* polls before sleeping: a few microseconds */

typedef struct worker {
  struct sim_workers *w;
  unsigned k;
  pthread_t thread;
} worker;

struct sim_workers {
  unsigned n;
  worker *threads; /* n - 1 of them, for k = 1 .. n - 1 */
  uint64_t *began, *finished; /* per participant, this run's, ns */
  _Atomic uint64_t gen;
  _Atomic unsigned done;
  _Atomic int stop;
  sim_work_fn fn;
  void *arg;
  pthread_mutex_t mu;
  pthread_cond_t cv, done_cv;
  uint64_t wait_ns, busy_ns;
};

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *run(void *arg) {
  worker *me = arg;
  sim_workers *w = me->w;
  uint64_t seen = 0;
  for (;;) {
    int spins = 0;
    while (atomic_load_explicit(&w->gen, memory_order_acquire) == seen &&
           ++spins < SPIN) {
    }
    if (atomic_load_explicit(&w->gen, memory_order_acquire) == seen) {
      pthread_mutex_lock(&w->mu);
      while (atomic_load(&w->gen) == seen) pthread_cond_wait(&w->cv, &w->mu);
      pthread_mutex_unlock(&w->mu);
    }
    seen = atomic_load(&w->gen);
    if (atomic_load(&w->stop)) return NULL;
    w->began[me->k] = mono_ns();
    w->fn(w->arg, me->k);
    w->finished[me->k] = mono_ns();
    if (atomic_fetch_add_explicit(&w->done, 1, memory_order_acq_rel) + 2 ==
        w->n) { /* the last one: the caller may be asleep */
      pthread_mutex_lock(&w->mu);
      pthread_cond_signal(&w->done_cv);
      pthread_mutex_unlock(&w->mu);
    }
  }
}

int sim_workers_new(sim_workers **pw, unsigned n) {
  sim_workers *w = calloc(1, sizeof *w);
  if (!w) return MCC_ERR_NOMEM;
  w->n = n ? n : 1;
  w->threads = calloc(w->n, sizeof *w->threads);
  w->began = calloc(w->n, sizeof *w->began);
  w->finished = calloc(w->n, sizeof *w->finished);
  if (!w->threads || !w->began || !w->finished) goto fail;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  pthread_cond_init(&w->done_cv, NULL);
  for (unsigned k = 1; k < w->n; k++) {
    w->threads[k - 1] = (worker){w, k, 0};
    if (pthread_create(&w->threads[k - 1].thread, NULL, run,
                       &w->threads[k - 1]) != 0) {
      w->n = k; /* join the ones that started */
      sim_workers_free(w);
      return MCC_ERR_NOMEM;
    }
  }
  *pw = w;
  return 0;
fail:
  free(w->threads);
  free(w->began);
  free(w->finished);
  free(w);
  return MCC_ERR_NOMEM;
}

void sim_workers_free(sim_workers *w) {
  if (!w) return;
  atomic_store(&w->stop, 1);
  pthread_mutex_lock(&w->mu);
  atomic_fetch_add(&w->gen, 1);
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  for (unsigned k = 1; k < w->n; k++) pthread_join(w->threads[k - 1].thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  pthread_cond_destroy(&w->done_cv);
  free(w->threads);
  free(w->began);
  free(w->finished);
  free(w);
}

void sim_workers_run(sim_workers *w, sim_work_fn fn, void *arg) {
  if (w->n == 1) {
    uint64_t t0 = mono_ns();
    fn(arg, 0);
    w->busy_ns += mono_ns() - t0;
    return;
  }
  w->fn = fn;
  w->arg = arg;
  atomic_store_explicit(&w->done, 0, memory_order_relaxed);
  pthread_mutex_lock(&w->mu);
  atomic_fetch_add_explicit(&w->gen, 1, memory_order_release);
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  w->began[0] = mono_ns();
  fn(arg, 0);
  w->finished[0] = mono_ns();
  int spins = 0;
  while (atomic_load_explicit(&w->done, memory_order_acquire) < w->n - 1 &&
         ++spins < SPIN) {
  }
  if (atomic_load_explicit(&w->done, memory_order_acquire) < w->n - 1) {
    pthread_mutex_lock(&w->mu);
    while (atomic_load(&w->done) < w->n - 1)
      pthread_cond_wait(&w->done_cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
  }
  uint64_t last = 0;
  for (unsigned k = 0; k < w->n; k++)
    if (w->finished[k] > last) last = w->finished[k];
  for (unsigned k = 0; k < w->n; k++) {
    w->wait_ns += last - w->finished[k];
    w->busy_ns += w->finished[k] - w->began[k];
  }
}

uint64_t sim_workers_wait_ns(const sim_workers *w) {
  return w ? w->wait_ns : 0;
}

uint64_t sim_workers_busy_ns(const sim_workers *w) {
  return w ? w->busy_ns : 0;
}
