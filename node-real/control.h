/*
 * control.h — the control socket's line protocol between `mcc` and `mccd`.
 *
 * Request: one line of printable ASCII, at most CTL_REQUEST_MAX bytes
 * including its '\n', words separated by spaces:
 *   id                      own node id
 *   parent                  "IP:PORT NODE-ID" of the active parent
 *   health                  "healthy ..." or an error saying what is wrong
 *   resolve FORMAT INPUT    FORMAT: ipv4, ipv6, mac6 or node-id
 *   route DEST [SOURCE]     "next-hop ID IP:PORT [default]", then one
 *                           "hop ID" line per known hop, next hop first
 *   nodes                   one line per known node, TAB-separated:
 *                           ID ADDRESS LAST_SEEN PARENT TAGS TYPE RELATION
 *                           (empty fields are "-"; LAST_SEEN in unix ms;
 *                           PARENT "-" for a root, "?" when not known
 *                           here; RELATION self, parent, child or -)
 *   stats                   "name value" lines: the core's counters
 *   domain                  resolver.domain as names end in it
 *                           (".home.arpa"; an empty line for none)
 * Answer: "ok\n" and the body, or "error MESSAGE\n". The daemon closes the
 * connection after answering. Anything else is answered with an error and
 * changes nothing.
 */
#ifndef MCC_REAL_CONTROL_H
#define MCC_REAL_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#include "strbuf.h"

#define CTL_REQUEST_MAX 512

typedef struct ctl_context {
  mcc_node *node;
  size_t parents_configured; /* 0: a root */
  uint64_t now;              /* the core's clock (ns) */
  int64_t unix_ms_at_zero;   /* wall clock when now == 0 */
  /* resolve: what a network lookup found for its INPUT (lookups.h), or
   * NULL to resolve from the node's resolver alone */
  const mcc_lookup_answer *found;
} ctl_context;

/* The INPUT of a "resolve FORMAT INPUT" request (NUL-terminated in input,
 * cap bytes): its length, or -1 for another request. */
int ctl_resolve_input(const char *request, size_t len, char *input,
                      size_t cap);

/* Daemon side: answers one request (without its '\n'). */
void ctl_handle(const ctl_context *ctx, const char *request, size_t len,
                strbuf *answer);

/* Client side: sends request (no '\n') to the daemon at socket_path and
 * reads the whole answer. Returns 0 with the body in answer for "ok"; 1
 * with the daemon's message in err for "error"; -1 with err saying why the
 * daemon could not be asked (no socket, refused, timeout). */
int ctl_call(const char *socket_path, const char *request, strbuf *answer,
             char *err, size_t errlen);

/* "IP:PORT" or "[IPv6]:PORT" of an underlay address. */
void ctl_format_addr(const mcc_addr *addr, char *out, size_t outlen);

#endif
