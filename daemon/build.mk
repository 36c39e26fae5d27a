# SPDX-License-Identifier: LGPL-2.1-or-later
# daemon/build.mk - flushd
#
# DAEMON_CORE_OBJS are the pure parts (no sd-bus); DAEMON_LIB_OBJS is
# everything but main(). The unit tests link the latter (tests/unit/build.mk).

DAEMON_CORE_OBJS = \
	$(BUILD)/obj/daemon/policy.o \
	$(BUILD)/obj/daemon/policy-parse.o \
	$(BUILD)/obj/daemon/policy-dropins.o \
	$(BUILD)/obj/daemon/strindex.o \
	$(BUILD)/obj/daemon/quota.o \
	$(BUILD)/obj/daemon/ledger.o \
	$(BUILD)/obj/daemon/queue.o \
	$(BUILD)/obj/daemon/escape.o \
	$(BUILD)/obj/daemon/identity.o

DAEMON_LIB_OBJS = \
	$(DAEMON_CORE_OBJS) \
	$(BUILD)/obj/daemon/kernel.o \
	$(BUILD)/obj/daemon/state.o \
	$(BUILD)/obj/daemon/event-log.o \
	$(BUILD)/obj/daemon/worker.o \
	$(BUILD)/obj/daemon/outbox.o \
	$(BUILD)/obj/daemon/peer.o \
	$(BUILD)/obj/daemon/report.o \
	$(BUILD)/obj/daemon/authority.o \
	$(BUILD)/obj/daemon/sandbox.o \
	$(BUILD)/obj/daemon/request.o \
	$(BUILD)/obj/daemon/bus.o \
	$(BUILD)/obj/daemon/manager.o

DAEMON_OBJS = $(DAEMON_LIB_OBJS) $(BUILD)/obj/daemon/flushd.o

DAEMON_LIBS = $(shell $(PKG_CONFIG) --libs libsystemd inih libcap-ng libseccomp) -lpthread

all: $(BUILD)/flushd

$(BUILD)/flushd: $(DAEMON_OBJS)
	$(CC) $(FLUSHD_LDFLAGS) -o $@ $^ $(DAEMON_LIBS)
