/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * workers.h - pinned, tracked threads that dirty a buffer on command
 */
#pragma once

#include <stddef.h>

typedef struct Workers Workers;

/* Starts one thread per CPU in cpus[], each pinned to its CPU before it
 * calls flushd_track_thread(iommufd, 0), then writes its buffer once and
 * blocks. Returns 0 or a negative errno (the first thread's failure). */
int workers_new(Workers **ret, int iommufd, const int *cpus, size_t n);

/* Wakes every thread to write its buffer again; returns once all of them
 * have written and are about to block again. */
int workers_dirty(Workers *w);

/* Stops and joins the threads. Accepts NULL, returns NULL. */
Workers *workers_free(Workers *w);

static inline void workers_freep(Workers **w) {
        workers_free(*w);
}
