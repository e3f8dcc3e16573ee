/*
 * verify.c — signature verification with a cache. A hit costs one BLAKE2b
 * over the triple instead of an Ed25519 verification: what a node saves
 * when a parent re-announces records it saw before, and what the simulator
 * saves when thousands of nodes check the same certificate. Only successes
 * are stored, and a slot is overwritten on collision, so a full cache only
 * costs speed, never correctness.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

#define DIGEST_LEN 16

struct mcc_verify_cache {
  size_t capacity;
  uint8_t (*slots)[DIGEST_LEN];
};

int mcc_verify_cache_new(mcc_verify_cache **pcache, size_t capacity) {
  if (!pcache || capacity == 0) return MCC_ERR_INVALID_ARGUMENT;
  if (sodium_init() < 0) return MCC_ERR_NOMEM;
  mcc_verify_cache *c = calloc(1, sizeof *c);
  if (!c) return MCC_ERR_NOMEM;
  c->slots = calloc(capacity, DIGEST_LEN);
  if (!c->slots) {
    free(c);
    return MCC_ERR_NOMEM;
  }
  c->capacity = capacity;
  *pcache = c;
  return 0;
}

void mcc_verify_cache_free(mcc_verify_cache *cache) {
  if (!cache) return;
  free(cache->slots);
  free(cache);
}

static void triple_digest(uint8_t out[DIGEST_LEN], const uint8_t sig[64],
                          const uint8_t *msg, size_t msglen,
                          const uint8_t pk[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, DIGEST_LEN);
  crypto_generichash_update(&st, pk, 32);
  crypto_generichash_update(&st, sig, 64);
  crypto_generichash_update(&st, msg, msglen);
  crypto_generichash_final(&st, out, DIGEST_LEN);
}

int verify_signature(mcc_verify_cache *cache, const uint8_t sig[64],
                     const uint8_t *msg, size_t msglen,
                     const uint8_t pk[32], int *phit) {
  uint8_t digest[DIGEST_LEN];
  uint8_t *slot = NULL;
  if (phit) *phit = 0;
  if (cache) {
    triple_digest(digest, sig, msg, msglen, pk);
    uint64_t h;
    memcpy(&h, digest, sizeof h);
    slot = cache->slots[h % cache->capacity];
    if (memcmp(slot, digest, DIGEST_LEN) == 0) {
      if (phit) *phit = 1;
      return 0;
    }
  }
  if (crypto_sign_verify_detached(sig, msg, msglen, pk) != 0)
    return MCC_ERR_BAD_SIGNATURE;
  if (slot) memcpy(slot, digest, DIGEST_LEN);
  return 0;
}
