/*
 * test_sim_link_models.c — sim/link_models.c, the check between a parsed
 * scenario and its topology and the backend that will run them: the
 * native engine refuses each thing only ns-3 has (a link model other than
 * p2p, a device queue, both in the scenario's `link` line or on a DOT
 * edge, and a move), naming the line that asks for it; ns-3 takes them
 * all, but a move only of a node on a wifi link. The topologies:
 *
 *   generated: topology linear n=4     n3 -> n2 -> n1 -> n0
 *   DOT (topology file, on line 2):    as each case writes it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dot.h"
#include "link_models.h"
#include "scenario.h"
#include "suites.h"
#include "testutil.h"
#include "topology.h"

#define NEEDS_NS3 "needs the ns-3 backend (--backend ns3, or the line " \
                  "'backend ns3'); the native engine has only point-to-" \
                  "point links with unbounded queues"

typedef struct check_case {
  const char *lines; /* after the head: lines 3 and on */
  const char *dot;   /* NULL: topology linear n=4 */
  int ns3;
  int rv;
  const char *says; /* the whole message; "@" stands for the DOT path */
} check_case;

/* Parses the case's scenario, builds its topology, resolves its events'
 * first nodes as run.c does, and runs the check. Returns the check's
 * result, or 1 when the case itself could not be set up. */
static int run_case(const check_case *c, char *err, size_t errlen,
                    char *dotpath, size_t dotlen) {
  char text[1024];
  dotpath[0] = '\0';
  if (c->dot) {
    snprintf(dotpath, dotlen, "/tmp/test_sim_link_models_XXXXXX");
    int fd = mkstemp(dotpath);
    if (fd < 0) return 1;
    FILE *f = fdopen(fd, "w");
    if (!f) return 1;
    fputs(c->dot, f);
    fclose(f);
    snprintf(text, sizeof text, "duration 1h\ntopology file %s\n%s\n",
             dotpath, c->lines);
  } else {
    snprintf(text, sizeof text, "topology linear n=4\nduration 1h\n%s\n",
             c->lines);
  }
  sim_scenario sc;
  sim_topology t;
  sim_topology_init(&t);
  char perr[512];
  if (sim_scenario_parse(&sc, "scenarios/t.scn", text, strlen(text), perr,
                         sizeof perr) != 0) {
    fprintf(stderr, "\nscenario: %s\n", perr);
    return 1;
  }
  int rv = 1;
  uint32_t *ev = calloc(sc.nevents + 1, sizeof *ev);
  if (!ev) goto out;
  if ((c->dot ? sim_dot_read(&t, sc.topo.path, perr, sizeof perr)
              : sim_topology_linear(&t, 4, perr, sizeof perr)) != 0) {
    fprintf(stderr, "\ntopology: %s\n", perr);
    goto out;
  }
  for (size_t k = 0; k < sc.nevents; k++) {
    long i = sim_topology_find(&t, sc.events[k].a);
    if (i < 0) goto out;
    ev[k] = (uint32_t)i;
  }
  err[0] = '\0';
  rv = sim_link_models_check(&sc, &t, ev, c->ns3, err, errlen);
out:
  free(ev);
  sim_topology_free(&t);
  sim_scenario_free(&sc);
  return rv;
}

static void expect_cases(const check_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char err[1024], dot[64], want[1024];
    int rv = run_case(&cases[i], err, sizeof err, dot, sizeof dot);
    const char *at = strchr(cases[i].says, '@');
    if (at)
      snprintf(want, sizeof want, "%.*s%s%s", (int)(at - cases[i].says),
               cases[i].says, dot, at + 1);
    else
      snprintf(want, sizeof want, "%s", cases[i].says);
    int ok = rv == cases[i].rv && strcmp(err, want) == 0;
    if (!ok)
      fprintf(stderr, "\ncase %zu (%s): %d '%s', wanted %d '%s'\n", i,
              cases[i].ns3 ? "ns3" : "native", rv, err, cases[i].rv, want);
    CU_ASSERT_TRUE(ok);
    if (dot[0]) unlink(dot);
  }
}

/* The native engine: each of the four kinds refused with its own line,
 * and what it can run let through. */
static void test_sim_link_models_native(void) {
  static const check_case cases[] = {
      {"link model=wifi", NULL, 0, MCC_ERR_VALUE,
       "scenarios/t.scn:3: link model=wifi " NEEDS_NS3},
      {"link delay=1ms\nlink model=csma", NULL, 0, MCC_ERR_VALUE,
       "scenarios/t.scn:4: link model=csma " NEEDS_NS3},
      {"link queue=50", NULL, 0, MCC_ERR_VALUE,
       "scenarios/t.scn:3: link queue=50 " NEEDS_NS3},
      {"link model=p2p\n\nlink queue=9 rate=1Mbit", NULL, 0, MCC_ERR_VALUE,
       "scenarios/t.scn:5: link queue=9 " NEEDS_NS3},
      {"", "digraph { b -> a [model=wifi]; }", 0, MCC_ERR_VALUE,
       "scenarios/t.scn:2: topology: @: edge b -> a: model=wifi " NEEDS_NS3},
      {"", "digraph { b -> a; c -> a [model=csma]; }", 0, MCC_ERR_VALUE,
       "scenarios/t.scn:2: topology: @: edge c -> a: model=csma " NEEDS_NS3},
      {"", "digraph { b -> a; c -> a [queue=10]; }", 0, MCC_ERR_VALUE,
       "scenarios/t.scn:2: topology: @: edge c -> a: queue " NEEDS_NS3},
      {"at 5m move n1 x=1 y=2", NULL, 0, MCC_ERR_VALUE,
       "scenarios/t.scn:3: move: a radio position " NEEDS_NS3},
      {"at 1m kill n1\nat 40m move n2 x=1 y=2\nat 2m revive n1", NULL, 0,
       MCC_ERR_VALUE, "scenarios/t.scn:4: move: a radio position " NEEDS_NS3},
      /* what the native engine has */
      {"link model=p2p delay=5ms", NULL, 0, 0, ""},
      {"at 1m kill n1\nat 2m cut n2 n3", NULL, 0, 0, ""},
      {"", "digraph { b -> a [model=p2p, delay=\"3ms\"]; a [pos=\"1,2\"]; }",
       0, 0, ""},
  };
  expect_cases(cases, sizeof cases / sizeof cases[0]);
}

/* ns-3 carries all of it; a move needs a radio: a wifi link at the node,
 * by the scenario's default or its own DOT edge, as child or parent. */
static void test_sim_link_models_ns3(void) {
  static const check_case cases[] = {
      {"link model=wifi", NULL, 1, 0, ""},
      {"link model=csma queue=50", NULL, 1, 0, ""},
      {"", "digraph { b -> a [model=wifi]; c -> a [model=csma, queue=3]; }",
       1, 0, ""},
      {"link model=wifi\nat 5m move n1 x=1 y=2", NULL, 1, 0, ""},
      {"", "digraph { b -> a [model=wifi]; c -> a; }\n",
       1, 0, ""},
      {"at 1m move b x=1 y=2", "digraph { b -> a [model=wifi]; c -> a; }",
       1, 0, ""},
      {"at 1m move a x=1 y=2", "digraph { b -> a [model=wifi]; c -> a; }",
       1, 0, ""},
      {"link model=wifi\nat 1m move a x=1 y=2",
       "digraph { b -> a; c -> b [model=csma]; }", 1, 0, ""},
      /* no radio */
      {"link model=csma\nat 5m move n1 x=1 y=2", NULL, 1, MCC_ERR_VALUE,
       "scenarios/t.scn:4: move: n1 is on no wifi link, so it has no radio "
       "to move (link model=wifi, or model=wifi on its DOT edges)"},
      {"at 5m move n3 x=1 y=2", NULL, 1, MCC_ERR_VALUE,
       "scenarios/t.scn:3: move: n3 is on no wifi link, so it has no radio "
       "to move (link model=wifi, or model=wifi on its DOT edges)"},
      {"at 1m move c x=1 y=2", "digraph { b -> a [model=wifi]; c -> a; }",
       1, MCC_ERR_VALUE,
       "scenarios/t.scn:3: move: c is on no wifi link, so it has no radio "
       "to move (link model=wifi, or model=wifi on its DOT edges)"},
      /* an edge's own model wins over the scenario's default */
      {"link model=wifi\nat 1m move c x=1 y=2",
       "digraph { b -> a; c -> a [model=p2p]; }", 1, MCC_ERR_VALUE,
       "scenarios/t.scn:4: move: c is on no wifi link, so it has no radio "
       "to move (link model=wifi, or model=wifi on its DOT edges)"},
      /* the first move is fine, the later one is named */
      {"at 2m move d x=1 y=2\nat 1m move b x=0 y=0",
       "digraph { b -> a [model=wifi]; d; }", 1, MCC_ERR_VALUE,
       "scenarios/t.scn:3: move: d is on no wifi link, so it has no radio "
       "to move (link model=wifi, or model=wifi on its DOT edges)"},
  };
  expect_cases(cases, sizeof cases / sizeof cases[0]);
}

void suite_sim_link_models(void) {
  CU_pSuite s = CU_add_suite("sim_link_models", NULL, NULL);
  ADD_TEST(s, test_sim_link_models_native);
  ADD_TEST(s, test_sim_link_models_ns3);
}
