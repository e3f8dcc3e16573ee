/*
 * fuzz_dns_tcp.c — libFuzzer harness for DNS over TCP's framing
 * (node-real/dns_tcp.c) and the TC rule of the responder (mcc_dns.c).
 * The input: byte 0 seeds the sizes of the reads and writes, byte 1 the
 * transport's size for the TC check, the rest is the stream a client sent.
 * The stream goes into a connection's buffer in reads of pseudo-random
 * sizes, as dns_conns.c does it: queries are taken while an answer's room
 * is left, each is answered (TCP) and framed into the output, which is
 * written out in pieces of pseudo-random sizes. Invariants, each computed
 * a second way:
 *   - the queries taken are the stream's messages, whole and in order, as
 *     a naive reader of the whole stream finds them; the stream is bad
 *     (length 0 or over DNS_TCP_QUERY_MAX) exactly where that reader says;
 *   - the input never runs over its bound, and is never stuck: room to
 *     read, or a message to take, or an answer to write;
 *   - the bytes written are the answers framed, in order;
 *   - a response for a transport of msgmax bytes is the whole response
 *     when that fits, else at most msgmax bytes with TC set, no record,
 *     and the same header otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>

#include "dns_tcp.h"
#include "mcc_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

#define STREAM_MAX 20000
#define OUT_REF_MAX (64 * (DNS_TCP_PREFIX + DNS_TCP_ANSWER_MAX))

static uint32_t next_rand(uint32_t *s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 16;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The naive reader: offset of message i (past its prefix) and its length;
 * returns how many whole messages, *bad set when a bad length follows. */
static size_t reference(const uint8_t *s, size_t len, size_t *off,
                        size_t *lens, size_t cap, int *bad) {
  size_t pos = 0, n = 0;
  *bad = 0;
  while (n < cap && len - pos >= 2) {
    size_t m = get16(s + pos);
    if (m == 0 || m > DNS_TCP_QUERY_MAX) {
      *bad = 1;
      break;
    }
    if (len - pos - 2 < m) break;
    off[n] = pos + 2;
    lens[n++] = m;
    pos += 2 + m;
  }
  return n;
}

/* The TC rule against the whole response. */
static void check_tc(mcc_resolver *r, const uint8_t *q, size_t qlen,
                     size_t msgmax) {
  uint8_t full[MCC_DNS_RESPONSE_MAX], cut[MCC_DNS_RESPONSE_MAX];
  size_t flen = 0, clen = 0;
  int rv = mcc_dns_respond(r, ".home.arpa", q, qlen, NULL, 0, MCC_DNS_TCP_MAX,
                           full, sizeof full, &flen, 0);
  int crv = mcc_dns_respond(r, ".home.arpa", q, qlen, NULL, 0, msgmax, cut,
                            sizeof cut, &clen, 0);
  CHECK(rv == crv);
  if (rv != 0) return;
  CHECK(!(get16(full + 2) & MCC_DNS_FLAG_TC));
  if (flen <= msgmax) {
    CHECK(clen == flen && memcmp(cut, full, flen) == 0);
    return;
  }
  CHECK(clen <= msgmax && clen >= MCC_DNS_HEADER_LEN);
  CHECK(get16(cut + 2) == (get16(full + 2) | MCC_DNS_FLAG_TC));
  CHECK(memcmp(cut, full, 2) == 0);
  CHECK(get16(cut + 6) == 0 && get16(cut + 8) == 0 && get16(cut + 10) == 0);
  CHECK(memcmp(cut + 12, full + 12, clen - 12) == 0); /* the question */
  CHECK(get16(cut + 4) == (clen > MCC_DNS_HEADER_LEN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size - 2 > STREAM_MAX) return 0;
  uint32_t seed = data[0];
  size_t msgmax = MCC_DNS_HEADER_LEN + (size_t)data[1] * 2;
  const uint8_t *s = data + 2;
  size_t slen = size - 2;

  static size_t off[STREAM_MAX / 3 + 1], lens[STREAM_MAX / 3 + 1];
  int bad;
  size_t nref = reference(s, slen, off, lens, STREAM_MAX / 3 + 1, &bad);

  mcc_resolver r;
  mcc_resolver_settings rs;
  mcc_resolver_settings_default(&rs);
  CHECK(mcc_resolver_init(&r, &rs) == 0);
  mcc_id a;
  memset(a.key, 0xa1, sizeof a.key);
  CHECK(mcc_resolver_set_names(&r, &a, "cam", 3) == 0);

  static dns_tcp_buf b;
  static uint8_t ref_out[OUT_REF_MAX], written[OUT_REF_MAX];
  size_t ref_len = 0, wlen = 0;
  dns_tcp_buf_init(&b);
  size_t fed = 0, taken = 0;
  int saw_bad = 0;
  for (;;) {
    /* take what can be taken */
    while (dns_tcp_out_has_room(&b)) {
      uint8_t q[DNS_TCP_QUERY_MAX];
      size_t qlen = 0;
      enum dns_tcp_take t = dns_tcp_in_take(&b, q, &qlen);
      if (t == DNS_TCP_MORE) break;
      if (t == DNS_TCP_BAD) {
        saw_bad = 1;
        break;
      }
      CHECK(taken < nref && qlen == lens[taken]);
      CHECK(memcmp(q, s + off[taken], qlen) == 0);
      taken++;
      uint8_t ans[DNS_TCP_ANSWER_MAX];
      size_t alen = 0;
      if (mcc_dns_respond(&r, ".home.arpa", q, qlen, NULL, 0, MCC_DNS_TCP_MAX,
                          ans, sizeof ans, &alen, 0) == 0) {
        CHECK(dns_tcp_out_put(&b, ans, alen) == 0);
        if (ref_len + 2 + alen <= sizeof ref_out)
          ref_len += dns_tcp_frame(ans, alen, ref_out + ref_len,
                                   sizeof ref_out - ref_len);
      }
      if (taken <= 4) check_tc(&r, q, qlen, msgmax);
    }
    if (saw_bad) break;
    /* write some of the answers */
    size_t pending;
    const uint8_t *p = dns_tcp_out_pending(&b, &pending);
    if (pending > 0) {
      size_t k = 1 + next_rand(&seed) % 1200;
      if (k > pending) k = pending;
      if (wlen + k <= sizeof written) memcpy(written + wlen, p, k);
      wlen += k;
      dns_tcp_out_sent(&b, k);
    }
    /* read some more */
    size_t room;
    uint8_t *in = dns_tcp_in_room(&b, &room);
    CHECK(b.inlen <= sizeof b.in);
    if (fed < slen && room > 0) {
      size_t k = 1 + next_rand(&seed) % 700;
      if (k > room) k = room;
      if (k > slen - fed) k = slen - fed;
      memcpy(in, s + fed, k);
      dns_tcp_in_commit(&b, k);
      fed += k;
      continue;
    }
    dns_tcp_out_pending(&b, &pending);
    if (pending > 0) continue;
    /* nothing to read, nothing to write: only when the stream is done or
     * a message to take is waiting (taken at the top) */
    if (fed == slen) {
      const uint8_t *m;
      size_t mlen;
      if (dns_tcp_next(b.in, b.inlen, DNS_TCP_QUERY_MAX, &m, &mlen) ==
          DNS_TCP_MORE)
        break;
    } else {
      CHECK(room == 0 && dns_tcp_out_has_room(&b));
    }
  }
  CHECK(taken == nref);
  CHECK(saw_bad == bad);
  /* whatever is still pending, written out */
  size_t pending;
  const uint8_t *p;
  while ((p = dns_tcp_out_pending(&b, &pending)), pending > 0) {
    if (wlen + pending <= sizeof written) memcpy(written + wlen, p, pending);
    wlen += pending;
    dns_tcp_out_sent(&b, pending);
  }
  /* a stream of STREAM_MAX bytes gets far less than OUT_REF_MAX back */
  CHECK(wlen == ref_len && wlen <= sizeof written);
  CHECK(memcmp(written, ref_out, wlen) == 0);
  mcc_resolver_clear(&r);
  return 0;
}
