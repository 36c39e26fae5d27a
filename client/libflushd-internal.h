/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libflushd-internal.h - helpers shared between libflushd's files, not exported
 */
#pragma once

#include <systemd/sd-bus.h>

/* Positive FLUSHD_E_* code for a D-Bus error name, or 0 if the name has none. */
int error_code_from_bus_name(const char *name);

/*
 * The return value for a failed bus call: r is sd_bus_call()'s return, e its
 * error. A named error flushd or the bus defines becomes -FLUSHD_E_*, another
 * D-Bus error sd-bus's errno for it (-EIO if none), a local failure r itself.
 */
int error_from_bus(const sd_bus_error *e, int r);
