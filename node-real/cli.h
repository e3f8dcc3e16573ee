/*
 * cli.h — the subcommands of `mcc`, one function each. mcc_main.c parses the
 * general options (-s/--unix, --help, --version) and dispatches here with
 * argv[0] = the subcommand's name. Each returns the process exit code:
 * 0 success, 1 failure (a message on stderr naming the file or value at
 * fault), 2 bad usage (unknown option, missing argument).
 */
#ifndef MCC_REAL_CLI_H
#define MCC_REAL_CLI_H

#include "sockets.h"

#define MCC_DEFAULT_CONFIG_DIR "/etc/mcc"
/* The daemon's unix-socket-path default (sockets.h): in a directory only
 * root can write, not in /tmp where anyone could take the path. */
#define MCC_DEFAULT_SOCKET SOCK_DEFAULT_PATH
/* When set, the socket path `mcc` uses unless -s is given: the manual's
 * variable (tools/lab sets it per node), then this project's older name. */
#define MCC_SOCKET_ENV "MCC_UNIX_SOCKET_PATH"
#define MCC_SOCKET_ENV_OLD "MCC_SOCKET"

/* Offline commands, on files (cli_certs.c). */
int cli_generate_authority(int argc, char **argv);
int cli_generate_network(int argc, char **argv);
int cli_generate_node_certificate(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_certificates(int argc, char **argv);
/* mcc create-tunnel (cli_tunnel.c). */
int cli_create_tunnel(int argc, char **argv);

/* Commands that ask the running daemon (cli_daemon.c); socket is the
 * control socket's path. */
int cli_id(const char *socket, int argc, char **argv);
int cli_parent(const char *socket, int argc, char **argv);
int cli_stats(const char *socket, int argc, char **argv);
int cli_health(const char *socket, int argc, char **argv);
int cli_resolve(const char *socket, int argc, char **argv);
int cli_route(const char *socket, int argc, char **argv);
int cli_nodes(const char *socket, int argc, char **argv);

#endif
