/*
 * comm.h — what the native engine needs from the processes it runs in
 * when one simulation is spread over several (issue 15: MPI ranks, one
 * partition each). Every rank runs the same scenario runner, so every
 * rank makes the same calls in the same order: each operation below is
 * collective, made by all ranks at once. One process passes no sim_comm
 * at all (engine.h: cfg.comm NULL), and nothing here is called.
 *
 * comm_mpi.c implements it over MPI (mcc-sim only, when OpenMPI is
 * installed); the tests of the engine's rank logic can use any other.
 */
#ifndef MCC_SIM_COMM_H
#define MCC_SIM_COMM_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_comm sim_comm;
struct sim_comm {
  unsigned rank, size;
  /* Element-wise over ranks, in place: the sum, the least, the greatest. */
  void (*sum_u64)(sim_comm *c, uint64_t *v, size_t n);
  void (*min_u64)(sim_comm *c, uint64_t *v, size_t n);
  void (*max_u64)(sim_comm *c, uint64_t *v, size_t n);
  /* Bitwise OR of every rank's buf, in place: how arrays that each rank
   * fills only where it owns the element (others zero) become whole. */
  void (*or_bytes)(sim_comm *c, void *buf, size_t len);
  /* Every rank's `len` bytes, concatenated in rank order into *out
   * (malloc'd, the caller frees it), lens[r] each rank's length. */
  int (*allgather)(sim_comm *c, const void *mine, size_t len, uint8_t **out,
                   size_t *lens);
  /* send holds size runs, run r (send_lens[r] bytes) for rank r; *recv
   * (malloc'd) gets the runs each rank sent here, recv_lens[r] each. */
  int (*alltoall)(sim_comm *c, const uint8_t *send, const size_t *send_lens,
                  uint8_t **recv, size_t *recv_lens);
  /* root's len bytes into every rank's buf. */
  void (*bcast)(sim_comm *c, void *buf, size_t len, unsigned root);
  /* Ends every rank at once with this status (an error on one rank);
   * the one call here that is not collective. */
  void (*abort)(sim_comm *c, int status);
  /* Wall time spent in the calls above, in nanoseconds: waiting for the
   * other ranks, mostly (the engine's barrier statistics). */
  uint64_t wait_ns;
};

/* The MPI world when the process was started by mpirun (OpenMPI's
 * OMPI_COMM_WORLD_SIZE), NULL otherwise; *err says why when it cannot be
 * (no MPI in this build). sim_comm_mpi_end() before exit. */
sim_comm *sim_comm_mpi_begin(int *argc, char ***argv, const char **err);
void sim_comm_mpi_end(sim_comm *c);
/* 1 when this build has MPI. */
int sim_comm_mpi_built(void);
void sim_comm_mpi_abort(sim_comm *c, int status); /* c->abort */

#endif
