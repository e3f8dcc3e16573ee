/*
 * ns3c.cc — libns3c (ns3c.h) over ns-3 3.37. The only file in the project
 * that includes ns-3 headers. ns-3 is a process-wide singleton, so the
 * state lives in one object behind the C handle and only one may exist.
 */
#include "ns3c.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <ns3/data-rate.h>
#include <ns3/error-model.h>
#include <ns3/inet-socket-address.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ipv4.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/queue-size.h>
#include <ns3/rng-seed-manager.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/uinteger.h>

using namespace ns3;

namespace {

struct CTimer {
  EventId ev;
  ns3c_timer_fn fn;
  void *user;
};

struct LinkSlot {
  uint32_t node[2];
  Ptr<PointToPointNetDevice> dev[2];
  uint32_t ip[2]; /* host order */
  bool up;
};

struct NodeSlot {
  ns3c *ns;
  uint32_t index;
  Ptr<Node> node;
  Ptr<Socket> socket;
};

bool g_alive; /* ns-3's Simulator is one per process */

} // namespace

struct ns3c {
  std::unordered_map<uint64_t, CTimer> timers;
  uint64_t next_timer = 1;
  uint64_t stops = 0; /* our Stop events, not counted as the user's */
  std::vector<NodeSlot *> nodes;
  std::vector<LinkSlot> links;
  std::unordered_map<uint32_t, std::pair<uint32_t, int>> by_ip; /* link, side */
  InternetStackHelper stack;
  PointToPointHelper p2p; /* kept: pcap goes through it */
  ns3c_recv_fn on_recv = nullptr;
  void *recv_user = nullptr;
  std::vector<uint8_t> buf;
};

static void addr_from_ip(ns3c_addr *a, uint32_t ip, uint16_t port) {
  std::memset(a, 0, sizeof *a);
  a->family = 4;
  a->port = port;
  a->ip[0] = (uint8_t)(ip >> 24);
  a->ip[1] = (uint8_t)(ip >> 16);
  a->ip[2] = (uint8_t)(ip >> 8);
  a->ip[3] = (uint8_t)ip;
}

static void fire(ns3c *ns, uint64_t id) {
  auto it = ns->timers.find(id);
  if (it == ns->timers.end()) return;
  CTimer t = it->second;
  ns->timers.erase(it); /* before the call: it may schedule again */
  t.fn(t.user);
}

static void socket_recv(NodeSlot *slot, Ptr<Socket> socket) {
  ns3c *ns = slot->ns;
  Address from;
  Ptr<Packet> p;
  while ((p = socket->RecvFrom(from))) {
    if (!ns->on_recv) continue;
    InetSocketAddress in = InetSocketAddress::ConvertFrom(from);
    uint32_t ip = in.GetIpv4().Get();
    ns3c_addr a;
    addr_from_ip(&a, ip, in.GetPort());
    auto owner = ns->by_ip.find(ip);
    uint32_t from_node = owner == ns->by_ip.end()
                             ? UINT32_MAX
                             : ns->links[owner->second.first]
                                   .node[owner->second.second];
    ns->buf.resize(p->GetSize());
    p->CopyData(ns->buf.data(), ns->buf.size());
    ns->on_recv(ns->recv_user, slot->index, &a, from_node, ns->buf.data(),
                ns->buf.size());
  }
}

extern "C" {

int ns3c_new(ns3c **pns, uint64_t seed) {
  if (g_alive) return NS3C_ERR_BUSY;
  /* One fixed seed and the scenario's seed as the run number: ns-3's way
   * to get independent, reproducible replications from one 64-bit value. */
  RngSeedManager::SetSeed(1);
  RngSeedManager::SetRun(seed);
  ns3c *ns = new ns3c;
  /* IPv6 would double the stack per node and nothing here uses it. */
  ns->stack.SetIpv6StackInstall(false);
  g_alive = true;
  *pns = ns;
  return 0;
}

void ns3c_free(ns3c *ns) {
  if (!ns) return;
  for (NodeSlot *s : ns->nodes) {
    s->socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    s->socket->Close();
  }
  Simulator::Destroy(); /* nodes, devices, pending events */
  for (NodeSlot *s : ns->nodes) delete s;
  delete ns;
  g_alive = false;
}

uint64_t ns3c_now(const ns3c *) {
  return (uint64_t)Simulator::Now().GetNanoSeconds();
}

uint64_t ns3c_events(const ns3c *ns) {
  return Simulator::GetEventCount() - ns->stops;
}

void ns3c_run_until(ns3c *ns, uint64_t t) {
  uint64_t now = ns3c_now(ns);
  if (t < now) return;
  if (t > (uint64_t)INT64_MAX) t = INT64_MAX;
  /* A Stop at t runs after the events already queued at t but before those
   * they queue at t; stopping again at t until a round runs nothing but
   * the Stop makes "up to and including t" hold. */
  Simulator::Stop(NanoSeconds((int64_t)(t - now)));
  ns->stops++;
  Simulator::Run();
  for (;;) {
    uint64_t before = Simulator::GetEventCount();
    Simulator::Stop(Seconds(0));
    ns->stops++;
    Simulator::Run();
    if (Simulator::GetEventCount() - before <= 1) break;
  }
}

uint64_t ns3c_schedule(ns3c *ns, uint64_t at, ns3c_timer_fn fn, void *user) {
  uint64_t now = ns3c_now(ns);
  if (at < now || at > (uint64_t)INT64_MAX) return 0;
  uint64_t id = ns->next_timer++;
  EventId ev = Simulator::Schedule(NanoSeconds((int64_t)(at - now)), &fire,
                                   ns, id);
  ns->timers[id] = CTimer{ev, fn, user};
  return id;
}

void ns3c_cancel(ns3c *ns, uint64_t id) {
  auto it = ns->timers.find(id);
  if (it == ns->timers.end()) return;
  /* Remove, not Cancel: a cancelled event still comes up and is counted
   * by GetEventCount; removing it from the map scheduler is O(log n). */
  Simulator::Remove(it->second.ev);
  ns->timers.erase(it);
}

uint32_t ns3c_nodes_new(ns3c *ns, uint32_t n) {
  uint32_t first = (uint32_t)ns->nodes.size();
  for (uint32_t i = 0; i < n; i++) {
    NodeSlot *s = new NodeSlot;
    s->ns = ns;
    s->index = first + i;
    s->node = CreateObject<Node>();
    ns->stack.Install(s->node);
    /* Bound to any address: the node's link addresses come later, one per
     * link, and the route to a neighbour picks the right one as source. */
    s->socket = Socket::CreateSocket(s->node, UdpSocketFactory::GetTypeId());
    s->socket->Bind(InetSocketAddress(Ipv4Address::GetAny(), NS3C_PORT));
    s->socket->SetRecvCallback(MakeBoundCallback(&socket_recv, s));
    ns->nodes.push_back(s);
  }
  return first;
}

uint32_t ns3c_nodes(const ns3c *ns) { return (uint32_t)ns->nodes.size(); }

void ns3c_p2p_params_default(ns3c_p2p_params *p) {
  p->rate_bps = 1000000000; /* 1 Gbit/s */
  p->delay_ns = 1000000;
  p->queue_pkts = 0;
  p->mtu = 0;
  p->loss = 0;
}

int ns3c_p2p_new(ns3c *ns, uint32_t a, uint32_t b, const ns3c_p2p_params *p,
                 uint32_t *plink) {
  uint32_t index = (uint32_t)ns->links.size();
  if (a == b || a >= ns->nodes.size() || b >= ns->nodes.size() ||
      p->rate_bps == 0 || p->loss < 0 || p->loss > 1 || index >= (1u << 22))
    return NS3C_ERR_INVALID;
  ns->p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(p->rate_bps)));
  ns->p2p.SetDeviceAttribute("Mtu", UintegerValue(p->mtu ? p->mtu : 1500));
  ns->p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds((int64_t)p->delay_ns)));
  std::string q = std::to_string(p->queue_pkts ? p->queue_pkts : 100) + "p";
  ns->p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                   QueueSizeValue(QueueSize(q)));
  NetDeviceContainer devs = ns->p2p.Install(ns->nodes[a]->node, ns->nodes[b]->node);

  LinkSlot l;
  l.node[0] = a;
  l.node[1] = b;
  l.up = true;
  uint32_t net = (10u << 24) + 4 * index;
  for (int side = 0; side < 2; side++) {
    l.dev[side] = DynamicCast<PointToPointNetDevice>(devs.Get(side));
    l.ip[side] = net + 1 + side;
    /* What Ipv4AddressHelper::Assign does, less the FqCoDel queue disc it
     * adds to every device: costly at scale, and the device's own queue is
     * the one a scenario sizes. */
    Ptr<Ipv4> ip4 = ns->nodes[l.node[side]]->node->GetObject<Ipv4>();
    int32_t iface = ip4->AddInterface(l.dev[side]);
    ip4->AddAddress(iface, Ipv4InterfaceAddress(Ipv4Address(l.ip[side]),
                                                Ipv4Mask("255.255.255.252")));
    ip4->SetMetric(iface, 1);
    ip4->SetUp(iface);
    if (p->loss > 0) {
      Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
      em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
      em->SetRate(p->loss);
      /* A fixed stream per link direction: ns-3 numbers unassigned streams
       * process-wide, so a second run in a process would draw others. */
      em->AssignStreams(2 * (int64_t)index + side);
      l.dev[side]->SetReceiveErrorModel(em);
    }
    ns->by_ip[l.ip[side]] = {index, side};
  }
  ns->links.push_back(l);
  if (plink) *plink = index;
  return 0;
}

int ns3c_link_set_up(ns3c *ns, uint32_t link, int up) {
  if (link >= ns->links.size()) return NS3C_ERR_INVALID;
  ns->links[link].up = up != 0;
  return 0;
}

int ns3c_link_up(const ns3c *ns, uint32_t link) {
  return link < ns->links.size() ? ns->links[link].up : -1;
}

int ns3c_link_addr(const ns3c *ns, uint32_t link, uint32_t node,
                   ns3c_addr *out) {
  if (link >= ns->links.size()) return NS3C_ERR_INVALID;
  const LinkSlot &l = ns->links[link];
  int side = l.node[0] == node ? 0 : l.node[1] == node ? 1 : -1;
  if (side < 0) return NS3C_ERR_INVALID;
  addr_from_ip(out, l.ip[side], NS3C_PORT);
  return 0;
}

int ns3c_link_pcap(ns3c *ns, uint32_t link, const char *path) {
  if (link >= ns->links.size() || !path) return NS3C_ERR_INVALID;
  /* explicitFilename: `path` as given, not ns-3's prefix-node-device.pcap.
   * PcapHelper opens the file at once; a failure there is fatal in ns-3
   * (NS_FATAL_ERROR), so check the directory is writable first. */
  FILE *f = std::fopen(path, "wb");
  if (!f) return NS3C_ERR_IO;
  std::fclose(f);
  ns->p2p.EnablePcap(path, ns->links[link].dev[0], false, true);
  return 0;
}

void ns3c_on_recv(ns3c *ns, ns3c_recv_fn fn, void *user) {
  ns->on_recv = fn;
  ns->recv_user = user;
}

int ns3c_sendto(ns3c *ns, uint32_t node, const ns3c_addr *to,
                const uint8_t *data, size_t len) {
  if (node >= ns->nodes.size() || to->family != 4) return NS3C_ERR_INVALID;
  uint32_t ip = (uint32_t)to->ip[0] << 24 | (uint32_t)to->ip[1] << 16 |
                (uint32_t)to->ip[2] << 8 | to->ip[3];
  auto owner = ns->by_ip.find(ip);
  if (owner == ns->by_ip.end()) return NS3C_ERR_NO_ROUTE;
  const LinkSlot &l = ns->links[owner->second.first];
  if (l.node[1 - owner->second.second] != node) return NS3C_ERR_NO_ROUTE;
  if (!l.up) return NS3C_ERR_DOWN;
  Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
  int r = ns->nodes[node]->socket->SendTo(
      p, 0, InetSocketAddress(Ipv4Address(ip), to->port));
  return r < 0 ? NS3C_ERR_IO : 0;
}

const char *ns3c_strerror(int err) {
  switch (err) {
  case 0: return "success";
  case NS3C_ERR_INVALID: return "invalid argument";
  case NS3C_ERR_BUSY: return "another ns-3 simulation is alive";
  case NS3C_ERR_DOWN: return "link is down";
  case NS3C_ERR_NO_ROUTE: return "not a neighbour's link address";
  case NS3C_ERR_IO: return "ns-3 refused the operation";
  default: return "unknown error";
  }
}

} /* extern "C" */
