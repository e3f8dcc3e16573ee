/*
 * keyfile.h — the identity files of a node, shared by `mcc` (which writes
 * them) and `mccd` (which loads them at start-up).
 *
 * Formats, one line each, so they can be copied through a terminal:
 *
 *   private key  (node-private-key.txt, network-private-key.txt,
 *                 authority-private-key.txt), mode 0600:
 *       standard padded Base64 (RFC 4648 section 4, libsodium's
 *       sodium_base64_VARIANT_ORIGINAL) of the 32-byte Ed25519 seed — 44
 *       characters — then '\n'. The public key is derived from the seed.
 *   certificate  (node-certificate.txt, network-certificate.txt), mode 0644:
 *       the Base64 text form of mcc_cert (mcc_cert_to_base64, 184
 *       characters), then '\n'. The same text `mcc init` takes.
 *
 * Readers accept white space (space, tab, CR, LF) around the text and
 * refuse anything else: other characters, no padding, another length, or a
 * second line. Writers never silently overwrite: without force an existing
 * file is an error; with force the new content goes to a temporary file in
 * the same directory that is renamed over the old one, so a failed write
 * leaves the old file whole. Modes are set exactly, whatever the umask.
 *
 * Functions with err/errlen write a message that starts with the file's path
 * ("/etc/mcc/node-certificate.txt: certificate expired") and return 0 on
 * success, -1 on failure. err may be NULL when errlen is 0.
 */
#ifndef MCC_REAL_KEYFILE_H
#define MCC_REAL_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>

#define KEYFILE_KEY_TEXT_LEN 44  /* Base64 of the 32-byte seed, no NUL */
#define KEYFILE_MAX_BYTES 4096   /* larger files are refused unread */
#define KEYFILE_MODE_PRIVATE 0600
#define KEYFILE_MODE_PUBLIC 0644

/* File names inside a configuration directory. */
#define KEYFILE_NODE_KEY "node-private-key.txt"
#define KEYFILE_NODE_CERT "node-certificate.txt"
#define KEYFILE_NETWORK_KEY "network-private-key.txt"
#define KEYFILE_NETWORK_CERT "network-certificate.txt"
#define KEYFILE_AUTHORITY_KEY "authority-private-key.txt"

/* Pure: the key pair whose seed text (surrounding white space allowed) is
 * in text[0..len). Returns 0, MCC_ERR_BASE64 (a character outside the
 * alphabet, bad padding, non-canonical trailing bits) or MCC_ERR_BAD_LENGTH
 * (well-formed Base64 of other than 32 bytes); MCC_ERR_INVALID_ARGUMENT
 * for NULL arguments. On failure kp is zeroed. */
int keyfile_parse_key_text(const char *text, size_t len, mcc_keypair *kp);
/* Writes the KEYFILE_KEY_TEXT_LEN characters of kp's seed and a NUL. */
void keyfile_format_key_text(const mcc_keypair *kp,
                             char out[KEYFILE_KEY_TEXT_LEN + 1]);

/* Refuses (before reading) a key file that is not a regular file, is owned
 * by another user than this process's effective one, or has any group or
 * other permission bit: "PATH: private key readable or writable by group
 * or others (mode 0644); fix: chmod 600 PATH". */
int keyfile_read_keypair(const char *path, mcc_keypair *kp, char *err,
                         size_t errlen);
int keyfile_write_keypair(const char *path, const mcc_keypair *kp, int force,
                          char *err, size_t errlen);
int keyfile_read_cert(const char *path, mcc_cert *cert, char *err,
                      size_t errlen);
int keyfile_write_cert(const char *path, const mcc_cert *cert, int force,
                       char *err, size_t errlen);

/* Writes data[0..datalen) to path with exactly the given mode, under the
 * overwrite rule above (for mcc.conf and the like). */
int keyfile_write_file(const char *path, const void *data, size_t datalen,
                       unsigned mode, int force, char *err, size_t errlen);
/* Reads at most maxlen bytes of path into a new NUL-terminated buffer
 * (*pdata, free() it; *plen excludes the NUL). A longer file is an error,
 * and so is anything but a regular file (a FIFO is refused, not waited
 * on). */
int keyfile_read_file(const char *path, size_t maxlen, char **pdata,
                      size_t *plen, char *err, size_t errlen);

/* The directory part of path: "." when it has no '/', "/" for "/x". */
void keyfile_dir_of(const char *path, char *out, size_t outlen);
/* mkdir -p: dir and its missing parents, mode 0755 less the umask. */
int keyfile_mkdirs(const char *dir, char *err, size_t errlen);

/* Item i of the path key `key` of conf (a PATH key: i = 0; a list such as
 * network-certificates: i < mcc_conf_list_len()), by the path rule: when
 * the key still has its default value and the item starts with "/etc/mcc/",
 * the file is taken from config_dir instead (mccd /some/dir works without
 * editing paths); a value set in the file is used as is. config_dir NULL
 * means no rebasing. Since a key set to exactly its default cannot be told
 * from an unset one, "node-certificate = /etc/mcc/node-certificate.txt"
 * is rebased too. Returns 0, or -1 ("key: ...") for an unknown key, an item
 * out of range or a path over outlen - 1 bytes. */
int keyfile_conf_path(const mcc_conf *conf, const char *key, size_t i,
                      const char *config_dir, char *out, size_t outlen,
                      char *err, size_t errlen);

/* "network", "node", "tunnel" or "unknown". */
const char *keyfile_cert_kind_name(unsigned kind);
#define KEYFILE_UTC_LEN 20 /* 2025-01-31T12:00:00Z */
/* unix_s as UTC ISO 8601 with a Z, and a NUL; returns out. */
const char *keyfile_format_utc(uint64_t unix_s,
                               char out[KEYFILE_UTC_LEN + 1]);

/* 0 when cert is of `kind` and verifies at unix_now (mcc_cert_verify);
 * else -1 and err is "WHAT: not a network certificate (it is a node
 * certificate)", "WHAT: certificate expired (valid A to B)", "WHAT: bad
 * signature". */
int keyfile_check_cert(const char *what, const mcc_cert *cert, unsigned kind,
                       uint64_t unix_now, char *err, size_t errlen);

/* Loads and checks a node's identity as mcc.conf names it: node-private-key
 * into kp, node-certificate into node_cert, and every file of
 * network-certificates, whose subjects (the node's network keys) go to
 * networks[0..*networks_len), at most networks_cap of them. Checks: each
 * network certificate is of kind NETWORK and verifies at unix_now; the node
 * certificate is of kind NODE, its subject is kp's public key, its issuer
 * is one of the network keys, and it verifies at unix_now. Paths follow
 * keyfile_conf_path. On failure err names the file and the fault. */
int keyfile_load_identity(const mcc_conf *conf, const char *config_dir,
                          mcc_keypair *kp, mcc_cert *node_cert,
                          mcc_id *networks, size_t *networks_len,
                          size_t networks_cap, uint64_t unix_now, char *err,
                          size_t errlen);

#endif
