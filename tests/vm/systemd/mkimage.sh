#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkimage.sh - the systemd guest's initramfs: base image + flushd's packages + tests
#
# Usage: tests/vm/systemd/mkimage.sh BUILD_DIR OUTPUT
#
# Copies the cached base image (mkrootfs.sh), installs the project's Debian
# packages from BUILD_DIR/deb with `dpkg -i` in a chroot (maintainer scripts
# included: sysusers, enabling the unit; nothing is started, a policy-rc.d
# says no), adds the test users, the guest's /init, the test unit, scripts,
# policies and programs, and a busybox root filesystem for the containers
# (static busybox plus ctr-client and the libraries it needs, taken from the
# image, libflushd from the package). Packs it all as a gzip'd cpio (newc).
set -euo pipefail

build=$(realpath "$1")
out=$2
here=$(dirname "$(realpath "$0")")
vmdir=$(realpath "$here/..")
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libexec=usr/libexec/flushd-sdvm

base=$("$here/mkrootfs.sh" "$build/sdvm")
root=$build/sdvm/image-root
cleanup() {
        mountpoint -q "$root/proc" && umount "$root/proc"
        rm -rf "$root"
}
cleanup
trap cleanup EXIT
start=$(date +%s)
cp -a "$base" "$root"

# --- flushd from its packages ----------------------------------------------
debs=()
for d in "$build"/deb/*.deb; do
        [ -e "$d" ] || continue
        case "${d##*/}" in
        *-dbgsym_*|*-dev_*) continue ;;
        esac
        debs+=("$d")
done
if [ ${#debs[@]} -eq 0 ]; then
        echo "mkimage: no packages in $build/deb (make deb builds them)" >&2
        exit 1
fi
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
log=$build/sdvm/dpkg.log
if ! chroot "$root" sh -c 'dpkg -i /tmp/debs/*.deb' > "$log" 2>&1; then
        echo "mkimage: dpkg -i of ${debs[*]##*/} failed; the end of $log:" >&2
        tail -n 25 "$log" >&2
        exit 1
fi
echo "mkimage: installed ${debs[*]##*/}"

# --- test users --------------------------------------------------------------
# alice, bob, carol: workloads in group iommu (which the package creates);
# dave: in flushadm, the group the test's polkit rule lets manage flushd.
chroot "$root" groupadd -g 1100 flushadm
for u in alice:1000 bob:1001 carol:1002 dave:1003; do
        chroot "$root" useradd -m -s /bin/sh -u "${u#*:}" -U "${u%:*}"
done
if chroot "$root" getent group iommu >/dev/null; then
        for u in alice bob carol; do
                chroot "$root" usermod -aG iommu "$u"
        done
fi
chroot "$root" usermod -aG flushadm dave
# A directory the flushd user may write to, under /etc: the unit's
# ProtectSystem=strict must still make it read-only for the daemon.
mkdir -p "$root/etc/flushd-sdvm-rw"
chroot "$root" chown flushd: /etc/flushd-sdvm-rw || true
umount "$root/proc"
rm -rf "$root/tmp/debs" "$root/usr/sbin/policy-rc.d"

# --- the guest: init, test unit, scripts, policies, programs ----------------
# No block devices, no LVM: e2scrub_reap has nothing to do and fails.
ln -sf /dev/null "$root/etc/systemd/system/e2scrub_reap.service"
install -m 0755 "$here/guest/init" "$root/init"
install -D -m 0644 "$here/guest/flushd-sdvm.service" "$root/etc/systemd/system/flushd-sdvm.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/flushd-sdvm.service "$root/etc/systemd/system/multi-user.target.wants/"
mkdir -p "$root/$libexec"
for f in "$here"/guest/*.sh; do
        install -m 0644 "$f" "$root/$libexec/${f##*/}"
done
install -m 0644 "$vmdir/guest/testlib.sh" "$root/$libexec/testlib.sh"
install -m 0755 "$here/guest/run-tests" "$root/$libexec/run-tests"
install -m 0644 "$here/guest/unit-proofs" "$root/$libexec/unit-proofs"
# ProtectKernelModules= hides the module directory, if there is one: the
# image has no modules, but the directory must exist for the test to see it
# hidden.
mkdir -p "$root/usr/lib/modules"
install -m 0755 "$vmdir/guest/flush-tracked" "$root/$libexec/flush-tracked"
install -D -m 0644 "$here/guest/flushd-sdvm.conf" "$root/etc/flushd/flushd.conf.d/50-sdvm.conf"
install -D -m 0644 "$here/guest/flushd-sdvm.rules" "$root/etc/polkit-1/rules.d/50-flushd-sdvm.rules"
for p in "$build"/vm/progs/runas "$build"/vm/progs/wb-direct "$build"/vm/progs/victim \
         "$build"/sdvm/progs/in-daemon "$build"/sdvm/progs/notify-from \
         "$build"/sdvm/progs/ctr-client; do
        install -m 0755 "$p" "$root/$libexec/${p##*/}"
done
# The bench's programs and policies (flushd.suite=bench), when built.
"$vmdir/../bench/sdvm-image.sh" "$build" "$root/$libexec"
# Every program must find its libraries in the image itself.
for p in "$root/$libexec"/*; do
        [ -x "$p" ] && head -c 4 "$p" | grep -q ELF || continue
        missing=$(chroot "$root" ldd "/$libexec/${p##*/}" | grep 'not found' || true)
        [ -z "$missing" ] || { echo "mkimage: ${p##*/}: $missing" >&2; exit 1; }
done

# --- the containers' root filesystem ----------------------------------------
ctr=$root/var/lib/flushd-sdvm/rootfs
mkdir -p "$ctr"/{bin,dev,proc,sys,tmp,run/dbus,etc,usr/lib/"$multiarch",lib64}
ln -s usr/lib "$ctr/lib"
install -m 0755 /bin/busybox "$ctr/bin/busybox"
for applet in $("$ctr/bin/busybox" --list); do
        [ -e "$ctr/bin/$applet" ] || ln -s busybox "$ctr/bin/$applet"
done
install -m 0755 "$build/sdvm/progs/ctr-client" "$ctr/bin/ctr-client"
chroot "$root" ldd /var/lib/flushd-sdvm/rootfs/bin/ctr-client |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
        while read -r lib; do
                dest=$ctr/$lib
                mkdir -p "$(dirname "$dest")"
                cp -L "$root/$lib" "$dest"
        done
# Mount points of the bind mounts: the root file system is read-only
# in the container, so crun cannot make them.
: > "$ctr/run/dbus/system_bus_socket"
printf 'root:x:0:0:root:/:/bin/sh\n' > "$ctr/etc/passwd"
printf 'root:x:0:\n' > "$ctr/etc/group"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --quiet) | gzip -n -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkimage: $out ($(du -m "$out" | cut -f1) MB, $(( $(date +%s) - start )) s)"
