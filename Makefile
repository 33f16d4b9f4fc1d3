# Makefile -- the MPI big-data toolkit.
#
#   make            build every program into bin/
#   make test       install missing packages, build, run unit + integration tests
#   make demo       install missing packages, build, run the pipeline and draw data/demo/report.png
#   make notebooks  execute every notebook headless into build/notebooks/
#   make bench      run the benchmark scripts (long)
#   make asan       build with AddressSanitizer + UBSan into bin/asan/
#   make test-asan  run the unit tests and logjoin under the sanitizers
#   make test-cluster  the slurm/ scripts on a single-node Slurm, the compose MPI cluster
#   make images     the cluster images (containers/Dockerfile) for scripts/cluster
#   make cluster-up WORKERS=N   a compose cluster: master + N workers (scripts/cluster up)
#   make cluster-down           stop and remove it
#   make clean
#
# Flags are composed as Redis does: FINAL_CFLAGS = STD WARN OPT DEBUG SAN DEPFLAGS, the
# include paths, then the user's CPPFLAGS and CFLAGS (so `make CFLAGS=-O0` or
# `make CFLAGS=-DNDEBUG` adds to the flags, and a later -O wins); FINAL_LDFLAGS and
# FINAL_LDLIBS append LDFLAGS and LDLIBS likewise. OPT=... and DEBUG=... replace a part.
# SANITIZE=1 adds the sanitizers.

.DEFAULT_GOAL := all

CC       := mpicc
HDF5_PKG := hdf5-openmpi
STD      := -std=c11 -D_GNU_SOURCE -fno-math-errno
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral
OPT      ?= -O2
DEBUG    ?= -g
DEPFLAGS  = -MMD -MP

ifeq ($(SANITIZE),1)
  SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  OPT      := -O1
  BUILD    ?= build/asan
  BIN      ?= bin/asan
else
  SAN      :=
  BUILD    ?= build/release
  BIN      ?= bin
endif

# pkg-config is asked once, when a recipe first needs the flags (so `make deps`,
# `make test` and `make clean` work before the package is installed), and a missing
# package stops the build with the Debian package to install.
HDF5_DEB := libhdf5-openmpi-dev
tk_pkg = $(if $(shell pkg-config --exists $(HDF5_PKG) 2>/dev/null && echo y),$(shell pkg-config $(1) $(HDF5_PKG)),$(error pkg-config finds no '$(HDF5_PKG)': install the Debian package $(HDF5_DEB) (make deps, or scripts/install-deps.sh)))
HDF5_CFLAGS = $(eval HDF5_CFLAGS := $(call tk_pkg,--cflags))$(HDF5_CFLAGS)
HDF5_LIBS   = $(eval HDF5_LIBS := $(call tk_pkg,--libs))$(HDF5_LIBS)

FINAL_CFLAGS  = $(STD) $(WARN) $(OPT) $(DEBUG) $(SAN) $(DEPFLAGS) -Impi_apps/common \
                $(HDF5_CFLAGS) $(CPPFLAGS) $(CFLAGS)
FINAL_LDFLAGS = $(SAN) $(LDFLAGS)
FINAL_LDLIBS  = $(HDF5_LIBS) -lcsv -ljansson -lhts -lzstd -lz -lmvec -lm $(LDLIBS)

COMMON_SRC := $(wildcard mpi_apps/common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
COMMON_LIB := $(BUILD)/libtk.a

# one folder per program under mpi_apps/ (common/ is the shared library)
PROGRAMS := $(sort $(patsubst mpi_apps/%/,%,$(filter-out mpi_apps/common/,$(dir $(wildcard mpi_apps/*/*.c)))))
PROG_BINS := $(PROGRAMS:%=$(BIN)/%)

# every program folder holds main.c plus its stages; tests link the stages
define program_rules
$(1)_SRC := $$(wildcard mpi_apps/$(1)/*.c)
$(1)_OBJ := $$($(1)_SRC:%.c=$(BUILD)/%.o)
$(1)_LIBOBJ := $$(filter-out $(BUILD)/mpi_apps/$(1)/main.o,$$($(1)_OBJ))
$(BIN)/$(1): $$($(1)_OBJ) $(COMMON_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(FINAL_LDFLAGS) -o $$@ $$^ $$(FINAL_LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(BUILD)/tests/unit_tests

.PHONY: all test test-asan unit demo notebooks bench asan clean deps
all: $(PROG_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(FINAL_CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

UNIT_LIBOBJ := $(foreach p,$(filter-out genlogs,$(PROGRAMS)),$($(p)_LIBOBJ))
$(UNIT_BIN): $(UNIT_OBJ) $(UNIT_LIBOBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LDLIBS) -lcunit

# collective unit tests, run by tests/run.sh under mpirun -np 3 (they reuse unit_util.c)
UNIT_MPI_SRC := $(wildcard tests/unit_mpi/*.c) tests/unit/unit_util.c
UNIT_MPI_OBJ := $(UNIT_MPI_SRC:%.c=$(BUILD)/%.o)
UNIT_MPI_BIN := $(BUILD)/tests/unit_mpi_tests
$(UNIT_MPI_BIN): $(UNIT_MPI_OBJ) $(logjoin_LIBOBJ) $(gbtrain_LIBOBJ) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LDLIBS) -lcunit

# test helpers over libtk, run by the integration tests: tests/tools/NAME.c ->
# $(BUILD)/tests/NAME (a static pattern: no other target matches it)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
$(TOOL_BINS): $(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LDLIBS)

unit: $(UNIT_BIN) $(UNIT_MPI_BIN) $(TOOL_BINS)

deps:
	@scripts/install-deps.sh

test: deps
	@$(MAKE) --no-print-directory all unit
	@tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

# every notebook executed headless into build/notebooks/ (.ipynb and .html)
notebooks: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-notebooks

bench: all
	scripts/bench-logjoin
	scripts/bench-gbtrain

asan:
	@$(MAKE) --no-print-directory SANITIZE=1 all unit

# unit tests and a 4-rank logjoin run under AddressSanitizer + UBSan
test-asan: deps asan
	@tests/run-asan.sh

# the Slurm scripts on a single-node Slurm (installs slurm-wlm and munge), then the
# compose cluster (installs docker.io and docker-compose, starts dockerd, builds the images)
test-cluster: deps
	@$(MAKE) --no-print-directory all
	@tests/cluster/run.sh
	@tests/cluster/compose.sh

# the compose cluster (containers/, scripts/cluster); WORKERS defaults to 2 (or the running count)
.PHONY: images cluster-up cluster-down
images:
	@scripts/cluster images
cluster-up:
	@scripts/cluster up $(WORKERS)
cluster-down:
	@scripts/cluster down

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
