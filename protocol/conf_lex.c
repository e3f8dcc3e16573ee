/*
 * conf_lex.c — the `key = value` line syntax of mcc.conf and the tunnel
 * files (conf_lex.h), and the value helpers their parsers share, so that
 * both files read the same way and say the same things about bad lines.
 */
#include "conf_lex.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

void conf_trim(const char **s, size_t *len) {
  while (*len && is_blank(**s)) (*s)++, (*len)--;
  while (*len && is_blank((*s)[*len - 1])) (*len)--;
}

char conf_lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

int conf_eq_nocase(const char *s, size_t len, const char *word) {
  size_t n = strlen(word);
  if (n != len) return 0;
  for (size_t i = 0; i < n; i++)
    if (conf_lower(s[i]) != word[i]) return 0;
  return 1;
}

const char *conf_quote(char *out, size_t outlen, const char *s, size_t len) {
  size_t n = len > CONF_FOUND_MAX ? CONF_FOUND_MAX : len;
  if (n + 4 > outlen) n = outlen > 4 ? outlen - 4 : 0;
  for (size_t i = 0; i < n; i++)
    out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  if (n < len) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
  return out;
}

size_t conf_control_column(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
      return i + 1;
  return 0;
}

int conf_parse_u64(const char *s, size_t len, uint64_t *out) {
  if (len == 0) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return -2;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

/* inet_pton wants a NUL-terminated string. */
int conf_pton(int af, const char *s, size_t len, void *dst) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return 0;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(af, buf, dst) == 1;
}

int conf_parse_cidr(int af, const char *s, size_t len, uint8_t *addr,
                    unsigned *pprefix) {
  const char *slash = memchr(s, '/', len);
  if (!slash || !conf_pton(af, s, (size_t)(slash - s), addr)) return -1;
  uint64_t prefix;
  size_t plen = len - (size_t)(slash - s) - 1;
  if (plen > 3 || conf_parse_u64(slash + 1, plen, &prefix) != 0) return -1;
  if (prefix > (af == AF_INET ? 32u : 128u)) return -1;
  *pprefix = (unsigned)prefix;
  return 0;
}

/* Keys are short, so a capped row. */
size_t conf_distance(const char *a, size_t alen, const char *b) {
  size_t blen = strlen(b), row[64];
  if (alen >= 64 || blen >= 64 || alen + 2 < blen || blen + 2 < alen)
    return SIZE_MAX;
  for (size_t j = 0; j <= blen; j++) row[j] = j;
  for (size_t i = 1; i <= alen; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= blen; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[blen];
}

/* ---- lines ------------------------------------------------------------ */

int conf_lex_next(const char *text, size_t textlen, size_t *ppos,
                  const char **pline, size_t *plen) {
  size_t pos = *ppos;
  if (pos >= textlen) return 0;
  const char *nl = memchr(text + pos, '\n', textlen - pos);
  size_t end = nl ? (size_t)(nl - text) : textlen;
  *pline = text + pos;
  *plen = end - pos;
  *ppos = end + 1;
  return 1;
}

static int is_key_char(char c) {
  c = conf_lower(c);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

int conf_lex_line(const char *s, size_t len, conf_line *out, char *why,
                  size_t whylen) {
  char found[CONF_QUOTE_LEN];
  conf_trim(&s, &len);
  if (len == 0 || s[0] == '#') return CONF_LINE_EMPTY;
  const char *eq = memchr(s, '=', len);
  if (!eq) {
    snprintf(why, whylen, "expected 'key = value', got '%s'",
             conf_quote(found, sizeof found, s, len));
    return CONF_LINE_BAD;
  }
  const char *key = s, *val = eq + 1;
  size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
  conf_trim(&key, &klen);
  for (size_t i = 0; i < vlen; i++)
    if (val[i] == '#' && (i == 0 || val[i - 1] == ' ' || val[i - 1] == '\t')) {
      vlen = i;
      break;
    }
  conf_trim(&val, &vlen);
  if (klen == 0) {
    snprintf(why, whylen, "expected 'key = value', got no key before '='");
    return CONF_LINE_BAD;
  }
  for (size_t i = 0; i < klen; i++)
    if (!is_key_char(key[i])) {
      snprintf(why, whylen,
               "malformed key '%s': keys are letters, digits, '-', '.', '_'",
               conf_quote(found, sizeof found, key, klen));
      return CONF_LINE_BAD;
    }
  out->key = key;
  out->klen = klen;
  out->val = val;
  out->vlen = vlen;
  return CONF_LINE_PAIR;
}

int conf_fail(char *err, size_t errlen, int rv, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rv;
}
