/*
 * fuzz_resolve.c — libFuzzer harness for the resolver's text parsers:
 * arbitrary bytes as an address, a MAC, a name, a PTR name, a dns-names
 * list, the four resolver.* settings and `mcc resolve` input. Invariants:
 * what a parser accepts, its formatter writes and the parser reads back the
 * same; settings that parse, init accepts, and each slot's addresses lead
 * back to its id; dns-names that are set resolve to their id; and every
 * answer of mcc_resolve_text, resolved again, names the same id; a static
 * address belongs to one id at a time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

static mcc_id fuzz_id(uint8_t tag) {
  mcc_id id;
  memset(id.key, tag, sizeof id.key);
  return id;
}

static void pure_parsers(const char *text, size_t len) {
  uint8_t a[16], b[16];
  char out[MCC_RESOLVE_PTR_MAX];
  int family, family2;
  if (mcc_resolve_parse_mac(text, len, a) == 0) {
    mcc_resolve_format_mac(a, out);
    CHECK(mcc_resolve_parse_mac(out, strlen(out), b) == 0);
    CHECK(memcmp(a, b, 6) == 0);
  }
  if (mcc_resolve_parse_ipv4(text, len, a) == 0)
    CHECK(mcc_resolve_ptr_name(4, a, out, sizeof out) == 0);
  if (mcc_resolve_parse_ipv6(text, len, a) == 0)
    CHECK(mcc_resolve_ptr_name(6, a, out, sizeof out) == 0);
  if (mcc_resolve_ptr_parse(text, len, &family, a) == 0) {
    CHECK(family == 4 || family == 6);
    CHECK(mcc_resolve_ptr_name(family, a, out, sizeof out) == 0);
    CHECK(mcc_resolve_ptr_parse(out, strlen(out), &family2, b) == 0);
    CHECK(family2 == family && memcmp(a, b, family == 4 ? 4 : 16) == 0);
  }
  if (mcc_resolve_check_name(text, len) == 0)
    CHECK(len >= 1 && len <= MCC_RESOLVE_NAME_MAX + 1);
  enum mcc_resolve_format f;
  if (mcc_resolve_format_from_text(text, &f) == 0)
    CHECK(f >= MCC_RESOLVE_IPV4 && f <= MCC_RESOLVE_NODE_ID);
}

/* Settings that parse give a resolver whose addresses lead back. */
static void settings(const char *text) {
  for (int field = 0; field < 4; field++) {
    mcc_resolver_settings s;
    mcc_resolver_settings_default(&s);
    const char *bad = NULL;
    int rv = mcc_resolver_settings_from_text(
        &s, field == 0 ? text : NULL, field == 1 ? text : NULL,
        field == 2 ? text : NULL, field == 3 ? text : NULL, &bad);
    CHECK((rv == 0) == (bad == NULL));
    if (rv != 0) continue;
    mcc_resolver r;
    CHECK(mcc_resolver_init(&r, &s) == 0);
    CHECK(mcc_resolver_capacity(&r) >= 2);
    for (uint8_t t = 1; t <= 3; t++) {
      mcc_id id = fuzz_id(t), got;
      mcc_resolve_addrs a;
      if (mcc_resolver_lookup_id(&r, &id, &a, 0) != 0) continue;
      CHECK(mcc_resolver_lookup_ipv4(&r, a.ipv4, &got, 0) == 0);
      CHECK(memcmp(got.key, id.key, MCC_KEY_LEN) == 0);
      CHECK(mcc_resolver_lookup_ipv6(&r, a.ipv6, &got, 0) == 0);
      CHECK(memcmp(got.key, id.key, MCC_KEY_LEN) == 0);
      CHECK(mcc_resolver_lookup_mac(&r, a.mac, &got, 0) == 0);
      CHECK(memcmp(got.key, id.key, MCC_KEY_LEN) == 0);
      char name[MCC_RESOLVE_NAME_MAX + 1];
      CHECK(mcc_resolver_id_name(&r, &id, name, sizeof name) == 0);
      CHECK(mcc_resolver_lookup_name(&r, name, strlen(name), &got) == 0);
      CHECK(memcmp(got.key, id.key, MCC_KEY_LEN) == 0);
    }
    mcc_resolver_clear(&r);
  }
}

/* The input as dns-names, as a name, and as `mcc resolve` input. */
static void resolver(const char *text, size_t len) {
  mcc_resolver r;
  mcc_resolver_settings s;
  mcc_resolver_settings_default(&s);
  CHECK(mcc_resolver_settings_from_text(&s, "10.83.0.0/29", NULL, NULL, NULL,
                                        NULL) == 0);
  CHECK(mcc_resolver_init(&r, &s) == 0);
  mcc_id a = fuzz_id(0xa1), b = fuzz_id(0xb2), got;
  CHECK(mcc_resolver_set_names(&r, &b, "cam,door", 8) == 0);
  CHECK(mcc_resolver_lookup_id(&r, &b, NULL, 0) == 0);
  if (mcc_resolver_set_names(&r, &a, text, len) == 0) {
    /* the first item, as given, now names a, unless it spells a node id
     * (which an empty resolver knows too) */
    const char *comma = memchr(text, ',', len);
    size_t end = comma ? (size_t)(comma - text) : len;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) end--;
    size_t start = strspn(text, " \t");
    mcc_resolver empty;
    CHECK(mcc_resolver_init(&empty, &s) == 0);
    if (start < end && mcc_resolver_lookup_name(&empty, text + start,
                                                end - start, &got) != 0) {
      CHECK(mcc_resolver_lookup_name(&r, text + start, end - start, &got) == 0);
      CHECK(memcmp(got.key, a.key, MCC_KEY_LEN) == 0);
    }
    mcc_resolver_clear(&empty);
  }
  mcc_resolver_lookup_name(&r, text, len, &got);
  for (int f = MCC_RESOLVE_IPV4; f <= MCC_RESOLVE_NODE_ID; f++) {
    char out[MCC_RESOLVE_TEXT_MAX], idtext[MCC_RESOLVE_TEXT_MAX];
    if (mcc_resolve_text(&r, text, (enum mcc_resolve_format)f, out, sizeof out,
                         0) != 0)
      continue;
    CHECK(mcc_resolve_text(&r, out, MCC_RESOLVE_NODE_ID, idtext, sizeof idtext,
                           0) == 0);
    CHECK(mcc_resolve_text(&r, text, MCC_RESOLVE_NODE_ID, out, sizeof out, 0) ==
          0);
    CHECK(strcmp(out, idtext) == 0);
  }
  CHECK(mcc_resolver_used(&r) <= mcc_resolver_capacity(&r));
  mcc_resolver_clear(&r);
}

/* The input as a static address: taken by one id only, found both ways,
 * and gone again. */
static void static_address(const char *text, size_t len) {
  uint8_t addr[4];
  if (mcc_resolve_parse_ipv4(text, len, addr) != 0) return;
  mcc_resolver r;
  CHECK(mcc_resolver_init(&r, NULL) == 0);
  mcc_id a = fuzz_id(0xa1), b = fuzz_id(0xb2), got;
  mcc_resolve_addrs x;
  if (mcc_resolver_set_static(&r, &a, addr, 0) == 0) {
    CHECK(mcc_resolver_lookup_ipv4(&r, addr, &got, 0) == 0);
    CHECK(memcmp(got.key, a.key, MCC_KEY_LEN) == 0);
    CHECK(mcc_resolver_lookup_id(&r, &a, &x, 0) == 0);
    CHECK(memcmp(x.ipv4, addr, 4) == 0);
    CHECK(mcc_resolver_set_static(&r, &b, addr, 0) == MCC_ERR_CONFLICT);
    CHECK(mcc_resolver_set_static(&r, &a, NULL, 0) == 0);
    CHECK(mcc_resolver_lookup_ipv4(&r, addr, &got, 0) == MCC_ERR_VALUE);
    CHECK(mcc_resolver_set_static(&r, &b, addr, 0) == 0);
  }
  mcc_resolver_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  pure_parsers(text, size);
  /* the NUL-terminated APIs see the text up to its first NUL */
  settings(text);
  resolver(text, size);
  static_address(text, size);
  free(text);
  return 0;
}
