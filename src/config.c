/*
 * config: options, key bindings, colours and the rc-file parser.  See
 * include/trawl/config.h.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trawl/config.h"
#include "trawl/tagops.h"
#include "trawl/util.h"

/*
 * Default bindings, as command strings run through the same parser as
 * the config file (habits of mutt, alot and vim users).
 */
static const struct {
	enum config_context context;
	const char *key;
	const char *command;
} config_default_bindings[] = {
	{CONFIG_GLOBAL, "?", "help"},
	{CONFIG_GLOBAL, "/", "prompt-search"},
	{CONFIG_GLOBAL, ":", "prompt-command"},
	{CONFIG_GLOBAL, "Tab", "focus-next"},
	{CONFIG_GLOBAL, "BackTab", "focus-prev"},
	{CONFIG_GLOBAL, "f", "toggle-sidebar"},
	{CONFIG_GLOBAL, "C-l", "redraw"},
	{CONFIG_GLOBAL, "=", "refresh"},
	{CONFIG_GLOBAL, "Q", "quit"},
	{CONFIG_GLOBAL, "j", "next"},
	{CONFIG_GLOBAL, "Down", "next"},
	{CONFIG_GLOBAL, "k", "prev"},
	{CONFIG_GLOBAL, "Up", "prev"},
	{CONFIG_GLOBAL, "PageDown", "page-down"},
	{CONFIG_GLOBAL, "Space", "page-down"},
	{CONFIG_GLOBAL, "C-f", "page-down"},
	{CONFIG_GLOBAL, "PageUp", "page-up"},
	{CONFIG_GLOBAL, "C-b", "page-up"},
	{CONFIG_GLOBAL, "C-d", "half-page-down"},
	{CONFIG_GLOBAL, "C-u", "half-page-up"},
	{CONFIG_GLOBAL, "g", "first"},
	{CONFIG_GLOBAL, "Home", "first"},
	{CONFIG_GLOBAL, "G", "last"},
	{CONFIG_GLOBAL, "End", "last"},
	{CONFIG_GLOBAL, "q", "back"},
	{CONFIG_GLOBAL, "Escape", "close"},
	{CONFIG_GLOBAL, "u", "undo"},
	{CONFIG_GLOBAL, "C-r", "redo"},
	{CONFIG_GLOBAL, "C-c", "cancel"},
	{CONFIG_GLOBAL, "C-z", "suspend"},
	{CONFIG_LIST, "r", "toggle-reviewed"},
	{CONFIG_LIST, "R", "review-next"},
	{CONFIG_LIST, "t", "tag"},
	{CONFIG_LIST, "*", "tag-all"},
	{CONFIG_LIST, "E", "export"},
	{CONFIG_THREAD, "r", "toggle-reviewed"},
	{CONFIG_THREAD, "R", "review-next"},
	{CONFIG_THREAD, "t", "tag"},
	{CONFIG_THREAD, "T", "tag-thread"},
	{CONFIG_THREAD, "c", "note"},
	{CONFIG_THREAD, "s", "save-attachment"},
	{CONFIG_THREAD, "a", "open-attachment"},
	{CONFIG_THREAD, "A", "read-attachment"},
	{CONFIG_GLOBAL, "S", "save-search"},
	{CONFIG_SIDEBAR, "m", "rename-search"},
	{CONFIG_SIDEBAR, "e", "edit-search"},
	{CONFIG_SIDEBAR, "d", "delete-search"},
	{CONFIG_SIDEBAR, "Enter", "select"},
	{CONFIG_SIDEBAR, "l", "select"},
	{CONFIG_SIDEBAR, "Right", "select"},
	{CONFIG_SIDEBAR, "a", "select-and"},
	{CONFIG_LIST, "Enter", "open"},
	{CONFIG_LIST, "l", "open"},
	{CONFIG_LIST, "Right", "open"},
	{CONFIG_LIST, "o", "toggle-order"},
	{CONFIG_LIST, "L", "limit"},
	{CONFIG_LIST, "U", "unlimit"},
	{CONFIG_LIST, "n", "next-unreviewed"},
	{CONFIG_THREAD, "Enter", "toggle"},
	{CONFIG_THREAD, "o", "toggle"},
	{CONFIG_THREAD, "O", "toggle-all"},
	{CONFIG_THREAD, "J", "next-message"},
	{CONFIG_THREAD, "K", "prev-message"},
	{CONFIG_THREAD, "n", "next-unreviewed"},
	{CONFIG_THREAD, "h", "toggle-headers"},
	{CONFIG_THREAD, "H", "toggle-html"},
	{CONFIG_THREAD, "V", "toggle-raw"},
	{CONFIG_THREAD, "z", "toggle-quotes"},
	{CONFIG_THREAD, "P", "parent-message"},
	{CONFIG_THREAD, "]", "next-sibling"},
	{CONFIG_THREAD, "[", "prev-sibling"},
	{CONFIG_THREAD, "/", "find"},
	{CONFIG_THREAD, "N", "find-prev"},
	{CONFIG_THREAD, "\\", "toggle-highlight"},
	{CONFIG_THREAD, "|", "pipe"},
	{CONFIG_LIST, "m", "toggle-mark"},
	{CONFIG_THREAD, "m", "toggle-mark"},
	{CONFIG_LIST, "M", "mark-pattern"},
	{CONFIG_LIST, ";", "mark-prefix"},
	{CONFIG_THREAD, ";", "mark-prefix"},
	{CONFIG_THREAD, "p", "view-pager"},
	{CONFIG_THREAD, "e", "edit-raw"},
	{CONFIG_THREAD, "y", "copy-message-id"},
	{CONFIG_THREAD, "Y", "copy-path"},
	{CONFIG_THREAD, "Left", "back"},
	{CONFIG_HELP, "q", "back"},
	{CONFIG_HELP, "?", "back"},
	{CONFIG_THREAD, "v", "versions"},
	{CONFIG_THREAD, "D", "diff-versions"},
	{CONFIG_VERSIONS, "Enter", "open-version"},
	{CONFIG_VERSIONS, "o", "open-version"},
	{CONFIG_VERSIONS, "Right", "open-version"},
	{CONFIG_VERSIONS, "d", "diff-versions"},
	{CONFIG_VERSIONS, "D", "diff-versions"},
	{CONFIG_VERSIONS, "Left", "back"},
	{CONFIG_DIFF, "n", "next-change"},
	{CONFIG_DIFF, "N", "prev-change"},
	{CONFIG_DIFF, "p", "prev-change"},
	{CONFIG_DIFF, "Left", "back"},
	/* The timeline and correspondents panes (issue 17). */
	{CONFIG_GLOBAL, "v", "timeline"},
	{CONFIG_GLOBAL, "c", "correspondents"},
	{CONFIG_GLOBAL, "BSpace", "widen"},
	{CONFIG_TIMELINE, "Enter", "narrow"},
	{CONFIG_TIMELINE, "b", "timeline-by"},
	{CONFIG_TIMELINE, "l", "next"},
	{CONFIG_TIMELINE, "Right", "next"},
	{CONFIG_TIMELINE, "h", "prev"},
	{CONFIG_TIMELINE, "Left", "prev"},
	{CONFIG_PEOPLE, "Enter", "narrow"},
	{CONFIG_PEOPLE, "Tab", "next-section"},
	{CONFIG_PEOPLE, "l", "next-section"},
	{CONFIG_PEOPLE, "Right", "next-section"},
	{CONFIG_PEOPLE, "BackTab", "prev-section"},
	{CONFIG_PEOPLE, "h", "prev-section"},
	{CONFIG_PEOPLE, "Left", "prev-section"},
};

static const char *const config_context_names[] = {
#define CONFIG_CONTEXT_NAME(id, name) [CONFIG_##id] = name,
	CONFIG_CONTEXT_LIST(CONFIG_CONTEXT_NAME)
#undef CONFIG_CONTEXT_NAME
};

static const char *const config_attr_names[] = {
#define CONFIG_ATTR_NAME(name) #name,
	SCREEN_ATTR_LIST(CONFIG_ATTR_NAME)
#undef CONFIG_ATTR_NAME
};

static const char *const config_colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const char *const config_sort_names[CONFIG_SORT_COUNT_OF] = {
	[CONFIG_SORT_NEWEST] = "newest",
	[CONFIG_SORT_OLDEST] = "oldest",
	[CONFIG_SORT_COUNT] = "count",
};

/* CONFIG_OLDEST: the older boolean spelling of "sort": on is oldest, off newest. */
enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL, CONFIG_SORT, CONFIG_OLDEST };

static const struct {
	const char *name;
	enum config_type type;
	size_t offset;
	const char *help;
} config_options[] = {
	{"reviewed_tag", CONFIG_STRING, offsetof(struct config, reviewed_tag),
	 "tag that marks a message as reviewed"},
	{"note_tag", CONFIG_STRING, offsetof(struct config, note_tag),
	 "tag kept on messages with a reviewer's note, to find them (tag:noted)"},
	{"reviewer", CONFIG_STRING, offsetof(struct config, reviewer),
	 "name recorded in the audit trail (default: login name)"},
	{"attachment_dir", CONFIG_STRING, offsetof(struct config, attachment_dir),
	 "default directory for saved attachments"},
	{"sidebar_width", CONFIG_INT, offsetof(struct config, sidebar_width),
	 "width of the filters pane in columns"},
	{"sidebar", CONFIG_BOOL, offsetof(struct config, sidebar_visible),
	 "show the filters pane at start"},
	{"sort", CONFIG_SORT, offsetof(struct config, sort),
	 "order of the thread list: newest, oldest or count (most messages first)"},
	{"oldest_first", CONFIG_OLDEST, offsetof(struct config, sort),
	 "on: the same as sort oldest; off: sort newest"},
	{"sync_maildir_flags", CONFIG_BOOL, offsetof(struct config, sync_maildir_flags),
	 "rename mail files to match tags (off: files are evidence)"},
	{"colour", CONFIG_BOOL, offsetof(struct config, colour), "use colours"},
	{"mouse", CONFIG_BOOL, offsetof(struct config, mouse),
	 "click selects a row or pane, double click opens, the wheel scrolls"},
	{"clipboard_osc52", CONFIG_BOOL, offsetof(struct config, clipboard_osc52),
	 "y and Y also copy to the terminal's clipboard with OSC 52 (off: only shown)"},
	{"head_cache", CONFIG_BOOL, offsetof(struct config, head_cache),
	 "keep each list's first screen to show it at once next time (off: no copy kept)"},
};

static void
config_default_colours(struct config *cfg)
{
	static const struct {
		enum screen_attr attr;
		struct config_colour c;
	} defaults[] = {
		{SCREEN_SELECTED, {-1, -1, 0, 0, 1, 0}},
		{SCREEN_STATUS, {CONFIG_WHITE, CONFIG_BLUE, 0, 0, 0, 0}},
		{SCREEN_TITLE, {CONFIG_WHITE, CONFIG_BLUE, 1, 0, 0, 0}},
		{SCREEN_SPECIAL, {CONFIG_BLACK, CONFIG_MAGENTA, 0, 0, 0, 0}},
		{SCREEN_UNREVIEWED, {-1, -1, 1, 0, 0, 0}},
		{SCREEN_DATE, {CONFIG_CYAN, -1, 0, 0, 0, 0}},
		{SCREEN_AUTHOR, {CONFIG_GREEN, -1, 0, 0, 0, 0}},
		{SCREEN_TAGS, {CONFIG_YELLOW, -1, 0, 0, 0, 0}},
		{SCREEN_COUNT, {CONFIG_CYAN, -1, 0, 0, 0, 0}},
		{SCREEN_HEADER, {CONFIG_GREEN, -1, 0, 0, 0, 0}},
		{SCREEN_QUOTE, {CONFIG_CYAN, -1, 0, 0, 0, 0}},
		{SCREEN_SIGNATURE, {-1, -1, 0, 0, 0, 1}},
		{SCREEN_NOTE, {CONFIG_MAGENTA, -1, 0, 0, 0, 0}},
		{SCREEN_LINK, {CONFIG_BLUE, -1, 0, 1, 0, 0}},
		{SCREEN_MATCH, {CONFIG_BLACK, CONFIG_YELLOW, 0, 0, 0, 0}},
		{SCREEN_ERROR, {CONFIG_RED, -1, 1, 0, 0, 0}},
		{SCREEN_DIM, {-1, -1, 0, 0, 0, 1}},
		{SCREEN_PROMPT, {-1, -1, 0, 0, 0, 0}},
		{SCREEN_DIFF_ADD, {CONFIG_GREEN, -1, 1, 0, 0, 0}},
		{SCREEN_DIFF_DEL, {CONFIG_RED, -1, 0, 0, 0, 0}},
		{SCREEN_BAR, {CONFIG_YELLOW, -1, 0, 0, 0, 0}},
		{SCREEN_BAR_REVIEWED, {CONFIG_GREEN, -1, 0, 0, 0, 0}},
	};

	for (int i = 0; i < SCREEN_ATTR_COUNT; i++)
		cfg->colours[i] = (struct config_colour){-1, -1, 0, 0, 0, 0};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		cfg->colours[defaults[i].attr] = defaults[i].c;
}

static char *
config_login_name(TALLOC_CTX *ctx)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = getenv("USER");

	if (pw && pw->pw_name)
		return talloc_strdup(ctx, pw->pw_name);
	return talloc_strdup(ctx, user ? user : "unknown");
}

struct config *
config_new(TALLOC_CTX *ctx)
{
	struct config *cfg = talloc_zero(ctx, struct config);
	const char *no_colour = getenv("NO_COLOR");

	if (!cfg)
		return NULL;
	cfg->reviewed_tag = talloc_strdup(cfg, "reviewed");
	cfg->note_tag = talloc_strdup(cfg, "noted");
	cfg->reviewer = config_login_name(cfg);
	cfg->attachment_dir = talloc_strdup(cfg, "");
	cfg->sidebar_width = 28;
	cfg->sidebar_visible = 1;
	cfg->head_cache = 1;
	cfg->mouse = 1;
	cfg->colour = !(no_colour && *no_colour);
	config_default_colours(cfg);
	for (size_t i = 0; i < sizeof(config_default_bindings) / sizeof(config_default_bindings[0]);
	     i++)
		config_bind(cfg, config_default_bindings[i].context, config_default_bindings[i].key,
			    config_default_bindings[i].command);
	return cfg;
}

char *
config_default_path(TALLOC_CTX *ctx)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		return talloc_asprintf(ctx, "%s/trawl/config", xdg);
	return talloc_asprintf(ctx, "%s/.config/trawl/config", home ? home : ".");
}

const char *
config_sort_name(enum config_sort sort)
{
	return (unsigned)sort < CONFIG_SORT_COUNT_OF ? config_sort_names[sort] : "newest";
}

int
config_sort_parse(const char *name)
{
	for (int i = 0; i < CONFIG_SORT_COUNT_OF; i++)
		if (!strcmp(name, config_sort_names[i]))
			return i;
	return -1;
}

const char *
config_context_name(enum config_context c)
{
	return (unsigned)c < CONFIG_CONTEXT_COUNT ? config_context_names[c] : "?";
}

static int
config_find_context(const char *name)
{
	for (int i = 0; i < CONFIG_CONTEXT_COUNT; i++)
		if (strcmp(name, config_context_names[i]) == 0)
			return i;
	return -1;
}

static int
config_parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
		 !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
config_parse_colour(const char *v, short *out)
{
	char *end;
	long n;

	if (!strcasecmp(v, "default")) {
		*out = -1;
		return 0;
	}
	for (short i = 0; i < 8; i++)
		if (!strcasecmp(v, config_colour_names[i])) {
			*out = i;
			return 0;
		}
	n = strtol(v, &end, 10);
	if (*v && !*end && n >= 0 && n < 256) {
		*out = (short)n;
		return 0;
	}
	return -1;
}

static trawl_status_t
config_set(struct config *cfg, char **argv, int argc, TALLOC_CTX *ctx, char **error)
{
	if (argc != 3) {
		*error = talloc_strdup(ctx, "usage: set OPTION VALUE");
		return TRAWL_PARSE;
	}
	for (size_t i = 0; i < sizeof(config_options) / sizeof(config_options[0]); i++) {
		void *field = (char *)cfg + config_options[i].offset;
		char *end;
		long n;
		int b;

		if (strcmp(argv[1], config_options[i].name) != 0)
			continue;
		switch (config_options[i].type) {
		case CONFIG_STRING:
			if (!*argv[2] && strcmp(argv[1], "attachment_dir") != 0) {
				*error = talloc_asprintf(ctx, "%s cannot be empty", argv[1]);
				return TRAWL_PARSE;
			}
			/* The review commands add it: it must be a tag notmuch takes. */
			if (!strcmp(argv[1], "reviewed_tag") && !tagops_valid_tag(argv[2], 1)) {
				*error = talloc_asprintf(ctx, "reviewed_tag: not a tag one can add "
							      "(a control character, or '-' first)");
				return TRAWL_PARSE;
			}
			talloc_free(*(char **)field);
			*(char **)field = talloc_strdup(cfg, argv[2]);
			return TRAWL_OK;
		case CONFIG_INT:
			n = strtol(argv[2], &end, 10);
			if (!*argv[2] || *end || n < 1 || n > 1000) {
				*error = talloc_asprintf(ctx, "%s: not a number from 1 to 1000: %s",
							 argv[1], argv[2]);
				return TRAWL_PARSE;
			}
			*(int *)field = (int)n;
			return TRAWL_OK;
		case CONFIG_SORT:
			if ((b = config_sort_parse(argv[2])) < 0) {
				*error = talloc_asprintf(ctx, "%s: expected newest, oldest or count, got %s",
							 argv[1], argv[2]);
				return TRAWL_PARSE;
			}
			*(int *)field = b;
			return TRAWL_OK;
		case CONFIG_OLDEST:
			if (config_parse_bool(argv[2], &b) < 0) {
				*error = talloc_asprintf(ctx, "%s: expected on or off, got %s",
							 argv[1], argv[2]);
				return TRAWL_PARSE;
			}
			*(int *)field = b ? CONFIG_SORT_OLDEST : CONFIG_SORT_NEWEST;
			return TRAWL_OK;
		case CONFIG_BOOL:
			if (config_parse_bool(argv[2], &b) < 0) {
				*error = talloc_asprintf(ctx, "%s: expected on or off, got %s",
							 argv[1], argv[2]);
				return TRAWL_PARSE;
			}
			*(int *)field = b;
			return TRAWL_OK;
		}
	}
	*error = talloc_asprintf(ctx, "unknown option %s", argv[1]);
	return TRAWL_PARSE;
}

static trawl_status_t
config_colour_directive(struct config *cfg, char **argv, int argc, TALLOC_CTX *ctx,
			char **error)
{
	struct config_colour c = {-1, -1, 0, 0, 0, 0};
	int attr = -1;

	if (argc < 3) {
		*error = talloc_strdup(ctx, "usage: color NAME FG [BG [ATTR...]]");
		return TRAWL_PARSE;
	}
	for (int i = 0; i < SCREEN_ATTR_COUNT; i++)
		if (!strcasecmp(argv[1], config_attr_names[i]))
			attr = i;
	if (attr < 0) {
		*error = talloc_asprintf(ctx, "unknown colour name %s", argv[1]);
		return TRAWL_PARSE;
	}
	if (config_parse_colour(argv[2], &c.fg) < 0 ||
	    (argc > 3 && config_parse_colour(argv[3], &c.bg) < 0)) {
		*error = talloc_asprintf(ctx, "unknown colour in: color %s %s %s", argv[1], argv[2],
					 argc > 3 ? argv[3] : "");
		return TRAWL_PARSE;
	}
	for (int i = 4; i < argc; i++) {
		if (!strcasecmp(argv[i], "bold"))
			c.bold = 1;
		else if (!strcasecmp(argv[i], "underline"))
			c.underline = 1;
		else if (!strcasecmp(argv[i], "reverse"))
			c.reverse = 1;
		else if (!strcasecmp(argv[i], "dim"))
			c.dim = 1;
		else {
			*error = talloc_asprintf(ctx, "unknown attribute %s", argv[i]);
			return TRAWL_PARSE;
		}
	}
	cfg->colours[attr] = c;
	return TRAWL_OK;
}

trawl_status_t
config_apply_line(struct config *cfg, const char *line, TALLOC_CTX *ctx, char **error)
{
	TALLOC_CTX *tmp = talloc_new(ctx);
	char **argv, *err = NULL;
	int argc = 0, context;
	trawl_status_t ts = TRAWL_OK;

	*error = NULL;
	argv = util_split_words(tmp, line, &argc, &err);
	if (!argv) {
		*error = talloc_strdup(ctx, err ? err : "out of memory");
		talloc_free(tmp);
		return TRAWL_PARSE;
	}
	if (argc == 0) {
		talloc_free(tmp);
		return TRAWL_OK;
	}
	if (!strcmp(argv[0], "set")) {
		ts = config_set(cfg, argv, argc, ctx, error);
	} else if (!strcmp(argv[0], "color") || !strcmp(argv[0], "colour")) {
		ts = config_colour_directive(cfg, argv, argc, ctx, error);
	} else if (!strcmp(argv[0], "bind") || !strcmp(argv[0], "unbind")) {
		int bind = argv[0][0] == 'b';

		if ((bind && argc < 4) || (!bind && argc != 3)) {
			*error = talloc_asprintf(ctx, "usage: %s", bind ? "bind CONTEXT KEY COMMAND"
								       : "unbind CONTEXT KEY");
			ts = TRAWL_PARSE;
		} else if ((context = config_find_context(argv[1])) < 0) {
			*error = talloc_asprintf(ctx, "unknown context %s (global, sidebar, list, "
						      "thread, help)", argv[1]);
			ts = TRAWL_PARSE;
		} else {
			/*
			 * The command is the rest of the line as written (quotes
			 * kept), so that it splits into the same words when run.
			 */
			char *cmd = bind ? util_rest_words(tmp, line, 3, &err) : NULL;

			/* An empty command would unbind the key, unlike what "bind" says. */
			if (bind && (!cmd || !argv[3][strspn(argv[3], " \t")])) {
				*error = talloc_asprintf(ctx, "bind %s %s: no command", argv[1],
							 argv[2]);
				ts = TRAWL_PARSE;
			} else {
				ts = config_bind(cfg, (enum config_context)context, argv[2], cmd);
			}
		}
	} else {
		*error = talloc_asprintf(ctx, "unknown directive %s (set, bind, unbind, color)",
					 argv[0]);
		ts = TRAWL_PARSE;
	}
	talloc_free(tmp);
	return ts;
}

/* Errors kept word for word; the rest are counted (a broken file must not slow the start). */
#define CONFIG_MAX_ERRORS 10

trawl_status_t
config_load_file(struct config *cfg, const char *path, char **errors)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0, n_errors = 0;

	*errors = NULL;
	if (!f) {
		if (errno == ENOENT)
			return TRAWL_OK;
		*errors = talloc_asprintf(cfg, "%s: %s", path, strerror(errno));
		return TRAWL_IO;
	}
	while (getline(&line, &cap, f) > 0) {
		char *err = NULL;

		lineno++;
		if (config_apply_line(cfg, line, cfg, &err) != TRAWL_OK &&
		    ++n_errors <= CONFIG_MAX_ERRORS)
			*errors = talloc_asprintf_append(*errors ? *errors : talloc_strdup(cfg, ""),
							 "%s%s:%u: %s", *errors ? "\n" : "", path,
							 lineno, err ? err : "error");
		talloc_free(err);
	}
	if (n_errors > CONFIG_MAX_ERRORS)
		*errors = talloc_asprintf_append(*errors, "\n%s: %u more errors not shown", path,
						 n_errors - CONFIG_MAX_ERRORS);
	free(line);
	fclose(f);
	return *errors ? TRAWL_PARSE : TRAWL_OK;
}

trawl_status_t
config_bind(struct config *cfg, enum config_context context, const char *key,
	    const char *command)
{
	for (size_t i = 0; i < cfg->n_bindings; i++) {
		struct config_binding *b = &cfg->bindings[i];

		if (b->context != context || strcmp(b->key, key) != 0)
			continue;
		talloc_free(b->command);
		b->command = talloc_strdup(cfg->bindings, command ? command : "");
		return TRAWL_OK;
	}
	/*
	 * Unbinding a key bound only globally takes an empty binding in the
	 * context, which hides the global one there (config_lookup()).
	 */
	if (!command && (context == CONFIG_GLOBAL || !config_lookup(cfg, CONFIG_GLOBAL, key)))
		return TRAWL_OK;
	cfg->bindings = talloc_realloc(cfg, cfg->bindings, struct config_binding,
				       cfg->n_bindings + 1);
	if (!cfg->bindings)
		return TRAWL_NOMEM;
	cfg->bindings[cfg->n_bindings] = (struct config_binding){
		.context = context,
		.key = talloc_strdup(cfg->bindings, key),
		.command = talloc_strdup(cfg->bindings, command ? command : ""),
	};
	cfg->n_bindings++;
	return TRAWL_OK;
}

const char *
config_lookup(const struct config *cfg, enum config_context context, const char *key)
{
	const char *global = NULL;

	for (size_t i = 0; i < cfg->n_bindings; i++) {
		const struct config_binding *b = &cfg->bindings[i];

		if (strcmp(b->key, key) != 0)
			continue;
		if (b->context == context)
			return *b->command ? b->command : NULL;
		if (b->context == CONFIG_GLOBAL)
			global = *b->command ? b->command : NULL;
	}
	return global;
}
