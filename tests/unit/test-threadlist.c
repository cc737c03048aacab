/* Unit tests of the lazily filled thread list against the fixture database. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/threadlist.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);
	char *err = NULL;

	c->f = fixture_new(NULL);
	assert_int_equal(index_open(c, NULL, NULL, &c->idx, &err), TRAWL_OK);
	/* Mark one message reviewed so the counts have something to count. */
	assert_int_equal(fixture_sh(c->f, "notmuch tag +reviewed -- id:budget-2@example.org"), 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fixture_free(c->f);
	talloc_free(c);
	return 0;
}

static void
test_load_all_and_count(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);

	threadlist_wait(tl);
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_int_equal(tl->n_rows, 4);
	assert_string_equal(tl->rows[0].subject, "Weekly digest");
	assert_string_equal(tl->rows[3].subject, "Quarterly budget review");
	assert_int_equal(tl->rows[3].total, 3);
	assert_int_equal(tl->rows[3].unreviewed, 2);
	assert_int_equal(tl->rows[0].unreviewed, 1);
	assert_int_equal(tl->n_messages, 6);
	assert_int_equal(tl->n_threads, 4);
	assert_int_equal(tl->n_reviewed, 1);
	assert_true(threadlist_find(tl, tl->rows[2].thread_id) == 2);
	talloc_free(tl);
}

static void
test_oldest_first(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "", INDEX_SORT_OLDEST_FIRST);

	threadlist_wait(tl);
	assert_int_equal(tl->n_rows, 4);
	assert_string_equal(tl->rows[0].subject, "Quarterly budget review");
	talloc_free(tl);
}

static void
test_bad_query_is_an_error_state(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "from:alice and (", INDEX_SORT_NEWEST_FIRST);

	threadlist_wait(tl);
	assert_int_equal(tl->state, THREADLIST_ERROR);
	assert_true(strlen(tl->error) > 0);
	assert_int_equal(tl->n_rows, 0);
	talloc_free(tl);
}

static void
test_empty_result(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "tag:nosuchtag", INDEX_SORT_NEWEST_FIRST);

	threadlist_wait(tl);
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_int_equal(tl->n_rows, 0);
	assert_int_equal(tl->n_messages, 0);
	talloc_free(tl);
}

/* Kills the loader after the first row arrives; the list must still end complete and in order. */
static void
kill_loader_midway(struct ctx *c, int sig)
{
	struct threadlist *tl, *ref;
	pid_t first;

	setenv("TRAWL_TEST_LOADER_DELAY_US", "150000", 1);
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	while (tl->n_rows < 1 && tl->state == THREADLIST_LOADING) {
		threadlist_poll(tl, 1 << 16);
		usleep(5000);
	}
	first = threadlist_loader_pid(tl);
	assert_true(first > 0);
	assert_int_equal(kill(first, sig), 0);
	threadlist_wait(tl);
	unsetenv("TRAWL_TEST_LOADER_DELAY_US");

	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_non_null(strstr(tl->notice, "resumed at row"));
	ref = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	threadlist_wait(ref);
	assert_int_equal(tl->n_rows, ref->n_rows);
	for (size_t i = 0; i < ref->n_rows; i++)
		assert_string_equal(tl->rows[i].thread_id, ref->rows[i].thread_id);
	talloc_free(tl);
	talloc_free(ref);
}

static void
test_loader_sigabrt_is_contained(void **state)
{
	kill_loader_midway(*state, SIGABRT);
}

static void
test_loader_sigkill_is_contained(void **state)
{
	kill_loader_midway(*state, SIGKILL);
}

/* Jumping to the end while loading: the tail arrives first, then joins the rows. */
static void
test_tail_then_join(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl, *ref;
	int saw_gap = 0;

	ref = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	threadlist_wait(ref);
	setenv("TRAWL_TEST_LOADER_DELAY_US", "200000", 1);
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	threadlist_load_tail(tl, 2);
	while (tl->state == THREADLIST_LOADING) {
		threadlist_poll(tl, 1 << 16);
		if (threadlist_has_gap(tl)) {
			size_t len = threadlist_len(tl);

			saw_gap = 1;
			/* The last logical rows are the last rows of the full list, in order. */
			if (tl->n_tail == 2) {
				assert_null(threadlist_row(tl, tl->n_rows));
				assert_string_equal(threadlist_row(tl, len - 1)->thread_id,
						    ref->rows[ref->n_rows - 1].thread_id);
				assert_string_equal(threadlist_row(tl, len - 2)->thread_id,
						    ref->rows[ref->n_rows - 2].thread_id);
			}
		}
		usleep(5000);
	}
	unsetenv("TRAWL_TEST_LOADER_DELAY_US");
	assert_true(saw_gap);
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_false(threadlist_has_gap(tl));
	assert_int_equal(threadlist_len(tl), ref->n_rows);
	for (size_t i = 0; i < ref->n_rows; i++)
		assert_string_equal(threadlist_row(tl, i)->thread_id, ref->rows[i].thread_id);
	talloc_free(tl);
	talloc_free(ref);
}

/* A tail longer than the list is the whole list. */
static void
test_short_tail_is_whole_list(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl;

	setenv("TRAWL_TEST_LOADER_DELAY_US", "100000", 1);
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	threadlist_load_tail(tl, 50);
	threadlist_wait(tl);
	unsetenv("TRAWL_TEST_LOADER_DELAY_US");
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_int_equal(threadlist_len(tl), 4);
	assert_string_equal(threadlist_row(tl, 0)->subject, "Weekly digest");
	assert_string_equal(threadlist_row(tl, 3)->subject, "Quarterly budget review");
	talloc_free(tl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all_and_count),
		cmocka_unit_test(test_oldest_first),
		cmocka_unit_test(test_bad_query_is_an_error_state),
		cmocka_unit_test(test_empty_result),
		cmocka_unit_test(test_loader_sigabrt_is_contained),
		cmocka_unit_test(test_loader_sigkill_is_contained),
		cmocka_unit_test(test_tail_then_join),
		cmocka_unit_test(test_short_tail_is_whole_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
