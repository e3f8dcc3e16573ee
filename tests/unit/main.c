/*
 * main.c — runs every CUnit suite listed in suites.h and ends with the line
 * "N passed, N failed" that tools/run-tests adds up. An optional argument
 * runs only the suite of that name.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  if (CU_initialize_registry() != CUE_SUCCESS) {
    fprintf(stderr, "mcc-unit: cannot initialise CUnit\n");
    return 2;
  }
#define MCC_ADD_SUITE(name) \
  if (!only || strcmp(only, #name) == 0) suite_##name();
  MCC_TEST_SUITES(MCC_ADD_SUITE)
  CU_basic_set_mode(CU_BRM_NORMAL);
  CU_basic_run_tests();
  unsigned run = CU_get_number_of_tests_run();
  unsigned failed = CU_get_number_of_tests_failed();
  unsigned asserts_failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  if (run == 0) {
    fprintf(stderr, "mcc-unit: no test ran%s%s\n", only ? " for suite " : "",
            only ? only : "");
    return 2;
  }
  printf("%u passed, %u failed\n", run - failed, failed);
  return (failed || asserts_failed) ? 1 : 0;
}
