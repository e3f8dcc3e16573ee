/*
 * test_sim_topology.c — the simulator's topology module (sim/topology.c)
 * and its DOT reader and writer (sim/dot.c): generator shapes, the text
 * parsers as tables, DOT attributes and errors, and a write / read round
 * trip. Arrows are child -> parent:
 *
 *   tree fanout 2 depth 3          parents=2: second parent = the first
 *           0                      parent's next node on its level
 *        1     2                   (wrapping): 3,4 -> 2   5,6 -> 1
 *       3 4   5 6                  7,8 -> 4   9,10 -> 5  11,12 -> 6
 *      7..14 under 3..6            13,14 -> 3
 *
 * DOT files are written to /tmp by the tests; the example files are read
 * from topologies/ (tests run from the repository root).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dot.h"
#include "suites.h"
#include "testutil.h"
#include "topology.h"

/* Rendering SVG goes through pango and fontconfig, whose font cache stays
 * allocated until exit; that is theirs, not a leak of ours. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}
#endif

/* ---- helpers ------------------------------------------------------------------- */

/* A fresh file in /tmp holding text; the caller removes it. */
static void temp_file(char *path, size_t pathlen, const char *what,
                      const char *text) {
  snprintf(path, pathlen, "/tmp/test_sim_topology_%s_XXXXXX", what);
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  FILE *f = fdopen(fd, "w");
  CU_ASSERT_FATAL(f != NULL);
  if (text) fputs(text, f);
  fclose(f);
}

static char *slurp(const char *path, size_t *plen) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *more = realloc(buf, 2 * cap + 1);
      if (!more) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = more;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[len] = '\0';
  if (plen) *plen = len;
  return buf;
}

static const sim_topo_edge *edge_of(const sim_topology *t, const char *child,
                                    const char *parent) {
  long c = sim_topology_find(t, child), p = sim_topology_find(t, parent);
  for (size_t k = 0; k < t->nedges; k++)
    if ((long)t->edges[k].child == c && (long)t->edges[k].parent == p)
      return &t->edges[k];
  return NULL;
}

static unsigned depth_of(const sim_topology *t, uint32_t i) {
  unsigned d = 0;
  uint32_t p;
  while (sim_topology_parents(t, i, &p, 1) > 0 && d <= t->nnodes) {
    i = p;
    d++;
  }
  return d;
}

/* ---- storage ------------------------------------------------------------------- */

static void test_sim_topology_add_find_parents(void) {
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL(sim_topology_add_node(&t, "a"), 0);
  CU_ASSERT_EQUAL(sim_topology_add_node(&t, "b"), 1);
  CU_ASSERT_EQUAL(sim_topology_add_node(&t, "c"), 2);
  CU_ASSERT_EQUAL(sim_topology_add_node(&t, "b"), -1); /* taken */
  CU_ASSERT_EQUAL(sim_topology_find(&t, "c"), 2);
  CU_ASSERT_EQUAL(sim_topology_find(&t, "d"), -1);
  CU_ASSERT_EQUAL(t.nodes[1].network, 0);
  CU_ASSERT_PTR_NULL(t.nodes[1].role);

  /* parents come back by order, whatever order they were added in */
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 0, 2, 1), 0);
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 0, 1, 0), 0);
  CU_ASSERT_EQUAL(t.edges[t.nedges - 1].parent, 1); /* appended */
  uint32_t p[4];
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 4), 2);
  CU_ASSERT_EQUAL(p[0], 1);
  CU_ASSERT_EQUAL(p[1], 2);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 1), 2); /* count, 1 written */
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 1, p, 4), 0);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 99, p, 4), 0);

  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 0, 0, 2), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 0, 1, 5), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 1, 2, 0), 0);
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 1, 0, 0), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_add_edge(&t, 1, 3, 1),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(t.nedges, 3);
  sim_topology_free(&t);
  CU_ASSERT_EQUAL(t.nnodes, 0);
  sim_topology_free(&t); /* twice is harmless */
}

/* The name index survives the array growing many times over. */
static void test_sim_topology_find_many(void) {
  sim_topology t;
  sim_topology_init(&t);
  char name[32];
  for (unsigned i = 0; i < 20000; i++) {
    snprintf(name, sizeof name, "node-%u", i * 7919u);
    CU_ASSERT_EQUAL_FATAL(sim_topology_add_node(&t, name), (long)i);
  }
  unsigned bad = 0;
  for (unsigned i = 0; i < 20000; i++) {
    snprintf(name, sizeof name, "node-%u", i * 7919u);
    bad += sim_topology_find(&t, name) != (long)i;
    snprintf(name, sizeof name, "node-%u", i * 7919u + 1);
    bad += sim_topology_find(&t, name) != -1;
  }
  CU_ASSERT_EQUAL(bad, 0);
  sim_topology_free(&t);
}

/* ---- generators ---------------------------------------------------------------- */

static void test_sim_topology_tree(void) {
  sim_topology t;
  char err[128];
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(&t, 2, 3, 1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 15);
  CU_ASSERT_EQUAL(t.nedges, 14);
  CU_ASSERT_STRING_EQUAL(t.nodes[0].name, "n0");
  CU_ASSERT_STRING_EQUAL(t.nodes[14].name, "n14");
  uint32_t p[2];
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 2), 0);
  unsigned bad = 0, leaves_at_3 = 0;
  for (uint32_t i = 1; i < 15; i++) {
    bad += sim_topology_parents(&t, i, p, 2) != 1 || p[0] != (i - 1) / 2;
    leaves_at_3 += depth_of(&t, i) == 3;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(leaves_at_3, 8);
  sim_topology_free(&t);

  CU_ASSERT_EQUAL(sim_topology_tree(&t, 3, 0, 1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 1);
  CU_ASSERT_EQUAL(t.nedges, 0);
  sim_topology_free(&t);
}

static void test_sim_topology_tree_two_parents(void) {
  sim_topology t;
  char err[128];
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(&t, 2, 3, 2, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 15);
  CU_ASSERT_EQUAL(t.nedges, 14 + 12); /* none at depth 1: one root */
  uint32_t p[3];
  unsigned bad = 0;
  for (uint32_t i = 1; i < 15; i++) {
    size_t np = sim_topology_parents(&t, i, p, 3);
    bad += p[0] != (i - 1) / 2;
    if (i <= 2) {
      bad += np != 1;
      continue;
    }
    bad += np != 2 || p[1] == p[0] || depth_of(&t, p[1]) != depth_of(&t, p[0]);
  }
  CU_ASSERT_EQUAL(bad, 0);
  struct { uint32_t child, second; } want[] = {
      {3, 2}, {5, 1}, {7, 4}, {9, 5}, {12, 6}, {13, 3}, {14, 3}};
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    CU_ASSERT_EQUAL(sim_topology_parents(&t, want[k].child, p, 3), 2);
    CU_ASSERT_EQUAL(p[1], want[k].second);
  }
  sim_topology_free(&t);

  /* fanout 1: a level of one node has no other node to offer */
  CU_ASSERT_EQUAL(sim_topology_tree(&t, 1, 4, 2, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 5);
  CU_ASSERT_EQUAL(t.nedges, 4);
  sim_topology_free(&t);
}

static void test_sim_topology_linear_cyclic_star(void) {
  sim_topology t;
  char err[128];
  uint32_t p[2];
  unsigned bad = 0;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_linear(&t, 6, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 6);
  CU_ASSERT_EQUAL(t.nedges, 5);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 2), 0);
  for (uint32_t i = 1; i < 6; i++)
    bad += sim_topology_parents(&t, i, p, 2) != 1 || p[0] != i - 1;
  CU_ASSERT_EQUAL(depth_of(&t, 5), 5);
  sim_topology_free(&t);

  CU_ASSERT_EQUAL_FATAL(sim_topology_cyclic(&t, 4, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 4);
  CU_ASSERT_EQUAL(t.nedges, 4);
  for (uint32_t i = 0; i < 4; i++) /* no root: everyone has a parent */
    bad += sim_topology_parents(&t, i, p, 2) != 1 || p[0] != (i + 1) % 4;
  sim_topology_free(&t);

  CU_ASSERT_EQUAL_FATAL(sim_topology_star(&t, 5, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nnodes, 5);
  CU_ASSERT_EQUAL(t.nedges, 4);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 2), 0);
  for (uint32_t i = 1; i < 5; i++)
    bad += sim_topology_parents(&t, i, p, 2) != 1 || p[0] != 0;
  sim_topology_free(&t);
  CU_ASSERT_EQUAL(bad, 0);
}

static void test_sim_topology_random(void) {
  sim_topology a, b, c;
  char err[128];
  sim_topology_init(&a);
  sim_topology_init(&b);
  sim_topology_init(&c);
  CU_ASSERT_EQUAL_FATAL(sim_topology_random(&a, 200, 2, 42, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL_FATAL(sim_topology_random(&b, 200, 2, 42, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL_FATAL(sim_topology_random(&c, 200, 2, 43, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL(a.nnodes, 200);
  CU_ASSERT_EQUAL(a.nedges, 1 + 2 * 198); /* n1 has only n0 to choose */
  CU_ASSERT_EQUAL(a.nedges, b.nedges);
  int same = a.nedges == b.nedges, same_c = a.nedges == c.nedges;
  unsigned bad = 0;
  for (size_t k = 0; k < a.nedges; k++) {
    same &= a.edges[k].child == b.edges[k].child &&
            a.edges[k].parent == b.edges[k].parent &&
            a.edges[k].order == b.edges[k].order;
    same_c &= k < c.nedges && a.edges[k].parent == c.edges[k].parent;
    bad += a.edges[k].parent >= a.edges[k].child;
  }
  uint32_t p[3];
  for (uint32_t i = 2; i < 200; i++)
    bad += sim_topology_parents(&a, i, p, 3) != 2 || p[0] == p[1];
  CU_ASSERT(same);
  CU_ASSERT(!same_c);
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(sim_topology_parents(&a, 0, p, 3), 0);
  sim_topology_free(&a);
  sim_topology_free(&b);
  sim_topology_free(&c);

  CU_ASSERT_EQUAL(sim_topology_random(&a, 50, 1, 7, err, sizeof err), 0);
  CU_ASSERT_EQUAL(a.nedges, 49);
  sim_topology_free(&a);
}

static void test_sim_topology_generator_errors(void) {
  sim_topology t;
  char err[128];
  sim_topology_init(&t);
  err[0] = '\0';
  CU_ASSERT_EQUAL(sim_topology_tree(&t, 0, 3, 1, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "fanout"));
  CU_ASSERT_EQUAL(sim_topology_tree(&t, 2, 3, 3, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_tree(&t, 1000, 5, 1, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "limit"));
  CU_ASSERT_EQUAL(sim_topology_linear(&t, 0, err, sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_cyclic(&t, 2, err, sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_star(&t, 0, err, sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(sim_topology_random(&t, 10, 0, 1, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(t.nnodes, 0);
  /* a generator fills an empty topology and leaves a full one alone */
  CU_ASSERT_EQUAL_FATAL(sim_topology_star(&t, 3, err, sizeof err), 0);
  CU_ASSERT_EQUAL(sim_topology_linear(&t, 3, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(t.nnodes, 3);
  CU_ASSERT_EQUAL(t.nedges, 2);
  sim_topology_free(&t);
}

/* The grid's parent rule, written out from topology.h's comment: node
 * (x, y) of a w x h grid, its parents in order (none for the root). */
static size_t grid_parents_ref(unsigned w, unsigned h, unsigned parents,
                               uint32_t i, uint32_t *p) {
  uint32_t x = i % w, y = i / w;
  size_t np = 0;
  if (i == 0) return 0;
  p[np++] = x ? y * w + (x - 1) : (y - 1) * w;
  if (parents < 2) return np;
  if (x && y)
    p[np++] = (y - 1) * w + x;
  else if (!y && h > 1)
    p[np++] = 1 * w + (x - 1);
  else if (!x && w > 1)
    p[np++] = (y - 1) * w + 1;
  return np;
}

/*   3 x 3, parents=2, spacing 10 (first parent, second parent):
 *
 *   n0 (0,0)   n1 <- n0, n3      n2 <- n1, n4
 *   n3 <- n0, n1   n4 <- n3, n1  n5 <- n4, n2
 *   n6 <- n3, n4   n7 <- n6, n4  n8 <- n7, n5
 */
static void test_sim_topology_grid(void) {
  static const struct {
    unsigned w, h, parents;
    size_t edges;
  } shapes[] = {
      {4, 3, 1, 11}, {4, 3, 2, 11 + 11}, {1, 5, 1, 4}, {1, 5, 2, 4},
      {5, 1, 1, 4},  {5, 1, 2, 4},       {1, 1, 1, 0}, {1, 1, 2, 0},
      {2, 2, 2, 6},  {3, 3, 2, 16},      {2, 4, 2, 14},
  };
  char err[128];
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
    unsigned w = shapes[k].w, h = shapes[k].h;
    sim_topology t;
    sim_topology_init(&t);
    int rv = sim_topology_grid(&t, w, h, shapes[k].parents, 12.5, err,
                               sizeof err);
    CU_ASSERT_EQUAL(rv, 0);
    if (rv) {
      fprintf(stderr, "grid %ux%u: %s\n", w, h, err);
      continue;
    }
    CU_ASSERT_EQUAL(t.nnodes, (size_t)w * h);
    CU_ASSERT_EQUAL(t.nedges, shapes[k].edges);
    unsigned bad = 0;
    for (uint32_t i = 0; i < t.nnodes; i++) {
      uint32_t p[4], q[4];
      char name[16];
      snprintf(name, sizeof name, "n%u", i);
      bad += strcmp(t.nodes[i].name, name) != 0;
      bad += !t.nodes[i].has_pos || t.nodes[i].x != (i % w) * 12.5 ||
             t.nodes[i].y != (i / w) * 12.5;
      size_t np = sim_topology_parents(&t, i, p, 4);
      size_t nq = grid_parents_ref(w, h, shapes[k].parents, i, q);
      bad += np != nq || memcmp(p, q, np * sizeof *p) != 0;
    }
    if (bad) fprintf(stderr, "grid %ux%u parents=%u: %u bad\n", w, h,
                     shapes[k].parents, bad);
    CU_ASSERT_EQUAL(bad, 0);
    sim_topology_free(&t);
  }

  /* the picture above, edge by edge */
  static const uint32_t want[9][2] = {{0, 0}, {0, 3}, {1, 4}, {0, 1}, {3, 1},
                                      {4, 2}, {3, 4}, {6, 4}, {7, 5}};
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_grid(&t, 3, 3, 2, 10, err, sizeof err),
                        0);
  uint32_t p[4];
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 0, p, 4), 0);
  for (uint32_t i = 1; i < 9; i++) {
    CU_ASSERT_EQUAL(sim_topology_parents(&t, i, p, 4), 2);
    CU_ASSERT_EQUAL(p[0], want[i][0]);
    CU_ASSERT_EQUAL(p[1], want[i][1]);
  }
  CU_ASSERT_EQUAL(t.nodes[5].x, 20);
  CU_ASSERT_EQUAL(t.nodes[5].y, 10);
  CU_ASSERT_EQUAL(t.nodes[0].x, 0);
  CU_ASSERT_EQUAL(t.nodes[0].y, 0);
  CU_ASSERT_TRUE(t.nodes[0].has_pos);
  sim_topology_free(&t);

  /* a column (1 x N) is a line down, a row (N x 1) a line across */
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_grid(&t, 1, 4, 2, 40, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL(t.nedges, 3);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 3, p, 4), 1);
  CU_ASSERT_EQUAL(p[0], 2);
  CU_ASSERT_EQUAL(t.nodes[3].x, 0);
  CU_ASSERT_EQUAL(t.nodes[3].y, 120);
  sim_topology_free(&t);
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_grid(&t, 4, 1, 2, 40, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL(t.nedges, 3);
  CU_ASSERT_EQUAL(sim_topology_parents(&t, 3, p, 4), 1);
  CU_ASSERT_EQUAL(p[0], 2);
  CU_ASSERT_EQUAL(t.nodes[3].x, 120);
  CU_ASSERT_EQUAL(t.nodes[3].y, 0);
  sim_topology_free(&t);
}

static void test_sim_topology_grid_errors(void) {
  static const struct {
    unsigned w, h, parents;
    double spacing;
    const char *says;
  } cases[] = {
      {0, 3, 1, 40, "grid: w and h must be at least 1"},
      {3, 0, 1, 40, "grid: w and h must be at least 1"},
      {3, 3, 0, 40, "grid: parents must be 1 or 2"},
      {3, 3, 3, 40, "grid: parents must be 1 or 2"},
      {3, 3, 1, 0, "grid: spacing must be more than 0"},
      {3, 3, 1, -40, "grid: spacing must be more than 0"},
      {3, 3, 1, 2e6, "grid: spacing must be more than 0 and at most 1e6"},
      {3, 3, 1, NAN, "grid: spacing must be more than 0"},
      {100000, 100000, 1, 40, "grid: more nodes than the limit"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    sim_topology t;
    char err[128] = "";
    sim_topology_init(&t);
    int rv = sim_topology_grid(&t, cases[k].w, cases[k].h, cases[k].parents,
                               cases[k].spacing, err, sizeof err);
    int ok = rv == MCC_ERR_VALUE && strstr(err, cases[k].says) != NULL &&
             t.nnodes == 0 && t.nedges == 0;
    if (!ok) fprintf(stderr, "grid case %zu: rv %d: '%s'\n", k, rv, err);
    CU_ASSERT_TRUE(ok);
    sim_topology_free(&t);
  }
}

/* ---- text parsers ---------------------------------------------------------------- */

static void test_sim_topology_parse_duration(void) {
  static const struct {
    const char *text;
    int rv;
    uint64_t ns;
  } cases[] = {
      {"10ms", 0, 10000000ull},       {"1.5s", 0, 1500000000ull},
      {"250us", 0, 250000ull},        {"2m", 0, 120000000000ull},
      {"1h", 0, 3600000000000ull},    {"7ns", 0, 7},
      {"0", 0, 0},                    {"0ms", 0, 0},
      {" 20 ms ", 0, 20000000ull},    {"0.5ms", 0, 500000ull},
      {".25s", 0, 250000000ull},      {"1.0000000005s", 0, 1000000001ull},
      {"\xc2\xb5s", -1, 0},           {"3\xc2\xb5s", 0, 3000ull},
      {"1.50000000000000000000000s", 0, 1500000000ull},
      {"", -1, 0},                    {"ms", -1, 0},
      {"10", -1, 0},                  {"fast", -1, 0},
      {"-1ms", -1, 0},                {"+1ms", -1, 0},
      {"10 mss", -1, 0},              {"1.2.3s", -1, 0},
      {"10MS", -1, 0},                {"1e3ms", -1, 0},
      {"1x", -1, 0},                  {".", -1, 0},
      {"99999999999999999999s", -1, 0}, {"6000000000h", -1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t ns = 12345;
    int rv = sim_parse_duration_ns(cases[i].text, &ns);
    if (rv != cases[i].rv || (rv == 0 && ns != cases[i].ns))
      fprintf(stderr, "duration '%s': rv %d ns %llu\n", cases[i].text, rv,
              (unsigned long long)ns);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
    if (cases[i].rv == 0) CU_ASSERT_EQUAL(ns, cases[i].ns);
  }
  uint64_t ns;
  CU_ASSERT_EQUAL(sim_parse_duration_ns(NULL, &ns), -1);
}

static void test_sim_topology_parse_rate(void) {
  static const struct {
    const char *text;
    int rv;
    uint64_t bps;
  } cases[] = {
      {"1Mbit", 0, 1000000ull},    {"64kbit", 0, 64000ull},
      {"1Gbit", 0, 1000000000ull}, {"9600bit", 0, 9600},
      {"9600bps", 0, 9600},        {"56kbps", 0, 56000ull},
      {"10Mbps", 0, 10000000ull},  {"2Gbps", 0, 2000000000ull},
      {"1.5Mbit", 0, 1500000ull},  {"100mbit", 0, 100000000ull},
      {"1Kbit", 0, 1000},          {"0", 0, 0},
      {"0.5bit", 0, 1},            {" 8 kbit", 0, 8000},
      {"", -1, 0},                 {"9600", -1, 0},
      {"1M", -1, 0},               {"1 MB", -1, 0},
      {"-1Mbit", -1, 0},           {"fast", -1, 0},
      {"1Tbit", -1, 0},            {"1Mbitx", -1, 0},
      {"99999999999Gbit", -1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t bps = 12345;
    int rv = sim_parse_rate_bps(cases[i].text, &bps);
    if (rv != cases[i].rv || (rv == 0 && bps != cases[i].bps))
      fprintf(stderr, "rate '%s': rv %d bps %llu\n", cases[i].text, rv,
              (unsigned long long)bps);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
    if (cases[i].rv == 0) CU_ASSERT_EQUAL(bps, cases[i].bps);
  }
}

static void test_sim_topology_parse_probability(void) {
  static const struct {
    const char *text;
    int rv;
    double p;
  } cases[] = {
      {"0.01", 0, 0.01}, {"1%", 0, 0.01},   {"0", 0, 0},     {"1", 0, 1},
      {"1.0", 0, 1},     {"100%", 0, 1},    {"0.5 %", 0, 0.005},
      {".3", 0, 0.3},    {"0.125", 0, 0.125}, {" 0.2 ", 0, 0.2},
      {"", -1, 0},       {"%", -1, 0},      {"1.01", -1, 0}, {"101%", -1, 0},
      {"-0.1", -1, 0},   {"2", -1, 0},      {"1e-3", -1, 0}, {"abc", -1, 0},
      {"0.1%%", -1, 0},  {"nan", -1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double p = -1;
    int rv = sim_parse_probability(cases[i].text, &p);
    if (rv != cases[i].rv || (rv == 0 && p != cases[i].p))
      fprintf(stderr, "probability '%s': rv %d p %.17g\n", cases[i].text, rv,
              p);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
    if (cases[i].rv == 0) CU_ASSERT_EQUAL(p, cases[i].p); /* exact */
  }
}

/* ---- DOT in ------------------------------------------------------------------------ */

static void test_sim_topology_dot_read_attributes(void) {
  static const char text[] =
      "/* a root, a gateway with two parents, a lossy leaf */\n"
      "digraph t {\n"
      "  node [tags=\"sensor\"];\n"
      "  r0 [role=root, tags=\"\"]; r1 [role=root, dns_names=\"r1,backup\"];\n"
      "  g -> r1 [order=1, delay=\"20ms\", rate=\"1Mbit\"];\n"
      "  g -> r0 [order=0, loss=\"1%\", mtu=1280];\n"
      "  leaf -> g [delay=\"250us\", loss=\"0.5\"];\n"
      "  x [network=1, trusts=\"0, 2\"];\n"
      "  x -> g; x -> r1; x -> r0;  // orders by place: g, r1, r0\n"
      "  lonely;\n"
      "}\n";
  char path[128], err[256] = "";
  temp_file(path, sizeof path, "attrs", text);
  sim_topology t;
  sim_topology_init(&t);
  int rv = sim_dot_read(&t, path, err, sizeof err);
  if (rv) fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  CU_ASSERT_EQUAL(t.nnodes, 6);
  CU_ASSERT_EQUAL(t.nedges, 6);
  CU_ASSERT_EQUAL(sim_topology_find(&t, "r0"), 0); /* order of appearance */
  CU_ASSERT_EQUAL(sim_topology_find(&t, "lonely"), 5);

  const sim_topo_node *r0 = &t.nodes[sim_topology_find(&t, "r0")];
  const sim_topo_node *r1 = &t.nodes[sim_topology_find(&t, "r1")];
  const sim_topo_node *x = &t.nodes[sim_topology_find(&t, "x")];
  const sim_topo_node *g = &t.nodes[sim_topology_find(&t, "g")];
  CU_ASSERT_STRING_EQUAL(r0->role, "root");
  CU_ASSERT_PTR_NULL(r0->tags); /* empty: not given */
  CU_ASSERT_STRING_EQUAL(r1->dns_names, "r1,backup");
  CU_ASSERT_STRING_EQUAL(r1->tags, "sensor"); /* the node default */
  CU_ASSERT_PTR_NULL(g->role);
  CU_ASSERT_EQUAL(g->network, 0);
  CU_ASSERT_EQUAL(x->network, 1);
  CU_ASSERT_EQUAL(x->trusts, (1 << 0) | (1 << 2));

  uint32_t p[4];
  CU_ASSERT_EQUAL(
      sim_topology_parents(&t, (uint32_t)sim_topology_find(&t, "g"), p, 4), 2);
  CU_ASSERT_EQUAL(p[0], 0);
  CU_ASSERT_EQUAL(p[1], 1);
  CU_ASSERT_EQUAL(
      sim_topology_parents(&t, (uint32_t)sim_topology_find(&t, "x"), p, 4), 3);
  CU_ASSERT_EQUAL(p[0], (uint32_t)sim_topology_find(&t, "g"));
  CU_ASSERT_EQUAL(p[1], 1);
  CU_ASSERT_EQUAL(p[2], 0);

  const sim_topo_edge *e = edge_of(&t, "g", "r1");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->order, 1);
  CU_ASSERT_EQUAL(e->has, SIM_LINK_HAS_DELAY | SIM_LINK_HAS_RATE);
  CU_ASSERT_EQUAL(e->params.delay_ns, 20000000ull);
  CU_ASSERT_EQUAL(e->params.rate_bps, 1000000ull);
  e = edge_of(&t, "g", "r0");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->order, 0);
  CU_ASSERT_EQUAL(e->has, SIM_LINK_HAS_LOSS | SIM_LINK_HAS_MTU);
  CU_ASSERT_EQUAL(e->params.loss, 0.01);
  CU_ASSERT_EQUAL(e->params.mtu, 1280);
  e = edge_of(&t, "leaf", "g");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->params.delay_ns, 250000ull);
  CU_ASSERT_EQUAL(e->params.loss, 0.5);
  e = edge_of(&t, "x", "r0");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->has, 0);
  CU_ASSERT_EQUAL(e->order, 2);
  sim_topology_free(&t);
  unlink(path);

  /* an undirected graph reads `child -- parent` as written; orders 1 and
   * 5 are sort keys, stored as ranks 0 and 1 */
  temp_file(path, sizeof path, "undirected",
            "graph u { a -- c [order=5]; a -- b [order=1]; }\n");
  sim_topology_init(&t);
  CU_ASSERT_EQUAL_FATAL(sim_dot_read(&t, path, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nedges, 2);
  CU_ASSERT_EQUAL(
      sim_topology_parents(&t, (uint32_t)sim_topology_find(&t, "a"), p, 4), 2);
  CU_ASSERT_EQUAL(p[0], (uint32_t)sim_topology_find(&t, "b"));
  CU_ASSERT_EQUAL(edge_of(&t, "a", "c")->order, 1);
  sim_topology_free(&t);
  unlink(path);
}

/* Radio positions and link models: pos="x,y" in metres (neato's pinned
 * "x,y!" too), model= and queue= on edges. */
static void test_sim_topology_dot_read_link_models(void) {
  static const char text[] =
      "digraph m {\n"
      "  a [pos=\"40,80\"]; b [pos=\"-2.5,1e2!\"]; c;\n"
      "  b -> a [model=wifi, queue=50];\n"
      "  c -> a [model=csma];\n"
      "  d -> c [queue=1000000, model=p2p];\n"
      "  e -> d;\n"
      "}\n";
  char path[128], err[256] = "";
  temp_file(path, sizeof path, "models", text);
  sim_topology t;
  sim_topology_init(&t);
  int rv = sim_dot_read(&t, path, err, sizeof err);
  if (rv) fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  const sim_topo_node *a = &t.nodes[sim_topology_find(&t, "a")];
  const sim_topo_node *b = &t.nodes[sim_topology_find(&t, "b")];
  const sim_topo_node *c = &t.nodes[sim_topology_find(&t, "c")];
  CU_ASSERT_TRUE(a->has_pos);
  CU_ASSERT_EQUAL(a->x, 40);
  CU_ASSERT_EQUAL(a->y, 80);
  CU_ASSERT_TRUE(b->has_pos);
  CU_ASSERT_EQUAL(b->x, -2.5);
  CU_ASSERT_EQUAL(b->y, 100);
  CU_ASSERT_FALSE(c->has_pos);

  const sim_topo_edge *e = edge_of(&t, "b", "a");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->has, SIM_LINK_HAS_MODEL | SIM_LINK_HAS_QUEUE);
  CU_ASSERT_EQUAL(e->params.model, SIM_MODEL_WIFI);
  CU_ASSERT_EQUAL(e->params.queue, 50);
  e = edge_of(&t, "c", "a");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->has, SIM_LINK_HAS_MODEL);
  CU_ASSERT_EQUAL(e->params.model, SIM_MODEL_CSMA);
  e = edge_of(&t, "d", "c");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->has, SIM_LINK_HAS_MODEL | SIM_LINK_HAS_QUEUE);
  CU_ASSERT_EQUAL(e->params.model, SIM_MODEL_P2P);
  CU_ASSERT_EQUAL(e->params.queue, 1000000);
  e = edge_of(&t, "e", "d");
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->has, 0);
  sim_topology_free(&t);
  unlink(path);

  CU_ASSERT_EQUAL(sim_link_model_parse("p2p"), SIM_MODEL_P2P);
  CU_ASSERT_EQUAL(sim_link_model_parse("csma"), SIM_MODEL_CSMA);
  CU_ASSERT_EQUAL(sim_link_model_parse("wifi"), SIM_MODEL_WIFI);
  CU_ASSERT_EQUAL(sim_link_model_parse("WiFi"), -1);
  CU_ASSERT_EQUAL(sim_link_model_parse(""), -1);
  CU_ASSERT_STRING_EQUAL(sim_link_model_name(SIM_MODEL_CSMA), "csma");
  CU_ASSERT_STRING_EQUAL(sim_link_model_name(SIM_MODEL_WIFI), "wifi");
  CU_ASSERT_STRING_EQUAL(sim_link_model_name(SIM_MODEL_P2P), "p2p");
}

static void test_sim_topology_dot_read_errors(void) {
  static const struct {
    const char *text;
    int rv;
    const char *want[3]; /* substrings of the message; "@" is the path */
  } cases[] = {
      {"digraph {\n  a -> b;\n  a -> -> c;\n}\n",
       MCC_ERR_SYNTAX,
       {"@:3: syntax error near", "'->'", NULL}},
      {"digraph { a -> b [delay=\"fast\"]; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: delay: expected a duration such as 10ms, got 'fast'",
        NULL, NULL}},
      {"digraph { a -> b [rate=\"1MB\"]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> b: rate: expected a rate", "got '1MB'", NULL}},
      {"digraph { a -> b [loss=\"1.5\"]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> b: loss: expected a probability", "got '1.5'", NULL}},
      {"digraph { a -> b [mtu=100]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> b: mtu: expected an integer 576..65535, got '100'", NULL,
        NULL}},
      {"digraph { a -> b [order=\"first\"]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> b: order: expected an integer", NULL, NULL}},
      {"digraph { a [network=8]; }\n",
       MCC_ERR_VALUE,
       {"@: node a: network: expected an integer 0..7, got '8'", NULL, NULL}},
      {"digraph { a [trusts=\"1,x\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: trusts: expected a comma list", "got '1,x'", NULL}},
      {"digraph { a [trusts=\"1,\"]; }\n",
       MCC_ERR_VALUE,
       {"trusts", NULL, NULL}},
      {"digraph {\n a -> b;\n a -> b;\n}\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: given twice", NULL, NULL}},
      {"digraph { a -> b [order=2]; a -> c [order=0]; a -> b [order=2]; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: given twice", NULL, NULL}},
      {"digraph { a -> b [order=99999999999]; }\n",
       MCC_ERR_VALUE,
       {"order: expected an integer 0 or more, got '99999999999'", NULL,
        NULL}},
      {"digraph { a -> a; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> a: a node cannot be its own parent", NULL, NULL}},
      {"digraph { a -> b [order=0]; a -> c [order=0]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> c: order 0 is also the order of a -> b", NULL, NULL}},
      {"digraph { a -> b; a -> c [order=0]; }\n",
       MCC_ERR_VALUE,
       {"order 0 is also the order of a -> b", "give each of them an order",
        NULL}},
      {"digraph { a [pos=\"40\"]; }\n",
       MCC_ERR_VALUE,
       {"@: node a: pos: expected metres as \"x,y\" such as \"40,80\", got '40'",
        NULL, NULL}},
      {"digraph { a [pos=\"x,1\"]; }\n",
       MCC_ERR_VALUE,
       {"@: node a: pos: expected metres", "got 'x,1'", NULL}},
      {"digraph { a [pos=\"1,2,3\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: pos: expected metres", "got '1,2,3'", NULL}},
      {"digraph { a [pos=\"1,\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: pos: expected metres", "got '1,'", NULL}},
      {"digraph { a [pos=\"nan,1\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: pos: expected metres", "got 'nan,1'", NULL}},
      {"digraph { a [pos=\"1,2e9\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: pos: expected metres", "got '1,2e9'", NULL}},
      {"digraph { a [pos=\"1,2!x\"]; }\n",
       MCC_ERR_VALUE,
       {"node a: pos: expected metres", "got '1,2!x'", NULL}},
      {"digraph { a -> b [queue=0]; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: queue: expected a number of packets 1..1000000, got "
        "'0'",
        NULL, NULL}},
      {"digraph { a -> b [queue=\"x\"]; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: queue: expected a number of packets", "got 'x'",
        NULL}},
      {"digraph { a -> b [queue=1000001]; }\n",
       MCC_ERR_VALUE,
       {"edge a -> b: queue: expected a number of packets 1..1000000",
        "got '1000001'", NULL}},
      {"digraph { a -> b [model=radio]; }\n",
       MCC_ERR_VALUE,
       {"@: edge a -> b: model: expected p2p, csma or wifi, got 'radio'",
        NULL, NULL}},
      {"", MCC_ERR_SYNTAX, {"@: no graph in the file", NULL, NULL}},
      {"digraph { a -> b; }\ndigraph { c -> d; }\n",
       MCC_ERR_SYNTAX,
       {"@: more than one graph", NULL, NULL}},
      {"digraph { a -> b; }\n\n}\n",
       MCC_ERR_SYNTAX,
       {"@:3: syntax error", NULL, NULL}},
      /* 9 parents: the core takes 8; never a silent truncation */
      {"digraph {\n c -> p0; c -> p1; c -> p2;\n c -> p3; c -> p4;\n"
       " c -> p5; c -> p6; c -> p7;\n c -> p8;\n}\n",
       MCC_ERR_LIMIT,
       {"@:5: node c has 9 parents, more than the limit of 8",
        "edge c -> p8 is one too many", NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[128], err[512] = "";
    temp_file(path, sizeof path, "err", cases[i].text);
    sim_topology t;
    sim_topology_init(&t);
    int rv = sim_dot_read(&t, path, err, sizeof err);
    int ok = rv == cases[i].rv && !strchr(err, '\n');
    for (size_t k = 0; k < 3 && cases[i].want[k]; k++) {
      char want[256];
      const char *w = cases[i].want[k];
      if (w[0] == '@')
        snprintf(want, sizeof want, "%s%s", path, w + 1);
      else
        snprintf(want, sizeof want, "%s", w);
      ok &= strstr(err, want) != NULL;
    }
    if (!ok) fprintf(stderr, "case %zu: rv %d: %s\n", i, rv, err);
    CU_ASSERT(ok);
    sim_topology_free(&t);
    unlink(path);
  }

  /* a missing file, and a syntax error does not spoil the next read */
  char err[256] = "";
  sim_topology t;
  sim_topology_init(&t);
  CU_ASSERT_EQUAL(sim_dot_read(&t, "/tmp/test_sim_topology_none/x.dot", err,
                               sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_STRING_EQUAL(err,
                         "/tmp/test_sim_topology_none/x.dot: No such file or "
                         "directory");
  char path[128];
  temp_file(path, sizeof path, "after", "digraph { b -> a; }\n");
  CU_ASSERT_EQUAL(sim_dot_read(&t, path, err, sizeof err), 0);
  CU_ASSERT_EQUAL(t.nedges, 1);
  /* the same names again clash with what t already holds */
  CU_ASSERT_EQUAL(sim_dot_read(&t, path, err, sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "node b: the name is already"));
  sim_topology_free(&t);
  unlink(path);

  /* not a regular file: refused before reading, naming it */
  sim_topology_init(&t);
  CU_ASSERT_EQUAL(sim_dot_read(&t, "/dev/zero", err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/zero: not a regular file"));
  sim_topology_free(&t);

  /* nor does a good read shift the next file's line numbers (cgraph's
   * lexer keeps what it read past a graph) */
  char bad[128], want[160];
  temp_file(bad, sizeof bad, "line", "digraph {\n a -> b;\n a ; -> c;\n}\n");
  snprintf(want, sizeof want, "%s:3: syntax error near '->'", bad);
  sim_topology_init(&t);
  CU_ASSERT_EQUAL(sim_dot_read(&t, "topologies/tree-15.dot", err, sizeof err),
                  0);
  sim_topology_free(&t);
  CU_ASSERT_EQUAL(sim_dot_read(&t, bad, err, sizeof err), MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err, want);
  sim_topology_free(&t);
  unlink(bad);
}

/* Every example in topologies/ reads, with the shape its header describes. */
static void test_sim_topology_dot_read_examples(void) {
  static const struct {
    const char *file;
    size_t nodes, edges;
  } files[] = {
      {"topologies/tree-15.dot", 15, 14},
      {"topologies/tree-two-parents.dot", 7, 10},
      {"topologies/linear-6.dot", 6, 5},
      {"topologies/cycle-4.dot", 4, 4},
      {"topologies/lossy-star.dot", 6, 5},
      {"topologies/mixed-networks.dot", 7, 6},
      {"topologies/two-roots.dot", 11, 12},
      {"topologies/cycle-backup.dot", 4, 8},
      {"topologies/linear-backup.dot", 6, 6},
      {"topologies/mixed-trust.dot", 6, 5},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char err[256] = "";
    sim_topology t;
    sim_topology_init(&t);
    int rv = sim_dot_read(&t, files[i].file, err, sizeof err);
    if (rv || t.nnodes != files[i].nodes || t.nedges != files[i].edges)
      fprintf(stderr, "%s: rv %d, %zu nodes, %zu edges: %s\n", files[i].file,
              rv, t.nnodes, t.nedges, err);
    CU_ASSERT_EQUAL(rv, 0);
    CU_ASSERT_EQUAL(t.nnodes, files[i].nodes);
    CU_ASSERT_EQUAL(t.nedges, files[i].edges);
    sim_topology_free(&t);
  }
}

/* ---- DOT out ------------------------------------------------------------------------ */

/* A tree with second parents, some link parameters and node attributes,
 * and a live state: n1 dead, so n3 and n4 have moved to their second
 * parent n2. */
static void sample(sim_topology *t, sim_node_state **pstate) {
  char err[128];
  sim_topology_init(t);
  CU_ASSERT_EQUAL_FATAL(sim_topology_tree(t, 2, 3, 2, err, sizeof err), 0);
  t->edges[0].params.delay_ns = 1500000; /* 1.5ms */
  t->edges[0].params.rate_bps = 64000;
  t->edges[0].params.loss = 0.01;
  t->edges[0].params.mtu = 1280;
  t->edges[0].has = SIM_LINK_HAS_DELAY | SIM_LINK_HAS_RATE |
                    SIM_LINK_HAS_LOSS | SIM_LINK_HAS_MTU;
  t->edges[3].params.delay_ns = 1234567;
  t->edges[3].params.loss = 1.0 / 3;
  t->edges[3].has = SIM_LINK_HAS_DELAY | SIM_LINK_HAS_LOSS;
  t->edges[5].params.queue = 64;
  t->edges[5].params.model = SIM_MODEL_WIFI;
  t->edges[5].has = SIM_LINK_HAS_QUEUE | SIM_LINK_HAS_MODEL;
  t->edges[6].params.model = SIM_MODEL_CSMA;
  t->edges[6].has = SIM_LINK_HAS_MODEL;
  t->edges[7].params.model = SIM_MODEL_P2P;
  t->edges[7].params.queue = 1;
  t->edges[7].has = SIM_LINK_HAS_MODEL | SIM_LINK_HAS_QUEUE;
  t->nodes[2].has_pos = 1;
  t->nodes[2].x = 12.5;
  t->nodes[2].y = -0.1; /* not a binary fraction: written with all digits */
  t->nodes[9].has_pos = 1;
  t->nodes[9].x = 123456.789;
  t->nodes[9].y = 0;
  t->nodes[0].role = strdup("root");
  t->nodes[5].network = 1;
  t->nodes[5].trusts = 1 | 4;
  t->nodes[6].dns_names = strdup("six,hexa");
  t->nodes[7].tags = strdup("a b \"quoted\"");
  sim_node_state *st = calloc(t->nnodes, sizeof *st);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  for (uint32_t i = 0; i < t->nnodes; i++) {
    uint32_t p[2];
    st[i].alive = 1;
    st[i].active_parent = sim_topology_parents(t, i, p, 2) ? (long)p[0] : -1;
  }
  st[0].is_root = 1;
  st[1].alive = 0;
  st[1].active_parent = -1;
  st[3].active_parent = 2;
  st[4].active_parent = 2;
  *pstate = st;
}

static void test_sim_topology_dot_write_round_trip(void) {
  sim_topology t, back;
  sim_node_state *st;
  sample(&t, &st);
  char dot1[128], dot2[128], err[256] = "";
  temp_file(dot1, sizeof dot1, "w1", NULL);
  temp_file(dot2, sizeof dot2, "w2", NULL);
  int rv = sim_dot_write(&t, st, dot1, NULL, err, sizeof err);
  if (rv) fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  CU_ASSERT_EQUAL(sim_dot_write(&t, st, dot2, NULL, err, sizeof err), 0);

  size_t len1, len2;
  char *a = slurp(dot1, &len1), *b = slurp(dot2, &len2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT(len1 == len2 && memcmp(a, b, len1) == 0); /* deterministic */
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "rankdir=BT"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "shape=doublecircle"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "fontcolor=gray"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "penwidth=2"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "model=wifi"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "model=csma"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "queue=64"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "pos=\"12.5,-0.10000000000000001\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "style=dashed"));
  free(a);
  free(b);

  sim_topology_init(&back);
  rv = sim_dot_read(&back, dot1, err, sizeof err);
  if (rv) fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  CU_ASSERT_EQUAL_FATAL(back.nnodes, t.nnodes);
  CU_ASSERT_EQUAL_FATAL(back.nedges, t.nedges);
  unsigned bad = 0;
  for (size_t i = 0; i < t.nnodes; i++) {
    const sim_topo_node *x = &t.nodes[i], *y = &back.nodes[i];
    bad += strcmp(x->name, y->name) != 0;
    bad += x->network != y->network || x->trusts != y->trusts;
    bad += x->has_pos != y->has_pos ||
           (x->has_pos && (x->x != y->x || x->y != y->y));
    bad += !x->role != !y->role || (x->role && strcmp(x->role, y->role));
    bad += !x->tags != !y->tags || (x->tags && strcmp(x->tags, y->tags));
    bad += !x->dns_names != !y->dns_names ||
           (x->dns_names && strcmp(x->dns_names, y->dns_names));
    uint32_t p[4], q[4];
    size_t np = sim_topology_parents(&t, (uint32_t)i, p, 4);
    bad += np != sim_topology_parents(&back, (uint32_t)i, q, 4) ||
           memcmp(p, q, np * sizeof *p) != 0;
  }
  for (size_t k = 0; k < t.nedges; k++) {
    const sim_topo_edge *x = &t.edges[k];
    const sim_topo_edge *y =
        edge_of(&back, t.nodes[x->child].name, t.nodes[x->parent].name);
    if (!y) {
      bad++;
      continue;
    }
    bad += x->order != y->order || x->has != y->has;
    bad += (x->has & SIM_LINK_HAS_DELAY) &&
           x->params.delay_ns != y->params.delay_ns;
    bad += (x->has & SIM_LINK_HAS_RATE) &&
           x->params.rate_bps != y->params.rate_bps;
    bad += (x->has & SIM_LINK_HAS_LOSS) && x->params.loss != y->params.loss;
    bad += (x->has & SIM_LINK_HAS_MTU) && x->params.mtu != y->params.mtu;
    bad += (x->has & SIM_LINK_HAS_QUEUE) &&
           x->params.queue != y->params.queue;
    bad += (x->has & SIM_LINK_HAS_MODEL) &&
           x->params.model != y->params.model;
  }
  CU_ASSERT_EQUAL(bad, 0);
  /* the new attributes by name too, so that dropping them on both sides
   * cannot pass */
  CU_ASSERT_TRUE(back.nodes[2].has_pos && back.nodes[2].y == -0.1);
  CU_ASSERT_FALSE(back.nodes[3].has_pos);
  const sim_topo_edge *w = edge_of(&back, t.nodes[t.edges[5].child].name,
                                   t.nodes[t.edges[5].parent].name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  CU_ASSERT_EQUAL(w->has, SIM_LINK_HAS_QUEUE | SIM_LINK_HAS_MODEL);
  CU_ASSERT_EQUAL(w->params.model, SIM_MODEL_WIFI);
  CU_ASSERT_EQUAL(w->params.queue, 64);
  w = edge_of(&back, t.nodes[t.edges[6].child].name,
              t.nodes[t.edges[6].parent].name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  CU_ASSERT_EQUAL(w->has, SIM_LINK_HAS_MODEL);
  CU_ASSERT_EQUAL(w->params.model, SIM_MODEL_CSMA);
  sim_topology_free(&back);

  /* without a state: the configured view, and still readable */
  CU_ASSERT_EQUAL(sim_dot_write(&t, NULL, dot1, NULL, err, sizeof err), 0);
  sim_topology_init(&back);
  CU_ASSERT_EQUAL(sim_dot_read(&back, dot1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(back.nedges, t.nedges);
  sim_topology_free(&back);

  CU_ASSERT_EQUAL(sim_dot_write(&t, st, "/tmp/test_sim_topology_none/x.dot",
                                NULL, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/tmp/test_sim_topology_none/x.dot: "));
  unlink(dot1);
  unlink(dot2);
  free(st);
  sim_topology_free(&t);
}

static void test_sim_topology_dot_write_svg(void) {
  sim_topology t;
  sim_node_state *st;
  sample(&t, &st);
  CU_ASSERT_EQUAL(t.nnodes, 15);
  char svg[128], err[256] = "";
  temp_file(svg, sizeof svg, "svg", NULL);
  int rv = sim_dot_write(&t, st, NULL, svg, err, sizeof err);
  if (rv) fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL(rv, 0);
  size_t len;
  char *text = slurp(svg, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  CU_ASSERT(strncmp(text, "<?xml", 5) == 0 || strncmp(text, "<svg", 4) == 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "</svg>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, ">n14<"));
  free(text);
  CU_ASSERT_EQUAL(sim_dot_write(&t, st, NULL,
                                "/tmp/test_sim_topology_none/x.svg", err,
                                sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  unlink(svg);
  free(st);
  sim_topology_free(&t);
}

void suite_sim_topology(void); /* until suites.h lists it */

void suite_sim_topology(void) {
  CU_pSuite s = CU_add_suite("sim_topology", NULL, NULL);
  ADD_TEST(s, test_sim_topology_add_find_parents);
  ADD_TEST(s, test_sim_topology_find_many);
  ADD_TEST(s, test_sim_topology_tree);
  ADD_TEST(s, test_sim_topology_tree_two_parents);
  ADD_TEST(s, test_sim_topology_linear_cyclic_star);
  ADD_TEST(s, test_sim_topology_random);
  ADD_TEST(s, test_sim_topology_generator_errors);
  ADD_TEST(s, test_sim_topology_grid);
  ADD_TEST(s, test_sim_topology_grid_errors);
  ADD_TEST(s, test_sim_topology_parse_duration);
  ADD_TEST(s, test_sim_topology_parse_rate);
  ADD_TEST(s, test_sim_topology_parse_probability);
  ADD_TEST(s, test_sim_topology_dot_read_attributes);
  ADD_TEST(s, test_sim_topology_dot_read_link_models);
  ADD_TEST(s, test_sim_topology_dot_read_errors);
  ADD_TEST(s, test_sim_topology_dot_read_examples);
  ADD_TEST(s, test_sim_topology_dot_write_round_trip);
  ADD_TEST(s, test_sim_topology_dot_write_svg);
}
