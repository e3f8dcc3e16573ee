/*
 * scenario_lex.c — the scenario parser's tools (scenario_parse.h): string
 * storage freed all at once, a string map, error messages that name the
 * file and line and quote what was found, the one-line tokenizer (double
 * quotes, '#' comments) and the parsers of numbers, times and names.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parse.h"

/* ---- string storage ---------------------------------------------------- */

enum { CHUNK_SIZE = 4000 };

char *scn_chunk_alloc(struct sim_scenario_chunk **head, size_t n) {
  struct sim_scenario_chunk *c = *head;
  if (c && c->cap - c->used >= n) {
    c->used += n;
    return c->data + c->used - n;
  }
  size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;
  if (cap > SIZE_MAX - sizeof *c) return NULL;
  struct sim_scenario_chunk *fresh = malloc(sizeof *fresh + cap);
  if (!fresh) return NULL;
  fresh->used = n;
  fresh->cap = cap;
  if (c && n > CHUNK_SIZE / 2) { /* keep filling the current chunk */
    fresh->next = c->next;
    c->next = fresh;
  } else {
    fresh->next = c;
    *head = fresh;
  }
  return fresh->data;
}

void scn_chunks_free(struct sim_scenario_chunk *c) {
  while (c) {
    struct sim_scenario_chunk *next = c->next;
    free(c);
    c = next;
  }
}

/* Makes room for need elements of size elem in *parr (capacity *pcap). */
int scn_grow(void *parr, size_t *pcap, size_t need, size_t elem) {
  if (need <= *pcap) return 0;
  size_t cap = *pcap ? *pcap : 8;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) return -1;
    cap *= 2;
  }
  if (cap > SIZE_MAX / elem) return -1;
  void *more = realloc(*(void **)parr, cap * elem);
  if (!more) return -1;
  *(void **)parr = more;
  *pcap = cap;
  return 0;
}

/* ---- a string -> slot map for the checks -------------------------------- */

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* The slot of key, created (zeroed, key set, *pnew = 1) when absent; NULL
 * when out of memory. key must outlive the map. */
slot *scn_strmap_get(strmap *m, const char *key, int *pnew) {
  if (2 * (m->n + 1) > m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 64;
    if (cap > SIZE_MAX / sizeof(slot)) return NULL;
    slot *fresh = calloc(cap, sizeof *fresh);
    if (!fresh) return NULL;
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->slots[i].key) continue;
      size_t j = hash(m->slots[i].key) & (cap - 1);
      while (fresh[j].key) j = (j + 1) & (cap - 1);
      fresh[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = fresh;
    m->cap = cap;
  }
  size_t j = hash(key) & (m->cap - 1);
  while (m->slots[j].key) {
    if (strcmp(m->slots[j].key, key) == 0) {
      *pnew = 0;
      return &m->slots[j];
    }
    j = (j + 1) & (m->cap - 1);
  }
  m->slots[j].key = key;
  m->n++;
  *pnew = 1;
  return &m->slots[j];
}

void scn_strmap_free(strmap *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

/* ---- the parser --------------------------------------------------------- */



/* "path:line: " and the message, for the current line p->line. */
int scn_fail(parser *p, int code, const char *fmt, ...) {
  if (!p->errlen) return code;
  int n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);
  if (n >= 0 && (size_t)n < p->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return code;
}

int scn_nomem(parser *p) {
  return scn_fail(p, MCC_ERR_NOMEM, "out of memory");
}

/* text fit for quoting in a message: control bytes escaped, cut after
 * SHOW_MAX bytes (on a UTF-8 boundary) with "...". Three rotating buffers,
 * so one message can show three texts. */
const char *scn_show(parser *p, const char *text) {
  char *out = p->shown[p->nshown++ % 3];
  size_t len = strlen(text), o = 0;
  size_t cut = len > SHOW_MAX ? SHOW_MAX : len;
  while (cut < len && cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
    cut--;
  for (size_t i = 0; i < cut; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c < 0x20 || c == 0x7f)
      o += (size_t)sprintf(out + o, "\\x%02x", c);
    else
      out[o++] = (char)c;
  }
  if (cut < len) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

/* Tokens tok[from, to) joined by single spaces (in p->join; "" when none),
 * or NULL when out of memory. */
const char *scn_join(parser *p, size_t from, size_t to) {
  size_t need = 1;
  for (size_t i = from; i < to; i++) need += strlen(p->tok[i]) + 1;
  if (scn_grow(&p->join, &p->joincap, need, 1) != 0) return NULL;
  size_t o = 0;
  for (size_t i = from; i < to; i++) {
    size_t l = strlen(p->tok[i]);
    if (i > from) p->join[o++] = ' ';
    memcpy(p->join + o, p->tok[i], l);
    o += l;
  }
  p->join[o] = '\0';
  return p->join;
}

/* The whole line, shown, for "got '...'" after a wrong number of words. */
const char *scn_got_line(parser *p) {
  const char *j = scn_join(p, 0, p->ntok);
  return j ? scn_show(p, j) : "";
}

char *scn_sdup(parser *p, const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = scn_chunk_alloc(&p->s->chunks, len);
  if (copy) memcpy(copy, text, len);
  return copy;
}

/* ns as the largest unit that states it exactly: "2h", "90s", "1500ms". */
const char *scn_fmt_time(char *out, size_t outlen, uint64_t ns) {
  static const struct {
    const char *unit;
    uint64_t ns;
  } units[] = {{"h", 3600000000000ull}, {"m", 60000000000ull},
               {"s", 1000000000ull},    {"ms", 1000000ull},
               {"us", 1000ull},         {"ns", 1}};
  size_t i = 0;
  while (ns && ns % units[i].ns) i++;
  if (!ns) i = 2;
  snprintf(out, outlen, "%" PRIu64 "%s", ns / units[i].ns, units[i].unit);
  return out;
}

/* ---- tokens and values ---------------------------------------------------- */

static int push_byte(parser *p, char c) {
  if (scn_grow(&p->buf, &p->bufcap, p->buflen + 1, 1) != 0) return -1;
  p->buf[p->buflen++] = c;
  return 0;
}

static int begin_token(parser *p) {
  if (scn_grow(&p->starts, &p->startcap, p->ntok + 1, sizeof *p->starts) != 0)
    return -1;
  p->starts[p->ntok++] = p->buflen;
  return 0;
}

/* Splits the line [b, e) (no '\n') into p->tok: words separated by blanks,
 * "double quoted" parts taken literally (\" and \\ escaped) and joined to
 * the word around them, everything from a '#' outside quotes ignored. */
int scn_tokenize(parser *p, const char *b, const char *e) {
  p->buflen = 0;
  p->ntok = 0;
  if (e > b && e[-1] == '\r') e--; /* CRLF */
  int in_word = 0, in_quote = 0;
  size_t quote_col = 0;
  for (const char *c = b; c < e; c++) {
    unsigned char ch = (unsigned char)*c;
    if (!in_quote && (ch == ' ' || ch == '\t')) {
      if (in_word && push_byte(p, '\0') != 0) return scn_nomem(p);
      in_word = 0;
      continue;
    }
    if (!in_quote && ch == '#') break;
    if (ch == '\r')
      return scn_fail(p, MCC_ERR_SYNTAX,
                  "stray carriage return at column %zu (lines end with LF "
                  "or CRLF)",
                  (size_t)(c - b) + 1);
    if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
      return scn_fail(p, MCC_ERR_SYNTAX,
                  "control character 0x%02x at column %zu (not a text "
                  "file?)",
                  ch, (size_t)(c - b) + 1);
    if (!in_word) {
      if (begin_token(p) != 0) return scn_nomem(p);
      in_word = 1;
    }
    if (ch == '"') {
      in_quote = !in_quote;
      quote_col = (size_t)(c - b) + 1;
      continue;
    }
    if (in_quote && ch == '\\' && c + 1 < e && (c[1] == '"' || c[1] == '\\'))
      ch = (unsigned char)*++c;
    if (push_byte(p, (char)ch) != 0) return scn_nomem(p);
  }
  if (in_quote)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "unterminated quoted string (the '\"' at column %zu has no "
                "closing '\"')",
                quote_col);
  if (in_word && push_byte(p, '\0') != 0) return scn_nomem(p);
  if (scn_grow(&p->tok, &p->tokcap, p->ntok + 1, sizeof *p->tok) != 0)
    return scn_nomem(p);
  for (size_t i = 0; i < p->ntok; i++) p->tok[i] = p->buf + p->starts[i];
  p->tok[p->ntok] = NULL;
  return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Decimal digits only, in [min, max]. */
int scn_parse_uint(const char *t, uint64_t min, uint64_t max,
                      uint64_t *pv) {
  uint64_t v = 0;
  if (!*t) return -1;
  for (; *t; t++) {
    if (!is_digit(*t)) return -1;
    unsigned d = (unsigned)(*t - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  if (v < min || v > max) return -1;
  *pv = v;
  return 0;
}

/* [+-]digits[.digits][e[+-]digits]: 0, -1 when the text is not a number,
 * -2 when it is one too large for a double. */
int scn_parse_number(const char *t, double *pv) {
  const char *c = t;
  size_t digits = 0;
  if (*c == '+' || *c == '-') c++;
  for (; is_digit(*c); c++) digits++;
  if (*c == '.')
    for (c++; is_digit(*c); c++) digits++;
  if (!digits) return -1;
  if (*c == 'e' || *c == 'E') {
    c++;
    if (*c == '+' || *c == '-') c++;
    if (!is_digit(*c)) return -1;
    while (is_digit(*c)) c++;
  }
  if (*c) return -1;
  double v = strtod(t, NULL);
  if (!isfinite(v)) return -2;
  *pv = v;
  return 0;
}

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         c == '_' || c == '.' || c == '-';
}

int scn_valid_node(const char *t) {
  if (!*t) return 0;
  for (; *t; t++)
    if (!is_name_char(*t)) return 0;
  return 1;
}

/* [a-z0-9_]+(\.[a-z0-9_]+)* */
int scn_valid_metric(const char *t) {
  int part = 0;
  for (; *t; t++) {
    if ((*t >= 'a' && *t <= 'z') || is_digit(*t) || *t == '_') {
      part++;
    } else if (*t == '.' && part) {
      part = 0;
    } else {
      return 0;
    }
  }
  return part > 0;
}

/* The node name tok[i], checked; what names the event in the message. */
int scn_node_arg(parser *p, const char *what, size_t i, char **pname) {
  if (!scn_valid_node(p->tok[i]))
    return scn_fail(p, MCC_ERR_VALUE, "%s: expected %s, got '%s'", what,
                NODE_EXPECTED, scn_show(p, p->tok[i]));
  if (!(*pname = scn_sdup(p, p->tok[i]))) return scn_nomem(p);
  return 0;
}

int scn_time_arg(parser *p, const char *what, const char *t,
                    uint64_t *pns) {
  if (sim_parse_duration_ns(t, pns) != 0)
    return scn_fail(p, MCC_ERR_VALUE, "%s: expected %s, got '%s'", what,
                TIME_EXAMPLE, scn_show(p, t));
  return 0;
}

/* key=value parameters in tok[from..]: each key one of names (NULL
 * ended), at most once; values[k] is the text given for names[k] or NULL.
 * example shows one ("delay=10ms"). */
int scn_params(parser *p, const char *what, size_t from,
                  const char *const *names, const char **values,
                  const char *example) {
  size_t nnames = 0;
  while (names[nnames]) values[nnames++] = NULL;
  for (size_t i = from; i < p->ntok; i++) {
    char *t = p->tok[i], *eq = strchr(t, '=');
    if (!eq || eq == t)
      return scn_fail(p, MCC_ERR_SYNTAX,
                  "%s: expected a parameter such as %s, got '%s'", what,
                  example, scn_show(p, t));
    *eq = '\0';
    size_t k = 0;
    while (k < nnames && strcmp(names[k], t) != 0) k++;
    if (k == nnames) {
      char list[128];
      size_t o = 0;
      for (size_t j = 0; j < nnames && o < sizeof list; j++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
                              j ? ", " : "", names[j]);
      return scn_fail(p, MCC_ERR_SYNTAX,
                  "%s: unknown parameter '%s' (expected %s)", what,
                  scn_show(p, t), nnames ? list : "none");
    }
    if (values[k])
      return scn_fail(p, MCC_ERR_SYNTAX, "%s: %s= given twice", what, names[k]);
    values[k] = eq + 1;
  }
  return 0;
}

/* A directive given twice: *pline is where it was first. */
int scn_once(parser *p, const char *what, unsigned *pline) {
  if (*pline)
    return scn_fail(p, MCC_ERR_SYNTAX, "%s: given twice (first on line %u)",
                what, *pline);
  *pline = p->line;
  return 0;
}
