/*
 * Unit tests of the stats model (stats.h), its address book (addrbook.h)
 * and the recipients reader (render-addr.c), on tests/corpus/stats: six
 * messages over two folders, with an address in two cases, two display
 * names for one address, a group, a Bcc, an address twice in one message,
 * a message without a date and an empty month.
 */
#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/addrbook.h"
#include "trawl/app.h"
#include "trawl/cmd.h"
#include "trawl/feed.h"
#include "trawl/render.h"
#include "trawl/stats.h"
#include "trawl/view.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	tzset();
	c->idx = fixture_index(c, fixture_srcpath("tests/corpus/stats"), &c->f);
	assert_int_equal(fixture_sh(c->f, "notmuch tag +reviewed -- id:s1@example.org or "
					  "id:s4@example.org"),
			 0);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
	*state = c;
	return 0;
}

static void
wait_done(struct stats *st)
{
	for (int i = 0; i < 4000 && (st->state == STATS_COUNTING || st->run == NULL); i++) {
		stats_poll(st, 1 << 20);
		if (st->state != STATS_COUNTING)
			break;
		usleep(2000);
	}
	if (st->state != STATS_DONE)
		fail_msg("counting did not finish: %s", st->error ? st->error : st->phase);
}

static const struct stats_item *
find_item(const struct stats *st, enum stats_list l, const char *key, const char *key2)
{
	for (size_t i = 0; i < st->n_items[l]; i++)
		if (!strcmp(st->items[l][i].key, key) &&
		    (!key2 || !strcmp(st->items[l][i].key2, key2)))
			return &st->items[l][i];
	return NULL;
}

static void
check_item(const struct stats *st, enum stats_list l, const char *key, const char *key2,
	   unsigned long total, unsigned long unrev)
{
	const struct stats_item *it = find_item(st, l, key, key2);

	if (!it)
		fail_msg("%s: no entry %s%s%s", stats_list_key(l), key, key2 ? " -> " : "",
			 key2 ? key2 : "");
	if (it->total != total || it->unreviewed != unrev)
		fail_msg("%s %s: %lu/%lu, expected %lu/%lu", stats_list_key(l), key, it->total,
			 it->unreviewed, total, unrev);
}

static void
test_days_and_periods(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	int y, m, d;

	(void)state;
	/* Round trips over four centuries either side of the epoch, leap days included. */
	for (long day = -146097 * 2; day < 146097 * 2; day += 13) {
		stats_civil(day, &y, &m, &d);
		assert_int_equal(stats_day_of(y, m, d), day);
	}
	assert_int_equal(stats_day_of(1970, 1, 1), 0);
	assert_int_equal(stats_day_of(2016, 2, 29) + 1, stats_day_of(2016, 3, 1));
	assert_int_equal(stats_day_of(2100, 2, 28) + 1, stats_day_of(2100, 3, 1));
	/* ISO weeks: 2016-01-04 starts week 1; 2015-12-28 is week 53 of 2015. */
	assert_string_equal(stats_period_label(tmp, STATS_BY_WEEK, stats_day_of(2016, 1, 4)),
			    "2016-W01");
	assert_string_equal(stats_period_label(tmp, STATS_BY_WEEK, stats_day_of(2015, 12, 28)),
			    "2015-W53");
	assert_string_equal(stats_period_query(tmp, STATS_BY_WEEK, stats_day_of(2015, 12, 28)),
			    "date:2015-12-28..2016-01-03");
	assert_string_equal(stats_period_query(tmp, STATS_BY_DAY, stats_day_of(2016, 3, 7)),
			    "date:2016-03-07..2016-03-07");
	assert_string_equal(stats_period_query(tmp, STATS_BY_MONTH, stats_day_of(2016, 3, 1)),
			    "date:2016-03..2016-03");
	assert_string_equal(stats_period_query(tmp, STATS_BY_YEAR, stats_day_of(2016, 1, 1)),
			    "date:2016..2016");
	assert_string_equal(stats_period_label(tmp, STATS_BY_MONTH, stats_day_of(2016, 3, 1)),
			    "2016-03");
	assert_int_equal(stats_by_parse("week"), STATS_BY_WEEK);
	assert_int_equal(stats_by_parse("fortnight"), -1);
	talloc_free(tmp);
}

static void
test_counts(void **state)
{
	struct ctx *c = *state;
	struct stats *st = stats_new(c, c->idx, "*", 0);
	size_t n, peak;
	struct stats_period *v;

	wait_done(st);
	assert_int_equal(st->messages, 6);
	assert_int_equal(st->reviewed, 2);
	assert_int_equal(st->undated, 1);
	assert_int_equal(st->rcpt_missing, 0);
	/* 2016-01 to 2017-03 by month, February empty but there. */
	v = stats_periods(st, st, STATS_BY_MONTH, &n, &peak);
	assert_int_equal(n, 15);
	assert_int_equal(v[0].total, 2);
	assert_int_equal(v[0].reviewed, 1);
	assert_int_equal(v[1].total, 0);
	assert_int_equal(v[2].total, 2);
	assert_int_equal(v[14].total, 1);
	assert_int_equal(v[14].reviewed, 1);
	assert_int_equal(peak, 0);
	v = stats_periods(st, st, STATS_BY_YEAR, &n, &peak);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].total, 4);
	assert_int_equal(stats_by_fit(st, 15), STATS_BY_MONTH);
	assert_int_equal(stats_by_fit(st, 14), STATS_BY_YEAR);
	assert_int_equal(stats_by_fit(st, 2000), STATS_BY_DAY);

	/* Alice in two cases is one sender; her most frequent name wins. */
	check_item(st, STATS_SENDERS, "alice@example.org", NULL, 3, 2);
	assert_string_equal(find_item(st, STATS_SENDERS, "alice@example.org", NULL)->name,
			    "Alice Martin");
	assert_string_equal(st->items[STATS_SENDERS][0].key, "alice@example.org");
	check_item(st, STATS_SENDERS, "bob@example.org", NULL, 1, 0);
	check_item(st, STATS_SENDERS, "claire@example.net", NULL, 1, 1);
	assert_int_equal(st->n_items[STATS_SENDERS], 4);
	check_item(st, STATS_DOMAINS, "example.org", NULL, 4, 2);
	check_item(st, STATS_DOMAINS, "example.net", NULL, 2, 2);
	/* Bob twice in one message counts once; the group and the Bcc count. */
	check_item(st, STATS_RECIPIENTS, "bob@example.org", NULL, 3, 2);
	check_item(st, STATS_RECIPIENTS, "alice@example.org", NULL, 3, 2);
	check_item(st, STATS_RECIPIENTS, "dan@example.net", NULL, 1, 1);
	check_item(st, STATS_RECIPIENTS, "eve@example.com", NULL, 1, 1);
	check_item(st, STATS_RECIPIENTS, "claire@example.net", NULL, 1, 1);
	assert_string_equal(find_item(st, STATS_RECIPIENTS, "bob@example.org", NULL)->name,
			    "Bob Durand");
	/* Ties go by address. */
	assert_string_equal(st->items[STATS_RECIPIENTS][0].key, "alice@example.org");
	check_item(st, STATS_PAIRS, "alice@example.org", "bob@example.org", 3, 2);
	check_item(st, STATS_PAIRS, "alice@example.org", "eve@example.com", 1, 1);
	check_item(st, STATS_PAIRS, "bob@example.org", "alice@example.org", 1, 0);
	assert_int_equal(st->n_items[STATS_PAIRS], 7);
	check_item(st, STATS_TAGS, "inbox", NULL, 6, 4);
	check_item(st, STATS_TAGS, "reviewed", NULL, 2, 0);
	check_item(st, STATS_TAGS, "attachment", NULL, 1, 1);
	check_item(st, STATS_MIMETYPES, "application/pdf", NULL, 1, 1);
	assert_int_equal(st->n_items[STATS_MIMETYPES], 1);
	check_item(st, STATS_FOLDERS, "", NULL, 5, 3);
	check_item(st, STATS_FOLDERS, "Archive", NULL, 1, 1);
	check_item(st, STATS_YEARS, "2016", NULL, 4, 3);
	check_item(st, STATS_YEARS, "2017", NULL, 1, 0);
	assert_string_equal(find_item(st, STATS_YEARS, "2016", NULL)->query, "date:2016..2016");
	talloc_free(st);
}

static unsigned
count(struct ctx *c, const char *a, const char *b, const char *d)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	unsigned n = 0;
	char *q = index_query_and(tmp, a, b);

	if (d)
		q = index_query_and(tmp, q, d);
	assert_int_equal(index_count_messages(c->idx, q, &n), TRAWL_OK);
	talloc_free(tmp);
	return n;
}

/* What Enter narrows to is what the pane counted, for every entry and period. */
static void
check_narrowing(struct ctx *c, const char *query)
{
	struct stats *st = stats_new(c, c->idx, query, 0);

	wait_done(st);
	for (int l = 0; l < STATS_LIST_COUNT; l++)
		for (size_t i = 0; i < st->n_items[l]; i++) {
			const struct stats_item *it = &st->items[l][i];

			if (count(c, query, it->query, NULL) != it->total ||
			    count(c, query, it->query, "not tag:reviewed") != it->unreviewed)
				fail_msg("%s %s: counted %lu/%lu, narrowing gives %u/%u",
					 stats_list_key(l), it->query, it->total, it->unreviewed,
					 count(c, query, it->query, NULL),
					 count(c, query, it->query, "not tag:reviewed"));
		}
	for (int by = STATS_BY_DAY; by <= STATS_BY_YEAR; by++) {
		size_t n;
		struct stats_period *v = stats_periods(st, st, by, &n, NULL);

		for (size_t i = 0; i < n; i++) {
			char *pq = stats_period_query(st, by, v[i].first);

			assert_int_equal(count(c, query, pq, NULL), v[i].total);
			assert_int_equal(count(c, query, pq, "tag:reviewed"), v[i].reviewed);
		}
	}
	talloc_free(st);
}

static void
test_narrowing_matches_counts(void **state)
{
	check_narrowing(*state, "*");
	check_narrowing(*state, "from:alice@example.org");
	check_narrowing(*state, "not tag:reviewed");
}

static void
test_bad_query(void **state)
{
	struct ctx *c = *state;
	struct stats *st = stats_new(c, c->idx, "from:alice and (", 0);

	for (int i = 0; i < 2000 && st->state == STATS_COUNTING; i++) {
		stats_poll(st, 1 << 20);
		usleep(2000);
	}
	assert_int_equal(st->state, STATS_ERROR);
	assert_non_null(st->error);
	talloc_free(st);
}

/* libnotmuch 0.37 aborts a reader when another process commits: the count starts again. */
static void
test_killed_child_restarts(void **state)
{
	struct ctx *c = *state;
	struct stats *st;
	pid_t pid;

	setenv("TRAWL_TEST_STATS_DELAY_US", "200000", 1);
	st = stats_new(c, c->idx, "*", 0);
	while (st->messages < 0 && st->state == STATS_COUNTING) {
		stats_poll(st, 1 << 20);
		usleep(2000);
	}
	pid = stats_child_pid(st);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGABRT), 0);
	unsetenv("TRAWL_TEST_STATS_DELAY_US");
	wait_done(st);
	assert_non_null(strstr(st->notice, "signal 6"));
	assert_int_equal(st->messages, 6);
	check_item(st, STATS_SENDERS, "alice@example.org", NULL, 3, 2);
	talloc_free(st);
}

/* A commit (here another program's) counts again, keeping the old counts meanwhile. */
static void
test_follows_commits(void **state)
{
	struct ctx *c = *state;
	struct feed *feed = feed_new(c, c->idx);
	struct stats *st = stats_new(c, c->idx, "*", 0);

	stats_follow(st, feed);
	wait_done(st);
	assert_int_equal(st->reviewed, 2);
	assert_int_equal(fixture_sh(c->f, "notmuch tag +reviewed -- id:s2@example.org"), 0);
	for (int i = 0; i < 200 && !feed_poll(feed); i++)
		usleep(10000);
	assert_true(st->stale);
	/* The old snapshot stays until the new count is complete. */
	assert_int_equal(st->reviewed, 2);
	for (int i = 0; i < 4000 && (st->stale || st->state != STATS_DONE); i++) {
		stats_poll(st, 1 << 20);
		usleep(2000);
	}
	assert_false(st->stale);
	assert_int_equal(st->reviewed, 3);
	check_item(st, STATS_SENDERS, "alice@example.org", NULL, 3, 1);
	assert_int_equal(fixture_sh(c->f, "notmuch tag -reviewed -- id:s2@example.org"), 0);
	talloc_free(st);
	talloc_free(feed);
	assert_int_equal(index_reopen(c->idx), TRAWL_OK);
}

/* Recipients, once read, come from the address book: the mail files are not needed. */
static void
test_recipients_kept_beside_database(void **state)
{
	struct ctx *c = *state;
	const char *uuid;
	char *path = addrbook_path_for(c, index_db_path(c->idx));
	struct addrbook *ab;
	const struct addrbook_rcpt *v;
	size_t n;
	struct stats *st;

	/* test_counts read them already. */
	index_revision(c->idx, &uuid);
	ab = addrbook_open(c, path, uuid);
	assert_int_equal(addrbook_size(ab), 6);
	assert_true(addrbook_lookup(ab, "s3@example.org", &v, &n));
	assert_int_equal(n, 3);
	assert_string_equal(v[0].addr, "bob@example.org");
	assert_string_equal(v[1].addr, "dan@example.net");
	assert_string_equal(v[1].name, "Dan");
	assert_string_equal(v[2].addr, "eve@example.com");
	assert_true(addrbook_lookup(ab, "s5@example.net", &v, &n));
	assert_false(addrbook_lookup(ab, "nobody@example.org", &v, &n));
	talloc_free(ab);
	/* A book of another database is not used. */
	ab = addrbook_open(c, path, "another-uuid");
	assert_int_equal(addrbook_size(ab), 0);
	talloc_free(ab);

	assert_int_equal(fixture_sh(c->f, "mv '%s/cur' '%s/cur.away'", c->f->mail, c->f->mail), 0);
	st = stats_new(c, c->idx, "*", 0);
	wait_done(st);
	check_item(st, STATS_RECIPIENTS, "bob@example.org", NULL, 3, 2);
	check_item(st, STATS_PAIRS, "alice@example.org", "eve@example.com", 1, 1);
	talloc_free(st);
	assert_int_equal(fixture_sh(c->f, "mv '%s/cur.away' '%s/cur'", c->f->mail, c->f->mail), 0);
}

static void
test_addrbook_damaged_and_merged(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/book", c->f->dir);
	struct render_address one = {"a@example.org", "A"}, two = {"b@example.org", "B"};
	struct addrbook *x, *y, *z;
	const struct addrbook_rcpt *v;
	size_t n, len;
	char *buf;

	/* Garbage, a truncated file and a file of zeros read as empty books. */
	assert_int_equal(fixture_sh(c->f, "printf 'TRWLRCP1garbage' > '%s'", path), 0);
	x = addrbook_open(c, path, "u");
	assert_int_equal(addrbook_size(x), 0);
	assert_false(addrbook_lookup(x, "m1", &v, &n));
	talloc_free(x);

	/* Two trawls add different messages and save: the file keeps both. */
	unlink(path);
	x = addrbook_open(c, path, "u");
	y = addrbook_open(c, path, "u");
	assert_int_equal(addrbook_add(x, "m1", &one, 1), TRAWL_OK);
	assert_int_equal(addrbook_add(y, "m2", &two, 1), TRAWL_OK);
	assert_int_equal(addrbook_added(x), 1);
	assert_int_equal(addrbook_save(x), TRAWL_OK);
	assert_int_equal(addrbook_added(x), 0);
	assert_int_equal(addrbook_save(y), TRAWL_OK);
	z = addrbook_open(c, path, "u");
	assert_int_equal(addrbook_size(z), 2);
	assert_true(addrbook_lookup(z, "m1", &v, &n));
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "A");
	assert_true(addrbook_lookup(z, "m2", &v, &n));
	assert_string_equal(v[0].addr, "b@example.org");

	/* Every truncation of a good file reads without a fault, the whole one completely. */
	assert_int_equal(addrbook_format(c, z, &buf, &len), TRAWL_OK);
	for (size_t k = 0; k <= len; k++) {
		struct addrbook *t = addrbook_open_buffer(c, buf, k, "u");

		assert_non_null(t);
		assert_int_equal(addrbook_size(t), k == len ? 2 : 0);
		talloc_free(t);
	}
	/* Flipped bytes never read out of bounds (ASan watches). */
	for (size_t k = 0; k < len; k++) {
		char *bad = talloc_memdup(c, buf, len);
		struct addrbook *t;
		const char *id;

		bad[k] ^= 0x5a;
		t = addrbook_open_buffer(c, bad, len, "u");
		addrbook_lookup(t, "m1", &v, &n);
		for (size_t i = 0; i < addrbook_size(t); i++)
			addrbook_entry(t, i, &id, &v, &n);
		talloc_free(t);
		talloc_free(bad);
	}
	talloc_free(x);
	talloc_free(y);
	talloc_free(z);
}

static void
test_recipients_from_headers(void **state)
{
	static const char msg[] =
		"From sender@example.org Mon Jan  1 00:00:00 2016\n"
		"From: someone@example.org\n"
		"To: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@example.fr>,\n"
		" \"Durand, Bob\" <bob@example.org>\n"
		"Cc: undisclosed-recipients:;\n"
		"Bcc: list: a@example.org, b@example.org;\n"
		"Subject: x\n"
		"\n"
		"To: body@example.org\n";
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct render_address *v;
	size_t n;

	(void)state;
	assert_int_equal(render_buffer_recipients(tmp, msg, sizeof(msg) - 1, 100, &v, &n), TRAWL_OK);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].addr, "elodie@example.fr");
	assert_string_equal(v[0].name, "\xc3\x89lodie");
	assert_string_equal(v[1].name, "Durand, Bob");
	assert_string_equal(v[2].addr, "a@example.org");
	assert_string_equal(v[3].addr, "b@example.org");
	/* At most max; a body line is never a header. */
	assert_int_equal(render_buffer_recipients(tmp, msg, sizeof(msg) - 1, 2, &v, &n), TRAWL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(render_parse_addresses(tmp, "\"Martin, Alice\" <Alice@Example.ORG>", 8, &v,
						&n),
			 TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].addr, "Alice@Example.ORG");
	assert_string_equal(v[0].name, "Martin, Alice");
	assert_int_equal(render_buffer_recipients(tmp, "", 0, 10, &v, &n), TRAWL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(render_gmime_warnings(), 0);
	talloc_free(tmp);
}

/*
 * Names and addresses are hostile: escapes, bidi overrides, 10 KB names.
 * In the correspondents pane they are neutralised and cut to their column.
 */
static void
test_hostile_names_in_pane(void **state)
{
	struct ctx *c = *state;
	struct fixture *f;
	index_t *idx;
	struct config *cfg;
	struct app *app;
	char *big = talloc_array(c, char, 10241);
	int found_esc = 0, found_bidi = 0;

	memset(big, 'N', 10240);
	big[10240] = '\0';
	idx = fixture_index(c, fixture_srcpath("tests/corpus/stats"), &f);
	assert_int_equal(
		fixture_sh(f,
			   "printf 'From: \"\\033]0;pwned\\007Mallory\" <mallory@evil.example>\\n"
			   "To: \"\\342\\200\\256gpj.exe\" <victim@example.org>, \"%s\" <big@example.org>\\n"
			   "Subject: x\\nDate: Mon, 01 Feb 2016 10:00:00 +0000\\n"
			   "Message-ID: <h1@evil.example>\\n\\nx\\n' > '%s/cur/h1.eml' && "
			   "notmuch new --quiet",
			   big, f->mail),
		0);
	assert_int_equal(index_reopen(idx), TRAWL_OK);
	cfg = config_new(c);
	app = app_new(c, idx, cfg, 80, 24);
	view_start(app, "from:mallory@evil.example");
	cmd_run(app, "correspondents");
	assert_non_null(app->stats);
	for (int i = 0; i < 4000 && app->stats->st->state != STATS_DONE; i++) {
		app_poll(app);
		usleep(2000);
	}
	assert_int_equal(app->stats->st->state, STATS_DONE);
	/* The 10 KB name is kept cut, on a character boundary. */
	assert_true(strlen(find_item(app->stats->st, STATS_RECIPIENTS, "big@example.org", NULL)->name) <=
		    STATS_MAX_STRING);
	for (int pass = 0; pass < 2; pass++) {
		app_resize(app, pass ? 160 : 80, pass ? 48 : 24);
		view_draw(app);
		for (int y = 0; y < app->scr->h; y++) {
			char *row = screen_row_text(c, app->scr, y);

			found_esc |= strstr(row, "^[]0;pwned^G") != NULL;
			found_bidi |= strstr(row, "<U+202E>") != NULL;
			for (int x = 0; x < app->scr->w; x++) {
				const struct screen_cell *cell = &app->scr->cells[y * app->scr->w + x];

				for (int k = 0; k <= TEXT_MAX_COMBINING && cell->wc[k]; k++)
					assert_true(cell->wc[k] >= 0x20 &&
						    !(cell->wc[k] >= 0x7f && cell->wc[k] < 0xa0) &&
						    !(cell->wc[k] >= 0x202a && cell->wc[k] <= 0x202e) &&
						    !(cell->wc[k] >= 0x2066 && cell->wc[k] <= 0x2069));
			}
		}
	}
	assert_true(found_esc);
	assert_true(found_bidi);
	app_free(app);
	talloc_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_and_periods),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_narrowing_matches_counts),
		cmocka_unit_test(test_bad_query),
		cmocka_unit_test(test_killed_child_restarts),
		cmocka_unit_test(test_follows_commits),
		cmocka_unit_test(test_recipients_kept_beside_database),
		cmocka_unit_test(test_addrbook_damaged_and_merged),
		cmocka_unit_test(test_recipients_from_headers),
		cmocka_unit_test(test_hostile_names_in_pane),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
