/*
 * libFuzzer target for the importer's mbox splitter (importer.h) and the
 * exporter's mbox writer (exporter.h), which must agree: what `trawl
 * export --mbox` writes, `trawl import` reads back message for message.
 *
 * Input: byte 0 and bytes 1-8 (a date, as a 64-bit number) drive the
 * export; the rest is an mbox or a message.
 *
 * Checks, beyond not crashing:
 *  - splitting: every message starts at a separator, in order; its
 *    envelope is the rest of that line; its bytes lie between the line
 *    and the next separator, which is where the next message starts, and
 *    the last one reaches the end of the file;
 *  - round trip: the messages found (unquoted), or the whole input when
 *    it is not an mbox, each made to start with a header as every file
 *    the importer takes as mail does, are written with
 *    exporter_mbox_write() and split again: the same number of messages,
 *    each the same bytes (plus the newline the exporter adds to a message
 *    without one), each envelope the sender and date written.  A message
 *    cannot hide the next one, whatever its Content-Length says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/exporter.h"
#include "trawl/importer.h"

/* Whether d starts with a header field "Name:" (as importer.c decides a file is mail). */
static int
fuzz_starts_with_header(const char *d, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)d[i] > 32 && (unsigned char)d[i] < 127 && d[i] != ':')
		i++;
	return i > 0 && i < len && d[i] == ':';
}

struct fuzz_msg {
	const char *d;
	size_t len;
	const char *envelope;
	size_t envelope_len;
};

/* Splits d and checks the layout; the messages found, unquoted, go into *out. */
static size_t
fuzz_split(TALLOC_CTX *ctx, const char *d, size_t len, struct fuzz_msg **out)
{
	struct importer_mbox_message m;
	size_t pos = 0, before, n = 0, prev_end = 0;
	struct fuzz_msg *msgs = talloc_array(ctx, struct fuzz_msg, 1);

	fuzz_check(msgs != NULL);
	for (before = pos; importer_mbox_next(d, len, &pos, &m); before = pos) {
		fuzz_check(m.offset == (before == 0 && len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3)
						? 3
						: before));
		fuzz_check(n == 0 || m.offset == prev_end);
		fuzz_check(m.offset + 5 <= len && !memcmp(d + m.offset, "From ", 5));
		fuzz_check(m.envelope == m.offset + 5);
		fuzz_check(!memchr(d + m.envelope, '\n', m.envelope_len));
		fuzz_check(m.start > m.envelope + m.envelope_len || m.start == len);
		fuzz_check(m.start <= m.end && m.end <= pos && pos <= len && pos > m.offset);
		prev_end = pos;
		msgs = talloc_realloc(ctx, msgs, struct fuzz_msg, n + 1);
		fuzz_check(msgs != NULL);
		msgs[n].d = importer_mbox_unquote(ctx, d + m.start, m.end - m.start, &msgs[n].len);
		if (!msgs[n].d) {
			msgs[n].d = d + m.start;
			msgs[n].len = m.end - m.start;
		}
		fuzz_check(msgs[n].len <= m.end - m.start);
		msgs[n].envelope = d + m.envelope;
		msgs[n].envelope_len = m.envelope_len;
		n++;
	}
	/* An mbox is read to its end; anything else is not an mbox. */
	fuzz_check(importer_is_mbox(d, len) ? n > 0 && pos == len : n == 0);
	*out = msgs;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const senders[] = {"MAILER-DAEMON", "alice@example.org",
					      "bob.o'neil+tag@example.co.uk", "x"};
	TALLOC_CTX *ctx;
	struct fuzz_msg *msgs, *again;
	const char *d;
	size_t len, n, n_again, out_len = 0;
	char *out = NULL;
	int64_t date = 0;
	FILE *f;

	if (size < 9 || size > 65536)
		return 0;
	ctx = talloc_new(NULL);
	memcpy(&date, data + 1, 8);
	d = (const char *)data + 9;
	len = size - 9;

	n = fuzz_split(ctx, d, len, &msgs);
	if (n == 0) {
		msgs[0].d = d;
		msgs[0].len = len;
		n = 1;
	}
	/* What the exporter is given: messages notmuch indexed, so each starts with a header. */
	for (size_t i = 0; i < n; i++)
		if (!fuzz_starts_with_header(msgs[i].d, msgs[i].len)) {
			char *m = talloc_size(ctx, msgs[i].len + 11);

			fuzz_check(m != NULL);
			memcpy(m, "X-Fuzz: 1\n", 10);
			memcpy(m + 10, msgs[i].d, msgs[i].len);
			msgs[i].d = m;
			msgs[i].len += 10;
		}

	f = open_memstream(&out, &out_len);
	fuzz_check(f != NULL);
	for (size_t i = 0; i < n; i++)
		fuzz_check(exporter_mbox_write(f, senders[(data[0] + i) % 4], (time_t)date, msgs[i].d,
					       msgs[i].len) == 0);
	fclose(f);

	n_again = fuzz_split(ctx, out, out_len, &again);
	fuzz_check(n_again == n);
	for (size_t i = 0; i < n; i++) {
		size_t want = msgs[i].len + (msgs[i].d[msgs[i].len - 1] != '\n');
		const char *sender = senders[(data[0] + i) % 4];
		size_t sl = strlen(sender);

		fuzz_check(again[i].len == want && !memcmp(again[i].d, msgs[i].d, msgs[i].len));
		fuzz_check(again[i].envelope_len > sl && !memcmp(again[i].envelope, sender, sl) &&
			   again[i].envelope[sl] == ' ');
	}
	free(out);
	talloc_free(ctx);
	return 0;
}
