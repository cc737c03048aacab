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
#include "trawl/util.h"
#include "trawl/view.h"

#define CTX(c) (1u << CONFIG_##c)

static void
cmd_search_done(struct app *app, const char *line, void *data)
{
	if (*line)
		cmd_query_search(app, line);
}

static void
cmd_command_done(struct app *app, const char *line, void *data)
{
	cmd_run(app, line);
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
	case APP_FOCUS_VERSIONS:
		return CONFIG_VERSIONS;
	case APP_FOCUS_DIFF:
		return CONFIG_DIFF;
	case APP_FOCUS_STATS:
		return statsview_context(app);
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

/* Width of the help's key column and of its command column. */
#define CMD_HELP_KEYS_W 18
#define CMD_HELP_NAME_W 18

/*
 * A help line: keys and name in their columns, then the help text,
 * wrapped under its own column when the screen is wide enough for that
 * to be worth it (else cut where the screen ends).
 */
static void
cmd_help_line(struct app *app, const char *keys, int keys_len, const char *name,
	      const char *help)
{
	int indent = CMD_HELP_KEYS_W + CMD_HELP_NAME_W + 2, w = app->scr->w - indent;
	const char *p = help;

	do {
		int len = (int)strlen(p);

		if (w >= 30 && len > w) {
			/* At the last space that fits, else cut the word. */
			len = w;
			while (len > 0 && p[len] != ' ')
				len--;
			if (len == 0)
				len = w;
		}
		if (p == help)
			cmd_help_add(app, "%-*.*s %-*s %.*s", CMD_HELP_KEYS_W, keys_len, keys,
				     CMD_HELP_NAME_W, name, len, p);
		else
			cmd_help_add(app, "%*s%.*s", indent, "", len, p);
		p += len;
		while (*p == ' ')
			p++;
	} while (*p);
}

/*
 * One command's help lines: its keys (", "-separated) in their column,
 * wrapped onto lines of their own below when they do not fit it, never
 * into the command's column.
 */
static void
cmd_help_command(struct app *app, const char *keys, const struct cmd_entry *c)
{
	const char *p = keys;
	int first = 1;

	do {
		/* As many whole keys as fit the column (at least one), with a "," if more follow. */
		const char *end = p, *next;
		char *chunk;

		for (const char *sep = p;; sep = next + 2) {
			next = strstr(sep, ", ");
			if (!next)
				next = p + strlen(p);
			if (end != p && next - p + (*next ? 1 : 0) > CMD_HELP_KEYS_W)
				break;
			end = next;
			if (!*next)
				break;
		}
		chunk = talloc_asprintf(NULL, "%.*s%s", (int)(end - p), p, *end ? "," : "");
		if (first)
			cmd_help_line(app, chunk, (int)strlen(chunk), c->name, c->help);
		else
			cmd_help_add(app, "%s", chunk);
		talloc_free(chunk);
		first = 0;
		p = *end ? end + 2 : end;
	} while (*p);
}

/* Makes the help screen's lines: every binding of the focused pane with its command's help. */
static void
cmd_help_make(struct app *app)
{
	enum config_context context = cmd_help_context(app);
	TALLOC_CTX *tmp = talloc_new(NULL);
	size_t n_unbound = 0;

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
		if (*keys)
			cmd_help_command(app, keys, c);
		else
			n_unbound++;
	}
	/* Commands without a key last, so that the keys come first. */
	if (n_unbound) {
		cmd_help_add(app, "%s", "");
		cmd_help_add(app, "%s", "Without a key (type : and the name, e.g. :search from:alice):");
	}
	for (size_t i = 0; n_unbound && i < cmd_count; i++) {
		const struct cmd_entry *c = &cmd_table[i];

		if (cmd_applies(c, context) && !*cmd_help_keys(tmp, app->cfg, context, c->name))
			cmd_help_line(app, "", 0,
				      *c->args ? talloc_asprintf(tmp, "%s %s", c->name, c->args)
					       : c->name,
				      c->help);
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
		label = talloc_asprintf(app, "quit? %zu tag change%s kept in the journal", app->review->n_queue,
					app->review->n_queue == 1 ? "" : "s");
		app_confirm(app, label,
			    talloc_asprintf(label, "(%s): the next session writes %s", app->review->held,
					    app->review->n_queue == 1 ? "it" : "them"),
			    cmd_quit_keeping, NULL);
		talloc_free(label);
		return;
	}
	label = talloc_asprintf(app, "quit and drop %zu tag change%s not written yet?", pending,
				pending == 1 ? "" : "s");
	app_confirm(app, label,
		    *app->review->error ? app->review->error
		    : app->review->locked ? "(waiting for the database lock)"
					  : "(being written)",
		    cmd_quit_confirmed, NULL);
	talloc_free(label);
}

static void
cmd_back(struct app *app, int argc, char **argv)
{
	if (app->help)
		app->help = 0;
	else if (app->focus == APP_FOCUS_VERSIONS || app->focus == APP_FOCUS_DIFF)
		versionsview_back(app);
	else if (app->focus == APP_FOCUS_THREAD)
		threadview_close(app);
	else if (app->focus == APP_FOCUS_STATS)
		statsview_close(app);
	else
		cmd_quit(app, argc, argv);
}

/*
 * Escape: closes what is open, never trawl itself (a reflex Escape, or
 * one sent by a terminal for a mistyped key, must not end a session).
 */
static void
cmd_close(struct app *app, int argc, char **argv)
{
	if (app->help)
		app->help = 0;
	else if (app->focus == APP_FOCUS_VERSIONS || app->focus == APP_FOCUS_DIFF)
		versionsview_back(app);
	else if (app->focus == APP_FOCUS_THREAD && threadview_end_find(app))
		; /* a find ends first; the thread closes on the next Escape */
	else if (app->focus == APP_FOCUS_THREAD)
		threadview_close(app);
	else if (app->focus == APP_FOCUS_STATS)
		statsview_close(app);
	else if (cmd_query_unlimit(app))
		app_message(app, 0, "back to %s", view_query(app));
	else
		app_message(app, 0, "nothing to close (q quits)");
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
	if (index_reopen(app->idx) != TRAWL_OK) {
		app_message(app, 1, "%s", index_last_error(app->idx));
		return;
	}
	cmd_query_rerun(app);
	sidebar_reload(app);
	app_message(app, 0, "refreshed");
}

static void
cmd_search(struct app *app, int argc, char **argv)
{
	char *q = util_join(app, argc, argv, 1);

	if (q && *q)
		cmd_query_search(app, q);
	talloc_free(q);
}

/* Tab in a query prompt completes the tags and the field prefixes. */
static void
cmd_query_completions(struct app *app)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const char *const prefixes[] = {
		"from:", "to:", "subject:", "tag:", "date:", "id:", "thread:", "folder:",
		"path:", "query:", "attachment:", "mimetype:", "body:", "property:", "lastmod:",
		"and", "or", "not",
	};
	char **tags, **words;
	size_t n_tags = 0, n = 0;

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
cmd_prompt_search(struct app *app, int argc, char **argv)
{
	char *initial = util_join(NULL, argc, argv, 1);

	app_prompt(app, "search: ", initial, app->history_path, cmd_search_done, NULL);
	cmd_query_completions(app);
	talloc_free(initial);
}

static void
cmd_limit_done(struct app *app, const char *line, void *data)
{
	if (line[strspn(line, " ")])
		cmd_query_limit(app, line);
}

/* Narrows the list by more terms without retyping its query; unlimit steps back out. */
static void
cmd_limit(struct app *app, int argc, char **argv)
{
	char *terms = util_join(NULL, argc, argv, 1);

	if (terms && *terms)
		cmd_query_limit(app, terms);
	else {
		app_prompt(app, "limit to: ", "", app->history_path, cmd_limit_done, NULL);
		cmd_query_completions(app);
	}
	talloc_free(terms);
}

static void
cmd_unlimit(struct app *app, int argc, char **argv)
{
	if (cmd_query_unlimit(app))
		app_message(app, 0, "back to %s", view_query(app));
	else
		app_message(app, 0, "no limit to step out of");
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
	cmd_query_search(app, e->query);
	app->focus = APP_FOCUS_LIST;
}

static void
cmd_select_and(struct app *app, int argc, char **argv)
{
	const struct filter *e = sidebar_current(app);

	if (!e)
		return;
	cmd_query_limit(app, e->query);
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

/* Shows the list in order and says so, and where the order is remembered. */
static void
cmd_set_order(struct app *app, int order)
{
	static const char *const what[CONFIG_SORT_COUNT_OF] = {
		[CONFIG_SORT_NEWEST] = "newest first",
		[CONFIG_SORT_OLDEST] = "oldest first",
		[CONFIG_SORT_COUNT] = "most messages first",
	};
	char *search = NULL;

	cmd_query_set_order(app, order, app, &search);
	if (search)
		app_message(app, 0, "%s (kept for the saved search %s)", what[order], search);
	else
		app_message(app, 0, "%s", what[order]);
	talloc_free(search);
}

static void
cmd_toggle_order(struct app *app, int argc, char **argv)
{
	cmd_set_order(app, (app->list->order + 1) % CONFIG_SORT_COUNT_OF);
}

static void
cmd_sort(struct app *app, int argc, char **argv)
{
	int order = argc == 2 ? config_sort_parse(argv[1]) : -1;

	if (order < 0)
		app_message(app, 1, "sort: newest, oldest or count");
	else
		cmd_set_order(app, order);
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
	{"back", "", "close the help, the thread or a pane; quit from the thread list", 0, cmd_back},
	{"close", "", "close the help, the thread or a pane, or step out of the last limit (never quits)",
	 0, cmd_close},
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
	{"limit", "[TERMS]", "narrow the list to the threads also matching TERMS: (QUERY) and (TERMS)",
	 CTX(LIST) | CTX(SIDEBAR), cmd_limit},
	{"unlimit", "", "step back out of the last limit", CTX(LIST) | CTX(SIDEBAR), cmd_unlimit},
	{"focus-next", "", "move the focus to the next pane", 0, cmd_focus_next},
	{"focus-prev", "", "move the focus to the previous pane", 0, cmd_focus_prev},
	{"toggle-sidebar", "", "show or hide the filters pane", 0, cmd_toggle_sidebar},
	{"redraw", "", "redraw the screen", 0, cmd_redraw},
	{"refresh", "", "reopen the database and run the query again (new mail, other clients)",
	 0, cmd_refresh},
	{"select", "", "show the selected saved search or tag", CTX(SIDEBAR), cmd_select},
	{"select-and", "", "narrow the list by the selected filter (a limit)", CTX(SIDEBAR),
	 cmd_select_and},
	{"open", "", "open the selected thread", CTX(LIST), cmd_open},
	{"toggle-order", "", "sort newest first, oldest first, or by message count, in turn",
	 CTX(LIST), cmd_toggle_order},
	{"sort", "newest|oldest|count", "sort newest first, oldest first, or most messages first",
	 CTX(LIST), cmd_sort},
	{"next-unreviewed", "",
	 "go to the next unreviewed thread or message (during a find: the next match)",
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
	{"note", "[TEXT]", "write, edit or remove (empty) the reviewer's note on the message",
	 CTX(THREAD), cmd_note},
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
	{"read-attachment", "",
	 "read an attachment's text inside trawl (PDF, office documents, text; else what it is)",
	 CTX(THREAD), cmd_read_attachment},
	{"versions", "", "list the files of the message (its versions): show one, compare two",
	 CTX(THREAD), cmd_versions},
	{"diff-versions", "",
	 "compare the version shown with another (thread), or the file selected with it (files)",
	 CTX(THREAD) | CTX(VERSIONS), cmd_diff_versions},
	{"open-version", "", "show the file selected as the message, in the thread view",
	 CTX(VERSIONS), cmd_versions_pane},
	{"next-change", "", "go to the next difference between the versions", CTX(DIFF),
	 cmd_versions_pane},
	{"prev-change", "", "go to the previous difference between the versions", CTX(DIFF),
	 cmd_versions_pane},
	{"toggle", "", "expand or collapse the current message", CTX(THREAD), cmd_thread},
	{"toggle-all", "", "expand or collapse every message", CTX(THREAD), cmd_thread},
	{"next-message", "", "go to the next message", CTX(THREAD), cmd_thread},
	{"prev-message", "", "go to the previous message", CTX(THREAD), cmd_thread},
	{"toggle-headers", "", "show all headers of the current message", CTX(THREAD), cmd_thread},
	{"toggle-html", "", "prefer the HTML or the plain text part", CTX(THREAD), cmd_thread},
	{"toggle-raw", "", "show the raw source of the current message", CTX(THREAD), cmd_thread},
	{"toggle-quotes", "", "fold or unfold long quotes", CTX(THREAD), cmd_thread},
	{"parent-message", "", "go to the message this one replies to", CTX(THREAD), cmd_thread},
	{"next-sibling", "", "go to the next reply to the same message", CTX(THREAD), cmd_thread},
	{"prev-sibling", "", "go to the previous reply to the same message", CTX(THREAD),
	 cmd_thread},
	{"find", "", "find text in the thread (then n, N; Escape ends the find)", CTX(THREAD),
	 cmd_thread},
	{"find-next", "", "go to the next match of the find or the query", CTX(THREAD), cmd_thread},
	{"find-prev", "", "go to the previous match of the find or the query", CTX(THREAD),
	 cmd_thread},
	{"toggle-highlight", "", "show or hide the highlights of the query's terms or the find",
	 CTX(THREAD), cmd_thread},
	{"toggle-mark", "", "mark or unmark the row (thread or message) and move down",
	 CTX(LIST) | CTX(THREAD), cmd_toggle_mark},
	{"mark-pattern", "[QUERY]", "mark the threads of the list matching a query (empty: unmark all)",
	 CTX(LIST), cmd_mark_pattern},
	{"mark-prefix", "", "apply the next command to the marked rows (t * r E |)",
	 CTX(LIST) | CTX(THREAD), cmd_mark_prefix},
	{"pipe", "[COMMAND]", "pipe the raw message to a shell command line you type", CTX(THREAD),
	 cmd_pipe},
	{"pipe-rendered", "[COMMAND]", "pipe the message as shown to a shell command line you type",
	 CTX(THREAD), cmd_pipe},
	{"view-pager", "", "read the message as shown in $PAGER (default less)", CTX(THREAD),
	 cmd_view_pager},
	{"edit-raw", "", "open a read-only copy of the raw message in $EDITOR (default vi)",
	 CTX(THREAD), cmd_edit_raw},
	{"copy-message-id", "", "show the Message-ID (and copy it: set clipboard_osc52 on)",
	 CTX(THREAD), cmd_copy},
	{"copy-path", "", "show the message's file path (and copy it: set clipboard_osc52 on)",
	 CTX(THREAD), cmd_copy},
	/* cmd-stats.c: the timeline and correspondents panes. */
	{"timeline", "", "show or hide the query's messages per day, week, month or year",
	 CTX(LIST) | CTX(SIDEBAR) | CTX(TIMELINE) | CTX(PEOPLE), cmd_timeline},
	{"correspondents", "",
	 "show or hide who wrote to whom, and the tags, attachment types, folders and years",
	 CTX(LIST) | CTX(SIDEBAR) | CTX(TIMELINE) | CTX(PEOPLE), cmd_correspondents},
	{"narrow", "", "narrow the query to the period or entry under the cursor",
	 CTX(TIMELINE) | CTX(PEOPLE), cmd_narrow},
	{"widen", "", "step back out of the last narrowing or limit (as U)", 0, cmd_widen},
	{"timeline-by", "[day|week|month|year|auto]",
	 "count per day, week, month or year (no word: the next one)", CTX(TIMELINE),
	 cmd_timeline_by},
	{"next-section", "", "go to the next section", CTX(PEOPLE), cmd_next_section},
	{"prev-section", "", "go to the previous section", CTX(PEOPLE), cmd_next_section},
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

static int
cmd_is_directive(const char *word)
{
	return !strcmp(word, "set") || !strcmp(word, "bind") || !strcmp(word, "unbind") ||
	       !strcmp(word, "color") || !strcmp(word, "colour");
}

trawl_status_t
cmd_parse(TALLOC_CTX *ctx, const char *line, const struct cmd_entry **cmd, int *argc,
	  char ***argv, char **error)
{
	char *err = NULL, *rest;

	*cmd = NULL;
	*error = NULL;
	*argv = util_split_words(ctx, line, argc, &err);
	if (!*argv) {
		*error = talloc_asprintf(ctx, "%s: %s", line, err ? err : "out of memory");
		return TRAWL_PARSE;
	}
	if (*argc == 0 || cmd_is_directive((*argv)[0]))
		return TRAWL_OK;
	*cmd = cmd_find((*argv)[0]);
	if (!*cmd) {
		*error = talloc_asprintf(ctx, "unknown command: %s", (*argv)[0]);
		return TRAWL_PARSE;
	}
	/* A query is the rest of the line as written: its quotes are the query's. */
	if (strstr((*cmd)->args, "QUERY") && *argc > 1) {
		rest = util_rest_words(ctx, line, 1, &err);
		if (!rest)
			return TRAWL_NOMEM;
		(*argv)[1] = rest;
		(*argv)[2] = NULL;
		*argc = 2;
	}
	return TRAWL_OK;
}

void
cmd_run(struct app *app, const char *command)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **argv, *err = NULL;
	int argc = 0;
	const struct cmd_entry *cmd;

	if (cmd_parse(tmp, command, &cmd, &argc, &argv, &err) != TRAWL_OK) {
		app_message(app, 1, "%s", err ? err : "out of memory");
	} else if (argc == 0) {
		/* An empty line or a comment: nothing to do. */
	} else if (cmd) {
		if (!cmd_applies(cmd, view_focused(app)->context))
			app_message(app, 1, "%s: not available in the %s pane", argv[0],
				    view_focused(app)->name);
		else if (cmd->fn == cmd_mark_prefix || !cmd_marked_run(app, argc, argv))
			cmd->fn(app, argc, argv);
	} else {
		/* Config directives work on the command line too. */
		if (config_apply_line(app->cfg, command, tmp, &err) != TRAWL_OK)
			app_message(app, 1, "%s", err);
		else
			app_config_changed(app);
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

/*
 * A mouse event ("click X Y", "double X Y", "wheel-up X Y", "wheel-down X
 * Y"): the view moves the cursor; a double click then opens what it is on,
 * as Enter would there.
 */
static void
cmd_mouse(struct app *app, const char *ev)
{
	static const struct {
		const char *name;
		enum view_mouse ev;
	} evs[] = {{"click", VIEW_MOUSE_CLICK},
		   {"double", VIEW_MOUSE_DOUBLE},
		   {"wheel-up", VIEW_MOUSE_WHEEL_UP},
		   {"wheel-down", VIEW_MOUSE_WHEEL_DOWN}};
	char name[16];
	int x, y;
	const struct view_ops *pane;

	if (sscanf(ev, "%15s %d %d", name, &x, &y) != 3)
		return;
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (strcmp(name, evs[i].name))
			continue;
		talloc_free(app->message);
		app->message = NULL;
		pane = view_mouse(app, evs[i].ev, x, y);
		if (pane && evs[i].ev == VIEW_MOUSE_DOUBLE)
			cmd_run(app, pane == &view_list_ops	   ? "open"
				     : pane == &view_sidebar_ops ? "select"
				     : pane == &view_thread_ops  ? "toggle"
								 : "help");
		return;
	}
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
	if (!strncmp(key, "Mouse-", 6)) {
		cmd_mouse(app, key + 6);
		return;
	}
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
