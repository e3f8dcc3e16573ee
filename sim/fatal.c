/*
 * fatal.c — out of memory in mcc-sim (fatal.h). The message goes to the
 * rank's real stderr (rank_output.h), so the rank that ran out says so
 * itself.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fatal.h"
#include "rank_output.h"

static sim_comm *world;
static atomic_int alloc_failed;

void sim_fatal_init(sim_comm *comm) { world = comm; }

_Noreturn void sim_out_of_memory(const char *what) {
  char msg[256];
  int n = world ? snprintf(msg, sizeof msg,
                           "mcc-sim: rank %u: out of memory (%s)\n",
                           world->rank, what)
                : snprintf(msg, sizeof msg, "mcc-sim: out of memory (%s)\n",
                           what);
  if (n > 0) {
    size_t len = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    ssize_t w = write(sim_rank_output_fd(), msg, len);
    (void)w; /* nothing better to do if stderr is gone too */
  }
  if (world && world->size > 1) world->abort(world, 2);
  _exit(2); /* no flush of half-written outputs, no atexit in threads */
}

void *sim_xmalloc(size_t size, const char *what) {
  void *p = malloc(size ? size : 1);
  if (!p) sim_out_of_memory(what);
  return p;
}

void *sim_xcalloc(size_t n, size_t size, const char *what) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) sim_out_of_memory(what);
  return p;
}

void *sim_xrealloc(void *p, size_t size, const char *what) {
  void *q = realloc(p, size ? size : 1);
  if (!q) sim_out_of_memory(what);
  return q;
}

void sim_note_alloc_failure(void) { atomic_store(&alloc_failed, 1); }

int sim_alloc_failed(void) { return atomic_load_explicit(&alloc_failed, memory_order_relaxed); }
