/*
 * daemon.c — the event loop (BIRD's order: update time, handle events, run
 * expired timers, poll) and the glue between file descriptors and the core.
 * Everything protocol-shaped happens in protocol/; this file only moves
 * bytes and time. Start-up opens every socket and the TUN device before the
 * node exists, so that the node's first datagram (a HELLO) goes out and a
 * start that fails has sent nothing; SIGTERM says BYE before closing them.
 */
#define _GNU_SOURCE
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mcc/resolve.h>

#include "control.h"
#include "dns_conns.h"
#include "dnsmasq.h"
#include "lookups.h"
#include "mcc_dns.h"
#include "sockets.h"
#include "tunnels.h"
#include "tun.h"
#include "version.h"

#define MAX_BATCH 64          /* datagrams or packets per wakeup and source */
#define CTL_CONNS 8           /* control connections served at once */
#define CTL_CONN_TIMEOUT_NS (2ull * 1000000000ull)
/* Datagrams and TUN packets both fit: the core accepts no datagram over
 * 1,232 bytes and no inner packet over 1,280. Larger reads are cut and
 * refused by the core. */
#define UDP_BUF 4096
/* Socket buffers for bursts of full-size packets (the lab saw 10 % of
 * datagrams dropped at 1 Gbit/s with the default 208 KiB). */
#define UDP_SOCKET_BUF (4 << 20)
#define DNS_BUF 1500
#define VERIFY_CACHE_ENTRIES 1024
/* While some parent name does not resolve, try again this often (or every
 * parents-resolve-period when that is shorter). */
#define UNRESOLVED_RETRY_NS (30ull * 1000000000ull)
#define TUNNELS_SCAN_NS 1000000000ull /* the tunnels directory */
/* At debug level, lines about rejected datagrams a second; a flood of junk
 * gets one summary line a second beyond these. */
#define REJECT_LOG_PER_S 10

enum source { SRC_UDP4 = 1, SRC_UDP6, SRC_TUN, SRC_DNS, SRC_CTL, SRC_SIG,
              SRC_CTL_CONN, SRC_DNS_TCP, SRC_DNS_CONN };

typedef struct ctl_conn {
  int fd; /* -1 when free */
  int waiting; /* its resolve waits for a network lookup */
  uint64_t deadline;
  size_t len;
  char buf[CTL_REQUEST_MAX];
} ctl_conn;

typedef struct mccd {
  daemon_config cfg;
  mcc_node *node;
  mcc_verify_cache *cache;
  int epfd, udp4, udp6, tun, dns, ctl, sig;
  ino_t ctl_ino; /* the control socket's file, removed at exit if ours */
  mcc_resolve_addrs own; /* the addresses the TUN device carries */
  log_limit reject_log;
  uint64_t mono_zero_ns;
  int64_t unix_ms_at_zero;
  int stopping;
  uint64_t resolve_at_ns; /* next re-resolution of the parents' names */
  daemon_tunnels tunnels; /* the tunnels directory, read every second */
  mcc_trust trust;        /* who issues what we accept (tunnel files) */
  mcc_id trust_networks[2 * MCC_MAX_TRUSTED];
  uint64_t tunnels_at_ns;
  mcc_dns_limiter dns_limit;
  dns_conns dns_tcp; /* DNS over TCP on dns-addr */
  ctl_conn conns[CTL_CONNS];
  lookup_waits waits; /* DNS queries and resolves waiting for the network */
  dnsmasq dnsmasq;    /* the dnsmasq integration's file, while we run */
  uint8_t buf[UDP_BUF];
} mccd;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(const mccd *d) { return mono_ns() - d->mono_zero_ns; }

/* ---- addresses -------------------------------------------------------- */

static int is_any(const mcc_addr *a) {
  static const uint8_t zero[16];
  return memcmp(a->ip, zero, a->family == 4 ? 4 : 16) == 0;
}

/* ---- core callbacks --------------------------------------------------- */

static void cb_send(void *user_data, const mcc_addr *to, const uint8_t *data,
                    size_t datalen) {
  mccd *d = user_data;
  int fd = to->family == 4 && d->udp4 >= 0 ? d->udp4 : d->udp6;
  if (fd < 0) {
    log_msg(LOG_DEBUG, "no socket of the family of a destination");
    return;
  }
  struct sockaddr_storage ss;
  socklen_t sl = sock_to_sockaddr(to, fd == d->udp6, &ss);
  if (sendto(fd, data, datalen, 0, (struct sockaddr *)&ss, sl) < 0 &&
      errno != EAGAIN)
    log_msg(LOG_DEBUG, "sendto: %s", strerror(errno));
}

static void cb_random(void *user_data, uint8_t *out, size_t outlen) {
  (void)user_data;
  randombytes_buf(out, outlen);
}

static void cb_log(void *user_data, enum mcc_log_level level,
                   const char *msg) {
  (void)user_data;
  log_msg((enum log_level)level, "%s", msg);
}

static void cb_deliver(void *user_data, const uint8_t *packet,
                       size_t packetlen) {
  mccd *d = user_data;
  if (write(d->tun, packet, packetlen) < 0 && errno != EAGAIN)
    log_msg(LOG_DEBUG, "writing to %s: %s", d->cfg.tun_name, strerror(errno));
}

/* ---- sockets ---------------------------------------------------------- */

static int watch(mccd *d, int fd, uint64_t tag) {
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
  return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int udp_open(const mcc_addr *at, int v6only, const char *what) {
  char err[512];
  int fd = sock_udp_open(at, v6only, UDP_SOCKET_BUF, what, err, sizeof err);
  if (fd < 0) log_msg(LOG_ERROR, "%s", err);
  return fd;
}

static int open_udp(mccd *d) {
  const mcc_addr *l = &d->cfg.listen;
  if (l->family == 4) {
    d->udp4 = udp_open(l, 1, "listen-addr");
    if (d->udp4 < 0) return -1;
    if (is_any(l)) { /* "IPv6 too": the same port on [::] */
      mcc_addr any6 = {.family = 6, .port = l->port};
      d->udp6 = udp_open(&any6, 1, "listen-addr (IPv6)");
      if (d->udp6 < 0) log_msg(LOG_WARN, "continuing with IPv4 only");
    }
  } else {
    d->udp6 = udp_open(l, 0, "listen-addr");
    if (d->udp6 < 0) return -1;
  }
  if (d->udp4 >= 0) watch(d, d->udp4, SRC_UDP4);
  if (d->udp6 >= 0) watch(d, d->udp6, SRC_UDP6);
  return 0;
}

static int open_control(mccd *d) {
  char err[1024];
  d->ctl = sock_control_open(d->cfg.socket_path, CTL_CONNS, &d->ctl_ino, err,
                             sizeof err);
  if (d->ctl < 0) {
    log_msg(LOG_ERROR, "%s", err);
    return -1;
  }
  if (err[0]) log_msg(LOG_WARN, "%s", err);
  return watch(d, d->ctl, SRC_CTL);
}

static int open_dns(mccd *d) {
  uint8_t key[16];
  randombytes_buf(key, sizeof key);
  mcc_dns_limiter_init(&d->dns_limit, MCC_DNS_CLIENT_RATE, MCC_DNS_CLIENT_BURST,
                       key);
  d->dns = udp_open(&d->cfg.dns_addr, 1, "dns-addr");
  if (d->dns < 0) return -1;
  char err[256];
  if (dns_conns_open(&d->dns_tcp, d->epfd, &d->cfg.dns_addr, SRC_DNS_TCP,
                     SRC_DNS_CONN, err, sizeof err) != 0) {
    log_msg(LOG_ERROR, "%s", err);
    return -1;
  }
  return watch(d, d->dns, SRC_DNS);
}

static int open_signals(mccd *d) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  d->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (d->sig < 0) return -1;
  return watch(d, d->sig, SRC_SIG);
}

/* The node pins its own id first in its resolver, so its own addresses are
 * the first of each network; a resolver of the same settings says which
 * before the node exists. create_node checks that the node agrees. */
static int open_tun(mccd *d) {
  mcc_resolve_addrs own;
  mcc_resolver r;
  int rv = mcc_resolver_init(&r, &d->cfg.resolver);
  if (rv == 0) rv = mcc_resolver_pin(&r, &d->cfg.keys.pub, &own, 0);
  mcc_resolver_clear(&r);
  if (rv != 0) {
    log_msg(LOG_ERROR, "the resolver has no address for this node: %s",
            mcc_strerror(rv));
    return -1;
  }
  d->own = own;
  tun_config tc = {.name = d->cfg.tun_name, .mtu = d->cfg.tun_mtu,
                   .ipv4_prefix = d->cfg.resolver.ipv4_prefix_len,
                   .ipv6_prefix = d->cfg.resolver.ipv6_prefix_len,
                   /* tunnel endpoints' static-addr (tunnel_conf.c) */
                   .static_net = {10, 115, 0, 0},
                   .static_prefix = 16};
  memcpy(tc.ipv4, own.ipv4, 4);
  memcpy(tc.ipv6, own.ipv6, 16);
  char err[256];
  d->tun = tun_open(&tc, err, sizeof err);
  if (d->tun < 0) {
    log_msg(LOG_ERROR, "%s", err);
    return -1;
  }
  if (err[0]) log_msg(LOG_WARN, "%s (continuing without IPv6)", err);
  return watch(d, d->tun, SRC_TUN);
}

/* ---- events ----------------------------------------------------------- */

static void on_udp(mccd *d, int fd) {
  for (int i = 0; i < MAX_BATCH; i++) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    ssize_t n = recvfrom(fd, d->buf, sizeof d->buf, 0, (struct sockaddr *)&ss,
                         &sl);
    if (n < 0) return;
    mcc_addr from;
    sock_from_sockaddr(&ss, &from);
    uint64_t now = now_ns(d);
    int rv = mcc_node_recv(d->node, &from, d->buf, (size_t)n, now);
    if (rv != 0 && log_enabled(LOG_DEBUG) &&
        log_limit_take(&d->reject_log, now)) {
      char text[64];
      ctl_format_addr(&from, text, sizeof text);
      log_msg(LOG_DEBUG, "datagram of %zd bytes from %s rejected: %s", n,
              text, mcc_strerror(rv));
    }
  }
}

static void on_tun(mccd *d) {
  for (int i = 0; i < MAX_BATCH; i++) {
    ssize_t n = read(d->tun, d->buf, sizeof d->buf);
    if (n <= 0) return;
    int rv = mcc_node_send_packet(d->node, d->buf, (size_t)n, now_ns(d));
    if (rv != 0)
      log_msg(LOG_TRACE, "packet of %zd bytes from %s not sent: %s", n,
              d->cfg.tun_name, mcc_strerror(rv));
  }
}

/* A DNS response to query, to its client over UDP (512 bytes at most,
 * TC beyond) or its TCP connection. */
static void dns_reply(mccd *d, const dns_client *to, const uint8_t *query,
                      size_t qlen, const mcc_lookup_answer *found, int refuse,
                      int parked) {
  uint8_t answer[DNS_BUF];
  size_t alen = 0;
  int rv = mcc_dns_respond(mcc_node_resolver(d->node), d->cfg.resolver.domain,
                           query, qlen, found, refuse,
                           to->tcp ? MCC_DNS_TCP_MAX : MCC_DNS_UDP_MAX, answer,
                           sizeof answer, &alen, now_ns(d));
  if (to->tcp)
    dns_conns_reply(&d->dns_tcp, to->tcp_slot, to->tcp_gen, parked, answer,
                    rv == 0 ? alen : 0, now_ns(d));
  else if (rv == 0)
    sendto(d->dns, answer, alen, 0, (const struct sockaddr *)&to->from,
           to->fromlen);
}

/* One DNS query from client `from`, whichever the transport: counted
 * against the client's limit, answered now or parked until its network
 * lookup answers (cb_lookup_done). */
static void dns_query(mccd *d, const mcc_addr *from, const dns_client *to,
                      const uint8_t *query, size_t n) {
  uint64_t now = now_ns(d);
  enum mcc_dns_verdict v = mcc_dns_limiter_check(&d->dns_limit, from, now);
  if (v == MCC_DNS_VERDICT_DROP) return;
  mcc_lookup_answer found;
  const mcc_lookup_answer *f = NULL;
  char name[MCC_RESOLVE_NAME_MAX + 1];
  int namelen = v == MCC_DNS_VERDICT_ANSWER
                    ? mcc_dns_forward_name(query, n, name, sizeof name)
                    : -1;
  if (namelen > 0) {
    lookup_wait *w;
    f = lookup_begin(&d->waits, d->node, d->cfg.resolver.domain, name,
                     (size_t)namelen, now, n <= LOOKUP_QUERY_MAX, &found, &w);
    if (w) { /* answered in cb_lookup_done */
      w->to = *to;
      memcpy(w->query, query, n);
      w->qlen = n;
      if (to->tcp)
        dns_conns_park(&d->dns_tcp.c[to->tcp_slot], now,
                       d->cfg.settings.network_lookup_timeout_ns +
                           DNS_CONN_IDLE_NS);
      return;
    }
  }
  dns_reply(d, to, query, n, f, v == MCC_DNS_VERDICT_REFUSE, 0);
}

static void on_dns(mccd *d) {
  for (int i = 0; i < MAX_BATCH; i++) {
    dns_client to = {.fromlen = sizeof to.from};
    uint8_t query[DNS_BUF];
    ssize_t n = recvfrom(d->dns, query, sizeof query, 0,
                         (struct sockaddr *)&to.from, &to.fromlen);
    if (n < 0) return;
    mcc_addr from;
    sock_from_sockaddr(&to.from, &from);
    dns_query(d, &from, &to, query, (size_t)n);
  }
}

/* A query that came over TCP (dns_conns.c). */
static void on_dns_tcp_query(void *user_data, dns_conn *c, size_t slot,
                             const uint8_t *query, size_t qlen,
                             uint64_t now) {
  (void)now;
  dns_client to = {.tcp = 1, .tcp_slot = slot, .tcp_gen = c->gen};
  dns_query(user_data, &c->from, &to, query, qlen);
}

static void ctl_close(mccd *d, ctl_conn *c) {
  epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->waiting = 0;
}

static void on_ctl_accept(mccd *d) {
  for (;;) {
    int fd = accept4(d->ctl, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ctl_conn *c = NULL;
    for (size_t i = 0; i < CTL_CONNS && !c; i++)
      if (d->conns[i].fd < 0) c = &d->conns[i];
    if (!c) { /* busy: the client sees EOF and says so */
      close(fd);
      continue;
    }
    c->fd = fd;
    c->len = 0;
    c->deadline = now_ns(d) + CTL_CONN_TIMEOUT_NS;
    watch(d, fd, SRC_CTL_CONN | ((uint64_t)(c - d->conns) << 8));
  }
}

static void ctl_answer(mccd *d, ctl_conn *c, const char *req, size_t len,
                       const mcc_lookup_answer *found) {
  ctl_context ctx = {.node = d->node,
                     .parents_configured = d->cfg.parents_configured,
                     .now = now_ns(d),
                     .unix_ms_at_zero = d->unix_ms_at_zero,
                     .found = found};
  strbuf answer;
  strbuf_init(&answer);
  ctl_handle(&ctx, req, len, &answer);
  if (answer.failed) {
    strbuf_clear(&answer);
    strbuf_printf(&answer, "error out of memory\n");
  }
  /* Answers are small; a blocking write with a timeout keeps this simple
   * without letting a stuck client hold the loop for long. */
  int fl = fcntl(c->fd, F_GETFL);
  fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
  struct timeval tv = {1, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t off = 0;
  while (off < answer.len) {
    ssize_t w = write(c->fd, answer.data + off, answer.len - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  strbuf_clear(&answer);
  ctl_close(d, c);
}

/* A complete request of len bytes in c->buf: a resolve of a name or id
 * the node does not hold waits for a network lookup; the rest is
 * answered now. */
static void ctl_request(mccd *d, ctl_conn *c, size_t len) {
  char input[CTL_REQUEST_MAX];
  mcc_lookup_answer found;
  const mcc_lookup_answer *f = NULL;
  int n = ctl_resolve_input(c->buf, len, input, sizeof input);
  if (n > 0) {
    lookup_wait *w;
    f = lookup_begin(&d->waits, d->node, d->cfg.resolver.domain, input,
                     (size_t)n, now_ns(d), 1, &found, &w);
    if (w) { /* answered in cb_lookup_done */
      w->is_ctl = 1;
      w->ctl_fd = c->fd;
      w->ctl_slot = (size_t)(c - d->conns);
      c->waiting = 1;
      c->len = len; /* the request, without its newline */
      c->deadline = now_ns(d) + d->cfg.settings.network_lookup_timeout_ns +
                    CTL_CONN_TIMEOUT_NS;
      return;
    }
  }
  ctl_answer(d, c, c->buf, len, f);
}

/* The core's answer to a lookup: every question waiting for it. */
static void cb_lookup_done(void *user_data, uint32_t token, int status,
                           const mcc_id *id) {
  mccd *d = user_data;
  mcc_lookup_answer a = {.status = status};
  if (id) a.id = *id;
  for (size_t i = 0; i < LOOKUP_WAITS; i++) {
    lookup_wait *w = &d->waits.w[i];
    if (!w->used || w->token != token) continue;
    w->used = 0;
    const mcc_lookup_answer *f = lookup_effective(&a, w->is_id);
    if (!w->is_ctl) {
      dns_reply(d, &w->to, w->query, w->qlen, f, 0, 1);
      continue;
    }
    ctl_conn *c = &d->conns[w->ctl_slot];
    if (c->fd != w->ctl_fd || !c->waiting) continue; /* it went away */
    c->waiting = 0;
    ctl_answer(d, c, c->buf, c->len, f);
  }
}

static void on_ctl_conn(mccd *d, ctl_conn *c) {
  ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
  if (n == 0 || (n < 0 && errno != EAGAIN)) {
    ctl_close(d, c);
    return;
  }
  if (n < 0) return;
  c->len += (size_t)n;
  if (c->waiting) return; /* the answer waits for the network */
  char *nl = memchr(c->buf, '\n', c->len);
  if (nl) {
    ctl_request(d, c, (size_t)(nl - c->buf));
  } else if (c->len == sizeof c->buf) {
    ctl_answer(d, c, c->buf, c->len + 1, NULL); /* answered: too long */
  }
}

static void on_signal(mccd *d) {
  struct signalfd_siginfo si;
  while (read(d->sig, &si, sizeof si) == sizeof si) {
    if (si.ssi_signo == SIGHUP) {
      log_msg(LOG_WARN, "SIGHUP: reloading is not supported; restart mccd");
      continue;
    }
    log_msg(LOG_INFO, "%s: shutting down",
            si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
    d->stopping = 1;
  }
}

static uint64_t resolve_interval_ns(const mccd *d) {
  uint64_t period = d->cfg.parents_resolve_period_ms * 1000000ull;
  if (d->cfg.settings.parents_len < d->cfg.parents_configured &&
      UNRESOLVED_RETRY_NS < period)
    return UNRESOLVED_RETRY_NS;
  return period;
}

/* parents-resolve-period: names may move; the core keeps a live link to a
 * parent whose address did not change. */
static void resolve_parents(mccd *d, uint64_t now) {
  size_t before = d->cfg.settings.parents_len;
  daemon_config_resolve_parents(&d->cfg);
  if (d->cfg.settings.parents_len != before)
    log_msg(LOG_INFO, "%zu of %zu parents resolved",
            d->cfg.settings.parents_len, d->cfg.parents_configured);
  mcc_node_set_parents(d->node, d->cfg.settings.parents,
                       d->cfg.settings.parents_len, now);
  d->resolve_at_ns = now + resolve_interval_ns(d);
}

static void expire_ctl(mccd *d, uint64_t now) {
  for (size_t i = 0; i < CTL_CONNS; i++)
    if (d->conns[i].fd >= 0 && now >= d->conns[i].deadline)
      ctl_close(d, &d->conns[i]);
}

/* The tunnels directory, every TUNNELS_SCAN_NS: a file added, changed or
 * deleted takes effect within that (tunnels.c). */
static void scan_tunnels(mccd *d, uint64_t now) {
  daemon_tunnels_sync(&d->tunnels, d->node, &d->trust, d->cfg.tun_name, now);
  d->tunnels_at_ns = now + TUNNELS_SCAN_NS;
}

static void trust_init(mccd *d) {
  size_t n = 0;
  for (size_t k = 0; k < d->cfg.networks_len; k++)
    d->trust_networks[n++] = d->cfg.networks[k];
  for (size_t k = 0; k < d->cfg.settings.trusted_networks_len; k++)
    d->trust_networks[n++] = d->cfg.settings.trusted_networks[k];
  d->trust = (mcc_trust){d->trust_networks, n, d->cfg.settings.trusted_nodes,
                         d->cfg.settings.trusted_nodes_len};
}

static int timeout_ms(const mccd *d, uint64_t now) {
  uint64_t next = mcc_node_get_expiry(d->node);
  if (d->tunnels.dir[0] && d->tunnels_at_ns < next) next = d->tunnels_at_ns;
  if (d->cfg.parents_configured && d->resolve_at_ns < next)
    next = d->resolve_at_ns;
  if (log_limit_deadline(&d->reject_log) < next)
    next = log_limit_deadline(&d->reject_log);
  for (size_t i = 0; i < CTL_CONNS; i++)
    if (d->conns[i].fd >= 0 && d->conns[i].deadline < next)
      next = d->conns[i].deadline;
  if (dns_conns_deadline(&d->dns_tcp) < next)
    next = dns_conns_deadline(&d->dns_tcp);
  if (next == UINT64_MAX) return 60000;
  if (next <= now) return 0;
  uint64_t ms = (next - now + 999999) / 1000000;
  return ms > 60000 ? 60000 : (int)ms;
}

static void loop(mccd *d) {
  struct epoll_event evs[16];
  while (!d->stopping) {
    uint64_t now = now_ns(d);
    if (mcc_node_get_expiry(d->node) <= now)
      mcc_node_handle_expiry(d->node, now);
    expire_ctl(d, now);
    dns_conns_expire(&d->dns_tcp, now);
    log_limit_flush(&d->reject_log, now);
    if (d->cfg.parents_configured && now >= d->resolve_at_ns)
      resolve_parents(d, now);
    if (d->tunnels.dir[0] && now >= d->tunnels_at_ns) scan_tunnels(d, now);
    int n = epoll_wait(d->epfd, evs, 16, timeout_ms(d, now_ns(d)));
    if (n < 0 && errno != EINTR) {
      log_msg(LOG_ERROR, "epoll_wait: %s", strerror(errno));
      return;
    }
    for (int i = 0; i < n; i++) {
      uint64_t tag = evs[i].data.u64;
      switch (tag & 0xff) {
      case SRC_UDP4: on_udp(d, d->udp4); break;
      case SRC_UDP6: on_udp(d, d->udp6); break;
      case SRC_TUN: on_tun(d); break;
      case SRC_DNS: on_dns(d); break;
      case SRC_CTL: on_ctl_accept(d); break;
      case SRC_SIG: on_signal(d); break;
      case SRC_DNS_TCP: dns_conns_accept(&d->dns_tcp, now_ns(d)); break;
      case SRC_DNS_CONN:
        dns_conns_event(&d->dns_tcp, (size_t)(tag >> 8), evs[i].events,
                        now_ns(d), on_dns_tcp_query, d);
        break;
      case SRC_CTL_CONN: {
        ctl_conn *c = &d->conns[tag >> 8];
        if (c->fd >= 0) on_ctl_conn(d, c);
        break;
      }
      }
    }
  }
}

/* ---- start and stop --------------------------------------------------- */

static void start_clock(mccd *d) {
  d->mono_zero_ns = mono_ns();
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  d->cfg.settings.unix_time_at_zero_s = wall.tv_sec;
  d->unix_ms_at_zero =
      (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
}

/* Last in start-up: the node sends its first HELLO from mcc_node_new. */
static int create_node(mccd *d) {
  mcc_verify_cache_new(&d->cache, VERIFY_CACHE_ENTRIES);
  d->cfg.settings.verify_cache = d->cache;
  mcc_callbacks cb = {.send = cb_send, .random = cb_random, .log = cb_log,
                      .deliver = cb_deliver, .lookup_done = cb_lookup_done,
                      .user_data = d};
  int rv = mcc_node_new(&d->node, &d->cfg.settings, &cb, &d->cfg.keys,
                        &d->cfg.cert, d->cfg.networks, d->cfg.networks_len,
                        now_ns(d));
  if (rv != 0) {
    log_msg(LOG_ERROR, "starting the node: %s", mcc_strerror(rv));
    return -1;
  }
  mcc_resolve_addrs own;
  if (mcc_resolver_lookup_id(mcc_node_resolver(d->node), mcc_node_id(d->node),
                             &own, now_ns(d)) != 0 ||
      memcmp(own.ipv4, d->own.ipv4, 4) != 0 ||
      memcmp(own.ipv6, d->own.ipv6, 16) != 0) {
    log_msg(LOG_ERROR, "the node's own address is not the one %s carries",
            d->cfg.tun_name);
    mcc_node_leave(d->node, now_ns(d));
    return -1;
  }
  return 0;
}

static void shut_down(mccd *d) {
  for (size_t i = 0; i < CTL_CONNS; i++)
    if (d->conns[i].fd >= 0) close(d->conns[i].fd);
  log_limit_flush(&d->reject_log, UINT64_MAX);
  dns_conns_close(&d->dns_tcp);
  int fds[] = {d->udp4, d->udp6, d->tun, d->dns, d->sig, d->epfd};
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (fds[i] >= 0) close(fds[i]);
  sock_control_close(d->ctl, d->cfg.socket_path, d->ctl_ino);
  mcc_node_free(d->node);
  mcc_verify_cache_free(d->cache);
  daemon_config_clear(&d->cfg);
}

static void log_started(const mccd *d) {
  char id[MCC_ID_TEXT_LEN + 1], listen[64];
  mcc_id_to_text(mcc_node_id(d->node), id);
  ctl_format_addr(&d->cfg.listen, listen, sizeof listen);
  log_msg(LOG_INFO, "mccd %s started: node %s, udp %s%s, tun %s, %zu of %zu "
          "parents resolved",
          MCC_VERSION, id, listen, d->udp6 >= 0 ? " and [::]" : "",
          d->cfg.tun_name, d->cfg.settings.parents_len,
          d->cfg.parents_configured);
}

/* dnsmasq-enable: dnsmasq forwards our names to dns-addr while we run. */
static void start_dnsmasq(mccd *d) {
  dnsmasq_init(&d->dnsmasq, d->cfg.conf, d->cfg.config_dir);
  if (!d->dnsmasq.enabled) return;
  if (!d->cfg.dns_enable) {
    log_msg(LOG_WARN, "dnsmasq-enable: dns-enable is false, so there is no "
                      "DNS server for dnsmasq to forward to; no file written");
    return;
  }
  char text[DNSMASQ_TEXT_MAX], err[512] = "the file's text is too long";
  if (dnsmasq_text(&d->cfg.resolver, &d->cfg.dns_addr, text, sizeof text) < 0 ||
      dnsmasq_install(&d->dnsmasq, text, err, sizeof err) != 0) {
    log_msg(LOG_ERROR, "dnsmasq-enable: %s", err);
    return;
  }
  log_msg(LOG_INFO, "dnsmasq: %s forwards our names to the DNS server",
          d->dnsmasq.path);
}

int daemon_run(const char *arg) {
  static mccd d; /* large buffer: not on the stack */
  memset(&d, 0, sizeof d);
  d.udp4 = d.udp6 = d.tun = d.dns = d.ctl = d.sig = d.epfd = -1;
  for (size_t i = 0; i < CTL_CONNS; i++) d.conns[i].fd = -1;
  dns_conns_init(&d.dns_tcp);
  char err[1024];
  if (sodium_init() < 0) {
    fprintf(stderr, "mccd: libsodium failed to initialise\n");
    return 1;
  }
  if (daemon_config_load(&d.cfg, arg, err, sizeof err) < 0) {
    log_msg(LOG_ERROR, "%s", err);
    daemon_config_clear(&d.cfg);
    return 1;
  }
  if (log_open(d.cfg.log_file, d.cfg.log_level) < 0)
    log_msg(LOG_ERROR, "log-file %s: %s (logging to stderr)", d.cfg.log_file,
            strerror(errno));
  daemon_config_warn_unimplemented(&d.cfg);
  if (d.cfg.parents_configured &&
      daemon_config_resolve_parents(&d.cfg) == 0)
    log_msg(LOG_WARN, "no parent address resolved yet; trying again every "
            "%llu s", (unsigned long long)(UNRESOLVED_RETRY_NS / 1000000000ull));
  log_limit_init(&d.reject_log, LOG_DEBUG, REJECT_LOG_PER_S,
                 "rejected datagrams");
  start_clock(&d);
  /* The control socket first: "another mccd is running" is the clearest
   * answer to a second start. The node last (see create_node). */
  int ok = (d.epfd = epoll_create1(EPOLL_CLOEXEC)) >= 0 &&
           open_signals(&d) == 0 &&
           (!d.cfg.unix_enable || open_control(&d) == 0) &&
           open_udp(&d) == 0 && open_tun(&d) == 0 &&
           (!d.cfg.dns_enable || open_dns(&d) == 0) && create_node(&d) == 0;
  if (ok) {
    d.resolve_at_ns = now_ns(&d) + resolve_interval_ns(&d);
    trust_init(&d);
    daemon_tunnels_init(&d.tunnels, mcc_conf_get(d.cfg.conf, "tunnels"));
    scan_tunnels(&d, now_ns(&d));
    start_dnsmasq(&d);
    log_started(&d);
    loop(&d);
    /* BYE to the parent while the socket is still open: the network stops
     * routing to this node now, not after the child timeout. */
    mcc_node_leave(d.node, now_ns(&d));
    log_msg(LOG_INFO, "stopped");
  }
  dnsmasq_remove(&d.dnsmasq);
  if (d.tunnels.nexternal) /* the NAT rules go with the daemon */
    external_apply(d.cfg.tun_name, NULL, 0, err, sizeof err);
  shut_down(&d);
  daemon_tunnels_clear(&d.tunnels);
  log_close();
  return ok ? 0 : 1;
}
