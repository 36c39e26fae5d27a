#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tcg-boot-crash.sh LOG - exit 0 if the guest console LOG shows an
# "Oops: int3" before the guest's first FLUSHD- line
#
# QEMU TCG (multi-threaded) can trip over a static key that the kernel
# flips while it boots (text_poke_bp's int3; seen in sched_clock_stable()
# when a loaded host made the TSC calibration fail). No test has run then:
# the runners (tests/vm/run.sh, tests/vm/systemd/run.sh) boot once more and
# keep the crashed log as LOG.tcg-crash; a second crash fails the run.
sed 's/\r$//' "$1" | awk '/^FLUSHD-/ { exit } /Oops: int3/ { found = 1; exit } END { exit !found }'
