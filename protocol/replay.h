/*
 * replay.h — a sliding replay window over 32-bit message counters, as
 * WireGuard's (RFC 6479 shape): accepts each counter at most once and
 * tolerates reordering within REPLAY_WINDOW_BITS.
 */
#ifndef MCC_REPLAY_H
#define MCC_REPLAY_H

#include <stdint.h>

#define REPLAY_WINDOW_BITS 64

typedef struct replay_window {
  uint64_t seen; /* bit i: counter (top - i) was accepted */
  uint32_t top;  /* highest accepted counter */
  uint8_t any;   /* nothing accepted yet */
} replay_window;

void replay_init(replay_window *w);
/* 1 when counter may be accepted now, without recording it. */
int replay_check(const replay_window *w, uint32_t counter);
/* Records counter (call only after the message authenticated). */
void replay_accept(replay_window *w, uint32_t counter);

#endif
