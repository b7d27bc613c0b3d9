/* ui-freeze PID MS: stop OBS's UI thread (tid == pid) for MS milliseconds while every other thread of OBS keeps
 * running (obs-websocket answers, the plugin's threads work), then let it continue. Tests use it to make a task
 * queued for the UI thread wait longer than a vendor request waits for it.
 * ptrace(PTRACE_SEIZE) + PTRACE_INTERRUPT on that one thread only: no signal reaches the process, so there is no
 * group stop. Prints "frozen" once the thread is stopped. Exit status: 0 done, 1 failure, 2 usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ui-freeze PID MS\n");
		return 2;
	}
	pid_t tid = (pid_t)atol(argv[1]);
	long ms = atol(argv[2]);
	if (tid <= 0 || ms <= 0) {
		fprintf(stderr, "usage: ui-freeze PID MS\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0 || ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0) {
		fprintf(stderr, "ui-freeze: cannot stop thread %d: %s\n", (int)tid, strerror(errno));
		return 1;
	}
	int status;
	if (waitpid(tid, &status, __WALL) != tid) {
		fprintf(stderr, "ui-freeze: waitpid: %s\n", strerror(errno));
		return 1;
	}
	printf("frozen\n");
	fflush(stdout);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	if (ptrace(PTRACE_DETACH, tid, NULL, NULL) != 0) {
		fprintf(stderr, "ui-freeze: detach: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
