/*
 * record_store.h — the immutable, signed part of node records, interned by
 * content and reference-counted (record_store.c). A record is copied into
 * every ancestor of its node; the store keeps one body for all those copies
 * and each holder keeps a 32-bit handle plus its own mutable fields
 * (node.h, struct record).
 */
#ifndef MCC_RECORD_STORE_H
#define MCC_RECORD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#include "wire.h"

#define BODY_NONE UINT32_MAX

/* What a record says, as signed (plus the issuer's id, so that nodes that
 * index issuers differently share it). Never changed once interned: a new
 * version is a new body. The content from `id` to the end of `extra` is
 * hashed and compared whole, so two bodies alias only if every byte
 * agrees, the signature included. */
typedef struct record_body {
  uint32_t refs; /* holders; the body goes with the last */
  uint32_t next; /* next handle in its hash chain, or BODY_NONE */
  uint32_t hash;
  mcc_id id;
  mcc_id parent;
  mcc_id issuer;
  uint8_t cert_sig[64];
  uint8_t sig[64];
  uint32_t not_before, not_after;
  uint32_t seq;
  uint32_t static_addr;
  uint8_t kind;
  uint8_t wire_flags;
  uint8_t extra_len;
  uint8_t extra[]; /* dns names and tags, extra_len bytes */
} record_body;

struct mcc_record_store {
  record_body **bodies; /* by handle; NULL: a free handle */
  uint32_t nbodies, capbodies;
  uint32_t *free_handles; /* a stack of handles to reuse */
  uint32_t nfree, capfree;
  uint32_t *heads; /* hash chains; nheads, a power of two */
  uint32_t nheads;
  uint32_t live;        /* bodies held */
  size_t body_bytes;    /* their allocations */
};

static inline const record_body *record_store_body(
    const mcc_record_store *store, uint32_t handle) {
  return store->bodies[handle];
}

/* The body with w's content (w verified, or our own record), shared if one
 * is held already; it counts one more holder. MCC_ERR_NOMEM. */
int record_store_intern(mcc_record_store *store, const wire_record *w,
                        uint32_t *phandle);
/* One holder fewer; the last frees the body. BODY_NONE is ignored. */
void record_store_release(mcc_record_store *store, uint32_t handle);
/* Writes the body's content into w. */
void record_store_to_wire(const mcc_record_store *store, uint32_t handle,
                          wire_record *w);

#endif
