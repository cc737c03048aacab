/*
 * Unit tests of the write queue, the journal and undo against the fixture
 * database: tags land, undo restores exactly the previous tags (a message
 * that already had the tag keeps it), batches commit whole, a held write
 * lock delays a change without losing it, and a killed writer resumes.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/bg.h"
#include "trawl/review.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
	struct review *rv;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);
	c->idx = fixture_index(c, NULL, &c->f);
	c->rv = review_new(c, c->idx, "tester", 0);
	*state = c;
	return 0;
}

static unsigned
count(struct ctx *c, const char *q)
{
	unsigned n = 0;

	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	assert_int_equal(index_count_messages(c->idx, q, &n), TRAWL_OK);
	return n;
}

static struct tagops *
ops(struct ctx *c, const char *s)
{
	struct tagops *o;
	char *err;

	assert_int_equal(tagops_parse(c, s, &o, &err), TRAWL_OK);
	return o;
}

static void
ids_of(struct ctx *c, const char *q, char ***ids, size_t *n)
{
	assert_int_equal(index_message_ids(c->idx, c, q, ids, n), TRAWL_OK);
}

static void
test_tagops_parse(void **state)
{
	struct ctx *c = *state;
	struct tagops *o;
	char *err;

	assert_int_equal(tagops_parse(c, "+a -b +\"c d\" +é", &o, &err), TRAWL_OK);
	assert_int_equal(o->n, 4);
	assert_string_equal(o->ops[2].tag, "c d");
	assert_true(o->ops[2].add);
	assert_false(o->ops[1].add);
	assert_string_equal(tagops_format(c, o), "+a -b +\"c d\" +é");
	assert_int_equal(tagops_parse(c, "+a +a -a", &o, &err), TRAWL_OK);
	assert_int_equal(o->n, 1);
	assert_false(o->ops[0].add);
	assert_int_not_equal(tagops_parse(c, "a", &o, &err), TRAWL_OK);
	assert_int_not_equal(tagops_parse(c, "", &o, &err), TRAWL_OK);
	assert_int_not_equal(tagops_parse(c, "+", &o, &err), TRAWL_OK);
	assert_int_not_equal(tagops_parse(c, "+\"x", &o, &err), TRAWL_OK);
	assert_int_not_equal(tagops_parse(c, "+a\x1b", &o, &err), TRAWL_OK);
	/* A tag notmuch refuses is never made; one that exists can still go. */
	assert_int_not_equal(tagops_parse(c, "+-x", &o, &err), TRAWL_OK);
	assert_non_null(strstr(err, "may not start with '-'"));
	assert_int_equal(tagops_parse(c, "--x", &o, &err), TRAWL_OK);
	assert_string_equal(o->ops[0].tag, "-x");
}

static void
test_tag_then_undo_restores_exactly(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	const char *why;

	/* One message of the thread already has the tag: undo must leave it. */
	assert_int_equal(fixture_sh(c->f, "notmuch tag +urgent -- id:budget-2@example.org"), 0);
	ids_of(c, "thread:{id:budget-1@example.org}", &ids, &n);
	assert_int_equal(n, 3);
	review_tag(c->rv, "thread", NULL, ids, n, ops(c, "+urgent -inbox +\"à relire\""), 0);
	review_wait(c->rv);
	assert_string_equal(c->rv->error, "");
	assert_int_equal(count(c, "tag:urgent"), 3);
	assert_int_equal(count(c, "tag:\"à relire\""), 3);
	assert_int_equal(count(c, "tag:inbox"), 3);

	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:urgent"), 1);
	assert_int_equal(count(c, "id:budget-2@example.org and tag:urgent"), 1);
	assert_int_equal(count(c, "tag:\"à relire\""), 0);
	assert_int_equal(count(c, "tag:inbox"), 6);

	/* Redo brings the change back; a second undo reverses the redo. */
	assert_non_null(review_undo(c->rv, 1, &why));
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:urgent"), 3);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:urgent"), 1);
	assert_int_equal(count(c, "tag:inbox"), 6);
}

static void
test_undo_survives_restart(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	const char *why;
	struct review *again;

	ids_of(c, "from:francois", &ids, &n);
	review_tag(c->rv, "from:francois", NULL, ids, n, ops(c, "+persist"), 0);
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:persist"), 1);
	/* A new queue (a new trawl) reads the journal. */
	again = review_new(c, c->idx, "tester", 0);
	assert_non_null(review_undo(again, 0, &why));
	review_wait(again);
	assert_int_equal(count(c, "tag:persist"), 0);
	talloc_free(again);
}

static void
test_batches_and_journal(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	struct journal_entry *e;
	size_t ne;

	c->rv->batch = 2;
	ids_of(c, "*", &ids, &n);
	assert_int_equal(n, 6);
	review_tag(c->rv, "*", NULL, ids, n, ops(c, "+bulk"), 1);
	review_wait(c->rv);
	c->rv->batch = REVIEW_BATCH;
	assert_int_equal(count(c, "tag:bulk"), 6);
	assert_int_equal(journal_read(c, c->rv->journal_path, &e, &ne), TRAWL_OK);
	assert_true(ne >= 1);
	assert_string_equal(e[ne - 1].ops, "+bulk");
	assert_string_equal(e[ne - 1].reviewer, "tester");
	assert_int_equal(e[ne - 1].committed, 6);
	assert_string_equal(e[ne - 1].end, "done");
}

/* Kills the writer in the middle of a slow bulk job: it resumes and every batch lands whole. */
static void
test_killed_writer_resumes(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;

	c->rv->batch = 1;
	ids_of(c, "*", &ids, &n);
	review_tag(c->rv, "*", NULL, ids, n, ops(c, "+resumed"), 1);
	while (c->rv->queue[0]->done < 2)
		review_poll(c->rv);
	kill(bg_pid(c->rv->writer), SIGKILL);
	review_wait(c->rv);
	c->rv->batch = REVIEW_BATCH;
	assert_int_equal(count(c, "tag:resumed"), 6);
}

/* Another process holds the write lock: the change waits, then lands. */
static void
test_waits_for_lock(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	FILE *holder;
	char line[64];
	char *cmd = talloc_asprintf(c, "%s/tests/unit/hold-lock 30",
				    getenv("top_builddir") ? getenv("top_builddir") : ".");
	int waited = 0;

	holder = popen(talloc_asprintf(c, "sleep 2 | %s", cmd), "r");
	assert_non_null(holder);
	assert_non_null(fgets(line, sizeof(line), holder));
	assert_string_equal(line, "locked\n");
	ids_of(c, "from:alice", &ids, &n);
	review_tag(c->rv, "from:alice", NULL, ids, n, ops(c, "+afterlock"), 0);
	for (int i = 0; i < 100; i++) {
		review_poll(c->rv);
		usleep(10000);
	}
	/* Still queued a second later, and the status line says why. */
	if (c->rv->n_queue == 1) {
		waited = 1;
		assert_non_null(strstr(review_status(c, c->rv), "waiting for the database lock"));
	}
	review_wait(c->rv);
	pclose(holder);
	assert_true(waited);
	assert_int_equal(count(c, "tag:afterlock"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tagops_parse),
		cmocka_unit_test(test_tag_then_undo_restores_exactly),
		cmocka_unit_test(test_undo_survives_restart),
		cmocka_unit_test(test_batches_and_journal),
		cmocka_unit_test(test_killed_writer_resumes),
		cmocka_unit_test(test_waits_for_lock),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
