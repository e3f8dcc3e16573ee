/*
 * failalloc.c — a test's LD_PRELOAD library that makes one allocation of
 * a process fail: the FAILALLOC_NTH-th call (1-based) to malloc, calloc
 * or realloc returns NULL, every other one is served as usual. With it
 * tests/sim/oom walks the failure through mcc-sim's allocations, one run
 * per N, and checks that each run ends (never hangs, never crashes) with
 * either its results or a clear "out of memory" — in one process and on
 * one MPI rank of several. Not linked into anything we ship.
 *
 * Only mcc-sim's own calls count (and fail): those made from the main
 * program's code, which is where the simulator and its protocol core
 * are linked. Libraries are not ours to test (OpenMPI crashes on a
 * failed allocation of its own). Under mpirun, counting starts when
 * MPI_Init (interposed here) returns.
 *
 * dlsym itself may allocate before the real functions are known; those
 * few early blocks come from a static arena, and free ignores them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

static _Alignas(16) unsigned char arena[8192];
static size_t arena_used;
static _Atomic unsigned long calls;
static int counting = 1; /* 0 while a process started by mpirun starts MPI */
static unsigned long nth; /* 0: never fail */
static int resolving;

static uintptr_t main_lo, main_hi; /* the main program's loaded code */

/* From the kernel's auxiliary vector: no lock, no allocation, so safe
 * inside malloc. */
static void find_main_program(void) {
  const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
  size_t n = getauxval(AT_PHNUM);
  uintptr_t bias = 0;
  for (size_t i = 0; ph && i < n; i++)
    if (ph[i].p_type == PT_PHDR) bias = (uintptr_t)ph - ph[i].p_vaddr;
  for (size_t i = 0; ph && i < n; i++)
    if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
      main_lo = bias + ph[i].p_vaddr;
      main_hi = main_lo + ph[i].p_memsz;
    }
}

static int in_arena(const void *p) {
  return (const unsigned char *)p >= arena &&
         (const unsigned char *)p < arena + sizeof arena;
}

static void *from_arena(size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (arena_used + n > sizeof arena) return NULL;
  void *p = arena + arena_used;
  arena_used += n;
  return p;
}

static void resolve(void) {
  if (real_malloc || resolving) return;
  resolving = 1;
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_free = dlsym(RTLD_NEXT, "free");
  const char *s = getenv("FAILALLOC_NTH");
  nth = s ? strtoul(s, NULL, 10) : 0;
  if (getenv("OMPI_COMM_WORLD_SIZE")) counting = 0;
  find_main_program();
  resolving = 0;
}

/* Whether this call is the one to fail; it says so on stderr. */
static int fail_now(size_t size, const void *caller) {
  uintptr_t at = (uintptr_t)caller;
  if (!counting || at < main_lo || at >= main_hi) return 0;
  unsigned long k = atomic_fetch_add(&calls, 1) + 1;
  if (!nth || k != nth) return 0;
  char msg[96];
  int len = snprintf(msg, sizeof msg, "failalloc: allocation %lu (%zu bytes) fails\n",
                     k, size);
  if (len > 0 && write(2, msg, (size_t)len) < 0) return 1;
  const char *trace = getenv("FAILALLOC_TRACE"); /* FILE: the call stack */
  int fd = trace ? open(trace, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
  if (fd >= 0) {
    void *frames[24];
    backtrace_symbols_fd(frames, backtrace(frames, 24), fd);
    close(fd);
  }
  return 1;
}

void *malloc(size_t n) {
  resolve();
  if (!real_malloc) return from_arena(n);
  return fail_now(n, __builtin_return_address(0)) ? NULL : real_malloc(n);
}

void *calloc(size_t n, size_t size) {
  resolve();
  if (!real_calloc) { /* the arena is zero: static, never reused */
    if (size && n > SIZE_MAX / size) return NULL;
    return from_arena(n * size);
  }
  return fail_now(n * size, __builtin_return_address(0)) ? NULL : real_calloc(n, size);
}

void *realloc(void *p, size_t n) {
  resolve();
  if (in_arena(p) || !real_realloc) { /* p: an arena block, or none */
    void *q = real_malloc ? real_malloc(n) : from_arena(n);
    size_t room = in_arena(p) ? (size_t)(arena + sizeof arena - (unsigned char *)p) : 0;
    if (q && room) memcpy(q, p, n < room ? n : room);
    return q;
  }
  return fail_now(n, __builtin_return_address(0)) ? NULL : real_realloc(p, n);
}

int MPI_Init(int *argc, char ***argv) {
  int (*real_init)(int *, char ***) = (int (*)(int *, char ***))dlsym(RTLD_NEXT, "MPI_Init");
  int rv = real_init ? real_init(argc, argv) : -1;
  counting = 1;
  return rv;
}

/* FAILALLOC_COUNT=FILE: how many calls there were, written there at exit
 * (to choose N; a file, since mcc-sim's ranks other than 0 have no
 * stderr). */
__attribute__((destructor)) static void report(void) {
  const char *path = getenv("FAILALLOC_COUNT");
  FILE *f = path ? fopen(path, "w") : NULL;
  if (!f) return;
  fprintf(f, "%lu\n", (unsigned long)atomic_load(&calls));
  fclose(f);
}

void free(void *p) {
  resolve();
  if (!p || in_arena(p)) return;
  if (real_free) real_free(p);
}
