# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/unit/build.mk - Check suites for the daemon's pure modules
#
# One runner links every suite with the daemon's DAEMON_LIB_OBJS (and the
# library's local write-back, with the flush path it falls back to); it prints
# Check's summary and writes $(BUILD)/results/unit.counts ("PASSED FAILED").

UNIT_TEST_OBJS = \
	$(BUILD)/obj/tests/unit/test-main.o \
	$(BUILD)/obj/tests/unit/test-policy.o \
	$(BUILD)/obj/tests/unit/test-policy-dropin.o \
	$(BUILD)/obj/tests/unit/test-quota.o \
	$(BUILD)/obj/tests/unit/test-identity.o \
	$(BUILD)/obj/tests/unit/test-kernel.o \
	$(BUILD)/obj/tests/unit/test-bus.o \
	$(BUILD)/obj/tests/unit/test-queue.o \
	$(BUILD)/obj/tests/unit/test-escape.o \
	$(BUILD)/obj/tests/unit/test-ledger.o \
	$(BUILD)/obj/tests/unit/test-request.o \
	$(BUILD)/obj/tests/unit/fake-flush1.o \
	$(BUILD)/obj/tests/unit/fake-polkit.o \
	$(BUILD)/obj/tests/unit/private-bus.o \
	$(BUILD)/obj/tests/unit/test-client.o \
	$(BUILD)/obj/tests/unit/test-flushctl-doc.o \
	$(BUILD)/obj/tests/unit/test-sandbox.o \
	$(BUILD)/obj/tests/unit/test-manual.o \
	$(BUILD)/obj/tests/unit/test-local-wb.o

UNIT_TEST_LIBS = $(shell $(PKG_CONFIG) --libs check libsystemd inih libcap-ng libseccomp) -lpthread

# The client suites link libflushd's objects and run the built flushctl
# and flushd (check-config) as children.
$(BUILD)/tests/unit-tests: $(UNIT_TEST_OBJS) $(DAEMON_LIB_OBJS) $(LIBFLUSHD_OBJS)
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(UNIT_TEST_LIBS)

unit-check: $(BUILD)/tests/unit-tests $(BUILD)/flushctl $(BUILD)/flushd
	@mkdir -p $(BUILD)/results
	@rm -f $(BUILD)/results/unit.counts
	FLUSHD_BINARY=$(BUILD)/flushd CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-60} \
	FLUSHCTL=$(BUILD)/flushctl FLUSHD=$(BUILD)/flushd LD_LIBRARY_PATH=$(BUILD)$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	FLUSHD_TEST_POLICY_DIR=tests/unit/policy $(BUILD)/tests/unit-tests $(BUILD)/results/unit.counts
