/*
 * lookups.c — the scenario's `resolve` events (lookups.h). Each question
 * remembers who asked, for whom and when; the engine passes the core's
 * answers (lookup_done) here. An answer counts as found when it names the
 * right node; anything else (no such node, no root reached, a timeout, a
 * question still open at the end of the run) counts as failed.
 * Questions waiting for an answer are found by (asker, token) in a hash
 * table: `resolve leaves` asks one per leaf, 10^5 and more at once.
 */
#include "lookups.h"

#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "wire.h"
#include "fatal.h"

#define WHAT "asking lookups"

typedef struct question {
  uint32_t from, target, token;
  uint64_t asked_ns;
  int open;
} question;

struct sim_lookups {
  sim_engine *e;
  const sim_topology *topo;
  int by_name;
  question *q;
  size_t nq, capq;
  /* (asker, token) + 1 -> index in q, open addressing; never emptied, a
   * question answered stays (its open flag says so) */
  uint64_t *keys;
  uint32_t *slots;
  size_t mask, used;
  double count, found, failed, max_s;
};

static void answered(sim_lookups *l, question *q, int status,
                     const mcc_id *id) {
  q->open = 0;
  const mcc_id *want = sim_engine_node_id(l->e, q->target);
  if (status == MCC_LOOKUP_FOUND && id && memcmp(id->key, want->key, 32) == 0)
    l->found++;
  else
    l->failed++;
  double s = (double)(sim_engine_now(l->e) - q->asked_ns) / 1e9;
  if (s > l->max_s) l->max_s = s;
}

static uint64_t pending_key(uint32_t node, uint32_t token) {
  return ((uint64_t)node << 32 | token) + 1;
}

static size_t pending_home(const sim_lookups *l, uint64_t key) {
  return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & l->mask;
}

static void pending_grow(sim_lookups *l) {
  size_t cap = l->mask ? 2 * (l->mask + 1) : 256;
  uint64_t *keys = sim_xcalloc(cap, sizeof *keys, WHAT);
  uint32_t *slots = sim_xcalloc(cap, sizeof *slots, WHAT);
  uint64_t *old_keys = l->keys;
  uint32_t *old_slots = l->slots;
  size_t old_cap = l->mask ? l->mask + 1 : 0;
  l->keys = keys;
  l->slots = slots;
  l->mask = cap - 1;
  for (size_t i = 0; i < old_cap; i++) {
    if (!old_keys[i]) continue;
    size_t j = pending_home(l, old_keys[i]);
    while (keys[j]) j = (j + 1) & l->mask;
    keys[j] = old_keys[i];
    slots[j] = old_slots[i];
  }
  free(old_keys);
  free(old_slots);
}

/* A question whose answer comes later. */
static void pending_add(sim_lookups *l, uint32_t node, uint32_t token,
                        uint32_t index) {
  if ((l->used + 1) * 2 > (l->mask ? l->mask + 1 : 0)) pending_grow(l);
  uint64_t key = pending_key(node, token);
  size_t i = pending_home(l, key);
  while (l->keys[i]) i = (i + 1) & l->mask;
  l->keys[i] = key;
  l->slots[i] = index;
  l->used++;
}

static void on_lookup(void *user, uint32_t node, uint32_t token, int status,
                      const mcc_id *id) {
  sim_lookups *l = user;
  if (!l->mask) return;
  uint64_t key = pending_key(node, token);
  /* a token may come back after its asker restarted: the open one wins */
  for (size_t i = pending_home(l, key); l->keys[i]; i = (i + 1) & l->mask)
    if (l->keys[i] == key && l->q[l->slots[i]].open) {
      answered(l, &l->q[l->slots[i]], status, id);
      return;
    }
}

int sim_lookups_new(sim_lookups **pl, sim_engine *e, const sim_topology *topo,
                    int by_name) {
  sim_lookups *l = calloc(1, sizeof *l);
  if (!l) return MCC_ERR_NOMEM;
  l->e = e;
  l->topo = topo;
  l->by_name = by_name;
  sim_engine_on_lookup(e, on_lookup, l);
  *pl = l;
  return 0;
}

void sim_lookups_free(sim_lookups *l) {
  if (!l) return;
  free(l->q);
  free(l->keys);
  free(l->slots);
  free(l);
}

void sim_lookups_ask(sim_lookups *l, uint32_t from, uint32_t target) {
  if (!sim_engine_alive(l->e, from)) return;
  if (l->nq == l->capq) {
    size_t cap = l->capq ? 2 * l->capq : 64;
    l->q = sim_xrealloc(l->q, cap * sizeof *l->q, WHAT);
    l->capq = cap;
  }
  question *q = &l->q[l->nq];
  *q = (question){from, target, 0, sim_engine_now(l->e), 1};
  l->count++;
  const char *name = l->topo->nodes[target].name;
  const mcc_id *id = sim_engine_node_id(l->e, target);
  int status = -1;
  mcc_id got;
  int rv = l->by_name
               ? sim_engine_lookup(l->e, from, MCC_LOOKUP_NAME, name,
                                   strlen(name), &status, &got, &q->token)
               : sim_engine_lookup(l->e, from, MCC_LOOKUP_ID, id, sizeof *id,
                                   &status, &got, &q->token);
  if (rv == 1)
    answered(l, q, status, &got);
  else if (rv != 0)
    answered(l, q, -1, NULL);
  else
    pending_add(l, from, q->token, (uint32_t)l->nq);
  l->nq++;
  sim_engine_poke(l->e, from); /* its question goes out on its own clock */
}

void sim_lookups_ask_leaves(sim_lookups *l) {
  size_t n = l->topo->nnodes;
  uint8_t *parent = sim_xcalloc(n, 1, WHAT);
  uint32_t *leaves = sim_xcalloc(n, sizeof *leaves, WHAT);
  size_t nl = 0;
  for (size_t k = 0; k < l->topo->nedges; k++)
    parent[l->topo->edges[k].parent] = 1;
  for (uint32_t i = 0; i < n; i++)
    if (!parent[i]) leaves[nl++] = i;
  for (size_t k = 0; nl > 1 && k < nl; k++)
    sim_lookups_ask(l, leaves[k], leaves[(k + nl / 2) % nl]);
  free(parent);
  free(leaves);
}

void sim_lookups_fill(const sim_lookups *l, sim_metrics *m) {
  double open = 0;
  for (size_t i = 0; i < l->nq; i++) open += l->q[i].open;
  m->lookup_count = l->count;
  m->lookup_found = l->found;
  m->lookup_failed = l->failed + open;
  m->lookup_max_s = l->max_s;
  m->lookup_bytes = (double)(sim_engine_type_bytes(l->e, WIRE_LOOKUP) +
                             sim_engine_type_bytes(l->e, WIRE_LOOKUP_REPLY));
}
