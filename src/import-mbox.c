/*
 * import-mbox: the mbox splitter of `trawl import` (importer.h declares
 * it; the rules are at the top of importer.c): separators, Content-Length
 * (mboxcl2), mboxrd unquoting.  Pure functions over a buffer, so that the
 * fuzz target and the archive reader use the same code as the file walker.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>

#include "trawl/importer.h"
#include "import-int.h"

/*
 * Whether the line at p is an mbox separator: "From ", a word, then
 * nothing or text holding a digit (see the top of this file).
 */
static bool
importer_is_from_line(const char *p, size_t n)
{
	size_t i = 5, e, word;
	bool blank = true, digit = false;
	const char *nl;

	if (n < 6 || memcmp(p, "From ", 5) != 0)
		return false;
	nl = memchr(p, '\n', n);
	e = nl ? (size_t)(nl - p) : n;
	while (i < e && p[i] == ' ')
		i++;
	word = i;
	while (i < e && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
		i++;
	if (i == word)
		return false;
	for (; i < e; i++) {
		if (!isspace((unsigned char)p[i]))
			blank = false;
		if (isdigit((unsigned char)p[i]))
			digit = true;
	}
	return blank || digit;
}

/* The value of a Content-Length header in the header block h[0..n), or -1. */
static long long
importer_content_length(const char *h, size_t n)
{
	static const char name[] = "content-length:";
	size_t p = 0;

	while (p < n) {
		const char *nl = memchr(h + p, '\n', n - p);
		size_t e = nl ? (size_t)(nl - h) : n;

		if (e - p > sizeof(name) - 1 && !strncasecmp(h + p, name, sizeof(name) - 1)) {
			size_t i = p + sizeof(name) - 1;
			long long v = 0;
			bool any = false;

			while (i < e && (h[i] == ' ' || h[i] == '\t'))
				i++;
			for (; i < e && isdigit((unsigned char)h[i]) && v < (1LL << 50);
			     i++, any = true)
				v = v * 10 + (h[i] - '0');
			while (i < e && isspace((unsigned char)h[i]))
				i++;
			return any && i == e ? v : -1;
		}
		p = e + 1;
	}
	return -1;
}

/*
 * Finds where the message starting at d[start] ends (*end, exclusive) and
 * where the next separator is (*next, or len).  The separators decide,
 * unless a consistent Content-Length reaches past the first of them: then
 * that "From " line is the body's, and the header is followed.
 */
static void
importer_mbox_extent(const char *d, size_t len, size_t start, size_t *end, size_t *next)
{
	size_t body = start + import_body_start(d + start, len - start);
	long long cl = importer_content_length(d + start, body - start);
	size_t p = start, e;

	while (p < len && !importer_is_from_line(d + p, len - p)) {
		const char *nl = memchr(d + p, '\n', len - p);

		p = nl ? (size_t)(nl - d) + 1 : len;
	}
	*next = p;
	e = p;
	/* The empty line before a separator belongs to the separator. */
	if (e - start >= 2 && d[e - 1] == '\n' && d[e - 2] == '\n')
		e--;
	else if (e - start >= 4 && !memcmp(d + e - 4, "\r\n\r\n", 4))
		e -= 2;
	*end = e;
	if (cl < 0 || (unsigned long long)cl > len - body || body + (size_t)cl <= *next)
		return;
	e = body + (size_t)cl;
	/*
	 * A separator followed by a header starts a message of its own: a
	 * Content-Length (the sender's to write) never hides one.
	 */
	for (p = *next; p < e;) {
		const char *nl = memchr(d + p, '\n', len - p);
		size_t after = nl ? (size_t)(nl - d) + 1 : len;

		if (importer_is_from_line(d + p, len - p) &&
		    import_starts_with_header(d + after, len - after))
			return;
		nl = memchr(d + p, '\n', e - p);
		p = nl ? (size_t)(nl - d) + 1 : e;
	}
	p = e;
	while (p < len) {
		if (d[p] == '\n')
			p++;
		else if (d[p] == '\r' && p + 1 < len && d[p + 1] == '\n')
			p += 2;
		else
			break;
	}
	/* Consistent only if it ends a line and lands on a separator or the end. */
	if ((e == body || d[e - 1] == '\n') &&
	    (p == len || importer_is_from_line(d + p, len - p))) {
		*end = e;
		*next = p;
	}
}

/*
 * The message with one '>' taken off each ">From " line (any number of
 * '>'), as a child of ctx; NULL when there is none to unquote.
 */
char *
importer_mbox_unquote(TALLOC_CTX *ctx, const char *d, size_t len, size_t *out_len)
{
	char *out = NULL, *o = NULL;

	for (int pass = 0; pass < 2; pass++) {
		size_t p = 0;
		bool any = false;

		while (p < len) {
			const char *nl = memchr(d + p, '\n', len - p);
			size_t e = nl ? (size_t)(nl - d) + 1 : len, q = p;

			while (q < e && d[q] == '>')
				q++;
			if (q > p && e - q >= 5 && !memcmp(d + q, "From ", 5)) {
				any = true;
				if (pass)
					memcpy(o, d + p + 1, e - p - 1), o += e - p - 1;
			} else if (pass) {
				memcpy(o, d + p, e - p);
				o += e - p;
			}
			p = e;
		}
		if (!pass && !any)
			return NULL;
		if (!pass) {
			out = o = talloc_size(ctx, len ? len : 1);
			if (!out)
				return NULL;
		}
	}
	*out_len = (size_t)(o - out);
	return out;
}

bool
importer_is_mbox(const char *d, size_t len)
{
	size_t bom = len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3) ? 3 : 0;

	return importer_is_from_line(d + bom, len - bom);
}

int
importer_mbox_next(const char *d, size_t len, size_t *pos, struct importer_mbox_message *m)
{
	size_t p = *pos, env_end;
	const char *nl;

	/* A UTF-8 BOM may come before the first separator. */
	if (p == 0 && len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
		p = 3;
	if (p >= len || !importer_is_from_line(d + p, len - p))
		return 0;
	nl = memchr(d + p, '\n', len - p);
	env_end = nl ? (size_t)(nl - d) : len;
	m->offset = p;
	m->envelope = p + 5;
	m->envelope_len = env_end - m->envelope;
	if (m->envelope_len && d[env_end - 1] == '\r')
		m->envelope_len--;
	m->start = nl ? env_end + 1 : len;
	importer_mbox_extent(d, len, m->start, &m->end, pos);
	return 1;
}
