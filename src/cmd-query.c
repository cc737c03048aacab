/*
 * cmd-query: running the thread list's query: a search, a limit and
 * stepping back out of it, running it again, and its order.  Each checks
 * the query first, so a typo keeps the list on screen.  See
 * include/trawl/cmd.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/cmd.h"
#include "trawl/index.h"
#include "trawl/view.h"

/* Runs query in the list in order; keep_cursor puts the cursor back on its thread.  0 on success. */
static int
cmd_query_run(struct app *app, const char *query, int keep_cursor, int order)
{
	struct listview *lv;
	const struct index_thread *cur = keep_cursor ? listview_current(app) : NULL;

	/* Check the syntax first, so a typo keeps the previous results on screen. */
	if (index_check_query(app->idx, query) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return -1;
	}
	lv = listview_new(app, query, order);
	if (!lv) {
		app_message(app, 1, "out of memory");
		return -1;
	}
	if (cur)
		lv->want_thread = talloc_strdup(lv, cur->thread_id);
	threadview_close(app);
	/* Marks are rows of this list: another query has other rows. */
	if (app->n_marks && strcmp(query, app->list->tl->query) != 0) {
		app_message(app, 0, "%zu marks removed with the query they were made in",
			    app->n_marks);
		app_marks_clear(app);
	}
	talloc_free(app->list);
	app->list = lv;
	/* The timeline and the correspondents follow the query: they stay in front. */
	if (!(app->focus == APP_FOCUS_STATS && app->stats))
		app->focus = APP_FOCUS_LIST;
	return 0;
}

void
cmd_query_search(struct app *app, const char *query)
{
	if (cmd_query_run(app, query, 0, app_order_for(app, query)) == 0) {
		TALLOC_FREE(app->limits);
		app->n_limits = 0;
	}
}

void
cmd_query_rerun(struct app *app)
{
	char *q = talloc_strdup(NULL, view_query(app));

	if (q)
		cmd_query_run(app, q, 1, app->list->order);
	talloc_free(q);
}

void
cmd_query_limit(struct app *app, const char *terms)
{
	char *old = talloc_strdup(app, view_query(app));
	char *q = old ? index_query_and(app, old, terms) : NULL;
	char **limits;

	if (!q || !strcmp(q, old) || cmd_query_run(app, q, 1, app->list->order) != 0) {
		talloc_free(old);
		talloc_free(q);
		return;
	}
	limits = talloc_realloc(app, app->limits, char *, app->n_limits + 1);
	if (!limits)
		abort();
	app->limits = limits;
	app->limits[app->n_limits++] = talloc_steal(limits, old);
	talloc_free(q);
}

int
cmd_query_unlimit(struct app *app)
{
	char *q;

	if (!app->n_limits)
		return 0;
	/* Popped even if it no longer runs (a saved search deleted): the next step goes further. */
	q = app->limits[--app->n_limits];
	cmd_query_run(app, q, 1, app->list->order);
	talloc_free(q);
	if (!app->n_limits)
		TALLOC_FREE(app->limits);
	return 1;
}

void
cmd_query_set_order(struct app *app, int order, TALLOC_CTX *ctx, char **saved_search)
{
	char *name = app_keep_order(app, view_base_query(app), order, ctx);

	if (saved_search)
		*saved_search = name;
	else
		talloc_free(name);
	app->list->order = order;
	cmd_query_rerun(app);
}
