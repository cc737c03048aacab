/*
 * Unit tests of the text module: one test per neutralisation rule, then
 * wrapping, truncation and a large input.  No fixture database is needed.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixture.h"
#include "trawl/text.h"

#define FFFD "\xef\xbf\xbd"
#define DOTTED_CIRCLE "\xe2\x97\x8c"
#define ELLIPSIS "\xe2\x80\xa6"

static int
setup(void **state)
{
	/* The module needs a UTF-8 LC_CTYPE; the test binary sets its own. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return -1;
	*state = talloc_new(NULL);
	return 0;
}

static int
teardown(void **state)
{
	talloc_free(*state);
	return 0;
}

/* text_sanitize() of a byte string with an explicit length. */
static void
assert_sanitized_n(const char *in, size_t len, const char *want)
{
	char *got = text_sanitize(NULL, in, len);

	assert_non_null(got);
	assert_string_equal(got, want);
	talloc_free(got);
}

#define assert_sanitized(lit, want) assert_sanitized_n(lit, sizeof(lit) - 1, want)

static struct text_run *
decode(void *ctx, const char *s, size_t len, size_t start_col)
{
	struct text_run *run;

	assert_int_equal(text_decode(ctx, s, len, start_col, &run), TRAWL_OK);
	assert_non_null(run);
	return run;
}

/* Every glyph in [from, to) is a special placeholder glyph of width 1. */
static void
assert_special(const struct text_run *run, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		assert_true(run->glyphs[i].flags & TEXT_GLYPH_SPECIAL);
		assert_int_equal(run->glyphs[i].width, 1);
	}
}

/* Encodes one code point as UTF-8 into buf; returns the length. */
static size_t
utf8(char *buf, uint32_t c)
{
	unsigned char *p = (unsigned char *)buf;

	if (c < 0x80) {
		p[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (unsigned char)(0xC0 | (c >> 6));
		p[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (unsigned char)(0xE0 | (c >> 12));
		p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	p[0] = (unsigned char)(0xF0 | (c >> 18));
	p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	p[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

/* ---------------------------------------------------------------- controls */

static void
test_plain_ascii(void **state)
{
	struct text_run *run = decode(*state, "Hi there", 8, 0);

	assert_int_equal(run->len, 8);
	assert_int_equal(run->cols, 8);
	assert_int_equal(run->glyphs[0].wc[0], L'H');
	assert_int_equal(run->glyphs[0].wc[1], L'\0');
	assert_int_equal(run->glyphs[0].flags, 0);
	assert_sanitized("Hi there", "Hi there");
	assert_int_equal(text_width("Hi there", 8), 8);
}

static void
test_escape_sequences(void **state)
{
	/* CSI colour, OSC title set (BEL- and ST-terminated), and a DCS. */
	assert_sanitized("\x1b[31mred\x1b[0m", "^[[31mred^[[0m");
	assert_sanitized("\x1b]0;pwned\x07", "^[]0;pwned^G");
	assert_sanitized("\x1b]52;c;ZXZpbA==\x1b\\", "^[]52;c;ZXZpbA==^[\\");
	assert_sanitized("\x1bP+q544e\x1b\\", "^[P+q544e^[\\");

	struct text_run *run = decode(*state, "\x1b[2J", 4, 0);

	assert_int_equal(run->len, 5);
	assert_int_equal(run->cols, 5);
	assert_special(run, 0, 2);
	assert_int_equal(run->glyphs[0].wc[0], L'^');
	assert_int_equal(run->glyphs[1].wc[0], L'[');
	/* The parameters after the placeholder are plain text again. */
	assert_int_equal(run->glyphs[2].flags, 0);
}

static void
test_each_c0_control(void **state)
{
	for (unsigned c = 0; c < 0x20; c++) {
		char in[1] = {(char)c};
		char want[3] = {'^', (char)(c + 0x40), '\0'};
		struct text_run *run;

		if (c == '\t')
			continue;
		assert_sanitized_n(in, 1, want);
		run = decode(*state, in, 1, 0);
		assert_int_equal(run->len, 2);
		assert_int_equal(run->cols, 2);
		assert_special(run, 0, 2);
	}
}

static void
test_nul_bytes(void **state)
{
	struct text_run *run = decode(*state, "a\0b\0", 4, 0);

	assert_sanitized_n("a\0b\0", 4, "a^@b^@");
	assert_int_equal(run->len, 6);
	assert_int_equal(run->glyphs[2].wc[0], L'@');
	assert_int_equal(text_width("\0", 1), 2);
}

static void
test_cursor_movers(void **state)
{
	/* CR, BS, FF, VT and LF must never move the cursor. */
	assert_sanitized("a\rb\bc\fd\ve\nf", "a^Mb^Hc^Ld^Ke^Jf");
	assert_int_equal(text_width("a\rb", 3), 4);
	(void)state;
}

static void
test_del(void **state)
{
	struct text_run *run = decode(*state, "x\x7f", 2, 0);

	assert_sanitized("\x7f", "^?");
	assert_int_equal(run->len, 3);
	assert_special(run, 1, 3);
}

static void
test_c1_controls_encoded(void **state)
{
	for (uint32_t c = 0x80; c <= 0x9F; c++) {
		char in[4], want[16];
		size_t n = utf8(in, c);

		snprintf(want, sizeof(want), "<U+%04X>", (unsigned)c);
		assert_sanitized_n(in, n, want);
	}

	/* U+009B is the 8-bit CSI: "\u009b31m" must not turn text red. */
	struct text_run *run = decode(*state, "\xc2\x9b" "31m", 5, 0);

	assert_int_equal(run->len, 11);
	assert_special(run, 0, 8);
	assert_int_equal(run->glyphs[8].flags, 0);
}

static void
test_c1_raw_byte(void **state)
{
	/* A bare 0x9B byte is not UTF-8: it becomes one replacement glyph. */
	struct text_run *run = decode(*state, "\x9b" "31m", 4, 0);

	assert_sanitized("\x9b" "31m", FFFD "31m");
	assert_int_equal(run->len, 4);
	assert_int_equal(run->glyphs[0].wc[0], 0xFFFD);
	assert_special(run, 0, 1);
	assert_sanitized("\x85\x90\x9d", FFFD FFFD FFFD);
}

static void
test_bidi_controls(void **state)
{
	static const uint32_t bidi[] = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,
					0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C};

	for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		char in[4], want[16];
		size_t n = utf8(in, bidi[i]);
		struct text_run *run = decode(*state, in, n, 0);

		snprintf(want, sizeof(want), "<U+%04X>", (unsigned)bidi[i]);
		assert_sanitized_n(in, n, want);
		assert_int_equal(run->len, 8);
		assert_special(run, 0, 8);
	}
	/* The classic "invoice.exe" disguise stays readable in logical order. */
	assert_sanitized("invoice\xe2\x80\xaegpj.exe", "invoice<U+202E>gpj.exe");
}

static void
test_line_separators(void **state)
{
	assert_sanitized("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a<U+2028>b<U+2029>");
	(void)state;
}

static void
test_noncharacters_and_unassigned(void **state)
{
	assert_sanitized("\xef\xbf\xbe", "<U+FFFE>");
	assert_sanitized("\xef\xbf\xbf", "<U+FFFF>");
	assert_sanitized("\xef\xb7\x90", "<U+FDD0>");
	assert_sanitized("\xf0\x9f\xbf\xbe", "<U+1FFFE>");
	assert_sanitized("\xf4\x8f\xbf\xbf", "<U+10FFFF>");
	/* U+0378 is unassigned: wcwidth() says -1. */
	assert_sanitized("\xcd\xb8", "<U+0378>");
	/* Private use is printable. */
	assert_int_equal(text_width("\xee\x80\x80", 3), 1);
	(void)state;
}

/* ---------------------------------------------------------------- UTF-8 */

static void
test_invalid_overlong(void **state)
{
	assert_sanitized("\xc0\xaf", FFFD FFFD);
	assert_sanitized("\xc1\xbf", FFFD FFFD);
	assert_sanitized("\xe0\x80\xaf", FFFD FFFD FFFD);
	assert_sanitized("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	/* The shortest forms next to the boundaries are fine. */
	assert_sanitized("\xc2\xa0\xe0\xa0\x80\xf0\x90\x80\x80",
			 "\xc2\xa0\xe0\xa0\x80\xf0\x90\x80\x80");
	(void)state;
}

static void
test_invalid_surrogates(void **state)
{
	assert_sanitized("\xed\xa0\x80", FFFD FFFD FFFD);
	assert_sanitized("\xed\xbf\xbf", FFFD FFFD FFFD);
	/* CESU-8 pairs: two surrogates, six bytes, six errors. */
	assert_sanitized("\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD);
	assert_sanitized("\xed\x9f\xbf", "<U+D7FF>");
	(void)state;
}

static void
test_invalid_too_big(void **state)
{
	assert_sanitized("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	assert_sanitized("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	assert_sanitized("\xff", FFFD);
	assert_sanitized("\xfe\xff", FFFD FFFD);
	(void)state;
}

static void
test_invalid_truncated(void **state)
{
	/* Maximal subparts: one U+FFFD per truncated sequence. */
	assert_sanitized("a\xe2\x82", "a" FFFD);
	assert_sanitized("\xf0\x9f\x98", FFFD);
	assert_sanitized("\xe2\x82" "a", FFFD "a");
	assert_sanitized("\xc3", FFFD);
	assert_sanitized("\x80\xbf", FFFD FFFD);
	/* The example of Unicode 15, table 3-8. */
	assert_sanitized("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
			 "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
	(void)state;
}

static void
test_never_reads_past_len(void **state)
{
	/* Heap buffers of the exact size, so ASan sees any overread. */
	static const char *const tails[] = {"\xf0", "\xf0\x9f", "\xf0\x9f\x98", "\xe2", "\xc3"};

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t n = strlen(tails[i]);
		char *buf = malloc(n);
		struct text_run *run;

		assert_non_null(buf);
		memcpy(buf, tails[i], n);
		run = decode(*state, buf, n, 0);
		assert_int_equal(run->len, 1);
		assert_int_equal(run->glyphs[0].wc[0], 0xFFFD);
		free(buf);
	}
	/* A prefix of a valid sequence, cut by len rather than by the data. */
	assert_sanitized_n("\xe6\x97\xa5", 2, FFFD);
}

static void
test_empty_input(void **state)
{
	struct text_run *run = decode(*state, NULL, 0, 5);

	assert_int_equal(run->len, 0);
	assert_int_equal(run->cols, 0);
	assert_sanitized_n(NULL, 0, "");
	assert_int_equal(text_width(NULL, 0), 0);
}

/* ---------------------------------------------------------------- tabs */

static void
test_tab_expansion(void **state)
{
	static const struct {
		const char *in;
		size_t start_col;
		size_t end_col;
	} cases[] = {
		{"\t", 0, 8},     {"\t", 3, 8},      {"\t", 7, 8},    {"\t", 8, 16},
		{"ab\t", 0, 8},   {"ab\tc", 6, 17},  {"\t\t", 1, 16}, {"abcdefgh\t", 0, 16},
		{"\xe6\x97\xa5\t", 0, 8}, /* a wide glyph counts two columns */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct text_run *run =
			decode(*state, cases[i].in, strlen(cases[i].in), cases[i].start_col);

		assert_int_equal(cases[i].start_col + run->cols, cases[i].end_col);
	}

	struct text_run *run = decode(*state, "a\tb", 3, 2);

	/* Tab spaces are plain spaces, not placeholders. */
	assert_int_equal(run->len, 7);
	for (size_t i = 1; i < 6; i++) {
		assert_int_equal(run->glyphs[i].wc[0], L' ');
		assert_int_equal(run->glyphs[i].flags, 0);
	}
	assert_sanitized("a\tb", "a       b");
	assert_int_equal(text_width("a\tb", 3), 9);
}

/* ---------------------------------------------------------------- widths */

static void
test_cjk_width(void **state)
{
	struct text_run *run = decode(*state, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 0);

	assert_int_equal(run->len, 3);
	assert_int_equal(run->cols, 6);
	assert_int_equal(run->glyphs[1].wc[0], 0x672C);
	assert_int_equal(run->glyphs[1].width, 2);
	/* Fullwidth space and Hangul too. */
	assert_int_equal(text_width("\xe3\x80\x80\xed\x95\x9c", 6), 4);
}

static void
test_emoji(void **state)
{
	struct text_run *run = decode(*state, "\xf0\x9f\x98\x80", 4, 0);

	assert_int_equal(run->len, 1);
	assert_int_equal(run->cols, 2);
	assert_int_equal(run->glyphs[0].wc[0], 0x1F600);

	/* Heart + VS16: the variation selector joins the heart. */
	run = decode(*state, "\xe2\x9d\xa4\xef\xb8\x8f", 6, 0);
	assert_int_equal(run->len, 1);
	assert_int_equal(run->glyphs[0].wc[0], 0x2764);
	assert_int_equal(run->glyphs[0].wc[1], 0xFE0F);

	/* Man ZWJ woman: the joiner rides on the first emoji. */
	run = decode(*state, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 11, 0);
	assert_int_equal(run->len, 2);
	assert_int_equal(run->glyphs[0].wc[1], 0x200D);
}

static void
test_combining_mark(void **state)
{
	struct text_run *run = decode(*state, "e\xcc\x81x", 4, 0);

	assert_int_equal(run->len, 2);
	assert_int_equal(run->cols, 2);
	assert_int_equal(run->glyphs[0].wc[0], L'e');
	assert_int_equal(run->glyphs[0].wc[1], 0x0301);
	assert_int_equal(run->glyphs[0].wc[2], L'\0');
	assert_int_equal(run->glyphs[0].flags, 0);
	assert_sanitized("e\xcc\x81", "e\xcc\x81");
}

static void
test_combining_flood_capped(void **state)
{
	size_t n = 1 + 2 * 10000;
	char *in = talloc_size(*state, n);
	struct text_run *run;
	char want[1 + 2 * TEXT_MAX_COMBINING + 1];

	in[0] = 'Z';
	for (size_t i = 1; i < n; i += 2)
		memcpy(in + i, "\xcd\x8a", 2);
	run = decode(*state, in, n, 0);
	assert_int_equal(run->len, 1);
	assert_int_equal(run->cols, 1);
	for (size_t k = 1; k <= TEXT_MAX_COMBINING; k++)
		assert_int_equal(run->glyphs[0].wc[k], 0x034A);

	want[0] = 'Z';
	for (size_t k = 0; k < TEXT_MAX_COMBINING; k++)
		memcpy(want + 1 + 2 * k, "\xcd\x8a", 2);
	want[sizeof(want) - 1] = '\0';
	assert_sanitized_n(in, n, want);
}

static void
test_orphan_combining_mark(void **state)
{
	struct text_run *run = decode(*state, "\xcc\x81x", 3, 0);

	assert_int_equal(run->len, 2);
	assert_int_equal(run->glyphs[0].wc[0], 0x25CC);
	assert_int_equal(run->glyphs[0].wc[1], 0x0301);
	assert_special(run, 0, 1);
	assert_sanitized("\xcc\x81", DOTTED_CIRCLE "\xcc\x81");

	/* Marks never ride on a placeholder or a tab space either. */
	assert_sanitized("\x1b\xcc\x81", "^[" DOTTED_CIRCLE "\xcc\x81");
	assert_sanitized("\t\xcc\x81", "        " DOTTED_CIRCLE "\xcc\x81");
	assert_sanitized("\xff\xcc\x81", FFFD DOTTED_CIRCLE "\xcc\x81");
}

/* ---------------------------------------------------------------- wrap */

static void
assert_breaks(void *ctx, const char *s, size_t width, const size_t *want, size_t n_want)
{
	struct text_run *run = decode(ctx, s, strlen(s), 0);
	size_t *breaks, n;

	assert_int_equal(text_wrap(ctx, run, width, &breaks, &n), TRAWL_OK);
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(breaks[i], want[i]);
}

static void
test_wrap_at_spaces(void **state)
{
	assert_breaks(*state, "hello world foo", 11, (size_t[]){0, 6}, 2);
	assert_breaks(*state, "hello world foo", 15, (size_t[]){0}, 1);
	assert_breaks(*state, "aa bb cc dd", 6, (size_t[]){0, 6}, 2);
	assert_breaks(*state, "aa bb cc dd", 5, (size_t[]){0, 3, 6}, 3);
	/* A word filling the line exactly: the space leads the next, as in fold -s. */
	assert_breaks(*state, "hello world", 5, (size_t[]){0, 5, 6}, 3);
}

static void
test_wrap_long_word(void **state)
{
	assert_breaks(*state, "abcdefghij", 4, (size_t[]){0, 4, 8}, 3);
	assert_breaks(*state, "ab cdefghijkl", 5, (size_t[]){0, 3, 8}, 3);
}

static void
test_wrap_wide_glyph_narrow_width(void **state)
{
	const char *s = "\xe6\x97\xa5\xe6\x9c\xac" "a";

	/* Each wide glyph gets a line of its own; width 0 acts as 1. */
	assert_breaks(*state, s, 1, (size_t[]){0, 1, 2}, 3);
	assert_breaks(*state, s, 0, (size_t[]){0, 1, 2}, 3);
	assert_breaks(*state, s, 3, (size_t[]){0, 1}, 2);
	/* Breaking at the space would not let the wide glyph fit. */
	assert_breaks(*state, " abc\xe6\x97\xa5", 4, (size_t[]){0, 4}, 2);
}

static void
test_wrap_empty_run(void **state)
{
	struct text_run *run = decode(*state, "", 0, 0);
	size_t *breaks, n;

	assert_int_equal(text_wrap(*state, run, 10, &breaks, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(breaks[0], 0);
}

static void
test_wrap_placeholders_not_spaces(void **state)
{
	/* Placeholder glyphs are never break points, tab spaces are. */
	assert_breaks(*state, "ab\x1b" "cd", 4, (size_t[]){0, 4}, 2);
	assert_breaks(*state, "ab\tcd", 9, (size_t[]){0, 8}, 2);
}

/* ---------------------------------------------------------------- truncate */

static void
assert_truncated(const char *s, size_t width, const char *want)
{
	char *got = text_truncate(NULL, s, width);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_true(text_width(got, strlen(got)) <= width);
	talloc_free(got);
}

static void
test_truncate(void **state)
{
	assert_truncated("hello world", 11, "hello world");
	assert_truncated("hello world", 20, "hello world");
	assert_truncated("hello world", 5, "hell" ELLIPSIS);
	assert_truncated("hello world", 1, ELLIPSIS);
	assert_truncated("hello world", 0, "");
	assert_truncated("", 0, "");
	assert_truncated(NULL, 3, "");
	assert_truncated("\x1b[1mbold", 3, "^[" ELLIPSIS);
	assert_truncated("e\xcc\x81t\xc3\xa9", 2, "e\xcc\x81" ELLIPSIS);
	(void)state;
}

static void
test_truncate_wide(void **state)
{
	const char *s = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";

	assert_truncated(s, 6, s);
	assert_truncated(s, 5, "\xe6\x97\xa5\xe6\x9c\xac" ELLIPSIS);
	assert_truncated(s, 4, "\xe6\x97\xa5" ELLIPSIS);
	assert_truncated(s, 3, "\xe6\x97\xa5" ELLIPSIS);
	assert_truncated(s, 2, ELLIPSIS);
	assert_truncated(s, 1, ELLIPSIS);
	(void)state;
}

/* ---------------------------------------------------------------- locale */

static void
test_non_utf8_locale(void **state)
{
	struct text_run *run;

	assert_true(text_locale_is_utf8());
	assert_non_null(setlocale(LC_ALL, "C"));
	assert_false(text_locale_is_utf8());

	/* Without a UTF-8 locale everything beyond ASCII is a placeholder. */
	assert_sanitized("caf\xc3\xa9", "caf<U+00E9>");
	assert_sanitized("\xff" "a", "?a");
	assert_sanitized("\xe6\x97\xa5", "<U+65E5>");
	run = decode(*state, "\xcc\x81", 2, 0);
	assert_int_equal(run->len, 8);
	assert_truncated("hello world", 5, "hell~");

	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
}

/* ---------------------------------------------------------------- size */

/*
 * The time budget for one pass over 5 MB.  Sanitizers slow code down
 * several times over, and a loaded CI machine more, so they get more.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TIME_BUDGET 5.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIME_BUDGET 5.0
#endif
#endif
#ifndef TIME_BUDGET
#define TIME_BUDGET 1.0
#endif

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Linear time on a 5 MB line, measured in this process's CPU time: the
 * wall clock of a loaded machine (CI on two cores) says nothing about the
 * code, and a quadratic step would still take minutes of CPU.
 */
static void
test_five_megabyte_line(void **state)
{
	static const char pattern[] = "Lorem ipsum \xe6\x97\xa5\xe6\x9c\xac e\xcc\x81 \x1b[0m\t";
	size_t n = 5 * 1024 * 1024;
	char *in = talloc_size(*state, n);
	struct text_run *run;
	struct timespec t0;
	size_t *breaks, n_lines;
	char *out;

	for (size_t i = 0; i < n; i++)
		in[i] = pattern[i % (sizeof(pattern) - 1)];

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	run = decode(*state, in, n, 0);
	assert_true(seconds_since(&t0) < TIME_BUDGET * fixture_time_factor());
	assert_int_equal(text_width(in, n), run->cols);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	assert_int_equal(text_wrap(*state, run, 80, &breaks, &n_lines), TRAWL_OK);
	assert_true(seconds_since(&t0) < TIME_BUDGET * fixture_time_factor());
	assert_true(n_lines >= run->cols / 80);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	out = text_sanitize(*state, in, n);
	assert_non_null(out);
	assert_true(seconds_since(&t0) < TIME_BUDGET * fixture_time_factor());

	/* Truncation stops decoding once the width is used up. */
	in[n - 1] = '\0';
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	out = text_truncate(*state, in, 20);
	assert_true(seconds_since(&t0) < TIME_BUDGET / 100 * fixture_time_factor());
	assert_string_equal(out, "Lorem ipsum \xe6\x97\xa5\xe6\x9c\xac e\xcc\x81 " ELLIPSIS);
}

/* Wrapped lines in the locale's encoding, neutralised, none lost (trawl show, attachment pages). */
static void
test_wrap_lines(void **state)
{
	static const char in[] = "\xc3\xa9t\xc3\xa9 chaud \x1b[2J fin";
	char **lines, *all = talloc_strdup(*state, "");
	size_t n;

	assert_int_equal(text_wrap_lines(*state, in, 8, &lines, &n), TRAWL_OK);
	assert_true(n >= 3);
	assert_string_equal(lines[0], "\xc3\xa9t\xc3\xa9 ");
	assert_string_equal(lines[n - 1], "fin");
	for (size_t i = 0; i < n; i++) {
		assert_null(strchr(lines[i], '\x1b'));
		assert_true(text_width(lines[i], strlen(lines[i])) <= 8);
		all = talloc_strdup_append(all, lines[i]);
	}
	/* No glyph lost: the lines are the neutralised text. */
	assert_string_equal(all, text_sanitize(*state, in, strlen(in)));
	assert_int_equal(text_wrap_lines(*state, "", 80, &lines, &n), TRAWL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "");
}

static void
test_tab_flood_fails_cleanly(void **state)
{
	/*
	 * 2 MB of tabs is 16 million glyphs, more than talloc will allocate
	 * at once: decoding must fail with TRAWL_NOMEM, not crash, while the
	 * streaming functions still cope.
	 */
	size_t n = 2 * 1024 * 1024;
	char *in = talloc_size(*state, n);
	struct text_run *run = (struct text_run *)in;

	memset(in, '\t', n);
	assert_int_equal(text_decode(*state, in, n, 0, &run), TRAWL_NOMEM);
	assert_null(run);
	assert_int_equal(text_width(in, n), 8 * n);
	assert_non_null(text_sanitize(*state, in, n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_each_c0_control),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_cursor_movers),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_c1_controls_encoded),
		cmocka_unit_test(test_c1_raw_byte),
		cmocka_unit_test(test_bidi_controls),
		cmocka_unit_test(test_line_separators),
		cmocka_unit_test(test_noncharacters_and_unassigned),
		cmocka_unit_test(test_invalid_overlong),
		cmocka_unit_test(test_invalid_surrogates),
		cmocka_unit_test(test_invalid_too_big),
		cmocka_unit_test(test_invalid_truncated),
		cmocka_unit_test(test_never_reads_past_len),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_tab_expansion),
		cmocka_unit_test(test_cjk_width),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_combining_mark),
		cmocka_unit_test(test_combining_flood_capped),
		cmocka_unit_test(test_orphan_combining_mark),
		cmocka_unit_test(test_wrap_at_spaces),
		cmocka_unit_test(test_wrap_long_word),
		cmocka_unit_test(test_wrap_wide_glyph_narrow_width),
		cmocka_unit_test(test_wrap_empty_run),
		cmocka_unit_test(test_wrap_placeholders_not_spaces),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_truncate_wide),
		cmocka_unit_test(test_non_utf8_locale),
		cmocka_unit_test(test_five_megabyte_line),
		cmocka_unit_test(test_tab_flood_fails_cleanly),
		cmocka_unit_test(test_wrap_lines),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
