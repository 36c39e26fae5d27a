/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flush-call.h - one Flush call with a bound, for the guest's test programs
 */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

/* Flush(iommufd, 0) on bus, waiting at most timeout_usec; sd_bus_call()'s result. */
int flush_call(sd_bus *bus, int iommufd, uint64_t timeout_usec, sd_bus_error *error);
