/*
 * render-job: renders a message file in a child process (a bg.h job) and
 * rebuilds the result in the caller, so that a 50 MB message neither
 * blocks the keyboard while GMime parses it nor takes the UI down if a
 * hostile message crashes the parser: the child dies alone and the job
 * says how.
 *
 * The child streams the render_message as records of at most about
 * RENDER_JOB_BATCH bytes; render_job_poll() takes at most max_bytes of
 * them per call, so the caller's share of the work is bounded per poll.
 * The result is the one render_file() would give (same strings, lines,
 * attachments and parts); line texts live in blocks shared by many lines,
 * as render.h says.
 *
 * Ownership: a job is a talloc object; freeing it kills the child.  The
 * result is a talloc child of the ctx given to render_job_start().
 */
#ifndef TRAWL_RENDER_JOB_H
#define TRAWL_RENDER_JOB_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/render.h"
#include "trawl/status.h"

#define RENDER_JOB_BATCH (256 << 10)

struct render_job;

/* Starts rendering path with opts (NULL: RENDER_MODE_TEXT); the result goes to ctx. */
trawl_status_t render_job_start(TALLOC_CTX *ctx, const char *path, const struct render_opts *opts,
				struct render_job **out);

/* The fd to poll for the child's records, -1 once it has ended. */
int render_job_fd(const struct render_job *job);

enum render_job_state {
	RENDER_JOB_RUNNING,
	RENDER_JOB_DONE,   /* *out is the result */
	RENDER_JOB_FAILED, /* *error says why (the file cannot be read, the child died) */
};

/*
 * Takes at most about max_bytes of what the child sent.  On DONE, *out
 * receives the result; on FAILED, *error a message (a child of the job's
 * ctx).  Later calls return the same state.
 */
enum render_job_state render_job_poll(struct render_job *job, size_t max_bytes,
				      struct render_message **out, const char **error);

#endif
