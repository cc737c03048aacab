/*
 * journal: the append-only review journal, one file per database.  It is
 * both the undo history and the audit trail: every tag change trawl makes
 * is recorded with its time, reviewer, session, query, message ids, the
 * tags each message had before, what the change did to it, and which
 * batches were committed.
 *
 * Where: paths_for(PATHS_JOURNAL) (paths.h) says, beside the database in
 * <database>/.notmuch/trawl/journal.log; every function here takes that
 * path.
 *
 * File format: UTF-8 lines of tab-separated fields; fields are
 * percent-escaped ('%', control characters such as tab, newline, CR and
 * ESC, and in tag lists space).  Each
 * line ends with a checksum field "~xxxxxxxx" (FNV-1a of the rest), so a
 * line torn by a crash or a full disk is recognised and ignored, never
 * read as a shorter valid line (lines of older versions have none and are
 * read as they are up to the first line that has one):
 *
 *   E  id  time  reviewer  kind  undoes  query  ops  count  session  confirmed
 *                                                                    an entry begins
 *   M  id  batch  message-id  old-tags  delta  [old-note  new-note]   before a batch commits
 *   C  id  batch  messages  time                                     the batch committed
 *   X  id  time  how                                                 the entry ended
 *   Q  id  message-id  [delta]                                       handed over (below)
 *   R  id  session                                                   taken over (below)
 *
 * kind is "tag", "note" (a reviewer's note, note.h), "undo" or "redo";
 * confirmed (absent in older lines; struct journal_entry.note) is what the
 * reviewer confirmed with the change, such as which versions of a message
 * with several were read when it was marked reviewed; undoes is the id of
 * the entry an undo or redo reverses (0 otherwise); delta is what the
 * batch does to the message ("+a -b": only tags it really adds or
 * removes).  An M line whose change set the message's note has two more
 * fields, the note before and after ("" for none); lines without them (all
 * lines of older versions) changed no note, and older versions read the
 * new lines as tag changes.  M lines are
 * written and synced before their batch commits, C lines after; a batch
 * with M lines and no C line is settled against the database before its
 * entry is resumed or undone (journal_batches()).  Undo reverses each
 * message's delta, so it never touches a tag somebody else changed.
 *
 * A session that ends with changes still queued (SIGTERM, SIGHUP) or
 * that loses its database hands them over: each queued change gets its E
 * line if it had none, and a Q line per message (the delta of an undo or
 * redo; none for a tag change, whose ops the E line holds), and stays
 * open.  The next session on the database takes such an entry over (an R
 * line naming it, so the entry is its own from then on, to write and to
 * undo) and writes the messages after the committed batches.
 *
 * Several processes append to one journal: every append takes an
 * exclusive flock(2) of the file, so lines never interleave, and ids are
 * allocated under the same lock.  Each trawl process is a session (a
 * token on its E lines) that holds a lock file for its life, so another
 * session can tell whether it is still open.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_JOURNAL_H
#define TRAWL_JOURNAL_H

#include <stdio.h>
#include <time.h>
#include <talloc.h>

#include "trawl/index.h"
#include "trawl/tagops.h"

struct journal_entry {
	unsigned long id;
	time_t time;
	char *reviewer;
	char *session;    /* the token of the session that wrote it, "" for older entries */
	char *kind; /* "tag", "note", "undo", "redo" */
	unsigned long undoes;
	char *query;
	char *ops;
	char *note;       /* e.g. which versions were read ("" when none; see above) */
	size_t count;     /* messages in the snapshot */
	size_t committed; /* messages in committed batches */
	char *end;        /* "" while open, else how it ended ("done", "cancelled"...) */
	size_t handed_over; /* Q lines: messages handed over to the next session */
	/* Filled by journal_load_changes(): */
	char **message_ids;
	char ***old_tags;
	size_t *n_old;
	struct tagops **delta; /* what the entry did to each message; NULL for older lines */
	char **note_old, **note_new; /* each message's note before and after; NULL: unchanged */
	size_t n_changes;
};

/* A batch of an entry, as journal_batches() finds it. */
struct journal_batch {
	size_t batch;
	int committed;           /* a C line says so */
	char **message_ids;      /* from its M lines */
	struct tagops **delta;   /* NULL where an older line has none */
	char **note_old, **note_new; /* NULL where the line changed no note */
	size_t n;
};

/*
 * This process's session token; the first call also takes the session's
 * lock file beside the journal at path, held until the process ends.
 */
const char *journal_session(const char *path);

/* Whether the session token is still open (its process, or one it forked, lives). */
int journal_session_alive(const char *path, const char *token);

/*
 * Reads every entry (without their messages).  Damaged lines (torn by a
 * crash or a full disk, or altered) are skipped; *damaged (may be NULL)
 * counts them.
 */
trawl_status_t journal_read(TALLOC_CTX *ctx, const char *path, struct journal_entry **entries,
			    size_t *n);
trawl_status_t journal_read_checked(TALLOC_CTX *ctx, const char *path,
				    struct journal_entry **entries, size_t *n, size_t *damaged);

/* The batches of entry id that have M lines, with their messages and deltas, in order. */
trawl_status_t journal_batches(TALLOC_CTX *ctx, const char *path, unsigned long id,
			       struct journal_batch **out, size_t *n);

/* Loads the M lines of committed batches of entry (for undo), allocated on ctx. */
trawl_status_t journal_load_changes(TALLOC_CTX *ctx, const char *path,
				    struct journal_entry *entry);

/*
 * Entries that can be undone now, newest last: "tag" and "redo" entries
 * with committed messages that no later "undo" reverses (and "undo"
 * entries can be redone: see journal_redoable()).  At most max.
 */
size_t journal_undoable(const struct journal_entry *e, size_t n, size_t max, size_t *out);

/*
 * Appending (the writer process does this): each call writes whole lines
 * under the journal's lock and fsyncs; -1 with errno on failure.
 * journal_begin() allocates the entry's id (entry->id is set) under the
 * same lock, so sessions never share one.
 */
int journal_begin(const char *path, struct journal_entry *entry);
/*
 * What changes[i] did to a message that had old[i]'s tags: old tags and
 * delta per message, and its note before and after when changes[i] set it.
 */
int journal_batch_old(const char *path, unsigned long id, size_t batch,
		      const struct index_change *changes, const struct index_old_tags *old,
		      size_t n);
int journal_batch_committed(const char *path, unsigned long id, size_t batch, size_t messages);
int journal_end(const char *path, unsigned long id, const char *how);

/*
 * Hands entry id over to the next session: a Q line for each of ids[0..n)
 * with ops[i] (ops NULL, or ops[i] NULL: the entry's own ops apply).
 */
int journal_hand_over(const char *path, unsigned long id, char *const *ids,
		      struct tagops *const *ops, size_t n);

/*
 * Takes over entry id, handed over by session from (which has ended), for
 * session to: under the journal's lock, only if it is still open and still
 * from's, so two sessions starting together never both take it.  0 on
 * success, -1 (errno EBUSY if somebody else took it first).
 */
int journal_take_over(const char *path, unsigned long id, const char *from, const char *to);

/* The Q lines of entry id, in order: message ids and their deltas (NULL: the entry's ops). */
trawl_status_t journal_handed_over(TALLOC_CTX *ctx, const char *path, unsigned long id,
				   char ***ids, struct tagops ***ops, size_t *n);

/*
 * Writes the journal as text or CSV (RFC 4180) to f, entries matching
 * query text or all; an entry that changed notes also shows, per message,
 * the note before and after (text: a line under the entry; CSV: the
 * note_before and note_after columns).  Typed text is neutralised.
 */
trawl_status_t journal_print(const char *path, FILE *f, int csv, const char *filter);

#endif
