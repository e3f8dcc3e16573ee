/*
 * bench_nss.c — mcc-bench-nss LIB NAME [COUNT]: how long the NSS module
 * (libnss_mcc.so.2 at LIB) takes to resolve NAME in-process, each call a
 * full exchange with mccd (connect, SO_PEERCRED, request, answer):
 * _nss_mcc_gethostbyname2_r(NAME, AF_INET) COUNT times (1,000 by default)
 * after one warm-up call (which may wait for a network lookup). Prints
 * "nss_gethostbyname2_r count N median_us X p90_us Y max_us Z addr A";
 * exit 1 when a call fails.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum nss_status byname2_fn(const char *, int, struct hostent *, char *,
                                   size_t, int *, int *);

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: mcc-bench-nss LIB NAME [COUNT]\n");
    return 2;
  }
  long count = argc == 4 ? strtol(argv[3], NULL, 10) : 1000;
  if (count < 1 || count > 1000000) {
    fprintf(stderr, "mcc-bench-nss: COUNT %s: expected 1-1000000\n", argv[3]);
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "mcc-bench-nss: %s\n", dlerror());
    return 1;
  }
  byname2_fn *fn = (byname2_fn *)dlsym(lib, "_nss_mcc_gethostbyname2_r");
  if (!fn) {
    fprintf(stderr, "mcc-bench-nss: %s\n", dlerror());
    return 1;
  }
  double *t = malloc((size_t)count * sizeof *t);
  if (!t) return 1;
  struct hostent h;
  char buf[1024], addr[INET_ADDRSTRLEN] = "-";
  int err, herr, rv = 0;
  for (long i = -1; i < count; i++) {
    double t0 = now_us();
    enum nss_status s = fn(argv[2], AF_INET, &h, buf, sizeof buf, &err, &herr);
    double t1 = now_us();
    if (s != NSS_STATUS_SUCCESS) {
      fprintf(stderr, "mcc-bench-nss: %s: status %d (%s)\n", argv[2], (int)s,
              strerror(err));
      rv = 1;
      break;
    }
    if (i >= 0) t[i] = t1 - t0;
  }
  if (rv == 0) {
    inet_ntop(AF_INET, h.h_addr_list[0], addr, sizeof addr);
    qsort(t, (size_t)count, sizeof *t, cmp);
    printf(
        "nss_gethostbyname2_r count %ld median_us %.1f p90_us %.1f max_us "
        "%.1f addr %s\n",
        count, t[count / 2], t[count * 9 / 10], t[count - 1], addr);
  }
  free(t);
  dlclose(lib);
  return rv;
}
