/*
 * Versions of a message: the rule, the grouping and the records of the
 * versions module, on tests/corpus/versions (one Message-ID in three
 * files: two differing only in transport headers, one with a changed
 * sentence and an added Cc; two identical files; a hostile version; a
 * swapped attachment).
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/app.h"
#include "trawl/cmd.h"
#include "trawl/index.h"
#include "trawl/journal.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/versionmap.h"
#include "trawl/view.h"
#include "trawl/versions-diff.h"
#include "trawl/versions.h"

struct ctx {
	struct fixture *f;
	index_t *idx;
};

static int
setup(void **state)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);

	setlocale(LC_ALL, "C.UTF-8");
	c->idx = fixture_index(c, fixture_srcpath("tests/corpus/versions"), &c->f);
	*state = c;
	return 0;
}

/* The versions of message id, from the index and the files. */
static struct versions *
versions_of(struct ctx *c, const char *id)
{
	struct index_files *mf;
	size_t n;
	struct versions *v = NULL;
	char *q = index_quote_term(c, "id", id);

	assert_int_equal(index_messages_files(c->idx, c, q, 1, &mf, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(versions_compare(c, mf[0].message_id, c->f->mail, mf[0].paths, mf[0].n,
	                                  NULL, NULL, &v),
	                 TRAWL_OK);
	return v;
}

static char *
slurp(TALLOC_CTX *ctx, const char *rel, size_t *len)
{
	char *path = talloc_asprintf(ctx, "%s", fixture_srcpath(rel));
	FILE *f = fopen(path, "rb");
	char *buf = talloc_array(ctx, char, 1 << 16);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void
test_rule(void **state)
{
	struct ctx *c = *state;
	size_t l1, l2, l3;
	char *a1 = slurp(c, "tests/corpus/versions/inbox/cur/1490004000.A1.host:2,S", &l1);
	char *a2 = slurp(c, "tests/corpus/versions/archive/cur/1490004100.A2.host:2,RS", &l2);
	char *a3 = slurp(c, "tests/corpus/versions/sent/cur/1490004200.A3.host:2,S", &l3);
	const char *plain = "From: a@b\nSubject: x\n\nbody\n";
	const char *moved = "From a@b Mon Mar 20 10:00:00 2017\nReceived: by x;\n\tcontinued\n"
	                    "From: a@b\nX-STATUS: RO\nSubject: x\n\nbody\n\n\n";
	const char *reordered = "Subject: x\nFrom: a@b\n\nbody\n";
	const char *changed = "From: a@b\nSubject: x\n\nbody.\n";

	/* Transport headers, CRLF and trailing line breaks do not make a version. */
	assert_string_equal(versions_hash_buffer(c, a1, l1), versions_hash_buffer(c, a2, l2));
	assert_string_not_equal(versions_hash_buffer(c, a1, l1), versions_hash_buffer(c, a3, l3));
	/* An envelope line, a folded Received field and any case of a name are transport. */
	assert_string_equal(versions_hash_buffer(c, plain, strlen(plain)),
	                    versions_hash_buffer(c, moved, strlen(moved)));
	/* Everything else counts: the order of fields, a byte of the body. */
	assert_string_not_equal(versions_hash_buffer(c, plain, strlen(plain)),
	                        versions_hash_buffer(c, reordered, strlen(reordered)));
	assert_string_not_equal(versions_hash_buffer(c, plain, strlen(plain)),
	                        versions_hash_buffer(c, changed, strlen(changed)));
	assert_true(versions_is_transport_header("delivered-to", 12));
	assert_true(versions_is_transport_header("X-Folder", 8));
	assert_false(versions_is_transport_header("Cc", 2));
	assert_false(versions_is_transport_header("X-Folders", 9));
	/* A message without a body is one with an empty body (line breaks at the end). */
	assert_string_equal(versions_hash_buffer(c, "Subject: x", 10),
	                    versions_hash_buffer(c, "Subject: x\r\n\r\n", 14));
	assert_non_null(versions_hash_buffer(c, "", 0));
}

static void
test_counts(void **state)
{
	struct ctx *c = *state;
	struct versions *a = versions_of(c, "budget-2017@example.org");
	struct versions *b = versions_of(c, "minutes-2017@example.org");
	struct versions *e = versions_of(c, "lunch-2017@example.org");

	assert_int_equal(a->n_files, 3);
	assert_int_equal(a->n_versions, 2);
	assert_false(a->identical);
	assert_string_equal(versions_summary(c, a), "3 files, 2 versions");
	/* Sorted by path: archive (transport copy), inbox (original), sent (changed). */
	assert_string_equal(a->files[0].rel, "archive/cur/1490004100.A2.host:2,RS");
	assert_string_equal(a->files[0].folder, "archive");
	assert_string_equal(a->files[1].folder, "inbox");
	assert_string_equal(a->files[2].folder, "sent");
	assert_int_equal(a->files[0].version, 1);
	assert_int_equal(a->files[1].version, 1);
	assert_int_equal(a->files[2].version, 2);
	assert_string_not_equal(a->files[0].sha256, a->files[1].sha256);
	assert_int_equal(strlen(a->files[0].sha256), 64);
	assert_true(a->files[1].size > 0 && a->files[1].mtime > 0);

	assert_string_equal(versions_summary(c, b), "2 files, identical");
	assert_int_equal(b->n_versions, 1);
	assert_null(versions_summary(c, e));

	/* The file to compare with is of another version when there is one. */
	assert_int_equal(versions_other(a, a->files[0].path), 2);
	assert_int_equal(versions_other(a, a->files[2].path), 0);
	assert_int_equal(versions_other(b, b->files[1].path), 0);
	assert_int_equal(versions_other(e, e->files[0].path), -1);
	assert_int_equal(versions_find(a, a->files[2].path), 2);
	assert_int_equal(versions_find(a, "/nonexistent"), -1);
}

static void
test_unreadable(void **state)
{
	struct ctx *c = *state;
	struct versions *a = versions_of(c, "budget-2017@example.org"), *v;
	char *paths[3] = {a->files[0].path, a->files[2].path,
	                  talloc_asprintf(c, "%s/gone/cur/x:2,", c->f->mail)};

	assert_int_equal(versions_compare(c, "budget-2017@example.org", c->f->mail, paths, 3, NULL,
	                                  NULL, &v),
	                 TRAWL_OK);
	assert_int_equal(v->unreadable, 1);
	assert_int_equal(v->n_versions, 2);
	assert_string_equal(versions_summary(c, v), "3 files, 2 versions, 1 unreadable");
	assert_int_equal(v->files[1].size, -1);
	assert_non_null(v->files[1].error);
	assert_int_equal(v->files[1].version, 0);
	/* A directory is not a message file. */
	paths[2] = c->f->mail;
	assert_int_equal(versions_compare(c, "x", c->f->mail, paths + 2, 1, NULL, NULL, &v),
	                 TRAWL_OK);
	assert_string_equal(v->files[0].error, "not a regular file");
}

static const struct versions_file *
cached_first(void *ud, const char *path, const struct stat *st)
{
	const struct versions *v = ud;
	long i = versions_find(v, path);

	(void)st;
	return i >= 0 ? &v->files[i] : NULL;
}

static void
test_pack_and_cache(void **state)
{
	struct ctx *c = *state;
	struct versions *a = versions_of(c, "budget-2017@example.org"), *u, *fake;
	size_t len;
	char *rec = versions_pack(c, a, &len);
	char *paths[3];

	assert_non_null(rec);
	assert_int_equal(versions_unpack(c, rec, len, &u), TRAWL_OK);
	assert_string_equal(u->message_id, a->message_id);
	assert_int_equal(u->n_files, 3);
	assert_int_equal(u->n_versions, 2);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(u->files[i].path, a->files[i].path);
		assert_string_equal(u->files[i].folder, a->files[i].folder);
		assert_string_equal(u->files[i].sha256, a->files[i].sha256);
		assert_int_equal(u->files[i].size, a->files[i].size);
		assert_int_equal(u->files[i].ino, a->files[i].ino);
		assert_int_equal(u->files[i].version, a->files[i].version);
	}
	/* Every cut or damaged record is refused, never read past its end. */
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = talloc_memdup(c, rec, cut);

		assert_int_equal(versions_unpack(c, copy, cut, &u), TRAWL_PARSE);
		talloc_free(copy);
	}
	rec[len - 2] = 'x'; /* a number field no longer a number */
	assert_int_equal(versions_unpack(c, rec, len, &u), TRAWL_PARSE);

	/* What a cache gives is taken instead of hashing again. */
	fake = versions_of(c, "budget-2017@example.org");
	talloc_free(fake->files[2].version_hash);
	fake->files[2].version_hash = talloc_strdup(fake, fake->files[0].version_hash);
	for (size_t i = 0; i < 3; i++)
		paths[i] = fake->files[i].path;
	assert_int_equal(versions_compare(c, "budget-2017@example.org", c->f->mail, paths, 3,
	                                  cached_first, fake, &u),
	                 TRAWL_OK);
	assert_int_equal(u->n_versions, 1);
}

/* The length of a longest common subsequence, the slow way. */
static size_t
lcs(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	size_t *t = calloc((na + 1) * (nb + 1), sizeof(size_t)), r;

	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++)
			t[i * (nb + 1) + j] = !strcmp(a[i - 1], b[j - 1])
			                              ? t[(i - 1) * (nb + 1) + j - 1] + 1
			                      : t[(i - 1) * (nb + 1) + j] > t[i * (nb + 1) + j - 1]
			                              ? t[(i - 1) * (nb + 1) + j]
			                              : t[i * (nb + 1) + j - 1];
	r = t[na * (nb + 1) + nb];
	free(t);
	return r;
}

static void
test_line_diff(void **state)
{
	static const char *const words[] = {"a", "b", "c", "d"};
	struct ctx *c = *state;
	unsigned seed = 21;

	/* Random sequences: the script turns a into b and keeps a longest common part. */
	for (int round = 0; round < 400; round++) {
		size_t na = rand_r(&seed) % 12, nb = rand_r(&seed) % 12, same = 0, ia = 0, ib = 0,
		       n;
		const char *a[12], *b[12];
		char *ops;
		int exact;

		for (size_t i = 0; i < na; i++)
			a[i] = words[rand_r(&seed) % 4];
		for (size_t i = 0; i < nb; i++)
			b[i] = words[rand_r(&seed) % 4];
		assert_int_equal(versions_diff_lines(c, a, na, b, nb, &ops, &n, &exact), TRAWL_OK);
		assert_true(exact);
		for (size_t i = 0; i < n; i++) {
			if (ops[i] == '=') {
				assert_true(ia < na && ib < nb);
				assert_string_equal(a[ia++], b[ib++]);
				same++;
			} else if (ops[i] == '-') {
				assert_true(ia < na);
				ia++;
			} else {
				assert_int_equal(ops[i], '+');
				assert_true(ib < nb);
				ib++;
			}
		}
		assert_int_equal(ia, na);
		assert_int_equal(ib, nb);
		assert_int_equal(same, lcs(a, na, b, nb));
		talloc_free(ops);
	}
}

static void
test_line_diff_limit(void **state)
{
	struct ctx *c = *state;
	size_t n = VERSIONS_DIFF_MAX_EDITS, n_ops;
	const char **a = talloc_array(c, const char *, n + 2),
	           **b = talloc_array(c, const char *, n + 2);
	char *ops;
	int exact;

	/* Nothing in common between the first and last lines: beyond the limit. */
	a[0] = b[0] = "start";
	for (size_t i = 1; i <= n; i++) {
		a[i] = talloc_asprintf(a, "a%zu", i);
		b[i] = talloc_asprintf(b, "b%zu", i);
	}
	a[n + 1] = b[n + 1] = "end";
	assert_int_equal(versions_diff_lines(c, a, n + 2, b, n + 2, &ops, &n_ops, &exact),
	                 TRAWL_OK);
	assert_false(exact);
	assert_int_equal(n_ops, 2 * n + 2);
	assert_int_equal(ops[0], '=');
	assert_int_equal(ops[1], '-');
	assert_int_equal(ops[n + 1], '+');
	assert_int_equal(ops[2 * n + 1], '=');
}

/* The diff's lines as text, one a line with its mark. */
static char *
diff_text(TALLOC_CTX *ctx, const struct versions_diff *d)
{
	char *s = talloc_strdup(ctx, "");

	for (size_t i = 0; i < d->n; i++)
		s = talloc_asprintf_append(s, "%s%s\n", versions_diff_mark(d->lines[i].kind),
		                           d->lines[i].text);
	return s;
}

static void
test_diff_versions(void **state)
{
	struct ctx *c = *state;
	struct versions *a = versions_of(c, "budget-2017@example.org");
	struct versions *w = versions_of(c, "wire-2017@example.net");
	struct versions *k = versions_of(c, "contract-2017@example.org");
	struct versions_diff *d;
	char *err, *t;

	/* The original against the changed copy: an added Cc, a changed sentence. */
	assert_int_equal(versions_diff_files(c, a->files[1].path, a->files[2].path, &d, &err),
	                 TRAWL_OK);
	t = diff_text(c, d);
	assert_string_equal(d->summary, "headers: 1 added; body: 1 removed, 1 added; "
	                                "attachments: the same");
	assert_non_null(strstr(t, "Headers\n  From: Alice Ames <alice@example.org>\n"
	                          "  To: Bob Brown <bob@example.org>\n"
	                          "+ Cc: Carol Cole <carol@example.org>\n"));
	assert_non_null(strstr(t, "Body\n  Bob,\n  \n"
	                          "- The budget for the harbour project is 4 million euros.\n"
	                          "+ The budget for the harbour project is 9 million euros.\n"
	                          "  Please keep this between us until the board meets.\n"));
	assert_non_null(strstr(t, "Attachments\nnone\n"));
	/* Transport fields are not compared: Received and Delivered-To are not listed. */
	assert_null(strstr(t, "Received"));
	assert_int_equal(d->added, 2);

	/* The two files of one version: nothing differs that the rule keeps. */
	assert_int_equal(versions_diff_files(c, a->files[0].path, a->files[1].path, &d, &err),
	                 TRAWL_OK);
	assert_string_equal(d->summary, "headers: the same; body: the same; attachments: the same");

	/* A swapped attachment: same name and type, another size and SHA-256. */
	assert_int_equal(versions_diff_files(c, k->files[0].path, k->files[1].path, &d, &err),
	                 TRAWL_OK);
	t = diff_text(c, d);
	assert_non_null(
	        strstr(t, "Attachments\n- contract.txt  text/plain  41 bytes  sha256 "
	                  "09b351d05d31a30b77d7ebb9375861126d87d9dc2813ef7fdcae47d6cf86b572\n"
	                  "+ contract.txt  text/plain  40 bytes  sha256 "
	                  "3776f2a29df78beb4475f50558ad07999a9a72d9e2d04a7e6147ef92c36d0ef4\n"));
	/* The body's note on the attachment says its size, so it differs too. */
	assert_string_equal(d->summary, "headers: the same; body: 1 removed, 1 added; "
	                                "attachments: 1 removed, 1 added");

	/* A hostile version: the diff keeps its bytes, for the text module to neutralise. */
	assert_int_equal(versions_diff_files(c, w->files[0].path, w->files[1].path, &d, &err),
	                 TRAWL_OK);
	t = diff_text(c, d);
	assert_non_null(strstr(t, "+ Pay the invoice to account \033[31m9999"));

	/* A file that cannot be read is named. */
	assert_int_equal(versions_diff_files(c, a->files[0].path, "/nonexistent/x", &d, &err),
	                 TRAWL_IO);
	assert_non_null(strstr(err, "/nonexistent/x"));
}

/* The thread of message id. */
static char *
thread_of(struct ctx *c, const char *id)
{
	struct index_files *mf;
	size_t n;

	assert_int_equal(index_messages_files(c->idx, c, index_quote_term(c, "id", id), 1, &mf, &n),
	                 TRAWL_OK);
	assert_int_equal(n, 1);
	return mf[0].thread_id;
}

static void
vm_wait(struct versionmap *vm)
{
	for (int i = 0; i < 2000 && versionmap_pending(vm); i++) {
		versionmap_poll(vm);
		usleep(5000);
	}
	assert_int_equal(versionmap_pending(vm), 0);
}

static void
test_versionmap(void **state)
{
	struct ctx *c = *state;
	struct versionmap *vm = versionmap_new(c, c->idx);
	char *ids[3] = {thread_of(c, "budget-2017@example.org"),
	                thread_of(c, "minutes-2017@example.org"),
	                thread_of(c, "lunch-2017@example.org")};
	const struct versions *v;
	const struct versions *const *msgs;
	size_t n;
	unsigned serial = versionmap_serial(vm);

	assert_false(versionmap_known(vm, ids[0]));
	versionmap_want(vm, ids, 3);
	versionmap_want(vm, ids, 3); /* asked twice, read once */
	assert_int_equal(versionmap_pending(vm), 3);
	vm_wait(vm);
	assert_int_not_equal(versionmap_serial(vm), serial);
	assert_true(versionmap_known(vm, ids[0]) && versionmap_known(vm, ids[2]));
	assert_string_equal(versionmap_thread_mark(vm, ids[0]), "3 files, 2 versions");
	assert_string_equal(versionmap_thread_mark(vm, ids[1]), "2 files, identical");
	assert_null(versionmap_thread_mark(vm, ids[2]));
	msgs = versionmap_thread(vm, ids[0], &n);
	assert_int_equal(n, 1); /* the reply has one file */
	assert_string_equal(msgs[0]->message_id, "budget-2017@example.org");
	assert_null(versionmap_message(vm, "budget-reply@example.org"));
	v = versionmap_message(vm, "budget-2017@example.org");
	assert_non_null(v);
	assert_int_equal(v->n_versions, 2);

	/* What was on screen, by version. */
	assert_false(versionmap_version_seen(vm, v, 1));
	versionmap_seen(vm, v->message_id, v->files[1].path);
	assert_true(versionmap_version_seen(vm, v, 1));
	assert_false(versionmap_version_seen(vm, v, 2));
	versionmap_seen(vm, v->message_id, v->files[2].path);
	assert_true(versionmap_version_seen(vm, v, 2));

	/* Read again in this process: the same answer, the thread not asked for again. */
	assert_int_equal(versionmap_read_now(vm, ids[0]), TRAWL_OK);
	assert_string_equal(versionmap_thread_mark(vm, ids[0]), "3 files, 2 versions");
	versionmap_want(vm, ids, 1);
	assert_int_equal(versionmap_pending(vm), 0);
	talloc_free(vm);
}

static void
test_journal_note(void **state)
{
	struct ctx *c = *state;
	char *path = talloc_asprintf(c, "%s/journal-note.log", c->f->dir), *out = NULL;
	struct journal_entry e = {.time = 1490000000,
	                          .reviewer = "ann",
	                          .kind = "tag",
	                          .query = "id:x",
	                          .ops = "+reviewed",
	                          .count = 1,
	                          .session = "s1",
	                          .note = "versions of id:x: 2 files, 2 versions, all read"};
	struct journal_entry plain = e, *got;
	size_t n, len = 0;
	FILE *f;

	plain.note = NULL;
	assert_int_equal(journal_begin(path, &e), 0);
	assert_int_equal(journal_begin(path, &plain), 0);
	assert_int_equal(journal_read(c, path, &got, &n), TRAWL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(got[0].note, e.note);
	assert_string_equal(got[1].note, "");
	f = open_memstream(&out, &len);
	assert_int_equal(journal_print(path, f, 1, NULL), TRAWL_OK);
	fclose(f);
	assert_non_null(strstr(out, "committed,end,confirmed,note_before,note_after\r\n"));
	assert_non_null(strstr(out, ",\"versions of id:x: 2 files, 2 versions, all read\",\"\",\"\"\r\n"));
	free(out);
}

/* An app on the fixture, showing query, its list loaded. */
static struct app *
app_on(struct ctx *c, const char *query)
{
	struct config *cfg = config_new(c);
	struct app *app = app_new(c, c->idx, cfg, 100, 30);

	view_start(app, query);
	for (int i = 0; i < 2000 && app->list->tl->state == THREADLIST_LOADING; i++) {
		app_poll(app);
		usleep(5000);
	}
	return app;
}

/* Polls until the screen shows text; fails with the screen otherwise. */
static void
app_wait_for(struct app *app, const char *text)
{
	for (int i = 0; i < 2000; i++) {
		char *got = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&got, &len);
		int found;

		app_poll(app);
		view_draw(app);
		screen_dump(app->scr, f);
		fclose(f);
		found = strstr(got, text) != NULL;
		if (found || i == 1999) {
			if (!found)
				fail_msg("the screen does not show \"%s\":\n%s", text, got);
			free(got);
			return;
		}
		free(got);
		usleep(5000);
	}
}

static void
test_reader(void **state)
{
	struct ctx *c = *state;
	struct app *app = app_on(c, "id:wire-2017@example.net");
	struct journal_entry *e;
	size_t n;

	app_wait_for(app, "[2 files, 2 versions] Wire");
	cmd_key(app, "Enter");
	/* Which file notmuch names first depends on the database: either version. */
	app_wait_for(app, "[2 files, 2 versions; version ");
	/* The version shown only: r asks, and Escape leaves the message as it was. */
	cmd_key(app, "r");
	assert_non_null(app->prompt);
	assert_non_null(strstr(app->prompt->label, "1 never on screen"));
	cmd_key(app, "Escape");
	assert_null(app->prompt);
	/* The files, then the other one compared: both sides neutralised. */
	cmd_key(app, "v");
	assert_int_equal(app->focus, APP_FOCUS_VERSIONS);
	app_wait_for(app, "Files of <wire-2017@example.net>: 2 files, 2 versions");
	cmd_key(app, "d");
	assert_int_equal(app->focus, APP_FOCUS_DIFF);
	app_wait_for(app, " Pay the invoice to account ^[[31m9999 8888^[[0m <U+202E>txt.exe");
	app_wait_for(app, " Pay the invoice to account 1111 2222.");
	app_wait_for(app, "headers: 1 removed, 1 added; body: 1 removed, 1 added");
	cmd_key(app, "q");
	assert_int_equal(app->focus, APP_FOCUS_VERSIONS);
	cmd_key(app, "q");
	assert_int_equal(app->focus, APP_FOCUS_THREAD);
	/* Both read now: r marks at once, and the journal says so. */
	cmd_key(app, "r");
	assert_null(app->prompt);
	review_wait(app->review);
	assert_int_equal(journal_read(c, app->review->journal_path, &e, &n), TRAWL_OK);
	assert_true(n >= 1);
	assert_non_null(strstr(e[n - 1].note, "versions of id:wire-2017@example.net: 2 files, "
	                                      "2 versions, all read (1="));
	app_free(app);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rule),          cmocka_unit_test(test_counts),
	        cmocka_unit_test(test_unreadable),    cmocka_unit_test(test_pack_and_cache),
	        cmocka_unit_test(test_line_diff),     cmocka_unit_test(test_line_diff_limit),
	        cmocka_unit_test(test_diff_versions), cmocka_unit_test(test_versionmap),
	        cmocka_unit_test(test_journal_note),  cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
