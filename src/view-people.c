/*
 * view-people: the correspondents pane.  Who wrote to whom in the query
 * (top senders, recipients, sender domains, sender -> recipient pairs)
 * and its facets (tags, attachment types, folders, years), each entry with
 * its message count and the share not reviewed yet; display names beside
 * the addresses (the most frequent one).  Sections stack in one column, or
 * sit two abreast when the pane is wide; each shows its first entries and
 * a "more" row that shows the rest.  j/k move over the entries in section
 * order, Tab and BackTab (h/l) jump between sections, Enter narrows the
 * query to the entry (from:, to:, both, tag:, mimetype:, folder:, date:).
 *
 * Every name and address comes from mail: it is drawn only through
 * screen_puts(), cut to its column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/stats.h"
#include "trawl/util.h"
#include "trawl/view.h"
#include "view-stats.h"

/* Entries a section shows before its "more" row, in one column. */
#define PEOPLE_SHOWN 10
/* A pane at least this wide shows two sections abreast. */
#define PEOPLE_TWO_COLUMNS 140
/* Columns of the counts at the right of a row: messages and the unreviewed share. */
#define PEOPLE_COUNTS 15

enum people_row_kind {
	PEOPLE_HEADER,
	PEOPLE_ITEM,
	PEOPLE_MORE,
	PEOPLE_NOTE, /* "(none)", "counting…" */
};

struct people_row {
	enum people_row_kind kind;
	int list;
	size_t item;
	int x, y, w; /* y from the top of the content */
	size_t more; /* PEOPLE_MORE: the entries it shows */
	int keyw;    /* PEOPLE_ITEM: the widest key of the section shown, for aligned names */
};

struct people_layout {
	struct people_row *rows;
	size_t n;
	int height; /* of the whole content */
};

static size_t
people_limit(int columns, int h)
{
	int lim = PEOPLE_SHOWN;

	/* Two abreast: four rows of sections fill the height, each with a header and a blank. */
	if (columns == 2) {
		lim = h / 4 - 3;
		if (lim < 3)
			lim = 3;
		if (lim > 25)
			lim = 25;
	}
	return (size_t)lim;
}

static void
people_push(TALLOC_CTX *ctx, struct people_layout *lay, enum people_row_kind kind, int list,
	    size_t item, int x, int y, int w, size_t more)
{
	lay->rows = talloc_realloc(ctx, lay->rows, struct people_row, lay->n + 1);
	if (!lay->rows)
		abort();
	lay->rows[lay->n++] = (struct people_row){kind, list, item, x, y, w, more, 0};
}

/* Lays the sections out for a pane of w x h (content below the title line). */
static void
people_layout(TALLOC_CTX *ctx, const struct app *app, int w, int h, struct people_layout *lay)
{
	const struct statsview *sv = app->stats;
	const struct stats *st = sv->st;
	int columns = w >= PEOPLE_TWO_COLUMNS ? 2 : 1;
	int colw = columns == 2 ? w / 2 : w;
	size_t lim = people_limit(columns, h);
	int y = 0;

	memset(lay, 0, sizeof(*lay));
	for (int l = 0; l < STATS_LIST_COUNT; l += columns) {
		int tallest = 0;

		for (int c = 0; c < columns && l + c < STATS_LIST_COUNT; c++) {
			int list = l + c, x = c * colw, yy = y;
			size_t n = st->n_items[list], shown = n;

			if (!(sv->expanded & (1u << list)) && shown > lim)
				shown = lim;
			size_t first_item = lay->n + 1;
			int keyw = 0;

			people_push(ctx, lay, PEOPLE_HEADER, list, 0, x, yy++, colw - 1, 0);
			for (size_t i = 0; i < shown; i++) {
				/* Long hostile keys are cut anyway: measure at most a row's worth. */
				size_t len = strnlen(st->items[list][i].key, 4 * (size_t)w);
				int kw = (int)text_width(st->items[list][i].key, len);

				if (kw > keyw)
					keyw = kw;
				people_push(ctx, lay, PEOPLE_ITEM, list, i, x, yy++, colw - 1, 0);
			}
			for (size_t i = first_item; i < lay->n; i++)
				lay->rows[i].keyw = keyw;
			if (n > lim)
				people_push(ctx, lay, PEOPLE_MORE, list, STATSVIEW_MORE, x, yy++,
					    colw - 1, n - lim);
			if (!n)
				people_push(ctx, lay, PEOPLE_NOTE, list, 0, x, yy++, colw - 1, 0);
			if (yy - y > tallest)
				tallest = yy - y;
		}
		y += tallest + 1;
	}
	lay->height = y;
}

static int
people_selectable(const struct people_row *r)
{
	return r->kind == PEOPLE_ITEM || r->kind == PEOPLE_MORE;
}

/* The rows in cursor order: section by section, whatever the columns. */
static int
people_row_cmp(const void *x, const void *y)
{
	const struct people_row *a = x, *b = y;

	if (a->list != b->list)
		return a->list - b->list;
	return a->y - b->y;
}

/* The index (in lay, sorted) of the cursor's row, moved onto a selectable one; -1 if none. */
static long
people_cursor(struct statsview *sv, struct people_layout *lay)
{
	long best = -1;

	qsort(lay->rows, lay->n, sizeof(*lay->rows), people_row_cmp);
	for (size_t i = 0; i < lay->n; i++) {
		const struct people_row *r = &lay->rows[i];

		if (!people_selectable(r))
			continue;
		if (r->list == sv->list && r->item == sv->item)
			return (long)i;
		/* The entry went (a new snapshot): the nearest one before it, else the next. */
		if (r->list < sv->list || (r->list == sv->list && r->kind == PEOPLE_ITEM &&
					   (sv->item == STATSVIEW_MORE || r->item < sv->item)))
			best = (long)i;
		else if (best < 0)
			best = (long)i;
	}
	/*
	 * Shown there, kept there only once counted: while the senders are
	 * still being counted, the first sender is where the cursor goes,
	 * not the year that was counted first.
	 */
	if (best >= 0 && sv->st->state != STATS_COUNTING) {
		sv->list = lay->rows[best].list;
		sv->item = lay->rows[best].item;
	}
	return best;
}

static const char *
people_key(int list, const struct stats_item *it)
{
	return list == STATS_FOLDERS && !*it->key ? "(top)" : it->key;
}

static void
people_draw_counts(struct app *app, int x, int y, const struct stats_item *it,
		   enum screen_attr attr)
{
	char n[32], pct[16];

	util_group_digits(n, sizeof(n), it->total);
	snprintf(pct, sizeof(pct), "%lu%%", it->total ? it->unreviewed * 100 / it->total : 0);
	screen_printf(app->scr, x + 8 - (int)strlen(n), y, (int)strlen(n), attr == SCREEN_SELECTED ? attr : SCREEN_COUNT,
		      "%s", n);
	screen_printf(app->scr, x + PEOPLE_COUNTS - (int)strlen(pct), y, (int)strlen(pct),
		      attr == SCREEN_SELECTED      ? attr
		      : it->unreviewed == 0 ? SCREEN_DIM
					    : SCREEN_UNREVIEWED,
		      "%s", pct);
}

static void
people_draw_item(struct app *app, const struct people_row *r, int x, int y, int selected)
{
	const struct stats_item *it = &app->stats->st->items[r->list][r->item];
	enum screen_attr base = selected ? SCREEN_SELECTED : SCREEN_NORMAL;
	int text_w = r->w - 5 - PEOPLE_COUNTS - 1;
	int cx = x + 5;

	screen_fill(app->scr, x, y, r->w, base);
	screen_printf(app->scr, x, y, 4, selected ? base : SCREEN_DIM, "%3zu", r->item + 1);
	if (text_w < 4)
		text_w = 4;
	if (r->list == STATS_PAIRS) {
		/* from → to, halves of the width; names only when both fit beside. */
		int half = (text_w - 3) / 2;
		screen_puts(app->scr, cx, y, half, it->key, selected ? base : SCREEN_AUTHOR);
		screen_puts(app->scr, cx + half + 1, y, 1, "\u2192", selected ? base : SCREEN_DIM);
		screen_puts(app->scr, cx + half + 3, y, text_w - half - 3, it->key2,
			    selected ? base : SCREEN_AUTHOR);
	} else if (r->list == STATS_SENDERS || r->list == STATS_RECIPIENTS) {
		/* Names line up after the section's widest address, which keeps three quarters. */
		int aw = r->keyw + 2 < text_w * 3 / 4 ? r->keyw : text_w * 3 / 4;
		int used = screen_puts(app->scr, cx, y, *it->name ? aw : text_w, it->key,
				       selected ? base : SCREEN_AUTHOR);

		if (*it->name && text_w - aw - 2 > 3 && used <= aw)
			screen_puts(app->scr, cx + aw + 2, y, text_w - aw - 2, it->name,
				    selected ? base : SCREEN_DIM);
	} else {
		screen_puts(app->scr, cx, y, text_w, people_key(r->list, it),
			    selected ? base : r->list == STATS_TAGS ? SCREEN_TAGS : SCREEN_NORMAL);
	}
	people_draw_counts(app, x + r->w - PEOPLE_COUNTS, y, it, base);
}

static void
people_draw_row(struct app *app, const struct people_row *r, int x, int y, int selected)
{
	const struct statsview *sv = app->stats;
	const struct stats *st = sv->st;
	char *s;

	switch (r->kind) {
	case PEOPLE_HEADER:
		screen_puts(app->scr, x, y, r->w - PEOPLE_COUNTS - 1, stats_list_title(r->list),
			    SCREEN_HEADER);
		if (r->w > 2 * PEOPLE_COUNTS)
			screen_puts(app->scr, x + r->w - PEOPLE_COUNTS, y, PEOPLE_COUNTS,
				    "   msgs unrev", SCREEN_DIM);
		break;
	case PEOPLE_ITEM:
		people_draw_item(app, r, x, y, selected);
		break;
	case PEOPLE_MORE:
		screen_fill(app->scr, x, y, r->w, selected ? SCREEN_SELECTED : SCREEN_NORMAL);
		s = sv->expanded & (1u << r->list)
			    ? talloc_strdup(NULL, "\u25b4 fewer")
			    : talloc_asprintf(NULL, "\u2026 %zu more", r->more);
		screen_puts(app->scr, x + 5, y, r->w - 5, s, selected ? SCREEN_SELECTED : SCREEN_DIM);
		talloc_free(s);
		break;
	case PEOPLE_NOTE:
		screen_puts(app->scr, x + 5, y, r->w - 5,
			    st->state == STATS_COUNTING ? "counting\u2026"
			    : r->list == STATS_RECIPIENTS || r->list == STATS_PAIRS
				    ? (st->rcpt_missing ? "reading\u2026" : "(none)")
				    : "(none)",
			    SCREEN_DIM);
		break;
	}
}

static void
people_draw(struct app *app, int x, int y, int w, int h)
{
	struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct people_layout lay;
	long cur;
	int ch = h - 1;

	for (int i = 0; i < h; i++)
		screen_fill(app->scr, x, y + i, w, SCREEN_NORMAL);
	statsview_title(app, x, y, w, "Correspondents");
	if (ch < 1) {
		talloc_free(tmp);
		return;
	}
	people_layout(tmp, app, w, ch, &lay);
	cur = people_cursor(sv, &lay);
	/* Scroll so that the cursor's row shows, with its section's header when it can. */
	if (cur >= 0) {
		int cy = lay.rows[cur].y;

		if (cy < (int)sv->top)
			sv->top = (size_t)(cy > 0 && lay.rows[cur].item == 0 ? cy - 1 : cy);
		else if (cy >= (int)sv->top + ch)
			sv->top = (size_t)(cy - ch + 1);
	}
	if (lay.height <= ch)
		sv->top = 0;
	for (size_t i = 0; i < lay.n; i++) {
		const struct people_row *r = &lay.rows[i];
		int ry = r->y - (int)sv->top;

		if (ry < 0 || ry >= ch)
			continue;
		people_draw_row(app, r, x + r->x, y + 1 + ry, (long)i == cur);
		if ((long)i == cur && app->focus == APP_FOCUS_STATS) {
			app->scr->cursor_x = x + r->x;
			app->scr->cursor_y = y + 1 + ry;
		}
	}
	talloc_free(tmp);
}

static void
people_move(struct app *app, long delta)
{
	struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct people_layout lay;
	long cur, *sel = NULL;
	size_t n = 0, at = 0;

	people_layout(tmp, app, app->scr->w, app->scr->h - 3, &lay);
	cur = people_cursor(sv, &lay);
	sel = talloc_array(tmp, long, lay.n + 1);
	for (size_t i = 0; sel && i < lay.n; i++)
		if (people_selectable(&lay.rows[i])) {
			if ((long)i == cur)
				at = n;
			sel[n++] = (long)i;
		}
	if (n) {
		view_move_cursor(&at, n, delta);
		sv->list = lay.rows[sel[at]].list;
		sv->item = lay.rows[sel[at]].item;
	}
	talloc_free(tmp);
}

static int
people_height(const struct app *app)
{
	return app->scr->h - 3;
}

void
statsview_section(struct app *app, int dir)
{
	struct statsview *sv = app->stats;
	const struct stats *st;

	if (!sv)
		return;
	st = sv->st;
	for (int l = sv->list + dir; l >= 0 && l < STATS_LIST_COUNT; l += dir)
		if (st->n_items[l]) {
			sv->list = l;
			sv->item = 0;
			return;
		}
}

int
people_narrow(struct app *app, TALLOC_CTX *ctx, char **term)
{
	struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct people_layout lay;
	long cur;
	int done = 0;

	people_layout(tmp, app, app->scr->w, app->scr->h - 3, &lay);
	cur = people_cursor(sv, &lay);
	/* What the cursor shows, which while counting may not be where it is kept. */
	if (cur >= 0 && lay.rows[cur].kind == PEOPLE_MORE) {
		sv->expanded ^= 1u << lay.rows[cur].list;
		done = 1;
	} else if (cur >= 0) {
		*term = talloc_strdup(ctx, sv->st->items[lay.rows[cur].list][lay.rows[cur].item].query);
		done = 1;
	}
	talloc_free(tmp);
	return done;
}

const struct view_ops view_people_ops = {
	.name = "correspondents",
	.context = CONFIG_PEOPLE,
	.draw = people_draw,
	.move = people_move,
	.height = people_height,
};
