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

# mount_opts PID MOUNTPOINT: the options of the topmost mount at MOUNTPOINT
# in the process's own mount table (empty if nothing is mounted there).
mount_opts() {
        awk -v mp="$2" '$5 == mp { o = $6 } END { print o }' "/proc/$1/mountinfo"
}

# The namespaces and mounts the daemon really has (its own /proc entries,
# not the unit file): a private network with only lo (PrivateNetwork=),
# its own mount and UTS namespaces (PrivateMounts=, PrivateTmp=,
# ProtectHostname=), / read-only (ProtectSystem=strict) but /run/flushd
# writable (RuntimeDirectory=), /tmp and /home mounted over (PrivateTmp=,
# ProtectHome=), /proc/sys and /sys/fs/cgroup read-only
# (ProtectKernelTunables=, ProtectControlGroups=), umask 0077 (UMask=).
test_confine_namespaces() {
        pid=$(prop MainPID)
        for ns in net mnt uts; do
                [ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/1/ns/$ns")" ] ||
                        problem "the daemon shares PID 1's $ns namespace"
        done
        ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "/proc/$pid/net/dev" | tr '\n' ' ')
        echo "    interfaces: $ifs"
        [ "$ifs" = "lo " ] || problem "the daemon's network has '$ifs', want lo only"
        for mp in / /run/flushd /tmp /home /proc/sys /sys/fs/cgroup; do
                echo "    $mp: $(mount_opts "$pid" "$mp")"
        done
        case ",$(mount_opts "$pid" /)," in *,ro,*) ;; *) problem "/ is not read-only for the daemon" ;; esac
        case ",$(mount_opts "$pid" /run/flushd)," in
        *,rw,*) ;;
        *) problem "/run/flushd is not a writable mount for the daemon: '$(mount_opts "$pid" /run/flushd)'" ;;
        esac
        for mp in /tmp /home; do
                [ -n "$(mount_opts "$pid" "$mp")" ] || problem "nothing is mounted over $mp for the daemon"
        done
        for mp in /proc/sys /sys/fs/cgroup; do
                case ",$(mount_opts "$pid" "$mp")," in
                *,ro,*) ;;
                *) problem "$mp is not read-only for the daemon: '$(mount_opts "$pid" "$mp")'" ;;
                esac
        done
        grep -q '^Umask:[[:space:]]*0077$' "/proc/$pid/status" || problem "$(grep ^Umask: "/proc/$pid/status"), want 0077"
        verdict
}

tests_confine_run() {
        run_test confine-status test_confine_status
        run_test confine-no-kmsg test_confine_kmsg
        run_test confine-etc-readonly test_confine_etc_readonly
        run_test confine-no-af-inet test_confine_no_inet
        run_test confine-device-policy test_confine_device_policy
        run_test confine-namespaces test_confine_namespaces
        control_stop
}
