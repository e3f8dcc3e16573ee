/*
 * replay.c — the replay window. Check before decrypting is pointless (the
 * counter is not yet authenticated), so callers check, open, then accept.
 */
#include "replay.h"

void replay_init(replay_window *w) {
  w->seen = 0;
  w->top = 0;
  w->any = 0;
}

int replay_check(const replay_window *w, uint32_t counter) {
  if (!w->any || counter > w->top) return 1;
  uint32_t age = w->top - counter;
  if (age >= REPLAY_WINDOW_BITS) return 0;
  return !((w->seen >> age) & 1);
}

void replay_accept(replay_window *w, uint32_t counter) {
  if (!w->any) {
    w->any = 1;
    w->top = counter;
    w->seen = 1;
    return;
  }
  if (counter > w->top) {
    uint32_t shift = counter - w->top;
    w->seen = shift >= REPLAY_WINDOW_BITS ? 0 : w->seen << shift;
    w->seen |= 1;
    w->top = counter;
    return;
  }
  uint32_t age = w->top - counter;
  if (age < REPLAY_WINDOW_BITS) w->seen |= (uint64_t)1 << age;
}
