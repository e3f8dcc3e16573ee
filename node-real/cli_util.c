/*
 * cli_util.c — the pieces the offline commands of `mcc` share
 * (cli_util.h): messages, option errors, certificate validity, the network
 * key, and writing a set of files all or nothing.
 */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

#define DAY_S 86400ull
#define BACKDATE_S 3600u /* certificates start this long before now */

void cli_errorf(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mcc %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_usage_error(const char *cmd, const char *usage, const char *what) {
  if (what) cli_errorf(cmd, "%s", what);
  fprintf(stderr, "usage: %s\nTry 'mcc %s --help'.\n", usage, cmd);
  return 2;
}

int cli_help(const char *usage, const char *text) {
  printf("usage: %s\n\n%s", usage, text);
  return 0;
}

int cli_bad_option(const char *cmd, const char *usage, int c, char **argv) {
  char what[256];
  const char *arg = optind > 0 ? argv[optind - 1] : "?";
  if (c == ':') {
    if (optopt && optopt < 256)
      snprintf(what, sizeof what, "option '-%c' needs a value", optopt);
    else
      snprintf(what, sizeof what, "option '%s' needs a value", arg);
  } else if (optopt && optopt < 256) {
    snprintf(what, sizeof what, "unknown option '-%c'", optopt);
  } else {
    snprintf(what, sizeof what, "unknown option '%s'", arg);
  }
  return cli_usage_error(cmd, usage, what);
}

int cli_parse_days(const char *cmd, const char *s, unsigned *pdays) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || v < 1 || v > CLI_MAX_DAYS) {
    cli_errorf(cmd, "--days: expected an integer in range 1-%u, got '%s'",
               CLI_MAX_DAYS, s);
    return -1;
  }
  *pdays = (unsigned)v;
  return 0;
}

int cli_validity(const char *cmd, uint64_t now, unsigned days,
                 uint32_t *pnot_before, uint32_t *pnot_after) {
  uint64_t after = now + days * DAY_S;
  if (now < BACKDATE_S || after > UINT32_MAX) {
    cli_errorf(cmd,
               "--days: %u days from now is past 2106, the end of "
               "certificate time",
               days);
    return -1;
  }
  *pnot_before = (uint32_t)(now - BACKDATE_S);
  *pnot_after = (uint32_t)after;
  return 0;
}

int cli_join(const char *cmd, char *out, const char *dir, const char *name) {
  size_t dlen = strlen(dir);
  const char *sep = dlen && dir[dlen - 1] == '/' ? "" : "/";
  if (dlen == 0) {
    cli_errorf(cmd, "empty directory name");
    return -1;
  }
  if (snprintf(out, PATH_MAX, "%s%s%s", dir, sep, name) >= PATH_MAX) {
    cli_errorf(cmd, "%s: path too long", dir);
    return -1;
  }
  return 0;
}

int cli_mkdir_p(const char *cmd, const char *dir) {
  char err[CLI_ERR_LEN];
  if (keyfile_mkdirs(dir, err, sizeof err) == 0) return 0;
  cli_errorf(cmd, "%s", err);
  return -1;
}

int cli_check_absent(const cli_writes *w, const char *path) {
  struct stat st;
  if (w->force || lstat(path, &st) != 0) return 0;
  cli_errorf(w->cmd, "%s exists (use -y to overwrite)", path);
  return -1;
}

void cli_rollback(cli_writes *w) {
  if (w->force) return; /* the old files are gone; keep the new ones */
  while (w->len) unlink(w->done[--w->len]);
}

int cli_wrote(cli_writes *w, const char *path, int rv, const char *err) {
  if (rv != 0) {
    cli_errorf(w->cmd, "%s", err);
    cli_rollback(w);
    return -1;
  }
  if (w->len < CLI_MAX_WRITES)
    snprintf(w->done[w->len++], PATH_MAX, "%s", path);
  return 0;
}

int cli_write_key(cli_writes *w, const char *path, const mcc_keypair *kp) {
  char err[CLI_ERR_LEN];
  return cli_wrote(
      w, path, keyfile_write_keypair(path, kp, w->force, err, sizeof err), err);
}

int cli_write_text(cli_writes *w, const char *path, const char *text,
                   unsigned mode) {
  char err[CLI_ERR_LEN];
  return cli_wrote(w, path,
                   keyfile_write_file(path, text, strlen(text), mode, w->force,
                                      err, sizeof err),
                   err);
}

int cli_write_cert(cli_writes *w, const char *path, const mcc_cert *cert) {
  char err[CLI_ERR_LEN];
  return cli_wrote(
      w, path, keyfile_write_cert(path, cert, w->force, err, sizeof err), err);
}

static int read_stdin_key(const char *cmd, mcc_keypair *kp) {
  char buf[KEYFILE_MAX_BYTES + 1];
  size_t n = 0;
  while (n < sizeof buf) {
    ssize_t r = read(STDIN_FILENO, buf + n, sizeof buf - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      cli_errorf(cmd, "standard input: %s", strerror(errno));
      sodium_memzero(buf, n);
      return -1;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  int rv = n > KEYFILE_MAX_BYTES ? MCC_ERR_BAD_LENGTH
                                 : keyfile_parse_key_text(buf, n, kp);
  sodium_memzero(buf, sizeof buf);
  if (rv != 0) {
    cli_errorf(cmd,
               "standard input: not a private key: expected one line of %d "
               "Base64 characters",
               KEYFILE_KEY_TEXT_LEN);
    return -1;
  }
  return 0;
}

static int read_tty_key(const char *cmd, mcc_keypair *kp) {
  char buf[KEYFILE_MAX_BYTES + 1];
  size_t n;
  if (cli_read_tty_line(cmd, STDIN_FILENO,
                        "Network private key (Base64, not shown): ", buf,
                        sizeof buf, &n) != 0)
    return -1;
  size_t blank = strspn(buf, " \t\r");
  int rv = blank == n ? MCC_ERR_BAD_LENGTH : keyfile_parse_key_text(buf, n, kp);
  sodium_memzero(buf, sizeof buf);
  if (blank == n) {
    cli_errorf(cmd, "no network private key entered (paste the one line of "
                    "network-private-key.txt)");
    return -1;
  }
  if (rv != 0) {
    cli_errorf(cmd,
               "the key typed is not a private key: expected one line of %d "
               "Base64 characters",
               KEYFILE_KEY_TEXT_LEN);
    return -1;
  }
  return 0;
}

int cli_network_key(const char *cmd, enum cli_key_source from,
                    const char *net_path, const mcc_cert *net_cert,
                    mcc_keypair *kp) {
  char dir[PATH_MAX], path[PATH_MAX], err[CLI_ERR_LEN];
  const char *source = "standard input";
  if (from == CLI_KEY_STDIN) {
    if (read_stdin_key(cmd, kp) != 0) return -1;
  } else if (from == CLI_KEY_TTY) {
    if (read_tty_key(cmd, kp) != 0) return -1;
    source = "the key typed";
  } else {
    keyfile_dir_of(net_path, dir, sizeof dir);
    if (cli_join(cmd, path, dir, KEYFILE_NETWORK_KEY) != 0) return -1;
    if (keyfile_read_keypair(path, kp, err, sizeof err) != 0) {
      cli_errorf(cmd, "%s (or pipe the network private key in with --stdin)",
                 err);
      return -1;
    }
    source = path;
  }
  if (memcmp(kp->pub.key, net_cert->subject.key, MCC_KEY_LEN) != 0) {
    cli_errorf(cmd, "%s: not the private key of the network of %s", source,
               net_path);
    sodium_memzero(kp, sizeof *kp);
    return -1;
  }
  return 0;
}

int cli_check_network_cert(const char *cmd, const char *what,
                           const mcc_cert *cert, uint64_t now) {
  char err[CLI_ERR_LEN];
  if (keyfile_check_cert(what, cert, MCC_CERT_NETWORK, now, err, sizeof err) ==
      0)
    return 0;
  cli_errorf(cmd, "%s", err);
  return -1;
}

int cli_read_network_cert(const char *cmd, const char *net_path,
                          mcc_cert *net_cert, uint64_t now) {
  char err[CLI_ERR_LEN];
  if (keyfile_read_cert(net_path, net_cert, err, sizeof err) != 0) {
    cli_errorf(cmd, "%s", err);
    return -1;
  }
  return cli_check_network_cert(cmd, net_path, net_cert, now);
}

int cli_make_cert(const char *cmd, enum mcc_cert_kind kind,
                  const mcc_keypair *network, const mcc_cert *net_cert,
                  unsigned days, uint64_t now, mcc_keypair *kp,
                  mcc_cert *cert) {
  uint32_t not_before, not_after;
  if (cli_validity(cmd, now, days, &not_before, &not_after) != 0) return -1;
  if (not_after > net_cert->not_after) not_after = net_cert->not_after;
  int rv = mcc_keypair_generate(kp);
  if (rv == 0)
    rv = mcc_cert_sign(cert, kind, &kp->pub, network, not_before, not_after);
  if (rv != 0) {
    cli_errorf(cmd, "cannot create the %s certificate: %s",
               keyfile_cert_kind_name(kind), mcc_strerror(rv));
    return -1;
  }
  return 0;
}
