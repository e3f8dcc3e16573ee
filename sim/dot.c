/*
 * dot.c — topologies in and out of Graphviz DOT (dot.h). cgraph does the
 * parsing and the writing, gvc the layout and SVG; this file maps DOT
 * attributes to sim_topology and the live state to the shared style.
 *
 * cgraph reports errors through one process-wide callback without a user
 * pointer, so its messages are captured in a file-level buffer for the
 * duration of each call and the previous handler is put back after.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <mcc/mcc.h>

#include "dot.h"
#include "scenario.h"

/* gvContext() leaks the plugin configuration it reads, whatever
 * gvFreeContext() does (Graphviz bug 2438, "gvFreeContext fails to free
 * plugin apis[] lists", still in 2.43): a few KB once per render, but
 * LeakSanitizer would fail every ASan test run on it. */
#if defined(__SANITIZE_ADDRESS__)
#define DOT_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DOT_LSAN 1
#endif
#endif
#ifdef DOT_LSAN
#include <sanitizer/lsan_interface.h>
#endif

static GVC_t *new_context(void) {
#ifdef DOT_LSAN
  __lsan_disable();
#endif
  GVC_t *gvc = gvContext();
#ifdef DOT_LSAN
  __lsan_enable();
#endif
  return gvc;
}

#define NETWORK_MAX 7
#define MTU_MIN 576
#define MTU_MAX 65535

/* ---- cgraph's error messages ------------------------------------------------ */

static char cg_msg[512];
static int cg_in_warning; /* continuation lines follow their first line */

/* Errors only: warnings (and their continuations) are not failures, and
 * we have nowhere to show them. */
static int capture(char *msg) {
  if (strncmp(msg, "Warning", 7) == 0)
    cg_in_warning = 1;
  else if (strncmp(msg, "Error", 5) == 0)
    cg_in_warning = 0;
  if (cg_in_warning) return 0;
  size_t used = strlen(cg_msg);
  snprintf(cg_msg + used, sizeof cg_msg - used, "%s", msg);
  return 0;
}

typedef struct cg_errors {
  agusererrf prev_fn;
  agerrlevel_t prev_level;
} cg_errors;

static void errors_begin(cg_errors *s) {
  cg_msg[0] = '\0';
  cg_in_warning = 0;
  s->prev_fn = agseterrf(capture);
  s->prev_level = agseterr(AGWARN); /* to capture(), not a temporary file */
}

static void errors_end(const cg_errors *s) {
  agseterrf(s->prev_fn);
  agseterr(s->prev_level);
}

/* cgraph says "Error: x.dot: syntax error in line 12 near 'foo'" (and may
 * add lines); we want one line in the compiler's form, "x.dot:12: syntax
 * error near 'foo'". */
static void syntax_message(char *err, size_t errlen, const char *path) {
  char *m = cg_msg;
  char *nl = strchr(m, '\n');
  if (nl) *nl = '\0';
  if (strncmp(m, "Error: ", 7) == 0) m += 7;
  size_t plen = strlen(path);
  if (strncmp(m, path, plen) == 0 && strncmp(m + plen, ": ", 2) == 0)
    m += plen + 2;
  static const char in_line[] = "syntax error in line ";
  unsigned long line;
  int used;
  if (strncmp(m, in_line, sizeof in_line - 1) == 0 &&
      sscanf(m + sizeof in_line - 1, "%lu%n", &line, &used) == 1)
    snprintf(err, errlen, "%s:%lu: syntax error%s", path, line,
             m + sizeof in_line - 1 + used);
  else
    snprintf(err, errlen, "%s: %s", path, m[0] ? m : "no graph in the file");
}

/* ---- reading ------------------------------------------------------------------ */

typedef struct reader {
  sim_topology *t;
  const char *path;
  char *err;
  size_t errlen;
  const char *text; /* the file, NUL-terminated: for line numbers */
} reader;

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || (c & 0x80);
}

/* Where name occurs as a whole word in [from, to), or NULL. */
static const char *find_word(const char *from, const char *to,
                             const char *name) {
  size_t n = strlen(name);
  for (const char *p = from; n && p + n <= to; p++)
    if (memcmp(p, name, n) == 0 && (p == from || !name_char(p[-1])) &&
        (p + n == to || !name_char(p[n])))
      return p;
  return NULL;
}

/* The first line of the file with "child ... -> ... parent" on it, or 0:
 * cgraph keeps no line numbers, and an error should name one. */
static unsigned edge_line(const reader *r, const char *child,
                          const char *parent) {
  unsigned line = 1;
  for (const char *c = r->text; c && *c; line++) {
    const char *nl = strchr(c, '\n'), *end = nl ? nl : c + strlen(c);
    const char *a = find_word(c, end, child);
    const char *arrow = a ? strstr(a, "->") : NULL;
    if (arrow && arrow < end && find_word(arrow + 2, end, parent)) return line;
    c = nl ? nl + 1 : NULL;
  }
  return 0;
}

/* One out-edge of the child being read, before ranks are assigned. */
typedef struct pending {
  Agedge_t *e;
  uint32_t parent;
  uint64_t key; /* explicit order, or the place among the child's edges */
  uint64_t seq; /* the place in the file */
  int explicit_order;
} pending;

/* The attribute's text, or NULL when absent or empty. */
static const char *attr(void *obj, const char *name) {
  char *v = agget(obj, (char *)name);
  return v && v[0] ? v : NULL;
}

/* Digits with optional blanks around, at most max. */
static int parse_uint(const char *s, unsigned long max, unsigned long *pv) {
  while (*s == ' ' || *s == '\t') s++;
  if (*s < '0' || *s > '9') return -1;
  unsigned long v = 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned long d = (unsigned long)(*s - '0');
    if (d > max || v > (max - d) / 10) return -1;
    v = v * 10 + d;
  }
  while (*s == ' ' || *s == '\t') s++;
  if (*s) return -1;
  *pv = v;
  return 0;
}

static int parse_networks(const char *s, int *pmask) {
  int mask = 0;
  char item[16];
  while (*s) {
    size_t n = strcspn(s, ",");
    if (n >= sizeof item) return -1;
    memcpy(item, s, n);
    item[n] = '\0';
    unsigned long net;
    if (parse_uint(item, NETWORK_MAX, &net) != 0) return -1;
    mask |= 1 << net;
    s += n;
    if (*s == ',' && !*++s) return -1; /* a trailing comma */
  }
  *pmask = mask;
  return 0;
}

static int bad_node(reader *r, Agnode_t *n, const char *name, const char *form,
                    const char *found) {
  snprintf(r->err, r->errlen, "%s: node %s: %s: expected %s, got '%s'",
           r->path, agnameof(n), name, form, found);
  return MCC_ERR_VALUE;
}

static int bad_edge(reader *r, Agedge_t *e, const char *name,
                    const char *form, const char *found) {
  snprintf(r->err, r->errlen, "%s: edge %s -> %s: %s: expected %s, got '%s'",
           r->path, agnameof(agtail(e)), agnameof(aghead(e)), name, form,
           found);
  return MCC_ERR_VALUE;
}

static int copy_text(char **dst, const char *text) {
  if (!text) return 0;
  free(*dst);
  *dst = strdup(text);
  return *dst ? 0 : MCC_ERR_NOMEM;
}

/* "x,y" in metres, as Graphviz writes a position (neato's pinned "x,y!"
 * too); -1 when malformed. */
static int parse_pos(const char *v, double *x, double *y) {
  char *end;
  *x = strtod(v, &end);
  if (end == v || *end != ',') return -1;
  const char *second = end + 1;
  *y = strtod(second, &end);
  if (end == second) return -1;
  if (*end == '!') end++;
  if (*end || !isfinite(*x) || !isfinite(*y) || fabs(*x) > 1e9 ||
      fabs(*y) > 1e9)
    return -1;
  return 0;
}

static int read_node(reader *r, Agnode_t *n, sim_topo_node *tn) {
  const char *v;
  unsigned long net;
  if ((v = attr(n, "network"))) {
    if (parse_uint(v, NETWORK_MAX, &net) != 0)
      return bad_node(r, n, "network", "an integer 0..7", v);
    tn->network = (int)net;
  }
  if ((v = attr(n, "pos"))) {
    if (parse_pos(v, &tn->x, &tn->y) != 0)
      return bad_node(r, n, "pos", "metres as \"x,y\" such as \"40,80\"", v);
    tn->has_pos = 1;
  }
  if ((v = attr(n, "trusts")) && parse_networks(v, &tn->trusts) != 0)
    return bad_node(r, n, "trusts",
                    "a comma list of network numbers 0..7 such as 1,2", v);
  if (copy_text(&tn->role, attr(n, "role")) != 0 ||
      copy_text(&tn->dns_names, attr(n, "dns_names")) != 0 ||
      copy_text(&tn->tags, attr(n, "tags")) != 0) {
    snprintf(r->err, r->errlen, "%s: out of memory", r->path);
    return MCC_ERR_NOMEM;
  }
  return 0;
}

static int read_link(reader *r, Agedge_t *e, sim_link_params *p,
                     unsigned *phas) {
  const char *v;
  unsigned long mtu;
  *phas = 0;
  memset(p, 0, sizeof *p);
  if ((v = attr(e, "delay"))) {
    if (sim_parse_duration_ns(v, &p->delay_ns) != 0)
      return bad_edge(r, e, "delay", "a duration such as 10ms", v);
    *phas |= SIM_LINK_HAS_DELAY;
  }
  if ((v = attr(e, "rate"))) {
    if (sim_parse_rate_bps(v, &p->rate_bps) != 0)
      return bad_edge(r, e, "rate", "a rate such as 1Mbit or 64kbit", v);
    *phas |= SIM_LINK_HAS_RATE;
  }
  if ((v = attr(e, "loss"))) {
    if (sim_parse_probability(v, &p->loss) != 0)
      return bad_edge(r, e, "loss", "a probability such as 0.01 or 1%", v);
    *phas |= SIM_LINK_HAS_LOSS;
  }
  if ((v = attr(e, "mtu"))) {
    if (parse_uint(v, MTU_MAX, &mtu) != 0 || mtu < MTU_MIN)
      return bad_edge(r, e, "mtu", "an integer 576..65535", v);
    p->mtu = (uint32_t)mtu;
    *phas |= SIM_LINK_HAS_MTU;
  }
  unsigned long queue;
  if ((v = attr(e, "queue"))) {
    if (parse_uint(v, 1000000, &queue) != 0 || queue < 1)
      return bad_edge(r, e, "queue", "a number of packets 1..1000000", v);
    p->queue = (uint32_t)queue;
    *phas |= SIM_LINK_HAS_QUEUE;
  }
  if ((v = attr(e, "model"))) {
    int model = sim_link_model_parse(v);
    if (model < 0) return bad_edge(r, e, "model", "p2p, csma or wifi", v);
    p->model = (uint8_t)model;
    *phas |= SIM_LINK_HAS_MODEL;
  }
  return 0;
}

static int by_key(const void *a, const void *b) {
  const pending *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b) {
  const pending *x = a, *y = b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A child's edges in rank order: explicit orders, else places in the
 * file, sorted and renumbered 0, 1, ... cgraph lists a node's out-edges by
 * the head's creation, not the edges', so the edges' sequence numbers give
 * the places. */
static int read_edges_of(reader *r, Agraph_t *g, Agnode_t *n, uint32_t child,
                         pending **pbuf, size_t *pcap) {
  size_t count = 0;
  for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e), count++) {
    if (aghead(e) == agtail(e)) {
      snprintf(r->err, r->errlen,
               "%s: edge %s -> %s: a node cannot be its own parent", r->path,
               agnameof(n), agnameof(n));
      return MCC_ERR_VALUE;
    }
    if (count == *pcap) {
      size_t cap = *pcap ? 2 * *pcap : 8;
      pending *buf = realloc(*pbuf, cap * sizeof *buf);
      if (!buf) goto nomem;
      *pbuf = buf;
      *pcap = cap;
    }
    pending *pe = &(*pbuf)[count];
    pe->e = e;
    pe->parent = (uint32_t)sim_topology_find(r->t, agnameof(aghead(e)));
    pe->seq = (uint64_t)AGSEQ(e);
  }
  pending *buf = *pbuf;
  if (count > 1) qsort(buf, count, sizeof *buf, by_seq);
  for (size_t k = 0; k < count; k++) {
    const char *v = attr(buf[k].e, "order");
    unsigned long order;
    buf[k].key = k;
    buf[k].explicit_order = 0;
    if (v) {
      if (parse_uint(v, UINT32_MAX - 1, &order) != 0)
        return bad_edge(r, buf[k].e, "order", "an integer 0 or more", v);
      buf[k].key = order;
      buf[k].explicit_order = 1;
    }
  }
  if (count > 1) qsort(buf, count, sizeof *buf, by_key);
  if (count > MCC_MAX_PARENTS) { /* the core takes at most that many */
    const char *child_name = agnameof(n);
    const char *extra = agnameof(aghead(buf[MCC_MAX_PARENTS].e));
    unsigned line = edge_line(r, child_name, extra);
    char where[32] = "";
    if (line) snprintf(where, sizeof where, ":%u", line);
    snprintf(r->err, r->errlen,
             "%s%s: node %s has %zu parents, more than the limit of %d: "
             "edge %s -> %s is one too many",
             r->path, where, child_name, count, MCC_MAX_PARENTS, child_name,
             extra);
    return MCC_ERR_LIMIT;
  }
  for (size_t k = 0; k < count; k++) {
    if (k > 0 && buf[k].key == buf[k - 1].key &&
        buf[k].parent != buf[k - 1].parent) {
      snprintf(r->err, r->errlen,
               "%s: edge %s -> %s: order %llu is also the order of %s -> %s%s",
               r->path, agnameof(n), agnameof(aghead(buf[k].e)),
               (unsigned long long)buf[k].key, agnameof(n),
               agnameof(aghead(buf[k - 1].e)),
               buf[k - 1].explicit_order && buf[k].explicit_order
                   ? ""
                   : " (an edge without order takes its place among the "
                     "child's edges); give each of them an order");
      return MCC_ERR_VALUE;
    }
    sim_link_params p;
    unsigned has;
    int rv = read_link(r, buf[k].e, &p, &has);
    if (rv != 0) return rv;
    rv = sim_topology_add_edge(r->t, child, buf[k].parent, (uint32_t)k);
    if (rv == MCC_ERR_VALUE) {
      snprintf(r->err, r->errlen,
               "%s: edge %s -> %s: given twice; a child has one link to "
               "each parent",
               r->path, agnameof(n), agnameof(aghead(buf[k].e)));
      return rv;
    }
    if (rv == MCC_ERR_NOMEM) goto nomem;
    if (rv != 0) {
      snprintf(r->err, r->errlen, "%s: edge %s -> %s: %s", r->path,
               agnameof(n), agnameof(aghead(buf[k].e)), mcc_strerror(rv));
      return rv;
    }
    sim_topo_edge *te = &r->t->edges[r->t->nedges - 1];
    te->params = p;
    te->has = has;
  }
  return 0;
nomem:
  snprintf(r->err, r->errlen, "%s: out of memory", r->path);
  return MCC_ERR_NOMEM;
}

static int read_graph(reader *r, Agraph_t *g) {
  for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
    long i = sim_topology_add_node(r->t, agnameof(n));
    if (i < 0) {
      int taken = sim_topology_find(r->t, agnameof(n)) >= 0;
      snprintf(r->err, r->errlen, "%s: node %s: %s", r->path, agnameof(n),
               taken ? "the name is already in the topology"
                     : "out of memory");
      return taken ? MCC_ERR_VALUE : MCC_ERR_NOMEM;
    }
    int rv = read_node(r, n, &r->t->nodes[i]);
    if (rv != 0) return rv;
  }
  pending *buf = NULL;
  size_t cap = 0;
  int rv = 0;
  for (Agnode_t *n = agfstnode(g); n && rv == 0; n = agnxtnode(g, n))
    rv = read_edges_of(r, g, n, (uint32_t)sim_topology_find(r->t, agnameof(n)),
                       &buf, &cap);
  free(buf);
  return rv;
}

int sim_dot_read(sim_topology *t, const char *path, char *err, size_t errlen) {
  char dummy[1];
  if (!err || !errlen) {
    err = dummy;
    errlen = sizeof dummy;
  }
  if (!t || !path) {
    snprintf(err, errlen, "DOT file: no path given");
    return MCC_ERR_INVALID_ARGUMENT;
  }
  char *text = NULL;
  size_t textlen = 0;
  int rv = sim_read_regular_file(path, SIM_DOT_MAX_BYTES, "DOT topology",
                                 &text, &textlen, err, errlen);
  if (rv != 0) return rv;
  FILE *f = fmemopen(text, textlen ? textlen : 1, "r");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    free(text);
    return MCC_ERR_NOMEM;
  }
  cg_errors saved;
  errors_begin(&saved);
  agsetfile((char *)path);
  Agraph_t *g = agread(f, NULL);
  /* Read on to the end: cgraph's lexer keeps what it buffered past the
   * graph's closing brace and would feed it to the next file it reads. */
  int more = 0;
  for (Agraph_t *next; g && (next = agread(f, NULL)); more = 1) agclose(next);
  errors_end(&saved);
  int read_failed = ferror(f);
  int read_errno = errno;
  fclose(f);
  if (read_failed) {
    if (g) agclose(g);
    free(text);
    snprintf(err, errlen, "%s: %s", path, strerror(read_errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  if (!g || more || cg_msg[0]) {
    if (more)
      snprintf(err, errlen, "%s: more than one graph; a topology is one",
               path);
    else
      syntax_message(err, errlen, path);
    if (g) agclose(g);
    free(text);
    return MCC_ERR_SYNTAX;
  }
  reader r = {t, path, err, errlen, text};
  rv = read_graph(&r, g);
  agclose(g);
  free(text);
  return rv;
}

/* ---- writing ------------------------------------------------------------------- */

/* The shortest exact spelling, so a written file reads back the same. */
static void format_duration(char *buf, size_t len, uint64_t ns) {
  if (ns && ns % 1000000000u == 0)
    snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000u));
  else if (ns && ns % 1000000u == 0)
    snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000u));
  else if (ns && ns % 1000u == 0)
    snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000u));
  else
    snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

static void format_rate(char *buf, size_t len, uint64_t bps) {
  if (bps && bps % 1000000000u == 0)
    snprintf(buf, len, "%lluGbit", (unsigned long long)(bps / 1000000000u));
  else if (bps && bps % 1000000u == 0)
    snprintf(buf, len, "%lluMbit", (unsigned long long)(bps / 1000000u));
  else if (bps && bps % 1000u == 0)
    snprintf(buf, len, "%llukbit", (unsigned long long)(bps / 1000u));
  else
    snprintf(buf, len, "%llubit", (unsigned long long)bps);
}

/* %.17g always reads back as the same double, but prints 0.01 as
 * 0.010000000000000000208; take the shortest precision that round-trips.
 * Written as a plain decimal because the parser takes no exponent. */
static void format_probability(char *buf, size_t len, double p) {
  for (int prec = 1; prec <= 25; prec++) {
    snprintf(buf, len, "%.*f", prec, p);
    double back;
    if (sim_parse_probability(buf, &back) == 0 && back == p) return;
  }
}

static void set(void *obj, const char *name, const char *value) {
  agsafeset(obj, (char *)name, (char *)value, "");
}

static void write_node(Agnode_t *n, const sim_topo_node *tn,
                       const sim_node_state *st) {
  char buf[64];
  if (st->is_root) set(n, "shape", "doublecircle");
  if (!st->alive) {
    set(n, "style", "dashed");
    set(n, "color", "gray");
    set(n, "fontcolor", "gray");
  }
  if (tn->role) set(n, "role", tn->role);
  if (tn->network) {
    snprintf(buf, sizeof buf, "%d", tn->network);
    set(n, "network", buf);
  }
  if (tn->trusts) {
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k <= NETWORK_MAX; k++)
      if (tn->trusts >> k & 1)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d",
                                 used ? "," : "", k);
    set(n, "trusts", buf);
  }
  if (tn->dns_names) set(n, "dns_names", tn->dns_names);
  if (tn->tags) set(n, "tags", tn->tags);
  if (tn->has_pos) {
    snprintf(buf, sizeof buf, "%.17g,%.17g", tn->x, tn->y);
    set(n, "pos", buf);
  }
}

static void write_edge(Agedge_t *e, const sim_topo_edge *te, size_t nparents,
                       int active) {
  char buf[64];
  if (active) {
    set(e, "penwidth", "2");
  } else {
    set(e, "style", "dashed");
    set(e, "color", "gray");
  }
  if (nparents > 1) {
    snprintf(buf, sizeof buf, "%u", te->order);
    set(e, "label", buf);
    set(e, "order", buf);
  }
  if (te->has & SIM_LINK_HAS_DELAY) {
    format_duration(buf, sizeof buf, te->params.delay_ns);
    set(e, "delay", buf);
  }
  if (te->has & SIM_LINK_HAS_RATE) {
    format_rate(buf, sizeof buf, te->params.rate_bps);
    set(e, "rate", buf);
  }
  if (te->has & SIM_LINK_HAS_LOSS) {
    format_probability(buf, sizeof buf, te->params.loss);
    set(e, "loss", buf);
  }
  if (te->has & SIM_LINK_HAS_MTU) {
    snprintf(buf, sizeof buf, "%u", te->params.mtu);
    set(e, "mtu", buf);
  }
  if (te->has & SIM_LINK_HAS_QUEUE) {
    snprintf(buf, sizeof buf, "%u", te->params.queue);
    set(e, "queue", buf);
  }
  if (te->has & SIM_LINK_HAS_MODEL)
    set(e, "model", sim_link_model_name(te->params.model));
}

/* The configured view when the caller has no live state. */
static sim_node_state default_state(const sim_topology *t, uint32_t i) {
  uint32_t first;
  sim_node_state s = {1, 0, -1};
  if (sim_topology_parents(t, i, &first, 1) == 0)
    s.is_root = 1;
  else
    s.active_parent = first;
  return s;
}

static Agraph_t *build_graph(const sim_topology *t,
                             const sim_node_state *state) {
  char name[] = "mcc";
  Agraph_t *g = agopen(name, Agdirected, NULL);
  Agnode_t **nodes = calloc(t->nnodes ? t->nnodes : 1, sizeof *nodes);
  if (!g || !nodes) goto fail;
  set(g, "rankdir", "BT");
  for (size_t i = 0; i < t->nnodes; i++) {
    nodes[i] = agnode(g, t->nodes[i].name, 1);
    if (!nodes[i]) goto fail;
    sim_node_state st = state ? state[i] : default_state(t, (uint32_t)i);
    write_node(nodes[i], &t->nodes[i], &st);
  }
  for (size_t k = 0; k < t->nedges; k++) {
    const sim_topo_edge *te = &t->edges[k];
    if (te->child >= t->nnodes || te->parent >= t->nnodes) continue;
    Agedge_t *e = agedge(g, nodes[te->child], nodes[te->parent], NULL, 1);
    if (!e) goto fail;
    long active = state ? state[te->child].active_parent
                        : default_state(t, te->child).active_parent;
    write_edge(e, te, sim_topology_parents(t, te->child, NULL, 0),
               active == (long)te->parent);
  }
  free(nodes);
  return g;
fail:
  free(nodes);
  if (g) agclose(g);
  return NULL;
}

static int write_dot_file(Agraph_t *g, const char *path, char *err,
                          size_t errlen) {
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  errno = 0;
  int bad = agwrite(g, f) != 0;
  bad |= ferror(f) != 0;
  int saved_errno = errno;
  bad |= fclose(f) != 0;
  if (bad) {
    snprintf(err, errlen, "%s: %s", path,
             strerror(saved_errno ? saved_errno : errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  return 0;
}

/* gvRender to a FILE we opened rather than gvRenderFilename: the latter
 * returns success even when it cannot open the file (it only logs). */
static int write_svg_file(Agraph_t *g, size_t nnodes, const char *path,
                          char *err, size_t errlen) {
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  GVC_t *gvc = new_context();
  if (!gvc) {
    fclose(f);
    snprintf(err, errlen, "%s: out of memory", path);
    return MCC_ERR_NOMEM;
  }
  cg_errors saved;
  errors_begin(&saved);
  int laid = -1;
  if (nnodes > SIM_DOT_SFDP_ABOVE) laid = gvLayout(gvc, g, "sfdp");
  if (laid != 0) {
    cg_msg[0] = '\0'; /* sfdp missing is not an error: dot follows */
    laid = gvLayout(gvc, g, "dot");
  }
  int rv = 0;
  if (laid != 0) {
    snprintf(err, errlen, "%s: layout failed: %s", path, cg_msg);
    rv = MCC_ERR_LIMIT;
  } else if (gvRender(gvc, g, "svg", f) != 0) {
    snprintf(err, errlen, "%s: rendering failed: %s", path, cg_msg);
    rv = MCC_ERR_LIMIT;
  }
  errors_end(&saved);
  if (laid == 0) gvFreeLayout(gvc, g);
  gvFreeContext(gvc);
  int bad = ferror(f) != 0;
  bad |= fclose(f) != 0;
  if (bad && rv == 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    rv = MCC_ERR_INVALID_ARGUMENT;
  }
  return rv;
}

int sim_dot_write(const sim_topology *t, const sim_node_state *state,
                  const char *dot_path, const char *svg_path, char *err,
                  size_t errlen) {
  char dummy[1];
  if (!err || !errlen) {
    err = dummy;
    errlen = sizeof dummy;
  }
  if (!t) {
    snprintf(err, errlen, "DOT output: no topology");
    return MCC_ERR_INVALID_ARGUMENT;
  }
  Agraph_t *g = build_graph(t, state);
  if (!g) {
    snprintf(err, errlen, "%s: out of memory",
             dot_path ? dot_path : svg_path ? svg_path : "DOT output");
    return MCC_ERR_NOMEM;
  }
  int rv = 0;
  if (dot_path) rv = write_dot_file(g, dot_path, err, errlen);
  if (rv == 0 && svg_path)
    rv = write_svg_file(g, t->nnodes, svg_path, err, errlen);
  agclose(g);
  return rv;
}
