/*
 * nss_mcc.h — the entry points of libnss_mcc.so.2 (nss_mcc.c), glibc's
 * NSS "hosts" interface with glibc's exact signatures (<nss.h>): the only
 * symbols the library exports. The module answers from mccd's control
 * socket ($MCC_UNIX_SOCKET_PATH, else /run/mcc/mcc.sock).
 *
 * Every function returns NSS_STATUS_SUCCESS with the answer inside buffer;
 * NSS_STATUS_NOTFOUND (*errnop ENOENT, *h_errnop HOST_NOT_FOUND) when mccd
 * says the name or address is none of its nodes; NSS_STATUS_UNAVAIL
 * (*h_errnop NO_RECOVERY) when mccd cannot be asked within
 * NSS_MCC_TIMEOUT_MS, or for an address family other than IPv4 and IPv6;
 * NSS_STATUS_TRYAGAIN with *errnop ERANGE when buffer is too small (glibc
 * calls again with a larger one). errno itself is left as it was.
 */
#ifndef MCC_REAL_NSS_MCC_H
#define MCC_REAL_NSS_MCC_H

#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <sys/socket.h>

#define NSS_MCC_API __attribute__((visibility("default")))

/* mccd's unix-socket-path default (sockets.h; the manual's /tmp/.mcc-socket
 * moved to a root-owned directory, issue 11); the variable `mcc` and
 * tools/lab use overrides it, except in set-id programs (secure_getenv). */
#define NSS_MCC_SOCKET_DEFAULT "/run/mcc/mcc.sock"
#define NSS_MCC_SOCKET_ENV "MCC_UNIX_SOCKET_PATH"
/* The whole exchange with mccd. An id or name it holds is answered in
 * microseconds; one it does not waits for a network lookup, which a root
 * answers in milliseconds, and the core asks again 1 s and 3 s after a
 * question lost on a failing link. 5 s covers those; past it the caller
 * gets UNAVAIL (and tries dns) instead of stalling for
 * network-lookup-timeout (20 s by default). */
#define NSS_MCC_TIMEOUT_MS 5000

/* getaddrinfo: the node's IPv4 address, then its IPv6 one. */
NSS_MCC_API enum nss_status _nss_mcc_gethostbyname4_r(
    const char *name, struct gaih_addrtuple **pat, char *buffer, size_t buflen,
    int *errnop, int *h_errnop, int32_t *ttlp);
/* gethostbyname2 and friends: one address of family af; h_name is name as
 * asked (also *canonp). */
NSS_MCC_API enum nss_status _nss_mcc_gethostbyname3_r(
    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
    int *errnop, int *h_errnop, int32_t *ttlp, char **canonp);
NSS_MCC_API enum nss_status _nss_mcc_gethostbyname2_r(
    const char *name, int af, struct hostent *host, char *buffer, size_t buflen,
    int *errnop, int *h_errnop);
NSS_MCC_API enum nss_status _nss_mcc_gethostbyname_r(const char *name,
                                                     struct hostent *host,
                                                     char *buffer,
                                                     size_t buflen, int *errnop,
                                                     int *h_errnop);
/* An address of mccd's networks -> h_name "<node id><domain>". */
NSS_MCC_API enum nss_status _nss_mcc_gethostbyaddr2_r(
    const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
    size_t buflen, int *errnop, int *h_errnop, int32_t *ttlp);
NSS_MCC_API enum nss_status _nss_mcc_gethostbyaddr_r(
    const void *addr, socklen_t len, int af, struct hostent *host, char *buffer,
    size_t buflen, int *errnop, int *h_errnop);

#endif
