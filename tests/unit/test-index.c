/* Unit tests of the index module against the fixture database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/index-build.h"
#include "trawl/index.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);
	c->idx = fixture_index(c, NULL, &c->f);
	*state = c;
	return 0;
}

static void
test_counts(void **state)
{
	struct ctx *c = *state;
	unsigned n;

	assert_int_equal(index_count_messages(c->idx, "*", &n), TRAWL_OK);
	assert_int_equal(n, 6);
	assert_int_equal(index_count_threads(c->idx, "*", &n), TRAWL_OK);
	assert_int_equal(n, 4);
	assert_int_equal(index_count_messages(c->idx, "from:alice", &n), TRAWL_OK);
	assert_int_equal(n, 2);
}

static void
test_threads_sorted_and_paged(void **state)
{
	struct ctx *c = *state;
	struct index_thread *rows;
	size_t n;

	assert_int_equal(index_threads(c->idx, c, "*", INDEX_SORT_NEWEST_FIRST, 0, 10, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].subject, "Weekly digest");
	assert_string_equal(rows[3].subject, "Quarterly budget review");
	assert_int_equal(rows[3].total, 3);
	assert_int_equal(rows[3].matched, 3);
	for (size_t i = 1; i < n; i++)
		assert_true(rows[i - 1].newest >= rows[i].newest);

	/* A page at an offset continues the same order. */
	assert_int_equal(index_threads(c->idx, c, "*", INDEX_SORT_NEWEST_FIRST, 2, 10, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[1].subject, "Quarterly budget review");

	assert_int_equal(index_threads(c->idx, c, "*", INDEX_SORT_OLDEST_FIRST, 0, 1, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].subject, "Quarterly budget review");
}

static void
test_matched_counts_partial_thread(void **state)
{
	struct ctx *c = *state;
	struct index_thread *rows;
	size_t n;

	assert_int_equal(index_threads(c->idx, c, "from:bob", INDEX_SORT_NEWEST_FIRST, 0, 10,
				       &rows, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].matched, 1);
	assert_int_equal(rows[0].total, 3);
}

/*
 * Skipping a thread must consume all its messages: the budget thread comes
 * first oldest-first, and its later replies must not come back as threads.
 */
static void
test_skip_does_not_duplicate(void **state)
{
	struct ctx *c = *state;
	struct index_thread *rows;
	index_cursor_t *cur;
	struct index_thread row;
	size_t n;

	assert_int_equal(index_threads(c->idx, c, "*", INDEX_SORT_OLDEST_FIRST, 1, 10, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(rows[i].subject, "budget"));
	assert_int_equal(index_cursor_open(c->idx, c, "*", INDEX_SORT_OLDEST_FIRST, 1, &cur),
			 TRAWL_OK);
	n = 0;
	while (index_cursor_next(cur, c, &row) == TRAWL_OK) {
		assert_null(strstr(row.subject, "budget"));
		n++;
	}
	assert_int_equal(n, 3);
	talloc_free(cur);
}

static void
test_bad_query(void **state)
{
	struct ctx *c = *state;

	assert_int_not_equal(index_check_query(c->idx, "from:alice and ("), TRAWL_OK);
	assert_true(strlen(index_last_error(c->idx)) > 0);
	assert_int_equal(index_check_query(c->idx, "tag:inbox"), TRAWL_OK);
}

/*
 * A date range that does not parse is refused before libnotmuch 0.37 sees
 * it: signed, it crashes the process (fuzz-query), wherever Xapian finds
 * the sign.  Words that only end in "date" are not date ranges.
 */
static void
test_bad_date_refused(void **state)
{
	struct ctx *c = *state;
	static const char *const bad[] = {
	    "-date:foo", "+date:foo", "tag:inbox -date:foo", "(+date:foo)", "\001\017+date:112024-x",
	    "+\277date:1..x", "date:foo", "date:\"no such day\"",
	};
	unsigned n;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(index_count_messages(c->idx, bad[i], &n), TRAWL_QUERY);
		assert_non_null(strstr(index_last_error(c->idx), "date range"));
	}
	assert_int_equal(index_count_messages(c->idx, "date:2000..2100", &n), TRAWL_OK);
	assert_int_equal(n, 6);
	assert_int_equal(index_count_messages(c->idx, "not date:..1990", &n), TRAWL_OK);
	assert_int_equal(n, 6);
	assert_int_equal(index_count_messages(c->idx, "update:x or candidate:y", &n), TRAWL_OK);
	assert_int_equal(n, 0);
	/* Quoted, it is text (fuzz-query): a tag may hold "date:". */
	assert_int_equal(index_count_messages(c->idx, "tag:\"a\"\"b:\"\":date:\"", &n), TRAWL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(index_count_messages(c->idx, "\"x +date:foo", &n), TRAWL_QUERY);
}

static void
test_all_tags(void **state)
{
	struct ctx *c = *state;
	char **tags;
	size_t n;

	assert_int_equal(index_all_tags(c->idx, c, &tags, &n), TRAWL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(tags[0], "inbox");
	assert_string_equal(tags[1], "unread");
}

static void
test_open_missing_database(void **state)
{
	index_t *idx;
	char *err = NULL;

	(void)state;
	assert_int_not_equal(index_open(NULL, "/nonexistent/trawl-db", "", &idx, &err), TRAWL_OK);
	assert_null(idx);
	assert_non_null(strstr(err, "/nonexistent/trawl-db"));
	talloc_free(err);
}

/*
 * A held write lock is found by asking the lock, at once (libnotmuch
 * would block until it is released), not by reading "lock" in an error
 * message: a failure that only mentions the lock (the lock file cannot be
 * opened) is an error, not a lock to wait for forever.
 */
static void
test_lock_is_asked_not_guessed(void **state)
{
	struct ctx *c = *state;
	const char *bin = getenv("top_builddir") ? getenv("top_builddir") : ".";
	char *lock = talloc_asprintf(c, "%s/.notmuch/xapian/flintlock", c->f->mail);
	char line[64];
	FILE *holder;
	trawl_status_t ts;

	holder = popen(talloc_asprintf(c, "sleep 2 | %s/tests/unit/hold-lock 30", bin), "r");
	assert_non_null(holder);
	assert_non_null(fgets(line, sizeof(line), holder));
	assert_string_equal(line, "locked\n");
	assert_int_equal(index_save_search(c->idx, "probe", "tag:inbox"), TRAWL_LOCKED);
	pclose(holder);

	assert_int_equal(fixture_sh(c->f, "rm -f '%s' && mkdir '%s'", lock, lock), 0);
	ts = index_save_search(c->idx, "probe", "tag:inbox");
	assert_int_equal(fixture_sh(c->f, "rmdir '%s'", lock), 0);
	assert_int_not_equal(ts, TRAWL_OK);
	assert_int_not_equal(ts, TRAWL_LOCKED);
	assert_non_null(strstr(index_last_error(c->idx), "lock"));
	assert_int_equal(index_save_search(c->idx, "probe", NULL), TRAWL_OK);
}

/*
 * A mailman archive writes "From: alice at example.org (Alice)": notmuch
 * finds no author in it, and the list showed an empty authors column.
 * The row falls back to the From header's name, or its address.
 */
static void
test_authors_from_mailman_headers(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	char *src = talloc_asprintf(ctx, "%s/mailman", c->f->dir);
	struct fixture *f;
	index_t *idx;
	struct index_thread *rows;
	size_t n;
	static const char *const msgs[][2] = {
		{"1", "From: fabien at example.org (Fabien Cazenave)\nSubject: Session\n"
		      "Date: Wed, 04 Apr 2012 17:30:26 +0200\nMessage-ID: <mm-1@example.org>\n\nbody\n"},
		{"2", "From: natal at example.eu (Natal)\nSubject: Re: Session\n"
		      "Date: Wed, 04 Apr 2012 18:30:26 +0200\nMessage-ID: <mm-2@example.org>\n"
		      "In-Reply-To: <mm-1@example.org>\n\nreply\n"},
		{"3", "From: bare at example.net\nSubject: Alone\n"
		      "Date: Thu, 05 Apr 2012 17:30:26 +0200\nMessage-ID: <mm-3@example.org>\n\nbody\n"},
	};

	assert_int_equal(fixture_sh(c->f, "mkdir -p '%s/cur'", src), 0);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		FILE *out = fopen(talloc_asprintf(ctx, "%s/cur/%s:2,", src, msgs[i][0]), "w");

		assert_non_null(out);
		fputs(msgs[i][1], out);
		fclose(out);
	}
	idx = fixture_index(ctx, src, &f);
	assert_int_equal(index_threads(idx, ctx, "*", INDEX_SORT_OLDEST_FIRST, 0, 10, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].subject, "Session");
	assert_string_equal(rows[0].authors, "Fabien Cazenave, Natal");
	assert_string_equal(rows[1].authors, "bare at example.net");
	/* Only the reply matches: its author first, the other after the bar. */
	assert_int_equal(index_threads(idx, ctx, "id:mm-2@example.org", INDEX_SORT_OLDEST_FIRST, 0,
				       10, &rows, &n),
			 TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].authors, "Natal| Fabien Cazenave");
	talloc_free(ctx);
	/* The group's fixture is the environment again. */
	setenv("NOTMUCH_CONFIG", c->f->config_path, 1);
	setenv("HOME", c->f->dir, 1);
}

/* The helper alone: only MAIL_ROOT/.trawl-derived/... is derived. */
static void
test_path_is_derived(void **state)
{
	(void)state;
	assert_true(index_path_is_derived("/m", "/m/.trawl-derived/ab/x.eml"));
	assert_true(index_path_is_derived("/m/", "/m/.trawl-derived/ab/x.eml"));
	assert_true(index_path_is_derived("/m//", "/m/.trawl-derived/x"));
	assert_false(index_path_is_derived("/m", "/m/cur/x.eml"));
	/* A folder of that name deeper in the mail is mail like any other. */
	assert_false(index_path_is_derived("/m", "/m/cur/.trawl-derived/x"));
	assert_false(index_path_is_derived("/m", "/m/Sent/.trawl-derived/ab/x.eml"));
	assert_false(index_path_is_derived("/m", "/mx/.trawl-derived/ab/x.eml"));
	assert_false(index_path_is_derived("/m", "/m/.trawl-derivedX/ab/x.eml"));
	assert_false(index_path_is_derived("/m", "/m/.trawl-derived"));
	assert_false(index_path_is_derived("/m", "/other/.trawl-derived/x"));
	assert_false(index_path_is_derived(NULL, "/m/.trawl-derived/x"));
}

/*
 * A message with a derived file: every function naming the message's files
 * names the original only, even where notmuch lists the derived file first
 * (indexed after twelve other messages, its directory's document id has
 * two digits, and notmuch orders a message's files by that id as text).
 */
static void
test_derived_file_is_never_the_message(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *ctx = talloc_new(NULL);
	char *src = talloc_asprintf(ctx, "%s/derived-src", c->f->dir), *path, *err = NULL;
	char **ids, **folders, **paths;
	struct fixture *f;
	index_t *idx;
	index_build_t *b;
	struct index_message_info info;
	struct index_message *msgs;
	struct index_files *mf;
	size_t n;
	const char *orig_tail = "/cur/target:2,";
	FILE *out;

	assert_int_equal(fixture_sh(c->f, "mkdir -p '%s/cur'", src), 0);
	for (int i = 0; i < 12; i++) {
		out = fopen(talloc_asprintf(ctx, "%s/cur/filler-%d:2,", src, i), "w");
		assert_non_null(out);
		fprintf(out, "From: f@example.org\nSubject: filler %d\nMessage-ID: <filler-%d@example.org>\n\nx\n", i, i);
		fclose(out);
	}
	out = fopen(talloc_asprintf(ctx, "%s/cur/target:2,", src), "w");
	assert_non_null(out);
	fputs("From: a@example.org\nSubject: target\nMessage-ID: <target@example.org>\n\nbody\n", out);
	fclose(out);
	idx = fixture_index(ctx, src, &f);
	assert_int_equal(fixture_sh(f, "mkdir -p '%s/.trawl-derived/00' && "
				       "printf 'Subject: target\\nMessage-ID: <target@example.org>\\n"
				       "X-Trawl-Derived: attachment-text\\n\\nwordinpdf\\n' > "
				       "'%s/.trawl-derived/00/d.eml' && notmuch new --quiet",
			       f->mail, f->mail),
			 0);
	/* The precondition that makes this test mean something. */
	assert_int_equal(fixture_sh(f, "notmuch search --output=files id:target@example.org | "
				       "head -n 1 | grep -q /.trawl-derived/"),
			 0);
	assert_int_equal(index_reopen(idx), TRAWL_OK);
	assert_true(index_path_is_derived(index_mail_root(idx),
					  talloc_asprintf(ctx, "%s/.trawl-derived/00/d.eml", f->mail)));

	assert_int_equal(index_message_file(idx, ctx, "target@example.org", &path), TRAWL_OK);
	assert_string_equal(path, talloc_asprintf(ctx, "%s%s", f->mail, orig_tail));

	assert_int_equal(index_message_info(idx, ctx, "target@example.org", NULL, &info), TRAWL_OK);
	assert_int_equal(info.n_filenames, 1);
	assert_string_equal(info.filenames[0], path);

	assert_int_equal(index_thread_ids(idx, ctx, "id:target@example.org", &ids, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(index_thread_messages(idx, ctx, ids[0], NULL, &msgs, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(msgs[0].filename, path);

	/* Not a second version, and not a folder of the facets. */
	assert_int_equal(index_messages_files(idx, ctx, "id:target@example.org", 2, &mf, &n), TRAWL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(index_messages_files(idx, ctx, "id:target@example.org", 1, &mf, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(mf[0].n, 1);
	assert_string_equal(mf[0].paths[0], path);
	assert_int_equal(index_folders(idx, ctx, 100, &folders, &n), TRAWL_OK);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(folders[i], INDEX_DERIVED_DIR));

	/* The write side (the importer's "another file of it"). */
	assert_int_equal(index_build_open(ctx, f->mail, f->config_path, &b, &err), TRAWL_OK);
	assert_int_equal(index_build_message_files(b, ctx, "target@example.org", &paths, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], path);
	assert_int_equal(index_build_close(b), TRAWL_OK);

	/* Still searchable by the derived file's words: that is what it is for. */
	{
		unsigned count;

		assert_int_equal(index_count_messages(idx, "wordinpdf", &count), TRAWL_OK);
		assert_int_equal(count, 1);
	}
	talloc_free(ctx);
	setenv("NOTMUCH_CONFIG", c->f->config_path, 1);
	setenv("HOME", c->f->dir, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_threads_sorted_and_paged),
		cmocka_unit_test(test_matched_counts_partial_thread),
		cmocka_unit_test(test_skip_does_not_duplicate),
		cmocka_unit_test(test_bad_query),
		cmocka_unit_test(test_bad_date_refused),
		cmocka_unit_test(test_all_tags),
		cmocka_unit_test(test_open_missing_database),
		cmocka_unit_test(test_lock_is_asked_not_guessed),
		cmocka_unit_test(test_authors_from_mailman_headers),
		cmocka_unit_test(test_path_is_derived),
		cmocka_unit_test(test_derived_file_is_never_the_message),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
