/*
 * external.h — external tunnels' forwarding to LAN devices (nftables NAT):
 * see external.c.
 */
#ifndef MCC_REAL_EXTERNAL_H
#define MCC_REAL_EXTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* One external tunnel's server end: its endpoint's overlay address and
 * the LAN device (host order). */
typedef struct external_rule {
  uint8_t endpoint[4];
  uint32_t device;
} external_rule;

/* Replaces the NAT rules for TUN device tun with these (none: removes
 * them). 0, or -1 with err. */
int external_apply(const char *tun, const external_rule *rules, size_t n,
                   char *err, size_t errlen);

#endif
