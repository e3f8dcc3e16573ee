/*
 * tunnel_conf.c — the tunnel file (NAME.conf in the `tunnels` directory)
 * and the targets syntax (mcc/tunnel.h). The lines read as mcc.conf's do
 * (conf_lex.c); the keys and their checks are here. The first problem
 * stops the parse: a tunnel file is refused whole, never half applied.
 *
 * Choices where the manual is silent, for a zero-trust product:
 *   - targets: a port covered twice for one protocol (a duplicate or two
 *     overlapping ranges) is refused as a likely typo, so that the targets
 *     of a parsed file are disjoint and keep the order written;
 *   - static-addr must lie in 10.115.0.0/16, the manual's static range:
 *     the client routes the endpoint's address into the overlay, and a
 *     tunnel file must not be able to take a LAN address over;
 *   - external-ip-address names the server's LAN device, so only the
 *     server's file may set it; dns-names and static-addr name the server
 *     endpoint, and they are used on the client node (the only node where
 *     the endpoint resolves), so both files may hold them (create-tunnel
 *     writes them in both).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#include "conf_lex.h"

#define WHY_MAX 384 /* one value's complaint */

/* ---- targets ------------------------------------------------------------ */

static const char targets_example[] =
    "protocol:port or protocol:low-high such as tcp:80 or udp:8000-8080";



/* The next comma-separated item of [*pp, end), trimmed; 0 past the last. */
static int next_item(const char **pp, const char *end, int *pmore,
                     const char **pitem, size_t *plen) {
  if (!*pmore) return 0;
  const char *p = *pp;
  const char *comma = memchr(p, ',', (size_t)(end - p));
  const char *stop = comma ? comma : end;
  *pitem = p;
  *plen = (size_t)(stop - p);
  conf_trim(pitem, plen);
  *pmore = comma != NULL;
  *pp = comma ? comma + 1 : end;
  return 1;
}

static size_t count_items(const char *s, size_t len) {
  size_t n = 1;
  for (size_t i = 0; i < len; i++) n += s[i] == ',';
  return n;
}

/* One port: 0, or -1 with why set. */
static int item_port(const char *s, size_t len, uint16_t *pport, char *why,
                     size_t whylen) {
  char found[CONF_QUOTE_LEN];
  uint64_t v;
  int rv = conf_parse_u64(s, len, &v);
  if (rv == -1) {
    snprintf(why, whylen, "port '%s' is not a number",
             conf_quote(found, sizeof found, s, len));
    return -1;
  }
  if (rv == -2 || v == 0 || v > 65535) {
    snprintf(why, whylen, "port %s is out of range 1-65535",
             conf_quote(found, sizeof found, s, len));
    return -1;
  }
  *pport = (uint16_t)v;
  return 0;
}

/* "tcp:80" or "udp:8000-8080": 0, or -1 with why set. */
static int parse_target(const char *s, size_t len, mcc_tunnel_target *t,
                        char *why, size_t whylen) {
  char found[CONF_QUOTE_LEN];
  const char *colon = memchr(s, ':', len);
  if (!colon) return snprintf(why, whylen, "expected %s", targets_example), -1;
  size_t plen = (size_t)(colon - s);
  if (conf_eq_nocase(s, plen, "tcp"))
    t->proto = MCC_PROTO_TCP;
  else if (conf_eq_nocase(s, plen, "udp"))
    t->proto = MCC_PROTO_UDP;
  else
    return snprintf(why, whylen, "unknown protocol '%s' (tcp or udp)",
                    conf_quote(found, sizeof found, s, plen)),
           -1;
  const char *ports = colon + 1, *end = s + len;
  const char *dash = memchr(ports, '-', (size_t)(end - ports));
  const char *lo_end = dash ? dash : end;
  if (item_port(ports, (size_t)(lo_end - ports), &t->port_lo, why, whylen))
    return -1;
  t->port_hi = t->port_lo;
  if (!dash) return 0;
  if (item_port(dash + 1, (size_t)(end - dash - 1), &t->port_hi, why, whylen))
    return -1;
  if (t->port_lo > t->port_hi)
    return snprintf(why, whylen,
                    "range %u-%u has its low end above its high end",
                    t->port_lo, t->port_hi),
           -1;
  return 0;
}

static int overlap(const mcc_tunnel_target *a, const mcc_tunnel_target *b) {
  return a->proto == b->proto && a->port_lo <= b->port_hi &&
         b->port_lo <= a->port_hi;
}

int mcc_targets_parse(const char *text, size_t len, mcc_tunnel_target *out,
                      size_t max, size_t *pn, char *err, size_t errlen) {
  char why[WHY_MAX], found[CONF_QUOTE_LEN], first[CONF_QUOTE_LEN];
  if (err && errlen) err[0] = '\0';
  if ((!text && len) || (!out && max) || !pn || (!err && errlen))
    return MCC_ERR_INVALID_ARGUMENT;
  *pn = 0;
  size_t limit = max < MCC_TUNNEL_MAX_TARGETS ? max : MCC_TUNNEL_MAX_TARGETS;
  const char *p = text, *end = text + len, *item;
  size_t ilen, n = 0;
  conf_trim(&p, &len);
  end = p + len;
  if (len == 0)
    return conf_fail(err, errlen, MCC_ERR_VALUE, "no targets: expected %s",
                targets_example);
  size_t count = count_items(p, len);
  if (count > limit)
    return conf_fail(err, errlen, MCC_ERR_VALUE, "%zu items, at most %zu", count,
                limit);
  for (int more = 1; next_item(&p, end, &more, &item, &ilen); n++) {
    if (ilen == 0)
      return conf_fail(err, errlen, MCC_ERR_VALUE, "item %zu is empty", n + 1);
    if (parse_target(item, ilen, &out[n], why, sizeof why) != 0)
      return conf_fail(err, errlen, MCC_ERR_VALUE, "item %zu '%s': %s", n + 1,
                  conf_quote(found, sizeof found, item, ilen), why);
    for (size_t j = 0; j < n; j++)
      if (overlap(&out[j], &out[n])) {
        mcc_targets_format(&out[j], 1, first, sizeof first);
        return conf_fail(err, errlen, MCC_ERR_VALUE,
                    "item %zu '%s' covers ports of item %zu '%s' again", n + 1,
                    conf_quote(found, sizeof found, item, ilen), j + 1, first);
      }
  }
  *pn = n;
  return 0;
}

int mcc_targets_format(const mcc_tunnel_target *t, size_t n, char *out,
                       size_t outlen) {
  if ((!t && n) || !out || !outlen) return MCC_ERR_INVALID_ARGUMENT;
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *proto = t[i].proto == MCC_PROTO_TCP   ? "tcp"
                        : t[i].proto == MCC_PROTO_UDP ? "udp"
                                                      : NULL;
    if (!proto || t[i].port_lo == 0 || t[i].port_lo > t[i].port_hi) {
      out[0] = '\0';
      return MCC_ERR_INVALID_ARGUMENT;
    }
    int w = t[i].port_lo == t[i].port_hi
                ? snprintf(out + used, outlen - used, "%s%s:%u", i ? "," : "",
                           proto, t[i].port_lo)
                : snprintf(out + used, outlen - used, "%s%s:%u-%u",
                           i ? "," : "", proto, t[i].port_lo, t[i].port_hi);
    if (w < 0 || (size_t)w >= outlen - used) {
      out[0] = '\0';
      return MCC_ERR_LIMIT;
    }
    used += (size_t)w;
  }
  return 0;
}

int mcc_targets_match(const mcc_tunnel_target *t, size_t n, uint8_t proto,
                      uint16_t port) {
  for (size_t i = 0; t && i < n; i++)
    if (t[i].proto == proto && port >= t[i].port_lo && port <= t[i].port_hi)
      return 1;
  return 0;
}

/* ---- the file's keys ----------------------------------------------------- */

enum {
  K_ROLE,
  K_REMOTE_NODE,
  K_PEER_ENDPOINT,
  K_TARGETS,
  K_CERTIFICATE,
  K_PRIVATE_KEY,
  K_EXTERNAL_IP,
  K_DNS_NAMES,
  K_STATIC_ADDR,
  NKEYS
};

static const struct {
  const char *name;
  int required;    /* else optional, with a default */
  int server_only; /* describes the server endpoint */
} keys[NKEYS] = {
    [K_ROLE] = {"role", 1, 0},
    [K_REMOTE_NODE] = {"remote-node", 1, 0},
    [K_PEER_ENDPOINT] = {"peer-endpoint", 1, 0},
    [K_TARGETS] = {"targets", 1, 0},
    [K_CERTIFICATE] = {"certificate", 1, 0},
    [K_PRIVATE_KEY] = {"private-key", 1, 0},
    [K_EXTERNAL_IP] = {"external-ip-address", 0, 1},
    [K_DNS_NAMES] = {"dns-names", 0, 0},
    [K_STATIC_ADDR] = {"static-addr", 0, 0},
};

static const char required_list[] =
    "role, remote-node, peer-endpoint, targets, certificate, private-key";

#define STATIC_NET 0x0a730000u /* 10.115.0.0/16 */
#define STATIC_MASK 0xffff0000u

static uint32_t load_ipv4(const uint8_t ip[4]) {
  return (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 |
         ip[3];
}

static int is_rfc1918(uint32_t a) {
  return (a & 0xff000000u) == 0x0a000000u || /* 10.0.0.0/8 */
         (a & 0xfff00000u) == 0xac100000u || /* 172.16.0.0/12 */
         (a & 0xffff0000u) == 0xc0a80000u;   /* 192.168.0.0/16 */
}

typedef struct parse_ctx {
  const char *name; /* for messages */
  const char *dir;  /* name's directory part, dirlen bytes with its '/' */
  size_t dirlen;
  size_t line;
  size_t first_line[NKEYS]; /* the line that gave each key, 0 for none */
  char *err;
  size_t errlen;
} parse_ctx;

static int at_line(parse_ctx *p, int rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int at_line(parse_ctx *p, int rv, const char *fmt, ...) {
  if (!p->errlen) return rv;
  int n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, p->line);
  if (n < 0 || (size_t)n >= p->errlen) return rv;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return rv;
}

static int parse_id(const char *s, size_t len, mcc_id *id, char *why,
                    size_t whylen) {
  char found[CONF_QUOTE_LEN];
  int rv = mcc_id_from_text(id, s, len);
  if (rv == 0) return 0;
  snprintf(why, whylen,
           "expected a node id of 52 characters of 0-9 a-z without i, l, o, "
           "u, got '%s' (%s)",
           conf_quote(found, sizeof found, s, len), mcc_strerror(rv));
  return MCC_ERR_VALUE;
}

/* A relative path is taken from the tunnel file's directory. */
static int parse_path(const parse_ctx *p, const char *s, size_t len,
                      char out[MCC_TUNNEL_PATH_MAX], char *why, size_t whylen) {
  if (len == 0)
    return snprintf(why, whylen, "expected a file path, got an empty value"),
           MCC_ERR_VALUE;
  size_t dirlen = s[0] == '/' ? 0 : p->dirlen;
  if (dirlen + len >= MCC_TUNNEL_PATH_MAX)
    return snprintf(why, whylen, "a path of %zu bytes is too long (at most %d)",
                    dirlen + len, MCC_TUNNEL_PATH_MAX - 1),
           MCC_ERR_VALUE;
  memcpy(out, p->dir, dirlen);
  memcpy(out + dirlen, s, len);
  out[dirlen + len] = '\0';
  return 0;
}

static int parse_external(const char *s, size_t len, uint32_t *pip, char *why,
                          size_t whylen) {
  char found[CONF_QUOTE_LEN];
  uint8_t ip[4];
  *pip = 0;
  if (len == 0) return 0;
  if (!conf_pton(AF_INET, s, len, ip))
    return snprintf(why, whylen,
                    "expected an IPv4 address such as 192.168.1.20 (or "
                    "0.0.0.0 for none), got '%s'",
                    conf_quote(found, sizeof found, s, len)),
           MCC_ERR_VALUE;
  uint32_t a = load_ipv4(ip);
  if (a != 0 && !is_rfc1918(a))
    return snprintf(why, whylen,
                    "%s is not a private address: only RFC 1918 networks "
                    "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) are "
                    "allowed, or 0.0.0.0 for none",
                    conf_quote(found, sizeof found, s, len)),
           MCC_ERR_VALUE;
  *pip = a;
  return 0;
}

/* The node's static-addr rule (conf.c): no host part under the prefix
 * means none, and so does the bare network address 10.115.0.0. */
static int parse_static(const char *s, size_t len, uint32_t *paddr, char *why,
                        size_t whylen) {
  char found[CONF_QUOTE_LEN];
  uint8_t ip[4];
  unsigned prefix = 32;
  *paddr = 0;
  if (len == 0) return 0;
  int ok = memchr(s, '/', len)
               ? conf_parse_cidr(AF_INET, s, len, ip, &prefix) == 0
               : conf_pton(AF_INET, s, len, ip);
  uint32_t a = ok ? load_ipv4(ip) : 0;
  if (!ok || (a & STATIC_MASK) != STATIC_NET)
    return snprintf(why, whylen,
                    "expected an address in 10.115.0.0/16 such as 10.115.0.7 "
                    "(10.115.0.0/16 means none), got '%s'",
                    conf_quote(found, sizeof found, s, len)),
           MCC_ERR_VALUE;
  uint32_t host_mask = prefix >= 32 ? 0 : UINT32_MAX >> prefix;
  if (a == STATIC_NET || (prefix < 31 && (a & host_mask) == 0)) return 0;
  *paddr = a;
  return 0;
}

/* Names as the resolver takes them (mcc_resolve_check_name), joined by bare
 * commas; like the node's dns-names they must fit in a record. */
static int parse_names(const char *s, size_t len,
                       char out[MCC_TUNNEL_NAMES_MAX], char *why,
                       size_t whylen) {
  char found[CONF_QUOTE_LEN];
  const char *p = s, *end = s + len, *item;
  size_t ilen, used = 0, record = 0, n = 0;
  out[0] = '\0';
  if (len == 0) return 0;
  for (int more = 1; next_item(&p, end, &more, &item, &ilen); n++) {
    if (ilen == 0)
      return snprintf(why, whylen, "item %zu is empty", n + 1), MCC_ERR_VALUE;
    if (mcc_resolve_check_name(item, ilen) != 0)
      return snprintf(why, whylen,
                      "item %zu '%s' is not a DNS name (labels of letters, "
                      "digits and '-', 1-63 characters each)",
                      n + 1, conf_quote(found, sizeof found, item, ilen)),
             MCC_ERR_VALUE;
    record += ilen + 2;
    if (record > MCC_MAX_EXTRA_LEN || used + !!n + ilen >= MCC_TUNNEL_NAMES_MAX)
      return snprintf(why, whylen,
                      "too long: at most %d bytes in the endpoint's record, "
                      "each name taking its length + 2",
                      MCC_MAX_EXTRA_LEN),
             MCC_ERR_VALUE;
    if (n) out[used++] = ',';
    memcpy(out + used, item, ilen);
    used += ilen;
    out[used] = '\0';
  }
  return 0;
}

/* One value: 0, or an error code with why set. */
static int parse_value(parse_ctx *p, int k, const char *s, size_t len,
                       mcc_tunnel_conf *out, char *why, size_t whylen) {
  char found[CONF_QUOTE_LEN];
  switch (k) {
  case K_ROLE:
    if (len == 6 && memcmp(s, "server", 6) == 0)
      out->role = MCC_TUNNEL_SERVER;
    else if (len == 6 && memcmp(s, "client", 6) == 0)
      out->role = MCC_TUNNEL_CLIENT;
    else
      return snprintf(why, whylen, "expected server or client, got '%s'",
                      conf_quote(found, sizeof found, s, len)),
             MCC_ERR_VALUE;
    return 0;
  case K_REMOTE_NODE: return parse_id(s, len, &out->remote_node, why, whylen);
  case K_PEER_ENDPOINT:
    return parse_id(s, len, &out->peer_endpoint, why, whylen);
  case K_TARGETS:
    return mcc_targets_parse(s, len, out->targets, MCC_TUNNEL_MAX_TARGETS,
                             &out->ntargets, why, whylen);
  case K_CERTIFICATE:
    return parse_path(p, s, len, out->certificate, why, whylen);
  case K_PRIVATE_KEY:
    return parse_path(p, s, len, out->private_key, why, whylen);
  case K_EXTERNAL_IP:
    return parse_external(s, len, &out->external_ip, why, whylen);
  case K_DNS_NAMES: return parse_names(s, len, out->dns_names, why, whylen);
  default: return parse_static(s, len, &out->static_addr, why, whylen);
  }
}

static int find_key(const char *s, size_t len) {
  for (int k = 0; k < NKEYS; k++)
    if (strlen(keys[k].name) == len && memcmp(keys[k].name, s, len) == 0)
      return k;
  return -1;
}

static int parse_line(parse_ctx *p, const char *s, size_t len,
                      mcc_tunnel_conf *out) {
  char why[WHY_MAX], found[CONF_QUOTE_LEN];
  conf_line l;
  int kind = conf_lex_line(s, len, &l, why, sizeof why);
  if (kind == CONF_LINE_EMPTY) return 0;
  if (kind == CONF_LINE_BAD) return at_line(p, MCC_ERR_SYNTAX, "%s", why);
  int k = find_key(l.key, l.klen);
  if (k < 0) {
    const char *near = NULL;
    for (int i = 0; i < NKEYS && !near; i++)
      if (conf_distance(l.key, l.klen, keys[i].name) <= 2) near = keys[i].name;
    return at_line(p, MCC_ERR_SYNTAX,
                   "unknown key '%s'%s%s%s; a tunnel file has %s, "
                   "external-ip-address, dns-names, static-addr",
                   conf_quote(found, sizeof found, l.key, l.klen),
                   near ? " (did you mean '" : "", near ? near : "",
                   near ? "'?)" : "", required_list);
  }
  if (p->first_line[k])
    return at_line(p, MCC_ERR_SYNTAX,
                   "%s: given twice, first at %s:%zu; a key may appear once",
                   keys[k].name, p->name, p->first_line[k]);
  p->first_line[k] = p->line;
  size_t column = conf_control_column(l.val, l.vlen);
  if (column)
    return at_line(p, MCC_ERR_VALUE, "%s: control character at column %zu",
                   keys[k].name, column);
  int rv = parse_value(p, k, l.val, l.vlen, out, why, sizeof why);
  if (rv != 0) return at_line(p, rv, "%s: %s", keys[k].name, why);
  return 0;
}

/* What a whole file must hold, once every line was read. */
static int check_file(parse_ctx *p, const mcc_tunnel_conf *out) {
  for (int k = 0; k < NKEYS; k++)
    if (keys[k].required && !p->first_line[k]) {
      if (p->errlen)
        snprintf(p->err, p->errlen,
                 "%s: missing key '%s'; a tunnel file needs %s", p->name,
                 keys[k].name, required_list);
      return MCC_ERR_SYNTAX;
    }
  if (out->role == MCC_TUNNEL_CLIENT)
    for (int k = 0; k < NKEYS; k++)
      if (keys[k].server_only && p->first_line[k]) {
        p->line = p->first_line[k];
        return at_line(p, MCC_ERR_SYNTAX,
                       "%s: only the server's tunnel file may set it, and "
                       "%s:%zu says role = client",
                       keys[k].name, p->name, p->first_line[K_ROLE]);
      }
  if (memcmp(out->remote_node.key, out->peer_endpoint.key, MCC_KEY_LEN) == 0) {
    p->line = p->first_line[K_PEER_ENDPOINT];
    return at_line(p, MCC_ERR_VALUE,
                   "peer-endpoint: the same key as remote-node (%s:%zu); "
                   "each end of a tunnel has its own key pair",
                   p->name, p->first_line[K_REMOTE_NODE]);
  }
  return 0;
}

int mcc_tunnel_conf_parse(const char *name, const char *text, size_t len,
                          mcc_tunnel_conf *out, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if ((!text && len) || !out || (!err && errlen))
    return MCC_ERR_INVALID_ARGUMENT;
  parse_ctx p = {
      .name = name ? name : "tunnel.conf", .err = err, .errlen = errlen};
  const char *slash = strrchr(p.name, '/');
  p.dir = p.name;
  p.dirlen = slash ? (size_t)(slash - p.name) + 1 : 0;
  memset(out, 0, sizeof *out);
  size_t pos = 0, linelen;
  const char *line;
  int rv = 0;
  while (rv == 0 && conf_lex_next(text, len, &pos, &line, &linelen)) {
    p.line++;
    rv = parse_line(&p, line, linelen, out);
  }
  if (rv == 0) rv = check_file(&p, out);
  if (rv != 0) memset(out, 0, sizeof *out);
  return rv;
}
