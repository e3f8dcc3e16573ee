/*
 * journal.c — per-partition record buffers and their merge (journal.h).
 * Keys are unique (a node's sequence number never repeats), so the sort
 * is a total order and qsort's instability cannot show.
 */
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "journal.h"

static int reserve(sim_journal *j, size_t more) {
  if (j->len + more <= j->cap) return 0;
  size_t cap = j->cap ? j->cap : 256;
  while (cap < j->len + more) cap *= 2;
  sim_jrec *r = realloc(j->r, cap * sizeof *r);
  if (!r) return MCC_ERR_NOMEM;
  j->r = r;
  j->cap = cap;
  return 0;
}

int sim_journal_add(sim_journal *j, const sim_jrec *rec, const void *data,
                    size_t len) {
  uint8_t *copy = NULL;
  if (len) {
    copy = malloc(len);
    if (!copy) return MCC_ERR_NOMEM;
    memcpy(copy, data, len);
  }
  if (reserve(j, 1) != 0) {
    free(copy);
    return MCC_ERR_NOMEM;
  }
  sim_jrec *r = &j->r[j->len++];
  *r = *rec;
  r->len = (uint32_t)len;
  r->data = copy;
  return 0;
}

static int by_key(const void *x, const void *y) {
  const sim_jrec *a = x, *b = y;
  if (a->at != b->at) return a->at < b->at ? -1 : 1;
  if (a->node != b->node) return a->node < b->node ? -1 : 1;
  if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
  return 0;
}

int sim_journal_merge(sim_journal *merged, sim_journal *const *js, size_t n) {
  size_t total = 0;
  for (size_t k = 0; k < n; k++) total += js[k]->len;
  merged->len = 0;
  if (reserve(merged, total) != 0) return MCC_ERR_NOMEM;
  for (size_t k = 0; k < n; k++) {
    if (js[k]->len)
      memcpy(merged->r + merged->len, js[k]->r, js[k]->len * sizeof *js[k]->r);
    merged->len += js[k]->len;
    js[k]->len = 0;
  }
  if (merged->len > 1)
    qsort(merged->r, merged->len, sizeof *merged->r, by_key);
  return 0;
}

void sim_journal_clear(sim_journal *j) {
  for (size_t k = 0; k < j->len; k++) free(j->r[k].data);
  j->len = 0;
}

void sim_journal_free(sim_journal *j) {
  sim_journal_clear(j);
  free(j->r);
  j->r = NULL;
  j->cap = 0;
}
