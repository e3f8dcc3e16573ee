/*
 * fuzz_scenario.c — libFuzzer harness for the scenario file parser
 * (sim/scenario.c): arbitrary bytes as a .scn file. Checks that a parsed
 * scenario keeps the promises of scenario.h (events sorted and within the
 * run, required fields set, a sane idle window, tunnels that exist for the
 * events naming them), that an error leaves the
 * struct empty with a "path:line: " message, and that a second parse of the
 * same bytes gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PATH "fuzz/input.scn"

static void check_parsed(const sim_scenario *s) {
  if (!s->name || !s->path || s->topo.kind == SIM_TOPO_NONE ||
      s->duration_ns == 0)
    __builtin_trap();
  if (s->topo.kind == SIM_TOPO_FILE && (!s->topo.file || !s->topo.path))
    __builtin_trap();
  if (s->has_idle &&
      (s->idle_from_ns >= s->idle_to_ns || s->idle_to_ns > s->duration_ns))
    __builtin_trap();
  for (size_t i = 0; i < s->nevents; i++) {
    const sim_event *e = &s->events[i];
    if (e->time_ns > s->duration_ns) __builtin_trap();
    if (i && (s->events[i - 1].time_ns > e->time_ns ||
              (s->events[i - 1].time_ns == e->time_ns &&
               s->events[i - 1].line >= e->line)))
      __builtin_trap();
    if (e->kind == SIM_EV_FLOW_START &&
        (!e->flow || !e->a || !e->b || e->every_ns == 0 ||
         e->size > SIM_FLOW_SIZE_MAX || strcmp(e->a, e->b) == 0))
      __builtin_trap();
    if ((e->kind == SIM_EV_CUT || e->kind == SIM_EV_PING) &&
        (!e->a || !e->b || strcmp(e->a, e->b) == 0))
      __builtin_trap();
  }
  for (size_t i = 0; i < s->nevents; i++) { /* a named tunnel exists */
    const sim_event *e = &s->events[i];
    size_t k = 0;
    while (e->tunnel && k < s->ntunnels && strcmp(s->tunnels[k].name, e->tunnel))
      k++;
    if (e->tunnel && k == s->ntunnels) __builtin_trap();
    if (e->end == SIM_FLOW_TO_TUNNEL && strcmp(e->b, s->tunnels[k].server))
      __builtin_trap();
    if (e->end == SIM_FLOW_FROM_TUNNEL &&
        (strcmp(e->a, s->tunnels[k].server) || strcmp(e->b, s->tunnels[k].client)))
      __builtin_trap();
  }
  for (size_t i = 0; i < s->ntunnels; i++) {
    const sim_tunnel_spec *t = &s->tunnels[i];
    if (!t->name || !t->client || !t->server || !strcmp(t->client, t->server) ||
        t->ntargets == 0 || t->ntargets > MCC_TUNNEL_MAX_TARGETS)
      __builtin_trap();
  }
  for (size_t i = 0; i < s->nexpects; i++)
    if (!s->expects[i].metric || !s->expects[i].text) __builtin_trap();
  for (size_t i = 0; i < s->nnodes; i++)
    if (!s->nodes[i].node ||
        s->nodes[i].network > SIM_SCENARIO_NETWORK_MAX)
      __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const sim_scenario empty;
  sim_scenario a, b;
  char ea[512], eb[512];
  int ra = sim_scenario_parse(&a, PATH, (const char *)data, size, ea,
                              sizeof ea);
  int rb = sim_scenario_parse(&b, PATH, (const char *)data, size, eb,
                              sizeof eb);
  if (ra != rb || strcmp(ea, eb) != 0) __builtin_trap();
  if (ra == 0) {
    check_parsed(&a);
    if (a.nevents != b.nevents || a.nexpects != b.nexpects ||
        a.nsets != b.nsets || strcmp(a.name, b.name) != 0)
      __builtin_trap();
  } else if (ra != MCC_ERR_NOMEM) {
    if (strncmp(ea, PATH ":", sizeof PATH) != 0 ||
        memcmp(&a, &empty, sizeof a) != 0)
      __builtin_trap();
  }
  sim_scenario_free(&a);
  sim_scenario_free(&b);
  return 0;
}
