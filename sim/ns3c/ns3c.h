/*
 * ns3c.h — libns3c, a plain C API over ns-3 3.37 (Debian's libns3-dev), so
 * that mcc-sim can run its scenarios over ns-3's link models while staying
 * C. ns3c.cc is the only C++ file in the project and the only one that
 * includes ns-3 headers; this header includes nothing of ns-3 or of MCC.
 *
 * What it offers: the simulator clock and C callbacks at absolute times
 * (ns), nodes, point-to-point links (rate, delay, queue, loss, MTU,
 * up/down), shared media (a CSMA segment, an 802.11 ad-hoc channel with
 * node positions), one UDP socket per node on port 9376 with a receive
 * callback, and per-link pcap through ns-3's own PcapHelper. Every node
 * gets IPv4 only, no queue discs, and one /30 per link (10.0.0.0/8, link
 * k owns 10.0.0.0 + 4k; its first node .1, its second .2): a datagram goes
 * only to a neighbour on a link or medium, so each node's routing is a
 * hash table from a neighbour's address to the interface (O(1) where
 * ns-3's static routing scans a route per interface), and a p2p device
 * hands its packets straight to IPv4 (ns-3's Node scans two handlers per
 * device for every packet): a hub of 10^4 links costs what a leaf does.
 *
 * ns-3's Simulator is a process-wide singleton: one ns3c at a time
 * (ns3c_new fails with NS3C_ERR_BUSY while another lives).
 *
 * Design note — the next step of issue 14 (sim/engine.h as a backend
 * interface). The runner (sim/run.c) needs from a backend only: the clock
 * (now, run_until, events), node timers, datagram delivery between link
 * neighbours, link up/down, kill/revive, flows into a node's stack and
 * deliveries out of it, and the counters (wire bytes, datagrams, per
 * type). Everything above the wire is the same code in both backends, so
 * the plan is to split engine.c in two:
 *   - engine.c keeps what is backend-neutral: the vnodes (core node, keys,
 *     certs, counters, pcap of the overlay, tunnels, flow tags) and the
 *     core's callbacks. Its cb_send stops pushing a datagram event and
 *     calls backend->send(from, to, data, len) after counting the bytes
 *     (UDP payload + 8 + 20, so both backends count alike); arrivals come
 *     back through one engine_on_datagram(node, from, data, len).
 *   - a struct of backend operations: now, run_until, events, set_timer
 *     (node, at) / clear_timer, send, set_link, link_up, free. The native
 *     one is today's two heaps and links; the ns-3 one maps a node's
 *     timer to one ns3c_schedule (cancelled and rescheduled when the
 *     core's expiry changes: ns3c_cancel is O(log n)), a topology edge to
 *     ns3c_p2p_link, send to ns3c_sendto to the neighbour's address on
 *     that link, and ns3c_recv_fn's from_node back to the node index.
 * Differences to keep in mind when comparing the two: ns-3 serialises the
 * 2-byte PPP header too (the native engine: IP packet only), a rate must
 * be given (the native 0 = unlimited has no ns-3 equivalent; use a very
 * high rate), and the native engine drops a datagram sent on a cut link
 * but still delivers those already in flight — ns3c_link_set_up does the
 * same, on purpose, so that failover figures agree.
 */
#ifndef MCC_NS3C_H
#define MCC_NS3C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS3C_PORT 9376

enum {
  NS3C_ERR_INVALID = -1, /* a bad argument: unknown node or link, time past */
  NS3C_ERR_BUSY = -2,    /* another ns3c is alive (ns-3 is a singleton) */
  NS3C_ERR_DOWN = -3,    /* the link is cut: the datagram was dropped */
  NS3C_ERR_NO_ROUTE = -4, /* the destination is no neighbour's address */
  NS3C_ERR_IO = -5       /* ns-3 refused (socket, pcap file) */
};

/* An address as MCC's mcc_addr holds it (same layout, so a backend may
 * memcpy): family 4, IPv4 in ip[0..3], port in host order. */
typedef struct ns3c_addr {
  uint8_t family;
  uint8_t pad;
  uint16_t port;
  uint8_t ip[16];
} ns3c_addr;

typedef struct ns3c ns3c;

/* fn is called when ns-3 cannot allocate memory (C++'s new handler, for
 * every operator new in the process) and must not return: the host's way
 * to end the run with its own message. NULL: the default, std::bad_alloc,
 * which nothing catches, so the process aborts. */
void ns3c_on_out_of_memory(void (*fn)(void));

/* ns-3's random streams (loss) come from RngSeedManager: the same seed
 * gives the same run. *pns on success; NS3C_ERR_BUSY. */
int ns3c_new(ns3c **pns, uint64_t seed);
/* Destroys the simulation (Simulator::Destroy): nodes, links, pending
 * events; a new ns3c may follow. */
void ns3c_free(ns3c *ns);

uint64_t ns3c_now(const ns3c *ns); /* ns */
/* Events ns-3 has run: its own (a datagram over a link is 3 or more:
 * end of transmission, arrival, ...) and our timers, not cancelled ones.
 * Not comparable to the native engine's count (timers and arrivals only):
 * the backend should count those itself for metrics. */
uint64_t ns3c_events(const ns3c *ns);
/* Runs every event up to and including time t (ns), then the clock
 * stays at t. Events an event schedules at t itself run too. */
void ns3c_run_until(ns3c *ns, uint64_t t);

typedef void (*ns3c_timer_fn)(void *user);
/* Calls fn(user) at absolute time `at` (>= now). Returns an id > 0 for
 * ns3c_cancel, or 0 when `at` is in the past. */
uint64_t ns3c_schedule(ns3c *ns, uint64_t at, ns3c_timer_fn fn, void *user);
/* Unknown, fired or already cancelled ids are ignored. */
void ns3c_cancel(ns3c *ns, uint64_t id);

/* Creates n nodes (IPv4 stack, the UDP socket on port 9376); returns the
 * index of the first one (nodes are numbered from 0 in creation order). */
uint32_t ns3c_nodes_new(ns3c *ns, uint32_t n);
uint32_t ns3c_nodes(const ns3c *ns);

typedef struct ns3c_p2p_params {
  uint64_t rate_bps;   /* > 0 */
  uint64_t delay_ns;   /* one way */
  uint32_t queue_pkts; /* the device's DropTail queue; 0: ns-3's 100 */
  uint32_t mtu;        /* IP MTU; 0: 1500 */
  double loss;         /* probability a packet is lost on receipt, 0..1 */
} ns3c_p2p_params;
void ns3c_p2p_params_default(ns3c_p2p_params *p);

/* A point-to-point link between nodes a and b (a != b); *plink its index
 * (links are numbered from 0). NS3C_ERR_INVALID. */
int ns3c_p2p_new(ns3c *ns, uint32_t a, uint32_t b, const ns3c_p2p_params *p,
                 uint32_t *plink);
/* Cuts (up 0) or restores a link. While cut, what is sent on it is
 * dropped at the sender; what is in flight still arrives. */
int ns3c_link_set_up(ns3c *ns, uint32_t link, int up);
int ns3c_link_up(const ns3c *ns, uint32_t link); /* 1, 0, or -1: no link */
/* The address (port 9376) of `node` on `link`. NS3C_ERR_INVALID. */
int ns3c_link_addr(const ns3c *ns, uint32_t link, uint32_t node,
                   ns3c_addr *out);
/* Writes both directions of the link as seen by its first node's device
 * to `path` (ns-3's PcapHelper, DLT_PPP). NS3C_ERR_IO. */
int ns3c_link_pcap(ns3c *ns, uint32_t link, const char *path);

/*
 * Shared media. A medium's members each get one device on it and one
 * address in a subnet of its own (from 172.16.0.0/12), with their
 * neighbour caches filled in advance (no ARP); a member reaches every
 * other member directly. Media are numbered from 0, apart from links.
 */
enum { NS3C_CSMA = 1, NS3C_WIFI = 2 };

/* A CSMA segment (ns-3's CsmaChannel: one shared, half-duplex bus). */
typedef struct ns3c_csma_params {
  uint64_t rate_bps;   /* > 0 */
  uint64_t delay_ns;   /* propagation along the bus */
  uint32_t queue_pkts; /* each device's DropTail queue; 0: ns-3's 100 */
  uint32_t mtu;        /* IP MTU; 0: 1500 */
  double loss;         /* probability a packet is lost on receipt, 0..1 */
} ns3c_csma_params;
void ns3c_csma_params_default(ns3c_csma_params *p);
/* n >= 2 distinct nodes on one segment. NS3C_ERR_INVALID. */
int ns3c_csma_new(ns3c *ns, const uint32_t *nodes, size_t n,
                  const ns3c_csma_params *p, uint32_t *pmedium);

/* An 802.11 ad-hoc channel (Yans): ns-3's default propagation (log
 * distance, exponent 3, 46.68 dB at 1 m) and NIST error model, so loss
 * grows with distance; the MAC retries unicast frames. */
typedef struct ns3c_wifi_params {
  uint64_t rate_bps;   /* the data and control mode: 802.11a 6, 9, 12, 18,
                          24, 36, 48, 54 Mbit/s or 802.11b 1, 2, 5.5, 11 */
  uint32_t queue_pkts; /* the MAC queue; 0: ns-3's 500 */
  double loss;         /* on top of the radio's: dropped after receipt */
} ns3c_wifi_params;
void ns3c_wifi_params_default(ns3c_wifi_params *p); /* 802.11a 6 Mbit/s */
int ns3c_wifi_rate_valid(uint64_t rate_bps);         /* 1 or 0 */
/* n >= 2 distinct nodes, node i at (xy[2i], xy[2i+1]) metres; a node may
 * be on one Wi-Fi channel only. NS3C_ERR_INVALID. */
int ns3c_wifi_new(ns3c *ns, const uint32_t *nodes, const double *xy, size_t n,
                  const ns3c_wifi_params *p, uint32_t *pmedium);
/* Moves a node on a Wi-Fi channel, at once. NS3C_ERR_INVALID. */
int ns3c_node_set_position(ns3c *ns, uint32_t node, double x, double y);
/* `node`'s address on the medium (port 9376). NS3C_ERR_INVALID. */
int ns3c_medium_addr(const ns3c *ns, uint32_t medium, uint32_t node,
                     ns3c_addr *out);
/* Writes what `node`'s device on the medium sends and receives to `path`
 * (PcapHelper: DLT_EN10MB for CSMA; DLT_IEEE802_11 for Wi-Fi, where a
 * radio receives every frame it can decode, whoever it is for).
 * NS3C_ERR_IO. */
int ns3c_medium_pcap(ns3c *ns, uint32_t medium, uint32_t node,
                     const char *path);

/* A datagram arrived at `node`'s socket from `from` (from_node: the
 * sender's index). data is valid during the call only. */
typedef void (*ns3c_recv_fn)(void *user, uint32_t node, const ns3c_addr *from,
                             uint32_t from_node, const uint8_t *data,
                             size_t len);
void ns3c_on_recv(ns3c *ns, ns3c_recv_fn fn, void *user);
/* Sends a UDP datagram from `node`'s socket (source port 9376) to `to`, a
 * neighbour's link address. NS3C_ERR_NO_ROUTE, NS3C_ERR_DOWN,
 * NS3C_ERR_INVALID, NS3C_ERR_IO. */
int ns3c_sendto(ns3c *ns, uint32_t node, const ns3c_addr *to,
                const uint8_t *data, size_t len);

const char *ns3c_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
