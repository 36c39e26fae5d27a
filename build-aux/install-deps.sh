#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# install-deps.sh - install the Debian packages a make target needs
#
# Usage: install-deps.sh userspace|kernel|vm|package|sdvm
# Each group is checked with dpkg-query; only what is missing is installed.
# As root the missing packages are installed with apt-get; otherwise, and
# under fakeroot (make install DESTDIR=...: root in name only), the exact
# apt-get line is printed and the script fails, so make stops.
set -eu

userspace="gcc make pkg-config libsystemd-dev libcap-ng-dev libseccomp-dev libinih-dev check dbus-daemon mandoc man-db"
# The kernel source is pinned: the patch series, the uapi header generated
# from it (include/linux/iommufd.h, make uapi-check) and the figures in
# kernel/ are for this version, and bookworm-security keeps its old
# versions while it publishes newer ones.
kernel_source_version=6.12.117-1~deb12u1
kernel="linux-source-6.12=$kernel_source_version bc bison flex libelf-dev libssl-dev xz-utils cpio kmod perl python3-ply python3-git"
vm="qemu-system-x86 busybox-static dbus"
# make deb and make package-check: debian/control's Build-Depends (beyond
# userspace), the package tools, and what the checks run: lintian,
# hardening-check (devscripts), systemd-analyze and the pkg-config dirs
# (systemd), strace and pgrep (procps) for the system call check;
# dpkg-buildpackage requires build-essential on top of Build-Depends.
package="build-essential debhelper dpkg-dev fakeroot lintian devscripts systemd strace procps"
# The systemd guest's base image (tests/vm/systemd/mkrootfs.sh).
sdvm="debootstrap cpio"

pkgs=
for group in "$@"; do
	case "$group" in
	userspace) pkgs="$pkgs $userspace" ;;
	kernel) pkgs="$pkgs $kernel" ;;
	vm) pkgs="$pkgs $vm" ;;
	package) pkgs="$pkgs $package" ;;
	sdvm) pkgs="$pkgs $sdvm" ;;
	*) echo "install-deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

# NAME=VERSION wants that version exactly.
missing=
for p in $pkgs; do
	name=${p%%=*}
	status=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
	case "$p" in
	*=*) [ "$status" = "installed ${p#*=}" ] || missing="$missing $p" ;;
	*) [ "${status%% *}" = installed ] || missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends --allow-downgrades$missing"
if [ "$(id -u)" -ne 0 ] || [ -n "${FAKEROOTKEY:-}" ]; then
	echo "flushd: missing packages:$missing" >&2
	echo "flushd: run as root:  apt-get update && $line" >&2
	exit 1
fi
echo "flushd: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty on a fresh machine.
apt-get update -qq
# dpkg's progress goes to stdout; errors still reach stderr.
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends --allow-downgrades $missing >/dev/null
