/* Child processes: spawned with an argv (posix_spawn, never a shell), their
 * stderr thrown away so that nothing leaks into Make's output, stdin fed
 * from a string, stdout captured on request, and killed when they outlive
 * a timeout (a compiler waiting on a terminal, a wrapper that hangs). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kbx.h"

extern char **environ;

#define OUT_MAX (1u << 20) /* more output than any probe needs */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	fds[0] = fds[1] = -1;
}

/* The child's stdin, stdout and stderr: pipes where the caller gives or
 * wants data, /dev/null elsewhere. */
static int plan_fds(posix_spawn_file_actions_t *fa, int in[2], int out[2])
{
	int rc = posix_spawn_file_actions_init(fa);

	if (rc)
		return rc;
	if (in[0] >= 0) {
		rc = rc ?: posix_spawn_file_actions_adddup2(fa, in[0], 0);
		rc = rc ?: posix_spawn_file_actions_addclose(fa, in[1]);
	} else {
		rc = rc
			     ?: posix_spawn_file_actions_addopen(
					fa, 0, "/dev/null", O_RDONLY, 0);
	}
	if (out[1] >= 0) {
		rc = rc ?: posix_spawn_file_actions_adddup2(fa, out[1], 1);
		rc = rc ?: posix_spawn_file_actions_addclose(fa, out[0]);
	} else {
		rc = rc
			     ?: posix_spawn_file_actions_addopen(
					fa, 1, "/dev/null", O_WRONLY, 0);
	}
	rc = rc
		     ?: posix_spawn_file_actions_addopen(fa, 2, "/dev/null",
							 O_WRONLY, 0);
	return rc;
}

static int append_output(struct kbx_run *res, int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	char *p;

	if (n <= 0)
		return n == 0 || errno != EINTR ? 1 : 0; /* 1: closed */
	if (res->out_len + (size_t)n > OUT_MAX)
		return 0; /* keep draining, drop the excess */
	p = realloc(res->out, res->out_len + (size_t)n + 1);
	if (!p)
		return 0;
	res->out = p;
	memcpy(res->out + res->out_len, buf, (size_t)n);
	res->out_len += (size_t)n;
	res->out[res->out_len] = '\0';
	return 0;
}

/* Feeds stdin, drains stdout and waits, all within the deadline. */
static void supervise(pid_t pid, int in_fd, const char *in_data, int out_fd,
		      unsigned timeout_ms, struct kbx_run *res)
{
	size_t in_left = in_data ? strlen(in_data) : 0;
	long deadline = now_ms() + (long)timeout_ms;
	int status;

	while (in_fd >= 0 || out_fd >= 0) {
		struct pollfd p[2];
		int n = 0, wait_ms = (int)(deadline - now_ms());

		if (wait_ms <= 0)
			break;
		if (in_fd >= 0)
			p[n++] = (struct pollfd){ in_fd, POLLOUT, 0 };
		if (out_fd >= 0)
			p[n++] = (struct pollfd){ out_fd, POLLIN, 0 };
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == in_fd) {
				ssize_t w =
					in_left ? send(in_fd, in_data, in_left,
						       MSG_NOSIGNAL)
						: 0;

				if (w > 0) {
					in_data += w;
					in_left -= (size_t)w;
				}
				if (w < 0 || in_left == 0) {
					close(in_fd);
					in_fd = -1;
				}
			} else if (append_output(res, out_fd)) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	/* the pipes are closed; the child may still run (or hang) */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			res->timed_out = 1;
			res->status = -1;
			return;
		}
		usleep(500);
	}
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int kbx_run(char *const argv[], const char *stdin_data, int capture,
	    unsigned timeout_ms, struct kbx_run *res, struct kbx_err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	/* stdin is a socket: send() with MSG_NOSIGNAL survives a child that
	 * stops reading, without touching make's own SIGPIPE disposition */
	if ((stdin_data &&
	     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in)) ||
	    (capture && pipe2(out, O_CLOEXEC))) {
		close_pair(in);
		return kbx_fail(err, argv[0], "pipe: %s", strerror(errno));
	}
	rc = plan_fds(&fa, in, out);
	if (rc == 0)
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		close_pair(in);
		close_pair(out);
		res->not_found = rc == ENOENT;
		return kbx_fail(err, argv[0], "cannot run: %s", strerror(rc));
	}
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	supervise(pid, in[1], stdin_data, out[0], timeout_ms, res);
	return 0;
}

void kbx_run_free(struct kbx_run *res)
{
	free(res->out);
	memset(res, 0, sizeof(*res));
}
