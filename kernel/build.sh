#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# build.sh - build the flushd guest kernel from Debian's linux-source-6.12
#
# Usage: kernel/build.sh OUTDIR bzimage      build OUTDIR/bzImage
#        kernel/build.sh OUTDIR uapi FILE    write the patched iommufd uapi
#                                            header, as installed, to FILE
#        kernel/build.sh OUTDIR selftest DIR build the series' kselftest
#                                            (static) into DIR
#        kernel/build.sh OUTDIR upstream-selftests DIR
#                                            build the upstream iommufd
#                                            selftests (static), repaired
#                                            by kernel/upstream-selftests/,
#                                            into DIR with their .xfail lists
#
# KERNEL_FLAVOUR=debug adds the fragments in kernel/config/debug/ (the debug
# kernel: KASAN, lockdep, kmemleak, IOMMUFD_TEST, ...).
# KERNEL_SERIES=none builds the same tree and fragments without the series
# and without its option (IOMMUFD_CACHE_WB): the kernel the upstream
# selftests' expected failures are measured on (kernel/upstream-selftests/).
#
# The source is unpacked into OUTDIR/src and the series in kernel/series is
# applied with `patch -p1` (any reject or fuzz fails the build). The tree is
# reused while the tarball, the series file and the patches are unchanged
# (a hash stamp), so the kernel's own make stays incremental; otherwise the
# tree and the objects (OUTDIR/obj) are discarded and rebuilt from scratch.
# The config is `make tinyconfig` plus the fragments in kernel/config/,
# and every option a fragment sets must survive `make olddefconfig`.
#
# Quiet by default; V=1 shows the kernel's build commands.
set -eu

die() { echo "kernel/build.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: build.sh OUTDIR bzimage|uapi FILE|selftest DIR|upstream-selftests DIR"
out=$1
action=$2
here=$(cd "$(dirname "$0")" && pwd)
tarball=${KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
jobs=${JOBS:-$(nproc)}
src=$out/src
obj=$out/obj
kmake() { make -s -C "$src" O="$(cd "$obj" && pwd)" ARCH=x86_64 ${V:+V=$V} "$@"; }
fragments=$(ls "$here"/config/*.config)
case "${KERNEL_FLAVOUR:-}" in
"") ;;
debug) fragments="$fragments $(ls "$here"/config/debug/*.config)" ;;
*) die "unknown KERNEL_FLAVOUR '$KERNEL_FLAVOUR'" ;;
esac

[ -r "$tarball" ] || die "$tarball not found (build-aux/install-deps.sh kernel)"
mkdir -p "$out"
if [ "${KERNEL_SERIES:-}" = none ]; then
	# The fragments minus the series' own option, which does not exist
	# without it (and would count as dropped).
	rm -rf "$out/fragments"
	mkdir -p "$out/fragments"
	n=0
	for f in $fragments; do
		n=$((n + 1))	# keeps the merge order
		grep -v 'CONFIG_IOMMUFD_CACHE_WB[= ]' "$f" > "$out/fragments/$n-$(basename "$f")"
	done
	fragments=$(ls "$out"/fragments/*.config)
fi
# One build.sh at a time per OUTDIR (make kernel and make uapi may race).
exec 9>"$out/.lock"
flock 9

# --- source tree: unpack + series, keyed by a hash of all inputs ---------
series_hash() {
	{
		ls -l --time-style=+%s "$tarball" | awk '{ print $5, $6 }'
		[ -z "${KERNEL_SERIES:-}" ] || echo "series $KERNEL_SERIES"
		cat "$here/series"
		for p in $patches; do cat "$here/patches/$p"; done
	} | sha256sum | cut -d' ' -f1
}
case "${KERNEL_SERIES:-}" in
"") patches=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/series" || true) ;;
none) patches= ;;
*) die "unknown KERNEL_SERIES '$KERNEL_SERIES'" ;;
esac
for p in $patches; do
	[ -r "$here/patches/$p" ] || die "kernel/series lists $p, which is missing"
done
want=$(series_hash)
have=$(cat "$out/.src-hash" 2>/dev/null || true)
if [ "$want" != "$have" ] || [ ! -d "$src" ]; then
	echo "  UNPACK  $(basename "$tarball")"
	rm -rf "$src" "$obj" "$out/.src-hash" "$out/.unpack"
	mkdir -p "$out/.unpack"
	tar -C "$out/.unpack" -xf "$tarball"
	mv "$out/.unpack"/linux-source-* "$src"
	rmdir "$out/.unpack"
	for p in $patches; do
		echo "  PATCH   $p"
		patch -d "$src" -p1 -s -F0 -N --no-backup-if-mismatch \
			-i "$here/patches/$p" || die "$p does not apply"
	done
	echo "$want" > "$out/.src-hash"
fi
mkdir -p "$obj"

case "$action" in
uapi)
	[ $# -eq 3 ] || die "usage: build.sh OUTDIR uapi FILE"
	# `make headers` installs the uapi headers (headers_install.sh:
	# comments kept, __user and CONFIG_ blocks stripped) into obj/usr.
	echo "  HEADERS linux/iommufd.h"
	kmake headers >/dev/null
	cp "$obj/usr/include/linux/iommufd.h" "$3.tmp"
	mv "$3.tmp" "$3"
	exit 0
	;;
selftest)
	[ $# -eq 3 ] || die "usage: build.sh OUTDIR selftest DIR"
	echo "  HEADERS usr/include"
	kmake headers >/dev/null
	mkdir -p "$3"
	dir=$(cd "$3" && pwd)
	echo "  CC      iommufd_cache_wb (kselftest, static)"
	make -s -C "$src/tools/testing/selftests/iommu" OUTPUT="$dir" \
		KHDR_INCLUDES="-isystem $(cd "$obj" && pwd)/usr/include" \
		LDFLAGS=-static "$dir/iommufd_cache_wb" >/dev/null
	exit 0
	;;
upstream-selftests)
	# The selftests shipped in linux-source-6.12 do not compile against
	# that tree's own uapi (a stable-backport mismatch); the repair lives
	# in kernel/upstream-selftests/, outside the series, and is applied
	# to a copy next to the original so that its relative includes work.
	[ $# -eq 3 ] || die "usage: build.sh OUTDIR upstream-selftests DIR"
	echo "  HEADERS usr/include"
	kmake headers >/dev/null
	mkdir -p "$3"
	dir=$(cd "$3" && pwd)
	up=$src/tools/testing/selftests/iommu-upstream
	rm -rf "$up"
	cp -r "$src/tools/testing/selftests/iommu" "$up"
	for p in "$here"/upstream-selftests/*.patch; do
		patch -d "$up" -p1 -s -F0 -N --no-backup-if-mismatch -i "$p" ||
			die "$(basename "$p") does not apply"
	done
	echo "  CC      iommufd iommufd_fail_nth (upstream, repaired, static)"
	make -s -C "$up" OUTPUT="$dir" \
		KHDR_INCLUDES="-isystem $(cd "$obj" && pwd)/usr/include" \
		LDFLAGS=-static "$dir/iommufd" "$dir/iommufd_fail_nth" >/dev/null
	cp "$here"/upstream-selftests/*.xfail "$dir/"
	exit 0
	;;
bzimage) ;;
*) die "unknown action '$action'" ;;
esac

# --- config: tinyconfig + fragments, then check nothing was dropped --------
echo "  CONFIG  tinyconfig +$(for f in $fragments; do printf ' %s' "${f#"$here"/config/}"; done)"
kmake tinyconfig >/dev/null
# shellcheck disable=SC2086
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	$fragments >/dev/null
kmake olddefconfig >/dev/null
# shellcheck disable=SC2086
dropped=$(cat $fragments |
	sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' |
	while IFS= read -r want_line; do
		sym=${want_line%%=*}
		val=${want_line#*=}
		got=$(sed -n "s/^$sym=//p" "$obj/.config")
		[ -n "$got" ] || got=n
		[ "$got" = "$val" ] || echo "$sym=$val (got $got)"
	done)
[ -z "$dropped" ] || die "options dropped by olddefconfig (unmet dependencies?):
$dropped"

# --- build ---------------------------------------------------------------
echo "  BUILD   bzImage (-j$jobs)"
kmake -j"$jobs" bzImage
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage.tmp"
mv "$out/bzImage.tmp" "$out/bzImage"
cp "$obj/.config" "$out/config"
echo "  KERNEL  $out/bzImage"
