/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local-wb.c - write back one buffer range from user space, or ask flushd above a threshold
 *
 * A device doing no-snoop DMA needs only the lines of its buffer in memory,
 * not whole caches. x86 lets any unprivileged thread write back one line:
 * CLFLUSH, and where the CPU has them CLFLUSHOPT (weakly ordered, so a loop
 * of them pipelines) and CLWB (keeps the line valid, the no-invalidate
 * flavour). All three act on the line in every cache of the coherence
 * domain, so the loop needs no knowledge of which CPUs wrote the buffer and
 * no tracking. Its cost grows with the range; a flushd round trip costs
 * about the same at any size, so below a threshold the loop is cheaper and
 * above it the daemon is. flushd_write_back_range() picks by the threshold
 * unless the caller forces a side. The instruction is chosen on every call
 * (no state of our own) and the loop ends with SFENCE, which orders the
 * weakly ordered write-backs before the caller starts the DMA.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "flushd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

typedef struct LocalCpu {
        int method;             /* FLUSHD_LOCAL_*, or -EOPNOTSUPP */
        int method_noinval;     /* the best for FLUSHD_FLUSH_NO_INVALIDATE */
        size_t line;            /* CLFLUSH line size in bytes */
} LocalCpu;

/*
 * No CPUID on the fast path: in a VM each one is an exit to the hypervisor
 * (microseconds). __builtin_cpu_supports() reads what libgcc's constructor
 * found at load time; only a CPU without CLFLUSHOPT asks CPUID for CLFLUSH.
 * The stride is the L1D line size glibc found at start-up, capped at 64
 * bytes: a stride below the CLFLUSH line size is redundant, never wrong.
 */
static void local_cpu(LocalCpu *ret) {
        LocalCpu cpu = { .method = -EOPNOTSUPP, .method_noinval = -EOPNOTSUPP, .line = 64 };
        long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
        unsigned a, b, c, d;

        if (line > 0 && line < 64 && (line & (line - 1)) == 0)
                cpu.line = (size_t) line;
        if (__builtin_cpu_supports("clflushopt"))
                cpu.method = FLUSHD_LOCAL_CLFLUSHOPT;
        else if (__get_cpuid(1, &a, &b, &c, &d) && (d & (1u << 19)))   /* CPUID.1:EDX.CLFSH */
                cpu.method = FLUSHD_LOCAL_CLFLUSH;
        cpu.method_noinval = __builtin_cpu_supports("clwb") ? FLUSHD_LOCAL_CLWB : cpu.method;
        *ret = cpu;
}

/* Inline asm, not intrinsics: no -m flag, the CPU is checked at run time. */
static void loop_clflush(uintptr_t p, uintptr_t end, size_t line) {
        for (; p < end; p += line)
                __asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
}

static void loop_clflushopt(uintptr_t p, uintptr_t end, size_t line) {
        for (; p < end; p += line)
                __asm__ volatile("clflushopt (%0)" : : "r"(p) : "memory");
        __asm__ volatile("sfence" : : : "memory");
}

static void loop_clwb(uintptr_t p, uintptr_t end, size_t line) {
        for (; p < end; p += line)
                __asm__ volatile("clwb (%0)" : : "r"(p) : "memory");
        __asm__ volatile("sfence" : : : "memory");
}

static int local_write_back(const void *addr, size_t len, uint64_t flags) {
        LocalCpu cpu;
        uintptr_t start, end;
        int method;

        local_cpu(&cpu);
        method = flags & FLUSHD_FLUSH_NO_INVALIDATE ? cpu.method_noinval : cpu.method;
        if (method < 0)
                return method;
        if (len == 0)
                return 0;
        /* From the line holding the first byte to the one holding the last. */
        start = (uintptr_t) addr & ~(uintptr_t) (cpu.line - 1);
        end = (uintptr_t) addr + len;
        switch (method) {
        case FLUSHD_LOCAL_CLWB:
                loop_clwb(start, end, cpu.line);
                break;
        case FLUSHD_LOCAL_CLFLUSHOPT:
                loop_clflushopt(start, end, cpu.line);
                break;
        default:
                /* CLFLUSH is ordered with respect to writes; no fence needed. */
                loop_clflush(start, end, cpu.line);
                break;
        }
        return 0;
}

int flushd_local_write_back_method(uint64_t flags) {
        LocalCpu cpu;

        local_cpu(&cpu);
        return flags & FLUSHD_FLUSH_NO_INVALIDATE ? cpu.method_noinval : cpu.method;
}
#else
static int local_write_back(const void *addr, size_t len, uint64_t flags) {
        return -EOPNOTSUPP;
}

int flushd_local_write_back_method(uint64_t flags) {
        return -EOPNOTSUPP;
}
#endif

static uint64_t now_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

int flushd_write_back_range(FlushdClient *c, int iommufd, const void *addr, size_t len,
                            FlushdRangeMode mode, size_t threshold, uint64_t flags, FlushdResult *ret) {
        uint64_t t0;
        bool local;
        int r;

        if (len > 0 && (!addr || (uintptr_t) addr + len - 1 < (uintptr_t) addr))
                return -EINVAL;
        if (threshold == 0)
                threshold = FLUSHD_RANGE_THRESHOLD_DEFAULT;

        switch (mode) {
        case FLUSHD_RANGE_AUTO:
                /* All CPUs is a request for whole caches: only flushd does that. */
                local = len < threshold && !(flags & FLUSHD_FLUSH_ALL_CPUS) &&
                        flushd_local_write_back_method(flags) >= 0;
                break;
        case FLUSHD_RANGE_LOCAL:
                if (flags & FLUSHD_FLUSH_ALL_CPUS)
                        return -EINVAL;
                local = true;
                break;
        case FLUSHD_RANGE_DAEMON:
                local = false;
                break;
        default:
                return -EINVAL;
        }

        if (!local) {
                if (!c)
                        return -EINVAL;
                r = flushd_flush(c, iommufd, flags, ret);
                return r < 0 ? r : FLUSHD_RANGE_BY_DAEMON;
        }

        t0 = now_ns();
        r = local_write_back(addr, len, flags);
        if (r < 0)
                return r;
        if (ret)
                *ret = (FlushdResult) { .nsec = now_ns() - t0 };
        return FLUSHD_RANGE_BY_LOCAL;
}
