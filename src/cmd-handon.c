/*
 * cmd-handon: handing the current message on to something else.
 *
 *   pipe            the raw message file to a command line the user types
 *                   (the only place a shell runs: /bin/sh -c LINE)
 *   pipe-rendered   the message as the reader shows it, to such a line
 *   view-pager      the message as shown, in $PAGER (default less)
 *   edit-raw        a read-only private copy of the raw file, in $EDITOR
 *                   (default vi): the evidence itself is never opened by it
 *   copy-message-id / copy-path
 *                   say the Message-ID / file path on the status line, and
 *                   put it on the terminal's clipboard (OSC 52) only when
 *                   the config says `set clipboard_osc52 on`
 *
 * The rendered text is the reader's, neutralised line by line; it goes to
 * the program through an unlinked temporary file, so nothing of it stays
 * on disk.  $PAGER and $EDITOR are split at spaces and run without a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/cmd.h"
#include "trawl/paths.h"
#include "trawl/render.h"
#include "trawl/text.h"
#include "trawl/util.h"
#include "trawl/view.h"

/* The directory for private temporary files: $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp. */
static const char *
handon_tmpdir(void)
{
	const char *d = getenv("XDG_RUNTIME_DIR");

	if (!d || *d != '/')
		d = getenv("TMPDIR");
	return d && *d == '/' ? d : "/tmp";
}

/*
 * The message under the cursor as the reader shows it (headers, body,
 * neutralised), in an unlinked temporary file opened for reading at its
 * start; -1 (and a status line message) if it cannot be had.
 */
static int
handon_rendered_fd(struct app *app)
{
	const struct render_message *r = threadview_current_render(app);
	TALLOC_CTX *tmp;
	char *path;
	int fd;
	FILE *f;

	if (!r) {
		app_message(app, 1, threadview_current_rendering(app)
					    ? "this message is still being rendered: try again in a moment"
					    : "open a message first");
		return -1;
	}
	tmp = talloc_new(NULL);
	path = talloc_asprintf(tmp, "%s/trawl-show.XXXXXX", handon_tmpdir());
	fd = path ? mkstemp(path) : -1;
	if (fd < 0) {
		app_message(app, 1, "cannot make a temporary file: %s", strerror(errno));
		talloc_free(tmp);
		return -1;
	}
	unlink(path); /* nothing stays on disk, whatever happens next */
	f = fdopen(dup(fd), "w");
	if (f) {
		const char *names[] = {"From", "To", "Cc", "Date", "Subject"};
		const char *vals[] = {r->from, r->to, r->cc, r->date, r->subject};

		for (int k = 0; k < 5; k++)
			if (*vals[k])
				fprintf(f, "%s: %s\n", names[k], text_sanitize(tmp, vals[k], strlen(vals[k])));
		fputc('\n', f);
		for (size_t l = 0; l < r->n_lines; l++) {
			const char *s = r->lines[l].text;

			fprintf(f, "%s\n", text_sanitize(tmp, s, strlen(s)));
		}
	}
	if (!f || fclose(f) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		app_message(app, 1, "cannot write a temporary file: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	talloc_free(tmp);
	return fd;
}

/* argv from an environment variable split at spaces (no shell), or from fallback. */
static const char **
handon_env_argv(TALLOC_CTX *ctx, const char *var, const char *fallback, const char *arg)
{
	const char *v = getenv(var);
	char *copy = talloc_strdup(ctx, v && *v ? v : fallback), *save = NULL, *w;
	const char **argv = talloc_zero_array(ctx, const char *, 1);
	size_t n = 0;

	for (w = copy ? strtok_r(copy, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save)) {
		argv = talloc_realloc(ctx, argv, const char *, n + 3);
		argv[n++] = w;
	}
	if (n == 0) {
		argv = talloc_realloc(ctx, argv, const char *, 3);
		argv[n++] = fallback;
	}
	if (arg)
		argv[n++] = arg;
	argv[n] = NULL;
	return argv;
}

struct pipe_req {
	int rendered;
};

static void
handon_pipe_line(struct app *app, const char *line, int rendered)
{
	const char *file = threadview_current_file(app);
	const char *argv[] = {"/bin/sh", "-c", line, NULL};
	struct app_external *x;
	int fd;

	if (!*line) {
		app_message(app, 0, "not piped");
		return;
	}
	if (!file) {
		app_message(app, 1, "open a message first");
		return;
	}
	fd = rendered ? handon_rendered_fd(app) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!rendered)
			app_message(app, 1, "cannot read %s: %s", file, strerror(errno));
		return;
	}
	x = app_external_new(app, argv, talloc_asprintf(app, "| %s", line));
	x->stdin_fd = fd;
	x->wait_key = 1;
}

static void
handon_pipe_done(struct app *app, const char *line, void *data)
{
	struct pipe_req *req = data;

	handon_pipe_line(app, line, req->rendered);
}

static void
handon_pipe(struct app *app, int argc, char **argv, int rendered)
{
	struct pipe_req *req;

	if (!threadview_current_file(app)) {
		app_message(app, 1, "open a message first");
		return;
	}
	if (argc > 1) {
		char *line = talloc_strdup(app, argv[1]);

		for (int i = 2; i < argc && line; i++)
			line = talloc_asprintf_append(line, " %s", argv[i]);
		if (line)
			handon_pipe_line(app, line, rendered);
		talloc_free(line);
		return;
	}
	req = talloc_zero(app, struct pipe_req);
	if (!req)
		return;
	req->rendered = rendered;
	app_prompt(app, rendered ? "pipe the message as shown to: " : "pipe the raw message to: ", "",
		   paths_for(req, index_db_path(app->idx), PATHS_PIPE_HISTORY),
		   handon_pipe_done, req);
}

void
cmd_pipe(struct app *app, int argc, char **argv)
{
	handon_pipe(app, argc, argv, !strcmp(argv[0], "pipe-rendered"));
}

void
cmd_view_pager(struct app *app, int argc, char **argv)
{
	int fd = handon_rendered_fd(app);
	struct app_external *x;

	(void)argc;
	(void)argv;
	if (fd < 0)
		return;
	x = app_external_new(app, handon_env_argv(app, "PAGER", "less", NULL), "pager");
	x->stdin_fd = fd;
}

/* A private read-only copy of the file, removed with its directory when the editor ends. */
struct handon_copy {
	char *dir, *path;
};

static int
handon_copy_destroy(struct handon_copy *c)
{
	if (c->path)
		unlink(c->path);
	if (c->dir)
		rmdir(c->dir);
	return 0;
}

void
cmd_edit_raw(struct app *app, int argc, char **argv)
{
	const char *file = threadview_current_file(app);
	struct handon_copy *c;
	struct app_external *x;
	int in, out = -1;
	char buf[65536];
	ssize_t n = 0;

	(void)argc;
	(void)argv;
	if (!file) {
		app_message(app, 1, "open a message first");
		return;
	}
	c = talloc_zero(app, struct handon_copy);
	c->dir = talloc_asprintf(c, "%s/trawl-raw.XXXXXX", handon_tmpdir());
	if (!c->dir || !mkdtemp(c->dir)) {
		app_message(app, 1, "cannot make a private directory: %s", strerror(errno));
		talloc_free(c);
		return;
	}
	talloc_set_destructor(c, handon_copy_destroy);
	c->path = talloc_asprintf(c, "%s/message.eml", c->dir);
	in = open(file, O_RDONLY | O_CLOEXEC);
	if (in >= 0 && c->path)
		out = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (util_write_all(out, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
	if (in < 0 || out < 0 || n < 0 || fchmod(out, 0400) != 0) {
		app_message(app, 1, "cannot copy %s: %s", file, strerror(errno));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		talloc_free(c);
		return;
	}
	close(in);
	close(out);
	x = app_external_new(app, handon_env_argv(app, "EDITOR", "vi", c->path), "editor (read-only copy)");
	/* The copy goes when the editor has ended and the external is freed. */
	talloc_steal(x, c);
}

static void
handon_copy_text(struct app *app, const char *label, const char *text)
{
	char *safe = text_sanitize(app, text, strlen(text));

	if (!safe)
		return;
	if (app->cfg->clipboard_osc52) {
		talloc_free(app->clipboard);
		app->clipboard = safe;
		app_message(app, 0, "%s %s (copied to the terminal's clipboard)", label, safe);
	} else {
		app_message(app, 0, "%s %s", label, safe);
		talloc_free(safe);
	}
}

void
cmd_copy(struct app *app, int argc, char **argv)
{
	const char *v = !strcmp(argv[0], "copy-path") ? threadview_current_file(app)
						      : threadview_current_message(app);

	(void)argc;
	if (!v) {
		app_message(app, 1, "open a message first");
		return;
	}
	handon_copy_text(app, !strcmp(argv[0], "copy-path") ? "file" : "Message-ID", v);
}
