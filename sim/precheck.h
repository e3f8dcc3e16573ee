/*
 * precheck.h — a helper thread that verifies, ahead of time, the signatures
 * virtual nodes make (mcc_callbacks.signed_message) and their certificates,
 * into the verification cache every node shares, so that the receivers'
 * own checks become cache hits. It only ever adds entries for signatures it
 * verified, so a run gives the same bytes with or without it; only the
 * wall time changes.
 */
#ifndef SIM_PRECHECK_H
#define SIM_PRECHECK_H

#include <stddef.h>
#include <stdint.h>

#include <mcc/mcc.h>

typedef struct sim_precheck sim_precheck;

int sim_precheck_start(sim_precheck **pp, mcc_verify_cache *cache);
/* Queues a copy of (pk, msg, sig), and of cert when not NULL. A full queue
 * drops the job: the receiver verifies itself. */
void sim_precheck_submit(sim_precheck *p, const uint8_t pk[32],
                         const uint8_t *msg, size_t msglen,
                         const uint8_t sig[64], const mcc_cert *cert);
/* Stops the thread and drops what is still queued. NULL is fine. */
void sim_precheck_stop(sim_precheck *p);

#endif
