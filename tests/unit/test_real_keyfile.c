/*
 * test_real_keyfile.c — node-real's identity files (keyfile.c) and the
 * offline commands of `mcc` (cli_certs.c): key text table tests, file modes
 * whatever the umask, the no-overwrite rule, every fault load_identity must
 * name, the /etc/mcc path rule, and the commands run end to end in a
 * temporary directory:
 *
 *   generate-authority → authority-private-key.txt
 *   generate-network   → network-private-key.txt, network-certificate.txt
 *   generate-node-certificate / init → node-private-key.txt,
 *                        node-certificate.txt (and mcc.conf)
 *   keyfile_load_identity and `mcc certificates` accept the result.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <mcc/conf.h>

#include "cli.h"
#include "keyfile.h"
#include "realutil.h"
#include "suites.h"
#include "testutil.h"

#define T0 1790000000u

static char root[PATH_MAX]; /* this test's temporary directory */

/* ---- temporary files ---------------------------------------------------- */

static void tmp_begin(void) { rt_tmp_begin(root, "keyfile"); }

static void tmp_end(void) { rt_tmp_end(root); }

/* root/name; a static buffer per call site would be easy to misuse, so the
 * caller passes one. */
static const char *at(char out[PATH_MAX], const char *name) {
  rt_fmt(out, PATH_MAX, "%s/%s", root, name);
  return out;
}

/* ---- running a command -------------------------------------------------- */

typedef rt_out run_out;

static int run(rt_cli_fn fn, const char *stdin_path, run_out *o,
               char **argv) {
  return rt_run(fn, root, stdin_path, o, argv);
}

/* ---- a chain of trust in files ------------------------------------------ */

typedef struct chain {
  mcc_keypair authority, network, other_network, node, other_node;
  mcc_cert network_cert, node_cert;
} chain;

static void make_chain(chain *c) {
  test_keys(&c->authority, 1);
  test_keys(&c->network, 2);
  test_keys(&c->other_network, 3);
  test_keys(&c->node, 4);
  test_keys(&c->other_node, 5);
  mcc_cert_sign(&c->network_cert, MCC_CERT_NETWORK, &c->network.pub,
                &c->authority, T0 - 100, T0 + 100);
  mcc_cert_sign(&c->node_cert, MCC_CERT_NODE, &c->node.pub, &c->network,
                T0 - 100, T0 + 100);
}

/* Writes the chain's node key, node cert and network cert into dir. */
static void write_chain(const char *dir, const chain *c) {
  char p[PATH_MAX];
  mkdir(dir, 0755);
  rt_fmt(p, sizeof p, "%s/" KEYFILE_NODE_KEY, dir);
  CU_ASSERT_EQUAL(keyfile_write_keypair(p, &c->node, 1, NULL, 0), 0);
  rt_fmt(p, sizeof p, "%s/" KEYFILE_NODE_CERT, dir);
  CU_ASSERT_EQUAL(keyfile_write_cert(p, &c->node_cert, 1, NULL, 0), 0);
  rt_fmt(p, sizeof p, "%s/" KEYFILE_NETWORK_CERT, dir);
  CU_ASSERT_EQUAL(keyfile_write_cert(p, &c->network_cert, 1, NULL, 0), 0);
}

/* load_identity with the defaults rebased to dir. */
static int load_dir(const char *dir, uint64_t now, char *err, size_t errlen,
                    mcc_keypair *kp, mcc_id *networks,
                    size_t *networks_len) {
  mcc_conf *conf = rt_conf("");
  mcc_cert cert;
  int rv = keyfile_load_identity(conf, dir, kp, &cert, networks,
                                 networks_len, 4, now, err, errlen);
  mcc_conf_free(conf);
  return rv;
}

/* ---- key text ----------------------------------------------------------- */

static void test_real_keyfile_key_round_trip(void) {
  mcc_keypair kp, back;
  test_keys(&kp, 7);
  char text[KEYFILE_KEY_TEXT_LEN + 1];
  keyfile_format_key_text(&kp, text);
  CU_ASSERT_EQUAL(strlen(text), KEYFILE_KEY_TEXT_LEN);
  CU_ASSERT_EQUAL(text[KEYFILE_KEY_TEXT_LEN - 1], '=');
  CU_ASSERT_EQUAL(keyfile_parse_key_text(text, strlen(text), &back), 0);
  CU_ASSERT_EQUAL(memcmp(&kp, &back, sizeof kp), 0);
  char padded[80];
  rt_fmt(padded, sizeof padded, " \t%s\r\n\n", text);
  CU_ASSERT_EQUAL(keyfile_parse_key_text(padded, strlen(padded), &back), 0);
  CU_ASSERT_EQUAL(memcmp(&kp, &back, sizeof kp), 0);

  tmp_begin();
  char path[PATH_MAX], content[128], err[512];
  at(path, "node-private-key.txt");
  mode_t old = umask(0);
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &kp, 0, err, sizeof err), 0);
  umask(old);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0600);
  CU_ASSERT_EQUAL(rt_read_text(path, content, sizeof content),
                  KEYFILE_KEY_TEXT_LEN + 1);
  CU_ASSERT_EQUAL(content[KEYFILE_KEY_TEXT_LEN], '\n');
  memset(&back, 0, sizeof back);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), 0);
  CU_ASSERT_EQUAL(memcmp(&kp, &back, sizeof kp), 0);
  tmp_end();
}

static void test_real_keyfile_key_text_refused(void) {
  mcc_keypair kp;
  test_keys(&kp, 7);
  char good[KEYFILE_KEY_TEXT_LEN + 1];
  keyfile_format_key_text(&kp, good);
  uint8_t bytes[64];
  memset(bytes, 0xA5, sizeof bytes);
  char b31[64], b33[64], b64[128], nopad[64], high[64], high_end[64],
      two_lines[128], urlsafe[64], noncanon[64], nul[64];
  sodium_bin2base64(b31, sizeof b31, bytes, 31,
                    sodium_base64_VARIANT_ORIGINAL);
  sodium_bin2base64(b33, sizeof b33, bytes, 33,
                    sodium_base64_VARIANT_ORIGINAL);
  sodium_bin2base64(b64, sizeof b64, kp.sec, 64,
                    sodium_base64_VARIANT_ORIGINAL);
  rt_fmt(nopad, sizeof nopad, "%.43s", good);
  rt_fmt(high, sizeof high, "%s", good);
  high[5] = (char)0xC3;
  rt_fmt(high_end, sizeof high_end, "%s\xC3\xA9", good);
  rt_fmt(two_lines, sizeof two_lines, "%s\n%s\n", good, good);
  rt_fmt(urlsafe, sizeof urlsafe, "%s", good);
  urlsafe[3] = '-';
  /* The last character before '=' carries 2 unused bits: set them. */
  rt_fmt(noncanon, sizeof noncanon, "%s", good);
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  noncanon[42] = alphabet[(strchr(alphabet, good[42]) - alphabet) ^ 1];
  memcpy(nul, good, sizeof good);
  nul[10] = '\0';
  struct {
    const char *text;
    size_t len; /* 0: strlen */
    int want;
  } cases[] = {
      {"", 0, MCC_ERR_BASE64},
      {" \n\t ", 0, MCC_ERR_BASE64},
      {"not a key", 0, MCC_ERR_BASE64},
      {b31, 0, MCC_ERR_BAD_LENGTH},
      {b33, 0, MCC_ERR_BAD_LENGTH},
      {b64, 0, MCC_ERR_BAD_LENGTH}, /* a whole secret key, not the seed */
      {nopad, 0, MCC_ERR_BASE64},
      {high, 0, MCC_ERR_BASE64},
      {high_end, 0, MCC_ERR_BASE64},
      {two_lines, 0, MCC_ERR_BASE64},
      {urlsafe, 0, MCC_ERR_BASE64},
      {noncanon, 0, MCC_ERR_BASE64},
      {nul, KEYFILE_KEY_TEXT_LEN, MCC_ERR_BASE64},
      {"====", 0, MCC_ERR_BASE64},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    mcc_keypair out;
    memset(&out, 0x55, sizeof out);
    size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
    int rv = keyfile_parse_key_text(cases[i].text, len, &out);
    if (rv != cases[i].want) printf("\n  case %zu: got %d\n", i, rv);
    CU_ASSERT_EQUAL(rv, cases[i].want);
    mcc_keypair zero;
    memset(&zero, 0, sizeof zero);
    CU_ASSERT_EQUAL(memcmp(&out, &zero, sizeof out), 0);
  }
  CU_ASSERT_EQUAL(keyfile_parse_key_text(NULL, 0, &kp), MCC_ERR_BASE64);
  CU_ASSERT_EQUAL(keyfile_parse_key_text(good, 1, NULL),
                  MCC_ERR_INVALID_ARGUMENT);

  /* From a file, the message names it. */
  tmp_begin();
  char path[PATH_MAX], err[1024];
  at(path, "garbage.txt");
  rt_write_text(path, "hello\n");
  chmod(path, 0600);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &kp, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a private key"));
  rt_write_text(path, b31);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &kp, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "other than 32 bytes"));
  /* Too large to be a key: refused without parsing. */
  FILE *f = fopen(path, "w");
  for (int i = 0; i < KEYFILE_MAX_BYTES + 10; i++) fputc(' ', f);
  fclose(f);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &kp, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "too large"));
  CU_ASSERT_EQUAL(keyfile_read_keypair(root, &kp, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
  tmp_end();
}

/* ---- files -------------------------------------------------------------- */

static void test_real_keyfile_no_overwrite(void) {
  mcc_keypair a, b, back;
  test_keys(&a, 1);
  test_keys(&b, 2);
  tmp_begin();
  char path[PATH_MAX], err[1024];
  at(path, "network-private-key.txt");
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &a, 0, err, sizeof err), 0);
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &b, 0, err, sizeof err), -1);
  char want[PATH_MAX + 64];
  rt_fmt(want, sizeof want, "%s exists (use -y to overwrite)", path);
  CU_ASSERT_STRING_EQUAL(err, want);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), 0);
  CU_ASSERT_EQUAL(memcmp(back.pub.key, a.pub.key, 32), 0);

  /* Forced: replaced, and the mode is the private one again even if the
   * old file had another; no temporary file is left behind. */
  chmod(path, 0644);
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &b, 1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0600);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), 0);
  CU_ASSERT_EQUAL(memcmp(back.pub.key, b.pub.key, 32), 0);
  CU_ASSERT_EQUAL(rt_count_entries(root), 1);

  /* Certificates follow the same rule, mode 0644 whatever the umask. */
  chain c;
  make_chain(&c);
  mcc_cert cert;
  at(path, "node-certificate.txt");
  mode_t old = umask(077);
  CU_ASSERT_EQUAL(keyfile_write_cert(path, &c.node_cert, 0, err, sizeof err),
                  0);
  umask(old);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0644);
  CU_ASSERT_EQUAL(
      keyfile_write_cert(path, &c.network_cert, 0, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "exists (use -y to overwrite)"));
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &cert, err, sizeof err), 0);
  CU_ASSERT_EQUAL(cert.kind, MCC_CERT_NODE);
  CU_ASSERT_EQUAL(
      keyfile_write_cert(path, &c.network_cert, 1, err, sizeof err), 0);
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &cert, err, sizeof err), 0);
  CU_ASSERT_EQUAL(cert.kind, MCC_CERT_NETWORK);

  /* A directory that does not exist: the message names the file. */
  at(path, "missing/dir/key.txt");
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &a, 0, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
  CU_ASSERT_EQUAL(keyfile_write_keypair(path, &a, 1, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing/dir/key.txt"));
  tmp_end();
}

static void test_real_keyfile_cert_file(void) {
  chain c;
  make_chain(&c);
  tmp_begin();
  char path[PATH_MAX], err[1024], content[512];
  at(path, "network-certificate.txt");
  CU_ASSERT_EQUAL(
      keyfile_write_cert(path, &c.network_cert, 0, err, sizeof err), 0);
  CU_ASSERT_EQUAL(rt_read_text(path, content, sizeof content),
                  MCC_CERT_BASE64_LEN + 1);
  char b64[MCC_CERT_BASE64_LEN + 1];
  mcc_cert_to_base64(&c.network_cert, b64);
  CU_ASSERT_EQUAL(memcmp(content, b64, MCC_CERT_BASE64_LEN), 0);
  mcc_cert back;
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &back, err, sizeof err), 0);
  CU_ASSERT_EQUAL(mcc_cert_verify(&back, T0), 0);
  rt_write_text(path, "garbage\n");
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &back, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a certificate"));
  at(path, "absent.txt");
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &back, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
  tmp_end();
}

/* ---- identity ----------------------------------------------------------- */

static void test_real_keyfile_load_identity_good(void) {
  chain c;
  make_chain(&c);
  tmp_begin();
  char dir[PATH_MAX], text[4 * PATH_MAX], err[1024];
  write_chain(at(dir, "etc"), &c);
  rt_fmt(text, sizeof text,
           "node-certificate = %s/node-certificate.txt\n"
           "node-private-key = %s/node-private-key.txt\n"
           "network-certificates = %s/network-certificate.txt\n",
           dir, dir, dir);
  mcc_conf *conf = rt_conf(text);
  mcc_keypair kp;
  mcc_cert cert;
  mcc_id nets[4];
  size_t nets_len = 99;
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, NULL, &kp, &cert, nets,
                                        &nets_len, 4, T0, err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(memcmp(&kp, &c.node, sizeof kp), 0);
  CU_ASSERT_EQUAL(memcmp(cert.signature, c.node_cert.signature, 64), 0);
  CU_ASSERT_EQUAL(nets_len, 1);
  CU_ASSERT_EQUAL(memcmp(nets[0].key, c.network.pub.key, 32), 0);
  /* The validity bounds are inclusive. */
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, NULL, &kp, &cert, nets,
                                        &nets_len, 4, T0 + 100, err,
                                        sizeof err),
                  0);
  mcc_conf_free(conf);
  tmp_end();
}

enum fault {
  FAULT_OTHER_NETWORK,
  FAULT_OTHER_KEY,
  FAULT_NODE_EXPIRED,
  FAULT_NODE_NOT_YET,
  FAULT_NETWORK_KIND,
  FAULT_NODE_KIND,
  FAULT_NETWORK_EXPIRED,
  FAULT_NETWORK_SIGNATURE,
  FAULT_MISSING_NODE_CERT,
  FAULT_MISSING_NETWORK_CERT,
  FAULT_MISSING_KEY,
  FAULT_BAD_KEY,
  FAULT_KEY_MODE,
  FAULT_COUNT
};

static void test_real_keyfile_load_identity_faults(void) {
  static const struct {
    enum fault fault;
    const char *file; /* the one the message must name */
    const char *what;
  } cases[] = {
      {FAULT_OTHER_NETWORK, KEYFILE_NODE_CERT, "issued by network"},
      {FAULT_OTHER_KEY, KEYFILE_NODE_CERT,
       "certificate subject is not this node's key"},
      {FAULT_NODE_EXPIRED, KEYFILE_NODE_CERT, "certificate expired (valid "},
      {FAULT_NODE_NOT_YET, KEYFILE_NODE_CERT, "certificate not yet valid"},
      {FAULT_NETWORK_KIND, KEYFILE_NETWORK_CERT,
       "not a network certificate (it is a node certificate)"},
      {FAULT_NODE_KIND, KEYFILE_NODE_CERT,
       "not a node certificate (it is a network certificate)"},
      {FAULT_NETWORK_EXPIRED, KEYFILE_NETWORK_CERT, "certificate expired"},
      {FAULT_NETWORK_SIGNATURE, KEYFILE_NETWORK_CERT, "bad signature"},
      {FAULT_MISSING_NODE_CERT, KEYFILE_NODE_CERT, "No such file"},
      {FAULT_MISSING_NETWORK_CERT, KEYFILE_NETWORK_CERT, "No such file"},
      {FAULT_MISSING_KEY, KEYFILE_NODE_KEY, "No such file"},
      {FAULT_BAD_KEY, KEYFILE_NODE_KEY, "not a private key"},
      {FAULT_KEY_MODE, KEYFILE_NODE_KEY, "(mode 0640); fix: chmod 600 "},
  };
  CU_ASSERT_EQUAL(sizeof cases / sizeof cases[0], FAULT_COUNT);
  tmp_begin();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    chain c;
    make_chain(&c);
    uint64_t now = T0;
    char dir[PATH_MAX], name[32], path[PATH_MAX], err[1024];
    rt_fmt(name, sizeof name, "case%zu", i);
    at(dir, name);
    switch (cases[i].fault) {
    case FAULT_OTHER_NETWORK:
      mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.node.pub,
                    &c.other_network, T0 - 100, T0 + 100);
      break;
    case FAULT_OTHER_KEY:
      mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.other_node.pub,
                    &c.network, T0 - 100, T0 + 100);
      break;
    case FAULT_NODE_EXPIRED:
      mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.node.pub, &c.network,
                    T0 - 100, T0 - 1);
      break;
    case FAULT_NODE_NOT_YET:
      mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.node.pub, &c.network,
                    T0 + 1, T0 + 100);
      break;
    case FAULT_NETWORK_KIND:
      mcc_cert_sign(&c.network_cert, MCC_CERT_NODE, &c.network.pub,
                    &c.authority, T0 - 100, T0 + 100);
      break;
    case FAULT_NODE_KIND:
      mcc_cert_sign(&c.node_cert, MCC_CERT_NETWORK, &c.node.pub, &c.network,
                    T0 - 100, T0 + 100);
      break;
    case FAULT_NETWORK_EXPIRED: now = T0 + 101; break;
    case FAULT_NETWORK_SIGNATURE: c.network_cert.not_after++; break;
    default: break;
    }
    write_chain(dir, &c);
    if (cases[i].fault == FAULT_MISSING_NODE_CERT ||
        cases[i].fault == FAULT_MISSING_NETWORK_CERT ||
        cases[i].fault == FAULT_MISSING_KEY ||
        cases[i].fault == FAULT_BAD_KEY) {
      rt_fmt(path, sizeof path, "%s/%s", dir, cases[i].file);
      unlink(path);
      if (cases[i].fault == FAULT_BAD_KEY) {
        rt_write_text(path, "AAAA\n");
        chmod(path, 0600);
      }
    }
    if (cases[i].fault == FAULT_KEY_MODE) {
      rt_fmt(path, sizeof path, "%s/%s", dir, cases[i].file);
      chmod(path, 0640);
    }
    mcc_keypair kp;
    mcc_id nets[4];
    size_t nets_len = 99;
    memset(err, 0, sizeof err);
    CU_ASSERT_EQUAL(load_dir(dir, now, err, sizeof err, &kp, nets, &nets_len),
                    -1);
    CU_ASSERT_EQUAL(nets_len, 0);
    rt_fmt(path, sizeof path, "%s/%s: ", dir, cases[i].file);
    int named = strncmp(err, path, strlen(path)) == 0;
    int says = strstr(err, cases[i].what) != NULL;
    if (!named || !says) printf("\n  case %zu: %s\n", i, err);
    CU_ASSERT(named);
    CU_ASSERT(says);
  }
  tmp_end();
}

/* ---- what a key file must be -------------------------------------------- */

/* As ssh: a private key only its owner can read or write, and its owner is
 * this user; the message names the file and the command that fixes it. */
static void test_real_keyfile_private_key_mode(void) {
  mcc_keypair kp, back;
  test_keys(&kp, 9);
  tmp_begin();
  char path[PATH_MAX], err[1024], want[PATH_MAX + 64];
  at(path, KEYFILE_NODE_KEY);
  CU_ASSERT_EQUAL_FATAL(keyfile_write_keypair(path, &kp, 0, err, sizeof err),
                        0);
  static const struct {
    unsigned mode;
    int ok;
  } modes[] = {{0600, 1}, {0400, 1}, {0700, 1}, {0200, 1},
               {0644, 0}, {0640, 0}, {0604, 0}, {0660, 0},
               {0666, 0}, {0620, 0}, {0602, 0}, {0610, 0},
               {0601, 0}, {0777, 0}, {0440, 0}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    CU_ASSERT_EQUAL_FATAL(chmod(path, modes[i].mode), 0);
    memset(err, 0, sizeof err);
    int rv = keyfile_read_keypair(path, &back, err, sizeof err);
    if (modes[i].mode == 0200) { /* root reads it anyway; others may not */
      CU_ASSERT(rv == 0 || strstr(err, "Permission denied"));
      continue;
    }
    if ((rv == 0) != modes[i].ok)
      printf("\n  mode %04o: rv %d, %s\n", modes[i].mode, rv, err);
    CU_ASSERT_EQUAL(rv == 0, modes[i].ok);
    if (modes[i].ok) {
      CU_ASSERT_EQUAL(memcmp(&kp, &back, sizeof kp), 0);
      continue;
    }
    rt_fmt(want, sizeof want,
        "%s: private key readable or writable by group or others (mode "
        "%04o); fix: chmod 600 %s",
        path, modes[i].mode, path);
    CU_ASSERT_STRING_EQUAL(err, want);
  }
  /* Certificates are public: 0644 is their mode. */
  chain c;
  make_chain(&c);
  mcc_cert cert;
  at(path, KEYFILE_NODE_CERT);
  CU_ASSERT_EQUAL(keyfile_write_cert(path, &c.node_cert, 0, err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0644);
  CU_ASSERT_EQUAL(keyfile_read_cert(path, &cert, err, sizeof err), 0);

  /* Owned by another user: refused even at 0600 (root only can chown). */
  at(path, KEYFILE_NODE_KEY);
  chmod(path, 0600);
  if (geteuid() == 0) {
    CU_ASSERT_EQUAL_FATAL(chown(path, 65534, 65534), 0);
    CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), -1);
    rt_fmt(want, sizeof want,
        "%s: private key owned by uid 65534, not by this user (uid 0); fix: "
        "chown 0 %s",
        path, path);
    CU_ASSERT_STRING_EQUAL(err, want);
  } else {
    printf("\n  (not root: a key of another owner is not tried)\n");
  }
  tmp_end();
}

enum read_kind { READ_KEY, READ_CERT, READ_FILE };

/* Reads path as kind in a child process, so that a read that blocks (a
 * FIFO without a writer) fails the test instead of hanging it. Returns the
 * reader's result with its message in err, or -99 when it did not return
 * within two seconds. */
static int read_in_child(enum read_kind kind, const char *path, char *err,
                         size_t errlen) {
  int fds[2];
  CU_ASSERT_FATAL(pipe(fds) == 0);
  fflush(stdout);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    char msg[1024] = "";
    int rv;
    mcc_keypair kp;
    mcc_cert cert;
    char *data = NULL;
    size_t len = 0;
    if (kind == READ_KEY) rv = keyfile_read_keypair(path, &kp, msg, sizeof msg);
    else if (kind == READ_CERT)
      rv = keyfile_read_cert(path, &cert, msg, sizeof msg);
    else rv = keyfile_read_file(path, 4096, &data, &len, msg, sizeof msg);
    free(data);
    char out[1100];
    int n = snprintf(out, sizeof out, "%d %s", rv, msg);
    if (write(fds[1], out, (size_t)n) < 0) _exit(2);
    _exit(0);
  }
  close(fds[1]);
  char buf[1100];
  size_t got = 0;
  int rv = -99;
  for (int waited = 0; waited < 200; waited++) { /* 2 s in 10 ms steps */
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      ssize_t r;
      while (got < sizeof buf - 1 &&
             (r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
      buf[got] = '\0';
      char *space = strchr(buf, ' ');
      rv = atoi(buf);
      snprintf(err, errlen, "%s", space ? space + 1 : "");
      close(fds[0]);
      return rv;
    }
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(fds[0]);
  snprintf(err, errlen, "%s: still reading after 2 s", path);
  return rv;
}

/* A FIFO where a key, a certificate or mcc.conf is expected is an error at
 * once (mccd used to wait on it forever); so are devices and directories.
 * A symbolic link is followed and its target checked. */
static void test_real_keyfile_not_regular(void) {
  tmp_begin();
  char path[PATH_MAX], target[PATH_MAX], err[1200];
  at(path, "fifo");
  CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
  static const enum read_kind kinds[] = {READ_KEY, READ_CERT, READ_FILE};
  for (size_t i = 0; i < 3; i++) {
    int rv = read_in_child(kinds[i], path, err, sizeof err);
    if (rv != -1) printf("\n  kind %zu: rv %d: %s\n", i, rv, err);
    CU_ASSERT_EQUAL(rv, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file (it is a FIFO)"));
  }
  CU_ASSERT_EQUAL(read_in_child(READ_CERT, "/dev/null", err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/null: not a regular file (it is "
                                    "a device)"));
  CU_ASSERT_EQUAL(read_in_child(READ_KEY, root, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "(it is a directory)"));

  mcc_keypair kp, back;
  test_keys(&kp, 3);
  at(target, "real-key.txt");
  CU_ASSERT_EQUAL(keyfile_write_keypair(target, &kp, 0, err, sizeof err), 0);
  at(path, "link-key.txt");
  CU_ASSERT_EQUAL_FATAL(symlink(target, path), 0);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), 0);
  CU_ASSERT_EQUAL(memcmp(&kp, &back, sizeof kp), 0);
  chmod(target, 0644);
  CU_ASSERT_EQUAL(keyfile_read_keypair(path, &back, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "chmod 600"));
  tmp_end();
}

static void test_real_keyfile_networks_cap(void) {
  chain c;
  make_chain(&c);
  tmp_begin();
  char dir[PATH_MAX], text[4 * PATH_MAX], err[1024];
  write_chain(at(dir, "etc"), &c);
  /* A second network the node does not belong to: accepted, listed. */
  mcc_cert other;
  mcc_cert_sign(&other, MCC_CERT_NETWORK, &c.other_network.pub, &c.authority,
                T0 - 100, T0 + 100);
  char other_path[PATH_MAX];
  rt_fmt(other_path, sizeof other_path, "%s/other.txt", dir);
  CU_ASSERT_EQUAL(keyfile_write_cert(other_path, &other, 0, NULL, 0), 0);
  rt_fmt(text, sizeof text,
           "network-certificates = %s, %s/network-certificate.txt\n",
           other_path, dir);
  mcc_conf *conf = rt_conf(text);
  mcc_keypair kp;
  mcc_cert cert;
  mcc_id nets[2];
  size_t nets_len;
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, dir, &kp, &cert, nets,
                                        &nets_len, 2, T0, err, sizeof err),
                  0);
  CU_ASSERT_EQUAL(nets_len, 2);
  CU_ASSERT_EQUAL(memcmp(nets[0].key, c.other_network.pub.key, 32), 0);
  CU_ASSERT_EQUAL(memcmp(nets[1].key, c.network.pub.key, 32), 0);
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, dir, &kp, &cert, nets,
                                        &nets_len, 1, T0, err, sizeof err),
                  -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "network-certificates: 2 files"));
  mcc_conf_free(conf);
  conf = rt_conf("network-certificates =\n");
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, dir, &kp, &cert, nets,
                                        &nets_len, 2, T0, err, sizeof err),
                  -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "network-certificates: no file"));
  mcc_conf_free(conf);
  tmp_end();
}

static void test_real_keyfile_path_rule(void) {
  char out[PATH_MAX], err[512];
  mcc_conf *conf = rt_conf("");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "node-certificate", 0, "/some/dir",
                                    out, sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "/some/dir/node-certificate.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "node-private-key", 0, "rel/",
                                    out, sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "rel/node-private-key.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "network-certificates", 0, "/",
                                    out, sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "/network-certificate.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "node-certificate", 0, NULL, out,
                                    sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "/etc/mcc/node-certificate.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "network-certificates", 1, "/d",
                                    out, sizeof out, err, sizeof err),
                  -1);
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "no-such-key", 0, "/d", out,
                                    sizeof out, err, sizeof err),
                  -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-key"));
  mcc_conf_free(conf);

  /* Set in the file: as is, even under /etc/mcc/ and with commas in a
   * path key (one value); lists split. */
  conf = rt_conf("node-certificate = /etc/mcc/other/cert,1.txt\n"
                   "node-private-key = keys/node.txt\n"
                   "network-certificates = /etc/mcc/a.txt, b.txt\n");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "node-certificate", 0, "/d", out,
                                    sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "/etc/mcc/other/cert,1.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "node-private-key", 0, "/d", out,
                                    sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "keys/node.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "network-certificates", 0, "/d",
                                    out, sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "/etc/mcc/a.txt");
  CU_ASSERT_EQUAL(keyfile_conf_path(conf, "network-certificates", 1, "/d",
                                    out, sizeof out, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(out, "b.txt");
  mcc_conf_free(conf);

  /* The whole identity from a directory with an empty configuration. */
  chain c;
  make_chain(&c);
  tmp_begin();
  char dir[PATH_MAX];
  write_chain(at(dir, "conf"), &c);
  mcc_keypair kp;
  mcc_id nets[4];
  size_t nets_len;
  CU_ASSERT_EQUAL(load_dir(dir, T0, err, sizeof err, &kp, nets, &nets_len),
                  0);
  CU_ASSERT_EQUAL(memcmp(kp.pub.key, c.node.pub.key, 32), 0);
  tmp_end();
}

/* ---- the commands ------------------------------------------------------- */

static void test_real_keyfile_cli_chain(void) {
  tmp_begin();
  run_out o;
  char auth[PATH_MAX], net[PATH_MAX], node[PATH_MAX], node2[PATH_MAX],
      path[PATH_MAX], err[1024], text[512];
  at(auth, "auth");
  at(net, "net");
  at(node, "node");
  at(node2, "deep/node2");

  char *a1[] = {"generate-authority", auth, NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_generate_authority, NULL, &o, a1), 0);
  rt_chomp(o.out);
  mcc_keypair authority;
  rt_fmt(path, sizeof path, "%s/" KEYFILE_AUTHORITY_KEY, auth);
  CU_ASSERT_EQUAL_FATAL(
      keyfile_read_keypair(path, &authority, err, sizeof err), 0);
  CU_ASSERT_EQUAL(rt_mode_of(path), 0600);
  char id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&authority.pub, id);
  CU_ASSERT_STRING_EQUAL(o.out, id);
  CU_ASSERT_EQUAL(run(cli_generate_authority, NULL, &o, a1), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "exists (use -y to overwrite)"));

  char *n1[] = {"generate-network", "-a", path, "--days", "30", net, NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_generate_network, NULL, &o, n1), 0);
  rt_chomp(o.out);
  mcc_cert net_cert;
  rt_fmt(path, sizeof path, "%s/" KEYFILE_NETWORK_CERT, net);
  rt_read_text(path, text, sizeof text);
  rt_chomp(text);
  CU_ASSERT_STRING_EQUAL(o.out, text);
  CU_ASSERT_EQUAL_FATAL(keyfile_read_cert(path, &net_cert, err, sizeof err),
                        0);
  CU_ASSERT_EQUAL(net_cert.kind, MCC_CERT_NETWORK);
  CU_ASSERT_EQUAL(memcmp(net_cert.issuer.key, authority.pub.key, 32), 0);
  uint64_t now = (uint64_t)time(NULL);
  CU_ASSERT_EQUAL(mcc_cert_verify(&net_cert, now), 0);
  CU_ASSERT(net_cert.not_before <= now - 3500 &&
            net_cert.not_before >= now - 3700);
  CU_ASSERT(net_cert.not_after >= now + 30 * 86400 - 100 &&
            net_cert.not_after <= now + 30 * 86400 + 100);

  /* The network key from the certificate's directory. */
  char *g1[] = {"generate-node-certificate", "-p", path, node, NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_generate_node_certificate, NULL, &o, g1), 0);
  rt_chomp(o.out);
  mcc_keypair kp;
  mcc_id nets[4];
  size_t nets_len;
  CU_ASSERT_EQUAL(load_dir(node, now, err, sizeof err, &kp, nets, &nets_len),
                  0);
  mcc_id_to_text(&kp.pub, id);
  CU_ASSERT_STRING_EQUAL(o.out, id);
  CU_ASSERT_EQUAL(memcmp(nets[0].key, net_cert.subject.key, 32), 0);
  rt_fmt(text, sizeof text, "%s/" KEYFILE_NODE_KEY, node);
  CU_ASSERT_EQUAL(rt_mode_of(text), 0600);
  rt_fmt(text, sizeof text, "%s/" KEYFILE_NODE_CERT, node);
  CU_ASSERT_EQUAL(rt_mode_of(text), 0644);
  mcc_cert node_cert;
  CU_ASSERT_EQUAL(keyfile_read_cert(text, &node_cert, err, sizeof err), 0);
  /* Capped at the network certificate's end. */
  CU_ASSERT_EQUAL(node_cert.not_after, net_cert.not_after);

  /* Again: refused, nothing changed; forced: a new node. */
  CU_ASSERT_EQUAL(run(cli_generate_node_certificate, NULL, &o, g1), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "exists (use -y to overwrite)"));
  char *g2[] = {"generate-node-certificate", "-y", "-p", path, node, NULL};
  CU_ASSERT_EQUAL(run(cli_generate_node_certificate, NULL, &o, g2), 0);
  rt_chomp(o.out);
  CU_ASSERT_STRING_NOT_EQUAL(o.out, id);
  CU_ASSERT_EQUAL(load_dir(node, now, err, sizeof err, &kp, nets, &nets_len),
                  0);

  /* --stdin, into a directory that does not exist yet. */
  char key_path[PATH_MAX];
  rt_fmt(key_path, sizeof key_path, "%s/" KEYFILE_NETWORK_KEY, net);
  char *g3[] = {"generate-node-certificate", "--stdin", "--parent", path,
                node2, NULL};
  CU_ASSERT_EQUAL(run(cli_generate_node_certificate, key_path, &o, g3), 0);
  CU_ASSERT_EQUAL(load_dir(node2, now, err, sizeof err, &kp, nets,
                           &nets_len),
                  0);
  /* The wrong key on stdin: refused, nothing written. */
  rt_fmt(text, sizeof text, "%s/" KEYFILE_AUTHORITY_KEY, auth);
  char wrong_dir[PATH_MAX];
  at(wrong_dir, "wrong");
  char *g4[] = {"generate-node-certificate", "--stdin", "-p", path,
                wrong_dir, NULL};
  CU_ASSERT_EQUAL(run(cli_generate_node_certificate, text, &o, g4), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "not the private key of the network"));
  CU_ASSERT_EQUAL(rt_count_entries(wrong_dir), 0);
  /* Into the network's own directory: no copy of the certificate needed. */
  char *g5[] = {"generate-node-certificate", "-p", path, net, NULL};
  CU_ASSERT_EQUAL(run(cli_generate_node_certificate, NULL, &o, g5), 0);
  CU_ASSERT_EQUAL(rt_count_entries(net), 4);
  sodium_memzero(&authority, sizeof authority);
  tmp_end();
}

/* An authority and a network under root (`mcc generate-authority`,
 * `generate-network`): the network certificate's Base64, as mcc init
 * takes it. */
static void new_network(char *cert_b64, size_t len) {
  run_out o;
  char path[PATH_MAX];
  char *a1[] = {"generate-authority", root, NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_generate_authority, NULL, &o, a1), 0);
  at(path, KEYFILE_AUTHORITY_KEY);
  char *n1[] = {"generate-network", "-a", path, root, NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_generate_network, NULL, &o, n1), 0);
  rt_fmt(cert_b64, len, "%s", o.out);
  rt_chomp(cert_b64);
}

static void count_diag(void *user_data, int is_error, const char *msg) {
  ++*(size_t *)user_data;
  printf("\n  %s\n", msg);
}

static void test_real_keyfile_cli_init(void) {
  tmp_begin();
  run_out o;
  char dir[PATH_MAX], path[PATH_MAX], err[1024], cert_b64[512],
      key_path[PATH_MAX], conf_path[PATH_MAX];
  new_network(cert_b64, sizeof cert_b64);
  at(key_path, KEYFILE_NETWORK_KEY);
  at(dir, "etc/mcc");

  char *i1[] = {"init",
                "--stdin",
                "-p",
                "10.0.0.2, parent.example,[::1],::2,1.2.3.4:1000,[::3]:77",
                "-C",
                dir,
                cert_b64,
                NULL};
  CU_ASSERT_EQUAL_FATAL(run(cli_init, key_path, &o, i1), 0);
  rt_chomp(o.out);
  CU_ASSERT_EQUAL(strlen(o.out), MCC_ID_TEXT_LEN);

  /* mcc.conf parses cleanly and names the files by absolute path. */
  rt_fmt(conf_path, sizeof conf_path, "%s/mcc.conf", dir);
  char text[8192];
  rt_read_text(conf_path, text, sizeof text);
  CU_ASSERT_EQUAL(text[0], '#');
  size_t diags = 0;
  mcc_conf *conf = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&conf), 0);
  CU_ASSERT_EQUAL(mcc_conf_parse(conf, conf_path, text, strlen(text),
                                 count_diag, &diags),
                  0);
  CU_ASSERT_EQUAL(diags, 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(conf, "parents"),
                         "10.0.0.2:9376,parent.example:9376,[::1]:9376,"
                         "[::2]:9376,1.2.3.4:1000,[::3]:77");
  CU_ASSERT_EQUAL(mcc_conf_get(conf, "node-certificate")[0], '/');
  mcc_keypair kp;
  mcc_cert cert;
  mcc_id nets[4];
  size_t nets_len;
  uint64_t now = (uint64_t)time(NULL);
  CU_ASSERT_EQUAL(keyfile_load_identity(conf, NULL, &kp, &cert, nets,
                                        &nets_len, 4, now, err, sizeof err),
                  0);
  char id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&kp.pub, id);
  CU_ASSERT_STRING_EQUAL(o.out, id);
  mcc_conf_free(conf);

  /* `mcc certificates` shows both, valid. */
  char *c1[] = {"certificates", conf_path, NULL};
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c1), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "kind:       node"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "kind:       network"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, id));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "status:     valid"));
  CU_ASSERT_STRING_EQUAL(o.err, "");
  /* The network id in both forms, each taken by trusted-networks. */
  mcc_cert net_cert;
  CU_ASSERT_EQUAL(mcc_cert_from_base64(&net_cert, cert_b64, strlen(cert_b64)),
                  0);
  char net_id[MCC_ID_TEXT_LEN + 1], net_b64[64], want[256];
  mcc_id_to_text(&net_cert.subject, net_id);
  sodium_bin2base64(net_b64, sizeof net_b64, net_cert.subject.key,
                    MCC_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
  rt_fmt(want, sizeof want, "kind:       network\n  subject:    %s\n"
         "  base64:     %s\n", net_id, net_b64);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, want));
  CU_ASSERT_PTR_NULL(strstr(strstr(o.out, "kind:       node"), "base64:"));
  conf = rt_conf("");
  CU_ASSERT_EQUAL(
      mcc_conf_set(conf, "trusted-networks", net_id, err, sizeof err), 0);
  CU_ASSERT_EQUAL(
      mcc_conf_set(conf, "trusted-networks", net_b64, err, sizeof err), 0);
  mcc_conf_free(conf);

  /* Again without -y: refused and unchanged; with -y: a new node. */
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i1), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "exists (use -y to overwrite)"));
  char *i2[] = {"init", "--stdin", "--force", "--config-dir", dir, cert_b64,
                NULL};
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i2), 0);
  rt_chomp(o.out);
  CU_ASSERT_STRING_NOT_EQUAL(o.out, id);
  rt_read_text(conf_path, text, sizeof text);
  CU_ASSERT_PTR_NULL(strstr(text, "parents"));

  /* Refusals: no --stdin (usage), a bad certificate, bad parents, the
   * wrong key — none writes anything. */
  char other[PATH_MAX];
  at(other, "other");
  char *i3[] = {"init", "-C", other, cert_b64, NULL};
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i3), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "standard input is not a terminal"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "--stdin"));
  char *i4[] = {"init", "--stdin", "-C", other, "AAAA", NULL};
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i4), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "NETWORK-CERT-BASE64"));
  char *i5[] = {"init", "--stdin", "-p", "1.2.3.4:0", "-C", other, cert_b64,
                NULL};
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i5), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "--parents"));
  char *i6[] = {"init", "--stdin", "-p", "a,,b", "-C", other, cert_b64, NULL};
  CU_ASSERT_EQUAL(run(cli_init, key_path, &o, i6), 1);
  at(path, KEYFILE_AUTHORITY_KEY);
  char *i7[] = {"init", "--stdin", "-C", other, cert_b64, NULL};
  CU_ASSERT_EQUAL(run(cli_init, path, &o, i7), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "not the private key"));
  CU_ASSERT_EQUAL(rt_count_entries(other), 0);
  tmp_end();
}

/* ---- mcc init on a terminal ------------------------------------------- */

typedef struct pty_run {
  int status;        /* waitpid's */
  int echo_prompted; /* ECHO while the prompt was up */
  int echo_after;    /* ECHO once mcc init was gone */
  char seen[4096];   /* what the terminal showed */
} pty_run;

/* Appends what the master has within ms to r->seen; 1 when it read. */
static int pty_drain(int master, pty_run *r, int ms) {
  struct pollfd p = {master, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return 0;
  size_t used = strlen(r->seen);
  ssize_t n = read(master, r->seen + used, sizeof r->seen - 1 - used);
  if (n <= 0) return 0;
  r->seen[used + (size_t)n] = '\0';
  return 1;
}

/* Runs cli_init(argv) in a child whose standard input and error are a new
 * pseudo-terminal (its controlling one) and stdout out_path; once the
 * prompt shows, types `line` (NULL: sends SIGINT instead). */
static void init_on_pty(char **argv, const char *out_path, const char *line,
                        pty_run *r) {
  memset(r, 0, sizeof *r);
  r->status = -1;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  CU_ASSERT_FATAL(master >= 0);
  CU_ASSERT_FATAL(grantpt(master) == 0 && unlockpt(master) == 0);
  char slave_path[64];
  rt_fmt(slave_path, sizeof slave_path, "%s", ptsname(master));
  int slave = open(slave_path, O_RDWR | O_NOCTTY); /* ours, for tcgetattr */
  CU_ASSERT_FATAL(slave >= 0);
  int argc = 0;
  while (argv[argc]) argc++;
  fflush(NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    setsid();
    int fd = open(slave_path, O_RDWR); /* becomes the controlling tty */
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || out < 0) _exit(99);
    dup2(fd, 0);
    dup2(fd, 2);
    dup2(out, 1);
    close(master);
    close(slave);
    optind = 0;
    int rv = cli_init(argc, argv);
    fflush(NULL);
    _exit(rv);
  }
  struct termios t;
  for (int i = 0; i < 100 && !strstr(r->seen, "not shown): "); i++)
    pty_drain(master, r, 50);
  CU_ASSERT_PTR_NOT_NULL(strstr(r->seen, "Network private key"));
  CU_ASSERT_EQUAL(tcgetattr(slave, &t), 0);
  r->echo_prompted = (t.c_lflag & ECHO) != 0;
  if (line) {
    CU_ASSERT_EQUAL(write(master, line, strlen(line)),
                    (ssize_t)strlen(line));
  } else {
    kill(pid, SIGINT);
  }
  /* Read until the child is gone and the master has nothing more. */
  for (int i = 0; i < 200; i++) {
    if (waitpid(pid, &r->status, WNOHANG) == pid) {
      while (pty_drain(master, r, 50) && strlen(r->seen) + 1 < sizeof r->seen)
        ;
      break;
    }
    pty_drain(master, r, 50);
  }
  CU_ASSERT_EQUAL(tcgetattr(slave, &t), 0);
  r->echo_after = (t.c_lflag & ECHO) != 0;
  close(slave);
  close(master);
}

/* Without --stdin, mcc init asks for the key on the terminal, echo off,
 * and puts the terminal back however it ends; a blank line is refused. */
static void test_real_keyfile_cli_init_tty(void) {
  tmp_begin();
  char path[PATH_MAX], dir[PATH_MAX], out_path[PATH_MAX], cert_b64[512],
      key[256], line[300];
  new_network(cert_b64, sizeof cert_b64);
  rt_read_text(at(path, KEYFILE_NETWORK_KEY), key, sizeof key);
  rt_chomp(key);
  at(dir, "etc/mcc");
  at(out_path, "init.out");
  char *i1[] = {"init", "-C", dir, cert_b64, NULL};
  pty_run r;

  /* A blank line: refused, nothing written, echo back on. */
  init_on_pty(i1, out_path, " \n", &r);
  CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.seen, "no network private key entered"));
  CU_ASSERT_FALSE(r.echo_prompted);
  CU_ASSERT_TRUE(r.echo_after);
  CU_ASSERT_EQUAL(rt_count_entries(dir), 0);

  /* Interrupted at the prompt: dies of SIGINT with echo back on. */
  init_on_pty(i1, out_path, NULL, &r);
  CU_ASSERT(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGINT);
  CU_ASSERT_FALSE(r.echo_prompted);
  CU_ASSERT_TRUE(r.echo_after);
  CU_ASSERT_EQUAL(rt_count_entries(dir), 0);

  /* The key: accepted, never shown; the node is set up. */
  rt_fmt(line, sizeof line, "%s\n", key);
  init_on_pty(i1, out_path, line, &r);
  CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
  CU_ASSERT_PTR_NULL(strstr(r.seen, key));
  CU_ASSERT_PTR_NULL(strstr(r.seen, "mcc init:")); /* no error */
  CU_ASSERT_FALSE(r.echo_prompted);
  CU_ASSERT_TRUE(r.echo_after);
  char id[128];
  rt_read_text(out_path, id, sizeof id);
  rt_chomp(id);
  CU_ASSERT_EQUAL(strlen(id), MCC_ID_TEXT_LEN);
  CU_ASSERT_EQUAL(rt_count_entries(dir), 4);

  /* Another network's key typed: named as what was typed. */
  char *i2[] = {"init", "-y", "-C", dir, cert_b64, NULL};
  rt_read_text(at(path, KEYFILE_AUTHORITY_KEY), key, sizeof key);
  rt_chomp(key);
  rt_fmt(line, sizeof line, "%s\n", key);
  init_on_pty(i2, out_path, line, &r);
  CU_ASSERT(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.seen, "the key typed: not the private key"));
  CU_ASSERT_TRUE(r.echo_after);
  tmp_end();
}

static void test_real_keyfile_cli_certificates_invalid(void) {
  chain c;
  make_chain(&c);
  tmp_begin();
  run_out o;
  char dir[PATH_MAX], conf_path[PATH_MAX];
  /* T0 certificates: expired or not yet valid, whatever the clock says
   * (T0 + 100 is 2026-09-21). */
  uint64_t now = (uint64_t)time(NULL);
  write_chain(at(dir, "etc"), &c);
  rt_fmt(conf_path, sizeof conf_path, "%s/mcc.conf", dir);
  rt_write_text(conf_path, "# defaults: files next to this one\n");
  char *c1[] = {"certificates", conf_path, NULL};
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c1), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, now > T0 ? "certificate expired"
                                                : "certificate not yet"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "not-before: 2026-09-21T"));

  /* A valid node certificate from another network than the listed one. */
  mcc_cert_sign(&c.network_cert, MCC_CERT_NETWORK, &c.network.pub,
                &c.authority, (uint32_t)now - 10, (uint32_t)now + 1000);
  mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.node.pub, &c.other_network,
                (uint32_t)now - 10, (uint32_t)now + 1000);
  write_chain(dir, &c);
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c1), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "issuer is not the subject"));
  mcc_cert_sign(&c.node_cert, MCC_CERT_NODE, &c.node.pub, &c.network,
                (uint32_t)now - 10, (uint32_t)now + 1000);
  write_chain(dir, &c);
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c1), 0);

  /* Config errors are reported with file:line; a missing file is named. */
  rt_write_text(conf_path, "keep-alive-period = 5\nnode-certificate = x.txt\n");
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c1), 1);
  char want[PATH_MAX + 16];
  rt_fmt(want, sizeof want, "%s:1:", conf_path);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, want));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "x.txt: No such file"));
  char missing[PATH_MAX];
  at(missing, "none.conf");
  char *c2[] = {"certificates", missing, NULL};
  CU_ASSERT_EQUAL(run(cli_certificates, NULL, &o, c2), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, missing));
  tmp_end();
}

static void test_real_keyfile_cli_usage(void) {
  tmp_begin();
  run_out o;
  static const struct {
    rt_cli_fn fn;
    const char *name;
  } cmds[] = {{cli_generate_authority, "generate-authority"},
              {cli_generate_network, "generate-network"},
              {cli_generate_node_certificate, "generate-node-certificate"},
              {cli_init, "init"},
              {cli_certificates, "certificates"}};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char name[64];
    rt_fmt(name, sizeof name, "%s", cmds[i].name);
    char *help[] = {name, "--help", NULL};
    CU_ASSERT_EQUAL(run(cmds[i].fn, NULL, &o, help), 0);
    CU_ASSERT_EQUAL(strncmp(o.out, "usage: mcc ", 11), 0);
    char *h[] = {name, "-h", NULL};
    CU_ASSERT_EQUAL(run(cmds[i].fn, NULL, &o, h), 0);
    char *bad[] = {name, "--no-such-option", NULL};
    CU_ASSERT_EQUAL(run(cmds[i].fn, NULL, &o, bad), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "unknown option '--no-such-option'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "usage: mcc "));
    char *bad_short[] = {name, "-Q", NULL};
    CU_ASSERT_EQUAL(run(cmds[i].fn, NULL, &o, bad_short), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "unknown option '-Q'"));
    char *many[] = {name, "a", "b", NULL};
    CU_ASSERT_EQUAL(run(cmds[i].fn, NULL, &o, many), 2);
    CU_ASSERT_EQUAL(rt_count_entries(root), 0);
  }
  char *days[] = {"generate-network", "--days", "0", root, NULL};
  CU_ASSERT_EQUAL(run(cli_generate_network, NULL, &o, days), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "range 1-36500"));
  char *noarg[] = {"generate-network", "-a", NULL};
  CU_ASSERT_EQUAL(run(cli_generate_network, NULL, &o, noarg), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "needs a value"));
  char *nocert[] = {"init", "--stdin", NULL};
  CU_ASSERT_EQUAL(run(cli_init, NULL, &o, nocert), 2);
  /* A missing authority key is named. */
  char *noauth[] = {"generate-network", "-a", "/nonexistent/auth.txt", root,
                    NULL};
  CU_ASSERT_EQUAL(run(cli_generate_network, NULL, &o, noauth), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "/nonexistent/auth.txt"));
  CU_ASSERT_EQUAL(rt_count_entries(root), 0);
  tmp_end();
}

void suite_real_keyfile(void) {
  CU_pSuite s = CU_add_suite("real_keyfile", NULL, NULL);
  ADD_TEST(s, test_real_keyfile_key_round_trip);
  ADD_TEST(s, test_real_keyfile_key_text_refused);
  ADD_TEST(s, test_real_keyfile_no_overwrite);
  ADD_TEST(s, test_real_keyfile_cert_file);
  ADD_TEST(s, test_real_keyfile_load_identity_good);
  ADD_TEST(s, test_real_keyfile_load_identity_faults);
  ADD_TEST(s, test_real_keyfile_networks_cap);
  ADD_TEST(s, test_real_keyfile_private_key_mode);
  ADD_TEST(s, test_real_keyfile_not_regular);
  ADD_TEST(s, test_real_keyfile_path_rule);
  ADD_TEST(s, test_real_keyfile_cli_chain);
  ADD_TEST(s, test_real_keyfile_cli_init);
  ADD_TEST(s, test_real_keyfile_cli_init_tty);
  ADD_TEST(s, test_real_keyfile_cli_certificates_invalid);
  ADD_TEST(s, test_real_keyfile_cli_usage);
}
