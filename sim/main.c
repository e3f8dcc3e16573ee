/*
 * main.c — the mcc-sim command line. Parsing only: the work is in run.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "fatal.h"
#include "rank_output.h"
#include "metrics.h"
#include "run.h"
#ifdef MCC_HAVE_NS3
#include "engine_ns3.h"
#endif

#define MCC_SIM_VERSION "0.1.0"

static void usage(FILE *f) {
  fprintf(f,
          "usage: mcc-sim run SCENARIO [options]\n"
          "       mcc-sim metrics          list the metric names\n"
          "       mcc-sim --help | --version\n"
          "\n"
          "Runs a scenario file (scenarios/README.md describes the format) on\n"
          "virtual nodes of the MCC core, deterministically, and checks its\n"
          "expectations.\n"
          "\n"
          "options of run:\n"
          "  -o, --out DIR    where to write metrics.json, run.json,\n"
          "                   topology.dot, topology.svg (default\n"
          "                   sim-out/<scenario name>)\n"
          "  --seed N         override the scenario's seed\n"
          "  --pcap           write DIR/pcap/network.pcap and\n"
          "                   node-<node>.pcap (underlay), inner.pcap and\n"
          "                   node-<node>-inner.pcap (decrypted packets);\n"
          "                   on ns-3 also ns-3's own captures in\n"
          "                   DIR/pcap/ns3/ (per link, or per device on a\n"
          "                   csma segment or wifi channel)\n"
          "  --progress       show progress on stderr (default: when stderr\n"
          "                   is a terminal and the run takes over a second)\n"
          "  --no-progress    never show progress\n"
          "  --no-svg         do not render topology.svg (never rendered\n"
          "                   above 20,000 nodes: too long to lay out)\n"
          "  --threads N      worker threads, 1 to 64 (default: 2 on two or\n"
          "                   more cores): the native engine splits the\n"
          "                   nodes by subtree into N partitions run in\n"
          "                   parallel (one when a link of no delay would\n"
          "                   join two, or for a star; then a second\n"
          "                   thread verifies signatures ahead); the\n"
          "                   output is the same bytes for any N. ns-3\n"
          "                   runs on one thread\n"
          "  --backend native|ns3\n"
          "                   native (the default): the simulator's own\n"
          "                   event loop, the fast one; ns3: the same\n"
          "                   nodes over ns-3's links, which also has the\n"
          "                   link models 'link model=csma|wifi' and\n"
          "                   queue= (needs mcc-sim built with ns-3,\n"
          "                   libns3-dev)%s\n"
          "  -q, --quiet      no summary on stdout\n"
          "\n"
          "Under mpirun (mcc-sim built with OpenMPI), each rank runs one\n"
          "partition and rank 0 writes the outputs, the same bytes as one\n"
          "process: mpirun -np 4 mcc-sim run SCENARIO -o DIR (README.md,\n"
          "\"Over several processes or machines\")%s\n"
          "\n"
          "exit status: 0 every expectation holds, 1 one fails, 2 bad input\n"
          "or out of memory (no metrics are written then)\n",
#ifdef MCC_HAVE_NS3
          "",
#else
          "\n                   (this build has no ns-3)",
#endif
          sim_comm_mpi_built() ? "" : "\n(this build has no MPI)");
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return -1;
  *out = v;
  return 0;
}

static int cmd_run(int argc, char **argv, sim_comm *comm) {
  sim_run_options o = {0};
  o.comm = comm;
#ifdef MCC_HAVE_NS3
  o.ns3 = &sim_backend_ns3;
#endif
  o.progress = -1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
      if (++i == argc) {
        fprintf(stderr, "mcc-sim: %s needs a directory\n", a);
        return 2;
      }
      o.out_dir = argv[i];
    } else if (!strcmp(a, "--seed")) {
      if (++i == argc || parse_u64(argv[i], &o.seed) != 0) {
        fprintf(stderr, "mcc-sim: --seed needs a non-negative integer\n");
        return 2;
      }
      o.has_seed = 1;
    } else if (!strcmp(a, "--pcap")) {
      o.pcap = 1;
    } else if (!strcmp(a, "--progress")) {
      o.progress = 1;
    } else if (!strcmp(a, "--no-progress")) {
      o.progress = 0;
    } else if (!strcmp(a, "--threads")) {
      uint64_t n;
      if (++i == argc || parse_u64(argv[i], &n) != 0 || n < 1 || n > 64) {
        fprintf(stderr, "mcc-sim: --threads needs a number from 1 to 64\n");
        return 2;
      }
      o.threads = (int)n;
    } else if (!strcmp(a, "--backend")) {
      if (++i == argc) {
        fprintf(stderr, "mcc-sim: --backend needs native or ns3\n");
        return 2;
      }
      o.backend_given = 1;
      if (!strcmp(argv[i], "native")) {
        o.backend = NULL;
      } else if (!strcmp(argv[i], "ns3")) {
#ifdef MCC_HAVE_NS3
        o.backend = &sim_backend_ns3;
#else
        fprintf(stderr, "mcc-sim: --backend ns3: this mcc-sim was built "
                        "without ns-3 (install libns3-dev with "
                        "tools/install-deps, then make clean && make)\n");
        return 2;
#endif
      } else {
        fprintf(stderr, "mcc-sim: --backend needs native or ns3, not '%s'\n",
                argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--no-svg")) {
      o.no_svg = 1;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      o.quiet = 1;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-') {
      fprintf(stderr, "mcc-sim: unknown option '%s' (see mcc-sim --help)\n", a);
      return 2;
    } else if (!o.scenario_path) {
      o.scenario_path = a;
    } else {
      fprintf(stderr, "mcc-sim: one scenario at a time (got '%s' too)\n", a);
      return 2;
    }
  }
  if (!o.scenario_path) {
    fprintf(stderr, "mcc-sim: run needs a scenario file (see mcc-sim --help)\n");
    return 2;
  }
  return sim_run(&o);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run")) {
    /* Under mpirun every rank runs the same scenario; rank 0 alone
     * speaks (they would all say the same) and writes the outputs. */
    const char *why;
    sim_comm *comm = sim_comm_mpi_begin(&argc, &argv, &why);
    if (why) {
      fprintf(stderr, "mcc-sim: %s\n", why);
      return 2;
    }
    sim_fatal_init(comm);
    if (sim_rank_output_init(comm) != 0) sim_comm_mpi_abort(comm, 2);
    int rc = cmd_run(argc - 2, argv + 2, comm);
    if (comm && comm->size > 1) { /* every rank ends with rank 0's status */
      uint64_t status = (uint64_t)rc;
      comm->max_u64(comm, &status, 1);
      rc = (int)status;
    }
    sim_comm_mpi_end(comm);
    return rc;
  }
  if (!strcmp(cmd, "metrics")) {
    for (size_t i = 0; sim_metrics_name(i); i++) puts(sim_metrics_name(i));
    return 0;
  }
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version")) {
    printf("mcc-sim %s\n", MCC_SIM_VERSION);
    return 0;
  }
  fprintf(stderr, "mcc-sim: unknown command '%s' (see mcc-sim --help)\n", cmd);
  return 2;
}
