# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-confine.sh - what the running daemon can and cannot do
#
# The capability sets, NO_NEW_PRIVS and seccomp of the unit's main process,
# then system calls made by the daemon itself: in-daemon stops one of its
# threads by ptrace and has it run openat() or socket(), with every
# namespace, cgroup, credential, capability and seccomp filter it really
# has (nothing is read from the unit file). Each refusal is set against a
# control: the same call, injected the same way into an unconfined process
# of the same user (the flushd user, its groups, no capabilities), succeeds.

SDVM_RW=/etc/flushd-sdvm-rw
CONTROL_PID=

control_start() {
        [ -z "$CONTROL_PID" ] || return 0
        setpriv --reuid=flushd --regid=flushd --init-groups sleep 600 &
        CONTROL_PID=$!
        sleep 0.5
}

control_stop() {
        [ -z "$CONTROL_PID" ] || kill "$CONTROL_PID" 2>/dev/null
        CONTROL_PID=
}

# inject WHO PID ARGS...: in-daemon; sets RES to its verdict.
inject() {
        label=$1
        shift
        RES=$(in-daemon "$@" 2>&1)
        rc=$?
        RES=${RES#in-daemon: }
        echo "  [$label] in-daemon $* -> $RES"
        [ "$rc" -eq 0 ] || RES="(not injected: $RES)"
}

test_confine_status() {
        pid=$(prop MainPID)
        st=/proc/$pid/status
        grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' "$st" | sed 's/^/    /'
        for set in CapEff CapBnd CapPrm; do
                grep -q "^$set:[[:space:]]*0000000000020000$" "$st" ||
                        problem "$(grep "^$set:" "$st"), want 0000000000020000 (CAP_SYS_RAWIO only)"
        done
        grep -Eq '^CapAmb:[[:space:]]*00000000000(00000|20000)$' "$st" ||
                problem "$(grep ^CapAmb: "$st"), want 0 or CAP_SYS_RAWIO"
        grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || problem "NoNewPrivs is not 1"
        for t in /proc/$pid/task/*/status; do
                grep -q '^Seccomp:[[:space:]]*2$' "$t" || problem "thread ${t%/status}: $(grep ^Seccomp: "$t")"
        done
        [ "$(stat -c %U "/proc/$pid")" = flushd ] || problem "runs as $(stat -c %U "/proc/$pid"), want flushd"
        verdict
}

# /dev/kmsg: hidden (ProtectKernelLogs=) and not an allowed device.
test_confine_kmsg() {
        control_start
        inject daemon "$(prop MainPID)" open /dev/kmsg r
        case "$RES" in
        "errno "*) ;;
        *) problem "the daemon opened /dev/kmsg: $RES" ;;
        esac
        inject control "$CONTROL_PID" open /dev/kmsg r
        [ "$RES" = ok ] || problem "control could not open /dev/kmsg either ($RES): the test proves nothing"
        verdict
}

# A directory the flushd user owns, under /etc: EROFS for the daemon
# (ProtectSystem=strict), writable for the control.
test_confine_etc_readonly() {
        control_start
        rm -f "$SDVM_RW"/*
        inject daemon "$(prop MainPID)" open "$SDVM_RW/daemon" create
        [ "$RES" = "errno EROFS" ] || problem "daemon creating $SDVM_RW/daemon: $RES, want errno EROFS"
        inject control "$CONTROL_PID" open "$SDVM_RW/control" create
        [ "$RES" = ok ] && [ -e "$SDVM_RW/control" ] || problem "control could not create $SDVM_RW/control ($RES)"
        [ ! -e "$SDVM_RW/daemon" ] || problem "$SDVM_RW/daemon exists"
        rm -f "$SDVM_RW"/*
        verdict
}

# AF_INET: refused (seccomp: SIGSYS, caught by the tracer; or an errno);
# AF_UNIX still works in the daemon.
test_confine_no_inet() {
        control_start
        inject daemon "$(prop MainPID)" socket inet
        case "$RES" in
        SIGSYS|"errno "*) ;;
        *) problem "the daemon got an AF_INET socket: $RES" ;;
        esac
        inject daemon "$(prop MainPID)" socket unix
        [ "$RES" = ok ] || problem "the daemon could not make an AF_UNIX socket: $RES"
        inject control "$CONTROL_PID" socket inet
        [ "$RES" = ok ] || problem "control got no AF_INET socket either ($RES)"
        flushd_active || problem "flushd.service is $(systemctl is-active flushd.service) afterwards"
        verdict
}

# DevicePolicy=closed + DeviceAllow=/dev/iommu: a node of kmsg's numbers
# (1:11), mode 0666, outside ProtectKernelLogs='s reach, is refused with
# EPERM by the device cgroup (BPF); /dev/iommu opens read-write.
test_confine_device_policy() {
        control_start
        node=/dev/sdvm-char-1-11
        rm -f "$node"
        mknod -m 0666 "$node" c 1 11
        inject daemon "$(prop MainPID)" open "$node" r
        [ "$RES" = "errno EPERM" ] || problem "daemon opening $node (1:11, 0666): $RES, want errno EPERM"
        inject daemon "$(prop MainPID)" open /dev/iommu w
        [ "$RES" = ok ] || problem "daemon opening /dev/iommu: $RES"
        inject control "$CONTROL_PID" open "$node" r
        [ "$RES" = ok ] || problem "control could not open $node either ($RES): the test proves nothing"
        rm -f "$node"
        flushd_active || problem "flushd.service is $(systemctl is-active flushd.service) afterwards"
        verdict
}

tests_confine_run() {
        run_test confine-status test_confine_status
        run_test confine-no-kmsg test_confine_kmsg
        run_test confine-etc-readonly test_confine_etc_readonly
        run_test confine-no-af-inet test_confine_no_inet
        run_test confine-device-policy test_confine_device_policy
        control_stop
}
