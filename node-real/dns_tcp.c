/*
 * dns_tcp.c — DNS over TCP's length-prefixed framing and one connection's
 * input and output buffers (dns_tcp.h). No sockets here: the daemon's
 * dns_conns.c reads into and writes from these buffers.
 */
#include "dns_tcp.h"

#include <string.h>

#define FRAME_MSG_MAX 65535 /* what two bytes of length can say */

enum dns_tcp_take dns_tcp_next(const uint8_t *buf, size_t len, size_t max,
                               const uint8_t **pmsg, size_t *pmsglen) {
  if (len < DNS_TCP_PREFIX) return DNS_TCP_MORE;
  size_t n = (size_t)buf[0] << 8 | buf[1];
  if (n == 0 || n > max) return DNS_TCP_BAD;
  if (len - DNS_TCP_PREFIX < n) return DNS_TCP_MORE;
  *pmsg = buf + DNS_TCP_PREFIX;
  *pmsglen = n;
  return DNS_TCP_MSG;
}

size_t dns_tcp_frame(const uint8_t *msg, size_t msglen, uint8_t *out,
                     size_t outcap) {
  if (msglen == 0 || msglen > FRAME_MSG_MAX || outcap < DNS_TCP_PREFIX ||
      outcap - DNS_TCP_PREFIX < msglen)
    return 0;
  out[0] = (uint8_t)(msglen >> 8);
  out[1] = (uint8_t)msglen;
  memmove(out + DNS_TCP_PREFIX, msg, msglen);
  return DNS_TCP_PREFIX + msglen;
}

void dns_tcp_buf_init(dns_tcp_buf *b) {
  b->inlen = 0;
  b->outoff = b->outlen = 0;
}

uint8_t *dns_tcp_in_room(dns_tcp_buf *b, size_t *proom) {
  *proom = sizeof b->in - b->inlen;
  return b->in + b->inlen;
}

void dns_tcp_in_commit(dns_tcp_buf *b, size_t n) {
  size_t room = sizeof b->in - b->inlen;
  b->inlen += n < room ? n : room;
}

enum dns_tcp_take dns_tcp_in_take(dns_tcp_buf *b, uint8_t *msg,
                                  size_t *pmsglen) {
  const uint8_t *m;
  size_t n;
  enum dns_tcp_take t = dns_tcp_next(b->in, b->inlen, DNS_TCP_QUERY_MAX, &m, &n);
  if (t != DNS_TCP_MSG) return t;
  memcpy(msg, m, n);
  *pmsglen = n;
  size_t used = DNS_TCP_PREFIX + n;
  memmove(b->in, b->in + used, b->inlen - used);
  b->inlen -= used;
  return DNS_TCP_MSG;
}

/* The written bytes' room back, once the output is empty or too far on. */
static void out_compact(dns_tcp_buf *b) {
  if (b->outoff == 0) return;
  memmove(b->out, b->out + b->outoff, b->outlen - b->outoff);
  b->outlen -= b->outoff;
  b->outoff = 0;
}

int dns_tcp_out_has_room(const dns_tcp_buf *b) {
  return sizeof b->out - (b->outlen - b->outoff) >=
         DNS_TCP_PREFIX + DNS_TCP_ANSWER_MAX;
}

int dns_tcp_out_put(dns_tcp_buf *b, const uint8_t *msg, size_t msglen) {
  if (sizeof b->out - b->outlen < DNS_TCP_PREFIX + msglen) out_compact(b);
  size_t n = dns_tcp_frame(msg, msglen, b->out + b->outlen,
                           sizeof b->out - b->outlen);
  if (n == 0) return -1;
  b->outlen += n;
  return 0;
}

const uint8_t *dns_tcp_out_pending(const dns_tcp_buf *b, size_t *plen) {
  *plen = b->outlen - b->outoff;
  return b->out + b->outoff;
}

void dns_tcp_out_sent(dns_tcp_buf *b, size_t n) {
  size_t pending = b->outlen - b->outoff;
  b->outoff += n < pending ? n : pending;
  if (b->outoff == b->outlen) b->outoff = b->outlen = 0;
}
