/*
 * mcc-flood.c — the attacker of the "cost before trust" measurements (issue
 * 11): sends one UDP address a paced flood of datagrams shaped like MCC's
 * handshake messages, and says how many it really sent.
 *
 * The datagrams are built with the core's own encoders (wire.h, noise.h,
 * mcc_cert_sign), so a rebuild follows a change of the wire format. They
 * are built before the clock starts, as a pool of distinct datagrams (one
 * fresh key each where the kind has a key of its own), so that no cache of
 * the target makes a repeat cheap; the pool is then sent round and round
 * with sendmmsg in batches, paced to the rate. Sources are the tool's own
 * UDP socket, or random addresses of a range through a raw socket
 * (IP_HDRINCL).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mcc/mcc.h>

#include "noise.h"
#include "wire.h"

#define DEFAULT_PORT 9376
#define DEFAULT_POOL 8192
#define DEFAULT_BATCH 256
#define MAX_BATCH 1024
#define MAX_KINDS 4
#define IP_UDP_HEADER_LEN 28
/* A sender that fell behind (preempted, or a full queue) catches up with
 * at most this much of the schedule at full speed, then lets the rest go:
 * pacing stays pacing, and the achieved rate says what was lost. */
#define MAX_DEBT_S 0.1
/* Certificates the tool makes are valid from a minute ago for a year. */
#define CERT_BACKDATE_S 60
#define CERT_LIFETIME_S (365u * 86400u)
/* session.c's prologue context (static there): the INIT's tag only
 * verifies with it, which matters when the tool holds the source's key. */
static const char session_context[] = "mcc-session-v1";

enum kind { KIND_HELLO, KIND_HELLO_FORGED, KIND_INIT, KIND_REPLAY };
static const char *const kind_names[] = {"hello", "hello-forged", "init",
                                         "replay"};

typedef struct datagram {
  uint16_t len;
  uint8_t kind; /* index into opts.kinds */
  uint8_t *data;
} datagram;

typedef struct options {
  struct sockaddr_storage target;
  socklen_t target_len;
  char target_text[80];
  double rate;     /* datagrams per second in all; 0: as fast as possible */
  double duration; /* seconds */
  uint64_t count;  /* 0: no limit */
  enum kind kinds[MAX_KINDS];
  int nkinds;
  int have_issuer;
  mcc_id issuer;
  int have_dst;
  mcc_id dst;
  int have_cert;
  mcc_cert cert;
  const char *from;
  int replay_port;
  int spoof;
  uint32_t spoof_net, spoof_mask; /* host order */
  char spoof_text[40];
  unsigned batch;
  unsigned pool;
  unsigned keepalive_s;
  int json, quiet;
} options;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) { stop_requested = sig; }

/* clang-format off: the help text is laid out as it prints */
static void usage(FILE *f) {
  fprintf(
      f,
      "usage: mcc-flood -t ADDR[:PORT] -k KIND[,KIND...] [OPTIONS]\n"
      "\n"
      "Floods ADDR (UDP port 9376 unless given) with datagrams shaped like "
      "MCC\n"
      "handshake messages, paced to a rate, and prints what it really sent. "
      "For\n"
      "measuring a node under attack (tools/flood-lab); run it only against\n"
      "nodes you are allowed to test.\n"
      "\n"
      "Kinds (a comma list mixes them, the rate shared equally):\n"
      "  hello          HELLO with a fresh key per datagram, a self-signed "
      "node\n"
      "                 certificate and a valid signature\n"
      "  hello-forged   HELLO, valid signature by a fresh key, whose "
      "certificate\n"
      "                 names --issuer (a trusted network key) as issuer with "
      "a bad\n"
      "                 signature: only a public-key check can reject it\n"
      "  init           SESSION_INIT addressed to --dst. The source is --cert "
      "(a\n"
      "                 real node certificate, public: every HELLO carries "
      "one; its\n"
      "                 key is not known, so the handshake's tag is wrong and "
      "only\n"
      "                 the key exchanges reveal it), else a fresh key per "
      "datagram\n"
      "                 with a certificate by --issuer (bad signature) when "
      "given,\n"
      "                 else self-signed\n"
      "  replay         the datagrams of --from, as they are (no pool of fresh "
      "ones)\n"
      "\n"
      "Options:\n"
      "  -t, --target ADDR[:PORT]  IPv4 a.b.c.d[:port] or [IPv6][:port]\n"
      "  -r, --rate N          datagrams per second in all (default 1000; 0 = "
      "as\n"
      "                        fast as the tool can)\n"
      "  -d, --duration S      seconds to send (default 10; fractions "
      "allowed)\n"
      "  -n, --count N         stop after N datagrams\n"
      "  -k, --kind LIST       see above\n"
      "      --issuer KEY      a network public key: 44 Base64 characters "
      "(the\n"
      "                        form of trusted-networks) or a 52-character id\n"
      "      --dst ID          init: the destination node id (52 characters)\n"
      "      --cert CERT       init: a node certificate, Base64 or a file "
      "holding\n"
      "                        it (e.g. a node's node-certificate.txt)\n"
      "      --from FILE       replay: a pcap file (its UDP payloads) or a "
      "text\n"
      "                        file of hex datagrams, one a line ('#' "
      "comments)\n"
      "      --replay-port P   replay from pcap: only datagrams from or to UDP "
      "port\n"
      "                        P (default 9376; 0 = every UDP datagram)\n"
      "      --spoof CIDR      send from random addresses and ports of an "
      "IPv4\n"
      "                        range through a raw socket (IP_HDRINCL; needs "
      "root\n"
      "                        or CAP_NET_RAW); default: the tool's own UDP "
      "socket\n"
      "  -b, --batch N         datagrams per sendmmsg call (default %d, "
      "1..%d)\n"
      "  -p, --pool N          distinct datagrams built beforehand (default "
      "%d);\n"
      "                        above the target's caches (the node's verify "
      "cache\n"
      "                        holds 1024)\n"
      "      --keep-alive S    keep-alive period the HELLOs announce (default "
      "30)\n"
      "      --json            print the result as one JSON object\n"
      "  -q, --quiet           no progress lines on stderr\n"
      "  -h, --help            this help\n"
      "\n"
      "HELLO timestamps are taken when the pool is built and stay within the\n"
      "node's window (300 s) for a run of up to 250 s. The result counts the\n"
      "datagrams the kernel accepted (sendmmsg's count), over the time from "
      "the\n"
      "first send to the last; what the target's socket then received is for "
      "the\n"
      "target's counters (tools/flood-lab reads them).\n",
      DEFAULT_BATCH, MAX_BATCH, DEFAULT_POOL);
}
/* clang-format on */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("mcc-flood: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process, user and system */
static void cpu_s(double *puser, double *psys) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *puser = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
  *psys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint64_t unix_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* xorshift64*: source addresses and ports, not secrets. */
static uint64_t rng_state;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

/* ---- arguments ----------------------------------------------------------- */

static double parse_number(const char *opt, const char *s, double min,
                           double max) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
    die("%s: expected a number %g..%g, found \"%s\"", opt, min, max, s);
  return v;
}

static void parse_target(options *o, const char *s) {
  char host[64];
  const char *port = NULL;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (!close || (size_t)(close - s - 1) >= sizeof host)
      die("--target: expected [IPv6]:PORT, found \"%s\"", s);
    memcpy(host, s + 1, (size_t)(close - s - 1));
    host[close - s - 1] = '\0';
    if (close[1] == ':')
      port = close + 2;
    else if (close[1])
      die("--target: junk after ']' in \"%s\"", s);
  } else {
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    if (n >= sizeof host) die("--target: \"%s\" is too long", s);
    memcpy(host, s, n);
    host[n] = '\0';
    if (colon) port = colon + 1;
  }
  int p =
      port ? (int)parse_number("--target port", port, 1, 65535) : DEFAULT_PORT;
  memset(&o->target, 0, sizeof o->target);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&o->target;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&o->target;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)p);
    o->target_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)p);
    o->target_len = sizeof *v6;
  } else {
    die("--target: \"%s\" is not an IPv4 or IPv6 address", host);
  }
  snprintf(o->target_text, sizeof o->target_text,
           o->target.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, p);
}

static void parse_kinds(options *o, const char *s) {
  char buf[128];
  if (strlen(s) >= sizeof buf) die("--kind: \"%s\" is too long", s);
  strcpy(buf, s);
  o->nkinds = 0;
  for (char *save = NULL, *k = strtok_r(buf, ",", &save); k;
       k = strtok_r(NULL, ",", &save)) {
    int found = -1;
    for (int i = 0; i < (int)(sizeof kind_names / sizeof *kind_names); i++)
      if (!strcmp(k, kind_names[i])) found = i;
    if (found < 0)
      die("--kind: unknown kind \"%s\" (hello, hello-forged, init, replay)", k);
    for (int i = 0; i < o->nkinds; i++)
      if (o->kinds[i] == (enum kind)found) die("--kind: %s given twice", k);
    if (o->nkinds == MAX_KINDS) die("--kind: at most %d kinds", MAX_KINDS);
    o->kinds[o->nkinds++] = (enum kind)found;
  }
  if (o->nkinds == 0) die("--kind: empty list");
}

static void parse_key(const char *opt, const char *s, mcc_id *id) {
  size_t len = strlen(s), binlen = 0;
  if (len == MCC_ID_TEXT_LEN) {
    int rv = mcc_id_from_text(id, s, len);
    if (rv != 0) die("%s: \"%s\": %s", opt, s, mcc_strerror(rv));
    return;
  }
  if (len != 44 ||
      sodium_base642bin(id->key, sizeof id->key, s, len, NULL, &binlen, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      binlen != sizeof id->key)
    die("%s: expected 44 Base64 characters or a 52-character id, found "
        "\"%s\"",
        opt, s);
}

/* A certificate in Base64, or a file holding one. */
static void parse_cert(options *o, const char *s) {
  char text[1024];
  const char *src = s;
  FILE *f = fopen(s, "r");
  if (f) {
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    src = text;
  }
  int rv = mcc_cert_from_base64(&o->cert, src, strlen(src));
  if (rv != 0)
    die("--cert: \"%s\" is neither a readable file nor a certificate in "
        "Base64: %s",
        s, mcc_strerror(rv));
  if (o->cert.kind != MCC_CERT_NODE)
    die("--cert: \"%s\" is not a node certificate", s);
  o->have_cert = 1;
}

static void parse_spoof(options *o, const char *s) {
  char host[32];
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  if (n >= sizeof host) die("--spoof: \"%s\" is not an IPv4 CIDR", s);
  memcpy(host, s, n);
  host[n] = '\0';
  int bits = slash ? (int)parse_number("--spoof prefix", slash + 1, 0, 32) : 32;
  struct in_addr a;
  if (inet_pton(AF_INET, host, &a) != 1)
    die("--spoof: \"%s\": expected an IPv4 range like 10.250.0.0/16", s);
  o->spoof_mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
  o->spoof_net = ntohl(a.s_addr) & o->spoof_mask;
  o->spoof = 1;
  snprintf(o->spoof_text, sizeof o->spoof_text, "%s", s);
}

static void parse_args(options *o, int argc, char **argv) {
  static const struct option longs[] = {
      {"target", required_argument, 0, 't'},
      {"rate", required_argument, 0, 'r'},
      {"duration", required_argument, 0, 'd'},
      {"count", required_argument, 0, 'n'},
      {"kind", required_argument, 0, 'k'},
      {"issuer", required_argument, 0, 'I'},
      {"dst", required_argument, 0, 'D'},
      {"cert", required_argument, 0, 'C'},
      {"from", required_argument, 0, 'F'},
      {"replay-port", required_argument, 0, 'P'},
      {"spoof", required_argument, 0, 'S'},
      {"batch", required_argument, 0, 'b'},
      {"pool", required_argument, 0, 'p'},
      {"keep-alive", required_argument, 0, 'K'},
      {"json", no_argument, 0, 'J'},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->rate = 1000;
  o->duration = 10;
  o->batch = DEFAULT_BATCH;
  o->pool = DEFAULT_POOL;
  o->keepalive_s = 30;
  o->replay_port = DEFAULT_PORT;
  int have_target = 0, c;
  while ((c = getopt_long(argc, argv, "t:r:d:n:k:b:p:qh", longs, NULL)) != -1) {
    switch (c) {
    case 't':
      parse_target(o, optarg);
      have_target = 1;
      break;
    case 'r':
      o->rate = parse_number("--rate", optarg, 0, 1e8);
      break;
    case 'd':
      o->duration = parse_number("--duration", optarg, 0.001, 1e6);
      break;
    case 'n':
      o->count = (uint64_t)parse_number("--count", optarg, 1, 1e15);
      break;
    case 'k':
      parse_kinds(o, optarg);
      break;
    case 'I':
      parse_key("--issuer", optarg, &o->issuer);
      o->have_issuer = 1;
      break;
    case 'D':
      parse_key("--dst", optarg, &o->dst);
      o->have_dst = 1;
      break;
    case 'C':
      parse_cert(o, optarg);
      break;
    case 'F':
      o->from = optarg;
      break;
    case 'P':
      o->replay_port = (int)parse_number("--replay-port", optarg, 0, 65535);
      break;
    case 'S':
      parse_spoof(o, optarg);
      break;
    case 'b':
      o->batch = (unsigned)parse_number("--batch", optarg, 1, MAX_BATCH);
      break;
    case 'p':
      o->pool = (unsigned)parse_number("--pool", optarg, 1, 1 << 20);
      break;
    case 'K':
      o->keepalive_s = (unsigned)parse_number("--keep-alive", optarg, 1, 65535);
      break;
    case 'J':
      o->json = 1;
      break;
    case 'q':
      o->quiet = 1;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      fprintf(stderr, "mcc-flood: see mcc-flood --help\n");
      exit(2);
    }
  }
  if (optind < argc)
    die("unexpected argument \"%s\" (see --help)", argv[optind]);
  if (!have_target) die("missing --target ADDR[:PORT] (see --help)");
  if (o->nkinds == 0) die("missing --kind (see --help)");
  for (int i = 0; i < o->nkinds; i++) {
    enum kind k = o->kinds[i];
    if (k == KIND_HELLO_FORGED && !o->have_issuer)
      die("--kind hello-forged needs --issuer (a trusted network key)");
    if (k == KIND_INIT && !o->have_dst)
      die("--kind init needs --dst (the destination node id)");
    if (k == KIND_REPLAY && !o->from) die("--kind replay needs --from FILE");
  }
  if (o->spoof && o->target.ss_family != AF_INET)
    die("--spoof: IPv4 targets only");
  if (o->duration > 250 && !o->quiet)
    fprintf(stderr, "mcc-flood: warning: HELLO timestamps are older than the "
                    "node's 300 s window after 300 s\n");
}

/* ---- the pool ------------------------------------------------------------ */

static uint8_t *copy_of(const uint8_t *data, size_t len) {
  uint8_t *p = malloc(len);
  if (!p) die("out of memory");
  memcpy(p, data, len);
  return p;
}

/* A node certificate for kp: self-signed, or naming issuer with a signature
 * that is not the issuer's. */
static void make_cert(mcc_cert *cert, const mcc_keypair *kp,
                      const mcc_id *issuer) {
  uint32_t now = (uint32_t)time(NULL);
  int rv = mcc_cert_sign(cert, MCC_CERT_NODE, &kp->pub, kp,
                         now - CERT_BACKDATE_S, now + CERT_LIFETIME_S);
  if (rv != 0) die("mcc_cert_sign: %s", mcc_strerror(rv));
  if (issuer) {
    cert->issuer = *issuer;
    randombytes_buf(cert->signature, sizeof cert->signature);
  }
}

static void fresh_keypair(mcc_keypair *kp) {
  int rv = mcc_keypair_generate(kp);
  if (rv != 0) die("mcc_keypair_generate: %s", mcc_strerror(rv));
}

static datagram build_hello(const options *o, const mcc_id *issuer) {
  mcc_keypair kp;
  fresh_keypair(&kp);
  wire_hello hello;
  memset(&hello, 0, sizeof hello);
  hello.keepalive_period_s = (uint16_t)o->keepalive_s;
  hello.timestamp_ms = unix_ms();
  randombytes_buf(hello.eph, sizeof hello.eph);
  make_cert(&hello.cert, &kp, issuer);
  uint8_t out[WIRE_HELLO_LEN];
  wire_signer signer = {.keys = &kp, .note = NULL, .user = NULL};
  wire_hello_encode(out, &hello, &signer);
  sodium_memzero(&kp, sizeof kp);
  return (datagram){.len = sizeof out, .data = copy_of(out, sizeof out)};
}

/* SESSION_INIT as session.c's send_init lays it out (wire.h offsets). */
static datagram build_init(const options *o) {
  mcc_keypair kp;
  mcc_cert cert;
  if (o->have_cert) { /* claim a real node: its secret is not ours */
    cert = o->cert;
    kp.pub = cert.subject;
    randombytes_buf(kp.sec, 32);
    memcpy(kp.sec + 32, kp.pub.key, 32);
  } else {
    fresh_keypair(&kp);
    make_cert(&cert, &kp, o->have_issuer ? &o->issuer : NULL);
  }
  uint8_t out[WIRE_INIT_LEN], payload[WIRE_INIT_PAYLOAD_LEN], e_sec[32];
  out[0] = wire_header(WIRE_SESSION_INIT);
  out[1] = 64; /* TTL */
  memcpy(out + 2, o->dst.key, 32);
  memcpy(out + 34, kp.pub.key, 32);
  mcc_cert_encode(&cert, out + WIRE_INIT_CERT_OFF);
  uint8_t prologue[sizeof session_context - 1 + MCC_CERT_LEN];
  memcpy(prologue, session_context, sizeof session_context - 1);
  memcpy(prologue + sizeof session_context - 1, out + WIRE_INIT_CERT_OFF,
         MCC_CERT_LEN);
  noise_state st;
  noise_init(&st, &kp.pub, &o->dst, prologue, sizeof prologue);
  put_be64(payload, unix_ms());
  uint32_t index;
  do randombytes_buf(&index, sizeof index);
  while (index == 0);
  put_be32(payload + 8, index);
  randombytes_buf(e_sec, sizeof e_sec);
  int rv = noise_write_msg1(&st, e_sec, &kp, &o->dst, payload, sizeof payload,
                            out + WIRE_INIT_E_OFF);
  if (rv != 0)
    die("noise_write_msg1: %s (is --dst a node id?)", mcc_strerror(rv));
  sodium_memzero(&st, sizeof st);
  sodium_memzero(&kp, sizeof kp);
  return (datagram){.len = sizeof out, .data = copy_of(out, sizeof out)};
}

/* ---- replay input ----------------------------------------------------------
 */

typedef struct dgram_list {
  datagram *items;
  size_t len, cap;
} dgram_list;

static void list_add(dgram_list *l, const uint8_t *data, size_t len) {
  if (len == 0 || len > 65507) return;
  if (l->len == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->items = realloc(l->items, l->cap * sizeof *l->items);
    if (!l->items) die("out of memory");
  }
  l->items[l->len++] =
      (datagram){.len = (uint16_t)len, .data = copy_of(data, len)};
}

/* The UDP payload of an IPv4 or IPv6 packet, when port matches. */
static void take_udp(dgram_list *l, const uint8_t *p, size_t n, int port) {
  size_t off;
  if (n >= 20 && (p[0] >> 4) == 4) {
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    if (ihl < 20 || n < ihl + 8 || p[9] != 17) return;
    if ((get_be16(p + 6) & 0x3fff) != 0) return; /* a fragment */
    off = ihl;
  } else if (n >= 48 && (p[0] >> 4) == 6) {
    if (p[6] != 17) return;
    off = 40;
  } else {
    return;
  }
  uint16_t sport = get_be16(p + off), dport = get_be16(p + off + 2);
  uint16_t ulen = get_be16(p + off + 4);
  if (port && sport != port && dport != port) return;
  if (ulen < 8 || off + ulen > n) return;
  list_add(l, p + off + 8, ulen - 8u);
}

static int load_pcap(dgram_list *l, const char *file, int port) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(file, err);
  if (!pc) return -1;
  int dlt = pcap_datalink(pc);
  struct pcap_pkthdr *h;
  const u_char *pkt;
  int rv;
  while ((rv = pcap_next_ex(pc, &h, &pkt)) == 1) {
    const uint8_t *p = pkt;
    size_t n = h->caplen;
    size_t skip = 0;
    uint16_t ethertype = 0;
    switch (dlt) {
    case DLT_RAW:
#ifdef DLT_IPV4
    case DLT_IPV4:
    case DLT_IPV6:
#endif
      break;
    case DLT_EN10MB:
      skip = 14;
      if (n >= 14) ethertype = get_be16(p + 12);
      while ((ethertype == 0x8100 || ethertype == 0x88a8) && n >= skip + 4) {
        ethertype = get_be16(p + skip + 2);
        skip += 4;
      }
      break;
    case DLT_LINUX_SLL:
      skip = 16;
      break;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
      skip = 20;
      break;
#endif
    case DLT_NULL:
    case DLT_LOOP:
      skip = 4;
      break;
    default:
      die("--from %s: link type %s is not supported (raw IP, Ethernet, Linux "
          "cooked, loopback are)",
          file, pcap_datalink_val_to_name(dlt));
    }
    if (n > skip) take_udp(l, p + skip, n - skip, port);
  }
  if (rv == -1) die("--from %s: %s", file, pcap_geterr(pc));
  pcap_close(pc);
  return 0;
}

static void load_hex(dgram_list *l, const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) die("--from %s: %s", file, strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  unsigned lineno = 0;
  uint8_t *buf = malloc(65536);
  if (!buf) die("out of memory");
  while ((got = getline(&line, &cap, f)) >= 0) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    size_t n = 0;
    int half = -1;
    for (char *c = line; *c; c++) {
      int v;
      if (*c >= '0' && *c <= '9')
        v = *c - '0';
      else if (*c >= 'a' && *c <= 'f')
        v = *c - 'a' + 10;
      else if (*c >= 'A' && *c <= 'F')
        v = *c - 'A' + 10;
      else if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n' || *c == ':')
        continue;
      else
        die("--from %s:%u: '%c' is not a hex digit", file, lineno, *c);
      if (half < 0) {
        half = v;
      } else {
        if (n == 65536) die("--from %s:%u: datagram too long", file, lineno);
        buf[n++] = (uint8_t)(half << 4 | v);
        half = -1;
      }
    }
    if (half >= 0) die("--from %s:%u: odd number of hex digits", file, lineno);
    if (n) list_add(l, buf, n);
  }
  free(buf);
  free(line);
  fclose(f);
}

static void load_replay(dgram_list *l, const options *o) {
  FILE *f = fopen(o->from, "rb");
  if (!f) die("--from %s: %s", o->from, strerror(errno));
  uint8_t magic[4] = {0};
  size_t n = fread(magic, 1, sizeof magic, f);
  fclose(f);
  uint32_t m = n == 4 ? get_be32(magic) : 0;
  int is_pcap = m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d ||
                m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
  if (is_pcap) {
    if (load_pcap(l, o->from, o->replay_port) != 0)
      die("--from %s: not a pcap file libpcap can read", o->from);
  } else {
    load_hex(l, o->from);
  }
  if (l->len == 0)
    die("--from %s: no datagrams in it%s", o->from,
        is_pcap && o->replay_port ? " (try --replay-port 0)" : "");
}

/* The pool: the kinds interleaved, so any stretch of the flood has them in
 * the same shares. */
static datagram *build_pool(const options *o, size_t *plen) {
  dgram_list replay = {0};
  int has_replay = 0;
  for (int i = 0; i < o->nkinds; i++)
    if (o->kinds[i] == KIND_REPLAY) has_replay = 1;
  if (has_replay) load_replay(&replay, o);
  size_t per = o->pool;
  if (o->nkinds == 1 && has_replay) per = replay.len;
  size_t total = per * (size_t)o->nkinds;
  datagram *pool = calloc(total, sizeof *pool);
  if (!pool) die("out of memory");
  double t0 = now_s();
  for (size_t j = 0; j < per; j++) {
    for (int i = 0; i < o->nkinds; i++) {
      datagram d;
      switch (o->kinds[i]) {
      case KIND_HELLO:
        d = build_hello(o, NULL);
        break;
      case KIND_HELLO_FORGED:
        d = build_hello(o, &o->issuer);
        break;
      case KIND_INIT:
        d = build_init(o);
        break;
      default: {
        const datagram *r = &replay.items[j % replay.len];
        d = (datagram){.len = r->len, .data = copy_of(r->data, r->len)};
      }
      }
      d.kind = (uint8_t)i;
      pool[j * (size_t)o->nkinds + (size_t)i] = d;
    }
    if (stop_requested) exit(130);
  }
  for (size_t j = 0; j < replay.len; j++) free(replay.items[j].data);
  free(replay.items);
  if (!o->quiet)
    fprintf(stderr, "mcc-flood: pool of %zu datagrams built in %.2f s\n", total,
            now_s() - t0);
  *plen = total;
  return pool;
}

/* ---- sending ------------------------------------------------------------- */

typedef struct sender {
  int fd;
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH][2];
  uint8_t hdr[MAX_BATCH][IP_UDP_HEADER_LEN]; /* --spoof: IPv4 + UDP */
  struct sockaddr_in raw_to;
} sender;

static void sender_open(sender *s, const options *o) {
  memset(s, 0, sizeof *s);
  if (o->spoof) {
    s->fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* implies IP_HDRINCL */
    if (s->fd < 0)
      die("--spoof: raw socket: %s (needs root or CAP_NET_RAW)",
          strerror(errno));
    int one = 1;
    setsockopt(s->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
    s->raw_to = *(struct sockaddr_in *)&o->target;
    s->raw_to.sin_port = 0;
  } else {
    s->fd = socket(o->target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0) die("socket: %s", strerror(errno));
  }
  int size = 4 << 20;
  if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

/* IPv4 and UDP headers from a random address of the range; the kernel
 * fills the IP checksum (and the id, left 0); the UDP checksum is left 0,
 * "none", which IPv4 allows. */
static void spoof_header(uint8_t h[IP_UDP_HEADER_LEN], const options *o,
                         size_t payloadlen) {
  const struct sockaddr_in *to = (const struct sockaddr_in *)&o->target;
  uint64_t r = rng_next();
  uint32_t src = o->spoof_net | ((uint32_t)r & ~o->spoof_mask);
  uint16_t sport = (uint16_t)(1024 + (r >> 32) % 64512);
  memset(h, 0, IP_UDP_HEADER_LEN);
  h[0] = 0x45;
  put_be16(h + 2, (uint16_t)(IP_UDP_HEADER_LEN + payloadlen));
  h[8] = 64;
  h[9] = IPPROTO_UDP;
  put_be32(h + 12, src);
  memcpy(h + 16, &to->sin_addr, 4);
  put_be16(h + 20, sport);
  memcpy(h + 22, &to->sin_port, 2);
  put_be16(h + 24, (uint16_t)(8 + payloadlen));
}

/* Sends n datagrams of the pool from *pnext; returns how many the kernel
 * took, and the first error (errno) in *perr when it took fewer. */
static int send_batch(sender *s, const options *o, const datagram *pool,
                      size_t poollen, size_t *pnext, unsigned n,
                      uint64_t *per_kind, uint64_t *pbytes, int *perr) {
  size_t next = *pnext;
  for (unsigned i = 0; i < n; i++) {
    const datagram *d = &pool[next];
    struct msghdr *m = &s->msgs[i].msg_hdr;
    memset(m, 0, sizeof *m);
    if (o->spoof) {
      spoof_header(s->hdr[i], o, d->len);
      s->iov[i][0] = (struct iovec){s->hdr[i], IP_UDP_HEADER_LEN};
      s->iov[i][1] = (struct iovec){d->data, d->len};
      m->msg_iovlen = 2;
      m->msg_name = &s->raw_to;
      m->msg_namelen = sizeof s->raw_to;
    } else {
      s->iov[i][0] = (struct iovec){d->data, d->len};
      m->msg_iovlen = 1;
      m->msg_name = (void *)&o->target;
      m->msg_namelen = o->target_len;
    }
    m->msg_iov = s->iov[i];
    if (++next == poollen) next = 0;
  }
  unsigned done = 0;
  while (done < n) {
    int rv = sendmmsg(s->fd, s->msgs + done, n - done, 0);
    if (rv < 0) {
      if (errno == EINTR && !stop_requested) continue;
      *perr = errno;
      break;
    }
    if (rv == 0) break;
    done += (unsigned)rv;
  }
  for (unsigned i = 0; i < done; i++) {
    const datagram *d = &pool[(*pnext + i) % poollen];
    per_kind[d->kind]++;
    *pbytes += d->len;
  }
  /* what was not taken is skipped, not retried: the schedule moves on */
  *pnext = (*pnext + n) % poollen;
  return (int)done;
}

static void sleep_until(double t) {
  double d = t - now_s();
  if (d <= 0) return;
  struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
  }
}

int main(int argc, char **argv) {
  options o;
  if (sodium_init() < 0) die("sodium_init failed");
  parse_args(&o, argc, argv);
  randombytes_buf(&rng_state, sizeof rng_state);
  rng_state |= 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  size_t poollen;
  datagram *pool = build_pool(&o, &poollen);
  sender *s = malloc(sizeof *s);
  if (!s) die("out of memory");
  sender_open(s, &o);

  uint64_t sent = 0, attempted = 0, bytes = 0, errors = 0, skipped = 0;
  uint64_t per_kind[MAX_KINDS] = {0};
  int first_err = 0;
  size_t next = 0;
  double user0, sys0, user1, sys1;
  cpu_s(&user0, &sys0);
  double start = now_s(), end = start, last_report = start;
  uint64_t last_sent = 0;
  /* batches of about a millisecond's worth: a low rate stays smooth */
  unsigned batch = o.batch;
  if (o.rate > 0 && o.rate / 1000 < batch)
    batch = o.rate < 1000 ? 1 : (unsigned)(o.rate / 1000);
  while (!stop_requested) {
    double t = now_s() - start;
    if (t >= o.duration || (o.count && attempted >= o.count)) break;
    unsigned n = batch;
    if (o.rate > 0) {
      /* the schedule: floor(t * rate) datagrams by t, less what was let go */
      uint64_t due = (uint64_t)(t * o.rate) - skipped;
      uint64_t debt_max = (uint64_t)(o.rate * MAX_DEBT_S) + batch;
      if (due > attempted + debt_max) {
        skipped += due - attempted - debt_max;
        due = attempted + debt_max;
      }
      if (due < attempted + batch) {
        /* wait for a whole batch; a part batch only when the end is near */
        double at = start + (double)(attempted + batch + skipped) / o.rate;
        double end_at = start + o.duration;
        if (at < end_at || due <= attempted) {
          sleep_until(at < end_at ? at : end_at);
          continue;
        }
        n = (unsigned)(due - attempted);
      }
    }
    if (o.count && attempted + n > o.count) n = (unsigned)(o.count - attempted);
    int err = 0;
    int done =
        send_batch(s, &o, pool, poollen, &next, n, per_kind, &bytes, &err);
    attempted += n;
    sent += (uint64_t)done;
    if ((unsigned)done < n) {
      errors += n - (unsigned)done;
      if (!first_err) first_err = err;
    }
    end = now_s();
    if (!o.quiet && end - last_report >= 5) {
      fprintf(stderr, "mcc-flood: %.0f s: %.0f datagrams/s\n", end - start,
              (double)(sent - last_sent) / (end - last_report));
      last_report = end;
      last_sent = sent;
    }
  }
  end = now_s();
  cpu_s(&user1, &sys1);
  double elapsed = end - start;
  double cpu_pct =
      elapsed > 0 ? (user1 - user0 + sys1 - sys0) / elapsed * 100 : 0;
  double sys_pct = elapsed > 0 ? (sys1 - sys0) / elapsed * 100 : 0;
  double rate = elapsed > 0 ? (double)sent / elapsed : 0;
  /* IP-level bytes: payload + UDP 8 + IP 20 (40 for IPv6) */
  double ip_hdr = o.target.ss_family == AF_INET6 ? 48 : 28;
  double mbit =
      elapsed > 0 ? ((double)bytes + ip_hdr * (double)sent) * 8 / elapsed / 1e6
                  : 0;
  char kinds[128] = "";
  for (int i = 0; i < o.nkinds; i++) {
    strcat(kinds, i ? "," : "");
    strcat(kinds, kind_names[o.kinds[i]]);
  }
  if (o.json) {
    printf("{\"target\": \"%s\", \"kinds\": \"%s\", \"spoof\": %s%s%s, "
           "\"requested_rate\": %.0f, \"duration_s\": %.3f, "
           "\"sent\": %llu, \"achieved_rate\": %.0f, \"wire_mbit_s\": %.1f, "
           "\"send_errors\": %llu, \"first_error\": \"%s\", "
           "\"schedule_missed\": %llu, \"pool\": %zu, \"batch\": %u, "
           "\"cpu_percent\": %.1f, \"cpu_system_percent\": %.1f, "
           "\"sent_per_kind\": {",
           o.target_text, kinds, o.spoof ? "\"" : "",
           o.spoof ? o.spoof_text : "null", o.spoof ? "\"" : "", o.rate,
           elapsed, (unsigned long long)sent, rate, mbit,
           (unsigned long long)errors, first_err ? strerror(first_err) : "",
           (unsigned long long)skipped, poollen, batch, cpu_pct, sys_pct);
    for (int i = 0; i < o.nkinds; i++)
      printf("%s\"%s\": %llu", i ? ", " : "", kind_names[o.kinds[i]],
             (unsigned long long)per_kind[i]);
    printf("}}\n");
  } else {
    printf("mcc-flood: %s to %s%s%s: sent %llu datagrams in %.2f s: "
           "%.0f datagrams/s (requested %.0f), %.1f Mbit/s at IP level; "
           "CPU %.0f %% of a core",
           kinds, o.target_text, o.spoof ? " from " : "",
           o.spoof ? o.spoof_text : "", (unsigned long long)sent, elapsed, rate,
           o.rate, mbit, cpu_pct);
    if (errors)
      printf("; %llu not sent (%s)", (unsigned long long)errors,
             strerror(first_err));
    if (skipped)
      printf("; %llu behind schedule, let go", (unsigned long long)skipped);
    printf("\n");
  }
  for (size_t j = 0; j < poollen; j++) free(pool[j].data);
  free(pool);
  close(s->fd);
  free(s);
  return 0;
}
