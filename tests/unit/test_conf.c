/*
 * test_conf.c — mcc.conf: the documented defaults, the line syntax, every
 * value type with table tests of its edge cases, the wording of messages
 * (file:line, key, valid range, what was found), mcc_conf_set, the
 * settings the core takes, and `mccd -C` output read back unchanged.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include <mcc/conf.h>

#include "suites.h"
#include "testutil.h"

/* Collects diagnostics, one a line, for assertions on their text. */
typedef struct {
  char text[8192];
  size_t len;
  int errors, warnings;
} diag_log;

static void record(void *user_data, int is_error, const char *msg) {
  diag_log *d = user_data;
  if (is_error) d->errors++;
  else d->warnings++;
  int n = snprintf(d->text + d->len, sizeof d->text - d->len, "%s\n", msg);
  if (n > 0) d->len += (size_t)n;
  if (d->len >= sizeof d->text) d->len = sizeof d->text - 1;
}

/* Parses text into a fresh conf; the caller frees it. */
static mcc_conf *parse(const char *text, diag_log *d, int *prv) {
  mcc_conf *conf = NULL;
  memset(d, 0, sizeof *d);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&conf), 0);
  *prv = mcc_conf_parse(conf, "test.conf", text, strlen(text), record, d);
  return conf;
}

static int has(const diag_log *d, const char *s) {
  return strstr(d->text, s) != NULL;
}

/* One key = value, expecting acceptance or an error; the message of an
 * error is left in d. */
static int try_value(const char *key, const char *value, diag_log *d) {
  char text[512];
  int rv;
  snprintf(text, sizeof text, "%s = %s\n", key, value);
  mcc_conf_free(parse(text, d, &rv));
  return rv;
}

static void test_conf_defaults(void) {
  mcc_conf *c = NULL;
  uint64_t v;
  int b;
  size_t idx;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "30s");
  CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, "keep-alive-period", &v), 0);
  CU_ASSERT_EQUAL(v, 30000);
  CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, "rejoin-period", &v), 0);
  CU_ASSERT_EQUAL(v, 60000);
  CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, "cert-update-period", &v), 0);
  CU_ASSERT_EQUAL(v, 3 * 3600000);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "listen-addr"), "0.0.0.0:9376");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "tun-device-name"), "mcc0");
  CU_ASSERT_EQUAL(mcc_conf_get_uint(c, "tun-device-mtu", &v), 0);
  CU_ASSERT_EQUAL(v, 1280);
  CU_ASSERT_EQUAL(mcc_conf_get_uint(c, "network-lookup-ttl", &v), 0);
  CU_ASSERT_EQUAL(v, 64);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "resolver.ipv4-network"),
                         "10.83.0.0/16");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "resolver.ipv6-network"), "200::/7");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "resolver.mac-address-mask"),
                         "AE:00:00:00:00:00");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "resolver.domain"), ".home.arpa");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "dns-addr"), "127.0.0.1:8353");
  /* Not the manual's /tmp/.mcc-socket: anyone can take a path in /tmp. */
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "unix-socket-path"),
                         "/run/mcc/mcc.sock");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "static-addr"), "10.115.0.0/16");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "cert-update-addr"),
                         "cas.staex.io:8081");
  CU_ASSERT_EQUAL(mcc_conf_get_bool(c, "unix-enable", &b), 0);
  CU_ASSERT_EQUAL(b, 1);
  CU_ASSERT_EQUAL(mcc_conf_get_bool(c, "exit-node", &b), 0);
  CU_ASSERT_EQUAL(b, 0);
  CU_ASSERT_EQUAL(mcc_conf_get_enum(c, "log-level", &idx), 0);
  CU_ASSERT_EQUAL(idx, 3); /* info */
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "compression"), "none");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "parents"), "");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "tags"), "");
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "parents"), 0);
  /* No default: typed getters say "not set". */
  CU_ASSERT_EQUAL(mcc_conf_get_bool(c, "dnsmasq-enable", &b), MCC_ERR_VALUE);
  CU_ASSERT_PTR_NULL(mcc_conf_get(c, "no-such-key"));
  CU_ASSERT_EQUAL(mcc_conf_get_uint(c, "keep-alive-period", &v),
                  MCC_ERR_INVALID_ARGUMENT);
  mcc_conf_free(c);
}

static void test_conf_key_table(void) {
  static const char *const manual[] = {
      "listen-addr", "parents", "parents-resolve-period",
      "resolver.ipv4-network", "resolver.ipv6-network",
      "resolver.mac-address-mask", "resolver.domain", "resolver.ttl",
      "unix-socket-path", "unix-enable", "keep-alive-period",
      "topology-update-period", "rejoin-period", "log-level", "log-file",
      "data-dir", "tun-device-name", "tun-device-mtu", "firewall-chain-name",
      "dns-addr", "dns-enable", "node-certificate", "node-private-key",
      "network-certificates", "compression", "cert-update-addr",
      "cert-update-enable", "cert-update-period", "dns-names", "tunnels", "tunnels-only",
      "dependent-nodes", "static-addr", "network-lookup-ttl",
      "network-lookup-timeout", "forwarding-rules",
      "forwarding-rules-commit-timeout", "dnsmasq-enable",
      "dnsmasq-directory", "dnsmasq-restart-command", "exit-node", "gateway",
      "gateway-post-add-hook", "gateway-post-delete-hook", "kill-switch",
      "nat-table-expiry", "reroute-dns", "reroute-ntp", "trusted-nodes",
      "trusted-networks", "ssl-install", "ssl-manage-script",
      "ssl-certificates", "ssl-storage-timeout",
      "ssl-storage-cleanup-period", "ssl-certificates-ttl",
      "ssl-update-batch-size", "ssl-update-send-period", "tags",
      "resolver.quarantine"};
  size_t n = sizeof manual / sizeof manual[0];
  CU_ASSERT_EQUAL(mcc_conf_key_count(), n);
  for (size_t i = 0; i < n; i++) {
    const mcc_conf_key *k = mcc_conf_key_find(manual[i]);
    CU_ASSERT_PTR_NOT_NULL(k);
    if (k) CU_ASSERT_PTR_EQUAL(mcc_conf_key_at(i), k); /* manual order */
  }
  CU_ASSERT_PTR_NULL(mcc_conf_key_at(mcc_conf_key_count()));
  char desc[160];
  CU_ASSERT_STRING_EQUAL(
      mcc_conf_key_describe(mcc_conf_key_find("network-lookup-ttl"), desc,
                            sizeof desc),
      "an integer in range 1-255");
  CU_ASSERT_STRING_EQUAL(
      mcc_conf_key_describe(mcc_conf_key_find("compression"), desc, 12),
      "one of none");
  CU_ASSERT_PTR_NULL(mcc_conf_key_find(NULL));
  /* Every default passes its own key's checks, and every key has help. */
  mcc_conf *c = NULL;
  char err[256];
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  for (size_t i = 0; i < mcc_conf_key_count(); i++) {
    const mcc_conf_key *k = mcc_conf_key_at(i);
    CU_ASSERT_EQUAL(mcc_conf_set(c, k->name, k->default_value, err,
                                 sizeof err), 0);
    CU_ASSERT(k->help && strlen(k->help) > 10);
    if (k->type == MCC_CONF_DURATION || k->type == MCC_CONF_UINT)
      CU_ASSERT(k->min <= k->max && k->max > 0);
  }
  mcc_conf_free(c);
}

static void test_conf_comments_blank_crlf(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("# a comment\r\n"
                      "\r\n"
                      "   # indented comment\n"
                      "\t\n"
                      "  keep-alive-period   =  10s  \r\n"
                      "tun-device-name=tun7 # trailing comment\r\n"
                      "log-file = /var/log/a#b\n"
                      "dns-names =\n"
                      "log-level = debug",
                      &d, &rv);
  CU_ASSERT_EQUAL(rv, 0);
  CU_ASSERT_EQUAL(d.errors + d.warnings, 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "10s");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "tun-device-name"), "tun7");
  /* '#' not after white space is part of the value. */
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "log-file"), "/var/log/a#b");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "dns-names"), "");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "log-level"), "debug");
  mcc_conf_free(c);
}

/* Which of two values was meant is anyone's guess: an error naming both
 * lines, the first value kept, the rest of the file still read. */
static void test_conf_duplicate_key(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("rejoin-period = 5m\n"
                      "# a comment\n"
                      "log-level = debug\n"
                      "  rejoin-period=7m  # again\n"
                      "ssl-update-batch-size = 20\n"
                      "rejoin-period = 9m\n",
                      &d, &rv);
  uint64_t ms;
  CU_ASSERT_EQUAL(rv, MCC_ERR_SYNTAX);
  CU_ASSERT_EQUAL(d.errors, 2);
  CU_ASSERT(has(&d, "test.conf:4: rejoin-period: given twice, first at "
                    "test.conf:1"));
  CU_ASSERT(has(&d, "test.conf:6: rejoin-period: given twice, first at "
                    "test.conf:1"));
  CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, "rejoin-period", &ms), 0);
  CU_ASSERT_EQUAL(ms, 5 * 60000);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "ssl-update-batch-size"), "20");
  mcc_conf_free(c);

  /* A first line with a bad value still counts as given; a repeated list
   * key too; unknown keys only warn, however often. */
  c = parse("keep-alive-period = 5\nkeep-alive-period = 5s\n"
            "parents = 10.0.0.1:1\nparents = 10.0.0.2:1\n"
            "frobnicate = 1\nfrobnicate = 2\n",
            &d, &rv);
  CU_ASSERT_EQUAL(rv, MCC_ERR_SYNTAX);
  CU_ASSERT_EQUAL(d.errors, 3);
  CU_ASSERT_EQUAL(d.warnings, 2);
  CU_ASSERT(has(&d, "test.conf:2: keep-alive-period: given twice, first at "
                    "test.conf:1"));
  CU_ASSERT(has(&d, "test.conf:4: parents: given twice, first at "
                    "test.conf:3"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "30s");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "parents"), "10.0.0.1:1");
  /* Another text (a second file, an override) may set it again. */
  CU_ASSERT_EQUAL(mcc_conf_parse(c, "other.conf", "parents = 10.0.0.3:1\n", 21,
                                 NULL, NULL),
                  0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "parents"), "10.0.0.3:1");
  char err[128];
  CU_ASSERT_EQUAL(mcc_conf_set(c, "parents", "10.0.0.4:1", err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "parents"), "10.0.0.4:1");
  mcc_conf_free(c);
}

static void test_conf_unknown_key_warns(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("listen-addr = 0.0.0.0:1000\n"
                      "\n"
                      "keep-alive-perod = 5s\n"
                      "frobnicate = yes\n"
                      "ssl-update-batch-size = 20\n",
                      &d, &rv);
  CU_ASSERT_EQUAL(rv, 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  CU_ASSERT_EQUAL(d.warnings, 2);
  CU_ASSERT(has(&d, "test.conf:3: unknown key 'keep-alive-perod'"));
  CU_ASSERT(has(&d, "did you mean 'keep-alive-period'?"));
  CU_ASSERT(has(&d, "test.conf:4: unknown key 'frobnicate'"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "30s");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "ssl-update-batch-size"), "20");
  mcc_conf_free(c);
}

static void test_conf_bad_duration(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("log-level = warn\n"
                      "keep-alive-period = abc\n"
                      "rejoin-period = 30\n"
                      "topology-update-period = 5m\n",
                      &d, &rv);
  CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(d.errors, 2);
  CU_ASSERT(has(&d, "test.conf:2: keep-alive-period: expected a duration in "
                    "range 1s-1h such as 30s, 2m, 1h, got 'abc'"));
  CU_ASSERT(has(&d, "test.conf:3: rejoin-period:"));
  CU_ASSERT(has(&d, "range 1s-1d"));
  CU_ASSERT(has(&d, "got '30' (the unit is required"));
  /* Bad lines keep the old value, good lines apply. */
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "30s");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "rejoin-period"), "1m");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "log-level"), "warn");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "topology-update-period"), "5m");
  mcc_conf_free(c);
}

static void test_conf_duration_table(void) {
  static const struct {
    const char *key, *value;
    int ok;
    uint64_t ms;
    const char *msg;
  } cases[] = {
      {"keep-alive-period", "1s", 1, 1000, NULL},
      {"keep-alive-period", "1h", 1, 3600000, NULL},
      {"keep-alive-period", "3600s", 1, 3600000, NULL},
      {"keep-alive-period", "1500ms", 1, 1500, NULL},
      {"keep-alive-period", "999ms", 0, 0, "(out of range)"},
      {"keep-alive-period", "61m", 0, 0, "(out of range)"},
      {"keep-alive-period", "0s", 0, 0, "(out of range)"},
      {"rejoin-period", "1d", 1, 86400000, NULL},
      {"rejoin-period", "2d", 0, 0, "(out of range)"},
      {"rejoin-period", "30 s", 0, 0, "units are"},
      {"rejoin-period", "30sec", 0, 0, "units are"},
      {"rejoin-period", "-5s", 0, 0, "got '-5s'"},
      {"rejoin-period", "1.5m", 0, 0, "got '1.5m'"},
      {"rejoin-period", "99999999999999999999s", 0, 0, "(too large)"},
      {"rejoin-period", "18446744073709551615d", 0, 0, "(too large)"},
      {"rejoin-period", "", 0, 0, "got an empty value"},
      {"ssl-storage-timeout", "365d", 1, 365ull * 86400000, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_conf *c = NULL;
    char err[512];
    uint64_t ms = 0;
    CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
    int rv = mcc_conf_set(c, cases[i].key, cases[i].value, err, sizeof err);
    CU_ASSERT_EQUAL(rv, cases[i].ok ? 0 : MCC_ERR_VALUE);
    if (cases[i].ok) {
      CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, cases[i].key, &ms), 0);
      CU_ASSERT_EQUAL(ms, cases[i].ms);
    } else {
      CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].msg));
      CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].key));
    }
    mcc_conf_free(c);
  }
}

static void test_conf_bool_table(void) {
  static const struct {
    const char *value;
    int rv, b;
  } cases[] = {
      {"true", 0, 1}, {"false", 0, 0}, {"yes", 0, 1}, {"no", 0, 0},
      {"on", 0, 1},   {"off", 0, 0},   {"1", 0, 1},   {"0", 0, 0},
      {"TRUE", 0, 1}, {"Off", 0, 0},   {"tru", MCC_ERR_VALUE, 0},
      {"2", MCC_ERR_VALUE, 0}, {"true false", MCC_ERR_VALUE, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_conf *c = NULL;
    char err[256];
    int b = -1;
    CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
    CU_ASSERT_EQUAL(mcc_conf_set(c, "kill-switch", cases[i].value, err,
                                 sizeof err), cases[i].rv);
    if (cases[i].rv == 0) {
      CU_ASSERT_EQUAL(mcc_conf_get_bool(c, "kill-switch", &b), 0);
      CU_ASSERT_EQUAL(b, cases[i].b);
    } else {
      CU_ASSERT_PTR_NOT_NULL(strstr(err, "kill-switch: expected true or "
                                         "false"));
    }
    mcc_conf_free(c);
  }
}

static void test_conf_uint_table(void) {
  static const struct {
    const char *key, *value;
    int ok;
    const char *msg;
  } cases[] = {
      {"network-lookup-ttl", "1", 1, NULL},
      {"network-lookup-ttl", "255", 1, NULL},
      {"network-lookup-ttl", "0", 0, "in range 1-255, got '0' (out of range)"},
      {"network-lookup-ttl", "256", 0, "(out of range)"},
      {"network-lookup-ttl", "-1", 0, "got '-1'"},
      {"network-lookup-ttl", "+5", 0, "got '+5'"},
      {"network-lookup-ttl", "12a", 0, "got '12a'"},
      {"network-lookup-ttl", "0x10", 0, "got '0x10'"},
      {"network-lookup-ttl", "18446744073709551616", 0, "(too large)"},
      /* What the core carries, and what IPv6 needs, is 1280. */
      {"tun-device-mtu", "1280", 1, NULL},
      {"tun-device-mtu", "1279", 0,
       "tun-device-mtu: expected 1280 (no other value is supported), got "
       "'1279' (out of range)"},
      {"tun-device-mtu", "1281", 0, "got '1281' (out of range)"},
      {"tun-device-mtu", "1500", 0, "got '1500' (out of range)"},
      {"tun-device-mtu", "65536", 0, "(out of range)"},
      {"resolver.ttl", "0", 1, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    diag_log d;
    int rv = try_value(cases[i].key, cases[i].value, &d);
    CU_ASSERT_EQUAL(rv, cases[i].ok ? 0 : MCC_ERR_VALUE);
    if (!cases[i].ok) {
      CU_ASSERT(has(&d, "test.conf:1: "));
      CU_ASSERT(has(&d, cases[i].key));
      CU_ASSERT(has(&d, cases[i].msg));
    }
  }
}

/* tun-device-mtu has one range, the core's: the key table (the parser and
 * mccd -C) and mccd take the same constants, and its maximum is the
 * largest packet mcc_node_send_packet takes. */
static void test_conf_tun_mtu_range(void) {
  const mcc_conf_key *k = mcc_conf_key_find("tun-device-mtu");
  CU_ASSERT_PTR_NOT_NULL_FATAL(k);
  CU_ASSERT_EQUAL(k->min, MCC_CONF_TUN_MTU_MIN);
  CU_ASSERT_EQUAL(k->max, MCC_CONF_TUN_MTU_MAX);
  CU_ASSERT_EQUAL(MCC_CONF_TUN_MTU_MAX, MCC_MAX_PACKET);
  CU_ASSERT_EQUAL(MCC_MAX_PACKET, 1280);
  char buf[32768];
  size_t n = mcc_conf_format_defaults(buf, sizeof buf);
  CU_ASSERT_FATAL(n < sizeof buf);
  const char *at = strstr(buf, "\ntun-device-mtu = 1280\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  CU_ASSERT_EQUAL(strncmp(at - 19, "# Range: 1280-1280.", 19), 0);
}

static void test_conf_syntax_errors(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("keep-alive-period 30s\n"
                      "= 5\n"
                      "keep alive = 5s\n"
                      "ssl-update-batch-size = 9000\n"
                      "network-lookup-ttl = 300\n"
                      "[section]\n",
                      &d, &rv);
  CU_ASSERT_EQUAL(rv, MCC_ERR_SYNTAX); /* syntax wins over value errors */
  CU_ASSERT_EQUAL(d.errors, 5);        /* every error is reported */
  CU_ASSERT(has(&d, "test.conf:1: expected 'key = value', got "
                    "'keep-alive-period 30s'"));
  CU_ASSERT(has(&d, "test.conf:2: expected 'key = value', got no key"));
  CU_ASSERT(has(&d, "test.conf:3: malformed key 'keep alive'"));
  CU_ASSERT(has(&d, "test.conf:5: network-lookup-ttl: expected an integer in "
                    "range 1-255, got '300'"));
  CU_ASSERT(has(&d, "test.conf:6: expected 'key = value', got '[section]'"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "ssl-update-batch-size"), "9000");
  mcc_conf_free(c);
}

static void test_conf_enum(void) {
  diag_log d;
  mcc_conf *c = NULL;
  size_t idx;
  char err[256];
  CU_ASSERT_EQUAL(try_value("log-level", "verbose", &d), MCC_ERR_VALUE);
  CU_ASSERT(has(&d, "log-level: expected one of off, error, warn, info, "
                    "debug, trace, got 'verbose'"));
  CU_ASSERT_EQUAL(try_value("compression", "gzip", &d), MCC_ERR_VALUE);
  CU_ASSERT(has(&d, "one of none, lz4, got 'gzip'"));
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "compression", "lz4", err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_get_enum(c, "compression", &idx), 0);
  CU_ASSERT_EQUAL(idx, 1);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "log-level", "trace", err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_get_enum(c, "log-level", &idx), 0);
  CU_ASSERT_EQUAL(idx, 5);
  mcc_conf_free(c);
}

static void test_conf_lists(void) {
  diag_log d;
  int rv;
  char item[16];
  mcc_conf *c = parse("dns-names = www.example ,  db ,x\n"
                      "tags = a, b\n"
                      "ssl-certificates = a,,b\n"
                      "network-certificates = /a.txt,\n",
                      &d, &rv);
  CU_ASSERT_EQUAL(rv, MCC_ERR_VALUE);
  CU_ASSERT(has(&d, "test.conf:3: ssl-certificates:"));
  CU_ASSERT(has(&d, "(item 2 is empty)"));
  CU_ASSERT(has(&d, "test.conf:4: network-certificates:"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "dns-names"), "www.example,db,x");
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "dns-names"), 3);
  CU_ASSERT_EQUAL(mcc_conf_list_get(c, "dns-names", 1, item, sizeof item), 0);
  CU_ASSERT_STRING_EQUAL(item, "db");
  CU_ASSERT_EQUAL(mcc_conf_list_get(c, "dns-names", 3, item, sizeof item),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_conf_list_get(c, "dns-names", 0, item, 5),
                  MCC_ERR_BAD_LENGTH);
  CU_ASSERT_STRING_EQUAL(item, "");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "tags"), "a,b");
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "ssl-certificates"), 0);
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "network-certificates"), 1);
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "no-such-key"), 0);
  mcc_conf_free(c);
}

static void test_conf_sockaddr(void) {
  static const struct {
    const char *key, *value, *msg; /* msg NULL: accepted */
  } cases[] = {
      {"parents", "10.0.0.1:9376, [fd00::1]:9376, root.example.org:1", NULL},
      {"parents", "a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8", NULL},
      {"parents", "a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9", "at most 8"},
      {"parents", "10.0.0.1", "missing ':port'"},
      {"parents", "10.0.0.1:0", "port must be 1-65535"},
      {"parents", "10.0.0.1:65536", "port must be 1-65535"},
      {"parents", "fd00::1:9376", "needs [brackets]"},
      {"parents", "1.2.3.256:9376", "bad host name"},
      {"parents", "-bad.example:1", "bad host name"},
      {"parents", "under_score.example:1", "bad host name"},
      {"parents", "[fd00::1:9376", "no ']'"},
      {"parents", "ok:1,", "item 2 is empty"},
      {"cert-update-addr", "cas.staex.io:8081", NULL},
      {"listen-addr", "[::]:9376", NULL},
      {"listen-addr", "localhost:9376", "not a numeric IP address"},
      {"dns-addr", "127.0.0.1", "expected ip:port"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    diag_log d;
    int rv = try_value(cases[i].key, cases[i].value, &d);
    CU_ASSERT_EQUAL(rv, cases[i].msg ? MCC_ERR_VALUE : 0);
    if (cases[i].msg) CU_ASSERT(has(&d, cases[i].msg));
  }
}

static void test_conf_addr_parse(void) {
  mcc_addr a;
  static const uint8_t v6one[16] = {[15] = 1};
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4:9376", 1), 0);
  CU_ASSERT_EQUAL(a.family, 4);
  CU_ASSERT_EQUAL(a.port, 9376);
  CU_ASSERT_EQUAL(memcmp(a.ip, "\x01\x02\x03\x04", 4), 0);
  CU_ASSERT_EQUAL(a.ip[4], 0); /* compared bytewise: unused bytes zero */
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4", 9376), 0);
  CU_ASSERT_EQUAL(a.port, 9376);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "[::1]:53", 9376), 0);
  CU_ASSERT_EQUAL(a.family, 6);
  CU_ASSERT_EQUAL(a.port, 53);
  CU_ASSERT_EQUAL(memcmp(a.ip, v6one, 16), 0);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "::1", 7), 0);
  CU_ASSERT_EQUAL(a.port, 7);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "[::1]", 8), 0);
  CU_ASSERT_EQUAL(a.port, 8);
  a.port = 1234;
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "example.com:9376", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(a.port, 1234); /* untouched on error */
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "localhost", 9376), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4", 0), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4:0", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4:99999", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "1.2.3.4:", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(&a, "[1.2.3.4]:5", 1), MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_addr_parse(NULL, "1.2.3.4", 1),
                  MCC_ERR_INVALID_ARGUMENT);
}

/* The parents' form: host names as well, left for the daemon to resolve. */
static void test_conf_sockaddr_parse_names(void) {
  mcc_addr a;
  char host[16];
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host, "gw.example:53",
                                     9376),
                  0);
  CU_ASSERT_EQUAL(a.family, 0);
  CU_ASSERT_EQUAL(a.port, 53);
  CU_ASSERT_STRING_EQUAL(host, "gw.example");
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host, " localhost ",
                                     9376),
                  0);
  CU_ASSERT_EQUAL(a.port, 9376);
  CU_ASSERT_STRING_EQUAL(host, "localhost");
  /* numeric: the address itself, no name */
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host, "[::1]:7", 1), 0);
  CU_ASSERT_EQUAL(a.family, 6);
  CU_ASSERT_EQUAL(a.port, 7);
  CU_ASSERT_STRING_EQUAL(host, "");
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host,
                                     "a-much-longer-name.example", 1),
                  MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host, "bad_name:1", 1),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, sizeof host, "gw:0", 1),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_sockaddr_parse(&a, host, 0, "gw", 1),
                  MCC_ERR_INVALID_ARGUMENT);
}

static void test_conf_cidr_mac(void) {
  static const struct {
    const char *key, *value;
    int ok;
  } cases[] = {
      {"resolver.ipv4-network", "10.0.0.0/8", 1},
      {"resolver.ipv4-network", "10.0.0.0/33", 0},
      {"resolver.ipv4-network", "10.0.0.0", 0},
      {"resolver.ipv4-network", "10.0.0/8", 0},
      {"resolver.ipv4-network", "10.0.0.0/", 0},
      {"resolver.ipv4-network", "fd00::/8", 0},
      {"resolver.ipv6-network", "fd00::/8", 1},
      {"resolver.ipv6-network", "fd00::/129", 0},
      {"resolver.ipv6-network", "10.0.0.0/8", 0},
      {"resolver.mac-address-mask", "ae:12:34:56:78:9a", 1},
      {"resolver.mac-address-mask", "AE-00-00-00-00-00", 0},
      {"resolver.mac-address-mask", "AE:00:00:00:00", 0},
      {"resolver.mac-address-mask", "AG:00:00:00:00:00", 0},
      {"static-addr", "10.115.0.7/16", 1},
      {"static-addr", "", 1},
      {"tun-device-name", "a-name-too-long-x", 0},
      {"tun-device-name", "", 0},
      {"firewall-chain-name", "MCC2", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    diag_log d;
    int rv = try_value(cases[i].key, cases[i].value, &d);
    CU_ASSERT_EQUAL(rv, cases[i].ok ? 0 : MCC_ERR_VALUE);
    if (!cases[i].ok) CU_ASSERT(has(&d, "expected "));
  }
}

static void test_conf_node_ids(void) {
  mcc_keypair kp1, kp2;
  char id1[MCC_ID_TEXT_LEN + 1], id2[MCC_ID_TEXT_LEN + 1], text[256];
  char err[512];
  mcc_conf *c = NULL;
  test_keys(&kp1, 1);
  test_keys(&kp2, 2);
  mcc_id_to_text(&kp1.pub, id1);
  mcc_id_to_text(&kp2.pub, id2);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  snprintf(text, sizeof text, "%s, %s", id1, id2);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", text, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "trusted-nodes"), 2);
  /* A gateway is one node id. */
  CU_ASSERT_EQUAL(mcc_conf_set(c, "gateway", id1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "gateway", text, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 1"));
  snprintf(text, sizeof text, "%s:53", id2);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "reroute-dns", text, err, sizeof err), 0);
  snprintf(text, sizeof text, "%s:0", id2);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "reroute-dns", text, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "reroute-ntp", id2, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing ':port'"));
  /* A bad item is named by position and reason. */
  snprintf(text, sizeof text, "%s,%.51s", id1, id2);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", text, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "item 2: node id must be 52"));
  snprintf(text, sizeof text, "%.51si", id1);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", text, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "outside"));
  CU_ASSERT_EQUAL(mcc_conf_list_len(c, "trusted-nodes"), 2); /* kept */
  mcc_conf_free(c);
}

static void test_conf_trusted_networks(void) {
  uint8_t key[32], half[16];
  char b64[64], nopad[64], shortk[64], text[256], err[512];
  mcc_conf *c = NULL;
  for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 7 + 1);
  memset(half, 3, sizeof half);
  sodium_bin2base64(b64, sizeof b64, key, sizeof key,
                    sodium_base64_VARIANT_ORIGINAL);
  sodium_bin2base64(nopad, sizeof nopad, key, sizeof key,
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  sodium_bin2base64(shortk, sizeof shortk, half, sizeof half,
                    sodium_base64_VARIANT_ORIGINAL);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  snprintf(text, sizeof text, "%s,%s", b64, nopad);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", text, err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", shortk, err,
                               sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(err, "neither a 52-character id nor Base64 of 32 bytes"));
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", "!!!!", err,
                               sizeof err), MCC_ERR_VALUE);
  char high[80];
  snprintf(high, sizeof high, "%s", b64);
  high[5] = (char)0xE9; /* libsodium 1.0.18 would skip it */
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", high, err, sizeof err),
                  MCC_ERR_VALUE);
  mcc_settings s;
  mcc_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", b64, err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.trusted_networks_len, 1);
  CU_ASSERT_EQUAL(memcmp(s.trusted_networks[0].key, key, 32), 0);

  /* The Base32 text of node ids, as `mcc certificates` prints a network
   * certificate's subject, names the same key; both forms may be mixed. */
  mcc_id net;
  char id[MCC_ID_TEXT_LEN + 1];
  memcpy(net.key, key, sizeof key);
  mcc_id_to_text(&net, id);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", id, err, sizeof err),
                  0);
  mcc_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.trusted_networks_len, 1);
  CU_ASSERT_EQUAL(memcmp(s.trusted_networks[0].key, key, 32), 0);
  snprintf(text, sizeof text, "%s , %s", id, b64);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", text, err, sizeof err),
                  0);
  mcc_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.trusted_networks_len, 2);
  /* 52 characters that are not an id: the id's own reason is given. */
  char bad_id[MCC_ID_TEXT_LEN + 1];
  memcpy(bad_id, id, sizeof bad_id);
  bad_id[3] = 'l';
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", bad_id, err,
                               sizeof err), MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "(item 1: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "network ids (52 characters"));
  bad_id[3] = id[3];
  bad_id[51] = bad_id[51] == 'z' ? 'y' : 'z'; /* unused bits set */
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-networks", bad_id, err,
                               sizeof err), MCC_ERR_VALUE);
  /* A file line, with its diagnostic. */
  mcc_conf_free(c);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  snprintf(text, sizeof text, "trusted-networks = %s\n", id);
  CU_ASSERT_EQUAL(mcc_conf_parse(c, "t.conf", text, strlen(text), NULL, NULL),
                  0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "trusted-networks"), id);
  mcc_conf_free(c);
}

static void test_conf_apply_settings(void) {
  mcc_keypair kp;
  char id[MCC_ID_TEXT_LEN + 1], err[256];
  mcc_settings s;
  mcc_conf *c = NULL;
  test_keys(&kp, 9);
  mcc_id_to_text(&kp.pub, id);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);

  /* Defaults: the same numbers as mcc_settings_default(). */
  mcc_settings def;
  mcc_settings_default(&def);
  mcc_settings_default(&s);
  s.unix_time_at_zero_s = 42; /* not the conf's business: kept */
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.keep_alive_period_ns, def.keep_alive_period_ns);
  CU_ASSERT_EQUAL(s.keep_alive_period_ns, 30000000000ull);
  CU_ASSERT_EQUAL(s.rejoin_period_ns, def.rejoin_period_ns);
  CU_ASSERT_EQUAL(s.network_lookup_ttl, 64);
  CU_ASSERT_EQUAL(s.static_addr, 0); /* 10.115.0.0/16 means none */
  CU_ASSERT_PTR_NULL(s.dns_names);
  CU_ASSERT_PTR_NULL(s.tags);
  CU_ASSERT_EQUAL(s.trusted_nodes_len, 0);
  CU_ASSERT_EQUAL(s.compression, 0);
  CU_ASSERT_EQUAL(s.unix_time_at_zero_s, 42);

  const char text[] = "keep-alive-period = 10s\n"
                      "rejoin-period = 2m\n"
                      "network-lookup-ttl = 32\n"
                      "compression = lz4\n"
                      "static-addr = 10.115.1.7/16\n"
                      "dns-names = a.example, b.example\n"
                      "tags = lab, rack-3\n";
  CU_ASSERT_EQUAL(mcc_conf_parse(c, NULL, text, strlen(text), NULL, NULL), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", id, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.keep_alive_period_ns, 10000000000ull);
  CU_ASSERT_EQUAL(s.rejoin_period_ns, 120000000000ull);
  CU_ASSERT_EQUAL(s.network_lookup_ttl, 32);
  CU_ASSERT_EQUAL(s.compression, 1);
  CU_ASSERT_EQUAL(s.static_addr, (10u << 24) | (115u << 16) | (1u << 8) | 7);
  CU_ASSERT_STRING_EQUAL(s.dns_names, "a.example,b.example");
  CU_ASSERT_STRING_EQUAL(s.tags, "lab,rack-3");
  CU_ASSERT_EQUAL(s.trusted_nodes_len, 1);
  CU_ASSERT_EQUAL(memcmp(&s.trusted_nodes[0], &kp.pub, sizeof kp.pub), 0);

  CU_ASSERT_EQUAL(mcc_conf_set(c, "static-addr", "", err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.static_addr, 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "static-addr", "10.1.2.3/32", err,
                               sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.static_addr, (10u << 24) | (1u << 16) | (2u << 8) | 3);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(NULL, &s, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);

  /* Names and tags must fit the node record: 4 x (2 + 48) = 200 fits. */
  char names[256];
  memset(names, 'n', sizeof names);
  for (size_t i = 48; i < 3 * 49; i += 49) names[i] = ',';
  names[3 * 49 - 1] = '\0';
  CU_ASSERT_EQUAL(mcc_conf_set(c, "dns-names", names, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "tags", names + 98, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "tags", names + 49, err, sizeof err), 0);
  mcc_settings before = s;
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err),
                  MCC_ERR_LIMIT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "250 bytes in the node record, at most "
                                     "200"));
  CU_ASSERT_EQUAL(memcmp(&before, &s, sizeof s), 0); /* unchanged */
  mcc_conf_free(c);
}

/* More trusted nodes than mcc_settings holds is refused at the line. */
static void test_conf_trusted_limit(void) {
  size_t n = MCC_MAX_TRUSTED + 1, cap = n * (MCC_ID_TEXT_LEN + 1) + 1;
  char *text = malloc(cap), err[512];
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  text[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    mcc_keypair kp;
    char id[MCC_ID_TEXT_LEN + 1];
    test_keys(&kp, (uint8_t)(i + 1));
    mcc_id_to_text(&kp.pub, id);
    if (i) strcat(text, ",");
    strcat(text, id);
  }
  mcc_conf *c = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", text, err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "33 items, at most 32"));
  text[strlen(text) - MCC_ID_TEXT_LEN - 1] = '\0';
  CU_ASSERT_EQUAL(mcc_conf_set(c, "trusted-nodes", text, err, sizeof err), 0);
  mcc_settings s;
  mcc_settings_default(&s);
  CU_ASSERT_EQUAL(mcc_conf_apply_settings(c, &s, err, sizeof err), 0);
  CU_ASSERT_EQUAL(s.trusted_nodes_len, MCC_MAX_TRUSTED);
  mcc_conf_free(c);
  free(text);
}

static void test_conf_format_defaults_round_trip(void) {
  size_t need = mcc_conf_format_defaults(NULL, 0);
  CU_ASSERT_FATAL(need > 1000);
  char *buf = malloc(need + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
  CU_ASSERT_EQUAL(mcc_conf_format_defaults(buf, need + 1), need);
  CU_ASSERT_EQUAL(strlen(buf), need);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nkeep-alive-period = 30s\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# Range: 1s-1h.\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n# parents =\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n# dependent-nodes = "));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nlisten-addr = 0.0.0.0:9376\n"));
  for (const char *l = buf; *l;) { /* no line over 80 columns */
    size_t w = strcspn(l, "\n");
    CU_ASSERT(w <= 80);
    l += w + (l[w] == '\n');
  }

  /* Read back: no diagnostics, every key at its default. */
  diag_log d;
  int rv;
  mcc_conf *c = parse(buf, &d, &rv);
  CU_ASSERT_EQUAL(rv, 0);
  CU_ASSERT_EQUAL(d.errors + d.warnings, 0);
  for (size_t i = 0; i < mcc_conf_key_count(); i++) {
    const mcc_conf_key *k = mcc_conf_key_at(i);
    CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, k->name), k->default_value);
  }
  mcc_conf_free(c);

  /* snprintf semantics: truncated and terminated, same length returned. */
  char small[40];
  memset(small, 'x', sizeof small);
  CU_ASSERT_EQUAL(mcc_conf_format_defaults(small, sizeof small), need);
  CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
  CU_ASSERT_EQUAL(memcmp(small, buf, sizeof small - 1), 0);
  free(buf);
}

static void test_conf_set(void) {
  mcc_conf *c = NULL;
  char err[256];
  uint64_t ms;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "keep-alive-period", "  45s ", err,
                               sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(err, "");
  CU_ASSERT_EQUAL(mcc_conf_get_duration_ms(c, "keep-alive-period", &ms), 0);
  CU_ASSERT_EQUAL(ms, 45000);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "keep-alive-period", "2h", err, sizeof err),
                  MCC_ERR_VALUE);
  CU_ASSERT_STRING_EQUAL(err, "keep-alive-period: expected a duration in "
                              "range 1s-1h such as 30s, 2m, 1h, got '2h' "
                              "(out of range)");
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "keep-alive-period"), "45s");
  CU_ASSERT_EQUAL(mcc_conf_set(c, "keepalive", "1s", err, sizeof err),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_STRING_EQUAL(err, "unknown key 'keepalive'");
  /* A value from the command line may hold '#'. */
  CU_ASSERT_EQUAL(mcc_conf_set(c, "gateway-post-add-hook", "echo a # b", err,
                               sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "gateway-post-add-hook"),
                         "echo a # b");
  /* A deprecated key is set, with a warning. */
  CU_ASSERT_EQUAL(mcc_conf_set(c, "dependent-nodes", "/x", err, sizeof err),
                  0);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "dependent-nodes: Deprecated"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "tunnels"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "dependent-nodes"), "/x");
  CU_ASSERT_EQUAL(mcc_conf_set(c, "tags", "x", NULL, 0), 0);
  CU_ASSERT_EQUAL(mcc_conf_set(NULL, "tags", "x", err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(mcc_conf_set(c, "tags", NULL, err, sizeof err),
                  MCC_ERR_INVALID_ARGUMENT);
  mcc_conf_free(c);
}

static void test_conf_deprecated_warns(void) {
  diag_log d;
  int rv;
  mcc_conf *c = parse("\ndependent-nodes = /etc/mcc/old\n", &d, &rv);
  CU_ASSERT_EQUAL(rv, 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  CU_ASSERT_EQUAL(d.warnings, 1);
  CU_ASSERT(has(&d, "test.conf:2: dependent-nodes: Deprecated since MCC v2: "
                    "use tunnels instead"));
  mcc_conf_free(c);
}

static void test_conf_binary_input(void) {
  /* A NUL and other control bytes in a value, a NUL in a key, an endless
   * value: errors with a quoted, shortened excerpt, never a crash. */
  char text[600];
  size_t n = 0;
  memcpy(text + n, "tun-device-name = a\0b\n", 22), n += 22;
  memcpy(text + n, "ke\0y = 1\n", 9), n += 9;
  memcpy(text + n, "log-file = x\x01y\n", 15), n += 15;
  memcpy(text + n, "log-level = ", 12), n += 12;
  memset(text + n, 'q', 300), n += 300;
  text[n++] = '\n';
  diag_log d;
  mcc_conf *c = NULL;
  memset(&d, 0, sizeof d);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&c), 0);
  CU_ASSERT_EQUAL(mcc_conf_parse(c, "bin.conf", text, n, record, &d),
                  MCC_ERR_SYNTAX);
  CU_ASSERT_EQUAL(d.errors, 4);
  CU_ASSERT(has(&d, "bin.conf:1: tun-device-name:"));
  CU_ASSERT(has(&d, "got 'a?b' (control character at column 2)"));
  CU_ASSERT(has(&d, "bin.conf:2: malformed key 'ke?y'"));
  CU_ASSERT(has(&d, "bin.conf:3: log-file:"));
  CU_ASSERT(has(&d, "bin.conf:4: log-level:"));
  CU_ASSERT(has(&d, "qqq...'"));
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(c, "tun-device-name"), "mcc0");
  CU_ASSERT_EQUAL(mcc_conf_parse(c, "x", NULL, 0, NULL, NULL), 0);
  CU_ASSERT_EQUAL(mcc_conf_parse(c, "x", NULL, 1, NULL, NULL),
                  MCC_ERR_INVALID_ARGUMENT);
  mcc_conf_free(c);
}

static void test_conf_format_duration(void) {
  static const struct {
    uint64_t ms;
    const char *text;
  } cases[] = {{0, "0ms"},         {1, "1ms"},      {1500, "1500ms"},
               {1000, "1s"},       {90000, "90s"},  {120000, "2m"},
               {3600000, "1h"},    {86400000, "1d"}, {90000000, "25h"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[32];
    CU_ASSERT_STRING_EQUAL(mcc_conf_format_duration(buf, sizeof buf,
                                                    cases[i].ms),
                           cases[i].text);
  }
}

void suite_conf(void) {
  CU_pSuite s = CU_add_suite("conf", NULL, NULL);
  ADD_TEST(s, test_conf_defaults);
  ADD_TEST(s, test_conf_key_table);
  ADD_TEST(s, test_conf_comments_blank_crlf);
  ADD_TEST(s, test_conf_duplicate_key);
  ADD_TEST(s, test_conf_unknown_key_warns);
  ADD_TEST(s, test_conf_bad_duration);
  ADD_TEST(s, test_conf_duration_table);
  ADD_TEST(s, test_conf_bool_table);
  ADD_TEST(s, test_conf_uint_table);
  ADD_TEST(s, test_conf_syntax_errors);
  ADD_TEST(s, test_conf_enum);
  ADD_TEST(s, test_conf_lists);
  ADD_TEST(s, test_conf_sockaddr);
  ADD_TEST(s, test_conf_addr_parse);
  ADD_TEST(s, test_conf_sockaddr_parse_names);
  ADD_TEST(s, test_conf_cidr_mac);
  ADD_TEST(s, test_conf_node_ids);
  ADD_TEST(s, test_conf_trusted_networks);
  ADD_TEST(s, test_conf_tun_mtu_range);
  ADD_TEST(s, test_conf_apply_settings);
  ADD_TEST(s, test_conf_trusted_limit);
  ADD_TEST(s, test_conf_format_defaults_round_trip);
  ADD_TEST(s, test_conf_set);
  ADD_TEST(s, test_conf_deprecated_warns);
  ADD_TEST(s, test_conf_binary_input);
  ADD_TEST(s, test_conf_format_duration);
}
