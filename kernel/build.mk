# SPDX-License-Identifier: LGPL-2.1-or-later
# kernel/build.mk - the patched guest kernel and the uapi header made from it
#
#   make kernel       $(BUILD)/kernel/bzImage (Linux 6.12 + kernel/series)
#   make uapi         regenerate include/linux/iommufd.h from the patched tree
#   make uapi-check   fail if include/linux/iommufd.h differs from it
#   make kernel-selftests
#                     $(BUILD)/kernel/selftests/iommufd_cache_wb, the
#                     series' kselftest, static, for the guest; and
#                     $(BUILD)/kernel/upstream-selftests/, the upstream
#                     iommufd selftests (repaired, see kernel/upstream-selftests/)
#   make kernel-debug $(BUILD)/kernel-debug/bzImage, the same series with
#                     kernel/config/debug/ (KASAN, lockdep, kmemleak, ...)
#   make vm-debug-check
#                     boot the debug kernel with the check image: the
#                     kselftests, cwb-stress and the upstream selftests
#                     (part of `make check`)
#   make kernel-series-check
#                     build after each patch of the series, then IOMMUFD=m
#                     and IOMMUFD_CACHE_WB=n, and boot those two with the
#                     check image (slow; on demand)
#   make upstream-selftests-measure
#                     the upstream selftests on the debug kernel without
#                     the series: what their .xfail lists must say (on demand)

KERNEL_DIR = $(BUILD)/kernel
KERNEL_DEPS_STAMP = $(BUILD)/.deps-kernel
KERNEL_INPUTS = kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		$(wildcard kernel/config/*.config)
KERNEL_JOBS ?= 2

KERNEL_SELFTESTS = $(KERNEL_DIR)/selftests/iommufd_cache_wb
KERNEL_UPSTREAM_SELFTESTS = $(KERNEL_DIR)/upstream-selftests/iommufd
KERNEL_DEBUG_DIR = $(BUILD)/kernel-debug
KERNEL_DEBUG_INPUTS = $(KERNEL_INPUTS) $(wildcard kernel/config/debug/*.config)

.PHONY: kernel uapi uapi-check kernel-selftests kernel-debug vm-debug-check \
	kernel-series-check upstream-selftests-measure

kernel: $(KERNEL_DIR)/bzImage

$(KERNEL_DEPS_STAMP):
	build-aux/install-deps.sh kernel
	@mkdir -p $(@D) && touch $@

$(KERNEL_DIR)/bzImage: $(KERNEL_INPUTS) | $(KERNEL_DEPS_STAMP)
	JOBS=$(KERNEL_JOBS) kernel/build.sh $(KERNEL_DIR) bzimage

$(KERNEL_DIR)/iommufd.h: kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		| $(KERNEL_DEPS_STAMP)
	kernel/build.sh $(KERNEL_DIR) uapi $@

uapi: $(KERNEL_DIR)/iommufd.h
	cp $< include/linux/iommufd.h

uapi-check: $(KERNEL_DIR)/iommufd.h
	@diff -u include/linux/iommufd.h $< || \
		{ echo "include/linux/iommufd.h is stale: run 'make uapi'" >&2; exit 1; }
	@echo '#include <linux/iommufd.h>' | \
		$(CC) -std=gnu11 -Wall -Wextra -Werror -Iinclude -fsyntax-only -xc - && \
		echo "  UAPI    include/linux/iommufd.h matches the patched tree"

kernel-selftests: $(KERNEL_SELFTESTS) $(KERNEL_UPSTREAM_SELFTESTS)

$(KERNEL_SELFTESTS): kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		| $(KERNEL_DEPS_STAMP)
	kernel/build.sh $(KERNEL_DIR) selftest $(@D)

# checkpatch --strict on every patch (needs the unpacked tree from `kernel`).
.PHONY: checkpatch
checkpatch: $(KERNEL_DIR)/bzImage
	@kernel/checkpatch.sh $(KERNEL_DIR)/src $(BUILD)/results/checkpatch.counts

$(KERNEL_UPSTREAM_SELFTESTS): kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		$(wildcard kernel/upstream-selftests/*) | $(KERNEL_DEPS_STAMP)
	kernel/build.sh $(KERNEL_DIR) upstream-selftests $(@D)

kernel-debug: $(KERNEL_DEBUG_DIR)/bzImage

$(KERNEL_DEBUG_DIR)/bzImage: $(KERNEL_DEBUG_INPUTS) | $(KERNEL_DEPS_STAMP)
	KERNEL_FLAVOUR=debug JOBS=$(KERNEL_JOBS) kernel/build.sh $(KERNEL_DEBUG_DIR) bzimage

# vm-debug-check itself is in tests/vm/build.mk, next to vm-check.

kernel-series-check: vm-image | $(KERNEL_DEPS_STAMP)
	JOBS=$(KERNEL_JOBS) kernel/series-check.sh $(BUILD)/kernel-series $(BUILD)

upstream-selftests-measure: vm-image | $(KERNEL_DEPS_STAMP)
	JOBS=$(KERNEL_JOBS) kernel/upstream-selftests/measure.sh $(BUILD)
