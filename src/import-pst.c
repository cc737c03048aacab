/*
 * import-pst: Outlook PST and OST stores for `trawl import`, converted by
 * pst-utils' readpst in a child process.  See import-int.h.
 *
 * readpst runs with a fixed argv (no shell): -D (deleted items too: they
 * are evidence), -e (one file per item, named with its type: N.eml,
 * N.vcf, N.ics), -o into a directory the caller makes inside the cache,
 * and the store's path after "--".  Its stdout (the per-folder counts of
 * items done and skipped) and stderr go to a log file beside that
 * directory, read back for the counts.  It gets CPU and core limits, not
 * a memory limit (libpst maps the store).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "import-int.h"

/* CPU seconds for readpst on one store: gigabytes of OST convert in minutes. */
#define IMPORT_PST_CPU_SECONDS 7200

bool
import_pst_is(const char *d, size_t len)
{
	/* The header of PST and OST files, ANSI and Unicode alike. */
	return len >= 4 && !memcmp(d, "!BDN", 4);
}

/*
 * Runs argv[0] found in PATH with stdout and stderr into log_fd (or
 * /dev/null when log_fd < 0) and waits for it, killing it when stop()
 * says so.  Returns its exit status, 128+N when signal N ended it, or -1
 * (errno set) when it could not be started; 127 when it is not installed.
 */
static int
import_pst_run(char *const argv[], int log_fd, bool (*stop)(void *), void *arg)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit cpu = {IMPORT_PST_CPU_SECONDS, IMPORT_PST_CPU_SECONDS + 1};
		struct rlimit zero = {0, 0};
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		setrlimit(RLIMIT_CPU, &cpu);
		setrlimit(RLIMIT_CORE, &zero);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(log_fd >= 0 ? log_fd : nul, STDOUT_FILENO);
		dup2(log_fd >= 0 ? log_fd : nul, STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (stop && stop(arg))
			kill(pid, SIGKILL);
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *
import_pst_version(TALLOC_CTX *ctx, const char *scratch)
{
	char *const argv[] = {"readpst", "-V", NULL};
	char buf[256] = "";
	int fd = open(scratch, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;
	char *nl;

	if (fd < 0)
		return NULL;
	unlink(scratch);
	if (import_pst_run(argv, fd, NULL, NULL) != 0) {
		close(fd);
		return NULL;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return *buf ? talloc_strdup(ctx, buf) : NULL;
}

int
import_pst_convert(const char *pst, const char *out_dir, const char *log_path, bool (*stop)(void *),
                   void *arg, char *why, size_t why_len)
{
	char *const argv[] = {"readpst",       "-D", "-e",        "-o",
	                      (char *)out_dir, "--", (char *)pst, NULL};
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0) {
		snprintf(why, why_len, "%s: %s", log_path, strerror(errno));
		return -1;
	}
	rc = import_pst_run(argv, fd, stop, arg);
	close(fd);
	if (rc == 0)
		return 0;
	if (rc == 127)
		snprintf(why, why_len,
		         "an Outlook store; readpst (Debian package pst-utils) is "
		         "not installed, install it and import again");
	else if (rc < 0)
		snprintf(why, why_len, "readpst could not be started: %s", strerror(errno));
	else if (rc > 128)
		snprintf(why, why_len, "readpst was killed by signal %d", rc - 128);
	else
		snprintf(why, why_len, "readpst failed (exit status %d)", rc);
	return -1;
}

int
import_pst_skipped(const char *line, char *folder, size_t folder_len, unsigned long *skipped)
{
	const char *q1, *q2, *p;
	unsigned long done, n;

	/* '\t"Inbox" - 0 items done, 4 items skipped.' */
	q1 = strchr(line, '"');
	q2 = q1 ? strrchr(q1 + 1, '"') : NULL;
	if (!q2 || q2 == q1 + 1)
		return 0;
	p = q2 + 1;
	if (sscanf(p, " - %lu items done, %lu items skipped.", &done, &n) != 2 || n == 0)
		return 0;
	snprintf(folder, folder_len, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
	*skipped = n;
	return 1;
}
