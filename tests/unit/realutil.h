/*
 * realutil.h — helpers of the node-real suites that work on files: a
 * temporary directory per test, small file reads and writes, and running
 * an offline `mcc` command in-process with its output captured.
 */
#ifndef MCC_TEST_REALUTIL_H
#define MCC_TEST_REALUTIL_H

#include <limits.h>
#include <stddef.h>

/* snprintf that must not truncate (a fatal assertion). */
void rt_fmt(char *out, size_t outlen, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* root = a new directory /tmp/mcc-test-TAG-XXXXXX; rt_tmp_end removes it
 * with everything in it. */
void rt_tmp_begin(char root[PATH_MAX], const char *tag);
void rt_tmp_end(char root[PATH_MAX]);
void rt_remove_tree(const char *path);

void rt_write_text(const char *path, const char *text);
/* At most outlen - 1 bytes, NUL-terminated; "" and 0 when unreadable. */
size_t rt_read_text(const char *path, char *out, size_t outlen);
/* The permission bits, 0 when path does not exist. */
unsigned rt_mode_of(const char *path);
/* Entries of dir other than . and .. */
size_t rt_count_entries(const char *dir);
/* Drops trailing newlines. */
void rt_chomp(char *s);
/* A configuration parsed from text (no diagnostics expected; free it with
 * mcc_conf_free). */
struct mcc_conf *rt_conf(const char *text);

typedef int (*rt_cli_fn)(int argc, char **argv);

typedef struct rt_out {
  char out[4096], err[4096];
} rt_out;

/* Runs fn with argv (NULL-terminated), stdin from stdin_path (or left
 * alone), stdout and stderr captured into o through files in dir. */
int rt_run(rt_cli_fn fn, const char *dir, const char *stdin_path, rt_out *o,
           char **argv);

#endif
