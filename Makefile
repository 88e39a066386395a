# postern — the Makefile is the manual.
#
#   make            build build/postern
#   make run        install missing Debian packages, build, start the demo
#                   stack (Dovecot, SMTP, Redis, nginx, postern) on loopback
#   make test       unit, integration, browser and fuzz-smoke tests;
#                   ends with "N passed, N failed"
#   make bench      wrk figures for /settings vs static nginx vs bare FastCGI
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make valgrind   unit tests under valgrind
#   make check-config CONFIG=FILE
#   SANITIZE=address,undefined make test    the same tests, sanitized build
#   PORT=8081 make run                       demo on another port

VERSION   := 0.1.0
CC        ?= cc
SANITIZE  ?=
BUILD     ?= build$(if $(SANITIZE),/san)
PORT      ?= 8080
FUZZ_SECONDS ?= 60

CPPFLAGS  += -Isrc -Icgi -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -DPOSTERN_VERSION='"$(VERSION)"'
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
             -fstack-protector-strong -fPIE -pthread
LDFLAGS   += -pie -Wl,-z,relro -Wl,-z,now -pthread
ifneq ($(SANITIZE),)
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
endif
# libetpan: plain -letpan, not pkg-config (it leaks a no-PIE link spec).
LIBS      := -lfcgi -linih -letpan -lgumbo -lsqlite3 -lhiredis -lqrencode -lssl -lcrypto

SRC_C     := $(wildcard src/*.c)
CGI_C     := $(wildcard cgi/*.c)
SRC_O     := $(SRC_C:%.c=$(BUILD)/%.o)
CGI_O     := $(CGI_C:%.c=$(BUILD)/%.o)
UNIT_C    := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_C:tests/unit/%.c=$(BUILD)/tests/%)
# C programs the integration suite drives against real servers
IT_C      := $(wildcard tests/integration/it_*.c)
IT_BIN    := $(IT_C:tests/integration/%.c=$(BUILD)/tests/%)
FUZZ_C    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_C:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all deps deps-build run test unit bench fuzz valgrind check-config clean stop

all: $(BUILD)/postern

deps:
	@sh scripts/deps.sh all
deps-build:
	@sh scripts/deps.sh build

$(BUILD)/%.o: %.c $(wildcard src/*.h cgi/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libpostern.a: $(SRC_O)
	ar rcs $@ $^

$(BUILD)/postern: $(CGI_O) $(BUILD)/libpostern.a
	$(CC) $(LDFLAGS) -o $@ $(CGI_O) $(BUILD)/libpostern.a $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libpostern.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpostern.a $(LIBS) -lcmocka

$(BUILD)/tests/it_%: tests/integration/it_%.c $(BUILD)/libpostern.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpostern.a $(LIBS) -lcmocka

$(BUILD)/session_bench: tests/bench/session_bench.c tests/unit/redis_server.h $(BUILD)/libpostern.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpostern.a $(LIBS)

# Sign-in through postern vs a bare OpenSSL IMAP login, for make bench.
$(BUILD)/signin_bench: tests/bench/signin_bench.c tests/bench/benchlib.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lssl -lcrypto

# The mailbox pages vs a bare IMAPS client, for make bench.
$(BUILD)/mail_bench: tests/bench/mail_bench.c tests/bench/benchlib.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lssl -lcrypto

# Sending through postern vs a bare submission + APPEND client, for make bench.
$(BUILD)/compose_bench: tests/bench/compose_bench.c tests/bench/benchlib.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lssl -lcrypto

# A minimal fcgi2 responder: the FastCGI floor for make bench.
$(BUILD)/fcgi_floor: tests/bench/fcgi_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

# The library once more for libFuzzer (instrumented, sanitized), then
# one small link per target.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Isrc -D_GNU_SOURCE
FUZZ_O      := $(SRC_C:src/%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@

build/fuzz/libpostern.a: $(FUZZ_O)
	ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/libpostern.a $(wildcard src/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc -D_GNU_SOURCE $< build/fuzz/libpostern.a -o $@ $(LIBS)

unit: $(UNIT_BIN)

run: deps $(BUILD)/postern
	PORT=$(PORT) POSTERN_BIN=$(CURDIR)/$(BUILD)/postern scripts/stack.sh run

stop:
	scripts/stack.sh stop

test: deps $(BUILD)/postern $(UNIT_BIN) $(IT_BIN) $(FUZZ_BIN) $(BUILD)/fcgi_floor
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

valgrind: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do valgrind -q --leak-check=full --error-exitcode=1 --suppressions=tests/valgrind.supp $$t >/dev/null || exit 1; echo "valgrind clean: $$t"; done

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f | sed 's/^fuzz_//'); \
	  mkdir -p build/fuzz/corpus-$$n; cp -n tests/fuzz/corpus/$$n/* build/fuzz/corpus-$$n/ 2>/dev/null; \
	  echo "== $$f for $(FUZZ_SECONDS)s"; $$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$n || exit 1; done

bench: deps $(BUILD)/postern $(BUILD)/fcgi_floor $(BUILD)/session_bench $(BUILD)/signin_bench $(BUILD)/mail_bench $(BUILD)/compose_bench
	BUILD=$(BUILD) tests/bench/run.sh

check-config: $(BUILD)/postern
	$(BUILD)/postern --check-config $(CONFIG)

clean:
	rm -rf build
