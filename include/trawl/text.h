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
 * TEXT_MAX_COMBINING per base character (extra marks are dropped).
 *
 * Locale: widths come from the C library, so the process must have set a
 * UTF-8 LC_CTYPE (setlocale(LC_ALL, "") under a UTF-8 environment, or
 * "C.UTF-8").  Under the C locale wcwidth() knows no character beyond
 * ASCII (and under another 8-bit locale none beyond its charset), so each
 * such character is shown as a "<U+XXXX>" placeholder: safe, but ugly.
 * text_locale_is_utf8() lets main() warn.
 *
 * Ownership: every returned object is a talloc child of the ctx passed in.
 * Every function runs in time linear in its input and is reentrant.
 */
#ifndef TRAWL_TEXT_H
#define TRAWL_TEXT_H

#include <stdbool.h>
#include <stdarg.h>
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
 * Returns TRAWL_NOMEM only, with *out set to NULL; talloc refuses any
 * single allocation over 256 MB, so a run of more than about ten million
 * glyphs (a hostile line of several megabytes of tabs or controls) also
 * gives TRAWL_NOMEM.  s may be NULL when len is 0.
 */
trawl_status_t text_decode(TALLOC_CTX *ctx, const char *s, size_t len, size_t start_col,
			   struct text_run **out);

/*
 * Returns s as a neutralised, valid UTF-8 string (placeholders spelled
 * out, tabs kept as spaces, expanded from column 0), for plain output such
 * as `trawl show` or an error message on stderr.  The result holds no
 * byte below 0x20 and no DEL: a newline becomes "^J", so split lines
 * first.  NULL only on out-of-memory.
 */
char *text_sanitize(TALLOC_CTX *ctx, const char *s, size_t len);

/* Prints "trawl: MESSAGE" on stderr, the message through text_sanitize(). */
void text_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void text_vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Display width of s after neutralisation (tabs expanded from column 0). */
size_t text_width(const char *s, size_t len);

/*
 * Splits run into display lines of at most width columns, breaking at
 * spaces when possible.  Always makes progress: a glyph wider than width
 * gets a line of its own.  *breaks receives n_lines start indexes into
 * run->glyphs (breaks[0] == 0); a run of length 0 gives one empty line.
 * Line i is glyphs[breaks[i]] up to breaks[i + 1] (or run->len): no glyph
 * is dropped.  A line that overflows breaks after its last space (which
 * it keeps at its end) if that lets the overflowing glyph fit on the next
 * line, else just before that glyph; so a word that fills a line exactly
 * pushes the following space to the start of the next line, as fold -s
 * does.  Only unflagged U+0020 glyphs (tab spaces included) are break
 * points.  Width 0 is treated as 1.  *breaks is a talloc child of ctx;
 * on TRAWL_NOMEM it is NULL.
 */
trawl_status_t text_wrap(TALLOC_CTX *ctx, const struct text_run *run, size_t width,
			 size_t **breaks, size_t *n_lines);

/*
 * s (NUL-terminated, neutralised or not) decoded and wrapped to width
 * columns as text_wrap() wraps, each line back in the locale's multibyte
 * encoding: *out is a talloc array of *n_out strings, a child of ctx
 * ("" gives one empty line).  For text printed or drawn as lines (trawl
 * show, the attachment pages).  TRAWL_NOMEM on out-of-memory.
 */
trawl_status_t text_wrap_lines(TALLOC_CTX *ctx, const char *s, size_t width, char ***out,
			       size_t *n_out);

/*
 * Shortens s to at most width columns, ending in "…" when cut, for
 * fixed-width columns such as authors in the thread list.  s is a
 * NUL-terminated string (NULL counts as empty); the result is neutralised
 * like text_sanitize() output and never wider than width columns, so
 * width 0 gives "".  Under a locale that is not UTF-8 the mark is "~".
 * NULL only on out-of-memory.
 */
char *text_truncate(TALLOC_CTX *ctx, const char *s, size_t width);

/*
 * True when LC_CTYPE is a UTF-8 locale, which this module needs to show
 * anything beyond ASCII.
 */
bool text_locale_is_utf8(void);

/*
 * Whether charts may draw with Unicode block elements (default true).
 * main() turns it off when the user's own locale is not UTF-8: it then
 * falls back to C.UTF-8 for widths, but the terminal may show ASCII only,
 * and charts (view-timeline.c, trawl stats) draw with ASCII instead.
 */
bool text_graphics(void);
void text_set_graphics(bool on);

#endif
