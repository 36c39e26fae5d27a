#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkinitramfs.sh - build the guest image: busybox, dbus, flushd, tests
#
# Usage: tests/vm/mkinitramfs.sh BUILD_DIR OUTPUT
#
# Lays out a merged-/usr root in a temporary directory and packs it as a
# gzip'd cpio (newc) archive, owned by root. Holds busybox (static, one
# symlink per applet), dbus-daemon with the guest system-bus config and
# flushd's bus policy, flushd, flushctl and libflushd.so.0 when they have
# been built (the guest reports a missing one as a failure), the test
# programs from BUILD_DIR/vm/progs, kernel selftests from
# BUILD_DIR/kernel/selftests (if any), the guest scripts and policies, users
# and groups, a machine-id, and exactly the shared libraries those ELF
# files need, as ldd resolves them on the host (loader included).
set -euo pipefail

build=$(realpath "$1")
out=$2
here=$(dirname "$(realpath "$0")")
top=$(realpath "$here/../..")
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=usr/lib/$multiarch

root=$(mktemp -d "$build/vm/root.XXXXXX")
trap 'rm -rf "$root"' EXIT

install_file() {        # SRC DEST-IN-ROOT MODE
        mkdir -p "$root/$(dirname "$2")"
        cp -L "$1" "$root/$2"
        chmod "$3" "$root/$2"
}

mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,"$libdir",usr/libexec/flushd-vm} \
         "$root"/{etc/flushd,usr/share/dbus-1/system.d,var/lib/dbus} \
         "$root"/{proc,sys,dev,run,tmp,root,home/alice,home/bob,home/carol}
for d in bin sbin lib lib64; do
        ln -s "usr/$d" "$root/$d"
done

# Busybox and its applets.
install_file /bin/busybox usr/bin/busybox 0755
for applet in $("$root/usr/bin/busybox" --list); do
        [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done

elves=("$root/usr/bin/busybox")
add_elf() {             # SRC DEST-IN-ROOT
        install_file "$1" "$2" 0755
        elves+=("$root/$2")
}

add_elf /usr/bin/dbus-daemon usr/bin/dbus-daemon
install_file "$here/guest/system.conf" usr/share/dbus-1/system.conf 0644
install_file "$top/policy/org.flushd.Flush1.conf" usr/share/dbus-1/system.d/org.flushd.Flush1.conf 0644

# The product, as far as it has been built.
[ ! -e "$build/flushd" ] || add_elf "$build/flushd" usr/sbin/flushd
[ ! -e "$build/flushctl" ] || add_elf "$build/flushctl" usr/bin/flushctl
[ ! -e "$build/libflushd.so.0" ] || add_elf "$build/libflushd.so.0" "$libdir/libflushd.so.0"

# Test programs and guest scripts.
for prog in "$build"/vm/progs/*; do
        { [ -x "$prog" ] && [ -f "$prog" ]; } || continue
        add_elf "$prog" "usr/libexec/flushd-vm/$(basename "$prog")"
done
# Kernel selftests, if kernel/ built any: every executable in
# BUILD_DIR/kernel/selftests/ runs in the guest as root, one test each.
for prog in "$build"/kernel/selftests/*; do
        { [ -x "$prog" ] && [ -f "$prog" ]; } || continue
        add_elf "$prog" "usr/libexec/flushd-vm/kselftests/$(basename "$prog")"
done
install_file "$here/guest/init" init 0755
install_file "$here/guest/testlib.sh" usr/libexec/flushd-vm/testlib.sh 0644
install_file "$here/guest/tests.sh" usr/libexec/flushd-vm/tests.sh 0644
install_file "$here/guest/debug.sh" usr/libexec/flushd-vm/debug.sh 0644
install_file "$here/guest/variants.sh" usr/libexec/flushd-vm/variants.sh 0644
# The upstream iommufd selftests and their expected-failure lists, for the
# debug kernel's run (kernel/build.mk), if built.
for f in "$build"/kernel/upstream-selftests/*; do
        [ -f "$f" ] || continue
        if [ -x "$f" ]; then
                add_elf "$f" "usr/libexec/flushd-vm/upstream-selftests/$(basename "$f")"
        else
                install_file "$f" "usr/libexec/flushd-vm/upstream-selftests/$(basename "$f")" 0644
        fi
done
install_file "$here/guest/flush-tracked" usr/libexec/flushd-vm/flush-tracked 0755
install_file "$here/guest/flushd-check.conf" etc/flushd/check.conf 0644
install_file "$here/guest/flushd-demo.conf" etc/flushd/demo.conf 0644
install_file "$here/guest/tests-request.sh" usr/libexec/flushd-vm/tests-request.sh 0644
install_file "$here/guest/flushd-request.conf" etc/flushd/request.conf 0644
install_file "$here/guest/tests-admin.sh" usr/libexec/flushd-vm/tests-admin.sh 0644
install_file "$here/guest/flushd-admin.conf" etc/flushd/admin.conf 0644
install_file "$here/guest/flushd-peruser.conf" etc/flushd/peruser.conf 0644
install_file "$here/guest/flushd-globaluser.conf" etc/flushd/globaluser.conf 0644
# Bench mode (make bench): its steps, policy and the bus floor's bus policy.
install_file "$here/guest/bench.sh" usr/libexec/flushd-vm/bench.sh 0644
install_file "$here/guest/flushd-bench.conf" etc/flushd/bench.conf 0644
install_file "$here/guest/bench-bus.conf" usr/share/dbus-1/system.d/bench-bus.conf 0644

# Users: the daemon's own user and three unprivileged test users in group
# iommu, which the guest init gives access to /dev/iommu.
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
flushd:x:999:999:flushd:/nonexistent:/bin/false
alice:x:1000:1000:alice:/home/alice:/bin/sh
bob:x:1001:1001:bob:/home/bob:/bin/sh
carol:x:1002:1002:carol:/home/carol:/bin/sh
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
iommu:x:990:alice,bob,carol
flushd:x:999:
alice:x:1000:
bob:x:1001:
carol:x:1002:
GROUP
printf 'passwd: files\ngroup: files\n' > "$root/etc/nsswitch.conf"
echo 5f1d5a1c0ffee0ddf1a5d00dcafe0001 > "$root/etc/machine-id"
cp "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"

# Shared libraries, resolved on the host. libflushd comes from the build.
declare -A libs=()
for elf in "${elves[@]}"; do
        readelf -d "$elf" 2>/dev/null | grep -q '(NEEDED)' || continue
        deps=$(LD_LIBRARY_PATH="$build" ldd "$elf") || { echo "mkinitramfs: ldd $elf failed" >&2; exit 1; }
        if grep -q 'not found' <<< "$deps"; then
                echo "mkinitramfs: unresolved libraries for ${elf#"$root"}:" >&2
                grep 'not found' <<< "$deps" >&2
                exit 1
        fi
        while read -r lib; do
                libs[$lib]=1
        done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<< "$deps")
done
for lib in "${!libs[@]}"; do
        case "$lib" in
        /usr/*|/lib/*|/lib64/*) dest=${lib#/} ;;
        *) dest=$libdir/$(basename "$lib") ;;
        esac
        [ -e "$root/$dest" ] || install_file "$lib" "$dest" 0755
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -n -6 > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB, ${#libs[@]} libraries)"
