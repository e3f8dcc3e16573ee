/*
 * mcc_dns.c — the built-in DNS server's responder (see mcc_dns.h for what
 * it answers). Three steps: parse the header and the one question, working
 * on the wire labels so that a dot or a byte outside [A-Za-z0-9-] inside a
 * label can never pass for a label boundary; decide the answer (forward
 * names through mcc_resolver_lookup_name, reverse names by their labels),
 * or REFUSED for a client over its limit (dns_limit.c); write the
 * response, after checking that it fits.
 */
#include <string.h>

#include "mcc_dns.h"

#define NAME_WIRE_MAX 255              /* RFC 1035 2.3.4, root included */
#define LABELS_MAX (NAME_WIRE_MAX / 2) /* one byte each, plus lengths */
#define TTL_MAX 0x7fffffffu            /* RFC 2181 section 8 */
#define RDATA_MAX NAME_WIRE_MAX        /* a PTR target is the longest */

static const char ptr4_zone[] = "in-addr.arpa";
static const char ptr6_zone[] = "ip6.arpa";

/* The question, as parsed: offsets into the query. */
struct question {
  size_t end; /* just past QCLASS */
  uint16_t type, qclass;
  int ldh;                  /* every label byte is in [A-Za-z0-9-] */
  unsigned nlabels;         /* not counting the root */
  uint16_t off[LABELS_MAX]; /* of each label's length byte, left to right */
};

/* What to answer: an rcode, AA, and at most one record. */
struct answer {
  uint8_t rcode;
  uint8_t aa;
  uint16_t type; /* of the record; 0 for none */
  uint16_t rdlen;
  uint8_t rdata[RDATA_MAX];
};

/* Where a name under in-addr.arpa or ip6.arpa stands. */
enum reverse {
  REV_OUTSIDE, /* not in the reverse zone of the resolver's network */
  REV_NONE,    /* in the zone, but no address can have that name */
  REV_EMPTY,   /* in the zone, above the names of addresses */
  REV_ADDR,    /* the name of one address */
};

static char lower(uint8_t c) {
  return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static uint16_t load16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static void store16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void store32(uint8_t *p, uint32_t v) {
  store16(p, (uint16_t)(v >> 16));
  store16(p + 2, (uint16_t)v);
}

static int is_ldh(uint8_t c) {
  c = (uint8_t)lower(c);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* ---- parsing ------------------------------------------------------------- */

/* The question after the header: labels without compression (RFC 1035
 * allows pointers only to earlier names, and the question has none), each
 * at most 63 bytes, the name at most 255. Returns 0; MCC_ERR_TRUNCATED when
 * the query ends first; MCC_ERR_BAD_LENGTH for a pointer, an extended label
 * type or a name too long. */
static int parse_question(const uint8_t *q, size_t qlen, struct question *qn) {
  size_t p = MCC_DNS_HEADER_LEN, wire = 1; /* the root's length byte */
  qn->nlabels = 0;
  qn->ldh = 1;
  for (;;) {
    if (p >= qlen) return MCC_ERR_TRUNCATED;
    uint8_t len = q[p];
    if (len == 0) break;
    if (len > MCC_RESOLVE_LABEL_MAX) return MCC_ERR_BAD_LENGTH;
    wire += 1u + len;
    if (wire > NAME_WIRE_MAX) return MCC_ERR_BAD_LENGTH;
    if (qlen - p - 1 < len) return MCC_ERR_TRUNCATED;
    for (size_t i = 0; i < len; i++) qn->ldh &= is_ldh(q[p + 1 + i]);
    qn->off[qn->nlabels++] = (uint16_t)p;
    p += 1u + len;
  }
  p++; /* the root */
  if (qlen - p < 4) return MCC_ERR_TRUNCATED;
  qn->type = load16(q + p);
  qn->qclass = load16(q + p + 2);
  qn->end = p + 4;
  return 0;
}

/* The name as dotted text without the trailing dot, for an LDH name (so no
 * label holds a dot): at most 253 characters and a NUL. */
static size_t question_text(const uint8_t *q, const struct question *qn,
                            char out[MCC_RESOLVE_NAME_MAX + 1]) {
  size_t n = 0;
  for (unsigned i = 0; i < qn->nlabels; i++) {
    const uint8_t *label = q + qn->off[i];
    if (i > 0) out[n++] = '.';
    memcpy(out + n, label + 1, label[0]);
    n += label[0];
  }
  out[n] = '\0';
  return n;
}

/* How many labels at the end of the question spell suffix (dotted text
 * without leading or trailing dot, "" for the root), in any case, or -1. */
static int suffix_labels(const uint8_t *q, const struct question *qn,
                         const char *suffix, size_t suffixlen) {
  unsigned i = qn->nlabels;
  size_t end = suffixlen;
  while (end > 0) {
    size_t start = end;
    while (start > 0 && suffix[start - 1] != '.') start--;
    if (i == 0) return -1;
    const uint8_t *label = q + qn->off[--i];
    if (label[0] != end - start) return -1;
    for (size_t k = 0; k < label[0]; k++)
      if (lower(label[1 + k]) != lower((uint8_t)suffix[start + k])) return -1;
    end = start > 0 ? start - 1 : 0;
  }
  return (int)(qn->nlabels - i);
}

/* ---- reverse names ------------------------------------------------------- */

/* One address unit of a reverse name: a decimal octet (0-255, no leading
 * zero) for IPv4, a hexadecimal nibble for IPv6. Returns it or -1. */
static int unit_value(const uint8_t *label, int family) {
  uint8_t len = label[0];
  const uint8_t *s = label + 1;
  if (family == 6) {
    if (len != 1) return -1;
    char c = lower(s[0]);
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  if (len < 1 || len > 3 || (len > 1 && s[0] == '0')) return -1;
  int v = 0;
  for (uint8_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v <= 255 ? v : -1;
}

/* Whether the first bits of a and b are the same. */
static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
  for (unsigned i = 0; bits > 0; i++) {
    unsigned n = bits < 8 ? bits : 8;
    uint8_t mask = (uint8_t)(0xff00u >> n);
    if ((a[i] ^ b[i]) & mask) return 0;
    bits -= n;
  }
  return 1;
}

/* Classifies a name whose last nzone labels are in-addr.arpa (family 4) or
 * ip6.arpa (6), and for REV_ADDR fills addr. The zone of a network is the
 * name of its first ceil(prefix / unit) units ("83.10.in-addr.arpa" for
 * 10.83.0.0/16); names above it are not ours. */
static enum reverse classify_reverse(const uint8_t *q,
                                     const struct question *qn, int nzone,
                                     int family, const mcc_resolver_settings *s,
                                     uint8_t addr[16]) {
  unsigned unit = family == 4 ? 8 : 4, units = family == 4 ? 4 : 32;
  const uint8_t *net = family == 4 ? s->ipv4_network : s->ipv6_network;
  unsigned plen = family == 4 ? s->ipv4_prefix_len : s->ipv6_prefix_len;
  unsigned k = 0, i = qn->nlabels - (unsigned)nzone;
  memset(addr, 0, 16);
  /* the labels next to the zone name are the address's first units */
  while (i > 0 && k < units) {
    int v = unit_value(q + qn->off[i - 1], family);
    if (v < 0) break;
    if (family == 4)
      addr[k] = (uint8_t)v;
    else
      addr[k / 2] |= (uint8_t)(k % 2 ? v : v << 4);
    k++;
    i--;
  }
  if (k * unit < plen || !prefix_match(addr, net, plen)) return REV_OUTSIDE;
  if (i > 0) return REV_NONE; /* a label that is no unit, or a 5th, 33rd */
  return k < units ? REV_EMPTY : REV_ADDR;
}

/* ---- answers ------------------------------------------------------------- */

static void set_rcode(struct answer *a, uint8_t rcode) {
  a->rcode = rcode;
  a->aa = rcode == MCC_DNS_NOERROR || rcode == MCC_DNS_NXDOMAIN;
  a->type = 0;
  a->rdlen = 0;
}

/* The PTR target "<node id><domain>" in wire form. */
static void ptr_record(struct answer *a, const mcc_id *id, const char *dom,
                       size_t domlen) {
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(id, text);
  uint8_t *p = a->rdata;
  *p++ = MCC_ID_TEXT_LEN;
  memcpy(p, text, MCC_ID_TEXT_LEN);
  p += MCC_ID_TEXT_LEN;
  size_t start = 0;
  while (start < domlen) {
    size_t end = start;
    while (end < domlen && dom[end] != '.') end++;
    *p++ = (uint8_t)(end - start);
    for (size_t k = start; k < end; k++) *p++ = (uint8_t)lower((uint8_t)dom[k]);
    start = end + 1;
  }
  *p++ = 0;
  set_rcode(a, MCC_DNS_NOERROR);
  a->type = MCC_DNS_TYPE_PTR;
  a->rdlen = (uint16_t)(p - a->rdata);
}

static void answer_reverse(mcc_resolver *r, const char *dom, size_t domlen,
                           const uint8_t *q, const struct question *qn,
                           int nzone, int family, struct answer *a,
                           uint64_t now) {
  uint8_t addr[16];
  mcc_id id;
  switch (classify_reverse(q, qn, nzone, family, &r->settings, addr)) {
  case REV_OUTSIDE:
    set_rcode(a, MCC_DNS_REFUSED);
    return;
  case REV_NONE:
    set_rcode(a, MCC_DNS_NXDOMAIN);
    return;
  case REV_EMPTY:
    set_rcode(a, MCC_DNS_NOERROR);
    return;
  case REV_ADDR:
    break;
  }
  int rv = family == 4 ? mcc_resolver_lookup_ipv4(r, addr, &id, now)
                       : mcc_resolver_lookup_ipv6(r, addr, &id, now);
  if (rv == MCC_ERR_NO_ROUTE)
    set_rcode(a, MCC_DNS_NXDOMAIN);
  else if (rv != 0)
    set_rcode(a, MCC_DNS_REFUSED); /* outside; classify said otherwise */
  else if (qn->type == MCC_DNS_TYPE_PTR)
    ptr_record(a, &id, dom, domlen);
  else
    set_rcode(a, MCC_DNS_NOERROR);
}

static void answer_forward(mcc_resolver *r, const char *dom, size_t domlen,
                           const uint8_t *q, const struct question *qn,
                           const mcc_lookup_answer *found, struct answer *a,
                           uint64_t now) {
  char text[MCC_RESOLVE_NAME_MAX + 1];
  mcc_id id;
  int rv = MCC_ERR_VALUE; /* a name with other bytes is no name of ours */
  if (found && found->status == MCC_LOOKUP_FOUND) {
    id = found->id;
    rv = 0;
  } else if (found && found->status == MCC_LOOKUP_NO_SUCH) {
    rv = MCC_ERR_NO_ROUTE;
  } else if (found) {
    set_rcode(a, MCC_DNS_SERVFAIL); /* the network did not answer */
    return;
  } else if (qn->ldh && qn->nlabels > 0) {
    size_t n = question_text(q, qn, text);
    rv = mcc_resolver_lookup_name(r, text, n, &id);
  }
  if (rv == MCC_ERR_NO_ROUTE || rv == MCC_ERR_VALUE) {
    int n = domlen > 0 ? suffix_labels(q, qn, dom, domlen) : -1;
    if (n < 0)
      set_rcode(a, MCC_DNS_REFUSED);
    else /* the apex exists, with no record we serve */
      set_rcode(a, (unsigned)n == qn->nlabels ? MCC_DNS_NOERROR
                                              : MCC_DNS_NXDOMAIN);
    return;
  }
  if (rv != 0) {
    set_rcode(a, MCC_DNS_SERVFAIL);
    return;
  }
  set_rcode(a, MCC_DNS_NOERROR);
  if (qn->type != MCC_DNS_TYPE_A && qn->type != MCC_DNS_TYPE_AAAA) return;
  mcc_resolve_addrs addrs;
  if (mcc_resolver_query_id(r, &id, &addrs, now) != 0) {
    /* no address: every one held (pinned, or used within ttl +
     * quarantine), the cap on new ones reached, or out of memory */
    set_rcode(a, MCC_DNS_SERVFAIL);
    return;
  }
  a->type = qn->type;
  a->rdlen = qn->type == MCC_DNS_TYPE_A ? 4 : 16;
  memcpy(a->rdata, qn->type == MCC_DNS_TYPE_A ? addrs.ipv4 : addrs.ipv6,
         a->rdlen);
}

static void answer_question(mcc_resolver *r, const char *dom, size_t domlen,
                            const uint8_t *q, const struct question *qn,
                            const mcc_lookup_answer *found, struct answer *a,
                            uint64_t now) {
  int n;
  if (qn->qclass != MCC_DNS_CLASS_IN)
    set_rcode(a, MCC_DNS_REFUSED);
  else if ((n = suffix_labels(q, qn, ptr4_zone, sizeof ptr4_zone - 1)) >= 0)
    answer_reverse(r, dom, domlen, q, qn, n, 4, a, now);
  else if ((n = suffix_labels(q, qn, ptr6_zone, sizeof ptr6_zone - 1)) >= 0)
    answer_reverse(r, dom, domlen, q, qn, n, 6, a, now);
  else
    answer_forward(r, dom, domlen, q, qn, found, a, now);
}

/* ---- writing ------------------------------------------------------------- */

/* The response: header, the question echoed when qn is not NULL, and the
 * record of a (if any) pointing at the question's name. When that is more
 * than msgmax bytes (512 over UDP), the record goes and TC is set: the
 * client asks again over TCP (RFC 1035 4.2.1, RFC 2181 9); the question
 * goes too if even it does not fit. */
static int write_response(const uint8_t *q, const struct question *qn,
                          const struct answer *a, uint32_t ttl, size_t msgmax,
                          uint8_t *out, size_t outcap, size_t *outlen) {
  size_t qsize = qn ? qn->end - MCC_DNS_HEADER_LEN : 0;
  int record = qn && a->type != 0, tc = 0;
  size_t need = MCC_DNS_HEADER_LEN + qsize + (record ? 12u + a->rdlen : 0);
  if (need > msgmax) {
    tc = 1;
    record = 0;
    if (MCC_DNS_HEADER_LEN + qsize > msgmax) {
      qn = NULL;
      qsize = 0;
    }
    need = MCC_DNS_HEADER_LEN + qsize;
  }
  if (need > outcap) return MCC_ERR_INVALID_ARGUMENT;
  uint16_t flags = (uint16_t)(MCC_DNS_FLAG_QR | (load16(q + 2) & 0x7800) |
                              (load16(q + 2) & MCC_DNS_FLAG_RD) |
                              (a->aa ? MCC_DNS_FLAG_AA : 0) |
                              (tc ? MCC_DNS_FLAG_TC : 0) | a->rcode);
  memcpy(out, q, 2); /* ID */
  store16(out + 2, flags);
  store16(out + 4, qn ? 1 : 0);
  store16(out + 6, record ? 1 : 0);
  store16(out + 8, 0);
  store16(out + 10, 0);
  memcpy(out + MCC_DNS_HEADER_LEN, q + MCC_DNS_HEADER_LEN, qsize);
  if (record) {
    uint8_t *p = out + MCC_DNS_HEADER_LEN + qsize;
    store16(p, 0xc000 | MCC_DNS_HEADER_LEN); /* the question's name */
    store16(p + 2, a->type);
    store16(p + 4, MCC_DNS_CLASS_IN);
    store32(p + 6, ttl > TTL_MAX ? TTL_MAX : ttl);
    store16(p + 10, a->rdlen);
    memcpy(p + 12, a->rdata, a->rdlen);
  }
  *outlen = need;
  return 0;
}

/* The domain without its dots, checked. Returns 0 or -1. */
static int domain_core(const char *domain, const char **pdom, size_t *pdomlen) {
  if (!domain) domain = "";
  if (domain[0] == '.') domain++;
  size_t n = strnlen(domain, MCC_RESOLVE_DOMAIN_MAX + 1);
  if (n > MCC_RESOLVE_DOMAIN_MAX) return -1;
  if (n > 0 && mcc_resolve_check_name(domain, n) != 0) return -1;
  if (n > 0 && domain[n - 1] == '.') n--;
  *pdom = domain;
  *pdomlen = n;
  return 0;
}

/* A response to query: the answer, or REFUSED for a client over its
 * limit (refuse), with the same rules for what gets no response at all. */
static int respond(mcc_resolver *r, const char *domain, const uint8_t *query,
                   size_t qlen, const mcc_lookup_answer *found, size_t msgmax,
                   uint8_t *out, size_t outcap, size_t *outlen, uint64_t now,
                   int refuse) {
  const char *dom;
  size_t domlen;
  if (!outlen) return MCC_ERR_INVALID_ARGUMENT;
  *outlen = 0;
  if (!r || !query || !out || msgmax < MCC_DNS_HEADER_LEN ||
      domain_core(domain, &dom, &domlen) != 0)
    return MCC_ERR_INVALID_ARGUMENT;
  if (qlen < MCC_DNS_HEADER_LEN) return MCC_ERR_TRUNCATED;
  uint16_t flags = load16(query + 2);
  if (flags & MCC_DNS_FLAG_QR) return MCC_ERR_TYPE;
  uint32_t ttl = r->settings.ttl_s;
  struct answer a;
  struct question qn;
  if (MCC_DNS_OPCODE(flags) != 0) {
    set_rcode(&a, MCC_DNS_NOTIMP);
    return write_response(query, NULL, &a, ttl, msgmax, out, outcap,
                          outlen);
  }
  if (load16(query + 4) != 1 || parse_question(query, qlen, &qn) != 0) {
    set_rcode(&a, MCC_DNS_FORMERR);
    return write_response(query, NULL, &a, ttl, msgmax, out, outcap,
                          outlen);
  }
  if (refuse)
    set_rcode(&a, MCC_DNS_REFUSED);
  else
    answer_question(r, dom, domlen, query, &qn, found, &a, now);
  return write_response(query, &qn, &a, ttl, msgmax, out, outcap, outlen);
}

int mcc_dns_answer(struct mcc_resolver *r, const char *domain,
                   const uint8_t *query, size_t qlen, uint8_t *out,
                   size_t outcap, size_t *outlen, uint64_t now) {
  return respond(r, domain, query, qlen, NULL, MCC_DNS_UDP_MAX, out, outcap,
                 outlen, now, 0);
}

int mcc_dns_answer_found(struct mcc_resolver *r, const char *domain,
                         const uint8_t *query, size_t qlen,
                         const mcc_lookup_answer *found, int refuse,
                         uint8_t *out, size_t outcap, size_t *outlen,
                         uint64_t now) {
  return respond(r, domain, query, qlen, found, MCC_DNS_UDP_MAX, out, outcap,
                 outlen, now, refuse);
}

int mcc_dns_respond(struct mcc_resolver *r, const char *domain,
                    const uint8_t *query, size_t qlen,
                    const mcc_lookup_answer *found, int refuse, size_t msgmax,
                    uint8_t *out, size_t outcap, size_t *outlen,
                    uint64_t now) {
  return respond(r, domain, query, qlen, found, msgmax, out, outcap, outlen,
                 now, refuse);
}

int mcc_dns_forward_name(const uint8_t *query, size_t qlen, char *out,
                         size_t outcap) {
  struct question qn;
  if (!query || !out || outcap < MCC_RESOLVE_NAME_MAX + 1 ||
      qlen < MCC_DNS_HEADER_LEN || (load16(query + 2) & MCC_DNS_FLAG_QR) ||
      MCC_DNS_OPCODE(load16(query + 2)) != 0 || load16(query + 4) != 1 ||
      parse_question(query, qlen, &qn) != 0 ||
      qn.qclass != MCC_DNS_CLASS_IN || !qn.ldh || qn.nlabels == 0 ||
      suffix_labels(query, &qn, ptr4_zone, sizeof ptr4_zone - 1) >= 0 ||
      suffix_labels(query, &qn, ptr6_zone, sizeof ptr6_zone - 1) >= 0)
    return -1;
  return (int)question_text(query, &qn, out);
}

int mcc_dns_serve(mcc_dns_limiter *limit, struct mcc_resolver *r,
                  const char *domain, const mcc_addr *from,
                  const uint8_t *query, size_t qlen, uint8_t *out,
                  size_t outcap, size_t *outlen, uint64_t now) {
  enum mcc_dns_verdict v = mcc_dns_limiter_check(limit, from, now);
  if (v == MCC_DNS_VERDICT_DROP) {
    if (outlen) *outlen = 0;
    return MCC_ERR_LIMIT;
  }
  return respond(r, domain, query, qlen, NULL, MCC_DNS_UDP_MAX, out, outcap,
                 outlen, now, v == MCC_DNS_VERDICT_REFUSE);
}
