/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus.h - the org.flushd.Flush1.Manager D-Bus interface
 */
#pragma once

#include "bus/flush1.h"
#include "manager.h"

/* Outcomes of bus.c itself (positive, mapped like the modules' ones). */
enum {
        _BUS_E_SUCCESS = 0,
        BUS_E_INVALID_ARGS = 500,
};

int bus_add_manager(Manager *m);

/* The D-Bus error name of a positive outcome of any module, NULL if none. */
const char *bus_error_name(int outcome);
