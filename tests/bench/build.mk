# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/bench/build.mk - make bench: every performance goal against its baseline, same run
#
#   make bench        boot the guest in bench mode, run the host microbenchmarks,
#                     print the table, write $(BUILD)/bench/bench.json
#   make bench-check  the same; exits non-zero if a goal is missed
#   make bench-quick  seconds, not minutes: proves the bench still runs, judges
#                     no number; `make check` counts it as the suite "bench"
#
# Guest programs go to $(VM_BUILD)/progs, where mkinitramfs.sh picks up
# every executable; host programs to $(BUILD)/bench.

BENCH_DIR = tests/bench
BENCH_BUILD = $(BUILD)/bench
BENCH_OBJ = $(BUILD)/obj/$(BENCH_DIR)

BENCH_GUEST_PROGS = $(VM_PROGS_DIR)/bench-floor $(VM_PROGS_DIR)/flushd-bench
BENCH_HOST_PROGS = $(BENCH_BUILD)/bench-policy $(BENCH_BUILD)/bench-local
BENCH_SD_LIBS = $(shell $(PKG_CONFIG) --libs libsystemd)

$(VM_PROGS_DIR)/bench-floor: $(BENCH_OBJ)/floor.o $(BENCH_OBJ)/util.o
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(BENCH_SD_LIBS) -lm

$(VM_PROGS_DIR)/flushd-bench: $(addprefix $(BENCH_OBJ)/,bench.o util.o latency.o fairness.o tracking.o churn.o scale.o) \
			      $(BUILD)/obj/$(VM_DIR)/progs/workers.o $(BUILD)/libflushd.so.0
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $(filter %.o,$^) $(VM_LIBFLUSHD) $(BENCH_SD_LIBS) -lpthread -lm

$(BENCH_BUILD)/bench-policy: $(BENCH_OBJ)/host-policy.o $(BENCH_OBJ)/util.o $(DAEMON_CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(DAEMON_LIBS) -lm

$(BENCH_BUILD)/bench-local: $(BENCH_OBJ)/host-local.o $(BENCH_OBJ)/util.o $(BUILD)/libflushd.so.0
	@mkdir -p $(@D)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $(filter %.o,$^) $(VM_LIBFLUSHD) $(BENCH_SD_LIBS) -lm

# The guest image carries the bench programs (bench mode, and the quick run
# of `make check`).
$(VM_INITRAMFS): $(BENCH_GUEST_PROGS)
# So does the systemd guest's (flushd.suite=bench; tests/bench/sdvm-image.sh).
$(SDVM_INITRAMFS): $(BENCH_GUEST_PROGS) $(BENCH_DIR)/sdvm-image.sh \
		   $(VM_DIR)/guest/flushd-bench.conf $(VM_DIR)/guest/bench-bus.conf

.PHONY: bench bench-check bench-quick bench-progs
bench-progs: $(BENCH_GUEST_PROGS) $(BENCH_HOST_PROGS)

BENCH_PREREQS = all kernel uapi-check $(VM_INITRAMFS) $(BENCH_HOST_PROGS)

# The full run also boots the systemd guest (goal 3 on dbus-broker and
# dbus-daemon); the quick run does not.
bench: $(BENCH_PREREQS) sdvm-image | $(VM_DEPS_STAMP) $(SDVM_DEPS_STAMP)
	@BUILD=$(BUILD) $(BENCH_DIR)/run.sh

bench-check: $(BENCH_PREREQS) sdvm-image | $(VM_DEPS_STAMP) $(SDVM_DEPS_STAMP)
	@BUILD=$(BUILD) $(BENCH_DIR)/run.sh --check

bench-quick: $(BENCH_PREREQS) | $(VM_DEPS_STAMP)
	@BUILD=$(BUILD) $(BENCH_DIR)/run.sh --quick
