/*
 * node_resolve.c — TEMPORARY stand-in for the resolver (being written in
 * resolve.c): slot k of a plain array is 10.83.0.(k+1) / 200::(k+1).
 */
#include <stdlib.h>

#include "node.h"

struct mcc_resolver {
  mcc_id ids[256];
  size_t n;
};

void mcc_resolver_free(struct mcc_resolver *r);
void mcc_resolver_free(struct mcc_resolver *r) { free(r); }

static size_t slot_of(mcc_node *node, const mcc_id *id) {
  struct mcc_resolver *r = node->resolver;
  for (size_t k = 0; k < r->n; k++)
    if (memcmp(r->ids[k].key, id->key, 32) == 0) return k;
  if (r->n == 256) return SIZE_MAX;
  r->ids[r->n] = *id;
  return r->n++;
}

int node_id_to_addrs(mcc_node *node, const mcc_id *id, uint8_t addr4[4],
                     uint8_t addr6[16]) {
  if (!node->resolver) {
    node->resolver = calloc(1, sizeof *node->resolver);
    if (!node->resolver) return MCC_ERR_NOMEM;
    slot_of(node, &node->keys.pub);
  }
  size_t k = slot_of(node, id);
  if (k == SIZE_MAX) return MCC_ERR_LIMIT;
  uint8_t a4[4] = {10, 83, 0, (uint8_t)(k + 1)};
  memcpy(addr4, a4, 4);
  memset(addr6, 0, 16);
  addr6[0] = 2;
  addr6[15] = (uint8_t)(k + 1);
  return 0;
}

int node_addr_to_id(mcc_node *node, int family, const uint8_t *addr,
                    mcc_id *id) {
  uint8_t a4[4], a6[16];
  if (node_id_to_addrs(node, &node->keys.pub, a4, a6) != 0)
    return MCC_ERR_NOMEM;
  size_t k = family == 4 ? addr[3] : addr[15];
  if (k == 0 || k > node->resolver->n) return MCC_ERR_NO_ROUTE;
  *id = node->resolver->ids[k - 1];
  return 0;
}

struct mcc_resolver *mcc_node_resolver(mcc_node *node) {
  return node->resolver;
}
