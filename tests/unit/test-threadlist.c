/* Unit tests of the lazily filled thread list against the fixture database. */
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
#include "trawl/demo.h"
#include "trawl/headcache.h"
#include "trawl/hints.h"
#include "trawl/paths.h"
#include "trawl/threadlist.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);

	c->idx = fixture_index(c, NULL, &c->f);
	/* Mark one message reviewed so the counts have something to count. */
	assert_int_equal(fixture_sh(c->f, "notmuch tag +reviewed -- id:budget-2@example.org"), 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	*state = c;
	return 0;
}

static void
test_load_all_and_count(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);

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
	struct threadlist *tl = threadlist_new(c, c->idx, "", INDEX_SORT_OLDEST_FIRST, 0);

	threadlist_wait(tl);
	assert_int_equal(tl->n_rows, 4);
	assert_string_equal(tl->rows[0].subject, "Quarterly budget review");
	talloc_free(tl);
}

static void
test_bad_query_is_an_error_state(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl =
		threadlist_new(c, c->idx, "from:alice and (", INDEX_SORT_NEWEST_FIRST, 0);

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
	struct threadlist *tl =
		threadlist_new(c, c->idx, "tag:nosuchtag", INDEX_SORT_NEWEST_FIRST, 0);

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
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);
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
	ref = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);
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

	ref = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);
	threadlist_wait(ref);
	setenv("TRAWL_TEST_LOADER_DELAY_US", "200000", 1);
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);
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
	tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST, 0);
	threadlist_load_tail(tl, 50);
	threadlist_wait(tl);
	unsetenv("TRAWL_TEST_LOADER_DELAY_US");
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_int_equal(threadlist_len(tl), 4);
	assert_string_equal(threadlist_row(tl, 0)->subject, "Weekly digest");
	assert_string_equal(threadlist_row(tl, 3)->subject, "Quarterly budget review");
	talloc_free(tl);
}

/* Row by row, the list equals the library's own paging of the whole query. */
static void
assert_same_as_index(index_t *idx, struct threadlist *tl, const char *query, enum index_sort sort)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct index_thread *ref;
	size_t n;

	assert_int_equal(index_threads(idx, tmp, query, sort, 0, 1000000, &ref, &n), TRAWL_OK);
	assert_int_equal(tl->state, THREADLIST_DONE);
	assert_int_equal(tl->n_rows, n);
	for (size_t i = 0; i < n; i++) {
		const struct index_thread *a = &tl->rows[i], *b = &ref[i];

		assert_string_equal(a->thread_id, b->thread_id);
		assert_string_equal(a->authors, b->authors);
		assert_string_equal(a->subject, b->subject);
		assert_string_equal(a->tags, b->tags);
		assert_true(a->newest == b->newest && a->oldest == b->oldest);
		assert_true(a->matched == b->matched && a->total == b->total);
		assert_int_equal(a->unreviewed, b->unreviewed);
	}
	talloc_free(tmp);
}

static struct threadlist *
load_with(index_t *idx, const char *query, enum index_sort sort, unsigned flags)
{
	struct threadlist *tl = threadlist_new(idx, idx, query, sort, flags);

	threadlist_wait(tl);
	return tl;
}

static struct threadlist *
load(index_t *idx, const char *query, enum index_sort sort)
{
	return load_with(idx, query, sort, 0);
}

/* Loads query, checks it row by row against the library, returns its head_rows. */
static size_t
load_exact(index_t *idx, const char *query, enum index_sort sort)
{
	struct threadlist *tl = load(idx, query, sort);
	size_t head = tl->head_rows;

	assert_same_as_index(idx, tl, query, sort);
	talloc_free(tl);
	return head;
}

/* A demo cache of n messages in the fixture's dir/name, opened; *cfg is its notmuch config. */
static index_t *
demo_index(struct ctx *c, const char *name, unsigned n, char **cfg)
{
	char *err = NULL, *dir = talloc_asprintf(c, "%s/%s", c->f->dir, name);
	index_t *idx;

	assert_int_equal(demo_make_cache(c, dir, n, &err), TRAWL_OK);
	*cfg = talloc_asprintf(c, "%s/notmuch-config", dir);
	assert_int_equal(index_open(c, NULL, *cfg, &idx, &err), TRAWL_OK);
	return idx;
}

/*
 * The head found through a date window next to the database's newest
 * (oldest) date gives exactly the rows the cursor gives, whatever the
 * hint says; it is used once a first load of `*` has left the hint.
 */
static void
test_head_window_is_exact(void **state)
{
	struct ctx *c = *state;
	char *cfg, *hints;
	const char *queries[] = {"*", "not tag:reviewed", "from:\"Hélène\" or to:conseil", "attachment"};
	index_t *idx = demo_index(c, "demo", 1200, &cfg);
	struct threadlist *tl;
	FILE *f;

	hints = paths_for(c, index_db_path(idx), PATHS_HINTS);
	unlink(hints);
	/* The demo cache is small: every query would be sorted whole. */
	setenv("TRAWL_TEST_WINDOW_MIN", "1", 1);
	setenv("TRAWL_TEST_WINDOW_DAYS", "60", 1);

	/*
	 * No hint yet: the cursor alone.  The first load leaves both of the
	 * database's date bounds (the counter finds the one its loader did
	 * not read): the first and last rows' dates.
	 */
	tl = load(idx, "attachment", INDEX_SORT_NEWEST_FIRST);
	assert_int_equal(tl->head_rows, 0);
	talloc_free(tl);
	for (int sort = 0; sort < 2; sort++) {
		enum index_sort s = sort ? INDEX_SORT_OLDEST_FIRST : INDEX_SORT_NEWEST_FIRST;
		struct index_thread *ref;
		long long bound, edge;
		size_t n;

		assert_int_equal(index_threads(idx, c, "*", s, 0, 1, &ref, &n), TRAWL_OK);
		assert_int_equal(hints_get(hints, sort ? "oldest" : "newest", &bound), 1);
		assert_int_equal(index_edge_date(idx, "*", s, &edge), TRAWL_OK);
		assert_true(bound == edge && bound == (sort ? ref[0].oldest : ref[0].newest));
	}
	/* A window too sparse for a head is widened only for a query known to be large. */
	/* Sparse in 60 days and of unknown size; its counter leaves the count of `*`. */
	assert_int_equal(load_exact(idx, "*", INDEX_SORT_NEWEST_FIRST), 0);
	for (int sort = 0; sort < 2; sort++) {
		enum index_sort s = sort ? INDEX_SORT_OLDEST_FIRST : INDEX_SORT_NEWEST_FIRST;

		assert_true(load_exact(idx, "*", s) > 0); /* known large: the window is widened */
		for (size_t q = 1; q < sizeof(queries) / sizeof(*queries); q++)
			load_exact(idx, queries[q], s);
		/*
		 * A helper child builds every other row of the head; when it
		 * dies part way (here after 3 rows), the loader builds the rest.
		 */
		setenv("TRAWL_TEST_HEAD_HELPER_ROWS", "3", 1);
		assert_true(load_exact(idx, "*", s) > 8);
		unsetenv("TRAWL_TEST_HEAD_HELPER_ROWS");
	}
	/* The tail (the last screen for G) through a window at the other end. */
	for (int sort = 0; sort < 2; sort++) {
		enum index_sort s = sort ? INDEX_SORT_OLDEST_FIRST : INDEX_SORT_NEWEST_FIRST;
		TALLOC_CTX *tmp = talloc_new(NULL);
		struct index_thread *ref;
		size_t n;

		assert_int_equal(index_threads(idx, tmp, "*", s, 0, 1000000, &ref, &n), TRAWL_OK);
		setenv("TRAWL_TEST_LOADER_DELAY_US", "200000", 1);
		tl = threadlist_new(idx, idx, "*", s, 0);
		threadlist_load_tail(tl, 20);
		while (!tl->tail_done)
			threadlist_poll(tl, 1 << 20), usleep(2000);
		unsetenv("TRAWL_TEST_LOADER_DELAY_US");
		assert_int_equal(tl->n_tail, 20);
		for (size_t i = 0; i < 20; i++) {
			const struct index_thread *a = &tl->tail[i], *b = &ref[n - 1 - i];

			assert_string_equal(a->thread_id, b->thread_id);
			assert_string_equal(a->subject, b->subject);
			assert_true(a->newest == b->newest && a->matched == b->matched);
		}
		talloc_free(tl);
		talloc_free(tmp);
	}
	/* Hints far off either way only cost time. */
	for (int k = 0; k < 3; k++) {
		const char *bounds[] = {"4102444800", "631152000", "0"};

		f = fopen(hints, "w");
		assert_non_null(f);
		fprintf(f, "%s\tnewest\n%s\toldest\n", bounds[k], bounds[k]);
		fclose(f);
		load_exact(idx, "*", INDEX_SORT_NEWEST_FIRST);
		load_exact(idx, "*", INDEX_SORT_OLDEST_FIRST);
	}
	/* A query counted small before is sorted whole, without a window. */
	setenv("TRAWL_TEST_WINDOW_MIN", "1000", 1);
	unlink(hints);
	load_exact(idx, "*", INDEX_SORT_NEWEST_FIRST);
	assert_true(load_exact(idx, "*", INDEX_SORT_NEWEST_FIRST) > 0);
	load_exact(idx, "attachment", INDEX_SORT_NEWEST_FIRST); /* its count goes into the hints */
	assert_int_equal(load_exact(idx, "attachment", INDEX_SORT_NEWEST_FIRST), 0);
	unsetenv("TRAWL_TEST_WINDOW_MIN");
	unsetenv("TRAWL_TEST_WINDOW_DAYS");
	talloc_free(idx);
}

static void
test_hints_file(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/state/sub/db.hints", c->f->dir), key[32];
	long long v = 7;

	assert_int_equal(hints_get(path, "newest", &v), 0);
	assert_int_equal(v, 7);
	hints_set(path, "newest", 1500000000);
	hints_set(path, "count tag:\"a b\" or é", 42);
	hints_set(path, "newest", 1600000000);
	hints_set(path, "bad\tkey", 1);
	assert_int_equal(hints_get(path, "newest", &v), 1);
	assert_int_equal(v, 1600000000);
	assert_int_equal(hints_get(path, "count tag:\"a b\" or é", &v), 1);
	assert_int_equal(v, 42);
	assert_int_equal(hints_get(path, "bad\tkey", &v), 0);
	/* The file stays small: the oldest keys go. */
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "count k%d", i);
		hints_set(path, key, i);
	}
	assert_int_equal(hints_get(path, "count k0", &v), 0);
	assert_int_equal(hints_get(path, "count k299", &v), 1);
	assert_int_equal(v, 299);
	/* The dates are kept however many counts come after them. */
	assert_int_equal(hints_get(path, "newest", &v), 1);
	assert_int_equal(v, 1600000000);
	assert_int_equal(fixture_sh(c->f, "test $(wc -l < '%s') -le 256", path), 0);
}

/* Loads query with the head cache, checks it row by row, returns whether its head came from it. */
static int
load_cached(index_t *idx, const char *query, enum index_sort sort)
{
	struct threadlist *tl = load_with(idx, query, sort, THREADLIST_HEAD_CACHE);
	int cached = tl->head_cached;

	assert_same_as_index(idx, tl, query, sort);
	if (cached)
		assert_true(tl->head_rows > 0);
	talloc_free(tl);
	return cached;
}

/*
 * A list opened again on a database nobody committed to since takes its
 * head from the cache, and it is exactly the library's; a commit by any
 * program makes the cache unusable until a loader, or the counter that
 * runs after trawl's own commits, stores the new head.
 */
static void
test_head_cache(void **state)
{
	struct ctx *c = *state;
	char *cfg, *heads, *tid;
	index_t *idx = demo_index(c, "cached", 600, &cfg);
	struct threadlist *tl;
	FILE *f;

	heads = headcache_path_for(c, index_db_path(idx));
	unlink(heads);

	for (int sort = 0; sort < 2; sort++) {
		enum index_sort s = sort ? INDEX_SORT_OLDEST_FIRST : INDEX_SORT_NEWEST_FIRST;

		assert_false(load_cached(idx, "*", s));
		assert_int_equal(access(heads, R_OK), 0);
		assert_true(load_cached(idx, "*", s));
		assert_false(load_cached(idx, "not tag:reviewed", s));
		assert_true(load_cached(idx, "not tag:reviewed", s));
	}
	tl = load_with(idx, "*", INDEX_SORT_NEWEST_FIRST, THREADLIST_HEAD_CACHE);
	assert_true(tl->n_rows > 64 && tl->head_cached && tl->head_rows == 64);
	tid = talloc_strdup(c, tl->rows[0].thread_id);
	talloc_free(tl);
	/* A list shorter than a head is kept whole: reopened, it is complete at once. */
	assert_false(load_cached(idx, talloc_asprintf(c, "thread:%s", tid), INDEX_SORT_NEWEST_FIRST));
	assert_true(load_cached(idx, talloc_asprintf(c, "thread:%s", tid), INDEX_SORT_NEWEST_FIRST));
	assert_false(load_cached(idx, "tag:nosuchtag", INDEX_SORT_NEWEST_FIRST));
	assert_false(load_cached(idx, "tag:nosuchtag", INDEX_SORT_NEWEST_FIRST)); /* nothing kept */
	/* A list that may change with the clock alone is never kept. */
	assert_false(load_cached(idx, "date:2000..", INDEX_SORT_NEWEST_FIRST));
	assert_false(load_cached(idx, "date:2000..", INDEX_SORT_NEWEST_FIRST));

	/* Another program commits: the cache is not used, the rows show its change... */
	assert_int_equal(fixture_sh(c->f, "NOTMUCH_CONFIG='%s' notmuch tag +flagged -- thread:%s",
				    cfg, tid),
			 0);
	assert_int_equal(index_reopen(idx), TRAWL_OK);
	tl = load_with(idx, "*", INDEX_SORT_NEWEST_FIRST, THREADLIST_HEAD_CACHE);
	assert_false(tl->head_cached);
	assert_non_null(strstr(tl->rows[0].tags, "flagged"));
	assert_same_as_index(idx, tl, "*", INDEX_SORT_NEWEST_FIRST);
	/* ...and the loader kept the new head. */
	assert_true(load_cached(idx, "*", INDEX_SORT_NEWEST_FIRST));

	/* After a commit the counter stores the open list's new head. */
	assert_int_equal(fixture_sh(c->f, "NOTMUCH_CONFIG='%s' notmuch tag -flagged -- thread:%s",
				    cfg, tid),
			 0);
	assert_int_equal(index_reopen(idx), TRAWL_OK);
	threadlist_recount(tl);
	threadlist_wait(tl);
	talloc_free(tl);
	tl = load_with(idx, "*", INDEX_SORT_NEWEST_FIRST, THREADLIST_HEAD_CACHE);
	assert_true(tl->head_cached);
	assert_null(strstr(tl->rows[0].tags, "flagged"));
	assert_same_as_index(idx, tl, "*", INDEX_SORT_NEWEST_FIRST);
	talloc_free(tl);

	/* A damaged file reads as empty and is replaced. */
	f = fopen(heads, "r+");
	assert_non_null(f);
	fseek(f, 40, SEEK_SET);
	fputs("R 99999\n", f);
	fclose(f);
	assert_false(load_cached(idx, "*", INDEX_SORT_NEWEST_FIRST));
	assert_true(load_cached(idx, "*", INDEX_SORT_NEWEST_FIRST));

	/* Turned off ("set head_cache off"), it is neither read nor written. */
	unlink(heads);
	tl = load(idx, "*", INDEX_SORT_NEWEST_FIRST);
	assert_false(tl->head_cached);
	talloc_free(tl);
	assert_int_equal(access(heads, F_OK), -1);
	talloc_free(idx);
}

/* The keys: everything but the database that decides the rows, and nothing tied to the clock. */
static void
test_query_fingerprint(void **state)
{
	struct ctx *c = *state;
	char *a, *b;

	assert_int_equal(fixture_sh(c->f, "notmuch config set query.recent 'date:1w..' && "
					  "notmuch config set query.work 'tag:work' && notmuch config "
					  "set query.both 'query:work or query:recent'"),
			 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	assert_null(index_query_fingerprint(c->idx, c, "date:1w.."));
	assert_null(index_query_fingerprint(c->idx, c, "from:alice and date:today"));
	assert_null(index_query_fingerprint(c->idx, c, "query:recent"));
	assert_null(index_query_fingerprint(c->idx, c, "query:both"));
	a = index_query_fingerprint(c->idx, c, "query:work");
	assert_non_null(a);
	assert_non_null(strstr(a, "tag:work"));
	b = index_query_fingerprint(c->idx, c, "*");
	assert_non_null(b);
	assert_non_null(strstr(b, "reviewed=reviewed"));
	/* A saved search's new text is a new key. */
	assert_int_equal(fixture_sh(c->f, "notmuch config set query.work 'tag:work or tag:urgent'"),
			 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	b = index_query_fingerprint(c->idx, c, "query:work");
	assert_non_null(b);
	assert_string_not_equal(a, b);
	assert_int_equal(fixture_sh(c->f, "notmuch config set query.recent && notmuch config set "
					  "query.work && notmuch config set query.both"),
			 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
}

/* The cache file: read back as written; one commit's entries; the oldest go; damage is empty. */
static void
test_headcache_file(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/state/x/db.heads", c->f->dir), key[32], *buf;
	struct headcache_rows rows = {0}, got;
	struct headcache_file file;
	const char rec[] = "0000000000000001\0Alice\0Hi\0inbox\0" "1 1 1 1 1";

	assert_true(headcache_rows_add(c, &rows, rec, sizeof(rec)));
	assert_true(headcache_rows_add(c, &rows, "", 0));
	assert_int_equal(headcache_get(c, path, "s1", 2, "k", &got), 0);
	/* A temporary file a killed trawl left goes; a running process's stays. */
	assert_int_equal(fixture_sh(c->f, "mkdir -p \"$(dirname '%s')\" && touch '%s.999999' '%s.1'",
				    path, path, path),
			 0);
	headcache_put(path, "s1", 2, "k", &rows);
	assert_int_equal(access(talloc_asprintf(c, "%s.999999", path), F_OK), -1);
	assert_int_equal(access(talloc_asprintf(c, "%s.1", path), F_OK), 0);
	assert_int_equal(headcache_get(c, path, "s1", 2, "k", &got), 1);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.len[0], sizeof(rec));
	assert_memory_equal(got.rec[0], rec, sizeof(rec));
	assert_int_equal(got.len[1], 0);
	assert_int_equal(headcache_get(c, path, "s2", 2, "k", &got), 0);
	assert_int_equal(headcache_get(c, path, "s1", 2, "other", &got), 0);
	/* A new commit's entry drops the old commit's. */
	headcache_put(path, "s2", 2, "k2", &rows);
	assert_int_equal(headcache_get(c, path, "s1", 2, "k", &got), 0);
	assert_int_equal(headcache_get(c, path, "s2", 2, "k2", &got), 1);
	for (int i = 0; i < HEADCACHE_MAX_ENTRIES + 5; i++) {
		snprintf(key, sizeof(key), "q%d", i);
		headcache_put(path, "s2", 2, key, &rows);
	}
	assert_int_equal(headcache_get(c, path, "s2", 2, "q0", &got), 0);
	assert_int_equal(headcache_get(c, path, "s2", 2, "q36", &got), 1);
	/* Parsing: what format writes parses back to the same bytes; a cut file is no file. */
	static const char good[] = "trawl-heads 1\nS 2\ns2\nK 1\nk\nR 3\na\0b\nR 0\n\n";
	static const char orphan[] = "trawl-heads 1\nR 1\nx\n";
	static const char too_long[] = "trawl-heads 1\nS 1\nx\nK 1\nk\nR 99\nx\n";

	assert_true(headcache_parse(c, good, sizeof(good) - 1, &file));
	assert_int_equal(file.n, 1);
	assert_int_equal(file.entries[0].rows.n, 2);
	buf = headcache_format(c, &file);
	assert_int_equal(talloc_get_size(buf), sizeof(good) - 1);
	assert_memory_equal(buf, good, sizeof(good) - 1);
	for (size_t cut = 0; cut < sizeof(good) - 1; cut++)
		if (cut != 21 && cut != 27 && cut != 35) /* the ends of whole records */
			assert_false(headcache_parse(c, good, cut, &file));
	assert_false(headcache_parse(c, orphan, sizeof(orphan) - 1, &file));
	assert_false(headcache_parse(c, too_long, sizeof(too_long) - 1, &file));
}

/* Reads external commits in: refreshes the index and brings tl up to date. */
static void
update_after_on_screen(struct ctx *c, struct threadlist *tl, const char *cmd, char *const *shown,
		       size_t n_shown)
{
	int reopened = 0;

	assert_int_equal(fixture_sh(c->f, "%s", cmd), 0);
	assert_int_equal(index_refresh(c->idx, &reopened), TRAWL_OK);
	assert_true(reopened);
	threadlist_update(tl, shown, n_shown);
	assert_true(threadlist_updating(tl));
	threadlist_wait(tl);
	assert_false(threadlist_updating(tl));
	assert_int_equal(tl->rev, index_revision(c->idx, NULL));
}

static void
update_after(struct ctx *c, struct threadlist *tl, const char *cmd)
{
	update_after_on_screen(c, tl, cmd, NULL, 0);
}

/*
 * The model follows commits from a lastmod range alone: a changed thread's
 * row is rewritten in place, a thread that leaves the query's membership
 * leaves the list, one that joins it comes in at its place in sort order,
 * and afterwards the list equals a fresh load row for row.
 */
static void
test_update_from_lastmod(void **state)
{
	struct ctx *c = *state;
	const char *q = "not tag:hidden";
	struct threadlist *tl = load(c->idx, q, INDEX_SORT_NEWEST_FIRST);
	char *first, *second, *third;
	unsigned long rev0 = tl->rev;
	long before;

	assert_int_equal(tl->n_rows, 4);
	assert_true(rev0 > 0);
	first = talloc_strdup(tl, tl->rows[0].thread_id);
	second = talloc_strdup(tl, tl->rows[1].thread_id);
	third = talloc_strdup(tl, tl->rows[2].thread_id);
	before = tl->n_reviewed;

	/* Tags change, membership does not: rows rewritten, same order, new counts. */
	update_after(c, tl,
		     talloc_asprintf(tl, "notmuch tag +relevant +reviewed -- thread:%s", second));
	assert_true(tl->rev > rev0);
	assert_int_equal(tl->n_rows, 4);
	assert_string_equal(tl->rows[1].thread_id, second);
	assert_non_null(strstr(tl->rows[1].tags, "relevant"));
	assert_int_equal(tl->rows[1].unreviewed, 0);
	assert_true(tl->n_reviewed > before);
	assert_same_as_index(c->idx, tl, q, INDEX_SORT_NEWEST_FIRST);

	/* A tag the query filters on: the thread leaves, the others keep their order. */
	update_after(c, tl, talloc_asprintf(tl, "notmuch tag +hidden -- thread:%s", first));
	assert_int_equal(tl->n_rows, 3);
	assert_int_equal(threadlist_find(tl, first), -1);
	assert_int_equal(threadlist_find(tl, second), 0);
	assert_int_equal(threadlist_find(tl, third), 1);
	assert_int_equal(tl->n_threads, 3);
	assert_same_as_index(c->idx, tl, q, INDEX_SORT_NEWEST_FIRST);

	/* ...and joins again at its place when the tag goes. */
	update_after(c, tl, talloc_asprintf(tl, "notmuch tag -hidden -- thread:%s", first));
	assert_int_equal(tl->n_rows, 4);
	assert_int_equal(threadlist_find(tl, first), 0);
	assert_same_as_index(c->idx, tl, q, INDEX_SORT_NEWEST_FIRST);

	/* Several threads in one commit range, two commits before the update runs. */
	assert_int_equal(fixture_sh(c->f, "notmuch tag +hidden -- thread:%s thread:%s", second,
				    third),
			 0);
	update_after(c, tl, talloc_asprintf(tl, "notmuch tag +late -- thread:%s", first));
	assert_int_equal(tl->n_rows, 2);
	assert_non_null(strstr(tl->rows[0].tags, "late"));
	assert_same_as_index(c->idx, tl, q, INDEX_SORT_NEWEST_FIRST);

	/*
	 * A message removed (its file gone, notmuch new) leaves nothing for
	 * lastmod: to find, but the rows on screen are read again: its
	 * thread leaves the list.
	 */
	assert_int_equal(fixture_sh(c->f, "notmuch search --output=files thread:%s > '%s/gone' && "
					  "test $(wc -l < '%s/gone') = 1 && mkdir -p '%s/kept' && "
					  "mv \"$(cat '%s/gone')\" '%s/kept/'",
				    first, c->f->dir, c->f->dir, c->f->dir, c->f->dir, c->f->dir),
			 0);
	update_after_on_screen(c, tl, "notmuch new --quiet", &first, 1);
	assert_int_equal(threadlist_find(tl, first), -1);
	assert_same_as_index(c->idx, tl, q, INDEX_SORT_NEWEST_FIRST);
	assert_int_equal(fixture_sh(c->f, "mv '%s'/kept/* \"$(dirname \"$(cat '%s/gone')\")/\" && "
					  "notmuch new --quiet",
				    c->f->dir, c->f->dir),
			 0);

	assert_int_equal(fixture_sh(c->f, "notmuch tag -hidden -relevant -late -- '*' && "
					  "notmuch tag -reviewed -- thread:%s && "
					  "notmuch tag +reviewed -- id:budget-2@example.org",
				    second),
			 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	talloc_free(tl);
}

/*
 * A commit while the updater still reads an earlier one: the updater is
 * stopped and a new one starts with the rows on screen, and the list ends
 * exactly as the index says, with the rows the stopped one had sent kept.
 */
static void
test_update_restarts_on_commit(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = load(c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	char *top = talloc_strdup(tl, tl->rows[0].thread_id);
	char *last = talloc_strdup(tl, tl->rows[3].thread_id);
	int reopened, sent = 0;

	setenv("TRAWL_TEST_UPDATER_DELAY_US", "200000", 1);
	assert_int_equal(fixture_sh(c->f, "notmuch tag +early -- '*'"), 0);
	assert_int_equal(index_refresh(c->idx, &reopened), TRAWL_OK);
	threadlist_update(tl, &top, 1);
	/* Wait for the row on screen to arrive, then commit again. */
	for (int i = 0; i < 400 && !sent; i++) {
		threadlist_poll(tl, 1 << 20);
		sent = strstr(tl->rows[0].tags, "early") != NULL;
		usleep(5000);
	}
	assert_true(sent);
	assert_true(threadlist_updating(tl));
	assert_int_equal(fixture_sh(c->f, "notmuch tag +late2 -- thread:%s", last), 0);
	assert_int_equal(index_refresh(c->idx, &reopened), TRAWL_OK);
	threadlist_update(tl, &top, 1);
	assert_true(tl->n_sent >= 1);
	threadlist_wait(tl);
	unsetenv("TRAWL_TEST_UPDATER_DELAY_US");
	assert_int_equal(tl->rev, index_revision(c->idx, NULL));
	assert_int_equal(tl->n_sent, 0);
	assert_non_null(strstr(tl->rows[3].tags, "late2"));
	assert_same_as_index(c->idx, tl, "*", INDEX_SORT_NEWEST_FIRST);
	assert_int_equal(fixture_sh(c->f, "notmuch tag -early -late2 -- '*'"), 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	talloc_free(tl);
}

/* trawl's own committed change to a whole thread shows on its row at once, exactly. */
static void
test_apply_committed(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = load(c->idx, "*", INDEX_SORT_NEWEST_FIRST);
	struct index_thread *row = &tl->rows[3]; /* the budget thread: 3 messages, 1 reviewed */
	struct tagops *ops;
	char *err;

	assert_int_equal(row->total, 3);
	assert_int_equal(row->unreviewed, 2);
	assert_int_equal(tagops_parse(tl, "+reviewed +aaa -inbox", &ops, &err), TRAWL_OK);
	/* Not every message of the thread: the row waits for the updater. */
	assert_int_equal(threadlist_apply_committed(tl, row->thread_id, 2, ops), 0);
	assert_int_equal(row->unreviewed, 2);
	assert_int_equal(threadlist_apply_committed(tl, row->thread_id, 3, ops), 1);
	row = &tl->rows[3];
	assert_int_equal(row->unreviewed, 0);
	assert_string_equal(row->tags, "aaa reviewed unread");
	assert_int_equal(tagops_parse(tl, "-reviewed", &ops, &err), TRAWL_OK);
	assert_int_equal(threadlist_apply_committed(tl, row->thread_id, 3, ops), 1);
	assert_int_equal(tl->rows[3].unreviewed, 3);
	assert_string_equal(tl->rows[3].tags, "aaa unread");
	talloc_free(tl);
}

/* Subject of logical row i. */
static const char *
row_subject(const struct threadlist *tl, size_t i)
{
	const struct index_thread *r = threadlist_row(tl, i);

	return r ? r->subject : "(none)";
}

/*
 * By message count: the biggest thread first, then newest first; a
 * thread that grows moves up when the list follows the commit.
 */
static void
test_by_count(void **state)
{
	struct ctx *c = *state;
	struct threadlist *tl = threadlist_new(c, c->idx, "*", INDEX_SORT_NEWEST_FIRST,
					       THREADLIST_BY_COUNT);
	const char *reply = "From: Bob <bob@example.org>\nSubject: Re: R\xc3\xa9union\n"
			    "Date: Thu, 13 Apr 2017 09:00:00 +0200\nMessage-ID: <reunion-2@example.fr>\n"
			    "In-Reply-To: <reunion-1@example.fr>\n\nJ'y serai.\n";
	char *path = talloc_asprintf(c, "%s/cur/reunion-2:2,", c->f->mail), *reunion;
	FILE *f;

	threadlist_wait(tl);
	assert_int_equal(threadlist_len(tl), 4);
	assert_string_equal(row_subject(tl, 0), "Quarterly budget review");
	assert_string_equal(row_subject(tl, 1), "Weekly digest");
	assert_string_equal(row_subject(tl, 3), "R\xc3\xa9union de pr\xc3\xa9paration");
	reunion = talloc_strdup(c, threadlist_row(tl, 3)->thread_id);
	assert_int_equal(threadlist_find(tl, reunion), 3);
	/* No tail by count: its last rows are known only at the end. */
	threadlist_load_tail(tl, 2);
	assert_false(threadlist_has_gap(tl));

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(reply, f);
	fclose(f);
	assert_int_equal(fixture_sh(c->f, "notmuch new --quiet"), 0);
	threadlist_update(tl, NULL, 0);
	threadlist_wait(tl);
	assert_int_equal(threadlist_len(tl), 4);
	assert_string_equal(row_subject(tl, 0), "Quarterly budget review");
	assert_int_equal(threadlist_find(tl, reunion), 1);
	assert_int_equal(threadlist_row(tl, 1)->total, 2);
	assert_string_equal(row_subject(tl, 2), "Weekly digest");
	talloc_free(tl);
	unlink(path);
	assert_int_equal(fixture_sh(c->f, "notmuch new --quiet"), 0);
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
		cmocka_unit_test(test_head_window_is_exact),
		cmocka_unit_test(test_hints_file),
		cmocka_unit_test(test_head_cache),
		cmocka_unit_test(test_query_fingerprint),
		cmocka_unit_test(test_headcache_file),
		cmocka_unit_test(test_update_from_lastmod),
		cmocka_unit_test(test_update_restarts_on_commit),
		cmocka_unit_test(test_apply_committed),
		cmocka_unit_test(test_by_count),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
