/*
 * cli_daemon.c — the `mcc` commands that ask the running mccd over its
 * control socket (control.h) and print the answer for people: id, parent,
 * health, stats, resolve, route, nodes (a table or, built with cgraph, a Graphviz
 * digraph in the style of mcc-sim's topology.dot).
 */
#include <getopt.h>
#include <graphviz/cgraph.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "control.h"

#define NODE_FIELDS 7

/* Asks the daemon; prints errors; returns the exit code. */
static int ask(const char *socket, const char *request, strbuf *answer) {
  char err[512];
  int rv = ctl_call(socket, request, answer, err, sizeof err);
  if (rv != 0) {
    fprintf(stderr, "mcc: %s\n", err);
    return 1;
  }
  return 0;
}

static int no_args(int argc, char **argv) {
  if (argc > 1) {
    fprintf(stderr, "mcc %s: takes no arguments (got '%s')\n", argv[0],
            argv[1]);
    return 2;
  }
  return 0;
}

static int print_answer(const char *socket, const char *request) {
  strbuf answer;
  strbuf_init(&answer);
  int rv = ask(socket, request, &answer);
  if (rv == 0 && answer.len) fputs(answer.data, stdout);
  strbuf_clear(&answer);
  return rv;
}

int cli_id(const char *socket, int argc, char **argv) {
  int rv = no_args(argc, argv);
  return rv ? rv : print_answer(socket, "id");
}

int cli_health(const char *socket, int argc, char **argv) {
  int rv = no_args(argc, argv);
  return rv ? rv : print_answer(socket, "health");
}

int cli_stats(const char *socket, int argc, char **argv) {
  int rv = no_args(argc, argv);
  return rv ? rv : print_answer(socket, "stats");
}

int cli_parent(const char *socket, int argc, char **argv) {
  int rv = no_args(argc, argv);
  if (rv) return rv;
  strbuf answer;
  strbuf_init(&answer);
  rv = ask(socket, "parent", &answer);
  if (rv == 0) { /* "IP:PORT ID": the manual's command prints the address */
    char *space = answer.len ? strchr(answer.data, ' ') : NULL;
    if (space) *space = '\0';
    printf("%s\n", answer.len ? answer.data : "");
  }
  strbuf_clear(&answer);
  return rv;
}

int cli_resolve(const char *socket, int argc, char **argv) {
  static const struct option opts[] = {
      {"target-format", required_argument, 0, 't'}, {0, 0, 0, 0}};
  const char *format = "ipv4";
  int opt;
  while ((opt = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
    if (opt != 't') return 2;
    format = optarg;
  }
  if (optind + 1 != argc) {
    fprintf(stderr,
            "usage: mcc resolve [-t ipv4|ipv6|mac6|node-id] ADDRESS\n");
    return 2;
  }
  if (strchr(argv[optind], ' ') || strchr(format, ' ')) {
    fprintf(stderr, "mcc resolve: '%s' contains a space\n", argv[optind]);
    return 2;
  }
  char request[CTL_REQUEST_MAX];
  if ((size_t)snprintf(request, sizeof request, "resolve %s %s", format,
                       argv[optind]) >= sizeof request) {
    fprintf(stderr, "mcc resolve: argument too long\n");
    return 2;
  }
  return print_answer(socket, request);
}

int cli_route(const char *socket, int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: mcc route DESTINATION [SOURCE]\n");
    return 2;
  }
  char request[CTL_REQUEST_MAX];
  if ((size_t)snprintf(request, sizeof request, "route %s%s%s", argv[1],
                       argc == 3 ? " " : "", argc == 3 ? argv[2] : "") >=
          sizeof request ||
      strchr(argv[1], ' ') || (argc == 3 && strchr(argv[2], ' '))) {
    fprintf(stderr, "mcc route: not a node id\n");
    return 2;
  }
  strbuf answer;
  strbuf_init(&answer);
  int rv = ask(socket, request, &answer);
  if (rv == 0) {
    /* "next-hop ID ADDR [default]" then "hop ID" lines */
    size_t hop = 0;
    char *save = NULL;
    for (char *line = strtok_r(answer.data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
      char id[64] = "", addr[64] = "", flag[16] = "";
      if (sscanf(line, "next-hop %63s %63s %15s", id, addr, flag) >= 2) {
        printf("next hop: %s %s\n", id, addr);
        if (!strcmp(flag, "default"))
          printf("the destination is not known here: packets go to the "
                 "active parent\n");
      } else if (sscanf(line, "hop %63s", id) == 1) {
        printf("%3zu  %s\n", ++hop, id);
      }
    }
  }
  strbuf_clear(&answer);
  return rv;
}

/* ---- nodes ------------------------------------------------------------ */

typedef struct node_row {
  char *f[NODE_FIELDS]; /* id addr seen parent tags type relation */
} node_row;

static size_t split_rows(char *text, node_row *rows, size_t cap) {
  size_t n = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line && n < cap;
       line = strtok_r(NULL, "\n", &save)) {
    node_row r;
    size_t k = 0;
    char *p = line;
    while (k < NODE_FIELDS) {
      r.f[k++] = p;
      char *tab = strchr(p, '\t');
      if (!tab) break;
      *tab = '\0';
      p = tab + 1;
    }
    if (k == NODE_FIELDS) rows[n++] = r;
  }
  return n;
}

static const char *blank(const char *s) { return strcmp(s, "-") ? s : ""; }

static void format_seen(const char *ms_text, char *out, size_t outlen) {
  long long ms = strtoll(ms_text, NULL, 10);
  out[0] = '\0';
  if (ms <= 0) return;
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  localtime_r(&s, &tm);
  char date[32], zone[8];
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime(zone, sizeof zone, "%z", &tm);
  snprintf(out, outlen, "%s.%03lld%s", date, ms % 1000, zone);
}

static void print_table(const node_row *rows, size_t n) {
  printf("%-54s%-20s%-30s%-54s%-6s%s\n", "NODE_ID", "ADDRESS", "LAST_SEEN",
         "PARENT", "TAGS", "TYPE");
  for (size_t i = 0; i < n; i++) {
    char seen[48];
    format_seen(rows[i].f[2], seen, sizeof seen);
    printf("%-54s%-20s%-30s%-54s%-6s%s\n", rows[i].f[0], blank(rows[i].f[1]),
           seen, blank(rows[i].f[3]), blank(rows[i].f[4]),
           blank(rows[i].f[5]));
  }
}

static void set(void *obj, const char *name, const char *value) {
  agsafeset(obj, (char *)name, (char *)value, "");
}

/* The style of sim/dot.h: parents above children, roots double circles,
 * child -> active parent solid and bold. Nodes are named by id and labelled
 * by its first 8 characters. A node whose parent is not known here (our
 * own active parent: records travel up, so only its parents hold its
 * record) is no root: it gets a dashed edge to a "?" above it. */
static int print_graphviz(const node_row *rows, size_t n) {
  Agraph_t *g = agopen("mcc", Agdirected, NULL);
  if (!g) return 1;
  set(g, "rankdir", "BT");
  for (size_t i = 0; i < n; i++) {
    Agnode_t *v = agnode(g, rows[i].f[0], 1);
    char label[16];
    snprintf(label, sizeof label, "%.8s", rows[i].f[0]);
    set(v, "label", label);
    if (!strcmp(rows[i].f[3], "-")) set(v, "shape", "doublecircle");
    if (!strcmp(rows[i].f[6], "self")) set(v, "style", "bold");
    if (strcmp(rows[i].f[4], "-")) set(v, "tags", rows[i].f[4]);
  }
  for (size_t i = 0; i < n; i++) {
    if (!strcmp(rows[i].f[3], "-")) continue;
    if (!strcmp(rows[i].f[3], "?")) {
      char name[80];
      snprintf(name, sizeof name, "%s?parent", rows[i].f[0]);
      Agnode_t *unknown = agnode(g, name, 1);
      set(unknown, "label", "?");
      set(unknown, "shape", "plaintext");
      Agedge_t *e = agedge(g, agnode(g, rows[i].f[0], 0), unknown, NULL, 1);
      if (e) set(e, "style", "dashed");
      continue;
    }
    Agnode_t *child = agnode(g, rows[i].f[0], 0);
    Agnode_t *parent = agnode(g, rows[i].f[3], 1);
    if (!agget(parent, "label") || !*agget(parent, "label")) {
      char label[16];
      snprintf(label, sizeof label, "%.8s", rows[i].f[3]);
      set(parent, "label", label);
    }
    Agedge_t *e = agedge(g, child, parent, NULL, 1);
    if (e) set(e, "penwidth", "2");
  }
  int bad = agwrite(g, stdout) != 0;
  agclose(g);
  return bad;
}

int cli_nodes(const char *socket, int argc, char **argv) {
  static const struct option opts[] = {
      {"output-format", required_argument, 0, 'f'}, {0, 0, 0, 0}};
  const char *format = "table";
  int opt;
  while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
    if (opt != 'f') return 2;
    format = optarg;
  }
  if (optind != argc || (strcmp(format, "table") && strcmp(format, "graphviz"))) {
    fprintf(stderr, "usage: mcc nodes [-f table|graphviz]\n");
    return 2;
  }
  strbuf answer;
  strbuf_init(&answer);
  int rv = ask(socket, "nodes", &answer);
  if (rv == 0 && answer.len) {
    size_t cap = 1;
    for (size_t i = 0; i < answer.len; i++) cap += answer.data[i] == '\n';
    node_row *rows = calloc(cap, sizeof *rows);
    if (!rows) {
      fprintf(stderr, "mcc nodes: out of memory\n");
      rv = 1;
    } else {
      size_t n = split_rows(answer.data, rows, cap);
      rv = !strcmp(format, "table") ? (print_table(rows, n), 0)
                                    : print_graphviz(rows, n);
      free(rows);
    }
  }
  strbuf_clear(&answer);
  return rv;
}
