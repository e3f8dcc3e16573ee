/*
 * mccd_main.c — the daemon's command line (the manual's "MCC daemon command
 * line usage"): mccd [CONFIG-DIR], mccd -C, mccd --version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/conf.h>

#include "cli.h"
#include "daemon.h"
#include "version.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: mccd [CONFIG-DIR]   run the daemon (default %s; a path to "
          "mcc.conf works too)\n"
          "       mccd -C             print the default configuration file\n"
          "       mccd --version      print the version\n"
          "       mccd --help         print this help\n"
          "\n"
          "mccd reads CONFIG-DIR/mcc.conf, the node's key and certificates, "
          "creates the\nTUN device, and joins the network through its "
          "parents. It runs in the\nforeground until SIGTERM, which sends "
          "BYE to the parent. Set up a node with\n`mcc init` first (see "
          "`mcc help`).\n"
          "\n"
          "`mcc` talks to it on unix-socket-path (default %s; mccd creates\n"
          "its directory, mode 0755; `mcc -s PATH` or $MCC_UNIX_SOCKET_PATH "
          "for another).\nmccd refuses to start when another daemon "
          "answers on that socket or uses\nits UDP port, and refuses a "
          "private key that group or others may read or write\n(fix: chmod "
          "600 KEY-FILE).\n",
          MCC_DEFAULT_CONFIG_DIR, MCC_DEFAULT_SOCKET);
}

static int print_defaults(void) {
  size_t len = mcc_conf_format_defaults(NULL, 0);
  char *buf = malloc(len + 1);
  if (!buf) return 1;
  mcc_conf_format_defaults(buf, len + 1);
  fputs(buf, stdout);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "mccd: too many arguments\n");
    usage(stderr);
    return 2;
  }
  const char *arg = argc == 2 ? argv[1] : MCC_DEFAULT_CONFIG_DIR;
  if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
    printf("mccd %s\n", MCC_VERSION);
    return 0;
  }
  if (!strcmp(arg, "-C")) return print_defaults();
  if (arg[0] == '-') {
    fprintf(stderr, "mccd: unknown option '%s'\n", arg);
    usage(stderr);
    return 2;
  }
  return daemon_run(arg);
}
