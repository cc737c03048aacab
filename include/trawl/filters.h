/*
 * filters: the model of the filters pane: "all messages", the saved
 * searches (notmuch named queries), then every tag, each with its message
 * count and its count not yet reviewed.  Counts come from a background
 * job (bg.h) so nobody waits for them; on each commit the feed reports,
 * the entries are listed again (a tag may have appeared or gone), keeping
 * each one's counts until the new ones arrive, and counted again.
 *
 * Ownership: entries are children of the model; an entry pointer is valid
 * until the next filters_poll(), filters_reload() or commit.
 */
#ifndef TRAWL_FILTERS_H
#define TRAWL_FILTERS_H

#include <stddef.h>

#include "trawl/feed.h"
#include "trawl/index.h"

struct filter {
	char *label;  /* shown: "all messages", a saved search's name or a tag */
	char *query;  /* run on select */
	int is_search;
	long total, unreviewed; /* -1 while counting */
	char *error;  /* a broken saved search, or NULL */
};

struct filters {
	index_t *idx;
	struct filter *entries;
	size_t n;
	unsigned serial;          /* changes each time the entries are listed again */
	struct bg_job *counter;
	int count_pending;        /* counting waits for filters_count() */
	char *error;              /* the counter could not start, or NULL */
};

/* Lists the entries (counts unknown until filters_count()); aborts on out-of-memory. */
struct filters *filters_new(TALLOC_CTX *ctx, index_t *idx);

/* Lists the entries again (a saved search was written); counts start again. */
void filters_reload(struct filters *fl);

/* Starts counting now (the session delays it until the list's first rows are on screen). */
void filters_count(struct filters *fl);

/* Lists and counts again on every commit the feed reports, keeping the old counts meanwhile. */
void filters_follow(struct filters *fl, struct feed *feed);

/* Takes what the counter sent; returns nonzero when something changed. */
int filters_poll(struct filters *fl);

/* The counter's fd, or -1. */
int filters_fd(const struct filters *fl);

/* The entry labelled label; -1 when there is none. */
long filters_find(const struct filters *fl, const char *label);

#endif
