/*
 * journal: the append-only review journal, one file per database.  It is
 * both the undo history and the audit trail: every tag change trawl makes
 * is recorded with its time, reviewer, query, message ids, the tags each
 * message had before, and which batches were committed.
 *
 * File format: UTF-8 lines of tab-separated fields; fields are
 * percent-escaped ('%', tab, newline, CR, and in tag lists space):
 *
 *   E  id  time  reviewer  kind  undoes  query  ops  count   an entry begins
 *   M  id  batch  message-id  old-tags                        before a batch commits
 *   C  id  batch  messages  time                              the batch committed
 *   X  id  time  how                                          the entry ended
 *
 * kind is "tag", "undo" or "redo"; undoes is the id of the entry an undo
 * or redo reverses (0 otherwise).  M lines are written and synced before
 * their batch commits, C lines after, so after a crash the journal says
 * which batches are in the database; replaying an entry's old tags
 * restores exactly what it touched.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_JOURNAL_H
#define TRAWL_JOURNAL_H

#include <stdio.h>
#include <time.h>
#include <talloc.h>

#include "trawl/index.h"

struct journal_entry {
	unsigned long id;
	time_t time;
	char *reviewer;
	char *kind; /* "tag", "undo", "redo" */
	unsigned long undoes;
	char *query;
	char *ops;
	size_t count;     /* messages in the snapshot */
	size_t committed; /* messages in committed batches */
	char *end;        /* "" while open, else how it ended ("done", "cancelled"...) */
	/* Filled by journal_load_changes(): */
	char **message_ids;
	char ***old_tags;
	size_t *n_old;
	size_t n_changes;
};

/* The journal file for a database: $XDG_STATE_HOME/trawl/journal/<name>-<hash>.log. */
char *journal_path_for(TALLOC_CTX *ctx, const char *db_path);

/* Another per-database state file beside the journal: the same name ending in ext. */
char *journal_state_path(TALLOC_CTX *ctx, const char *db_path, const char *ext);

/* The same name ending in ext in $XDG_CACHE_HOME/trawl/heads/ (~/.cache): data to remake. */
char *journal_cache_path(TALLOC_CTX *ctx, const char *db_path, const char *ext);

/* Reads every entry (without their messages). */
trawl_status_t journal_read(TALLOC_CTX *ctx, const char *path, struct journal_entry **entries,
			    size_t *n);

/* Loads the M lines of committed batches of entry (for undo), allocated on ctx. */
trawl_status_t journal_load_changes(TALLOC_CTX *ctx, const char *path,
				    struct journal_entry *entry);

/*
 * Entries that can be undone now, newest last: "tag" and "redo" entries
 * with committed messages that no later "undo" reverses (and "undo"
 * entries can be redone: see journal_redoable()).  At most max.
 */
size_t journal_undoable(const struct journal_entry *e, size_t n, size_t max, size_t *out);

/* The next free entry id. */
unsigned long journal_next_id(const struct journal_entry *e, size_t n);

/* Appending (the writer process does this): each call writes whole lines and fsyncs. */
int journal_begin(const char *path, const struct journal_entry *entry);
int journal_batch_old(const char *path, unsigned long id, size_t batch,
		      const struct index_old_tags *old, size_t n);
int journal_batch_committed(const char *path, unsigned long id, size_t batch, size_t messages);
int journal_end(const char *path, unsigned long id, const char *how);

/* Writes the journal as text or CSV (RFC 4180) to f, entries matching query text or all. */
trawl_status_t journal_print(const char *path, FILE *f, int csv, const char *filter);

#endif
