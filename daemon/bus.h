/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus.h - the org.flushd.Flush1.Manager D-Bus interface
 */
#pragma once

#include "manager.h"

#define BUS_NAME      "org.flushd.Flush1"
#define BUS_PATH      "/org/flushd/Flush1"
#define BUS_INTERFACE "org.flushd.Flush1.Manager"

/* Flush() flags. */
#define BUS_FLUSH_ALL_CPUS      UINT64_C(1)
#define BUS_FLUSH_NO_INVALIDATE UINT64_C(2)
#define BUS_FLUSH_ALL           (BUS_FLUSH_ALL_CPUS | BUS_FLUSH_NO_INVALIDATE)

/* Outcomes of bus.c itself (positive, mapped like the modules' ones). */
enum {
        _BUS_E_SUCCESS = 0,
        BUS_E_INVALID_ARGS = 500,
};

int bus_add_manager(Manager *m);

/* The D-Bus error name of a positive outcome of any module, NULL if none. */
const char *bus_error_name(int outcome);
