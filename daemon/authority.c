/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * authority.c - asks polkit whether a caller may use an admin method
 *
 * Root may always; anyone else only if polkit's CheckAuthorization says
 * so for org.flushd.Flush1.manage. The subject is the caller's unique bus
 * name ("system-bus-name"), so polkit identifies the caller itself from
 * the bus, as flushd does; no interaction is allowed (flushd has no one to
 * ask), so auth_admin defaults mean "no" unless a rule grants it. The call
 * is asynchronous like everything on the loop; an error, a timeout or an
 * absent polkit all deny.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "authority.h"
#include "util/macro.h"

int authority_check_async(sd_bus *bus, const char *sender, const char *action, sd_bus_slot **ret_slot,
                          sd_bus_message_handler_t callback, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        assert(bus);
        assert(sender);
        assert(action);
        assert(ret_slot);

        r = sd_bus_message_new_method_call(bus, &call, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        /* (subject kind, details) action, details a{ss}, flags (0: no
         * interaction), cancellation id */
        r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action,
                                  0, UINT32_C(0), "");
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, ret_slot, call, callback, userdata, AUTHORITY_TIMEOUT_USEC);
}

void authority_parse_reply(sd_bus_message *reply, bool *ret_authorized, char *why, size_t size) {
        const sd_bus_error *e;
        int authorized = 0, challenge = 0, r;

        assert(reply);
        assert(ret_authorized);

        *ret_authorized = false;
        e = sd_bus_message_get_error(reply);
        if (e) {
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        snprintf(why, size, "polkit is not running");
                else
                        snprintf(why, size, "polkit failed: %s", e->message ?: e->name);
                return;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                snprintf(why, size, "polkit's answer cannot be read: %s", strerror(-r));
                return;
        }
        *ret_authorized = authorized;
        snprintf(why, size, "%s", authorized ? "polkit allows it"
                                 : challenge ? "polkit wants authentication, which flushd cannot ask for"
                                 : "polkit does not allow it");
}
