/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flood.c - a hostile caller: many Flush calls with fds attached, replies never read
 *
 * Issue 14's attack on flushd: a few bus connections of one user, each
 * sending about a thousand org.flushd.Flush1.Manager.Flush calls with a file
 * descriptor attached, without ever reading a reply. sd-bus cannot do that
 * (its only way to push queued messages, sd_bus_flush(), waits without a
 * bound and reads), so sd-bus only connects (authentication, fd negotiation,
 * Hello) and this program then writes the method calls itself on the
 * connection's socket: one sendmsg() per message, the fd in SCM_RIGHTS,
 * non-blocking, every wait for the socket bounded by the deadline. It never
 * reads from the socket again, so the bus piles flushd's replies up unread.
 *
 * The attached fd is an iommufd, /dev/null or a pipe (--fds=mix cycles
 * through the three), so flushd sees valid and invalid fds alike. After the
 * last message the connections stay open, still unread, until SIGTERM or
 * --hold seconds after the start; then the program exits.
 *
 * Prints "flood: connected N" once every connection is up, and at the end
 * "flood: sent=S of T connections=N dead=D stalls=X". Exit status 0 when all
 * T messages were written, 1 when some were not (deadline, a connection the
 * bus closed), 2 on a setup failure.
 *
 * Usage: flood [--connections=N] [--calls=M] [--fds=iommu|null|pipe|mix] [--hold=SECONDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "bus/flush1.h"
#include "util/macro.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "flood.c marshals little-endian D-Bus messages with native stores"
#endif

#define CONNECTIONS_MAX 256
#define MSG_MAX 512

enum { FD_IOMMU, FD_NULL, FD_PIPE, _FD_KIND_MAX };

typedef struct Conn {
        sd_bus *bus;            /* owns the socket; used only to connect */
        int fd;                 /* the socket, written by hand after Hello */
        uint32_t serial;
        unsigned sent;          /* messages completely written */
        size_t partial;         /* bytes of the current message already written */
        bool dead;
} Conn;

static volatile sig_atomic_t stop;

static void on_term(int sig) {
        stop = 1;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* D-Bus marshalling, little-endian; offsets are from the message start. */
static size_t align_to(uint8_t *buf, size_t off, size_t a) {
        while (off % a)
                buf[off++] = 0;
        return off;
}

static size_t put_u32(uint8_t *buf, size_t off, uint32_t v) {
        off = align_to(buf, off, 4);
        memcpy(buf + off, &v, 4);
        return off + 4;
}

/* One header field: STRUCT(BYTE code, VARIANT value), 8-aligned. */
static size_t put_field(uint8_t *buf, size_t off, uint8_t code, char type, const char *s, uint32_t u) {
        size_t len = s ? strlen(s) : 0;

        off = align_to(buf, off, 8);
        buf[off++] = code;
        buf[off++] = 1;                 /* signature of the variant: one type */
        buf[off++] = (uint8_t) type;
        buf[off++] = 0;
        switch (type) {
        case 'o':
        case 's':
                off = put_u32(buf, off, (uint32_t) len);
                memcpy(buf + off, s, len + 1);
                return off + len + 1;
        case 'g':
                buf[off++] = (uint8_t) len;
                memcpy(buf + off, s, len + 1);
                return off + len + 1;
        default: /* 'u' */
                return put_u32(buf, off, u);
        }
}

/*
 * Flush(h 0, t 0) to org.flushd.Flush1, one fd attached. Returns the length;
 * the serial is at offset 8 and is patched per message.
 */
static size_t flush_call_build(uint8_t *buf) {
        const uint64_t flags = 0;
        const uint32_t fd_index = 0;
        size_t off, fields_start;
        uint32_t fields_len, body_len = 16;

        memset(buf, 0, MSG_MAX);
        buf[0] = 'l';           /* little-endian */
        buf[1] = 1;             /* METHOD_CALL */
        buf[2] = 0;             /* flags: a reply is expected (and never read) */
        buf[3] = 1;             /* protocol version */
        memcpy(buf + 4, &body_len, 4);
        /* serial at 8, fields length at 12 */
        fields_start = off = 16;
        off = put_field(buf, off, 1, 'o', FLUSH1_OBJECT_PATH, 0);
        off = put_field(buf, off, 2, 's', FLUSH1_INTERFACE, 0);
        off = put_field(buf, off, 3, 's', "Flush", 0);
        off = put_field(buf, off, 6, 's', FLUSH1_BUS_NAME, 0);
        off = put_field(buf, off, 8, 'g', "ht", 0);
        off = put_field(buf, off, 9, 'u', NULL, 1);
        fields_len = (uint32_t) (off - fields_start);
        memcpy(buf + 12, &fields_len, 4);
        off = align_to(buf, off, 8);
        /* body "ht": the index of the fd in SCM_RIGHTS, padding, the flags */
        memcpy(buf + off, &fd_index, 4);
        memcpy(buf + off + 8, &flags, 8);
        return off + body_len;
}

/* Returns 1 written completely, 0 would block, negative errno. */
static int conn_send(Conn *c, uint8_t *msg, size_t len, int passfd) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (c->partial == 0) {
                uint32_t serial = ++c->serial;

                memcpy(msg + 8, &serial, 4);
                /* The fd travels with the first byte of the message. */
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                control.h.cmsg_level = SOL_SOCKET;
                control.h.cmsg_type = SCM_RIGHTS;
                control.h.cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(&control.h), &passfd, sizeof(int));
        }
        iov.iov_base = msg + c->partial;
        iov.iov_len = len - c->partial;

        n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
                if (c->partial == 0)
                        c->serial--;
                return errno == EAGAIN ? 0 : -errno;
        }
        c->partial += (size_t) n;
        if (c->partial < len)
                return 0;
        c->partial = 0;
        c->sent++;
        return 1;
}

static int conn_open(Conn *c) {
        const char *unique;
        int r;

        r = sd_bus_open_system(&c->bus);
        if (r < 0)
                return r;
        /* Waits for authentication and the Hello reply; bounded by sd-bus. */
        r = sd_bus_get_unique_name(c->bus, &unique);
        if (r < 0)
                return r;
        r = sd_bus_can_send(c->bus, SD_BUS_TYPE_UNIX_FD);
        if (r <= 0)
                return r < 0 ? r : -EOPNOTSUPP;
        c->fd = sd_bus_get_fd(c->bus);
        if (c->fd < 0)
                return c->fd;
        /* Hello took serial 1; ours follow. */
        c->serial = 1000;
        return 0;
}

static int fds_open(int fds[_FD_KIND_MAX]) {
        int p[2];

        fds[FD_NULL] = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fds[FD_NULL] < 0)
                return -errno;
        fds[FD_IOMMU] = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (fds[FD_IOMMU] < 0) {
                /* Only a host without the patched kernel; the guest has it. */
                printf("flood: /dev/iommu: %m; passing /dev/null instead\n");
                fds[FD_IOMMU] = fcntl(fds[FD_NULL], F_DUPFD_CLOEXEC, 3);
                if (fds[FD_IOMMU] < 0)
                        return -errno;
        }
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        fds[FD_PIPE] = p[0];
        /* p[1] stays open (leaked until exit) so the pipe has a writer. */
        return 0;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "connections", required_argument, NULL, 'c' },
                { "calls",       required_argument, NULL, 'n' },
                { "fds",         required_argument, NULL, 'f' },
                { "hold",        required_argument, NULL, 'H' },
                {}
        };
        static Conn conns[CONNECTIONS_MAX];
        static uint8_t msg[MSG_MAX];
        unsigned n_conns = 8, calls = 1000, hold = 60, total, sent = 0, dead = 0, stalls = 0;
        int fds[_FD_KIND_MAX] = { -EBADF, -EBADF, -EBADF }, kind = -1, opt, r;
        uint64_t start, deadline;
        size_t len;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (opt) {
                case 'c':
                        n_conns = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'n':
                        calls = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        if (strcmp(optarg, "iommu") == 0)
                                kind = FD_IOMMU;
                        else if (strcmp(optarg, "null") == 0)
                                kind = FD_NULL;
                        else if (strcmp(optarg, "pipe") == 0)
                                kind = FD_PIPE;
                        else if (strcmp(optarg, "mix") == 0)
                                kind = -1;
                        else {
                                fprintf(stderr, "flood: --fds=iommu|null|pipe|mix\n");
                                return 2;
                        }
                        break;
                case 'H':
                        hold = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                default:
                        fprintf(stderr, "Usage: flood [--connections=N] [--calls=M] "
                                "[--fds=iommu|null|pipe|mix] [--hold=SECONDS]\n");
                        return 2;
                }
        }
        if (n_conns < 1 || n_conns > CONNECTIONS_MAX || hold < 1) {
                fprintf(stderr, "flood: 1 <= connections <= %d, hold >= 1\n", CONNECTIONS_MAX);
                return 2;
        }
        total = n_conns * calls;
        start = now_usec();
        deadline = start + (uint64_t) hold * 1000000u;

        if (signal(SIGTERM, on_term) == SIG_ERR || signal(SIGINT, on_term) == SIG_ERR)
                return 2;
        r = fds_open(fds);
        if (r < 0) {
                fprintf(stderr, "flood: opening the fds to pass: %s\n", strerror(-r));
                return 2;
        }
        for (unsigned i = 0; i < n_conns; i++) {
                r = conn_open(&conns[i]);
                if (r < 0) {
                        fprintf(stderr, "flood: connection %u: %s\n", i, strerror(-r));
                        return 2;
                }
        }
        len = flush_call_build(msg);
        printf("flood: connected %u\n", n_conns);
        fflush(stdout);

        /* Round-robin over the connections, one message at a time. */
        while (sent < total && !stop && now_usec() < deadline) {
                struct pollfd pfd[CONNECTIONS_MAX];
                unsigned n_wait = 0, n_live = 0;
                bool progress = false;

                for (unsigned i = 0; i < n_conns; i++) {
                        Conn *c = &conns[i];
                        int passfd;

                        if (c->dead || c->sent >= calls)
                                continue;
                        n_live++;
                        passfd = fds[kind >= 0 ? kind : (int) (c->sent % _FD_KIND_MAX)];
                        r = conn_send(c, msg, len, passfd);
                        if (r > 0) {
                                sent++;
                                progress = true;
                        } else if (r == 0) {
                                pfd[n_wait++] = (struct pollfd) { .fd = c->fd, .events = POLLOUT };
                        } else if (r == -ETOOMANYREFS) {
                                /* Too many of our fds in flight: let the bus read them. */
                                stalls++;
                        } else {
                                fprintf(stderr, "flood: connection %u: sendmsg: %s\n", i, strerror(-r));
                                c->dead = true;
                                dead++;
                        }
                }
                if (n_live == 0)
                        break;
                if (!progress) {
                        uint64_t now = now_usec();
                        int timeout_ms = now >= deadline ? 0 : (int) ((deadline - now) / 1000);

                        if (timeout_ms > 100)
                                timeout_ms = 100;
                        if (n_wait > 0)
                                (void) poll(pfd, n_wait, timeout_ms);
                        else
                                (void) usleep(1000);
                        stalls++;
                }
        }
        printf("flood: sent=%u of %u connections=%u dead=%u stalls=%u in %.3f s\n",
               sent, total, n_conns, dead, stalls, (double) (now_usec() - start) / 1e6);
        fflush(stdout);

        /* Hold the connections, never reading, until told to stop or the deadline. */
        while (!stop && now_usec() < deadline)
                (void) usleep(50 * 1000);

        for (unsigned i = 0; i < n_conns; i++)
                conns[i].bus = sd_bus_close_unref(conns[i].bus);
        for (int k = 0; k < _FD_KIND_MAX; k++)
                safe_close(fds[k]);
        printf("flood: done\n");
        return sent == total ? 0 : 1;
}
