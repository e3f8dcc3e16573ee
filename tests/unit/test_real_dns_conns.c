/*
 * test_real_dns_conns.c — DNS over TCP's connections (node-real/
 * dns_conns.c) on real loopback sockets, with the test driving the events
 * and the clock: pipelined queries answered in turn, a query cut across
 * segments, a parked query answered after the client half-closed, an
 * answer for a connection that went away (its slot reused) going nowhere,
 * the idle timeout, the connection limit (oldest idle replaced, none when
 * all are busy) and a bad length.
 *
 *   client                     dns_conns                  the daemon (fn)
 *     | -- [q1][q2][q3 half] -->  |  -- q1, q2 ---------------->  |
 *     | <- [a1][a2] ------------  |  <- reply, reply ------------  |
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dns_conns.h"
#include "suites.h"
#include "testutil.h"

#define S_NS 1000000000ull

/* What the daemon side does with a query: answer it at once (its bytes
 * with the first one flipped), or park it. */
struct daemon_side {
  dns_conns *cs;
  int park;
  int queries;
  size_t slot;
  uint32_t gen;
  uint8_t last[DNS_TCP_QUERY_MAX];
  size_t lastlen;
};

static void on_query(void *user_data, dns_conn *c, size_t slot,
                     const uint8_t *q, size_t qlen, uint64_t now) {
  struct daemon_side *ds = user_data;
  ds->queries++;
  ds->slot = slot;
  ds->gen = c->gen;
  memcpy(ds->last, q, qlen);
  ds->lastlen = qlen;
  if (ds->park) {
    dns_conns_park(c, now, 30 * S_NS); /* a lookup longer than idle */
    return;
  }
  uint8_t a[DNS_TCP_QUERY_MAX];
  memcpy(a, q, qlen);
  a[0] ^= 0xff;
  dns_conns_reply(ds->cs, slot, c->gen, 0, a, qlen, now);
}

static int epfd = -1;
static uint16_t port;

static void open_server(dns_conns *cs) {
  dns_conns_init(cs);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  CU_ASSERT_FATAL(epfd >= 0);
  mcc_addr at = {.family = 4, .port = 0, .ip = {127, 0, 0, 1}};
  char err[256];
  CU_ASSERT_EQUAL_FATAL(dns_conns_open(cs, epfd, &at, 1, 2, err, sizeof err),
                        0);
  struct sockaddr_in sin;
  socklen_t sl = sizeof sin;
  CU_ASSERT_EQUAL_FATAL(getsockname(cs->fd, (struct sockaddr *)&sin, &sl), 0);
  port = ntohs(sin.sin_port);
}

static void close_server(dns_conns *cs) {
  dns_conns_close(cs);
  close(epfd);
}

static int client(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {0, 300000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
  return fd;
}

/* The slot holding the connection accepted last (the highest gen). */
static size_t newest(const dns_conns *cs) {
  size_t best = DNS_CONNS;
  for (size_t i = 0; i < DNS_CONNS; i++)
    if (cs->c[i].fd >= 0 &&
        (best == DNS_CONNS || cs->c[i].gen > cs->c[best].gen))
      best = i;
  CU_ASSERT_FATAL(best < DNS_CONNS);
  return best;
}

/* Reads exactly len bytes (or fewer at EOF or timeout). */
static size_t read_all(int fd, uint8_t *p, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = recv(fd, p + got, len - got, 0);
    if (n <= 0) break;
    got += (size_t)n;
  }
  return got;
}

/* 0 at EOF, 1 when the connection is open and quiet, -1 on data. */
static int peer_state(int fd) {
  uint8_t b;
  ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno == ECONNRESET)) return 0;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1;
  return -1;
}

static size_t framed(uint8_t *out, uint8_t tag, size_t len) {
  uint8_t m[64];
  memset(m, tag, len);
  return dns_tcp_frame(m, len, out, 66);
}

static void test_real_dns_conns_pipelined(void) {
  static dns_conns cs;
  open_server(&cs);
  struct daemon_side ds = {.cs = &cs};
  int fd = client();
  dns_conns_accept(&cs, 0);
  size_t slot = newest(&cs);
  uint8_t s[200];
  size_t n = framed(s, 0x11, 20);
  n += framed(s + n, 0x22, 30);
  size_t third = framed(s + n, 0x33, 40);
  CU_ASSERT_EQUAL(send(fd, s, n + 10, 0), (ssize_t)(n + 10));
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN, S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(ds.queries, 2);
  uint8_t a[200];
  CU_ASSERT_EQUAL_FATAL(read_all(fd, a, 22 + 32), 22 + 32);
  CU_ASSERT(a[0] == 0 && a[1] == 20 && a[2] == 0xee && a[3] == 0x11);
  CU_ASSERT(a[22] == 0 && a[23] == 30 && a[24] == 0xdd && a[25] == 0x22);
  /* the rest of the third, then the client's end: answered, then closed */
  CU_ASSERT_EQUAL(send(fd, s + n + 10, third - 10, 0), (ssize_t)(third - 10));
  shutdown(fd, SHUT_WR);
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN, 2 * S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(ds.queries, 3);
  dns_conns_event(&cs, slot, EPOLLIN, 2 * S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(read_all(fd, a, 42), 42);
  CU_ASSERT(a[2] == 0xcc);
  CU_ASSERT_EQUAL(cs.c[slot].fd, -1);
  CU_ASSERT_EQUAL(peer_state(fd), 0);
  close(fd);
  close_server(&cs);
}

static void test_real_dns_conns_parked(void) {
  static dns_conns cs;
  open_server(&cs);
  struct daemon_side ds = {.cs = &cs, .park = 1};
  int fd = client();
  dns_conns_accept(&cs, 0);
  size_t slot = newest(&cs);
  uint8_t s[70];
  size_t n = framed(s, 0x44, 25);
  send(fd, s, n, 0);
  shutdown(fd, SHUT_WR); /* all asked: the answer still comes */
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN, S_NS, on_query, &ds);
  dns_conns_event(&cs, slot, EPOLLIN, S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(ds.queries, 1);
  CU_ASSERT_EQUAL_FATAL(cs.c[slot].fd >= 0, 1); /* held for its answer */
  CU_ASSERT_EQUAL(cs.c[slot].waiting, 1);
  /* a parked query holds the connection past the idle time */
  dns_conns_expire(&cs, S_NS + DNS_CONN_IDLE_NS);
  CU_ASSERT(cs.c[slot].fd >= 0);
  dns_conns_reply(&cs, slot, ds.gen, 1, ds.last, ds.lastlen, 2 * S_NS);
  uint8_t a[70];
  CU_ASSERT_EQUAL(read_all(fd, a, n), n);
  CU_ASSERT(a[2] == 0x44);
  CU_ASSERT_EQUAL(cs.c[slot].fd, -1);
  close(fd);

  /* a connection that goes while its query waits: the answer goes nowhere,
   * not to the next connection in its slot */
  fd = client();
  dns_conns_accept(&cs, 3 * S_NS);
  slot = newest(&cs);
  send(fd, s, n, 0);
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN, 3 * S_NS, on_query, &ds);
  uint32_t old = ds.gen;
  size_t oldslot = ds.slot;
  close(fd);
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN | EPOLLHUP, 3 * S_NS, on_query, &ds);
  dns_conns_event(&cs, slot, EPOLLIN | EPOLLHUP, 3 * S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(cs.c[slot].fd, -1);
  int fd2 = client();
  dns_conns_accept(&cs, 4 * S_NS);
  CU_ASSERT_EQUAL(newest(&cs), oldslot); /* the first free slot again */
  CU_ASSERT_NOT_EQUAL(cs.c[oldslot].gen, old);
  dns_conns_reply(&cs, oldslot, old, 1, ds.last, ds.lastlen, 4 * S_NS);
  CU_ASSERT_EQUAL(peer_state(fd2), 1);
  CU_ASSERT(cs.c[oldslot].fd >= 0);
  close(fd2);
  close_server(&cs);
}

static void test_real_dns_conns_idle(void) {
  static dns_conns cs;
  open_server(&cs);
  struct daemon_side ds = {.cs = &cs};
  int fd = client();
  dns_conns_accept(&cs, S_NS);
  size_t slot = newest(&cs);
  CU_ASSERT_EQUAL(dns_conns_deadline(&cs), S_NS + DNS_CONN_IDLE_NS);
  /* a query moves the deadline */
  uint8_t s[70];
  size_t n = framed(s, 0x55, 20);
  send(fd, s, n, 0);
  usleep(10000);
  dns_conns_event(&cs, slot, EPOLLIN, 5 * S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(dns_conns_deadline(&cs), 5 * S_NS + DNS_CONN_IDLE_NS);
  dns_conns_expire(&cs, 5 * S_NS + DNS_CONN_IDLE_NS - 1);
  CU_ASSERT(cs.c[slot].fd >= 0);
  dns_conns_expire(&cs, 5 * S_NS + DNS_CONN_IDLE_NS);
  CU_ASSERT_EQUAL(cs.c[slot].fd, -1);
  CU_ASSERT_EQUAL(dns_conns_deadline(&cs), UINT64_MAX);
  uint8_t a[70];
  CU_ASSERT_EQUAL(read_all(fd, a, n), n); /* its answer, then the end */
  CU_ASSERT_EQUAL(peer_state(fd), 0);
  close(fd);
  close_server(&cs);
}

static void test_real_dns_conns_limit(void) {
  static dns_conns cs;
  open_server(&cs);
  struct daemon_side ds = {.cs = &cs, .park = 1};
  int fds[DNS_CONNS + 2];
  for (int i = 0; i < DNS_CONNS; i++) {
    fds[i] = client();
    dns_conns_accept(&cs, (uint64_t)(i + 1) * S_NS);
  }
  /* one more: the one idle the longest (the first) makes room */
  fds[DNS_CONNS] = client();
  dns_conns_accept(&cs, 100 * S_NS);
  usleep(10000);
  CU_ASSERT_EQUAL(peer_state(fds[0]), 0);
  for (int i = 1; i <= DNS_CONNS; i++) CU_ASSERT_EQUAL(peer_state(fds[i]), 1);
  /* all busy (a parked query each): a new one is closed at once */
  uint8_t s[70];
  size_t n = framed(s, 0x66, 20);
  for (int i = 1; i <= DNS_CONNS; i++) send(fds[i], s, n, 0);
  usleep(20000);
  for (size_t k = 0; k < DNS_CONNS; k++)
    dns_conns_event(&cs, k, EPOLLIN, 101 * S_NS, on_query, &ds);
  CU_ASSERT_EQUAL(ds.queries, DNS_CONNS);
  fds[DNS_CONNS + 1] = client();
  dns_conns_accept(&cs, 102 * S_NS);
  usleep(10000);
  CU_ASSERT_EQUAL(peer_state(fds[DNS_CONNS + 1]), 0);
  for (int i = 1; i <= DNS_CONNS; i++) CU_ASSERT_EQUAL(peer_state(fds[i]), 1);
  for (int i = 0; i < DNS_CONNS + 2; i++) close(fds[i]);
  close_server(&cs);
}

static void test_real_dns_conns_bad_length(void) {
  static dns_conns cs;
  open_server(&cs);
  struct daemon_side ds = {.cs = &cs};
  const uint8_t bad[][2] = {{0, 0}, {0x05, 0xdd}, {0xff, 0xff}};
  for (size_t i = 0; i < 3; i++) {
    int fd = client();
    dns_conns_accept(&cs, S_NS);
    size_t slot = newest(&cs);
    send(fd, bad[i], 2, 0);
    usleep(10000);
    dns_conns_event(&cs, slot, EPOLLIN, S_NS, on_query, &ds);
    CU_ASSERT_EQUAL(cs.c[slot].fd, -1);
    CU_ASSERT_EQUAL(peer_state(fd), 0);
    close(fd);
  }
  CU_ASSERT_EQUAL(ds.queries, 0);
  close_server(&cs);
}

void suite_real_dns_conns(void) {
  CU_pSuite s = CU_add_suite("real_dns_conns", NULL, NULL);
  ADD_TEST(s, test_real_dns_conns_pipelined);
  ADD_TEST(s, test_real_dns_conns_parked);
  ADD_TEST(s, test_real_dns_conns_idle);
  ADD_TEST(s, test_real_dns_conns_limit);
  ADD_TEST(s, test_real_dns_conns_bad_length);
}
