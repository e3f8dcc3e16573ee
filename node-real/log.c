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
