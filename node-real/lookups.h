/*
 * lookups.h — local users' questions (DNS queries, `mcc resolve`) about a
 * name or id this node does not hold: which ones need a network lookup
 * (the core's mcc_node_lookup), and the queries parked until its answer.
 */
#ifndef MCC_REAL_LOOKUPS_H
#define MCC_REAL_LOOKUPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <mcc/mcc.h>

#define LOOKUP_WAITS 64          /* questions parked at once */
#define LOOKUP_QUERY_MAX 512     /* bytes of a parked DNS query */

enum lookup_need {
  NEED_NONE,     /* the resolver answers it as it stands */
  NEED_ANSWERED, /* the network's answer is known now: *found */
  NEED_WAIT,     /* asked: wait for lookup_done(*token) */
};

/* What name (a DNS question's name or `mcc resolve` input: an id,
 * "<id><domain>", a dns-name alone or under domain, an address) needs:
 *   - an IPv4 address outside the resolver's network that no node holds
 *     here: asked (a node's static-addr);
 *   - other addresses, names the resolver knows (records this node holds, its
 *     tunnels' endpoints), names outside the domain with a dot: NONE;
 *   - an id this node deals with (itself, its records, links, tunnels):
 *     NONE; another id: asked, and only a root's NO_SUCH makes it unknown
 *     (*is_id set; no answer at all keeps it resolvable, as node ids are);
 *   - another name: asked (or answered from the lookup cache).
 * domain: resolver.domain (".home.arpa"). */
enum lookup_need lookup_need(mcc_node *node, const char *domain,
                             const char *name, size_t len, uint64_t now,
                             mcc_lookup_answer *found, uint32_t *token,
                             int *is_id);

/* What an answer means to the resolver: NULL (resolve locally) for an id
 * question the network did not answer, else the answer. */
const mcc_lookup_answer *lookup_effective(const mcc_lookup_answer *a,
                                          int is_id);

/* Where a DNS answer goes: a UDP client, or a TCP connection (dns_conns.h)
 * by slot and generation, so that an answer for a connection that closed
 * meanwhile finds a new one in its slot and goes nowhere. */
typedef struct dns_client {
  struct sockaddr_storage from; /* UDP: the client */
  socklen_t fromlen;
  int tcp;
  size_t tcp_slot;
  uint32_t tcp_gen;
} dns_client;

typedef struct lookup_wait {
  uint32_t token;
  uint8_t used, is_id, is_ctl;
  int ctl_fd;  /* a `mcc resolve` connection: its fd and slot */
  size_t ctl_slot;
  dns_client to; /* a DNS query: where its answer goes, and its bytes */
  size_t qlen;
  uint8_t query[LOOKUP_QUERY_MAX];
} lookup_wait;

typedef struct lookup_waits {
  lookup_wait w[LOOKUP_WAITS];
} lookup_waits;

/* A free entry for token, or NULL when all are taken. */
lookup_wait *lookup_wait_add(lookup_waits *lw, uint32_t token, int is_id);

/* A local user's question about name, the whole of it: lookup_need,
 * then either *pw, a wait entry the caller fills with where the answer
 * goes (the function returns NULL), or *pw NULL and the answer to give
 * now: NULL for the resolver's own, else *buf (UNREACHABLE when the
 * question would wait and may not: can_wait 0 or no entry free). */
const mcc_lookup_answer *lookup_begin(lookup_waits *lw, mcc_node *node,
                                      const char *domain, const char *name,
                                      size_t len, uint64_t now, int can_wait,
                                      mcc_lookup_answer *buf,
                                      lookup_wait **pw);

#endif
