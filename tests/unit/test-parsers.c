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
#include <string.h>

#include <cmocka.h>

#include "trawl/config.h"
#include "trawl/tagops.h"

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
	argv = config_split(ctx, config_lookup(cfg, CONFIG_LIST, "x"), &argc, &err);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "+a b");
	assert_int_equal(config_apply_line(cfg, "bind list I search tag:\"under review\"", ctx,
					   &err),
			 TRAWL_OK);
	assert_string_equal(config_lookup(cfg, CONFIG_LIST, "I"), "search tag:\"under review\"");
	/* A word starting with '#' in quotes is a word, not a comment. */
	assert_int_equal(config_apply_line(cfg, "bind list y search '#x' y", ctx, &err), TRAWL_OK);
	argv = config_split(ctx, config_lookup(cfg, CONFIG_LIST, "y"), &argc, &err);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "#x");
	talloc_free(ctx);
}

/* config_quote() and config_rest() give back what config_split() reads. */
static void
test_config_quote_and_rest(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const char *words[] = {"", "plain", "a b", "#x", "x#", "\"", "'", "\\", "tab\there",
			       "new\nline", "é"};
	char *err = NULL, **argv;
	int argc = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		argv = config_split(ctx, config_quote(ctx, words[i]), &argc, &err);
		assert_non_null(argv);
		assert_int_equal(argc, 1);
		assert_string_equal(argv[0], words[i]);
	}
	assert_string_equal(config_rest(ctx, "  a 'b c'\t\"d\"  # e\n", 1, &err), "'b c'\t\"d\"");
	assert_string_equal(config_rest(ctx, "a", 1, &err), "");
	assert_null(config_rest(ctx, "a 'b", 1, &err));
	assert_non_null(err);
	talloc_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_bind_keeps_quoted_words),
		cmocka_unit_test(test_config_quote_and_rest),
	};

	/* Tests must never read a real user's files. */
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_CONFIG_HOME");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
