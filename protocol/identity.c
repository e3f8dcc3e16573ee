/*
 * identity.c — Ed25519 key pairs and the text form of node ids: 52
 * characters of lowercase Base32 over the 32-byte public key, alphabet
 * 0123456789abcdefghjkmnpqrstvwxyz (no i, l, o, u), most significant bit
 * first. 52 characters carry 260 bits, so the last 4 must be zero: an id has
 * exactly one text form.
 */
#include <sodium.h>
#include <string.h>

#include <mcc/mcc.h>

static const char base32_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

int mcc_keypair_from_seed(mcc_keypair *kp, const uint8_t seed[MCC_SEED_LEN]) {
  if (!kp || !seed) return MCC_ERR_INVALID_ARGUMENT;
  if (crypto_sign_seed_keypair(kp->pub.key, kp->sec, seed) != 0)
    return MCC_ERR_INVALID_ARGUMENT;
  return 0;
}

int mcc_keypair_generate(mcc_keypair *kp) {
  if (!kp) return MCC_ERR_INVALID_ARGUMENT;
  if (sodium_init() < 0) return MCC_ERR_NOMEM;
  crypto_sign_keypair(kp->pub.key, kp->sec);
  return 0;
}

void mcc_id_to_text(const mcc_id *id, char out[MCC_ID_TEXT_LEN + 1]) {
  unsigned acc = 0, bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < MCC_KEY_LEN; i++) {
    acc = (acc << 8) | id->key[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[n++] = base32_alphabet[(acc >> bits) & 31];
    }
  }
  out[n++] = base32_alphabet[(acc << (5 - bits)) & 31];
  out[n] = '\0';
}

static int base32_value(char c) {
  const char *p = c ? strchr(base32_alphabet, c) : NULL;
  return p ? (int)(p - base32_alphabet) : -1;
}

int mcc_id_from_text(mcc_id *id, const char *text, size_t textlen) {
  if (!id || !text) return MCC_ERR_INVALID_ARGUMENT;
  if (textlen != MCC_ID_TEXT_LEN) return MCC_ERR_ID_LENGTH;
  uint8_t key[MCC_KEY_LEN];
  unsigned acc = 0, bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < textlen; i++) {
    int v = base32_value(text[i]);
    if (v < 0) return MCC_ERR_ID_CHAR;
    acc = (acc << 5) | (unsigned)v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      key[n++] = (uint8_t)(acc >> bits);
    }
    acc &= (1u << bits) - 1;
  }
  if (acc != 0) return MCC_ERR_ID_PADDING;
  memcpy(id->key, key, sizeof key);
  return 0;
}
