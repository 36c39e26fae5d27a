#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# checkpatch.sh - run the kernel's checkpatch.pl --strict on every patch of the series
#
# Usage: kernel/checkpatch.sh SRCDIR COUNTS
# SRCDIR is an unpacked kernel tree (kernel/build.sh makes one). A patch
# passes when checkpatch reports no error and no warning (its CHECKs are
# printed but do not fail). Writes "PASSED FAILED" to COUNTS.
set -eu

[ $# -eq 2 ] || { echo "usage: checkpatch.sh SRCDIR COUNTS" >&2; exit 2; }
src=$1
counts=$2
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$here/series"); do
	# --strict exits non-zero on CHECKs too: judge by the totals line.
	out=$(cd "$src" && scripts/checkpatch.pl --strict --quiet --show-types \
		"$here/patches/$p" 2>&1) || true
	totals=$(echo "$out" | sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings.*/\1 \2/p')
	if [ -z "$out" ] || [ "$totals" = "0 0" ]; then
		echo "  PASS  checkpatch $p"
		passed=$((passed + 1))
	else
		echo "  FAIL  checkpatch $p"
		failed=$((failed + 1))
	fi
	[ -z "$out" ] || echo "$out" | sed 's/^/        /'
done

mkdir -p "$(dirname "$counts")"
echo "$passed $failed" > "$counts"
echo "checkpatch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
