/*
 * fatal.h — running out of memory in mcc-sim's runner, measurements and
 * engine. A measurement skipped for want of memory would leave metrics
 * that look whole and are not, and under mpirun a rank that skipped a
 * step would leave the others waiting in it for ever; so it is fatal:
 * one clear message, exit status 2, and under mpirun every rank ends at
 * once. The protocol cores it hosts too: a core short of memory drops
 * what it cannot hold and goes on, as a device must (mccd keeps that),
 * but here the memory is the host's, so mcc-sim notes every failed
 * allocation (alloc_wrap.c) and the engine ends the run.
 */
#ifndef MCC_SIM_FATAL_H
#define MCC_SIM_FATAL_H

#include <stddef.h>

#include "comm.h"

/* Under mpirun: the world to end. */
void sim_fatal_init(sim_comm *comm);

/* "mcc-sim: [rank R: ]out of memory (what)", then exit 2 / end all ranks. */
_Noreturn void sim_out_of_memory(const char *what);

/* As malloc, calloc and realloc, never NULL: sim_out_of_memory(what). A
 * size of 0 is made 1, so a result is always a block of its own. */
void *sim_xmalloc(size_t size, const char *what);
void *sim_xcalloc(size_t n, size_t size, const char *what);
void *sim_xrealloc(void *p, size_t size, const char *what);

/* An allocation failed somewhere in mcc-sim or a core it hosts
 * (alloc_wrap.c notes it, from any thread); the engine checks at each
 * step and ends the run with sim_out_of_memory. */
void sim_note_alloc_failure(void);
int sim_alloc_failed(void);

#endif
