/*
 * node_resolve.c — the node's resolver (resolve.c): node ids to the
 * node-local addresses its TUN device uses, and back. Created on first use,
 * so a node that never carries a user packet never pays for it; the node's
 * own id is pinned first and so always has the first address of each
 * network (10.83.0.1, 200::1). The DNS names of the records the node holds
 * are kept in it as records change. The data plane's lookups are uses at
 * the node's clock (node->now_ns), so a mapping that carries traffic
 * stays; they are not under the creation cap that queries are.
 */
#include <stdlib.h>

#include <mcc/resolve.h>

#include "node.h"

/* A record's dns names as a comma list. */
static size_t names_of(const record_body *b, char *out, size_t outlen) {
  size_t n = 0;
  for (size_t i = 0; i + 2 <= b->extra_len; i += 2u + b->extra[i + 1]) {
    size_t len = b->extra[i + 1];
    if (b->extra[i] != WIRE_EXTRA_DNS_NAME || n + len + 2 > outlen) continue;
    if (n) out[n++] = ',';
    memcpy(out + n, b->extra + i + 2, len);
    n += len;
  }
  out[n] = '\0';
  return n;
}

void node_resolver_static(mcc_node *node, const mcc_id *id, uint32_t addr) {
  if (!node->resolver || !memcmp(id->key, node->keys.pub.key, 32)) return;
  uint8_t a[4] = {addr >> 24, addr >> 16, addr >> 8, addr};
  int rv = mcc_resolver_set_static(node->resolver, id, addr ? a : NULL,
                                   node->now_ns);
  if (rv != MCC_ERR_CONFLICT) return;
  mcc_id holder;
  char who[MCC_ID_TEXT_LEN + 1], other[MCC_ID_TEXT_LEN + 1] = "?";
  mcc_id_to_text(id, who);
  if (mcc_resolver_lookup_ipv4(node->resolver, a, &holder, node->now_ns) == 0)
    mcc_id_to_text(&holder, other);
  node->stats.static_conflicts++;
  node_log(node, MCC_LOG_WARN,
           "static address %u.%u.%u.%u claimed by %s is held by %s: the "
           "first keeps it",
           a[0], a[1], a[2], a[3], who, other);
}

static void feed_names(mcc_node *node, const record_body *b) {
  char names[MCC_MAX_EXTRA_LEN + 1];
  size_t n = names_of(b, names, sizeof names);
  /* A list with a name DNS does not allow (records allow more) leaves that
   * node without names; ids and addresses resolve all the same. */
  mcc_resolver_set_names(node->resolver, &b->id, names, n);
  if (b->static_addr) node_resolver_static(node, &b->id, b->static_addr);
}

static int ensure(mcc_node *node) {
  if (node->resolver) return 0;
  mcc_resolver_settings s;
  if (node->resolver_settings)
    s = *node->resolver_settings;
  else
    mcc_resolver_settings_default(&s);
  /* A secret hash key keeps chosen ids from colliding in its tables; the
   * addresses handed out do not depend on it. */
  node->cb.random(node->cb.user_data, s.hash_key, sizeof s.hash_key);
  mcc_resolver *r = malloc(sizeof *r);
  if (!r) return MCC_ERR_NOMEM;
  int rv = mcc_resolver_init(r, &s);
  mcc_resolve_addrs own;
  if (rv == 0) rv = mcc_resolver_pin(r, &node->keys.pub, &own, node->now_ns);
  if (rv != 0) {
    mcc_resolver_clear(r);
    free(r);
    return rv;
  }
  node->resolver = r;
  for (uint32_t i = 0; i < node->nrecs; i++) {
    const record_body *b = rec_body(node, &node->recs[i]);
    if (!(node->recs[i].flags & REC_WITHDRAWN) &&
        (b->extra_len || b->static_addr))
      feed_names(node, b);
  }
  return 0;
}

void node_resolver_on_record(mcc_node *node, const record *rec, int gone) {
  const record_body *r = rec_body(node, rec);
  /* A static address is made here as soon as a record claims one, so
   * that two nodes claiming the same one are caught where their records
   * meet (ensure() feeds every record held, this one included). */
  if (!node->resolver && r->static_addr && !gone && ensure(node) != 0)
    return;
  if (!node->resolver) return;
  if (gone) {
    mcc_resolver_set_names(node->resolver, &r->id, "", 0);
    if (r->static_addr) { /* only if it is the one holding it */
      mcc_id holder;
      uint32_t x = r->static_addr;
      uint8_t a[4] = {x >> 24, x >> 16, x >> 8, x};
      if (mcc_resolver_lookup_ipv4(node->resolver, a, &holder,
                                   node->now_ns) == 0 &&
          !memcmp(holder.key, r->id.key, 32))
        node_resolver_static(node, &r->id, 0);
    }
  } else {
    if (!r->static_addr) node_resolver_static(node, &r->id, 0);
    feed_names(node, r);
  }
}

int node_id_to_addrs(mcc_node *node, const mcc_id *id, uint8_t addr4[4],
                     uint8_t addr6[16]) {
  int rv = ensure(node);
  mcc_resolve_addrs a;
  if (rv == 0)
    rv = mcc_resolver_lookup_id(node->resolver, id, &a, node->now_ns);
  if (rv != 0) return rv;
  memcpy(addr4, a.ipv4, 4);
  memcpy(addr6, a.ipv6, 16);
  return 0;
}

int node_addr_to_id(mcc_node *node, int family, const uint8_t *addr,
                    mcc_id *id) {
  int rv = ensure(node);
  if (rv != 0) return rv;
  return family == 4
             ? mcc_resolver_lookup_ipv4(node->resolver, addr, id, node->now_ns)
             : mcc_resolver_lookup_ipv6(node->resolver, addr, id, node->now_ns);
}

struct mcc_resolver *mcc_node_resolver(mcc_node *node) {
  return ensure(node) == 0 ? node->resolver : NULL;
}

void node_resolver_free(mcc_node *node) {
  if (node->resolver) {
    mcc_resolver_clear(node->resolver);
    free(node->resolver);
  }
  free(node->resolver_settings);
}

size_t node_resolver_memory(const mcc_node *node) {
  return node->resolver
             ? sizeof *node->resolver + mcc_resolver_memory(node->resolver)
             : 0;
}
