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

struct stats; /* stats.h */

/* The thread list pane: a threadlist model plus the cursor over it. */
struct listview {
	struct threadlist *tl;
	size_t cursor, top;
	int follow_end; /* G pressed while loading: keep the cursor on the last row */
	char *want_thread; /* after a reload, put the cursor back on this thread */
	char *cursor_thread; /* the cursor's thread before the model changes */
	unsigned review_serial; /* the write queue's last finished job shown */
	int order;              /* enum config_sort */
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
	/* Puts the cursor on the row drawn at line y of the pane (a click); 0 if none is there. */
	int (*click)(struct app *app, int y);
};

/* A mouse event as the UI reports it (ui_key names "Mouse-click X Y"...). */
enum view_mouse {
	VIEW_MOUSE_CLICK,
	VIEW_MOUSE_DOUBLE,
	VIEW_MOUSE_WHEEL_UP,
	VIEW_MOUSE_WHEEL_DOWN,
};

/*
 * Handles a mouse event at column x, row y of the screen: a click focuses
 * the pane under it and puts its cursor on the row; the wheel scrolls the
 * pane under it by three rows.  Returns the pane that was clicked on a row
 * (for a double click to open it), NULL otherwise.
 */
const struct view_ops *view_mouse(struct app *app, enum view_mouse ev, int x, int y);

extern const struct view_ops view_sidebar_ops, view_list_ops, view_thread_ops, view_help_ops,
	view_timeline_ops, view_people_ops;

/* Opens the panes on app: the thread list of query ("" or NULL: "*") and the filters. */
void view_start(struct app *app, const char *query);

/* The query of the thread list on screen. */
const char *view_query(const struct app *app);

/* The query the limits were applied to (the list's own when there is none). */
const char *view_base_query(const struct app *app);

/*
 * Rows the message area takes at the bottom: 1, or one per line of a
 * message of several lines (config errors), up to half the screen.
 */
int view_message_rows(const struct app *app);

/* Rows left for the panes above the status line and the message area. */
int view_pane_height(const struct app *app);


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
struct listview *listview_new(struct app *app, const char *query, int order);
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
/* Ends a find in the thread (its highlights go); 0 if there was none. */
int threadview_end_find(struct app *app);
const char *threadview_thread_id(const struct app *app);
/* The Message-ID of the message under the cursor, NULL if none. */
const char *threadview_current_message(const struct app *app);
int threadview_current_reviewed(const struct app *app);
/* The rendered message under the cursor (rendered now if needed) and its file. */
const struct render_message *threadview_current_render(struct app *app);
const char *threadview_current_file(const struct app *app);
/* Marks or unmarks the current message and moves to the next; its new state, -1 if none. */
int threadview_toggle_mark(struct app *app);
/* The Message-IDs (files: the file names) of the marked messages, in thread order. */
char **threadview_marked(TALLOC_CTX *ctx, const struct app *app, int files, size_t *n);
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

/*
 * view-stats.c, view-timeline.c, view-people.c: the timeline and the
 * correspondents panes, over one stats model (stats.h) of the list's
 * query.  Each replaces the list while it has the focus (it needs the
 * width); a new query (narrowing, a search, widen) counts afresh.
 */
enum statsview_pane {
	STATSVIEW_TIMELINE,
	STATSVIEW_PEOPLE,
};

struct statsview {
	struct stats *st;
	enum statsview_pane pane;
	/* The timeline: its unit (chosen to fit the width unless set) and cursor. */
	int by;              /* enum stats_by, or -1 to fit the width */
	long cursor_day;     /* the first day of the period under the cursor; LONG_MIN: the peak */
	size_t first;        /* the first period shown (scrolling) */
	int last_by;         /* the unit drawn last (an auto unit follows the width) */
	/* The correspondents: the entry under the cursor and what is expanded. */
	int list;            /* enum stats_list of the cursor's entry */
	size_t item;         /* its index; STATSVIEW_MORE: the section's "more" row */
	size_t top;          /* the first row shown */
	unsigned expanded;   /* a bit per list showing every entry */
};

#define STATSVIEW_MORE ((size_t)-1)

/* Shows pane (opening the model on the list's query), or closes it when it is shown. */
void statsview_toggle(struct app *app, enum statsview_pane pane);
void statsview_close(struct app *app);
/* The context of the pane shown (CONFIG_TIMELINE or CONFIG_PEOPLE). */
enum config_context statsview_context(const struct app *app);
/*
 * Enter in the pane: *term (child of ctx) becomes the query term of what
 * is under the cursor, for the command to narrow the list by
 * (cmd_query_limit(), so that U or BSpace steps back out as from any
 * limit), or NULL when Enter expanded a section instead.  0 if nothing
 * is under the cursor.
 */
int statsview_narrow(struct app *app, TALLOC_CTX *ctx, char **term);
/* The timeline's unit: "day", "week", "month", "year", "auto", or NULL for the next one. */
void statsview_set_by(struct app *app, const char *by);
/* The correspondents pane: the cursor to the first entry of the next (dir 1) or previous section. */
void statsview_section(struct app *app, int dir);
/* The query counted (to follow the list's) and the model's changes; for view-*.c. */
int statsview_poll(struct app *app);



#endif
