/*
 * view-timeline: the timeline pane.  The query's messages per day, week,
 * month or year (the finest that fits the width, or the unit chosen with
 * timeline-by) as a bar chart: Unicode eighth blocks, or ASCII when
 * text_graphics() says the terminal may not show them; the reviewed part
 * of each bar in its own colour (and, in ASCII, its own glyph), a y axis
 * up to the peak, the years along the x axis, and every empty period
 * marked on the baseline, since silence is evidence too.  A cursor moves
 * over the bars (scrolling when they do not all fit); the line above the
 * chart gives its period, count and reviewed share, and Enter narrows the
 * query to that period.
 *
 *   Timeline of *                              2,990 messages
 *   2016-12  138 messages, 0 reviewed (0%)  peak 2016-12 (138)  by month
 *   138┤        ▆   █
 *      │  ▃ ▅▂ ▇█▅ ██▇
 *     0┤▅▇█▆██████████·
 *      └┴───────────┴─────
 *       2014        2015
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "trawl/stats.h"
#include "trawl/util.h"
#include "trawl/view.h"
#include "view-stats.h"

/* Widest bar slot (bar and gap) in columns: a few periods do not make a wall. */
#define TIMELINE_MAX_SLOT 8

struct timeline_glyphs {
	wchar_t eighths[9]; /* 0 (unused) to 8 eighths of a cell */
	wchar_t reviewed_full; /* the reviewed part's glyph, 0: the same as the rest */
	wchar_t empty_period;
	wchar_t v_rule, v_tick, corner, h_rule, h_tick, cursor;
};

static const struct timeline_glyphs timeline_unicode = {
	{L' ', L'\u2581', L'\u2582', L'\u2583', L'\u2584', L'\u2585', L'\u2586', L'\u2587',
	 L'\u2588'},
	0, L'\u00b7', L'\u2502', L'\u2524', L'\u2514', L'\u2500', L'\u2534', L'\u25b2',
};

/* ASCII: whole cells only; the reviewed part as '=' since colour may be missing too. */
static const struct timeline_glyphs timeline_ascii = {
	{L' ', L'.', L'.', L'.', L'#', L'#', L'#', L'#', L'#'},
	L'=', L'_', L'|', L'+', L'+', L'-', L'+', L'^',
};

static const struct timeline_glyphs *
timeline_glyphs(void)
{
	return text_graphics() ? &timeline_unicode : &timeline_ascii;
}

/* The plot's geometry in a pane of w x h at x. */
struct timeline_geo {
	int x0;     /* first column of the bars */
	int pw, ph; /* width and height of the plot area */
	int lw;     /* width of the y axis labels */
	int axis;   /* whether the x axis and its labels have room */
};

static void
timeline_geometry(const struct stats *st, int w, int h, struct timeline_geo *g)
{
	char peak[32];
	unsigned long top = 0;

	for (size_t i = 0; i < st->n_days; i++)
		if (st->days[i].total > top)
			top = st->days[i].total;
	/* The label column fits the largest count a period can show: the query's. */
	util_group_digits(peak, sizeof(peak),
			  st->messages > 0 ? (unsigned long)st->messages : top);
	g->lw = (int)strlen(peak);
	g->x0 = g->lw + 2;
	g->pw = w - g->x0 - 1;
	g->axis = h >= 7;
	g->ph = h - 2 - (g->axis ? 2 : 0);
	if (g->pw < 1)
		g->pw = 1;
	if (g->ph < 1)
		g->ph = 1;
}

static enum stats_by
timeline_unit(const struct statsview *sv, const struct timeline_geo *g)
{
	return sv->by >= 0 ? (enum stats_by)sv->by : stats_by_fit(sv->st, g->pw);
}

/* The index of the period holding day (the last one starting on or before it). */
static size_t
timeline_find(const struct stats_period *v, size_t n, long day)
{
	size_t i = 0;

	while (i + 1 < n && v[i + 1].first <= day)
		i++;
	return i;
}

/* The cursor's period: where it was, or the peak the first time. */
static size_t
timeline_cursor(const struct statsview *sv, const struct stats_period *v, size_t n, size_t peak)
{
	return sv->cursor_day == LONG_MIN ? peak : timeline_find(v, n, sv->cursor_day);
}

static void
timeline_draw_bar(struct app *app, const struct timeline_glyphs *gl, int cx, int bottom, int bw,
		  int ph, const struct stats_period *p, unsigned long peak, int selected)
{
	unsigned long units = peak ? (p->total * (unsigned long)ph * 8 + peak / 2) / peak : 0;
	unsigned long rev = peak ? (p->reviewed * (unsigned long)ph * 8 + peak / 2) / peak : 0;

	if (p->total && !units)
		units = 1; /* one message is never drawn as none */
	for (int r = 0; r < ph; r++) {
		unsigned long lo = (unsigned long)r * 8;
		unsigned long fill = units > lo ? (units - lo > 8 ? 8 : units - lo) : 0;
		enum screen_attr attr = lo + 4 <= rev ? SCREEN_BAR_REVIEWED : SCREEN_BAR;
		wchar_t wc = fill ? gl->eighths[fill] : L' ';

		if (fill && attr == SCREEN_BAR_REVIEWED && gl->reviewed_full && fill >= 4)
			wc = gl->reviewed_full;
		if (!p->total && r == 0) {
			wc = gl->empty_period;
			attr = SCREEN_DIM;
		}
		if (selected)
			attr = SCREEN_SELECTED;
		for (int k = 0; k < bw; k++)
			screen_putc(app->scr, cx + k, bottom - r, wc, attr);
	}
}

static void
timeline_draw_axes(struct app *app, const struct timeline_glyphs *gl, int x, int y,
		   const struct timeline_geo *g, unsigned long peak)
{
	char label[32];
	int bottom = y + g->ph - 1;

	for (int r = 0; r < g->ph; r++)
		screen_putc(app->scr, x + g->x0 - 1, y + r, gl->v_rule, SCREEN_DIM);
	/* The peak at the top, zero at the bottom, the middle when there is room. */
	util_group_digits(label, sizeof(label), peak);
	screen_printf(app->scr, x + g->lw - (int)strlen(label), y, (int)strlen(label), SCREEN_COUNT,
		      "%s", label);
	screen_putc(app->scr, x + g->x0 - 1, y, gl->v_tick, SCREEN_DIM);
	if (g->ph >= 5) {
		int mid = y + g->ph - 1 - (g->ph - 1) / 2;

		util_group_digits(label, sizeof(label),
				  peak * (unsigned long)((g->ph - 1) / 2) / (unsigned long)(g->ph - 1));
		screen_printf(app->scr, x + g->lw - (int)strlen(label), mid, (int)strlen(label),
			      SCREEN_COUNT, "%s", label);
		screen_putc(app->scr, x + g->x0 - 1, mid, gl->v_tick, SCREEN_DIM);
	}
	if (g->ph >= 2) {
		screen_puts(app->scr, x + g->lw - 1, bottom, 1, "0", SCREEN_COUNT);
		screen_putc(app->scr, x + g->x0 - 1, bottom, gl->v_tick, SCREEN_DIM);
	}
	if (g->axis) {
		screen_putc(app->scr, x + g->x0 - 1, bottom + 1, gl->corner, SCREEN_DIM);
		for (int i = 0; i < g->pw; i++)
			screen_putc(app->scr, x + g->x0 + i, bottom + 1, gl->h_rule, SCREEN_DIM);
	}
}

/*
 * The labels under the axis: by month or year, each year at its first
 * period; by day or week, each month ("2016-03") at its first period.
 * The first period of all is labelled too; a label that would overlap the
 * one before is left out, its tick kept.
 */
static void
timeline_draw_labels(struct app *app, const struct timeline_glyphs *gl, int x, int row,
		     const struct timeline_geo *g, enum stats_by by, const struct stats_period *v,
		     size_t first, size_t vis, int slot)
{
	int monthly = by == STATS_BY_DAY || by == STATS_BY_WEEK;
	int free_from = 0; /* the first column a label may use */

	for (size_t i = first; i < first + vis; i++) {
		int y, m, d, py = INT_MIN, pm = 0, col = (int)(i - first) * slot;
		char label[16];

		stats_civil(v[i].first, &y, &m, &d);
		if (i > 0)
			stats_civil(v[i - 1].first, &py, &pm, &d);
		if (y == py && (!monthly || m == pm))
			continue;
		screen_putc(app->scr, x + g->x0 + col, row - 1, gl->h_tick, SCREEN_DIM);
		if (monthly)
			snprintf(label, sizeof(label), "%04d-%02d", y, m);
		else
			snprintf(label, sizeof(label), "%04d", y);
		if (col >= free_from && col + (int)strlen(label) <= g->pw) {
			screen_puts(app->scr, x + g->x0 + col, row, (int)strlen(label), label,
				    SCREEN_DATE);
			free_from = col + (int)strlen(label) + 1;
		}
	}
}

static void
timeline_draw_info(struct app *app, int x, int y, int w, enum stats_by by,
		   const struct stats_period *v, size_t cur, size_t peak)
{
	const struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	char n1[32], n2[32], n3[32];
	const struct stats_period *p = &v[cur];
	char *s, *q;
	int used;

	util_group_digits(n1, sizeof(n1), p->total);
	util_group_digits(n2, sizeof(n2), p->reviewed);
	util_group_digits(n3, sizeof(n3), v[peak].total);
	s = talloc_asprintf(tmp, "%s  %s message%s, %s reviewed", stats_period_label(tmp, by, p->first),
			    n1, p->total == 1 ? "" : "s", n2);
	if (p->total)
		s = talloc_asprintf_append(s, " (%lu%%)", p->reviewed * 100 / p->total);
	s = talloc_asprintf_append(s, "   peak %s (%s)   by %s%s",
				   stats_period_label(tmp, by, v[peak].first), n3,
				   stats_by_name(by), sv->by < 0 ? " (fits)" : "");
	if (sv->st->undated)
		s = talloc_asprintf_append(s, "   %lu undated", sv->st->undated);
	used = screen_puts(app->scr, x + 1, y, w - 2, s, SCREEN_NORMAL);
	/* What Enter runs, when it fits. */
	q = talloc_asprintf(tmp, "Enter: %s", stats_period_query(tmp, by, p->first));
	if (used + 4 + (int)strlen(q) <= w - 2)
		screen_puts(app->scr, x + w - 1 - (int)strlen(q), y, (int)strlen(q), q, SCREEN_DIM);
	talloc_free(tmp);
}

static void
timeline_draw(struct app *app, int x, int y, int w, int h)
{
	struct statsview *sv = app->stats;
	const struct stats *st = sv->st;
	const struct timeline_glyphs *gl = timeline_glyphs();
	TALLOC_CTX *tmp;
	struct timeline_geo g;
	struct stats_period *v;
	size_t n, peak, cur, vis;
	enum stats_by by;
	int slot, bw;

	for (int i = 0; i < h; i++)
		screen_fill(app->scr, x, y + i, w, SCREEN_NORMAL);
	statsview_title(app, x, y, w, "Timeline");
	if (h < 3)
		return;
	if (!st->n_days) {
		screen_puts(app->scr, x + 1, y + 2, w - 2,
			    st->state == STATS_COUNTING ? "counting\u2026"
			    : st->undated			 ? "no message has a date"
							 : "no messages",
			    SCREEN_DIM);
		return;
	}
	timeline_geometry(st, w, h, &g);
	by = timeline_unit(sv, &g);
	sv->last_by = (int)by;
	tmp = talloc_new(NULL);
	v = stats_periods(tmp, st, by, &n, &peak);
	if (!v) {
		screen_puts(app->scr, x + 1, y + 2, w - 2,
			    "too many periods to draw: b shows a coarser unit", SCREEN_DIM);
		talloc_free(tmp);
		return;
	}
	slot = g.pw / (int)(n < (size_t)g.pw ? n : (size_t)g.pw);
	if (slot > TIMELINE_MAX_SLOT)
		slot = TIMELINE_MAX_SLOT;
	bw = slot >= 3 ? slot - 1 : 1;
	vis = (size_t)(g.pw / slot);
	if (vis > n)
		vis = n;
	cur = timeline_cursor(sv, v, n, peak);
	/* Scroll so that the cursor's bar is shown. */
	if (sv->first > n - vis)
		sv->first = n - vis;
	if (cur < sv->first)
		sv->first = cur;
	else if (cur >= sv->first + vis)
		sv->first = cur - vis + 1;
	timeline_draw_info(app, x, y + 1, w, by, v, cur, peak);
	timeline_draw_axes(app, gl, x, y + 2, &g, v[peak].total);
	for (size_t i = sv->first; i < sv->first + vis; i++)
		timeline_draw_bar(app, gl, x + g.x0 + (int)(i - sv->first) * slot, y + 2 + g.ph - 1,
				  bw, g.ph, &v[i], v[peak].total, i == cur);
	if (g.axis) {
		int row = y + 2 + g.ph + 1;

		timeline_draw_labels(app, gl, x, row, &g, by, v, sv->first, vis, slot);
		screen_putc(app->scr, x + g.x0 + (int)(cur - sv->first) * slot, row - 1, gl->cursor,
			    SCREEN_SELECTED);
		/* More periods off screen: say which side. */
		if (sv->first > 0)
			screen_puts(app->scr, x, row, g.lw, "\u2190", SCREEN_DIM);
		if (sv->first + vis < n)
			screen_puts(app->scr, x + w - 1, row, 1, "\u2192", SCREEN_DIM);
	}
	if (app->focus == APP_FOCUS_STATS) {
		app->scr->cursor_x = x + g.x0 + (int)(cur - sv->first) * slot;
		app->scr->cursor_y = y + 2 + g.ph - 1;
	}
	talloc_free(tmp);
}

static void
timeline_move(struct app *app, long delta)
{
	struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct timeline_geo g;
	struct stats_period *v;
	size_t n, peak, cur;
	enum stats_by by;

	timeline_geometry(sv->st, app->scr->w, app->scr->h - 2, &g);
	by = sv->last_by >= 0 && sv->by < 0 ? (enum stats_by)sv->last_by : timeline_unit(sv, &g);
	v = stats_periods(tmp, sv->st, by, &n, &peak);
	if (v && n) {
		cur = timeline_cursor(sv, v, n, peak);
		view_move_cursor(&cur, n, delta);
		sv->cursor_day = v[cur].first;
	}
	talloc_free(tmp);
}

static int
timeline_height(const struct app *app)
{
	/* A page is the bars a screen shows, near enough: the width less the axis. */
	return app->scr->w > 16 ? app->scr->w - 10 : 1;
}

int
timeline_narrow(struct app *app, TALLOC_CTX *ctx, char **term)
{
	struct statsview *sv = app->stats;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct timeline_geo g;
	struct stats_period *v;
	size_t n, peak;
	enum stats_by by;
	int done = 0;

	timeline_geometry(sv->st, app->scr->w, app->scr->h - 2, &g);
	by = sv->last_by >= 0 && sv->by < 0 ? (enum stats_by)sv->last_by : timeline_unit(sv, &g);
	v = stats_periods(tmp, sv->st, by, &n, &peak);
	if (v && n) {
		*term = stats_period_query(ctx, by, v[timeline_cursor(sv, v, n, peak)].first);
		done = 1;
	}
	talloc_free(tmp);
	return done;
}

void
statsview_set_by(struct app *app, const char *by)
{
	struct statsview *sv = app->stats;
	int u;

	if (!sv)
		return;
	if (by && !strcmp(by, "auto")) {
		sv->by = -1;
	} else if (by) {
		u = stats_by_parse(by);
		if (u < 0) {
			app_message(app, 1, "timeline-by: day, week, month, year or auto, not %s", by);
			return;
		}
		sv->by = u;
	} else {
		/* The next unit after the one shown, coarser, back to day after year. */
		u = sv->last_by >= 0 ? sv->last_by : STATS_BY_MONTH;
		sv->by = u == STATS_BY_YEAR ? STATS_BY_DAY : u + 1;
	}
	app_message(app, 0, "timeline by %s", sv->by < 0 ? "the unit that fits" : stats_by_name(sv->by));
}

const struct view_ops view_timeline_ops = {
	.name = "timeline",
	.context = CONFIG_TIMELINE,
	.draw = timeline_draw,
	.move = timeline_move,
	.height = timeline_height,
};
