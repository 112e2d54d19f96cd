# vouch — build, test, demo.
#   make            build build/vouch
#   make check      install missing packages, build with sanitizers, run unit and integration tests
#   make demo       install missing packages, build, run the demo against a sandbox PostgreSQL
#   make install PREFIX=/usr/local
#   make clean

PREFIX    ?= /usr/local
CC        ?= cc
VERSION   := 0.1.0
PKGS      := libpq sqlite3 libcrypto libxml-2.0 libxslt libexslt inih jansson

# libcsv ships no pkg-config file on Debian; it is linked directly.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -I. -DVOUCH_VERSION='"$(VERSION)"' $(PKG_CFLAGS)

SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Everything but main.c goes into a library that the unit tests link too.
LIB_SRC   := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard checks/*.c) \
             $(wildcard evidence/*.c) $(wildcard reports/*.c)
HDRS      := $(wildcard src/*.h checks/*.h evidence/*.h reports/*.h)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)

build/%.o: %.c $(HDRS) | build-dirs
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@
build/san/%.o: %.c $(HDRS) | build-dirs
	@echo "  CC+SAN  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

OBJ       := $(LIB_SRC:%.c=build/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=build/san/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=build/san/unit/%)

.PHONY: all check unit integration demo install clean deps build-dirs
all: build/vouch

build-dirs:
	@mkdir -p build/src build/checks build/evidence build/reports \
	  build/san/src build/san/checks build/san/evidence build/san/reports \
	  build/san/tests/unit build/san/tests/integration build/san/unit build/san/integration

build/vouch: build/src/main.o $(OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/vouch: build/san/src/main.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

build/san/integration/%: build/san/tests/integration/%.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)

build/san/unit/%: build/san/tests/unit/%.o $(SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka)

deps:
	@tools/install-deps

check: deps
	@$(MAKE) --no-print-directory build/san/vouch build/san/integration/test_session $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit integration

unit: $(UNIT_BIN)
	@tools/run-unit $(UNIT_BIN)

integration: build/san/vouch build/san/integration/test_session
	@VOUCH=$(CURDIR)/build/san/vouch SESSION_TEST=$(CURDIR)/build/san/integration/test_session \
	  tests/integration/run

demo: deps
	@$(MAKE) --no-print-directory build/vouch
	@tools/demo/run

install: build/vouch
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 build/vouch $(DESTDIR)$(PREFIX)/bin/vouch
	install -m 644 docs/vouch.1 $(DESTDIR)$(PREFIX)/share/man/man1/vouch.1
	install -d $(DESTDIR)$(PREFIX)/share/vouch/templates
	install -m 644 templates/*.xsl templates/*.rng $(DESTDIR)$(PREFIX)/share/vouch/templates

clean:
	rm -rf build
