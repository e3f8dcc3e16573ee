/*
 * packet.c — compacting inner IP packets and rebuilding them (packet.h).
 * What the receiver can recompute is never sent: the IPv4 header (20 bytes)
 * or IPv6 header (40), the UDP length and checksum, TCP and ICMP checksums.
 * What it rebuilds and cannot know: IPv4 identification 0 with DF set, and
 * TTL / hop limit 64 (documented in PROTOCOL.md).
 */
#include <lz4.h>
#include <string.h>

#include <mcc/mcc.h>

#include "packet.h"

enum { IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17,
       IPPROTO_ICMPV6_ = 58 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* One's complement sum of big-endian 16-bit words. The sum does not
 * depend on byte order (RFC 1071, 2B), so a little-endian host adds native
 * 32-bit halves of 64-bit loads and swaps the folded result once. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t len) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t native = 0;
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    native += (w & 0xffffffffu) + (w >> 32);
  }
  for (; len >= 2; p += 2, len -= 2) native += (uint64_t)(p[0] | p[1] << 8);
  if (len) native += p[0];
  while (native >> 16) native = (native & 0xffff) + (native >> 16);
  return sum + (uint64_t)(((native & 0xff) << 8) | (native >> 8));
#else
  for (; len > 1; p += 2, len -= 2) sum += (uint64_t)(p[0] << 8 | p[1]);
  if (len) sum += (uint64_t)p[0] << 8;
  return sum;
#endif
}

static uint16_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

uint16_t packet_ip_checksum(const uint8_t *hdr, size_t len) {
  return fold(sum16(0, hdr, len));
}

/* Sum of the pseudo-header (none for ICMPv4). */
static uint64_t pseudo_sum(int v6, const uint8_t *src, const uint8_t *dst,
                           uint8_t proto, size_t seglen) {
  if (!v6 && proto == IPPROTO_ICMP_) return 0;
  uint64_t s = sum16(sum16(0, src, v6 ? 16 : 4), dst, v6 ? 16 : 4);
  return s + proto + (seglen >> 16) + (seglen & 0xffff);
}

/* Offset of the transport checksum in a segment, or -1 for none we know. */
static int checksum_offset(int v6, uint8_t proto, size_t seglen) {
  if (proto == IPPROTO_UDP_ && seglen >= 8) return 6;
  if (proto == IPPROTO_TCP_ && seglen >= 20) return 16;
  if ((v6 ? proto == IPPROTO_ICMPV6_ : proto == IPPROTO_ICMP_) && seglen >= 4)
    return 2;
  return -1;
}

static void fill_checksum(int v6, const uint8_t *src, const uint8_t *dst,
                          uint8_t proto, uint8_t *seg, size_t seglen) {
  int off = checksum_offset(v6, proto, seglen);
  if (off < 0) return;
  wr16(seg + off, 0);
  uint16_t c = fold(sum16(pseudo_sum(v6, src, dst, proto, seglen), seg,
                          seglen));
  if (proto == IPPROTO_UDP_ && c == 0) c = 0xffff;
  wr16(seg + off, c);
}

static int proto_code(int v6, uint8_t proto, const uint8_t *seg,
                      size_t seglen);

int packet_checksums_ok(const uint8_t *ip, size_t iplen) {
  if (iplen < 20) return 0;
  int v6 = (ip[0] >> 4) == 6;
  size_t hlen = v6 ? 40 : (size_t)(ip[0] & 15) * 4;
  if (iplen < hlen) return 0;
  if (!v6 && packet_ip_checksum(ip, hlen) != 0) return 0;
  uint8_t proto = v6 ? ip[6] : ip[9];
  const uint8_t *src = ip + (v6 ? 8 : 12), *dst = ip + (v6 ? 24 : 16);
  size_t seglen = iplen - hlen;
  int off = checksum_offset(v6, proto, seglen);
  if (off < 0 || proto_code(v6, proto, ip + hlen, seglen) == PACKET_PROTO_OTHER)
    return 1; /* not a transport we parse */
  if (!v6 && proto == IPPROTO_UDP_ && be16(ip + hlen + 6) == 0) return 1;
  return fold(sum16(pseudo_sum(v6, src, dst, proto, seglen), ip + hlen,
                    seglen)) == 0;
}

int packet_destination(const uint8_t *ip, size_t iplen, int *pfamily,
                       const uint8_t **paddr) {
  if (iplen < 1) return MCC_ERR_TRUNCATED;
  int v = ip[0] >> 4;
  if (v == 4 && iplen >= 20) {
    *pfamily = 4;
    *paddr = ip + 16;
    return 0;
  }
  if (v == 6 && iplen >= 40) {
    *pfamily = 6;
    *paddr = ip + 24;
    return 0;
  }
  return v == 4 || v == 6 ? MCC_ERR_TRUNCATED : MCC_ERR_VERSION;
}

int packet_ports(const uint8_t *ip, size_t iplen, uint8_t *pproto,
                 uint16_t *psport, uint16_t *pdport) {
  if (iplen < 1) return MCC_ERR_TRUNCATED;
  size_t off;
  uint8_t proto;
  if (ip[0] >> 4 == 4) {
    if (iplen < 20) return MCC_ERR_TRUNCATED;
    off = (size_t)(ip[0] & 0x0f) * 4;
    if (off < 20) return MCC_ERR_BAD_LENGTH;
    if ((((ip[6] & 0x1f) << 8) | ip[7]) != 0) return MCC_ERR_TYPE; /* later
                                                                      fragment */
    proto = ip[9];
  } else if (ip[0] >> 4 == 6) {
    if (iplen < 40) return MCC_ERR_TRUNCATED;
    off = 40;
    proto = ip[6];
  } else {
    return MCC_ERR_VERSION;
  }
  if (proto != 6 && proto != 17) return MCC_ERR_TYPE;
  if (iplen < off + 4) return MCC_ERR_TRUNCATED;
  *pproto = proto;
  *psport = (uint16_t)((ip[off] << 8) | ip[off + 1]);
  *pdport = (uint16_t)((ip[off + 2] << 8) | ip[off + 3]);
  return 0;
}

/* Appends the compact transport part of a segment. */
static size_t compact_transport(int code, const uint8_t *seg, size_t seglen,
                                uint8_t *out) {
  switch (code) {
  case PACKET_PROTO_UDP: /* ports; no length, no checksum */
    memcpy(out, seg, 4);
    memcpy(out + 4, seg + 8, seglen - 8);
    return seglen - 4;
  case PACKET_PROTO_TCP: /* the header without its checksum */
    memcpy(out, seg, 16);
    memcpy(out + 16, seg + 18, seglen - 18);
    return seglen - 2;
  case PACKET_PROTO_ICMP: /* type, code, no checksum, the rest */
    memcpy(out, seg, 2);
    memcpy(out + 2, seg + 4, seglen - 4);
    return seglen - 2;
  default:
    memcpy(out, seg, seglen);
    return seglen;
  }
}

static int proto_code(int v6, uint8_t proto, const uint8_t *seg,
                      size_t seglen) {
  if (proto == IPPROTO_UDP_ && seglen >= 8 && be16(seg + 4) == seglen)
    return PACKET_PROTO_UDP;
  if (proto == IPPROTO_TCP_ && seglen >= 20 && (seg[12] >> 4) * 4 >= 20 &&
      (size_t)(seg[12] >> 4) * 4 <= seglen)
    return PACKET_PROTO_TCP;
  if ((v6 ? proto == IPPROTO_ICMPV6_ : proto == IPPROTO_ICMP_) && seglen >= 4)
    return PACKET_PROTO_ICMP;
  return PACKET_PROTO_OTHER;
}

int packet_compact(const uint8_t *ip, size_t iplen, int lz4, uint8_t *out,
                   size_t *poutlen) {
  if (iplen < 1) return MCC_ERR_TRUNCATED;
  if (iplen > PACKET_MAX_INNER) return MCC_ERR_BAD_LENGTH;
  /* Built in place unless it may be compressed. */
  uint8_t scratch[PACKET_MAX_COMPACT];
  uint8_t *body = lz4 ? scratch : out + 1;
  size_t blen = 0;
  uint8_t flags;
  int v = ip[0] >> 4;
  if (v == 4) {
    if (iplen < 20) return MCC_ERR_TRUNCATED;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = be16(ip + 2);
    if (ihl < 20 || total < ihl) return MCC_ERR_BAD_LENGTH;
    if (total > iplen) return MCC_ERR_TRUNCATED;
    if (ihl > 20 || (be16(ip + 6) & 0x3fff)) { /* options or a fragment */
      flags = PACKET_FORM_RAW4;
      memcpy(body, ip, total);
      blen = total;
    } else {
      const uint8_t *seg = ip + ihl;
      size_t seglen = total - ihl;
      int code = proto_code(0, ip[9], seg, seglen);
      flags = (uint8_t)(PACKET_FORM_IPV4 | code << PACKET_PROTO_SHIFT);
      if (code == PACKET_PROTO_OTHER) body[blen++] = ip[9];
      if (ip[1]) {
        flags |= PACKET_FLAG_TOS;
        body[blen++] = ip[1];
      }
      blen += compact_transport(code, seg, seglen, body + blen);
    }
  } else if (v == 6) {
    if (iplen < 40) return MCC_ERR_TRUNCATED;
    size_t seglen = be16(ip + 4);
    if (40 + seglen > iplen) return MCC_ERR_TRUNCATED;
    const uint8_t *seg = ip + 40;
    uint8_t tc = (uint8_t)((ip[0] & 15) << 4 | ip[1] >> 4);
    uint32_t flow = (uint32_t)(ip[1] & 15) << 16 | (uint32_t)ip[2] << 8 | ip[3];
    int code = proto_code(1, ip[6], seg, seglen);
    flags = (uint8_t)(PACKET_FORM_IPV6 | code << PACKET_PROTO_SHIFT);
    if (code == PACKET_PROTO_OTHER) body[blen++] = ip[6];
    if (tc) {
      flags |= PACKET_FLAG_TOS;
      body[blen++] = tc;
    }
    if (flow) {
      flags |= PACKET_FLAG_FLOW;
      body[blen++] = (uint8_t)(flow >> 16);
      body[blen++] = (uint8_t)(flow >> 8);
      body[blen++] = (uint8_t)flow;
    }
    blen += compact_transport(code, seg, seglen, body + blen);
  } else {
    return MCC_ERR_VERSION;
  }
  if (lz4 && blen > 0) {
    int n = LZ4_compress_default((const char *)body, (char *)out + 1,
                                 (int)blen, (int)(PACKET_MAX_COMPACT - 1));
    if (n > 0 && (size_t)n < blen) {
      out[0] = flags | PACKET_FLAG_LZ4;
      *poutlen = 1 + (size_t)n;
      return 0;
    }
  }
  out[0] = flags;
  if (body != out + 1) memcpy(out + 1, body, blen);
  *poutlen = 1 + blen;
  return 0;
}

/* Raw IPv4: rewrite the addresses and repair what depends on them. */
static int rebuild_raw4(const uint8_t *ip, size_t len, const uint8_t *src,
                        const uint8_t *dst, uint8_t *out, size_t *poutlen) {
  if (len < 20 || (ip[0] >> 4) != 4) return MCC_ERR_VALUE;
  size_t ihl = (size_t)(ip[0] & 15) * 4;
  if (ihl < 20 || ihl > len || be16(ip + 2) != len) return MCC_ERR_BAD_LENGTH;
  memcpy(out, ip, len);
  uint64_t old_addrs = sum16(0, ip + 12, 8);
  memcpy(out + 12, src, 4);
  memcpy(out + 16, dst, 4);
  wr16(out + 10, 0);
  wr16(out + 10, packet_ip_checksum(out, ihl));
  uint16_t frag = be16(out + 6);
  uint8_t proto = out[9];
  uint8_t *seg = out + ihl;
  size_t seglen = len - ihl;
  if ((frag & 0x3fff) == 0) {
    fill_checksum(0, src, dst, proto, seg, seglen);
  } else if ((frag & 0x1fff) == 0) {
    /* First fragment: adjust the transport checksum for the new addresses
     * (RFC 1624: HC' = ~(~HC + ~m + m')). */
    int off = checksum_offset(0, proto, seglen);
    if (off >= 0 && proto != IPPROTO_ICMP_ &&
        !(proto == IPPROTO_UDP_ && be16(seg + off) == 0)) {
      uint64_t s = (uint16_t)~be16(seg + off); /* ~HC */
      s += fold(old_addrs);                     /* ~m: fold complements */
      s = sum16(s, out + 12, 8);                /* m' */
      uint16_t c = fold(s);
      wr16(seg + off, proto == IPPROTO_UDP_ && c == 0 ? 0xffff : c);
    }
  }
  *poutlen = len;
  return 0;
}

int packet_rebuild(const uint8_t *c, size_t clen, const uint8_t *src4,
                   const uint8_t *dst4, const uint8_t *src6,
                   const uint8_t *dst6, uint8_t *out, size_t *poutlen) {
  if (clen < 1) return MCC_ERR_TRUNCATED;
  uint8_t flags = c[0];
  if (flags & PACKET_FLAG_RESERVED) return MCC_ERR_VALUE;
  const uint8_t *body = c + 1;
  size_t blen = clen - 1;
  uint8_t plain[PACKET_MAX_INNER + 8];
  if (flags & PACKET_FLAG_LZ4) {
    int n = LZ4_decompress_safe((const char *)body, (char *)plain, (int)blen,
                                (int)sizeof plain);
    if (n < 0) return MCC_ERR_VALUE;
    body = plain;
    blen = (size_t)n;
  }
  int form = flags & PACKET_FORM_MASK;
  if (form == PACKET_FORM_RAW4)
    return blen > PACKET_MAX_INNER
               ? MCC_ERR_BAD_LENGTH
               : rebuild_raw4(body, blen, src4, dst4, out, poutlen);
  if (form != PACKET_FORM_IPV4 && form != PACKET_FORM_IPV6)
    return MCC_ERR_VALUE;
  int v6 = form == PACKET_FORM_IPV6;
  int code = (flags & PACKET_PROTO_MASK) >> PACKET_PROTO_SHIFT;
  size_t i = 0;
  uint8_t proto, tos = 0;
  uint32_t flow = 0;
  if (code == PACKET_PROTO_OTHER) {
    if (blen < 1) return MCC_ERR_TRUNCATED;
    proto = body[i++];
  } else {
    static const uint8_t v4p[] = {IPPROTO_UDP_, IPPROTO_TCP_, IPPROTO_ICMP_};
    static const uint8_t v6p[] = {IPPROTO_UDP_, IPPROTO_TCP_, IPPROTO_ICMPV6_};
    proto = v6 ? v6p[code] : v4p[code];
  }
  if (flags & PACKET_FLAG_TOS) {
    if (blen - i < 1) return MCC_ERR_TRUNCATED;
    tos = body[i++];
  }
  if (flags & PACKET_FLAG_FLOW) {
    if (!v6) return MCC_ERR_VALUE;
    if (blen - i < 3) return MCC_ERR_TRUNCATED;
    flow = (uint32_t)(body[i] & 15) << 16 | (uint32_t)body[i + 1] << 8 |
           body[i + 2];
    if (body[i] >> 4) return MCC_ERR_VALUE;
    i += 3;
  }
  const uint8_t *t = body + i;
  size_t tlen = blen - i, hlen = v6 ? 40 : 20, seglen;
  uint8_t *seg = out + hlen;
  switch (code) {
  case PACKET_PROTO_UDP:
    if (tlen < 4) return MCC_ERR_TRUNCATED;
    seglen = tlen + 4;
    break;
  case PACKET_PROTO_TCP:
    if (tlen < 18) return MCC_ERR_TRUNCATED;
    seglen = tlen + 2;
    if ((t[12] >> 4) * 4u < 20 || (t[12] >> 4) * 4u > seglen)
      return MCC_ERR_VALUE;
    break;
  case PACKET_PROTO_ICMP:
    if (tlen < 2) return MCC_ERR_TRUNCATED;
    seglen = tlen + 2;
    break;
  default:
    seglen = tlen;
  }
  if (hlen + seglen > PACKET_MAX_INNER) return MCC_ERR_BAD_LENGTH;
  switch (code) {
  case PACKET_PROTO_UDP:
    memcpy(seg, t, 4);
    wr16(seg + 4, (uint16_t)seglen);
    memcpy(seg + 8, t + 4, tlen - 4);
    break;
  case PACKET_PROTO_TCP:
    memcpy(seg, t, 16);
    memcpy(seg + 18, t + 16, tlen - 16);
    break;
  case PACKET_PROTO_ICMP:
    memcpy(seg, t, 2);
    memcpy(seg + 4, t + 2, tlen - 2);
    break;
  default:
    memcpy(seg, t, tlen);
  }
  if (v6) {
    out[0] = (uint8_t)(0x60 | tos >> 4);
    out[1] = (uint8_t)((tos & 15) << 4 | flow >> 16);
    out[2] = (uint8_t)(flow >> 8);
    out[3] = (uint8_t)flow;
    wr16(out + 4, (uint16_t)seglen);
    out[6] = proto;
    out[7] = PACKET_DEFAULT_TTL;
    memcpy(out + 8, src6, 16);
    memcpy(out + 24, dst6, 16);
  } else {
    out[0] = 0x45;
    out[1] = tos;
    wr16(out + 2, (uint16_t)(hlen + seglen));
    wr16(out + 4, 0);
    wr16(out + 6, 0x4000); /* DF */
    out[8] = PACKET_DEFAULT_TTL;
    out[9] = proto;
    wr16(out + 10, 0);
    memcpy(out + 12, src4, 4);
    memcpy(out + 16, dst4, 4);
    wr16(out + 10, packet_ip_checksum(out, 20));
  }
  /* "Other" payloads are carried as they are, even a malformed UDP or
   * TCP segment: repairing what we did not parse would invent bytes. */
  if (code != PACKET_PROTO_OTHER)
    fill_checksum(v6, v6 ? src6 : src4, v6 ? dst6 : dst4, proto, seg, seglen);
  *poutlen = hlen + seglen;
  return 0;
}
