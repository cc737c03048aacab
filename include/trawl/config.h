/*
 * config: options, key bindings and colours, with the rc-file parser.
 *
 * The rc file ($XDG_CONFIG_HOME/trawl/config) holds one directive a line:
 *
 *     set OPTION VALUE              e.g. set reviewed_tag reviewed
 *     bind CONTEXT KEY COMMAND...   e.g. bind list J next-unreviewed
 *     unbind CONTEXT KEY
 *     color NAME FG [BG [ATTR...]]  e.g. color unreviewed yellow default bold
 *
 * '#' starts a comment; values may be quoted with "..." (backslash escapes
 * the next character).  Contexts: global, sidebar, list, thread, help,
 * versions (the files of a message), diff (two versions compared),
 * timeline, correspondents.
 * Default bindings are command strings set through the same bind
 * function, so the config file and the defaults cannot diverge.
 *
 * Ownership: everything is a child of the struct config.
 */
#ifndef TRAWL_CONFIG_H
#define TRAWL_CONFIG_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/screen.h"
#include "trawl/status.h"

#define CONFIG_CONTEXT_LIST(X) X(GLOBAL, "global") X(SIDEBAR, "sidebar") X(LIST, "list") \
	X(THREAD, "thread") X(HELP, "help") X(VERSIONS, "versions") X(DIFF, "diff") \
	X(TIMELINE, "timeline") X(PEOPLE, "correspondents")

enum config_context {
#define CONFIG_CONTEXT_ENUM(id, name) CONFIG_##id,
	CONFIG_CONTEXT_LIST(CONFIG_CONTEXT_ENUM)
#undef CONFIG_CONTEXT_ENUM
	CONFIG_CONTEXT_COUNT
};

struct config_binding {
	enum config_context context;
	char *key;     /* key name, e.g. "j", "C-d", "PageDown", "Enter" */
	char *command; /* command string, e.g. "next" or "search tag:x" */
};

/* Orders of the thread list ("set sort NAME"). */
enum config_sort {
	CONFIG_SORT_NEWEST, /* newest thread first (by its newest message) */
	CONFIG_SORT_OLDEST, /* oldest thread first (by its oldest message) */
	CONFIG_SORT_COUNT,  /* most messages first, then newest */
	CONFIG_SORT_COUNT_OF
};

/*
 * The eight named colours, numbered as the terminal numbers them (the
 * ANSI/ECMA-48 order, which curses' COLOR_* follow: ui-curses.c checks
 * that they agree), so that the colour table needs no curses header.
 */
enum config_colour_number {
	CONFIG_BLACK,
	CONFIG_RED,
	CONFIG_GREEN,
	CONFIG_YELLOW,
	CONFIG_BLUE,
	CONFIG_MAGENTA,
	CONFIG_CYAN,
	CONFIG_WHITE,
};

struct config_colour {
	short fg, bg; /* terminal colour numbers (CONFIG_BLACK...), -1 default */
	int bold, underline, reverse, dim;
};

struct config {
	/* Options (see config_options in config.c for help texts). */
	char *reviewed_tag;
	char *note_tag; /* kept on messages with a reviewer's note (note.h) */
	char *reviewer;
	char *attachment_dir;
	int sidebar_width;
	int sidebar_visible;
	int sort; /* enum config_sort */
	int sync_maildir_flags;
	int head_cache;
	int clipboard_osc52;
	int mouse;
	int colour; /* 0 when NO_COLOR is set or "set colour off" */

	struct config_binding *bindings;
	size_t n_bindings;
	struct config_colour colours[SCREEN_ATTR_COUNT];
};

/* A config holding the defaults (options, bindings, colours; NO_COLOR honoured). */
struct config *config_new(TALLOC_CTX *ctx);

/* $XDG_CONFIG_HOME/trawl/config (or ~/.config/trawl/config). */
char *config_default_path(TALLOC_CTX *ctx);

/*
 * Applies one directive.  On failure *error (child of ctx) says why and
 * the config is unchanged.
 */
trawl_status_t config_apply_line(struct config *cfg, const char *line, TALLOC_CTX *ctx,
				 char **error);

/*
 * Reads the file at path; a missing file is not an error.  Every bad line
 * is skipped and reported in *errors as "path:line: problem" lines (NULL
 * when none), the rest applies.
 */
trawl_status_t config_load_file(struct config *cfg, const char *path, char **errors);

/* Binds (or with command NULL, unbinds) key in context. */
trawl_status_t config_bind(struct config *cfg, enum config_context ctx, const char *key,
			   const char *command);

/* The command bound to key in context, falling back to global; NULL when unbound. */
const char *config_lookup(const struct config *cfg, enum config_context ctx, const char *key);

const char *config_context_name(enum config_context ctx);

/* "newest", "oldest", "count"; and back (-1 for an unknown name). */
const char *config_sort_name(enum config_sort sort);
int config_sort_parse(const char *name);

#endif
