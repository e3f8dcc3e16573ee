/*
 * test_tunnel_conf.c — the targets syntax and the tunnel file
 * (tunnel_conf.c): table tests of good and bad targets with the exact
 * message for each, match semantics against a naive per-port reference on
 * random targets, the format/parse round trip, good server and client
 * files, and every refusal of a file with its exact "file:line" message.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mcc/tunnel.h>

#include "suites.h"
#include "testutil.h"

/* Two valid ids (the last character carries 4 zero padding bits). */
#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0"

#define TARGETS_EXAMPLE \
  "protocol:port or protocol:low-high such as tcp:80 or udp:8000-8080"

/* Prints the case on a mismatch, so that a failed table row is named. */
static void expect_text(const char *what, const char *got, const char *want) {
  if (strcmp(got, want) != 0)
    printf("\n  %s:\n    got  '%s'\n    want '%s'\n", what, got, want);
  CU_ASSERT_STRING_EQUAL(got, want);
}

/* ---- targets ------------------------------------------------------------ */

static void test_tunnel_conf_targets_good(void) {
  static const struct {
    const char *text, *formatted;
    size_t n;
  } cases[] = {
      {"tcp:80", "tcp:80", 1},
      {" tcp:80 , udp:2222 ,tcp:8000-8080 ", "tcp:80,udp:2222,tcp:8000-8080",
       3},
      {"\ttcp:80\t", "tcp:80", 1},
      {"TCP:1,Udp:65535", "tcp:1,udp:65535", 2},
      {"tcp:1-65535", "tcp:1-65535", 1},
      {"tcp:80-80", "tcp:80", 1},
      {"tcp:0080", "tcp:80", 1},
      {"tcp:53,udp:53", "tcp:53,udp:53", 2},             /* two protocols */
      {"tcp:80-89,tcp:90-99", "tcp:80-89,tcp:90-99", 2}, /* adjacent */
      {"udp:9,udp:1-8", "udp:9,udp:1-8", 2},             /* order kept */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS];
    size_t n = 99;
    char err[256], text[MCC_TUNNEL_TARGETS_TEXT_MAX];
    int rv = mcc_targets_parse(cases[i].text, strlen(cases[i].text), t,
                               MCC_TUNNEL_MAX_TARGETS, &n, err, sizeof err);
    expect_text(cases[i].text, err, "");
    CU_ASSERT_EQUAL(rv, 0);
    CU_ASSERT_EQUAL(n, cases[i].n);
    CU_ASSERT_EQUAL(mcc_targets_format(t, n, text, sizeof text), 0);
    expect_text(cases[i].text, text, cases[i].formatted);
  }
  /* The fields of one. */
  mcc_tunnel_target t[2];
  size_t n;
  CU_ASSERT_EQUAL(mcc_targets_parse("udp:8000-8080", 13, t, 2, &n, NULL, 0), 0);
  CU_ASSERT_EQUAL(t[0].proto, MCC_PROTO_UDP);
  CU_ASSERT_EQUAL(t[0].port_lo, 8000);
  CU_ASSERT_EQUAL(t[0].port_hi, 8080);
  /* Not NUL-terminated: len is the end. */
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:80,garbage", 6, t, 2, &n, NULL, 0), 0);
  CU_ASSERT_EQUAL(n, 1);
}

/* A list of n items "tcp:1,tcp:2,...". */
static void many(char *out, size_t outlen, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++)
    used += (size_t)snprintf(out + used, outlen - used, "%stcp:%zu",
                             i ? "," : "", i + 1);
}

static void test_tunnel_conf_targets_bad(void) {
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "no targets: expected " TARGETS_EXAMPLE},
      {"  \t", "no targets: expected " TARGETS_EXAMPLE},
      {"tcp:0", "item 1 'tcp:0': port 0 is out of range 1-65535"},
      {"tcp:65536", "item 1 'tcp:65536': port 65536 is out of range 1-65535"},
      {"udp:1-65536",
       "item 1 'udp:1-65536': port 65536 is out of range 1-65535"},
      {"tcp:0-80", "item 1 'tcp:0-80': port 0 is out of range 1-65535"},
      {"tcp:99999999999999999999999",
       "item 1 'tcp:99999999999999999999999': port 99999999999999999999999 "
       "is out of range 1-65535"},
      {"tcp:80,,udp:1", "item 2 is empty"},
      {"tcp:80,", "item 2 is empty"},
      {",tcp:80", "item 1 is empty"},
      {"icmp:1", "item 1 'icmp:1': unknown protocol 'icmp' (tcp or udp)"},
      {":80", "item 1 ':80': unknown protocol '' (tcp or udp)"},
      {"tcp", "item 1 'tcp': expected " TARGETS_EXAMPLE},
      {"80", "item 1 '80': expected " TARGETS_EXAMPLE},
      {"tcp:", "item 1 'tcp:': port '' is not a number"},
      {"tcp: 80", "item 1 'tcp: 80': port ' 80' is not a number"},
      {"tcp :80", "item 1 'tcp :80': unknown protocol 'tcp ' (tcp or udp)"},
      {"tcp:80 udp:81",
       "item 1 'tcp:80 udp:81': port '80 udp:81' is not a "
       "number"},
      {"tcp:+80", "item 1 'tcp:+80': port '+80' is not a number"},
      {"tcp:-80", "item 1 'tcp:-80': port '' is not a number"},
      {"tcp:80-", "item 1 'tcp:80-': port '' is not a number"},
      {"tcp:1-2-3", "item 1 'tcp:1-2-3': port '2-3' is not a number"},
      {"tcp:90-80",
       "item 1 'tcp:90-80': range 90-80 has its low end above its high end"},
      {"tcp:80,tcp:80",
       "item 2 'tcp:80' covers ports of item 1 'tcp:80' again"},
      {"tcp:1-1000,udp:80,tcp:80",
       "item 3 'tcp:80' covers ports of item 1 'tcp:1-1000' again"},
      {"tcp:80-90,tcp:90-99",
       "item 2 'tcp:90-99' covers ports of item 1 'tcp:80-90' again"},
      {"tcp:8\x01", "item 1 'tcp:8?': port '8?' is not a number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS];
    size_t n = 99;
    char err[256];
    int rv = mcc_targets_parse(cases[i].text, strlen(cases[i].text), t,
                               MCC_TUNNEL_MAX_TARGETS, &n, err, sizeof err);
    CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
    CU_ASSERT_EQUAL(n, 0);
    expect_text(cases[i].text, err, cases[i].err);
  }
  /* MCC_TUNNEL_MAX_TARGETS (16) items are fine, 17 are not; max lowers
   * the limit. */
  char text[512], err[256];
  mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS + 1];
  size_t n;
  many(text, sizeof text, MCC_TUNNEL_MAX_TARGETS);
  CU_ASSERT_EQUAL(mcc_targets_parse(text, strlen(text), t,
                                    MCC_TUNNEL_MAX_TARGETS, &n, err,
                                    sizeof err),
                  0);
  CU_ASSERT_EQUAL(n, MCC_TUNNEL_MAX_TARGETS);
  many(text, sizeof text, MCC_TUNNEL_MAX_TARGETS + 1);
  CU_ASSERT_EQUAL(mcc_targets_parse(text, strlen(text), t,
                                    MCC_TUNNEL_MAX_TARGETS + 1, &n, err,
                                    sizeof err),
                  MCC_ERR_VALUE);
  expect_text("17 items", err, "17 items, at most 16");
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:1,tcp:2,tcp:3", 17, t, 2, &n, err,
                                    sizeof err),
                  MCC_ERR_VALUE);
  expect_text("max 2", err, "3 items, at most 2");
  /* Arguments. */
  CU_ASSERT_EQUAL(mcc_targets_parse(NULL, 1, t, 2, &n, NULL, 0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:1", 5, NULL, 2, &n, NULL, 0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:1", 5, t, 2, NULL, NULL, 0),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:1", 5, t, 2, &n, NULL, 5),
                  MCC_ERR_INVALID_ARGUMENT);
  /* A tiny err buffer is cut, never overrun. */
  char small[8];
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:0", 5, t, 2, &n, small, sizeof small),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(small, "item 1 ");
}

static void test_tunnel_conf_targets_match(void) {
  mcc_tunnel_target t[4];
  size_t n;
  const char *text = "tcp:80,udp:2222,tcp:8000-8080";
  CU_ASSERT_EQUAL_FATAL(
      mcc_targets_parse(text, strlen(text), t, 4, &n, NULL, 0), 0);
  static const struct {
    uint8_t proto;
    uint16_t port;
    int want;
  } cases[] = {
      {MCC_PROTO_TCP, 80, 1},   {MCC_PROTO_UDP, 80, 0},
      {MCC_PROTO_TCP, 79, 0},   {MCC_PROTO_TCP, 81, 0},
      {MCC_PROTO_TCP, 8000, 1}, {MCC_PROTO_TCP, 8080, 1},
      {MCC_PROTO_TCP, 8040, 1}, {MCC_PROTO_TCP, 7999, 0},
      {MCC_PROTO_TCP, 8081, 0}, {MCC_PROTO_UDP, 2222, 1},
      {MCC_PROTO_TCP, 2222, 0}, {1 /* ICMP */, 80, 0},
      {MCC_PROTO_TCP, 0, 0},    {MCC_PROTO_UDP, 65535, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CU_ASSERT_EQUAL(mcc_targets_match(t, n, cases[i].proto, cases[i].port),
                    cases[i].want);
  CU_ASSERT_EQUAL(mcc_targets_match(t, 0, MCC_PROTO_TCP, 80), 0);
  CU_ASSERT_EQUAL(mcc_targets_match(NULL, 3, MCC_PROTO_TCP, 80), 0);
  CU_ASSERT_EQUAL(mcc_targets_parse("tcp:1-65535", 11, t, 4, &n, NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_targets_match(t, n, MCC_PROTO_TCP, 65535), 1);
  CU_ASSERT_EQUAL(mcc_targets_match(t, n, MCC_PROTO_TCP, 1), 1);
  CU_ASSERT_EQUAL(mcc_targets_match(t, n, MCC_PROTO_TCP, 0), 0);
}

static int same_target(const mcc_tunnel_target *a, const mcc_tunnel_target *b) {
  return a->proto == b->proto && a->port_lo == b->port_lo &&
         a->port_hi == b->port_hi;
}

/* Random target lists as text; the parser's answer against a per-port
 * reference of what the text says, and the round trip through format. */
static void test_tunnel_conf_targets_random(void) {
  static uint8_t covered[2][65536];
  srand(20250612);
  unsigned mismatches = 0, parsed = 0;
  for (int round = 0; round < 300; round++) {
    char text[1024];
    size_t used = 0, items = 1 + (size_t)(rand() % 6);
    memset(covered, 0, sizeof covered);
    int overlapping = 0;
    for (size_t i = 0; i < items; i++) {
      int udp = rand() % 2;
      unsigned lo = 1 + (unsigned)(rand() % 400), hi = lo;
      if (rand() % 2) hi = lo + (unsigned)(rand() % 50);
      for (unsigned p = lo; p <= hi; p++) {
        overlapping |= covered[udp][p];
        covered[udp][p] = 1;
      }
      used += (size_t)snprintf(text + used, sizeof text - used, "%s%s:%u-%u",
                               i ? " , " : "", udp ? "udp" : "tcp", lo, hi);
    }
    mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS], back[MCC_TUNNEL_MAX_TARGETS];
    size_t n, nback;
    char err[256], formatted[MCC_TUNNEL_TARGETS_TEXT_MAX];
    int rv = mcc_targets_parse(text, used, t, MCC_TUNNEL_MAX_TARGETS, &n, err,
                               sizeof err);
    if (overlapping) {
      CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
      CU_ASSERT_PTR_NOT_NULL(strstr(err, "again"));
      continue;
    }
    CU_ASSERT_EQUAL_FATAL(rv, 0);
    parsed++;
    for (unsigned p = 0; p < 500; p++) {
      if (mcc_targets_match(t, n, MCC_PROTO_TCP, (uint16_t)p) != covered[0][p])
        mismatches++;
      if (mcc_targets_match(t, n, MCC_PROTO_UDP, (uint16_t)p) != covered[1][p])
        mismatches++;
    }
    CU_ASSERT_EQUAL(mcc_targets_format(t, n, formatted, sizeof formatted), 0);
    CU_ASSERT_EQUAL(
        mcc_targets_parse(formatted, strlen(formatted), back,
                          MCC_TUNNEL_MAX_TARGETS, &nback, err, sizeof err),
        0);
    CU_ASSERT_EQUAL(nback, n);
    for (size_t i = 0; i < n && i < nback; i++)
      CU_ASSERT(same_target(&back[i], &t[i]));
  }
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT(parsed > 50); /* the seed gives both kinds of list */
}

static void test_tunnel_conf_targets_format(void) {
  mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS];
  char out[MCC_TUNNEL_TARGETS_TEXT_MAX];
  for (size_t i = 0; i < MCC_TUNNEL_MAX_TARGETS; i++)
    t[i] = (mcc_tunnel_target){MCC_PROTO_UDP, 65534, 65535};
  /* The longest text fits MCC_TUNNEL_TARGETS_TEXT_MAX exactly. */
  CU_ASSERT_EQUAL(
      mcc_targets_format(t, MCC_TUNNEL_MAX_TARGETS, out, sizeof out), 0);
  CU_ASSERT_EQUAL(strlen(out), MCC_TUNNEL_TARGETS_TEXT_MAX - 1);
  CU_ASSERT_EQUAL(
      mcc_targets_format(t, MCC_TUNNEL_MAX_TARGETS, out, sizeof out - 1),
      MCC_ERR_LIMIT);
  CU_ASSERT_STRING_EQUAL(out, "");
  CU_ASSERT_EQUAL(mcc_targets_format(t, 0, out, sizeof out), 0);
  CU_ASSERT_STRING_EQUAL(out, "");
  static const mcc_tunnel_target bad[] = {
      {1, 80, 80}, {MCC_PROTO_TCP, 0, 80}, {MCC_PROTO_TCP, 81, 80}};
  for (size_t i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL(mcc_targets_format(&bad[i], 1, out, sizeof out),
                    MCC_ERR_INVALID_ARGUMENT);
    CU_ASSERT_STRING_EQUAL(out, "");
  }
  CU_ASSERT_EQUAL(mcc_targets_format(t, 1, NULL, 10), MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_targets_format(t, 1, out, 0), MCC_ERR_INVALID_ARGUMENT);
}

/* ---- the file ------------------------------------------------------------ */

#define SERVER_BASE         \
  "role = server\n"         \
  "remote-node = " ID_A     \
  "\n"                      \
  "peer-endpoint = " ID_B   \
  "\n"                      \
  "targets = tcp:80\n"      \
  "certificate = cam.crt\n" \
  "private-key = cam.key\n"

#define CLIENT_BASE         \
  "role = client\n"         \
  "remote-node = " ID_A     \
  "\n"                      \
  "peer-endpoint = " ID_B   \
  "\n"                      \
  "targets = tcp:80\n"      \
  "certificate = cam.crt\n" \
  "private-key = cam.key\n"

static int parse(const char *name, const char *text, mcc_tunnel_conf *c,
                 char *err, size_t errlen) {
  return mcc_tunnel_conf_parse(name, text, strlen(text), c, err, errlen);
}

static void test_tunnel_conf_file_server(void) {
  mcc_tunnel_conf c;
  char err[512];
  mcc_id a, b;
  CU_ASSERT_EQUAL_FATAL(mcc_id_from_text(&a, ID_A, 52), 0);
  CU_ASSERT_EQUAL_FATAL(mcc_id_from_text(&b, ID_B, 52), 0);
  const char *text =
      "# a camera on the server's LAN\r\n"
      "\r\n"
      "role = server   # this node offers\r\n"
      "  remote-node=" ID_A
      "\r\n"
      "peer-endpoint = " ID_B
      "\r\n"
      "targets = tcp:80, udp:2222 ,tcp:8000-8080\r\n"
      "certificate = cam.crt\r\n"
      "private-key = /secret/cam.key\r\n"
      "external-ip-address = 192.168.1.20\r\n"
      "dns-names =  cam , Light1.example \r\n"
      "static-addr = 10.115.0.7/16\r\n";
  int rv = parse("/etc/mcc/tunnels/cam.conf", text, &c, err, sizeof err);
  expect_text("server file", err, "");
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  CU_ASSERT_EQUAL(c.role, MCC_TUNNEL_SERVER);
  CU_ASSERT_EQUAL(memcmp(&c.remote_node, &a, sizeof a), 0);
  CU_ASSERT_EQUAL(memcmp(&c.peer_endpoint, &b, sizeof b), 0);
  CU_ASSERT_EQUAL(c.ntargets, 3);
  CU_ASSERT_EQUAL(c.targets[2].port_hi, 8080);
  CU_ASSERT_STRING_EQUAL(c.certificate, "/etc/mcc/tunnels/cam.crt");
  CU_ASSERT_STRING_EQUAL(c.private_key, "/secret/cam.key");
  CU_ASSERT_EQUAL(c.external_ip, 0xc0a80114u);
  CU_ASSERT_STRING_EQUAL(c.dns_names, "cam,Light1.example");
  CU_ASSERT_EQUAL(c.static_addr, 0x0a730007u);

  /* The optional keys at their defaults. */
  CU_ASSERT_EQUAL_FATAL(parse("cam.conf", SERVER_BASE, &c, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(c.certificate, "cam.crt");
  CU_ASSERT_STRING_EQUAL(c.private_key, "cam.key");
  CU_ASSERT_EQUAL(c.external_ip, 0);
  CU_ASSERT_STRING_EQUAL(c.dns_names, "");
  CU_ASSERT_EQUAL(c.static_addr, 0);
  /* No name: messages say tunnel.conf, paths stay as written. */
  CU_ASSERT_EQUAL(parse(NULL, SERVER_BASE, &c, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(c.certificate, "cam.crt");
  CU_ASSERT_EQUAL(parse(NULL, "x\n", &c, err, sizeof err), MCC_ERR_SYNTAX);
  expect_text("no name", err, "tunnel.conf:1: expected 'key = value', got 'x'");
  CU_ASSERT_EQUAL(parse("./t/a.conf", SERVER_BASE, &c, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(c.certificate, "./t/cam.crt");
}

static void test_tunnel_conf_file_client(void) {
  mcc_tunnel_conf c;
  char err[512];
  CU_ASSERT_EQUAL(parse("c.conf", CLIENT_BASE, &c, err, sizeof err), 0);
  expect_text("client file", err, "");
  CU_ASSERT_EQUAL(c.role, MCC_TUNNEL_CLIENT);
  CU_ASSERT_EQUAL(c.ntargets, 1);
  /* No newline at the end, keys in any order. */
  const char *text =
      "targets=udp:53\nprivate-key=k\ncertificate=c\n"
      "peer-endpoint=" ID_A "\nremote-node=" ID_B "\nrole=client";
  CU_ASSERT_EQUAL(parse("c.conf", text, &c, err, sizeof err), 0);
  expect_text("client any order", err, "");
  CU_ASSERT_EQUAL(c.targets[0].proto, MCC_PROTO_UDP);
  /* The server endpoint's names and static address, used on the client. */
  CU_ASSERT_EQUAL(parse("c.conf",
                        CLIENT_BASE "dns-names = cam\nstatic-addr = 10.115.0.9\n",
                        &c, err, sizeof err),
                  0);
  expect_text("client names", err, "");
  CU_ASSERT_STRING_EQUAL(c.dns_names, "cam");
  CU_ASSERT_EQUAL(c.static_addr, 0x0a730009u);
}

static void test_tunnel_conf_values(void) {
  static const struct {
    const char *line;
    uint32_t external, static_addr;
  } cases[] = {
      {"external-ip-address = 0.0.0.0", 0, 0},
      {"external-ip-address =", 0, 0},
      {"external-ip-address = 10.0.0.1", 0x0a000001u, 0},
      {"external-ip-address = 10.255.255.255", 0x0affffffu, 0},
      {"external-ip-address = 172.16.0.1", 0xac100001u, 0},
      {"external-ip-address = 172.31.255.254", 0xac1ffffeu, 0},
      {"external-ip-address = 192.168.0.1", 0xc0a80001u, 0},
      {"static-addr = 10.115.0.0/16", 0, 0},
      {"static-addr = 10.115.0.0", 0, 0},
      {"static-addr =", 0, 0},
      {"static-addr = 10.115.1.0/24", 0, 0},
      {"static-addr = 10.115.0.7", 0, 0x0a730007u},
      {"static-addr = 10.115.0.7/16", 0, 0x0a730007u},
      {"static-addr = 10.115.255.254/16", 0, 0x0a73fffeu},
      {"static-addr = 10.115.1.0/31", 0, 0x0a730100u},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[1024], err[512];
    mcc_tunnel_conf c;
    snprintf(text, sizeof text, SERVER_BASE "%s\n", cases[i].line);
    int rv = parse("t.conf", text, &c, err, sizeof err);
    expect_text(cases[i].line, err, "");
    CU_ASSERT_EQUAL(rv, 0);
    CU_ASSERT_EQUAL(c.external_ip, cases[i].external);
    CU_ASSERT_EQUAL(c.static_addr, cases[i].static_addr);
  }
}

#define RFC1918                                                    \
  "is not a private address: only RFC 1918 networks (10.0.0.0/8, " \
  "172.16.0.0/12, 192.168.0.0/16) are allowed, or 0.0.0.0 for none"
#define NOT_IPV4                                                          \
  "expected an IPv4 address such as 192.168.1.20 (or 0.0.0.0 for none), " \
  "got "
#define NOT_STATIC                                           \
  "expected an address in 10.115.0.0/16 such as 10.115.0.7 " \
  "(10.115.0.0/16 means none), got "
#define NOT_ID                                                          \
  "expected a node id of 52 characters of 0-9 a-z without i, l, o, u, " \
  "got "
#define KEYS_HAD                                                  \
  "a tunnel file has role, remote-node, peer-endpoint, targets, " \
  "certificate, private-key, external-ip-address, dns-names, static-addr"
#define KEYS_NEEDED                                                 \
  "a tunnel file needs role, remote-node, peer-endpoint, targets, " \
  "certificate, private-key"

static void test_tunnel_conf_file_errors(void) {
  static const struct {
    const char *text;
    int rv;
    const char *err;
  } cases[] = {
      /* lines */
      {SERVER_BASE "bogus\n", MCC_ERR_SYNTAX,
       "t.conf:7: expected 'key = value', got 'bogus'"},
      {SERVER_BASE "= x\n", MCC_ERR_SYNTAX,
       "t.conf:7: expected 'key = value', got no key before '='"},
      {SERVER_BASE "ro le = x\n", MCC_ERR_SYNTAX,
       "t.conf:7: malformed key 'ro le': keys are letters, digits, '-', "
       "'.', '_'"},
      {"\n\n\x01\x02\n", MCC_ERR_SYNTAX,
       "t.conf:3: expected 'key = value', got '?\?'"},
      /* keys */
      {SERVER_BASE "target = tcp:80\n", MCC_ERR_SYNTAX,
       "t.conf:7: unknown key 'target' (did you mean 'targets'?); " KEYS_HAD},
      {SERVER_BASE "listen-addr = 1.2.3.4:5\n", MCC_ERR_SYNTAX,
       "t.conf:7: unknown key 'listen-addr'; " KEYS_HAD},
      {SERVER_BASE "Role = server\n", MCC_ERR_SYNTAX,
       "t.conf:7: unknown key 'Role' (did you mean 'role'?); " KEYS_HAD},
      {SERVER_BASE "\nrole = client\n", MCC_ERR_SYNTAX,
       "t.conf:8: role: given twice, first at t.conf:1; a key may appear "
       "once"},
      {SERVER_BASE "dns-names = a\ndns-names = a\n", MCC_ERR_SYNTAX,
       "t.conf:8: dns-names: given twice, first at t.conf:7; a key may "
       "appear once"},
      {"", MCC_ERR_SYNTAX, "t.conf: missing key 'role'; " KEYS_NEEDED},
      {"# only a comment\n", MCC_ERR_SYNTAX,
       "t.conf: missing key 'role'; " KEYS_NEEDED},
      {"role = server\nremote-node = " ID_A "\npeer-endpoint = " ID_B
       "\ncertificate = c\nprivate-key = k\n",
       MCC_ERR_SYNTAX, "t.conf: missing key 'targets'; " KEYS_NEEDED},
      {"role = server\nremote-node = " ID_A "\npeer-endpoint = " ID_B
       "\ntargets = tcp:1\nprivate-key = k\n",
       MCC_ERR_SYNTAX, "t.conf: missing key 'certificate'; " KEYS_NEEDED},
      /* server-only keys in a client's file */
      {CLIENT_BASE "external-ip-address = 192.168.1.2\n", MCC_ERR_SYNTAX,
       "t.conf:7: external-ip-address: only the server's tunnel file may "
       "set it, and t.conf:1 says role = client"},
      {CLIENT_BASE "external-ip-address = 0.0.0.0\n", MCC_ERR_SYNTAX,
       "t.conf:7: external-ip-address: only the server's tunnel file may "
       "set it, and t.conf:1 says role = client"},
      /* values */
      {"role = Server\n", MCC_ERR_VALUE,
       "t.conf:1: role: expected server or client, got 'Server'"},
      {"role =\n", MCC_ERR_VALUE,
       "t.conf:1: role: expected server or client, got ''"},
      {"remote-node = abc\n", MCC_ERR_VALUE,
       "t.conf:1: remote-node: " NOT_ID "'abc' (node id must be 52 "
       "characters)"},
      {"peer-endpoint = iaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0\n",
       MCC_ERR_VALUE,
       "t.conf:1: peer-endpoint: " NOT_ID "'iaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
       "aaaaaaaaaaaaa...' (node id has a character outside "
       "0123456789abcdefghjkmnpqrstvwxyz)"},
      {"role = server\nremote-node = " ID_A "\npeer-endpoint = " ID_A
       "\ntargets = tcp:1\ncertificate = c\nprivate-key = k\n",
       MCC_ERR_VALUE,
       "t.conf:3: peer-endpoint: the same key as remote-node (t.conf:2); "
       "each end of a tunnel has its own key pair"},
      {"targets = tcp:0\n", MCC_ERR_VALUE,
       "t.conf:1: targets: item 1 'tcp:0': port 0 is out of range 1-65535"},
      {"targets = tcp:65536\n", MCC_ERR_VALUE,
       "t.conf:1: targets: item 1 'tcp:65536': port 65536 is out of range "
       "1-65535"},
      {"targets =\n", MCC_ERR_VALUE,
       "t.conf:1: targets: no targets: expected " TARGETS_EXAMPLE},
      {"targets = tcp:80 # web\ntargets = x\n", MCC_ERR_SYNTAX,
       "t.conf:2: targets: given twice, first at t.conf:1; a key may appear "
       "once"},
      {"certificate =\n", MCC_ERR_VALUE,
       "t.conf:1: certificate: expected a file path, got an empty value"},
      {"private-key = a\x01"
       "b\n",
       MCC_ERR_VALUE, "t.conf:1: private-key: control character at column 2"},
      {"external-ip-address = 8.8.8.8\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 8.8.8.8 " RFC1918},
      {"external-ip-address = 172.32.0.1\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 172.32.0.1 " RFC1918},
      {"external-ip-address = 172.15.255.255\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 172.15.255.255 " RFC1918},
      {"external-ip-address = 192.169.0.1\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 192.169.0.1 " RFC1918},
      {"external-ip-address = 127.0.0.1\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 127.0.0.1 " RFC1918},
      {"external-ip-address = 255.255.255.255\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: 255.255.255.255 " RFC1918},
      {"external-ip-address = 192.168.1\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: " NOT_IPV4 "'192.168.1'"},
      {"external-ip-address = 192.168.1.20:80\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: " NOT_IPV4 "'192.168.1.20:80'"},
      {"external-ip-address = 192.168.1.0/24\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: " NOT_IPV4 "'192.168.1.0/24'"},
      {"external-ip-address = fd00::1\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: " NOT_IPV4 "'fd00::1'"},
      {"external-ip-address = camera.lan\n", MCC_ERR_VALUE,
       "t.conf:1: external-ip-address: " NOT_IPV4 "'camera.lan'"},
      {"dns-names = a..b\n", MCC_ERR_VALUE,
       "t.conf:1: dns-names: item 1 'a..b' is not a DNS name (labels of "
       "letters, digits and '-', 1-63 characters each)"},
      {"dns-names = cam,,x\n", MCC_ERR_VALUE,
       "t.conf:1: dns-names: item 2 is empty"},
      {"dns-names = cam,under_score\n", MCC_ERR_VALUE,
       "t.conf:1: dns-names: item 2 'under_score' is not a DNS name (labels "
       "of letters, digits and '-', 1-63 characters each)"},
      {"static-addr = 10.116.0.1\n", MCC_ERR_VALUE,
       "t.conf:1: static-addr: " NOT_STATIC "'10.116.0.1'"},
      {"static-addr = 192.168.1.5/24\n", MCC_ERR_VALUE,
       "t.conf:1: static-addr: " NOT_STATIC "'192.168.1.5/24'"},
      {"static-addr = 10.115.0.1/33\n", MCC_ERR_VALUE,
       "t.conf:1: static-addr: " NOT_STATIC "'10.115.0.1/33'"},
      {"static-addr = 10.115.0.1/\n", MCC_ERR_VALUE,
       "t.conf:1: static-addr: " NOT_STATIC "'10.115.0.1/'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_tunnel_conf c;
    char err[512];
    memset(&c, 0xa5, sizeof c);
    int rv = parse("t.conf", cases[i].text, &c, err, sizeof err);
    char what[64];
    snprintf(what, sizeof what, "case %zu", i);
    expect_text(what, err, cases[i].err);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
    CU_ASSERT_EQUAL(c.role, 0); /* zeroed on error */
    CU_ASSERT_EQUAL(c.ntargets, 0);
  }
}

static void test_tunnel_conf_file_limits(void) {
  mcc_tunnel_conf c;
  char text[4096], err[512], want[512];
  /* A path that fits once joined with the directory, and one that does
   * not. */
  char path[1100];
  memset(path, 'p', sizeof path);
  path[1020] = '\0';
  snprintf(text, sizeof text,
           "role = server\nremote-node = " ID_A "\npeer-endpoint = " ID_B
           "\ntargets = tcp:1\nprivate-key = k\ncertificate = %s\n",
           path);
  CU_ASSERT_EQUAL(parse("d/t.conf", text, &c, err, sizeof err), 0);
  CU_ASSERT_EQUAL(strlen(c.certificate), 1022);
  CU_ASSERT_EQUAL(parse("dir/t.conf", text, &c, err, sizeof err),
                  MCC_ERR_VALUE);
  expect_text("long path", err,
              "dir/t.conf:6: certificate: a path of 1024 bytes is too long "
              "(at most 1023)");
  /* dns-names: 200 bytes in the record at most (each name + 2). */
  char names[300];
  size_t used = 0;
  for (int i = 0; i < 20; i++) /* 20 x (8 + 2) = 200 */
    used += (size_t)snprintf(names + used, sizeof names - used, "%sname%04d",
                             i ? "," : "", i);
  snprintf(text, sizeof text, SERVER_BASE "dns-names = %s\n", names);
  CU_ASSERT_EQUAL(parse("t.conf", text, &c, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(c.dns_names, names);
  snprintf(text, sizeof text, SERVER_BASE "dns-names = %s,x\n", names);
  CU_ASSERT_EQUAL(parse("t.conf", text, &c, err, sizeof err), MCC_ERR_VALUE);
  snprintf(want, sizeof want,
           "t.conf:7: dns-names: too long: at most %d bytes in the "
           "endpoint's record, each name taking its length + 2",
           MCC_MAX_EXTRA_LEN);
  expect_text("long names", err, want);
  /* Arguments; a small err buffer is cut, not overrun. */
  CU_ASSERT_EQUAL(mcc_tunnel_conf_parse("t", NULL, 1, &c, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_tunnel_conf_parse("t", "", 0, NULL, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_tunnel_conf_parse("t", "", 0, &c, NULL, 4),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_tunnel_conf_parse("t", "x", 1, &c, NULL, 0),
                  MCC_ERR_SYNTAX);
  char small[6];
  CU_ASSERT_EQUAL(
      mcc_tunnel_conf_parse("t.conf", "x", 1, &c, small, sizeof small),
      MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(small, "t.con");
  CU_ASSERT_EQUAL(
      mcc_tunnel_conf_parse("t.conf", "", 0, &c, small, sizeof small),
      MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(small, "t.con");
}

void suite_tunnel_conf(void) {
  CU_pSuite s = CU_add_suite("tunnel_conf", NULL, NULL);
  ADD_TEST(s, test_tunnel_conf_targets_good);
  ADD_TEST(s, test_tunnel_conf_targets_bad);
  ADD_TEST(s, test_tunnel_conf_targets_match);
  ADD_TEST(s, test_tunnel_conf_targets_random);
  ADD_TEST(s, test_tunnel_conf_targets_format);
  ADD_TEST(s, test_tunnel_conf_file_server);
  ADD_TEST(s, test_tunnel_conf_file_client);
  ADD_TEST(s, test_tunnel_conf_values);
  ADD_TEST(s, test_tunnel_conf_file_errors);
  ADD_TEST(s, test_tunnel_conf_file_limits);
}
