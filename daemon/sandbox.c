/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sandbox.c - one capability, one user, and a system call allow-list
 *
 * flushd holds CAP_SYS_RAWIO and talks to every local user, so what it can
 * do if an attacker ever ran code in it must be as little as possible. Once
 * everything that needs more is open (the policy, /dev/iommu, the state
 * file, the bus connection), it confines itself in numbered steps:
 *
 *  1. (root only) find the flushd user;
 *  2. keep CAP_SYS_RAWIO and nothing else, in the effective, permitted and
 *     bounding sets, and clear the ambient set;
 *  3. (root only) become that user and group, without supplementary groups;
 *  4. set NO_NEW_PRIVS, so no exec can gain anything back;
 *  5. verify the result.
 *
 * Started by systemd as the flushd user with AmbientCapabilities= and
 * CapabilityBoundingSet= set by the unit, steps 1 and 3 have nothing to do
 * and step 2 only drops what it may: the two agree, and neither fails
 * because the other acted first.
 *
 * Then, when the worker threads exist, a libseccomp allow-list is loaded
 * for all threads at once (TSYNC): the system calls flushd makes after
 * start-up and nothing else; socket() only for AF_UNIX (sd_notify, the
 * journal), ioctl() only with IOMMU_CACHE_WB (and TCGETS, which stdio asks
 * of stderr). Anything else raises SIGSYS, and the handler names the call
 * before the process dies of it, so a missing entry is a loud failure,
 * never a silent EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "kernel.h"
#include "sandbox.h"
#include "util/macro.h"

const char *sandbox_strerror(int outcome) {
        switch (outcome) {
        case SANDBOX_E_NO_USER:
                return "the flushd user does not exist";
        case SANDBOX_E_NO_RAWIO:
                return "started as an unprivileged user without CAP_SYS_RAWIO "
                       "(the unit needs AmbientCapabilities=CAP_SYS_RAWIO)";
        case SANDBOX_E_CAPS:
                return "cannot set the capabilities (step 2)";
        case SANDBOX_E_CHANGE_ID:
                return "cannot change to the flushd user (step 3)";
        case SANDBOX_E_NO_NEW_PRIVS:
                return "cannot set NO_NEW_PRIVS (step 4)";
        case SANDBOX_E_VERIFY:
                return "the capabilities are not exactly CAP_SYS_RAWIO afterwards (step 5)";
        case SANDBOX_E_SECCOMP:
                return "cannot load the system call filter";
        default:
                return "unknown sandbox failure";
        }
}

int sandbox_drop_privileges(const char *user) {
        struct passwd *pw = NULL;
        bool root = geteuid() == 0, setpcap;

        /* 1. */
        if (root) {
                pw = getpwnam(user);
                if (!pw)
                        return SANDBOX_E_NO_USER;
        } else {
                capng_get_caps_process();
                if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_RAWIO))
                        return SANDBOX_E_NO_RAWIO;
        }

        /* 2. The bounding set can only shrink with CAP_SETPCAP; without it
         * (not root, or a unit's CapabilityBoundingSet= took it away) the
         * service manager has done it. */
        capng_get_caps_process();
        setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
        capng_clear(CAPNG_SELECT_ALL);
        if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, CAP_SYS_RAWIO) < 0)
                return SANDBOX_E_CAPS;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return SANDBOX_E_CAPS;

        /* 3. The bounding set first, while we still have CAP_SETPCAP; then
         * capng_change_id() keeps the selected capabilities across the uid
         * change and applies them. */
        if (root) {
                if (setpcap && capng_apply(CAPNG_SELECT_BOUNDS) < 0)
                        return SANDBOX_E_CAPS;
                if (capng_change_id((int) pw->pw_uid, (int) pw->pw_gid, CAPNG_DROP_SUPP_GRP) < 0)
                        return SANDBOX_E_CHANGE_ID;
        } else if (capng_apply(CAPNG_SELECT_CAPS) < 0)
                return SANDBOX_E_CAPS;

        /* 4. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return SANDBOX_E_NO_NEW_PRIVS;

        /* 5. */
        capng_clear(CAPNG_SELECT_ALL);
        capng_get_caps_process();
        if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_RAWIO) ||
            !capng_have_capability(CAPNG_PERMITTED, CAP_SYS_RAWIO) ||
            capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_PARTIAL)
                return SANDBOX_E_VERIFY;
        if (root && (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid))
                return SANDBOX_E_VERIFY;
        return 0;
}

static void on_sigsys(int sig, siginfo_t *si, void *context) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, si->si_syscall);
        char line[160];
        int n;

        /* We are about to die: the allocation above is the last one. */
        n = snprintf(line, sizeof(line), "flushd: seccomp: system call %s (%d) is not on the allow-list, exiting\n",
                     name ?: "?", si->si_syscall);
        if (n > 0)
                (void) !write(STDERR_FILENO, line, (size_t) n < sizeof(line) ? (size_t) n : sizeof(line) - 1);
        signal(SIGSYS, SIG_DFL);
        raise(SIGSYS);
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* What flushd calls once it serves the bus (measured with strace -f over
 * flushes, refusals, floods, Explain, Reload, SIGHUP and SIGTERM). */
static const int allowed[] = {
        SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64), SCMP_SYS(close), SCMP_SYS(openat),
        SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(lseek), SCMP_SYS(getdents64), SCMP_SYS(rename),
        SCMP_SYS(ftruncate), SCMP_SYS(unlink),
        SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
        SCMP_SYS(shutdown), SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(connect),
        SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(poll), SCMP_SYS(ppoll),
        SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime), SCMP_SYS(signalfd4),
        SCMP_SYS(pidfd_open),
        SCMP_SYS(futex), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
        SCMP_SYS(madvise), SCMP_SYS(brk), SCMP_SYS(getrandom),
        SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
        SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(sched_yield),
        SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
        SCMP_SYS(getegid), SCMP_SYS(restart_syscall),
        SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(tgkill), SCMP_SYS(rt_sigaction),
        /* A worker thread that the scheduler first runs after the filter
         * is loaded makes glibc's thread start-up calls under it (seen
         * under strace: killed by SIGSYS, still blocked then, so silently). */
        SCMP_SYS(rseq), SCMP_SYS(set_robust_list),
};

int sandbox_load_seccomp(void) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
        int r = 0;

        ctx = seccomp_init(SCMP_ACT_TRAP);
        if (!ctx)
                return SANDBOX_E_SECCOMP;
        for (size_t i = 0; r == 0 && i < ELEMENTSOF(allowed); i++)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
        /* sd_notify() and the journal: local datagram sockets only. */
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
        /* F_DUPFD_CLOEXEC for the workers' copy of a caller's fd; sd-bus
         * and sd-event read and set flags. */
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                                     SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
        for (int cmd = F_GETFD; r == 0 && cmd <= F_SETFL; cmd++)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, cmd));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t) kernel_ioctl_request()));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
        if (r == 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        if (r != 0)
                return SANDBOX_E_SECCOMP;

        if (sigaction(SIGSYS, &sa, NULL) < 0)
                return SANDBOX_E_SECCOMP;
        if (seccomp_load(ctx) != 0)
                return SANDBOX_E_SECCOMP;
        return 0;
}
