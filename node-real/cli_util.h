/*
 * cli_util.h — what the offline commands of `mcc` (cli_certs.c,
 * cli_tunnel.c) share: messages and option errors in one wording, the
 * validity of new certificates, and writing a set of files all or nothing.
 *
 * Messages go to stderr as "mcc CMD: ..."; functions that can fail have
 * said why when they return -1.
 */
#ifndef MCC_REAL_CLI_UTIL_H
#define MCC_REAL_CLI_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#define CLI_DEFAULT_DAYS 3650u
#define CLI_MAX_DAYS 36500u
#define CLI_ERR_LEN (PATH_MAX + 256)
#define CLI_MAX_WRITES 8

/* Long options without a short form. */
enum { CLI_OPT_DAYS = 256, CLI_OPT_STDIN, CLI_OPT_FIRST_FREE };

void cli_errorf(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Exit code 2 with the usage line; what is "unknown option '-x'" etc. */
int cli_usage_error(const char *cmd, const char *usage, const char *what);
/* Prints "usage: USAGE", a blank line and text; returns 0. */
int cli_help(const char *usage, const char *text);
/* getopt_long's '?' or ':' (opterr is off: the messages are ours); 2. */
int cli_bad_option(const char *cmd, const char *usage, int c, char **argv);
/* --days N: 1-CLI_MAX_DAYS. */
int cli_parse_days(const char *cmd, const char *s, unsigned *pdays);
/* From an hour ago to `days` from now (certificate times end in 2106), so
 * that a clock slightly behind does not refuse a new certificate. */
int cli_validity(const char *cmd, uint64_t now, unsigned days,
                 uint32_t *pnot_before, uint32_t *pnot_after);

/* out (PATH_MAX bytes) = dir/name. */
int cli_join(const char *cmd, char *out, const char *dir, const char *name);
/* mkdir -p. */
int cli_mkdir_p(const char *cmd, const char *dir);

/* The files one command writes: all checked before any is written, and
 * (without force) removed again when a later one fails. */
typedef struct cli_writes {
  const char *cmd;
  int force;
  size_t len;
  char done[CLI_MAX_WRITES][PATH_MAX];
} cli_writes;

/* -1 (said) when path exists and w->force is off. */
int cli_check_absent(const cli_writes *w, const char *path);
/* Removes what w wrote (without force). */
void cli_rollback(cli_writes *w);
/* After one write (rv, err): records it, or reports and undoes the rest. */
int cli_wrote(cli_writes *w, const char *path, int rv, const char *err);
int cli_write_key(cli_writes *w, const char *path, const mcc_keypair *kp);
int cli_write_cert(cli_writes *w, const char *path, const mcc_cert *cert);
/* A file of text with the given mode. */
int cli_write_text(cli_writes *w, const char *path, const char *text,
                   unsigned mode);

/* Where cli_network_key reads the network private key. */
enum cli_key_source {
  CLI_KEY_FILE,  /* network-private-key.txt next to net_path */
  CLI_KEY_STDIN, /* standard input, to its end (--stdin) */
  CLI_KEY_TTY    /* typed on the terminal on standard input, not echoed */
};
/* The network private key for net_cert from `source`; it must be
 * net_cert's subject. An empty line typed on the terminal is refused. */
int cli_network_key(const char *cmd, enum cli_key_source source,
                    const char *net_path, const mcc_cert *net_cert,
                    mcc_keypair *kp);
/* One line typed on the terminal fd (cli_tty.c): prompt on stderr, echo
 * off while it is typed and restored on every way out, signals included.
 * buf gets the line without its newline, NUL-terminated, *plen its
 * length; -1 (said) on an error or a line of buflen bytes or more. */
int cli_read_tty_line(const char *cmd, int fd, const char *prompt, char *buf,
                      size_t buflen, size_t *plen);
/* cert is a network certificate valid at now; what names it. */
int cli_check_network_cert(const char *cmd, const char *what,
                           const mcc_cert *cert, uint64_t now);
/* The network certificate at net_path, checked as above. */
int cli_read_network_cert(const char *cmd, const char *net_path,
                          mcc_cert *net_cert, uint64_t now);
/* A fresh key pair and its certificate of `kind` (node or tunnel
 * endpoint) from the network key, valid for `days` but never past the
 * network certificate. */
int cli_make_cert(const char *cmd, enum mcc_cert_kind kind,
                  const mcc_keypair *network, const mcc_cert *net_cert,
                  unsigned days, uint64_t now, mcc_keypair *kp, mcc_cert *cert);

#endif
