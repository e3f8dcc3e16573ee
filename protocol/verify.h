/*
 * verify.h — Ed25519 signature checks through an optional cache of digests
 * of (public key, signature, message) triples that verified.
 */
#ifndef MCC_VERIFY_H
#define MCC_VERIFY_H

#include <mcc/mcc.h>

/* What a check does with the cache: STORE remembers a success (bytes that
 * come again: certificates, records); LOOKUP only looks, for one-off bytes
 * (handshakes) that would otherwise evict useful entries, and that a host
 * may have checked ahead with mcc_precheck_signatures. */
enum verify_use { VERIFY_STORE, VERIFY_LOOKUP };

/* 0 or MCC_ERR_BAD_SIGNATURE; *phit (may be NULL) tells a cache hit. */
int verify_signature(mcc_verify_cache *cache, enum verify_use use,
                     const uint8_t sig[64], const uint8_t *msg, size_t msglen,
                     const uint8_t pk[32], int *phit);

#endif
