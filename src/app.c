/*
 * app: the session state, its background jobs and the prompt line.  See
 * include/trawl/app.h; panes are in view*.c, commands in cmd*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trawl/app.h"
#include "trawl/bg.h"
#include "trawl/feed.h"
#include "trawl/prompt.h"
#include "trawl/review.h"

static char *
app_history_path(TALLOC_CTX *ctx)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (state && *state == '/')
		return talloc_asprintf(ctx, "%s/trawl/history", state);
	return talloc_asprintf(ctx, "%s/.local/state/trawl/history", home ? home : ".");
}

struct app *
app_new(TALLOC_CTX *ctx, index_t *idx, struct config *cfg, int w, int h)
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
	app->review = review_new(app, idx, cfg->reviewer, cfg->sync_maildir_flags);
	if (!app->scr || !app->history_path || !app->review)
		abort();
	/* Where the case's state went (a fallback, a journal moved), said once. */
	{
		const char *notice = journal_take_notice();

		const char *resumed = app->review->notice;

		if (notice || resumed)
			app_message(app, 0, "%s%s%s", resumed ? resumed : "",
				    notice && resumed ? "; " : "", notice ? notice : "");
	}
	return app;
}

void
app_free(struct app *app)
{
	if (!app)
		return;
	/* Panes (and their background jobs) go before the index they read. */
	TALLOC_FREE(app->thread);
	TALLOC_FREE(app->list);
	TALLOC_FREE(app->sidebar);
	TALLOC_FREE(app->prompt);
	/* Each job's owner (never the app itself) goes; its destructor empties the slot. */
	for (size_t i = 0; i < app->n_jobs; i++)
		if (app->jobs[i])
			talloc_free(talloc_parent(app->jobs[i]));
	TALLOC_FREE(app->jobs);
	app->n_jobs = 0;
	TALLOC_FREE(app->review);
	talloc_free(app);
}

void
app_config_changed(struct app *app)
{
	review_set_reviewer(app->review, app->cfg->reviewer);
	app->review->sync_maildir_flags = app->cfg->sync_maildir_flags;
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

static int
app_job_destroy(struct app_job *j)
{
	for (size_t i = 0; i < j->app->n_jobs; i++)
		if (j->app->jobs[i] == j)
			j->app->jobs[i] = NULL;
	return 0;
}

struct app_job *
app_add_job(struct app *app, TALLOC_CTX *owner, int (*poll)(struct app *app, void *ud),
	    int (*fds)(const struct app *app, void *ud, int *fds, int max), void *ud)
{
	struct app_job *j = owner != app ? talloc_zero(owner, struct app_job) : NULL;
	size_t i;

	if (!j) /* out of memory, or owned by the app: app_free() could not end it first */
		abort();
	*j = (struct app_job){.poll = poll, .fds = fds, .ud = ud, .app = app};
	for (i = 0; i < app->n_jobs && app->jobs[i]; i++)
		;
	if (i == app->n_jobs) {
		app->jobs = talloc_realloc(app, app->jobs, struct app_job *, app->n_jobs + 1);
		if (!app->jobs)
			abort();
		app->n_jobs++;
	}
	app->jobs[i] = j;
	talloc_set_destructor(j, app_job_destroy);
	return j;
}

char *
app_jobs_status(TALLOC_CTX *ctx, const struct app *app)
{
	char *s = talloc_strdup(ctx, "");

	for (size_t i = 0; s && i < app->n_jobs; i++)
		if (app->jobs[i] && app->jobs[i]->status)
			s = talloc_asprintf_append(s, "%s%s", *s ? "; " : "", app->jobs[i]->status);
	return s;
}

static double
app_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds the database must stay gone before it is said (a replacement takes a moment). */
#define APP_GONE_AFTER 1.0

/*
 * Watches for the database leaving its place (deleted, moved) and coming
 * back.  While it is gone, trawl shows what it read; the write queue is
 * held and kept in the journal (where the case directory went, or the XDG
 * state directory), so no change is lost, and one line says so.
 */
static int
app_watch_database(struct app *app)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct review *rv = app->review;
	char *now = NULL, *kept;
	const char *db = index_db_path(app->idx);
	size_t changes = rv->n_queue;
	long messages;

	if (!index_gone(app->idx, tmp, &now)) {
		talloc_free(tmp);
		app->gone_since = 0;
		if (!app->db_gone)
			return 0;
		app->db_gone = 0;
		review_relocate(rv, db);
		review_hold(rv, NULL);
		app_message(app, 0, "the database is back at %s", db);
		return 1;
	}
	if (app->gone_since == 0)
		app->gone_since = app_clock();
	if (app->db_gone || app_clock() - app->gone_since < APP_GONE_AFTER) {
		talloc_free(tmp);
		return 0;
	}
	app->db_gone = 1;
	review_hold(rv, now ? "the database moved" : "the database is gone");
	review_relocate(rv, now);
	messages = changes ? review_keep(rv) : 0;
	if (!changes)
		kept = talloc_strdup(tmp, "");
	else if (messages < 0)
		kept = talloc_asprintf(tmp, "; %zu tag change%s NOT kept: %s", changes,
				       changes == 1 ? "" : "s", rv->error);
	else
		kept = talloc_asprintf(tmp, "; %zu tag change%s kept in %s %s", changes,
				       changes == 1 ? "" : "s", now ? "its journal" : "the journal",
				       rv->journal_path);
	if (now)
		app_message(app, 1, "the database %s moved to %s: trawl shows what it read%s", db,
			    now, kept);
	else
		app_message(app, 1, "the database %s is gone: trawl shows what it read%s", db, kept);
	talloc_free(tmp);
	return 1;
}

int
app_poll(struct app *app)
{
	int changed;

	/* The writer's records first: a commit it reports is seen by the feed at once. */
	changed = review_poll(app->review);
	changed |= app_watch_database(app);
	changed |= feed_poll(app->feed);
	/* A job may free itself or add one: slots are read afresh each time. */
	for (size_t i = 0; i < app->n_jobs; i++) {
		struct app_job *j = app->jobs[i];

		if (j && j->poll)
			changed |= j->poll(app, j->ud);
	}
	return changed;
}

int
app_fds(const struct app *app, int *fds, int max)
{
	int n = 0;

	if (review_fd(app->review) >= 0 && n < max)
		fds[n++] = review_fd(app->review);
	for (size_t i = 0; i < app->n_jobs && n < max; i++) {
		const struct app_job *j = app->jobs[i];

		if (j && j->fds)
			n += j->fds(app, j->ud, fds + n, max - n);
		else if (j && j->bg && bg_fd(*j->bg) >= 0)
			fds[n++] = bg_fd(*j->bg);
	}
	return n;
}

void
app_prompt(struct app *app, const char *label, const char *initial, const char *history_path,
	   app_prompt_fn done, void *data)
{
	talloc_free(app->prompt);
	app->prompt = prompt_new(app, label, initial, history_path);
	if (!app->prompt)
		abort();
	app->prompt_done = done;
	app->prompt_data = data ? talloc_steal(app->prompt, data) : NULL;
}

void
app_resize(struct app *app, int w, int h)
{
	screen_resize(app->scr, w, h);
}
