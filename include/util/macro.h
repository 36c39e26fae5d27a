/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macro.h - ownership helpers shared by the daemon, the library and tests
 *
 * Every owning local is declared with a cleanup attribute; ownership moves
 * out with TAKE_PTR()/TAKE_FD(), which reset the local so its cleanup is a
 * no-op. File descriptors start at -EBADF.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define TAKE_PTR(p)                                                     \
        ({                                                              \
                __typeof__(p) *_pp = &(p);                              \
                __typeof__(p) _p = *_pp;                                \
                *_pp = NULL;                                            \
                _p;                                                     \
        })

#define TAKE_FD(fd)                                                     \
        ({                                                              \
                int *_pfd = &(fd);                                      \
                int _fd = *_pfd;                                        \
                *_pfd = -EBADF;                                         \
                _fd;                                                    \
        })

/* Defines NAMEp(T **) that calls NAME(T *) when the pointer is set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                         \
        static inline void func##p(type *p) {                           \
                if (*p)                                                 \
                        func(*p);                                       \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
