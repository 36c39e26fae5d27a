#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# build-deb.sh - build the Debian packages out of tree (make deb)
#
# Usage: build-deb.sh OUTDIR
# Copies the sources (what git tracks or would track - not what it ignores -
# as they are in the work tree; everything but build/ outside a git checkout) to OUTDIR/src and runs
# dpkg-buildpackage there, so the work tree's own build/ and debian/ stay
# untouched; the .deb, .buildinfo and .changes files land in OUTDIR.
set -eu
out=$1
src=$out/src

rm -rf "$src"
rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# --ignore-failed-read: a tracked file deleted in the work tree.
	git ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi

jobs=$(nproc 2>/dev/null || echo 1)
cd "$src"
# -b: binary packages only; -us -uc: nothing to sign. A clean environment:
# the calling make exports its command-line variables (BUILD=..., PREFIX=,
# CFLAGS=...) and MAKEFLAGS, none of which may reach the package's build.
exec env -i PATH="$PATH" HOME="${HOME:-/root}" LC_ALL=C.UTF-8 \
	${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS"} \
	${DEB_BUILD_PROFILES:+DEB_BUILD_PROFILES="$DEB_BUILD_PROFILES"} \
	dpkg-buildpackage -us -uc -b -J"$jobs"
