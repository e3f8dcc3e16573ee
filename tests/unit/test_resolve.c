/*
 * test_resolve.c — the node-local resolver: the manual's defaults, slot
 * addresses, reverse lookups, LRU reuse only after resolver.ttl +
 * resolver.quarantine (also against a naive reference on random operations
 * and times), "no address" instead of a moved mapping, the cap on new
 * mappings, names and dns-names, PTR names, `mcc resolve` text forms,
 * malformed text, determinism and memory at 65534 ids.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include <mcc/resolve.h>

#include "suites.h"
#include "testutil.h"

#define S_NS 1000000000ull
#define NOW0 0 /* the time of the tests that do not depend on it */

/* A synthetic id: the resolver never checks that an id is a curve point. */
static mcc_id make_id(uint32_t n) {
  mcc_id id;
  memset(id.key, 0x5a, sizeof id.key);
  id.key[0] = (uint8_t)(n >> 24);
  id.key[1] = (uint8_t)(n >> 16);
  id.key[2] = (uint8_t)(n >> 8);
  id.key[3] = (uint8_t)n;
  return id;
}

static int same_id(const mcc_id *a, const mcc_id *b) {
  return memcmp(a->key, b->key, MCC_KEY_LEN) == 0;
}

static void init_net(mcc_resolver *r, const char *ipv4, const char *ipv6) {
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(
      mcc_resolver_settings_from_text(&s, ipv4, ipv6, NULL, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(r, &s), 0);
}

/* A network with its own resolver.ttl and resolver.quarantine, no cap. */
static void init_hold(mcc_resolver *r, const char *ipv4, uint32_t ttl_s,
                      uint32_t quarantine_s) {
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL_FATAL(
      mcc_resolver_settings_from_text(&s, ipv4, NULL, NULL, NULL, NULL), 0);
  s.ttl_s = ttl_s;
  s.quarantine_s = quarantine_s;
  s.new_per_s = 0;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(r, &s), 0);
}

static void ipv4_text(const mcc_resolve_addrs *a, char out[16]) {
  inet_ntop(AF_INET, a->ipv4, out, 16);
}

static void test_resolve_settings_default(void) {
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  uint8_t v4[4] = {10, 83, 0, 0}, v6[16] = {0x02}, mac[6] = {0xae};
  CU_ASSERT_EQUAL(memcmp(s.ipv4_network, v4, 4), 0);
  CU_ASSERT_EQUAL(s.ipv4_prefix_len, 16);
  CU_ASSERT_EQUAL(memcmp(s.ipv6_network, v6, 16), 0);
  CU_ASSERT_EQUAL(s.ipv6_prefix_len, 7);
  CU_ASSERT_EQUAL(memcmp(s.mac_mask, mac, 6), 0);
  CU_ASSERT_STRING_EQUAL(s.domain, ".home.arpa");
  CU_ASSERT_EQUAL(s.ttl_s, 0);
  CU_ASSERT_EQUAL(s.quarantine_s, 600);
  CU_ASSERT_EQUAL(s.new_per_s, 100);
  CU_ASSERT_EQUAL(s.new_burst, 1000);
  /* queries alone cannot fill the default pool (resolve.h) */
  CU_ASSERT(s.new_burst + (uint64_t)s.new_per_s * (s.ttl_s + s.quarantine_s) <
            65534);
  /* the manual's texts give the same settings */
  mcc_resolver_settings t;
  memset(&t, 0, sizeof t);
  t.quarantine_s = s.quarantine_s;
  t.new_per_s = s.new_per_s;
  t.new_burst = s.new_burst;
  CU_ASSERT_EQUAL(mcc_resolver_settings_from_text(&t, "10.83.0.0/16", "200::/7",
                                                  "AE:00:00:00:00:00",
                                                  ".home.arpa", NULL),
                  0);
  CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof s), 0);
  mcc_resolver r;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_capacity(&r), 65534);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0);
  CU_ASSERT_EQUAL(mcc_resolver_memory(&r), 0);
  mcc_resolver_clear(&r);
}

static void test_resolve_settings_from_text(void) {
  mcc_resolver_settings s;
  const char *bad = "x";
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(&s, "192.168.8.0/22", "fd00:83::/64",
                                      "02:AB:00:00:00:00", "Staex.", &bad),
      0);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_EQUAL(s.ipv4_network[2], 8);
  CU_ASSERT_EQUAL(s.ipv4_prefix_len, 22);
  CU_ASSERT_EQUAL(s.ipv6_network[1], 0);
  CU_ASSERT_EQUAL(s.ipv6_network[3], 0x83);
  CU_ASSERT_EQUAL(s.ipv6_prefix_len, 64);
  CU_ASSERT_EQUAL(s.mac_mask[1], 0xab);
  CU_ASSERT_STRING_EQUAL(s.domain, ".staex");
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, "", NULL), 0);
  CU_ASSERT_STRING_EQUAL(s.domain, "");
  /* the domain leaves room for "<node id><domain>" in 253 characters */
  char domain[220];
  memset(domain, 'd', sizeof domain);
  for (int i = 0; i < 200; i += 50) domain[i] = '.';
  domain[200] = '\0'; /* ".ddd...": 200 characters */
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, domain, NULL), 0);
  CU_ASSERT_EQUAL(strlen(s.domain), 200);
  domain[200] = 'd';
  domain[201] = '\0';
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, domain, &bad),
      MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(bad, "resolver.domain");
  CU_ASSERT_EQUAL(strlen(s.domain), 200);
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, "", NULL), 0);
  /* an error names the key and changes nothing */
  mcc_resolver_settings before = s;
  CU_ASSERT_EQUAL(mcc_resolver_settings_from_text(&s, "10.0.0.0/8", "fd00::/8",
                                                  "AF:00:00:00:00:00", NULL,
                                                  &bad),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(bad, "resolver.mac-address-mask");
  CU_ASSERT_EQUAL(memcmp(&s, &before, sizeof s), 0);
}

/* Every malformed text, by kind; each must be MCC_ERR_VALUE. */
static void test_resolve_malformed_text(void) {
  static const struct {
    char kind; /* 4, 6: network; m: mask; d: domain; a/A: address; M: mac;
                  n: name; p: ptr name */
    const char *text;
  } cases[] = {
      {'4', "10.83.0.0"},
      {'4', "10.83.0.0/"},
      {'4', "10.83.0.0/33"},
      {'4', "10.83.0.0/31"},
      {'4', "10.83.0.0/32"},
      {'4', "10.83.1.0/16"},
      {'4', "10.83.0/16"},
      {'4', "10.83.0.0/-1"},
      {'4', "10.83.0.0/1x"},
      {'4', "10.83.0.0/0016"},
      {'4', "fd00::/8"},
      {'4', " 10.83.0.0/16"},
      {'4', "/16"},
      {'4', ""},
      {'6', "200::/129"},
      {'6', "200::/127"},
      {'6', "201::/7"},
      {'6', "10.0.0.0/8"},
      {'6', "200:::/7"},
      {'6', "200::"},
      {'m', "AE-00-00-00-00-00"},
      {'m', "AE:00:00:00:00"},
      {'m', "AG:00:00:00:00:00"},
      {'m', "AF:00:00:00:00:00"},
      {'m', "AE:00:00:00:00:00:"},
      {'m', "AE:0:00:00:00:000"},
      {'d', ".."},
      {'d', "home..arpa"},
      {'d', ".home_arpa"},
      {'d', "-x.home arpa"},
      {'A', "10.83.0.256"},
      {'A', "10.83.0"},
      {'A', "010.83.0.1"},
      {'A', "10.83.0.1 "},
      {'a', "200::1::2"},
      {'a', "200::g"},
      {'a', ""},
      {'a', "10.83.0.1"},
      {'M', "ae:00:00:00:00"},
      {'M', "ae:00:00:00:00:0g"},
      {'M', "ae.00.00.00.00.01"},
      {'M', "ae:00:00:00:00:001"},
      {'n', ""},
      {'n', "."},
      {'n', "a..b"},
      {'n', ".a"},
      {'n', "a_b"},
      {'n', "a b"},
      {'n', "cam.."},
      {'n', "caf\xc3\xa9"},
      {'p', "1.0.83.10.in-addr"},
      {'p', "83.10.in-addr.arpa"},
      {'p', "1.0.0.83.10.in-addr.arpa"},
      {'p', "256.0.83.10.in-addr.arpa"},
      {'p', "01.0.83.10.in-addr.arpa"},
      {'p', "1..83.10.in-addr.arpa"},
      {'p', "0.2.ip6.arpa"},
      {'p', "in-addr.arpa"},
  };
  char long_label[80], long_name[300];
  memset(long_label, 'a', 64);
  strcpy(long_label + 64, ".arpa");
  for (int i = 0; i < 127; i++) memcpy(long_name + 2 * i, "a.", 2);
  strcpy(long_name + 254, "a"); /* 255 characters */
  CU_ASSERT_EQUAL(mcc_resolve_check_name(long_label, strlen(long_label)),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolve_check_name(long_name, strlen(long_name)),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolve_check_name(long_name + 2, 253), 0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *t = cases[i].text;
    size_t len = strlen(t);
    mcc_resolver_settings s;
    mcc_resolver_settings_default(&s);
    uint8_t a[16];
    int fam, rv = 0;
    switch (cases[i].kind) {
    case '4':
      rv = mcc_resolver_settings_from_text(&s, t, NULL, NULL, NULL, NULL);
      break;
    case '6':
      rv = mcc_resolver_settings_from_text(&s, NULL, t, NULL, NULL, NULL);
      break;
    case 'm':
      rv = mcc_resolver_settings_from_text(&s, NULL, NULL, t, NULL, NULL);
      break;
    case 'd':
      rv = mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, t, NULL);
      break;
    case 'A': rv = mcc_resolve_parse_ipv4(t, len, a); break;
    case 'a': rv = mcc_resolve_parse_ipv6(t, len, a); break;
    case 'M': rv = mcc_resolve_parse_mac(t, len, a); break;
    case 'n': rv = mcc_resolve_check_name(t, len); break;
    case 'p': rv = mcc_resolve_ptr_parse(t, len, &fam, a); break;
    }
    if (rv != MCC_ERR_VALUE)
      fprintf(stderr, "\n  accepted (%c) \"%s\": %d\n", cases[i].kind, t, rv);
    CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
  }
}

static void test_resolve_first_addresses(void) {
  mcc_resolver r;
  mcc_keypair kp;
  mcc_resolve_addrs a;
  char text[64];
  test_keys(&kp, 1);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &kp.pub, &a, NOW0), 0);
  ipv4_text(&a, text);
  CU_ASSERT_STRING_EQUAL(text, "10.83.0.1");
  inet_ntop(AF_INET6, a.ipv6, text, sizeof text);
  CU_ASSERT_STRING_EQUAL(text, "200::1");
  mcc_resolve_format_mac(a.mac, text);
  CU_ASSERT_STRING_EQUAL(text, "ae:00:00:00:00:01");
  test_keys(&kp, 2);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &kp.pub, &a, NOW0), 0);
  ipv4_text(&a, text);
  CU_ASSERT_STRING_EQUAL(text, "10.83.0.2");
  mcc_resolver_clear(&r);
}

static void test_resolve_same_id_same_slot(void) {
  mcc_resolver r;
  mcc_resolve_addrs a, b;
  mcc_id id = make_id(7), other = make_id(8);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &other, NULL, NOW0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &b, NOW0), 0);
  CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 2);
  CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &id, &b, NOW0),
                  0); /* pinning keeps it */
  CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 2);
  mcc_resolver_clear(&r);
}

/* Slot 254 onwards crosses octets; the /16's broadcast is never handed out. */
static void test_resolve_slot_layout(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  char text[64];
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  for (uint32_t n = 0; n < 256; n++) {
    mcc_id id = make_id(n);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  }
  ipv4_text(&a, text); /* slot 255 */
  CU_ASSERT_STRING_EQUAL(text, "10.83.1.0");
  inet_ntop(AF_INET6, a.ipv6, text, sizeof text);
  CU_ASSERT_STRING_EQUAL(text, "200::100");
  mcc_resolve_format_mac(a.mac, text);
  CU_ASSERT_STRING_EQUAL(text, "ae:00:00:00:01:00");
  mcc_resolver_clear(&r);

  /* a mask with low bits set keeps its top 24 bits */
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_resolver_settings_from_text(
                      &s, NULL, NULL, "ae:12:34:56:78:9a", NULL, NULL),
                  0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  mcc_id id = make_id(1);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  mcc_resolve_format_mac(a.mac, text);
  CU_ASSERT_STRING_EQUAL(text, "ae:12:34:00:00:01");
  mcc_resolver_clear(&r);

  /* the smallest networks limit the capacity */
  init_net(&r, "10.0.0.0/30", NULL);
  CU_ASSERT_EQUAL(mcc_resolver_capacity(&r), 2);
  mcc_resolver_clear(&r);
  init_net(&r, "10.0.0.0/8", "fd00::/126");
  CU_ASSERT_EQUAL(mcc_resolver_capacity(&r), 3);
  mcc_resolver_clear(&r);
}

static void test_resolve_reverse(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  mcc_id id = make_id(1), got;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  /* assigned */
  memset(&got, 0, sizeof got);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, a.ipv4, &got, NOW0), 0);
  CU_ASSERT(same_id(&got, &id));
  memset(&got, 0, sizeof got);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, a.ipv6, &got, NOW0), 0);
  CU_ASSERT(same_id(&got, &id));
  memset(&got, 0, sizeof got);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_mac(&r, a.mac, &got, NOW0), 0);
  CU_ASSERT(same_id(&got, &id));
  /* in the network, unassigned: the next slot, network, broadcast */
  uint8_t v4[][4] = {{10, 83, 0, 2}, {10, 83, 0, 0}, {10, 83, 255, 255}};
  for (size_t i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, v4[i], &got, NOW0),
                    MCC_ERR_NO_ROUTE);
  uint8_t v6[16] = {0x02}, mac[6] = {0xae, 0, 0, 0, 0, 2};
  v6[15] = 2;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, v6, &got, NOW0),
                  MCC_ERR_NO_ROUTE);
  v6[15] = 1;
  v6[4] = 1; /* host bits above the slot field */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, v6, &got, NOW0),
                  MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_mac(&r, mac, &got, NOW0),
                  MCC_ERR_NO_ROUTE);
  /* outside */
  uint8_t out4[4] = {10, 84, 0, 1}, out6[16] = {0xfd}, outmac[6] = {0xaa};
  out6[15] = 1;
  outmac[5] = 1;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, out4, &got, NOW0),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, out6, &got, NOW0),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_mac(&r, outmac, &got, NOW0),
                  MCC_ERR_VALUE);
  /* 201::1 is still inside 200::/7 */
  uint8_t in6[16] = {0x02, 0x01};
  in6[15] = 1;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, in6, &got, NOW0),
                  MCC_ERR_NO_ROUTE);
  /* none of it allocated */
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 1);
  mcc_resolver_clear(&r);
}

/* /29: 6 usable, held 10 s after their last use. Allocate 6, use some
 * later; once the hold has passed, the 7th takes the least recently used
 * slot, and the id that lost it gets a new slot when asked again. */
static void test_resolve_lru_reuse(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  mcc_id ids[8], got;
  char text[16];
  init_hold(&r, "192.168.5.0/29", 0, 10);
  CU_ASSERT_EQUAL(mcc_resolver_capacity(&r), 6);
  for (uint32_t i = 0; i < 8; i++) ids[i] = make_id(100 + i);
  for (int i = 0; i < 6; i++) {
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &ids[i], &a, 0), 0);
    CU_ASSERT_EQUAL(a.ipv4[3], i + 1);
  }
  /* uses at 1 s: id0 forward, id1 by its address; id2 is now the oldest */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[0], NULL, 1 * S_NS), 0);
  uint8_t addr1[4] = {192, 168, 5, 2};
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, addr1, &got, 1 * S_NS), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[6], &a, 11 * S_NS), 0);
  ipv4_text(&a, text);
  CU_ASSERT_STRING_EQUAL(text, "192.168.5.3");
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 6);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, a.ipv4, &got, 11 * S_NS), 0);
  CU_ASSERT(same_id(&got, &ids[6]));
  CU_ASSERT_EQUAL(mcc_resolver_lookup_mac(&r, a.mac, &got, 11 * S_NS), 0);
  CU_ASSERT(same_id(&got, &ids[6]));
  /* id2 comes back on the next oldest slot: id3's */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[2], &a, 11 * S_NS), 0);
  CU_ASSERT_EQUAL(a.ipv4[3], 4);
  /* the broadcast 192.168.5.7 was never used */
  for (int i = 0; i < 8; i++) {
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[i], &a,
                                           (100 + 20 * (uint64_t)i) * S_NS),
                    0);
    CU_ASSERT(a.ipv4[3] >= 1 && a.ipv4[3] <= 6);
  }
  mcc_resolver_clear(&r);
}

static void test_resolve_pin(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  mcc_id self = make_id(1), got;
  init_net(&r, "10.0.0.0/30", NULL); /* 2 slots, held 600 s */
  CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &self, &a, NOW0), 0);
  CU_ASSERT_EQUAL(a.ipv4[3], 1);
  /* an hour apart, each new id takes the slot that is not pinned */
  for (uint32_t i = 2; i < 10; i++) {
    mcc_id id = make_id(i);
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, i * 3600 * S_NS), 0);
    CU_ASSERT_EQUAL(a.ipv4[3], 2);
  }
  uint8_t one[4] = {10, 0, 0, 1};
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, one, &got, 9 * 3600 * S_NS), 0);
  CU_ASSERT(same_id(&got, &self));
  mcc_id last = make_id(9);
  CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &last, NULL, 9 * 3600 * S_NS), 0);
  mcc_id more = make_id(50);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &more, &a, 99 * 3600 * S_NS),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 2);
  mcc_resolver_clear(&r);
}

/* Static addresses (a tunnel endpoint's static-addr): the id's IPv4 form is
 * the static address in every answer, the address finds the id, the slot
 * is kept (pinned) for IPv6 and MAC while the static lasts and goes back to
 * the LRU list after; a second id cannot take a held address; addresses
 * inside the network, 0.0.0.0, loopback, multicast and broadcast are
 * refused. Then random set/unset/lookups against a plain model. */
static void test_resolve_static(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  mcc_id cam = make_id(7), other = make_id(8), got;
  char text[MCC_RESOLVE_TEXT_MAX];
  init_hold(&r, "10.0.0.0/30", 0, 0); /* 2 slots, reusable at once */
  uint8_t st[4] = {10, 115, 0, 7};
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, st, &got, 0), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &cam, st, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &cam, &a, 0), 0);
  ipv4_text(&a, text);
  CU_ASSERT_STRING_EQUAL(text, "10.115.0.7");
  CU_ASSERT_EQUAL(a.ipv6[15], 1); /* the slot's IPv6 address stays */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, st, &got, 0), 0);
  CU_ASSERT(same_id(&got, &cam));
  char idtext[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&cam, idtext);
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, idtext, MCC_RESOLVE_IPV4, text,
                                   sizeof text, 0),
                  0);
  CU_ASSERT_STRING_EQUAL(text, "10.115.0.7");
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, "10.115.0.7", MCC_RESOLVE_NODE_ID,
                                   text, sizeof text, 0),
                  0);
  CU_ASSERT_STRING_EQUAL(text, idtext);
  /* held: another id cannot take it, and nothing moves */
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &other, st, 0),
                  MCC_ERR_CONFLICT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, st, &got, 0), 0);
  CU_ASSERT(same_id(&got, &cam));
  /* pinned: an hour later two new ids share the one other slot */
  for (uint32_t i = 20; i < 23; i++) {
    mcc_id id = make_id(i);
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, i * 3600 * S_NS), 0);
    CU_ASSERT_EQUAL(a.ipv4[3], 2);
  }
  /* refused addresses */
  static const uint8_t bad[][4] = {
      {10, 0, 0, 2}, {0, 0, 0, 0}, {127, 0, 0, 1}, {224, 0, 0, 1},
      {255, 255, 255, 255}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &other, bad[i], 0),
                    MCC_ERR_VALUE);
  /* moved, then taken away: the slot address again, the slot reusable */
  uint8_t st2[4] = {10, 115, 0, 8};
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &cam, st2, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, st, &got, 0), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &other, st, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &other, NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_set_static(&r, &cam, NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, st2, &got, 0), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &cam, &a, 0), 0);
  CU_ASSERT_EQUAL(a.ipv4[0], 10);
  CU_ASSERT_EQUAL(a.ipv4[1], 0);
  mcc_id late = make_id(99);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &late, &a, 100 * 3600 * S_NS),
                  0);
  mcc_resolver_clear(&r);

  /* random operations against a model: id i holds model[i] (0 = none) */
  enum { IDS = 12, ADDRS = 6, STEPS = 4000 };
  uint32_t model[IDS] = {0};
  uint32_t seed = 12345;
  init_hold(&r, "10.83.0.0/16", 0, 0);
  for (int step = 0; step < STEPS; step++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t i = (seed >> 8) % IDS, pick = (seed >> 20) % (ADDRS + 1);
    mcc_id id = make_id(i);
    uint8_t addr[4] = {10, 115, 1, (uint8_t)pick};
    int holder = -1;
    for (int j = 0; j < IDS; j++)
      if (pick && model[j] == pick) holder = j;
    int rv = mcc_resolver_set_static(&r, &id, pick ? addr : NULL, 0);
    if (pick && holder >= 0 && holder != (int)i) {
      CU_ASSERT_EQUAL(rv, MCC_ERR_CONFLICT);
    } else {
      CU_ASSERT_EQUAL(rv, 0);
      model[i] = pick;
    }
    for (uint32_t k = 1; k <= ADDRS; k++) {
      uint8_t q[4] = {10, 115, 1, (uint8_t)k};
      int want = -1;
      for (int j = 0; j < IDS; j++)
        if (model[j] == k) want = j;
      rv = mcc_resolver_lookup_ipv4(&r, q, &got, 0);
      mcc_id w = make_id((uint32_t)want);
      CU_ASSERT(want < 0 ? rv == MCC_ERR_VALUE
                         : rv == 0 && same_id(&got, &w));
    }
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, 0), 0);
    CU_ASSERT(model[i] ? a.ipv4[1] == 115 && a.ipv4[3] == model[i]
                       : a.ipv4[1] == 83);
  }
  mcc_resolver_clear(&r);
}

/* The issue-11 attack on a small pool: every address handed out (forward,
 * reverse, `mcc resolve`) stays with its id for ttl + quarantine (5 + 60 s)
 * after its last use; a new id meanwhile gets MCC_ERR_LIMIT ("no
 * address") and nothing moves; after the hold, the least recently used
 * slot goes first. Today's code gave the 7th id the first id's address
 * at once. */
static void test_resolve_quarantine(void) {
  enum { HOLD = 65 };
  mcc_resolver r;
  mcc_resolve_addrs a, before[6];
  mcc_id ids[12], got;
  char out[MCC_RESOLVE_TEXT_MAX], text[MCC_ID_TEXT_LEN + 1];
  init_hold(&r, "192.168.5.0/29", 5, 60);
  for (uint32_t i = 0; i < 12; i++) ids[i] = make_id(200 + i);
  for (int i = 0; i < 6; i++)
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_lookup_id(&r, &ids[i], &before[i], 0),
                          0);
  /* at 30 s: id0 used by its address (the data plane), id1 by `mcc
   * resolve` */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, before[0].ipv4, &got, 30 * S_NS),
                  0);
  mcc_id_to_text(&ids[1], text);
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, text, MCC_RESOLVE_IPV4, out, sizeof out, 30 * S_NS),
      0);
  /* until 65 s after 0, and a moment more (seconds are whole), no slot is
   * free: every way of asking for a new id gets "no address" */
  uint64_t busy[] = {0, 1 * S_NS, 64 * S_NS, HOLD * S_NS, 66 * S_NS - 1};
  for (size_t t = 0; t < sizeof busy / sizeof busy[0]; t++) {
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[6], &a, busy[t]),
                    MCC_ERR_LIMIT);
    CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &ids[6], &a, busy[t]),
                    MCC_ERR_LIMIT);
    CU_ASSERT_EQUAL(mcc_resolver_pin(&r, &ids[6], &a, busy[t]), MCC_ERR_LIMIT);
    mcc_id_to_text(&ids[6], text);
    CU_ASSERT_EQUAL(
        mcc_resolve_text(&r, text, MCC_RESOLVE_IPV4, out, sizeof out, busy[t]),
        MCC_ERR_LIMIT);
  }
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 6);
  for (int i = 0; i < 6; i++) { /* nothing moved */
    CU_ASSERT_EQUAL(
        mcc_resolver_lookup_ipv4(&r, before[i].ipv4, &got, 66 * S_NS - 1), 0);
    CU_ASSERT(same_id(&got, &ids[i]));
  }
  /* the lookups just now were uses: hold again from 65 s */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[6], &a, 131 * S_NS - 1),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[6], &a, 131 * S_NS), 0);
  CU_ASSERT_EQUAL(memcmp(&a, &before[0], sizeof a), 0); /* least recent */
  mcc_resolver_clear(&r);

  /* the same with a use in between: id0 used at 40 s keeps its slot when
   * the others' hold ends at 66 s */
  init_hold(&r, "192.168.5.0/29", 5, 60);
  for (int i = 0; i < 6; i++)
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[i], NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &ids[0], NULL, 40 * S_NS), 0);
  for (int i = 6; i < 11; i++) { /* ids 1-5's slots, in order */
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[i], &a, 66 * S_NS), 0);
    CU_ASSERT_EQUAL(memcmp(&a, &before[i - 5], sizeof a), 0);
  }
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[11], &a, 66 * S_NS),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, before[0].ipv4, &got, 66 * S_NS),
                  0);
  CU_ASSERT(same_id(&got, &ids[0]));
  mcc_resolver_clear(&r);

  /* ttl and quarantine 0: the old behaviour, reuse at once */
  init_hold(&r, "192.168.5.0/29", 0, 0);
  for (int i = 0; i < 7; i++)
    CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[i], &a, 0), 0);
  CU_ASSERT_EQUAL(memcmp(&a, &before[0], sizeof a), 0);
  mcc_resolver_clear(&r);
}

/* Queries may create new_per_s new mappings a second, new_burst at once;
 * ids that hold a slot and the data plane's own lookups are not capped. */
static void test_resolve_new_cap(void) {
  mcc_resolver r;
  mcc_resolver_settings s;
  mcc_resolve_addrs a;
  char text[MCC_ID_TEXT_LEN + 1], out[MCC_RESOLVE_TEXT_MAX];
  mcc_resolver_settings_default(&s);
  s.new_per_s = 10; /* one per 100 ms */
  s.new_burst = 5;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  uint64_t t0 = 1000 * S_NS;
  for (uint32_t n = 0; n < 5; n++) {
    mcc_id id = make_id(n);
    CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &id, NULL, t0), 0);
  }
  mcc_id sixth = make_id(5), seventh = make_id(6), old = make_id(0);
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &sixth, &a, t0), MCC_ERR_LIMIT);
  mcc_id_to_text(&sixth, text);
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, text, MCC_RESOLVE_IPV6, out, sizeof out, t0),
      MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 5);
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &old, &a, t0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &sixth, &a, t0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 6);
  /* the bucket refills one per 100 ms */
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &seventh, &a, t0 + 99999999),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &seventh, &a, t0 + S_NS / 10), 0);
  mcc_id eighth = make_id(7);
  CU_ASSERT_EQUAL(mcc_resolver_query_id(&r, &eighth, &a, t0 + S_NS / 10),
                  MCC_ERR_LIMIT);
  /* a long pause: the full burst again, and no more */
  int made = 0;
  for (uint32_t n = 100; n < 120; n++) {
    mcc_id id = make_id(n);
    made += mcc_resolver_query_id(&r, &id, NULL, t0 + 60 * S_NS) == 0;
  }
  CU_ASSERT_EQUAL(made, 5);
  /* one second of a flood of new names: the burst and 10 more */
  made = 0;
  for (uint32_t n = 0; n < 2000; n++) {
    mcc_id id = make_id(1000 + n);
    made += mcc_resolver_query_id(&r, &id, NULL,
                                  t0 + 120 * S_NS + n * (S_NS / 2000)) == 0;
  }
  CU_ASSERT(made >= 14 && made <= 15);
  mcc_resolver_clear(&r);

  /* rate 0: no cap */
  s.new_per_s = 0;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  made = 0;
  for (uint32_t n = 0; n < 3000; n++) {
    mcc_id id = make_id(n);
    made += mcc_resolver_query_id(&r, &id, NULL, 0) == 0;
  }
  CU_ASSERT_EQUAL(made, 3000);
  mcc_resolver_clear(&r);
}

/* The time settings' ranges. */
static void test_resolve_settings_times(void) {
  mcc_resolver r;
  mcc_resolver_settings s;
  static const struct {
    uint32_t ttl, quarantine, per_s, burst;
    int rv;
  } cases[] = {
      {0, 0, 0, 0, 0},
      {2147483647u, 7 * 24 * 3600, 1000000000u, 1, 0},
      {2147483648u, 0, 0, 0, MCC_ERR_VALUE},
      {0, 7 * 24 * 3600 + 1, 0, 0, MCC_ERR_VALUE},
      {0, 0, 1000000001u, 1, MCC_ERR_VALUE},
      {0, 0, 1, 0, MCC_ERR_VALUE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_resolver_settings_default(&s);
    s.ttl_s = cases[i].ttl;
    s.quarantine_s = cases[i].quarantine;
    s.new_per_s = cases[i].per_s;
    s.new_burst = cases[i].burst;
    CU_ASSERT_EQUAL(mcc_resolver_init(&r, &s), cases[i].rv);
    mcc_resolver_clear(&r);
  }
  /* the longest hold: held for 2^31 - 1 s + 7 d, not a second less */
  mcc_resolver_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_resolver_settings_from_text(&s, "10.0.0.0/30", NULL, NULL,
                                                  NULL, NULL),
                  0);
  s.ttl_s = 2147483647u;
  s.quarantine_s = 7 * 24 * 3600;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  mcc_id ids[3] = {make_id(1), make_id(2), make_id(3)};
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[0], NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[1], NULL, 0), 0);
  uint64_t hold = 2147483647ull + 7 * 24 * 3600;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[2], NULL, hold * S_NS),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[2], NULL, (hold + 1) * S_NS),
                  0);
  /* the clock saturates at 2^32 - 1 s (136 years) and still moves on */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &ids[0], NULL, UINT64_MAX), 0);
  mcc_resolver_clear(&r);
}

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Random forward and reverse lookups on a /28 (14 slots) over 40 ids, the
 * clock moving 0-1 s at a time and slots held ttl 2 + quarantine 5 s,
 * against a naive model: a list of slots with the order and the second of
 * their last use. And the property itself: an address only ever goes to
 * another id when its last use is more than 7 s old. */
static void test_resolve_lru_reference(void) {
  enum { CAP = 14, IDS = 40, OPS = 20000, HOLD = 7 };
  mcc_resolver r;
  init_hold(&r, "10.9.0.16/28", 2, 5);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_capacity(&r), CAP);
  uint32_t owner[CAP]; /* id number per slot */
  uint64_t last[CAP], tick = 0, seed = 0x9e3779b97f4a7c15ull, now = 0;
  uint64_t used_ns[CAP]; /* the true time of the last use, for the property */
  uint32_t last_s[CAP];
  int used = 0, mismatches = 0, early = 0, refused = 0, reused = 0;
  for (int op = 0; op < OPS; op++) {
    uint64_t x = xorshift(&seed);
    now += (x >> 40) % (S_NS / 1000) * 1000; /* 0-1 s, 1 us steps */
    uint32_t now_s = (uint32_t)(now / S_NS);
    if (x % 4 != 0) { /* forward */
      uint32_t n = (uint32_t)(x >> 8) % IDS;
      int k = -1, want_rv = 0;
      for (int i = 0; i < used; i++)
        if (owner[i] == n) k = i;
      if (k < 0 && used < CAP) {
        k = used++;
      } else if (k < 0) {
        k = 0;
        for (int i = 1; i < CAP; i++)
          if (last[i] < last[k]) k = i;
        if (now_s > last_s[k] + HOLD) {
          reused++;
          if (now - used_ns[k] <= (uint64_t)HOLD * S_NS) early++;
        } else {
          want_rv = MCC_ERR_LIMIT;
          refused++;
          k = -1;
        }
      }
      if (k >= 0) {
        owner[k] = n;
        last[k] = ++tick;
        last_s[k] = now_s;
        used_ns[k] = now;
      }
      mcc_id id = make_id(n);
      mcc_resolve_addrs a;
      int rv = mcc_resolver_lookup_id(&r, &id, &a, now);
      if (rv != want_rv || (rv == 0 && a.ipv4[3] != 17 + k)) mismatches++;
    } else { /* reverse, anywhere in the /28 */
      uint8_t addr[4] = {10, 9, 0, (uint8_t)(16 + (x >> 8) % 16)};
      int k = addr[3] - 17;
      mcc_id got;
      int rv = mcc_resolver_lookup_ipv4(&r, addr, &got, now);
      if (k >= 0 && k < used) {
        last[k] = ++tick;
        last_s[k] = now_s;
        used_ns[k] = now;
        mcc_id want = make_id(owner[k]);
        if (rv != 0 || !same_id(&got, &want)) mismatches++;
      } else if (rv != MCC_ERR_NO_ROUTE) {
        mismatches++;
      }
    }
  }
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT_EQUAL(early, 0);
  CU_ASSERT(reused > 100 && refused > 100); /* both sides were tried */
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), CAP);
  mcc_resolver_clear(&r);
}

static void test_resolve_names_of_ids(void) {
  mcc_resolver r;
  mcc_keypair kp;
  mcc_id got;
  char id[MCC_ID_TEXT_LEN + 1], name[300];
  test_keys(&kp, 3);
  mcc_id_to_text(&kp.pub, id);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_id_name(&r, &kp.pub, name, sizeof name), 0);
  CU_ASSERT_EQUAL(strlen(name), 52 + 10);
  CU_ASSERT_EQUAL(strncmp(name, id, 52), 0);
  CU_ASSERT_STRING_EQUAL(name + 52, ".home.arpa");
  CU_ASSERT_EQUAL(mcc_resolver_id_name(&r, &kp.pub, name, 62),
                  MCC_ERR_INVALID_ARGUMENT);
  const char *forms[] = {"%s.home.arpa", "%s.home.arpa.", "%s.HOME.Arpa", "%s",
                         "%s."};
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    snprintf(name, sizeof name, forms[i], id);
    memset(&got, 0, sizeof got);
    CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, name, strlen(name), &got), 0);
    CU_ASSERT(same_id(&got, &kp.pub));
  }
  for (char *p = name; *p; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, name, strlen(name), &got), 0);
  CU_ASSERT(same_id(&got, &kp.pub));
  snprintf(name, sizeof name, "%s.other.arpa", id);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, name, strlen(name), &got),
                  MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, "home.arpa", 9, &got),
                  MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, "a..b", 4, &got), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0); /* names never allocate */
  mcc_resolver_clear(&r);
}

static void test_resolve_dns_names(void) {
  mcc_resolver r;
  mcc_id a = make_id(1), b = make_id(2), got;
#define LOOKUP(n) mcc_resolver_lookup_name(&r, (n), strlen(n), &got)
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  mcc_resolver_settings_from_text(&s, NULL, NULL, NULL, ".staex", NULL);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, &s), 0);
  const char *list = " node1.staex , CAM,cam., light1 ";
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, list, strlen(list)), 0);
  const char *hits[] = {"cam",          "cam.staex",   "CAM.Staex.",
                        "light1.staex", "node1.staex", "node1.staex.staex",
                        "light1"};
  for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
    memset(&got, 0, sizeof got);
    CU_ASSERT_EQUAL(LOOKUP(hits[i]), 0);
    CU_ASSERT(same_id(&got, &a));
  }
  CU_ASSERT_EQUAL(LOOKUP("cam.home.arpa"), MCC_ERR_NO_ROUTE);
  /* replace: only the new names stay */
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "cam,door", 8), 0);
  CU_ASSERT_EQUAL(LOOKUP("light1"), MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(LOOKUP("door.staex"), 0);
  /* a bad list changes nothing */
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "x,,y", 4), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "ok,b_d", 6), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(LOOKUP("door"), 0);
  CU_ASSERT_EQUAL(LOOKUP("ok"), MCC_ERR_NO_ROUTE);
  /* collision: the last set wins, and b keeps it when a drops it */
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &b, "cam", 3), 0);
  CU_ASSERT_EQUAL(LOOKUP("cam"), 0);
  CU_ASSERT(same_id(&got, &b));
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "door", 4), 0);
  CU_ASSERT_EQUAL(LOOKUP("cam"), 0);
  CU_ASSERT(same_id(&got, &b));
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "cam,door", 8), 0);
  CU_ASSERT_EQUAL(LOOKUP("cam"), 0);
  CU_ASSERT(same_id(&got, &a));
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, "door", 4), 0);
  CU_ASSERT_EQUAL(LOOKUP("cam"), MCC_ERR_NO_ROUTE); /* b does not get it back */
  /* clearing */
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, NULL, 0), 0);
  CU_ASSERT_EQUAL(LOOKUP("door"), MCC_ERR_NO_ROUTE);
  char big[MCC_RESOLVE_NAMES_MAX + 2];
  memset(big, 'a', sizeof big);
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &a, big, sizeof big),
                  MCC_ERR_LIMIT);
  /* many ids with names: the tables grow and stay consistent */
  for (uint32_t i = 10; i < 2010; i++) {
    char n[32];
    mcc_id id = make_id(i);
    int len = snprintf(n, sizeof n, "host%u,alias%u", i, i);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_set_names(&r, &id, n, (size_t)len), 0);
  }
  for (uint32_t i = 10; i < 2010; i += 7) {
    char n[32];
    mcc_id id = make_id(i);
    snprintf(n, sizeof n, "alias%u.staex", i);
    CU_ASSERT_EQUAL(LOOKUP(n), 0);
    CU_ASSERT(same_id(&got, &id));
  }
  CU_ASSERT(mcc_resolver_memory(&r) > 2000 * 10);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0);
#undef LOOKUP
  mcc_resolver_clear(&r);
}

static void test_resolve_ptr_round_trip(void) {
  char name[MCC_RESOLVE_PTR_MAX];
  uint8_t v4[4] = {10, 83, 0, 1}, v6[16] = {0x02}, back[16];
  int family = 0;
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(4, v4, name, sizeof name), 0);
  CU_ASSERT_STRING_EQUAL(name, "1.0.83.10.in-addr.arpa");
  CU_ASSERT_EQUAL(mcc_resolve_ptr_parse(name, strlen(name), &family, back), 0);
  CU_ASSERT_EQUAL(family, 4);
  CU_ASSERT_EQUAL(memcmp(back, v4, 4), 0);
  CU_ASSERT_EQUAL(
      mcc_resolve_ptr_parse("1.0.83.10.IN-ADDR.ARPA.", 23, &family, back), 0);
  v6[14] = 0xab;
  v6[15] = 0x01;
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(6, v6, name, sizeof name), 0);
  CU_ASSERT_STRING_EQUAL(
      name, "1.0.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0."
            "ip6.arpa");
  CU_ASSERT_EQUAL(strlen(name) + 1, 73);
  memset(back, 0, sizeof back);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_parse(name, strlen(name), &family, back), 0);
  CU_ASSERT_EQUAL(family, 6);
  CU_ASSERT_EQUAL(memcmp(back, v6, 16), 0);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(6, v6, name, 72),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(5, v6, name, sizeof name),
                  MCC_ERR_INVALID_ARGUMENT);
  /* the DNS server's PTR answer: address -> id -> name */
  mcc_resolver r;
  mcc_id id = make_id(42), got;
  mcc_resolve_addrs a;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_name(6, a.ipv6, name, sizeof name), 0);
  CU_ASSERT_EQUAL(mcc_resolve_ptr_parse(name, strlen(name), &family, back), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv6(&r, back, &got, NOW0), 0);
  CU_ASSERT(same_id(&got, &id));
  mcc_resolver_clear(&r);
}

static void test_resolve_text_formats(void) {
  mcc_resolver r;
  mcc_keypair kp;
  char id[MCC_ID_TEXT_LEN + 1], out[MCC_RESOLVE_TEXT_MAX], in[128];
  enum mcc_resolve_format f;
  test_keys(&kp, 9);
  mcc_id_to_text(&kp.pub, id);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, id, MCC_RESOLVE_IPV4, out, sizeof out, NOW0), 0);
  CU_ASSERT_STRING_EQUAL(out, "10.83.0.1");
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, id, MCC_RESOLVE_IPV6, out, sizeof out, NOW0), 0);
  CU_ASSERT_STRING_EQUAL(out, "200::1");
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, id, MCC_RESOLVE_MAC6, out, sizeof out, NOW0), 0);
  CU_ASSERT_STRING_EQUAL(out, "ae:00:00:00:00:01");
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 1);
  const char *inputs[] = {
      "10.83.0.1", "200::1",        "0200:0::0001", "AE:00:00:00:00:01",
      "%s",        "%s.home.arpa.", "cam",          "cam.HOME.arpa"};
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &kp.pub, "cam", 3), 0);
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    snprintf(in, sizeof in, inputs[i], id);
    memset(out, 0, sizeof out);
    CU_ASSERT_EQUAL(
        mcc_resolve_text(&r, in, MCC_RESOLVE_NODE_ID, out, sizeof out, NOW0),
        0);
    CU_ASSERT_STRING_EQUAL(out, id);
    CU_ASSERT_EQUAL(mcc_resolve_text(&r, in, MCC_RESOLVE_IPV4, out, 16, NOW0),
                    0);
    CU_ASSERT_STRING_EQUAL(out, "10.83.0.1");
  }
  CU_ASSERT_EQUAL(mcc_resolve_format_from_text("ipv4", &f), 0);
  CU_ASSERT_EQUAL(f, MCC_RESOLVE_IPV4);
  CU_ASSERT_EQUAL(mcc_resolve_format_from_text("ipv6", &f), 0);
  CU_ASSERT_EQUAL(f, MCC_RESOLVE_IPV6);
  CU_ASSERT_EQUAL(mcc_resolve_format_from_text("mac6", &f), 0);
  CU_ASSERT_EQUAL(f, MCC_RESOLVE_MAC6);
  CU_ASSERT_EQUAL(mcc_resolve_format_from_text("node-id", &f), 0);
  CU_ASSERT_EQUAL(f, MCC_RESOLVE_NODE_ID);
  CU_ASSERT_EQUAL(mcc_resolve_format_from_text("IPv4", &f), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 1);
  mcc_resolver_clear(&r);
}

static void test_resolve_text_errors(void) {
  mcc_resolver r;
  char id[MCC_ID_TEXT_LEN + 1], out[MCC_RESOLVE_TEXT_MAX];
  mcc_id known = make_id(5);
  mcc_id_to_text(&known, id);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  static const struct {
    const char *in;
    int rv;
  } cases[] = {
      {"10.83.0.1", MCC_ERR_NO_ROUTE},     /* unassigned */
      {"10.83.255.255", MCC_ERR_NO_ROUTE}, /* broadcast */
      {"ae:00:00:00:00:09", MCC_ERR_NO_ROUTE},
      {"200::9", MCC_ERR_NO_ROUTE},
      {"unknown.home.arpa", MCC_ERR_NO_ROUTE},
      {"nobody", MCC_ERR_NO_ROUTE},
      {"192.168.1.1", MCC_ERR_VALUE}, /* outside */
      {"fd00::1", MCC_ERR_VALUE},
      {"aa:00:00:00:00:01", MCC_ERR_VALUE},
      {"10.83.0.300", MCC_ERR_VALUE},
      {"10.83", MCC_ERR_VALUE},
      {"200::1::", MCC_ERR_VALUE},
      {"", MCC_ERR_VALUE},
      {"a b", MCC_ERR_VALUE},
      {"-t", MCC_ERR_NO_ROUTE},
      {"3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7xi", MCC_ERR_ID_CHAR},
      {"3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7x1",
       MCC_ERR_ID_PADDING},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int rv = mcc_resolve_text(&r, cases[i].in, MCC_RESOLVE_NODE_ID, out,
                              sizeof out, NOW0);
    if (rv != cases[i].rv)
      fprintf(stderr, "\n  \"%s\": %d, want %d\n", cases[i].in, rv,
              cases[i].rv);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
  }
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0);
  /* buffers too small and bad formats change nothing */
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, id, MCC_RESOLVE_IPV6, out, 45, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, id, MCC_RESOLVE_NODE_ID, out, 52, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, id, (enum mcc_resolve_format)0, out,
                                   sizeof out, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(
      mcc_resolve_text(&r, NULL, MCC_RESOLVE_IPV4, out, sizeof out, NOW0),
      MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0);
  CU_ASSERT_EQUAL(mcc_resolve_text(&r, id, MCC_RESOLVE_MAC6, out, 18, NOW0), 0);
  CU_ASSERT_STRING_EQUAL(out, "ae:00:00:00:00:01");
  mcc_resolver_clear(&r);
}

/* Two resolvers, the same calls, the same answers, even with different hash
 * keys (which only move buckets). */
static void test_resolve_determinism(void) {
  mcc_resolver r[2];
  mcc_resolver_settings s;
  uint64_t seed[2] = {12345, 12345};
  int differ = 0;
  for (int j = 0; j < 2; j++) {
    mcc_resolver_settings_default(&s);
    mcc_resolver_settings_from_text(&s, "10.1.0.0/24", NULL, NULL, NULL, NULL);
    memset(s.hash_key, j ? 0xee : 0, sizeof s.hash_key);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r[j], &s), 0);
  }
  for (int op = 0; op < 5000; op++) {
    mcc_resolve_addrs a[2];
    mcc_id got[2];
    int rv[2];
    for (int j = 0; j < 2; j++) {
      uint64_t x = xorshift(&seed[j]);
      mcc_id id = make_id((uint32_t)(x % 600));
      if (x & 1) {
        rv[j] = mcc_resolver_lookup_id(&r[j], &id, &a[j], NOW0);
        memset(&got[j], 0, sizeof got[j]);
      } else {
        uint8_t addr[4] = {10, 1, 0, (uint8_t)(x >> 16)};
        rv[j] = mcc_resolver_lookup_ipv4(&r[j], addr, &got[j], NOW0);
        memset(&a[j], 0, sizeof a[j]);
      }
    }
    if (rv[0] != rv[1] || memcmp(&a[0], &a[1], sizeof a[0]) ||
        !same_id(&got[0], &got[1]))
      differ++;
  }
  CU_ASSERT_EQUAL(differ, 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r[0]), 254);
  mcc_resolver_clear(&r[0]);
  mcc_resolver_clear(&r[1]);
}

/* The default /16 holds 65534 ids in a few megabytes; the 65535th gets no
 * address while every one was used within the 600 s quarantine, and then
 * the slot of the least recently used one. */
static void test_resolve_full_network(void) {
  mcc_resolver r;
  mcc_resolve_addrs a;
  mcc_id got;
  int bad = 0;
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  for (uint32_t n = 0; n < 65534; n++) {
    mcc_id id = make_id(n);
    if (mcc_resolver_lookup_id(&r, &id, &a, NOW0) != 0 ||
        (uint32_t)(a.ipv4[2] << 8 | a.ipv4[3]) != n + 1)
      bad++;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 65534);
  size_t mem = mcc_resolver_memory(&r);
  CU_ASSERT(mem >= 65534 * 40 && mem <= 5u << 20);
  for (uint32_t n = 0; n < 65534; n += 97) {
    uint8_t addr[4] = {10, 83, (uint8_t)((n + 1) >> 8), (uint8_t)(n + 1)};
    mcc_id want = make_id(n);
    if (mcc_resolver_lookup_ipv4(&r, addr, &got, NOW0) != 0 ||
        !same_id(&got, &want))
      bad++;
  }
  CU_ASSERT_EQUAL(bad, 0);
  mcc_id fresh = make_id(1u << 31), first = make_id(1), zero = make_id(0);
  uint8_t two[4] = {10, 83, 0, 2}, one[4] = {10, 83, 0, 1};
  uint64_t later = 601 * S_NS;
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &fresh, &a, 600 * S_NS),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, two, &got, NOW0), 0);
  CU_ASSERT(same_id(&got, &first)); /* a lookup at 0 again: time stays */
  /* 0 was used again above (n = 0), and 1 just now, so the oldest is 2 */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &fresh, &a, later), 0);
  CU_ASSERT_EQUAL(a.ipv4[2], 0);
  CU_ASSERT_EQUAL(a.ipv4[3], 3);
  uint8_t three[4] = {10, 83, 0, 3};
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, three, &got, later), 0);
  CU_ASSERT(same_id(&got, &fresh));
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, one, &got, later), 0);
  CU_ASSERT(same_id(&got, &zero));
  mcc_id second = make_id(2);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &second, &a, later), 0);
  CU_ASSERT_EQUAL(a.ipv4[3], 4); /* id 3's slot, the oldest now */
  CU_ASSERT_EQUAL(mcc_resolver_memory(&r), mem);
  mcc_resolver_clear(&r);
  CU_ASSERT_EQUAL(mcc_resolver_memory(&r), 0);
}

static void test_resolve_invalid_arguments(void) {
  mcc_resolver r;
  mcc_id id = make_id(1);
  mcc_resolve_addrs a;
  mcc_resolver_settings s;
  uint8_t addr[16] = {10, 83, 0, 1};
  CU_ASSERT_EQUAL(mcc_resolver_init(NULL, NULL), MCC_ERR_INVALID_ARGUMENT);
  mcc_resolver_settings_default(&s);
  s.ipv4_prefix_len = 31;
  CU_ASSERT_EQUAL(mcc_resolver_init(&r, &s), MCC_ERR_VALUE);
  mcc_resolver_settings_default(&s);
  s.ipv4_network[3] = 1; /* host bits */
  CU_ASSERT_EQUAL(mcc_resolver_init(&r, &s), MCC_ERR_VALUE);
  mcc_resolver_settings_default(&s);
  strcpy(s.domain, "bad domain");
  CU_ASSERT_EQUAL(mcc_resolver_init(&r, &s), MCC_ERR_VALUE);
  mcc_resolver_clear(NULL);
  CU_ASSERT_EQUAL(
      mcc_resolver_settings_from_text(NULL, NULL, NULL, NULL, NULL, NULL),
      MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL_FATAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, NULL, &a, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, addr, NULL, NOW0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_set_names(&r, &id, NULL, 3),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(&r, NULL, 0, &id),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_resolver_used(NULL), 0);
  /* clear then init again works */
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(&r, &id, &a, NOW0), 0);
  mcc_resolver_clear(&r);
  CU_ASSERT_EQUAL(mcc_resolver_used(&r), 0);
  CU_ASSERT_EQUAL(mcc_resolver_init(&r, NULL), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(&r, addr, &id, NOW0),
                  MCC_ERR_NO_ROUTE);
  mcc_resolver_clear(&r);
}

void suite_resolve(void) {
  CU_pSuite s = CU_add_suite("resolve", NULL, NULL);
  ADD_TEST(s, test_resolve_settings_default);
  ADD_TEST(s, test_resolve_settings_from_text);
  ADD_TEST(s, test_resolve_malformed_text);
  ADD_TEST(s, test_resolve_first_addresses);
  ADD_TEST(s, test_resolve_same_id_same_slot);
  ADD_TEST(s, test_resolve_slot_layout);
  ADD_TEST(s, test_resolve_reverse);
  ADD_TEST(s, test_resolve_lru_reuse);
  ADD_TEST(s, test_resolve_pin);
  ADD_TEST(s, test_resolve_static);
  ADD_TEST(s, test_resolve_lru_reference);
  ADD_TEST(s, test_resolve_quarantine);
  ADD_TEST(s, test_resolve_new_cap);
  ADD_TEST(s, test_resolve_settings_times);
  ADD_TEST(s, test_resolve_names_of_ids);
  ADD_TEST(s, test_resolve_dns_names);
  ADD_TEST(s, test_resolve_ptr_round_trip);
  ADD_TEST(s, test_resolve_text_formats);
  ADD_TEST(s, test_resolve_text_errors);
  ADD_TEST(s, test_resolve_determinism);
  ADD_TEST(s, test_resolve_full_network);
  ADD_TEST(s, test_resolve_invalid_arguments);
}
