/*
 * claim.c — which child links carry a record's version.
 *
 * A record is held as long as some child link claims it: it announced
 * that version and has neither withdrawn it nor gone. Usually one link
 * does; while a subtree moves, or while a stale copy climbs from a node
 * that has not yet noticed it lost that subtree, two or more do, and the
 * record must outlive all but the last claim: dropping it on the first
 * withdrawal loses a live node, keeping it past the last keeps a dead one.
 * The first claim lives in the record (via); further ones, rare and
 * short-lived, in one list per node, so a record stays small: a root holds
 * one record per node of the network.
 */
#include <stdlib.h>

#include "node.h"

static int extra_find(const mcc_node *node, const mcc_id *id, uint32_t link) {
  for (uint32_t k = 0; k < node->nclaims; k++)
    if (node->claims[k].link == link &&
        memcmp(node->claims[k].id.key, id->key, 32) == 0)
      return (int)k;
  return -1;
}

static void extra_remove(mcc_node *node, uint32_t k) {
  node->claims[k] = node->claims[--node->nclaims];
}

int claim_has(const mcc_node *node, const record *r, uint32_t link) {
  return r->via == link ||
         (node->nclaims && extra_find(node, &rec_body(node, r)->id, link) >= 0);
}

int claim_add(mcc_node *node, record *r, uint32_t link) {
  if (claim_has(node, r, link)) return 0;
  if (node->nclaims == node->capclaims) {
    uint32_t cap = node->capclaims ? node->capclaims * 2 : 4;
    record_claim *c = realloc(node->claims, (size_t)cap * sizeof *c);
    if (!c) return MCC_ERR_NOMEM;
    node->claims = c;
    node->capclaims = cap;
  }
  node->claims[node->nclaims].id = rec_body(node, r)->id;
  node->claims[node->nclaims].link = link;
  node->nclaims++;
  return 1;
}

/* r's first extra claim, if any, moves into the record. */
static void promote(mcc_node *node, record *r) {
  for (uint32_t k = 0; k < node->nclaims; k++) {
    if (memcmp(node->claims[k].id.key, rec_body(node, r)->id.key, 32) != 0) continue;
    r->via = node->claims[k].link;
    extra_remove(node, k);
    return;
  }
}

/* Any link may be named: one that does not claim r changes nothing. */
int claim_drop(mcc_node *node, record *r, uint32_t link) {
  if (r->via == link) {
    r->via = VIA_NONE;
    if (node->nclaims) promote(node, r);
    return r->via == VIA_NONE;
  }
  int k = node->nclaims ? extra_find(node, &rec_body(node, r)->id, link) : -1;
  if (k >= 0) extra_remove(node, (uint32_t)k);
  return 0;
}

void claim_forget(mcc_node *node, const record *r) {
  for (uint32_t k = 0; k < node->nclaims;) {
    if (memcmp(node->claims[k].id.key, rec_body(node, r)->id.key, 32) == 0)
      extra_remove(node, k);
    else
      k++;
  }
}

void claim_reset(mcc_node *node, record *r, uint32_t link) {
  if (node->nclaims) claim_forget(node, r);
  r->via = link;
}

void claim_free(mcc_node *node) {
  free(node->claims);
  node->claims = NULL;
  node->nclaims = node->capclaims = 0;
}

size_t claim_memory(const mcc_node *node) {
  return (size_t)node->capclaims * sizeof *node->claims;
}
