# SPDX-License-Identifier: LGPL-2.1-or-later
# debian/build.mk - make deb
#
#   $(BUILD)/deb/*.deb  flushd, libflushd0, libflushd-dev (and their
#                       .buildinfo/.changes), built from a copy of the
#                       sources in $(BUILD)/deb/src by dpkg-buildpackage
#
# make deb installs what it needs first (install-deps.sh userspace package);
# the package build itself never does (debian/rules: INSTALL_DEPS=no).

DEB_DIR = $(BUILD)/deb
PACKAGE_DEPS_STAMP = $(BUILD)/.deps-package

$(PACKAGE_DEPS_STAMP):
	build-aux/install-deps.sh userspace package
	@mkdir -p $(@D) && touch $@

.PHONY: deb
deb: | $(PACKAGE_DEPS_STAMP)
	build-aux/build-deb.sh $(DEB_DIR)
