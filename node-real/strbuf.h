/*
 * strbuf.h — a growable text buffer for control-socket answers and reports.
 * On allocation failure it stays valid, stops growing and says so in
 * `failed`; the caller answers with an error instead of a cut text.
 */
#ifndef MCC_REAL_STRBUF_H
#define MCC_REAL_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
  char *data; /* NUL-terminated when len > 0 */
  size_t len, cap;
  int failed;
} strbuf;

void strbuf_init(strbuf *sb);
void strbuf_clear(strbuf *sb);
void strbuf_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_append(strbuf *sb, const char *data, size_t len);

/* Writes one message into err (when err and errlen) and returns -1: the
 * failure path of functions that report "what went wrong" in a buffer. */
int fail_msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
