/*
 * engine_ranks.c — what crosses between MPI ranks (engine_internal.h):
 * the datagrams a window sent to another rank's partition, the journals
 * every rank replays (so every rank's scenario runner sees the same
 * callbacks in the same order), the view of other ranks' nodes the
 * runner's measurements read, and the distinct record bodies of the
 * state figure. Records travel as fixed little headers plus their bytes;
 * the ranks run the same build on the same kind of machine, so the
 * fields go in host order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "fatal.h"
#include "store_memory.h"

/* ---- a byte buffer --------------------------------------------------------- */

typedef struct buf {
  uint8_t *p;
  size_t len, cap;
  int nomem;
} buf;

static void put(buf *b, const void *data, size_t len) {
  if (b->nomem) return;
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->nomem = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, len);
  b->len += len;
}

#define WHAT "exchanging with the other ranks"

static void nomem(void) { sim_out_of_memory(WHAT); }

static part *my_part(sim_engine *e) {
  return e->comm->rank < e->nparts ? &e->parts[e->comm->rank] : NULL;
}

/* ---- datagrams -------------------------------------------------------------- */

typedef struct wire_event {
  uint64_t at, seq;
  uint32_t node, from, len, tag_flow, tag_seq;
} wire_event;

uint64_t ranks_exchange(sim_engine *e) {
  sim_comm *c = e->comm;
  part *p = my_part(e);
  size_t n = c->size, *lens = sim_xcalloc(n, sizeof *lens, WHAT);
  size_t *at = sim_xcalloc(n, sizeof *at, WHAT);
  size_t *rlens = sim_xcalloc(n, sizeof *rlens, WHAT);
  size_t total = 0, count = p ? p->out.len : 0;
  for (size_t j = 0; j < count; j++) {
    size_t size = sizeof(wire_event) + p->out.items[j].len;
    lens[e->nodes[p->out.items[j].node].part] += size;
    total += size;
  }
  for (size_t r = 1; r < n; r++) at[r] = at[r - 1] + lens[r - 1];
  uint8_t *send = sim_xmalloc(total, WHAT), *recv = NULL;
  for (size_t j = 0; j < count; j++) { /* in out-box order, per rank */
    event *ev = &p->out.items[j];
    wire_event w;
    memset(&w, 0, sizeof w); /* its padding goes on the wire too */
    w.at = ev->at, w.seq = ev->seq, w.node = ev->node;
    w.from = ev->from, w.len = ev->len;
    w.tag_flow = ev->tag_flow, w.tag_seq = ev->tag_seq;
    size_t *o = &at[e->nodes[ev->node].part];
    memcpy(send + *o, &w, sizeof w);
    if (ev->len) memcpy(send + *o + sizeof w, ev->data, ev->len);
    *o += sizeof w + ev->len;
    free(ev->data);
  }
  if (p) p->out.len = 0;
  if (c->alltoall(c, send, lens, &recv, rlens) != 0) nomem();
  size_t rtotal = 0, moved = 0;
  for (size_t r = 0; r < n; r++) rtotal += rlens[r];
  for (size_t off = 0; off + sizeof(wire_event) <= rtotal; moved++) {
    wire_event w;
    memcpy(&w, recv + off, sizeof w);
    off += sizeof w;
    event ev = {w.at,  w.seq,      w.node,    w.from,
                w.len, w.tag_flow, w.tag_seq, sim_xmalloc(w.len, WHAT)};
    memcpy(ev.data, recv + off, w.len);
    off += w.len;
    if (engine_push(e, ev) != 0) nomem();
  }
  free(send);
  free(recv);
  free(lens);
  free(at);
  free(rlens);
  return moved;
}

/* ---- journals ----------------------------------------------------------------- */

typedef struct wire_jrec {
  uint64_t at, seq;
  uint32_t node, kind, a, b;
  int32_t c;
  uint32_t len;
} wire_jrec;

/* Records of rank r's run [*off, end) into js. */
static int read_run(sim_journal *js, const uint8_t *all, size_t *off,
                    size_t end) {
  int rv = 0;
  while (rv == 0 && *off + sizeof(wire_jrec) <= end) {
    wire_jrec w;
    memcpy(&w, all + *off, sizeof w);
    *off += sizeof w;
    sim_jrec rec = {w.at, w.seq, w.node, w.kind, w.a, w.b, w.c, 0, NULL};
    rv = sim_journal_add(js, &rec, all + *off, w.len);
    *off += w.len;
  }
  *off = end;
  return rv;
}

/* Captured datagrams and packets go to rank 0 alone, which writes the
 * pcaps; deliveries, drops and lookups to every rank, whose measurements
 * follow them. The merge puts them back in key order. */
int ranks_gather_journals(sim_engine *e, sim_journal *js) {
  sim_comm *c = e->comm;
  part *p = my_part(e);
  buf shared = {0}, captured = {0};
  for (size_t k = 0; p && k < p->journal.len; k++) {
    const sim_jrec *r = &p->journal.r[k];
    buf *b = r->kind == J_NET || r->kind == J_INNER ? &captured : &shared;
    wire_jrec w;
    memset(&w, 0, sizeof w);
    w.at = r->at, w.seq = r->seq, w.node = r->node, w.kind = r->kind;
    w.a = r->a, w.b = r->b, w.c = r->c, w.len = r->len;
    put(b, &w, sizeof w);
    put(b, r->data, r->len);
  }
  if (p) sim_journal_clear(&p->journal);
  if (shared.nomem || captured.nomem) return MCC_ERR_NOMEM;
  size_t *lens = sim_xcalloc(c->size, sizeof *lens, WHAT);
  uint8_t *all = NULL;
  int rv = c->allgather(c, shared.p, shared.len, &all, lens);
  free(shared.p);
  size_t off = 0;
  for (unsigned r = 0; rv == 0 && r < c->size; r++)
    rv = read_run(&js[r], all, &off, off + lens[r]);
  free(all);
  if (e->capturing) { /* the same on every rank */
    size_t *send_lens = sim_xcalloc(c->size, sizeof *send_lens, WHAT);
    send_lens[0] = captured.len;
    uint8_t *got = NULL;
    memset(lens, 0, c->size * sizeof *lens);
    int crv = c->alltoall(c, captured.p, send_lens, &got, lens);
    if (rv == 0) rv = crv;
    off = 0;
    for (unsigned r = 0; rv == 0 && r < c->size; r++)
      rv = read_run(&js[r], got, &off, off + lens[r]);
    free(got);
    free(send_lens);
  }
  free(captured.p);
  free(lens);
  return rv;
}

/* ---- the view of every node ------------------------------------------------------ */

void ranks_view_parents(sim_engine *e) {
  if (e->view_parent && e->parent_gen == e->state_gen) return;
  size_t n = e->n ? e->n : 1;
  if (!e->view_parent)
    e->view_parent = sim_xcalloc(n, sizeof *e->view_parent, WHAT);
  for (uint32_t i = 0; i < e->n; i++)
    e->view_parent[i] = engine_local(e, i) ? engine_node_parent(e, i) : 0;
  e->comm->or_bytes(e->comm, e->view_parent, e->n * sizeof *e->view_parent);
  e->parent_gen = e->state_gen;
}

void ranks_view_counters(sim_engine *e) {
  if (e->view_counters && e->counters_gen == e->state_gen) return;
  size_t n = e->n ? e->n : 1;
  if (!e->view_counters)
    e->view_counters = sim_xcalloc(n, sizeof *e->view_counters, WHAT);
  memset(e->view_counters, 0, e->n * sizeof *e->view_counters);
  for (uint32_t i = 0; i < e->n; i++)
    if (engine_local(e, i)) e->view_counters[i] = e->nodes[i].c;
  e->comm->or_bytes(e->comm, e->view_counters,
                    e->n * sizeof *e->view_counters);
  e->counters_gen = e->state_gen;
}

/* ---- distinct record bodies -------------------------------------------------------- */

size_t ranks_store_memory(sim_engine *e) {
  sim_comm *c = e->comm;
  part *p = my_part(e);
  sim_body_sum *mine = NULL;
  size_t n = 0, cap = 0;
  if (p) sim_store_sums(p->store, &mine, &n, &cap);
  size_t *lens = sim_xcalloc(c->size, sizeof *lens, WHAT);
  uint8_t *all = NULL;
  if (c->allgather(c, mine, n * sizeof *mine, &all, lens) != 0) nomem();
  size_t total = 0;
  for (unsigned r = 0; r < c->size; r++) total += lens[r];
  size_t bytes = sim_store_distinct_bytes((sim_body_sum *)(void *)all,
                                          total / sizeof *mine);
  free(all);
  free(lens);
  free(mine);
  return bytes;
}
