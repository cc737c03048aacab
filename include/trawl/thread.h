/*
 * thread: the model of one thread: its messages in reply-tree order with
 * their tags and notes (copied out of the index), and how many are not
 * reviewed.
 * The first read is done at once (a thread is small next to a query);
 * afterwards, on each commit the feed reports, a background job (bg.h)
 * asks whether the thread has messages in the commits' lastmod range and,
 * if so, reads their tags and notes again, so the reader never waits for it.
 *
 * Ownership: messages are children of the model; their array is never
 * moved after thread_open(), only their tags and notes are replaced, so views may
 * keep pointers to them for the model's life.
 */
#ifndef TRAWL_THREAD_H
#define TRAWL_THREAD_H

#include <stddef.h>

#include "trawl/feed.h"
#include "trawl/index.h"

struct thread {
	index_t *idx;
	char *thread_id;
	char *query;                 /* the list's query: messages matching it are flagged */
	struct index_message *msgs;  /* reply-tree order */
	size_t n;
	size_t n_unreviewed;
	unsigned serial;             /* changes whenever a message's tags or note change */
	unsigned long rev;           /* every message's tags reflect this revision at least */
	struct bg_job *reader;       /* re-reading after a commit */
	unsigned long read_to;       /* ... the revision it reads */
	unsigned long want_to;       /* the newest revision the feed reported */
};

/*
 * Reads thread_id's messages (query flags the matching ones; NULL for
 * none).  On failure *error says why (libnotmuch's own words).
 */
trawl_status_t thread_open(TALLOC_CTX *ctx, index_t *idx, const char *thread_id,
			   const char *query, struct thread **out, char **error);

/* Re-reads the messages' tags on every commit that touched the thread, until th is freed. */
void thread_follow(struct thread *th, struct feed *feed);

/* Takes what the re-reading job sent; returns nonzero when a message's tags changed. */
int thread_poll(struct thread *th);

/* The job's fd, or -1. */
int thread_fd(const struct thread *th);

/* The index in msgs of message_id; -1 when absent. */
long thread_find(const struct thread *th, const char *message_id);

#endif
