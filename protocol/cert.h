/*
 * cert.h — certificate internals shared with the node: cached verification
 * and the bare trust test.
 */
#ifndef MCC_CERT_H
#define MCC_CERT_H

#include <mcc/mcc.h>

#define CERT_TBS_LEN 74                  /* bytes covered by the signature */
#define CERT_SIGNED_LEN (11 + CERT_TBS_LEN) /* with the context string */

/* The issuer's signature only (no validity period), through the cache. */
int cert_verify_signature(const mcc_cert *cert, mcc_verify_cache *cache,
                          int *phit);
int cert_verify_cached(const mcc_cert *cert, uint64_t unix_s,
                       mcc_verify_cache *cache, int *phit);
/* 1 when policy admits cert's subject (signature not checked here). */
int trust_allows(const mcc_trust *trust, const mcc_cert *cert);
/* 1 when every byte is of the standard Base64 alphabet or '='. libsodium
 * 1.0.18's decoder lets bytes >= 0x80 through, so callers check first. */
int base64_alphabet_only(const char *s, size_t len);

#endif
