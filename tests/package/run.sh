#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh - make package-check: build the Debian packages and check them
#
# Usage: run.sh BUILD
# Builds the packages into BUILD/deb (build-aux/build-deb.sh, as make deb),
# then checks, each check one counted test: lintian, hardening-check, the
# files each package carries, the maintainer scripts, the symbols file,
# systemd-analyze verify and security on the installed tree, the unit's
# directives, the system calls its filter admits against those the daemon
# makes, and what sysusers.d and tmpfiles.d create. Writes
# BUILD/results/package.counts ("PASSED FAILED"). Needs root (the daemon is
# traced holding CAP_SYS_RAWIO).
set -eu
mkdir -p "$1"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
debs=$build/deb
work=$build/package-check
results=$build/results
mkdir -p "$results"
rm -rf "$work"
mkdir -p "$work"

passed=0
failed=0
n=0
# check NAME COMMAND...: one test; the command's output is shown on failure.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" > "$work/check.log" 2>&1; then
		passed=$((passed + 1))
		echo "  ok   $name"
	else
		failed=$((failed + 1))
		echo "  FAIL $name"
		sed 's/^/       /' "$work/check.log" | head -40
	fi
}
finish() {
	echo "$passed $failed" > "$results/package.counts"
	echo "package: $passed passed, $failed failed"
}

packages="flushd libflushd0 libflushd-dev"
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
udevdir=$(pkg-config --variable=udevdir udev 2>/dev/null || echo "${unitdir%/systemd/system}/udev")
deb() { echo "$debs/${1}_${version}_$arch.deb"; }

echo "== package: building the packages (log: $work/deb.log)"
built() {
	(cd "$top" && build-aux/build-deb.sh "$debs") > "$work/deb.log" 2>&1 || {
		tail -30 "$work/deb.log"
		return 1
	}
	for p in $packages; do
		[ -f "$(deb "$p")" ] || { echo "no $(deb "$p")"; return 1; }
	done
}
check "dpkg-buildpackage builds $packages" built
if [ "$failed" -ne 0 ]; then
	finish
	exit 0
fi

echo "== package: lintian"
# Overrides, if ever needed, live in debian/*.lintian-overrides, each with
# the reason next to it; the packages carry them, so lintian applies them.
lintian_run() {
	# Root gets a warning from lintian itself; it does not count.
	lintian --fail-on error,warning "$(deb flushd)" "$(deb libflushd0)" "$(deb libflushd-dev)" \
		> "$work/lintian.log" 2>&1
}
check "lintian --fail-on error,warning" lintian_run
for p in $packages; do
	check "lintian: no error or warning on $p" \
		sh -c '! grep -E "^[EW]: $1[: ]" "$2"' sh "$p" "$work/lintian.log"
done

echo "== package: hardening-check"
tree=$work/tree
mkdir -p "$tree"
for p in $packages; do
	dpkg-deb -x "$(deb "$p")" "$tree"
done
# PIE, stack protector, fortify, RELRO, BIND_NOW. Not control flow
# integrity: Debian 12's crt1.o and crti.o carry no IBT/SHSTK note, so the
# linker drops it from every program, even with -fcf-protection.
for f in usr/sbin/flushd usr/bin/flushctl "usr/lib/$multiarch/libflushd.so.0"; do
	check "hardening-check $f" hardening-check --nocfprotection "$tree/$f"
done

echo "== package: contents"
for p in $packages; do
	sed -e '/^#/d' -e '/^$/d' -e "s|@UNITDIR@|$unitdir|" -e "s|@UDEVDIR@|$udevdir|" \
		-e "s|@MULTIARCH@|$multiarch|" "$here/$p.files" | sort > "$work/$p.want"
	# Files and symlinks only (directories end in /), without the " -> target".
	dpkg-deb -c "$(deb "$p")" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\.||' | sort > "$work/$p.have"
	while read -r f; do
		check "$p carries $f" grep -qxF "$f" "$work/$p.have"
	done < "$work/$p.want"
	check "$p carries nothing else (but usr/share/doc/$p)" \
		sh -c '! comm -13 "$1" "$2" | grep -v "^/usr/share/doc/$3/"' sh "$work/$p.want" "$work/$p.have" "$p"
done
check "flushd: /etc/flushd/flushd.conf is the one conffile" \
	sh -c '[ "$(dpkg-deb -I "$1" conffiles)" = /etc/flushd/flushd.conf ]' sh "$(deb flushd)"
check "libflushd0: libflushd.so.0 links to the library" \
	sh -c 'dpkg-deb -c "$1" | grep -q " \./usr/lib/$2/libflushd\.so\.0 -> libflushd\.so\.0\.3\.0$"' \
	sh "$(deb libflushd0)" "$multiarch"

echo "== package: maintainer scripts and symbols"
dpkg-deb -I "$(deb flushd)" postinst > "$work/postinst"
# line NUMBER of the first line matching PATTERN, or nothing
line() { grep -n -m1 -E "$1" "$work/postinst" | cut -d: -f1; }
in_order() {
	local prev=0 l
	for pattern in "$@"; do
		l=$(line "$pattern")
		[ -n "$l" ] || { echo "postinst lacks $pattern"; return 1; }
		[ "$l" -gt "$prev" ] || { echo "postinst: $pattern before the previous step"; return 1; }
		prev=$l
	done
}
check "postinst: users, device, tmpfiles, then enable and start the unit" \
	in_order 'systemd-sysusers .*flushd.conf' 'udevadm trigger .*--sysname-match=iommu' \
	'systemd-tmpfiles .*--create flushd.conf' "deb-systemd-helper enable 'flushd.service'" \
	"deb-systemd-invoke .*'flushd.service'"
check "postinst: sh -n" sh -n "$work/postinst"
dpkg-deb -I "$(deb flushd)" postrm > "$work/postrm"
check "postrm: sh -n" sh -n "$work/postrm"
check "postrm: purge removes the state and an empty drop-in directory" \
	sh -c 'grep -q "rm -rf /run/flushd" "$1" && grep -q "rmdir /etc/flushd/flushd.conf.d" "$1"' sh "$work/postrm"
check "flushd: Depends on systemd-sysusers" \
	sh -c 'dpkg-deb -f "$1" Depends | grep -q "systemd-sysusers"' sh "$(deb flushd)"
symbols_match() {
	dpkg-deb -I "$(deb libflushd0)" symbols | sed -n 's/^ \([^ ]*\) .*/\1/p' | sort > "$work/symbols.have"
	awk '/^LIBFLUSHD_[0-9.]* *\{/ { node = $1; print node "@" node; next }
	     /^ *flushd_[a-z0-9_]*;/ { gsub(/[ ;\t]/, ""); print $0 "@" node }' \
		"$top/client/libflushd.sym" | sort > "$work/symbols.want"
	diff -u "$work/symbols.want" "$work/symbols.have"
}
check "libflushd0: symbols file = client/libflushd.sym" symbols_match
check "libflushd0: shlibs names libflushd.so.0" \
	sh -c 'dpkg-deb -I "$1" shlibs | grep -qx "libflushd 0 libflushd0 (>= $2)"' sh "$(deb libflushd0)" "$version"

echo "== package: systemd-analyze on the installed tree"
# The packages on top of this system's units and /bin/kill (what the
# dependencies bring), so verify resolves sysinit.target and ExecReload=;
# MANPATH makes Documentation= resolve in the packaged pages.
sysroot=$work/sysroot
mkdir -p "$sysroot$unitdir" "$sysroot/bin"
cp -a "$unitdir/." "$sysroot$unitdir/"
cp -a /bin/kill "$sysroot/bin/kill"
for p in $packages; do
	dpkg-deb -x "$(deb "$p")" "$sysroot"
done
verify() {
	MANPATH=$sysroot/usr/share/man systemd-analyze verify --root="$sysroot" flushd.service \
		> "$work/verify.log" 2>&1 || { cat "$work/verify.log"; return 1; }
	# Unknown keys are only warned about: any output is a failure.
	cat "$work/verify.log"
	[ ! -s "$work/verify.log" ]
}
check "systemd-analyze verify --root: clean" verify
# --threshold is in tenths: 19 admits an exposure of 1.9 at most.
check "systemd-analyze security --offline --threshold=19" \
	systemd-analyze security --no-pager --offline=yes --root="$sysroot" --threshold=19 flushd.service
score_below_2() {
	local score
	score=$(systemd-analyze security --no-pager --offline=yes --root="$sysroot" flushd.service 2>&1 |
		sed -n 's/.*Overall exposure level for flushd.service: \([0-9.]*\).*/\1/p')
	echo "exposure: ${score:-none}"
	[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 2.0) }'
}
check "systemd-analyze security: exposure below 2.0" score_below_2

echo "== package: the unit's directives"
unit=$sysroot$unitdir/flushd.service
has() { grep -qxF "$1" "$unit"; }
lacks() { ! grep -qE "$1" "$unit"; }
for d in Type=notify BusName=org.flushd.Flush1 'ExecReload=/bin/kill -HUP $MAINPID' \
	Restart=on-failure User=flushd SupplementaryGroups=iommu AmbientCapabilities=CAP_SYS_RAWIO \
	CapabilityBoundingSet=CAP_SYS_RAWIO 'DeviceAllow=/dev/iommu rw' DevicePolicy=closed \
	RuntimeDirectory=flushd RuntimeDirectoryPreserve=yes RestrictAddressFamilies=AF_UNIX; do
	check "unit: $d" has "$d"
done
check "unit: WatchdogSec= set" grep -qE '^WatchdogSec=[1-9]' "$unit"
# Each would break the daemon: CAP_SYS_RAWIO outside the init user
# namespace, other users' /proc/PID, /proc/sys/kernel/random/boot_id, and
# PrivateDevices= drops CAP_SYS_RAWIO from the bounding set.
check "unit: no PrivateUsers=" lacks '^PrivateUsers=(yes|true|1|on)'
check "unit: no ProtectProc=invisible" lacks '^ProtectProc=(invisible|noaccess|ptraceable)'
check "unit: no ProcSubset=pid" lacks '^ProcSubset=pid'
check "unit: no PrivateDevices=" lacks '^PrivateDevices=(yes|true|1|on)'

echo "== package: system calls"
# An unreadable filter leaves the list empty, and the checks below fail.
"$here/syscall-filter.sh" "$unit" > "$work/syscalls.allowed" || true
traced() {
	"$here/trace-daemon.sh" "$tree/usr/sbin/flushd" "$tree/usr/bin/flushctl" "$tree/usr/lib/$multiarch" \
		"$work/syscalls.traced"
}
check "flushd starts, answers and stops as its unit runs it, under strace" traced
admitted() {
	[ -s "$1" ] || { echo "no system calls in $1"; return 1; }
	[ -s "$work/syscalls.allowed" ] || { echo "the unit admits no system call"; return 1; }
	local missing
	missing=$(comm -23 "$1" "$work/syscalls.allowed")
	[ -z "$missing" ] || { echo "SystemCallFilter= refuses:" $missing; return 1; }
}
check "SystemCallFilter= admits every call flushd made (start-up to exit)" admitted "$work/syscalls.traced"
grep -o 'SCMP_SYS([a-z0-9_]*)' "$top/daemon/sandbox.c" | sed 's/SCMP_SYS(\(.*\))/\1/' |
	sort -u > "$work/syscalls.sandbox"
check "SystemCallFilter= admits daemon/sandbox.c's allow-list" admitted "$work/syscalls.sandbox"
refused() { ! grep -qxE "$1" "$work/syscalls.allowed"; }
check "SystemCallFilter= refuses setuid, mount, reboot, init_module, setrlimit" \
	refused 'setuid|mount|reboot|init_module|setrlimit'

echo "== package: sysusers.d, tmpfiles.d, udev, polkit"
scratch=$work/scratch
mkdir -p "$scratch/etc" "$scratch/usr/lib"
: > "$scratch/etc/passwd"
: > "$scratch/etc/group"
cp -a "$tree/usr/lib/sysusers.d" "$tree/usr/lib/tmpfiles.d" "$scratch/usr/lib/"
sysusers() {
	systemd-sysusers --root="$scratch" flushd.conf &&
		grep -q '^iommu:' "$scratch/etc/group" &&
		grep -q '^flushd:' "$scratch/etc/group" &&
		grep -E '^flushd:x:[0-9]+:[0-9]+:' "$scratch/etc/passwd" | grep -q ':/usr/sbin/nologin$'
}
check "sysusers.d: group iommu, user flushd (nologin)" sysusers
tmpfiles() {
	systemd-tmpfiles --root="$scratch" --create flushd.conf && [ -d "$scratch/etc/flushd/flushd.conf.d" ]
}
check "tmpfiles.d: creates /etc/flushd/flushd.conf.d" tmpfiles
check "udev: /dev/iommu (misc) to group iommu, 0660" \
	grep -qxF 'SUBSYSTEM=="misc", KERNEL=="iommu", GROUP="iommu", MODE="0660"' \
	"$tree$udevdir/rules.d/60-flushd.rules"
polkit() {
	local f=$tree/usr/share/polkit-1/actions/org.flushd.Flush1.policy flat
	flat=$(tr -d ' \t\n' < "$f")
	case "$flat" in
	*'<actionid="org.flushd.Flush1.manage">'*'<defaults><allow_any>auth_admin</allow_any><allow_inactive>auth_admin</allow_inactive><allow_active>auth_admin</allow_active></defaults>'*) ;;
	*) echo "no org.flushd.Flush1.manage with auth_admin defaults"; return 1 ;;
	esac
}
check "polkit: org.flushd.Flush1.manage, auth_admin throughout" polkit

finish
