/*
 * fuzz_packet.c — the data plane's decoders on arbitrary bytes: the inner
 * IP parser (packet_compact), the compact-packet decoder (packet_rebuild)
 * and the Noise message readers. Invariants, checked on every input:
 * what compacts rebuilds, with valid checksums, and compacting the rebuilt
 * packet gives the same compact bytes again (nothing is lost or invented).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"
#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t S4[4] = {10, 83, 0, 9}, D4[4] = {10, 83, 0, 1};
static const uint8_t S6[16] = {2, [15] = 9}, D6[16] = {2, [15] = 1};

static void check_round_trip(const uint8_t *ip, size_t len) {
  uint8_t c1[PACKET_MAX_COMPACT], c2[PACKET_MAX_COMPACT];
  uint8_t out[PACKET_MAX_INNER];
  size_t c1len, c2len, outlen;
  if (packet_compact(ip, len, len & 1, c1, &c1len) != 0) return;
  if (packet_rebuild(c1, c1len, S4, D4, S6, D6, out, &outlen) != 0)
    __builtin_trap(); /* what we compacted we must rebuild */
  if ((c1[0] & PACKET_FORM_MASK) == PACKET_FORM_RAW4) return;
  if (!packet_checksums_ok(out, outlen)) __builtin_trap();
  if (packet_compact(out, outlen, 0, c2, &c2len) != 0) __builtin_trap();
  uint8_t plain1[PACKET_MAX_COMPACT];
  size_t p1len = c1len;
  memcpy(plain1, c1, c1len);
  if (c1[0] & PACKET_FLAG_LZ4) { /* compare uncompressed forms */
    if (packet_compact(ip, len, 0, plain1, &p1len) != 0) __builtin_trap();
  }
  if (p1len != c2len || memcmp(plain1, c2, c2len) != 0) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  uint8_t out[PACKET_MAX_INNER];
  size_t outlen;
  switch (data[0] % 3) {
  case 0:
    check_round_trip(p, n);
    break;
  case 1:
    packet_rebuild(p, n, S4, D4, S6, D6, out, &outlen);
    break;
  default: {
    static int ready;
    static mcc_keypair a, b;
    if (!ready) {
      uint8_t seed[32] = {1};
      mcc_keypair_from_seed(&a, seed);
      seed[0] = 2;
      mcc_keypair_from_seed(&b, seed);
      ready = 1;
    }
    noise_state st;
    uint8_t payload[1500];
    noise_init(&st, &a.pub, &b.pub, (const uint8_t *)"p", 1);
    if (n <= sizeof payload + 48)
      noise_read_msg1(&st, &b, &a.pub, p, n, payload);
    noise_init(&st, &a.pub, &b.pub, (const uint8_t *)"p", 1);
    memset(st.e_sec, 7, 32);
    if (n <= sizeof payload + 48) noise_read_msg2(&st, &a, p, n, payload);
    break;
  }
  }
  return 0;
}
