/*
 * comm_mpi.c — comm.h over MPI (OpenMPI from Debian, libopenmpi-dev).
 * Built into mcc-sim only, and only with MPI; without it, the
 * sim_comm_mpi_* calls say so. Counts past MPI's int are sent in pieces
 * (or_bytes) or refused (a window's journal or datagrams over 2 GiB would
 * mean something else is wrong).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcc/mcc.h>

#include "comm.h"
#include "fatal.h"

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#ifdef MCC_HAVE_MPI
#include <mpi.h>

/* A rank short of memory in the middle of a collective cannot back out:
 * the others are in it (fatal.h ends them all). */
#define WHAT "exchanging with the other ranks"

#define PIECE (1u << 28) /* bytes per MPI call of or_bytes and reductions */

static void reduce_u64(sim_comm *c, uint64_t *v, size_t n, MPI_Op op) {
  uint64_t t0 = mono_ns();
  for (size_t off = 0; off < n; off += PIECE / 8) {
    size_t k = n - off < PIECE / 8 ? n - off : PIECE / 8;
    MPI_Allreduce(MPI_IN_PLACE, v + off, (int)k, MPI_UINT64_T, op,
                  MPI_COMM_WORLD);
  }
  c->wait_ns += mono_ns() - t0;
}

static void sum_u64(sim_comm *c, uint64_t *v, size_t n) {
  reduce_u64(c, v, n, MPI_SUM);
}
static void min_u64(sim_comm *c, uint64_t *v, size_t n) {
  reduce_u64(c, v, n, MPI_MIN);
}
static void max_u64(sim_comm *c, uint64_t *v, size_t n) {
  reduce_u64(c, v, n, MPI_MAX);
}

static void or_bytes(sim_comm *c, void *buf, size_t len) {
  uint64_t t0 = mono_ns();
  uint8_t *p = buf;
  for (size_t off = 0; off < len; off += PIECE) {
    size_t k = len - off < PIECE ? len - off : PIECE;
    MPI_Allreduce(MPI_IN_PLACE, p + off, (int)k, MPI_BYTE, MPI_BOR,
                  MPI_COMM_WORLD);
  }
  c->wait_ns += mono_ns() - t0;
}

static int counts_of(const size_t *lens, unsigned n, int *counts, int *displs,
                     size_t *total) {
  size_t sum = 0;
  for (unsigned r = 0; r < n; r++) {
    if (lens[r] > INT_MAX || sum > INT_MAX - lens[r]) return MCC_ERR_LIMIT;
    counts[r] = (int)lens[r];
    displs[r] = (int)sum;
    sum += lens[r];
  }
  *total = sum;
  return 0;
}

static int allgather(sim_comm *c, const void *mine, size_t len, uint8_t **out,
                     size_t *lens) {
  uint64_t t0 = mono_ns();
  unsigned n = c->size;
  uint64_t my = len, *all = sim_xcalloc(n, sizeof *all, WHAT);
  int *counts = sim_xcalloc(n, sizeof *counts, WHAT);
  int *displs = sim_xcalloc(n, sizeof *displs, WHAT);
  MPI_Allgather(&my, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
  size_t total = 0;
  for (unsigned r = 0; r < n; r++) lens[r] = (size_t)all[r];
  int rv = counts_of(lens, n, counts, displs, &total); /* the same everywhere */
  if (rv == 0) *out = sim_xmalloc(total, WHAT);
  if (rv == 0)
    MPI_Allgatherv(mine, (int)len, MPI_BYTE, *out, counts, displs, MPI_BYTE,
                   MPI_COMM_WORLD);
  free(all);
  free(counts);
  free(displs);
  c->wait_ns += mono_ns() - t0;
  return rv;
}

static int alltoall(sim_comm *c, const uint8_t *send, const size_t *send_lens,
                    uint8_t **recv, size_t *recv_lens) {
  uint64_t t0 = mono_ns();
  unsigned n = c->size;
  uint64_t *sl = sim_xcalloc(n, sizeof *sl, WHAT);
  uint64_t *rl = sim_xcalloc(n, sizeof *rl, WHAT);
  int *sc = sim_xcalloc(n, sizeof *sc, WHAT), *sd = sim_xcalloc(n, sizeof *sd, WHAT);
  int *rc = sim_xcalloc(n, sizeof *rc, WHAT), *rd = sim_xcalloc(n, sizeof *rd, WHAT);
  size_t stotal = 0, rtotal = 0;
  for (unsigned r = 0; r < n; r++) sl[r] = send_lens[r];
  MPI_Alltoall(sl, 1, MPI_UINT64_T, rl, 1, MPI_UINT64_T, MPI_COMM_WORLD);
  for (unsigned r = 0; r < n; r++) recv_lens[r] = (size_t)rl[r];
  int rv = counts_of(send_lens, n, sc, sd, &stotal);
  if (rv == 0) rv = counts_of(recv_lens, n, rc, rd, &rtotal);
  if (rv == 0) *recv = sim_xmalloc(rtotal, WHAT);
  if (rv == 0)
    MPI_Alltoallv(send, sc, sd, MPI_BYTE, *recv, rc, rd, MPI_BYTE,
                  MPI_COMM_WORLD);
  free(sl);
  free(rl);
  free(sc);
  free(sd);
  free(rc);
  free(rd);
  c->wait_ns += mono_ns() - t0;
  return rv;
}

static void bcast(sim_comm *c, void *buf, size_t len, unsigned root) {
  uint64_t t0 = mono_ns();
  MPI_Bcast(buf, (int)len, MPI_BYTE, (int)root, MPI_COMM_WORLD);
  c->wait_ns += mono_ns() - t0;
}

sim_comm *sim_comm_mpi_begin(int *argc, char ***argv, const char **err) {
  *err = NULL;
  if (!getenv("OMPI_COMM_WORLD_SIZE")) return NULL; /* not under mpirun */
  sim_comm *c = calloc(1, sizeof *c);
  if (!c) {
    *err = "out of memory";
    return NULL;
  }
  MPI_Init(argc, argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  c->rank = (unsigned)rank;
  c->size = (unsigned)size;
  c->sum_u64 = sum_u64;
  c->min_u64 = min_u64;
  c->max_u64 = max_u64;
  c->or_bytes = or_bytes;
  c->allgather = allgather;
  c->alltoall = alltoall;
  c->bcast = bcast;
  c->abort = sim_comm_mpi_abort;
  return c;
}

int sim_comm_mpi_built(void) { return 1; }

void sim_comm_mpi_end(sim_comm *c) {
  if (!c) return;
  MPI_Finalize();
  free(c);
}

void sim_comm_mpi_abort(sim_comm *c, int status) {
  (void)c;
  MPI_Abort(MPI_COMM_WORLD, status);
}

#else /* no MPI in this build */

sim_comm *sim_comm_mpi_begin(int *argc, char ***argv, const char **err) {
  (void)argc;
  (void)argv;
  (void)mono_ns;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  *err = size && strcmp(size, "1") != 0
             ? "started by mpirun, but this mcc-sim was built without MPI "
               "(install libopenmpi-dev with tools/install-deps, then make "
               "clean && make)"
             : NULL;
  return NULL;
}

int sim_comm_mpi_built(void) { return 0; }
void sim_comm_mpi_end(sim_comm *c) { (void)c; }
void sim_comm_mpi_abort(sim_comm *c, int status) {
  (void)c;
  exit(status);
}

#endif
