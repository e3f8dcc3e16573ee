/*
 * topology.c — the simulator's network description (topology.h): node and
 * edge storage, the five generators, and the duration / rate / probability
 * parsers that DOT attributes and scenario files share.
 *
 * sim_topology has no field for an index, yet find() and parents() are
 * called once per node on 10^5..10^6 nodes, so a linear scan would make
 * start-up quadratic. The indexes therefore live in the tails of the two
 * arrays this file allocates (see the layout below): they stay correct as
 * long as nodes and edges are added only through add_node / add_edge and
 * names and edge endpoints are not rewritten in place. Every other field
 * (role, network, link params...) may be set directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mcc/mcc.h>

#include "topology.h"

/*
 * Layout of the two blocks (capacities are powers of two, at least 16):
 *   nodes: [capnodes x sim_topo_node][2*capnodes x uint32 name slot]
 *          [capnodes x uint32 first edge of the node as a child]
 *   edges: [capedges x sim_topo_edge][capedges x uint32 next edge of the
 *          same child, by order]
 * A name slot holds node index + 1 (0: empty), probed linearly; edge links
 * hold an edge index or NONE. Both element sizes are multiples of 4, so the
 * uint32 tails are aligned.
 */
#define NONE UINT32_MAX
#define MIN_CAP 16
/* Generators refuse more than this; far above the 10^6 the sim aims at,
 * and well below what the uint32 indexes could hold. */
#define MAX_GENERATED 16777216u

static uint32_t *name_slots(const sim_topology *t) {
  return (uint32_t *)(void *)(t->nodes + t->capnodes);
}

static uint32_t *first_edge(const sim_topology *t) {
  return name_slots(t) + 2 * t->capnodes;
}

static uint32_t *next_edge(const sim_topology *t) {
  return (uint32_t *)(void *)(t->edges + t->capedges);
}

static uint64_t hash_name(const char *s) { /* FNV-1a */
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h ^ (h >> 32);
}

static void slot_insert(uint32_t *slots, size_t nslots, const char *name,
                        uint32_t index) {
  size_t i = hash_name(name) & (nslots - 1);
  while (slots[i]) i = (i + 1) & (nslots - 1);
  slots[i] = index + 1;
}

void sim_topology_init(sim_topology *t) { memset(t, 0, sizeof *t); }

void sim_topology_free(sim_topology *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nnodes; i++) {
    free(t->nodes[i].name);
    free(t->nodes[i].role);
    free(t->nodes[i].dns_names);
    free(t->nodes[i].tags);
  }
  free(t->nodes);
  free(t->edges);
  sim_topology_init(t);
}

static size_t round_cap(size_t want) {
  size_t cap = MIN_CAP;
  while (cap < want) cap *= 2;
  return cap;
}

/* Makes room for `want` nodes; the name index is rebuilt because slot
 * positions depend on the table size. */
static int reserve_nodes(sim_topology *t, size_t want) {
  if (want <= t->capnodes) return 0;
  if (want >= NONE / 4) return MCC_ERR_LIMIT;
  size_t cap = round_cap(want);
  size_t bytes = cap * sizeof(sim_topo_node) + 3 * cap * sizeof(uint32_t);
  sim_topo_node *nodes = malloc(bytes);
  if (!nodes) return MCC_ERR_NOMEM;
  uint32_t *old_first = t->nodes ? first_edge(t) : NULL;
  sim_topology grown = *t;
  grown.nodes = nodes;
  grown.capnodes = cap;
  uint32_t *slots = name_slots(&grown), *first = first_edge(&grown);
  memset(slots, 0, 2 * cap * sizeof *slots);
  if (t->nnodes) {
    memcpy(nodes, t->nodes, t->nnodes * sizeof *nodes);
    memcpy(first, old_first, t->nnodes * sizeof *first);
  }
  for (size_t i = 0; i < t->nnodes; i++)
    slot_insert(slots, 2 * cap, nodes[i].name, (uint32_t)i);
  free(t->nodes);
  t->nodes = nodes;
  t->capnodes = cap;
  return 0;
}

static int reserve_edges(sim_topology *t, size_t want) {
  if (want <= t->capedges) return 0;
  if (want >= NONE / 4) return MCC_ERR_LIMIT;
  size_t cap = round_cap(want);
  sim_topo_edge *edges =
      malloc(cap * sizeof(sim_topo_edge) + cap * sizeof(uint32_t));
  if (!edges) return MCC_ERR_NOMEM;
  if (t->nedges) {
    memcpy(edges, t->edges, t->nedges * sizeof *edges);
    memcpy(edges + cap, next_edge(t), t->nedges * sizeof(uint32_t));
  }
  free(t->edges);
  t->edges = edges;
  t->capedges = cap;
  return 0;
}

long sim_topology_find(const sim_topology *t, const char *name) {
  if (!t || !name || !t->capnodes) return -1;
  const uint32_t *slots = name_slots(t);
  size_t mask = 2 * t->capnodes - 1;
  for (size_t i = hash_name(name) & mask; slots[i]; i = (i + 1) & mask)
    if (strcmp(t->nodes[slots[i] - 1].name, name) == 0)
      return (long)(slots[i] - 1);
  return -1;
}

long sim_topology_add_node(sim_topology *t, const char *name) {
  if (!t || !name || sim_topology_find(t, name) >= 0) return -1;
  if (reserve_nodes(t, t->nnodes + 1) != 0) return -1;
  char *copy = strdup(name);
  if (!copy) return -1;
  uint32_t i = (uint32_t)t->nnodes++;
  memset(&t->nodes[i], 0, sizeof t->nodes[i]);
  t->nodes[i].name = copy;
  first_edge(t)[i] = NONE;
  slot_insert(name_slots(t), 2 * t->capnodes, copy, i);
  return (long)i;
}

/* MCC_ERR_INVALID_ARGUMENT for an index out of range, MCC_ERR_VALUE for a
 * self-loop, a second edge between the same child and parent, or an order
 * the child already gives another parent; MCC_ERR_NOMEM. The edge is
 * appended (edges[nedges - 1]) with no link params set. */
int sim_topology_add_edge(sim_topology *t, uint32_t child, uint32_t parent,
                          uint32_t order) {
  if (!t || child >= t->nnodes || parent >= t->nnodes)
    return MCC_ERR_INVALID_ARGUMENT;
  if (child == parent) return MCC_ERR_VALUE;
  uint32_t *first = first_edge(t);
  uint32_t *link = &first[child];
  if (t->nedges) {
    const uint32_t *next = next_edge(t);
    for (uint32_t k = first[child]; k != NONE; k = next[k])
      if (t->edges[k].parent == parent || t->edges[k].order == order)
        return MCC_ERR_VALUE;
  }
  int rv = reserve_edges(t, t->nedges + 1);
  if (rv != 0) return rv;
  uint32_t *next = next_edge(t);
  while (*link != NONE && t->edges[*link].order < order) link = &next[*link];
  uint32_t k = (uint32_t)t->nedges++;
  memset(&t->edges[k], 0, sizeof t->edges[k]);
  t->edges[k].child = child;
  t->edges[k].parent = parent;
  t->edges[k].order = order;
  next[k] = *link;
  *link = k;
  return 0;
}

size_t sim_topology_parents(const sim_topology *t, uint32_t node,
                            uint32_t *parents, size_t max) {
  if (!t || node >= t->nnodes || !t->nedges) return 0;
  const uint32_t *next = next_edge(t);
  size_t n = 0;
  for (uint32_t k = first_edge(t)[node]; k != NONE; k = next[k], n++)
    if (n < max) parents[n] = t->edges[k].parent;
  return n;
}

/* ---- generators ----------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s", msg);
}

/* Generators fill an empty topology: names n0, n1, ... and room reserved
 * up front so a 10^5-node build never reallocates. */
static int start(sim_topology *t, const char *what, size_t nodes, size_t edges,
                 char *err, size_t errlen) {
  if (!t) return MCC_ERR_INVALID_ARGUMENT;
  if (t->nnodes || t->nedges) {
    if (err && errlen)
      snprintf(err, errlen, "%s: the topology already has nodes", what);
    return MCC_ERR_INVALID_ARGUMENT;
  }
  int rv = reserve_nodes(t, nodes);
  if (rv == 0) rv = reserve_edges(t, edges);
  if (rv == 0) {
    char name[24];
    for (size_t i = 0; i < nodes; i++) {
      snprintf(name, sizeof name, "n%zu", i);
      if (sim_topology_add_node(t, name) < 0) {
        rv = MCC_ERR_NOMEM;
        break;
      }
    }
  }
  if (rv != 0) {
    sim_topology_free(t);
    if (err && errlen) snprintf(err, errlen, "%s: %s", what, mcc_strerror(rv));
  }
  return rv;
}

/* The generators' edges never collide, so add_edge fails only for memory,
 * which start() has already reserved; still, a failure is reported. */
static int finish(sim_topology *t, int rv, const char *what, char *err,
                  size_t errlen) {
  if (rv != 0) {
    sim_topology_free(t);
    if (err && errlen) snprintf(err, errlen, "%s: %s", what, mcc_strerror(rv));
  }
  return rv;
}

static int too_many(const char *what, char *err, size_t errlen) {
  if (err && errlen)
    snprintf(err, errlen, "%s: more nodes than the limit of %u", what,
             MAX_GENERATED);
  return MCC_ERR_VALUE;
}

int sim_topology_tree(sim_topology *t, unsigned fanout, unsigned depth,
                      unsigned parents, char *err, size_t errlen) {
  if (fanout < 1) {
    set_err(err, errlen, "tree: fanout must be at least 1");
    return MCC_ERR_VALUE;
  }
  if (parents < 1 || parents > 2) {
    set_err(err, errlen, "tree: parents must be 1 or 2");
    return MCC_ERR_VALUE;
  }
  unsigned long long total = 1, level = 1;
  for (unsigned d = 0; d < depth; d++) {
    level *= fanout;
    total += level;
    if (total > MAX_GENERATED) return too_many("tree", err, errlen);
  }
  int rv = start(t, "tree", (size_t)total, (size_t)total * parents, err,
                 errlen);
  if (rv != 0) return rv;
  /* Breadth-first numbering: node i's children are i*fanout+1 ..
   * i*fanout+fanout, so a level is a contiguous range of indexes. */
  uint32_t lo = 0, hi = 1; /* the parents' level: [lo, hi) */
  for (unsigned d = 1; d <= depth && rv == 0; d++) {
    uint32_t next_hi = hi + (hi - lo) * fanout;
    for (uint32_t c = hi; c < next_hi && rv == 0; c++) {
      uint32_t p = (c - 1) / fanout;
      rv = sim_topology_add_edge(t, c, p, 0);
      uint32_t q = p + 1 < hi ? p + 1 : lo;
      if (rv == 0 && parents == 2 && q != p)
        rv = sim_topology_add_edge(t, c, q, 1);
    }
    lo = hi;
    hi = next_hi;
  }
  return finish(t, rv, "tree", err, errlen);
}

int sim_topology_linear(sim_topology *t, unsigned n, char *err,
                        size_t errlen) {
  if (n < 1) {
    set_err(err, errlen, "linear: needs at least 1 node");
    return MCC_ERR_VALUE;
  }
  if (n > MAX_GENERATED) return too_many("linear", err, errlen);
  int rv = start(t, "linear", n, n - 1, err, errlen);
  if (rv != 0) return rv;
  for (uint32_t i = 1; i < n && rv == 0; i++)
    rv = sim_topology_add_edge(t, i, i - 1, 0);
  return finish(t, rv, "linear", err, errlen);
}

/* Two nodes would be each other's parent over one link, which the engine
 * (one link per pair) cannot hold, so a cycle needs three. */
int sim_topology_cyclic(sim_topology *t, unsigned n, char *err,
                        size_t errlen) {
  if (n < 3) {
    set_err(err, errlen, "cyclic: needs at least 3 nodes");
    return MCC_ERR_VALUE;
  }
  if (n > MAX_GENERATED) return too_many("cyclic", err, errlen);
  int rv = start(t, "cyclic", n, n, err, errlen);
  if (rv != 0) return rv;
  for (uint32_t i = 0; i < n && rv == 0; i++)
    rv = sim_topology_add_edge(t, i, (i + 1) % n, 0);
  return finish(t, rv, "cyclic", err, errlen);
}

int sim_topology_star(sim_topology *t, unsigned n, char *err, size_t errlen) {
  if (n < 1) {
    set_err(err, errlen, "star: needs at least 1 node");
    return MCC_ERR_VALUE;
  }
  if (n > MAX_GENERATED) return too_many("star", err, errlen);
  int rv = start(t, "star", n, n - 1, err, errlen);
  if (rv != 0) return rv;
  for (uint32_t i = 1; i < n && rv == 0; i++)
    rv = sim_topology_add_edge(t, i, 0, 0);
  return finish(t, rv, "star", err, errlen);
}

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, bound) without modulo bias, so the same seed gives the
 * same graph on every platform. */
static uint32_t uniform(uint64_t *s, uint32_t bound) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do x = splitmix64(s);
  while (x >= limit);
  return (uint32_t)(x % bound);
}

int sim_topology_random(sim_topology *t, unsigned n, unsigned parents,
                        uint64_t seed, char *err, size_t errlen) {
  if (n < 1) {
    set_err(err, errlen, "random: needs at least 1 node");
    return MCC_ERR_VALUE;
  }
  if (parents < 1 || parents > 2) {
    set_err(err, errlen, "random: parents must be 1 or 2");
    return MCC_ERR_VALUE;
  }
  if (n > MAX_GENERATED) return too_many("random", err, errlen);
  int rv = start(t, "random", n, (size_t)(n - 1) * parents, err, errlen);
  if (rv != 0) return rv;
  uint64_t s = seed;
  for (uint32_t i = 1; i < n && rv == 0; i++) {
    uint32_t p = uniform(&s, i);
    rv = sim_topology_add_edge(t, i, p, 0);
    if (rv == 0 && parents == 2 && i >= 2) {
      /* a draw over the other i - 1 candidates, skipping p */
      uint32_t q = uniform(&s, i - 1);
      rv = sim_topology_add_edge(t, i, q >= p ? q + 1 : q, 1);
    }
  }
  return finish(t, rv, "random", err, errlen);
}

int sim_topology_grid(sim_topology *t, unsigned w, unsigned h,
                      unsigned parents, double spacing, char *err,
                      size_t errlen) {
  if (w < 1 || h < 1) {
    set_err(err, errlen, "grid: w and h must be at least 1");
    return MCC_ERR_VALUE;
  }
  if (parents < 1 || parents > 2) {
    set_err(err, errlen, "grid: parents must be 1 or 2");
    return MCC_ERR_VALUE;
  }
  if (!(spacing > 0 && spacing <= 1e6)) {
    set_err(err, errlen, "grid: spacing must be more than 0 and at most 1e6");
    return MCC_ERR_VALUE;
  }
  uint64_t n = (uint64_t)w * h;
  if (n > MAX_GENERATED) return too_many("grid", err, errlen);
  int rv = start(t, "grid", (uint32_t)n, (size_t)(n - 1) * parents, err,
                 errlen);
  if (rv != 0) return rv;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t x = i % w, y = i / w;
    t->nodes[i].has_pos = 1;
    t->nodes[i].x = x * spacing;
    t->nodes[i].y = y * spacing;
  }
  for (uint32_t i = 1; i < n && rv == 0; i++) {
    uint32_t x = i % w, y = i / w;
    rv = sim_topology_add_edge(t, i, x ? i - 1 : i - w, 0);
    if (rv != 0 || parents < 2) continue;
    if (x && y)
      rv = sim_topology_add_edge(t, i, i - w, 1);
    else if (!y && h > 1)
      rv = sim_topology_add_edge(t, i, w + x - 1, 1);
    else if (!x && w > 1)
      rv = sim_topology_add_edge(t, i, i - w + 1, 1);
  }
  return finish(t, rv, "grid", err, errlen);
}

void sim_link_apply(sim_link_params *p, const sim_link_params *given,
                    unsigned has) {
  if (has & SIM_LINK_HAS_DELAY) p->delay_ns = given->delay_ns;
  if (has & SIM_LINK_HAS_RATE) p->rate_bps = given->rate_bps;
  if (has & SIM_LINK_HAS_LOSS) p->loss = given->loss;
  if (has & SIM_LINK_HAS_MTU) p->mtu = given->mtu;
  if (has & SIM_LINK_HAS_QUEUE) p->queue = given->queue;
  if (has & SIM_LINK_HAS_MODEL) p->model = given->model;
}

int sim_link_model_parse(const char *text) {
  static const char *const names[] = {"p2p", "csma", "wifi"};
  for (int k = 0; k < 3; k++)
    if (strcmp(text, names[k]) == 0) return k;
  return -1;
}

const char *sim_link_model_name(int model) {
  return model == SIM_MODEL_CSMA   ? "csma"
         : model == SIM_MODEL_WIFI ? "wifi"
                                   : "p2p";
}

/* ---- text parsers ---------------------------------------------------------- */

/* A decimal number without sign or exponent: digits, an optional point
 * and digits (at least one digit in all). *pdigits holds every digit as
 * one integer with *pfrac of them after the point; trailing zeros after
 * the point are dropped so "1.50000000000000000000" does not overflow.
 * Returns the text after the number, or NULL. */
static const char *parse_decimal(const char *s, uint64_t *pdigits,
                                 unsigned *pfrac) {
  uint64_t v = 0;
  unsigned frac = 0, ndigits = 0, pending_zeros = 0;
  int point = 0;
  for (;; s++) {
    if (*s == '.' && !point) {
      point = 1;
      continue;
    }
    if (*s < '0' || *s > '9') break;
    ndigits++;
    if (point && *s == '0') { /* held back until a non-zero digit comes */
      pending_zeros++;
      continue;
    }
    for (; pending_zeros; pending_zeros--, frac++) {
      if (v > UINT64_MAX / 10) return NULL;
      v *= 10;
    }
    if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return NULL;
    v = v * 10 + (uint64_t)(*s - '0');
    if (point) frac++;
  }
  if (!ndigits) return NULL;
  *pdigits = v;
  *pfrac = frac;
  return s;
}

static const char *skip_space(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* digits / 10^frac * mult * 10^exp10, rounded to the nearest integer;
 * -1 when it does not fit in 64 bits. */
static int scale(uint64_t digits, unsigned frac, uint64_t mult, unsigned exp10,
                 uint64_t *pout) {
  if (digits && mult > UINT64_MAX / digits) return -1;
  uint64_t v = digits * mult;
  for (; exp10 > frac; exp10--) {
    if (v > UINT64_MAX / 10) return -1;
    v *= 10;
  }
  uint64_t div = 1;
  for (; frac > exp10; frac--) {
    if (div > UINT64_MAX / 10) { /* finer than 1e-19 of the unit: 0 */
      *pout = 0;
      return 0;
    }
    div *= 10;
  }
  uint64_t q = v / div, r = v % div;
  if (r >= div - r) {
    if (q == UINT64_MAX) return -1;
    q++;
  }
  *pout = q;
  return 0;
}

typedef struct unit {
  const char *name;
  uint64_t mult;
  unsigned exp10;
} unit;

/* A number, optional blanks, one of units (exact spelling, or any case
 * when nocase), optional blanks. A bare "0" needs no unit. */
static int parse_with_unit(const char *text, const unit *units, int nocase,
                           uint64_t *pout) {
  if (!text) return -1;
  uint64_t digits;
  unsigned frac;
  const char *s = parse_decimal(skip_space(text), &digits, &frac);
  if (!s) return -1;
  s = skip_space(s);
  if (!*s) {
    if (digits != 0) return -1;
    *pout = 0;
    return 0;
  }
  for (const unit *u = units; u->name; u++) {
    size_t len = strlen(u->name);
    int same = nocase ? strncasecmp(s, u->name, len) == 0
                      : strncmp(s, u->name, len) == 0;
    if (same && !*skip_space(s + len))
      return scale(digits, frac, u->mult, u->exp10, pout);
  }
  return -1;
}

int sim_parse_duration_ns(const char *text, uint64_t *pns) {
  static const unit units[] = {
      {"ns", 1, 0}, {"us", 1, 3},         {"\xc2\xb5s", 1, 3}, /* µs */
      {"ms", 1, 6}, {"s", 1, 9},          {"m", 60, 9},
      {"h", 3600, 9}, {NULL, 0, 0},
  };
  uint64_t v;
  if (!pns || parse_with_unit(text, units, 0, &v) != 0) return -1;
  *pns = v;
  return 0;
}

/* Bits per second in every spelling, "kbps" too: tc(8) reads "kbps" as
 * kilobytes, but in network specifications (and here) it means kilobits. */
int sim_parse_rate_bps(const char *text, uint64_t *pbps) {
  static const unit units[] = {
      {"bit", 1, 0},  {"kbit", 1, 3}, {"mbit", 1, 6}, {"gbit", 1, 9},
      {"bps", 1, 0},  {"kbps", 1, 3}, {"mbps", 1, 6}, {"gbps", 1, 9},
      {NULL, 0, 0},
  };
  uint64_t v;
  if (!pbps || parse_with_unit(text, units, 1, &v) != 0) return -1;
  *pbps = v;
  return 0;
}

int sim_parse_probability(const char *text, double *pp) {
  if (!text || !pp) return -1;
  uint64_t digits;
  unsigned frac;
  const char *s = parse_decimal(skip_space(text), &digits, &frac);
  if (!s) return -1;
  s = skip_space(s);
  if (*s == '%') {
    s = skip_space(s + 1);
    frac += 2;
  }
  if (*s || frac > 22 || digits > (1ull << 53)) return -1;
  /* both operands exact in a double, so the quotient is the double
   * nearest the decimal, as strtod would give */
  double p = (double)digits;
  double div = 1;
  for (unsigned i = 0; i < frac; i++) div *= 10;
  p /= div;
  if (p > 1) return -1;
  *pp = p;
  return 0;
}
