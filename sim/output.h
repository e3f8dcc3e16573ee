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
/* run.json: what the run cost here (not part of the deterministic output). */
int sim_write_run_json(const char *path, double wall_s, uint64_t events,
                       uint64_t nodes, int threads, const char *backend);

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
