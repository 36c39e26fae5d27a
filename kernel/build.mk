# SPDX-License-Identifier: LGPL-2.1-or-later
# kernel/build.mk - the patched guest kernel and the uapi header made from it
#
#   make kernel       $(BUILD)/kernel/bzImage (Linux 6.12 + kernel/series)
#   make uapi         regenerate include/linux/iommufd.h from the patched tree
#   make uapi-check   fail if include/linux/iommufd.h differs from it
#   make kernel-selftests
#                     $(BUILD)/kernel/selftests/iommufd_cache_wb, the
#                     series' kselftest, static, for the guest

KERNEL_DIR = $(BUILD)/kernel
KERNEL_DEPS_STAMP = $(BUILD)/.deps-kernel
KERNEL_INPUTS = kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		$(wildcard kernel/config/*.config)
KERNEL_JOBS ?= 2

KERNEL_SELFTESTS = $(KERNEL_DIR)/selftests/iommufd_cache_wb

.PHONY: kernel uapi uapi-check kernel-selftests

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

kernel-selftests: $(KERNEL_SELFTESTS)

$(KERNEL_SELFTESTS): kernel/build.sh kernel/series $(wildcard kernel/patches/*.patch) \
		| $(KERNEL_DEPS_STAMP)
	kernel/build.sh $(KERNEL_DIR) selftest $(@D)

# checkpatch --strict on every patch (needs the unpacked tree from `kernel`).
.PHONY: checkpatch
checkpatch: $(KERNEL_DIR)/bzImage
	@kernel/checkpatch.sh $(KERNEL_DIR)/src $(BUILD)/results/checkpatch.counts
