# vouch — build, test, demo.
#   make            build build/vouch
#   make check      install missing packages, build with sanitizers, run unit and integration tests
#                   (and each fuzz harness for FUZZ_CHECK_SECONDS)
#   make fuzz       run each libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS (default 60)
#   make demo       install missing packages, build, run the demo against a sandbox PostgreSQL
#   make install PREFIX=/usr/local
#   make clean

PREFIX    ?= /usr/local
DOCDIR    ?= $(PREFIX)/share/doc/vouch
.DEFAULT_GOAL := all
CC        ?= cc
VERSION   := 0.1.0
PKGS      := libpq sqlite3 libcrypto libxml-2.0 libxslt libexslt inih jansson libcurl

# libcsv ships no pkg-config file on Debian; it is linked directly.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread

# Before anything compiles: the packages pkg-config must find (and libcsv's header), or one
# line that says how to get them, instead of "jansson.h: No such file or directory".
PKG_MISSING = $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))) \
              $(if $(wildcard /usr/include/csv.h),,libcsv))
pkg-check:
	@if [ -n "$(PKG_MISSING)" ]; then \
	  echo "vouch: cannot build: missing development packages: $(PKG_MISSING); run 'make deps' (tools/install-deps) first" >&2; \
	  exit 1; fi

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread $(WARN) $(CFLAGS) \
             -I. -DVOUCH_VERSION='"$(VERSION)"' -DVOUCH_DOCDIR='"$(DOCDIR)"' $(PKG_CFLAGS)

SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The test build's hooks (a faked clock, a perturbation made a no-op: docs/negative-control.md);
# never in build/vouch, the release build.
TEST_HOOKS := -DVOUCH_TEST_HOOKS

# Everything but main.c goes into a library that the unit tests link too.
LIB_SRC   := $(wildcard src/*.c) $(filter-out src/cli/main.c,$(wildcard src/cli/*.c)) $(wildcard checks/*.c) \
             $(wildcard evidence/*.c evidence/store/*.c) $(wildcard reports/*.c)
HDRS      := $(wildcard src/*.h src/cli/*.h checks/*.h evidence/*.h evidence/store/*.h reports/*.h)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)

build/%.o: %.c $(HDRS) | build-dirs pkg-check
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@
build/san/%.o: %.c $(HDRS) | build-dirs pkg-check
	@echo "  CC+SAN  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN) $(TEST_HOOKS) -c $< -o $@

OBJ       := $(LIB_SRC:%.c=build/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=build/san/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=build/san/unit/%)

# libFuzzer harnesses (tests/fuzz/README.md): clang, the library built again into build/fuzz/.
FUZZ_CC   ?= clang
FUZZ_SAN  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_NAMES := config inventory manifest pack_verify canonical reorder
FUZZ_BIN  := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_OBJ  := $(LIB_SRC:%.c=build/fuzz/%.o)
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 4

build/fuzz/%.o: %.c $(HDRS) tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	@echo "  CC+FUZZ $<"
	@$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	@echo "  LINK    $@"
	@$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Each harness for SECONDS on its seeds (tests/fuzz/corpus/NAME, read only) and what it
# found before (build/fuzz/corpus/NAME); a crash leaves build/fuzz/crash-NAME-* and fails.
fuzz-run = @set -e; for n in $(FUZZ_NAMES); do \
	  mkdir -p build/fuzz/corpus/$$n; echo "  FUZZ    $$n ($(1) s)"; \
	  build/fuzz/fuzz_$$n -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus/$$n tests/fuzz/corpus/$$n \
	    >build/fuzz/$$n.log 2>&1 || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' build/fuzz/$$n.log | sed 's/^/          /'; done

.SECONDARY: $(FUZZ_OBJ) $(FUZZ_NAMES:%=build/fuzz/tests/fuzz/fuzz_%.o)
fuzz: $(FUZZ_BIN)
	$(call fuzz-run,$(FUZZ_SECONDS))
fuzz-check: $(FUZZ_BIN)
	$(call fuzz-run,$(FUZZ_CHECK_SECONDS))

.PHONY: all check unit integration integration-pg demo install clean deps build-dirs pkg-check fuzz fuzz-check
all: build/vouch

build-dirs:
	@mkdir -p build/src build/src/cli build/checks build/evidence build/evidence/store build/reports \
	  build/san/src build/san/src/cli build/san/checks build/san/evidence build/san/evidence/store build/san/reports \
	  build/san/tests/unit build/san/tests/integration build/san/unit build/san/integration

build/vouch: build/src/cli/main.o $(OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/vouch: build/san/src/cli/main.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

# The sealing benchmark (tests/bench/store_seal.c, docs/store.md): optimised, no sanitizers.
build/store_seal: build/tests/bench/store_seal.o $(OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
build/tests/bench/store_seal.o: tests/bench/store_seal.c $(HDRS) | build-dirs pkg-check
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

build/san/integration/%: build/san/tests/integration/%.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)

build/san/unit/%: build/san/tests/unit/%.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)

deps:
	@tools/install-deps

check: deps
	@$(MAKE) --no-print-directory build/san/vouch build/san/integration/test_session \
	  build/san/integration/tsa_server $(UNIT_BIN) $(FUZZ_BIN)
	@$(MAKE) --no-print-directory unit integration integration-pg fuzz-check

unit: $(UNIT_BIN)
	@tools/run-unit $(UNIT_BIN)

integration: build/san/vouch build/san/integration/test_session build/san/integration/tsa_server
	@VOUCH=$(CURDIR)/build/san/vouch SESSION_TEST=$(CURDIR)/build/san/integration/test_session \
	  TSA_SERVER=$(CURDIR)/build/san/integration/tsa_server tests/integration/run

# The files of tests/integration/both-stores once more, each against a PostgreSQL store of its
# own (docs/store.md, "Testing both"): the two back ends pass the same tests.
integration-pg: build/san/vouch build/san/integration/test_session build/san/integration/tsa_server
	@VOUCH=$(CURDIR)/build/san/vouch SESSION_TEST=$(CURDIR)/build/san/integration/test_session \
	  TSA_SERVER=$(CURDIR)/build/san/integration/tsa_server VOUCH_TEST_STORE=postgresql \
	  tests/integration/run $$(grep -v '^#' tests/integration/both-stores)

demo: deps
	@$(MAKE) --no-print-directory build/vouch
	@tools/demo/run

install: build/vouch
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 build/vouch $(DESTDIR)$(PREFIX)/bin/vouch
	install -m 644 docs/vouch.1 $(DESTDIR)$(PREFIX)/share/man/man1/vouch.1
	install -d $(DESTDIR)$(PREFIX)/share/vouch/templates
	install -m 644 templates/*.xsl templates/*.rng $(DESTDIR)$(PREFIX)/share/vouch/templates
	install -d $(DESTDIR)$(DOCDIR)/checks
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)
	install -m 644 docs/checks/*.md $(DESTDIR)$(DOCDIR)/checks
	install -d $(DESTDIR)$(DOCDIR)/bench
	install -m 644 docs/bench/*.md $(DESTDIR)$(DOCDIR)/bench
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 644 tools/demo/vouch.conf $(DESTDIR)$(DOCDIR)/examples/vouch.conf

clean:
	rm -rf build
