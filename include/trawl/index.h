/*
 * index: the only module that calls libnotmuch.
 *
 * An index_t wraps a read-only database handle used for browsing; writes
 * open a short-lived read-write handle of their own.  Nothing returned by
 * this module holds a notmuch object: summaries and messages are copied
 * out into talloc memory owned by the ctx the caller passes, so the
 * database can be reopened at any time.
 *
 * Errors: functions return a trawl_status_t; index_last_error() gives the
 * detail of the last failure (a string owned by the index).
 */
#ifndef TRAWL_INDEX_H
#define TRAWL_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "trawl/status.h"

typedef struct index index_t;

enum index_sort {
	INDEX_SORT_NEWEST_FIRST,
	INDEX_SORT_OLDEST_FIRST,
};

/* A thread as the thread list shows it, copied out of notmuch. */
struct index_thread {
	char *thread_id;
	char *authors;  /* notmuch's "matched | unmatched" author list */
	char *subject;
	char *tags;     /* space separated, sorted */
	time_t newest;  /* newest date of the thread */
	time_t oldest;
	int matched;    /* messages matching the query */
	int total;      /* messages in the thread */
	int unreviewed; /* matched messages without the reviewed tag; -1 unknown */
};

/*
 * Opens the database named by the notmuch config.  config_path NULL means
 * NOTMUCH_CONFIG or the default (~/.notmuch-config, XDG); db_path NULL
 * means the one in the config.  On failure *out is NULL and the detail is
 * in *error (a child of ctx).
 */
trawl_status_t index_open(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
			  index_t **out, char **error);

/* Reopens the read-only handle, to see changes made by other processes. */
trawl_status_t index_reopen(index_t *idx);

/* The database path and the config path in use ("" when none). */
const char *index_db_path(const index_t *idx);
const char *index_config_path(const index_t *idx);
const char *index_last_error(const index_t *idx);

/* Checks the syntax of a query; the error detail in index_last_error(). */
trawl_status_t index_check_query(index_t *idx, const char *query);

/* Counts messages (or threads) matching query. */
trawl_status_t index_count_messages(index_t *idx, const char *query, unsigned *count);
trawl_status_t index_count_threads(index_t *idx, const char *query, unsigned *count);

/*
 * Copies out at most limit threads matching query, starting at offset in
 * sort order, into a talloc array (child of ctx).  *n receives the number
 * copied; fewer than limit means the end was reached.
 */
trawl_status_t index_threads(index_t *idx, TALLOC_CTX *ctx, const char *query,
			     enum index_sort sort, size_t offset, size_t limit,
			     struct index_thread **out, size_t *n);

/* Every tag in the database, sorted; a talloc array of strings. */
trawl_status_t index_all_tags(index_t *idx, TALLOC_CTX *ctx, char ***tags, size_t *n);

#endif
