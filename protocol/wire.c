/*
 * wire.c — encoders and decoders of the datagrams in wire.h. Decoders check
 * every length before reading and verify signatures; policy (trust, timing,
 * sequence numbers) is the caller's.
 */
#include <sodium.h>

#include "cert.h"
#include "verify.h"
#include "wire.h"

static const char hello_context[] = "mcc-hello-v1";
static const char hello_ack_context[] = "mcc-hello-ack-v1";
static const char record_context[] = "mcc-record-v1";

#define CTX_LEN(c) (sizeof(c) - 1)

int wire_datagram_type(const uint8_t *data, size_t datalen) {
  if (!data || datalen < WIRE_HEADER_LEN) return MCC_ERR_TRUNCATED;
  if ((data[0] >> WIRE_VERSION_SHIFT) != MCC_WIRE_VERSION)
    return MCC_ERR_VERSION;
  int type = data[0] & WIRE_TYPE_MASK;
  if (type < WIRE_HELLO || type > WIRE_TYPE_LAST) return MCC_ERR_TYPE;
  return type;
}

/* Signs or verifies context || data (|| suffix) with one buffer. */
static void sign_with_context(uint8_t sig[64], const char *ctx, size_t ctxlen,
                              const uint8_t *data, size_t datalen,
                              const uint8_t *suffix, size_t suffixlen,
                              const wire_signer *signer) {
  uint8_t msg[CTX_LEN(hello_ack_context) + WIRE_MAX_DATAGRAM + 32];
  memcpy(msg, ctx, ctxlen);
  memcpy(msg + ctxlen, data, datalen);
  if (suffixlen) memcpy(msg + ctxlen + datalen, suffix, suffixlen);
  size_t msglen = ctxlen + datalen + suffixlen;
  crypto_sign_detached(sig, NULL, msg, msglen, signer->keys->sec);
  if (signer->note)
    signer->note(signer->user, signer->keys->pub.key, msg, msglen, sig);
}

static int verify_with_context(const uint8_t sig[64], const char *ctx,
                               size_t ctxlen, const uint8_t *data,
                               size_t datalen, const uint8_t *suffix,
                               size_t suffixlen, const uint8_t pk[32],
                               mcc_verify_cache *cache, enum verify_use use,
                               int *phit) {
  uint8_t msg[CTX_LEN(hello_ack_context) + WIRE_MAX_DATAGRAM + 32];
  memcpy(msg, ctx, ctxlen);
  memcpy(msg + ctxlen, data, datalen);
  if (suffixlen) memcpy(msg + ctxlen + datalen, suffix, suffixlen);
  return verify_signature(cache, use, sig, msg, ctxlen + datalen + suffixlen,
                          pk, phit);
}

void wire_hello_encode(uint8_t out[WIRE_HELLO_LEN], const wire_hello *hello,
                       const wire_signer *signer) {
  uint8_t *p = out;
  *p++ = wire_header(WIRE_HELLO);
  put_be16(p, hello->keepalive_period_s);
  p += 2;
  put_be64(p, hello->timestamp_ms);
  p += 8;
  memcpy(p, hello->eph, WIRE_EPH_LEN);
  p += WIRE_EPH_LEN;
  mcc_cert_encode(&hello->cert, p);
  p += MCC_CERT_LEN;
  sign_with_context(p, hello_context, CTX_LEN(hello_context), out,
                    (size_t)(p - out), NULL, 0, signer);
}

static const char cookie_mac_context[] = "mcc-cookie-mac-v1";

static void cookie_mac(uint8_t mac[WIRE_COOKIE_LEN], const uint8_t *hello,
                       const uint8_t cookie[WIRE_COOKIE_LEN]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, cookie, WIRE_COOKIE_LEN, WIRE_COOKIE_LEN);
  crypto_generichash_update(&st, (const uint8_t *)cookie_mac_context,
                            CTX_LEN(cookie_mac_context));
  crypto_generichash_update(&st, hello, WIRE_HELLO_LEN);
  crypto_generichash_final(&st, mac, WIRE_COOKIE_LEN);
}

size_t wire_hello_add_cookie_mac(uint8_t *out,
                                 const uint8_t cookie[WIRE_COOKIE_LEN]) {
  cookie_mac(out + WIRE_HELLO_LEN, out, cookie);
  return WIRE_HELLO_COOKIE_LEN;
}

int wire_hello_cookie_mac_ok(const uint8_t *data, size_t datalen,
                             const uint8_t cookie[WIRE_COOKIE_LEN]) {
  if (datalen != WIRE_HELLO_COOKIE_LEN) return 0;
  uint8_t mac[WIRE_COOKIE_LEN];
  cookie_mac(mac, data, cookie);
  return sodium_memcmp(mac, data + WIRE_HELLO_LEN, WIRE_COOKIE_LEN) == 0;
}

int wire_hello_parse(wire_hello *hello, const uint8_t *data, size_t datalen) {
  int type = wire_datagram_type(data, datalen);
  if (type < 0) return type;
  if (type != WIRE_HELLO) return MCC_ERR_TYPE;
  if (datalen < WIRE_HELLO_LEN) return MCC_ERR_TRUNCATED;
  if (datalen != WIRE_HELLO_LEN && datalen != WIRE_HELLO_COOKIE_LEN)
    return MCC_ERR_BAD_LENGTH;
  const uint8_t *p = data + 1;
  hello->keepalive_period_s = get_be16(p);
  p += 2;
  hello->timestamp_ms = get_be64(p);
  p += 8;
  memcpy(hello->eph, p, WIRE_EPH_LEN);
  p += WIRE_EPH_LEN;
  int rv = mcc_cert_decode(&hello->cert, p, MCC_CERT_LEN);
  if (rv != 0) return rv;
  if (hello->cert.kind != MCC_CERT_NODE) return MCC_ERR_TYPE;
  if (hello->keepalive_period_s == 0) return MCC_ERR_BAD_LENGTH;
  p += MCC_CERT_LEN;
  memcpy(hello->sig, p, WIRE_SIG_LEN);
  p += WIRE_SIG_LEN;
  hello->has_cookie_mac = datalen == WIRE_HELLO_COOKIE_LEN;
  if (hello->has_cookie_mac) memcpy(hello->cookie_mac, p, WIRE_COOKIE_LEN);
  return 0;
}

int wire_hello_verify(const wire_hello *hello, const uint8_t *data,
                      mcc_verify_cache *cache, enum verify_use use) {
  return verify_with_context(hello->sig, hello_context,
                             CTX_LEN(hello_context), data,
                             WIRE_HELLO_LEN - WIRE_SIG_LEN, NULL, 0,
                             hello->cert.subject.key, cache, use, NULL);
}

int wire_hello_decode(wire_hello *hello, const uint8_t *data, size_t datalen,
                      mcc_verify_cache *cache, enum verify_use use) {
  int rv = wire_hello_parse(hello, data, datalen);
  return rv != 0 ? rv : wire_hello_verify(hello, data, cache, use);
}

void wire_cookie_reply_encode(uint8_t out[WIRE_COOKIE_REPLY_LEN],
                              const uint8_t echo[WIRE_COOKIE_ECHO_LEN],
                              const uint8_t cookie[WIRE_COOKIE_LEN]) {
  out[0] = wire_header(WIRE_COOKIE_REPLY);
  memcpy(out + 1, echo, WIRE_COOKIE_ECHO_LEN);
  memcpy(out + 1 + WIRE_COOKIE_ECHO_LEN, cookie, WIRE_COOKIE_LEN);
}

int wire_cookie_reply_decode(const uint8_t *data, size_t datalen,
                             uint8_t echo[WIRE_COOKIE_ECHO_LEN],
                             uint8_t cookie[WIRE_COOKIE_LEN]) {
  int type = wire_datagram_type(data, datalen);
  if (type < 0) return type;
  if (type != WIRE_COOKIE_REPLY) return MCC_ERR_TYPE;
  if (datalen < WIRE_COOKIE_REPLY_LEN) return MCC_ERR_TRUNCATED;
  if (datalen > WIRE_COOKIE_REPLY_LEN) return MCC_ERR_BAD_LENGTH;
  memcpy(echo, data + 1, WIRE_COOKIE_ECHO_LEN);
  memcpy(cookie, data + 1 + WIRE_COOKIE_ECHO_LEN, WIRE_COOKIE_LEN);
  return 0;
}

void wire_hello_ack_encode(uint8_t out[WIRE_HELLO_ACK_LEN],
                           const wire_hello_ack *ack,
                           const uint8_t child_eph[WIRE_EPH_LEN],
                           const wire_signer *signer) {
  uint8_t *p = out;
  *p++ = wire_header(WIRE_HELLO_ACK);
  memcpy(p, ack->eph, WIRE_EPH_LEN);
  p += WIRE_EPH_LEN;
  mcc_cert_encode(&ack->cert, p);
  p += MCC_CERT_LEN;
  sign_with_context(p, hello_ack_context, CTX_LEN(hello_ack_context), out,
                    (size_t)(p - out), child_eph, WIRE_EPH_LEN, signer);
}

int wire_hello_ack_decode(wire_hello_ack *ack, const uint8_t *data,
                          size_t datalen,
                          const uint8_t child_eph[WIRE_EPH_LEN],
                          mcc_verify_cache *cache, enum verify_use use) {
  int type = wire_datagram_type(data, datalen);
  if (type < 0) return type;
  if (type != WIRE_HELLO_ACK) return MCC_ERR_TYPE;
  if (datalen < WIRE_HELLO_ACK_LEN) return MCC_ERR_TRUNCATED;
  if (datalen > WIRE_HELLO_ACK_LEN) return MCC_ERR_BAD_LENGTH;
  const uint8_t *p = data + 1;
  memcpy(ack->eph, p, WIRE_EPH_LEN);
  p += WIRE_EPH_LEN;
  int rv = mcc_cert_decode(&ack->cert, p, MCC_CERT_LEN);
  if (rv != 0) return rv;
  if (ack->cert.kind != MCC_CERT_NODE) return MCC_ERR_TYPE;
  p += MCC_CERT_LEN;
  memcpy(ack->sig, p, WIRE_SIG_LEN);
  return verify_with_context(ack->sig, hello_ack_context,
                             CTX_LEN(hello_ack_context), data,
                             (size_t)(p - data), child_eph, WIRE_EPH_LEN,
                             ack->cert.subject.key, cache, use, NULL);
}

/* The record's bytes up to (not including) its signature. */
static size_t record_body_encode(uint8_t *out, const wire_record *rec) {
  uint8_t *p = out;
  mcc_cert_encode(&rec->cert, p);
  p += MCC_CERT_LEN;
  put_be32(p, rec->seq);
  p += 4;
  *p++ = rec->flags;
  memcpy(p, rec->parent.key, 32);
  p += 32;
  put_be32(p, rec->static_addr);
  p += 4;
  *p++ = rec->extra_len;
  memcpy(p, rec->extra, rec->extra_len);
  p += rec->extra_len;
  return (size_t)(p - out);
}

void wire_record_sign(wire_record *rec, const wire_signer *signer) {
  uint8_t body[WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  size_t n = record_body_encode(body, rec);
  sign_with_context(rec->sig, record_context, CTX_LEN(record_context), body, n,
                    NULL, 0, signer);
}

size_t wire_record_encode(uint8_t *out, const wire_record *rec) {
  size_t n = record_body_encode(out, rec);
  memcpy(out + n, rec->sig, WIRE_SIG_LEN);
  return n + WIRE_SIG_LEN;
}

int wire_extra_check(const uint8_t *extra, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (len - i < 2) return MCC_ERR_TRUNCATED;
    uint8_t kind = extra[i], n = extra[i + 1];
    if (kind != WIRE_EXTRA_DNS_NAME && kind != WIRE_EXTRA_TAG)
      return MCC_ERR_TYPE;
    if (n == 0) return MCC_ERR_BAD_LENGTH;
    if (n > len - i - 2) return MCC_ERR_TRUNCATED;
    for (size_t k = 0; k < n; k++) {
      uint8_t c = extra[i + 2 + k];
      if (c <= ' ' || c >= 0x7f || c == ',') return MCC_ERR_VALUE;
    }
    i += 2u + n;
  }
  return 0;
}

int wire_record_decode(wire_record *rec, const uint8_t *data, size_t datalen,
                       size_t *pused) {
  if (datalen < WIRE_RECORD_FIXED_LEN) return MCC_ERR_TRUNCATED;
  int rv = mcc_cert_decode(&rec->cert, data, MCC_CERT_LEN);
  if (rv != 0) return rv;
  if (rec->cert.kind != MCC_CERT_NODE && rec->cert.kind != MCC_CERT_TUNNEL)
    return MCC_ERR_TYPE;
  const uint8_t *p = data + MCC_CERT_LEN;
  rec->seq = get_be32(p);
  p += 4;
  rec->flags = *p++;
  if (rec->flags & ~WIRE_RECORD_HAS_PARENT) return MCC_ERR_VALUE;
  memcpy(rec->parent.key, p, 32);
  p += 32;
  rec->static_addr = get_be32(p);
  p += 4;
  rec->extra_len = *p++;
  if (rec->extra_len > MCC_MAX_EXTRA_LEN) return MCC_ERR_BAD_LENGTH;
  if (datalen < WIRE_RECORD_FIXED_LEN + (size_t)rec->extra_len)
    return MCC_ERR_TRUNCATED;
  memcpy(rec->extra, p, rec->extra_len);
  rv = wire_extra_check(rec->extra, rec->extra_len);
  if (rv != 0) return rv;
  p += rec->extra_len;
  memcpy(rec->sig, p, WIRE_SIG_LEN);
  p += WIRE_SIG_LEN;
  if (pused) *pused = (size_t)(p - data);
  return 0;
}

int wire_record_verify(const wire_record *rec, mcc_verify_cache *cache,
                       int *phit) {
  uint8_t body[WIRE_RECORD_FIXED_LEN + MCC_MAX_EXTRA_LEN];
  size_t n = record_body_encode(body, rec);
  return verify_with_context(rec->sig, record_context,
                             CTX_LEN(record_context), body, n, NULL, 0,
                             rec->cert.subject.key, cache, VERIFY_STORE, phit);
}

static void counter_nonce(uint8_t nonce[12], uint32_t counter) {
  memset(nonce, 0, 8);
  put_be32(nonce + 8, counter);
}

size_t wire_seal(uint8_t *out, enum wire_type type, uint32_t counter,
                 const uint8_t key[32], const uint8_t *body, size_t bodylen) {
  uint8_t nonce[12];
  out[0] = wire_header(type);
  put_be32(out + 1, counter);
  counter_nonce(nonce, counter);
  unsigned long long clen = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(
      out + WIRE_HEADER_LEN + WIRE_COUNTER_LEN, &clen, body, bodylen, out,
      WIRE_HEADER_LEN + WIRE_COUNTER_LEN, NULL, nonce, key);
  return WIRE_HEADER_LEN + WIRE_COUNTER_LEN + (size_t)clen;
}

int wire_open(const uint8_t *data, size_t datalen, const uint8_t key[32],
              uint32_t *pcounter, uint8_t *body, size_t *pbodylen) {
  if (datalen < WIRE_SEALED_OVERHEAD) return MCC_ERR_TRUNCATED;
  if (datalen > WIRE_MAX_DATAGRAM) return MCC_ERR_BAD_LENGTH;
  uint8_t nonce[12];
  uint32_t counter = get_be32(data + 1);
  counter_nonce(nonce, counter);
  unsigned long long mlen = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(
          body, &mlen, NULL, data + WIRE_HEADER_LEN + WIRE_COUNTER_LEN,
          datalen - WIRE_HEADER_LEN - WIRE_COUNTER_LEN, data,
          WIRE_HEADER_LEN + WIRE_COUNTER_LEN, nonce, key) != 0)
    return MCC_ERR_DECRYPT;
  *pcounter = counter;
  *pbodylen = (size_t)mlen;
  return 0;
}
