/*
 * view: the view stack: opening the panes, laying them out with the
 * status line, and what the panes share (cursor movement, dates).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/feed.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/util.h"
#include "trawl/view.h"

/*
 * A new database under the same path (its UUID changed: rebuilt, restored
 * from a copy): revisions start again, so nothing can be updated from
 * them; every pane is read again.  Other commits reach each model through
 * its own subscription.
 */
static void
view_on_commit(void *ud, const struct feed_event *ev)
{
	struct app *app = ud;

	if (!ev->new_database)
		return;
	threadview_close(app);
	listview_reload(app);
	sidebar_reload(app);
	/* Changes queued before go to the database at the path now, through its own journal. */
	if (app->review->n_queue)
		app_message(app, 0,
			    "the database was replaced: everything was read again; %zu tag change%s "
			    "made before %s written to the new one",
			    app->review->n_queue, app->review->n_queue == 1 ? "" : "s",
			    app->review->n_queue == 1 ? "is" : "are");
	else
		app_message(app, 0, "the database was replaced: everything was read again");
}

void
view_start(struct app *app, const char *query)
{
	feed_subscribe(app->feed, app->scr, view_on_commit, app);
	query = query && *query ? query : "*";
	app->list = listview_new(app, query, app_order_for(app, query));
	app->sidebar = sidebar_new(app);
	if (!app->list || !app->sidebar)
		abort();
}

const char *
view_query(const struct app *app)
{
	return app->list->tl->query;
}

const char *
view_base_query(const struct app *app)
{
	return app->n_limits ? app->limits[0] : view_query(app);
}

/* One part of the status line; parts of lower priority go first when the line is too narrow. */
struct status_part {
	char *text;
	int prio;
};

/* Keeps these parts while the query is cut (the counts a reviewer works by). */
#define VIEW_STATUS_ESSENTIAL 6
/* The query keeps at least this many columns before essential parts go too. */
#define VIEW_STATUS_QUERY_MIN 20

/* "1 thread", "2,990 threads", or "counting… threads" while unknown. */
static char *
view_count(TALLOC_CTX *ctx, long n, const char *what)
{
	char num[32];

	if (n < 0)
		return talloc_asprintf(ctx, "counting… %ss", what);
	return talloc_asprintf(ctx, "%s %s%s", util_group_digits(num, sizeof(num), (unsigned long long)n),
			       what, n == 1 ? "" : "s");
}

static void
view_status_add(struct status_part *parts, int *n, char *text, int prio)
{
	if (text)
		parts[(*n)++] = (struct status_part){text, prio};
}

/*
 * The status line: the query, then its counts and what goes on.  It fits
 * the screen whatever its width: the least important parts are dropped
 * first (the percentage, the message count that "reviewed x/y" repeats,
 * notices), the query is shown whole when it can be, and only then cut.
 */
static void
view_draw_status(struct app *app, int y)
{
	struct threadlist *tl = app->list->tl;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct status_part parts[16];
	int n = 0, keep[16], rest = 0, w = app->scr->w, query_w, x;
	char a[32], b[32];

	view_status_add(parts, &n, view_count(tmp, tl->n_threads, "thread"), 7);
	view_status_add(parts, &n, view_count(tmp, tl->n_messages, "message"), 2);
	view_status_add(parts, &n,
			talloc_asprintf(tmp, "reviewed %s/%s",
					tl->n_reviewed >= 0
						? util_group_digits(a, sizeof(a), (unsigned long long)tl->n_reviewed)
						: "…",
					tl->n_messages >= 0
						? util_group_digits(b, sizeof(b), (unsigned long long)tl->n_messages)
						: "…"),
			8);
	if (tl->n_messages > 0 && tl->n_reviewed >= 0)
		view_status_add(parts, &n,
				talloc_asprintf(tmp, "(%ld%%)", tl->n_reviewed * 100 / tl->n_messages), 3);
	if (app->n_marks)
		view_status_add(parts, &n,
				talloc_asprintf(tmp, "%zu marked%s", app->n_marks,
						app->mark_prefix ? " ;" : ""),
				8);
	if (app->list->order == CONFIG_SORT_OLDEST)
		view_status_add(parts, &n, talloc_strdup(tmp, "oldest first"), 4);
	else if (app->list->order == CONFIG_SORT_COUNT)
		view_status_add(parts, &n, talloc_strdup(tmp, "most messages first"), 4);
	if (tl->state == THREADLIST_LOADING)
		view_status_add(parts, &n,
				talloc_asprintf(tmp, "loading %s…",
						util_group_digits(a, sizeof(a), tl->n_rows)),
				4);
	if (*tl->notice)
		view_status_add(parts, &n, talloc_asprintf(tmp, "[%s]", tl->notice), 1);
	{
		char *js = app_jobs_status(tmp, app);

		if (js && *js)
			view_status_add(parts, &n, talloc_asprintf(tmp, "[%s]", js), 9);
		else if (app->review->n_queue || *app->review->error)
			view_status_add(parts, &n,
					talloc_asprintf(tmp, "[%s]", review_status(tmp, app->review)), 9);
	}
	if (*tl->count_error)
		view_status_add(parts, &n, talloc_asprintf(tmp, "[%s]", tl->count_error), 6);
	/* Widths, with the two spaces before each part (one before the percentage). */
	for (int i = 0; i < n; i++) {
		keep[i] = text_width(parts[i].text, strlen(parts[i].text)) +
			  (parts[i].text[0] == '(' ? 1 : 2);
		rest += keep[i];
	}
	query_w = (int)text_width(tl->query, strlen(tl->query));
	/* Drop parts, least important first: the minor ones until the query fits whole, ... */
	for (int prio = 0; prio < 10; prio++)
		for (int i = 0; i < n && query_w + rest > w; i++) {
			if (!keep[i] || parts[i].prio != prio)
				continue;
			if (prio >= VIEW_STATUS_ESSENTIAL &&
			    w - rest >= (query_w < VIEW_STATUS_QUERY_MIN ? query_w : VIEW_STATUS_QUERY_MIN))
				continue;
			rest -= keep[i];
			keep[i] = 0;
		}
	/* ... and the percentage never outlives its count. */
	for (int i = 1; i < n; i++)
		if (parts[i].text[0] == '(' && !keep[i - 1] && keep[i]) {
			rest -= keep[i];
			keep[i] = 0;
		}
	screen_fill(app->scr, 0, y, w, SCREEN_STATUS);
	x = screen_puts(app->scr, 0, y, w - rest > 1 ? w - rest : 1, tl->query, SCREEN_STATUS);
	for (int i = 0; i < n && x < w; i++) {
		int sep = parts[i].text[0] == '(' ? 1 : 2;

		if (!keep[i])
			continue;
		x += sep;
		x += screen_puts(app->scr, x, y, w - x, parts[i].text, SCREEN_STATUS);
	}
	talloc_free(tmp);
}

static void
view_draw_help(struct app *app, int h)
{
	view_help_ops.draw(app, 0, 0, app->scr->w, h);
}

int
view_message_rows(const struct app *app)
{
	int n = 1, max = (app->scr->h - 2) / 2;

	if (app->prompt || !app->message)
		return 1;
	for (const char *p = app->message; *p; p++)
		n += *p == '\n' && p[1];
	return n < max ? n : max > 1 ? max : 1;
}

int
view_pane_height(const struct app *app)
{
	int h = app->scr->h - 1 - view_message_rows(app);

	return h > 0 ? h : 0;
}

/* The message, each of its lines on a row of its own from y, in n rows (the last says what is cut). */
static void
view_draw_message(struct app *app, int y, int n)
{
	const char *p = app->message;
	enum screen_attr attr = app->message_is_error ? SCREEN_ERROR : SCREEN_NORMAL;

	for (int i = 0; i < n && p && *p; i++) {
		const char *nl = strchr(p, '\n');
		char *line;

		if (i == n - 1 && nl && nl[1]) {
			size_t more = 0;

			for (const char *q = nl; q && q[1]; q = strchr(q + 1, '\n'))
				more++;
			line = talloc_asprintf(NULL, "… and %zu more line%s (any key clears)", more + 1,
					       more ? "s" : "");
			p = NULL;
		} else {
			line = talloc_strndup(NULL, p, nl ? (size_t)(nl - p) : strlen(p));
			p = nl ? nl + 1 : NULL;
		}
		screen_puts(app->scr, 0, y + i, app->scr->w, line ? line : "", attr);
		talloc_free(line);
	}
}

void
view_draw(struct app *app)
{
	struct screen *scr = app->scr;
	int rows = view_message_rows(app);
	int h = scr->h - 1 - rows, x = 0, status_y = scr->h - 1 - rows, message_y = scr->h - rows;

	screen_clear(scr);
	/*
	 * A terminal of one or two rows keeps the lines that say what goes
	 * on: the prompt (or the status) on one row; status and message on two.
	 */
	if (scr->h == 1) {
		status_y = app->prompt ? -1 : 0;
		message_y = app->prompt ? 0 : -1;
	}
	if (h < 1)
		h = 0;
	if (h == 0) {
	} else if (app->help) {
		view_draw_help(app, h);
	} else if (app->focus == APP_FOCUS_THREAD && app->thread) {
		view_thread_ops.draw(app, 0, 0, scr->w, h);
	} else if (versionsview_ops(app)) {
		versionsview_ops(app)->draw(app, 0, 0, scr->w, h);
	} else if (app->focus == APP_FOCUS_STATS && app->stats) {
		view_focused(app)->draw(app, 0, 0, scr->w, h);
	} else {
		if (app->sidebar_visible && scr->w >= 40) {
			int sw = app->cfg->sidebar_width;

			if (sw > scr->w / 3)
				sw = scr->w / 3;
			view_sidebar_ops.draw(app, 0, 0, sw, h);
			x = sw;
		}
		view_list_ops.draw(app, x, 0, scr->w - x, h);
	}
	if (status_y >= 0)
		view_draw_status(app, status_y);
	if (message_y < 0) {
	} else if (app->prompt) {
		prompt_draw(app->prompt, scr, message_y);
	} else if (app->message) {
		view_draw_message(app, message_y, rows);
	} else if (app->list->tl->state == THREADLIST_ERROR) {
		screen_puts(scr, 0, message_y, scr->w, app->list->tl->error, SCREEN_ERROR);
	}
}

uint64_t
view_list_sig(const struct app *app)
{
	/* The pane's height as view_draw() lays it out. */
	if (app->focus != APP_FOCUS_LIST || app->help)
		return 0;
	return listview_visible_sig(app, view_pane_height(app) < 1 ? 1 : view_pane_height(app));
}


/* The sidebar's width as view_draw() lays it out, 0 when it is not drawn. */
static int
view_sidebar_width(const struct app *app)
{
	int sw = app->cfg->sidebar_width;

	if (!app->sidebar_visible || app->scr->w < 40 || app->help || app->focus == APP_FOCUS_THREAD)
		return 0;
	return sw > app->scr->w / 3 ? app->scr->w / 3 : sw;
}

const struct view_ops *
view_mouse(struct app *app, enum view_mouse ev, int x, int y)
{
	const struct view_ops *pane;
	enum app_focus focus;

	if (y < 0 || y >= app->scr->h - 2)
		return NULL; /* the status and message lines */
	if (app->help) {
		pane = &view_help_ops;
		focus = app->focus;
	} else if (app->focus == APP_FOCUS_THREAD && app->thread) {
		pane = &view_thread_ops;
		focus = APP_FOCUS_THREAD;
	} else if (x < view_sidebar_width(app)) {
		pane = &view_sidebar_ops;
		focus = APP_FOCUS_SIDEBAR;
	} else {
		pane = &view_list_ops;
		focus = APP_FOCUS_LIST;
	}
	switch (ev) {
	case VIEW_MOUSE_WHEEL_UP:
	case VIEW_MOUSE_WHEEL_DOWN:
		pane->move(app, ev == VIEW_MOUSE_WHEEL_UP ? -3 : 3);
		return NULL;
	case VIEW_MOUSE_CLICK:
	case VIEW_MOUSE_DOUBLE:
	default:
		if (!pane->click || !pane->click(app, y))
			return NULL;
		app->focus = focus;
		return pane;
	}
}

const struct view_ops *
view_focused(const struct app *app)
{
	if (app->help)
		return &view_help_ops;
	switch (app->focus) {
	case APP_FOCUS_SIDEBAR:
		return &view_sidebar_ops;
	case APP_FOCUS_THREAD:
		return &view_thread_ops;
	case APP_FOCUS_VERSIONS:
	case APP_FOCUS_DIFF:
		return versionsview_ops(app) ? versionsview_ops(app) : &view_list_ops;
	case APP_FOCUS_STATS:
		if (app->stats)
			return app->stats->pane == STATSVIEW_TIMELINE ? &view_timeline_ops
								      : &view_people_ops;
		return &view_list_ops;
	case APP_FOCUS_LIST:
	default:
		return &view_list_ops;
	}
}

void
view_move_cursor(size_t *cursor, size_t n, long delta)
{
	if (n == 0) {
		*cursor = 0;
		return;
	}
	if (delta == VIEW_FIRST)
		*cursor = 0;
	else if (delta == VIEW_LAST)
		*cursor = n - 1;
	else if (delta < 0)
		*cursor = (size_t)-delta > *cursor ? 0 : *cursor - (size_t)-delta;
	else
		*cursor = *cursor + (size_t)delta >= n ? n - 1 : *cursor + (size_t)delta;
}

void
view_scroll_to(size_t cursor, size_t *top, size_t n, int h)
{
	size_t rows = h > 0 ? (size_t)h : 1;

	if (cursor < *top)
		*top = cursor;
	else if (cursor >= *top + rows)
		*top = cursor - rows + 1;
	/* Do not leave empty rows at the bottom when the list could fill them. */
	if (n >= rows && *top > n - rows)
		*top = n - rows;
	else if (n < rows)
		*top = 0;
}

const char *
view_format_date(time_t t, time_t now, char *buf, size_t len)
{
	struct tm tm, tn;
	long days;

	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (t <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	days = (long)((now - t) / 86400);
	if (t <= now && tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, len, "%H:%M", &tm);
	else if (t <= now && days < 1)
		snprintf(buf, len, "yesterday");
	else if (t <= now && days < 6)
		strftime(buf, len, "%a %H:%M", &tm);
	else if (t <= now && tm.tm_year == tn.tm_year)
		strftime(buf, len, "%b %d", &tm);
	else
		strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}
