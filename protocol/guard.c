/*
 * guard.c — what unauthenticated input may cost a node (cost before trust).
 *
 * A HELLO or a SESSION_INIT is the only input that makes a node spend a
 * public-key operation before it knows the sender. Before any such
 * operation the caller runs the cheap checks (length, type, timestamp
 * window, issuer known to the trust policy); then, here:
 *
 *   per source  under load, each source address that proved itself with
 *               a cookie may cost GUARD_SOURCE_PER_S operations a
 *               second, in bursts of GUARD_SOURCE_BURST (GCRA, one
 *               timestamp per address; GUARD_SOURCES addresses in debt
 *               are remembered, exactly, so one source never pays for
 *               another);
 *   budget      HELLOs together settings.handshakes_per_s, in bursts of
 *               one second's worth, and SESSION_INITs as many again (a
 *               budget each, so that a flood of one kind does not stop
 *               the other). Over budget the node is under load:
 *   cookies     a HELLO then gets a COOKIE_REPLY instead of a
 *               verification (WireGuard's cookie reply): a 16-byte MAC of
 *               its source address under a secret that changes every
 *               GUARD_COOKIE_ROTATE_NS. Only a sender that receives at its
 *               address can come back with it, and a HELLO that carries a
 *               valid cookie MAC is verified whatever the budget (its
 *               source still pays per source). Cookie replies themselves
 *               are capped at GUARD_COOKIES_PER_HANDSHAKE times the budget
 *               (a reply costs a send); past that a HELLO gets nothing and
 *               its sender tries again a sixth of its keep-alive period
 *               later. A SESSION_INIT over budget is dropped: its sender
 *               retries.
 *   replays     the ephemeral keys of the last GUARD_SEEN_INITS
 *               SESSION_INITs: a replayed one is dropped before its DH.
 *
 * Secrets come from the host's random callback when first needed, so the
 * simulator stays deterministic. The state goes again when it holds
 * nothing that matters (no pending handshake, every allowance whole: see
 * guard_quiet), checked every GUARD_RELEASE_NS: a parent pays for it only
 * while children join (12,800 at once leave a 4 MB pending table behind
 * otherwise). A replay of an INIT older than that costs its DHs before its
 * timestamp refuses it.
 */
#include <sodium.h>
#include <stdlib.h>

#include "node.h"

#define GUARD_SOURCE_PER_S 4
#define GUARD_SOURCE_BURST 8
/* Cookie replies a second, per handshake of the budget: a reply costs the
 * node a send, and a flood past this gets nothing at all. */
#define GUARD_COOKIES_PER_HANDSHAKE 10
#define GUARD_COOKIE_ROTATE_NS (120ull * NS_PER_S)

/* Generic cell rate: allows one event per interval with bursts of burst. */
static int gcra_allow(uint64_t *tat, uint64_t now, uint64_t interval,
                      uint64_t burst) {
  uint64_t t = *tat > now ? *tat : now;
  if (t + interval - now > interval * burst) return 0;
  *tat = t + interval;
  return 1;
}

handshake_state *guard_state(mcc_node *node, uint64_t now) {
  if (node->hs) return node->hs;
  handshake_state *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  index_init(&g->pending_index);
  g->pending_sweep_at_ns = now + GUARD_RELEASE_NS; /* hello_on_timers */
  node->cb.random(node->cb.user_data, g->cookie_secret[0], 32);
  node->cb.random(node->cb.user_data, g->cookie_secret[1], 32);
  g->cookie_born_ns = now;
  node->hs = g;
  return g;
}

int guard_quiet(const mcc_node *node, uint64_t now) {
  const handshake_state *g = node->hs;
  if (!g) return 1;
  if (g->npending || g->budget_tat_ns > now || g->init_tat_ns > now ||
      g->cookie_tat_ns > now)
    return 0;
  for (uint32_t k = 0; g->sources && k < GUARD_SOURCES; k++)
    if (g->sources->tat[k] > now) return 0;
  return 1;
}

int guard_budget_take(mcc_node *node, enum guard_budget which, uint64_t now) {
  if (node->handshakes_per_s == 0) return 1;
  handshake_state *g = guard_state(node, now);
  if (!g) return 0;
  uint64_t interval = NS_PER_S / node->handshakes_per_s;
  if (interval == 0) interval = 1;
  uint64_t *tat = which == GUARD_HELLOS ? &g->budget_tat_ns : &g->init_tat_ns;
  if (gcra_allow(tat, now, interval, node->handshakes_per_s))
    return 1;
  node->stats.handshakes_over_budget++;
  return 0;
}

/* A source in debt keeps its entry; a new one takes the entry least in
 * debt (one whose allowance is whole again is as good as none), so any
 * number of honest sources pass, and a source that sends faster than its
 * rate stays in the table and is held to it. */
int guard_source_allow(mcc_node *node, const mcc_addr *from, uint64_t now) {
  handshake_state *g = guard_state(node, now);
  if (!g) return 0;
  if (!g->sources && !(g->sources = calloc(1, sizeof *g->sources))) return 0;
  guard_sources *src = g->sources;
  uint32_t slot = 0;
  for (uint32_t k = 0; k < GUARD_SOURCES; k++) {
    if (memcmp(&src->addr[k], from, sizeof *from) == 0) {
      slot = k;
      goto found;
    }
    if (src->tat[k] < src->tat[slot]) slot = k;
  }
  src->addr[slot] = *from;
  src->tat[slot] = 0;
found:
  if (gcra_allow(&src->tat[slot], now, NS_PER_S / GUARD_SOURCE_PER_S,
                 GUARD_SOURCE_BURST))
    return 1;
  node->stats.handshakes_over_budget++;
  return 0;
}

static void rotate(handshake_state *g, mcc_node *node, uint64_t now) {
  if (now - g->cookie_born_ns < GUARD_COOKIE_ROTATE_NS) return;
  memcpy(g->cookie_secret[1], g->cookie_secret[0], 32);
  node->cb.random(node->cb.user_data, g->cookie_secret[0], 32);
  g->cookie_born_ns = now;
}

static void cookie_for(const uint8_t secret[32], const mcc_addr *from,
                       uint8_t cookie[WIRE_COOKIE_LEN]) {
  crypto_generichash(cookie, WIRE_COOKIE_LEN, (const uint8_t *)from,
                     sizeof *from, secret, 32);
}

int guard_cookie_reply(mcc_node *node, const mcc_addr *from,
                       const uint8_t *hello, uint64_t now) {
  handshake_state *g = guard_state(node, now);
  if (!g) return MCC_ERR_NOMEM;
  uint64_t per_s = (uint64_t)node->handshakes_per_s * GUARD_COOKIES_PER_HANDSHAKE;
  uint64_t interval = per_s ? NS_PER_S / per_s : 0;
  if (!gcra_allow(&g->cookie_tat_ns, now, interval ? interval : 1, per_s))
    return MCC_ERR_BUSY; /* past even that: silence */
  rotate(g, node, now);
  uint8_t cookie[WIRE_COOKIE_LEN], out[WIRE_COOKIE_REPLY_LEN];
  cookie_for(g->cookie_secret[0], from, cookie);
  /* echo: the start of the HELLO's signature */
  wire_cookie_reply_encode(out, hello + WIRE_HELLO_LEN - WIRE_SIG_LEN,
                           cookie);
  node_send(node, from, out, sizeof out);
  node->stats.cookie_replies_sent++;
  return 0;
}

int guard_cookie_ok(mcc_node *node, const mcc_addr *from, const uint8_t *data,
                    size_t datalen, uint64_t now) {
  if (datalen != WIRE_HELLO_COOKIE_LEN) return 0;
  handshake_state *g = guard_state(node, now);
  if (!g) return 0;
  rotate(g, node, now);
  for (int k = 0; k < 2; k++) {
    uint8_t cookie[WIRE_COOKIE_LEN];
    cookie_for(g->cookie_secret[k], from, cookie);
    if (wire_hello_cookie_mac_ok(data, datalen, cookie)) return 1;
  }
  return 0;
}

int guard_init_replayed(mcc_node *node, const uint8_t e[32], uint64_t now) {
  handshake_state *g = guard_state(node, now);
  if (!g) return 1;
  if (!g->seen && !(g->seen = calloc(1, sizeof *g->seen))) return 1;
  uint64_t key;
  memcpy(&key, e, sizeof key);
  for (uint32_t k = 0; k < GUARD_SEEN_INITS; k++)
    if (g->seen->e[k] == key) return 1;
  g->seen->e[g->seen->next] = key;
  g->seen->next = (g->seen->next + 1) % GUARD_SEEN_INITS;
  return 0;
}

void guard_free(mcc_node *node) {
  if (!node->hs) return;
  free(node->hs->sources);
  free(node->hs->seen);
  sodium_memzero(node->hs, sizeof *node->hs);
  free(node->hs);
  node->hs = NULL;
}

size_t guard_memory(const mcc_node *node) {
  const handshake_state *g = node->hs;
  if (!g) return 0;
  return sizeof *g + (g->sources ? sizeof *g->sources : 0) +
         (g->seen ? sizeof *g->seen : 0);
}
