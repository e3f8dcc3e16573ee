/*
 * engine_internal.h — the native engine's own types, shared by the files
 * that make it up: engine.c (events, nodes, links, windows) and
 * engine_ranks.c (what crosses between MPI ranks). Nothing else includes
 * it; the simulator sees engine.h.
 */
#ifndef MCC_SIM_ENGINE_INTERNAL_H
#define MCC_SIM_ENGINE_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "comm.h"
#include "engine.h"
#include "engine_backend.h"
#include "journal.h"
#include "pcap.h"
#include "precheck.h"
#include "timer_heap.h"
#include "workers.h"

#define NEVER UINT64_MAX
#define UNDERLAY_PORT 9376
#define WIRE_IPV4_OVERHEAD 28
#define MAX_TYPES 32
#define NETWORKS 8
/* A window's longest span, whatever the lookahead: bounds what a window's
 * journals hold (one partition has no lookahead limit at all). */
#define WINDOW_MAX_NS 1000000000ull

/* A datagram in flight (node timers are timer_heap.h's). Its key is (at,
 * from, seq): from is the sender and seq the sender's own counter. */
typedef struct event {
  uint64_t at, seq;
  uint32_t node; /* the receiver */
  uint32_t from;
  uint32_t len;
  uint32_t tag_flow, tag_seq; /* the user packet that caused it: flow + 1
                                 (0: none), and its sequence */
  uint8_t *data;
} event;

/* Datagrams in flight wait in a heap of their own, node timers in a
 * timer_heap; the next event is the earlier of the two tops, a timer
 * first at the same instant. */
typedef struct event_heap {
  event *items;
  size_t len, cap;
} event_heap;

typedef struct link {
  uint32_t a, b;
  uint32_t params; /* its properties: engine.link_params[params] */
  int up;
  uint64_t busy_until[2]; /* per direction: a->b, b->a */
  uint64_t rng[2];        /* loss, per direction: each end's partition
                             draws from its own */
} link;

/* One entry of the link table: key and slot side by side, so that a
 * lookup costs one cache miss before the link itself. */
typedef struct link_entry {
  uint64_t key; /* (lo << 32 | hi) + 1; 0: empty */
  uint32_t slot;
} link_entry;

/* What a node's core is made with: the node's secrets and its network's
 * word for it. */
typedef struct node_creds {
  mcc_keypair keys;
  mcc_cert cert;
} node_creds;

typedef struct vnode {
  mcc_node *node;
  mcc_id id; /* its public key; its secret key and certificate live in its
                core, and are derived again from the seed for a restart */
  uint64_t expiry, gen, rand_counter;
  uint64_t seq; /* keys of what it schedules and journals */
  sim_counters c;
  sim_pcap *pcap, *inner;
  struct link *last_link;
  struct sim_engine *e;
  uint32_t last_dst; /* the link last sent on, mostly to the parent */
  uint32_t index;
  uint32_t part;
  uint8_t alive;
  uint8_t cert_prechecked;
} vnode;

enum { J_NET, J_INNER, J_DELIVERY, J_DROP, J_LOOKUP };

/* A partition: the nodes one worker runs in a window, their events, the
 * counters they add to, and what the window leaves for the others and
 * for the caller. Aligned so that two workers never share a cache line. */
typedef struct part {
  _Alignas(64) timer_heap timers;
  event_heap datagrams;
  event_heap out; /* for other partitions: an unsorted list */
  uint64_t now, events, dropped_mtu;
  uint64_t type_bytes[MAX_TYPES], type_dgrams[MAX_TYPES];
  /* The tag of what a node is handling now: a datagram's, or the user
   * packet being sent; datagrams it sends inherit it, so a packet can be
   * followed across relays and handshakes to where it is dropped. */
  uint32_t cur_flow, cur_seq;
  sim_journal journal;
  /* One body per record for the partition's nodes: a store is used by one
   * thread at a time (record_store.c), and a record crosses partitions as
   * bytes on a link, interned again by the receiving node's partition. */
  mcc_record_store *store;
  /* The certificate of the node whose core is being made here (its first
   * HELLO is signed before the core is whole). */
  const mcc_cert *start_cert;
  int nomem;
} part;

/* A tunnel's two ends as the nodes hold them, and where they are now. */
typedef struct sim_tunnel {
  uint32_t node[2]; /* client, server */
  mcc_tunnel end[2];
  unsigned in_place; /* bit 0 client, bit 1 server */
} sim_tunnel;

struct sim_engine {
  const sim_topology *topo;
  sim_engine_config cfg;
  vnode *nodes;
  uint32_t *timer_slots; /* per node, its entry in its partition's timers */
  size_t n;
  /* Each local node's keys and certificate, made on two threads before
   * the nodes start and freed once they have: NULL after that. */
  node_creds *creds;
  mcc_keypair networks[NETWORKS];
  link *links;
  size_t nlinks;
  /* The links' properties, each set once: most links share the scenario's
   * defaults, and a million links one copy of them. */
  sim_link_params *link_params;
  size_t nlink_params;
  link_entry *link_table; /* open addressing, a power of two entries */
  size_t link_mask;
  unsigned link_shift;
  part *parts;
  unsigned nparts;
  uint64_t lookahead;   /* smallest delay between partitions; NEVER */
  sim_workers *workers; /* nparts - 1 threads */
  int in_window;        /* set while the partitions run */
  uint64_t bound;       /* the window runs events at <= bound */
  uint64_t windows;
  sim_journal merged;
  uint64_t now;
  mcc_verify_cache *cache;
  sim_precheck *precheck; /* NULL without a helper thread */
  /* Every link's datagrams, every delivery: records go through the
   * journals whenever capturing (in every rank), to rank 0, which writes
   * them. */
  int capturing;
  sim_pcap *all, *all_inner;
  atomic_int pcap_failed;
  sim_delivery_fn on_delivery;
  void *delivery_user;
  sim_drop_fn on_drop;
  void *drop_user;
  sim_lookup_fn on_lookup;
  void *lookup_user;
  sim_tunnel *tunnels;
  size_t ntunnels;
  /* Another backend (engine_backend.h) or NULL: this file's heaps. */
  const sim_backend_ops *ops;
  void *bk;
  /* MPI ranks (comm.h), or NULL in one process. Each rank runs the
   * partition of its number and holds only those nodes' cores; what the
   * scenario runner asks about every node (active parents, counters)
   * comes from views the ranks gather, each refreshed when the state
   * changed since it was made (state_gen); what it asks of one node, from
   * that node's rank. */
  sim_comm *comm;
  uint32_t *view_parent; /* active parent, UINT32_MAX: none */
  sim_counters *view_counters;
  uint64_t state_gen, parent_gen, counters_gen;
};

static inline const sim_link_params *link_props(const struct sim_engine *e,
                                                const link *l) {
  return &e->link_params[l->params];
}

/* Whether this process runs node i (always, in one process). */
static inline int engine_local(const sim_engine *e, uint32_t i) {
  return !e->comm || e->nodes[i].part == e->comm->rank;
}

/* engine.c */
int engine_push(sim_engine *e, event ev);
uint32_t engine_node_parent(sim_engine *e, uint32_t i); /* a local node */
size_t engine_node_known(sim_engine *e, uint32_t i);    /* a local node */

/* engine_ranks.c: each call is collective (comm.h). */
/* Sends this rank's out-box to the ranks its datagrams are for and
 * pushes what came; the number of datagrams this rank received. */
uint64_t ranks_exchange(sim_engine *e);
/* Every rank's journal of its partition into js[0 .. size - 1] (this
 * rank's own too, serialised and read back like the others'; its journal
 * is emptied): the captured datagrams and packets on rank 0 only, which
 * writes the pcaps. MCC_ERR_NOMEM. */
int ranks_gather_journals(sim_engine *e, sim_journal *js);
/* e->view_parent, e->view_counters for every node, made again when the
 * state changed since. */
void ranks_view_parents(sim_engine *e);
void ranks_view_counters(sim_engine *e);
/* Bytes of distinct record bodies over every rank's store. */
size_t ranks_store_memory(sim_engine *e);

#endif
