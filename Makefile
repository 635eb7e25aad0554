# relaxbench: one non-recursive Makefile.
#   make                 build build/relaxbench (gcc, C11, -O2, warnings are errors)
#   make CC=clang        the same with clang
#   make SAN=1 test      AddressSanitizer + UndefinedBehaviorSanitizer build and tests (build/san/)
#   make TSAN=1 test     ThreadSanitizer build of the concurrency stress cases, run by a
#                        plain pthread driver (tests/tsan/; build/tsan/)
#   make test            unit + integration tests (Criterion) and a smoke-scale reproduce
#   make reproduce [SCALE=quick|smoke|full] [FAMILY=name] [JOBS=N]
#   make bench           kernel benchmarks -> results/bench/*.csv
#   make regress         CI-scale runs compared with results/reference/ (fails on a regression)
#   make reference       rewrite results/reference/ from CI-scale runs (on purpose only)
#   make datasets        fetch every dataset with a pinned digest into datasets/cache (mirror first)
#   make fuzz [FUZZ_SECONDS=N]  run each loader's libFuzzer target for N seconds (default 60)
#   make deps            install the Debian packages (root), or print the apt-get line
#   make deps-peers      install the peer libraries the benchmarks compare against
#                        (PyTorch CPU, scikit-learn); never needed by `make test`
#   make clean

ifeq ($(origin CC),default)
CC := gcc
endif
SCALE   ?= quick
FAMILY  ?=
JOBS    ?=
RESULTS ?= results
PLOTS   ?= plots/out

# ompi-c: Open MPI (algorithms/comm/comm_mpi.c), linked by default and used only by
# runs that ask for `backend: mpi`, which the executor starts under mpirun.
PKGS := openblas yaml-0.1 sqlite3 jansson libcrypto zlib liblzma ompi-c

ifeq ($(TSAN),1)
# ThreadSanitizer: the concurrency stress cases (tests/unit/stress_*.c), which use
# pthreads, since libgomp and OpenBLAS are not instrumented.
BUILD    ?= build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT      := -O1 -g
TEST_FUZZ_SECONDS := 0
else ifeq ($(SAN),1)
BUILD    ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1 -g
else
BUILD    ?= build
SANFLAGS :=
OPT      := -O2 -g
endif

# Debian packages: library headers for the build, tools for the harness and the tests.
DEB_PKGS := build-essential clang libclang-rt-dev pkg-config libopenblas-dev libyaml-dev \
            libsqlite3-dev libjansson-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev \
            libcriterion-dev gnuplot-nox parallel sqlite3 curl liblinear-dev \
            libcsv-dev dataset-fashion-mnist git openmpi-bin libopenmpi-dev
# One header or tool per package, to tell quickly whether anything is missing.
DEB_PROBES := /usr/include/$(shell gcc -dumpmachine 2>/dev/null)/cblas.h /usr/include/yaml.h /usr/include/sqlite3.h \
              /usr/include/jansson.h /usr/include/openssl/sha.h \
              /usr/include/criterion/criterion.h /usr/include/zlib.h /usr/include/bzlib.h \
              /usr/include/lzma.h /usr/bin/gnuplot /usr/bin/parallel /usr/bin/pkg-config \
              /usr/bin/clang /usr/bin/sqlite3 /usr/bin/curl /usr/include/linear.h /usr/include/csv.h /usr/bin/git \
              /usr/bin/mpirun /usr/lib/$(shell gcc -dumpmachine 2>/dev/null)/pkgconfig/ompi-c.pc \
              /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp $(SANFLAGS) \
           -I. $(PKG_CFLAGS)
LDFLAGS += -fopenmp $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -llinear -lcsv -lbz2 -lm

# The git revision goes into run.json through envinfo.o alone. The stamp file changes
# only when the revision does, so a commit rebuilds that one object, not everything.
GIT_REV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
             git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
REV_STAMP := $(BUILD)/git-rev.stamp
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(REV_STAMP) 2>/dev/null)" = "$(GIT_REV)" ] || \
        echo "$(GIT_REV)" > $(REV_STAMP); })

LIB_SRC  := $(filter-out suite/main.c,$(wildcard suite/*.c)) \
            $(wildcard algorithms/*/*.c) $(wildcard datasets/*.c)
# The code fingerprints (suite/fingerprint.sh): regenerated when any source changes, and
# rewritten only when a fingerprint does, so editing a plot or the report rebuilds
# nothing more than that file.
FP_SRC   := $(BUILD)/gen/fingerprints.c
FP_STAMP := $(BUILD)/gen/fingerprints.stamp
FP_OBJ   := $(BUILD)/obj/gen/fingerprints.o
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(FP_OBJ)
MAIN_OBJ := $(BUILD)/obj/suite/main.o
TEST_SRC := $(wildcard tests/unit/*.c) $(wildcard tests/e2e/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
# The stress cases (tests/unit/stress_*.c) also link into a plain pthread driver: Criterion
# cannot start under ThreadSanitizer (its inheritable arena collides with TSan's memory map).
STRESS_SRC := tests/tsan/stress_main.c $(wildcard tests/unit/stress_*.c)
STRESS_OBJ := $(STRESS_SRC:%.c=$(BUILD)/obj/%.o)
# The MPI backend's check (tests/mpi/): a plain program run under mpirun by the Criterion
# test test_comm_mpi.c, since Criterion's forked workers and MPI_Init do not mix.
MPICHECK_SRC := $(wildcard tests/mpi/*.c)
MPICHECK_OBJ := $(MPICHECK_SRC:%.c=$(BUILD)/obj/%.o)
DEPS     := $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(STRESS_OBJ:.o=.d) \
            $(MPICHECK_OBJ:.o=.d)

BIN   := $(BUILD)/relaxbench
TESTS := $(BUILD)/relaxbench-tests
STRESS := $(BUILD)/relaxbench-stress
MPICHECK := $(BUILD)/relaxbench-mpicheck

.PHONY: all deps deps-peers test reproduce bench clean datasets fuzz regress reference
all: $(BIN)

$(BUILD)/obj/suite/envinfo.o: $(REV_STAMP)
$(BUILD)/obj/suite/envinfo.o: CFLAGS += -DRB_GIT_REV='"$(GIT_REV)"' -DRB_CFLAGS='"$(OPT) $(SANFLAGS)"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(FP_STAMP): suite/fingerprint.sh $(wildcard algorithms/*/*.[ch] datasets/*.[ch] suite/*.[ch])
	@mkdir -p $(dir $@)
	@sh suite/fingerprint.sh $(FP_SRC) $(CC) -std=c11 -D_GNU_SOURCE -I. $(PKG_CFLAGS)
	@touch $@
$(FP_SRC): $(FP_STAMP) ;
$(FP_OBJ): $(FP_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/librelaxbench.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(BUILD)/librelaxbench.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TESTS): $(TEST_OBJ) $(BUILD)/librelaxbench.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcriterion -o $@

$(STRESS): $(STRESS_OBJ) $(BUILD)/librelaxbench.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(MPICHECK): $(MPICHECK_OBJ) $(BUILD)/librelaxbench.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# `make deps`: install what is missing when root; otherwise print the exact command and fail.
deps:
	@missing=0; for f in $(DEB_PROBES); do [ -e $$f ] || missing=1; done; \
	if [ $$missing = 0 ]; then exit 0; fi; \
	cmd="apt-get install -y --no-install-recommends $(DEB_PKGS)"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "relaxbench: missing Debian packages; run as root: apt-get update && $$cmd" >&2; exit 2; fi; \
	echo "make deps: installing $(DEB_PKGS)" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q >/dev/null && $$cmd >/dev/null || { echo "make deps: apt-get failed" >&2; exit 2; }

# Peers for `make bench` only (PyTorch CPU, scikit-learn): a bench case whose peer is
# missing prints "peer not installed" and goes on.
# Debian's python3 (/usr/bin/python3) is the one that sees them, whatever python3 is first on PATH.
PEER_PKGS := python3-torch python3-sklearn
deps-peers:
	@/usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null && exit 0; \
	cmd="apt-get install -y --no-install-recommends $(PEER_PKGS)"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "relaxbench: peers missing; run as root: apt-get update && $$cmd" >&2; exit 2; fi; \
	echo "make deps-peers: installing $(PEER_PKGS)" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q >/dev/null && $$cmd >/dev/null || { echo "make deps-peers: apt-get failed" >&2; exit 2; }

# The local mirror of original data files: ../shared/datasets beside the checkout when
# there is one (CI has it); tests then check the real files' counts too.
RELAXBENCH_DATA_MIRROR ?= $(abspath $(wildcard ../shared/datasets))
export RELAXBENCH_DATA_MIRROR

# Tests: Criterion runs unit and integration tests; the e2e tests find the binary via
# RELAXBENCH_BIN and the repository root via RELAXBENCH_ROOT.
ifeq ($(TSAN),1)
test: deps
	@$(MAKE) --no-print-directory $(STRESS)
	TSAN_OPTIONS=halt_on_error=1 $(STRESS)
else
test: deps
	@$(MAKE) --no-print-directory $(BIN) $(TESTS) $(MPICHECK)
	@[ "$(TEST_FUZZ_SECONDS)" = 0 ] || $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	RELAXBENCH_BIN=$(abspath $(BIN)) RELAXBENCH_ROOT=$(CURDIR) \
	  RELAXBENCH_MPICHECK=$(abspath $(MPICHECK)) \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 \
	  $(TESTS) --jobs 2 $(TEST_ARGS)
endif

MANIFESTS = $(if $(FAMILY),$(wildcard experiments/$(FAMILY)/*.yaml),$(wildcard experiments/*/*.yaml))

reproduce: deps
	@$(MAKE) --no-print-directory $(BIN)
	@test -n "$(MANIFESTS)" || { echo "make reproduce: no manifests for FAMILY=$(FAMILY)" >&2; exit 2; }
	$(BIN) calibrate --results $(RESULTS)
	$(BIN) run $(MANIFESTS) --scale $(SCALE) --results $(RESULTS) $(if $(JOBS),--jobs $(JOBS))
	$(BIN) collect --results $(RESULTS)
	$(BIN) plot $(MANIFESTS) --scale $(SCALE) --results $(RESULTS) --plots $(PLOTS)
	$(BIN) report $(MANIFESTS) --scale $(SCALE) --results $(RESULTS) --plots $(PLOTS)
	@echo "report: $(RESULTS)/REPORT.md"

# Regression check at CI's scale (smoke) against results/reference/ (committed). A run id
# hashes the code fingerprint with the parameters, so runs left by an older build never
# stand in for this one and finished runs of unchanged code are reused; --force redoes
# them anyway, since timing metrics are of this machine now. `make reference` rewrites
# the reference on purpose (say why in the change). `make regress` also draws each key
# metric's history (trend --git: the reference files' git history, then this run) and
# writes results/REGRESS.md; the last line of its output is the summary.
REGRESS_RESULTS ?= results/ci
regress reference: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) calibrate --results $(REGRESS_RESULTS) --quiet
	$(BIN) run $(MANIFESTS) --scale smoke --results $(REGRESS_RESULTS) --force --quiet
	$(BIN) collect --results $(REGRESS_RESULTS) --quiet
	$(if $(filter regress,$@),$(BIN) trend --git $(REGRESS_RESULTS) $(addprefix --manifest ,$(MANIFESTS)) \
	  --scale smoke --reference results/reference --plots $(PLOTS) > $(REGRESS_RESULTS)/TREND.md)
	$(BIN) $@ $(MANIFESTS) --scale smoke --results $(REGRESS_RESULTS) \
	  $(if $(filter regress,$@),--plots $(PLOTS) --out results/REGRESS.md) --reference results/reference

bench: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) bench --results $(RESULTS)

datasets: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) fetch --all

# libFuzzer targets (tests/fuzz/fuzz_*.c): one per loader, and fuzz_manifest for the
# manifest reader, built with clang's fuzzer and ASan+UBSan; `make test` runs each briefly
# (TEST_FUZZ_SECONDS). A crash leaves its input in build/fuzz/ and fails the target: turn
# it into a test. tests/fuzz/<target>.dict, where present, is the target's dictionary.
FUZZ_SECONDS      ?= 60
TEST_FUZZ_SECONDS ?= 10
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB     := $(wildcard datasets/dsio.c datasets/dataset.c datasets/libsvm.c datasets/idx.c \
                datasets/cifar.c datasets/graph.c) suite/error.c
# -Wno-pass-failed: at -O1 clang does not vectorise, so an `omp simd` hint (the stream
# merges in comm/) that it cannot honour is not an error in this build.
FUZZ_FLAGS   := -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-pass-failed -I. \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(wildcard datasets/*.h suite/error.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $< $(FUZZ_LIB) -lz -lbz2 -llzma -o $@

# mf_load validates against the registry, so fuzz_manifest links the whole library, built
# once per object with the fuzzer's instrumentation (build/fuzz/obj/) and linked by clang.
FUZZ_MF_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
FUZZ_MF_SEEDS := $(wildcard experiments/*/*.yaml)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(patsubst -fsanitize=fuzzer%,-fsanitize=fuzzer-no-link%,$(FUZZ_FLAGS)) -fopenmp \
	  $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/fuzz/fuzz_manifest: tests/fuzz/fuzz_manifest.c $(FUZZ_MF_OBJ) build/fuzz/gen/fingerprints.c
	clang $(FUZZ_FLAGS) -fopenmp $(PKG_CFLAGS) $^ $(PKG_LIBS) -llinear -lcsv -lbz2 -lm -o $@

build/fuzz/gen/fingerprints.c: suite/fingerprint.sh $(wildcard algorithms/*/*.[ch] datasets/*.[ch] suite/*.[ch])
	@mkdir -p $(dir $@)
	@sh suite/fingerprint.sh $@ clang -std=c11 -D_GNU_SOURCE -I. $(PKG_CFLAGS)
	@touch $@

-include $(FUZZ_MF_OBJ:.o=.d)

fuzz: deps $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  n=$$(basename $$t); mkdir -p build/fuzz/corpus-$$n; \
	  [ -d tests/fuzz/corpus/$$n ] && cp -n tests/fuzz/corpus/$$n/* build/fuzz/corpus-$$n/ 2>/dev/null; \
	  maxlen=4096; dict=; [ -f tests/fuzz/$$n.dict ] && dict=-dict=tests/fuzz/$$n.dict; \
	  if [ $$n = fuzz_manifest ]; then maxlen=16384; \
	    for f in $(FUZZ_MF_SEEDS); do cp "$$f" "build/fuzz/corpus-$$n/seed-$$(echo $$f | tr / _)"; done; fi; \
	  echo "fuzz $$n: $(FUZZ_SECONDS) s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen $$dict -print_final_stats=1 \
	      -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus-$$n 2>build/fuzz/$$n.log \
	    || { tail -40 build/fuzz/$$n.log; echo "fuzz $$n: FAILED (input saved under build/fuzz/)"; exit 1; }; \
	  grep -h "stat::number_of_executed_units" build/fuzz/$$n.log | sed "s/^/  $$n /"; \
	done

clean:
	rm -rf build

-include $(DEPS)
