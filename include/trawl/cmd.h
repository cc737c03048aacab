/*
 * cmd: the command table and key dispatch.  Keys are bound to command
 * strings, the ':' line runs the same strings, and the help screen is
 * generated from the table, so a command has exactly one name, one help
 * text and one function.  Commands act on the app and its panes (view.h);
 * the jobs they start register with app_add_job().
 */
#ifndef TRAWL_CMD_H
#define TRAWL_CMD_H

#include "trawl/app.h"

/* Handles one key by name ("j", "C-d", "Enter"...): the prompt line first, then the bindings. */
void cmd_key(struct app *app, const char *key);

/* Runs a command string as a key binding or the ':' line would. */
void cmd_run(struct app *app, const char *command);

/*
 * The thread list's query (cmd-query.c).  Each checks the query first:
 * an invalid one is said on the message line and the list stays.
 *
 * cmd_query_search: runs query as a new search; the limits are forgotten.
 * cmd_query_rerun: runs the list's query again, keeping its order, its
 * limits and the cursor's thread.
 * cmd_query_limit: narrows the list by terms: its query becomes
 * "(QUERY) and (TERMS)" and the old one is kept, to step back to.
 * cmd_query_unlimit: steps back out of the last limit (the cursor stays
 * on its thread); 0 if there is none.
 * cmd_query_set_order: shows the list in order (enum config_sort),
 * keeping the cursor's thread, and keeps it (app_keep_order()): for the
 * saved search the list's limits start from, else for the session;
 * *saved_search (may be NULL) gets that search's name (child of ctx) or NULL.
 */
void cmd_query_search(struct app *app, const char *query);
void cmd_query_rerun(struct app *app);
void cmd_query_limit(struct app *app, const char *terms);
int cmd_query_unlimit(struct app *app);
void cmd_query_set_order(struct app *app, int order, TALLOC_CTX *ctx, char **saved_search);

/* Contexts a command applies to, as a mask of (1 << enum config_context); 0 for all. */
struct cmd_entry {
	const char *name;
	const char *args; /* "" or e.g. "QUERY" */
	const char *help;
	unsigned contexts;
	void (*fn)(struct app *app, int argc, char **argv);
};

extern const struct cmd_entry cmd_table[];
extern const size_t cmd_count;

const struct cmd_entry *cmd_find(const char *name);

/*
 * Parses a command line as cmd_run() runs it, without running it.  *cmd is
 * the command's table entry, or NULL for a config directive (set, bind,
 * unbind, color: cmd_run() hands those to config_apply_line()) or an
 * empty line (*argc 0).  *argv (a child of ctx) holds the words, except
 * that a command taking a QUERY gets the rest of the line as written, as
 * one word: a query's quotes are its own.  TRAWL_PARSE with *error (a
 * child of ctx) for an unterminated quote or an unknown command.
 */
trawl_status_t cmd_parse(TALLOC_CTX *ctx, const char *line, const struct cmd_entry **cmd,
			 int *argc, char ***argv, char **error);

/* Whether the command applies to context (global commands apply everywhere). */
int cmd_applies(const struct cmd_entry *cmd, enum config_context context);

/* cmd-review.c: the review workflow. */
void cmd_toggle_reviewed(struct app *app, int argc, char **argv);
void cmd_review_next(struct app *app, int argc, char **argv);
void cmd_tag(struct app *app, int argc, char **argv);
void cmd_tag_thread(struct app *app, int argc, char **argv);
void cmd_tag_all(struct app *app, int argc, char **argv);
/*
 * A bulk change of every message of query, as `*` makes it: asks for the
 * ops (unless given), confirms naming what and the first subjects, takes a
 * snapshot of the ids, then batches and a journal entry undo reverses.
 * messages: the count if known, -1 while it is counted, -2 if not counted.
 */
void cmd_bulk_tag(struct app *app, const char *query, const char *what, const char *first,
		  long messages, const char *ops);
/* The reviewer's note on the current message: TEXT, or a prompt with the note to edit. */
void cmd_note(struct app *app, int argc, char **argv);
void cmd_undo(struct app *app, int argc, char **argv);
void cmd_cancel(struct app *app, int argc, char **argv);
/* cmd-search.c: saved searches. */
void cmd_save_search(struct app *app, int argc, char **argv);
void cmd_rename_search(struct app *app, int argc, char **argv);
void cmd_edit_search(struct app *app, int argc, char **argv);
void cmd_delete_search(struct app *app, int argc, char **argv);

/* cmd-attach.c: attachments. */
void cmd_save_attachment(struct app *app, int argc, char **argv);
void cmd_open_attachment(struct app *app, int argc, char **argv);
void cmd_read_attachment(struct app *app, int argc, char **argv);

/* cmd-marks.c: marking rows and applying a command to them. */
void cmd_toggle_mark(struct app *app, int argc, char **argv);
void cmd_mark_pattern(struct app *app, int argc, char **argv);
void cmd_mark_prefix(struct app *app, int argc, char **argv);
/*
 * With the `;` prefix, runs command on the marked rows if it applies to
 * them (tag, tag-all, toggle-reviewed, review-next, export, pipe) and
 * returns 1; else says it does not and returns 1; without the prefix 0.
 */
int cmd_marked_run(struct app *app, int argc, char **argv);
/* The query of the marked rows (threads in the list, messages in a thread), NULL if none. */
char *cmd_marked_query(TALLOC_CTX *ctx, struct app *app, size_t *n);

/* cmd-handon.c: handing the message on (pipe, pager, editor, copy). */
void cmd_pipe(struct app *app, int argc, char **argv);
void cmd_view_pager(struct app *app, int argc, char **argv);
void cmd_edit_raw(struct app *app, int argc, char **argv);
void cmd_copy(struct app *app, int argc, char **argv);
/* cmd-versions.c: the versions of a message. */
void cmd_versions(struct app *app, int argc, char **argv);
void cmd_diff_versions(struct app *app, int argc, char **argv);
void cmd_versions_pane(struct app *app, int argc, char **argv);

/*
 * Before r or R marks message_id (NULL: every message of thread_id)
 * reviewed: what the journal records of their versions in *note ("" when
 * none has several files), and 1 when a version of one was never on
 * screen in this session: *question then asks whether all were read.
 * Strings are children of ctx.
 */
int cmd_versions_review(struct app *app, TALLOC_CTX *ctx, const char *thread_id,
			const char *message_id, char **note, char **question);
/* cmd-stats.c: the timeline and correspondents panes. */
void cmd_timeline(struct app *app, int argc, char **argv);
void cmd_correspondents(struct app *app, int argc, char **argv);
void cmd_narrow(struct app *app, int argc, char **argv);
void cmd_widen(struct app *app, int argc, char **argv);
void cmd_timeline_by(struct app *app, int argc, char **argv);
void cmd_next_section(struct app *app, int argc, char **argv);

/* Whether a bulk change is still taking its snapshot of message ids (not queued yet). */
int cmd_review_snapshotting(const struct app *app);

#endif
