/*
 * fuzz_cert.c — certificates from the outside world: mcc_cert_decode on the
 * raw bytes (138-byte binary form) and mcc_cert_from_base64 on the same
 * bytes as text (what `mcc` reads from files and the command line). Both
 * must reject anything malformed without reading past the input.
 * Invariants: a decoded certificate encodes back to exactly the bytes it
 * came from, and its Base64 text to the trimmed input text (one form per
 * certificate); verification with and without the cache agree; a valid
 * certificate is refused just outside its validity period.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

#define FUZZ_UNIX_S 1790000000u /* the unit harness's clock, for the seeds */

static mcc_verify_cache *cache;
static mcc_id network;

static void setup(void) {
  if (cache) return;
  uint8_t seed[MCC_SEED_LEN] = {0x4e}; /* the seeds' network key */
  mcc_keypair kp;
  mcc_keypair_from_seed(&kp, seed);
  network = kp.pub;
  if (mcc_verify_cache_new(&cache, 64) != 0) abort();
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void check_verify(const mcc_cert *cert) {
  int rv = mcc_cert_verify(cert, FUZZ_UNIX_S);
  int hit = 0;
  CHECK(cert_verify_cached(cert, FUZZ_UNIX_S, cache, &hit) == rv);
  if (rv == MCC_ERR_BAD_SIGNATURE) {
    CHECK(!hit);
  } else {
    /* The signature verified, so the digest is in the cache now. */
    CHECK(cert_verify_cached(cert, FUZZ_UNIX_S, cache, &hit) == rv && hit);
    if (cert->not_before > 0)
      CHECK(mcc_cert_verify(cert, cert->not_before - 1ull) ==
            MCC_ERR_CERT_NOT_YET_VALID);
    uint64_t after = cert->not_after + 1ull;
    CHECK(mcc_cert_verify(cert, after) == (after < cert->not_before
                                               ? MCC_ERR_CERT_NOT_YET_VALID
                                               : MCC_ERR_CERT_EXPIRED));
  }

  mcc_trust none = {NULL, 0, NULL, 0};
  int trv = mcc_trust_check(&none, cert, FUZZ_UNIX_S);
  CHECK(trv == (rv ? rv : MCC_ERR_UNTRUSTED));
  mcc_id nets[2] = {network, cert->issuer};
  mcc_trust by_issuer = {nets, 2, NULL, 0};
  trv = mcc_trust_check(&by_issuer, cert, FUZZ_UNIX_S);
  if (rv != 0) CHECK(trv == rv);
  else CHECK(trv == (cert->kind == MCC_CERT_NETWORK ? MCC_ERR_UNTRUSTED : 0));
  mcc_trust by_subject = {NULL, 0, &cert->subject, 1};
  CHECK(mcc_trust_check(&by_subject, cert, FUZZ_UNIX_S) == rv);
}

static void binary(const uint8_t *data, size_t size) {
  mcc_cert cert;
  if (mcc_cert_decode(&cert, data, size) != 0) return;
  uint8_t out[MCC_CERT_LEN];
  mcc_cert_encode(&cert, out);
  CHECK(size == MCC_CERT_LEN && memcmp(out, data, MCC_CERT_LEN) == 0);
  check_verify(&cert);
}

static void text(const uint8_t *data, size_t size) {
  mcc_cert cert;
  const char *t = (const char *)data;
  if (mcc_cert_from_base64(&cert, t, size) != 0) return;
  size_t start = 0, end = size;
  while (start < end && is_space(t[start])) start++;
  while (end > start && is_space(t[end - 1])) end--;
  char b64[MCC_CERT_BASE64_LEN + 1];
  mcc_cert_to_base64(&cert, b64);
  CHECK(end - start == MCC_CERT_BASE64_LEN &&
        memcmp(b64, t + start, MCC_CERT_BASE64_LEN) == 0);
  mcc_cert again;
  CHECK(mcc_cert_from_base64(&again, b64, MCC_CERT_BASE64_LEN) == 0);
  uint8_t a[MCC_CERT_LEN], b[MCC_CERT_LEN];
  mcc_cert_encode(&cert, a);
  mcc_cert_encode(&again, b);
  CHECK(memcmp(a, b, sizeof a) == 0);
  check_verify(&cert);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  binary(data, size);
  text(data, size);
  return 0;
}
