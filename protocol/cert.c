/*
 * cert.c — certificates: the authority signs network certificates, a network
 * key signs node and tunnel-endpoint certificates. A compact 138-byte binary
 * form (layout in PROTOCOL.md), Base64 text, validity, and the trust policy.
 */
#include <sodium.h>
#include <string.h>

#include "cert.h"
#include "verify.h"
#include "wire.h"

/* Domain separation: a certificate signature can never pass for a record's
 * or a handshake's. */
static const char cert_context[] = "mcc-cert-v1";

static void cert_tbs(const mcc_cert *cert, uint8_t out[CERT_TBS_LEN]) {
  out[0] = MCC_WIRE_VERSION;
  out[1] = cert->kind;
  put_be32(out + 2, cert->not_before);
  put_be32(out + 6, cert->not_after);
  memcpy(out + 10, cert->subject.key, MCC_KEY_LEN);
  memcpy(out + 42, cert->issuer.key, MCC_KEY_LEN);
}

static void cert_signed_message(const mcc_cert *cert,
                                uint8_t out[CERT_SIGNED_LEN]) {
  memcpy(out, cert_context, sizeof cert_context - 1);
  cert_tbs(cert, out + sizeof cert_context - 1);
}

int mcc_cert_sign(mcc_cert *cert, enum mcc_cert_kind kind,
                  const mcc_id *subject, const mcc_keypair *issuer,
                  uint32_t not_before, uint32_t not_after) {
  if (!cert || !subject || !issuer) return MCC_ERR_INVALID_ARGUMENT;
  if (kind < MCC_CERT_NETWORK || kind > MCC_CERT_TUNNEL)
    return MCC_ERR_TYPE;
  if (not_after < not_before) return MCC_ERR_INVALID_ARGUMENT;
  cert->kind = (uint8_t)kind;
  cert->not_before = not_before;
  cert->not_after = not_after;
  cert->subject = *subject;
  cert->issuer = issuer->pub;
  uint8_t msg[CERT_SIGNED_LEN];
  cert_signed_message(cert, msg);
  crypto_sign_detached(cert->signature, NULL, msg, sizeof msg, issuer->sec);
  return 0;
}

void mcc_cert_encode(const mcc_cert *cert, uint8_t out[MCC_CERT_LEN]) {
  cert_tbs(cert, out);
  memcpy(out + CERT_TBS_LEN, cert->signature, 64);
}

int mcc_cert_decode(mcc_cert *cert, const uint8_t *data, size_t datalen) {
  if (!cert || (!data && datalen)) return MCC_ERR_INVALID_ARGUMENT;
  if (datalen < MCC_CERT_LEN) return MCC_ERR_TRUNCATED;
  if (datalen > MCC_CERT_LEN) return MCC_ERR_BAD_LENGTH;
  if (data[0] != MCC_WIRE_VERSION) return MCC_ERR_VERSION;
  if (data[1] < MCC_CERT_NETWORK || data[1] > MCC_CERT_TUNNEL)
    return MCC_ERR_TYPE;
  cert->kind = data[1];
  cert->not_before = get_be32(data + 2);
  cert->not_after = get_be32(data + 6);
  memcpy(cert->subject.key, data + 10, MCC_KEY_LEN);
  memcpy(cert->issuer.key, data + 42, MCC_KEY_LEN);
  memcpy(cert->signature, data + CERT_TBS_LEN, 64);
  return 0;
}

int cert_verify_signature(const mcc_cert *cert, mcc_verify_cache *cache,
                          int *phit) {
  uint8_t msg[CERT_SIGNED_LEN];
  cert_signed_message(cert, msg);
  return verify_signature(cache, VERIFY_STORE, cert->signature, msg,
                          sizeof msg, cert->issuer.key, phit);
}

int mcc_verify_cache_check_cert(mcc_verify_cache *cache,
                                const mcc_cert *cert) {
  if (!cache || !cert) return MCC_ERR_INVALID_ARGUMENT;
  return cert_verify_signature(cert, cache, NULL);
}

int cert_verify_cached(const mcc_cert *cert, uint64_t unix_s,
                       mcc_verify_cache *cache, int *phit) {
  if (!cert) return MCC_ERR_INVALID_ARGUMENT;
  int rv = cert_verify_signature(cert, cache, phit);
  if (rv != 0) return rv;
  if (unix_s < cert->not_before) return MCC_ERR_CERT_NOT_YET_VALID;
  if (unix_s > cert->not_after) return MCC_ERR_CERT_EXPIRED;
  return 0;
}

int mcc_cert_verify(const mcc_cert *cert, uint64_t unix_s) {
  return cert_verify_cached(cert, unix_s, NULL, NULL);
}

void mcc_cert_to_base64(const mcc_cert *cert,
                        char out[MCC_CERT_BASE64_LEN + 1]) {
  uint8_t bin[MCC_CERT_LEN];
  mcc_cert_encode(cert, bin);
  sodium_bin2base64(out, MCC_CERT_BASE64_LEN + 1, bin, sizeof bin,
                    sodium_base64_VARIANT_ORIGINAL);
}

int base64_alphabet_only(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
      return 0;
  }
  return 1;
}

int mcc_cert_from_base64(mcc_cert *cert, const char *text, size_t textlen) {
  if (!cert || (!text && textlen)) return MCC_ERR_INVALID_ARGUMENT;
  while (textlen && (*text == ' ' || *text == '\t' || *text == '\n' ||
                     *text == '\r')) {
    text++;
    textlen--;
  }
  while (textlen && (text[textlen - 1] == ' ' || text[textlen - 1] == '\t' ||
                     text[textlen - 1] == '\n' || text[textlen - 1] == '\r'))
    textlen--;
  uint8_t bin[MCC_CERT_LEN + 1];
  size_t binlen = 0;
  const char *end = NULL;
  if (!base64_alphabet_only(text, textlen) ||
      sodium_base642bin(bin, sizeof bin, text, textlen, NULL, &binlen, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text + textlen)
    return textlen > MCC_CERT_BASE64_LEN ? MCC_ERR_BAD_LENGTH
                                         : MCC_ERR_BASE64;
  return mcc_cert_decode(cert, bin, binlen);
}

int trust_allows(const mcc_trust *trust, const mcc_cert *cert) {
  for (size_t i = 0; i < trust->nodes_len; i++)
    if (sodium_memcmp(trust->nodes[i].key, cert->subject.key, MCC_KEY_LEN) ==
        0)
      return 1;
  if (cert->kind == MCC_CERT_NETWORK) return 0;
  for (size_t i = 0; i < trust->networks_len; i++)
    if (sodium_memcmp(trust->networks[i].key, cert->issuer.key,
                      MCC_KEY_LEN) == 0)
      return 1;
  return 0;
}

int mcc_trust_check(const mcc_trust *trust, const mcc_cert *cert,
                    uint64_t unix_s) {
  if (!trust || !cert) return MCC_ERR_INVALID_ARGUMENT;
  int rv = mcc_cert_verify(cert, unix_s);
  if (rv != 0) return rv;
  return trust_allows(trust, cert) ? 0 : MCC_ERR_UNTRUSTED;
}
