/*
 * libFuzzer target for the versions module: the version rule on hostile
 * messages, the line diff, and the records the reader's child sends.
 * Invariants: a version hash is 64 hex digits; what the rule leaves out
 * (CRLF line endings, line breaks at the end, a Received field before the
 * header) does not change it; the edit script of two messages' lines
 * turns the first into the second, keeping only equal lines; a record
 * that unpacks packs and unpacks to the same files.
 *
 * Input: two messages separated by the first NUL byte (the second empty
 * when there is none); the whole input is also tried as a record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/versions-diff.h"
#include "trawl/versions.h"

static int
fuzz_is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void
fuzz_rule(TALLOC_CTX *ctx, const char *m, size_t len)
{
	char *h = versions_hash_buffer(ctx, m, len), *other;
	size_t n = 0;

	fuzz_check(fuzz_is_hex64(h));
	/* Line breaks added at the end. */
	other = talloc_size(ctx, len + 2);
	memcpy(other, m, len);
	memcpy(other + len, "\n\n", 2);
	fuzz_check(!strcmp(h, versions_hash_buffer(ctx, other, len + 2)));
	/* LF made CRLF, when the message has no CR of its own to confuse. */
	if (!memchr(m, '\r', len)) {
		char *crlf = talloc_size(ctx, 2 * len + 1);

		for (size_t i = 0; i < len; i++) {
			if (m[i] == '\n')
				crlf[n++] = '\r';
			crlf[n++] = m[i];
		}
		fuzz_check(!strcmp(h, versions_hash_buffer(ctx, crlf, n)));
	}
	/*
	 * A Received field put before a header that starts with a field (not
	 * a continuation, not an envelope line, not the empty line of a
	 * message without header).
	 */
	if (len > 5 && m[0] != ' ' && m[0] != '\t' && m[0] != '\n' && m[0] != '\r' &&
	    memcmp(m, "From ", 5) != 0) {
		static const char received[] = "Received: from relay by mx; Mon, 1 Jan 2024\n";
		char *with = talloc_size(ctx, sizeof(received) - 1 + len);

		memcpy(with, received, sizeof(received) - 1);
		memcpy(with + sizeof(received) - 1, m, len);
		fuzz_check(!strcmp(h, versions_hash_buffer(ctx, with, sizeof(received) - 1 + len)));
	}
}

/* The lines of m[0..len) (split at '\n', NUL-free since m is), children of ctx. */
static const char **
fuzz_lines(TALLOC_CTX *ctx, const char *m, size_t len, size_t *n)
{
	const char **v = talloc_array(ctx, const char *, len + 1);
	size_t start = 0;

	*n = 0;
	for (size_t i = 0; i <= len; i++)
		if (i == len || m[i] == '\n') {
			v[(*n)++] = talloc_strndup(v, m + start, i - start);
			start = i + 1;
		}
	return v;
}

static void
fuzz_diff(TALLOC_CTX *ctx, const char *a, size_t la, const char *b, size_t lb)
{
	size_t na, nb, n_ops, ia = 0, ib = 0;
	const char **va = fuzz_lines(ctx, a, la, &na), **vb = fuzz_lines(ctx, b, lb, &nb);
	char *ops;
	int exact;

	fuzz_check(versions_diff_lines(ctx, va, na, vb, nb, &ops, &n_ops, &exact) == TRAWL_OK);
	for (size_t i = 0; i < n_ops; i++) {
		if (ops[i] == '=') {
			fuzz_check(ia < na && ib < nb && !strcmp(va[ia], vb[ib]));
			ia++, ib++;
		} else if (ops[i] == '-') {
			fuzz_check(ia < na);
			ia++;
		} else {
			fuzz_check(ops[i] == '+' && ib < nb);
			ib++;
		}
	}
	fuzz_check(ia == na && ib == nb);
}

static void
fuzz_record(TALLOC_CTX *ctx, const char *buf, size_t len)
{
	struct versions *v, *again;
	size_t n;
	char *rec;

	if (versions_unpack(ctx, buf, len, &v) != TRAWL_OK)
		return;
	rec = versions_pack(ctx, v, &n);
	fuzz_check(rec);
	fuzz_check(versions_unpack(ctx, rec, n, &again) == TRAWL_OK);
	fuzz_check(again->n_files == v->n_files && again->n_versions == v->n_versions);
	for (size_t i = 0; i < v->n_files; i++)
		fuzz_check(!strcmp(again->files[i].path, v->files[i].path) &&
		           again->files[i].version == v->files[i].version);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	const char *d = (const char *)data;
	const char *nul = memchr(d, '\0', size);
	size_t la = nul ? (size_t)(nul - d) : size;
	const char *b = nul ? nul + 1 : "";
	size_t lb = nul ? size - la - 1 : 0;
	const char *nul2 = memchr(b, '\0', lb);

	/* The second message ends at a second NUL, if any: lines are C strings. */
	if (nul2)
		lb = (size_t)(nul2 - b);
	fuzz_rule(ctx, d, la);
	fuzz_rule(ctx, b, lb);
	fuzz_diff(ctx, d, la, b, lb);
	fuzz_record(ctx, d, size);
	talloc_free(ctx);
	return 0;
}
