# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/vm/build.mk - QEMU guest: test programs, initramfs, vm-check, demo
#
#   make vm-check   boot the patched kernel with the guest tests (tests/vm/run.sh check)
#   make demo       boot it in demo mode and print the flush/throttle table
#   make vm-image   only the test programs and build/vm/initramfs.cpio.gz
#
# VM_TIMEOUT=seconds bounds the guest run (default 600).

VM_DIR = tests/vm
VM_BUILD = $(BUILD)/vm
VM_PROGS_DIR = $(VM_BUILD)/progs
VM_INITRAMFS = $(VM_BUILD)/initramfs.cpio.gz
VM_DEPS_STAMP = $(BUILD)/.deps-vm
VM_TIMEOUT ?= 600

VM_PROGS = $(addprefix $(VM_PROGS_DIR)/,runas bus-wait wb-direct track-flush demo cwb-stress)
# issue 14's request-path tests (guest/tests-request.sh): sd-bus only.
VM_PROGS_BUS = $(addprefix $(VM_PROGS_DIR)/,flood victim swarm)
VM_PROGS += $(VM_PROGS_BUS) $(VM_PROGS_DIR)/libflushd-example
VM_GUEST_FILES = $(wildcard $(VM_DIR)/guest/*) policy/org.flushd.Flush1.conf
# The product as client/ and daemon/ build it; a rebuild of any of them, of
# a test program, a guest file or the host's busybox/dbus-daemon rebuilds
# the image.
VM_PRODUCT = $(BUILD)/flushd $(BUILD)/flushctl $(BUILD)/libflushd.so.0
# The series' kselftest binaries (kernel/build.mk); each runs in the guest
# as one test.
VM_KSELFTESTS = $(KERNEL_SELFTESTS) $(KERNEL_UPSTREAM_SELFTESTS)
VM_LIBFLUSHD = -L$(BUILD) -l:libflushd.so.0

$(VM_DEPS_STAMP):
	build-aux/install-deps.sh vm
	@mkdir -p $(@D) && touch $@

$(VM_PROGS_DIR)/runas: $(BUILD)/obj/$(VM_DIR)/progs/runas.o $(BUILD)/obj/$(VM_DIR)/progs/become.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^

$(VM_PROGS_DIR)/cwb-stress: $(BUILD)/obj/$(VM_DIR)/progs/cwb-stress.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ -lpthread

$(VM_PROGS_DIR)/wb-direct: $(BUILD)/obj/$(VM_DIR)/progs/wb-direct.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^

$(VM_PROGS_DIR)/bus-wait: $(BUILD)/obj/$(VM_DIR)/progs/bus-wait.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libsystemd)

$(VM_PROGS_BUS): $(VM_PROGS_DIR)/%: $(BUILD)/obj/$(VM_DIR)/progs/%.o $(BUILD)/obj/$(VM_DIR)/progs/become.o \
		 $(BUILD)/obj/$(VM_DIR)/progs/flush-call.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libsystemd)

$(VM_PROGS_DIR)/track-flush: $(BUILD)/obj/$(VM_DIR)/progs/track-flush.o \
			     $(BUILD)/obj/$(VM_DIR)/progs/workers.o $(BUILD)/libflushd.so.0
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $(filter %.o,$^) $(VM_LIBFLUSHD) -lpthread

$(VM_PROGS_DIR)/demo: $(BUILD)/obj/$(VM_DIR)/progs/demo.o \
		      $(BUILD)/obj/$(VM_DIR)/progs/workers.o $(BUILD)/libflushd.so.0
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $(filter %.o,$^) $(VM_LIBFLUSHD) -lpthread

# libflushd(3)'s EXAMPLE, compiled the way a user would: against the library
# as `make install-client` installs it, found with pkg-config.
VM_EXAMPLE_ROOT = $(VM_BUILD)/example-root
$(VM_PROGS_DIR)/libflushd-example: man/libflushd.3 client/flushd.h $(BUILD)/$(LIBFLUSHD_SONAME) $(BUILD)/libflushd.pc
	@mkdir -p $(@D)
	@rm -rf $(VM_EXAMPLE_ROOT)
	$(Q)$(MAKE) --no-print-directory install-client DESTDIR=$(abspath $(VM_EXAMPLE_ROOT)) >/dev/null
	sed -n '/^\.SH EXAMPLE/,/^\.fi/p' $< | sed -e '1,/^\.nf/d' -e '/^\.fi/d' -e 's/\\e/\\/g' -e 's/\\-/-/g' \
		> $(VM_BUILD)/libflushd-example.c
	$(CC) -std=gnu11 -Wall -Wextra -Werror -o $@ $(VM_BUILD)/libflushd-example.c \
		$$(PKG_CONFIG_PATH=$(abspath $(VM_EXAMPLE_ROOT))$(LIBDIR)/pkgconfig \
		   PKG_CONFIG_SYSROOT_DIR=$(abspath $(VM_EXAMPLE_ROOT)) $(PKG_CONFIG) --cflags --libs libflushd)

$(VM_INITRAMFS): $(VM_DIR)/mkinitramfs.sh $(VM_GUEST_FILES) $(VM_PROGS) $(VM_PRODUCT) $(VM_KSELFTESTS) \
		 $(wildcard /bin/busybox /usr/bin/dbus-daemon) | $(VM_DEPS_STAMP)
	@mkdir -p $(@D)
	$(VM_DIR)/mkinitramfs.sh $(BUILD) $@

.PHONY: vm-image
vm-image: $(VM_INITRAMFS)

# kernel/build.mk provides `kernel` ($(BUILD)/kernel/bzImage) and
# `uapi-check`: the programs must be built against the header the guest
# kernel was built with.
vm-check: all kernel uapi-check $(VM_INITRAMFS) | $(VM_DEPS_STAMP)
	@BUILD=$(BUILD) VM_TIMEOUT=$(VM_TIMEOUT) $(VM_DIR)/run.sh check

# The same image on the debug kernel (kernel/build.mk: kernel-debug), part
# of `make check`. KASAN and lockdep under TCG are several times slower, the
# upstream iommufd selftests (190 tests) most of all: 275 s on 2 idle cores,
# about 20 min when other builds and guests load the same 2 cores; the
# bound is well above both and keeps a hung run inside CI's time.
VM_DEBUG_STRESS_SECONDS ?= 60
VM_DEBUG_TIMEOUT ?= 1800
vm-debug-check: all kernel-debug uapi-check $(VM_INITRAMFS) | $(VM_DEPS_STAMP)
	@BUILD=$(BUILD) VM_TIMEOUT=$(VM_DEBUG_TIMEOUT) VM_STRESS_SECONDS=$(VM_DEBUG_STRESS_SECONDS) \
		$(VM_DIR)/run.sh debug

demo: all kernel uapi-check $(VM_INITRAMFS) | $(VM_DEPS_STAMP)
	@BUILD=$(BUILD) VM_TIMEOUT=$(VM_TIMEOUT) $(VM_DIR)/run.sh demo
