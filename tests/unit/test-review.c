/*
 * Unit tests of the write queue, the journal and undo against the fixture
 * database: tags land, undo restores exactly the previous tags (a message
 * that already had the tag keeps it), batches commit whole, a held write
 * lock delays a change without losing it, and a killed writer resumes.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Two sessions append at once: every id is distinct and every line reads back. */
static void
test_concurrent_ids(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/concurrent.log", c->f->dir);
	struct journal_entry *e;
	size_t n, damaged;
	pid_t kids[2];

	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			for (int i = 0; i < 40; i++) {
				struct journal_entry x = {.time = 1, .reviewer = k ? "bob" : "alice",
							  .kind = "tag", .query = "*", .ops = "+x",
							  .count = 1, .session = k ? "s2" : "s1"};

				if (journal_begin(path, &x) != 0 || journal_end(path, x.id, "done") != 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st;

		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(journal_read_checked(c, path, &e, &n, &damaged), TRAWL_OK);
	assert_int_equal(n, 80);
	assert_int_equal(damaged, 0);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(e[i].end, "done");
		for (size_t j = i + 1; j < n; j++)
			assert_true(e[i].id != e[j].id);
	}
}

/*
 * A line torn by a full disk (here: the file size limit) is recognised
 * and skipped, and the next record is not glued to it.
 */
static void
test_torn_line_skipped(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/torn.log", c->f->dir);
	struct journal_entry x = {.time = 1, .reviewer = "alice", .kind = "tag", .query = "*",
				  .ops = "+first", .count = 3, .session = "s1"};
	struct index_old_tags old = {.message_id = "m@x", .tags = (char *[]){"a", "b"}, .n = 2,
				     .found = 1};
	struct index_change ch = {.message_id = "m@x", .ops = ops(c, "+first")};
	struct journal_entry *e;
	struct journal_batch *b;
	size_t n, damaged;
	struct stat st;
	pid_t kid;
	int status;

	assert_int_equal(journal_begin(path, &x), 0);
	assert_int_equal(stat(path, &st), 0);
	kid = fork();
	if (kid == 0) {
		struct rlimit rl = {(rlim_t)st.st_size + 20, (rlim_t)st.st_size + 20};

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		/* The M line does not fit: a torn line stays at the end of the file. */
		_exit(journal_batch_old(path, x.id, 0, &ch, &old, 1) == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(kid, &status, 0), kid);
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_int_equal(fixture_sh(c->f, "tail -c 1 '%s' | od -c | grep -qv '\\\\n'", path), 0);
	/* Space again: the next records land whole and read back. */
	assert_int_equal(journal_batch_old(path, x.id, 0, &ch, &old, 1), 0);
	assert_int_equal(journal_batch_committed(path, x.id, 0, 1), 0);
	assert_int_equal(journal_read_checked(c, path, &e, &n, &damaged), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(damaged, 1);
	assert_int_equal(e[0].committed, 1);
	assert_int_equal(journal_batches(c, path, x.id, &b, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(b[0].n, 1);
	assert_string_equal(b[0].message_ids[0], "m@x");
	assert_int_equal(b[0].delta[0]->n, 1);
	assert_string_equal(b[0].delta[0]->ops[0].tag, "first");
	/* A line cut short inside (truncate) is damage too, never a shorter line. */
	assert_int_equal(fixture_sh(c->f, "truncate -s -5 '%s'", path), 0);
	assert_int_equal(journal_end(path, x.id, "done"), 0);
	assert_int_equal(journal_read_checked(c, path, &e, &n, &damaged), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(damaged, 2);
	assert_int_equal(e[0].committed, 0);
	assert_string_equal(e[0].end, "done");
}

/* Undo reverses its own change and nothing else: another program's tag stays. */
static void
test_undo_keeps_others_tags(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	const char *why;

	ids_of(c, "id:budget-1@example.org", &ids, &n);
	review_tag(c->rv, "id:budget-1@example.org", NULL, ids, n, ops(c, "+mine -inbox"), 0);
	review_wait(c->rv);
	assert_int_equal(fixture_sh(c->f, "notmuch tag +colleague -- id:budget-1@example.org"), 0);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_int_equal(count(c, "id:budget-1@example.org and tag:colleague"), 1);
	assert_int_equal(count(c, "id:budget-1@example.org and tag:mine"), 0);
	assert_int_equal(count(c, "id:budget-1@example.org and tag:inbox"), 1);
	assert_int_equal(fixture_sh(c->f, "notmuch tag -colleague -- '*'"), 0);
}

/*
 * The writer stopped between a batch's commit and its C line (as C-c,
 * "quit and drop", SIGTERM could): the resumed writer finds the batch in
 * the database and records it instead of applying it again, so undo
 * restores every message exactly.
 */
static void
test_stop_between_commit_and_journal(void **state)
{
	struct ctx *c = *state;
	char **ids;
	size_t n;
	const char *why;

	assert_int_equal(fixture_sh(c->f, "notmuch dump > '%s/before'", c->f->dir), 0);
	c->rv->batch = 2;
	ids_of(c, "*", &ids, &n);
	setenv("TRAWL_TEST_STOP_AFTER_COMMIT", "1", 1);
	review_tag(c->rv, "*", NULL, ids, n, ops(c, "+stopped -unread"), 1);
	review_wait(c->rv);
	unsetenv("TRAWL_TEST_STOP_AFTER_COMMIT");
	c->rv->batch = REVIEW_BATCH;
	assert_string_equal(c->rv->error, "");
	assert_int_equal(count(c, "tag:stopped"), 6);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:stopped"), 0);
	assert_int_equal(fixture_sh(c->f, "notmuch dump | diff - '%s/before'", c->f->dir), 0);
}

/*
 * The case keeps its state: the journal lives beside the database; where
 * that cannot be written the XDG directory is used and said once; a
 * journal left there is moved beside the database when it can be.
 */
static void
test_journal_beside_database(void **state)
{
	struct ctx *c = *state;
	const char *db = index_db_path(c->idx);
	char *beside = talloc_asprintf(c, "%s/.notmuch/trawl/journal.log", db), *old, *path;
	struct journal_entry x = {.time = 1, .reviewer = "r", .kind = "tag", .query = "q",
				  .ops = "+o", .count = 0, .session = ""};
	struct journal_entry *e;
	size_t n;

	assert_string_equal(journal_path_for(c, db), beside);
	/* The case says which database it belongs to. */
	{
		const char *uuid = NULL;

		index_revision(c->idx, &uuid);
		assert_int_equal(fixture_sh(c->f, "grep -qx '%s' '%s/.notmuch/trawl/uuid'", uuid, db),
				 0);
	}
	assert_non_null(strstr(journal_state_path(c, db, ".hints"), "/.notmuch/trawl/hints"));
	assert_non_null(strstr(journal_cache_path(c, db, ".heads"), "/.notmuch/trawl/heads"));
	/* The case directory cannot be made: the XDG state directory, said once. */
	assert_int_equal(fixture_sh(c->f, "mv '%s/.notmuch/trawl' '%s/trawl.aside' && "
					  "touch '%s/.notmuch/trawl'",
				    db, c->f->dir, db),
			 0);
	journal_take_notice();
	old = journal_path_for(c, db);
	assert_non_null(strstr(old, "/.state/trawl/journal/"));
	assert_non_null(journal_take_notice());
	assert_int_equal(journal_begin(old, &x), 0);
	/* Writable again: the journal moves beside the database, whole. */
	assert_int_equal(fixture_sh(c->f, "rm '%s/.notmuch/trawl' && mv '%s/trawl.aside' "
					  "'%s/.notmuch/trawl' && mv '%s' '%s.kept'",
				    db, c->f->dir, db, beside, beside),
			 0);
	path = journal_path_for(c, db);
	assert_string_equal(path, beside);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(journal_read(c, path, &e, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].ops, "+o");
	assert_non_null(strstr(journal_take_notice(), "moved beside the database"));
	assert_int_equal(fixture_sh(c->f, "mv '%s.kept' '%s'", beside, beside), 0);
}

/*
 * An entry a session handed over as it ended (SIGTERM) is taken over by
 * the next session once, written, and undone as that session's own; a
 * second session cannot take it too.
 */
static void
test_handed_over_taken_over_once(void **state)
{
	struct ctx *c = *state;
	const char *path = c->rv->journal_path, *why = NULL;
	struct journal_entry x = {.time = 1, .reviewer = "gone", .kind = "tag", .query = "*",
				  .ops = "+handed", .session = "1-1-00000000"};
	struct journal_entry *e;
	struct review *rv;
	char **ids;
	size_t n, k;

	ids_of(c, "*", &ids, &n);
	x.count = n;
	assert_int_equal(journal_begin(path, &x), 0);
	assert_int_equal(journal_hand_over(path, x.id, ids, NULL, n), 0);
	rv = review_new(c, c->idx, "tester", 0);
	assert_int_equal(rv->n_queue, 1);
	assert_non_null(strstr(rv->notice, "left by a trawl session that ended"));
	assert_int_equal(journal_take_over(path, x.id, "1-1-00000000", "another"), -1);
	assert_int_equal(errno, EBUSY);
	review_wait(rv);
	assert_string_equal(rv->error, "");
	assert_int_equal(count(c, "tag:handed"), n);
	assert_int_equal(journal_read(c, path, &e, &k), TRAWL_OK);
	assert_string_equal(e[k - 1].end, "done");
	assert_int_equal(e[k - 1].handed_over, n);
	assert_string_equal(e[k - 1].session, rv->session);
	assert_non_null(review_undo(rv, 0, &why));
	review_wait(rv);
	assert_int_equal(count(c, "tag:handed"), 0);
	talloc_free(rv);
}

static int
sleeping_job(bg_writer_t *w, void *arg)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());

	(void)arg;
	bg_write(w, 'P', pid, (size_t)n);
	sleep(30);
	return 0;
}

static void
on_pid(void *ud, char type, const char *payload, size_t len)
{
	if (type == 'P')
		snprintf(ud, 32, "%.*s", (int)len, payload);
}

/*
 * A background job dies with the UI (a writer left behind held the write
 * lock forever: issue 22), and never has the terminal.
 */
static void
test_job_dies_with_ui(void **state)
{
	int p[2];
	pid_t ui;
	long job = 0;
	char buf[64], link[256];
	ssize_t r;

	(void)state;
	assert_int_equal(pipe(p), 0);
	ui = fork();
	if (ui == 0) {
		bg_job_t *j;
		char pid[32] = "";

		close(p[0]);
		if (bg_start(NULL, "sleeper", sleeping_job, NULL, &j) != TRAWL_OK)
			_exit(1);
		while (!*pid && bg_poll(j, 4096, on_pid, pid) == BG_RUNNING)
			usleep(1000);
		dprintf(p[1], "%s\n", pid);
		pause();
		_exit(0);
	}
	close(p[1]);
	r = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(r > 0);
	buf[r] = '\0';
	job = strtol(buf, NULL, 10);
	assert_true(job > 0);
	snprintf(buf, sizeof(buf), "/proc/%ld/fd/2", job);
	r = readlink(buf, link, sizeof(link) - 1);
	link[r > 0 ? r : 0] = '\0';
	kill(ui, SIGKILL);
	waitpid(ui, NULL, 0);
	if (strcmp(link, "/dev/null") != 0) {
		kill((pid_t)job, SIGKILL);
		fail_msg("the job's stderr is %s, not /dev/null", link);
	}
	for (int i = 0; i < 200 && kill((pid_t)job, 0) == 0; i++) {
		char stat[64];
		FILE *f;
		int zombie = 0;

		/* Reparented and dead but not reaped yet counts as gone. */
		snprintf(stat, sizeof(stat), "/proc/%ld/stat", job);
		f = fopen(stat, "r");
		if (f) {
			zombie = fscanf(f, "%*d %*s %c", stat) == 1 && stat[0] == 'Z';
			fclose(f);
		}
		if (zombie)
			break;
		usleep(10000);
	}
	{
		char stat[64];
		FILE *f;
		int alive;

		snprintf(stat, sizeof(stat), "/proc/%ld/stat", job);
		f = fopen(stat, "r");
		alive = f && fscanf(f, "%*d %*s %c", stat) == 1 && stat[0] != 'Z';
		if (f)
			fclose(f);
		if (alive)
			kill((pid_t)job, SIGKILL);
		assert_false(alive);
	}
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
		cmocka_unit_test(test_concurrent_ids),
		cmocka_unit_test(test_torn_line_skipped),
		cmocka_unit_test(test_undo_keeps_others_tags),
		cmocka_unit_test(test_stop_between_commit_and_journal),
		cmocka_unit_test(test_journal_beside_database),
		cmocka_unit_test(test_job_dies_with_ui),
		cmocka_unit_test(test_handed_over_taken_over_once),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
