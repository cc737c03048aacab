/*
 * view: the panes of the screen.  Each pane is a table of operations
 * (struct view_ops, as tig does), so commands such as "next" or
 * "page-down" work the same way on whichever pane has the focus.
 *
 * A pane draws a model (threadlist.h, thread.h, filters.h) and keeps
 * only what is its own: the cursor, the scroll position, what is
 * expanded.  The models read the index in the background and follow the
 * change feed; each pane registers its model's polling as an app job.
 * Views draw into app->scr; strings from mail go through screen_puts()
 * and so through the text module's neutraliser.
 */
#ifndef TRAWL_VIEW_H
#define TRAWL_VIEW_H

#include <limits.h>
#include <stdint.h>

#include "trawl/app.h"
#include "trawl/filters.h"
#include "trawl/threadlist.h"
#include "trawl/versions.h"

/* The thread list pane: a threadlist model plus the cursor over it. */
struct listview {
	struct threadlist *tl;
	size_t cursor, top;
	int follow_end; /* G pressed while loading: keep the cursor on the last row */
	char *want_thread; /* after a reload, put the cursor back on this thread */
	char *cursor_thread; /* the cursor's thread before the model changes */
	unsigned review_serial; /* the write queue's last finished job shown */
};

/* The filters pane: the filters model plus the cursor over it. */
struct sidebar {
	struct filters *fl;
	size_t cursor, top;
	unsigned serial;    /* the model's serial the cursor was placed for */
	char *cursor_label; /* the cursor's entry, found again when the model lists anew */
};

#define VIEW_FIRST LONG_MIN
#define VIEW_LAST LONG_MAX

struct view_ops {
	const char *name;
	enum config_context context;
	void (*draw)(struct app *app, int x, int y, int w, int h);
	/* Moves the cursor by delta rows (VIEW_FIRST / VIEW_LAST for the ends). */
	void (*move)(struct app *app, long delta);
	/* Rows the pane shows, for paging. */
	int (*height)(const struct app *app);
};

extern const struct view_ops view_sidebar_ops, view_list_ops, view_thread_ops, view_help_ops;

/* Opens the panes on app: the thread list of query ("" or NULL: "*") and the filters. */
void view_start(struct app *app, const char *query);

/* The query of the thread list on screen. */
const char *view_query(const struct app *app);

/* Runs query in the thread list (keeps the previous one if it is invalid). */
void view_search(struct app *app, const char *query);

/* Draws every visible pane and the status line into app->scr. */
void view_draw(struct app *app);

/* A hash of the thread list rows on screen (0 when the list is not shown). */
uint64_t view_list_sig(const struct app *app);

/* The pane that has the focus (the help screen when shown). */
const struct view_ops *view_focused(const struct app *app);

/* Moves *cursor by delta within [0, n) and keeps it inside the window [*top, *top + h). */
void view_move_cursor(size_t *cursor, size_t n, long delta);
void view_scroll_to(size_t cursor, size_t *top, size_t n, int h);

/* Formats a date for a list column: "14:32", "yesterday", "Tue 09:12", "Apr 03", "2017-04-03". */
const char *view_format_date(time_t t, time_t now, char *buf, size_t len);

/* view-list.c */
struct listview *listview_new(struct app *app, const char *query);
const struct index_thread *listview_current(const struct app *app);
/* A hash of what the list pane of height h shows: a change means a frame is due. */
uint64_t listview_visible_sig(const struct app *app, int h);
/* Moves to the next thread with unreviewed messages; 0 if none is loaded below. */
int listview_next_unreviewed(struct app *app);
/* Runs the query again, keeping the cursor on the same thread. */
void listview_reload(struct app *app);

/* view-sidebar.c */
struct sidebar *sidebar_new(struct app *app);
const struct filter *sidebar_current(const struct app *app);
void sidebar_reload(struct app *app);
/* The same, putting the cursor on the entry labelled want if there is one. */
void sidebar_reload_at(struct app *app, const char *want);
/* Counts the entries again (after tag changes), keeping the old counts until new ones arrive. */
void sidebar_recount(struct app *app);

/* view-thread.c */
trawl_status_t threadview_open(struct app *app, const char *thread_id);
void threadview_close(struct app *app);
int threadview_command(struct app *app, const char *name);
const char *threadview_thread_id(const struct app *app);
/* The Message-ID of the message under the cursor, NULL if none. */
const char *threadview_current_message(const struct app *app);
int threadview_current_reviewed(const struct app *app);
/* The rendered message under the cursor (rendered now if needed) and its file. */
const struct render_message *threadview_current_render(struct app *app);
const char *threadview_current_file(const struct app *app);
/* True while the current message renders in a child (a long message). */
int threadview_current_rendering(const struct app *app);
/* Moves to (and expands) the next unreviewed message below; 0 if none. */
int threadview_next_unreviewed(struct app *app);
/* Shows path, one of the files of message_id, as that message (versions); 0 if not in the thread. */
int threadview_show_file(struct app *app, const char *message_id, const char *path);

/*
 * view-versions.c: the files of a message (its versions) and two of them
 * compared.  The files pane lists message_id's files with path, folder,
 * size, date and SHA-256, the one shown marked; back returns to the pane
 * it was opened from.
 */
extern const struct view_ops view_versions_ops, view_diff_ops;
/* The files pane's or the diff pane's ops when one has the focus, else NULL. */
const struct view_ops *versionsview_ops(const struct app *app);
int versionsview_open(struct app *app, const struct versions *v, const char *thread_id,
		      const char *shown);
/* Compares file a with file b of v (indexes in v->files) in the diff pane. */
int versionsview_diff(struct app *app, const struct versions *v, const char *thread_id,
		      const char *shown, long a, long b);
void versionsview_back(struct app *app);
/* The pane's commands: open-version, diff-versions, next-change, prev-change; 0 if not its. */
int versionsview_command(struct app *app, const char *name);
/* "  [3 files, 2 versions; version 1 shown]" for the thread view's summary line, or "". */
char *versionsview_mark(TALLOC_CTX *ctx, struct app *app, const char *message_id,
			const char *shown);



#endif
