/*
 * view-help: every key binding of the focused pane with its help text,
 * generated from the bindings and the command table.
 */
#include <stdio.h>
#include <string.h>

#include "trawl/cmd.h"
#include "trawl/view.h"

/* The context whose bindings the help shows: the pane under the help screen. */
static enum config_context
help_context(const struct app *app)
{
	switch (app->focus) {
	case APP_FOCUS_SIDEBAR:
		return CONFIG_SIDEBAR;
	case APP_FOCUS_THREAD:
		return CONFIG_THREAD;
	default:
		return CONFIG_LIST;
	}
}

/* The keys that run command in context, whether bound there or globally. */
static char *
help_keys(TALLOC_CTX *ctx, const struct config *cfg, enum config_context context,
	  const char *command)
{
	char *keys = talloc_strdup(ctx, "");

	for (size_t i = 0; keys && i < cfg->n_bindings; i++) {
		const struct config_binding *b = &cfg->bindings[i];
		const char *effective = config_lookup(cfg, context, b->key);
		int seen = 0;

		if (b->context != context && b->context != CONFIG_GLOBAL)
			continue;
		if (!effective || strcmp(effective, command) != 0)
			continue;
		/* A key bound both globally and here is listed once. */
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(cfg->bindings[j].key, b->key) == 0 &&
				(cfg->bindings[j].context == context ||
				 cfg->bindings[j].context == CONFIG_GLOBAL);
		if (!seen)
			keys = talloc_asprintf_append(keys, "%s%s", *keys ? ", " : "", b->key);
	}
	return keys;
}

/* Draws (or with draw 0, counts) the help lines; returns how many. */
static size_t
help_lines(struct app *app, int draw, int x, int y, int w, int h)
{
	enum config_context context = help_context(app);
	TALLOC_CTX *tmp = talloc_new(NULL);
	size_t line = 0;
	int row = 0;

#define HELP_LINE(attr, ...)                                                                 \
	do {                                                                                 \
		if (draw && line >= app->help_top && row < h) {                              \
			screen_printf(app->scr, x, y + row, w, attr, __VA_ARGS__);           \
			row++;                                                               \
		}                                                                            \
		line++;                                                                      \
	} while (0)

	HELP_LINE(SCREEN_TITLE, "trawl key bindings: %s pane   (q or ? closes; j/k scroll)",
		  config_context_name(context));
	HELP_LINE(SCREEN_NORMAL, "%s", "");
	for (size_t i = 0; i < cmd_count; i++) {
		const struct cmd_entry *c = &cmd_table[i];
		char *keys;

		if (!cmd_applies(c, context))
			continue;
		keys = help_keys(tmp, app->cfg, context, c->name);
		HELP_LINE(SCREEN_NORMAL, "%-18s %-18s %s", *keys ? keys : "-", c->name, c->help);
	}
	HELP_LINE(SCREEN_NORMAL, "%s", "");
	HELP_LINE(SCREEN_DIM, "%s", "Rebind keys in ~/.config/trawl/config: bind list J next-unreviewed");
	talloc_free(tmp);
	return line;
#undef HELP_LINE
}

size_t
helpview_lines(const struct app *app)
{
	return help_lines((struct app *)app, 0, 0, 0, 0, 0);
}

static void
help_draw(struct app *app, int x, int y, int w, int h)
{
	help_lines(app, 1, x, y, w, h);
}

static void
help_move(struct app *app, long delta)
{
	size_t n = helpview_lines(app);

	view_move_cursor(&app->help_top, n, delta);
}

static int
help_height(const struct app *app)
{
	return app->scr->h - 2;
}

const struct view_ops view_help_ops = {
	.name = "help",
	.context = CONFIG_HELP,
	.draw = help_draw,
	.move = help_move,
	.height = help_height,
};
