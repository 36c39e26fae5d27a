#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# syscall-filter.sh - the system calls a unit's SystemCallFilter= admits
#
# Usage: syscall-filter.sh UNIT
# Prints one name a line, sorted. Follows systemd's rules: the first
# SystemCallFilter= without ~ starts an allow-list, later ones add to it, a
# leading ~ takes away; an allow-list always admits @default, as systemd's
# does; groups (@name) are expanded by systemd-analyze syscall-filter,
# recursively. A unit that starts with a deny-list (~ first)
# or has no filter is refused: everything would be admitted.
set -eu
unit=$1

expand() {
	local item
	for item in "$@"; do
		case "$item" in
		@*) expand $(systemd-analyze syscall-filter --no-pager "$item" |
				sed -n 's/^ \+\([-@a-z0-9_]\+\)$/\1/p') ;;
		*) echo "$item" ;;
		esac
	done
}

allowed=$(mktemp)
trap 'rm -f "$allowed" "$allowed.new" "$allowed.tmp"' EXIT
first=yes
while IFS= read -r value; do
	case "$value" in
	'') : > "$allowed"; first=yes; continue ;;   # an empty assignment resets
	'~'*) deny=yes; value=${value#\~} ;;
	*) deny=no ;;
	esac
	if [ "$first" = yes ] && [ "$deny" = yes ]; then
		echo "syscall-filter.sh: $unit starts with a deny-list" >&2
		exit 1
	fi
	[ "$first" = yes ] && value="@default $value"
	first=no
	# shellcheck disable=SC2086
	expand $value | sort -u > "$allowed.new"
	if [ "$deny" = yes ]; then
		comm -23 "$allowed" "$allowed.new" > "$allowed.tmp"
	else
		sort -u "$allowed" "$allowed.new" > "$allowed.tmp"
	fi
	mv "$allowed.tmp" "$allowed"
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")

if [ "$first" = yes ]; then
	echo "syscall-filter.sh: $unit has no SystemCallFilter= allow-list" >&2
	exit 1
fi
cat "$allowed"
