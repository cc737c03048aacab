/*
 * app: the session state, its background jobs and the prompt line.  See
 * include/trawl/app.h; panes are in view*.c, commands in cmd*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "trawl/app.h"
#include "trawl/bg.h"
#include "trawl/feed.h"
#include "trawl/paths.h"
#include "trawl/prefs.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/versionmap.h"

/*
 * Search history is the case's: queries name people and subjects of the
 * evidence, so they stay beside it (<db>/.notmuch/trawl/history), never in
 * a history another case would show (or the XDG state directory when the
 * database's directory cannot be written).
 */
static char *
app_history_path(TALLOC_CTX *ctx, index_t *idx)
{
	return paths_for(ctx, index_db_path(idx), PATHS_HISTORY);
}

static int
app_versions_poll(struct app *app, void *ud)
{
	return versionmap_poll(ud);
}

static int
app_versions_fds(const struct app *app, void *ud, int *fds, int max)
{
	int fd = versionmap_fd(ud);

	if (fd < 0 || max < 1)
		return 0;
	fds[0] = fd;
	return 1;
}

/*
 * The teardown order, however the app is freed (app_free(), or its parent
 * going: a test's context after a failed assertion): talloc runs this
 * before it frees the app's children in whatever order, and a job's
 * destructor reads app->jobs.
 */
static int
app_destructor(struct app *app)
{
	/* Panes (and their background jobs) go before the index they read. */
	TALLOC_FREE(app->versions_view);
	TALLOC_FREE(app->thread);
	TALLOC_FREE(app->stats);
	TALLOC_FREE(app->list);
	TALLOC_FREE(app->sidebar);
	TALLOC_FREE(app->prompt);
	/* Each job's owner (never the app itself) goes; its destructor empties the slot. */
	for (size_t i = 0; i < app->n_jobs; i++)
		if (app->jobs[i])
			talloc_free(talloc_parent(app->jobs[i]));
	TALLOC_FREE(app->jobs);
	app->n_jobs = 0;
	app->versions = NULL; /* it was its job's owner */
	TALLOC_FREE(app->review);
	return 0;
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
	app->history_path = app_history_path(app, idx);
	app->sidebar_visible = cfg->sidebar_visible;
	app->focus = APP_FOCUS_LIST;
	index_set_reviewed_tag(idx, cfg->reviewed_tag);
	app->feed = feed_new(app, idx);
	if (!app->feed)
		abort();
	app->review = review_new(app, idx, cfg->reviewer, cfg->sync_maildir_flags);
	app->versions = versionmap_new(app, idx);
	if (!app->scr || !app->history_path || !app->review || !app->versions)
		abort();
	versionmap_follow(app->versions, app->feed);
	app_add_job(app, app->versions, app_versions_poll, app_versions_fds, app->versions);
	talloc_set_destructor(app, app_destructor);
	/* Where the case's state went (a fallback, a journal moved), said once. */
	{
		const char *notice = paths_take_notice();

		const char *resumed = *app->review->notice ? app->review->notice : NULL;

		if (notice || resumed)
			app_message(app, 0, "%s%s%s", resumed ? resumed : "",
				    notice && resumed ? "; " : "", notice ? notice : "");
		app->review->notice[0] = '\0';
	}
	return app;
}

void
app_free(struct app *app)
{
	if (!app)
		return;
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
	if (*app->review->notice) {
		app_message(app, 0, "%s", app->review->notice);
		app->review->notice[0] = '\0';
		changed = 1;
	}
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

static int
app_external_destroy(struct app_external *x)
{
	if (x->stdin_fd >= 0)
		close(x->stdin_fd);
	return 0;
}

struct app_external *
app_external_new(struct app *app, const char *const *argv, const char *what)
{
	struct app_external *x = talloc_zero(app, struct app_external);
	size_t n = 0;

	if (!x)
		abort();
	while (argv[n])
		n++;
	x->argv = talloc_zero_array(x, char *, n + 1);
	x->what = talloc_strdup(x, what);
	if (!x->argv || !x->what)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!(x->argv[i] = talloc_strdup(x->argv, argv[i])))
			abort();
	x->stdin_fd = -1;
	talloc_set_destructor(x, app_external_destroy);
	TALLOC_FREE(app->external);
	app->external = x;
	return x;
}

/* Where id is, or would go, in the sorted marks. */
static size_t
app_mark_find(const struct app *app, const char *id, int *found)
{
	size_t lo = 0, hi = app->n_marks;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(app->marks[mid], id);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
app_mark_insert(struct app *app, size_t at, const char *id)
{
	app->marks = talloc_realloc(app, app->marks, char *, app->n_marks + 1);
	if (!app->marks)
		abort();
	memmove(app->marks + at + 1, app->marks + at, (app->n_marks - at) * sizeof(char *));
	app->marks[at] = talloc_strdup(app->marks, id);
	if (!app->marks[at])
		abort();
	app->n_marks++;
}

int
app_mark_toggle(struct app *app, const char *thread_id)
{
	int found;
	size_t at = app_mark_find(app, thread_id, &found);

	if (found) {
		talloc_free(app->marks[at]);
		memmove(app->marks + at, app->marks + at + 1, (app->n_marks - at - 1) * sizeof(char *));
		app->n_marks--;
		return 0;
	}
	app_mark_insert(app, at, thread_id);
	return 1;
}

int
app_is_marked(const struct app *app, const char *thread_id)
{
	int found;

	app_mark_find(app, thread_id, &found);
	return found;
}

void
app_marks_add(struct app *app, char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int found;
		size_t at = app_mark_find(app, ids[i], &found);

		if (!found)
			app_mark_insert(app, at, ids[i]);
	}
}

void
app_marks_clear(struct app *app)
{
	TALLOC_FREE(app->marks);
	app->n_marks = 0;
	app->mark_prefix = 0;
}

int
app_busy(const struct app *app)
{
	for (size_t i = 0; i < app->n_jobs; i++)
		if (app->jobs[i] && app->jobs[i]->busy)
			return 1;
	return 0;
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
app_confirm(struct app *app, const char *question, const char *detail, app_prompt_fn done,
	    void *data)
{
	talloc_free(app->prompt);
	app->prompt = prompt_new_confirm(app, question, detail);
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

/* ------------------------------------------------------------ orders */

/*
 * The name of the saved search query is, when it is exactly one
 * (query:NAME, or query:"NAME" with quotes doubled, as the filters pane
 * and --search make it); NULL otherwise.
 */
static char *
app_saved_search_name(TALLOC_CTX *ctx, const char *query)
{
	const char *p = query;
	char *name;

	if (strncmp(p, "query:", 6) != 0)
		return NULL;
	p += 6;
	if (*p != '"')
		return *p && !strpbrk(p, " \t()\"") ? talloc_strdup(ctx, p) : NULL;
	name = talloc_strdup(ctx, "");
	for (p++; name && *p; p++) {
		if (*p == '"' && p[1] != '"')
			break; /* the closing quote */
		if (*p == '"')
			p++;
		name = talloc_strndup_append_buffer(name, p, 1);
	}
	/* Only a closing quote that ends the query makes it exactly a saved search. */
	if (name && *p == '"' && !p[1])
		return name;
	talloc_free(name);
	return NULL;
}

/* The prefs key of a saved search's order. */
static char *
app_order_key(TALLOC_CTX *ctx, const char *name)
{
	return talloc_asprintf(ctx, "sort %s", name);
}

int
app_order_for(const struct app *app, const char *query)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *name = app_saved_search_name(tmp, query), *v = NULL;
	int order = app->cfg->sort;

	if (name)
		v = prefs_get(tmp, prefs_path_for(tmp, index_db_path(app->idx)),
			      app_order_key(tmp, name));
	if (v && config_sort_parse(v) >= 0)
		order = config_sort_parse(v);
	talloc_free(tmp);
	return order;
}

char *
app_keep_order(struct app *app, const char *query, int order, TALLOC_CTX *ctx)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *name = app_saved_search_name(tmp, query);

	if (!name || prefs_set(prefs_path_for(tmp, index_db_path(app->idx)),
			       app_order_key(tmp, name), config_sort_name(order)) != 0) {
		app->cfg->sort = order;
		name = NULL;
	} else {
		name = talloc_steal(ctx, name);
	}
	talloc_free(tmp);
	return name;
}

void
app_order_moved(struct app *app, const char *old_name, const char *new_name)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *path = prefs_path_for(tmp, index_db_path(app->idx));
	char *v = prefs_get(tmp, path, app_order_key(tmp, old_name));

	if (v) {
		if (new_name)
			prefs_set(path, app_order_key(tmp, new_name), v);
		prefs_set(path, app_order_key(tmp, old_name), NULL);
	}
	talloc_free(tmp);
}
