/*
 * machine_speed.c — the timings of machine_speed.h, with libsodium.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "machine_speed.h"
#include "output.h" /* sim_wall_s */

#define ROUNDS 2000

int machine_speed_measure(machine_speed *m) {
  if (sodium_init() < 0) return -1;
  memset(m, 0, sizeof *m);
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(m->at, sizeof m->at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  uint8_t seed[crypto_sign_SEEDBYTES] = {1}, msg[128] = {2};
  uint8_t sig[crypto_sign_BYTES], point[32], scalar[32] = {3}, out[32];
  crypto_sign_seed_keypair(pk, sk, seed);
  crypto_scalarmult_base(point, scalar);
  int bad = 0;
  for (int i = 0; i < ROUNDS / 10; i++) /* warm the caches and the clock */
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
  double t0 = sim_wall_s();
  for (int i = 0; i < ROUNDS; i++) {
    msg[0] = (uint8_t)i; /* a new message each time, as in a run */
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
  }
  double t1 = sim_wall_s();
  for (int i = 0; i < ROUNDS; i++)
    bad |= crypto_sign_verify_detached(sig, msg, sizeof msg, pk);
  double t2 = sim_wall_s();
  for (int i = 0; i < ROUNDS; i++) {
    scalar[0] = (uint8_t)i;
    bad |= crypto_scalarmult(out, scalar, point);
  }
  double t3 = sim_wall_s();
  m->sign_us = (t1 - t0) * 1e6 / ROUNDS;
  m->verify_us = (t2 - t1) * 1e6 / ROUNDS;
  m->x25519_us = (t3 - t2) * 1e6 / ROUNDS;
  return bad ? -1 : 0;
}

void machine_speed_json(FILE *f, const machine_speed *m) {
  fprintf(f,
          "{\"at\": \"%s\", \"ed25519_verify_us\": %.1f, "
          "\"ed25519_sign_us\": %.1f, \"x25519_us\": %.1f}",
          m->at, m->verify_us, m->sign_us, m->x25519_us);
}

void machine_speed_print(FILE *f, const machine_speed *m) {
  fprintf(f, "machine at %s: Ed25519 verify %.1f us, sign %.1f us, X25519 %.1f us\n",
          m->at, m->verify_us, m->sign_us, m->x25519_us);
}
