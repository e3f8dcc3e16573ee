/*
 * keyfile.c — reading and writing the key and certificate files (formats
 * in keyfile.h), and loading a node's identity as mcc.conf names it.
 * Secrets read from files are wiped from memory once parsed. A file is
 * checked on the descriptor it is read from (fstat), so what was checked is
 * what is read: a regular file, and for a private key one that only its
 * owner, this user, can read or write (as ssh wants of its keys). Opening
 * with O_NONBLOCK makes a FIFO or device at the path an error instead of a
 * hang. Symbolic links are followed: the checks apply to their target, and
 * secrets mounted as links (Kubernetes, for one) keep working.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "keyfile.h"
#include "strbuf.h"

#define DEFAULT_CONFIG_PREFIX "/etc/mcc/"


static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **ptext, size_t *plen) {
  const char *t = *ptext;
  size_t len = *plen;
  while (len && is_space(*t)) {
    t++;
    len--;
  }
  while (len && is_space(t[len - 1])) len--;
  *ptext = t;
  *plen = len;
}

/* ---- private keys ----------------------------------------------------- */

/* Padded Base64 of some length: a multiple of 4 with '=' only in the last
 * two places. Tells "a key of the wrong size" from "not a key at all". */
static int padded_shape(const char *text, size_t len) {
  if (len == 0 || len % 4 != 0) return 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '=' && i < len - 2) return 0;
  return !(text[len - 2] == '=' && text[len - 1] != '=');
}

int keyfile_parse_key_text(const char *text, size_t len, mcc_keypair *kp) {
  if (!kp) return MCC_ERR_INVALID_ARGUMENT;
  sodium_memzero(kp, sizeof *kp);
  if (!text && len) return MCC_ERR_INVALID_ARGUMENT;
  if (!text) return MCC_ERR_BASE64;
  trim(&text, &len);
  if (!base64_alphabet_only(text, len)) return MCC_ERR_BASE64;
  if (len != KEYFILE_KEY_TEXT_LEN)
    return padded_shape(text, len) ? MCC_ERR_BAD_LENGTH : MCC_ERR_BASE64;
  /* 44 characters hold at most 33 bytes. */
  uint8_t seed[MCC_SEED_LEN + 1];
  size_t seedlen = 0;
  const char *end = NULL;
  int rv = MCC_ERR_BASE64;
  if (sodium_base642bin(seed, sizeof seed, text, len, NULL, &seedlen, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text + len)
    goto out;
  if (seedlen != MCC_SEED_LEN) {
    rv = MCC_ERR_BAD_LENGTH;
    goto out;
  }
  /* One text per key: libsodium 1.0.18 accepts non-zero unused bits in the
   * last character, so compare with the canonical form. */
  char canonical[KEYFILE_KEY_TEXT_LEN + 1];
  sodium_bin2base64(canonical, sizeof canonical, seed, MCC_SEED_LEN,
                    sodium_base64_VARIANT_ORIGINAL);
  if (memcmp(canonical, text, KEYFILE_KEY_TEXT_LEN) == 0)
    rv = mcc_keypair_from_seed(kp, seed);
  sodium_memzero(canonical, sizeof canonical);
out:
  sodium_memzero(seed, sizeof seed);
  if (rv != 0) sodium_memzero(kp, sizeof *kp);
  return rv;
}

void keyfile_format_key_text(const mcc_keypair *kp,
                             char out[KEYFILE_KEY_TEXT_LEN + 1]) {
  /* libsodium keeps the seed as the first half of the secret key. */
  sodium_bin2base64(out, KEYFILE_KEY_TEXT_LEN + 1, kp->sec, MCC_SEED_LEN,
                    sodium_base64_VARIANT_ORIGINAL);
}

/* ---- whole files -------------------------------------------------------- */

static const char *file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "something else";
}

/* What ssh asks of a private key: its owner is this user, and nobody else
 * may read or write it. */
static int check_private(const char *path, const struct stat *st, char *err,
                         size_t errlen) {
  uid_t me = geteuid();
  if (st->st_uid != me)
    return fail_msg(err, errlen,
                "%s: private key owned by uid %u, not by this user (uid %u); "
                "fix: chown %u %s",
                path, (unsigned)st->st_uid, (unsigned)me, (unsigned)me, path);
  if (st->st_mode & 077)
    return fail_msg(err, errlen,
                "%s: private key readable or writable by group or others "
                "(mode %04o); fix: chmod 600 %s",
                path, (unsigned)(st->st_mode & 07777), path);
  return 0;
}

static int read_checked(const char *path, size_t maxlen, int is_private,
                        char **pdata, size_t *plen, char *err,
                        size_t errlen) {
  *pdata = NULL;
  *plen = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return fail_msg(err, errlen, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return fail_msg(err, errlen, "%s: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return fail_msg(err, errlen, "%s: not a regular file (it is %s)", path,
                file_kind(st.st_mode));
  }
  if (is_private && check_private(path, &st, err, errlen) != 0) {
    close(fd);
    return -1;
  }
  char *buf = malloc(maxlen + 2);
  if (!buf) {
    close(fd);
    return fail_msg(err, errlen, "%s: out of memory", path);
  }
  /* Read one byte past maxlen so that a file that grew is caught too. */
  size_t n = 0;
  while (n < maxlen + 1) {
    ssize_t r = read(fd, buf + n, maxlen + 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      sodium_memzero(buf, n);
      free(buf);
      return fail_msg(err, errlen, "%s: %s", path, strerror(e));
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (n > maxlen) {
    sodium_memzero(buf, n);
    free(buf);
    return fail_msg(err, errlen, "%s: too large (at most %zu bytes)", path,
                maxlen);
  }
  buf[n] = '\0';
  *pdata = buf;
  *plen = n;
  return 0;
}

int keyfile_read_file(const char *path, size_t maxlen, char **pdata,
                      size_t *plen, char *err, size_t errlen) {
  return read_checked(path, maxlen, 0, pdata, plen, err, errlen);
}

static int write_all(int fd, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Sets fd's mode, writes data and flushes it to disk; 0 or -1 (errno). */
static int fill(int fd, const void *data, size_t datalen, unsigned mode) {
  if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, datalen) != 0 ||
      fsync(fd) != 0)
    return -1;
  return 0;
}

int keyfile_write_file(const char *path, const void *data, size_t datalen,
                       unsigned mode, int force, char *err, size_t errlen) {
  if (!force) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
    if (fd < 0 && errno == EEXIST)
      return fail_msg(err, errlen, "%s exists (use -y to overwrite)", path);
    if (fd < 0) return fail_msg(err, errlen, "%s: %s", path, strerror(errno));
    int rv = fill(fd, data, datalen, mode);
    int e = errno;
    if (close(fd) != 0 && rv == 0) {
      rv = -1;
      e = errno;
    }
    if (rv != 0) {
      unlink(path);
      return fail_msg(err, errlen, "%s: %s", path, strerror(e));
    }
    return 0;
  }
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
    return fail_msg(err, errlen, "%s: path too long", path);
  int fd = mkstemp(tmp);
  if (fd < 0) return fail_msg(err, errlen, "%s: %s", path, strerror(errno));
  int rv = fill(fd, data, datalen, mode);
  int e = errno;
  if (close(fd) != 0 && rv == 0) {
    rv = -1;
    e = errno;
  }
  if (rv == 0 && rename(tmp, path) != 0) {
    rv = -1;
    e = errno;
  }
  if (rv != 0) {
    unlink(tmp);
    return fail_msg(err, errlen, "%s: %s", path, strerror(e));
  }
  return 0;
}

void keyfile_dir_of(const char *path, char *out, size_t outlen) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(out, outlen, ".");
    return;
  }
  while (slash > path && slash[-1] == '/') slash--;
  if (slash == path) snprintf(out, outlen, "/");
  else snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

int keyfile_mkdirs(const char *dir, char *err, size_t errlen) {
  char buf[PATH_MAX];
  if (dir[0] == '\0') return fail_msg(err, errlen, "empty directory name");
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
    return fail_msg(err, errlen, "%s: path too long", dir);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return fail_msg(err, errlen, "%s: %s", buf, strerror(errno));
    *p = saved;
    if (!saved) break;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return fail_msg(err, errlen, "%s: not a directory", dir);
  return 0;
}

int keyfile_read_keypair(const char *path, mcc_keypair *kp, char *err,
                         size_t errlen) {
  char *text;
  size_t len;
  if (read_checked(path, KEYFILE_MAX_BYTES, 1, &text, &len, err, errlen))
    return -1;
  int rv = keyfile_parse_key_text(text, len, kp);
  sodium_memzero(text, len);
  free(text);
  if (rv == MCC_ERR_BAD_LENGTH)
    return fail_msg(err, errlen,
                "%s: not a private key: Base64 of other than %d bytes", path,
                MCC_SEED_LEN);
  if (rv != 0)
    return fail_msg(err, errlen,
                "%s: not a private key: expected one line of %d Base64 "
                "characters",
                path, KEYFILE_KEY_TEXT_LEN);
  return 0;
}

int keyfile_write_keypair(const char *path, const mcc_keypair *kp, int force,
                          char *err, size_t errlen) {
  char line[KEYFILE_KEY_TEXT_LEN + 2];
  keyfile_format_key_text(kp, line);
  line[KEYFILE_KEY_TEXT_LEN] = '\n';
  line[KEYFILE_KEY_TEXT_LEN + 1] = '\0';
  int rv = keyfile_write_file(path, line, KEYFILE_KEY_TEXT_LEN + 1,
                              KEYFILE_MODE_PRIVATE, force, err, errlen);
  sodium_memzero(line, sizeof line);
  return rv;
}

int keyfile_read_cert(const char *path, mcc_cert *cert, char *err,
                      size_t errlen) {
  char *text;
  size_t len;
  if (keyfile_read_file(path, KEYFILE_MAX_BYTES, &text, &len, err, errlen))
    return -1;
  int rv = mcc_cert_from_base64(cert, text, len);
  free(text);
  if (rv != 0)
    return fail_msg(err, errlen, "%s: not a certificate: %s", path,
                mcc_strerror(rv));
  return 0;
}

int keyfile_write_cert(const char *path, const mcc_cert *cert, int force,
                       char *err, size_t errlen) {
  char line[MCC_CERT_BASE64_LEN + 2];
  mcc_cert_to_base64(cert, line);
  line[MCC_CERT_BASE64_LEN] = '\n';
  line[MCC_CERT_BASE64_LEN + 1] = '\0';
  return keyfile_write_file(path, line, MCC_CERT_BASE64_LEN + 1,
                            KEYFILE_MODE_PUBLIC, force, err, errlen);
}

/* ---- display helpers ---------------------------------------------------- */

const char *keyfile_cert_kind_name(unsigned kind) {
  switch (kind) {
  case MCC_CERT_NETWORK: return "network";
  case MCC_CERT_NODE: return "node";
  case MCC_CERT_TUNNEL: return "tunnel";
  default: return "unknown";
  }
}

const char *keyfile_format_utc(uint64_t unix_s,
                               char out[KEYFILE_UTC_LEN + 1]) {
  time_t t = (time_t)unix_s;
  struct tm tm;
  if (unix_s > (uint64_t)253402300799ull || !gmtime_r(&t, &tm) ||
      strftime(out, KEYFILE_UTC_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, KEYFILE_UTC_LEN + 1, "@%llu", (unsigned long long)unix_s);
  return out;
}

/* ---- identity from mcc.conf --------------------------------------------- */

int keyfile_conf_path(const mcc_conf *conf, const char *key, size_t i,
                      const char *config_dir, char *out, size_t outlen,
                      char *err, size_t errlen) {
  const mcc_conf_key *k = mcc_conf_key_find(key);
  const char *value = mcc_conf_get(conf, key);
  if (!k || !value) return fail_msg(err, errlen, "%s: unknown key", key);
  char item[PATH_MAX];
  if (k->type == MCC_CONF_PATH) {
    /* A path is one value, commas and all. */
    if (i != 0) return fail_msg(err, errlen, "%s: holds one path", key);
    if (snprintf(item, sizeof item, "%s", value) >= (int)sizeof item)
      return fail_msg(err, errlen, "%s: path too long", key);
  } else {
    int rv = mcc_conf_list_get(conf, key, i, item, sizeof item);
    if (rv == MCC_ERR_BAD_LENGTH)
      return fail_msg(err, errlen, "%s: path too long", key);
    if (rv != 0) return fail_msg(err, errlen, "%s: no item %zu", key, i + 1);
  }
  if (item[0] == '\0') return fail_msg(err, errlen, "%s: no path given", key);
  const size_t plen = sizeof DEFAULT_CONFIG_PREFIX - 1;
  if (config_dir && config_dir[0] && strcmp(value, k->default_value) == 0 &&
      strncmp(item, DEFAULT_CONFIG_PREFIX, plen) == 0) {
    size_t dlen = strlen(config_dir);
    while (dlen > 1 && config_dir[dlen - 1] == '/') dlen--;
    const char *sep = config_dir[dlen - 1] == '/' ? "" : "/";
    if (snprintf(out, outlen, "%.*s%s%s", (int)dlen, config_dir, sep,
                 item + plen) >= (int)outlen)
      return fail_msg(err, errlen, "%s: path too long", key);
    return 0;
  }
  if (snprintf(out, outlen, "%s", item) >= (int)outlen)
    return fail_msg(err, errlen, "%s: path too long", key);
  return 0;
}

int keyfile_check_cert(const char *what, const mcc_cert *cert, unsigned kind,
                       uint64_t unix_now, char *err, size_t errlen) {
  if (cert->kind != kind)
    return fail_msg(err, errlen, "%s: not a %s certificate (it is a %s "
                             "certificate)",
                what, keyfile_cert_kind_name(kind),
                keyfile_cert_kind_name(cert->kind));
  int rv = mcc_cert_verify(cert, unix_now);
  if (rv == MCC_ERR_CERT_EXPIRED || rv == MCC_ERR_CERT_NOT_YET_VALID) {
    char from[KEYFILE_UTC_LEN + 1], to[KEYFILE_UTC_LEN + 1];
    return fail_msg(err, errlen, "%s: %s (valid %s to %s)", what,
                mcc_strerror(rv), keyfile_format_utc(cert->not_before, from),
                keyfile_format_utc(cert->not_after, to));
  }
  if (rv != 0) return fail_msg(err, errlen, "%s: %s", what, mcc_strerror(rv));
  return 0;
}

static int load_networks(const mcc_conf *conf, const char *config_dir,
                         mcc_id *networks, size_t *networks_len,
                         size_t networks_cap, uint64_t unix_now, char *err,
                         size_t errlen) {
  size_t n = mcc_conf_list_len(conf, "network-certificates");
  if (n == 0)
    return fail_msg(err, errlen, "network-certificates: no file given");
  if (n > networks_cap)
    return fail_msg(err, errlen,
                "network-certificates: %zu files, at most %zu are supported",
                n, networks_cap);
  for (size_t i = 0; i < n; i++) {
    char path[PATH_MAX];
    mcc_cert cert;
    if (keyfile_conf_path(conf, "network-certificates", i, config_dir, path,
                          sizeof path, err, errlen) ||
        keyfile_read_cert(path, &cert, err, errlen))
      return -1;
    if (keyfile_check_cert(path, &cert, MCC_CERT_NETWORK, unix_now, err,
                           errlen))
      return -1;
    networks[i] = cert.subject;
  }
  *networks_len = n;
  return 0;
}

int keyfile_load_identity(const mcc_conf *conf, const char *config_dir,
                          mcc_keypair *kp, mcc_cert *node_cert,
                          mcc_id *networks, size_t *networks_len,
                          size_t networks_cap, uint64_t unix_now, char *err,
                          size_t errlen) {
  char key_path[PATH_MAX], cert_path[PATH_MAX];
  *networks_len = 0;
  if (keyfile_conf_path(conf, "node-private-key", 0, config_dir, key_path,
                        sizeof key_path, err, errlen) ||
      keyfile_read_keypair(key_path, kp, err, errlen))
    return -1;
  if (keyfile_conf_path(conf, "node-certificate", 0, config_dir, cert_path,
                        sizeof cert_path, err, errlen) ||
      keyfile_read_cert(cert_path, node_cert, err, errlen) ||
      load_networks(conf, config_dir, networks, networks_len, networks_cap,
                    unix_now, err, errlen))
    goto fail;
  if (keyfile_check_cert(cert_path, node_cert, MCC_CERT_NODE, unix_now, err,
                         errlen))
    goto fail;
  if (memcmp(node_cert->subject.key, kp->pub.key, MCC_KEY_LEN) != 0) {
    fail_msg(err, errlen, "%s: certificate subject is not this node's key (%s)",
         cert_path, key_path);
    goto fail;
  }
  size_t i;
  for (i = 0; i < *networks_len; i++)
    if (memcmp(node_cert->issuer.key, networks[i].key, MCC_KEY_LEN) == 0)
      break;
  if (i == *networks_len) {
    char issuer[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&node_cert->issuer, issuer);
    fail_msg(err, errlen,
         "%s: issued by network %s, which is not the subject of any of "
         "network-certificates",
         cert_path, issuer);
    goto fail;
  }
  return 0;

fail:
  sodium_memzero(kp, sizeof *kp);
  *networks_len = 0;
  return -1;
}
