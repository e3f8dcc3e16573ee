/*
 * noise.h — the end-to-end handshake: Noise KK_25519_ChaChaPoly_BLAKE2b from
 * libsodium primitives. KK, not IK: relays must see the initiator's id to
 * route the answer, so there is nothing to gain from encrypting it, and both
 * sides know each other's static key (a node id converts to X25519) before
 * the first message.
 *   -> s            <- s          (pre-messages: the two node ids)
 *   -> e, es, ss    payload: a timestamp (replay protection)
 *   <- e, ee, se    payload: the responder's certificate
 * The initiator's certificate travels in clear (so an untrusted source is
 * refused before any DH) and is bound to the handshake as the prologue.
 */
#ifndef MCC_NOISE_H
#define MCC_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#define NOISE_HASH_LEN 64
#define NOISE_KEY_LEN 32
#define NOISE_TAG_LEN 16

typedef struct noise_state {
  uint8_t ck[NOISE_HASH_LEN];
  uint8_t h[NOISE_HASH_LEN];
  uint8_t k[NOISE_KEY_LEN];
  uint64_t n;
  uint8_t e_sec[32], e_pub[32]; /* our ephemeral */
  uint8_t re[32];               /* the peer's ephemeral */
} noise_state;

/* Starts a handshake between initiator and responder ids; prologue binds
 * the initiator's certificate. */
void noise_init(noise_state *st, const mcc_id *initiator,
                const mcc_id *responder, const uint8_t *prologue,
                size_t prologuelen);

/* Message 1. The initiator writes e (32 bytes) and the sealed payload
 * (payloadlen + 16) to out; the responder reads them. */
int noise_write_msg1(noise_state *st, const uint8_t e_sec[32],
                     const mcc_keypair *initiator, const mcc_id *responder,
                     const uint8_t *payload, size_t payloadlen, uint8_t *out);
int noise_read_msg1(noise_state *st, const mcc_keypair *responder,
                    const mcc_id *initiator, const uint8_t *msg, size_t msglen,
                    uint8_t *payload);
/* Message 2, the same way round. */
int noise_write_msg2(noise_state *st, const uint8_t e_sec[32],
                     const mcc_id *initiator, const uint8_t *payload,
                     size_t payloadlen, uint8_t *out);
int noise_read_msg2(noise_state *st, const mcc_keypair *initiator,
                    const uint8_t *msg, size_t msglen, uint8_t *payload);
/* The transport keys: initiator -> responder, responder -> initiator. */
void noise_split(const noise_state *st, uint8_t i2r[32], uint8_t r2i[32]);

/* HMAC-BLAKE2b and Noise's HKDF, exposed for the test vectors. */
void noise_hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key,
                size_t keylen, const uint8_t *data, size_t datalen);
void noise_hkdf2(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm,
                 size_t ikmlen, uint8_t out1[NOISE_HASH_LEN],
                 uint8_t out2[NOISE_HASH_LEN]);

#endif
