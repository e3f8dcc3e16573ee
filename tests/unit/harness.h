/*
 * harness.h — an in-memory network for tests: core nodes wired together
 * through a datagram queue with a fake clock (1 ms per hop). Not the
 * simulator (sim/ is its own issue); just enough to drive topologies,
 * kill and revive nodes, and count what crosses the wire.
 */
#ifndef MCC_TEST_HARNESS_H
#define MCC_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#define HARNESS_MS 1000000ull
#define HARNESS_S 1000000000ull
#define HARNESS_UNIX_START 1790000000 /* 2026-09-21, fixed for determinism */

typedef struct harness harness;

/* What a test may do to every datagram: return 0 to drop it. */
typedef int (*harness_filter_fn)(void *user, size_t from, size_t to,
                                 uint8_t *data, size_t *datalen);

/* n nodes with deterministic keys from seed; all in network 0. */
harness *harness_new(size_t n, uint64_t seed, const mcc_settings *base);
void harness_free(harness *h);
/* Before start (or a revive): node i's dns-names and static-addr (0:
 * none). */
void harness_set_names(harness *h, size_t i, const char *names,
                       uint32_t static_addr);

/* The network lookups' answers to node i (mcc_callbacks.lookup_done): how
 * many came, and the last one. */
typedef struct harness_answer {
  uint32_t token;
  int status;
  mcc_id id;
  uint64_t at_ns;
} harness_answer;
uint64_t harness_answers(const harness *h, size_t i, harness_answer *last);

/* Before start: parents of node i, in order of preference. */
void harness_set_parents(harness *h, size_t i, const size_t *parents,
                         size_t nparents);
/* A chain 0 <- 1 <- ... <- n-1, started and run for 5 s (joined). */
harness *harness_new_chain(size_t n, uint64_t seed, const mcc_settings *base);
/* Before start: node i's certificate comes from network `net` (0..3). */
void harness_set_network(harness *h, size_t i, size_t net);
/* Before start: node i trusts network `net` in addition to its own. */
void harness_trust_network(harness *h, size_t i, size_t net);
void harness_set_filter(harness *h, harness_filter_fn fn, void *user);
/* Cuts (cut = 1) or restores (cut = 0) the underlay between nodes a and b:
 * datagrams either way, in flight ones included, are lost on delivery (not
 * counted on the wire) until it is restored. Both nodes stay alive and
 * notice only through their timers, as with a pulled cable. */
void harness_cut(harness *h, size_t a, size_t b, int cut);
int harness_is_cut(const harness *h, size_t a, size_t b);
/* Before start: told of every signature a node makes (signed_message). */
typedef void (*harness_signed_fn)(void *user, size_t node, const uint8_t pk[32],
                                  const uint8_t *msg, size_t msglen,
                                  const uint8_t sig[64]);
void harness_on_signed(harness *h, harness_signed_fn fn, void *user);
/* Creates every node at the current time. */
void harness_start(harness *h);
void harness_run_until(harness *h, uint64_t t_ns);
void harness_run_for(harness *h, uint64_t dt_ns);
uint64_t harness_now(const harness *h);

/* A dead node drops everything and keeps no state; reviving starts it
 * fresh, as a restarted daemon would. */
void harness_kill(harness *h, size_t i);
void harness_revive(harness *h, size_t i);
int harness_alive(const harness *h, size_t i);

mcc_node *harness_node(harness *h, size_t i);
size_t harness_size(const harness *h);
const mcc_id *harness_id(const harness *h, size_t i);
mcc_addr harness_addr(size_t i);
/* Index of the node with that id or address, or SIZE_MAX. */
size_t harness_find(const harness *h, const mcc_id *id);
size_t harness_find_addr(const mcc_addr *addr);
/* Sends raw bytes to node i from any address (an attacker), now. */
int harness_inject_addr(harness *h, const mcc_addr *from, size_t i,
                        const uint8_t *data, size_t datalen);
/* Sends raw bytes to node i as if from node `from`, now. */
int harness_inject(harness *h, size_t from, size_t i, const uint8_t *data,
                   size_t datalen);
/* Makes a valid node certificate of network `net` for the given key. */
void harness_node_cert(const harness *h, size_t net, const mcc_id *subject,
                       uint32_t not_before, uint32_t not_after,
                       mcc_cert *cert);
/* The same for a tunnel endpoint (kind 3). */
void harness_tunnel_cert(const harness *h, size_t net, const mcc_id *subject,
                         uint32_t not_before, uint32_t not_after,
                         mcc_cert *cert);
const mcc_keypair *harness_keys(const harness *h, size_t i);

/* Walks the routing decisions hop by hop from src to dst, at most ttl
 * hops. Returns hops taken, -1 on a loop or TTL exceeded, -2 when a node
 * has no route, -3 when a hop is not a live node. */
int harness_follow_route(harness *h, size_t src, size_t dst, unsigned ttl);
/* Node y would relay a routed datagram that came from node x: x is y's
 * active parent or has a child link at y (forward.c's test, on y's
 * internal state; a child link may exist before its record arrives). */
int harness_relays_from(harness *h, size_t y, size_t x);
/* Shortest hop count in the active topology (alive nodes, edges child ->
 * active parent), -1 when unreachable. Computed independently of the core. */
int harness_shortest(harness *h, size_t src, size_t dst);

/* The data plane: node i hands an IP packet to its core, as its TUN device
 * would; packets a node delivers to its local stack are kept (the last one
 * and a count). */
int harness_send_packet(harness *h, size_t i, const uint8_t *ip, size_t len);
uint64_t harness_delivered(const harness *h, size_t i);
const uint8_t *harness_last_delivered(const harness *h, size_t i,
                                      size_t *plen);
/* Node `at`'s local IPv4 / IPv6 address for node `of` (its own if equal). */
void harness_local_addr(harness *h, size_t at, size_t of, uint8_t addr4[4],
                        uint8_t addr6[16]);

/* Wire bytes (DESIGN.md: UDP payload + 8 + 20 over IPv4) by datagram type
 * (index = type, 0 = all), both directions, since the last reset. */
void harness_reset_counters(harness *h);
uint64_t harness_wire_bytes(const harness *h, int type);
uint64_t harness_datagrams(const harness *h, int type);
/* Per-node wire bytes sent + received since the last reset. */
uint64_t harness_node_wire_bytes(const harness *h, size_t i);

#endif
