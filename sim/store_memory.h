/*
 * store_memory.h — the bytes of the record bodies the virtual nodes hold
 * (mcc_record_store), counted so that the figure does not depend on how
 * the nodes are split over threads or MPI ranks: each partition of the
 * engine has a store of its own (a store is used by one thread at a
 * time), a record held in two partitions has a body in each, and a
 * store's own figure includes array capacities that depend on the order
 * of inserts and releases. Here each distinct body counts once, at its
 * allocation's size plus SIM_STORE_INDEX_BYTES of index (a handle and a
 * hash chain slot). A body is known by a 128-bit digest of its content
 * and its length, so that ranks can compare bodies without sending them.
 */
#ifndef MCC_SIM_STORE_MEMORY_H
#define MCC_SIM_STORE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

#define SIM_STORE_INDEX_BYTES 12

typedef struct sim_body_sum {
  uint8_t digest[16];
  uint64_t len, bytes; /* content length; allocation size */
} sim_body_sum;

/* Appends a sum of each body of store to *sums (*n of *cap, realloc'd;
 * out of memory is fatal.h's). */
void sim_store_sums(const mcc_record_store *store, sim_body_sum **sums,
                    size_t *n, size_t *cap);
/* The bytes of the distinct bodies among sums[0 .. n - 1] (sorted here). */
size_t sim_store_distinct_bytes(sim_body_sum *sums, size_t n);
/* Both over the stores of one process. */
size_t sim_store_memory(mcc_record_store *const *stores, size_t nstores);

#endif
