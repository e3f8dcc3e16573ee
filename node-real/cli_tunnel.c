/*
 * cli_tunnel.c — `mcc create-tunnel` (the manual's command), run on the
 * server node. It makes the two endpoints of a tunnel, each a fresh key
 * pair with a tunnel-endpoint certificate (kind 3) signed by the network
 * key, and writes both halves:
 *
 *   OUTPUT-DIR/NAME.conf, NAME.key (0600), NAME.crt     role = server,
 *       this node's half, read by mccd from its tunnels directory;
 *   OUTPUT-DIR/NAME.client/NAME.conf, NAME.key, NAME.crt  role = client,
 *       the client node's half, which the operator copies to the client's
 *       tunnels directory and then deletes here (the directory is 0700,
 *       and mccd does not look into subdirectories).
 *
 * Each file names the other end: remote-node (the other node) and
 * peer-endpoint (the other endpoint's key). This node's id comes from its
 * certificate as mcc.conf in -C DIR names it, or from --local-node. The
 * values are checked by the tunnel file parser itself (tunnel_conf.c)
 * before anything is written, so what create-tunnel writes mccd reads.
 * NAME.conf is written last, so a daemon watching the directory never
 * sees a tunnel whose key or certificate is not there yet.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mcc/conf.h>
#include <mcc/tunnel.h>

#include "cli.h"
#include "cli_util.h"
#include "keyfile.h"

#define DEFAULT_TUNNELS_DIR MCC_DEFAULT_CONFIG_DIR "/tunnels"
#define NAME_MAX_LEN 64
#define CONF_TEXT_MAX 4096
#define CONF_MAX_BYTES (1u << 20)

enum {
  OPT_TARGETS = CLI_OPT_FIRST_FREE,
  OPT_REMOTE,
  OPT_DNS,
  OPT_STATIC,
  OPT_EXTERNAL,
  OPT_NAME,
  OPT_LOCAL
};

static const char usage[] =
    "mcc create-tunnel [-p NETCERT] [--stdin] --targets LIST --remote-node "
    "ID\n      [--dns-names LIST] [--static-ip-address ADDR] "
    "[--external-ip-address ADDR]\n      [--name NAME] [--local-node ID] "
    "[-C DIR] [--days N] [-y] [OUTPUT-DIR]";
static const char help_text[] =
    "Creates a tunnel between this node (the server) and the node\n"
    "--remote-node (the client): two endpoint key pairs, each with a tunnel\n"
    "certificate signed by the network key. Writes this node's half into\n"
    "OUTPUT-DIR (default " DEFAULT_TUNNELS_DIR
    "): NAME.conf, NAME.key, NAME.crt;\n"
    "and the client's half into OUTPUT-DIR/NAME.client/, to be copied into\n"
    "the client node's tunnels directory (the command to do so is printed).\n"
    "Both nodes must trust each other (trusted-networks, trusted-nodes).\n\n"
    "  -p, --parent FILE            the network certificate\n"
    "                               (default " MCC_DEFAULT_CONFIG_DIR
    "/network-certificate.txt)\n"
    "      --stdin                  read the network private key from\n"
    "                               standard input (default:\n"
    "                               network-private-key.txt next to FILE)\n"
    "      --targets LIST           what the server offers, protocol:port\n"
    "                               items: tcp:80,udp:2222,tcp:8000-8080\n"
    "                               (required)\n"
    "      --remote-node ID         the client node's id (required)\n"
    "      --dns-names LIST         names of the server endpoint (cam,light1)\n"
    "      --static-ip-address ADDR the server endpoint's static address in\n"
    "                               10.115.0.0/16 (10.115.0.0/16: none)\n"
    "      --external-ip-address ADDR  forward the tunnel to this device on\n"
    "                               the server's LAN; RFC 1918 IPv4 only\n"
    "                               (0.0.0.0: none)\n"
    "      --name NAME              file names (default tunnel-XXXXXXXX, the\n"
    "                               server endpoint id's first characters)\n"
    "      --local-node ID          this node's id (default: the subject of\n"
    "                               its certificate, as DIR/mcc.conf says)\n"
    "  -C, --config-dir DIR         this node's configuration directory\n"
    "                               (default " MCC_DEFAULT_CONFIG_DIR
    ")\n"
    "      --days N                 validity in days, 1-36500 (default 3650;\n"
    "                               never past the network certificate's)\n"
    "  -y, --force                  overwrite existing files\n"
    "  -h, --help                   print this help\n\n"
    "Example, an IP camera at 192.168.1.20 on this node's LAN for node ID:\n"
    "  mcc create-tunnel --remote-node ID --targets tcp:80 \\\n"
    "      --external-ip-address 192.168.1.20 --name cam\n";

typedef struct request {
  const char *cmd;
  const char *targets, *remote, *dns, *static_addr, *external, *name, *local;
  const char *net_path, *config_dir, *out_dir;
  int from_stdin, force;
  unsigned days;
} request;

/* ---- checking what was asked ------------------------------------------- */

/* No value of a tunnel file holds a control character or '#' (the start
 * of a comment): refused here rather than cut or split in the file. */
static int plain_value(const char *cmd, const char *option, const char *v) {
  for (const char *p = v; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '#') {
      cli_errorf(cmd, "%s: '%s' holds '#' or a control character", option, v);
      return -1;
    }
  return 0;
}

static int parse_node_id(const char *cmd, const char *option, const char *v,
                         mcc_id *id) {
  int rv = mcc_id_from_text(id, v, strlen(v));
  if (rv == 0) return 0;
  cli_errorf(cmd,
             "%s: expected a node id of 52 characters of 0-9 a-z without i, "
             "l, o, u, got '%s' (%s)",
             option, v, mcc_strerror(rv));
  return -1;
}

/* A file name: letters, digits, '-', '_', '.', not starting with '.' or
 * '-'. */
static int check_name(const char *cmd, const char *name) {
  size_t len = strlen(name);
  int ok = len >= 1 && len <= NAME_MAX_LEN && name[0] != '.' && name[0] != '-';
  for (size_t i = 0; ok && i < len; i++) {
    char c = name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  }
  if (ok) return 0;
  cli_errorf(cmd,
             "--name: expected 1-%d letters, digits, '-', '_' or '.' (not "
             "first: '.', '-'), got '%s'",
             NAME_MAX_LEN, name);
  return -1;
}

/* mcc.conf's errors (its warnings are mccd's business). */
static void print_diag(void *user_data, int is_error, const char *msg) {
  if (is_error) cli_errorf(user_data, "%s", msg);
}

/* This node's id: the subject of its node certificate, found as mccd
 * finds it (mcc.conf in config_dir, or the defaults when there is none). */
static int local_node_id(const request *r, mcc_id *id) {
  if (r->local) return parse_node_id(r->cmd, "--local-node", r->local, id);
  char conf_path[PATH_MAX], path[PATH_MAX], err[CLI_ERR_LEN];
  mcc_conf *conf;
  if (cli_join(r->cmd, conf_path, r->config_dir, "mcc.conf") != 0) return -1;
  if (mcc_conf_new(&conf) != 0) {
    cli_errorf(r->cmd, "out of memory");
    return -1;
  }
  char *text = NULL;
  size_t len;
  struct stat st;
  int rv = 0;
  if (stat(conf_path, &st) == 0) {
    rv = keyfile_read_file(conf_path, CONF_MAX_BYTES, &text, &len, err,
                           sizeof err);
    if (rv == 0 && mcc_conf_parse(conf, conf_path, text, len, print_diag,
                                  (void *)r->cmd) != 0) {
      snprintf(err, sizeof err, "%s: does not parse", conf_path);
      rv = -1;
    }
    free(text);
  }
  mcc_cert cert;
  if (rv == 0)
    rv = keyfile_conf_path(conf, "node-certificate", 0, r->config_dir, path,
                           sizeof path, err, sizeof err);
  if (rv == 0) rv = keyfile_read_cert(path, &cert, err, sizeof err);
  if (rv == 0 && cert.kind != MCC_CERT_NODE) {
    snprintf(err, sizeof err, "%s: not a node certificate", path);
    rv = -1;
  }
  mcc_conf_free(conf);
  if (rv != 0) {
    cli_errorf(r->cmd, "%s (or give this node's id with --local-node ID)", err);
    return -1;
  }
  *id = cert.subject;
  return 0;
}

/* ---- the two files ---------------------------------------------------- */

typedef struct endpoint {
  mcc_keypair kp;
  mcc_cert cert;
  char id[MCC_ID_TEXT_LEN + 1];
} endpoint;

static int append(char *out, size_t outlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int append(char *out, size_t outlen, const char *fmt, ...) {
  size_t used = strlen(out);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + used, outlen - used, fmt, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= outlen - used ? -1 : 0;
}

/* The text of one half: role, the other node and endpoint, the targets,
 * and (server) the endpoint's address and names. */
static int format_half(char *out, size_t outlen, const request *r, int server,
                       const char *name, const char *targets,
                       const char *other_node, const endpoint *self,
                       const endpoint *peer, uint64_t now) {
  char when[KEYFILE_UTC_LEN + 1];
  out[0] = '\0';
  const char *role = server ? "server" : "client";
  int bad = append(out, outlen,
                   "# Tunnel %s, %s side: written by 'mcc create-tunnel' on "
                   "%s.\n# This endpoint: %s\n",
                   name, role, keyfile_format_utc(now, when), self->id);
  if (!server)
    bad |= append(out, outlen,
                  "# Goes into the tunnels directory of node %s, with %s.key "
                  "and %s.crt.\n",
                  r->remote, name, name);
  bad |= append(out, outlen,
                "role = %s\nremote-node = %s\npeer-endpoint = %s\n"
                "targets = %s\ncertificate = %s.crt\nprivate-key = %s.key\n",
                role, other_node, peer->id, targets, name, name);
  if (server && r->external)
    bad |= append(out, outlen, "external-ip-address = %s\n", r->external);
  if (r->dns) bad |= append(out, outlen, "dns-names = %s\n", r->dns);
  if (r->static_addr)
    bad |= append(out, outlen, "static-addr = %s\n", r->static_addr);
  return bad;
}

/* The parser's verdict on a text, as the option that gave the value. */
static int check_half(const char *cmd, const char *path, const char *text) {
  mcc_tunnel_conf conf;
  char err[512];
  if (mcc_tunnel_conf_parse(path, text, strlen(text), &conf, err, sizeof err) ==
      0)
    return 0;
  /* "path:line: key: why" -> "--key: why" */
  const char *msg = err + strlen(path);
  if (*msg == ':') msg += 1 + strspn(msg + 1, "0123456789");
  if (!strncmp(msg, ": ", 2)) msg += 2;
  if (!strncmp(msg, "static-addr:", 12))
    cli_errorf(cmd, "--static-ip-address:%s", msg + 12);
  else if (!strncmp(msg, "dns-names:", 10) ||
           !strncmp(msg, "external-ip-address:", 20))
    cli_errorf(cmd, "--%s", msg);
  else
    cli_errorf(cmd, "%s", err);
  return -1;
}

/* A path as a shell word: as it is when it is plain, else in quotes. */
static void print_shell_word(const char *s) {
  if (strspn(s,
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "0123456789/._-+:@,") == strlen(s)) {
    fputs(s, stdout);
    return;
  }
  putchar('\'');
  for (; *s; s++) *s == '\'' ? fputs("'\\''", stdout) : putchar(*s);
  putchar('\'');
}

/* ---- mcc create-tunnel --------------------------------------------------- */

/* 0, 2 (bad usage, said) or -1 (help printed). */
static int parse_options(request *r, int argc, char **argv) {
  static const struct option opts[] = {
      {"parent", required_argument, NULL, 'p'},
      {"network-certificate", required_argument, NULL, 'p'},
      {"stdin", no_argument, NULL, CLI_OPT_STDIN},
      {"targets", required_argument, NULL, OPT_TARGETS},
      {"remote-node", required_argument, NULL, OPT_REMOTE},
      {"dns-names", required_argument, NULL, OPT_DNS},
      {"static-ip-address", required_argument, NULL, OPT_STATIC},
      {"external-ip-address", required_argument, NULL, OPT_EXTERNAL},
      {"name", required_argument, NULL, OPT_NAME},
      {"local-node", required_argument, NULL, OPT_LOCAL},
      {"config-dir", required_argument, NULL, 'C'},
      {"days", required_argument, NULL, CLI_OPT_DAYS},
      {"force", no_argument, NULL, 'y'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":p:C:yh", opts, NULL)) != -1) {
    switch (c) {
    case 'p': r->net_path = optarg; break;
    case CLI_OPT_STDIN: r->from_stdin = 1; break;
    case OPT_TARGETS: r->targets = optarg; break;
    case OPT_REMOTE: r->remote = optarg; break;
    case OPT_DNS: r->dns = optarg; break;
    case OPT_STATIC: r->static_addr = optarg; break;
    case OPT_EXTERNAL: r->external = optarg; break;
    case OPT_NAME: r->name = optarg; break;
    case OPT_LOCAL: r->local = optarg; break;
    case 'C': r->config_dir = optarg; break;
    case CLI_OPT_DAYS:
      if (cli_parse_days(r->cmd, optarg, &r->days) != 0) return 2;
      break;
    case 'y': r->force = 1; break;
    case 'h': cli_help(usage, help_text); return -1;
    default: return cli_bad_option(r->cmd, usage, c, argv);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error(r->cmd, usage, "too many arguments");
  if (!r->targets)
    return cli_usage_error(r->cmd, usage, "--targets is required");
  if (!r->remote)
    return cli_usage_error(r->cmd, usage, "--remote-node is required");
  if (optind < argc) r->out_dir = argv[optind];
  return 0;
}

int cli_create_tunnel(int argc, char **argv) {
  request r = {.cmd = argv[0],
               .net_path = MCC_DEFAULT_CONFIG_DIR "/" KEYFILE_NETWORK_CERT,
               .config_dir = MCC_DEFAULT_CONFIG_DIR,
               .out_dir = DEFAULT_TUNNELS_DIR,
               .days = CLI_DEFAULT_DAYS};
  const char *cmd = r.cmd;
  int prv = parse_options(&r, argc, argv);
  if (prv != 0) return prv < 0 ? 0 : prv;
  cli_writes w = {.cmd = cmd, .force = r.force};

  /* What was asked, before any key is read. */
  static const char *const names[] = {"--targets", "--dns-names",
                                      "--static-ip-address",
                                      "--external-ip-address", "--name"};
  const char *values[] = {r.targets, r.dns, r.static_addr, r.external, r.name};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (values[i] && plain_value(cmd, names[i], values[i]) != 0) return 1;
  mcc_tunnel_target targets[MCC_TUNNEL_MAX_TARGETS];
  size_t ntargets;
  char targets_text[MCC_TUNNEL_TARGETS_TEXT_MAX], err[CLI_ERR_LEN];
  if (mcc_targets_parse(r.targets, strlen(r.targets), targets,
                        MCC_TUNNEL_MAX_TARGETS, &ntargets, err,
                        sizeof err) != 0) {
    cli_errorf(cmd, "--targets: %s", err);
    return 1;
  }
  mcc_targets_format(targets, ntargets, targets_text, sizeof targets_text);
  mcc_id remote, local;
  if (parse_node_id(cmd, "--remote-node", r.remote, &remote) != 0 ||
      (r.name && check_name(cmd, r.name) != 0) ||
      local_node_id(&r, &local) != 0)
    return 1;
  if (memcmp(remote.key, local.key, MCC_KEY_LEN) == 0) {
    cli_errorf(cmd,
               "--remote-node: that is this node's own id; a tunnel joins "
               "this node to another");
    return 1;
  }
  char remote_text[MCC_ID_TEXT_LEN + 1], local_text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&remote, remote_text);
  mcc_id_to_text(&local, local_text);

  /* The endpoints. */
  uint64_t now = (uint64_t)time(NULL);
  mcc_cert net_cert;
  mcc_keypair network;
  if (cli_read_network_cert(cmd, r.net_path, &net_cert, now) != 0 ||
      cli_network_key(cmd, r.from_stdin, r.net_path, &net_cert, &network) != 0)
    return 1;
  int rv = 1;
  endpoint server, client;
  if (cli_make_cert(cmd, MCC_CERT_TUNNEL, &network, &net_cert, r.days, now,
                    &server.kp, &server.cert) != 0 ||
      cli_make_cert(cmd, MCC_CERT_TUNNEL, &network, &net_cert, r.days, now,
                    &client.kp, &client.cert) != 0)
    goto out;
  mcc_id_to_text(&server.kp.pub, server.id);
  mcc_id_to_text(&client.kp.pub, client.id);
  char name[NAME_MAX_LEN + 1];
  snprintf(name, sizeof name, "%s", r.name ? r.name : "");
  if (!r.name) snprintf(name, sizeof name, "tunnel-%.8s", server.id);

  /* The files: all checked, then written; NAME.conf last. */
  char bundle[PATH_MAX], file[PATH_MAX], path[6][PATH_MAX];
  static char text[2][CONF_TEXT_MAX];
  static const char *const ext[3] = {".key", ".crt", ".conf"};
  snprintf(file, sizeof file, "%s.client", name);
  if (cli_join(cmd, bundle, r.out_dir, file) != 0) goto out;
  for (int i = 0; i < 3; i++) {
    snprintf(file, sizeof file, "%s%s", name, ext[i]);
    if (cli_join(cmd, path[i], r.out_dir, file) != 0 ||
        cli_join(cmd, path[3 + i], bundle, file) != 0)
      goto out;
  }
  if (format_half(text[0], sizeof text[0], &r, 1, name, targets_text,
                  remote_text, &server, &client, now) != 0 ||
      format_half(text[1], sizeof text[1], &r, 0, name, targets_text,
                  local_text, &client, &server, now) != 0) {
    cli_errorf(cmd, "the tunnel file would be too long");
    goto out;
  }
  if (check_half(cmd, path[2], text[0]) != 0 ||
      check_half(cmd, path[5], text[1]) != 0)
    goto out;
  for (int i = 0; i < 6; i++)
    if (cli_check_absent(&w, path[i]) != 0) goto out;
  if (cli_mkdir_p(cmd, r.out_dir) != 0) goto out;
  int made_bundle = mkdir(bundle, 0700) == 0;
  if (!made_bundle && errno != EEXIST) {
    cli_errorf(cmd, "%s: %s", bundle, strerror(errno));
    goto out;
  }
  if (cli_write_key(&w, path[0], &server.kp) != 0 ||
      cli_write_cert(&w, path[1], &server.cert) != 0 ||
      cli_write_key(&w, path[3], &client.kp) != 0 ||
      cli_write_cert(&w, path[4], &client.cert) != 0 ||
      cli_write_text(&w, path[5], text[1], KEYFILE_MODE_PUBLIC) != 0 ||
      cli_write_text(&w, path[2], text[0], KEYFILE_MODE_PUBLIC) != 0) {
    if (made_bundle && !w.force) rmdir(bundle);
    goto out;
  }
  printf("Tunnel %s (%s), valid until %s:\n", name, targets_text,
         keyfile_format_utc(server.cert.not_after, file));
  printf("  server endpoint %s on this node %s:\n    %s, %s.key, %s.crt\n",
         server.id, local_text, path[2], name, name);
  printf("  client endpoint %s for node %s:\n    %s, %s.key, %s.crt\n",
         client.id, remote_text, path[5], name, name);
  printf(
      "Copy the client's half into the tunnels directory of node %s, "
      "then delete it here:\n  scp -p ",
      remote_text);
  print_shell_word(bundle);
  printf("/%s.* root@CLIENT:" DEFAULT_TUNNELS_DIR "/ && rm -r ", name);
  print_shell_word(bundle);
  printf("\n");
  fflush(stdout);
  rv = 0;
out:
  sodium_memzero(&network, sizeof network);
  sodium_memzero(&server.kp, sizeof server.kp);
  sodium_memzero(&client.kp, sizeof client.kp);
  return rv;
}
