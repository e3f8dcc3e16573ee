/*
 * run.h — running one scenario file: build the topology, start the
 * engine, play the timeline, measure, write OUTDIR/metrics.json, run.json,
 * topology.dot, topology.svg and pcap/, print a summary, check the
 * expectations.
 */
#ifndef MCC_SIM_RUN_H
#define MCC_SIM_RUN_H

#include <stdint.h>

struct sim_backend_ops;
struct sim_comm;

typedef struct sim_run_options {
  const char *scenario_path;
  const char *out_dir; /* NULL: sim-out/<scenario name> */
  int has_seed;
  uint64_t seed;       /* overrides the scenario's seed */
  int pcap;            /* write OUTDIR/pcap/<node>.pcap and -inner.pcap */
  int progress;        /* -1: when stderr is a terminal and the run is long */
  int quiet;           /* no summary on stdout */
  int no_svg;          /* skip rendering topology.svg */
  int threads;         /* worker threads, 1..64; 0: 2 on two cores */
  const struct sim_backend_ops *backend; /* NULL: the native engine;
                                            engine_backend.h */
  int backend_given; /* --backend said so: the scenario's `backend` line
                        does not count */
  const struct sim_backend_ops *ns3; /* the ns-3 backend, when built in */
  struct sim_comm *comm; /* MPI ranks (started by mpirun), or NULL */
} sim_run_options;

/* The process exit code: 0 every expectation holds, 1 one fails, 2 bad
 * input (the message is on stderr). */
int sim_run(const sim_run_options *o);

#endif
