/*
 * view-versions: the versions of one message.  Two panes share one state:
 *
 *   the files pane   every file of the message: version, folder, size,
 *                    date, path relative to the database and SHA-256, the
 *                    file the thread view shows marked; Enter shows the
 *                    selected file in the thread view, d compares it with
 *                    the one shown (the one shown with another version);
 *   the diff pane    two versions compared (versions-diff.h), computed in
 *                    a child (both renders, the attachments' hashes and the
 *                    line diff may take a while on a long message), lines
 *                    marked "-" and "+" in colour.
 *
 * Every string from the files (paths, header values, body lines) goes
 * through the text module when drawn, on both sides of the diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trawl/bg.h"
#include "trawl/util.h"
#include "trawl/versionmap.h"
#include "trawl/versions-diff.h"
#include "trawl/view.h"

/* Rows a file takes in the files pane. */
#define VV_FILE_ROWS 3
/* Rows of the files pane above the files. */
#define VV_HEAD_ROWS 3

/* A display row of the diff pane: glyphs [from, to) of a decoded line. */
struct dv_row {
	const struct text_run *run;
	size_t from, to;
	int indent;
	enum screen_attr attr;
	int change; /* the first row of a run of changed lines */
};

struct diffview {
	long a, b; /* the files compared (indexes in v->files) */
	bg_job_t *job;
	struct app_job *app_job;
	struct versions_diff_line *lines; /* as the child sent them */
	size_t n, cap;
	char *summary;
	char *error;
	int done;
	TALLOC_CTX *row_mem;
	struct dv_row *rows;
	size_t n_rows, cap_rows;
	int width; /* the rows were laid out for */
	size_t top;
};

struct versionsview {
	enum app_focus back; /* the pane the files pane returns to */
	struct versions *v;  /* a copy: the map's may change meanwhile */
	char *thread_id;
	char *shown; /* the file the thread view shows for the message */
	size_t cursor, top;
	struct diffview *diff;
	enum app_focus diff_back; /* the pane the diff returns to */
};

static void
vv_date(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

char *
versionsview_mark(TALLOC_CTX *ctx, struct app *app, const char *message_id, const char *shown)
{
	const struct versions *v = versionmap_message(app->versions, message_id);
	char *sum = versions_summary(ctx, v);
	long at = versions_find(v, shown);

	if (!sum)
		return talloc_strdup(ctx, "");
	if (v->n_versions > 1 && at >= 0 && v->files[at].version)
		return talloc_asprintf(ctx, "  [%s; version %d shown]", sum, v->files[at].version);
	return talloc_asprintf(ctx, "  [%s]", sum);
}

/* ------------------------------------------------------------ the files pane */

static struct versionsview *
vv_new(struct app *app, const struct versions *v, const char *thread_id, const char *shown)
{
	struct versionsview *vv = talloc_zero(app, struct versionsview);
	size_t len;
	char *rec;

	/* A copy through the record format: the map's entry changes with each read. */
	if (!vv || !(rec = versions_pack(vv, v, &len)) ||
	    versions_unpack(vv, rec, len, &vv->v) != TRAWL_OK)
		abort();
	talloc_free(rec);
	vv->thread_id = talloc_strdup(vv, thread_id ? thread_id : "");
	vv->shown = talloc_strdup(vv, shown ? shown : "");
	if (!vv->thread_id || !vv->shown)
		abort();
	return vv;
}

int
versionsview_open(struct app *app, const struct versions *v, const char *thread_id,
                  const char *shown)
{
	struct versionsview *vv;
	long at;

	if (!v || v->n_files < 2) {
		app_message(app, 0, "this message has one file: there is nothing to compare");
		return 0;
	}
	vv = vv_new(app, v, thread_id, shown);
	at = versions_find(vv->v, shown);
	vv->cursor = at >= 0 ? (size_t)at : 0;
	vv->back = app->focus == APP_FOCUS_VERSIONS || app->focus == APP_FOCUS_DIFF
	                   ? APP_FOCUS_THREAD
	                   : app->focus;
	talloc_free(app->versions_view);
	app->versions_view = vv;
	app->focus = APP_FOCUS_VERSIONS;
	return 1;
}

static void
vv_draw(struct app *app, int x, int y, int w, int h)
{
	struct versionsview *vv = app->versions_view;
	const struct versions *v = vv->v;
	size_t per = VV_FILE_ROWS,
	       shown_rows = h > VV_HEAD_ROWS ? (size_t)(h - VV_HEAD_ROWS) / per : 0;
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *title;

	title = talloc_asprintf(tmp, "Files of <%s>: %s", v->message_id, versions_summary(tmp, v));
	screen_fill(app->scr, x, y, w, SCREEN_TITLE);
	screen_puts(app->scr, x, y, w, title, SCREEN_TITLE);
	if (h > 1)
		screen_puts(
		        app->scr, x, y + 1, w,
		        "Enter shows the file selected as the message, d compares it with the one "
		        "shown; transport header fields (Received, Delivered-To, X-Folder, "
		        "Status...) do not make a version",
		        SCREEN_DIM);
	if (!shown_rows)
		shown_rows = 1;
	if (vv->cursor < vv->top)
		vv->top = vv->cursor;
	else if (vv->cursor >= vv->top + shown_rows)
		vv->top = vv->cursor - shown_rows + 1;
	for (size_t i = vv->top; i < v->n_files && (i - vv->top) * per + VV_HEAD_ROWS < (size_t)h;
	     i++) {
		const struct versions_file *f = &v->files[i];
		int row = y + VV_HEAD_ROWS + (int)((i - vv->top) * per);
		int sel = i == vv->cursor, shown = !strcmp(f->path, vv->shown);
		enum screen_attr base = sel ? SCREEN_SELECTED : SCREEN_NORMAL;
		char date[32], size[32], *line;

		for (int k = 0; k < (int)per && row + k < y + h; k++)
			screen_fill(app->scr, x, row + k, w, base);
		if (f->size < 0)
			line = talloc_asprintf(tmp, "%s %zu  unreadable: %s", sel ? ">" : " ",
			                       i + 1, f->error ? f->error : "");
		else {
			vv_date(f->mtime, date, sizeof(date));
			line = talloc_asprintf(
			        tmp, "%s %zu  version %d  folder %s  %s bytes  %s%s",
			        sel ? ">" : " ", i + 1, f->version, *f->folder ? f->folder : ".",
			        util_group_digits(size, sizeof(size), (unsigned long long)f->size),
			        date, shown ? "  [shown]" : "");
		}
		screen_puts(app->scr, x, row, w, line,
		            sel     ? base
		            : shown ? SCREEN_UNREVIEWED
		                    : SCREEN_NORMAL);
		talloc_free(line);
		if (row + 1 < y + h)
			screen_puts(app->scr, x + 4, row + 1, w - 4, f->rel,
			            sel ? base : SCREEN_HEADER);
		if (row + 2 < y + h && f->size >= 0) {
			line = talloc_asprintf(tmp, "sha256 %s", f->sha256);
			screen_puts(app->scr, x + 4, row + 2, w - 4, line, sel ? base : SCREEN_DIM);
			talloc_free(line);
		}
	}
	talloc_free(tmp);
	app->scr->cursor_x = x;
	app->scr->cursor_y = y + VV_HEAD_ROWS + (int)((vv->cursor - vv->top) * per);
}

static void
vv_move(struct app *app, long delta)
{
	struct versionsview *vv = app->versions_view;

	/* A page is counted in rows: move by files. */
	if (delta != VIEW_FIRST && delta != VIEW_LAST && (delta > 1 || delta < -1))
		delta /= VV_FILE_ROWS;
	view_move_cursor(&vv->cursor, vv->v->n_files, delta);
}

static int
vv_height(const struct app *app)
{
	return app->scr->h - 2;
}

const struct view_ops view_versions_ops = {
        .name = "versions",
        .context = CONFIG_VERSIONS,
        .draw = vv_draw,
        .move = vv_move,
        .height = vv_height,
};

/* ------------------------------------------------------------ the diff */

static int
dv_destructor(struct diffview *dv)
{
	TALLOC_FREE(dv->job);
	return 0;
}

static void
dv_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct diffview *dv = ud;

	if (type == 'S' || type == 'X') {
		char **slot = type == 'S' ? &dv->summary : &dv->error;

		talloc_free(*slot);
		*slot = talloc_strndup(dv, payload, len);
		return;
	}
	if (type != 'L')
		return;
	/* Lines: a kind byte, then the text, NUL-terminated; many a record. */
	for (const char *p = payload; p + 1 < payload + len;) {
		const char *nul = memchr(p + 1, '\0', (size_t)(payload + len - p - 1));

		if (!nul)
			break;
		if (dv->n == dv->cap) {
			dv->cap = dv->cap ? dv->cap * 2 : 256;
			dv->lines =
			        talloc_realloc(dv, dv->lines, struct versions_diff_line, dv->cap);
			if (!dv->lines)
				abort();
		}
		dv->lines[dv->n].kind = (enum versions_diff_kind)(unsigned char)p[0];
		dv->lines[dv->n].text = talloc_strdup(dv->lines, p + 1);
		if (!dv->lines[dv->n].text)
			abort();
		dv->n++;
		p = nul + 1;
	}
}

struct dv_arg {
	const char *a, *b;
};

/* The child: renders both files, compares them, sends the lines in batches. */
static int
dv_child(bg_writer_t *w, void *arg)
{
	const struct dv_arg *x = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct versions_diff *d;
	char *err = NULL, *buf;
	size_t len = 0;
	trawl_status_t ts = versions_diff_files(ctx, x->a, x->b, &d, &err);

	if (ts != TRAWL_OK) {
		const char *e = err ? err : trawl_status_str(ts);

		bg_write(w, 'X', e, strlen(e));
		return 0;
	}
	bg_write(w, 'S', d->summary, strlen(d->summary));
	buf = talloc_size(ctx, 65536);
	for (size_t i = 0; buf && i < d->n; i++) {
		size_t l = strlen(d->lines[i].text) + 2;

		if (len && len + l > 65536) {
			bg_write(w, 'L', buf, len);
			len = 0;
		}
		if (l > 65536) {
			/* A line longer than a batch (render bounds lines): a record of its own. */
			char *one = talloc_size(ctx, l);

			if (!one)
				break;
			one[0] = (char)d->lines[i].kind;
			memcpy(one + 1, d->lines[i].text, l - 1);
			bg_write(w, 'L', one, l);
			talloc_free(one);
			continue;
		}
		buf[len] = (char)d->lines[i].kind;
		memcpy(buf + len + 1, d->lines[i].text, l - 1);
		len += l;
	}
	if (len)
		bg_write(w, 'L', buf, len);
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

static void
dv_add_row(struct diffview *dv, const struct dv_row *r)
{
	if (dv->n_rows == dv->cap_rows) {
		dv->cap_rows = dv->cap_rows ? dv->cap_rows * 2 : 256;
		dv->rows = talloc_realloc(dv, dv->rows, struct dv_row, dv->cap_rows);
		if (!dv->rows)
			abort();
	}
	dv->rows[dv->n_rows++] = *r;
}

/* Adds text (untrusted: neutralised by text_decode) wrapped to width, continuation indented. */
static void
dv_add_text(struct diffview *dv, const char *text, enum screen_attr attr, int indent, int width,
            int change)
{
	struct text_run *run;
	size_t *breaks, n;
	size_t w = width - indent > 1 ? (size_t)(width - indent) : 1;

	if (text_decode(dv->row_mem, text, strlen(text), 0, &run) != TRAWL_OK ||
	    text_wrap(dv->row_mem, run, w, &breaks, &n) != TRAWL_OK) {
		static const char note[] = "[line not shown: out of memory]";

		if (text_decode(dv->row_mem, note, sizeof(note) - 1, 0, &run) != TRAWL_OK)
			return;
		dv_add_row(dv, &(struct dv_row){run, 0, run->len, indent, SCREEN_ERROR, change});
		return;
	}
	for (size_t i = 0; i < n; i++)
		dv_add_row(dv,
		           &(struct dv_row){run, breaks[i], i + 1 < n ? breaks[i + 1] : run->len,
		                            i ? indent + 2 : indent, attr, change && !i});
}

static void
dv_file_line(struct diffview *dv, const struct versions *v, long i, const char *mark,
             const char *shown, int width)
{
	const struct versions_file *f = &v->files[i];
	char date[32], size[32], *s;

	vv_date(f->mtime, date, sizeof(date));
	s = talloc_asprintf(
	        dv->row_mem, "%s version %d: %s  (folder %s, %s bytes, %s, sha256 %.*s)%s", mark,
	        f->version, f->rel, *f->folder ? f->folder : ".",
	        util_group_digits(size, sizeof(size),
	                          (unsigned long long)(f->size < 0 ? 0 : f->size)),
	        date, VERSIONS_SHORT, f->sha256, !strcmp(f->path, shown) ? "  [shown]" : "");
	dv_add_text(dv, s, *mark == '-' ? SCREEN_DIFF_DEL : SCREEN_DIFF_ADD, 0, width, 0);
}

/* Lays the diff out for width: a head saying what is compared, then the lines. */
static void
dv_layout(struct app *app, int width)
{
	struct versionsview *vv = app->versions_view;
	struct diffview *dv = vv->diff;
	char *s;

	talloc_free(dv->row_mem);
	dv->row_mem = talloc_new(dv);
	dv->n_rows = 0;
	dv->width = width;
	s = talloc_asprintf(dv->row_mem, "Versions of <%s>: %s", vv->v->message_id,
	                    versions_summary(dv->row_mem, vv->v));
	dv_add_text(dv, s, SCREEN_TITLE, 0, width, 0);
	dv_file_line(dv, vv->v, dv->a, "-", vv->shown, width);
	dv_file_line(dv, vv->v, dv->b, "+", vv->shown, width);
	s = talloc_strdup(dv->row_mem, "Not compared: the transport header fields");
	for (size_t i = 0; versions_transport_headers[i]; i++)
		s = talloc_asprintf_append(s, "%s %s", i ? "," : "", versions_transport_headers[i]);
	dv_add_text(dv, s, SCREEN_DIM, 0, width, 0);
	if (dv->error) {
		dv_add_text(dv, dv->error, SCREEN_ERROR, 0, width, 0);
		return;
	}
	if (!dv->done) {
		dv_add_text(dv, "comparing…", SCREEN_DIM, 0, width, 0);
		return;
	}
	dv_add_text(dv, dv->summary ? dv->summary : "", SCREEN_NOTE, 0, width, 0);
	for (size_t i = 0; i < dv->n; i++) {
		const struct versions_diff_line *l = &dv->lines[i];
		int change = (l->kind == VERSIONS_DIFF_DEL || l->kind == VERSIONS_DIFF_ADD) &&
		             (i == 0 || (dv->lines[i - 1].kind != VERSIONS_DIFF_DEL &&
		                         dv->lines[i - 1].kind != VERSIONS_DIFF_ADD));

		switch (l->kind) {
		case VERSIONS_DIFF_SECTION:
			dv_add_text(dv, "", SCREEN_NORMAL, 0, width, 0);
			dv_add_text(dv, l->text, SCREEN_HEADER, 0, width, 0);
			break;
		case VERSIONS_DIFF_DEL:
		case VERSIONS_DIFF_ADD:
		case VERSIONS_DIFF_SAME:
			s = talloc_asprintf(dv->row_mem, "%s%s", versions_diff_mark(l->kind),
			                    l->text);
			dv_add_text(dv, s ? s : "",
			            l->kind == VERSIONS_DIFF_DEL   ? SCREEN_DIFF_DEL
			            : l->kind == VERSIONS_DIFF_ADD ? SCREEN_DIFF_ADD
			                                           : SCREEN_NORMAL,
			            0, width, change);
			break;
		case VERSIONS_DIFF_SKIP:
			dv_add_text(dv, l->text, SCREEN_DIM, 2, width, 0);
			break;
		case VERSIONS_DIFF_NOTE:
		default:
			dv_add_text(dv, l->text, SCREEN_NOTE, 2, width, 0);
			break;
		}
	}
}

static int
dv_poll(struct app *app, void *ud)
{
	struct diffview *dv = ud;
	enum bg_state st;

	if (!dv->job)
		return 0;
	st = bg_poll(dv->job, 1 << 20, dv_on_record, dv);
	if (st == BG_RUNNING)
		return 0;
	if (st == BG_DIED && !dv->error)
		dv->error = talloc_asprintf(dv, "comparing the versions failed: the child was %s",
		                            bg_how_died(dv->job));
	TALLOC_FREE(dv->job);
	dv->done = 1;
	dv->app_job->status = NULL;
	dv->width = 0; /* lay out again */
	if (!dv->error && app->versions_view && app->versions_view->diff == dv) {
		/* Both sides were on screen, as far as they differ. */
		versionmap_seen(app->versions, app->versions_view->v->message_id,
		                app->versions_view->v->files[dv->a].path);
		versionmap_seen(app->versions, app->versions_view->v->message_id,
		                app->versions_view->v->files[dv->b].path);
	}
	return 1;
}

int
versionsview_diff(struct app *app, const struct versions *v, const char *thread_id,
                  const char *shown, long a, long b)
{
	struct versionsview *vv = app->versions_view;
	struct diffview *dv;
	struct dv_arg arg;
	enum app_focus back = app->focus;

	if (!v || a < 0 || b < 0 || (size_t)a >= v->n_files || (size_t)b >= v->n_files || a == b) {
		app_message(app, 0, "this message has one file: there is nothing to compare");
		return 0;
	}
	/* From the thread view the pane state is made here; from the files pane it is kept. */
	if (back != APP_FOCUS_VERSIONS || !vv) {
		vv = vv_new(app, v, thread_id, shown);
		vv->back = back == APP_FOCUS_DIFF ? APP_FOCUS_THREAD : back;
		talloc_free(app->versions_view);
		app->versions_view = vv;
		back = vv->back;
	}
	TALLOC_FREE(vv->diff);
	dv = vv->diff = talloc_zero(vv, struct diffview);
	if (!dv)
		abort();
	vv->diff_back = back;
	dv->a = a;
	dv->b = b;
	talloc_set_destructor(dv, dv_destructor);
	arg = (struct dv_arg){vv->v->files[a].path, vv->v->files[b].path};
	if (bg_start(dv, "diff", dv_child, &arg, &dv->job) != TRAWL_OK) {
		dv->job = NULL;
		dv->error = talloc_strdup(dv, "cannot start the comparison (fork failed)");
		dv->done = 1;
	}
	dv->app_job = app_add_job(app, dv, dv_poll, NULL, dv);
	dv->app_job->bg = &dv->job;
	dv->app_job->status = dv->job ? "comparing versions…" : NULL;
	app->focus = APP_FOCUS_DIFF;
	return 1;
}

static void
dv_draw(struct app *app, int x, int y, int w, int h)
{
	struct diffview *dv = app->versions_view->diff;

	if (dv->width != w)
		dv_layout(app, w);
	if (dv->n_rows <= (size_t)h)
		dv->top = 0;
	else if (dv->top > dv->n_rows - (size_t)h)
		dv->top = dv->n_rows - (size_t)h;
	for (int i = 0; i < h && dv->top + (size_t)i < dv->n_rows; i++) {
		const struct dv_row *r = &dv->rows[dv->top + (size_t)i];

		screen_put_run(app->scr, x + r->indent, y + i, w - r->indent, r->run, r->from,
		               r->to, r->attr);
	}
	app->scr->cursor_x = -1;
	app->scr->cursor_y = -1;
}

static void
dv_move(struct app *app, long delta)
{
	struct diffview *dv = app->versions_view->diff;

	view_move_cursor(&dv->top, dv->n_rows, delta);
}

const struct view_ops view_diff_ops = {
        .name = "diff",
        .context = CONFIG_DIFF,
        .draw = dv_draw,
        .move = dv_move,
        .height = vv_height,
};

/*
 * Moves to the next (dir 1) or previous (-1) run of changed lines, shown
 * with two rows of context above it: the change at top + 2 is the current one.
 */
static void
dv_next_change(struct app *app, int dir)
{
	struct diffview *dv = app->versions_view->diff;
	size_t cur = dv->top + 2;

	if (dv->width != app->scr->w)
		dv_layout(app, app->scr->w);
	if (dir > 0) {
		for (size_t i = cur + 1; i < dv->n_rows; i++)
			if (dv->rows[i].change) {
				dv->top = i - 2;
				return;
			}
	} else {
		for (size_t i = cur < dv->n_rows ? cur : dv->n_rows; i-- > 0;)
			if (dv->rows[i].change) {
				dv->top = i >= 2 ? i - 2 : 0;
				return;
			}
	}
	app_message(app, 0, dir > 0 ? "no change below" : "no change above");
}

/* ------------------------------------------------------------ commands */

const struct view_ops *
versionsview_ops(const struct app *app)
{
	const struct versionsview *vv = app->versions_view;

	if (vv && app->focus == APP_FOCUS_VERSIONS)
		return &view_versions_ops;
	if (vv && vv->diff && app->focus == APP_FOCUS_DIFF)
		return &view_diff_ops;
	return NULL;
}

void
versionsview_back(struct app *app)
{
	struct versionsview *vv = app->versions_view;

	if (!vv) {
		app->focus = app->thread ? APP_FOCUS_THREAD : APP_FOCUS_LIST;
		return;
	}
	if (app->focus == APP_FOCUS_DIFF) {
		TALLOC_FREE(vv->diff);
		app->focus = vv->diff_back;
		if (app->focus == APP_FOCUS_VERSIONS)
			return;
	} else {
		app->focus = vv->back;
	}
	if (app->focus == APP_FOCUS_THREAD && !app->thread)
		app->focus = APP_FOCUS_LIST;
	TALLOC_FREE(app->versions_view);
}

int
versionsview_command(struct app *app, const char *name)
{
	struct versionsview *vv = app->versions_view;

	if (!vv)
		return 0;
	if (!strcmp(name, "open-version") && app->focus == APP_FOCUS_VERSIONS) {
		const struct versions_file *f = &vv->v->files[vv->cursor];

		if (f->size < 0) {
			app_message(app, 1, "%s cannot be read: %s", f->rel,
			            f->error ? f->error : "");
			return 1;
		}
		if (!threadview_show_file(app, vv->v->message_id, f->path)) {
			app_message(app, 1, "the message is no longer in the thread view");
			return 1;
		}
		app_message(app, 0, "showing file %zu of %zu (version %d): %s", vv->cursor + 1,
		            vv->v->n_files, f->version, f->rel);
		TALLOC_FREE(app->versions_view);
		app->focus = APP_FOCUS_THREAD;
		return 1;
	}
	if (!strcmp(name, "diff-versions") && app->focus == APP_FOCUS_VERSIONS) {
		long shown = versions_find(vv->v, vv->shown), other = (long)vv->cursor;

		/* On the file shown (or with none shown): against another version. */
		if (shown < 0)
			shown = versions_other(vv->v, vv->v->files[other].path);
		if (shown == other)
			other = versions_other(vv->v, vv->shown);
		return versionsview_diff(app, vv->v, vv->thread_id, vv->shown, shown, other);
	}
	if ((!strcmp(name, "next-change") || !strcmp(name, "prev-change")) &&
	    app->focus == APP_FOCUS_DIFF && vv->diff) {
		dv_next_change(app, name[0] == 'n' ? 1 : -1);
		return 1;
	}
	return 0;
}
