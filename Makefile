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
DOCDIR ?= $(PREFIX)/share/doc/wgkit
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
else ifeq ($(SANITIZE),leak)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=leak
SANLD := -fsanitize=leak
else ifeq ($(SANITIZE),thread)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=thread
SANLD := -fsanitize=thread
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
	clean format format-check asan tsan fuzz help deb
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

# A relative include ("../device.h") would slip past CORE_INCLUDES: refuse it.
$(CORE_AR): $(patsubst %.c,$(O)/%.o,$(CORE_SRC))
	$(call echo_cc,AR,$@)
	$(Q)if grep -n '^#include "\.\./' $(CORE_SRC) $(wildcard engine/core/*.h); then \
		echo 'engine/core/ includes outside itself (the core never includes the device)' >&2; \
		exit 1; fi
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
# Every file install writes is named by one of these lists, so uninstall removes
# exactly what install wrote. Examples are the tracked kind only: no keystores
# (*.keys) or plan output (out/) a user made by trying them in place.
MAN_PAGES := $(wildcard man/*.[1-8])
UNITS := $(wildcard systemd/*.service systemd/*.target)
EXAMPLE_FILES = $(shell find examples -type f ! -name '*.keys' ! -path '*/out/*' 2>/dev/null | sort)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(MAN_PAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for f in $(wildcard completion/*.bash-completion); do \
		install -m 0644 $$f $(DESTDIR)$(BASHCOMPDIR)/$$(basename $$f .bash-completion); done
	for f in $(EXAMPLE_FILES); do m=0644; [ -x $$f ] && m=0755; \
		install -D -m $$m $$f $(DESTDIR)$(DOCDIR)/$$f; done
ifeq ($(WITH_SYSTEMDUNITS),yes)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for f in $(UNITS); do \
		sed 's|@BINDIR@|$(BINDIR)|g' $$f > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$f) && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$f); done
endif

# Files first, then the directories install made that are now empty (never a
# directory that still holds someone else's file).
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	for m in $(MAN_PAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(PROGRAMS))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(EXAMPLE_FILES))
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	find $(DESTDIR)$(DOCDIR) -depth -type d -empty -delete 2>/dev/null || true

# ---------------------------------------------------------------- deb
# The Debian packages (debian/), built from a copy of the tree in build/deb/ so
# the source tree stays clean; the .debs land in build/deb/. lintian must report
# no error and no warning that debian/*.lintian-overrides does not explain.
DEB_DIR ?= build/deb
DEB_SRC := $(DEB_DIR)/wgkit-$(VERSION)
LINTIAN ?= lintian

deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./.git --exclude=./out --exclude='./examples/*.keys' \
		--exclude=./examples/out . | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="nocheck parallel=2 $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc
	$(LINTIAN) --fail-on error,warning --info $(DEB_DIR)/wgkit_$(VERSION)_*.changes

# ---------------------------------------------------------------- tests
# Unit tests run under ASan and UBSan; the netns and kernel tests drive the
# optimised binaries in build/ against Debian's references in /usr/bin (the
# interop tests among them: tests/netns/*-interop.t, tests/unit/engine-noise-interop).
PROVE ?= prove
TEST_SCRIPTS = $(sort $(wildcard tests/netns/*.t tests/kernel/*.t tests/pkg/*.t))

check-unit:
	$(MAKE) --no-print-directory B=build/asan SANITIZE=1 units
	ASAN_OPTIONS=detect_leaks=1 $(PROVE) --exec '' $$(ls build/asan/tests/unit/* | grep -v '\.[od]$$')

check: all
	$(MAKE) --no-print-directory B=build/asan SANITIZE=1 units
	WG_BUILD=$(CURDIR)/$(B) ASAN_OPTIONS=detect_leaks=1 \
		$(PROVE) --exec '' --timer $$(ls build/asan/tests/unit/* | grep -v '\.[od]$$') $(TEST_SCRIPTS)
	$(MAKE) --no-print-directory tsan

# The long runs: hour-long fuzzing, a 10-minute soak of two engines built with
# LeakSanitizer (build/lsan/wg-engine), and the engine netns tests again with
# programs built with ThreadSanitizer (build/tsan/).
check-long: all
	$(MAKE) --no-print-directory B=build/lsan SANITIZE=leak build/lsan/wg-engine
	$(MAKE) --no-print-directory B=build/tsan SANITIZE=thread all
	WG_BUILD=$(CURDIR)/$(B) WG_LONG=1 WG_SOAK_ENGINE=$(CURDIR)/build/lsan/wg-engine \
		WG_TSAN_BUILD=$(CURDIR)/build/tsan \
		$(PROVE) --exec '' --timer $(wildcard tests/long/*.t)

bench: all benches
	WG_BUILD=$(CURDIR)/$(B) tests/bench/run

demo: all
	WG_BUILD=$(CURDIR)/$(B) examples/demo/run

asan:
	$(MAKE) B=build/asan SANITIZE=1 all units

# The threaded engine tests (the device, its load and UAPI tests, noise's
# threads, the peers' mutex) under ThreadSanitizer: any report fails the run
# (exit code 66).
TSAN_UNITS := $(patsubst tests/unit/%.c,build/tsan/tests/unit/%,$(wildcard \
	tests/unit/engine-device*.c tests/unit/engine-noise-threads.c tests/unit/engine-mutex.c))
tsan:
	$(MAKE) --no-print-directory B=build/tsan SANITIZE=thread $(TSAN_UNITS)
	TSAN_OPTIONS='exitcode=66 second_deadlock_stack=1' $(PROVE) --exec '' --timer $(TSAN_UNITS)

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
	@echo '  deb           build the Debian packages into build/deb/ and run lintian'
	@echo '  check         unit tests (ASan+UBSan), netns, package and kernel VM tests, then tsan, through prove'
	@echo '  check-unit    the unit tests alone, under ASan+UBSan'
	@echo '  check-long    tests/long/: fuzzing, a 10-minute engine soak (LSan), engine netns tests (TSan)'
	@echo '  bench         ours against the reference binaries, side by side'
	@echo '  demo          the four-site mesh demo in network namespaces'
	@echo '  asan          build everything with ASan+UBSan into build/asan/'
	@echo '  tsan          the threaded engine tests under ThreadSanitizer (build/tsan/)'
	@echo '  fuzz          build and run every libFuzzer target (FUZZ_SECONDS each)'
	@echo '  deps          install the build and test dependencies (Debian, apt-get)'
	@echo '  format        reformat every source with clang-format'
	@echo '  format-check  fail if any source is not in clang-format shape'
	@echo '  clean         remove build/'
	@echo '  help          this list'
