/*
 * partition.c — nodes to partitions by subtree (partition.h). A node's
 * first parent (its edge of the lowest order) makes a forest; its
 * depth-first order keeps every subtree contiguous, so equal runs of it
 * cut only the few links near the cuts and the links to second parents.
 * A node's work is about 1 + its children (it handles their keep-alives
 * and updates); when one node's alone is over half a partition's share
 * (a star's root), its partition would hold up every window while the
 * others wait, so there is one partition then. Nodes on a cycle of first parents, with no root above them, are started
 * from in index order, so every node is reached exactly once.
 */
#include <stdlib.h>

#include <mcc/mcc.h>

#include "partition.h"

#define NONE UINT32_MAX

int sim_partition(const sim_topology *t, unsigned want, uint32_t *part) {
  size_t n = t->nnodes;
  unsigned nparts = want ? want : 1;
  if (n < nparts) nparts = n ? (unsigned)n : 1;
  if (nparts == 1) {
    for (size_t i = 0; i < n; i++) part[i] = 0;
    return 1;
  }
  uint32_t *first = malloc(n * sizeof *first);    /* first parent */
  uint32_t *order = malloc(n * sizeof *order);    /* its edge's order */
  uint32_t *start = calloc(n + 1, sizeof *start); /* children, CSR */
  uint32_t *child = malloc(n * sizeof *child);
  uint32_t *stack = malloc(n * sizeof *stack);
  uint32_t *dfs = malloc(n * sizeof *dfs);
  uint8_t *seen = calloc(n, 1);
  int rv = MCC_ERR_NOMEM;
  if (!first || !order || !start || !child || !stack || !dfs || !seen)
    goto out;
  /* order[] counts children first: the hub check */
  for (size_t i = 0; i < n; i++) order[i] = 0;
  for (size_t k = 0; k < t->nedges; k++)
    if (t->edges[k].parent < n) order[t->edges[k].parent]++;
  uint64_t hub = 0, total = n + t->nedges;
  for (size_t i = 0; i < n; i++)
    if (1 + (uint64_t)order[i] > hub) hub = 1 + (uint64_t)order[i];
  if (2 * hub * nparts > total) {
    for (size_t i = 0; i < n; i++) part[i] = 0;
    rv = 1;
    goto out;
  }
  for (size_t i = 0; i < n; i++) first[i] = order[i] = NONE;
  for (size_t k = 0; k < t->nedges; k++) {
    const sim_topo_edge *ed = &t->edges[k];
    if (ed->child < n && ed->parent < n && ed->child != ed->parent &&
        ed->order < order[ed->child]) {
      first[ed->child] = ed->parent;
      order[ed->child] = ed->order;
    }
  }
  for (size_t i = 0; i < n; i++)
    if (first[i] != NONE) start[first[i] + 1]++;
  for (size_t i = 0; i < n; i++) start[i + 1] += start[i];
  for (size_t i = 0; i < n; i++) order[i] = start[i]; /* next free slot */
  for (size_t i = 0; i < n; i++)
    if (first[i] != NONE) child[order[first[i]]++] = (uint32_t)i;
  size_t nd = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t r = 0; r < n; r++) {
      /* roots first, then what a cycle of first parents left over */
      if (seen[r] || (pass == 0 && first[r] != NONE)) continue;
      size_t sp = 0;
      stack[sp++] = (uint32_t)r;
      seen[r] = 1;
      while (sp) {
        uint32_t v = stack[--sp];
        dfs[nd++] = v;
        for (uint32_t c = start[v + 1]; c-- > start[v];)
          if (!seen[child[c]]) {
            seen[child[c]] = 1;
            stack[sp++] = child[c];
          }
      }
    }
  for (size_t k = 0; k < nd; k++)
    part[dfs[k]] = (uint32_t)((uint64_t)k * nparts / nd);
  rv = (int)nparts;
out:
  free(first);
  free(order);
  free(start);
  free(child);
  free(stack);
  free(dfs);
  free(seen);
  return rv;
}
