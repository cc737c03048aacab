/*
 * view-stats: what the timeline and correspondents panes share: opening
 * and closing them, the stats model of the list's query (counted afresh
 * when the query changes), its polling as an app job, narrowing, and the
 * title line with the progress mark.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/stats.h"
#include "trawl/util.h"
#include "trawl/view.h"
#include "view-stats.h"

/* Bytes of snapshots taken per wake-up: a big snapshot never holds a key back for long. */
#define STATSVIEW_POLL_BYTES (256 * 1024)

static int
statsview_visible(const struct app *app)
{
	return app->stats && app->focus == APP_FOCUS_STATS && !app->help;
}

static int
statsview_job_poll(struct app *app, void *ud)
{
	return ud == app->stats ? statsview_poll(app) : 0;
}

/* The child's fd, only while the pane is shown: a hidden pane's child waits on its pipe. */
static int
statsview_job_fds(const struct app *app, void *ud, int *fds, int max)
{
	const struct statsview *sv = ud;

	if (ud != app->stats || !statsview_visible(app) || max < 1 || stats_fd(sv->st) < 0)
		return 0;
	fds[0] = stats_fd(sv->st);
	return 1;
}

/* A model of the list's query, following the feed. */
static void
statsview_count(struct app *app, struct statsview *sv)
{
	talloc_free(sv->st);
	sv->st = stats_new(sv, app->idx, view_query(app), 0);
	stats_follow(sv->st, app->feed);
	sv->cursor_day = LONG_MIN;
	sv->first = 0;
	sv->list = 0;
	sv->item = 0;
	sv->top = 0;
	sv->expanded = 0;
}

static struct statsview *
statsview_open(struct app *app, enum statsview_pane pane)
{
	struct statsview *sv = talloc_zero(app, struct statsview);

	if (!sv)
		abort();
	sv->pane = pane;
	sv->by = -1;
	sv->last_by = -1;
	statsview_count(app, sv);
	app_add_job(app, sv, statsview_job_poll, statsview_job_fds, sv);
	return sv;
}

void
statsview_toggle(struct app *app, enum statsview_pane pane)
{
	if (statsview_visible(app) && app->stats->pane == pane) {
		statsview_close(app);
		return;
	}
	if (!app->stats)
		app->stats = statsview_open(app, pane);
	else if (strcmp(app->stats->st->query, view_query(app)) != 0)
		statsview_count(app, app->stats);
	app->stats->pane = pane;
	app->focus = APP_FOCUS_STATS;
}

void
statsview_close(struct app *app)
{
	TALLOC_FREE(app->stats);
	if (app->focus == APP_FOCUS_STATS)
		app->focus = APP_FOCUS_LIST;
}

enum config_context
statsview_context(const struct app *app)
{
	return app->stats && app->stats->pane == STATSVIEW_PEOPLE ? CONFIG_PEOPLE : CONFIG_TIMELINE;
}

int
statsview_poll(struct app *app)
{
	struct statsview *sv = app->stats;

	if (!sv || !statsview_visible(app))
		return 0;
	/* A search, a narrowing or widen changed the list's query: count that one. */
	if (strcmp(sv->st->query, view_query(app)) != 0) {
		statsview_count(app, sv);
		return 1;
	}
	return stats_poll(sv->st, STATSVIEW_POLL_BYTES);
}

int
statsview_narrow(struct app *app, TALLOC_CTX *ctx, char **term)
{
	*term = NULL;
	if (!app->stats)
		return 0;
	return app->stats->pane == STATSVIEW_TIMELINE ? timeline_narrow(app, ctx, term)
						       : people_narrow(app, ctx, term);
}

void
statsview_title(struct app *app, int x, int y, int w, const char *what)
{
	const struct stats *st = app->stats->st;
	char n1[32] = "?", *right, *left;
	int rw;

	screen_fill(app->scr, x, y, w, SCREEN_TITLE);
	if (st->messages >= 0)
		util_group_digits(n1, sizeof(n1), (unsigned long)st->messages);
	left = talloc_asprintf(NULL, "%s of %s", what, st->query);
	if (st->state == STATS_ERROR)
		right = talloc_asprintf(left, "[%s]", st->error ? st->error : "failed");
	else if (st->state == STATS_COUNTING && st->stale && !strcmp(st->phase, "done"))
		right = talloc_asprintf(left, "%s messages  [updating\u2026]", n1);
	else if (st->state == STATS_COUNTING && st->stale)
		right = talloc_asprintf(left, "%s messages  [updating: %s %.0f%%]", n1, st->phase,
					st->progress * 100);
	else if (st->state == STATS_COUNTING && st->messages < 0)
		right = talloc_strdup(left, "[counting\u2026]");
	else if (st->state == STATS_COUNTING)
		right = talloc_asprintf(left, "%s messages  [counting %s %.0f%%]", n1, st->phase,
					st->progress * 100);
	else
		right = talloc_asprintf(left, "%s messages", n1);
	if (right && *st->notice && st->state == STATS_COUNTING)
		right = talloc_asprintf_append(right, " [%s]", st->notice);
	rw = right ? (int)text_width(right, strlen(right)) : 0;
	if (rw > w - 12)
		rw = w - 12 > 0 ? w - 12 : 0;
	screen_puts(app->scr, x + 1, y, w - rw - 3, left, SCREEN_TITLE);
	if (rw > 0)
		screen_puts(app->scr, x + w - rw - 1, y, rw, right, SCREEN_TITLE);
	talloc_free(left);
}
