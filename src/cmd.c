/*
 * cmd: the command table and key dispatch.  See include/trawl/cmd.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/cmd-export.h"
#include "trawl/cmd.h"
#include "trawl/prompt.h"
#include "trawl/review.h"
#include "trawl/view.h"

#define CTX(c) (1u << CONFIG_##c)

static void
cmd_search_done(struct app *app, const char *line, void *data)
{
	if (*line)
		view_search(app, line);
}

static void
cmd_command_done(struct app *app, const char *line, void *data)
{
	cmd_run(app, line);
}

static char *
cmd_join(TALLOC_CTX *ctx, int argc, char **argv, int from)
{
	char *s = talloc_strdup(ctx, "");

	for (int i = from; s && i < argc; i++)
		s = talloc_asprintf_append(s, "%s%s", i > from ? " " : "", argv[i]);
	return s;
}

static void
cmd_move(struct app *app, long delta)
{
	const struct view_ops *v = view_focused(app);

	v->move(app, delta);
}

static long
cmd_page(const struct app *app)
{
	int h = view_focused(app)->height(app);

	return h > 1 ? h - 1 : 1;
}

static void
cmd_next(struct app *app, int argc, char **argv)
{
	cmd_move(app, 1);
}

static void
cmd_prev(struct app *app, int argc, char **argv)
{
	cmd_move(app, -1);
}

static void
cmd_page_down(struct app *app, int argc, char **argv)
{
	cmd_move(app, cmd_page(app));
}

static void
cmd_page_up(struct app *app, int argc, char **argv)
{
	cmd_move(app, -cmd_page(app));
}

static void
cmd_half_down(struct app *app, int argc, char **argv)
{
	cmd_move(app, (cmd_page(app) + 1) / 2);
}

static void
cmd_half_up(struct app *app, int argc, char **argv)
{
	cmd_move(app, -(cmd_page(app) + 1) / 2);
}

static void
cmd_first(struct app *app, int argc, char **argv)
{
	cmd_move(app, VIEW_FIRST);
}

static void
cmd_last(struct app *app, int argc, char **argv)
{
	cmd_move(app, VIEW_LAST);
}

/* The context whose bindings the help shows: the pane under the help screen. */
static enum config_context
cmd_help_context(const struct app *app)
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
cmd_help_keys(TALLOC_CTX *ctx, const struct config *cfg, enum config_context context,
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

static void
cmd_help_add(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cmd_help_add(struct app *app, const char *fmt, ...)
{
	va_list ap;

	app->help_lines =
		talloc_realloc(app, app->help_lines, char *, app->n_help_lines + 1);
	if (!app->help_lines)
		abort();
	va_start(ap, fmt);
	app->help_lines[app->n_help_lines++] = talloc_vasprintf(app->help_lines, fmt, ap);
	va_end(ap);
}

/* Makes the help screen's lines: every binding of the focused pane with its command's help. */
static void
cmd_help_make(struct app *app)
{
	enum config_context context = cmd_help_context(app);
	TALLOC_CTX *tmp = talloc_new(NULL);

	TALLOC_FREE(app->help_lines);
	app->n_help_lines = 0;
	cmd_help_add(app, "trawl key bindings: %s pane   (q or ? closes; j/k scroll)",
		     config_context_name(context));
	cmd_help_add(app, "%s", "");
	for (size_t i = 0; i < cmd_count; i++) {
		const struct cmd_entry *c = &cmd_table[i];
		char *keys;

		if (!cmd_applies(c, context))
			continue;
		keys = cmd_help_keys(tmp, app->cfg, context, c->name);
		cmd_help_add(app, "%-18s %-18s %s", *keys ? keys : "-", c->name, c->help);
	}
	cmd_help_add(app, "%s", "");
	cmd_help_add(app, "%s", "Rebind keys in ~/.config/trawl/config: bind list J next-unreviewed");
	talloc_free(tmp);
}

static void
cmd_help(struct app *app, int argc, char **argv)
{
	app->help = !app->help;
	app->help_top = 0;
	if (app->help)
		cmd_help_make(app);
}

static void
cmd_quit_confirmed(struct app *app, const char *line, void *data)
{
	if (!strcmp(line, "y") || !strcmp(line, "yes")) {
		/* Dropped, said so in the journal: the next session must not take them over. */
		review_drop(app->review);
		app->quit = 1;
	} else
		app_message(app, 0, "not quitting: the changes are still being written");
}

static void
cmd_quit_keeping(struct app *app, const char *line, void *data)
{
	if (!strcmp(line, "y") || !strcmp(line, "yes"))
		app->quit = 1;
	else
		app_message(app, 0, "not quitting");
}

/* Quits, unless tag changes are still queued: those are never dropped silently. */
static void
cmd_quit(struct app *app, int argc, char **argv)
{
	size_t pending = review_pending(app->review);
	char *label;

	if (pending == 0 && !cmd_review_snapshotting(app)) {
		app->quit = 1;
		return;
	}
	/* Held (the database is gone) and kept in the journal: quitting loses nothing. */
	if (app->review->held && review_keep(app->review) >= 0) {
		label = talloc_asprintf(app, "%zu tag change%s kept in the journal (%s): the next "
					"session writes %s. Quit? y/n: ",
					app->review->n_queue, app->review->n_queue == 1 ? "" : "s",
					app->review->held, app->review->n_queue == 1 ? "it" : "them");
		app_prompt(app, label, "", NULL, cmd_quit_keeping, NULL);
		talloc_free(label);
		return;
	}
	label = talloc_asprintf(app, "%zu tag change%s not written yet (%s). Quit and drop them? y/n: ",
				pending, pending == 1 ? "" : "s",
				*app->review->error ? app->review->error
				: app->review->locked ? "waiting for the database lock"
						      : "writing");
	app_prompt(app, label, "", NULL, cmd_quit_confirmed, NULL);
	talloc_free(label);
}

static void
cmd_back(struct app *app, int argc, char **argv)
{
	if (app->help)
		app->help = 0;
	else if (app->focus == APP_FOCUS_THREAD)
		threadview_close(app);
	else
		cmd_quit(app, argc, argv);
}

static void
cmd_redraw(struct app *app, int argc, char **argv)
{
	app->repaint = 1;
}

/* The terminal is raw (C-z is a key): the event loop stops the process as a shell's C-z would. */
static void
cmd_suspend(struct app *app, int argc, char **argv)
{
	app->suspend = 1;
}

static void
cmd_refresh(struct app *app, int argc, char **argv)
{
	const struct index_thread *cur = listview_current(app);
	char *keep = cur ? talloc_strdup(app, cur->thread_id) : NULL;

	if (index_reopen(app->idx) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		talloc_free(keep);
		return;
	}
	view_search(app, view_query(app));
	if (app->list && keep)
		app->list->want_thread = talloc_steal(app->list, keep);
	else
		talloc_free(keep);
	sidebar_reload(app);
	app_message(app, 0, "refreshed");
}

static void
cmd_search(struct app *app, int argc, char **argv)
{
	char *q = cmd_join(app, argc, argv, 1);

	if (q && *q)
		view_search(app, q);
	talloc_free(q);
}

static void
cmd_prompt_search(struct app *app, int argc, char **argv)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *initial = cmd_join(tmp, argc, argv, 1);
	static const char *const prefixes[] = {
		"from:", "to:", "subject:", "tag:", "date:", "id:", "thread:", "folder:",
		"path:", "query:", "attachment:", "mimetype:", "body:", "property:", "lastmod:",
		"and", "or", "not",
	};
	char **tags, **words;
	size_t n_tags = 0, n = 0;

	app_prompt(app, "search: ", initial, app->history_path, cmd_search_done, NULL);
	if (index_all_tags(app->idx, tmp, &tags, &n_tags) != TRAWL_OK)
		n_tags = 0;
	words = talloc_array(tmp, char *, n_tags + sizeof(prefixes) / sizeof(prefixes[0]));
	for (size_t i = 0; words && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		words[n++] = (char *)prefixes[i];
	for (size_t i = 0; words && i < n_tags; i++) {
		/* Tags that need quoting are completed quoted. */
		words[n++] = strpbrk(tags[i], " \"()") ? index_quote_term(tmp, "tag", tags[i])
						       : talloc_asprintf(tmp, "tag:%s", tags[i]);
	}
	if (words)
		prompt_set_completions(app->prompt, words, n);
	talloc_free(tmp);
}

static void
cmd_prompt_command(struct app *app, int argc, char **argv)
{
	char **words = talloc_array(NULL, char *, cmd_count);

	app_prompt(app, ":", "", NULL, cmd_command_done, NULL);
	for (size_t i = 0; words && i < cmd_count; i++)
		words[i] = (char *)cmd_table[i].name;
	if (words)
		prompt_set_completions(app->prompt, words, cmd_count);
	talloc_free(words);
}

static void
cmd_focus(struct app *app, int dir)
{
	if (app->focus == APP_FOCUS_THREAD)
		return;
	if (!app->sidebar_visible) {
		app->focus = APP_FOCUS_LIST;
		return;
	}
	app->focus = app->focus == APP_FOCUS_LIST ? APP_FOCUS_SIDEBAR : APP_FOCUS_LIST;
	(void)dir;
}

static void
cmd_focus_next(struct app *app, int argc, char **argv)
{
	cmd_focus(app, 1);
}

static void
cmd_focus_prev(struct app *app, int argc, char **argv)
{
	cmd_focus(app, -1);
}

static void
cmd_toggle_sidebar(struct app *app, int argc, char **argv)
{
	app->sidebar_visible = !app->sidebar_visible;
	if (!app->sidebar_visible && app->focus == APP_FOCUS_SIDEBAR)
		app->focus = APP_FOCUS_LIST;
}

static void
cmd_select(struct app *app, int argc, char **argv)
{
	const struct filter *e = sidebar_current(app);

	if (!e)
		return;
	view_search(app, e->query);
	app->focus = APP_FOCUS_LIST;
}

static void
cmd_select_and(struct app *app, int argc, char **argv)
{
	const struct filter *e = sidebar_current(app);
	char *q;

	if (!e)
		return;
	q = index_query_and(app, view_query(app), e->query);
	view_search(app, q);
	talloc_free(q);
	app->focus = APP_FOCUS_LIST;
}

static void
cmd_open(struct app *app, int argc, char **argv)
{
	const struct index_thread *t = listview_current(app);

	if (!t)
		return;
	if (threadview_open(app, t->thread_id) == TRAWL_OK)
		app->focus = APP_FOCUS_THREAD;
}

static void
cmd_toggle_order(struct app *app, int argc, char **argv)
{
	app->cfg->oldest_first = !app->cfg->oldest_first;
	view_search(app, view_query(app));
	app_message(app, 0, "%s first", app->cfg->oldest_first ? "oldest" : "newest");
}

static void
cmd_next_unreviewed(struct app *app, int argc, char **argv)
{
	struct listview *lv = app->list;

	if (app->focus == APP_FOCUS_THREAD) {
		threadview_command(app, "next-unreviewed");
		return;
	}
	if (listview_next_unreviewed(app))
		return;
	app_message(app, 0, lv->tl->state == THREADLIST_LOADING
				    ? "no unreviewed thread below (still loading)"
				    : "no unreviewed thread below");
}

static void
cmd_thread(struct app *app, int argc, char **argv)
{
	if (!threadview_command(app, argv[0]))
		app_message(app, 1, "%s: not available here", argv[0]);
}

const struct cmd_entry cmd_table[] = {
	{"help", "", "show the key bindings of this pane (again to close)", 0, cmd_help},
	{"quit", "", "quit trawl", 0, cmd_quit},
	{"back", "", "close the help or the thread; quit from the thread list", 0, cmd_back},
	{"next", "", "move down one row", 0, cmd_next},
	{"prev", "", "move up one row", 0, cmd_prev},
	{"page-down", "", "move down one page", 0, cmd_page_down},
	{"page-up", "", "move up one page", 0, cmd_page_up},
	{"half-page-down", "", "move down half a page", 0, cmd_half_down},
	{"half-page-up", "", "move up half a page", 0, cmd_half_up},
	{"first", "", "go to the first row", 0, cmd_first},
	{"last", "", "go to the last row (follows the list while it loads)", 0, cmd_last},
	{"prompt-search", "[QUERY]", "type a notmuch query (Up/Down: history, Tab: complete)", 0,
	 cmd_prompt_search},
	{"prompt-command", "", "type a command", 0, cmd_prompt_command},
	{"search", "QUERY", "show the threads matching QUERY", 0, cmd_search},
	{"focus-next", "", "move the focus to the next pane", 0, cmd_focus_next},
	{"focus-prev", "", "move the focus to the previous pane", 0, cmd_focus_prev},
	{"toggle-sidebar", "", "show or hide the filters pane", 0, cmd_toggle_sidebar},
	{"redraw", "", "redraw the screen", 0, cmd_redraw},
	{"refresh", "", "reopen the database and run the query again (new mail, other clients)",
	 0, cmd_refresh},
	{"select", "", "show the selected saved search or tag", CTX(SIDEBAR), cmd_select},
	{"select-and", "", "narrow the current query by the selected filter", CTX(SIDEBAR),
	 cmd_select_and},
	{"open", "", "open the selected thread", CTX(LIST), cmd_open},
	{"toggle-order", "", "sort newest first or oldest first", CTX(LIST), cmd_toggle_order},
	{"next-unreviewed", "", "go to the next unreviewed thread or message",
	 CTX(LIST) | CTX(THREAD), cmd_next_unreviewed},
	{"toggle-reviewed", "", "mark the message (thread view) or thread (list) reviewed, or not",
	 CTX(LIST) | CTX(THREAD), cmd_toggle_reviewed},
	{"review-next", "", "mark reviewed and go to the next unreviewed message or thread",
	 CTX(LIST) | CTX(THREAD), cmd_review_next},
	{"tag", "", "change the tags of the message (thread view) or thread (list): +a -b",
	 CTX(LIST) | CTX(THREAD), cmd_tag},
	{"tag-thread", "", "change the tags of every message of the thread", CTX(THREAD),
	 cmd_tag_thread},
	{"tag-all", "", "change the tags of every message of the query (asks first)", CTX(LIST),
	 cmd_tag_all},
	{"undo", "", "undo the last tag change (also after a restart)", 0, cmd_undo},
	{"redo", "", "redo the last undone tag change", 0, cmd_undo},
	{"cancel", "", "cancel the running bulk tag change", 0, cmd_cancel},
	{"export", "", "export the messages of the query (mbox or .eml folder, with a CSV index)",
	 CTX(LIST), cmd_export},
	{"save-search", "", "save the current query as a saved search (a notmuch named query)", 0,
	 cmd_save_search},
	{"rename-search", "", "rename the selected saved search", CTX(SIDEBAR), cmd_rename_search},
	{"edit-search", "", "edit the query of the selected saved search", CTX(SIDEBAR),
	 cmd_edit_search},
	{"delete-search", "", "delete the selected saved search (asks first)", CTX(SIDEBAR),
	 cmd_delete_search},
	{"save-attachment", "", "save an attachment of the message into a directory you choose",
	 CTX(THREAD), cmd_save_attachment},
	{"open-attachment", "", "open an attachment with run-mailcap or xdg-open (a private copy)",
	 CTX(THREAD), cmd_open_attachment},
	{"toggle", "", "expand or collapse the current message", CTX(THREAD), cmd_thread},
	{"toggle-all", "", "expand or collapse every message", CTX(THREAD), cmd_thread},
	{"next-message", "", "go to the next message", CTX(THREAD), cmd_thread},
	{"prev-message", "", "go to the previous message", CTX(THREAD), cmd_thread},
	{"toggle-headers", "", "show all headers of the current message", CTX(THREAD), cmd_thread},
	{"toggle-html", "", "prefer the HTML or the plain text part", CTX(THREAD), cmd_thread},
	{"toggle-raw", "", "show the raw source of the current message", CTX(THREAD), cmd_thread},
	{"toggle-quotes", "", "fold or unfold long quotes", CTX(THREAD), cmd_thread},
	{"suspend", "", "stop trawl and go back to the shell (fg comes back)", 0, cmd_suspend},
};
const size_t cmd_count = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; i < cmd_count; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

int
cmd_applies(const struct cmd_entry *cmd, enum config_context context)
{
	return cmd->contexts == 0 || (cmd->contexts & (1u << context));
}

void
cmd_run(struct app *app, const char *command)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **argv, *err = NULL;
	int argc = 0;
	const struct cmd_entry *cmd;

	argv = config_split(tmp, command, &argc, &err);
	if (!argv || argc == 0) {
		if (err)
			app_message(app, 1, "%s: %s", command, err);
		talloc_free(tmp);
		return;
	}
	cmd = cmd_find(argv[0]);
	if (cmd) {
		if (!cmd_applies(cmd, view_focused(app)->context))
			app_message(app, 1, "%s: not available in the %s pane", argv[0],
				    view_focused(app)->name);
		else
			cmd->fn(app, argc, argv);
	} else if (!strcmp(argv[0], "set") || !strcmp(argv[0], "bind") ||
		   !strcmp(argv[0], "unbind") || !strcmp(argv[0], "color")) {
		/* Config directives work on the command line too. */
		if (config_apply_line(app->cfg, command, tmp, &err) != TRAWL_OK)
			app_message(app, 1, "%s", err);
		else
			app_config_changed(app);
	} else {
		app_message(app, 1, "unknown command: %s", argv[0]);
	}
	talloc_free(tmp);
}

static void
cmd_prompt_submit(struct app *app)
{
	struct prompt *p = app->prompt;
	app_prompt_fn done = app->prompt_done;
	void *data = app->prompt_data;
	char *line = talloc_strdup(NULL, p->text);

	prompt_remember(p);
	/* The callback may open another prompt: detach this one first, free it after. */
	app->prompt = NULL;
	app->prompt_done = NULL;
	app->prompt_data = NULL;
	if (line && done)
		done(app, line, data);
	talloc_free(p);
	talloc_free(line);
}

void
cmd_key(struct app *app, const char *key)
{
	const char *command;

	if (app->prompt) {
		switch (prompt_key(app->prompt, key)) {
		case PROMPT_SUBMIT:
			cmd_prompt_submit(app);
			break;
		case PROMPT_CANCEL:
			TALLOC_FREE(app->prompt);
			break;
		case PROMPT_EDITING:
			break;
		}
		return;
	}
	if (app->list)
		app->list->follow_end = 0;
	command = config_lookup(app->cfg, view_focused(app)->context, key);
	if (!command) {
		if (strcmp(key, "Resize") != 0)
			app_message(app, 0, "%s: unbound key (? shows the bindings)", key);
		return;
	}
	talloc_free(app->message);
	app->message = NULL;
	cmd_run(app, command);
}
