/*
 * output.h — what a run leaves behind apart from the metrics: directories,
 * run.json (the simulator's own wall time and memory, which vary from run
 * to run and so stay out of metrics.json) and the progress bar.
 */
#ifndef MCC_SIM_OUTPUT_H
#define MCC_SIM_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

/* mkdir -p; 0 or -1 with errno set. */
int sim_mkdirs(const char *path);
double sim_wall_s(void);
/* Peak resident set size of this process, bytes. */
uint64_t sim_peak_rss(void);
/* run.json: what the run cost here (not part of the deterministic
 * output). With MPI ranks, rank 0's wall time and peak RSS (each rank has
 * its own), and the events and window figures of all of them. */
typedef struct sim_run_cost {
  double wall_s;
  uint64_t events, nodes;
  int threads, ranks;
  const char *backend;
  unsigned partitions;
  uint64_t windows;
  double barrier_wait_s, busy_s; /* summed over threads or ranks */
  uint64_t peak_rss_all_ranks;   /* each rank's peak RSS, added up */
} sim_run_cost;
int sim_write_run_json(const char *path, const sim_run_cost *cost);

typedef struct sim_progress {
  int enabled; /* -1: decide after a second of wall time */
  double started, last;
  int shown;
} sim_progress;

void sim_progress_init(sim_progress *p, int mode);
/* Redraws at most ten times a second: "[#####     ] 50% 30m/1h". */
void sim_progress_update(sim_progress *p, uint64_t now_ns, uint64_t end_ns);
void sim_progress_done(sim_progress *p);

#endif
