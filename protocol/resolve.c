/*
 * resolve.c — the node-local resolver: node ids to the dynamic addresses of
 * resolver.ipv4-network, resolver.ipv6-network and resolver.mac-address-mask,
 * dns-names to ids, PTR names, and the text forms of `mcc resolve`.
 *
 * Data structures, all O(1) expected per operation:
 *   slots   an array; slots [0, used) hold an id, the second of its last
 *           use and its place in the LRU list, doubly linked through the
 *           array, head least recently used. A use moves a slot to the
 *           tail; reuse takes the head, and only when its last use is older
 *           than ttl + quarantine (the clock never goes back, so the list
 *           is in the order of those times and nothing else can be older).
 *   ids     id -> slot: open addressing, linear probing, backward-shift
 *           deletion; buckets keep the hash, so growing hashes nothing.
 *   owners  id -> its dns-names list, stored once, comma-joined, lower case.
 *   names   name -> (owner, offset, length) into the list of whichever id
 *           set the name last.
 * Everything grows by doubling and is allocated before anything changes, so
 * MCC_ERR_NOMEM leaves the resolver as it was.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>

#define NONE UINT32_MAX
#define MAX_ITEMS (MCC_RESOLVE_NAMES_MAX / 2 + 1)
#define NS_PER_S 1000000000ull

struct mcc_resolve_slot {
  mcc_id id;
  uint32_t prev, next; /* LRU list; NONE at the ends */
  uint32_t used_s;     /* last use: the resolver's clock in whole seconds */
  uint8_t pinned;      /* not in the LRU list: PIN_NODE or PIN_STATIC bits */
};

/* Static addresses (mcc_resolver_set_static), kept out of the slots and
 * out of the resolver itself, so that the many slots and resolvers
 * without one do not pay for them: a list, found by address and by slot
 * through two hash tables. */
struct mcc_resolve_static {
  uint32_t slot;
  uint32_t addr; /* host order */
};

struct mcc_resolve_statics {
  struct mcc_resolve_table by_addr, by_slot;
  struct mcc_resolve_static *list;
  uint32_t n, cap;
};

enum { PIN_NODE = 1, PIN_STATIC = 2 };

struct mcc_resolve_bucket {
  uint32_t hash;
  uint32_t ref; /* index + 1 of a slot, owner or name entry; 0 is empty */
};

struct mcc_resolve_name {
  uint32_t owner; /* in use: owner index; free: the next free entry */
  uint16_t off;   /* of the name in the owner's list */
  uint8_t len;
};

struct mcc_resolve_owner {
  mcc_id id;
  char *names; /* NULL when free */
  uint16_t len;
  uint32_t next_free;
};

static const char *const ptr4_suffix = ".in-addr.arpa";
static const char *const ptr6_suffix = ".ip6.arpa";

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* strspn over the first len bytes of s. */
static size_t strspn_n(const char *s, size_t len, const char *accept) {
  size_t i = 0;
  while (i < len && s[i] && strchr(accept, s[i])) i++;
  return i;
}

/* Big-endian integers of n bytes. */
static uint64_t load_be(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | p[i];
  return v;
}

static void store_be(uint8_t *p, int n, uint64_t v) {
  for (int i = n - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* Grows pool (entries of size bytes, *pcap of them) to hold need, doubling
 * from 16 but not past max. Returns the new pool, or NULL (pool intact). */
static void *grow(void *pool, uint32_t *pcap, uint64_t need, uint64_t max,
                  size_t size) {
  uint64_t n = *pcap ? (uint64_t)*pcap * 2 : 16;
  while (n < need) n *= 2;
  if (n > max) n = max;
  if (n < need || n > SIZE_MAX / size) return NULL;
  void *grown = realloc(pool, (size_t)n * size);
  if (grown) *pcap = (uint32_t)n;
  return grown;
}

static uint32_t hash_bytes(const mcc_resolver *r, const void *data,
                           size_t len) {
  uint8_t h[crypto_shorthash_BYTES];
  crypto_shorthash(h, data, len, r->settings.hash_key);
  return load_be(h, 4);
}

/* Bits of the MAC that carry the slot: the mask's trailing zeros, kept to
 * 24-40 so that a mask of few zeros still leaves room and the first octet
 * (multicast and locally-administered bits) always comes from the mask. */
static unsigned mac_host_bits(const uint8_t mask[6]) {
  uint64_t m = load_be(mask, 6);
  unsigned tz = 0;
  while (tz < 40 && !(m >> tz & 1)) tz++;
  return tz < 24 ? 24 : tz;
}

/* The bits of byte i that a prefix of `bits` bits covers. */
static uint8_t prefix_byte(size_t i, unsigned bits) {
  if (bits >= 8 * (i + 1)) return 0xff;
  return bits > 8 * i ? (uint8_t)(0xff << (8 * (i + 1) - bits)) : 0;
}

/* Whether the first bits of a and b agree. */
static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
  for (size_t i = 0; 8 * i < bits; i++)
    if ((a[i] ^ b[i]) & prefix_byte(i, bits)) return 0;
  return 1;
}

/* Whether every bit after the first `bits` of a (len bytes) is zero. */
static int host_zero(const uint8_t *a, size_t len, unsigned bits) {
  for (size_t i = 0; i < len; i++)
    if (a[i] & ~prefix_byte(i, bits)) return 0;
  return 1;
}

/* ---- text parsers -------------------------------------------------------- */

static int pton(int af, const char *text, size_t textlen, void *out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (!text || textlen == 0 || textlen >= sizeof buf ||
      memchr(text, '\0', textlen))
    return MCC_ERR_VALUE;
  memcpy(buf, text, textlen);
  buf[textlen] = '\0';
  return inet_pton(af, buf, out) == 1 ? 0 : MCC_ERR_VALUE;
}

int mcc_resolve_parse_ipv4(const char *text, size_t textlen, uint8_t out[4]) {
  return out ? pton(AF_INET, text, textlen, out) : MCC_ERR_VALUE;
}

int mcc_resolve_parse_ipv6(const char *text, size_t textlen, uint8_t out[16]) {
  return out ? pton(AF_INET6, text, textlen, out) : MCC_ERR_VALUE;
}

static int hexval(char c) {
  c = lower(c);
  if (c >= '0' && c <= '9') return c - '0';
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mcc_resolve_parse_mac(const char *text, size_t textlen, uint8_t out[6]) {
  uint8_t mac[6];
  if (!text || !out || textlen != MCC_RESOLVE_MAC_TEXT_LEN)
    return MCC_ERR_VALUE;
  for (size_t i = 0; i < 6; i++) {
    int hi = hexval(text[3 * i]), lo = hexval(text[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':'))
      return MCC_ERR_VALUE;
    mac[i] = (uint8_t)(hi << 4 | lo);
  }
  memcpy(out, mac, 6);
  return 0;
}

void mcc_resolve_format_mac(const uint8_t mac[6],
                            char out[MCC_RESOLVE_MAC_TEXT_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < 6; i++) {
    out[3 * i] = hex[mac[i] >> 4];
    out[3 * i + 1] = hex[mac[i] & 15];
    out[3 * i + 2] = i < 5 ? ':' : '\0';
  }
}

int mcc_resolve_check_name(const char *name, size_t namelen) {
  if (!name) return MCC_ERR_VALUE;
  if (namelen > 1 && name[namelen - 1] == '.') namelen--;
  if (namelen == 0 || namelen > MCC_RESOLVE_NAME_MAX) return MCC_ERR_VALUE;
  size_t label = 0;
  for (size_t i = 0; i < namelen; i++) {
    char c = lower(name[i]);
    if (c == '.') {
      if (label == 0) return MCC_ERR_VALUE;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      if (++label > MCC_RESOLVE_LABEL_MAX) return MCC_ERR_VALUE;
    } else {
      return MCC_ERR_VALUE;
    }
  }
  return label == 0 ? MCC_ERR_VALUE : 0;
}

/* A checked name without its trailing dot, lower case, into out (which
 * holds MCC_RESOLVE_NAME_MAX + 1 bytes). Returns its length or -1. */
static int normalise_name(const char *name, size_t namelen, char *out) {
  if (mcc_resolve_check_name(name, namelen) != 0) return -1;
  if (name[namelen - 1] == '.') namelen--;
  for (size_t i = 0; i < namelen; i++) out[i] = lower(name[i]);
  out[namelen] = '\0';
  return (int)namelen;
}

/* "10.83.0.0/16": address, '/', 1-3 digits. */
static int parse_cidr(int af, const char *text, uint8_t *addr,
                      unsigned *pprefix) {
  const char *slash = strchr(text, '/');
  if (!slash || pton(af, text, (size_t)(slash - text), addr) != 0)
    return MCC_ERR_VALUE;
  size_t n = strlen(slash + 1);
  if (n == 0 || n > 3 || strspn(slash + 1, "0123456789") != n)
    return MCC_ERR_VALUE;
  *pprefix = (unsigned)strtoul(slash + 1, NULL, 10);
  return 0;
}

/* "" and "." mean no domain; otherwise a name, one leading and one
 * trailing dot optional, kept as ".name" in lower case. */
static int set_domain(char out[MCC_RESOLVE_DOMAIN_MAX + 2], const char *text) {
  out[0] = '\0';
  if (strcmp(text, "") == 0 || strcmp(text, ".") == 0) return 0;
  if (text[0] == '.') text++;
  size_t len = strlen(text);
  if (len > MCC_RESOLVE_DOMAIN_MAX) return MCC_ERR_VALUE;
  int n = normalise_name(text, len, out + 1); /* at most 200 bytes */
  if (n < 0 || n + 1 > MCC_RESOLVE_DOMAIN_MAX) return MCC_ERR_VALUE;
  out[0] = '.';
  return 0;
}

/* ---- settings ------------------------------------------------------------ */

void mcc_resolver_settings_default(mcc_resolver_settings *s) {
  if (!s) return;
  memset(s, 0, sizeof *s);
  s->ipv4_network[0] = 10;
  s->ipv4_network[1] = 83;
  s->ipv4_prefix_len = 16;
  s->ipv6_network[0] = 0x02;
  s->ipv6_prefix_len = 7;
  s->mac_mask[0] = 0xae;
  memcpy(s->domain, ".home.arpa", sizeof ".home.arpa");
  s->quarantine_s = MCC_RESOLVE_QUARANTINE_S;
  s->new_per_s = MCC_RESOLVE_NEW_PER_S;
  s->new_burst = MCC_RESOLVE_NEW_BURST;
}

static int check_ipv4(const mcc_resolver_settings *s) {
  return s->ipv4_prefix_len <= 30 &&
         host_zero(s->ipv4_network, 4, s->ipv4_prefix_len);
}

static int check_ipv6(const mcc_resolver_settings *s) {
  return s->ipv6_prefix_len <= 126 &&
         host_zero(s->ipv6_network, 16, s->ipv6_prefix_len);
}

static int check_mac(const mcc_resolver_settings *s) {
  return !(s->mac_mask[0] & 1);
}

static int check_times(const mcc_resolver_settings *s) {
  return s->ttl_s <= MCC_RESOLVE_TTL_MAX_S &&
         s->quarantine_s <= MCC_RESOLVE_QUARANTINE_MAX_S &&
         s->new_per_s <= NS_PER_S && (s->new_per_s == 0 || s->new_burst > 0);
}

static int parse_network(mcc_resolver_settings *s, int af, const char *text) {
  int v4 = af == AF_INET;
  unsigned prefix;
  if (parse_cidr(af, text, v4 ? s->ipv4_network : s->ipv6_network, &prefix) ||
      prefix > 128)
    return MCC_ERR_VALUE;
  *(v4 ? &s->ipv4_prefix_len : &s->ipv6_prefix_len) = (uint8_t)prefix;
  return (v4 ? check_ipv4(s) : check_ipv6(s)) ? 0 : MCC_ERR_VALUE;
}

int mcc_resolver_settings_from_text(mcc_resolver_settings *settings,
                                    const char *ipv4_network,
                                    const char *ipv6_network,
                                    const char *mac_mask, const char *domain,
                                    const char **pbad) {
  if (pbad) *pbad = NULL;
  if (!settings) return MCC_ERR_INVALID_ARGUMENT;
  mcc_resolver_settings s = *settings;
  const char *bad = NULL;
  if (ipv4_network && parse_network(&s, AF_INET, ipv4_network) != 0)
    bad = "resolver.ipv4-network";
  else if (ipv6_network && parse_network(&s, AF_INET6, ipv6_network) != 0)
    bad = "resolver.ipv6-network";
  else if (mac_mask &&
           (mcc_resolve_parse_mac(mac_mask, strlen(mac_mask), s.mac_mask) ||
            !check_mac(&s)))
    bad = "resolver.mac-address-mask";
  else if (domain && set_domain(s.domain, domain) != 0)
    bad = "resolver.domain";
  if (bad) {
    if (pbad) *pbad = bad;
    return MCC_ERR_VALUE;
  }
  *settings = s;
  return 0;
}

/* ---- hash tables --------------------------------------------------------- */

typedef int (*match_fn)(const mcc_resolver *r, uint32_t index, const void *key,
                        size_t keylen);

/* The index stored under key, or NONE; *ppos gets its bucket. */
static uint32_t table_find(const mcc_resolver *r,
                           const struct mcc_resolve_table *t, uint32_t hash,
                           match_fn match, const void *key, size_t keylen,
                           uint32_t *ppos) {
  if (!t->buckets) return NONE;
  for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
    const struct mcc_resolve_bucket *b = &t->buckets[i];
    if (b->ref == 0) return NONE;
    if (b->hash == hash && match(r, b->ref - 1, key, keylen)) {
      if (ppos) *ppos = i;
      return b->ref - 1;
    }
  }
}

/* Adds index under hash; the caller made room (table_reserve). */
static void table_insert(struct mcc_resolve_table *t, uint32_t hash,
                         uint32_t index) {
  uint32_t i = hash & t->mask;
  while (t->buckets[i].ref != 0) i = (i + 1) & t->mask;
  t->buckets[i].hash = hash;
  t->buckets[i].ref = index + 1;
  t->count++;
}

/* Room for `more` insertions at a load of at most 3/4. */
static int table_reserve(struct mcc_resolve_table *t, uint32_t more) {
  uint64_t need = (uint64_t)t->count + more;
  uint64_t n = t->buckets ? (uint64_t)t->mask + 1 : 0;
  if (need * 4 <= n * 3) return 0;
  if (n == 0) n = 16;
  while (need * 4 > n * 3) n *= 2;
  if (n > (1u << 31) || n > SIZE_MAX / sizeof(struct mcc_resolve_bucket))
    return MCC_ERR_NOMEM;
  struct mcc_resolve_table grown = {calloc((size_t)n, sizeof *grown.buckets),
                                    (uint32_t)(n - 1), 0};
  if (!grown.buckets) return MCC_ERR_NOMEM;
  if (t->buckets) {
    for (uint32_t i = 0; i <= t->mask; i++)
      if (t->buckets[i].ref)
        table_insert(&grown, t->buckets[i].hash, t->buckets[i].ref - 1);
    free(t->buckets);
  }
  *t = grown;
  return 0;
}

/* Backward-shift deletion: no tombstones, so lookups stay short. */
static void table_remove_at(struct mcc_resolve_table *t, uint32_t pos) {
  uint32_t i = pos, j = pos;
  for (;;) {
    j = (j + 1) & t->mask;
    if (t->buckets[j].ref == 0) break;
    uint32_t home = t->buckets[j].hash & t->mask;
    int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    t->buckets[i] = t->buckets[j];
    i = j;
  }
  t->buckets[i].ref = 0;
  t->count--;
}

static size_t table_memory(const struct mcc_resolve_table *t) {
  return t->buckets ? ((size_t)t->mask + 1) * sizeof *t->buckets : 0;
}

static int match_slot(const mcc_resolver *r, uint32_t index, const void *key,
                      size_t keylen) {
  return keylen == MCC_KEY_LEN &&
         memcmp(r->slots[index].id.key, key, MCC_KEY_LEN) == 0;
}

static int match_static(const mcc_resolver *r, uint32_t index,
                        const void *key, size_t keylen) {
  return keylen == 4 && r->statics->list[index].addr == load_be(key, 4);
}

static int match_static_slot(const mcc_resolver *r, uint32_t index,
                             const void *key, size_t keylen) {
  uint32_t k;
  memcpy(&k, key, sizeof k);
  return keylen == sizeof k && r->statics->list[index].slot == k;
}

static int match_owner(const mcc_resolver *r, uint32_t index, const void *key,
                       size_t keylen) {
  return keylen == MCC_KEY_LEN &&
         memcmp(r->owner_list[index].id.key, key, MCC_KEY_LEN) == 0;
}

static int match_name(const mcc_resolver *r, uint32_t index, const void *key,
                      size_t keylen) {
  const struct mcc_resolve_name *e = &r->name_entries[index];
  return e->len == keylen &&
         memcmp(r->owner_list[e->owner].names + e->off, key, keylen) == 0;
}

/* ---- slots and the LRU list ---------------------------------------------- */

static void lru_unlink(mcc_resolver *r, uint32_t k) {
  struct mcc_resolve_slot *s = &r->slots[k];
  *(s->prev != NONE ? &r->slots[s->prev].next : &r->lru_head) = s->next;
  *(s->next != NONE ? &r->slots[s->next].prev : &r->lru_tail) = s->prev;
  s->prev = s->next = NONE;
}

static void lru_append(mcc_resolver *r, uint32_t k) {
  struct mcc_resolve_slot *s = &r->slots[k];
  s->prev = r->lru_tail;
  s->next = NONE;
  *(r->lru_tail != NONE ? &r->slots[r->lru_tail].next : &r->lru_head) = k;
  r->lru_tail = k;
}

/* The clock in whole seconds; a slot's time is at most 1 s early. */
static uint32_t clock_s(const mcc_resolver *r) {
  uint64_t s = r->now_ns / NS_PER_S;
  return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void set_clock(mcc_resolver *r, uint64_t now) {
  if (now > r->now_ns) r->now_ns = now;
}

static void touch(mcc_resolver *r, uint32_t k) {
  r->slots[k].used_s = clock_s(r);
  if (r->slots[k].pinned || r->lru_tail == k) return;
  lru_unlink(r, k);
  lru_append(r, k);
}

/* Whether slot k, not pinned, may go to another id: its last use more than
 * ttl + quarantine ago. used_s is the floor of that time, so the clock's
 * second must be past used_s + hold for the full hold to have passed. */
static int reusable(const mcc_resolver *r, uint32_t k) {
  uint64_t hold = (uint64_t)r->settings.ttl_s + r->settings.quarantine_s;
  return hold == 0 || clock_s(r) > r->slots[k].used_s + hold;
}

/* The creation cap as a GCRA (a token bucket in one number): a new mapping
 * at now is allowed when the theoretical arrival time is at most
 * (burst - 1) intervals ahead of now; taking it moves that time on by one
 * interval. */
static int new_allowed(const mcc_resolver *r) {
  const mcc_resolver_settings *s = &r->settings;
  if (s->new_per_s == 0) return 1;
  uint64_t interval = NS_PER_S / s->new_per_s;
  uint64_t tat = r->new_tat_ns > r->now_ns ? r->new_tat_ns : r->now_ns;
  return tat - r->now_ns <= (uint64_t)(s->new_burst - 1) * interval;
}

static void new_taken(mcc_resolver *r) {
  const mcc_resolver_settings *s = &r->settings;
  if (s->new_per_s == 0) return;
  uint64_t tat = r->new_tat_ns > r->now_ns ? r->new_tat_ns : r->now_ns;
  uint64_t interval = NS_PER_S / s->new_per_s;
  r->new_tat_ns = tat > UINT64_MAX - interval ? UINT64_MAX : tat + interval;
}

static void slot_addrs(const mcc_resolver *r, uint32_t k,
                       mcc_resolve_addrs *a) {
  const mcc_resolver_settings *s = &r->settings;
  uint32_t host = k + 1; /* k < capacity, which every network holds */
  store_be(a->ipv4, 4, load_be(s->ipv4_network, 4) + host);
  memcpy(a->ipv6, s->ipv6_network, 16);
  store_be(a->ipv6 + 12, 4, load_be(a->ipv6 + 12, 4) | host);
  unsigned h = mac_host_bits(s->mac_mask);
  store_be(a->mac, 6, (load_be(s->mac_mask, 6) >> h << h) | host);
}

static int slots_reserve(mcc_resolver *r) {
  if (r->used < r->slots_cap) return 0;
  void *grown = grow(r->slots, &r->slots_cap, (uint64_t)r->used + 1,
                     r->capacity, sizeof *r->slots);
  if (!grown) return MCC_ERR_NOMEM;
  r->slots = grown;
  return 0;
}

/* The slot of id, taking one if it has none (under the creation cap when
 * capped); NONE with *prv set on error. */
static uint32_t slot_for(mcc_resolver *r, const mcc_id *id, int capped,
                         int *prv) {
  uint32_t hash = hash_bytes(r, id->key, MCC_KEY_LEN);
  uint32_t k =
      table_find(r, &r->ids, hash, match_slot, id->key, MCC_KEY_LEN, NULL);
  if (k != NONE) {
    touch(r, k);
    return k;
  }
  int fresh = r->used < r->capacity;
  if ((!fresh && (r->lru_head == NONE || !reusable(r, r->lru_head))) ||
      (capped && !new_allowed(r))) {
    *prv = MCC_ERR_LIMIT; /* every slot pinned or held, or over the cap */
    return NONE;
  }
  if (fresh) {
    if ((*prv = slots_reserve(r)) != 0) return NONE;
    if ((*prv = table_reserve(&r->ids, 1)) != 0) return NONE;
    k = r->used++;
  } else {
    k = r->lru_head;
    uint32_t pos = 0;
    const uint8_t *old = r->slots[k].id.key;
    table_find(r, &r->ids, hash_bytes(r, old, MCC_KEY_LEN), match_slot, old,
               MCC_KEY_LEN, &pos);
    table_remove_at(&r->ids, pos);
    lru_unlink(r, k);
  }
  if (capped) new_taken(r);
  r->slots[k].id = *id;
  r->slots[k].pinned = 0;
  r->slots[k].used_s = clock_s(r);
  lru_append(r, k);
  table_insert(&r->ids, hash, k);
  return k;
}

/* ---- the resolver -------------------------------------------------------- */

/* Empty, with capacity 0: every lookup fails until init. */
static void reset(mcc_resolver *r) {
  memset(r, 0, sizeof *r);
  r->lru_head = r->lru_tail = NONE;
  r->name_entries_free = r->owners_free = NONE;
}

int mcc_resolver_init(mcc_resolver *r, const mcc_resolver_settings *settings) {
  if (!r) return MCC_ERR_INVALID_ARGUMENT;
  reset(r);
  mcc_resolver_settings_default(&r->settings);
  if (settings) r->settings = *settings;
  mcc_resolver_settings *s = &r->settings;
  char domain[MCC_RESOLVE_DOMAIN_MAX + 2];
  if (!check_ipv4(s) || !check_ipv6(s) || !check_mac(s) || !check_times(s) ||
      !memchr(s->domain, '\0', sizeof s->domain) ||
      set_domain(domain, s->domain) != 0)
    return MCC_ERR_VALUE;
  memcpy(s->domain, domain, sizeof domain);

  uint64_t cap = ((uint64_t)1 << (32 - s->ipv4_prefix_len)) - 2;
  unsigned bits6 = 128u - s->ipv6_prefix_len;
  if (bits6 < 64 && ((uint64_t)1 << bits6) - 1 < cap)
    cap = ((uint64_t)1 << bits6) - 1;
  uint64_t cap_mac = ((uint64_t)1 << mac_host_bits(s->mac_mask)) - 1;
  if (cap_mac < cap) cap = cap_mac;
  r->capacity = (uint32_t)cap;
  return 0;
}

void mcc_resolver_clear(mcc_resolver *r) {
  if (!r) return;
  free(r->slots);
  free(r->ids.buckets);
  free(r->names.buckets);
  free(r->owners.buckets);
  if (r->statics) {
    free(r->statics->by_addr.buckets);
    free(r->statics->by_slot.buckets);
    free(r->statics->list);
    free(r->statics);
  }
  for (uint32_t i = 0; i < r->owners_cap; i++) free(r->owner_list[i].names);
  free(r->owner_list);
  free(r->name_entries);
  reset(r);
}

uint32_t mcc_resolver_capacity(const mcc_resolver *r) {
  return r ? r->capacity : 0;
}

uint32_t mcc_resolver_used(const mcc_resolver *r) { return r ? r->used : 0; }

size_t mcc_resolver_memory(const mcc_resolver *r) {
  if (!r) return 0;
  const struct mcc_resolve_statics *st = r->statics;
  size_t statics = st ? sizeof *st + table_memory(&st->by_addr) +
                            table_memory(&st->by_slot) +
                            (size_t)st->cap * sizeof *st->list
                      : 0;
  return (size_t)r->slots_cap * sizeof *r->slots + table_memory(&r->ids) +
         table_memory(&r->names) + table_memory(&r->owners) + statics +
         (size_t)r->name_entries_cap * sizeof *r->name_entries +
         (size_t)r->owners_cap * sizeof *r->owner_list + r->names_bytes;
}

enum { LOOKUP, QUERY, PIN };

/* The static_list index of slot k's static address, or NONE; *ppos gets
 * its place in static_slots. One test for the slots without one (the data
 * plane asks for every packet), a hash lookup for the others. */
static uint32_t static_of(const mcc_resolver *r, uint32_t k, uint32_t *ppos) {
  if (!(r->slots[k].pinned & PIN_STATIC)) return NONE;
  return table_find(r, &r->statics->by_slot, hash_bytes(r, &k, sizeof k),
                    match_static_slot, &k, sizeof k, ppos);
}

static int lookup_id(mcc_resolver *r, const mcc_id *id,
                     mcc_resolve_addrs *addrs, int how, uint64_t now) {
  if (!r || !id) return MCC_ERR_INVALID_ARGUMENT;
  set_clock(r, now);
  int rv = 0, pin = how == PIN;
  uint32_t k = slot_for(r, id, how == QUERY, &rv);
  if (k == NONE) return rv;
  if (pin) {
    if (!r->slots[k].pinned) lru_unlink(r, k);
    r->slots[k].pinned |= PIN_NODE;
  }
  if (addrs) {
    slot_addrs(r, k, addrs);
    uint32_t i = static_of(r, k, NULL);
    if (i != NONE) store_be(addrs->ipv4, 4, r->statics->list[i].addr);
  }
  return 0;
}

int mcc_resolver_lookup_id(mcc_resolver *r, const mcc_id *id,
                           mcc_resolve_addrs *addrs, uint64_t now) {
  return lookup_id(r, id, addrs, LOOKUP, now);
}

int mcc_resolver_query_id(mcc_resolver *r, const mcc_id *id,
                          mcc_resolve_addrs *addrs, uint64_t now) {
  return lookup_id(r, id, addrs, QUERY, now);
}

int mcc_resolver_pin(mcc_resolver *r, const mcc_id *id,
                     mcc_resolve_addrs *addrs, uint64_t now) {
  return lookup_id(r, id, addrs, PIN, now);
}

int mcc_resolver_set_static(mcc_resolver *r, const mcc_id *id,
                            const uint8_t ipv4[4], uint64_t now) {
  if (!r || !id) return MCC_ERR_INVALID_ARGUMENT;
  const mcc_resolver_settings *s = &r->settings;
  uint32_t want = ipv4 ? load_be(ipv4, 4) : 0;
  if (ipv4 && (want == 0 || want == UINT32_MAX || (want >> 24) == 127 ||
               (want >> 28) >= 14 ||
               prefix_match(ipv4, s->ipv4_network, s->ipv4_prefix_len)))
    return MCC_ERR_VALUE;
  if (!want && !r->statics) return 0; /* none at all */
  if (!r->statics && !(r->statics = calloc(1, sizeof *r->statics)))
    return MCC_ERR_NOMEM;
  struct mcc_resolve_statics *st = r->statics;
  set_clock(r, now);
  uint32_t k = table_find(r, &r->ids, hash_bytes(r, id->key, MCC_KEY_LEN),
                          match_slot, id->key, MCC_KEY_LEN, NULL);
  uint32_t slot_pos = 0;
  uint32_t i = k != NONE ? static_of(r, k, &slot_pos) : NONE;
  uint32_t have = i != NONE ? st->list[i].addr : 0;
  if (want == have) return 0;
  if (want) {
    uint32_t other = table_find(r, &st->by_addr, hash_bytes(r, ipv4, 4),
                                match_static, ipv4, 4, NULL);
    if (other != NONE) return MCC_ERR_CONFLICT;
    int rv = table_reserve(&st->by_addr, 1);
    if (rv == 0 && i == NONE) rv = table_reserve(&st->by_slot, 1);
    if (rv != 0) return rv;
    if (i == NONE && st->n == st->cap) {
      void *grown = grow(st->list, &st->cap,
                         (uint64_t)st->n + 1, r->capacity,
                         sizeof *st->list);
      if (!grown) return MCC_ERR_NOMEM;
      st->list = grown;
    }
    if (k == NONE && (k = slot_for(r, id, 0, &rv)) == NONE) return rv;
  }
  if (have) { /* the old address goes from the table */
    uint8_t old[4];
    uint32_t pos = 0;
    store_be(old, 4, have);
    table_find(r, &st->by_addr, hash_bytes(r, old, 4), match_static, old, 4,
               &pos);
    table_remove_at(&st->by_addr, pos);
  }
  struct mcc_resolve_slot *slot = &r->slots[k];
  if (want) {
    if (i == NONE) {
      i = st->n++;
      st->list[i].slot = k;
      table_insert(&st->by_slot, hash_bytes(r, &k, sizeof k), i);
    }
    st->list[i].addr = want;
    if (!slot->pinned) lru_unlink(r, k);
    slot->pinned |= PIN_STATIC;
    table_insert(&st->by_addr, hash_bytes(r, ipv4, 4), i);
    return 0;
  }
  /* gone: the last entry moves into i, and both tables follow it */
  table_remove_at(&st->by_slot, slot_pos);
  uint32_t last = --st->n;
  if (i != last) {
    uint8_t moved[4];
    uint32_t moved_slot = st->list[last].slot, pos = 0, spos = 0;
    store_be(moved, 4, st->list[last].addr);
    table_find(r, &st->by_addr, hash_bytes(r, moved, 4), match_static, moved,
               4, &pos);
    table_find(r, &st->by_slot, hash_bytes(r, &moved_slot, 4),
               match_static_slot, &moved_slot, 4, &spos);
    st->list[i] = st->list[last];
    st->by_addr.buckets[pos].ref = i + 1;
    st->by_slot.buckets[spos].ref = i + 1;
  }
  slot->pinned &= (uint8_t)~PIN_STATIC;
  if (!slot->pinned) lru_append(r, k);
  touch(r, k);
  return 0;
}

/* host is the slot number + 1 an address carries. */
static int reverse_hit(mcc_resolver *r, uint64_t host, mcc_id *pid,
                       uint64_t now) {
  if (host == 0 || host > r->used) return MCC_ERR_NO_ROUTE;
  set_clock(r, now);
  uint32_t k = (uint32_t)(host - 1);
  touch(r, k);
  *pid = r->slots[k].id;
  return 0;
}

int mcc_resolver_lookup_ipv4(mcc_resolver *r, const uint8_t addr[4],
                             mcc_id *pid, uint64_t now) {
  if (!r || !addr || !pid) return MCC_ERR_INVALID_ARGUMENT;
  const mcc_resolver_settings *s = &r->settings;
  if (!prefix_match(addr, s->ipv4_network, s->ipv4_prefix_len)) {
    const struct mcc_resolve_statics *st = r->statics;
    uint32_t i = st ? table_find(r, &st->by_addr, hash_bytes(r, addr, 4),
                                 match_static, addr, 4, NULL)
                    : NONE;
    if (i == NONE) return MCC_ERR_VALUE;
    set_clock(r, now);
    uint32_t k = st->list[i].slot;
    touch(r, k);
    *pid = r->slots[k].id;
    return 0;
  }
  return reverse_hit(r, load_be(addr, 4) - load_be(s->ipv4_network, 4), pid,
                     now);
}

int mcc_resolver_lookup_ipv6(mcc_resolver *r, const uint8_t addr[16],
                             mcc_id *pid, uint64_t now) {
  if (!r || !addr || !pid) return MCC_ERR_INVALID_ARGUMENT;
  const mcc_resolver_settings *s = &r->settings;
  unsigned p = s->ipv6_prefix_len;
  if (!prefix_match(addr, s->ipv6_network, p)) return MCC_ERR_VALUE;
  /* slots use the last 32 bits of the host part; the rest must be zero */
  if (!host_zero(addr, 12, p)) return MCC_ERR_NO_ROUTE;
  uint64_t host = load_be(addr + 12, 4);
  if (p > 96) host &= UINT32_MAX >> (p - 96);
  return reverse_hit(r, host, pid, now);
}

int mcc_resolver_lookup_mac(mcc_resolver *r, const uint8_t mac[6], mcc_id *pid,
                            uint64_t now) {
  if (!r || !mac || !pid) return MCC_ERR_INVALID_ARGUMENT;
  unsigned h = mac_host_bits(r->settings.mac_mask);
  uint64_t m = load_be(mac, 6);
  if (m >> h != load_be(r->settings.mac_mask, 6) >> h) return MCC_ERR_VALUE;
  return reverse_hit(r, m & (((uint64_t)1 << h) - 1), pid, now);
}

/* ---- names --------------------------------------------------------------- */

static uint32_t find_name(const mcc_resolver *r, const char *name, size_t len,
                          uint32_t *ppos) {
  return table_find(r, &r->names, hash_bytes(r, name, len), match_name, name,
                    len, ppos);
}

/* Parses a dns-names list into out ("a,b", lower case, no duplicates) and
 * the offsets and lengths of its items. Returns the item count or an error. */
static int parse_names(const char *names, size_t nameslen,
                       char out[MCC_RESOLVE_NAMES_MAX], size_t *poutlen,
                       uint16_t *offs, uint8_t *lens) {
  size_t outlen = 0, start = 0;
  int n = 0;
  char item[MCC_RESOLVE_NAME_MAX + 1];
  *poutlen = 0;
  if (strspn_n(names, nameslen, " \t") == nameslen) return 0;
  for (size_t i = 0; i <= nameslen; i++) {
    if (i < nameslen && names[i] != ',') continue;
    size_t a = start, b = i;
    start = i + 1;
    a += strspn_n(names + a, b - a, " \t");
    while (b > a && (names[b - 1] == ' ' || names[b - 1] == '\t')) b--;
    int len = normalise_name(names + a, b - a, item);
    if (len < 0) return MCC_ERR_VALUE;
    int dup = 0;
    for (int j = 0; j < n && !dup; j++)
      dup = lens[j] == len && memcmp(out + offs[j], item, (size_t)len) == 0;
    if (dup) continue;
    if (outlen > 0) out[outlen++] = ',';
    memcpy(out + outlen, item, (size_t)len);
    offs[n] = (uint16_t)outlen;
    lens[n++] = (uint8_t)len;
    outlen += (size_t)len;
  }
  *poutlen = outlen;
  return n;
}

/* Free entries of both pools are kept on free lists, lowest index first. */
static int name_entries_reserve(mcc_resolver *r, uint32_t more) {
  uint64_t need = (uint64_t)r->names.count + more;
  uint32_t old = r->name_entries_cap;
  if (need <= old) return 0;
  struct mcc_resolve_name *grown =
      grow(r->name_entries, &r->name_entries_cap, need, NONE, sizeof *grown);
  if (!grown) return MCC_ERR_NOMEM;
  r->name_entries = grown;
  for (uint32_t i = r->name_entries_cap; i-- > old;) {
    grown[i].owner = r->name_entries_free;
    r->name_entries_free = i;
  }
  return 0;
}

static int owners_reserve(mcc_resolver *r) {
  uint32_t old = r->owners_cap;
  if (r->owners.count < old) return 0;
  struct mcc_resolve_owner *grown =
      grow(r->owner_list, &r->owners_cap, old + 1ull, NONE, sizeof *grown);
  if (!grown) return MCC_ERR_NOMEM;
  r->owner_list = grown;
  for (uint32_t i = r->owners_cap; i-- > old;) {
    grown[i].names = NULL;
    grown[i].next_free = r->owners_free;
    r->owners_free = i;
  }
  return 0;
}

/* Removes the names that owner o holds now, and o's list. */
static void drop_names(mcc_resolver *r, uint32_t o) {
  struct mcc_resolve_owner *ow = &r->owner_list[o];
  size_t start = 0;
  for (size_t i = 0; i <= ow->len; i++) {
    if (i < ow->len && ow->names[i] != ',') continue;
    uint32_t pos = 0;
    uint32_t e = find_name(r, ow->names + start, i - start, &pos);
    if (e != NONE && r->name_entries[e].owner == o) {
      table_remove_at(&r->names, pos);
      r->name_entries[e].owner = r->name_entries_free;
      r->name_entries_free = e;
    }
    start = i + 1;
  }
  r->names_bytes -= ow->len;
  free(ow->names);
  ow->names = NULL;
  ow->len = 0;
}

int mcc_resolver_set_names(mcc_resolver *r, const mcc_id *id, const char *names,
                           size_t nameslen) {
  if (!r || !id || (!names && nameslen)) return MCC_ERR_INVALID_ARGUMENT;
  if (nameslen > MCC_RESOLVE_NAMES_MAX) return MCC_ERR_LIMIT;
  char list[MCC_RESOLVE_NAMES_MAX];
  uint16_t offs[MAX_ITEMS];
  uint8_t lens[MAX_ITEMS];
  size_t listlen = 0;
  int n = parse_names(names, nameslen, list, &listlen, offs, lens);
  if (n < 0) return n;

  uint32_t hash = hash_bytes(r, id->key, MCC_KEY_LEN), pos = 0;
  uint32_t o =
      table_find(r, &r->owners, hash, match_owner, id->key, MCC_KEY_LEN, &pos);
  char *copy = NULL;
  if (n > 0) {
    int rv;
    if ((rv = table_reserve(&r->names, (uint32_t)n)) != 0 ||
        (rv = name_entries_reserve(r, (uint32_t)n)) != 0 ||
        (o == NONE && ((rv = owners_reserve(r)) != 0 ||
                       (rv = table_reserve(&r->owners, 1)) != 0)))
      return rv;
    if (!(copy = malloc(listlen))) return MCC_ERR_NOMEM;
    memcpy(copy, list, listlen);
  }

  if (o != NONE) {
    drop_names(r, o);
    if (n == 0) {
      table_remove_at(&r->owners, pos);
      r->owner_list[o].next_free = r->owners_free;
      r->owners_free = o;
      return 0;
    }
  } else {
    if (n == 0) return 0;
    o = r->owners_free;
    r->owners_free = r->owner_list[o].next_free;
    r->owner_list[o].id = *id;
    table_insert(&r->owners, hash, o);
  }
  r->owner_list[o].names = copy;
  r->owner_list[o].len = (uint16_t)listlen;
  r->names_bytes += listlen;
  for (int i = 0; i < n; i++) {
    uint32_t e = find_name(r, copy + offs[i], lens[i], NULL);
    if (e == NONE) {
      e = r->name_entries_free;
      r->name_entries_free = r->name_entries[e].owner;
      table_insert(&r->names, hash_bytes(r, copy + offs[i], lens[i]), e);
    }
    r->name_entries[e].owner = o; /* the last set wins */
    r->name_entries[e].off = offs[i];
    r->name_entries[e].len = lens[i];
  }
  return 0;
}

int mcc_resolver_lookup_name(const mcc_resolver *r, const char *name,
                             size_t namelen, mcc_id *pid) {
  if (!r || !name || !pid) return MCC_ERR_INVALID_ARGUMENT;
  char buf[MCC_RESOLVE_NAME_MAX + 1];
  int len = normalise_name(name, namelen, buf);
  if (len < 0) return MCC_ERR_VALUE;
  size_t n = (size_t)len, dlen = strlen(r->settings.domain), base = n;
  if (dlen && n > dlen && memcmp(buf + n - dlen, r->settings.domain, dlen) == 0)
    base = n - dlen; /* "<id><domain>" or "<dns-name><domain>" */
  /* ids first, then the name as given, then without the domain */
  if ((n == MCC_ID_TEXT_LEN && mcc_id_from_text(pid, buf, n) == 0) ||
      (base == MCC_ID_TEXT_LEN && mcc_id_from_text(pid, buf, base) == 0))
    return 0;
  uint32_t e = find_name(r, buf, n, NULL);
  if (e == NONE && base < n) e = find_name(r, buf, base, NULL);
  if (e == NONE) return MCC_ERR_NO_ROUTE;
  *pid = r->owner_list[r->name_entries[e].owner].id;
  return 0;
}

int mcc_resolver_id_name(const mcc_resolver *r, const mcc_id *id, char *out,
                         size_t outlen) {
  if (!r || !id || !out) return MCC_ERR_INVALID_ARGUMENT;
  size_t dlen = strlen(r->settings.domain);
  if (outlen < MCC_ID_TEXT_LEN + dlen + 1) return MCC_ERR_INVALID_ARGUMENT;
  mcc_id_to_text(id, out);
  memcpy(out + MCC_ID_TEXT_LEN, r->settings.domain, dlen + 1);
  return 0;
}

/* ---- PTR names ----------------------------------------------------------- */

int mcc_resolve_ptr_name(int family, const uint8_t *addr, char *out,
                         size_t outlen) {
  static const char hex[] = "0123456789abcdef";
  if (!addr || !out) return MCC_ERR_INVALID_ARGUMENT;
  if (family == 4) {
    int n = snprintf(out, outlen, "%u.%u.%u.%u%s", (unsigned)addr[3],
                     (unsigned)addr[2], (unsigned)addr[1], (unsigned)addr[0],
                     ptr4_suffix);
    return n > 0 && (size_t)n < outlen ? 0 : MCC_ERR_INVALID_ARGUMENT;
  }
  if (family != 6 || outlen < 64 + strlen(ptr6_suffix)) /* 63 + NUL */
    return MCC_ERR_INVALID_ARGUMENT;
  char *p = out;
  for (int i = 15; i >= 0; i--) {
    *p++ = hex[addr[i] & 15];
    *p++ = '.';
    *p++ = hex[addr[i] >> 4];
    if (i > 0) *p++ = '.';
  }
  memcpy(p, ptr6_suffix, strlen(ptr6_suffix) + 1);
  return 0;
}

/* Whether s ends with suffix, in any case. */
static int ends_with(const char *s, size_t len, const char *suffix) {
  size_t n = strlen(suffix);
  if (len < n) return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(s[len - n + i]) != suffix[i]) return 0;
  return 1;
}

int mcc_resolve_ptr_parse(const char *name, size_t namelen, int *pfamily,
                          uint8_t addr[16]) {
  if (!name || !pfamily || !addr) return MCC_ERR_VALUE;
  if (namelen > 0 && name[namelen - 1] == '.') namelen--;
  if (ends_with(name, namelen, ptr4_suffix)) {
    /* the labels are a dotted quad, backwards */
    uint8_t a[4];
    if (pton(AF_INET, name, namelen - strlen(ptr4_suffix), a) != 0)
      return MCC_ERR_VALUE;
    for (int i = 0; i < 4; i++) addr[i] = a[3 - i];
    *pfamily = 4;
    return 0;
  }
  if (ends_with(name, namelen, ptr6_suffix) &&
      namelen - strlen(ptr6_suffix) == 63) {
    uint8_t a[16];
    for (size_t i = 0; i < 32; i++) {
      int v = hexval(name[2 * i]);
      if (v < 0 || (i < 31 && name[2 * i + 1] != '.')) return MCC_ERR_VALUE;
      uint8_t *byte = &a[15 - i / 2];
      *byte = i % 2 ? (uint8_t)(*byte | v << 4) : (uint8_t)v;
    }
    memcpy(addr, a, 16);
    *pfamily = 6;
    return 0;
  }
  return MCC_ERR_VALUE;
}

/* ---- mcc resolve --------------------------------------------------------- */

int mcc_resolve_format_from_text(const char *text,
                                 enum mcc_resolve_format *pformat) {
  static const char *const names[] = {"ipv4", "ipv6", "mac6", "node-id"};
  if (!text || !pformat) return MCC_ERR_INVALID_ARGUMENT;
  for (int i = 0; i < 4; i++) {
    if (strcmp(text, names[i]) == 0) {
      *pformat = (enum mcc_resolve_format)(MCC_RESOLVE_IPV4 + i);
      return 0;
    }
  }
  return MCC_ERR_VALUE;
}

/* The id that input (address, node id or name) stands for. */
static int input_to_id(mcc_resolver *r, const char *input, mcc_id *id,
                       uint64_t now) {
  size_t len = strlen(input);
  uint8_t a[16];
  if (mcc_resolve_parse_mac(input, len, a) == 0)
    return mcc_resolver_lookup_mac(r, a, id, now);
  if (mcc_resolve_parse_ipv4(input, len, a) == 0)
    return mcc_resolver_lookup_ipv4(r, a, id, now);
  if (memchr(input, ':', len)) {
    if (mcc_resolve_parse_ipv6(input, len, a) != 0) return MCC_ERR_VALUE;
    return mcc_resolver_lookup_ipv6(r, a, id, now);
  }
  if (strspn_n(input, len, "0123456789.") == len) return MCC_ERR_VALUE;
  int rv = mcc_resolver_lookup_name(r, input, len, id);
  if (rv != 0 && len == MCC_ID_TEXT_LEN) {
    /* neither a known name nor an id: say what is wrong with the id */
    char buf[MCC_ID_TEXT_LEN];
    for (size_t i = 0; i < len; i++) buf[i] = lower(input[i]);
    int idrv = mcc_id_from_text(id, buf, len);
    if (idrv != 0) return idrv;
  }
  return rv;
}

int mcc_resolve_text(mcc_resolver *r, const char *input,
                     enum mcc_resolve_format format, char *out, size_t outlen,
                     uint64_t now) {
  /* the longest text of each format, with its NUL */
  static const size_t need[] = {[MCC_RESOLVE_IPV4] = INET_ADDRSTRLEN,
                                [MCC_RESOLVE_IPV6] = INET6_ADDRSTRLEN,
                                [MCC_RESOLVE_MAC6] =
                                    MCC_RESOLVE_MAC_TEXT_LEN + 1,
                                [MCC_RESOLVE_NODE_ID] = MCC_ID_TEXT_LEN + 1};
  if ((int)format < MCC_RESOLVE_IPV4 || (int)format > MCC_RESOLVE_NODE_ID ||
      !r || !input || !out || outlen < need[format])
    return MCC_ERR_INVALID_ARGUMENT;
  mcc_id id;
  int rv = input_to_id(r, input, &id, now);
  if (rv != 0) return rv;
  if (format == MCC_RESOLVE_NODE_ID) {
    mcc_id_to_text(&id, out);
    return 0;
  }
  mcc_resolve_addrs a;
  if ((rv = mcc_resolver_query_id(r, &id, &a, now)) != 0) return rv;
  if (format == MCC_RESOLVE_MAC6)
    mcc_resolve_format_mac(a.mac, out);
  else if (format == MCC_RESOLVE_IPV4)
    inet_ntop(AF_INET, a.ipv4, out, INET_ADDRSTRLEN);
  else
    inet_ntop(AF_INET6, a.ipv6, out, (socklen_t)outlen);
  return 0;
}
