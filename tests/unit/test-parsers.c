/*
 * Unit tests for the parsers the fuzz targets of mk/fuzz.am exercise: one
 * named test for each input a fuzz run found wrong, so that the finding
 * stays fixed without a fuzzer.  Each says which target found it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/cmd.h"
#include "trawl/config.h"
#include "trawl/exporter.h"
#include "trawl/importer.h"
#include "trawl/index.h"
#include "trawl/journal.h"
#include "trawl/prompt.h"
#include "trawl/tagops.h"
#include "trawl/util.h"

/*
 * A bound command keeps its quoted words: bind used to join the words with
 * spaces, so +"a b" came back as two words (fuzz-config).
 */
static void
test_config_bind_keeps_quoted_words(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct config *cfg = config_new(ctx);
	char *err = NULL, **argv;
	int argc = 0;

	(void)state;
	assert_int_equal(config_apply_line(cfg, "bind list x tag +\"a b\" -inbox # c", ctx, &err),
			 TRAWL_OK);
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "x"), "tag +\"a b\" -inbox");
	argv = util_split_words(ctx, config_lookup(cfg, CONFIG_LIST, "x"), &argc, &err);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "+a b");
	assert_int_equal(config_apply_line(cfg, "bind list I search tag:\"under review\"", ctx,
					   &err),
			 TRAWL_OK);
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "I"), "search tag:\"under review\"");
	/* A word starting with '#' in quotes is a word, not a comment. */
	assert_int_equal(config_apply_line(cfg, "bind list y search '#x' y", ctx, &err), TRAWL_OK);
	argv = util_split_words(ctx, config_lookup(cfg, CONFIG_LIST, "y"), &argc, &err);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "#x");
	talloc_free(ctx);
}

/*
 * "unbind CONTEXT KEY" unbinds a key bound globally in that context: it
 * used to do nothing, so "unbind list End" left End running "last" in
 * the list (fuzz-config).
 */
static void
test_config_unbind_global_key_in_context(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct config *cfg = config_new(ctx);
	char *err = NULL;

	(void)state;
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "End"), "last");
	assert_int_equal(config_apply_line(cfg, "unbind list End", ctx, &err), TRAWL_OK);
	assert_null(config_lookup(cfg, CONFIG_LIST, "End"));
	assert_string_equal(config_lookup(cfg, CONFIG_THREAD, "End"), "last");
	assert_int_equal(config_apply_line(cfg, "bind list End first", ctx, &err), TRAWL_OK);
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "End"), "first");
	assert_int_equal(config_apply_line(cfg, "unbind global End", ctx, &err), TRAWL_OK);
	assert_null(config_lookup(cfg, CONFIG_THREAD, "End"));
	talloc_free(ctx);
}

/* A reviewed_tag the review commands could not add is refused (fuzz-config). */
static void
test_config_reviewed_tag_is_a_tag(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct config *cfg = config_new(ctx);
	char *err = NULL;

	(void)state;
	assert_int_equal(config_apply_line(cfg, "set reviewed_tag \x1e\x1ereviewed", ctx, &err),
			 TRAWL_PARSE);
	assert_int_equal(config_apply_line(cfg, "set reviewed_tag -reviewed", ctx, &err),
			 TRAWL_PARSE);
	assert_string_equal(cfg->reviewed_tag, "reviewed");
	assert_int_equal(config_apply_line(cfg, "set reviewed_tag \"à relire\"", ctx, &err),
			 TRAWL_OK);
	assert_string_equal(cfg->reviewed_tag, "à relire");
	talloc_free(ctx);
}

/*
 * The reviewed tag is written for tagops_parse() with tagops_format(): the
 * review commands used a query's quoting ("" for "), and a tag holding a
 * quote or a backslash came back as another tag (fuzz-config).
 */
static void
test_reviewed_tag_change_list(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const char *tags[] = {"reviewed", "a\"b", "a\\b", "#x", "x y", "'"};
	struct tagops *back;
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct tagop op = {(char *)tags[i], 1};
		char *text = tagops_format(ctx, &(struct tagops){&op, 1});

		assert_int_equal(tagops_parse(ctx, text, &back, &err), TRAWL_OK);
		assert_int_equal(back->n, 1);
		assert_string_equal(back->ops[0].tag, tags[i]);
	}
	talloc_free(ctx);
}

/*
 * A tag that is not UTF-8 is never made: Xapian's query parser reads its
 * bytes as Latin-1, so tag:"\xe9" finds the tag é and nothing finds the
 * tag "\xe9" (fuzz-query).  Removing one that exists still works.
 */
static void
test_tag_must_be_utf8(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct tagops *ops;
	char *err = NULL;

	(void)state;
	assert_int_equal(tagops_parse(ctx, "+\xe9", &ops, &err), TRAWL_PARSE);
	assert_int_equal(tagops_parse(ctx, "+\xed\xa0\x80", &ops, &err), TRAWL_PARSE);
	assert_int_equal(tagops_parse(ctx, "-\xe9 +é", &ops, &err), TRAWL_OK);
	assert_int_equal(ops->n, 2);
	talloc_free(ctx);
}

/* util_quote_word() and util_rest_words() give back what util_split_words() reads. */
static void
test_util_quote_and_rest(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const char *words[] = {"", "plain", "a b", "#x", "x#", "\"", "'", "\\", "tab\there",
			       "new\nline", "é"};
	char *err = NULL, **argv;
	int argc = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		argv = util_split_words(ctx, util_quote_word(ctx, words[i]), &argc, &err);
		assert_non_null(argv);
		assert_int_equal(argc, 1);
		assert_string_equal(argv[0], words[i]);
	}
	assert_string_equal(util_rest_words(ctx, "  a 'b c'\t\"d\"  # e\n", 1, &err), "'b c'\t\"d\"");
	assert_string_equal(util_rest_words(ctx, "a", 1, &err), "");
	assert_null(util_rest_words(ctx, "a 'b", 1, &err));
	assert_non_null(err);
	talloc_free(ctx);
}

/*
 * A QUERY argument is the rest of the line as written: ":search" used to
 * split the query into words and join them with spaces, losing the quotes
 * of tag:"under review" (found writing fuzz-cmd, whose invariant it is).
 */
static void
test_cmd_query_as_written(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const struct cmd_entry *cmd;
	char **argv, *err = NULL;
	int argc = 0;

	(void)state;
	assert_int_equal(cmd_parse(ctx, "  search  tag:\"under review\"  and not tag:reviewed  ",
				   &cmd, &argc, &argv, &err),
			 TRAWL_OK);
	assert_ptr_equal(cmd, cmd_find("search"));
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "tag:\"under review\"  and not tag:reviewed");
	assert_int_equal(cmd_parse(ctx, "export '/tmp/a b'", &cmd, &argc, &argv, &err), TRAWL_OK);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "/tmp/a b");
	assert_int_equal(cmd_parse(ctx, "colour status red", &cmd, &argc, &argv, &err), TRAWL_OK);
	assert_null(cmd);
	assert_int_equal(cmd_parse(ctx, "frobnicate", &cmd, &argc, &argv, &err), TRAWL_PARSE);
	assert_non_null(strstr(err, "unknown command"));
	assert_int_equal(cmd_parse(ctx, "search 'a", &cmd, &argc, &argv, &err), TRAWL_PARSE);
	talloc_free(ctx);
}

/*
 * Tab completes up to a character, not into one: "tag:xé" and "tag:xè"
 * share the first byte of é and è, which was inserted alone (fuzz-cmd).
 */
static void
test_prompt_completion_stops_at_a_character(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct prompt *p = prompt_new(ctx, "search: ", "tag:x", NULL);
	char *words[] = {"tag:", "tag:xé", "tag:xè", "tag:yé"};

	(void)state;
	prompt_set_completions(p, words, 4);
	assert_int_equal(prompt_key(p, "Tab"), PROMPT_EDITING);
	assert_string_equal(p->text, "tag:x");
	assert_int_equal(p->cursor, 5);
	assert_int_equal(prompt_key(p, "BSpace"), PROMPT_EDITING);
	assert_int_equal(prompt_key(p, "y"), PROMPT_EDITING);
	assert_int_equal(prompt_key(p, "Tab"), PROMPT_EDITING);
	assert_string_equal(p->text, "tag:yé ");
	talloc_free(ctx);
}

/*
 * A query combined with another cannot take it in: an open phrase used to
 * swallow "(b)" into the phrase, a stray ')' to put b under a's "or", and
 * a query without a term to vanish from the "and" (fuzz-query).
 */
static void
test_query_and_keeps_operands_apart(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);

	(void)state;
	assert_string_equal(index_query_and(ctx, "subject:\"foo", "not tag:reviewed"),
			    "(subject:\"foo\") and (not tag:reviewed)");
	assert_string_equal(index_query_and(ctx, "tag:m1) or (tag:m2", "tag:inbox"),
			    "((tag:m1) or (tag:m2)) and (tag:inbox)");
	assert_string_equal(index_query_and(ctx, "(tag:a or (tag:b", "*"), "(tag:a or (tag:b))");
	/* A quote inside a boolean term is the term's; "" in a quoted one is a quote. */
	assert_string_equal(index_query_balance(ctx, "not tag:u\"nder revie-0"),
			    "not tag:u\"nder revie-0");
	assert_string_equal(index_query_balance(ctx, "tag:\"a\"\"b\" x"), "tag:\"a\"\"b\" x");
	assert_string_equal(index_query_balance(ctx, "tag:\"a\"\"b"), "tag:\"a\"\"b\"");
	/* Typographic quotes are quotes to Xapian. */
	assert_string_equal(index_query_balance(ctx, "subject:\u201cfoo"), "subject:\u201cfoo\"");
	assert_string_equal(index_query_and(ctx, "-", "tag:inbox"), "-");
	assert_string_equal(index_query_and(ctx, "tag:inbox", "()"), "()");
	talloc_free(ctx);
}

/*
 * notmuch reads tag:"/x/" as a regex and tag:"x/" as tag:x: such values
 * are quoted as the regex matching exactly them (fuzz-query).
 */
static void
test_quote_term_slashes(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);

	(void)state;
	assert_string_equal(index_quote_term(ctx, "tag", "/o/"), "tag:\"/^/o/$/\"");
	assert_string_equal(index_quote_term(ctx, "tag", "é/"), "tag:\"/^é/$/\"");
	assert_string_equal(index_quote_term(ctx, "tag", "a\"b.c/"), "tag:\"/^a\"\"b\\.c/$/\"");
	assert_string_equal(index_quote_term(ctx, "id", "/o/"), "id:\"/o/\"");
	assert_string_equal(index_quote_term(ctx, "tag", "a/b"), "tag:\"a/b\"");
	talloc_free(ctx);
}

/*
 * Saved searches in a cycle are refused however the reference ends: a
 * control character after the name hid it from trawl's check while Xapian
 * still read it, and libnotmuch 0.37 recursed until the stack ran out
 * (fuzz-query); a tag ending in '/' is found exactly.
 */
static void
test_query_cycle_behind_control_character(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct fixture *f;
	index_t *idx = fixture_index(ctx, NULL, &f);
	unsigned n = 0;

	(void)state;
	assert_int_equal(fixture_sh(f, "notmuch config set query.loop query:pool && "
				       "notmuch config set query.pool query:loop && "
				       "notmuch config set query.emptythread 'thread:\"\"' && "
				       "notmuch tag +x/ -- '*' && notmuch tag +x -- id:'%s'",
				    "nosuch@example.org"),
			 0);
	assert_int_equal(index_reopen(idx), TRAWL_OK);
	assert_int_equal(index_count_messages(idx, "query:loop\x03", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "(query:pool\v)", &n), TRAWL_QUERY);
	/* Inside what trawl took for another name (fuzz-query); in typographic quotes. */
	assert_int_equal(index_count_messages(idx, "(x\xd9query:inbo[query:loop)", &n),
			 TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "query:\u201cloop\u201d", &n), TRAWL_QUERY);
	/* An ASCII quote is closed by an ASCII one alone, as Xapian reads it (fuzz-query). */
	assert_int_equal(index_count_messages(idx, "query:\"loop\"\u201cx\u201d", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "query:\u201cloop\"", &n), TRAWL_QUERY);
	/* A date range ends at a control character: what follows is not parsed with it. */
	assert_int_equal(index_count_messages(idx, "+date:0m:\x16query:loop\x16x", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "query:loop(", &n), TRAWL_OK);
	/* libnotmuch 0.37 throws out of an empty thread: value (fuzz-query). */
	assert_int_equal(index_count_messages(idx, "tag:x and thread:\"\"", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "`thread:\"", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "query:emptythread", &n), TRAWL_QUERY);
	assert_int_equal(index_count_messages(idx, "thread:\"\"\"\"", &n), TRAWL_OK);
	assert_int_equal(index_count_messages(idx, index_quote_term(ctx, "tag", "x/"), &n),
			 TRAWL_OK);
	assert_int_not_equal(n, 0);
	talloc_free(ctx);
}

/* Writes text (len bytes) to a new file in a temp dir; returns its path. */
static char *
write_temp(TALLOC_CTX *ctx, const char *text, size_t len)
{
	char *dir = talloc_strdup(ctx, "/tmp/trawl-test-parsers.XXXXXX"), *path;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(ctx, "%s/journal.log", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

static void
remove_temp(const char *path)
{
	char *dir = talloc_strndup(NULL, path, (size_t)(strrchr(path, '/') - path));

	unlink(path);
	unlink(talloc_asprintf(dir, "%s.next", path));
	rmdir(dir);
	talloc_free(dir);
}

/*
 * A line holding a NUL (a block a crash left zeroed) is damaged: the
 * checks stopped at the NUL, so the line was read as an older line without
 * a checksum, or as the sealed line before the NUL (fuzz-journal).
 */
static void
test_journal_nul_is_damage(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	static const char text[] = "E\t1\t1600000000\tbob\ttag\t0\t*\t\0\0\0M--\n"
				   "M\t1\t0\tm@x\tinbox\n";
	char *path = write_temp(ctx, text, sizeof(text) - 1);
	struct journal_entry *e;
	size_t n, damaged;

	(void)state;
	assert_int_equal(journal_read_checked(ctx, path, &e, &n, &damaged), TRAWL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(damaged, 1);
	remove_temp(path);
	talloc_free(ctx);
}

/*
 * A torn first line closed by the next append is damage, not a line of an
 * older version: it has no checksum, as those have none.
 */
static void
test_journal_torn_first_line(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	static const char text[] = "E\t1\t1700000000\talice\ttag\t0\t*\t+x\t3";
	char *path = write_temp(ctx, text, sizeof(text) - 1);
	struct journal_entry x = {.time = 1, .reviewer = "bob", .kind = "tag", .query = "*",
				  .ops = "+y", .count = 1, .session = "s"};
	struct journal_entry *e;
	size_t n, damaged;

	(void)state;
	assert_int_equal(journal_begin(path, &x), 0);
	assert_int_equal(journal_read_checked(ctx, path, &e, &n, &damaged), TRAWL_OK);
	assert_int_equal(damaged, 1);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].reviewer, "bob");
	remove_temp(path);
	talloc_free(ctx);
}

/*
 * journal_print() neutralises every field it read: the kind of an altered
 * line (with its checksum made right) went to the terminal raw
 * (fuzz-journal).
 */
static void
test_journal_print_neutralises_kind(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	/* The FNV-1a of the line before its checksum field, as journal.c seals. */
	char line[256], *path, *out = NULL;
	uint32_t h = 2166136261u;
	size_t len = 0;
	FILE *f;

	(void)state;
	snprintf(line, sizeof(line), "E\t2\t99999999999999999\tjane\tun\x1b[2Jdo\t1\t*\t-x\t1\ts");
	for (const char *p = line; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "\t~%08x\n", h);
	path = write_temp(ctx, line, strlen(line));
	f = open_memstream(&out, &len);
	assert_int_equal(journal_print(path, f, 0, NULL), TRAWL_OK);
	fclose(f);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "99999999999999999  #2"));
	free(out);
	remove_temp(path);
	talloc_free(ctx);
}

/*
 * A session token read from a journal names a file of the sessions
 * directory only when it has the form trawl writes: an altered journal's
 * "../victim" made journal_session_alive() unlink a file outside it.
 */
static void
test_journal_session_token_stays_inside(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	char *path = write_temp(ctx, "", 0);
	char *dir = talloc_strndup(ctx, path, (size_t)(strrchr(path, '/') - path));
	char *victim = talloc_asprintf(ctx, "%s/victim", dir);
	char *sessions = talloc_asprintf(ctx, "%s.sessions", path);
	char *dead = talloc_asprintf(ctx, "%s/123-1700000000-0000abcd", sessions);
	FILE *f;

	(void)state;
	assert_int_equal(mkdir(sessions, 0700), 0);
	assert_non_null(f = fopen(victim, "w"));
	fclose(f);
	assert_non_null(f = fopen(dead, "w"));
	fclose(f);
	assert_int_equal(journal_session_alive(path, "../victim"), 0);
	assert_int_equal(journal_session_alive(path, "../../victim"), 0);
	assert_int_equal(access(victim, F_OK), 0);
	/* A session of trawl's own form that ended: not alive, its file goes. */
	assert_int_equal(journal_session_alive(path, "123-1700000000-0000abcd"), 0);
	assert_int_not_equal(access(dead, F_OK), 0);
	unlink(victim);
	rmdir(sessions);
	remove_temp(path);
	talloc_free(ctx);
}

/*
 * A message's Content-Length cannot hide the next message: exported with
 * a Content-Length reaching the end of the file, a message used to take
 * the one after it in on import (fuzz-mbox).  A real mboxcl2 body with an
 * unquoted "From " line still follows its Content-Length.
 */
static void
test_mbox_content_length_cannot_hide(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	static const char two[] = "Subject: two\n\nthe message it would hide\n";
	char one[128], *out = NULL;
	size_t len = 0, pos = 0, n = 0, cl = 0, body;
	struct importer_mbox_message m;
	FILE *f;

	(void)state;
	/* The Content-Length that reaches the end of the file, found by trying. */
	for (int round = 0; round < 4; round++) {
		snprintf(one, sizeof(one), "Subject: one\nContent-Length: %zu\n\nbody one\n", cl);
		free(out);
		out = NULL;
		f = open_memstream(&out, &len);
		assert_int_equal(exporter_mbox_write(f, "a@example.org", 0, one, strlen(one)), 0);
		assert_int_equal(exporter_mbox_write(f, "b@example.org", 0, two, strlen(two)), 0);
		fclose(f);
		body = strchr(out, '\n') + 1 - out + (size_t)(strstr(one, "\n\n") + 2 - one);
		cl = len - body;
	}
	while (importer_mbox_next(out, len, &pos, &m))
		n++;
	assert_int_equal(n, 2);
	free(out);

	static const char cl2[] = "From a@example.org 1\nSubject: cl2\nContent-Length: 26\n\n"
				  "From x 1999, a body line.\n\nFrom b@example.org 2\nSubject: n\n\nok\n";
	pos = n = 0;
	assert_int_equal(importer_mbox_next(cl2, strlen(cl2), &pos, &m), 1);
	assert_memory_equal(cl2 + m.end - 26, "From x 1999, a body line.\n", 26);
	while (importer_mbox_next(cl2, strlen(cl2), &pos, &m))
		n++;
	assert_int_equal(n, 1);
	talloc_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_bind_keeps_quoted_words),
		cmocka_unit_test(test_config_reviewed_tag_is_a_tag),
		cmocka_unit_test(test_config_unbind_global_key_in_context),
		cmocka_unit_test(test_reviewed_tag_change_list),
		cmocka_unit_test(test_tag_must_be_utf8),
		cmocka_unit_test(test_util_quote_and_rest),
		cmocka_unit_test(test_cmd_query_as_written),
		cmocka_unit_test(test_prompt_completion_stops_at_a_character),
		cmocka_unit_test(test_query_and_keeps_operands_apart),
		cmocka_unit_test(test_quote_term_slashes),
		cmocka_unit_test(test_query_cycle_behind_control_character),
		cmocka_unit_test(test_journal_nul_is_damage),
		cmocka_unit_test(test_journal_torn_first_line),
		cmocka_unit_test(test_journal_print_neutralises_kind),
		cmocka_unit_test(test_journal_session_token_stays_inside),
		cmocka_unit_test(test_mbox_content_length_cannot_hide),
	};

	/* Tests must never read a real user's files. */
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_CONFIG_HOME");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
