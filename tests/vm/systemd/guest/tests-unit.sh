# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-unit.sh - every hardening directive of flushd.service, in effect
#
# flushd confines itself once it is set up (daemon/sandbox.c: its own
# seccomp allow-list, the capability drop). That filter refuses most of
# what these cases try before the unit's own filters are asked, so a
# refusal would prove nothing about the unit. These cases therefore restart
# flushd through the installed unit with one runtime drop-in that only adds
# --no-sandbox to its ExecStart (the daemon warns loudly in its log, and
# the first case checks that it did): whatever the daemon then cannot do,
# the unit forbade. The drop-in is removed and the daemon restarted
# normally at the end.
#
# Each case makes the running daemon itself try something forbidden
# (in-daemon: one system call injected by ptrace, with every namespace,
# mount, cgroup, credential and filter it really has) and sets it against a
# control: the same call where the directive is absent (the flushd user's
# unconfined process CONTROL_PID of tests-confine.sh, a root process, or a
# transient unit), which succeeds or at least fails differently. Where two
# directives act on one call (the system call allow-list kills what
# ProtectClock= or RestrictRealtime= would refuse with EPERM, the device
# cgroup refuses what ProtectKernelLogs= hides), the case says which one it
# proves and proves the other by its other effects, or by the value
# systemd applied (`systemctl show`).
#
# unit-proofs lists, for every directive `systemd-analyze security`
# credits, the case that proves it; the last case fails for a credited
# directive without a passing proof. Cases that make the daemon die of a
# system call (the allow-list's kill action) come last: systemd restarts
# it each time (Restart=on-failure).

UNIT_DROPIN_DIR=/run/systemd/system/flushd.service.d
UNIT_DROPIN=$UNIT_DROPIN_DIR/50-sdvm-no-sandbox.conf
UNIT_PROOFS=$LIBEXEC/unit-proofs
ROOT_PID=

# Linux's numbers for the calls made here (x86-64).
O_WRCREAT=0x800c1               # O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
O_DIRECTORY=0x90000             # O_DIRECTORY | O_CLOEXEC
AT_FDCWD=-100
CLONE_VM=0x100

D=                              # the daemon's MainPID

unit_daemon() {
        D=$(prop MainPID)
        [ "$D" -gt 0 ] 2>/dev/null
}

root_start() {
        [ -z "$ROOT_PID" ] || return 0
        sleep 600 &
        ROOT_PID=$!
        sleep 0.3
}

root_stop() {
        [ -z "$ROOT_PID" ] || kill "$ROOT_PID" 2>/dev/null
        ROOT_PID=
}

# sys WHO PID CALL ARGS...: in-daemon PID sys CALL ARGS; RES as inject's.
sys() {
        label=$1
        pid=$2
        shift 2
        inject "$label" "$pid" sys "$@"
}

# want WHAT GOT EXPECTED...: a problem unless GOT is one of EXPECTED.
want() {
        what=$1
        got=$2
        shift 2
        for w in "$@"; do
                [ "$got" != "$w" ] || return 0
        done
        problem "$what: $got, want $*"
}

# want_ok WHAT: RES of a control must be a success ("ok" or "ret N").
want_ok() {
        case "$RES" in
        ok|"ret "*) ;;
        *) problem "control $1: $RES, want success: the case proves nothing" ;;
        esac
}

# restart_flushd: start the unit anew and wait until it is active with a
# new main process that owns the bus name.
restart_flushd() {
        old=$(prop MainPID)
        systemctl reset-failed flushd.service 2>/dev/null
        systemctl restart flushd.service || return 1
        wait_for 30 flushd_new_main "$old"
}

flushd_new_main() {
        flushd_active && unit_daemon && [ "$D" != "$1" ] &&
                busctl --system status org.flushd.Flush1 >/dev/null 2>&1
}

test_unit_no_sandbox() {
        execstart=$(systemctl show -P ExecStart flushd.service | sed -n 's/.*argv\[\]=\([^;]*\);.*/\1/p')
        execstart=$(echo "$execstart" | sed 's/[[:space:]]*$//')
        case "$execstart" in
        /*) ;;
        *) fail "no ExecStart= in '$(systemctl show -P ExecStart flushd.service)'" || return ;;
        esac
        mkdir -p "$UNIT_DROPIN_DIR"
        printf '[Service]\nExecStart=\nExecStart=%s --no-sandbox\n' "$execstart" > "$UNIT_DROPIN"
        systemctl daemon-reload
        since=$(date +%s)
        restart_flushd || fail "flushd.service did not come back with --no-sandbox: $(systemctl is-active flushd.service)" || return
        echo "    MainPID $D: $(tr '\0' ' ' < "/proc/$D/cmdline")"
        tr '\0' '\n' < "/proc/$D/cmdline" | grep -qx -- --no-sandbox || problem "the daemon's command line lacks --no-sandbox"
        journalctl -b --no-pager -u flushd.service --since "@$since" | grep -q -- '--no-sandbox: running with every privilege' ||
                problem "the daemon did not warn about --no-sandbox"
        grep -E '^(Threads|Seccomp|Seccomp_filters|NoNewPrivs):' "/proc/$D/status" | sed 's/^/    /'
        # The unit's filters are still there; the daemon's own is not
        # loaded (its allow-list would trap the first injected call).
        grep -q '^Seccomp:[[:space:]]*2$' "/proc/$D/status" || problem "no seccomp filter: the unit's are missing"
        verdict
}

# The capability sets, the user and NO_NEW_PRIVS that the unit alone gives;
# then two things every capability but CAP_SYS_RAWIO would allow: reading
# /etc/shadow (CAP_DAC_*) and signalling PID 1 (CAP_KILL). Control: root.
test_unit_capabilities() {
        unit_daemon || fail "no MainPID" || return
        st=/proc/$D/status
        for set in CapEff CapBnd CapPrm; do
                grep -q "^$set:[[:space:]]*0000000000020000$" "$st" ||
                        problem "$(grep "^$set:" "$st"), want 0000000000020000 (CAP_SYS_RAWIO only)"
        done
        grep -q '^NoNewPrivs:[[:space:]]*1$' "$st" || problem "NoNewPrivs is not 1"
        uid=$(id -u flushd)
        [ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" = "$uid $uid $uid $uid" ] ||
                problem "$(grep ^Uid: "$st"), want the flushd user ($uid) throughout"
        root_start
        inject daemon "$D" open /etc/shadow r
        want "daemon reading /etc/shadow" "$RES" "errno EACCES"
        inject root "$ROOT_PID" open /etc/shadow r
        want_ok "reading /etc/shadow"
        sys daemon "$D" kill 1 0
        want "daemon kill(1, 0)" "$RES" "errno EPERM"
        sys root "$ROOT_PID" kill 1 0
        want_ok "kill(1, 0)"
        verdict
}

# ProtectKernelLogs=: /dev/kmsg is an inaccessible node (EACCES), not just
# a device the device cgroup refuses (that would be EPERM), and /proc/kmsg
# is mounted over.
test_unit_kernel_logs() {
        unit_daemon || fail "no MainPID" || return
        control_start
        inject daemon "$D" open /dev/kmsg r
        want "daemon opening /dev/kmsg" "$RES" "errno EACCES"
        inject control "$CONTROL_PID" open /dev/kmsg r
        want_ok "opening /dev/kmsg"
        for mp in /dev/kmsg /proc/kmsg; do
                [ -n "$(mount_opts "$D" "$mp")" ] || problem "nothing is mounted over $mp for the daemon"
        done
        verdict
}

# ProtectSystem=strict: a directory of the flushd user under /etc.
test_unit_system() {
        unit_daemon || fail "no MainPID" || return
        control_start
        rm -f "$SDVM_RW"/*
        inject daemon "$D" open "$SDVM_RW/daemon" create
        want "daemon creating $SDVM_RW/daemon" "$RES" "errno EROFS"
        inject control "$CONTROL_PID" open "$SDVM_RW/control" create
        want_ok "creating $SDVM_RW/control"
        rm -f "$SDVM_RW"/*
        verdict
}

# ProtectHome=yes: a world-readable file under /home.
test_unit_home() {
        unit_daemon || fail "no MainPID" || return
        control_start
        mkdir -p /home/sdvm-pub
        echo public > /home/sdvm-pub/file
        chmod 0755 /home/sdvm-pub
        chmod 0644 /home/sdvm-pub/file
        inject daemon "$D" open /home/sdvm-pub/file r
        want "daemon reading /home/sdvm-pub/file" "$RES" "errno EACCES" "errno ENOENT"
        inject control "$CONTROL_PID" open /home/sdvm-pub/file r
        want_ok "reading /home/sdvm-pub/file"
        rm -rf /home/sdvm-pub
        verdict
}

# PrivateTmp=yes: the host's /tmp is not the daemon's, and what the daemon
# makes in its /tmp is not in the host's.
test_unit_private_tmp() {
        unit_daemon || fail "no MainPID" || return
        control_start
        rm -f /tmp/sdvm-host /tmp/sdvm-daemon
        echo host > /tmp/sdvm-host
        chmod 0644 /tmp/sdvm-host
        inject daemon "$D" open /tmp/sdvm-host r
        want "daemon reading the host's /tmp/sdvm-host" "$RES" "errno ENOENT"
        inject daemon "$D" open /tmp/sdvm-daemon create
        want "daemon creating /tmp/sdvm-daemon" "$RES" ok
        [ ! -e /tmp/sdvm-daemon ] || problem "the daemon's /tmp/sdvm-daemon is in the host's /tmp"
        inject control "$CONTROL_PID" open /tmp/sdvm-host r
        want_ok "reading /tmp/sdvm-host"
        rm -f /tmp/sdvm-host /tmp/sdvm-daemon
        verdict
}

# ProtectKernelTunables=: a sysfs attribute handed to the flushd user stays
# read-only for the daemon (EROFS), writable for the control; /proc/sys is
# a read-only mount. Opened for writing only: nothing is written.
test_unit_kernel_tunables() {
        unit_daemon || fail "no MainPID" || return
        control_start
        attr=/sys/devices/system/cpu/cpu1/online
        [ -f "$attr" ] || fail "$attr is missing" || return
        owner=$(stat -c %u:%g "$attr")
        chown flushd:flushd "$attr"
        inject daemon "$D" open "$attr" w
        want "daemon opening $attr for writing" "$RES" "errno EROFS"
        inject control "$CONTROL_PID" open "$attr" w
        want_ok "opening $attr for writing"
        chown "$owner" "$attr"
        case ",$(mount_opts "$D" /proc/sys)," in
        *,ro,*) ;;
        *) problem "/proc/sys is not read-only for the daemon: '$(mount_opts "$D" /proc/sys)'" ;;
        esac
        verdict
}

# ProtectControlGroups=: a cgroup directory the flushd user owns.
test_unit_control_groups() {
        unit_daemon || fail "no MainPID" || return
        control_start
        cg=/sys/fs/cgroup/sdvm-pcg
        rmdir "$cg/daemon" "$cg/control" "$cg" 2>/dev/null
        mkdir "$cg" && chown flushd:flushd "$cg"
        sys daemon "$D" mkdir "s:$cg/daemon" 0755
        want "daemon making $cg/daemon" "$RES" "errno EROFS"
        sys control "$CONTROL_PID" mkdir "s:$cg/control" 0755
        want_ok "making $cg/control"
        rmdir "$cg/daemon" "$cg/control" "$cg" 2>/dev/null
        verdict
}

# ProtectKernelModules=: the module directory is inaccessible. (Loading a
# module is the allow-list's: unit-scf-module; the bounding set lacks
# CAP_SYS_MODULE: unit-capabilities.)
test_unit_kernel_modules() {
        unit_daemon || fail "no MainPID" || return
        control_start
        [ -d /usr/lib/modules ] || fail "/usr/lib/modules is missing in the image" || return
        sys daemon "$D" --close openat "$AT_FDCWD" s:/usr/lib/modules "$O_DIRECTORY" 0
        want "daemon opening /usr/lib/modules" "$RES" "errno EACCES"
        sys control "$CONTROL_PID" --close openat "$AT_FDCWD" s:/usr/lib/modules "$O_DIRECTORY" 0
        want_ok "opening /usr/lib/modules"
        want "ProtectKernelModules" "$(prop ProtectKernelModules)" yes
        verdict
}

# ProtectClock=: its system call filter (EPERM) is masked by the allow-list,
# which kills first (unit-scf-clock); what is its own is the read-only
# allowance for RTC devices it adds to the device list (DevicePolicy=closed
# lists /dev/iommu only) and the value systemd applies. This kernel has no
# RTC class, so no rtc node can be opened either way.
test_unit_clock() {
        want "ProtectClock" "$(prop ProtectClock)" yes
        allow=$(prop DeviceAllow)
        echo "    DeviceAllow: $allow"
        case " $allow " in
        *" char-rtc r"*) ;;
        *) problem "DeviceAllow '$allow' lacks ProtectClock's char-rtc r" ;;
        esac
        verdict
}

# ProtectHostname=: a new host name is not the daemon's (its UTS namespace
# is its own); setting one is the allow-list's (@privileged: unit-scf-privileged).
test_unit_hostname() {
        unit_daemon || fail "no MainPID" || return
        control_start
        [ "$(readlink "/proc/$D/ns/uts")" != "$(readlink /proc/1/ns/uts)" ] ||
                problem "the daemon shares PID 1's UTS namespace"
        old=$(hostname)
        hostname sdvm-renamed
        dn=$(nsenter -t "$D" -u hostname)
        cn=$(nsenter -t "$CONTROL_PID" -u hostname)
        hostname "$old"
        echo "    after renaming the host: daemon sees '$dn', control sees '$cn'"
        want "the daemon's host name" "$dn" "$old"
        want "the control's host name" "$cn" sdvm-renamed
        want "ProtectHostname" "$(prop ProtectHostname)" yes
        verdict
}

# PrivateMounts=: a mount in the daemon's namespace stays there; the same
# mount in the control's (the host's) shows in PID 1's mount table.
test_unit_private_mounts() {
        unit_daemon || fail "no MainPID" || return
        control_start
        [ "$(readlink "/proc/$D/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ] ||
                problem "the daemon shares PID 1's mount namespace"
        nsenter -t "$D" -m mount -t tmpfs sdvm-pm-daemon /mnt || problem "could not mount in the daemon's namespace"
        grep -q ' sdvm-pm-daemon ' "/proc/$D/mountinfo" || problem "the mount is not in the daemon's namespace"
        ! grep -q ' sdvm-pm-daemon ' /proc/1/mountinfo || problem "the daemon's mount reached the host"
        nsenter -t "$D" -m umount /mnt
        nsenter -t "$CONTROL_PID" -m mount -t tmpfs sdvm-pm-control /mnt || problem "could not mount in the control's namespace"
        grep -q ' sdvm-pm-control ' /proc/1/mountinfo || problem "control: the mount is not in the host's table"
        umount /mnt 2>/dev/null
        verdict
}

# udp_send CGROUP: a datagram to 127.0.0.1 in the daemon's network
# namespace, from a process in CGROUP (empty: this one's); sets UDP_ERR.
udp_send() {
        UDP_ERR=$(sh -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs" || exit 9
                         exec nsenter -t "$2" -n bash -c "echo sdvm > /dev/udp/127.0.0.1/9"' sh "$1" "$D" 2>&1)
}

# IPAddressDeny=any: the cgroup's BPF filter drops what a process in
# flushd.service sends to 127.0.0.1 (the daemon cannot make an AF_INET
# socket at all, RestrictAddressFamilies=, so a helper joins its cgroup and
# its network namespace); the same from outside the cgroup is sent.
# PrivateNetwork=: the namespace is not PID 1's and has only lo.
test_unit_ip_deny() {
        unit_daemon || fail "no MainPID" || return
        [ "$(readlink "/proc/$D/ns/net")" != "$(readlink /proc/1/ns/net)" ] ||
                problem "the daemon shares PID 1's network namespace"
        ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "/proc/$D/net/dev" | tr '\n' ' ')
        [ "$ifs" = "lo " ] || problem "the daemon's network has '$ifs', want lo only"
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$D/cgroup")
        udp_send "$cg"
        echo "    from $cg: ${UDP_ERR:-sent}"
        case "$UDP_ERR" in
        *"Operation not permitted"*) ;;
        *) problem "a datagram from flushd.service's cgroup: '${UDP_ERR:-sent}', want Operation not permitted" ;;
        esac
        udp_send ""
        echo "    from outside it: ${UDP_ERR:-sent}"
        [ -z "$UDP_ERR" ] || problem "control: the datagram from outside the cgroup failed too: $UDP_ERR"
        case " $(prop IPAddressDeny) " in
        *" 0.0.0.0/0 "*) ;;
        *) problem "IPAddressDeny is '$(prop IPAddressDeny)', want 0.0.0.0/0 among it" ;;
        esac
        verdict
}

# RestrictAddressFamilies=AF_UNIX: AF_INET and AF_NETLINK get
# EAFNOSUPPORT, AF_UNIX works. This kernel has neither IPv6 nor AF_PACKET
# nor any other family, so for those the allow-list systemd applied is the
# proof: one filter, AF_UNIX only.
test_unit_address_families() {
        unit_daemon || fail "no MainPID" || return
        control_start
        for f in "inet 2 2" "netlink 16 3"; do
                set -- $f
                sys daemon "$D" --close socket "$2" "$3" 0
                want "daemon socket(AF_$1)" "$RES" "errno EAFNOSUPPORT"
                sys control "$CONTROL_PID" --close socket "$2" "$3" 0
                want_ok "socket(AF_$1)"
        done
        sys daemon "$D" --close socket 1 2 0
        want_ok "(the daemon) socket(AF_UNIX)"
        want "RestrictAddressFamilies" "$(prop RestrictAddressFamilies)" AF_UNIX
        verdict
}

# RestrictNamespaces=yes: unshare(CLONE_NEWxxx | CLONE_VM) for each type.
# The daemon has worker threads, so the kernel itself would answer EINVAL
# (CLONE_VM with threads) before it looks at capabilities; the filter's
# EPERM comes first. Control: a single-threaded root process, which gets
# each namespace.
test_unit_namespaces() {
        unit_daemon || fail "no MainPID" || return
        threads=$(awk '/^Threads:/ { print $2 }' "/proc/$D/status")
        [ "$threads" -gt 1 ] || fail "the daemon has $threads thread(s): EPERM would prove nothing" || return
        for ns in cgroup:0x02000000 uts:0x04000000 ipc:0x08000000 user:0x10000000 pid:0x20000000 \
                  net:0x40000000 mnt:0x00020000; do
                flag=$(( ${ns#*:} | CLONE_VM ))
                sys daemon "$D" unshare "$flag"
                want "daemon unshare($ns|CLONE_VM)" "$RES" "errno EPERM"
                sleep 60 &
                ctl=$!
                sleep 0.2
                sys root "$ctl" unshare "$flag"
                want_ok "unshare($ns|CLONE_VM)"
                kill "$ctl"
        done
        verdict
}

# RestrictRealtime=: every call that sets a real-time policy is in
# @resources, which the allow-list kills first (unit-scf-resources); the
# value systemd applied is the proof of the directive itself.
test_unit_realtime() {
        want "RestrictRealtime" "$(prop RestrictRealtime)" yes
        verdict
}

# RestrictSUIDSGID=: chmod u+s of a file the daemon owns, in the one
# directory it may write.
test_unit_suid() {
        unit_daemon || fail "no MainPID" || return
        control_start
        f=/run/flushd/sdvm-suid
        rm -f "$f" "$SDVM_RW/suid"
        : > "$f" && chown flushd:flushd "$f" && chmod 0700 "$f"
        : > "$SDVM_RW/suid" && chown flushd:flushd "$SDVM_RW/suid" && chmod 0700 "$SDVM_RW/suid"
        sys daemon "$D" chmod "s:$f" 04700
        want "daemon chmod 4700 $f" "$RES" "errno EPERM"
        [ "$(stat -c %a "$f")" = 700 ] || problem "$f is now $(stat -c %a "$f")"
        sys control "$CONTROL_PID" chmod "s:$SDVM_RW/suid" 04700
        want_ok "chmod 4700 $SDVM_RW/suid"
        [ "$(stat -c %a "$SDVM_RW/suid")" = 4700 ] || problem "control: $SDVM_RW/suid is $(stat -c %a "$SDVM_RW/suid")"
        rm -f "$f" "$SDVM_RW/suid"
        verdict
}

# LockPersonality=: a personality other than the current one.
test_unit_personality() {
        unit_daemon || fail "no MainPID" || return
        control_start
        sys daemon "$D" personality 0x0040000  # ADDR_NO_RANDOMIZE
        want "daemon personality(ADDR_NO_RANDOMIZE)" "$RES" "errno EPERM"
        sys control "$CONTROL_PID" personality 0x0040000
        want_ok "personality(ADDR_NO_RANDOMIZE)"
        sys control "$CONTROL_PID" personality 0
        verdict
}

# MemoryDenyWriteExecute=: an anonymous read-write-execute mapping.
test_unit_wx() {
        unit_daemon || fail "no MainPID" || return
        control_start
        sys daemon "$D" mmap 0 4096 7 0x22 -1 0
        want "daemon mmap(PROT_WRITE|PROT_EXEC)" "$RES" "errno EPERM"
        sys control "$CONTROL_PID" mmap 0 4096 7 0x22 -1 0
        want_ok "mmap(PROT_WRITE|PROT_EXEC)"
        case "$RES" in "ret "*) sys control "$CONTROL_PID" munmap "${RES#ret }" 4096 ;; esac
        verdict
}

# UMask=0077: a file created with mode 0666.
test_unit_umask() {
        unit_daemon || fail "no MainPID" || return
        control_start
        rm -f /run/flushd/sdvm-umask "$SDVM_RW/umask"
        sys daemon "$D" --close openat "$AT_FDCWD" s:/run/flushd/sdvm-umask "$O_WRCREAT" 0666
        want_ok "(the daemon) creating /run/flushd/sdvm-umask"
        want "mode of the daemon's file" "$(stat -c %a /run/flushd/sdvm-umask 2>&1)" 600
        sys control "$CONTROL_PID" --close openat "$AT_FDCWD" "s:$SDVM_RW/umask" "$O_WRCREAT" 0666
        want_ok "creating $SDVM_RW/umask"
        want "mode of the control's file" "$(stat -c %a "$SDVM_RW/umask" 2>&1)" 644
        rm -f /run/flushd/sdvm-umask "$SDVM_RW/umask"
        verdict
}

# msq_exists ID: a System V message queue ID exists.
msq_exists() {
        awk -v id="$1" 'NR > 1 && $2 == id { found = 1 } END { exit !found }' /proc/sysvipc/msg
}

# RemoveIPC=: a message queue the daemon made is gone once flushd.service
# stops. Control: one the flushd user made in a transient unit (no
# RemoveIPC=) outlives that unit (and is then removed with the daemon's,
# since RemoveIPC= removes everything of the user).
test_unit_remove_ipc() {
        unit_daemon || fail "no MainPID" || return
        sys daemon "$D" msgget 0 0x380          # IPC_PRIVATE, IPC_CREAT | 0600
        case "$RES" in
        "ret "*) dq=${RES#ret } ;;
        *) fail "the daemon could not make a message queue: $RES" || return ;;
        esac
        out=$(systemd-run --quiet --wait --pipe -p User=flushd ipcmk -Q 2>&1)
        cq=$(echo "$out" | sed -n 's/.*id: *\([0-9]*\).*/\1/p')
        echo "    daemon's queue $dq, the transient unit's ${cq:-none} ($out)"
        [ -n "$cq" ] || fail "control: ipcmk -Q in a transient unit: $out" || return
        msq_exists "$cq" || problem "control: queue $cq did not outlive its unit"
        msq_exists "$dq" || problem "the daemon's queue $dq is not there while it runs"
        systemctl stop flushd.service
        msq_exists "$dq" && problem "the daemon's queue $dq outlived flushd.service"
        msq_exists "$cq" && problem "queue $cq of the flushd user outlived flushd.service"
        ipcrm -q "$dq" 2>/dev/null
        ipcrm -q "$cq" 2>/dev/null
        restart_flushd || problem "flushd.service did not start again"
        verdict
}

# KeyringMode=private: this kernel has no keyrings (CONFIG_KEYS is not
# set): the daemon, like every process, gets ENOSYS from keyctl(), so no
# key can be shared; the value systemd applies is the directive's proof.
test_unit_keyring() {
        unit_daemon || fail "no MainPID" || return
        control_start
        want "KeyringMode" "$(prop KeyringMode)" private
        sys daemon "$D" keyctl 0 -4 0           # KEYCTL_GET_KEYRING_ID, user keyring
        want "daemon keyctl(GET_KEYRING_ID)" "$RES" "errno ENOSYS"
        sys control "$CONTROL_PID" keyctl 0 -4 0
        want "control keyctl(GET_KEYRING_ID)" "$RES" "errno ENOSYS"
        verdict
}

# Delegate=no: flushd.service's cgroup stays root's. Control: a transient
# unit of the flushd user with Delegate=yes gets its cgroup handed over.
test_unit_delegate() {
        unit_daemon || fail "no MainPID" || return
        want "Delegate" "$(prop Delegate)" no
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$D/cgroup")
        want "owner of $cg" "$(stat -c %U "$cg")" root
        systemd-run --quiet --unit=sdvm-delegate -p User=flushd -p Delegate=yes sleep 30 || problem "systemd-run failed"
        wait_for 10 systemctl is-active --quiet sdvm-delegate.service
        ccg=/sys/fs/cgroup$(systemctl show -P ControlGroup sdvm-delegate.service)
        want "owner of $ccg (control)" "$(stat -c %U "$ccg")" flushd
        systemctl stop sdvm-delegate.service 2>/dev/null
        verdict
}

# NotifyAccess=main: a process in flushd.service's cgroup other than the
# main one sends STATUS=; systemd ignores it. Control: the same from a
# child of a transient unit with NotifyAccess=all is taken.
test_unit_notify_access() {
        unit_daemon || fail "no MainPID" || return
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$D/cgroup")
        sh -c 'echo $$ > "$1/cgroup.procs" && exec notify-from STATUS=sdvm-forged' sh "$cg" ||
                problem "notify-from in flushd.service's cgroup failed"
        st=$(prop StatusText)
        echo "    flushd.service StatusText: '$st'"
        [ "$st" != sdvm-forged ] || problem "flushd.service took STATUS= from a process other than its main one"
        systemd-run --quiet --unit=sdvm-notify -p NotifyAccess=all \
                sh -c "$LIBEXEC/notify-from STATUS=sdvm-forged; sleep 20" || problem "systemd-run failed"
        wait_for 10 sh -c '[ "$(systemctl show -P StatusText sdvm-notify.service)" = sdvm-forged ]' ||
                problem "control: the transient unit's StatusText is '$(systemctl show -P StatusText sdvm-notify.service)'"
        systemctl stop sdvm-notify.service 2>/dev/null
        verdict
}

# kill_case CALL ARGS...: the daemon, made to call CALL, dies of SIGSYS
# (the allow-list's kill action) and systemd starts it again; the control
# makes the same call and lives (whatever the call returns).
kill_case() {
        unit_daemon || fail "no MainPID" || return
        control_start
        old=$D
        sys daemon "$D" "$@"
        want "daemon $*" "$RES" "killed SIGSYS"
        wait_for 10 sh -c "! grep -qs '^State:[[:space:]]*[^Z]' /proc/$old/status" ||
                problem "the daemon (PID $old) still runs"
        sys control "$CONTROL_PID" "$@"
        case "$RES" in
        "killed "*|SIGSYS|"(not injected"*) problem "control $*: $RES: the case proves nothing" ;;
        esac
        kill_case_recover "$old"
        verdict
}

# kill_case_recover OLDPID: wait for systemd's restart; reset the start
# limit so that a dozen such cases in a row do not exhaust it.
kill_case_recover() {
        wait_for 30 flushd_new_main "$1" || {
                problem "flushd.service did not come back: $(systemctl is-active flushd.service)"
                restart_flushd
        }
        systemctl reset-failed flushd.service 2>/dev/null
}

# SystemCallArchitectures=native: an x32 system call (getpid with
# __X32_SYSCALL_BIT) kills the daemon. Control: a transient unit of the
# flushd user with the same allow-list (SystemCallFilter=@system-service,
# which systemd installs for every ABI) but no SystemCallArchitectures=
# lives; this kernel has no x32 ABI, so it gets ENOSYS.
test_unit_arch() {
        unit_daemon || fail "no MainPID" || return
        old=$D
        want "SystemCallArchitectures" "$(prop SystemCallArchitectures)" native
        sys daemon "$D" 0x40000027
        want "daemon x32 getpid" "$RES" "killed SIGSYS"
        systemd-run --quiet --unit=sdvm-arch -p User=flushd -p SystemCallFilter=@system-service sleep 60 ||
                problem "systemd-run failed"
        wait_for 10 systemctl is-active --quiet sdvm-arch.service
        sys control "$(systemctl show -P MainPID sdvm-arch.service)" 0x40000027
        case "$RES" in
        "killed "*|SIGSYS|"(not injected"*) problem "control x32 getpid: $RES: the case proves nothing" ;;
        esac
        systemctl stop sdvm-arch.service 2>/dev/null
        kill_case_recover "$old"
        verdict
}

# The security report of the installed unit (without the drop-in): every
# directive it credits (a ✓ line, "+" in a non-UTF-8 locale) must have a
# case in unit-proofs that passed in this boot. (No variable here may be
# called name: run_test's.)
test_unit_security_report() {
        systemd-analyze security --no-pager flushd.service > /run/sdvm-security.txt 2>&1 ||
                fail "systemd-analyze security: $(tail -n 1 /run/sdvm-security.txt)" || return
        score=$(grep 'Overall exposure level for flushd.service' /run/sdvm-security.txt)
        echo "FLUSHD-VM note: $score"
        credited=$(sed -n 's/^\(✓\|+\) \([^ ]*\) .*/\2/p' /run/sdvm-security.txt)
        n=$(echo "$credited" | grep -c .)
        echo "    $n directives credited"
        [ "$n" -gt 0 ] || fail "no credited directive found in the report" || return
        echo "$credited" | awk -v proofs="$UNIT_PROOFS" -v passed="$PASS_LOG" '
                BEGIN {
                        FS = "\t"
                        while ((getline l < passed) > 0)
                                ok[l] = 1
                        while ((getline l < proofs) > 0)
                                if (l !~ /^#/ && split(l, f, "\t") >= 2)
                                        p[f[1]] = f[2]
                }
                !($0 in p) { print "missing " $0 ": no proof in unit-proofs"; next }
                {
                        n = split(p[$0], c, ",")
                        bad = 0
                        for (i = 1; i <= n; i++)
                                if (!(c[i] in ok)) {
                                        print "missing " $0 ": its proof " c[i] " did not pass"
                                        bad = 1
                                }
                        if (!bad)
                                print "proven " $0 " -> " p[$0]
                }' > /run/sdvm-proofs.txt
        sed -n 's/^proven /    /p' /run/sdvm-proofs.txt
        while read -r kind what; do
                [ "$kind" != missing ] || problem "$what"
        done < /run/sdvm-proofs.txt
        verdict
}

tests_unit_run() {
        run_test unit-no-sandbox test_unit_no_sandbox
        run_test unit-capabilities test_unit_capabilities
        run_test unit-kernel-logs test_unit_kernel_logs
        run_test unit-system test_unit_system
        run_test unit-home test_unit_home
        run_test unit-private-tmp test_unit_private_tmp
        run_test unit-kernel-tunables test_unit_kernel_tunables
        run_test unit-control-groups test_unit_control_groups
        run_test unit-kernel-modules test_unit_kernel_modules
        run_test unit-clock test_unit_clock
        run_test unit-hostname test_unit_hostname
        run_test unit-private-mounts test_unit_private_mounts
        run_test unit-ip-deny test_unit_ip_deny
        run_test unit-address-families test_unit_address_families
        run_test unit-namespaces test_unit_namespaces
        run_test unit-realtime test_unit_realtime
        run_test unit-suid test_unit_suid
        run_test unit-personality test_unit_personality
        run_test unit-wx test_unit_wx
        run_test unit-umask test_unit_umask
        run_test unit-keyring test_unit_keyring
        run_test unit-delegate test_unit_delegate
        run_test unit-notify-access test_unit_notify_access
        run_test unit-remove-ipc test_unit_remove_ipc
        # Each of these kills the daemon once.
        run_test unit-arch test_unit_arch
        run_test unit-scf-clock kill_case clock_settime 0 0
        run_test unit-scf-cpu-emulation kill_case modify_ldt 0 0 0
        run_test unit-scf-debug kill_case ptrace 16 1 0 0       # PTRACE_ATTACH to PID 1
        run_test unit-scf-module kill_case init_module 0 0 s:
        run_test unit-scf-mount kill_case umount2 s:/mnt 0
        run_test unit-scf-obsolete kill_case sysfs 3
        run_test unit-scf-privileged kill_case acct 0
        run_test unit-scf-raw-io kill_case iopl 0
        run_test unit-scf-reboot kill_case reboot 0 0 0 0
        run_test unit-scf-resources kill_case setpriority 0 0 19
        run_test unit-scf-swap kill_case swapoff s:/sdvm-none
        control_stop
        root_stop
        rm -f "$UNIT_DROPIN"
        systemctl daemon-reload
        restart_flushd || echo "  flushd.service did not restart without the drop-in"
        run_test unit-security-report test_unit_security_report
}
