/*
 * screen: an in-memory grid of cells that views draw into.
 *
 * Only the ui-curses module copies a screen to the terminal, so views and
 * their tests never need a terminal: tests dump a screen as text and
 * compare it with golden files.  Text is drawn through the text module,
 * so nothing drawn here can contain a control character.
 *
 * Ownership: a screen is a talloc object; its cells are its children.
 */
#ifndef TRAWL_SCREEN_H
#define TRAWL_SCREEN_H

#include <stdio.h>
#include <wchar.h>

#include "trawl/text.h"

/* Semantic attributes; ui-curses maps them to colours (or to mono attributes with NO_COLOR). */
#define SCREEN_ATTR_LIST(X)                                                  \
	X(NORMAL)                                                            \
	X(SELECTED)                                                          \
	X(STATUS)                                                            \
	X(TITLE)                                                             \
	X(SPECIAL)    /* a neutralised control/escape placeholder */         \
	X(UNREVIEWED) /* rows and messages not yet reviewed */               \
	X(DATE)                                                              \
	X(AUTHOR)                                                            \
	X(TAGS)                                                              \
	X(COUNT)                                                             \
	X(HEADER)                                                            \
	X(QUOTE)                                                             \
	X(SIGNATURE)                                                         \
	X(NOTE)                                                              \
	X(LINK)                                                              \
	X(ERROR)                                                             \
	X(DIM)                                                               \
	X(PROMPT)                                                            \
	X(MATCH)        /* a find's or the query's match in the thread view */ \
	X(DIFF_ADD)     /* a line only the second version has ("+") */       \
	X(DIFF_DEL)     /* a line only the first version has ("-") */        \
	X(BAR)          /* a chart's bar: messages not yet reviewed */       \
	X(BAR_REVIEWED) /* the reviewed part of a bar */

enum screen_attr {
#define SCREEN_ATTR_ENUM(name) SCREEN_##name,
	SCREEN_ATTR_LIST(SCREEN_ATTR_ENUM)
#undef SCREEN_ATTR_ENUM
	SCREEN_ATTR_COUNT
};

enum {
	SCREEN_CELL_CONT = 1 << 0, /* right half of a wide glyph */
	SCREEN_CELL_BOLD = 1 << 1,
};

struct screen_cell {
	wchar_t wc[TEXT_MAX_COMBINING + 1];
	unsigned char attr;  /* enum screen_attr */
	unsigned char flags; /* SCREEN_CELL_* */
};

struct screen {
	int w, h;
	struct screen_cell *cells;
	int cursor_x, cursor_y; /* where the terminal cursor goes; -1 hides it */
};

struct screen *screen_new(TALLOC_CTX *ctx, int w, int h);
void screen_resize(struct screen *s, int w, int h);
void screen_clear(struct screen *s);

/* Fills w cells of row y from x with spaces in attr. */
void screen_fill(struct screen *s, int x, int y, int w, enum screen_attr attr);

/*
 * Draws glyphs [from, to) of run at (x, y), at most maxw columns; glyphs
 * flagged special are drawn in SCREEN_SPECIAL.  Returns the columns used.
 */
int screen_put_run(struct screen *s, int x, int y, int maxw, const struct text_run *run,
		   size_t from, size_t to, enum screen_attr attr);

/*
 * Draws untrusted UTF-8 text at (x, y) in at most maxw columns, ending in
 * "…" when cut.  Returns the columns used.
 */
int screen_puts(struct screen *s, int x, int y, int maxw, const char *text,
		enum screen_attr attr);

/* The same with printf formatting, for trawl's own strings. */
int screen_printf(struct screen *s, int x, int y, int maxw, enum screen_attr attr,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * Draws one of trawl's own glyphs (a chart's block, a rule; never text
 * from mail) of width 1 at (x, y); nothing outside the grid.
 */
void screen_putc(struct screen *s, int x, int y, wchar_t wc, enum screen_attr attr);

/* Sets the attribute of w cells of row y from x, keeping their text. */
void screen_set_attr(struct screen *s, int x, int y, int w, enum screen_attr attr);

/* Writes the screen as UTF-8 text, one line per row, trailing spaces trimmed. */
void screen_dump(const struct screen *s, FILE *f);

/* Row y as a UTF-8 string (child of ctx), trailing spaces trimmed. */
char *screen_row_text(TALLOC_CTX *ctx, const struct screen *s, int y);

#endif
