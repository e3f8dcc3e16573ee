/*
 * test_real_config.c — mccd's configuration (daemon_config.c): the startup
 * warning names every key whose value asks for behaviour mccd does not
 * implement yet, those at a default that turns a feature on included
 * (cert-update-enable,
 * forwarding-rules when its file exists), and none that leave it off.
 */
#include <stdio.h>
#include <sys/stat.h>

#include <mcc/conf.h>

#include "daemon_config.h"
#include "log.h"
#include "realutil.h"
#include "suites.h"
#include "testutil.h"

static char root[PATH_MAX];

/* The keys named for mcc.conf text in a configuration directory root. */
static size_t named(const char *text, char *out, size_t outlen) {
  daemon_config dc;
  memset(&dc, 0, sizeof dc);
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&dc.conf), 0);
  CU_ASSERT_EQUAL(
      mcc_conf_parse(dc.conf, "mcc.conf", text, strlen(text), NULL, NULL), 0);
  rt_fmt(dc.config_dir, sizeof dc.config_dir, "%s", root);
  size_t n = daemon_config_unimplemented(&dc, out, outlen);
  mcc_conf_free(dc.conf);
  return n;
}

static void expect(const char *text, const char *want) {
  char got[1024];
  size_t n = named(text, got, sizeof got);
  if (strcmp(got, want) != 0)
    printf("\n  for '%s':\n    got  '%s'\n    want '%s'\n", text, got, want);
  CU_ASSERT_STRING_EQUAL(got, want);
  size_t items = want[0] ? 1 : 0;
  for (const char *p = want; *p; p++) items += *p == ',';
  CU_ASSERT_EQUAL(n, items);
}

static void test_real_config_unimplemented_warning(void) {
  rt_tmp_begin(root, "config");
  char path[PATH_MAX], dnsmasq[PATH_MAX], text[2 * PATH_MAX];
  /* At the defaults (dnsmasq's directory aside: the machine's own). */
  expect("dnsmasq-enable = false\n", "cert-update-enable (default)");
  /* Files read when they are there, under the configuration directory. */
  rt_fmt(path, sizeof path, "%s/forwarding-rules.conf", root);
  rt_write_text(path, "");
  rt_fmt(path, sizeof path, "%s/dependent-nodes", root);
  CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
  expect("dnsmasq-enable = false\n",
         "cert-update-enable (default), dependent-nodes (default), "
         "forwarding-rules (default)");
  rt_remove_tree(path);
  rt_fmt(path, sizeof path, "%s/forwarding-rules.conf", root);
  rt_remove_tree(path);
  /* Turned off: silent (tunnels are implemented); turned on or set:
   * named, without "(default)". */
  expect(
      "cert-update-enable = false\ndnsmasq-enable = false\n"
      "exit-node = false\nkill-switch = no\ntunnels = /elsewhere\n",
      "");
  expect(
      "cert-update-enable = false\ndnsmasq-enable = true\n"
      "exit-node = true\ngateway = "
      "3zb3xe4gh757dnhdsyrzxxv6efvpgkzg82m08a8w88a5sf48w7x0\n"
      "cert-update-period = 1h\nforwarding-rules = /nowhere/rules.conf\n",
      "cert-update-period, forwarding-rules, exit-node, gateway");
  /* dnsmasq (dnsmasq.c), static-addr and network-lookup-timeout (network
   * lookup) are implemented: silent, set or not. */
  rt_fmt(dnsmasq, sizeof dnsmasq, "%s/dnsmasq.d", root);
  CU_ASSERT_EQUAL(mkdir(dnsmasq, 0755), 0);
  rt_fmt(text, sizeof text,
         "cert-update-enable = no\ndnsmasq-directory = %s\n"
         "static-addr = 10.115.0.9/16\nnetwork-lookup-timeout = 5s\n",
         dnsmasq);
  expect(text, "");
  /* A short buffer holds whole names only; the count stays right. */
  const char *two = "dnsmasq-enable = false\nexit-node = true\n";
  expect(two, "cert-update-enable (default), exit-node");
  char small[12], fits[30];
  CU_ASSERT_EQUAL(named(two, small, sizeof small), 2);
  CU_ASSERT_STRING_EQUAL(small, "");
  CU_ASSERT_EQUAL(named(two, fits, sizeof fits), 2);
  CU_ASSERT_STRING_EQUAL(fits, "cert-update-enable (default)");
  rt_tmp_end(root);
}

/* An MTU above what the core carries is refused at startup, before any
 * packet is lost: the message names the file, the line, the key and the
 * one value there is (MCC_MAX_PACKET). */
static void test_real_config_tun_mtu(void) {
  rt_tmp_begin(root, "config");
  char conf_path[PATH_MAX], log_path[PATH_MAX], logged[2048], err[1024],
      want[PATH_MAX + 128];
  rt_fmt(conf_path, sizeof conf_path, "%s/mcc.conf", root);
  rt_fmt(log_path, sizeof log_path, "%s/log", root);
  rt_write_text(conf_path, "# MTU of the LAN\ntun-device-mtu = 1500\n");
  CU_ASSERT_EQUAL_FATAL(log_open(log_path, LOG_INFO), 0);
  daemon_config dc;
  int rv = daemon_config_load(&dc, root, err, sizeof err);
  log_close();
  log_open(NULL, LOG_INFO);
  CU_ASSERT_EQUAL(rv, -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, conf_path));
  rt_read_text(log_path, logged, sizeof logged);
  rt_fmt(want, sizeof want,
         "%s:2: tun-device-mtu: expected %d (no other value is supported), "
         "got '1500'",
         conf_path, MCC_MAX_PACKET);
  if (!strstr(logged, want)) printf("\n  log: %s\n", logged);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged, want));
  daemon_config_clear(&dc);
  rt_tmp_end(root);
}

void suite_real_config(void) {
  CU_pSuite s = CU_add_suite("real_config", NULL, NULL);
  ADD_TEST(s, test_real_config_unimplemented_warning);
  ADD_TEST(s, test_real_config_tun_mtu);
}
