/*
 * tun.h — the TUN device mccd reads inner IP packets from and writes them to:
 * created with the node's own resolver addresses, so the kernel routes the
 * resolver networks (10.83.0.0/16, 200::/7) into it.
 */
#ifndef MCC_REAL_TUN_H
#define MCC_REAL_TUN_H

#include <stddef.h>
#include <stdint.h>

typedef struct tun_config {
  const char *name;     /* tun-device-name, e.g. "mcc0" */
  unsigned mtu;         /* tun-device-mtu */
  uint8_t ipv4[4];      /* own address in resolver.ipv4-network */
  unsigned ipv4_prefix; /* its prefix length */
  uint8_t ipv6[16];     /* own address in resolver.ipv6-network */
  unsigned ipv6_prefix; /* 0: no IPv6 address */
  uint8_t static_net[4];  /* routed into the device too (10.115.0.0) */
  unsigned static_prefix; /* its prefix length; 0: no such route */
} tun_config;

/* Creates the device (non-persistent: it vanishes when the fd is closed),
 * sets MTU and addresses and brings it up. Returns the fd (non-blocking), or
 * -1 with a message in err. An IPv6 address the kernel refuses (IPv6
 * disabled) is not fatal: the fd is returned and err holds the warning. */
int tun_open(const tun_config *cfg, char *err, size_t errlen);

#endif
