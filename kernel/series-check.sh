#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# series-check.sh - build the kernel after each patch of the series
#
# Usage: kernel/series-check.sh OUTDIR [BUILD]
#
# Unpacks linux-source-6.12 into OUTDIR/src and, for each patch of
# kernel/series in turn, applies it and builds (tinyconfig +
# kernel/config/*.config, the options the patch introduces enabled where
# they exist yet: CPU_CACHE_WB_TRACK through COMPILE_TEST before its first
# user). After the last patch it also builds IOMMUFD=m and a kernel without
# IOMMUFD_CACHE_WB (the -EOPNOTSUPP stubs), and boots both, and the kernel
# after the first patch (no new ioctls yet), with the check image from
# BUILD (default build; `make vm-image`): the module must load, pass the
# kselftest, unload and load again; the kernel without the option must
# answer EOPNOTSUPP to everyone, the one without the ioctls ENOTTY, and the
# kselftest must skip on both (tests/vm/guest/variants.sh). Slow (a build
# per step, shared objects so each step is incremental); not part of
# `make check`.
set -eu

die() { echo "kernel/series-check.sh: $*" >&2; exit 1; }
case $# in 1|2) ;; *) die "usage: series-check.sh OUTDIR [BUILD]" ;; esac
out=$1
vm_build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
[ -r "$vm_build/vm/initramfs.cpio.gz" ] ||
	die "$vm_build/vm/initramfs.cpio.gz is missing (make vm-image)"
tarball=${KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
jobs=${JOBS:-2}
src=$out/src
mkdir -p "$out"
out=$(cd "$out" && pwd)

rm -rf "$src" "$out/.unpack"
mkdir -p "$out/.unpack"
tar -C "$out/.unpack" -xf "$tarball"
mv "$out/.unpack"/linux-source-* "$src"
rmdir "$out/.unpack"

# build NAME TARGETS [CONFIG-LINE...]: own object dir per NAME, so that the
# patch-by-patch steps stay incremental.
build() {
	name=$1
	targets=$2
	shift 2
	obj=$out/obj-$name
	mkdir -p "$obj"
	printf '%s\n' "$@" > "$out/$name.config"
	make -s -C "$src" O="$obj" ARCH=x86_64 tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$here"/config/*.config "$out/$name.config" >/dev/null 2>&1
	make -s -C "$src" O="$obj" ARCH=x86_64 olddefconfig >/dev/null
	for line in "$@"; do
		case "$line" in
		CONFIG_*=*) want=$line ;;
		"# CONFIG_"*" is not set") want=$line ;;
		*) continue ;;
		esac
		grep -qx "$want" "$obj/.config" ||
			die "$name: '$want' did not survive olddefconfig"
	done
	echo "  BUILD   $name ($targets)"
	# shellcheck disable=SC2086
	make -s -C "$src" O="$obj" ARCH=x86_64 -j"$jobs" $targets ||
		die "$name does not build"
}

n=0
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$here/series"); do
	n=$((n + 1))
	echo "  PATCH   $p"
	patch -d "$src" -p1 -s -F0 -N --no-backup-if-mismatch \
		-i "$here/patches/$p" || die "$p does not apply"
	if grep -q 'config IOMMUFD_CACHE_WB$' "$src/drivers/iommu/iommufd/Kconfig"; then
		build step bzImage CONFIG_IOMMUFD_CACHE_WB=y
	elif grep -q 'config CPU_CACHE_WB_TRACK$' "$src/lib/Kconfig"; then
		# The core has no user before the iommufd patch: COMPILE_TEST.
		build step bzImage CONFIG_COMPILE_TEST=y CONFIG_CPU_CACHE_WB_TRACK=y
	else
		build step bzImage
	fi
	echo "  OK      after patch $n"
	# The kernel with the arch helper only: iommufd without the ioctls.
	[ "$n" -ne 1 ] || cp "$out/obj-step/arch/x86/boot/bzImage" "$out/bzImage-absent"
done
build modular "bzImage modules" CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y \
	CONFIG_IOMMUFD=m CONFIG_IOMMUFD_CACHE_WB=y
build no-cache-wb bzImage CONFIG_IOMMUFD=y "# CONFIG_IOMMUFD_CACHE_WB is not set"
echo "series-check: $n patches build one by one; IOMMUFD=m and IOMMUFD_CACHE_WB=n build"

# The module, as a second initramfs archive for the modular guest.
mods=$out/modules-root
rm -rf "$mods"
mkdir -p "$mods/usr/lib/modules/flushd"
ko=$(find "$out/obj-modular" -name iommufd.ko)
[ -n "$ko" ] || die "the modular build made no iommufd.ko"
cp "$ko" "$mods/usr/lib/modules/flushd/iommufd.ko"
(cd "$mods" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -n > "$out/modules.cpio.gz"

tests=$here/../tests/vm
rc=0
BUILD=$vm_build VM_KERNEL=$out/obj-modular/arch/x86/boot/bzImage \
	VM_INITRD_EXTRA=$out/modules.cpio.gz "$tests/run.sh" modular || rc=1
BUILD=$vm_build VM_KERNEL=$out/obj-no-cache-wb/arch/x86/boot/bzImage \
	"$tests/run.sh" unsupported || rc=1
BUILD=$vm_build VM_KERNEL=$out/bzImage-absent "$tests/run.sh" absent || rc=1
[ "$rc" -eq 0 ] || die "a kernel variant failed its guest run (above)"
echo "series-check: the module loads, works, unloads and loads again; without the option every call is EOPNOTSUPP, without the ioctls ENOTTY"
