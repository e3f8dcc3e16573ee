/*
 * bench_sim.c — the simulator's speed and memory, into
 * results/bench-sim.json: the manual's benchmark simulated (12,800 nodes,
 * all children of one root: bootstrap plus one simulated hour idle), and
 * trees of 1k, 10k and 100k nodes (fanout 10, two parents each) for how
 * events per second and bytes per virtual node grow (peak_rss_bytes_per_node:
 * the peak RSS over the nodes, the process's fixed part included). Wall
 * time and RSS are this machine's and vary; the simulated figures are
 * exact.
 * Runs use --threads worker threads (default 2 when the machine has a
 * second core): the nodes split into partitions by subtree, run in
 * parallel windows (issue 15); each result says how many partitions, the
 * windows run, the mean events per window, the wall time threads spent
 * waiting at window ends, the CPU time, and events per second per thread.
 * With more than one thread the largest tree runs once more on one
 * thread, for the scaling (tree_100k_1_thread). The machine's other load
 * shows in wall times: compare CPU seconds too. Each row runs in a child
 * process that makes its own topology, so its peak RSS is its own.
 * Built with ns-3, it first runs issue 14's star of 10,000 leaves on both
 * backends.
 * The scaling table last (issue 15): scenarios/long/tree-100k.scn run by
 * build/bin/mcc-sim on 1 and 2 threads, and under mpirun on 1, 2 and 4
 * ranks when mcc-sim has MPI; each a process of its own, timed from the
 * outside (MPI's start-up included), its CPU time that of the process and
 * its children, its peak RSS every rank's added up (run.json). More ranks
 * than cores share them (oversubscribed): events per second per core
 * divide by the cores in use, at most the machine's.
 * The file begins with "machine": the speed of this machine's Ed25519 and
 * X25519 at the start and at the end of the bench (machine_speed.h).
 *   mcc-bench-sim [OUT.json] [--max N] [--threads N]
 *   (N: largest tree, default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/time.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include "engine.h"
#ifdef MCC_HAVE_NS3
#include "engine_ns3.h"
#endif
#include "machine_speed.h"
#include "measure.h"
#include "output.h"

#define S 1000000000ull

static int threads; /* of the run being made */

typedef struct result {
  const char *name;
  size_t nodes;
  double bootstrap_s, wall_s, events_per_s, bytes_per_node, rss_mib;
  double idle_leaf, idle_root;
  uint64_t events;
  int threads;
  sim_engine_stat st;
  double cpu_s;
  int ranks, cores; /* MPI ranks (0: in this process); cores in use */
} result;

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static const sim_backend_ops *backend; /* NULL: native */

static int run(result *r, sim_topology *t, uint64_t seed) {
  char err[256];
  sim_engine_config c;
  memset(&c, 0, sizeof c);
  c.seed = seed;
  mcc_settings_default(&c.base);
  c.link_defaults.delay_ns = 10000000;
  c.unix_start_s = 1790000000;
  c.helper_threads = threads - 1;
  c.backend = backend;
  double t0 = sim_wall_s(), c0 = cpu_s();
  sim_engine *e = NULL;
  sim_measure *m = NULL;
  if (sim_engine_new(&e, t, &c, err, sizeof err) != 0 ||
      sim_measure_new(&m, e, t, seed) != 0) {
    fprintf(stderr, "bench-sim: %s\n", err);
    return -1;
  }
  uint64_t now = 0;
  while (!sim_measure_bootstrap_check(m) && now < 600 * S)
    sim_engine_run_until(e, now += S);
  uint64_t boot = sim_engine_now(e);
  sim_measure_idle_begin(m);
  sim_engine_run_until(e, boot + 3600 * S);
  sim_measure_idle_end(m);
  double wall = sim_wall_s() - t0;
  r->cpu_s = cpu_s() - c0;
  r->threads = threads;
  sim_engine_stats(e, &r->st);
  double mem = (double)sim_engine_nodes_memory(e) +
               (double)sim_engine_store_memory(e); /* the shared bodies */
  sim_metrics snap;
  sim_measure_current(m, &snap);
  r->nodes = t->nnodes;
  r->bootstrap_s = (double)boot / S;
  r->wall_s = wall;
  r->events = sim_engine_events(e);
  r->events_per_s = (double)r->events / wall;
  r->bytes_per_node = mem / (double)t->nnodes;
  r->rss_mib = (double)sim_peak_rss() / (1024.0 * 1024.0);
  r->idle_leaf = snap.idle_leaf;
  r->idle_root = snap.idle_root;
  sim_measure_free(m);
  sim_engine_free(e);
  return 0;
}

/* What a row runs on: a star of `nodes` nodes (one root), or a tree of
 * fanout 10, two parents each, `depth` levels below the root. */
typedef struct bench_topo {
  int star;
  unsigned nodes, depth;
} bench_topo;

static size_t topo_nodes(bench_topo bt) {
  if (bt.star) return bt.nodes;
  size_t n = 0, level = 1;
  for (unsigned d = 0; d <= bt.depth; d++, level *= 10) n += level;
  return n;
}

/* One run in a child process of its own, its topology made there, so that
 * its peak RSS is its own and not the largest run's so far (nor what the
 * allocator kept of an earlier one); the result comes back through a
 * pipe. */
static int run_forked(result *r, bench_topo bt, uint64_t seed,
                      const sim_backend_ops *ops) {
  int fd[2];
  if (pipe(fd) != 0) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    char err[256];
    sim_topology t;
    sim_topology_init(&t);
    int made = bt.star ? sim_topology_star(&t, bt.nodes, err, sizeof err)
                       : sim_topology_tree(&t, 10, bt.depth, 2, err, sizeof err);
    backend = ops;
    int rv = made == 0 ? run(r, &t, seed) : -1;
    if (made != 0) fprintf(stderr, "bench-sim: %s\n", err);
    ssize_t w = rv == 0 ? write(fd[1], r, sizeof *r) : 0;
    _exit(w == (ssize_t)sizeof *r ? 0 : 1);
  }
  close(fd[1]);
  const char *name = r->name;
  ssize_t got = read(fd[0], r, sizeof *r);
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r->name = name;
  return got == (ssize_t)sizeof *r && WIFEXITED(status) &&
                 WEXITSTATUS(status) == 0
             ? 0
             : -1;
}

/* The number after "key": in a JSON file of mcc-sim's (flat objects). */
static double json_number(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[512], want[128];
  snprintf(want, sizeof want, "\"%s\":", key);
  double v = -1;
  while (fgets(line, sizeof line, f)) {
    const char *at = strstr(line, want);
    if (at && sscanf(at + strlen(want), "%lf", &v) == 1) break;
  }
  fclose(f);
  return v;
}

/* mcc-sim run SCENARIO in a process of its own, under mpirun with ranks
 * > 0; its figures from the run.json and metrics.json it writes. */
static int run_cli(result *r, const char *sim, const char *scenario,
                   int nthreads, int ranks) {
  char dir[] = "/tmp/mcc-bench-sim-XXXXXX", th[16], np[16], path[256];
  if (!mkdtemp(dir)) return -1;
  snprintf(th, sizeof th, "%d", nthreads);
  snprintf(np, sizeof np, "%d", ranks);
  const char *argv_one[] = {sim, "run", scenario, "-o", dir, "-q", "--no-svg",
                            "--no-progress", "--threads", th, NULL};
  const char *argv_mpi[] = {"mpirun", "--oversubscribe", "-np", np, sim,
                            "run", scenario, "-o", dir, "-q", "--no-svg",
                            "--no-progress", NULL};
  double t0 = sim_wall_s();
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_btl", "self,vader", 1);
    execvp(ranks ? "mpirun" : sim, (char *const *)(ranks ? argv_mpi : argv_one));
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    fprintf(stderr, "bench-sim: %s on %s failed (status %d)\n", scenario,
            ranks ? "mpirun" : "one process", status);
    return -1;
  }
  r->wall_s = sim_wall_s() - t0;
  r->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  snprintf(path, sizeof path, "%s/run.json", dir);
  r->events = (uint64_t)json_number(path, "events");
  r->nodes = (size_t)json_number(path, "nodes");
  r->st.partitions = (unsigned)json_number(path, "partitions");
  r->st.windows = (uint64_t)json_number(path, "windows");
  r->st.events = r->events;
  r->st.barrier_wait_s = json_number(path, "barrier_wait_s");
  r->st.busy_s = json_number(path, "busy_s");
  r->rss_mib = json_number(path, "peak_rss_bytes_all_ranks") / 1048576.0;
  snprintf(path, sizeof path, "%s/metrics.json", dir);
  r->bootstrap_s = json_number(path, "bootstrap_s");
  r->bytes_per_node = json_number(path, "state_bytes_per_node");
  r->idle_leaf = json_number(path, "idle.leaf_bytes_per_day");
  r->idle_root = json_number(path, "idle.root_bytes_per_day");
  r->events_per_s = (double)r->events / r->wall_s;
  r->threads = nthreads;
  r->ranks = ranks;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int used = ranks ? ranks : nthreads;
  r->cores = ncpu > 0 && used > ncpu ? (int)ncpu : used;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "bench-sim: could not remove %s\n", dir);
  return 0;
}

static void write_json(FILE *f, const result *r, int last) {
  double per_window =
      r->st.windows ? (double)r->st.events / (double)r->st.windows : 0;
  int cores = r->cores ? r->cores : r->threads;
  fprintf(f, "  \"%s\": {", r->name);
  if (r->cores)
    fprintf(f, "\"scenario\": \"scenarios/long/tree-100k.scn\", "
               "\"mpi_ranks\": %d, \"cores_used\": %d, %s",
            r->ranks, r->cores,
            r->ranks > r->cores ? "\"oversubscribed\": true, " : "");
  fprintf(f,
          "\"nodes\": %zu, \"bootstrap_simulated_s\": %.0f, "
          "\"threads\": %d, \"wall_s\": %.2f, \"cpu_s\": %.2f, \"events\": %llu, \"events_per_s\": %.0f, "
          "\"events_per_s_per_core\": %.0f, \"partitions\": %u, "
          "\"windows\": %llu, \"events_per_window\": %.1f, "
          "\"barrier_wait_s\": %.2f, \"busy_s\": %.2f, "
          "\"protocol_bytes_per_node\": %.0f, \"peak_rss_mib\": %.1f, "
          "\"peak_rss_bytes_per_node\": %.0f, "
          "\"idle_leaf_bytes_per_day\": %.0f, "
          "\"idle_root_bytes_per_day\": %.0f}%s\n",
          r->nodes, r->bootstrap_s, r->threads, r->wall_s, r->cpu_s,
          (unsigned long long)r->events, r->events_per_s,
          r->events_per_s / (cores ? cores : 1), r->st.partitions,
          (unsigned long long)r->st.windows, per_window, r->st.barrier_wait_s,
          r->st.busy_s, r->bytes_per_node, r->rss_mib,
          r->nodes ? r->rss_mib * 1048576.0 / (double)r->nodes : 0, r->idle_leaf,
          r->idle_root, last ? "" : ",");
}

static void print_line(const result *r) {
  printf("%-17s %7zu nodes: bootstrap %3.0f s simulated; bootstrap + 1 h idle "
         "in %6.2f s wall (%6.2f s CPU, %d thread%s, %u partition%s, %llu "
         "windows, %.2f s waiting at barriers), %9.0f events/s, %5.0f "
         "protocol bytes/node, peak RSS %7.1f MiB\n",
         r->name, r->nodes, r->bootstrap_s, r->wall_s, r->cpu_s, r->threads,
         r->threads == 1 ? "" : "s", r->st.partitions,
         r->st.partitions == 1 ? "" : "s", (unsigned long long)r->st.windows,
         r->st.barrier_wait_s, r->events_per_s, r->bytes_per_node,
         r->rss_mib);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const char *path = "results/bench-sim.json";
  size_t max = 100000;
  threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--max") && i + 1 < argc)
      max = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else
      path = argv[i];
  }
  if (threads < 1 || threads > 64) threads = 1;
  printf("mcc-bench-sim: %d thread%s\n", threads, threads > 1 ? "s" : "");
  machine_speed before, after;
  if (machine_speed_measure(&before) != 0) {
    fprintf(stderr, "mcc-bench-sim: libsodium does not work here\n");
    return 1;
  }
  machine_speed_print(stdout, &before);
  result rs[16];
  memset(rs, 0, sizeof rs);
  size_t n = 0;
#ifdef MCC_HAVE_NS3
  /* Issue 14's benchmark: 10,000 leaves under one root, bootstrap and one
   * simulated hour, on the native engine and on ns-3. */
  rs[n].name = "star_10000_native";
  if (run_forked(&rs[n], (bench_topo){1, 10001, 0}, 1, NULL) == 0)
    print_line(&rs[n++]);
  rs[n].name = "star_10000_ns3";
  if (run_forked(&rs[n], (bench_topo){1, 10001, 0}, 1, &sim_backend_ns3) == 0)
    print_line(&rs[n++]);
#endif
  /* The manual's benchmark: 12,800 nodes under one root. Every row runs
   * in a process of its own (run_forked). */
  rs[n].name = "star_12800";
  if (run_forked(&rs[n], (bench_topo){1, 12800, 0}, 1, NULL) == 0)
    print_line(&rs[n++]);
  static const struct {
    const char *name;
    unsigned depth;
  } trees[] = {{"tree_1k", 3}, {"tree_10k", 4}, {"tree_100k", 5}};
  for (size_t k = 0; k < 3; k++) {
    bench_topo bt = {0, 0, trees[k].depth};
    if (topo_nodes(bt) > max + max / 5) continue;
    rs[n].name = trees[k].name;
    if (run_forked(&rs[n], bt, 2 + k, NULL) == 0) print_line(&rs[n++]);
    /* The scaling: the largest tree on one thread too. */
    int all = threads;
    if (k == 2 && threads > 1) {
      threads = 1;
      rs[n].name = "tree_100k_1_thread";
      if (run_forked(&rs[n], bt, 2 + k, NULL) == 0) print_line(&rs[n++]);
      threads = all;
    }
  }
  /* The scaling table: the same scenario through mcc-sim, on threads
   * and on MPI ranks. */
  static const char *sim = "build/bin/mcc-sim",
                    *tree = "scenarios/long/tree-100k.scn";
  static const struct {
    const char *name;
    int threads, ranks;
  } scaling[] = {{"scaling_tree_100k_1_thread", 1, 0},
                 {"scaling_tree_100k_2_threads", 2, 0},
                 {"scaling_tree_100k_mpi_1_rank", 1, 1},
                 {"scaling_tree_100k_mpi_2_ranks", 1, 2},
                 {"scaling_tree_100k_mpi_4_ranks", 1, 4}};
  int mpi = system("build/bin/mcc-sim --help | grep -q 'has no MPI' || "
                   "! command -v mpirun >/dev/null") != 0;
  for (size_t k = 0; max >= 100000 && k < 5; k++) {
    if (scaling[k].ranks && !mpi) {
      printf("%s: skipped (mcc-sim without MPI, or no mpirun)\n",
             scaling[k].name);
      continue;
    }
    rs[n].name = scaling[k].name;
    if (run_cli(&rs[n], sim, tree, scaling[k].threads, scaling[k].ranks) == 0)
      print_line(&rs[n++]);
  }
  if (machine_speed_measure(&after) != 0) return 1;
  machine_speed_print(stdout, &after);
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return 1;
  }
  fprintf(f, "{\n  \"machine\": {\"at_start\": ");
  machine_speed_json(f, &before);
  fprintf(f, ", \"at_end\": ");
  machine_speed_json(f, &after);
  fprintf(f, "},\n");
  for (size_t k = 0; k < n; k++) write_json(f, &rs[k], k + 1 == n);
  fprintf(f, "}\n");
  fclose(f);
  printf("wrote %s\n", path);
  return 0;
}
