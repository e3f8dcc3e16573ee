/*
 * sockets.c — see sockets.h. The control socket's checks run before
 * anything is bound or removed, so a refused start leaves every path as it
 * found it.
 */
#define _GNU_SOURCE
#include "sockets.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "strbuf.h"


/* ---- addresses -------------------------------------------------------- */

socklen_t sock_to_sockaddr(const mcc_addr *a, int v6_socket,
                           struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (a->family == 4 && !v6_socket) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a->port);
    memcpy(&sin->sin_addr, a->ip, 4);
    return sizeof *sin;
  }
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(a->port);
  if (a->family == 4) { /* v4-mapped on a dual-stack socket */
    sin6->sin6_addr.s6_addr[10] = 0xff;
    sin6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&sin6->sin6_addr.s6_addr[12], a->ip, 4);
  } else {
    memcpy(&sin6->sin6_addr, a->ip, 16);
  }
  return sizeof *sin6;
}

void sock_from_sockaddr(const struct sockaddr_storage *ss, mcc_addr *a) {
  memset(a, 0, sizeof *a);
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    a->family = 4;
    a->port = ntohs(sin->sin_port);
    memcpy(a->ip, &sin->sin_addr, 4);
    return;
  }
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
  a->port = ntohs(sin6->sin6_port);
  if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
    a->family = 4;
    memcpy(a->ip, &sin6->sin6_addr.s6_addr[12], 4);
  } else {
    a->family = 6;
    memcpy(a->ip, &sin6->sin6_addr, 16);
  }
}

/* ---- UDP -------------------------------------------------------------- */

int sock_udp_open(const mcc_addr *at, int v6only, int bufsize,
                  const char *what, char *err, size_t errlen) {
  char text[64];
  ctl_format_addr(at, text, sizeof text);
  struct sockaddr_storage ss;
  socklen_t sl = sock_to_sockaddr(at, at->family == 6, &ss);
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_msg(err, errlen, "%s %s: %s", what, text, strerror(errno));
  if (ss.ss_family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  /* No SO_REUSEADDR: on UDP it lets a second process bind the same port
   * and take part of the traffic. A restart needs no reuse (no TIME_WAIT). */
  if (bufsize > 0) { /* FORCE passes net.core.rmem_max as root */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof bufsize))
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsize, sizeof bufsize))
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) == 0) return fd;
  int e = errno;
  close(fd);
  if (e == EADDRINUSE)
    return fail_msg(err, errlen,
                "%s %s: %s: another mccd (or another program) uses this "
                "port; stop it, or set %s to another port",
                what, text, strerror(e), what);
  return fail_msg(err, errlen, "%s %s: %s", what, text, strerror(e));
}

/* ---- the control socket ----------------------------------------------- */

int sock_peer(int fd, pid_t *ppid, uid_t *puid) {
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      len != sizeof cred)
    return -1;
  if (ppid) *ppid = cred.pid;
  if (puid) *puid = cred.uid;
  return 0;
}

static const char *kind_of(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a socket";
}

/* path's directory exists (made with mode 0755 when missing, parents too)
 * and nobody but root and this user can replace what is in it. */
static int check_dir(const char *path, char *warn, size_t warnlen, char *err,
                     size_t errlen) {
  char dir[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* path fits */
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == path) snprintf(dir, sizeof dir, "/");
  else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  for (char *p = dir + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(dir, 0755) == 0) chmod(dir, 0755); /* whatever the umask */
    else if (errno != EEXIST)
      return fail_msg(err, errlen, "unix-socket-path %s: creating %s: %s", path,
                  dir, strerror(errno));
    *p = saved;
    if (!saved) break;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return fail_msg(err, errlen, "unix-socket-path %s: %s is not a directory",
                path, dir);
  uid_t me = geteuid();
  if (st.st_uid != 0 && st.st_uid != me)
    return fail_msg(err, errlen,
                "unix-socket-path %s: the directory %s belongs to uid %u, "
                "who could replace the socket; use a directory of root or "
                "of this user (uid %u), such as the default " SOCK_DEFAULT_DIR,
                path, dir, (unsigned)st.st_uid, (unsigned)me);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
    return fail_msg(err, errlen,
                "unix-socket-path %s: the directory %s is writable by "
                "others (mode %04o), who could replace the socket; use a "
                "directory only root or this user can write, such as the "
                "default " SOCK_DEFAULT_DIR,
                path, dir, (unsigned)(st.st_mode & 07777));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    snprintf(warn, warnlen,
             "unix-socket-path %s: the directory %s is writable by others "
             "(mode %04o): another user can take the path while mccd is "
             "stopped; the default " SOCK_DEFAULT_PATH " is safe",
             path, dir, (unsigned)(st.st_mode & 07777));
  return 0;
}

/* What is at path, if anything, may be replaced: nothing, or a stale
 * socket of this user. */
static int check_path(const char *path, const struct sockaddr_un *sun,
                      char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno == ENOENT) return 0;
    return fail_msg(err, errlen, "unix-socket-path %s: %s", path,
                strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode))
    return fail_msg(err, errlen,
                "unix-socket-path %s: exists and is %s, not a socket; remove "
                "it, or set unix-socket-path to another path",
                path, kind_of(st.st_mode));
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c < 0)
    return fail_msg(err, errlen, "unix-socket-path %s: socket: %s", path,
                strerror(errno));
  if (connect(c, (const struct sockaddr *)sun, sizeof *sun) == 0) {
    pid_t pid = 0;
    uid_t uid = 0;
    int known = sock_peer(c, &pid, &uid) == 0;
    close(c);
    if (!known)
      return fail_msg(err, errlen,
                  "unix-socket-path %s: another mccd is running on it; stop "
                  "it first, or set unix-socket-path to another path",
                  path);
    return fail_msg(err, errlen,
                "unix-socket-path %s: another mccd is running on it (pid %ld, "
                "uid %u answers there); stop it first, or set "
                "unix-socket-path to another path",
                path, (long)pid, (unsigned)uid);
  }
  int e = errno;
  close(c);
  uid_t me = geteuid();
  if (st.st_uid != me)
    return fail_msg(err, errlen,
                "unix-socket-path %s: a socket of uid %u is in the way, not "
                "of this daemon's user (uid %u); remove it (rm %s) if no "
                "program uses it, or set unix-socket-path to another path",
                path, (unsigned)st.st_uid, (unsigned)me, path);
  if (e != ECONNREFUSED)
    return fail_msg(err, errlen,
                "unix-socket-path %s: cannot tell whether a daemon is "
                "running on it (%s); remove it if none is",
                path, strerror(e));
  if (unlink(path) != 0 && errno != ENOENT) /* left by a daemon that died */
    return fail_msg(err, errlen, "unix-socket-path %s: removing the stale "
                "socket: %s", path, strerror(errno));
  return 0;
}

int sock_control_open(const char *path, int backlog, ino_t *pino, char *err,
                      size_t errlen) {
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  if (err && errlen) err[0] = '\0';
  size_t len = strlen(path);
  if (len == 0)
    return fail_msg(err, errlen, "unix-socket-path: empty (set a path, or "
                "unix-enable = false)");
  if (len >= sizeof sun.sun_path)
    return fail_msg(err, errlen, "unix-socket-path %s: longer than %zu bytes",
                path, sizeof sun.sun_path - 1);
  memcpy(sun.sun_path, path, len);
  char warn[512] = "";
  if (check_dir(path, warn, sizeof warn, err, errlen) != 0 ||
      check_path(path, &sun, err, errlen) != 0)
    return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail_msg(err, errlen, "unix-socket-path %s: socket: %s", path,
                strerror(errno));
  mode_t old = umask(0117);
  int rv = bind(fd, (struct sockaddr *)&sun, sizeof sun);
  umask(old);
  struct stat st;
  if (rv != 0 || listen(fd, backlog) != 0 || stat(path, &st) != 0) {
    int e = errno;
    if (rv == 0) unlink(path);
    close(fd);
    if (e == EADDRINUSE) /* another daemon was quicker */
      return fail_msg(err, errlen,
                  "unix-socket-path %s: another mccd is running on it; stop "
                  "it first, or set unix-socket-path to another path",
                  path);
    return fail_msg(err, errlen, "unix-socket-path %s: %s", path, strerror(e));
  }
  *pino = st.st_ino;
  if (warn[0] && err && errlen) snprintf(err, errlen, "%s", warn);
  return fd;
}

void sock_control_close(int fd, const char *path, ino_t ino) {
  if (fd < 0) return;
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == ino)
    unlink(path);
  close(fd);
}
