/*
 * cmd-attach: saving and opening attachments from the thread view.  A file
 * is written only where the user says (after a prompt), under the
 * attachment's safe name, never overwriting; an external program runs only
 * on the explicit open key, with the saved file as a path argument, never
 * through a shell.
 */
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
};

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
	if (attach_on_path("run-mailcap") || attach_on_path("xdg-open")) {
		app->external = talloc_array(app, char *, 3);
		app->external[0] = talloc_strdup(app->external, attach_on_path("run-mailcap")
									? "run-mailcap"
									: "xdg-open");
		app->external[1] = talloc_strdup(app->external, saved);
		app->external[2] = NULL;
	} else {
		app_message(app, 1, "saved %s; no run-mailcap or xdg-open to open it", saved);
	}
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
	char *label = talloc_asprintf(p, "save attachment %d to directory: ", p->index);

	if (p->open) {
		/* Opening keeps a private copy; nothing is written where the user did not look. */
		char tmpl[] = "/tmp/trawl-open.XXXXXX";
		const char *runtime = getenv("XDG_RUNTIME_DIR");
		char *dir = runtime && *runtime ? talloc_asprintf(p, "%s/trawl-open.XXXXXX", runtime)
						: talloc_strdup(p, tmpl);

		if (!mkdtemp(dir)) {
			app_message(app, 1, "cannot make a private directory: %s", strerror(errno));
			talloc_free(p);
			return;
		}
		attach_save_to(app, p, dir);
		talloc_free(p);
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
