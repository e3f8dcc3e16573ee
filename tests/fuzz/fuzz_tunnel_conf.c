/*
 * fuzz_tunnel_conf.c — libFuzzer harness for the tunnel file and the
 * targets syntax (tunnel_conf.c). The input, copied into a buffer of
 * exactly its size (so that ASan sees any read past it, also under the
 * replay main), is parsed twice: as a tunnel file and as a targets list.
 * Invariants on what is accepted:
 *   - every field is in its documented range (targets disjoint and valid,
 *     external address RFC 1918, static address in 10.115.0.0/16, names
 *     the resolver takes, paths NUL-terminated);
 *   - targets format and parse back to the same targets, and match their
 *     own ends but never port 0;
 *   - a file written back from the parsed fields parses to the same
 *     fields (what the parser keeps, it can read).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

static int same_targets(const mcc_tunnel_target *a, size_t na,
                        const mcc_tunnel_target *b, size_t nb) {
  if (na != nb) return 0;
  for (size_t i = 0; i < na; i++)
    if (a[i].proto != b[i].proto || a[i].port_lo != b[i].port_lo ||
        a[i].port_hi != b[i].port_hi)
      return 0;
  return 1;
}

static void check_targets(const mcc_tunnel_target *t, size_t n) {
  char text[MCC_TUNNEL_TARGETS_TEXT_MAX];
  mcc_tunnel_target back[MCC_TUNNEL_MAX_TARGETS];
  size_t nback;
  CHECK(n >= 1 && n <= MCC_TUNNEL_MAX_TARGETS);
  for (size_t i = 0; i < n; i++) {
    CHECK(t[i].proto == MCC_PROTO_TCP || t[i].proto == MCC_PROTO_UDP);
    CHECK(t[i].port_lo >= 1 && t[i].port_lo <= t[i].port_hi);
    for (size_t j = 0; j < i; j++)
      CHECK(t[j].proto != t[i].proto || t[j].port_hi < t[i].port_lo ||
            t[i].port_hi < t[j].port_lo);
    CHECK(mcc_targets_match(t, n, t[i].proto, t[i].port_lo));
    CHECK(mcc_targets_match(t, n, t[i].proto, t[i].port_hi));
  }
  CHECK(!mcc_targets_match(t, n, MCC_PROTO_TCP, 0));
  CHECK(!mcc_targets_match(t, n, MCC_PROTO_UDP, 0));
  CHECK(mcc_targets_format(t, n, text, sizeof text) == 0);
  CHECK(mcc_targets_parse(text, strlen(text), back, MCC_TUNNEL_MAX_TARGETS,
                          &nback, NULL, 0) == 0);
  CHECK(same_targets(t, n, back, nback));
}

static void ipv4_text(uint32_t a, char out[16]) {
  snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
           a & 255);
}

static void check_names(const char *names) {
  size_t start = 0, len = strlen(names);
  CHECK(len < MCC_TUNNEL_NAMES_MAX);
  for (size_t i = 0; i <= len; i++) {
    if (i < len && names[i] != ',') continue;
    CHECK(mcc_resolve_check_name(names + start, i - start) == 0);
    start = i + 1;
  }
}

/* The file written back from c, parsed under a name without a directory
 * (so the paths, already joined, stay as they are). */
static void check_rewrite(const mcc_tunnel_conf *c) {
  static char text[4 * MCC_TUNNEL_PATH_MAX];
  char remote[MCC_ID_TEXT_LEN + 1], peer[MCC_ID_TEXT_LEN + 1];
  char targets[MCC_TUNNEL_TARGETS_TEXT_MAX], ext[16], st[16], err[512];
  mcc_id_to_text(&c->remote_node, remote);
  mcc_id_to_text(&c->peer_endpoint, peer);
  CHECK(mcc_targets_format(c->targets, c->ntargets, targets, sizeof targets) ==
        0);
  int n = snprintf(text, sizeof text,
                   "role = %s\nremote-node = %s\npeer-endpoint = %s\n"
                   "targets = %s\ncertificate = %s\nprivate-key = %s\n",
                   c->role == MCC_TUNNEL_SERVER ? "server" : "client", remote,
                   peer, targets, c->certificate, c->private_key);
  CHECK(n > 0 && (size_t)n < sizeof text);
  if (c->role == MCC_TUNNEL_SERVER) {
    ipv4_text(c->external_ip, ext);
    int m = snprintf(text + n, sizeof text - (size_t)n,
                     "external-ip-address = %s\n", ext);
    CHECK(m > 0 && (size_t)m < sizeof text - (size_t)n);
    n += m;
  }
  ipv4_text(c->static_addr, st);
  int m = snprintf(text + n, sizeof text - (size_t)n,
                   "dns-names = %s\nstatic-addr = %s\n", c->dns_names,
                   c->static_addr ? st : "10.115.0.0");
  CHECK(m > 0 && (size_t)m < sizeof text - (size_t)n);
  mcc_tunnel_conf back;
  CHECK(mcc_tunnel_conf_parse("t.conf", text, strlen(text), &back, err,
                              sizeof err) == 0);
  CHECK(back.role == c->role);
  CHECK(!memcmp(&back.remote_node, &c->remote_node, sizeof back.remote_node));
  CHECK(!memcmp(&back.peer_endpoint, &c->peer_endpoint,
                sizeof back.peer_endpoint));
  CHECK(same_targets(back.targets, back.ntargets, c->targets, c->ntargets));
  CHECK(!strcmp(back.certificate, c->certificate));
  CHECK(!strcmp(back.private_key, c->private_key));
  CHECK(back.external_ip == c->external_ip);
  CHECK(!strcmp(back.dns_names, c->dns_names));
  CHECK(back.static_addr == c->static_addr);
}

static void check_conf(const mcc_tunnel_conf *c) {
  CHECK(c->role == MCC_TUNNEL_SERVER || c->role == MCC_TUNNEL_CLIENT);
  CHECK(memcmp(&c->remote_node, &c->peer_endpoint, sizeof c->remote_node));
  check_targets(c->targets, c->ntargets);
  CHECK(memchr(c->certificate, 0, sizeof c->certificate));
  CHECK(memchr(c->private_key, 0, sizeof c->private_key));
  CHECK(c->certificate[0] && c->private_key[0]);
  uint32_t e = c->external_ip;
  CHECK(e == 0 || (e >> 24) == 10 || (e >> 20) == 0xac1 || (e >> 16) == 0xc0a8);
  CHECK(c->static_addr == 0 || (c->static_addr >> 16) == 0x0a73);
  if (c->role == MCC_TUNNEL_CLIENT) CHECK(!c->external_ip);
  CHECK(memchr(c->dns_names, 0, sizeof c->dns_names));
  if (c->dns_names[0]) check_names(c->dns_names);
  check_rewrite(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size ? size : 1);
  if (!text) return 0;
  if (size) memcpy(text, data, size);
  char err[512];

  mcc_tunnel_conf conf;
  if (mcc_tunnel_conf_parse("fuzz/t.conf", text, size, &conf, err,
                            sizeof err) == 0)
    check_conf(&conf);
  CHECK(memchr(err, 0, sizeof err));

  mcc_tunnel_target t[MCC_TUNNEL_MAX_TARGETS];
  size_t n;
  if (mcc_targets_parse(text, size, t, MCC_TUNNEL_MAX_TARGETS, &n, err,
                        sizeof err) == 0)
    check_targets(t, n);
  CHECK(memchr(err, 0, sizeof err));

  free(text);
  return 0;
}
