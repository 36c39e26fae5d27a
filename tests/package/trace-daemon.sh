#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# trace-daemon.sh - the system calls flushd makes, started as its unit starts it
#
# Usage: trace-daemon.sh FLUSHD FLUSHCTL LIBDIR OUTFILE
# Runs FLUSHD as an unprivileged user holding only CAP_SYS_RAWIO (ambient and
# bounding set: what User= and AmbientCapabilities= give it) under strace -f
# on a private bus, with a notify socket set, asks it for status, explain,
# quota, stats and a reload, sends SIGHUP and then SIGTERM, and writes the
# names of the system calls the daemon made from its execve() on to
# OUTFILE, one a line. Fails unless the daemon answered and exited cleanly;
# then the trace and the daemon's log are kept as OUTFILE.trace and .log.
# There is no /dev/iommu here: Flush is answered NotSupported, so the write-back
# path is not traced; after start-up the daemon's own allow-list
# (daemon/sandbox.c) bounds what it may call, and run.sh checks that as well.
# Needs root (to hand out the capability) and strace.
set -eu
flushd=$1
flushctl=$2
libdir=$3
out=$4
user=nobody

dir=$(mktemp -d)
dbus_pid=
trace_pid=
failed() {
	echo "trace-daemon.sh: $*; the trace: $out.trace" >&2
	cp "$dir/trace" "$out.trace" 2>/dev/null || true
	cp "$dir/log" "$out.log" 2>/dev/null || true
	cat "$dir/log" >&2
	exit 1
}
cleanup() {
	[ -n "$trace_pid" ] && kill "$trace_pid" 2>/dev/null || true
	[ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
mkdir "$dir/dropin" "$dir/run"
chown "$user" "$dir/run"
cat > "$dir/flushd.conf" <<'CONF'
[Default]
Allow=no
CONF
sed "s|<auth>|<listen>unix:path=$dir/bus</listen><auth>|" \
	"$(dirname "$0")/../unit/bus.conf" > "$dir/bus.conf"
dbus_pid=$(dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid)

export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/bus
strace -f -qq -o "$dir/trace" \
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
		--inh-caps=-all,+sys_rawio --ambient-caps=+sys_rawio --bounding-set=-all,+sys_rawio \
		env NOTIFY_SOCKET="$dir/run/notify" \
		"$flushd" --bus="$DBUS_SYSTEM_BUS_ADDRESS" --config="$dir/flushd.conf" \
			--dropin-dir="$dir/dropin" --state-file="$dir/run/state" \
			--device="$dir/no-iommu" > "$dir/log" 2>&1 &
trace_pid=$!

ctl() { LD_LIBRARY_PATH=$libdir "$flushctl" "$@" > /dev/null; }
# Start-up under strace on a loaded machine: wait for the first answer
# (bounded, so a daemon that never answers fails the check).
tries=0
until ctl status 2> /dev/null; do
	tries=$((tries + 1))
	if [ "$tries" -gt 600 ] || ! kill -0 "$trace_pid" 2>/dev/null; then
		failed "flushd never answered"
	fi
	sleep 0.1
done
ctl explain
ctl quota
ctl stats
ctl reload
daemon=$(pgrep -P "$trace_pid" -x flushd)
kill -HUP "$daemon"
ctl status
kill -TERM "$daemon"
status=0
wait "$trace_pid" || status=$?
trace_pid=
if [ "$status" -ne 0 ]; then
	failed "flushd exited with status $status"
fi

# From the line where setpriv became flushd on; "<... x resumed>" lines
# name x too.
awk -v exe="execve(\"$flushd\"" 'index($0, exe) { on = 1 } on' "$dir/trace" |
	sed -n -E 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)( resumed>|\().*/\2/p' | sort -u > "$out"
[ -s "$out" ]
