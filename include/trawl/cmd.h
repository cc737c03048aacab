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

/* Whether the command applies to context (global commands apply everywhere). */
int cmd_applies(const struct cmd_entry *cmd, enum config_context context);

/* cmd-review.c: the review workflow. */
void cmd_toggle_reviewed(struct app *app, int argc, char **argv);
void cmd_review_next(struct app *app, int argc, char **argv);
void cmd_tag(struct app *app, int argc, char **argv);
void cmd_tag_thread(struct app *app, int argc, char **argv);
void cmd_tag_all(struct app *app, int argc, char **argv);
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
