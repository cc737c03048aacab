/*
 * text: untrusted bytes to safe glyphs.  See include/trawl/text.h.
 *
 * One scanner, text_scan(), decodes UTF-8, neutralises controls and
 * attaches combining marks; it hands each finished glyph to a sink.  The
 * public functions differ only in their sink (an array of glyphs, a UTF-8
 * buffer, a column count), so that what is drawn, what is printed and what
 * is measured can never disagree.
 */
#include <langinfo.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "trawl/text.h"

/* What text_utf8_next() yields for an invalid sequence. */
#define TEXT_INVALID UINT32_MAX

#define TEXT_REPLACEMENT 0xFFFD
#define TEXT_DOTTED_CIRCLE 0x25CC
#define TEXT_ELLIPSIS 0x2026

enum text_class {
	TEXT_CLASS_PRINT, /* an ordinary glyph of width 1 or 2 */
	TEXT_CLASS_MARK,  /* zero width: joins the previous glyph */
	TEXT_CLASS_TAB,
	TEXT_CLASS_CARET, /* C0 control or DEL: "^[" */
	TEXT_CLASS_CODE,  /* anything else unsafe or unprintable: "<U+202E>" */
};

/*
 * A sink takes each finished glyph.  It returns 0 to go on, 1 to stop the
 * scan early (nothing more is wanted) and -1 on out-of-memory.
 */
typedef int (*text_sink_fn)(void *arg, const struct text_glyph *g);

struct text_scanner {
	text_sink_fn sink;
	void *arg;
	size_t col;            /* display column after the pending glyph */
	struct text_glyph cur; /* the glyph still open to combining marks */
	bool have_cur;
	bool cur_takes_marks; /* false for placeholders and tab spaces */
	size_t n_marks;
	int status; /* last sink result; nonzero ends the scan */
};

/*
 * Decodes one UTF-8 sequence from s (len >= 1 bytes) into *cp and returns
 * the bytes used.  An invalid sequence gives TEXT_INVALID and uses its
 * maximal subpart (Unicode 15, section 3.9, "U+FFFD Substitution of
 * Maximal Subparts"): the lead byte and every continuation byte that could
 * still have begun a valid sequence, but never the byte that broke it, so
 * each error costs exactly one U+FFFD and resynchronisation is immediate.
 * The second-byte ranges reject overlongs (E0, F0), surrogates (ED) and
 * values over U+10FFFF (F4); C0, C1 and F5-FF can never start a sequence.
 */
static size_t
text_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char b0 = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t c;

	if (b0 < 0x80) {
		*cp = b0;
		return 1;
	}
	if (b0 < 0xC2 || b0 > 0xF4) {
		*cp = TEXT_INVALID;
		return 1;
	}
	if (b0 < 0xE0) {
		need = 1;
		c = b0 & 0x1F;
	} else if (b0 < 0xF0) {
		need = 2;
		c = b0 & 0x0F;
		if (b0 == 0xE0)
			lo = 0xA0;
		else if (b0 == 0xED)
			hi = 0x9F;
	} else {
		need = 3;
		c = b0 & 0x07;
		if (b0 == 0xF0)
			lo = 0x90;
		else if (b0 == 0xF4)
			hi = 0x8F;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = TEXT_INVALID;
			return i;
		}
		c = (c << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = c;
	return i;
}

/* Appends the UTF-8 encoding of a valid scalar value to p; returns the end. */
static char *
text_utf8_put(char *p, uint32_t c)
{
	if (c < 0x80) {
		*p++ = (char)c;
	} else if (c < 0x800) {
		*p++ = (char)(0xC0 | (c >> 6));
		*p++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*p++ = (char)(0xE0 | (c >> 12));
		*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*p++ = (char)(0x80 | (c & 0x3F));
	} else {
		*p++ = (char)(0xF0 | (c >> 18));
		*p++ = (char)(0x80 | ((c >> 12) & 0x3F));
		*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*p++ = (char)(0x80 | (c & 0x3F));
	}
	return p;
}

/* Noncharacters: U+FDD0-U+FDEF and the last two code points of each plane. */
static bool
text_is_noncharacter(uint32_t c)
{
	return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

/*
 * Code points that reorder or break lines on some terminals although
 * wcwidth() may call them zero-width or printable: bidi embeddings,
 * overrides, isolates and marks, and the Unicode line and paragraph
 * separators.  They are listed here rather than trusted to wcwidth()
 * because the answer must not depend on the C library's tables.
 */
static bool
text_is_format_hazard(uint32_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
	       c == 0x200F || c == 0x061C || c == 0x2028 || c == 0x2029;
}

/* Sorts a valid code point; *width is set for TEXT_CLASS_PRINT. */
static enum text_class
text_classify(uint32_t c, int *width)
{
	int w;

	if (c == '\t')
		return TEXT_CLASS_TAB;
	if (c < 0x20 || c == 0x7F)
		return TEXT_CLASS_CARET;
	if (c < 0x7F) {
		/* Printable ASCII: skip wcwidth(), which is most of the cost. */
		*width = 1;
		return TEXT_CLASS_PRINT;
	}
	if (c <= 0x9F || text_is_format_hazard(c) || text_is_noncharacter(c))
		return TEXT_CLASS_CODE;
	/*
	 * wcwidth() is -1 for unassigned code points and, under a locale that
	 * is not UTF-8, for everything beyond ASCII: both become placeholders.
	 */
	w = wcwidth((wchar_t)c);
	if (w == 0)
		return TEXT_CLASS_MARK;
	if (w < 0 || w > 2)
		return TEXT_CLASS_CODE;
	*width = w;
	return TEXT_CLASS_PRINT;
}

/* Hands the pending glyph to the sink. */
static void
text_scan_flush(struct text_scanner *sc)
{
	if (sc->have_cur && sc->status == 0)
		sc->status = sc->sink(sc->arg, &sc->cur);
	sc->have_cur = false;
}

/* Starts a new glyph, finishing the previous one. */
static void
text_scan_glyph(struct text_scanner *sc, uint32_t c, int width, unsigned flags, bool takes_marks)
{
	text_scan_flush(sc);
	memset(&sc->cur, 0, sizeof(sc->cur));
	sc->cur.wc[0] = (wchar_t)c;
	sc->cur.width = (unsigned char)width;
	sc->cur.flags = (unsigned char)flags;
	sc->have_cur = true;
	sc->cur_takes_marks = takes_marks;
	sc->n_marks = 0;
	sc->col += (size_t)width;
}

/* Spells a placeholder out as special glyphs of width 1. */
static void
text_scan_ascii(struct text_scanner *sc, const char *s)
{
	for (; *s; s++)
		text_scan_glyph(sc, (unsigned char)*s, 1, TEXT_GLYPH_SPECIAL, false);
}

/* "<U+202E>"; at least four hex digits, six at most. */
static void
text_scan_code(struct text_scanner *sc, uint32_t c)
{
	static const char hex[] = "0123456789ABCDEF";
	char buf[16];
	char *p = buf;
	int digits = c > 0xFFFFF ? 6 : c > 0xFFFF ? 5 : 4;

	*p++ = '<';
	*p++ = 'U';
	*p++ = '+';
	for (int i = digits - 1; i >= 0; i--)
		*p++ = hex[(c >> (4 * i)) & 0xF];
	*p++ = '>';
	*p = '\0';
	text_scan_ascii(sc, buf);
}

/*
 * Returns c when the locale draws it in one column, else the ASCII
 * fallback, for the few characters this module itself inserts.
 */
static uint32_t
text_own_glyph(uint32_t c, char fallback)
{
	return wcwidth((wchar_t)c) == 1 ? c : (uint32_t)(unsigned char)fallback;
}

/* Adds a zero-width character to the pending glyph, or to a dotted circle. */
static void
text_scan_mark(struct text_scanner *sc, uint32_t c)
{
	if (!sc->have_cur || !sc->cur_takes_marks) {
		/*
		 * A mark with no base would combine with whatever the terminal
		 * drew last, perhaps a border; give it a visible base of its own.
		 */
		text_scan_glyph(sc, text_own_glyph(TEXT_DOTTED_CIRCLE, ' '), 1, TEXT_GLYPH_SPECIAL,
				true);
	}
	/* Capping the marks defeats "zalgo" floods that smear over other lines. */
	if (sc->n_marks >= TEXT_MAX_COMBINING)
		return;
	sc->cur.wc[++sc->n_marks] = (wchar_t)c;
}

/*
 * The scanner all public functions share: decodes len bytes of s and
 * feeds the sink one finished glyph at a time.  Returns the last sink
 * status (0, or 1 if the sink stopped early, or -1 on out-of-memory).
 */
static int
text_scan(const char *s, size_t len, size_t start_col, text_sink_fn sink, void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	struct text_scanner sc = {.sink = sink, .arg = arg, .col = start_col};
	size_t i = 0;

	while (i < len && sc.status == 0) {
		uint32_t c;
		int width = 1;

		i += text_utf8_next(p + i, len - i, &c);
		if (c == TEXT_INVALID) {
			text_scan_glyph(&sc, text_own_glyph(TEXT_REPLACEMENT, '?'), 1,
					TEXT_GLYPH_SPECIAL, false);
			continue;
		}
		switch (text_classify(c, &width)) {
		case TEXT_CLASS_PRINT:
			text_scan_glyph(&sc, c, width, 0, true);
			break;
		case TEXT_CLASS_MARK:
			text_scan_mark(&sc, c);
			break;
		case TEXT_CLASS_TAB: {
			size_t n = TEXT_TABSTOP - sc.col % TEXT_TABSTOP;

			while (n-- > 0)
				text_scan_glyph(&sc, ' ', 1, 0, false);
			break;
		}
		case TEXT_CLASS_CARET: {
			char buf[3] = {'^', c == 0x7F ? '?' : (char)(c + 0x40), '\0'};

			text_scan_ascii(&sc, buf);
			break;
		}
		case TEXT_CLASS_CODE:
			text_scan_code(&sc, c);
			break;
		}
	}
	text_scan_flush(&sc);
	return sc.status;
}

/* ---------------------------------------------------------------- sinks */

/*
 * Fills a glyph array sized by a counting pass; the check only guards
 * against the two passes ever disagreeing.
 */
struct text_run_sink {
	struct text_run *run;
	size_t cap;
};

static int
text_run_sink(void *arg, const struct text_glyph *g)
{
	struct text_run_sink *rs = arg;
	struct text_run *run = rs->run;

	if (run->len == rs->cap)
		return -1;
	run->glyphs[run->len++] = *g;
	run->cols += g->width;
	return 0;
}

static int
text_count_sink(void *arg, const struct text_glyph *g)
{
	(void)g;
	++*(size_t *)arg;
	return 0;
}

/* A growing UTF-8 string, NUL-terminated when finished. */
struct text_buf {
	TALLOC_CTX *ctx;
	char *s;
	size_t len;
	size_t cap;
};

/* The most bytes one glyph can take: a base and its marks, four bytes each. */
#define TEXT_GLYPH_MAX_BYTES ((TEXT_MAX_COMBINING + 1) * 4)

static int
text_buf_put_glyph(struct text_buf *b, const struct text_glyph *g)
{
	char *p;

	if (b->cap - b->len < TEXT_GLYPH_MAX_BYTES + 1) {
		size_t cap = b->cap + b->cap / 2 + TEXT_GLYPH_MAX_BYTES + 64;
		char *s;

		if (cap < b->cap)
			return -1;
		s = talloc_realloc(b->ctx, b->s, char, cap);
		if (!s)
			return -1;
		b->s = s;
		b->cap = cap;
	}
	p = b->s + b->len;
	for (size_t k = 0; k <= TEXT_MAX_COMBINING && g->wc[k]; k++)
		p = text_utf8_put(p, (uint32_t)g->wc[k]);
	b->len = (size_t)(p - b->s);
	return 0;
}

/* Allocates the buffer, guessing one output byte per input byte. */
static bool
text_buf_init(struct text_buf *b, TALLOC_CTX *ctx, size_t len_hint)
{
	b->ctx = ctx;
	b->len = 0;
	b->cap = len_hint + TEXT_GLYPH_MAX_BYTES + 64;
	if (b->cap < len_hint)
		return false;
	b->s = talloc_array(ctx, char, b->cap);
	return b->s != NULL;
}

/* Terminates the string and gives back the unused tail. */
static char *
text_buf_finish(struct text_buf *b)
{
	char *s;

	b->s[b->len] = '\0';
	s = talloc_realloc(b->ctx, b->s, char, b->len + 1);
	return s ? s : b->s;
}

static int
text_buf_sink(void *arg, const struct text_glyph *g)
{
	return text_buf_put_glyph(arg, g);
}

static int
text_width_sink(void *arg, const struct text_glyph *g)
{
	*(size_t *)arg += g->width;
	return 0;
}

struct text_trunc_sink {
	struct text_buf buf;
	size_t width;
	size_t cols;
	size_t keep; /* bytes that leave a column for the ellipsis */
	bool cut;
};

static int
text_trunc_sink(void *arg, const struct text_glyph *g)
{
	struct text_trunc_sink *ts = arg;

	if (ts->cols + g->width > ts->width) {
		/* The rest will not be shown, so do not decode it. */
		ts->cut = true;
		return 1;
	}
	if (text_buf_put_glyph(&ts->buf, g) < 0)
		return -1;
	ts->cols += g->width;
	if (ts->cols < ts->width)
		ts->keep = ts->buf.len;
	return 0;
}

/* ---------------------------------------------------------------- public */

trawl_status_t
text_decode(TALLOC_CTX *ctx, const char *s, size_t len, size_t start_col, struct text_run **out)
{
	struct text_run_sink rs = {0};
	struct text_run *run;

	*out = NULL;
	run = talloc_zero(ctx, struct text_run);
	if (!run)
		return TRAWL_NOMEM;
	/*
	 * Count first, then allocate once: a byte can give from zero to eight
	 * glyphs (a tab), so any guess would mean copies as the array grows,
	 * and a hostile run too big for talloc fails here, before any work.
	 */
	text_scan(s, len, start_col, text_count_sink, &rs.cap);
	rs.run = run;
	run->glyphs = talloc_array(run, struct text_glyph, rs.cap ? rs.cap : 1);
	if (!run->glyphs)
		goto nomem;
	if (text_scan(s, len, start_col, text_run_sink, &rs) < 0)
		goto nomem;
	*out = run;
	return TRAWL_OK;
nomem:
	talloc_free(run);
	return TRAWL_NOMEM;
}

char *
text_sanitize(TALLOC_CTX *ctx, const char *s, size_t len)
{
	struct text_buf b;

	if (!text_buf_init(&b, ctx, len))
		return NULL;
	if (text_scan(s, len, 0, text_buf_sink, &b) < 0) {
		talloc_free(b.s);
		return NULL;
	}
	return text_buf_finish(&b);
}

size_t
text_width(const char *s, size_t len)
{
	size_t cols = 0;

	text_scan(s, len, 0, text_width_sink, &cols);
	return cols;
}

/* Appends one line start to the growing breaks array. */
static bool
text_wrap_push(TALLOC_CTX *ctx, size_t **b, size_t *n, size_t *cap, size_t start)
{
	if (*n == *cap) {
		size_t *nb = talloc_realloc(ctx, *b, size_t, *cap * 2);

		if (!nb)
			return false;
		*b = nb;
		*cap *= 2;
	}
	(*b)[(*n)++] = start;
	return true;
}

static bool
text_glyph_is_space(const struct text_glyph *g)
{
	return g->wc[0] == L' ' && !(g->flags & TEXT_GLYPH_SPECIAL);
}

trawl_status_t
text_wrap(TALLOC_CTX *ctx, const struct text_run *run, size_t width, size_t **breaks,
	  size_t *n_lines)
{
	size_t cap = 16, n = 0;
	size_t start = 0, col = 0;
	/*
	 * after_space is the index just after the last space on the current
	 * line (0: none yet) and space_col the columns up to there.  Nothing
	 * between after_space and the current glyph is a space, so a break
	 * there needs no rescan and the whole wrap is one linear pass.
	 */
	size_t after_space = 0, space_col = 0;
	size_t *b;

	*breaks = NULL;
	*n_lines = 0;
	if (width == 0)
		width = 1;
	b = talloc_array(ctx, size_t, cap);
	if (!b)
		return TRAWL_NOMEM;
	b[n++] = 0;
	for (size_t i = 0; i < run->len; i++) {
		const struct text_glyph *g = &run->glyphs[i];

		if (col + g->width > width && i > start) {
			/*
			 * Break after the last space if that lets this glyph fit;
			 * otherwise break before this glyph.  A glyph alone on a
			 * line (i == start) stays, however wide: progress first.
			 */
			if (after_space > start && col - space_col + g->width <= width) {
				start = after_space;
				col -= space_col;
			} else {
				start = i;
				col = 0;
			}
			if (!text_wrap_push(ctx, &b, &n, &cap, start)) {
				talloc_free(b);
				return TRAWL_NOMEM;
			}
			after_space = 0;
		}
		col += g->width;
		if (text_glyph_is_space(g)) {
			after_space = i + 1;
			space_col = col;
		}
	}
	*breaks = b;
	*n_lines = n;
	return TRAWL_OK;
}

trawl_status_t
text_wrap_lines(TALLOC_CTX *ctx, const char *s, size_t width, char ***lines, size_t *n_lines)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct text_run *run;
	size_t *breaks, nb;
	char **out;

	*lines = NULL;
	*n_lines = 0;
	if (!tmp || text_decode(tmp, s ? s : "", s ? strlen(s) : 0, 0, &run) != TRAWL_OK ||
	    text_wrap(tmp, run, width, &breaks, &nb) != TRAWL_OK ||
	    !(out = talloc_array(ctx, char *, nb ? nb : 1))) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	for (size_t b = 0; b < nb; b++) {
		size_t end = b + 1 < nb ? breaks[b + 1] : run->len;
		char *line = talloc_strdup(out, ""), mb[MB_LEN_MAX + 1];

		for (size_t g = breaks[b]; line && g < end; g++)
			for (int k = 0; k <= TEXT_MAX_COMBINING && run->glyphs[g].wc[k]; k++) {
				mbstate_t ps;
				size_t n;

				memset(&ps, 0, sizeof(ps));
				n = wcrtomb(mb, run->glyphs[g].wc[k], &ps);
				if (n != (size_t)-1)
					line = talloc_strndup_append(line, mb, n);
			}
		if (!line) {
			talloc_free(out);
			talloc_free(tmp);
			return TRAWL_NOMEM;
		}
		out[b] = line;
	}
	talloc_free(tmp);
	*lines = out;
	*n_lines = nb;
	return TRAWL_OK;
}

char *
text_truncate(TALLOC_CTX *ctx, const char *s, size_t width)
{
	struct text_trunc_sink ts = {.width = width};
	size_t len = s ? strlen(s) : 0;
	struct text_glyph mark = {.width = 1, .flags = TEXT_GLYPH_SPECIAL};

	/* Only width columns can be shown, and no glyph takes less than one byte. */
	if (!text_buf_init(&ts.buf, ctx, len < width ? len : width))
		return NULL;
	if (text_scan(s, len, 0, text_trunc_sink, &ts) < 0) {
		talloc_free(ts.buf.s);
		return NULL;
	}
	if (ts.cut && width > 0) {
		ts.buf.len = ts.keep;
		mark.wc[0] = (wchar_t)text_own_glyph(TEXT_ELLIPSIS, '~');
		if (text_buf_put_glyph(&ts.buf, &mark) < 0) {
			talloc_free(ts.buf.s);
			return NULL;
		}
	} else if (ts.cut) {
		ts.buf.len = 0;
	}
	return text_buf_finish(&ts.buf);
}

static bool text_graphics_on = true;

bool
text_graphics(void)
{
	return text_graphics_on;
}

void
text_set_graphics(bool on)
{
	text_graphics_on = on;
}

bool
text_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

void
text_vwarn(const char *fmt, va_list ap)
{
	char *s = talloc_vasprintf(NULL, fmt, ap);
	char *safe = s ? text_sanitize(s, s, strlen(s)) : NULL;

	fprintf(stderr, "trawl: %s\n", safe ? safe : "out of memory");
	talloc_free(s);
}

void
text_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vwarn(fmt, ap);
	va_end(ap);
}
