/*
 * ui-curses: the only module that talks to curses.  It copies a screen
 * to the terminal, reads keys as names ("j", "C-d", "PageDown", "Enter",
 * "Resize"...) and maps semantic attributes to colours.
 */
#ifndef TRAWL_UI_CURSES_H
#define TRAWL_UI_CURSES_H

#include <stddef.h>

#include "trawl/config.h"
#include "trawl/screen.h"

/*
 * Starts curses; with nothing drawn, returns -1 when there is no terminal,
 * -2 when TERM names no known terminal, -3 when it cannot move the cursor.
 */
int ui_init(const struct config *cfg);
void ui_end(void);
void ui_size(int *w, int *h);
void ui_blit(const struct screen *s, int show_cursor);

/* Hands the terminal to another program and takes it back. */
void ui_suspend(void);
void ui_resume(void);

/*
 * Stops the process as C-z in a shell does (the terminal restored, then
 * taken back and repainted when the shell's fg continues it).  Returns 0,
 * or -1 when nothing can continue it (no job control: it goes on at once).
 */
int ui_stop(void);

/* Forgets what the terminal shows, so the next blit repaints everything (C-l). */
void ui_invalidate(void);

/* Reports mouse clicks, double clicks and the wheel as keys "Mouse-click X Y"... (or not). */
void ui_mouse(int on);

/* Puts text on the terminal's clipboard (OSC 52, base64); only when the user enabled it. */
void ui_clipboard(const char *text);

/*
 * Reads one key without blocking into name (at least 32 bytes).
 * Returns 1 for a key, 0 when none is waiting.
 */
int ui_key(char *name, size_t len);

#endif
