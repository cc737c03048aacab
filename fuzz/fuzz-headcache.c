/*
 * libFuzzer target for the head cache's file parser (headcache.h): the
 * file is read back on every start, and a damaged one must read as empty.
 * Invariants: a file that parses has at most HEADCACHE_MAX_ENTRIES entries
 * of at most HEADCACHE_MAX_ROWS rows and keys without NUL; formatting it
 * gives bytes that parse to the same entries and format to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/headcache.h"

static void
fuzz_same(const struct headcache_file *a, const struct headcache_file *b)
{
	fuzz_check(a->stamp_len == b->stamp_len && !memcmp(a->stamp, b->stamp, a->stamp_len));
	fuzz_check(a->n == b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct headcache_entry *x = &a->entries[i], *y = &b->entries[i];

		fuzz_check(x->key_len == y->key_len && !strcmp(x->key, y->key));
		fuzz_check(x->rows.n == y->rows.n);
		for (size_t k = 0; k < x->rows.n; k++)
			fuzz_check(x->rows.len[k] == y->rows.len[k] &&
				   !memcmp(x->rows.rec[k], y->rows.rec[k], x->rows.len[k]));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct headcache_file f, again;
	char *buf, *buf2;

	if (headcache_parse(ctx, (const char *)data, size, &f)) {
		fuzz_check(f.n <= HEADCACHE_MAX_ENTRIES);
		for (size_t i = 0; i < f.n; i++) {
			fuzz_check(f.entries[i].rows.n <= HEADCACHE_MAX_ROWS);
			fuzz_check(strlen(f.entries[i].key) == f.entries[i].key_len);
		}
		buf = headcache_format(ctx, &f);
		fuzz_check(buf);
		fuzz_check(headcache_parse(ctx, buf, talloc_get_size(buf), &again));
		fuzz_same(&f, &again);
		buf2 = headcache_format(ctx, &again);
		fuzz_check(buf2 && talloc_get_size(buf2) == talloc_get_size(buf) &&
			   !memcmp(buf, buf2, talloc_get_size(buf)));
	}
	talloc_free(ctx);
	return 0;
}
