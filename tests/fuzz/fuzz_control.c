/*
 * fuzz_control.c — mccd's control-request decoder (ctl_handle) on a live
 * chain of three core nodes from the unit tests' in-memory network: any
 * bytes a local client may send. Every answer must be "ok\n..." or
 * "error ...\n", and the node must still list itself first.
 */
#include "../unit/harness.c"

#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) __builtin_trap();                                             \
  } while (0)

static harness *h;

static void build(void) {
  h = harness_new(3, 7, NULL);
  size_t p0 = 0, p1 = 1;
  harness_set_parents(h, 1, &p0, 1);
  harness_set_parents(h, 2, &p1, 1);
  harness_start(h);
  harness_run_for(h, 5 * HARNESS_S);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!h) build();
  ctl_context ctx = {.node = harness_node(h, size % 3),
                     .parents_configured = size % 3 != 0,
                     .now = harness_now(h),
                     .unix_ms_at_zero = 0};
  strbuf answer;
  strbuf_init(&answer);
  ctl_handle(&ctx, (const char *)data, size, &answer);
  CHECK(!answer.failed && answer.len >= 3);
  CHECK(memcmp(answer.data, "ok\n", 3) == 0 ||
        (answer.len > 6 && memcmp(answer.data, "error ", 6) == 0));
  CHECK(answer.data[answer.len - 1] == '\n');
  strbuf_clear(&answer);
  mcc_node_info self;
  CHECK(mcc_node_known_get(harness_node(h, 0), 0, &self) == 0 &&
        self.is_self);
  return 0;
}
