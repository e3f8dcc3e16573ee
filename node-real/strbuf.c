/*
 * strbuf.c — see strbuf.h.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *sb) { memset(sb, 0, sizeof *sb); }

void strbuf_clear(strbuf *sb) {
  free(sb->data);
  strbuf_init(sb);
}

static int reserve(strbuf *sb, size_t extra) {
  if (sb->failed) return -1;
  if (sb->len + extra + 1 <= sb->cap) return 0;
  size_t cap = sb->cap ? sb->cap : 256;
  while (cap < sb->len + extra + 1) cap *= 2;
  char *p = realloc(sb->data, cap);
  if (!p) {
    sb->failed = 1;
    return -1;
  }
  sb->data = p;
  sb->cap = cap;
  return 0;
}

void strbuf_append(strbuf *sb, const char *data, size_t len) {
  if (reserve(sb, len) < 0) return;
  memcpy(sb->data + sb->len, data, len);
  sb->len += len;
  sb->data[sb->len] = '\0';
}

void strbuf_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    strbuf_append(sb, small, (size_t)n);
    return;
  }
  if (reserve(sb, (size_t)n) < 0) return;
  va_start(ap, fmt);
  vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

int fail_msg(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}
