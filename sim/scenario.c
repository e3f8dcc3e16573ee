/*
 * scenario.c — the scenario file parser's entry points (scenario.h; the
 * format is in scenarios/README.md) and the checks that need the whole
 * file: required directives, events within the run, tunnels that exist
 * for the events that name them, and a timeline that makes sense once
 * sorted. Lines go to scenario_directives.c, the tools
 * are in scenario_lex.c. Stops at the first error, which names the file,
 * the line, the directive, what was expected and what was found.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>

#include "scenario_parse.h"

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
  char *k = scn_chunk_alloc(&p->scratch, lx + ly + 2);
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
    case SIM_EV_RESTART: /* alive before and after (checked below) */
      m = 1, key = ev->a, on = 1;
      break;
    case SIM_EV_CUT:
    case SIM_EV_RESTORE:
      m = 2, key = link_key(p, ev), on = ev->kind == SIM_EV_CUT;
      break;
    default:
      continue;
    }
    slot *sl = key ? scn_strmap_get(&maps[m], key, &fresh) : NULL;
    if (!sl) {
      rv = scn_nomem(p);
      break;
    }
    p->line = ev->line;
    scn_fmt_time(t, sizeof t, ev->time_ns);
    if (m == 0 && on && !fresh)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "flow start: a flow named '%s' is already started on line %u "
                "(each flow needs its own name)",
                key, (unsigned)sl->index);
    else if (m == 0 && !on && fresh)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "flow stop: no flow named '%s' is started before %s", key, t);
    else if (m == 0 && !on && !sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "flow stop: flow '%s' is already stopped on line %u", key,
                sl->line);
    else if (ev->kind == SIM_EV_RESTART && sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "restart: %s is dead at %s (killed on line %u; revive it "
                "instead)",
                key, t, sl->line);
    else if (m == 1 && on && sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "kill: %s is already dead at %s (killed on line %u)", key, t,
                sl->line);
    else if (m == 1 && !on && !sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "revive: %s is not dead at %s (no kill before it)", key, t);
    else if (m == 2 && on && sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "cut: the link between %s and %s is already cut at %s (on "
                "line %u)",
                ev->a, ev->b, t, sl->line);
    else if (m == 2 && !on && !sl->state)
      rv = scn_fail(p, MCC_ERR_VALUE,
                "restore: the link between %s and %s is not cut at %s (no "
                "cut before it)",
                ev->a, ev->b, t);
    if (m == 0 && on) sl->index = ev->line;
    if (ev->kind == SIM_EV_RESTART) continue;
    sl->state = on;
    sl->line = ev->line;
  }
  for (int m = 0; m < 3; m++) scn_strmap_free(&maps[m]);
  return rv;
}

/* The events that name a tunnel, in time order: the tunnel exists; a flow
 * to it comes from another node than its server, a flow from it goes back
 * to its client (the nodes the runner sends between are filled in); a
 * tunnel is revoked at an end only where it is in place, and added back
 * only where it is missing. A tunnel whose first add or revoke is an add
 * starts missing at both ends. */
static int check_tunnels(parser *p) {
  sim_scenario *s = p->s;
  unsigned *missing = calloc(s->ntunnels + 1, sizeof *missing);
  unsigned *since = calloc(2 * s->ntunnels + 1, sizeof *since);
  uint8_t *seen = calloc(s->ntunnels + 1, 1);
  int rv = 0, fresh;
  char t[32];
  if (!missing || !since || !seen) rv = scn_nomem(p);
  for (size_t i = 0; i < s->nevents && !rv; i++) {
    sim_event *ev = &s->events[i];
    if (!ev->tunnel) continue;
    const char *what = ev->kind == SIM_EV_FLOW_START ? "flow start"
                       : ev->kind == SIM_EV_TUNNEL_ADD ? "tunnel add"
                                                       : "tunnel revoke";
    p->line = ev->line;
    slot *sl = scn_strmap_get(&p->tunnels, ev->tunnel, &fresh);
    if (!sl) {
      rv = scn_nomem(p);
      break;
    }
    if (fresh) {
      rv = scn_fail(p, MCC_ERR_VALUE,
                    "%s: no tunnel named '%s' (declare it with a line such "
                    "as 'tunnel %s client n1 server n2 targets tcp:80')",
                    what, ev->tunnel, ev->tunnel);
      sl->index = SIZE_MAX;
      break;
    }
    size_t k = sl->index;
    sim_tunnel_spec *tn = &s->tunnels[k];
    scn_fmt_time(t, sizeof t, ev->time_ns);
    if (ev->kind == SIM_EV_FLOW_START && ev->end == SIM_FLOW_TO_TUNNEL) {
      if (strcmp(ev->a, tn->server) == 0)
        rv = scn_fail(p, MCC_ERR_VALUE,
                      "flow start: %s holds the server end of tunnel %s; a "
                      "flow to it comes from another node",
                      ev->a, tn->name);
      ev->b = tn->server;
      continue;
    }
    if (ev->kind == SIM_EV_FLOW_START) {
      if (strcmp(ev->b, tn->client) != 0)
        rv = scn_fail(p, MCC_ERR_VALUE,
                      "flow start: a flow from tunnel %s goes back to its "
                      "client, %s, got 'to %s'",
                      tn->name, tn->client, ev->b);
      ev->a = tn->server;
      continue;
    }
    if (!seen[k]++ && ev->kind == SIM_EV_TUNNEL_ADD) {
      tn->starts_missing = 1;
      missing[k] = SIM_END_BOTH;
    }
    if (ev->kind == SIM_EV_TUNNEL_ADD && !missing[k])
      rv = scn_fail(p, MCC_ERR_VALUE,
                    "tunnel add: tunnel '%s' is in place at both ends at %s "
                    "(revoke it first)",
                    tn->name, t);
    else if (ev->kind == SIM_EV_TUNNEL_REVOKE && (missing[k] & ev->ends)) {
      int end = missing[k] & ev->ends & SIM_END_CLIENT ? 0 : 1;
      rv = scn_fail(p, MCC_ERR_VALUE,
                    "tunnel revoke: tunnel '%s' is already revoked at its %s "
                    "at %s (on line %u)",
                    tn->name, end ? "server" : "client", t, since[2 * k + end]);
    }
    if (ev->kind == SIM_EV_TUNNEL_ADD) {
      missing[k] = 0;
    } else {
      missing[k] |= ev->ends;
      if (ev->ends & SIM_END_CLIENT) since[2 * k] = ev->line;
      if (ev->ends & SIM_END_SERVER) since[2 * k + 1] = ev->line;
    }
  }
  free(missing);
  free(since);
  free(seen);
  return rv;
}

/* The file name without directory and ".scn". */
static int default_name(parser *p) {
  const char *base = strrchr(p->s->path, '/');
  base = base ? base + 1 : p->s->path;
  size_t len = strlen(base);
  if (len > 4 && strcmp(base + len - 4, ".scn") == 0) len -= 4;
  if (!len) base = "scenario", len = strlen(base);
  if (!(p->s->name = scn_chunk_alloc(&p->s->chunks, len + 1))) return scn_nomem(p);
  memcpy(p->s->name, base, len);
  p->s->name[len] = '\0';
  return 0;
}

static int finish(parser *p, unsigned last_line) {
  sim_scenario *s = p->s;
  p->line = last_line;
  if (!p->topo_line)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "missing topology (expected a line such as 'topology tree "
                "fanout=2 depth=3' or 'topology file net.dot')");
  if (!p->duration_line)
    return scn_fail(p, MCC_ERR_SYNTAX,
                "missing duration (expected a line such as 'duration 1h')");
  if (!s->name && default_name(p) != 0) return MCC_ERR_NOMEM;
  if (s->topo.kind == SIM_TOPO_RANDOM && !s->topo.has_seed)
    s->topo.seed = s->seed;
  if (s->nevents) qsort(s->events, s->nevents, sizeof *s->events, by_time);
  int rv = check_tunnels(p);
  return rv ? rv : check_timeline(p);
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
  if (!(s->path = scn_sdup(&p, p.path))) {
    rv = scn_nomem(&p);
    goto out;
  }
  const char *c = text, *end = text + len;
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) c += 3; /* BOM */
  while (c < end) {
    const char *nl = memchr(c, '\n', (size_t)(end - c));
    const char *e = nl ? nl : end;
    if ((rv = scn_parse_line(&p, c, e))) goto out;
    c = nl ? nl + 1 : end;
    if (nl && c < end) p.line++;
  }
  rv = finish(&p, p.line);
out:
  mcc_conf_free(p.conf);
  scn_strmap_free(&p.nodes);
  scn_strmap_free(&p.tunnels);
  scn_chunks_free(p.scratch);
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
  size_t len = 0;
  char *buf = NULL;
  int rv = sim_read_regular_file(path, SIM_SCENARIO_MAX_BYTES, "scenario",
                                 &buf, &len, err, errlen);
  if (!rv) rv = sim_scenario_parse(s, path, buf, len, err, errlen);
  free(buf);
  return rv;
}

int sim_read_regular_file(const char *path, size_t max, const char *what,
                          char **pbuf, size_t *plen, char *err,
                          size_t errlen) {
  char dummy[1];
  if (!err || !errlen) err = dummy, errlen = sizeof dummy;
  *pbuf = NULL;
  *plen = 0;
  /* O_NONBLOCK: opening a FIFO with no writer must not hang; the check
   * below refuses it anyway. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MCC_ERR_INVALID_ARGUMENT;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    close(fd);
    return MCC_ERR_INVALID_ARGUMENT;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file (a %s is read from a "
             "regular file, not a device, FIFO or directory)", path, what);
    close(fd);
    return MCC_ERR_INVALID_ARGUMENT;
  }
  if ((uint64_t)st.st_size > max) {
    snprintf(err, errlen, "%s: %llu bytes, more than the limit of %zu for a "
             "%s file", path, (unsigned long long)st.st_size, max, what);
    close(fd);
    return MCC_ERR_LIMIT;
  }
  /* Read at most max + 1 bytes, growing past the size fstat gave only if
   * the file grows meanwhile: a file that grows beyond max is refused. */
  size_t cap = (size_t)st.st_size + 2, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      snprintf(err, errlen, "%s: out of memory", path);
      close(fd);
      return MCC_ERR_NOMEM;
    }
    if (len + 1 == cap) { /* full: the file grew */
      if (len > max) break;
      size_t ncap = cap * 2 < max + 2 ? cap * 2 : max + 2;
      char *nb = realloc(buf, ncap);
      if (!nb) free(buf);
      buf = nb;
      cap = ncap;
      continue;
    }
    ssize_t got = read(fd, buf + len, cap - 1 - len);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      free(buf);
      close(fd);
      return MCC_ERR_INVALID_ARGUMENT;
    }
    if (got == 0) break;
    len += (size_t)got;
  }
  close(fd);
  if (len > max) {
    snprintf(err, errlen, "%s: more than the limit of %zu bytes for a %s "
             "file", path, max, what);
    free(buf);
    return MCC_ERR_LIMIT;
  }
  buf[len] = '\0';
  *pbuf = buf;
  *plen = len;
  return 0;
}

void sim_scenario_free(sim_scenario *s) {
  if (!s) return;
  scn_chunks_free(s->chunks);
  free(s->sets);
  free(s->nodes);
  free(s->tunnels);
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
  return (unsigned)op < 6 ? scn_op_names[op] : "?";
}

const char *sim_event_kind_name(sim_event_kind kind) {
  static const char *const names[] = {
      "kill",     "revive", "cut",     "restore",    "flow start",
      "flow stop", "ping all", "ping", "restart",    "tunnel add",
      "tunnel revoke", "resolve", "resolve leaves", "move"};
  return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
