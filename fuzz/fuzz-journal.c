/*
 * libFuzzer target for the review journal (journal.h): its line parser,
 * which must never apply a torn or altered line, and its writer, whose
 * lines must read back as written.
 *
 * Input: byte 0 selects; the rest is a journal file or, for the writer,
 * fields separated by NUL.
 *
 *  bit 0 clear: reading.  With bit 1 set, each line whose last field is
 *      "~" and 8 characters gets the right checksum first, so that the
 *      fuzzer reaches the field parsers past the checksum.  Checks:
 *      - the lines journal_read_checked() counts as damaged are exactly
 *        those a separate checker finds: a line without its newline, one
 *        with a NUL, one whose checksum field is not 8 hex digits of the
 *        right sum, and one without a checksum after one with;
 *      - reading the file without its damaged lines gives the same
 *        entries, batches and changes: a damaged line changes nothing;
 *      - journal_undoable() gives indices in range, oldest first;
 *      - journal_print() writes text with no control character but the
 *        newline and no bidi control (the journal holds typed text), and
 *        CSV with as many fields a record as its header.
 *  bit 0 set: writing.  The fields (reviewer, kind, query, ops, session,
 *      a message id, its old tags, tags to add, how the entry ended) are
 *      written with journal_begin(), journal_batch_old(),
 *      journal_batch_committed() and journal_end() into a fresh journal,
 *      then read back: every field as written, the message's old tags and
 *      the delta the batch made.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "trawl/journal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_dir[4096];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/*
	 * tmpfs if there is a roomy one: the writer fsyncs every line.  A
	 * container's /dev/shm may be 64 MB shared with everything else, and
	 * a write that fails for want of room is no finding.
	 */
	fuzz_temp_dir(fuzz_dir, sizeof(fuzz_dir), fuzz_roomy("/dev/shm") ? "/dev/shm" : fuzz_tmpdir(),
		      "trawl-fuzz-journal");
	setenv("HOME", fuzz_dir, 1);
	setenv("XDG_STATE_HOME", fuzz_dir, 1);
	return 0;
}

static uint32_t
fuzz_sum(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Where the checksum field of line[0..len) (newline excluded) starts: its tab; NULL if none. */
static const char *
fuzz_sum_field(const char *line, size_t len)
{
	for (size_t i = len; i > 0; i--)
		if (line[i - 1] == '\t')
			return i < len && line[i] == '~' ? line + i - 1 : NULL;
	return NULL;
}

/* 1 sealed and intact, 0 no checksum, -1 damaged: written apart from journal.c. */
static int
fuzz_line_state(const char *line, size_t len)
{
	const char *tab;
	char want[9];

	if (len == 0 || line[len - 1] != '\n' || memchr(line, '\0', len))
		return -1;
	len--;
	tab = fuzz_sum_field(line, len);
	if (!tab)
		return 0;
	if (line + len - (tab + 2) != 8)
		return -1;
	for (int i = 0; i < 8; i++)
		if (!strchr("0123456789abcdefABCDEF", tab[2 + i]))
			return -1;
	snprintf(want, sizeof(want), "%08x", fuzz_sum(line, (size_t)(tab - line)));
	return strncasecmp(want, tab + 2, 8) == 0 ? 1 : -1;
}

/* The input with the checksum fields of its lines made right. */
static char *
fuzz_reseal(TALLOC_CTX *ctx, const char *d, size_t n, size_t *out_n)
{
	char *out = talloc_size(ctx, n + 1);

	fuzz_check(out != NULL);
	memcpy(out, d, n);
	for (size_t p = 0; p < n;) {
		const char *nl = memchr(out + p, '\n', n - p);
		size_t e = nl ? (size_t)(nl - out) : n;
		const char *tab = fuzz_sum_field(out + p, e - p);

		if (tab && out + e - (tab + 2) == 8) {
			char sum[9];

			snprintf(sum, sizeof(sum), "%08x", fuzz_sum(out + p, (size_t)(tab - out - p)));
			memcpy(out + (tab - out) + 2, sum, 8);
		}
		p = nl ? e + 1 : n;
	}
	*out_n = n;
	return out;
}

/* Everything the readers give for the journal at path, as one string to compare. */
static char *
fuzz_read_all(TALLOC_CTX *ctx, const char *path, size_t *damaged)
{
	struct journal_entry *e;
	size_t n, undo[64], k;
	char *all;

	fuzz_check(journal_read_checked(ctx, path, &e, &n, damaged) == TRAWL_OK);
	all = talloc_asprintf(ctx, "%zu entries\n", n);
	for (size_t i = 0; i < n; i++) {
		struct journal_batch *b;
		size_t nb;

		fuzz_check(e[i].reviewer && e[i].kind && e[i].query && e[i].ops && e[i].session &&
			   e[i].end);
		all = talloc_asprintf_append(all, "E %lu %lld [%s] [%s] %lu [%s] [%s] %zu %zu [%s] [%s]\n",
					     e[i].id, (long long)e[i].time, e[i].reviewer, e[i].kind,
					     e[i].undoes, e[i].query, e[i].ops, e[i].count,
					     e[i].committed, e[i].session, e[i].end);
		fuzz_check(journal_batches(ctx, path, e[i].id, &b, &nb) == TRAWL_OK);
		for (size_t j = 0; j < nb; j++) {
			all = talloc_asprintf_append(all, " B %zu %d %zu\n", b[j].batch,
						     b[j].committed, b[j].n);
			for (size_t m = 0; m < b[j].n; m++) {
				fuzz_check(b[j].message_ids[m] != NULL);
				all = talloc_asprintf_append(all, "  [%s] %zu\n", b[j].message_ids[m],
							     b[j].delta[m] ? b[j].delta[m]->n : 0);
			}
		}
		fuzz_check(journal_load_changes(ctx, path, &e[i]) == TRAWL_OK);
		for (size_t m = 0; m < e[i].n_changes; m++) {
			all = talloc_asprintf_append(all, " C [%s] %zu:", e[i].message_ids[m],
						     e[i].n_old[m]);
			for (size_t t = 0; t < e[i].n_old[m]; t++) {
				fuzz_check(e[i].old_tags[m][t] != NULL);
				all = talloc_asprintf_append(all, " [%s]", e[i].old_tags[m][t]);
			}
			for (size_t t = 0; e[i].delta[m] && t < e[i].delta[m]->n; t++)
				all = talloc_asprintf_append(all, " %c[%s]",
							     e[i].delta[m]->ops[t].add ? '+' : '-',
							     e[i].delta[m]->ops[t].tag);
			all = talloc_asprintf_append(all, "\n");
		}
	}
	k = journal_undoable(e, n, 64, undo);
	fuzz_check(k <= 64 && k <= n);
	for (size_t i = 0; i < k; i++)
		fuzz_check(undo[i] < n && (i == 0 || undo[i - 1] < undo[i]));
	fuzz_check(all != NULL);
	return all;
}

/* Checks journal_print()'s text (safe for a terminal) and CSV (every record as wide as its header). */
static void
fuzz_print(const char *path)
{
	char *text = NULL;
	size_t len = 0, fields = 1;
	FILE *f = open_memstream(&text, &len);
	int quoted = 0;

	fuzz_check(f && journal_print(path, f, 0, NULL) == TRAWL_OK);
	fclose(f);
	/* FUZZ_DEBUG=1 shows the text of a reproduced input. */
	if (getenv("FUZZ_DEBUG"))
		fwrite(text, 1, len, stderr);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)text[i];
		uint32_t cp = c;
		size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;

		for (size_t j = 1; j < k && i + j < len; j++)
			cp = (j == 1 ? (uint32_t)(c & (0x7F >> k)) : cp) << 6 |
			     ((unsigned char)text[i + j] & 0x3F);
		fuzz_check(c == '\n' || !fuzz_forbidden(cp));
		i += k;
	}
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	fuzz_check(f && journal_print(path, f, 1, NULL) == TRAWL_OK);
	fclose(f);
	/* Every row has as many fields as the header line names. */
	for (size_t i = 0, columns = 0; i < len; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (!quoted && text[i] == ',')
			fields++;
		else if (!quoted && text[i] == '\n') {
			if (!columns)
				columns = fields;
			fuzz_check(fields == columns && i > 0 && text[i - 1] == '\r');
			fields = 1;
		}
	}
	fuzz_check(!quoted && fields == 1);
	free(text);
}

static void
fuzz_read(TALLOC_CTX *ctx, const uint8_t *data, size_t size, int reseal)
{
	char *d = (char *)data, *good;
	size_t n = size, n_good = 0, damaged, damaged_again, bad = 0;
	int sealed_seen = 0;
	char *all, *all_good;

	if (reseal)
		d = fuzz_reseal(ctx, (const char *)data, size, &n);
	good = talloc_size(ctx, n + 1);
	fuzz_check(good != NULL);
	for (size_t p = 0; p < n;) {
		const char *nl = memchr(d + p, '\n', n - p);
		size_t e = nl ? (size_t)(nl - d) + 1 : n;
		int st = fuzz_line_state(d + p, e - p);

		if (st < 0 || (st == 0 && sealed_seen)) {
			bad++;
		} else {
			memcpy(good + n_good, d + p, e - p);
			n_good += e - p;
		}
		sealed_seen |= st > 0;
		p = e;
	}
	all = fuzz_read_all(ctx, fuzz_file((const uint8_t *)d, n), &damaged);
	fuzz_check(damaged == bad);
	fuzz_print(fuzz_file((const uint8_t *)d, n));
	all_good = fuzz_read_all(ctx, fuzz_file((const uint8_t *)good, n_good), &damaged_again);
	fuzz_check(damaged_again == 0);
	/* A damaged line changes nothing that is read. */
	fuzz_check(strcmp(all, all_good) == 0);
}

/* The next NUL-separated field of the input ("" when it runs out). */
static const char *
fuzz_field(TALLOC_CTX *ctx, const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = talloc_strndup(ctx, (const char *)*p, n);

	fuzz_check(s != NULL);
	*p = nul ? nul + 1 : end;
	return s;
}

/* Splits s at spaces into words (none empty). */
static char **
fuzz_words(TALLOC_CTX *ctx, const char *s, size_t *n)
{
	char **w = talloc_array(ctx, char *, strlen(s) + 1);
	char *copy = talloc_strdup(ctx, s);

	fuzz_check(w && copy);
	*n = 0;
	for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
		w[(*n)++] = t;
	return w;
}

/* A journal write that failed: says why (errno) before aborting. */
static void
fuzz_write_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-journal: %s failed: %s (in %s)\n", what, strerror(errno),
			fuzz_dir);
		abort();
	}
}

static void
fuzz_write(TALLOC_CTX *ctx, const uint8_t *p, size_t size)
{
	const uint8_t *end = p + size;
	char *path = talloc_asprintf(ctx, "%s/journal.log", fuzz_dir);
	struct journal_entry x = {0}, *e;
	struct index_change ch = {0};
	struct index_old_tags old = {0};
	struct tagops *ops;
	char **add, *how;
	size_t n_add, n;

	x.time = 1700000000;
	x.reviewer = (char *)fuzz_field(ctx, &p, end);
	x.kind = (char *)fuzz_field(ctx, &p, end);
	x.query = (char *)fuzz_field(ctx, &p, end);
	x.ops = (char *)fuzz_field(ctx, &p, end);
	x.session = (char *)fuzz_field(ctx, &p, end);
	x.count = 1;
	old.message_id = (char *)fuzz_field(ctx, &p, end);
	old.tags = fuzz_words(ctx, fuzz_field(ctx, &p, end), &old.n);
	old.found = 1;
	add = fuzz_words(ctx, fuzz_field(ctx, &p, end), &n_add);
	how = (char *)fuzz_field(ctx, &p, end);
	/* The change: add the tags given, remove the first old one. */
	ops = talloc_zero(ctx, struct tagops);
	ops->ops = talloc_zero_array(ctx, struct tagop, n_add + 1);
	for (size_t i = 0; i < n_add; i++)
		ops->ops[ops->n++] = (struct tagop){add[i], 1};
	if (old.n)
		ops->ops[ops->n++] = (struct tagop){old.tags[0], 0};
	ch.message_id = old.message_id;
	ch.ops = ops;

	unlink(path);
	unlink(talloc_asprintf(ctx, "%s.next", path));
	fuzz_write_check(journal_begin(path, &x) == 0, "journal_begin");
	fuzz_write_check(journal_batch_old(path, x.id, 0, &ch, &old, 1) == 0, "journal_batch_old");
	fuzz_write_check(journal_batch_committed(path, x.id, 0, 1) == 0, "journal_batch_committed");
	fuzz_write_check(journal_end(path, x.id, how) == 0, "journal_end");

	fuzz_check(journal_read(ctx, path, &e, &n) == TRAWL_OK && n == 1);
	fuzz_check(e[0].id == x.id && e[0].time == x.time && e[0].count == 1 &&
		   e[0].committed == 1);
	fuzz_check(!strcmp(e[0].reviewer, x.reviewer) && !strcmp(e[0].kind, x.kind) &&
		   !strcmp(e[0].query, x.query) && !strcmp(e[0].ops, x.ops) &&
		   !strcmp(e[0].session, x.session) && !strcmp(e[0].end, how));
	fuzz_check(journal_load_changes(ctx, path, &e[0]) == TRAWL_OK && e[0].n_changes == 1);
	fuzz_check(!strcmp(e[0].message_ids[0], old.message_id));
	fuzz_check(e[0].n_old[0] == old.n);
	for (size_t i = 0; i < old.n; i++)
		fuzz_check(!strcmp(e[0].old_tags[0][i], old.tags[i]));
	/* The delta: what the change really did (journal_delta()), in order. */
	{
		struct tagops *d = e[0].delta[0];
		size_t k = 0;

		fuzz_check(d != NULL);
		for (size_t i = 0; i < ops->n; i++) {
			if (ops->ops[i].add == tagops_has(old.tags, old.n, ops->ops[i].tag))
				continue;
			fuzz_check(k < d->n && d->ops[k].add == ops->ops[i].add &&
				   !strcmp(d->ops[k].tag, ops->ops[i].tag));
			k++;
		}
		fuzz_check(k == d->n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;

	if (size < 1 || size > 16384)
		return 0;
	ctx = talloc_new(NULL);
	if (data[0] & 1)
		fuzz_write(ctx, data + 1, size - 1);
	else
		fuzz_read(ctx, data + 1, size - 1, data[0] & 2);
	talloc_free(ctx);
	return 0;
}
