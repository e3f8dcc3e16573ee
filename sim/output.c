/*
 * output.c — directories, run.json and the progress bar (output.h). The
 * wall clock is read here only, for humans; nothing in a run depends on it.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

int sim_mkdirs(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char c = buf[i];
    buf[i] = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    buf[i] = c;
  }
  return 0;
}

double sim_wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t sim_peak_rss(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

int sim_write_run_json(const char *path, const sim_run_cost *c) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f,
          "{\n  \"wall_s\": %.3f,\n  \"peak_rss_bytes\": %llu,\n"
          "  \"events\": %llu,\n  \"events_per_s\": %.0f,\n"
          "  \"nodes\": %llu,\n  \"threads\": %d,\n  \"ranks\": %d,\n"
          "  \"backend\": \"%s\",\n  \"partitions\": %u,\n"
          "  \"windows\": %llu,\n  \"barrier_wait_s\": %.3f,\n"
          "  \"busy_s\": %.3f,\n  \"peak_rss_bytes_all_ranks\": %llu\n}\n",
          c->wall_s, (unsigned long long)sim_peak_rss(),
          (unsigned long long)c->events,
          c->wall_s > 0 ? (double)c->events / c->wall_s : 0,
          (unsigned long long)c->nodes, c->threads, c->ranks, c->backend,
          c->partitions, (unsigned long long)c->windows, c->barrier_wait_s,
          c->busy_s, (unsigned long long)c->peak_rss_all_ranks);
  return fclose(f);
}

void sim_progress_init(sim_progress *p, int mode) {
  p->enabled = mode < 0 ? (isatty(STDERR_FILENO) ? -1 : 0) : mode;
  p->started = p->last = sim_wall_s();
  p->shown = 0;
}

static void fmt_time(char *out, size_t len, uint64_t ns) {
  uint64_t s = ns / 1000000000ull;
  if (s >= 3600)
    snprintf(out, len, "%lluh%02llum", (unsigned long long)(s / 3600),
             (unsigned long long)(s / 60 % 60));
  else
    snprintf(out, len, "%llum%02llus", (unsigned long long)(s / 60),
             (unsigned long long)(s % 60));
}

void sim_progress_update(sim_progress *p, uint64_t now_ns, uint64_t end_ns) {
  if (!p->enabled) return;
  double t = sim_wall_s();
  if (p->enabled < 0 && t - p->started < 1.0) return; /* short runs: quiet */
  if (t - p->last < 0.1 && p->shown) return;
  p->last = t;
  p->shown = 1;
  int pct = end_ns ? (int)(100.0 * (double)now_ns / (double)end_ns) : 100;
  if (pct > 100) pct = 100;
  char bar[31], a[32], b[32];
  for (int i = 0; i < 30; i++) bar[i] = i < pct * 30 / 100 ? '#' : ' ';
  bar[30] = '\0';
  fmt_time(a, sizeof a, now_ns);
  fmt_time(b, sizeof b, end_ns);
  fprintf(stderr, "\r[%s] %3d%% %s / %s simulated, %.1f s", bar, pct, a, b,
          t - p->started);
  fflush(stderr);
}

void sim_progress_done(sim_progress *p) {
  if (p->shown) fprintf(stderr, "\n");
}
