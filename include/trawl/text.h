/*
 * text: turns untrusted bytes into glyphs that are safe to draw.
 *
 * Every string that reaches the terminal passes through here.  Input is
 * decoded as UTF-8 (invalid sequences become U+FFFD); anything that could
 * act on a terminal (ESC and other C0 controls, DEL, C1 controls including
 * U+009B, bidi overrides and isolates U+202A-U+202E, U+2066-U+2069) becomes
 * a visible placeholder such as "^[" or "<U+202E>" whose glyphs carry
 * TEXT_GLYPH_SPECIAL so views can colour them.  Tabs expand to spaces;
 * CR, BS, FF and VT never move the cursor.  Widths come from wcwidth();
 * combining marks attach to the preceding glyph, at most
 * TEXT_MAX_COMBINING per base character.
 *
 * Ownership: every returned object is a talloc child of the ctx passed in.
 */
#ifndef TRAWL_TEXT_H
#define TRAWL_TEXT_H

#include <stddef.h>
#include <wchar.h>
#include <talloc.h>

#include "trawl/status.h"

#define TEXT_MAX_COMBINING 4
#define TEXT_TABSTOP 8

enum {
	TEXT_GLYPH_SPECIAL = 1 << 0, /* part of a neutralised placeholder */
};

struct text_glyph {
	/* Base character then combining marks; unused slots are L'\0'. */
	wchar_t wc[TEXT_MAX_COMBINING + 1];
	unsigned char width; /* 1 or 2 display columns */
	unsigned char flags; /* TEXT_GLYPH_* */
};

struct text_run {
	struct text_glyph *glyphs;
	size_t len;  /* number of glyphs */
	size_t cols; /* total display width */
};

/*
 * Decodes len bytes of s into one run of glyphs.  A newline in the input
 * is neutralised like any other control (callers split lines first).
 * start_col is the display column the run starts at, for tab expansion.
 * Returns TRAWL_NOMEM only.
 */
trawl_status_t text_decode(TALLOC_CTX *ctx, const char *s, size_t len, size_t start_col,
			   struct text_run **out);

/*
 * Returns s as a neutralised, valid UTF-8 string (placeholders spelled
 * out, tabs kept as spaces), for plain output such as `trawl show` or an
 * error message on stderr.  NULL only on out-of-memory.
 */
char *text_sanitize(TALLOC_CTX *ctx, const char *s, size_t len);

/* Display width of s after neutralisation. */
size_t text_width(const char *s, size_t len);

/*
 * Splits run into display lines of at most width columns, breaking at
 * spaces when possible.  Always makes progress: a glyph wider than width
 * gets a line of its own.  *breaks receives n_lines start indexes into
 * run->glyphs (breaks[0] == 0); a run of length 0 gives one empty line.
 */
trawl_status_t text_wrap(TALLOC_CTX *ctx, const struct text_run *run, size_t width,
			 size_t **breaks, size_t *n_lines);

/*
 * Shortens s to at most width columns, ending in "…" when cut, for
 * fixed-width columns such as authors in the thread list.
 */
char *text_truncate(TALLOC_CTX *ctx, const char *s, size_t width);

#endif
