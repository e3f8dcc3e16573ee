/*
 * nss_mcc.c — libnss_mcc.so.2, a glibc NSS "hosts" module: with
 * `hosts: files mcc dns` in /etc/nsswitch.conf every program resolves node
 * ids, "<id><domain>" and dns-names (alone or under resolver.domain) to the
 * node's overlay addresses, and those addresses back to "<id><domain>",
 * without any DNS set-up.
 *
 * It asks mccd over its control socket with the ordinary requests of
 * control.h: "resolve ipv4|ipv6|node-id INPUT" and "domain". mccd parks a
 * resolve of a name or id it does not hold until a network lookup answers,
 * so a name from anywhere in the network resolves here too. An "error"
 * answer means "not ours": NSS_STATUS_NOTFOUND, and nsswitch goes on to dns.
 *
 * It runs inside every process that resolves a name, so: no global state
 * (each call opens, uses and closes its own socket), close-on-exec sockets,
 * MSG_NOSIGNAL (no SIGPIPE), errno as the caller had it, a deadline for the
 * whole exchange, and nothing but libc: the text answers are parsed here.
 * Only root's or our own euid's process is believed (SO_PEERCRED), as `mcc`
 * does: a user who binds the socket path while mccd is stopped must not
 * answer for it.
 */
#define _GNU_SOURCE
#include "nss_mcc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NSS_MCC_ANSWER_MAX 512 /* our answers are one short line */
#define NSS_MCC_NAME_MAX 253   /* a DNS name; also keeps requests < 512 */
#define NSS_MCC_ID_LEN 52
/* The domain of reverse names when mccd cannot say (before "domain"). */
#define NSS_MCC_DOMAIN_DEFAULT ".home.arpa"

enum ask_rv { ASK_OK, ASK_NO, ASK_UNAVAIL };

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_mccd(void) {
  const char *path = secure_getenv(NSS_MCC_SOCKET_ENV);
  if (!path || !*path) path = NSS_MCC_SOCKET_DEFAULT;
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  size_t len = strlen(path);
  if (len >= sizeof sun.sun_path) return -1;
  memcpy(sun.sun_path, path, len);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  /* a full backlog would make connect wait: bound it too */
  struct timeval tv = {NSS_MCC_TIMEOUT_MS / 1000,
                       (NSS_MCC_TIMEOUT_MS % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  struct ucred cred;
  socklen_t clen = sizeof cred;
  if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
      clen != sizeof cred || (cred.uid != 0 && cred.uid != geteuid())) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Sends "request\n" and reads the answer to EOF within the deadline.
 * ASK_OK with the body's first line in value; ASK_NO for "error ...";
 * ASK_UNAVAIL when mccd cannot be asked or says nonsense. */
static enum ask_rv ask(const char *request, char *value, size_t cap) {
  char buf[NSS_MCC_ANSWER_MAX + 1];
  size_t rlen = strlen(request);
  if (rlen + 1 > sizeof buf) return ASK_UNAVAIL;
  memcpy(buf, request, rlen);
  buf[rlen++] = '\n';
  int fd = connect_mccd();
  if (fd < 0) return ASK_UNAVAIL;
  if (send(fd, buf, rlen, MSG_NOSIGNAL) != (ssize_t)rlen) {
    close(fd);
    return ASK_UNAVAIL;
  }
  int64_t deadline = now_ms() + NSS_MCC_TIMEOUT_MS;
  size_t got = 0;
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0) break;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, (int)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) deadline = INT64_MAX; /* EOF: the whole answer */
      break;
    }
    got += (size_t)r;
    if (got == sizeof buf - 1) break; /* longer than any answer of ours */
  }
  close(fd);
  if (deadline != INT64_MAX) return ASK_UNAVAIL;
  buf[got] = '\0';
  if (got >= 6 && memcmp(buf, "error ", 6) == 0) return ASK_NO;
  if (got < 3 || memcmp(buf, "ok\n", 3) != 0) return ASK_UNAVAIL;
  const char *v = buf + 3, *nl = strchr(v, '\n');
  if (!nl || (size_t)(nl - v) >= cap) return ASK_UNAVAIL;
  memcpy(value, v, (size_t)(nl - v));
  value[nl - v] = '\0';
  return ASK_OK;
}

/* A name we may put on a request line: printable, no spaces. */
static int askable(const char *name) {
  size_t n = name ? strnlen(name, NSS_MCC_NAME_MAX + 1) : 0;
  if (n == 0 || n > NSS_MCC_NAME_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (name[i] <= ' ' || name[i] > '~') return 0;
  return 1;
}

/* The address of name in family af (AF_INET or AF_INET6) into addr. */
static enum ask_rv resolve_addr(const char *name, int af, void *addr) {
  char req[32 + NSS_MCC_NAME_MAX], text[INET6_ADDRSTRLEN];
  strcpy(req, af == AF_INET ? "resolve ipv4 " : "resolve ipv6 ");
  strcat(req, name);
  enum ask_rv rv = ask(req, text, sizeof text);
  if (rv == ASK_OK && inet_pton(af, text, addr) != 1) rv = ASK_UNAVAIL;
  return rv;
}

static enum nss_status fail(enum ask_rv rv, int *errnop, int *h_errnop) {
  if (rv == ASK_NO) {
    *errnop = ENOENT;
    *h_errnop = HOST_NOT_FOUND;
    return NSS_STATUS_NOTFOUND;
  }
  *errnop = EAGAIN;
  *h_errnop = NO_RECOVERY; /* mccd absent: go on to the next source */
  return NSS_STATUS_UNAVAIL;
}

static enum nss_status too_small(int *errnop, int *h_errnop) {
  *errnop = ERANGE;
  *h_errnop = NETDB_INTERNAL;
  return NSS_STATUS_TRYAGAIN;
}

static size_t pad_for(const char *p, size_t align) {
  return (align - (uintptr_t)p % align) % align;
}

/* host = {name, no aliases, one address}, everything inside buffer:
 * [pad][aliases: NULL][addr_list: addr, NULL][addr][name]. */
static enum nss_status fill_hostent(const char *name, int af, const void *addr,
                                    struct hostent *host, char *buffer,
                                    size_t buflen, int *errnop, int *h_errnop,
                                    char **canonp) {
  size_t alen = af == AF_INET ? 4 : 16, nlen = strlen(name) + 1;
  size_t pad = pad_for(buffer, alignof(char *));
  size_t need = pad + 3 * sizeof(char *) + alen + nlen;
  if (buflen < need) return too_small(errnop, h_errnop);
  char **ptrs = (char **)(void *)(buffer + pad);
  char *a = (char *)(ptrs + 3), *n = a + alen;
  memcpy(a, addr, alen);
  memcpy(n, name, nlen);
  ptrs[0] = NULL;
  ptrs[1] = a;
  ptrs[2] = NULL;
  host->h_name = n;
  host->h_aliases = ptrs;
  host->h_addrtype = af;
  host->h_length = (int)alen;
  host->h_addr_list = ptrs + 1;
  if (canonp) *canonp = n;
  return NSS_STATUS_SUCCESS;
}

static enum nss_status byname(const char *name, int af, struct hostent *host,
                              char *buffer, size_t buflen, int *errnop,
                              int *h_errnop, int32_t *ttlp, char **canonp) {
  if (af != AF_INET && af != AF_INET6) {
    *errnop = EAFNOSUPPORT;
    *h_errnop = NO_DATA;
    return NSS_STATUS_UNAVAIL;
  }
  if (!askable(name)) return fail(ASK_NO, errnop, h_errnop);
  unsigned char addr[16];
  enum ask_rv rv = resolve_addr(name, af, addr);
  if (rv != ASK_OK) return fail(rv, errnop, h_errnop);
  if (ttlp) *ttlp = 0; /* mccd's addresses are leases it renews: no caching */
  return fill_hostent(name, af, addr, host, buffer, buflen, errnop, h_errnop,
                      canonp);
}

/* glibc passes &errno as errnop: errno is put back as the caller had it
 * first, then the answer's code goes to *errnop (errno itself, often),
 * where glibc looks for ERANGE. On success *errnop is left alone. */
static enum nss_status done(enum nss_status s, int saved_errno, int err,
                            int *errnop) {
  errno = saved_errno;
  if (s != NSS_STATUS_SUCCESS) *errnop = err;
  return s;
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyname3_r(
    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
    int *errnop, int *h_errnop, int32_t *ttlp, char **canonp) {
  int saved = errno, err = 0;
  enum nss_status s =
      byname(name, af, host, buffer, buflen, &err, h_errnop, ttlp, canonp);
  return done(s, saved, err, errnop);
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyname2_r(
    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
    int *errnop, int *h_errnop) {
  int saved = errno, err = 0;
  enum nss_status s =
      byname(name, af, host, buffer, buflen, &err, h_errnop, NULL, NULL);
  return done(s, saved, err, errnop);
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyname_r(const char *name,
                                                     struct hostent *host,
                                                     char *buffer,
                                                     size_t buflen, int *errnop,
                                                     int *h_errnop) {
  int saved = errno, err = 0;
  enum nss_status s =
      byname(name, AF_INET, host, buffer, buflen, &err, h_errnop, NULL, NULL);
  return done(s, saved, err, errnop);
}

/* getaddrinfo's entry: every address of name as a list of tuples in
 * buffer: [pad][tuple v4][tuple v6][name]. A node has both forms; when its
 * IPv6 one cannot be had the IPv4 one is still an answer. */
static enum nss_status byname4(const char *name, struct gaih_addrtuple **pat,
                               char *buffer, size_t buflen, int *errnop,
                               int *h_errnop, int32_t *ttlp) {
  if (!askable(name)) return fail(ASK_NO, errnop, h_errnop);
  unsigned char v4[4], v6[16];
  enum ask_rv rv = resolve_addr(name, AF_INET, v4);
  if (rv != ASK_OK) return fail(rv, errnop, h_errnop);
  int has6 = resolve_addr(name, AF_INET6, v6) == ASK_OK;
  size_t count = has6 ? 2 : 1, nlen = strlen(name) + 1;
  size_t pad = pad_for(buffer, alignof(struct gaih_addrtuple));
  if (buflen < pad + count * sizeof(struct gaih_addrtuple) + nlen)
    return too_small(errnop, h_errnop);
  struct gaih_addrtuple *t = (struct gaih_addrtuple *)(void *)(buffer + pad);
  char *n = (char *)(t + count);
  memcpy(n, name, nlen);
  memset(t, 0, count * sizeof *t);
  t[0].name = n;
  t[0].family = AF_INET;
  memcpy(t[0].addr, v4, sizeof v4);
  if (has6) {
    t[0].next = &t[1];
    t[1].name = n;
    t[1].family = AF_INET6;
    memcpy(t[1].addr, v6, sizeof v6);
  }
  *pat = t;
  if (ttlp) *ttlp = 0;
  return NSS_STATUS_SUCCESS;
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyname4_r(
    const char *name, struct gaih_addrtuple **pat, char *buffer, size_t buflen,
    int *errnop, int *h_errnop, int32_t *ttlp) {
  int saved = errno, err = 0;
  enum nss_status s = byname4(name, pat, buffer, buflen, &err, h_errnop, ttlp);
  return done(s, saved, err, errnop);
}

static int is_id(const char *s) {
  static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  if (strlen(s) != NSS_MCC_ID_LEN) return 0;
  for (const char *p = s; *p; p++)
    if (!strchr(alphabet, *p)) return 0;
  return 1;
}

/* An address of mccd's networks -> "<id><domain>", the name its DNS server
 * gives in a PTR answer. */
static enum nss_status byaddr(const void *addr, socklen_t len, int af,
                              struct hostent *host, char *buffer, size_t buflen,
                              int *errnop, int *h_errnop, int32_t *ttlp) {
  if (!addr ||
      !((af == AF_INET && len == 4) || (af == AF_INET6 && len == 16))) {
    *errnop = EAFNOSUPPORT;
    *h_errnop = NO_RECOVERY;
    return NSS_STATUS_UNAVAIL;
  }
  char req[32 + INET6_ADDRSTRLEN] = "resolve node-id ";
  if (!inet_ntop(af, addr, req + strlen(req), INET6_ADDRSTRLEN))
    return fail(ASK_NO, errnop, h_errnop);
  char name[NSS_MCC_ANSWER_MAX + NSS_MCC_ID_LEN];
  enum ask_rv rv = ask(req, name, NSS_MCC_ID_LEN + 1);
  if (rv == ASK_OK && !is_id(name)) rv = ASK_UNAVAIL;
  if (rv != ASK_OK) return fail(rv, errnop, h_errnop);
  /* "domain": "" for none; an older mccd does not know the request */
  char *domain = name + NSS_MCC_ID_LEN;
  if (ask("domain", domain, NSS_MCC_ANSWER_MAX) != ASK_OK ||
      (*domain && (*domain != '.' || !askable(domain))))
    strcpy(domain, NSS_MCC_DOMAIN_DEFAULT);
  if (ttlp) *ttlp = 0;
  return fill_hostent(name, af, addr, host, buffer, buflen, errnop, h_errnop,
                      NULL);
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyaddr2_r(
    const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
    size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp) {
  int saved = errno, err = 0;
  enum nss_status s =
      byaddr(addr, len, af, host, buffer, buflen, &err, h_errnop, ttlp);
  return done(s, saved, err, errnop);
}

NSS_MCC_API enum nss_status _nss_mcc_gethostbyaddr_r(
    const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
    size_t buflen, int *errnop, int *h_errnop) {
  int saved = errno, err = 0;
  enum nss_status s =
      byaddr(addr, len, af, host, buffer, buflen, &err, h_errnop, NULL);
  return done(s, saved, err, errnop);
}
