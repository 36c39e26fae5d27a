/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flushctl-flush.c - the workload's verbs: flush and track-exec
 *
 * "track-exec" opens /dev/iommu, starts tracking its own (only) thread and
 * executes a command in place, so the command runs tracked and inherits the
 * iommufd as $FLUSHD_IOMMUFD; "flush" hands such an inherited fd to flushd
 * and prints one parseable line (or one JSON object with --json).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "flushctl.h"
#include "json.h"

#define IOMMU_DEVICE "/dev/iommu"

/* The iommufd a verb works on: --fd=N if it is open, else a fresh /dev/iommu. */
static int iommufd_acquire(const Args *args, int open_flags, int *ret_owned) {
        int fd, r;

        if (args->fd >= 0) {
                if (fcntl(args->fd, F_GETFD) < 0) {
                        r = -errno;
                        log_error("--fd=%d: not an open file descriptor: %s", args->fd, flushd_strerror(r));
                        return r;
                }
                return args->fd;
        }

        fd = open(IOMMU_DEVICE, O_RDWR | open_flags);
        if (fd < 0) {
                r = -errno;
                log_error("Failed to open " IOMMU_DEVICE ": %s", flushd_strerror(r));
                return r;
        }
        *ret_owned = fd;
        return fd;
}

int verb_flush(const Args *args) {
        _cleanup_(flushd_closep) FlushdClient *client = NULL;
        _cleanup_(flushd_error_freep) FlushdError *error = NULL;
        _cleanup_close_ int owned_fd = -EBADF;
        FlushdResult result;
        JsonWriter w;
        int fd, r;

        fd = iommufd_acquire(args, O_CLOEXEC, &owned_fd);
        if (fd < 0)
                return EXIT_FAILURE;

        r = ctl_connect(args, &client);
        if (r != 0)
                return r;

        r = flushd_flush_ex(client, fd, args->flush_flags, &result, &error);
        if (r < 0)
                return ctl_failed("Flush", r, error);

        if (args->json) {
                json_init(&w, stdout);
                json_object_begin(&w);
                json_key(&w, "flushed");
                json_uint(&w, result.flushed);
                json_key(&w, "coalesced");
                json_uint(&w, result.coalesced);
                json_key(&w, "nsec");
                json_uint(&w, result.nsec);
                json_object_end(&w);
                (void) json_finish(&w);
        } else
                printf("flushed=%" PRIu32 " coalesced=%" PRIu32 " nsec=%" PRIu64 "\n",
                       result.flushed, result.coalesced, result.nsec);
        return ctl_output_done();
}

int verb_track_exec(const Args *args) {
        _cleanup_close_ int owned_fd = -EBADF;
        char number[12];
        int fd, flags, r;

        /* Without O_CLOEXEC: the command inherits the iommufd. */
        fd = iommufd_acquire(args, 0, &owned_fd);
        if (fd < 0)
                return EXIT_FAILURE;

        flags = fcntl(fd, F_GETFD);
        if (flags < 0 || ((flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)) {
                log_error("Failed to let fd %d survive exec: %m", fd);
                return EXIT_FAILURE;
        }

        r = flushd_track_thread(fd, args->track_flags);
        if (r < 0) {
                log_error("Failed to start IOMMU_CACHE_WB_TRACK on fd %d: %s%s", fd, flushd_strerror(r),
                          r == -ENOTTY ? " (kernel without flushd support, or not an iommufd)" : "");
                return EXIT_FAILURE;
        }

        (void) snprintf(number, sizeof(number), "%d", fd);
        if (setenv("FLUSHD_IOMMUFD", number, 1) < 0) {
                log_error("Failed to set FLUSHD_IOMMUFD: %m");
                return EXIT_FAILURE;
        }

        execvp(args->command[0], args->command);
        log_error("Failed to execute %s: %m", args->command[0]);
        return EXIT_FAILURE;
}
