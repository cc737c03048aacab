/*
 * render-job: render_file() in a child process.  See include/trawl/render-job.h.
 *
 * Records (bg.h framing), child to parent:
 *   'M' meta: has_html, has_plain, parse_failed, n_headers, n_lines,
 *       n_attachments, n_parts (int64 each), then from, to, cc, date,
 *       subject, message_id (NUL-terminated)
 *   'H' headers: name, value ...
 *   'L' lines: kind, depth, quote_level, part, wrapped (int64 each), text ...
 *   'A' attachments: size, index, part (int64 each), filename, safe_name, mime_type ...
 *   'P' parts: id, parent, depth, shown, attachment (int64 each), mime_type,
 *       charset, decoded_as ...
 *   'E' end;  'X' render_file() failed: its status (int64)
 * Every batch record holds whole items and stays near RENDER_JOB_BATCH
 * bytes.  Strings from render are C strings, so NUL ends each one.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trawl/bg.h"
#include "trawl/render-job.h"

/* Bounds on what the parent accepts, whatever a broken child says. */
#define RENDER_JOB_MAX_ITEMS (64u << 20)

struct render_job {
	TALLOC_CTX *ctx; /* where the result goes */
	bg_job_t *bg;
	char *path;
	struct render_opts opts;
	struct render_message *r; /* being rebuilt, a child of the job */
	size_t got_headers, got_lines, got_attachments, got_parts;
	int got_meta, got_end;
	enum render_job_state state;
	const char *error;
};

/* ---------------------------------------------------------------- child */

struct pack {
	char *buf;
	size_t len, cap;
};

static void
pack_reserve(struct pack *p, size_t n)
{
	if (p->len + n <= p->cap)
		return;
	while (p->len + n > p->cap)
		p->cap = p->cap ? p->cap * 2 : RENDER_JOB_BATCH + 65536;
	p->buf = talloc_realloc(NULL, p->buf, char, p->cap);
	if (!p->buf)
		_exit(4);
}

static void
pack_int(struct pack *p, int64_t v)
{
	pack_reserve(p, sizeof(v));
	memcpy(p->buf + p->len, &v, sizeof(v));
	p->len += sizeof(v);
}

static void
pack_str(struct pack *p, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	pack_reserve(p, n);
	memcpy(p->buf + p->len, s ? s : "", n);
	p->len += n;
}

/* Sends the batch if it is full enough (or force and not empty). */
static void
pack_flush(bg_writer_t *w, struct pack *p, char type, int force)
{
	if (p->len == 0 || (!force && p->len < RENDER_JOB_BATCH))
		return;
	bg_write(w, type, p->buf, p->len);
	p->len = 0;
}

static int
render_job_child(bg_writer_t *w, void *arg)
{
	struct render_job *job = arg;
	struct render_message *r;
	struct pack p = {0};
	trawl_status_t ts;

	/* Tests: a renderer that dies (as on a parser crash) before it sends anything. */
	if (getenv("TRAWL_TEST_RENDER_KILL"))
		raise(SIGKILL);
	ts = render_file(NULL, job->path, &job->opts, &r);

	if (ts != TRAWL_OK) {
		pack_int(&p, ts);
		bg_write(w, 'X', p.buf, p.len);
		talloc_free(p.buf);
		return 0;
	}
	pack_int(&p, r->has_html);
	pack_int(&p, r->has_plain);
	pack_int(&p, r->parse_failed);
	pack_int(&p, (int64_t)r->n_headers);
	pack_int(&p, (int64_t)r->n_lines);
	pack_int(&p, (int64_t)r->n_attachments);
	pack_int(&p, (int64_t)r->n_parts);
	pack_str(&p, r->from);
	pack_str(&p, r->to);
	pack_str(&p, r->cc);
	pack_str(&p, r->date);
	pack_str(&p, r->subject);
	pack_str(&p, r->message_id);
	pack_flush(w, &p, 'M', 1);
	for (size_t i = 0; i < r->n_headers; i++) {
		pack_str(&p, r->headers[i].name);
		pack_str(&p, r->headers[i].value);
		pack_flush(w, &p, 'H', 0);
	}
	pack_flush(w, &p, 'H', 1);
	for (size_t i = 0; i < r->n_lines; i++) {
		const struct render_line *l = &r->lines[i];

		pack_int(&p, l->kind);
		pack_int(&p, l->depth);
		pack_int(&p, l->quote_level);
		pack_int(&p, l->part);
		pack_int(&p, l->wrapped);
		pack_str(&p, l->text);
		pack_flush(w, &p, 'L', 0);
	}
	pack_flush(w, &p, 'L', 1);
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct render_attachment *a = &r->attachments[i];

		pack_int(&p, (int64_t)a->size);
		pack_int(&p, a->index);
		pack_int(&p, a->part);
		pack_str(&p, a->filename);
		pack_str(&p, a->safe_name);
		pack_str(&p, a->mime_type);
		pack_flush(w, &p, 'A', 0);
	}
	pack_flush(w, &p, 'A', 1);
	for (size_t i = 0; i < r->n_parts; i++) {
		const struct render_part *pt = &r->parts[i];

		pack_int(&p, pt->id);
		pack_int(&p, pt->parent);
		pack_int(&p, pt->depth);
		pack_int(&p, pt->shown);
		pack_int(&p, pt->attachment);
		pack_str(&p, pt->mime_type);
		pack_str(&p, pt->charset);
		pack_str(&p, pt->decoded_as);
		pack_flush(w, &p, 'P', 0);
	}
	pack_flush(w, &p, 'P', 1);
	bg_write(w, 'E', "", 0);
	/* The child ends with _exit(): what it made is freed here, or memcheck calls it lost. */
	talloc_free(r);
	talloc_free(p.buf);
	return 0;
}

/* --------------------------------------------------------------- parent */

struct unpack {
	const char *p, *end;
	int bad;
};

static int64_t
unpack_int(struct unpack *u)
{
	int64_t v = 0;

	if (u->bad || (size_t)(u->end - u->p) < sizeof(v)) {
		u->bad = 1;
		return 0;
	}
	memcpy(&v, u->p, sizeof(v));
	u->p += sizeof(v);
	return v;
}

/* A string of the record: a pointer into it (copy it, or keep the record). */
static const char *
unpack_str(struct unpack *u)
{
	const char *s = u->p;
	const char *nul;

	if (u->bad || u->p >= u->end || !(nul = memchr(u->p, '\0', (size_t)(u->end - u->p)))) {
		u->bad = 1;
		return "";
	}
	u->p = nul + 1;
	return s;
}

static int
unpack_count(struct unpack *u, size_t *n)
{
	int64_t v = unpack_int(u);

	if (v < 0 || (uint64_t)v > RENDER_JOB_MAX_ITEMS)
		u->bad = 1;
	*n = u->bad ? 0 : (size_t)v;
	return !u->bad;
}

static void
render_job_fail(struct render_job *job, const char *why)
{
	if (job->state != RENDER_JOB_RUNNING)
		return;
	job->state = RENDER_JOB_FAILED;
	job->error = talloc_strdup(job, why);
	TALLOC_FREE(job->r);
}

static int
render_job_meta(struct render_job *job, struct unpack *u)
{
	struct render_message *r = talloc_zero(job, struct render_message);
	char **strs[] = {&r->from, &r->to, &r->cc, &r->date, &r->subject, &r->message_id};

	if (!r)
		return 0;
	job->r = r;
	r->has_html = unpack_int(u) != 0;
	r->has_plain = unpack_int(u) != 0;
	r->parse_failed = unpack_int(u) != 0;
	unpack_count(u, &r->n_headers);
	unpack_count(u, &r->n_lines);
	unpack_count(u, &r->n_attachments);
	unpack_count(u, &r->n_parts);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*strs[i] = talloc_strdup(r, unpack_str(u));
	if (u->bad)
		return 0;
	r->headers = talloc_zero_array(r, struct render_header, r->n_headers + 1);
	r->lines = talloc_zero_array(r, struct render_line, r->n_lines + 1);
	r->attachments = talloc_zero_array(r, struct render_attachment, r->n_attachments + 1);
	r->parts = talloc_zero_array(r, struct render_part, r->n_parts + 1);
	job->got_meta = 1;
	return r->headers && r->lines && r->attachments && r->parts;
}

static void
render_job_record(void *ud, char type, const char *payload, size_t len)
{
	struct render_job *job = ud;
	struct unpack u = {payload, payload + len, 0};
	struct render_message *r = job->r;
	char *block;

	if (job->state != RENDER_JOB_RUNNING)
		return;
	if (type == 'X') {
		int64_t ts = unpack_int(&u);

		render_job_fail(job, trawl_status_str((trawl_status_t)ts));
		return;
	}
	if (type == 'M') {
		if (job->got_meta || !render_job_meta(job, &u))
			render_job_fail(job, "the renderer sent a bad record");
		return;
	}
	if (!job->got_meta || job->got_end) {
		render_job_fail(job, "the renderer sent a record out of order");
		return;
	}
	if (type == 'E') {
		if (job->got_headers != r->n_headers || job->got_lines != r->n_lines ||
		    job->got_attachments != r->n_attachments || job->got_parts != r->n_parts)
			render_job_fail(job, "the renderer sent a short result");
		else
			job->got_end = 1;
		return;
	}
	/* Strings of a batch stay in one block, shared by its items. */
	block = talloc_memdup(r, payload, len);
	if (!block) {
		render_job_fail(job, "out of memory");
		return;
	}
	u = (struct unpack){block, block + len, 0};
	while (!u.bad && u.p < u.end) {
		if (type == 'H' && job->got_headers < r->n_headers) {
			struct render_header *h = &r->headers[job->got_headers++];

			h->name = (char *)unpack_str(&u);
			h->value = (char *)unpack_str(&u);
		} else if (type == 'L' && job->got_lines < r->n_lines) {
			struct render_line *l = &r->lines[job->got_lines++];

			l->kind = (enum render_line_kind)unpack_int(&u);
			l->depth = (int)unpack_int(&u);
			l->quote_level = (int)unpack_int(&u);
			l->part = (int)unpack_int(&u);
			l->wrapped = (int)unpack_int(&u);
			l->text = (char *)unpack_str(&u);
		} else if (type == 'A' && job->got_attachments < r->n_attachments) {
			struct render_attachment *a = &r->attachments[job->got_attachments++];

			a->size = (size_t)unpack_int(&u);
			a->index = (int)unpack_int(&u);
			a->part = (int)unpack_int(&u);
			a->filename = (char *)unpack_str(&u);
			a->safe_name = (char *)unpack_str(&u);
			a->mime_type = (char *)unpack_str(&u);
		} else if (type == 'P' && job->got_parts < r->n_parts) {
			struct render_part *p = &r->parts[job->got_parts++];

			p->id = (int)unpack_int(&u);
			p->parent = (int)unpack_int(&u);
			p->depth = (int)unpack_int(&u);
			p->shown = (int)unpack_int(&u);
			p->attachment = (int)unpack_int(&u);
			p->mime_type = (char *)unpack_str(&u);
			p->charset = (char *)unpack_str(&u);
			p->decoded_as = (char *)unpack_str(&u);
		} else {
			u.bad = 1;
		}
	}
	if (u.bad)
		render_job_fail(job, "the renderer sent a bad record");
}

trawl_status_t
render_job_start(TALLOC_CTX *ctx, const char *path, const struct render_opts *opts,
		 struct render_job **out)
{
	struct render_job *job = talloc_zero(ctx, struct render_job);
	trawl_status_t ts;

	*out = NULL;
	if (!job)
		return TRAWL_NOMEM;
	job->ctx = ctx;
	job->path = talloc_strdup(job, path);
	job->opts = opts ? *opts : (struct render_opts){.mode = RENDER_MODE_TEXT};
	if (!job->path) {
		talloc_free(job);
		return TRAWL_NOMEM;
	}
	ts = bg_start(job, "render", render_job_child, job, &job->bg);
	if (ts != TRAWL_OK) {
		talloc_free(job);
		return ts;
	}
	*out = job;
	return TRAWL_OK;
}

int
render_job_fd(const struct render_job *job)
{
	return job && job->state == RENDER_JOB_RUNNING ? bg_fd(job->bg) : -1;
}

enum render_job_state
render_job_poll(struct render_job *job, size_t max_bytes, struct render_message **out,
		const char **error)
{
	if (job->state == RENDER_JOB_RUNNING) {
		enum bg_state st = bg_poll(job->bg, max_bytes, render_job_record, job);

		if (st == BG_DIED)
			render_job_fail(job, talloc_asprintf(job, "the renderer %s", bg_how_died(job->bg)));
		else if (st == BG_DONE && !job->got_end)
			render_job_fail(job, "the renderer ended without a result");
		if (job->state == RENDER_JOB_RUNNING && job->got_end && st != BG_RUNNING) {
			job->state = RENDER_JOB_DONE;
			talloc_steal(job->ctx, job->r);
		}
	}
	if (job->state == RENDER_JOB_DONE && out)
		*out = job->r;
	if (job->state == RENDER_JOB_FAILED && error)
		*error = job->error;
	return job->state;
}
