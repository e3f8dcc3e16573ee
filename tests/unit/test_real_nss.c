/*
 * test_real_nss.c — libnss_mcc.so.2 (node-real/nss_mcc.c) as glibc loads
 * it: dlopen'ed from the build (MCC_NSS_LIB_PATH, or $MCC_NSS_LIB), its
 * entry points called against a fake mccd in a temporary directory, a
 * thread that answers the control protocol from a table:
 *
 *   name/id -> ok 10.83.0.7 / 200::7       address -> ok ID
 *   domain  -> ok .staex (or unknown)      else    -> error
 *
 * Checked: the hostent and gaih_addrtuple contents and that they live in
 * the caller's buffer; ERANGE/TRYAGAIN for every buffer too small;
 * NOTFOUND for an error answer and for names that cannot be asked (then
 * nothing is asked); UNAVAIL with no server or a garbled answer; errno
 * kept; several threads at once; a server of another uid (65534, as root
 * only) is not believed.
 */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nss_mcc.h"
#include "sockets.h"
#include "suites.h"
#include "testutil.h"

#ifndef MCC_NSS_LIB_PATH
#define MCC_NSS_LIB_PATH "build/lib/libnss_mcc.so.2"
#endif
#define NOBODY 65534

static const char ID[] = "3zb3fqd0mhzs4c0xv5q8t0x7cwk4w2k4r1m5p9n0e8x6y2z4w7x0";
static const char V4[] = "10.83.0.7", V6[] = "200::7";

/* the module's entry points, typed from nss_mcc.h */
static struct {
  void *lib;
  __typeof__(_nss_mcc_gethostbyname4_r) *byname4;
  __typeof__(_nss_mcc_gethostbyname3_r) *byname3;
  __typeof__(_nss_mcc_gethostbyname2_r) *byname2;
  __typeof__(_nss_mcc_gethostbyname_r) *byname;
  __typeof__(_nss_mcc_gethostbyaddr2_r) *byaddr2;
  __typeof__(_nss_mcc_gethostbyaddr_r) *byaddr;
} m;

static int load(void) {
  const char *path = getenv("MCC_NSS_LIB");
  if (!path) path = MCC_NSS_LIB_PATH;
  m.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!m.lib) {
    fprintf(stderr, "real_nss: %s\n", dlerror());
    return -1;
  }
#define SYM(f, name) *(void **)&m.f = dlsym(m.lib, name)
  SYM(byname4, "_nss_mcc_gethostbyname4_r");
  SYM(byname3, "_nss_mcc_gethostbyname3_r");
  SYM(byname2, "_nss_mcc_gethostbyname2_r");
  SYM(byname, "_nss_mcc_gethostbyname_r");
  SYM(byaddr2, "_nss_mcc_gethostbyaddr2_r");
  SYM(byaddr, "_nss_mcc_gethostbyaddr_r");
#undef SYM
  return m.byname4 && m.byname3 && m.byname2 && m.byname && m.byaddr2 &&
                 m.byaddr
             ? 0
             : -1;
}

static int unload(void) {
  if (m.lib) dlclose(m.lib);
  memset(&m, 0, sizeof m);
  return 0;
}

/* ---- the fake mccd --------------------------------------------------------
 */

typedef struct fake {
  char dir[64], path[100];
  int fd;
  int know_domain; /* answers "domain" (else: unknown request) */
  pthread_t thread;
  pthread_mutex_t lock;
  unsigned asked; /* connections answered */
  char last[600]; /* the last request line */
} fake;

static const char *answer_for(const fake *f, const char *req) {
  static const char *const names[] = {"n0", "n0.staex", ID, "N0"};
  static char ok_id[80];
  snprintf(ok_id, sizeof ok_id, "ok\n%s\n", ID); /* same text every time */
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!strncmp(req, "resolve ipv4 ", 13) && !strcmp(req + 13, names[i]))
      return "ok\n10.83.0.7\n";
    if (!strncmp(req, "resolve ipv6 ", 13) && !strcmp(req + 13, names[i]))
      return "ok\n200::7\n";
  }
  if (!strcmp(req, "resolve node-id 10.83.0.7") ||
      !strcmp(req, "resolve node-id 200::7"))
    return ok_id;
  if (!strcmp(req, "resolve ipv4 garbled")) return "ok\nnot an address\n";
  if (!strcmp(req, "resolve ipv4 v4only")) return "ok\n10.83.0.8\n";
  if (!strcmp(req, "resolve node-id 10.83.0.99")) return "ok\nnot-an-id\n";
  if (!strcmp(req, "domain") && f->know_domain) return "ok\n.staex\n";
  if (!strcmp(req, "domain")) return "error unknown request 'domain'\n";
  return "error resolves to no known node\n";
}

static void *fake_run(void *arg) {
  fake *f = arg;
  for (;;) {
    int c = accept(f->fd, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR) continue;
      return NULL; /* shut down */
    }
    char req[600];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof req - 1 &&
           (r = read(c, req + n, sizeof req - 1 - n)) > 0) {
      n += (size_t)r;
      if (memchr(req, '\n', n)) break;
    }
    req[n] = '\0';
    char *nl = strchr(req, '\n');
    if (nl) *nl = '\0';
    pthread_mutex_lock(&f->lock);
    const char *a = answer_for(f, req);
    f->asked++;
    snprintf(f->last, sizeof f->last, "%s", req);
    pthread_mutex_unlock(&f->lock);
    send(c, a, strlen(a), MSG_NOSIGNAL); /* the client may have gone */
    close(c);
  }
}

static void fake_start(fake *f, int know_domain) {
  memset(f, 0, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mcc-nss-XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/mcc.sock", f->dir);
  f->know_domain = know_domain;
  pthread_mutex_init(&f->lock, NULL);
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
  f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CU_ASSERT_FATAL(f->fd >= 0);
  CU_ASSERT_FATAL(bind(f->fd, (struct sockaddr *)&sun, sizeof sun) == 0);
  CU_ASSERT_FATAL(listen(f->fd, 64) == 0);
  CU_ASSERT_FATAL(pthread_create(&f->thread, NULL, fake_run, f) == 0);
  setenv(NSS_MCC_SOCKET_ENV, f->path, 1);
}

static unsigned fake_asked(fake *f) {
  pthread_mutex_lock(&f->lock);
  unsigned n = f->asked;
  pthread_mutex_unlock(&f->lock);
  return n;
}

static void fake_stop(fake *f) {
  shutdown(f->fd, SHUT_RDWR); /* accept returns */
  pthread_join(f->thread, NULL);
  close(f->fd);
  unlink(f->path);
  rmdir(f->dir);
  pthread_mutex_destroy(&f->lock);
  unsetenv(NSS_MCC_SOCKET_ENV);
}

static int inside(const void *p, const char *buf, size_t len) {
  return (const char *)p >= buf && (const char *)p < buf + len;
}

/* ---- the tests ------------------------------------------------------------
 */

static void test_real_nss_byname4(void) {
  fake f;
  fake_start(&f, 1);
  const char *names[] = {ID, "n0", "n0.staex"};
  for (size_t i = 0; i < 3; i++) {
    char buf[1024];
    struct gaih_addrtuple *at = NULL;
    int err = 0, herr = 0;
    int32_t ttl = 99;
    CU_ASSERT_EQUAL_FATAL(
        m.byname4(names[i], &at, buf, sizeof buf, &err, &herr, &ttl),
        NSS_STATUS_SUCCESS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    CU_ASSERT(inside(at, buf, sizeof buf));
    CU_ASSERT_EQUAL(ttl, 0);
    CU_ASSERT_EQUAL(at->family, AF_INET);
    CU_ASSERT_STRING_EQUAL(at->name, names[i]);
    CU_ASSERT(inside(at->name, buf, sizeof buf));
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET, at->addr, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, V4);
    CU_ASSERT_EQUAL(at->scopeid, 0);
    struct gaih_addrtuple *six = at->next;
    CU_ASSERT_PTR_NOT_NULL_FATAL(six);
    CU_ASSERT_EQUAL(six->family, AF_INET6);
    inet_ntop(AF_INET6, six->addr, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, V6);
    CU_ASSERT_STRING_EQUAL(six->name, names[i]);
    CU_ASSERT_PTR_NULL(six->next);
  }
  CU_ASSERT_EQUAL(fake_asked(&f), 6); /* ipv4 and ipv6 each */
  /* a node whose IPv6 form cannot be had still has its IPv4 one */
  char buf[512];
  struct gaih_addrtuple *at = NULL;
  int err, herr;
  CU_ASSERT_EQUAL(m.byname4("v4only", &at, buf, sizeof buf, &err, &herr, NULL),
                  NSS_STATUS_SUCCESS);
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  CU_ASSERT_EQUAL(at->family, AF_INET);
  CU_ASSERT_PTR_NULL(at->next);
  fake_stop(&f);
}

static void check_hostent(const struct hostent *h, const char *name, int af,
                          const char *addr, const char *buf, size_t len) {
  CU_ASSERT_STRING_EQUAL(h->h_name, name);
  CU_ASSERT(inside(h->h_name, buf, len));
  CU_ASSERT_EQUAL(h->h_addrtype, af);
  CU_ASSERT_EQUAL(h->h_length, af == AF_INET ? 4 : 16);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h->h_aliases);
  CU_ASSERT_PTR_NULL(h->h_aliases[0]);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h->h_addr_list);
  CU_ASSERT(inside(h->h_addr_list, buf, len));
  CU_ASSERT_PTR_NOT_NULL_FATAL(h->h_addr_list[0]);
  CU_ASSERT_PTR_NULL(h->h_addr_list[1]);
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(af, h->h_addr_list[0], text, sizeof text);
  CU_ASSERT_STRING_EQUAL(text, addr);
}

static void test_real_nss_byname2(void) {
  fake f;
  fake_start(&f, 1);
  struct hostent h;
  char buf[512];
  int err, herr;
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_SUCCESS);
  check_hostent(&h, "n0", AF_INET, V4, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(f.last, "resolve ipv4 n0");
  CU_ASSERT_EQUAL(m.byname2(ID, AF_INET6, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_SUCCESS);
  check_hostent(&h, ID, AF_INET6, V6, buf, sizeof buf);
  CU_ASSERT_EQUAL(m.byname("n0.staex", &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_SUCCESS);
  check_hostent(&h, "n0.staex", AF_INET, V4, buf, sizeof buf);
  char *canon = NULL;
  int32_t ttl = 5;
  CU_ASSERT_EQUAL(
      m.byname3("N0", AF_INET6, &h, buf, sizeof buf, &err, &herr, &ttl, &canon),
      NSS_STATUS_SUCCESS);
  check_hostent(&h, "N0", AF_INET6, V6, buf, sizeof buf);
  CU_ASSERT_PTR_EQUAL(canon, h.h_name);
  CU_ASSERT_EQUAL(ttl, 0);
  /* a family the module has no address of */
  unsigned before = fake_asked(&f);
  CU_ASSERT_EQUAL(m.byname2("n0", AF_UNIX, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  CU_ASSERT_EQUAL(err, EAFNOSUPPORT);
  CU_ASSERT_EQUAL(fake_asked(&f), before);
  fake_stop(&f);
}

static void test_real_nss_byaddr(void) {
  fake f;
  fake_start(&f, 1);
  struct hostent h;
  char buf[512], want[128];
  int err, herr;
  int32_t ttl = 5;
  uint8_t a4[4], a6[16];
  inet_pton(AF_INET, V4, a4);
  inet_pton(AF_INET6, V6, a6);
  snprintf(want, sizeof want, "%s.staex", ID);
  CU_ASSERT_EQUAL(
      m.byaddr2(a4, 4, AF_INET, &h, buf, sizeof buf, &err, &herr, &ttl),
      NSS_STATUS_SUCCESS);
  check_hostent(&h, want, AF_INET, V4, buf, sizeof buf);
  CU_ASSERT_EQUAL(ttl, 0);
  CU_ASSERT_EQUAL(m.byaddr(a6, 16, AF_INET6, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_SUCCESS);
  check_hostent(&h, want, AF_INET6, V6, buf, sizeof buf);
  /* not of mccd's networks, or not a node now */
  uint8_t other[4] = {192, 0, 2, 1};
  CU_ASSERT_EQUAL(m.byaddr(other, 4, AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_NOTFOUND);
  CU_ASSERT_EQUAL(herr, HOST_NOT_FOUND);
  CU_ASSERT_STRING_EQUAL(f.last, "resolve node-id 192.0.2.1");
  /* an answer that is not an id is not believed */
  uint8_t odd[4] = {10, 83, 0, 99};
  CU_ASSERT_EQUAL(m.byaddr(odd, 4, AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  /* a length that does not fit the family */
  CU_ASSERT_EQUAL(m.byaddr(a4, 16, AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  CU_ASSERT_EQUAL(m.byaddr(a6, 16, AF_UNIX, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  fake_stop(&f);
  /* an mccd without the "domain" request: the default domain */
  fake_start(&f, 0);
  snprintf(want, sizeof want, "%s.home.arpa", ID);
  CU_ASSERT_EQUAL(m.byaddr(a4, 4, AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_SUCCESS);
  check_hostent(&h, want, AF_INET, V4, buf, sizeof buf);
  fake_stop(&f);
}

/* Every buffer too small for the answer: TRYAGAIN with ERANGE, at every
 * alignment; the first that fits succeeds. */
static void test_real_nss_erange(void) {
  fake f;
  fake_start(&f, 1);
  static char big[1024];
  struct hostent h;
  int err, herr, fits2 = 0, fits4 = 0, fitsa = 0;
  uint8_t a4[4];
  inet_pton(AF_INET, V4, a4);
  for (size_t off = 0; off < 8; off++)
    for (size_t len = 0; len < 160; len++) {
      char *buf = big + off;
      enum nss_status s = m.byname2("n0", AF_INET6, &h, buf, len, &err, &herr);
      if (s == NSS_STATUS_SUCCESS) {
        check_hostent(&h, "n0", AF_INET6, V6, buf, len);
        if (!fits2) fits2 = (int)len;
        CU_ASSERT(len >= (size_t)fits2);
      } else {
        CU_ASSERT_EQUAL(s, NSS_STATUS_TRYAGAIN);
        CU_ASSERT_EQUAL(err, ERANGE);
        CU_ASSERT_EQUAL(herr, NETDB_INTERNAL);
        CU_ASSERT(!fits2 || off > 0);
      }
      struct gaih_addrtuple *at = NULL;
      s = m.byname4("n0", &at, buf, len, &err, &herr, NULL);
      if (s == NSS_STATUS_SUCCESS) {
        CU_ASSERT(inside(at, buf, len) && inside(at->next, buf, len));
        fits4 = 1;
      } else {
        CU_ASSERT_EQUAL(s, NSS_STATUS_TRYAGAIN);
        CU_ASSERT_EQUAL(err, ERANGE);
      }
      s = m.byaddr(a4, 4, AF_INET, &h, buf, len, &err, &herr);
      if (s == NSS_STATUS_SUCCESS)
        fitsa = 1;
      else
        CU_ASSERT(s == NSS_STATUS_TRYAGAIN && err == ERANGE);
      if (off == 0 && len == 0) { /* nothing fits in nothing */
        CU_ASSERT_FALSE(fits2 || fits4 || fitsa);
      }
    }
  CU_ASSERT(fits2 > 0 && fits4 && fitsa);
  /* glibc passes &errno as errnop: ERANGE must reach it there */
  errno = 0;
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, big, 8, &errno, &herr),
                  NSS_STATUS_TRYAGAIN);
  CU_ASSERT_EQUAL(errno, ERANGE);
  struct gaih_addrtuple *at = NULL;
  errno = 0;
  CU_ASSERT_EQUAL(m.byname4("n0", &at, big, 8, &errno, &herr, NULL),
                  NSS_STATUS_TRYAGAIN);
  CU_ASSERT_EQUAL(errno, ERANGE);
  errno = 0;
  CU_ASSERT_EQUAL(m.byaddr(a4, 4, AF_INET, &h, big, 8, &errno, &herr),
                  NSS_STATUS_TRYAGAIN);
  CU_ASSERT_EQUAL(errno, ERANGE);
  errno = 77; /* a success leaves it alone */
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, big, sizeof big, &errno, &herr),
                  NSS_STATUS_SUCCESS);
  CU_ASSERT_EQUAL(errno, 77);
  fake_stop(&f);
}

static void test_real_nss_notfound(void) {
  fake f;
  fake_start(&f, 1);
  struct hostent h;
  char buf[512], longname[300];
  int err, herr;
  errno = 1234;
  CU_ASSERT_EQUAL(
      m.byname2("nosuch", AF_INET, &h, buf, sizeof buf, &err, &herr),
      NSS_STATUS_NOTFOUND);
  CU_ASSERT_EQUAL(err, ENOENT);
  CU_ASSERT_EQUAL(herr, HOST_NOT_FOUND);
  CU_ASSERT_EQUAL(errno, 1234); /* the caller's errno is left alone */
  CU_ASSERT_EQUAL(
      m.byname2("nosuch", AF_INET, &h, buf, sizeof buf, &errno, &herr),
      NSS_STATUS_NOTFOUND);
  CU_ASSERT_EQUAL(errno, ENOENT); /* ...unless it is errnop */
  struct gaih_addrtuple *at = NULL;
  CU_ASSERT_EQUAL(
      m.byname4("www.example.com", &at, buf, sizeof buf, &err, &herr, NULL),
      NSS_STATUS_NOTFOUND);
  CU_ASSERT_PTR_NULL(at);
  CU_ASSERT_EQUAL(fake_asked(&f), 3);
  /* names that cannot be put on a request line are not asked */
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  const char *bad[] = {"",          "two words", "new\nline",
                       "tab\there", longname,    "caf\xc3\xa9"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CU_ASSERT_EQUAL(
        m.byname2(bad[i], AF_INET, &h, buf, sizeof buf, &err, &herr),
        NSS_STATUS_NOTFOUND);
    CU_ASSERT_EQUAL(m.byname4(bad[i], &at, buf, sizeof buf, &err, &herr, NULL),
                    NSS_STATUS_NOTFOUND);
  }
  CU_ASSERT_EQUAL(fake_asked(&f), 3);
  /* an answer that is not an address: mccd is not making sense */
  CU_ASSERT_EQUAL(
      m.byname2("garbled", AF_INET, &h, buf, sizeof buf, &err, &herr),
      NSS_STATUS_UNAVAIL);
  fake_stop(&f);
}

/* No mccd: UNAVAIL at once, so nsswitch goes on to the next source. */
static void test_real_nss_no_server(void) {
  char dir[] = "/tmp/mcc-nss-XXXXXX", path[64];
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/mcc.sock", dir);
  setenv(NSS_MCC_SOCKET_ENV, path, 1);
  struct hostent h;
  char buf[512];
  int err, herr;
  struct gaih_addrtuple *at = NULL;
  errno = 0;
  CU_ASSERT_EQUAL(m.byname4(ID, &at, buf, sizeof buf, &err, &herr, NULL),
                  NSS_STATUS_UNAVAIL);
  CU_ASSERT_EQUAL(herr, NO_RECOVERY);
  CU_ASSERT_EQUAL(errno, 0);
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  uint8_t a4[4] = {10, 83, 0, 7};
  CU_ASSERT_EQUAL(m.byaddr(a4, 4, AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  /* a stale socket file, nobody listening */
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sun, sizeof sun) == 0);
  close(fd);
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  unlink(path);
  rmdir(dir);
  unsetenv(NSS_MCC_SOCKET_ENV);
  /* the default path is mccd's */
  CU_ASSERT_STRING_EQUAL(NSS_MCC_SOCKET_DEFAULT, SOCK_DEFAULT_PATH);
}

struct worker {
  unsigned ok;
};

static void *worker_run(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 50; i++) {
    struct hostent h;
    char buf[256];
    int err, herr;
    int af = i % 2 ? AF_INET6 : AF_INET;
    if (m.byname2("n0", af, &h, buf, sizeof buf, &err, &herr) ==
            NSS_STATUS_SUCCESS &&
        h.h_addrtype == af && !strcmp(h.h_name, "n0"))
      w->ok++;
  }
  return NULL;
}

/* No shared state: threads resolving at once each get their own answer. */
static void test_real_nss_threads(void) {
  fake f;
  fake_start(&f, 1);
  pthread_t t[4];
  struct worker w[4] = {{0}};
  for (int i = 0; i < 4; i++)
    CU_ASSERT_FATAL(pthread_create(&t[i], NULL, worker_run, &w[i]) == 0);
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(w[i].ok, 50);
  }
  CU_ASSERT_EQUAL(fake_asked(&f), 200);
  fake_stop(&f);
}

/* A process of another user at the socket path (uid 65534: it could bind
 * there while mccd is stopped) answers plausibly; it is not believed. */
static void test_real_nss_other_uid(void) {
  if (geteuid() != 0) {
    printf("\n  (not root: a server of another uid is not tried)\n");
    return;
  }
  char dir[] = "/tmp/mcc-nss-XXXXXX", path[64];
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/mcc.sock", dir);
  int ready[2], told[2];
  CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(told) == 0);
  fflush(stdout);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) _exit(2);
    if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0) _exit(3);
    if (listen(fd, 4) != 0) _exit(4); /* the peer's credentials: now */
    if (write(ready[1], "r", 1) != 1) _exit(1);
    alarm(10);
    unsigned char asked = 0;
    for (int i = 0; i < 2; i++) {
      int c = accept(fd, NULL, NULL);
      if (c < 0) break;
      char req[128];
      if (read(c, req, sizeof req) > 0) asked++; /* a request came */
      static const char a[] = "ok\n10.66.6.6\n";
      send(c, a, sizeof a - 1, MSG_NOSIGNAL);
      close(c);
    }
    if (write(told[1], &asked, 1) != 1) _exit(1);
    _exit(0);
  }
  char r;
  CU_ASSERT_FATAL(read(ready[0], &r, 1) == 1);
  setenv(NSS_MCC_SOCKET_ENV, path, 1);
  struct hostent h;
  char buf[512];
  int err, herr;
  struct gaih_addrtuple *at = NULL;
  CU_ASSERT_EQUAL(m.byname2("n0", AF_INET, &h, buf, sizeof buf, &err, &herr),
                  NSS_STATUS_UNAVAIL);
  CU_ASSERT_EQUAL(m.byname4("n0", &at, buf, sizeof buf, &err, &herr, NULL),
                  NSS_STATUS_UNAVAIL);
  unsigned char asked = 0xff;
  CU_ASSERT_EQUAL(read(told[0], &asked, 1), 1);
  CU_ASSERT_EQUAL(asked & 0x7f, 0); /* connected, then closed unasked */
  int st;
  waitpid(pid, &st, 0);
  CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(ready[0]);
  close(ready[1]);
  close(told[0]);
  close(told[1]);
  unsetenv(NSS_MCC_SOCKET_ENV);
  unlink(path);
  rmdir(dir);
}

void suite_real_nss(void) {
  CU_pSuite s = CU_add_suite("real_nss", load, unload);
  ADD_TEST(s, test_real_nss_byname4);
  ADD_TEST(s, test_real_nss_byname2);
  ADD_TEST(s, test_real_nss_byaddr);
  ADD_TEST(s, test_real_nss_erange);
  ADD_TEST(s, test_real_nss_notfound);
  ADD_TEST(s, test_real_nss_no_server);
  ADD_TEST(s, test_real_nss_threads);
  ADD_TEST(s, test_real_nss_other_uid);
}
