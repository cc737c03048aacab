/*
 * cmd-search: saved searches (notmuch named queries) from the reader:
 * save the current query, rename, edit, delete.  Writes go through a
 * child process, since opening the database for writing waits for any
 * other writer's lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/cmd.h"
#include "trawl/view.h"

struct search_write {
	index_t *idx;
	char *name;     /* to set */
	char *query;    /* its query, NULL to delete */
	char *old_name; /* deleted after name is set (rename), or NULL */
};

static int
search_write_child(bg_writer_t *w, void *arg)
{
	struct search_write *sw = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL;
	trawl_status_t ts;

	ts = index_open_like(ctx, sw->idx, &idx, &err);
	if (ts == TRAWL_OK)
		ts = index_save_search(idx, sw->name, sw->query);
	if (ts == TRAWL_OK && sw->old_name)
		ts = index_save_search(idx, sw->old_name, NULL);
	if (ts != TRAWL_OK) {
		const char *e = err ? err : index_last_error(idx);

		bg_write(w, 'X', e, strlen(e));
	}
	talloc_free(ctx);
	return 0;
}

/* A saved search being written (one at a time), polled as an app job. */
struct search_job {
	struct app *app;
	bg_job_t *job;
	char *written; /* its name, for the filters cursor, or NULL */
	char *gone;    /* the name it replaces (renamed) or deletes, or NULL */
	int failed;
};

static void
search_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct search_job *j = ud;

	if (type == 'X') {
		app_message(j->app, 1, "saving the search failed: %.*s", (int)len, payload);
		j->failed = 1;
	}
}

static struct search_job *search_current;

static int
search_job_destructor(struct search_job *j)
{
	if (search_current == j)
		search_current = NULL;
	return 0;
}

static int
search_write_poll(struct app *app, void *ud)
{
	struct search_job *j = ud;
	enum bg_state st;

	st = bg_poll(j->job, 1 << 16, search_on_record, j);
	if (st == BG_RUNNING)
		return 0;
	/* The order kept for the search follows a rename and goes with a delete. */
	if (st == BG_DONE && !j->failed && j->gone)
		app_order_moved(app, j->gone, j->written);
	index_reopen(app->idx);
	sidebar_reload_at(app, j->written);
	talloc_free(j);
	if (!app->message_is_error)
		app_message(app, 0, "saved searches updated");
	return 1;
}

static void
search_write(struct app *app, const char *name, const char *query, const char *old_name)
{
	struct search_write sw = {app->idx, (char *)name, (char *)query, (char *)old_name};
	struct search_job *j;

	if (search_current && search_current->app == app) {
		app_message(app, 1, "a saved search is still being written");
		return;
	}
	j = talloc_zero(app, struct search_job);
	if (!j || bg_start(j, "save", search_write_child, &sw, &j->job) != TRAWL_OK) {
		app_message(app, 1, "cannot start writing the saved search");
		talloc_free(j);
		return;
	}
	j->app = app;
	j->written = query ? talloc_strdup(j, name) : NULL;
	j->gone = !query ? talloc_strdup(j, name) : old_name ? talloc_strdup(j, old_name) : NULL;
	talloc_set_destructor(j, search_job_destructor);
	search_current = j;
	app_add_job(app, j, search_write_poll, NULL, j)->bg = &j->job;
	app_message(app, 0, "writing the saved search…");
}

static int
search_exists(struct app *app, const char *name)
{
	struct index_search *s;
	size_t n;
	int found = 0;

	if (index_saved_searches(app->idx, NULL, &s, &n) != TRAWL_OK)
		return 0;
	for (size_t i = 0; i < n; i++)
		found |= !strcmp(s[i].name, name);
	talloc_free(s);
	return found;
}

static int
search_valid_name(struct app *app, const char *name)
{
	if (!*name) {
		app_message(app, 1, "a saved search needs a name");
		return 0;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			app_message(app, 1, "a saved search name cannot hold control characters");
			return 0;
		}
	return 1;
}

struct search_pending {
	char *name, *query, *old_name;
};

static void
search_overwrite_done(struct app *app, const char *line, void *data)
{
	struct search_pending *p = data;

	if (!strcmp(line, "y") || !strcmp(line, "yes"))
		search_write(app, p->name, p->query, p->old_name);
	else
		app_message(app, 0, "not saved");
}

/* Saves (or renames into) name, asking before replacing another search. */
static void
search_save_checked(struct app *app, const char *name, const char *query, const char *old_name)
{
	struct search_pending *p;
	char *label;

	if (!search_valid_name(app, name))
		return;
	if (!search_exists(app, name) || (old_name && !strcmp(old_name, name))) {
		search_write(app, name, query, old_name && strcmp(old_name, name) ? old_name : NULL);
		return;
	}
	p = talloc_zero(NULL, struct search_pending);
	p->name = talloc_strdup(p, name);
	p->query = talloc_strdup(p, query);
	p->old_name = old_name ? talloc_strdup(p, old_name) : NULL;
	label = talloc_asprintf(p, "a saved search '%s' exists: replace it?", name);
	app_confirm(app, label, NULL, search_overwrite_done, p);
}

static void
search_save_done(struct app *app, const char *line, void *data)
{
	search_save_checked(app, line, view_query(app), NULL);
}

void
cmd_save_search(struct app *app, int argc, char **argv)
{
	char *label = talloc_asprintf(app, "save '%s' as: ", view_query(app));

	app_prompt(app, label, "", NULL, search_save_done, NULL);
	talloc_free(label);
}

/* The saved search under the filters cursor, or NULL with a message. */
static const struct filter *
search_selected(struct app *app)
{
	const struct filter *e = sidebar_current(app);
	struct index_search *s;
	size_t n;
	int in_file = 0;

	if (!e || !e->is_search) {
		app_message(app, 1, "select a saved search in the filters pane first");
		return NULL;
	}
	if (index_saved_searches(app->idx, NULL, &s, &n) == TRAWL_OK) {
		for (size_t i = 0; i < n; i++)
			in_file |= !strcmp(s[i].name, e->label) && s[i].in_file;
		talloc_free(s);
	}
	if (in_file) {
		app_message(app, 1, "'%s' is defined in the notmuch config file %s: change it there",
			    e->label, index_config_path(app->idx));
		return NULL;
	}
	return e;
}

static void
search_rename_done(struct app *app, const char *line, void *data)
{
	const char *old = data;
	struct index_search *s;
	size_t n;

	if (index_saved_searches(app->idx, NULL, &s, &n) != TRAWL_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, old))
			search_save_checked(app, line, s[i].query, old);
	talloc_free(s);
}

void
cmd_rename_search(struct app *app, int argc, char **argv)
{
	const struct filter *e = search_selected(app);

	if (e)
		app_prompt(app, "rename to: ", e->label, NULL, search_rename_done,
			   talloc_strdup(NULL, e->label));
}

static void
search_edit_done(struct app *app, const char *line, void *data)
{
	if (index_check_query(app->idx, line) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return;
	}
	search_write(app, data, line, NULL);
}

void
cmd_edit_search(struct app *app, int argc, char **argv)
{
	const struct filter *e = search_selected(app);
	struct index_search *s;
	size_t n;

	if (!e || index_saved_searches(app->idx, NULL, &s, &n) != TRAWL_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, e->label))
			app_prompt(app, talloc_asprintf(s, "query of '%s': ", e->label), s[i].query,
				   NULL, search_edit_done, talloc_strdup(NULL, e->label));
	talloc_free(s);
}

static void
search_delete_done(struct app *app, const char *line, void *data)
{
	if (!strcmp(line, "y") || !strcmp(line, "yes"))
		search_write(app, data, NULL, NULL);
	else
		app_message(app, 0, "not deleted");
}

void
cmd_delete_search(struct app *app, int argc, char **argv)
{
	const struct filter *e = search_selected(app);
	char *label;

	if (!e)
		return;
	label = talloc_asprintf(NULL, "delete the saved search '%s'?", e->label);
	app_confirm(app, label, NULL, search_delete_done, talloc_strdup(NULL, e->label));
	talloc_free(label);
}
