/*
 * mcc_dns.h — the built-in DNS server's responder: one query message in,
 * one response message out, answered from the node-local resolver. Pure:
 * no sockets, no clock (the host passes the time), no allocation of its
 * own. mccd serves dns-addr (default 127.0.0.1:8353) over UDP and over TCP
 * on the same address and port (RFC 7766): it calls mcc_dns_respond for
 * every datagram, and for every length-prefixed message of a connection
 * (dns_tcp.h frames them; dns_conns.h holds the connections: at most 32,
 * 10 s idle, queries pipelined and answered in turn, those that wait for
 * a network lookup when it answers, matched by their ID).
 *
 * What it answers (RFC 1035; the manual: "Built-in DNS is only able to
 * assign names to node ids and vice versa"):
 *   A, AAAA  "<node id><domain>", the bare node id and dns-names (alone or
 *            under the domain): the node-local address of that id, given a
 *            slot as `mcc resolve` would.
 *   PTR      the full in-addr.arpa / ip6.arpa name of an address of the
 *            resolver's networks that an id holds: "<node id><domain>".
 * Zone rules, where RFC 1035 leaves the choice to us:
 *   - a name that exists but has no record of the type asked (ANY, MX, ...,
 *     A of a PTR name, the domain's apex, an in-zone reverse name shorter
 *     than an address): NOERROR with no answer (NODATA);
 *   - no such name under the domain or in the reverse zones of the
 *     resolver's networks: NXDOMAIN;
 *   - anything else (another domain, an address outside the networks, a
 *     class other than IN): REFUSED, the answer of a server that is not the
 *     authority for the name;
 *   - malformed question, QDCOUNT other than 1: FORMERR; opcode other than
 *     QUERY: NOTIMP;
 *   - no address for the id (the resolver's "no address": every address
 *     used within resolver.ttl + resolver.quarantine, or its cap on new
 *     mappings a second reached; resolve.h) or out of memory: SERVFAIL.
 *     An address in use is never moved to answer a query;
 *   - a client over its query limit (dns_limit.h; over TCP every message
 *     counts as a datagram would): REFUSED, at most one a second; its
 *     other queries get no response.
 * NOERROR and NXDOMAIN responses set AA; the others do not. Every response
 * copies ID, OPCODE and RD, sets QR, and leaves RA and Z clear. The
 * question is echoed as received (original case) when it parsed; an answer
 * points at it (0xC00C). EDNS is not spoken: an OPT record in the query is
 * ignored and the response carries none, which RFC 6891 section 7 allows.
 * So a response over UDP is at most 512 bytes (MCC_DNS_UDP_MAX); one that
 * would be longer goes without its record and with TC set, and the client
 * asks again over TCP (up to 65,535 bytes, MCC_DNS_TCP_MAX). Our largest
 * response today is about 360 bytes (a PTR under a 200-character domain),
 * so TC is the rule's safety net rather than a common case.
 */
#ifndef MCC_REAL_DNS_H
#define MCC_REAL_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/resolve.h>

#include "dns_limit.h"

#define MCC_DNS_HEADER_LEN 12    /* bytes of the fixed header */
#define MCC_DNS_RESPONSE_MAX 512 /* out bytes that always suffice */
#define MCC_DNS_UDP_MAX 512      /* a response over UDP (RFC 1035 4.2.1) */
#define MCC_DNS_TCP_MAX 65535    /* over TCP: what the length prefix says */

/* Header fields, as the bytes 2 and 3 of a message hold them. */
#define MCC_DNS_FLAG_QR 0x8000
#define MCC_DNS_FLAG_AA 0x0400
#define MCC_DNS_FLAG_TC 0x0200
#define MCC_DNS_FLAG_RD 0x0100
#define MCC_DNS_FLAG_RA 0x0080
#define MCC_DNS_OPCODE(flags) (((flags) >> 11) & 15)
#define MCC_DNS_RCODE(flags) ((flags) & 15)

enum mcc_dns_rcode {
  MCC_DNS_NOERROR = 0,
  MCC_DNS_FORMERR = 1,
  MCC_DNS_SERVFAIL = 2,
  MCC_DNS_NXDOMAIN = 3,
  MCC_DNS_NOTIMP = 4,
  MCC_DNS_REFUSED = 5,
};

enum mcc_dns_type {
  MCC_DNS_TYPE_A = 1,
  MCC_DNS_TYPE_PTR = 12,
  MCC_DNS_TYPE_AAAA = 28,
  MCC_DNS_TYPE_ANY = 255,
};

#define MCC_DNS_CLASS_IN 1

/* Answers one DNS query datagram from the resolver r at now (monotonic
 * nanoseconds, the clock the node runs on). domain is resolver.domain
 * (e.g. ".home.arpa", with the leading dot); answer records carry r's
 * ttl_s (resolver.ttl) as their TTL. Writes the response datagram to out
 * (outcap bytes; 512 always suffices for what we answer) and its length to
 * *outlen: at most MCC_DNS_UDP_MAX bytes, truncated with TC set beyond.
 *
 * domain should be the one r was initialised with (names under it are
 * looked up by r with its own copy); NULL or "" means none. Its leading
 * and trailing dots are optional and its case does not matter.
 *
 * Returns 0 when a response was written (including FORMERR, NXDOMAIN,
 * NOTIMP, REFUSED and SERVFAIL responses), or a negative MCC_ERR_* code,
 * *outlen 0, when the datagram must be dropped without a response:
 *   MCC_ERR_TRUNCATED         shorter than a header (12 bytes);
 *   MCC_ERR_TYPE              itself a response (QR=1);
 * or when the call is wrong:
 *   MCC_ERR_INVALID_ARGUMENT  a NULL r, query, out or outlen; a domain that
 *                             is not a name of at most
 *                             MCC_RESOLVE_DOMAIN_MAX characters; outcap
 *                             too small for the response (nothing is
 *                             written beyond outcap).
 * Never reads beyond qlen, never writes beyond outcap. What changes r:
 * an A or AAAA query for a name that resolves to an id is a use of that id
 * at now and gives it a slot if it has none (mcc_resolver_query_id), and
 * the full reverse name of an address an id holds counts as a use of that
 * id, whatever the type. */
int mcc_dns_answer(struct mcc_resolver *r, const char *domain,
                   const uint8_t *query, size_t qlen, uint8_t *out,
                   size_t outcap, size_t *outlen, uint64_t now);

/* As mcc_dns_answer, for a forward question whose name a network lookup
 * answered (found: FOUND answers with that id's address, NO_SUCH as an
 * unknown name, the others SERVFAIL; NULL: from r alone), or REFUSED
 * (refuse: a client over its limit, mcc_dns_limiter_check). For a host
 * that checks the limiter itself before it starts a lookup. */
int mcc_dns_answer_found(struct mcc_resolver *r, const char *domain,
                         const uint8_t *query, size_t qlen,
                         const mcc_lookup_answer *found, int refuse,
                         uint8_t *out, size_t outcap, size_t *outlen,
                         uint64_t now);

/* As mcc_dns_answer_found, for a transport that carries msgmax bytes
 * (MCC_DNS_UDP_MAX, MCC_DNS_TCP_MAX; at least a header): a response
 * longer than that is written without its record and with TC set (and
 * without its question if even that does not fit). outcap still bounds
 * what is written: MCC_ERR_INVALID_ARGUMENT when the (truncated) response
 * does not fit it, or msgmax is under MCC_DNS_HEADER_LEN. */
int mcc_dns_respond(struct mcc_resolver *r, const char *domain,
                    const uint8_t *query, size_t qlen,
                    const mcc_lookup_answer *found, int refuse, size_t msgmax,
                    uint8_t *out, size_t outcap, size_t *outlen,
                    uint64_t now);

/* The name a query asks about, as text without the trailing dot, when it
 * is a forward question (one question, class IN, letters, digits and '-'
 * only, not under in-addr.arpa or ip6.arpa): its length, the text in out
 * (outcap at least MCC_RESOLVE_NAME_MAX + 1). -1 for anything else. */
int mcc_dns_forward_name(const uint8_t *query, size_t qlen, char *out,
                         size_t outcap);

/* The server: counts the datagram against its client `from` in limit
 * (NULL: no limit) and answers it as mcc_dns_answer does; for a client
 * over its limit, REFUSED (the question echoed, nothing looked up) or,
 * when it had a REFUSED within the last second, nothing: then returns
 * MCC_ERR_LIMIT with *outlen 0. Other returns as mcc_dns_answer's. */
int mcc_dns_serve(mcc_dns_limiter *limit, struct mcc_resolver *r,
                  const char *domain, const mcc_addr *from,
                  const uint8_t *query, size_t qlen, uint8_t *out,
                  size_t outcap, size_t *outlen, uint64_t now);

#endif
