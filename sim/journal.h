/*
 * journal.h — what a window's events leave for the single-threaded world
 * (issue 15): deliveries, drops and lookup answers for the scenario
 * runner's callbacks, and the packets of the shared captures (network.pcap,
 * inner.pcap). Partitions run in parallel, so each writes its own journal;
 * at the window's end the engine merges them by a key that does not depend
 * on the partitioning — the time, the node, and that node's own sequence
 * number — and replays them in that order. One partition or eight, the
 * callbacks come in the same order and the captures hold the same bytes.
 */
#ifndef MCC_SIM_JOURNAL_H
#define MCC_SIM_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_jrec {
  uint64_t at, seq; /* the key, with node */
  uint32_t node, kind;
  uint32_t a, b; /* the kind's small values */
  int32_t c;
  uint32_t len;
  uint8_t *data; /* the kind's bytes (len), owned by the record */
} sim_jrec;

typedef struct sim_journal {
  sim_jrec *r;
  size_t len, cap;
} sim_journal;

/* Appends rec with a copy of data[0 .. len - 1]. MCC_ERR_NOMEM. */
int sim_journal_add(sim_journal *j, const sim_jrec *rec, const void *data,
                    size_t len);
/* Moves the records of the n journals into *merged (its buffer is reused
 * from call to call), sorted by (at, node, seq), and empties them; the
 * records' data is then the caller's (sim_journal_clear frees it). */
int sim_journal_merge(sim_journal *merged, sim_journal *const *js, size_t n);
/* Frees the records' data and forgets them; the buffer stays. */
void sim_journal_clear(sim_journal *j);
void sim_journal_free(sim_journal *j);

#endif
