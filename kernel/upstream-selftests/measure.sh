#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# measure.sh - the upstream iommufd selftests on the debug kernel WITHOUT
# the series: what iommufd.xfail and iommufd_fail_nth.xfail must list
#
# Usage: kernel/upstream-selftests/measure.sh BUILD
#        (make upstream-selftests-measure)
#
# Builds BUILD/kernel-debug-unpatched (kernel/build.sh with
# KERNEL_SERIES=none KERNEL_FLAVOUR=debug: the same tree and fragments,
# neither the series nor IOMMUFD_CACHE_WB), boots it with the debug guest's
# image (BUILD/vm/initramfs.cpio.gz, whose upstream selftests come from the
# patched tree) and flushd.debug=upstream, so that only the upstream
# selftests run (tests/vm/guest/debug.sh), and writes each selftest's
# failing tests, sorted, to BUILD/upstream-measure/NAME.fail. The guest run
# itself fails wherever those differ from the recorded lists; that is
# expected here and not an error of this script.
set -eu

die() { echo "upstream-selftests/measure.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: measure.sh BUILD"
build=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
initrd=$build/vm/initramfs.cpio.gz
[ -r "$initrd" ] || die "$initrd is missing (make vm-image)"

KERNEL_SERIES=none KERNEL_FLAVOUR=debug JOBS=${JOBS:-2} \
	"$top/kernel/build.sh" "$build/kernel-debug-unpatched" bzimage

# tests/vm/run.sh debug boots BUILD/kernel-debug/bzImage: a BUILD of its
# own whose kernel-debug is the unpatched one.
run=$build/upstream-measure
rm -rf "$run"
mkdir -p "$run/kernel-debug" "$run/vm"
ln -s "$(cd "$build" && pwd)/kernel-debug-unpatched/bzImage" "$run/kernel-debug/bzImage"
ln -s "$(cd "$build/vm" && pwd)/initramfs.cpio.gz" "$run/vm/initramfs.cpio.gz"
BUILD=$run VM_TIMEOUT=${VM_TIMEOUT:-3000} VM_APPEND=flushd.debug=upstream \
	"$top/tests/vm/run.sh" debug || true

log=$run/vm/debug.log
for t in iommufd iommufd_fail_nth; do
	# The section of the console between this test's "--- " header and
	# the next one; each line of its output is "    [uptime] line".
	tr -d '\r' < "$log" |
		awk -v h="--- debug-upstream-$t " 'index($0, "--- ") == 1 { p = (index($0, h) == 1) } p' |
		sed -n 's/^ *\[[0-9.]*\] not ok [0-9]* \([^ ]*\).*/\1/p' | sort > "$run/$t.fail"
	summary=$(tr -d '\r' < "$log" | grep "^    $t: exit " || true)
	[ -n "$summary" ] || die "$log has no result line for $t (run cut short?)"
	echo "measure: $summary"
	echo "measure: failing tests in $run/$t.fail:"
	sed 's/^/  /' "$run/$t.fail"
done
