/*
 * pcap.c — writes the simulator's captures through libpcap's savefile
 * writer (pcap_open_dead + pcap_dump), building the IPv4 and UDP headers an
 * underlay link would carry. All state lives in the sim_pcap handle.
 */
#include "pcap.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#define IPV4_HDR_LEN 20
#define UDP_HDR_LEN 8
#define IPV4_MAX_LEN 65535
#define IPV4_FLAG_DF 0x4000
#define IPV4_TTL 64
#define IPPROTO_UDP_NUM 17
#define NS_PER_S 1000000000ull
#define PCAP_MAX_SEC 0x7fffffff /* pcap_dump stores seconds as int32 */

struct sim_pcap {
  pcap_t *dead;       /* only carries link type, snaplen, precision */
  pcap_dumper_t *dumper;
  int64_t epoch_s;
  uint64_t packets;
  uint16_t ip_id;     /* next IPv4 identification */
  int failed;         /* a write failed; sticky until close */
  uint8_t *buf;       /* one packet being built */
  size_t bufcap;
};

static void put16(uint8_t *b, uint16_t v) {
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}

/* RFC 1071 sum of data, added to sum (not yet folded or inverted). */
static uint32_t sum16(uint32_t sum, const uint8_t *data, size_t len) {
  size_t i;
  for (i = 0; i + 1 < len; i += 2) sum += (uint32_t)data[i] << 8 | data[i + 1];
  if (len & 1) sum += (uint32_t)data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

static uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void set_err(char *err, size_t errlen, const char *path,
                    const char *what) {
  if (!err || !errlen) return;
  /* libpcap's messages usually name the file already. */
  if (strstr(what, path))
    snprintf(err, errlen, "capture file %s", what);
  else
    snprintf(err, errlen, "capture file %s: %s", path, what);
}

int sim_pcap_open(sim_pcap **pp, const char *path, char *err, size_t errlen) {
  if (!pp || !path) {
    set_err(err, errlen, path ? path : "(null)", "no path given");
    return MCC_ERR_INVALID_ARGUMENT;
  }
  *pp = NULL;
  sim_pcap *p = calloc(1, sizeof *p);
  if (!p) {
    set_err(err, errlen, path, "out of memory");
    return MCC_ERR_NOMEM;
  }
  p->epoch_s = SIM_PCAP_EPOCH_DEFAULT_S;
  p->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, SIM_PCAP_SNAPLEN,
                                                 PCAP_TSTAMP_PRECISION_NANO);
  if (!p->dead) {
    set_err(err, errlen, path, "out of memory");
    free(p);
    return MCC_ERR_NOMEM;
  }
  p->dumper = pcap_dump_open(p->dead, path);
  if (!p->dumper) {
    set_err(err, errlen, path, pcap_geterr(p->dead));
    pcap_close(p->dead);
    free(p);
    return MCC_ERR_INVALID_ARGUMENT;
  }
  *pp = p;
  return 0;
}

void sim_pcap_set_epoch(sim_pcap *p, int64_t epoch_s) {
  if (p) p->epoch_s = epoch_s;
}

uint64_t sim_pcap_packets(const sim_pcap *p) { return p ? p->packets : 0; }

static int reserve(sim_pcap *p, size_t len) {
  if (len <= p->bufcap) return 0;
  size_t cap = p->bufcap ? p->bufcap : 2048;
  while (cap < len) cap *= 2;
  uint8_t *b = realloc(p->buf, cap);
  if (!b) return MCC_ERR_NOMEM;
  p->buf = b;
  p->bufcap = cap;
  return 0;
}

/* Seconds and nanoseconds of time_ns after the epoch, within what a pcap
 * record can hold. */
static int timestamp(const sim_pcap *p, uint64_t time_ns, struct timeval *tv) {
  uint64_t s = time_ns / NS_PER_S;
  if (p->epoch_s < 0 || p->epoch_s > PCAP_MAX_SEC ||
      s > (uint64_t)(PCAP_MAX_SEC - p->epoch_s))
    return MCC_ERR_LIMIT;
  tv->tv_sec = (time_t)(p->epoch_s + (int64_t)s);
  tv->tv_usec = (suseconds_t)(time_ns % NS_PER_S); /* ns: nano precision */
  return 0;
}

static int dump(sim_pcap *p, const struct timeval *tv, const uint8_t *data,
                size_t len) {
  struct pcap_pkthdr h;
  memset(&h, 0, sizeof h);
  h.ts = *tv;
  h.caplen = h.len = (bpf_u_int32)len;
  pcap_dump((u_char *)p->dumper, &h, data);
  if (ferror(pcap_dump_file(p->dumper))) {
    p->failed = 1;
    return MCC_ERR_LIMIT;
  }
  p->packets++;
  return 0;
}

int sim_pcap_write_udp(sim_pcap *p, uint64_t time_ns, const uint8_t src_ip[4],
                       uint16_t src_port, const uint8_t dst_ip[4],
                       uint16_t dst_port, const uint8_t *payload, size_t len) {
  if (!p || !src_ip || !dst_ip || (!payload && len))
    return MCC_ERR_INVALID_ARGUMENT;
  if (len > IPV4_MAX_LEN - IPV4_HDR_LEN - UDP_HDR_LEN)
    return MCC_ERR_BAD_LENGTH;
  if (p->failed) return MCC_ERR_LIMIT;
  struct timeval tv;
  int rv = timestamp(p, time_ns, &tv);
  if (rv) return rv;
  size_t total = IPV4_HDR_LEN + UDP_HDR_LEN + len;
  if ((rv = reserve(p, total))) return rv;

  uint8_t *ip = p->buf, *udp = p->buf + IPV4_HDR_LEN;
  ip[0] = 0x45; /* version 4, IHL 5 words */
  ip[1] = 0;    /* DSCP/ECN */
  put16(ip + 2, (uint16_t)total);
  put16(ip + 4, p->ip_id);
  put16(ip + 6, IPV4_FLAG_DF);
  ip[8] = IPV4_TTL;
  ip[9] = IPPROTO_UDP_NUM;
  put16(ip + 10, 0);
  memcpy(ip + 12, src_ip, 4);
  memcpy(ip + 16, dst_ip, 4);
  put16(ip + 10, fold(sum16(0, ip, IPV4_HDR_LEN)));

  uint16_t udplen = (uint16_t)(UDP_HDR_LEN + len);
  put16(udp, src_port);
  put16(udp + 2, dst_port);
  put16(udp + 4, udplen);
  put16(udp + 6, 0);
  if (len) memcpy(udp + UDP_HDR_LEN, payload, len);
  /* Pseudo-header: addresses, zero, protocol, UDP length (RFC 768). */
  uint32_t sum = sum16(0, ip + 12, 8);
  sum += IPPROTO_UDP_NUM + udplen;
  sum = sum16(sum, udp, udplen);
  uint16_t ck = fold(sum);
  put16(udp + 6, ck ? ck : 0xffff); /* 0 would mean "no checksum" */

  if ((rv = dump(p, &tv, p->buf, total))) return rv;
  p->ip_id++;
  return 0;
}

int sim_pcap_write_ip(sim_pcap *p, uint64_t time_ns, const uint8_t *ip,
                      size_t len) {
  if (!p || (!ip && len)) return MCC_ERR_INVALID_ARGUMENT;
  if (len > SIM_PCAP_SNAPLEN) return MCC_ERR_BAD_LENGTH;
  if (p->failed) return MCC_ERR_LIMIT;
  struct timeval tv;
  int rv = timestamp(p, time_ns, &tv);
  if (rv) return rv;
  static const uint8_t none[1];
  return dump(p, &tv, len ? ip : none, len);
}

int sim_pcap_close(sim_pcap *p) {
  if (!p) return 0;
  int rv = p->failed ? MCC_ERR_LIMIT : 0;
  if (pcap_dump_flush(p->dumper) != 0 || ferror(pcap_dump_file(p->dumper)))
    rv = MCC_ERR_LIMIT;
  pcap_dump_close(p->dumper);
  pcap_close(p->dead);
  free(p->buf);
  free(p);
  return rv;
}
