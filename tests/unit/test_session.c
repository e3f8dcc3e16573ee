/*
 * test_session.c — the end-to-end data plane in the harness: user packets
 * sealed at the source, relayed, opened and rebuilt at the destination.
 *
 *   source --INIT--> ... --> destination      (Noise KK message 1)
 *          <--RESP-- ... <--                  (message 2)
 *          --DATA--> ... -->  deliver()       (sealed compact packet)
 *
 * Each delivered packet is compared byte for byte with one built by
 * ippkt.h in the receiver's view: addresses rewritten, TTL 64, ID 0, DF.
 */
#include <sodium.h>
#include <stdlib.h>

#include "harness.h"
#include "ippkt.h"
#include "suites.h"
#include "testutil.h"
#include "wire.h"

static const uint8_t marker[] = "MCC-SECRET-PAYLOAD-0123456789-abcdefghij";

static void fill_payload(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = marker[i % (sizeof marker - 1)];
}

/* Sends a packet of proto from src to dst and checks what dst delivers. */
static int send_and_check(harness *h, size_t src, size_t dst, int proto,
                          int v6, size_t n) {
  uint8_t payload[1200], ip[1400], want[1400];
  fill_payload(payload, n);
  uint8_t s4[4], s6[16], d4[4], d6[16];
  harness_local_addr(h, src, src, s4, s6);
  harness_local_addr(h, src, dst, d4, d6);
  size_t len = v6 ? ippkt_v6(ip, proto, s6, d6, 64, payload, n)
                  : ippkt_v4(ip, proto, s4, d4, 0x1234, 64, payload, n);
  if (!harness_alive(h, dst)) { /* nobody to deliver to */
    harness_send_packet(h, src, ip, len);
    harness_run_for(h, 1 * HARNESS_S);
    return 0;
  }
  /* What dst's stack must see: its own view of both addresses. */
  harness_local_addr(h, dst, src, s4, s6);
  harness_local_addr(h, dst, dst, d4, d6);
  size_t wantlen = v6 ? ippkt_v6(want, proto, s6, d6, 64, payload, n)
                      : ippkt_v4(want, proto, s4, d4, 0, 64, payload, n);
  uint64_t before = harness_delivered(h, dst);
  if (harness_send_packet(h, src, ip, len) != 0) return 0;
  harness_run_for(h, 1 * HARNESS_S);
  size_t gotlen;
  const uint8_t *got = harness_last_delivered(h, dst, &gotlen);
  return harness_delivered(h, dst) == before + 1 && gotlen == wantlen &&
         memcmp(got, want, wantlen) == 0;
}

static void test_session_two_nodes_udp_tcp_icmp(void) {
  harness *h = harness_new_chain(2, 21, NULL);
  /* Each node is the first address of the resolver's networks in its own
   * view; the first peer it resolves, the second. */
  uint8_t a4[4], a6[16];
  harness_local_addr(h, 1, 1, a4, a6);
  CU_ASSERT_EQUAL(memcmp(a4, "\x0a\x53\x00\x01", 4), 0);
  CU_ASSERT_EQUAL(a6[0], 0x02);
  CU_ASSERT_EQUAL(a6[15], 0x01);
  harness_local_addr(h, 1, 0, a4, a6);
  CU_ASSERT_EQUAL(memcmp(a4, "\x0a\x53\x00\x02", 4), 0);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 0, 1, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_TCP, 0, 100));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_ICMP, 0, 56));
  CU_ASSERT_TRUE(send_and_check(h, 0, 1, IPPKT_ICMP, 0, 56));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 1, 64));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_TCP, 1, 10));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_ICMP6, 1, 56));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 1200));
  harness_free(h);
}

static void test_session_four_hop_chain(void) {
  harness *h = harness_new_chain(5, 22, NULL);
  CU_ASSERT_EQUAL(harness_follow_route(h, 4, 0, 64), 4);
  CU_ASSERT_TRUE(send_and_check(h, 4, 0, IPPKT_ICMP, 0, 56));
  CU_ASSERT_TRUE(send_and_check(h, 0, 4, IPPKT_ICMP, 0, 56));
  CU_ASSERT_TRUE(send_and_check(h, 4, 0, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 0, 4, IPPKT_TCP, 0, 500));
  CU_ASSERT_TRUE(send_and_check(h, 2, 4, IPPKT_UDP, 1, 64));
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 2), &st);
  CU_ASSERT(st.packets_forwarded > 0);
  harness_free(h);
}

/* The TTL bounds the hops: with a hop limit of 3, a 4-hop path fails and
 * a 3-hop one works. */
static void test_session_ttl_bounds_hops(void) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.hop_limit = 3;
  harness *h = harness_new_chain(5, 23, &s);
  CU_ASSERT_FALSE(send_and_check(h, 4, 0, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 3, 0, IPPKT_UDP, 0, 64));
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 1), &st);
  CU_ASSERT(st.packets_dropped > 0);
  harness_free(h);
}

typedef struct tamper {
  int type;
  size_t pos; /* byte to flip in the first matching datagram */
  int done;
  int duplicate;
  uint8_t copy[1500];
  size_t copylen;
} tamper;

static int tamper_filter(void *user, size_t from, size_t to, uint8_t *data,
                         size_t *len) {
  tamper *t = user;
  if ((data[0] & 0x1f) != t->type || t->done) return 1;
  t->done = 1;
  if (t->duplicate) {
    memcpy(t->copy, data, *len);
    t->copylen = *len;
    return 1;
  }
  if (t->pos < *len) data[t->pos] ^= 0x01;
  return 1;
}

static void test_session_tampered_byte_dropped(void) {
  harness *h = harness_new_chain(3, 24, NULL);
  CU_ASSERT_TRUE(send_and_check(h, 2, 0, IPPKT_UDP, 0, 64)); /* session up */
  size_t datalen = WIRE_DATA_OVERHEAD + 1 + 4 + 64;
  unsigned dropped = 0;
  for (size_t pos = 0; pos < datalen; pos++) {
    if (pos == 1) continue; /* the TTL: not authenticated, relays change it */
    tamper t = {WIRE_DATA, pos, 0, 0, {0}, 0};
    harness_set_filter(h, tamper_filter, &t);
    if (!send_and_check(h, 2, 0, IPPKT_UDP, 0, 64)) dropped++;
  }
  harness_set_filter(h, NULL, NULL);
  CU_ASSERT_EQUAL(dropped, datalen - 1);
  CU_ASSERT_TRUE(send_and_check(h, 2, 0, IPPKT_UDP, 0, 64));
  harness_free(h);
}

static void test_session_replay_dropped(void) {
  harness *h = harness_new_chain(2, 25, NULL);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 64));
  tamper t = {WIRE_DATA, 0, 0, 1, {0}, 0};
  harness_set_filter(h, tamper_filter, &t);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 64));
  harness_set_filter(h, NULL, NULL);
  uint64_t before = harness_delivered(h, 0);
  CU_ASSERT_EQUAL(harness_inject(h, 1, 0, t.copy, t.copylen), MCC_ERR_REPLAY);
  CU_ASSERT_EQUAL(harness_delivered(h, 0), before);
  harness_free(h);
}

/* Root 0 trusts both networks, so 1 (network 0) and 2 (network 1) both
 * have links; but 1 does not trust network 1: no packet is delivered
 * between them in either direction. */
static void test_session_untrusted_network_never_delivered(void) {
  harness *h = harness_new(3, 26, NULL);
  size_t root = 0;
  harness_set_parents(h, 1, &root, 1);
  harness_set_parents(h, 2, &root, 1);
  harness_set_network(h, 2, 1);
  harness_trust_network(h, 0, 1);
  harness_trust_network(h, 2, 0);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  CU_ASSERT_EQUAL(harness_follow_route(h, 1, 2, 64), 2);
  CU_ASSERT_FALSE(send_and_check(h, 2, 1, IPPKT_UDP, 0, 64));
  CU_ASSERT_FALSE(send_and_check(h, 1, 2, IPPKT_UDP, 0, 64));
  harness_run_for(h, 30 * HARNESS_S); /* retries change nothing */
  CU_ASSERT_EQUAL(harness_delivered(h, 1), 0);
  CU_ASSERT_EQUAL(harness_delivered(h, 2), 0);
  mcc_node_stats s1, s2;
  mcc_node_get_stats(harness_node(h, 1), &s1);
  mcc_node_get_stats(harness_node(h, 2), &s2);
  CU_ASSERT(s1.sessions_refused > 0);
  CU_ASSERT_EQUAL(s1.sessions_established + s1.sessions_accepted, 0);
  CU_ASSERT_EQUAL(s2.sessions_established, 0);
  /* The root trusts both and talks to both. */
  CU_ASSERT_TRUE(send_and_check(h, 2, 0, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 64));
  harness_free(h);
}

typedef struct snoop {
  size_t relay;
  unsigned seen, leaks;
} snoop;

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle,
                    size_t m) {
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(hay + i, needle, m) == 0) return 1;
  return 0;
}

static int snoop_filter(void *user, size_t from, size_t to, uint8_t *data,
                        size_t *len) {
  snoop *s = user;
  if (to == s->relay || from == s->relay) {
    s->seen++;
    if (contains(data, *len, marker, 12)) s->leaks++;
  }
  return 1;
}

static void test_session_relay_sees_no_plaintext(void) {
  harness *h = harness_new_chain(3, 27, NULL);
  snoop s = {1, 0, 0};
  harness_set_filter(h, snoop_filter, &s);
  CU_ASSERT_TRUE(send_and_check(h, 2, 0, IPPKT_UDP, 0, 200));
  CU_ASSERT_TRUE(send_and_check(h, 0, 2, IPPKT_TCP, 0, 200));
  CU_ASSERT(s.seen >= 6);
  CU_ASSERT_EQUAL(s.leaks, 0);
  harness_free(h);
}

typedef struct sizes {
  size_t len[16];
  unsigned count[16];
  unsigned keepalives; /* empty DATA: counted apart from user packets */
} sizes;

static int size_filter(void *user, size_t from, size_t to, uint8_t *data,
                       size_t *len) {
  sizes *z = user;
  int t = data[0] & 0x1f;
  if (t == WIRE_DATA && *len == WIRE_DATA_OVERHEAD) {
    z->keepalives++;
    return 1;
  }
  z->len[t] = *len;
  z->count[t]++;
  return 1;
}

/* The sizes PROTOCOL.md documents, and the packet overhead it claims. */
static void test_session_exact_wire_sizes(void) {
  harness *h = harness_new_chain(2, 28, NULL);
  sizes z;
  memset(&z, 0, sizeof z);
  harness_set_filter(h, size_filter, &z);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 64));
  CU_ASSERT_EQUAL(z.count[WIRE_SESSION_INIT], 1);
  CU_ASSERT_EQUAL(z.len[WIRE_SESSION_INIT], 264);
  CU_ASSERT_EQUAL(z.count[WIRE_SESSION_RESP], 1);
  CU_ASSERT_EQUAL(z.len[WIRE_SESSION_RESP], 256);
  CU_ASSERT_EQUAL(z.len[WIRE_DATA], 103);
  /* Overhead: wire bytes on one link minus the inner packet (92 bytes). */
  size_t inner = 20 + 8 + 64;
  CU_ASSERT_EQUAL(z.len[WIRE_DATA] + 28 - inner, 39);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 1000));
  CU_ASSERT_EQUAL(z.len[WIRE_DATA], 1039);
  CU_ASSERT_EQUAL(z.len[WIRE_DATA] + 28 - (20 + 8 + 1000), 39);
  CU_ASSERT_EQUAL(z.count[WIRE_SESSION_INIT], 1); /* steady: no handshake */
  /* Node 0 sent nothing back: a 34-byte session keep-alive a second after
   * the first packet tells node 1 they arrive; the second packet came
   * within that second, so the same one answers both. */
  harness_run_for(h, HARNESS_S);
  CU_ASSERT_EQUAL(z.keepalives, 1);
  harness_free(h);
}

static void test_session_lz4(void) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.compression = 1;
  harness *h = harness_new_chain(2, 29, &s);
  sizes z;
  memset(&z, 0, sizeof z);
  harness_set_filter(h, size_filter, &z);
  CU_ASSERT_TRUE(send_and_check(h, 1, 0, IPPKT_UDP, 0, 1000));
  CU_ASSERT(z.len[WIRE_DATA] < 300); /* the marker repeats: compressible */
  /* Incompressible: random bytes go as they are, flagged uncompressed. */
  uint8_t payload[1000], ip[1100], s4[4], s6[16], d4[4], d6[16];
  randombytes_buf_deterministic(payload, sizeof payload,
                                (const uint8_t *)"0123456789abcdef0123456789abcdef");
  harness_local_addr(h, 1, 1, s4, s6);
  harness_local_addr(h, 1, 0, d4, d6);
  size_t len = ippkt_v4(ip, IPPKT_UDP, s4, d4, 1, 64, payload, sizeof payload);
  uint64_t before = harness_delivered(h, 0);
  CU_ASSERT_EQUAL(harness_send_packet(h, 1, ip, len), 0);
  harness_run_for(h, HARNESS_S);
  CU_ASSERT_EQUAL(harness_delivered(h, 0), before + 1);
  CU_ASSERT_EQUAL(z.len[WIRE_DATA], 1039);
  size_t gotlen;
  const uint8_t *got = harness_last_delivered(h, 0, &gotlen);
  CU_ASSERT_EQUAL(gotlen, len);
  CU_ASSERT_EQUAL(memcmp(got + 28, payload, sizeof payload), 0);
  harness_free(h);
}

/* A dead destination: at most SESSION_HANDSHAKE_ATTEMPTS INITs, then the
 * held packets are dropped and the source goes quiet. */
static void test_session_handshake_retries_bounded(void) {
  harness *h = harness_new_chain(3, 30, NULL);
  harness_kill(h, 0);
  sizes z;
  memset(&z, 0, sizeof z);
  harness_set_filter(h, size_filter, &z);
  CU_ASSERT_FALSE(send_and_check(h, 2, 0, IPPKT_UDP, 0, 64));
  harness_run_for(h, 60 * HARNESS_S);
  CU_ASSERT_EQUAL(z.count[WIRE_SESSION_INIT], 2 * SESSION_HANDSHAKE_ATTEMPTS);
  mcc_node_stats st;
  mcc_node_get_stats(harness_node(h, 2), &st);
  CU_ASSERT_EQUAL(st.handshakes_sent, SESSION_HANDSHAKE_ATTEMPTS);
  CU_ASSERT_EQUAL(st.packets_dropped, 1);
  harness_free(h);
}

/* Keys rotate after two minutes; packets flow without a loss across. */
static void test_session_key_rotation(void) {
  harness *h = harness_new_chain(3, 31, NULL);
  sizes z;
  memset(&z, 0, sizeof z);
  harness_set_filter(h, size_filter, &z);
  unsigned ok = 0;
  for (int i = 0; i < 40; i++) { /* one packet every 10 s, both ways */
    ok += (unsigned)send_and_check(h, 2, 0, IPPKT_UDP, 0, 64);
    ok += (unsigned)send_and_check(h, 0, 2, IPPKT_UDP, 0, 64);
    harness_run_for(h, 8 * HARNESS_S);
  }
  CU_ASSERT_EQUAL(ok, 80);
  /* 400 s: the initiator re-keyed at 120 s intervals: 3 or 4 handshakes. */
  CU_ASSERT(z.count[WIRE_SESSION_INIT] >= 2 * 3);
  CU_ASSERT(z.count[WIRE_SESSION_INIT] <= 2 * 4);
  harness_free(h);
}

/* A ping both ways between the ends of a chain of 4: ip[0] from node 0 to
 * node 3, ip[1] back, 64 bytes of UDP each. */
static void both_ways(harness *h, uint8_t ip[2][200], size_t len[2]) {
  uint8_t payload[64];
  size_t ends[2] = {0, 3};
  fill_payload(payload, sizeof payload);
  for (int k = 0; k < 2; k++) {
    uint8_t s4[4], s6[16], d4[4], d6[16];
    harness_local_addr(h, ends[k], ends[k], s4, s6);
    harness_local_addr(h, ends[k], ends[1 - k], d4, d6);
    len[k] = ippkt_v4(ip[k], IPPKT_UDP, s4, d4, 0x1234, 64, payload,
                      sizeof payload);
  }
}

/* Both ends start a handshake at the same instant (a ping all sends both
 * directions at once): the two INITs cross, and both packets must still
 * arrive. */
static void test_session_crossing_handshakes(void) {
  harness *h = harness_new_chain(4, 31, NULL);
  uint8_t ip[2][200];
  size_t len[2];
  both_ways(h, ip, len);
  uint64_t before0 = harness_delivered(h, 0), before3 = harness_delivered(h, 3);
  CU_ASSERT_EQUAL(harness_send_packet(h, 0, ip[0], len[0]), 0);
  CU_ASSERT_EQUAL(harness_send_packet(h, 3, ip[1], len[1]), 0);
  harness_run_for(h, 30 * HARNESS_S);
  CU_ASSERT_EQUAL(harness_delivered(h, 3), before3 + 1);
  CU_ASSERT_EQUAL(harness_delivered(h, 0), before0 + 1);
  /* and the sessions work afterwards, both ways */
  CU_ASSERT_TRUE(send_and_check(h, 0, 3, IPPKT_UDP, 0, 64));
  CU_ASSERT_TRUE(send_and_check(h, 3, 0, IPPKT_UDP, 0, 64));
  harness_free(h);
}


/* A lone packet at any moment after a session was made arrives: made by
 * one end, or by crossing handshakes (both ends sent an INIT at once: then
 * both believe they initiated, and each holds the other's keys as its
 * previous ones); in the rekey window (keys 120-180 s old) and at the edge
 * of rejection (180 s), where a packet sealed just before must not arrive
 * after its keys are rejected. The class: every wait, either direction. */
static void test_session_lone_packets_later(void) {
  static const unsigned waits_s[] = {30,  100, 119, 121, 125, 150, 164, 166,
                                     170, 178, 179, 180, 181, 200, 239, 241,
                                     300, 560};
  for (int crossing = 0; crossing < 2; crossing++)
    for (size_t w = 0; w < sizeof waits_s / sizeof waits_s[0]; w++)
      for (int dir = 0; dir < 2; dir++) {
        harness *h = harness_new_chain(4, 31 + w, NULL);
        uint8_t ip[2][200];
        size_t len[2];
        both_ways(h, ip, len);
        harness_send_packet(h, 0, ip[0], len[0]);
        if (crossing) harness_send_packet(h, 3, ip[1], len[1]);
        harness_run_for(h, (uint64_t)waits_s[w] * HARNESS_S);
        size_t a = dir ? 3 : 0, b = dir ? 0 : 3;
        int ok = send_and_check(h, a, b, IPPKT_UDP, 0, 64);
        if (!ok)
          printf("\n%s, then %u s later %zu -> %zu: lost\n",
                 crossing ? "crossing handshakes" : "a session from node 0",
                 waits_s[w], a, b);
        CU_ASSERT_TRUE(ok);
        harness_free(h);
      }
}

/* Pings both ways at several moments (ping all): each pair of packets,
 * crossing, arrives whatever the gaps between the moments (expired keys,
 * the rekey window, both ends rekeying at once). */
static void test_session_crossing_sequences(void) {
  static const unsigned gaps_s[][2] = {{187, 152}, {187, 121}, {121, 121},
                                       {150, 150}, {100, 60},  {181, 1},
                                       {170, 170}, {240, 130}, {30, 179}};
  for (size_t g = 0; g < sizeof gaps_s / sizeof gaps_s[0]; g++) {
    harness *h = harness_new_chain(4, 77 + g, NULL);
    uint8_t ip[2][200];
    size_t len[2];
    both_ways(h, ip, len);
    unsigned lost = 0;
    for (int round = 0; round < 3; round++) {
      uint64_t before0 = harness_delivered(h, 0);
      uint64_t before3 = harness_delivered(h, 3);
      harness_send_packet(h, 0, ip[0], len[0]);
      harness_send_packet(h, 3, ip[1], len[1]);
      harness_run_for(h, 1 * HARNESS_S);
      lost += (harness_delivered(h, 3) != before3 + 1) +
              (harness_delivered(h, 0) != before0 + 1);
      if (round < 2) harness_run_for(h, (gaps_s[g][round] - 1) * HARNESS_S);
    }
    if (lost)
      printf("\ncrossing at 0, %u s and %u s later: %u lost\n", gaps_s[g][0],
             gaps_s[g][0] + gaps_s[g][1], lost);
    CU_ASSERT_EQUAL(lost, 0);
    harness_free(h);
  }
}

void suite_session(void) {
  CU_pSuite s = CU_add_suite("session", NULL, NULL);
  ADD_TEST(s, test_session_two_nodes_udp_tcp_icmp);
  ADD_TEST(s, test_session_four_hop_chain);
  ADD_TEST(s, test_session_ttl_bounds_hops);
  ADD_TEST(s, test_session_crossing_handshakes);
  ADD_TEST(s, test_session_lone_packets_later);
  ADD_TEST(s, test_session_crossing_sequences);
  ADD_TEST(s, test_session_tampered_byte_dropped);
  ADD_TEST(s, test_session_replay_dropped);
  ADD_TEST(s, test_session_untrusted_network_never_delivered);
  ADD_TEST(s, test_session_relay_sees_no_plaintext);
  ADD_TEST(s, test_session_exact_wire_sizes);
  ADD_TEST(s, test_session_lz4);
  ADD_TEST(s, test_session_handshake_retries_bounded);
  ADD_TEST(s, test_session_key_rotation);
}
