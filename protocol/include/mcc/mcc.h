/*
 * mcc.h — the public API of the MCC protocol core.
 *
 * The core is sans-IO: it never opens a socket, reads a clock, sleeps, prints
 * or keeps global mutable state. The host feeds it datagrams and time, and the
 * core answers through the callbacks in mcc_callbacks. Time is host-supplied
 * monotonic nanoseconds ("now"); wall-clock time, needed only for certificate
 * validity, is derived from settings.unix_time_at_zero_s + now.
 *
 * Every function that can fail returns 0 or a negative MCC_ERR_* code;
 * mcc_strerror() names it. The wire format is in protocol/PROTOCOL.md.
 */
#ifndef MCC_MCC_H
#define MCC_MCC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ---------------------------------------------------------- */

enum {
  MCC_OK = 0,
  MCC_ERR_INVALID_ARGUMENT = -201,
  MCC_ERR_NOMEM = -202,
  MCC_ERR_TRUNCATED = -203,      /* input shorter than its layout says */
  MCC_ERR_BAD_LENGTH = -204,     /* a length field is out of range */
  MCC_ERR_VERSION = -205,        /* unsupported protocol version */
  MCC_ERR_TYPE = -206,           /* unknown message or certificate type */
  MCC_ERR_BAD_SIGNATURE = -207,
  MCC_ERR_DECRYPT = -208,        /* AEAD tag did not verify */
  MCC_ERR_REPLAY = -209,
  MCC_ERR_CERT_EXPIRED = -210,
  MCC_ERR_CERT_NOT_YET_VALID = -211,
  MCC_ERR_UNTRUSTED = -212,      /* certificate valid but refused by policy */
  MCC_ERR_ID_LENGTH = -213,      /* node id text is not 52 characters */
  MCC_ERR_ID_CHAR = -214,        /* node id text outside the Base32 alphabet */
  MCC_ERR_ID_PADDING = -215,     /* node id text has non-zero trailing bits */
  MCC_ERR_BASE64 = -216,
  MCC_ERR_NO_LINK = -217,        /* datagram from an address with no link */
  MCC_ERR_NO_ROUTE = -218,
  MCC_ERR_STALE = -219,          /* older than what we already have */
  MCC_ERR_STATE = -220,          /* message not valid in the link's state */
  MCC_ERR_LIMIT = -221,          /* a configured or protocol limit is hit */
  MCC_ERR_SYNTAX = -222,         /* configuration syntax error */
  MCC_ERR_VALUE = -223,          /* configuration value malformed */
  MCC_ERR_BUSY = -224,           /* over a rate or the handshake budget */
  MCC_ERR_CONFLICT = -225,       /* an address or name another id holds */
};

const char *mcc_strerror(int err);

/* ---- identities ------------------------------------------------------ */

#define MCC_KEY_LEN 32
#define MCC_SEED_LEN 32
#define MCC_ID_TEXT_LEN 52 /* Base32 characters of a node id */

/* A node id is the node's Ed25519 public key. */
typedef struct mcc_id {
  uint8_t key[MCC_KEY_LEN];
} mcc_id;

typedef struct mcc_keypair {
  mcc_id pub;
  uint8_t sec[64]; /* libsodium's Ed25519 secret key (seed || public key) */
} mcc_keypair;

/* Deterministic: the same seed always gives the same key pair. */
int mcc_keypair_from_seed(mcc_keypair *kp, const uint8_t seed[MCC_SEED_LEN]);
/* From the operating system's RNG; for tools, never called by a node. */
int mcc_keypair_generate(mcc_keypair *kp);

/* Writes MCC_ID_TEXT_LEN characters and a NUL. */
void mcc_id_to_text(const mcc_id *id, char out[MCC_ID_TEXT_LEN + 1]);
/* Returns 0, MCC_ERR_ID_LENGTH, MCC_ERR_ID_CHAR or MCC_ERR_ID_PADDING. */
int mcc_id_from_text(mcc_id *id, const char *text, size_t textlen);

/* ---- certificates ---------------------------------------------------- */

enum mcc_cert_kind {
  MCC_CERT_NETWORK = 1, /* subject: a network key; issuer: the authority */
  MCC_CERT_NODE = 2,    /* subject: a node id; issuer: a network key */
  MCC_CERT_TUNNEL = 3,  /* subject: a tunnel endpoint; issuer: a network key */
};

#define MCC_CERT_LEN 138 /* binary form; layout in PROTOCOL.md */
#define MCC_CERT_BASE64_LEN 184 /* without the NUL */

typedef struct mcc_cert {
  uint8_t kind;          /* enum mcc_cert_kind */
  uint32_t not_before;   /* unix seconds, inclusive */
  uint32_t not_after;    /* unix seconds, inclusive */
  mcc_id subject;
  mcc_id issuer;
  uint8_t signature[64]; /* by issuer over the first 74 bytes */
} mcc_cert;

int mcc_cert_sign(mcc_cert *cert, enum mcc_cert_kind kind,
                  const mcc_id *subject, const mcc_keypair *issuer,
                  uint32_t not_before, uint32_t not_after);
void mcc_cert_encode(const mcc_cert *cert, uint8_t out[MCC_CERT_LEN]);
/* Structure only: MCC_ERR_TRUNCATED, MCC_ERR_BAD_LENGTH, MCC_ERR_VERSION,
 * MCC_ERR_TYPE. Signature and validity are mcc_cert_verify's job. */
int mcc_cert_decode(mcc_cert *cert, const uint8_t *data, size_t datalen);
/* Signature by cert->issuer and validity at unix_s: MCC_ERR_BAD_SIGNATURE,
 * MCC_ERR_CERT_EXPIRED, MCC_ERR_CERT_NOT_YET_VALID. */
int mcc_cert_verify(const mcc_cert *cert, uint64_t unix_s);
void mcc_cert_to_base64(const mcc_cert *cert,
                        char out[MCC_CERT_BASE64_LEN + 1]);
/* Leading and trailing white space is ignored. MCC_ERR_BASE64 or a decode
 * error. */
int mcc_cert_from_base64(mcc_cert *cert, const char *text, size_t textlen);

/* Who a node talks to. By default only nodes whose certificate was issued by
 * one of our own network keys; trusted_networks and trusted_nodes widen that
 * (the manual's trusted-networks and trusted-nodes). */
typedef struct mcc_trust {
  const mcc_id *networks; /* own network keys, then trusted-networks */
  size_t networks_len;
  const mcc_id *nodes;    /* trusted-nodes */
  size_t nodes_len;
} mcc_trust;

/* Verifies cert (mcc_cert_verify) and then the policy: MCC_ERR_UNTRUSTED
 * when neither its issuer nor its subject is trusted. */
int mcc_trust_check(const mcc_trust *trust, const mcc_cert *cert,
                    uint64_t unix_s);

/* ---- the node -------------------------------------------------------- */

/* An underlay socket address. The simulator invents them; node-real converts
 * from struct sockaddr. Compared bytewise, so unused bytes must be zero. */
typedef struct mcc_addr {
  uint8_t family; /* 4 or 6 */
  uint8_t pad;
  uint16_t port;  /* host byte order */
  uint8_t ip[16]; /* IPv4 in the first 4 bytes */
} mcc_addr;

enum mcc_log_level {
  MCC_LOG_ERROR = 1,
  MCC_LOG_WARN = 2,
  MCC_LOG_INFO = 3,
  MCC_LOG_DEBUG = 4,
};

/* Callbacks never re-enter the API. */
typedef struct mcc_callbacks {
  /* Required: send one UDP datagram. */
  void (*send)(void *user_data, const mcc_addr *to, const uint8_t *data,
               size_t datalen);
  /* Required: fill out with random bytes (seeded per node in the sim). */
  void (*random)(void *user_data, uint8_t *out, size_t outlen);
  /* Optional. */
  void (*log)(void *user_data, enum mcc_log_level level, const char *msg);
  /* Optional: an IP packet for the local stack (the TUN device), addressed
   * in this node's view (the resolver's addresses). */
  void (*deliver)(void *user_data, const uint8_t *packet, size_t packetlen);
  /* Optional: the node made a signature that peers will check (its
   * handshakes, its record): the exact message and signature. A host with a
   * spare core may verify it ahead on another thread into the cache the
   * receivers share (mcc_verify_cache_check); the simulator does. */
  void (*signed_message)(void *user_data, const uint8_t pk[32],
                         const uint8_t *msg, size_t msglen,
                         const uint8_t sig[64]);
  /* Optional: a network lookup (mcc_node_lookup) ended; status is an enum
   * mcc_lookup_status, id the node found (MCC_LOOKUP_FOUND only). */
  void (*lookup_done)(void *user_data, uint32_t token, int status,
                      const struct mcc_id *id);
  void *user_data;
} mcc_callbacks;

#define MCC_MAX_PARENTS 8
#define MCC_HOP_LIMIT 255 /* default hop limit of routed datagrams */
#define MCC_MAX_TRUSTED 32
#define MCC_MAX_EXTRA_LEN 200 /* dns names + tags of a record, encoded */
/* The largest IP packet a node carries (mcc_node_send_packet), bytes: the
 * IPv6 minimum link MTU, and so the TUN device's MTU (tun-device-mtu). */
#define MCC_MAX_PACKET 1280

typedef struct mcc_settings {
  uint64_t keep_alive_period_ns; /* keep-alive-period, default 30 s */
  uint64_t rejoin_period_ns;     /* rejoin-period, default 1 min */
  uint32_t network_lookup_ttl;   /* network-lookup-ttl, default 64: hops of
                                    a name lookup, not of user traffic */
  uint64_t network_lookup_timeout_ns; /* network-lookup-timeout, default
                                         20 s: how long a lookup waits */
  uint32_t hop_limit;            /* hops a routed datagram may take, 1..255,
                                    default MCC_HOP_LIMIT */
  int64_t unix_time_at_zero_s;   /* wall clock when now == 0 */
  mcc_addr parents[MCC_MAX_PARENTS]; /* in order of preference */
  size_t parents_len;
  uint32_t static_addr;          /* IPv4, host order; 0 = none */
  const char *dns_names;         /* comma-separated, may be NULL */
  const char *tags;              /* comma-separated, may be NULL */
  mcc_id trusted_networks[MCC_MAX_TRUSTED];
  size_t trusted_networks_len;
  mcc_id trusted_nodes[MCC_MAX_TRUSTED];
  size_t trusted_nodes_len;
  /* Optional shared cache of verified certificates and records, see
   * mcc_verify_cache; NULL means verify every time. */
  struct mcc_verify_cache *verify_cache;
  /* Optional store of signed records shared with other nodes of this
   * process (the simulator: one for all its virtual nodes), see
   * mcc_record_store; NULL: the node makes a private one. */
  struct mcc_record_store *record_store;
  int compression; /* compression = lz4: 1; none: 0 */
  /* The resolver's networks (resolver.*); NULL means the defaults
   * 10.83.0.0/16, 200::/7, AE:00:00:00:00:00, .home.arpa. */
  const struct mcc_resolver_settings *resolver;
  /* Handshakes (HELLO, SESSION_INIT) a second that may cost this node a
   * public-key operation before the sender proved its address; over it,
   * HELLOs get a cookie reply (PROTOCOL.md, "Cost before trust"). Default
   * MCC_HANDSHAKES_PER_S; 0 = no limit. */
  uint32_t handshakes_per_s;
  /* Only tunnels carry user traffic (the manual: "If no tunnels are
   * defined, no network traffic is allowed"); 0: node-to-node traffic
   * between trusting nodes too, as in version 1. See mcc/tunnel.h. */
  int tunnels_only;
} mcc_settings;

#define MCC_HANDSHAKES_PER_S 1000
void mcc_settings_default(mcc_settings *settings);

typedef struct mcc_node mcc_node;

/* keys: the node's key pair; cert: its node certificate (subject must be
 * keys->pub); networks: its network keys (issuers it accepts by default). */
int mcc_node_new(mcc_node **pnode, const mcc_settings *settings,
                 const mcc_callbacks *callbacks, const mcc_keypair *keys,
                 const mcc_cert *cert, const mcc_id *networks,
                 size_t networks_len, uint64_t now);
void mcc_node_free(mcc_node *node);

/* A datagram arrived from `from`. Returns 0 or why it was rejected; a
 * rejected datagram changes no state. */
int mcc_node_recv(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                  size_t datalen, uint64_t now);
/* An IP packet from the local stack (the TUN device), at most
 * MCC_MAX_PACKET (1280) bytes (tun-device-mtu), to the node whose resolver
 * address it is sent to. It is sealed end to end and routed; while a
 * session is being set up, the newest 4 packets wait for it.
 * MCC_ERR_NO_ROUTE for an address that resolves to no node,
 * MCC_ERR_BAD_LENGTH for a packet over MCC_MAX_PACKET bytes. */
int mcc_node_send_packet(mcc_node *node, const uint8_t *packet,
                         size_t packetlen, uint64_t now);
/* The node's resolver, for `mcc resolve` and the DNS server. */
struct mcc_resolver *mcc_node_resolver(mcc_node *node);

/* ---- network lookup (PROTOCOL.md "Network lookup") ---- */

enum mcc_lookup_kind {
  MCC_LOOKUP_ID = 1,   /* is this key a node? key: 32 bytes */
  MCC_LOOKUP_NAME = 2, /* which node has this dns-name? key: the name,
                          1-253 bytes, with or without the resolver's
                          domain, case-insensitive */
  MCC_LOOKUP_IPV4 = 3, /* which node has this static-addr? key: 4 bytes */
};

enum mcc_lookup_status {
  MCC_LOOKUP_FOUND = 0,       /* a node's own signed record says so */
  MCC_LOOKUP_NO_SUCH = 1,     /* a root holds no such record */
  MCC_LOOKUP_UNREACHABLE = 2, /* no root answered: no parent, the hop limit
                                 (network-lookup-ttl), a busy hop */
  MCC_LOOKUP_TIMEOUT = 3,     /* nothing came back in time */
};

/* An answer, as hosts pass it on (the DNS server, `mcc resolve`). */
typedef struct mcc_lookup_answer {
  int status; /* enum mcc_lookup_status */
  struct mcc_id id; /* MCC_LOOKUP_FOUND only */
} mcc_lookup_answer;

/* What node key stands for. Answered now (returns 1, *pstatus and *pid
 * set) when this node knows: its own records (itself and its subtree; a
 * root holds every node's), its links, its tunnels, or an earlier answer
 * still cached (a positive one for resolver.ttl, a negative one for 5 s).
 * Otherwise asks its active parent, which answers from its records or asks
 * its own, up to a root or network-lookup-ttl hops; returns 0 and
 * *ptoken, and cb.lookup_done(token, ...) tells the answer later (within
 * network-lookup-timeout). A FOUND answer carries the node's own signed
 * record, checked against the trust policy here, so no hop can forge
 * which node has a name. Negative answers are not signed: a hop can deny
 * a name (it could drop the lookup as well). Returns MCC_ERR_LIMIT when
 * too many lookups are in flight, MCC_ERR_VALUE for a bad name,
 * MCC_ERR_INVALID_ARGUMENT. */
int mcc_node_lookup(mcc_node *node, enum mcc_lookup_kind kind,
                    const void *key, size_t keylen, uint64_t now,
                    int *pstatus, struct mcc_id *pid, uint32_t *ptoken);

/* The next time the core wants handle_expiry; UINT64_MAX for none. */
uint64_t mcc_node_get_expiry(const mcc_node *node);
int mcc_node_handle_expiry(mcc_node *node, uint64_t now);

const mcc_id *mcc_node_id(const mcc_node *node);
/* The certificate the node was made with. */
const mcc_cert *mcc_node_cert(const mcc_node *node);

/* Replaces the parent list (the host re-resolved the parents' names every
 * parents-resolve-period). An active parent still in the list keeps its
 * link at its new rank; one no longer in it is left (BYE) and the first
 * parent joined. The same list again changes nothing. Returns 0,
 * MCC_ERR_LIMIT (over MCC_MAX_PARENTS), MCC_ERR_NOMEM. */
int mcc_node_set_parents(mcc_node *node, const mcc_addr *parents, size_t n,
                         uint64_t now);

/* The node is stopping (SIGTERM): BYE to its active parent and to a parent
 * being joined, so the network stops routing to it at once instead of
 * after the child timeout. The node sends nothing more; free it next. */
void mcc_node_leave(mcc_node *node, uint64_t now);

/* The active parent; MCC_ERR_NO_LINK when there is none (a root, or while
 * joining). */
int mcc_node_parent(const mcc_node *node, mcc_id *pid, mcc_addr *paddr);

/* Where the node stands towards a root (PROTOCOL.md, "Rooting"). */
typedef struct mcc_rooting {
  uint8_t rooted;   /* 0: no root (searching, or between parents) */
  uint8_t island;   /* the root is an island top, not a configured root */
  uint8_t depth;    /* hops to the root, 0 for the root itself */
  uint32_t seq;     /* the root's sequence number */
  mcc_id root;
} mcc_rooting;

int mcc_node_rooting(const mcc_node *node, mcc_rooting *rooting);

/* One known node, as `mcc nodes` lists it. */
typedef struct mcc_node_info {
  mcc_id id;
  mcc_id parent;        /* all zero when it has none */
  uint8_t has_parent;
  uint8_t parent_unknown; /* no record here says: our active parent, whose
                             record only its own parents hold */
  uint8_t is_self;
  uint8_t is_neighbour; /* a direct link: our child or our active parent */
  uint8_t cert_kind;
  uint32_t seq;
  uint32_t static_addr;
  uint64_t last_seen_ns; /* when its record last changed here */
  mcc_addr addr;        /* underlay address for neighbours, else zero */
} mcc_node_info;

size_t mcc_node_known_count(const mcc_node *node);
/* i < mcc_node_known_count(); index 0 is the node itself. */
int mcc_node_known_get(const mcc_node *node, size_t i, mcc_node_info *info);
/* Copies the record's dns names and tags as comma lists. */
int mcc_node_known_names(const mcc_node *node, size_t i, char *dns_names,
                         size_t dns_names_len, char *tags, size_t tags_len);

#define MCC_ROUTE_MAX_HOPS 64

typedef struct mcc_route {
  mcc_id next_hop;      /* the neighbour to hand the packet to */
  mcc_addr next_addr;
  uint8_t via_default;  /* destination unknown here: sent to active parent */
  size_t hops_len;      /* known part of the path, next hop first */
  mcc_id hops[MCC_ROUTE_MAX_HOPS];
} mcc_route;

/* Dijkstra over the known graph. MCC_ERR_NO_ROUTE when dst is unknown and
 * this node has no active parent (a root drops), MCC_ERR_INVALID_ARGUMENT
 * for dst == self. */
int mcc_node_route(mcc_node *node, const mcc_id *dst, mcc_route *route);
/* The path this node's known graph predicts from src to dst: src's next hop
 * first, next_addr known only when src is this node (then it is
 * mcc_node_route). MCC_ERR_NO_ROUTE when src or dst is not in the known
 * graph or no known edge joins them (a node knows its subtree and its
 * parent; a root knows all); MCC_ERR_INVALID_ARGUMENT for src == dst. */
int mcc_node_route_from(mcc_node *node, const mcc_id *src, const mcc_id *dst,
                        mcc_route *route);

/* Counters for tests and the simulator's metrics. */
typedef struct mcc_node_stats {
  uint64_t datagrams_sent, wire_payload_bytes_sent;
  uint64_t datagrams_received, rejected;
  uint64_t hello_sent, keepalive_sent, update_sent, ack_sent;
  uint64_t record_bytes_sent;   /* announce + withdraw entries in updates */
  uint64_t records_announced, records_withdrawn;
  uint64_t updates_stale; /* older than one applied: dropped, not acked */
  uint64_t parent_switches;
  uint64_t cert_verifications, cert_cache_hits;
  uint64_t packets_sent, packets_delivered, packets_forwarded;
  uint64_t packets_dropped; /* no route, TTL, given-up handshakes */
  uint64_t handshakes_sent, sessions_accepted, sessions_established;
  uint64_t sessions_refused; /* by the trust policy */
  uint64_t dropped_turned_up; /* would go back to the neighbour it came
                                 from */
  uint64_t root_sent, seq_requests_sent, seq_bumps, island_formed;
  /* cost before trust (guard.c): handshakes from unproven senders that got
   * as far as a public-key operation; refused over settings.handshakes_per_s
   * or a source's rate; HELLOs answered with a cookie; HELLOs whose sender
   * never proved its key (pending handshakes that expired or were
   * displaced) */
  uint64_t handshakes_verified, handshakes_over_budget, cookie_replies_sent;
  uint64_t hellos_unconfirmed;
  uint64_t session_keepalives_sent; /* empty DATA: "your packets arrive" */
  uint64_t sessions_silent_rekeys;  /* handshakes because nothing came back */
  /* user packets dropped by the tunnels (tunnel.c), sent or received:
   * no tunnel to or from that peer (tunnels_only), or outside its targets */
  uint64_t denied_no_tunnel, denied_target;
  /* network lookup: questions this node's host asked, questions sent up
   * and received from children, answers sent and received, answers that
   * did not check (a forged or wrong record), and the sealed bytes of
   * both kinds sent (datagram bytes, without UDP/IP headers) */
  uint64_t lookups_started, lookups_sent, lookups_received;
  uint64_t lookup_replies_sent, lookup_replies_received, lookup_forged;
  uint64_t lookup_bytes_sent;
  /* static addresses: a record or an answer claiming an address another
   * node holds here (the first keeps it; logged) */
  uint64_t static_conflicts;
} mcc_node_stats;

void mcc_node_get_stats(const mcc_node *node, mcc_node_stats *stats);
/* Bytes of heap memory the node holds now (protocol state): its references
 * to record bodies but not a shared store's bodies, which
 * mcc_record_store_memory reports; a private store is the node's own and
 * counted here. */
size_t mcc_node_memory(const mcc_node *node);

/* ---- verification cache ---------------------------------------------- */

/* Remembers the digests of certificates and records that verified, so that
 * a second verification of the same bytes costs one hash instead of an
 * Ed25519 signature check. Shared between nodes of one process (the
 * simulator) or private to one node. It holds no secret and verification is
 * a pure function, so sharing it keeps runs deterministic. */
typedef struct mcc_verify_cache mcc_verify_cache;

int mcc_verify_cache_new(mcc_verify_cache **pcache, size_t capacity);
void mcc_verify_cache_free(mcc_verify_cache *cache);

/* Verifies an Ed25519 signature over msg and, when it holds, remembers it
 * in cache: what a host with a spare core runs on another thread for the
 * signatures its nodes announce (mcc_callbacks.signed_message), so that the
 * receivers' own checks become cache hits. 0 or MCC_ERR_BAD_SIGNATURE. */
int mcc_verify_cache_check(mcc_verify_cache *cache, const uint8_t pk[32],
                           const uint8_t *msg, size_t msglen,
                           const uint8_t sig[64]);
/* The same for the issuer's signature on a certificate. */
int mcc_verify_cache_check_cert(mcc_verify_cache *cache,
                                const mcc_cert *cert);

/* ---- record store ---------------------------------------------------- */

/* Holds the signed, immutable part of node records (id, parent,
 * certificate, sequence number, static address, names, tags, signatures)
 * once, for every node that holds the record. Every node holds the records
 * of its subtree, so each record has a copy in every ancestor: in one
 * process holding many nodes (the simulator) the copies were most of the
 * memory. Bodies are interned by their whole content (a forged record with
 * a genuine one's id and sequence number is a different body) and counted;
 * a node keeps a small reference and its own mutable fields per record.
 *
 * A store may be given to many nodes (mcc_settings.record_store) of one
 * thread; it must outlive them. A node given none makes its own, freed with
 * it. Sharing changes nothing a node does: the same bytes on the wire, the
 * same events; only memory. */
typedef struct mcc_record_store mcc_record_store;

/* 0, MCC_ERR_INVALID_ARGUMENT, MCC_ERR_NOMEM. */
int mcc_record_store_new(mcc_record_store **pstore);
/* After every node that uses it is freed. */
void mcc_record_store_free(mcc_record_store *store);
/* Bytes of heap memory the store holds: the bodies and their index. The
 * nodes that share a store do not count it in mcc_node_memory (a node with
 * a private store does). */
size_t mcc_record_store_memory(const mcc_record_store *store);
/* Record bodies held now (distinct contents). */
size_t mcc_record_store_count(const mcc_record_store *store);
/* Calls fn for each body held: its content (opaque bytes, equal for equal
 * records in any store, valid during the call) and the bytes its
 * allocation takes. For a host with one store per thread that counts each
 * record once, whichever stores hold it. */
typedef void (*mcc_record_body_fn)(void *user, const uint8_t *content,
                                   size_t content_len, size_t bytes);
void mcc_record_store_each(const mcc_record_store *store,
                           mcc_record_body_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif
