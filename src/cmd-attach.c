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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "trawl/cmd.h"
#include "trawl/extract.h"
#include "trawl/render.h"
#include "trawl/text.h"
#include "trawl/util.h"
#include "trawl/view.h"

enum attach_action { ATTACH_SAVE, ATTACH_OPEN, ATTACH_READ };

struct attach_pick {
	char *file; /* the message file */
	int index;  /* 1-based attachment number, 0 until chosen */
	int open;   /* open after saving */
	int read;   /* read its text inside trawl instead */
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

/*
 * Reading an attachment's text: the extract module decodes and reads it in
 * a child with limits (extract_job_start_attachment), and the text shows
 * in the help pane's scrolled page, wrapped to the screen, under a line
 * naming the attachment; q closes it.  The page is the reader's until it
 * closes or another page replaces it: the job then writes nothing.
 */
struct attach_read {
	struct app *app;
	struct extract_job *job;
	char **lines; /* the page shown (app->help_lines while it is ours) */
	char *title;
};

static void
attach_read_add(struct attach_read *ar, const char *line)
{
	struct app *app = ar->app;
	char **l = talloc_realloc(app, app->help_lines, char *, app->n_help_lines + 1);

	if (!l)
		return;
	app->help_lines = ar->lines = l;
	l[app->n_help_lines] = talloc_strdup(l, line);
	if (l[app->n_help_lines])
		app->n_help_lines++;
}

/* Adds s (neutralised already) wrapped to the screen's width, one page line per row. */
static void
attach_read_wrapped(struct attach_read *ar, const char *s)
{
	size_t w = ar->app->scr->w > 2 ? (size_t)ar->app->scr->w - 1 : 1, n;
	char **lines;

	if (text_wrap_lines(NULL, s, w, &lines, &n) != TRAWL_OK)
		return;
	for (size_t i = 0; i < n; i++)
		attach_read_add(ar, lines[i]);
	talloc_free(lines);
}

/* The page is still ours: shown, and not replaced by the help or another page. */
static int
attach_read_ours(const struct attach_read *ar)
{
	return ar->app->help && ar->app->help_lines == ar->lines;
}

static void
attach_read_page(struct attach_read *ar, const char *status)
{
	struct app *app = ar->app;

	TALLOC_FREE(app->help_lines);
	app->n_help_lines = 0;
	app->help_top = 0;
	ar->lines = NULL;
	attach_read_add(ar, ar->title);
	attach_read_add(ar, "");
	if (status)
		attach_read_add(ar, status);
}

static int
attach_read_poll(struct app *app, void *ud)
{
	struct attach_read *ar = ud;
	struct extract_result *r = NULL;
	const char *reason = NULL;
	enum extract_job_state st;

	if (!attach_read_ours(ar)) {
		talloc_free(ar); /* closed: the child goes with its job */
		return 0;
	}
	st = extract_job_poll(ar->job, 1 << 20, &r, &reason);
	if (st == EXTRACT_JOB_RUNNING)
		return 0;
	attach_read_page(ar, NULL);
	if (st == EXTRACT_JOB_DONE) {
		for (char *s = r->text, *nl; s && *s; s = nl ? nl + 1 : NULL) {
			nl = strchr(s, '\n');
			if (nl)
				*nl = '\0';
			attach_read_wrapped(ar, s);
		}
		reason = r->reason;
	}
	attach_read_add(ar, "");
	attach_read_add(ar, reason ? talloc_asprintf(ar, "(%s)", reason) : "(end)");
	talloc_free(ar);
	return 1;
}

static int
attach_read_fds(const struct app *app, void *ud, int *fds, int max)
{
	const struct attach_read *ar = ud;
	int fd = extract_job_fd(ar->job);

	if (fd < 0 || max < 1)
		return 0;
	fds[0] = fd;
	return 1;
}

static void
attach_read_start(struct app *app, struct attach_pick *p)
{
	const struct render_message *r = threadview_current_render(app);
	const struct render_attachment *a =
		r && p->index >= 1 && (size_t)p->index <= r->n_attachments ? &r->attachments[p->index - 1]
									  : NULL;
	struct attach_read *ar;
	char size[32];

	if (!a) {
		app_message(app, 1, "no attachment %d", p->index);
		return;
	}
	ar = talloc_zero(app, struct attach_read);
	if (!ar)
		return;
	ar->app = app;
	util_group_digits(size, sizeof(size), a->size);
	/* The keys first: a long MIME type is cut at the screen's edge. */
	ar->title = talloc_asprintf(ar, "attachment %d (q closes, j/k scroll): %s, %s bytes, %s",
				    a->index, a->safe_name, size,
				    text_sanitize(ar, a->mime_type, strlen(a->mime_type)));
	if (!ar->title || extract_job_start_attachment(ar, p->file, a->index, a->mime_type,
						       a->filename, &ar->job) != TRAWL_OK) {
		app_message(app, 1, "cannot read attachment %d: no process could be started", p->index);
		talloc_free(ar);
		return;
	}
	app->help = 1;
	attach_read_page(ar, "reading\u2026");
	app_add_job(app, ar, attach_read_poll, attach_read_fds, ar);
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
	if (p->read) {
		attach_read_start(app, p);
		talloc_free(p);
		return;
	}
	attach_ask_dir(app, p);
}

static void
attach_start(struct app *app, enum attach_action action)
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
	p->open = action == ATTACH_OPEN;
	p->read = action == ATTACH_READ;
	p->n = r->n_attachments;
	if (r->n_attachments == 1) {
		p->index = 1;
		if (p->read) {
			attach_read_start(app, p);
			talloc_free(p);
			return;
		}
		attach_ask_dir(app, p);
		return;
	}
	app_prompt(app,
		   talloc_asprintf(p, "%s attachment (1-%zu): ",
				   p->read ? "read" : p->open ? "open" : "save", p->n),
		   "", NULL, attach_number_done, p);
}

void
cmd_save_attachment(struct app *app, int argc, char **argv)
{
	attach_start(app, ATTACH_SAVE);
}

void
cmd_open_attachment(struct app *app, int argc, char **argv)
{
	attach_start(app, ATTACH_OPEN);
}

void
cmd_read_attachment(struct app *app, int argc, char **argv)
{
	attach_start(app, ATTACH_READ);
}
