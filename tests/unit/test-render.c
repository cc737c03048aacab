/*
 * Unit tests of the render module: the hostile messages of
 * tests/corpus/render, messages generated here (deep nesting, huge lines,
 * many parts), attachment names and saving, and HTML to text.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/render-job.h"
#include "trawl/render.h"

/* ------------------------------------------------------------ helpers */

/* Well-formed UTF-8, checked independently of render.c. */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c, lo, hi;
	int need, i;

	if (!s)
		return 0;
	while (*p) {
		c = *p;
		lo = 0x80;
		hi = 0xBF;
		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else {
			return 0;
		}
		for (i = 1; i <= need; i++) {
			if (p[i] < lo || p[i] > hi)
				return 0;
			lo = 0x80;
			hi = 0xBF;
		}
		p += need + 1;
	}
	return 1;
}

/* Every string of m is well-formed, every line bounded, every safe name safe. */
static void
check_message(const struct render_message *m)
{
	size_t i;

	assert_true(utf8_ok(m->from) && utf8_ok(m->to) && utf8_ok(m->cc));
	assert_true(utf8_ok(m->date) && utf8_ok(m->subject) && utf8_ok(m->message_id));
	for (i = 0; i < m->n_headers; i++)
		assert_true(utf8_ok(m->headers[i].name) && utf8_ok(m->headers[i].value));
	for (i = 0; i < m->n_lines; i++) {
		assert_true(utf8_ok(m->lines[i].text));
		assert_true(strlen(m->lines[i].text) <= RENDER_MAX_LINE + 64);
	}
	for (i = 0; i < m->n_attachments; i++) {
		const char *s = m->attachments[i].safe_name;

		assert_true(utf8_ok(m->attachments[i].filename) && utf8_ok(s));
		assert_true(*s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, ".."));
		assert_true(strlen(s) <= 255);
	}
	for (i = 0; i < m->n_parts; i++)
		assert_true(utf8_ok(m->parts[i].mime_type) && utf8_ok(m->parts[i].charset));
	assert_int_equal(render_gmime_warnings(), 0);
}

static struct render_message *
load_mode(void *ctx, const char *name, enum render_mode mode)
{
	struct render_opts opts = {mode};
	struct render_message *m = NULL;
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/corpus/render/%s", name);
	assert_int_equal(render_file(ctx, fixture_srcpath(rel), &opts, &m), TRAWL_OK);
	assert_non_null(m);
	check_message(m);
	return m;
}

static struct render_message *
load(void *ctx, const char *name)
{
	return load_mode(ctx, name, RENDER_MODE_TEXT);
}

static struct render_message *
parse(void *ctx, const char *buf, size_t len, enum render_mode mode)
{
	struct render_opts opts = {mode};
	struct render_message *m = NULL;

	assert_int_equal(render_buffer(ctx, buf, len, &opts, &m), TRAWL_OK);
	assert_non_null(m);
	check_message(m);
	return m;
}

/* The first line of kind containing needle, or NULL. */
static const struct render_line *
find_line(const struct render_message *m, int kind, const char *needle)
{
	size_t i;

	for (i = 0; i < m->n_lines; i++)
		if ((kind < 0 || (int)m->lines[i].kind == kind) && strstr(m->lines[i].text, needle))
			return &m->lines[i];
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Renders path in a render-job child, polling in small steps as the UI does. */
static enum render_job_state
job_render(void *ctx, const char *path, enum render_mode mode, struct render_message **out,
	   const char **error)
{
	struct render_opts opts = {mode};
	struct render_job *job;
	enum render_job_state st;

	assert_int_equal(render_job_start(ctx, path, &opts, &job), TRAWL_OK);
	while ((st = render_job_poll(job, 4096, out, error)) == RENDER_JOB_RUNNING) {
		struct pollfd pfd = {.fd = render_job_fd(job), .events = POLLIN};

		if (pfd.fd >= 0)
			poll(&pfd, 1, 1000);
	}
	return st;
}

static void
assert_same_render(const struct render_message *a, const struct render_message *b)
{
	assert_string_equal(a->from, b->from);
	assert_string_equal(a->to, b->to);
	assert_string_equal(a->cc, b->cc);
	assert_string_equal(a->date, b->date);
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->message_id, b->message_id);
	assert_int_equal(a->has_html, b->has_html);
	assert_int_equal(a->has_plain, b->has_plain);
	assert_int_equal(a->parse_failed, b->parse_failed);
	assert_int_equal(a->n_headers, b->n_headers);
	for (size_t i = 0; i < a->n_headers; i++) {
		assert_string_equal(a->headers[i].name, b->headers[i].name);
		assert_string_equal(a->headers[i].value, b->headers[i].value);
	}
	assert_int_equal(a->n_lines, b->n_lines);
	for (size_t i = 0; i < a->n_lines; i++) {
		assert_string_equal(a->lines[i].text, b->lines[i].text);
		assert_int_equal(a->lines[i].kind, b->lines[i].kind);
		assert_int_equal(a->lines[i].depth, b->lines[i].depth);
		assert_int_equal(a->lines[i].quote_level, b->lines[i].quote_level);
		assert_int_equal(a->lines[i].part, b->lines[i].part);
		assert_int_equal(a->lines[i].wrapped, b->lines[i].wrapped);
	}
	assert_int_equal(a->n_attachments, b->n_attachments);
	for (size_t i = 0; i < a->n_attachments; i++) {
		assert_string_equal(a->attachments[i].filename, b->attachments[i].filename);
		assert_string_equal(a->attachments[i].safe_name, b->attachments[i].safe_name);
		assert_string_equal(a->attachments[i].mime_type, b->attachments[i].mime_type);
		assert_int_equal(a->attachments[i].size, b->attachments[i].size);
		assert_int_equal(a->attachments[i].index, b->attachments[i].index);
		assert_int_equal(a->attachments[i].part, b->attachments[i].part);
	}
	assert_int_equal(a->n_parts, b->n_parts);
	for (size_t i = 0; i < a->n_parts; i++) {
		assert_int_equal(a->parts[i].id, b->parts[i].id);
		assert_int_equal(a->parts[i].parent, b->parts[i].parent);
		assert_int_equal(a->parts[i].depth, b->parts[i].depth);
		assert_int_equal(a->parts[i].shown, b->parts[i].shown);
		assert_int_equal(a->parts[i].attachment, b->parts[i].attachment);
		assert_string_equal(a->parts[i].mime_type, b->parts[i].mime_type);
		assert_string_equal(a->parts[i].charset, b->parts[i].charset);
		assert_string_equal(a->parts[i].decoded_as, b->parts[i].decoded_as);
	}
}

/*
 * A message rendered in a child (long messages, so keys go on: issue 22)
 * is the one render_file() gives, in every mode, for every corpus file and
 * for one of several batches; an unreadable file fails with a reason.
 */
static void
test_render_job(void **state)
{
	void *ctx = talloc_new(NULL);
	DIR *d = opendir(fixture_srcpath("tests/corpus/render"));
	struct dirent *e;
	char *big;
	FILE *f;
	struct render_message *a, *b;
	const char *error = NULL;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = talloc_asprintf(ctx, "%s/%s", fixture_srcpath("tests/corpus/render"), e->d_name);
		for (int mode = RENDER_MODE_TEXT; mode <= RENDER_MODE_RAW; mode++) {
			struct render_opts opts = {(enum render_mode)mode};

			assert_int_equal(render_file(ctx, path, &opts, &a), TRAWL_OK);
			assert_int_equal(job_render(ctx, path, (enum render_mode)mode, &b, &error),
					 RENDER_JOB_DONE);
			assert_same_render(a, b);
		}
	}
	closedir(d);
	/* A message of 200,000 lines: many batches, each polled in small steps. */
	big = talloc_asprintf(ctx, "%s/render-job-big.eml", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	f = fopen(big, "w");
	assert_non_null(f);
	fprintf(f, "From: a@example.org\nSubject: big\nMessage-ID: <big@example.org>\n\n");
	for (int i = 0; i < 200000; i++)
		fprintf(f, "line %d: r\xc3\xa9union du comit\xc3\xa9 > %d\n", i, i * 7);
	fclose(f);
	assert_int_equal(render_file(ctx, big, NULL, &a), TRAWL_OK);
	assert_int_equal(job_render(ctx, big, RENDER_MODE_TEXT, &b, &error), RENDER_JOB_DONE);
	assert_same_render(a, b);
	unlink(big);
	/* No file: a failure with a reason, no result. */
	b = NULL;
	assert_int_equal(job_render(ctx, "/nonexistent/x.eml", RENDER_MODE_TEXT, &b, &error),
			 RENDER_JOB_FAILED);
	assert_null(b);
	assert_non_null(error);
	assert_true(*error);
	talloc_free(ctx);
}

/*
 * Controls the parsers would drop without a trace are kept, so the text
 * module shows them neutralised: ESC inside HTML (libxml2 drops it) and a
 * header whose name holds an ESC (GMime refuses the line).  Issue 22.
 */
static void
test_controls_not_dropped(void **state)
{
	void *ctx = talloc_new(NULL);
	static const char msg[] = "From: a@b.c\r\nSubject: s\r\n"
				  "X-Evil\x1b[31m: red\r\n"
				  "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
				  "<p>before\x1b[2Jafter <a href=\"http://x/\x1b]0;t\x07\">l</a></p>\r\n";
	struct render_message *m = parse(ctx, msg, sizeof(msg) - 1, RENDER_MODE_TEXT);
	int found = 0;

	(void)state;
	assert_non_null(find_line(m, RENDER_LINE_BODY, "before\x1b[2Jafter"));
	assert_non_null(find_line(m, -1, "http://x/\x1b]0;t\x07"));
	for (size_t i = 0; i < m->n_headers; i++)
		found |= !strcmp(m->headers[i].name, "X-Trawl-Invalid-Header") &&
			 strstr(m->headers[i].value, "X-Evil\x1b[31m: red");
	assert_true(found);
	m = parse(ctx, msg, sizeof(msg) - 1, RENDER_MODE_HEADERS);
	assert_non_null(find_line(m, RENDER_LINE_HEADER, "X-Evil\x1b[31m: red"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ escapes and charsets */

static void
test_escape_8bit(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "escape-8bit.eml");

	/* Escapes are kept (the text module neutralises them) but always in valid UTF-8. */
	assert_non_null(strstr(m->subject, "\x1b[31mOVERDUE"));
	assert_non_null(strstr(m->from, "Mallory \x1b[2J"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "pay \x1b[5mnow"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "\x1b]2;owned\x07"));
	assert_string_equal(m->message_id, "<escape-8bit@example.com>");
	talloc_free(ctx);
}

static void
test_escape_qp(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "escape-qp.eml");

	assert_string_equal(m->subject, "Invoice \x1b[31mOVERDUE\x1b[0m");
	assert_non_null(strstr(m->from, "Mallory \x1b[2J"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "pay \x1b[5mnow\x1b[0m."));
	/* A soft line break joins the lines. */
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Soft break and caf\xc3\xa9."));
	talloc_free(ctx);
}

static void
test_escape_base64(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "escape-base64.eml");

	assert_string_equal(m->subject, "B64 \x1b[31mred\x1b[0m subject");
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Hidden \x1b[8msecret"));
	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "CSI \xc2\x9b"
				  "31m"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Second line."));
	talloc_free(ctx);
}

static void
test_c1_and_bidi(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "c1-controls.eml");

	assert_non_null(strstr(m->subject, "\xc2\x9b"
					   "31m"));
	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "\xc2\x9d"
				  "0;x"));
	m = load(ctx, "bidi.eml");
	assert_non_null(strstr(m->subject, "\xe2\x80\xae"));
	assert_int_equal(m->n_attachments, 1);
	/* The declared name keeps the override; the safe name does not. */
	assert_string_equal(m->attachments[0].filename, "invoice\xe2\x80\xae"
							"fdp.exe");
	assert_string_equal(m->attachments[0].safe_name, "invoicefdp.exe");
	talloc_free(ctx);
}

static void
test_invalid_utf8(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "invalid-utf8.eml");
	const struct render_line *l = find_line(m, RENDER_LINE_BODY, "Valid");

	assert_non_null(l);
	assert_string_equal(l->text, "Valid \xc3\xa9, lone \xef\xbf\xbd, truncated \xef\xbf\xbd, "
				     "overlong \xef\xbf\xbd\xef\xbf\xbd, surrogate "
				     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end.");
	talloc_free(ctx);
}

static void
test_latin1_undeclared(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "latin1-undeclared.eml");

	assert_non_null(
		find_line(m, RENDER_LINE_BODY, "Le caf\xc3\xa9 est cr\xc3\xa8me, na\xc3\xafve."));
	assert_string_equal(m->subject, "Caf\xc3\xa9 cr\xc3\xa8me");
	assert_string_equal(m->parts[0].decoded_as, "windows-1252");
	talloc_free(ctx);
}

static void
test_cp1252_labelled_latin1(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "cp1252-as-latin1.eml");

	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "He said \xe2\x80\x9chello\xe2\x80\x9d \xe2\x80\x93 it costs "
				  "\xe2\x82\xac"
				  "100 \xe2\x80\xa6"));
	talloc_free(ctx);
}

static void
test_iso2022jp(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "iso-2022-jp.eml");
	const char *jp = "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"
			 "\xe4\xb8\x96\xe7\x95\x8c";

	assert_string_equal(m->subject, jp);
	assert_non_null(find_line(m, RENDER_LINE_BODY, jp));
	talloc_free(ctx);
}

static void
test_headers_8bit(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "headers-8bit.eml");

	/* Raw 8-bit headers: UTF-8 when they are, else windows-1252. */
	assert_string_equal(m->from, "Ren\xc3\xa9 <rene@example.fr>");
	assert_string_equal(m->to, "J\xc3\xb6rg <joerg@example.de>");
	assert_string_equal(m->cc, "Andr\xc3\xa9 <andre@example.fr>");
	assert_string_equal(m->date, "");
	talloc_free(ctx);
}

static void
test_meta_charset(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "meta-charset.eml");

	/* KOI8-R named by the HTML itself, the part declaring none. */
	assert_non_null(
		find_line(m, RENDER_LINE_BODY, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));
	talloc_free(ctx);
}

static void
test_nul_and_crlf(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "nul.eml");

	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "before\xef\xbf\xbd"
				  "after"));
	m = load(ctx, "crlf.eml");
	assert_non_null(find_line(m, RENDER_LINE_BODY, "line one"));
	assert_string_equal(find_line(m, RENDER_LINE_BODY, "line one")->text, "line one");
	/* A lone CR is content, left for the text module. */
	assert_non_null(find_line(m, RENDER_LINE_BODY, "bare\rcr"));
	talloc_free(ctx);
}

/*
 * Found by fuzz-render: three ill-formed bytes (a 4-byte lead and two
 * continuations) are exactly as long as the U+FFFD replacing them, and a
 * length comparison took the copy for clean.
 */
static void
test_fuzz_same_length_replacement(void **state)
{
	void *ctx = talloc_new(NULL);
	static const char raw[] = "Fr\n--b1\nx \xf2\x81\xa9inal\n";
	static const char body[] = "Subject: s\nContent-Type: text/plain; charset=utf-8\n\n"
				   "a\xf2\x81\xa9"
				   "b\n";
	static const char html[] = "Content-Type: text/html; charset=utf-8\n\n<p>a\xf2\x81\xa9"
				   "b";
	struct render_message *m;

	m = parse(ctx, raw, sizeof(raw) - 1, RENDER_MODE_TEXT);
	assert_true(m->parse_failed);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "x \xef\xbf\xbdinal"));
	m = parse(ctx, body, sizeof(body) - 1, RENDER_MODE_TEXT);
	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "a\xef\xbf\xbd"
				  "b"));
	m = parse(ctx, body, sizeof(body) - 1, RENDER_MODE_RAW);
	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "a\xef\xbf\xbd"
				  "b"));
	m = parse(ctx, html, sizeof(html) - 1, RENDER_MODE_TEXT);
	assert_non_null(find_line(m, RENDER_LINE_BODY,
				  "a\xef\xbf\xbd"
				  "b"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ structure */

static void
test_alternative(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "alternative.eml");

	assert_true(m->has_plain && m->has_html);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Plain version."));
	assert_null(find_line(m, -1, "HTML version"));
	m = load_mode(ctx, "alternative.eml", RENDER_MODE_HTML);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "HTML version."));
	assert_null(find_line(m, -1, "Plain version"));
	talloc_free(ctx);
}

static void
test_attachments_same_in_every_mode(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m[4];
	size_t i;
	int mode;

	for (mode = 0; mode < 4; mode++)
		m[mode] = load_mode(ctx, "calendar-alternative.eml", (enum render_mode)mode);
	/* Text no mode shows is an attachment: the stray related text, the calendar. */
	assert_int_equal(m[0]->n_attachments, 3);
	assert_string_equal(m[0]->attachments[0].mime_type, "text/plain");
	assert_int_equal(m[0]->attachments[0].part, 5);
	assert_string_equal(m[0]->attachments[1].mime_type, "image/png");
	assert_string_equal(m[0]->attachments[2].mime_type, "text/calendar");
	for (mode = 1; mode < 4; mode++) {
		assert_int_equal(m[mode]->n_attachments, m[0]->n_attachments);
		for (i = 0; i < m[0]->n_attachments; i++) {
			assert_int_equal(m[mode]->attachments[i].part, m[0]->attachments[i].part);
			assert_int_equal(m[mode]->attachments[i].size, m[0]->attachments[i].size);
		}
	}
	assert_non_null(find_line(m[0], RENDER_LINE_BODY, "Plain invitation."));
	assert_null(find_line(m[0], -1, "HTML invitation"));
	assert_non_null(find_line(m[1], RENDER_LINE_BODY, "HTML invitation [image]"));
	assert_null(find_line(m[1], -1, "Plain invitation"));
	assert_null(find_line(m[1], -1, "Stray text"));
	talloc_free(ctx);
}

static void
test_forwarded(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "forwarded.eml");
	const struct render_line *l;

	assert_non_null(l = find_line(m, RENDER_LINE_BODY, "See below."));
	assert_int_equal(l->depth, 0);
	assert_non_null(l = find_line(m, RENDER_LINE_HEADER, "From: original@example.com"));
	assert_int_equal(l->depth, 1);
	assert_non_null(find_line(m, RENDER_LINE_HEADER, "Subject: original"));
	assert_non_null(find_line(m, RENDER_LINE_HEADER, "Date: Sun, 01 Jan 2023"));
	assert_non_null(l = find_line(m, RENDER_LINE_BODY, "Inner body."));
	assert_int_equal(l->depth, 1);
	assert_int_equal(l->part, 4);
	assert_non_null(l = find_line(m, RENDER_LINE_QUOTE, "> inner quote"));
	assert_int_equal(l->quote_level, 1);
	/* Ids as notmuch numbers them: the message part 3, its body 4. */
	assert_int_equal(m->n_parts, 4);
	assert_string_equal(m->parts[2].mime_type, "message/rfc822");
	assert_int_equal(m->parts[3].parent, 3);
	talloc_free(ctx);
}

static void
test_signed_encrypted(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "signed.eml");

	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[signed part: signature not verified]"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Signed content."));
	m = load(ctx, "encrypted.eml");
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[encrypted part: not decrypted]"));
	assert_null(find_line(m, -1, "secret"));
	assert_int_equal(m->n_attachments, 2);
	m = load(ctx, "smime.eml");
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[encrypted part: not decrypted]"));
	assert_int_equal(m->n_attachments, 1);
	talloc_free(ctx);
}

static void
test_quotes(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "quotes.eml");
	const struct render_line *l;

	assert_int_equal(find_line(m, -1, "My answer.")->kind, RENDER_LINE_BODY);
	l = find_line(m, -1, "> first level");
	assert_true(l->kind == RENDER_LINE_QUOTE && l->quote_level == 1);
	l = find_line(m, -1, ">> second level");
	assert_true(l->kind == RENDER_LINE_QUOTE && l->quote_level == 2);
	l = find_line(m, -1, "> > spaced second");
	assert_true(l->kind == RENDER_LINE_QUOTE && l->quote_level == 2);
	l = find_line(m, -1, "  > indented quote");
	assert_true(l->kind == RENDER_LINE_QUOTE && l->quote_level == 1);
	assert_int_equal(find_line(m, -1, "Not a quote")->kind, RENDER_LINE_BODY);
	assert_int_equal(find_line(m, -1, "Replier")->kind, RENDER_LINE_SIGNATURE);
	assert_int_equal(find_line(m, -1, "Signature line")->kind, RENDER_LINE_SIGNATURE);

	m = load(ctx, "outlook.eml");
	assert_int_equal(find_line(m, -1, "Approved.")->kind, RENDER_LINE_BODY);
	assert_int_equal(find_line(m, -1, "-----Original Message-----")->kind, RENDER_LINE_QUOTE);
	assert_int_equal(find_line(m, -1, "Please approve.")->kind, RENDER_LINE_QUOTE);
	assert_int_equal(find_line(m, -1, "not a signature")->kind, RENDER_LINE_QUOTE);
	talloc_free(ctx);
}

static void
test_headers_mode(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load_mode(ctx, "forwarded.eml", RENDER_MODE_HEADERS);
	size_t i;

	/* Every header, in file order, Content-* ones included. */
	assert_int_equal(m->n_headers, 6);
	assert_string_equal(m->headers[0].name, "From");
	assert_string_equal(m->headers[4].name, "MIME-Version");
	assert_string_equal(m->headers[5].name, "Content-Type");
	for (i = 0; i < m->n_headers; i++)
		assert_int_equal(m->lines[i].kind, RENDER_LINE_HEADER);
	assert_string_equal(m->lines[0].text, "From: forwarder@example.com");
	assert_string_equal(m->lines[5].text, "Content-Type: multipart/mixed; boundary=\"b5\"");
	assert_int_equal(m->lines[6].kind, RENDER_LINE_BODY);
	/* The nested message shows every header too. */
	assert_non_null(find_line(m, RENDER_LINE_HEADER, "Message-ID: <original@example.com>"));

	m = load(ctx, "headers-8bit.eml");
	for (i = 0; i < m->n_headers; i++)
		if (strcmp(m->headers[i].name, "X-Long") == 0)
			assert_string_equal(m->headers[i].value, "a folded header");
	talloc_free(ctx);
}

static void
test_raw_mode(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load_mode(ctx, "crlf.eml", RENDER_MODE_RAW);

	assert_int_equal(m->n_lines, 9);
	assert_string_equal(m->lines[0].text, "From: crlf@example.com");
	assert_string_equal(m->lines[5].text, "");
	assert_string_equal(m->lines[8].text, "bare\rcr");
	/* The summary and the attachment list are there in RAW mode too. */
	assert_string_equal(m->subject, "CRLF");
	m = load_mode(ctx, "invalid-utf8.eml", RENDER_MODE_RAW);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "lone \xef\xbf\xbd,"));
	m = load_mode(ctx, "traversal.eml", RENDER_MODE_RAW);
	assert_int_equal(m->n_attachments, 4);
	talloc_free(ctx);
}

static void
test_not_a_message(void **state)
{
	void *ctx = talloc_new(NULL);
	static const char junk[] = "   \n\x01\x02 not a header\nnor this\xff\n";
	struct render_message *m = parse(ctx, junk, sizeof(junk) - 1, RENDER_MODE_TEXT);

	assert_true(m->parse_failed);
	assert_int_equal(m->lines[0].kind, RENDER_LINE_NOTE);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "nor this\xef\xbf\xbd"));
	m = parse(ctx, "", 0, RENDER_MODE_TEXT);
	assert_string_equal(m->subject, "");
	m = parse(ctx, NULL, 0, RENDER_MODE_HEADERS);
	assert_string_equal(m->from, "");
	talloc_free(ctx);
}

static void
test_file_errors(void **state)
{
	struct render_message *m = NULL;

	assert_int_equal(render_file(NULL, "/nonexistent/trawl/message", NULL, &m), TRAWL_IO);
	assert_null(m);
	assert_int_equal(render_file(NULL, "/", NULL, &m), TRAWL_IO);
	assert_int_equal(render_file(NULL, NULL, NULL, &m), TRAWL_USAGE);
	assert_int_equal(render_buffer(NULL, NULL, 3, NULL, &m), TRAWL_USAGE);
}

/* ------------------------------------------------------------ limits */

static void
test_deep_multipart(void **state)
{
	void *ctx = talloc_new(NULL);
	char *buf = talloc_strdup(ctx, "From: deep@example.com\nSubject: deep\nMIME-Version: 1.0\n"
				       "Content-Type: multipart/mixed; boundary=b0\n\n");
	struct render_message *m;
	int i;

	for (i = 0; i < 100; i++)
		buf = talloc_asprintf_append(
			buf, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i + 1);
	buf = talloc_asprintf_append(buf, "--b100\nContent-Type: text/plain\n\nbottom\n");
	assert_non_null(buf);
	m = parse(ctx, buf, strlen(buf), RENDER_MODE_TEXT);
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[part skipped: nesting deeper than 64]"));
	assert_null(find_line(m, -1, "bottom"));
	talloc_free(ctx);
}

static void
test_deep_messages(void **state)
{
	void *ctx = talloc_new(NULL);
	char *buf = talloc_strdup(ctx, "From: deep@example.com\nSubject: level 0\n"
				       "Content-Type: message/rfc822\n\n");
	struct render_message *m;
	const struct render_line *l;
	int i;

	for (i = 1; i < 100; i++)
		buf = talloc_asprintf_append(buf,
					     "From: x@example.com\nSubject: level %d\n"
					     "Content-Type: message/rfc822\n\n",
					     i);
	buf = talloc_asprintf_append(buf, "Subject: bottom\n\nbottom\n");
	assert_non_null(buf);
	m = parse(ctx, buf, strlen(buf), RENDER_MODE_TEXT);
	assert_non_null(l = find_line(m, RENDER_LINE_HEADER, "Subject: level 10"));
	assert_int_equal(l->depth, 10);
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[part skipped: nesting deeper than 64]"));
	talloc_free(ctx);
}

static void
test_many_parts(void **state)
{
	void *ctx = talloc_new(NULL);
	char *buf = talloc_strdup(ctx, "From: many@example.com\nSubject: many\nMIME-Version: 1.0\n"
				       "Content-Type: multipart/mixed; boundary=b\n\n");
	struct render_message *m;
	int i;

	for (i = 0; i < 3000; i++)
		buf = talloc_asprintf_append(buf, "--b\nContent-Type: text/plain\n\npart %d\n", i);
	buf = talloc_asprintf_append(buf, "--b--\n");
	assert_non_null(buf);
	m = parse(ctx, buf, strlen(buf), RENDER_MODE_TEXT);
	assert_true(m->n_parts <= RENDER_MAX_PARTS);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "part 998"));
	assert_null(find_line(m, RENDER_LINE_BODY, "part 1000"));
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[parts skipped: more than 1000 parts]"));
	talloc_free(ctx);
}

static void
test_huge_line(void **state)
{
	void *ctx = talloc_new(NULL);
	const size_t n = 5 << 20;
	static const char head[] = "From: big@example.com\nSubject: big\n"
				   "Content-Type: text/plain; charset=utf-8\n\n";
	char *buf = talloc_size(ctx, sizeof(head) + n + 2);
	struct render_message *m;
	size_t i, total = 0;
	double t0;

	memcpy(buf, head, sizeof(head) - 1);
	/* Two-byte characters, so that a cut at an odd offset would split one. */
	for (i = 0; i < n; i += 2)
		memcpy(buf + sizeof(head) - 1 + i, "\xc3\xa9", 2);
	buf[sizeof(head) - 1 + n] = '\n';
	t0 = now_s();
	m = parse(ctx, buf, sizeof(head) - 1 + n + 1, RENDER_MODE_TEXT);
	assert_true(now_s() - t0 < 1.0 * fixture_time_factor());
	assert_true(m->n_lines > 300);
	for (i = 0; i < m->n_lines; i++) {
		assert_true(strlen(m->lines[i].text) <= RENDER_MAX_LINE);
		assert_int_equal(m->lines[i].wrapped, i + 1 < m->n_lines);
		total += strlen(m->lines[i].text);
	}
	assert_int_equal(total, n);
	m = parse(ctx, buf, sizeof(head) - 1 + n + 1, RENDER_MODE_RAW);
	assert_true(now_s() - t0 < 2.0 * fixture_time_factor());
	talloc_free(ctx);
}

static void
test_many_lines(void **state)
{
	void *ctx = talloc_new(NULL);
	const size_t n = 2 << 20;
	static const char head[] = "From: lines@example.com\nSubject: lines\n"
				   "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n";
	static const char tail[] = "\n--b\nContent-Type: application/pdf; name=late.pdf\n\n"
				   "%PDF\n--b--\n";
	char *buf = talloc_size(ctx, sizeof(head) + n + sizeof(tail));
	struct render_message *m;
	double t0;

	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, '\n', n);
	memcpy(buf + sizeof(head) - 1 + n, tail, sizeof(tail));
	t0 = now_s();
	m = parse(ctx, buf, sizeof(head) - 1 + n + sizeof(tail) - 1, RENDER_MODE_TEXT);
	assert_true(now_s() - t0 < 1.0 * fixture_time_factor());
	assert_int_equal(m->n_lines, RENDER_MAX_LINES + 2);
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[lines skipped"));
	/* Notes get past the cap: the attachment is still said. */
	assert_non_null(find_line(m, RENDER_LINE_NOTE, "[attachment 1: late.pdf"));
	talloc_free(ctx);
}

static void
test_huge_header(void **state)
{
	void *ctx = talloc_new(NULL);
	char *buf = talloc_strdup(ctx, "From: h@example.com\nSubject: ");
	struct render_message *m;
	int i;

	for (i = 0; i < 20000; i++)
		buf = talloc_asprintf_append(buf, "=?utf-8?q?w=C3=A9rd?= ");
	buf = talloc_asprintf_append(buf, "\n\nbody\n");
	assert_non_null(buf);
	m = parse(ctx, buf, strlen(buf), RENDER_MODE_HEADERS);
	assert_true(strlen(m->subject) < RENDER_MAX_HEADER + 64);
	assert_non_null(strstr(m->subject, "[header cut:"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ attachments */

static void
test_rfc2231(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "rfc2231.eml");

	assert_int_equal(m->n_attachments, 3);
	assert_string_equal(m->attachments[0].filename, "\xe2\x82\xac rates.pdf");
	assert_string_equal(m->attachments[1].filename, "long \xc3\xa9name.pdf");
	assert_string_equal(m->attachments[2].filename, "encoded \xc3\xa9.png");
	assert_string_equal(m->attachments[0].mime_type, "application/pdf");
	assert_int_equal(m->attachments[0].size, 9);
	assert_int_equal(m->attachments[0].index, 1);
	assert_non_null(
		find_line(m, RENDER_LINE_NOTE,
			  "[attachment 1: \xe2\x82\xac rates.pdf, application/pdf, 9 bytes]"));
	talloc_free(ctx);
}

static void
test_traversal_names(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "traversal.eml");

	assert_int_equal(m->n_attachments, 4);
	assert_string_equal(m->attachments[0].filename, "../../etc/passwd");
	assert_string_equal(m->attachments[0].safe_name, "passwd");
	assert_string_equal(m->attachments[1].safe_name, "evil.dll");
	assert_string_equal(m->attachments[2].safe_name, "bashrc");
	assert_string_equal(m->attachments[3].safe_name, "attachment");
	/* A text/plain attachment is listed, not shown. */
	assert_null(find_line(m, -1, "root:x"));
	m = load(ctx, "inline-text-attachment.eml");
	assert_int_equal(m->n_attachments, 2);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Inline notes."));
	assert_null(find_line(m, -1, "Attached log"));
	talloc_free(ctx);
}

static void
test_safe_filename(void **state)
{
	void *ctx = talloc_new(NULL);
	static const struct {
		const char *in, *out;
	} cases[] = {
		{NULL, "attachment"},
		{"", "attachment"},
		{".", "attachment"},
		{"..", "attachment"},
		{"...", "attachment"},
		{"/", "attachment"},
		{"a/../b", "b"},
		{"../", "attachment"},
		{"x..y.pdf", "x.y.pdf"},
		{"  . .hidden", "hidden"},
		{"C:\\Users\\me\\doc.txt", "doc.txt"},
		{"tab\there\x1b[31m.txt", "tabhere[31m.txt"},
		{"del\x7f.txt", "del.txt"},
		{"c1\xc2\x9b.txt", "c1.txt"},
		{"rlo\xe2\x80\xaegpj.exe", "rlogpj.exe"},
		{"iso\xe2\x81\xa6x\xe2\x81\xa9.txt", "isox.txt"},
		{"bad\xff\xfe.txt", "bad__.txt"},
		{"caf\xc3\xa9.txt", "caf\xc3\xa9.txt"},
		{".\xe2\x80\xae.", "attachment"},
		{"trailing. ", "trailing"},
		{"-rf x.txt", "rf x.txt"},
		{"--help", "help"},
		{". -.-x", "x"},
		{"a-b-", "a-b-"},
	};
	char longname[600], *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = render_safe_filename(ctx, cases[i].in);
		assert_non_null(s);
		if (strcmp(s, cases[i].out) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, s, cases[i].out);
	}
	/* 300 bytes of "é" and an extension: cut on a character boundary, extension kept. */
	for (i = 0; i < 300; i += 2)
		memcpy(longname + i, "\xc3\xa9", 2);
	strcpy(longname + 300, ".pdf");
	s = render_safe_filename(ctx, longname);
	assert_true(strlen(s) <= 255);
	assert_true(utf8_ok(s));
	assert_string_equal(s + strlen(s) - 4, ".pdf");
	assert_int_equal(strlen(s), 254 + 0);
	talloc_free(ctx);
}

static char *
read_all(void *ctx, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = talloc_size(ctx, 65536);

	assert_non_null(f);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
test_save_attachment(void **state)
{
	void *ctx = talloc_new(NULL);
	char tmpl[] = "/tmp/trawl-render.XXXXXX";
	char *dir = mkdtemp(tmpl), *saved, *other, *victim, *link, *content;
	char longstem[301];
	FILE *f;
	const char *msg = fixture_srcpath("tests/corpus/render/traversal.eml");
	char *path = talloc_strdup(ctx, msg);
	size_t len;

	assert_non_null(dir);
	assert_int_equal(render_save_attachment(ctx, path, 1, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/passwd", dir));
	content = read_all(ctx, saved, &len);
	assert_string_equal(content, "root:x:0:0:pwned");
	/* Never overwritten: the second save gets a number. */
	assert_int_equal(render_save_attachment(ctx, path, 1, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/passwd (1)", dir));
	assert_int_equal(render_save_attachment(ctx, path, 2, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/evil.dll", dir));
	assert_int_equal(render_save_attachment(ctx, path, 2, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/evil (1).dll", dir));
	content = read_all(ctx, saved, &len);
	assert_int_equal(len, 12);
	assert_memory_equal(content, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00", 12);
	/* A symlink in the way is not followed. */
	victim = talloc_asprintf(ctx, "%s/victim", dir);
	link = talloc_asprintf(ctx, "%s/bashrc", dir);
	assert_int_equal(close(open(victim, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(render_save_attachment(ctx, path, 3, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/bashrc (1)", dir));
	read_all(ctx, victim, &len);
	assert_int_equal(len, 0);
	assert_int_equal(render_save_attachment(ctx, path, 4, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/attachment", dir));
	/* A forwarded message shown inline is no attachment. */
	other = talloc_strdup(ctx, fixture_srcpath("tests/corpus/render/forwarded.eml"));
	assert_int_equal(render_save_attachment(ctx, other, 1, dir, &saved), TRAWL_NOT_FOUND);
	/* One sent as an attachment is, and is saved whole. */
	other = talloc_asprintf(ctx, "%s/fwd", dir);
	f = fopen(other, "w");
	assert_non_null(f);
	fputs("From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\n"
	      "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n"
	      "--x\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
	      "From: b@example.com\nSubject: inner\n\ninner body\n--x--\n",
	      f);
	fclose(f);
	assert_int_equal(render_save_attachment(ctx, other, 1, dir, &saved), TRAWL_OK);
	assert_string_equal(saved, talloc_asprintf(ctx, "%s/attachment (1)", dir));
	content = read_all(ctx, saved, &len);
	assert_string_equal(content, "From: b@example.com\nSubject: inner\n\ninner body");
	/*
	 * A name cut to 255 bytes, saved again: the number goes before the
	 * extension and the name stays within 255 bytes (it once kept the
	 * tail of the cut stem too, and the save failed: name too long).
	 */
	memset(longstem, 'n', sizeof(longstem) - 1);
	longstem[sizeof(longstem) - 1] = '\0';
	other = talloc_asprintf(ctx, "%s/long", dir);
	f = fopen(other, "w");
	assert_non_null(f);
	fprintf(f, "From: a@example.com\nSubject: long\nMIME-Version: 1.0\n"
		   "Content-Type: application/octet-stream\n"
		   "Content-Disposition: attachment; filename=\"%s.txt\"\n\nx\n",
		longstem);
	fclose(f);
	for (int k = 0; k < 2; k++) {
		const char *base;

		assert_int_equal(render_save_attachment(ctx, other, 1, dir, &saved), TRAWL_OK);
		base = strrchr(saved, '/') + 1;
		assert_int_equal(strlen(base), 255);
		assert_string_equal(base + 251 - 4 * k, k ? " (1).txt" : ".txt");
	}
	assert_int_equal(render_save_attachment(ctx, path, 9, dir, &saved), TRAWL_NOT_FOUND);
	assert_int_equal(render_save_attachment(ctx, path, 0, dir, &saved), TRAWL_USAGE);
	assert_int_equal(render_save_attachment(ctx, path, 1, "/nonexistent/dir", &saved),
			 TRAWL_IO);
	assert_int_equal(system(talloc_asprintf(ctx, "rm -rf '%s'", dir)), 0);
	talloc_free(ctx);
}

static void
test_uuencode(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "uuencode.eml");

	assert_int_equal(m->n_attachments, 1);
	assert_string_equal(m->attachments[0].filename, "hello.txt");
	assert_int_equal(m->attachments[0].size, strlen("hello world\n"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ HTML */

static void
test_html(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_message *m = load(ctx, "html.eml");
	const struct render_line *l;

	assert_false(m->has_plain);
	assert_true(m->has_html);
	assert_null(find_line(m, -1, "alert"));
	assert_null(find_line(m, -1, "more script"));
	assert_null(find_line(m, -1, "color: red"));
	assert_null(find_line(m, -1, "Secret title"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Caf\xc3\xa9 & news"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "Hello world, visit our offer [1] now."));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "* first item"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "* second link [2]"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "  * nested"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "[image: Company logo][image]"));
	assert_non_null(l = find_line(m, RENDER_LINE_QUOTE, "> quoted text"));
	assert_int_equal(l->quote_level, 1);
	assert_non_null(l = find_line(m, RENDER_LINE_QUOTE, "> > deeper"));
	assert_int_equal(l->quote_level, 2);
	assert_non_null(find_line(m, RENDER_LINE_BODY, "  keep   spaces"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "a b"));
	assert_non_null(find_line(m, RENDER_LINE_BODY, "and <tag> and"));
	assert_non_null(find_line(m, RENDER_LINE_LINK, "[1] http://example.com/offer"));
	assert_non_null(find_line(m, RENDER_LINE_LINK, "[2] https://example.org/x?a=1&b=2"));
	assert_null(find_line(m, RENDER_LINE_LINK, "#top"));
	talloc_free(ctx);
}

static void
test_html_deep(void **state)
{
	void *ctx = talloc_new(NULL);
	struct render_html *h;
	char *buf;
	size_t i, n = 100000, len = 0;
	double t0;

	/* Deep nesting must neither recurse nor make prefixes grow without bound. */
	buf = talloc_size(ctx, n * 24 + 64);
	for (i = 0; i < n; i++) {
		memcpy(buf + len, i % 2 ? "<blockquote>" : "<ul><li>", i % 2 ? 12 : 8);
		len += i % 2 ? 12 : 8;
	}
	memcpy(buf + len, "bottom", 6);
	len += 6;
	t0 = now_s();
	assert_int_equal(render_html_to_text(ctx, buf, len, 1, &h), TRAWL_OK);
	assert_true(now_s() - t0 < 2.0 * fixture_time_factor());
	assert_true(h->len < 1 << 20);
	assert_true(utf8_ok(h->text));
	assert_int_equal(render_html_to_text(ctx, "", 0, 1, &h), TRAWL_OK);
	assert_string_equal(h->text, "");
	assert_int_equal(render_html_to_text(ctx, "<a href='x'>l</a><a href='y'>m</a>", 34, 5, &h),
			 TRAWL_OK);
	/* Nothing separated the links: the markers do not either. */
	assert_string_equal(h->text, "l [5]m [6]");
	assert_int_equal(h->n_links, 2);
	assert_string_equal(h->links[1], "y");
	talloc_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_8bit),
		cmocka_unit_test(test_controls_not_dropped),
		cmocka_unit_test(test_escape_qp),
		cmocka_unit_test(test_escape_base64),
		cmocka_unit_test(test_c1_and_bidi),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_latin1_undeclared),
		cmocka_unit_test(test_cp1252_labelled_latin1),
		cmocka_unit_test(test_iso2022jp),
		cmocka_unit_test(test_headers_8bit),
		cmocka_unit_test(test_meta_charset),
		cmocka_unit_test(test_nul_and_crlf),
		cmocka_unit_test(test_fuzz_same_length_replacement),
		cmocka_unit_test(test_alternative),
		cmocka_unit_test(test_attachments_same_in_every_mode),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_signed_encrypted),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_headers_mode),
		cmocka_unit_test(test_raw_mode),
		cmocka_unit_test(test_not_a_message),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_deep_multipart),
		cmocka_unit_test(test_deep_messages),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_huge_header),
		cmocka_unit_test(test_rfc2231),
		cmocka_unit_test(test_traversal_names),
		cmocka_unit_test(test_safe_filename),
		cmocka_unit_test(test_save_attachment),
		cmocka_unit_test(test_uuencode),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_deep),
		cmocka_unit_test(test_render_job),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
