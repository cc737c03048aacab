/*
 * libFuzzer target for tag change lists and the config/command parser.
 * Invariants: a list that parses formats back to a list that parses to the
 * same operations; applying it to a tag set gives a sorted set holding
 * every added tag and no removed one; config directives never crash and an
 * accepted binding is found again by lookup.
 *
 * Input: byte 0 selects the parser (even: tagops, odd: config); the rest is the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/config.h"
#include "trawl/tagops.h"
#include "trawl/util.h"

static void
fuzz_tagops(TALLOC_CTX *ctx, const char *line)
{
	struct tagops *ops, *again;
	char *err, *text, *set[] = {"inbox", "reviewed", "a b"};
	char **out;
	size_t n;

	if (tagops_parse(ctx, line, &ops, &err) != TRAWL_OK)
		return;
	text = tagops_format(ctx, ops);
	fuzz_check(text);
	fuzz_check(tagops_parse(ctx, text, &again, &err) == TRAWL_OK);
	fuzz_check(again->n == ops->n);
	for (size_t i = 0; i < ops->n; i++) {
		fuzz_check(!strcmp(again->ops[i].tag, ops->ops[i].tag));
		fuzz_check(again->ops[i].add == ops->ops[i].add);
	}
	out = tagops_apply(ctx, ops, set, 3, &n);
	fuzz_check(out);
	for (size_t i = 1; i < n; i++)
		fuzz_check(strcmp(out[i - 1], out[i]) < 0);
	for (size_t k = 0; k < ops->n; k++) {
		int present = 0;

		for (size_t i = 0; i < n; i++)
			present |= !strcmp(out[i], ops->ops[k].tag);
		fuzz_check(present == ops->ops[k].add);
	}
	fuzz_check(tagops_noop(ops, out, n));
}

static void
fuzz_config(TALLOC_CTX *ctx, const char *line)
{
	struct config *cfg = config_new(ctx);
	char *err = NULL;
	int argc;
	char **argv;

	fuzz_check(cfg);
	if (config_apply_line(cfg, line, ctx, &err) == TRAWL_OK) {
		argv = util_split_words(ctx, line, &argc, &err);
		fuzz_check(argv);
		/* An accepted "bind CONTEXT KEY CMD" is found by lookup. */
		if (argc >= 4 && !strcmp(argv[0], "bind")) {
			for (int c = 0; c < CONFIG_CONTEXT_COUNT; c++)
				if (!strcmp(argv[1], config_context_name(c)))
					fuzz_check(config_lookup(cfg, c, argv[2]) != NULL);
		}
	} else {
		fuzz_check(err != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;
	char *line;

	if (size < 1 || size > 4096)
		return 0;
	ctx = talloc_new(NULL);
	line = talloc_strndup(ctx, (const char *)data + 1, size - 1);
	if (line) {
		if (data[0] & 1)
			fuzz_config(ctx, line);
		else
			fuzz_tagops(ctx, line);
	}
	talloc_free(ctx);
	return 0;
}
