/*
 * lookups.c — which local questions need a network lookup, and the table
 * of those parked for its answer (lookups.h). The waiting itself is the
 * daemon's: it answers a parked DNS query or `mcc resolve` when the core
 * calls lookup_done (or its lookup times out).
 */
#include "lookups.h"

#include <string.h>

#include <mcc/resolve.h>

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* name without a trailing dot and, when it ends in it, the domain: 1 when
 * the domain was there. */
static int strip_domain(const char *domain, const char *name, size_t *plen) {
  size_t len = *plen;
  if (len && name[len - 1] == '.') len--;
  *plen = len;
  if (!domain) return 0;
  size_t dlen = strlen(domain);
  if (dlen && domain[dlen - 1] == '.') dlen--;
  if (dlen == 0 || len <= dlen) return 0;
  for (size_t k = 0; k < dlen; k++)
    if (lower(name[len - dlen + k]) != lower(domain[k])) return 0;
  if (domain[0] != '.' && name[len - dlen - 1] != '.') return 0;
  *plen = len - dlen - (domain[0] != '.');
  return 1;
}

static int is_address(const char *name, size_t len) {
  uint8_t a[16];
  return mcc_resolve_parse_ipv4(name, len, a) == 0 ||
         mcc_resolve_parse_mac(name, len, a) == 0 || memchr(name, ':', len);
}

enum lookup_need lookup_need(mcc_node *node, const char *domain,
                             const char *name, size_t len, uint64_t now,
                             mcc_lookup_answer *found, uint32_t *token,
                             int *is_id) {
  *is_id = 0;
  mcc_resolver *r = mcc_node_resolver(node);
  if (!r || len == 0) return NEED_NONE;
  uint8_t a4[4];
  mcc_id held;
  if (mcc_resolve_parse_ipv4(name, len, a4) == 0) {
    /* outside the resolver's network and no node's here: a static-addr? */
    if (mcc_resolver_lookup_ipv4(r, a4, &held, now) != MCC_ERR_VALUE)
      return NEED_NONE;
    int rv = mcc_node_lookup(node, MCC_LOOKUP_IPV4, a4, 4, now,
                             &found->status, &found->id, token);
    if (rv == 0) return NEED_WAIT;
    return rv == 1 && found->status != MCC_LOOKUP_FOUND ? NEED_ANSWERED
                                                        : NEED_NONE;
  }
  if (is_address(name, len)) return NEED_NONE;
  size_t core = len;
  int under = strip_domain(domain, name, &core);
  char text[MCC_ID_TEXT_LEN];
  mcc_id id;
  int rv;
  if (core == MCC_ID_TEXT_LEN) {
    for (size_t i = 0; i < core; i++) text[i] = lower(name[i]);
    if (mcc_id_from_text(&id, text, core) == 0) {
      *is_id = 1;
      rv = mcc_node_lookup(node, MCC_LOOKUP_ID, &id, sizeof id, now,
                           &found->status, &found->id, token);
      if (rv == 0) return NEED_WAIT;
      return rv == 1 && found->status == MCC_LOOKUP_NO_SUCH ? NEED_ANSWERED
                                                            : NEED_NONE;
    }
  }
  if (mcc_resolver_lookup_name(r, name, len, &id) == 0) return NEED_NONE;
  if ((!under && memchr(name, '.', core)) ||
      mcc_resolve_check_name(name, len) != 0)
    return NEED_NONE; /* not a name of ours: the resolver says so */
  rv = mcc_node_lookup(node, MCC_LOOKUP_NAME, name, len, now, &found->status,
                       &found->id, token);
  if (rv == 0) return NEED_WAIT;
  return rv == 1 ? NEED_ANSWERED : NEED_NONE;
}

const mcc_lookup_answer *lookup_effective(const mcc_lookup_answer *a,
                                          int is_id) {
  if (is_id && a->status != MCC_LOOKUP_NO_SUCH) return NULL;
  return a;
}

lookup_wait *lookup_wait_add(lookup_waits *lw, uint32_t token, int is_id) {
  for (size_t i = 0; i < LOOKUP_WAITS; i++)
    if (!lw->w[i].used) {
      lookup_wait *w = &lw->w[i];
      memset(w, 0, sizeof *w);
      w->used = 1;
      w->token = token;
      w->is_id = (uint8_t)is_id;
      w->ctl_fd = -1;
      return w;
    }
  return NULL;
}

const mcc_lookup_answer *lookup_begin(lookup_waits *lw, mcc_node *node,
                                      const char *domain, const char *name,
                                      size_t len, uint64_t now, int can_wait,
                                      mcc_lookup_answer *buf,
                                      lookup_wait **pw) {
  uint32_t token = 0;
  int is_id = 0;
  *pw = NULL;
  switch (lookup_need(node, domain, name, len, now, buf, &token, &is_id)) {
  case NEED_NONE: return NULL;
  case NEED_ANSWERED: return lookup_effective(buf, is_id);
  case NEED_WAIT: break;
  }
  if (can_wait && (*pw = lookup_wait_add(lw, token, is_id)) != NULL)
    return NULL;
  buf->status = MCC_LOOKUP_UNREACHABLE; /* too many waiting */
  return buf;
}
