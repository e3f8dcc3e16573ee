/*
 * cli_tty.c — reading a secret typed on a terminal (cli_util.h): the
 * prompt goes to stderr, echo is off while the line is typed, and the
 * terminal's settings come back on every way out: the line read, an error,
 * and SIGINT, SIGTERM, SIGHUP or SIGQUIT (the handler restores them, then
 * dies of the signal as it would have). SIGTSTP is left alone: a stopped
 * `mcc init` keeps echo off until it is continued and finishes.
 */
#include "cli_util.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int restore_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NSIGNALS (sizeof restore_signals / sizeof restore_signals[0])

/* What the handler needs: set before it is installed. */
static int tty_fd = -1;
static struct termios tty_saved;

static void restore_and_die(int sig) {
  tcsetattr(tty_fd, TCSAFLUSH, &tty_saved); /* async-signal-safe */
  signal(sig, SIG_DFL);
  raise(sig);
}

int cli_read_tty_line(const char *cmd, int fd, const char *prompt, char *buf,
                      size_t buflen, size_t *plen) {
  struct termios quiet;
  struct sigaction sa, old[NSIGNALS];
  size_t n = 0;
  int rv = -1, overflow = 0;
  if (tcgetattr(fd, &tty_saved) != 0) {
    cli_errorf(cmd, "standard input: %s", strerror(errno));
    return -1;
  }
  tty_fd = fd;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = restore_and_die;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++)
    sigaction(restore_signals[i], &sa, &old[i]);
  quiet = tty_saved;
  quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;
  if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
    cli_errorf(cmd, "standard input: cannot turn echo off: %s",
               strerror(errno));
    goto out;
  }
  fputs(prompt, stderr);
  fflush(stderr);
  for (;;) {
    char ch;
    ssize_t r = read(fd, &ch, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      cli_errorf(cmd, "standard input: %s", strerror(errno));
      goto out;
    }
    if (r == 0 || ch == '\n') break;
    if (n + 1 < buflen) buf[n++] = ch;
    else overflow = 1;
  }
  fputc('\n', stderr); /* the Enter that was not echoed */
  if (overflow) {
    cli_errorf(cmd, "standard input: line too long");
    goto out;
  }
  buf[n] = '\0';
  *plen = n;
  rv = 0;
out:
  tcsetattr(fd, TCSAFLUSH, &tty_saved);
  for (size_t i = 0; i < NSIGNALS; i++)
    sigaction(restore_signals[i], &old[i], NULL);
  tty_fd = -1;
  if (rv != 0) sodium_memzero(buf, buflen);
  return rv;
}
