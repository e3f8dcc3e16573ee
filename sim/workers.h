/*
 * workers.h — the native engine's worker threads (issue 15): one call runs
 * a function on every partition at once, the caller's thread taking
 * partition 0, and returns when all are done. That return is the window's
 * barrier: after it the caller alone exchanges the datagrams that crossed
 * partitions and replays what the window left for the scenario runner, so
 * nothing else in the simulator ever sees two threads. The threads live as
 * long as the engine and spin briefly before sleeping, because a window is
 * often only tens of microseconds of work.
 */
#ifndef MCC_SIM_WORKERS_H
#define MCC_SIM_WORKERS_H

#include <stdint.h>

typedef struct sim_workers sim_workers;
typedef void (*sim_work_fn)(void *arg, unsigned k);

/* n participants: the caller and n - 1 threads. MCC_ERR_NOMEM. */
int sim_workers_new(sim_workers **pw, unsigned n);
/* Stops and joins the threads. NULL is fine. */
void sim_workers_free(sim_workers *w);
/* fn(arg, k) for every k in 0 .. n - 1, k = 0 on the calling thread. */
void sim_workers_run(sim_workers *w, sim_work_fn fn, void *arg);
/* Wall time participants spent waiting for the slowest one of each run
 * (summed over participants), in nanoseconds. */
uint64_t sim_workers_wait_ns(const sim_workers *w);
/* Wall time participants spent in fn, summed. */
uint64_t sim_workers_busy_ns(const sim_workers *w);

#endif
