/*
 * rank_output.c — the output of MPI ranks other than 0 (rank_output.h):
 * stderr becomes an anonymous in-memory file, read back and emptied when
 * rank 0 asks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rank_output.h"

static int real_stderr = STDERR_FILENO;
static int kept = -1; /* the in-memory stderr of a rank other than 0 */

int sim_rank_output_init(const sim_comm *comm) {
  if (!comm || comm->rank == 0) return 0;
  fflush(NULL);
  real_stderr = dup(STDERR_FILENO);
  if (real_stderr < 0) real_stderr = STDERR_FILENO;
  int null = open("/dev/null", O_WRONLY);
  kept = memfd_create("mcc-sim-stderr", 0);
  int to = kept >= 0 ? kept : null;
  if (null < 0 || to < 0 || dup2(null, STDOUT_FILENO) < 0 ||
      dup2(to, STDERR_FILENO) < 0)
    return -1;
  close(null);
  return 0;
}

int sim_rank_output_fd(void) { return real_stderr; }

char *sim_rank_output_take(size_t *len) {
  *len = 0;
  if (kept < 0) return NULL;
  fflush(stderr);
  off_t end = lseek(kept, 0, SEEK_END);
  char *buf = end > 0 ? malloc((size_t)end) : NULL;
  if (buf && pread(kept, buf, (size_t)end, 0) == end) *len = (size_t)end;
  /* stderr shares kept's offset: both start again at 0 */
  if (ftruncate(kept, 0) == 0) lseek(kept, 0, SEEK_SET);
  if (!*len) {
    free(buf);
    return NULL;
  }
  return buf;
}
