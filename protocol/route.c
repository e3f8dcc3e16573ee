/*
 * route.c — Dijkstra over the graph this node knows. Vertices are the live
 * records (slot numbers) plus, when our active parent has no record here, a
 * vertex for it. Edges: each record to its parent's record; this node to its
 * children and its active parent, taken from live links only, so a first hop
 * is always a neighbour we can reach. Every edge weighs one hop today; the
 * weights are where link quality would go.
 */
#include <stdlib.h>
#include <string.h>

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

/* A child link is an edge only for a child that made us its active
 * parent: its record came over this very link and names us. A candidate
 * probing us, or a former child whose newer record went elsewhere, is a
 * link but no way to reach that node. */
int route_child_edge(const mcc_node *node, const record *r, uint32_t link_id) {
  return !(r->flags & REC_WITHDRAWN) &&
         claim_has(node, r, link_id) &&
         (r->flags & REC_HAS_PARENT) &&
         memcmp(rec_body(node, r)->parent.key, node->keys.pub.key, 32) == 0;
}

/* Calls add(a, b) for each undirected edge, twice per edge. */
#define FOR_EACH_EDGE(node, add)                                            \
  do {                                                                      \
    for (uint32_t s_ = 1; s_ < (node)->nrecs; s_++) {                       \
      const record *r_ = &(node)->recs[s_];                                 \
      if ((r_->flags & (REC_WITHDRAWN | REC_HAS_PARENT)) != REC_HAS_PARENT) \
        continue;                                                           \
      uint32_t p_;                                                          \
      const record *pr_ =                                                   \
          state_find((node), &rec_body((node), r_)->parent, &p_);          \
      if (pr_ && p_ != 0 && !(pr_->flags & REC_WITHDRAWN)) {                \
        add(s_, p_);                                                        \
        add(p_, s_);                                                        \
      }                                                                     \
    }                                                                       \
    for (uint32_t c_ = 0; c_ < (node)->nchildren; c_++) {                   \
      uint32_t v_;                                                          \
      const record *cr_ =                                                   \
          state_find((node), &(node)->children[c_].peer, &v_);             \
      if (cr_ && route_child_edge((node), cr_, (node)->children[c_].id)) {   \
        add(0u, v_);                                                        \
        add(v_, 0u);                                                        \
      }                                                                     \
    }                                                                       \
    if ((node)->parent_vertex != NO_VERTEX) {                               \
      add(0u, (node)->parent_vertex);                                       \
      add((node)->parent_vertex, 0u);                                       \
    }                                                                       \
  } while (0)

/* The known graph in CSR form; sets node->parent_vertex. *pnv: vertices. */
static int build_graph(mcc_node *node, edge_list *g, uint32_t *pnv) {
  uint32_t nv = node->nrecs;
  node->parent_vertex = NO_VERTEX;
  if (node->up.state == PARENT_UP) {
    uint32_t p;
    const record *pr = state_find(node, &node->up.peer, &p);
    node->parent_vertex =
        (pr && !(pr->flags & REC_WITHDRAWN)) ? p : nv++;
  }
  g->start = calloc((size_t)nv + 1, sizeof(uint32_t));
  g->to = NULL;
  g->nedges = 0;
  if (!g->start) return MCC_ERR_NOMEM;
#define COUNT(a, b) (g->start[(a) + 1]++, g->nedges++)
  FOR_EACH_EDGE(node, COUNT);
#undef COUNT
  for (uint32_t v = 0; v < nv; v++) g->start[v + 1] += g->start[v];
  g->to = malloc((size_t)(g->nedges ? g->nedges : 1) * sizeof *g->to);
  uint32_t *fill = malloc((size_t)nv * sizeof *fill);
  if (!g->to || !fill) {
    free(fill);
    free(g->start);
    free(g->to);
    return MCC_ERR_NOMEM;
  }
  memcpy(fill, g->start, (size_t)nv * sizeof *fill);
#define FILL(a, b) (g->to[fill[(a)]++] = (b))
  FOR_EACH_EDGE(node, FILL);
#undef FILL
  free(fill);
  *pnv = nv;
  return 0;
}

/* Shortest paths from src: prev[v] is v's predecessor, NO_VERTEX when
 * unreachable (and for src). Ties go to the lower vertex, deterministically. */
static int dijkstra(const edge_list *g, uint32_t nv, uint32_t src,
                    uint32_t *prev) {
  uint32_t *dist = malloc((size_t)nv * sizeof *dist);
  heap_item *heap = malloc((size_t)(g->nedges + 1) * sizeof *heap);
  if (!dist || !heap) {
    free(dist);
    free(heap);
    return MCC_ERR_NOMEM;
  }
  for (uint32_t v = 0; v < nv; v++) {
    dist[v] = UINT32_MAX;
    prev[v] = NO_VERTEX;
  }
  uint32_t nheap = 0;
  dist[src] = 0;
  heap_push(heap, &nheap, (heap_item){0, src});
  while (nheap) {
    heap_item it = heap_pop(heap, &nheap);
    if (it.dist > dist[it.vertex]) continue;
    for (uint32_t e = g->start[it.vertex]; e < g->start[it.vertex + 1]; e++) {
      uint32_t w = g->to[e], d = it.dist + 1;
      if (d < dist[w]) {
        dist[w] = d;
        prev[w] = it.vertex;
        heap_push(heap, &nheap, (heap_item){d, w});
      }
    }
  }
  free(heap);
  free(dist);
  return 0;
}

int route_compute(mcc_node *node) {
  edge_list g;
  uint32_t nv;
  int rv = build_graph(node, &g, &nv);
  if (rv != 0) return rv;
  if (nv > node->route_cap) {
    uint32_t *prev = realloc(node->route_prev, (size_t)nv * sizeof *prev);
    if (!prev) {
      rv = MCC_ERR_NOMEM;
      goto out;
    }
    node->route_prev = prev;
    node->route_cap = nv;
  }
  rv = dijkstra(&g, nv, 0, node->route_prev);
  if (rv == 0) node->routes_dirty = 0;
out:
  free(g.start);
  free(g.to);
  return rv;
}

/* A vertex of the known graph: a live record, or our active parent when we
 * hold no record of it. */
static uint32_t vertex_of(const mcc_node *node, const mcc_id *id) {
  uint32_t slot;
  const record *r = state_find((mcc_node *)node, id, &slot);
  if (r && !(r->flags & REC_WITHDRAWN)) return slot;
  if (node->parent_vertex != NO_VERTEX && node->parent_vertex >= node->nrecs &&
      memcmp(id->key, node->up.peer.key, 32) == 0)
    return node->parent_vertex;
  return NO_VERTEX;
}

int route_between(mcc_node *node, const mcc_id *src, const mcc_id *dst,
                  mcc_route *route) {
  edge_list g;
  uint32_t nv;
  int rv = build_graph(node, &g, &nv);
  if (rv != 0) return rv;
  uint32_t from = vertex_of(node, src), to = vertex_of(node, dst);
  uint32_t *prev = malloc((size_t)nv * sizeof *prev);
  if (!prev) {
    rv = MCC_ERR_NOMEM;
  } else if (from == NO_VERTEX || to == NO_VERTEX || from == to) {
    rv = from == to && from != NO_VERTEX ? MCC_ERR_INVALID_ARGUMENT
                                          : MCC_ERR_NO_ROUTE;
  } else if ((rv = dijkstra(&g, nv, from, prev)) == 0) {
    if (prev[to] == NO_VERTEX) {
      rv = MCC_ERR_NO_ROUTE;
    } else {
      size_t len = 0;
      for (uint32_t v = to; v != from; v = prev[v]) len++;
      memset(route, 0, sizeof *route);
      size_t k = len;
      for (uint32_t v = to; v != from; v = prev[v])
        if (--k < MCC_ROUTE_MAX_HOPS)
          route->hops[k] = *vertex_id(node, v);
      route->hops_len = len < MCC_ROUTE_MAX_HOPS ? len : MCC_ROUTE_MAX_HOPS;
      route->next_hop = route->hops[0];
    }
  }
  free(prev);
  free(g.start);
  free(g.to);
  return rv;
}

void route_free(mcc_node *node) {
  free(node->route_prev);
  node->route_prev = NULL;
  node->route_cap = 0;
}
