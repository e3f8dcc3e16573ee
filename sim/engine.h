/*
 * engine.h — the simulator's native backend: a deterministic discrete-event
 * loop over virtual time (ns) running one real core node per topology node,
 * connected by virtual links (delay, rate, loss, MTU, up/down). Nothing in
 * it reads the wall clock; ties break by the node that scheduled an event
 * and that node's own count, never by which thread ran it, so the same
 * topology, settings and seed give the same run, byte for byte, on one
 * worker thread or several (the nodes split into partitions by subtree,
 * run in parallel windows; every call below is made between windows).
 *
 * The scenario runner drives it only through this interface, so another
 * backend can run the same scenario files: cfg.backend (engine_backend.h)
 * replaces the clock, the node timers and the links' transport — ns-3's
 * point-to-point links in engine_ns3.c — and leaves the rest (nodes,
 * counters, captures, tunnels, flows) as it is here.
 */
#ifndef MCC_SIM_ENGINE_H
#define MCC_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>
#include <mcc/tunnel.h>

#include "topology.h"

typedef struct sim_engine sim_engine;
struct sim_backend_ops;

typedef struct sim_engine_config {
  uint64_t seed;
  mcc_settings base;             /* timers, ttl, compression for every node */
  sim_link_params link_defaults; /* for what the topology leaves unset */
  int64_t unix_start_s;          /* wall clock the nodes believe at t = 0 */
  const char *pcap_dir;          /* captures when not NULL, see below */
  int helper_threads; /* threads beyond the caller's: N - 1 for N worker
                         threads, each running a partition of the nodes;
                         when the topology allows only one partition (a
                         link of no delay between two), one more thread
                         prechecks signatures instead. Key generation is
                         shared too. The output is the same bytes for
                         any number. */
  const struct sim_backend_ops *backend; /* NULL: the native engine */
  /* MPI ranks (comm.h), NULL in one process: the partitions are split
   * over the ranks, one each, and helper_threads must be 0. Every call
   * below is then collective: every rank makes it, in the same order,
   * as every rank runs the same scenario. */
  struct sim_comm *comm;
} sim_engine_config;

/* With pcap_dir: network.pcap (every datagram on every link, once, as it
 * leaves its sender), inner.pcap (every packet delivered to a node's
 * stack), and node-<name>.pcap / node-<name>-inner.pcap per node for
 * networks up to this many nodes. */
#define SIM_PCAP_PER_NODE_MAX 256

typedef struct sim_counters {
  uint64_t wire_sent, wire_received; /* wire bytes, DESIGN.md */
  uint64_t datagrams_sent, datagrams_received;
} sim_counters;

int sim_engine_new(sim_engine **pe, const sim_topology *topo,
                   const sim_engine_config *cfg, char *err, size_t errlen);
void sim_engine_free(sim_engine *e);
/* Flushes and closes the captures; MCC_ERR_LIMIT if any write failed. */
int sim_engine_close_captures(sim_engine *e);

/* Runs every event up to and including time t. */
void sim_engine_run_until(sim_engine *e, uint64_t t);
uint64_t sim_engine_now(const sim_engine *e);
uint64_t sim_engine_events(const sim_engine *e);

/* How the run was split (mcc-bench-sim's window statistics): partitions,
 * the lookahead (UINT64_MAX with one partition), windows run, events, the
 * wall time threads spent waiting at window ends and running their
 * partitions' events, each summed over threads. */
typedef struct sim_engine_stat {
  unsigned partitions;
  uint64_t lookahead_ns, windows, events;
  double barrier_wait_s, busy_s;
} sim_engine_stat;
void sim_engine_stats(const sim_engine *e, sim_engine_stat *s);

/* A dead node keeps no state and drops what reaches it; a revived one
 * starts fresh with the same keys, as a restarted daemon. */
void sim_engine_kill(sim_engine *e, uint32_t node);
void sim_engine_revive(sim_engine *e, uint32_t node);
int sim_engine_alive(const sim_engine *e, uint32_t node);
/* The link between a and b (either order) up or down; MCC_ERR_NO_LINK when
 * the topology has none. */
int sim_engine_set_link(sim_engine *e, uint32_t a, uint32_t b, int up);
/* 1 when the link between a and b is up, 0 when cut, -1 when there is
 * none; its MTU (0 when there is none). */
int sim_engine_link_up(const sim_engine *e, uint32_t a, uint32_t b);
uint32_t sim_engine_link_mtu(const sim_engine *e, uint32_t a, uint32_t b);
/* Moves a node's radio (a wifi link model, ns-3 only) to (x, y) metres.
 * MCC_ERR_INVALID_ARGUMENT when the backend has no radio for it. */
int sim_engine_move(sim_engine *e, uint32_t node, double x, double y);
/* Datagrams dropped at a link because they were larger than its MTU (the
 * underlay does not fragment). */
uint64_t sim_engine_dropped_mtu(const sim_engine *e);

/* A user packet from src's local stack to dst (UDP, TCP-shaped or ICMP
 * echo; proto 17, 6 or 1) with `size` payload bytes, tagged with a flow
 * number and sequence so deliveries can be counted: from port 10000 + flow
 * to port 20000 (UDP, TCP), or with the flow as echo identifier (ICMP). */
int sim_engine_send(sim_engine *e, uint32_t src, uint32_t dst, int proto,
                    size_t size, uint32_t flow, uint32_t seq);
/* The same to the address src's resolver gives `to` (a node's id, or a
 * tunnel endpoint's key), from port sport to port dport (UDP, TCP; unused
 * for ICMP). Both return MCC_ERR_INVALID_ARGUMENT for a dead src or a
 * size over 1200, else 0: what src's core then does with the packet
 * (send it, hold it for a handshake, drop it: no route) shows in its
 * counters and the deliveries, so under MPI the ranks need not hear of
 * it, one exchange per packet. */
int sim_engine_send_to(sim_engine *e, uint32_t src, const mcc_id *to,
                       int proto, size_t size, uint32_t flow, uint32_t seq,
                       uint16_t sport, uint16_t dport);
/* A packet delivered to a node's local stack that may carry a flow tag:
 * the flow as sim_engine_send writes it (the source port - 10000, or the
 * echo identifier), the ports, and the sequence: seq_bits says how many of
 * its low bits the packet could carry (32; 16 for an ICMP echo with under
 * 4 payload bytes; 0 for UDP with under 4). */
typedef struct sim_delivery {
  uint32_t node;
  int proto;
  uint32_t flow;
  uint16_t sport, dport; /* UDP, TCP; 0 for ICMP */
  uint32_t seq;
  int seq_bits;
  uint64_t now;
} sim_delivery;
typedef void (*sim_delivery_fn)(void *user, const sim_delivery *d);
void sim_engine_on_delivery(sim_engine *e, sim_delivery_fn fn, void *user);
/* Called when a datagram that a flow packet caused (the packet itself, a
 * relay of it, or the handshake it started) is dropped at a link. */
enum { SIM_DROP_MTU = 1 };
typedef void (*sim_drop_fn)(void *user, uint32_t flow, uint32_t seq,
                            int reason);
void sim_engine_on_drop(sim_engine *e, sim_drop_fn fn, void *user);

/* A node's network lookup ended (mcc_callbacks.lookup_done). */
typedef void (*sim_lookup_fn)(void *user, uint32_t node, uint32_t token,
                              int status, const mcc_id *id);
void sim_engine_on_lookup(sim_engine *e, sim_lookup_fn fn, void *user);
/* After calling into a node's core from outside the engine (such as
 * mcc_node_lookup): take its next deadline into account. */
void sim_engine_poke(sim_engine *e, uint32_t node);

/* Tunnels (PROTOCOL.md, "Tunnels"): a client end on node `client`, a
 * server end on node `server` offering the targets, each with its own
 * endpoint key pair derived from the seed and the tunnel's name, and a
 * tunnel-endpoint certificate issued by the server node's network key
 * (valid as the nodes' are). Made in place at both ends, or at neither
 * (in_place 0); a killed node that is revived gets back the ends it held.
 * *pindex numbers the tunnel for the calls below. MCC_ERR_NOMEM, or the
 * core's MCC_ERR_INVALID_ARGUMENT (no targets, client == server). */
int sim_engine_tunnel_new(sim_engine *e, const char *name, uint32_t client,
                          uint32_t server, const mcc_tunnel_target *targets,
                          size_t ntargets, int in_place, uint32_t *pindex);
/* Puts the tunnel's ends (bit 0 client, 1 server) in place, or removes
 * them (their sessions and keys go at once); the other ends are left. */
void sim_engine_tunnel_set(sim_engine *e, uint32_t tunnel, unsigned ends,
                           int in_place);
/* The endpoint key of the tunnel's server end (server 1) or client end. */
const mcc_id *sim_engine_tunnel_endpoint(const sim_engine *e, uint32_t tunnel,
                                         int server);

/* The node's core: NULL when it is dead, or run by another MPI rank.
 * What the scenario runner needs to know of any node is below. */
mcc_node *sim_engine_node(sim_engine *e, uint32_t node);
/* The node's active parent as the node believes it (alive or not), or
 * UINT32_MAX when it is dead or has none. */
uint32_t sim_engine_parent(sim_engine *e, uint32_t node);
/* For each k, the records nodes[k] holds with a sequence number
 * (mcc_node_known_get), into known[k]: one exchange for all of them
 * under MPI, where each rank counts its own nodes'. */
void sim_engine_records_known(sim_engine *e, const uint32_t *nodes, size_t n,
                              uint64_t *known);
/* mcc_node_memory summed over the live nodes. */
uint64_t sim_engine_nodes_memory(sim_engine *e);
/* Next hops: for each k, at[k]'s core's route to dst[k] (mcc_node_route)
 * into next[k], all zero when it has none (no node's id is). One call for
 * many, so that MPI ranks answer them in one exchange. */
void sim_engine_routes(sim_engine *e, const uint32_t *at, const uint32_t *dst,
                       size_t n, mcc_id *next);
/* mcc_node_lookup on node `from` (alive), by its return value. */
int sim_engine_lookup(sim_engine *e, uint32_t from, int kind, const void *key,
                      size_t len, int *status, mcc_id *got, uint32_t *token);
/* This process's MPI rank (0 in one process). */
unsigned sim_engine_rank(const sim_engine *e);
/* The node's id (its public key), alive or not. */
const mcc_id *sim_engine_node_id(const sim_engine *e, uint32_t node);
size_t sim_engine_size(const sim_engine *e);
/* Bytes of the record bodies the virtual nodes hold (mcc_record_store,
 * one store per partition): protocol state no single node's
 * mcc_node_memory counts, each distinct body once (store_memory.h), so
 * the same for any number of threads. */
size_t sim_engine_store_memory(sim_engine *e);
const sim_counters *sim_engine_counters(sim_engine *e, uint32_t node);
/* Wire bytes of all datagrams of one type (index = wire type, 0 = all). */
uint64_t sim_engine_type_bytes(const sim_engine *e, int type);
uint64_t sim_engine_type_datagrams(const sim_engine *e, int type);
void sim_engine_reset_counters(sim_engine *e);
/* The node an underlay address belongs to, or UINT32_MAX. */
uint32_t sim_engine_node_of(const sim_engine *e, const mcc_addr *addr);
mcc_addr sim_engine_addr(uint32_t node);

/* The local (resolver) addresses that `viewer` gives node id `of`. */
int sim_local_addr(mcc_node *viewer, const mcc_id *of, uint8_t addr4[4],
                   uint8_t addr6[16]);

#endif
