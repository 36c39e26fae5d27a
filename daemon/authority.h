/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * authority.h - asks polkit whether a caller may use an admin method
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#define AUTHORITY_ACTION_MANAGE "org.flushd.Flush1.manage"
/* polkit answers at once for rules and defaults; a stuck one must not
 * hold an admin call for the client's whole timeout. */
#define AUTHORITY_TIMEOUT_USEC (10 * 1000 * 1000ULL)
/* Checks for non-root callers, all together: polkit's time is not ours to give away. */
#define AUTHORITY_CHECK_RATE  10        /* per second */
#define AUTHORITY_CHECK_BURST 20

/*
 * Sends CheckAuthorization for the connection sender (a unique name) and
 * action, without user interaction; the reply reaches callback through
 * *ret_slot, which the caller owns (unref it to cancel).
 */
int authority_check_async(sd_bus *bus, const char *sender, const char *action, sd_bus_slot **ret_slot,
                          sd_bus_message_handler_t callback, void *userdata);
/*
 * Reads a CheckAuthorization reply (or an error reply) into *ret_authorized.
 * Fails closed: any error is "not authorized", with why set to a short
 * reason for the caller ("polkit is not running", the error's message).
 */
void authority_parse_reply(sd_bus_message *reply, bool *ret_authorized, char *why, size_t size);
