/*
 * record_store.c — one copy of each signed record, shared by its holders.
 *
 * Why: every node holds the records of its subtree, so a record is copied
 * into each of its ancestors. In a chain the copies grow with the square of
 * the length; in the simulator, which holds every virtual node in one
 * process, they are most of the memory. A signed record never changes, so
 * its copies can be one: bodies are interned by content (hashed and
 * compared whole, the signatures included, so a forged record with the id
 * and sequence number of a genuine one is a different body) and counted;
 * a holder keeps a 32-bit handle and its own mutable fields.
 *
 * The simulator gives all its virtual nodes one store; a node given none
 * (mccd) makes its own, which then holds exactly its records. A store is
 * used by one thread at a time, as the nodes that share it are.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "record_store.h"

#define CONTENT_OFFSET offsetof(record_body, id)
#define FIXED_SIZE offsetof(record_body, extra)

/* A fixed key: the hash spreads chains, it guards nothing. Records reach
 * the store only after their signatures are checked, so nobody can choose
 * many of them to collide. */
static const uint8_t hash_key[crypto_shorthash_KEYBYTES];

static size_t content_len(const record_body *b) {
  return FIXED_SIZE - CONTENT_OFFSET + b->extra_len;
}

static uint32_t content_hash(const record_body *b) {
  uint8_t out[crypto_shorthash_BYTES];
  crypto_shorthash(out, (const uint8_t *)b + CONTENT_OFFSET, content_len(b),
                   hash_key);
  uint32_t h;
  memcpy(&h, out, sizeof h);
  return h;
}

static int same_content(const record_body *a, const record_body *b) {
  return a->hash == b->hash && a->extra_len == b->extra_len &&
         memcmp((const uint8_t *)a + CONTENT_OFFSET,
                (const uint8_t *)b + CONTENT_OFFSET, content_len(a)) == 0;
}

/* Fills b (zeroed, with room for w's extra) from w. */
static void body_from_wire(record_body *b, const wire_record *w) {
  b->id = w->cert.subject;
  b->parent = w->parent;
  b->issuer = w->cert.issuer;
  memcpy(b->cert_sig, w->cert.signature, 64);
  memcpy(b->sig, w->sig, 64);
  b->not_before = w->cert.not_before;
  b->not_after = w->cert.not_after;
  b->seq = w->seq;
  b->static_addr = w->static_addr;
  b->kind = w->cert.kind;
  b->wire_flags = w->flags;
  b->extra_len = w->extra_len;
  memcpy(b->extra, w->extra, w->extra_len);
  b->hash = content_hash(b);
  b->refs = 0;
  b->next = BODY_NONE;
}

void record_store_to_wire(const mcc_record_store *store, uint32_t handle,
                          wire_record *w) {
  const record_body *b = store->bodies[handle];
  w->cert.kind = b->kind;
  w->cert.not_before = b->not_before;
  w->cert.not_after = b->not_after;
  w->cert.subject = b->id;
  w->cert.issuer = b->issuer;
  memcpy(w->cert.signature, b->cert_sig, 64);
  w->seq = b->seq;
  w->flags = b->wire_flags;
  w->parent = b->parent;
  w->static_addr = b->static_addr;
  w->extra_len = b->extra_len;
  memcpy(w->extra, b->extra, b->extra_len);
  memcpy(w->sig, b->sig, 64);
}

int mcc_record_store_new(mcc_record_store **pstore) {
  if (!pstore) return MCC_ERR_INVALID_ARGUMENT;
  if (sodium_init() < 0) return MCC_ERR_NOMEM;
  *pstore = calloc(1, sizeof **pstore);
  return *pstore ? 0 : MCC_ERR_NOMEM;
}

void mcc_record_store_free(mcc_record_store *store) {
  if (!store) return;
  for (uint32_t h = 0; h < store->nbodies; h++) free(store->bodies[h]);
  free(store->bodies);
  free(store->free_handles);
  free(store->heads);
  free(store);
}

size_t mcc_record_store_memory(const mcc_record_store *store) {
  if (!store) return 0;
  return sizeof *store + store->body_bytes +
         (size_t)store->capbodies * sizeof *store->bodies +
         (size_t)store->capfree * sizeof *store->free_handles +
         (size_t)store->nheads * sizeof *store->heads;
}

size_t mcc_record_store_count(const mcc_record_store *store) {
  return store ? store->live : 0;
}

void mcc_record_store_each(const mcc_record_store *store,
                           mcc_record_body_fn fn, void *user) {
  for (uint32_t h = 0; store && h < store->nbodies; h++) {
    const record_body *b = store->bodies[h];
    if (b)
      fn(user, (const uint8_t *)b + CONTENT_OFFSET, content_len(b),
         FIXED_SIZE + b->extra_len);
  }
}

static uint32_t *chain_head(const mcc_record_store *store, uint32_t hash) {
  return &store->heads[hash & (store->nheads - 1)];
}

/* Chains of one or two: heads grow with the bodies held (live). A
 * private store (a leaf's) holds a body or two, so it starts small. */
static int grow_heads(mcc_record_store *store, uint32_t live) {
  uint32_t want = store->nheads ? store->nheads : 4;
  while (want < live / 2) want *= 2;
  if (want == store->nheads) return 0;
  uint32_t *heads = malloc((size_t)want * sizeof *heads);
  if (!heads) return MCC_ERR_NOMEM;
  for (uint32_t i = 0; i < want; i++) heads[i] = BODY_NONE;
  free(store->heads);
  store->heads = heads;
  store->nheads = want;
  for (uint32_t h = 0; h < store->nbodies; h++) {
    record_body *b = store->bodies[h];
    if (!b) continue;
    uint32_t *head = chain_head(store, b->hash);
    b->next = *head;
    *head = h;
  }
  return 0;
}

/* A free handle (reused first), with room kept to give it back. */
static int take_handle(mcc_record_store *store, uint32_t *phandle) {
  if (store->nfree) {
    *phandle = store->free_handles[--store->nfree];
    return 0;
  }
  if (store->nbodies == BODY_NONE) return MCC_ERR_LIMIT;
  if (store->nbodies == store->capbodies) {
    uint32_t cap = store->capbodies ? store->capbodies * 2 : 2;
    record_body **b = realloc(store->bodies, (size_t)cap * sizeof *b);
    if (!b) return MCC_ERR_NOMEM;
    store->bodies = b;
    store->capbodies = cap;
  }
  if (store->capfree < store->capbodies) {
    /* Every handle can be freed at once: room now, not on release. */
    uint32_t *f = realloc(store->free_handles,
                          (size_t)store->capbodies * sizeof *f);
    if (!f) return MCC_ERR_NOMEM;
    store->free_handles = f;
    store->capfree = store->capbodies;
  }
  store->bodies[store->nbodies] = NULL;
  *phandle = store->nbodies++;
  return 0;
}

static uint32_t find(const mcc_record_store *store, const record_body *b) {
  if (!store->nheads) return BODY_NONE;
  uint32_t h = *chain_head(store, b->hash);
  while (h != BODY_NONE && !same_content(store->bodies[h], b))
    h = store->bodies[h]->next;
  return h;
}

int record_store_intern(mcc_record_store *store, const wire_record *w,
                        uint32_t *phandle) {
  _Alignas(record_body) uint8_t buf[FIXED_SIZE + MCC_MAX_EXTRA_LEN];
  record_body *probe = (record_body *)buf;
  memset(buf, 0, FIXED_SIZE); /* padding too: the content is compared whole */
  body_from_wire(probe, w);
  uint32_t h = find(store, probe);
  if (h != BODY_NONE) {
    store->bodies[h]->refs++;
    *phandle = h;
    return 0;
  }
  int rv = take_handle(store, &h);
  if (rv == 0 && (rv = grow_heads(store, store->live + 1)) != 0)
    store->free_handles[store->nfree++] = h; /* room is kept for it */
  size_t size = FIXED_SIZE + probe->extra_len;
  record_body *b = rv == 0 ? malloc(size) : NULL;
  if (rv == 0 && !b) {
    store->free_handles[store->nfree++] = h;
    rv = MCC_ERR_NOMEM;
  }
  if (rv != 0) return rv;
  memcpy(b, probe, size);
  uint32_t *head = chain_head(store, b->hash);
  b->next = *head;
  *head = h;
  b->refs = 1;
  store->bodies[h] = b;
  store->live++;
  store->body_bytes += size;
  *phandle = h;
  return 0;
}

void record_store_release(mcc_record_store *store, uint32_t handle) {
  if (handle == BODY_NONE) return;
  record_body *b = store->bodies[handle];
  if (--b->refs) return;
  uint32_t *ref = chain_head(store, b->hash);
  while (*ref != handle) ref = &store->bodies[*ref]->next;
  *ref = b->next;
  store->body_bytes -= FIXED_SIZE + b->extra_len;
  store->bodies[handle] = NULL;
  store->free_handles[store->nfree++] = handle;
  store->live--;
  free(b);
}
