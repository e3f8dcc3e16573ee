/*
 * external.c — external tunnels: what the core delivers for a server
 * endpoint's own address is forwarded to the LAN device, and the device's
 * answers come back, by the kernel's NAT (nftables, through libnftables):
 *
 *   table ip mcc-ext-<tun>
 *     prerouting   iifname <tun> ip daddr <endpoint address>
 *                  meta l4proto { tcp, udp } dnat to <device>
 *     postrouting  iifname <tun> ip daddr <device> masquerade
 *
 * so the device sees this node's LAN address as the source and answers
 * it, and conntrack turns the answer back into one from the endpoint's
 * address to the client, which the TUN device hands to the core (whose
 * filter lets only replies from the tunnel's target ports through).
 *
 * Why the kernel and not the daemon: the kernel rewrites and checksums in
 * place at line rate with its connection tracking, which the daemon would
 * have to reimplement (and receive the device's answers on a raw socket).
 * libnftables is loaded when the first external tunnel appears (dlopen),
 * so a node without external tunnels, or a static build, needs none of it.
 * The whole table is replaced in one transaction at every change.
 */
#include "external.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

struct nft_ctx;
typedef struct nft_api {
  void *lib;
  struct nft_ctx *(*ctx_new)(uint32_t flags);
  void (*ctx_free)(struct nft_ctx *ctx);
  int (*run)(struct nft_ctx *ctx, const char *buf);
  int (*buffer_error)(struct nft_ctx *ctx);
  const char *(*get_error)(struct nft_ctx *ctx);
} nft_api;

static nft_api api;

static int load_api(char *err, size_t errlen) {
  if (api.lib) return 0;
  void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return fail_msg(err, errlen,
                    "external tunnels need libnftables (Debian: libnftables1): "
                    "%s",
                    dlerror());
  api.ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(lib, "nft_ctx_new");
  api.ctx_free = (void (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_free");
  api.run = (int (*)(struct nft_ctx *, const char *))dlsym(
      lib, "nft_run_cmd_from_buffer");
  api.buffer_error =
      (int (*)(struct nft_ctx *))dlsym(lib, "nft_ctx_buffer_error");
  api.get_error = (const char *(*)(struct nft_ctx *))dlsym(
      lib, "nft_ctx_get_error_buffer");
  if (!api.ctx_new || !api.ctx_free || !api.run || !api.buffer_error ||
      !api.get_error) {
    dlclose(lib);
    return fail_msg(err, errlen, "libnftables lacks the functions we use");
  }
  api.lib = lib;
  return 0;
}

static int run(const char *cmds, char *err, size_t errlen) {
  struct nft_ctx *ctx = api.ctx_new(0);
  if (!ctx) return fail_msg(err, errlen, "nftables: no context");
  api.buffer_error(ctx);
  int rv = api.run(ctx, cmds);
  if (rv != 0) {
    const char *e = api.get_error(ctx);
    fail_msg(err, errlen, "nftables: %s", e && e[0] ? e : "command failed");
  }
  api.ctx_free(ctx);
  return rv != 0 ? -1 : 0;
}

static int enable_forwarding(char *err, size_t errlen) {
  int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "1", 1) != 1) {
    int e = errno;
    if (fd >= 0) close(fd);
    return fail_msg(err, errlen, "net.ipv4.ip_forward: %s", strerror(e));
  }
  close(fd);
  return 0;
}

int external_apply(const char *tun, const external_rule *rules, size_t n,
                   char *err, size_t errlen) {
  if (n == 0 && !api.lib) return 0; /* never had any: nothing to remove */
  if (load_api(err, errlen) != 0) return -1;
  strbuf sb;
  strbuf_init(&sb);
  /* Creating the table first makes the delete valid when it is absent. */
  strbuf_printf(&sb, "add table ip mcc-ext-%s\ndelete table ip mcc-ext-%s\n",
                tun, tun);
  if (n) {
    strbuf_printf(&sb,
                  "add table ip mcc-ext-%s\n"
                  "add chain ip mcc-ext-%s pre { type nat hook prerouting "
                  "priority dstnat; policy accept; }\n"
                  "add chain ip mcc-ext-%s post { type nat hook postrouting "
                  "priority srcnat; policy accept; }\n",
                  tun, tun, tun);
    for (size_t k = 0; k < n; k++) {
      char ep[INET_ADDRSTRLEN], dev[INET_ADDRSTRLEN];
      uint32_t d = htonl(rules[k].device);
      inet_ntop(AF_INET, rules[k].endpoint, ep, sizeof ep);
      inet_ntop(AF_INET, &d, dev, sizeof dev);
      strbuf_printf(&sb,
                    "add rule ip mcc-ext-%s pre iifname \"%s\" ip daddr %s "
                    "meta l4proto { tcp, udp } dnat to %s\n"
                    "add rule ip mcc-ext-%s post iifname \"%s\" ip daddr %s "
                    "masquerade\n",
                    tun, tun, ep, dev, tun, tun, dev);
    }
  }
  int rv = sb.failed ? fail_msg(err, errlen, "out of memory")
                     : run(sb.data, err, errlen);
  strbuf_clear(&sb);
  if (rv == 0 && n) rv = enable_forwarding(err, errlen);
  return rv;
}
