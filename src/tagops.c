/*
 * tagops: tag change lists.  See include/trawl/tagops.h.
 */
#include <stdlib.h>
#include <string.h>

#include "trawl/tagops.h"
#include "trawl/util.h"

int
tagops_valid_tag(const char *t, int add)
{
	/* notmuch refuses to add a tag starting with '-' (it reads as an option). */
	if (!*t || (add && *t == '-'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	/*
	 * Xapian's query parser reads bytes that are not UTF-8 as Latin-1, so
	 * no query could find such a tag: never make one (removing one is fine).
	 */
	return !add || util_utf8_valid(t);
}

trawl_status_t
tagops_parse(TALLOC_CTX *ctx, const char *s, struct tagops **out, char **error)
{
	TALLOC_CTX *tmp = talloc_new(ctx);
	struct tagops *ops = talloc_zero(ctx, struct tagops);
	char **argv, *err = NULL;
	int argc = 0;

	*out = NULL;
	*error = NULL;
	argv = util_split_words(tmp, s, &argc, &err);
	if (!argv || !ops) {
		*error = talloc_strdup(ctx, err ? err : "out of memory");
		goto fail;
	}
	if (argc == 0) {
		*error = talloc_strdup(ctx, "no tag change given (write +tag or -tag)");
		goto fail;
	}
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		size_t k;

		if ((w[0] != '+' && w[0] != '-') || !tagops_valid_tag(w + 1, 0)) {
			*error = talloc_asprintf(ctx, "'%s': write +tag or -tag (quote tags with spaces)",
						 w);
			goto fail;
		}
		/* Never make a tag notmuch refuses; removing one is fine. */
		if (!tagops_valid_tag(w + 1, w[0] == '+')) {
			*error = talloc_asprintf(ctx, "'%s': a tag may not start with '-' (notmuch refuses it)",
						 w);
			goto fail;
		}
		/* A later operation on the same tag replaces the earlier one. */
		for (k = 0; k < ops->n; k++)
			if (!strcmp(ops->ops[k].tag, w + 1))
				break;
		if (k == ops->n) {
			ops->ops = talloc_realloc(ops, ops->ops, struct tagop, ops->n + 1);
			if (!ops->ops)
				goto fail;
			ops->ops[ops->n++].tag = talloc_strdup(ops, w + 1);
		}
		ops->ops[k].add = w[0] == '+';
	}
	talloc_free(tmp);
	*out = ops;
	return TRAWL_OK;
fail:
	talloc_free(tmp);
	talloc_free(ops);
	return TRAWL_PARSE;
}

char *
tagops_format(TALLOC_CTX *ctx, const struct tagops *ops)
{
	char *s = talloc_strdup(ctx, "");

	for (size_t i = 0; s && i < ops->n; i++) {
		/* The tag as util_split_words() reads it back, quoted only if need be. */
		char *tag = util_quote_word(NULL, ops->ops[i].tag);

		s = tag ? talloc_asprintf_append(s, "%s%c%s", i ? " " : "",
						 ops->ops[i].add ? '+' : '-', tag)
			: NULL;
		talloc_free(tag);
	}
	return s;
}

static int
tagops_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
tagops_apply(TALLOC_CTX *ctx, const struct tagops *ops, char *const *tags, size_t n,
	     size_t *out_n)
{
	char **out = talloc_array(ctx, char *, n + ops->n + 1);
	size_t len = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int removed = 0;

		for (size_t k = 0; k < ops->n; k++)
			removed |= !ops->ops[k].add && !strcmp(ops->ops[k].tag, tags[i]);
		if (!removed)
			out[len++] = talloc_strdup(out, tags[i]);
	}
	for (size_t k = 0; k < ops->n; k++) {
		int present = 0;

		if (!ops->ops[k].add)
			continue;
		for (size_t i = 0; i < len; i++)
			present |= !strcmp(out[i], ops->ops[k].tag);
		if (!present)
			out[len++] = talloc_strdup(out, ops->ops[k].tag);
	}
	qsort(out, len, sizeof(*out), tagops_cmp);
	out[len] = NULL;
	*out_n = len;
	return out;
}

int
tagops_noop(const struct tagops *ops, char *const *tags, size_t n)
{
	for (size_t k = 0; k < ops->n; k++) {
		int present = 0;

		for (size_t i = 0; i < n; i++)
			present |= !strcmp(tags[i], ops->ops[k].tag);
		if (present != ops->ops[k].add)
			return 0;
	}
	return 1;
}

int
tagops_has(char *const *tags, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tags[i], tag))
			return 1;
	return 0;
}
