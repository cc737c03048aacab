/*
 * threadlist: the lazily filled model of a query's threads.
 *
 * Creating a threadlist starts two background jobs (see bg.h): a loader
 * that streams thread summaries in sort order and a counter that counts
 * messages, reviewed messages and threads.  The UI calls
 * threadlist_poll() between keystrokes; rows appear as they arrive, so the
 * first screen never waits for the whole result set.  The loader finds
 * the first rows through a small date window next to the database's newest
 * (oldest) date when the hints file knows it, so they do not wait for the
 * whole query to be sorted either (threadlist.c says why that is exact).
 * A list opened again on a database nobody has committed to since takes
 * its first rows from the head cache (headcache.h), which the counter
 * brings up to date after each of trawl's commits.
 * If the loader dies
 * (libnotmuch 0.37 aborts readers when another process commits during a
 * long iteration), it is restarted from the last row received.
 *
 * A list ordered by message count (THREADLIST_BY_COUNT) is loaded in the
 * newest-first order, with everything above, and shown through a
 * permutation sorted by count: while it loads, the rows loaded so far are
 * shown in their order (sorted again as more come, less often as the list
 * grows), so its first screen does not wait either.
 *
 * Ownership: rows and strings are children of the threadlist; a row
 * pointer is valid until the next threadlist_poll() or threadlist_free.
 */
#ifndef TRAWL_THREADLIST_H
#define TRAWL_THREADLIST_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "trawl/feed.h"
#include "trawl/index.h"
#include "trawl/tagops.h"

enum threadlist_state {
	THREADLIST_LOADING,
	THREADLIST_DONE,
	THREADLIST_ERROR, /* the query failed: threadlist_error() says why */
};

struct threadlist {
	index_t *idx;
	char *query;
	enum index_sort sort;
	struct index_thread *rows;
	size_t n_rows, cap_rows;
	enum threadlist_state state;
	char *error;      /* query error, or "" */
	char *notice;     /* e.g. "loader killed by signal 6; resumed at 1200", or "" */
	unsigned restarts;
	/* Counts, -1 while counting. */
	long n_messages, n_reviewed, n_threads;
	char *count_error;
	struct bg_job *loader, *counter;
	int count_pending;        /* counting starts after the first rows */
	/*
	 * The tail: the last rows, loaded by a second loader in the other sort
	 * order when the user jumps to the end before the list is complete
	 * (tail[0] is the very last row).  Between rows and tail there is a gap
	 * of rows not loaded yet; when the main loader reaches the tail's first
	 * row the two join and the list is complete.
	 */
	struct index_thread *tail;
	size_t n_tail, cap_tail;
	struct bg_job *tail_loader;
	int tail_done;
	size_t tail_limit;
	struct timespec started;
	size_t loader_skip; /* rows loaded when the current loader started */
	const char **seen;  /* thread ids already listed (a hash set), kept after a restart */
	char *hint_path;    /* per-database hints for the loader (see threadlist.c), or NULL */
	char *cache_path;   /* the head cache (headcache.h), or NULL */
	size_t head_rows;   /* first rows the loader found through a date window or the cache */
	int head_cached;    /* ... from the head cache */
	size_t n_seen, cap_seen;
	size_t loaded;      /* rows the loaders sent: the current loader's place in the query */
	/*
	 * Following commits (threadlist_update): rev is the revision every row
	 * reflects at least; an updater job reads again the threads changed
	 * since, and its rows replace, join or leave the list.  A thread that
	 * newly matches beyond the rows loaded so far waits in pending until
	 * the loader passes its place.
	 */
	unsigned long rev;
	struct bg_job *updater;
	unsigned long update_to;  /* the revision the running updater reads (0 until it says) */
	int update_again;         /* commits came while it ran */
	char **sent;              /* threads updaters stopped for a newer commit had sent */
	size_t n_sent, cap_sent;
	unsigned long sent_at;    /* ... read at this revision or later */
	char **priority;          /* thread ids to read first (those on screen) */
	size_t n_priority;
	struct index_thread *upd; /* rows the updater sent, applied once per poll */
	size_t n_upd, cap_upd;
	char **gone;              /* threads that no longer match */
	size_t n_gone;
	struct index_thread *pending;
	size_t n_pending, cap_pending;
	size_t visible_first, n_visible; /* rows on screen: updated first */
	size_t cursor_row;               /* ... the cursor's before them */
	/*
	 * THREADLIST_BY_COUNT: rows stay in the loader's (newest first)
	 * order; the list shows rows[order[0]], rows[order[1]]... for the
	 * n_order rows sorted so far.
	 */
	int by_count;
	size_t *order, n_order;
	int order_stale;          /* rows moved, or a row's count changed: sort at once */
	struct timespec order_at; /* when the rows were last sorted */
};

/* threadlist_new() flags. */
enum {
	THREADLIST_HEAD_CACHE = 1, /* read and keep the first rows in the head cache */
	THREADLIST_BY_COUNT = 2,   /* most messages first (then newest); sort must be newest first */
};

/*
 * Starts loading query; NULL on out-of-memory.  Errors show up as
 * THREADLIST_ERROR.  flags: THREADLIST_HEAD_CACHE or 0.
 */
struct threadlist *threadlist_new(TALLOC_CTX *ctx, index_t *idx, const char *query,
				  enum index_sort sort, unsigned flags);

/*
 * Takes what the background jobs have sent (at most budget bytes) and
 * restarts a loader that died.  Returns nonzero when something changed.
 */
int threadlist_poll(struct threadlist *tl, size_t budget);

/* The fds to wait on (at most 4); returns how many. */
int threadlist_fds(const struct threadlist *tl, int *fds);

/*
 * Logical rows: the loaded rows, then (while a tail is shown) one gap row
 * and the tail; by count, the rows sorted so far.
 */
size_t threadlist_len(const struct threadlist *tl);

/* Row i of threadlist_len(), or NULL for the gap of rows not loaded yet. */
struct index_thread *threadlist_row(const struct threadlist *tl, size_t i);

/* Whether a tail is shown with a gap before it. */
int threadlist_has_gap(const struct threadlist *tl);

/* Loads the last n rows now (the same query sorted the other way), for a jump to the end. */
void threadlist_load_tail(struct threadlist *tl, size_t n);

/* Loader pid, for tests of its containment (-1 when not running). */
pid_t threadlist_loader_pid(const struct threadlist *tl);

/* Counts again in the background (after tag changes); old counts stay until new ones arrive. */
void threadlist_recount(struct threadlist *tl);

/*
 * Brings the rows to the index's revision in the background: the threads
 * of the messages changed since the rows were read (lastmod:) are read
 * again, priority[0..n) (thread ids, e.g. those on screen) first; a row is
 * updated in place, dropped when its thread no longer matches, and a
 * thread that now matches joins at its place.  Row pointers and indices
 * change as rows join or leave: find rows by thread id afterwards.  Counts
 * are counted again too.
 */
void threadlist_update(struct threadlist *tl, char *const *priority, size_t n);

/* Updates the list on every commit the feed reports (until the list is freed). */
void threadlist_follow(struct threadlist *tl, struct feed *feed);

/* The rows on screen and the cursor's, which an update reads first (the cursor's before all). */
void threadlist_set_visible(struct threadlist *tl, size_t first, size_t n, size_t cursor);

/* Whether an update is reading (tests, the bench). */
int threadlist_updating(const struct threadlist *tl);

/* Blocks until loading and counting end (tests and non-interactive use). */
void threadlist_wait(struct threadlist *tl);

/*
 * Trawl's own writer committed ops to all n_messages messages of
 * thread_id: the row shows it at once (its tags, and its unreviewed count
 * when ops touch the index's reviewed tag, the one the rows were read
 * with), without waiting for the updater, which reads the same again.  Applied only when n_messages is the row's whole
 * thread (returns 1); 0 otherwise.
 */
int threadlist_apply_committed(struct threadlist *tl, const char *thread_id, size_t n_messages,
			       const struct tagops *ops);

/* Finds the logical row of thread_id; -1 when absent. */
long threadlist_find(const struct threadlist *tl, const char *thread_id);

#endif
