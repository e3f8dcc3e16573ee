/*
 * ippkt.h — builds IPv4 / IPv6 test packets (UDP, TCP, ICMP echo) with
 * their checksums, independently of protocol/packet.c, so the data-plane
 * tests compare what the core rebuilds with a second implementation.
 */
#ifndef MCC_TEST_IPPKT_H
#define MCC_TEST_IPPKT_H

#include <stdint.h>
#include <string.h>

static inline uint16_t ippkt_sum(const uint8_t *p, size_t n, uint32_t s) {
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

static inline uint16_t ippkt_csum(const uint8_t *p, size_t n, uint32_t s) {
  return (uint16_t)~ippkt_sum(p, n, s);
}

enum { IPPKT_UDP = 17, IPPKT_TCP = 6, IPPKT_ICMP = 1, IPPKT_ICMP6 = 58 };

/* The transport segment for proto: UDP (ports 5000 -> 7000), TCP (a
 * PSH+ACK segment with fixed numbers) or ICMP echo request (id 0x4d43,
 * seq 1), followed by payload. Checksum left zero. Returns its length. */
static inline size_t ippkt_segment(uint8_t *seg, int proto,
                                   const uint8_t *payload, size_t n) {
  size_t h;
  if (proto == IPPKT_UDP) {
    h = 8;
    memset(seg, 0, h);
    seg[0] = 0x13, seg[1] = 0x88, seg[2] = 0x1b, seg[3] = 0x58;
    seg[4] = (uint8_t)((h + n) >> 8), seg[5] = (uint8_t)(h + n);
  } else if (proto == IPPKT_TCP) {
    h = 20;
    static const uint8_t tcp[20] = {0x9c, 0x40, 0x00, 0x50, 0x11, 0x22,
                                    0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                    0x50, 0x18, 0x01, 0xf5, 0, 0, 0, 0};
    memcpy(seg, tcp, h);
  } else {
    h = 8;
    memset(seg, 0, h);
    seg[0] = proto == IPPKT_ICMP6 ? 128 : 8;
    seg[4] = 0x4d, seg[5] = 0x43, seg[7] = 1;
  }
  memcpy(seg + h, payload, n);
  return h + n;
}

static inline size_t ippkt_v4(uint8_t *out, int proto, const uint8_t src[4],
                              const uint8_t dst[4], uint16_t id, uint8_t ttl,
                              const uint8_t *payload, size_t n) {
  size_t seglen = ippkt_segment(out + 20, proto, payload, n);
  size_t total = 20 + seglen;
  memset(out, 0, 20);
  out[0] = 0x45;
  out[2] = (uint8_t)(total >> 8), out[3] = (uint8_t)total;
  out[4] = (uint8_t)(id >> 8), out[5] = (uint8_t)id;
  out[6] = 0x40; /* DF */
  out[8] = ttl;
  out[9] = (uint8_t)proto;
  memcpy(out + 12, src, 4);
  memcpy(out + 16, dst, 4);
  uint16_t c = ippkt_csum(out, 20, 0);
  out[10] = (uint8_t)(c >> 8), out[11] = (uint8_t)c;
  uint8_t *seg = out + 20;
  uint32_t pseudo = 0;
  if (proto != IPPKT_ICMP)
    pseudo = ippkt_sum(out + 12, 8, 0) + (uint32_t)proto + (uint32_t)seglen;
  int off = proto == IPPKT_UDP ? 6 : proto == IPPKT_TCP ? 16 : 2;
  c = ippkt_csum(seg, seglen, pseudo);
  if (proto == IPPKT_UDP && c == 0) c = 0xffff;
  seg[off] = (uint8_t)(c >> 8), seg[off + 1] = (uint8_t)c;
  return total;
}

static inline size_t ippkt_v6(uint8_t *out, int proto, const uint8_t src[16],
                              const uint8_t dst[16], uint8_t hops,
                              const uint8_t *payload, size_t n) {
  size_t seglen = ippkt_segment(out + 40, proto, payload, n);
  memset(out, 0, 40);
  out[0] = 0x60;
  out[4] = (uint8_t)(seglen >> 8), out[5] = (uint8_t)seglen;
  out[6] = (uint8_t)proto;
  out[7] = hops;
  memcpy(out + 8, src, 16);
  memcpy(out + 24, dst, 16);
  uint32_t pseudo = ippkt_sum(out + 8, 32, 0) + (uint32_t)proto + (uint32_t)seglen;
  int off = proto == IPPKT_UDP ? 6 : proto == IPPKT_TCP ? 16 : 2;
  uint16_t c = ippkt_csum(out + 40, seglen, pseudo);
  if (proto == IPPKT_UDP && c == 0) c = 0xffff;
  out[40 + off] = (uint8_t)(c >> 8), out[40 + off + 1] = (uint8_t)c;
  return 40 + seglen;
}

#endif
