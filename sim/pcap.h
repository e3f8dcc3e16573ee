/*
 * pcap.h — the simulator's packet capture writer: classic pcap files with
 * nanosecond timestamps and link type RAW (IPv4/IPv6 without a link
 * header), readable by tcpdump and Wireshark. Underlay datagrams get a real
 * IPv4 + UDP header with valid checksums, so a capture counts exactly
 * DESIGN.md's wire bytes; inner packets are written as delivered.
 *
 * Deterministic: no wall clock, timestamps are epoch_s + simulated time, and
 * the same calls give the same file byte for byte (on hosts of one byte
 * order: pcap writes its headers in host order, which readers accept).
 */
#ifndef MCC_SIM_PCAP_H
#define MCC_SIM_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define SIM_PCAP_EPOCH_DEFAULT_S 1790000000 /* 2026-09-21, as the harness */
#define SIM_PCAP_SNAPLEN 65535              /* largest IPv4 packet */

typedef struct sim_pcap sim_pcap; /* one capture file */

/* Creates (or truncates) path; "-" is standard output, as in libpcap.
 * MCC_ERR_INVALID_ARGUMENT when the file cannot be opened or its header
 * written, MCC_ERR_NOMEM; err gets a message naming the path. */
int sim_pcap_open(sim_pcap **pp, const char *path, char *err, size_t errlen);

/* An underlay UDP datagram between IPv4 addresses (network byte order),
 * at time_ns since the start of the run. The IPv4 header has DF, TTL 64
 * and an identification counting up per file. MCC_ERR_BAD_LENGTH for a
 * payload over 65507 bytes, MCC_ERR_LIMIT when the timestamp is past what
 * pcap can hold (2038) or writing failed, MCC_ERR_INVALID_ARGUMENT. */
int sim_pcap_write_udp(sim_pcap *p, uint64_t time_ns, const uint8_t src_ip[4],
                       uint16_t src_port, const uint8_t dst_ip[4],
                       uint16_t dst_port, const uint8_t *payload, size_t len);

/* An IP packet as it is (the decrypted inner packets a node delivers); not
 * checked, so a capture shows exactly what was delivered. Errors as
 * sim_pcap_write_udp, MCC_ERR_BAD_LENGTH over SIM_PCAP_SNAPLEN bytes. */
int sim_pcap_write_ip(sim_pcap *p, uint64_t time_ns, const uint8_t *ip,
                      size_t len);

/* Unix seconds written for simulated time 0; SIM_PCAP_EPOCH_DEFAULT_S until
 * set. Usually the engine's unix_start_s. */
void sim_pcap_set_epoch(sim_pcap *p, int64_t epoch_s);

/* Packets written so far. */
uint64_t sim_pcap_packets(const sim_pcap *p);

/* Flushes, closes and frees, even on error; NULL is fine. 0, or
 * MCC_ERR_LIMIT when a write or the final flush failed (disk full...). */
int sim_pcap_close(sim_pcap *p);

#endif
