/*
 * dns_conns.h — the built-in DNS server's TCP side (RFC 7766): a listening
 * socket on dns-addr next to the UDP one, and the connections it accepts.
 * The bytes of each connection go through dns_tcp.h's buffers; every
 * complete query is handed to the daemon (the same limiter, resolver and
 * network lookups as a datagram), which answers now or later with
 * dns_conns_reply. Non-blocking throughout: what cannot be written now
 * waits for EPOLLOUT, and a connection takes no new query while its
 * answers fill its output.
 *
 * Limits:
 *   DNS_CONNS         32 connections at once; when all are taken, a new
 *                     one replaces the one idle the longest (nothing read
 *                     but not answered, nothing to write, nothing parked),
 *                     or is closed at once when none is idle.
 *   DNS_CONN_IDLE_NS  10 s without a byte read or written closes a
 *                     connection (RFC 7766 6.2.3 suggests seconds); a
 *                     query parked for a network lookup holds it open
 *                     until the lookup's time is up.
 *   A length of 0 or over DNS_TCP_QUERY_MAX, or a read error, closes it.
 */
#ifndef MCC_REAL_DNS_CONNS_H
#define MCC_REAL_DNS_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#include "dns_tcp.h"

#define DNS_CONNS 32
#define DNS_CONN_IDLE_NS (10ull * 1000000000ull)
#define DNS_CONN_BACKLOG 16

typedef struct dns_conn {
  int fd;             /* -1 when free */
  uint32_t gen;       /* a new value for each connection the slot holds */
  uint32_t events;    /* what epoll watches for it */
  unsigned waiting;   /* queries parked for a network lookup */
  int eof;            /* the client sent all it will */
  int busy;           /* its queries are being handed out: replies wait */
  uint64_t idle_at;   /* closed then */
  mcc_addr from;      /* the client, for the limiter */
  dns_tcp_buf b;
} dns_conn;

typedef struct dns_conns {
  int fd;             /* the listening socket, -1 when none */
  int epfd;
  uint64_t conn_tag;  /* epoll data of slot i: conn_tag | i << 8 */
  uint32_t next_gen;
  dns_conn c[DNS_CONNS];
} dns_conns;

/* A complete query of connection c (slot, c->gen) at now. */
typedef void (*dns_conn_query_fn)(void *user_data, dns_conn *c, size_t slot,
                                  const uint8_t *query, size_t qlen,
                                  uint64_t now);

/* Empty, with nothing open. */
void dns_conns_init(dns_conns *cs);
/* The listening socket on at, watched by epfd with listen_tag; its
 * connections get conn_tag | slot << 8. Returns 0, or -1 with a message
 * naming the address in err. */
int dns_conns_open(dns_conns *cs, int epfd, const mcc_addr *at,
                   uint64_t listen_tag, uint64_t conn_tag, char *err,
                   size_t errlen);
/* The listening socket is readable. */
void dns_conns_accept(dns_conns *cs, uint64_t now);
/* Connection slot had events: reads, hands complete queries to fn,
 * writes what waits; closes it at its end or on an error. */
void dns_conns_event(dns_conns *cs, size_t slot, uint32_t events,
                     uint64_t now, dns_conn_query_fn fn, void *user_data);
/* A query of c waits for a network lookup until now + wait_ns at most. */
void dns_conns_park(dns_conn *c, uint64_t now, uint64_t wait_ns);
/* The answer msg to a query of connection (slot, gen), parked (it was
 * dns_conns_park'ed) or not; nothing when that connection is gone. */
void dns_conns_reply(dns_conns *cs, size_t slot, uint32_t gen, int parked,
                     const uint8_t *msg, size_t msglen, uint64_t now);
/* Closes connections idle until now; the next time one should be. */
void dns_conns_expire(dns_conns *cs, uint64_t now);
uint64_t dns_conns_deadline(const dns_conns *cs);
/* Every connection and the listening socket. */
void dns_conns_close(dns_conns *cs);

#endif
