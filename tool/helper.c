// SPDX-License-Identifier: GPL-2.0
/* run_helper(): see helper.h. */
#define _GNU_SOURCE	/* pipe2() */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "helper.h"

int run_helper(char *const argv[], char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin",
	};
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned int waited = 0;
	int status, pipefd[2] = { -1, -1 }, rc;
	pid_t pid;

	if (err) {
		err[0] = '\0';
		/*
		 * Read once the helper is gone, without waiting: something it
		 * started (a modprobe.d install command) may hold the pipe.
		 */
		if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK))
			pipefd[0] = pipefd[1] = -1;
	}
	pid = fork();
	if (pid < 0) {
		rc = -1;
		goto out;
	}
	if (pid == 0) {
		char path[256];
		unsigned int i;
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(pipefd[1] >= 0 ? pipefd[1] : null, 2);
		}
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], argv[0]);
			execv(path, argv);
		}
		_exit(127);
	}
	/* Bounded: a helper that hangs must not hang the boot. */
	rc = -1;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited >= HELPER_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			goto out;
		}
		nanosleep(&tick, NULL);
		waited += 10;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
out:
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (pipefd[0] >= 0) {
		/* What fits of it (a pipe's buffer; modprobe says a line). */
		ssize_t n = pid > 0 ? read(pipefd[0], err, errlen - 1) : 0;
		char *line;

		err[n > 0 ? n : 0] = '\0';
		while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == '\r'))
			err[--n] = '\0';
		line = strrchr(err, '\n');
		if (line)
			memmove(err, line + 1, strlen(line + 1) + 1);
		close(pipefd[0]);
	}
	return rc;
}
