/*
 * tunnels.h — mccd's tunnels directory (the `tunnels` key), kept in step
 * with the node's tunnels: see tunnels.c.
 */
#ifndef MCC_REAL_TUNNELS_H
#define MCC_REAL_TUNNELS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#include "external.h"

struct tunnel_file;

typedef struct daemon_tunnels {
  char dir[PATH_MAX];
  struct tunnel_file *files;
  size_t n;
  int dir_error; /* the last scan could not open dir (logged once) */
  external_rule external[64]; /* the NAT rules in force (external.c) */
  size_t nexternal;
} daemon_tunnels;

/* dir: the tunnels directory; "" for none. */
void daemon_tunnels_init(daemon_tunnels *dt, const char *dir);
void daemon_tunnels_clear(daemon_tunnels *dt);
/* Lists the directory and adds, replaces or removes the node's tunnels to
 * match its files. */
void daemon_tunnels_sync(daemon_tunnels *dt, mcc_node *node,
                         const mcc_trust *trust, const char *tun,
                         uint64_t now);
/* Files that hold a tunnel in the node. */
size_t daemon_tunnels_count(const daemon_tunnels *dt);

#endif
