# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/vm/systemd/build.mk - the systemd guest: Debian 12 with systemd as PID 1
#
#   make sdvm-check   boot the production kernel twice with the systemd image
#                     (dbus-daemon, then dbus-broker as the system bus) and run
#                     the service, confinement, restart, container and polkit
#                     tests; results in $(BUILD)/results/sdvm.counts
#   make sdvm-image   only $(BUILD)/sdvm/initramfs.cpio.gz
#
# The base image (debootstrap, about 3.5 min, needs the Debian archive) is
# cached in $(BUILD)/sdvm/rootfs-KEY (mkrootfs.sh); every image build copies
# it, installs flushd from the project's own packages (make deb, dpkg -i in
# a chroot), adds the test programs and packs it (about 30 s).
# SDVM_TIMEOUT=seconds bounds each boot (default 1500).

SDVM_DIR = tests/vm/systemd
SDVM_BUILD = $(BUILD)/sdvm
SDVM_PROGS_DIR = $(SDVM_BUILD)/progs
SDVM_INITRAMFS = $(SDVM_BUILD)/initramfs.cpio.gz
SDVM_DEPS_STAMP = $(BUILD)/.deps-sdvm
SDVM_TIMEOUT ?= 1500

# Test programs: the busybox guest's helpers and two of this guest's own.
SDVM_PROGS = $(addprefix $(VM_PROGS_DIR)/,runas wb-direct victim) \
	     $(addprefix $(SDVM_PROGS_DIR)/,in-daemon notify-from ctr-client)
SDVM_GUEST_FILES = $(wildcard $(SDVM_DIR)/guest/*) $(VM_DIR)/guest/flush-tracked $(VM_DIR)/guest/testlib.sh
SDVM_BASE_INPUTS = $(SDVM_DIR)/mkrootfs.sh $(SDVM_DIR)/packages

$(SDVM_DEPS_STAMP):
	build-aux/install-deps.sh vm sdvm
	@mkdir -p $(@D) && touch $@

$(SDVM_PROGS_DIR)/in-daemon $(SDVM_PROGS_DIR)/notify-from: $(SDVM_PROGS_DIR)/%: $(BUILD)/obj/$(SDVM_DIR)/progs/%.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^

$(SDVM_PROGS_DIR)/ctr-client: $(BUILD)/obj/$(SDVM_DIR)/progs/ctr-client.o \
			      $(BUILD)/obj/$(VM_DIR)/progs/workers.o $(BUILD)/libflushd.so.0
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $(filter %.o,$^) $(VM_LIBFLUSHD) -lpthread

# The packages come from `make deb` (debian/), into $(BUILD)/deb.
$(SDVM_INITRAMFS): $(SDVM_DIR)/mkimage.sh $(SDVM_BASE_INPUTS) $(SDVM_GUEST_FILES) $(SDVM_PROGS) \
		   $(wildcard $(BUILD)/deb/*.deb) $(wildcard /bin/busybox) | $(SDVM_DEPS_STAMP)
	@mkdir -p $(@D)
	$(SDVM_DIR)/mkimage.sh $(BUILD) $@

.PHONY: sdvm-image sdvm-check
# The packages' own unit tests are unit-check's; not run twice here. The
# package build's full log goes to $(SDVM_BUILD)/deb.log.
sdvm-image:
	@mkdir -p $(SDVM_BUILD)
	@echo "  DEB     $(BUILD)/deb (log: $(SDVM_BUILD)/deb.log)"
	@DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS) nocheck" $(MAKE) --no-print-directory deb \
		> $(SDVM_BUILD)/deb.log 2>&1 || { tail -n 30 $(SDVM_BUILD)/deb.log; exit 1; }
	@$(MAKE) --no-print-directory $(SDVM_INITRAMFS)

sdvm-check: all kernel uapi-check sdvm-image | $(SDVM_DEPS_STAMP)
	@BUILD=$(BUILD) SDVM_TIMEOUT=$(SDVM_TIMEOUT) $(SDVM_DIR)/run.sh
