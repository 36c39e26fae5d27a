#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# sdvm-image.sh - the bench's part of the systemd guest's image (mkimage.sh)
#
# Usage: tests/bench/sdvm-image.sh BUILD_DIR LIBEXEC_DIR
#
# Installs flushd-bench and bench-floor (from BUILD_DIR/vm/progs) and the
# bench's flushd and bus policies into LIBEXEC_DIR, where
# tests/vm/systemd/guest/bench.sh finds them (flushd.suite=bench). The
# programs exist once `make bench-progs` (or the busybox image) built them;
# without them the image has no bench, and says so.
set -eu

build=$1
dest=$2
here=$(dirname "$(realpath "$0")")
guest=$(realpath "$here/../vm/guest")

if [ ! -x "$build/vm/progs/flushd-bench" ] || [ ! -x "$build/vm/progs/bench-floor" ]; then
        echo "sdvm-image: no $build/vm/progs/flushd-bench or bench-floor: the image has no bench"
        exit 0
fi
install -m 0755 "$build/vm/progs/flushd-bench" "$build/vm/progs/bench-floor" "$dest/"
install -m 0644 "$guest/flushd-bench.conf" "$guest/bench-bus.conf" "$dest/"
echo "sdvm-image: the bench's programs and policies in /${dest#*/image-root/}"
