/*
 * alloc_wrap.c — mcc-sim only (linked with -Wl,--wrap=malloc,...): every
 * allocation made by mcc-sim's own code and the protocol cores it hosts
 * goes through here, and one that fails is noted (fatal.h). A core short
 * of memory drops what it cannot hold and goes on, as a device must; in
 * the simulator that memory is the host's, so the run would measure a
 * network that lost state for a reason no real one has. The engine ends
 * the run at its next step instead (sim_alloc_failed). Libraries
 * (libsodium, OpenMPI, Graphviz) allocate as they always do.
 */
#include <stdlib.h>

#include "fatal.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

void *__wrap_malloc(size_t size) {
  void *p = __real_malloc(size);
  if (!p && size) sim_note_alloc_failure();
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  void *p = __real_calloc(n, size);
  if (!p && n && size) sim_note_alloc_failure();
  return p;
}

void *__wrap_realloc(void *p, size_t size) {
  void *q = __real_realloc(p, size);
  if (!q && size) sim_note_alloc_failure();
  return q;
}
