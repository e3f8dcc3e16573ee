/*
 * test_packet.c — the compact inner header: every form compacts and
 * rebuilds into the packet a local stack expects (compared with ippkt.h's
 * independent builder), sizes are what PROTOCOL.md says, and malformed
 * compact input is refused.
 */
#include "ippkt.h"
#include "packet.h"
#include "suites.h"
#include "testutil.h"

static const uint8_t A4[4] = {10, 83, 0, 1}, B4[4] = {10, 83, 0, 2};
static const uint8_t C4[4] = {10, 83, 0, 7}, D4[4] = {10, 83, 0, 1};
static const uint8_t A6[16] = {2, [15] = 1}, B6[16] = {2, [15] = 2};
static const uint8_t C6[16] = {2, [15] = 7}, D6[16] = {2, [15] = 1};

/* Compacts (A -> B), rebuilds as (C -> D), compares with ippkt. */
static int round_trip(int proto, int v6, size_t n, size_t *pcompact) {
  uint8_t payload[PACKET_MAX_INNER], ip[1300], want[1300], c[PACKET_MAX_COMPACT],
      out[PACKET_MAX_INNER];
  for (size_t i = 0; i < n; i++) payload[i] = (uint8_t)(i * 7 + 1);
  size_t len = v6 ? ippkt_v6(ip, proto, A6, B6, 17, payload, n)
                  : ippkt_v4(ip, proto, A4, B4, 0x4242, 17, payload, n);
  size_t wantlen = v6 ? ippkt_v6(want, proto, C6, D6, 64, payload, n)
                      : ippkt_v4(want, proto, C4, D4, 0, 64, payload, n);
  size_t clen = 0, outlen = 0;
  if (packet_compact(ip, len, 0, c, &clen) != 0) return 0;
  if (pcompact) *pcompact = clen;
  if (packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen) != 0) return 0;
  return outlen == wantlen && memcmp(out, want, wantlen) == 0 &&
         packet_checksums_ok(out, outlen);
}

static void test_packet_round_trips_and_sizes(void) {
  size_t c = 0;
  CU_ASSERT_TRUE(round_trip(IPPKT_UDP, 0, 64, &c));
  CU_ASSERT_EQUAL(c, 1 + 4 + 64);
  CU_ASSERT_TRUE(round_trip(IPPKT_TCP, 0, 100, &c));
  CU_ASSERT_EQUAL(c, 1 + 18 + 100);
  CU_ASSERT_TRUE(round_trip(IPPKT_ICMP, 0, 56, &c));
  CU_ASSERT_EQUAL(c, 1 + 6 + 56);
  CU_ASSERT_TRUE(round_trip(IPPKT_UDP, 1, 64, &c));
  CU_ASSERT_EQUAL(c, 1 + 4 + 64);
  CU_ASSERT_TRUE(round_trip(IPPKT_TCP, 1, 0, &c));
  CU_ASSERT_EQUAL(c, 1 + 18);
  CU_ASSERT_TRUE(round_trip(IPPKT_ICMP6, 1, 56, &c));
  for (size_t n = 0; n < 300; n += 37) {
    CU_ASSERT_TRUE(round_trip(IPPKT_UDP, 0, n, NULL));
    CU_ASSERT_TRUE(round_trip(IPPKT_TCP, 1, n, NULL));
  }
  CU_ASSERT_TRUE(round_trip(IPPKT_UDP, 0, 1280 - 28, NULL));
}

static void test_packet_tos_flow_and_other_protocols(void) {
  uint8_t ip[200], c[PACKET_MAX_COMPACT], out[PACKET_MAX_INNER];
  size_t clen, outlen;
  size_t len = ippkt_v4(ip, IPPKT_UDP, A4, B4, 0, 64, (const uint8_t *)"x", 1);
  ip[1] = 0xb8; /* EF */
  ip[10] = ip[11] = 0;
  uint16_t s = packet_ip_checksum(ip, 20);
  ip[10] = (uint8_t)(s >> 8), ip[11] = (uint8_t)s;
  CU_ASSERT_EQUAL(packet_compact(ip, len, 0, c, &clen), 0);
  CU_ASSERT_TRUE(c[0] & PACKET_FLAG_TOS);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(out[1], 0xb8);
  CU_ASSERT_TRUE(packet_checksums_ok(out, outlen));
  /* IPv6 traffic class and flow label travel. */
  len = ippkt_v6(ip, IPPKT_UDP, A6, B6, 64, (const uint8_t *)"y", 1);
  ip[0] = 0x6a, ip[1] = 0xb1, ip[2] = 0x23, ip[3] = 0x45;
  CU_ASSERT_EQUAL(packet_compact(ip, len, 0, c, &clen), 0);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(memcmp(out, "\x6a\xb1\x23\x45", 4), 0);
  /* GRE (47): carried as it is, with an explicit protocol byte. */
  memset(ip, 0, 40);
  ip[0] = 0x45, ip[3] = 28, ip[8] = 9, ip[9] = 47;
  memcpy(ip + 12, A4, 4), memcpy(ip + 16, B4, 4);
  memcpy(ip + 20, "GRE-body", 8);
  CU_ASSERT_EQUAL(packet_compact(ip, 28, 0, c, &clen), 0);
  CU_ASSERT_EQUAL(clen, 1 + 1 + 8);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(outlen, 28);
  CU_ASSERT_EQUAL(out[9], 47);
  CU_ASSERT_EQUAL(memcmp(out + 20, "GRE-body", 8), 0);
  CU_ASSERT_TRUE(packet_checksums_ok(out, outlen));
}

/* IPv4 options and fragments travel whole; the receiver still rewrites
 * the addresses and repairs the checksums that depend on them. */
static void test_packet_raw_options_and_fragments(void) {
  uint8_t payload[100], ip[300], c[PACKET_MAX_COMPACT], out[PACKET_MAX_INNER];
  for (int i = 0; i < 100; i++) payload[i] = (uint8_t)i;
  size_t clen, outlen;
  /* Options: a 4-byte NOP,NOP,NOP,EOL after the header. */
  uint8_t base[300];
  size_t blen = ippkt_v4(base, IPPKT_UDP, A4, B4, 9, 64, payload, 100);
  memcpy(ip, base, 20);
  memcpy(ip + 24, base + 20, blen - 20);
  memcpy(ip + 20, "\x01\x01\x01\x00", 4);
  ip[0] = 0x46;
  ip[2] = (uint8_t)((blen + 4) >> 8), ip[3] = (uint8_t)(blen + 4);
  ip[10] = ip[11] = 0;
  uint16_t s = packet_ip_checksum(ip, 24);
  ip[10] = (uint8_t)(s >> 8), ip[11] = (uint8_t)s;
  CU_ASSERT_EQUAL(packet_compact(ip, blen + 4, 0, c, &clen), 0);
  CU_ASSERT_EQUAL(c[0] & PACKET_FORM_MASK, PACKET_FORM_RAW4);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(outlen, blen + 4);
  CU_ASSERT_EQUAL(memcmp(out + 12, C4, 4), 0);
  CU_ASSERT_EQUAL(memcmp(out + 16, D4, 4), 0);
  CU_ASSERT_TRUE(packet_checksums_ok(out, outlen));
  /* First fragment of a UDP datagram: its checksum (over the whole
   * datagram) is adjusted for the new addresses, and must equal the
   * checksum of the same datagram built with them. */
  uint8_t full_new[300];
  ippkt_v4(full_new, IPPKT_UDP, C4, D4, 9, 64, payload, 100);
  memcpy(ip, base, 20 + 48);
  ip[2] = 0, ip[3] = 68;
  ip[6] = 0x20; /* MF */
  ip[10] = ip[11] = 0;
  s = packet_ip_checksum(ip, 20);
  ip[10] = (uint8_t)(s >> 8), ip[11] = (uint8_t)s;
  CU_ASSERT_EQUAL(packet_compact(ip, 68, 0, c, &clen), 0);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(packet_ip_checksum(out, 20), 0);
  CU_ASSERT_EQUAL(memcmp(out + 26, full_new + 26, 2), 0);
}

static void test_packet_lz4(void) {
  uint8_t payload[1000] = {0}, ip[1100], c[PACKET_MAX_COMPACT],
      out[PACKET_MAX_INNER];
  size_t clen, outlen;
  size_t len = ippkt_v4(ip, IPPKT_UDP, A4, B4, 0, 64, payload, 1000);
  CU_ASSERT_EQUAL(packet_compact(ip, len, 1, c, &clen), 0);
  CU_ASSERT_TRUE(c[0] & PACKET_FLAG_LZ4);
  CU_ASSERT(clen < 40);
  CU_ASSERT_EQUAL(packet_rebuild(c, clen, C4, D4, C6, D6, out, &outlen), 0);
  CU_ASSERT_EQUAL(outlen, len);
  CU_ASSERT_TRUE(packet_checksums_ok(out, outlen));
  /* Tiny payloads do not shrink: sent as they are. */
  len = ippkt_v4(ip, IPPKT_UDP, A4, B4, 0, 64, (const uint8_t *)"ab", 2);
  CU_ASSERT_EQUAL(packet_compact(ip, len, 1, c, &clen), 0);
  CU_ASSERT_FALSE(c[0] & PACKET_FLAG_LZ4);
  CU_ASSERT_EQUAL(clen, 1 + 4 + 2);
}

static void test_packet_refuses_malformed(void) {
  uint8_t out[PACKET_MAX_INNER], big[1400] = {0x45};
  size_t outlen;
  static const struct {
    const char *what;
    uint8_t bytes[24];
    size_t len;
    int want;
  } cases[] = {
      {"empty", {0}, 0, MCC_ERR_TRUNCATED},
      {"reserved bit", {0x80, 1, 2, 3, 4}, 5, MCC_ERR_VALUE},
      {"form 3", {0x03, 1, 2, 3, 4}, 5, MCC_ERR_VALUE},
      {"udp short", {0x00, 1, 2, 3}, 4, MCC_ERR_TRUNCATED},
      {"tcp short", {0x04, 1, 2, 3, 4, 5}, 6, MCC_ERR_TRUNCATED},
      {"tcp bad offset",
       {0x04, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0},
       19, MCC_ERR_VALUE},
      {"icmp short", {0x08, 8}, 2, MCC_ERR_TRUNCATED},
      {"other without protocol", {0x0c}, 1, MCC_ERR_TRUNCATED},
      {"flow on ipv4", {0x40, 0, 0, 1, 1, 2, 3, 4}, 8, MCC_ERR_VALUE},
      {"flow truncated", {0x41, 0, 0}, 3, MCC_ERR_TRUNCATED},
      {"bad lz4", {0x10, 0xff, 0xff, 0xff, 0xff}, 5, MCC_ERR_VALUE},
      {"raw too short", {0x02, 0x45, 0, 0, 10}, 5, MCC_ERR_VALUE},
      {"raw wrong length",
       {0x02, 0x45, 0, 0, 99, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7,
        8},
       21, MCC_ERR_BAD_LENGTH},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    int rv = packet_rebuild(cases[k].bytes, cases[k].len, C4, D4, C6, D6,
                            out, &outlen);
    if (rv != cases[k].want)
      fprintf(stderr, "case %s: %d\n", cases[k].what, rv);
    CU_ASSERT_EQUAL(rv, cases[k].want);
  }
  uint8_t c[PACKET_MAX_COMPACT];
  size_t clen;
  CU_ASSERT_EQUAL(packet_compact(big, 1281, 0, c, &clen), MCC_ERR_BAD_LENGTH);
  CU_ASSERT_EQUAL(packet_compact(big, 10, 0, c, &clen), MCC_ERR_TRUNCATED);
  big[0] = 0x55;
  CU_ASSERT_EQUAL(packet_compact(big, 40, 0, c, &clen), MCC_ERR_VERSION);
  big[0] = 0x45, big[3] = 200; /* total length beyond the buffer */
  CU_ASSERT_EQUAL(packet_compact(big, 40, 0, c, &clen), MCC_ERR_TRUNCATED);
}

void suite_packet(void) {
  CU_pSuite s = CU_add_suite("packet", NULL, NULL);
  ADD_TEST(s, test_packet_round_trips_and_sizes);
  ADD_TEST(s, test_packet_tos_flow_and_other_protocols);
  ADD_TEST(s, test_packet_raw_options_and_fragments);
  ADD_TEST(s, test_packet_lz4);
  ADD_TEST(s, test_packet_refuses_malformed);
}
