/*
 * dnsmasq.c — the dnsmasq integration (dnsmasq.h). The manual's mccd
 * leaves the file behind when it stops; this one removes it (and runs the
 * restart command again), so that dnsmasq never forwards to a DNS server
 * that is gone. The restart command runs through /bin/sh, bounded to
 * DNSMASQ_RESTART_S; its exit status is logged.
 */
#include "dnsmasq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keyfile.h"
#include "log.h"

#define DNSMASQ_RESTART_S 10
#define ZONES_MAX 256 /* reverse zones per network */

static int put(char *out, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int put(char *out, size_t cap, size_t *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(out + *n, cap - *n, fmt, ap);
  va_end(ap);
  if (w < 0 || (size_t)w >= cap - *n) return -1;
  *n += (size_t)w;
  return 0;
}

/* "IP#PORT" as dnsmasq's server= takes it. */
static void server_text(const mcc_addr *dns, char *out, size_t cap) {
  char ip[INET6_ADDRSTRLEN];
  inet_ntop(dns->family == 4 ? AF_INET : AF_INET6, dns->ip, ip, sizeof ip);
  snprintf(out, cap, "%s#%u", ip, (unsigned)dns->port);
}

static int reverse4(const mcc_resolver_settings *rs, const char *srv,
                    char *out, size_t cap, size_t *n) {
  unsigned p = rs->ipv4_prefix_len, octets = (p + 7) / 8;
  unsigned count = 1u << (octets * 8 - p);
  if (octets == 0 || count > ZONES_MAX) return 0; /* too wide to list */
  uint32_t base = (uint32_t)rs->ipv4_network[0] << 24 |
                  (uint32_t)rs->ipv4_network[1] << 16 |
                  (uint32_t)rs->ipv4_network[2] << 8 | rs->ipv4_network[3];
  for (unsigned k = 0; k < count; k++) {
    uint32_t a = base + (k << (32 - octets * 8));
    if (put(out, cap, n, "server=/")) return -1;
    for (unsigned o = octets; o > 0; o--)
      if (put(out, cap, n, "%u.", (unsigned)(a >> (32 - 8 * o)) & 255))
        return -1;
    if (put(out, cap, n, "in-addr.arpa/%s\n", srv)) return -1;
  }
  return 0;
}

static unsigned nibble(const uint8_t *a, unsigned i) {
  return i % 2 ? a[i / 2] & 15 : a[i / 2] >> 4;
}

static int reverse6(const mcc_resolver_settings *rs, const char *srv,
                    char *out, size_t cap, size_t *n) {
  unsigned p = rs->ipv6_prefix_len, nibbles = (p + 3) / 4;
  unsigned count = 1u << (nibbles * 4 - p);
  if (nibbles == 0 || count > ZONES_MAX) return 0;
  for (unsigned k = 0; k < count; k++) {
    uint8_t a[16];
    memcpy(a, rs->ipv6_network, 16);
    /* k goes into the nibbles the prefix leaves open in the last one */
    unsigned last = nibbles - 1;
    unsigned v = nibble(a, last) | k;
    a[last / 2] = last % 2 ? (uint8_t)((a[last / 2] & 0xf0) | v)
                           : (uint8_t)((a[last / 2] & 0x0f) | v << 4);
    if (put(out, cap, n, "server=/")) return -1;
    for (unsigned i = nibbles; i > 0; i--)
      if (put(out, cap, n, "%x.", nibble(a, i - 1))) return -1;
    if (put(out, cap, n, "ip6.arpa/%s\n", srv)) return -1;
  }
  return 0;
}

int dnsmasq_text(const mcc_resolver_settings *rs, const mcc_addr *dns,
                 char *out, size_t cap) {
  char srv[INET6_ADDRSTRLEN + 8];
  server_text(dns, srv, sizeof srv);
  size_t n = 0;
  if (put(out, cap, &n,
          "# Written by mccd (dnsmasq-enable): the names of the MCC network\n"
          "# are answered by mccd's DNS server at %s. mccd removes this\n"
          "# file when it stops.\n",
          srv))
    return -1;
  const char *dom = rs->domain[0] == '.' ? rs->domain + 1 : rs->domain;
  if (dom[0] && put(out, cap, &n, "server=/%s/%s\n", dom, srv)) return -1;
  if (put(out, cap, &n, "server=//%s\n", srv) ||
      reverse4(rs, srv, out, cap, &n) || reverse6(rs, srv, out, cap, &n))
    return -1;
  return (int)n;
}

void dnsmasq_init(dnsmasq *dm, const mcc_conf *conf, const char *config_dir) {
  memset(dm, 0, sizeof *dm);
  char dir[PATH_MAX];
  struct stat st;
  int on = 0;
  int present = keyfile_conf_path(conf, "dnsmasq-directory", 0, config_dir,
                                  dir, sizeof dir, NULL, 0) == 0 &&
                dir[0] && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
  if (mcc_conf_get_bool(conf, "dnsmasq-enable", &on) != 0) on = present;
  if (!on) return;
  dm->enabled = 1;
  snprintf(dm->path, sizeof dm->path, "%.*s/%s",
           (int)(sizeof dm->path - sizeof DNSMASQ_FILE - 2), dir,
           DNSMASQ_FILE);
  snprintf(dm->restart, sizeof dm->restart, "%s",
           mcc_conf_get(conf, "dnsmasq-restart-command"));
}

/* Runs the restart command, if any, waiting at most DNSMASQ_RESTART_S. */
static void restart(const dnsmasq *dm) {
  if (!dm->restart[0]) return;
  pid_t pid = fork();
  if (pid < 0) {
    log_msg(LOG_ERROR, "dnsmasq-restart-command: fork: %s", strerror(errno));
    return;
  }
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", dm->restart, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  for (int i = 0; i < DNSMASQ_RESTART_S * 10; i++) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        log_msg(LOG_INFO, "dnsmasq-restart-command '%s' done", dm->restart);
      else
        log_msg(LOG_ERROR, "dnsmasq-restart-command '%s' failed (%s %d)",
                dm->restart, WIFEXITED(status) ? "exit" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
      return;
    }
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  log_msg(LOG_ERROR, "dnsmasq-restart-command '%s' took over %d s: killed",
          dm->restart, DNSMASQ_RESTART_S);
}

int dnsmasq_install(dnsmasq *dm, const char *text, char *err, size_t errlen) {
  char tmp[PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", dm->path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t len = strlen(text);
  if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    if (fd >= 0) close(fd);
    unlink(tmp);
    return -1;
  }
  close(fd);
  if (rename(tmp, dm->path) != 0) {
    snprintf(err, errlen, "%s: %s", dm->path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  dm->installed = 1;
  restart(dm);
  return 0;
}

void dnsmasq_remove(dnsmasq *dm) {
  if (!dm->installed) return;
  if (unlink(dm->path) != 0 && errno != ENOENT)
    log_msg(LOG_ERROR, "%s: %s", dm->path, strerror(errno));
  dm->installed = 0;
  restart(dm);
}
