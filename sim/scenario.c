/*
 * scenario.c — the scenario file parser (scenario.h; the format is in
 * scenarios/README.md): a tokenizer for one line (double quotes, '#'
 * comments), one function per directive, and the checks that need the
 * whole file: required directives, events within the run, and a timeline
 * that makes sense once sorted. Stops at the first error, which names the
 * file, the line, the directive, what was expected and what was found.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>

#include "scenario.h"

#define SHOW_MAX 60 /* bytes of found text quoted in a message */
#define TIME_EXAMPLE "a time such as 30s, 10m or 2h"
#define NODE_EXPECTED \
  "a node name (letters, digits, '_', '.', '-') such as n3"

/* ---- string storage ---------------------------------------------------- */

/* Every string of a scenario lives in a list of chunks freed together, so
 * an error half-way through a line leaves nothing to unwind. */
struct sim_scenario_chunk {
  struct sim_scenario_chunk *next;
  size_t used, cap;
  char data[];
};

enum { CHUNK_SIZE = 4000 };

static char *chunk_alloc(struct sim_scenario_chunk **head, size_t n) {
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

static void chunks_free(struct sim_scenario_chunk *c) {
  while (c) {
    struct sim_scenario_chunk *next = c->next;
    free(c);
    c = next;
  }
}

/* Makes room for need elements of size elem in *parr (capacity *pcap). */
static int grow(void *parr, size_t *pcap, size_t need, size_t elem) {
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

typedef struct slot {
  const char *key; /* NULL: empty */
  size_t index;
  unsigned line;
  int state;
} slot;

typedef struct strmap {
  slot *slots;
  size_t cap, n; /* cap a power of 2 */
} strmap;

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* The slot of key, created (zeroed, key set, *pnew = 1) when absent; NULL
 * when out of memory. key must outlive the map. */
static slot *strmap_get(strmap *m, const char *key, int *pnew) {
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

static void strmap_free(strmap *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

/* ---- the parser --------------------------------------------------------- */

typedef struct parser {
  sim_scenario *s;
  const char *path; /* for messages */
  unsigned line;
  char *err;
  size_t errlen;

  char *buf; /* the current line's tokens, NUL-separated */
  size_t buflen, bufcap;
  size_t *starts;
  char **tok;
  size_t ntok, startcap, tokcap;

  char *join; /* scratch for joined tokens */
  size_t joincap;
  char shown[3][SHOW_MAX * 4 + 8];
  unsigned nshown;

  mcc_conf *conf; /* created at the first `set`, to check values */
  strmap nodes;   /* name -> index in s->nodes */
  struct sim_scenario_chunk *scratch;

  unsigned name_line, topo_line, seed_line, duration_line, idle_line;
  unsigned link_line[4]; /* delay, rate, loss, mtu */
} parser;

static int fail(parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "path:line: " and the message, for the current line p->line. */
static int fail(parser *p, int code, const char *fmt, ...) {
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

static int nomem(parser *p) {
  return fail(p, MCC_ERR_NOMEM, "out of memory");
}

/* text fit for quoting in a message: control bytes escaped, cut after
 * SHOW_MAX bytes (on a UTF-8 boundary) with "...". Three rotating buffers,
 * so one message can show three texts. */
static const char *show(parser *p, const char *text) {
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
static const char *join(parser *p, size_t from, size_t to) {
  size_t need = 1;
  for (size_t i = from; i < to; i++) need += strlen(p->tok[i]) + 1;
  if (grow(&p->join, &p->joincap, need, 1) != 0) return NULL;
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
static const char *got_line(parser *p) {
  const char *j = join(p, 0, p->ntok);
  return j ? show(p, j) : "";
}

static char *sdup(parser *p, const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = chunk_alloc(&p->s->chunks, len);
  if (copy) memcpy(copy, text, len);
  return copy;
}

/* ns as the largest unit that states it exactly: "2h", "90s", "1500ms". */
static const char *fmt_time(char *out, size_t outlen, uint64_t ns) {
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
  if (grow(&p->buf, &p->bufcap, p->buflen + 1, 1) != 0) return -1;
  p->buf[p->buflen++] = c;
  return 0;
}

static int begin_token(parser *p) {
  if (grow(&p->starts, &p->startcap, p->ntok + 1, sizeof *p->starts) != 0)
    return -1;
  p->starts[p->ntok++] = p->buflen;
  return 0;
}

/* Splits the line [b, e) (no '\n') into p->tok: words separated by blanks,
 * "double quoted" parts taken literally (\" and \\ escaped) and joined to
 * the word around them, everything from a '#' outside quotes ignored. */
static int tokenize(parser *p, const char *b, const char *e) {
  p->buflen = 0;
  p->ntok = 0;
  if (e > b && e[-1] == '\r') e--; /* CRLF */
  int in_word = 0, in_quote = 0;
  size_t quote_col = 0;
  for (const char *c = b; c < e; c++) {
    unsigned char ch = (unsigned char)*c;
    if (!in_quote && (ch == ' ' || ch == '\t')) {
      if (in_word && push_byte(p, '\0') != 0) return nomem(p);
      in_word = 0;
      continue;
    }
    if (!in_quote && ch == '#') break;
    if (ch == '\r')
      return fail(p, MCC_ERR_SYNTAX,
                  "stray carriage return at column %zu (lines end with LF "
                  "or CRLF)",
                  (size_t)(c - b) + 1);
    if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
      return fail(p, MCC_ERR_SYNTAX,
                  "control character 0x%02x at column %zu (not a text "
                  "file?)",
                  ch, (size_t)(c - b) + 1);
    if (!in_word) {
      if (begin_token(p) != 0) return nomem(p);
      in_word = 1;
    }
    if (ch == '"') {
      in_quote = !in_quote;
      quote_col = (size_t)(c - b) + 1;
      continue;
    }
    if (in_quote && ch == '\\' && c + 1 < e && (c[1] == '"' || c[1] == '\\'))
      ch = (unsigned char)*++c;
    if (push_byte(p, (char)ch) != 0) return nomem(p);
  }
  if (in_quote)
    return fail(p, MCC_ERR_SYNTAX,
                "unterminated quoted string (the '\"' at column %zu has no "
                "closing '\"')",
                quote_col);
  if (in_word && push_byte(p, '\0') != 0) return nomem(p);
  if (grow(&p->tok, &p->tokcap, p->ntok + 1, sizeof *p->tok) != 0)
    return nomem(p);
  for (size_t i = 0; i < p->ntok; i++) p->tok[i] = p->buf + p->starts[i];
  p->tok[p->ntok] = NULL;
  return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Decimal digits only, in [min, max]. */
static int parse_uint(const char *t, uint64_t min, uint64_t max,
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
static int parse_number(const char *t, double *pv) {
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

static int valid_node(const char *t) {
  if (!*t) return 0;
  for (; *t; t++)
    if (!is_name_char(*t)) return 0;
  return 1;
}

/* [a-z0-9_]+(\.[a-z0-9_]+)* */
static int valid_metric(const char *t) {
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
static int node_arg(parser *p, const char *what, size_t i, char **pname) {
  if (!valid_node(p->tok[i]))
    return fail(p, MCC_ERR_VALUE, "%s: expected %s, got '%s'", what,
                NODE_EXPECTED, show(p, p->tok[i]));
  if (!(*pname = sdup(p, p->tok[i]))) return nomem(p);
  return 0;
}

static int time_arg(parser *p, const char *what, const char *t,
                    uint64_t *pns) {
  if (sim_parse_duration_ns(t, pns) != 0)
    return fail(p, MCC_ERR_VALUE, "%s: expected %s, got '%s'", what,
                TIME_EXAMPLE, show(p, t));
  return 0;
}

/* key=value parameters in tok[from..]: each key one of names (NULL
 * ended), at most once; values[k] is the text given for names[k] or NULL.
 * example shows one ("delay=10ms"). */
static int params(parser *p, const char *what, size_t from,
                  const char *const *names, const char **values,
                  const char *example) {
  size_t nnames = 0;
  while (names[nnames]) values[nnames++] = NULL;
  for (size_t i = from; i < p->ntok; i++) {
    char *t = p->tok[i], *eq = strchr(t, '=');
    if (!eq || eq == t)
      return fail(p, MCC_ERR_SYNTAX,
                  "%s: expected a parameter such as %s, got '%s'", what,
                  example, show(p, t));
    *eq = '\0';
    size_t k = 0;
    while (k < nnames && strcmp(names[k], t) != 0) k++;
    if (k == nnames) {
      char list[128];
      size_t o = 0;
      for (size_t j = 0; j < nnames && o < sizeof list; j++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
                              j ? ", " : "", names[j]);
      return fail(p, MCC_ERR_SYNTAX,
                  "%s: unknown parameter '%s' (expected %s)", what,
                  show(p, t), nnames ? list : "none");
    }
    if (values[k])
      return fail(p, MCC_ERR_SYNTAX, "%s: %s= given twice", what, names[k]);
    values[k] = eq + 1;
  }
  return 0;
}

/* A directive given twice: *pline is where it was first. */
static int once(parser *p, const char *what, unsigned *pline) {
  if (*pline)
    return fail(p, MCC_ERR_SYNTAX, "%s: given twice (first on line %u)",
                what, *pline);
  *pline = p->line;
  return 0;
}

/* ---- directives --------------------------------------------------------------- */

static int d_name(parser *p) {
  int rv = once(p, "name", &p->name_line);
  if (rv) return rv;
  const char *t = p->ntok == 2 ? p->tok[1] : "";
  if (!valid_node(t) || t[0] == '.')
    return fail(p, MCC_ERR_VALUE,
                "name: expected one name of letters, digits, '_', '.' and "
                "'-', not starting with '.', such as tree-failover, got '%s'",
                join(p, 1, p->ntok) ? show(p, p->join) : "");
  if (!(p->s->name = sdup(p, t))) return nomem(p);
  return 0;
}

static int d_seed(parser *p) {
  int rv = once(p, "seed", &p->seed_line);
  if (rv) return rv;
  if (p->ntok != 2 || parse_uint(p->tok[1], 0, UINT64_MAX, &p->s->seed) != 0)
    return fail(p, MCC_ERR_VALUE,
                "seed: expected an integer 0-18446744073709551615, got '%s'",
                join(p, 1, p->ntok) ? show(p, p->join) : "");
  return 0;
}

/* An event or idle window ending at t past the duration, if known. */
static int after_end(parser *p, const char *what, uint64_t t) {
  if (!p->duration_line || t <= p->s->duration_ns) return 0;
  char a[32], b[32];
  return fail(p, MCC_ERR_VALUE,
              "%s: %s is after the end of the run (duration %s, line %u)",
              what, fmt_time(a, sizeof a, t),
              fmt_time(b, sizeof b, p->s->duration_ns), p->duration_line);
}

static int d_duration(parser *p) {
  sim_scenario *s = p->s;
  int rv = once(p, "duration", &p->duration_line);
  if (rv) return rv;
  if (p->ntok != 2 || sim_parse_duration_ns(p->tok[1], &s->duration_ns) != 0)
    return fail(p, MCC_ERR_VALUE,
                "duration: expected a duration such as 30s, 10m or 2h, got "
                "'%s'",
                join(p, 1, p->ntok) ? show(p, p->join) : "");
  if (s->duration_ns == 0)
    return fail(p, MCC_ERR_VALUE, "duration: must be more than 0, got '%s'",
                show(p, p->tok[1]));
  /* what came before: report the first line that ends after the run */
  unsigned bad = 0;
  const char *what = "at";
  uint64_t t = 0;
  for (size_t i = 0; i < s->nevents && !bad; i++)
    if (s->events[i].time_ns > s->duration_ns)
      bad = s->events[i].line, t = s->events[i].time_ns;
  if (p->idle_line && s->idle_to_ns > s->duration_ns &&
      (!bad || p->idle_line < bad))
    bad = p->idle_line, t = s->idle_to_ns, what = "idle";
  if (!bad) return 0;
  p->line = bad;
  return after_end(p, what, t);
}

static int d_link(parser *p) {
  static const char *const names[] = {"delay", "rate", "loss", "mtu", NULL};
  const char *v[4];
  sim_link_params *l = &p->s->link;
  if (p->ntok < 2)
    return fail(p, MCC_ERR_SYNTAX,
                "link: expected one or more of delay=, rate=, loss=, mtu= "
                "such as link delay=10ms rate=1Mbit, got '%s'",
                got_line(p));
  int rv = params(p, "link", 1, names, v, "delay=10ms");
  if (rv) return rv;
  for (int k = 0; k < 4; k++) {
    if (!v[k]) continue;
    if (p->link_line[k])
      return fail(p, MCC_ERR_SYNTAX, "link: %s= already set on line %u",
                  names[k], p->link_line[k]);
    p->link_line[k] = p->line;
  }
  uint64_t mtu;
  if (v[0] && sim_parse_duration_ns(v[0], &l->delay_ns) != 0)
    return fail(p, MCC_ERR_VALUE,
                "link: delay: expected a duration such as 10ms, got '%s'",
                show(p, v[0]));
  if (v[1] && sim_parse_rate_bps(v[1], &l->rate_bps) != 0)
    return fail(p, MCC_ERR_VALUE,
                "link: rate: expected a rate such as 64kbit, 1Mbit or 1Gbit "
                "(0: unlimited), got '%s'",
                show(p, v[1]));
  if (v[2] && sim_parse_probability(v[2], &l->loss) != 0)
    return fail(p, MCC_ERR_VALUE,
                "link: loss: expected a probability 0-1 such as 0.01 or 1%%, "
                "got '%s'",
                show(p, v[2]));
  if (v[3] && parse_uint(v[3], 576, 65535, &mtu) != 0)
    return fail(p, MCC_ERR_VALUE,
                "link: mtu: expected an integer in range 576-65535, got '%s'",
                show(p, v[3]));
  if (v[3]) l->mtu = (uint32_t)mtu;
  p->s->link_has |= (v[0] ? SIM_LINK_HAS_DELAY : 0u) |
                    (v[1] ? SIM_LINK_HAS_RATE : 0u) |
                    (v[2] ? SIM_LINK_HAS_LOSS : 0u) |
                    (v[3] ? SIM_LINK_HAS_MTU : 0u);
  return 0;
}

typedef struct topo_kind {
  const char *name;
  sim_topo_kind kind;
  const char *const *params;
  unsigned required; /* bit k: params[k] must be given */
  const char *example, *param_example;
} topo_kind;

static const char *const tree_params[] = {"fanout", "depth", "parents", NULL};
static const char *const n_params[] = {"n", NULL};
static const char *const random_params[] = {"n", "parents", "seed", NULL};

static const topo_kind topo_kinds[] = {
    {"tree", SIM_TOPO_TREE, tree_params, 3,
     "topology tree fanout=2 depth=3 parents=2", "fanout=2"},
    {"linear", SIM_TOPO_LINEAR, n_params, 1, "topology linear n=6", "n=6"},
    {"cyclic", SIM_TOPO_CYCLIC, n_params, 1, "topology cyclic n=4", "n=4"},
    {"star", SIM_TOPO_STAR, n_params, 1, "topology star n=100", "n=100"},
    {"random", SIM_TOPO_RANDOM, random_params, 1,
     "topology random n=50 parents=1 seed=3", "n=50"},
};

/* The file's path as the runner opens it: relative paths are relative to
 * the scenario file's directory. */
static int resolve_file(parser *p, const char *file) {
  sim_topo_spec *t = &p->s->topo;
  const char *slash = strrchr(p->s->path, '/');
  if (file[0] == '/' || !slash) {
    t->path = t->file;
    return 0;
  }
  size_t dirlen = (size_t)(slash - p->s->path) + 1, len = strlen(file);
  if (!(t->path = chunk_alloc(&p->s->chunks, dirlen + len + 1)))
    return nomem(p);
  memcpy(t->path, p->s->path, dirlen);
  memcpy(t->path + dirlen, file, len + 1);
  return 0;
}

static int d_topology(parser *p) {
  sim_topo_spec *t = &p->s->topo;
  int rv = once(p, "topology", &p->topo_line);
  if (rv) return rv;
  t->line = p->line;
  if (p->ntok < 2)
    return fail(p, MCC_ERR_SYNTAX,
                "topology: expected 'topology KIND [PARAMETERS]' with KIND "
                "tree, linear, cyclic, star, random or file, got '%s'",
                got_line(p));
  const char *kind = p->tok[1];
  if (strcmp(kind, "file") == 0) {
    if (p->ntok != 3 || !p->tok[2][0])
      return fail(p, MCC_ERR_SYNTAX,
                  "topology file: expected 'topology file PATH' (quote a "
                  "path with spaces), got '%s'",
                  got_line(p));
    t->kind = SIM_TOPO_FILE;
    if (!(t->file = sdup(p, p->tok[2]))) return nomem(p);
    return resolve_file(p, t->file);
  }
  const topo_kind *k = NULL;
  for (size_t i = 0; i < sizeof topo_kinds / sizeof topo_kinds[0]; i++)
    if (strcmp(topo_kinds[i].name, kind) == 0) k = &topo_kinds[i];
  if (!k)
    return fail(p, MCC_ERR_SYNTAX,
                "topology: unknown kind '%s' (expected tree, linear, cyclic, "
                "star, random or file)",
                show(p, kind));
  char what[32];
  snprintf(what, sizeof what, "topology %s", k->name);
  const char *v[4];
  if ((rv = params(p, what, 2, k->params, v, k->param_example)))
    return rv;
  for (unsigned i = 0; k->params[i]; i++)
    if ((k->required >> i & 1) && !v[i])
      return fail(p, MCC_ERR_SYNTAX, "%s: missing %s= (such as '%s')", what,
                  k->params[i], k->example);
  t->kind = k->kind;
  t->parents = 1;
  for (unsigned i = 0; k->params[i]; i++) {
    const char *name = k->params[i];
    uint64_t min = 1, max = UINT_MAX, val;
    if (!v[i]) continue;
    if (strcmp(name, "depth") == 0) min = 0;
    if (strcmp(name, "parents") == 0) max = 2;
    if (strcmp(name, "n") == 0 && k->kind == SIM_TOPO_CYCLIC) min = 3;
    if (strcmp(name, "seed") == 0) min = 0, max = UINT64_MAX;
    if (parse_uint(v[i], min, max, &val) != 0)
      return fail(p, MCC_ERR_VALUE,
                  "%s: %s: expected an integer in range %" PRIu64 "-%" PRIu64
                  ", got '%s'",
                  what, name, min, max, show(p, v[i]));
    if (strcmp(name, "fanout") == 0) t->fanout = (unsigned)val;
    if (strcmp(name, "depth") == 0) t->depth = (unsigned)val;
    if (strcmp(name, "parents") == 0) t->parents = (unsigned)val;
    if (strcmp(name, "n") == 0) t->n = (unsigned)val;
    if (strcmp(name, "seed") == 0) t->seed = val, t->has_seed = 1;
  }
  if (k->kind == SIM_TOPO_LINEAR || k->kind == SIM_TOPO_CYCLIC ||
      k->kind == SIM_TOPO_STAR)
    t->parents = 0;
  return 0;
}

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[65];
  if (la > 64 || lb > 64) return SIZE_MAX;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static int d_set(parser *p) {
  sim_scenario *s = p->s;
  if (p->ntok < 2)
    return fail(p, MCC_ERR_SYNTAX,
                "set: expected 'set KEY VALUE' such as 'set "
                "keep-alive-period 30s', got '%s'",
                got_line(p));
  const mcc_conf_key *k = mcc_conf_key_find(p->tok[1]);
  if (!k) {
    const char *best = NULL;
    size_t bestd = 3;
    for (size_t i = 0; i < mcc_conf_key_count(); i++) {
      size_t d = edit_distance(p->tok[1], mcc_conf_key_at(i)->name);
      if (d < bestd) bestd = d, best = mcc_conf_key_at(i)->name;
    }
    return fail(p, MCC_ERR_SYNTAX, "set: unknown mcc.conf key '%s'%s%s%s",
                show(p, p->tok[1]), best ? " (did you mean '" : "",
                best ? best : "", best ? "'?)" : "");
  }
  if (p->ntok < 3)
    return fail(p, MCC_ERR_SYNTAX,
                "set: %s: missing value (write \"\" for an empty one)",
                k->name);
  const char *value = join(p, 2, p->ntok);
  if (!value) return nomem(p);
  if (!p->conf && mcc_conf_new(&p->conf) != 0) return nomem(p);
  char msg[256];
  int rv = mcc_conf_set(p->conf, k->name, value, msg, sizeof msg);
  if (rv == MCC_ERR_NOMEM) return nomem(p);
  if (rv != 0)
    return fail(p, rv == MCC_ERR_SYNTAX ? MCC_ERR_SYNTAX : MCC_ERR_VALUE,
                "set: %s", msg);
  if (grow(&s->sets, &s->capsets, s->nsets + 1, sizeof *s->sets) != 0)
    return nomem(p);
  sim_conf_override *o = &s->sets[s->nsets];
  if (!(o->key = sdup(p, k->name)) || !(o->value = sdup(p, value)))
    return nomem(p);
  o->line = p->line;
  s->nsets++;
  if (msg[0]) { /* a warning: a deprecated key */
    char head[64];
    int n = snprintf(head, sizeof head, ":%u: set: ", p->line);
    size_t plen = strlen(s->path), len = plen + (size_t)n + strlen(msg) + 1;
    char *w = chunk_alloc(&s->chunks, len);
    if (!w || grow(&s->warnings, &s->capwarnings, s->nwarnings + 1,
                   sizeof *s->warnings) != 0)
      return nomem(p);
    snprintf(w, len, "%s%s%s", s->path, head, msg);
    s->warnings[s->nwarnings++] = w;
  }
  return 0;
}

/* The entry of node tok[1] in s->nodes, created at its first mention. */
static int node_spec(parser *p, const char *what, sim_node_spec **pspec) {
  sim_scenario *s = p->s;
  char *name;
  int rv = node_arg(p, what, 1, &name), fresh;
  if (rv) return rv;
  if (grow(&s->nodes, &s->capnodes, s->nnodes + 1, sizeof *s->nodes) != 0)
    return nomem(p);
  slot *sl = strmap_get(&p->nodes, name, &fresh);
  if (!sl) return nomem(p);
  if (fresh) {
    sl->index = s->nnodes++;
    memset(&s->nodes[sl->index], 0, sizeof *s->nodes);
    s->nodes[sl->index].node = name;
    s->nodes[sl->index].line = p->line;
  }
  *pspec = &s->nodes[sl->index];
  return 0;
}

static int network_arg(parser *p, const char *what, const char *t,
                       int *pnet) {
  uint64_t v;
  if (parse_uint(t, 0, SIM_SCENARIO_NETWORK_MAX, &v) != 0)
    return fail(p, MCC_ERR_VALUE,
                "%s: expected a network number 0-%d, got '%s'", what,
                SIM_SCENARIO_NETWORK_MAX, show(p, t));
  *pnet = (int)v;
  return 0;
}

static int d_network(parser *p) {
  sim_node_spec *n;
  int net = 0, rv;
  if (p->ntok != 3)
    return fail(p, MCC_ERR_SYNTAX,
                "network: expected 'network NODE NET' such as 'network n3 "
                "1', got '%s'",
                got_line(p));
  if ((rv = network_arg(p, "network", p->tok[2], &net))) return rv;
  if ((rv = node_spec(p, "network", &n))) return rv;
  if (n->has_network)
    return fail(p, MCC_ERR_VALUE, "network: %s's network is already set",
                n->node);
  n->has_network = 1;
  n->network = net;
  return 0;
}

static int d_trust(parser *p) {
  sim_node_spec *n;
  int net = 0, mask = 0, rv;
  if (p->ntok < 3)
    return fail(p, MCC_ERR_SYNTAX,
                "trust: expected 'trust NODE NET...' such as 'trust n3 0', "
                "got '%s'",
                got_line(p));
  for (size_t i = 2; i < p->ntok; i++) {
    if ((rv = network_arg(p, "trust", p->tok[i], &net))) return rv;
    mask |= 1 << net;
  }
  if ((rv = node_spec(p, "trust", &n))) return rv;
  n->trusts |= mask;
  return 0;
}

static int d_idle(parser *p) {
  sim_scenario *s = p->s;
  int rv = once(p, "idle", &p->idle_line);
  if (rv) return rv;
  if (p->ntok != 5 || strcmp(p->tok[1], "from") != 0 ||
      strcmp(p->tok[3], "to") != 0)
    return fail(p, MCC_ERR_SYNTAX,
                "idle: expected 'idle from TIME to TIME' such as 'idle from "
                "5m to 65m', got '%s'",
                got_line(p));
  if ((rv = time_arg(p, "idle: from", p->tok[2], &s->idle_from_ns)) ||
      (rv = time_arg(p, "idle: to", p->tok[4], &s->idle_to_ns)))
    return rv;
  if (s->idle_to_ns <= s->idle_from_ns)
    return fail(p, MCC_ERR_VALUE,
                "idle: the window must end after it begins, got 'from %s to "
                "%s'",
                show(p, p->tok[2]), show(p, p->tok[4]));
  s->has_idle = 1;
  return after_end(p, "idle", s->idle_to_ns);
}

static int ev_usage(parser *p, const char *what, const char *usage) {
  return fail(p, MCC_ERR_SYNTAX, "%s: expected '%s', got '%s'", what, usage,
              got_line(p));
}

/* tok: at TIME flow start NAME from A to B PROTO [size=N] [every=T] */
static int ev_flow(parser *p, sim_event *ev) {
  static const char *const names[] = {"size", "every", NULL};
  static const char *const start_usage =
      "at TIME flow start NAME from NODE to NODE udp|tcp|icmp [size=BYTES] "
      "[every=TIME]";
  const char *sub = p->ntok > 3 ? p->tok[3] : "";
  const char *v[2];
  int rv;
  if (strcmp(sub, "stop") == 0) {
    ev->kind = SIM_EV_FLOW_STOP;
    if (p->ntok != 5) return ev_usage(p, "flow stop", "at TIME flow stop NAME");
    return node_arg(p, "flow stop", 4, &ev->flow);
  }
  if (strcmp(sub, "start") != 0)
    return fail(p, MCC_ERR_SYNTAX,
                "flow: expected 'flow start' or 'flow stop', got 'flow %s'",
                show(p, sub));
  ev->kind = SIM_EV_FLOW_START;
  if (p->ntok < 10 || strcmp(p->tok[5], "from") != 0 ||
      strcmp(p->tok[7], "to") != 0)
    return ev_usage(p, "flow start", start_usage);
  if ((rv = node_arg(p, "flow start", 4, &ev->flow)) ||
      (rv = node_arg(p, "flow start: from", 6, &ev->a)) ||
      (rv = node_arg(p, "flow start: to", 8, &ev->b)))
    return rv;
  if (strcmp(ev->a, ev->b) == 0)
    return fail(p, MCC_ERR_VALUE,
                "flow start: expected two different nodes, got 'from %s to "
                "%s'",
                ev->a, ev->b);
  const char *proto = p->tok[9];
  if (strcmp(proto, "udp") == 0)
    ev->proto = SIM_PROTO_UDP;
  else if (strcmp(proto, "tcp") == 0)
    ev->proto = SIM_PROTO_TCP;
  else if (strcmp(proto, "icmp") == 0)
    ev->proto = SIM_PROTO_ICMP;
  else
    return fail(p, MCC_ERR_VALUE,
                "flow start: expected a protocol udp, tcp or icmp, got '%s'",
                show(p, proto));
  if ((rv = params(p, "flow start", 10, names, v, "size=64")) != 0) return rv;
  uint64_t size = SIM_FLOW_SIZE_DEFAULT;
  if (v[0] && parse_uint(v[0], 0, SIM_FLOW_SIZE_MAX, &size) != 0)
    return fail(p, MCC_ERR_VALUE,
                "flow start: size: expected payload bytes in range 0-%d, got "
                "'%s'",
                SIM_FLOW_SIZE_MAX, show(p, v[0]));
  ev->size = (uint32_t)size;
  ev->every_ns = SIM_FLOW_EVERY_DEFAULT_NS;
  if (v[1] && (sim_parse_duration_ns(v[1], &ev->every_ns) != 0 ||
               ev->every_ns == 0))
    return fail(p, MCC_ERR_VALUE,
                "flow start: every: expected an interval above 0 such as "
                "1s or 100ms, got '%s'",
                show(p, v[1]));
  return 0;
}

static int ev_ping(parser *p, sim_event *ev) {
  static const char *const names[] = {"max", NULL};
  const char *v[1];
  int rv;
  if (p->ntok > 3 && strcmp(p->tok[3], "all") == 0) {
    ev->kind = SIM_EV_PING_ALL;
    if ((rv = params(p, "ping all", 4, names, v, "max=2000"))) return rv;
    if (v[0] && parse_uint(v[0], 1, UINT64_MAX, &ev->ping_max) != 0)
      return fail(p, MCC_ERR_VALUE,
                  "ping all: max: expected a number of pairs of at least 1, "
                  "got '%s'",
                  show(p, v[0]));
    return 0;
  }
  ev->kind = SIM_EV_PING;
  if (p->ntok != 5)
    return ev_usage(p, "ping", "at TIME ping all [max=PAIRS]' or 'at TIME "
                               "ping NODE NODE");
  if ((rv = node_arg(p, "ping", 3, &ev->a)) ||
      (rv = node_arg(p, "ping", 4, &ev->b)))
    return rv;
  if (strcmp(ev->a, ev->b) == 0)
    return fail(p, MCC_ERR_VALUE,
                "ping: expected two different nodes, got '%s %s'", ev->a,
                ev->b);
  return 0;
}

static int d_at(parser *p) {
  sim_scenario *s = p->s;
  sim_event ev;
  int rv;
  memset(&ev, 0, sizeof ev);
  ev.line = p->line;
  if (p->ntok < 3)
    return fail(p, MCC_ERR_SYNTAX,
                "at: expected 'at TIME EVENT' (EVENT: kill, revive, cut, "
                "restore, flow, ping), got '%s'",
                got_line(p));
  if ((rv = time_arg(p, "at", p->tok[1], &ev.time_ns))) return rv;
  const char *kind = p->tok[2];
  if (strcmp(kind, "kill") == 0 || strcmp(kind, "revive") == 0) {
    ev.kind = kind[0] == 'k' ? SIM_EV_KILL : SIM_EV_REVIVE;
    if (p->ntok != 4)
      return ev_usage(p, kind, kind[0] == 'k' ? "at TIME kill NODE"
                                              : "at TIME revive NODE");
    if ((rv = node_arg(p, kind, 3, &ev.a))) return rv;
  } else if (strcmp(kind, "cut") == 0 || strcmp(kind, "restore") == 0) {
    ev.kind = kind[0] == 'c' ? SIM_EV_CUT : SIM_EV_RESTORE;
    if (p->ntok != 5)
      return ev_usage(p, kind, kind[0] == 'c' ? "at TIME cut NODE NODE"
                                              : "at TIME restore NODE NODE");
    if ((rv = node_arg(p, kind, 3, &ev.a)) ||
        (rv = node_arg(p, kind, 4, &ev.b)))
      return rv;
    if (strcmp(ev.a, ev.b) == 0)
      return fail(p, MCC_ERR_VALUE,
                  "%s: expected the two ends of a link, got '%s %s'", kind,
                  ev.a, ev.b);
  } else if (strcmp(kind, "flow") == 0) {
    if ((rv = ev_flow(p, &ev))) return rv;
  } else if (strcmp(kind, "ping") == 0) {
    if ((rv = ev_ping(p, &ev))) return rv;
  } else {
    return fail(p, MCC_ERR_SYNTAX,
                "at: unknown event '%s' (expected kill, revive, cut, restore, "
                "flow start, flow stop or ping)",
                show(p, kind));
  }
  if ((rv = after_end(p, "at", ev.time_ns))) return rv;
  if (grow(&s->events, &s->capevents, s->nevents + 1, sizeof ev) != 0)
    return nomem(p);
  s->events[s->nevents++] = ev;
  return 0;
}

static const char *const op_names[] = {"<", "<=", ">", ">=", "==", "!="};

static int d_expect(parser *p) {
  sim_scenario *s = p->s;
  sim_expectation e;
  memset(&e, 0, sizeof e);
  e.line = p->line;
  if (p->ntok != 4)
    return fail(p, MCC_ERR_SYNTAX,
                "expect: expected 'expect METRIC OP VALUE' with spaces "
                "around the operator (< <= > >= == !=) such as 'expect "
                "routing.loops == 0', got '%s'",
                got_line(p));
  if (!valid_metric(p->tok[1]))
    return fail(p, MCC_ERR_VALUE,
                "expect: expected a metric name such as routing.delivered "
                "(a-z, 0-9, '_', parts joined by '.'), got '%s'",
                show(p, p->tok[1]));
  size_t op = 0;
  while (op < 6 && strcmp(op_names[op], p->tok[2]) != 0) op++;
  if (op == 6)
    return fail(p, MCC_ERR_VALUE,
                "expect: expected an operator < <= > >= == or !=, got '%s'",
                show(p, p->tok[2]));
  e.op = (sim_expect_op)op;
  const char *rhs = p->tok[3];
  int num = parse_number(rhs, &e.rhs_value);
  if (num == -2)
    return fail(p, MCC_ERR_VALUE,
                "expect: expected a number within the range of a double, got "
                "'%s'",
                show(p, rhs));
  if (num != 0) {
    if (!valid_metric(rhs))
      return fail(p, MCC_ERR_VALUE,
                  "expect: expected a number or a metric name after '%s', "
                  "got '%s'",
                  op_names[op], show(p, rhs));
    if (!(e.rhs_metric = sdup(p, rhs))) return nomem(p);
  }
  if (!(e.metric = sdup(p, p->tok[1])) || !join(p, 1, 4) ||
      !(e.text = sdup(p, p->join)))
    return nomem(p);
  if (grow(&s->expects, &s->capexpects, s->nexpects + 1, sizeof e) != 0)
    return nomem(p);
  s->expects[s->nexpects++] = e;
  return 0;
}

static const struct directive {
  const char *name;
  int (*fn)(parser *p);
} directives[] = {
    {"name", d_name},       {"topology", d_topology}, {"seed", d_seed},
    {"duration", d_duration}, {"link", d_link},       {"set", d_set},
    {"network", d_network}, {"trust", d_trust},       {"idle", d_idle},
    {"at", d_at},           {"expect", d_expect},
};

static int parse_line(parser *p, const char *b, const char *e) {
  int rv = tokenize(p, b, e);
  if (rv || p->ntok == 0) return rv;
  for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
    if (strcmp(directives[i].name, p->tok[0]) == 0) return directives[i].fn(p);
  return fail(p, MCC_ERR_SYNTAX,
              "unknown directive '%s' (expected name, topology, seed, "
              "duration, link, set, network, trust, idle, at, expect)",
              show(p, p->tok[0]));
}

/* ---- whole-file checks ------------------------------------------------------ */

static int by_time(const void *a, const void *b) {
  const sim_event *x = a, *y = b;
  if (x->time_ns != y->time_ns) return x->time_ns < y->time_ns ? -1 : 1;
  return x->line < y->line ? -1 : x->line > y->line;
}

/* "a b" with the smaller name first: one key for a link in either order. */
static const char *link_key(parser *p, const sim_event *ev) {
  const char *x = ev->a, *y = ev->b;
  if (strcmp(x, y) > 0) x = ev->b, y = ev->a;
  size_t lx = strlen(x), ly = strlen(y);
  char *k = chunk_alloc(&p->scratch, lx + ly + 2);
  if (!k) return NULL;
  memcpy(k, x, lx);
  k[lx] = ' ';
  memcpy(k + lx + 1, y, ly + 1);
  return k;
}

/* Walks the sorted timeline: a flow runs from its start to its stop (and
 * its name is used up), a node is dead from a kill to a revive, a link is
 * down from a cut to a restore. */
static int check_timeline(parser *p) {
  strmap maps[3] = {{0}, {0}, {0}}; /* flows, nodes, links */
  int rv = 0, fresh;
  char t[32];
  for (size_t i = 0; i < p->s->nevents && !rv; i++) {
    const sim_event *ev = &p->s->events[i];
    const char *key;
    int m, on;
    switch (ev->kind) {
    case SIM_EV_FLOW_START:
    case SIM_EV_FLOW_STOP:
      m = 0, key = ev->flow, on = ev->kind == SIM_EV_FLOW_START;
      break;
    case SIM_EV_KILL:
    case SIM_EV_REVIVE:
      m = 1, key = ev->a, on = ev->kind == SIM_EV_KILL;
      break;
    case SIM_EV_CUT:
    case SIM_EV_RESTORE:
      m = 2, key = link_key(p, ev), on = ev->kind == SIM_EV_CUT;
      break;
    default:
      continue;
    }
    slot *sl = key ? strmap_get(&maps[m], key, &fresh) : NULL;
    if (!sl) {
      rv = nomem(p);
      break;
    }
    p->line = ev->line;
    fmt_time(t, sizeof t, ev->time_ns);
    if (m == 0 && on && !fresh)
      rv = fail(p, MCC_ERR_VALUE,
                "flow start: a flow named '%s' is already started on line %u "
                "(each flow needs its own name)",
                key, (unsigned)sl->index);
    else if (m == 0 && !on && fresh)
      rv = fail(p, MCC_ERR_VALUE,
                "flow stop: no flow named '%s' is started before %s", key, t);
    else if (m == 0 && !on && !sl->state)
      rv = fail(p, MCC_ERR_VALUE,
                "flow stop: flow '%s' is already stopped on line %u", key,
                sl->line);
    else if (m == 1 && on && sl->state)
      rv = fail(p, MCC_ERR_VALUE,
                "kill: %s is already dead at %s (killed on line %u)", key, t,
                sl->line);
    else if (m == 1 && !on && !sl->state)
      rv = fail(p, MCC_ERR_VALUE,
                "revive: %s is not dead at %s (no kill before it)", key, t);
    else if (m == 2 && on && sl->state)
      rv = fail(p, MCC_ERR_VALUE,
                "cut: the link between %s and %s is already cut at %s (on "
                "line %u)",
                ev->a, ev->b, t, sl->line);
    else if (m == 2 && !on && !sl->state)
      rv = fail(p, MCC_ERR_VALUE,
                "restore: the link between %s and %s is not cut at %s (no "
                "cut before it)",
                ev->a, ev->b, t);
    if (m == 0 && on) sl->index = ev->line;
    sl->state = on;
    sl->line = ev->line;
  }
  for (int m = 0; m < 3; m++) strmap_free(&maps[m]);
  return rv;
}

/* The file name without directory and ".scn". */
static int default_name(parser *p) {
  const char *base = strrchr(p->s->path, '/');
  base = base ? base + 1 : p->s->path;
  size_t len = strlen(base);
  if (len > 4 && strcmp(base + len - 4, ".scn") == 0) len -= 4;
  if (!len) base = "scenario", len = strlen(base);
  if (!(p->s->name = chunk_alloc(&p->s->chunks, len + 1))) return nomem(p);
  memcpy(p->s->name, base, len);
  p->s->name[len] = '\0';
  return 0;
}

static int finish(parser *p, unsigned last_line) {
  sim_scenario *s = p->s;
  p->line = last_line;
  if (!p->topo_line)
    return fail(p, MCC_ERR_SYNTAX,
                "missing topology (expected a line such as 'topology tree "
                "fanout=2 depth=3' or 'topology file net.dot')");
  if (!p->duration_line)
    return fail(p, MCC_ERR_SYNTAX,
                "missing duration (expected a line such as 'duration 1h')");
  if (!s->name && default_name(p) != 0) return MCC_ERR_NOMEM;
  if (s->topo.kind == SIM_TOPO_RANDOM && !s->topo.has_seed)
    s->topo.seed = s->seed;
  if (s->nevents) qsort(s->events, s->nevents, sizeof *s->events, by_time);
  return check_timeline(p);
}

int sim_scenario_parse(sim_scenario *s, const char *path, const char *text,
                       size_t len, char *err, size_t errlen) {
  parser p;
  int rv = 0;
  if (err && errlen) err[0] = '\0';
  if (!s || (!text && len) || (!err && errlen)) return MCC_ERR_INVALID_ARGUMENT;
  memset(s, 0, sizeof *s);
  memset(&p, 0, sizeof p);
  s->seed = 1;
  p.s = s;
  p.path = path ? path : "scenario";
  p.err = err;
  p.errlen = errlen;
  p.line = 1;
  if (!(s->path = sdup(&p, p.path))) {
    rv = nomem(&p);
    goto out;
  }
  const char *c = text, *end = text + len;
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) c += 3; /* BOM */
  while (c < end) {
    const char *nl = memchr(c, '\n', (size_t)(end - c));
    const char *e = nl ? nl : end;
    if ((rv = parse_line(&p, c, e))) goto out;
    c = nl ? nl + 1 : end;
    if (nl && c < end) p.line++;
  }
  rv = finish(&p, p.line);
out:
  mcc_conf_free(p.conf);
  strmap_free(&p.nodes);
  chunks_free(p.scratch);
  free(p.buf);
  free(p.starts);
  free(p.tok);
  free(p.join);
  if (rv) sim_scenario_free(s);
  return rv;
}

int sim_scenario_load(sim_scenario *s, const char *path, char *err,
                      size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!s || !path || (!err && errlen)) return MCC_ERR_INVALID_ARGUMENT;
  memset(s, 0, sizeof *s);
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errlen) snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  int rv = 0;
  do {
    if (grow(&buf, &cap, len + 65536, 1) != 0) {
      rv = MCC_ERR_NOMEM;
      if (errlen) snprintf(err, errlen, "%s: out of memory", path);
      break;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  if (!rv && ferror(f)) {
    rv = MCC_ERR_INVALID_ARGUMENT;
    if (errlen) snprintf(err, errlen, "%s: %s", path, strerror(errno));
  }
  fclose(f);
  if (!rv) rv = sim_scenario_parse(s, path, buf, len, err, errlen);
  free(buf);
  return rv;
}

void sim_scenario_free(sim_scenario *s) {
  if (!s) return;
  chunks_free(s->chunks);
  free(s->sets);
  free(s->nodes);
  free(s->events);
  free(s->expects);
  free(s->warnings);
  memset(s, 0, sizeof *s);
}

int sim_expect_eval(const sim_expectation *e, double lhs, double rhs) {
  if (!e || isnan(lhs) || isnan(rhs)) return 0;
  switch (e->op) {
  case SIM_OP_LT: return lhs < rhs;
  case SIM_OP_LE: return lhs <= rhs;
  case SIM_OP_GT: return lhs > rhs;
  case SIM_OP_GE: return lhs >= rhs;
  case SIM_OP_EQ: return lhs == rhs;
  case SIM_OP_NE: return lhs != rhs;
  }
  return 0;
}

const char *sim_expect_op_name(sim_expect_op op) {
  return (unsigned)op < 6 ? op_names[op] : "?";
}

const char *sim_event_kind_name(sim_event_kind kind) {
  static const char *const names[] = {"kill",       "revive",    "cut",
                                      "restore",    "flow start", "flow stop",
                                      "ping all",   "ping"};
  return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
