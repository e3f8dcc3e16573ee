/*
 * fuzz_keyfile.c — private key text as `mcc` and `mccd` read it from
 * node-private-key.txt and the like, and from standard input (`mcc init
 * --stdin`): keyfile_parse_key_text on arbitrary bytes.
 * Invariants: only 0, MCC_ERR_BASE64 or MCC_ERR_BAD_LENGTH come back; a
 * refused text leaves the key pair zeroed; an accepted one is exactly its
 * key's canonical text with white space around (one text per key), parses
 * back to the same key pair, which is the pair its seed gives; and
 * MCC_ERR_BAD_LENGTH is said only of padded Base64 of the wrong size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/mcc.h>

#include "cert.h"
#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  mcc_keypair kp, again, zero;
  memset(&kp, 0xA5, sizeof kp);
  memset(&zero, 0, sizeof zero);
  int rv = keyfile_parse_key_text(text, size, &kp);
  CHECK(rv == 0 || rv == MCC_ERR_BASE64 || rv == MCC_ERR_BAD_LENGTH);

  size_t start = 0, end = size;
  while (start < end && is_space(text[start])) start++;
  while (end > start && is_space(text[end - 1])) end--;
  size_t len = end - start;

  if (rv != 0) {
    CHECK(memcmp(&kp, &zero, sizeof kp) == 0);
    if (rv == MCC_ERR_BAD_LENGTH)
      CHECK(len % 4 == 0 && len > 0 &&
            base64_alphabet_only(text + start, len));
    return 0;
  }
  char canonical[KEYFILE_KEY_TEXT_LEN + 1];
  keyfile_format_key_text(&kp, canonical);
  CHECK(len == KEYFILE_KEY_TEXT_LEN &&
        memcmp(canonical, text + start, KEYFILE_KEY_TEXT_LEN) == 0);
  CHECK(keyfile_parse_key_text(canonical, KEYFILE_KEY_TEXT_LEN, &again) ==
        0);
  CHECK(memcmp(&kp, &again, sizeof kp) == 0);
  CHECK(mcc_keypair_from_seed(&again, kp.sec) == 0);
  CHECK(memcmp(&kp, &again, sizeof kp) == 0);
  return 0;
}
