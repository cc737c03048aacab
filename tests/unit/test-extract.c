/*
 * Unit tests of the extract module: the real documents of
 * tests/corpus/extract (made by make-corpus.py there, see SOURCES), real
 * TNEF streams (winmail*.dat, see SOURCES), a zip bomb made here, hostile
 * text, a type mismatch, and the child process with its limits.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "fixture.h"
#include "trawl/extract.h"

/* ------------------------------------------------------------ helpers */

static char *
slurp(TALLOC_CTX *ctx, const char *name, size_t *n)
{
	char rel[256];
	FILE *f;
	char *buf = talloc_size(ctx, 1 << 20);

	snprintf(rel, sizeof(rel), "tests/corpus/extract/%s", name);
	f = fopen(fixture_srcpath(rel), "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* No control but newline, no raw bidi override or isolate in the text. */
static void
assert_neutral(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_false(*p < 0x20 && *p != '\n');
		assert_false(*p == 0x7F);
		/* U+0080-U+009F are C2 80-C2 9F; U+202A-U+202E and U+2066-U+2069 are E2 80 AA-AE, E2 81 A6-A9. */
		assert_false(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);
		assert_false(p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE);
		assert_false(p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9);
	}
}

static struct extract_result *
extract_file(TALLOC_CTX *ctx, const char *name, const char *declared)
{
	struct extract_result *r;
	size_t n;
	char *buf = slurp(ctx, name, &n);

	assert_int_equal(extract_buffer(ctx, buf, n, declared, NULL, name, &r), TRAWL_OK);
	assert_non_null(r->text);
	assert_int_equal(strlen(r->text), r->len);
	assert_neutral(r->text);
	return r;
}

static void
assert_has(const struct extract_result *r, const char *word)
{
	if (!strstr(r->text, word))
		fail_msg("\"%s\" not in: %s", word, r->text);
}

/* ------------------------------------------------------------ formats */

static void
test_pdf(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "report.pdf", "application/pdf");

	assert_string_equal(r->kind, "pdf");
	assert_null(r->reason);
	assert_has(r, "— page 1 —\nQuarterly report\ncontract number 71450");
	assert_has(r, "— page 2 —\nSecond page mentions Zürich");
	talloc_free(ctx);
}

static void
test_docx(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "letter.docx", NULL);

	assert_string_equal(r->kind, "docx");
	assert_has(r, "Dear board,\n");
	assert_has(r, "the invoice INV-2291");
	assert_has(r, "is overdue.");
	assert_has(r, "Consulting");
	assert_has(r, "12 500 €");
	talloc_free(ctx);
}

static void
test_xlsx(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "budget.xlsx", NULL);

	assert_string_equal(r->kind, "xlsx");
	/* Sheets in workbook order, whatever the order of the relationships. */
	assert_has(r, "— sheet \"Budget\" —\nLine");
	assert_has(r, "Offshore transfer");
	assert_has(r, "981000");
	assert_has(r, "Cayman fee");
	assert_has(r, "TRUE");
	assert_has(r, "— sheet \"Staff\" —\nAlice Martin");
	assert_true(strstr(r->text, "Budget") < strstr(r->text, "Staff"));
	talloc_free(ctx);
}

static void
test_pptx(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "deck.pptx", NULL);

	assert_string_equal(r->kind, "pptx");
	assert_has(r, "— slide 1 —\nProject Nightingale\n— slide 2 —\nSecond slide: the merger\n"
		      "— slide 10 —\nTenth slide");
	talloc_free(ctx);
}

static void
test_odf(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "minutes.odt", NULL);

	assert_string_equal(r->kind, "odt");
	assert_has(r, "Minutes\nPresent:  the auditor");
	assert_has(r, "counsel.\nDecision\napproved");
	r = extract_file(ctx, "ledger.ods", NULL);
	assert_string_equal(r->kind, "ods");
	assert_has(r, "— sheet \"Ledger\" —\nPayee");
	assert_has(r, "Northwind");
	r = extract_file(ctx, "pitch.odp", NULL);
	assert_string_equal(r->kind, "odp");
	assert_has(r, "— slide 1 —\nOpening remarks\n— slide 2 —\nClosing figures");
	talloc_free(ctx);
}

static void
test_text_charset(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "latin1.txt", "text/plain");
	size_t n;
	char *buf;

	assert_string_equal(r->kind, "text");
	assert_has(r, "Café crème, naïve résumé");
	/* A declared charset wins over the guess. */
	buf = slurp(ctx, "latin1.txt", &n);
	assert_int_equal(extract_buffer(ctx, buf, n, "text/plain", "iso-8859-7", NULL, &r), TRAWL_OK);
	assert_null(strstr(r->text, "Café"));
	talloc_free(ctx);
}

static void
test_nested_zip(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "bundle.zip", "application/zip");

	assert_string_equal(r->kind, "zip");
	assert_has(r, "— member \"notes.txt\" —\nplain notes about the shipment");
	assert_has(r, "— member \"inner/letter.docx\" —\nDear board,");
	talloc_free(ctx);
}

static void
test_type_mismatch(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "pixel.png", "application/pdf");

	/* Declared a PDF, the bytes are a PNG: the summary says what they are. */
	assert_string_equal(r->kind, "summary");
	assert_string_equal(r->detected, "image/png");
	assert_has(r, "image/png, 64 x 48 pixels, 106 bytes, SHA-256 ");
	assert_has(r, "PNG image data");
	assert_has(r, "declared application/pdf");
	assert_null(strchr(r->text, '\n'));
	talloc_free(ctx);
}

static void
test_hostile_pdf(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "hostile.pdf", NULL);

	/* The ESC sequences and the override are there, shown, never acting. */
	assert_has(r, "before ^[[31mred^[[0m after");
	assert_has(r, "<U+202E>");
	assert_has(r, "evil");
	talloc_free(ctx);
}

static void
test_damaged(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r;
	size_t n;
	char *buf = slurp(ctx, "report.pdf", &n);

	/* A PDF cut in half: poppler may still read a page, or say why not. */
	assert_int_equal(extract_buffer(ctx, buf, 400, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_string_equal(r->kind, "pdf");
	assert_true(r->reason == NULL || strncmp(r->reason, "damaged PDF: ", 13) == 0);
	buf = slurp(ctx, "letter.docx", &n);
	assert_int_equal(extract_buffer(ctx, buf, n / 2, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_non_null(r->reason);
	assert_non_null(strstr(r->reason, "damaged zip"));
	assert_int_equal(extract_buffer(ctx, "", 0, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_string_equal(r->text, "empty (0 bytes)");
	talloc_free(ctx);
}

/* ------------------------------------------------------------ bombs */

struct membuf {
	char *buf;
	size_t used;
};

/* A DOCX whose word/document.xml is size bytes of zeros, deflated, in memory. */
static struct membuf
zip_of_zeros(TALLOC_CTX *ctx, size_t size, int declare)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = size / 500 + (1 << 20);
	struct membuf m = {talloc_size(ctx, cap), 0};
	char *zeros = talloc_zero_size(ctx, 1 << 20);

	assert_non_null(m.buf);
	assert_non_null(zeros);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, m.buf, cap, &m.used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "word/document.xml");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	if (declare)
		archive_entry_set_size(e, (la_int64_t)size);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	for (size_t done = 0; done < size; done += 1 << 20)
		assert_true(archive_write_data(a, zeros, 1 << 20) == 1 << 20);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
	return m;
}

static void
test_zip_bomb(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r;
	struct membuf m;

	/* 1 GiB of zeros, its size declared: refused before inflating. */
	m = zip_of_zeros(ctx, (size_t)1 << 30, 1);
	assert_int_equal(extract_buffer(ctx, m.buf, m.used, NULL, NULL, "bomb.docx", &r), TRAWL_OK);
	assert_non_null(r->reason);
	assert_non_null(strstr(r->reason, "stopped: zip bomb: word/document.xml"));
	/* 48 MiB of zeros in a 48 KiB zip: the ratio stops it while inflating. */
	m = zip_of_zeros(ctx, (size_t)48 << 20, 0);
	assert_int_equal(extract_buffer(ctx, m.buf, m.used, NULL, NULL, "bomb.docx", &r), TRAWL_OK);
	assert_non_null(r->reason);
	assert_non_null(strstr(r->reason, "stopped: zip bomb: word/document.xml"));
	talloc_free(ctx);
}

static void
test_output_bound(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	size_t n = (size_t)EXTRACT_MAX_TEXT * 2;
	char *big = talloc_size(ctx, n);
	struct extract_result *r;

	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 64 == 63 ? '\n' : 'a' + (char)(i % 26);
	assert_int_equal(extract_buffer(ctx, big, n, "text/plain", NULL, NULL, &r), TRAWL_OK);
	assert_true(r->cut);
	assert_true(r->len <= EXTRACT_MAX_TEXT + 4096 + 100);
	assert_non_null(strstr(r->text, "— cut: more than 4 MiB of text —"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ TNEF */

/* A zip holding one member name of n bytes, in memory (libarchive). */
static struct membuf
zip_of(TALLOC_CTX *ctx, const char *name, const char *data, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = n + (1 << 16);
	struct membuf m = {talloc_size(ctx, cap), 0};

	assert_non_null(m.buf);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, m.buf, cap, &m.used), ARCHIVE_OK);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_true(archive_write_data(a, data, n) == (la_ssize_t)n);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
	return m;
}

static void
test_tnef(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "winmail.dat", "application/ms-tnef"), *c;
	size_t n;
	char *buf;

	assert_string_equal(r->kind, "tnef");
	assert_null(r->reason);
	assert_has(r, "Subject: test_\n");
	/* Only compressed RTF: decompressed by libytnef, then one line for it. */
	assert_has(r, "[RTF body, 443 bytes, not shown]");
	/* Each attachment after a member line, extracted as a zip member would be. */
	assert_has(r, "— member \"zappa_av1.jpg\" —\nimage/jpeg, 100 x 100 pixels, 2937 bytes");
	assert_has(r, "— member \"bookmark.htm\" —\nBookmarks\n");
	assert_has(r, "Astronomy Picture of the Day Archive");
	/* The same text from the child, where libytnef's messages go to /dev/null. */
	buf = slurp(ctx, "winmail.dat", &n);
	assert_int_equal(extract_in_child(ctx, buf, n, NULL, NULL, NULL, &c), TRAWL_OK);
	assert_string_equal(c->kind, "tnef");
	assert_string_equal(c->text, r->text);
	talloc_free(ctx);
}

static void
test_tnef_html_body(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r = extract_file(ctx, "winmail-html.dat", NULL);

	/* MAPI sender and subject; the HTML body in its Internet code page (KOI8-R). */
	assert_string_equal(r->kind, "tnef");
	assert_has(r, "From: RR Tester 1 <rrtest1@xink.io>\nSubject: rr test 7\n\nшостий\n");
	assert_has(r, "{EMAILSIGNATURE}");
	assert_null(strstr(r->text, "<html"));
	talloc_free(ctx);
}

static void
test_tnef_damaged(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r;
	size_t n;
	char *buf = slurp(ctx, "winmail.dat", &n);

	/* Cut inside the second attachment: what came before, and a reason. */
	assert_int_equal(extract_buffer(ctx, buf, 60000, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_string_equal(r->kind, "tnef");
	assert_neutral(r->text);
	assert_non_null(r->reason);
	assert_int_equal(strncmp(r->reason, "damaged TNEF: ", 14), 0);
	assert_has(r, "— member \"zappa_av1.jpg\" —\nimage/jpeg");
	/* Cut at every length up to the first attachment's end: never a crash. */
	for (size_t len = 0; len < 6000; len += 7)
		assert_int_equal(extract_buffer(ctx, buf, len, NULL, NULL, NULL, &r), TRAWL_OK);
	/*
	 * A huge declared length: the stream is the signature (4 bytes), the
	 * key (2), then attributes, each a level byte, a 4-byte id and a
	 * 4-byte little-endian length at offsets 11-14 for the first one
	 * (attTnefVersion, length 4 here).  0x7FFFFFF0 points far past the end.
	 */
	assert_int_equal((unsigned char)buf[11], 4);
	buf[11] = (char)0xF0, buf[12] = (char)0xFF, buf[13] = (char)0xFF, buf[14] = 0x7F;
	assert_int_equal(extract_buffer(ctx, buf, n, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_string_equal(r->kind, "tnef");
	assert_non_null(r->reason);
	assert_int_equal(strncmp(r->reason, "damaged TNEF: ", 14), 0);
	talloc_free(ctx);
}

static void
test_tnef_nested(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r;
	struct membuf once, twice;
	size_t n;
	char *buf = slurp(ctx, "winmail.dat", &n);

	/* winmail.dat in a zip: its attachments are read one level deeper. */
	once = zip_of(ctx, "winmail.dat", buf, n);
	assert_int_equal(extract_buffer(ctx, once.buf, once.used, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_string_equal(r->kind, "zip");
	assert_has(r, "— member \"winmail.dat\" —\nSubject: test_");
	assert_has(r, "— member \"bookmark.htm\" —\nBookmarks");
	/* In a zip in a zip: the stream is read, its parts are past EXTRACT_MAX_DEPTH. */
	twice = zip_of(ctx, "inner.zip", once.buf, once.used);
	assert_int_equal(extract_buffer(ctx, twice.buf, twice.used, NULL, NULL, NULL, &r), TRAWL_OK);
	assert_has(r, "— member \"winmail.dat\" —\nSubject: test_");
	assert_has(r, "— member \"bookmark.htm\" —\n"
		      "[not extracted: containers nested more than 3 deep]");
	assert_null(strstr(r->text, "Bookmarks"));
	talloc_free(ctx);
}

/* ------------------------------------------------------------ the child */

static void
test_child(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *in, *out;
	size_t n;
	char *buf = slurp(ctx, "budget.xlsx", &n);

	assert_int_equal(extract_buffer(ctx, buf, n, NULL, NULL, NULL, &in), TRAWL_OK);
	assert_int_equal(extract_in_child(ctx, buf, n, NULL, NULL, NULL, &out), TRAWL_OK);
	assert_string_equal(in->text, out->text);
	assert_string_equal(out->kind, "xlsx");
	assert_null(out->reason);
	talloc_free(ctx);
}

static void
test_child_cpu_limit(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct extract_result *r;

	/* The test hook spins with a 1 s limit instead of 10 s. */
	setenv("TRAWL_TEST_EXTRACT_SPIN", "1", 1);
	assert_int_equal(extract_in_child(ctx, "x", 1, NULL, NULL, NULL, &r), TRAWL_OK);
	unsetenv("TRAWL_TEST_EXTRACT_SPIN");
	assert_string_equal(r->kind, "failed");
	assert_string_equal(r->reason, "stopped: more than 10 s of CPU");
	talloc_free(ctx);
}

static void
test_child_memory_limit(void **state)
{
	TALLOC_CTX *ctx;
	struct extract_result *r;

	/*
	 * No RLIMIT_AS under AddressSanitizer: nothing to check there.  (cmocka's
	 * skip() prints "not ok # SKIP", which the TAP driver counts as a failure.)
	 */
	if (!extract_memory_limited())
		return;
	ctx = talloc_new(NULL);

	setenv("TRAWL_TEST_EXTRACT_HOG", "1", 1);
	assert_int_equal(extract_in_child(ctx, "x", 1, NULL, NULL, NULL, &r), TRAWL_OK);
	unsetenv("TRAWL_TEST_EXTRACT_HOG");
	assert_string_equal(r->kind, "failed");
	assert_string_equal(r->reason, "stopped: out of memory (more than 1024 MiB)");
	talloc_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_docx),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_pptx),
		cmocka_unit_test(test_odf),
		cmocka_unit_test(test_text_charset),
		cmocka_unit_test(test_nested_zip),
		cmocka_unit_test(test_type_mismatch),
		cmocka_unit_test(test_hostile_pdf),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_tnef),
		cmocka_unit_test(test_tnef_html_body),
		cmocka_unit_test(test_tnef_damaged),
		cmocka_unit_test(test_tnef_nested),
		cmocka_unit_test(test_child),
		cmocka_unit_test(test_child_cpu_limit),
		cmocka_unit_test(test_child_memory_limit),
	};

	/* Placeholders depend on the locale (text.h): the tests expect UTF-8. */
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
