/*
 * fuzz_conf.c — libFuzzer harness for the mcc.conf parser: arbitrary bytes
 * as a configuration file, then every getter on every key, the settings the
 * core takes, and one invariant: each stored value, set again from its own
 * text, is accepted and reads back the same (what the parser keeps, it can
 * read). mcc_addr_parse gets the input's first line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mcc/conf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard(void *user_data, int is_error, const char *msg) {
  (void)user_data;
  (void)is_error;
  (void)msg;
}

static void exercise_key(const mcc_conf *conf, mcc_conf *copy,
                         const mcc_conf_key *k) {
  uint64_t u;
  int b;
  size_t idx;
  char item[128], err[256];
  const char *v = mcc_conf_get(conf, k->name);
  if (!v) __builtin_trap();
  mcc_conf_get_duration_ms(conf, k->name, &u);
  mcc_conf_get_bool(conf, k->name, &b);
  mcc_conf_get_uint(conf, k->name, &u);
  mcc_conf_get_enum(conf, k->name, &idx);
  size_t n = mcc_conf_list_len(conf, k->name);
  for (size_t i = 0; i <= n; i++)
    mcc_conf_list_get(conf, k->name, i, item, sizeof item);
  int rv = mcc_conf_set(copy, k->name, v, err, sizeof err);
  if (rv == MCC_ERR_NOMEM) return;
  if (rv != 0 || strcmp(mcc_conf_get(copy, k->name), v) != 0)
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mcc_conf *conf = NULL, *copy = NULL;
  if (mcc_conf_new(&conf) != 0) return 0;
  if (mcc_conf_new(&copy) != 0) {
    mcc_conf_free(conf);
    return 0;
  }
  mcc_conf_parse(conf, "fuzz.conf", (const char *)data, size, discard, NULL);
  for (size_t i = 0; i < mcc_conf_key_count(); i++)
    exercise_key(conf, copy, mcc_conf_key_at(i));

  mcc_settings settings;
  char err[256];
  mcc_settings_default(&settings);
  mcc_conf_apply_settings(conf, &settings, err, sizeof err);

  char line[128];
  size_t n = 0;
  while (n < size && n + 1 < sizeof line && data[n] != '\n') {
    line[n] = (char)data[n];
    n++;
  }
  line[n] = '\0';
  mcc_addr addr;
  mcc_addr_parse(&addr, line, 9376);

  mcc_conf_free(copy);
  mcc_conf_free(conf);
  return 0;
}
