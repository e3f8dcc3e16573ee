/*
 * noise.c — the Noise KK handshake of noise.h. Follows the Noise spec's
 * SymmetricState (MixHash, MixKey, EncryptAndHash) with HASHLEN 64 and
 * BLOCKLEN 128; HMAC is built from libsodium's BLAKE2b as the spec defines
 * it. Every DH result is checked for a low-order point.
 */
#include <sodium.h>
#include <string.h>

#include "noise.h"

static const char protocol_name[] = "Noise_KK_25519_ChaChaPoly_BLAKE2b";

void noise_hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key,
                size_t keylen, const uint8_t *data, size_t datalen) {
  enum { BLOCK = 128 };
  uint8_t k[BLOCK], pad[BLOCK], inner[NOISE_HASH_LEN];
  memset(k, 0, sizeof k);
  if (keylen > BLOCK)
    crypto_generichash(k, NOISE_HASH_LEN, key, keylen, NULL, 0);
  else
    memcpy(k, key, keylen);
  crypto_generichash_state st;
  for (int i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x36;
  crypto_generichash_init(&st, NULL, 0, NOISE_HASH_LEN);
  crypto_generichash_update(&st, pad, BLOCK);
  crypto_generichash_update(&st, data, datalen);
  crypto_generichash_final(&st, inner, NOISE_HASH_LEN);
  for (int i = 0; i < BLOCK; i++) pad[i] = k[i] ^ 0x5c;
  crypto_generichash_init(&st, NULL, 0, NOISE_HASH_LEN);
  crypto_generichash_update(&st, pad, BLOCK);
  crypto_generichash_update(&st, inner, NOISE_HASH_LEN);
  crypto_generichash_final(&st, out, NOISE_HASH_LEN);
  sodium_memzero(k, sizeof k);
  sodium_memzero(pad, sizeof pad);
  sodium_memzero(inner, sizeof inner);
}

void noise_hkdf2(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm,
                 size_t ikmlen, uint8_t out1[NOISE_HASH_LEN],
                 uint8_t out2[NOISE_HASH_LEN]) {
  uint8_t temp[NOISE_HASH_LEN], buf[NOISE_HASH_LEN + 1];
  noise_hmac(temp, ck, NOISE_HASH_LEN, ikm, ikmlen);
  buf[0] = 1;
  noise_hmac(out1, temp, sizeof temp, buf, 1);
  memcpy(buf, out1, NOISE_HASH_LEN);
  buf[NOISE_HASH_LEN] = 2;
  noise_hmac(out2, temp, sizeof temp, buf, sizeof buf);
  sodium_memzero(temp, sizeof temp);
  sodium_memzero(buf, sizeof buf);
}

static void mix_hash(noise_state *st, const uint8_t *data, size_t len) {
  crypto_generichash_state hs;
  crypto_generichash_init(&hs, NULL, 0, NOISE_HASH_LEN);
  crypto_generichash_update(&hs, st->h, NOISE_HASH_LEN);
  crypto_generichash_update(&hs, data, len);
  crypto_generichash_final(&hs, st->h, NOISE_HASH_LEN);
}

static void mix_key(noise_state *st, const uint8_t dh[32]) {
  uint8_t k[NOISE_HASH_LEN];
  noise_hkdf2(st->ck, dh, 32, st->ck, k);
  memcpy(st->k, k, NOISE_KEY_LEN);
  st->n = 0;
  sodium_memzero(k, sizeof k);
}

static void nonce_of(uint8_t nonce[12], uint64_t n) {
  memset(nonce, 0, 4);
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

static void encrypt_and_hash(noise_state *st, const uint8_t *pt, size_t len,
                             uint8_t *out) {
  uint8_t nonce[12];
  nonce_of(nonce, st->n++);
  crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, pt, len, st->h,
                                            NOISE_HASH_LEN, NULL, nonce,
                                            st->k);
  mix_hash(st, out, len + NOISE_TAG_LEN);
}

static int decrypt_and_hash(noise_state *st, const uint8_t *ct, size_t len,
                            uint8_t *out) {
  uint8_t nonce[12];
  if (len < NOISE_TAG_LEN) return MCC_ERR_TRUNCATED;
  nonce_of(nonce, st->n);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, len,
                                                st->h, NOISE_HASH_LEN, nonce,
                                                st->k) != 0)
    return MCC_ERR_DECRYPT;
  st->n++;
  mix_hash(st, ct, len);
  return 0;
}

/* DH with an Ed25519 public key (a node id) as the X25519 peer key. */
static int dh_id(uint8_t out[32], const uint8_t x_sec[32], const mcc_id *id) {
  uint8_t x_pub[32];
  if (crypto_sign_ed25519_pk_to_curve25519(x_pub, id->key) != 0)
    return MCC_ERR_DECRYPT;
  return crypto_scalarmult(out, x_sec, x_pub) == 0 ? 0 : MCC_ERR_DECRYPT;
}

static int dh(uint8_t out[32], const uint8_t x_sec[32],
              const uint8_t x_pub[32]) {
  return crypto_scalarmult(out, x_sec, x_pub) == 0 ? 0 : MCC_ERR_DECRYPT;
}

static void static_secret(uint8_t out[32], const mcc_keypair *kp) {
  crypto_sign_ed25519_sk_to_curve25519(out, kp->sec);
}

void noise_init(noise_state *st, const mcc_id *initiator,
                const mcc_id *responder, const uint8_t *prologue,
                size_t prologuelen) {
  memset(st, 0, sizeof *st);
  memcpy(st->h, protocol_name, sizeof protocol_name - 1);
  memcpy(st->ck, st->h, NOISE_HASH_LEN);
  mix_hash(st, prologue, prologuelen);
  mix_hash(st, initiator->key, 32);
  mix_hash(st, responder->key, 32);
}

int noise_write_msg1(noise_state *st, const uint8_t e_sec[32],
                     const mcc_keypair *initiator, const mcc_id *responder,
                     const uint8_t *payload, size_t payloadlen, uint8_t *out) {
  uint8_t d[32], s_sec[32];
  memcpy(st->e_sec, e_sec, 32);
  crypto_scalarmult_base(st->e_pub, st->e_sec);
  memcpy(out, st->e_pub, 32);
  mix_hash(st, st->e_pub, 32);
  int rv = dh_id(d, st->e_sec, responder); /* es */
  if (rv == 0) {
    mix_key(st, d);
    static_secret(s_sec, initiator);
    rv = dh_id(d, s_sec, responder); /* ss */
  }
  if (rv == 0) {
    mix_key(st, d);
    encrypt_and_hash(st, payload, payloadlen, out + 32);
  }
  sodium_memzero(d, sizeof d);
  sodium_memzero(s_sec, sizeof s_sec);
  return rv;
}

int noise_read_msg1(noise_state *st, const mcc_keypair *responder,
                    const mcc_id *initiator, const uint8_t *msg, size_t msglen,
                    uint8_t *payload) {
  if (msglen < 32 + NOISE_TAG_LEN) return MCC_ERR_TRUNCATED;
  uint8_t d[32], s_sec[32];
  memcpy(st->re, msg, 32);
  mix_hash(st, st->re, 32);
  static_secret(s_sec, responder);
  int rv = dh(d, s_sec, st->re); /* es */
  if (rv == 0) {
    mix_key(st, d);
    rv = dh_id(d, s_sec, initiator); /* ss */
  }
  if (rv == 0) {
    mix_key(st, d);
    rv = decrypt_and_hash(st, msg + 32, msglen - 32, payload);
  }
  sodium_memzero(d, sizeof d);
  sodium_memzero(s_sec, sizeof s_sec);
  return rv;
}

int noise_write_msg2(noise_state *st, const uint8_t e_sec[32],
                     const mcc_id *initiator, const uint8_t *payload,
                     size_t payloadlen, uint8_t *out) {
  uint8_t d[32];
  memcpy(st->e_sec, e_sec, 32);
  crypto_scalarmult_base(st->e_pub, st->e_sec);
  memcpy(out, st->e_pub, 32);
  mix_hash(st, st->e_pub, 32);
  int rv = dh(d, st->e_sec, st->re); /* ee */
  if (rv == 0) {
    mix_key(st, d);
    rv = dh_id(d, st->e_sec, initiator); /* se */
  }
  if (rv == 0) {
    mix_key(st, d);
    encrypt_and_hash(st, payload, payloadlen, out + 32);
  }
  sodium_memzero(d, sizeof d);
  return rv;
}

int noise_read_msg2(noise_state *st, const mcc_keypair *initiator,
                    const uint8_t *msg, size_t msglen, uint8_t *payload) {
  if (msglen < 32 + NOISE_TAG_LEN) return MCC_ERR_TRUNCATED;
  uint8_t d[32], s_sec[32];
  memcpy(st->re, msg, 32);
  mix_hash(st, st->re, 32);
  int rv = dh(d, st->e_sec, st->re); /* ee */
  if (rv == 0) {
    mix_key(st, d);
    static_secret(s_sec, initiator);
    rv = dh(d, s_sec, st->re); /* se */
  }
  if (rv == 0) {
    mix_key(st, d);
    rv = decrypt_and_hash(st, msg + 32, msglen - 32, payload);
  }
  sodium_memzero(d, sizeof d);
  sodium_memzero(s_sec, sizeof s_sec);
  return rv;
}

void noise_split(const noise_state *st, uint8_t i2r[32], uint8_t r2i[32]) {
  uint8_t k1[NOISE_HASH_LEN], k2[NOISE_HASH_LEN];
  noise_hkdf2(st->ck, NULL, 0, k1, k2);
  memcpy(i2r, k1, 32);
  memcpy(r2i, k2, 32);
  sodium_memzero(k1, sizeof k1);
  sodium_memzero(k2, sizeof k2);
}
