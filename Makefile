# Messly build. `make run` starts the whole stack; `make test` runs every test.
# MODE=release (default): optimised; MODE=test: sanitizers (address, undefined).

MODE ?= release
BUILD := build/$(MODE)
CC ?= cc
PKGS := json-c libpq libcurl libcmark-gfm
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Icgi $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -lscrypt
ifeq ($(MODE),test)
CFLAGS_MODE := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_MODE := -fsanitize=address,undefined
else
CFLAGS_MODE := -O2 -g
LDFLAGS_MODE :=
endif
CFLAGS := $(CFLAGS_BASE) $(CFLAGS_MODE) $(EXTRA_CFLAGS)

SRCS := $(wildcard cgi/*.c)
OBJS := $(SRCS:cgi/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit clean stop bench bench-tools
all: $(BUILD)/messly

deps:
	@deploy/install-deps.sh

$(BUILD)/obj/%.o: cgi/%.c $(wildcard cgi/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/messly: $(OBJS)
	$(CC) $(LDFLAGS_MODE) -o $@ $(OBJS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $< $(LIB_OBJS) $(LDFLAGS_MODE) $(LIBS) -o $@

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

run: deps
	@$(MAKE) --no-print-directory MODE=release all
	@exec deploy/run-local.sh build/release/messly

test:
	@deploy/install-deps.sh --test
	@$(MAKE) --no-print-directory MODE=test all unit
	@deploy/test.sh build/test/messly

# make bench: performance against this machine's own limits (README.md, Performance); not in make test.
BENCH_BIN := build/release/bench
bench-tools: $(BENCH_BIN)/loadgen $(BENCH_BIN)/limit

$(BENCH_BIN)/loadgen: tests/bench/loadgen.c Makefile
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g $< -o $@

$(BENCH_BIN)/limit: tests/bench/limit.c Makefile
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g $(shell pkg-config --cflags libpq libcurl) $< -o $@ \
		$(shell pkg-config --libs libpq libcurl) -lfcgi -lscrypt

bench:
	@deploy/install-deps.sh --bench
	@$(MAKE) --no-print-directory MODE=release all
	@$(MAKE) --no-print-directory bench-tools
	@tests/bench/run.sh build/release/messly $(BENCH_BIN)

clean:
	rm -rf build
