/*
 * View tests: draw the app into an off-screen screen over the fixture
 * database and compare text dumps with golden files in tests/golden/.
 * Set TRAWL_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate
 * change (then review the diff).
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/app.h"
#include "trawl/cmd.h"
#include "trawl/demo.h"
#include "trawl/feed.h"
#include "trawl/stats.h"
#include "trawl/view.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
	struct config *cfg;
	struct app *app;
	index_t *demo; /* the demo cache, made by the first test that needs it */
};

/* 2017-04-20 12:00 UTC: a week after the newest fixture message. */
#define TEST_NOW 1492689600

static void
wait_loaded(struct app *app)
{
	for (int i = 0; i < 4000; i++) {
		app_poll(app);
		if (app->list->tl->state != THREADLIST_LOADING && !app->list->tl->counter &&
		    !app->sidebar->fl->counter && !app->sidebar->fl->count_pending)
			return;
		usleep(5000);
	}
	fail_msg("the thread list did not load (state %d, counter %d, filters counter %d, pending %d, rows %zu, notice %s, error %s)",
		 (int)app->list->tl->state, app->list->tl->counter != NULL,
		 app->sidebar->fl->counter != NULL, (int)app->sidebar->fl->count_pending,
		 app->list->tl->n_rows, app->list->tl->notice, app->list->tl->error);
}

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	unsetenv("NO_COLOR");
	c->idx = fixture_index(c, NULL, &c->f);
	c->cfg = config_new(c);
	c->app = app_new(c, c->idx, c->cfg, 80, 24);
	view_start(c->app, "*");
	c->app->now = TEST_NOW;
	wait_loaded(c->app);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	app_free(c->app);
	talloc_free(c);
	return 0;
}

static void
check_golden(struct app *app, const char *name)
{
	char *path = talloc_asprintf(NULL, "%s", fixture_srcpath(
							talloc_asprintf(app, "tests/golden/%s.txt", name)));
	char *got = NULL, *want = NULL;
	size_t got_len = 0;
	FILE *f = open_memstream(&got, &got_len);

	view_draw(app);
	screen_dump(app->scr, f);
	fclose(f);
	if (getenv("TRAWL_UPDATE_GOLDEN")) {
		FILE *out = fopen(path, "w");

		assert_non_null(out);
		fputs(got, out);
		fclose(out);
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("missing golden file %s; got:\n%s", path, got);
	want = talloc_array(NULL, char, 1 << 16);
	want[fread(want, 1, (1 << 16) - 1, f)] = '\0';
	fclose(f);
	if (strcmp(got, want) != 0)
		fail_msg("screen differs from %s; got:\n%s", path, got);
	free(got);
	talloc_free(want);
	talloc_free(path);
}

static void
test_list_80x24(void **state)
{
	struct ctx *c = *state;

	check_golden(c->app, "list-80x24");
}

static void
test_list_60x20_without_sidebar(void **state)
{
	struct ctx *c = *state;

	app_resize(c->app, 60, 20);
	cmd_run(c->app, "toggle-sidebar");
	check_golden(c->app, "list-60x20");
	cmd_run(c->app, "toggle-sidebar");
	app_resize(c->app, 80, 24);
}

static void
test_hostile_subject_is_neutralised(void **state)
{
	struct ctx *c = *state;
	char *row;
	int found = 0;

	view_draw(c->app);
	for (int y = 0; y < c->app->scr->h; y++) {
		row = screen_row_text(c, c->app->scr, y);
		if (strstr(row, "Invoice")) {
			found = 1;
			assert_non_null(strstr(row, "^["));
			assert_null(strchr(row, '\033'));
		}
		for (int x = 0; x < c->app->scr->w; x++) {
			const struct screen_cell *cell = &c->app->scr->cells[y * c->app->scr->w + x];

			for (int k = 0; k <= TEXT_MAX_COMBINING && cell->wc[k]; k++)
				assert_true(cell->wc[k] >= 0x20 && !(cell->wc[k] >= 0x7f && cell->wc[k] < 0xa0) &&
					    !(cell->wc[k] >= 0x202a && cell->wc[k] <= 0x202e));
		}
	}
	assert_true(found);
}

static void
test_thread_view(void **state)
{
	struct ctx *c = *state;

	/* The budget thread is the last row, newest first. */
	cmd_run(c->app, "last");
	cmd_run(c->app, "open");
	assert_int_equal(c->app->focus, APP_FOCUS_THREAD);
	check_golden(c->app, "thread-80x24");
	cmd_run(c->app, "back");
	assert_int_equal(c->app->focus, APP_FOCUS_LIST);
	cmd_run(c->app, "first");
}

static void
test_help_lists_bindings(void **state)
{
	struct ctx *c = *state;

	cmd_key(c->app, "?");
	assert_true(c->app->help);
	check_golden(c->app, "help-list-80x24");
	cmd_key(c->app, "q");
	assert_false(c->app->help);
}

static void
test_bad_query_keeps_results(void **state)
{
	struct ctx *c = *state;
	size_t rows = c->app->list->tl->n_rows;

	cmd_query_search(c->app, "from:alice and (");
	assert_true(c->app->message_is_error);
	assert_int_equal(c->app->list->tl->n_rows, rows);
	assert_string_equal(view_query(c->app), "*");
}

static void
test_sidebar_select_tag(void **state)
{
	struct ctx *c = *state;

	cmd_key(c->app, "Tab");
	assert_int_equal(c->app->focus, APP_FOCUS_SIDEBAR);
	/* Entries: all messages, then the tags inbox and unread. */
	cmd_key(c->app, "j");
	cmd_key(c->app, "Enter");
	assert_string_equal(view_query(c->app), "tag:\"inbox\"");
	assert_int_equal(c->app->focus, APP_FOCUS_LIST);
	wait_loaded(c->app);
	assert_int_equal(c->app->list->tl->n_rows, 4);
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
}

/* "bind" with an empty command is an error, not a silent unbind (found by fuzz-tagops). */
static void
test_config_bind_needs_a_command(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct config *cfg = config_new(ctx);
	char *err = NULL;

	(void)state;
	assert_int_not_equal(config_apply_line(cfg, "bind list x ''", ctx, &err), TRAWL_OK);
	assert_non_null(strstr(err, "no command"));
	assert_int_not_equal(config_apply_line(cfg, "bind list x '' ' '", ctx, &err), TRAWL_OK);
	assert_int_equal(config_apply_line(cfg, "bind list x quit", ctx, &err), TRAWL_OK);
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "x"), "quit");
	assert_int_equal(config_apply_line(cfg, "unbind list x", ctx, &err), TRAWL_OK);
	assert_null(config_lookup(cfg, CONFIG_LIST, "x"));
	talloc_free(ctx);
}

/* Polls the app until its list is updated to the index's revision. */
static void
wait_followed(struct app *app)
{
	for (int i = 0; i < 2000; i++) {
		app_poll(app);
		if (!threadlist_updating(app->list->tl) && app->list->tl->rev == feed_revision(app->feed) &&
		    feed_revision(app->feed) == index_revision(app->idx, NULL) &&
		    !app->list->tl->counter)
			return;
		usleep(5000);
	}
	fail_msg("the list did not follow the commit");
}

/*
 * Another program's commit reaches the list through the change feed alone
 * (no reload): the thread above the cursor leaves the query, the cursor
 * stays on its thread, and a changed row shows its new tag.
 */
static void
test_commit_keeps_cursor(void **state)
{
	struct ctx *c = *state;
	struct listview *lv;
	char *above, *here;

	cmd_query_search(c->app, "not tag:hidden");
	wait_loaded(c->app);
	lv = c->app->list;
	assert_int_equal(lv->tl->n_rows, 4);
	cmd_key(c->app, "j");
	cmd_key(c->app, "j");
	assert_int_equal(lv->cursor, 2);
	above = talloc_strdup(c, lv->tl->rows[0].thread_id);
	here = talloc_strdup(c, lv->tl->rows[2].thread_id);
	assert_int_equal(fixture_sh(c->f, "notmuch tag +hidden -- thread:%s && "
					  "notmuch tag +relevant -- thread:%s",
				    above, here),
			 0);
	wait_followed(c->app);
	assert_true(c->app->list == lv); /* followed, not reloaded */
	assert_int_equal(lv->tl->n_rows, 3);
	assert_int_equal(lv->cursor, 1);
	assert_string_equal(lv->tl->rows[lv->cursor].thread_id, here);
	assert_non_null(strstr(lv->tl->rows[lv->cursor].tags, "relevant"));
	assert_string_equal(view_query(c->app), "not tag:hidden");

	assert_int_equal(fixture_sh(c->f, "notmuch tag -hidden -relevant -- '*'"), 0);
	wait_followed(c->app);
	assert_int_equal(lv->tl->n_rows, 4);
	assert_string_equal(lv->tl->rows[lv->cursor].thread_id, here);
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
}

/* Tiny terminals draw what fits and nothing outside the screen (1x1 crashed: issue 22). */
static void
test_tiny_terminal(void **state)
{
	struct ctx *c = *state;
	static const int sizes[][2] = {{1, 1}, {5, 1}, {1, 5}, {2, 2}, {40, 1}, {40, 2}, {3, 3}, {80, 24}};

	for (int pane = 0; pane < 3; pane++) {
		if (pane == 1)
			cmd_key(c->app, "Enter"); /* the thread view */
		if (pane == 2)
			cmd_key(c->app, "?");
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			app_resize(c->app, sizes[i][0], sizes[i][1]);
			app_message(c->app, 0, "a status message longer than any of these tiny screens");
			view_draw(c->app);
			cmd_key(c->app, "j");
			view_draw(c->app);
		}
	}
	cmd_key(c->app, "q");
	cmd_key(c->app, "q");
	assert_int_equal(c->app->scr->w, 80);
	assert_false(c->app->help);
	assert_null(c->app->thread);
}

/* 100,000 bad lines: the first ten are reported word for word, the rest counted (issue 22). */
static void
test_config_many_errors(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct config *cfg = config_new(ctx);
	char *path = talloc_asprintf(ctx, "%s/bad-config", getenv("HOME")), *errors = NULL;
	FILE *f = fopen(path, "w");
	size_t lines = 0;

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fprintf(f, "nosuchdirective %d\n", i);
	fputs("set sidebar_width 31\n", f);
	fclose(f);
	assert_int_equal(config_load_file(cfg, path, &errors), TRAWL_PARSE);
	for (const char *p = errors; p && *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 10);
	assert_non_null(strstr(errors, ":1: "));
	assert_non_null(strstr(errors, "99990 more errors not shown"));
	assert_int_equal(cfg->sidebar_width, 31);
	unlink(path);
	talloc_free(ctx);
}

/* Types text into the prompt, key by key. */
static void
type_keys(struct app *app, const char *text)
{
	for (const char *k = text; *k; k++) {
		char key[2] = {*k, '\0'};

		cmd_key(app, *k == ' ' ? "Space" : key);
	}
}

/*
 * The confirmation of * shows its question and y/n on 80 columns (the
 * query and subjects came first and pushed them out), and y alone
 * answers it, as the README says.
 */
static void
test_tag_all_confirm_fits_80(void **state)
{
	struct ctx *c = *state;
	char *row;

	cmd_key(c->app, "*");
	assert_non_null(c->app->prompt);
	type_keys(c->app, "+keep");
	cmd_key(c->app, "Enter");
	assert_non_null(c->app->prompt);
	view_draw(c->app);
	row = screen_row_text(c, c->app->scr, c->app->scr->h - 1);
	if (!strstr(row, "+keep on 6 messages? y/n"))
		fail_msg("the question is not shown whole: %s", row);
	cmd_key(c->app, "y");
	assert_null(c->app->prompt);
	assert_true(cmd_review_snapshotting(c->app));
	cmd_run(c->app, "cancel");
	assert_false(cmd_review_snapshotting(c->app));
	/* n answers no at once too. */
	cmd_key(c->app, "*");
	type_keys(c->app, "+keep");
	cmd_key(c->app, "Enter");
	cmd_key(c->app, "n");
	assert_null(c->app->prompt);
	assert_false(cmd_review_snapshotting(c->app));
	assert_string_equal(c->app->message, "bulk change not applied");
}

/* Escape in the thread list does not quit trawl (it did, at once); q still does. */
static void
test_escape_does_not_quit(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(c->app->focus, APP_FOCUS_LIST);
	cmd_key(c->app, "Escape");
	assert_false(c->app->quit);
	cmd_key(c->app, "Tab");
	cmd_key(c->app, "Escape");
	assert_false(c->app->quit);
	cmd_key(c->app, "Tab");
	/* It still closes the thread and the help. */
	cmd_key(c->app, "Enter");
	assert_int_equal(c->app->focus, APP_FOCUS_THREAD);
	cmd_key(c->app, "Escape");
	assert_int_equal(c->app->focus, APP_FOCUS_LIST);
	cmd_key(c->app, "?");
	cmd_key(c->app, "Escape");
	assert_false(c->app->help);
	assert_false(c->app->quit);
	cmd_key(c->app, "q");
	assert_true(c->app->quit);
	c->app->quit = 0;
}

/*
 * The help's key column never runs into the command column (a long key
 * list did), and a command without a key shows none ("-" read as the
 * minus key).
 */
static void
test_help_columns(void **state)
{
	struct ctx *c = *state;
	int unbound_search = 0;

	cmd_key(c->app, "?");
	assert_true(c->app->help);
	for (size_t i = 2; i + 1 < c->app->n_help_lines; i++) {
		const char *l = c->app->help_lines[i];

		if (strlen(l) > 18 && l[18] != ' ' && strncmp(l, "Without a key", 13))
			fail_msg("keys run into the command column: %s", l);
		if (!strncmp(l, "- ", 2))
			fail_msg("an unbound command shows '-' as its key: %s", l);
		unbound_search |= !strncmp(l, "                   search", 25);
	}
	assert_true(unbound_search);
	cmd_key(c->app, "q");
	assert_false(c->app->help);
}

/* Config errors show one a line (they were joined with a literal ^J and cut). */
static void
test_config_errors_one_a_line(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/two-errors", getenv("HOME")), *errors = NULL, *row;
	FILE *f = fopen(path, "w");
	int h = c->app->scr->h;

	assert_non_null(f);
	fputs("set nosuchoption 1\nbind list\n", f);
	fclose(f);
	assert_int_equal(config_load_file(c->cfg, path, &errors), TRAWL_PARSE);
	app_message(c->app, 1, "%s", errors);
	view_draw(c->app);
	row = screen_row_text(c, c->app->scr, h - 2);
	if (!strstr(row, "two-errors:1: unknown option nosuchoption") || strstr(row, "^J"))
		fail_msg("first error not on a line of its own: %s", row);
	row = screen_row_text(c, c->app->scr, h - 1);
	if (!strstr(row, "two-errors:2: usage: bind"))
		fail_msg("second error not on a line of its own: %s", row);
	/* The status line is still there, above them. */
	assert_non_null(strstr(screen_row_text(c, c->app->scr, h - 3), "4 threads"));
	/* The next key clears them. */
	cmd_key(c->app, "j");
	cmd_key(c->app, "k");
	view_draw(c->app);
	assert_non_null(strstr(screen_row_text(c, c->app->scr, h - 2), "4 threads"));
	unlink(path);
}

/* The status line of the list at width w, with counts set by hand (the fixture is small). */
static char *
status_with_counts(struct ctx *c, int w, long threads, long messages, long reviewed)
{
	struct threadlist *tl = c->app->list->tl;
	char *row;

	app_resize(c->app, w, 24);
	tl->n_threads = threads;
	tl->n_messages = messages;
	tl->n_reviewed = reviewed;
	view_draw(c->app);
	row = screen_row_text(c, c->app->scr, c->app->scr->h - 2);
	app_resize(c->app, 80, 24);
	return row;
}

/*
 * The status line says "1 thread", groups every number's digits, and
 * fits 80 columns with "reviewed x/y" in it, dropping the less important
 * parts first (it was cut after the message count).
 */
static void
test_status_fits_80(void **state)
{
	struct ctx *c = *state;
	const char *q = "(from:alice or from:bob or from:francois) and date:2017-01-01..2017-12-31";
	char *row;

	row = status_with_counts(c, 80, 1, 1, 0);
	if (!strstr(row, "  1 thread  1 message  reviewed 0/1"))
		fail_msg("singular counts: %s", row);
	row = status_with_counts(c, 80, 2990, 12345, 1234);
	if (!strstr(row, "2,990 threads") || !strstr(row, "reviewed 1,234/12,345") ||
	    strstr(row, "2990") || strstr(row, "12345"))
		fail_msg("digits not grouped: %s", row);
	cmd_query_search(c->app, q);
	wait_loaded(c->app);
	row = status_with_counts(c, 80, 2990, 123456, 12345);
	if (!strstr(row, "reviewed 12,345/123,456") || !strstr(row, "2,990 threads"))
		fail_msg("the counts do not fit 80 columns: %s", row);
	row = status_with_counts(c, 200, 2990, 123456, 12345);
	if (!strstr(row, q) || !strstr(row, "123,456 messages  reviewed 12,345/123,456 (9%)"))
		fail_msg("a wide status line lacks something: %s", row);
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
}

/*
 * L narrows the list by more terms, keeping its query: (QUERY) and
 * (TERMS), shown whole on the status line; U (or Escape) steps back out,
 * one limit at a time, with the cursor on the same thread; a new search
 * forgets the limits.
 */
static void
test_limit_and_step_back(void **state)
{
	struct ctx *c = *state;
	char *row;

	cmd_query_search(c->app, "tag:inbox");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->tl->n_rows, 4);
	cmd_key(c->app, "L");
	assert_non_null(c->app->prompt);
	type_keys(c->app, "from:alice or from:bob");
	cmd_key(c->app, "Enter");
	wait_loaded(c->app);
	assert_string_equal(view_query(c->app), "(tag:inbox) and (from:alice or from:bob)");
	assert_int_equal(c->app->list->tl->n_rows, 1);
	view_draw(c->app);
	row = screen_row_text(c, c->app->scr, c->app->scr->h - 2);
	if (strncmp(row, "(tag:inbox) and (from:alice or from:bob)  1 thread", 50))
		fail_msg("the status line does not show the whole query: %s", row);
	cmd_run(c->app, "limit not from:bob");
	wait_loaded(c->app);
	assert_string_equal(view_query(c->app),
			    "((tag:inbox) and (from:alice or from:bob)) and (not from:bob)");
	assert_string_equal(view_base_query(c->app), "tag:inbox");
	/* One step back at a time. */
	cmd_key(c->app, "U");
	wait_loaded(c->app);
	assert_string_equal(view_query(c->app), "(tag:inbox) and (from:alice or from:bob)");
	cmd_key(c->app, "Escape");
	wait_loaded(c->app);
	assert_string_equal(view_query(c->app), "tag:inbox");
	assert_int_equal(c->app->list->tl->n_rows, 4);
	/* The cursor is on the thread it was on inside the limit. */
	assert_string_equal(listview_current(c->app)->subject, "Quarterly budget review");
	cmd_key(c->app, "U");
	assert_string_equal(c->app->message, "no limit to step out of");
	assert_false(c->app->quit);
	/* An invalid limit changes nothing; a new search forgets the limits. */
	cmd_run(c->app, "limit from:alice and (");
	assert_true(c->app->message_is_error);
	assert_string_equal(view_query(c->app), "tag:inbox");
	cmd_run(c->app, "limit from:alice");
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
	assert_int_equal(c->app->n_limits, 0);
	cmd_key(c->app, "U");
	assert_string_equal(view_query(c->app), "*");
}

/* Row y of the screen as drawn now. */
static char *
drawn_row(struct ctx *c, int y)
{
	view_draw(c->app);
	return screen_row_text(c, c->app->scr, y < 0 ? c->app->scr->h + y : y);
}

/*
 * o steps through newest first, oldest first (each thread shown with its
 * oldest date, the one it is sorted by; the newest was shown) and most
 * messages first; the order chosen on a saved search is kept for it, in
 * the case's prefs file, and does not change the session's.
 */
static void
test_sort_orders_remembered(void **state)
{
	struct ctx *c = *state;
	char *prefs = talloc_asprintf(c, "%s/.notmuch/trawl/prefs", c->f->mail), *row;
	FILE *f;
	char line[256] = "";

	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
	row = drawn_row(c, 3);
	if (!strstr(row, "Apr 04") || !strstr(row, "Quarterly budget"))
		fail_msg("newest first, the budget thread is last with its newest date: %s", row);
	cmd_key(c->app, "o");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_OLDEST);
	row = drawn_row(c, 0);
	if (!strstr(row, "Apr 03") || !strstr(row, "Quarterly budget"))
		fail_msg("oldest first shows the thread's oldest date: %s", row);
	assert_non_null(strstr(drawn_row(c, -2), "oldest first"));
	cmd_key(c->app, "o");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_COUNT);
	assert_non_null(strstr(drawn_row(c, 0), "Quarterly budget"));
	assert_non_null(strstr(drawn_row(c, 1), "Weekly digest"));
	assert_non_null(strstr(drawn_row(c, -2), "most messages first"));
	cmd_key(c->app, "o");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_NEWEST);
	assert_int_equal(c->cfg->sort, CONFIG_SORT_NEWEST);

	/* A saved search keeps its own order; the session's stays. */
	assert_int_equal(index_save_search(c->idx, "work", "tag:inbox"), TRAWL_OK);
	cmd_query_search(c->app, "query:\"work\"");
	wait_loaded(c->app);
	cmd_run(c->app, "sort oldest");
	wait_loaded(c->app);
	assert_non_null(strstr(c->app->message, "kept for the saved search work"));
	assert_int_equal(c->cfg->sort, CONFIG_SORT_NEWEST);
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_NEWEST);
	cmd_query_search(c->app, "query:\"work\"");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_OLDEST);
	/* Inside a limit of it, the order is the saved search's too. */
	cmd_run(c->app, "limit from:alice");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_OLDEST);
	cmd_run(c->app, "sort count");
	wait_loaded(c->app);
	cmd_run(c->app, "unlimit");
	wait_loaded(c->app);
	assert_int_equal(c->app->list->order, CONFIG_SORT_COUNT);
	/* Kept with the case, for the next session. */
	assert_int_equal(app_order_for(c->app, "query:work"), CONFIG_SORT_COUNT);
	f = fopen(prefs, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "sort work\tcount\n");
	assert_int_equal(index_save_search(c->idx, "work", NULL), TRAWL_OK);
	cmd_query_search(c->app, "*");
	wait_loaded(c->app);
}

/* An index on the demo cache (DEMO_DEFAULT_COUNT messages), made once in the fixture's directory. */
static index_t *
demo_index(struct ctx *c)
{
	char *dir, *cfg, *err = NULL;

	if (c->demo)
		return c->demo;
	dir = talloc_asprintf(c, "%s/demo", c->f->dir);
	cfg = talloc_asprintf(c, "%s/notmuch-config", dir);
	if (demo_make_cache(c, dir, DEMO_DEFAULT_COUNT, &err) != TRAWL_OK)
		fail_msg("demo cache: %s", err ? err : "?");
	/* A review under way: the first year and a half is done. */
	if (fixture_sh(c->f, "notmuch --config='%s' tag +reviewed -- date:2014-01..2015-06", cfg) != 0 ||
	    index_open(c, NULL, cfg, &c->demo, &err) != TRAWL_OK)
		fail_msg("demo cache: %s", err ? err : "cannot tag");
	return c->demo;
}

static void
wait_stats(struct app *app)
{
	for (int i = 0; i < 30000; i++) {
		app_poll(app);
		if (app->stats && app->stats->st->state == STATS_DONE)
			return;
		usleep(2000);
	}
	fail_msg("the stats did not finish");
}

/* Both panes on the demo cache, as a journalist opening it would see them. */
static void
stats_goldens(struct ctx *c, int w, int h)
{
	struct app *app = app_new(c, demo_index(c), c->cfg, w, h);
	char name[64];

	view_start(app, "*");
	app->now = TEST_NOW;
	wait_loaded(app);
	cmd_key(app, "v");
	assert_int_equal(app->focus, APP_FOCUS_STATS);
	wait_stats(app);
	snprintf(name, sizeof(name), "timeline-%dx%d", w, h);
	check_golden(app, name);
	cmd_key(app, "c");
	assert_true(view_focused(app) == &view_people_ops);
	snprintf(name, sizeof(name), "correspondents-%dx%d", w, h);
	check_golden(app, name);
	cmd_key(app, "q");
	assert_int_equal(app->focus, APP_FOCUS_LIST);
	assert_null(app->stats);
	app_free(app);
}

static void
test_stats_panes_80x24(void **state)
{
	stats_goldens(*state, 80, 24);
}

static void
test_stats_panes_160x48(void **state)
{
	stats_goldens(*state, 160, 48);
}

/* Without a UTF-8 terminal the chart is drawn in ASCII. */
static void
test_timeline_ascii(void **state)
{
	struct ctx *c = *state;
	struct app *app = app_new(c, demo_index(c), c->cfg, 80, 24);

	view_start(app, "*");
	app->now = TEST_NOW;
	wait_loaded(app);
	text_set_graphics(false);
	cmd_run(app, "timeline");
	cmd_run(app, "timeline-by year");
	wait_stats(app);
	check_golden(app, "timeline-ascii-80x24");
	text_set_graphics(true);
	app_free(app);
}

/* Enter narrows to the period under the cursor, BSpace steps back; the pane follows. */
static void
test_timeline_narrow_and_widen(void **state)
{
	struct ctx *c = *state;
	struct app *app = app_new(c, demo_index(c), c->cfg, 80, 24);
	unsigned n;

	view_start(app, "*");
	wait_loaded(app);
	cmd_key(app, "v");
	wait_stats(app);
	/* The help lists the pane's own bindings. */
	cmd_key(app, "?");
	{
		int narrow = 0, by = 0;

		assert_non_null(strstr(app->help_lines[0], "timeline pane"));
		for (size_t i = 0; i < app->n_help_lines; i++) {
			narrow |= !strncmp(app->help_lines[i], "Enter ", 6) &&
				  strstr(app->help_lines[i], " narrow ");
			by |= !strncmp(app->help_lines[i], "b ", 2) && strstr(app->help_lines[i], "timeline-by");
		}
		assert_true(narrow && by);
	}
	cmd_key(app, "q");
	assert_false(app->help);
	/* The cursor starts on the peak: December 2016. */
	cmd_key(app, "Enter");
	assert_string_equal(view_query(app), "date:2016-12..2016-12");
	assert_int_equal(app->focus, APP_FOCUS_STATS);
	wait_loaded(app);
	wait_stats(app);
	assert_int_equal(index_count_messages(app->idx, "date:2016-12..2016-12", &n), TRAWL_OK);
	assert_int_equal(app->stats->st->messages, n);
	assert_int_equal(app->list->tl->n_messages, n);
	/* Within the month, by day: the cursor moves, Enter narrows to one day. */
	cmd_run(app, "timeline-by day");
	cmd_key(app, "g");
	cmd_key(app, "Enter");
	assert_string_equal(view_query(app), "(date:2016-12..2016-12) and (date:2016-12-01..2016-12-01)");
	cmd_key(app, "BSpace");
	assert_string_equal(view_query(app), "date:2016-12..2016-12");
	cmd_key(app, "BSpace");
	assert_string_equal(view_query(app), "*");
	cmd_key(app, "BSpace");
	assert_non_null(strstr(app->message, "no earlier query"));
	app_free(app);
}

/*
 * The correspondents' cursor starts on the first sender, however the
 * counting went: drawn while only the tags and years were counted, it
 * showed on a year, and stayed there once the senders came (the CI's
 * stats.sh under ASan narrowed to a year instead of the top sender).
 */
static void
test_people_cursor_waits_for_the_count(void **state)
{
	struct ctx *c = *state;
	struct app *app = app_new(c, demo_index(c), c->cfg, 80, 24);
	int drawn_before_senders = 0;

	view_start(app, "*");
	wait_loaded(app);
	cmd_key(app, "c");
	assert_true(view_focused(app) == &view_people_ops);
	for (int i = 0; i < 30000 && app->stats->st->state != STATS_DONE; i++) {
		app_poll(app);
		view_draw(app);
		if (app->stats->st->state != STATS_DONE &&
		    !app->stats->st->n_items[STATS_SENDERS] && app->stats->st->n_items[STATS_YEARS])
			drawn_before_senders++;
		usleep(500);
	}
	assert_int_equal(app->stats->st->state, STATS_DONE);
	view_draw(app);
	cmd_key(app, "Enter");
	if (strncmp(view_query(app), "from:", 5) != 0)
		fail_msg("Enter narrowed to %s, not to the top sender (drawn %d times before the senders)",
			 view_query(app), drawn_before_senders);
	app_free(app);
}

/* The man page lists every command of the table (issue 16: "show all of it in ? and the man page"). */
static void
test_man_page_lists_every_command(void **state)
{
	FILE *f = fopen(fixture_srcpath("doc/trawl.1"), "r");
	char *man = NULL;
	size_t cap = 0;
	ssize_t len;

	(void)state;
	assert_non_null(f);
	len = getdelim(&man, &cap, '\0', f);
	fclose(f);
	assert_true(len > 0);
	for (size_t i = 0; i < cmd_count; i++) {
		char want[128];
		const char *p;
		size_t o = 0;

		/* As the page spells it: \fB:name\fR, dashes escaped. */
		o += (size_t)snprintf(want, sizeof(want), "\\fB:");
		for (p = cmd_table[i].name; *p && o + 3 < sizeof(want); p++) {
			if (*p == '-')
				want[o++] = '\\';
			want[o++] = *p;
		}
		snprintf(want + o, sizeof(want) - o, "\\fR");
		if (!strstr(man, want))
			fail_msg("doc/trawl.1 does not list the command %s", cmd_table[i].name);
	}
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_80x24),
		cmocka_unit_test(test_list_60x20_without_sidebar),
		cmocka_unit_test(test_hostile_subject_is_neutralised),
		cmocka_unit_test(test_thread_view),
		cmocka_unit_test(test_help_lists_bindings),
		cmocka_unit_test(test_config_bind_needs_a_command),
		cmocka_unit_test(test_bad_query_keeps_results),
		cmocka_unit_test(test_sidebar_select_tag),
		cmocka_unit_test(test_commit_keeps_cursor),
		cmocka_unit_test(test_tiny_terminal),
		cmocka_unit_test(test_config_many_errors),
		cmocka_unit_test(test_tag_all_confirm_fits_80),
		cmocka_unit_test(test_escape_does_not_quit),
		cmocka_unit_test(test_help_columns),
		cmocka_unit_test(test_config_errors_one_a_line),
		cmocka_unit_test(test_status_fits_80),
		cmocka_unit_test(test_limit_and_step_back),
		cmocka_unit_test(test_sort_orders_remembered),
		cmocka_unit_test(test_stats_panes_80x24),
		cmocka_unit_test(test_stats_panes_160x48),
		cmocka_unit_test(test_timeline_ascii),
		cmocka_unit_test(test_timeline_narrow_and_widen),
		cmocka_unit_test(test_people_cursor_waits_for_the_count),
		cmocka_unit_test(test_man_page_lists_every_command),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
