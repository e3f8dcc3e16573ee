/*
 * lookup.c — network lookup (PROTOCOL.md "Network lookup"): what node an
 * id, a dns-name or a static address stands for, asked up the tree.
 *
 * A node holds the records of its subtree, and a root every node's. What
 * it does not hold, it asks its active parent in a LOOKUP; each hop
 * answers from its records or asks its own parent, remembering who asked
 * (a pending entry, with a query id of its own towards the parent), until
 * a root answers NO_SUCH or network-lookup-ttl hops were used. A FOUND
 * answer carries the node's own signed record, which the asking node
 * checks (certificate against its trust policy, the record's signature,
 * that it matches the question), so a hop on the way can delay, drop or
 * deny, but not forge, a mapping. Nothing is sent unless someone asks:
 * lookups add no idle traffic.
 *
 * The asking node caches answers: FOUND for resolver.ttl (that an id is
 * a node for at least LOOKUP_ID_KEEP_NS: keys are not handed on, and a
 * node's id must keep resolving while its path fails over), the others
 * for LOOKUP_NEGATIVE_NS; a question already on its way is not asked twice
 * (the second asker waits for the same answer). The asker sends its
 * question again after 1, 2, 4... s while no answer came (lost on a link
 * that is failing, or asked of a parent that is gone); hops do not.
 */
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>

#include "node.h"

#define LOOKUP_PENDING_MAX 1024
#define LOOKUP_PENDING_PER_CHILD 64 /* one child cannot take them all */
/* A reply status on the wire only: the hop had no room for the question
 * (the limits above). Not an answer: the asker asks again on its retry
 * schedule, so a burst of questions is served in turns instead of being
 * told that no root can be reached. Never handed to a user. */
#define LOOKUP_BUSY 4
#define LOOKUP_CACHE_SIZE 64
#define LOOKUP_NEGATIVE_NS (5 * NS_PER_S)
#define LOOKUP_ID_KEEP_NS (600 * NS_PER_S)
#define LOOKUP_RETRY_NS NS_PER_S
#define LOOKUP_KEY_MAX MCC_RESOLVE_NAME_MAX
#define LOOKUP_HEAD_LEN 7  /* query id, ttl, kind, key length */
#define REPLY_HEAD_LEN 5   /* query id, status */
#define LOCAL UINT32_MAX   /* a pending entry of our own */

typedef struct lookup_question {
  uint8_t kind, keylen;
  uint8_t key[LOOKUP_KEY_MAX]; /* names lower case, no domain, no dot */
} lookup_question;

typedef struct lookup_pending {
  lookup_question q;
  uint32_t up_id;     /* our query id towards the parent */
  uint32_t down_id;   /* the child's query id, or our token */
  uint32_t down_link; /* the child link's id, or LOCAL */
  uint64_t expires_ns;
  uint64_t retry_ns;  /* LOCAL: when to ask again; NEVER for a hop's */
  uint64_t backoff_ns;
} lookup_pending;

typedef struct lookup_cached {
  lookup_question q;
  int status;
  mcc_id id;
  uint64_t expires_ns; /* 0: empty */
} lookup_cached;

struct lookup_state {
  lookup_pending *pending;
  uint32_t npending, cappending;
  uint32_t next_id;
  lookup_cached cache[LOOKUP_CACHE_SIZE];
  uint32_t cache_next; /* the entry replaced next */
};

static struct lookup_state *state(mcc_node *node) {
  if (!node->lookup) node->lookup = calloc(1, sizeof *node->lookup);
  return node->lookup;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int same_question(const lookup_question *a, const lookup_question *b) {
  return a->kind == b->kind && a->keylen == b->keylen &&
         memcmp(a->key, b->key, a->keylen) == 0;
}

/* ---- what this node holds ------------------------------------------------ */

static int extra_has_name(const uint8_t *extra, size_t extra_len,
                          const uint8_t *name, size_t len) {
  for (size_t i = 0; i + 2 <= extra_len; i += 2u + extra[i + 1]) {
    if (extra[i] != WIRE_EXTRA_DNS_NAME || extra[i + 1] != len) continue;
    size_t k = 0;
    while (k < len && lower((char)extra[i + 2 + k]) == (char)name[k]) k++;
    if (k == len) return 1;
  }
  return 0;
}

static int live(const record *r) { return !(r->flags & REC_WITHDRAWN); }

/* The live record that answers q, or NULL. */
static record *find_record(mcc_node *node, const lookup_question *q) {
  if (q->kind == MCC_LOOKUP_ID) {
    mcc_id id;
    memcpy(id.key, q->key, 32);
    record *r = state_find(node, &id, NULL);
    return r && live(r) ? r : NULL;
  }
  if (q->kind == MCC_LOOKUP_NAME) {
    /* The resolver's name table holds the names of the live records. */
    mcc_resolver *res = mcc_node_resolver(node);
    mcc_id id;
    if (res && mcc_resolver_lookup_name(res, (const char *)q->key, q->keylen,
                                        &id) == 0) {
      record *r = state_find(node, &id, NULL);
      if (r && live(r) &&
          extra_has_name(rec_body(node, r)->extra,
                         rec_body(node, r)->extra_len, q->key, q->keylen))
        return r;
    }
    return NULL;
  }
  /* The resolver's static table holds the static addresses of the live
   * records (node_resolve.c makes it for the first one): no scan. */
  mcc_resolver *res = node->resolver;
  mcc_id id;
  uint32_t a = get_be32(q->key);
  if (rec_body(node, &node->recs[0])->static_addr == a)
    return &node->recs[0]; /* ourselves */
  if (!res || mcc_resolver_lookup_ipv4(res, q->key, &id, node->now_ns) != 0)
    return NULL;
  record *r = state_find(node, &id, NULL);
  return r && live(r) && rec_body(node, r)->static_addr == a ? r : NULL;
}

/* An id this node deals with though it may hold no record of it: its
 * links' peers and its tunnels' other ends (an endpoint has no record
 * anywhere). Records are find_record's. */
static int knows_id(mcc_node *node, const mcc_id *id) {
  return link_child_by_id(node, id) != NULL ||
         (node->up.state == PARENT_UP &&
          memcmp(node->up.peer.key, id->key, 32) == 0) ||
         tunnel_find(node, id) != NULL;
}

/* What a node with no parent to ask says: a root holds every record, so
 * what it lacks does not exist; anyone else cannot tell. */
static int parentless_status(const mcc_node *node) {
  return node->adv.depth == 0 && !node->adv.island ? MCC_LOOKUP_NO_SUCH
                                                   : MCC_LOOKUP_UNREACHABLE;
}

/* ---- the wire -------------------------------------------------------------- */

/* An answer to child c's question query_id: the record w when FOUND. */
static void send_reply(mcc_node *node, child_link *c, uint32_t query_id,
                       int status, const wire_record *w) {
  uint8_t body[REPLY_HEAD_LEN + WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  size_t len = REPLY_HEAD_LEN;
  put_be32(body, query_id);
  body[4] = (uint8_t)status;
  if (status == MCC_LOOKUP_FOUND) len += wire_record_encode(body + len, w);
  link_send_to_child(node, c, WIRE_LOOKUP_REPLY, body, len, NULL);
  node->stats.lookup_replies_sent++;
  node->stats.lookup_bytes_sent += len + WIRE_SEALED_OVERHEAD;
}

static void send_question(mcc_node *node, const lookup_question *q,
                          uint32_t up_id, uint8_t ttl) {
  uint8_t body[LOOKUP_HEAD_LEN + LOOKUP_KEY_MAX];
  put_be32(body, up_id);
  body[4] = ttl;
  body[5] = q->kind;
  body[6] = q->keylen;
  memcpy(body + LOOKUP_HEAD_LEN, q->key, q->keylen);
  size_t len = LOOKUP_HEAD_LEN + q->keylen;
  link_send_sealed_to_parent(node, WIRE_LOOKUP, body, len, NULL);
  node->stats.lookups_sent++;
  node->stats.lookup_bytes_sent += len + WIRE_SEALED_OVERHEAD;
}

static int check_question(const lookup_question *q) {
  if (q->kind == MCC_LOOKUP_ID) return q->keylen == 32;
  if (q->kind == MCC_LOOKUP_IPV4) return q->keylen == 4;
  if (q->kind != MCC_LOOKUP_NAME || q->keylen == 0) return 0;
  for (size_t i = 0; i < q->keylen; i++) /* as normalised by the asker */
    if (q->key[i] != lower((char)q->key[i]) || q->key[i] <= ' ' ||
        q->key[i] > '~' || q->key[i] == ',')
      return 0;
  return 1;
}

/* ---- pending questions ---------------------------------------------------- */

static lookup_pending *pending_add(mcc_node *node, const lookup_question *q,
                                   uint32_t down_link, uint32_t down_id,
                                   uint64_t now) {
  struct lookup_state *ls = state(node);
  if (!ls || ls->npending >= LOOKUP_PENDING_MAX) return NULL;
  if (ls->npending == ls->cappending) {
    uint32_t cap = ls->cappending ? ls->cappending * 2 : 4;
    lookup_pending *p = realloc(ls->pending, cap * sizeof *p);
    if (!p) return NULL;
    ls->pending = p;
    ls->cappending = cap;
  }
  lookup_pending *p = &ls->pending[ls->npending++];
  p->q = *q;
  p->up_id = ++ls->next_id;
  p->down_id = down_id;
  p->down_link = down_link;
  p->expires_ns = now + node->lookup_timeout_ns;
  p->backoff_ns = LOOKUP_RETRY_NS;
  p->retry_ns = down_link == LOCAL ? now + p->backoff_ns : NEVER;
  return p;
}

static void pending_remove(struct lookup_state *ls, uint32_t i) {
  ls->pending[i] = ls->pending[--ls->npending];
}

static void cache_put(mcc_node *node, const lookup_question *q, int status,
                      const mcc_id *id, uint64_t now) {
  struct lookup_state *ls = state(node);
  uint64_t ttl = status == MCC_LOOKUP_FOUND
                     ? (uint64_t)(node->resolver_settings
                                      ? node->resolver_settings->ttl_s
                                      : 0) * NS_PER_S
                     : LOOKUP_NEGATIVE_NS;
  if (status == MCC_LOOKUP_FOUND && q->kind == MCC_LOOKUP_ID &&
      ttl < LOOKUP_ID_KEEP_NS)
    ttl = LOOKUP_ID_KEEP_NS;
  if (!ls || ttl == 0) return;
  lookup_cached *c = &ls->cache[ls->cache_next++ % LOOKUP_CACHE_SIZE];
  c->q = *q;
  c->status = status;
  if (id) c->id = *id;
  c->expires_ns = now + ttl;
}

static const lookup_cached *cache_get(mcc_node *node,
                                      const lookup_question *q, uint64_t now) {
  struct lookup_state *ls = node->lookup;
  for (uint32_t i = 0; ls && i < LOOKUP_CACHE_SIZE; i++)
    if (ls->cache[i].expires_ns > now && same_question(&ls->cache[i].q, q))
      return &ls->cache[i];
  return NULL;
}

/* An answer for pending entry i: to the child that asked, or to our host. */
static void complete(mcc_node *node, uint32_t i, int status,
                     const wire_record *w) {
  struct lookup_state *ls = node->lookup;
  lookup_pending p = ls->pending[i];
  pending_remove(ls, i);
  if (p.down_link != LOCAL) {
    child_link *c = link_child_by_link_id(node, p.down_link);
    if (c) send_reply(node, c, p.down_id, status, w);
    return;
  }
  const mcc_id *id = status == MCC_LOOKUP_FOUND ? &w->cert.subject : NULL;
  cache_put(node, &p.q, status, id, node->now_ns);
  /* A node found has its static address here from now on. */
  if (id && w->static_addr && mcc_node_resolver(node))
    node_resolver_static(node, id, w->static_addr);
  /* Every local asker of the same question hears the answer (token 0:
   * the data plane's own question, nobody to tell). */
  if (node->cb.lookup_done && p.down_id)
    node->cb.lookup_done(node->cb.user_data, p.down_id, status, id);
  for (uint32_t k = 0; k < ls->npending;) {
    if (ls->pending[k].down_link == LOCAL &&
        same_question(&ls->pending[k].q, &p.q) &&
        ls->pending[k].up_id == p.up_id) {
      uint32_t token = ls->pending[k].down_id;
      pending_remove(ls, k);
      if (node->cb.lookup_done && token)
        node->cb.lookup_done(node->cb.user_data, token, status, id);
    } else {
      k++;
    }
  }
}

/* A question from a child, or our own: answer it from our records, or pass
 * it up. */
static void ask(mcc_node *node, const lookup_question *q, uint8_t ttl,
                child_link *from, uint32_t down_id, uint64_t now) {
  record *r = find_record(node, q);
  if (r) {
    wire_record w;
    state_record_to_wire(node, r, &w);
    send_reply(node, from, down_id, MCC_LOOKUP_FOUND, &w);
    return;
  }
  if (node->up.state != PARENT_UP || ttl <= 1) {
    send_reply(node, from, down_id,
               node->up.state != PARENT_UP ? parentless_status(node)
                                           : MCC_LOOKUP_UNREACHABLE,
               NULL);
    return;
  }
  const struct lookup_state *ls = node->lookup;
  uint32_t mine = 0;
  for (uint32_t i = 0; ls && i < ls->npending; i++)
    mine += ls->pending[i].down_link == from->id;
  lookup_pending *p = mine < LOOKUP_PENDING_PER_CHILD
                          ? pending_add(node, q, from->id, down_id, now)
                          : NULL;
  if (!p) {
    send_reply(node, from, down_id, LOOKUP_BUSY, NULL);
    return;
  }
  send_question(node, q, p->up_id, (uint8_t)(ttl - 1));
}

int lookup_on_question(mcc_node *node, child_link *from, const uint8_t *body,
                       size_t bodylen, uint64_t now) {
  if (bodylen < LOOKUP_HEAD_LEN || bodylen != LOOKUP_HEAD_LEN + (size_t)body[6])
    return MCC_ERR_BAD_LENGTH;
  lookup_question q = {.kind = body[5], .keylen = body[6]};
  if (q.keylen > LOOKUP_KEY_MAX) return MCC_ERR_BAD_LENGTH;
  memcpy(q.key, body + LOOKUP_HEAD_LEN, q.keylen);
  if (!check_question(&q) || body[4] == 0) return MCC_ERR_VALUE;
  node->stats.lookups_received++;
  ask(node, &q, body[4], from, get_be32(body), now);
  return 0;
}

/* Whether w answers q: the right node, name or address. */
static int answers(const wire_record *w, const lookup_question *q) {
  if (q->kind == MCC_LOOKUP_ID)
    return memcmp(w->cert.subject.key, q->key, 32) == 0;
  if (q->kind == MCC_LOOKUP_IPV4) return w->static_addr == get_be32(q->key);
  return extra_has_name(w->extra, w->extra_len, q->key, q->keylen);
}

int lookup_on_reply(mcc_node *node, const uint8_t *body, size_t bodylen,
                    uint64_t now) {
  if (bodylen < REPLY_HEAD_LEN) return MCC_ERR_BAD_LENGTH;
  int status = body[4];
  if (status > MCC_LOOKUP_UNREACHABLE && status != LOOKUP_BUSY)
    return MCC_ERR_VALUE;
  wire_record w;
  size_t used = 0;
  if (status == MCC_LOOKUP_FOUND) {
    int rv = wire_record_decode(&w, body + REPLY_HEAD_LEN,
                                bodylen - REPLY_HEAD_LEN, &used);
    if (rv != 0) return rv;
  }
  if (REPLY_HEAD_LEN + used != bodylen) return MCC_ERR_BAD_LENGTH;
  struct lookup_state *ls = node->lookup;
  uint32_t id = get_be32(body), i = 0;
  while (ls && i < ls->npending && ls->pending[i].up_id != id) i++;
  if (!ls || i == ls->npending) return MCC_ERR_STALE; /* timed out */
  node->stats.lookup_replies_received++;
  if (status == MCC_LOOKUP_FOUND &&
      (!answers(&w, &ls->pending[i].q) || node_check_cert(node, &w.cert) != 0 ||
       wire_record_verify(&w, node->cache, NULL) != 0)) {
    node->stats.lookup_forged++;
    return MCC_ERR_BAD_SIGNATURE; /* the real answer may still come */
  }
  (void)now;
  if (status == LOOKUP_BUSY && ls->pending[i].down_link == LOCAL)
    return 0; /* its retry timer asks again, until its timeout */
  complete(node, i, status, &w);
  return 0;
}

/* ---- the host's side -------------------------------------------------------- */

/* A name as the records hold it: lower case, no trailing dot, without the
 * resolver's domain. 0, or MCC_ERR_VALUE. */
static int normalise_name(const mcc_node *node, const char *name, size_t len,
                          lookup_question *q) {
  if (len && name[len - 1] == '.') len--;
  if (mcc_resolve_check_name(name, len) != 0) return MCC_ERR_VALUE;
  mcc_resolver_settings def;
  const mcc_resolver_settings *s = node->resolver_settings;
  if (!s) {
    mcc_resolver_settings_default(&def);
    s = &def;
  }
  size_t dlen = strlen(s->domain);
  if (dlen && len > dlen) {
    size_t k = 0;
    while (k < dlen && lower(name[len - dlen + k]) == s->domain[k]) k++;
    if (k == dlen) len -= dlen;
  }
  q->kind = MCC_LOOKUP_NAME;
  q->keylen = (uint8_t)len;
  for (size_t i = 0; i < len; i++) q->key[i] = (uint8_t)lower(name[i]);
  return 0;
}

static int start(mcc_node *node, const lookup_question *q, uint64_t now,
                 int tell, int *pstatus, mcc_id *pid, uint32_t *ptoken);

int mcc_node_lookup(mcc_node *node, enum mcc_lookup_kind kind,
                    const void *key, size_t keylen, uint64_t now,
                    int *pstatus, mcc_id *pid, uint32_t *ptoken) {
  if (!node || !key || !pstatus || !pid || !ptoken)
    return MCC_ERR_INVALID_ARGUMENT;
  if (now > node->now_ns) node->now_ns = now;
  lookup_question q = {.kind = (uint8_t)kind, .keylen = (uint8_t)keylen};
  if (kind == MCC_LOOKUP_NAME) {
    int rv = normalise_name(node, key, keylen, &q);
    if (rv != 0) return rv;
    mcc_id id; /* "<node id><domain>" is a question about an id */
    if (q.keylen == MCC_ID_TEXT_LEN &&
        mcc_id_from_text(&id, (const char *)q.key, q.keylen) == 0) {
      q.kind = MCC_LOOKUP_ID;
      q.keylen = 32;
      memcpy(q.key, id.key, 32);
    }
  } else if ((kind == MCC_LOOKUP_ID && keylen == 32) ||
             (kind == MCC_LOOKUP_IPV4 && keylen == 4)) {
    memcpy(q.key, key, keylen);
  } else {
    return MCC_ERR_INVALID_ARGUMENT;
  }
  return start(node, &q, now, 1, pstatus, pid, ptoken);
}

/* Asks q for this node's host (tell: lookup_done gets the answer) or for
 * the core itself (no one to tell): mcc_node_lookup's returns. */
static int start(mcc_node *node, const lookup_question *qq, uint64_t now,
                 int tell, int *pstatus, mcc_id *pid, uint32_t *ptoken) {
  lookup_question q = *qq;
  record *r = find_record(node, &q);
  mcc_id id;
  memcpy(id.key, q.key, 32);
  if (r || (q.kind == MCC_LOOKUP_ID && knows_id(node, &id))) {
    *pstatus = MCC_LOOKUP_FOUND;
    *pid = r ? rec_body(node, r)->id : id;
    return 1;
  }
  const lookup_cached *c = cache_get(node, &q, now);
  if (c) {
    *pstatus = c->status;
    if (c->status == MCC_LOOKUP_FOUND) *pid = c->id;
    return 1;
  }
  if (node->up.state != PARENT_UP) { /* a root, or nobody to ask */
    *pstatus = parentless_status(node);
    return 1;
  }
  struct lookup_state *ls = state(node);
  if (!ls) return MCC_ERR_NOMEM;
  /* The same question on its way already: wait for its answer. */
  const lookup_pending *same = NULL;
  for (uint32_t i = 0; i < ls->npending && !same; i++)
    if (ls->pending[i].down_link == LOCAL && same_question(&ls->pending[i].q, &q))
      same = &ls->pending[i];
  uint32_t token = ls->next_id + 1;
  uint32_t shared_up = same ? same->up_id : 0;
  uint64_t shared_expiry = same ? same->expires_ns : 0;
  lookup_pending *p = pending_add(node, &q, LOCAL, 0, now);
  if (!p) return MCC_ERR_LIMIT;
  token = p->up_id;
  p->down_id = tell ? token : 0; /* 0: nobody to tell */
  if (shared_up) {
    p->up_id = shared_up;
    p->expires_ns = shared_expiry;
    p->retry_ns = NEVER; /* the first asker's entry asks again */
  } else {
    send_question(node, &q, p->up_id, node->lookup_ttl);
  }
  node->stats.lookups_started++;
  *ptoken = token;
  node_after_event(node); /* the lookup's timeout is a deadline now */
  return 0;
}

void lookup_static_addr(mcc_node *node, const uint8_t addr[4], uint64_t now) {
  lookup_question q = {.kind = MCC_LOOKUP_IPV4, .keylen = 4};
  memcpy(q.key, addr, 4);
  int status;
  mcc_id id;
  uint32_t token;
  if (start(node, &q, now, 0, &status, &id, &token) == 1 &&
      status == MCC_LOOKUP_FOUND)
    node_resolver_static(node, &id, get_be32(addr));
}

void lookup_on_timers(mcc_node *node, uint64_t now) {
  struct lookup_state *ls = node->lookup;
  for (uint32_t i = 0; ls && i < ls->npending;) {
    lookup_pending *q = &ls->pending[i];
    if (q->expires_ns > now) {
      if (q->retry_ns <= now) {
        if (node->up.state == PARENT_UP)
          send_question(node, &q->q, q->up_id, node->lookup_ttl);
        q->backoff_ns *= 2;
        q->retry_ns = now + q->backoff_ns;
      }
      i++;
      continue;
    }
    lookup_pending p = ls->pending[i];
    pending_remove(ls, i);
    if (p.down_link == LOCAL && p.down_id && node->cb.lookup_done)
      node->cb.lookup_done(node->cb.user_data, p.down_id, MCC_LOOKUP_TIMEOUT,
                           NULL);
    /* a child's question just goes: its own timer answers it */
  }
}

uint64_t lookup_next_deadline(const mcc_node *node) {
  uint64_t t = NEVER;
  const struct lookup_state *ls = node->lookup;
  for (uint32_t i = 0; ls && i < ls->npending; i++) {
    if (ls->pending[i].expires_ns < t) t = ls->pending[i].expires_ns;
    if (ls->pending[i].retry_ns < t) t = ls->pending[i].retry_ns;
  }
  return t;
}

void lookup_free(mcc_node *node) {
  if (!node->lookup) return;
  free(node->lookup->pending);
  free(node->lookup);
  node->lookup = NULL;
}

size_t lookup_memory(const mcc_node *node) {
  const struct lookup_state *ls = node->lookup;
  return ls ? sizeof *ls + ls->cappending * sizeof *ls->pending : 0;
}
