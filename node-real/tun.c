/*
 * tun.c — creating and configuring the TUN device through the kernel's
 * ioctls (TUNSETIFF, SIOCSIFMTU, SIOCSIFADDR...), so mccd needs no external
 * `ip` command. The addresses give the kernel the connected routes of the
 * resolver networks: everything sent to 10.83.0.0/16 lands in our fd. The
 * static range (10.115.0.0/16: tunnel endpoints' static-addr) gets a route
 * into the device too (SIOCADDRT), gone with the device.
 */
#include "tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/ipv6.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *what, const char *name) {
  snprintf(err, errlen, "%s %s: %s", what, name, strerror(errno));
  return -1;
}

static int set_ipv4(int sock, const tun_config *cfg, char *err,
                    size_t errlen) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", cfg->name);
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  memcpy(&sin->sin_addr, cfg->ipv4, 4);
  if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
    return fail(err, errlen, "setting the IPv4 address of", cfg->name);
  uint32_t mask =
      cfg->ipv4_prefix ? htonl(~0u << (32 - cfg->ipv4_prefix)) : 0;
  memcpy(&sin->sin_addr, &mask, 4);
  if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
    return fail(err, errlen, "setting the IPv4 netmask of", cfg->name);
  return 0;
}

static int set_ipv6(int ifindex, const tun_config *cfg, char *err,
                    size_t errlen) {
  int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail(err, errlen, "IPv6 socket for", cfg->name);
  struct in6_ifreq req;
  memset(&req, 0, sizeof req);
  memcpy(&req.ifr6_addr, cfg->ipv6, 16);
  req.ifr6_prefixlen = cfg->ipv6_prefix;
  req.ifr6_ifindex = ifindex;
  int rv = ioctl(sock, SIOCSIFADDR, &req);
  int saved = errno;
  close(sock);
  errno = saved;
  if (rv < 0) return fail(err, errlen, "setting the IPv6 address of", cfg->name);
  return 0;
}

static int add_static_route(int sock, const tun_config *cfg, char *err,
                            size_t errlen) {
  struct rtentry rt;
  memset(&rt, 0, sizeof rt);
  struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
  struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;
  dst->sin_family = mask->sin_family = AF_INET;
  memcpy(&dst->sin_addr, cfg->static_net, 4);
  uint32_t m = cfg->static_prefix ? htonl(~0u << (32 - cfg->static_prefix)) : 0;
  memcpy(&mask->sin_addr, &m, 4);
  rt.rt_flags = RTF_UP;
  char dev[IFNAMSIZ];
  snprintf(dev, sizeof dev, "%s", cfg->name);
  rt.rt_dev = dev;
  if (ioctl(sock, SIOCADDRT, &rt) < 0 && errno != EEXIST)
    return fail(err, errlen, "routing the static range into", cfg->name);
  return 0;
}

int tun_open(const tun_config *cfg, char *err, size_t errlen) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fail(err, errlen, "opening", "/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", cfg->name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    fail(err, errlen, "creating TUN device", cfg->name);
    close(fd);
    return -1;
  }
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    fail(err, errlen, "control socket for", cfg->name);
    close(fd);
    return -1;
  }
  int rv = -1;
  if (errlen) err[0] = '\0';
  ifr.ifr_mtu = (int)cfg->mtu;
  if (ioctl(sock, SIOCSIFMTU, &ifr) < 0) {
    fail(err, errlen, "setting the MTU of", cfg->name);
    goto out;
  }
  if (set_ipv4(sock, cfg, err, errlen) < 0) goto out;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", cfg->name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
    fail(err, errlen, "reading the flags of", cfg->name);
    goto out;
  }
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
    fail(err, errlen, "bringing up", cfg->name);
    goto out;
  }
  if (cfg->static_prefix && add_static_route(sock, cfg, err, errlen) < 0)
    goto out;
  /* IPv6 after "up": the kernel drops IPv6 addresses of a down device. */
  if (cfg->ipv6_prefix) {
    if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0) {
      fail(err, errlen, "reading the index of", cfg->name);
      goto out;
    }
    (void)set_ipv6(ifr.ifr_ifindex, cfg, err, errlen); /* a warning */
  }
  rv = 0;
out:
  close(sock);
  if (rv < 0) {
    close(fd);
    return -1;
  }
  return fd;
}
