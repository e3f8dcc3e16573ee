/*
 * dns_limit.c — the DNS server's limit per client (see dns_limit.h). Each
 * client's bucket is one number, its theoretical arrival time (GCRA): a
 * query at now fits when that time is at most burst - 1 intervals ahead of
 * now, and moves it one interval on. A time at or before now is a full
 * bucket, which is why an idle client can be forgotten.
 */
#include <sodium.h>
#include <string.h>

#include "dns_limit.h"

#define NS_PER_S 1000000000ull
#define SETS (MCC_DNS_CLIENTS / MCC_DNS_CLIENT_WAYS)

static uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int mcc_dns_limiter_init(mcc_dns_limiter *l, uint32_t rate, uint32_t burst,
                         const uint8_t *key) {
  if (!l || rate > NS_PER_S || (rate > 0 && burst == 0))
    return MCC_ERR_INVALID_ARGUMENT;
  memset(l, 0, sizeof *l);
  l->rate = rate;
  l->burst = burst;
  if (key) memcpy(l->key, key, sizeof l->key);
  return 0;
}

/* The client's address as the table keeps it: IPv4 whole, IPv6 its /64;
 * returns the family, 4 or 6. */
static uint8_t client_key(const mcc_addr *from, uint8_t ip[16]) {
  uint8_t family = from->family == 4 ? 4 : 6;
  memset(ip, 0, 16);
  memcpy(ip, from->ip, family == 4 ? 4 : 8);
  return family;
}

static mcc_dns_client *find_or_take(mcc_dns_limiter *l, const mcc_addr *from,
                                    uint64_t now) {
  uint8_t material[17], h[crypto_shorthash_BYTES];
  uint8_t family = client_key(from, material + 1), *ip = material + 1;
  material[0] = family;
  crypto_shorthash(h, material, sizeof material, l->key);
  mcc_dns_client *set =
      &l->clients[(h[0] | h[1] << 8) % SETS * MCC_DNS_CLIENT_WAYS];
  mcc_dns_client *victim = NULL;
  for (int i = 0; i < MCC_DNS_CLIENT_WAYS; i++) {
    mcc_dns_client *c = &set[i];
    if (c->family == family && memcmp(c->ip, ip, 16) == 0) return c;
    /* a free entry first, then the one with the most room */
    if (!victim ||
        (victim->family && (!c->family || c->tat_ns < victim->tat_ns)))
      victim = c;
  }
  victim->family = family;
  memcpy(victim->ip, ip, 16);
  victim->tat_ns = now;
  victim->refuse_ns = 0;
  return victim;
}

enum mcc_dns_verdict mcc_dns_limiter_check(mcc_dns_limiter *l,
                                           const mcc_addr *from, uint64_t now) {
  if (!l || !from || l->rate == 0) return MCC_DNS_VERDICT_ANSWER;
  mcc_dns_client *c = find_or_take(l, from, now);
  uint64_t interval = NS_PER_S / l->rate;
  uint64_t tat = c->tat_ns > now ? c->tat_ns : now;
  if (tat - now <= (uint64_t)(l->burst - 1) * interval) {
    c->tat_ns = add_sat(tat, interval);
    return MCC_DNS_VERDICT_ANSWER;
  }
  if (now < c->refuse_ns) return MCC_DNS_VERDICT_DROP;
  c->refuse_ns = add_sat(now, MCC_DNS_REFUSE_GAP_NS);
  return MCC_DNS_VERDICT_REFUSE;
}
