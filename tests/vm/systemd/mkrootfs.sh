#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mkrootfs.sh - the systemd guest's base image, built once and cached
#
# Usage: tests/vm/systemd/mkrootfs.sh CACHE_DIR
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian)
#
# Prints the path of a Debian 12 (bookworm) minbase root filesystem with the
# packages listed in tests/vm/systemd/packages, slimmed (no documentation,
# manual pages, locales or apt caches; dpkg's database is kept so that
# packages can still be installed into it with dpkg -i). The image lives in
# CACHE_DIR/rootfs-KEY, KEY being a hash of this script, the package list,
# the suite and the mirror: a change of any of them builds a new image
# (about 3.5 min with the archive reachable), otherwise the cached one is
# reused. Older images in CACHE_DIR are removed. Never modify the returned
# tree: copy it (mkimage.sh does).
set -euo pipefail

cache=$1
here=$(dirname "$(realpath "$0")")
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/packages" | paste -sd, -)
key=$({ cat "$0" "$here/packages"; echo "$suite $mirror"; } | sha256sum | cut -c1-16)
dir=$cache/rootfs-$key

if [ -f "$dir.done" ] && [ -d "$dir" ]; then
        echo "$dir"
        exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir.done" ] && [ -d "$dir" ]; then
        echo "$dir"
        exit 0
fi
for old in "$cache"/rootfs-*; do
        [ -e "$old" ] || continue
        rm -rf "$old"
done

tmp=$dir.tmp
rm -rf "$tmp"
start=$(date +%s)
echo "mkrootfs: debootstrap --variant=minbase $suite (cached afterwards in $dir)" >&2
log=$cache/debootstrap.log
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$mirror" > "$log" 2>&1; then
        echo "mkrootfs: debootstrap failed; the end of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
fi

# Slim: nothing the guest reads, nothing dpkg needs.
rm -rf "$tmp"/usr/share/{doc,man,info,locale,lintian,bash-completion} \
       "$tmp"/var/cache/apt/* "$tmp"/var/lib/apt/lists/* "$tmp"/var/log/*.log \
       "$tmp"/var/cache/debconf/*-old "$tmp"/usr/share/zoneinfo/right
mkdir -p "$tmp"/usr/share/{doc,man}
# Keep them out of later dpkg -i runs, too.
cat > "$tmp/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
CFG

# A machine that boots from an initramfs and asks nothing.
echo 5f1d5a1c0ffee0ddf1a5d00dcafe0002 > "$tmp/etc/machine-id"
echo flushd-sdvm > "$tmp/etc/hostname"
ln -sf /dev/null "$tmp/etc/systemd/system/systemd-firstboot.service"
# No terminal login on the serial console: the tests print there.
ln -sf /dev/null "$tmp/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$tmp/etc/systemd/system/getty@tty1.service"
# Nothing to fetch or rotate in a guest that lives for two minutes.
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
         fstrim.timer systemd-tmpfiles-clean.timer; do
        ln -sf /dev/null "$tmp/etc/systemd/system/$u"
done

mv "$tmp" "$dir"
touch "$dir.done"
echo "mkrootfs: $dir ($(du -sm "$dir" | cut -f1) MB, $(( $(date +%s) - start )) s)" >&2
echo "$dir"
