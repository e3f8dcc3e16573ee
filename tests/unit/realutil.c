/*
 * realutil.c — the file helpers of the node-real suites (realutil.h).
 */
#include "realutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mcc/conf.h>

#include "testutil.h"

void rt_fmt(char *out, size_t outlen, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(out, outlen, format, ap);
  va_end(ap);
  CU_ASSERT_FATAL(n >= 0 && (size_t)n < outlen);
}

void rt_remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char sub[PATH_MAX];
      rt_fmt(sub, sizeof sub, "%s/%s", path, e->d_name);
      rt_remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

void rt_tmp_begin(char root[PATH_MAX], const char *tag) {
  rt_fmt(root, PATH_MAX, "/tmp/mcc-test-%s-XXXXXX", tag);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
}

void rt_tmp_end(char root[PATH_MAX]) {
  rt_remove_tree(root);
  root[0] = '\0';
}

void rt_write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

size_t rt_read_text(const char *path, char *out, size_t outlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    out[0] = '\0';
    return 0;
  }
  size_t n = fread(out, 1, outlen - 1, f);
  out[n] = '\0';
  fclose(f);
  return n;
}

unsigned rt_mode_of(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  return (unsigned)(st.st_mode & 07777);
}

size_t rt_count_entries(const char *dir) {
  DIR *d = opendir(dir);
  size_t n = 0;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

void rt_chomp(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
}

int rt_run(rt_cli_fn fn, const char *dir, const char *stdin_path, rt_out *o,
           char **argv) {
  char out_path[PATH_MAX], err_path[PATH_MAX];
  int argc = 0;
  while (argv[argc]) argc++;
  rt_fmt(out_path, sizeof out_path, "%s/.stdout", dir);
  rt_fmt(err_path, sizeof err_path, "%s/.stderr", dir);
  fflush(stdout);
  fflush(stderr);
  int saved_out = dup(1), saved_err = dup(2), saved_in = -1;
  int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 1);
  close(fd);
  fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  close(fd);
  if (stdin_path) {
    saved_in = dup(0);
    fd = open(stdin_path, O_RDONLY);
    dup2(fd, 0);
    close(fd);
  }
  optind = 0;
  int rv = fn(argc, argv);
  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  if (saved_in >= 0) {
    dup2(saved_in, 0);
    close(saved_in);
  }
  rt_read_text(out_path, o->out, sizeof o->out);
  rt_read_text(err_path, o->err, sizeof o->err);
  unlink(out_path);
  unlink(err_path);
  return rv;
}

struct mcc_conf *rt_conf(const char *text) {
  mcc_conf *conf = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&conf), 0);
  CU_ASSERT_EQUAL(
      mcc_conf_parse(conf, "test.conf", text, strlen(text), NULL, NULL), 0);
  return conf;
}
