/*
 * fuzz_dns.c — libFuzzer harness for the built-in DNS responder
 * (node-real/mcc_dns.c): arbitrary bytes as a query datagram, answered from
 * a resolver that holds two ids with dns-names. The low bit of the first
 * byte (the ID's, which the responder only copies) picks the settings: the
 * manual's defaults, or a /22, a /64 and ".staex". Invariants, each
 * computed a second way:
 *   - dropped exactly when shorter than a header or QR is set;
 *   - the header: ID, OPCODE and RD copied, QR set, RA/TC/Z clear, AA
 *     exactly on NOERROR and NXDOMAIN, no authority or additional records;
 *   - FORMERR exactly when the harness's own strict reader rejects the
 *     question, NOTIMP exactly for opcodes other than 0;
 *   - the question echoed byte for byte;
 *   - an A/AAAA answer's address resolves back to the id the name resolves
 *     to; a PTR answer's target is what mcc_resolver_id_name gives for the
 *     id at the address mcc_resolve_ptr_parse reads from the name;
 *   - a name the resolver knows is never NXDOMAIN or REFUSED, and its A
 *     and AAAA always get an answer;
 *   - the response fits a buffer of exactly its size, byte for byte the
 *     same, and a buffer one byte smaller is refused;
 *   - mcc_dns_serve, for a client within its limit, answers the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>

#include "mcc_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

#define TTL 60

static mcc_id fuzz_id(uint8_t tag) {
  mcc_id id;
  memset(id.key, tag, sizeof id.key);
  return id;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static int ends_with(const char *s, size_t len, const char *suffix) {
  size_t n = strlen(suffix);
  if (len < n) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[len - n + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (c != suffix[i]) return 0;
  }
  return len == n || s[len - n - 1] == '.';
}

/* The harness's own reader of the one question: 0 and its end, text (when
 * every label byte is a letter, digit or '-'), type and class; or -1. */
struct question {
  size_t end;
  int ldh;
  char text[256];
  size_t textlen;
  uint16_t type, qclass;
};

static int read_question(const uint8_t *q, size_t qlen, struct question *qn) {
  size_t p = 12, wire = 0;
  qn->ldh = 1;
  qn->textlen = 0;
  while (p < qlen && q[p] != 0) {
    size_t len = q[p];
    if (len > 63) return -1; /* pointers and extended label types */
    if (p + 1 + len > qlen) return -1;
    wire += 1 + len;
    if (wire + 1 > 255) return -1;
    if (qn->textlen > 0) qn->text[qn->textlen++] = '.';
    for (size_t i = 0; i < len; i++) {
      uint8_t c = q[p + 1 + i];
      int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-';
      qn->ldh &= ok;
      qn->text[qn->textlen++] = (char)c;
    }
    p += 1 + len;
  }
  if (p >= qlen || qlen - p - 1 < 4) return -1;
  qn->text[qn->textlen] = '\0';
  qn->type = get16(q + p + 1);
  qn->qclass = get16(q + p + 3);
  qn->end = p + 5;
  return 0;
}

/* A wire name without pointers as dotted text. */
static void wire_text(const uint8_t *p, size_t len, char *out) {
  size_t i = 0, n = 0;
  while (i < len && p[i] != 0) {
    CHECK(p[i] <= 63 && i + 1 + p[i] < len);
    if (n > 0) out[n++] = '.';
    memcpy(out + n, p + i + 1, p[i]);
    n += p[i];
    i += 1u + p[i];
  }
  CHECK(i + 1 == len);
  out[n] = '\0';
}

static int same_id(const mcc_id *a, const mcc_id *b) {
  return memcmp(a->key, b->key, MCC_KEY_LEN) == 0;
}

/* The answer record against the resolver. */
static void check_record(mcc_resolver *r, const struct question *qn,
                         const uint8_t *rec, size_t reclen) {
  CHECK(reclen >= 12);
  uint16_t type = get16(rec + 2), rdlen = get16(rec + 10);
  const uint8_t *rdata = rec + 12;
  CHECK(get16(rec) == 0xc00c);
  CHECK(type == qn->type);
  CHECK(get16(rec + 4) == 1);
  CHECK(get16(rec + 6) == 0 && get16(rec + 8) == TTL);
  CHECK(reclen == 12u + rdlen);
  CHECK(qn->ldh && qn->qclass == 1);
  mcc_id named, held;
  if (type == MCC_DNS_TYPE_A || type == MCC_DNS_TYPE_AAAA) {
    CHECK(rdlen == (type == MCC_DNS_TYPE_A ? 4 : 16));
    CHECK(mcc_resolver_lookup_name(r, qn->text, qn->textlen, &named) == 0);
    CHECK((type == MCC_DNS_TYPE_A
               ? mcc_resolver_lookup_ipv4(r, rdata, &held, 0)
               : mcc_resolver_lookup_ipv6(r, rdata, &held, 0)) == 0);
    CHECK(same_id(&named, &held));
    return;
  }
  CHECK(type == MCC_DNS_TYPE_PTR);
  int family;
  uint8_t addr[16];
  char target[256], want[MCC_RESOLVE_NAME_MAX + 1];
  CHECK(mcc_resolve_ptr_parse(qn->text, qn->textlen, &family, addr) == 0);
  CHECK((family == 4 ? mcc_resolver_lookup_ipv4(r, addr, &held, 0)
                     : mcc_resolver_lookup_ipv6(r, addr, &held, 0)) == 0);
  CHECK(mcc_resolver_id_name(r, &held, want, sizeof want) == 0);
  wire_text(rdata, rdlen, target);
  CHECK(strcmp(target, want) == 0);
}

static void check_response(mcc_resolver *r, const uint8_t *q, size_t qlen,
                           const uint8_t *out, size_t outlen) {
  CHECK(outlen >= 12 && outlen <= MCC_DNS_RESPONSE_MAX);
  uint16_t qflags = get16(q + 2), flags = get16(out + 2);
  unsigned rcode = MCC_DNS_RCODE(flags);
  CHECK(memcmp(out, q, 2) == 0);
  CHECK(flags & MCC_DNS_FLAG_QR);
  CHECK(MCC_DNS_OPCODE(flags) == MCC_DNS_OPCODE(qflags));
  CHECK((flags & MCC_DNS_FLAG_RD) == (qflags & MCC_DNS_FLAG_RD));
  CHECK((flags & (MCC_DNS_FLAG_RA | MCC_DNS_FLAG_TC | 0x70)) == 0);
  CHECK(rcode <= MCC_DNS_REFUSED && rcode != MCC_DNS_SERVFAIL);
  CHECK(!!(flags & MCC_DNS_FLAG_AA) ==
        (rcode == MCC_DNS_NOERROR || rcode == MCC_DNS_NXDOMAIN));
  uint16_t qd = get16(out + 4), an = get16(out + 6);
  CHECK(get16(out + 8) == 0 && get16(out + 10) == 0);
  if (MCC_DNS_OPCODE(qflags) != 0) {
    CHECK(rcode == MCC_DNS_NOTIMP && qd == 0 && an == 0 && outlen == 12);
    return;
  }
  struct question qn;
  int good = get16(q + 4) == 1 && read_question(q, qlen, &qn) == 0;
  CHECK((rcode == MCC_DNS_FORMERR) == !good);
  if (!good) {
    CHECK(qd == 0 && an == 0 && outlen == 12);
    return;
  }
  CHECK(qd == 1 && an <= 1);
  CHECK(outlen >= qn.end && memcmp(out + 12, q + 12, qn.end - 12) == 0);
  if (an == 1) {
    CHECK(rcode == MCC_DNS_NOERROR);
    check_record(r, &qn, out + qn.end, outlen - qn.end);
  } else {
    CHECK(outlen == qn.end);
  }
  /* a name that resolves is never denied; its addresses are answered */
  mcc_id id;
  int reverse = ends_with(qn.text, qn.textlen, "in-addr.arpa") ||
                ends_with(qn.text, qn.textlen, "ip6.arpa");
  if (qn.ldh && qn.textlen > 0 && !reverse && qn.qclass == 1 &&
      mcc_resolver_lookup_name(r, qn.text, qn.textlen, &id) == 0) {
    CHECK(rcode == MCC_DNS_NOERROR);
    CHECK(an == (qn.type == MCC_DNS_TYPE_A || qn.type == MCC_DNS_TYPE_AAAA));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 2048) return 0;
  int staex = size > 0 && (data[0] & 1);
  const char *domain = staex ? ".staex" : ".home.arpa";
  mcc_resolver r;
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  if (staex)
    CHECK(mcc_resolver_settings_from_text(&s, "192.168.8.0/22", "fd00:83::/64",
                                          NULL, domain, NULL) == 0);
  s.ttl_s = TTL;
  CHECK(mcc_resolver_init(&r, &s) == 0);
  mcc_id a = fuzz_id(0xa1), b = fuzz_id(0xb2);
  CHECK(mcc_resolver_set_names(&r, &a, "cam,door.lab", 12) == 0);
  CHECK(mcc_resolver_set_names(&r, &b, "node1", 5) == 0);
  CHECK(mcc_resolver_lookup_id(&r, &a, NULL, 0) == 0);
  CHECK(mcc_resolver_lookup_id(&r, &b, NULL, 0) == 0);

  uint8_t out[MCC_DNS_RESPONSE_MAX];
  size_t outlen = 1;
  int rv = mcc_dns_answer(&r, domain, data, size, out, sizeof out, &outlen, 0);
  if (size < MCC_DNS_HEADER_LEN)
    CHECK(rv == MCC_ERR_TRUNCATED);
  else if (data[2] & 0x80)
    CHECK(rv == MCC_ERR_TYPE);
  else
    CHECK(rv == 0);
  /* through the server, within a client's limit: the same answer */
  mcc_dns_limiter limit;
  CHECK(mcc_dns_limiter_init(&limit, MCC_DNS_CLIENT_RATE, MCC_DNS_CLIENT_BURST,
                             NULL) == 0);
  mcc_addr from = {.family = 4, .port = 5353, .ip = {127, 0, 0, 1}};
  uint8_t served[MCC_DNS_RESPONSE_MAX];
  size_t servedlen = 1;
  CHECK(mcc_dns_serve(&limit, &r, domain, &from, data, size, served,
                      sizeof served, &servedlen, 0) == rv);
  CHECK(servedlen == outlen && memcmp(served, out, outlen) == 0);
  /* with a network lookup's answer: the same header rules, and the name
   * mccd would look up is a forward question's */
  char name[MCC_RESOLVE_NAME_MAX + 1];
  int namelen = mcc_dns_forward_name(data, size, name, sizeof name);
  CHECK(namelen == -1 || (namelen > 0 && (size_t)namelen == strlen(name)));
  for (int st = MCC_LOOKUP_FOUND; st <= MCC_LOOKUP_TIMEOUT; st++) {
    mcc_lookup_answer found = {.status = st, .id = b};
    size_t flen = 1;
    int frv = mcc_dns_answer_found(&r, domain, data, size, &found, 0, served,
                                   sizeof served, &flen, 0);
    CHECK(frv == rv);
    CHECK(frv != 0 || (flen >= MCC_DNS_HEADER_LEN && memcmp(served, out, 2) == 0));
  }
  if (rv != 0) {
    CHECK(outlen == 0);
    mcc_resolver_clear(&r);
    return 0;
  }
  check_response(&r, data, size, out, outlen);

  /* exactly the room it needs, and one byte less */
  uint8_t *exact = malloc(outlen), *less = malloc(outlen - 1);
  size_t len2 = 0, len3 = 1;
  CHECK(exact && less);
  CHECK(mcc_dns_answer(&r, domain, data, size, exact, outlen, &len2, 0) == 0);
  CHECK(len2 == outlen && memcmp(exact, out, outlen) == 0);
  CHECK(mcc_dns_answer(&r, domain, data, size, less, outlen - 1, &len3, 0) ==
        MCC_ERR_INVALID_ARGUMENT);
  CHECK(len3 == 0);
  free(exact);
  free(less);
  CHECK(mcc_resolver_used(&r) <= mcc_resolver_capacity(&r));
  mcc_resolver_clear(&r);
  return 0;
}
