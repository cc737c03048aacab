/*
 * libFuzzer target for the text module.  It checks what the rest of
 * trawl relies on, not merely that nothing crashes: sanitized output is
 * valid UTF-8 with no control, C1 or bidi code point; glyphs hold only safe
 * code points and their widths add up; text_sanitize() is idempotent and
 * agrees with text_decode() and text_width(); wrapped lines fit; truncated
 * strings fit and are a prefix of the sanitized text.
 *
 * Input: byte 0 picks the locale (bit 7) and the width (bits 0-6); byte 1
 * is the start column; the rest is the text.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
static locale_t fuzz_utf8_locale;
static locale_t fuzz_c_locale;

/*
 * Checks s[0..len) is strict UTF-8 holding no forbidden code point.  This
 * decoder is written differently from the module's on purpose: it computes
 * the value first and judges it afterwards.
 */
static void
fuzz_check_utf8(const unsigned char *s, size_t len)
{
	static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n = 0;
		uint32_t c;

		if (b < 0x80)
			n = 1;
		else if ((b & 0xE0) == 0xC0)
			n = 2;
		else if ((b & 0xF0) == 0xE0)
			n = 3;
		else if ((b & 0xF8) == 0xF0)
			n = 4;
		fuzz_check(n != 0 && i + n <= len);
		c = n == 1 ? b : (uint32_t)(b & (0x7F >> n));
		for (size_t k = 1; k < n; k++) {
			fuzz_check((s[i + k] & 0xC0) == 0x80);
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		fuzz_check(c >= min_for_len[n]);
		fuzz_check(!fuzz_forbidden(c));
		i += n;
	}
}

static void
fuzz_check_run(const struct text_run *run)
{
	size_t cols = 0;

	for (size_t i = 0; i < run->len; i++) {
		const struct text_glyph *g = &run->glyphs[i];
		int ended = 0;

		fuzz_check(g->width == 1 || g->width == 2);
		fuzz_check(g->wc[0] != 0);
		for (size_t k = 0; k <= TEXT_MAX_COMBINING; k++) {
			if (g->wc[k] == 0) {
				ended = 1;
				continue;
			}
			/* No hole before a mark, and every value is safe. */
			fuzz_check(!ended);
			fuzz_check(!fuzz_forbidden((uint32_t)g->wc[k]));
		}
		/* A mark never starts a glyph, and a base is never zero-width. */
		fuzz_check(wcwidth(g->wc[0]) >= 1 || (g->flags & TEXT_GLYPH_SPECIAL));
		cols += g->width;
	}
	fuzz_check(cols == run->cols);
}

static void
fuzz_check_wrap(void *ctx, const struct text_run *run, size_t width)
{
	size_t *breaks, n;
	size_t limit = width ? width : 1;

	fuzz_check(text_wrap(ctx, run, width, &breaks, &n) == TRAWL_OK);
	fuzz_check(n >= 1 && breaks[0] == 0);
	for (size_t l = 0; l < n; l++) {
		size_t end = l + 1 < n ? breaks[l + 1] : run->len;
		size_t cols = 0;

		/* Lines are non-empty (but for an empty run) and in order. */
		fuzz_check(breaks[l] < end || (run->len == 0 && n == 1));
		for (size_t i = breaks[l]; i < end; i++)
			cols += run->glyphs[i].width;
		fuzz_check(cols <= limit || end - breaks[l] == 1);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_utf8_locale = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	fuzz_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!fuzz_utf8_locale || !fuzz_c_locale)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_new(NULL);
	size_t width = size > 0 ? data[0] & 0x7F : 80;
	size_t start_col = size > 1 ? data[1] : 0;
	const char *s = size > 2 ? (const char *)data + 2 : "";
	size_t len = size > 2 ? size - 2 : 0;
	struct text_run *run, *run0;
	char *clean, *again, *nul_str, *cut;
	size_t clean_len, cut_len, prefix_len;

	uselocale(size > 0 && (data[0] & 0x80) ? fuzz_c_locale : fuzz_utf8_locale);

	fuzz_check(text_decode(ctx, s, len, start_col, &run) == TRAWL_OK);
	fuzz_check_run(run);
	fuzz_check_wrap(ctx, run, width);

	/* Sanitized text: safe, consistent with the glyphs, and a fixed point. */
	clean = text_sanitize(ctx, s, len);
	fuzz_check(clean != NULL);
	clean_len = strlen(clean);
	fuzz_check(clean_len + 1 == talloc_get_size(clean));
	fuzz_check_utf8((const unsigned char *)clean, clean_len);
	fuzz_check(text_decode(ctx, s, len, 0, &run0) == TRAWL_OK);
	fuzz_check(text_width(s, len) == run0->cols);
	fuzz_check(text_width(clean, clean_len) == run0->cols);
	again = text_sanitize(ctx, clean, clean_len);
	fuzz_check(again != NULL && strcmp(again, clean) == 0);

	/* Truncation of the text up to its first NUL, as a C string. */
	nul_str = talloc_strndup(ctx, s, len);
	fuzz_check(nul_str != NULL);
	cut = text_truncate(ctx, nul_str, width);
	fuzz_check(cut != NULL);
	cut_len = strlen(cut);
	fuzz_check_utf8((const unsigned char *)cut, cut_len);
	fuzz_check(text_width(cut, cut_len) <= width);
	clean = text_sanitize(ctx, nul_str, strlen(nul_str));
	fuzz_check(clean != NULL);
	if (text_width(nul_str, strlen(nul_str)) <= width) {
		fuzz_check(strcmp(cut, clean) == 0);
	} else {
		/* Cut: a prefix of the sanitized text, then the mark if it fits. */
		const char *mark = text_locale_is_utf8() ? "\xe2\x80\xa6" : "~";

		prefix_len = width > 0 ? cut_len - strlen(mark) : 0;
		fuzz_check(width == 0 ? cut_len == 0 : strcmp(cut + prefix_len, mark) == 0);
		fuzz_check(strncmp(cut, clean, prefix_len) == 0);
		fuzz_check(text_width(cut, cut_len) + 2 > width);
	}

	uselocale(LC_GLOBAL_LOCALE);
	talloc_free(ctx);
	return 0;
}
