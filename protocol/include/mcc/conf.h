/*
 * conf.h — the main configuration file, mcc.conf (the manual's "MCC main
 * configuration file"), parsed without I/O: the host reads the file and hands
 * over its text; the core validates every line, keeps each key's value as
 * text and fills mcc_settings from it.
 *
 * Format: one `key = value` a line. White space around key and value is
 * ignored; a line whose first non-blank character is '#' is a comment, and so
 * is the rest of a line from a '#' that follows white space (" # comment");
 * blank lines are ignored; LF and CRLF line endings both work. A value may be
 * empty (`dns-names =`), which means "not set" for keys without a default.
 * A key may appear once in a file: a second line of the same key is an
 * error naming both lines, and the first value stays (no key of the manual
 * repeats; a list is one line). Lists are comma-separated; their items are
 * trimmed and stored joined by a bare ','.
 *
 * Values by type (mcc_conf_type):
 *   DURATION   an integer and a unit: ms, s, m, h or d (500ms, 30s, 2m, 1h);
 *              a bare number is refused, since its unit would be a guess.
 *   BOOL       true/false, yes/no, on/off, 1/0 (any letter case).
 *   UINT       decimal digits only.
 *   SOCKADDR   host:port; host is an IPv4 address, [IPv6] or a host name
 *              (numeric only for keys flagged MCC_CONF_FLAG_NUMERIC).
 *   CIDR4/6    address/prefix: 10.83.0.0/16, 200::/7.
 *   MAC        six hexadecimal pairs: AE:00:00:00:00:00.
 *   ENUM       one of mcc_conf_key.choices, exactly as written there.
 *   NODE_PORT  <node id>:<port>.
 *   *_LIST     comma-separated items of that kind; LIST items are free text.
 * No value may contain control characters.
 *
 * Every function that can fail returns 0 or a negative MCC_ERR_* code.
 */
#ifndef MCC_CONF_H
#define MCC_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcc_conf mcc_conf;

/* Receives each diagnostic of mcc_conf_parse: is_error is 1 for an error
 * (the line was not applied), 0 for a warning (unknown or deprecated key).
 * msg is "file:line: key: what was expected, got 'what was found'". */
typedef void (*mcc_conf_diag_fn)(void *user_data, int is_error,
                                 const char *msg);

typedef enum {
  MCC_CONF_STRING,
  MCC_CONF_PATH,
  MCC_CONF_SOCKADDR,
  MCC_CONF_SOCKADDR_LIST,
  MCC_CONF_DURATION,
  MCC_CONF_BOOL,
  MCC_CONF_UINT,
  MCC_CONF_LIST,
  MCC_CONF_CIDR4,
  MCC_CONF_CIDR6,
  MCC_CONF_MAC,
  MCC_CONF_ENUM,
  MCC_CONF_NODE_ID_LIST,
  MCC_CONF_BASE64_KEY_LIST, /* network keys: Base64, or Base32 as node ids */
  MCC_CONF_NODE_PORT
} mcc_conf_type;

/* mcc_conf_key.flags */
#define MCC_CONF_FLAG_DEPRECATED 1u /* setting it gives a warning */
#define MCC_CONF_FLAG_EMPTY_OK 2u   /* empty is valid despite a default */
#define MCC_CONF_FLAG_NUMERIC 4u    /* SOCKADDR: an IP address, no name */

typedef struct {
  const char *name;
  mcc_conf_type type;
  const char *default_value; /* "" when the manual gives none */
  const char *help;
  const char *choices; /* ENUM: "none,lz4" */
  /* UINT: the valid range; DURATION: the valid range in ms; lists: min
   * unused, max the most items (0: no limit); STRING: max the most bytes
   * (0: no limit). */
  uint64_t min, max;
  unsigned flags; /* MCC_CONF_FLAG_* */
} mcc_conf_key;

/* The key table, in the manual's order (plus `tags`, our extension). */
size_t mcc_conf_key_count(void);
/* Returns NULL when i >= mcc_conf_key_count(). */
const mcc_conf_key *mcc_conf_key_at(size_t i);
/* Returns NULL for an unknown name. */
const mcc_conf_key *mcc_conf_key_find(const char *name);
/* The known key within two edits of name (for "did you mean"), or NULL. */
const mcc_conf_key *mcc_conf_key_closest(const char *name, size_t len);

/* Writes what k's values look like into out (outlen bytes, NUL-terminated),
 * as error messages say after "expected": "a duration in range 1s-1h such
 * as 30s, 2m, 1h", "an integer in range 1-255", "one of none, lz4". Returns
 * out. */
const char *mcc_conf_key_describe(const mcc_conf_key *k, char *out,
                                  size_t outlen);

/* Creates a configuration with every key at its documented default.
 * Returns 0, MCC_ERR_INVALID_ARGUMENT (pconf NULL) or MCC_ERR_NOMEM. */
int mcc_conf_new(mcc_conf **pconf);
/* conf may be NULL. */
void mcc_conf_free(mcc_conf *conf);

/* Parses textlen bytes of text (need not be NUL-terminated; filename names
 * it in messages, "mcc.conf" when NULL). Each valid line replaces its key's
 * value. An unknown or deprecated key is a warning; a malformed line or
 * value, or a key given on an earlier line of the same text ("file:7: key:
 * given twice, first at file:3; ..."), is an error that leaves the key as
 * it was; parsing goes on to the end either way, reporting every problem to
 * diag (which may be NULL). Returns 0; MCC_ERR_SYNTAX if a line was
 * malformed or repeated a key, else MCC_ERR_VALUE if a value was; MCC_ERR_INVALID_ARGUMENT (conf NULL, or text NULL with textlen
 * > 0); MCC_ERR_NOMEM, which stops parsing at that line. */
int mcc_conf_parse(mcc_conf *conf, const char *filename, const char *text,
                   size_t textlen, mcc_conf_diag_fn diag, void *user_data);

/* Sets one key from text (trimmed; no comment stripping), with the checks
 * of mcc_conf_parse: for command-line overrides and scenario files. On
 * success err holds "" or a warning (deprecated key). Returns 0;
 * MCC_ERR_SYNTAX for an unknown key; MCC_ERR_VALUE for a malformed value,
 * err saying "key: what was expected, got '...'"; MCC_ERR_INVALID_ARGUMENT;
 * MCC_ERR_NOMEM. err may be NULL when errlen is 0. */
int mcc_conf_set(mcc_conf *conf, const char *key, const char *value,
                 char *err, size_t errlen);

/* Returns the key's current value ("" when empty), valid until the key is
 * set again or conf is freed; NULL for an unknown key. */
const char *mcc_conf_get(const mcc_conf *conf, const char *key);

/* The typed getters return 0; MCC_ERR_INVALID_ARGUMENT for an unknown key
 * or one of another type; MCC_ERR_VALUE when the key is empty (not set). */
int mcc_conf_get_duration_ms(const mcc_conf *conf, const char *key,
                             uint64_t *pms);
int mcc_conf_get_bool(const mcc_conf *conf, const char *key, int *pvalue);
int mcc_conf_get_uint(const mcc_conf *conf, const char *key,
                      uint64_t *pvalue);
/* ENUM: *pindex is the value's position in the key's choices (log-level:
 * off = 0 ... trace = 5). */
int mcc_conf_get_enum(const mcc_conf *conf, const char *key, size_t *pindex);

/* Any key's value as a comma-separated list: returns the number of items,
 * 0 for an empty value or an unknown key. */
size_t mcc_conf_list_len(const mcc_conf *conf, const char *key);
/* Copies item i, trimmed, into out. Returns 0; MCC_ERR_INVALID_ARGUMENT for
 * an unknown key or i out of range; MCC_ERR_BAD_LENGTH when out is too
 * small (out is then ""). */
int mcc_conf_list_get(const mcc_conf *conf, const char *key, size_t i,
                      char *out, size_t outlen);

/* tun-device-mtu's range, for the parser and mccd alike: IPv6 needs an MTU
 * of 1280 at least (RFC 8200) and the core carries no larger packet, so a
 * larger MTU would only lose packets. */
#define MCC_CONF_TUN_MTU_MIN 1280
#define MCC_CONF_TUN_MTU_MAX MCC_MAX_PACKET

/* Writes the default configuration file (`mccd -C`): every key with its
 * help as '# ' lines above it; keys without a default, and deprecated keys,
 * as commented-out lines. Returns the length of the whole text, excluding
 * the NUL; writes at most buflen bytes, NUL included (snprintf semantics;
 * buf may be NULL when buflen is 0). The text parses with no diagnostics. */
size_t mcc_conf_format_defaults(char *buf, size_t buflen);

/* Writes ms with the largest unit that states it exactly ("90s", "2m",
 * "1500ms") into out (outlen bytes, truncated, NUL-terminated); returns
 * out. The form mcc_conf_parse reads back. */
const char *mcc_conf_format_duration(char *out, size_t outlen, uint64_t ms);

/* Parses a numeric socket address: "1.2.3.4:9376", "[::1]:9376", or an
 * address alone ("1.2.3.4", "::1", "[::1]"), which takes default_port.
 * Returns 0; MCC_ERR_VALUE for host names, port 0 or above 65535 (or a
 * missing port when default_port is 0), or any other text;
 * MCC_ERR_INVALID_ARGUMENT for NULL arguments. */
int mcc_addr_parse(mcc_addr *addr, const char *text, uint16_t default_port);
/* The same, and a host name too ("gw.example:9376", "gw.example"): then
 * addr has family 0 and the port, and the name goes to host (hostlen
 * bytes, NUL-terminated; "" for a numeric address). MCC_ERR_LIMIT when the
 * name does not fit. The daemon resolves the name itself. */
int mcc_sockaddr_parse(mcc_addr *addr, char *host, size_t hostlen,
                       const char *text, uint16_t default_port);

/* Overwrites the fields of settings that come from conf and leaves the rest
 * (start from mcc_settings_default()): keep_alive_period_ns,
 * rejoin_period_ns, network_lookup_ttl, compression, static_addr (0 when
 * static-addr is empty or has no host part, as the default 10.115.0.0/16),
 * dns_names and tags (conf's strings, NULL when empty; valid until conf is
 * changed or freed), trusted_nodes, trusted_networks. parents are left to
 * the host, which resolves host names. On error settings is unchanged.
 * Returns 0; MCC_ERR_VALUE or MCC_ERR_LIMIT (over MCC_MAX_TRUSTED ids or
 * keys, or dns-names and tags over MCC_MAX_EXTRA_LEN bytes in the node
 * record) with a message in err; MCC_ERR_INVALID_ARGUMENT. */
int mcc_conf_apply_settings(const mcc_conf *conf, mcc_settings *settings,
                            char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
