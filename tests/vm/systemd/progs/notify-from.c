/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify-from.c - send one sd_notify message from this process, then stay
 *
 * Usage: notify-from MESSAGE
 *
 * Sends MESSAGE (e.g. "STATUS=text") to $NOTIFY_SOCKET, or to
 * /run/systemd/notify when that is unset, as a datagram carrying this
 * process's own credentials, and lives on for two seconds: the service
 * manager finds a sender's unit from its cgroup, which it can only read
 * while the sender exists. Which unit's state changes, if any, is then the
 * manager's decision (NotifyAccess=). Exit 0 when the message was sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET") ?: "/run/systemd/notify";
        int fd;

        if (argc != 2) {
                fprintf(stderr, "Usage: notify-from MESSAGE\n");
                return 2;
        }
        if (strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-from: socket path too long\n");
                return 2;
        }
        strcpy(sa.sun_path, path);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0';
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof(int)) < 0) {
                fprintf(stderr, "notify-from: socket: %s\n", strerror(errno));
                return 1;
        }
        if (sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "notify-from: sendto %s: %s\n", path, strerror(errno));
                return 1;
        }
        sleep(2);
        return 0;
}
