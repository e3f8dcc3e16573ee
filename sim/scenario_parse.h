/*
 * scenario_parse.h — the scenario parser's insides, shared by its three
 * files: scenario_lex.c (string storage, a string map, messages, the
 * tokenizer and value parsers), scenario_directives.c (one function per
 * directive) and scenario.c (whole-file checks and the public calls of
 * scenario.h). Not for use outside the parser.
 */
#ifndef MCC_SIM_SCENARIO_PARSE_H
#define MCC_SIM_SCENARIO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/conf.h>
#include <mcc/mcc.h>

#include "scenario.h"

#define SHOW_MAX 60 /* bytes of found text quoted in a message */
#define TIME_EXAMPLE "a time such as 30s, 10m or 2h"
#define NODE_EXPECTED \
  "a node name (letters, digits, '_', '.', '-') such as n3"

/* Every string of a scenario lives in a list of chunks freed together, so
 * an error half-way through a line leaves nothing to unwind. */
struct sim_scenario_chunk {
  struct sim_scenario_chunk *next;
  size_t used, cap;
  char data[];
};

/* A string -> slot map for the checks. */
typedef struct slot {
  const char *key; /* NULL: empty */
  size_t index;
  unsigned line;
  int state;
} slot;

typedef struct strmap {
  slot *slots;
  size_t cap, n; /* cap a power of 2 */
} strmap;

typedef struct parser {
  sim_scenario *s;
  const char *path; /* for messages */
  unsigned line;
  char *err;
  size_t errlen;

  char *buf; /* the current line's tokens, NUL-separated */
  size_t buflen, bufcap;
  size_t *starts;
  char **tok;
  size_t ntok, startcap, tokcap;

  char *join; /* scratch for joined tokens */
  size_t joincap;
  char shown[3][SHOW_MAX * 4 + 8];
  unsigned nshown;

  mcc_conf *conf; /* created at the first `set`, to check values */
  strmap nodes;   /* name -> index in s->nodes */
  strmap tunnels; /* name -> index in s->tunnels */
  struct sim_scenario_chunk *scratch;

  unsigned name_line, topo_line, seed_line, duration_line, idle_line,
      tunnels_line, names_line, backend_line;
  unsigned link_line[6]; /* delay, rate, loss, mtu, queue, model */
} parser;

/* scenario_lex.c */
char *scn_chunk_alloc(struct sim_scenario_chunk **head, size_t n);
void scn_chunks_free(struct sim_scenario_chunk *c);
/* Makes room for need elements of size elem in *parr (capacity *pcap). */
int scn_grow(void *parr, size_t *pcap, size_t need, size_t elem);
slot *scn_strmap_get(strmap *m, const char *key, int *pnew);
void scn_strmap_free(strmap *m);
/* "path:line: " and the message, for the current line p->line; returns
 * code. */
int scn_fail(parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int scn_nomem(parser *p);
/* text fit for quoting in a message (escaped, cut, three rotating
 * buffers). */
const char *scn_show(parser *p, const char *text);
/* Tokens from..to-1 joined by spaces (scratch storage). */
const char *scn_join(parser *p, size_t from, size_t to);
const char *scn_got_line(parser *p);
char *scn_sdup(parser *p, const char *text);
const char *scn_fmt_time(char *out, size_t outlen, uint64_t ns);
int scn_tokenize(parser *p, const char *b, const char *e);
int scn_parse_uint(const char *t, uint64_t min, uint64_t max, uint64_t *pv);
int scn_parse_number(const char *t, double *pv);
int scn_valid_node(const char *t);
int scn_valid_metric(const char *t);
int scn_node_arg(parser *p, const char *what, size_t i, char **pname);
int scn_time_arg(parser *p, const char *what, const char *t, uint64_t *pns);
int scn_params(parser *p, const char *what, size_t from,
               const char *const *names, const char **values,
               const char *example);
int scn_once(parser *p, const char *what, unsigned *pline);

/* scenario_directives.c: one line of the file; the expect operators'
 * spellings, by sim_expect_op. */
int scn_parse_line(parser *p, const char *b, const char *e);
extern const char *const scn_op_names[6];

#endif
