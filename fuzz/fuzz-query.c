/*
 * libFuzzer target for the helpers that build notmuch queries (index.h:
 * index_quote_term(), index_query_and(), and the query:NAME references
 * index_query() follows to refuse cycles of saved searches), checked
 * against notmuch itself: a small database is built once, in a temp dir,
 * with messages m0..m5 carrying awkward tags, and saved searches that
 * nest and that refer to each other in a cycle.
 *
 * Input: byte 0 selects the check, the rest is text.
 *
 *  even: quoting.  For each prefix (tag, id), index_quote_term(prefix,
 *        text) matches exactly the messages whose tag (or id) is the
 *        text, and neither " or tag:m0" nor "not" around it escapes it:
 *        a quoted term is one term, whatever it holds.
 *  odd:  combining.  The text is two queries a and b (split at the first
 *        newline), combined with index_query_and(): nothing breaks.  The
 *        same bytes also drive a generator of well-formed queries, some
 *        cut short (an open quote, unclosed parentheses): combined, two
 *        of those match exactly the messages both match; neither can eat
 *        or undo the other.
 *
 * Every query also goes through index_query()'s reference check: a cycle
 * of saved searches that libnotmuch 0.37 would follow without end (a
 * crash) must be refused however the reference is written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "trawl/index-build.h"
#include "trawl/index.h"
#include "trawl/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__asan_default_options(void);

/*
 * Xapian and libnotmuch 0.37 leak on some queries (a regex compiled and
 * never freed, parts of a query that fails to parse), in frames the fast
 * unwinder cannot walk, so that no suppression matches: leaks are not
 * looked for in this target (the other targets and the sanitizer tests
 * look for trawl's own).  Xapian allocates much per query: a smaller
 * quarantine keeps the process small over a long run.
 */
const char *
__asan_default_options(void)
{
	return "detect_leaks=0:quarantine_size_mb=32";
}

#define FUZZ_MESSAGES 6

/* Each message's tags: its own mN, then awkward ones. */
static const char *const fuzz_tags[FUZZ_MESSAGES][4] = {
	{"m0", "inbox", "a\"b", NULL},
	{"m1", "inbox", "under review", "é"},
	{"m2", "(x)", "\"", "a\\b"},
	{"m3", "reviewed", "x) or (y", NULL},
	{"m4", "tag:m0", "*", "a\"\"b"},
	{"m5", "query:loop", "-", NULL},
};

/* Saved searches: plain, nested, a cycle and a thread: libnotmuch cannot follow. */
static const char *const fuzz_searches[][2] = {
	{"inbox", "tag:inbox"},
	{"nest", "query:inbox and not tag:m0"},
	{"loop", "query:pool"},
	{"pool", "query:loop"},
	{"self", "tag:m2 or query:self"},
	{"a b", "tag:m3"},
	{"empty", "thread:\"\""},
};

static index_t *fuzz_idx;
static char fuzz_dir[4096];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	char *mail, *config, *err = NULL;
	index_build_t *b;

	(void)argc;
	(void)argv;
	fuzz_temp_dir(fuzz_dir, sizeof(fuzz_dir), fuzz_tmpdir(),
		      "trawl-fuzz-query");
	/* Never read the user's notmuch config or trawl state. */
	setenv("HOME", fuzz_dir, 1);
	setenv("XDG_CONFIG_HOME", fuzz_dir, 1);
	setenv("XDG_STATE_HOME", fuzz_dir, 1);
	setenv("XDG_CACHE_HOME", fuzz_dir, 1);
	unsetenv("NOTMUCH_PROFILE");
	mail = talloc_asprintf(ctx, "%s/mail", fuzz_dir);
	config = talloc_asprintf(ctx, "%s/notmuch-config", fuzz_dir);
	setenv("NOTMUCH_CONFIG", config, 1);
	if (mkdir(mail, 0700) != 0 ||
	    mkdir(talloc_asprintf(ctx, "%s/cur", mail), 0700) != 0 ||
	    index_build_write_config(ctx, config, mail, "fuzz-query cache", &err) != TRAWL_OK ||
	    index_build_create(ctx, mail, config, &b, &err) != TRAWL_OK)
		abort();
	index_build_set_batch(b, 0);
	for (int i = 0; i < FUZZ_MESSAGES; i++) {
		char *path = talloc_asprintf(ctx, "%s/cur/m%d:2,", mail, i), *id;
		FILE *f = fopen(path, "w");

		if (!f)
			abort();
		fprintf(f, "From: Sender %d <s%d@example.org>\nTo: r@example.org\n"
			   "Subject: message %d\nMessage-ID: <m%d@fuzz>\n"
			   "Date: Mon, %d Jan 2024 10:00:00 +0000\n\nbody %d\n",
			i, i, i, i, i + 1, i);
		fclose(f);
		if (index_build_add_file(b, path, NULL) != TRAWL_OK)
			abort();
		id = talloc_asprintf(ctx, "m%d@fuzz", i);
		for (int k = 0; k < 4 && fuzz_tags[i][k]; k++)
			if (index_build_add_tag(b, id, fuzz_tags[i][k]) != TRAWL_OK)
				abort();
	}
	for (size_t i = 0; i < sizeof(fuzz_searches) / sizeof(fuzz_searches[0]); i++)
		if (index_build_set_config(b, talloc_asprintf(ctx, "query.%s", fuzz_searches[i][0]),
					   fuzz_searches[i][1]) != TRAWL_OK)
			abort();
	if (index_build_close(b) != TRAWL_OK ||
	    index_open(NULL, mail, config, &fuzz_idx, &err) != TRAWL_OK)
		abort();
	talloc_free(ctx);
	return 0;
}

/*
 * The messages query matches, as a bit set of m0..m5; -1 when notmuch
 * refuses the query (a syntax error, or trawl's own refusal of a cycle).
 */
static int
fuzz_match(const char *query)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **ids;
	size_t n;
	int set = 0;

	if (index_message_ids(fuzz_idx, tmp, query, &ids, &n) != TRAWL_OK) {
		talloc_free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int k;

		fuzz_check(sscanf(ids[i], "m%d@fuzz", &k) == 1 && k >= 0 && k < FUZZ_MESSAGES);
		set |= 1 << k;
	}
	talloc_free(tmp);
	return set;
}

static void
fuzz_quoting(TALLOC_CTX *ctx, const char *value)
{
	int want = 0, all = (1 << FUZZ_MESSAGES) - 1, got;
	char *q;

	/*
	 * Xapian's query parser reads bytes that are not UTF-8 as Latin-1:
	 * tag:"\xe9" finds the tag é, and no query finds a tag "\xe9" (trawl
	 * never makes one: tagops_valid_tag()).  Only a reference check then.
	 */
	if (!util_utf8_valid(value)) {
		fuzz_match(index_quote_term(ctx, "query", value));
		return;
	}
	for (int i = 0; i < FUZZ_MESSAGES; i++)
		for (int k = 0; k < 4 && fuzz_tags[i][k]; k++)
			if (!strcmp(fuzz_tags[i][k], value))
				want |= 1 << i;
	q = index_quote_term(ctx, "tag", value);
	fuzz_check(q != NULL);
	got = fuzz_match(q);
	/* notmuch may refuse a term (an empty one): never match something else. */
	if (got < 0)
		return;
	fuzz_check(got == want);
	fuzz_check(fuzz_match(talloc_asprintf(ctx, "%s or tag:m0", q)) == (want | 1));
	fuzz_check(fuzz_match(talloc_asprintf(ctx, "not %s", q)) == (all & ~want));
	fuzz_check(fuzz_match(talloc_asprintf(ctx, "tag:m1 and %s", q)) == (want & 2));

	want = 0;
	for (int i = 0; i < FUZZ_MESSAGES; i++) {
		char id[16];

		snprintf(id, sizeof(id), "m%d@fuzz", i);
		if (!strcmp(id, value))
			want |= 1 << i;
	}
	q = index_quote_term(ctx, "id", value);
	got = fuzz_match(q);
	if (got >= 0) {
		fuzz_check(got == want);
		fuzz_check(fuzz_match(talloc_asprintf(ctx, "%s or tag:m5", q)) == (want | 32));
	}
	/* A saved search by any name: found, or refused, never a crash. */
	fuzz_match(index_quote_term(ctx, "query", value));
}

/* Bytes of the input, read one at a time (0 when they run out). */
struct fuzz_bytes {
	const uint8_t *p;
	size_t n;
};

static unsigned
fuzz_byte(struct fuzz_bytes *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/*
 * A well-formed query from the input: terms (quoted with
 * index_quote_term(), so any bytes go in them), phrases, "not", "and",
 * "or", parentheses; a few levels deep.
 */
static char *
fuzz_gen_query(TALLOC_CTX *ctx, struct fuzz_bytes *in, int depth)
{
	static const char *const words[] = {"message", "body", "sender", "example", "0", "5"};
	unsigned b = fuzz_byte(in);
	char value[8], *q;
	size_t len = b >> 5;

	for (size_t i = 0; i < len; i++)
		value[i] = (char)(fuzz_byte(in) | 1);
	value[len] = '\0';
	switch (depth < 3 ? b & 15 : b & 7) {
	case 0:
		return index_quote_term(ctx, "tag", fuzz_tags[(b >> 4) % FUZZ_MESSAGES][(b >> 6) % 3]
							   ? fuzz_tags[(b >> 4) % FUZZ_MESSAGES][(b >> 6) % 3]
							   : "m0");
	case 1:
		return index_quote_term(ctx, "tag", value);
	case 2:
		return talloc_asprintf(ctx, "id:m%u@fuzz", (b >> 4) % FUZZ_MESSAGES);
	case 3:
		return talloc_asprintf(ctx, "subject:%s", words[(b >> 4) % 6]);
	case 4:
		return talloc_asprintf(ctx, "subject:\"message %u\"", (b >> 4) % FUZZ_MESSAGES);
	case 5:
		return talloc_asprintf(ctx, "from:s%u", (b >> 4) % FUZZ_MESSAGES);
	case 6:
		return index_quote_term(ctx, "query", fuzz_searches[(b >> 4) % 7][0]);
	case 7:
		return talloc_asprintf(ctx, "%s", words[(b >> 4) % 6]);
	case 8:
	case 9:
		return talloc_asprintf(ctx, "%s and %s", fuzz_gen_query(ctx, in, depth + 1),
				       fuzz_gen_query(ctx, in, depth + 1));
	case 10:
	case 11:
		return talloc_asprintf(ctx, "%s or %s", fuzz_gen_query(ctx, in, depth + 1),
				       fuzz_gen_query(ctx, in, depth + 1));
	case 12:
		/* Not "not not": Xapian reads a doubled not in a group in its own way. */
		q = fuzz_gen_query(ctx, in, depth + 1);
		return talloc_asprintf(ctx, strncmp(q, "not ", 4) ? "not %s" : "not (%s)", q);
	default:
		return talloc_asprintf(ctx, "(%s)", fuzz_gen_query(ctx, in, depth + 1));
	}
}

/*
 * A generated query, maybe cut as people leave queries: without its last
 * closing quote, or without its closing parentheses at the end.
 */
static char *
fuzz_gen_cut(TALLOC_CTX *ctx, struct fuzz_bytes *in)
{
	unsigned how = fuzz_byte(in);
	char *q = fuzz_gen_query(ctx, in, 0);
	size_t n = strlen(q);

	if ((how & 3) == 1 && n && q[n - 1] == '"')
		q[n - 1] = '\0';
	else if ((how & 3) == 2)
		while (n && q[n - 1] == ')')
			q[--n] = '\0';
	return q;
}

/*
 * Combining.  On any text only that nothing breaks (the saved-search
 * cycle check among it): Xapian reads a query it cannot parse in a mode
 * of its own, with its operators as words, that no larger query can
 * reproduce.  On generated queries, also cut ones, the combination
 * matches exactly what both match.
 */
static void
fuzz_combining(TALLOC_CTX *ctx, const char *a, const char *b, struct fuzz_bytes *in)
{
	int sa, sb;
	char *q;

	fuzz_match(a);
	fuzz_match(b);
	fuzz_match(index_query_and(ctx, a, b));

	a = fuzz_gen_cut(ctx, in);
	b = fuzz_gen_cut(ctx, in);
	sa = fuzz_match(a);
	sb = fuzz_match(b);
	/* FUZZ_DEBUG=1 says which queries a reproduced input made. */
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "a=[%s] %d\nb=[%s] %d\nand=[%s] %d\n", a, sa, b, sb,
			index_query_and(ctx, a, b), fuzz_match(index_query_and(ctx, a, b)));
	/* Saved searches in a cycle are refused, and so is what uses them. */
	if (sa < 0 || sb < 0)
		return;
	q = index_query_and(ctx, a, b);
	fuzz_check(q != NULL);
	fuzz_check(fuzz_match(q) == (sa & sb));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;
	char *text, *nl;

	if (size < 1 || size > 512)
		return 0;
	ctx = talloc_new(NULL);
	text = talloc_strndup(ctx, (const char *)data + 1, size - 1);
	fuzz_check(text != NULL);
	if (data[0] & 1) {
		struct fuzz_bytes in = {data + 1, size - 1};

		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		fuzz_combining(ctx, text, nl ? nl + 1 : "not tag:reviewed", &in);
	} else {
		fuzz_quoting(ctx, text);
	}
	talloc_free(ctx);
	return 0;
}
