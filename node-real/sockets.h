/*
 * sockets.h — the sockets mccd listens on, opened so that two daemons never
 * share one and a local user cannot take one over:
 *
 *   UDP (listen-addr, dns-addr): bound without SO_REUSEADDR or
 *   SO_REUSEPORT, so a second mccd on the same port fails to start
 *   ("Address already in use") instead of silently splitting the traffic.
 *
 *   The control socket (unix-socket-path, default SOCK_DEFAULT_PATH in a
 *   root-owned directory that mccd creates with mode 0755): a path where a
 *   live process answers is never taken ("another mccd is running on
 *   PATH"); a stale socket is replaced only when it belongs to the daemon's
 *   own user; anything else at the path (a file, a directory, a link,
 *   another user's socket) is refused with the fix in the message.
 *
 * Functions with err/errlen write one message naming the path or address
 * and return -1 on failure.
 */
#ifndef MCC_REAL_SOCKETS_H
#define MCC_REAL_SOCKETS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <mcc/mcc.h>

/* Also protocol/conf_keys.c's default of unix-socket-path. */
#define SOCK_DEFAULT_DIR "/run/mcc"
#define SOCK_DEFAULT_PATH SOCK_DEFAULT_DIR "/mcc.sock"

/* a as a sockaddr for a socket of family v6_socket ? AF_INET6 : AF_INET
 * (an IPv4 address on an IPv6 socket is v4-mapped); returns its length. */
socklen_t sock_to_sockaddr(const mcc_addr *a, int v6_socket,
                           struct sockaddr_storage *ss);
/* The reverse; a v4-mapped IPv6 address comes back as IPv4. */
void sock_from_sockaddr(const struct sockaddr_storage *ss, mcc_addr *a);

/* A non-blocking UDP socket bound to at (v6only for an IPv6 address), with
 * bufsize-byte socket buffers when the kernel allows. what names the
 * setting in messages ("listen-addr"). Returns the fd or -1. */
int sock_udp_open(const mcc_addr *at, int v6only, int bufsize,
                  const char *what, char *err, size_t errlen);

/* The control socket at path, listening (backlog) and non-blocking, mode
 * 0660. Creates path's directory (mode 0755) when it is missing. On
 * success *pino is the socket file's inode, for sock_control_close.
 * Returns the fd or -1. When err is set and the return is >= 0, err holds
 * a warning (a directory others may write in) for the log. */
int sock_control_open(const char *path, int backlog, ino_t *pino, char *err,
                      size_t errlen);
/* Closes fd and removes path if it is still the socket sock_control_open
 * made (inode ino), never another daemon's. */
void sock_control_close(int fd, const char *path, ino_t ino);

/* The process at the other end of a connected UNIX socket. Returns 0, or
 * -1 when the kernel does not say. */
int sock_peer(int fd, pid_t *ppid, uid_t *puid);

#endif
