/*
 * ns3c.cc — libns3c (ns3c.h) over ns-3 3.37. The only file in the project
 * that includes ns-3 headers. ns-3 is a process-wide singleton, so the
 * state lives in one object behind the C handle and only one may exist.
 */
#include "ns3c.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include <ns3/config.h>
#include <ns3/constant-position-mobility-model.h>
#include <ns3/csma-helper.h>
#include <ns3/csma-net-device.h>
#include <ns3/data-rate.h>
#include <ns3/error-model.h>
#include <ns3/inet-socket-address.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ipv4-interface-container.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-route.h>
#include <ns3/ipv4-routing-helper.h>
#include <ns3/ipv4-routing-protocol.h>
#include <ns3/ipv4.h>
#include <ns3/mobility-helper.h>
#include <ns3/mobility-model.h>
#include <ns3/neighbor-cache-helper.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/queue-size.h>
#include <ns3/rng-seed-manager.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>
#include <ns3/udp-socket-factory.h>
#include <ns3/string.h>
#include <ns3/uinteger.h>
#include <ns3/wifi-helper.h>
#include <ns3/wifi-mac-helper.h>
#include <ns3/wifi-net-device.h>
#include <ns3/wifi-phy.h>
#include <ns3/yans-wifi-helper.h>

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

/* A shared medium: a CSMA segment or a Wi-Fi channel, each member with one
 * device and one address in the medium's subnet. */
struct MediumSlot {
  int kind; /* NS3C_CSMA, NS3C_WIFI */
  std::vector<uint32_t> node;
  std::vector<Ptr<NetDevice>> dev;
  std::vector<uint32_t> ip;
  std::unordered_map<uint32_t, uint32_t> member; /* node -> its position */
  std::unique_ptr<YansWifiPhyHelper> phy;        /* Wi-Fi: its pcap */
};

/* Who owns an address: the node, and the p2p link or medium it is on. */
struct Owner {
  uint32_t node;
  int32_t link;   /* -1: on a medium */
  int32_t medium; /* -1: on a link */
  int side;
};

/*
 * The routing every node uses instead of ns-3's list + static routing: a
 * datagram only ever goes to a neighbour on a link or medium the two
 * share, so a route is the interface that reaches the neighbour's
 * address. Ipv4StaticRouting scans one network route per interface on
 * every lookup, which is the whole cost at a hub of 10^4 links (issue 14);
 * here a lookup is a hash probe, and a medium's subnet is checked only
 * when the host is not yet in the hash (then it is added).
 */
class DirectRouting : public Ipv4RoutingProtocol {
public:
  static TypeId GetTypeId() {
    static TypeId tid = TypeId("ns3c::DirectRouting")
                            .SetParent<Ipv4RoutingProtocol>()
                            .SetGroupName("Internet")
                            .AddConstructor<DirectRouting>();
    return tid;
  }

  void AddHost(uint32_t dst, uint32_t iface, uint32_t src) {
    m_hosts[dst] = MakeRoute(dst, iface, src);
  }
  void AddNet(uint32_t net, uint32_t mask, uint32_t iface, uint32_t src) {
    m_nets.push_back(Net{net, mask, iface, src});
  }
  void AddLocal(uint32_t ip) { m_local[ip] = true; }

  Ptr<Ipv4Route> RouteOutput(Ptr<Packet>, const Ipv4Header &header,
                             Ptr<NetDevice>,
                             Socket::SocketErrno &sockerr) override {
    uint32_t dst = header.GetDestination().Get();
    auto it = m_hosts.find(dst);
    if (it != m_hosts.end()) {
      sockerr = Socket::ERROR_NOTERROR;
      return it->second;
    }
    for (const Net &n : m_nets)
      if ((dst & n.mask) == n.net) {
        Ptr<Ipv4Route> r = MakeRoute(dst, n.iface, n.src);
        m_hosts[dst] = r;
        sockerr = Socket::ERROR_NOTERROR;
        return r;
      }
    sockerr = Socket::ERROR_NOROUTETOHOST;
    return nullptr;
  }

  bool RouteInput(Ptr<const Packet> p, const Ipv4Header &header,
                  Ptr<const NetDevice> idev, UnicastForwardCallback,
                  MulticastForwardCallback, LocalDeliverCallback lcb,
                  ErrorCallback) override {
    if (!m_local.count(header.GetDestination().Get())) return false;
    lcb(p, header, m_ipv4->GetInterfaceForDevice(idev));
    return true;
  }

  void NotifyInterfaceUp(uint32_t) override {}
  void NotifyInterfaceDown(uint32_t) override {}
  void NotifyAddAddress(uint32_t, Ipv4InterfaceAddress) override {}
  void NotifyRemoveAddress(uint32_t, Ipv4InterfaceAddress) override {}
  void SetIpv4(Ptr<Ipv4> ipv4) override { m_ipv4 = ipv4; }
  void PrintRoutingTable(Ptr<OutputStreamWrapper>, Time::Unit) const override {}

private:
  struct Net {
    uint32_t net, mask, iface, src;
  };
  Ptr<Ipv4Route> MakeRoute(uint32_t dst, uint32_t iface, uint32_t src) {
    Ptr<Ipv4Route> r = Create<Ipv4Route>();
    r->SetDestination(Ipv4Address(dst));
    r->SetGateway(Ipv4Address(dst));
    r->SetSource(Ipv4Address(src));
    r->SetOutputDevice(m_ipv4->GetNetDevice(iface));
    return r;
  }
  Ptr<Ipv4> m_ipv4;
  std::unordered_map<uint32_t, Ptr<Ipv4Route>> m_hosts;
  std::unordered_map<uint32_t, bool> m_local;
  std::vector<Net> m_nets;
};

class DirectRoutingHelper : public Ipv4RoutingHelper {
public:
  DirectRoutingHelper *Copy() const override {
    return new DirectRoutingHelper(*this);
  }
  Ptr<Ipv4RoutingProtocol> Create(Ptr<Node>) const override {
    return CreateObject<DirectRouting>();
  }
};

/* A point-to-point device hands what it receives straight to IPv4:
 * Node::ReceiveFromDevice walks every protocol handler of the node (two per
 * device), O(links) per packet at a hub. A p2p device carries only IPv4
 * (no ARP), so nothing else is skipped. */
bool FastReceive(Ipv4L3Protocol *l3, Ptr<NetDevice> dev, Ptr<const Packet> p,
                 uint16_t protocol, const Address &from) {
  l3->Receive(dev, p, protocol, from, dev->GetAddress(),
              NetDevice::PACKET_HOST);
  return true;
}

struct NodeSlot {
  ns3c *ns;
  uint32_t index;
  Ptr<Node> node;
  Ptr<Socket> socket;
  Ptr<DirectRouting> routing;
};

bool g_alive; /* ns-3's Simulator is one per process */

/* Random streams: link k's two directions take 2k and 2k + 1; a medium's
 * devices and channel start at MEDIUM_STREAMS + m * MEDIUM_STREAM_SPAN. */
const int64_t MEDIUM_STREAMS = (int64_t)1 << 32;
const int64_t MEDIUM_STREAM_SPAN = (int64_t)1 << 24;
/* Shared media get their subnets from 172.16.0.0/12, one after the other. */
const uint32_t MEDIA_FIRST = (172u << 24) | (16u << 16);
const uint32_t MEDIA_END = (172u << 24) | (32u << 16);

} // namespace

struct ns3c {
  std::unordered_map<uint64_t, CTimer> timers;
  uint64_t next_timer = 1;
  uint64_t stops = 0; /* our Stop events, not counted as the user's */
  std::vector<NodeSlot *> nodes;
  std::vector<LinkSlot> links;
  std::vector<MediumSlot *> media;
  uint32_t next_media_ip = MEDIA_FIRST;
  std::unordered_map<uint32_t, Owner> by_ip;
  InternetStackHelper stack;
  PointToPointHelper p2p; /* kept: pcap goes through it */
  CsmaHelper csma;        /* the same */
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
    uint32_t from_node =
        owner == ns->by_ip.end() ? UINT32_MAX : owner->second.node;
    ns->buf.resize(p->GetSize());
    p->CopyData(ns->buf.data(), ns->buf.size());
    ns->on_recv(ns->recv_user, slot->index, &a, from_node, ns->buf.data(),
                ns->buf.size());
  }
}

static void (*g_out_of_memory)(void);

static void call_out_of_memory() {
  g_out_of_memory();
  std::abort(); /* it must not return */
}

extern "C" {

void ns3c_on_out_of_memory(void (*fn)(void)) {
  g_out_of_memory = fn;
  std::set_new_handler(fn ? call_out_of_memory : nullptr);
}

int ns3c_new(ns3c **pns, uint64_t seed) {
  if (g_alive) return NS3C_ERR_BUSY;
  /* One fixed seed and the scenario's seed as the run number: ns-3's way
   * to get independent, reproducible replications from one 64-bit value. */
  RngSeedManager::SetSeed(1);
  RngSeedManager::SetRun(seed);
  ns3c *ns = new ns3c;
  /* IPv6 would double the stack per node and nothing here uses it. */
  ns->stack.SetIpv6StackInstall(false);
  ns->stack.SetRoutingHelper(DirectRoutingHelper());
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
  for (MediumSlot *m : ns->media) delete m;
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
    s->routing = DynamicCast<DirectRouting>(
        s->node->GetObject<Ipv4>()->GetRoutingProtocol());
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

/* A packet loss on receipt with its own random stream: ns-3 numbers
 * unassigned streams process-wide, so a second run in a process would
 * draw others. */
static Ptr<RateErrorModel> loss_model(double loss, int64_t stream) {
  Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
  em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
  em->SetRate(loss);
  em->AssignStreams(stream);
  return em;
}

/* dev on node `me` with address ip/mask, up, and ip the node's own: what
 * Ipv4AddressHelper::Assign does, less the FqCoDel queue disc it adds to
 * every device (costly at scale; the device's own queue is the one a
 * scenario sizes). Returns the interface's index. */
static uint32_t add_interface(NodeSlot *me, Ptr<NetDevice> dev, uint32_t ip,
                              uint32_t mask) {
  Ptr<Ipv4> ip4 = me->node->GetObject<Ipv4>();
  int32_t iface = ip4->AddInterface(dev);
  ip4->AddAddress(iface, Ipv4InterfaceAddress(Ipv4Address(ip), Ipv4Mask(mask)));
  ip4->SetMetric(iface, 1);
  ip4->SetUp(iface);
  me->routing->AddLocal(ip);
  return (uint32_t)iface;
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
    NodeSlot *me = ns->nodes[l.node[side]];
    uint32_t iface = add_interface(me, l.dev[side], l.ip[side], 0xfffffffcu);
    me->routing->AddHost(net + 2 - side, iface, l.ip[side]);
    l.dev[side]->SetReceiveCallback(MakeBoundCallback(
        &FastReceive, PeekPointer(me->node->GetObject<Ipv4L3Protocol>())));
    if (p->loss > 0) /* a stream per link direction */
      l.dev[side]->SetReceiveErrorModel(
          loss_model(p->loss, 2 * (int64_t)index + side));
    ns->by_ip[l.ip[side]] = Owner{l.node[side], (int32_t)index, -1, side};
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


/* Gives a new medium's members their addresses (a subnet of its own from
 * 172.16.0.0/12), their routes to each other and their neighbour caches
 * filled in advance, so no ARP runs: the underlay is configured, as the
 * point-to-point links' addresses are. */
static int medium_attach(ns3c *ns, MediumSlot *m, const NetDeviceContainer &devs) {
  uint32_t n = (uint32_t)m->node.size();
  uint32_t size = 4;
  while (size < n + 2) size <<= 1; /* the network and broadcast addresses */
  uint32_t net = (ns->next_media_ip + size - 1) & ~(size - 1);
  if (net + size > MEDIA_END || net + size < net) return NS3C_ERR_INVALID;
  ns->next_media_ip = net + size;
  uint32_t mask = ~(size - 1);
  int32_t index = (int32_t)ns->media.size();
  Ipv4InterfaceContainer ifaces;
  for (uint32_t i = 0; i < n; i++) {
    Ptr<NetDevice> dev = devs.Get(i);
    uint32_t ip = net + 1 + i;
    NodeSlot *me = ns->nodes[m->node[i]];
    uint32_t iface = add_interface(me, dev, ip, mask);
    ifaces.Add(me->node->GetObject<Ipv4>(), iface);
    me->routing->AddNet(net, mask, iface, ip);
    m->dev.push_back(dev);
    m->ip.push_back(ip);
    m->member[m->node[i]] = i;
    ns->by_ip[ip] = Owner{m->node[i], -1, index, (int)i};
  }
  /* By interface: the device overload also looks for IPv6, which no node
   * has here, and crashes without it. */
  NeighborCacheHelper cache;
  cache.PopulateNeighborCache(ifaces);
  return 0;
}

/* medium_attach, then the medium is ns's (or freed on failure). */
static int medium_add(ns3c *ns, MediumSlot *m, const NetDeviceContainer &devs,
                      uint32_t *pmedium) {
  int rv = medium_attach(ns, m, devs);
  if (rv != 0) {
    delete m;
    return rv;
  }
  ns->media.push_back(m);
  if (pmedium) *pmedium = (uint32_t)ns->media.size() - 1;
  return 0;
}

static bool members_valid(const ns3c *ns, const uint32_t *nodes, size_t n) {
  if (n < 2) return false;
  std::unordered_map<uint32_t, bool> seen;
  for (size_t i = 0; i < n; i++)
    if (nodes[i] >= ns->nodes.size() || seen[nodes[i]]) return false;
    else seen[nodes[i]] = true;
  return true;
}

void ns3c_csma_params_default(ns3c_csma_params *p) {
  p->rate_bps = 100000000; /* 100 Mbit/s */
  p->delay_ns = 0;
  p->queue_pkts = 0;
  p->mtu = 0;
  p->loss = 0;
}

int ns3c_csma_new(ns3c *ns, const uint32_t *nodes, size_t n,
                  const ns3c_csma_params *p, uint32_t *pmedium) {
  if (!members_valid(ns, nodes, n) || p->rate_bps == 0 || p->loss < 0 ||
      p->loss > 1)
    return NS3C_ERR_INVALID;
  int64_t streams = MEDIUM_STREAMS + (int64_t)ns->media.size() * MEDIUM_STREAM_SPAN;
  ns->csma.SetChannelAttribute("DataRate", DataRateValue(DataRate(p->rate_bps)));
  ns->csma.SetChannelAttribute("Delay", TimeValue(NanoSeconds((int64_t)p->delay_ns)));
  ns->csma.SetDeviceAttribute("Mtu", UintegerValue(p->mtu ? p->mtu : 1500));
  std::string q = std::to_string(p->queue_pkts ? p->queue_pkts : 100) + "p";
  ns->csma.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                    QueueSizeValue(QueueSize(q)));
  NodeContainer members;
  for (size_t i = 0; i < n; i++) members.Add(ns->nodes[nodes[i]]->node);
  NetDeviceContainer devs = ns->csma.Install(members);
  ns->csma.AssignStreams(devs, streams);
  if (p->loss > 0)
    for (uint32_t i = 0; i < n; i++)
      DynamicCast<CsmaNetDevice>(devs.Get(i))
          ->SetReceiveErrorModel(loss_model(p->loss, streams + 1000 + i));
  MediumSlot *m = new MediumSlot;
  m->kind = NS3C_CSMA;
  m->node.assign(nodes, nodes + n);
  return medium_add(ns, m, devs, pmedium);
}

void ns3c_wifi_params_default(ns3c_wifi_params *p) {
  p->rate_bps = 6000000; /* 802.11a, OFDM 6 Mbit/s */
  p->queue_pkts = 0;
  p->loss = 0;
}

/* The Wi-Fi mode of a rate: 802.11a's OFDM rates, else 802.11b's DSSS and
 * CCK ones; NULL when it is neither. */
static const char *wifi_mode(uint64_t bps, WifiStandard *std) {
  static const struct { uint64_t bps; const char *mode; int b; } modes[] = {
      {6000000, "OfdmRate6Mbps", 0},   {9000000, "OfdmRate9Mbps", 0},
      {12000000, "OfdmRate12Mbps", 0}, {18000000, "OfdmRate18Mbps", 0},
      {24000000, "OfdmRate24Mbps", 0}, {36000000, "OfdmRate36Mbps", 0},
      {48000000, "OfdmRate48Mbps", 0}, {54000000, "OfdmRate54Mbps", 0},
      {1000000, "DsssRate1Mbps", 1},   {2000000, "DsssRate2Mbps", 1},
      {5500000, "DsssRate5_5Mbps", 1}, {11000000, "DsssRate11Mbps", 1},
  };
  for (const auto &m : modes)
    if (m.bps == bps) {
      *std = m.b ? WIFI_STANDARD_80211b : WIFI_STANDARD_80211a;
      return m.mode;
    }
  return nullptr;
}

int ns3c_wifi_rate_valid(uint64_t rate_bps) {
  WifiStandard std;
  return wifi_mode(rate_bps, &std) != nullptr;
}

int ns3c_wifi_new(ns3c *ns, const uint32_t *nodes, const double *xy, size_t n,
                  const ns3c_wifi_params *p, uint32_t *pmedium) {
  WifiStandard standard;
  const char *mode = wifi_mode(p->rate_bps, &standard);
  if (!members_valid(ns, nodes, n) || !mode || p->loss < 0 || p->loss > 1)
    return NS3C_ERR_INVALID;
  for (size_t i = 0; i < n; i++)
    if (ns->nodes[nodes[i]]->node->GetObject<MobilityModel>())
      return NS3C_ERR_INVALID; /* a node has one radio position */
  int64_t streams = MEDIUM_STREAMS + (int64_t)ns->media.size() * MEDIUM_STREAM_SPAN;
  NodeContainer members;
  for (size_t i = 0; i < n; i++) {
    Ptr<Node> node = ns->nodes[nodes[i]]->node;
    Ptr<ConstantPositionMobilityModel> pos =
        CreateObject<ConstantPositionMobilityModel>();
    pos->SetPosition(Vector(xy[2 * i], xy[2 * i + 1], 0));
    node->AggregateObject(pos);
    members.Add(node);
  }
  if (p->queue_pkts)
    Config::SetDefault("ns3::WifiMacQueue::MaxSize",
                       QueueSizeValue(QueueSize(std::to_string(p->queue_pkts) + "p")));
  WifiHelper wifi;
  wifi.SetStandard(standard);
  wifi.SetRemoteStationManager("ns3::ConstantRateWifiManager", "DataMode",
                               StringValue(mode), "ControlMode",
                               StringValue(mode));
  /* ns-3's default channel — log-distance loss (exponent 3, 46.68 dB at
   * 1 m) and the speed of light — with Nakagami fading on top, so that a
   * frame's loss grows smoothly with distance instead of at the one
   * distance where the mean signal crosses the receiver's threshold
   * (-82 dBm, 51 m at the default 16 dBm); the MAC retries what is lost. */
  YansWifiChannelHelper channel = YansWifiChannelHelper::Default();
  channel.AddPropagationLoss("ns3::NakagamiPropagationLossModel");
  Ptr<YansWifiChannel> ch = channel.Create();
  MediumSlot *m = new MediumSlot;
  m->kind = NS3C_WIFI;
  m->node.assign(nodes, nodes + n);
  m->phy.reset(new YansWifiPhyHelper);
  m->phy->SetChannel(ch);
  WifiMacHelper mac;
  mac.SetType("ns3::AdhocWifiMac");
  NetDeviceContainer devs = wifi.Install(*m->phy, mac, members);
  int64_t used = wifi.AssignStreams(devs, streams);
  channel.AssignStreams(ch, streams + used);
  if (p->queue_pkts)
    Config::SetDefault("ns3::WifiMacQueue::MaxSize",
                       QueueSizeValue(QueueSize("500p")));
  if (p->loss > 0)
    for (uint32_t i = 0; i < n; i++)
      DynamicCast<WifiNetDevice>(devs.Get(i))
          ->GetPhy()
          ->SetPostReceptionErrorModel(
              loss_model(p->loss, streams + MEDIUM_STREAM_SPAN / 2 + i));
  return medium_add(ns, m, devs, pmedium);
}

int ns3c_node_set_position(ns3c *ns, uint32_t node, double x, double y) {
  if (node >= ns->nodes.size()) return NS3C_ERR_INVALID;
  Ptr<MobilityModel> pos = ns->nodes[node]->node->GetObject<MobilityModel>();
  if (!pos) return NS3C_ERR_INVALID;
  pos->SetPosition(Vector(x, y, 0));
  return 0;
}

int ns3c_medium_addr(const ns3c *ns, uint32_t medium, uint32_t node,
                     ns3c_addr *out) {
  if (medium >= ns->media.size()) return NS3C_ERR_INVALID;
  const MediumSlot *m = ns->media[medium];
  auto it = m->member.find(node);
  if (it == m->member.end()) return NS3C_ERR_INVALID;
  addr_from_ip(out, m->ip[it->second], NS3C_PORT);
  return 0;
}

int ns3c_medium_pcap(ns3c *ns, uint32_t medium, uint32_t node,
                     const char *path) {
  if (medium >= ns->media.size() || !path) return NS3C_ERR_INVALID;
  MediumSlot *m = ns->media[medium];
  auto it = m->member.find(node);
  if (it == m->member.end()) return NS3C_ERR_INVALID;
  FILE *f = std::fopen(path, "wb"); /* as ns3c_link_pcap: fail softly */
  if (!f) return NS3C_ERR_IO;
  std::fclose(f);
  if (m->kind == NS3C_CSMA)
    ns->csma.EnablePcap(path, m->dev[it->second], false, true);
  else
    m->phy->EnablePcap(path, m->dev[it->second], false, true);
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
  const Owner &o = owner->second;
  if (o.link >= 0) {
    const LinkSlot &l = ns->links[o.link];
    if (l.node[1 - o.side] != node) return NS3C_ERR_NO_ROUTE;
    if (!l.up) return NS3C_ERR_DOWN;
  } else if (o.node == node || !ns->media[o.medium]->member.count(node)) {
    return NS3C_ERR_NO_ROUTE;
  }
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
