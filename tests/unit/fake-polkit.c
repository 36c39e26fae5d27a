/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-polkit.c - a test double of polkit's Authority on a private bus
 *
 * Only what flushd asks: CheckAuthorization((sa{sv})sa{ss}us) ->
 * (bba{ss}). It decides like a polkit rule granting the action to one uid,
 * looking the subject's bus name up on the bus itself, so a test sees that
 * flushd names the caller (not itself) and the right action, and asks
 * without interaction.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <systemd/sd-bus.h>

#include "authority.h"
#include "fake-polkit.h"
#include "private-bus.h"
#include "util/macro.h"

static int check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uid_t allowed = *(uid_t *) userdata, euid;
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *kind, *key, *name = NULL, *action, *cancel;
        uint32_t flags;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &kind);
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r >= 0 && strcmp(key, "name") == 0)
                        r = sd_bus_message_read(m, "v", "s", &name);
                else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &action);
        if (r >= 0)
                r = sd_bus_message_skip(m, "a{ss}");
        if (r >= 0)
                r = sd_bus_message_read(m, "us", &flags, &cancel);
        if (r < 0)
                return r;
        if (strcmp(kind, "system-bus-name") != 0 || !name || name[0] != ':')
                return sd_bus_error_set(ret_error, "org.freedesktop.PolicyKit1.Error.Failed", "bad subject");
        if (strcmp(action, AUTHORITY_ACTION_MANAGE) != 0)
                return sd_bus_error_set(ret_error, "org.freedesktop.PolicyKit1.Error.Failed", "unknown action");
        if (flags != 0)
                return sd_bus_error_set(ret_error, "org.freedesktop.PolicyKit1.Error.Failed", "interaction asked");

        r = sd_bus_get_name_creds(sd_bus_message_get_bus(m), name, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "(bba{ss})", euid == allowed, 0, 0);
}

static const sd_bus_vtable authority_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", check_authorization, 0),
        SD_BUS_VTABLE_END,
};

static _Noreturn void serve(const char *address, uid_t allowed, int ready_fd) {
        sd_bus *bus = NULL;
        int r;

        r = private_bus_connect(address, &bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
                                             "org.freedesktop.PolicyKit1.Authority", authority_vtable, &allowed);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0);
        if (r < 0)
                _exit(1);
        (void) !write(ready_fd, "x", 1);
        close(ready_fd);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        _exit(2);
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        _exit(3);
        }
}

pid_t fake_polkit_start(const char *address, uid_t allowed_uid) {
        int ready[2];
        pid_t pid;
        char c;

        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(ready[0]);
                serve(address, allowed_uid, ready[1]);
        }
        close(ready[1]);
        ck_assert_msg(read(ready[0], &c, 1) == 1, "the fake polkit did not start");
        close(ready[0]);
        return pid;
}

void fake_polkit_stop(pid_t pid) {
        int status;

        kill(pid, SIGKILL);
        (void) waitpid(pid, &status, 0);
}
