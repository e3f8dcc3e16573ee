/*
 * mcc/tunnel.h — tunnels (issue 12): a tunnel is a client endpoint and a
 * server endpoint, each with its own key pair and tunnel-endpoint
 * certificate (kind 3), and the protocol:port targets the server offers.
 *
 * Two halves of the public API:
 *   - the tunnel file (`tunnels` directory, NAME.conf) and the targets
 *     syntax (`tcp:80,udp:2222,tcp:8000-8080`): parsed here, no I/O;
 *   - the core's tunnels (mcc_node_tunnel_*): what a node holds and
 *     enforces (PROTOCOL.md, "Tunnels").
 */
#ifndef MCC_TUNNEL_H
#define MCC_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- targets ----------------------------------------------------------- */

#define MCC_TUNNEL_MAX_TARGETS 16
#define MCC_PROTO_TCP 6
#define MCC_PROTO_UDP 17

/* One protocol and an inclusive port range, 1..65535 (lo <= hi). */
typedef struct mcc_tunnel_target {
  uint8_t proto; /* MCC_PROTO_TCP or MCC_PROTO_UDP */
  uint16_t port_lo, port_hi;
} mcc_tunnel_target;

/* The longest text of MCC_TUNNEL_MAX_TARGETS targets, with its NUL:
 * 16 x "udp:65535-65535" and 15 commas. */
#define MCC_TUNNEL_TARGETS_TEXT_MAX 256

/* "tcp:80,udp:2222,tcp:8000-8080": comma-separated items, each
 * protocol:port or protocol:low-high; the protocol is tcp or udp (any
 * letter case), ports are decimal 1-65535, a range is inclusive. Blanks
 * around items are ignored, none may stand inside one. At most
 * min(max, MCC_TUNNEL_MAX_TARGETS) items, kept in the order written in
 * out[0..*pn). A port may be covered once per protocol: a duplicate item
 * or two overlapping ranges are refused (a likely typo), so parsed targets
 * are disjoint. Returns 0; MCC_ERR_VALUE, with one message in err naming
 * the item ("item 2 'tcp:0': port 0 is out of range 1-65535"), for an
 * empty list, an empty item, an unknown protocol, a port 0, above 65535 or
 * not a number, a range whose low end is above its high end, a port
 * covered twice, too many items; MCC_ERR_INVALID_ARGUMENT. err may be NULL
 * when errlen is 0. */
int mcc_targets_parse(const char *text, size_t len, mcc_tunnel_target *out,
                      size_t max, size_t *pn, char *err, size_t errlen);
/* The text form, NUL-terminated, that mcc_targets_parse reads back to the
 * same targets: lower case, "tcp:80" for a range of one port, "tcp:8000-
 * 8080" otherwise, joined by bare commas ("" for n = 0). Returns 0;
 * MCC_ERR_LIMIT when outlen is too small (MCC_TUNNEL_TARGETS_TEXT_MAX
 * always suffices for MCC_TUNNEL_MAX_TARGETS); MCC_ERR_INVALID_ARGUMENT
 * for a target that is not a valid one (protocol, port 0, lo > hi). On
 * error out is "". */
int mcc_targets_format(const mcc_tunnel_target *t, size_t n, char *out,
                       size_t outlen);
/* 1 when a packet of proto (MCC_PROTO_*) to port matches one of the
 * targets, else 0. */
int mcc_targets_match(const mcc_tunnel_target *t, size_t n, uint8_t proto,
                      uint16_t port);

/* ---- the tunnel file ----------------------------------------------------- */

enum mcc_tunnel_role { MCC_TUNNEL_CLIENT = 1, MCC_TUNNEL_SERVER = 2 };

#define MCC_TUNNEL_PATH_MAX 1024
#define MCC_TUNNEL_NAMES_MAX 256

/* One tunnel file, NAME.conf, in mcc.conf's line syntax (`key = value`,
 * '#' comments, LF or CRLF; conf.h):
 *
 *   role = server | client             which end this node holds
 *   remote-node = ID                   the node at the other end
 *   peer-endpoint = ID                 the other end's endpoint key
 *   targets = tcp:80,udp:2222          what the server offers
 *   certificate = PATH                 this end's endpoint certificate
 *   private-key = PATH                 this end's endpoint private key
 *   external-ip-address = 0.0.0.0      server: a device on its LAN
 *   dns-names = light1,cam             server: names of its endpoint
 *   static-addr = 10.115.0.0/16        server: its endpoint's overlay address
 *
 * The first six are required, each key may appear once. Values:
 *   - remote-node, peer-endpoint: 52-character ids (mcc_id_from_text), not
 *     the same key;
 *   - targets: mcc_targets_parse;
 *   - certificate, private-key: a relative path is taken from the tunnel
 *     file's directory (the directory part of mcc_tunnel_conf_parse's
 *     name), so the fields hold paths the host can open as they are;
 *   - external-ip-address: an IPv4 address in an RFC 1918 network
 *     (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); 0.0.0.0 or empty: none;
 *   - dns-names: comma-separated names as the resolver takes them
 *     (mcc_resolve_check_name), stored joined by bare commas; like the
 *     node's dns-names, at most MCC_MAX_EXTRA_LEN bytes in a record (each
 *     name its length + 2); empty: none;
 *   - static-addr: ADDRESS or ADDRESS/PREFIX in 10.115.0.0/16 (the
 *     manual's static range: a tunnel file cannot claim a LAN address);
 *     as for the node's static-addr, no host part under the prefix
 *     (10.115.0.0/16, the default) means none, and so do 10.115.0.0 and
 *     an empty value.
 * external-ip-address, dns-names and static-addr describe the server
 * endpoint: a client's file (role = client) may not set them. */
typedef struct mcc_tunnel_conf {
  enum mcc_tunnel_role role;
  mcc_id remote_node;
  mcc_id peer_endpoint;
  mcc_tunnel_target targets[MCC_TUNNEL_MAX_TARGETS];
  size_t ntargets;
  char certificate[MCC_TUNNEL_PATH_MAX];
  char private_key[MCC_TUNNEL_PATH_MAX];
  uint32_t external_ip; /* host order; 0 = none; RFC 1918 only */
  char dns_names[MCC_TUNNEL_NAMES_MAX];
  uint32_t static_addr; /* host order; 0 = none */
} mcc_tunnel_conf;

/* Parses a tunnel file's text (len bytes, need not be NUL-terminated;
 * name, "tunnel.conf" when NULL, is the file's path: messages start with
 * it, and relative paths in the file are taken from its directory). The
 * first problem stops the parse, and err says where: "name:line: key:
 * what was expected, got '...'" for a bad line, an unknown key ("did you
 * mean"), a key given twice ("given twice, first at name:3"), a bad value,
 * a server-only key in a client's file; "name: missing key 'targets'; ..."
 * for a required key that no line gives. Returns 0; MCC_ERR_SYNTAX for a
 * malformed line, an unknown, repeated, missing or misplaced key;
 * MCC_ERR_VALUE for a bad value; MCC_ERR_INVALID_ARGUMENT (text NULL with
 * len > 0, out NULL, err NULL with errlen > 0). On error *out is zeroed. */
int mcc_tunnel_conf_parse(const char *name, const char *text, size_t len,
                          mcc_tunnel_conf *out, char *err, size_t errlen);

/* ---- the core's tunnels ------------------------------------------------- */

/* One end of a tunnel, as a node holds it. A session between the two
 * endpoint keys carries its traffic (Noise KK with the endpoint keys as
 * statics), routed between the two nodes; the targets filter it at both
 * ends (PROTOCOL.md, "Tunnels"). */
typedef struct mcc_tunnel {
  enum mcc_tunnel_role role;
  mcc_keypair endpoint; /* this end's key pair */
  mcc_cert cert;        /* this end's certificate: MCC_CERT_TUNNEL, subject
                           endpoint.pub, issued by a network key */
  mcc_id peer_endpoint; /* the other end's endpoint key */
  mcc_id remote_node;   /* the node that holds the other end */
  mcc_tunnel_target targets[MCC_TUNNEL_MAX_TARGETS];
  size_t ntargets;
  /* Server of an external tunnel: its packets are delivered to the
   * server endpoint's own address (resolver), for the host to forward to
   * this LAN device (DNAT) and its replies back; 0: to the node's. */
  uint32_t external_ip; /* host order, RFC 1918 */
} mcc_tunnel;

/* Adds a tunnel, or replaces the one with the same peer endpoint (its
 * session goes). MCC_ERR_INVALID_ARGUMENT for a certificate that is not
 * this end's tunnel-endpoint certificate, no targets, a peer endpoint
 * that is a key of ours; MCC_ERR_NOMEM. */
int mcc_node_tunnel_add(mcc_node *node, const mcc_tunnel *t, uint64_t now);
/* Removes the tunnel to peer_endpoint: its session and keys go at once,
 * so its traffic stops; other tunnels and the node's links are untouched.
 * MCC_ERR_NO_ROUTE when there is none. */
int mcc_node_tunnel_remove(mcc_node *node, const mcc_id *peer_endpoint,
                           uint64_t now);
size_t mcc_node_tunnel_count(const mcc_node *node);

/* What `mcc nodes` shows of tunnel i (0 .. count - 1): no keys. */
typedef struct mcc_tunnel_info {
  enum mcc_tunnel_role role;
  mcc_id endpoint, peer_endpoint, remote_node;
  mcc_tunnel_target targets[MCC_TUNNEL_MAX_TARGETS];
  size_t ntargets;
  uint32_t external_ip; /* server of an external tunnel: the device; or 0 */
  int in_force; /* its certificate is valid now */
} mcc_tunnel_info;
int mcc_node_tunnel_get(const mcc_node *node, size_t i, mcc_tunnel_info *info);

#ifdef __cplusplus
}
#endif

#endif
