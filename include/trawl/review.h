/*
 * review: the write queue.  Every tag change (one message, one thread, a
 * whole query, an undo) and every note (note.h) becomes a job that a writer process applies in
 * batches, each batch one atomic transaction on a short-lived read-write
 * handle, journalled ahead of its commit (see journal.h).  Jobs run one at
 * a time, in order.  If another process holds the write lock the writer
 * waits and retries with backoff, and the queue says so; if the writer
 * dies it is restarted after the last committed batch.  Nothing is shown
 * as done before its commit.
 *
 * Ownership: a review is a talloc object; jobs are its children.
 */
#ifndef TRAWL_REVIEW_H
#define TRAWL_REVIEW_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "trawl/index.h"
#include "trawl/journal.h"
#include "trawl/tagops.h"

#define REVIEW_BATCH 1000 /* messages per transaction */

struct review_job {
	unsigned long id;     /* its journal entry, once begun (the writer allocates it) */
	char *reviewer;       /* who asked for it */
	char *label;          /* for the status line: "+reviewed on 1 thread" */
	char *query;          /* recorded in the journal */
	char *ops_text;
	char *note;           /* what the reviewer confirmed, for the journal ("" when none) */
	char *kind;           /* "tag", "note", "undo", "redo" */
	unsigned long undoes;
	char *thread_id;      /* the one thread it touches, or NULL */
	char **ids;           /* the snapshot of message ids */
	size_t n;
	struct tagops *ops;   /* the same for every message (a tag change), or NULL */
	struct tagops **msg_ops; /* per message (undo, redo: each message's own delta reversed) */
	char ***exact;        /* per message, a whole tag set (undo of an older journal's entry) */
	size_t *n_exact;
	char **note_new;      /* per message, the note to set (NULL: unchanged), or NULL for none */
	char **note_was;      /* per message, set only if the note is still this (undo), or NULL */
	size_t done;          /* messages in committed batches */
	size_t skipped;       /* messages an undo left alone: their note changed since */
	int bulk;             /* show progress, cancellable */
	int begun;            /* its journal entry is written */
	dev_t journal_dev;    /* ... in this journal file (to tell a journal moved from another) */
	ino_t journal_ino;
	char *kept;           /* the journal it was handed over to (review_keep), or NULL */
	struct timespec started;
};

struct review {
	index_t *idx;
	char *journal_path;
	char *reviewer;
	int sync_maildir_flags;
	struct review_job **queue; /* queue[0] is running */
	size_t n_queue;
	struct bg_job *writer;
	int locked;          /* the writer reported the lock is held */
	char *error;         /* last write error, "" if none */
	char *notice;        /* a line to show once (a finished job, changes taken over), "" if none */
	char *session;       /* this session's token in the journal */
	unsigned serial;     /* incremented each time a job finishes */
	struct review_job *finished; /* the last job that finished, until the next poll */
	unsigned restarts;
	time_t retry_at;     /* after a failed write, when to try again */
	size_t batch;        /* messages per transaction (REVIEW_BATCH) */
	char *held;          /* why nothing is written now (review_hold), or NULL */
	int case_journal;    /* the journal is in the database's case directory */
};

struct review *review_new(TALLOC_CTX *ctx, index_t *idx, const char *reviewer,
			  int sync_maildir_flags);

/*
 * Queues ops on the messages ids[0..n) (copied).  query and thread_id
 * (may be NULL) describe the target for the journal and for refreshing
 * views; bulk jobs show progress and can be cancelled.
 */
struct review_job *review_tag(struct review *rv, const char *query, const char *thread_id,
			      char *const *ids, size_t n, const struct tagops *ops, int bulk);

/* The same with a note for the journal, such as which versions of the messages were read. */
struct review_job *review_tag_noted(struct review *rv, const char *query, const char *thread_id,
				    char *const *ids, size_t n, const struct tagops *ops, int bulk,
				    const char *note);

/*
 * Queues setting the note of message_id to note ("" removes it; note_clean()
 * makes it), with tag (may be "": none) added to a message that gets a
 * note and removed from one whose note goes, in the same transaction.
 * thread_id (may be NULL) is the message's thread, for refreshing views.
 */
struct review_job *review_note(struct review *rv, const char *thread_id, const char *message_id,
			       const char *note, const char *tag);

/*
 * Queues the undo of the newest undoable entry (reversing what it did to
 * each message's tags and note), or with redo set, the redo of the newest undo.
 * Returns NULL with *why set when there is nothing to undo or redo.
 */
struct review_job *review_undo(struct review *rv, int redo, const char **why);

/* The reviewer named in the journal for the changes queued from now on. */
void review_set_reviewer(struct review *rv, const char *reviewer);

/* Takes what the writer sent; returns nonzero when something changed. */
int review_poll(struct review *rv);
int review_fd(const struct review *rv);

/*
 * What the queue, once written, will have done to tag on the messages of
 * query: 1 added, 0 removed, -1 nothing queued says (the newest queued job
 * on exactly query, or on the whole of thread_id, decides).  query may be
 * NULL: the whole thread only.
 */
int review_queued_tag(const struct review *rv, const char *query, const char *thread_id,
		      const char *tag);

/* The note the queue, once written, will have left on message_id; NULL when none is queued. */
const char *review_queued_note(const struct review *rv, const char *message_id);

/* Messages queued and not yet committed. */
size_t review_pending(const struct review *rv);

/* A line for the status bar ("" when idle), e.g. "writing +reviewed…". */
char *review_status(TALLOC_CTX *ctx, const struct review *rv);

/* Cancels the running bulk job after its last committed batch; returns 0 if none. */
int review_cancel(struct review *rv);

/*
 * Hands every queued change over to the next session, in the journal
 * (see journal.h), and stops writing: for a session that ends (SIGTERM,
 * SIGHUP) or loses its database.  Returns how many messages were kept
 * (those already kept count too), or -1 with rv->error saying why not.
 * The changes stay queued: review_hold(rv, NULL) writes them after all.
 */
long review_keep(struct review *rv);

/*
 * Stops writing (why says why, for the status line) or, with why NULL,
 * starts again.
 */
void review_hold(struct review *rv, const char *why);

/*
 * The database moved: db_now is where it is now (its case directory, and
 * the journal in it, moved along), or NULL when it is gone (the journal
 * goes where paths_for() says then: the XDG state directory).
 * db_now equal to the database's path: it is back at its place.
 */
void review_relocate(struct review *rv, const char *db_now);

/*
 * Drops the queued changes (quit without writing them): each begun
 * entry is ended with what was committed, like a cancel.
 */
void review_drop(struct review *rv);

/* Blocks until the queue is empty or fails (tests, non-interactive). */
void review_wait(struct review *rv);

#endif
