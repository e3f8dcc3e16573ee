/*
 * dns_conns.c — DNS over TCP's sockets (dns_conns.h): accept, read into a
 * connection's dns_tcp buffer, hand its complete queries to the daemon in
 * turn, write the answers as the client takes them, close on idle, error
 * or the end of the stream. Level-triggered epoll: a connection watches
 * EPOLLIN only while it can take input and an answer's room is left, and
 * EPOLLOUT only while answers wait.
 */
#define _GNU_SOURCE
#include "dns_conns.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "sockets.h"

void dns_conns_init(dns_conns *cs) {
  memset(cs, 0, sizeof *cs);
  cs->fd = cs->epfd = -1;
  cs->next_gen = 1;
  for (size_t i = 0; i < DNS_CONNS; i++) cs->c[i].fd = -1;
}

int dns_conns_open(dns_conns *cs, int epfd, const mcc_addr *at,
                   uint64_t listen_tag, uint64_t conn_tag, char *err,
                   size_t errlen) {
  char text[64];
  ctl_format_addr(at, text, sizeof text);
  struct sockaddr_storage ss;
  socklen_t sl = sock_to_sockaddr(at, at->family == 6, &ss);
  int one = 1, fd = socket(ss.ss_family,
                           SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "dns-addr %s (TCP): %s", text, strerror(errno));
    return -1;
  }
  if (ss.ss_family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  /* On TCP, SO_REUSEADDR only lets a restart bind past TIME_WAIT: a second
   * listener on the port is still refused (EADDRINUSE). */
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = listen_tag};
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
      listen(fd, DNS_CONN_BACKLOG) != 0 ||
      epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    snprintf(err, errlen, "dns-addr %s (TCP): %s%s", text, strerror(errno),
             errno == EADDRINUSE ? ": another program serves DNS over TCP "
                                   "on this port; stop it, or set dns-addr "
                                   "to another port"
                                 : "");
    close(fd);
    return -1;
  }
  cs->fd = fd;
  cs->epfd = epfd;
  cs->conn_tag = conn_tag;
  return 0;
}

static void conn_close(dns_conns *cs, dns_conn *c) {
  epoll_ctl(cs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->gen = 0;
}

static int conn_idle(const dns_conn *c) {
  size_t pending;
  dns_tcp_out_pending(&c->b, &pending);
  return c->waiting == 0 && pending == 0 && c->b.inlen == 0;
}

/* A free slot, or the one idle the longest closed for it; NULL if none. */
static dns_conn *conn_slot(dns_conns *cs) {
  dns_conn *oldest = NULL;
  for (size_t i = 0; i < DNS_CONNS; i++) {
    dns_conn *c = &cs->c[i];
    if (c->fd < 0) return c;
    if (conn_idle(c) && (!oldest || c->idle_at < oldest->idle_at)) oldest = c;
  }
  if (oldest) conn_close(cs, oldest);
  return oldest;
}

void dns_conns_accept(dns_conns *cs, uint64_t now) {
  for (;;) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(cs->fd, (struct sockaddr *)&ss, &sl,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    dns_conn *c = conn_slot(cs);
    if (!c) { /* every connection busy: the client tries again, or UDP */
      close(fd);
      continue;
    }
    size_t slot = (size_t)(c - cs->c);
    struct epoll_event ev = {.events = EPOLLIN,
                             .data.u64 = cs->conn_tag | (uint64_t)slot << 8};
    if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->gen = cs->next_gen++;
    if (cs->next_gen == 0) cs->next_gen = 1; /* 0 is no connection's */
    c->events = EPOLLIN;
    c->waiting = 0;
    c->eof = 0;
    c->busy = 0;
    c->idle_at = now + DNS_CONN_IDLE_NS;
    sock_from_sockaddr(&ss, &c->from);
    dns_tcp_buf_init(&c->b);
  }
}

/* Writes what waits, as much as the socket takes. -1: closed. */
static int conn_flush(dns_conns *cs, dns_conn *c, uint64_t now) {
  for (;;) {
    size_t len;
    const uint8_t *p = dns_tcp_out_pending(&c->b, &len);
    if (len == 0) return 0;
    ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return 0;
    if (n <= 0) {
      conn_close(cs, c);
      return -1;
    }
    dns_tcp_out_sent(&c->b, (size_t)n);
    c->idle_at = now + DNS_CONN_IDLE_NS;
  }
}

/* What epoll should watch now, or the connection's end once the client
 * has sent all and everything it asked is answered and written. */
static void conn_settle(dns_conns *cs, dns_conn *c) {
  size_t room, pending;
  dns_tcp_in_room(&c->b, &room);
  dns_tcp_out_pending(&c->b, &pending);
  if (c->eof && pending == 0 && c->waiting == 0) {
    conn_close(cs, c);
    return;
  }
  uint32_t want = 0;
  if (!c->eof && room > 0 && dns_tcp_out_has_room(&c->b)) want |= EPOLLIN;
  if (pending > 0) want |= EPOLLOUT;
  if (want == c->events) return;
  struct epoll_event ev = {.events = want,
                           .data.u64 = cs->conn_tag |
                                       (uint64_t)(c - cs->c) << 8};
  epoll_ctl(cs->epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->events = want;
}

void dns_conns_event(dns_conns *cs, size_t slot, uint32_t events,
                     uint64_t now, dns_conn_query_fn fn, void *user_data) {
  if (slot >= DNS_CONNS || cs->c[slot].fd < 0) return;
  dns_conn *c = &cs->c[slot];
  int fd = c->fd;
  uint32_t gen = c->gen;
  if ((events & EPOLLERR) || (c->eof && (events & EPOLLHUP))) {
    conn_close(cs, c);
    return;
  }
  size_t room;
  uint8_t *in = dns_tcp_in_room(&c->b, &room);
  if ((events & (EPOLLIN | EPOLLHUP)) && room > 0 && !c->eof) {
    ssize_t n = recv(fd, in, room, MSG_DONTWAIT);
    if (n > 0) {
      dns_tcp_in_commit(&c->b, (size_t)n);
      c->idle_at = now + DNS_CONN_IDLE_NS;
    } else if (n == 0) {
      c->eof = 1; /* answer what came, then close */
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      conn_close(cs, c);
      return;
    }
  }
  /* the queries that came, in turn, while their answers have room */
  for (;;) {
    if (!dns_tcp_out_has_room(&c->b) &&
        (conn_flush(cs, c, now) < 0 || !dns_tcp_out_has_room(&c->b)))
      break;
    uint8_t query[DNS_TCP_QUERY_MAX];
    size_t qlen;
    enum dns_tcp_take t = dns_tcp_in_take(&c->b, query, &qlen);
    if (t == DNS_TCP_MORE) break;
    if (t == DNS_TCP_BAD) {
      conn_close(cs, c);
      return;
    }
    c->busy = 1; /* an answer now is only queued: written below */
    fn(user_data, c, slot, query, qlen, now);
    if (c->fd != fd || c->gen != gen) return; /* closed meanwhile */
    c->busy = 0;
  }
  if (c->fd != fd || c->gen != gen) return;
  if (c->eof && c->b.inlen > 0 && dns_tcp_out_has_room(&c->b))
    c->b.inlen = 0; /* a query cut off by the end of the stream */
  if (conn_flush(cs, c, now) == 0) conn_settle(cs, c);
}

void dns_conns_park(dns_conn *c, uint64_t now, uint64_t wait_ns) {
  c->waiting++;
  if (c->idle_at < now + wait_ns) c->idle_at = now + wait_ns;
}

void dns_conns_reply(dns_conns *cs, size_t slot, uint32_t gen, int parked,
                     const uint8_t *msg, size_t msglen, uint64_t now) {
  if (slot >= DNS_CONNS) return;
  dns_conn *c = &cs->c[slot];
  if (c->fd < 0 || c->gen != gen) return; /* it went away */
  if (parked && c->waiting > 0) c->waiting--;
  if (msglen > 0 && dns_tcp_out_put(&c->b, msg, msglen) != 0) {
    conn_close(cs, c); /* a client that does not read its answers */
    return;
  }
  if (c->idle_at < now + DNS_CONN_IDLE_NS) c->idle_at = now + DNS_CONN_IDLE_NS;
  if (!c->busy && conn_flush(cs, c, now) == 0) conn_settle(cs, c);
}

void dns_conns_expire(dns_conns *cs, uint64_t now) {
  for (size_t i = 0; i < DNS_CONNS; i++)
    if (cs->c[i].fd >= 0 && now >= cs->c[i].idle_at)
      conn_close(cs, &cs->c[i]);
}

uint64_t dns_conns_deadline(const dns_conns *cs) {
  uint64_t next = UINT64_MAX;
  for (size_t i = 0; i < DNS_CONNS; i++)
    if (cs->c[i].fd >= 0 && cs->c[i].idle_at < next) next = cs->c[i].idle_at;
  return next;
}

void dns_conns_close(dns_conns *cs) {
  for (size_t i = 0; i < DNS_CONNS; i++)
    if (cs->c[i].fd >= 0) conn_close(cs, &cs->c[i]);
  if (cs->fd >= 0) close(cs->fd);
  cs->fd = -1;
}
