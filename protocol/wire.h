/*
 * wire.h — everything that crosses the wire: message types, layouts, sizes,
 * limits and timer defaults, with units in the names. All integers are big
 * endian. The same layouts are drawn in PROTOCOL.md; tests assert the sizes.
 * Decoders take (buf, len), never trust a length, and return MCC_ERR_*.
 */
#ifndef MCC_WIRE_H
#define MCC_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mcc/mcc.h>

#include "verify.h"

enum {
  MCC_WIRE_VERSION = 1,
  /* byte 0 of every datagram: version in the top 3 bits, type in the low 5 */
  WIRE_VERSION_SHIFT = 5,
  WIRE_TYPE_MASK = 0x1f,
};

/* Types are directional, so a node that is both child and parent of the same
 * peer (a cycle of two) still knows which link a datagram belongs to. */
enum wire_type {
  WIRE_HELLO = 1,         /* child -> parent, signed, opens a link */
  WIRE_HELLO_ACK = 2,     /* parent -> child, signed */
  WIRE_KEEPALIVE = 3,     /* child -> parent, sealed, empty */
  WIRE_KEEPALIVE_ACK = 4, /* parent -> child, sealed, empty */
  WIRE_UPDATE = 5,        /* child -> parent, sealed record entries */
  WIRE_UPDATE_ACK = 6,    /* parent -> child, sealed, the UPDATE's counter */
  WIRE_BYE = 7,           /* child -> parent, sealed, empty: link closed */
  /* Routed end to end; relays read only the routing fields. */
  WIRE_SESSION_INIT = 8,  /* source -> destination, Noise message 1 */
  WIRE_SESSION_RESP = 9,  /* destination -> source, Noise message 2 */
  WIRE_DATA = 10,         /* a user packet, sealed with session keys */
  /* where the parent stands towards a root (rooting.c) */
  WIRE_ROOT = 11,         /* parent -> child, sealed, a root position */
  WIRE_ROOT_ACK = 12,     /* child -> parent, sealed, the ROOT's counter */
  WIRE_SEQ_REQUEST = 13,  /* child -> parent, sealed, root id + seq wanted */
  /* parent -> child, in clear: under load, come back with this cookie */
  WIRE_COOKIE_REPLY = 14,
  /* network lookup (lookup.c): a question up the tree, its answer down */
  WIRE_LOOKUP = 15,       /* child -> parent, sealed */
  WIRE_LOOKUP_REPLY = 16, /* parent -> child, sealed, a signed record */
  WIRE_TYPE_LAST = WIRE_LOOKUP_REPLY,
};

enum {
  WIRE_HEADER_LEN = 1,
  WIRE_COUNTER_LEN = 4,
  WIRE_TAG_LEN = 16,
  WIRE_SEALED_OVERHEAD = WIRE_HEADER_LEN + WIRE_COUNTER_LEN + WIRE_TAG_LEN,
  WIRE_KEEPALIVE_LEN = WIRE_SEALED_OVERHEAD,        /* 21 */
  WIRE_BYE_LEN = WIRE_SEALED_OVERHEAD,              /* 21 */
  WIRE_UPDATE_ACK_LEN = WIRE_SEALED_OVERHEAD + 4,   /* 25 */
  WIRE_ROOT_BODY_LEN = 32 + 4 + 1 + 1,              /* root, seq, depth, flags */
  WIRE_ROOT_LEN = WIRE_SEALED_OVERHEAD + WIRE_ROOT_BODY_LEN, /* 59 */
  WIRE_ROOT_ACK_LEN = WIRE_SEALED_OVERHEAD + 4,     /* 25 */
  WIRE_SEQ_REQUEST_BODY_LEN = 32 + 4,               /* root, seq wanted */
  WIRE_SEQ_REQUEST_LEN = WIRE_SEALED_OVERHEAD + WIRE_SEQ_REQUEST_BODY_LEN,
  WIRE_ROOT_FLAG_ISLAND = 0x01, /* the root is an island top (rooting.c) */
  WIRE_EPH_LEN = 32,
  WIRE_SIG_LEN = 64,
  WIRE_HELLO_LEN = 1 + 2 + 8 + WIRE_EPH_LEN + MCC_CERT_LEN + WIRE_SIG_LEN,
  WIRE_HELLO_ACK_LEN = 1 + WIRE_EPH_LEN + MCC_CERT_LEN + WIRE_SIG_LEN,
  /* A HELLO may end with a MAC under a cookie the parent gave (guard.c). */
  WIRE_COOKIE_LEN = 16,
  WIRE_HELLO_COOKIE_LEN = WIRE_HELLO_LEN + WIRE_COOKIE_LEN, /* 261 */
  /* COOKIE_REPLY: header, the first 16 bytes of the HELLO's signature (so
   * that only the HELLO's sender takes it), the cookie. */
  WIRE_COOKIE_ECHO_LEN = 16,
  WIRE_COOKIE_REPLY_LEN = 1 + WIRE_COOKIE_ECHO_LEN + WIRE_COOKIE_LEN, /* 33 */
  /* record: cert, seq, flags, parent, static addr, extra len, extra, sig */
  WIRE_RECORD_FIXED_LEN = MCC_CERT_LEN + 4 + 1 + 32 + 4 + 1 + WIRE_SIG_LEN,
  WIRE_ENTRY_ANNOUNCE = 1,
  WIRE_ENTRY_WITHDRAW = 2,
  WIRE_WITHDRAW_LEN = 1 + 32 + 4,
  /* Largest datagram we send: fits a 1280-byte IPv6 MTU (minus 48 bytes of
   * IPv6 + UDP), so updates never fragment. */
  WIRE_MAX_DATAGRAM = 1232,
  /* User packets may be bigger: the largest DATA (a 1280-byte inner packet
   * carried whole) is 1315 bytes, 1363 on the wire over IPv6, within a
   * 1500-byte MTU. Nothing larger is accepted. */
  WIRE_MAX_ROUTED = 1500 - 48,
  WIRE_MAX_UPDATE_BODY = WIRE_MAX_DATAGRAM - WIRE_SEALED_OVERHEAD,
  /* SESSION_INIT: header, ttl, dst id, src id, src certificate, e,
   * sealed (timestamp, sender index). */
  WIRE_INIT_CERT_OFF = 1 + 1 + 32 + 32,
  WIRE_INIT_E_OFF = WIRE_INIT_CERT_OFF + MCC_CERT_LEN,
  WIRE_INIT_PAYLOAD_LEN = 8 + 4,
  WIRE_INIT_LEN = WIRE_INIT_E_OFF + 32 + WIRE_INIT_PAYLOAD_LEN + WIRE_TAG_LEN,
  /* SESSION_RESP: header, ttl, dst id, src id, e, sealed (sender index,
   * certificate). */
  WIRE_RESP_E_OFF = 1 + 1 + 32 + 32,
  WIRE_RESP_PAYLOAD_LEN = 4 + MCC_CERT_LEN,
  WIRE_RESP_LEN = WIRE_RESP_E_OFF + 32 + WIRE_RESP_PAYLOAD_LEN + WIRE_TAG_LEN,
  /* DATA: header, ttl, 8 bytes of the destination id, receiver index,
   * counter; then the sealed compact packet and its tag. */
  WIRE_DST_PREFIX_LEN = 8,
  WIRE_DATA_HEADER_LEN = 1 + 1 + WIRE_DST_PREFIX_LEN + 4 + 4,
  WIRE_DATA_OVERHEAD = WIRE_DATA_HEADER_LEN + WIRE_TAG_LEN,
  WIRE_EXTRA_DNS_NAME = 1,
  WIRE_EXTRA_TAG = 2,
  WIRE_RECORD_HAS_PARENT = 0x01,
};

/* Timers (defaults; the manual's keys override the first two). */
#define KEEPALIVE_PERIOD_NS (30ull * 1000000000ull)
#define REJOIN_PERIOD_NS (60ull * 1000000000ull)
/* A keep-alive or hello unanswered after this many periods' sixth is sent
 * again; KEEPALIVE_MAX_MISSES unanswered in a row mean the parent is dead. */
#define KEEPALIVE_RETRY_DIVISOR 6
#define KEEPALIVE_MAX_MISSES 3
/* When a whole round of the parent list went unanswered, the next round
 * waits keep-alive << min(rounds failed before, JOIN_BACKOFF_MAX_SHIFT):
 * 1, 2, 4, then 8 periods, so an orphan (or a refused) node costs little. */
#define JOIN_BACKOFF_MAX_SHIFT 3
/* A child whose parent says it has no root waits this many retry periods
 * (keep-alive / 6) for it to find one again before looking elsewhere. */
#define UNROOTED_GRACE_RETRIES 3
/* Depths run 0 (a root) .. ROOT_DEPTH_MAX; ROOT_DEPTH_NONE is "no root". */
#define ROOT_DEPTH_MAX 254
#define ROOT_DEPTH_NONE 255
/* A parent drops a child it has not heard from for this many of the child's
 * keep-alive periods. */
#define CHILD_TIMEOUT_PERIODS 3
/* UPDATEs a child keeps in flight to its parent at once, each acknowledged
 * by its own counter. */
#define UPDATE_WINDOW 8
/* First retransmission of an unacknowledged UPDATE; doubles up to the max. */
#define UPDATE_RTO_NS (1ull * 1000000000ull)
#define UPDATE_RTO_MAX_NS (8ull * 1000000000ull)
/* Counters are 32-bit: a child re-keys its link well before they wrap. */
#define LINK_REKEY_AFTER_MESSAGES (1u << 31)
/* End-to-end sessions (WireGuard's timers, with 32-bit counters). */
#define SESSION_REKEY_AFTER_NS (120ull * 1000000000ull)
#define SESSION_REJECT_AFTER_NS (180ull * 1000000000ull)
/* Keys are not used to send in their last 15 s: what they seal must still
 * arrive before the peer rejects them, and the peer's copy is a path delay
 * older (the responder installs them when the INIT arrives). */
#define SESSION_SEND_MARGIN_NS (15ull * 1000000000ull)
#define SESSION_REKEY_AFTER_MESSAGES (1u << 30)
#define SESSION_REJECT_AFTER_MESSAGES (1u << 31)
#define SESSION_HANDSHAKE_RETRY_NS (5ull * 1000000000ull)
#define SESSION_HANDSHAKE_ATTEMPTS 4
#define SESSION_EXPIRE_NS (540ull * 1000000000ull) /* idle: forget keys */
#define SESSION_SWEEP_NS (60ull * 1000000000ull)
#define SESSION_MAX_PENDING 4 /* packets held while the handshake runs */
/* Sessions that heal: a receiver that got DATA and sent nothing back for
 * this long sends an empty DATA (a session keep-alive) ... */
#define SESSION_KEEPALIVE_NS (1ull * 1000000000ull)
/* ... so a sender that has heard nothing for this long (plus two round
 * trips) since its first unanswered DATA knows its keys are lost (the peer
 * restarted) and starts a new handshake, keeping the old keys until it
 * completes. */
#define SESSION_SILENT_NS (2ull * 1000000000ull)
/* HELLO timestamps may be this far ahead of the parent's clock. */
#define HELLO_MAX_CLOCK_SKEW_MS (300ull * 1000ull)

static inline void put_be16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}
static inline uint16_t get_be16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t get_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t get_be64(const uint8_t *p) {
  return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static inline uint8_t wire_header(enum wire_type type) {
  return (uint8_t)((MCC_WIRE_VERSION << WIRE_VERSION_SHIFT) | type);
}

/* Checks version and type of a datagram: the type, or a negative error. */
int wire_datagram_type(const uint8_t *data, size_t datalen);

typedef struct wire_hello {
  uint16_t keepalive_period_s;
  uint64_t timestamp_ms; /* unix milliseconds, must grow per child */
  uint8_t eph[WIRE_EPH_LEN];
  mcc_cert cert;
  uint8_t sig[WIRE_SIG_LEN];
  uint8_t has_cookie_mac; /* the 261-byte form */
  uint8_t cookie_mac[WIRE_COOKIE_LEN];
} wire_hello;

typedef struct wire_hello_ack {
  uint8_t eph[WIRE_EPH_LEN];
  mcc_cert cert;
  uint8_t sig[WIRE_SIG_LEN];
} wire_hello_ack;

/* Who signs, and whom to tell of each signature (mcc_callbacks
 * .signed_message; note may be NULL). */
typedef struct wire_signer {
  const mcc_keypair *keys;
  void (*note)(void *user, const uint8_t pk[32], const uint8_t *msg,
               size_t msglen, const uint8_t sig[64]);
  void *user;
} wire_signer;

/* Encode and sign (the signer's key must be the cert subject). */
void wire_hello_encode(uint8_t out[WIRE_HELLO_LEN], const wire_hello *hello,
                       const wire_signer *signer);
/* Appends the MAC under cookie to a HELLO of WIRE_HELLO_LEN bytes in out
 * (room for WIRE_HELLO_COOKIE_LEN): returns WIRE_HELLO_COOKIE_LEN. */
size_t wire_hello_add_cookie_mac(uint8_t *out,
                                 const uint8_t cookie[WIRE_COOKIE_LEN]);
/* 1 when the HELLO's MAC is the one under cookie (data: the datagram). */
int wire_hello_cookie_mac_ok(const uint8_t *data, size_t datalen,
                             const uint8_t cookie[WIRE_COOKIE_LEN]);
/* Structure only, no signature check: what a parent looks at before it
 * spends a public-key operation (cost before trust). */
int wire_hello_parse(wire_hello *hello, const uint8_t *data, size_t datalen);
/* The HELLO's signature by its certificate's subject (data as parsed). */
int wire_hello_verify(const wire_hello *hello, const uint8_t *data,
                      mcc_verify_cache *cache, enum verify_use use);
/* Both: structure and signature; the certificate itself is checked by the
 * caller. The signature goes through cache as use says (a node only looks:
 * handshakes do not repeat). */
int wire_hello_decode(wire_hello *hello, const uint8_t *data, size_t datalen,
                      mcc_verify_cache *cache, enum verify_use use);
void wire_cookie_reply_encode(uint8_t out[WIRE_COOKIE_REPLY_LEN],
                              const uint8_t echo[WIRE_COOKIE_ECHO_LEN],
                              const uint8_t cookie[WIRE_COOKIE_LEN]);
int wire_cookie_reply_decode(const uint8_t *data, size_t datalen,
                             uint8_t echo[WIRE_COOKIE_ECHO_LEN],
                             uint8_t cookie[WIRE_COOKIE_LEN]);

/* The ack's signature covers the child's ephemeral key too. */
void wire_hello_ack_encode(uint8_t out[WIRE_HELLO_ACK_LEN],
                           const wire_hello_ack *ack,
                           const uint8_t child_eph[WIRE_EPH_LEN],
                           const wire_signer *signer);
int wire_hello_ack_decode(wire_hello_ack *ack, const uint8_t *data,
                          size_t datalen,
                          const uint8_t child_eph[WIRE_EPH_LEN],
                          mcc_verify_cache *cache, enum verify_use use);

/* A node record as it travels. extra holds dns names and tags as
 * (kind, len, bytes) items. */
typedef struct wire_record {
  mcc_cert cert;
  uint32_t seq;
  uint8_t flags;
  mcc_id parent;
  uint32_t static_addr;
  uint8_t extra_len;
  uint8_t extra[MCC_MAX_EXTRA_LEN];
  uint8_t sig[WIRE_SIG_LEN];
} wire_record;

static inline size_t wire_record_len(const wire_record *r) {
  return WIRE_RECORD_FIXED_LEN + r->extra_len;
}
/* Signs with keys (the record's subject). */
void wire_record_sign(wire_record *rec, const wire_signer *signer);
/* Writes wire_record_len(rec) bytes. */
size_t wire_record_encode(uint8_t *out, const wire_record *rec);
/* Structure only; *pused gets the bytes consumed. */
int wire_record_decode(wire_record *rec, const uint8_t *data, size_t datalen,
                       size_t *pused);
/* The record's own signature, through the cache; *phit as in verify.h. */
int wire_record_verify(const wire_record *rec, mcc_verify_cache *cache,
                       int *phit);
/* Checks the extra items are well formed. */
int wire_extra_check(const uint8_t *extra, size_t len);

/* Sealed messages: ChaCha20-Poly1305 (IETF) with the header and counter as
 * associated data and the counter as nonce. Returns the datagram length. */
size_t wire_seal(uint8_t *out, enum wire_type type, uint32_t counter,
                 const uint8_t key[32], const uint8_t *body, size_t bodylen);
/* Opens in place into body (at most datalen - WIRE_SEALED_OVERHEAD bytes). */
int wire_open(const uint8_t *data, size_t datalen, const uint8_t key[32],
              uint32_t *pcounter, uint8_t *body, size_t *pbodylen);

#endif
