/*
 * dns_limit.h — the built-in DNS server's limit per client: a token bucket
 * for each client address, kept as one time per client (GCRA), in a table
 * of fixed size. A client is a source IPv4 address, or the /64 of an IPv6
 * one (a host owns a /64); the port is ignored, since stub resolvers pick a
 * new one for each query. Pure: the host passes the time; no allocation.
 *
 * The limits mccd uses:
 *   MCC_DNS_CLIENT_RATE   50 queries a second per client, sustained, and
 *   MCC_DNS_CLIENT_BURST  100 at once. A program that looks up a few names
 *                         a second (an A and an AAAA query each) never
 *                         meets it. It stays below the resolver's cap on new
 *                         mappings (100 a second, resolve.h), so a flood
 *                         from one address leaves room for everyone else's
 *                         new names.
 *   Over the limit a client gets one REFUSED a second, so that its stub
 *   gives up or moves on instead of waiting, and the rest of its queries
 *   are dropped unanswered: a flood costs the server no sends.
 *   MCC_DNS_CLIENTS       256 clients are remembered, in 32 sets of 8
 *                         chosen by a keyed hash of the address. A new
 *                         client takes the place of the entry in its set
 *                         that has the most room left, an idle one if there
 *                         is one: an idle client's bucket is full, so
 *                         forgetting it loses nothing.
 * A local user can send from any address of 127.0.0.0/8 and so get a fresh
 * bucket per address; what keeps such a flood from churning the address
 * pool is the resolver's cap on new mappings, not this limit.
 */
#ifndef MCC_REAL_DNS_LIMIT_H
#define MCC_REAL_DNS_LIMIT_H

#include <stdint.h>

#include <mcc/mcc.h>

#define MCC_DNS_CLIENT_RATE 50              /* queries a second per client */
#define MCC_DNS_CLIENT_BURST 100            /* queries at once per client */
#define MCC_DNS_CLIENTS 256                 /* clients remembered */
#define MCC_DNS_CLIENT_WAYS 8               /* entries a client may take */
#define MCC_DNS_REFUSE_GAP_NS 1000000000ull /* one REFUSED a second */

enum mcc_dns_verdict {
  MCC_DNS_VERDICT_ANSWER = 0, /* within the limit */
  MCC_DNS_VERDICT_REFUSE = 1, /* over it: answer REFUSED */
  MCC_DNS_VERDICT_DROP = 2,   /* over it, REFUSED sent lately: no answer */
};

typedef struct mcc_dns_client { /* private */
  uint8_t family;               /* 0: free */
  uint8_t ip[16];
  uint64_t tat_ns;    /* theoretical arrival time of the next query */
  uint64_t refuse_ns; /* no REFUSED before this */
} mcc_dns_client;

/* An embedded object; no clear needed. */
typedef struct mcc_dns_limiter {
  uint32_t rate, burst; /* per client; rate 0: no limit */
  uint8_t key[16];      /* of the hash that picks a client's set */
  mcc_dns_client clients[MCC_DNS_CLIENTS];
} mcc_dns_limiter;

/* rate queries a second and burst at once per client; rate 0 turns the
 * limit off. key (16 bytes, NULL for zeros) should be random so that
 * nobody can choose addresses that fall into one set. Returns 0;
 * MCC_ERR_INVALID_ARGUMENT for a NULL l, a rate over 10^9 or a burst of 0
 * with a rate. */
int mcc_dns_limiter_init(mcc_dns_limiter *l, uint32_t rate, uint32_t burst,
                         const uint8_t *key);

/* Counts one datagram from `from` at now (monotonic nanoseconds) and says
 * what to do with it. Every datagram counts, malformed ones too. */
enum mcc_dns_verdict mcc_dns_limiter_check(mcc_dns_limiter *l,
                                           const mcc_addr *from, uint64_t now);

#endif
