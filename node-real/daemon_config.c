/*
 * daemon_config.c — loading mccd's configuration: read mcc.conf, hand it to
 * the core's parser, take the identity from the key and certificate files,
 * and turn the host-only keys into sockets' and devices' parameters.
 */
#include "daemon_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "keyfile.h"

#define CONF_FILE_MAX (1u << 20)
#define MCC_PORT 9376

/* Keys of the manual that this mccd does not act on yet, and when their
 * value asks for that behaviour: when set to other than the default (a
 * feature off by default); when true, the default included
 * (cert-update-enable); when the path is set or exists (files read if they
 * are there). */
enum ask { WHEN_SET, WHEN_TRUE, WHEN_PRESENT };

static const struct {
  const char *key;
  enum ask ask;
} unimplemented_keys[] = {
    {"firewall-chain-name", WHEN_SET},
    {"cert-update-addr", WHEN_SET},
    {"cert-update-enable", WHEN_TRUE},
    {"cert-update-period", WHEN_SET},
    {"dependent-nodes", WHEN_PRESENT},
    {"forwarding-rules", WHEN_PRESENT},
    {"forwarding-rules-commit-timeout", WHEN_SET},
    {"exit-node", WHEN_TRUE},
    {"gateway", WHEN_SET},
    {"gateway-post-add-hook", WHEN_SET},
    {"gateway-post-delete-hook", WHEN_SET},
    {"kill-switch", WHEN_TRUE},
    {"nat-table-expiry", WHEN_SET},
    {"reroute-dns", WHEN_SET},
    {"reroute-ntp", WHEN_SET},
    {"ssl-install", WHEN_TRUE},
    {"ssl-manage-script", WHEN_SET},
    {"ssl-certificates", WHEN_SET},
    {"ssl-storage-timeout", WHEN_SET},
    {"ssl-storage-cleanup-period", WHEN_SET},
    {"ssl-certificates-ttl", WHEN_SET},
    {"ssl-update-batch-size", WHEN_SET},
    {"ssl-update-send-period", WHEN_SET},
    {"data-dir", WHEN_SET},
    {"topology-update-period", WHEN_SET}};

static void on_diag(void *user_data, int is_error, const char *msg) {
  (void)user_data;
  log_msg(is_error ? LOG_ERROR : LOG_WARN, "%s", msg);
}

static int locate(daemon_config *dc, const char *arg, char *err,
                  size_t errlen) {
  struct stat st;
  if (stat(arg, &st) < 0) {
    snprintf(err, errlen, "%s: %s", arg, strerror(errno));
    return -1;
  }
  int n;
  if (S_ISDIR(st.st_mode)) {
    n = snprintf(dc->config_dir, sizeof dc->config_dir, "%s", arg);
    snprintf(dc->conf_path, sizeof dc->conf_path, "%s/mcc.conf", arg);
  } else {
    n = snprintf(dc->conf_path, sizeof dc->conf_path, "%s", arg);
    snprintf(dc->config_dir, sizeof dc->config_dir, "%s", arg);
    char *slash = strrchr(dc->config_dir, '/');
    if (!slash)
      snprintf(dc->config_dir, sizeof dc->config_dir, ".");
    else if (slash == dc->config_dir)
      slash[1] = '\0';
    else
      *slash = '\0';
  }
  if (n < 0 || (size_t)n >= sizeof dc->config_dir) {
    snprintf(err, errlen, "%s: path too long", arg);
    return -1;
  }
  return 0;
}

static int host_keys(daemon_config *dc, char *err, size_t errlen) {
  const mcc_conf *c = dc->conf;
  uint64_t v;
  size_t level = 3;
  if (mcc_addr_parse(&dc->listen, mcc_conf_get(c, "listen-addr"), MCC_PORT) !=
      0) {
    snprintf(err, errlen, "%s: listen-addr: not a numeric ip:port",
             dc->conf_path);
    return -1;
  }
  mcc_conf_get_bool(c, "dns-enable", &dc->dns_enable);
  if (dc->dns_enable &&
      mcc_addr_parse(&dc->dns_addr, mcc_conf_get(c, "dns-addr"), 53) != 0) {
    snprintf(err, errlen, "%s: dns-addr: not a numeric ip:port",
             dc->conf_path);
    return -1;
  }
  mcc_conf_get_bool(c, "unix-enable", &dc->unix_enable);
  snprintf(dc->socket_path, sizeof dc->socket_path, "%s",
           mcc_conf_get(c, "unix-socket-path"));
  snprintf(dc->tun_name, sizeof dc->tun_name, "%s",
           mcc_conf_get(c, "tun-device-name"));
  if (strlen(mcc_conf_get(c, "tun-device-name")) >= IFNAMSIZ ||
      !dc->tun_name[0]) {
    snprintf(err, errlen,
             "%s: tun-device-name: expected 1-%d characters, got '%s'",
             dc->conf_path, IFNAMSIZ - 1, mcc_conf_get(c, "tun-device-name"));
    return -1;
  }
  /* The parser holds the key to this range already; the same constants
   * here keep a value set some other way from losing packets silently. */
  if (mcc_conf_get_uint(c, "tun-device-mtu", &v) != 0 ||
      v < MCC_CONF_TUN_MTU_MIN || v > MCC_CONF_TUN_MTU_MAX) {
    snprintf(err, errlen,
             "%s: tun-device-mtu: got '%s', the maximum is %d (the largest IP "
             "packet MCC carries) and the minimum %d (IPv6)",
             dc->conf_path, mcc_conf_get(c, "tun-device-mtu"),
             MCC_CONF_TUN_MTU_MAX, MCC_CONF_TUN_MTU_MIN);
    return -1;
  }
  dc->tun_mtu = (unsigned)v;
  mcc_conf_get_enum(c, "log-level", &level);
  dc->log_level = (enum log_level)level;
  snprintf(dc->log_file, sizeof dc->log_file, "%s",
           mcc_conf_get(c, "log-file"));
  mcc_conf_get_duration_ms(c, "parents-resolve-period",
                           &dc->parents_resolve_period_ms);
  return 0;
}

static int resolver_keys(daemon_config *dc, char *err, size_t errlen) {
  const char *bad = NULL;
  mcc_resolver_settings_default(&dc->resolver);
  if (mcc_resolver_settings_from_text(
          &dc->resolver, mcc_conf_get(dc->conf, "resolver.ipv4-network"),
          mcc_conf_get(dc->conf, "resolver.ipv6-network"),
          mcc_conf_get(dc->conf, "resolver.mac-address-mask"),
          mcc_conf_get(dc->conf, "resolver.domain"), &bad) != 0) {
    snprintf(err, errlen, "%s: %s: '%s' is not usable by the resolver",
             dc->conf_path, bad ? bad : "resolver",
             bad ? mcc_conf_get(dc->conf, bad) : "");
    return -1;
  }
  uint64_t v;
  if (mcc_conf_get_uint(dc->conf, "resolver.ttl", &v) == 0)
    dc->resolver.ttl_s = (uint32_t)v;
  if (mcc_conf_get_duration_ms(dc->conf, "resolver.quarantine", &v) == 0)
    dc->resolver.quarantine_s = (uint32_t)((v + 999) / 1000);
  randombytes_buf(dc->resolver.hash_key, sizeof dc->resolver.hash_key);
  dc->settings.resolver = &dc->resolver;
  return 0;
}

int daemon_config_load(daemon_config *dc, const char *arg, char *err,
                       size_t errlen) {
  memset(dc, 0, sizeof *dc);
  if (locate(dc, arg, err, errlen) < 0) return -1;
  size_t len = 0;
  char *text = NULL;
  if (keyfile_read_file(dc->conf_path, CONF_FILE_MAX, &text, &len, err,
                        errlen) != 0)
    return -1;
  if (mcc_conf_new(&dc->conf) != 0) {
    free(text);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rv = mcc_conf_parse(dc->conf, dc->conf_path, text, len, on_diag, NULL);
  free(text);
  if (rv != 0) {
    snprintf(err, errlen, "%s: %s (the lines above say where)",
             dc->conf_path, mcc_strerror(rv));
    return -1;
  }
  mcc_settings_default(&dc->settings);
  if (mcc_conf_apply_settings(dc->conf, &dc->settings, err, errlen) != 0)
    return -1;
  if (host_keys(dc, err, errlen) < 0 || resolver_keys(dc, err, errlen) < 0)
    return -1;
  size_t n = mcc_conf_list_len(dc->conf, "parents");
  for (size_t i = 0; i < n && i < MCC_MAX_PARENTS; i++)
    mcc_conf_list_get(dc->conf, "parents", i, dc->parent_text[i],
                      sizeof dc->parent_text[i]);
  dc->parents_configured = n < MCC_MAX_PARENTS ? n : MCC_MAX_PARENTS;
  if (keyfile_load_identity(dc->conf, dc->config_dir, &dc->keys, &dc->cert,
                            dc->networks, &dc->networks_len,
                            MCC_MAX_TRUSTED, (uint64_t)time(NULL), err,
                            errlen) != 0)
    return -1;
  return 0;
}

void daemon_config_clear(daemon_config *dc) {
  mcc_conf_free(dc->conf);
  sodium_memzero(&dc->keys, sizeof dc->keys);
  memset(dc, 0, sizeof *dc);
}

static int resolve_one(const char *text, mcc_addr *out) {
  char host[DAEMON_HOST_MAX];
  mcc_addr named;
  if (mcc_sockaddr_parse(&named, host, sizeof host, text, MCC_PORT) != 0)
    return -1;
  if (named.family != 0) { /* numeric: nothing to resolve */
    *out = named;
    return 0;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_family = AF_UNSPEC;
  int rv = getaddrinfo(host, NULL, &hints, &res);
  if (rv != 0) {
    log_msg(LOG_WARN, "parent '%s': %s", text, gai_strerror(rv));
    return -1;
  }
  memset(out, 0, sizeof *out);
  out->port = named.port;
  if (res->ai_family == AF_INET) {
    out->family = 4;
    memcpy(out->ip, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
  } else {
    out->family = 6;
    memcpy(out->ip, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
  }
  freeaddrinfo(res);
  return 0;
}

size_t daemon_config_resolve_parents(daemon_config *dc) {
  size_t n = 0;
  for (size_t i = 0; i < dc->parents_configured; i++)
    if (resolve_one(dc->parent_text[i], &dc->settings.parents[n]) == 0) n++;
  dc->settings.parents_len = n;
  return n;
}

/* 1 when the file or directory that path key names (by the /etc/mcc
 * rule of keyfile_conf_path) exists. */
static int path_present(const daemon_config *dc, const char *key) {
  char path[PATH_MAX];
  struct stat st;
  return keyfile_conf_path(dc->conf, key, 0, dc->config_dir, path,
                           sizeof path, NULL, 0) == 0 &&
         path[0] && stat(path, &st) == 0;
}

/* 1 when the value of key asks for what `ask` says. */
static int asks(const daemon_config *dc, const char *key, enum ask ask,
                int is_default) {
  int on = 0;
  switch (ask) {
  case WHEN_SET: return !is_default;
  case WHEN_TRUE: return mcc_conf_get_bool(dc->conf, key, &on) == 0 && on;
  case WHEN_PRESENT: return !is_default || path_present(dc, key);
  }
  return 0;
}

size_t daemon_config_unimplemented(const daemon_config *dc, char *out,
                                   size_t outlen) {
  size_t count = 0, used = 0;
  int full = outlen == 0;
  if (outlen) out[0] = '\0';
  for (size_t i = 0;
       i < sizeof unimplemented_keys / sizeof unimplemented_keys[0]; i++) {
    const char *k = unimplemented_keys[i].key;
    const mcc_conf_key *key = mcc_conf_key_find(k);
    const char *value = mcc_conf_get(dc->conf, k);
    if (!key || !value) continue;
    int is_default = strcmp(value, key->default_value) == 0;
    if (!asks(dc, k, unimplemented_keys[i].ask, is_default)) continue;
    count++;
    if (full) continue;
    int n = snprintf(out + used, outlen - used, "%s%s%s", used ? ", " : "",
                     k, is_default ? " (default)" : "");
    if (n > 0 && (size_t)n < outlen - used) {
      used += (size_t)n;
    } else { /* whole names only, and none after one that did not fit */
      out[used] = '\0';
      full = 1;
    }
  }
  return count;
}

void daemon_config_warn_unimplemented(const daemon_config *dc) {
  char names[1024];
  if (daemon_config_unimplemented(dc, names, sizeof names))
    log_msg(LOG_WARN,
            "%s: keys not implemented yet by this mccd, ignored: %s",
            dc->conf_path, names);
}
