/*
 * daemon.h — mccd's one event loop: epoll over the UDP sockets, the TUN
 * device, the DNS socket, the control socket and a signalfd, feeding the
 * sans-IO core and waiting no longer than the core's next deadline.
 */
#ifndef MCC_REAL_DAEMON_H
#define MCC_REAL_DAEMON_H

#include "daemon_config.h"

/* Runs mccd with the configuration in arg (a directory or mcc.conf) until
 * SIGTERM or SIGINT. Returns the process exit code: 0 after a clean
 * shutdown, 1 when startup failed (the reason logged). */
int daemon_run(const char *arg);

#endif
