/*
 * bg: background jobs in child processes.
 *
 * A job is a forked child that runs a function and streams typed records
 * to the parent over a pipe.  Work that may crash (libnotmuch 0.37 aborts
 * a reader when another process commits during a long iteration) or take
 * long runs there, so the UI process never blocks on it and survives it.
 *
 * Record format on the pipe: one type byte, a 32-bit length in host byte
 * order, then the payload.  The parent reads without blocking.
 *
 * Ownership: a job is a talloc object; freeing it kills (SIGKILL) and
 * reaps the child and closes the pipe.
 */
#ifndef TRAWL_BG_H
#define TRAWL_BG_H

#include <stddef.h>
#include <sys/types.h>
#include <talloc.h>

#include "trawl/status.h"

typedef struct bg_job bg_job_t;
typedef struct bg_writer bg_writer_t;

/* Runs in the child; its return value is the child's exit status. */
typedef int (*bg_fn)(bg_writer_t *w, void *arg);

/* Called in the parent for each complete record. */
typedef void (*bg_record_fn)(void *ud, char type, const char *payload, size_t len);

enum bg_state {
	BG_RUNNING,
	BG_DONE, /* the child closed the pipe and exited with status 0 */
	BG_DIED, /* the pipe closed and the child died or failed */
};

/*
 * Forks a child running fn(w, arg).  The child's process name becomes
 * "trawl-" + role (at most 9 bytes of it), so ps and top tell the jobs apart.
 */
trawl_status_t bg_start(TALLOC_CTX *ctx, const char *role, bg_fn fn, void *arg, bg_job_t **out);

/* The fd to poll for input, or -1 once the job has ended. */
int bg_fd(const bg_job_t *job);
pid_t bg_pid(const bg_job_t *job);

/*
 * Reads at most max_bytes of what is available without blocking and
 * delivers complete records to cb.  Returns the job's state.
 */
enum bg_state bg_poll(bg_job_t *job, size_t max_bytes, bg_record_fn cb, void *ud);

/* After BG_DIED: a short description such as "killed by signal 6". */
const char *bg_how_died(const bg_job_t *job);

/* After BG_DIED: the signal that ended the child, 0 if it was not a signal. */
int bg_term_signal(const bg_job_t *job);

/* Child side: writes one record, blocking; exits the child if the parent is gone. */
void bg_write(bg_writer_t *w, char type, const void *payload, size_t len);

#endif
