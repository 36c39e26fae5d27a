# SPDX-License-Identifier: LGPL-2.1-or-later
# client/build.mk - libflushd.so.0, its header and .pc, and flushctl
#
#   $(BUILD)/libflushd.so.0   the library (soname libflushd.so.0, exports only
#                             the flushd_* names listed in client/libflushd.sym)
#   $(BUILD)/libflushd.so     dev symlink, what -lflushd finds
#   $(BUILD)/libflushd.pc     pkg-config file for the install paths
#   $(BUILD)/flushctl         the CLI, linked dynamically against libflushd
#                             (no rpath: run it with LD_LIBRARY_PATH=$(BUILD))
#   make install-client       all of the above plus client/flushd.h under $(DESTDIR)

# The library's own version: MAJOR is the soname; bump MINOR when symbols are
# added (in a new node of client/libflushd.sym), MAJOR only on an ABI break.
LIBFLUSHD_VERSION = 0.3.0
LIBFLUSHD_SONAME = libflushd.so.$(firstword $(subst ., ,$(LIBFLUSHD_VERSION)))

LIBFLUSHD_SRCS = client/error.c client/call.c client/dict.c client/flush.c client/explain.c \
	client/admin.c client/local-wb.c client/track.c
LIBFLUSHD_OBJS = $(LIBFLUSHD_SRCS:%.c=$(BUILD)/obj/%.o)
FLUSHCTL_SRCS = client/flushctl.c client/flushctl-common.c client/flushctl-flush.c \
	client/flushctl-explain.c client/flushctl-admin.c client/flushctl-stats.c \
	client/json.c client/table.c
FLUSHCTL_OBJS = $(FLUSHCTL_SRCS:%.c=$(BUILD)/obj/%.o)

# check-config runs the installed daemon unless $FLUSHD names another.
$(BUILD)/obj/client/flushctl-admin.o: FLUSHD_CFLAGS += -DFLUSHD_SBINDIR='"$(SBINDIR)"'

LIBFLUSHD_LIBS = $(shell $(PKG_CONFIG) --libs libsystemd) -pthread

$(BUILD)/$(LIBFLUSHD_SONAME): $(LIBFLUSHD_OBJS) client/libflushd.sym
	$(CC) -shared -Wl,-soname,$(LIBFLUSHD_SONAME) -Wl,--version-script=client/libflushd.sym \
		-Wl,--no-undefined -o $@ $(LIBFLUSHD_OBJS) $(FLUSHD_LDFLAGS) $(LIBFLUSHD_LIBS)

$(BUILD)/libflushd.so: $(BUILD)/$(LIBFLUSHD_SONAME)
	ln -sf $(LIBFLUSHD_SONAME) $@

$(BUILD)/flushctl: $(FLUSHCTL_OBJS) $(BUILD)/libflushd.so
	$(CC) -o $@ $(FLUSHCTL_OBJS) $(FLUSHD_LDFLAGS) -L$(BUILD) -lflushd

# Regenerated on every run but only replaced when the paths changed, so
# "make install PREFIX=..." never installs a .pc naming the previous prefix.
$(BUILD)/libflushd.pc: client/libflushd.pc.in FORCE
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	     $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

all: $(BUILD)/$(LIBFLUSHD_SONAME) $(BUILD)/libflushd.so $(BUILD)/libflushd.pc $(BUILD)/flushctl

.PHONY: install-client

install-client: $(BUILD)/$(LIBFLUSHD_SONAME) $(BUILD)/libflushd.pc $(BUILD)/flushctl
	install -Dm755 $(BUILD)/flushctl $(DESTDIR)$(BINDIR)/flushctl
	install -Dm755 $(BUILD)/$(LIBFLUSHD_SONAME) $(DESTDIR)$(LIBDIR)/libflushd.so.$(LIBFLUSHD_VERSION)
	ln -sf libflushd.so.$(LIBFLUSHD_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBFLUSHD_SONAME)
	ln -sf $(LIBFLUSHD_SONAME) $(DESTDIR)$(LIBDIR)/libflushd.so
	install -Dm644 client/flushd.h $(DESTDIR)$(INCLUDEDIR)/flushd.h
	install -Dm644 $(BUILD)/libflushd.pc $(DESTDIR)$(LIBDIR)/pkgconfig/libflushd.pc
	install -Dm644 client/flushctl.bash-completion $(DESTDIR)$(DATADIR)/bash-completion/completions/flushctl

install: install-client
