/*
 * app: the state of one trawl session that views draw and commands act on.
 *
 * The app is the talloc root of a session: the index is created first and
 * freed last (app_free() frees the views explicitly before it, since a
 * parent's destructor runs before its children are freed).
 */
#ifndef TRAWL_APP_H
#define TRAWL_APP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "trawl/config.h"
#include "trawl/filters.h"
#include "trawl/index.h"
#include "trawl/screen.h"
#include "trawl/threadlist.h"

enum app_focus {
	APP_FOCUS_SIDEBAR,
	APP_FOCUS_LIST,
	APP_FOCUS_THREAD,
};

/* The thread list pane: a threadlist model plus the cursor over it. */
struct listview {
	struct threadlist *tl;
	size_t cursor, top;
	int follow_end; /* G pressed while loading: keep the cursor on the last row */
	char *want_thread; /* after a reload, put the cursor back on this thread */
	char *cursor_thread; /* the cursor's thread before the model changes */
};

/* The filters pane: the filters model plus the cursor over it. */
struct sidebar {
	struct filters *fl;
	size_t cursor, top;
	unsigned serial;    /* the model's serial the cursor was placed for */
	char *cursor_label; /* the cursor's entry, found again when the model lists anew */
};

struct threadview; /* view-thread.c */

struct prompt;     /* prompt.c */
struct review;     /* review.c */
struct app;

/* What to do with the prompt's line when Enter is pressed. */
typedef void (*app_prompt_fn)(struct app *app, const char *line, void *data);

struct app {
	index_t *idx;
	struct config *cfg;
	struct screen *scr;
	enum app_focus focus;
	int sidebar_visible;
	struct sidebar *sidebar;
	struct listview *list;
	struct threadview *thread; /* NULL unless a thread is open */
	struct prompt *prompt;     /* NULL unless the prompt line is active */
	app_prompt_fn prompt_done; /* called with the line on Enter */
	void *prompt_data;         /* owned by the prompt (freed with it) */
	struct review *review;     /* the write queue */
	unsigned review_serial;    /* last review->serial the views caught up with */
	struct bg_job *snapshot;   /* taking the message ids of a bulk change */
	struct snapshot_state *snapshot_state;
	struct bg_job *search_writer; /* writing a saved search */
	char *search_written;         /* its name, for the filters cursor */
	int help;                  /* the help screen is shown */
	size_t help_top;
	struct feed *feed;         /* tells the models of every commit */
	char *message;             /* last message for the status line */
	int message_is_error;
	int quit;
	time_t now;                /* for relative dates; fixed in tests */
	char *history_path;
	int repaint;               /* repaint the whole terminal on the next frame (C-l) */
	char **external;           /* a program to run with the terminal handed over (argv), or NULL */
};

/* Makes the app on an open index; queries start loading.  Aborts on out-of-memory. */
struct app *app_new(TALLOC_CTX *ctx, index_t *idx, struct config *cfg, const char *query,
		    int w, int h);
void app_free(struct app *app);

/* The query of the thread list on screen. */
const char *app_query(const struct app *app);

/* Runs query in the thread list (keeps the previous one if it is invalid). */
void app_search(struct app *app, const char *query);

/* Sets the status-line message (printf style). */
void app_message(struct app *app, int is_error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Draws every visible pane into app->scr. */
void app_draw(struct app *app);

/* Takes what background jobs sent; returns nonzero when a redraw is due. */
int app_poll(struct app *app);

/* A hash of the thread list rows on screen (0 when the list is not shown). */
uint64_t app_list_sig(const struct app *app);

/* The fds background jobs may write to (at most max); returns how many. */
int app_fds(const struct app *app, int *fds, int max);

/* Handles one key by name ("j", "C-d", "Enter"...): prompt, then bindings. */
void app_key(struct app *app, const char *key);

/*
 * Opens the prompt line with label and initial text; done gets the line
 * on Enter.  history_path may be NULL; data becomes a child of the prompt.
 */
void app_prompt(struct app *app, const char *label, const char *initial,
		const char *history_path, app_prompt_fn done, void *data);

/* Runs a command string as a key binding or the ':' line would. */
void app_run(struct app *app, const char *command);

/* Resizes the screen and the views. */
void app_resize(struct app *app, int w, int h);

#endif
