/*
 * view-sidebar: the filters pane.  It draws the filters model (filters.h:
 * saved searches, then every tag, with counts) and keeps a cursor on it
 * that stays on its entry when the model lists its entries again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/filters.h"
#include "trawl/util.h"
#include "trawl/view.h"

/* After the model listed its entries again, the cursor goes back to its entry. */
static void
sidebar_sync(struct sidebar *sb)
{
	long i;

	if (sb->serial == sb->fl->serial)
		return;
	sb->serial = sb->fl->serial;
	i = filters_find(sb->fl, sb->cursor_label);
	sb->cursor = i >= 0 ? (size_t)i : 0;
	if (sb->cursor >= sb->fl->n)
		sb->cursor = 0;
}

static void
sidebar_keep_label(struct sidebar *sb)
{
	talloc_free(sb->cursor_label);
	sb->cursor_label =
		sb->cursor < sb->fl->n ? talloc_strdup(sb, sb->fl->entries[sb->cursor].label) : NULL;
}

static int sidebar_poll(struct app *app);

static int
sidebar_job_poll(struct app *app, void *ud)
{
	return ud == app->sidebar ? sidebar_poll(app) : 0;
}

struct sidebar *
sidebar_new(struct app *app)
{
	struct sidebar *sb = talloc_zero(app, struct sidebar);

	if (!sb)
		abort();
	sb->fl = filters_new(sb, app->idx);
	filters_follow(sb->fl, app->feed);
	sb->serial = sb->fl->serial;
	sidebar_keep_label(sb);
	app_add_job(app, sb, sidebar_job_poll, NULL, sb)->bg = &sb->fl->counter;
	return sb;
}

void
sidebar_reload(struct app *app)
{
	sidebar_reload_at(app, NULL);
}

void
sidebar_reload_at(struct app *app, const char *want)
{
	struct sidebar *sb = app->sidebar;

	if (want) {
		talloc_free(sb->cursor_label);
		sb->cursor_label = talloc_strdup(sb, want);
	}
	filters_reload(sb->fl);
	sidebar_sync(sb);
}

void
sidebar_recount(struct app *app)
{
	if (app->sidebar)
		filters_count(app->sidebar->fl);
}

const struct filter *
sidebar_current(const struct app *app)
{
	const struct sidebar *sb = app->sidebar;

	return sb && sb->cursor < sb->fl->n ? &sb->fl->entries[sb->cursor] : NULL;
}

static int
sidebar_poll(struct app *app)
{
	struct sidebar *sb = app->sidebar;
	int changed;

	if (!sb)
		return 0;
	/* Counting waits until the list shows its first rows: they come first. */
	if (sb->fl->count_pending && app->list &&
	    (app->list->tl->n_rows >= 100 || app->list->tl->state != THREADLIST_LOADING)) {
		filters_count(sb->fl);
		if (sb->fl->error)
			app_message(app, 1, "%s", sb->fl->error);
	}
	changed = filters_poll(sb->fl) || sb->serial != sb->fl->serial;
	sidebar_sync(sb);
	return changed;
}

static void
sidebar_draw(struct app *app, int x, int y, int w, int h)
{
	struct sidebar *sb = app->sidebar;
	const struct filters *fl = sb->fl;
	int focused = app->focus == APP_FOCUS_SIDEBAR;
	/* Rows: one heading before the saved searches and one before the tags. */
	size_t first_tag = fl->n;

	sidebar_sync(sb);
	for (size_t i = 1; i < fl->n; i++)
		if (!fl->entries[i].is_search) {
			first_tag = i;
			break;
		}
	view_scroll_to(sb->cursor, &sb->top, fl->n, h);
	for (int i = 0; i < h; i++) {
		size_t r = sb->top + (size_t)i;
		const struct filter *e;
		char counts[72], un[32], tot[32];
		int cw, sel;
		enum screen_attr attr;

		screen_fill(app->scr, x, y + i, w, SCREEN_NORMAL);
		if (r >= fl->n)
			continue;
		e = &fl->entries[r];
		sel = r == sb->cursor;
		attr = sel ? (focused ? SCREEN_SELECTED : SCREEN_DIM) : SCREEN_NORMAL;
		if (e->error)
			snprintf(counts, sizeof(counts), "error");
		else if (e->total < 0)
			snprintf(counts, sizeof(counts), "…");
		else if (e->unreviewed > 0)
			snprintf(counts, sizeof(counts), "%s/%s",
				 util_group_digits(un, sizeof(un), (unsigned long long)e->unreviewed),
				 util_group_digits(tot, sizeof(tot), (unsigned long long)e->total));
		else
			snprintf(counts, sizeof(counts), "%s",
				 util_group_digits(tot, sizeof(tot), (unsigned long long)e->total));
		cw = (int)strlen(counts);
		screen_fill(app->scr, x, y + i, w - 1, attr);
		{
			char *label = talloc_asprintf(NULL, "%s%s",
						      e->is_search ? "\u2605 "
						      : r >= first_tag ? "# " : "",
						      e->label);

			screen_puts(app->scr, x + 1, y + i, w - cw - 3, label,
				    e->unreviewed > 0 && !sel ? SCREEN_UNREVIEWED : attr);
			talloc_free(label);
		}
		screen_puts(app->scr, x + w - cw - 2, y + i, cw + 1, counts,
			    e->error ? SCREEN_ERROR : sel ? attr : SCREEN_COUNT);
		if (sel && focused) {
			app->scr->cursor_x = x;
			app->scr->cursor_y = y + i;
		}
	}
	/* A vertical rule between the filters and the list. */
	for (int i = 0; i < h; i++)
		screen_puts(app->scr, x + w - 1, y + i, 1, "\u2502", SCREEN_DIM);
}

static void
sidebar_move(struct app *app, long delta)
{
	struct sidebar *sb = app->sidebar;

	sidebar_sync(sb);
	view_move_cursor(&sb->cursor, sb->fl->n, delta);
	sidebar_keep_label(sb);
}

static int
sidebar_height(const struct app *app)
{
	return view_pane_height(app);
}

static int
sidebar_click(struct app *app, int y)
{
	struct sidebar *sb = app->sidebar;
	size_t r = sb->top + (size_t)y;

	sidebar_sync(sb);
	if (r >= sb->fl->n)
		return 0;
	sb->cursor = r;
	sidebar_keep_label(sb);
	return 1;
}

const struct view_ops view_sidebar_ops = {
	.name = "sidebar",
	.context = CONFIG_SIDEBAR,
	.draw = sidebar_draw,
	.move = sidebar_move,
	.height = sidebar_height,
	.click = sidebar_click,
};
