/*
 * test_real_dns_tcp.c — DNS over TCP's framing (node-real/dns_tcp.c), no
 * sockets: a stream cut into reads anywhere, two messages in one read,
 * lengths of 0 and over the maximum, a full input, answers that fill the
 * output and are written a few bytes at a time; and random streams cut at
 * random places against a naive reference (the messages that were framed,
 * in order).
 *
 *   client                          dns_tcp_buf
 *     | -- 00 1d <29-byte query> 00 1d <query> -->  in: two messages
 *     | <- 00 2d <45-byte answer> ...                out: framed answers
 */
#include <stdlib.h>

#include "dns_tcp.h"
#include "suites.h"
#include "testutil.h"

/* A message of len bytes, each from seed. */
static void fill(uint8_t *p, size_t len, unsigned seed) {
  for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(seed * 31u + i * 7u);
}

/* Feeds data into b as if a read returned it. */
static void feed(dns_tcp_buf *b, const uint8_t *data, size_t len) {
  size_t room;
  uint8_t *in = dns_tcp_in_room(b, &room);
  CU_ASSERT_FATAL(len <= room);
  memcpy(in, data, len);
  dns_tcp_in_commit(b, len);
}

static void test_real_dns_tcp_frame(void) {
  uint8_t msg[70000], out[70002];
  fill(msg, sizeof msg, 1);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 29, out, sizeof out), 31);
  CU_ASSERT(out[0] == 0 && out[1] == 29);
  CU_ASSERT_EQUAL(memcmp(out + 2, msg, 29), 0);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 65535, out, sizeof out), 65537);
  CU_ASSERT(out[0] == 0xff && out[1] == 0xff);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 65536, out, sizeof out), 0);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 0, out, sizeof out), 0);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 29, out, 30), 0);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 29, out, 1), 0);
  CU_ASSERT_EQUAL(dns_tcp_frame(msg, 29, out, 31), 31);
}

static void test_real_dns_tcp_next(void) {
  uint8_t s[8] = {0, 3, 'a', 'b', 'c', 0, 1, 'x'};
  const uint8_t *m = NULL;
  size_t n = 0;
  for (size_t len = 0; len < 5; len++)
    CU_ASSERT_EQUAL(dns_tcp_next(s, len, 512, &m, &n), DNS_TCP_MORE);
  CU_ASSERT_EQUAL(dns_tcp_next(s, 5, 512, &m, &n), DNS_TCP_MSG);
  CU_ASSERT(m == s + 2 && n == 3);
  CU_ASSERT_EQUAL(dns_tcp_next(s, 8, 3, &m, &n), DNS_TCP_MSG);
  CU_ASSERT_EQUAL(dns_tcp_next(s, 8, 2, &m, &n), DNS_TCP_BAD);
  uint8_t zero[2] = {0, 0};
  CU_ASSERT_EQUAL(dns_tcp_next(zero, 2, 512, &m, &n), DNS_TCP_BAD);
  CU_ASSERT_EQUAL(dns_tcp_next(zero, 1, 512, &m, &n), DNS_TCP_MORE);
}

/* One query cut into reads of every size. */
static void test_real_dns_tcp_split(void) {
  uint8_t q[100], framed[102], got[DNS_TCP_QUERY_MAX];
  fill(q, sizeof q, 2);
  CU_ASSERT_EQUAL_FATAL(dns_tcp_frame(q, sizeof q, framed, sizeof framed), 102);
  for (size_t step = 1; step <= sizeof framed; step++) {
    dns_tcp_buf b;
    dns_tcp_buf_init(&b);
    size_t off = 0, len = 0;
    while (off < sizeof framed) {
      CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MORE);
      size_t k = sizeof framed - off < step ? sizeof framed - off : step;
      feed(&b, framed + off, k);
      off += k;
    }
    CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MSG);
    CU_ASSERT_EQUAL(len, sizeof q);
    CU_ASSERT_EQUAL(memcmp(got, q, sizeof q), 0);
    CU_ASSERT_EQUAL(b.inlen, 0);
    CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MORE);
  }
}

/* Two queries and the start of a third in one read: taken in turn. */
static void test_real_dns_tcp_two_in_one(void) {
  uint8_t a[29], c[40], s[29 + 40 + 4 + 3], got[DNS_TCP_QUERY_MAX];
  fill(a, sizeof a, 3);
  fill(c, sizeof c, 4);
  size_t n = dns_tcp_frame(a, sizeof a, s, sizeof s);
  n += dns_tcp_frame(c, sizeof c, s + n, sizeof s - n);
  s[n++] = 0; /* a third of 9 bytes, 3 of them here */
  s[n++] = 9;
  s[n++] = 0xaa;
  dns_tcp_buf b;
  dns_tcp_buf_init(&b);
  feed(&b, s, n);
  size_t len;
  CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MSG);
  CU_ASSERT(len == sizeof a && memcmp(got, a, len) == 0);
  CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MSG);
  CU_ASSERT(len == sizeof c && memcmp(got, c, len) == 0);
  CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MORE);
  CU_ASSERT_EQUAL(b.inlen, 3);
}

/* A length of 0 or over DNS_TCP_QUERY_MAX: bad at once, the input kept. */
static void test_real_dns_tcp_bad_length(void) {
  uint8_t got[DNS_TCP_QUERY_MAX];
  size_t len;
  const uint16_t bad[] = {0, DNS_TCP_QUERY_MAX + 1, 4096, 65535};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dns_tcp_buf b;
    dns_tcp_buf_init(&b);
    uint8_t p[2] = {(uint8_t)(bad[i] >> 8), (uint8_t)bad[i]};
    feed(&b, p, 1);
    CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MORE);
    feed(&b, p + 1, 1);
    CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_BAD);
    CU_ASSERT_EQUAL(b.inlen, 2);
  }
}

/* The largest query fills the input exactly; taking it makes room. */
static void test_real_dns_tcp_full(void) {
  static uint8_t q[DNS_TCP_QUERY_MAX], framed[DNS_TCP_QUERY_MAX + 2],
      got[DNS_TCP_QUERY_MAX];
  fill(q, sizeof q, 5);
  CU_ASSERT_EQUAL_FATAL(dns_tcp_frame(q, sizeof q, framed, sizeof framed),
                        sizeof framed);
  dns_tcp_buf b;
  dns_tcp_buf_init(&b);
  size_t room, len;
  dns_tcp_in_room(&b, &room);
  CU_ASSERT_EQUAL(room, sizeof framed);
  feed(&b, framed, sizeof framed);
  dns_tcp_in_room(&b, &room);
  CU_ASSERT_EQUAL(room, 0);
  dns_tcp_in_commit(&b, 10); /* a wrong count never runs past the end */
  CU_ASSERT_EQUAL(b.inlen, sizeof framed);
  CU_ASSERT_EQUAL(dns_tcp_in_take(&b, got, &len), DNS_TCP_MSG);
  CU_ASSERT(len == sizeof q && memcmp(got, q, len) == 0);
  dns_tcp_in_room(&b, &room);
  CU_ASSERT_EQUAL(room, sizeof framed);
}

/* Answers framed into the output until it has no answer's room, written
 * back a few bytes at a time: the same bytes, in order. */
static void test_real_dns_tcp_out(void) {
  dns_tcp_buf b;
  dns_tcp_buf_init(&b);
  uint8_t a[300], want[DNS_TCP_OUT_MAX * 2], sent[DNS_TCP_OUT_MAX * 2];
  size_t wantlen = 0, sentlen = 0, len;
  int puts = 0;
  while (dns_tcp_out_has_room(&b)) {
    fill(a, sizeof a, (unsigned)puts);
    CU_ASSERT_EQUAL_FATAL(dns_tcp_out_put(&b, a, sizeof a), 0);
    wantlen += dns_tcp_frame(a, sizeof a, want + wantlen, sizeof want - wantlen);
    puts++;
  }
  /* has_room keeps a largest answer's room: 4096 - 1502 over 302 a put */
  CU_ASSERT_EQUAL(puts, (DNS_TCP_OUT_MAX - DNS_TCP_PREFIX - DNS_TCP_ANSWER_MAX) /
                                (2 + 300) + 1);
  CU_ASSERT_EQUAL(dns_tcp_out_put(&b, a, 0), -1);
  /* a partial write, then more answers: the room comes back */
  const uint8_t *p = dns_tcp_out_pending(&b, &len);
  CU_ASSERT_EQUAL(len, wantlen);
  memcpy(sent, p, 1000);
  sentlen = 1000;
  dns_tcp_out_sent(&b, 1000);
  fill(a, sizeof a, 99);
  while (dns_tcp_out_put(&b, a, sizeof a) == 0)
    wantlen += dns_tcp_frame(a, sizeof a, want + wantlen, sizeof want - wantlen);
  CU_ASSERT(wantlen - sentlen > DNS_TCP_OUT_MAX - 302);
  while ((p = dns_tcp_out_pending(&b, &len)), len > 0) {
    size_t k = len < 7 ? len : 7;
    memcpy(sent + sentlen, p, k);
    sentlen += k;
    dns_tcp_out_sent(&b, k);
  }
  CU_ASSERT_EQUAL(sentlen, wantlen);
  CU_ASSERT_EQUAL(memcmp(sent, want, wantlen), 0);
  dns_tcp_out_sent(&b, 5); /* nothing pending: nothing happens */
  dns_tcp_out_pending(&b, &len);
  CU_ASSERT_EQUAL(len, 0);
  CU_ASSERT(dns_tcp_out_has_room(&b));
}

/* Random streams of framed messages (lengths 1 to the maximum), cut into
 * random reads: every message comes out whole and in order. */
static void test_real_dns_tcp_random(void) {
  srand(9376);
  static uint8_t stream[40 * (DNS_TCP_QUERY_MAX + 2)];
  static uint8_t msgs[40][DNS_TCP_QUERY_MAX];
  size_t lens[40], got_len;
  uint8_t got[DNS_TCP_QUERY_MAX];
  for (int round = 0; round < 200; round++) {
    size_t nmsg = 1 + (size_t)rand() % 40, slen = 0;
    for (size_t i = 0; i < nmsg; i++) {
      lens[i] = rand() % 4 ? 1 + (size_t)rand() % 200
                           : 1 + (size_t)rand() % DNS_TCP_QUERY_MAX;
      for (size_t k = 0; k < lens[i]; k++) msgs[i][k] = (uint8_t)rand();
      slen += dns_tcp_frame(msgs[i], lens[i], stream + slen,
                            sizeof stream - slen);
    }
    dns_tcp_buf b;
    dns_tcp_buf_init(&b);
    size_t off = 0, next = 0;
    while (next < nmsg) {
      enum dns_tcp_take t = dns_tcp_in_take(&b, got, &got_len);
      CU_ASSERT_FATAL(t != DNS_TCP_BAD);
      if (t == DNS_TCP_MSG) {
        CU_ASSERT_FATAL(got_len == lens[next]);
        CU_ASSERT_FATAL(memcmp(got, msgs[next], got_len) == 0);
        next++;
        continue;
      }
      size_t room;
      dns_tcp_in_room(&b, &room);
      CU_ASSERT_FATAL(room > 0 && off < slen); /* never stuck */
      size_t k = 1 + (size_t)rand() % 3000;
      if (k > room) k = room;
      if (k > slen - off) k = slen - off;
      feed(&b, stream + off, k);
      off += k;
    }
    CU_ASSERT_EQUAL(off, slen);
    CU_ASSERT_EQUAL(b.inlen, 0);
  }
}

void suite_real_dns_tcp(void) {
  CU_pSuite s = CU_add_suite("real_dns_tcp", NULL, NULL);
  ADD_TEST(s, test_real_dns_tcp_frame);
  ADD_TEST(s, test_real_dns_tcp_next);
  ADD_TEST(s, test_real_dns_tcp_split);
  ADD_TEST(s, test_real_dns_tcp_two_in_one);
  ADD_TEST(s, test_real_dns_tcp_bad_length);
  ADD_TEST(s, test_real_dns_tcp_full);
  ADD_TEST(s, test_real_dns_tcp_out);
  ADD_TEST(s, test_real_dns_tcp_random);
}
