/*
 * screen: an in-memory grid of cells.  See include/trawl/screen.h.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/screen.h"

static struct screen_cell *
screen_cell(struct screen *s, int x, int y)
{
	return &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
}

static void
screen_blank(struct screen_cell *c, enum screen_attr attr)
{
	memset(c, 0, sizeof(*c));
	c->wc[0] = L' ';
	c->attr = (unsigned char)attr;
}

struct screen *
screen_new(TALLOC_CTX *ctx, int w, int h)
{
	struct screen *s = talloc_zero(ctx, struct screen);

	if (!s)
		return NULL;
	screen_resize(s, w, h);
	return s->cells ? s : (talloc_free(s), NULL);
}

void
screen_resize(struct screen *s, int w, int h)
{
	struct screen_cell *cells;

	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	cells = talloc_array(s, struct screen_cell, (size_t)w * (size_t)h);
	if (!cells)
		return;
	talloc_free(s->cells);
	s->cells = cells;
	s->w = w;
	s->h = h;
	screen_clear(s);
}

void
screen_clear(struct screen *s)
{
	for (size_t i = 0; i < (size_t)s->w * (size_t)s->h; i++)
		screen_blank(&s->cells[i], SCREEN_NORMAL);
	s->cursor_x = s->cursor_y = -1;
}

void
screen_fill(struct screen *s, int x, int y, int w, enum screen_attr attr)
{
	if (y < 0 || y >= s->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + w && i < s->w; i++)
		screen_blank(screen_cell(s, i, y), attr);
}

void
screen_putc(struct screen *s, int x, int y, wchar_t wc, enum screen_attr attr)
{
	struct screen_cell *c;

	if (y < 0 || y >= s->h || x < 0 || x >= s->w)
		return;
	c = screen_cell(s, x, y);
	screen_blank(c, attr);
	c->wc[0] = wc;
}

void
screen_set_attr(struct screen *s, int x, int y, int w, enum screen_attr attr)
{
	if (y < 0 || y >= s->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + w && i < s->w; i++) {
		struct screen_cell *c = screen_cell(s, i, y);

		/* Neutralised placeholders keep their colour: they must stay visible. */
		if (c->attr != SCREEN_SPECIAL)
			c->attr = (unsigned char)attr;
	}
}

int
screen_put_run(struct screen *s, int x, int y, int maxw, const struct text_run *run,
	       size_t from, size_t to, enum screen_attr attr)
{
	int col = 0;

	/* Whatever a caller computed from a tiny terminal, nothing lands outside the grid. */
	if (y < 0 || y >= s->h || x < 0 || x >= s->w || maxw <= 0)
		return 0;
	if (x + maxw > s->w)
		maxw = s->w - x;
	for (size_t i = from; i < to && i < run->len; i++) {
		const struct text_glyph *g = &run->glyphs[i];
		struct screen_cell *c;

		if (col + g->width > maxw)
			break;
		c = screen_cell(s, x + col, y);
		memcpy(c->wc, g->wc, sizeof(c->wc));
		c->attr = (unsigned char)(g->flags & TEXT_GLYPH_SPECIAL ? SCREEN_SPECIAL : attr);
		c->flags = 0;
		if (g->width == 2) {
			struct screen_cell *r = screen_cell(s, x + col + 1, y);

			screen_blank(r, attr);
			r->flags = SCREEN_CELL_CONT;
		}
		col += g->width;
	}
	return col;
}

int
screen_puts(struct screen *s, int x, int y, int maxw, const char *text, enum screen_attr attr)
{
	TALLOC_CTX *tmp;
	struct text_run *run;
	int used;

	if (maxw <= 0 || !text)
		return 0;
	tmp = talloc_new(NULL);
	if (text_decode(tmp, text, strlen(text), 0, &run) != TRAWL_OK) {
		talloc_free(tmp);
		return 0;
	}
	if (run->cols <= (size_t)maxw) {
		used = screen_put_run(s, x, y, maxw, run, 0, run->len, attr);
	} else {
		/* Cut, leaving a column for the ellipsis. */
		used = screen_put_run(s, x, y, maxw - 1, run, 0, run->len, attr);
		if (y >= 0 && y < s->h && x >= 0 && x + used < s->w) {
			struct screen_cell *c = screen_cell(s, x + used, y);

			screen_blank(c, attr);
			c->wc[0] = L'\u2026';
			used++;
		}
	}
	talloc_free(tmp);
	return used;
}

int
screen_printf(struct screen *s, int x, int y, int maxw, enum screen_attr attr, const char *fmt,
	      ...)
{
	va_list ap;
	char *str;
	int used;

	va_start(ap, fmt);
	str = talloc_vasprintf(NULL, fmt, ap);
	va_end(ap);
	used = screen_puts(s, x, y, maxw, str, attr);
	talloc_free(str);
	return used;
}

char *
screen_row_text(TALLOC_CTX *ctx, const struct screen *s, int y)
{
	char *out = talloc_strdup(ctx, "");
	size_t keep = 0;

	for (int x = 0; out && x < s->w; x++) {
		const struct screen_cell *c = &s->cells[(size_t)y * (size_t)s->w + (size_t)x];

		if (c->flags & SCREEN_CELL_CONT)
			continue;
		for (int k = 0; k <= TEXT_MAX_COMBINING && c->wc[k]; k++) {
			char mb[MB_LEN_MAX + 1];
			mbstate_t st;
			size_t n;

			memset(&st, 0, sizeof(st));
			n = wcrtomb(mb, c->wc[k], &st);
			if (n == (size_t)-1) {
				mb[0] = '?';
				n = 1;
			}
			mb[n] = '\0';
			out = talloc_strdup_append_buffer(out, mb);
		}
		if (out && !(c->wc[0] == L' ' && c->wc[1] == 0))
			keep = strlen(out);
	}
	if (out)
		out[keep] = '\0';
	return out;
}

void
screen_dump(const struct screen *s, FILE *f)
{
	for (int y = 0; y < s->h; y++) {
		char *row = screen_row_text(NULL, s, y);

		fprintf(f, "%s\n", row ? row : "");
		talloc_free(row);
	}
}
