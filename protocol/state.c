/*
 * state.c — node records and their propagation child -> parent.
 *
 * A node holds its own record and those of its subtree. Each record
 * remembers the child link it came over (via). Propagation to the active
 * parent is differential and acknowledged: a record is dirty until the
 * parent acks the UPDATE that carried its current version, and only dirty
 * records are ever sent, so a converged network sends no record bytes.
 * A newer sequence number supersedes an older record wherever it arrives;
 * when a child link dies, the records that came over it become tombstones
 * (withdrawals) that travel up the same way. Records move only on change
 * and a node keeps one version per id, so cycles cannot make them circulate.
 * What a record says is kept once per process in the record store
 * (record_store.c); a record here is a handle to it and this node's own
 * fields. Our own record is re-interned when it changes, signing included.
 */
#include <sodium.h>
#include <stdlib.h>

#include "cert.h"
#include "node.h"

static uint32_t id_hash(const mcc_id *id) {
  uint32_t h;
  memcpy(&h, id->key, sizeof h); /* keys are uniformly random */
  return h;
}

static const mcc_id *rec_id(const mcc_node *node, const record *r) {
  return &rec_body(node, r)->id;
}

static uint32_t rec_seq(const mcc_node *node, const record *r) {
  return rec_body(node, r)->seq;
}

/* items: the node (the ids live in its store) */
static uint32_t rec_hash_at(const void *items, uint32_t slot) {
  const mcc_node *node = items;
  return id_hash(rec_id(node, &node->recs[slot]));
}

record *state_find(mcc_node *node, const mcc_id *id, uint32_t *pslot) {
  for (uint32_t s = index_first(&node->rec_index, id_hash(id));
       s != INDEX_NIL; s = index_next(&node->rec_index, s))
    if (memcmp(rec_id(node, &node->recs[s])->key, id->key, 32) == 0) {
      if (pslot) *pslot = s;
      return &node->recs[s];
    }
  return NULL;
}

/* r now says what w says: w's body is interned, r's old one released. */
static int rec_rebody(mcc_node *node, record *r, const wire_record *w) {
  uint32_t body;
  int rv = record_store_intern(node->store, w, &body);
  if (rv != 0) return rv;
  record_store_release(node->store, r->body);
  r->body = body;
  return 0;
}

static void clear_inflight(mcc_node *node, record *r) {
  if (!(r->flags & REC_INFLIGHT)) return;
  node->ninflight_recs--;
  r->flags &= (uint8_t)~REC_INFLIGHT;
}

static void mark_dirty(mcc_node *node, record *r) {
  if (!(r->flags & REC_DIRTY)) node->ndirty++;
  clear_inflight(node, r);
  r->flags |= REC_DIRTY;
}

static void mark_clean(mcc_node *node, record *r) {
  if (r->flags & REC_DIRTY) node->ndirty--;
  clear_inflight(node, r);
  r->flags &= (uint8_t)~REC_DIRTY;
}

/* The window of UPDATEs in flight exists only while one is: most nodes,
 * leaves above all, send one UPDATE when they join and then none. */
static int flights_alloc(mcc_node *node) {
  if (node->flights) return 1;
  node->flights = calloc(UPDATE_WINDOW, sizeof *node->flights);
  if (!node->flights) return 0;
  for (int f = 0; f < UPDATE_WINDOW; f++) node->flights[f].retx_at_ns = NEVER;
  return 1;
}

static void flights_release(mcc_node *node) {
  if (!node->flights) return;
  for (uint32_t f = 0; f < UPDATE_WINDOW; f++) free(node->flights[f].slots);
  free(node->flights);
  node->flights = NULL;
  node->nflights = 0;
}

/* Frees place f of the window (and the window with its last place). */
static void flight_end(mcc_node *node, uint32_t f) {
  update_flight *fl = &node->flights[f];
  free(fl->slots);
  fl->slots = NULL;
  fl->n = 0;
  fl->retx_at_ns = NEVER;
  if (--node->nflights == 0) flights_release(node);
}

/* The slot of flight f's k-th record if this flight still carries its
 * newest version in flight (not changed since, not sent again in a later
 * UPDATE), else INDEX_NIL. */
static uint32_t flight_slot(const mcc_node *node, uint32_t f, uint32_t k) {
  uint32_t slot = node->flights[f].slots[k];
  if (slot == INDEX_NIL) return INDEX_NIL;
  const record *r = &node->recs[slot];
  return (r->flags & REC_INFLIGHT) && r->flight == f ? slot : INDEX_NIL;
}

/* Gives flight f up: what it carried is dirty, not in flight, again.
 * Every record in flight is in its flight's list, so this is all of them. */
static void flight_give_up(mcc_node *node, uint32_t f) {
  for (uint32_t k = 0; k < node->flights[f].n; k++) {
    uint32_t slot = flight_slot(node, f, k);
    if (slot != INDEX_NIL) clear_inflight(node, &node->recs[slot]);
  }
  flight_end(node, f);
}

/* A verified wire record is r's new version. */
static int rec_set(mcc_node *node, record *r, const wire_record *w,
                   uint32_t via, uint64_t now) {
  int rv = rec_rebody(node, r, w);
  if (rv != 0) return rv;
  claim_reset(node, r, via);
  r->last_change_s = (uint32_t)(now / NS_PER_S);
  r->flags = (uint8_t)((r->flags & (REC_DIRTY | REC_INFLIGHT)) |
                       ((w->flags & WIRE_RECORD_HAS_PARENT) ? REC_HAS_PARENT
                                                            : 0));
  node_resolver_on_record(node, r, 0);
  return 0;
}

static void rec_to_wire(const mcc_node *node, const record *r,
                        wire_record *w) {
  record_store_to_wire(node->store, r->body, w);
}

/* Our own record is signed when first sent; the signed version is a new
 * body (copy on write: the unsigned one may be shared). If the store has
 * no room for it, the record stays unsigned and is signed again next time
 * (Ed25519 signatures are deterministic: the same bytes). */
void state_record_to_wire(mcc_node *node, record *r, wire_record *w) {
  rec_to_wire(node, r, w);
  if (r->flags & REC_UNSIGNED) {
    wire_signer signer = node_signer(node);
    wire_record_sign(w, &signer);
    if (rec_rebody(node, r, w) == 0) r->flags &= (uint8_t)~REC_UNSIGNED;
  }
}

static record *rec_insert(mcc_node *node, const wire_record *w, uint32_t via,
                          uint64_t now) {
  if (node->nrecs == node->caprecs) {
    /* Grow by 1/32, not 2x: the slack is memory every record pays for,
     * and the root of a large network holds one record per node. */
    uint32_t step = node->caprecs / 32;
    uint32_t cap = node->caprecs + (step < 2 ? 2 : step);
    record *n = realloc(node->recs, (size_t)cap * sizeof *n);
    if (!n) return NULL;
    node->recs = n;
    node->caprecs = cap;
  }
  if (index_reserve(&node->rec_index, node->caprecs, node->nrecs, rec_hash_at,
                    node) != 0)
    return NULL;
  record *r = &node->recs[node->nrecs];
  memset(r, 0, sizeof *r);
  r->body = BODY_NONE;
  if (rec_set(node, r, w, via, now) != 0) return NULL;
  index_insert(&node->rec_index, node->nrecs, id_hash(rec_id(node, r)));
  node->nrecs++;
  return r;
}

static void rec_remove(mcc_node *node, uint32_t slot) {
  record *r = &node->recs[slot];
  node_resolver_on_record(node, r, 1);
  claim_forget(node, r);
  mark_clean(node, r);
  index_remove(&node->rec_index, slot, id_hash(rec_id(node, r)));
  record_store_release(node->store, r->body);
  uint32_t last = node->nrecs - 1;
  if (slot != last) {
    index_move(&node->rec_index, last, slot,
               id_hash(rec_id(node, &node->recs[last])));
    node->recs[slot] = node->recs[last];
  }
  node->nrecs--;
  for (uint32_t f = 0; node->flights && f < UPDATE_WINDOW; f++) {
    update_flight *fl = &node->flights[f];
    for (uint32_t k = 0; k < fl->n; k++) {
      if (fl->slots[k] == slot)
        fl->slots[k] = INDEX_NIL;
      else if (fl->slots[k] == last)
        fl->slots[k] = slot;
    }
  }
  node->routes_dirty = 1;
}

static int encode_names(uint8_t *extra, size_t *plen, uint8_t kind,
                        const char *list) {
  if (!list) return 0;
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    const char *start = p;
    while (*p && *p != ',') p++;
    const char *end = p;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
    size_t n = (size_t)(end - start);
    if (n == 0) continue;
    if (n > 255 || *plen + 2 + n > MCC_MAX_EXTRA_LEN) return MCC_ERR_LIMIT;
    extra[(*plen)++] = kind;
    extra[(*plen)++] = (uint8_t)n;
    memcpy(extra + *plen, start, n);
    *plen += n;
  }
  return 0;
}

/* Our own record with a sequence number above any we used. It is signed
 * only when it is about to be sent (a root never sends it): signing is
 * most of what a node costs to start, and the simulator starts 10^5. */
static void self_refresh(mcc_node *node, uint32_t at_least, uint64_t now) {
  record *self = &node->recs[0];
  wire_record w;
  rec_to_wire(node, self, &w);
  uint64_t unix_s = node_unix_s(node);
  uint32_t seq = w.seq + 1;
  if (at_least > seq) seq = at_least;
  if (unix_s > seq && unix_s <= UINT32_MAX) seq = (uint32_t)unix_s;
  w.seq = seq;
  w.flags = node->up.state == PARENT_UP ? WIRE_RECORD_HAS_PARENT : 0;
  memset(w.parent.key, 0, 32);
  if (node->up.state == PARENT_UP) w.parent = node->up.peer;
  rec_set(node, self, &w, VIA_SELF, now); /* extra fits: same length */
  self->flags |= REC_UNSIGNED;
  mark_dirty(node, self);
  node->routes_dirty = 1;
}

int state_init(mcc_node *node, const char *dns_names, const char *tags,
               uint32_t static_addr, uint64_t now) {
  wire_record w;
  memset(&w, 0, sizeof w);
  size_t extra_len = 0;
  int rv = encode_names(w.extra, &extra_len, WIRE_EXTRA_DNS_NAME, dns_names);
  if (rv == 0) rv = encode_names(w.extra, &extra_len, WIRE_EXTRA_TAG, tags);
  if (rv != 0) return rv;
  rv = wire_extra_check(w.extra, extra_len);
  if (rv != 0) return rv;
  w.extra_len = (uint8_t)extra_len;
  w.cert = node->cert;
  w.static_addr = static_addr;
  if (!node->store) {
    if (mcc_record_store_new(&node->store) != 0) return MCC_ERR_NOMEM;
    node->own_store = 1;
  }
  node->caprecs = 1; /* a leaf knows only itself */
  node->recs = calloc(node->caprecs, sizeof *node->recs);
  if (!node->recs) return MCC_ERR_NOMEM;
  if (index_reserve(&node->rec_index, node->caprecs, 0, rec_hash_at, node) !=
      0)
    return MCC_ERR_NOMEM;
  w.seq = 0;
  if (!rec_insert(node, &w, VIA_SELF, now)) return MCC_ERR_NOMEM;
  self_refresh(node, 1, now);
  return 0;
}

void state_free(mcc_node *node) {
  flights_release(node);
  for (uint32_t s = 0; node->store && s < node->nrecs; s++)
    record_store_release(node->store, node->recs[s].body);
  free(node->recs);
  node->recs = NULL;
  node->nrecs = 0;
  index_clear(&node->rec_index);
  claim_free(node);
  if (node->own_store) mcc_record_store_free(node->store);
  node->store = NULL;
}

/* Forgets the UPDATEs in flight (their records stay dirty): their acks
 * would come with counters of keys no longer in use. */
static void abandon_flights(mcc_node *node) {
  for (uint32_t f = 0; node->flights && f < UPDATE_WINDOW; f++)
    if (node->flights[f].retx_at_ns != NEVER) flight_give_up(node, f);
  node->update_rto_ns = UPDATE_RTO_NS;
}

void state_on_rekey(mcc_node *node, uint64_t now) {
  abandon_flights(node);
  state_flush(node, now);
}

void state_on_parent_changed(mcc_node *node, uint64_t now) {
  abandon_flights(node);
  for (uint32_t s = node->nrecs; s-- > 1;) {
    if (node->recs[s].flags & REC_WITHDRAWN)
      rec_remove(node, s); /* the new parent never had it */
    else
      mark_dirty(node, &node->recs[s]);
  }
  self_refresh(node, 0, now);
  state_flush(node, now);
}

static void withdraw(mcc_node *node, uint32_t slot) {
  record *r = &node->recs[slot];
  if (node->up.state != PARENT_UP) {
    rec_remove(node, slot);
    return;
  }
  node_resolver_on_record(node, r, 1);
  r->flags |= REC_WITHDRAWN; /* keeps its body: the id and seq are sent */
  mark_dirty(node, r);
  node->routes_dirty = 1;
}

void state_on_link_lost(mcc_node *node, uint32_t link_id, uint64_t now) {
  for (uint32_t s = node->nrecs; s-- > 1;) {
    record *r = &node->recs[s];
    if (!(r->flags & REC_WITHDRAWN) && claim_drop(node, r, link_id)) {
      withdraw(node, s);
      node->stats.records_withdrawn++;
    }
  }
  state_flush(node, now);
}

/* Walks the entries of an UPDATE body; with apply == 0 it only checks. */
static int walk_update(mcc_node *node, const child_link *from,
                       const uint8_t *body, size_t bodylen, int apply,
                       uint64_t now) {
  size_t i = 0;
  while (i < bodylen) {
    uint8_t type = body[i++];
    if (type == WIRE_ENTRY_WITHDRAW) {
      if (bodylen - i < WIRE_WITHDRAW_LEN - 1) return MCC_ERR_TRUNCATED;
      mcc_id id;
      memcpy(id.key, body + i, 32);
      uint32_t seq = get_be32(body + i + 32);
      i += WIRE_WITHDRAW_LEN - 1;
      if (!apply) continue;
      uint32_t slot;
      record *r = state_find(node, &id, &slot);
      if (r && slot != 0 && rec_seq(node, r) <= seq &&
          !(r->flags & REC_WITHDRAWN) &&
          claim_drop(node, r, from->id)) {
        withdraw(node, slot);
        node->stats.records_withdrawn++;
      }
      continue;
    }
    if (type != WIRE_ENTRY_ANNOUNCE) return MCC_ERR_TYPE;
    wire_record w;
    size_t used = 0;
    int rv = wire_record_decode(&w, body + i, bodylen - i, &used);
    if (rv != 0) return rv;
    i += used;
    if (!apply) continue;

    uint32_t slot = 0;
    record *r = state_find(node, &w.cert.subject, &slot);
    if (r && slot == 0) { /* ourselves, seen through a cycle or a restart */
      if (w.seq > rec_seq(node, r) &&
          wire_record_verify(&w, node->cache, NULL) == 0)
        self_refresh(node, w.seq + 1, now);
      continue;
    }
    uint32_t held_seq = r ? rec_seq(node, r) : 0;
    if (r && !(r->flags & REC_WITHDRAWN) && w.seq < held_seq) continue;
    if (r && !(r->flags & REC_WITHDRAWN) && w.seq == held_seq) {
      /* The same record over another link: either its subtree moved (the
       * old link's withdrawal will follow), or a stale copy is climbing
       * from a node that has not yet noticed it lost that subtree (its
       * withdrawal will follow). Both links claim it now (claim.c); it
       * goes when the last claim does. Same seq and same signature mean
       * the same bytes. */
      if (memcmp(rec_body(node, r)->sig, w.sig, WIRE_SIG_LEN) == 0) {
        int added = claim_add(node, r, from->id);
        if (added < 0) return added;
        if (added) node->routes_dirty = 1;
      }
      continue;
    }
    if (r && (r->flags & REC_WITHDRAWN) && w.seq < held_seq) continue;
    /* A child's own record over its own link is already authenticated by
     * the link (keys from a handshake signed with that very identity);
     * records it relays must carry their own node's signature. Either
     * way the grandparent verifies it again. */
    int own = memcmp(w.cert.subject.key, from->peer.key, 32) == 0;
    if (node_check_cert(node, &w.cert) != 0 ||
        (!own && wire_record_verify(&w, node->cache, NULL) != 0)) {
      node->stats.rejected++;
      continue;
    }
    if (r) {
      r->flags &= (uint8_t)~REC_WITHDRAWN;
      if (rec_set(node, r, &w, from->id, now) != 0) return MCC_ERR_NOMEM;
    } else if (!(r = rec_insert(node, &w, from->id, now))) {
      return MCC_ERR_NOMEM;
    }
    mark_dirty(node, r);
    node->routes_dirty = 1;
    node->stats.records_announced++;
  }
  return 0;
}

int state_on_update(mcc_node *node, const child_link *from,
                    const uint8_t *body, size_t bodylen, uint64_t now) {
  int rv = walk_update(node, from, body, bodylen, 0, now);
  if (rv != 0) return rv;
  rv = walk_update(node, from, body, bodylen, 1, now);
  state_flush(node, now);
  return rv;
}

/* One UPDATE of dirty records not yet in flight, from dirty_cursor on, into
 * free place f of the window. 0 when nothing was left to send. */
static int send_update(mcc_node *node, uint32_t f, uint64_t now) {
  uint8_t body[WIRE_MAX_UPDATE_BODY];
  uint32_t picked[INFLIGHT_MAX];
  size_t len = 0;
  uint32_t npicked = 0;
  uint32_t pending = node->ndirty - node->ninflight_recs;
  uint32_t start = node->dirty_cursor; /* each slot once, from here */
  for (uint32_t n = 0; n < node->nrecs && pending; n++) {
    uint32_t slot = (start + n) % node->nrecs;
    record *r = &node->recs[slot];
    if (!(r->flags & REC_DIRTY) || (r->flags & REC_INFLIGHT)) continue;
    pending--;
    if (r->flags & REC_WITHDRAWN) {
      if (len + WIRE_WITHDRAW_LEN > sizeof body) break;
      body[len] = WIRE_ENTRY_WITHDRAW;
      memcpy(body + len + 1, rec_id(node, r)->key, 32);
      put_be32(body + len + 33, rec_seq(node, r));
      len += WIRE_WITHDRAW_LEN;
    } else {
      wire_record w;
      rec_to_wire(node, r, &w);
      if (len + 1 + wire_record_len(&w) > sizeof body) break;
      state_record_to_wire(node, r, &w);
      body[len++] = WIRE_ENTRY_ANNOUNCE;
      len += wire_record_encode(body + len, &w);
    }
    picked[npicked++] = slot;
    node->dirty_cursor = slot + 1;
  }
  if (npicked == 0) return 0;
  update_flight *fl = &node->flights[f];
  fl->slots = malloc(npicked * sizeof *fl->slots);
  if (!fl->slots) return 0; /* stays dirty: the next event tries again */
  memcpy(fl->slots, picked, npicked * sizeof *picked);
  fl->n = npicked;
  for (uint32_t k = 0; k < npicked; k++) {
    record *r = &node->recs[picked[k]];
    r->flags |= REC_INFLIGHT;
    r->flight = (uint8_t)f;
    node->ninflight_recs++;
  }
  link_send_sealed_to_parent(node, WIRE_UPDATE, body, len, &fl->counter);
  fl->retx_at_ns = now + node->update_rto_ns;
  node->nflights++;
  node->stats.update_sent++;
  node->stats.record_bytes_sent += len;
  return 1;
}

/* Fills the free places of the window with dirty records. */
void state_flush(mcc_node *node, uint64_t now) {
  if (node->up.state != PARENT_UP) return;
  if (node->ndirty <= node->ninflight_recs || !flights_alloc(node)) return;
  for (uint32_t f = 0; f < UPDATE_WINDOW; f++) {
    if (node->ndirty <= node->ninflight_recs) break;
    if (node->flights[f].retx_at_ns == NEVER && !send_update(node, f, now))
      break;
  }
  if (node->nflights == 0) flights_release(node);
}

void state_on_update_ack(mcc_node *node, uint32_t counter, uint64_t now) {
  uint32_t f = 0;
  if (!node->flights) return;
  while (f < UPDATE_WINDOW && (node->flights[f].retx_at_ns == NEVER ||
                               node->flights[f].counter != counter))
    f++;
  if (f == UPDATE_WINDOW) return;
  for (uint32_t k = 0; k < node->flights[f].n; k++) {
    uint32_t slot = flight_slot(node, f, k);
    if (slot == INDEX_NIL) continue;
    record *r = &node->recs[slot];
    mark_clean(node, r);
    if (r->flags & REC_WITHDRAWN) rec_remove(node, slot);
  }
  flight_end(node, f);
  node->update_rto_ns = UPDATE_RTO_NS;
  state_flush(node, now);
}

void state_on_timers(mcc_node *node, uint64_t now) {
  int expired = 0;
  for (uint32_t f = 0; node->flights && f < UPDATE_WINDOW; f++) {
    update_flight *fl = &node->flights[f];
    if (fl->retx_at_ns == NEVER || now < fl->retx_at_ns) continue;
    flight_give_up(node, f);
    expired = 1;
  }
  if (!expired) return;
  node->update_rto_ns *= 2;
  if (node->update_rto_ns > UPDATE_RTO_MAX_NS)
    node->update_rto_ns = UPDATE_RTO_MAX_NS;
  state_flush(node, now);
}

uint64_t state_next_deadline(const mcc_node *node) {
  uint64_t t = NEVER;
  for (uint32_t f = 0; node->flights && f < UPDATE_WINDOW; f++)
    if (node->flights[f].retx_at_ns < t) t = node->flights[f].retx_at_ns;
  return t;
}

/* The node's references; the bodies only when the store is its own. */
size_t state_memory(const mcc_node *node) {
  size_t n = (size_t)node->caprecs * sizeof(record) +
             index_memory(&node->rec_index);
  if (node->own_store) n += mcc_record_store_memory(node->store);
  if (node->flights) n += UPDATE_WINDOW * sizeof *node->flights;
  for (uint32_t f = 0; node->flights && f < UPDATE_WINDOW; f++)
    n += node->flights[f].n * sizeof *node->flights[f].slots;
  return n;
}
