/*
 * dns_tcp.h — DNS over TCP's framing (RFC 1035 4.2.2, RFC 7766 section 8):
 * every message on the stream is preceded by its length, two bytes in
 * network order. Pure: the host reads and writes the socket; these
 * functions only cut complete queries out of the bytes read so far and
 * frame the answers that wait to be written, in buffers of fixed size.
 *
 * Bounds, per connection:
 *   DNS_TCP_QUERY_MAX  a query of at most 1,500 bytes (what the UDP path
 *                      reads); a length prefix of 0 or over it ends the
 *                      connection: nothing after it can be framed again.
 *   DNS_TCP_OUT_MAX    4 KiB of answers waiting for the client to read; the
 *                      host takes no new query while less than a largest
 *                      answer's room is left, so a client that sends and
 *                      never reads only stalls its own connection.
 */
#ifndef MCC_REAL_DNS_TCP_H
#define MCC_REAL_DNS_TCP_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TCP_PREFIX 2          /* bytes of the length before a message */
#define DNS_TCP_QUERY_MAX 1500    /* bytes of one query taken */
#define DNS_TCP_ANSWER_MAX 1500   /* bytes of one answer the host writes */
#define DNS_TCP_OUT_MAX 4096      /* bytes of framed answers held */

/* What dns_tcp_take says. */
enum dns_tcp_take {
  DNS_TCP_MORE = 0, /* no complete message yet: read more */
  DNS_TCP_MSG = 1,  /* one message taken */
  DNS_TCP_BAD = -1, /* a length of 0 or over the maximum: close */
};

/* The first complete message of a stream's bytes buf[0..len) whose
 * messages are at most max bytes: *pmsglen and *pmsg (inside buf) and
 * DNS_TCP_MSG; it takes DNS_TCP_PREFIX + *pmsglen bytes of buf.
 * DNS_TCP_MORE while the prefix or the message is incomplete (a prefix
 * over max is DNS_TCP_BAD at once, before its bytes come). */
enum dns_tcp_take dns_tcp_next(const uint8_t *buf, size_t len, size_t max,
                               const uint8_t **pmsg, size_t *pmsglen);

/* msg (1 to 65,535 bytes) with its length before it, into out: returns
 * DNS_TCP_PREFIX + msglen, or 0 (nothing written) when it does not fit
 * outcap or msglen is 0 or over 65,535. */
size_t dns_tcp_frame(const uint8_t *msg, size_t msglen, uint8_t *out,
                     size_t outcap);

/* One connection's buffers. An embedded object: dns_tcp_buf_init, no
 * clear needed. */
typedef struct dns_tcp_buf {
  size_t inlen;                /* bytes read, not yet taken */
  size_t outoff, outlen;       /* framed answers: out[outoff..outlen) */
  uint8_t in[DNS_TCP_PREFIX + DNS_TCP_QUERY_MAX];
  uint8_t out[DNS_TCP_OUT_MAX];
} dns_tcp_buf;

void dns_tcp_buf_init(dns_tcp_buf *b);

/* Where the next read goes and how much fits (0: the input is full). */
uint8_t *dns_tcp_in_room(dns_tcp_buf *b, size_t *proom);
/* n bytes were read into the room. */
void dns_tcp_in_commit(dns_tcp_buf *b, size_t n);
/* Takes the next complete query into msg (DNS_TCP_QUERY_MAX bytes) and
 * drops it from the input: dns_tcp_next's values. On DNS_TCP_BAD the
 * input is left as it was. */
enum dns_tcp_take dns_tcp_in_take(dns_tcp_buf *b, uint8_t *msg,
                                  size_t *pmsglen);

/* Whether an answer of up to DNS_TCP_ANSWER_MAX bytes would fit now. */
int dns_tcp_out_has_room(const dns_tcp_buf *b);
/* Frames msg at the end of the output: 0, or -1 (nothing added) when it
 * does not fit or is not a message dns_tcp_frame takes. */
int dns_tcp_out_put(dns_tcp_buf *b, const uint8_t *msg, size_t msglen);
/* The bytes waiting to be written (*plen 0: none). */
const uint8_t *dns_tcp_out_pending(const dns_tcp_buf *b, size_t *plen);
/* n of them were written. */
void dns_tcp_out_sent(dns_tcp_buf *b, size_t n);

#endif
