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
#include "trawl/note.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/tagops.h"
#include "trawl/text.h"
#include "trawl/util.h"
#include "trawl/view.h"

/* The messages a command acts on, collected from the index (small sets only). */
static int
review_ids(struct app *app, const char *query, char ***ids, size_t *n)
{
	if (index_message_ids(app->idx, app, query, ids, n) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return -1;
	}
	if (*n == 0) {
		app_message(app, 1, "no message to change");
		return -1;
	}
	return 0;
}

static struct tagops *
review_parse(struct app *app, const char *text)
{
	struct tagops *ops;
	char *err = NULL;

	if (tagops_parse(app, text, &ops, &err) != TRAWL_OK) {
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
 * for refreshing; note (may be NULL) for the journal.
 */
static void
review_apply_noted(struct app *app, const char *query, const char *thread_id,
		   const struct tagops *ops, const char *note)
{
	char **ids;
	size_t n;

	if (review_ids(app, query, &ids, &n) < 0)
		return;
	review_tag_noted(app->review, query, thread_id, ids, n, ops, 0, note);
	talloc_free(ids);
}

static void
review_apply(struct app *app, const char *query, const char *thread_id, const struct tagops *ops)
{
	review_apply_noted(app, query, thread_id, ops, NULL);
}

/* The target of r/R/t: the current message in the thread view, else the current thread. */
static const char *
review_target(struct app *app, char **thread_id, int whole_thread)
{
	const struct index_thread *row;
	const char *mid;

	if (app->focus == APP_FOCUS_THREAD && app->thread) {
		*thread_id = talloc_strdup(app, threadview_thread_id(app));
		if (whole_thread)
			return review_thread_query(app, *thread_id);
		mid = threadview_current_message(app);
		return mid ? index_quote_term(app, "id", mid) : NULL;
	}
	row = listview_current(app);
	if (!row)
		return NULL;
	*thread_id = talloc_strdup(app, row->thread_id);
	return review_thread_query(app, row->thread_id);
}

static struct tagops *
review_reviewed_ops(struct app *app, int add)
{
	/* Written in the change-list syntax (a query's quoting differs: "" for "). */
	struct tagop op = {app->cfg->reviewed_tag, add};
	char *s = tagops_format(app, &(struct tagops){&op, 1});
	struct tagops *ops = s ? review_parse(app, s) : NULL;

	talloc_free(s);
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
	char *q = index_query_and(app, query, talloc_asprintf(app, "not %s",
								index_quote_term(app, "tag", tag)));
	unsigned left = 0;
	int queued = review_queued_tag(app->review, query, thread_id, tag);

	if (queued >= 0)
		return queued;
	if (!q || index_count_messages(app->idx, q, &left) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return -1;
	}
	return left == 0;
}

/*
 * Marks query (a message or a thread) reviewed with note for the journal;
 * with next, goes on to the next unreviewed message, else thread (R).
 */
static void
review_mark(struct app *app, const char *q, const char *thread_id, const char *note, int next)
{
	struct tagops *ops = review_reviewed_ops(app, 1);

	if (!ops)
		return;
	review_apply_noted(app, q, thread_id, ops, note);
	if (!next)
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

/* r or R waiting for the answer to the question on versions (cmd-versions.c). */
struct review_versions {
	char *query, *thread_id, *note;
	int next;
};

static void
review_versions_done(struct app *app, const char *line, void *data)
{
	struct review_versions *rv = data;

	if (!strcmp(line, "y") || !strcmp(line, "yes")) {
		char *note = talloc_asprintf(rv, "%s; the reviewer said every version was read",
					     rv->note);

		review_mark(app, rv->query, rv->thread_id, note, rv->next);
	} else if (!strcmp(line, "v") && app->focus == APP_FOCUS_THREAD) {
		cmd_run(app, "versions");
	} else {
		app_message(app, 0, "not marked reviewed");
	}
}

/*
 * Marks query reviewed as review_mark() does, unless a message of it has
 * a version that was never on screen: then asks first.  The journal
 * records which versions were read either way.
 */
static void
review_mark_asking(struct app *app, const char *q, const char *thread_id, int next)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *mid = app->focus == APP_FOCUS_THREAD ? threadview_current_message(app) : NULL;
	char *note, *question;

	if (cmd_versions_review(app, tmp, thread_id, mid, &note, &question)) {
		struct review_versions *rv = talloc_zero(NULL, struct review_versions);

		if (!rv || !(rv->query = talloc_strdup(rv, q)) ||
		    !(rv->thread_id = talloc_strdup(rv, thread_id)) ||
		    !(rv->note = talloc_strdup(rv, note)))
			abort();
		rv->next = next;
		app_prompt(app, question, "", NULL, review_versions_done, rv);
	} else {
		review_mark(app, q, thread_id, note, next);
	}
	talloc_free(tmp);
}

void
cmd_toggle_reviewed(struct app *app, int argc, char **argv)
{
	char *thread_id = NULL;
	const char *q = review_target(app, &thread_id, 0);
	int reviewed;
	struct tagops *ops;

	if (!q || (reviewed = review_is_reviewed(app, q, thread_id)) < 0)
		return;
	if (!reviewed) {
		review_mark_asking(app, q, thread_id, 0);
		return;
	}
	ops = review_reviewed_ops(app, 0);
	if (ops)
		review_apply(app, q, thread_id, ops);
}

void
cmd_review_next(struct app *app, int argc, char **argv)
{
	char *thread_id = NULL;
	const char *q = review_target(app, &thread_id, 0);

	if (q)
		review_mark_asking(app, q, thread_id, 1);
}

struct tag_prompt {
	char *query;
	char *thread_id;
};

static void
review_tag_done(struct app *app, const char *line, void *data)
{
	struct tag_prompt *tp = data;
	struct tagops *ops = review_parse(app, line);

	if (ops)
		review_apply(app, tp->query, tp->thread_id, ops);
}

static void
review_tag_prompt(struct app *app, int whole_thread)
{
	struct tag_prompt *tp = talloc_zero(NULL, struct tag_prompt);
	const char *q = review_target(app, &tp->thread_id, whole_thread);
	char **tags;
	size_t n;

	if (!q) {
		talloc_free(tp);
		return;
	}
	tp->query = talloc_strdup(tp, q);
	talloc_steal(tp, tp->thread_id);
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

/* The message a note is written on, and its note when the prompt opened. */
struct note_prompt {
	char *thread_id;
	char *message_id;
	char *before;
};

static void
review_note_set(struct app *app, const struct note_prompt *np, const char *line)
{
	char *note, *why;

	if (note_clean(app, line, &note, &why) != TRAWL_OK) {
		app_message(app, 1, "%s", why);
		return;
	}
	if (!strcmp(note, np->before)) {
		app_message(app, 0, "note unchanged");
		return;
	}
	review_note(app->review, np->thread_id, np->message_id, note, app->cfg->note_tag);
	talloc_free(note);
}

static void
review_note_done(struct app *app, const char *line, void *data)
{
	review_note_set(app, data, line);
}

void
cmd_note(struct app *app, int argc, char **argv)
{
	struct note_prompt *np = talloc_zero(NULL, struct note_prompt);
	const char *mid = app->thread ? threadview_current_message(app) : NULL;
	const char *queued;

	if (!np)
		abort();
	if (!mid) {
		app_message(app, 1, "no message here to write a note on");
		talloc_free(np);
		return;
	}
	np->thread_id = talloc_strdup(np, threadview_thread_id(app));
	np->message_id = talloc_strdup(np, mid);
	/* What it will be once the queue is written, else what the database holds now. */
	queued = review_queued_note(app->review, mid);
	if (queued) {
		np->before = talloc_strdup(np, queued);
	} else if (index_message_note(app->idx, np, mid, &np->before) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		talloc_free(np);
		return;
	}
	if (argc > 1) {
		/* ":note TEXT" (or a binding) sets it without asking. */
		char *text = util_join(np, argc, argv, 1);

		if (text)
			review_note_set(app, np, text);
		talloc_free(np);
		return;
	}
	app_prompt(app, *np->before ? "note (empty removes it): " : "note: ", np->before, NULL,
		   review_note_done, np);
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

/* What a bulk change applies to: a query, how to name it, and what is known of its size. */
struct bulk_scope {
	char *query;
	char *what;    /* the query, or "3 marked threads" */
	char *first;   /* the first subjects, for the question ("" if unknown) */
	long messages; /* -1 while counting, -2 if not counted */
	char *ops;     /* given ops (no prompt), or NULL */
};

static void
review_bulk_ops(struct app *app, const char *line, void *data)
{
	struct bulk_scope *scope = data;
	struct snapshot_state *s = talloc_zero(NULL, struct snapshot_state);
	char *question, *detail, n[32];

	s->ops = review_parse(app, line);
	if (!s->ops) {
		talloc_free(s);
		return;
	}
	talloc_steal(s, s->ops);
	s->query = talloc_strdup(s, scope->query);
	/*
	 * The question first and short, so that it and its y/n fit 80
	 * columns; what it applies to and the first subjects follow as far
	 * as they fit.
	 */
	if (scope->messages >= 0)
		question = talloc_asprintf(s, "%s on %s message%s?", line,
					   util_group_digits(n, sizeof(n),
							     (unsigned long long)scope->messages),
					   scope->messages == 1 ? "" : "s");
	else
		question = talloc_asprintf(s, "%s on every message%s?", line,
					   scope->messages == -1 ? " (still counting)" : "");
	detail = talloc_asprintf(s, "%s:%s", scope->what, scope->first);
	app_confirm(app, question, detail, review_bulk_confirm, s);
}

/*
 * Starts a bulk change of every message of query (asks for the ops unless
 * given, then confirms; then a snapshot of the ids, batches, undo): the
 * one path for `*` and for the marked rows.
 */
void
cmd_bulk_tag(struct app *app, const char *query, const char *what, const char *first,
	     long messages, const char *ops)
{
	struct bulk_scope *scope = talloc_zero(NULL, struct bulk_scope);
	char *label;

	scope->query = talloc_strdup(scope, query);
	scope->what = talloc_strdup(scope, what);
	scope->first = talloc_strdup(scope, first);
	scope->messages = messages;
	if (ops) {
		review_bulk_ops(app, ops, scope);
		talloc_free(scope);
		return;
	}
	/* A long query is on the status line already: the line is left for the tags. */
	label = text_width(what, strlen(what)) <= 30
			? talloc_asprintf(scope, "tag all messages of %s: ", what)
			: talloc_strdup(scope, "tag all messages of the query: ");
	app_prompt(app, label, "", NULL, review_bulk_ops, scope);
}

void
cmd_tag_all(struct app *app, int argc, char **argv)
{
	const struct threadlist *tl = app->list->tl;
	const char *q = view_query(app);
	char *first = talloc_strdup(NULL, "");
	size_t shown = 0;

	for (size_t i = 0; i < threadlist_len(tl) && shown < 3; i++) {
		const struct index_thread *r = threadlist_row(tl, i);

		if (r)
			first = talloc_asprintf_append(first, "%s \"%s\"", shown++ ? "," : "",
						       r->subject);
	}
	if (threadlist_len(tl) > shown)
		first = talloc_asprintf_append(first, " …");
	cmd_bulk_tag(app, q, q, first, tl->n_messages, NULL);
	talloc_free(first);
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
		char a[32], b[32];

		app_message(app, 0, "cancelled: %s of %s messages were changed (u undoes them)",
			    util_group_digits(a, sizeof(a), done), util_group_digits(b, sizeof(b), n));
	} else {
		app_message(app, 0, "nothing to cancel");
	}
}

