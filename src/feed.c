/*
 * feed: the change feed.  See include/trawl/feed.h.
 */
#include <string.h>

#include "trawl/feed.h"

struct feed_sub {
	struct feed *feed;
	feed_fn fn;
	void *ud;
	struct feed_sub *next;
};

struct feed {
	index_t *idx;
	unsigned long rev;
	char *uuid;
	struct feed_sub *subs;
};

static int
feed_sub_destructor(struct feed_sub *s)
{
	struct feed_sub **p;

	if (!s->feed)
		return 0;
	for (p = &s->feed->subs; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	return 0;
}

static int
feed_destructor(struct feed *f)
{
	/* Subscriptions outliving the feed must not unlink from it. */
	for (struct feed_sub *s = f->subs; s; s = s->next)
		s->feed = NULL;
	return 0;
}

struct feed *
feed_new(TALLOC_CTX *ctx, index_t *idx)
{
	struct feed *f = talloc_zero(ctx, struct feed);
	const char *uuid;

	if (!f)
		return NULL;
	talloc_set_destructor(f, feed_destructor);
	f->idx = idx;
	f->rev = index_revision(idx, &uuid);
	f->uuid = talloc_strdup(f, uuid);
	return f;
}

void
feed_subscribe(struct feed *feed, TALLOC_CTX *ctx, feed_fn fn, void *ud)
{
	struct feed_sub *s = talloc_zero(ctx, struct feed_sub);

	if (!s)
		return;
	s->feed = feed;
	s->fn = fn;
	s->ud = ud;
	s->next = feed->subs;
	feed->subs = s;
	talloc_set_destructor(s, feed_sub_destructor);
}

int
feed_poll(struct feed *feed)
{
	struct feed_event ev;
	const char *uuid;
	unsigned long rev;
	int reopened = 0;

	index_refresh(feed->idx, &reopened);
	rev = index_revision(feed->idx, &uuid);
	/*
	 * A commit that leaves the revision alone (a saved search written by
	 * notmuch config set) still changed the database: it is reported
	 * with an empty range, from = to + 1.
	 */
	if (rev == feed->rev && !strcmp(uuid, feed->uuid) && !reopened)
		return 0;
	ev.from = feed->rev + 1;
	ev.to = rev;
	ev.new_database = strcmp(uuid, feed->uuid) != 0;
	feed->rev = rev;
	talloc_free(feed->uuid);
	feed->uuid = talloc_strdup(feed, uuid);
	/* A subscriber may subscribe or leave from its callback: walk a copy. */
	{
		size_t n = 0, i = 0;
		struct feed_sub **v;

		for (struct feed_sub *s = feed->subs; s; s = s->next)
			n++;
		v = talloc_array(NULL, struct feed_sub *, n ? n : 1);
		for (struct feed_sub *s = feed->subs; v && s; s = s->next)
			v[i++] = s;
		for (i = 0; v && i < n; i++) {
			/* Called only while still subscribed: a callback may free another's. */
			struct feed_sub *s = feed->subs;

			while (s && s != v[i])
				s = s->next;
			if (s)
				s->fn(s->ud, &ev);
		}
		talloc_free(v);
	}
	return 1;
}

unsigned long
feed_revision(const struct feed *feed)
{
	return feed->rev;
}
