/*
 * view-thread: one thread as a reply tree.  Each message has a summary
 * line (indented by reply depth); expanded messages show their headers,
 * rendered body and attachments.  Messages already reviewed start
 * collapsed.  Bodies are rendered (render module) when first expanded and
 * wrapped to the pane width; the display lines are rebuilt on resize or
 * when a message is toggled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "trawl/bg.h"
#include "trawl/render-job.h"
#include "trawl/render.h"
#include "trawl/thread.h"
#include "trawl/versionmap.h"
#include "trawl/view.h"

#define THREAD_MAX_INDENT 16 /* columns of reply-depth indentation at most */
#define THREAD_QUOTE_KEEP 3  /* quoted lines kept visible when quotes are folded */

/*
 * A display row.  Rows of trawl's own text (summaries, headers, notes)
 * hold their glyphs in run; a body row holds only where it is (render line
 * src, glyphs from..to) and is decoded again when drawn: a 30 MB raw source
 * lays out as 500,000 small rows, not as 24 bytes of glyph per byte.
 */
struct tv_line {
	size_t msg;
	int indent;
	enum screen_attr attr;
	const struct text_run *run; /* NULL for a body row */
	size_t src;                 /* body row: index in the message's render lines */
	size_t from, to;
	int summary; /* the message's summary line */
	int pending; /* placeholder for a body not rendered yet */
};

struct tv_rows {
	struct tv_line *v;
	size_t n, cap;
};

/*
 * A message's rows are its head (title for the first message, summary,
 * headers, tags: rebuilt by every layout), its body (laid out in slices
 * and kept while the width, quote folding and rendering stay the same)
 * and one tail row: a blank line, or while the body is being laid out,
 * how far that has got.
 */
struct tv_message {
	const struct index_message *m; /* the model's message */
	int expanded;
	enum render_mode mode;
	struct render_message *r; /* NULL until first expanded */
	char *render_error;
	struct render_job *rj; /* rendering in a child */
	int render_queued;     /* waiting for a render job slot */
	TALLOC_CTX *mem;       /* owns r and rj */
	struct tv_rows head, body;
	TALLOC_CTX *body_mem; /* the note runs of body rows */
	int body_width, body_fold;
	const struct render_message *body_r; /* what body was laid out from */
	size_t next_src;                     /* the next render line to lay out */
	int body_done;
	struct tv_line tail;
	int has_tail;
	TALLOC_CTX *tail_mem;
	char *file; /* another file of the message shown instead of the first (versions), or NULL */
};

struct threadview {
	struct thread *th; /* the model */
	unsigned serial;   /* the model's serial the lines were laid out for */
	struct tv_message *msgs;
	size_t n_msgs;
	size_t *starts; /* starts[i]: the first row of message i; starts[n_msgs]: the row count */
	size_t n_lines;
	TALLOC_CTX *line_mem; /* the head rows' runs, rebuilt with them */
	int width;
	size_t cursor, top;
	int fold_quotes;
	unsigned render_budget; /* bodies a layout may still render */
	struct app_job *job;
	char status[80]; /* the job's status line text while it works */
	unsigned versions_serial; /* the versions map's serial the summaries show */
};

/* Message bodies rendered per layout; the rest as they come into view. */
#define THREAD_RENDER_BUDGET 12
/* Layout time per slice: a long body goes on in the next poll, keys in between. */
#define THREAD_SLICE_NS 8000000L

static void
rows_add(struct threadview *tv, struct tv_rows *rows, const struct tv_line *line)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 16;
		rows->v = talloc_realloc(tv, rows->v, struct tv_line, rows->cap);
		if (!rows->v)
			abort();
	}
	rows->v[rows->n++] = *line;
}

/* The file message tm is read from: its first, or the one chosen among its versions. */
static const char *
msg_file(const struct tv_message *tm)
{
	return tm->file ? tm->file : tm->m->filename;
}

static size_t
msg_rows(const struct tv_message *tm)
{
	return tm->head.n + tm->body.n + (size_t)tm->has_tail;
}

/* Recounts where each message's rows start. */
static void
thread_count(struct threadview *tv)
{
	size_t n = 0;

	for (size_t i = 0; i < tv->n_msgs; i++) {
		tv->starts[i] = n;
		n += msg_rows(&tv->msgs[i]);
	}
	tv->starts[tv->n_msgs] = n;
	tv->n_lines = n;
}

/* The message that row l belongs to. */
static size_t
row_msg(const struct threadview *tv, size_t l)
{
	size_t lo = 0, hi = tv->n_msgs;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tv->starts[mid] <= l)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static const struct tv_line *
row_at(const struct threadview *tv, size_t l)
{
	const struct tv_message *tm = &tv->msgs[row_msg(tv, l)];
	size_t k = l - tv->starts[row_msg(tv, l)];

	if (k < tm->head.n)
		return &tm->head.v[k];
	k -= tm->head.n;
	if (k < tm->body.n)
		return &tm->body.v[k];
	return &tm->tail;
}

/* Adds text (untrusted) as wrapped lines of at most width columns. */
static void
thread_add_text(struct threadview *tv, struct tv_rows *rows, TALLOC_CTX *mem, size_t msg,
		int indent, enum screen_attr attr, const char *text, int width)
{
	struct text_run *run;
	size_t *breaks, n;

	if (width < 1)
		width = 1;
	if (text_decode(mem, text, strlen(text), 0, &run) != TRAWL_OK ||
	    text_wrap(mem, run, (size_t)width, &breaks, &n) != TRAWL_OK) {
		/* Only out-of-memory gets here (render bounds line length): say so, go on. */
		static const char note[] = "[line not shown: out of memory]";

		if (text_decode(mem, note, sizeof(note) - 1, 0, &run) != TRAWL_OK)
			return;
		rows_add(tv, rows, &(struct tv_line){.msg = msg, .indent = indent, .attr = SCREEN_ERROR, .run = run,
					   .to = run->len});
		return;
	}
	for (size_t i = 0; i < n; i++)
		rows_add(tv, rows,
			 &(struct tv_line){.msg = msg, .indent = indent, .attr = attr, .run = run,
					   .from = breaks[i],
					   .to = i + 1 < n ? breaks[i + 1] : run->len});
}

static enum screen_attr
thread_line_attr(enum render_line_kind kind)
{
	switch (kind) {
	case RENDER_LINE_QUOTE:
		return SCREEN_QUOTE;
	case RENDER_LINE_SIGNATURE:
		return SCREEN_SIGNATURE;
	case RENDER_LINE_HEADER:
		return SCREEN_HEADER;
	case RENDER_LINE_NOTE:
		return SCREEN_NOTE;
	case RENDER_LINE_LINK:
		return SCREEN_LINK;
	case RENDER_LINE_BODY:
	default:
		return SCREEN_NORMAL;
	}
}

/*
 * A message file this long renders in a child (render-job): keys go on
 * while GMime parses it, and a crash on a hostile message stays there.
 * Shorter ones render here at once (a few ms, no fork).
 */
#define THREAD_RENDER_INLINE (256 << 10)
#define THREAD_RENDER_JOBS 4    /* render children at once */
#define THREAD_RENDER_TAKE (1 << 20) /* bytes of their results taken per poll */

static size_t
thread_render_jobs(const struct threadview *tv)
{
	size_t n = 0;

	for (size_t i = 0; i < tv->n_msgs; i++)
		n += tv->msgs[i].rj != NULL;
	return n;
}

static void
thread_render(struct app *app, struct tv_message *tm)
{
	struct render_opts opts = {.mode = tm->mode};
	struct stat st;

	if (tm->r || tm->render_error || tm->rj)
		return;
	if (!tm->mem)
		tm->mem = talloc_new(app->thread);
	if (stat(msg_file(tm), &st) == 0 && st.st_size >= THREAD_RENDER_INLINE) {
		tm->render_queued = thread_render_jobs(app->thread) >= THREAD_RENDER_JOBS;
		if (tm->render_queued ||
		    render_job_start(tm->mem, msg_file(tm), &opts, &tm->rj) == TRAWL_OK)
			return;
		/* No child (fork failed): render here, slow but shown. */
		tm->rj = NULL;
	}
	tm->render_queued = 0;
	if (render_file(tm->mem, msg_file(tm), &opts, &tm->r) != TRAWL_OK)
		tm->render_error = talloc_asprintf(tm->mem, "[cannot read the message file %s]",
						   msg_file(tm));
}

/* Forgets message i's rendering (and stops its child): its mode changed. */
static void
thread_unrender(struct tv_message *tm)
{
	TALLOC_FREE(tm->mem);
	tm->r = NULL;
	tm->rj = NULL;
	tm->render_queued = 0;
	tm->render_error = NULL;
}

static int
msg_indent(const struct tv_message *tm)
{
	return tm->m->depth * 2 > THREAD_MAX_INDENT ? THREAD_MAX_INDENT : tm->m->depth * 2;
}

static long
elapsed_ns(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

/* Sets the tail row: a blank line, or how far the body's layout has got. */
static void
thread_set_tail(struct threadview *tv, size_t i, int width)
{
	struct tv_message *tm = &tv->msgs[i];
	struct tv_rows rows = {0};
	char *note;

	TALLOC_FREE(tm->tail_mem);
	tm->has_tail = 0;
	if (!tm->expanded || (!tm->r && !tm->render_error && !tm->rj && !tm->render_queued))
		return;
	tm->tail_mem = talloc_new(tv);
	if (tm->rj || tm->render_queued)
		note = talloc_strdup(tm->tail_mem, "[rendering a long message…]");
	else if (tm->body_done || !tm->r)
		note = talloc_strdup(tm->tail_mem, "");
	else
		note = talloc_asprintf(tm->tail_mem, "[laying out: %zu of %zu lines]", tm->next_src,
				       tm->r->n_lines);
	thread_add_text(tv, &rows, tm->tail_mem, i, msg_indent(tm) + 2, SCREEN_DIM, note,
			width - msg_indent(tm) - 2);
	if (rows.n) {
		tm->tail = rows.v[0];
		tm->has_tail = 1;
	}
	talloc_free(rows.v);
}

/*
 * Lays out more of message i's body: until it is done, or it has at least
 * min_rows rows and budget_ns have passed since t0.
 */
static void
thread_body_slice(struct threadview *tv, size_t i, int width, const struct timespec *t0,
		  size_t min_rows, long budget_ns)
{
	struct tv_message *tm = &tv->msgs[i];
	const struct render_message *r = tm->r;
	int indent = msg_indent(tm), w = width - indent;
	size_t k = tm->next_src, steps = 0;
	TALLOC_CTX *tmp = talloc_new(NULL);

	while (k < r->n_lines) {
		const struct render_line *rl = &r->lines[k];
		int li = indent + 2 + (rl->depth > 4 ? 8 : rl->depth * 2);
		int lw = w - (li - indent) < 1 ? 1 : w - (li - indent);
		struct text_run *run;
		size_t *breaks, n;

		if ((++steps & 63) == 0) {
			if (tm->body.n >= min_rows && elapsed_ns(t0) > budget_ns)
				break;
			talloc_free_children(tmp);
		}
		if (rl->kind == RENDER_LINE_QUOTE && tm->body_fold) {
			size_t end = k, run_len;

			while (end < r->n_lines && r->lines[end].kind == RENDER_LINE_QUOTE)
				end++;
			run_len = end - k;
			if (run_len > THREAD_QUOTE_KEEP + 1) {
				size_t q;

				for (q = k; q < k + THREAD_QUOTE_KEEP; q++) {
					const char *t = r->lines[q].text;

					if (text_decode(tmp, t, strlen(t), 0, &run) != TRAWL_OK ||
					    text_wrap(tmp, run, (size_t)lw, &breaks, &n) != TRAWL_OK) {
						thread_add_text(tv, &tm->body, tm->body_mem, i, li,
								SCREEN_ERROR,
								"[line not shown: out of memory]", lw);
						continue;
					}
					for (size_t b = 0; b < n; b++)
						rows_add(tv, &tm->body,
							 &(struct tv_line){
								 .msg = i, .indent = li, .attr = SCREEN_QUOTE,
								 .src = q, .from = breaks[b],
								 .to = b + 1 < n ? breaks[b + 1] : run->len});
				}
				thread_add_text(tv, &tm->body, tm->body_mem, i, li, SCREEN_NOTE,
						talloc_asprintf(tmp, "[%zu quoted lines folded: z unfolds]",
								run_len - THREAD_QUOTE_KEEP),
						lw);
				k = end;
				continue;
			}
		}
		if (text_decode(tmp, rl->text, strlen(rl->text), 0, &run) != TRAWL_OK ||
		    text_wrap(tmp, run, (size_t)lw, &breaks, &n) != TRAWL_OK) {
			thread_add_text(tv, &tm->body, tm->body_mem, i, li, SCREEN_ERROR,
					"[line not shown: out of memory]", lw);
		} else {
			for (size_t b = 0; b < n; b++)
				rows_add(tv, &tm->body,
					 &(struct tv_line){.msg = i, .indent = li,
							   .attr = thread_line_attr(rl->kind), .src = k,
							   .from = breaks[b],
							   .to = b + 1 < n ? breaks[b + 1] : run->len});
		}
		k++;
	}
	talloc_free(tmp);
	tm->next_src = k;
	tm->body_done = k >= r->n_lines;
	thread_set_tail(tv, i, width);
}

/* Forgets message i's body rows (its width, folding or rendering changed). */
static void
thread_body_reset(struct threadview *tv, size_t i)
{
	struct tv_message *tm = &tv->msgs[i];

	TALLOC_FREE(tm->body.v);
	tm->body = (struct tv_rows){0};
	TALLOC_FREE(tm->body_mem);
	tm->body_r = NULL;
	tm->next_src = 0;
	tm->body_done = 0;
}

/* Rebuilds message i's head rows; its body is kept if still valid, else started again. */
static void
thread_layout_msg(struct app *app, size_t i, int width)
{
	struct threadview *tv = app->thread;
	struct tv_message *tm = &tv->msgs[i];
	int indent = msg_indent(tm);
	int w = width - indent;
	char date[64], *summary;
	struct tm lt;
	int unreviewed = !tm->m->reviewed;
	struct text_run *run;

	TALLOC_FREE(tm->head.v);
	tm->head = (struct tv_rows){0};
	if (i == 0) {
		/* A title line: the thread's subject and how much of it is left to review. */
		size_t unrev = tv->th->n_unreviewed;
		char *title;

		title = talloc_asprintf(tv->line_mem, "%s  (%zu message%s, %zu not reviewed)",
					*tm->m->subject ? tm->m->subject : "(no subject)", tv->n_msgs,
					tv->n_msgs == 1 ? "" : "s", unrev);
		thread_add_text(tv, &tm->head, tv->line_mem, 0, 0, SCREEN_TITLE, title, width);
	}
	localtime_r(&tm->m->date, &lt);
	strftime(date, sizeof(date), "%a %d %b %Y %H:%M", &lt);
	summary = talloc_asprintf(tv->line_mem, "%s %s  %s%s%s%s%s", tm->expanded ? "\u25be" : "\u25b8",
				  tm->m->from, date, *tm->m->tags ? "  (" : "", tm->m->tags,
				  *tm->m->tags ? ")" : "",
				  versionsview_mark(tv->line_mem, app, tm->m->message_id, msg_file(tm)));
	if (text_decode(tv->line_mem, summary, strlen(summary), 0, &run) != TRAWL_OK)
		abort();
	rows_add(tv, &tm->head,
		 &(struct tv_line){.msg = i, .indent = indent,
				   .attr = unreviewed ? SCREEN_UNREVIEWED : SCREEN_DIM, .run = run,
				   .to = run->len, .summary = 1});
	tm->has_tail = 0;
	if (!tm->expanded)
		return;
	/*
	 * Bodies far from what the reader looks at wait: a 500-message thread
	 * must open at once.  A placeholder line stands in until it is drawn.
	 */
	if (!tm->r && !tm->render_error && !tm->rj && !tm->render_queued) {
		if (tv->render_budget == 0) {
			struct tv_rows rows = {0};

			thread_add_text(tv, &rows, tv->line_mem, i, indent + 2, SCREEN_DIM, "…", w - 2);
			tm->tail = rows.v[0];
			tm->tail.pending = 1;
			tm->has_tail = 1;
			talloc_free(rows.v);
			return;
		}
		tv->render_budget--;
	}
	thread_render(app, tm);
	if (tm->render_error || !tm->r) {
		if (tm->render_error)
			thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_ERROR,
					tm->render_error, w - 2);
		thread_set_tail(tv, i, width);
		return;
	}
	/* What the reviewer has read, for the question when several versions are marked reviewed. */
	versionmap_seen(app->versions, tm->m->message_id, msg_file(tm));
	{
		const char *names[] = {"From", "To", "Cc", "Date", "Subject"};
		const char *values[] = {tm->r->from, tm->r->to, tm->r->cc, tm->r->date,
					tm->r->subject};

		for (int k = 0; k < 5; k++) {
			char *h;

			if (!*values[k] || tm->mode == RENDER_MODE_HEADERS)
				continue;
			h = talloc_asprintf(tv->line_mem, "%s: %s", names[k], values[k]);
			thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_HEADER, h,
					w - 2);
		}
		thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_TAGS,
				talloc_asprintf(tv->line_mem, "Tags: %s", tm->m->tags), w - 2);
		thread_add_text(tv, &tm->head, tv->line_mem, i, indent, SCREEN_NORMAL, "", w);
	}
	if (tm->body_r != tm->r || tm->body_width != width || tm->body_fold != tv->fold_quotes) {
		thread_body_reset(tv, i);
		tm->body_r = tm->r;
		tm->body_width = width;
		tm->body_fold = tv->fold_quotes;
		tm->body_mem = talloc_new(tv);
	}
	thread_set_tail(tv, i, width);
}

static void thread_job_status(struct threadview *tv);

/* The time a layout may spend on bodies before the rest goes to slices. */
#define THREAD_LAYOUT_NS 20000000L

/* Rebuilds the display lines, keeping the cursor on the same message. */
static void
thread_layout(struct app *app, int width)
{
	struct threadview *tv = app->thread;
	size_t cur_msg = tv->n_lines ? row_msg(tv, tv->cursor) : 0;
	size_t offset = tv->n_lines ? tv->cursor - tv->starts[cur_msg] : 0;
	struct timespec t0;
	int rows = app->scr->h > 0 ? app->scr->h : 1;

	talloc_free(tv->line_mem);
	tv->line_mem = talloc_new(tv);
	tv->width = width;
	tv->render_budget = THREAD_RENDER_BUDGET;
	for (size_t i = 0; i < tv->n_msgs; i++)
		thread_layout_msg(app, i, width);
	/*
	 * Bodies: each at least a screenful now (the message at the cursor
	 * first); all of them if that fits in the layout's time, else the
	 * rest in slices (threadview_poll).
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t pass = 0; pass <= tv->n_msgs; pass++) {
		size_t i = pass == 0 ? cur_msg : pass - 1;
		struct tv_message *tm;

		if (i >= tv->n_msgs || (pass > 0 && i == cur_msg))
			continue;
		tm = &tv->msgs[i];
		if (tm->expanded && tm->r && !tm->body_done)
			thread_body_slice(tv, i, width, &t0, (size_t)rows * 2, THREAD_LAYOUT_NS);
	}
	thread_count(tv);
	tv->cursor = tv->starts[cur_msg < tv->n_msgs ? cur_msg : 0] + offset;
	if (cur_msg + 1 <= tv->n_msgs && tv->cursor >= tv->starts[cur_msg + 1])
		tv->cursor = tv->starts[cur_msg + 1] ? tv->starts[cur_msg + 1] - 1 : 0;
	if (tv->cursor >= tv->n_lines)
		tv->cursor = tv->n_lines ? tv->n_lines - 1 : 0;
	thread_job_status(tv);
}

/* Says on the status line what is being rendered or laid out; sets busy. */
static void
thread_job_status(struct threadview *tv)
{
	size_t done = 0, total = 0, rendering = 0;

	if (!tv->job)
		return;
	for (size_t i = 0; i < tv->n_msgs; i++) {
		const struct tv_message *tm = &tv->msgs[i];

		rendering += tm->rj || tm->render_queued;
		if (tm->expanded && tm->r && !tm->body_done) {
			done += tm->next_src;
			total += tm->r->n_lines;
		}
	}
	tv->job->busy = total > 0;
	if (rendering)
		snprintf(tv->status, sizeof(tv->status), "rendering %zu long message%s", rendering,
			 rendering == 1 ? "" : "s");
	else if (total)
		snprintf(tv->status, sizeof(tv->status), "laying out: %zu%%",
			 (size_t)(100.0 * (double)done / (double)total));
	tv->job->status = rendering || total ? tv->status : NULL;
}

/*
 * One slice of the bodies still being laid out, those in view first.
 * Rows added above the cursor or the top move them, so what the reader
 * looks at stays put.  Returns nonzero if rows were added.
 */
static int
thread_layout_more(struct app *app, int h)
{
	struct threadview *tv = app->thread;
	struct timespec t0;
	size_t first = tv->n_lines ? row_msg(tv, tv->top) : 0;
	int added = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t pass = 0; pass < 2 && elapsed_ns(&t0) < THREAD_SLICE_NS; pass++)
		for (size_t i = pass ? 0 : first; i < tv->n_msgs && elapsed_ns(&t0) < THREAD_SLICE_NS;
		     i++) {
			struct tv_message *tm = &tv->msgs[i];
			size_t cur_msg, top_msg, grown;

			if (!tm->expanded || !tm->r || tm->body_done)
				continue;
			/* First pass: only what the screen shows. */
			if (!pass && tv->starts[i] >= tv->top + (size_t)h)
				break;
			cur_msg = row_msg(tv, tv->cursor);
			top_msg = row_msg(tv, tv->top);
			grown = tm->body.n;
			thread_body_slice(tv, i, tv->width, &t0, 0, THREAD_SLICE_NS);
			grown = tm->body.n - grown;
			thread_count(tv);
			if (cur_msg > i)
				tv->cursor += grown;
			if (top_msg > i)
				tv->top += grown;
			added = 1;
		}
	thread_job_status(tv);
	return added;
}

static int thread_height(const struct app *app);

/* The summary row of message msg. */
static size_t
thread_msg_line(const struct threadview *tv, size_t msg)
{
	const struct tv_message *tm = &tv->msgs[msg];

	for (size_t k = 0; k < tm->head.n; k++)
		if (tm->head.v[k].summary)
			return tv->starts[msg] + k;
	return tv->starts[msg];
}

/*
 * Takes what the render children sent (a bounded amount per poll) and
 * starts the queued ones as slots free.  Returns nonzero when a message's
 * rendering ended (done or failed).
 */
static int
thread_take_renders(struct app *app)
{
	struct threadview *tv = app->thread;
	size_t budget = THREAD_RENDER_TAKE;
	int ended = 0;

	for (size_t i = 0; i < tv->n_msgs; i++) {
		struct tv_message *tm = &tv->msgs[i];
		struct render_message *r = NULL;
		const char *error = NULL;
		enum render_job_state st;

		if (!tm->rj || budget == 0)
			continue;
		st = render_job_poll(tm->rj, budget, &r, &error);
		budget = budget > RENDER_JOB_BATCH ? budget - RENDER_JOB_BATCH : 0;
		if (st == RENDER_JOB_RUNNING)
			continue;
		if (st == RENDER_JOB_DONE)
			tm->r = r;
		else
			tm->render_error = talloc_asprintf(tm->mem, "[cannot render the message file %s: %s]",
							   msg_file(tm), error ? error : "");
		TALLOC_FREE(tm->rj);
		ended = 1;
	}
	for (size_t i = 0; i < tv->n_msgs; i++)
		if (tv->msgs[i].render_queued && thread_render_jobs(tv) < THREAD_RENDER_JOBS)
			thread_render(app, &tv->msgs[i]);
	thread_job_status(tv);
	return ended;
}

/* The fds to wait on: the model's reader, the render children. */
static int
threadview_fds(const struct app *app, void *ud, int *fds, int max)
{
	const struct threadview *tv = ud;
	int n = 0;

	(void)app;
	if (n < max && bg_fd(tv->th->reader) >= 0)
		fds[n++] = bg_fd(tv->th->reader);
	for (size_t i = 0; i < tv->n_msgs && n < max; i++)
		if (render_job_fd(tv->msgs[i].rj) >= 0)
			fds[n++] = render_job_fd(tv->msgs[i].rj);
	return n;
}

/* The app job: takes the thread model's news (tags a commit changed) and lays out again. */
static int
threadview_poll(struct app *app, void *ud)
{
	struct threadview *tv = ud;
	int frame = 0;

	if (tv != app->thread)
		return 0;
	thread_poll(tv->th);
	frame = thread_take_renders(app);
	if (tv->serial != tv->th->serial || frame ||
	    tv->versions_serial != versionmap_serial(app->versions)) {
		tv->serial = tv->th->serial;
		tv->versions_serial = versionmap_serial(app->versions);
		thread_layout(app, tv->width);
		frame = 1;
	}
	if (tv->job && tv->job->busy)
		frame |= thread_layout_more(app, thread_height(app) > 0 ? thread_height(app) : 1);
	return frame;
}

trawl_status_t
threadview_open(struct app *app, const char *thread_id)
{
	struct threadview *tv;
	const struct index_message *msgs;
	size_t n;
	trawl_status_t ts;
	size_t first_unreviewed = (size_t)-1;
	char *err = NULL;

	threadview_close(app);
	tv = talloc_zero(app, struct threadview);
	if (!tv)
		abort();
	ts = thread_open(tv, app->idx, thread_id, view_query(app), &tv->th, &err);
	if (ts != TRAWL_OK) {
		app_message(app, 1, "%s", err ? err : trawl_status_str(ts));
		talloc_free(tv);
		return ts;
	}
	msgs = tv->th->msgs;
	n = tv->th->n;
	tv->serial = tv->th->serial;
	tv->msgs = talloc_zero_array(tv, struct tv_message, n ? n : 1);
	tv->starts = talloc_zero_array(tv, size_t, n + 1);
	if (!tv->msgs || !tv->starts)
		abort();
	tv->n_msgs = n;
	tv->fold_quotes = 0;
	for (size_t i = 0; i < n; i++) {
		tv->msgs[i].m = &msgs[i];
		tv->msgs[i].expanded = !msgs[i].reviewed;
		tv->msgs[i].mode = RENDER_MODE_TEXT;
		if (tv->msgs[i].expanded && first_unreviewed == (size_t)-1)
			first_unreviewed = i;
	}
	/* Everything reviewed: open the last message so there is something to read. */
	if (first_unreviewed == (size_t)-1 && n) {
		tv->msgs[n - 1].expanded = 1;
		first_unreviewed = n - 1;
	}
	app->thread = tv;
	thread_follow(tv->th, app->feed);
	versionmap_want(app->versions, &tv->th->thread_id, 1);
	tv->versions_serial = versionmap_serial(app->versions);
	tv->job = app_add_job(app, tv, threadview_poll, threadview_fds, tv);
	thread_layout(app, app->scr->w);
	if (first_unreviewed != (size_t)-1) {
		tv->cursor = thread_msg_line(tv, first_unreviewed);
		/* Keep the title in view when reading starts at the first message. */
		tv->top = first_unreviewed == 0 ? 0 : tv->cursor;
	}
	return TRAWL_OK;
}

void
threadview_close(struct app *app)
{
	TALLOC_FREE(app->thread);
	if (app->focus == APP_FOCUS_THREAD)
		app->focus = APP_FOCUS_LIST;
}

static void
thread_goto_msg(struct app *app, size_t msg)
{
	struct threadview *tv = app->thread;

	/* A message jumped to is shown from its top, as a pager does. */
	tv->cursor = thread_msg_line(tv, msg);
	tv->top = tv->cursor;
}

int
threadview_command(struct app *app, const char *name)
{
	struct threadview *tv = app->thread;
	size_t cur;

	if (!tv || !tv->n_lines)
		return 0;
	cur = row_msg(tv, tv->cursor);
	if (!strcmp(name, "toggle")) {
		tv->msgs[cur].expanded = !tv->msgs[cur].expanded;
	} else if (!strcmp(name, "toggle-all")) {
		int any_collapsed = 0;

		for (size_t i = 0; i < tv->n_msgs; i++)
			any_collapsed |= !tv->msgs[i].expanded;
		for (size_t i = 0; i < tv->n_msgs; i++)
			tv->msgs[i].expanded = any_collapsed;
	} else if (!strcmp(name, "next-message") || !strcmp(name, "prev-message")) {
		int next = name[0] == 'n';

		if (next ? cur + 1 >= tv->n_msgs : cur == 0) {
			app_message(app, 0, next ? "last message" : "first message");
			return 1;
		}
		/* prev-message from inside a message goes to its own start first. */
		if (!next && tv->cursor != thread_msg_line(tv, cur))
			thread_goto_msg(app, cur);
		else
			thread_goto_msg(app, next ? cur + 1 : cur - 1);
		return 1;
	} else if (!strcmp(name, "next-unreviewed")) {
		for (size_t i = cur + 1; i < tv->n_msgs; i++)
			if (!tv->msgs[i].m->reviewed) {
				tv->msgs[i].expanded = 1;
				thread_layout(app, tv->width);
				thread_goto_msg(app, i);
				return 1;
			}
		app_message(app, 0, "no unreviewed message below in this thread");
		return 1;
	} else if (!strcmp(name, "toggle-headers") || !strcmp(name, "toggle-html") ||
		   !strcmp(name, "toggle-raw")) {
		struct tv_message *tm = &tv->msgs[cur];
		enum render_mode want = name[7] == 'h' && name[8] == 'e' ? RENDER_MODE_HEADERS
					: name[7] == 'h'		  ? RENDER_MODE_HTML
									  : RENDER_MODE_RAW;

		tm->mode = tm->mode == want ? RENDER_MODE_TEXT : want;
		tm->expanded = 1;
		thread_body_reset(tv, cur);
		thread_unrender(tm);
	} else if (!strcmp(name, "toggle-quotes")) {
		tv->fold_quotes = !tv->fold_quotes;
	} else {
		return 0;
	}
	thread_layout(app, tv->width);
	return 1;
}

static void
thread_draw(struct app *app, int x, int y, int w, int h)
{
	struct threadview *tv = app->thread;
	TALLOC_CTX *tmp;
	const struct tv_line *last = NULL;
	struct text_run *last_run = NULL;

	if (tv->width != w)
		thread_layout(app, w);
	view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	/* Render the bodies that came into view (bounded: each pass renders some). */
	for (int pass = 0; pass < 8; pass++) {
		int pending = 0;

		for (size_t l = tv->top; l < tv->top + (size_t)h && l < tv->n_lines; l++) {
			const struct tv_line *line = row_at(tv, l);

			if (line->pending) {
				thread_render(app, &tv->msgs[line->msg]);
				pending = 1;
			}
		}
		if (!pending)
			break;
		thread_layout(app, w);
		view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	}
	tmp = talloc_new(NULL);
	for (int i = 0; i < h; i++) {
		size_t l = tv->top + (size_t)i;
		const struct tv_line *line;
		const struct text_run *run;
		enum screen_attr attr;

		if (l >= tv->n_lines)
			break;
		line = row_at(tv, l);
		run = line->run;
		if (!run) {
			/* A body row: decode its render line again (once for its rows on screen). */
			const struct tv_message *tm = &tv->msgs[line->msg];
			const char *t = tm->r->lines[line->src].text;

			if (!last || last->msg != line->msg || last->src != line->src) {
				if (text_decode(tmp, t, strlen(t), 0, &last_run) != TRAWL_OK)
					last_run = NULL;
				last = line;
			}
			run = last_run;
		}
		attr = l == tv->cursor && line->summary ? SCREEN_SELECTED : line->attr;
		screen_fill(app->scr, x, y + i, w, l == tv->cursor ? SCREEN_SELECTED : SCREEN_NORMAL);
		if (run)
			screen_put_run(app->scr, x + line->indent, y + i, w - line->indent, run,
				       line->from, line->to, l == tv->cursor ? SCREEN_SELECTED : attr);
	}
	talloc_free(tmp);
	app->scr->cursor_x = x;
	app->scr->cursor_y = y + (int)(tv->cursor - tv->top);
}

static void
thread_move(struct app *app, long delta)
{
	view_move_cursor(&app->thread->cursor, app->thread->n_lines, delta);
}

static int
thread_height(const struct app *app)
{
	return app->scr->h - 2;
}

const struct view_ops view_thread_ops = {
	.name = "thread",
	.context = CONFIG_THREAD,
	.draw = thread_draw,
	.move = thread_move,
	.height = thread_height,
};

const char *
threadview_thread_id(const struct app *app)
{
	return app->thread ? app->thread->th->thread_id : NULL;
}

static const struct tv_message *
thread_current(const struct app *app)
{
	const struct threadview *tv = app->thread;

	if (!tv || !tv->n_lines)
		return NULL;
	return &tv->msgs[row_msg(tv, tv->cursor)];
}

const char *
threadview_current_message(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? tm->m->message_id : NULL;
}

int
threadview_current_reviewed(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? tm->m->reviewed : 0;
}

int
threadview_next_unreviewed(struct app *app)
{
	struct threadview *tv = app->thread;
	size_t cur;

	if (!tv || !tv->n_lines)
		return 0;
	cur = row_msg(tv, tv->cursor);
	for (size_t i = cur + 1; i < tv->n_msgs; i++)
		if (!tv->msgs[i].m->reviewed) {
			tv->msgs[i].expanded = 1;
			thread_layout(app, tv->width);
			thread_goto_msg(app, i);
			return 1;
		}
	return 0;
}

const struct render_message *
threadview_current_render(struct app *app)
{
	struct threadview *tv = app->thread;
	struct tv_message *tm;

	if (!tv || !tv->n_lines)
		return NULL;
	tm = &tv->msgs[row_msg(tv, tv->cursor)];
	thread_render(app, tm);
	return tm->r;
}

int
threadview_current_rendering(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm && (tm->rj || tm->render_queued);
}

const char *
threadview_current_file(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? msg_file(tm) : NULL;
}

int
threadview_show_file(struct app *app, const char *message_id, const char *path)
{
	struct threadview *tv = app->thread;
	long i = tv ? thread_find(tv->th, message_id) : -1;
	struct tv_message *tm;

	if (i < 0)
		return 0;
	tm = &tv->msgs[i];
	talloc_free(tm->file);
	tm->file = strcmp(path, tm->m->filename) ? talloc_strdup(tv, path) : NULL;
	tm->expanded = 1;
	thread_body_reset(tv, (size_t)i);
	thread_unrender(tm);
	thread_layout(app, tv->width);
	thread_goto_msg(app, (size_t)i);
	return 1;
}
