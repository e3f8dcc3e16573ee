/*
 * test_real_dnsmasq.c — the dnsmasq integration (dnsmasq.c): the file's
 * text forwards resolver.domain, names without a dot and the reverse zones
 * of the resolver's networks (whole octets, nibbles) to dns-addr; it is on
 * when dnsmasq-enable says so, or when empty and dnsmasq-directory exists;
 * it is written in place and removed, and the restart command runs both
 * times.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mcc/conf.h>

#include "dnsmasq.h"
#include "realutil.h"
#include "suites.h"
#include "testutil.h"

static char root[PATH_MAX];

static void test_real_dnsmasq_text(void) {
  mcc_resolver_settings rs;
  mcc_resolver_settings_default(&rs);
  mcc_addr dns = {.family = 4, .port = 8353, .ip = {127, 0, 0, 1}};
  char text[DNSMASQ_TEXT_MAX];
  CU_ASSERT_TRUE(dnsmasq_text(&rs, &dns, text, sizeof text) > 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nserver=/home.arpa/127.0.0.1#8353\n"
                                      "server=//127.0.0.1#8353\n"
                                      "server=/83.10.in-addr.arpa/127.0.0.1#8353\n"
                                      "server=/2.0.ip6.arpa/127.0.0.1#8353\n"
                                      "server=/3.0.ip6.arpa/127.0.0.1#8353\n"));
  /* A /22 and a /64, an IPv6 server, another domain. */
  CU_ASSERT_EQUAL(mcc_resolver_settings_from_text(&rs, "192.168.8.0/22",
                                                  "fd00:83::/64", NULL,
                                                  ".staex", NULL),
                  0);
  mcc_addr dns6 = {.family = 6, .port = 53, .ip = {[15] = 1}};
  CU_ASSERT_TRUE(dnsmasq_text(&rs, &dns6, text, sizeof text) > 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "server=/staex/::1#53\n"));
  for (int o = 8; o <= 11; o++) {
    char want[64];
    snprintf(want, sizeof want, "server=/%d.168.192.in-addr.arpa/::1#53\n", o);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
  }
  CU_ASSERT_PTR_NULL(strstr(text, "12.168.192"));
  CU_ASSERT_PTR_NOT_NULL(
      strstr(text, "server=/0.0.0.0.0.0.0.0.3.8.0.0.0.0.d.f.ip6.arpa/::1#53\n"));
  /* too small a buffer: -1 */
  CU_ASSERT_EQUAL(dnsmasq_text(&rs, &dns6, text, 40), -1);
}

static void test_real_dnsmasq_install(void) {
  rt_tmp_begin(root, "dnsmasq");
  char dir[PATH_MAX], text[2 * PATH_MAX], file[PATH_MAX + 16],
      marker[PATH_MAX + 16], got[4096];
  rt_fmt(dir, sizeof dir, "%s/dnsmasq.d", root);
  rt_fmt(marker, sizeof marker, "%s/restarts", root);
  /* no directory, no word: off; explicitly off: off */
  rt_fmt(text, sizeof text, "dnsmasq-directory = %s\n", dir);
  dnsmasq dm;
  mcc_conf *c = rt_conf(text);
  dnsmasq_init(&dm, c, root);
  CU_ASSERT_FALSE(dm.enabled);
  mcc_conf_free(c);
  CU_ASSERT_EQUAL(mkdir(dir, 0755), 0);
  rt_fmt(text, sizeof text,
         "dnsmasq-directory = %s\ndnsmasq-enable = false\n", dir);
  c = rt_conf(text);
  dnsmasq_init(&dm, c, root);
  CU_ASSERT_FALSE(dm.enabled);
  mcc_conf_free(c);
  /* the directory there: on; the restart command runs at both ends */
  rt_fmt(text, sizeof text,
         "dnsmasq-directory = %s\ndnsmasq-restart-command = echo x >> %s\n",
         dir, marker);
  c = rt_conf(text);
  dnsmasq_init(&dm, c, root);
  mcc_conf_free(c);
  CU_ASSERT_TRUE_FATAL(dm.enabled);
  rt_fmt(file, sizeof file, "%s/" DNSMASQ_FILE, dir);
  CU_ASSERT_STRING_EQUAL(dm.path, file);
  char err[256];
  CU_ASSERT_EQUAL(dnsmasq_install(&dm, "server=//127.0.0.1#8353\n", err,
                                  sizeof err),
                  0);
  rt_read_text(file, got, sizeof got);
  CU_ASSERT_STRING_EQUAL(got, "server=//127.0.0.1#8353\n");
  rt_read_text(marker, got, sizeof got);
  CU_ASSERT_STRING_EQUAL(got, "x\n");
  dnsmasq_remove(&dm);
  CU_ASSERT_NOT_EQUAL(access(file, F_OK), 0);
  rt_read_text(marker, got, sizeof got);
  CU_ASSERT_STRING_EQUAL(got, "x\nx\n");
  dnsmasq_remove(&dm); /* twice: nothing more */
  rt_read_text(marker, got, sizeof got);
  CU_ASSERT_STRING_EQUAL(got, "x\nx\n");
  /* a directory that cannot be written: an error naming the file */
  rt_fmt(text, sizeof text, "dnsmasq-enable = true\ndnsmasq-directory = %s/none\n",
         root);
  c = rt_conf(text);
  dnsmasq_init(&dm, c, root);
  mcc_conf_free(c);
  CU_ASSERT_TRUE(dm.enabled);
  CU_ASSERT_EQUAL(dnsmasq_install(&dm, "x\n", err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/none/" DNSMASQ_FILE ".tmp"));
  rt_tmp_end(root);
}

void suite_real_dnsmasq(void) {
  CU_pSuite s = CU_add_suite("real_dnsmasq", NULL, NULL);
  ADD_TEST(s, test_real_dnsmasq_text);
  ADD_TEST(s, test_real_dnsmasq_install);
}
