/*
 * mcc_main.c — the client's command line (the manual's "MCC client command
 * line usage"): general options, `help`, and dispatch to the subcommands in
 * cli_daemon.c (ask the running mccd) and cli_certs.c (work on files).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "version.h"

typedef struct command {
  const char *name;
  const char *usage;
  const char *help;
  int (*offline)(int argc, char **argv);
  int (*online)(const char *socket, int argc, char **argv);
} command;

static const command commands[] = {
    {"id", "mcc id", "Print this node's id.", NULL, cli_id},
    {"parent", "mcc parent",
     "Print the active parent's socket address (ip:port); exit 1 when there "
     "is none.",
     NULL, cli_parent},
    {"health", "mcc health",
     "Ask the daemon whether it is healthy. Exit code 0 means healthy.", NULL,
     cli_health},
    {"stats", "mcc stats",
     "Print the node's counters, one 'name value' per line: datagrams and "
     "bytes,\nhandshakes, and user packets dropped by reason "
     "(denied_no_tunnel: no tunnel\nholds them; denied_target: a tunnel, "
     "not that protocol or port).",
     NULL, cli_stats},
    {"resolve", "mcc resolve [-t ipv4|ipv6|mac6|node-id] ADDRESS",
     "Resolve between node ids, names, IPv4/IPv6 addresses and MAC "
     "addresses\n(default target format ipv4).",
     NULL, cli_resolve},
    {"route", "mcc route DESTINATION [SOURCE]",
     "Print the route to DESTINATION (a node id): the next hop, then the "
     "known hops.\nWith SOURCE (another node id): the path this node's known "
     "graph predicts\nfrom SOURCE (a root knows every node; others their "
     "subtree and parent).",
     NULL, cli_route},
    {"nodes", "mcc nodes [-f table|graphviz]",
     "Show the known nodes as a table (default) or as a Graphviz digraph.\n"
     "PARENT ? (graphviz: a dashed edge to ?): the parent of this node's "
     "parent,\nwhich only the nodes above know; double circles are roots.",
     NULL, cli_nodes},
    {"init",
     "mcc init [-p PARENTS] [--stdin] [-y] [-C DIR] NETWORK-CERTIFICATE-BASE64",
     "Initialise this node: write the network certificate, generate the "
     "node's key\nand certificate (network private key typed on the "
     "terminal, or from --stdin), "
     "and mcc.conf with its parents.",
     cli_init, NULL},
    {"generate-node-certificate",
     "mcc generate-node-certificate [-p NETCERT] [--stdin] [--days N] [-y] "
     "[DIR]",
     "Generate a node key and certificate signed by the network key.",
     cli_generate_node_certificate, NULL},
    {"generate-network",
     "mcc generate-network [-a AUTHORITY-KEY] [--days N] [-y] [DIR]",
     "Create a network: its key and its certificate signed by the "
     "authority;\nprints the certificate (Base64) that `mcc init` takes.",
     cli_generate_network, NULL},
    {"generate-authority", "mcc generate-authority [-y] [DIR]",
     "Create the authority key that signs network certificates.",
     cli_generate_authority, NULL},
    {"create-tunnel",
     "mcc create-tunnel [-p NETCERT] [--stdin] --targets LIST --remote-node "
     "ID\n      [--dns-names LIST] [--static-ip-address ADDR] "
     "[--external-ip-address ADDR]\n      [--name NAME] [--local-node ID] "
     "[-C DIR] [--days N] [-y] [OUTPUT-DIR]",
     "On the server node: create a tunnel to node ID for the targets "
     "(tcp:80,udp:53),\nits two endpoint keys and certificates signed by "
     "the network key; this\nnode's half goes to OUTPUT-DIR (default "
     "/etc/mcc/tunnels), the client's\nto OUTPUT-DIR/NAME.client/ for the "
     "operator to copy (the command is printed).\n`mcc create-tunnel "
     "--help` describes every option.",
     cli_create_tunnel, NULL},
    {"certificates", "mcc certificates [CONFIG]",
     "Show the node's and the networks' certificates and whether they are "
     "valid.",
     cli_certificates, NULL},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const command *find(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(commands[i].name, name)) return &commands[i];
  return NULL;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mcc [-s SOCKET] COMMAND [ARGS]\n"
          "\n"
          "Talk to the MCC daemon (mccd) on this machine, or set up keys and "
          "certificates.\n"
          "\n"
          "General options:\n"
          "  -s, --unix PATH  the daemon's UNIX socket (default: $%s,\n"
          "                   else %s); only a daemon running as\n"
          "                   root or as you is asked\n"
          "  -h, --help       print this help\n"
          "  -V, --version    print the version\n"
          "\n"
          "Commands:\n",
          MCC_SOCKET_ENV, MCC_DEFAULT_SOCKET);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %s\n", commands[i].usage);
  fprintf(out,
          "\nA network from nothing: mcc generate-authority; mcc "
          "generate-network;\nthen on each node: mcc init --stdin -p "
          "PARENT NETWORK-CERTIFICATE < network-private-key.txt\n"
          "`mcc help COMMAND` describes one command.\n");
}

static int help(int argc, char **argv) {
  if (argc < 2) {
    usage(stdout);
    return 0;
  }
  const command *c = find(argv[1]);
  if (!c) {
    fprintf(stderr, "mcc: no command '%s' (see mcc help)\n", argv[1]);
    return 2;
  }
  printf("usage: %s\n\n%s\n", c->usage, c->help);
  return 0;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"unix", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {"version", no_argument, 0, 'V'},
                                       {0, 0, 0, 0}};
  const char *socket = getenv(MCC_SOCKET_ENV);
  if (!socket || !socket[0]) socket = getenv(MCC_SOCKET_ENV_OLD);
  if (!socket || !socket[0]) socket = MCC_DEFAULT_SOCKET;
  int opt;
  /* '+': stop at the command; its own options are its business. */
  while ((opt = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
    switch (opt) {
    case 's': socket = optarg; break;
    case 'h': usage(stdout); return 0;
    case 'V': printf("mcc %s\n", MCC_VERSION); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind >= argc) {
    usage(stderr);
    return 2;
  }
  int sub_argc = argc - optind;
  char **sub_argv = argv + optind;
  if (!strcmp(sub_argv[0], "help")) return help(sub_argc, sub_argv);
  const command *c = find(sub_argv[0]);
  if (!c) {
    fprintf(stderr, "mcc: unknown command '%s' (see mcc --help)\n",
            sub_argv[0]);
    return 2;
  }
  optind = 0; /* each subcommand parses its own options from scratch */
  return c->online ? c->online(socket, sub_argc, sub_argv)
                   : c->offline(sub_argc, sub_argv);
}
