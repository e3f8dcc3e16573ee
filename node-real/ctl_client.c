/*
 * ctl_client.c — `mcc`'s side of the control protocol: connect to the
 * daemon's UNIX socket, check who listens there, send one request, read the
 * answer to EOF. Bounded: a daemon that does not answer within
 * CTL_TIMEOUT_S (a resolve, which may wait for a network lookup:
 * CTL_RESOLVE_TIMEOUT_S) is reported, not waited for. Only root or this user's own
 * process is asked: anyone may bind a socket where mccd is expected (while
 * it is stopped, at a path in a directory they can write), and `mcc health`
 * must not say "healthy" for them.
 */
#include "control.h"
#include "sockets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_TIMEOUT_S 5
/* A resolve may wait for a network lookup (network-lookup-timeout, 20 s
 * by default). */
#define CTL_RESOLVE_TIMEOUT_S 65
#define CTL_ANSWER_MAX (64u << 20)

int ctl_call(const char *socket_path, const char *request, strbuf *answer,
             char *err, size_t errlen) {
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  if (strlen(socket_path) >= sizeof sun.sun_path) {
    snprintf(err, errlen, "%s: socket path too long", socket_path);
    return -1;
  }
  memcpy(sun.sun_path, socket_path, strlen(socket_path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  struct timeval tv = {
      strncmp(request, "resolve ", 8) ? CTL_TIMEOUT_S : CTL_RESOLVE_TIMEOUT_S,
      0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
    snprintf(err, errlen,
             "cannot reach mccd at %s: %s (is mccd running? use -s PATH for "
             "another socket)",
             socket_path, strerror(errno));
    close(fd);
    return -1;
  }
  pid_t pid = 0;
  uid_t uid = 0, me = geteuid();
  if (sock_peer(fd, &pid, &uid) != 0) {
    snprintf(err, errlen, "%s: cannot tell which process answers there: %s",
             socket_path, strerror(errno));
    close(fd);
    return -1;
  }
  if (uid != 0 && uid != me) {
    snprintf(err, errlen,
             "%s: the process answering there (pid %ld) runs as uid %u, "
             "neither root nor you (uid %u): it is not mccd, not asking it",
             socket_path, (long)pid, (unsigned)uid, (unsigned)me);
    close(fd);
    return -1;
  }
  strbuf req;
  strbuf_init(&req);
  strbuf_printf(&req, "%s\n", request);
  ssize_t w = req.failed ? -1 : write(fd, req.data, req.len);
  int sent = w == (ssize_t)req.len;
  strbuf_clear(&req);
  if (!sent) {
    snprintf(err, errlen, "%s: sending the request: %s", socket_path,
             strerror(errno));
    close(fd);
    return -1;
  }
  strbuf raw;
  strbuf_init(&raw);
  char buf[4096];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0 && raw.len < CTL_ANSWER_MAX)
    strbuf_append(&raw, buf, (size_t)r);
  int saved = errno;
  close(fd);
  if (r < 0 || raw.failed || raw.len == 0) {
    snprintf(err, errlen, "%s: %s", socket_path,
             r < 0 ? strerror(saved) : "the daemon closed without answering");
    strbuf_clear(&raw);
    return -1;
  }
  int rv;
  if (raw.len >= 3 && memcmp(raw.data, "ok\n", 3) == 0) {
    strbuf_append(answer, raw.data + 3, raw.len - 3);
    rv = 0;
  } else if (raw.len >= 6 && memcmp(raw.data, "error ", 6) == 0) {
    size_t n = raw.len - 6;
    if (n && raw.data[raw.len - 1] == '\n') n--;
    snprintf(err, errlen, "%.*s", (int)n, raw.data + 6);
    rv = 1;
  } else {
    snprintf(err, errlen, "%s: the daemon's answer is not understood",
             socket_path);
    rv = -1;
  }
  strbuf_clear(&raw);
  return rv;
}
