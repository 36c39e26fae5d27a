# SPDX-License-Identifier: LGPL-2.1-or-later
# variants.sh - the kernel build variants' guest runs, sourced by /init
# (flushd.mode=modular|unsupported|absent; kernel/series-check.sh boots them)
#
# modular: a kernel with CONFIG_IOMMUFD=m. iommufd.ko comes in a second
#   initramfs archive under /usr/lib/modules/flushd/; loaded, it must give
#   /dev/iommu and pass the series' kselftest and wb-direct; unloaded, the
#   device must go; loaded again, it must work again (nothing the series
#   keeps in built-in code, the static key reference or the per-user
#   counts, outlives the module wrongly).
# unsupported: a kernel with the series but CONFIG_IOMMUFD_CACHE_WB off.
#   The kselftest must skip (exit 4, KSFT_SKIP) and every ioctl of the
#   series must fail with EOPNOTSUPP, for root and for an unprivileged
#   user alike (no EPERM: "unsupported" is checked before the capability).
# absent: a kernel without the series' ioctls (only its first patch, the
#   arch helper): the kselftest must skip as a whole too, and every ioctl
#   of the series fail with ENOTTY.
# No flushd and no bus: these runs are about the kernel alone.
# Expects PASSED and FAILED from /init; uses run_test, fail, call and
# test_unsupported, kselftests_exit and first_failure from testlib.sh and
# tests.sh.

# shellcheck source=SCRIPTDIR/tests.sh
. "$LIBEXEC/tests.sh"

MODULE=/usr/lib/modules/flushd/iommufd.ko

test_module_load() {
        [ -r "$MODULE" ] || fail "$MODULE is not in the image" || return
        [ ! -e /dev/iommu ] || fail "/dev/iommu exists before the module is loaded (IOMMUFD built in?)" || return
        insmod "$MODULE" || fail "insmod $MODULE failed" || return
        # devtmpfs creates the node when the misc device registers.
        [ -c /dev/iommu ] || fail "no /dev/iommu after insmod" || return
        grep -q '^iommufd ' /proc/modules || fail "iommufd not in /proc/modules" || return
}

test_module_works() {
        kselftests_exit 0 || return
        call root / wb-direct granted
        [ "$RC" -eq 0 ] || fail "as root: $(first_failure)" || return
}

test_module_unload() {
        rmmod iommufd || fail "rmmod iommufd failed (a reference left behind?)" || return
        ! grep -q '^iommufd ' /proc/modules || fail "iommufd still in /proc/modules" || return
        [ ! -e /dev/iommu ] || fail "/dev/iommu still there after rmmod" || return
        insmod "$MODULE" || fail "insmod after rmmod failed" || return
        [ -c /dev/iommu ] || fail "no /dev/iommu after the second insmod" || return
        call root / wb-direct granted
        [ "$RC" -eq 0 ] || fail "after reload, as root: $(first_failure)" || return
}

variants_run() {
        case "$MODE" in
        modular)
                run_test modular-load test_module_load
                run_test modular-works test_module_works
                run_test modular-unload-reload test_module_unload
                ;;
        unsupported|absent)
                # No udev rule here: alice opens it as anyone may.
                chmod 0666 /dev/iommu 2>/dev/null
                if [ "$MODE" = unsupported ]; then
                        run_test unsupported-eopnotsupp test_unsupported unsupported
                else
                        run_test absent-enotty test_unsupported absent
                fi
                ;;
        esac
}
