# SPDX-License-Identifier: GPL-2.0
#
# One non-recursive Makefile for the whole toolchain. Sources are found by
# wildcard: every lib/*.c goes into libwg.a, every other program folder's
# non-main .c files into that program's archive, so a new module needs no edit
# here. engine/core/ (the pure protocol core) is an archive of its own, built
# with only -Iengine/core -Ilib so that including a device header fails, and
# its unit tests link without the device. `make check` re-invokes this same
# file with B=build/asan SANITIZE=1 for the unit tests.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
RUNSTATEDIR ?= /var/run
WITH_SYSTEMDUNITS ?= yes

B ?= build
# Objects live apart from the binaries: build/wg is a program, not wg/'s objects.
O := $(B)/obj
CC ?= gcc
PKG_CONFIG ?= pkg-config
PKGS := libmnl libsodium yaml-0.1 libqrencode
WERROR ?= 1
SANITIZE ?=

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wvla \
	-Wimplicit-fallthrough -Wframe-larger-than=4096
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
ifeq ($(SANITIZE),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SANLD := -fsanitize=address,undefined
else
OPT := -O2 -D_FORTIFY_SOURCE=3
SANLD :=
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
override CFLAGS += -std=gnu11 $(OPT) -g $(WARNINGS) -fstack-protector-strong -fPIE -MMD -MP \
	-pthread $(PKG_CFLAGS) \
	-DWG_VERSION='"$(VERSION)"' -DRUNSTATEDIR='"$(RUNSTATEDIR)"'
override LDFLAGS += -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed -pthread $(SANLD)
LDLIBS += $(PKG_LIBS) -lm
INCLUDES := -Ilib -Iengine -Iengine/core -I.
# The core sees itself and lib/ only: an include of the device does not compile.
CORE_INCLUDES := -Iengine/core -Ilib

ifeq ($(V),1)
Q :=
echo_cc = @true
else
Q := @
echo_cc = @printf '  %-7s %s\n' $(1) $(2)
endif

# Program folder -> binary name.
PROGRAMS := wg wg-quick wg-mesh wg-engine
dir_of = $(if $(filter wg-engine,$(1)),engine,$(1))
LIB_SRC := $(wildcard lib/*.c)
define program_vars
$(1)_DIR := $(call dir_of,$(1))
$(1)_MAIN := $$($(1)_DIR)/main.c
$(1)_SRC := $$(filter-out $$($(1)_MAIN),$$(wildcard $$($(1)_DIR)/*.c))
$(1)_AR := $(B)/ar/$$($(1)_DIR).a
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_vars,$(p))))

# The pure protocol core: no I/O, no threads of its own, never the device.
CORE_SRC := $(wildcard engine/core/*.c)
CORE_AR := $(B)/ar/engine-core.a
CORE_MODULES := $(patsubst engine/core/%.c,%,$(CORE_SRC))
wg-engine_EXTRA_AR := $(CORE_AR)

ARCHIVES := $(foreach p,$(PROGRAMS),$($(p)_AR)) $(CORE_AR) $(B)/ar/lib.a
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
# tests/unit/engine-MODULE.c and engine-MODULE-*.c for a core MODULE are the
# core's tests: compiled like the core and linked with its archive and lib/ only.
CORE_TESTS := $(filter $(foreach m,$(CORE_MODULES),$(B)/tests/unit/engine-$(m) \
	$(B)/tests/unit/engine-$(m)-%),$(UNIT_BINS))
CORE_TEST_OBJS := $(patsubst $(B)/tests/unit/%,$(O)/tests/unit/%.o,$(CORE_TESTS))
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))
ALL_SRC := $(LIB_SRC) $(CORE_SRC) $(foreach p,$(PROGRAMS),$($(p)_SRC) $(wildcard $($(p)_MAIN))) \
	$(UNIT_SRC) $(BENCH_SRC)

BINS := $(foreach p,$(PROGRAMS),$(if $(wildcard $($(p)_MAIN)),$(B)/$(p)))

.PHONY: all units benches install uninstall check check-unit check-long bench demo deps \
	clean format format-check asan fuzz help
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BINS)
units: $(UNIT_BINS)
benches: $(BENCH_BINS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(call echo_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c -o $@ $<

$(O)/engine/core/%.o: engine/core/%.c
	@mkdir -p $(@D)
	$(call echo_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(CORE_INCLUDES) -c -o $@ $<

$(CORE_TEST_OBJS): $(O)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call echo_cc,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(CORE_INCLUDES) -c -o $@ $<

$(CORE_AR): $(patsubst %.c,$(O)/%.o,$(CORE_SRC))
	$(call echo_cc,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^

$(B)/ar/lib.a: $(patsubst %.c,$(O)/%.o,$(LIB_SRC))
	$(call echo_cc,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^

define program_rules
$($(1)_AR): $$(patsubst %.c,$(O)/%.o,$$($(1)_SRC))
	$$(call echo_cc,AR,$$@)
	$(Q)mkdir -p $$(@D) && rm -f $$@ && ar rcs $$@ $$^ </dev/null
$(B)/$(1): $(O)/$$($(1)_DIR)/main.o $($(1)_AR) $($(1)_EXTRA_AR) $(B)/ar/lib.a
	$$(call echo_cc,LD,$$@)
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$< -Wl,--start-group $($(1)_AR) $($(1)_EXTRA_AR) $(B)/ar/lib.a \
		-Wl,--end-group $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

$(B)/tests/%: $(O)/tests/%.o $(ARCHIVES)
	$(call echo_cc,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(ARCHIVES) -Wl,--end-group $(LDLIBS)

$(CORE_TESTS): $(B)/tests/unit/%: $(O)/tests/unit/%.o $(CORE_AR) $(B)/ar/lib.a
	$(call echo_cc,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(LDFLAGS) -o $@ $< $(CORE_AR) $(B)/ar/lib.a $(LDLIBS)

-include $(patsubst %.c,$(O)/%.d,$(ALL_SRC))

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(wildcard man/*.8) $(DESTDIR)$(MANDIR)/man8/
	for f in $(wildcard completion/*.bash-completion); do \
		install -m 0644 $$f $(DESTDIR)$(BASHCOMPDIR)/$$(basename $$f .bash-completion); done
ifeq ($(WITH_SYSTEMDUNITS),yes)
	@if ls systemd/*.service >/dev/null 2>&1; then \
		install -d $(DESTDIR)$(SYSTEMDUNITDIR) && \
		for f in systemd/*.service systemd/*.target; do \
			sed 's|@BINDIR@|$(BINDIR)|g' $$f > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$f) && \
			chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$f); done; fi
endif

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard man/*.8)))
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(PROGRAMS))

# ---------------------------------------------------------------- tests
# Unit tests run under ASan and UBSan; the netns and kernel tests drive the
# optimised binaries in build/ against Debian's references in /usr/bin (the
# interop tests among them: tests/netns/*-interop.t, tests/unit/engine-noise-interop).
PROVE ?= prove
TEST_SCRIPTS = $(sort $(wildcard tests/netns/*.t tests/kernel/*.t))

check-unit:
	$(MAKE) --no-print-directory B=build/asan SANITIZE=1 units
	ASAN_OPTIONS=detect_leaks=1 $(PROVE) --exec '' $$(ls build/asan/tests/unit/* | grep -v '\.[od]$$')

check: all
	$(MAKE) --no-print-directory B=build/asan SANITIZE=1 units
	WG_BUILD=$(CURDIR)/$(B) ASAN_OPTIONS=detect_leaks=1 \
		$(PROVE) --exec '' --timer $$(ls build/asan/tests/unit/* | grep -v '\.[od]$$') $(TEST_SCRIPTS)

check-long: all
	WG_BUILD=$(CURDIR)/$(B) WG_LONG=1 $(PROVE) --exec '' --timer $(wildcard tests/long/*.t)

bench: all benches
	WG_BUILD=$(CURDIR)/$(B) tests/bench/run

demo: all
	WG_BUILD=$(CURDIR)/$(B) examples/demo/run

asan:
	$(MAKE) B=build/asan SANITIZE=1 all units

# Every tests/fuzz/*.c defining LLVMFuzzerTestOneInput, built with clang's
# libFuzzer into build/fuzz/ and run FUZZ_SECONDS (default 20) each.
fuzz:
	tests/fuzz/run

deps:
	tests/lib/install-deps

format:
	clang-format -i $(ALL_SRC) $(wildcard */*.h engine/core/*.h tests/*/*.h)

format-check:
	clang-format --dry-run --Werror $(ALL_SRC) $(wildcard */*.h engine/core/*.h tests/*/*.h)

clean:
	rm -rf build

help:
	@echo 'make [target] [V=1] [WERROR=0] [B=builddir]'
	@echo '  all           build build/wg, build/wg-quick, build/wg-mesh, build/wg-engine (default)'
	@echo '  units         build the unit tests into $$B/tests/unit/'
	@echo '  benches       build the C benchmarks into $$B/tests/bench/'
	@echo '  install       install programs, man pages, completion (PREFIX, DESTDIR, ...)'
	@echo '  uninstall     remove what install put there'
	@echo '  check         unit tests (ASan+UBSan), then netns and kernel VM tests, through prove'
	@echo '  check-unit    the unit tests alone, under ASan+UBSan'
	@echo '  check-long    the long runs in tests/long/ (fuzzing)'
	@echo '  bench         ours against the reference binaries, side by side'
	@echo '  demo          the four-site mesh demo in network namespaces'
	@echo '  asan          build everything with ASan+UBSan into build/asan/'
	@echo '  fuzz          build and run every libFuzzer target (FUZZ_SECONDS each)'
	@echo '  deps          install the build and test dependencies (Debian, apt-get)'
	@echo '  format        reformat every source with clang-format'
	@echo '  format-check  fail if any source is not in clang-format shape'
	@echo '  clean         remove build/'
	@echo '  help          this list'
