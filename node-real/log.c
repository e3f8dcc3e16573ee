/*
 * log.c — see log.h. Process-wide state is fine here: a host may keep
 * globals, the core may not.
 */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_file;
static enum log_level log_threshold = LOG_INFO;

int log_open(const char *path, enum log_level level) {
  log_threshold = level;
  if (!path || !path[0]) return 0;
  FILE *f = fopen(path, "a");
  if (!f) return -1;
  setvbuf(f, NULL, _IOLBF, 0);
  log_file = f;
  return 0;
}

void log_close(void) {
  if (log_file) fclose(log_file);
  log_file = NULL;
}

int log_enabled(enum log_level level) {
  return level != LOG_OFF && level <= log_threshold;
}

void log_msg(enum log_level level, const char *fmt, ...) {
  static const char *names[] = {"off", "error", "warn", "info", "debug",
                                "trace"};
  if (!log_enabled(level)) return;
  FILE *out = log_file ? log_file : stderr;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  fprintf(out, "%s.%03ldZ %-5s ", when, (long)(tv.tv_usec / 1000),
          names[level]);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
  fputc('\n', out);
}

/* ---- rate limits ------------------------------------------------------ */

#define NS_PER_S 1000000000ull

void log_limit_init(log_limit *l, enum log_level level, unsigned per_s,
                    const char *what) {
  memset(l, 0, sizeof *l);
  l->what = what;
  l->level = level;
  l->per_s = per_s ? per_s : 1;
}

uint64_t log_limit_deadline(const log_limit *l) {
  return l->suppressed ? l->window_ns + NS_PER_S : UINT64_MAX;
}

void log_limit_flush(log_limit *l, uint64_t now_ns) {
  if (!l->suppressed || now_ns < l->window_ns + NS_PER_S) return;
  log_msg(l->level, "suppressed %llu %s in the last second (at most %u "
          "lines a second are written)",
          (unsigned long long)l->suppressed, l->what, l->per_s);
  l->suppressed = 0;
}

int log_limit_take(log_limit *l, uint64_t now_ns) {
  if (l->lines == 0 || now_ns >= l->window_ns + NS_PER_S) {
    log_limit_flush(l, now_ns);
    l->window_ns = now_ns;
    l->lines = 0;
    l->suppressed = 0;
  }
  if (l->lines < l->per_s) {
    l->lines++;
    return 1;
  }
  l->suppressed++;
  return 0;
}
