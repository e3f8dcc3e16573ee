/*
 * test_real_sockets.c — the sockets mccd listens on (node-real/sockets.c)
 * and who `mcc` is willing to ask (ctl_client.c), in a temporary directory:
 *
 *   UDP      a second bind of the same port fails, saying so
 *   control  a live socket is never taken; a stale one of this user is
 *            replaced; a file, directory, link or another user's socket is
 *            left alone with the fix in the message; the directory is made
 *            0755; only our own socket is removed at exit
 *   peer     a server of another user (uid 65534) at the socket gets no
 *            request and `mcc health` fails; one of our own user answers
 *
 * Cases that need another user (chown, setuid) run as root only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mcc/conf.h>

#include "cli.h"
#include "control.h"
#include "sockets.h"
#include "suites.h"
#include "testutil.h"

#define NOBODY 65534

static char dir[64];

static void tmp_begin(void) {
  snprintf(dir, sizeof dir, "/tmp/mcc-test-sockets-XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  chmod(dir, 0755);
}

static void tmp_end(void) {
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

static const char *at(char out[PATH_MAX], const char *name) {
  snprintf(out, PATH_MAX, "%s/%s", dir, name);
  return out;
}

static void set_sun(struct sockaddr_un *sun, const char *path) {
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  size_t len = strlen(path);
  CU_ASSERT_FATAL(len < sizeof sun->sun_path);
  memcpy(sun->sun_path, path, len);
}

static int has(const char *s, const char *part) {
  if (strstr(s, part)) return 1;
  printf("\n  no \"%s\" in: %s\n", part, s);
  return 0;
}

/* A socket bound at path and closed without removing the file: what a
 * daemon that was killed leaves behind. */
static void make_stale(const char *path) {
  struct sockaddr_un sun;
  set_sun(&sun, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
  close(fd);
}

static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* ---- UDP -------------------------------------------------------------- */

static void test_real_sockets_udp_exclusive(void) {
  char err[512];
  mcc_addr any = {.family = 4, .port = 0};
  memcpy(any.ip, "\x7f\x00\x00\x01", 4);
  int a = sock_udp_open(&any, 1, 1 << 16, "listen-addr", err, sizeof err);
  CU_ASSERT_FATAL(a >= 0);
  struct sockaddr_in sin;
  socklen_t sl = sizeof sin;
  CU_ASSERT_EQUAL_FATAL(getsockname(a, (struct sockaddr *)&sin, &sl), 0);
  mcc_addr same = any;
  same.port = ntohs(sin.sin_port);
  int b = sock_udp_open(&same, 1, 1 << 16, "listen-addr", err, sizeof err);
  CU_ASSERT_EQUAL(b, -1);
  char want[128];
  snprintf(want, sizeof want, "listen-addr 127.0.0.1:%u: ", same.port);
  CU_ASSERT(has(err, want));
  CU_ASSERT(has(err, strerror(EADDRINUSE)));
  CU_ASSERT(has(err, "another mccd (or another program) uses this port"));
  /* 0.0.0.0 covers 127.0.0.1: refused too. */
  mcc_addr wild = {.family = 4, .port = same.port};
  CU_ASSERT_EQUAL(sock_udp_open(&wild, 1, 0, "listen-addr", err, sizeof err),
                  -1);
  if (b >= 0) close(b);
  close(a);
  /* Free again: the next daemon binds at once. */
  b = sock_udp_open(&same, 1, 0, "listen-addr", err, sizeof err);
  CU_ASSERT(b >= 0);
  if (b >= 0) close(b);
}

/* ---- the control socket ----------------------------------------------- */

static void test_real_sockets_control_takes_no_live_socket(void) {
  tmp_begin();
  char path[PATH_MAX], err[1024], want[PATH_MAX + 128];
  ino_t ino = 0, ino2 = 0;
  /* a missing directory is made 0755 whatever the umask */
  at(path, "run/mcc/mcc.sock");
  mode_t old = umask(077);
  int a = sock_control_open(path, 4, &ino, err, sizeof err);
  umask(old);
  CU_ASSERT_FATAL(a >= 0);
  CU_ASSERT_STRING_EQUAL(err, "");
  struct stat st;
  char sub[PATH_MAX];
  CU_ASSERT_EQUAL(stat(at(sub, "run/mcc"), &st), 0);
  CU_ASSERT_EQUAL(st.st_mode & 07777, 0755);
  CU_ASSERT_EQUAL(lstat(path, &st), 0);
  CU_ASSERT(S_ISSOCK(st.st_mode));
  CU_ASSERT_EQUAL(st.st_mode & 0777, 0660);
  CU_ASSERT_EQUAL(st.st_ino, ino);

  /* a second daemon: refused, the first keeps its socket */
  CU_ASSERT_EQUAL(sock_control_open(path, 4, &ino2, err, sizeof err), -1);
  snprintf(want, sizeof want,
           "unix-socket-path %s: another mccd is running on it (pid %ld, "
           "uid %u answers there)",
           path, (long)getpid(), (unsigned)geteuid());
  CU_ASSERT(has(err, want));
  CU_ASSERT(has(err, "stop it first, or set unix-socket-path"));
  CU_ASSERT_EQUAL(lstat(path, &st), 0);
  CU_ASSERT_EQUAL(st.st_ino, ino);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sun;
  set_sun(&sun, path);
  CU_ASSERT_EQUAL(connect(c, (struct sockaddr *)&sun, sizeof sun), 0);
  close(c);

  /* at exit only our own socket goes: not one that took the path since */
  sock_control_close(a, path, ino);
  CU_ASSERT_FALSE(exists(path));
  a = sock_control_open(path, 4, &ino, err, sizeof err);
  CU_ASSERT_FATAL(a >= 0);
  unlink(path);
  make_stale(path);
  sock_control_close(a, path, ino);
  CU_ASSERT(exists(path));

  /* a stale socket of this user (a daemon that was killed): replaced */
  a = sock_control_open(path, 4, &ino, err, sizeof err);
  CU_ASSERT(a >= 0);
  sock_control_close(a, path, ino);
  tmp_end();
}

static void test_real_sockets_control_refuses_foreign_paths(void) {
  tmp_begin();
  char path[PATH_MAX], target[PATH_MAX], err[1024], want[PATH_MAX * 2 + 128];
  ino_t ino;
  static const struct {
    const char *kind;
    int what; /* 0 file, 1 directory, 2 symbolic link, 3 FIFO */
  } cases[] = {{"a regular file", 0}, {"a directory", 1},
               {"a symbolic link", 2}, {"a FIFO", 3}};
  at(target, "elsewhere");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    at(path, "mcc.sock");
    switch (cases[i].what) {
    case 0: fclose(fopen(path, "w")); break;
    case 1: mkdir(path, 0755); break;
    case 2: CU_ASSERT_EQUAL(symlink(target, path), 0); break;
    case 3: CU_ASSERT_EQUAL(mkfifo(path, 0600), 0); break;
    }
    CU_ASSERT_EQUAL(sock_control_open(path, 4, &ino, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "unix-socket-path %s: exists and is %s, not a socket; remove "
             "it, or set unix-socket-path to another path",
             path, cases[i].kind);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT(exists(path)); /* left alone */
    CU_ASSERT_FALSE(exists(target));
    if (cases[i].what == 1) rmdir(path);
    else unlink(path);
  }

  /* a directory others may write in: refused without the sticky bit (they
   * could swap the socket while mccd runs), a warning with it (/tmp) */
  char open_dir[PATH_MAX];
  at(open_dir, "open");
  mkdir(open_dir, 0755);
  chmod(open_dir, 0777);
  at(path, "open/mcc.sock");
  CU_ASSERT_EQUAL(sock_control_open(path, 4, &ino, err, sizeof err), -1);
  CU_ASSERT(has(err, "is writable by others (mode 0777)"));
  CU_ASSERT(has(err, "such as the default /run/mcc"));
  chmod(open_dir, 01777);
  int fd = sock_control_open(path, 4, &ino, err, sizeof err);
  CU_ASSERT(fd >= 0);
  CU_ASSERT(has(err, "another user can take the path while mccd is stopped"));
  sock_control_close(fd, path, ino);

  char long_path[200];
  memset(long_path, 'x', sizeof long_path - 1);
  long_path[0] = '/';
  long_path[sizeof long_path - 1] = '\0';
  CU_ASSERT_EQUAL(sock_control_open(long_path, 4, &ino, err, sizeof err), -1);
  CU_ASSERT(has(err, "longer than 107 bytes"));

  /* another user's stale socket: not ours to remove */
  if (geteuid() == 0) {
    at(path, "mcc.sock");
    make_stale(path);
    CU_ASSERT_EQUAL_FATAL(lchown(path, NOBODY, NOBODY), 0);
    CU_ASSERT_EQUAL(sock_control_open(path, 4, &ino, err, sizeof err), -1);
    snprintf(want, sizeof want,
             "unix-socket-path %s: a socket of uid %u is in the way, not of "
             "this daemon's user (uid 0); remove it (rm %s)",
             path, NOBODY, path);
    CU_ASSERT(has(err, want));
    CU_ASSERT(exists(path));
    unlink(path);
    /* a directory of another user: they could replace the socket */
    at(path, "theirs/mcc.sock");
    at(target, "theirs");
    mkdir(target, 0755);
    CU_ASSERT_EQUAL(chown(target, NOBODY, NOBODY), 0);
    CU_ASSERT_EQUAL(sock_control_open(path, 4, &ino, err, sizeof err), -1);
    CU_ASSERT(has(err, "belongs to uid 65534"));
  } else {
    printf("\n  (not root: another user's socket is not tried)\n");
  }
  tmp_end();
}

/* ---- who mcc asks -------------------------------------------------------- */

/* A server at path that answers one connection with "ok\nhealthy: fake\n",
 * as uid (when not -1) once it listens. Returns its pid once it is ready. */
static pid_t fake_server(const char *path, int uid) {
  int ready[2];
  CU_ASSERT_FATAL(pipe(ready) == 0);
  fflush(stdout);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    struct sockaddr_un sun;
    set_sun(&sun, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
      _exit(2);
    chmod(path, 0666);
    if (uid >= 0 && (setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0))
      _exit(3);
    if (listen(fd, 1) != 0) _exit(4); /* the peer's credentials: now */
    if (write(ready[1], "r", 1) != 1) _exit(1);
    alarm(10);
    int c = accept(fd, NULL, NULL);
    char req[64];
    if (c >= 0) {
      ssize_t n = read(c, req, sizeof req); /* what mcc would ask */
      (void)n;
      static const char answer[] = "ok\nhealthy: fake\n";
      if (write(c, answer, sizeof answer - 1) < 0) _exit(1);
      close(c);
    }
    _exit(0);
  }
  close(ready[1]);
  char r;
  if (read(ready[0], &r, 1) != 1) {
    int status = 0;
    waitpid(pid, &status, 0);
    printf("\n  fake server exited with %d\n", WEXITSTATUS(status));
    CU_FAIL("the fake server did not start");
  }
  close(ready[0]);
  return pid;
}

static void stop(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* cli_health with stderr discarded; its exit code. */
static int health_quietly(const char *path) {
  fflush(stderr);
  int saved = dup(2), null = open("/dev/null", O_WRONLY);
  dup2(null, 2);
  close(null);
  char name[] = "health";
  char *argv[] = {name, NULL};
  int rv = cli_health(path, 1, argv);
  fflush(stdout);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  return rv;
}

static void test_real_sockets_mcc_asks_only_the_daemon(void) {
  tmp_begin();
  char path[PATH_MAX], err[1024];
  strbuf answer;
  strbuf_init(&answer);
  /* our own user's server: asked, its answer taken */
  at(path, "own.sock");
  pid_t pid = fake_server(path, -1);
  CU_ASSERT_EQUAL(ctl_call(path, "health", &answer, err, sizeof err), 0);
  CU_ASSERT(answer.len && has(answer.data, "healthy: fake"));
  stop(pid);
  strbuf_clear(&answer);

  if (geteuid() != 0) {
    printf("\n  (not root: a server of another user is not tried)\n");
    tmp_end();
    return;
  }
  /* another user's: not asked, `mcc health` fails */
  at(path, "fake.sock");
  pid = fake_server(path, NOBODY);
  memset(err, 0, sizeof err);
  CU_ASSERT_EQUAL(ctl_call(path, "health", &answer, err, sizeof err), -1);
  CU_ASSERT_EQUAL(answer.len, 0);
  char want[PATH_MAX + 128];
  snprintf(want, sizeof want,
           "%s: the process answering there (pid %ld) runs as uid %u, "
           "neither root nor you (uid 0): it is not mccd",
           path, (long)pid, NOBODY);
  CU_ASSERT(has(err, want));
  stop(pid);
  strbuf_clear(&answer);
  pid = fake_server(path, NOBODY);
  CU_ASSERT_NOT_EQUAL(health_quietly(path), 0);
  stop(pid);
  tmp_end();
}

/* mcc and mccd agree on the default, and it is not in /tmp. */
static void test_real_sockets_default_path(void) {
  mcc_conf *conf = NULL;
  CU_ASSERT_EQUAL_FATAL(mcc_conf_new(&conf), 0);
  CU_ASSERT_STRING_EQUAL(mcc_conf_get(conf, "unix-socket-path"),
                         SOCK_DEFAULT_PATH);
  CU_ASSERT_STRING_EQUAL(MCC_DEFAULT_SOCKET, SOCK_DEFAULT_PATH);
  CU_ASSERT_EQUAL(strncmp(SOCK_DEFAULT_PATH, "/run/", 5), 0);
  mcc_conf_free(conf);
}

void suite_real_sockets(void) {
  CU_pSuite s = CU_add_suite("real_sockets", NULL, NULL);
  ADD_TEST(s, test_real_sockets_udp_exclusive);
  ADD_TEST(s, test_real_sockets_control_takes_no_live_socket);
  ADD_TEST(s, test_real_sockets_control_refuses_foreign_paths);
  ADD_TEST(s, test_real_sockets_mcc_asks_only_the_daemon);
  ADD_TEST(s, test_real_sockets_default_path);
}
