/*
 * conf_lex.h — the line syntax that mcc.conf (conf.c) and the tunnel files
 * (tunnel_conf.c) share, and the small value helpers both parsers need.
 * Internal to the core.
 *
 * A file is lines split at '\n' (a '\r' before it is white space, so CRLF
 * works). A line is blank, a comment (first non-blank character '#'), or
 * `key = value`: white space around key and value is ignored, and so is the
 * rest of the line from a '#' that opens the value or follows white space
 * in it ("a = b # why"). Keys are letters, digits, '-', '.', '_'. There is
 * no quoting: a value is the text between '=' and the end or the comment.
 */
#ifndef MCC_CONF_LEX_H
#define MCC_CONF_LEX_H

#include <stddef.h>
#include <stdint.h>

#define CONF_FOUND_MAX 48 /* characters of a bad value quoted in a message */
#define CONF_QUOTE_LEN (CONF_FOUND_MAX + 4) /* conf_quote's output buffer */

enum conf_line_kind {
  CONF_LINE_EMPTY, /* blank or comment */
  CONF_LINE_PAIR,  /* key and value found (the value may be empty) */
  CONF_LINE_BAD    /* not `key = value`: why says what was found */
};

/* Spans into the line given to conf_lex_line, trimmed. */
typedef struct conf_line {
  const char *key, *val;
  size_t klen, vlen;
} conf_line;

/* The next line of text[*ppos..textlen), without its '\n', into *pline /
 * *plen; advances *ppos past it. Returns 0 at the end of the text, else
 * 1. */
int conf_lex_next(const char *text, size_t textlen, size_t *ppos,
                  const char **pline, size_t *plen);

/* Splits one line (without its '\n'). Returns an enum conf_line_kind; for
 * CONF_LINE_BAD why holds "expected 'key = value', got '...'" or
 * "malformed key '...': keys are ...". */
int conf_lex_line(const char *s, size_t len, conf_line *out, char *why,
                  size_t whylen);

/* Drops blanks (space, tab, CR) at both ends of s[0..*len). */
void conf_trim(const char **s, size_t *len);
char conf_lower(char c);
/* 1 when s[0..len) is word (lower case) in any letter case. */
int conf_eq_nocase(const char *s, size_t len, const char *word);

/* s[0..len) quoted for a message into out (CONF_QUOTE_LEN bytes suffice):
 * at most CONF_FOUND_MAX characters and "...", anything unprintable as
 * '?', so that a binary line cannot garble the log. Returns out. */
const char *conf_quote(char *out, size_t outlen, const char *s, size_t len);
/* The 1-based column of the first control character (other than tab) in
 * s[0..len), or 0 when there is none. */
size_t conf_control_column(const char *s, size_t len);

/* Decimal digits only: 0, -1 when not a number, -2 on overflow. */
int conf_parse_u64(const char *s, size_t len, uint64_t *out);
/* inet_pton on s[0..len) (af AF_INET or AF_INET6): 1 when it is an
 * address, else 0. */
int conf_pton(int af, const char *s, size_t len, void *dst);
/* "address/prefix" of family af: 0, or -1. */
int conf_parse_cidr(int af, const char *s, size_t len, uint8_t *addr,
                    unsigned *pprefix);

/* Edit distance between a[0..alen) and b, for "did you mean"; SIZE_MAX
 * when the two are over two edits apart or too long to bother. */
/* Writes the message (printf-style) to err when err and errlen allow, and
 * returns rv: the one way the parsers report a problem. */
int conf_fail(char *err, size_t errlen, int rv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

size_t conf_distance(const char *a, size_t alen, const char *b);

#endif
