/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-kernel.c - the kernel back end without the kernel
 *
 * A device path that does not exist yet, then a regular file there: the
 * back end reports why it cannot write back, and kernel_reopen() picks the
 * device up once it can be opened (as when flushd started before udev gave
 * /dev/iommu to its group). The ioctl itself is tested in the guests.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "tests.h"
#include "util/macro.h"

START_TEST(test_reopen_once_it_exists) {
        _cleanup_(kernel_freep) Kernel *k = NULL;
        char dir[] = "/tmp/flushd-kernel-XXXXXX", path[64];
        KernelResult res;
        int fd, opened;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/iommu", dir);

        ck_assert_int_eq(kernel_new(path, &k), 0);
        ck_assert_int_lt(k->fd, 0);
        ck_assert_ptr_nonnull(strstr(k->support, "cannot open"));
        ck_assert_int_eq(kernel_write_back(k, 0, 0, &res), KERNEL_E_NO_DEVICE);
        ck_assert_ptr_nonnull(strstr(kernel_outcome_to_string(k, KERNEL_E_NO_DEVICE), "No such file"));
        ck_assert_int_eq(kernel_reopen(k), 0);
        ck_assert_int_lt(k->fd, 0);

        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(kernel_reopen(k), 1);
        ck_assert_int_ge(k->fd, 0);
        /* open now, but a regular file has no IOMMU_CACHE_WB */
        ck_assert_ptr_nonnull(strstr(k->support, "ENOTTY"));
        ck_assert_int_eq(kernel_write_back(k, 0, 0, &res), KERNEL_E_NO_IOCTL);
        opened = k->fd;
        ck_assert_int_eq(kernel_reopen(k), 1);
        ck_assert_int_eq(k->fd, opened);

        unlink(path);
        rmdir(dir);
}
END_TEST

Suite *kernel_suite(void) {
        Suite *s = suite_create("kernel");
        TCase *tc = tcase_create("kernel");

        tcase_add_test(tc, test_reopen_once_it_exists);
        suite_add_tcase(s, tc);
        return s;
}
