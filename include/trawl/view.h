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

struct stats; /* stats.h */

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

extern const struct view_ops view_sidebar_ops, view_list_ops, view_thread_ops, view_help_ops,
	view_timeline_ops, view_people_ops;

/* Opens the panes on app: the thread list of query ("" or NULL: "*") and the filters. */
void view_start(struct app *app, const char *query);

/* The query of the thread list on screen. */
const char *view_query(const struct app *app);

/*
 * Runs query in the thread list (keeps the previous one if it is invalid);
 * the query it leaves is remembered for view_widen().
 */
void view_search(struct app *app, const char *query);

/* Runs the current query and term (narrowing it); view_widen() steps back. */
void view_narrow(struct app *app, const char *term);

/* Runs the query the last search left; 0 when there is none. */
int view_widen(struct app *app);

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
/* Narrows the query to what is under the cursor (or expands a section); 0 if nothing is. */
int statsview_narrow(struct app *app);
/* The timeline's unit: "day", "week", "month", "year", "auto", or NULL for the next one. */
void statsview_set_by(struct app *app, const char *by);
/* The correspondents pane: the cursor to the first entry of the next (dir 1) or previous section. */
void statsview_section(struct app *app, int dir);
/* The query counted (to follow the list's) and the model's changes; for view-*.c. */
int statsview_poll(struct app *app);



#endif
