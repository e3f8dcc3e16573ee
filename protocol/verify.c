/*
 * verify.c — signature verification with a cache. A hit costs one BLAKE2b
 * over the triple instead of an Ed25519 verification: what a node saves
 * when a parent re-announces records it saw before, and what the simulator
 * saves when thousands of nodes check the same certificate. Only successes
 * are stored, in buckets of two (the newest first; a third pushes out the
 * older), so a full cache only costs speed, never correctness. A slot is read and written under a
 * spinlock, so that a host may check signatures ahead on another thread
 * (mcc_precheck_signatures); the Ed25519 work itself runs unlocked.
 */
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

#define DIGEST_LEN 16

struct mcc_verify_cache {
  atomic_flag lock;
  size_t capacity;
  uint8_t (*slots)[DIGEST_LEN];
};

int mcc_verify_cache_new(mcc_verify_cache **pcache, size_t capacity) {
  if (!pcache || capacity == 0) return MCC_ERR_INVALID_ARGUMENT;
  if (sodium_init() < 0) return MCC_ERR_NOMEM;
  mcc_verify_cache *c = calloc(1, sizeof *c);
  if (!c) return MCC_ERR_NOMEM;
  capacity += capacity & 1; /* whole buckets */
  c->slots = calloc(capacity, DIGEST_LEN);
  if (!c->slots) {
    free(c);
    return MCC_ERR_NOMEM;
  }
  atomic_flag_clear(&c->lock);
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

static void lock(mcc_verify_cache *c) {
  while (atomic_flag_test_and_set_explicit(&c->lock, memory_order_acquire)) {
  }
}

static void unlock(mcc_verify_cache *c) {
  atomic_flag_clear_explicit(&c->lock, memory_order_release);
}

int verify_signature(mcc_verify_cache *cache, enum verify_use use,
                     const uint8_t sig[64], const uint8_t *msg, size_t msglen,
                     const uint8_t pk[32], int *phit) {
  uint8_t digest[DIGEST_LEN];
  uint8_t(*bucket)[DIGEST_LEN] = NULL;
  if (phit) *phit = 0;
  if (cache) {
    triple_digest(digest, sig, msg, msglen, pk);
    uint64_t h;
    memcpy(&h, digest, sizeof h);
    bucket = &cache->slots[h % (cache->capacity / 2) * 2];
    lock(cache);
    int hit = memcmp(bucket[0], digest, DIGEST_LEN) == 0 ||
              memcmp(bucket[1], digest, DIGEST_LEN) == 0;
    unlock(cache);
    if (hit) {
      if (phit) *phit = 1;
      return 0;
    }
  }
  if (crypto_sign_verify_detached(sig, msg, msglen, pk) != 0)
    return MCC_ERR_BAD_SIGNATURE;
  if (bucket && use == VERIFY_STORE) {
    lock(cache);
    memcpy(bucket[1], bucket[0], DIGEST_LEN);
    memcpy(bucket[0], digest, DIGEST_LEN);
    unlock(cache);
  }
  return 0;
}

int mcc_verify_cache_check(mcc_verify_cache *cache, const uint8_t pk[32],
                           const uint8_t *msg, size_t msglen,
                           const uint8_t sig[64]) {
  if (!cache || !pk || !sig || (!msg && msglen))
    return MCC_ERR_INVALID_ARGUMENT;
  return verify_signature(cache, VERIFY_STORE, sig, msg, msglen, pk, NULL);
}
