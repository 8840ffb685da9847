# Messly build. `make run` starts the whole stack; `make test` runs every test.
# MODE=release (default): optimised; MODE=test: sanitizers (address, undefined) and the
# test-only fault injection points (-DMESSLY_FAULTS, cgi/fault.h).

MODE ?= release
BUILD := build/$(MODE)
CC ?= cc
PKGS := json-c libpq libcurl libcmark-gfm MagickWand
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Icgi $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfcgi -lscrypt
ifeq ($(MODE),test)
CFLAGS_MODE := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -DMESSLY_FAULTS
LDFLAGS_MODE := -fsanitize=address,undefined
else
CFLAGS_MODE := -O2 -g
LDFLAGS_MODE :=
endif
# Installation directories (make install PREFIX=... DESTDIR=...).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share/messly
DOCDIR ?= $(PREFIX)/share/doc/messly
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
CFLAGS := $(CFLAGS_BASE) $(CFLAGS_MODE) -DMESSLY_CONFIG_DEFAULT='"$(SYSCONFDIR)/messly/messly.conf"' $(EXTRA_CFLAGS)

SRCS := $(wildcard cgi/*.c)
OBJS := $(SRCS:cgi/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test unit fuzz fuzz-regress clean stop install deb test-deb test-multinode check-security security-summary tools bench bench-tools screenshots

# Figures of the last test run (fuzz corpus replays, hostile requests, sanitizer reports,
# crashes, faults), summed up by `make security-summary`.
REPORT := build/report
# What `make check-security` runs on the stack (the whole of `make test` runs everything).
SECURITY_TESTS := tests/api/hostile.test.mjs tests/api/headers.test.mjs tests/api/limits.test.mjs tests/faults/
all: $(BUILD)/messly

# Test helpers (real images for the tests; no sanitizers: not server code).
TOOLS := $(BUILD)/tools/mkimage
tools: $(TOOLS)
$(BUILD)/tools/%: tests/tools/%.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 $< -o $@ $(LIBS)

deps:
	@deploy/install-deps.sh

$(BUILD)/obj/%.o: cgi/%.c $(wildcard cgi/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/messly: $(OBJS)
	$(CC) $(LDFLAGS_MODE) $(EXTRA_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $< $(LIB_OBJS) $(LDFLAGS_MODE) $(LIBS) -o $@

# libFuzzer targets (clang): each tests/fuzz/fuzz_NAME.c with its committed
# corpus tests/fuzz/corpus/NAME/. `make test` replays every corpus once;
# `make fuzz` runs each target for FUZZ_SECONDS and keeps what it finds
# under build/fuzz/found/NAME/ (copy interesting inputs into the corpus).
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_LIB := cgi/arena.c cgi/buf.c cgi/input.c cgi/template.c cgi/markdown.c cgi/mentions.c cgi/emoji.c cgi/shortcodes.c cgi/crypto.c cgi/log.c \
	cgi/linkify.c cgi/useragent.c cgi/multipart.c cgi/filemeta.c cgi/jpegstrip.c
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Icgi $(shell pkg-config --cflags json-c libcmark-gfm 2>/dev/null)

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(wildcard cgi/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $< $(FUZZ_LIB) $(shell pkg-config --libs json-c libcmark-gfm) -o $@

fuzz-regress: $(FUZZ_BINS)
	@set -e; mkdir -p $(REPORT); json='{'; sep=''; \
	for b in $(FUZZ_BINS); do n=$${b#build/fuzz/fuzz_}; echo "== corpus $$n"; \
	  if ! $$b -runs=0 tests/fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1; then \
	    cat build/fuzz/$$n.log; echo "FAILED: the $$n corpus crashed its target" >&2; exit 1; fi; \
	  tail -n 1 build/fuzz/$$n.log; runs=$$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' build/fuzz/$$n.log); \
	  json="$$json$$sep\"$$n\": $${runs:-0}"; sep=', '; done; \
	echo "$$json}" >$(REPORT)/fuzz.json

fuzz: $(FUZZ_BINS)
	@set -e; for b in $(FUZZ_BINS); do n=$${b#build/fuzz/fuzz_}; \
	  mkdir -p build/fuzz/found/$$n; echo "== fuzzing $$n for $(FUZZ_SECONDS) s"; \
	  $$b -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    build/fuzz/found/$$n tests/fuzz/corpus/$$n 2>&1 | tail -n 3; done

# The project's ImageMagick policy is in force in the tests as in production.
unit: $(UNIT_BINS) $(TOOLS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
		MAGICK_CONFIGURE_PATH=$(CURDIR)/deploy/imagemagick MESSLY_TOOLS=$(CURDIR)/$(BUILD)/tools $$t; done

run: deps
	@$(MAKE) --no-print-directory MODE=release all
	@exec deploy/run-local.sh build/release/messly

test:
	@deploy/install-deps.sh --test
	@rm -rf $(REPORT)
	@$(MAKE) --no-print-directory MODE=test all unit tools
	@$(MAKE) --no-print-directory fuzz-regress
	@rc=0; deploy/test.sh build/test/messly || rc=1; \
	  $(MAKE) --no-print-directory security-summary || rc=1; exit $$rc

# The security and reliability suite alone: every fuzz corpus, the hostile-input, header
# and limit tests and the fault test on a sanitizer build, then the summary.
check-security:
	@deploy/install-deps.sh --test
	@rm -rf $(REPORT)
	@$(MAKE) --no-print-directory MODE=test all tools
	@$(MAKE) --no-print-directory fuzz-regress
	@rc=0; MESSLY_TESTS="$(SECURITY_TESTS)" deploy/test.sh build/test/messly || rc=1; \
	  $(MAKE) --no-print-directory security-summary || rc=1; exit $$rc

security-summary:
	@node tests/security-summary.mjs $(REPORT)

# The screenshots of README.md: the browser walk (tests/browser/walk.test.mjs) on a
# throw-away stack saves them into build/screenshots/ (so does every `make test`);
# this copies them into docs/screenshots/ to be committed.
screenshots:
	@deploy/install-deps.sh --test
	@$(MAKE) --no-print-directory MODE=test all tools
	@MESSLY_TESTS=tests/browser/walk.test.mjs deploy/test.sh build/test/messly
	@mkdir -p docs/screenshots
	@rm -f docs/screenshots/*.png
	cp build/screenshots/*.png docs/screenshots/

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
	@$(MAKE) --no-print-directory MODE=release tools
	@tests/bench/run.sh build/release/messly $(BENCH_BIN)

clean:
	rm -rf build

# ---- deploy: installing, the Debian package, the multi-node test ----------
# Paths in the shipped files are the Debian package's; install rewrites them.
INSTALL_SED := -e 's|/usr/bin/messly|$(BINDIR)/messly|g' -e 's|/usr/share/messly|$(DATADIR)|g' \
	-e 's|/usr/share/doc/messly|$(DOCDIR)|g' -e 's|/etc/messly|$(SYSCONFDIR)/messly|g'
IM_POLICY := $(wildcard deploy/imagemagick/policy.xml)

# The binary of MODE, data, example configuration, units, nginx files, scripts.
# Never overwrites an existing $(SYSCONFDIR)/messly/messly.conf or nginx site.
install: $(BUILD)/messly
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/nginx \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/messly $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available
	install -m 0755 $(BUILD)/messly $(DESTDIR)$(BINDIR)/messly
	for d in templates static schema; do \
		find $$d -type f | while read -r f; do \
			install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done || exit 1; \
	done
	$(if $(IM_POLICY),install -D -m 0644 $(IM_POLICY) $(DESTDIR)$(DATADIR)/imagemagick/policy.xml)
	sed $(INSTALL_SED) deploy/messly.conf.example > $(DESTDIR)$(DATADIR)/messly.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/messly/messly.conf || \
		install -m 0640 $(DESTDIR)$(DATADIR)/messly.conf.example $(DESTDIR)$(SYSCONFDIR)/messly/messly.conf
	for f in messly.service messly-maintenance.service messly-maintenance.timer; do \
		sed $(INSTALL_SED) deploy/systemd/$$f > $(DESTDIR)$(UNITDIR)/$$f || exit 1; done
	install -m 0644 deploy/systemd/messly.tmpfiles $(DESTDIR)$(TMPFILESDIR)/messly.conf
	install -m 0644 deploy/systemd/messly.sysusers $(DESTDIR)$(SYSUSERSDIR)/messly.conf
	for f in messly.site nginx.conf messly-redis.conf; do \
		sed $(INSTALL_SED) deploy/nginx/$$f > $(DESTDIR)$(DATADIR)/nginx/$$f || exit 1; done
	test -e $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/messly || \
		install -m 0644 $(DESTDIR)$(DATADIR)/nginx/messly.site $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/messly
	sed $(INSTALL_SED) deploy/backup.sh > $(DESTDIR)$(SBINDIR)/messly-backup
	sed $(INSTALL_SED) deploy/restore.sh > $(DESTDIR)$(SBINDIR)/messly-restore
	chmod 0755 $(DESTDIR)$(SBINDIR)/messly-backup $(DESTDIR)$(SBINDIR)/messly-restore
	install -m 0644 README.md deploy/DEPLOY.md $(DESTDIR)$(DOCDIR)/

# The Debian package (build/deb/messly_*.deb), built by dpkg-buildpackage from a
# copy of the tree with deploy/debian/ as debian/.
deb:
	@deploy/install-deps.sh --deb
	@deploy/build-deb.sh

# Build the package and install it into a scratch root (dpkg --root).
test-deb: deb
	@deploy/test-deb.sh

# Two complete nodes (nginx + workers each) sharing Redis and PostgreSQL.
test-multinode:
	@deploy/install-deps.sh --test --redis
	@$(MAKE) --no-print-directory MODE=test all
	@MESSLY_TESTS=tests/multinode deploy/test.sh build/test/messly
