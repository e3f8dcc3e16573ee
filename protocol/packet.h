/*
 * packet.h — the compact inner header. Overlay addresses are node-local, so
 * the receiver rewrites them anyway: the sender strips the inner IP header
 * and every length and checksum the receiver can recompute, and the
 * receiver rebuilds a packet its local stack accepts. Layout in PROTOCOL.md
 * ("Compact inner packet").
 */
#ifndef MCC_PACKET_H
#define MCC_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

enum {
  PACKET_FORM_MASK = 0x03,
  PACKET_FORM_IPV4 = 0,
  PACKET_FORM_IPV6 = 1,
  PACKET_FORM_RAW4 = 2, /* IPv4 with options or fragmented: carried whole */
  PACKET_PROTO_SHIFT = 2,
  PACKET_PROTO_MASK = 0x0c,
  PACKET_PROTO_UDP = 0,
  PACKET_PROTO_TCP = 1,
  PACKET_PROTO_ICMP = 2, /* ICMP for IPv4, ICMPv6 for IPv6 */
  PACKET_PROTO_OTHER = 3, /* the protocol number follows */
  PACKET_FLAG_LZ4 = 0x10,
  PACKET_FLAG_TOS = 0x20,  /* TOS / traffic class byte follows */
  PACKET_FLAG_FLOW = 0x40, /* IPv6 flow label follows, 3 bytes */
  PACKET_FLAG_RESERVED = 0x80,
  /* The largest inner packet: the TUN MTU (tun-device-mtu). */
  PACKET_MAX_INNER = MCC_MAX_PACKET,
  /* The most a compact packet can take: flags, then the whole packet. */
  PACKET_MAX_COMPACT = 1 + PACKET_MAX_INNER + 16,
  PACKET_DEFAULT_TTL = 64,
};

/* The inner destination: family 4 or 6 and a pointer into ip. */
int packet_destination(const uint8_t *ip, size_t iplen, int *pfamily,
                       const uint8_t **paddr);

/* The protocol and ports of a TCP or UDP packet (IPv4, not a later
 * fragment; IPv6 with TCP or UDP as its first next header): 0, or
 * MCC_ERR_TYPE for anything that has no ports to judge it by (other
 * protocols, later fragments, extension headers), MCC_ERR_TRUNCATED. */
int packet_ports(const uint8_t *ip, size_t iplen, uint8_t *pproto,
                 uint16_t *psport, uint16_t *pdport);

/* Compacts an IP packet (at most PACKET_MAX_INNER bytes) into out (at least
 * PACKET_MAX_COMPACT bytes); compresses with lz4 when asked and smaller. */
int packet_compact(const uint8_t *ip, size_t iplen, int lz4, uint8_t *out,
                   size_t *poutlen);

/* Rebuilds the packet with the receiver's view: src is the sender's local
 * address, dst ours (4 bytes each for IPv4 forms, 16 for IPv6). out holds
 * at least PACKET_MAX_INNER bytes. Every length is checked. */
int packet_rebuild(const uint8_t *c, size_t clen, const uint8_t *src4,
                   const uint8_t *dst4, const uint8_t *src6,
                   const uint8_t *dst6, uint8_t *out, size_t *poutlen);

/* The Internet checksum of a whole IPv4 header, for tests. */
uint16_t packet_ip_checksum(const uint8_t *hdr, size_t len);
/* 1 when every checksum of the packet (IP header, UDP, TCP, ICMP, ICMPv6)
 * verifies; for tests and the fuzzer's invariants. */
int packet_checksums_ok(const uint8_t *ip, size_t iplen);

#endif
