/*
 * test_real_log.c — mccd's log (node-real/log.c): the rate limit that keeps
 * a flood of rejected datagrams at debug level to a few lines a second and
 * one summary, checked in a temporary log file on a made-up clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "suites.h"
#include "testutil.h"

#define SEC 1000000000ull

static char path[64];

static void open_log(enum log_level level) {
  snprintf(path, sizeof path, "/tmp/mcc-test-log-XXXXXX");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  CU_ASSERT_EQUAL_FATAL(log_open(path, level), 0);
}

/* Closes the log and counts its lines, and those containing `part`. */
static size_t close_log(const char *part, size_t *pmatching) {
  log_close();
  log_open(NULL, LOG_INFO);
  FILE *f = fopen(path, "r");
  size_t lines = 0, matching = 0;
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    lines++;
    if (strstr(line, part)) matching++;
  }
  if (f) fclose(f);
  unlink(path);
  *pmatching = matching;
  return lines;
}

/* What on_udp does for each rejected datagram. */
static void reject(log_limit *l, uint64_t now) {
  if (log_enabled(LOG_DEBUG) && log_limit_take(l, now))
    log_msg(LOG_DEBUG, "datagram of 10 bytes from 10.0.0.1:1 rejected");
}

static void test_real_log_limit_flood(void) {
  log_limit l;
  size_t n;
  open_log(LOG_DEBUG);
  log_limit_init(&l, LOG_DEBUG, 10, "rejected datagrams");
  CU_ASSERT_EQUAL(log_limit_deadline(&l), UINT64_MAX);
  /* 100,000 datagrams in one second: 10 lines, then one summary */
  for (uint64_t i = 0; i < 100000; i++) reject(&l, 5 * SEC + i * 10000);
  CU_ASSERT_EQUAL(log_limit_deadline(&l), 6 * SEC);
  log_limit_flush(&l, 6 * SEC - 1); /* not yet */
  log_limit_flush(&l, 6 * SEC);
  log_limit_flush(&l, 7 * SEC); /* once */
  CU_ASSERT_EQUAL(log_limit_deadline(&l), UINT64_MAX);
  size_t lines = close_log("rejected", &n);
  CU_ASSERT_EQUAL(lines, 11);
  CU_ASSERT_EQUAL(n, 11);
  open_log(LOG_DEBUG);
  log_limit_flush(&l, UINT64_MAX);
  CU_ASSERT_EQUAL(close_log("", &n), 0);

  /* the summary's words, and a new second written as it comes */
  open_log(LOG_DEBUG);
  log_limit_init(&l, LOG_DEBUG, 3, "rejected datagrams");
  for (uint64_t i = 0; i < 8; i++) reject(&l, SEC + i);
  for (uint64_t i = 0; i < 2; i++) reject(&l, 3 * SEC + i); /* summary first */
  log_limit_flush(&l, UINT64_MAX); /* nothing left out this second */
  lines = close_log("suppressed 5 rejected datagrams in the last second (at "
                    "most 3 lines a second are written)",
                    &n);
  CU_ASSERT_EQUAL(lines, 3 + 1 + 2);
  CU_ASSERT_EQUAL(n, 1);

  /* shutdown writes what is pending; below debug nothing is counted */
  open_log(LOG_DEBUG);
  log_limit_init(&l, LOG_DEBUG, 1, "rejected datagrams");
  reject(&l, 0);
  reject(&l, 1);
  log_limit_flush(&l, UINT64_MAX);
  CU_ASSERT_EQUAL(close_log("suppressed 1 rejected", &n), 2);
  CU_ASSERT_EQUAL(n, 1);
  open_log(LOG_INFO);
  log_limit_init(&l, LOG_DEBUG, 1, "rejected datagrams");
  for (int i = 0; i < 100; i++) reject(&l, (uint64_t)i);
  CU_ASSERT_EQUAL(log_limit_deadline(&l), UINT64_MAX);
  log_limit_flush(&l, UINT64_MAX);
  CU_ASSERT_EQUAL(close_log("", &n), 0);
}

void suite_real_log(void) {
  CU_pSuite s = CU_add_suite("real_log", NULL, NULL);
  ADD_TEST(s, test_real_log_limit_flood);
}
