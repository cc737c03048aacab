/*
 * app: the session state, the screen layout and the status line.  See
 * include/trawl/app.h; commands and key dispatch are in cmd.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/cmd-export.h"
#include "trawl/cmd.h"
#include "trawl/feed.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/util.h"
#include "trawl/view.h"

static char *
app_history_path(TALLOC_CTX *ctx)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (state && *state == '/')
		return talloc_asprintf(ctx, "%s/trawl/history", state);
	return talloc_asprintf(ctx, "%s/.local/state/trawl/history", home ? home : ".");
}

/*
 * A new database under the same path (its UUID changed: rebuilt, restored
 * from a copy): revisions start again, so nothing can be updated from
 * them; everything is read again.  Other commits reach each model through
 * its own subscription.
 */
static void
app_on_commit(void *ud, const struct feed_event *ev)
{
	struct app *app = ud;

	if (!ev->new_database)
		return;
	threadview_close(app);
	listview_reload(app);
	sidebar_reload(app);
	app_message(app, 0, "the database was replaced: everything was read again");
}

const char *
app_query(const struct app *app)
{
	return app->list->tl->query;
}

struct app *
app_new(TALLOC_CTX *ctx, index_t *idx, struct config *cfg, const char *query, int w, int h)
{
	struct app *app = talloc_zero(ctx, struct app);

	if (!app)
		abort();
	app->idx = idx;
	app->cfg = cfg;
	app->now = time(NULL);
	app->scr = screen_new(app, w, h);
	app->history_path = app_history_path(app);
	app->sidebar_visible = cfg->sidebar_visible;
	app->focus = APP_FOCUS_LIST;
	index_set_reviewed_tag(idx, cfg->reviewed_tag);
	app->feed = feed_new(app, idx);
	if (!app->feed)
		abort();
	feed_subscribe(app->feed, app, app_on_commit, app);
	app->review = review_new(app, idx, cfg->reviewer, cfg->sync_maildir_flags);
	app->list = listview_new(app, query && *query ? query : "*");
	app->sidebar = sidebar_new(app);
	if (!app->scr || !app->list || !app->history_path || !app->review)
		abort();
	return app;
}

void
app_free(struct app *app)
{
	if (!app)
		return;
	/* Views (and their background jobs) go before the index they read. */
	threadview_close(app);
	TALLOC_FREE(app->list);
	TALLOC_FREE(app->sidebar);
	TALLOC_FREE(app->prompt);
	TALLOC_FREE(app->snapshot);
	TALLOC_FREE(app->search_writer);
	TALLOC_FREE(app->review);
	talloc_free(app);
}

void
app_message(struct app *app, int is_error, const char *fmt, ...)
{
	va_list ap;

	talloc_free(app->message);
	va_start(ap, fmt);
	app->message = talloc_vasprintf(app, fmt, ap);
	va_end(ap);
	app->message_is_error = is_error;
}

void
app_search(struct app *app, const char *query)
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
app_draw_status(struct app *app, int y)
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
	if (s && (app->snapshot || app->review->n_queue || *app->review->error)) {
		char *rs = review_status(s, app->review);

		s = talloc_asprintf_append(s, "  [%s]",
					   app->snapshot ? "taking a snapshot of the messages…" : rs);
	}
	if (s && *tl->count_error)
		s = talloc_asprintf_append(s, "  [%s]", tl->count_error);
	if (s)
		screen_puts(app->scr, x, y, app->scr->w - x, s, SCREEN_STATUS);
	talloc_free(s);
}

static void
app_draw_help(struct app *app, int h)
{
	view_help_ops.draw(app, 0, 0, app->scr->w, h);
}

void
app_draw(struct app *app)
{
	struct screen *scr = app->scr;
	int h = scr->h - 2, x = 0;

	screen_clear(scr);
	if (h < 1)
		h = 1;
	if (app->help) {
		app_draw_help(app, h);
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
	app_draw_status(app, scr->h - 2);
	if (app->prompt) {
		prompt_draw(app->prompt, scr, scr->h - 1);
	} else if (app->message) {
		screen_puts(scr, 0, scr->h - 1, scr->w, app->message,
			    app->message_is_error ? SCREEN_ERROR : SCREEN_NORMAL);
	} else if (app->list->tl->state == THREADLIST_ERROR) {
		screen_puts(scr, 0, scr->h - 1, scr->w, app->list->tl->error, SCREEN_ERROR);
	}
}

uint64_t
app_list_sig(const struct app *app)
{
	/* The pane's height as app_draw() lays it out. */
	if (app->focus != APP_FOCUS_LIST || app->help)
		return 0;
	return listview_visible_sig(app, app->scr->h - 2 < 1 ? 1 : app->scr->h - 2);
}

int
app_poll(struct app *app)
{
	int changed;

	/* The writer's records first: a commit it reports is seen by the feed at once. */
	changed = review_poll(app->review);
	changed |= feed_poll(app->feed);
	changed |= listview_poll(app);
	changed |= sidebar_poll(app);
	changed |= threadview_poll(app);
	changed |= review_snapshot_poll(app);
	changed |= search_write_poll(app);
	changed |= export_poll(app);
	return changed;
}

int
app_fds(const struct app *app, int *fds, int max)
{
	int n = 0;

	if (max >= 2)
		n = threadlist_fds(app->list->tl, fds);
	if (app->sidebar && filters_fd(app->sidebar->fl) >= 0 && n < max)
		fds[n++] = filters_fd(app->sidebar->fl);
	if (threadview_fd(app) >= 0 && n < max)
		fds[n++] = threadview_fd(app);
	if (review_fd(app->review) >= 0 && n < max)
		fds[n++] = review_fd(app->review);
	if (bg_fd(app->snapshot) >= 0 && n < max)
		fds[n++] = bg_fd(app->snapshot);
	if (bg_fd(app->search_writer) >= 0 && n < max)
		fds[n++] = bg_fd(app->search_writer);
	if (export_fd(app) >= 0 && n < max)
		fds[n++] = export_fd(app);
	return n;
}

void
app_resize(struct app *app, int w, int h)
{
	screen_resize(app->scr, w, h);
}
