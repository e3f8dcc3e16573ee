/*
 * log.h — mccd's log: one line per event with a UTC timestamp and level, to
 * stderr (journald adds its own time there) or to `log-file`, filtered by
 * `log-level`. The core's log callback lands here too.
 */
#ifndef MCC_REAL_LOG_H
#define MCC_REAL_LOG_H

#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_OFF = 0, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG,
                 LOG_TRACE };

/* path NULL or "": stderr. Returns 0, or -1 when the file cannot be opened
 * (the log stays on stderr). */
int log_open(const char *path, enum log_level level);
void log_close(void);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* At most per_s lines a second of one kind of message (a flood of junk
 * must not fill the disk at debug level); the others are counted and
 * summed up in one line, "suppressed N WHAT in the last second", when
 * that second is over. Seconds start at the first line after a pause. */
typedef struct log_limit {
  const char *what;    /* "rejected datagrams" */
  enum log_level level;
  unsigned per_s;
  uint64_t window_ns;  /* start of the current second */
  unsigned lines;      /* written in it */
  uint64_t suppressed; /* counted in it, not written */
} log_limit;

void log_limit_init(log_limit *l, enum log_level level, unsigned per_s,
                    const char *what);
/* 1 when one more line may be written at now_ns (any monotonic clock), 0
 * when it is to be left out (and counted). Writes the summary of an
 * earlier second first. */
int log_limit_take(log_limit *l, uint64_t now_ns);
/* Writes the summary once its second is over (now_ns UINT64_MAX: now, at
 * shutdown). */
void log_limit_flush(log_limit *l, uint64_t now_ns);
/* When log_limit_flush has a summary to write; UINT64_MAX when none. */
uint64_t log_limit_deadline(const log_limit *l);

#endif
