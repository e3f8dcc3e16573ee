/*
 * daemon_config.h — everything mccd takes from its configuration directory:
 * mcc.conf parsed by the core's parser, the identity files, the resolved
 * parents, and the host-only keys (sockets, TUN, DNS, logging).
 */
#ifndef MCC_REAL_DAEMON_CONFIG_H
#define MCC_REAL_DAEMON_CONFIG_H

#include <limits.h>
#include <net/if.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>
#include <mcc/resolve.h>

#include "log.h"

#define DAEMON_HOST_MAX 256

typedef struct daemon_config {
  mcc_conf *conf;
  char config_dir[PATH_MAX];
  char conf_path[PATH_MAX];
  mcc_settings settings; /* settings.resolver points at resolver below */
  mcc_resolver_settings resolver; /* resolver.ttl is its ttl_s */
  mcc_keypair keys;
  mcc_cert cert;
  mcc_id networks[MCC_MAX_TRUSTED];
  size_t networks_len;
  mcc_addr listen;
  int dns_enable;
  mcc_addr dns_addr;
  int unix_enable;
  char socket_path[PATH_MAX];
  char tun_name[IFNAMSIZ];
  unsigned tun_mtu;
  enum log_level log_level;
  char log_file[PATH_MAX];
  uint64_t parents_resolve_period_ms;
  /* parents as written, in order; settings.parents holds those that
   * resolved */
  char parent_text[MCC_MAX_PARENTS][DAEMON_HOST_MAX];
  size_t parents_configured;
} daemon_config;

/* arg: the configuration directory (mcc.conf inside) or the mcc.conf file
 * itself. Parses, loads and checks everything; diagnostics of the parser go
 * to the log with file:line. Returns 0, or -1 with err naming the file (and
 * line) at fault. */
int daemon_config_load(daemon_config *dc, const char *arg, char *err,
                       size_t errlen);
void daemon_config_clear(daemon_config *dc);

/* Resolves the parents' host names (getaddrinfo) into dc->settings.parents,
 * in the configured order, skipping those that do not resolve (logged).
 * Returns the number resolved. */
size_t daemon_config_resolve_parents(daemon_config *dc);

/* The keys of mcc.conf whose value asks for behaviour this mccd does not
 * implement yet, at their defaults too (cert-update-enable = true,
 * dnsmasq-enable when dnsmasq-directory exists): written into
 * out as "a, b (default), c", cut to outlen. Returns how many. */
size_t daemon_config_unimplemented(const daemon_config *dc, char *out,
                                   size_t outlen);
/* One startup warning naming them; nothing when there is none. */
void daemon_config_warn_unimplemented(const daemon_config *dc);

#endif
