# Test, fuzz and bench targets; included by the top-level Makefile.
#   make check   every suite; ends with one "N passed, N failed" line
#   make fuzz    each libFuzzer harness for FUZZ_SECONDS (default 60)

SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
CHECK_FLAGS  = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(or $(shell $(PKG_CONFIG) --libs check 2>/dev/null),-lcheck)
FUZZERS     := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 10

# The unit tests link the core sources built again with the sanitizers.
UNIT_SRCS := tests/unit/check_kbx.c tests/unit/check_artifacts.c \
	tests/unit/check_toolchain.c
$(B)/unit/check_kbx: $(UNIT_SRCS) $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (ASan+UBSan)')
	$(Q)$(CC) -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE $(SAN_FLAGS) \
		$(ELF_CFLAGS) $(PAYLOAD_CFLAGS) $(CHECK_FLAGS) -o $@ $(UNIT_SRCS) \
		$(CORE_SRCS) \
		$(KBX_LIBS) $(CHECK_LIBS)

# The CLI built with the sanitizers: the artifact suite feeds it every
# corruption, so a read past a buffer fails the test instead of passing.
$(B)/asan/kbx: plugin/cli.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $@ (ASan+UBSan)')
	$(Q)$(CC) -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE $(SAN_FLAGS) \
		$(ELF_CFLAGS) $(PAYLOAD_CFLAGS) -o $@ plugin/cli.c $(CORE_SRCS) \
		$(KBX_LIBS)

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_artifact.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  FUZZ-CC $@')
	$(Q)clang -std=gnu11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined $(ELF_CFLAGS) \
		$(PAYLOAD_CFLAGS) -o $@ $< \
		$(CORE_SRCS) $(KBX_LIBS)

fixtures: all
	$(Q)sh tests/fixtures.sh

# Real tinyconfig kernels from linux-source-6.1 (arm64, arm, x86_64), built
# once per tree; ccache keeps a rebuild after `make clean` short.
kernels:
	$(Q)sh tests/kernels.sh

fuzz: deps-check $(FUZZERS)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

check: deps-check
	$(Q)$(MAKE) --no-print-directory all $(B)/unit/check_kbx $(FUZZERS) \
		$(B)/asan/kbx
	$(Q)$(MAKE) --no-print-directory fixtures kernels
	$(Q)sh tests/run-all.sh $(FUZZ_CHECK_SECONDS)

lint:
	$(Q)sh tests/lint/run.sh

bench: deps-check
	$(Q)$(MAKE) --no-print-directory fixtures $(B)/bench/bench_index
	$(Q)sh tests/bench/run.sh

.PHONY: fixtures kernels lint

$(B)/bench/bench_index: tests/bench/bench_index.c $(B)/libkbx.a $(CORE_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -o $@ $< $(B)/libkbx.a $(KBX_LIBS)
