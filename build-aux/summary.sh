#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# summary.sh - add up the per-suite result counts into one closing line
#
# Usage: summary.sh RESULTS_DIR SUITE...
# Each RESULTS_DIR/SUITE.counts holds "PASSED FAILED". A suite with no
# counts file did not run to the end and counts as one failure.
set -eu
dir=$1
shift
passed=0
failed=0
for suite in "$@"; do
	f="$dir/$suite.counts"
	if [ -r "$f" ]; then
		read -r p fl < "$f"
		echo "  $suite: $p passed, $fl failed"
	else
		p=0
		fl=1
		echo "  $suite: did not report results (counted as 1 failure)"
	fi
	passed=$((passed + p))
	failed=$((failed + fl))
done
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
