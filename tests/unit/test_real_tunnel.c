/*
 * test_real_tunnel.c — `mcc create-tunnel` (cli_tunnel.c) run in-process
 * in a temporary directory:
 *
 *   net/  network-private-key.txt, network-certificate.txt
 *   srv/  node-certificate.txt            this (server) node
 *   out/  cam.conf cam.key cam.crt        written: the server's half
 *         cam.client/cam.conf .key .crt   written: the client's half
 *
 * Both tunnel files parse back with mcc_tunnel_conf_parse and name each
 * other's endpoint; the certificates are tunnel certificates of the
 * endpoint keys signed by the network key; private keys are 0600; mccd's
 * loader (tunnels.c) puts each half in force in its node, from a relative
 * directory too. Every refusal names the option at fault and writes
 * nothing.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#include "cli.h"
#include "keyfile.h"
#include "log.h"
#include "realutil.h"
#include "suites.h"
#include "testutil.h"
#include "tunnels.h"

#define DAY_S 86400u

static char root[PATH_MAX];

typedef struct lab {
  mcc_keypair network, server_node, client_node;
  mcc_cert server_cert, client_cert;
  char net_cert[PATH_MAX], net_key[PATH_MAX], srv[PATH_MAX], out[PATH_MAX];
  char client_id[MCC_ID_TEXT_LEN + 1], server_id[MCC_ID_TEXT_LEN + 1];
  uint64_t now;
} lab;

/* A network, this node's certificate in srv/, and a client node id. */
static void lab_begin(lab *l) {
  rt_tmp_begin(root, "tunnel");
  l->now = (uint64_t)time(NULL);
  test_keys(&l->network, 21);
  test_keys(&l->server_node, 22);
  test_keys(&l->client_node, 23);
  mcc_keypair authority;
  test_keys(&authority, 20);
  mcc_cert net_cert;
  uint32_t from = (uint32_t)l->now - 100, to = (uint32_t)(l->now + 365 * DAY_S);
  mcc_cert_sign(&net_cert, MCC_CERT_NETWORK, &l->network.pub, &authority, from,
                to);
  mcc_cert_sign(&l->server_cert, MCC_CERT_NODE, &l->server_node.pub,
                &l->network, from, to);
  mcc_cert_sign(&l->client_cert, MCC_CERT_NODE, &l->client_node.pub,
                &l->network, from, to);
  char dir[PATH_MAX], path[PATH_MAX];
  rt_fmt(dir, sizeof dir, "%s/net", root);
  CU_ASSERT_EQUAL_FATAL(keyfile_mkdirs(dir, NULL, 0), 0);
  rt_fmt(l->net_cert, sizeof l->net_cert, "%s/" KEYFILE_NETWORK_CERT, dir);
  rt_fmt(l->net_key, sizeof l->net_key, "%s/" KEYFILE_NETWORK_KEY, dir);
  CU_ASSERT_EQUAL(keyfile_write_cert(l->net_cert, &net_cert, 0, NULL, 0), 0);
  CU_ASSERT_EQUAL(keyfile_write_keypair(l->net_key, &l->network, 0, NULL, 0),
                  0);
  rt_fmt(l->srv, sizeof l->srv, "%s/srv", root);
  CU_ASSERT_EQUAL_FATAL(keyfile_mkdirs(l->srv, NULL, 0), 0);
  rt_fmt(path, sizeof path, "%s/" KEYFILE_NODE_CERT, l->srv);
  CU_ASSERT_EQUAL(keyfile_write_cert(path, &l->server_cert, 0, NULL, 0), 0);
  rt_fmt(l->out, sizeof l->out, "%s/out", root);
  mcc_id_to_text(&l->client_node.pub, l->client_id);
  mcc_id_to_text(&l->server_node.pub, l->server_id);
}

static void lab_end(void) { rt_tmp_end(root); }

/* Reads and parses one tunnel file. */
static int load_conf(const char *path, mcc_tunnel_conf *c) {
  char text[4096], err[512];
  size_t n = rt_read_text(path, text, sizeof text);
  int rv = mcc_tunnel_conf_parse(path, text, n, c, err, sizeof err);
  if (rv != 0) printf("\n  %s\n", err);
  return rv;
}

/* The endpoint of c: its key 0600, its certificate a tunnel certificate
 * of that key by the network, valid now. */
static void check_endpoint(const lab *l, const mcc_tunnel_conf *c, mcc_id *pid,
                           uint32_t *pnot_after) {
  mcc_keypair kp;
  mcc_cert cert;
  char err[512];
  CU_ASSERT_EQUAL(rt_mode_of(c->private_key), 0600);
  CU_ASSERT_EQUAL(rt_mode_of(c->certificate), 0644);
  CU_ASSERT_EQUAL_FATAL(
      keyfile_read_keypair(c->private_key, &kp, err, sizeof err), 0);
  CU_ASSERT_EQUAL_FATAL(
      keyfile_read_cert(c->certificate, &cert, err, sizeof err), 0);
  CU_ASSERT_EQUAL(cert.kind, MCC_CERT_TUNNEL);
  CU_ASSERT_EQUAL(memcmp(&cert.subject, &kp.pub, sizeof kp.pub), 0);
  CU_ASSERT_EQUAL(memcmp(&cert.issuer, &l->network.pub, sizeof kp.pub), 0);
  CU_ASSERT_EQUAL(mcc_cert_verify(&cert, l->now), 0);
  CU_ASSERT_EQUAL(
      keyfile_check_cert("t", &cert, MCC_CERT_TUNNEL, l->now, err, sizeof err),
      0);
  *pid = kp.pub;
  *pnot_after = cert.not_after;
  sodium_memzero(&kp, sizeof kp);
}

static int same_id(const mcc_id *a, const mcc_id *b) {
  return memcmp(a->key, b->key, MCC_KEY_LEN) == 0;
}

static void test_real_tunnel_create(void) {
  lab l;
  lab_begin(&l);
  rt_out o;
  char *args[] = {"create-tunnel",
                  "-p",
                  l.net_cert,
                  "-C",
                  l.srv,
                  "--remote-node",
                  l.client_id,
                  "--targets",
                  "tcp:80, udp:2222,tcp:8000-8080",
                  "--external-ip-address",
                  "192.168.1.20",
                  "--dns-names",
                  "cam,light1",
                  "--static-ip-address",
                  "10.115.0.7",
                  "--name",
                  "cam",
                  "--days",
                  "30",
                  l.out,
                  NULL};
  CU_ASSERT_EQUAL_FATAL(rt_run(cli_create_tunnel, root, NULL, &o, args), 0);
  CU_ASSERT_STRING_EQUAL(o.err, "");

  char path[PATH_MAX], bundle[PATH_MAX];
  mcc_tunnel_conf s, c;
  rt_fmt(path, sizeof path, "%s/cam.conf", l.out);
  CU_ASSERT_EQUAL_FATAL(load_conf(path, &s), 0);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0644);
  rt_fmt(bundle, sizeof bundle, "%s/cam.client", l.out);
  CU_ASSERT_EQUAL(rt_mode_of(bundle), 0700);
  CU_ASSERT_EQUAL(rt_count_entries(bundle), 3);
  CU_ASSERT_EQUAL(rt_count_entries(l.out), 4);
  rt_fmt(path, sizeof path, "%s/cam.conf", bundle);
  CU_ASSERT_EQUAL_FATAL(load_conf(path, &c), 0);

  /* The server's half. */
  char want[PATH_MAX], targets[MCC_TUNNEL_TARGETS_TEXT_MAX];
  CU_ASSERT_EQUAL(s.role, MCC_TUNNEL_SERVER);
  CU_ASSERT(same_id(&s.remote_node, &l.client_node.pub));
  CU_ASSERT_EQUAL(
      mcc_targets_format(s.targets, s.ntargets, targets, sizeof targets), 0);
  CU_ASSERT_STRING_EQUAL(targets, "tcp:80,udp:2222,tcp:8000-8080");
  CU_ASSERT_EQUAL(s.external_ip, 0xc0a80114u);
  CU_ASSERT_STRING_EQUAL(s.dns_names, "cam,light1");
  CU_ASSERT_EQUAL(s.static_addr, 0x0a730007u);
  rt_fmt(want, sizeof want, "%s/cam.crt", l.out);
  CU_ASSERT_STRING_EQUAL(s.certificate, want);
  /* The client's half: the same targets and the server endpoint's names
   * and static address (they resolve there), not the LAN device. */
  CU_ASSERT_EQUAL(c.role, MCC_TUNNEL_CLIENT);
  CU_ASSERT(same_id(&c.remote_node, &l.server_node.pub));
  CU_ASSERT_EQUAL(c.ntargets, 3);
  CU_ASSERT_EQUAL(c.external_ip, 0);
  CU_ASSERT_STRING_EQUAL(c.dns_names, "cam,light1");
  CU_ASSERT_EQUAL(c.static_addr, 0x0a730007u);
  rt_fmt(want, sizeof want, "%s/cam.key", bundle);
  CU_ASSERT_STRING_EQUAL(c.private_key, want);

  /* Each file names the other's endpoint; the keys are new ones. */
  mcc_id server_ep, client_ep;
  uint32_t not_after;
  check_endpoint(&l, &s, &server_ep, &not_after);
  CU_ASSERT(not_after >= l.now + 30 * DAY_S - 100 &&
            not_after <= l.now + 30 * DAY_S + 100);
  check_endpoint(&l, &c, &client_ep, &not_after);
  CU_ASSERT(same_id(&s.peer_endpoint, &client_ep));
  CU_ASSERT(same_id(&c.peer_endpoint, &server_ep));
  CU_ASSERT(!same_id(&server_ep, &client_ep));
  CU_ASSERT(!same_id(&server_ep, &l.server_node.pub));

  /* What it printed: both endpoints and the command for the client. */
  char id[MCC_ID_TEXT_LEN + 1], cmd[2 * PATH_MAX];
  mcc_id_to_text(&server_ep, id);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, id));
  mcc_id_to_text(&client_ep, id);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, id));
  rt_fmt(cmd, sizeof cmd,
         "scp -p %s/cam.* root@CLIENT:/etc/mcc/tunnels/ && rm -r %s\n", bundle,
         bundle);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, cmd));

  /* Again: refused, nothing changed; with -y: new endpoints. */
  char before[4096], after[4096];
  rt_fmt(path, sizeof path, "%s/cam.conf", l.out);
  rt_read_text(path, before, sizeof before);
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, args), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "exists (use -y to overwrite)"));
  rt_read_text(path, after, sizeof after);
  CU_ASSERT_STRING_EQUAL(before, after);
  char *forced[] = {
      "create-tunnel", "-y",        "-p",        l.net_cert, "-C",     l.srv,
      "--remote-node", l.client_id, "--targets", "udp:53",   "--name", "cam",
      l.out,           NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, forced), 0);
  CU_ASSERT_EQUAL_FATAL(load_conf(path, &s), 0);
  CU_ASSERT(!same_id(&s.peer_endpoint, &client_ep));
  CU_ASSERT_EQUAL(s.targets[0].proto, MCC_PROTO_UDP);
  CU_ASSERT_EQUAL(s.external_ip, 0);
  lab_end();
}

/* The defaults: the name from the server endpoint's id; the network key
 * from standard input; this node's id given on the command line. */
static void test_real_tunnel_defaults(void) {
  lab l;
  lab_begin(&l);
  rt_out o;
  char nowhere[PATH_MAX];
  rt_fmt(nowhere, sizeof nowhere, "%s/nowhere", root);
  char *args[] = {"create-tunnel", "--stdin",   "--parent",
                  l.net_cert,      "-C",        nowhere,
                  "--local-node",  l.server_id, "--remote-node",
                  l.client_id,     "--targets", "tcp:22",
                  l.out,           NULL};
  CU_ASSERT_EQUAL_FATAL(rt_run(cli_create_tunnel, root, l.net_key, &o, args),
                        0);
  const char *name = strstr(o.out, "Tunnel tunnel-");
  CU_ASSERT_PTR_NOT_NULL_FATAL(name);
  char file[64], path[PATH_MAX];
  rt_fmt(file, sizeof file, "%.15s.conf", name + 7);
  rt_fmt(path, sizeof path, "%s/%s", l.out, file);
  mcc_tunnel_conf s, c;
  CU_ASSERT_EQUAL_FATAL(load_conf(path, &s), 0);
  mcc_id server_ep;
  uint32_t not_after;
  check_endpoint(&l, &s, &server_ep, &not_after);
  char id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&server_ep, id);
  CU_ASSERT_EQUAL(strncmp(file + 7, id, 8), 0); /* tunnel-<8 chars> */
  /* Never past the network certificate. */
  CU_ASSERT(not_after <= l.now + 365 * DAY_S);
  rt_fmt(path, sizeof path, "%s/%.15s.client/%s", l.out, name + 7, file);
  CU_ASSERT_EQUAL_FATAL(load_conf(path, &c), 0);
  CU_ASSERT(same_id(&c.remote_node, &l.server_node.pub));
  lab_end();
}

static void test_real_tunnel_refusals(void) {
  lab l;
  lab_begin(&l);
  static const struct {
    const char *option, *value;
    int rv;
    const char *err;
  } cases[] = {
      {"--targets", "tcp:0", 1,
       "--targets: item 1 'tcp:0': port 0 is out of range 1-65535"},
      {"--targets", "tcp:65536", 1,
       "--targets: item 1 'tcp:65536': port 65536 is out of range 1-65535"},
      {"--targets", "icmp:1", 1,
       "--targets: item 1 'icmp:1': unknown protocol 'icmp' (tcp or udp)"},
      {"--remote-node", "abc", 1,
       "--remote-node: expected a node id of 52 characters of 0-9 a-z "
       "without i, l, o, u, got 'abc' (node id must be 52 characters)"},
      {"--external-ip-address", "8.8.8.8", 1,
       "--external-ip-address: 8.8.8.8 is not a private address: only RFC "
       "1918 networks (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) are "
       "allowed, or 0.0.0.0 for none"},
      {"--external-ip-address", "camera", 1,
       "--external-ip-address: expected an IPv4 address such as "
       "192.168.1.20 (or 0.0.0.0 for none), got 'camera'"},
      {"--static-ip-address", "10.116.0.1", 1,
       "--static-ip-address: expected an address in 10.115.0.0/16 such as "
       "10.115.0.7 (10.115.0.0/16 means none), got '10.116.0.1'"},
      {"--dns-names", "a..b", 1,
       "--dns-names: item 1 'a..b' is not a DNS name (labels of letters, "
       "digits and '-', 1-63 characters each)"},
      {"--dns-names", "cam #x", 1,
       "--dns-names: 'cam #x' holds '#' or a control character"},
      {"--dns-names", "cam\nrole = client", 1,
       "--dns-names: 'cam\nrole = client' holds '#' or a control character"},
      {"--name", "../x", 1,
       "--name: expected 1-64 letters, digits, '-', '_' or '.' (not first: "
       "'.', '-'), got '../x'"},
      {"--local-node", NULL /* this node's own id as the remote */, 1,
       "--remote-node: that is this node's own id; a tunnel joins this node "
       "to another"},
      {"--days", "0", 2, "--days: expected an integer in range 1-36500"},
      {"--no-such", NULL, 2, "unknown option '--no-such'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rt_out o;
    char opt[32], val[64], targets[] = "tcp:80", *remote = l.client_id;
    rt_fmt(opt, sizeof opt, "%s", cases[i].option);
    rt_fmt(val, sizeof val, "%s", cases[i].value ? cases[i].value : "");
    char *args[16] = {"create-tunnel", "-p",    l.net_cert,      "-C",  l.srv,
                      "--targets",     targets, "--remote-node", remote};
    int n = 9;
    if (!strcmp(opt, "--local-node"))
      args[8] = l.server_id; /* -C's node is the server */
    else {
      args[n++] = opt;
      if (cases[i].value) args[n++] = val;
    }
    args[n++] = l.out;
    args[n] = NULL;
    int rv = rt_run(cli_create_tunnel, root, NULL, &o, args);
    if (rv != cases[i].rv || !strstr(o.err, cases[i].err))
      printf("\n  case %zu: rv %d, stderr: %s", i, rv, o.err);
    CU_ASSERT_EQUAL(rv, cases[i].rv);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err, cases[i].err));
    CU_ASSERT_EQUAL(rt_count_entries(l.out), 0);
  }

  rt_out o;
  char *missing[] = {"create-tunnel", "--targets", "tcp:80", l.out, NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, missing), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "--remote-node is required"));
  char *no_targets[] = {"create-tunnel", "--remote-node", l.client_id, NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, no_targets), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "--targets is required"));
  char *help[] = {"create-tunnel", "--help", NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, help), 0);
  CU_ASSERT_EQUAL(strncmp(o.out, "usage: mcc create-tunnel", 24), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--external-ip-address"));
  /* The wrong network key on standard input. */
  char other[PATH_MAX];
  mcc_keypair wrong;
  test_keys(&wrong, 99);
  rt_fmt(other, sizeof other, "%s/wrong-key.txt", root);
  CU_ASSERT_EQUAL(keyfile_write_keypair(other, &wrong, 0, NULL, 0), 0);
  char *stdin_args[] = {
      "create-tunnel", "--stdin",   "-p",        l.net_cert, "-C",  l.srv,
      "--remote-node", l.client_id, "--targets", "tcp:80",   l.out, NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, other, &o, stdin_args), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "not the private key of the network"));
  /* No node certificate where -C says. */
  char nowhere[PATH_MAX];
  rt_fmt(nowhere, sizeof nowhere, "%s/nowhere", root);
  char *no_node[] = {
      "create-tunnel", "-p",        l.net_cert, "-C",  nowhere, "--remote-node",
      l.client_id,     "--targets", "tcp:80",   l.out, NULL};
  CU_ASSERT_EQUAL(rt_run(cli_create_tunnel, root, NULL, &o, no_node), 1);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(o.err, "(or give this node's id with --local-node ID)"));
  CU_ASSERT_EQUAL(rt_count_entries(l.out), 0);
  lab_end();
}

/* ---- what mccd makes of it ------------------------------------------------
 */

static void no_send(void *user_data, const mcc_addr *to, const uint8_t *data,
                    size_t datalen) {}

static void random_bytes(void *user_data, uint8_t *out, size_t outlen) {
  randombytes_buf(out, outlen);
}

/* A lone node of the lab's network, the wall clock its time. */
static mcc_node *lab_node(const lab *l, const mcc_keypair *keys,
                          const mcc_cert *cert) {
  mcc_settings s;
  mcc_settings_default(&s);
  s.unix_time_at_zero_s = (int64_t)l->now;
  mcc_callbacks cb = {.send = no_send, .random = random_bytes};
  mcc_node *node = NULL;
  CU_ASSERT_EQUAL_FATAL(
      mcc_node_new(&node, &s, &cb, keys, cert, &l->network.pub, 1, 0), 0);
  return node;
}

/* The tunnels directory dir as mccd keeps it in step with node: the one
 * tunnel it holds then, or -1 for none. */
static int sync_one(daemon_tunnels *dt, mcc_node *node, const lab *l,
                    mcc_tunnel_info *info) {
  mcc_trust trust = {.networks = &l->network.pub, .networks_len = 1};
  daemon_tunnels_sync(dt, node, &trust, "mcc0", 0);
  if (daemon_tunnels_count(dt) != 1 || mcc_node_tunnel_count(node) != 1)
    return -1;
  return mcc_node_tunnel_get(node, 0, info);
}

static void test_real_tunnel_loaded_by_mccd(void) {
  lab l;
  lab_begin(&l);
  char cwd[PATH_MAX], log_path[PATH_MAX], log_text[4096];
  CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
  CU_ASSERT_EQUAL_FATAL(chdir(root), 0);
  rt_fmt(log_path, sizeof log_path, "%s/mccd.log", root);
  log_open(log_path, LOG_INFO);
  rt_out o;
  char *args[] = {
      "create-tunnel", "-p",        l.net_cert,  "-C",          l.srv,
      "--remote-node", l.client_id, "--targets", "tcp:80",      "--dns-names",
      "web",           "--name",    "web",       "--static-ip-address",
      "10.115.0.9",    "rel/tunnels", NULL};
  CU_ASSERT_EQUAL_FATAL(rt_run(cli_create_tunnel, root, NULL, &o, args), 0);

  mcc_node *server = lab_node(&l, &l.server_node, &l.server_cert);
  mcc_node *client = lab_node(&l, &l.client_node, &l.client_cert);
  daemon_tunnels ds, dc;
  daemon_tunnels_init(&ds, "rel/tunnels");
  daemon_tunnels_init(&dc, "rel/tunnels/web.client");
  mcc_tunnel_info s, c;
  CU_ASSERT_EQUAL_FATAL(sync_one(&ds, server, &l, &s), 0);
  CU_ASSERT_EQUAL_FATAL(sync_one(&dc, client, &l, &c), 0);
  CU_ASSERT_EQUAL(s.role, MCC_TUNNEL_SERVER);
  CU_ASSERT_EQUAL(c.role, MCC_TUNNEL_CLIENT);
  CU_ASSERT(same_id(&s.remote_node, &l.client_node.pub));
  CU_ASSERT(same_id(&c.remote_node, &l.server_node.pub));
  CU_ASSERT(same_id(&s.peer_endpoint, &c.endpoint));
  CU_ASSERT(same_id(&c.peer_endpoint, &s.endpoint));
  CU_ASSERT(s.in_force && c.in_force);
  CU_ASSERT_EQUAL(s.ntargets, 1);
  CU_ASSERT_EQUAL(c.targets[0].port_lo, 80);

  /* The client resolves the server endpoint by its name and its static
   * address; the server does not. */
  mcc_id got;
  uint8_t st[4] = {10, 115, 0, 9};
  mcc_resolver *cr = mcc_node_resolver(client), *sr = mcc_node_resolver(server);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(cr, "web.home.arpa", 13, &got), 0);
  CU_ASSERT(same_id(&got, &s.endpoint));
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(cr, st, &got, 0), 0);
  CU_ASSERT(same_id(&got, &s.endpoint));
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(sr, "web", 3, &got),
                  MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(sr, st, &got, 0), MCC_ERR_VALUE);
  /* A second client file with the same static address is refused whole. */
  char text[4096];
  rt_read_text("rel/tunnels/web.client/web.conf", text, sizeof text);
  FILE *f = fopen("rel/tunnels/web.client/copy.conf", "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char *pe = strstr(text, "peer-endpoint = ");
  CU_ASSERT_PTR_NOT_NULL_FATAL(pe);
  pe[16] = pe[16] == 'a' ? 'b' : 'a'; /* another server endpoint */
  fputs(text, f);
  fclose(f);
  daemon_tunnels_sync(&dc, client,
                      &(mcc_trust){.networks = &l.network.pub,
                                   .networks_len = 1},
                      "mcc0", 0);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(client), 1);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(cr, st, &got, 0), 0);
  CU_ASSERT(same_id(&got, &s.endpoint));
  /* The client's file gone: the name and the address go with it. */
  CU_ASSERT_EQUAL(unlink("rel/tunnels/web.client/web.conf"), 0);
  CU_ASSERT_EQUAL(unlink("rel/tunnels/web.client/copy.conf"), 0);
  daemon_tunnels_sync(&dc, client,
                      &(mcc_trust){.networks = &l.network.pub,
                                   .networks_len = 1},
                      "mcc0", 0);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(client), 0);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_name(cr, "web", 3, &got),
                  MCC_ERR_NO_ROUTE);
  CU_ASSERT_EQUAL(mcc_resolver_lookup_ipv4(cr, st, &got, 0), MCC_ERR_VALUE);

  /* The server's file gone: its tunnel goes. */
  CU_ASSERT_EQUAL(unlink("rel/tunnels/web.conf"), 0);
  CU_ASSERT_EQUAL(sync_one(&ds, server, &l, &s), -1);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(server), 0);
  log_close();
  log_open(NULL, LOG_INFO);
  rt_read_text(log_path, log_text, sizeof log_text);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(log_text, "rel/tunnels/web.conf: tunnel added"));
  CU_ASSERT_PTR_NOT_NULL(strstr(
      log_text, "copy.conf: static-addr 10.115.0.9: another tunnel's endpoint "
                "holds it (this tunnel is not in force)"));
  daemon_tunnels_clear(&ds);
  daemon_tunnels_clear(&dc);
  mcc_node_free(server);
  mcc_node_free(client);
  CU_ASSERT_EQUAL(chdir(cwd), 0);
  lab_end();
}

/* ---- bad files beside a good one ----------------------------------------
 */

/* text with its line that starts with key replaced by line (appended when
 * none does), written to path: the number of that line. */
static size_t write_changed(const char *path, const char *text,
                            const char *key, const char *line) {
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  size_t at = 0, n = 0;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
    n++;
    if (!at && strncmp(p, key, strlen(key)) == 0) {
      at = n;
      fprintf(f, "%s\n", line);
    } else {
      fwrite(p, 1, len, f);
    }
    p += len;
  }
  if (!at) {
    at = n + 1;
    fprintf(f, "%s\n", line);
  }
  CU_ASSERT_EQUAL(fclose(f), 0);
  return at;
}

/* The log's one line that holds want, into line; 0, or -1 when no line or
 * more than one does (a bad file is logged once). */
static int log_line(const char *log_path, const char *want, char *line,
                    size_t linelen) {
  static char text[65536];
  rt_read_text(log_path, text, sizeof text);
  const char *at = strstr(text, want);
  if (!at || strstr(at + 1, want)) return -1;
  const char *start = at, *end = strchr(at, '\n');
  while (start > text && start[-1] != '\n') start--;
  size_t n = end ? (size_t)(end - start) : strlen(start);
  if (n >= linelen) n = linelen - 1;
  memcpy(line, start, n);
  line[n] = '\0';
  return 0;
}

/* Bad files arrive one at a time beside a good one in the tunnels
 * directory: each is logged once, with its file and line and "(this tunnel
 * is not in force)", and holds no tunnel; the good tunnel stays in force
 * throughout. */
static void test_real_tunnel_bad_files_beside_good(void) {
  lab l;
  lab_begin(&l);
  char dir[PATH_MAX], log_path[PATH_MAX], good[PATH_MAX], text[4096];
  rt_fmt(dir, sizeof dir, "%s/tunnels", root);
  rt_fmt(log_path, sizeof log_path, "%s/mccd.log", root);
  rt_fmt(good, sizeof good, "%s/web.conf", dir);
  log_open(log_path, LOG_INFO);
  rt_out o;
  char *args[] = {"create-tunnel", "-p",        l.net_cert, "-C",
                  l.srv,           "--remote-node", l.client_id, "--targets",
                  "tcp:80",        "--name",    "web",      dir,
                  NULL};
  CU_ASSERT_EQUAL_FATAL(rt_run(cli_create_tunnel, root, NULL, &o, args), 0);
  rt_read_text(good, text, sizeof text);

  mcc_node *server = lab_node(&l, &l.server_node, &l.server_cert);
  mcc_trust trust = {.networks = &l.network.pub, .networks_len = 1};
  daemon_tunnels dt;
  daemon_tunnels_init(&dt, dir);
  mcc_tunnel_info web, now;
  CU_ASSERT_EQUAL_FATAL(sync_one(&dt, server, &l, &web), 0);
  CU_ASSERT_EQUAL(web.ntargets, 1);

  /* The same file with one line changed. */
  static const struct {
    const char *file, *key, *line, *says;
  } lines[] = {
      {"unknown-key.conf", "targets =", "colour = blue",
       "unknown key 'colour'"},
      {"port-zero.conf", "targets =", "targets = tcp:0",
       "targets: item 1 'tcp:0': port 0 is out of range 1-65535"},
      {"port-65536.conf", "targets =", "targets = tcp:80,udp:65536",
       "targets: item 2 'udp:65536': port 65536 is out of range 1-65535"},
      {"short-remote.conf", "remote-node =", "remote-node = abc",
       "remote-node: expected a node id of 52 characters"},
      {"public-ip.conf", "external-ip-address =",
       "external-ip-address = 8.8.8.8",
       "external-ip-address: 8.8.8.8 is not a private address"},
  };
  char path[PATH_MAX], want[2 * PATH_MAX], line[2048];
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    rt_fmt(path, sizeof path, "%s/%s", dir, lines[i].file);
    size_t at = write_changed(path, text, lines[i].key, lines[i].line);
    CU_ASSERT_EQUAL(sync_one(&dt, server, &l, &now), 0);
    CU_ASSERT_EQUAL(daemon_tunnels_count(&dt), 1);
    CU_ASSERT_EQUAL(mcc_node_tunnel_count(server), 1);
    CU_ASSERT(same_id(&now.peer_endpoint, &web.peer_endpoint));
    CU_ASSERT_EQUAL(now.ntargets, 1);
    rt_fmt(want, sizeof want, "%s:%zu: %s", path, at, lines[i].says);
    int found = log_line(log_path, want, line, sizeof line);
    if (found != 0) printf("\n  %s: not logged once: %s", lines[i].file, want);
    CU_ASSERT_EQUAL(found, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "(this tunnel is not in force)"));
  }

  /* A key others may read. */
  mcc_keypair endpoint;
  char key[PATH_MAX], err[512];
  rt_fmt(key, sizeof key, "%s/web.key", dir);
  CU_ASSERT_EQUAL_FATAL(keyfile_read_keypair(key, &endpoint, err, sizeof err),
                        0);
  rt_fmt(key, sizeof key, "%s/loose.key", dir);
  CU_ASSERT_EQUAL(keyfile_write_keypair(key, &endpoint, 0, NULL, 0), 0);
  CU_ASSERT_EQUAL(chmod(key, 0644), 0);
  /* A certificate of the endpoint key by another network. */
  mcc_keypair stranger;
  mcc_cert foreign;
  char crt[PATH_MAX];
  test_keys(&stranger, 24);
  mcc_cert_sign(&foreign, MCC_CERT_TUNNEL, &endpoint.pub, &stranger,
                (uint32_t)l.now - 100, (uint32_t)(l.now + 30 * DAY_S));
  rt_fmt(crt, sizeof crt, "%s/foreign.crt", dir);
  CU_ASSERT_EQUAL(keyfile_write_cert(crt, &foreign, 0, NULL, 0), 0);
  sodium_memzero(&endpoint, sizeof endpoint);
  uint8_t garbage[200];
  for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (uint8_t)i;
  /* A file given as key is the good text with that line changed (to
   * itself: a copy); without, line is its text, or garbage for NULL. */
  static const struct {
    const char *file, *key, *line, *says, *also;
  } files[] = {
      {"loose-key.conf", "private-key =", "private-key = loose.key",
       "loose-key.conf: private-key: ",
       "loose.key: private key readable or writable by group or others "
       "(mode 0644); fix: chmod 600 "},
      {"foreign-cert.conf", "certificate =", "certificate = foreign.crt",
       "foreign-cert.conf: certificate: ",
       "foreign.crt: not issued by a network this node trusts"},
      {"copy.conf", "role =", "role = server", "copy.conf: peer-endpoint: ",
       "web.conf already holds the tunnel to this endpoint"},
      {"empty.conf", NULL, "", "empty.conf: missing key 'role'", ""},
      {"garbage.conf", NULL, NULL, "garbage.conf:1: expected 'key = value'",
       ""},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    rt_fmt(path, sizeof path, "%s/%s", dir, files[i].file);
    if (files[i].key) {
      write_changed(path, text, files[i].key, files[i].line);
    } else {
      FILE *f = fopen(path, "w");
      CU_ASSERT_PTR_NOT_NULL_FATAL(f);
      if (!files[i].line) fwrite(garbage, 1, sizeof garbage, f);
      CU_ASSERT_EQUAL(fclose(f), 0);
    }
    CU_ASSERT_EQUAL(sync_one(&dt, server, &l, &now), 0);
    CU_ASSERT_EQUAL(daemon_tunnels_count(&dt), 1);
    CU_ASSERT_EQUAL(mcc_node_tunnel_count(server), 1);
    CU_ASSERT(same_id(&now.peer_endpoint, &web.peer_endpoint));
    CU_ASSERT(same_id(&now.endpoint, &web.endpoint));
    int found = log_line(log_path, files[i].says, line, sizeof line);
    if (found != 0)
      printf("\n  %s: not logged once: %s", files[i].file, files[i].says);
    CU_ASSERT_EQUAL(found, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, files[i].also));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "(this tunnel is not in force)"));
  }
  /* The copy gone: the good file's tunnel stays. */
  rt_fmt(path, sizeof path, "%s/copy.conf", dir);
  CU_ASSERT_EQUAL(unlink(path), 0);
  CU_ASSERT_EQUAL(sync_one(&dt, server, &l, &now), 0);
  CU_ASSERT(same_id(&now.endpoint, &web.endpoint));

  /* One bad file made a tunnel of its own, then the good one gone, then
   * that one: the count follows. */
  char *fix[] = {"create-tunnel", "-y",        "-p",        l.net_cert,
                 "-C",            l.srv,       "--remote-node", l.client_id,
                 "--targets",     "udp:53",    "--name",    "port-zero",
                 dir,             NULL};
  CU_ASSERT_EQUAL_FATAL(rt_run(cli_create_tunnel, root, NULL, &o, fix), 0);
  daemon_tunnels_sync(&dt, server, &trust, "mcc0", 0);
  CU_ASSERT_EQUAL(daemon_tunnels_count(&dt), 2);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(server), 2);
  CU_ASSERT_EQUAL(unlink(good), 0);
  CU_ASSERT_EQUAL(sync_one(&dt, server, &l, &now), 0);
  CU_ASSERT_EQUAL(now.targets[0].proto, MCC_PROTO_UDP);
  CU_ASSERT(!same_id(&now.peer_endpoint, &web.peer_endpoint));
  rt_fmt(path, sizeof path, "%s/port-zero.conf", dir);
  CU_ASSERT_EQUAL(unlink(path), 0);
  daemon_tunnels_sync(&dt, server, &trust, "mcc0", 0);
  CU_ASSERT_EQUAL(daemon_tunnels_count(&dt), 0);
  CU_ASSERT_EQUAL(mcc_node_tunnel_count(server), 0);
  /* The bad files were read once each: not logged again at every scan. */
  rt_fmt(want, sizeof want, "%s/port-65536.conf:", dir);
  CU_ASSERT_EQUAL(log_line(log_path, want, line, sizeof line), 0);
  log_close();
  log_open(NULL, LOG_INFO);
  daemon_tunnels_clear(&dt);
  mcc_node_free(server);
  lab_end();
}

void suite_real_tunnel(void) {
  CU_pSuite s = CU_add_suite("real_tunnel", NULL, NULL);
  ADD_TEST(s, test_real_tunnel_create);
  ADD_TEST(s, test_real_tunnel_defaults);
  ADD_TEST(s, test_real_tunnel_refusals);
  ADD_TEST(s, test_real_tunnel_loaded_by_mccd);
  ADD_TEST(s, test_real_tunnel_bad_files_beside_good);
}
