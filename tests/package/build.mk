# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/package/build.mk - make package-check
#
# Builds the Debian packages (as make deb) and checks them: lintian,
# hardening-check, each package's files, maintainer scripts and symbols,
# systemd-analyze verify and security on the installed tree, the unit's
# directives and system call filter against the calls the daemon makes
# under strace, sysusers.d, tmpfiles.d, udev and polkit files. Writes
# $(BUILD)/results/package.counts. Needs root.

.PHONY: package-check
package-check: | $(PACKAGE_DEPS_STAMP) $(DEPS_STAMP)
	@mkdir -p $(BUILD)/results
	@rm -f $(BUILD)/results/package.counts
	tests/package/run.sh $(BUILD)
