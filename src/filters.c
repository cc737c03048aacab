/*
 * filters: the filters pane's model.  See include/trawl/filters.h.
 */
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/filters.h"
#include "trawl/hints.h"

struct filters_count_arg {
	index_t *idx;
	const struct filters *fl;
};

/* Child: counts each entry, sending "index total unreviewed" or "index E error". */
static int
filters_counter(bg_writer_t *w, void *arg)
{
	struct filters_count_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, *hints, *unrev;

	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK)
		return 1;
	hints = hints_path_for(ctx, index_db_path(idx));
	unrev = talloc_asprintf(ctx, "not %s", index_quote_term(ctx, "tag", index_reviewed_tag(idx)));
	for (size_t i = 0; i < a->fl->n; i++) {
		const struct filter *e = &a->fl->entries[i];
		char *q = index_query_and(ctx, e->query, unrev);
		unsigned total, un;
		char *rec;

		if (index_count_messages(idx, e->query, &total) != TRAWL_OK ||
		    index_count_messages(idx, q, &un) != TRAWL_OK) {
			rec = talloc_asprintf(ctx, "%zu E %s", i, index_last_error(idx));
		} else {
			rec = talloc_asprintf(ctx, "%zu %u %u", i, total, un);
			/* Opening this entry later knows its size (see threadlist_head). */
			hints_set(hints, hints_count_key(ctx, e->query), total);
		}
		bg_write(w, 'C', rec, strlen(rec));
	}
	talloc_free(ctx);
	return 0;
}

static void
filters_on_count(void *ud, char type, const char *payload, size_t len)
{
	struct filters *fl = ud;
	char *rec = talloc_strndup(fl, payload, len);
	char *p;
	size_t i;

	if (type != 'C' || !rec)
		goto out;
	i = strtoul(rec, &p, 10);
	if (i >= fl->n || *p != ' ')
		goto out;
	if (p[1] == 'E') {
		talloc_free(fl->entries[i].error);
		fl->entries[i].error = talloc_strdup(fl->entries, p + 3);
		fl->entries[i].total = fl->entries[i].unreviewed = 0;
	} else {
		fl->entries[i].total = strtol(p + 1, &p, 10);
		fl->entries[i].unreviewed = strtol(p, NULL, 10);
	}
out:
	talloc_free(rec);
}

static void
filters_add(struct filters *fl, const char *label, const char *query, int is_search)
{
	struct filter *e;

	fl->entries = talloc_realloc(fl, fl->entries, struct filter, fl->n + 1);
	if (!fl->entries)
		abort();
	e = &fl->entries[fl->n++];
	memset(e, 0, sizeof(*e));
	e->label = talloc_strdup(fl->entries, label);
	e->query = talloc_strdup(fl->entries, query);
	e->is_search = is_search;
	e->total = e->unreviewed = -1;
}

/* Lists the entries afresh: counts unknown, counting pending. */
static void
filters_list(struct filters *fl)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct index_search *searches;
	char **tags;
	size_t n;

	TALLOC_FREE(fl->counter);
	TALLOC_FREE(fl->entries);
	fl->n = 0;
	fl->serial++;
	filters_add(fl, "all messages", "*", 0);
	if (index_saved_searches(fl->idx, tmp, &searches, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++)
			filters_add(fl, searches[i].name,
				    index_quote_term(tmp, "query", searches[i].name), 1);
	if (index_all_tags(fl->idx, tmp, &tags, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++)
			filters_add(fl, tags[i], index_quote_term(tmp, "tag", tags[i]), 0);
	talloc_free(tmp);
	fl->count_pending = 1;
}

struct filters *
filters_new(TALLOC_CTX *ctx, index_t *idx)
{
	struct filters *fl = talloc_zero(ctx, struct filters);

	if (!fl)
		abort();
	fl->idx = idx;
	filters_list(fl);
	return fl;
}

void
filters_reload(struct filters *fl)
{
	filters_list(fl);
}

void
filters_count(struct filters *fl)
{
	struct filters_count_arg arg = {fl->idx, fl};

	fl->count_pending = 0;
	TALLOC_FREE(fl->counter);
	TALLOC_FREE(fl->error);
	if (bg_start(fl, "filters", filters_counter, &arg, &fl->counter) != TRAWL_OK)
		fl->error = talloc_strdup(fl, "cannot start counting the filters");
}

static int
filters_entry_cmp(const void *x, const void *y)
{
	const struct filter *a = x, *b = y;

	return a->is_search != b->is_search ? a->is_search - b->is_search
					     : strcmp(a->label, b->label);
}

/*
 * A commit can add a tag (t +relevant), remove the last message of one, or
 * change any count: the entries are listed again, each keeping its counts
 * until the new ones arrive, and counted again at once.
 */
static void
filters_on_commit(void *ud, const struct feed_event *ev)
{
	struct filters *fl = ud;
	struct filter *old;
	size_t n_old = fl->n;

	if (ev->new_database) { /* nothing of the old one's counts holds */
		filters_list(fl);
		filters_count(fl);
		return;
	}
	old = talloc_steal(NULL, fl->entries);
	fl->entries = NULL;
	fl->n = 0;
	if (n_old > 1)
		qsort(old, n_old, sizeof(*old), filters_entry_cmp);
	filters_list(fl);
	for (size_t i = 0; old && i < fl->n; i++) {
		const struct filter *o =
			bsearch(&fl->entries[i], old, n_old, sizeof(*old), filters_entry_cmp);

		if (o && !o->error) {
			fl->entries[i].total = o->total;
			fl->entries[i].unreviewed = o->unreviewed;
		}
	}
	talloc_free(old);
	filters_count(fl);
}

void
filters_follow(struct filters *fl, struct feed *feed)
{
	feed_subscribe(feed, fl, filters_on_commit, fl);
}

int
filters_poll(struct filters *fl)
{
	enum bg_state st;

	if (!fl->counter)
		return 0;
	st = bg_poll(fl->counter, 64 * 1024, filters_on_count, fl);
	if (st != BG_RUNNING)
		TALLOC_FREE(fl->counter);
	return 1;
}

int
filters_fd(const struct filters *fl)
{
	return fl->counter ? bg_fd(fl->counter) : -1;
}

long
filters_find(const struct filters *fl, const char *label)
{
	for (size_t i = 0; label && i < fl->n; i++)
		if (strcmp(fl->entries[i].label, label) == 0)
			return (long)i;
	return -1;
}
