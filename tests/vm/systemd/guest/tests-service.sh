# SPDX-License-Identifier: LGPL-2.1-or-later
# tests-service.sh - flushd.service as the package installs it, under systemd
#
# Enabled and started at boot (Type=notify: active means flushd said
# READY=1; BusName: the name's owner is the unit's main process), started
# again by bus activation after a stop, `systemctl reload` re-reading the
# policy in the same process, and a device that became usable only after
# the start picked up without a restart.

# The unit as the package left it: enabled, active, its own name on the bus.
test_service_active() {
        en=$(systemctl is-enabled flushd.service)
        [ "$en" = enabled ] || problem "is-enabled: $en"
        flushd_active || problem "is-active: $(systemctl is-active flushd.service)"
        [ "$(prop Type)" = notify ] || problem "Type=$(prop Type), want notify"
        [ "$(prop BusName)" = org.flushd.Flush1 ] || problem "BusName=$(prop BusName)"
        main=$(prop MainPID)
        sh_call busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.flushd.Flush1
        [ "$OUT" = "u $main" ] || problem "org.flushd.Flush1 is owned by pid '${OUT#u }', MainPID is $main"
        [ "$(readlink "/proc/$main/exe")" = /usr/sbin/flushd ] || problem "MainPID $main is $(readlink "/proc/$main/exe")"
        # The daemon systemd started at boot can use the kernel: it opened
        # /dev/iommu after udev gave it to group iommu.
        sh_call flushctl status --json
        case "$(json_get kernel_support)" in
        yes*) ;;
        *) problem "the daemon started at boot has kernel_support '$(json_get kernel_support)'" ;;
        esac
        # The file came from the package, not from a copy.
        dpkg -S /usr/sbin/flushd >/dev/null 2>&1 || problem "/usr/sbin/flushd belongs to no package"
        ls -l /dev/iommu | sed 's/^/    /'
        verdict
}

# Stopped, the service is started again by the first call (the bus's
# activation file names flushd.service), and the call is answered.
test_bus_activation() {
        systemctl stop flushd.service
        st=$(systemctl is-active flushd.service)
        [ "$st" = inactive ] || fail "after stop: $st" || return
        call alice /sdvm/A flushctl quota --json
        [ "$RC" -eq 0 ] || problem "quota after stop: exit $RC$(err_first)"
        [ "$(json_get decider)" = sdvm-alpha ] || problem "decider '$(json_get decider)', want sdvm-alpha"
        flushd_active || problem "flushd.service is $(systemctl is-active flushd.service) after the call"
        journalctl -b --no-pager -u dbus.service | grep -i 'activat' | grep -i flushd | tail -n 2 | sed 's/^/    /'
        verdict
}

# systemctl reload: a drop-in that raises sdvm-reload's Burst from 3 to 7
# is read by the same process (same MainPID), listed in PolicyFiles, and
# flushctl quota shows the new burst.
test_reload() {
        dropin=/etc/flushd/flushd.conf.d/60-sdvm-reload.conf
        main=$(prop MainPID)
        call alice /sdvm/L flushctl quota --json
        echo "$OUT" | grep -q '"section":[[:space:]]*"sdvm-reload"[^}]*"burst":[[:space:]]*3[,}]' ||
                problem "before: no sdvm-reload bucket with burst 3"
        printf '[Cgroup sdvm-reload]\nBurst=7\n' > "$dropin"
        sh_call systemctl reload flushd.service
        [ "$RC" -eq 0 ] || problem "systemctl reload: exit $RC$(err_first)"
        [ "$(prop MainPID)" = "$main" ] || problem "MainPID changed from $main to $(prop MainPID): restarted, not reloaded"
        sh_call busctl --system get-property org.flushd.Flush1 /org/flushd/Flush1 org.flushd.Flush1.Manager PolicyFiles
        echo "$OUT" | grep -q "$dropin" || problem "PolicyFiles lacks $dropin"
        call alice /sdvm/L flushctl quota --json
        echo "$OUT" | grep -q '"section":[[:space:]]*"sdvm-reload"[^}]*"burst":[[:space:]]*7[,}]' ||
                problem "after reload: no sdvm-reload bucket with burst 7"
        rm -f "$dropin"
        systemctl reload flushd.service
        verdict
}

# Started while /dev/iommu is not yet its group's (a slow boot on which the
# unit started before udev applied 60-flushd.rules), flushd answers
# NotSupported; once the device is right, the next Flush is served by the
# same process, which opens the device again (at most once a second).
test_device_late() {
        mode=$(stat -c %a /dev/iommu)
        chmod 0600 /dev/iommu
        sh_call systemctl restart flushd.service
        main=$(prop MainPID)
        sh_call flushctl status --json
        support=$(json_get kernel_support)
        chmod "$mode" /dev/iommu
        case "$support" in
        *"cannot open /dev/iommu"*) ;;
        *) problem "started with /dev/iommu 0600: kernel_support '$support'" ;;
        esac
        sleep 1.2
        flush_fd5 alice /sdvm/A
        [ "$RC" -eq 0 ] || problem "the first flush after chmod $mode: exit $RC$(err_first)"
        sh_call flushctl status --json
        case "$(json_get kernel_support)" in
        yes*) ;;
        *) problem "after the device came right: kernel_support '$(json_get kernel_support)'" ;;
        esac
        [ "$(prop MainPID)" = "$main" ] || problem "MainPID changed from $main to $(prop MainPID)"
        journalctl -b --no-pager -u flushd.service | grep -E 'Opened /dev/iommu|cannot open' | tail -n 2 | sed 's/^/    /'
        verdict
}

tests_service_run() {
        run_test service-enabled-active test_service_active
        run_test service-bus-activation test_bus_activation
        run_test service-reload test_reload
        run_test service-device-late test_device_late
}
