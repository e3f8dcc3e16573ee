/*
 * cost.c — a scenario's cost, estimated before it runs (cost.h). The
 * estimate is deliberately coarse: its job is to refuse what cannot
 * possibly run (a flow every nanosecond, 16 million nodes on a laptop),
 * not to predict run times.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mcc/mcc.h>

#include "cost.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

uint64_t sim_cost_generated_nodes(const sim_topo_spec *t) {
  switch (t->kind) {
  case SIM_TOPO_TREE: {
    uint64_t total = 1, level = 1;
    for (unsigned d = 0; d < t->depth; d++) {
      level *= t->fanout;
      total += level;
      if (total > UINT32_MAX) return UINT32_MAX; /* the generator refuses */
    }
    return total;
  }
  case SIM_TOPO_LINEAR:
  case SIM_TOPO_CYCLIC:
  case SIM_TOPO_STAR:
  case SIM_TOPO_RANDOM:
    return t->n;
  case SIM_TOPO_GRID: {
    uint64_t n = (uint64_t)t->w * t->h;
    return n > UINT32_MAX ? UINT32_MAX : n;
  }
  default:
    return 0;
  }
}

double sim_cost_memory_limit(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || size <= 0) return 8.0 * GIB; /* unknown: assume 16 GiB */
  return (double)pages * (double)size / 2;
}

static int by_flow_name(const void *a, const void *b) {
  return strcmp((*(const sim_event *const *)a)->flow,
                (*(const sim_event *const *)b)->flow);
}

/* When a flow stops: its `flow stop` (a flow name is used once), else the
 * end of the run. stops: the stop events sorted by name. */
static uint64_t flow_end(const sim_scenario *sc, const sim_event *start,
                         const sim_event **stops, size_t nstops) {
  const sim_event **hit =
      nstops ? bsearch(&start, stops, nstops, sizeof *stops, by_flow_name)
             : NULL;
  return hit ? (*hit)->time_ns : sc->duration_ns;
}

int sim_cost_check(const sim_scenario *sc, uint64_t nodes,
                   uint64_t keepalive_ns, double mem_limit, sim_cost *out,
                   char *err, size_t errlen) {
  sim_cost c;
  memset(&c, 0, sizeof c);
  if (!keepalive_ns) keepalive_ns = 30 * 1000000000ull;
  double periods = (double)sc->duration_ns / (double)keepalive_ns;
  c.node_events = (double)nodes * (periods + 1) * SIM_COST_EVENTS_PER_KEEPALIVE;
  c.node_bytes = (double)nodes * SIM_COST_BYTES_PER_NODE;
  c.events = c.node_events;
  c.bytes = c.node_bytes;
  /* The line that costs most, and what it costs. */
  unsigned ev_line = sc->topo.line, mem_line = sc->topo.line;
  double worst_events = c.node_events, worst_bytes = c.node_bytes;
  char ev_what[200], mem_what[200];
  snprintf(ev_what, sizeof ev_what, "%" PRIu64 " nodes for %.0f s", nodes,
           (double)sc->duration_ns / 1e9);
  snprintf(mem_what, sizeof mem_what, "%" PRIu64 " nodes of %.0f bytes",
           nodes, SIM_COST_BYTES_PER_NODE);
  size_t tags = 0, nstops = 0;
  const sim_event **stops = malloc((sc->nevents + 1) * sizeof *stops);
  if (!stops) {
    snprintf(err, errlen, "%s: out of memory", sc->path);
    return MCC_ERR_NOMEM;
  }
  for (size_t k = 0; k < sc->nevents; k++)
    if (sc->events[k].kind == SIM_EV_FLOW_STOP) stops[nstops++] = &sc->events[k];
  qsort(stops, nstops, sizeof *stops, by_flow_name);
  int rv = 0;
  for (size_t k = 0; k < sc->nevents && !rv; k++) {
    const sim_event *ev = &sc->events[k];
    double packets, per_packet = SIM_COST_BYTES_PER_PACKET;
    char what[200];
    if (ev->kind == SIM_EV_FLOW_START) {
      uint64_t end = flow_end(sc, ev, stops, nstops);
      packets = ev->every_ns && end > ev->time_ns
                    ? (double)(end - ev->time_ns) / (double)ev->every_ns + 1
                    : 1;
      snprintf(what, sizeof what, "flow %s: %.3g packets", ev->flow, packets);
    } else if (ev->kind == SIM_EV_PING_ALL) {
      double all = (double)nodes * (double)(nodes ? nodes - 1 : 0);
      packets = ev->ping_max && (double)ev->ping_max < all
                    ? (double)ev->ping_max
                    : all;
      snprintf(what, sizeof what, "ping all: %.3g pairs", packets);
      per_packet = SIM_COST_BYTES_PER_PAIR;
    } else if (ev->kind == SIM_EV_PING) {
      packets = 1;
      snprintf(what, sizeof what, "ping");
    } else {
      continue;
    }
    if (++tags > SIM_COST_TAGS_MAX) {
      snprintf(err, errlen,
               "%s:%u: %s: more than %u flows and pings in one run (each "
               "needs its own tag)",
               sc->path, ev->line, sim_event_kind_name(ev->kind),
               SIM_COST_TAGS_MAX);
      rv = MCC_ERR_LIMIT;
      break;
    }
    if (ev->kind == SIM_EV_FLOW_START && packets > (double)UINT32_MAX) {
      snprintf(err, errlen,
               "%s:%u: flow start: %s would send %.3g packets, more than "
               "the limit of %u for one flow; make every= longer",
               sc->path, ev->line, ev->flow, packets, UINT32_MAX);
      rv = MCC_ERR_LIMIT;
      break;
    }
    double e = packets * SIM_COST_EVENTS_PER_PACKET;
    double b = packets * per_packet;
    c.events += e;
    c.bytes += b;
    if (e > worst_events) {
      worst_events = e;
      ev_line = ev->line;
      snprintf(ev_what, sizeof ev_what, "%s", what);
    }
    if (b > worst_bytes) {
      worst_bytes = b;
      mem_line = ev->line;
      snprintf(mem_what, sizeof mem_what, "%s", what);
    }
  }
  free(stops);
  if (rv) return rv;
  if (out) *out = c;
  if (c.events > SIM_COST_EVENTS_MAX) {
    snprintf(err, errlen,
             "%s:%u: the run would take about %.3g simulator events (%s), "
             "more than the limit of %.0f (2^32); make it smaller or "
             "shorter",
             sc->path, ev_line, c.events, ev_what, SIM_COST_EVENTS_MAX);
    return MCC_ERR_LIMIT;
  }
  if (c.bytes > mem_limit) {
    snprintf(err, errlen,
             "%s:%u: the run would need about %.1f GiB of memory (%s), "
             "more than half of this machine's %.1f GiB; make it smaller",
             sc->path, mem_line, c.bytes / GIB, mem_what,
             2 * mem_limit / GIB);
    return MCC_ERR_LIMIT;
  }
  return 0;
}
