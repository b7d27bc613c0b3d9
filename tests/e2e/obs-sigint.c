/* obs-sigint PID [MAX_MS]: deliver SIGINT (OBS's graceful quit) to OBS's UI thread while that thread
 * waits in its event loop.
 *
 * OBS 29 closes its main window from inside its SIGINT handler. When the signal lands while the UI thread
 * is inside libxcb (writing to the X server, or waiting in poll() for a reply with the connection locked),
 * OBS deadlocks between that thread and its graphics thread — an OBS bug, with or without any plugin
 * (OBS 30 defers the work to its event loop). The event loop's poll() has a finite timeout (OBS always has
 * timers); libxcb's waits forever. So: stop the process, look at what the UI thread (tid == pid) is doing,
 * and only when it is in poll(2) with a finite timeout queue SIGINT for that thread and let it continue;
 * otherwise let it run 5 ms and look again. After MAX_MS (default 2000) send SIGINT anyway.
 * OBS_SIGINT_VERBOSE=1 prints what the UI thread was doing when the signal was queued.
 * Exit status: 0 when the signal was sent, 1 when the process does not exist, 2 on a usage error. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, (int)size, f) != NULL;
	if (f)
		fclose(f);
	return ok;
}

/* The thread's state letter from /proc/PID/task/PID/stat ('T' when stopped), or 0. */
static char thread_state(const char *stat_path)
{
	char buf[512];
	const char *p;
	if (!read_line(stat_path, buf, sizeof(buf)) || !(p = strrchr(buf, ')')) || p[1] != ' ')
		return 0;
	return p[2];
}

/* True when the thread sits in poll(2) with a finite timeout: the event loop, not libxcb. */
enum ui_state { UI_IDLE, UI_BUSY, UI_UNREADABLE };
static char last_seen[512];

/* UI_IDLE when the thread sits in poll(2) with a finite timeout: the event loop, not libxcb. */
static enum ui_state ui_thread_state(const char *syscall_path)
{
	long nr;
	unsigned long long fds, nfds, timeout;
	if (!read_line(syscall_path, last_seen, sizeof(last_seen)))
		return UI_UNREADABLE; /* e.g. Yama ptrace_scope without CAP_SYS_PTRACE */
	if (sscanf(last_seen, "%ld %llx %llx %llx", &nr, &fds, &nfds, &timeout) != 4)
		return UI_BUSY; /* "running", or stopped outside a system call */
#if defined(__x86_64__)
	/* poll's timeout is an int; -1 = forever */
	if (nr == SYS_poll)
		return (int)(unsigned int)timeout >= 0 ? UI_IDLE : UI_BUSY;
	/* newer glibc (Debian trixie, OBS 30) polls with ppoll(2): the timeout is a pointer, NULL = forever */
	return nr == SYS_ppoll && timeout != 0 ? UI_IDLE : UI_BUSY;
#else
	return UI_UNREADABLE;
#endif
}

int main(int argc, char **argv)
{
	char stat_path[64], syscall_path[64];
	long pid = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	long max_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;

	if (argc < 2 || argc > 3 || pid <= 1 || max_ms < 0) {
		fprintf(stderr, "usage: obs-sigint PID [MAX_MS]\n");
		return 2;
	}
	snprintf(stat_path, sizeof(stat_path), "/proc/%ld/task/%ld/stat", pid, pid);
	snprintf(syscall_path, sizeof(syscall_path), "/proc/%ld/task/%ld/syscall", pid, pid);

	for (long waited_us = 0; waited_us < max_ms * 1000; waited_us += 5000) {
		if (kill((pid_t)pid, SIGSTOP) != 0) {
			fprintf(stderr, "obs-sigint: pid %ld: %s\n", pid, strerror(errno));
			return 1;
		}
		for (int i = 0; i < 500 && thread_state(stat_path) != 'T'; i++)
			sleep_us(200);
		enum ui_state state = ui_thread_state(syscall_path);
		if (state == UI_IDLE && thread_state(stat_path) == 'T') {
			syscall(SYS_tgkill, (pid_t)pid, (pid_t)pid, SIGINT); /* pending for the UI thread */
			kill((pid_t)pid, SIGCONT);
			if (getenv("OBS_SIGINT_VERBOSE"))
				fprintf(stderr, "obs-sigint: sent after %ld ms; UI thread in: %s", waited_us / 1000,
					last_seen);
			return 0;
		}
		kill((pid_t)pid, SIGCONT);
		if (state == UI_UNREADABLE) {
			fprintf(stderr, "obs-sigint: cannot see what the UI thread of %ld does; SIGINT unchecked\n",
				pid);
			return kill((pid_t)pid, SIGINT) == 0 ? 0 : 1;
		}
		sleep_us(5000);
	}
	fprintf(stderr, "obs-sigint: the UI thread of %ld was not idle within %ld ms; sending SIGINT anyway\n", pid,
		max_ms);
	return kill((pid_t)pid, SIGINT) == 0 ? 0 : 1;
}
