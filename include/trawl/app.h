/*
 * app: the state of one trawl session: the index, the config, the screen,
 * the panes on it (the view stack), the status-line message and the list
 * of background jobs the event loop polls.  The app knows nothing of the
 * views or the commands: views (view.h) draw the models into the screen,
 * commands (cmd.h) act on the app and the views, and each registers the
 * jobs it starts with app_add_job().
 *
 * The app is the talloc root of a session: the index is created first and
 * freed last (the app's destructor frees the panes, jobs and write queue
 * explicitly before the rest, since a parent's destructor runs before its
 * children are freed; freeing the app's parent does the same).
 */
#ifndef TRAWL_APP_H
#define TRAWL_APP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "trawl/config.h"
#include "trawl/index.h"
#include "trawl/screen.h"

enum app_focus {
	APP_FOCUS_SIDEBAR,
	APP_FOCUS_LIST,
	APP_FOCUS_THREAD,
	APP_FOCUS_VERSIONS, /* the files of a message (view-versions.c) */
	APP_FOCUS_DIFF,     /* two versions of a message compared */
	APP_FOCUS_STATS, /* the timeline or correspondents pane (app->stats) */
};

struct listview;   /* view.h: the panes */
struct sidebar;
struct threadview; /* view-thread.c */
struct versionsview; /* view-versions.c */
struct statsview;  /* view-stats.c */

struct prompt;     /* prompt.c */
struct bg_job;     /* bg.h */
struct review;     /* review.c */
struct versionmap; /* versionmap.h */
struct app;

/* What to do with the prompt's line when Enter is pressed. */
typedef void (*app_prompt_fn)(struct app *app, const char *line, void *data);

/*
 * A background job the event loop polls (see app_add_job): poll takes
 * what it sent and returns nonzero when a frame is due; fds gives the fds
 * to wait on (at most max; returns how many), or for the common case of
 * one bg.h job, bg points at where that job is kept.  status, when set, is
 * shown on the status line while the job runs.  busy, set by the owner,
 * says the job has work to do in the UI process itself (in slices, one per
 * poll): the event loop then polls it again without waiting.
 */
struct app_job {
	int (*poll)(struct app *app, void *ud);
	int (*fds)(const struct app *app, void *ud, int *fds, int max);
	struct bg_job *const *bg; /* or (fds NULL) the one bg job whose fd to wait on, when set */
	const char *status;
	int busy;
	void *ud;
	struct app *app;
};

struct app {
	index_t *idx;
	struct config *cfg;
	struct screen *scr;
	/* The view stack: the panes, drawn by view.h. */
	enum app_focus focus;
	int sidebar_visible;
	struct sidebar *sidebar;
	struct listview *list;
	struct threadview *thread; /* NULL unless a thread is open */
	/*
	 * The limits (cmd_query_limit): limits[i] is the list's query before
	 * limit i was applied, so stepping back out restores them in turn.
	 */
	char **limits;
	size_t n_limits;
	struct versionsview *versions_view; /* the files of a message and their diff, or NULL */
	struct statsview *stats;   /* NULL unless the timeline or correspondents pane is open */
	char **query_back;         /* the queries searches left, newest last (widen goes back) */
	size_t n_query_back;
	int help;                  /* the help screen is shown, with these lines: */
	char **help_lines;
	size_t n_help_lines, help_top;
	struct prompt *prompt;     /* NULL unless the prompt line is active */
	app_prompt_fn prompt_done; /* called with the line on Enter */
	void *prompt_data;         /* owned by the prompt (freed with it) */
	/* The models every pane shares. */
	struct review *review;     /* the write queue */
	struct feed *feed;         /* tells the models of every commit */
	struct versionmap *versions; /* the versions of the messages on screen */
	/* Background jobs: slots are NULL once their owner is freed. */
	struct app_job **jobs;
	size_t n_jobs;
	char *message;             /* last message for the status line */
	int message_is_error;
	int quit;
	int suspend;               /* stop the process (C-z) on the next turn of the event loop */
	time_t now;                /* for relative dates; fixed in tests */
	char *history_path;
	int repaint;               /* repaint the whole terminal on the next frame (C-l) */
	struct app_external *external; /* a program to run with the terminal handed over, or NULL */
	char *clipboard;           /* text to put on the terminal's clipboard (OSC 52), or NULL */
	/* Marked threads of the list (ids, sorted); a new query clears them. */
	char **marks;
	size_t n_marks;
	int mark_prefix;           /* `;` pressed: the next command applies to the marked rows */
	double gone_since;         /* when the database was first seen gone (0: it is there) */
	int db_gone;               /* ... and it was said: writes are held */
};

/* Marks: toggles thread_id (returns 1 if now marked), tests it, adds many, clears all. */
int app_mark_toggle(struct app *app, const char *thread_id);
int app_is_marked(const struct app *app, const char *thread_id);
void app_marks_add(struct app *app, char **ids, size_t n);
void app_marks_clear(struct app *app);

/*
 * A program the event loop runs between keys with the terminal handed
 * over (main.c), then frees this.  argv runs with execvp, never through a
 * shell, except a command line the user typed (argv "/bin/sh" "-c" LINE).
 */
struct app_external {
	char **argv;
	int stdin_fd;      /* its standard input (closed when this is freed), -1: the terminal */
	int wait_key;      /* after it ends, wait for a key so its output can be read */
	char *what;        /* how the status line names it ("| wc -c") */
};

/* A new external program for app->external: argv (NULL-ended) copied; stdin the terminal. */
struct app_external *app_external_new(struct app *app, const char *const *argv, const char *what);

/*
 * Makes the session state on an open index (the write queue and the
 * change feed; no panes: view_start() opens them).  Aborts on
 * out-of-memory.
 */
struct app *app_new(TALLOC_CTX *ctx, index_t *idx, struct config *cfg, int w, int h);
void app_free(struct app *app);

/* After a ":set": the session takes the options that matter now (the reviewer's name). */
void app_config_changed(struct app *app);

/* Sets the status-line message (printf style). */
void app_message(struct app *app, int is_error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Polls poll/fds with ud between keys until owner is freed (owner is
 * the job's own state, never the app: app_free() frees the owners).
 * Aborts on out-of-memory.
 */
struct app_job *app_add_job(struct app *app, TALLOC_CTX *owner,
			    int (*poll)(struct app *app, void *ud),
			    int (*fds)(const struct app *app, void *ud, int *fds, int max), void *ud);

/*
 * Takes what the write queue, the change feed and every job sent; returns
 * nonzero when a redraw is due.
 */
int app_poll(struct app *app);

/* The fds the write queue and the jobs may write to (at most max); returns how many. */
int app_fds(const struct app *app, int *fds, int max);

/* Nonzero when a job has work in the UI process (app_job.busy). */
int app_busy(const struct app *app);

/* The status texts of the running jobs, "; "-separated ("" if none), allocated on ctx. */
char *app_jobs_status(TALLOC_CTX *ctx, const struct app *app);

/*
 * Opens the prompt line with label and initial text; done gets the line
 * on Enter.  history_path may be NULL; data becomes a child of the prompt.
 */
void app_prompt(struct app *app, const char *label, const char *initial,
		const char *history_path, app_prompt_fn done, void *data);

/*
 * Asks a yes/no question on the prompt line: y or n answers at once
 * (prompt.h), and done gets "y" or "n".  Keep question short (it is
 * shown whole, followed by " y/n", on 80 columns); detail (may be NULL),
 * such as the query or the first subjects, follows it as far as it fits.
 * data becomes a child of the prompt.
 */
void app_confirm(struct app *app, const char *question, const char *detail, app_prompt_fn done,
		 void *data);

/* Resizes the screen. */
void app_resize(struct app *app, int w, int h);

/*
 * The order (enum config_sort) a new list of query is shown in: the one
 * kept for its saved search when query is exactly one (query:NAME), in
 * the case's prefs file (prefs.h), else the session's (app->cfg->sort,
 * from "set sort").
 */
int app_order_for(const struct app *app, const char *query);

/*
 * Keeps order for the saved search query is, when it is one and the prefs
 * file takes it: returns the search's name (child of ctx); else for the
 * session (app->cfg->sort): returns NULL.
 */
char *app_keep_order(struct app *app, const char *query, int order, TALLOC_CTX *ctx);

/* The order kept for saved search old_name goes to new_name (NULL: is forgotten). */
void app_order_moved(struct app *app, const char *old_name, const char *new_name);

#endif
