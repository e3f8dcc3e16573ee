/*
 * conf.c — the mcc.conf parser: splits the host-supplied text into lines,
 * checks each value against its key's type and range (conf_keys.c), keeps
 * the values as heap strings (one slot per key, NULL while at the default),
 * and answers the typed getters and mcc_conf_apply_settings().
 * Messages follow BIRD: file, line, key, the valid range, and what was found.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/conf.h>

#include "cert.h"
#include "conf_lex.h"

#define MS_PER_S 1000ull
#define MS_PER_MIN (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_MIN)
#define MS_PER_D (24 * MS_PER_H)
#define NS_PER_MS 1000000ull

#define MSG_MAX 640     /* one diagnostic */
#define REASON_MAX 160  /* why one item failed */
#define HOST_MAX 253    /* RFC 1035 */

struct mcc_conf {
  size_t nkeys;
  char *values[]; /* NULL: the key's default */
};

/* ---- values ----------------------------------------------------------- */

static int is_type_list(mcc_conf_type t) {
  return t == MCC_CONF_LIST || t == MCC_CONF_SOCKADDR_LIST ||
         t == MCC_CONF_NODE_ID_LIST || t == MCC_CONF_BASE64_KEY_LIST;
}

enum { DUR_OK, DUR_BAD, DUR_NO_UNIT, DUR_UNIT, DUR_OVERFLOW };

static int parse_duration(const char *s, size_t len, uint64_t *pms) {
  size_t n = 0;
  while (n < len && s[n] >= '0' && s[n] <= '9') n++;
  if (n == 0) return DUR_BAD;
  uint64_t v;
  if (conf_parse_u64(s, n, &v) != 0) return DUR_OVERFLOW;
  const char *u = s + n;
  size_t ulen = len - n;
  uint64_t mult;
  if (ulen == 0) return DUR_NO_UNIT;
  if (ulen == 2 && memcmp(u, "ms", 2) == 0) mult = 1;
  else if (ulen == 1 && *u == 's') mult = MS_PER_S;
  else if (ulen == 1 && *u == 'm') mult = MS_PER_MIN;
  else if (ulen == 1 && *u == 'h') mult = MS_PER_H;
  else if (ulen == 1 && *u == 'd') mult = MS_PER_D;
  else return DUR_UNIT;
  if (v > UINT64_MAX / mult) return DUR_OVERFLOW;
  *pms = v * mult;
  return DUR_OK;
}

const char *mcc_conf_format_duration(char *out, size_t outlen, uint64_t ms) {
  static const struct { uint64_t ms; const char *unit; } units[] = {
      {MS_PER_D, "d"}, {MS_PER_H, "h"}, {MS_PER_MIN, "m"}, {MS_PER_S, "s"}};
  if (!out || !outlen) return out;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (ms && ms % units[i].ms == 0) {
      snprintf(out, outlen, "%llu%s", (unsigned long long)(ms / units[i].ms),
               units[i].unit);
      return out;
    }
  snprintf(out, outlen, "%llums", (unsigned long long)ms);
  return out;
}

static int parse_bool(const char *s, size_t len, int *pv) {
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (conf_eq_nocase(s, len, yes[i])) return *pv = 1, 0;
    if (conf_eq_nocase(s, len, no[i])) return *pv = 0, 0;
  }
  return -1;
}

/* Position of s in the comma-separated choices, or -1. */
static long enum_index(const char *choices, const char *s, size_t len) {
  long idx = 0;
  for (const char *c = choices; c && *c; idx++) {
    const char *end = strchr(c, ',');
    size_t n = end ? (size_t)(end - c) : strlen(c);
    if (n == len && memcmp(c, s, len) == 0) return idx;
    if (!end) break;
    c = end + 1;
  }
  return -1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = conf_lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_mac(const char *s, size_t len) {
  if (len != 17) return -1;
  for (size_t i = 0; i < 17; i++) {
    if (i % 3 == 2 ? s[i] != ':' : hexval(s[i]) < 0) return -1;
  }
  return 0;
}

/* RFC 1123 host name; the last label must not be all digits, so that a
 * mistyped address such as 1.2.3.256 is not taken for a name. */
static int is_hostname(const char *s, size_t len) {
  if (len == 0 || len > HOST_MAX) return 0;
  size_t start = 0;
  int all_digits = 1;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || s[i] == '.') {
      size_t n = i - start;
      if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-') return 0;
      if (i == len && all_digits) return 0;
      start = i + 1;
      all_digits = 1;
      continue;
    }
    char c = conf_lower(s[i]);
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return 0;
    if (c < '0' || c > '9') all_digits = 0;
  }
  return 1;
}

static int parse_port(const char *s, size_t len, uint16_t *pport) {
  uint64_t v;
  if (len > 5 || conf_parse_u64(s, len, &v) != 0 || v == 0 || v > 65535) return -1;
  *pport = (uint16_t)v;
  return 0;
}

/* host:port, [v6]:port, or (port_optional) the host alone. On success
 * addr holds a numeric address (family 0 for a host name), and *phost /
 * *phlen (when phost is not NULL) the host part. */
static int split_hostport(const char *s, size_t len, int port_optional,
                          int allow_name, mcc_addr *addr, const char **phost,
                          size_t *phlen, char *reason, size_t rlen) {
  const char *host = s, *port = NULL;
  size_t hlen = len, plen = 0;
  int v6 = 0;
  memset(addr, 0, sizeof *addr);
  if (len && s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (!close)
      return snprintf(reason, rlen, "no ']' after the IPv6 address"), -1;
    host = s + 1;
    hlen = (size_t)(close - host);
    v6 = 1;
    size_t rest = len - (size_t)(close - s) - 1;
    if (rest) {
      if (close[1] != ':') return snprintf(reason, rlen, "junk after ']'"), -1;
      port = close + 2;
      plen = rest - 1;
    }
  } else {
    const char *colon = memchr(s, ':', len);
    if (colon && memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
      if (!port_optional)
        return snprintf(reason, rlen, "an IPv6 address needs [brackets]"), -1;
      v6 = 1; /* a bare IPv6 address */
    } else if (colon) {
      hlen = (size_t)(colon - s);
      port = colon + 1;
      plen = len - hlen - 1;
    }
  }
  if (port) {
    if (parse_port(port, plen, &addr->port) != 0)
      return snprintf(reason, rlen, "port must be 1-65535"), -1;
  } else if (!port_optional) {
    return snprintf(reason, rlen, "missing ':port'"), -1;
  }
  if (v6) {
    if (!conf_pton(AF_INET6, host, hlen, addr->ip))
      return snprintf(reason, rlen, "bad IPv6 address"), -1;
    addr->family = 6;
  } else if (conf_pton(AF_INET, host, hlen, addr->ip)) {
    addr->family = 4;
  } else if (!allow_name || !is_hostname(host, hlen)) {
    return snprintf(reason, rlen, allow_name ? "bad host name or address"
                                             : "not a numeric IP address"),
           -1;
  }
  if (phost) {
    *phost = host;
    *phlen = hlen;
  }
  return 0;
}

static int parse_node_id(const char *s, size_t len, mcc_id *id, char *reason,
                         size_t rlen) {
  int rv = mcc_id_from_text(id, s, len);
  if (rv != 0) snprintf(reason, rlen, "%s", mcc_strerror(rv));
  return rv;
}

static int parse_base64_key(const char *s, size_t len, mcc_id *key) {
  static const int variants[] = {sodium_base64_VARIANT_ORIGINAL,
                                 sodium_base64_VARIANT_ORIGINAL_NO_PADDING};
  if (!base64_alphabet_only(s, len)) return MCC_ERR_BASE64;
  for (size_t i = 0; i < 2; i++) {
    size_t binlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(key->key, sizeof key->key, s, len, NULL, &binlen,
                          &end, variants[i]) == 0 &&
        end == s + len && binlen == sizeof key->key)
      return 0;
  }
  return MCC_ERR_BASE64;
}

/* A network key in trusted-networks: the 52-character Base32 text of node
 * ids (what `mcc certificates` prints as a network certificate's subject)
 * or Base64 of the 32 bytes (the manual's form). The lengths differ (52
 * against 43 or 44), so a value is never both. */
static int parse_network_key(const char *s, size_t len, mcc_id *key,
                             char *reason, size_t rlen) {
  if (len == MCC_ID_TEXT_LEN) return parse_node_id(s, len, key, reason, rlen);
  int rv = parse_base64_key(s, len, key);
  if (rv != 0)
    snprintf(reason, rlen,
             "neither a 52-character id nor Base64 of 32 bytes");
  return rv;
}

/* ---- validation ------------------------------------------------------- */

/* One scalar, or one item of a list: 0, or -1 with reason maybe set. */
static int check_item(const mcc_conf_key *k, const char *s, size_t len,
                      char *reason, size_t rlen) {
  uint64_t v;
  int b;
  unsigned prefix;
  uint8_t ip[16];
  mcc_addr addr;
  mcc_id id;
  switch (k->type) {
  case MCC_CONF_DURATION:
    switch (parse_duration(s, len, &v)) {
    case DUR_OK: break;
    case DUR_NO_UNIT:
      snprintf(reason, rlen, "the unit is required: ms, s, m, h or d");
      return -1;
    case DUR_UNIT:
      snprintf(reason, rlen, "units are ms, s, m, h, d");
      return -1;
    case DUR_OVERFLOW: snprintf(reason, rlen, "too large"); return -1;
    default: return -1;
    }
    if (v < k->min || v > k->max)
      return snprintf(reason, rlen, "out of range"), -1;
    return 0;
  case MCC_CONF_UINT:
    switch (conf_parse_u64(s, len, &v)) {
    case 0: break;
    case -2: snprintf(reason, rlen, "too large"); return -1;
    default: return -1;
    }
    if (v < k->min || v > k->max)
      return snprintf(reason, rlen, "out of range"), -1;
    return 0;
  case MCC_CONF_BOOL: return parse_bool(s, len, &b);
  case MCC_CONF_ENUM: return enum_index(k->choices, s, len) < 0 ? -1 : 0;
  case MCC_CONF_CIDR4: return conf_parse_cidr(AF_INET, s, len, ip, &prefix);
  case MCC_CONF_CIDR6: return conf_parse_cidr(AF_INET6, s, len, ip, &prefix);
  case MCC_CONF_MAC: return parse_mac(s, len);
  case MCC_CONF_SOCKADDR:
  case MCC_CONF_SOCKADDR_LIST:
    return split_hostport(s, len, 0, !(k->flags & MCC_CONF_FLAG_NUMERIC),
                          &addr, NULL, NULL, reason, rlen);
  case MCC_CONF_NODE_ID_LIST:
    return parse_node_id(s, len, &id, reason, rlen) ? -1 : 0;
  case MCC_CONF_BASE64_KEY_LIST:
    return parse_network_key(s, len, &id, reason, rlen) ? -1 : 0;
  case MCC_CONF_NODE_PORT: {
    const char *colon = memchr(s, ':', len);
    if (!colon) return snprintf(reason, rlen, "missing ':port'"), -1;
    if (parse_node_id(s, (size_t)(colon - s), &id, reason, rlen)) return -1;
    uint16_t port;
    if (parse_port(colon + 1, len - (size_t)(colon - s) - 1, &port))
      return snprintf(reason, rlen, "port must be 1-65535"), -1;
    return 0;
  }
  case MCC_CONF_STRING:
    if (k->max && len > k->max)
      return snprintf(reason, rlen, "%zu bytes is too long", len), -1;
    return 0;
  default: return 0;
  }
}

/* Checks s (trimmed) for key k. Returns 0 or MCC_ERR_VALUE with why set to
 * "expected ..., got '...'" and a reason in parentheses when there is one. */
static int check_value(const mcc_conf_key *k, const char *s, size_t len,
                       char *why, size_t whylen) {
  char expected[160], reason[REASON_MAX], found[CONF_QUOTE_LEN];
  const char *bad = s;
  size_t badlen = len, item_no = 0;
  reason[0] = '\0';
  mcc_conf_key_describe(k, expected, sizeof expected);
  size_t column = conf_control_column(s, len);
  if (column) {
    snprintf(reason, sizeof reason, "control character at column %zu",
             column);
    goto fail;
  }
  if (len == 0) {
    if (k->default_value[0] == '\0' || is_type_list(k->type) ||
        (k->flags & MCC_CONF_FLAG_EMPTY_OK))
      return 0;
    snprintf(why, whylen, "expected %s, got an empty value", expected);
    return MCC_ERR_VALUE;
  }
  if (!is_type_list(k->type)) {
    if (check_item(k, s, len, reason, sizeof reason) == 0) return 0;
    goto fail;
  }
  size_t n = 0;
  for (const char *p = s, *end = s + len;; n++) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    const char *item = p;
    size_t ilen = (size_t)(stop - p);
    conf_trim(&item, &ilen);
    if (ilen == 0) {
      snprintf(reason, sizeof reason, "item %zu is empty", n + 1);
      goto fail;
    }
    if (check_item(k, item, ilen, reason, sizeof reason) != 0) {
      item_no = n + 1;
      bad = item;
      badlen = ilen;
      goto fail;
    }
    if (!comma) break;
    p = comma + 1;
  }
  if (k->max && n + 1 > k->max) {
    snprintf(reason, sizeof reason, "%zu items, at most %llu", n + 1,
             (unsigned long long)k->max);
    goto fail;
  }
  return 0;
fail:
  conf_quote(found, sizeof found, bad, badlen);
  if (item_no)
    snprintf(why, whylen, "expected %s, got '%s' (item %zu%s%s)", expected,
             found, item_no, reason[0] ? ": " : "", reason);
  else
    snprintf(why, whylen, "expected %s, got '%s'%s%s%s", expected, found,
             reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
  return MCC_ERR_VALUE;
}

/* "a , b" -> "a,b" in place; items were checked non-empty. */
static void normalize_list(char *v) {
  size_t w = 0;
  const char *p = v;
  for (;;) {
    const char *comma = strchr(p, ',');
    const char *item = p;
    size_t ilen = comma ? (size_t)(comma - p) : strlen(p);
    conf_trim(&item, &ilen);
    memmove(v + w, item, ilen);
    w += ilen;
    if (!comma) break;
    v[w++] = ',';
    p = comma + 1;
  }
  v[w] = '\0';
}

/* A deprecated key's help opens with why ("Deprecated since MCC v2: use
 * tunnels instead."); that sentence is its warning. */
static int first_sentence(const char *help) {
  const char *dot = strchr(help, '.');
  return (int)(dot ? (size_t)(dot - help) : strlen(help));
}

static size_t key_index(const mcc_conf_key *k) {
  return (size_t)(k - mcc_conf_key_at(0));
}

/* Checks and stores s[0..len) (trimmed) as k's value. */
static int store(mcc_conf *conf, const mcc_conf_key *k, const char *s,
                 size_t len, char *why, size_t whylen) {
  int rv = check_value(k, s, len, why, whylen);
  if (rv != 0) return rv;
  char *v = malloc(len + 1);
  if (!v) return snprintf(why, whylen, "out of memory"), MCC_ERR_NOMEM;
  memcpy(v, s, len);
  v[len] = '\0';
  if (is_type_list(k->type) && len) normalize_list(v);
  size_t i = key_index(k);
  free(conf->values[i]);
  conf->values[i] = v;
  return 0;
}

/* ---- the object ------------------------------------------------------- */

int mcc_conf_new(mcc_conf **pconf) {
  if (!pconf) return MCC_ERR_INVALID_ARGUMENT;
  size_t n = mcc_conf_key_count();
  mcc_conf *c = calloc(1, sizeof *c + n * sizeof c->values[0]);
  if (!c) return MCC_ERR_NOMEM;
  c->nkeys = n;
  *pconf = c;
  return 0;
}

void mcc_conf_free(mcc_conf *conf) {
  if (!conf) return;
  for (size_t i = 0; i < conf->nkeys; i++) free(conf->values[i]);
  free(conf);
}

/* ---- parsing ---------------------------------------------------------- */

struct parse_ctx {
  const char *filename;
  size_t line;
  mcc_conf_diag_fn diag;
  void *user_data;
  size_t *first_line; /* per key: the line that gave it, 0 for none yet */
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void report(struct parse_ctx *p, int is_error, const char *fmt, ...) {
  if (!p->diag) return;
  char msg[MSG_MAX];
  int n = snprintf(msg, sizeof msg, "%s:%zu: ", p->filename, p->line);
  if (n < 0 || (size_t)n >= sizeof msg) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  p->diag(p->user_data, is_error, msg);
}

const mcc_conf_key *mcc_conf_key_closest(const char *s, size_t len) {
  const mcc_conf_key *best = NULL;
  size_t bestd = 3; /* only suggest within two edits */
  for (size_t i = 0; i < mcc_conf_key_count(); i++) {
    size_t d = conf_distance(s, len, mcc_conf_key_at(i)->name);
    if (d < bestd) bestd = d, best = mcc_conf_key_at(i);
  }
  return best;
}

/* One line without its newline. Returns 0, MCC_ERR_SYNTAX, MCC_ERR_VALUE
 * or MCC_ERR_NOMEM. */
static int parse_line(mcc_conf *conf, struct parse_ctx *p, const char *s,
                      size_t len) {
  char found[CONF_QUOTE_LEN], why[MSG_MAX];
  conf_line l;
  int kind = conf_lex_line(s, len, &l, why, sizeof why);
  if (kind == CONF_LINE_EMPTY) return 0;
  if (kind == CONF_LINE_BAD) {
    report(p, 1, "%s", why);
    return MCC_ERR_SYNTAX;
  }
  const char *key = l.key, *val = l.val;
  size_t klen = l.klen, vlen = l.vlen;
  char name[64];
  const mcc_conf_key *k = NULL;
  if (klen < sizeof name) {
    memcpy(name, key, klen);
    name[klen] = '\0';
    k = mcc_conf_key_find(name);
  }
  if (!k) {
    const mcc_conf_key *near = mcc_conf_key_closest(key, klen);
    report(p, 0, "unknown key '%s', ignored%s%s%s",
           conf_quote(found, sizeof found, key, klen),
           near ? " (did you mean '" : "", near ? near->name : "",
           near ? "'?)" : "");
    return 0;
  }
  /* Twice is a mistake either way round: which value was meant? */
  size_t *first = &p->first_line[key_index(k)];
  if (*first) {
    report(p, 1, "%s: given twice, first at %s:%zu; a key may appear once "
           "(a list takes comma-separated items)",
           k->name, p->filename, *first);
    return MCC_ERR_SYNTAX;
  }
  *first = p->line;
  int rv = store(conf, k, val, vlen, why, sizeof why);
  if (rv != 0) {
    report(p, 1, "%s: %s", k->name, why);
    return rv;
  }
  if (k->flags & MCC_CONF_FLAG_DEPRECATED)
    report(p, 0, "%s: %.*s", k->name, first_sentence(k->help), k->help);
  return 0;
}

int mcc_conf_parse(mcc_conf *conf, const char *filename, const char *text,
                   size_t textlen, mcc_conf_diag_fn diag, void *user_data) {
  if (!conf || (!text && textlen)) return MCC_ERR_INVALID_ARGUMENT;
  struct parse_ctx p = {filename ? filename : "mcc.conf", 0, diag, user_data,
                        calloc(conf->nkeys ? conf->nkeys : 1, sizeof(size_t))};
  if (!p.first_line) return MCC_ERR_NOMEM;
  int syntax = 0, value = 0;
  size_t pos = 0, len;
  const char *line;
  while (conf_lex_next(text, textlen, &pos, &line, &len)) {
    p.line++;
    int rv = parse_line(conf, &p, line, len);
    if (rv == MCC_ERR_NOMEM) {
      free(p.first_line);
      return rv;
    }
    if (rv == MCC_ERR_SYNTAX) syntax = 1;
    if (rv == MCC_ERR_VALUE) value = 1;
  }
  free(p.first_line);
  return syntax ? MCC_ERR_SYNTAX : value ? MCC_ERR_VALUE : 0;
}

int mcc_conf_set(mcc_conf *conf, const char *key, const char *value,
                 char *err, size_t errlen) {
  char why[MSG_MAX];
  if (err && errlen) err[0] = '\0';
  if (!conf || !key || !value || (!err && errlen))
    return MCC_ERR_INVALID_ARGUMENT;
  const mcc_conf_key *k = mcc_conf_key_find(key);
  if (!k) {
    char found[CONF_QUOTE_LEN];
    if (errlen)
      snprintf(err, errlen, "unknown key '%s'",
               conf_quote(found, sizeof found, key, strlen(key)));
    return MCC_ERR_SYNTAX;
  }
  size_t len = strlen(value);
  conf_trim(&value, &len);
  int rv = store(conf, k, value, len, why, sizeof why);
  if (rv != 0) {
    if (errlen) snprintf(err, errlen, "%s: %s", k->name, why);
    return rv;
  }
  if ((k->flags & MCC_CONF_FLAG_DEPRECATED) && errlen)
    snprintf(err, errlen, "%s: %.*s", k->name, first_sentence(k->help),
             k->help);
  return 0;
}

/* ---- getters ---------------------------------------------------------- */

const char *mcc_conf_get(const mcc_conf *conf, const char *key) {
  const mcc_conf_key *k = mcc_conf_key_find(key);
  if (!conf || !k) return NULL;
  const char *v = conf->values[key_index(k)];
  return v ? v : k->default_value;
}

/* The value of a key of type t; NULL with *prv set otherwise. */
static const char *typed(const mcc_conf *conf, const char *key,
                         mcc_conf_type t, const mcc_conf_key **pk, int *prv) {
  const mcc_conf_key *k = mcc_conf_key_find(key);
  if (!conf || !k || k->type != t) return *prv = MCC_ERR_INVALID_ARGUMENT, NULL;
  const char *v = mcc_conf_get(conf, key);
  if (!v[0]) return *prv = MCC_ERR_VALUE, NULL;
  *pk = k;
  return v;
}

int mcc_conf_get_duration_ms(const mcc_conf *conf, const char *key,
                             uint64_t *pms) {
  const mcc_conf_key *k;
  int rv = 0;
  const char *v = typed(conf, key, MCC_CONF_DURATION, &k, &rv);
  if (!v) return rv;
  if (!pms) return MCC_ERR_INVALID_ARGUMENT;
  return parse_duration(v, strlen(v), pms) == DUR_OK ? 0 : MCC_ERR_VALUE;
}

int mcc_conf_get_bool(const mcc_conf *conf, const char *key, int *pvalue) {
  const mcc_conf_key *k;
  int rv = 0;
  const char *v = typed(conf, key, MCC_CONF_BOOL, &k, &rv);
  if (!v) return rv;
  if (!pvalue) return MCC_ERR_INVALID_ARGUMENT;
  return parse_bool(v, strlen(v), pvalue) == 0 ? 0 : MCC_ERR_VALUE;
}

int mcc_conf_get_uint(const mcc_conf *conf, const char *key,
                      uint64_t *pvalue) {
  const mcc_conf_key *k;
  int rv = 0;
  const char *v = typed(conf, key, MCC_CONF_UINT, &k, &rv);
  if (!v) return rv;
  if (!pvalue) return MCC_ERR_INVALID_ARGUMENT;
  return conf_parse_u64(v, strlen(v), pvalue) == 0 ? 0 : MCC_ERR_VALUE;
}

int mcc_conf_get_enum(const mcc_conf *conf, const char *key, size_t *pindex) {
  const mcc_conf_key *k;
  int rv = 0;
  const char *v = typed(conf, key, MCC_CONF_ENUM, &k, &rv);
  if (!v) return rv;
  if (!pindex) return MCC_ERR_INVALID_ARGUMENT;
  long i = enum_index(k->choices, v, strlen(v));
  if (i < 0) return MCC_ERR_VALUE;
  *pindex = (size_t)i;
  return 0;
}

/* Item i of a comma list, trimmed; 0 when it exists. */
static int list_item(const char *v, size_t i, const char **pitem,
                     size_t *plen) {
  if (!v || !v[0]) return -1;
  for (size_t n = 0;; n++) {
    const char *comma = strchr(v, ',');
    if (n == i) {
      *pitem = v;
      *plen = comma ? (size_t)(comma - v) : strlen(v);
      conf_trim(pitem, plen);
      return 0;
    }
    if (!comma) return -1;
    v = comma + 1;
  }
}

size_t mcc_conf_list_len(const mcc_conf *conf, const char *key) {
  const char *v = mcc_conf_get(conf, key);
  if (!v || !v[0]) return 0;
  size_t n = 1;
  for (; *v; v++) n += *v == ',';
  return n;
}

int mcc_conf_list_get(const mcc_conf *conf, const char *key, size_t i,
                      char *out, size_t outlen) {
  const char *item;
  size_t len;
  if (!out || !outlen) return MCC_ERR_INVALID_ARGUMENT;
  out[0] = '\0';
  if (list_item(mcc_conf_get(conf, key), i, &item, &len) != 0)
    return MCC_ERR_INVALID_ARGUMENT;
  if (len >= outlen) return MCC_ERR_BAD_LENGTH;
  memcpy(out, item, len);
  out[len] = '\0';
  return 0;
}

/* ---- addresses and settings ------------------------------------------ */

int mcc_sockaddr_parse(mcc_addr *addr, char *host, size_t hostlen,
                       const char *text, uint16_t default_port) {
  char reason[REASON_MAX];
  if (!addr || !text || (host && !hostlen)) return MCC_ERR_INVALID_ARGUMENT;
  size_t len = strlen(text);
  conf_trim(&text, &len);
  mcc_addr a;
  const char *h;
  size_t hlen;
  if (split_hostport(text, len, 1, host != NULL, &a, &h, &hlen, reason,
                     sizeof reason) != 0)
    return MCC_ERR_VALUE;
  if (!a.port) a.port = default_port;
  if (!a.port) return MCC_ERR_VALUE;
  if (host) {
    if (a.family == 0 && hlen >= hostlen) return MCC_ERR_LIMIT;
    size_t n = a.family == 0 ? hlen : 0;
    memcpy(host, h, n);
    host[n] = '\0';
  }
  *addr = a;
  return 0;
}

int mcc_addr_parse(mcc_addr *addr, const char *text, uint16_t default_port) {
  return mcc_sockaddr_parse(addr, NULL, 0, text, default_port);
}


/* Fills ids[] from a list key with parse(item) -> 0. */
static int apply_ids(const mcc_conf *conf, const char *key, mcc_id *ids,
                     size_t *pn, int is_base64, char *err, size_t errlen) {
  const char *v = mcc_conf_get(conf, key), *item;
  size_t n = mcc_conf_list_len(conf, key), len;
  char found[CONF_QUOTE_LEN], reason[REASON_MAX];
  if (n > MCC_MAX_TRUSTED)
    return conf_fail(err, errlen, MCC_ERR_LIMIT, "%s: %zu items, at most %d", key,
                n, MCC_MAX_TRUSTED);
  for (size_t i = 0; i < n; i++) {
    list_item(v, i, &item, &len);
    int bad = is_base64 ? parse_network_key(item, len, &ids[i], reason,
                                            sizeof reason)
                        : parse_node_id(item, len, &ids[i], reason,
                                        sizeof reason);
    if (bad)
      return conf_fail(err, errlen, MCC_ERR_VALUE, "%s: item %zu: bad %s '%s'",
                  key, i + 1, is_base64 ? "network key" : "node id",
                  conf_quote(found, sizeof found, item, len));
  }
  *pn = n;
  return 0;
}

/* A node's record carries each name and tag as kind, length, bytes; list
 * values are stored as items joined by bare commas. */
static size_t record_extra_len(const char *list) {
  if (!list[0]) return 0;
  size_t items = 1;
  for (const char *p = list; *p; p++) items += *p == ',';
  return strlen(list) - (items - 1) + 2 * items;
}

int mcc_conf_apply_settings(const mcc_conf *conf, mcc_settings *settings,
                            char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  if (!conf || !settings) return MCC_ERR_INVALID_ARGUMENT;
  mcc_settings s = *settings;
  uint64_t ka, rejoin, ttl, lookup_timeout;
  size_t comp;
  if (mcc_conf_get_duration_ms(conf, "keep-alive-period", &ka) ||
      mcc_conf_get_duration_ms(conf, "rejoin-period", &rejoin) ||
      mcc_conf_get_uint(conf, "network-lookup-ttl", &ttl) ||
      mcc_conf_get_duration_ms(conf, "network-lookup-timeout",
                               &lookup_timeout) ||
      mcc_conf_get_enum(conf, "compression", &comp))
    return conf_fail(err, errlen, MCC_ERR_VALUE,
                "keep-alive-period, rejoin-period, network-lookup-ttl, "
                "network-lookup-timeout and compression must be set");
  s.keep_alive_period_ns = ka * NS_PER_MS;
  s.rejoin_period_ns = rejoin * NS_PER_MS;
  s.network_lookup_ttl = (uint32_t)ttl;
  s.network_lookup_timeout_ns = lookup_timeout * NS_PER_MS;
  s.compression = comp == 1; /* "none,lz4" */
  int tunnels_only = 1;
  if (mcc_conf_get_bool(conf, "tunnels-only", &tunnels_only) != 0)
    return conf_fail(err, errlen, MCC_ERR_VALUE, "tunnels-only must be set");
  s.tunnels_only = tunnels_only;

  const char *sa = mcc_conf_get(conf, "static-addr");
  s.static_addr = 0;
  if (sa[0]) {
    uint8_t ip[4];
    unsigned prefix;
    if (conf_parse_cidr(AF_INET, sa, strlen(sa), ip, &prefix) != 0)
      return conf_fail(err, errlen, MCC_ERR_VALUE, "static-addr: bad value");
    uint32_t a = (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
                 (uint32_t)ip[2] << 8 | ip[3];
    uint32_t host_mask = prefix >= 32 ? 0 : UINT32_MAX >> prefix;
    /* No host part (10.115.0.0/16, the default) means no static address;
     * /31 and /32 have no network address to confuse it with. */
    if (prefix >= 31 || (a & host_mask) != 0) s.static_addr = a;
  }
  const char *dn = mcc_conf_get(conf, "dns-names");
  const char *tags = mcc_conf_get(conf, "tags");
  s.dns_names = dn[0] ? dn : NULL;
  s.tags = tags[0] ? tags : NULL;
  size_t extra = record_extra_len(dn) + record_extra_len(tags);
  if (extra > MCC_MAX_EXTRA_LEN)
    return conf_fail(err, errlen, MCC_ERR_LIMIT,
                "dns-names and tags: %zu bytes in the node record, at most "
                "%d (each name or tag takes its length + 2)",
                extra, MCC_MAX_EXTRA_LEN);

  int rv = apply_ids(conf, "trusted-nodes", s.trusted_nodes,
                     &s.trusted_nodes_len, 0, err, errlen);
  if (rv == 0)
    rv = apply_ids(conf, "trusted-networks", s.trusted_networks,
                   &s.trusted_networks_len, 1, err, errlen);
  if (rv != 0) return rv;
  *settings = s;
  return 0;
}
