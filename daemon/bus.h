/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus.h - the org.flushd.Flush1.Manager D-Bus interface
 */
#pragma once

#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "bus/flush1.h"

typedef struct Manager Manager;

/* Outcomes of bus.c itself (positive, mapped like the modules' ones). */
enum {
        _BUS_E_SUCCESS = 0,
        BUS_E_INVALID_ARGS = 500,
};

int bus_add_manager(Manager *m);

/* The D-Bus error name of a positive outcome of any module, NULL if none. */
const char *bus_error_name(int outcome);

/* Replies with the D-Bus error of a positive outcome; a NULL format uses
 * the outcome's summary. Returns 1 (the message was answered) or < 0. */
int bus_reply_outcome(sd_bus_message *message, int outcome, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
/* The same error as a message, for the caller to send; *ret is NULL when
 * the call asked for no reply. */
int bus_new_outcome(sd_bus_message *message, int outcome, sd_bus_message **ret, const char *format, va_list ap)
        __attribute__((format(printf, 4, 0)));
