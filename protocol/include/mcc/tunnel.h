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

/* "tcp:80,udp:2222,tcp:8000-8080": comma-separated, no spaces inside an
 * item (spaces around items are ignored), at most MCC_TUNNEL_MAX_TARGETS.
 * Refused (MCC_ERR_VALUE, one message in err naming the item): an unknown
 * protocol, a port 0 or above 65535, a range whose low end is above its
 * high end, an empty item, too many items. */
int mcc_targets_parse(const char *text, size_t len, mcc_tunnel_target *out,
                      size_t max, size_t *pn, char *err, size_t errlen);
/* The text form, as parsed (ranges of one port as "tcp:80"). */
int mcc_targets_format(const mcc_tunnel_target *t, size_t n, char *out,
                       size_t outlen);
/* 1 when a packet of proto to port matches one of the targets. */
int mcc_targets_match(const mcc_tunnel_target *t, size_t n, uint8_t proto,
                      uint16_t port);

/* ---- the tunnel file ----------------------------------------------------- */

enum mcc_tunnel_role { MCC_TUNNEL_CLIENT = 1, MCC_TUNNEL_SERVER = 2 };

#define MCC_TUNNEL_PATH_MAX 1024
#define MCC_TUNNEL_NAMES_MAX 256

/* One tunnel file, NAME.conf:
 *
 *   role = server | client             which end this node holds
 *   remote-node = ID                   the node at the other end
 *   peer-endpoint = ID                 the other end's endpoint key
 *   targets = tcp:80,udp:2222          what the server offers
 *   certificate = PATH                 this end's endpoint certificate
 *   private-key = PATH                 this end's endpoint private key
 *   external-ip-address = 0.0.0.0      server: a device on its LAN
 *   dns-names = light1,cam             names of the server endpoint
 *   static-addr = 10.115.0.0           server endpoint's overlay address
 *
 * Relative paths are relative to the file's directory. The manual's
 * defaults: external-ip-address 0.0.0.0 (none), static-addr 10.115.0.0
 * (none). */
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

/* Parses a tunnel file's text (name: for messages, "file:line: ..."). Every
 * key at most once; unknown keys, bad values and missing required keys
 * (role, remote-node, peer-endpoint, targets, certificate, private-key) are
 * MCC_ERR_SYNTAX / MCC_ERR_VALUE with file:line in err. */
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

#ifdef __cplusplus
}
#endif

#endif
