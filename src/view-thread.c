/*
 * view-thread: one thread as a reply tree.  Each message has a summary
 * line (indented by reply depth); expanded messages show their headers,
 * rendered body and attachments.  Messages already reviewed start
 * collapsed.  Bodies are rendered (render module) when first expanded and
 * wrapped to the pane width; the display lines are rebuilt on resize or
 * when a message is toggled, the latter only when they are next drawn or
 * moved on: keys typed while a big message renders (h H V, then q q q)
 * must not each render it again before the next one is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/render.h"
#include "trawl/thread.h"
#include "trawl/view.h"

#define THREAD_MAX_INDENT 16 /* columns of reply-depth indentation at most */
#define THREAD_QUOTE_KEEP 3  /* quoted lines kept visible when quotes are folded */

struct tv_message {
	const struct index_message *m; /* the model's message */
	int expanded;
	enum render_mode mode;
	struct render_message *r; /* NULL until first expanded */
	char *render_error;
	TALLOC_CTX *mem; /* owns r; display runs live in the view's line_mem */
};

struct tv_line {
	size_t msg;
	int indent;
	enum screen_attr attr;
	const struct text_run *run;
	size_t from, to;
	int summary; /* the message's summary line */
	int pending; /* placeholder for a body not rendered yet */
};

struct threadview {
	struct thread *th; /* the model */
	unsigned serial;   /* the model's serial the lines were laid out for */
	struct tv_message *msgs;
	size_t n_msgs;
	struct tv_line *lines;
	size_t n_lines, cap_lines;
	TALLOC_CTX *line_mem; /* every display run, rebuilt with the lines */
	int width;
	size_t cursor, top;
	int fold_quotes;
	unsigned render_budget; /* bodies a layout may still render */
	int stale; /* toggled since the lines were laid out: thread_fresh() lays them out again */
};

/* Message bodies rendered per layout; the rest as they come into view. */
#define THREAD_RENDER_BUDGET 12

static void
thread_add_line(struct threadview *tv, size_t msg, int indent, enum screen_attr attr,
		const struct text_run *run, size_t from, size_t to, int summary)
{
	struct tv_line *l;

	if (tv->n_lines == tv->cap_lines) {
		tv->cap_lines = tv->cap_lines ? tv->cap_lines * 2 : 256;
		tv->lines = talloc_realloc(tv, tv->lines, struct tv_line, tv->cap_lines);
		if (!tv->lines)
			abort();
	}
	l = &tv->lines[tv->n_lines++];
	*l = (struct tv_line){msg, indent, attr, run, from, to, summary, 0};
}

/* Adds text (untrusted) as wrapped lines of at most width columns. */
static void
thread_add_text(struct threadview *tv, TALLOC_CTX *mem, size_t msg, int indent,
		enum screen_attr attr, const char *text, int width)
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
		thread_add_line(tv, msg, indent, SCREEN_ERROR, run, 0, run->len, 0);
		return;
	}
	for (size_t i = 0; i < n; i++)
		thread_add_line(tv, msg, indent, attr, run, breaks[i],
				i + 1 < n ? breaks[i + 1] : run->len, 0);
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

static void
thread_render(struct app *app, struct tv_message *tm)
{
	struct render_opts opts = {.mode = tm->mode};

	if (tm->r || tm->render_error)
		return;
	if (!tm->mem)
		tm->mem = talloc_new(app->thread);
	if (render_file(tm->mem, tm->m->filename, &opts, &tm->r) != TRAWL_OK)
		tm->render_error = talloc_asprintf(tm->mem, "[cannot read the message file %s]",
						   tm->m->filename);
}

static void
thread_add_message(struct app *app, size_t i, int width)
{
	struct threadview *tv = app->thread;
	struct tv_message *tm = &tv->msgs[i];
	int indent = tm->m->depth * 2 > THREAD_MAX_INDENT ? THREAD_MAX_INDENT : tm->m->depth * 2;
	int w = width - indent;
	char date[64], *summary;
	struct tm lt;
	int unreviewed = !tm->m->reviewed;
	struct text_run *run;
	size_t quote_run = 0;

	localtime_r(&tm->m->date, &lt);
	strftime(date, sizeof(date), "%a %d %b %Y %H:%M", &lt);
	summary = talloc_asprintf(tv->line_mem, "%s %s  %s%s%s%s", tm->expanded ? "\u25be" : "\u25b8",
				  tm->m->from, date, *tm->m->tags ? "  (" : "", tm->m->tags,
				  *tm->m->tags ? ")" : "");
	if (text_decode(tv->line_mem, summary, strlen(summary), 0, &run) != TRAWL_OK)
		abort();
	thread_add_line(tv, i, indent, unreviewed ? SCREEN_UNREVIEWED : SCREEN_DIM, run, 0,
			run->len, 1);
	if (!tm->expanded)
		return;
	/*
	 * Bodies far from what the reader looks at wait: a 500-message thread
	 * must open at once.  A placeholder line stands in until it is drawn.
	 */
	if (!tm->r && !tm->render_error) {
		if (tv->render_budget == 0) {
			thread_add_text(tv, tv->line_mem, i, indent + 2, SCREEN_DIM, "…", w - 2);
			tv->lines[tv->n_lines - 1].pending = 1;
			return;
		}
		tv->render_budget--;
	}
	thread_render(app, tm);
	if (tm->render_error) {
		thread_add_text(tv, tv->line_mem, i, indent + 2, SCREEN_ERROR, tm->render_error, w - 2);
		return;
	}
	{
		const char *names[] = {"From", "To", "Cc", "Date", "Subject"};
		const char *values[] = {tm->r->from, tm->r->to, tm->r->cc, tm->r->date,
					tm->r->subject};

		for (int k = 0; k < 5; k++) {
			char *h;

			if (!*values[k] || tm->mode == RENDER_MODE_HEADERS)
				continue;
			h = talloc_asprintf(tv->line_mem, "%s: %s", names[k], values[k]);
			thread_add_text(tv, tv->line_mem, i, indent + 2, SCREEN_HEADER, h, w - 2);
		}
		thread_add_text(tv, tv->line_mem, i, indent + 2, SCREEN_TAGS,
				talloc_asprintf(tv->line_mem, "Tags: %s", tm->m->tags), w - 2);
		thread_add_text(tv, tv->line_mem, i, indent, SCREEN_NORMAL, "", w);
	}
	for (size_t k = 0; k < tm->r->n_lines; k++) {
		const struct render_line *rl = &tm->r->lines[k];
		int li = indent + 2 + (rl->depth > 4 ? 8 : rl->depth * 2);

		if (rl->kind == RENDER_LINE_QUOTE && tv->fold_quotes) {
			size_t end = k;

			while (end < tm->r->n_lines && tm->r->lines[end].kind == RENDER_LINE_QUOTE)
				end++;
			quote_run = end - k;
			if (quote_run > THREAD_QUOTE_KEEP + 1) {
				for (size_t q = k; q < k + THREAD_QUOTE_KEEP; q++)
					thread_add_text(tv, tv->line_mem, i, li, SCREEN_QUOTE,
							tm->r->lines[q].text, w - (li - indent));
				thread_add_text(tv, tv->line_mem, i, li, SCREEN_NOTE,
						talloc_asprintf(tv->line_mem,
								"[%zu quoted lines folded: z unfolds]",
								quote_run - THREAD_QUOTE_KEEP),
						w - (li - indent));
				k = end - 1;
				continue;
			}
		}
		thread_add_text(tv, tv->line_mem, i, li, thread_line_attr(rl->kind), rl->text,
				w - (li - indent));
	}
	thread_add_text(tv, tv->line_mem, i, indent, SCREEN_NORMAL, "", w);
}

/* Rebuilds the display lines, keeping the cursor on the same message. */
static void
thread_layout(struct app *app, int width)
{
	struct threadview *tv = app->thread;
	size_t cur_msg = tv->n_lines ? tv->lines[tv->cursor].msg : 0;
	size_t offset = 0;

	if (tv->n_lines)
		for (size_t l = tv->cursor; l > 0 && tv->lines[l - 1].msg == cur_msg; l--)
			offset++;
	talloc_free(tv->line_mem);
	tv->line_mem = talloc_new(tv);
	tv->n_lines = 0;
	tv->width = width;
	tv->stale = 0;
	tv->render_budget = THREAD_RENDER_BUDGET;
	if (tv->n_msgs) {
		/* A title line: the thread's subject and how much of it is left to review. */
		size_t unrev = tv->th->n_unreviewed;
		char *title;

		title = talloc_asprintf(tv->line_mem, "%s  (%zu message%s, %zu not reviewed)",
					*tv->msgs[0].m->subject ? tv->msgs[0].m->subject : "(no subject)",
					tv->n_msgs, tv->n_msgs == 1 ? "" : "s", unrev);
		thread_add_text(tv, tv->line_mem, 0, 0, SCREEN_TITLE, title, width);
	}
	for (size_t i = 0; i < tv->n_msgs; i++)
		thread_add_message(app, i, width);
	tv->cursor = 0;
	for (size_t l = 0; l < tv->n_lines; l++)
		if (tv->lines[l].msg == cur_msg) {
			tv->cursor = l;
			while (offset-- > 0 && tv->cursor + 1 < tv->n_lines &&
			       tv->lines[tv->cursor + 1].msg == cur_msg)
				tv->cursor++;
			break;
		}
}

/* Lays the lines out again if a toggle made them out of date. */
static void
thread_fresh(struct app *app)
{
	if (app->thread->stale)
		thread_layout(app, app->thread->width);
}

/* The app job: takes the thread model's news (tags a commit changed) and lays out again. */
static int
threadview_poll(struct app *app, void *ud)
{
	struct threadview *tv = ud;

	if (tv != app->thread)
		return 0;
	thread_poll(tv->th);
	if (tv->serial == tv->th->serial)
		return 0;
	tv->serial = tv->th->serial;
	thread_layout(app, tv->width);
	return 1;
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
	app_add_job(app, tv, threadview_poll, NULL, tv)->bg = &tv->th->reader;
	thread_layout(app, app->scr->w);
	for (size_t l = 0; l < tv->n_lines; l++)
		if (tv->lines[l].msg == first_unreviewed && tv->lines[l].summary) {
			tv->cursor = l;
			/* Keep the title in view when reading starts at the first message. */
			tv->top = first_unreviewed == 0 ? 0 : l;
			break;
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

static size_t
thread_msg_line(const struct threadview *tv, size_t msg)
{
	for (size_t l = 0; l < tv->n_lines; l++)
		if (tv->lines[l].msg == msg && tv->lines[l].summary)
			return l;
	return 0;
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
	/*
	 * Toggles need only the current message, which lines out of date
	 * still give (a layout keeps the cursor on its message); the rest
	 * move by line positions, so those must be fresh.
	 */
	if (strncmp(name, "toggle", 6) != 0)
		thread_fresh(app);
	cur = tv->lines[tv->cursor].msg;
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
		TALLOC_FREE(tm->mem);
		tm->r = NULL;
		tm->render_error = NULL;
	} else if (!strcmp(name, "toggle-quotes")) {
		tv->fold_quotes = !tv->fold_quotes;
	} else {
		return 0;
	}
	tv->stale = 1;
	return 1;
}

static void
thread_draw(struct app *app, int x, int y, int w, int h)
{
	struct threadview *tv = app->thread;

	if (tv->width != w || tv->stale)
		thread_layout(app, w);
	view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	/* Render the bodies that came into view (bounded: each pass renders some). */
	for (int pass = 0; pass < 8; pass++) {
		int pending = 0;

		for (size_t l = tv->top; l < tv->top + (size_t)h && l < tv->n_lines; l++)
			if (tv->lines[l].pending) {
				thread_render(app, &tv->msgs[tv->lines[l].msg]);
				pending = 1;
			}
		if (!pending)
			break;
		thread_layout(app, w);
		view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	}
	for (int i = 0; i < h; i++) {
		size_t l = tv->top + (size_t)i;
		const struct tv_line *line;
		enum screen_attr attr;

		if (l >= tv->n_lines)
			break;
		line = &tv->lines[l];
		attr = l == tv->cursor && line->summary ? SCREEN_SELECTED : line->attr;
		screen_fill(app->scr, x, y + i, w, l == tv->cursor ? SCREEN_SELECTED : SCREEN_NORMAL);
		screen_put_run(app->scr, x + line->indent, y + i, w - line->indent, line->run,
			       line->from, line->to, l == tv->cursor ? SCREEN_SELECTED : attr);
	}
	app->scr->cursor_x = x;
	app->scr->cursor_y = y + (int)(tv->cursor - tv->top);
}

static void
thread_move(struct app *app, long delta)
{
	thread_fresh(app);
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
	return &tv->msgs[tv->lines[tv->cursor].msg];
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
	cur = tv->lines[tv->cursor].msg;
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
	tm = &tv->msgs[tv->lines[tv->cursor].msg];
	thread_render(app, tm);
	return tm->r;
}

const char *
threadview_current_file(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? tm->m->filename : NULL;
}
