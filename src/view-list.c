/*
 * view-list: the thread list pane, one row per thread of the query.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/review.h"
#include "trawl/util.h"
#include "trawl/versionmap.h"
#include "trawl/view.h"

static int listview_poll(struct app *app);

static int
listview_job_poll(struct app *app, void *ud)
{
	/* A list being replaced (a new search) is not polled. */
	return ud == app->list ? listview_poll(app) : 0;
}

static int
listview_job_fds(const struct app *app, void *ud, int *fds, int max)
{
	const struct listview *lv = ud;
	int got[4], n = threadlist_fds(lv->tl, got);

	(void)app;
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++)
		fds[i] = got[i];
	return n;
}

struct listview *
listview_new(struct app *app, const char *query, int order)
{
	struct listview *lv = talloc_zero(app, struct listview);

	if (!lv)
		return NULL;
	lv->order = order;
	lv->tl = threadlist_new(lv, app->idx, query,
				order == CONFIG_SORT_OLDEST ? INDEX_SORT_OLDEST_FIRST
							    : INDEX_SORT_NEWEST_FIRST,
				(app->cfg->head_cache ? THREADLIST_HEAD_CACHE : 0) |
					(order == CONFIG_SORT_COUNT ? THREADLIST_BY_COUNT : 0));
	if (!lv->tl) {
		talloc_free(lv);
		return NULL;
	}
	threadlist_follow(lv->tl, app->feed);
	lv->review_serial = app->review ? app->review->serial : 0;
	app_add_job(app, lv, listview_job_poll, listview_job_fds, lv);
	return lv;
}

const struct index_thread *
listview_current(const struct app *app)
{
	const struct listview *lv = app->list;

	return lv ? threadlist_row(lv->tl, lv->cursor) : NULL;
}

static int
listview_poll(struct app *app)
{
	struct listview *lv = app->list;
	int changed;
	size_t len, from_end = 0;
	int in_tail;

	if (!lv)
		return 0;
	/* Rows of the tail move down as the rows before the gap arrive: keep the cursor on its row. */
	len = threadlist_len(lv->tl);
	in_tail = threadlist_has_gap(lv->tl) && lv->cursor > lv->tl->n_rows;
	if (in_tail)
		from_end = len - lv->cursor;
	/* Updates move rows: the cursor stays on its thread. */
	{
		const struct index_thread *cur = threadlist_row(lv->tl, lv->cursor);

		talloc_free(lv->cursor_thread);
		lv->cursor_thread = cur ? talloc_strdup(lv, cur->thread_id) : NULL;
	}
	/* A bounded slice per wake-up keeps keys responsive while a big list loads. */
	changed = threadlist_poll(lv->tl, 256 * 1024);
	/*
	 * A change of trawl's own that the writer has just committed to a
	 * whole thread shows on its row now, not after the updater's read.
	 */
	if (app->review->serial != lv->review_serial) {
		const struct review_job *job = app->review->finished;

		lv->review_serial = app->review->serial;
		if (job && job->thread_id && job->ops && job->done == job->n &&
		    threadlist_apply_committed(lv->tl, job->thread_id, job->n, job->ops))
			changed = 1;
	}
	if (changed && lv->cursor_thread) {
		const struct index_thread *cur = threadlist_row(lv->tl, lv->cursor);

		if (!cur || strcmp(cur->thread_id, lv->cursor_thread)) {
			long row = threadlist_find(lv->tl, lv->cursor_thread);

			if (row >= 0)
				lv->cursor = (size_t)row;
			else if (lv->cursor >= threadlist_len(lv->tl) && threadlist_len(lv->tl))
				lv->cursor = threadlist_len(lv->tl) - 1;
		}
	}
	if (in_tail && threadlist_len(lv->tl) >= from_end)
		lv->cursor = threadlist_len(lv->tl) - from_end;
	if (changed && lv->want_thread) {
		long row = threadlist_find(lv->tl, lv->want_thread);

		if (row >= 0) {
			lv->cursor = (size_t)row;
			TALLOC_FREE(lv->want_thread);
		} else if (lv->tl->state != THREADLIST_LOADING) {
			TALLOC_FREE(lv->want_thread);
		}
	}
	/*
	 * Once the first screen is in, fetch the last screen too, so that G
	 * is answered at once even while the middle of a large list loads.
	 */
	if (lv->tl->state == THREADLIST_LOADING && !lv->tl->tail_limit &&
	    lv->tl->n_rows >= (size_t)app->scr->h)
		threadlist_load_tail(lv->tl, (size_t)app->scr->h);
	if (changed && lv->follow_end && threadlist_len(lv->tl))
		lv->cursor = threadlist_len(lv->tl) - 1;
	if (lv->tl->state != THREADLIST_LOADING)
		lv->follow_end = 0;
	return changed;
}

/*
 * The matched authors: notmuch separates them from the others with '|'
 * (the others when no matched message names one).
 */
static void
list_authors(const char *authors, char *buf, size_t len)
{
	const char *bar = strchr(authors, '|');
	size_t n = bar ? (size_t)(bar - authors) : strlen(authors);

	if (bar && strspn(authors, " ,") >= n) {
		authors = bar + 1 + strspn(bar + 1, " ");
		n = strlen(authors);
	}
	while (n > 0 && authors[n - 1] == ' ')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, authors, n);
	buf[n] = '\0';
}

/* Whether tag is one of the space-separated tags. */
static int
list_has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = tags; n && (p = strstr(p, tag)); p += n)
		if ((p == tags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static void
list_draw_row(struct app *app, const struct index_thread *row, int selected, int x, int y,
	      int w)
{
	char date[32], count[32], authors[512];
	int col = x, end = x + w, unreviewed = row->unreviewed > 0;
	int date_w = 10, count_w = 7, author_w = w >= 100 ? 24 : w >= 70 ? 18 : 12;
	enum screen_attr base = selected ? SCREEN_SELECTED : SCREEN_NORMAL;

	screen_fill(app->scr, x, y, w, base);
	/*
	 * The dot is the committed state; a change of it that is queued and
	 * not yet committed (the writer waits for the lock, or is writing)
	 * shows as a dotted circle until the commit reaches the row.
	 */
	if (app->review &&
	    review_queued_tag(app->review, NULL, row->thread_id, app->cfg->reviewed_tag) >= 0)
		screen_puts(app->scr, col, y, 1, text_locale_is_utf8() ? "\u25cc" : "~",
			    selected ? base : SCREEN_NOTE);
	else
		screen_puts(app->scr, col, y, 1, unreviewed ? "\u2022" : " ",
			    selected ? base : SCREEN_UNREVIEWED);
	if (app_is_marked(app, row->thread_id))
		screen_puts(app->scr, col + 1, y, 1, "*", selected ? base : SCREEN_TAGS);
	/* A thread with a reviewer's note (its messages carry the note tag). */
	if (w > 3 && list_has_tag(row->tags, app->cfg->note_tag))
		screen_puts(app->scr, col + 2, y, 1, text_locale_is_utf8() ? "\u270e" : "+",
			    selected ? base : SCREEN_NOTE);
	col += 3;
	if (col + date_w < end) {
		/* Oldest first shows each thread's oldest date: the one it is sorted by. */
		view_format_date(app->list->order == CONFIG_SORT_OLDEST ? row->oldest : row->newest,
				 app->now, date, sizeof(date));
		screen_puts(app->scr, col, y, date_w, date, selected ? base : SCREEN_DATE);
		col += date_w + 1;
	}
	if (col + count_w < end) {
		char m[16], t[16];

		util_group_digits(t, sizeof(t), row->total > 0 ? (unsigned long long)row->total : 0);
		if (row->matched != row->total)
			snprintf(count, sizeof(count), "%s/%s",
				 util_group_digits(m, sizeof(m),
						   row->matched > 0 ? (unsigned long long)row->matched : 0),
				 t);
		else
			snprintf(count, sizeof(count), "%s", t);
		screen_printf(app->scr, col + (count_w - 1 - (int)strlen(count)), y,
			      count_w, selected ? base : SCREEN_COUNT, "%s", count);
		col += count_w;
	}
	if (col + author_w < end) {
		list_authors(row->authors, authors, sizeof(authors));
		screen_puts(app->scr, col, y, author_w - 1, authors, selected ? base : SCREEN_AUTHOR);
		col += author_w;
	}
	/* A message with several files: how many, and how many versions they make. */
	if (col + 2 < end && versionmap_thread_mark(app->versions, row->thread_id)) {
		char *mark = talloc_asprintf(NULL, "[%s] ",
					     versionmap_thread_mark(app->versions, row->thread_id));

		col += screen_puts(app->scr, col, y, end - col, mark, selected ? base : SCREEN_NOTE);
		talloc_free(mark);
	}
	if (col < end) {
		col += screen_puts(app->scr, col, y, end - col, *row->subject ? row->subject
									  : "(no subject)",
				   selected ? base : unreviewed ? SCREEN_UNREVIEWED : SCREEN_NORMAL);
	}
	if (col + 2 < end && *row->tags) {
		char *tags = talloc_asprintf(NULL, "(%s)", row->tags);

		screen_puts(app->scr, col + 1, y, end - col - 1, tags, selected ? base : SCREEN_TAGS);
		talloc_free(tags);
	}
}

uint64_t
listview_visible_sig(const struct app *app, int h)
{
	const struct listview *lv = app->list;
	size_t len = threadlist_len(lv->tl), top = lv->top;
	uint64_t sig = 1469598103934665603ULL;

	/* The rows list_draw would show, scrolled the way it would scroll. */
	view_scroll_to(lv->cursor, &top, len, h);
	sig = (sig ^ top) * 1099511628211ULL;
	for (size_t r = top; r < top + (size_t)h && r < len; r++) {
		const struct index_thread *row = threadlist_row(lv->tl, r);
		const char *parts[2] = {row ? row->thread_id : "", row ? row->tags : ""};

		for (int k = 0; k < 2; k++)
			for (const char *p = parts[k]; *p; p++)
				sig = (sig ^ (unsigned char)*p) * 1099511628211ULL;
		sig = (sig ^ (uint64_t)(row ? row->unreviewed + 2 : 0)) * 1099511628211ULL;
	}
	return (sig ^ (len < top + (size_t)h ? len : ~(size_t)0)) * 1099511628211ULL;
}

static void
list_draw(struct app *app, int x, int y, int w, int h)
{
	struct listview *lv = app->list;
	struct threadlist *tl = lv->tl;

	size_t len = threadlist_len(tl);
	char n[32];

	view_scroll_to(lv->cursor, &lv->top, len, h);
	threadlist_set_visible(tl, lv->top, (size_t)h, lv->cursor);
	{
		/* The versions of the threads on screen are read in the background. */
		char *ids[256];
		size_t n_ids = 0;

		for (size_t r = lv->top; r < lv->top + (size_t)h && r < len && n_ids < 256; r++) {
			const struct index_thread *row = threadlist_row(tl, r);

			if (row)
				ids[n_ids++] = row->thread_id;
		}
		versionmap_want(app->versions, ids, n_ids);
	}
	for (int i = 0; i < h; i++) {
		size_t r = lv->top + (size_t)i;
		const struct index_thread *row = threadlist_row(tl, r);

		if (row) {
			list_draw_row(app, row, r == lv->cursor, x, y + i, w);
		} else if (r < len) {
			/* The gap between the rows loaded from the start and the tail. */
			screen_fill(app->scr, x, y + i, w, r == lv->cursor ? SCREEN_SELECTED : SCREEN_NORMAL);
			screen_printf(app->scr, x + 2, y + i, w - 2, SCREEN_DIM,
				      "… rows after the first %s still loading …",
				      util_group_digits(n, sizeof(n), tl->n_rows));
		} else {
			screen_fill(app->scr, x, y + i, w, SCREEN_NORMAL);
			if (r == 0 && tl->state == THREADLIST_LOADING)
				screen_puts(app->scr, x + 2, y + i, w - 2, "loading…", SCREEN_DIM);
			else if (r == 0 && tl->state == THREADLIST_DONE)
				screen_puts(app->scr, x + 2, y + i, w - 2, "no threads match",
					    SCREEN_DIM);
			else if (r == 0)
				screen_puts(app->scr, x + 2, y + i, w - 2, tl->error, SCREEN_ERROR);
		}
	}
	if (app->focus == APP_FOCUS_LIST && lv->cursor < len) {
		app->scr->cursor_x = x;
		app->scr->cursor_y = y + (int)(lv->cursor - lv->top);
	}
}

static void
list_move(struct app *app, long delta)
{
	struct listview *lv = app->list;

	lv->follow_end = 0;
	if (delta == VIEW_LAST && lv->tl->state == THREADLIST_LOADING) {
		/*
		 * The last rows come at once from the same query sorted the other
		 * way; the cursor follows the end while the rest loads (any key
		 * stops following).
		 */
		threadlist_load_tail(lv->tl, (size_t)app->scr->h);
		lv->follow_end = 1;
	}
	view_move_cursor(&lv->cursor, threadlist_len(lv->tl), delta);
}

static int
list_height(const struct app *app)
{
	return view_pane_height(app);
}

static int
list_click(struct app *app, int y)
{
	struct listview *lv = app->list;
	size_t r = lv->top + (size_t)y;

	if (r >= threadlist_len(lv->tl))
		return 0;
	lv->follow_end = 0;
	lv->cursor = r;
	return 1;
}

const struct view_ops view_list_ops = {
	.name = "list",
	.context = CONFIG_LIST,
	.draw = list_draw,
	.move = list_move,
	.height = list_height,
	.click = list_click,
};

int
listview_next_unreviewed(struct app *app)
{
	struct listview *lv = app->list;

	size_t len = threadlist_len(lv->tl);

	for (size_t i = lv->cursor + 1; i < len; i++) {
		const struct index_thread *r = threadlist_row(lv->tl, i);

		if (r && r->unreviewed > 0) {
			lv->cursor = i;
			return 1;
		}
	}
	return 0;
}

void
listview_reload(struct app *app)
{
	const struct index_thread *cur = listview_current(app);
	char *keep = cur ? talloc_strdup(NULL, cur->thread_id) : NULL;
	struct listview *lv = listview_new(app, view_query(app), app->list->order);

	if (!lv) {
		talloc_free(keep);
		return;
	}
	talloc_free(app->list);
	app->list = lv;
	lv->want_thread = keep ? talloc_steal(lv, keep) : NULL;
}
