/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * in-daemon.c - make a running process itself try a system call, by ptrace
 *
 * What a service may do is the sum of what systemd set up for it (mount and
 * network namespaces, the device cgroup, the bounding set, seccomp filters)
 * and what it did to itself afterwards (dropped capabilities, its own
 * seccomp filter). A helper that only joins some of that proves little, so
 * this one borrows the process itself: it stops one of its threads
 * (PTRACE_SEIZE + PTRACE_INTERRUPT; the thread sits in a system call, so
 * the two bytes before its instruction pointer are a `syscall` instruction),
 * points it at that instruction with another system call loaded, lets it
 * run exactly that call (PTRACE_SYSCALL to the entry and the exit), reads
 * the result, restores every register and the stack bytes it borrowed, and
 * detaches. A seccomp filter that traps the call (SIGSYS) is seen by the
 * tracer first and the signal is discarded, so the process survives.
 *
 * Usage: in-daemon PID open PATH r|w|create   openat(AT_FDCWD, PATH, ...)
 *        in-daemon PID socket FAMILY           socket(FAMILY, SOCK_DGRAM, 0),
 *                                              FAMILY = inet|unix
 *        in-daemon PID sys [--close] CALL [ARG...]
 *                                              any system call: CALL is a
 *                                              name of the table below or a
 *                                              number, each ARG an integer
 *                                              (strtoll, base 0) or s:TEXT
 *                                              (a pointer to TEXT, copied
 *                                              into the process); --close:
 *                                              a result >= 0 is an fd, closed
 *                                              again in the process
 * Prints one line, "in-daemon: RESULT", RESULT being "ok" (open, socket:
 * the call succeeded; the fd it got is closed again in the process),
 * "ret N" (sys: the call returned N), "errno NAME", "SIGSYS" (a filter
 * trapped the call, the signal was discarded) or "killed SIGNAME" (the
 * process died of the call, e.g. a seccomp filter's kill action), and
 * exits 0; exit 2 when the call could not be injected. x86-64 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __x86_64__
#error "in-daemon injects x86-64 system calls"
#endif

/* Below the red zone (128 bytes) with room to spare. */
#define SCRATCH_BELOW_SP 1024
#define SCRATCH_SIZE 256
/* The kernel's internal restart codes (include/linux/errno.h). */
#define ERESTARTSYS_ 512
#define ERESTARTNOINTR_ 513
#define ERESTARTNOHAND_ 514
#define ERESTART_RESTARTBLOCK_ 516

static pid_t tid;
/* Where the thread's `syscall` instruction is. */
static uintptr_t syscall_insn;
/* The signal the process died of during the call, or 0. */
static int died_of;

/* The calls the tests name; anything else is given by number. */
static const struct {
        const char *name;
        long nr;
} calls[] = {
        { "acct", SYS_acct },
        { "chmod", SYS_chmod },
        { "clock_settime", SYS_clock_settime },
        { "close", SYS_close },
        { "getpid", SYS_getpid },
        { "init_module", SYS_init_module },
        { "iopl", SYS_iopl },
        { "keyctl", SYS_keyctl },
        { "kill", SYS_kill },
        { "mkdir", SYS_mkdir },
        { "mmap", SYS_mmap },
        { "modify_ldt", SYS_modify_ldt },
        { "msgget", SYS_msgget },
        { "munmap", SYS_munmap },
        { "openat", SYS_openat },
        { "personality", SYS_personality },
        { "ptrace", SYS_ptrace },
        { "reboot", SYS_reboot },
        { "rmdir", SYS_rmdir },
        { "setpriority", SYS_setpriority },
        { "socket", SYS_socket },
        { "swapoff", SYS_swapoff },
        { "sysfs", SYS_sysfs },
        { "umount2", SYS_umount2 },
        { "unshare", SYS_unshare },
};

static int die(const char *what) {
        fprintf(stderr, "in-daemon: %s: %s\n", what, strerror(errno));
        return 2;
}

/* Waits for the next stop of tid; returns the status, or -1. */
static int wait_stop(void) {
        int status;

        if (waitpid(tid, &status, __WALL) < 0)
                return -1;
        if (WIFSIGNALED(status))
                died_of = WTERMSIG(status);
        if (!WIFSTOPPED(status)) {
                errno = ESRCH;
                return -1;
        }
        return status;
}

static int poke(uintptr_t addr, const void *data, size_t len) {
        for (size_t off = 0; off < len; off += sizeof(long)) {
                long word = 0;

                memcpy(&word, (const char *) data + off, len - off < sizeof(long) ? len - off : sizeof(long));
                if (ptrace(PTRACE_POKEDATA, tid, addr + off, word) < 0)
                        return -1;
        }
        return 0;
}

static int peek(uintptr_t addr, void *data, size_t len) {
        for (size_t off = 0; off < len; off += sizeof(long)) {
                long word;

                errno = 0;
                word = ptrace(PTRACE_PEEKDATA, tid, addr + off, 0);
                if (errno)
                        return -1;
                memcpy((char *) data + off, &word, sizeof(long));
        }
        return 0;
}

/*
 * The thread stopped on its way out (PTRACE_EVENT_EXIT): the process dies
 * of the call. Notes the signal, lets it go, returns -1.
 */
static int exit_stop(void) {
        unsigned long code = 0;

        if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &code) == 0 && WIFSIGNALED((int) code))
                died_of = WTERMSIG((int) code);
        ptrace(PTRACE_DETACH, tid, 0, 0);
        errno = ESRCH;
        return -1;
}

/*
 * Runs syscall nr(args) in the stopped thread whose saved registers are
 * *saved. Returns 0 with *ret the raw result and *trapped whether a
 * SIGSYS was raised (and discarded), or -1.
 */
static int inject(const struct user_regs_struct *saved, long nr, const long args[6],
                  long *ret, bool *trapped) {
        struct user_regs_struct regs = *saved;
        int status, syscall_stops = 0;

        regs.rip = syscall_insn;
        regs.rax = nr;
        regs.orig_rax = -1;     /* no restart of the interrupted call now */
        regs.rdi = args[0];
        regs.rsi = args[1];
        regs.rdx = args[2];
        regs.r10 = args[3];
        regs.r8 = args[4];
        regs.r9 = args[5];
        if (ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0)
                return -1;

        *trapped = false;
        /* Entry stop, then exit stop; a SIGSYS stop may come in between or after. */
        int sig = 0;
        while (syscall_stops < 2) {
                if (ptrace(PTRACE_SYSCALL, tid, 0, sig) < 0)
                        return -1;
                sig = 0;
                status = wait_stop();
                if (status < 0)
                        return -1;
                if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
                        syscall_stops++;
                        continue;
                }
                if (WSTOPSIG(status) == SIGSYS) {
                        *trapped = true;
                        continue;       /* discarded: sig stays 0 */
                }
                if (status >> 16 == PTRACE_EVENT_STOP)
                        continue;
                if (status >> 16 == PTRACE_EVENT_EXIT)
                        return exit_stop();
                /* Any other signal is the process's own: deliver it later. */
                fprintf(stderr, "in-daemon: unexpected stop (signal %d) during the call\n", WSTOPSIG(status));
                errno = EINTR;
                return -1;
        }
        if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0)
                return -1;
        *ret = (long) regs.rax;
        /* seccomp's SIGSYS is queued at the call and delivered on the way
         * out: step once more (an instruction of the process itself is not
         * run: the stop comes first) to catch and discard it. */
        if (!*trapped) {
                siginfo_t si;

                if (ptrace(PTRACE_SETREGS, tid, 0, saved) < 0)
                        return -1;
                /* Cheap check: is SIGSYS pending for the thread? */
                char path[64], line[256];
                FILE *f;
                unsigned long long pnd = 0;

                snprintf(path, sizeof(path), "/proc/%d/status", (int) tid);
                f = fopen(path, "re");
                if (f) {
                        while (fgets(line, sizeof(line), f))
                                if (sscanf(line, "SigPnd: %llx", &pnd) == 1)
                                        break;
                        fclose(f);
                }
                if (pnd & (1ULL << (SIGSYS - 1))) {
                        if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
                                return -1;
                        status = wait_stop();
                        if (status < 0)
                                return -1;
                        /* A kill action's SIGSYS (seccomp rolled the call
                         * back, so rax is its number) is not reported to a
                         * tracer: the process just exits. */
                        if (status >> 16 == PTRACE_EVENT_EXIT)
                                return exit_stop();
                        if (WSTOPSIG(status) == SIGSYS &&
                            ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0) {
                                *trapped = true;
                                /* Back to the saved state; the stop is left with sig 0. */
                                if (ptrace(PTRACE_SETREGS, tid, 0, saved) < 0)
                                        return -1;
                        }
                }
        }
        return 0;
}

int main(int argc, char *argv[]) {
        struct user_regs_struct saved;
        unsigned char scratch_saved[SCRATCH_SIZE];
        unsigned char code[8];
        long args[6] = {}, nr, ret = 0;
        bool close_fd = false;
        uintptr_t scratch;
        bool trapped = false;
        int status, r;

        if (argc < 4) {
                fprintf(stderr, "Usage: in-daemon PID open PATH r|w|create | PID socket inet|unix | "
                        "PID sys [--close] CALL [ARG...]\n");
                return 2;
        }
        tid = atoi(argv[1]);

        if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT) < 0)
                return die("PTRACE_SEIZE");
        /* Stop it where it sits in a system call; if it happens to be
         * running its own code, let it go on and try again a little later. */
        for (int attempt = 0;; attempt++) {
                if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
                        return die("PTRACE_INTERRUPT");
                /* Signals of its own may arrive first: pass them on. */
                for (;;) {
                        status = wait_stop();
                        if (status < 0)
                                return die("waitpid");
                        if (status >> 16 == PTRACE_EVENT_STOP)
                                break;
                        if (ptrace(PTRACE_CONT, tid, 0, WSTOPSIG(status)) < 0 ||
                            ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
                                return die("re-interrupt");
                }
                if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0)
                        return die("PTRACE_GETREGS");
                if (peek(saved.rip - 2, code, sizeof(long)) < 0)
                        return die("PEEKTEXT");
                if (code[0] == 0x0f && code[1] == 0x05 && (long) saved.orig_rax >= 0)
                        break;
                if (attempt == 100) {
                        fprintf(stderr, "in-daemon: thread %d is never in a system call (rip %llx)\n",
                                (int) tid, saved.rip);
                        ptrace(PTRACE_DETACH, tid, 0, 0);
                        return 2;
                }
                if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
                        return die("PTRACE_CONT");
                usleep(10000);
        }
        syscall_insn = saved.rip - 2;

        /* What the process resumes with: the interrupted call, restarted
         * as the kernel would when no handler runs (the stops come before
         * its own restart logic, which must then do nothing). */
        if ((long) saved.rax == -ERESTARTSYS_ || (long) saved.rax == -ERESTARTNOINTR_ ||
            (long) saved.rax == -ERESTARTNOHAND_) {
                saved.rax = saved.orig_rax;
                saved.rip -= 2;
        } else if ((long) saved.rax == -ERESTART_RESTARTBLOCK_) {
                saved.rax = SYS_restart_syscall;
                saved.rip -= 2;
        }
        saved.orig_rax = -1;

        scratch = (saved.rsp - SCRATCH_BELOW_SP - SCRATCH_SIZE) & ~(uintptr_t) 15;
        if (peek(scratch, scratch_saved, SCRATCH_SIZE) < 0)
                return die("PEEKDATA");

        if (strcmp(argv[2], "open") == 0 && argc == 5) {
                char path[SCRATCH_SIZE] = {};
                int flags;

                if (strlen(argv[3]) >= sizeof(path)) {
                        fprintf(stderr, "in-daemon: path too long\n");
                        return 2;
                }
                strcpy(path, argv[3]);
                if (poke(scratch, path, sizeof(path)) < 0)
                        return die("POKEDATA");
                if (strcmp(argv[4], "r") == 0)
                        flags = O_RDONLY;
                else if (strcmp(argv[4], "w") == 0)
                        flags = O_WRONLY;
                else
                        flags = O_WRONLY | O_CREAT | O_EXCL;
                nr = SYS_openat;
                args[0] = AT_FDCWD;
                args[1] = (long) scratch;
                args[2] = flags | O_CLOEXEC | O_NOCTTY;
                args[3] = 0600;
        } else if (strcmp(argv[2], "sys") == 0) {
                char text[SCRATCH_SIZE] = {};
                size_t used = 0;
                int a = 3;

                if (strcmp(argv[a], "--close") == 0) {
                        close_fd = true;
                        a++;
                }
                if (a >= argc || argc - a - 1 > 6) {
                        fprintf(stderr, "in-daemon: sys needs a call and at most 6 arguments\n");
                        ptrace(PTRACE_DETACH, tid, 0, 0);
                        return 2;
                }
                nr = -1;
                for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
                        if (strcmp(calls[i].name, argv[a]) == 0)
                                nr = calls[i].nr;
                if (nr < 0)
                        nr = strtol(argv[a], NULL, 0);
                for (int i = 0; a + 1 + i < argc; i++) {
                        const char *arg = argv[a + 1 + i];

                        if (strncmp(arg, "s:", 2) == 0) {
                                size_t len = strlen(arg + 2) + 1;

                                if (used + len > sizeof(text)) {
                                        fprintf(stderr, "in-daemon: strings too long\n");
                                        ptrace(PTRACE_DETACH, tid, 0, 0);
                                        return 2;
                                }
                                memcpy(text + used, arg + 2, len);
                                args[i] = (long) (scratch + used);
                                used += len;
                        } else {
                                args[i] = strtoll(arg, NULL, 0);
                        }
                }
                if (poke(scratch, text, sizeof(text)) < 0)
                        return die("POKEDATA");
        } else if (strcmp(argv[2], "socket") == 0) {
                nr = SYS_socket;
                args[0] = strcmp(argv[3], "inet") == 0 ? AF_INET : AF_UNIX;
                args[1] = SOCK_DGRAM | SOCK_CLOEXEC;
                args[2] = 0;
        } else {
                fprintf(stderr, "in-daemon: unknown call '%s'\n", argv[2]);
                ptrace(PTRACE_DETACH, tid, 0, 0);
                return 2;
        }

        r = inject(&saved, nr, args, &ret, &trapped);
        if (r < 0 && died_of) {
                printf("in-daemon: killed SIG%s\n", sigabbrev_np(died_of) ?: "?");
                return 0;
        }
        if (r < 0) {
                int e = errno;

                ptrace(PTRACE_SETREGS, tid, 0, &saved);
                poke(scratch, scratch_saved, SCRATCH_SIZE);
                ptrace(PTRACE_DETACH, tid, 0, 0);
                errno = e;
                return die("inject");
        }
        /* A file or socket it got is closed again, in the process. */
        if (strcmp(argv[2], "sys") != 0)
                close_fd = true;
        if (!trapped && ret >= 0 && close_fd) {
                long cargs[6] = { ret }, cret;
                bool ctrapped;

                if (inject(&saved, SYS_close, cargs, &cret, &ctrapped) < 0)
                        fprintf(stderr, "in-daemon: could not close fd %ld again\n", ret);
        }

        if (ptrace(PTRACE_SETREGS, tid, 0, &saved) < 0 ||
            poke(scratch, scratch_saved, SCRATCH_SIZE) < 0)
                return die("restore");
        if (ptrace(PTRACE_DETACH, tid, 0, 0) < 0)
                return die("PTRACE_DETACH");

        if (trapped)
                printf("in-daemon: SIGSYS\n");
        else if (ret >= 0 && strcmp(argv[2], "sys") == 0)
                printf("in-daemon: ret %ld\n", ret);
        else if (ret >= 0)
                printf("in-daemon: ok\n");
        else
                printf("in-daemon: errno %s\n", strerrorname_np((int) -ret) ?: "?");
        return 0;
}
