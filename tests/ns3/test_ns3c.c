/*
 * test_ns3c.c — libns3c (sim/ns3c/ns3c.h) against exact expectations:
 * ns-3's timing on a point-to-point link, our timers, cancel, cut links,
 * loss and the seed; a CSMA segment's members and timing; Wi-Fi delivery
 * against distance and a node moved out of range. Plain C, so it also shows the API is usable from C.
 * Ends with "N passed, N failed" as tools/run-tests counts it.
 *
 *   node 0 ---- 1 Mbit/s, 10 ms ---- node 1 ---- 1 Gbit/s, 1 ms, loss 0.3 ---- node 2
 *   (link 0: 10.0.0.1 - 10.0.0.2)            (link 1: 10.0.0.5 - 10.0.0.6)
 *
 *   t = 1 s          0 -> 1   100 bytes       arrives 1.011040 s
 *   t = 1.011040 s   1 -> 0   echo            arrives 1.022080 s
 * A datagram of 100 bytes is 130 on the wire (UDP 8, IPv4 20, PPP 2):
 * 1040 bits, 1.04 ms at 1 Mbit/s, plus the 10 ms of the link.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns3c/ns3c.h"

#define MS 1000000ull
#define S 1000000000ull
#define PAYLOAD 100
#define LOSSY_SENDS 200

static int passed, failed;

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    if (cond) {                                                              \
      passed++;                                                              \
    } else {                                                                 \
      failed++;                                                              \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                 \
      printf(__VA_ARGS__);                                                   \
      printf("\n");                                                          \
    }                                                                        \
  } while (0)

typedef struct arrival {
  uint64_t at;
  uint32_t node, from_node;
  ns3c_addr from;
  size_t len;
} arrival;

typedef struct world {
  ns3c *ns;
  arrival log[512];
  size_t nlog;
  int echo; /* node 1 echoes what node 0 sends it */
  uint8_t payload[PAYLOAD];
  int fired[4];
} world;

static void on_recv(void *user, uint32_t node, const ns3c_addr *from,
                    uint32_t from_node, const uint8_t *data, size_t len) {
  world *w = user;
  if (w->nlog < sizeof w->log / sizeof w->log[0])
    w->log[w->nlog++] = (arrival){ns3c_now(w->ns), node, from_node, *from, len};
  if (w->echo && node == 1 && from_node == 0)
    ns3c_sendto(w->ns, 1, from, data, len);
}

typedef struct send_job {
  world *w;
  uint32_t node, link, to;
} send_job;

static void do_send(void *user) {
  send_job *j = user;
  ns3c_addr to;
  ns3c_link_addr(j->w->ns, j->link, j->to, &to);
  ns3c_sendto(j->w->ns, j->node, &to, j->w->payload, PAYLOAD);
}

static void mark0(void *user) { ((world *)user)->fired[0]++; }
static void mark1(void *user) { ((world *)user)->fired[1]++; }
static void mark2(void *user) { ((world *)user)->fired[2]++; }
/* Schedules mark2 at the current time: run_until(t) must run it too. */
static void chain(void *user) {
  world *w = user;
  w->fired[3]++;
  ns3c_schedule(w->ns, ns3c_now(w->ns), mark2, w);
}

static ns3c *build(world *w, uint64_t seed) {
  memset(w, 0, sizeof *w);
  for (int i = 0; i < PAYLOAD; i++) w->payload[i] = (uint8_t)i;
  int r = ns3c_new(&w->ns, seed);
  CHECK(r == 0, "ns3c_new: %s", ns3c_strerror(r));
  if (r) return NULL;
  ns3c_on_recv(w->ns, on_recv, w);
  CHECK(ns3c_nodes_new(w->ns, 3) == 0, "first node index");
  ns3c_p2p_params p;
  ns3c_p2p_params_default(&p);
  p.rate_bps = 1000000;
  p.delay_ns = 10 * MS;
  p.queue_pkts = 10;
  uint32_t l0 = 9, l1 = 9;
  CHECK(ns3c_p2p_new(w->ns, 0, 1, &p, &l0) == 0 && l0 == 0, "link 0");
  ns3c_p2p_params_default(&p);
  p.loss = 0.3;
  CHECK(ns3c_p2p_new(w->ns, 1, 2, &p, &l1) == 0 && l1 == 1, "link 1");
  return w->ns;
}

static void test_timing_echo_and_down(const char *pcap) {
  world w;
  if (!build(&w, 1)) return;
  ns3c *ns = w.ns;
  ns3c *other = NULL;
  CHECK(ns3c_new(&other, 2) == NS3C_ERR_BUSY, "a second simulator at once");
  if (pcap) CHECK(ns3c_link_pcap(ns, 0, pcap) == 0, "pcap on link 0");

  ns3c_addr a0, a1;
  CHECK(ns3c_link_addr(ns, 0, 0, &a0) == 0 && a0.ip[3] == 1, "node 0 on link 0");
  CHECK(ns3c_link_addr(ns, 0, 1, &a1) == 0 && a1.ip[3] == 2, "node 1 on link 0");
  CHECK(a1.family == 4 && a1.ip[0] == 10 && a1.port == NS3C_PORT, "address");
  CHECK(ns3c_link_addr(ns, 0, 2, &a1) == NS3C_ERR_INVALID, "not on link 0");
  ns3c_link_addr(ns, 0, 1, &a1);
  CHECK(ns3c_sendto(ns, 2, &a1, w.payload, PAYLOAD) == NS3C_ERR_NO_ROUTE,
        "node 2 is no neighbour of node 1 on link 0");

  w.echo = 1;
  send_job j = {&w, 0, 0, 1};
  CHECK(ns3c_schedule(ns, 1 * S, do_send, &j) != 0, "schedule");
  ns3c_run_until(ns, 2 * S);
  CHECK(ns3c_now(ns) == 2 * S, "now %" PRIu64, ns3c_now(ns));
  uint64_t tx = (PAYLOAD + 8 + 20 + 2) * 8 * S / 1000000; /* 1.04 ms */
  CHECK(w.nlog == 2, "%zu arrivals", w.nlog);
  if (w.nlog == 2) {
    CHECK(w.log[0].node == 1 && w.log[0].from_node == 0 &&
              w.log[0].len == PAYLOAD,
          "node %u from %u len %zu", w.log[0].node, w.log[0].from_node,
          w.log[0].len);
    CHECK(w.log[0].at == 1 * S + 10 * MS + tx, "arrival at %" PRIu64 " ns",
          w.log[0].at);
    CHECK(memcmp(&w.log[0].from, &a0, sizeof a0) == 0,
          "from 10.0.0.1:9376, got %u.%u.%u.%u:%u", w.log[0].from.ip[0],
          w.log[0].from.ip[1], w.log[0].from.ip[2], w.log[0].from.ip[3],
          w.log[0].from.port);
    CHECK(w.log[1].node == 0 && w.log[1].from_node == 1, "the echo");
    CHECK(w.log[1].at == 1 * S + 2 * (10 * MS + tx), "echo at %" PRIu64,
          w.log[1].at);
  }
  printf("echo: there at %" PRIu64 " ns, back at %" PRIu64 " ns, "
         "%" PRIu64 " ns-3 events\n",
         w.nlog > 0 ? w.log[0].at : 0, w.nlog > 1 ? w.log[1].at : 0,
         ns3c_events(ns));

  /* Timers alone: each fired one is one event, a cancelled one none. */
  uint64_t ev = ns3c_events(ns);
  uint64_t t0 = ns3c_schedule(ns, 2500 * MS, mark0, &w);
  uint64_t t1 = ns3c_schedule(ns, 2600 * MS, mark1, &w);
  ns3c_schedule(ns, 3 * S, chain, &w);
  CHECK(ns3c_schedule(ns, 1 * S, mark0, &w) == 0, "a time in the past");
  ns3c_cancel(ns, t1);
  ns3c_cancel(ns, t1);      /* twice: ignored */
  ns3c_cancel(ns, 999999);  /* unknown: ignored */
  ns3c_run_until(ns, 3 * S);
  ns3c_cancel(ns, t0);      /* fired: ignored */
  CHECK(w.fired[0] == 1 && w.fired[1] == 0, "fired %d, cancelled fired %d",
        w.fired[0], w.fired[1]);
  CHECK(w.fired[3] == 1 && w.fired[2] == 1,
        "at t itself, and what it schedules at t: %d %d", w.fired[3],
        w.fired[2]);
  CHECK(ns3c_events(ns) - ev == 3, "%" PRIu64 " events for 3 timers",
        ns3c_events(ns) - ev);

  /* Cut: refused at the sender, nothing arrives; restored: delivered. */
  w.echo = 0;
  w.nlog = 0;
  CHECK(ns3c_link_set_up(ns, 0, 0) == 0 && ns3c_link_up(ns, 0) == 0, "cut");
  CHECK(ns3c_sendto(ns, 0, &a1, w.payload, PAYLOAD) == NS3C_ERR_DOWN,
        "sendto on a cut link");
  ns3c_schedule(ns, 3500 * MS, do_send, &j);
  ns3c_run_until(ns, 4 * S);
  CHECK(w.nlog == 0, "%zu arrivals over a cut link", w.nlog);
  CHECK(ns3c_link_set_up(ns, 0, 1) == 0 && ns3c_link_up(ns, 0) == 1, "restore");
  CHECK(ns3c_link_up(ns, 7) == -1, "no link 7");
  ns3c_schedule(ns, 5 * S, do_send, &j);
  ns3c_run_until(ns, 6 * S);
  CHECK(w.nlog == 1 && w.log[0].at == 5 * S + 10 * MS + tx,
        "%zu arrivals after restore", w.nlog);

  /* In flight when cut: still arrives, as on the native engine. */
  w.nlog = 0;
  ns3c_schedule(ns, 7 * S, do_send, &j);
  ns3c_run_until(ns, 7 * S + 5 * MS);
  ns3c_link_set_up(ns, 0, 0);
  ns3c_run_until(ns, 8 * S);
  CHECK(w.nlog == 1, "%zu in-flight arrivals", w.nlog);
  ns3c_free(ns);
}

/* The lossy link under a seed: what arrived, as one number. */
static uint64_t lossy_run(uint64_t seed, size_t *parrived) {
  world w;
  if (!build(&w, seed)) return 0;
  send_job j = {&w, 1, 1, 2};
  for (int i = 0; i < LOSSY_SENDS; i++)
    ns3c_schedule(w.ns, (uint64_t)(i + 1) * MS, do_send, &j);
  ns3c_run_until(w.ns, 1 * S);
  uint64_t h = 1469598103934665603ull; /* FNV-1a over the arrival times */
  for (size_t i = 0; i < w.nlog; i++) {
    h ^= w.log[i].at;
    h *= 1099511628211ull;
  }
  h ^= ns3c_events(w.ns); /* ns-3's own events agree too */
  *parrived = w.nlog;
  ns3c_free(w.ns);
  return h;
}

static void test_seed(void) {
  size_t n1 = 0, n2 = 0, n3 = 0;
  uint64_t h1 = lossy_run(7, &n1), h2 = lossy_run(7, &n2);
  uint64_t h3 = lossy_run(8, &n3);
  printf("loss 0.3: seed 7 delivered %zu/%d twice, seed 8 %zu/%d\n", n1,
         LOSSY_SENDS, n3, LOSSY_SENDS);
  CHECK(n1 == n2 && h1 == h2, "same seed, same arrivals: %zu %zu", n1, n2);
  CHECK(h1 != h3, "another seed, other losses");
  CHECK(n1 > LOSSY_SENDS / 2 && n1 < LOSSY_SENDS * 9 / 10,
        "%zu of %d through at loss 0.3", n1, LOSSY_SENDS);
}

/* The echo run's capture: the pcap header and one record per datagram
 * that crossed link 0 (the echo, the one after the restore, the one in
 * flight at the cut: 4, each 16 + 130 bytes). */
static void check_pcap(const char *path) {
  struct stat st;
  CHECK(stat(path, &st) == 0, "%s exists", path);
  CHECK(st.st_size == 24 + 4 * (16 + 130), "%s: %lld bytes", path,
        (long long)st.st_size);
}


/* A medium's datagram: from node `node` to the medium address of `to`. */
typedef struct medium_job {
  world *w;
  uint32_t medium, node, to;
} medium_job;

static void do_medium_send(void *user) {
  medium_job *j = user;
  ns3c_addr to;
  if (ns3c_medium_addr(j->w->ns, j->medium, j->to, &to) == 0)
    ns3c_sendto(j->w->ns, j->node, &to, j->w->payload, PAYLOAD);
}

static size_t arrivals_at(const world *w, uint32_t node, uint32_t from) {
  size_t n = 0;
  for (size_t i = 0; i < w->nlog; i++)
    n += w->log[i].node == node && w->log[i].from_node == from;
  return n;
}

/* A CSMA segment of four nodes: every member reaches every other directly,
 * from its address on the segment; a node that is not a member does not;
 * a 100-byte datagram takes its bytes on the wire (Ethernet 14 + FCS 4,
 * IPv4 20, UDP 8, payload 100: 146, no padding) at 10 Mbit/s plus 1 us. */
static void test_csma(void) {
  world w;
  memset(&w, 0, sizeof w);
  CHECK(ns3c_new(&w.ns, 1) == 0, "ns3c_new");
  ns3c_on_recv(w.ns, on_recv, &w);
  ns3c_nodes_new(w.ns, 5);
  uint32_t members[] = {0, 1, 2, 3}, m = 9;
  ns3c_csma_params p;
  ns3c_csma_params_default(&p);
  p.rate_bps = 10000000;
  p.delay_ns = 1000;
  CHECK(ns3c_csma_new(w.ns, members, 4, &p, &m) == 0 && m == 0, "segment");
  uint32_t dup[] = {0, 0};
  CHECK(ns3c_csma_new(w.ns, dup, 2, &p, NULL) == NS3C_ERR_INVALID,
        "a node twice on a segment is refused");
  ns3c_addr a0, a3, none;
  CHECK(ns3c_medium_addr(w.ns, 0, 0, &a0) == 0 &&
            ns3c_medium_addr(w.ns, 0, 3, &a3) == 0,
        "member addresses");
  CHECK(a0.ip[0] == 172 && a0.ip[1] == 16 && a3.ip[3] == a0.ip[3] + 3,
        "members numbered in 172.16.0.0/12: %u.%u.%u.%u", a0.ip[0], a0.ip[1],
        a0.ip[2], a0.ip[3]);
  CHECK(ns3c_medium_addr(w.ns, 0, 4, &none) == NS3C_ERR_INVALID,
        "node 4 has no address on the segment");
  CHECK(ns3c_sendto(w.ns, 4, &a3, w.payload, PAYLOAD) == NS3C_ERR_NO_ROUTE,
        "node 4 cannot send onto the segment");
  medium_job j[3] = {{&w, 0, 0, 3}, {&w, 0, 1, 3}, {&w, 0, 3, 2}};
  for (int i = 0; i < 3; i++) ns3c_schedule(w.ns, S, do_medium_send, &j[i]);
  ns3c_run_until(w.ns, 2 * S);
  CHECK(arrivals_at(&w, 3, 0) == 1 && arrivals_at(&w, 3, 1) == 1 &&
            arrivals_at(&w, 2, 3) == 1 && w.nlog == 3,
        "%zu arrivals, each once at its node", w.nlog);
  uint64_t first = UINT64_MAX;
  for (size_t i = 0; i < w.nlog; i++)
    if (w.log[i].at < first) first = w.log[i].at;
  CHECK(first == S + 146 * 800 + 1000, "first arrival at %" PRIu64, first);
  ns3c_free(w.ns);
}

/* Two Wi-Fi nodes at a distance: how many of 50 datagrams arrive. */
static size_t wifi_run(double distance, double move_to, uint64_t seed) {
  world w;
  memset(&w, 0, sizeof w);
  if (ns3c_new(&w.ns, seed) != 0) return 0;
  ns3c_on_recv(w.ns, on_recv, &w);
  ns3c_nodes_new(w.ns, 2);
  uint32_t members[] = {0, 1};
  double xy[] = {0, 0, distance, 0};
  ns3c_wifi_params p;
  ns3c_wifi_params_default(&p);
  size_t got = 0;
  if (ns3c_wifi_new(w.ns, members, xy, 2, &p, NULL) == 0) {
    medium_job j = {&w, 0, 0, 1};
    for (int i = 0; i < 50; i++)
      ns3c_schedule(w.ns, S + (uint64_t)i * 10 * MS, do_medium_send, &j);
    ns3c_run_until(w.ns, S + 250 * MS);
    if (move_to >= 0) ns3c_node_set_position(w.ns, 1, move_to, 0);
    ns3c_run_until(w.ns, 3 * S);
    got = arrivals_at(&w, 1, 0);
  }
  ns3c_free(w.ns);
  return got;
}

/* 802.11a at 6 Mbit/s on ns-3's default channel: near, everything
 * arrives (the MAC retries); far, nothing; a node moved out of range in
 * the middle gets the first half only; and the loss depends on distance
 * in between. */
static void test_wifi(void) {
  size_t near = wifi_run(20, -1, 1), far = wifi_run(400, -1, 1);
  size_t moved = wifi_run(20, 400, 1);
  printf("wifi 6 Mbit/s: 20 m %zu/50, 400 m %zu/50, moved at 250 ms %zu/50;"
         " by distance:", near, far, moved);
  size_t last = 50, falling = 1;
  for (int d = 20; d <= 120; d += 10) {
    size_t n = wifi_run(d, -1, 1);
    printf(" %d m %zu", d, n);
    falling &= n <= last;
    last = n;
  }
  printf("\n");
  CHECK(near == 50, "%zu of 50 at 20 m", near);
  CHECK(far == 0, "%zu of 50 at 400 m", far);
  CHECK(moved == 25, "%zu of 50 when moved away after 25", moved);
  CHECK(falling && last == 0, "delivery falls with distance to 0 at 140 m");
  ns3c *ns;
  CHECK(ns3c_new(&ns, 1) == 0, "ns3c_new");
  ns3c_nodes_new(ns, 2);
  uint32_t members[] = {0, 1};
  double xy[] = {0, 0, 1, 0};
  ns3c_wifi_params p;
  ns3c_wifi_params_default(&p);
  p.rate_bps = 7000000;
  CHECK(ns3c_wifi_new(ns, members, xy, 2, &p, NULL) == NS3C_ERR_INVALID,
        "7 Mbit/s is no Wi-Fi mode");
  CHECK(ns3c_node_set_position(ns, 0, 1, 1) == NS3C_ERR_INVALID,
        "a node with no radio cannot move");
  ns3c_free(ns);
}

int main(void) {
  char dir[] = "/tmp/ns3c-test-XXXXXX";
  char pcap[64] = "";
  if (mkdtemp(dir)) snprintf(pcap, sizeof pcap, "%s/link0.pcap", dir);
  test_timing_echo_and_down(pcap[0] ? pcap : NULL);
  if (pcap[0]) {
    check_pcap(pcap);
    unlink(pcap);
    rmdir(dir);
  }
  test_seed();
  test_csma();
  test_wifi();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
