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
#include "trawl/feed.h"
#include "trawl/review.h"
#include "trawl/view.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
	struct config *cfg;
	struct app *app;
};

/* 2017-04-20 12:00 UTC: a week after the newest fixture message. */
#define TEST_NOW 1492689600

static void
wait_loaded(struct app *app)
{
	for (int i = 0; i < 2000; i++) {
		app_poll(app);
		if (app->list->tl->state != THREADLIST_LOADING && !app->list->tl->counter &&
		    !app->sidebar->fl->counter && !app->sidebar->fl->count_pending)
			return;
		usleep(5000);
	}
	fail_msg("the thread list did not load");
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

	view_search(c->app, "from:alice and (");
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
	view_search(c->app, "*");
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

	view_search(c->app, "not tag:hidden");
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
	view_search(c->app, "*");
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

static void
count_child(const void *ptr, int depth, int max_depth, int is_ref, void *private_data)
{
	if (depth == 1)
		++*(size_t *)private_data;
}

/* Blocks hanging from the app itself (not from its panes or queue), message aside. */
static size_t
app_direct_blocks(struct app *app)
{
	size_t n = 0;

	TALLOC_FREE(app->message);
	talloc_report_depth_cb(app, 0, 1, count_child, &n);
	return n;
}

static void
wait_written(struct app *app)
{
	for (int i = 0; i < 2000 * fixture_time_factor(); i++) {
		app_poll(app);
		if (app->review->n_queue == 0 && !app->review->writer)
			return;
		usleep(5000);
	}
	fail_msg("the tag changes were not written");
}

/*
 * A week-long session marks and tags thousands of times: r, R and t must
 * leave nothing behind on the app, which lives as long as the session
 * (they used to leave their queries, thread ids and tag ops there).
 * Runs last: an even number of each change leaves the tags as they were.
 */
static void
test_review_keys_leave_nothing_on_app(void **state)
{
	struct ctx *c = *state;
	struct app *app = c->app;
	size_t before;

	cmd_run(app, "first");
	wait_loaded(app);
	before = app_direct_blocks(app);
	for (int i = 0; i < 4; i++) {
		cmd_run(app, "toggle-reviewed");
		wait_written(app);
		cmd_key(app, "t");
		assert_non_null(app->prompt);
		for (const char *k = i % 2 ? "-soakx" : "+soakx"; *k; k++) {
			char key[2] = {*k, 0};

			cmd_key(app, key);
		}
		cmd_key(app, "Enter");
		assert_null(app->prompt);
		wait_written(app);
	}
	cmd_run(app, "review-next");
	wait_written(app);
	cmd_run(app, "first");
	cmd_run(app, "toggle-reviewed");
	wait_written(app);
	wait_loaded(app);
	assert_int_equal(app_direct_blocks(app), before);
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
		cmocka_unit_test(test_review_keys_leave_nothing_on_app),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
