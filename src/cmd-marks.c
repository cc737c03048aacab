/*
 * cmd-marks: marking rows and applying a command to the marked set, as
 * mutt's tag-prefix does.
 *
 *   m   marks or unmarks the row (a thread in the list, a message in the
 *       thread view) and moves down
 *   M   marks the threads of the list that match a query you type (found
 *       in a background child from the index: the list need not be
 *       loaded); an empty query unmarks them all
 *   ;   the next command applies to the marked rows: t or * tags them,
 *       r marks them reviewed, E exports them, | pipes the marked
 *       messages' files one after the other (thread view)
 *
 * The list's marks are thread ids kept by the app: they survive scrolling
 * and every refresh of the list, and go when the query changes.  A change
 * to marked rows is a bulk change of the query of their ids ("thread:A or
 * thread:B", "id:x or id:y") through the path `*` takes (cmd_bulk_tag:
 * confirm, snapshot of the ids, batches, undo).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trawl/bg.h"
#include "trawl/cmd-export.h"
#include "trawl/cmd.h"
#include "trawl/util.h"
#include "trawl/view.h"

char *
cmd_marked_query(TALLOC_CTX *ctx, struct app *app, size_t *n)
{
	char **ids = NULL, *q;
	const char *prefix = "thread";
	size_t count;

	*n = 0;
	if (app->focus == APP_FOCUS_THREAD) {
		ids = threadview_marked(ctx, app, 0, &count);
		prefix = "id";
	} else {
		ids = app->marks;
		count = app->n_marks;
	}
	if (!ids || count == 0)
		return NULL;
	q = talloc_strdup(ctx, "");
	for (size_t i = 0; q && i < count; i++)
		q = talloc_asprintf_append(q, "%s%s", i ? " or " : "",
					   index_quote_term(q, prefix, ids[i]));
	if (ids != app->marks)
		talloc_free(ids);
	*n = count;
	return q;
}

static void
marks_say(struct app *app)
{
	size_t n;
	char *q = cmd_marked_query(NULL, app, &n);

	talloc_free(q);
	if (n)
		app_message(app, 0, "%zu marked %s (; then t r E%s applies to them)", n,
			    app->focus == APP_FOCUS_THREAD ? "messages" : "threads",
			    app->focus == APP_FOCUS_THREAD ? " |" : "");
	else
		app_message(app, 0, "nothing marked");
}

void
cmd_toggle_mark(struct app *app, int argc, char **argv)
{
	const struct index_thread *t;

	(void)argc;
	(void)argv;
	if (app->focus == APP_FOCUS_THREAD) {
		if (threadview_toggle_mark(app) >= 0)
			marks_say(app);
		return;
	}
	t = listview_current(app);
	if (!t) {
		app_message(app, 1, "no thread here to mark");
		return;
	}
	app_mark_toggle(app, t->thread_id);
	view_list_ops.move(app, 1);
	marks_say(app);
}

/* M: the thread ids of (list query) and (pattern), from a child. */
struct mark_job {
	struct app *app;
	bg_job_t *job;
	char *query;
	size_t added;
	char *error;
};

static int
marks_child(bg_writer_t *w, void *arg)
{
	const char *const *a = arg; /* {query, index} */
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, **ids;
	size_t n;

	if (index_open_like(ctx, (const index_t *)a[1], &idx, &err) != TRAWL_OK ||
	    index_thread_ids(idx, ctx, a[0], &ids, &n) != TRAWL_OK) {
		const char *e = err ? err : index_last_error(idx);

		bg_write(w, 'X', e, strlen(e));
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		bg_write(w, 'T', ids[i], strlen(ids[i]));
	talloc_free(ctx);
	return 0;
}

static void
marks_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct mark_job *mj = ud;
	char *id;

	if (type == 'X') {
		mj->error = talloc_strndup(mj, payload, len);
		return;
	}
	if (type != 'T')
		return;
	id = talloc_strndup(mj, payload, len);
	if (id && !app_is_marked(mj->app, id)) {
		app_mark_toggle(mj->app, id);
		mj->added++;
	}
	talloc_free(id);
}

static int
marks_poll(struct app *app, void *ud)
{
	struct mark_job *mj = ud;
	enum bg_state st = bg_poll(mj->job, 1 << 20, marks_on_record, mj);

	if (st == BG_RUNNING)
		return 1;
	if (mj->error || st == BG_DIED)
		app_message(app, 1, "marking failed: %s", mj->error ? mj->error : bg_how_died(mj->job));
	else
		app_message(app, 0, "%zu thread%s marked (%zu in all; ; then t r E applies to them)",
			    mj->added, mj->added == 1 ? "" : "s", app->n_marks);
	talloc_free(mj);
	return 1;
}

static void
marks_pattern_done(struct app *app, const char *line, void *data)
{
	struct mark_job *mj;
	const char *arg[2];
	char *q;

	(void)data;
	if (!*line) {
		app_marks_clear(app);
		app_message(app, 0, "every mark removed");
		return;
	}
	q = index_query_and(app, view_query(app), line);
	if (!q || index_check_query(app->idx, q) != TRAWL_OK) {
		app_message(app, 1, "%s", q ? index_last_error(app->idx) : "out of memory");
		talloc_free(q);
		return;
	}
	mj = talloc_zero(app->list, struct mark_job);
	mj->app = app;
	mj->query = talloc_steal(mj, q);
	arg[0] = mj->query;
	arg[1] = (const char *)app->idx;
	if (bg_start(mj, "marks", marks_child, arg, &mj->job) != TRAWL_OK) {
		app_message(app, 1, "cannot start marking");
		talloc_free(mj);
		return;
	}
	{
		struct app_job *job = app_add_job(app, mj, marks_poll, NULL, mj);

		job->bg = &mj->job;
		job->status = "marking…";
	}
}

void
cmd_mark_pattern(struct app *app, int argc, char **argv)
{
	if (argc > 1) {
		char *line = talloc_strdup(app, argv[1]);

		for (int i = 2; i < argc && line; i++)
			line = talloc_asprintf_append(line, " %s", argv[i]);
		marks_pattern_done(app, line ? line : "", NULL);
		talloc_free(line);
		return;
	}
	app_prompt(app, "mark the threads of this list matching (empty: unmark all): ", "",
		   app->history_path, marks_pattern_done, NULL);
}

void
cmd_mark_prefix(struct app *app, int argc, char **argv)
{
	size_t n;
	char *q = cmd_marked_query(NULL, app, &n);

	(void)argc;
	(void)argv;
	talloc_free(q);
	if (!n) {
		app_message(app, 1, "nothing marked (m marks a row, M marks by a query)");
		return;
	}
	app->mark_prefix = 1;
	app_message(app, 0, "apply to %zu marked: t or * tag, r reviewed, E export%s", n,
		    app->focus == APP_FOCUS_THREAD ? ", | pipe" : "");
}

/* | on marked messages: their files one after the other into a command line. */
struct marked_pipe {
	char **files;
	size_t n;
};

static void
marks_pipe_done(struct app *app, const char *line, void *data)
{
	struct marked_pipe *mp = data;
	char *tmpl = talloc_asprintf(mp, "%s/trawl-marked.XXXXXX",
				     getenv("TMPDIR") && *getenv("TMPDIR") == '/' ? getenv("TMPDIR")
										 : "/tmp");
	int fd = tmpl ? mkstemp(tmpl) : -1;
	const char *argv[] = {"/bin/sh", "-c", line, NULL};
	struct app_external *x;

	if (!*line) {
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		app_message(app, 0, "not piped");
		return;
	}
	if (fd < 0) {
		app_message(app, 1, "cannot make a temporary file: %s", strerror(errno));
		return;
	}
	unlink(tmpl); /* nothing of it stays on disk */
	for (size_t i = 0; i < mp->n; i++) {
		int in = open(mp->files[i], O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t r;

		while (in >= 0 && (r = read(in, buf, sizeof(buf))) > 0)
			util_write_all(fd, buf, (size_t)r);
		if (in >= 0)
			close(in);
	}
	lseek(fd, 0, SEEK_SET);
	x = app_external_new(app, argv, talloc_asprintf(app, "| %s (%zu marked)", line, mp->n));
	x->stdin_fd = fd;
	x->wait_key = 1;
}

int
cmd_marked_run(struct app *app, int argc, char **argv)
{
	const char *c = argv[0];
	size_t n;
	char *q;

	if (!app->mark_prefix)
		return 0;
	app->mark_prefix = 0;
	q = cmd_marked_query(app, app, &n);
	if (!q) {
		app_message(app, 1, "nothing marked");
		return 1;
	}
	if (!strcmp(c, "tag") || !strcmp(c, "tag-all") || !strcmp(c, "tag-thread") ||
	    !strcmp(c, "toggle-reviewed") || !strcmp(c, "review-next")) {
		char *what = talloc_asprintf(q, "%zu marked %s", n,
					     app->focus == APP_FOCUS_THREAD ? "messages" : "threads");
		char *ops = NULL;

		if (!strcmp(c, "toggle-reviewed") || !strcmp(c, "review-next"))
			ops = talloc_asprintf(q, "+%s", index_reviewed_tag(app->idx));
		cmd_bulk_tag(app, q, what, "", -2, ops);
	} else if (!strcmp(c, "export")) {
		cmd_export_query(app, q, argc, argv);
	} else if (!strcmp(c, "pipe") && app->focus == APP_FOCUS_THREAD) {
		struct marked_pipe *mp = talloc_zero(NULL, struct marked_pipe);

		mp->files = threadview_marked(mp, app, 1, &mp->n);
		app_prompt(app, "pipe the marked messages (raw, one after the other) to: ", "",
			   NULL, marks_pipe_done, mp);
	} else {
		app_message(app, 1, "%s does not apply to marked rows (t * r E%s do)", c,
			    app->focus == APP_FOCUS_THREAD ? " |" : "");
	}
	talloc_free(q);
	return 1;
}
