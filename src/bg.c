/*
 * bg: background jobs in child processes.  See include/trawl/bg.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trawl/bg.h"
#include "trawl/util.h"

#define BG_HEADER 5

struct bg_job {
	pid_t pid;
	int fd;
	int ended;
	char *buf; /* bytes read but not yet delivered */
	size_t len, cap;
	char how_died[64];
	int term_signal;
};

struct bg_writer {
	int fd;
};

/* In a child: the pipe to its own parent, which a nested job must not hold. */
static bg_writer_t *bg_self;

static int
bg_destructor(bg_job_t *job)
{
	if (job->fd >= 0)
		close(job->fd);
	job->fd = -1;
	if (job->pid > 0) {
		kill(job->pid, SIGKILL);
		while (waitpid(job->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	job->pid = -1;
	return 0;
}

void
bg_write(bg_writer_t *w, char type, const void *payload, size_t len)
{
	char small[4096];
	uint32_t n = (uint32_t)len;

	/* One write per record when it fits: half the system calls for thread rows. */
	if (len + BG_HEADER <= sizeof(small)) {
		small[0] = type;
		memcpy(small + 1, &n, sizeof(n));
		memcpy(small + BG_HEADER, payload, len);
		if (util_write_all(w->fd, small, len + BG_HEADER) < 0)
			_exit(3); /* the parent went away: nobody wants the rest */
		return;
	}
	small[0] = type;
	memcpy(small + 1, &n, sizeof(n));
	if (util_write_all(w->fd, small, BG_HEADER) < 0 || util_write_all(w->fd, payload, len) < 0)
		_exit(3);
}

trawl_status_t
bg_start(TALLOC_CTX *ctx, const char *role, bg_fn fn, void *arg, bg_job_t **out)
{
	bg_job_t *job;
	int fds[2];
	pid_t pid, parent;

	*out = NULL;
	job = talloc_zero(ctx, bg_job_t);
	if (!job)
		return TRAWL_NOMEM;
	job->fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		talloc_free(job);
		return TRAWL_IO;
	}
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		talloc_free(job);
		return TRAWL_IO;
	}
	if (pid == 0) {
		bg_writer_t w = {.fd = fds[1]};
		char name[16];
		int rc;

		close(fds[0]);
		snprintf(name, sizeof(name), "trawl-%s", role);
		prctl(PR_SET_NAME, name, 0, 0, 0);
		/*
		 * A job dies with its parent: nobody reads its work then, and a
		 * writer left behind would hold the database's write lock
		 * (issue 22).  An open transaction dies uncommitted; what was
		 * committed is in the journal, or settled from it on the next
		 * start.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(3);
		/* A job started by a job: its parent's reader must see the pipe's end. */
		if (bg_self)
			close(bg_self->fd);
		bg_self = &w;
		/* None of the UI's signal handlers, and never the terminal. */
		{
			static const int sigs[] = {SIGPIPE, SIGWINCH, SIGTERM, SIGHUP,
						   SIGTSTP, SIGCONT, SIGQUIT};
			struct sigaction dfl;
			int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

			memset(&dfl, 0, sizeof(dfl));
			dfl.sa_handler = SIG_DFL;
			for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
				sigaction(sigs[i], &dfl, NULL);
			if (nul >= 0) {
				dup2(nul, STDIN_FILENO);
				dup2(nul, STDOUT_FILENO);
				dup2(nul, STDERR_FILENO);
				if (nul > STDERR_FILENO)
					close(nul);
			}
		}
		signal(SIGINT, SIG_IGN); /* Ctrl-C belongs to the UI */
		rc = fn(&w, arg);
		/* _exit: no atexit handlers, no destructors of the parent's objects. */
		_exit(rc);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	job->pid = pid;
	job->fd = fds[0];
	talloc_set_destructor(job, bg_destructor);
	*out = job;
	return TRAWL_OK;
}

int
bg_fd(const bg_job_t *job)
{
	return job && !job->ended ? job->fd : -1;
}

pid_t
bg_pid(const bg_job_t *job)
{
	return job ? job->pid : -1;
}

const char *
bg_how_died(const bg_job_t *job)
{
	return job->how_died;
}

/* Delivers the complete records in the buffer and keeps the tail. */
static void
bg_deliver(bg_job_t *job, bg_record_fn cb, void *ud)
{
	size_t off = 0;

	while (job->len - off >= BG_HEADER) {
		uint32_t n;

		memcpy(&n, job->buf + off + 1, sizeof(n));
		if (job->len - off - BG_HEADER < n)
			break;
		cb(ud, job->buf[off], job->buf + off + BG_HEADER, n);
		off += BG_HEADER + n;
	}
	if (off) {
		memmove(job->buf, job->buf + off, job->len - off);
		job->len -= off;
	}
}

int
bg_term_signal(const bg_job_t *job)
{
	return job->term_signal;
}

static enum bg_state
bg_reap(bg_job_t *job)
{
	int status = 0;
	pid_t r;

	job->ended = 1;
	close(job->fd);
	job->fd = -1;
	do
		r = waitpid(job->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	job->pid = -1;
	if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && job->len == 0)
		return BG_DONE;
	if (r > 0 && WIFSIGNALED(status)) {
		job->term_signal = WTERMSIG(status);
		snprintf(job->how_died, sizeof(job->how_died), "killed by signal %d",
			 WTERMSIG(status));
	} else if (r > 0 && WIFEXITED(status))
		snprintf(job->how_died, sizeof(job->how_died), "exited with status %d",
			 WEXITSTATUS(status));
	else
		snprintf(job->how_died, sizeof(job->how_died), "ended with a partial record");
	return BG_DIED;
}

enum bg_state
bg_poll(bg_job_t *job, size_t max_bytes, bg_record_fn cb, void *ud)
{
	size_t got = 0;

	if (job->ended)
		return job->how_died[0] ? BG_DIED : BG_DONE;
	while (got < max_bytes) {
		ssize_t r;

		if (job->cap - job->len < 65536) {
			size_t cap = job->cap ? job->cap * 2 : 131072;
			char *nb = talloc_realloc(job, job->buf, char, cap);

			if (!nb)
				break;
			job->buf = nb;
			job->cap = cap;
		}
		r = read(job->fd, job->buf + job->len, job->cap - job->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break; /* EAGAIN: nothing more for now */
		if (r == 0) {
			bg_deliver(job, cb, ud);
			return bg_reap(job);
		}
		job->len += (size_t)r;
		got += (size_t)r;
		bg_deliver(job, cb, ud);
	}
	return BG_RUNNING;
}
