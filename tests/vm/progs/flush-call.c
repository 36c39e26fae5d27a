/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flush-call.c - one Flush call with a bound, for the guest's test programs
 *
 * victim and swarm count what happens to each of their own requests, so
 * they call Flush themselves (not through libflushd), with their own
 * timeout, and classify sd-bus's answer.
 */
#include "bus/flush1.h"
#include "flush-call.h"
#include "util/macro.h"

int flush_call(sd_bus *bus, int iommufd, uint64_t timeout_usec, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, FLUSH1_BUS_NAME, FLUSH1_OBJECT_PATH,
                                           FLUSH1_INTERFACE, "Flush");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ht", iommufd, UINT64_C(0));
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, timeout_usec, error, &reply);
}
