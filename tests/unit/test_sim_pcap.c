/*
 * test_sim_pcap.c — the simulator's capture writer: files read back with
 * libpcap (count, nanosecond timestamps, lengths, IPv4 and UDP headers with
 * checksums recomputed here), byte-identical output for identical calls,
 * errors naming the path, and tshark's reading when it is installed.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap.h"
#include "suites.h"
#include "testutil.h"

#define PORT 9376
#define S 1000000000ull

static const uint8_t ip_a[4] = {10, 0, 0, 1}, ip_b[4] = {10, 0, 0, 2};

/* A fresh unique file name in /tmp; the caller removes it. */
static void temp_path(char *path, size_t pathlen, const char *what) {
  snprintf(path, pathlen, "/tmp/test_sim_pcap_%s_XXXXXX", what);
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
}

/* Ones' complement sum, written independently of sim/pcap.c. */
static uint16_t ocsum(const uint8_t *pre, size_t prelen, const uint8_t *data,
                      size_t len) {
  uint64_t sum = 0;
  for (size_t i = 0; i < prelen; i += 2) sum += pre[i] * 256u + pre[i + 1];
  for (size_t i = 0; i < len; i++) sum += i % 2 ? data[i] : data[i] * 256u;
  while (sum > 0xffff) sum = (sum >> 16) + (sum & 0xffff);
  return (uint16_t)sum;
}

static unsigned be16(const uint8_t *b) { return b[0] * 256u + b[1]; }

static void payload(uint8_t *b, size_t len, uint8_t tag) {
  for (size_t i = 0; i < len; i++) b[i] = (uint8_t)(tag + i * 7);
}

/* Checks one underlay datagram as read back. */
static void check_udp(const struct pcap_pkthdr *h, const uint8_t *d,
                      size_t plen, unsigned id, const uint8_t src[4],
                      const uint8_t dst[4], unsigned sport, unsigned dport,
                      uint8_t tag) {
  size_t total = 28 + plen;
  CU_ASSERT_EQUAL_FATAL(h->caplen, total);
  CU_ASSERT_EQUAL(h->len, total);
  CU_ASSERT_EQUAL(d[0], 0x45);
  CU_ASSERT_EQUAL(be16(d + 2), total);
  CU_ASSERT_EQUAL(be16(d + 4), id);
  CU_ASSERT_EQUAL(be16(d + 6), 0x4000); /* DF, offset 0 */
  CU_ASSERT_EQUAL(d[8], 64);
  CU_ASSERT_EQUAL(d[9], 17);
  CU_ASSERT_EQUAL(memcmp(d + 12, src, 4), 0);
  CU_ASSERT_EQUAL(memcmp(d + 16, dst, 4), 0);
  CU_ASSERT_EQUAL(ocsum(NULL, 0, d, 20), 0xffff);
  CU_ASSERT_NOT_EQUAL(be16(d + 10), 0);

  const uint8_t *u = d + 20;
  CU_ASSERT_EQUAL(be16(u), sport);
  CU_ASSERT_EQUAL(be16(u + 2), dport);
  CU_ASSERT_EQUAL(be16(u + 4), 8 + plen);
  CU_ASSERT_NOT_EQUAL(be16(u + 6), 0); /* a checksum is present */
  uint8_t pseudo[12];
  memcpy(pseudo, d + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = 17;
  pseudo[10] = (uint8_t)((8 + plen) >> 8);
  pseudo[11] = (uint8_t)(8 + plen);
  CU_ASSERT_EQUAL(ocsum(pseudo, sizeof pseudo, u, 8 + plen), 0xffff);

  uint8_t want[1500];
  payload(want, plen, tag);
  CU_ASSERT_EQUAL(memcmp(u + 8, want, plen), 0);
}

static pcap_t *open_read(const char *path) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *r = pcap_open_offline_with_tstamp_precision(
      path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!r) fprintf(stderr, "%s\n", errbuf);
  CU_ASSERT_PTR_NOT_NULL(r);
  return r;
}

static void test_sim_pcap_udp_read_back(void) {
  char path[64], err[256];
  temp_path(path, sizeof path, "udp");
  sim_pcap *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_pcap_open(&p, path, err, sizeof err), 0);
  /* Odd, even and empty payloads, one at a second boundary. */
  static const size_t lens[] = {1, 100, 0, 1201};
  static const uint64_t times[] = {0, 1, 2 * S - 1, 3600 * S + 500};
  uint8_t buf[1500];
  for (unsigned i = 0; i < 4; i++) {
    payload(buf, lens[i], (uint8_t)i);
    CU_ASSERT_EQUAL(sim_pcap_write_udp(p, times[i], i % 2 ? ip_b : ip_a, PORT,
                                       i % 2 ? ip_a : ip_b, PORT, buf,
                                       lens[i]),
                    0);
  }
  CU_ASSERT_EQUAL(sim_pcap_packets(p), 4);
  CU_ASSERT_EQUAL(sim_pcap_close(p), 0);

  pcap_t *r = open_read(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(pcap_datalink(r), DLT_RAW);
  CU_ASSERT_EQUAL(pcap_snapshot(r), 65535);
  CU_ASSERT_EQUAL(pcap_get_tstamp_precision(r), PCAP_TSTAMP_PRECISION_NANO);
  struct pcap_pkthdr *h;
  const u_char *d;
  unsigned n = 0;
  while (pcap_next_ex(r, &h, &d) == 1) {
    CU_ASSERT_FATAL(n < 4);
    CU_ASSERT_EQUAL(h->ts.tv_sec, 1790000000 + (int64_t)(times[n] / S));
    CU_ASSERT_EQUAL(h->ts.tv_usec, (long)(times[n] % S));
    check_udp(h, d, lens[n], n, n % 2 ? ip_b : ip_a, n % 2 ? ip_a : ip_b,
              PORT, PORT, (uint8_t)n);
    n++;
  }
  CU_ASSERT_EQUAL(n, 4);
  pcap_close(r);
  remove(path);
}

/* An inner IPv4 packet and an IPv6 one, as a node would deliver them. */
static size_t inner_v4(uint8_t *b) {
  memset(b, 0, 48);
  b[0] = 0x45;
  b[3] = 48;
  b[8] = 64;
  b[9] = 17;
  b[12] = 192, b[13] = 168, b[15] = 7;
  b[16] = 192, b[17] = 168, b[19] = 9;
  return 48;
}

static size_t inner_v6(uint8_t *b) {
  memset(b, 0, 60);
  b[0] = 0x60;
  b[5] = 20;
  b[6] = 59; /* no next header */
  b[7] = 64;
  b[8] = 0xfd, b[23] = 1;
  b[24] = 0xfd, b[39] = 2;
  return 60;
}

static void test_sim_pcap_inner_packets_as_they_are(void) {
  char path[64], err[256];
  temp_path(path, sizeof path, "inner");
  sim_pcap *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_pcap_open(&p, path, err, sizeof err), 0);
  sim_pcap_set_epoch(p, 1000);
  uint8_t v4[48], v6[60], pl[10];
  size_t n4 = inner_v4(v4), n6 = inner_v6(v6);
  payload(pl, sizeof pl, 3);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, 5 * S + 7, v4, n4), 0);
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, 5 * S + 8, ip_a, 40000, ip_b, PORT,
                                     pl, sizeof pl),
                  0);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, 6 * S, v6, n6), 0);
  CU_ASSERT_EQUAL(sim_pcap_packets(p), 3);
  CU_ASSERT_EQUAL(sim_pcap_close(p), 0);

  pcap_t *r = open_read(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  struct pcap_pkthdr *h;
  const u_char *d;
  CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
  CU_ASSERT_EQUAL(h->ts.tv_sec, 1005);
  CU_ASSERT_EQUAL(h->ts.tv_usec, 7);
  CU_ASSERT_EQUAL(h->caplen, n4);
  CU_ASSERT_EQUAL(memcmp(d, v4, n4), 0);
  CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
  CU_ASSERT_EQUAL(h->ts.tv_usec, 8);
  check_udp(h, d, sizeof pl, 0, ip_a, ip_b, 40000, PORT, 3);
  CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
  CU_ASSERT_EQUAL(h->ts.tv_sec, 1006);
  CU_ASSERT_EQUAL(h->ts.tv_usec, 0);
  CU_ASSERT_EQUAL(h->caplen, n6);
  CU_ASSERT_EQUAL(memcmp(d, v6, n6), 0);
  CU_ASSERT_EQUAL(pcap_next_ex(r, &h, &d), PCAP_ERROR_BREAK);
  pcap_close(r);
  remove(path);
}

/* The same calls into a file at path; returns the packets written. */
static uint64_t write_sample(const char *path, int64_t epoch) {
  char err[256];
  sim_pcap *p = NULL;
  if (sim_pcap_open(&p, path, err, sizeof err) != 0) return 0;
  sim_pcap_set_epoch(p, epoch);
  uint8_t buf[300], v4[48];
  for (unsigned i = 0; i < 20; i++) {
    payload(buf, 13 * i, (uint8_t)i);
    sim_pcap_write_udp(p, i * 250 * 1000000ull, ip_a, PORT, ip_b, PORT, buf,
                       13 * i);
  }
  sim_pcap_write_ip(p, 6 * S, v4, inner_v4(v4));
  uint64_t n = sim_pcap_packets(p);
  return sim_pcap_close(p) == 0 ? n : 0;
}

static long read_all(const char *path, uint8_t *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return (long)n;
}

static void test_sim_pcap_identical_calls_identical_files(void) {
  char a[64], b[64], c[64];
  temp_path(a, sizeof a, "det_a");
  temp_path(b, sizeof b, "det_b");
  temp_path(c, sizeof c, "det_c");
  CU_ASSERT_EQUAL(write_sample(a, 1790000000), 21);
  CU_ASSERT_EQUAL(write_sample(b, 1790000000), 21);
  CU_ASSERT_EQUAL(write_sample(c, 1790000001), 21);
  static uint8_t fa[16384], fb[16384], fc[16384];
  long na = read_all(a, fa, sizeof fa), nb = read_all(b, fb, sizeof fb),
       nc = read_all(c, fc, sizeof fc);
  /* 24-byte file header, 16 per record, 28 per datagram plus payloads. */
  CU_ASSERT_EQUAL(na, 24 + 21 * 16 + 20 * 28 + 13 * 190 + 48);
  CU_ASSERT_EQUAL(na, nb);
  CU_ASSERT(na > 0 && memcmp(fa, fb, (size_t)na) == 0);
  /* Only the timestamps differ with another epoch. */
  CU_ASSERT_EQUAL(nc, na);
  CU_ASSERT(nc > 24 && memcmp(fa, fc, 24) == 0 && memcmp(fa, fc, (size_t)nc));
  remove(a);
  remove(b);
  remove(c);
}

static void test_sim_pcap_open_unwritable_names_path(void) {
  static const char *const paths[] = {
      "/tmp/test_sim_pcap_no_such_dir/x.pcap", /* missing directory */
      "/tmp",                                  /* a directory */
  };
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    char err[256] = "";
    sim_pcap *p = (sim_pcap *)&err; /* must be reset to NULL */
    CU_ASSERT(sim_pcap_open(&p, paths[i], err, sizeof err) < 0);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, paths[i]));
  }
  CU_ASSERT_EQUAL(sim_pcap_close(NULL), 0);
}

static void test_sim_pcap_rejects_bad_lengths_and_times(void) {
  char path[64], err[256];
  temp_path(path, sizeof path, "bad");
  sim_pcap *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_pcap_open(&p, path, err, sizeof err), 0);
  static uint8_t big[65536];
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, 0, ip_a, PORT, ip_b, PORT, big,
                                     65507),
                  0); /* the largest IPv4 datagram */
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, 0, ip_a, PORT, ip_b, PORT, big,
                                     65508),
                  MCC_ERR_BAD_LENGTH);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, 0, big, 65536), MCC_ERR_BAD_LENGTH);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, 0, NULL, 5), MCC_ERR_INVALID_ARGUMENT);
  /* pcap seconds end in 2038. */
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, UINT64_MAX, big, 20), MCC_ERR_LIMIT);
  sim_pcap_set_epoch(p, 0x7fffffff);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, S - 1, big, 20), 0);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, S, big, 20), MCC_ERR_LIMIT);
  sim_pcap_set_epoch(p, -1);
  CU_ASSERT_EQUAL(sim_pcap_write_ip(p, 0, big, 20), MCC_ERR_LIMIT);
  CU_ASSERT_EQUAL(sim_pcap_packets(p), 2);
  CU_ASSERT_EQUAL(sim_pcap_close(p), 0);
  remove(path);
}

/* A payload whose UDP sum comes out as 0, which must go out as 0xffff
 * (0 means "no checksum", RFC 768). */
static void test_sim_pcap_udp_checksum_zero_sent_as_ffff(void) {
  uint8_t pseudo[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 10};
  uint8_t hdr[10] = {PORT >> 8, PORT & 0xff, PORT >> 8, PORT & 0xff, 0, 10};
  uint16_t w = (uint16_t)(0xffff - ocsum(pseudo, sizeof pseudo, hdr, 10));
  uint8_t pl[2] = {(uint8_t)(w >> 8), (uint8_t)w};

  char path[64], err[256];
  temp_path(path, sizeof path, "cksum0");
  sim_pcap *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_pcap_open(&p, path, err, sizeof err), 0);
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, 0, ip_a, PORT, ip_b, PORT, pl, 2), 0);
  CU_ASSERT_EQUAL(sim_pcap_close(p), 0);
  pcap_t *r = open_read(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  struct pcap_pkthdr *h;
  const u_char *d;
  CU_ASSERT_EQUAL_FATAL(pcap_next_ex(r, &h, &d), 1);
  CU_ASSERT_EQUAL_FATAL(h->caplen, 30);
  CU_ASSERT_EQUAL(be16(d + 26), 0xffff);
  CU_ASSERT_EQUAL(memcmp(d + 28, pl, 2), 0);
  pcap_close(r);
  remove(path);
}

static int on_path(const char *prog) {
  const char *env = getenv("PATH");
  if (!env) return 0;
  char dirs[4096], file[4200];
  snprintf(dirs, sizeof dirs, "%s", env);
  for (char *save, *dir = strtok_r(dirs, ":", &save); dir;
       dir = strtok_r(NULL, ":", &save)) {
    snprintf(file, sizeof file, "%s/%s", dir, prog);
    if (access(file, X_OK) == 0) return 1;
  }
  return 0;
}

static void test_sim_pcap_tshark_reads_it(void) {
  if (!on_path("tshark")) {
    printf("\n  note: tshark not on PATH, test_sim_pcap_tshark_reads_it "
           "skipped\n");
    return;
  }
  char path[64], err[256], cmd[256];
  temp_path(path, sizeof path, "tshark");
  sim_pcap *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_pcap_open(&p, path, err, sizeof err), 0);
  uint8_t buf[64];
  payload(buf, sizeof buf, 1);
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, 0, ip_a, PORT, ip_b, PORT, buf, 64),
                  0);
  CU_ASSERT_EQUAL(sim_pcap_write_udp(p, S, ip_b, PORT, ip_a, PORT, buf, 63),
                  0);
  CU_ASSERT_EQUAL(sim_pcap_close(p), 0);

  snprintf(cmd, sizeof cmd,
           "tshark -r '%s' -T fields -e ip.src -e udp.dstport 2>/dev/null",
           path);
  FILE *f = popen(cmd, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char out[512];
  size_t n = fread(out, 1, sizeof out - 1, f);
  out[n] = '\0';
  CU_ASSERT_EQUAL(pclose(f), 0);
  CU_ASSERT_STRING_EQUAL(out, "10.0.0.1\t9376\n10.0.0.2\t9376\n");
  remove(path);
}

void suite_sim_pcap(void) {
  CU_pSuite s = CU_add_suite("sim_pcap", NULL, NULL);
  ADD_TEST(s, test_sim_pcap_udp_read_back);
  ADD_TEST(s, test_sim_pcap_inner_packets_as_they_are);
  ADD_TEST(s, test_sim_pcap_identical_calls_identical_files);
  ADD_TEST(s, test_sim_pcap_open_unwritable_names_path);
  ADD_TEST(s, test_sim_pcap_rejects_bad_lengths_and_times);
  ADD_TEST(s, test_sim_pcap_udp_checksum_zero_sent_as_ffff);
  ADD_TEST(s, test_sim_pcap_tshark_reads_it);
}
