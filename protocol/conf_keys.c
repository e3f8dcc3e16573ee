/*
 * conf_keys.c — the keys of mcc.conf: name, type, default, valid range and
 * help, in the order of the manual's "MCC main configuration file"; the
 * description of each type's values that messages quote; and the default
 * file that `mccd -C` prints from them. The parser (conf.c), `mccd
 * -C` and the documentation all read this one table.
 * Duration ranges are ours where the manual gives none: wide enough for any
 * deployment, narrow enough to catch a wrong unit (keep-alive-period = 30d).
 */
#include <stdio.h>
#include <string.h>

#include <mcc/conf.h>

#define MS 1ull
#define S (1000 * MS)
#define MIN (60 * S)
#define H (60 * MIN)
#define D (24 * H)

#define K(name, type, def, help) {name, type, def, help, NULL, 0, 0, 0}
#define KR(name, type, def, lo, hi, help) \
  {name, type, def, help, NULL, lo, hi, 0}
#define KF(name, type, def, flags, help) \
  {name, type, def, help, NULL, 0, 0, flags}

static const mcc_conf_key keys[] = {
    KF("listen-addr", MCC_CONF_SOCKADDR, "0.0.0.0:9376", MCC_CONF_FLAG_NUMERIC,
       "Listen address (ip:port)."),
    KR("parents", MCC_CONF_SOCKADDR_LIST, "", 0, MCC_MAX_PARENTS,
       "Parent nodes' socket addresses (ip:port, hostname:port, ...), "
       "comma-separated, in order of preference."),
    KR("parents-resolve-period", MCC_CONF_DURATION, "1h", 1 * S, 7 * D,
       "How frequently the parents' hostnames need to be resolved."),
    K("resolver.ipv4-network", MCC_CONF_CIDR4, "10.83.0.0/16",
      "IPv4 network that is used to resolve node IDs. The addresses are "
      "local to this node and assigned dynamically: the same address on "
      "different nodes may point to different node IDs."),
    K("resolver.ipv6-network", MCC_CONF_CIDR6, "200::/7",
      "IPv6 network that is used to resolve node IDs (by default a range "
      "deprecated in RFC 4048)."),
    K("resolver.mac-address-mask", MCC_CONF_MAC, "AE:00:00:00:00:00",
      "MAC address mask that is used to resolve node IDs."),
    KR("resolver.domain", MCC_CONF_STRING, ".home.arpa", 0, 253,
       "Domain under which node IDs are resolved (RFC 8375)."),
    KR("resolver.ttl", MCC_CONF_UINT, "0", 0, 2147483647,
       "TTL of DNS entries in seconds."),
    K("unix-socket-path", MCC_CONF_PATH, "/run/mcc/mcc.sock",
      "UNIX socket path used by mcc command. mccd creates its directory "
      "(mode 0755) and refuses a path where another daemon answers or that "
      "another user owns. The manual's /tmp/.mcc-socket is in a directory "
      "anyone can write, so this default is not."),
    K("unix-enable", MCC_CONF_BOOL, "true",
      "Enable UNIX socket server. Without this server mcc commands do not "
      "work."),
    KR("keep-alive-period", MCC_CONF_DURATION, "30s", 1 * S, 1 * H,
       "How frequently the parent node needs to be checked."),
    KR("topology-update-period", MCC_CONF_DURATION, "2m", 1 * S, 1 * D,
       "How frequently topology needs to be sent to the parent node."),
    KR("rejoin-period", MCC_CONF_DURATION, "1m", 1 * S, 1 * D,
       "How frequently a node tries to switch to the first parent."),
    {"log-level", MCC_CONF_ENUM, "info",
     "Log verbosity level. Possible values: off, error, warn, info, debug, "
     "trace.",
     "off,error,warn,info,debug,trace", 0, 0, 0},
    K("log-file", MCC_CONF_PATH, "",
      "Redirect all MCC output to the specified file."),
    K("data-dir", MCC_CONF_PATH, "/var/lib/mcc",
      "Internal data storage directory."),
    KR("tun-device-name", MCC_CONF_STRING, "mcc0", 0, 15, "TUN device name."),
    KR("tun-device-mtu", MCC_CONF_UINT, "1280", MCC_CONF_TUN_MTU_MIN,
       MCC_CONF_TUN_MTU_MAX,
       "TUN device MTU. MCC carries IP packets of at most 1280 bytes and "
       "IPv6 needs at least 1280, so 1280 is the only value."),
    KR("firewall-chain-name", MCC_CONF_STRING, "MCC", 0, 28,
       "Firewall chain name."),
    KF("dns-addr", MCC_CONF_SOCKADDR, "127.0.0.1:8353", MCC_CONF_FLAG_NUMERIC,
       "Bind address (ip:port) of the internal DNS server that is used to "
       "resolve node IDs."),
    K("dns-enable", MCC_CONF_BOOL, "true",
      "Enable local DNS server. Without it node ID resolution works only "
      "through the NSS module of Glibc-based Linux distributions."),
    K("node-certificate", MCC_CONF_PATH, "/etc/mcc/node-certificate.txt",
      "Node's certificate path."),
    K("node-private-key", MCC_CONF_PATH, "/etc/mcc/node-private-key.txt",
      "Node's private key path."),
    K("network-certificates", MCC_CONF_LIST,
      "/etc/mcc/network-certificate.txt",
      "Comma-separated list of files with trusted network certificates."),
    {"compression", MCC_CONF_ENUM, "none",
     "Compression method for tunneled packets. Possible values: none, lz4.",
     "none,lz4", 0, 0, 0},
    K("cert-update-addr", MCC_CONF_SOCKADDR, "cas.staex.io:8081",
      "The address (ip:port) of a server to get updated certificates from."),
    K("cert-update-enable", MCC_CONF_BOOL, "true",
      "Enable automatic update of network certificates."),
    KR("cert-update-period", MCC_CONF_DURATION, "3h", 1 * MIN, 30 * D,
       "How frequently to update network certificates."),
    K("dns-names", MCC_CONF_LIST, "",
      "Comma-separated list of DNS names associated with the node."),
    KF("tunnels", MCC_CONF_PATH, "/etc/mcc/tunnels", MCC_CONF_FLAG_EMPTY_OK,
       "A directory that contains tunnels configuration files."),
    K("tunnels-only", MCC_CONF_BOOL, "true",
      "Only tunnels carry user traffic: if no tunnels are defined, no "
      "network traffic is allowed. false: traffic between nodes that trust "
      "each other flows as well, as in version 1 networks. Links, records "
      "and keep-alives are not affected."),
    KF("dependent-nodes", MCC_CONF_PATH, "/etc/mcc/dependent-nodes",
       MCC_CONF_FLAG_DEPRECATED | MCC_CONF_FLAG_EMPTY_OK,
       "Deprecated since MCC v2: use tunnels instead. A directory that "
       "contains dependent nodes configuration files."),
    KF("static-addr", MCC_CONF_CIDR4, "10.115.0.0/16", MCC_CONF_FLAG_EMPTY_OK,
       "Static IP address of this node in the overlay network; "
       "10.115.0.0/16 (no host part) or empty means none. Dynamic addresses "
       "resolve locally and resist man-in-the-middle attacks better; static "
       "ones are resolved by asking a parent node."),
    KR("network-lookup-ttl", MCC_CONF_UINT, "64", 1, 255,
       "Network lookup TTL: the most hops a packet travels before it is "
       "dropped. Applies to static IP address and DNS name resolution."),
    KR("network-lookup-timeout", MCC_CONF_DURATION, "20s", 1 * S, 1 * H,
       "Network lookup timeout. Applies to static IP address and DNS name "
       "resolution."),
    K("forwarding-rules", MCC_CONF_PATH, "/etc/mcc/forwarding-rules.conf",
      "Packet forwarding rules."),
    KR("forwarding-rules-commit-timeout", MCC_CONF_DURATION, "7s", 1 * S,
       1 * H,
       "The timeout of applying new forwarding rules with mcc "
       "apply-forwarding-rules command."),
    K("dnsmasq-enable", MCC_CONF_BOOL, "",
      "Enable Dnsmasq integration: MCC writes a configuration file for "
      "Dnsmasq under dnsmasq-directory. Enabled by default if that directory "
      "exists."),
    K("dnsmasq-directory", MCC_CONF_PATH, "/etc/dnsmasq.d",
      "Dnsmasq directory that contains additional (usually per-domain) "
      "configuration files."),
    K("dnsmasq-restart-command", MCC_CONF_STRING, "",
      "Dnsmasq restart shell command, such as systemctl restart dnsmasq. By "
      "default MCC does not restart Dnsmasq."),
    K("exit-node", MCC_CONF_BOOL, "false",
      "Allow to route the traffic outside MCC network through this node. Use "
      "in conjunction with gateway."),
    KR("gateway", MCC_CONF_NODE_ID_LIST, "", 0, 1,
       "The node id of the exit-node through which all the traffic generated "
       "by/routed through this node will go."),
    K("gateway-post-add-hook", MCC_CONF_STRING, "",
      "Shell script that is executed after the gateway IP rules are added."),
    K("gateway-post-delete-hook", MCC_CONF_STRING, "",
      "Shell script that is executed after the gateway IP rules are "
      "deleted."),
    K("kill-switch", MCC_CONF_BOOL, "false",
      "Disallow to route the traffic via the gateway when MCC is not "
      "running (adds a blackhole route)."),
    KR("nat-table-expiry", MCC_CONF_DURATION, "60s", 1 * S, 7 * D,
       "NAT table entries TTL. Increase it only if you experience frequent "
       "connection drops."),
    K("reroute-dns", MCC_CONF_NODE_PORT, "",
      "Reroute DNS traffic (port 53) to the network node node-id:port."),
    K("reroute-ntp", MCC_CONF_NODE_PORT, "",
      "Reroute NTP traffic (port 123) to the network node node-id:port."),
    KR("trusted-nodes", MCC_CONF_NODE_ID_LIST, "", 0, MCC_MAX_TRUSTED,
       "Node ids to/from which it is allowed to send/receive packets. By "
       "default only nodes of the same network may communicate."),
    KR("trusted-networks", MCC_CONF_BASE64_KEY_LIST, "", 0, MCC_MAX_TRUSTED,
       "Network public keys to/from which it is allowed to send/receive "
       "packets: the 52-character id that mcc certificates prints as a "
       "network certificate's subject, or the key in BASE64 format."),
    K("ssl-install", MCC_CONF_BOOL, "false",
      "Add SSL CA certificates obtained via MCC into the local trusted store "
      "using ssl-manage-script."),
    K("ssl-manage-script", MCC_CONF_PATH, "",
      "The script that installs SSL CA certificates into the local trusted "
      "store (called with add, remove or cleanup)."),
    K("ssl-certificates", MCC_CONF_LIST, "",
      "Comma-separated list of files with PEM-encoded SSL CA certificates."),
    KR("ssl-storage-timeout", MCC_CONF_DURATION, "24h", 1 * MIN, 365 * D,
       "How long SSL CA certificates are kept without an update."),
    KR("ssl-storage-cleanup-period", MCC_CONF_DURATION, "1h", 1 * S, 30 * D,
       "How frequently expired SSL CA certificates are cleaned up."),
    KR("ssl-certificates-ttl", MCC_CONF_UINT, "64", 1, 255,
       "TTL of SSL-related packets: the most hops they travel before being "
       "dropped."),
    KR("ssl-update-batch-size", MCC_CONF_UINT, "10", 1, 65535,
       "The maximum number of SSL-related messages that are sent in parallel "
       "by a parent to its child nodes."),
    KR("ssl-update-send-period", MCC_CONF_DURATION, "30s", 1 * S, 1 * D,
       "How frequently batches of SSL-related messages are sent by a parent "
       "to its child nodes."),
    K("tags", MCC_CONF_LIST, "", "Tags shown in mcc nodes (MCC extension)."),
    KR("resolver.quarantine", MCC_CONF_DURATION, "10m", 0, 7 * D,
       "How long a node-local address stays with its node ID after its last "
       "use (a DNS answer, mcc resolve, a packet) on top of resolver.ttl, "
       "before it may go to another node ID; when no address is free the "
       "resolver answers SERVFAIL instead (MCC extension)."),
};

size_t mcc_conf_key_count(void) { return sizeof keys / sizeof keys[0]; }

const mcc_conf_key *mcc_conf_key_at(size_t i) {
  return i < mcc_conf_key_count() ? &keys[i] : NULL;
}

const mcc_conf_key *mcc_conf_key_find(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < mcc_conf_key_count(); i++)
    if (keys[i].name[0] == name[0] && strcmp(keys[i].name, name) == 0)
      return &keys[i];
  return NULL;
}

/* ---- what values look like ------------------------------------------ */

const char *mcc_conf_key_describe(const mcc_conf_key *k, char *out,
                                  size_t outlen) {
  char lo[24], hi[24];
  if (!out || !outlen) return out;
  if (!k) return out[0] = '\0', out;
  switch (k->type) {
  case MCC_CONF_DURATION:
    snprintf(out, outlen, "a duration in range %s-%s such as 30s, 2m, 1h",
             mcc_conf_format_duration(lo, sizeof lo, k->min),
             mcc_conf_format_duration(hi, sizeof hi, k->max));
    break;
  case MCC_CONF_UINT:
    if (k->min == k->max)
      snprintf(out, outlen, "%llu (no other value is supported)",
               (unsigned long long)k->min);
    else
      snprintf(out, outlen, "an integer in range %llu-%llu",
               (unsigned long long)k->min, (unsigned long long)k->max);
    break;
  case MCC_CONF_BOOL:
    snprintf(out, outlen, "true or false (or yes/no, on/off, 1/0)");
    break;
  case MCC_CONF_ENUM: { /* "none,lz4" -> "one of none, lz4" */
    size_t n = (size_t)snprintf(out, outlen, "one of ");
    for (const char *c = k->choices; *c && n + 1 < outlen; c++) {
      if (*c == ',' && n + 2 >= outlen) break;
      out[n++] = *c;
      if (*c == ',') out[n++] = ' ';
    }
    out[n < outlen ? n : outlen - 1] = '\0';
    break;
  }
  case MCC_CONF_CIDR4:
    snprintf(out, outlen, "an IPv4 address/prefix such as 10.83.0.0/16");
    break;
  case MCC_CONF_CIDR6:
    snprintf(out, outlen, "an IPv6 address/prefix such as 200::/7");
    break;
  case MCC_CONF_MAC:
    snprintf(out, outlen, "a MAC address such as AE:00:00:00:00:00");
    break;
  case MCC_CONF_SOCKADDR:
    snprintf(out, outlen, "%s such as %s (port 1-65535)",
             k->flags & MCC_CONF_FLAG_NUMERIC ? "ip:port" : "host:port",
             k->flags & MCC_CONF_FLAG_NUMERIC ? "0.0.0.0:9376 or [::1]:9376"
                                              : "10.0.0.1:9376, [::1]:9376 "
                                                "or example.com:9376");
    break;
  case MCC_CONF_SOCKADDR_LIST:
    snprintf(out, outlen, "comma-separated host:port items such as "
                          "10.0.0.1:9376, example.com:9376 (port 1-65535)");
    break;
  case MCC_CONF_NODE_ID_LIST:
    snprintf(out, outlen, "%s of 52 characters of 0-9 a-z without i, l, o, u",
             k->max == 1 ? "a node id" : "comma-separated node ids");
    break;
  case MCC_CONF_BASE64_KEY_LIST:
    snprintf(out, outlen,
             "comma-separated network ids (52 characters of 0-9 a-z without "
             "i, l, o, u) or Base64 public keys of 32 bytes (44 characters)");
    break;
  case MCC_CONF_NODE_PORT:
    snprintf(out, outlen, "node-id:port (port 1-65535)");
    break;
  case MCC_CONF_STRING:
    if (k->max)
      snprintf(out, outlen, "text of 1-%llu bytes", (unsigned long long)k->max);
    else
      snprintf(out, outlen, "text");
    break;
  case MCC_CONF_PATH: snprintf(out, outlen, "a file path"); break;
  default: snprintf(out, outlen, "comma-separated items"); break;
  }
  return out;
}

/* ---- mccd -C ---------------------------------------------------------- */

struct sink {
  char *buf;
  size_t cap, len;
};

static void put(struct sink *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void puts_(struct sink *o, const char *s) { put(o, s, strlen(s)); }

/* text as '# ' lines of at most 78 columns. */
static void put_comment(struct sink *o, const char *text) {
  size_t col = 0;
  while (*text) {
    while (*text == ' ') text++;
    size_t w = strcspn(text, " ");
    if (!w) break;
    if (col && col + 1 + w > 78) {
      puts_(o, "\n");
      col = 0;
    }
    if (!col) puts_(o, "#"), col = 1;
    puts_(o, " ");
    put(o, text, w);
    col += 1 + w;
    text += w;
  }
  if (col) puts_(o, "\n");
}

size_t mcc_conf_format_defaults(char *buf, size_t buflen) {
  struct sink o = {buf, buf ? buflen : 0, 0};
  char line[96], lo[24], hi[24];
  puts_(&o, "# mcc.conf: the MCC main configuration file, every key at its\n"
            "# default (mccd -C). Lines are `key = value`; '#' starts a "
            "comment.\n\n");
  for (size_t i = 0; i < mcc_conf_key_count(); i++) {
    const mcc_conf_key *k = mcc_conf_key_at(i);
    put_comment(&o, k->help);
    if (k->type == MCC_CONF_DURATION)
      snprintf(line, sizeof line, "# Range: %s-%s.\n",
               mcc_conf_format_duration(lo, sizeof lo, k->min),
               mcc_conf_format_duration(hi, sizeof hi, k->max));
    else if (k->type == MCC_CONF_UINT)
      snprintf(line, sizeof line, "# Range: %llu-%llu.\n",
               (unsigned long long)k->min, (unsigned long long)k->max);
    else
      line[0] = '\0';
    puts_(&o, line);
    if (!k->default_value[0] || (k->flags & MCC_CONF_FLAG_DEPRECATED))
      puts_(&o, "# ");
    puts_(&o, k->name);
    puts_(&o, k->default_value[0] ? " = " : " =");
    puts_(&o, k->default_value);
    puts_(&o, "\n\n");
  }
  if (o.cap) o.buf[o.len < o.cap ? o.len : o.cap - 1] = '\0';
  return o.len;
}
