/*
 * precheck.c — the precheck thread: a single-producer single-consumer ring
 * of jobs (the engine produces from the nodes' signed_message callback, the
 * thread consumes) and a semaphore to sleep on when it is empty. A node
 * signs a handful of messages per join, so the ring only fills in the
 * bootstrap of very large networks; a dropped job costs the receiver its
 * own verification, nothing else.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "precheck.h"

#define RING 65536 /* jobs; a power of two */

typedef struct job {
  uint8_t pk[32], sig[64];
  uint8_t *msg; /* owned by the job, and the certificate after it */
  size_t msglen;
  const mcc_cert *cert; /* in msg's allocation, or NULL */
} job;

struct sim_precheck {
  mcc_verify_cache *cache;
  job *ring;
  _Atomic size_t head, tail; /* consumer's, producer's */
  _Atomic int stop;
  sem_t ready;
  pthread_t thread;
};

static void *run(void *arg) {
  sim_precheck *p = arg;
  for (;;) {
    while (sem_wait(&p->ready) != 0) {
    }
    if (atomic_load(&p->stop)) return NULL;
    size_t h = atomic_load_explicit(&p->head, memory_order_relaxed);
    if (atomic_load_explicit(&p->tail, memory_order_acquire) == h) continue;
    job *j = &p->ring[h % RING];
    mcc_verify_cache_check(p->cache, j->pk, j->msg, j->msglen, j->sig);
    if (j->cert) mcc_verify_cache_check_cert(p->cache, j->cert);
    free(j->msg);
    j->msg = NULL;
    atomic_store_explicit(&p->head, h + 1, memory_order_release);
  }
}

int sim_precheck_start(sim_precheck **pp, mcc_verify_cache *cache) {
  sim_precheck *p = calloc(1, sizeof *p);
  if (!p) return MCC_ERR_NOMEM;
  p->cache = cache;
  p->ring = calloc(RING, sizeof *p->ring);
  if (!p->ring || sem_init(&p->ready, 0, 0) != 0) {
    free(p->ring);
    free(p);
    return MCC_ERR_NOMEM;
  }
  if (pthread_create(&p->thread, NULL, run, p) != 0) {
    sem_destroy(&p->ready);
    free(p->ring);
    free(p);
    return MCC_ERR_NOMEM;
  }
  *pp = p;
  return 0;
}

void sim_precheck_submit(sim_precheck *p, const uint8_t pk[32],
                         const uint8_t *msg, size_t msglen,
                         const uint8_t sig[64], const mcc_cert *cert) {
  if (!p) return;
  size_t t = atomic_load_explicit(&p->tail, memory_order_relaxed);
  /* the certificate too: the node that holds it may be gone before the
   * thread comes to it */
  size_t at = (msglen + _Alignof(mcc_cert) - 1) & ~(_Alignof(mcc_cert) - 1);
  uint8_t *copy = malloc(cert ? at + sizeof *cert : msglen ? msglen : 1);
  if (!copy ||
      t - atomic_load_explicit(&p->head, memory_order_acquire) == RING) {
    free(copy);
    return;
  }
  job *j = &p->ring[t % RING];
  memcpy(j->pk, pk, 32);
  memcpy(j->sig, sig, 64);
  if (msglen) memcpy(copy, msg, msglen);
  if (cert) memcpy(copy + at, cert, sizeof *cert);
  j->msg = copy;
  j->msglen = msglen;
  j->cert = cert ? (const mcc_cert *)(void *)(copy + at) : NULL;
  atomic_store_explicit(&p->tail, t + 1, memory_order_release);
  sem_post(&p->ready);
}

void sim_precheck_stop(sim_precheck *p) {
  if (!p) return;
  atomic_store(&p->stop, 1);
  sem_post(&p->ready);
  pthread_join(p->thread, NULL);
  for (size_t h = atomic_load(&p->head); h != atomic_load(&p->tail); h++)
    free(p->ring[h % RING].msg);
  sem_destroy(&p->ready);
  free(p->ring);
  free(p);
}
