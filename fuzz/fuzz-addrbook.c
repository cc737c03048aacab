/*
 * libFuzzer target for the address book (addrbook.h) and what fills it
 * (render_buffer_recipients): the book is a file read back by every count
 * and a damaged one must read as partly or wholly empty, never out of
 * bounds; header blocks come from mail.
 *
 * The first byte picks the mode: even, the rest is a book file (every
 * entry is read and looked up; the book formatted again must hold them
 * all, and formatting settles: the third time gives the second's bytes); odd, the rest is a message (its recipients are
 * parsed: at most the maximum, valid UTF-8; then added to a book that is
 * formatted, read back and must give them again).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/addrbook.h"
#include "trawl/render.h"

#define FUZZ_UUID "fuzz-uuid"

/* Every entry a can give, b finds. */
static void
fuzz_same_ids(struct addrbook *a, struct addrbook *b)
{
	for (size_t i = 0; i < addrbook_size(a); i++) {
		const char *id;
		const struct addrbook_rcpt *v;
		size_t n;

		if (!addrbook_entry(a, i, &id, &v, &n))
			continue;
		fuzz_check(n <= ADDRBOOK_MAX_RCPTS);
		fuzz_check(addrbook_lookup(b, id, &v, &n));
	}
}

static int
fuzz_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t k = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			   : (*p & 0xf8) == 0xf0 ? 3 : 9;

		if (k == 9)
			return 0;
		for (size_t i = 1; i <= k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += k + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	char *buf;
	size_t len;

	if (!size)
		goto out;
	if (!(data[0] & 1)) {
		struct addrbook *ab = addrbook_open_buffer(ctx, data + 1, size - 1, FUZZ_UUID), *again;
		const struct addrbook_rcpt *v;
		size_t n;

		fuzz_check(ab);
		addrbook_lookup(ab, "x@example.org", &v, &n);
		fuzz_check(addrbook_format(ctx, ab, &buf, &len) == TRAWL_OK);
		again = addrbook_open_buffer(ctx, buf, len, FUZZ_UUID);
		fuzz_check(again && addrbook_size(again) <= addrbook_size(ab));
		/* (Not the other way: a damaged key hides an entry from lookups in ab.) */
		fuzz_same_ids(ab, again);
		{
			/* The second formatting is canonical: a third gives the same bytes. */
			char *buf2, *buf3;
			size_t len2, len3;
			struct addrbook *third;

			fuzz_check(addrbook_format(ctx, again, &buf2, &len2) == TRAWL_OK);
			third = addrbook_open_buffer(ctx, buf2, len2, FUZZ_UUID);
			fuzz_check(third && addrbook_size(third) == addrbook_size(again));
			fuzz_same_ids(third, again);
			fuzz_same_ids(again, third);
			fuzz_check(addrbook_format(ctx, third, &buf3, &len3) == TRAWL_OK);
			fuzz_check(len3 == len2 && !memcmp(buf2, buf3, len2));
		}
	} else {
		struct render_address *v;
		const struct addrbook_rcpt *got;
		struct addrbook *ab = addrbook_open_buffer(ctx, NULL, 0, FUZZ_UUID), *again;
		size_t n, m;

		fuzz_check(render_buffer_recipients(ctx, (const char *)data + 1, size - 1, 64, &v,
						    &n) == TRAWL_OK);
		fuzz_check(n <= 64);
		for (size_t k = 0; k < n; k++)
			fuzz_check(fuzz_utf8_ok(v[k].addr) && fuzz_utf8_ok(v[k].name));
		fuzz_check(addrbook_add(ab, "m@example.org", v, n) == TRAWL_OK);
		fuzz_check(addrbook_format(ctx, ab, &buf, &len) == TRAWL_OK);
		again = addrbook_open_buffer(ctx, buf, len, FUZZ_UUID);
		fuzz_check(addrbook_lookup(again, "m@example.org", &got, &m) && m == n);
		for (size_t k = 0; k < n; k++)
			fuzz_check(!strcmp(got[k].addr, v[k].addr) && !strcmp(got[k].name, v[k].name));
		fuzz_check(render_gmime_warnings() == 0);
	}
out:
	talloc_free(ctx);
	return 0;
}
