/*
 * cli_certs.c — the offline commands of `mcc`, which work on files and never
 * talk to the daemon: create the chain of trust (authority → network →
 * node), set a node up (`mcc init`), and show its certificates. File
 * formats and the overwrite rule are keyfile.h's.
 *
 * Choices where the manual is silent: certificates start an hour in the past
 * so that a clock slightly behind does not refuse them; a node certificate
 * never outlives its network certificate; every command checks all the
 * files it is about to write before writing any, and removes what it wrote
 * when a later write fails (without -y), so that a failed run can simply be
 * repeated. Output on stdout is only the one value a script wants.
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

#include "cli.h"
#include "cli_util.h"
#include "keyfile.h"

#define DEFAULT_PARENT_PORT "9376"
#define CONF_FILE "mcc.conf"
#define CONF_MAX_BYTES (1u << 20)

/* 1 when path holds exactly cert (then it need not be written again). */
static int holds_cert(const char *path, const mcc_cert *cert) {
  mcc_cert old;
  uint8_t a[MCC_CERT_LEN], b[MCC_CERT_LEN];
  if (keyfile_read_cert(path, &old, NULL, 0) != 0) return 0;
  mcc_cert_encode(&old, a);
  mcc_cert_encode(cert, b);
  return memcmp(a, b, sizeof a) == 0;
}

static void print_id(const mcc_id *id) {
  char text[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(id, text);
  printf("%s\n", text);
  fflush(stdout);
}

/* ---- mcc generate-authority --------------------------------------------- */

static const char authority_usage[] = "mcc generate-authority [-y] [DIR]";
static const char authority_help[] =
    "Creates an authority key pair in DIR (default .):\n"
    "DIR/authority-private-key.txt, and prints the authority id. The\n"
    "authority signs network certificates (mcc generate-network); keep its\n"
    "private key offline.\n\n"
    "  -y, --force  overwrite existing files\n"
    "  -h, --help   print this help\n";

int cli_generate_authority(int argc, char **argv) {
  static const struct option opts[] = {{"force", no_argument, NULL, 'y'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *cmd = argv[0];
  cli_writes w = {.cmd = cmd};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":yh", opts, NULL)) != -1) {
    switch (c) {
    case 'y': w.force = 1; break;
    case 'h': return cli_help(authority_usage, authority_help);
    default: return cli_bad_option(cmd, authority_usage, c, argv);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error(cmd, authority_usage, "too many arguments");
  const char *dir = optind < argc ? argv[optind] : ".";
  char path[PATH_MAX];
  if (cli_join(cmd, path, dir, KEYFILE_AUTHORITY_KEY) != 0 ||
      cli_check_absent(&w, path) != 0 || cli_mkdir_p(cmd, dir) != 0)
    return 1;
  mcc_keypair authority;
  if (mcc_keypair_generate(&authority) != 0) {
    cli_errorf(cmd, "cannot generate a key pair");
    return 1;
  }
  int rv = cli_write_key(&w, path, &authority);
  if (rv == 0) print_id(&authority.pub);
  sodium_memzero(&authority, sizeof authority);
  return rv ? 1 : 0;
}

/* ---- mcc generate-network ----------------------------------------------- */

static const char network_usage[] =
    "mcc generate-network [-a AUTHORITY-KEY-FILE] [--days N] [-y] [DIR]";
static const char network_help[] =
    "Creates a network key pair in DIR (default .) and its network\n"
    "certificate signed by the authority: DIR/network-private-key.txt and\n"
    "DIR/network-certificate.txt. Prints the certificate in Base64, the\n"
    "text that mcc init takes.\n\n"
    "  -a, --authority FILE  the authority's private key\n"
    "                        (default ./authority-private-key.txt)\n"
    "      --days N          validity in days, 1-36500 (default 3650)\n"
    "  -y, --force           overwrite existing files\n"
    "  -h, --help            print this help\n";

int cli_generate_network(int argc, char **argv) {
  static const struct option opts[] = {
      {"authority", required_argument, NULL, 'a'},
      {"days", required_argument, NULL, CLI_OPT_DAYS},
      {"force", no_argument, NULL, 'y'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *cmd = argv[0];
  const char *authority_path = "./" KEYFILE_AUTHORITY_KEY;
  unsigned days = CLI_DEFAULT_DAYS;
  cli_writes w = {.cmd = cmd};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":a:yh", opts, NULL)) != -1) {
    switch (c) {
    case 'a': authority_path = optarg; break;
    case CLI_OPT_DAYS:
      if (cli_parse_days(cmd, optarg, &days) != 0) return 2;
      break;
    case 'y': w.force = 1; break;
    case 'h': return cli_help(network_usage, network_help);
    default: return cli_bad_option(cmd, network_usage, c, argv);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error(cmd, network_usage, "too many arguments");
  const char *dir = optind < argc ? argv[optind] : ".";
  char key_path[PATH_MAX], cert_path[PATH_MAX], err[CLI_ERR_LEN];
  uint64_t now = (uint64_t)time(NULL);
  uint32_t not_before, not_after;
  if (cli_validity(cmd, now, days, &not_before, &not_after) != 0) return 1;
  if (cli_join(cmd, key_path, dir, KEYFILE_NETWORK_KEY) != 0 ||
      cli_join(cmd, cert_path, dir, KEYFILE_NETWORK_CERT) != 0 ||
      cli_check_absent(&w, key_path) != 0 ||
      cli_check_absent(&w, cert_path) != 0)
    return 1;
  mcc_keypair authority, network;
  if (keyfile_read_keypair(authority_path, &authority, err, sizeof err)) {
    cli_errorf(cmd, "%s", err);
    return 1;
  }
  int rv = 1;
  mcc_cert cert;
  if (cli_mkdir_p(cmd, dir) != 0) goto out_authority;
  if (mcc_keypair_generate(&network) != 0 ||
      mcc_cert_sign(&cert, MCC_CERT_NETWORK, &network.pub, &authority,
                    not_before, not_after) != 0) {
    cli_errorf(cmd, "cannot create the network certificate");
    goto out_network;
  }
  if (cli_write_key(&w, key_path, &network) != 0 ||
      cli_write_cert(&w, cert_path, &cert) != 0)
    goto out_network;
  char text[MCC_CERT_BASE64_LEN + 1];
  mcc_cert_to_base64(&cert, text);
  printf("%s\n", text);
  fflush(stdout);
  rv = 0;
out_network:
  sodium_memzero(&network, sizeof network);
out_authority:
  sodium_memzero(&authority, sizeof authority);
  return rv;
}

/* ---- mcc generate-node-certificate -------------------------------------- */

static const char node_usage[] =
    "mcc generate-node-certificate [-p NETWORK-CERT] [--stdin] [--days N] "
    "[-y] [DIR]";
static const char node_help[] =
    "Creates a node key pair and its node certificate signed by the network\n"
    "key: DIR/node-private-key.txt and DIR/node-certificate.txt, and a copy\n"
    "of the network certificate in DIR when it is elsewhere. Prints the node\n"
    "id. DIR defaults to /etc/mcc.\n\n"
    "  -p, --parent FILE  the network certificate\n"
    "                     (default /etc/mcc/network-certificate.txt)\n"
    "      --stdin        read the network private key from standard input\n"
    "                     (default: network-private-key.txt next to FILE)\n"
    "      --days N       validity in days, 1-36500 (default 3650; never\n"
    "                     past the network certificate's)\n"
    "  -y, --force        overwrite existing files\n"
    "  -h, --help         print this help\n";

int cli_generate_node_certificate(int argc, char **argv) {
  static const struct option opts[] = {
      {"parent", required_argument, NULL, 'p'},
      {"network-certificate", required_argument, NULL, 'p'},
      {"stdin", no_argument, NULL, CLI_OPT_STDIN},
      {"days", required_argument, NULL, CLI_OPT_DAYS},
      {"force", no_argument, NULL, 'y'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *cmd = argv[0];
  const char *net_path = MCC_DEFAULT_CONFIG_DIR "/" KEYFILE_NETWORK_CERT;
  unsigned days = CLI_DEFAULT_DAYS;
  int from_stdin = 0;
  cli_writes w = {.cmd = cmd};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":p:yh", opts, NULL)) != -1) {
    switch (c) {
    case 'p': net_path = optarg; break;
    case CLI_OPT_STDIN: from_stdin = 1; break;
    case CLI_OPT_DAYS:
      if (cli_parse_days(cmd, optarg, &days) != 0) return 2;
      break;
    case 'y': w.force = 1; break;
    case 'h': return cli_help(node_usage, node_help);
    default: return cli_bad_option(cmd, node_usage, c, argv);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error(cmd, node_usage, "too many arguments");
  const char *dir = optind < argc ? argv[optind] : MCC_DEFAULT_CONFIG_DIR;
  uint64_t now = (uint64_t)time(NULL);
  char net_dir[PATH_MAX], key_path[PATH_MAX], cert_path[PATH_MAX],
      copy_path[PATH_MAX];
  mcc_cert net_cert, node_cert;
  if (cli_read_network_cert(cmd, net_path, &net_cert, now) != 0) return 1;
  if (cli_join(cmd, key_path, dir, KEYFILE_NODE_KEY) != 0 ||
      cli_join(cmd, cert_path, dir, KEYFILE_NODE_CERT) != 0 ||
      cli_join(cmd, copy_path, dir, KEYFILE_NETWORK_CERT) != 0 ||
      cli_check_absent(&w, key_path) != 0 ||
      cli_check_absent(&w, cert_path) != 0)
    return 1;
  /* The network certificate goes along unless DIR already holds it. */
  char real_dir[PATH_MAX], real_net_dir[PATH_MAX];
  keyfile_dir_of(net_path, net_dir, sizeof net_dir);
  int copy = 1;
  struct stat st;
  if (realpath(net_dir, real_net_dir) && stat(dir, &st) == 0 &&
      realpath(dir, real_dir) && strcmp(real_dir, real_net_dir) == 0)
    copy = 0;
  if (copy && holds_cert(copy_path, &net_cert)) copy = 0;
  if (copy && cli_check_absent(&w, copy_path) != 0) return 1;

  mcc_keypair network, node;
  if (cli_network_key(cmd, from_stdin ? CLI_KEY_STDIN : CLI_KEY_FILE,
                      net_path, &net_cert, &network) != 0)
    return 1;
  int rv = 1;
  if (cli_mkdir_p(cmd, dir) != 0 ||
      cli_make_cert(cmd, MCC_CERT_NODE, &network, &net_cert, days, now, &node,
                    &node_cert) != 0)
    goto out;
  if (cli_write_key(&w, key_path, &node) != 0 ||
      cli_write_cert(&w, cert_path, &node_cert) != 0 ||
      (copy && cli_write_cert(&w, copy_path, &net_cert) != 0))
    goto out;
  print_id(&node.pub);
  rv = 0;
out:
  sodium_memzero(&network, sizeof network);
  sodium_memzero(&node, sizeof node);
  return rv;
}

/* ---- mcc init ----------------------------------------------------------- */

static const char init_usage[] =
    "mcc init [-p LIST] [--stdin] [-y] [-C DIR] NETWORK-CERT-BASE64";
static const char init_help[] =
    "Sets this node up: checks the network certificate, creates the node\n"
    "key pair and its certificate signed by the network private key, and\n"
    "writes DIR/network-certificate.txt, DIR/node-private-key.txt,\n"
    "DIR/node-certificate.txt and DIR/mcc.conf. Prints the node id.\n\n"
    "  -p, --parents LIST    parent nodes, comma-separated host:port or host\n"
    "                        items (port 9376 when none is given)\n"
    "      --stdin           read the network private key from standard\n"
    "                        input; without it mcc init asks for the key on\n"
    "                        the terminal (not shown as it is typed), and\n"
    "                        refuses when standard input is not a terminal\n"
    "  -y, --force           overwrite existing files\n"
    "  -C, --config-dir DIR  configuration directory (default /etc/mcc)\n"
    "  -h, --help            print this help\n\n"
    "Examples: mcc init -p 10.0.0.2 \"$(cat network-certificate.txt)\"\n"
    "          mcc init --stdin -p 10.0.0.2 \"$(cat network-certificate.txt)\" \\\n"
    "            < network-private-key.txt\n";

/* Appends item to out (a comma list) with a port: host and [v6] get
 * :9376, a bare IPv6 address gets brackets too. */
static int add_parent(char *out, size_t outlen, const char *item,
                      size_t len) {
  size_t used = strlen(out), colons = 0;
  for (size_t i = 0; i < len; i++) colons += item[i] == ':';
  const char *sep = used ? "," : "";
  int n;
  if (len && item[0] == '[') {
    const char *close = memchr(item, ']', len);
    int has_port = close && close + 1 < item + len && close[1] == ':';
    n = snprintf(out + used, outlen - used, "%s%.*s%s", sep, (int)len, item,
                 has_port ? "" : ":" DEFAULT_PARENT_PORT);
  } else if (colons >= 2) {
    n = snprintf(out + used, outlen - used, "%s[%.*s]:" DEFAULT_PARENT_PORT,
                 sep, (int)len, item);
  } else {
    n = snprintf(out + used, outlen - used, "%s%.*s%s", sep, (int)len, item,
                 colons ? "" : ":" DEFAULT_PARENT_PORT);
  }
  return n < 0 || (size_t)n >= outlen - used ? -1 : 0;
}

/* --parents as the parser wants it, checked by the parser itself. */
static int normalize_parents(const char *cmd, const char *list, char *out,
                             size_t outlen) {
  out[0] = '\0';
  for (const char *p = list;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len && (*p == ' ' || *p == '\t')) {
      p++;
      len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
    if (len == 0) {
      cli_errorf(cmd, "--parents: empty item in '%s'", list);
      return -1;
    }
    if (add_parent(out, outlen, p, len) != 0) {
      cli_errorf(cmd, "--parents: too long");
      return -1;
    }
    if (!comma) break;
    p = comma + 1;
  }
  mcc_conf *conf;
  char err[512];
  if (mcc_conf_new(&conf) != 0) {
    cli_errorf(cmd, "out of memory");
    return -1;
  }
  int rv = mcc_conf_set(conf, "parents", out, err, sizeof err);
  mcc_conf_free(conf);
  if (rv != 0) {
    cli_errorf(cmd, "--parents: %s", err);
    return -1;
  }
  return 0;
}

/* A directory mcc.conf can name: no list separator, comment or control
 * character, no white space the parser would trim. */
static int conf_safe_path(const char *cmd, const char *dir) {
  size_t len = strlen(dir);
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)dir[i];
    if (ch < 0x20 || ch == 0x7f || ch == ',' || ch == '#') {
      cli_errorf(cmd,
                 "%s: mcc.conf cannot name a path with ',', '#' or control "
                 "characters",
                 dir);
      return -1;
    }
  }
  if (len && (dir[len - 1] == ' ' || dir[len - 1] == '\t')) {
    cli_errorf(cmd, "%s: mcc.conf cannot name a path that ends in white space",
               dir);
    return -1;
  }
  return 0;
}

typedef struct diag_log {
  size_t count;
  char first[512];
} diag_log;

static void collect_diag(void *user_data, int is_error, const char *msg) {
  diag_log *log = user_data;
  if (log->count++ == 0) snprintf(log->first, sizeof log->first, "%s", msg);
}

/* The text of mcc.conf; 0, or -1 when it does not fit. */
static int format_conf(char *out, size_t outlen, const char *dir,
                       const char *parents, uint64_t now) {
  char when[KEYFILE_UTC_LEN + 1];
  int n = snprintf(
      out, outlen,
      "# mcc.conf, written by 'mcc init' on %s.\n"
      "# Keys not set here take their defaults; 'mccd -C' prints them all\n"
      "# with their help. The manual's \"MCC main configuration file\" has "
      "more.\n\n"
      "%s%s%s"
      "node-certificate = %s/" KEYFILE_NODE_CERT "\n"
      "node-private-key = %s/" KEYFILE_NODE_KEY "\n"
      "network-certificates = %s/" KEYFILE_NETWORK_CERT "\n",
      keyfile_format_utc(now, when), parents[0] ? "parents = " : "", parents,
      parents[0] ? "\n" : "", dir, dir, dir);
  return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* What mccd will do with the files just written: parse mcc.conf (no
 * diagnostic allowed) and load the identity from it. */
static int check_written(const char *cmd, const char *conf_path,
                         const char *text, const char *dir, uint64_t now) {
  mcc_conf *conf;
  diag_log log = {0};
  char err[CLI_ERR_LEN];
  mcc_id networks[1];
  size_t networks_len;
  mcc_keypair kp;
  mcc_cert cert;
  if (mcc_conf_new(&conf) != 0) {
    cli_errorf(cmd, "out of memory");
    return -1;
  }
  int rv = mcc_conf_parse(conf, conf_path, text, strlen(text), collect_diag,
                          &log);
  if (rv != 0 || log.count) {
    cli_errorf(cmd, "the written configuration does not parse: %s", log.first);
    mcc_conf_free(conf);
    return -1;
  }
  rv = keyfile_load_identity(conf, dir, &kp, &cert, networks, &networks_len,
                             1, now, err, sizeof err);
  sodium_memzero(&kp, sizeof kp);
  mcc_conf_free(conf);
  if (rv != 0) {
    cli_errorf(cmd, "%s", err);
    return -1;
  }
  return 0;
}

int cli_init(int argc, char **argv) {
  static const struct option opts[] = {
      {"parents", required_argument, NULL, 'p'},
      {"stdin", no_argument, NULL, CLI_OPT_STDIN},
      {"force", no_argument, NULL, 'y'},
      {"config-dir", required_argument, NULL, 'C'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *cmd = argv[0];
  const char *parents_arg = NULL, *dir = MCC_DEFAULT_CONFIG_DIR;
  int from_stdin = 0;
  cli_writes w = {.cmd = cmd};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":p:yC:h", opts, NULL)) != -1) {
    switch (c) {
    case 'p': parents_arg = optarg; break;
    case CLI_OPT_STDIN: from_stdin = 1; break;
    case 'y': w.force = 1; break;
    case 'C': dir = optarg; break;
    case 'h': return cli_help(init_usage, init_help);
    default: return cli_bad_option(cmd, init_usage, c, argv);
    }
  }
  if (argc - optind < 1)
    return cli_usage_error(cmd, init_usage, "missing NETWORK-CERT-BASE64");
  if (argc - optind > 1)
    return cli_usage_error(cmd, init_usage, "too many arguments");
  /* Without --stdin the key is typed, as the manual says; a script that
   * forgot --stdin gets an error rather than a prompt nobody sees. */
  if (!from_stdin && !isatty(STDIN_FILENO))
    return cli_usage_error(
        cmd, init_usage,
        "standard input is not a terminal to type the network private key "
        "on: pipe the key in with --stdin");
  const char *cert_text = argv[optind];
  uint64_t now = (uint64_t)time(NULL);
  mcc_cert net_cert, node_cert;
  int rv = mcc_cert_from_base64(&net_cert, cert_text, strlen(cert_text));
  if (rv != 0) {
    cli_errorf(cmd, "NETWORK-CERT-BASE64: not a certificate: %s",
               mcc_strerror(rv));
    return 1;
  }
  if (cli_check_network_cert(cmd, "NETWORK-CERT-BASE64", &net_cert, now) != 0)
    return 1;
  char parents[1024] = "";
  if (parents_arg &&
      normalize_parents(cmd, parents_arg, parents, sizeof parents) != 0)
    return 1;

  char real_dir[PATH_MAX], net_path[PATH_MAX], key_path[PATH_MAX],
      cert_path[PATH_MAX], conf_path[PATH_MAX], text[4 * PATH_MAX + 2048];
  if (cli_mkdir_p(cmd, dir) != 0) return 1;
  if (!realpath(dir, real_dir)) {
    cli_errorf(cmd, "%s: %s", dir, strerror(errno));
    return 1;
  }
  if (conf_safe_path(cmd, real_dir) != 0 ||
      cli_join(cmd, net_path, real_dir, KEYFILE_NETWORK_CERT) != 0 ||
      cli_join(cmd, key_path, real_dir, KEYFILE_NODE_KEY) != 0 ||
      cli_join(cmd, cert_path, real_dir, KEYFILE_NODE_CERT) != 0 ||
      cli_join(cmd, conf_path, real_dir, CONF_FILE) != 0)
    return 1;
  /* The paths in mcc.conf need not have "/" doubled for real_dir "/". */
  const char *conf_dir = strcmp(real_dir, "/") == 0 ? "" : real_dir;
  if (format_conf(text, sizeof text, conf_dir, parents, now) != 0) {
    cli_errorf(cmd, "%s: path too long", real_dir);
    return 1;
  }
  int copy = !holds_cert(net_path, &net_cert);
  if ((copy && cli_check_absent(&w, net_path) != 0) ||
      cli_check_absent(&w, key_path) != 0 ||
      cli_check_absent(&w, cert_path) != 0 ||
      cli_check_absent(&w, conf_path) != 0)
    return 1;

  mcc_keypair network, node;
  if (cli_network_key(cmd, from_stdin ? CLI_KEY_STDIN : CLI_KEY_TTY,
                      "NETWORK-CERT-BASE64", &net_cert, &network) != 0)
    return 1;
  rv = 1;
  if (cli_make_cert(cmd, MCC_CERT_NODE, &network, &net_cert, CLI_DEFAULT_DAYS,
                    now, &node, &node_cert) != 0)
    goto out;
  if ((copy && cli_write_cert(&w, net_path, &net_cert) != 0) ||
      cli_write_key(&w, key_path, &node) != 0 ||
      cli_write_cert(&w, cert_path, &node_cert) != 0)
    goto out;
  if (cli_write_text(&w, conf_path, text, KEYFILE_MODE_PUBLIC) != 0) goto out;
  if (check_written(cmd, conf_path, text, real_dir, now) != 0) goto out;
  print_id(&node.pub);
  rv = 0;
out:
  sodium_memzero(&network, sizeof network);
  sodium_memzero(&node, sizeof node);
  return rv;
}

/* ---- mcc certificates --------------------------------------------------- */

static const char certificates_usage[] = "mcc certificates [CONFIG]";
static const char certificates_help[] =
    "Shows the network certificates and the node certificate that CONFIG\n"
    "(default /etc/mcc/mcc.conf) names, and whether each is valid now.\n"
    "Paths left at their defaults are taken from CONFIG's directory.\n"
    "A network certificate's subject is the network id; trusted-networks\n"
    "in another network's mcc.conf takes it as shown, or its base64 line.\n"
    "Exit code 1 when any is invalid or unreadable.\n\n"
    "  -h, --help  print this help\n";

/* msg is "file:line: key: ..." already. */
static void print_diag(void *user_data, int is_error, const char *msg) {
  fprintf(stderr, "mcc %s: %s%s\n", (const char *)user_data,
          is_error ? "" : "warning: ", msg);
}

/* One block; returns 1 when the certificate is valid. `fault` (or NULL)
 * is a reason beyond mcc_cert_verify's. */
static int print_cert(const char *label, const char *path,
                      const mcc_cert *cert, const char *fault, uint64_t now) {
  char subject[MCC_ID_TEXT_LEN + 1], issuer[MCC_ID_TEXT_LEN + 1];
  char from[KEYFILE_UTC_LEN + 1], to[KEYFILE_UTC_LEN + 1];
  char base64[sodium_base64_ENCODED_LEN(MCC_KEY_LEN,
                                        sodium_base64_VARIANT_ORIGINAL)];
  char base64_line[sizeof base64 + 16] = "";
  int rv = mcc_cert_verify(cert, now);
  mcc_id_to_text(&cert->subject, subject);
  mcc_id_to_text(&cert->issuer, issuer);
  /* A network's id in both forms trusted-networks takes. */
  if (cert->kind == MCC_CERT_NETWORK) {
    sodium_bin2base64(base64, sizeof base64, cert->subject.key, MCC_KEY_LEN,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(base64_line, sizeof base64_line, "  base64:     %s\n", base64);
  }
  printf("%s certificate %s\n"
         "  kind:       %s\n"
         "  subject:    %s\n"
         "%s"
         "  issuer:     %s\n"
         "  not-before: %s\n"
         "  not-after:  %s\n"
         "  status:     %s\n\n",
         label, path, keyfile_cert_kind_name(cert->kind), subject, base64_line,
         issuer, keyfile_format_utc(cert->not_before, from),
         keyfile_format_utc(cert->not_after, to),
         rv ? mcc_strerror(rv) : fault ? fault : "valid");
  return rv == 0 && !fault;
}

int cli_certificates(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *cmd = argv[0];
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': return cli_help(certificates_usage, certificates_help);
    default: return cli_bad_option(cmd, certificates_usage, c, argv);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error(cmd, certificates_usage, "too many arguments");
  const char *conf_path =
      optind < argc ? argv[optind] : MCC_DEFAULT_CONFIG_DIR "/" CONF_FILE;
  char *text, err[CLI_ERR_LEN], dir[PATH_MAX], path[PATH_MAX];
  size_t len;
  if (keyfile_read_file(conf_path, CONF_MAX_BYTES, &text, &len, err,
                        sizeof err) != 0) {
    cli_errorf(cmd, "%s", err);
    return 1;
  }
  mcc_conf *conf;
  if (mcc_conf_new(&conf) != 0) {
    free(text);
    cli_errorf(cmd, "out of memory");
    return 1;
  }
  int ok = 1;
  int rv = mcc_conf_parse(conf, conf_path, text, len, print_diag,
                          (void *)cmd);
  free(text);
  if (rv == MCC_ERR_NOMEM) {
    cli_errorf(cmd, "out of memory");
    mcc_conf_free(conf);
    return 1;
  }
  if (rv != 0) ok = 0; /* shown anyway: the paths may still be right */
  keyfile_dir_of(conf_path, dir, sizeof dir);
  uint64_t now = (uint64_t)time(NULL);

  /* Network certificates first, so the node's issuer can be checked. */
  size_t n = mcc_conf_list_len(conf, "network-certificates"), known = 0;
  mcc_id networks[MCC_MAX_TRUSTED];
  int all_known = n <= MCC_MAX_TRUSTED;
  mcc_cert cert;
  if (n == 0) {
    cli_errorf(cmd, "%s: network-certificates: no file given", conf_path);
    ok = 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (keyfile_conf_path(conf, "network-certificates", i, dir, path,
                          sizeof path, err, sizeof err) != 0 ||
        keyfile_read_cert(path, &cert, err, sizeof err) != 0) {
      cli_errorf(cmd, "%s", err);
      ok = all_known = 0;
      continue;
    }
    if (!print_cert("network", path, &cert,
                    cert.kind != MCC_CERT_NETWORK ? "not a network certificate"
                                                  : NULL,
                    now))
      ok = 0;
    if (known < MCC_MAX_TRUSTED) networks[known++] = cert.subject;
  }
  if (keyfile_conf_path(conf, "node-certificate", 0, dir, path, sizeof path,
                        err, sizeof err) != 0 ||
      keyfile_read_cert(path, &cert, err, sizeof err) != 0) {
    cli_errorf(cmd, "%s", err);
    ok = 0;
  } else {
    int issuer_known = 0;
    for (size_t i = 0; i < known; i++)
      if (memcmp(networks[i].key, cert.issuer.key, MCC_KEY_LEN) == 0)
        issuer_known = 1;
    const char *fault = NULL;
    if (cert.kind != MCC_CERT_NODE)
      fault = "not a node certificate";
    else if (!issuer_known && all_known)
      fault = "issuer is not the subject of any of network-certificates";
    if (!print_cert("node", path, &cert, fault, now)) ok = 0;
  }
  fflush(stdout);
  mcc_conf_free(conf);
  return ok ? 0 : 1;
}
