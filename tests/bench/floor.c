/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor.c - bench-floor: the bus floor, Flush's exact signature and nothing behind it
 *
 * The baseline every per-call figure is divided by: a minimal sd-bus
 * service on the same bus daemon, serving Flush(h, t) -> (u, u, t) at
 * flushd's object path and interface under the name org.flushd.Floor1. It
 * reads both arguments (so the fd is received and closed like flushd's) and
 * answers (0, 0, 0). Whatever flushd costs above this is flushd's own:
 * identity, policy, quota, the kernel call and its event loop.
 *
 * With --listen=PATH it also serves the same Flush on a private socket, as
 * a peer-to-peer D-Bus server (no bus daemon between, no Hello): goal 3's
 * "direct" figure puts the victim there while the flood goes to the floor
 * over the bus, so what remains of the victim's delay is the load the
 * flood puts on the machine, not the bus's queue.
 *
 * Usage: bench-floor [--address=ADDRESS] [--listen=PATH]
 *        (default: the system bus; no private socket)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "bench.h"
#include "bus/flush1.h"
#include "util/macro.h"

static int method_flush(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int fd, r;

        r = sd_bus_message_read(message, "ht", &fd, &flags);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "uut", 0, 0, UINT64_C(0));
}

static const sd_bus_vtable floor_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Flush",
                                SD_BUS_ARGS("h", iommufd, "t", flags),
                                SD_BUS_RESULT("u", flushed, "u", coalesced, "t", nsec),
                                method_flush,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

typedef struct Floor {
        sd_event *event;
        sd_bus *bus;
        int listen_fd;
        sd_event_source *accept_source;
        sd_bus **direct;                /* the private socket's connections */
        size_t n_direct;
} Floor;

static void floor_done(Floor *f) {
        for (size_t i = 0; i < f->n_direct; i++)
                sd_bus_flush_close_unref(f->direct[i]);
        free(f->direct);
        sd_event_source_unref(f->accept_source);
        safe_close(f->listen_fd);
        sd_bus_flush_close_unref(f->bus);
        sd_event_unref(f->event);
}

/* A direct connection went away: drop it (sd-bus keeps it alive until the callback returns). */
static int on_direct_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Floor *f = userdata;
        sd_bus *b = sd_bus_message_get_bus(m);

        for (size_t i = 0; i < f->n_direct; i++)
                if (f->direct[i] == b) {
                        sd_bus_close_unref(b);
                        f->direct[i] = f->direct[--f->n_direct];
                        break;
                }
        return 0;
}

/* Serves the accepted connection, whose fd it takes over. */
static int direct_start(Floor *f, int accepted) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *b = NULL;
        _cleanup_close_ int fd = accepted;
        sd_bus **direct;
        sd_id128_t id;
        int r;

        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&b);
        if (r >= 0)
                r = sd_bus_set_fd(b, fd, fd);
        if (r < 0)
                return r;
        fd = -EBADF;    /* the bus owns it now */
        r = sd_bus_set_server(b, 1, id);
        if (r >= 0)
                r = sd_bus_negotiate_fds(b, 1);
        if (r >= 0)
                r = sd_bus_add_object_vtable(b, NULL, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, floor_vtable, NULL);
        if (r >= 0)
                r = sd_bus_match_signal(b, NULL, NULL, "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", on_direct_disconnected, f);
        if (r >= 0)
                r = sd_bus_attach_event(b, f->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_start(b);
        if (r < 0)
                return r;
        direct = reallocarray(f->direct, f->n_direct + 1, sizeof(*direct));
        if (!direct)
                return -ENOMEM;
        f->direct = direct;
        f->direct[f->n_direct++] = TAKE_PTR(b);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
                return 0;
        r = direct_start(userdata, cfd);
        if (r < 0)
                fprintf(stderr, "bench-floor: a direct connection failed: %s\n", strerror(-r));
        return 0;
}

static int floor_listen(Floor *f, const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (f->listen_fd < 0)
                return -errno;
        (void) unlink(path);
        if (bind(f->listen_fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(f->listen_fd, 64) < 0)
                return -errno;
        /* Like the bus socket: any user may connect. */
        if (chmod(path, 0666) < 0)
                return -errno;
        return sd_event_add_io(f->event, &f->accept_source, f->listen_fd, EPOLLIN, on_accept, f);
}

int main(int argc, char *argv[]) {
        _cleanup_(floor_done) Floor f = { .listen_fd = -EBADF };
        const char *address = NULL, *listen_path = NULL;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strncmp(argv[i], "--address=", 10) == 0)
                        address = argv[i] + 10;
                else if (strncmp(argv[i], "--listen=", 9) == 0)
                        listen_path = argv[i] + 9;
                else {
                        fprintf(stderr, "Usage: bench-floor [--address=ADDRESS] [--listen=PATH]\n");
                        return EXIT_FAILURE;
                }
        }

        r = sd_event_default(&f.event);
        if (r >= 0)
                r = bench_bus_open(address, &f.bus);
        if (r < 0) {
                fprintf(stderr, "bench-floor: cannot connect to the bus: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        /* Before the name: whoever sees the name may use the socket too. */
        if (listen_path) {
                r = floor_listen(&f, listen_path);
                if (r < 0) {
                        fprintf(stderr, "bench-floor: cannot listen on %s: %s\n", listen_path, strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        r = sd_bus_add_object_vtable(f.bus, NULL, FLUSH1_OBJECT_PATH, FLUSH1_INTERFACE, floor_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(f.bus, BENCH_FLOOR_NAME, 0);
        if (r < 0) {
                fprintf(stderr, "bench-floor: cannot serve %s: %s\n", BENCH_FLOOR_NAME, strerror(-r));
                return EXIT_FAILURE;
        }
        /* Until SIGTERM (default action) or the bus goes away: sd-bus
         * leaves the loop when its connection to the bus is lost. */
        r = sd_bus_set_exit_on_disconnect(f.bus, 1);
        if (r >= 0)
                r = sd_bus_attach_event(f.bus, f.event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_event_loop(f.event);
        if (r < 0) {
                fprintf(stderr, "bench-floor: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
