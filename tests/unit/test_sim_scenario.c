/*
 * test_sim_scenario.c — the scenario file parser (sim/scenario.c): a full
 * file into its struct, defaults, the stable time order of events, comments
 * and quoting, topology file paths, every error as "path:line: directive:
 * ...", the timeline checks, expectations and their evaluation, and that
 * the same text always gives the same struct. The shipped examples in
 * scenarios/ are loaded too (tests run from the repository root).
 */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "suites.h"
#include "testutil.h"

#define MIN_NS 60000000000ull
#define S_NS 1000000000ull

static const char *const full_text =
    "# a tree of 15 nodes with a failover\n"
    "name tree-failover                      # optional\n"
    "topology tree fanout=2 depth=3 parents=2\n"
    "seed 42                                 # default 1\n"
    "duration 2h\n"
    "link delay=10ms rate=1Mbit loss=0 mtu=1500\n"
    "set keep-alive-period 30s\n"
    "set compression lz4\n"
    "network n3 1\n"
    "trust n3 0\n"
    "idle from 5m to 65m\n"
    "at 10m kill n3\n"
    "at 12m revive n3\n"
    "at 20m cut n5 n2\n"
    "at 25m restore n5 n2\n"
    "at 30m flow start f1 from n4 to n9 udp size=64 every=1s\n"
    "at 40m flow stop f1\n"
    "at 50m ping all\n"
    "at 55m ping n4 n9\n"
    "at 10m ping all max=2000\n" /* line 20: sorts after the kill */
    "expect idle.leaf_bytes_per_day < 250000\n"
    "expect routing.delivered == routing.pairs\n"
    "expect failover.max_s <= 90\n";

static int parse(sim_scenario *s, const char *text, char *err,
                 size_t errlen) {
  return sim_scenario_parse(s, "scenarios/t.scn", text, strlen(text), err,
                            errlen);
}

/* A minimal valid head (topology on line 1, duration on line 2) and a
 * third line. */
static int parse3(sim_scenario *s, const char *line3, char *err,
                  size_t errlen) {
  char text[512];
  snprintf(text, sizeof text, "topology linear n=10\nduration 1h\n%s\n",
           line3);
  return parse(s, text, err, errlen);
}

static int is_empty(const sim_scenario *s) {
  static const sim_scenario zero;
  return memcmp(s, &zero, sizeof zero) == 0;
}

/* A timeline case: lines after "topology linear n=5\nduration 1h\n", and
 * the message that refuses them (all of it, or its start) as a value
 * error. */
typedef struct bad_case {
  const char *text, *says;
} bad_case;

static void expect_refused(const bad_case *bad, size_t n) {
  for (size_t i = 0; i < n; i++) {
    sim_scenario s;
    char text[512], err[512];
    snprintf(text, sizeof text, "topology linear n=5\nduration 1h\n%s",
             bad[i].text);
    int rv = parse(&s, text, err, sizeof err);
    CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
    CU_ASSERT_TRUE(is_empty(&s));
    CU_ASSERT_EQUAL(strncmp(err, bad[i].says, strlen(bad[i].says)), 0);
    if (strncmp(err, bad[i].says, strlen(bad[i].says)) != 0)
      fprintf(stderr, "\ngot '%s', wanted '%s'\n", err, bad[i].says);
  }
}

/* ---- valid files -------------------------------------------------------- */

static void test_sim_scenario_full(void) {
  sim_scenario s;
  char err[256];
  CU_ASSERT_EQUAL_FATAL(parse(&s, full_text, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(err, "");
  CU_ASSERT_STRING_EQUAL(s.path, "scenarios/t.scn");
  CU_ASSERT_STRING_EQUAL(s.name, "tree-failover");
  CU_ASSERT_EQUAL(s.topo.kind, SIM_TOPO_TREE);
  CU_ASSERT_EQUAL(s.topo.fanout, 2);
  CU_ASSERT_EQUAL(s.topo.depth, 3);
  CU_ASSERT_EQUAL(s.topo.parents, 2);
  CU_ASSERT_EQUAL(s.topo.line, 3);
  CU_ASSERT_PTR_NULL(s.topo.file);
  CU_ASSERT_EQUAL(s.seed, 42);
  CU_ASSERT_EQUAL(s.duration_ns, 120 * MIN_NS);
  CU_ASSERT_EQUAL(s.link.delay_ns, 10000000);
  CU_ASSERT_EQUAL(s.link.rate_bps, 1000000);
  CU_ASSERT_EQUAL(s.link.loss, 0.0);
  CU_ASSERT_EQUAL(s.link.mtu, 1500);
  CU_ASSERT_EQUAL(s.link_has, SIM_LINK_HAS_DELAY | SIM_LINK_HAS_RATE |
                                  SIM_LINK_HAS_LOSS | SIM_LINK_HAS_MTU);
  CU_ASSERT_EQUAL_FATAL(s.nsets, 2);
  CU_ASSERT_STRING_EQUAL(s.sets[0].key, "keep-alive-period");
  CU_ASSERT_STRING_EQUAL(s.sets[0].value, "30s");
  CU_ASSERT_EQUAL(s.sets[0].line, 7);
  CU_ASSERT_STRING_EQUAL(s.sets[1].key, "compression");
  CU_ASSERT_STRING_EQUAL(s.sets[1].value, "lz4");
  CU_ASSERT_EQUAL_FATAL(s.nnodes, 1);
  CU_ASSERT_STRING_EQUAL(s.nodes[0].node, "n3");
  CU_ASSERT_TRUE(s.nodes[0].has_network);
  CU_ASSERT_EQUAL(s.nodes[0].network, 1);
  CU_ASSERT_EQUAL(s.nodes[0].trusts, 1 << 0);
  CU_ASSERT_TRUE(s.has_idle);
  CU_ASSERT_EQUAL(s.idle_from_ns, 5 * MIN_NS);
  CU_ASSERT_EQUAL(s.idle_to_ns, 65 * MIN_NS);

  static const struct {
    uint64_t min;
    sim_event_kind kind;
    unsigned line;
  } want[] = {
      {10, SIM_EV_KILL, 12},      {10, SIM_EV_PING_ALL, 20},
      {12, SIM_EV_REVIVE, 13},    {20, SIM_EV_CUT, 14},
      {25, SIM_EV_RESTORE, 15},   {30, SIM_EV_FLOW_START, 16},
      {40, SIM_EV_FLOW_STOP, 17}, {50, SIM_EV_PING_ALL, 18},
      {55, SIM_EV_PING, 19},
  };
  CU_ASSERT_EQUAL_FATAL(s.nevents, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < s.nevents; i++) {
    CU_ASSERT_EQUAL(s.events[i].time_ns, want[i].min * MIN_NS);
    CU_ASSERT_EQUAL(s.events[i].kind, want[i].kind);
    CU_ASSERT_EQUAL(s.events[i].line, want[i].line);
  }
  CU_ASSERT_STRING_EQUAL(s.events[0].a, "n3");
  CU_ASSERT_EQUAL(s.events[1].ping_max, 2000);
  CU_ASSERT_STRING_EQUAL(s.events[3].a, "n5");
  CU_ASSERT_STRING_EQUAL(s.events[3].b, "n2");
  const sim_event *f = &s.events[5];
  CU_ASSERT_STRING_EQUAL(f->flow, "f1");
  CU_ASSERT_STRING_EQUAL(f->a, "n4");
  CU_ASSERT_STRING_EQUAL(f->b, "n9");
  CU_ASSERT_EQUAL(f->proto, SIM_PROTO_UDP);
  CU_ASSERT_EQUAL(f->size, 64);
  CU_ASSERT_EQUAL(f->every_ns, S_NS);
  CU_ASSERT_STRING_EQUAL(s.events[6].flow, "f1");
  CU_ASSERT_EQUAL(s.events[7].ping_max, 0);
  CU_ASSERT_STRING_EQUAL(s.events[8].b, "n9");

  CU_ASSERT_EQUAL_FATAL(s.nexpects, 3);
  CU_ASSERT_STRING_EQUAL(s.expects[0].metric, "idle.leaf_bytes_per_day");
  CU_ASSERT_EQUAL(s.expects[0].op, SIM_OP_LT);
  CU_ASSERT_PTR_NULL(s.expects[0].rhs_metric);
  CU_ASSERT_EQUAL(s.expects[0].rhs_value, 250000.0);
  CU_ASSERT_EQUAL(s.expects[0].line, 21);
  CU_ASSERT_STRING_EQUAL(s.expects[1].rhs_metric, "routing.pairs");
  CU_ASSERT_EQUAL(s.expects[1].op, SIM_OP_EQ);
  CU_ASSERT_STRING_EQUAL(s.expects[2].text, "failover.max_s <= 90");
  CU_ASSERT_EQUAL(s.nwarnings, 0);
  sim_scenario_free(&s);
  CU_ASSERT_TRUE(is_empty(&s));
}

/* Equal times keep their file order; the sort is by time alone. */
static void test_sim_scenario_sorted_stable(void) {
  sim_scenario s;
  char err[256];
  const char *text = "topology star n=5\n"
                     "duration 30m\n"
                     "at 20m ping all\n"         /* 3 */
                     "at 10m kill n1\n"          /* 4 */
                     "at 20m ping n1 n2\n"       /* 5 */
                     "at 10m ping all max=5\n"   /* 6 */
                     "at 0 ping n2 n3\n"         /* 7 */
                     "at 20m revive n1\n"        /* 8 */
                     "at 600s ping n3 n4\n";     /* 9: 10m again */
  static const unsigned order[] = {7, 4, 6, 9, 3, 5, 8};
  CU_ASSERT_EQUAL_FATAL(parse(&s, text, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(s.nevents, 7);
  for (size_t i = 0; i < 7; i++) {
    CU_ASSERT_EQUAL(s.events[i].line, order[i]);
    if (i) CU_ASSERT_TRUE(s.events[i - 1].time_ns <= s.events[i].time_ns);
  }
  sim_scenario_free(&s);
}

static void test_sim_scenario_defaults(void) {
  sim_scenario s;
  char err[256];
  const char *text = "topology random n=20\nduration 10m\n"
                     "at 1m flow start web from n1 to n2 tcp\n";
  CU_ASSERT_EQUAL_FATAL(sim_scenario_parse(&s, "dir/sub/my-test.scn", text,
                                           strlen(text), err, sizeof err),
                        0);
  CU_ASSERT_STRING_EQUAL(s.name, "my-test");
  CU_ASSERT_EQUAL(s.seed, 1);
  CU_ASSERT_EQUAL(s.topo.kind, SIM_TOPO_RANDOM);
  CU_ASSERT_EQUAL(s.topo.parents, 1);
  CU_ASSERT_FALSE(s.topo.has_seed);
  CU_ASSERT_EQUAL(s.topo.seed, 1); /* the scenario's */
  CU_ASSERT_EQUAL(s.link_has, 0);
  CU_ASSERT_EQUAL(s.nsets, 0);
  CU_ASSERT_EQUAL(s.nnodes, 0);
  CU_ASSERT_FALSE(s.has_idle);
  CU_ASSERT_EQUAL(s.nexpects, 0);
  CU_ASSERT_EQUAL_FATAL(s.nevents, 1);
  CU_ASSERT_EQUAL(s.events[0].proto, SIM_PROTO_TCP);
  CU_ASSERT_EQUAL(s.events[0].size, SIM_FLOW_SIZE_DEFAULT);
  CU_ASSERT_EQUAL(s.events[0].every_ns, SIM_FLOW_EVERY_DEFAULT_NS);
  sim_scenario_free(&s);

  /* no path: a name all the same */
  text = "topology linear n=2\nduration 1s\n";
  CU_ASSERT_EQUAL_FATAL(
      sim_scenario_parse(&s, NULL, text, strlen(text), err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(s.name, "scenario");
  sim_scenario_free(&s);
}

static void test_sim_scenario_topology_kinds(void) {
  static const struct {
    const char *line;
    sim_topo_kind kind;
    unsigned n, fanout, depth, parents;
    int has_seed;
    uint64_t seed;
  } cases[] = {
      {"topology tree fanout=3 depth=0", SIM_TOPO_TREE, 0, 3, 0, 1, 0, 0},
      {"topology linear n=6", SIM_TOPO_LINEAR, 6, 0, 0, 0, 0, 0},
      {"topology cyclic n=4", SIM_TOPO_CYCLIC, 4, 0, 0, 0, 0, 0},
      {"topology star n=100", SIM_TOPO_STAR, 100, 0, 0, 0, 0, 0},
      {"topology random seed=3 parents=2 n=50", SIM_TOPO_RANDOM, 50, 0, 0,
       2, 1, 3},
      {"topology random n=7 seed=18446744073709551615", SIM_TOPO_RANDOM, 7,
       0, 0, 1, 1, UINT64_MAX},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char text[256], err[256];
    snprintf(text, sizeof text, "seed 9\nduration 1m\n%s\n", cases[i].line);
    int rv = parse(&s, text, err, sizeof err);
    CU_ASSERT_EQUAL(rv, 0);
    if (rv) {
      fprintf(stderr, "%s: %s\n", cases[i].line, err);
      continue;
    }
    CU_ASSERT_EQUAL(s.topo.kind, cases[i].kind);
    CU_ASSERT_EQUAL(s.topo.line, 3);
    CU_ASSERT_EQUAL(s.topo.n, cases[i].n);
    CU_ASSERT_EQUAL(s.topo.fanout, cases[i].fanout);
    CU_ASSERT_EQUAL(s.topo.depth, cases[i].depth);
    CU_ASSERT_EQUAL(s.topo.parents, cases[i].parents);
    CU_ASSERT_EQUAL(s.topo.has_seed, cases[i].has_seed);
    CU_ASSERT_EQUAL(s.topo.seed, cases[i].has_seed ? cases[i].seed : 0);
    sim_scenario_free(&s);
  }
}

static void test_sim_scenario_topology_file(void) {
  static const struct {
    const char *scenario, *file, *path;
  } cases[] = {
      {"scenarios/x.scn", "../topologies/t.dot", "scenarios/../topologies/t.dot"},
      {"/abs/dir/x.scn", "t.dot", "/abs/dir/t.dot"},
      {"x.scn", "t.dot", "t.dot"},
      {"scenarios/x.scn", "/etc/mcc/t.dot", "/etc/mcc/t.dot"},
      {"/x.scn", "sub/t.dot", "/sub/t.dot"},
      {"a/b/x.scn", "\"my #1.dot\"", "a/b/my #1.dot"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char text[256], err[256];
    snprintf(text, sizeof text, "topology file %s\nduration 1m\n",
             cases[i].file);
    CU_ASSERT_EQUAL_FATAL(sim_scenario_parse(&s, cases[i].scenario, text,
                                             strlen(text), err, sizeof err),
                          0);
    CU_ASSERT_EQUAL(s.topo.kind, SIM_TOPO_FILE);
    CU_ASSERT_STRING_EQUAL(s.topo.path, cases[i].path);
    CU_ASSERT_STRING_EQUAL(s.name, "x");
    sim_scenario_free(&s);
  }
}

/* The grid generator's line: w, h, parents (default 1), spacing in
 * metres (default 40). */
static void test_sim_scenario_topology_grid(void) {
  static const struct {
    const char *line;
    unsigned w, h, parents;
    double spacing;
  } cases[] = {
      {"topology grid w=7 h=7 parents=2 spacing=40", 7, 7, 2, 40},
      {"topology grid w=3 h=5", 3, 5, 1, 40},
      {"topology grid spacing=12.5 h=1 w=9 parents=1", 9, 1, 1, 12.5},
      {"topology grid w=1 h=1 spacing=1e6", 1, 1, 1, 1e6},
      {"topology grid w=2 h=4 spacing=0.5", 2, 4, 1, 0.5},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char text[256], err[256];
    snprintf(text, sizeof text, "duration 1m\n%s\n", cases[i].line);
    int rv = parse(&s, text, err, sizeof err);
    CU_ASSERT_EQUAL(rv, 0);
    if (rv) {
      fprintf(stderr, "%s: %s\n", cases[i].line, err);
      continue;
    }
    CU_ASSERT_EQUAL(s.topo.kind, SIM_TOPO_GRID);
    CU_ASSERT_EQUAL(s.topo.line, 2);
    CU_ASSERT_EQUAL(s.topo.w, cases[i].w);
    CU_ASSERT_EQUAL(s.topo.h, cases[i].h);
    CU_ASSERT_EQUAL(s.topo.parents, cases[i].parents);
    CU_ASSERT_EQUAL(s.topo.spacing, cases[i].spacing);
    CU_ASSERT_EQUAL(s.topo.n, 0);
    sim_scenario_free(&s);
  }
}

/* link model= and queue=: the values, their has bits and the line each
 * was given on (the native engine's refusal names it). */
static void test_sim_scenario_link_models(void) {
  sim_scenario s;
  char err[256];
  CU_ASSERT_EQUAL_FATAL(parse3(&s, "link model=wifi queue=50", err,
                               sizeof err),
                        0);
  CU_ASSERT_EQUAL(s.link.model, SIM_MODEL_WIFI);
  CU_ASSERT_EQUAL(s.link.queue, 50);
  CU_ASSERT_EQUAL(s.link_has, SIM_LINK_HAS_MODEL | SIM_LINK_HAS_QUEUE);
  CU_ASSERT_EQUAL(s.link_model_line, 3);
  CU_ASSERT_EQUAL(s.link_queue_line, 3);
  sim_scenario_free(&s);

  /* on separate lines, with the older parameters */
  const char *text = "topology grid w=3 h=3\nduration 1h\n"
                     "link delay=2ms queue=1000000\n"
                     "# a comment\n"
                     "link model=csma mtu=1280\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, text, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.link.model, SIM_MODEL_CSMA);
  CU_ASSERT_EQUAL(s.link.queue, 1000000);
  CU_ASSERT_EQUAL(s.link.mtu, 1280);
  CU_ASSERT_EQUAL(s.link.delay_ns, 2000000);
  CU_ASSERT_EQUAL(s.link_has, SIM_LINK_HAS_DELAY | SIM_LINK_HAS_QUEUE |
                                  SIM_LINK_HAS_MODEL | SIM_LINK_HAS_MTU);
  CU_ASSERT_EQUAL(s.link_queue_line, 3);
  CU_ASSERT_EQUAL(s.link_model_line, 5);
  sim_scenario_free(&s);

  /* model=p2p is given (has the bit) though it is the default */
  CU_ASSERT_EQUAL_FATAL(parse3(&s, "link model=p2p", err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.link.model, SIM_MODEL_P2P);
  CU_ASSERT_EQUAL(s.link_has, SIM_LINK_HAS_MODEL);
  CU_ASSERT_EQUAL(s.link_queue_line, 0);
  sim_scenario_free(&s);

  /* none given: none set */
  CU_ASSERT_EQUAL_FATAL(parse3(&s, "link delay=1ms", err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.link_has, SIM_LINK_HAS_DELAY);
  CU_ASSERT_EQUAL(s.link_model_line, 0);
  CU_ASSERT_EQUAL(s.link.queue, 0);
  sim_scenario_free(&s);

  /* a parameter twice, on two lines: the second line, naming the first */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology linear n=3\nduration 1h\nlink model=wifi\n"
                        "link model=csma\n",
                        err, sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(
      err, "scenarios/t.scn:4: link: model= already set on line 3");
  CU_ASSERT_TRUE(is_empty(&s));
  CU_ASSERT_EQUAL(parse(&s,
                        "topology linear n=3\nduration 1h\nlink queue=5\n"
                        "link delay=1ms\nlink queue=5\n",
                        err, sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(
      err, "scenarios/t.scn:5: link: queue= already set on line 3");
  CU_ASSERT_TRUE(is_empty(&s));
}

static void test_sim_scenario_move(void) {
  sim_scenario s;
  char err[256];
  const char *text = "topology grid w=7 h=7 parents=2\nduration 1h\n"
                     "at 20m move n24 x=2000 y=2000\n"
                     "at 5m move n3 x=10 y=-2.5\n"
                     "at 30m move n3 x=+1e3 y=.5\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, text, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(s.nevents, 3);
  const sim_event *ev = &s.events[0];
  CU_ASSERT_EQUAL(ev->kind, SIM_EV_MOVE);
  CU_ASSERT_EQUAL(ev->time_ns, 5 * MIN_NS);
  CU_ASSERT_EQUAL(ev->line, 4);
  CU_ASSERT_STRING_EQUAL(ev->a, "n3");
  CU_ASSERT_PTR_NULL(ev->b);
  CU_ASSERT_EQUAL(ev->x, 10);
  CU_ASSERT_EQUAL(ev->y, -2.5);
  ev = &s.events[1];
  CU_ASSERT_EQUAL(ev->kind, SIM_EV_MOVE);
  CU_ASSERT_STRING_EQUAL(ev->a, "n24");
  CU_ASSERT_EQUAL(ev->x, 2000);
  CU_ASSERT_EQUAL(ev->y, 2000);
  CU_ASSERT_EQUAL(ev->line, 3);
  ev = &s.events[2];
  CU_ASSERT_EQUAL(ev->x, 1000);
  CU_ASSERT_EQUAL(ev->y, 0.5);
  CU_ASSERT_STRING_EQUAL(sim_event_kind_name(ev->kind), "move");
  sim_scenario_free(&s);

  /* y= before x= is the same */
  CU_ASSERT_EQUAL_FATAL(parse3(&s, "at 1m move n1 y=7 x=-1e9", err,
                               sizeof err),
                        0);
  CU_ASSERT_EQUAL(s.events[0].x, -1e9);
  CU_ASSERT_EQUAL(s.events[0].y, 7);
  sim_scenario_free(&s);
}

/* Comments anywhere, blank and white lines, tabs, CRLF, a BOM, quotes. */
static void test_sim_scenario_comments_blank(void) {
  sim_scenario s;
  char err[256];
  const char *ok = "\xef\xbb\xbf# header\r\n"
                   "\r\n"
                   "   \t  \n"
                   "\ttopology\tfile \"dir with space/a#b.dot\"# c\n"
                   "duration 1h#no space before the comment\r\n"
                   "   # indented comment\n"
                   "name \"quoted\"name\n"
                   "set tags \"x \\\"y\\\" # z\", w   # a list\n"
                   "set dns-names \"\"\n"
                   "at 5m ping n1 n2 # \"unbalanced quote in a comment\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, ok, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(s.topo.file, "dir with space/a#b.dot");
  CU_ASSERT_STRING_EQUAL(s.topo.path, "scenarios/dir with space/a#b.dot");
  CU_ASSERT_EQUAL(s.topo.line, 4);
  CU_ASSERT_EQUAL(s.duration_ns, 60 * MIN_NS);
  CU_ASSERT_STRING_EQUAL(s.name, "quotedname");
  CU_ASSERT_EQUAL_FATAL(s.nsets, 2);
  CU_ASSERT_STRING_EQUAL(s.sets[0].value, "x \"y\" # z, w");
  CU_ASSERT_STRING_EQUAL(s.sets[1].value, "");
  CU_ASSERT_EQUAL_FATAL(s.nevents, 1);
  CU_ASSERT_EQUAL(s.events[0].line, 10);
  sim_scenario_free(&s);

  /* a text of comments alone has no topology */
  const char *only = "# one\n\n# two\n";
  CU_ASSERT_EQUAL(parse(&s, only, err, sizeof err), MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err,
                         "scenarios/t.scn:3: missing topology (expected a "
                         "line such as 'topology tree fanout=2 depth=3' or "
                         "'topology file net.dot')");
}

/* ---- errors ------------------------------------------------------------- */

/* The two messages the format's documentation quotes, word for word. */
static void test_sim_scenario_error_messages(void) {
  sim_scenario s;
  char err[256];
  CU_ASSERT_EQUAL(parse(&s, "# x\n\ntopolgy tree fanout=2 depth=3\n", err,
                        sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err,
                         "scenarios/t.scn:3: unknown directive 'topolgy' "
                         "(expected name, topology, seed, duration, link, "
                         "set, network, trust, tunnels, tunnel, names, "
                         "backend, idle, at, expect)");
  CU_ASSERT_TRUE(is_empty(&s));
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\n\n\n\n\n\nduration 5 minutes\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(err,
                         "scenarios/t.scn:7: duration: expected a duration "
                         "such as 30s, 10m or 2h, got '5 minutes'");
  CU_ASSERT_TRUE(is_empty(&s));
}

/* Each bad third line: the code, "scenarios/t.scn:3: " and the words that
 * name the directive and what was wrong. */
static void test_sim_scenario_errors(void) {
  static const struct {
    const char *line;
    int code;
    const char *says;
  } cases[] = {
      {"topology star n=4", MCC_ERR_SYNTAX, "topology: given twice (first on line 1)"},
      {"duration 2h", MCC_ERR_SYNTAX, "duration: given twice"},
      {"seed x", MCC_ERR_VALUE, "seed: expected an integer"},
      {"seed 1 2", MCC_ERR_VALUE, "got '1 2'"},
      {"name a b", MCC_ERR_VALUE, "name: expected one name"},
      {"name ../up", MCC_ERR_VALUE, "name: "},
      {"link", MCC_ERR_SYNTAX, "link: expected one or more of"},
      {"link dealy=10ms", MCC_ERR_SYNTAX, "link: unknown parameter 'dealy' (expected delay, rate, loss, mtu, queue, model)"},
      {"link delay", MCC_ERR_SYNTAX, "link: expected a parameter such as delay=10ms, got 'delay'"},
      {"link delay=1ms delay=2ms", MCC_ERR_SYNTAX, "link: delay= given twice"},
      {"link delay=10", MCC_ERR_VALUE, "link: delay: expected a duration"},
      {"link rate=fast", MCC_ERR_VALUE, "link: rate: expected a rate"},
      {"link loss=1.5", MCC_ERR_VALUE, "link: loss: expected a probability"},
      {"link mtu=100", MCC_ERR_VALUE, "link: mtu: expected an integer in range 576-65535, got '100'"},
      {"link model=radio", MCC_ERR_VALUE, "link: model: expected p2p, csma or wifi, got 'radio'"},
      {"link model=", MCC_ERR_VALUE, "link: model: expected p2p, csma or wifi, got ''"},
      {"link model=wifi model=csma", MCC_ERR_SYNTAX, "link: model= given twice"},
      {"link queue=0", MCC_ERR_VALUE, "link: queue: expected a number of packets in range 1-1000000, got '0'"},
      {"link queue=x", MCC_ERR_VALUE, "link: queue: expected a number of packets in range 1-1000000, got 'x'"},
      {"link queue=1000001", MCC_ERR_VALUE, "link: queue: expected a number of packets in range 1-1000000, got '1000001'"},
      {"link queue=-5 model=wifi", MCC_ERR_VALUE, "link: queue: expected a number of packets in range 1-1000000, got '-5'"},
      {"set", MCC_ERR_SYNTAX, "set: expected 'set KEY VALUE'"},
      {"set keep_alive_period 30s", MCC_ERR_SYNTAX, "set: unknown mcc.conf key 'keep_alive_period' (did you mean 'keep-alive-period'?)"},
      {"set no-such-thing-at-all 1", MCC_ERR_SYNTAX, "set: unknown mcc.conf key 'no-such-thing-at-all'"},
      {"set keep-alive-period", MCC_ERR_SYNTAX, "set: keep-alive-period: missing value"},
      {"set keep-alive-period 30", MCC_ERR_VALUE, "set: keep-alive-period: expected a duration"},
      {"set compression zstd", MCC_ERR_VALUE, "set: compression: expected one of none, lz4, got 'zstd'"},
      {"network n3", MCC_ERR_SYNTAX, "network: expected 'network NODE NET'"},
      {"network n3 8", MCC_ERR_VALUE, "network: expected a network number 0-7, got '8'"},
      {"network n/3 1", MCC_ERR_VALUE, "network: expected a node name"},
      {"trust n3", MCC_ERR_SYNTAX, "trust: expected 'trust NODE NET...'"},
      {"trust n3 0 x", MCC_ERR_VALUE, "trust: expected a network number 0-7, got 'x'"},
      {"idle 5m 6m", MCC_ERR_SYNTAX, "idle: expected 'idle from TIME to TIME'"},
      {"idle from 6m to 5m", MCC_ERR_VALUE, "idle: the window must end after it begins"},
      {"idle from soon to 5m", MCC_ERR_VALUE, "idle: from: expected a time"},
      {"idle from 5m to 61m", MCC_ERR_VALUE, "idle: 61m is after the end of the run (duration 1h, line 2)"},
      {"at", MCC_ERR_SYNTAX, "at: expected 'at TIME EVENT'"},
      {"at 10 kill n3", MCC_ERR_VALUE, "at: expected a time such as 30s, 10m or 2h, got '10'"},
      {"at 10m kil n3", MCC_ERR_SYNTAX, "at: unknown event 'kil' (expected kill, revive, restart, cut, restore, flow start, flow stop, ping, tunnel add, tunnel revoke, resolve or move)"},
      {"at 10m resolve n4", MCC_ERR_SYNTAX, "resolve: expected 'at TIME resolve NODE NODE' or 'at TIME resolve leaves'"},
      {"at 10m resolve n4 n4", MCC_ERR_VALUE, "resolve: expected two different nodes"},
      {"at 10m resolve n4 n:5", MCC_ERR_VALUE, "resolve: "},
      {"at 5m move n3 x=10", MCC_ERR_SYNTAX, "move: expected 'at TIME move NODE x=X y=Y', got 'at 5m move n3 x=10'"},
      {"at 5m move n3", MCC_ERR_SYNTAX, "move: expected 'at TIME move NODE x=X y=Y'"},
      {"at 5m move x=1 y=2", MCC_ERR_SYNTAX, "move: expected 'at TIME move NODE x=X y=Y'"},
      {"at 5m move n3 x=1 y=2 z=3", MCC_ERR_SYNTAX, "move: expected 'at TIME move NODE x=X y=Y'"},
      {"at 5m move n3 x=10 z=1", MCC_ERR_SYNTAX, "move: unknown parameter 'z' (expected x, y)"},
      {"at 5m move n3 x=10 x=11", MCC_ERR_SYNTAX, "move: x= given twice"},
      {"at 5m move n3 x=10 10", MCC_ERR_SYNTAX, "move: expected a parameter such as x=120, got '10'"},
      {"at 5m move n3 x=10 y=ten", MCC_ERR_VALUE, "move: y: expected metres such as y=120 or y=-7.5 (both x= and y=), got 'ten'"},
      {"at 5m move n3 x=far y=1", MCC_ERR_VALUE, "move: x: expected metres such as x=120 or x=-7.5 (both x= and y=), got 'far'"},
      {"at 5m move n3 x= y=1", MCC_ERR_VALUE, "move: x: expected metres such as x=120 or x=-7.5 (both x= and y=), got ''"},
      {"at 5m move n3 x=1 y=2e9", MCC_ERR_VALUE, "move: y: expected metres"},
      {"at 5m move n3 x=1e999 y=2", MCC_ERR_VALUE, "move: x: expected metres"},
      {"at 5m move n$3 x=1 y=2", MCC_ERR_VALUE, "move: expected a node name"},
      {"at 61m move n3 x=1 y=2", MCC_ERR_VALUE, "at: 61m is after the end of the run (duration 1h, line 2)"},
      {"names off", MCC_ERR_VALUE, "names: expected 'names on', got 'off'"},
      {"names", MCC_ERR_VALUE, "names: expected 'names on', got ''"},
      {"backend ns-3", MCC_ERR_VALUE, "backend: expected 'backend native' or 'backend ns3', got 'ns-3'"},
      {"at 10m kill", MCC_ERR_SYNTAX, "kill: expected 'at TIME kill NODE', got 'at 10m kill'"},
      {"at 10m kill n3 n4", MCC_ERR_SYNTAX, "kill: expected 'at TIME kill NODE'"},
      {"at 10m kill n$3", MCC_ERR_VALUE, "kill: expected a node name (letters, digits, '_', '.', '-') such as n3, got 'n$3'"},
      {"at 10m revive n3", MCC_ERR_VALUE, "revive: n3 is not dead at 10m (no kill before it)"},
      {"at 10m cut n3", MCC_ERR_SYNTAX, "cut: expected 'at TIME cut NODE NODE'"},
      {"at 10m cut n3 n3", MCC_ERR_VALUE, "cut: expected the two ends of a link"},
      {"at 10m restore n3 n2", MCC_ERR_VALUE, "restore: the link between n3 and n2 is not cut at 10m"},
      {"at 10m flow", MCC_ERR_SYNTAX, "flow: expected 'flow start' or 'flow stop'"},
      {"at 10m flow start f1 from n1 n2 udp", MCC_ERR_SYNTAX, "flow start: expected 'at TIME flow start NAME from NODE|tunnel:NAME to NODE|tunnel:NAME udp|tcp|icmp [size=BYTES] [every=TIME] [port=PORT]'"},
      {"at 10m flow start f1 from n1 to n2 sctp", MCC_ERR_VALUE, "flow start: expected a protocol udp, tcp or icmp, got 'sctp'"},
      {"at 10m flow start f1 from n1 to n1 udp", MCC_ERR_VALUE, "flow start: expected two different nodes"},
      {"at 10m flow start f1 from n1 to n2 udp size=1201", MCC_ERR_VALUE, "flow start: size: expected payload bytes in range 0-1200, got '1201'"},
      {"at 10m flow start f1 from n1 to n2 udp every=0", MCC_ERR_VALUE, "flow start: every: expected an interval above 0"},
      {"at 10m flow start f1 from n1 to n2 udp rate=1", MCC_ERR_SYNTAX, "flow start: unknown parameter 'rate' (expected size, every, port)"},
      {"at 10m flow stop f1", MCC_ERR_VALUE, "flow stop: no flow named 'f1' is started before 10m"},
      {"at 10m flow stop f1 f2", MCC_ERR_SYNTAX, "flow stop: expected 'at TIME flow stop NAME'"},
      {"at 10m ping n4", MCC_ERR_SYNTAX, "ping: expected 'at TIME ping all [max=PAIRS]' or 'at TIME ping NODE NODE'"},
      {"at 10m ping n4 n4", MCC_ERR_VALUE, "ping: expected two different nodes"},
      {"at 10m ping all max=0", MCC_ERR_VALUE, "ping all: max: expected a number of pairs of at least 1"},
      {"at 10m ping all n3", MCC_ERR_SYNTAX, "ping all: expected a parameter such as max=2000, got 'n3'"},
      {"at 61m ping all", MCC_ERR_VALUE, "at: 61m is after the end of the run (duration 1h, line 2)"},
      {"expect routing.loops", MCC_ERR_SYNTAX, "expect: expected 'expect METRIC OP VALUE'"},
      {"expect routing.loops==0", MCC_ERR_SYNTAX, "with spaces around the operator"},
      {"expect Routing.loops == 0", MCC_ERR_VALUE, "expect: expected a metric name"},
      {"expect routing. == 0", MCC_ERR_VALUE, "expect: expected a metric name"},
      {"expect routing.loops = 0", MCC_ERR_VALUE, "expect: expected an operator < <= > >= == or !=, got '='"},
      {"expect routing.loops == 1e999", MCC_ERR_VALUE, "expect: expected a number within the range of a double"},
      {"expect routing.loops == -x", MCC_ERR_VALUE, "expect: expected a number or a metric name after '==', got '-x'"},
      {"at 10m ping \"n4", MCC_ERR_SYNTAX, "unterminated quoted string (the '\"' at column 13"},
      {"at 10m ping n4\rn5", MCC_ERR_SYNTAX, "stray carriage return at column 15"},
      {"at 10m ping n4\x01n5", MCC_ERR_SYNTAX, "control character 0x01 at column 15"},
      {"topology", MCC_ERR_SYNTAX, "topology: given twice"},
      {"at 10m restart", MCC_ERR_SYNTAX, "at TIME restart NODE"},
      {"tunnels", MCC_ERR_VALUE, "tunnels: expected 'tunnels only' or 'tunnels allow-nodes', got ''"},
      {"tunnels some", MCC_ERR_VALUE, "tunnels: expected 'tunnels only' or 'tunnels allow-nodes', got 'some'"},
      {"tunnels only please", MCC_ERR_VALUE, "got 'only please'"},
      {"tunnel cam client n1 server n2", MCC_ERR_SYNTAX, "tunnel: expected 'tunnel NAME client NODE server NODE targets TARGETS' such as 'tunnel cam client n4 server n9 targets tcp:80,udp:7000-7010', got 'tunnel cam client n1 server n2'"},
      {"tunnel cam server n2 client n1 targets tcp:80", MCC_ERR_SYNTAX, "tunnel: expected 'tunnel NAME client NODE"},
      {"tunnel c/m client n1 server n2 targets tcp:80", MCC_ERR_VALUE, "tunnel: expected a tunnel name (letters, digits, '_', '.', '-') such as cam, got 'c/m'"},
      {"tunnel cam client n$1 server n2 targets tcp:80", MCC_ERR_VALUE, "tunnel: client: expected a node name"},
      {"tunnel cam client n1 server n1 targets tcp:80", MCC_ERR_VALUE, "tunnel: expected two different nodes, got 'client n1 server n1'"},
      {"tunnel cam client n1 server n2 targets tcp:0", MCC_ERR_VALUE, "tunnel: targets: item 1 'tcp:0': port 0 is out of range 1-65535"},
      {"tunnel cam client n1 server n2 targets tcp:80,sctp:9", MCC_ERR_VALUE, "tunnel: targets: item 2 'sctp:9': unknown protocol 'sctp' (tcp or udp)"},
      {"tunnel cam client n1 server n2 targets tcp:90-80", MCC_ERR_VALUE, "tunnel: targets: item 1 'tcp:90-80': range 90-80 has its low end above its high end"},
      {"tunnel cam client n1 server n2 targets \"\"", MCC_ERR_VALUE, "tunnel: targets: no targets"},
      {"at 10m tunnel", MCC_ERR_SYNTAX, "tunnel: expected 'tunnel add' or 'tunnel revoke', got 'tunnel '"},
      {"at 10m tunnel drop cam", MCC_ERR_SYNTAX, "tunnel: expected 'tunnel add' or 'tunnel revoke', got 'tunnel drop'"},
      {"at 10m tunnel add", MCC_ERR_SYNTAX, "tunnel add: expected 'at TIME tunnel add NAME', got 'at 10m tunnel add'"},
      {"at 10m tunnel add cam server", MCC_ERR_SYNTAX, "tunnel add: expected 'at TIME tunnel add NAME'"},
      {"at 10m tunnel revoke", MCC_ERR_SYNTAX, "tunnel revoke: expected 'at TIME tunnel revoke NAME [client|server]'"},
      {"at 10m tunnel revoke cam both", MCC_ERR_VALUE, "tunnel revoke: expected the end client or server (none: both ends), got 'both'"},
      {"at 10m tunnel revoke c:m", MCC_ERR_VALUE, "tunnel revoke: expected a tunnel name (letters, digits, '_', '.', '-') such as cam, got 'c:m'"},
      {"at 10m tunnel revoke cam", MCC_ERR_VALUE, "tunnel revoke: no tunnel named 'cam' (declare it with a line such as 'tunnel cam client n1 server n2 targets tcp:80')"},
      {"at 10m tunnel add cam", MCC_ERR_VALUE, "tunnel add: no tunnel named 'cam'"},
      {"at 10m flow start f from n1 to tunnel:cam tcp port=80", MCC_ERR_VALUE, "flow start: no tunnel named 'cam'"},
      {"at 10m flow start f from tunnel:a to tunnel:b tcp port=80", MCC_ERR_VALUE, "flow start: expected at most one end to be a tunnel, got 'from tunnel:a to tunnel:b'"},
      {"at 10m flow start f from n1 to tunnel: tcp", MCC_ERR_VALUE, "flow start: to: expected tunnel:NAME with a tunnel's name such as tunnel:cam, got 'tunnel:'"},
      {"at 10m flow start f from tunnel:c/m to n1 tcp", MCC_ERR_VALUE, "flow start: from: expected tunnel:NAME with a tunnel's name such as tunnel:cam, got 'tunnel:c/m'"},
      {"at 10m flow start f from n1 to tunnel:cam udp", MCC_ERR_VALUE, "flow start: a udp flow to a tunnel needs port= (the server's port, such as port=80)"},
      {"at 10m flow start f from tunnel:cam to n1 tcp size=9", MCC_ERR_VALUE, "flow start: a tcp flow from a tunnel needs port="},
      {"at 10m flow start f from n1 to n2 icmp port=5", MCC_ERR_VALUE, "flow start: port= is for udp and tcp flows, not icmp"},
      {"at 10m flow start f from n1 to n2 udp port=0", MCC_ERR_VALUE, "flow start: port: expected a port in range 1-65535, got '0'"},
      {"at 10m flow start f from n1 to n2 udp port=65536", MCC_ERR_VALUE, "flow start: port: expected a port in range 1-65535, got '65536'"},
      {"at 10m flow start f from n1 to n2 udp port=80 port=81", MCC_ERR_SYNTAX, "flow start: port= given twice"},
      {"at 10m restart n3 n4", MCC_ERR_SYNTAX, "at TIME restart NODE"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char err[512];
    int rv = parse3(&s, cases[i].line, err, sizeof err);
    int ok = rv == cases[i].code &&
             strncmp(err, "scenarios/t.scn:3: ", 19) == 0 &&
             strstr(err, cases[i].says) != NULL && is_empty(&s);
    CU_ASSERT_TRUE(ok);
    if (!ok)
      fprintf(stderr, "\n'%s': %d '%s', wanted %d '%s'\n", cases[i].line, rv,
              err, cases[i].code, cases[i].says);
  }
}

/* Errors in the topology line itself (line 1), which parse3 cannot show. */
static void test_sim_scenario_topology_errors(void) {
  static const struct {
    const char *line;
    int code;
    const char *says;
  } cases[] = {
      {"topology", MCC_ERR_SYNTAX, "topology: expected 'topology KIND [PARAMETERS]'"},
      {"topology tre fanout=2", MCC_ERR_SYNTAX, "topology: unknown kind 'tre' (expected tree, linear, cyclic, star, random, grid or file)"},
      {"topology tree fanout=2", MCC_ERR_SYNTAX, "topology tree: missing depth= (such as 'topology tree fanout=2 depth=3 parents=2')"},
      {"topology tree fanout=0 depth=2", MCC_ERR_VALUE, "topology tree: fanout: expected an integer in range 1-4294967295, got '0'"},
      {"topology tree fanout=2 depth=2 parents=3", MCC_ERR_VALUE, "topology tree: parents: expected an integer in range 1-2, got '3'"},
      {"topology tree fanout=2 depth=2 n=3", MCC_ERR_SYNTAX, "topology tree: unknown parameter 'n' (expected fanout, depth, parents)"},
      {"topology cyclic n=2", MCC_ERR_VALUE, "topology cyclic: n: expected an integer in range 3-4294967295, got '2'"},
      {"topology linear n=4294967296", MCC_ERR_VALUE, "topology linear: n: expected an integer"},
      {"topology linear", MCC_ERR_SYNTAX, "topology linear: missing n="},
      {"topology random n=5 seed=-1", MCC_ERR_VALUE, "topology random: seed: expected an integer in range 0-18446744073709551615"},
      {"topology grid w=7", MCC_ERR_SYNTAX, "topology grid: missing h= (such as 'topology grid w=7 h=7 parents=2 spacing=40')"},
      {"topology grid h=7", MCC_ERR_SYNTAX, "topology grid: missing w="},
      {"topology grid w=0 h=3", MCC_ERR_VALUE, "topology grid: w: expected an integer in range 1-4294967295, got '0'"},
      {"topology grid w=3 h=0", MCC_ERR_VALUE, "topology grid: h: expected an integer in range 1-4294967295, got '0'"},
      {"topology grid w=3 h=3 parents=3", MCC_ERR_VALUE, "topology grid: parents: expected an integer in range 1-2, got '3'"},
      {"topology grid w=3 h=3 spacing=0", MCC_ERR_VALUE, "topology grid: spacing: expected metres, more than 0 and at most 1000000, such as 40 or 12.5, got '0'"},
      {"topology grid w=3 h=3 spacing=-40", MCC_ERR_VALUE, "topology grid: spacing: expected metres, more than 0 and at most 1000000, such as 40 or 12.5, got '-40'"},
      {"topology grid w=3 h=3 spacing=far", MCC_ERR_VALUE, "topology grid: spacing: expected metres, more than 0 and at most 1000000, such as 40 or 12.5, got 'far'"},
      {"topology grid w=3 h=3 spacing=1000001", MCC_ERR_VALUE, "topology grid: spacing: expected metres"},
      {"topology grid w=3 h=3 spacing=40m", MCC_ERR_VALUE, "topology grid: spacing: expected metres"},
      {"topology grid w=3 h=3 n=9", MCC_ERR_SYNTAX, "topology grid: unknown parameter 'n' (expected w, h, parents, spacing)"},
      {"topology grid w=3 h=3 spacing=4 spacing=5", MCC_ERR_SYNTAX, "topology grid: spacing= given twice"},
      {"topology file", MCC_ERR_SYNTAX, "topology file: expected 'topology file PATH' (quote a path with spaces), got 'topology file'"},
      {"topology file a b.dot", MCC_ERR_SYNTAX, "topology file: expected 'topology file PATH'"},
      {"topology file \"\"", MCC_ERR_SYNTAX, "topology file: expected 'topology file PATH'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char text[256], err[512];
    snprintf(text, sizeof text, "%s\nduration 1h\n", cases[i].line);
    int rv = parse(&s, text, err, sizeof err);
    int ok = rv == cases[i].code &&
             strncmp(err, "scenarios/t.scn:1: ", 19) == 0 &&
             strstr(err, cases[i].says) != NULL && is_empty(&s);
    CU_ASSERT_TRUE(ok);
    if (!ok)
      fprintf(stderr, "\n'%s': %d '%s', wanted %d '%s'\n", cases[i].line, rv,
              err, cases[i].code, cases[i].says);
  }
}

static void test_sim_scenario_missing(void) {
  sim_scenario s;
  char err[256];
  CU_ASSERT_EQUAL(parse(&s, "topology star n=3\nseed 4\n", err, sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err, "scenarios/t.scn:2: missing duration (expected "
                              "a line such as 'duration 1h')");
  CU_ASSERT_EQUAL(parse(&s, "duration 1h", err, sizeof err), MCC_ERR_SYNTAX);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "scenarios/t.scn:1: missing topology"));
  CU_ASSERT_EQUAL(parse(&s, "", err, sizeof err), MCC_ERR_SYNTAX);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "scenarios/t.scn:1: missing topology"));
  CU_ASSERT_EQUAL(parse(&s, "topology star n=3\nduration 0\n", err,
                        sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(
      err, "scenarios/t.scn:2: duration: must be more than 0, got '0'");
}

/* Events and the idle window must end by the duration, wherever the
 * duration line stands; the first offending line is the one reported. */
static void test_sim_scenario_after_duration(void) {
  sim_scenario s;
  char err[256];
  /* at the very end is fine */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nat 1h ping all\nidle from 0 "
                        "to 3600s\nduration 60m\n",
                        err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(s.nevents, 1);
  sim_scenario_free(&s);
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nduration 60m\nat 1h ping all\n"
                        "idle from 0 to 3600s\n",
                        err, sizeof err),
                  0);
  sim_scenario_free(&s);
  /* the duration comes later: the earlier event's line is named */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nat 10m ping all\nat 70m ping "
                        "all\nat 90m ping all\nduration 1h\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(err, "scenarios/t.scn:3: at: 70m is after the end "
                              "of the run (duration 1h, line 5)");
  /* an idle window before the event comes first */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nidle from 1m to 2h\nat 70m ping "
                        "all\nduration 1h\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(err, "scenarios/t.scn:2: idle: 2h is after the end "
                              "of the run (duration 1h, line 4)");
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nat 70m ping all\nidle from 1m to "
                        "2h\nduration 1h\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "scenarios/t.scn:2: at: 70m"));
  /* one nanosecond over */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology star n=3\nduration 1s\nat 1000000001ns "
                        "kill n1\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(err, "scenarios/t.scn:3: at: 1000000001ns is after "
                              "the end of the run (duration 1s, line 2)");
}

/* Flows checked in time order, not file order. */
static void test_sim_scenario_flows(void) {
  sim_scenario s;
  char err[256];
  const char *ok = "topology linear n=5\nduration 1h\n"
                   "at 40m flow stop f1\n"
                   "at 30m flow start f1 from n4 to n0 icmp size=0 "
                   "every=250ms\n"
                   "at 30m flow start f2 from n1 to n2 tcp size=1200\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, ok, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(s.nevents, 3);
  CU_ASSERT_EQUAL(s.events[0].kind, SIM_EV_FLOW_START);
  CU_ASSERT_EQUAL(s.events[0].proto, SIM_PROTO_ICMP);
  CU_ASSERT_EQUAL(s.events[0].size, 0);
  CU_ASSERT_EQUAL(s.events[0].every_ns, 250000000);
  CU_ASSERT_EQUAL(s.events[1].size, 1200);
  CU_ASSERT_EQUAL(s.events[2].kind, SIM_EV_FLOW_STOP);
  sim_scenario_free(&s);

  static const bad_case bad[] = {
      {"at 1m flow start f1 from n1 to n2 udp\n"
       "at 2m flow start f1 from n2 to n3 udp\n",
       "scenarios/t.scn:4: flow start: a flow named 'f1' is already started "
       "on line 3"},
      {"at 2m flow start f1 from n1 to n2 udp\n"
       "at 1m flow stop f1\n",
       "scenarios/t.scn:4: flow stop: no flow named 'f1' is started before "
       "1m"},
      {"at 1m flow start f1 from n1 to n2 udp\n"
       "at 2m flow stop f1\nat 3m flow stop f1\n",
       "scenarios/t.scn:5: flow stop: flow 'f1' is already stopped on line 4"},
      {"at 1m flow start f1 from n1 to n2 udp\n"
       "at 2m flow stop f1\nat 3m flow start f1 from n1 to n2 udp\n",
       "scenarios/t.scn:5: flow start: a flow named 'f1' is already started "
       "on line 3"},
      /* same time, stop first in the file: the stop comes first */
      {"at 1m flow stop f1\nat 1m flow start f1 from n1 to n2 udp\n",
       "scenarios/t.scn:3: flow stop: no flow named 'f1'"},
  };
  expect_refused(bad, sizeof bad / sizeof bad[0]);
}

/* Tunnels: the world, the declarations with their targets, flows to and
 * from a tunnel (the tunnel's nodes filled in), revocations and adds. */
static void test_sim_scenario_tunnels(void) {
  sim_scenario s;
  char err[512];
  const char *ok =
      "topology linear n=5\nduration 1h\n"
      "tunnels only\n"
      "tunnel cam client n1 server n3 targets tcp:80,udp:7000-7010\n"
      "tunnel web client n3 server n1 targets \"tcp:443, tcp:8443\"\n"
      "at 1m flow start f1 from n1 to tunnel:cam tcp port=80 size=10\n"
      "at 1m flow start f2 from tunnel:cam to n1 udp port=7005\n"
      "at 1m flow start f3 from n2 to tunnel:cam icmp\n"
      "at 2m tunnel revoke cam server\n"
      "at 3m tunnel add cam\n"
      "at 4m tunnel revoke cam\n"
      "at 30s tunnel add web\n"
      "at 5m flow start f4 from n1 to n3 udp port=9\n"
      "at 5m flow start f5 from n1 to n3 tcp\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, ok, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.tunnels_only, 1);
  CU_ASSERT_EQUAL_FATAL(s.ntunnels, 2);
  const sim_tunnel_spec *cam = &s.tunnels[0], *web = &s.tunnels[1];
  CU_ASSERT_STRING_EQUAL(cam->name, "cam");
  CU_ASSERT_STRING_EQUAL(cam->client, "n1");
  CU_ASSERT_STRING_EQUAL(cam->server, "n3");
  CU_ASSERT_EQUAL(cam->line, 4);
  CU_ASSERT_EQUAL_FATAL(cam->ntargets, 2);
  CU_ASSERT_TRUE(cam->targets[1].proto == MCC_PROTO_UDP &&
                 cam->targets[1].port_lo == 7000 &&
                 cam->targets[1].port_hi == 7010);
  CU_ASSERT_EQUAL(cam->starts_missing, 0);
  CU_ASSERT_EQUAL(web->ntargets, 2);
  CU_ASSERT_EQUAL(web->starts_missing, 1); /* its first event is an add */
  CU_ASSERT_EQUAL_FATAL(s.nevents, 9);
  const sim_event *ev = s.events;
  CU_ASSERT_EQUAL(ev[0].kind, SIM_EV_TUNNEL_ADD);
  CU_ASSERT_STRING_EQUAL(ev[0].tunnel, "web");
  CU_ASSERT_EQUAL(ev[1].end, SIM_FLOW_TO_TUNNEL);
  CU_ASSERT_STRING_EQUAL(ev[1].a, "n1");
  CU_ASSERT_STRING_EQUAL(ev[1].b, "n3"); /* the server node */
  CU_ASSERT_STRING_EQUAL(ev[1].tunnel, "cam");
  CU_ASSERT_EQUAL(ev[1].port, 80);
  CU_ASSERT_EQUAL(ev[1].size, 10);
  CU_ASSERT_EQUAL(ev[2].end, SIM_FLOW_FROM_TUNNEL);
  CU_ASSERT_STRING_EQUAL(ev[2].a, "n3");
  CU_ASSERT_STRING_EQUAL(ev[2].b, "n1");
  CU_ASSERT_EQUAL(ev[2].port, 7005);
  CU_ASSERT_EQUAL(ev[3].proto, SIM_PROTO_ICMP);
  CU_ASSERT_EQUAL(ev[3].port, 0);
  CU_ASSERT_STRING_EQUAL(ev[3].b, "n3");
  CU_ASSERT_EQUAL(ev[4].kind, SIM_EV_TUNNEL_REVOKE);
  CU_ASSERT_EQUAL(ev[4].ends, SIM_END_SERVER);
  CU_ASSERT_EQUAL(ev[5].kind, SIM_EV_TUNNEL_ADD);
  CU_ASSERT_EQUAL(ev[6].ends, SIM_END_BOTH);
  CU_ASSERT_EQUAL(ev[7].end, SIM_FLOW_NODES);
  CU_ASSERT_EQUAL(ev[7].port, 9);
  CU_ASSERT_EQUAL(ev[8].port, SIM_FLOW_PORT_DEFAULT);
  CU_ASSERT_PTR_NULL(ev[8].tunnel);
  CU_ASSERT_STRING_EQUAL(sim_event_kind_name(SIM_EV_TUNNEL_REVOKE),
                         "tunnel revoke");
  sim_scenario_free(&s);

  /* allow-nodes, and a file with no tunnels line: the version 1 world */
  CU_ASSERT_EQUAL(parse3(&s, "tunnels allow-nodes", err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.tunnels_only, 0);
  sim_scenario_free(&s);

  static const bad_case bad[] = {
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "tunnel cam client n1 server n3 targets tcp:80\n",
       "scenarios/t.scn:4: tunnel: a tunnel named 'cam' is already declared "
       "on line 3 (each tunnel needs its own name)"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 1m tunnel revoke cam server\nat 2m tunnel revoke cam\n",
       "scenarios/t.scn:5: tunnel revoke: tunnel 'cam' is already revoked at "
       "its server at 2m (on line 4)"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 1m tunnel revoke cam\nat 2m tunnel revoke cam client\n",
       "scenarios/t.scn:5: tunnel revoke: tunnel 'cam' is already revoked at "
       "its client at 2m (on line 4)"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 1m tunnel revoke cam\nat 2m tunnel add cam\nat 3m tunnel add "
       "cam\n",
       "scenarios/t.scn:6: tunnel add: tunnel 'cam' is in place at both ends "
       "at 3m (revoke it first)"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 2m tunnel add cam\nat 1m tunnel add cam\n",
       "scenarios/t.scn:4: tunnel add: tunnel 'cam' is in place at both ends "
       "at 2m (revoke it first)"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 1m flow start f from n2 to tunnel:cam tcp port=80\n",
       "scenarios/t.scn:4: flow start: n2 holds the server end of tunnel "
       "cam; a flow to it comes from another node"},
      {"at 1m flow start f from tunnel:cam to n3 tcp port=80\n"
       "tunnel cam client n1 server n2 targets tcp:80\n",
       "scenarios/t.scn:3: flow start: a flow from tunnel cam goes back to "
       "its client, n1, got 'to n3'"},
      {"tunnel cam client n1 server n2 targets tcp:80\n"
       "at 1m flow start f from n1 to tunnel:cma tcp port=80\n",
       "scenarios/t.scn:4: flow start: no tunnel named 'cma' (declare it "
       "with a line such as 'tunnel cma client n1 server n2 targets "
       "tcp:80')"},
  };
  expect_refused(bad, sizeof bad / sizeof bad[0]);
  CU_ASSERT_EQUAL(parse(&s,
                        "topology linear n=5\nduration 1h\ntunnels only\n"
                        "tunnels allow-nodes\n",
                        err, sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(
      err, "scenarios/t.scn:4: tunnels: given twice (first on line 3)");
  /* tunnel names and node names are apart: a tunnel named like a node */
  CU_ASSERT_EQUAL(parse(&s,
                        "topology linear n=5\nduration 1h\n"
                        "tunnel n1 client n1 server n2 targets udp:1\n"
                        "at 1m flow start n1 from n1 to tunnel:n1 udp "
                        "port=1\n",
                        err, sizeof err),
                  0);
  sim_scenario_free(&s);
}

/* A node dies only while alive; a link is cut only while up, whichever
 * order its ends are named in. */
static void test_sim_scenario_kill_cut_timeline(void) {
  sim_scenario s;
  char err[256];
  const char *ok = "topology linear n=5\nduration 1h\n"
                   "at 30m revive n1\nat 10m kill n1\nat 40m kill n1\n"
                   "at 20m restore n2 n1\nat 10m cut n1 n2\n"
                   "at 30m cut n2 n1\nat 5m restart n1\nat 35m restart n1\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, ok, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.nevents, 8);
  sim_scenario_free(&s);
  static const bad_case bad[] = {
      {"at 1m kill n1\nat 2m kill n1\n",
       "scenarios/t.scn:4: kill: n1 is already dead at 2m (killed on line 3)"},
      {"at 1m kill n1\nat 2m revive n1\nat 3m revive n1\n",
       "scenarios/t.scn:5: revive: n1 is not dead at 3m"},
      {"at 1m kill n1\nat 2m restart n1\n",
       "scenarios/t.scn:4: restart: n1 is dead at 2m (killed on line 3; "
       "revive it instead)"},
      {"at 1m cut n1 n2\nat 2m cut n2 n1\n",
       "scenarios/t.scn:4: cut: the link between n2 and n1 is already cut at "
       "2m (on line 3)"},
      {"at 2m cut n1 n2\nat 1m restore n2 n1\n",
       "scenarios/t.scn:4: restore: the link between n2 and n1 is not cut at "
       "1m"},
  };
  expect_refused(bad, sizeof bad / sizeof bad[0]);
}

static void test_sim_scenario_set(void) {
  sim_scenario s;
  char err[256];
  const char *text = "topology linear n=2\nduration 1h\n"
                     "set keep-alive-period 30s\n"
                     "set dns-names a.example,   b.example\n"
                     "set keep-alive-period 1m\n"
                     "set dependent-nodes /tmp/dn\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, text, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(s.nsets, 4);
  CU_ASSERT_STRING_EQUAL(s.sets[0].value, "30s");
  CU_ASSERT_STRING_EQUAL(s.sets[1].key, "dns-names");
  CU_ASSERT_STRING_EQUAL(s.sets[1].value, "a.example, b.example");
  CU_ASSERT_STRING_EQUAL(s.sets[2].key, "keep-alive-period");
  CU_ASSERT_STRING_EQUAL(s.sets[2].value, "1m");
  CU_ASSERT_EQUAL(s.sets[2].line, 5);
  /* a deprecated key is a warning, not an error */
  CU_ASSERT_EQUAL_FATAL(s.nwarnings, 1);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(s.warnings[0], "scenarios/t.scn:6: set: dependent-nodes: "));
  sim_scenario_free(&s);
}

static void test_sim_scenario_network_trust(void) {
  sim_scenario s;
  char err[256];
  const char *text = "topology linear n=4\nduration 1h\n"
                     "trust n2 1 3\n"
                     "network n3 1\n"
                     "network n2 7\n"
                     "trust n3 0\n"
                     "trust n2 5\n";
  CU_ASSERT_EQUAL_FATAL(parse(&s, text, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(s.nnodes, 2);
  CU_ASSERT_STRING_EQUAL(s.nodes[0].node, "n2");
  CU_ASSERT_EQUAL(s.nodes[0].line, 3);
  CU_ASSERT_TRUE(s.nodes[0].has_network);
  CU_ASSERT_EQUAL(s.nodes[0].network, 7);
  CU_ASSERT_EQUAL(s.nodes[0].trusts, (1 << 1) | (1 << 3) | (1 << 5));
  CU_ASSERT_STRING_EQUAL(s.nodes[1].node, "n3");
  CU_ASSERT_EQUAL(s.nodes[1].network, 1);
  CU_ASSERT_EQUAL(s.nodes[1].trusts, 1);
  sim_scenario_free(&s);

  CU_ASSERT_EQUAL(parse(&s,
                        "topology linear n=4\nduration 1h\nnetwork n3 1\n"
                        "network n3 2\n",
                        err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(
      err, "scenarios/t.scn:4: network: n3's network is already set");
}

static void test_sim_scenario_expect_parse(void) {
  static const struct {
    const char *rhs;
    double value;
    const char *metric;
  } cases[] = {
      {"0", 0, NULL},          {"-2.5", -2.5, NULL},
      {"+7", 7, NULL},         {"1e3", 1000, NULL},
      {".5", 0.5, NULL},       {"282240", 282240, NULL},
      {"2.5E-1", 0.25, NULL},  {"routing.pairs", 0, "routing.pairs"},
      {"nodes", 0, "nodes"},   {"p99_2.x", 0, "p99_2.x"},
      {"1e5x", 0, "1e5x"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_scenario s;
    char line[128], err[256];
    snprintf(line, sizeof line, "expect flows.delivered >= %s",
             cases[i].rhs);
    CU_ASSERT_EQUAL_FATAL(parse3(&s, line, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(s.nexpects, 1);
    const sim_expectation *e = &s.expects[0];
    CU_ASSERT_STRING_EQUAL(e->metric, "flows.delivered");
    CU_ASSERT_EQUAL(e->op, SIM_OP_GE);
    CU_ASSERT_EQUAL(e->line, 3);
    CU_ASSERT_STRING_EQUAL(e->text, line + strlen("expect "));
    if (cases[i].metric) {
      CU_ASSERT_PTR_NOT_NULL_FATAL(e->rhs_metric);
      CU_ASSERT_STRING_EQUAL(e->rhs_metric, cases[i].metric);
    } else {
      CU_ASSERT_PTR_NULL(e->rhs_metric);
      CU_ASSERT_EQUAL(e->rhs_value, cases[i].value);
    }
    sim_scenario_free(&s);
  }
  /* every operator by its name */
  for (int op = SIM_OP_LT; op <= SIM_OP_NE; op++) {
    sim_scenario s;
    char line[64], err[256];
    snprintf(line, sizeof line, "expect nodes %s 3",
             sim_expect_op_name((sim_expect_op)op));
    CU_ASSERT_EQUAL_FATAL(parse3(&s, line, err, sizeof err), 0);
    CU_ASSERT_EQUAL((int)s.expects[0].op, op);
    sim_scenario_free(&s);
  }
  CU_ASSERT_STRING_EQUAL(sim_expect_op_name((sim_expect_op)99), "?");
}

static void test_sim_scenario_expect_eval(void) {
  static const struct {
    sim_expect_op op;
    int lt, eq, gt; /* holds for 1 op 2, 2 op 2, 3 op 2 */
  } cases[] = {
      {SIM_OP_LT, 1, 0, 0}, {SIM_OP_LE, 1, 1, 0}, {SIM_OP_GT, 0, 0, 1},
      {SIM_OP_GE, 0, 1, 1}, {SIM_OP_EQ, 0, 1, 0}, {SIM_OP_NE, 1, 0, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_expectation e;
    memset(&e, 0, sizeof e);
    e.op = cases[i].op;
    CU_ASSERT_EQUAL(sim_expect_eval(&e, 1, 2), cases[i].lt);
    CU_ASSERT_EQUAL(sim_expect_eval(&e, 2, 2), cases[i].eq);
    CU_ASSERT_EQUAL(sim_expect_eval(&e, 3, 2), cases[i].gt);
    CU_ASSERT_EQUAL(sim_expect_eval(&e, -0.0, 0.0), cases[i].eq);
    /* an undetermined metric never passes */
    CU_ASSERT_EQUAL(sim_expect_eval(&e, NAN, 2), 0);
    CU_ASSERT_EQUAL(sim_expect_eval(&e, 2, NAN), 0);
  }
  CU_ASSERT_EQUAL(sim_expect_eval(NULL, 1, 1), 0);
}

/* The same text gives the same struct, field by field. */
static void test_sim_scenario_deterministic(void) {
  sim_scenario a, b;
  char err[256];
  CU_ASSERT_EQUAL_FATAL(parse(&a, full_text, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(parse(&b, full_text, err, sizeof err), 0);
#define SAME_STR(x, y) \
  CU_ASSERT_TRUE(((x) == NULL && (y) == NULL) || \
                 ((x) && (y) && strcmp((x), (y)) == 0))
  SAME_STR(a.name, b.name);
  CU_ASSERT_EQUAL(a.topo.kind, b.topo.kind);
  CU_ASSERT_EQUAL(a.seed, b.seed);
  CU_ASSERT_EQUAL(a.duration_ns, b.duration_ns);
  CU_ASSERT_EQUAL(memcmp(&a.link, &b.link, sizeof a.link), 0);
  CU_ASSERT_EQUAL_FATAL(a.nsets, b.nsets);
  for (size_t i = 0; i < a.nsets; i++) {
    SAME_STR(a.sets[i].key, b.sets[i].key);
    SAME_STR(a.sets[i].value, b.sets[i].value);
  }
  CU_ASSERT_EQUAL_FATAL(a.nevents, b.nevents);
  for (size_t i = 0; i < a.nevents; i++) {
    const sim_event *x = &a.events[i], *y = &b.events[i];
    CU_ASSERT_TRUE(x->time_ns == y->time_ns && x->kind == y->kind &&
                   x->line == y->line && x->proto == y->proto &&
                   x->size == y->size && x->every_ns == y->every_ns &&
                   x->ping_max == y->ping_max);
    SAME_STR(x->a, y->a);
    SAME_STR(x->b, y->b);
    SAME_STR(x->flow, y->flow);
  }
  CU_ASSERT_EQUAL_FATAL(a.nexpects, b.nexpects);
  for (size_t i = 0; i < a.nexpects; i++) {
    SAME_STR(a.expects[i].text, b.expects[i].text);
    SAME_STR(a.expects[i].rhs_metric, b.expects[i].rhs_metric);
    CU_ASSERT_EQUAL(a.expects[i].rhs_value, b.expects[i].rhs_value);
  }
#undef SAME_STR
  sim_scenario_free(&a);
  sim_scenario_free(&b);
  /* an error too, byte for byte */
  char e1[256], e2[256];
  CU_ASSERT_EQUAL(parse3(&a, "at 10m ping n1 n1", e1, sizeof e1),
                  parse3(&b, "at 10m ping n1 n1", e2, sizeof e2));
  CU_ASSERT_STRING_EQUAL(e1, e2);
}

static void test_sim_scenario_load(void) {
  sim_scenario s;
  char err[512], path[64];
  snprintf(path, sizeof path, "/tmp/test_sim_scenario_XXXXXX");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  FILE *f = fdopen(fd, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs(full_text, f);
  fclose(f);
  CU_ASSERT_EQUAL(sim_scenario_load(&s, path, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.nevents, 9);
  CU_ASSERT_STRING_EQUAL(s.path, path);
  sim_scenario_free(&s);
  unlink(path);

  CU_ASSERT_EQUAL(sim_scenario_load(&s, path, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  char want[128];
  snprintf(want, sizeof want, "%s: No such file or directory", path);
  CU_ASSERT_STRING_EQUAL(err, want);
  CU_ASSERT_TRUE(is_empty(&s));
  CU_ASSERT_EQUAL(sim_scenario_load(&s, "/tmp", err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_STRING_EQUAL(err, "/tmp: not a regular file (a scenario is "
                              "read from a regular file, not a device, FIFO "
                              "or directory)");
}

/* Input that would read without bound is refused before reading:
 * a device, a FIFO (even without a writer: no hang), a file over the
 * size limit. */
static void test_sim_scenario_load_bounded(void) {
  sim_scenario s;
  char err[512];
  CU_ASSERT_EQUAL(sim_scenario_load(&s, "/dev/zero", err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/zero: not a regular file"));
  char fifo[] = "/tmp/mcc-test-fifo-XXXXXX";
  int fd = mkstemp(fifo);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  unlink(fifo);
  CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
  CU_ASSERT_EQUAL(sim_scenario_load(&s, fifo, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, fifo));
  unlink(fifo);
  char big[] = "/tmp/mcc-test-big-XXXXXX";
  fd = mkstemp(big);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(ftruncate(fd, (off_t)SIM_SCENARIO_MAX_BYTES + 1), 0);
  close(fd);
  CU_ASSERT_EQUAL(sim_scenario_load(&s, big, err, sizeof err),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than the limit of"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, big));
  unlink(big);
}

/* Every shipped example parses. */
static void test_sim_scenario_examples(void) {
  glob_t g;
  CU_ASSERT_EQUAL_FATAL(glob("scenarios/*.scn", 0, NULL, &g), 0);
  CU_ASSERT_TRUE(g.gl_pathc >= 5);
  for (size_t i = 0; i < g.gl_pathc; i++) {
    sim_scenario s;
    char err[512];
    int rv = sim_scenario_load(&s, g.gl_pathv[i], err, sizeof err);
    CU_ASSERT_EQUAL(rv, 0);
    if (rv) fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_TRUE(rv || (s.nexpects > 0 && s.duration_ns > 0));
    sim_scenario_free(&s);
  }
  globfree(&g);
}

/* Nothing a user writes hits a fixed limit: thousands of events, nodes
 * and expectations, long names, long lines. */
static void test_sim_scenario_no_limits(void) {
  enum { N = 20000, LONG = 5000 };
  size_t cap = (size_t)N * 160 + 4 * LONG, len = 0;
  char *text = malloc(cap), *longname = malloc(LONG + 1);
  CU_ASSERT_FATAL(text && longname);
  memset(longname, 'x', LONG);
  longname[LONG] = '\0';
  len += (size_t)snprintf(text + len, cap - len,
                          "topology random n=100000\nduration 100000s\n");
  /* in reverse time order, so sorting has work to do */
  for (int i = N - 1; i >= 0; i--)
    len += (size_t)snprintf(text + len, cap - len,
                            "at %ds flow start f%d from n%d to n%d udp\n"
                            "network n%d %d\nexpect m%d.x != %d\n",
                            i, i, i, i + 1, i, i % 8, i, i);
  len += (size_t)snprintf(text + len, cap - len, "at 1s kill %s\n", longname);
  sim_scenario s;
  char err[256];
  int rv = sim_scenario_parse(&s, "big.scn", text, len, err, sizeof err);
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  CU_ASSERT_EQUAL(s.nevents, N + 1);
  CU_ASSERT_EQUAL(s.nnodes, N);
  CU_ASSERT_EQUAL(s.nexpects, N);
  for (size_t i = 1; i < s.nevents; i++)
    CU_ASSERT_TRUE(s.events[i - 1].time_ns <= s.events[i].time_ns);
  CU_ASSERT_STRING_EQUAL(s.events[0].flow, "f0");
  CU_ASSERT_STRING_EQUAL(s.events[2].a, longname); /* 1s: flow, then kill */
  sim_scenario_free(&s);
  free(text);
  free(longname);
}

static void test_sim_scenario_arguments(void) {
  sim_scenario s;
  char err[256];
  CU_ASSERT_EQUAL(sim_scenario_parse(NULL, "x", "", 0, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(sim_scenario_parse(&s, "x", NULL, 3, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  /* no room for a message is fine */
  CU_ASSERT_EQUAL(sim_scenario_parse(&s, "x", "seed", 4, NULL, 0),
                  MCC_ERR_VALUE);
  /* len is respected: the text need not end with NUL */
  const char text[] = "topology star n=2\nduration 1mXXXX";
  CU_ASSERT_EQUAL(sim_scenario_parse(&s, "x.scn", text, sizeof text - 5,
                                     err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(s.duration_ns, MIN_NS);
  sim_scenario_free(&s);
  /* a NUL byte inside is refused with its place */
  const char nul[] = "topology star n=2\nduration 1m\nseed 1\0002\n";
  CU_ASSERT_EQUAL(sim_scenario_parse(&s, "x.scn", nul, sizeof nul - 1, err,
                                     sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err, "x.scn:3: control character 0x00 at column 7 "
                              "(not a text file?)");
  /* a long word is cut in the message */
  char lng[400];
  memset(lng, 'a', sizeof lng);
  CU_ASSERT_EQUAL(sim_scenario_parse(&s, "x.scn", lng, sizeof lng, err,
                                     sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_TRUE(strlen(err) < 220);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "...'"));
  /* freeing twice, or an empty struct, is harmless */
  sim_scenario_free(&s);
  sim_scenario_free(NULL);
  CU_ASSERT_STRING_EQUAL(sim_event_kind_name(SIM_EV_FLOW_START),
                         "flow start");
  CU_ASSERT_STRING_EQUAL(sim_event_kind_name((sim_event_kind)42), "?");
}

void suite_sim_scenario(void); /* until suites.h lists it */

void suite_sim_scenario(void) {
  CU_pSuite s = CU_add_suite("sim_scenario", NULL, NULL);
  ADD_TEST(s, test_sim_scenario_full);
  ADD_TEST(s, test_sim_scenario_sorted_stable);
  ADD_TEST(s, test_sim_scenario_defaults);
  ADD_TEST(s, test_sim_scenario_topology_kinds);
  ADD_TEST(s, test_sim_scenario_topology_file);
  ADD_TEST(s, test_sim_scenario_topology_grid);
  ADD_TEST(s, test_sim_scenario_link_models);
  ADD_TEST(s, test_sim_scenario_move);
  ADD_TEST(s, test_sim_scenario_comments_blank);
  ADD_TEST(s, test_sim_scenario_error_messages);
  ADD_TEST(s, test_sim_scenario_errors);
  ADD_TEST(s, test_sim_scenario_topology_errors);
  ADD_TEST(s, test_sim_scenario_missing);
  ADD_TEST(s, test_sim_scenario_after_duration);
  ADD_TEST(s, test_sim_scenario_flows);
  ADD_TEST(s, test_sim_scenario_tunnels);
  ADD_TEST(s, test_sim_scenario_kill_cut_timeline);
  ADD_TEST(s, test_sim_scenario_set);
  ADD_TEST(s, test_sim_scenario_network_trust);
  ADD_TEST(s, test_sim_scenario_expect_parse);
  ADD_TEST(s, test_sim_scenario_expect_eval);
  ADD_TEST(s, test_sim_scenario_deterministic);
  ADD_TEST(s, test_sim_scenario_load);
  ADD_TEST(s, test_sim_scenario_load_bounded);
  ADD_TEST(s, test_sim_scenario_examples);
  ADD_TEST(s, test_sim_scenario_no_limits);
  ADD_TEST(s, test_sim_scenario_arguments);
}
