/*
 * machine_speed.h — how fast this machine does the cryptography every
 * virtual node runs, timed at the start and at the end of a benchmark.
 * Wall times on this shared machine move by a quarter within the hour;
 * these figures, written next to them, record how fast the machine was
 * then at the work that is about three quarters of a simulation's CPU
 * (libsodium's). They do not see all that slows a run: another tenant's
 * use of the caches or of memory does not show in them.
 */
#ifndef MCC_BENCH_MACHINE_SPEED_H
#define MCC_BENCH_MACHINE_SPEED_H

#include <stdio.h>

typedef struct machine_speed {
  char at[32];      /* UTC, ISO 8601 */
  double verify_us; /* one Ed25519 verification */
  double sign_us;   /* one Ed25519 signature */
  double x25519_us; /* one X25519 with a variable point */
} machine_speed;

/* Times a few thousand of each on the calling thread (about a third of a
 * second). 0, or -1 when libsodium cannot start. */
int machine_speed_measure(machine_speed *m);
/* {"at": ..., "ed25519_verify_us": ..., ...} */
void machine_speed_json(FILE *f, const machine_speed *m);
/* One line: "machine at ...: Ed25519 verify ... us, ..." */
void machine_speed_print(FILE *f, const machine_speed *m);

#endif
