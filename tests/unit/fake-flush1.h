/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-flush1.h - a test double of org.flushd.Flush1 on a private bus
 *
 * For libflushd's and flushctl's tests: fake_bus_start() runs a private
 * dbus-daemon (tests/unit/bus.conf, optionally with a policy that denies
 * every call to org.flushd.Flush1), fake_service_start() a thread that owns
 * the name and answers every method and property with canned data, or with
 * the one D-Bus error set by fake_service_fail(). No real daemon is
 * involved: this checks the client side of the contract only.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "private-bus.h"

typedef struct FakeService {
        PrivateBus bus;
        pthread_t thread;
        bool running;
        int stop_fd;
        int ready_fd;
        pthread_mutex_t lock;
        char error[128];        /* "" answers with canned data */
        unsigned list_calls;    /* ListCgroups' counters grow with each call */
} FakeService;

/* deny_calls: the bus policy refuses every call to org.flushd.Flush1. */
void fake_bus_start(FakeService *f, bool deny_calls);
/* Own org.flushd.Flush1 and answer calls, in a thread. */
void fake_service_start(FakeService *f);
/* Answer every call with error name (NULL: canned data again). */
void fake_service_fail(FakeService *f, const char *name);
/* Stop the service (if started) and the bus, remove the directory. */
void fake_stop(FakeService *f);

/*
 * Run the built flushctl (FLUSHCTL, default build/flushctl) with argv
 * (NULL-terminated, without argv[0]); its stdout in *ret_out if not NULL
 * (malloc()ed), stdin and stderr /dev/null. Returns the exit status, or
 * -1 if it did not exit.
 */
int run_flushctl(char *const *argv, char **ret_out);
