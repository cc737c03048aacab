/*
 * view-help: the help screen: the lines the help command made from the
 * bindings and the command table (cmd.c), scrolled.
 */
#include <stdio.h>
#include <string.h>

#include "trawl/view.h"

static void
help_draw(struct app *app, int x, int y, int w, int h)
{
	for (int i = 0; i < h && app->help_top + (size_t)i < app->n_help_lines; i++) {
		size_t l = app->help_top + (size_t)i;
		enum screen_attr attr = l == 0 ? SCREEN_TITLE
					: l + 1 == app->n_help_lines ? SCREEN_DIM : SCREEN_NORMAL;

		screen_puts(app->scr, x, y + i, w, app->help_lines[l], attr);
	}
}

static void
help_move(struct app *app, long delta)
{
	view_move_cursor(&app->help_top, app->n_help_lines, delta);
}

static int
help_height(const struct app *app)
{
	return view_pane_height(app);
}

const struct view_ops view_help_ops = {
	.name = "help",
	.context = CONFIG_HELP,
	.draw = help_draw,
	.move = help_move,
	.height = help_height,
};
