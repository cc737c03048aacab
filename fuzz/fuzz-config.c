/*
 * libFuzzer target for the rc-file parser (config.h): the input is a
 * config file.  Invariants, beyond not crashing:
 *
 *  - config_load_file() of the file and config_apply_line() of its lines
 *    one by one give the same config, and the errors it reports are at
 *    most CONFIG_MAX_ERRORS lines naming the file and a line, plus one;
 *  - a line that fails leaves the config as it was and says why;
 *  - a line that succeeds did what it says: "set" reads back, an accepted
 *    "bind" is found by config_lookup() and its command splits into the
 *    words written after the key (so a quoted argument stays one word),
 *    "unbind" leaves nothing bound there, "color" sets that colour;
 *  - an accepted reviewed_tag is a tag that a tag change list can carry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"
#include "trawl/config.h"
#include "trawl/tagops.h"
#include "trawl/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Everything a directive can change, compared field by field. */
static int
fuzz_same_config(const struct config *a, const struct config *b)
{
	if (strcmp(a->reviewed_tag, b->reviewed_tag) || strcmp(a->note_tag, b->note_tag) ||
	    strcmp(a->reviewer, b->reviewer) || strcmp(a->attachment_dir, b->attachment_dir) ||
	    a->sidebar_width != b->sidebar_width || a->sidebar_visible != b->sidebar_visible ||
	    a->sort != b->sort || a->sync_maildir_flags != b->sync_maildir_flags ||
	    a->head_cache != b->head_cache || a->clipboard_osc52 != b->clipboard_osc52 ||
	    a->mouse != b->mouse || a->colour != b->colour || a->n_bindings != b->n_bindings ||
	    memcmp(a->colours, b->colours, sizeof(a->colours)) != 0)
		return 0;
	for (size_t i = 0; i < a->n_bindings; i++)
		if (a->bindings[i].context != b->bindings[i].context ||
		    strcmp(a->bindings[i].key, b->bindings[i].key) ||
		    strcmp(a->bindings[i].command, b->bindings[i].command))
			return 0;
	return 1;
}

static struct config *
fuzz_copy_config(TALLOC_CTX *ctx, const struct config *c)
{
	struct config *d = talloc_zero(ctx, struct config);

	fuzz_check(d);
	*d = *c;
	d->reviewed_tag = talloc_strdup(d, c->reviewed_tag);
	d->note_tag = talloc_strdup(d, c->note_tag);
	d->reviewer = talloc_strdup(d, c->reviewer);
	d->attachment_dir = talloc_strdup(d, c->attachment_dir);
	d->bindings = talloc_array(d, struct config_binding, c->n_bindings ? c->n_bindings : 1);
	fuzz_check(d->bindings);
	for (size_t i = 0; i < c->n_bindings; i++) {
		d->bindings[i] = c->bindings[i];
		d->bindings[i].key = talloc_strdup(d->bindings, c->bindings[i].key);
		d->bindings[i].command = talloc_strdup(d->bindings, c->bindings[i].command);
	}
	return d;
}

static int
fuzz_context(const char *name)
{
	for (int c = 0; c < CONFIG_CONTEXT_COUNT; c++)
		if (!strcmp(name, config_context_name(c)))
			return c;
	return -1;
}

/* Checks that an accepted line did what it says. */
static void
fuzz_check_effect(TALLOC_CTX *ctx, const struct config *cfg, const char *line)
{
	char *err = NULL, **argv, **words;
	int argc = 0, n = 0, c;

	argv = util_split_words(ctx, line, &argc, &err);
	fuzz_check(argv != NULL);
	if (argc == 0)
		return;
	if (!strcmp(argv[0], "set")) {
		fuzz_check(argc == 3);
		if (!strcmp(argv[1], "reviewed_tag")) {
			struct tagops one = {&(struct tagop){argv[2], 1}, 1}, *back;
			char *text = tagops_format(ctx, &one);

			fuzz_check(!strcmp(cfg->reviewed_tag, argv[2]));
			/* The review commands write "+TAG": it must parse back to TAG. */
			fuzz_check(text && tagops_parse(ctx, text, &back, &err) == TRAWL_OK);
			fuzz_check(back->n == 1 && !strcmp(back->ops[0].tag, argv[2]));
		} else if (!strcmp(argv[1], "reviewer")) {
			fuzz_check(!strcmp(cfg->reviewer, argv[2]));
		} else if (!strcmp(argv[1], "attachment_dir")) {
			fuzz_check(!strcmp(cfg->attachment_dir, argv[2]));
		} else if (!strcmp(argv[1], "sidebar_width")) {
			fuzz_check(cfg->sidebar_width == atoi(argv[2]));
			fuzz_check(cfg->sidebar_width >= 1 && cfg->sidebar_width <= 1000);
		}
	} else if (!strcmp(argv[0], "bind")) {
		const char *cmd;

		fuzz_check(argc >= 4 && (c = fuzz_context(argv[1])) >= 0);
		cmd = config_lookup(cfg, (enum config_context)c, argv[2]);
		fuzz_check(cmd != NULL);
		/* Run later, the command gets the words written after the key. */
		words = util_split_words(ctx, cmd, &n, &err);
		fuzz_check(words != NULL && n == argc - 3);
		for (int i = 0; i < n; i++)
			fuzz_check(!strcmp(words[i], argv[i + 3]));
	} else if (!strcmp(argv[0], "unbind")) {
		fuzz_check(argc == 3 && (c = fuzz_context(argv[1])) >= 0);
		fuzz_check(config_lookup(cfg, (enum config_context)c, argv[2]) == NULL);
	} else {
		fuzz_check(!strcmp(argv[0], "color") || !strcmp(argv[0], "colour"));
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Colours on, whatever the environment of the run says. */
	unsetenv("NO_COLOR");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;
	struct config *by_file, *by_line;
	char *errors = NULL, *text;
	const char *p, *end;
	unsigned lines = 0, failed = 0, reported = 0;
	const char *path;
	trawl_status_t ts;

	if (size > 16384)
		return 0;
	ctx = talloc_new(NULL);
	by_file = config_new(ctx);
	by_line = config_new(ctx);
	fuzz_check(by_file && by_line);

	path = fuzz_file(data, size);
	ts = config_load_file(by_file, path, &errors);

	/* The same file, a line at a time, as getline() cuts it. */
	text = talloc_size(ctx, size + 1);
	fuzz_check(text);
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; p < text + size; p = end + 1) {
		const char *nl = memchr(p, '\n', (size_t)(text + size - p));
		TALLOC_CTX *tmp = talloc_new(ctx);
		char *line, *err = NULL;
		struct config *before;

		end = nl ? nl : text + size;
		line = talloc_strndup(tmp, p, (size_t)(end - p) + (nl ? 1 : 0));
		fuzz_check(line);
		before = fuzz_copy_config(tmp, by_line);
		lines++;
		if (config_apply_line(by_line, line, tmp, &err) == TRAWL_OK) {
			fuzz_check(err == NULL);
			fuzz_check_effect(tmp, by_line, line);
		} else {
			failed++;
			fuzz_check(err != NULL && *err);
			fuzz_check(fuzz_same_config(before, by_line));
		}
		talloc_free(tmp);
	}
	fuzz_check(fuzz_same_config(by_file, by_line));
	fuzz_check((ts == TRAWL_OK) == (failed == 0));
	fuzz_check((errors == NULL) == (failed == 0));
	if (errors) {
		size_t plen = strlen(path);

		/*
		 * Every report starts a line with the file's name; at most 10
		 * in full, then a count.  (A report may hold a newline of the
		 * line it quotes, hence the search for the name.)
		 */
		fuzz_check(!strncmp(errors, path, plen) && errors[plen] == ':');
		for (p = errors; p; p = strchr(p + 1, '\n'))
			reported += !strncmp(p + (p != errors), path, plen) &&
				    p[(p != errors) + plen] == ':';
		fuzz_check(reported == (failed <= 10 ? failed : 11));
	}
	(void)lines;
	talloc_free(ctx);
	return 0;
}
