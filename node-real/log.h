/*
 * log.h — mccd's log: one line per event with a UTC timestamp and level, to
 * stderr (journald adds its own time there) or to `log-file`, filtered by
 * `log-level`. The core's log callback lands here too.
 */
#ifndef MCC_REAL_LOG_H
#define MCC_REAL_LOG_H

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

#endif
