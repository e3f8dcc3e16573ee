/*
 * route.c — Dijkstra over the graph this node knows. Vertices are the live
 * records (slot numbers) plus, when our active parent has no record here, a
 * vertex for it. Edges: each record to its parent's record; this node to its
 * children and its active parent, taken from live links only, so a first hop
 * is always a neighbour we can reach. Every edge weighs one hop today; the
 * weights are where link quality would go.
 */
#include <stdlib.h>

#include "node.h"

typedef struct edge_list {
  uint32_t *start; /* per vertex + 1, CSR offsets */
  uint32_t *to;
  uint32_t nedges;
} edge_list;

typedef struct heap_item {
  uint32_t dist, vertex;
} heap_item;

static void heap_push(heap_item *h, uint32_t *n, heap_item it) {
  uint32_t i = (*n)++;
  while (i > 0) {
    uint32_t p = (i - 1) / 2;
    if (h[p].dist < it.dist ||
        (h[p].dist == it.dist && h[p].vertex <= it.vertex))
      break;
    h[i] = h[p];
    i = p;
  }
  h[i] = it;
}

static heap_item heap_pop(heap_item *h, uint32_t *n) {
  heap_item top = h[0], last = h[--(*n)];
  uint32_t i = 0;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= *n) break;
    if (c + 1 < *n && (h[c + 1].dist < h[c].dist ||
                       (h[c + 1].dist == h[c].dist &&
                        h[c + 1].vertex < h[c].vertex)))
      c++;
    if (last.dist < h[c].dist ||
        (last.dist == h[c].dist && last.vertex <= h[c].vertex))
      break;
    h[i] = h[c];
    i = c;
  }
  h[i] = last;
  return top;
}

/* Calls add(a, b) for each undirected edge, twice per edge. */
#define FOR_EACH_EDGE(node, add)                                            \
  do {                                                                      \
    for (uint32_t s_ = 1; s_ < (node)->nrecs; s_++) {                       \
      const record *r_ = &(node)->recs[s_];                                 \
      if ((r_->flags & (REC_WITHDRAWN | REC_HAS_PARENT)) != REC_HAS_PARENT) \
        continue;                                                           \
      uint32_t p_;                                                          \
      const record *pr_ = state_find((node), &r_->parent, &p_);            \
      if (pr_ && p_ != 0 && !(pr_->flags & REC_WITHDRAWN)) {                \
        add(s_, p_);                                                        \
        add(p_, s_);                                                        \
      }                                                                     \
    }                                                                       \
    for (uint32_t c_ = 0; c_ < (node)->nchildren; c_++) {                   \
      uint32_t v_;                                                          \
      const record *cr_ =                                                   \
          state_find((node), &(node)->children[c_].peer, &v_);             \
      if (cr_ && !(cr_->flags & REC_WITHDRAWN)) {                           \
        add(0u, v_);                                                        \
        add(v_, 0u);                                                        \
      }                                                                     \
    }                                                                       \
    if ((node)->parent_vertex != NO_VERTEX) {                               \
      add(0u, (node)->parent_vertex);                                       \
      add((node)->parent_vertex, 0u);                                       \
    }                                                                       \
  } while (0)

int route_compute(mcc_node *node) {
  uint32_t nv = node->nrecs;
  node->parent_vertex = NO_VERTEX;
  if (node->up.state == PARENT_UP) {
    uint32_t p;
    const record *pr = state_find(node, &node->up.peer, &p);
    node->parent_vertex =
        (pr && !(pr->flags & REC_WITHDRAWN)) ? p : nv++;
  }
  if (nv > node->route_cap) {
    uint32_t *prev = realloc(node->route_prev, (size_t)nv * sizeof *prev);
    if (!prev) return MCC_ERR_NOMEM;
    node->route_prev = prev;
    node->route_cap = nv;
  }
  edge_list g = {calloc((size_t)nv + 1, sizeof(uint32_t)), NULL, 0};
  uint32_t *dist = malloc((size_t)nv * sizeof *dist);
  if (!g.start || !dist) goto nomem;

#define COUNT(a, b) (g.start[(a) + 1]++, g.nedges++)
  FOR_EACH_EDGE(node, COUNT);
#undef COUNT
  for (uint32_t v = 0; v < nv; v++) g.start[v + 1] += g.start[v];
  g.to = malloc((size_t)(g.nedges ? g.nedges : 1) * sizeof *g.to);
  uint32_t *fill = malloc((size_t)nv * sizeof *fill);
  heap_item *heap = malloc((size_t)(g.nedges + 1) * sizeof *heap);
  if (!g.to || !fill || !heap) {
    free(fill);
    free(heap);
    goto nomem;
  }
  memcpy(fill, g.start, (size_t)nv * sizeof *fill);
#define FILL(a, b) (g.to[fill[(a)]++] = (b))
  FOR_EACH_EDGE(node, FILL);
#undef FILL
  free(fill);

  for (uint32_t v = 0; v < nv; v++) {
    dist[v] = UINT32_MAX;
    node->route_prev[v] = NO_VERTEX;
  }
  uint32_t nheap = 0;
  dist[0] = 0;
  heap_push(heap, &nheap, (heap_item){0, 0});
  while (nheap) {
    heap_item it = heap_pop(heap, &nheap);
    if (it.dist > dist[it.vertex]) continue;
    for (uint32_t e = g.start[it.vertex]; e < g.start[it.vertex + 1]; e++) {
      uint32_t w = g.to[e], d = it.dist + 1;
      if (d < dist[w]) {
        dist[w] = d;
        node->route_prev[w] = it.vertex;
        heap_push(heap, &nheap, (heap_item){d, w});
      }
    }
  }
  free(heap);
  free(g.start);
  free(g.to);
  free(dist);
  node->routes_dirty = 0;
  return 0;
nomem:
  free(g.start);
  free(g.to);
  free(dist);
  return MCC_ERR_NOMEM;
}

void route_free(mcc_node *node) {
  free(node->route_prev);
  node->route_prev = NULL;
  node->route_cap = 0;
}
