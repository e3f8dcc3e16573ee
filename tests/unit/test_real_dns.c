/*
 * test_real_dns.c — the built-in DNS responder (node-real/mcc_dns.c):
 * queries built by hand, responses checked byte by byte against what the
 * resolver itself says (A/AAAA against mcc_resolver_lookup_id, PTR against
 * mcc_resolver_id_name), every rcode, malformed questions (truncation at
 * every byte, pointers and their loops, long labels and names), datagrams
 * that get no answer, out buffers too small at every size; and the attacks
 * of issue 11: a full pool answers SERVFAIL and moves no address, a flood
 * of new names from many addresses cannot churn the pool, and a client
 * over its query limit is refused while others are answered.
 *
 *   client                         mcc_dns_answer
 *     | -- id, RD, "<id>.home.arpa" A IN -->  |
 *     | <- id, QR AA RD, question, C00C A IN ttl 4 10.83.0.1 |
 */
#include <stdio.h>
#include <stdlib.h>

#include <mcc/resolve.h>

#include "mcc_dns.h"
#include "suites.h"
#include "testutil.h"

#define QID 0x5a17
#define RD MCC_DNS_FLAG_RD
#define S_NS 1000000000ull
#define NOW0 0 /* the time of the tests that do not depend on it */

/* ---- query builder and response reader ---------------------------------- */

/* A dotted name ("" for the root) as wire labels; returns its length. */
static size_t put_name(uint8_t *p, const char *name) {
  size_t n = 0;
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t len = dot ? (size_t)(dot - name) : strlen(name);
    p[n++] = (uint8_t)len;
    memcpy(p + n, name, len);
    n += len;
    name += len + (dot ? 1 : 0);
  }
  p[n++] = 0;
  return n;
}

static size_t put_header(uint8_t *q, uint16_t flags, uint16_t qdcount) {
  memset(q, 0, MCC_DNS_HEADER_LEN);
  q[0] = QID >> 8;
  q[1] = QID & 0xff;
  q[2] = (uint8_t)(flags >> 8);
  q[3] = (uint8_t)flags;
  q[5] = (uint8_t)qdcount;
  return MCC_DNS_HEADER_LEN;
}

static size_t put_type_class(uint8_t *p, uint16_t type, uint16_t qclass) {
  p[0] = (uint8_t)(type >> 8);
  p[1] = (uint8_t)type;
  p[2] = (uint8_t)(qclass >> 8);
  p[3] = (uint8_t)qclass;
  return 4;
}

/* A query: header with flags and qdcount, one question name/type/class. */
static size_t build_query(uint8_t *q, uint16_t flags, uint16_t qdcount,
                          const char *name, uint16_t type, uint16_t qclass) {
  size_t n = put_header(q, flags, qdcount);
  n += put_name(q + n, name);
  return n + put_type_class(q + n, type, qclass);
}

static size_t build_simple(uint8_t *q, const char *name, uint16_t type) {
  return build_query(q, RD, 1, name, type, MCC_DNS_CLASS_IN);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* A response, read by the test's own reader (no pointers in the question,
 * the record's name a pointer). */
struct reply {
  int rv;
  size_t len;
  uint16_t id, flags, qd, an, ns, ar;
  size_t qend; /* past the question */
  uint16_t aname, atype, aclass, rdlen;
  uint32_t ttl;
  const uint8_t *rdata;
  uint8_t buf[MCC_DNS_RESPONSE_MAX];
};

static void read_reply(struct reply *rep) {
  const uint8_t *b = rep->buf;
  CU_ASSERT_FATAL(rep->len >= MCC_DNS_HEADER_LEN);
  rep->id = get16(b);
  rep->flags = get16(b + 2);
  rep->qd = get16(b + 4);
  rep->an = get16(b + 6);
  rep->ns = get16(b + 8);
  rep->ar = get16(b + 10);
  size_t p = MCC_DNS_HEADER_LEN;
  if (rep->qd == 1) {
    while (p < rep->len && b[p] != 0) p += 1u + b[p];
    p += 5;
  }
  rep->qend = p;
  if (rep->an == 1) {
    CU_ASSERT_FATAL(p + 12 <= rep->len);
    rep->aname = get16(b + p);
    rep->atype = get16(b + p + 2);
    rep->aclass = get16(b + p + 4);
    rep->ttl = (uint32_t)get16(b + p + 6) << 16 | get16(b + p + 8);
    rep->rdlen = get16(b + p + 10);
    rep->rdata = b + p + 12;
    p += 12u + rep->rdlen;
  }
  CU_ASSERT_EQUAL(p, rep->len);
}

/* Asks with r's resolver.ttl set to ttl. */
static void ask_in(mcc_resolver *r, const char *domain, uint32_t ttl,
                   const uint8_t *q, size_t qlen, struct reply *rep) {
  memset(rep, 0, sizeof *rep);
  r->settings.ttl_s = ttl;
  rep->rv = mcc_dns_answer(r, domain, q, qlen, rep->buf, sizeof rep->buf,
                           &rep->len, NOW0);
  if (rep->rv == 0) read_reply(rep);
}

static void ask(mcc_resolver *r, const uint8_t *q, size_t qlen,
                struct reply *rep) {
  ask_in(r, ".home.arpa", 0, q, qlen, rep);
}

/* The response to a well-formed question: rv 0, ID, QR, rcode, AA as the
 * rcode wants, RD copied, RA clear, the question echoed byte for byte. */
static void check_answered(const struct reply *rep, const uint8_t *q,
                           size_t qlen, int rcode, uint16_t an) {
  CU_ASSERT_EQUAL_FATAL(rep->rv, 0);
  CU_ASSERT_EQUAL(rep->id, QID);
  CU_ASSERT(rep->flags & MCC_DNS_FLAG_QR);
  CU_ASSERT_EQUAL(MCC_DNS_OPCODE(rep->flags), 0);
  CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep->flags), rcode);
  CU_ASSERT_EQUAL(!!(rep->flags & MCC_DNS_FLAG_AA),
                  rcode == MCC_DNS_NOERROR || rcode == MCC_DNS_NXDOMAIN);
  CU_ASSERT_EQUAL(rep->flags & MCC_DNS_FLAG_RD, get16(q + 2) & RD);
  CU_ASSERT_EQUAL(rep->flags & (MCC_DNS_FLAG_RA | MCC_DNS_FLAG_TC | 0x70), 0);
  CU_ASSERT_EQUAL(rep->qd, 1);
  CU_ASSERT_EQUAL(rep->an, an);
  CU_ASSERT_EQUAL(rep->ns, 0);
  CU_ASSERT_EQUAL(rep->ar, 0);
  CU_ASSERT_FATAL(rep->qend <= rep->len && rep->qend <= qlen);
  CU_ASSERT_EQUAL(memcmp(rep->buf + MCC_DNS_HEADER_LEN, q + MCC_DNS_HEADER_LEN,
                         rep->qend - MCC_DNS_HEADER_LEN),
                  0);
}

/* A FORMERR or NOTIMP: ID, QR, rcode, no question, no AA. */
static void check_bare(const struct reply *rep, int rcode) {
  CU_ASSERT_EQUAL_FATAL(rep->rv, 0);
  CU_ASSERT_EQUAL(rep->len, MCC_DNS_HEADER_LEN);
  CU_ASSERT_EQUAL(rep->id, QID);
  CU_ASSERT(rep->flags & MCC_DNS_FLAG_QR);
  CU_ASSERT_EQUAL(rep->flags & MCC_DNS_FLAG_AA, 0);
  CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep->flags), rcode);
  CU_ASSERT_EQUAL(rep->qd + rep->an + rep->ns + rep->ar, 0);
}

/* One record of type, class IN, the name a pointer to the question. */
static void check_record(const struct reply *rep, uint16_t type, uint32_t ttl,
                         const uint8_t *rdata, uint16_t rdlen) {
  CU_ASSERT_EQUAL(rep->an, 1);
  CU_ASSERT_EQUAL(rep->aname, 0xc00c);
  CU_ASSERT_EQUAL(rep->atype, type);
  CU_ASSERT_EQUAL(rep->aclass, MCC_DNS_CLASS_IN);
  CU_ASSERT_EQUAL(rep->ttl, ttl);
  CU_ASSERT_EQUAL_FATAL(rep->rdlen, rdlen);
  CU_ASSERT_EQUAL(memcmp(rep->rdata, rdata, rdlen), 0);
}

/* A wire name (no pointers) as dotted text. */
static void wire_text(const uint8_t *p, size_t len, char *out) {
  size_t i = 0, n = 0;
  while (i < len && p[i] != 0) {
    if (n > 0) out[n++] = '.';
    memcpy(out + n, p + i + 1, p[i]);
    n += p[i];
    i += 1u + p[i];
  }
  out[n] = '\0';
}

/* ---- fixture ------------------------------------------------------------- */

struct fixture {
  mcc_resolver r;
  mcc_keypair kp;
  char id[MCC_ID_TEXT_LEN + 1];
  char name[MCC_RESOLVE_NAME_MAX + 1]; /* "<id>.home.arpa" */
  uint8_t q[600];
  struct reply rep;
};

static void fixture_init(struct fixture *f, const char *domain) {
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, domain, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&f->r, &s), 0);
  test_keys(&f->kp, 7);
  mcc_id_to_text(&f->kp.pub, f->id);
  snprintf(f->name, sizeof f->name, "%s%s", f->id, s.domain);
}

/* ---- answers ------------------------------------------------------------- */

static void test_real_dns_a(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  size_t qlen = build_simple(f.q, f.name, MCC_DNS_TYPE_A);
  ask_in(&f.r, ".home.arpa", 300, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  check_record(&f.rep, MCC_DNS_TYPE_A, 300, a.ipv4, 4);
  const uint8_t first[4] = {10, 83, 0, 1};
  CU_ASSERT_EQUAL(memcmp(a.ipv4, first, 4), 0);
  CU_ASSERT_EQUAL(f.rep.len, qlen + 16);
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 1);
  /* the same question, the same bytes; a trailing dot is the same name */
  uint8_t again[MCC_DNS_RESPONSE_MAX];
  size_t againlen = 0;
  memcpy(again, f.rep.buf, f.rep.len);
  againlen = f.rep.len;
  ask_in(&f.r, ".home.arpa.", 300, f.q, qlen, &f.rep);
  CU_ASSERT_EQUAL(f.rep.len, againlen);
  CU_ASSERT_EQUAL(memcmp(f.rep.buf, again, againlen), 0);
  /* RD clear stays clear */
  qlen = build_query(f.q, 0, 1, f.name, MCC_DNS_TYPE_A, MCC_DNS_CLASS_IN);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  check_record(&f.rep, MCC_DNS_TYPE_A, 0, a.ipv4, 4);
  mcc_resolver_clear(&f.r);
}

static void test_real_dns_aaaa(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  mcc_keypair other;
  mcc_resolve_addrs a;
  test_keys(&other, 8); /* takes slot 0, so ours is the second */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &other.pub, NULL, NOW0), 0);
  size_t qlen = build_simple(f.q, f.name, MCC_DNS_TYPE_AAAA);
  ask_in(&f.r, ".home.arpa", 60, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  check_record(&f.rep, MCC_DNS_TYPE_AAAA, 60, a.ipv6, 16);
  CU_ASSERT_EQUAL(a.ipv6[0], 0x02);
  CU_ASSERT_EQUAL(a.ipv6[15], 2);
  /* the bare node id too */
  qlen = build_simple(f.q, f.id, MCC_DNS_TYPE_AAAA);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  check_record(&f.rep, MCC_DNS_TYPE_AAAA, 0, a.ipv6, 16);
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 2);
  mcc_resolver_clear(&f.r);
}

/* PTR of each address gives "<id>.home.arpa" back, as id_name spells it. */
static void test_real_dns_ptr(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  char ptr[MCC_RESOLVE_PTR_MAX], want[MCC_RESOLVE_NAME_MAX + 1];
  char got[MCC_RESOLVE_NAME_MAX + 1];
  uint8_t target[256];
  CU_ASSERT_EQUAL(mcc_resolver_id_name(&f.r, &f.kp.pub, want, sizeof want), 0);
  size_t targetlen = put_name(target, want);
  for (int family = 4; family <= 6; family += 2) {
    CU_ASSERT_EQUAL(mcc_resolve_ptr_name(family, family == 4 ? a.ipv4 : a.ipv6,
                                         ptr, sizeof ptr),
                    0);
    size_t qlen = build_simple(f.q, ptr, MCC_DNS_TYPE_PTR);
    ask_in(&f.r, ".home.arpa", 5, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
    check_record(&f.rep, MCC_DNS_TYPE_PTR, 5, target, (uint16_t)targetlen);
    wire_text(f.rep.rdata, f.rep.rdlen, got);
    CU_ASSERT_STRING_EQUAL(got, f.name);
    /* the same name in upper case, echoed as asked */
    for (char *c = ptr; *c; c++)
      if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
    qlen = build_simple(f.q, ptr, MCC_DNS_TYPE_PTR);
    ask_in(&f.r, ".home.arpa", 5, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
    check_record(&f.rep, MCC_DNS_TYPE_PTR, 5, target, (uint16_t)targetlen);
    /* the domain as the host spells it, written in lower case */
    ask_in(&f.r, "HOME.Arpa.", 5, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
    check_record(&f.rep, MCC_DNS_TYPE_PTR, 5, target, (uint16_t)targetlen);
  }
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 1);
  mcc_resolver_clear(&f.r);
}

/* Reverse names: which are ours, which exist. */
static void test_real_dns_reverse_zone(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, NULL, NOW0), 0);
  static const struct {
    const char *name;
    uint16_t type;
    int rcode;
  } cases[] = {
      {"2.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"255.255.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"0.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"1.1.168.192.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"1.0.84.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"1.0.83.10.in-addr.arpa", MCC_DNS_TYPE_A, MCC_DNS_NOERROR},
      {"1.0.83.10.in-addr.arpa", MCC_DNS_TYPE_ANY, MCC_DNS_NOERROR},
      {"83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NOERROR},
      {"0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NOERROR},
      {"10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"x.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"01.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"256.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"257.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"1.1.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0."
       "ip6.arpa",
       MCC_DNS_TYPE_A, MCC_DNS_NOERROR},
      {"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0."
       "ip6.arpa",
       MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f."
       "ip6.arpa",
       MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0."
       "ip6.arpa", /* 300::1 is in 200::/7, held by nobody */
       MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
      {"2.0.ip6.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NOERROR},
      {"0.ip6.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_REFUSED},
      {"00.2.0.ip6.arpa", MCC_DNS_TYPE_PTR, MCC_DNS_NXDOMAIN},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t qlen = build_simple(f.q, cases[i].name, cases[i].type);
    ask(&f.r, f.q, qlen, &f.rep);
    if (MCC_DNS_RCODE(f.rep.flags) != cases[i].rcode)
      fprintf(stderr, "\n  %s: rcode %d, want %d\n", cases[i].name,
              MCC_DNS_RCODE(f.rep.flags), cases[i].rcode);
    check_answered(&f.rep, f.q, qlen, cases[i].rcode, 0);
  }
  /* none of that gave anyone a slot */
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 1);
  mcc_resolver_clear(&f.r);
}

/* Zones of other networks: a zone starts at the name of the prefix's
 * first ceil(prefix / unit) units, and names above it are not ours even
 * when their units are zero like the network's. */
static void test_real_dns_reverse_prefixes(void) {
  static const struct {
    const char *ipv4, *ipv6, *name;
    int rcode;
  } cases[] = {
      {"10.0.0.0/16", NULL, "10.in-addr.arpa", MCC_DNS_REFUSED},
      {"10.0.0.0/16", NULL, "0.10.in-addr.arpa", MCC_DNS_NOERROR},
      {"10.0.0.0/16", NULL, "1.0.10.in-addr.arpa", MCC_DNS_NOERROR},
      {"10.0.0.0/16", NULL, "1.0.0.10.in-addr.arpa", MCC_DNS_NXDOMAIN},
      {"0.0.0.0/0", NULL, "in-addr.arpa", MCC_DNS_NOERROR},
      {"0.0.0.0/0", NULL, "9.9.9.9.in-addr.arpa", MCC_DNS_NXDOMAIN},
      {"192.168.8.0/22", NULL, "168.192.in-addr.arpa", MCC_DNS_REFUSED},
      {"192.168.8.0/22", NULL, "8.168.192.in-addr.arpa", MCC_DNS_NOERROR},
      {"192.168.8.0/22", NULL, "11.168.192.in-addr.arpa", MCC_DNS_NOERROR},
      {"192.168.8.0/22", NULL, "12.168.192.in-addr.arpa", MCC_DNS_REFUSED},
      {"192.168.8.0/22", NULL, "7.168.192.in-addr.arpa", MCC_DNS_REFUSED},
      {"192.168.8.0/22", NULL, "1.8.168.192.in-addr.arpa", MCC_DNS_NXDOMAIN},
      {"192.168.8.0/30", NULL, "8.168.192.in-addr.arpa", MCC_DNS_REFUSED},
      {"192.168.8.0/30", NULL, "2.8.168.192.in-addr.arpa", MCC_DNS_NXDOMAIN},
      {"192.168.8.0/30", NULL, "4.8.168.192.in-addr.arpa", MCC_DNS_REFUSED},
      {NULL, "fd00:83::/64", "3.8.0.0.0.0.d.f.ip6.arpa", MCC_DNS_REFUSED},
      {NULL, "fd00:83::/64", "0.0.0.0.3.8.0.0.0.0.d.f.ip6.arpa",
       MCC_DNS_REFUSED},
      {NULL, "fd00:83::/64", "0.0.0.0.0.0.0.0.3.8.0.0.0.0.d.f.ip6.arpa",
       MCC_DNS_NOERROR},
      {NULL, "fd00:83::/64",
       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.8.0.0.0.0.d.f."
       "ip6.arpa",
       MCC_DNS_NXDOMAIN},
      {NULL, "fd00:83::/64",
       "g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.8.0.0.0.0.d.f."
       "ip6.arpa",
       MCC_DNS_NXDOMAIN},
  };
  uint8_t q[300];
  struct reply rep;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_resolver r;
    mcc_resolver_settings s;
    mcc_resolver_settings_default(&s);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_settings_from_text(&s, cases[i].ipv4,
                                                          cases[i].ipv6, NULL,
                                                          NULL, NULL),
                          0);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
    size_t qlen = build_simple(q, cases[i].name, MCC_DNS_TYPE_PTR);
    ask(&r, q, qlen, &rep);
    if (MCC_DNS_RCODE(rep.flags) != cases[i].rcode)
      fprintf(stderr, "\n  %s: rcode %d, want %d\n", cases[i].name,
              MCC_DNS_RCODE(rep.flags), cases[i].rcode);
    check_answered(&rep, q, qlen, cases[i].rcode, 0);
    mcc_resolver_clear(&r);
  }
}

static void test_real_dns_nxdomain(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  char name[300];
  const char *names[] = {
      "nosuch.home.arpa",
      /* 52 characters, but not an id (non-zero padding) */
      "3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7x1.home.arpa",
      "a_b.home.arpa", name, /* "<id>.x.home.arpa" */
  };
  snprintf(name, sizeof name, "%s.x.home.arpa", f.id);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t qlen = build_simple(f.q, names[i], MCC_DNS_TYPE_A);
    ask(&f.r, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NXDOMAIN, 0);
  }
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  mcc_resolver_clear(&f.r);
}

/* A name that exists, asked for a type we do not hold: NODATA. */
static void test_real_dns_nodata(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  const uint16_t types[] = {MCC_DNS_TYPE_ANY, 15 /* MX */, 16 /* TXT */,
                            MCC_DNS_TYPE_PTR, 6 /* SOA */};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    size_t qlen = build_simple(f.q, f.name, types[i]);
    ask(&f.r, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 0);
    CU_ASSERT_EQUAL(f.rep.len, qlen);
  }
  /* the apex exists too */
  size_t qlen = build_simple(f.q, "Home.Arpa", MCC_DNS_TYPE_A);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 0);
  /* only A and AAAA give an id a slot */
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  mcc_resolver_clear(&f.r);
}

/* dns-names under the domain and alone, and the manual's ".staex". */
static void test_real_dns_dns_names(void) {
  struct fixture f;
  fixture_init(&f, ".staex");
  mcc_resolve_addrs a;
  mcc_keypair other;
  test_keys(&other, 9);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &other.pub, NULL, NOW0), 0);
  CU_ASSERT_EQUAL(
      mcc_resolver_set_names(&f.r, &f.kp.pub, "node1,light.lab", 15), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  const char *names[] = {"node1.staex", "node1", "light.lab", "light.lab.staex",
                         "NODE1.STAEX."};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t qlen = build_simple(f.q, names[i], MCC_DNS_TYPE_A);
    ask_in(&f.r, ".staex", 1, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
    check_record(&f.rep, MCC_DNS_TYPE_A, 1, a.ipv4, 4);
  }
  /* PTR names the node by id under .staex */
  char ptr[MCC_RESOLVE_PTR_MAX], got[MCC_RESOLVE_NAME_MAX + 1];
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(4, a.ipv4, ptr, sizeof ptr), 0);
  CU_ASSERT_STRING_EQUAL(ptr, "2.0.83.10.in-addr.arpa");
  size_t qlen = build_simple(f.q, ptr, MCC_DNS_TYPE_PTR);
  ask_in(&f.r, ".staex", 1, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  CU_ASSERT_EQUAL_FATAL(f.rep.atype, MCC_DNS_TYPE_PTR);
  wire_text(f.rep.rdata, f.rep.rdlen, got);
  CU_ASSERT_STRING_EQUAL(got, f.name);
  CU_ASSERT_EQUAL(strlen(got), MCC_ID_TEXT_LEN + 6);
  /* under .staex, home.arpa is someone else's */
  qlen = build_simple(f.q, "node1.home.arpa", MCC_DNS_TYPE_A);
  ask_in(&f.r, ".staex", 1, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  qlen = build_simple(f.q, "node2.staex", MCC_DNS_TYPE_A);
  ask_in(&f.r, ".staex", 1, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NXDOMAIN, 0);
  mcc_resolver_clear(&f.r);
}

/* No domain: ids and dns-names alone; PTR gives the bare id. */
static void test_real_dns_no_domain(void) {
  struct fixture f;
  fixture_init(&f, "");
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&f.r, &f.kp.pub, "cam", 3), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  size_t qlen = build_simple(f.q, "cam", MCC_DNS_TYPE_A);
  ask_in(&f.r, "", 0, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  check_record(&f.rep, MCC_DNS_TYPE_A, 0, a.ipv4, 4);
  qlen = build_simple(f.q, "1.0.83.10.in-addr.arpa", MCC_DNS_TYPE_PTR);
  ask_in(&f.r, NULL, 0, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  uint8_t target[MCC_ID_TEXT_LEN + 2];
  CU_ASSERT_EQUAL(put_name(target, f.id), sizeof target);
  check_record(&f.rep, MCC_DNS_TYPE_PTR, 0, target, sizeof target);
  qlen = build_simple(f.q, "nosuch.home.arpa", MCC_DNS_TYPE_A);
  ask_in(&f.r, "", 0, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  mcc_resolver_clear(&f.r);
}

/* Any case is the same name; the question comes back as it was asked. */
static void test_real_dns_upper_case(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  mcc_resolve_addrs a;
  char upper[MCC_RESOLVE_NAME_MAX + 1];
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  for (size_t i = 0; f.name[i]; i++) {
    char c = f.name[i];
    upper[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    upper[i + 1] = '\0';
  }
  size_t qlen = build_simple(f.q, upper, MCC_DNS_TYPE_A);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  check_record(&f.rep, MCC_DNS_TYPE_A, 0, a.ipv4, 4);
  CU_ASSERT_EQUAL(memcmp(f.rep.buf + 13, upper, MCC_ID_TEXT_LEN), 0);
  CU_ASSERT_EQUAL(memcmp(f.rep.buf + 13 + MCC_ID_TEXT_LEN + 1, "HOME", 4), 0);
  mcc_resolver_clear(&f.r);
}

static void test_real_dns_refused(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  const char *names[] = {"example.com", "nosuch", "arpa", "", "home.arpa.com"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t qlen = build_simple(f.q, names[i], MCC_DNS_TYPE_A);
    ask(&f.r, f.q, qlen, &f.rep);
    check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  }
  /* class CH, and even our own name in class ANY */
  size_t qlen = build_query(f.q, RD, 1, "version.bind", 16, 3);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  qlen = build_query(f.q, RD, 1, f.name, MCC_DNS_TYPE_A, 255);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  /* a dot inside a label is no label boundary: "<id>.home" + "arpa" */
  size_t n = put_header(f.q, RD, 1);
  f.q[n++] = MCC_ID_TEXT_LEN + 5;
  memcpy(f.q + n, f.name, MCC_ID_TEXT_LEN + 5);
  n += MCC_ID_TEXT_LEN + 5;
  n += put_name(f.q + n, "arpa");
  n += put_type_class(f.q + n, MCC_DNS_TYPE_A, MCC_DNS_CLASS_IN);
  ask(&f.r, f.q, n, &f.rep);
  check_answered(&f.rep, f.q, n, MCC_DNS_REFUSED, 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  mcc_resolver_clear(&f.r);
}

/* Every slot pinned: the resolver cannot answer A, so SERVFAIL. */
static void test_real_dns_servfail(void) {
  mcc_resolver r;
  mcc_resolver_settings s;
  mcc_keypair kp[3];
  char name[MCC_RESOLVE_NAME_MAX + 1], id[MCC_ID_TEXT_LEN + 1];
  uint8_t q[300];
  struct reply rep;
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_settings_from_text(&s, "10.83.0.0/30",
                                                        NULL, NULL, NULL, NULL),
                        0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  for (uint8_t i = 0; i < 3; i++) test_keys(&kp[i], (uint8_t)(20 + i));
  CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &kp[0].pub, NULL, NOW0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &kp[1].pub, NULL, NOW0), 0);
  mcc_id_to_text(&kp[2].pub, id);
  snprintf(name, sizeof name, "%s.home.arpa", id);
  size_t qlen = build_simple(q, name, MCC_DNS_TYPE_A);
  ask(&r, q, qlen, &rep);
  check_answered(&rep, q, qlen, MCC_DNS_SERVFAIL, 0);
  /* the name exists, so other types still get NODATA */
  qlen = build_simple(q, name, 15);
  ask(&r, q, qlen, &rep);
  check_answered(&rep, q, qlen, MCC_DNS_NOERROR, 0);
  mcc_resolver_clear(&r);
}

/* An OPT record in the additional section changes nothing. */
static void test_real_dns_edns_ignored(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  mcc_resolve_addrs a;
  size_t qlen = build_simple(f.q, f.name, MCC_DNS_TYPE_A);
  f.q[11] = 1; /* ARCOUNT */
  static const uint8_t opt[] = {0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0};
  memcpy(f.q + qlen, opt, sizeof opt);
  ask(&f.r, f.q, qlen + sizeof opt, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_NOERROR, 1);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  check_record(&f.rep, MCC_DNS_TYPE_A, 0, a.ipv4, 4);
  /* the largest TTL (RFC 2181 section 8; the resolver takes no more) */
  ask_in(&f.r, ".home.arpa", 0x7fffffff, f.q, qlen, &f.rep);
  check_record(&f.rep, MCC_DNS_TYPE_A, 0x7fffffff, a.ipv4, 4);
  mcc_resolver_clear(&f.r);
}

/* ---- malformed queries --------------------------------------------------- */

static void test_real_dns_qdcount(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  const uint16_t counts[] = {0, 2, 256, 0xffff};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    size_t qlen = build_simple(f.q, f.name, MCC_DNS_TYPE_A);
    f.q[4] = (uint8_t)(counts[i] >> 8);
    f.q[5] = (uint8_t)counts[i];
    if (counts[i] == 2) { /* two good questions */
      memcpy(f.q + qlen, f.q + 12, qlen - 12);
      qlen += qlen - 12;
    }
    ask(&f.r, f.q, qlen, &f.rep);
    check_bare(&f.rep, MCC_DNS_FORMERR);
    CU_ASSERT_EQUAL(f.rep.flags & RD, RD);
  }
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  mcc_resolver_clear(&f.r);
}

/* Cut anywhere inside the question: FORMERR, never a read past qlen (the
 * query is copied to a buffer of exactly qlen bytes for ASan). */
static void test_real_dns_truncated(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  size_t full = build_simple(f.q, f.name, MCC_DNS_TYPE_A);
  for (size_t qlen = MCC_DNS_HEADER_LEN; qlen < full; qlen++) {
    uint8_t *copy = malloc(qlen);
    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, f.q, qlen);
    ask(&f.r, copy, qlen, &f.rep);
    check_bare(&f.rep, MCC_DNS_FORMERR);
    free(copy);
  }
  ask(&f.r, f.q, full, &f.rep);
  check_answered(&f.rep, f.q, full, MCC_DNS_NOERROR, 1);
  mcc_resolver_clear(&f.r);
}

static void test_real_dns_bad_names(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  static const struct {
    const char *what;
    uint8_t bytes[8];
    size_t len;
  } cases[] = {
      {"pointer loop to itself", {0xc0, 12, 0, 1, 0, 1}, 6},
      {"label then loop", {1, 'a', 0xc0, 12, 0, 1, 0, 1}, 8},
      {"pointer forward", {0xc0, 14, 1, 'a', 0, 0, 1, 0}, 8},
      {"pointer past the end", {0xc0, 0xff, 0, 1, 0, 1}, 6},
      {"extended label 0x40", {0x41, 'a', 0, 0, 1, 0, 1}, 7},
      {"reserved label 0x80", {0x81, 'a', 0, 0, 1, 0, 1}, 7},
      {"no type", {1, 'a', 0, 0, 1}, 5},
      {"no root", {1, 'a'}, 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = put_header(f.q, RD, 1);
    memcpy(f.q + n, cases[i].bytes, cases[i].len);
    ask(&f.r, f.q, n + cases[i].len, &f.rep);
    if (f.rep.rv != 0 || MCC_DNS_RCODE(f.rep.flags) != MCC_DNS_FORMERR)
      fprintf(stderr, "\n  %s: rv %d rcode %d\n", cases[i].what, f.rep.rv,
              MCC_DNS_RCODE(f.rep.flags));
    check_bare(&f.rep, MCC_DNS_FORMERR);
  }
  /* a label of 63 is fine, 64 is not (its length byte has bit 0x40) */
  char label[70];
  memset(label, 'a', sizeof label);
  label[63] = '\0';
  size_t qlen = build_simple(f.q, label, MCC_DNS_TYPE_A);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  label[63] = 'a';
  label[64] = '\0';
  qlen = build_simple(f.q, label, MCC_DNS_TYPE_A);
  ask(&f.r, f.q, qlen, &f.rep);
  check_bare(&f.rep, MCC_DNS_FORMERR);
  /* names of 255 bytes are fine, 256 are not */
  char name[300];
  memset(name, 'b', sizeof name);
  name[63] = name[127] = name[191] = '.';
  name[253] = '\0'; /* labels 63, 63, 63, 61: 255 bytes with the root */
  qlen = build_simple(f.q, name, MCC_DNS_TYPE_A);
  CU_ASSERT_EQUAL(qlen, 12 + 255 + 4);
  ask(&f.r, f.q, qlen, &f.rep);
  check_answered(&f.rep, f.q, qlen, MCC_DNS_REFUSED, 0);
  name[253] = 'b';
  name[254] = '\0';
  qlen = build_simple(f.q, name, MCC_DNS_TYPE_A);
  ask(&f.r, f.q, qlen, &f.rep);
  check_bare(&f.rep, MCC_DNS_FORMERR);
  /* 128 one-byte labels: 257 bytes */
  size_t n = put_header(f.q, RD, 1);
  for (int i = 0; i < 128; i++) {
    f.q[n++] = 1;
    f.q[n++] = 'c';
  }
  f.q[n++] = 0;
  n += put_type_class(f.q + n, MCC_DNS_TYPE_A, MCC_DNS_CLASS_IN);
  ask(&f.r, f.q, n, &f.rep);
  check_bare(&f.rep, MCC_DNS_FORMERR);
  mcc_resolver_clear(&f.r);
}

static void test_real_dns_notimp(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  for (uint16_t opcode = 1; opcode < 16; opcode++) {
    size_t qlen = build_query(f.q, (uint16_t)(RD | opcode << 11), 1, f.name,
                              MCC_DNS_TYPE_A, MCC_DNS_CLASS_IN);
    ask(&f.r, f.q, qlen, &f.rep);
    check_bare(&f.rep, MCC_DNS_NOTIMP);
    CU_ASSERT_EQUAL(MCC_DNS_OPCODE(f.rep.flags), opcode);
    CU_ASSERT_EQUAL(f.rep.flags & RD, RD);
  }
  /* opcode 2 (STATUS) with no question at all */
  size_t qlen = put_header(f.q, 2 << 11, 0);
  ask(&f.r, f.q, qlen, &f.rep);
  check_bare(&f.rep, MCC_DNS_NOTIMP);
  CU_ASSERT_EQUAL(MCC_DNS_OPCODE(f.rep.flags), 2);
  CU_ASSERT_EQUAL(f.rep.flags & RD, 0);
  mcc_resolver_clear(&f.r);
}

/* Responses and runts get nothing back. */
static void test_real_dns_dropped(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  size_t qlen = build_query(f.q, MCC_DNS_FLAG_QR | RD, 1, f.name,
                            MCC_DNS_TYPE_A, MCC_DNS_CLASS_IN);
  f.rep.len = 99;
  f.rep.rv = mcc_dns_answer(&f.r, ".home.arpa", f.q, qlen, f.rep.buf,
                            sizeof f.rep.buf, &f.rep.len, NOW0);
  CU_ASSERT_EQUAL(f.rep.rv, MCC_ERR_TYPE);
  CU_ASSERT_EQUAL(f.rep.len, 0);
  /* a response with an error code, and one with opcode 2: still dropped */
  f.q[2] = 0x80 | 2 << 3;
  f.q[3] = MCC_DNS_NXDOMAIN;
  ask(&f.r, f.q, qlen, &f.rep);
  CU_ASSERT_EQUAL(f.rep.rv, MCC_ERR_TYPE);
  for (size_t len = 0; len < MCC_DNS_HEADER_LEN; len++) {
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_FATAL(copy != NULL);
    build_simple(f.q, f.name, MCC_DNS_TYPE_A);
    memcpy(copy, f.q, len);
    f.rep.len = 99;
    f.rep.rv = mcc_dns_answer(&f.r, ".home.arpa", copy, len, f.rep.buf,
                              sizeof f.rep.buf, &f.rep.len, NOW0);
    CU_ASSERT_EQUAL(f.rep.rv, MCC_ERR_TRUNCATED);
    CU_ASSERT_EQUAL(f.rep.len, 0);
    free(copy);
  }
  /* a bare header of 12 bytes is a query with no question: FORMERR */
  put_header(f.q, RD, 0);
  ask(&f.r, f.q, MCC_DNS_HEADER_LEN, &f.rep);
  check_bare(&f.rep, MCC_DNS_FORMERR);
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  mcc_resolver_clear(&f.r);
}

/* Every out size below what the response needs fails and writes nothing
 * past it; the exact size works. */
static void test_real_dns_outcap(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  char ptr[MCC_RESOLVE_PTR_MAX];
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&f.r, &f.kp.pub, &a, NOW0), 0);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(6, a.ipv6, ptr, sizeof ptr), 0);
  size_t qlens[3];
  uint8_t queries[3][300];
  qlens[0] = build_simple(queries[0], f.name, MCC_DNS_TYPE_AAAA);
  qlens[1] = build_simple(queries[1], ptr, MCC_DNS_TYPE_PTR);
  qlens[2] = build_query(queries[2], 0, 2, "x", 1, 1); /* FORMERR */
  for (int k = 0; k < 3; k++) {
    ask(&f.r, queries[k], qlens[k], &f.rep);
    CU_ASSERT_EQUAL_FATAL(f.rep.rv, 0);
    size_t need = f.rep.len;
    uint8_t want[MCC_DNS_RESPONSE_MAX], buf[MCC_DNS_RESPONSE_MAX + 16];
    memcpy(want, f.rep.buf, need);
    for (size_t cap = 0; cap <= need; cap++) {
      size_t len = 99;
      memset(buf, 0xee, sizeof buf);
      int rv = mcc_dns_answer(&f.r, ".home.arpa", queries[k], qlens[k], buf,
                              cap, &len, NOW0);
      if (cap < need) {
        CU_ASSERT_EQUAL(rv, MCC_ERR_INVALID_ARGUMENT);
        CU_ASSERT_EQUAL(len, 0);
      } else {
        CU_ASSERT_EQUAL(rv, 0);
        CU_ASSERT_EQUAL(len, need);
        CU_ASSERT_EQUAL(memcmp(buf, want, need), 0);
      }
      size_t untouched = 0;
      for (size_t i = cap; i < sizeof buf; i++) untouched += buf[i] == 0xee;
      CU_ASSERT_EQUAL(untouched, sizeof buf - cap);
    }
  }
  /* the longest PTR target fits 512 bytes: an IPv6 name, a 199-character
   * domain */
  mcc_resolver big;
  mcc_resolver_settings s;
  char domain[210];
  memset(domain, 'd', sizeof domain);
  for (int i = 0; i < 200; i += 50) domain[i] = '.';
  domain[200] = '\0';
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, domain, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&big, &s), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&big, &f.kp.pub, NULL, NOW0), 0);
  char want[MCC_RESOLVE_NAME_MAX + 1], got[MCC_RESOLVE_NAME_MAX + 1];
  CU_ASSERT_EQUAL(mcc_resolver_id_name(&big, &f.kp.pub, want, sizeof want), 0);
  CU_ASSERT_EQUAL(strlen(want), 252);
  ask_in(&big, domain, 0, queries[1], qlens[1], &f.rep);
  check_answered(&f.rep, queries[1], qlens[1], MCC_DNS_NOERROR, 1);
  CU_ASSERT_EQUAL(f.rep.rdlen, 254);
  wire_text(f.rep.rdata, f.rep.rdlen, got);
  CU_ASSERT_STRING_EQUAL(got, want);
  CU_ASSERT(f.rep.len <= MCC_DNS_RESPONSE_MAX);
  mcc_resolver_clear(&big);
  mcc_resolver_clear(&f.r);
}

static void test_real_dns_invalid_arguments(void) {
  struct fixture f;
  fixture_init(&f, NULL);
  uint8_t out[MCC_DNS_RESPONSE_MAX];
  size_t len = 99, qlen = build_simple(f.q, f.name, MCC_DNS_TYPE_A);
  CU_ASSERT_EQUAL(mcc_dns_answer(NULL, ".home.arpa", f.q, qlen, out, sizeof out,
                                 &len, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(len, 0);
  CU_ASSERT_EQUAL(mcc_dns_answer(&f.r, ".home.arpa", NULL, qlen, out,
                                 sizeof out, &len, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_dns_answer(&f.r, ".home.arpa", f.q, qlen, NULL,
                                 sizeof out, &len, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_dns_answer(&f.r, ".home.arpa", f.q, qlen, out, sizeof out,
                                 NULL, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  const char *bad[] = {"home..arpa", ".home arpa", "..", ".-_"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CU_ASSERT_EQUAL(
        mcc_dns_answer(&f.r, bad[i], f.q, qlen, out, sizeof out, &len, NOW0),
        MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_used(&f.r), 0);
  CU_ASSERT_EQUAL(mcc_dns_answer(&f.r, "HOME.ARPA.", f.q, qlen, out, sizeof out,
                                 &len, NOW0),
                  0);
  CU_ASSERT_EQUAL(len, qlen + 16);
  mcc_resolver_clear(&f.r);
}

/* ---- the address pool and the limits (issue 11) -------------------------- */

/* A synthetic node id (the resolver never checks that an id is a curve
 * point) and its name under .home.arpa. */
static mcc_id pool_id(uint32_t n, char name[MCC_RESOLVE_NAME_MAX + 1]) {
  mcc_id id;
  char text[MCC_ID_TEXT_LEN + 1];
  memset(id.key, 0x3c, sizeof id.key);
  memcpy(id.key, &n, sizeof n);
  mcc_id_to_text(&id, text);
  snprintf(name, MCC_RESOLVE_NAME_MAX + 1, "%s.home.arpa", text);
  return id;
}

/* Client n: 127.0.0.1 + n, any port. */
static mcc_addr client4(uint32_t n, uint16_t port) {
  mcc_addr a;
  memset(&a, 0, sizeof a);
  a.family = 4;
  a.port = port;
  uint32_t ip = 0x7f000001u + n;
  for (int i = 0; i < 4; i++) a.ip[i] = (uint8_t)(ip >> (24 - 8 * i));
  return a;
}

static void serve(mcc_dns_limiter *l, mcc_resolver *r, const mcc_addr *from,
                  const uint8_t *q, size_t qlen, uint64_t now,
                  struct reply *rep) {
  memset(rep, 0, sizeof *rep);
  rep->rv = mcc_dns_serve(l, r, ".home.arpa", from, q, qlen, rep->buf,
                          sizeof rep->buf, &rep->len, now);
  if (rep->rv == 0) read_reply(rep);
}

/* Resolves id n by an A query; returns its rcode, *addr the address. */
static int ask_a(mcc_dns_limiter *l, mcc_resolver *r, const mcc_addr *from,
                 uint32_t n, uint64_t now, uint8_t addr[4]) {
  char name[MCC_RESOLVE_NAME_MAX + 1];
  uint8_t q[300];
  struct reply rep;
  pool_id(n, name);
  size_t qlen = build_simple(q, name, MCC_DNS_TYPE_A);
  serve(l, r, from, q, qlen, now, &rep);
  if (rep.rv != 0) return -1;
  int rcode = MCC_DNS_RCODE(rep.flags);
  check_answered(&rep, q, qlen, rcode, rcode == MCC_DNS_NOERROR);
  if (rcode == MCC_DNS_NOERROR && addr) memcpy(addr, rep.rdata, 4);
  return rcode;
}

/* The PTR of an IPv4 address names id n. */
static int ptr_names(mcc_resolver *r, const uint8_t addr[4], uint32_t n,
                     uint64_t now) {
  char ptr[MCC_RESOLVE_PTR_MAX], want[MCC_RESOLVE_NAME_MAX + 1];
  char got[MCC_RESOLVE_NAME_MAX + 1];
  uint8_t q[300];
  struct reply rep;
  mcc_addr from = client4(0, 53000);
  pool_id(n, want);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(4, addr, ptr, sizeof ptr), 0);
  size_t qlen = build_simple(q, ptr, MCC_DNS_TYPE_PTR);
  serve(NULL, r, &from, q, qlen, now, &rep);
  if (rep.rv != 0 || MCC_DNS_RCODE(rep.flags) != MCC_DNS_NOERROR || rep.an != 1)
    return 0;
  wire_text(rep.rdata, rep.rdlen, got);
  return strcmp(got, want) == 0;
}

/* (a) and (b) over DNS: a /29 (6 addresses), resolver.ttl 5 and the
 * quarantine 60 s. Six names get the six addresses; a seventh gets
 * SERVFAIL while any of them was answered within 65 s, and the six keep
 * their addresses (A and PTR); after the hold, the seventh gets the least
 * recently used one. Today's code answered the seventh at once with the
 * first one's address. */
static void test_real_dns_pool_exhausted(void) {
  mcc_resolver r;
  mcc_resolver_settings s;
  uint8_t addrs[7][4], a[4];
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_settings_from_text(&s, "10.83.0.0/29",
                                                        NULL, NULL, NULL, NULL),
                        0);
  s.ttl_s = 5;
  s.quarantine_s = 60;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  mcc_addr from = client4(1, 40000);
  for (uint32_t n = 0; n < 6; n++)
    CU_ASSERT_EQUAL(ask_a(NULL, &r, &from, n, 0, addrs[n]), MCC_DNS_NOERROR);
  /* at 10 s the applications ask again, and the seventh name comes */
  for (uint32_t n = 0; n < 6; n++) {
    CU_ASSERT_EQUAL(ask_a(NULL, &r, &from, n, 10 * S_NS, a), MCC_DNS_NOERROR);
    CU_ASSERT_EQUAL(memcmp(a, addrs[n], 4), 0);
    CU_ASSERT(ptr_names(&r, addrs[n], n, 10 * S_NS));
  }
  uint64_t busy[] = {10 * S_NS, 30 * S_NS, 75 * S_NS, 76 * S_NS - 1};
  for (size_t t = 0; t < sizeof busy / sizeof busy[0]; t++)
    CU_ASSERT_EQUAL(ask_a(NULL, &r, &from, 6, busy[t], NULL), MCC_DNS_SERVFAIL);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 6);
  /* 10 s + 65 s, and the second has passed: the least recently used */
  CU_ASSERT_EQUAL(ask_a(NULL, &r, &from, 6, 76 * S_NS, addrs[6]),
                  MCC_DNS_NOERROR);
  CU_ASSERT_EQUAL(memcmp(addrs[6], addrs[0], 4), 0);
  CU_ASSERT(ptr_names(&r, addrs[6], 6, 76 * S_NS));
  mcc_resolver_clear(&r);
}

/* The attack of issue 11 on the default /16: 65,532 queries for new names
 * in 4.7 s, each from its own address (any local user can use all of
 * 127.0.0.0/8, so the per-client limit does not stop it). An address an
 * application got before keeps its node; the cap on new mappings lets
 * about 1000 + 100 a second through, the rest get SERVFAIL; and soon
 * after the flood a new name resolves again. */
static void test_real_dns_flood_of_names(void) {
  mcc_resolver r;
  mcc_dns_limiter l;
  uint8_t held[4], a[4];
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(
      mcc_dns_limiter_init(&l, MCC_DNS_CLIENT_RATE, MCC_DNS_CLIENT_BURST, NULL),
      0);
  mcc_addr app = client4(0, 50000);
  CU_ASSERT_EQUAL(ask_a(&l, &r, &app, 0, 0, held), MCC_DNS_NOERROR);
  enum { FLOOD = 65532 };
  uint64_t t0 = 1 * S_NS, span = 4700000000ull;
  int answered = 0, servfail = 0, other = 0;
  for (uint32_t i = 0; i < FLOOD; i++) {
    mcc_addr from = client4(1 + i, 1024);
    int rc = ask_a(&l, &r, &from, 1000 + i, t0 + span * i / FLOOD, NULL);
    answered += rc == MCC_DNS_NOERROR;
    servfail += rc == MCC_DNS_SERVFAIL;
    other += rc != MCC_DNS_NOERROR && rc != MCC_DNS_SERVFAIL;
  }
  CU_ASSERT_EQUAL(other, 0);
  CU_ASSERT(answered >= 1000 && answered <= 1000 + 100 * 5);
  CU_ASSERT_EQUAL(answered + servfail, FLOOD);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), (uint32_t)answered + 1);
  CU_ASSERT(ptr_names(&r, held, 0, t0 + span));
  CU_ASSERT_EQUAL(ask_a(&l, &r, &app, 0, t0 + span, a), MCC_DNS_NOERROR);
  CU_ASSERT_EQUAL(memcmp(a, held, 4), 0);
  /* 100 ms after the flood, a new name of the application resolves */
  CU_ASSERT_EQUAL(ask_a(&l, &r, &app, 7, t0 + span + S_NS / 10, NULL),
                  MCC_DNS_NOERROR);
  mcc_resolver_clear(&r);
}

/* (c): a client over its limit gets one REFUSED, then nothing for a
 * second, while another client still gets answers; a new port or other
 * clients coming and going do not reset it; after a second it has 50
 * queries again. */
static void test_real_dns_client_limit(void) {
  mcc_resolver r;
  mcc_dns_limiter l;
  uint8_t q[300];
  char name[MCC_RESOLVE_NAME_MAX + 1];
  struct reply rep;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(
      mcc_dns_limiter_init(&l, MCC_DNS_CLIENT_RATE, MCC_DNS_CLIENT_BURST, NULL),
      0);
  CU_ASSERT_EQUAL(MCC_DNS_CLIENT_RATE, 50);
  CU_ASSERT_EQUAL(MCC_DNS_CLIENT_BURST, 100);
  pool_id(1, name);
  size_t qlen = build_simple(q, name, MCC_DNS_TYPE_A);
  mcc_addr greedy = client4(5, 33000), other = client4(6, 33000);
  uint64_t t = 1 * S_NS;
  for (int i = 0; i < MCC_DNS_CLIENT_BURST; i++) {
    serve(&l, &r, &greedy, q, qlen, t, &rep);
    CU_ASSERT_EQUAL(rep.rv, 0);
    CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep.flags), MCC_DNS_NOERROR);
  }
  serve(&l, &r, &greedy, q, qlen, t, &rep);
  check_answered(&rep, q, qlen, MCC_DNS_REFUSED, 0);
  for (int i = 0; i < 50; i++) {
    greedy.port = (uint16_t)(33001 + i); /* a new port is the same client */
    serve(&l, &r, &greedy, q, qlen, t, &rep);
    CU_ASSERT_EQUAL(rep.rv, MCC_ERR_LIMIT);
    CU_ASSERT_EQUAL(rep.len, 0);
  }
  serve(&l, &r, &other, q, qlen, t, &rep);
  check_answered(&rep, q, qlen, MCC_DNS_NOERROR, 1);
  /* a thousand clients come and go; the greedy one is not forgotten */
  for (uint32_t n = 0; n < 1000; n++) {
    mcc_addr passer = client4(100 + n, 9);
    serve(&l, &r, &passer, q, qlen, t, &rep);
    CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep.flags), MCC_DNS_NOERROR);
  }
  serve(&l, &r, &greedy, q, qlen, t, &rep);
  CU_ASSERT_EQUAL(rep.rv, MCC_ERR_LIMIT);
  /* 20 ms is one query's worth of room */
  serve(&l, &r, &greedy, q, qlen, t + S_NS / 50, &rep);
  CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep.flags), MCC_DNS_NOERROR);
  serve(&l, &r, &greedy, q, qlen, t + S_NS / 50, &rep);
  CU_ASSERT_EQUAL(rep.rv, MCC_ERR_LIMIT);
  /* a second later: 50 answers, one REFUSED, then silence */
  int answered = 0, refused = 0, dropped = 0;
  for (int i = 0; i < 60; i++) {
    serve(&l, &r, &greedy, q, qlen, t + S_NS + S_NS / 50, &rep);
    if (rep.rv == MCC_ERR_LIMIT) {
      dropped++;
      continue;
    }
    answered += MCC_DNS_RCODE(rep.flags) == MCC_DNS_NOERROR;
    refused += MCC_DNS_RCODE(rep.flags) == MCC_DNS_REFUSED;
  }
  CU_ASSERT_EQUAL(answered, 50);
  CU_ASSERT_EQUAL(refused, 1);
  CU_ASSERT_EQUAL(dropped, 9);
  /* refusing looks nothing up: only id 1 holds an address */
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 1);
  /* malformed datagrams count too, and get no REFUSED that could echo a
   * response back and forth */
  mcc_addr junk = client4(7, 1);
  uint8_t resp[MCC_DNS_HEADER_LEN] = {0, 1, 0x80};
  for (int i = 0; i < 2 * MCC_DNS_CLIENT_BURST; i++) {
    serve(&l, &r, &junk, resp, sizeof resp, t, &rep);
    CU_ASSERT(rep.rv == MCC_ERR_TYPE || rep.rv == MCC_ERR_LIMIT);
    CU_ASSERT_EQUAL(rep.len, 0);
  }
  serve(&l, &r, &junk, q, qlen, t, &rep);
  CU_ASSERT_EQUAL(rep.rv, MCC_ERR_LIMIT);
  /* IPv6 clients are their /64; no limiter, no limit */
  mcc_addr six = {.family = 6, .port = 5353};
  six.ip[0] = 0xfd;
  six.ip[15] = 1;
  for (int i = 0; i < MCC_DNS_CLIENT_BURST; i++)
    CU_ASSERT_EQUAL(mcc_dns_limiter_check(&l, &six, t), MCC_DNS_VERDICT_ANSWER);
  six.ip[15] = 2;
  CU_ASSERT_EQUAL(mcc_dns_limiter_check(&l, &six, t), MCC_DNS_VERDICT_REFUSE);
  six.ip[7] = 1;
  CU_ASSERT_EQUAL(mcc_dns_limiter_check(&l, &six, t), MCC_DNS_VERDICT_ANSWER);
  for (int i = 0; i < 1000; i++) {
    serve(NULL, &r, &greedy, q, qlen, t, &rep);
    CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep.flags), MCC_DNS_NOERROR);
  }
  CU_ASSERT_EQUAL(mcc_dns_limiter_init(NULL, 1, 1, NULL),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_dns_limiter_init(&l, 1, 0, NULL),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_dns_limiter_init(&l, 0, 0, NULL), 0);
  CU_ASSERT_EQUAL(mcc_dns_limiter_check(&l, &greedy, t),
                  MCC_DNS_VERDICT_ANSWER);
  mcc_resolver_clear(&r);
}

/* Over UDP a response is at most 512 bytes; one longer would go without
 * its record and with TC, so that the client asks over TCP. Our longest,
 * the AAAA of a 255-byte name, is 299 bytes: the rule is checked with
 * transports that carry less, down to one that carries only a header. */
static void test_real_dns_tc(void) {
  struct fixture f;
  fixture_init(&f, ".home.arpa");
  char name[300];
  memset(name, 0, sizeof name);
  for (int i = 0; i < 4; i++) { /* 4 x 61 + "home" + "arpa" + root: 255 */
    memset(name + i * 61, 'a' + i, 60);
    name[i * 61 + 60] = '.';
  }
  strcat(name, "home.arpa");
  size_t qlen = build_simple(f.q, name, MCC_DNS_TYPE_AAAA);
  CU_ASSERT_EQUAL_FATAL(qlen, MCC_DNS_HEADER_LEN + 255 + 4);
  mcc_lookup_answer found = {.status = MCC_LOOKUP_FOUND, .id = f.kp.pub};
  struct reply *rep = &f.rep;
  size_t full = qlen + 12 + 16;
  /* UDP and TCP: the whole answer */
  size_t maxes[] = {MCC_DNS_UDP_MAX, MCC_DNS_TCP_MAX, full};
  for (size_t i = 0; i < sizeof maxes / sizeof maxes[0]; i++) {
    memset(rep, 0, sizeof *rep);
    rep->rv = mcc_dns_respond(&f.r, ".home.arpa", f.q, qlen, &found, 0,
                              maxes[i], rep->buf, sizeof rep->buf, &rep->len,
                              NOW0);
    read_reply(rep);
    check_answered(rep, f.q, qlen, MCC_DNS_NOERROR, 1);
    CU_ASSERT_EQUAL(rep->len, full);
  }
  /* one byte less: the question alone, TC set, still NOERROR and AA */
  for (size_t max = full - 1; max >= qlen; max -= 7) {
    memset(rep, 0, sizeof *rep);
    rep->rv = mcc_dns_respond(&f.r, ".home.arpa", f.q, qlen, &found, 0, max,
                              rep->buf, sizeof rep->buf, &rep->len, NOW0);
    CU_ASSERT_EQUAL_FATAL(rep->rv, 0);
    read_reply(rep);
    CU_ASSERT_EQUAL(rep->len, qlen);
    CU_ASSERT(rep->flags & MCC_DNS_FLAG_TC);
    CU_ASSERT(rep->flags & MCC_DNS_FLAG_AA);
    CU_ASSERT_EQUAL(MCC_DNS_RCODE(rep->flags), MCC_DNS_NOERROR);
    CU_ASSERT_EQUAL(rep->qd, 1);
    CU_ASSERT_EQUAL(rep->an, 0);
    CU_ASSERT_EQUAL(memcmp(rep->buf + 12, f.q + 12, qlen - 12), 0);
  }
  /* less than the question: the header alone, with TC */
  memset(rep, 0, sizeof *rep);
  rep->rv = mcc_dns_respond(&f.r, ".home.arpa", f.q, qlen, &found, 0, qlen - 1,
                            rep->buf, sizeof rep->buf, &rep->len, NOW0);
  CU_ASSERT_EQUAL_FATAL(rep->rv, 0);
  read_reply(rep);
  CU_ASSERT_EQUAL(rep->len, MCC_DNS_HEADER_LEN);
  CU_ASSERT(rep->flags & MCC_DNS_FLAG_TC);
  CU_ASSERT_EQUAL(rep->qd + rep->an, 0);
  /* a transport shorter than a header, a buffer shorter than the cut */
  size_t len = 1;
  CU_ASSERT_EQUAL(mcc_dns_respond(&f.r, ".home.arpa", f.q, qlen, &found, 0,
                                  MCC_DNS_HEADER_LEN - 1, rep->buf,
                                  sizeof rep->buf, &len, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(len, 0);
  CU_ASSERT_EQUAL(mcc_dns_respond(&f.r, ".home.arpa", f.q, qlen, &found, 0,
                                  full - 1, rep->buf, qlen - 1, &len, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  /* the datagram API is the UDP transport: the same bytes */
  uint8_t udp[MCC_DNS_RESPONSE_MAX];
  size_t udplen = 0;
  CU_ASSERT_EQUAL(mcc_dns_answer_found(&f.r, ".home.arpa", f.q, qlen, &found,
                                       0, udp, sizeof udp, &udplen, NOW0),
                  0);
  CU_ASSERT_EQUAL(udplen, full);
  mcc_resolver_clear(&f.r);
}

void suite_real_dns(void) {
  CU_pSuite s = CU_add_suite("real_dns", NULL, NULL);
  ADD_TEST(s, test_real_dns_a);
  ADD_TEST(s, test_real_dns_aaaa);
  ADD_TEST(s, test_real_dns_ptr);
  ADD_TEST(s, test_real_dns_reverse_zone);
  ADD_TEST(s, test_real_dns_reverse_prefixes);
  ADD_TEST(s, test_real_dns_nxdomain);
  ADD_TEST(s, test_real_dns_nodata);
  ADD_TEST(s, test_real_dns_dns_names);
  ADD_TEST(s, test_real_dns_no_domain);
  ADD_TEST(s, test_real_dns_upper_case);
  ADD_TEST(s, test_real_dns_refused);
  ADD_TEST(s, test_real_dns_servfail);
  ADD_TEST(s, test_real_dns_edns_ignored);
  ADD_TEST(s, test_real_dns_qdcount);
  ADD_TEST(s, test_real_dns_truncated);
  ADD_TEST(s, test_real_dns_bad_names);
  ADD_TEST(s, test_real_dns_notimp);
  ADD_TEST(s, test_real_dns_dropped);
  ADD_TEST(s, test_real_dns_outcap);
  ADD_TEST(s, test_real_dns_invalid_arguments);
  ADD_TEST(s, test_real_dns_pool_exhausted);
  ADD_TEST(s, test_real_dns_flood_of_names);
  ADD_TEST(s, test_real_dns_client_limit);
  ADD_TEST(s, test_real_dns_tc);
}
