/*
 * gen_topo.c — the generators, the timeline and the text forms of
 * gen_topo.h. Node 0.. are numbered so that the interesting part of each
 * class (roots, gateways, the top cycle) comes first and the children
 * below it pick parents among lower numbers, unless the class is about
 * cycles.
 */
#include "gen_topo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void topo_rng_seed(topo_rng *r, uint64_t seed) {
  r->s = seed ^ 0x6a09e667f3bcc909ull;
}

uint64_t topo_rng_next(topo_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

size_t topo_rng_below(topo_rng *r, size_t n) {
  return (size_t)(topo_rng_next(r) % n);
}

static const char *const class_names[TOPO_NCLASSES] = {
    "dag", "gateway-ring", "top-pair", "top-cycle", "chain", "arbitrary"};

const char *topo_class_name(topo_class c) {
  return c < TOPO_NCLASSES ? class_names[c] : "?";
}

int topo_class_parse(const char *name, topo_class *pc) {
  for (int c = 0; c < TOPO_NCLASSES; c++)
    if (strcmp(name, class_names[c]) == 0) {
      *pc = (topo_class)c;
      return 0;
    }
  return -1;
}

static void reset(topo *t, topo_class c, size_t n, size_t least) {
  memset(t, 0, sizeof *t);
  t->cls = c;
  if (n < least) n = least;
  t->n = n < TOPO_MAX_NODES ? n : TOPO_MAX_NODES;
}

/* Appends k distinct parents for node i, drawn from [lo, hi) minus i and
 * the ones it has already. */
static void add_parents(topo *t, size_t i, size_t k, size_t lo, size_t hi,
                        topo_rng *r) {
  size_t pool[TOPO_MAX_NODES], npool = 0;
  for (size_t p = lo; p < hi; p++)
    if (p != i && !topo_has_parent(t, i, p)) pool[npool++] = p;
  while (k-- && npool && t->nparents[i] < TOPO_MAX_PARENTS) {
    size_t pick = topo_rng_below(r, npool);
    t->parents[i][t->nparents[i]++] = pool[pick];
    pool[pick] = pool[--npool];
  }
}

void topo_gen_dag(topo *t, size_t n, topo_rng *r) {
  reset(t, TOPO_DAG, n, 3);
  size_t roots = 1 + topo_rng_below(r, 2);
  for (size_t i = roots; i < t->n; i++)
    add_parents(t, i, 1 + topo_rng_below(r, 3), 0, i, r);
}

void topo_gen_gateway_ring(topo *t, size_t n, topo_rng *r) {
  reset(t, TOPO_GATEWAY_RING, n, 5);
  size_t gw = 3 + topo_rng_below(r, 3);
  if (gw > t->n - 3) gw = t->n - 3; /* at least one leaf */
  for (size_t j = 0; j < gw; j++) {
    size_t i = 2 + j, first = (j + topo_rng_below(r, 2)) % 2;
    t->parents[i][0] = first;
    t->parents[i][1] = 1 - first;
    t->parents[i][2] = 2 + (j + 1) % gw;
    t->nparents[i] = 3;
  }
  for (size_t i = 2 + gw; i < t->n; i++)
    add_parents(t, i, 1 + topo_rng_below(r, 2), 2, i, r);
}

void topo_gen_top_pair(topo *t, size_t n, topo_rng *r) {
  reset(t, TOPO_TOP_PAIR, n, 4);
  t->parents[0][0] = 1;
  t->parents[1][0] = 0;
  t->nparents[0] = t->nparents[1] = 1;
  for (size_t i = 2; i < t->n; i++)
    add_parents(t, i, 1 + topo_rng_below(r, 2), 0, i, r);
}

void topo_gen_top_cycle(topo *t, size_t n, topo_rng *r) {
  reset(t, TOPO_TOP_CYCLE, n, 5);
  size_t c = 3 + topo_rng_below(r, 3);
  if (c > t->n - 2) c = t->n - 2;
  for (size_t j = 0; j < c; j++) {
    t->parents[1 + j][0] = 1 + (j + 1) % c;
    t->parents[1 + j][1] = 0;
    t->nparents[1 + j] = 2;
  }
  for (size_t i = 1 + c; i < t->n; i++)
    add_parents(t, i, 1 + topo_rng_below(r, 2), 1, i, r);
}

void topo_gen_chain(topo *t, size_t n, topo_rng *r) {
  (void)r;
  reset(t, TOPO_CHAIN, n, 2);
  for (size_t i = 1; i < t->n; i++) {
    t->parents[i][0] = i - 1;
    t->nparents[i] = 1;
  }
}

void topo_gen_arbitrary(topo *t, size_t n, topo_rng *r) {
  reset(t, TOPO_ARBITRARY, n, 3);
  size_t root = topo_rng_below(r, 2) ? topo_rng_below(r, t->n) : SIZE_MAX;
  for (size_t i = 0; i < t->n; i++)
    if (i != root) add_parents(t, i, 1 + topo_rng_below(r, 3), 0, t->n, r);
}

void topo_generate(topo *t, topo_class c, size_t n, topo_rng *r) {
  switch (c) {
  case TOPO_DAG: topo_gen_dag(t, n, r); break;
  case TOPO_GATEWAY_RING: topo_gen_gateway_ring(t, n, r); break;
  case TOPO_TOP_PAIR: topo_gen_top_pair(t, n, r); break;
  case TOPO_TOP_CYCLE: topo_gen_top_cycle(t, n, r); break;
  case TOPO_CHAIN: topo_gen_chain(t, n, r); break;
  default: topo_gen_arbitrary(t, n, r); break;
  }
}

int topo_is_root(const topo *t, size_t i) { return t->nparents[i] == 0; }

int topo_has_parent(const topo *t, size_t child, size_t parent) {
  for (size_t k = 0; k < t->nparents[child]; k++)
    if (t->parents[child][k] == parent) return 1;
  return 0;
}

void topo_apply(const topo *t, harness *h) {
  for (size_t i = 0; i < t->n; i++)
    harness_set_parents(h, i, t->parents[i], t->nparents[i]);
}

/* snprintf that appends and never runs past len. */
static void append(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *at, const char *fmt, ...) {
  if (*at >= len) return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *at, len - *at, fmt, ap);
  va_end(ap);
  if (w > 0) *at += (size_t)w;
}

void topo_format(const topo *t, char *buf, size_t len) {
  size_t at = 0;
  if (len) buf[0] = '\0';
  for (size_t i = 0; i < t->n; i++) {
    append(buf, len, &at, "%s%zu:", i ? " " : "", i);
    if (!t->nparents[i]) append(buf, len, &at, "-");
    for (size_t k = 0; k < t->nparents[i]; k++)
      append(buf, len, &at, "%s%zu", k ? "," : "", t->parents[i][k]);
  }
}

int topo_parse(topo *t, const char *text) {
  memset(t, 0, sizeof *t);
  t->cls = TOPO_NCLASSES;
  const char *p = text;
  for (;;) {
    while (*p == ' ') p++;
    if (!*p) break;
    char *end;
    unsigned long i = strtoul(p, &end, 10);
    if (end == p || *end != ':' || i != t->n || i >= TOPO_MAX_NODES) return -1;
    p = end + 1;
    t->n++;
    if (*p == '-') {
      p++;
      continue;
    }
    for (;;) {
      unsigned long par = strtoul(p, &end, 10);
      if (end == p || t->nparents[i] == TOPO_MAX_PARENTS) return -1;
      t->parents[i][t->nparents[i]++] = par;
      p = end;
      if (*p != ',') break;
      p++;
    }
  }
  for (size_t i = 0; i < t->n; i++)
    for (size_t k = 0; k < t->nparents[i]; k++)
      if (t->parents[i][k] >= t->n || t->parents[i][k] == i) return -1;
  return t->n ? 0 : -1;
}

/* ---- timelines ------------------------------------------------------------ */

static const char *const kind_names[] = {"kill", "revive", "cut", "restore"};

static int is_inner(const topo *t, size_t p) {
  for (size_t i = 0; i < t->n; i++)
    if (topo_has_parent(t, i, p)) return 1;
  return 0;
}

/* A random member of the set, or SIZE_MAX when it is empty. */
static size_t pick(const uint8_t *set, size_t n, topo_rng *r) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) count += set[i];
  if (!count) return SIZE_MAX;
  size_t k = topo_rng_below(r, count);
  for (size_t i = 0; i < n; i++)
    if (set[i] && k-- == 0) return i;
  return SIZE_MAX;
}

void timeline_generate(timeline *tl, const topo *t, size_t nevents,
                       uint64_t start_ns, topo_rng *r) {
  uint8_t dead[TOPO_MAX_NODES] = {0}, cut[TOPO_MAX_NODES][TOPO_MAX_PARENTS];
  memset(cut, 0, sizeof cut);
  memset(tl, 0, sizeof *tl);
  if (nevents > TL_MAX_EVENTS) nevents = TL_MAX_EVENTS;
  uint64_t at = start_ns;
  while (tl->n < nevents) {
    uint8_t set[TOPO_MAX_NODES];
    size_t ndead = 0, ncut = 0, nedges = 0;
    for (size_t i = 0; i < t->n; i++) {
      ndead += dead[i];
      nedges += t->nparents[i];
      for (size_t k = 0; k < t->nparents[i]; k++) ncut += cut[i][k];
    }
    /* weights: kill 3, revive 3, cut 3, restore 2, when they apply */
    unsigned w[4] = {ndead + 1 < t->n ? 3u : 0u, ndead ? 3u : 0u,
                     ncut < nedges ? 3u : 0u, ncut ? 2u : 0u};
    unsigned total = w[0] + w[1] + w[2] + w[3], roll;
    if (!total) break;
    roll = (unsigned)topo_rng_below(r, total);
    int kind = 0;
    while (roll >= w[kind]) roll -= w[kind++];
    tl_event e = {0, (enum tl_kind)kind, SIZE_MAX, SIZE_MAX};
    if (kind == TL_KILL) {
      int inner = topo_rng_below(r, 5) < 3;
      for (size_t i = 0; i < t->n; i++)
        set[i] = !dead[i] && (!inner || is_inner(t, i));
      e.a = pick(set, t->n, r);
      if (e.a == SIZE_MAX) {
        for (size_t i = 0; i < t->n; i++) set[i] = !dead[i];
        e.a = pick(set, t->n, r);
      }
      dead[e.a] = 1;
    } else if (kind == TL_REVIVE) {
      e.a = pick(dead, t->n, r);
      dead[e.a] = 0;
    } else {
      int want = kind == TL_CUT ? 0 : 1;
      for (size_t i = 0; i < t->n; i++) {
        set[i] = 0;
        for (size_t k = 0; k < t->nparents[i]; k++)
          if (cut[i][k] == want) set[i] = 1;
      }
      e.a = pick(set, t->n, r);
      uint8_t ks[TOPO_MAX_PARENTS] = {0};
      for (size_t k = 0; k < t->nparents[e.a]; k++) ks[k] = cut[e.a][k] == want;
      size_t k = pick(ks, t->nparents[e.a], r);
      e.b = t->parents[e.a][k];
      cut[e.a][k] = !want;
      /* the same pair may be configured both ways (a cycle of two) */
      for (size_t j = 0; j < t->nparents[e.b]; j++)
        if (t->parents[e.b][j] == e.a) cut[e.b][j] = !want;
    }
    int failover = topo_rng_below(r, 2);
    uint64_t gap_ms = failover ? 1000 + topo_rng_below(r, 5000)
                               : 8000 + topo_rng_below(r, 37000);
    e.at_ns = tl->n ? at + gap_ms * HARNESS_MS : at;
    at = e.at_ns;
    tl->ev[tl->n++] = e;
  }
}

void timeline_run(const timeline *tl, harness *h) {
  for (size_t k = 0; k < tl->n; k++) {
    const tl_event *e = &tl->ev[k];
    harness_run_until(h, e->at_ns);
    switch (e->kind) {
    case TL_KILL:
      if (harness_alive(h, e->a)) harness_kill(h, e->a);
      break;
    case TL_REVIVE:
      if (!harness_alive(h, e->a)) harness_revive(h, e->a);
      break;
    case TL_CUT: harness_cut(h, e->a, e->b, 1); break;
    case TL_RESTORE: harness_cut(h, e->a, e->b, 0); break;
    }
  }
}

void timeline_format(const timeline *tl, char *buf, size_t len) {
  size_t at = 0;
  if (len) buf[0] = '\0';
  for (size_t k = 0; k < tl->n; k++) {
    const tl_event *e = &tl->ev[k];
    uint64_t ms = e->at_ns / HARNESS_MS;
    append(buf, len, &at, "%s%llu.%03llu %s %zu", k ? "; " : "",
           (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
           kind_names[e->kind], e->a);
    if (e->kind == TL_CUT || e->kind == TL_RESTORE)
      append(buf, len, &at, " %zu", e->b);
  }
}

int timeline_parse(timeline *tl, const char *text) {
  memset(tl, 0, sizeof *tl);
  const char *p = text;
  while (*p) {
    unsigned long long s, ms;
    char kind[16];
    size_t a, b = SIZE_MAX;
    int used = 0;
    if (tl->n == TL_MAX_EVENTS ||
        sscanf(p, " %llu.%3llu %15s %zu%n", &s, &ms, kind, &a, &used) != 4)
      return -1;
    p += used;
    int k = 0;
    while (k < 4 && strcmp(kind, kind_names[k]) != 0) k++;
    if (k == 4) return -1;
    if (k == TL_CUT || k == TL_RESTORE) {
      if (sscanf(p, " %zu%n", &b, &used) != 1) return -1;
      p += used;
    }
    tl_event e = {(s * 1000 + ms) * HARNESS_MS, (enum tl_kind)k, a, b};
    tl->ev[tl->n++] = e;
    while (*p == ' ') p++;
    if (*p == ';') p++;
    else if (*p) return -1;
  }
  return 0;
}
