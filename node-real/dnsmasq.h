/*
 * dnsmasq.h — the dnsmasq integration (dnsmasq-enable, dnsmasq-directory,
 * dnsmasq-restart-command): while mccd runs, a file in dnsmasq's
 * configuration directory forwards the MCC names (resolver.domain, bare
 * node ids and names) and the reverse zones of the resolver's networks to
 * mccd's DNS server (dns-addr), so that every program using the system's
 * dnsmasq resolves them.
 */
#ifndef MCC_REAL_DNSMASQ_H
#define MCC_REAL_DNSMASQ_H

#include <limits.h>
#include <stddef.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>
#include <mcc/resolve.h>

#define DNSMASQ_FILE "mcc.conf" /* in dnsmasq-directory */
#define DNSMASQ_TEXT_MAX 16384

typedef struct dnsmasq {
  int enabled;
  char path[PATH_MAX];     /* dnsmasq-directory/mcc.conf */
  char restart[1024];      /* dnsmasq-restart-command, "" for none */
  int installed;           /* the file is ours and in place */
} dnsmasq;

/* The file's text for the resolver settings rs and a DNS server at dns:
 * "server=/DOMAIN/IP#PORT" for resolver.domain, "server=//IP#PORT" for
 * names without a dot (node ids, bare dns-names), and one line per reverse
 * zone covering each resolver network (rounded to whole octets for IPv4,
 * nibbles for IPv6). Returns the length, or -1 when it does not fit. */
int dnsmasq_text(const mcc_resolver_settings *rs, const mcc_addr *dns,
                 char *out, size_t cap);

/* Reads the three keys: enabled when dnsmasq-enable is true, or empty and
 * dnsmasq-directory exists (relative paths from config_dir). */
void dnsmasq_init(dnsmasq *dm, const mcc_conf *conf, const char *config_dir);

/* Writes the file (atomically: a temporary file renamed over it) and runs
 * the restart command. 0, or -1 with err. */
int dnsmasq_install(dnsmasq *dm, const char *text, char *err, size_t errlen);

/* Removes the file (when it is ours) and runs the restart command again. */
void dnsmasq_remove(dnsmasq *dm);

#endif
