/*
 * store_memory.h — the bytes of the record bodies the virtual nodes hold
 * (mcc_record_store), counted so that the figure does not depend on how
 * the nodes are split over threads: each partition of the engine has a
 * store of its own (a store is used by one thread at a time), a record
 * held in two partitions has a body in each, and a store's own figure
 * includes array capacities that depend on the order of inserts and
 * releases. Here each distinct body counts once, at its allocation's size
 * plus SIM_STORE_INDEX_BYTES of index (a handle and a hash chain slot).
 */
#ifndef MCC_SIM_STORE_MEMORY_H
#define MCC_SIM_STORE_MEMORY_H

#include <stddef.h>

#include <mcc/mcc.h>

#define SIM_STORE_INDEX_BYTES 12

/* 0 when nothing is held or memory runs out for the count. */
size_t sim_store_memory(mcc_record_store *const *stores, size_t nstores);

#endif
