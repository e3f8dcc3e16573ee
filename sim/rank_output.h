/*
 * rank_output.h — under mpirun, rank 0 alone speaks (they would all say
 * the same); the others' stdout goes nowhere and their stderr is kept in
 * memory, so that when a step fails on one rank only (a host without the
 * scenario file), rank 0 can pass on what that rank said (run.c,
 * all_ranks_ok). A fatal message (fatal.h) goes straight to the rank's
 * real stderr.
 */
#ifndef MCC_SIM_RANK_OUTPUT_H
#define MCC_SIM_RANK_OUTPUT_H

#include <stddef.h>

#include "comm.h"

/* Ranks other than 0: stdout to /dev/null, stderr kept. 0 or -1. */
int sim_rank_output_init(const sim_comm *comm);
/* The process's real stderr (a copy kept on ranks other than 0). */
int sim_rank_output_fd(void);
/* What this rank wrote to stderr since the last call (malloc'd, *len
 * bytes, not terminated; NULL when nothing or on rank 0). */
char *sim_rank_output_take(size_t *len);

#endif
