/*
 * cmd-export: exporting the current query from the reader.  See
 * include/trawl/cmd-export.h.
 *
 * The child sends records: 'P' "done total" now and then, 'W' a message
 * it could not export, 'D' "exported failed" at the end, or 'X' the
 * reason it stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/cmd-export.h"
#include "trawl/exporter.h"
#include "trawl/util.h"
#include "trawl/view.h"

/* The export in progress (one at a time), a talloc child of its app. */
struct export_job {
	struct app *app;
	bg_job_t *job;
	char *dest, *csv;
	size_t done, total;
	size_t exported, failed;
	char *error;   /* from an 'X' record */
	char *warning; /* the last 'W' record */
};

/* What the prompts collect before the export starts. */
struct export_pending {
	char *query; /* what is exported: the list's query, or the marked rows' */
	char *dest, *csv;
	int mbox;
};

static struct export_job *export_current;

static int
export_job_destructor(struct export_job *j)
{
	if (export_current == j)
		export_current = NULL;
	return 0;
}

static void
export_child_progress(void *ud, size_t done, size_t total)
{
	char buf[64];
	int n;

	/* A record every 50 messages keeps the pipe quiet on large exports. */
	if (done % 50 && done != total)
		return;
	n = snprintf(buf, sizeof(buf), "%zu %zu", done, total);
	bg_write(ud, 'P', buf, (size_t)n);
}

static void
export_child_warn(void *ud, const char *message)
{
	bg_write(ud, 'W', message, strlen(message));
}

struct export_request {
	const index_t *idx;
	struct exporter_opts o;
};

static int
export_child(bg_writer_t *w, void *arg)
{
	struct export_request *r = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct exporter_result res;
	index_t *idx = NULL;
	char *err = NULL, buf[64];
	trawl_status_t ts;
	int n;

	ts = index_open_like(ctx, r->idx, &idx, &err);
	if (ts == TRAWL_OK) {
		r->o.progress = export_child_progress;
		r->o.warn = export_child_warn;
		r->o.ud = w;
		ts = exporter_run(ctx, idx, &r->o, &res, &err);
	}
	if (ts == TRAWL_OK) {
		n = snprintf(buf, sizeof(buf), "%zu %zu", res.exported, res.failed);
		bg_write(w, 'D', buf, (size_t)n);
	} else {
		const char *e = err ? err : trawl_status_str(ts);

		bg_write(w, 'X', e, strlen(e));
	}
	talloc_free(ctx);
	return 0;
}

static void
export_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct export_job *j = ud;
	char *s = talloc_strndup(j, payload, len);

	if (!s)
		return;
	if (type == 'P')
		sscanf(s, "%zu %zu", &j->done, &j->total);
	else if (type == 'D')
		sscanf(s, "%zu %zu", &j->exported, &j->failed);
	if (type == 'X') {
		talloc_free(j->error);
		j->error = s;
	} else if (type == 'W') {
		talloc_free(j->warning);
		j->warning = s;
	} else {
		talloc_free(s);
	}
}

static int
export_poll(struct app *app, void *ud)
{
	struct export_job *j = ud;
	enum bg_state st;
	char a[32], b[32];

	st = bg_poll(j->job, 1 << 16, export_on_record, j);
	if (st == BG_RUNNING) {
		app_message(app, 0, "exporting to %s: %s/%s messages…", j->dest,
		            util_group_digits(a, sizeof(a), j->done),
		            util_group_digits(b, sizeof(b), j->total));
		return 1;
	}
	util_group_digits(a, sizeof(a), j->exported);
	if (j->error)
		app_message(app, 1, "export failed: %s", j->error);
	else if (st == BG_DIED)
		app_message(app, 1, "export failed: the export process %s", bg_how_died(j->job));
	else if (j->failed)
		app_message(app, 1, "exported %s message%s to %s; %s could not be read (last: %s)", a,
		            j->exported == 1 ? "" : "s", j->dest,
		            util_group_digits(b, sizeof(b), j->failed), j->warning ? j->warning : "?");
	else
		app_message(app, 0, "exported %s message%s to %s (index: %s)", a,
		            j->exported == 1 ? "" : "s", j->dest, j->csv);
	talloc_free(j);
	return 1;
}

static void
export_start(struct app *app, const struct export_pending *p, int force)
{
	struct export_request r = {
	        .idx = app->idx,
	        .o = {.query = p->query, .csv = p->csv, .force = force},
	};
	struct export_job *j;

	if (p->mbox)
		r.o.mbox = p->dest;
	else
		r.o.dir = p->dest;
	j = talloc_zero(app, struct export_job);
	if (!j) {
		app_message(app, 1, "out of memory");
		return;
	}
	j->app = app;
	j->dest = talloc_strdup(j, p->dest);
	j->csv = talloc_strdup(j, p->csv);
	if (!j->dest || !j->csv || bg_start(j, "export", export_child, &r, &j->job) != TRAWL_OK) {
		app_message(app, 1, "cannot start the export");
		talloc_free(j);
		return;
	}
	talloc_set_destructor(j, export_job_destructor);
	export_current = j;
	app_add_job(app, j, export_poll, NULL, j)->bg = &j->job;
	app_message(app, 0, "exporting to %s…", j->dest);
}

static void
export_overwrite_done(struct app *app, const char *line, void *data)
{
	if (!strcmp(line, "y") || !strcmp(line, "yes"))
		export_start(app, data, 1);
	else
		app_message(app, 0, "not exported");
}

/* Starts an export of query to dest (asking before overwriting). */
static void
export_to(struct app *app, const char *query, const char *line)
{
	struct export_pending *p;
	struct exporter_opts o = {.query = query};
	const char *home = getenv("HOME");
	char *err = NULL;
	size_t n;
	trawl_status_t ts;

	while (*line == ' ')
		line++;
	if (!*line) {
		app_message(app, 0, "not exported");
		return;
	}
	p = talloc_zero(NULL, struct export_pending);
	if (!p)
		return;
	p->query = talloc_strdup(p, query);
	p->dest = line[0] == '~' && line[1] == '/' && home
	                  ? talloc_asprintf(p, "%s%s", home, line + 1)
	                  : talloc_strdup(p, line);
	n = p->dest ? strlen(p->dest) : 0;
	while (n > 1 && p->dest[n - 1] == '/')
		p->dest[--n] = '\0';
	p->mbox = n > 5 && !strcmp(p->dest + n - 5, ".mbox");
	p->csv = p->dest ? talloc_asprintf(p, "%.*s.csv", (int)(p->mbox ? n - 5 : n), p->dest)
	                 : NULL;
	if (!p->dest || !p->csv || !p->query) {
		talloc_free(p);
		app_message(app, 1, "out of memory");
		return;
	}
	o.mbox = p->mbox ? p->dest : NULL;
	o.dir = p->mbox ? NULL : p->dest;
	o.csv = p->csv;
	ts = exporter_check(p, &o, &err);
	if (ts == TRAWL_EXISTS) {
		/*
		 * The exporter's reason speaks of --force, and full paths may not
		 * fit the prompt line: the names just typed are enough here.
		 */
		const char *d = strrchr(p->dest, '/'), *c = strrchr(p->csv, '/');
		char *label = talloc_asprintf(p, "overwrite %s and %s?", d ? d + 1 : p->dest,
		                              c ? c + 1 : p->csv);

		app_confirm(app, label ? label : "overwrite?", NULL, export_overwrite_done, p);
		return;
	}
	if (ts != TRAWL_OK)
		app_message(app, 1, "%s", err ? err : trawl_status_str(ts));
	else
		export_start(app, p, 0);
	talloc_free(p);
}

static void
export_dest_done(struct app *app, const char *line, void *data)
{
	export_to(app, data, line);
}

void
cmd_export_query(struct app *app, const char *query, int argc, char **argv)
{
	if (export_current) {
		app_message(app, 1, "an export is still running");
		return;
	}
	if (argc > 1) {
		export_to(app, query, argv[1]);
		return;
	}
	app_prompt(app,
	           "export to (NAME.mbox for an mbox, else a folder of .eml; index in NAME.csv): ",
	           "", NULL, export_dest_done, talloc_strdup(NULL, query));
}

void
cmd_export(struct app *app, int argc, char **argv)
{
	cmd_export_query(app, view_query(app), argc, argv);
}
