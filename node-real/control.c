/*
 * control.c — the daemon's side of the control protocol (control.h): one
 * request line in, one answer out, read-only except for the resolver slot
 * a `resolve` to an address allocates (as the manual's command does).
 */
#include "control.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#define CTL_MAX_WORDS 4

static void answer_error(strbuf *answer, const char *fmt, const char *arg) {
  strbuf_printf(answer, "error ");
  strbuf_printf(answer, fmt, arg);
  strbuf_append(answer, "\n", 1);
}

void ctl_format_addr(const mcc_addr *addr, char *out, size_t outlen) {
  char ip[INET6_ADDRSTRLEN];
  if (addr->family == 6) {
    inet_ntop(AF_INET6, addr->ip, ip, sizeof ip);
    snprintf(out, outlen, "[%s]:%u", ip, addr->port);
  } else if (addr->family == 4) {
    inet_ntop(AF_INET, addr->ip, ip, sizeof ip);
    snprintf(out, outlen, "%s:%u", ip, addr->port);
  } else {
    snprintf(out, outlen, "-");
  }
}

static void do_id(const ctl_context *ctx, strbuf *answer) {
  char id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(mcc_node_id(ctx->node), id);
  strbuf_printf(answer, "ok\n%s\n", id);
}

static void do_parent(const ctl_context *ctx, strbuf *answer) {
  mcc_id pid;
  mcc_addr paddr;
  if (mcc_node_parent(ctx->node, &pid, &paddr) != 0) {
    answer_error(answer, "%s",
                 ctx->parents_configured
                     ? "no active parent: joining, or every parent is down"
                     : "no parent: this node is a root (no parents "
                       "configured)");
    return;
  }
  char id[MCC_ID_TEXT_LEN + 1], addr[64];
  mcc_id_to_text(&pid, id);
  ctl_format_addr(&paddr, addr, sizeof addr);
  strbuf_printf(answer, "ok\n%s %s\n", addr, id);
}

static void do_health(const ctl_context *ctx, strbuf *answer) {
  size_t known = mcc_node_known_count(ctx->node);
  if (ctx->parents_configured == 0) {
    strbuf_printf(answer, "ok\nhealthy: root, %zu known nodes\n", known);
    return;
  }
  mcc_id pid;
  mcc_addr paddr;
  if (mcc_node_parent(ctx->node, &pid, &paddr) != 0) {
    answer_error(answer, "%s",
                 "unhealthy: no parent answers (joining, or every "
                 "configured parent is down)");
    return;
  }
  char addr[64];
  ctl_format_addr(&paddr, addr, sizeof addr);
  mcc_rooting rooting;
  mcc_node_rooting(ctx->node, &rooting);
  if (!rooting.rooted) {
    answer_error(answer,
                 "unhealthy: parent %s answers but has no way to a root "
                 "(looking for another parent)",
                 addr);
    return;
  }
  if (rooting.island) {
    char top[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&rooting.root, top);
    answer_error(answer,
                 "unhealthy: cut off from every root: in an island under %s",
                 top);
    return;
  }
  strbuf_printf(answer,
                "ok\nhealthy: parent %s, %u hops from the root, %zu known "
                "nodes\n",
                addr, rooting.depth, known);
}

static void do_resolve(const ctl_context *ctx, char **words, size_t n,
                       strbuf *answer) {
  if (n != 3) {
    answer_error(answer, "%s", "usage: resolve FORMAT INPUT");
    return;
  }
  enum mcc_resolve_format format;
  if (mcc_resolve_format_from_text(words[1], &format) != 0) {
    answer_error(answer,
                 "unknown format '%s' (expected ipv4, ipv6, mac6 or node-id)",
                 words[1]);
    return;
  }
  char out[MCC_RESOLVE_TEXT_MAX];
  const mcc_lookup_answer *f = ctx->found;
  if (f && f->status == MCC_LOOKUP_NO_SUCH) {
    answer_error(answer,
                 "'%s' resolves to no known node: the network's root knows "
                 "no node by that name or id",
                 words[2]);
    return;
  }
  if (f && f->status != MCC_LOOKUP_FOUND) {
    answer_error(answer,
                 f->status == MCC_LOOKUP_TIMEOUT
                     ? "'%s': the network did not answer within "
                       "network-lookup-timeout; try again later"
                     : "'%s': the network did not answer (no root reached "
                       "within network-lookup-ttl hops); try again later",
                 words[2]);
    return;
  }
  int rv;
  if (f) { /* a name the network knows: that node's forms */
    char idtext[MCC_ID_TEXT_LEN + 1];
    mcc_id_to_text(&f->id, idtext);
    rv = mcc_resolve_text(mcc_node_resolver(ctx->node), idtext, format, out,
                          sizeof out, ctx->now);
  } else {
    rv = mcc_resolve_text(mcc_node_resolver(ctx->node), words[2], format, out,
                          sizeof out, ctx->now);
  }
  if (rv == MCC_ERR_NO_ROUTE) {
    answer_error(answer, "'%s' resolves to no known node", words[2]);
    return;
  }
  if (rv == MCC_ERR_LIMIT || rv == MCC_ERR_NOMEM) {
    answer_error(answer,
                 "no address for '%s' now: every address of the resolver's "
                 "networks was used within resolver.ttl + "
                 "resolver.quarantine, or too many new ones were asked for; "
                 "try again later",
                 words[2]);
    return;
  }
  if (rv != 0) {
    answer_error(answer,
                 "'%s' is not a node id, name, or address of the resolver's "
                 "networks",
                 words[2]);
    return;
  }
  strbuf_printf(answer, "ok\n%s\n", out);
}

/* resolver.domain as the resolver keeps it (".home.arpa"; "" for none):
 * what "<id><domain>" names end in, for the NSS module's reverse names. */
static void do_domain(const ctl_context *ctx, strbuf *answer) {
  char name[MCC_ID_TEXT_LEN + MCC_RESOLVE_DOMAIN_MAX + 2];
  mcc_resolver *r = mcc_node_resolver(ctx->node);
  if (!r || mcc_resolver_id_name(r, mcc_node_id(ctx->node), name,
                                 sizeof name) != 0) {
    answer_error(answer, "%s", "this node has no resolver");
    return;
  }
  strbuf_printf(answer, "ok\n%s\n", name + MCC_ID_TEXT_LEN);
}

static int parse_id(const char *text, mcc_id *id, strbuf *answer) {
  int rv = mcc_id_from_text(id, text, strlen(text));
  if (rv != 0) {
    strbuf_printf(answer, "error '%s' is not a node id: %s\n", text,
                  mcc_strerror(rv));
    return -1;
  }
  return 0;
}

static void do_route(const ctl_context *ctx, char **words, size_t n,
                     strbuf *answer) {
  if (n < 2 || n > 3) {
    answer_error(answer, "%s", "usage: route DEST [SOURCE]");
    return;
  }
  mcc_id dst, src = *mcc_node_id(ctx->node);
  if (parse_id(words[1], &dst, answer) < 0) return;
  if (n == 3 && parse_id(words[2], &src, answer) < 0) return;
  int from_self = memcmp(src.key, mcc_node_id(ctx->node)->key, MCC_KEY_LEN) == 0;
  mcc_route route;
  int rv = mcc_node_route_from(ctx->node, &src, &dst, &route);
  if (rv == MCC_ERR_INVALID_ARGUMENT) {
    answer_error(answer, "%s",
                 from_self ? "that is this node's own id"
                           : "SOURCE and DESTINATION are the same node");
    return;
  }
  if (rv == MCC_ERR_NO_ROUTE && !from_self) {
    answer_error(answer, "%s",
                 "no route: SOURCE or DESTINATION is not in this node's "
                 "known graph (its subtree and its parent; a root knows "
                 "every node): ask a node above both");
    return;
  }
  if (rv != 0) {
    answer_error(answer, "no route: %s", mcc_strerror(rv));
    return;
  }
  char id[MCC_ID_TEXT_LEN + 1], addr[64];
  mcc_id_to_text(&route.next_hop, id);
  ctl_format_addr(&route.next_addr, addr, sizeof addr);
  strbuf_printf(answer, "ok\nnext-hop %s %s%s\n", id, addr,
                route.via_default ? " default" : "");
  for (size_t i = 0; i < route.hops_len; i++) {
    mcc_id_to_text(&route.hops[i], id);
    strbuf_printf(answer, "hop %s\n", id);
  }
}

static const char *relation(const mcc_node_info *info, const mcc_id *parent,
                            int has_parent) {
  if (info->is_self) return "self";
  if (!info->is_neighbour) return "-";
  if (has_parent && memcmp(info->id.key, parent->key, MCC_KEY_LEN) == 0)
    return "parent";
  return "child";
}

static void do_nodes(const ctl_context *ctx, strbuf *answer) {
  mcc_id parent;
  mcc_addr paddr;
  int has_parent = mcc_node_parent(ctx->node, &parent, &paddr) == 0;
  strbuf_printf(answer, "ok\n");
  size_t n = mcc_node_known_count(ctx->node);
  for (size_t i = 0; i < n; i++) {
    mcc_node_info info;
    if (mcc_node_known_get(ctx->node, i, &info) != 0) continue;
    char id[MCC_ID_TEXT_LEN + 1], pid[MCC_ID_TEXT_LEN + 1], addr[64];
    char names[MCC_MAX_EXTRA_LEN + 1] = "", tags[MCC_MAX_EXTRA_LEN + 1] = "";
    mcc_node_known_names(ctx->node, i, names, sizeof names, tags,
                         sizeof tags);
    mcc_id_to_text(&info.id, id);
    if (info.has_parent)
      mcc_id_to_text(&info.parent, pid);
    else /* "-": a root; "?": not known here */
      snprintf(pid, sizeof pid, "%s", info.parent_unknown ? "?" : "-");
    ctl_format_addr(&info.addr, addr, sizeof addr);
    int64_t seen_ms =
        ctx->unix_ms_at_zero + (int64_t)(info.last_seen_ns / 1000000u);
    const char *type = info.cert_kind == MCC_CERT_TUNNEL ? "tunnel" : "-";
    strbuf_printf(answer, "%s\t%s\t%" PRId64 "\t%s\t%s\t%s\t%s\n", id, addr,
                  info.is_self ? (int64_t)0 : seen_ms, pid,
                  tags[0] ? tags : "-", type,
                  relation(&info, &parent, has_parent));
  }
  /* Each tunnel's two endpoints, as the manual lists them: ours under
   * this node, the other under the node that holds it. ADDRESS: where a
   * server endpoint is reached from here: on the client node the address
   * it resolves to (its static-addr, or a dynamic one), on the server node
   * the LAN device of an external tunnel. */
  mcc_resolver *r = mcc_node_resolver(ctx->node);
  for (size_t i = 0; i < mcc_node_tunnel_count(ctx->node); i++) {
    mcc_tunnel_info t;
    if (mcc_node_tunnel_get(ctx->node, i, &t) != 0) continue;
    const char *ours = t.role == MCC_TUNNEL_SERVER ? "server-endpoint"
                                                   : "client-endpoint";
    const char *theirs = t.role == MCC_TUNNEL_SERVER ? "client-endpoint"
                                                     : "server-endpoint";
    char id[MCC_ID_TEXT_LEN + 1], pid[MCC_ID_TEXT_LEN + 1];
    char ours_addr[INET_ADDRSTRLEN] = "-", theirs_addr[INET_ADDRSTRLEN] = "-";
    mcc_resolve_addrs a;
    if (t.role == MCC_TUNNEL_SERVER && t.external_ip) {
      uint32_t x = htonl(t.external_ip);
      inet_ntop(AF_INET, &x, ours_addr, sizeof ours_addr);
    } else if (t.role == MCC_TUNNEL_CLIENT && r &&
               mcc_resolver_lookup_id(r, &t.peer_endpoint, &a, ctx->now) == 0) {
      inet_ntop(AF_INET, a.ipv4, theirs_addr, sizeof theirs_addr);
    }
    mcc_id_to_text(&t.endpoint, id);
    mcc_id_to_text(mcc_node_id(ctx->node), pid);
    strbuf_printf(answer, "%s\t%s\t0\t%s\t-\t%s\t-\n", id, ours_addr, pid,
                  ours);
    mcc_id_to_text(&t.peer_endpoint, id);
    mcc_id_to_text(&t.remote_node, pid);
    strbuf_printf(answer, "%s\t%s\t0\t%s\t-\t%s\t-\n", id, theirs_addr, pid,
                  theirs);
  }
}

static void do_stats(const ctl_context *ctx, strbuf *answer) {
  mcc_node_stats s;
  mcc_node_get_stats(ctx->node, &s);
  strbuf_printf(answer, "ok\n");
#define STAT(f) strbuf_printf(answer, "%s %" PRIu64 "\n", #f, (uint64_t)s.f)
  STAT(datagrams_sent);
  STAT(wire_payload_bytes_sent);
  STAT(datagrams_received);
  STAT(rejected);
  STAT(hello_sent);
  STAT(keepalive_sent);
  STAT(update_sent);
  STAT(ack_sent);
  STAT(record_bytes_sent);
  STAT(parent_switches);
  STAT(packets_sent);
  STAT(packets_delivered);
  STAT(packets_forwarded);
  STAT(packets_dropped);
  STAT(sessions_established);
  STAT(sessions_refused);
  STAT(denied_no_tunnel);
  STAT(denied_target);
  STAT(lookups_started);
  STAT(lookups_sent);
  STAT(lookups_received);
  STAT(lookup_replies_sent);
  STAT(lookup_replies_received);
  STAT(lookup_forged);
  STAT(lookup_bytes_sent);
  STAT(handshakes_over_budget);
  STAT(cookie_replies_sent);
#undef STAT
  strbuf_printf(answer, "known_nodes %zu\nprotocol_memory_bytes %zu\n",
                mcc_node_known_count(ctx->node), mcc_node_memory(ctx->node));
}

int ctl_resolve_input(const char *request, size_t len, char *input,
                      size_t cap) {
  static const char cmd[] = "resolve ";
  if (len <= sizeof cmd - 1 || memcmp(request, cmd, sizeof cmd - 1) != 0)
    return -1;
  const char *p = request + sizeof cmd - 1, *end = request + len;
  while (p < end && *p == ' ') p++;
  const char *sp = memchr(p, ' ', (size_t)(end - p)); /* after FORMAT */
  if (!sp) return -1;
  p = sp;
  while (p < end && *p == ' ') p++;
  const char *q = p;
  while (q < end && *q != ' ') q++;
  size_t n = (size_t)(q - p);
  for (const char *t = q; t < end; t++)
    if (*t != ' ') return -1; /* more words: ctl_handle says so */
  if (n == 0 || n >= cap) return -1;
  memcpy(input, p, n);
  input[n] = '\0';
  return (int)n;
}

void ctl_handle(const ctl_context *ctx, const char *request, size_t len,
                strbuf *answer) {
  char line[CTL_REQUEST_MAX + 1];
  if (len > CTL_REQUEST_MAX) {
    answer_error(answer, "%s", "request too long");
    return;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)request[i];
    if (c < 0x20 || c > 0x7e) {
      answer_error(answer, "%s", "request is not one line of printable ASCII");
      return;
    }
  }
  memcpy(line, request, len);
  line[len] = '\0';
  char *words[CTL_MAX_WORDS];
  size_t n = 0;
  char *save = NULL;
  for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    if (n == CTL_MAX_WORDS) {
      answer_error(answer, "%s", "too many words in request");
      return;
    }
    words[n++] = w;
  }
  if (n == 0) {
    answer_error(answer, "%s", "empty request");
    return;
  }
  const char *cmd = words[0];
  int bare = n == 1;
  if (!strcmp(cmd, "id") && bare)
    do_id(ctx, answer);
  else if (!strcmp(cmd, "parent") && bare)
    do_parent(ctx, answer);
  else if (!strcmp(cmd, "health") && bare)
    do_health(ctx, answer);
  else if (!strcmp(cmd, "nodes") && bare)
    do_nodes(ctx, answer);
  else if (!strcmp(cmd, "stats") && bare)
    do_stats(ctx, answer);
  else if (!strcmp(cmd, "domain") && bare)
    do_domain(ctx, answer);
  else if (!strcmp(cmd, "resolve"))
    do_resolve(ctx, words, n, answer);
  else if (!strcmp(cmd, "route"))
    do_route(ctx, words, n, answer);
  else
    answer_error(answer, "unknown request '%s'", cmd);
}
