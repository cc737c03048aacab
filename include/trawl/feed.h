/*
 * feed: the change feed.  One per session, it watches the database for
 * commits, trawl's own writer's and any other program's alike, and tells
 * every model that subscribed which revisions came: the messages they
 * changed are those of the query lastmod:FROM..TO.  Watching costs a stat
 * of Xapian's version file per poll (index_refresh), so the session polls
 * it every few hundred milliseconds.
 *
 * Ownership: a feed is a talloc object; a subscription is a talloc child
 * of the subscriber's ctx and ends when that is freed.
 */
#ifndef TRAWL_FEED_H
#define TRAWL_FEED_H

#include "trawl/index.h"

struct feed_event {
	unsigned long from;  /* the first revision not seen before */
	unsigned long to;    /* the revision the index sees now; from = to + 1 when the
			      * commit left the revision alone (a saved search written) */
	int new_database;    /* the UUID changed: revisions start again, reload everything */
};

typedef void (*feed_fn)(void *ud, const struct feed_event *ev);

struct feed;

struct feed *feed_new(TALLOC_CTX *ctx, index_t *idx);

/* Calls fn(ud, ev) on each commit until ctx is freed. */
void feed_subscribe(struct feed *feed, TALLOC_CTX *ctx, feed_fn fn, void *ud);

/*
 * Looks for commits (reopening the index's read handle on one) and tells
 * the subscribers; returns nonzero when there was one.
 */
int feed_poll(struct feed *feed);

/* The revision the subscribers were last told of. */
unsigned long feed_revision(const struct feed *feed);

#endif
