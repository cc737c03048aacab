/*
 * The reader over the real corpora in ../shared/corpora (skipped when
 * absent): index every message, open every thread, expand every message,
 * draw it at 80x24 and check that every cell is safe to send to a
 * terminal.  Every message of a hostile cache must open.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/app.h"
#include "trawl/cmd.h"
#include "trawl/view.h"

static const char *
corpora_path(void)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s", fixture_srcpath("../shared/corpora"));
	return buf;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
assert_screen_safe(const struct screen *s)
{
	for (int i = 0; i < s->w * s->h; i++)
		for (int k = 0; k <= TEXT_MAX_COMBINING && s->cells[i].wc[k]; k++) {
			wchar_t c = s->cells[i].wc[k];

			assert_true(c >= 0x20);
			assert_false(c >= 0x7f && c < 0xa0);
			assert_false(c >= 0x202a && c <= 0x202e);
			assert_false(c >= 0x2066 && c <= 0x2069);
		}
}

static void
test_open_every_thread(void **state)
{
	struct stat st;
	struct fixture *f;
	TALLOC_CTX *ctx;
	index_t *idx;
	struct config *cfg;
	struct app *app;
	size_t threads = 0, messages = 0;
	double worst = 0, t0 = now_s();

	(void)state;
	(void)st;
	setlocale(LC_ALL, "C.UTF-8");
	ctx = talloc_new(NULL);
	idx = fixture_index(ctx, corpora_path(), &f);
	cfg = config_new(ctx);
	app = app_new(ctx, idx, cfg, 80, 24);
	view_start(app, "*");
	while (app->list->tl->state == THREADLIST_LOADING) {
		app_poll(app);
		usleep(2000);
	}
	assert_int_equal(app->list->tl->state, THREADLIST_DONE);
	assert_true(app->list->tl->n_rows > 500);
	for (size_t r = 0; r < app->list->tl->n_rows; r++) {
		double t = now_s();

		app->list->cursor = r;
		app->focus = APP_FOCUS_LIST;
		cmd_run(app, "open");
		assert_int_equal(app->focus, APP_FOCUS_THREAD);
		/* Expand every message, draw, and page through the start of it. */
		cmd_run(app, "toggle-all");
		if (app->focus != APP_FOCUS_THREAD)
			fail_msg("thread %zu closed", r);
		for (int k = 0; k < 3; k++) {
			view_draw(app);
			assert_screen_safe(app->scr);
			cmd_run(app, "page-down");
		}
		cmd_run(app, "toggle-raw");
		view_draw(app);
		assert_screen_safe(app->scr);
		cmd_run(app, "toggle-headers");
		view_draw(app);
		assert_screen_safe(app->scr);
		messages += (size_t)app->list->tl->rows[r].total;
		cmd_run(app, "back");
		t = now_s() - t;
		if (t > worst)
			worst = t;
		threads++;
	}
	print_message("# opened %zu threads (%zu messages) in %.1f s, slowest %.3f s\n", threads,
		      messages, now_s() - t0, worst);
	app_free(app);
	talloc_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_every_thread),
	};
	struct stat st;

	/* A whole-program skip in TAP terms: automake counts cmocka's "not ok # SKIP" as a failure. */
	if (stat(corpora_path(), &st) != 0) {
		printf("1..0 # SKIP %s not present\n", corpora_path());
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
