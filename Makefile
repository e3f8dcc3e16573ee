# MCC — the one entry point. `make` builds, `make test` runs every test
# (unit suites plain and under ASan+UBSan, fuzz corpus replay), `make bench`
# writes figures to results/ (as root also from the namespace labs of
# tools/bench-real and tools/flood-lab), `make fuzz` runs each fuzzer for
# FUZZ_SECONDS. Objects and binaries go under build/.

CC       ?= gcc
CLANG    ?= clang
BUILD    := build
PKGS     := libsodium liblz4
DEPS_OK  := $(BUILD)/.deps-ok

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
CPPFLAGS := -Iprotocol/include -Iprotocol -Isim -Inode-real -MMD -MP
CFLAGS   := -std=c11 -D_DEFAULT_SOURCE -O2 -g $(WARN)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsodium -llz4) -lm
SIM_LIBS  = $(shell pkg-config --libs libgvc libcgraph 2>/dev/null || echo -lgvc -lcgraph -lcdt) -lpcap -pthread
CGRAPH_LIBS = $(shell pkg-config --libs libcgraph 2>/dev/null || echo -lcgraph -lcdt)
TEST_LIBS = -lcunit $(SIM_LIBS) $(LDLIBS) -ldl

PROTO_SRC := $(wildcard protocol/*.c)
# engine_ns3.c, the ns-3 backend, goes only into mcc-sim and only with ns-3.
# comm_mpi.c, MPI ranks, goes only into mcc-sim (with MPI when installed).
SIM_SRC   := $(filter-out sim/main.c sim/engine_ns3.c sim/comm_mpi.c sim/alloc_wrap.c,$(wildcard sim/*.c))
REAL_MAINS := node-real/mccd_main.c node-real/mcc_main.c
# The NSS module is a shared library of its own (libc only), not in libmccreal.
NSS_SRC   := node-real/nss_mcc.c
NSS_LIB   := $(BUILD)/lib/libnss_mcc.so.2
REAL_SRC  := $(filter-out $(REAL_MAINS) $(NSS_SRC),$(wildcard node-real/*.c))
UNIT_SRC  := $(wildcard tests/unit/*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

# The ns-3 shim (sim/ns3c, the project's only C++) is built when ns-3 is
# installed (tools/install-deps: libns3-dev). Debian's 3.37 .pc files are
# not usable as they are: --cflags holds a bogus "-I/usr;" and --libs asks
# for libgsl.so (libgsl-dev), so only --exists is asked and the libraries
# are named here; the headers are in /usr/include/ns3.
NS3_MODULES := ns3-core ns3-network ns3-internet ns3-point-to-point ns3-csma ns3-wifi ns3-mobility
NS3      ?= $(shell pkg-config --exists $(NS3_MODULES) 2>/dev/null && echo 1)
NS3_LIBS := -lns3-wifi -lns3-csma -lns3-point-to-point -lns3-internet -lns3-mobility -lns3-propagation -lns3-spectrum -lns3-antenna -lns3-energy -lns3-network -lns3-core
CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Wno-unused-parameter
NS3_BINS := $(if $(NS3),$(BUILD)/bin/ns3c-test)
# With ns-3, mcc-sim gets the ns-3 backend (--backend ns3): engine_ns3.o and
# libns3c, linked by the C++ driver; main.o is told so (MCC_HAVE_NS3).
# A stamp records which way main.o was built, so that installing or
# removing ns-3 rebuilds it.
SIM_NS3_OBJS := $(if $(NS3),$(BUILD)/plain/sim/engine_ns3.o $(BUILD)/lib/libns3c.a)
SIM_LD   := $(if $(NS3),$(CXX) -O2 -g,$(CC) $(CFLAGS))
# ns-3 allocates a few objects per datagram: with jemalloc (libjemalloc-dev,
# tools/install-deps) the ns-3 backend runs 18 % faster; glibc's malloc
# where it is missing. Allocation never shows in the output.
JEMALLOC ?= $(shell pkg-config --exists jemalloc 2>/dev/null && echo 1)
SIM_NS3_LIBS := $(if $(NS3),$(NS3_LIBS) $(if $(JEMALLOC),-ljemalloc))
NS3_STAMP := $(BUILD)/.ns3-$(if $(NS3),yes,no)

# MPI ranks (issue 15): with OpenMPI (tools/install-deps: libopenmpi-dev),
# mcc-sim runs under mpirun, one partition per rank; without it, it says
# so when mpirun starts it. A stamp rebuilds comm_mpi.o when that changes.
MPI      ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1)
MPI_CFLAGS := $(if $(MPI),-DMCC_HAVE_MPI $(shell pkg-config --cflags ompi-c))
MPI_LIBS := $(if $(MPI),$(shell pkg-config --libs ompi-c))
MPI_STAMP := $(BUILD)/.mpi-$(if $(MPI),yes,no)

# variant V (plain or asan): objects under build/V/
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

.PHONY: all test bench fuzz clean deps unit demo regress install mccd-static

REAL_BINS := $(BUILD)/bin/mccd $(BUILD)/bin/mcc

all: $(BUILD)/lib/libmcc.a $(BUILD)/bin/mcc-unit $(BUILD)/bin/mcc-sim $(REAL_BINS) $(BUILD)/bin/mcc-flood $(NSS_LIB) $(BUILD)/bin/mcc-bench-nss $(NS3_BINS)

deps: $(DEPS_OK)
$(DEPS_OK): tools/install-deps
	@tools/install-deps
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/plain/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O1 $(SAN) -c $< -o $@

$(BUILD)/plain/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) -MMD -MP $(CXXFLAGS) -c $< -o $@

$(BUILD)/lib/libns3c.a: $(BUILD)/plain/sim/ns3c/ns3c.o
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# A C program linked by the C++ driver: libns3c needs libstdc++.
$(BUILD)/bin/ns3c-test: $(BUILD)/plain/tests/ns3/test_ns3c.o $(BUILD)/lib/libns3c.a
	@mkdir -p $(dir $@)
	$(CXX) -o $@ $^ $(NS3_LIBS)

$(BUILD)/lib/libmcc.a: $(call objs,plain,$(PROTO_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmcc-asan.a: $(call objs,asan,$(PROTO_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmccsim.a: $(call objs,plain,$(SIM_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmccsim-asan.a: $(call objs,asan,$(SIM_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmccreal.a: $(call objs,plain,$(REAL_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libmccreal-asan.a: $(call objs,asan,$(REAL_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# mccd links only what it runs on (libsodium, liblz4): its RSS is a target.
$(BUILD)/bin/mccd: $(BUILD)/plain/node-real/mccd_main.o $(BUILD)/lib/libmccreal.a $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/mcc: $(BUILD)/plain/node-real/mcc_main.o $(BUILD)/lib/libmccreal.a $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(CGRAPH_LIBS) $(LDLIBS)

# libnss_mcc.so.2 (`hosts: files mcc dns`): position-independent, only the
# _nss_mcc_* entry points exported (NSS_MCC_API), linked against libc alone
# since it is loaded into every process that resolves a name.
$(NSS_LIB): $(NSS_SRC) node-real/nss_mcc.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g $(WARN) -fPIC -fvisibility=hidden -shared \
	  -Wl,-soname,libnss_mcc.so.2 -Wl,--no-undefined -Wl,-z,relro,-z,now \
	  -o $@ $(NSS_SRC)

# Times the module's lookups in-process (e2e test nss prints the median).
$(BUILD)/bin/mcc-bench-nss: $(BUILD)/plain/tests/bench/bench_nss.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -ldl

# The attacker of tools/flood-lab: builds its datagrams with the core's
# encoders (internal headers too), reads pcap files for --kind replay.
$(BUILD)/bin/mcc-flood: $(BUILD)/plain/tools/flood/mcc-flood.o $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lpcap $(LDLIBS)

# The suite real_nss loads the module from here (MCC_NSS_LIB overrides it).
$(BUILD)/plain/tests/unit/test_real_nss.o $(BUILD)/asan/tests/unit/test_real_nss.o: \
  CPPFLAGS += -DMCC_NSS_LIB_PATH='"$(abspath $(NSS_LIB))"'

$(BUILD)/bin/mcc-unit: $(call objs,plain,$(UNIT_SRC)) $(BUILD)/lib/libmccsim.a $(BUILD)/lib/libmccreal.a $(BUILD)/lib/libmcc.a | $(NSS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LIBS)

$(BUILD)/bin/mcc-unit-asan: $(call objs,asan,$(UNIT_SRC)) $(BUILD)/lib/libmccsim-asan.a $(BUILD)/lib/libmccreal-asan.a $(BUILD)/lib/libmcc-asan.a | $(NSS_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(TEST_LIBS)

$(BUILD)/plain/sim/main.o: CPPFLAGS += $(if $(NS3),-DMCC_HAVE_NS3)
$(BUILD)/plain/sim/main.o: $(NS3_STAMP)
$(NS3_STAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/.ns3-yes $(BUILD)/.ns3-no && touch $@

$(BUILD)/plain/sim/comm_mpi.o: CPPFLAGS += $(MPI_CFLAGS)
$(BUILD)/plain/sim/comm_mpi.o: $(MPI_STAMP)
$(MPI_STAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/.mpi-yes $(BUILD)/.mpi-no && touch $@

# Its own allocations and its cores' go through sim/alloc_wrap.c, which
# notes one that fails: out of memory ends a run, it never skews one.
SIM_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
$(BUILD)/bin/mcc-sim: $(BUILD)/plain/sim/main.o $(BUILD)/plain/sim/alloc_wrap.o $(BUILD)/plain/sim/comm_mpi.o $(SIM_NS3_OBJS) $(BUILD)/lib/libmccsim.a $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(SIM_LD) $(SIM_WRAP) -o $@ $^ $(SIM_NS3_LIBS) $(SIM_LIBS) $(MPI_LIBS) $(LDLIBS)

# tests/sim/oom preloads it into mcc-sim to make one allocation fail.
$(BUILD)/lib/failalloc.so: tests/sim/failalloc.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -shared -fPIC -o $@ $< -ldl

# Fuzz harnesses built with a replay main (gcc + sanitizers): make test feeds
# them every kept corpus input, so what a fuzzer once found stays fixed.
$(BUILD)/bin/replay-%: $(BUILD)/asan/tests/fuzz/%.o $(BUILD)/asan/tests/fuzz/replay_main.o $(BUILD)/lib/libmccsim-asan.a $(BUILD)/lib/libmccreal-asan.a $(BUILD)/lib/libmcc-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(SIM_LIBS) $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(PROTO_SRC) $(SIM_SRC) $(REAL_SRC) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -D_DEFAULT_SOURCE -g -O1 -Iprotocol/include -Iprotocol -Isim -Inode-real \
	  -fsanitize=fuzzer,address,undefined -o $@ $^ $(SIM_LIBS) $(LDLIBS)

unit: $(BUILD)/bin/mcc-unit $(BUILD)/bin/mcc-unit-asan

# ns-3 is looked for again once the dependencies are in: on a fresh
# machine this very run installs it (tools/install-deps).
test: $(BUILD)/bin/mcc-unit $(BUILD)/bin/mcc-unit-asan $(BUILD)/bin/mcc-sim $(BUILD)/lib/failalloc.so $(REAL_BINS) $(NSS_LIB) $(BUILD)/bin/mcc-bench-nss $(addprefix $(BUILD)/bin/replay-,$(FUZZ_NAMES))
	@if pkg-config --exists $(NS3_MODULES) 2>/dev/null; then $(MAKE) --no-print-directory $(BUILD)/bin/ns3c-test; fi
	@tools/run-tests $(BUILD) $(FUZZ_NAMES)

# The main job: a showcase scenario of about 1,000 nodes; its SVG, pcap
# and metrics stay in results/demo/.
demo: $(BUILD)/bin/mcc-sim
	$(BUILD)/bin/mcc-sim run scenarios/demo.scn -o results/demo --pcap

# A static mccd linked with musl, for devices: build/static/mccd.
mccd-static:
	@tools/build-static --out $(BUILD)/static

# Every scenario again, data usage compared exactly with results/baseline.json.
regress: $(BUILD)/bin/mcc-sim
	@tools/regress $(BUILD)

bench: $(BUILD)/bin/mcc-bench $(BUILD)/bin/mcc-bench-sim $(REAL_BINS) $(BUILD)/bin/mcc-sim $(BUILD)/bin/mcc-flood
	@mkdir -p results
	$(BUILD)/bin/mcc-bench results/bench-core.json
	$(BUILD)/bin/mcc-bench-sim results/bench-sim.json
	@if [ "$$(id -u)" -eq 0 ]; then BENCH_BIN=$(BUILD)/bin tools/bench-real; else echo "bench: tools/bench-real skipped (needs root)"; fi
	@if [ "$$(id -u)" -eq 0 ]; then BENCH_BIN=$(BUILD)/bin tools/flood-lab --duration 10 --max-time 300; else echo "bench: tools/flood-lab skipped (needs root)"; fi

$(BUILD)/bin/mcc-bench: $(call objs,plain,tests/bench/bench_core.c tests/bench/bench_dataplane.c tests/bench/bench_tunnel.c tests/bench/bench_lookup.c tests/unit/harness.c) $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# With ns-3, mcc-bench-sim also runs the star on the ns-3 backend.
$(BUILD)/plain/tests/bench/bench_sim.o: CPPFLAGS += $(if $(NS3),-DMCC_HAVE_NS3)
$(BUILD)/plain/tests/bench/bench_sim.o: $(NS3_STAMP)
$(BUILD)/bin/mcc-bench-sim: $(call objs,plain,tests/bench/bench_sim.c tests/bench/machine_speed.c) $(SIM_NS3_OBJS) $(BUILD)/lib/libmccsim.a $(BUILD)/lib/libmcc.a
	@mkdir -p $(dir $@)
	$(SIM_LD) -o $@ $^ $(SIM_NS3_LIBS) $(SIM_LIBS) $(LDLIBS)

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))
	@for f in $(FUZZ_NAMES); do \
	  mkdir -p tests/fuzz/corpus/$$f; \
	  echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
	  $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    tests/fuzz/corpus/$$f 2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY)' ; \
	done

# make install [PREFIX=/usr/local] [DESTDIR=staging]: mccd, mcc, the
# systemd unit (mcc.service) and libnss_mcc.so.2 in the multiarch library
# directory where glibc looks for NSS modules (/lib/x86_64-linux-gnu on
# amd64; NSS_DIR overrides it). ldconfig when installing into /.
PREFIX ?= /usr/local
SYSTEMD_UNIT_DIR ?= /lib/systemd/system
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || $(CC) -print-multiarch)
NSS_DIR ?= /lib/$(MULTIARCH)
install: $(REAL_BINS) $(NSS_LIB)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(NSS_DIR)
	install -m 0644 $(NSS_LIB) $(DESTDIR)$(NSS_DIR)/libnss_mcc.so.2
	@if [ -z "$(DESTDIR)" ]; then ldconfig 2>/dev/null || true; fi
	install -m 0755 $(BUILD)/bin/mccd $(DESTDIR)$(PREFIX)/sbin/mccd
	install -m 0755 $(BUILD)/bin/mcc $(DESTDIR)$(PREFIX)/bin/mcc
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' node-real/systemd/mcc.service > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mcc.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mcc.service

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:
