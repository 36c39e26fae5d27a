# SPDX-License-Identifier: LGPL-2.1-or-later
# flushd - the one entry point: build, test, demo, install.
#
#   make            userspace: flushd, flushctl, libflushd
#   make check      unit tests, guest tests, checkpatch, bench, packages, then one summary line
#   make unit-check Check suites only (no kernel, no guest)
#   make vm-check   patched kernel + initramfs + QEMU guest tests
#   make vm-debug-check  the same image on the debug kernel (KASAN, lockdep, ...)
#   make sdvm-check the systemd guest: flushd from its packages under systemd, containers
#   make checkpatch checkpatch.pl --strict on every kernel patch
#   make demo       boot the guest and show a workload flushed, then throttled
#   make kernel     patched bzImage only
#   make bench      boot the guest, run every benchmark, print the table (bench-check: fail on a missed goal)
#   make install DESTDIR=... PREFIX=/usr
#   make deb        the Debian packages, in build/deb/
#   make package-check  build the packages and check them (lintian, hardening, unit)
#
# Each folder contributes a build.mk fragment; the folder owns its rules.
# Missing Debian packages are installed on demand (build-aux/install-deps.sh).

VERSION = 0.1
BUILD ?= build
CC ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib/$(shell $(CC) -print-multiarch 2>/dev/null)
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
# Where systemd and udev look on this system: Debian 12 says /lib/systemd/system
# (and dh_installsystemd only looks there). Recursive (?=) so pkg-config runs
# when a rule needs the value, after the packages are installed.
SYSTEMD_VAR = $(shell $(PKG_CONFIG) --variable=$(1) systemd 2>/dev/null)
UNITDIR ?= $(or $(call SYSTEMD_VAR,systemdsystemunitdir),/usr/lib/systemd/system)
SYSUSERSDIR ?= $(or $(call SYSTEMD_VAR,sysusersdir),/usr/lib/sysusers.d)
TMPFILESDIR ?= $(or $(call SYSTEMD_VAR,tmpfilesdir),/usr/lib/tmpfiles.d)
# udev's rules live next to the units (/lib/udev beside /lib/systemd).
UDEVDIR ?= $(or $(shell $(PKG_CONFIG) --variable=udevdir udev 2>/dev/null),$(patsubst %/systemd/system,%/udev,$(UNITDIR)))
POLKITACTIONDIR ?= $(DATADIR)/polkit-1/actions

# CPPFLAGS, CFLAGS and LDFLAGS from the environment or the command line
# (dpkg-buildflags: _FORTIFY_SOURCE, -fstack-protector-strong, -z relro -z now)
# come last on every compile and every link, so they win.
#
# SANITIZE=1 builds everything with ASan + UBSan.
SANITIZE ?= 0
OPTFLAGS ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	    -Wformat=2 -Wno-unused-parameter
SANFLAGS_1 = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANFLAGS = $(SANFLAGS_$(SANITIZE))

# Recursive (=) so pkg-config runs after the packages are installed.
PKGS = libsystemd libcap-ng libseccomp inih
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))

FLUSHD_CFLAGS = -std=gnu11 -fPIC -D_GNU_SOURCE -DFLUSHD_VERSION='"$(VERSION)"' $(OPTFLAGS) $(WARNFLAGS) $(SANFLAGS) \
		-Iinclude -Iclient -Idaemon $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
FLUSHD_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

DEPS_STAMP = $(BUILD)/.deps-userspace
# INSTALL_DEPS=no never calls install-deps.sh: a package build (debian/rules),
# where dpkg-checkbuilddeps has already checked the Build-Depends.
INSTALL_DEPS ?= yes

.PHONY: FORCE all check unit-check vm-check demo kernel install install-data clean
all:

$(DEPS_STAMP):
	$(if $(filter no,$(INSTALL_DEPS)),,build-aux/install-deps.sh userspace)
	@mkdir -p $(@D) && touch $@

# Objects depend on the flags they were built with, so switching e.g.
# SANITIZE rebuilds them.
FLAGS_STAMP = $(BUILD)/.flags
BUILD_FLAGS = $(CC) $(OPTFLAGS) $(SANFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@
FORCE:

# V=1 shows the full compiler command lines.
V ?= 0
Q = $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(FLUSHD_CFLAGS) -MMD -MP -c -o $@ $<

include client/build.mk
include daemon/build.mk
include tests/unit/build.mk
include kernel/build.mk
include tests/vm/build.mk
include tests/vm/systemd/build.mk
include tests/bench/build.mk
include debian/build.mk
include tests/package/build.mk

# Every suite writes $(BUILD)/results/<suite>.counts ("PASSED FAILED");
# a suite that wrote nothing counts as failed.
check:
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory unit-check || true
	@$(MAKE) --no-print-directory vm-check || true
	@$(MAKE) --no-print-directory sdvm-check || true
	@$(MAKE) --no-print-directory checkpatch || true
	@$(MAKE) --no-print-directory vm-debug-check || true
	@$(MAKE) --no-print-directory bench-quick || true
	@$(MAKE) --no-print-directory package-check || true
	@build-aux/summary.sh $(BUILD)/results unit vm sdvm checkpatch vm-debug bench package

# Data files: policy, bus policy, units, manual. Binaries come from the
# folders' own install-* rules.
install: install-data
install-data: all
	install -Dm755 $(BUILD)/flushd $(DESTDIR)$(SBINDIR)/flushd
	install -Dm644 policy/flushd.conf $(DESTDIR)$(SYSCONFDIR)/flushd/flushd.conf
	install -Dm644 policy/org.flushd.Flush1.conf \
		$(DESTDIR)$(DATADIR)/dbus-1/system.d/org.flushd.Flush1.conf
	install -Dm644 policy/org.flushd.Flush1.Manager.xml \
		$(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.flushd.Flush1.Manager.xml
	install -Dm644 systemd/flushd.service $(DESTDIR)$(UNITDIR)/flushd.service
	install -Dm644 systemd/flushd.sysusers $(DESTDIR)$(SYSUSERSDIR)/flushd.conf
	install -Dm644 systemd/flushd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/flushd.conf
	install -Dm644 systemd/60-flushd.rules $(DESTDIR)$(UDEVDIR)/rules.d/60-flushd.rules
	install -Dm644 policy/org.flushd.Flush1.policy \
		$(DESTDIR)$(POLKITACTIONDIR)/org.flushd.Flush1.policy
	install -Dm644 systemd/org.flushd.Flush1.service \
		$(DESTDIR)$(DATADIR)/dbus-1/system-services/org.flushd.Flush1.service
	for m in man/*.[0-9]; do \
		install -Dm644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; \
	done

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
