/*
 * cmd-review: the review workflow commands: mark reviewed, tag, bulk tag
 * a whole query, undo and redo, cancel; and keeping the views in step with
 * what the write queue has committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/cmd.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/tagops.h"
#include "trawl/view.h"

/* The messages a command acts on, collected from the index (small sets only), children of ctx. */
static int
review_ids(TALLOC_CTX *ctx, struct app *app, const char *query, char ***ids, size_t *n)
{
	if (index_message_ids(app->idx, ctx, query, ids, n) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return -1;
	}
	if (*n == 0) {
		app_message(app, 1, "no message to change");
		return -1;
	}
	return 0;
}

/* The tag changes typed, a child of ctx; NULL (and the error shown) if they do not parse. */
static struct tagops *
review_parse(TALLOC_CTX *ctx, struct app *app, const char *text)
{
	struct tagops *ops;
	char *err = NULL;

	if (tagops_parse(ctx, text, &ops, &err) != TRAWL_OK) {
		app_message(app, 1, "%s", err);
		talloc_free(err);
		return NULL;
	}
	return ops;
}

static char *
review_thread_query(TALLOC_CTX *ctx, const char *thread_id)
{
	return talloc_asprintf(ctx, "thread:%s", thread_id);
}

/*
 * Queues ops on every message of query (a thread or a message); thread_id
 * for refreshing.  The queue keeps copies of what it needs.
 */
static void
review_apply(struct app *app, const char *query, const char *thread_id, const struct tagops *ops)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **ids;
	size_t n;

	if (review_ids(tmp, app, query, &ids, &n) == 0)
		review_tag(app->review, query, thread_id, ids, n, ops, 0);
	talloc_free(tmp);
}

/*
 * The target of r/R/t: the current message in the thread view, else the
 * current thread.  The query and *thread_id are children of ctx: a
 * session of a week runs these thousands of times.
 */
static char *
review_target(TALLOC_CTX *ctx, struct app *app, char **thread_id, int whole_thread)
{
	const struct index_thread *row;
	const char *mid;

	if (app->focus == APP_FOCUS_THREAD && app->thread) {
		*thread_id = talloc_strdup(ctx, threadview_thread_id(app));
		if (whole_thread)
			return review_thread_query(ctx, *thread_id);
		mid = threadview_current_message(app);
		return mid ? index_quote_term(ctx, "id", mid) : NULL;
	}
	row = listview_current(app);
	if (!row)
		return NULL;
	*thread_id = talloc_strdup(ctx, row->thread_id);
	return review_thread_query(ctx, row->thread_id);
}

/* +reviewed (or -reviewed), a child of ctx. */
static struct tagops *
review_reviewed_ops(TALLOC_CTX *ctx, struct app *app, int add)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *s = talloc_asprintf(tmp, "%c%s", add ? '+' : '-',
				  index_quote_term(tmp, "x", app->cfg->reviewed_tag) + 2);
	struct tagops *ops = review_parse(ctx, app, s);

	talloc_free(tmp);
	return ops;
}

/*
 * Whether the messages of query (a thread or one message) are all
 * reviewed: as committed (the index reads the newest commit), then as the
 * queued changes will leave them.  -1 when the index cannot say.
 */
static int
review_is_reviewed(struct app *app, const char *query, const char *thread_id)
{
	const char *tag = app->cfg->reviewed_tag;
	int queued = review_queued_tag(app->review, query, thread_id, tag);
	TALLOC_CTX *tmp;
	unsigned left = 0;
	char *q;
	int reviewed;

	if (queued >= 0)
		return queued;
	tmp = talloc_new(NULL);
	q = index_query_and(tmp, query,
			    talloc_asprintf(tmp, "not %s", index_quote_term(tmp, "tag", tag)));
	if (!q || index_count_messages(app->idx, q, &left) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		reviewed = -1;
	} else {
		reviewed = left == 0;
	}
	talloc_free(tmp);
	return reviewed;
}

void
cmd_toggle_reviewed(struct app *app, int argc, char **argv)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *thread_id = NULL;
	const char *q = review_target(tmp, app, &thread_id, 0);
	int reviewed;
	struct tagops *ops;

	if (q && (reviewed = review_is_reviewed(app, q, thread_id)) >= 0 &&
	    (ops = review_reviewed_ops(tmp, app, !reviewed)))
		review_apply(app, q, thread_id, ops);
	talloc_free(tmp);
}

void
cmd_review_next(struct app *app, int argc, char **argv)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *thread_id = NULL;
	const char *q = review_target(tmp, app, &thread_id, 0);
	struct tagops *ops = q ? review_reviewed_ops(tmp, app, 1) : NULL;

	if (ops)
		review_apply(app, q, thread_id, ops);
	talloc_free(tmp);
	if (!ops)
		return;
	if (app->focus == APP_FOCUS_THREAD) {
		/* Next unreviewed message here, else the next unreviewed thread, opened. */
		if (threadview_next_unreviewed(app))
			return;
		threadview_close(app);
		if (!listview_next_unreviewed(app)) {
			app_message(app, 0, "no unreviewed thread below");
			return;
		}
		cmd_run(app, "open");
		return;
	}
	if (!listview_next_unreviewed(app))
		app_message(app, 0, "no unreviewed thread below");
}

struct tag_prompt {
	char *query;
	char *thread_id;
};

static void
review_tag_done(struct app *app, const char *line, void *data)
{
	struct tag_prompt *tp = data;
	struct tagops *ops = review_parse(tp, app, line); /* tp goes with the prompt */

	if (ops)
		review_apply(app, tp->query, tp->thread_id, ops);
}

static void
review_tag_prompt(struct app *app, int whole_thread)
{
	struct tag_prompt *tp = talloc_zero(NULL, struct tag_prompt);
	char *q = review_target(tp, app, &tp->thread_id, whole_thread);
	char **tags;
	size_t n;

	if (!q) {
		talloc_free(tp);
		return;
	}
	tp->query = q;
	app_prompt(app,
		   app->focus == APP_FOCUS_THREAD && !whole_thread ? "tag message: " : "tag thread: ",
		   "", NULL, review_tag_done, tp);
	if (index_all_tags(app->idx, app->prompt, &tags, &n) == TRAWL_OK) {
		char **words = talloc_array(app->prompt, char *, 2 * n + 1);

		for (size_t i = 0; words && i < n; i++) {
			words[2 * i] = talloc_asprintf(words, "+%s", tags[i]);
			words[2 * i + 1] = talloc_asprintf(words, "-%s", tags[i]);
		}
		if (words)
			prompt_set_completions(app->prompt, words, 2 * n);
	}
}

void
cmd_tag(struct app *app, int argc, char **argv)
{
	review_tag_prompt(app, 0);
}

void
cmd_tag_thread(struct app *app, int argc, char **argv)
{
	review_tag_prompt(app, 1);
}

/*
 * A bulk change: the query and ops confirmed, waiting for the snapshot of
 * ids; once started, polled as an app job (one at a time).
 */
struct snapshot_state {
	char *query;
	struct tagops *ops;
	char **ids;
	size_t n, cap;
	struct app *app;
	bg_job_t *job;
};

static struct snapshot_state *snapshot_current;

static int
snapshot_destructor(struct snapshot_state *s)
{
	if (snapshot_current == s)
		snapshot_current = NULL;
	return 0;
}

int
cmd_review_snapshotting(const struct app *app)
{
	return snapshot_current && snapshot_current->app == app;
}

static int
review_snapshot_child(bg_writer_t *w, void *arg)
{
	const char *const *a = arg; /* {query, unused} with the index in a[1] */
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, **ids, *buf;
	size_t n, len = 0;

	if (index_open_like(ctx, (index_t *)a[1], &idx, &err) != TRAWL_OK ||
	    index_message_ids(idx, ctx, a[0], &ids, &n) != TRAWL_OK) {
		const char *e = err ? err : index_last_error(idx);

		bg_write(w, 'X', e, strlen(e));
		talloc_free(ctx);
		return 0;
	}
	/* Ids go in chunks of NUL-separated strings. */
	buf = talloc_array(ctx, char, 65536);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(ids[i]) + 1;

		if (len + l > 65536) {
			bg_write(w, 'I', buf, len);
			len = 0;
		}
		if (l <= 65536) {
			memcpy(buf + len, ids[i], l);
			len += l;
		}
	}
	if (len)
		bg_write(w, 'I', buf, len);
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

static void
review_on_snapshot(void *ud, char type, const char *payload, size_t len)
{
	struct snapshot_state *s = ud;
	struct app *app = s->app;

	if (type == 'X') {
		app_message(app, 1, "%.*s", (int)len, payload);
		return;
	}
	if (type != 'I')
		return;
	for (const char *p = payload; p < payload + len; p += strlen(p) + 1) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 4096;
			s->ids = talloc_realloc(s, s->ids, char *, s->cap);
			if (!s->ids)
				abort();
		}
		s->ids[s->n++] = talloc_strndup(s->ids, p, (size_t)(payload + len - p));
	}
}

/* The app job: takes snapshot ids and queues the bulk job when complete. */
static int
review_snapshot_poll(struct app *app, void *ud)
{
	struct snapshot_state *s = ud;
	enum bg_state st;

	st = bg_poll(s->job, 1 << 20, review_on_snapshot, s);
	if (st == BG_RUNNING)
		return 1;
	if (st == BG_DONE && s->n > 0)
		review_tag(app->review, s->query, NULL, s->ids, s->n, s->ops, 1);
	else if (st == BG_DONE)
		app_message(app, 0, "no message matches any more: nothing changed");
	else
		app_message(app, 1, "taking the snapshot failed; nothing changed");
	talloc_free(s);
	return 1;
}

static void
review_bulk_confirm(struct app *app, const char *line, void *data)
{
	struct snapshot_state *s = data;
	const char *arg[2];

	if (strcmp(line, "y") && strcmp(line, "yes")) {
		app_message(app, 0, "bulk change not applied");
		return;
	}
	if (cmd_review_snapshotting(app)) {
		app_message(app, 1, "a bulk change is already starting");
		return;
	}
	/* The snapshot is taken now: mail added later is not touched. */
	s = talloc_steal(app, s);
	s->app = app;
	arg[0] = s->query;
	arg[1] = (const char *)app->idx;
	if (bg_start(s, "snapshot", review_snapshot_child, arg, &s->job) != TRAWL_OK) {
		app_message(app, 1, "cannot start the snapshot");
		talloc_free(s);
		return;
	}
	talloc_set_destructor(s, snapshot_destructor);
	snapshot_current = s;
	{
		struct app_job *job = app_add_job(app, s, review_snapshot_poll, NULL, s);

		job->bg = &s->job;
		job->status = "taking a snapshot of the messages…";
	}
}

static void
review_bulk_ops(struct app *app, const char *line, void *data)
{
	struct snapshot_state *s = talloc_zero(NULL, struct snapshot_state);
	const struct threadlist *tl = app->list->tl;
	char *label, *first = talloc_strdup(s, "");

	s->ops = review_parse(s, app, line);
	if (!s->ops) {
		talloc_free(s);
		return;
	}
	s->query = talloc_strdup(s, view_query(app));
	for (size_t i = 0; i < tl->n_rows && i < 3; i++)
		first = talloc_asprintf_append(first, "%s\"%s\"", i ? ", " : "", tl->rows[i].subject);
	if (tl->n_messages >= 0)
		label = talloc_asprintf(s, "%s on %ld messages of %s (%s%s)? y/n: ",
					line, tl->n_messages, view_query(app), first,
					tl->n_rows > 3 ? "…" : "");
	else
		label = talloc_asprintf(s, "%s on every message of %s (still counting; %s%s)? y/n: ",
					line, view_query(app), first, tl->n_rows > 3 ? "…" : "");
	app_prompt(app, label, "", NULL, review_bulk_confirm, s);
}

void
cmd_tag_all(struct app *app, int argc, char **argv)
{
	char *label = talloc_asprintf(app, "tag all messages of %s: ", view_query(app));

	app_prompt(app, label, "", NULL, review_bulk_ops, NULL);
	talloc_free(label);
}

void
cmd_undo(struct app *app, int argc, char **argv)
{
	const char *why;
	struct review_job *job = review_undo(app->review, argv[0][0] == 'r', &why);

	if (!job)
		app_message(app, 1, "%s", why);
	else
		app_message(app, 0, "%s", job->label);
}

void
cmd_cancel(struct app *app, int argc, char **argv)
{
	if (cmd_review_snapshotting(app)) {
		talloc_free(snapshot_current);
		app_message(app, 0, "bulk change cancelled before it started");
	} else if (app->review->n_queue && app->review->queue[0]->bulk) {
		size_t done = app->review->queue[0]->done, n = app->review->queue[0]->n;

		review_cancel(app->review);
		app_message(app, 0, "cancelled: %zu of %zu messages were changed (u undoes them)",
			    done, n);
	} else {
		app_message(app, 0, "nothing to cancel");
	}
}

