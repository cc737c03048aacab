/*
 * ui-curses: blit screens, read keys, colours.  See include/trawl/ui-curses.h.
 */
#include <curses.h>
#include <signal.h>
#include <term.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <glib.h>
#include <talloc.h>

#include "trawl/ui-curses.h"

/* config.h numbers the named colours without curses; they must be curses' own. */
_Static_assert(CONFIG_BLACK == COLOR_BLACK && CONFIG_RED == COLOR_RED &&
		       CONFIG_GREEN == COLOR_GREEN && CONFIG_YELLOW == COLOR_YELLOW &&
		       CONFIG_BLUE == COLOR_BLUE && CONFIG_MAGENTA == COLOR_MAGENTA &&
		       CONFIG_CYAN == COLOR_CYAN && CONFIG_WHITE == COLOR_WHITE,
	       "config.h's colour numbers are curses' COLOR_* numbers");

static attr_t ui_attrs[SCREEN_ATTR_COUNT];
static short ui_pairs[SCREEN_ATTR_COUNT];

/*
 * What the terminal shows, as of the last blit: only cells that differ are
 * handed to curses, which otherwise spends most of a frame re-encoding an
 * unchanged screen.
 */
static struct screen_cell *ui_shown;
static int ui_shown_w, ui_shown_h;

static void
ui_setup_colours(const struct config *cfg)
{
	int colour = cfg->colour && has_colors();

	if (colour) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < SCREEN_ATTR_COUNT; i++) {
		const struct config_colour *c = &cfg->colours[i];
		attr_t a = A_NORMAL;

		if (c->bold)
			a |= A_BOLD;
		if (c->underline)
			a |= A_UNDERLINE;
		if (c->reverse)
			a |= A_REVERSE;
		if (c->dim)
			a |= A_DIM;
		ui_pairs[i] = 0;
		if (colour && (c->fg >= 0 || c->bg >= 0) && i + 1 < COLOR_PAIRS &&
		    c->fg < COLORS && c->bg < COLORS) {
			init_pair((short)(i + 1), c->fg, c->bg);
			ui_pairs[i] = (short)(i + 1);
		}
		if (!colour) {
			/* NO_COLOR: keep the distinctions that matter with mono attributes. */
			switch (i) {
			case SCREEN_SELECTED:
			case SCREEN_STATUS:
			case SCREEN_TITLE:
			case SCREEN_SPECIAL:
			case SCREEN_MATCH:
				a = A_REVERSE;
				break;
			case SCREEN_UNREVIEWED:
			case SCREEN_ERROR:
			case SCREEN_HEADER:
				a = A_BOLD;
				break;
			case SCREEN_QUOTE:
			case SCREEN_SIGNATURE:
			case SCREEN_DIM:
			case SCREEN_NOTE:
			case SCREEN_BAR_REVIEWED: /* what is done recedes */
				a = A_DIM;
				break;
			case SCREEN_LINK:
			case SCREEN_DIFF_DEL:
				a = A_UNDERLINE;
				break;
			case SCREEN_DIFF_ADD:
				a = A_BOLD;
				break;
			default:
				a = A_NORMAL;
			}
		}
		ui_attrs[i] = a;
	}
}

int
ui_init(const struct config *cfg)
{
	const char *term = getenv("TERM");
	int err = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	/*
	 * initscr() exits on an unknown TERM; a terminal that cannot move
	 * its cursor (dumb) would get a garbled stream of panes.  Both are
	 * refused with a line that says what to do.
	 */
	if (!term || !*term || setupterm(term, STDOUT_FILENO, &err) != OK)
		return -2;
	if (!tigetstr("cup") || tigetstr("cup") == (char *)-1) {
		del_curterm(cur_term);
		return -3;
	}
	del_curterm(cur_term);
	if (!initscr())
		return -1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui_setup_colours(cfg);
	return 0;
}

void
ui_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
ui_resume(void)
{
	reset_prog_mode();
	ui_invalidate();
	refresh();
}

/*
 * Presses only, with ncurses' click resolution off (mouseinterval 0): it
 * would hold a click back to see whether a second one follows, and a key
 * typed meanwhile would overtake it.  A second press on the same cell
 * within UI_DOUBLE_MS is a double click.
 */
#define UI_DOUBLE_MS 400

void
ui_mouse(int on)
{
	mouseinterval(0);
	mousemask(on ? BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0, NULL);
}

static const char *
ui_mouse_press(const MEVENT *ev)
{
	static struct timespec last;
	static int last_x = -1, last_y = -1;
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
	if (ev->x == last_x && ev->y == last_y && ms >= 0 && ms < UI_DOUBLE_MS) {
		last_x = last_y = -1;
		return "double";
	}
	last = now;
	last_x = ev->x;
	last_y = ev->y;
	return "click";
}

void
ui_clipboard(const char *text)
{
	gchar *b64 = g_base64_encode((const guchar *)text, strlen(text));

	/* Only base64 goes to the terminal: the text cannot end the sequence. */
	fprintf(stdout, "\033]52;c;%s\a", b64);
	fflush(stdout);
	g_free(b64);
}

int
ui_stop(void)
{
	struct sigaction dfl, old;
	int rc;

	/*
	 * Only this process stops, as SIGTSTP from another program would
	 * stop it: a writer holding the database's lock goes on, so other
	 * programs are not kept waiting until fg.  The default action
	 * stops; ncurses' own handler would draw again before we do.
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	ui_suspend();
	fflush(stdout);
	sigaction(SIGTSTP, &dfl, &old);
	rc = raise(SIGTSTP);
	sigaction(SIGTSTP, &old, NULL);
	ui_resume();
	return rc == 0 ? 0 : -1;
}

void
ui_invalidate(void)
{
	TALLOC_FREE(ui_shown);
	clearok(curscr, TRUE);
}

void
ui_end(void)
{
	TALLOC_FREE(ui_shown);
	if (!isendwin())
		endwin();
}

void
ui_size(int *w, int *h)
{
	getmaxyx(stdscr, *h, *w);
}

void
ui_blit(const struct screen *s, int show_cursor)
{
	int w, h, fresh = 0;

	ui_size(&w, &h);
	if (!ui_shown || ui_shown_w != s->w || ui_shown_h != s->h) {
		talloc_free(ui_shown);
		ui_shown = talloc_zero_array(NULL, struct screen_cell, (size_t)s->w * (size_t)s->h);
		ui_shown_w = s->w;
		ui_shown_h = s->h;
		fresh = 1;
		erase();
	}
	for (int y = 0; y < s->h && y < h; y++) {
		for (int x = 0; x < s->w && x < w; x++) {
			size_t at = (size_t)y * (size_t)s->w + (size_t)x;
			const struct screen_cell *c = &s->cells[at];
			cchar_t cc;
			wchar_t wc[TEXT_MAX_COMBINING + 2];

			if (!fresh && ui_shown && !memcmp(&ui_shown[at], c, sizeof(*c)))
				continue;
			if (ui_shown)
				ui_shown[at] = *c;
			if (c->flags & SCREEN_CELL_CONT)
				continue;
			memcpy(wc, c->wc, sizeof(c->wc));
			wc[TEXT_MAX_COMBINING + 1] = L'\0';
			/* A wide glyph in the last column would wrap: draw a space instead. */
			if (x == w - 1 && wcwidth(wc[0]) > 1) {
				wc[0] = L' ';
				wc[1] = L'\0';
			}
			if (setcchar(&cc, wc, ui_attrs[c->attr], ui_pairs[c->attr], NULL) == OK)
				mvadd_wch(y, x, &cc);
		}
	}
	if (show_cursor && s->cursor_x >= 0 && s->cursor_y >= 0) {
		curs_set(1);
		move(s->cursor_y, s->cursor_x);
	} else {
		curs_set(0);
		if (s->cursor_y >= 0)
			move(s->cursor_y, s->cursor_x > 0 ? s->cursor_x : 0);
	}
	refresh();
}

static const struct {
	int code;
	const char *name;
} ui_key_names[] = {
	{KEY_DOWN, "Down"},	  {KEY_UP, "Up"},	  {KEY_LEFT, "Left"},
	{KEY_RIGHT, "Right"},	  {KEY_NPAGE, "PageDown"}, {KEY_PPAGE, "PageUp"},
	{KEY_HOME, "Home"},	  {KEY_END, "End"},	  {KEY_BACKSPACE, "BSpace"},
	{KEY_DC, "Delete"},	  {KEY_IC, "Insert"},	  {KEY_ENTER, "Enter"},
	{KEY_BTAB, "BackTab"},	  {KEY_RESIZE, "Resize"},
};

/*
 * ncurses keeps mouse events in a queue of its own, and a read that holds
 * several reports (a double click over a slow link, or typed ahead while
 * trawl was busy) yields one KEY_MOUSE for all of them: getmouse() must be
 * called until it fails, or the second click of a double click is lost.
 * The events beyond the first wait here for the next calls.
 */
#define UI_MOUSE_PENDING 16
static char ui_mouse_pending[UI_MOUSE_PENDING][32];
static int ui_mouse_head, ui_mouse_count;

/* The key name for a mouse event, or NULL for one trawl does not use. */
static const char *
ui_mouse_name(const MEVENT *ev, char *buf, size_t len)
{
	const char *what = NULL;

	if (ev->bstate & BUTTON1_PRESSED)
		what = ui_mouse_press(ev);
	else if (ev->bstate & BUTTON4_PRESSED)
		what = "wheel-up";
	else if (ev->bstate & BUTTON5_PRESSED)
		what = "wheel-down";
	if (!what)
		return NULL;
	snprintf(buf, len, "Mouse-%s %d %d", what, ev->x, ev->y);
	return buf;
}

/* Takes every event ncurses has queued; 1 if one is pending afterwards. */
static int
ui_mouse_drain(void)
{
	MEVENT ev;

	while (getmouse(&ev) == OK) {
		char *slot;

		if (ui_mouse_count == UI_MOUSE_PENDING)
			continue; /* a flood: the oldest are kept */
		slot = ui_mouse_pending[(ui_mouse_head + ui_mouse_count) % UI_MOUSE_PENDING];
		if (ui_mouse_name(&ev, slot, sizeof(ui_mouse_pending[0])))
			ui_mouse_count++;
	}
	return ui_mouse_count > 0;
}

int
ui_key(char *name, size_t len)
{
	wint_t ch;
	int r;

	if (!ui_mouse_count) {
		timeout(0);
		r = get_wch(&ch);
		if (r == ERR)
			return 0;
		if (r == KEY_CODE_YES && (int)ch == KEY_MOUSE && !ui_mouse_drain())
			return 0;
	}
	if (ui_mouse_count) {
		snprintf(name, len, "%s", ui_mouse_pending[ui_mouse_head]);
		ui_mouse_head = (ui_mouse_head + 1) % UI_MOUSE_PENDING;
		ui_mouse_count--;
		return 1;
	}
	if (r == KEY_CODE_YES) {
		for (size_t i = 0; i < sizeof(ui_key_names) / sizeof(ui_key_names[0]); i++)
			if ((int)ch == ui_key_names[i].code) {
				snprintf(name, len, "%s", ui_key_names[i].name);
				return 1;
			}
		if ((int)ch >= KEY_F(1) && (int)ch <= KEY_F(24)) {
			snprintf(name, len, "F%d", (int)ch - KEY_F(0));
			return 1;
		}
		snprintf(name, len, "Key%d", (int)ch);
		return 1;
	}
	switch (ch) {
	case L'\r':
	case L'\n':
		snprintf(name, len, "Enter");
		break;
	case L'\t':
		snprintf(name, len, "Tab");
		break;
	case 27:
		snprintf(name, len, "Escape");
		break;
	case 127:
	case 8:
		snprintf(name, len, "BSpace");
		break;
	case L' ':
		snprintf(name, len, "Space");
		break;
	default:
		if (ch < 32) {
			snprintf(name, len, "C-%c", (char)('a' + ch - 1));
		} else {
			mbstate_t st;
			size_t n;

			memset(&st, 0, sizeof(st));
			n = wcrtomb(name, (wchar_t)ch, &st);
			if (n == (size_t)-1 || n >= len)
				snprintf(name, len, "U+%04X", (unsigned)ch);
			else
				name[n] = '\0';
		}
	}
	return 1;
}
