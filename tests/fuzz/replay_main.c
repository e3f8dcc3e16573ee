/*
 * replay_main.c — a main() for libFuzzer harnesses built without libFuzzer:
 * feeds every file of the given directories (or the files given) to
 * LLVMFuzzerTestOneInput once. make test replays the kept corpus this way.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *nbuf = realloc(buf, cap);
      if (!nbuf) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = nbuf;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0) break;
    len += n;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  unsigned ok = 0, bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      bad++;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      replay_file(argv[i]) == 0 ? ok++ : bad++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      replay_file(path) == 0 ? ok++ : bad++;
    }
    if (d) closedir(d);
  }
  /* A crash never gets here: ASan aborts with its report. */
  printf("%u passed, %u failed\n", ok, bad);
  return bad ? 1 : 0;
}
