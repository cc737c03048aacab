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
 * detail of the last failure (a string owned by the index), with
 * libnotmuch's own detail when it has one.
 *
 * Every read runs on the newest commit and survives later ones: when a
 * read fails because a commit discarded the revision it was reading, the
 * handle is reopened and the read run once more (index.c, INDEX_READ).
 */
#ifndef TRAWL_INDEX_H
#define TRAWL_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "trawl/status.h"
#include "trawl/tagops.h"

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
	int unreviewed; /* messages without the reviewed tag; -1 unknown */
};

/*
 * Opens the database named by the notmuch config.  config_path NULL means
 * NOTMUCH_CONFIG or the default (~/.notmuch-config, XDG); db_path NULL
 * means the one in the config.  On failure *out is NULL and the detail is
 * in *error (a child of ctx).
 */
trawl_status_t index_open(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
			  index_t **out, char **error);

/*
 * Opens the database of a trawl case (cache: a directory with its own
 * notmuch-config, as `trawl import` makes) or, cache NULL, the one
 * NOTMUCH_CONFIG or the default config names, as every subcommand's
 * --cache does.  A missing config file is an error here (libnotmuch would
 * quietly fall back to defaults): TRAWL_USAGE, with *error saying which
 * file.  Otherwise as index_open().
 */
trawl_status_t index_open_case(TALLOC_CTX *ctx, const char *cache, index_t **out, char **error);

/* Opens another handle on the same database and config as idx (for child processes). */
trawl_status_t index_open_like(TALLOC_CTX *ctx, const index_t *idx, index_t **out, char **error);

/* Returns prefix:"value" with quotes doubled, safe to combine into a query. */
char *index_quote_term(TALLOC_CTX *ctx, const char *prefix, const char *value);

/* Whether q matches every message ("", "*" or NULL). */
int index_is_all(const char *q);

/*
 * q made safe to embed in a larger query: an unterminated quoted phrase
 * or term is closed, unclosed parentheses are closed, and a closing one
 * with no opening one before it gets one at the start.  Alone, Xapian
 * closes what is left open the same way, but in "(a) and (b)" an open
 * quote in a would take the rest, b among it, into a phrase, and a stray
 * ')' would end a's group early and put b under a's "or".
 */
char *index_query_balance(TALLOC_CTX *ctx, const char *q);

/*
 * Returns "(a) and (b)" of the balanced a and b (index_query_balance()),
 * treating "" and "*" as match-all (Xapian cannot parse "(*)"), and a
 * query without a term ("-", "()") as the match-nothing it is alone.
 */
char *index_query_and(TALLOC_CTX *ctx, const char *a, const char *b);

/* Reopens the read-only handle, to see changes made by other processes. */
trawl_status_t index_reopen(index_t *idx);

/*
 * Reopens the read-only handle when a commit (trawl's or another
 * program's) has come since it was opened; *reopened (may be NULL) says
 * whether it did.  It costs a stat of Xapian's version file, so every
 * read does it first: reads see the newest commit.  Not while a cursor of
 * idx is open.
 */
trawl_status_t index_refresh(index_t *idx, int *reopened);

/*
 * The revision the read handle sees (notmuch's lastmod counter: the query
 * lastmod:A..B finds the messages changed by the commits A to B) and, in
 * *uuid (may be NULL; owned by the index), the database's UUID: a new UUID
 * is a new database, whose revisions start again.
 */
unsigned long index_revision(const index_t *idx, const char **uuid);

/*
 * Whether the database has left its place (deleted, moved away, or in the
 * middle of being replaced): 0 while Xapian's version file is there.  When
 * it is gone and its directory moved within the file system (the read
 * handle keeps it open), *now (child of ctx) is the database path it has
 * now; else *now is NULL.
 */
int index_gone(const index_t *idx, TALLOC_CTX *ctx, char **now);

/*
 * Derived files.  `trawl extract` (derive.h) writes, for a message with
 * attachments, a second file carrying the message's Message-ID and the
 * text of its attachments, so that notmuch indexes that text into the
 * message.  Such a file is never the message: every function of this
 * module that names a message's files (index_message.filename,
 * index_message_info.filenames, index_files.paths, index_message_file(),
 * index_build_message_files()) leaves derived files out, through one
 * helper in index.c, so the reader, `trawl show`, export, versions and
 * attachment saving always read the original.  A file is derived when it
 * lies under MAIL_ROOT/INDEX_DERIVED_DIR/, MAIL_ROOT being the database's
 * mail root (database.mail_root, by default its path).
 */
#define INDEX_DERIVED_DIR ".trawl-derived"

/*
 * Whether path (absolute, as notmuch gives it) is a derived file of the
 * database whose mail root is mail_root (a trailing '/' allowed).  A
 * folder of that name deeper in the tree is mail like any other.
 */
int index_path_is_derived(const char *mail_root, const char *path);

/* The database's mail root (notmuch 0.37's database.mail_root). */
const char *index_mail_root(const index_t *idx);

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

/*
 * A cursor over the threads of a query, for loaders that stream a whole
 * result set.  Opening it computes the match set; skip threads are passed
 * over without being built (to resume a load).  Free it with talloc_free().
 */
typedef struct index_cursor index_cursor_t;

trawl_status_t index_cursor_open(index_t *idx, TALLOC_CTX *ctx, const char *query,
				 enum index_sort sort, size_t skip, index_cursor_t **out);

/* Copies the next thread into *row (strings children of ctx); TRAWL_NOT_FOUND at the end. */
trawl_status_t index_cursor_next(index_cursor_t *cur, TALLOC_CTX *ctx, struct index_thread *row);

/*
 * The ids of the first `want` threads of query in sort order, found from its
 * messages (a thread comes where its first message in that order comes),
 * without building the threads: cheap when query matches few messages, such
 * as a date window.  *n < want when the query has fewer threads.
 */
trawl_status_t index_first_thread_ids(index_t *idx, TALLOC_CTX *ctx, const char *query,
				      enum index_sort sort, size_t want, char ***out, size_t *n);

/*
 * The date of query's first message in sort order: the newest date for
 * INDEX_SORT_NEWEST_FIRST.  TRAWL_NOT_FOUND when nothing matches.  It sorts
 * the whole match, so it costs what listing query costs: for background jobs.
 */
trawl_status_t index_edge_date(index_t *idx, const char *query, enum index_sort sort,
			       long long *out);

/*
 * The row of thread_id exactly as a cursor over query would give it (its
 * matched messages are those matching query); TRAWL_NOT_FOUND when no
 * message of the thread matches.
 */
trawl_status_t index_thread_row(index_t *idx, TALLOC_CTX *ctx, const char *thread_id,
				const char *query, enum index_sort sort, struct index_thread *row);

/*
 * Everything besides the database that decides query's threads and their
 * rows: the query, the text of the saved searches it uses at any depth, the
 * reviewed tag and the excluded tags.  NULL when the answer may change with
 * the clock alone (any "date" in them: date:1w.. is relative) or on
 * out-of-memory.  Two equal fingerprints on the same committed database
 * give the same rows.
 */
char *index_query_fingerprint(index_t *idx, TALLOC_CTX *ctx, const char *query);

/* The tag that marks a message as reviewed (default "reviewed"). */
void index_set_reviewed_tag(index_t *idx, const char *tag);
const char *index_reviewed_tag(const index_t *idx);

/* One message of a thread, in thread (reply tree) order. */
struct index_message {
	char *message_id;
	char *filename; /* first file of the message */
	char *from, *subject; /* To and Cc are not in the index: render reads them */
	char *tags;     /* space separated, sorted */
	time_t date;
	int reviewed;   /* has the reviewed tag */
	int depth;      /* reply depth, 0 for a top-level message */
	long parent;    /* index of the message it replies to in the thread's array, -1 if none */
	int matched;    /* matches the query the thread was opened with */
	char *note;     /* the reviewer's note (note.h), "" when none */
};

/*
 * Copies out every message of thread_id in reply-tree order (depth first:
 * a message, then its replies, each with its depth and parent), flagging
 * those that match query (NULL or "" for all).  Depth is not bounded (the
 * walk keeps its own stack).
 */
trawl_status_t index_thread_messages(index_t *idx, TALLOC_CTX *ctx, const char *thread_id,
				     const char *query, struct index_message **out, size_t *n);

/* A saved search: a notmuch named query ("query.NAME" in the database config). */
struct index_search {
	char *name;
	char *query;
	int in_file; /* defined in the notmuch config file, which trawl does not rewrite */
};

/* The saved searches, sorted by name; a talloc array (child of ctx). */
trawl_status_t index_saved_searches(index_t *idx, TALLOC_CTX *ctx, struct index_search **out,
				    size_t *n);

/*
 * One message's tag change: either ops, or (ops NULL) the exact tag set
 * exact[0..n_exact) to restore, as undo does.  With note set, the
 * message's note (note.h) becomes note ("" removes it) in the same
 * transaction; with note_was set too, the message is changed (tags and
 * note) only if its note is note_was, so an undo leaves alone a note
 * somebody changed since.
 */
struct index_change {
	const char *message_id;
	const struct tagops *ops;
	char *const *exact;
	size_t n_exact;
	const char *note;
	const char *note_was;
};

/*
 * A message's tags and note before a change (found 0: no such message;
 * skipped 1: its note was not the change's note_was, so nothing changed).
 */
struct index_old_tags {
	char *message_id;
	char **tags;
	size_t n;
	int found;
	char *note;
	int skipped;
};

/*
 * Applies the changes in one atomic transaction on a short-lived
 * read-write handle that is closed (and so committed) before returning:
 * either every change is in the database or none is.  Every libnotmuch
 * status is checked.  The tags each message had before are copied into
 * *old (array of n, child of ctx).  before_commit (may be NULL) runs
 * after the changes are made and before they are committed, with the old
 * tags, so a journal can be written ahead of the commit; a nonzero return
 * abandons the transaction (TRAWL_CANCELLED).  Maildir flags are synchronised (files
 * renamed) only when sync_maildir_flags is set.  Returns TRAWL_LOCKED
 * when another process holds the write lock, TRAWL_READ_ONLY when the
 * database cannot be written; the read-only handle is reopened after a
 * commit so browsing sees the change.
 */
typedef int (*index_before_commit_fn)(void *ud, const struct index_old_tags *old, size_t n);

trawl_status_t index_apply(index_t *idx, TALLOC_CTX *ctx, const struct index_change *changes,
			   size_t n, int sync_maildir_flags, index_before_commit_fn before_commit,
			   void *ud, struct index_old_tags **old);

/*
 * The ids of the threads with a message changed by the commits from to to
 * (lastmod:FROM..TO), each once; a talloc array (child of ctx).
 */
trawl_status_t index_changed_threads(index_t *idx, TALLOC_CTX *ctx, unsigned long from,
				     unsigned long to, char ***out, size_t *n);

/* The same among the messages of the query within only (cheap when within is narrow). */
trawl_status_t index_changed_threads_within(index_t *idx, TALLOC_CTX *ctx, unsigned long from,
					    unsigned long to, const char *within, char ***out,
					    size_t *n);

/* The ids of the threads with a message matching query, sorted, each once (child of ctx). */
trawl_status_t index_thread_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***out,
				size_t *n);

/* The ids of the messages matching query, a snapshot (talloc array, child of ctx). */
trawl_status_t index_message_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***ids,
				 size_t *n);

/*
 * Sets (or with query NULL deletes) the saved search name, on a
 * short-lived read-write handle.  A query of every message ("*") is
 * stored as one that query:NAME resolves to every message.
 */
trawl_status_t index_save_search(index_t *idx, const char *name, const char *query);

/* Every tag in the database, sorted; a talloc array of strings. */
trawl_status_t index_all_tags(index_t *idx, TALLOC_CTX *ctx, char ***tags, size_t *n);

/* As index_message_ids(), in date order. */
trawl_status_t index_message_ids_sorted(index_t *idx, TALLOC_CTX *ctx, const char *query,
					enum index_sort sort, char ***ids, size_t *n);

/* One message's fields, as an export lists them. */
struct index_message_info {
	char *message_id;
	char **filenames;   /* every file of the message (a talloc array) */
	size_t n_filenames;
	char *from, *to, *cc, *subject; /* decoded headers, "" when absent */
	char *tags;         /* space separated, sorted */
	time_t date;
	char **properties;  /* "key=value" for the keys starting with the prefix asked for */
	size_t n_properties;
	char *note;         /* the reviewer's note (note.h), "" when none */
};

/*
 * Copies out the fields of the message message_id (strings and arrays are
 * children of ctx), with its properties whose keys start with
 * property_prefix (NULL for none).  TRAWL_NOT_FOUND if there is no such
 * message.  To and Cc are read from the message file.
 */
trawl_status_t index_message_info(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
				  const char *property_prefix, struct index_message_info *out);

/* The note of message_id ("" when none; child of ctx); TRAWL_NOT_FOUND if there is no message. */
trawl_status_t index_message_note(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
				  char **note);

/* The tags of message_id (a talloc array, child of ctx); TRAWL_NOT_FOUND if there is none. */
trawl_status_t index_message_tags(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
				  char ***tags, size_t *n);

/* A message's files, copied out of notmuch. */
struct index_files {
	char *message_id;
	char *thread_id;
	char **paths; /* every file of the message, in notmuch's order (the first is the one
		       * index_message.filename names) */
	size_t n;
};

/*
 * The messages matching query that have at least min_files files, oldest
 * first, with their files (a talloc array, child of ctx).  notmuch 0.37
 * has no query term for a number of files: every message matching is
 * looked at, so this costs what listing the query's messages costs.
 */
trawl_status_t index_messages_files(index_t *idx, TALLOC_CTX *ctx, const char *query,
				    size_t min_files, struct index_files **out, size_t *n);
/*
 * Scanning a query's messages for statistics (stats.h).  Each message is
 * read from what notmuch keeps in value slots, without its terms and
 * without its file: the date, the From header as notmuch stored it
 * (decoded at indexing time) or the Message-ID.  Ask for one of them per
 * scan: Xapian reads a value slot through a cache of one slot's chunk, so
 * a scan asking for two reads a chunk per message and value.  Measured on
 * 100,000 messages (2 cores, load 9): date 0.2 s, From 0.16 s, Message-ID
 * 0.19 s, each alone; the three in one scan 1.4 to 2 s.  Scans of one
 * query on one handle see the same revision and give the messages in the
 * same order, so a caller joins them by position.
 */
enum index_scan_value {
	INDEX_SCAN_DATE,
	INDEX_SCAN_FROM,
	INDEX_SCAN_ID,
};

struct index_scan_item {
	size_t pos;             /* the message's position in the scan, from 0 */
	time_t date;            /* INDEX_SCAN_DATE: 0 when the message has none */
	const char *value;      /* INDEX_SCAN_FROM, INDEX_SCAN_ID: "" when none */
};

/* Called for each message (strings valid during the call only); nonzero stops the scan. */
typedef int (*index_scan_fn)(void *ud, const struct index_scan_item *it);

/*
 * Calls fn for every message of query, in the database's own order
 * (unsorted, the cheapest), with the value what.  The handle is not
 * refreshed first (see above).  A scan is not retried: a failure (a commit
 * discarding the revision read, or libnotmuch 0.37 aborting the process)
 * is for the caller, a background child, to restart.  TRAWL_CANCELLED when
 * fn stopped it.
 */
trawl_status_t index_scan(index_t *idx, const char *query, enum index_scan_value what,
			  index_scan_fn fn, void *ud);

/* The first file of message_id (a child of ctx); TRAWL_NOT_FOUND if there is no such message. */
trawl_status_t index_message_file(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
				  char **path);

/*
 * The id of the message one of whose files (derived ones included) is
 * path, absolute, in *message_id (a child of ctx); TRAWL_NOT_FOUND if the
 * file is not indexed.
 */
trawl_status_t index_file_message(index_t *idx, TALLOC_CTX *ctx, const char *path,
				  char **message_id);

/*
 * The folders the database holds messages in, as notmuch's folder: prefix
 * names them ("" for the top, "Sent" for DB/Sent/cur): every directory the
 * database knows except the cur/, new/ and tmp/ of a maildir, sorted, at
 * most max.  Some may hold no message (counting them says).
 */
trawl_status_t index_folders(index_t *idx, TALLOC_CTX *ctx, size_t max, char ***out, size_t *n);

#endif
