/*
 * test_real_control.c — mccd's control protocol (node-real/control.c)
 * against a chain of three core nodes of the in-memory harness: every
 * request's answer is checked against what the core says directly, and
 * malformed requests get an error and change nothing.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include <mcc/resolve.h>
#include <mcc/tunnel.h>

#include "control.h"
#include "harness.h"
#include "suites.h"
#include "testutil.h"

static harness *chain3(void) {
  harness *h = harness_new(3, 42, NULL);
  size_t p0 = 0, p1 = 1;
  harness_set_parents(h, 1, &p0, 1);
  harness_set_parents(h, 2, &p1, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
  return h;
}

static ctl_context ctx_of(harness *h, size_t i, size_t parents) {
  ctl_context ctx = {.node = harness_node(h, i),
                     .parents_configured = parents,
                     .now = harness_now(h),
                     .unix_ms_at_zero = 1000};
  return ctx;
}

static char *ask(const ctl_context *ctx, const char *req, strbuf *sb) {
  strbuf_clear(sb);
  ctl_handle(ctx, req, strlen(req), sb);
  CU_ASSERT_FALSE(sb->failed);
  return sb->len ? sb->data : "";
}

static void test_real_control_id_parent_health(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  char id[MCC_ID_TEXT_LEN + 1], pid[MCC_ID_TEXT_LEN + 1], want[160];
  mcc_id_to_text(harness_id(h, 2), id);
  mcc_id_to_text(harness_id(h, 1), pid);
  ctl_context leaf = ctx_of(h, 2, 1), root = ctx_of(h, 0, 0);
  snprintf(want, sizeof want, "ok\n%s\n", id);
  CU_ASSERT_STRING_EQUAL(ask(&leaf, "id", &sb), want);
  mcc_addr paddr = harness_addr(1);
  char addr[64];
  ctl_format_addr(&paddr, addr, sizeof addr);
  snprintf(want, sizeof want, "ok\n%s %s\n", addr, pid);
  CU_ASSERT_STRING_EQUAL(ask(&leaf, "parent", &sb), want);
  CU_ASSERT_NSTRING_EQUAL(ask(&leaf, "health", &sb), "ok\nhealthy: parent", 17);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "health", &sb), "ok\nhealthy: root", 16);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "parent", &sb), "error no parent", 15);
  CU_ASSERT_NSTRING_EQUAL(ask(&leaf, "health", &sb),
                          "ok\nhealthy: parent", 17);
  CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, ", 2 hops from the root,"));
  /* the middle node loses the root: the leaf's parent still answers, but
   * the leaf is cut off from every root (an island under the middle) */
  harness_cut(h, 1, 0, 1);
  harness_run_for(h, 200 * HARNESS_S);
  leaf.now = harness_now(h);
  char mid[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(harness_id(h, 1), mid);
  snprintf(want, sizeof want,
           "error unhealthy: cut off from every root: in an island under "
           "%s\n", mid);
  CU_ASSERT_STRING_EQUAL(ask(&leaf, "health", &sb), want);
  harness_cut(h, 1, 0, 0);
  harness_run_for(h, 200 * HARNESS_S);
  leaf.now = harness_now(h);
  CU_ASSERT_NSTRING_EQUAL(ask(&leaf, "health", &sb), "ok\nhealthy: parent", 17);
  /* the leaf's parent dies: unhealthy once the link times out */
  harness_kill(h, 1);
  harness_run_for(h, 200 * HARNESS_S);
  leaf.now = harness_now(h);
  CU_ASSERT_NSTRING_EQUAL(ask(&leaf, "health", &sb), "error unhealthy", 15);
  strbuf_clear(&sb);
  harness_free(h);
}

static void test_real_control_route_and_nodes(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  char leaf_id[MCC_ID_TEXT_LEN + 1], mid_id[MCC_ID_TEXT_LEN + 1],
      req[128], want[256];
  mcc_id_to_text(harness_id(h, 2), leaf_id);
  mcc_id_to_text(harness_id(h, 1), mid_id);
  ctl_context root = ctx_of(h, 0, 0);
  snprintf(req, sizeof req, "route %s", leaf_id);
  mcc_addr a1 = harness_addr(1);
  char addr[64];
  ctl_format_addr(&a1, addr, sizeof addr);
  snprintf(want, sizeof want, "ok\nnext-hop %s %s\nhop %s\nhop %s\n", mid_id,
           addr, mid_id, leaf_id);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  /* another source: the path the root's known graph predicts, no address
   * for a next hop that is not the root's neighbour */
  snprintf(req, sizeof req, "route %s %s", leaf_id, mid_id);
  snprintf(want, sizeof want, "ok\nnext-hop %s -\nhop %s\n", leaf_id,
           leaf_id);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  char root_id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(harness_id(h, 0), root_id);
  snprintf(req, sizeof req, "route %s %s", root_id, leaf_id);
  snprintf(want, sizeof want, "ok\nnext-hop %s -\nhop %s\nhop %s\n",
           mid_id, mid_id, root_id);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  snprintf(req, sizeof req, "route %s %s", leaf_id, leaf_id);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, req, &sb), "error ", 6);
  /* the leaf knows only itself and its parent: the root's children's
   * paths are not its to guess */
  ctl_context leafctx = ctx_of(h, 2, 0);
  snprintf(req, sizeof req, "route %s %s", mid_id, root_id);
  CU_ASSERT_NSTRING_EQUAL(ask(&leafctx, req, &sb), "error no route", 14);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "route nonsense", &sb), "error ", 6);
  /* nodes: one line per known node, 7 fields, self first */
  char *text = ask(&root, "nodes", &sb);
  CU_ASSERT_NSTRING_EQUAL(text, "ok\n", 3);
  size_t lines = 0, tabs = 0;
  for (char *p = text + 3; *p; p++) {
    lines += *p == '\n';
    tabs += *p == '\t';
  }
  CU_ASSERT_EQUAL(lines, mcc_node_known_count(harness_node(h, 0)));
  CU_ASSERT_EQUAL(lines, 3);
  CU_ASSERT_EQUAL(tabs, 6 * lines);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "\tself\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "\tchild\n"));
  /* PARENT: "-" for the root; "?" for the leaf's parent, whose own parent
   * only the nodes above it know (it is no root) */
  char row[200];
  snprintf(row, sizeof row, "%s\t-\t0\t-\t-\t-\tself\n", root_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, row));
  text = ask(&leafctx, "nodes", &sb);
  snprintf(row, sizeof row, "\t%s\t-\t-\tself\n", mid_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, row)); /* the leaf: parent mid */
  snprintf(row, sizeof row, "\n%s\t", mid_id);
  char *mid_row = strstr(text, row);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mid_row);
  char *eol = strchr(mid_row + 1, '\n');
  CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
  *eol = '\0';
  if (!strstr(mid_row, "\t?\t-\t-\tparent")) printf("\n  %s\n", mid_row);
  CU_ASSERT_PTR_NOT_NULL(strstr(mid_row, "\t?\t-\t-\tparent"));
  strbuf_clear(&sb);
  harness_free(h);
}

/* The endpoints of a node's tunnels in `nodes`, as the manual lists them:
 * on the client the server endpoint with the address it resolves to there
 * (its static-addr once set), on the server an external tunnel's device. */
static void test_real_control_tunnel_rows(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  mcc_keypair cep, sep;
  uint8_t seed[32];
  memset(seed, 0x31, sizeof seed);
  mcc_keypair_from_seed(&cep, seed);
  seed[0] ^= 0xff;
  mcc_keypair_from_seed(&sep, seed);
  mcc_tunnel c = {.role = MCC_TUNNEL_CLIENT, .endpoint = cep,
                  .peer_endpoint = sep.pub, .remote_node = *harness_id(h, 2),
                  .ntargets = 1};
  mcc_tunnel sv = {.role = MCC_TUNNEL_SERVER, .endpoint = sep,
                   .peer_endpoint = cep.pub, .remote_node = *harness_id(h, 0),
                   .ntargets = 1, .external_ip = 0xc0a80114u};
  c.targets[0] = sv.targets[0] =
      (mcc_tunnel_target){MCC_PROTO_TCP, 80, 80};
  harness_tunnel_cert(h, 0, &cep.pub, HARNESS_UNIX_START - 10,
                      HARNESS_UNIX_START + 86400, &c.cert);
  harness_tunnel_cert(h, 0, &sep.pub, HARNESS_UNIX_START - 10,
                      HARNESS_UNIX_START + 86400, &sv.cert);
  CU_ASSERT_EQUAL_FATAL(
      mcc_node_tunnel_add(harness_node(h, 0), &c, harness_now(h)), 0);
  CU_ASSERT_EQUAL_FATAL(
      mcc_node_tunnel_add(harness_node(h, 2), &sv, harness_now(h)), 0);
  char sid[MCC_ID_TEXT_LEN + 1], cid[MCC_ID_TEXT_LEN + 1], want[256];
  char root_id[MCC_ID_TEXT_LEN + 1], leaf_id[MCC_ID_TEXT_LEN + 1];
  mcc_id_to_text(&sep.pub, sid);
  mcc_id_to_text(&cep.pub, cid);
  mcc_id_to_text(harness_id(h, 0), root_id);
  mcc_id_to_text(harness_id(h, 2), leaf_id);
  ctl_context root = ctx_of(h, 0, 0), leaf = ctx_of(h, 2, 1);
  mcc_resolve_addrs a;
  mcc_resolver *r = mcc_node_resolver(harness_node(h, 0));
  CU_ASSERT_EQUAL(mcc_resolver_lookup_id(r, &sep.pub, &a, harness_now(h)), 0);
  snprintf(want, sizeof want, "%s\t%u.%u.%u.%u\t0\t%s\t-\tserver-endpoint\t-\n",
           sid, a.ipv4[0], a.ipv4[1], a.ipv4[2], a.ipv4[3], leaf_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(ask(&root, "nodes", &sb), want));
  snprintf(want, sizeof want, "%s\t-\t0\t%s\t-\tclient-endpoint\t-\n", cid,
           root_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(sb.data, want));
  uint8_t st[4] = {10, 115, 0, 20};
  CU_ASSERT_EQUAL(mcc_resolver_set_static(r, &sep.pub, st, harness_now(h)), 0);
  snprintf(want, sizeof want, "%s\t10.115.0.20\t0\t%s\t-\tserver-endpoint\t-\n",
           sid, leaf_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(ask(&root, "nodes", &sb), want));
  snprintf(want, sizeof want,
           "%s\t192.168.1.20\t0\t%s\t-\tserver-endpoint\t-\n", sid, leaf_id);
  CU_ASSERT_PTR_NOT_NULL(strstr(ask(&leaf, "nodes", &sb), want));
  strbuf_clear(&sb);
  harness_free(h);
}

static void test_real_control_resolve(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  char leaf_id[MCC_ID_TEXT_LEN + 1], req[160], want[128];
  mcc_id_to_text(harness_id(h, 2), leaf_id);
  ctl_context root = ctx_of(h, 0, 0);
  mcc_resolve_addrs addrs;
  CU_ASSERT_EQUAL_FATAL(
      mcc_resolver_lookup_id(mcc_node_resolver(harness_node(h, 0)),
                             harness_id(h, 2), &addrs, harness_now(h)),
      0);
  snprintf(req, sizeof req, "resolve ipv4 %s", leaf_id);
  snprintf(want, sizeof want, "ok\n%u.%u.%u.%u\n", addrs.ipv4[0],
           addrs.ipv4[1], addrs.ipv4[2], addrs.ipv4[3]);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  snprintf(req, sizeof req, "resolve node-id %u.%u.%u.%u", addrs.ipv4[0],
           addrs.ipv4[1], addrs.ipv4[2], addrs.ipv4[3]);
  snprintf(want, sizeof want, "ok\n%s\n", leaf_id);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "resolve ipv9 x", &sb),
                          "error unknown format", 20);
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "resolve node-id 10.83.9.9", &sb),
                          "error ", 6);
  /* a flood of new ids at one instant meets the cap on new mappings:
   * "no address", and the leaf keeps its own */
  int refused = 0;
  for (uint32_t n = 0; n < MCC_RESOLVE_NEW_BURST + 10; n++) {
    mcc_id id;
    char text[MCC_ID_TEXT_LEN + 1];
    memset(id.key, 0x77, sizeof id.key);
    memcpy(id.key, &n, sizeof n);
    mcc_id_to_text(&id, text);
    snprintf(req, sizeof req, "resolve ipv4 %s", text);
    refused += strncmp(ask(&root, req, &sb), "error no address for", 20) == 0;
  }
  CU_ASSERT(refused >= 9 && refused <= 11);
  snprintf(req, sizeof req, "resolve ipv4 %s", leaf_id);
  snprintf(want, sizeof want, "ok\n%u.%u.%u.%u\n", addrs.ipv4[0],
           addrs.ipv4[1], addrs.ipv4[2], addrs.ipv4[3]);
  CU_ASSERT_STRING_EQUAL(ask(&root, req, &sb), want);
  strbuf_clear(&sb);
  harness_free(h);
}

/* "domain": what "<id><domain>" names end in, the default and a set one;
 * the NSS module builds its reverse names with it. */
static void test_real_control_domain(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  ctl_context root = ctx_of(h, 0, 0);
  CU_ASSERT_STRING_EQUAL(ask(&root, "domain", &sb), "ok\n.home.arpa\n");
  CU_ASSERT_NSTRING_EQUAL(ask(&root, "domain x", &sb), "error ", 6);
  strbuf_clear(&sb);
  harness_free(h);
  const char *domains[][2] = {{"staex", "ok\n.staex\n"},
                              {".Lab.Example.", "ok\n.lab.example\n"},
                              {"", "ok\n\n"}};
  for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++) {
    mcc_resolver_settings rs;
    mcc_resolver_settings_default(&rs);
    CU_ASSERT_EQUAL_FATAL(mcc_resolver_settings_from_text(
                              &rs, NULL, NULL, NULL, domains[i][0], NULL),
                          0);
    mcc_settings s;
    mcc_settings_default(&s);
    s.resolver = &rs;
    h = harness_new(1, 42, &s);
    harness_start(h);
    ctl_context solo = ctx_of(h, 0, 0);
    CU_ASSERT_STRING_EQUAL(ask(&solo, "domain", &sb), domains[i][1]);
    strbuf_clear(&sb);
    harness_free(h);
  }
}

static void test_real_control_rejects_malformed(void) {
  harness *h = chain3();
  strbuf sb;
  strbuf_init(&sb);
  ctl_context root = ctx_of(h, 0, 0);
  size_t known = mcc_node_known_count(harness_node(h, 0));
  const char *bad[] = {"", "   ", "frobnicate", "id extra", "nodes -f x",
                       "route", "route a b c d e", "resolve ipv4"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CU_ASSERT_NSTRING_EQUAL(ask(&root, bad[i], &sb), "error ", 6);
  char binary[] = {'i', 'd', 0, 1, (char)0xff};
  strbuf_clear(&sb);
  ctl_handle(&root, binary, sizeof binary, &sb);
  CU_ASSERT_NSTRING_EQUAL(sb.data, "error ", 6);
  char huge[CTL_REQUEST_MAX + 10];
  memset(huge, 'a', sizeof huge);
  strbuf_clear(&sb);
  ctl_handle(&root, huge, sizeof huge, &sb);
  CU_ASSERT_STRING_EQUAL(sb.data, "error request too long\n");
  CU_ASSERT_EQUAL(mcc_node_known_count(harness_node(h, 0)), known);
  strbuf_clear(&sb);
  harness_free(h);
}

void suite_real_control(void) {
  CU_pSuite s = CU_add_suite("real_control", NULL, NULL);
  ADD_TEST(s, test_real_control_id_parent_health);
  ADD_TEST(s, test_real_control_route_and_nodes);
  ADD_TEST(s, test_real_control_tunnel_rows);
  ADD_TEST(s, test_real_control_resolve);
  ADD_TEST(s, test_real_control_domain);
  ADD_TEST(s, test_real_control_rejects_malformed);
}
