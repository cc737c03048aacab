/*
 * Unit tests of the demo module: the generated maildir (determinism,
 * count, well-formed files, the charsets, HTML, attachments and hostile
 * messages it promises) and the demo cache built from it through
 * libnotmuch.
 */
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/demo.h"
#include "trawl/index.h"

/* Small enough to stay fast, large enough to hold every kind of message. */
#define TEST_COUNT 600
#define TEST_CACHE_COUNT 400
#define TEST_SEED 7

struct file {
	char *name;
	char *data;
	size_t len;
};

struct corpus {
	struct file *files;
	size_t n;
};

struct ctx {
	struct fixture *f;
	char *a;      /* TEST_COUNT messages, TEST_SEED */
	struct corpus ca;
};

static int
test_strcmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static char *
test_slurp(TALLOC_CTX *ctx, const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = talloc_size(ctx, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The names (sorted) of the entries of a directory, without . and .. */
static char **
test_list(TALLOC_CTX *ctx, const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		v = talloc_realloc(ctx, v, char *, *n + 1);
		v[(*n)++] = talloc_strdup(v, e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), test_strcmp);
	return v;
}

static void
test_load(TALLOC_CTX *ctx, const char *maildir, struct corpus *c)
{
	char *cur = talloc_asprintf(ctx, "%s/cur", maildir);
	char **names = test_list(ctx, cur, &c->n);

	c->files = talloc_zero_array(ctx, struct file, c->n ? c->n : 1);
	for (size_t i = 0; i < c->n; i++) {
		char *path = talloc_asprintf(ctx, "%s/%s", cur, names[i]);

		c->files[i].name = names[i];
		c->files[i].data = test_slurp(ctx, path, &c->files[i].len);
	}
}

/* The header block of a message: everything before the first empty line. */
static size_t
test_header_len(const struct file *f)
{
	const char *end = strstr(f->data, "\n\n");

	return end ? (size_t)(end - f->data) + 1 : f->len;
}

/* The value of a header (first occurrence, unfolded up to the line end) or NULL. */
static char *
test_header(TALLOC_CTX *ctx, const struct file *f, const char *name)
{
	size_t hlen = test_header_len(f), nlen = strlen(name);

	for (const char *p = f->data; p < f->data + hlen;) {
		const char *nl = memchr(p, '\n', (size_t)(f->data + hlen - p));

		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;

			while (*v == ' ')
				v++;
			return talloc_strndup(ctx, v, nl ? (size_t)(nl - v) : strlen(v));
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

static unsigned
test_distinct_ids(TALLOC_CTX *ctx, const struct corpus *c)
{
	char **ids = talloc_array(ctx, char *, c->n ? c->n : 1);
	unsigned distinct = 0;

	for (size_t i = 0; i < c->n; i++) {
		ids[i] = test_header(ids, &c->files[i], "Message-ID");
		assert_non_null(ids[i]);
	}
	qsort(ids, c->n, sizeof(*ids), test_strcmp);
	for (size_t i = 0; i < c->n; i++)
		if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
			distinct++;
	talloc_free(ids);
	return distinct;
}

/* How many files contain needle (bytes, case-sensitive). */
static unsigned
test_files_with(const struct corpus *c, const char *needle)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (memmem(c->files[i].data, c->files[i].len, needle, strlen(needle)))
			n++;
	return n;
}

static const struct file *
test_file_with(const struct corpus *c, const char *needle)
{
	for (size_t i = 0; i < c->n; i++)
		if (memmem(c->files[i].data, c->files[i].len, needle, strlen(needle)))
			return &c->files[i];
	return NULL;
}

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);
	char *err = NULL;

	c->f = fixture_new(c, NULL);
	c->a = talloc_asprintf(c, "%s/demo-a", c->f->dir);
	assert_int_equal(demo_write_maildir(c, c->a, TEST_COUNT, TEST_SEED, &err), TRAWL_OK);
	assert_null(err);
	test_load(c, c->a, &c->ca);
	*state = c;
	return 0;
}

static void
test_same_seed_same_bytes(void **state)
{
	struct ctx *c = *state;
	char *b = talloc_asprintf(c, "%s/demo-b", c->f->dir);
	char *err = NULL;
	struct corpus cb;

	assert_int_equal(demo_write_maildir(c, b, TEST_COUNT, TEST_SEED, &err), TRAWL_OK);
	test_load(c, b, &cb);
	assert_int_equal(cb.n, c->ca.n);
	for (size_t i = 0; i < cb.n; i++) {
		assert_string_equal(cb.files[i].name, c->ca.files[i].name);
		assert_int_equal(cb.files[i].len, c->ca.files[i].len);
		assert_memory_equal(cb.files[i].data, c->ca.files[i].data, cb.files[i].len);
	}
}

/*
 * The corpus for a given seed is the same with every compiler and machine:
 * this digest is checked by the gcc and the clang builds alike.  Changing
 * the generator on purpose changes it; then update the value below.
 */
#define TEST_DIGEST_COUNT 200
#define TEST_DIGEST_SEED 1
#define TEST_DIGEST 0xc5cca8e4662f4cc1ull

static void
test_known_digest(void **state)
{
	struct ctx *c = *state;
	char *d = talloc_asprintf(c, "%s/demo-digest", c->f->dir);
	char *err = NULL;
	struct corpus cd;
	uint64_t h = 14695981039346656037ull;

	assert_int_equal(demo_write_maildir(c, d, TEST_DIGEST_COUNT, TEST_DIGEST_SEED, &err), TRAWL_OK);
	test_load(c, d, &cd);
	for (size_t i = 0; i < cd.n; i++) {
		for (const char *p = cd.files[i].name; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		for (size_t k = 0; k < cd.files[i].len; k++)
			h = (h ^ (unsigned char)cd.files[i].data[k]) * 1099511628211ull;
	}
	if (h != TEST_DIGEST)
		fail_msg("demo corpus digest is 0x%016llx, expected 0x%016llx: the output depends on "
			 "the compiler, or the generator changed (then update TEST_DIGEST)",
			 (unsigned long long)h, (unsigned long long)TEST_DIGEST);
}

static void
test_other_seed_other_bytes(void **state)
{
	struct ctx *c = *state;
	char *d = talloc_asprintf(c, "%s/demo-c", c->f->dir);
	char *err = NULL;
	struct corpus cc;
	size_t same = 0;

	assert_int_equal(demo_write_maildir(c, d, TEST_COUNT, TEST_SEED + 1, &err), TRAWL_OK);
	test_load(c, d, &cc);
	assert_int_equal(cc.n, TEST_COUNT);
	for (size_t i = 0; i < cc.n; i++)
		if (strcmp(cc.files[i].name, c->ca.files[i].name) == 0)
			same++;
	/* The hash in each name covers the content; a few hostile messages are fixed text. */
	assert_true(same < TEST_COUNT / 20);
}

static void
test_count_and_layout(void **state)
{
	struct ctx *c = *state;
	size_t n;
	char *dir;

	assert_int_equal(c->ca.n, TEST_COUNT);
	dir = talloc_asprintf(c, "%s/new", c->a);
	(void)test_list(c, dir, &n);
	assert_int_equal(n, 0);
	dir = talloc_asprintf(c, "%s/tmp", c->a);
	(void)test_list(c, dir, &n);
	assert_int_equal(n, 0);
	for (size_t i = 0; i < c->ca.n; i++) {
		const char *name = c->ca.files[i].name;
		size_t len = strlen(name);

		/* <seq>.<hash>.demo:2, */
		assert_true(len > 16);
		assert_string_equal(name + len - 8, ".demo:2,");
		assert_int_equal(strtoul(name, NULL, 10), i + 1);
	}
}

/* Even a count too small for the specials gives exactly count files. */
static void
test_small_counts(void **state)
{
	struct ctx *c = *state;
	unsigned counts[] = {0, 1, 2, 5, 17};

	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		char *d = talloc_asprintf(c, "%s/small-%u", c->f->dir, counts[k]);
		char *err = NULL;
		struct corpus s;

		assert_int_equal(demo_write_maildir(c, d, counts[k], 3, &err), TRAWL_OK);
		test_load(c, d, &s);
		assert_int_equal(s.n, counts[k]);
	}
}

static void
test_every_file_is_mail(void **state)
{
	struct ctx *c = *state;

	for (size_t i = 0; i < c->ca.n; i++) {
		const struct file *f = &c->ca.files[i];
		char *id;

		assert_true(f->len > 0);
		assert_int_equal(f->data[f->len - 1], '\n');
		assert_non_null(strstr(f->data, "\n\n"));
		assert_non_null(test_header(c, f, "From"));
		assert_non_null(test_header(c, f, "Date"));
		id = test_header(c, f, "Message-ID");
		assert_non_null(id);
		assert_true(id[0] == '<' && id[strlen(id) - 1] == '>' && strchr(id, '@'));
		/* Header lines are folded well below the 998-character limit. */
		for (const char *p = f->data; p < f->data + test_header_len(f);) {
			const char *nl = strchr(p, '\n');

			assert_true(nl - p < 998);
			p = nl + 1;
		}
	}
}

static void
test_threads_and_duplicates_in_files(void **state)
{
	struct ctx *c = *state;
	unsigned distinct = test_distinct_ids(c, &c->ca);

	/* A few duplicates, not many. */
	assert_true(distinct < TEST_COUNT);
	assert_true(distinct > TEST_COUNT - 20);
	assert_true(test_files_with(&c->ca, "\nIn-Reply-To: <") > TEST_COUNT / 3);
	assert_true(test_files_with(&c->ca, "\nReferences: <") > TEST_COUNT / 3);
	assert_true(test_files_with(&c->ca, "Delivered-To: archives@") >= 3);
}

static void
test_charsets_and_encodings(void **state)
{
	struct ctx *c = *state;
	static const char *const markers[] = {
		"charset=\"windows-1252\"", "charset=\"iso-8859-1\"", "charset=ISO-8859-1",
		"charset=UTF-8", "charset=\"iso-2022-jp\"", "charset=koi8-r",
		"Content-Transfer-Encoding: quoted-printable", "Content-Transfer-Encoding: base64",
		"Content-Transfer-Encoding: 8bit", "format=flowed",
		"=?UTF-8?B?", "=?UTF-8?Q?", "=?utf-8?Q?", "=?iso-8859-1?Q?", "=?ISO-2022-JP?B?",
		"=?koi8-r?B?",
		/* An ISO-8859-1 body that does not declare its charset. */
		"Content-Type: text/plain\n",
	};

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		if (test_files_with(&c->ca, markers[i]) == 0)
			fail_msg("no file contains %s", markers[i]);
	}
	/* windows-1252 curly apostrophe and euro, raw ISO-8859-1 é, a message without MIME headers. */
	assert_true(test_files_with(&c->ca, "=92") > 0 || test_files_with(&c->ca, "\x92") > 0);
	assert_true(test_files_with(&c->ca, "=80") > 0 || test_files_with(&c->ca, "\x80") > 0);
	assert_true(test_files_with(&c->ca, "r\xe9") > 0);
}

static void
test_html_attachments_forwards(void **state)
{
	struct ctx *c = *state;
	static const char *const markers[] = {
		"multipart/alternative", "multipart/mixed", "multipart/related", "message/rfc822",
		"Content-Type: text/html", "<table", "<ul>", "<a href=\"https://", "&nbsp;", "&eacute;",
		"application/pdf", "text/csv", "image/png", "wordprocessingml.document",
		"application/vnd.ms-excel", "filename*=utf-8''", "filename*0*=utf-8''",
		"filename*=iso-8859-1''", "-----Original Message-----", "-----Message d'origine-----",
		"a écrit :", "\n> ", "\n-- \n", "List-Id: ", "Thread-Index: ",
		"Message transféré", "Forwarded message",
	};
	size_t big = 0, html_only = 0;

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		if (test_files_with(&c->ca, markers[i]) == 0)
			fail_msg("no file contains %s", markers[i]);
	}
	for (size_t i = 0; i < c->ca.n; i++) {
		char *ct = test_header(c, &c->ca.files[i], "Content-Type");

		/* HTML-only messages have a text/html top-level body. */
		if (ct && strncmp(ct, "text/html", 9) == 0)
			html_only++;
		if (c->ca.files[i].len > 150 * 1024)
			big++;
	}
	assert_true(html_only >= 2);
	assert_true(big >= 3);
}

static void
test_hostile_messages(void **state)
{
	struct ctx *c = *state;
	static const char *const ids[] = {
		"ansi-subject", "encoded-escapes", "bidi-attachment", "invalid-utf8",
		"path-traversal", "html", "deep-nesting", "long-line", "spoofed-from",
	};
	const struct file *f;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char *id = talloc_asprintf(c, "Message-ID: <hostile-%s@%s>", ids[i], DEMO_HOSTILE_ID_DOMAIN);

		if (test_files_with(&c->ca, id) != 1)
			fail_msg("no single file with %s", id);
	}
	f = test_file_with(&c->ca, "hostile-ansi-subject@");
	assert_non_null(test_header(c, f, "Subject"));
	assert_non_null(strchr(test_header(c, f, "Subject"), '\x1b'));
	assert_true(test_files_with(&c->ca, "invoice%E2%80%AEfdp.exe") == 1);
	assert_true(test_files_with(&c->ca, "filename=\"../../../../.bashrc\"") == 1);
	assert_true(test_files_with(&c->ca, "\xed\xa0\x80") >= 1);
}

/* The ISO-2022-JP and KOI8-R bodies decode, with another implementation, to the intended text. */
static void
test_foreign_charsets_decode(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *marker, *charset, *expect;
	} cases[] = {
		{"charset=\"iso-2022-jp\"", "ISO-2022-JP", "水中ポンプ（型式 KP-150）3台の出荷予定"},
		{"charset=koi8-r", "KOI8-R", "ультразвуковых расходомеров серии УР-200"},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct file *f = test_file_with(&c->ca, cases[k].marker);
		const char *body;
		char out[8192], *in, *o = out;
		size_t inleft, outleft = sizeof(out) - 1;
		iconv_t cd;

		assert_non_null(f);
		body = strstr(f->data, "\n\n") + 2;
		in = (char *)body;
		inleft = f->len - (size_t)(body - f->data);
		cd = iconv_open("UTF-8", cases[k].charset);
		assert_true(cd != (iconv_t)-1);
		assert_int_not_equal(iconv(cd, &in, &inleft, &o, &outleft), (size_t)-1);
		iconv_close(cd);
		*o = '\0';
		if (!strstr(out, cases[k].expect))
			fail_msg("%s body decodes to:\n%s", cases[k].charset, out);
	}
}

static void
test_never_overwrites(void **state)
{
	struct ctx *c = *state;
	char *err = NULL;

	assert_int_equal(demo_write_maildir(c, c->a, TEST_COUNT, TEST_SEED, &err), TRAWL_IO);
	assert_non_null(err);
	assert_non_null(strstr(err, strerror(EEXIST)));
	talloc_free(err);
}

static void
test_make_cache(void **state)
{
	struct ctx *c = *state;
	char *dir = talloc_asprintf(c, "%s/caches/demo", c->f->dir);
	char *config = talloc_asprintf(c, "%s/notmuch-config", dir);
	char *mail = talloc_asprintf(c, "%s/mail", dir);
	char *err = NULL;
	struct corpus cc;
	index_t *idx;
	unsigned messages, threads, tagged;
	struct stat before, after;
	size_t n;
	char **names;

	assert_int_equal(demo_make_cache(c, dir, TEST_CACHE_COUNT, &err), TRAWL_OK);
	assert_null(err);
	test_load(c, mail, &cc);
	assert_int_equal(cc.n, TEST_CACHE_COUNT);

	assert_int_equal(index_open(c, NULL, config, &idx, &err), TRAWL_OK);
	assert_string_equal(index_db_path(idx), mail);
	assert_int_equal(index_count_messages(idx, "*", &messages), TRAWL_OK);
	assert_int_equal(messages, test_distinct_ids(c, &cc));
	assert_int_equal(index_count_threads(idx, "*", &threads), TRAWL_OK);
	assert_true(threads > 10);
	assert_true(threads < messages);
	/* No tags: new.tags is empty and indexing adds none. */
	assert_int_equal(index_count_messages(idx, "tag:inbox or tag:unread", &tagged), TRAWL_OK);
	assert_int_equal(tagged, 0);
	assert_int_equal(index_count_messages(idx, "id:hostile-ansi-subject@" DEMO_HOSTILE_ID_DOMAIN,
					      &tagged), TRAWL_OK);
	assert_int_equal(tagged, 1);
	talloc_free(idx);

	/* The notmuch CLI agrees and can show the hostile messages. */
	assert_int_equal(fixture_sh(c->f, "test \"$(NOTMUCH_CONFIG='%s' notmuch count '*')\" = %u",
				    config, messages), 0);
	/* Threads are counted by trawl (index_count_threads), not by the library: they agree. */
	{
		const char *queries[] = {"*", "attachment", "from:\"Hélène\" or to:conseil",
					 "date:2009-01-01..2009-06-30", "nosuchword"};

		assert_int_equal(index_open(c, NULL, config, &idx, &err), TRAWL_OK);
		for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
			assert_int_equal(index_count_threads(idx, queries[i], &threads), TRAWL_OK);
			assert_int_equal(fixture_sh(c->f, "test \"$(NOTMUCH_CONFIG='%s' notmuch count "
							  "--output=threads -- '%s')\" = %u",
						    config, queries[i], threads), 0);
		}
		talloc_free(idx);
	}
	assert_int_equal(fixture_sh(c->f, "NOTMUCH_CONFIG='%s' notmuch show --format=json "
					  "'id:hostile-deep-nesting@%s' >/dev/null",
				    config, DEMO_HOSTILE_ID_DOMAIN), 0);
	assert_int_equal(fixture_sh(c->f, "NOTMUCH_CONFIG='%s' notmuch show "
					  "'id:hostile-invalid-utf8@%s' >/dev/null",
				    config, DEMO_HOSTILE_ID_DOMAIN), 0);

	/* Nothing is left of the build directory. */
	names = test_list(c, talloc_asprintf(c, "%s/caches", c->f->dir), &n);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "demo");

	/* A second call does nothing. */
	assert_int_equal(stat(config, &before), 0);
	assert_int_equal(demo_make_cache(c, dir, TEST_CACHE_COUNT, &err), TRAWL_OK);
	assert_int_equal(stat(config, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	(void)test_list(c, mail, &n);
	names = test_list(c, talloc_asprintf(c, "%s/caches", c->f->dir), &n);
	assert_int_equal(n, 1);
}

/* A directory in the way is left alone, and no build directory remains. */
static void
test_make_cache_refuses_other_dir(void **state)
{
	struct ctx *c = *state;
	char *parent = talloc_asprintf(c, "%s/other", c->f->dir);
	char *dir = talloc_asprintf(c, "%s/demo", parent);
	char *err = NULL;
	size_t n;
	char **names;

	assert_int_equal(fixture_sh(c->f, "mkdir -p '%s' && echo keep > '%s/precious'", dir, dir), 0);
	assert_int_equal(demo_make_cache(c, dir, 20, &err), TRAWL_EXISTS);
	assert_non_null(err);
	assert_non_null(strstr(err, dir));
	names = test_list(c, parent, &n);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "demo");
	names = test_list(c, dir, &n);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "precious");

	/* Nor is a config naming another database, or one that does not open. */
	assert_int_equal(fixture_sh(c->f, "rm '%s/precious' && printf '[database]\\npath=%s\\n' > "
					  "'%s/notmuch-config'", dir, c->f->mail, dir), 0);
	assert_int_equal(demo_make_cache(c, dir, 20, &err), TRAWL_EXISTS);
	assert_non_null(strstr(err, c->f->mail));
	assert_int_equal(fixture_sh(c->f, "printf '[database]\\npath=%s/nowhere\\n' > '%s/notmuch-config'",
				    dir, dir), 0);
	assert_int_equal(demo_make_cache(c, dir, 20, &err), TRAWL_EXISTS);
	names = test_list(c, parent, &n);
	assert_int_equal(n, 1);
	names = test_list(c, dir, &n);
	assert_int_equal(n, 1);
}

/* Build directories of a killed attempt are removed once they are old; a fresh one is not. */
static void
test_make_cache_cleans_stale(void **state)
{
	struct ctx *c = *state;
	char *parent = talloc_asprintf(c, "%s/stale", c->f->dir);
	char *dir = talloc_asprintf(c, "%s/demo", parent);
	char *err = NULL;
	size_t n;
	char **names;

	assert_int_equal(fixture_sh(c->f, "mkdir -p '%s/demo.tmp-OLD123/mail/cur' '%s/demo.tmp-NEW456' "
					  "'%s/demo.tmp-OLD1234' && touch -d '3 hours ago' '%s/demo.tmp-OLD123' "
					  "'%s/demo.tmp-OLD1234'",
				    parent, parent, parent, parent, parent), 0);
	assert_int_equal(demo_make_cache(c, dir, 30, &err), TRAWL_OK);
	names = test_list(c, parent, &n);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "demo");
	assert_string_equal(names[1], "demo.tmp-NEW456");
	assert_string_equal(names[2], "demo.tmp-OLD1234");
}

/* Writing a full-size demo corpus stays well under two seconds (reported, not asserted). */
static void
test_full_size_timing(void **state)
{
	struct ctx *c = *state;
	char *d = talloc_asprintf(c, "%s/demo-full", c->f->dir);
	char *err = NULL;
	struct timespec t0, t1;
	struct corpus full;
	size_t bytes = 0;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(demo_write_maildir(c, d, DEMO_DEFAULT_COUNT, DEMO_DEFAULT_SEED, &err), TRAWL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	test_load(c, d, &full);
	assert_int_equal(full.n, DEMO_DEFAULT_COUNT);
	for (size_t i = 0; i < full.n; i++)
		bytes += full.files[i].len;
	printf("# %u messages, %zu bytes, written in %.3f s\n", DEMO_DEFAULT_COUNT, bytes, secs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_other_seed_other_bytes),
		cmocka_unit_test(test_known_digest),
		cmocka_unit_test(test_count_and_layout),
		cmocka_unit_test(test_small_counts),
		cmocka_unit_test(test_every_file_is_mail),
		cmocka_unit_test(test_threads_and_duplicates_in_files),
		cmocka_unit_test(test_charsets_and_encodings),
		cmocka_unit_test(test_html_attachments_forwards),
		cmocka_unit_test(test_hostile_messages),
		cmocka_unit_test(test_foreign_charsets_decode),
		cmocka_unit_test(test_never_overwrites),
		cmocka_unit_test(test_make_cache),
		cmocka_unit_test(test_make_cache_refuses_other_dir),
		cmocka_unit_test(test_make_cache_cleans_stale),
		cmocka_unit_test(test_full_size_timing),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
