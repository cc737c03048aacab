/*
 * view-sidebar: the filters pane: saved searches, then every tag, each
 * with its message count and its count not yet reviewed.  Counts come
 * from a background job so the first screen never waits for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/feed.h"
#include "trawl/hints.h"
#include "trawl/view.h"

struct sidebar_count_arg {
	index_t *idx;
	struct sidebar *sb;
};

/* Child: counts each entry, sending "index total unreviewed" or "index" + error. */
static int
sidebar_counter(bg_writer_t *w, void *arg)
{
	struct sidebar_count_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, *hints;

	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK)
		return 1;
	hints = hints_path_for(ctx, index_db_path(idx));
	for (size_t i = 0; i < a->sb->n; i++) {
		const struct sidebar_entry *e = &a->sb->entries[i];
		char *unrev = talloc_asprintf(ctx, "not %s",
					      index_quote_term(ctx, "tag", index_reviewed_tag(idx)));
		char *q = index_query_and(ctx, e->query, unrev);
		unsigned total, un;
		char *rec;

		if (index_count_messages(idx, e->query, &total) != TRAWL_OK ||
		    index_count_messages(idx, q, &un) != TRAWL_OK) {
			rec = talloc_asprintf(ctx, "%zu E %s", i, index_last_error(idx));
		} else {
			rec = talloc_asprintf(ctx, "%zu %u %u", i, total, un);
			/* Opening this entry later knows its size (see threadlist_head). */
			hints_set(hints, hints_count_key(ctx, e->query), total);
		}
		bg_write(w, 'C', rec, strlen(rec));
	}
	talloc_free(ctx);
	return 0;
}

static void
sidebar_on_count(void *ud, char type, const char *payload, size_t len)
{
	struct sidebar *sb = ud;
	char *rec = talloc_strndup(sb, payload, len);
	char *p;
	size_t i;

	if (type != 'C' || !rec)
		goto out;
	i = strtoul(rec, &p, 10);
	if (i >= sb->n || *p != ' ')
		goto out;
	if (p[1] == 'E') {
		talloc_free(sb->entries[i].error);
		sb->entries[i].error = talloc_strdup(sb->entries, p + 3);
		sb->entries[i].total = sb->entries[i].unreviewed = 0;
	} else {
		sb->entries[i].total = strtol(p + 1, &p, 10);
		sb->entries[i].unreviewed = strtol(p, NULL, 10);
	}
out:
	talloc_free(rec);
}

static void
sidebar_add(struct sidebar *sb, const char *label, const char *query, int is_search)
{
	struct sidebar_entry *e;

	sb->entries = talloc_realloc(sb, sb->entries, struct sidebar_entry, sb->n + 1);
	if (!sb->entries)
		abort();
	e = &sb->entries[sb->n++];
	memset(e, 0, sizeof(*e));
	e->label = talloc_strdup(sb->entries, label);
	e->query = talloc_strdup(sb->entries, query);
	e->is_search = is_search;
	e->total = e->unreviewed = -1;
}

static void
sidebar_count(struct app *app, struct sidebar *sb)
{
	struct sidebar_count_arg arg = {app->idx, sb};

	TALLOC_FREE(sb->counter);
	if (bg_start(sb, "filters", sidebar_counter, &arg, &sb->counter) != TRAWL_OK)
		app_message(app, 1, "cannot start counting the filters");
}

void
sidebar_recount(struct app *app)
{
	if (app->sidebar)
		sidebar_count(app, app->sidebar);
}

static void
sidebar_fill(struct app *app, struct sidebar *sb)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct index_search *searches;
	char **tags;
	size_t n;

	sidebar_add(sb, "all messages", "*", 0);
	if (index_saved_searches(app->idx, tmp, &searches, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++)
			sidebar_add(sb, searches[i].name,
				    index_quote_term(tmp, "query", searches[i].name), 1);
	if (index_all_tags(app->idx, tmp, &tags, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++)
			sidebar_add(sb, tags[i], index_quote_term(tmp, "tag", tags[i]), 0);
	talloc_free(tmp);
	/* Counting starts from sidebar_poll() once the list shows its first rows. */
	sb->count_pending = 1;
}

static int
sidebar_entry_cmp(const void *x, const void *y)
{
	const struct sidebar_entry *a = x, *b = y;

	return a->is_search != b->is_search ? a->is_search - b->is_search
					     : strcmp(a->label, b->label);
}

/*
 * A commit can add a tag (t +relevant), remove the last message of one, or
 * change any count: the entries are listed again, keeping each one's
 * counts until the new ones arrive, and counted again.
 */
static void
sidebar_on_commit(void *ud, const struct feed_event *ev)
{
	struct app *app = ud;
	struct sidebar *sb = app->sidebar;
	struct sidebar_entry *old;
	size_t n_old;

	char *want;

	if (!sb || ev->new_database)
		return;
	want = sb->n ? talloc_strdup(NULL, sb->entries[sb->cursor].label) : NULL;
	n_old = sb->n;
	old = talloc_steal(NULL, sb->entries);
	sb->entries = NULL;
	sb->n = 0;
	if (n_old > 1)
		qsort(old, n_old, sizeof(*old), sidebar_entry_cmp);
	sidebar_reload_at(app, want);
	talloc_free(want);
	for (size_t i = 0; old && i < sb->n; i++) {
		const struct sidebar_entry *o =
			bsearch(&sb->entries[i], old, n_old, sizeof(*old), sidebar_entry_cmp);

		if (o && !o->error) {
			sb->entries[i].total = o->total;
			sb->entries[i].unreviewed = o->unreviewed;
		}
	}
	talloc_free(old);
	/* Counted at once: the list's first rows are there already. */
	sb->count_pending = 0;
	sidebar_count(app, sb);
}

struct sidebar *
sidebar_new(struct app *app)
{
	struct sidebar *sb = talloc_zero(app, struct sidebar);

	if (!sb)
		abort();
	sidebar_fill(app, sb);
	feed_subscribe(app->feed, sb, sidebar_on_commit, app);
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
	char *label = want ? talloc_strdup(NULL, want)
		      : sb->n ? talloc_strdup(NULL, sb->entries[sb->cursor].label) : NULL;

	TALLOC_FREE(sb->counter);
	TALLOC_FREE(sb->entries);
	sb->n = 0;
	sidebar_fill(app, sb);
	sb->cursor = 0;
	for (size_t i = 0; label && i < sb->n; i++)
		if (strcmp(sb->entries[i].label, label) == 0)
			sb->cursor = i;
	talloc_free(label);
}

const struct sidebar_entry *
sidebar_current(const struct app *app)
{
	const struct sidebar *sb = app->sidebar;

	return sb && sb->cursor < sb->n ? &sb->entries[sb->cursor] : NULL;
}

int
sidebar_poll(struct app *app)
{
	struct sidebar *sb = app->sidebar;
	enum bg_state st;

	if (sb && sb->count_pending && app->list &&
	    (app->list->tl->n_rows >= 100 || app->list->tl->state != THREADLIST_LOADING)) {
		sb->count_pending = 0;
		sidebar_count(app, sb);
	}
	if (!sb || !sb->counter)
		return 0;
	st = bg_poll(sb->counter, 64 * 1024, sidebar_on_count, sb);
	if (st != BG_RUNNING)
		TALLOC_FREE(sb->counter);
	return 1;
}

static void
sidebar_draw(struct app *app, int x, int y, int w, int h)
{
	struct sidebar *sb = app->sidebar;
	int focused = app->focus == APP_FOCUS_SIDEBAR;
	/* Rows: one heading before the saved searches and one before the tags. */
	size_t first_tag = sb->n;

	for (size_t i = 1; i < sb->n; i++)
		if (!sb->entries[i].is_search) {
			first_tag = i;
			break;
		}
	view_scroll_to(sb->cursor, &sb->top, sb->n, h);
	for (int i = 0; i < h; i++) {
		size_t r = sb->top + (size_t)i;
		const struct sidebar_entry *e;
		char counts[48];
		int cw, sel;
		enum screen_attr attr;

		screen_fill(app->scr, x, y + i, w, SCREEN_NORMAL);
		if (r >= sb->n)
			continue;
		e = &sb->entries[r];
		sel = r == sb->cursor;
		attr = sel ? (focused ? SCREEN_SELECTED : SCREEN_DIM) : SCREEN_NORMAL;
		if (e->error)
			snprintf(counts, sizeof(counts), "error");
		else if (e->total < 0)
			snprintf(counts, sizeof(counts), "…");
		else if (e->unreviewed > 0)
			snprintf(counts, sizeof(counts), "%ld/%ld", e->unreviewed, e->total);
		else
			snprintf(counts, sizeof(counts), "%ld", e->total);
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
	view_move_cursor(&app->sidebar->cursor, app->sidebar->n, delta);
}

static int
sidebar_height(const struct app *app)
{
	return app->scr->h - 2;
}

const struct view_ops view_sidebar_ops = {
	.name = "sidebar",
	.context = CONFIG_SIDEBAR,
	.draw = sidebar_draw,
	.move = sidebar_move,
	.height = sidebar_height,
};
