/*
 * Unit tests of the write queue, the journal and undo against the fixture
 * database: tags land, undo restores exactly the previous tags (a message
 * that already had the tag keeps it), batches commit whole, a held write
 * lock delays a change without losing it, and a killed writer resumes.
 * Notes go the same way: journalled with the note before and after,
 * undone and redone, kept in notmuch properties with a tag to find them.
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
#include "trawl/note.h"
#include "trawl/paths.h"
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

	assert_string_equal(paths_for(c, db, PATHS_JOURNAL), beside);
	/* The case says which database it belongs to. */
	{
		const char *uuid = NULL;

		index_revision(c->idx, &uuid);
		assert_int_equal(fixture_sh(c->f, "grep -qx '%s' '%s/.notmuch/trawl/uuid'", uuid, db),
				 0);
	}
	assert_non_null(strstr(paths_for(c, db, PATHS_HINTS), "/.notmuch/trawl/hints"));
	assert_non_null(strstr(paths_for(c, db, PATHS_HEADS), "/.notmuch/trawl/heads"));
	/* The case directory cannot be made: the XDG state directory, said once. */
	assert_int_equal(fixture_sh(c->f, "mv '%s/.notmuch/trawl' '%s/trawl.aside' && "
					  "touch '%s/.notmuch/trawl'",
				    db, c->f->dir, db),
			 0);
	paths_take_notice();
	old = paths_for(c, db, PATHS_JOURNAL);
	assert_non_null(strstr(old, "/.state/trawl/journal/"));
	assert_non_null(paths_take_notice());
	assert_int_equal(journal_begin(old, &x), 0);
	/* Writable again: the journal moves beside the database, whole. */
	assert_int_equal(fixture_sh(c->f, "rm '%s/.notmuch/trawl' && mv '%s/trawl.aside' "
					  "'%s/.notmuch/trawl' && mv '%s' '%s.kept'",
				    db, c->f->dir, db, beside, beside),
			 0);
	path = paths_for(c, db, PATHS_JOURNAL);
	assert_string_equal(path, beside);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(journal_read(c, path, &e, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].ops, "+o");
	assert_non_null(strstr(paths_take_notice(), "moved beside the database"));
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


/* The note as stored: trimmed, checked; cut into pieces a Xapian term holds, joined back. */
static void
test_note_clean_split_join(void **state)
{
	struct ctx *c = *state;
	char *out, *why, *big, **pieces;
	size_t n, len = 0;
	const char *keys[8], *values[8];

	assert_int_equal(note_clean(c, "  paid twice; see invoice ", &out, &why), TRAWL_OK);
	assert_string_equal(out, "paid twice; see invoice");
	assert_int_equal(note_clean(c, "   ", &out, &why), TRAWL_OK);
	assert_string_equal(out, "");
	/* Bidi controls are kept (and shown neutralised); C0, DEL, C1 and bad UTF-8 are refused. */
	assert_int_equal(note_clean(c, "a \u202e b", &out, &why), TRAWL_OK);
	assert_int_equal(note_clean(c, "a\x1b[31mb", &out, &why), TRAWL_PARSE);
	assert_non_null(strstr(why, "control"));
	assert_int_equal(note_clean(c, "a\nb", &out, &why), TRAWL_PARSE);
	assert_int_equal(note_clean(c, "a\x7f", &out, &why), TRAWL_PARSE);
	assert_int_equal(note_clean(c, "a\xc2\x9b", &out, &why), TRAWL_PARSE);
	assert_int_equal(note_clean(c, "a\xff", &out, &why), TRAWL_PARSE);
	assert_int_equal(note_clean(c, "a\xc0\xaf", &out, &why), TRAWL_PARSE);
	big = talloc_array(c, char, NOTE_MAX + 2);
	memset(big, 'x', NOTE_MAX + 1);
	big[NOTE_MAX + 1] = '\0';
	assert_int_equal(note_clean(c, big, &out, &why), TRAWL_PARSE);
	big[NOTE_MAX] = '\0';
	assert_int_equal(note_clean(c, big, &out, &why), TRAWL_OK);

	/* 999 bytes of 3-byte characters: pieces never cut one, never exceed NOTE_PIECE. */
	big = talloc_strdup(c, "");
	for (int i = 0; i < 333; i++)
		big = talloc_strdup_append(big, "\u20ac");
	pieces = note_split(c, big, &n);
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		assert_true(strlen(pieces[i]) <= NOTE_PIECE);
		assert_int_equal(strlen(pieces[i]) % 3, 0);
		len += strlen(pieces[i]);
	}
	assert_int_equal(len, 999);
	assert_int_equal(n, 6); /* 198 bytes each, then 9 */
	note_split(c, "", &n);
	assert_int_equal(n, 0);

	/* Keys: trawl-note, trawl-note.2, ...; joined in piece order whatever the order given. */
	assert_string_equal(note_key(c, 0), "trawl-note");
	assert_string_equal(note_key(c, 1), "trawl-note.2");
	assert_int_equal(note_key_piece("trawl-note"), 0);
	assert_int_equal(note_key_piece("trawl-note.2"), 1);
	assert_int_equal(note_key_piece("trawl-note.10"), 9);
	assert_int_equal(note_key_piece("trawl-notes"), -1);
	assert_int_equal(note_key_piece("trawl-note.1"), -1);
	assert_int_equal(note_key_piece("trawl-note.x"), -1);
	keys[0] = "trawl-note.10", values[0] = "j";
	keys[1] = "trawl-note.2", values[1] = "b";
	keys[2] = "trawl-note", values[2] = "a";
	keys[3] = "trawl-notebook", values[3] = "?";
	keys[4] = "trawl-note.3", values[4] = "c";
	assert_string_equal(note_join(c, keys, values, 5), "abcj");
	assert_string_equal(note_join(c, keys, values, 0), "");
}

static char *
note_of(struct ctx *c, const char *mid)
{
	char *note;

	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	assert_int_equal(index_message_note(c->idx, c, mid, &note), TRAWL_OK);
	return note;
}

/*
 * A note lands with its tag, in notmuch properties other tools see; a long
 * one in pieces (one property value past 225 bytes makes libnotmuch exit);
 * undo and redo reverse each change exactly; the journal says what was
 * there before.
 */
static void
test_note_then_undo(void **state)
{
	struct ctx *c = *state;
	const char *mid = "budget-1@example.org", *why;
	char *longer = talloc_strdup(c, ""), *dump;
	struct journal_entry *e;
	size_t n;

	for (int i = 0; i < 60; i++)
		longer = talloc_asprintf_append(longer, "%02d: sehr wichtig \u2014 ", i);
	assert_true(strlen(longer) > 4 * NOTE_PIECE && strlen(longer) < NOTE_MAX);

	assert_non_null(review_note(c->rv, NULL, mid, "paid twice", NOTE_TAG));
	review_wait(c->rv);
	assert_string_equal(c->rv->error, "");
	assert_string_equal(note_of(c, mid), "paid twice");
	assert_int_equal(count(c, "tag:noted"), 1);
	assert_int_equal(count(c, "property:\"trawl-note=paid twice\""), 1);
	/* The thread model carries it; the export's fields too. */
	{
		struct index_thread *t;
		struct index_message *m;
		struct index_message_info info;
		size_t nt, nm;
		int seen = 0;

		assert_int_equal(index_threads(c->idx, c, "id:budget-1@example.org",
					       INDEX_SORT_NEWEST_FIRST, 0, 1, &t, &nt), TRAWL_OK);
		assert_int_equal(nt, 1);
		assert_int_equal(index_thread_messages(c->idx, c, t[0].thread_id, NULL, &m, &nm),
				 TRAWL_OK);
		for (size_t i = 0; i < nm; i++) {
			if (!strcmp(m[i].message_id, mid)) {
				assert_string_equal(m[i].note, "paid twice");
				seen = 1;
			} else {
				assert_string_equal(m[i].note, "");
			}
		}
		assert_true(seen);
		assert_int_equal(index_message_info(c->idx, c, mid, NULL, &info), TRAWL_OK);
		assert_string_equal(info.note, "paid twice");
	}

	assert_non_null(review_note(c->rv, NULL, mid, longer, NOTE_TAG));
	review_wait(c->rv);
	assert_string_equal(c->rv->error, "");
	assert_true(!strcmp(note_of(c, mid), longer)); /* (cmocka would print all of it) */
	assert_int_equal(count(c, "tag:noted"), 1);
	assert_int_equal(fixture_sh(c->f, "notmuch dump --include=properties id:%s | "
					  "grep -q 'trawl-note.2='", mid), 0);

	/* Undo: back to the short note, the tag stays; undo again: no note, no tag. */
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "paid twice");
	assert_int_equal(count(c, "tag:noted"), 1);
	assert_int_equal(fixture_sh(c->f, "notmuch dump --include=properties id:%s | "
					  "grep -q 'trawl-note.2='", mid), 1);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "");
	assert_int_equal(count(c, "tag:noted"), 0);
	dump = talloc_asprintf(c, "notmuch dump --include=properties id:%s | grep -q trawl-note", mid);
	assert_int_equal(fixture_sh(c->f, "%s", dump), 1);
	/* Redo brings the note back. */
	assert_non_null(review_undo(c->rv, 1, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "paid twice");
	assert_int_equal(count(c, "tag:noted"), 1);

	/* The journal: "note" entries, with the note before and after on their M lines. */
	assert_int_equal(journal_read(c, c->rv->journal_path, &e, &n), TRAWL_OK);
	assert_true(n >= 5);
	e += n - 5; /* the two notes, two undos, the redo */
	assert_string_equal(e[0].kind, "note");
	assert_string_equal(e[0].ops, "note \"paid twice\"");
	assert_int_equal(journal_load_changes(c, c->rv->journal_path, &e[0]), TRAWL_OK);
	assert_int_equal(e[0].n_changes, 1);
	assert_string_equal(e[0].note_old[0], "");
	assert_string_equal(e[0].note_new[0], "paid twice");
	assert_string_equal(e[0].delta[0]->ops[0].tag, "noted");
	assert_int_equal(journal_load_changes(c, c->rv->journal_path, &e[1]), TRAWL_OK);
	assert_string_equal(e[1].note_old[0], "paid twice");
	assert_true(!strcmp(e[1].note_new[0], longer));
	assert_int_equal(e[1].delta[0]->n, 0); /* the tag was there already */
	assert_string_equal(e[3].kind, "undo");
	assert_int_equal(e[3].undoes, e[0].id);
	assert_int_equal(journal_load_changes(c, c->rv->journal_path, &e[3]), TRAWL_OK);
	assert_string_equal(e[3].note_old[0], "paid twice");
	assert_string_equal(e[3].note_new[0], "");
	assert_false(e[3].delta[0]->ops[0].add);

	/* Removing it takes the tag too; undo is the way back. */
	assert_non_null(review_note(c->rv, NULL, mid, "", NOTE_TAG));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "");
	assert_int_equal(count(c, "tag:noted"), 0);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "paid twice");
	/* Leave the database as it was. */
	assert_non_null(review_note(c->rv, NULL, mid, "", NOTE_TAG));
	review_wait(c->rv);
	assert_int_equal(count(c, "tag:noted"), 0);
}

/* Undo leaves alone a note somebody else changed since (and its tag). */
static void
test_note_undo_keeps_others_note(void **state)
{
	struct ctx *c = *state;
	const char *mid = "budget-2@example.org", *why;

	assert_non_null(review_note(c->rv, NULL, mid, "mine", NOTE_TAG));
	review_wait(c->rv);
	assert_int_equal(fixture_sh(c->f, "printf '#notmuch-dump batch-tag:3 properties\\n"
					  "#= %s trawl-note=theirs\\n' | "
					  "notmuch restore --include=properties", mid), 0);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(c->rv->error, "");
	assert_non_null(strstr(c->rv->notice, "1 message left as it is (its note was changed since)"));
	c->rv->notice[0] = '\0';
	assert_string_equal(note_of(c, mid), "theirs");
	assert_int_equal(count(c, "tag:noted"), 1);
	assert_non_null(review_note(c->rv, NULL, mid, "", NOTE_TAG));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "");
	assert_int_equal(count(c, "tag:noted"), 0);
}

/* Another process holds the write lock: the note waits in the queue, then lands. */
static void
test_note_waits_for_lock(void **state)
{
	struct ctx *c = *state;
	FILE *holder;
	char line[64];
	char *cmd = talloc_asprintf(c, "%s/tests/unit/hold-lock 30",
				    getenv("top_builddir") ? getenv("top_builddir") : ".");
	const char *why;
	int waited = 0;

	holder = popen(talloc_asprintf(c, "sleep 2 | %s", cmd), "r");
	assert_non_null(holder);
	assert_non_null(fgets(line, sizeof(line), holder));
	assert_string_equal(line, "locked\n");
	review_note(c->rv, NULL, "reunion-1@example.fr", "after the lock", NOTE_TAG);
	for (int i = 0; i < 100; i++) {
		review_poll(c->rv);
		usleep(10000);
	}
	if (c->rv->n_queue == 1) {
		waited = 1;
		assert_non_null(strstr(review_status(c, c->rv), "waiting for the database lock"));
	}
	review_wait(c->rv);
	pclose(holder);
	assert_true(waited);
	assert_string_equal(note_of(c, "reunion-1@example.fr"), "after the lock");
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, "reunion-1@example.fr"), "");
}

/*
 * The writer stopped between the commit of a note edit (its tag already
 * there: the note alone shows it) and the C line: the resumed writer finds
 * it in the database, and undo reverses it once.
 */
static void
test_note_stop_between_commit_and_journal(void **state)
{
	struct ctx *c = *state;
	const char *mid = "digest-1@example.com", *why;
	struct journal_entry *e;
	size_t n;

	assert_non_null(review_note(c->rv, NULL, mid, "first", NOTE_TAG));
	review_wait(c->rv);
	setenv("TRAWL_TEST_STOP_AFTER_COMMIT", "1", 1);
	assert_non_null(review_note(c->rv, NULL, mid, "second", NOTE_TAG));
	review_wait(c->rv);
	unsetenv("TRAWL_TEST_STOP_AFTER_COMMIT");
	assert_string_equal(c->rv->error, "");
	assert_string_equal(note_of(c, mid), "second");
	assert_int_equal(journal_read(c, c->rv->journal_path, &e, &n), TRAWL_OK);
	assert_string_equal(e[n - 1].kind, "note");
	assert_int_equal(e[n - 1].committed, 1);
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "first");
	assert_non_null(review_undo(c->rv, 0, &why));
	review_wait(c->rv);
	assert_string_equal(note_of(c, mid), "");
	assert_int_equal(count(c, "tag:noted"), 0);
}

/*
 * Journal records: an older journal (M lines with and without deltas, no
 * notes) still reads, with no note; a note's M line reads back; `trawl log`
 * shows the note before and after, neutralised, in text and CSV.
 */
static void
test_note_journal_records(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/notes.log", c->f->dir);
	char *out = talloc_asprintf(c, "%s/notes.out", c->f->dir);
	struct journal_entry *e, x = {.time = 1, .reviewer = "alice", .kind = "note",
				      .query = "id:m@x", .ops = "note \"x\"", .count = 1,
				      .session = "s1"};
	struct index_old_tags old = {.message_id = "m@x", .tags = (char *[]){"inbox"}, .n = 1,
				     .found = 1, .note = "was\there"};
	struct tagops add = {.ops = (struct tagop[]){{.tag = "noted", .add = 1}}, .n = 1};
	struct index_change ch = {.message_id = "m@x", .ops = &add,
				  .note = "\xe2\x80\xae" "evil\x1b[2J =cmd"};
	struct journal_batch *b;
	size_t n;
	FILE *f;

	/* Lines of an older trawl: no checksums, an M line without a delta, one with. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("E\t1\t100\tbob\ttag\t0\t*\t+a\t2\n"
	      "M\t1\t0\told@x\tinbox\n"
	      "M\t1\t0\told2@x\tinbox\t+a\n"
	      "C\t1\t0\t2\t101\n"
	      "X\t1\t102\tdone\n",
	      f);
	fclose(f);
	assert_int_equal(journal_read(c, path, &e, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(journal_load_changes(c, path, &e[0]), TRAWL_OK);
	assert_int_equal(e[0].n_changes, 2);
	assert_null(e[0].delta[0]);
	assert_null(e[0].note_new[0]);
	assert_null(e[0].note_new[1]);
	assert_string_equal(e[0].delta[1]->ops[0].tag, "a");

	/* A note's lines, after the older ones. */
	assert_int_equal(journal_begin(path, &x), 0);
	assert_int_equal(x.id, 2);
	assert_int_equal(journal_batch_old(path, x.id, 0, &ch, &old, 1), 0);
	assert_int_equal(journal_batch_committed(path, x.id, 0, 1), 0);
	assert_int_equal(journal_end(path, x.id, "done"), 0);
	/* A skipped message (an undo whose note somebody changed): no delta, no note. */
	old.skipped = 1;
	assert_int_equal(journal_batch_old(path, 99, 0, &ch, &old, 1), 0);
	old.skipped = 0;
	assert_int_equal(fixture_sh(c->f, "grep -c '^M' '%s' | grep -qx 4", path), 0);
	/* No control character reaches the file: `cat journal.log` is safe. */
	assert_int_equal(fixture_sh(c->f, "! grep -q \"$(printf '\\033')\" '%s'", path), 0);
	assert_int_equal(journal_batches(c, path, 99, &b, &n), TRAWL_OK);
	assert_int_equal(b[0].delta[0]->n, 0);
	assert_null(b[0].note_new[0]);
	assert_int_equal(journal_batches(c, path, 2, &b, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(b[0].note_old[0], "was\there");
	assert_string_equal(b[0].note_new[0], ch.note);
	assert_int_equal(journal_read(c, path, &e, &n), TRAWL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(journal_load_changes(c, path, &e[1]), TRAWL_OK);
	assert_string_equal(e[1].note_old[0], "was\there");
	assert_string_equal(e[1].note_new[0], ch.note);
	assert_string_equal(e[1].delta[0]->ops[0].tag, "noted");

	/* Text: one line per note under its entry, neutralised. */
	f = fopen(out, "w");
	assert_int_equal(journal_print(path, f, 0, NULL), TRAWL_OK);
	fclose(f);
	assert_int_equal(fixture_sh(c->f, "grep -qF 'note of m@x: \"was     here\" -> "
					  "\"<U+202E>evil^[[2J =cmd\"' '%s'", out), 0);
	assert_int_equal(fixture_sh(c->f, "! grep -q \"$(printf '\\033')\" '%s'", out), 0);
	assert_int_equal(fixture_sh(c->f, "grep -c 'note of' '%s' | grep -qx 1", out), 0);
	/* CSV: two more columns, empty for the older entry. */
	f = fopen(out, "w");
	assert_int_equal(journal_print(path, f, 1, NULL), TRAWL_OK);
	fclose(f);
	assert_int_equal(fixture_sh(c->f, "head -1 '%s' | grep -q ',end,confirmed,note_before,note_after\r$'",
				    out), 0);
	assert_int_equal(fixture_sh(c->f, "sed -n 2p '%s' | grep -q '\"done\",\"\",\"\",\"\"\r$'", out),
			 0);
	assert_int_equal(fixture_sh(c->f, "sed -n 3p '%s' | grep -qF '\"was     here\","
					  "\"<U+202E>evil^[[2J =cmd\"'", out), 0);
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
		cmocka_unit_test(test_note_clean_split_join),
		cmocka_unit_test(test_note_then_undo),
		cmocka_unit_test(test_note_undo_keeps_others_note),
		cmocka_unit_test(test_note_waits_for_lock),
		cmocka_unit_test(test_note_stop_between_commit_and_journal),
		cmocka_unit_test(test_note_journal_records),
		cmocka_unit_test(test_handed_over_taken_over_once),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
