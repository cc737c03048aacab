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
	app->list = listview_new(app, query && *query ? query : "*");
	app->sidebar = sidebar_new(app);
	if (!app->list || !app->sidebar)
		abort();
}

const char *
view_query(const struct app *app)
{
	return app->list->tl->query;
}

void
view_search(struct app *app, const char *query)
{
	struct listview *lv;

	/* Check the syntax first, so a typo keeps the previous results on screen. */
	if (index_check_query(app->idx, query) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return;
	}
	lv = listview_new(app, query);
	if (!lv) {
		app_message(app, 1, "out of memory");
		return;
	}
	threadview_close(app);
	talloc_free(app->list);
	app->list = lv;
	app->focus = APP_FOCUS_LIST;
}

static void
view_draw_status(struct app *app, int y)
{
	struct threadlist *tl = app->list->tl;
	char *s, n1[32], n2[32], n3[32];
	int x;

	screen_fill(app->scr, 0, y, app->scr->w, SCREEN_STATUS);
	x = screen_puts(app->scr, 0, y, app->scr->w / 2, tl->query, SCREEN_STATUS);
	if (tl->n_threads >= 0)
		util_group_digits(n1, sizeof(n1), (unsigned long long)tl->n_threads);
	if (tl->n_messages >= 0)
		util_group_digits(n2, sizeof(n2), (unsigned long long)tl->n_messages);
	if (tl->n_reviewed >= 0)
		util_group_digits(n3, sizeof(n3), (unsigned long long)tl->n_reviewed);
	s = talloc_asprintf(app, "  %s threads  %s messages  reviewed %s/%s%s",
			    tl->n_threads >= 0 ? n1 : "counting…",
			    tl->n_messages >= 0 ? n2 : "counting…",
			    tl->n_reviewed >= 0 ? n3 : "…",
			    tl->n_messages >= 0 ? n2 : "…", "");
	if (s && tl->n_messages > 0 && tl->n_reviewed >= 0)
		s = talloc_asprintf_append(s, " (%ld%%)", tl->n_reviewed * 100 / tl->n_messages);
	if (s && tl->state == THREADLIST_LOADING)
		s = talloc_asprintf_append(s, "  loading %zu…", tl->n_rows);
	if (s && *tl->notice)
		s = talloc_asprintf_append(s, "  [%s]", tl->notice);
	if (s) {
		char *js = app_jobs_status(s, app);

		if (js && *js)
			s = talloc_asprintf_append(s, "  [%s]", js);
		else if (app->review->n_queue || *app->review->error)
			s = talloc_asprintf_append(s, "  [%s]", review_status(s, app->review));
	}
	if (s && *tl->count_error)
		s = talloc_asprintf_append(s, "  [%s]", tl->count_error);
	if (s)
		screen_puts(app->scr, x, y, app->scr->w - x, s, SCREEN_STATUS);
	talloc_free(s);
}

static void
view_draw_help(struct app *app, int h)
{
	view_help_ops.draw(app, 0, 0, app->scr->w, h);
}

void
view_draw(struct app *app)
{
	struct screen *scr = app->scr;
	int h = scr->h - 2, x = 0, status_y = scr->h - 2, message_y = scr->h - 1;

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
		screen_puts(scr, 0, message_y, scr->w, app->message,
			    app->message_is_error ? SCREEN_ERROR : SCREEN_NORMAL);
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
	return listview_visible_sig(app, app->scr->h - 2 < 1 ? 1 : app->scr->h - 2);
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
