/*
 * tunnels.c — mccd's tunnels: the files of the `tunnels` directory
 * (NAME.conf, mcc/tunnel.h) kept in step with the node's tunnels.
 *
 * Every second (daemon.c's timer) the directory is listed; a file that is
 * new or changed (inode, size, modification time) is read again, one that
 * is gone removes its tunnel. So a tunnel comes and goes without a restart,
 * and deleting a file stops that tunnel within a second, other tunnels
 * and the node's links untouched. A file that does not load (syntax, a
 * key readable by others, a certificate not issued by a trusted network,
 * not this end's) is logged once with the file and line, holds no tunnel,
 * and is tried again when it changes.
 *
 * On the client node the server endpoint resolves (its id, its dns-names,
 * its static-addr: the node's resolver learns them here, and forgets them
 * with the tunnel); a static address another tunnel holds refuses the
 * second file. So does a second file for a peer endpoint that another
 * file's tunnel goes to: the node holds one tunnel an endpoint.
 */
#include "tunnels.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>
#include <sodium.h>

#include "external.h"
#include "keyfile.h"
#include "log.h"

#define TUNNEL_FILE_MAX 65536

typedef struct tunnel_file {
  char name[NAME_MAX + 1];
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  int loaded;    /* holds a tunnel in the node */
  mcc_id peer;   /* its peer endpoint, when loaded */
  mcc_id endpoint;      /* ours */
  uint32_t external_ip; /* server of an external tunnel: the device */
  int named;            /* client: the peer endpoint's names are set */
  int has_static;       /* client: the peer endpoint's static address */
  int seen;      /* listed in this scan */
} tunnel_file;

void daemon_tunnels_init(daemon_tunnels *dt, const char *dir) {
  memset(dt, 0, sizeof *dt);
  snprintf(dt->dir, sizeof dt->dir, "%s", dir ? dir : "");
}

void daemon_tunnels_clear(daemon_tunnels *dt) {
  free(dt->files);
  memset(dt, 0, sizeof *dt);
}

static int is_conf(const char *name) {
  size_t n = strlen(name);
  return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".conf") == 0;
}

/* A path of the file, relative ones to the tunnel file's directory;
 * -1 when it does not fit. */
/* Reads and checks one file into t. 0, or -1 with err. */
static int load_file(const char *dir, const char *name,
                     const mcc_trust *trust, uint64_t unix_s, mcc_tunnel *t,
                     mcc_tunnel_conf *ptc, char *err, size_t errlen) {
  char path[PATH_MAX + NAME_MAX + 2];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = NULL;
  size_t len = 0;
  if (keyfile_read_file(path, TUNNEL_FILE_MAX, &text, &len, err, errlen) != 0)
    return -1;
  mcc_tunnel_conf tc;
  int rv = mcc_tunnel_conf_parse(path, text, len, &tc, err, errlen);
  *ptc = tc;
  free(text);
  if (rv != 0) return -1;
  memset(t, 0, sizeof *t);
  /* The parser took relative paths from path's directory already. The
   * key's and certificate's errors name this file too: its tunnel is the
   * one not in force. */
  const char *kpath = tc.private_key, *cpath = tc.certificate;
  char why[1024];
  if (keyfile_read_keypair(kpath, &t->endpoint, why, sizeof why) != 0) {
    snprintf(err, errlen, "%.300s: private-key: %.700s", path, why);
    return -1;
  }
  if (keyfile_read_cert(cpath, &t->cert, why, sizeof why) != 0) {
    snprintf(err, errlen, "%.300s: certificate: %.700s", path, why);
    return -1;
  }
  if (t->cert.kind != MCC_CERT_TUNNEL ||
      memcmp(t->cert.subject.key, t->endpoint.pub.key, 32) != 0) {
    snprintf(err, errlen,
             "%.300s: certificate: %.300s: not the tunnel-endpoint "
             "certificate of the key in %.300s",
             path, cpath, kpath);
    return -1;
  }
  rv = mcc_trust_check(trust, &t->cert, unix_s);
  if (rv != 0) {
    snprintf(err, errlen, "%.300s: certificate: %.600s: %s", path, cpath,
             rv == MCC_ERR_UNTRUSTED
                 ? "not issued by a network this node trusts"
                 : mcc_strerror(rv));
    return -1;
  }
  t->role = tc.role;
  t->peer_endpoint = tc.peer_endpoint;
  t->remote_node = tc.remote_node;
  memcpy(t->targets, tc.targets, tc.ntargets * sizeof tc.targets[0]);
  t->ntargets = tc.ntargets;
  t->external_ip = tc.external_ip;
  return 0;
}

static tunnel_file *find(daemon_tunnels *dt, const char *name) {
  for (size_t k = 0; k < dt->n; k++)
    if (strcmp(dt->files[k].name, name) == 0) return &dt->files[k];
  return NULL;
}

/* The file other than f whose tunnel to peer is in force, or NULL: the
 * node keeps one tunnel an endpoint, so a second file would replace it
 * and, once deleted, take it away. */
static const tunnel_file *holder(const daemon_tunnels *dt,
                                 const tunnel_file *f, const mcc_id *peer) {
  for (size_t k = 0; k < dt->n; k++)
    if (&dt->files[k] != f && dt->files[k].loaded &&
        memcmp(&dt->files[k].peer, peer, sizeof *peer) == 0)
      return &dt->files[k];
  return NULL;
}

/* The client's names and static address of the server endpoint off. */
static void forget_names(tunnel_file *f, mcc_node *node, uint64_t now) {
  mcc_resolver *r = mcc_node_resolver(node);
  if (r && f->named) mcc_resolver_set_names(r, &f->peer, "", 0);
  if (r && f->has_static) mcc_resolver_set_static(r, &f->peer, NULL, now);
  f->named = f->has_static = 0;
}

/* The client's names and static address of the server endpoint on: 0, or
 * -1 with err (the tunnel is then not put in force). */
static int learn_names(tunnel_file *f, mcc_node *node,
                       const mcc_tunnel_conf *tc, const char *path,
                       uint64_t now, char *err, size_t errlen) {
  mcc_resolver *r = mcc_node_resolver(node);
  if (tc->role != MCC_TUNNEL_CLIENT) return 0;
  if (!r) return snprintf(err, errlen, "%.700s: no resolver", path), -1;
  if (tc->static_addr) {
    uint8_t a[4] = {tc->static_addr >> 24, tc->static_addr >> 16,
                    tc->static_addr >> 8, tc->static_addr};
    int rv = mcc_resolver_set_static(r, &tc->peer_endpoint, a, now);
    if (rv != 0) {
      snprintf(err, errlen, "%.700s: static-addr %u.%u.%u.%u: %s", path, a[0],
               a[1], a[2], a[3],
               rv == MCC_ERR_CONFLICT ? "another tunnel's endpoint holds it"
                                      : mcc_strerror(rv));
      return -1;
    }
    f->has_static = 1;
  }
  if (tc->dns_names[0]) {
    int rv = mcc_resolver_set_names(r, &tc->peer_endpoint, tc->dns_names,
                                    strlen(tc->dns_names));
    if (rv != 0) {
      snprintf(err, errlen, "%.700s: dns-names: %s", path, mcc_strerror(rv));
      forget_names(f, node, now);
      return -1;
    }
    f->named = 1;
  }
  return 0;
}

static void unload(daemon_tunnels *dt, tunnel_file *f, mcc_node *node,
                   uint64_t now) {
  forget_names(f, node, now);
  if (f->loaded && mcc_node_tunnel_remove(node, &f->peer, now) == 0)
    log_msg(LOG_INFO, "%s/%s: tunnel removed", dt->dir, f->name);
  f->loaded = 0;
}

/* The NAT rules of the external tunnels in force, applied when they
 * change (external.c). */
static void sync_external(daemon_tunnels *dt, mcc_node *node,
                          const char *tun, uint64_t now) {
  external_rule rules[64];
  size_t n = 0;
  for (size_t k = 0; k < dt->n && n < 64; k++) {
    const tunnel_file *f = &dt->files[k];
    mcc_resolve_addrs a;
    if (!f->loaded || !f->external_ip ||
        mcc_resolver_pin(mcc_node_resolver(node), &f->endpoint, &a, now) != 0)
      continue;
    memcpy(rules[n].endpoint, a.ipv4, 4);
    rules[n].device = f->external_ip;
    n++;
  }
  if (n == dt->nexternal &&
      memcmp(rules, dt->external, n * sizeof rules[0]) == 0)
    return;
  char err[512];
  if (external_apply(tun, rules, n, err, sizeof err) != 0) {
    log_msg(LOG_ERROR, "external tunnels: %s", err);
    return; /* tried again at the next scan */
  }
  memcpy(dt->external, rules, n * sizeof rules[0]);
  dt->nexternal = n;
  log_msg(LOG_INFO, "external tunnels: %zu forwarded to LAN devices", n);
}

void daemon_tunnels_sync(daemon_tunnels *dt, mcc_node *node,
                         const mcc_trust *trust, const char *tun,
                         uint64_t now) {
  if (!dt->dir[0]) return;
  DIR *d = opendir(dt->dir);
  if (!d) {
    if (!dt->dir_error)
      log_msg(errno == ENOENT ? LOG_INFO : LOG_WARN, "%s: %s: no tunnels",
              dt->dir, strerror(errno));
    dt->dir_error = 1;
  } else {
    dt->dir_error = 0;
  }
  for (size_t k = 0; k < dt->n; k++) dt->files[k].seen = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (!is_conf(e->d_name)) continue;
    char path[PATH_MAX + NAME_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", dt->dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    tunnel_file *f = find(dt, e->d_name);
    if (!f) {
      tunnel_file *nf = realloc(dt->files, (dt->n + 1) * sizeof *nf);
      if (!nf) continue;
      dt->files = nf;
      f = &dt->files[dt->n++];
      memset(f, 0, sizeof *f);
      snprintf(f->name, sizeof f->name, "%s", e->d_name);
    } else if (f->dev == st.st_dev && f->ino == st.st_ino &&
               f->size == st.st_size &&
               f->mtime.tv_sec == st.st_mtim.tv_sec &&
               f->mtime.tv_nsec == st.st_mtim.tv_nsec) {
      f->seen = 1;
      continue; /* unchanged */
    }
    f->seen = 1;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime = st.st_mtim;
    mcc_tunnel t;
    mcc_tunnel_conf tc;
    char err[1024];
    uint64_t unix_s = (uint64_t)time(NULL);
    if (load_file(dt->dir, e->d_name, trust, unix_s, &t, &tc, err,
                  sizeof err) != 0) {
      sodium_memzero(&t.endpoint, sizeof t.endpoint);
      unload(dt, f, node, now);
      log_msg(LOG_ERROR, "%s (this tunnel is not in force)", err);
      continue;
    }
    const tunnel_file *h = holder(dt, f, &t.peer_endpoint);
    if (h) {
      sodium_memzero(&t.endpoint, sizeof t.endpoint);
      unload(dt, f, node, now);
      log_msg(LOG_ERROR,
              "%s: peer-endpoint: %s/%s already holds the tunnel to this "
              "endpoint (this tunnel is not in force)",
              path, dt->dir, h->name);
      continue;
    }
    if (f->loaded && memcmp(&f->peer, &t.peer_endpoint, sizeof f->peer) != 0)
      unload(dt, f, node, now); /* now a tunnel to another endpoint */
    f->peer = t.peer_endpoint;
    forget_names(f, node, now);
    if (learn_names(f, node, &tc, path, now, err, sizeof err) != 0) {
      sodium_memzero(&t.endpoint, sizeof t.endpoint);
      unload(dt, f, node, now);
      log_msg(LOG_ERROR, "%s (this tunnel is not in force)", err);
      continue;
    }
    int rv = mcc_node_tunnel_add(node, &t, now);
    mcc_id endpoint = t.endpoint.pub;
    sodium_memzero(&t.endpoint, sizeof t.endpoint); /* the node has a copy */
    if (rv != 0) {
      forget_names(f, node, now);
      log_msg(LOG_ERROR, "%s: %s (this tunnel is not in force)", path,
              mcc_strerror(rv));
      continue;
    }
    log_msg(LOG_INFO, "%s: tunnel %s", path, f->loaded ? "updated" : "added");
    f->loaded = 1;
    f->peer = t.peer_endpoint;
    f->endpoint = endpoint;
    f->external_ip = t.role == MCC_TUNNEL_SERVER ? t.external_ip : 0;
  }
  if (d) closedir(d);
  for (size_t k = 0; k < dt->n;) { /* files gone */
    if (dt->files[k].seen) {
      k++;
      continue;
    }
    unload(dt, &dt->files[k], node, now);
    dt->files[k] = dt->files[--dt->n];
  }
  sync_external(dt, node, tun, now);
}

size_t daemon_tunnels_count(const daemon_tunnels *dt) {
  size_t n = 0;
  for (size_t k = 0; k < dt->n; k++) n += dt->files[k].loaded;
  return n;
}
