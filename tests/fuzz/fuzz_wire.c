/*
 * fuzz_wire.c — the link layer's decoders (wire.c) on arbitrary bytes:
 * datagram type, HELLO, HELLO_ACK (bound to a fixed child ephemeral key),
 * record entries, their extra items, sealed messages under a fixed key, the
 * body of a ROOT (rooting.c), a HELLO's cookie MAC and a COOKIE_REPLY.
 * Every datagram a node receives goes through one of these first, so none
 * may read past its input. Invariants: a decoded record (and each one after
 * it in the input) encodes back to exactly the bytes it consumed; a sealed
 * message that opens seals back to the same bytes; and any body sealed
 * opens back to itself; a ROOT body that decodes to a position with a
 * root encodes back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

/* The seed corpus was made with these (see the corpus's HELLO_ACK and
 * sealed inputs): bytes 0xce repeated and 0x5e repeated. */
static const uint8_t child_eph[WIRE_EPH_LEN] = {
    0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce,
    0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce,
    0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce, 0xce};
static const uint8_t link_key[32] = {
    0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e,
    0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e,
    0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e, 0x5e};

static mcc_verify_cache *cache;

static void hello(const uint8_t *data, size_t size) {
  wire_hello h;
  int parsed = wire_hello_parse(&h, data, size) == 0;
  /* A cookie MAC under the fixed key: made here, it must check; any other
   * trailing bytes of a 261-byte HELLO must not (unless by 2^-128). */
  if (parsed && size == WIRE_HELLO_COOKIE_LEN) {
    static uint8_t again[WIRE_HELLO_COOKIE_LEN];
    memcpy(again, data, WIRE_HELLO_LEN);
    CHECK(wire_hello_add_cookie_mac(again, link_key) == size);
    CHECK(wire_hello_cookie_mac_ok(again, size, link_key));
    CHECK(wire_hello_cookie_mac_ok(data, size, link_key) ==
          (memcmp(again, data, size) == 0));
  }
  if (wire_hello_decode(&h, data, size, NULL, VERIFY_LOOKUP) != 0) return;
  CHECK(parsed);
  CHECK((size == WIRE_HELLO_LEN || size == WIRE_HELLO_COOKIE_LEN) &&
        h.cert.kind == MCC_CERT_NODE);
  CHECK(h.has_cookie_mac == (size == WIRE_HELLO_COOKIE_LEN));
  CHECK(h.keepalive_period_s != 0);
  uint8_t cert[MCC_CERT_LEN];
  mcc_cert_encode(&h.cert, cert);
  CHECK(memcmp(cert, data + 1 + 2 + 8 + WIRE_EPH_LEN, MCC_CERT_LEN) == 0);
}

static void cookie_reply(const uint8_t *data, size_t size) {
  uint8_t echo[WIRE_COOKIE_ECHO_LEN], cookie[WIRE_COOKIE_LEN];
  if (wire_cookie_reply_decode(data, size, echo, cookie) != 0) return;
  CHECK(size == WIRE_COOKIE_REPLY_LEN);
  uint8_t again[WIRE_COOKIE_REPLY_LEN];
  wire_cookie_reply_encode(again, echo, cookie);
  CHECK(memcmp(again, data, size) == 0);
}

static void hello_ack(const uint8_t *data, size_t size) {
  wire_hello_ack a;
  if (wire_hello_ack_decode(&a, data, size, child_eph, NULL, VERIFY_LOOKUP) != 0) return;
  CHECK(size == WIRE_HELLO_ACK_LEN && a.cert.kind == MCC_CERT_NODE);
  uint8_t cert[MCC_CERT_LEN];
  mcc_cert_encode(&a.cert, cert);
  CHECK(memcmp(cert, data + 1 + WIRE_EPH_LEN, MCC_CERT_LEN) == 0);
}

/* Records back to back, as in an UPDATE body without the entry bytes. */
static void records(const uint8_t *data, size_t size) {
  static uint8_t out[WIRE_RECORD_FIXED_LEN + 255];
  size_t at = 0;
  while (at < size) {
    wire_record r;
    size_t used = 0;
    if (wire_record_decode(&r, data + at, size - at, &used) != 0) return;
    CHECK(used == wire_record_len(&r) && used <= size - at);
    CHECK(r.extra_len <= MCC_MAX_EXTRA_LEN);
    CHECK(wire_extra_check(r.extra, r.extra_len) == 0);
    CHECK(wire_record_encode(out, &r) == used);
    CHECK(memcmp(out, data + at, used) == 0);
    int hit = 0, rv = wire_record_verify(&r, cache, &hit);
    CHECK(rv == 0 || rv == MCC_ERR_BAD_SIGNATURE);
    CHECK(wire_record_verify(&r, NULL, NULL) == rv);
    at += used;
  }
}

static void sealed(const uint8_t *data, size_t size) {
  static uint8_t body[WIRE_MAX_DATAGRAM], again[WIRE_MAX_DATAGRAM];
  uint32_t counter = 0;
  size_t bodylen = 0;
  if (wire_open(data, size, link_key, &counter, body, &bodylen) == 0) {
    CHECK(size >= WIRE_SEALED_OVERHEAD && size <= WIRE_MAX_DATAGRAM);
    CHECK(bodylen == size - WIRE_SEALED_OVERHEAD);
    CHECK(counter == get_be32(data + 1));
    int type = wire_datagram_type(data, size);
    if (type > 0) {
      CHECK(wire_seal(again, (enum wire_type)type, counter, link_key, body,
                      bodylen) == size);
      CHECK(memcmp(again, data, size) == 0);
    }
  }
  /* Any body seals and opens back to itself. */
  if (size > WIRE_MAX_UPDATE_BODY) return;
  uint32_t c = size >= 4 ? get_be32(data) : (uint32_t)size;
  size_t n = wire_seal(again, WIRE_UPDATE, c, link_key, data, size);
  CHECK(n == size + WIRE_SEALED_OVERHEAD);
  CHECK(wire_datagram_type(again, n) == WIRE_UPDATE);
  CHECK(wire_open(again, n, link_key, &counter, body, &bodylen) == 0);
  CHECK(counter == c && bodylen == size && memcmp(body, data, size) == 0);
}

static void root_body(const uint8_t *data, size_t size) {
  root_pos p;
  if (rooting_decode(&p, data, size) != 0) return;
  CHECK(size == WIRE_ROOT_BODY_LEN);
  if (!rooting_is_rooted(&p)) {
    CHECK(data[36] == ROOT_DEPTH_NONE);
    return;
  }
  uint8_t again[WIRE_ROOT_BODY_LEN];
  rooting_encode(again, &p);
  CHECK(memcmp(again, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint8_t empty[1];
  if (!data) data = empty; /* the replay main passes NULL for empty files */
  if (!cache && mcc_verify_cache_new(&cache, 64) != 0) abort();
  int type = wire_datagram_type(data, size);
  CHECK(type < 0 || (type >= WIRE_HELLO && type <= WIRE_TYPE_LAST));
  hello(data, size);
  hello_ack(data, size);
  cookie_reply(data, size);
  records(data, size);
  wire_extra_check(data, size);
  sealed(data, size);
  root_body(data, size);
  return 0;
}
