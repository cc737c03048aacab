/*
 * extract-job: extract_buffer() in a child process with limits.  See
 * include/trawl/extract.h.
 *
 * The child sets RLIMIT_CPU, RLIMIT_AS, RLIMIT_CORE and RLIMIT_FSIZE (it
 * writes no file), extracts from its copy of the parent's bytes and
 * sends, child to parent (bg.h framing):
 *   'K' kind, detected, reason (NUL-terminated each; reason "" if none),
 *       then one byte: cut
 *   'T' a piece of the text (at most EXTRACT_JOB_PIECE bytes)
 *   'O' it ran out of memory (sent before dying, when it can tell)
 *   'E' end
 * The parent takes nothing on trust: the text is neutralised again and
 * bounded, the records are checked, and a child that dies is named by
 * the limit that killed it.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "trawl/bg.h"
#include "trawl/extract.h"
#include "trawl/render.h"
#include "trawl/text.h"
#include "extract-int.h"

#define EXTRACT_JOB_PIECE (256 << 10)

/* AddressSanitizer reserves terabytes of address space: RLIMIT_AS would stop it at start. */
#if defined(__SANITIZE_ADDRESS__)
#define EXTRACT_JOB_LIMIT_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXTRACT_JOB_LIMIT_AS 0
#endif
#endif
#ifndef EXTRACT_JOB_LIMIT_AS
#define EXTRACT_JOB_LIMIT_AS 1
#endif

int
extract_memory_limited(void)
{
	return EXTRACT_JOB_LIMIT_AS;
}

struct extract_job {
	TALLOC_CTX *ctx;
	bg_job_t *bg;
	const char *data; /* the parent's bytes: read by the child only, never after the fork */
	size_t len;
	char *declared, *charset, *filename;
	char *path; /* extract_job_start_attachment(): the message file, and ... */
	int index;  /* ... the attachment, decoded by the child itself */
	struct extract_result *r;
	char *text; /* raw text received */
	size_t text_len;
	int got_meta, got_end, oom;
	int stopped_after; /* killed by extract_job_stop() after this many seconds */
	enum extract_job_state state;
	const char *reason;
};

/* ---------------------------------------------------------------- child */

static bg_writer_t *extract_child_writer;

/*
 * GLib stops at a breakpoint (SIGTRAP) when an allocation fails;
 * poppler's C++ new aborts (SIGABRT); a library that does not check
 * may crash (SIGSEGV).  Either way the child says so first when its
 * address space is over half the limit, so the parent can name the
 * cause.
 */
static void
extract_child_died(int sig)
{
	char buf[64];
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	unsigned long pages = 0;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			pages = strtoul(buf, NULL, 10);
		}
		close(fd);
	}
	if (extract_child_writer &&
	    pages * (unsigned long)sysconf(_SC_PAGESIZE) > EXTRACT_MEMORY / 2)
		bg_write(extract_child_writer, 'O', "", 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
extract_child_limits(void)
{
	struct rlimit cpu = {EXTRACT_CPU_SECONDS, EXTRACT_CPU_SECONDS + 1};
	struct rlimit zero = {0, 0};

	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_CORE, &zero);
	setrlimit(RLIMIT_FSIZE, &zero);
	if (EXTRACT_JOB_LIMIT_AS) {
		struct rlimit as = {EXTRACT_MEMORY, EXTRACT_MEMORY};

		setrlimit(RLIMIT_AS, &as);
	}
}

static int
extract_job_child(bg_writer_t *w, void *arg)
{
	struct extract_job *job = arg;
	struct extract_result *r;
	trawl_status_t ts;
	char *meta;
	size_t n;

	extract_child_writer = w;
	signal(SIGABRT, extract_child_died);
	signal(SIGTRAP, extract_child_died);
	signal(SIGSEGV, extract_child_died);
	signal(SIGBUS, extract_child_died);
	extract_child_limits();
	/* Tests: a document that loops, or that eats memory, whatever the parsers do. */
	if (getenv("TRAWL_TEST_EXTRACT_SPIN")) {
		struct rlimit one = {1, 2}; /* a test need not burn 10 s */

		setrlimit(RLIMIT_CPU, &one);
		for (volatile unsigned long i = 0;; i++)
			;
	}
	if (getenv("TRAWL_TEST_EXTRACT_HOG"))
		for (;;) {
			/* Address space, not memory: nothing is touched. */
			volatile char *p = g_malloc(64 << 20);

			p[0] = 1;
		}
	if (job->path) {
		/* The message is parsed here too: a huge or hostile one costs this child only. */
		char *bytes = NULL;
		size_t len = 0;

		ts = render_attachment_bytes(NULL, job->path, job->index, EXTRACT_MAX_ATTACHMENT,
					     &bytes, &len);
		if (ts != TRAWL_OK) {
			const char *why = ts == TRAWL_LIMIT ? "larger than the limit"
							    : trawl_status_str(ts);
			/* A result of its own: kind, no detected type, the reason, not cut. */
			char *reason = talloc_asprintf(NULL, "cannot read the attachment: %s", why);
			char *rec = reason ? talloc_asprintf(NULL, "failed%c%c%s%c0", 0, 0, reason, 0)
					   : NULL;

			if (rec)
				bg_write(w, 'K', rec, strlen("failed") + 2 + strlen(reason) + 2);
			bg_write(w, 'E', "", 0);
			return 0;
		}
		job->data = bytes;
		job->len = len;
	}
	ts = extract_buffer(NULL, job->data, job->len, job->declared, job->charset, job->filename,
			    &r);
	if (ts != TRAWL_OK) {
		bg_write(w, 'O', "", 0);
		return 0;
	}
	meta = talloc_asprintf(r, "%s%c%s%c%s%c%c", r->kind, 0, r->detected, 0,
			       r->reason ? r->reason : "", 0, r->cut ? '1' : '0');
	if (!meta) {
		bg_write(w, 'O', "", 0);
		return 0;
	}
	n = strlen(r->kind) + strlen(r->detected) + (r->reason ? strlen(r->reason) : 0) + 4;
	bg_write(w, 'K', meta, n);
	for (size_t off = 0; off < r->len; off += EXTRACT_JOB_PIECE)
		bg_write(w, 'T', r->text + off,
			 r->len - off < EXTRACT_JOB_PIECE ? r->len - off : EXTRACT_JOB_PIECE);
	bg_write(w, 'E', "", 0);
	return 0;
}

/* --------------------------------------------------------------- parent */

static void
extract_job_fail(struct extract_job *job, const char *why)
{
	if (job->state != EXTRACT_JOB_RUNNING)
		return;
	job->state = EXTRACT_JOB_FAILED;
	job->reason = talloc_strdup(job, why);
	TALLOC_FREE(job->r);
}

/* The strings of a 'K' record. */
static int
extract_job_meta(struct extract_job *job, const char *p, size_t len)
{
	const char *end = p + len, *s[3];
	struct extract_result *r = talloc_zero(job, struct extract_result);

	if (!r)
		return 0;
	job->r = r;
	for (int i = 0; i < 3; i++) {
		const char *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;

		if (!nul)
			return 0;
		s[i] = p;
		p = nul + 1;
	}
	if (p >= end)
		return 0;
	/* Neutralised again: a child that went wrong may send anything. */
	r->kind = text_sanitize(r, s[0], strlen(s[0]));
	r->detected = text_sanitize(r, s[1], strlen(s[1]));
	r->reason = *s[2] ? text_sanitize(r, s[2], strlen(s[2])) : NULL;
	r->cut = *p == '1';
	job->got_meta = 1;
	return r->kind && r->detected && (!*s[2] || r->reason);
}

static void
extract_job_record(void *ud, char type, const char *payload, size_t len)
{
	struct extract_job *job = ud;

	if (job->state != EXTRACT_JOB_RUNNING)
		return;
	if (type == 'O') {
		job->oom = 1;
		return;
	}
	if (type == 'K') {
		if (job->got_meta || !extract_job_meta(job, payload, len))
			extract_job_fail(job, "the extractor sent a bad record");
		return;
	}
	if (!job->got_meta || job->got_end) {
		extract_job_fail(job, "the extractor sent a record out of order");
		return;
	}
	if (type == 'E') {
		job->got_end = 1;
	} else if (type == 'T') {
		char *t;

		if (job->text_len + len > EXTRACT_MAX_TEXT + 65536) {
			extract_job_fail(job, "the extractor sent too much text");
			return;
		}
		t = talloc_realloc(job, job->text, char, job->text_len + len + 1);
		if (!t) {
			extract_job_fail(job, "out of memory");
			return;
		}
		memcpy(t + job->text_len, payload, len);
		job->text = t;
		job->text_len += len;
		t[job->text_len] = '\0';
	} else {
		extract_job_fail(job, "the extractor sent an unknown record");
	}
}

/* Why the child died, in one line. */
static const char *
extract_job_death(struct extract_job *job)
{
	int sig = bg_term_signal(job->bg);

	if (job->stopped_after)
		return talloc_asprintf(job, "stopped: took more than %d s", job->stopped_after);
	if (job->oom)
		return talloc_asprintf(job, "stopped: out of memory (more than %lu MiB)",
				       EXTRACT_MEMORY >> 20);
	if (sig == SIGXCPU || sig == SIGKILL)
		return talloc_asprintf(job, "stopped: more than %d s of CPU", EXTRACT_CPU_SECONDS);
	return talloc_asprintf(job, "stopped: the extractor %s", bg_how_died(job->bg));
}

/*
 * A job for the bytes at data (or, with path, attachment index of that
 * message file, decoded by the child), started: the bytes are the child's
 * copy from then on (fork), and the parent never reads them.
 */
static trawl_status_t
extract_job_spawn(TALLOC_CTX *ctx, const void *data, size_t len, const char *path, int index,
		  const char *declared_type, const char *charset, const char *filename,
		  struct extract_job **out)
{
	struct extract_job *job = talloc_zero(ctx, struct extract_job);
	trawl_status_t ts;

	*out = NULL;
	if (!job)
		return TRAWL_NOMEM;
	job->ctx = ctx;
	job->data = data ? data : "";
	job->len = len;
	job->path = path ? talloc_strdup(job, path) : NULL;
	job->index = index;
	job->declared = declared_type ? talloc_strdup(job, declared_type) : NULL;
	job->charset = charset ? talloc_strdup(job, charset) : NULL;
	job->filename = filename ? talloc_strdup(job, filename) : NULL;
	if ((path && !job->path) || (declared_type && !job->declared) ||
	    (charset && !job->charset) || (filename && !job->filename)) {
		talloc_free(job);
		return TRAWL_NOMEM;
	}
	ts = bg_start(job, "extract", extract_job_child, job, &job->bg);
	job->data = NULL;
	if (ts != TRAWL_OK) {
		talloc_free(job);
		return ts;
	}
	*out = job;
	return TRAWL_OK;
}

trawl_status_t
extract_job_start(TALLOC_CTX *ctx, const void *data, size_t len, const char *declared_type,
		  const char *charset, const char *filename, struct extract_job **out)
{
	return extract_job_spawn(ctx, data, len, NULL, 0, declared_type, charset, filename, out);
}

trawl_status_t
extract_job_start_attachment(TALLOC_CTX *ctx, const char *path, int index,
			     const char *declared_type, const char *filename,
			     struct extract_job **out)
{
	return extract_job_spawn(ctx, NULL, 0, path, index, declared_type, NULL, filename, out);
}

int
extract_job_fd(const struct extract_job *job)
{
	return job && job->state == EXTRACT_JOB_RUNNING ? bg_fd(job->bg) : -1;
}

void
extract_job_stop(struct extract_job *job, int seconds)
{
	if (job->state != EXTRACT_JOB_RUNNING || bg_pid(job->bg) <= 0)
		return;
	job->stopped_after = seconds > 0 ? seconds : 1;
	kill(bg_pid(job->bg), SIGKILL);
}

enum extract_job_state
extract_job_poll(struct extract_job *job, size_t max_bytes, struct extract_result **out,
		 const char **reason)
{
	if (job->state == EXTRACT_JOB_RUNNING) {
		enum bg_state st = bg_poll(job->bg, max_bytes, extract_job_record, job);

		if (st == BG_DIED)
			extract_job_fail(job, extract_job_death(job));
		else if (st == BG_DONE && !job->got_end)
			extract_job_fail(job, job->oom ? extract_job_death(job)
						       : "stopped: the extractor ended without a result");
		if (job->state == EXTRACT_JOB_RUNNING && job->got_end && st != BG_RUNNING) {
			struct extract_result *r = job->r;
			int cut = 0;

			r->text = extract_neutralise(r, job->text ? job->text : "", job->text_len,
						     EXTRACT_MAX_TEXT + 65536, &cut, &r->len);
			TALLOC_FREE(job->text);
			if (!r->text) {
				extract_job_fail(job, "out of memory");
			} else {
				r->cut = r->cut || cut;
				job->state = EXTRACT_JOB_DONE;
				talloc_steal(job->ctx, r);
			}
		}
	}
	if (job->state == EXTRACT_JOB_DONE && out)
		*out = job->r;
	if (job->state == EXTRACT_JOB_FAILED && reason)
		*reason = job->reason;
	return job->state;
}

static double
extract_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

trawl_status_t
extract_in_child(TALLOC_CTX *ctx, const void *data, size_t len, const char *declared_type,
		 const char *charset, const char *filename, struct extract_result **out)
{
	struct extract_job *job;
	struct extract_result *r = NULL;
	const char *reason = NULL;
	enum extract_job_state st;
	double deadline = extract_now() + EXTRACT_WALL_SECONDS;
	trawl_status_t ts;

	*out = NULL;
	ts = extract_job_start(ctx, data, len, declared_type, charset, filename, &job);
	if (ts != TRAWL_OK)
		return ts;
	while ((st = extract_job_poll(job, 1 << 20, &r, &reason)) == EXTRACT_JOB_RUNNING) {
		struct pollfd p = {.fd = extract_job_fd(job), .events = POLLIN};
		double left = deadline - extract_now();

		if (left <= 0) {
			extract_job_stop(job, EXTRACT_WALL_SECONDS);
			left = 1;
		}
		poll(&p, 1, (int)(left * 1000) + 1);
	}
	if (st == EXTRACT_JOB_FAILED) {
		r = talloc_zero(ctx, struct extract_result);
		if (!r || !(r->text = talloc_strdup(r, "")) || !(r->kind = talloc_strdup(r, "failed")) ||
		    !(r->detected = talloc_strdup(r, "")) || !(r->reason = talloc_strdup(r, reason))) {
			talloc_free(r);
			talloc_free(job);
			return TRAWL_NOMEM;
		}
	}
	talloc_free(job);
	*out = r;
	return TRAWL_OK;
}
