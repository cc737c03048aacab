/*
 * Unit tests of import and export: how mbox files are split (separators,
 * Content-Length, mboxrd quoting, CRLF, a BOM), the cache and manifest an
 * import makes, the resume protocol (killed after a commit and before the
 * manifest is written), the index-build additions (open, find,
 * properties on a held message, config committed with the batch,
 * durability without database.autocommit), the exporter (file names,
 * refusing to overwrite, CSV quoting) and the reader's export command.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "fixture.h"
#include "trawl/cmd-export.h"
#include "trawl/cmd.h"
#include "trawl/view.h"
#include "trawl/exporter.h"
#include "trawl/importer.h"
#include "trawl/index-build.h"
#include "trawl/index.h"
#include "../../src/import-int.h"

struct ctx {
	struct fixture *f;
	char *dir; /* scratch space inside the fixture */
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);

	setlocale(LC_ALL, "C.UTF-8");
	c->f = fixture_new(c, NULL);
	c->dir = talloc_asprintf(c, "%s/scratch", c->f->dir);
	assert_int_equal(mkdir(c->dir, 0700), 0);
	*state = c;
	return 0;
}

/* Writes len bytes (or a string when len is -1) to path. */
static void
put(const char *path, const char *data, long len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fwrite(data, 1, len < 0 ? strlen(data) : (size_t)len, f);
	assert_int_equal(fclose(f), 0);
}

static char *
slurp(TALLOC_CTX *ctx, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = talloc_size(ctx, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/*
 * Runs `trawl import` (or export) in a child with its output in
 * dir/log; returns its exit status, or 128+N if killed by signal N.
 */
static int
run(const char *log, const char *const *args)
{
	char *argv[32];
	int argc = 0, status;
	pid_t pid;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		TALLOC_CTX *ctx = talloc_new(NULL);

		dup2(fd, 1);
		dup2(fd, 2);
		int rc = !strcmp(argv[0], "import") ? importer_main(ctx, argc, argv)
		                                    : exporter_main(ctx, argc, argv);

		fflush(NULL);
		talloc_free(ctx);
		_exit(rc);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The manifest rows (without the header), and their count. */
static char **
manifest(TALLOC_CTX *ctx, const char *cache, size_t *n)
{
	char *text = slurp(ctx, talloc_asprintf(ctx, "%s/manifest.tsv", cache), NULL);
	char **rows = talloc_array(ctx, char *, 0);
	char *save = NULL;

	assert_non_null(text);
	*n = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "source\t", 7))
			continue;
		rows = talloc_realloc(ctx, rows, char *, *n + 1);
		rows[(*n)++] = line;
	}
	return rows;
}

/* Field i (0-based) of a manifest row, copied. */
static char *
field(TALLOC_CTX *ctx, const char *row, int i)
{
	const char *p = row;

	for (; i > 0 && p; i--) {
		p = strchr(p, '\t');
		if (p)
			p++;
	}
	if (!p)
		return talloc_strdup(ctx, "");
	return talloc_strndup(ctx, p, strcspn(p, "\t"));
}

static unsigned
count(TALLOC_CTX *ctx, const char *cache, const char *query)
{
	index_t *idx;
	char *err = NULL;
	unsigned n = 0;

	assert_int_equal(
	        index_open(ctx, NULL, talloc_asprintf(ctx, "%s/notmuch-config", cache), &idx, &err),
	        TRAWL_OK);
	assert_int_equal(index_count_messages(idx, query, &n), TRAWL_OK);
	talloc_free(idx);
	return n;
}

/* The cache file of the manifest row for source at offset ("" for none). */
static char *
cached(TALLOC_CTX *ctx, const char *cache, const char *source, const char *offset, size_t *len)
{
	size_t n;
	char **rows = manifest(ctx, cache, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(field(ctx, rows[i], 0), source) &&
		    !strcmp(field(ctx, rows[i], 1), offset)) {
			char *rel = field(ctx, rows[i], 4);

			if (!*rel)
				return NULL;
			return slurp(ctx, talloc_asprintf(ctx, "%s/%s", cache, rel), len);
		}
	fail_msg("no manifest row for %s at %s", source, offset);
	return NULL;
}

/* mbox splitting: separators, a body line that is not one, quoting, the blank line. */
static void
test_mbox_split(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *src = talloc_asprintf(t, "%s/a.mbox", c->dir);
	char *cache = talloc_asprintf(t, "%s/cache", c->dir);
	char *log = talloc_asprintf(t, "%s/log", c->dir);
	const char *args[] = {"import", "--into", cache, src, NULL};
	const char *text = "From alice@example.org Mon Jan  5 10:00:00 2004\n"
	                   "From: alice@example.org\nSubject: one\nMessage-ID: <one@x>\n\n"
	                   "This is my favourite film:\n\nFrom Russia with love\n\n"
	                   ">From quoted\n>>From twice\n\n"
	                   "From -\n"
	                   "From: bob@example.org\nSubject: two\nMessage-ID: <two@x>\n\nlast line";
	char *m, *second = talloc_asprintf(t, "%td", strstr(text, "From -\n") - text);
	size_t n;

	put(src, text, -1);
	assert_int_equal(run(log, args), 0);
	manifest(t, cache, &n);
	assert_int_equal(n, 2);
	m = cached(t, cache, src, "0", NULL);
	assert_string_equal(m, "From: alice@example.org\nSubject: one\nMessage-ID: <one@x>\n\n"
	                       "This is my favourite film:\n\nFrom Russia with love\n\n"
	                       "From quoted\n>From twice\n");
	/* The last message keeps its bytes: no newline is added at the end of the file. */
	m = cached(t, cache, src, second, NULL);
	assert_non_null(m);
	assert_string_equal(
	        m, "From: bob@example.org\nSubject: two\nMessage-ID: <two@x>\n\nlast line");
	assert_int_equal(count(t, cache, "property:trawl.mbox-from=-"), 1);
	/* A lone file's folder is its directory's name; an mbox is a folder in it. */
	assert_int_equal(count(t, cache, "folder:scratch/a.mbox"), 2);
	talloc_free(t);
}

/* CRLF mbox with a BOM, Content-Length consistent and not, an empty message. */
static void
test_mbox_crlf_content_length(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *src = talloc_asprintf(t, "%s/mboxes", c->dir);
	char *a = talloc_asprintf(t, "%s/crlf.mbox", src);
	char *b = talloc_asprintf(t, "%s/cl.mbox", src);
	char *cache = talloc_asprintf(t, "%s/cache2", c->dir);
	char *log = talloc_asprintf(t, "%s/log", c->dir);
	const char *args[] = {"import", "--into", cache, src, NULL};
	const char *body = "Budget:\nFrom 1999 on, nothing changed.\n";
	char **rows, *text, *off_b, *off_c;
	size_t n, len;
	char *m;

	assert_int_equal(mkdir(src, 0700), 0);
	put(a,
	    "\xef\xbb\xbf"
	    "From - Mon Jan  5 10:00:00 2004\r\n"
	    "Subject: crlf one\r\nMessage-ID: <c1@x>\r\n\r\nbody one\r\n\r\n"
	    "From - Mon Jan  5 10:00:01 2004\r\n"
	    "Subject: crlf two\r\nMessage-ID: <c2@x>\r\n\r\nbody two\r\n\r\n",
	    -1);
	/*
	 * The first Content-Length (40) covers a body line "From 1999 on..."
	 * that would split the message; the second (7) is wrong, so the
	 * separators decide; then a message with nothing in it.
	 */
	text = talloc_asprintf(t,
	                       "From a@x Mon Jan  5 10:00:00 2004\n"
	                       "Subject: cl\nMessage-ID: <cl1@x>\nContent-Length: %zu\n\n%s\n"
	                       "From b@x Mon Jan  5 10:00:01 2004\n"
	                       "Subject: bad cl\nMessage-ID: <cl2@x>\nContent-Length: 7\n\n"
	                       "short? no, longer\n\n"
	                       "From c@x Mon Jan  5 10:00:02 2004\n"
	                       "From d@x Mon Jan  5 10:00:03 2004\n"
	                       "Subject: after empty\nMessage-ID: <cl4@x>\n\nok\n",
	                       strlen(body), body);
	put(b, text, -1);
	off_b = talloc_asprintf(t, "%td", strstr(text, "From b@x") - text);
	off_c = talloc_asprintf(t, "%td", strstr(text, "From c@x") - text);
	assert_int_equal(run(log, args), 0);
	rows = manifest(t, cache, &n);
	assert_int_equal(n, 6);
	m = cached(t, cache, a, "3", &len);
	assert_string_equal(m, "Subject: crlf one\r\nMessage-ID: <c1@x>\r\n\r\nbody one\r\n");
	m = cached(t, cache, b, "0", NULL);
	assert_string_equal(m, talloc_asprintf(t,
	                                       "Subject: cl\nMessage-ID: <cl1@x>\n"
	                                       "Content-Length: %zu\n\n%s",
	                                       strlen(body), body));
	m = cached(t, cache, b, off_b, NULL);
	assert_string_equal(m, "Subject: bad cl\nMessage-ID: <cl2@x>\nContent-Length: 7\n\n"
	                       "short? no, longer\n");
	assert_null(cached(t, cache, b, off_c, NULL));
	for (size_t i = 0; i < n; i++)
		if (!strcmp(field(t, rows[i], 1), off_c))
			assert_string_equal(field(t, rows[i], 7), "empty message");
	assert_int_equal(count(t, cache, "*"), 5);
	talloc_free(t);
}

/* Hostile names are escaped in the manifest, and a second run adds nothing. */
static void
test_manifest_escaping_and_rerun(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *src = talloc_asprintf(t, "%s/odd", c->dir);
	char *cache = talloc_asprintf(t, "%s/cache3", c->dir);
	char *log = talloc_asprintf(t, "%s/log", c->dir);
	const char *args[] = {"import", "--into", cache, src, NULL};
	char *before, *after, **rows, *out;
	size_t n;

	assert_int_equal(mkdir(src, 0700), 0);
	put(talloc_asprintf(t, "%s/tab\there\nnewline\\.eml", src),
	    "Subject: odd name\nMessage-ID: <odd@x>\n\nbody\n", -1);
	put(talloc_asprintf(t, "%s/.notmuch", src), "not mail\n", -1);
	assert_int_equal(run(log, args), 0);
	rows = manifest(t, cache, &n);
	assert_int_equal(n, 2);
	assert_non_null(strstr(rows[1], "tab\\there\\nnewline\\\\.eml\t"));
	assert_string_equal(field(t, rows[1], 6), "imported");
	assert_string_equal(field(t, rows[0], 6), "skipped");
	before = slurp(t, talloc_asprintf(t, "%s/manifest.tsv", cache), NULL);
	assert_int_equal(run(log, args), 0);
	after = slurp(t, talloc_asprintf(t, "%s/manifest.tsv", cache), NULL);
	assert_string_equal(before, after);
	out = slurp(t, log, NULL);
	assert_non_null(strstr(out, "nothing new"));
	talloc_free(t);
}

/* Killed after a commit, before the manifest: the next run finishes the manifest. */
static void
test_resume_after_commit(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *src = talloc_asprintf(t, "%s/many", c->dir);
	char *ref = talloc_asprintf(t, "%s/ref", c->dir);
	char *cache = talloc_asprintf(t, "%s/killed", c->dir);
	char *log = talloc_asprintf(t, "%s/log", c->dir);
	const char *args_ref[] = {"import", "--into", ref, src, NULL};
	const char *args[] = {"import", "--into", cache, src, NULL};
	char **a, **b;
	size_t na, nb;
	struct stat st;

	assert_int_equal(mkdir(src, 0700), 0);
	for (int i = 0; i < 12; i++)
		put(talloc_asprintf(t, "%s/m%02d.eml", src, i),
		    talloc_asprintf(t, "Subject: m%d\nMessage-ID: <m%d@x>\n\nbody %d\n", i, i,
		                    i % 5),
		    -1);
	assert_int_equal(run(log, args_ref), 0);
	setenv("TRAWL_TEST_IMPORT_BATCH", "5", 1);
	setenv("TRAWL_TEST_IMPORT_KILL_AFTER", "2", 1);
	assert_int_equal(run(log, args), 128 + SIGKILL);
	unsetenv("TRAWL_TEST_IMPORT_KILL_AFTER");
	/* Ten rows are committed; only five reached the manifest. */
	assert_int_equal(stat(talloc_asprintf(t, "%s/.import-pending", cache), &st), 0);
	manifest(t, cache, &na);
	assert_int_equal(na, 5);
	assert_int_equal(run(log, args), 0);
	unsetenv("TRAWL_TEST_IMPORT_BATCH");
	assert_non_null(strstr(slurp(t, log, NULL), "10 already in the cache"));
	a = manifest(t, ref, &na);
	b = manifest(t, cache, &nb);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
	assert_int_equal(count(t, cache, "*"), 12);
	talloc_free(t);
}

/* The builder: open, find, properties on the held message, config with the batch. */
static void
test_index_build(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *mail = talloc_asprintf(t, "%s/ib", c->dir);
	char *config = talloc_asprintf(t, "%s/ib-config", c->dir);
	char *f1 = talloc_asprintf(t, "%s/cur/1", mail), *f2 = talloc_asprintf(t, "%s/cur/2", mail);
	char *f3 = talloc_asprintf(t, "%s/cur/3", mail);
	index_build_t *b;
	struct index_build_message m;
	char *err = NULL, *id = NULL, *v = NULL;

	assert_int_equal(mkdir(mail, 0700), 0);
	assert_int_equal(mkdir(talloc_asprintf(t, "%s/cur", mail), 0700), 0);
	put(f1,
	    "From: Ann <ann@x>\nSubject: hello\nDate: Mon, 05 Jan 2004 10:00:00 +0000\n"
	    "Message-ID: <a@x>\n\nbody\n",
	    -1);
	put(f2, "From: Ann <ann@x>\nMessage-ID: <a@x>\n\nanother copy\n", -1);
	put(f3, "\x01\x02 not mail at all", -1);
	assert_int_equal(index_build_write_config(t, config, mail, "test", &err), TRAWL_OK);
	assert_int_equal(index_build_write_config(t, config, mail, "test", &err), TRAWL_IO);
	assert_int_equal(index_build_write_config(t, talloc_asprintf(t, "%s/x", c->dir), "/a\nb",
	                                          "test", &err),
	                 TRAWL_USAGE);
	assert_int_equal(index_build_open(t, mail, config, &b, &err), TRAWL_NO_DATABASE);
	assert_int_equal(index_build_create(t, mail, config, &b, &err), TRAWL_OK);
	index_build_set_batch(b, 0);
	assert_int_equal(index_build_add_message(b, t, f1, &m), TRAWL_OK);
	assert_string_equal(m.message_id, "a@x");
	assert_string_equal(m.from, "Ann <ann@x>");
	assert_string_equal(m.subject, "hello");
	assert_int_equal(m.date, 1073296800);
	assert_false(m.duplicate);
	/* Changes to the held message, and a lookup that sees them once it is let go. */
	assert_int_equal(index_build_add_property(b, "a@x", "k", "v 1"), TRAWL_OK);
	assert_int_equal(index_build_add_tag(b, "a@x", "t"), TRAWL_OK);
	assert_int_equal(index_build_add_message(b, t, f3, &m), TRAWL_PARSE);
	assert_int_equal(index_build_add_message(b, t, f2, &m), TRAWL_OK);
	assert_true(m.duplicate);
	assert_int_equal(index_build_find_property(b, t, "k", "v 1", &id), TRAWL_OK);
	assert_string_equal(id, "a@x");
	assert_int_equal(index_build_find_property(b, t, "k", "v 2", &id), TRAWL_NOT_FOUND);
	assert_int_equal(index_build_find_file(b, t, f2, &id), TRAWL_OK);
	assert_string_equal(id, "a@x");
	assert_int_equal(index_build_find_file(b, t, f3, &id), TRAWL_NOT_FOUND);
	assert_int_equal(index_build_add_tag(b, "nobody@x", "t"), TRAWL_NOT_FOUND);
	assert_int_equal(index_build_set_config(b, "trawl.test", "42"), TRAWL_OK);
	assert_int_equal(index_build_commit(b), TRAWL_OK);
	assert_int_equal(index_build_close(b), TRAWL_OK);
	talloc_free(b);
	assert_int_equal(index_build_open(t, mail, config, &b, &err), TRAWL_OK);
	assert_int_equal(index_build_get_config(b, t, "trawl.test", &v), TRAWL_OK);
	assert_string_equal(v, "42");
	assert_int_equal(index_build_get_config(b, t, "trawl.unset", &v), TRAWL_OK);
	assert_string_equal(v, "");
	assert_int_equal(index_build_close(b), TRAWL_OK);
	talloc_free(b);
	talloc_free(t);
}

/*
 * Without database.autocommit=1, a commit must still be durable: a
 * process that dies right after it loses nothing.
 */
static void
test_index_build_commit_durable(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *mail = talloc_asprintf(t, "%s/dur", c->dir);
	char *config = talloc_asprintf(t, "%s/dur-config", c->dir);
	char *file = talloc_asprintf(t, "%s/cur/1", mail);
	index_t *idx;
	char *err = NULL;
	unsigned n = 0;
	pid_t pid;
	int status;

	assert_int_equal(mkdir(mail, 0700), 0);
	assert_int_equal(mkdir(talloc_asprintf(t, "%s/cur", mail), 0700), 0);
	put(file, "Subject: durable\nMessage-ID: <d@x>\n\nbody\n", -1);
	put(config, talloc_asprintf(t, "[database]\npath=%s\n", mail), -1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		index_build_t *b;

		if (index_build_create(NULL, mail, config, &b, &err) != TRAWL_OK ||
		    index_build_add_file(b, file, NULL) != TRAWL_OK ||
		    index_build_commit(b) != TRAWL_OK ||
		    index_build_add_file(b, file, NULL) != TRAWL_OK)
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(index_open(t, NULL, config, &idx, &err), TRAWL_OK);
	assert_int_equal(index_count_messages(idx, "id:d@x", &n), TRAWL_OK);
	assert_int_equal(n, 1);
	talloc_free(t);
}

/* Exports: names, refusing to overwrite, --force, the CSV's quoting. */
static void
test_export(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	char *src = talloc_asprintf(t, "%s/ex-src", c->dir);
	char *cache = talloc_asprintf(t, "%s/ex-cache", c->dir);
	char *out = talloc_asprintf(t, "%s/ex-out", c->dir);
	char *csv = talloc_asprintf(t, "%s/ex.csv", c->dir);
	char *mbox = talloc_asprintf(t, "%s/ex.mbox", c->dir);
	char *log = talloc_asprintf(t, "%s/log", c->dir);
	const char *imp[] = {"import", "--into", cache, src, NULL};
	const char *exp[] = {"export", "--cache", cache, "*", "--dir", out, "--csv", csv, NULL};
	const char *exp_force[] = {"export", "--cache", cache, "*",       "--dir",
	                           out,      "--csv",   csv,   "--force", NULL};
	const char *exp_mbox[] = {"export", "--cache", cache, "*", "--mbox", mbox, NULL};
	const char *bad[] = {"export", "--cache", cache, "*", NULL};
	const char *msg = "From: =1+2 <x@y>\nSubject: a \"quoted\", comma\n"
	                  "Date: Tue, 06 Jan 2004 11:30:00 +0000\nMessage-ID: <e@x>\n\n"
	                  "From here\n>From there\n";
	char *text, *eml, *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "e@x", -1);

	assert_int_equal(mkdir(src, 0700), 0);
	put(talloc_asprintf(t, "%s/e.eml", src), msg, -1);
	assert_int_equal(run(log, imp), 0);
	assert_int_equal(run(log, bad), 2);
	assert_int_equal(run(log, exp), 0);
	/* 20040106-113000 and the first 12 hex digits of SHA-256("e@x"). */
	eml = slurp(t, talloc_asprintf(t, "%s/20040106-113000-%.12s.eml", out, hash), NULL);
	g_free(hash);
	assert_non_null(eml);
	assert_string_equal(eml, msg);
	text = slurp(t, csv, NULL);
	assert_non_null(strstr(text, "\"'=1+2 <x@y>\""));
	assert_non_null(strstr(text, "\"a \"\"quoted\"\", comma\""));
	assert_non_null(strstr(text, "\"ex-src\""));
	assert_non_null(strstr(text, "\r\n"));
	/* Everything is in the way now. */
	assert_int_equal(run(log, exp), 1);
	assert_non_null(strstr(slurp(t, log, NULL), "--force"));
	assert_int_equal(run(log, exp_force), 0);
	assert_int_equal(run(log, exp_mbox), 0);
	text = slurp(t, mbox, NULL);
	assert_non_null(strstr(text, "From x@y Tue Jan  6 11:30:00 2004\n"));
	assert_non_null(strstr(text, "\n\n>From here\n>>From there\n\n"));
	assert_int_equal(run(log, exp_mbox), 1);
	talloc_free(t);
}

/* The progress meter draws on stderr only when asked, and never crashes on NULL. */
static void
test_progress(void **state)
{
	struct importer_progress *p = importer_progress_new(*state, "x", 10, 0, 0);

	if (!isatty(STDERR_FILENO))
		assert_null(p);
	importer_progress_update(NULL, 1, 1, 1);
	importer_progress_end(NULL);
	p = importer_progress_new(*state, "x", 10, 100, 1);
	assert_non_null(p);
	importer_progress_update(p, 5, 50, 5);
	importer_progress_end(p);
	talloc_free(p);
}

/* The reader's export command: in a child, polled, with the CSV beside the mbox. */
static void
test_cmd_export(void **state)
{
	struct ctx *c = *state;
	TALLOC_CTX *t = talloc_new(c);
	index_t *idx;
	char *err = NULL, *dest = talloc_asprintf(t, "%s/reader.mbox", c->dir);
	char *argv[] = {"export", dest, NULL};
	struct config *cfg;
	struct app *app;
	struct stat st;
	int i;

	assert_int_equal(index_open(t, NULL, NULL, &idx, &err), TRAWL_OK);
	cfg = config_new(t);
	app = app_new(t, idx, cfg, 80, 24);
	view_start(app, "*");
	cmd_export(app, 2, argv);
	assert_non_null(strstr(app->message, "exporting to"));
	/* The export is an app job: the session's poll takes its progress and its end. */
	for (i = 0; i < 2000 && !strstr(app->message, "exported"); i++) {
		app_poll(app);
		usleep(5000);
	}
	assert_non_null(strstr(app->message, "exported"));
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(stat(talloc_asprintf(t, "%s/reader.csv", c->dir), &st), 0);
	/* Again: now it asks before overwriting. */
	cmd_export(app, 2, argv);
	assert_non_null(app->prompt);
	/* One key answers (no Enter). */
	cmd_key(app, "n");
	assert_null(app->prompt);
	assert_string_equal(app->message, "not exported");
	app_free(app);
	talloc_free(t);
}

/* What the archive walk hands on, as text: "M member|folder|name|len" and "R member|why". */
static void
walk_member(void *arg, const char *member, const char *folder, const char *name, bool whole,
            const char *data, size_t len)
{
	char **out = arg;

	(void)whole;
	(void)data;
	*out = talloc_asprintf_append(*out, "M %s|%s|%s|%zu\n", member, folder, name, len);
}

static void
walk_row(void *arg, const char *member, const char *why, unsigned long long size)
{
	char **out = arg;

	(void)size;
	*out = talloc_asprintf_append(*out, "R %s|%s\n", member, why);
}

/*
 * Walks the archive seed fuzz/corpus/archive/NAME; what it handed on,
 * then "X why" when it could not be opened.
 */
static char *
walk_seed(TALLOC_CTX *ctx, const char *name, size_t member_max)
{
	char *path = talloc_asprintf(ctx, "%s/fuzz/corpus/archive/%s",
	                             getenv("top_srcdir") ? getenv("top_srcdir") : "..", name);
	size_t len = 0;
	char *d = slurp(ctx, path, &len), *out = talloc_strdup(ctx, ""), why[256] = "";
	struct import_archive_ops ops = {&out, walk_member, walk_row};

	assert_non_null(d);
	if (import_archive_walk(d, len, name, member_max, &ops, why, sizeof(why)) != 0)
		out = talloc_asprintf_append(out, "X %s\n", why);
	return out;
}

/*
 * The readers' pieces: an .emlx's counted bytes, the index files of mail
 * clients, archive magic, and the archive walk: members and folders of a
 * zip, a tar.gz with a zip inside, hostile member names made harmless, a
 * bad CRC and a truncated stream reported, a member over the limit not read.
 */
static void
test_readers(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	static const char emlx[] = "12   \nSubject: x\n\n<?xml?><plist/>";
	size_t start = 0, count = 0;
	const char *why = NULL;
	char tar[600] = {0};
	char *w;

	(void)state;
	assert_int_equal(import_emlx(emlx, sizeof(emlx) - 1, &start, &count, &why), 0);
	assert_int_equal(start, 6);
	assert_int_equal(count, 12);
	assert_memory_equal(emlx + start, "Subject: x\n\n", 12);
	assert_int_equal(import_emlx("99\nshort", 9, &start, &count, &why), -1);
	assert_non_null(strstr(why, "damaged"));
	assert_int_equal(import_emlx("Subject: x\n", 11, &start, &count, &why), -1);
	assert_true(import_named_emlx("/a/102.partial.emlx"));
	assert_false(import_named_emlx("/a/102.eml"));

	assert_non_null(import_ignored("Inbox.msf"));
	assert_non_null(import_ignored(".mh_sequences"));
	assert_non_null(import_ignored(".claws_mark"));
	assert_null(import_ignored("Inbox"));
	assert_null(import_ignored("12"));

	assert_true(import_archive_is("PK\x03\x04", 4));
	assert_true(import_archive_is("\x1f\x8b\x08", 3));
	assert_false(import_archive_is("From a@b Mon Jan  4 10:00:00 2016\n", 34));
	memcpy(tar + 257, "ustar", 5);
	assert_true(import_archive_is(tar, sizeof(tar)));
	assert_true(import_pst_is("!BDN\x00", 5));

	w = walk_seed(t, "zip-mbox-eml", 1 << 20);
	assert_non_null(strstr(w, "M Inbox/2016.mbox|Inbox|2016.mbox|"));
	assert_non_null(strstr(w, "M Sent/x.eml|Sent|x.eml|"));
	w = walk_seed(t, "tar-gz-nested-zip", 1 << 20);
	assert_non_null(strstr(w, "M deep/four.eml|deep|four.eml|"));
	assert_non_null(strstr(w, "M nested.zip!five.eml|nested.zip|five.eml|"));
	w = walk_seed(t, "tar-xz-dotdot", 1 << 20);
	assert_non_null(strstr(w, "M ../../etc/evil.eml|_../_../etc|evil.eml|"));
	assert_non_null(strstr(w, "M ./.notmuch/x.eml|_notmuch|x.eml|"));
	assert_non_null(strstr(w, "M a//b/./c.eml|a/b|c.eml|"));
	w = walk_seed(t, "zip-bad-crc", 1 << 20);
	assert_non_null(strstr(w, "M m0.eml|"));
	assert_non_null(strstr(w, "R m1.eml|damaged: "));
	/* Cut within the first block libarchive inflates: not even opened. */
	w = walk_seed(t, "tar-bz2-truncated", 1 << 20);
	assert_non_null(strstr(w, "X damaged: cannot be opened as an archive: truncated bzip2 input"));
	w = walk_seed(t, "zip-mbox-eml", 100);
	assert_non_null(strstr(w, "R Inbox/2016.mbox|not read: larger than 100 bytes"));
	w = walk_seed(t, "mbox-gz", 1 << 20);
	assert_non_null(strstr(w, "M mbox-gz||mbox-gz|"));
	talloc_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_readers),
	        cmocka_unit_test(test_mbox_split),
	        cmocka_unit_test(test_mbox_crlf_content_length),
	        cmocka_unit_test(test_manifest_escaping_and_rerun),
	        cmocka_unit_test(test_resume_after_commit),
	        cmocka_unit_test(test_index_build),
	        cmocka_unit_test(test_index_build_commit_durable),
	        cmocka_unit_test(test_export),
	        cmocka_unit_test(test_progress),
	        cmocka_unit_test(test_cmd_export),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
