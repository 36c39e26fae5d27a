/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cwb-stress.c - a bounded lifetime stress of IOMMU_CACHE_WB_TRACK
 *
 * For the debug kernel (KASAN, lockdep, kmemleak, ...): every order in
 * which a tracked thread and its iommufd can go away, while a privileged
 * process that received the iommufd by SCM_RIGHTS keeps flushing it.
 *
 * Per round, a client process opens /dev/iommu, passes the fd to the
 * flusher and runs tracked threads that migrate between CPUs, write
 * memory, exit, fork (the child tracks on the inherited fd), exec (a
 * tracked thread execve()s this program, which tracks again) and stop.
 * The client closes its fd at some point while the threads run; the
 * flusher closes its copy at another; and every other round the client
 * is killed with SIGKILL in the middle. Meanwhile one tracked thread of
 * the top process holds a tracker for the whole run, so the preemption
 * notifier static key is never flipped by the stress itself.
 *
 * The program only checks the ioctls' results it can predict (START on a
 * fresh thread, flushes from the privileged side); the kernel log is the
 * real verdict, checked by the guest.
 *
 * Usage: cwb-stress SECONDS       run for about SECONDS, exit 0 if fine
 *        cwb-stress exec-child FD (internal: the image an exec'ing
 *                                  tracked thread becomes)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>

#define NTHREADS 6
#define MAX_HELD 8

static int ncpus;

static int track(int fd, unsigned int op, unsigned int flags)
{
	struct iommu_cache_wb_track cmd = {
		.size = sizeof(cmd), .op = op, .flags = flags,
	};

	return ioctl(fd, IOMMU_CACHE_WB_TRACK, &cmd);
}

static int flush(int fd, int target, unsigned int flags)
{
	uint64_t mask[4];
	struct iommu_cache_wb cmd = {
		.size = sizeof(cmd), .flags = flags, .target_fd = target,
		.cpumask_len = sizeof(mask), .cpumask_uptr = (uintptr_t)mask,
	};

	return ioctl(fd, IOMMU_CACHE_WB, &cmd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void migrate(unsigned int *seed)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(rand_r(seed) % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static char scratch[NTHREADS][64 * 1024];

static void scribble(int slot, unsigned int *seed)
{
	for (size_t i = rand_r(seed) % 64; i < sizeof(scratch[slot]); i += 64)
		scratch[slot][i]++;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Returns a received fd, -2 on end of stream, -1 if nothing is pending. */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT);
	int fd;

	if (n == 0)
		return -2;
	if (n < 0)
		return errno == EAGAIN ? -1 : -2;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/*
 * The privileged side: flushes every iommufd it holds, in all flag
 * combinations, and closes them at random, until the socket closes.
 */
static int flusher(int sock)
{
	static const unsigned int flags[] = {
		0, IOMMU_CACHE_WB_QUERY, IOMMU_CACHE_WB_NO_COALESCE,
		IOMMU_CACHE_WB_NO_INVALIDATE, IOMMU_CACHE_WB_ALL_CPUS,
	};
	int held[MAX_HELD], nheld = 0, own = open("/dev/iommu", O_RDWR);
	unsigned int seed = 1;
	unsigned long flushes = 0;
	int bad = 0;

	if (own < 0) {
		perror("cwb-stress: flusher: /dev/iommu");
		return 1;
	}
	for (;;) {
		int fd = recv_fd(sock);

		if (fd == -2)
			break;
		if (fd >= 0) {
			if (nheld == MAX_HELD)
				close(held[--nheld]);
			held[nheld++] = fd;
		}
		for (int i = 0; i < nheld; i++) {
			unsigned int f = flags[rand_r(&seed) % 5];

			if (flush(own, held[i], f)) {
				fprintf(stderr, "cwb-stress: flush: %s\n",
					strerror(errno));
				bad++;
			}
			flushes++;
		}
		if (nheld && rand_r(&seed) % 4 == 0) {
			int i = rand_r(&seed) % nheld;

			close(held[i]);
			held[i] = held[--nheld];
		}
		if (!nheld)
			sched_yield();
	}
	while (nheld)
		close(held[--nheld]);
	close(own);
	printf("cwb-stress: flusher: %lu flushes, %d failed\n", flushes, bad);
	/* The caller leaves with _exit(), which does not flush stdio. */
	fflush(stdout);
	return bad != 0;
}

struct tracked {
	int fd;
	int slot;
	unsigned int seed;
	const char *self;
	atomic_int *stop;
	atomic_int *bad;
};

/* A tracked thread: migrates and writes; may STOP, fork or exec. */
static void *tracked_fn(void *arg)
{
	struct tracked *t = arg;
	unsigned int what = rand_r(&t->seed) % 8;

	if (track(t->fd, IOMMU_CACHE_WB_TRACK_START,
		  what == 0 ? IOMMU_CACHE_WB_TRACK_MARK_ALL : 0)) {
		/* The fd may already be closed by the client. */
		if (errno != EBADF)
			atomic_fetch_add(t->bad, 1);
		return NULL;
	}
	for (int i = 0; !atomic_load(t->stop) && i < 200; i++) {
		migrate(&t->seed);
		scribble(t->slot, &t->seed);
		if (i == 20 && what == 1)
			return NULL; /* exit while tracked */
		if (i == 20 && what == 2) {
			track(t->fd, IOMMU_CACHE_WB_TRACK_STOP, 0);
			if (track(t->fd, IOMMU_CACHE_WB_TRACK_START, 0) &&
			    errno != EBADF)
				atomic_fetch_add(t->bad, 1);
		}
		if (i == 20 && what == 3) {
			pid_t pid = fork();

			if (!pid) {
				/* Not inherited: track anew, then exit. */
				track(t->fd, IOMMU_CACHE_WB_TRACK_START, 0);
				scribble(t->slot, &t->seed);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		if (i == 20 && what == 4) {
			pid_t pid = fork();

			if (!pid) {
				char fdstr[16];

				/* A tracked thread that execs. */
				track(t->fd, IOMMU_CACHE_WB_TRACK_START, 0);
				snprintf(fdstr, sizeof(fdstr), "%d", t->fd);
				execl(t->self, t->self, "exec-child", fdstr,
				      (char *)NULL);
				_exit(127);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		if (i % 16 == 0)
			sched_yield();
	}
	return NULL;
}

/* One client process: its iommufd, its threads, its own close. */
static void client(int sock, unsigned int seed, const char *self)
{
	pthread_t threads[NTHREADS];
	struct tracked args[NTHREADS];
	atomic_int stop = 0, bad = 0;
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0 || send_fd(sock, fd))
		_exit(2);
	for (int i = 0; i < NTHREADS; i++) {
		args[i] = (struct tracked){
			.fd = fd, .slot = i, .seed = seed * 31 + i,
			.self = self, .stop = &stop, .bad = &bad,
		};
		if (pthread_create(&threads[i], NULL, tracked_fn, &args[i]))
			_exit(3);
	}
	/* Close our reference while the threads run (or not at all). */
	for (unsigned int n = rand_r(&seed) % 2000; n; n--)
		sched_yield();
	if (rand_r(&seed) % 3)
		close(fd);
	atomic_store(&stop, rand_r(&seed) % 2);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(threads[i], NULL);
	_exit(atomic_load(&bad) ? 4 : 0);
}

static int holder_fd, holder_pipe[2];

/* Tracked for the whole run: keeps the notifier key held. */
static void *key_holder(void *arg)
{
	char c;

	(void)arg;
	if (track(holder_fd, IOMMU_CACHE_WB_TRACK_START, 0))
		return (void *)1;
	/* Blocks until main() closes the write end. */
	while (read(holder_pipe[0], &c, 1) > 0)
		;
	if (track(holder_fd, IOMMU_CACHE_WB_TRACK_STOP, 0))
		return (void *)1;
	return NULL;
}

static int exec_child(const char *fdstr)
{
	int fd = atoi(fdstr);
	unsigned int seed = (unsigned int)getpid();

	/*
	 * Whatever the exec'ing thread had is gone with its old image. EBADF:
	 * the client closed its iommufd before the fork, one of the closes
	 * this stress makes on purpose.
	 */
	if (track(fd, IOMMU_CACHE_WB_TRACK_START, 0) && errno != EEXIST &&
	    errno != EBADF) {
		fprintf(stderr, "cwb-stress: exec-child START: %s\n",
			strerror(errno));
		return 1;
	}
	scribble(0, &seed);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds, end;
	int sv[2], failed = 0;
	unsigned long rounds = 0, killed = 0;
	pthread_t holder;
	void *holder_ret;
	pid_t flusher_pid;
	int status;

	if (argc == 3 && !strcmp(argv[1], "exec-child"))
		return exec_child(argv[2]);
	if (argc != 2 || (seconds = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: cwb-stress SECONDS\n");
		return 2;
	}
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	holder_fd = open("/dev/iommu", O_RDWR);
	if (holder_fd < 0 || pipe(holder_pipe) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)) {
		perror("cwb-stress: setup");
		return 1;
	}
	if (pthread_create(&holder, NULL, key_holder, NULL))
		return 1;

	flusher_pid = fork();
	if (flusher_pid < 0)
		return 1;
	if (!flusher_pid) {
		close(sv[0]);
		close(holder_pipe[1]);
		_exit(flusher(sv[1]));
	}
	close(sv[1]);

	end = now_s() + seconds;
	while (now_s() < end) {
		unsigned int seed = (unsigned int)rounds + 7;
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (!pid)
			client(sv[0], seed, "/proc/self/exe");
		if (rounds % 2) {
			/* Kill it somewhere in the middle. */
			for (unsigned int n = rand_r(&seed) % 3000; n; n--)
				sched_yield();
			kill(pid, SIGKILL);
			killed++;
		}
		if (waitpid(pid, &status, 0) != pid)
			failed++;
		else if (WIFEXITED(status) && WEXITSTATUS(status)) {
			fprintf(stderr, "cwb-stress: client exit %d\n",
				WEXITSTATUS(status));
			failed++;
		} else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "cwb-stress: client signal %d\n",
				WTERMSIG(status));
			failed++;
		}
		rounds++;
	}
	close(sv[0]);
	if (waitpid(flusher_pid, &status, 0) != flusher_pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		failed++;
	close(holder_pipe[1]);
	pthread_join(holder, &holder_ret);
	if (holder_ret)
		failed++;
	close(holder_fd);
	printf("cwb-stress: %lu rounds (%lu killed), %d failures\n", rounds,
	       killed, failed);
	return failed != 0;
}
