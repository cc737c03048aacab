/*
 * cmd-attach: saving and opening attachments from the thread view.  A file
 * is written only where the user says (after a prompt), under the
 * attachment's safe name, never overwriting.  An external program runs
 * only after a question that names it and the attachment, answered y,
 * with the file as a path argument, never through a shell; the private
 * copy it is given lives in a directory of its own that is removed when
 * the session ends (quit, SIGTERM, SIGHUP).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/cmd.h"
#include "trawl/render.h"
#include "trawl/util.h"
#include "trawl/view.h"

struct attach_pick {
	char *file; /* the message file */
	int index;  /* 1-based attachment number, 0 until chosen */
	int open;   /* open after saving */
	size_t n;   /* attachments in the message */
	char *what; /* the attachment as the question names it: name, type, size */
	const char *program; /* the opener the question names */
};

/* A private directory holding copies handed to an opener; removed with the session. */
struct attach_private {
	char *dir;
};

static int
attach_private_destroy(struct attach_private *pd)
{
	DIR *d = opendir(pd->dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *f;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		f = talloc_asprintf(pd, "%s/%s", pd->dir, e->d_name);
		if (f)
			unlink(f);
		talloc_free(f);
	}
	if (d)
		closedir(d);
	rmdir(pd->dir);
	return 0;
}

static char *
attach_default_dir(TALLOC_CTX *ctx, const struct app *app)
{
	const char *home = getenv("HOME");

	if (*app->cfg->attachment_dir)
		return talloc_strdup(ctx, app->cfg->attachment_dir);
	return talloc_asprintf(ctx, "%s/Downloads/trawl", home ? home : ".");
}

/* Expands a leading ~/ so typed paths work as in a shell. */
static char *
attach_expand(TALLOC_CTX *ctx, const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home)
		return talloc_asprintf(ctx, "%s%s", home, path + 1);
	return talloc_strdup(ctx, path);
}

/* Whether an executable named name is on PATH. */
static int
attach_on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	int found = 0;

	if (!path)
		return 0;
	copy = talloc_strdup(NULL, path);
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *full = talloc_asprintf(copy, "%s/%s", d, name);

		found = access(full, X_OK) == 0;
	}
	talloc_free(copy);
	return found;
}

static void
attach_save_to(struct app *app, struct attach_pick *p, const char *dir)
{
	char *saved = NULL, *where = attach_expand(p, dir);

	util_mkdirs_for(talloc_asprintf(p, "%s/x", where));
	if (render_save_attachment(p, p->file, p->index, where, &saved) != TRAWL_OK) {
		app_message(app, 1, "cannot save attachment %d into %s: %s", p->index, where,
			    strerror(errno));
		return;
	}
	if (!p->open) {
		app_message(app, 0, "saved %s", saved);
		return;
	}
	{
		const char *argv[] = {p->program, saved, NULL};

		app_external_new(app, argv, p->program);
	}
}

/* Opens the chosen attachment from a private copy (the question was answered y). */
static void
attach_open_private(struct app *app, struct attach_pick *p)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	struct attach_private *pd = talloc_zero(app, struct attach_private);

	if (!pd)
		return;
	pd->dir = runtime && *runtime ? talloc_asprintf(pd, "%s/trawl-open.XXXXXX", runtime)
				      : talloc_strdup(pd, "/tmp/trawl-open.XXXXXX");
	if (!pd->dir || !mkdtemp(pd->dir)) {
		app_message(app, 1, "cannot make a private directory: %s", strerror(errno));
		talloc_free(pd);
		return;
	}
	/* The app owns it: freed (and the directory removed) when the session ends. */
	talloc_set_destructor(pd, attach_private_destroy);
	chmod(pd->dir, 0700);
	attach_save_to(app, p, pd->dir);
}

static void
attach_open_confirmed(struct app *app, const char *line, void *data)
{
	struct attach_pick *p = data;

	if (strcmp(line, "y") && strcmp(line, "yes")) {
		app_message(app, 0, "not opened");
		return;
	}
	attach_open_private(app, p);
}

static void
attach_dir_done(struct app *app, const char *line, void *data)
{
	struct attach_pick *p = data;

	if (!*line) {
		app_message(app, 0, "not saved");
		return;
	}
	attach_save_to(app, p, line);
}

static void
attach_ask_dir(struct app *app, struct attach_pick *p)
{
	const struct render_message *r = threadview_current_render(app);
	char *label = talloc_asprintf(p, "save attachment %d to directory: ", p->index);

	if (r && p->index >= 1 && (size_t)p->index <= r->n_attachments) {
		const struct render_attachment *a = &r->attachments[p->index - 1];

		p->what = talloc_asprintf(p, "attachment %d '%s' (%s, %zu bytes)", p->index,
					  *a->filename ? a->filename : a->safe_name, a->mime_type,
					  a->size);
	} else {
		p->what = talloc_asprintf(p, "attachment %d", p->index);
	}

	if (p->open) {
		/*
		 * Nothing goes to another program unasked: the question names
		 * the program and the attachment (drawn neutralised, as all
		 * text from mail), and only y opens a private copy.
		 */
		p->program = attach_on_path("run-mailcap") ? "run-mailcap"
			     : attach_on_path("xdg-open") ? "xdg-open"
							  : NULL;
		if (!p->program) {
			app_message(app, 1, "no run-mailcap or xdg-open to open it (s saves it)");
			talloc_free(p);
			return;
		}
		label = talloc_asprintf(p, "open %s with %s?", p->what, p->program);
		app_confirm(app, label, NULL, attach_open_confirmed, p);
		return;
	}
	app_prompt(app, label, attach_default_dir(p, app), NULL, attach_dir_done, p);
}

static void
attach_number_done(struct app *app, const char *line, void *data)
{
	struct attach_pick *p = talloc_steal(NULL, data);
	char *end;
	long n = strtol(line, &end, 10);

	if (!*line || *end || n < 1 || (size_t)n > p->n) {
		app_message(app, 1, "no attachment %s (1 to %zu)", line, p->n);
		talloc_free(p);
		return;
	}
	p->index = (int)n;
	attach_ask_dir(app, p);
}

static void
attach_start(struct app *app, int open)
{
	const struct render_message *r = threadview_current_render(app);
	const char *file = threadview_current_file(app);
	struct attach_pick *p;

	if (!r && threadview_current_rendering(app)) {
		app_message(app, 0, "this message is still being rendered: try again in a moment");
		return;
	}
	if (!r || !file) {
		app_message(app, 1, "open a message first");
		return;
	}
	if (r->n_attachments == 0) {
		app_message(app, 0, "this message has no attachment");
		return;
	}
	p = talloc_zero(NULL, struct attach_pick);
	p->file = talloc_strdup(p, file);
	p->open = open;
	p->n = r->n_attachments;
	if (r->n_attachments == 1) {
		p->index = 1;
		attach_ask_dir(app, p);
		return;
	}
	app_prompt(app, talloc_asprintf(p, "%s attachment (1-%zu): ", open ? "open" : "save", p->n),
		   "", NULL, attach_number_done, p);
}

void
cmd_save_attachment(struct app *app, int argc, char **argv)
{
	attach_start(app, 0);
}

void
cmd_open_attachment(struct app *app, int argc, char **argv)
{
	attach_start(app, 1);
}
