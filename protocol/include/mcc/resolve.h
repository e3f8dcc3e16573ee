/*
 * resolve.h — the node-local resolver: node ids to dynamic, node-local
 * addresses (IPv4, IPv6, MAC) and names, and back. One API serves
 * `mcc resolve`, the DNS server and the TUN path of the daemon.
 *
 * Addresses are slots: slot k (k = 0, 1, ...) is
 *   IPv4  resolver.ipv4-network + 1 + k   (never the network or broadcast
 *                                          address of the prefix)
 *   IPv6  resolver.ipv6-network | (k + 1)
 *   MAC   resolver.mac-address-mask with its low H bits replaced by k + 1,
 *         H = the mask's trailing zero bits, at least 24 and at most 40 (so
 *         the first octet, with the multicast and local bits, stays)
 * and the number of slots is the least of what the three networks hold (for
 * 10.83.0.0/16: 65534). Slots are handed out lazily, in order, to ids as
 * they are first resolved.
 *
 * A mapping is stable: every forward or reverse lookup of an id is a use
 * (a DNS answer, `mcc resolve`, the data plane's packets both ways), and a
 * slot goes to another id only when all slots are taken, the least
 * recently used one first, and only when its last use is more than
 * resolver.ttl + resolver.quarantine seconds old: an application that got
 * the address in an answer may hold it that long (the TTL it was given,
 * plus the time programs keep an address beyond it: caches that ignore a
 * TTL of 0, idle connections). When no slot may be reused, a new id gets
 * MCC_ERR_LIMIT ("no address"; the DNS server answers SERVFAIL) and no
 * mapping moves.
 *
 * Queries of local users (DNS, `mcc resolve`: mcc_resolver_query_id) may
 * also create at most new_per_s new mappings a second (new_burst at once),
 * so that a flood cannot churn the pool: with the defaults (100/s, 1000,
 * ttl 0, quarantine 600 s) 1000 + 100 * 600 = 61000 < 65534, so queries
 * alone never fill the default pool and an attack can hold up new
 * mappings only while it lasts. The data plane's own lookups (a peer's
 * first packet) are not capped: they come from authenticated nodes.
 *
 * Time is the host's monotonic clock in nanoseconds, passed as `now` to
 * every call that uses a slot; a `now` earlier than one seen before counts
 * as the latest one seen. The same sequence of calls and times always
 * gives the same addresses.
 *
 * Names: "<node id><domain>" ("3zb3...w7x0.home.arpa"), the bare node id, and
 * the dns-names of a node's record, alone ("cam") or under the domain
 * ("cam.home.arpa"). Names match case-insensitively; one trailing dot is
 * ignored.
 *
 * Like the rest of the core this is sans-IO: no clock, no I/O, no globals.
 * Functions return 0 or a negative MCC_ERR_* code; "not found" is always
 * MCC_ERR_NO_ROUTE (no node id holds that address or name).
 */
#ifndef MCC_RESOLVE_H
#define MCC_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MCC_RESOLVE_NAME_MAX 253    /* characters of a DNS name */
#define MCC_RESOLVE_LABEL_MAX 63    /* characters of one label */
#define MCC_RESOLVE_DOMAIN_MAX 200  /* so "<node id><domain>" fits a name */
#define MCC_RESOLVE_NAMES_MAX 1024  /* bytes of one id's dns-names list */
#define MCC_RESOLVE_TEXT_MAX 64     /* out buffer that fits any resolve_text */
#define MCC_RESOLVE_PTR_MAX 74      /* out buffer for any PTR name, with NUL */
#define MCC_RESOLVE_MAC_TEXT_LEN 17 /* "ae:00:00:00:00:01" */

/* resolver.* of mcc.conf, parsed. */
typedef struct mcc_resolver_settings {
  uint8_t ipv4_network[4]; /* network byte order, host bits zero */
  uint8_t ipv4_prefix_len; /* 0-30 */
  uint8_t ipv6_network[16];
  uint8_t ipv6_prefix_len; /* 0-126 */
  uint8_t mac_mask[6];     /* unicast: the low bit of the first octet is 0 */
  /* Lower case with a leading dot (".home.arpa"), or "" for none. */
  char domain[MCC_RESOLVE_DOMAIN_MAX + 2];
  /* SipHash key of the hash tables. The host may fill it from its random
   * source so that nobody can pick ids that collide; addresses do not
   * depend on it. Default: zero. */
  uint8_t hash_key[16];
  /* resolver.ttl: the TTL of DNS answers (0-2^31-1 s). A slot last used
   * at t goes to another id no earlier than t + ttl_s + quarantine_s. */
  uint32_t ttl_s;
  uint32_t quarantine_s; /* resolver.quarantine, at most
                            MCC_RESOLVE_QUARANTINE_MAX_S */
  /* New mappings that queries (mcc_resolver_query_id) may create: new_per_s
   * a second, new_burst at once. new_per_s 0: no cap. */
  uint32_t new_per_s;
  uint32_t new_burst;
} mcc_resolver_settings;

#define MCC_RESOLVE_QUARANTINE_S 600 /* default resolver.quarantine */
#define MCC_RESOLVE_QUARANTINE_MAX_S (7u * 24 * 3600)
#define MCC_RESOLVE_TTL_MAX_S 2147483647u /* RFC 2181 section 8 */
#define MCC_RESOLVE_NEW_PER_S 100         /* default new_per_s */
#define MCC_RESOLVE_NEW_BURST 1000        /* default new_burst */

/* 10.83.0.0/16, 200::/7, AE:00:00:00:00:00, .home.arpa, ttl 0 (the
 * manual's defaults), quarantine 600 s, 100 new mappings/s, 1000 at once. */
void mcc_resolver_settings_default(mcc_resolver_settings *settings);

/* Fills settings from the texts conf holds, e.g. "10.83.0.0/16", "200::/7",
 * "AE:00:00:00:00:00", ".home.arpa"; a NULL text leaves its field as it is.
 * The domain may omit its leading dot and may end in one; "" or "." means
 * no domain. Returns 0; MCC_ERR_VALUE for malformed text, host bits set
 * under the prefix, an IPv4 prefix over /30 or IPv6 over /126 (too few
 * addresses), a multicast MAC mask, or a domain that is not a name of at
 * most MCC_RESOLVE_DOMAIN_MAX characters; then *pbad (if pbad is not NULL)
 * names the conf key at fault ("resolver.ipv4-network") and settings is
 * unchanged. MCC_ERR_INVALID_ARGUMENT for a NULL settings. */
int mcc_resolver_settings_from_text(mcc_resolver_settings *settings,
                                    const char *ipv4_network,
                                    const char *ipv6_network,
                                    const char *mac_mask, const char *domain,
                                    const char **pbad);

struct mcc_resolve_slot;
struct mcc_resolve_bucket;
struct mcc_resolve_name;
struct mcc_resolve_owner;
struct mcc_resolve_statics;

struct mcc_resolve_table { /* private */
  struct mcc_resolve_bucket *buckets;
  uint32_t mask; /* bucket count - 1; buckets == NULL when empty */
  uint32_t count;
};

/* An embedded object: mcc_resolver_init, then mcc_resolver_clear. The
 * fields are private. Not thread-safe; reverse lookups also write (they
 * count as uses). */
typedef struct mcc_resolver {
  mcc_resolver_settings settings;
  uint32_t capacity;  /* slots the networks hold */
  uint32_t used;      /* slots [0, used) hold an id */
  uint32_t slots_cap; /* slots allocated */
  uint32_t lru_head;  /* least recently used evictable slot, or none */
  uint32_t lru_tail;  /* most recently used */
  uint64_t now_ns;    /* the latest now passed in */
  uint64_t new_tat_ns; /* the creation cap's theoretical arrival time */
  struct mcc_resolve_slot *slots;
  struct mcc_resolve_table ids;    /* node id -> slot */
  struct mcc_resolve_table names;  /* dns name -> name entry */
  struct mcc_resolve_table owners; /* node id -> its dns-names list */
  struct mcc_resolve_statics *statics; /* made with the first static
                                          address (rare: one pointer) */
  struct mcc_resolve_name *name_entries;
  uint32_t name_entries_cap, name_entries_free;
  struct mcc_resolve_owner *owner_list;
  uint32_t owners_cap, owners_free;
  size_t names_bytes; /* heap bytes of the dns-names lists */
} mcc_resolver;

/* Addresses of one slot. */
typedef struct mcc_resolve_addrs {
  uint8_t ipv4[4];
  uint8_t ipv6[16];
  uint8_t mac[6];
} mcc_resolve_addrs;

/* settings NULL means the defaults; they are copied. Allocates nothing until
 * the first id is resolved. Returns 0; MCC_ERR_VALUE when settings would be
 * refused by mcc_resolver_settings_from_text; MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolver_init(mcc_resolver *r, const mcc_resolver_settings *settings);
/* Frees everything; r may be initialised again. NULL is allowed. */
void mcc_resolver_clear(mcc_resolver *r);

/* How many slots the networks hold, and how many hold an id now. */
uint32_t mcc_resolver_capacity(const mcc_resolver *r);
uint32_t mcc_resolver_used(const mcc_resolver *r);
/* Heap bytes held (not counting *r itself). Slots and tables grow by
 * doubling: about 48 bytes a slot and 8 a hash bucket. */
size_t mcc_resolver_memory(const mcc_resolver *r);

/* Forward: the addresses of id, giving it a slot if it has none (the next
 * free one, else the least recently used one whose last use is more than
 * ttl + quarantine old). Counts as a use at now. addrs may be NULL to only
 * allocate. For the data plane's own lookups: no creation cap. Returns 0;
 * MCC_ERR_LIMIT when id has no slot and none may be given (every slot
 * pinned or used within ttl + quarantine); MCC_ERR_NOMEM; on both nothing
 * changed; MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolver_lookup_id(mcc_resolver *r, const mcc_id *id,
                           mcc_resolve_addrs *addrs, uint64_t now);
/* As mcc_resolver_lookup_id, for an answer to a local user's query (DNS,
 * `mcc resolve`): a new mapping also needs room under the creation cap
 * (new_per_s, new_burst); MCC_ERR_LIMIT, nothing changed, when it has none.
 * An id that holds a slot is always answered. */
int mcc_resolver_query_id(mcc_resolver *r, const mcc_id *id,
                          mcc_resolve_addrs *addrs, uint64_t now);
/* As mcc_resolver_lookup_id, and the slot is never reused afterwards: for
 * the node itself, whose address the TUN device carries. */
int mcc_resolver_pin(mcc_resolver *r, const mcc_id *id,
                     mcc_resolve_addrs *addrs, uint64_t now);

/* Gives id the fixed IPv4 address ipv4 (a tunnel endpoint's static-addr),
 * or takes its static address away when ipv4 is NULL. The address must
 * lie outside the resolver's IPv4 network (and not be 0.0.0.0, loopback,
 * multicast or broadcast). While id has it, id's IPv4 form is that address
 * (mcc_resolver_lookup_id and the rest give it instead of the slot's) and
 * mcc_resolver_lookup_ipv4 finds id by it; id keeps its slot, pinned, for
 * IPv6 and MAC. Returns 0; MCC_ERR_CONFLICT when another id holds the
 * address (nothing changes: the first one keeps it); MCC_ERR_VALUE for an
 * address not allowed; MCC_ERR_LIMIT when id has no slot and none may be
 * given; MCC_ERR_NOMEM; MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolver_set_static(mcc_resolver *r, const mcc_id *id,
                            const uint8_t ipv4[4], uint64_t now);

/* Reverse: the id holding an address. Never allocates; a hit counts as a
 * use at now. Returns 0; MCC_ERR_NO_ROUTE for an address inside the
 * network that no id holds (including the network and broadcast
 * addresses); MCC_ERR_VALUE for an address outside the network that is
 * no id's static address;
 * MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolver_lookup_ipv4(mcc_resolver *r, const uint8_t addr[4],
                             mcc_id *pid, uint64_t now);
int mcc_resolver_lookup_ipv6(mcc_resolver *r, const uint8_t addr[16],
                             mcc_id *pid, uint64_t now);
int mcc_resolver_lookup_mac(mcc_resolver *r, const uint8_t mac[6], mcc_id *pid,
                            uint64_t now);

/* Sets the dns-names of id (from its record or the tunnel's configuration):
 * a comma-separated list, blanks around items ignored, "" or NULL for none.
 * Replaces the names id had before. A name another id holds moves to id:
 * the last set wins, and the earlier id does not get it back when id drops
 * it (only when its own names are set again). Returns 0; MCC_ERR_VALUE for
 * an item that is not a valid name (see mcc_resolve_check_name) or is
 * empty; MCC_ERR_LIMIT for a list over MCC_RESOLVE_NAMES_MAX bytes;
 * MCC_ERR_NOMEM; MCC_ERR_INVALID_ARGUMENT. On error nothing changes. */
int mcc_resolver_set_names(mcc_resolver *r, const mcc_id *id, const char *names,
                           size_t nameslen);

/* Name -> id: "<node id><domain>", the bare node id, a dns-name under the
 * domain or alone. Case-insensitive, one trailing dot ignored. A node id
 * wins over a dns-name spelled the same, and a dns-name matching the whole
 * name over one matching it without the domain ("cam.home.arpa" set as a
 * dns-name over "cam"). Never allocates a slot. Returns 0;
 * MCC_ERR_NO_ROUTE for a valid name nobody holds; MCC_ERR_VALUE for text
 * that is not a valid name; MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolver_lookup_name(const mcc_resolver *r, const char *name,
                             size_t namelen, mcc_id *pid);
/* Writes "<node id><domain>" and a NUL (at most 254 bytes): the answer to a
 * PTR query. Returns 0; MCC_ERR_INVALID_ARGUMENT when outlen is too small. */
int mcc_resolver_id_name(const mcc_resolver *r, const mcc_id *id, char *out,
                         size_t outlen);

/* Target forms of `mcc resolve -t`. */
enum mcc_resolve_format {
  MCC_RESOLVE_IPV4 = 1,    /* "10.83.0.1" */
  MCC_RESOLVE_IPV6 = 2,    /* inet_ntop's form: "200::1" */
  MCC_RESOLVE_MAC6 = 3,    /* "ae:00:00:00:00:01" */
  MCC_RESOLVE_NODE_ID = 4, /* 52 characters */
};

/* "ipv4", "ipv6", "mac6" or "node-id" (exact, lower case). Returns 0;
 * MCC_ERR_VALUE; MCC_ERR_INVALID_ARGUMENT. */
int mcc_resolve_format_from_text(const char *text,
                                 enum mcc_resolve_format *pformat);

/* `mcc resolve -t FORMAT INPUT`: input is a MAC, an IPv4 or IPv6 address of
 * the resolver's networks, a node id or a name; writes its form in format
 * and a NUL to out (MCC_RESOLVE_TEXT_MAX bytes always suffice). Resolving
 * to an address allocates a slot as mcc_resolver_query_id does, at now.
 * Returns 0; MCC_ERR_LIMIT when the id has no address and none may be
 * given; MCC_ERR_NOMEM; MCC_ERR_NO_ROUTE for an address or name no id
 * holds; MCC_ERR_VALUE
 * for an address outside the networks or text that is none of the above;
 * MCC_ERR_ID_CHAR or MCC_ERR_ID_PADDING for 52 characters that are neither
 * a node id nor a known name; MCC_ERR_INVALID_ARGUMENT for a bad format, a
 * NULL or a too small out. */
int mcc_resolve_text(mcc_resolver *r, const char *input,
                     enum mcc_resolve_format format, char *out, size_t outlen,
                     uint64_t now);

/* ---- pure text helpers (no resolver) ------------------------------------ */

/* Dotted quad as inet_pton takes it ("10.83.0.1"). 0 or MCC_ERR_VALUE. */
int mcc_resolve_parse_ipv4(const char *text, size_t textlen, uint8_t out[4]);
/* Any form inet_pton takes ("200::1", "::ffff:1.2.3.4"). 0 or
 * MCC_ERR_VALUE. */
int mcc_resolve_parse_ipv6(const char *text, size_t textlen, uint8_t out[16]);
/* Six hexadecimal pairs joined by ':', either case. 0 or MCC_ERR_VALUE. */
int mcc_resolve_parse_mac(const char *text, size_t textlen, uint8_t out[6]);
/* Writes "ae:00:00:00:00:01" and a NUL. */
void mcc_resolve_format_mac(const uint8_t mac[6],
                            char out[MCC_RESOLVE_MAC_TEXT_LEN + 1]);

/* A name: 1-253 characters of [A-Za-z0-9.-] in labels of 1-63 (no empty
 * label), one trailing dot allowed. Returns 0 or MCC_ERR_VALUE. */
int mcc_resolve_check_name(const char *name, size_t namelen);

/* The PTR name of an address: family 4 gives "1.0.83.10.in-addr.arpa",
 * family 6 the 32 nibbles under ip6.arpa, lower case, without a trailing
 * dot, and a NUL. Returns 0; MCC_ERR_INVALID_ARGUMENT for another family
 * or outlen too small (MCC_RESOLVE_PTR_MAX always suffices). */
int mcc_resolve_ptr_name(int family, const uint8_t *addr, char *out,
                         size_t outlen);
/* The address a full PTR name stands for: 4 decimal labels (0-255, no
 * leading zeros) under in-addr.arpa, or 32 hexadecimal nibbles under
 * ip6.arpa; case-insensitive, one trailing dot allowed. Sets *pfamily to 4
 * or 6 and fills addr (4 or 16 bytes). Returns 0 or MCC_ERR_VALUE (also for
 * partial names such as the zone "83.10.in-addr.arpa"). */
int mcc_resolve_ptr_parse(const char *name, size_t namelen, int *pfamily,
                          uint8_t addr[16]);

#ifdef __cplusplus
}
#endif

#endif
