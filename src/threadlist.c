/*
 * threadlist: lazily filled model of a query's threads.  See
 * include/trawl/threadlist.h.
 */
#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trawl/bg.h"
#include "trawl/headcache.h"
#include "trawl/hints.h"
#include "trawl/threadlist.h"

/* Rows that make a first screen: counting starts after them. */
#define THREADLIST_FIRST_SCREEN 100

/* Consecutive loader deaths without a new row before we give up. */
#define THREADLIST_MAX_FRUITLESS_RESTARTS 5

/*
 * The head: up to this many first rows, found through a date window next
 * to the newest (or oldest) date of the database before the whole query is
 * sorted.  The first window spans THREADLIST_WINDOW_DAYS; a second one is
 * sized from the density the first found, up to THREADLIST_WINDOW_MAX_DAYS.
 */
#define THREADLIST_HEAD 64
/* From this many rows on, a helper child builds half the head (threadlist_head_rows). */
#define THREADLIST_HEAD_HELPER_MIN 8
#define THREADLIST_WINDOW_DAYS 16
#define THREADLIST_WINDOW_MAX_DAYS (30 * 366)
/* Below this many messages sorting the whole query is as fast as a window. */
#define THREADLIST_WINDOW_MIN_MESSAGES 20000

struct loader_arg {
	index_t *idx;
	const char *query;
	enum index_sort sort;
	size_t skip;
	size_t limit;          /* 0: every row */
	const char *hint_path; /* hints for finding the head (see threadlist_head), or NULL */
	const char *cache_path; /* the head cache (headcache.h), or NULL */
};

/*
 * Where a job's rows go: to the UI through w (NULL for the counter, which
 * only keeps them), and the first THREADLIST_HEAD of them, while key is
 * set, into keep, which goes to the head cache once complete if the
 * database has not changed since stamp, read before the handle was opened.
 */
struct rows_out {
	bg_writer_t *w;
	TALLOC_CTX *ctx;
	const struct loader_arg *a;
	char *key; /* the head cache's key of the list; NULL: nothing is kept */
	char *stamp;
	size_t stamp_len;
	struct headcache_rows keep;
};

/* Appends s and its terminating NUL, the field separator of a record. */
static void
threadlist_put_field(char **buf, const char *s)
{
	size_t old = talloc_get_size(*buf), n = strlen(s) + 1;
	char *nb = talloc_realloc(talloc_parent(*buf), *buf, char, old + n);

	if (!nb)
		_exit(4);
	memcpy(nb + old, s, n);
	*buf = nb;
}

/* Stores the rows kept if the database is still at the commit they were read at. */
static void
threadlist_keep_store(struct rows_out *o)
{
	size_t len;
	char *now;

	if (!o->key)
		return;
	now = headcache_stamp(o->ctx, index_db_path(o->a->idx), &len);
	if (now && len == o->stamp_len && !memcmp(now, o->stamp, len))
		headcache_put(o->a->cache_path, o->stamp, len, o->key, &o->keep);
	o->key = NULL;
}

/* Sends a 'T' record and keeps it while the head cache wants rows. */
static void
threadlist_emit(struct rows_out *o, const char *rec, size_t len)
{
	if (o->w)
		bg_write(o->w, 'T', rec, len);
	if (o->key && !headcache_rows_add(o->ctx, &o->keep, rec, len))
		o->key = NULL;
	if (o->key && o->keep.n == THREADLIST_HEAD)
		threadlist_keep_store(o);
}

/* Sends row as a 'T' record. */
static void
threadlist_send_row(struct rows_out *o, const struct index_thread *row)
{
	char *buf = talloc_array(NULL, char, 0), num[128];

	threadlist_put_field(&buf, row->thread_id);
	threadlist_put_field(&buf, row->authors);
	threadlist_put_field(&buf, row->subject);
	threadlist_put_field(&buf, row->tags);
	snprintf(num, sizeof(num), "%lld %lld %d %d %d", (long long)row->newest,
		 (long long)row->oldest, row->matched, row->total, row->unreviewed);
	threadlist_put_field(&buf, num);
	threadlist_emit(o, buf, talloc_get_size(buf));
	talloc_free(buf);
}

/* The width of the first date window (tests use small caches). */
static long long
threadlist_window_days(void)
{
	const char *test = getenv("TRAWL_TEST_WINDOW_DAYS");

	return test ? atoll(test) : THREADLIST_WINDOW_DAYS;
}

/* Queries with fewer messages are sorted whole (tests use small caches). */
static long long
threadlist_window_min(void)
{
	const char *test = getenv("TRAWL_TEST_WINDOW_MIN");

	return test ? atoll(test) : THREADLIST_WINDOW_MIN_MESSAGES;
}

/* Builds the row of thread id and sends it; 0 when the thread no longer matches. */
static int
threadlist_build_row(struct rows_out *o, index_t *idx, const struct loader_arg *a, const char *id)
{
	TALLOC_CTX *row_ctx = talloc_new(NULL);
	struct index_thread row;
	int ok = index_thread_row(idx, row_ctx, id, a->query, a->sort, &row) == TRAWL_OK;

	if (ok)
		threadlist_send_row(o, &row);
	talloc_free(row_ctx);
	return ok;
}

struct head_part {
	const struct loader_arg *a;
	char **ids;
	size_t n;
	useconds_t delay_us;
};

/* Child of the loader: builds the head's odd rows on the other core. */
static int
threadlist_head_helper(bg_writer_t *w, void *arg)
{
	struct head_part *h = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL;
	const char *test = getenv("TRAWL_TEST_HEAD_HELPER_ROWS"); /* dies after that many */
	size_t limit = test ? strtoul(test, NULL, 10) : (size_t)-1;
	struct rows_out o = {.w = w, .ctx = ctx, .a = h->a};

	if (index_open_like(ctx, h->a->idx, &idx, &err) != TRAWL_OK) {
		talloc_free(ctx);
		return 1;
	}
	for (size_t i = 1; i < h->n; i += 2) {
		if (limit-- == 0)
			_exit(3);
		if (!threadlist_build_row(&o, idx, h->a, h->ids[i]))
			break;
		if (h->delay_us)
			usleep(h->delay_us);
	}
	talloc_free(ctx);
	return 0;
}

/* Rows the helper sent that the loader has not passed on yet. */
struct head_queue {
	char **rec;
	size_t *len;
	size_t n, first, cap;
};

static void
threadlist_head_queue(void *ud, char type, const char *payload, size_t len)
{
	struct head_queue *q = ud;

	if (type != 'T')
		return;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 32;
		q->rec = talloc_realloc(NULL, q->rec, char *, q->cap);
		q->len = talloc_realloc(NULL, q->len, size_t, q->cap);
		if (!q->rec || !q->len)
			abort();
	}
	q->rec[q->n] = talloc_memdup(q->rec, payload, len);
	q->len[q->n++] = len;
}

/* Passes on the helper's next row, waiting for it; 0 when it has none (it stopped or died). */
static int
threadlist_head_forward(struct rows_out *o, bg_job_t *helper, struct head_queue *q)
{
	while (q->first == q->n) {
		struct pollfd pfd = {.fd = bg_fd(helper), .events = POLLIN};

		if (pfd.fd < 0)
			return 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return 0;
		if (bg_poll(helper, 1 << 20, threadlist_head_queue, q) != BG_RUNNING &&
		    q->first == q->n)
			return 0;
	}
	threadlist_emit(o, q->rec[q->first], q->len[q->first]);
	q->first++;
	return 1;
}

/*
 * Sends the rows of the head's n ids in order; returns how many.  Building
 * a row costs libnotmuch a few tens of microseconds per message of the
 * thread, and nothing else runs before the first screen: a helper child
 * builds the odd rows on the other core while this process builds the even
 * ones and passes the helper's on in turn.  A row the helper did not send
 * (it could not start, or died) is built here.
 */
static size_t
threadlist_head_rows(struct rows_out *o, index_t *idx, TALLOC_CTX *ctx, const struct loader_arg *a,
		     char **ids, size_t n, useconds_t delay_us)
{
	struct head_part part = {a, ids, n, delay_us};
	struct head_queue q = {0};
	bg_job_t *helper = NULL;
	size_t i;

	/* On one core the two would take turns: no helper. */
	if (n < THREADLIST_HEAD_HELPER_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    bg_start(ctx, "head", threadlist_head_helper, &part, &helper) != TRAWL_OK)
		helper = NULL;
	for (i = 0; i < n; i++) {
		if (i % 2 && helper && threadlist_head_forward(o, helper, &q))
			continue;
		if (i % 2 && helper)
			TALLOC_FREE(helper); /* it stopped: the rest are built here */
		if (!threadlist_build_row(o, idx, a, ids[i]))
			break; /* changed meanwhile: the cursor goes on from the rows sent */
		if (delay_us)
			usleep(delay_us);
	}
	talloc_free(helper); /* kills it if it is still running */
	talloc_free(q.rec);
	talloc_free(q.len);
	return i;
}

/*
 * Child, before the cursor: sorting a large query whole is most of the time
 * to its first rows, and it grows with the cache.  A date window next to the
 * database's newest date (oldest, for an oldest-first list) holds few
 * messages, and the first threads of the window are the first threads of
 * the query when the window has enough of them: a thread's place is that of
 * its newest (oldest) matching message.  Each row is then built exactly as
 * the cursor would build it.  Returns the ids sent (*n of them).
 */
static void
threadlist_head(struct rows_out *o, index_t *idx, TALLOC_CTX *ctx, const struct loader_arg *a,
		useconds_t delay_us, char ***out, size_t *n_out)
{
	long long hint, count, days = threadlist_window_days();
	char *q_key;
	int oldest_first = a->sort == INDEX_SORT_OLDEST_FIRST;
	char **ids = NULL;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if (!hints_get(a->hint_path, oldest_first ? "oldest" : "newest", &hint))
		return;
	/* A query known to be small is sorted whole as fast as a window is found. */
	q_key = hints_count_key(ctx, a->query);
	if (!q_key || !hints_get(a->hint_path, q_key, &count))
		count = -1;
	else if (count < threadlist_window_min())
		return;
	for (int k = 0; k < 2; k++) {
		long long width = days * 86400;
		char *win = oldest_first ? talloc_asprintf(ctx, "date:..@%lld", hint + width)
					 : talloc_asprintf(ctx, "date:@%lld..", hint - width);
		char *q = win ? index_query_and(ctx, a->query, win) : NULL;

		if (!q || index_first_thread_ids(idx, ctx, q, a->sort, THREADLIST_HEAD, &ids, &n) !=
				  TRAWL_OK)
			return; /* the cursor reports query errors */
		/*
		 * Fewer threads than wanted means the window is exhausted: all it
		 * has is still the exact start of the list.  A second, wider window
		 * is tried when the density the first showed gives a full head
		 * within the limit.
		 */
		if (n == THREADLIST_HEAD || k == 1)
			break;
		/*
		 * A query sparse near that date is selective: sorting it whole
		 * costs less than the wide window it would need, unless it is
		 * known to be large.  (A head row costs two searches where the
		 * cursor's costs one, so a mid-size query, sorted whole in a
		 * few milliseconds, is better served by the cursor.)
		 */
		if (n < THREADLIST_HEAD / 8 || count < 0)
			return;
		days = days * 2 * THREADLIST_HEAD / (long long)n;
		if (days > THREADLIST_WINDOW_MAX_DAYS)
			break;
	}
	*out = ids;
	*n_out = threadlist_head_rows(o, idx, ctx, a, ids, n, delay_us);
}

/* The head cache's key of a's list: its sort and its query's fingerprint; NULL: not kept. */
static char *
threadlist_cache_key(TALLOC_CTX *ctx, index_t *idx, const struct loader_arg *a)
{
	char *fp = a->cache_path ? index_query_fingerprint(idx, ctx, a->query) : NULL;

	return fp ? talloc_asprintf(ctx, "%d\x1f%s", (int)a->sort, fp) : NULL;
}

/*
 * The head from the cache, when it holds the list at the commit idx was
 * opened at (stamp, read before the opening, is still the database's):
 * sends its rows and returns 1 with their ids.  Otherwise returns 0, with
 * o set to keep the first rows sent for the cache when the list can be
 * kept.  Fewer than THREADLIST_HEAD rows are kept only at the end of the
 * list, so such a head is the whole list.
 */
static int
threadlist_head_cached(struct rows_out *o, index_t *idx, char *stamp, size_t stamp_len,
		       char ***ids_out, size_t *n_out)
{
	struct headcache_rows rows;
	char *key, *now, **ids;
	size_t len;

	if (!stamp || !(key = threadlist_cache_key(o->ctx, idx, o->a)))
		return 0;
	/* Nothing committed between the two readings: the handle is at stamp's commit. */
	now = headcache_stamp(o->ctx, index_db_path(o->a->idx), &len);
	if (!now || len != stamp_len || memcmp(now, stamp, len))
		return 0;
	o->key = key;
	o->stamp = stamp;
	o->stamp_len = stamp_len;
	if (!headcache_get(o->ctx, o->a->cache_path, stamp, stamp_len, key, &rows) ||
	    !(ids = talloc_array(o->ctx, char *, rows.n)))
		return 0;
	for (size_t i = 0; i < rows.n; i++) {
		if (!memchr(rows.rec[i], '\0', rows.len[i]))
			return 0; /* not a record: the file is damaged */
		ids[i] = rows.rec[i]; /* a record starts with its thread id */
	}
	o->key = NULL;
	for (size_t i = 0; i < rows.n; i++)
		threadlist_emit(o, rows.rec[i], rows.len[i]);
	*ids_out = ids;
	*n_out = rows.n;
	return 1;
}

/*
 * Sends the rows of a cursor over a->query from a->skip on, but for the
 * head's n_head ids sent already, until the list ends, a->limit rows are
 * sent or, with until_kept, o has kept the head cache's rows.
 */
static trawl_status_t
threadlist_cursor_rows(struct rows_out *o, index_t *idx, const struct loader_arg *a, char **head,
		       size_t n_head, int until_kept, useconds_t delay_us)
{
	TALLOC_CTX *ctx;
	index_cursor_t *cur;
	size_t head_left = n_head;
	trawl_status_t ts;

	/* The cursor sorts the whole query before its first row: not for rows not wanted. */
	if (until_kept && !o->key)
		return TRAWL_OK;
	ctx = talloc_new(o->ctx);
	ts = index_cursor_open(idx, ctx, a->query, a->sort, a->skip, &cur);
	for (size_t sent = 0; ts == TRAWL_OK && (!a->limit || sent < a->limit); sent++) {
		TALLOC_CTX *row_ctx = talloc_new(ctx);
		struct index_thread row;
		size_t k = 0;

		if (until_kept && !o->key)
			break;
		ts = index_cursor_next(cur, row_ctx, &row);
		if (ts != TRAWL_OK)
			break;
		/* The first row of `*` gives the database's date bound for the next head. */
		if (sent == 0 && a->skip == 0 && index_is_all(a->query))
			hints_set(a->hint_path,
					    a->sort == INDEX_SORT_OLDEST_FIRST ? "oldest" : "newest",
					    a->sort == INDEX_SORT_OLDEST_FIRST ? row.oldest : row.newest);
		/* Rows the head sent already. */
		while (head_left && k < n_head && (!head[k] || strcmp(head[k], row.thread_id)))
			k++;
		if (head_left && k < n_head) {
			head[k] = NULL;
			head_left--;
			talloc_free(row_ctx);
			continue;
		}
		threadlist_send_row(o, &row);
		talloc_free(row_ctx);
		if (delay_us)
			usleep(delay_us);
	}
	talloc_free(ctx);
	if (ts == TRAWL_NOT_FOUND)
		threadlist_keep_store(o); /* the whole list is shorter than a head */
	return ts == TRAWL_NOT_FOUND ? TRAWL_OK : ts;
}

/* Child: streams the query's threads as 'T' records, then 'E'. */
static int
threadlist_loader(bg_writer_t *w, void *arg)
{
	struct loader_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, **head = NULL, *stamp = NULL;
	const char *delay = getenv("TRAWL_TEST_LOADER_DELAY_US");
	useconds_t delay_us = delay ? (useconds_t)strtoul(delay, NULL, 10) : 0;
	size_t n_head = 0, stamp_len = 0;
	int first = a->skip == 0 && a->limit == 0;
	struct rows_out o = {.w = w, .ctx = ctx, .a = a};

	/* Before the opening: see threadlist_head_cached. */
	if (first && a->cache_path)
		stamp = headcache_stamp(ctx, index_db_path(a->idx), &stamp_len);
	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK) {
		bg_write(w, 'X', err, strlen(err));
		talloc_free(ctx);
		return 0;
	}
	if (first) {
		char num[32];
		int cached = threadlist_head_cached(&o, idx, stamp, stamp_len, &head, &n_head);

		if (!cached)
			threadlist_head(&o, idx, ctx, a, delay_us, &head, &n_head);
		snprintf(num, sizeof(num), "%zu%s", n_head, cached ? " cached" : "");
		bg_write(w, 'H', num, strlen(num));
		/* A short list kept whole needs no cursor, which sorts the whole query. */
		if (cached && n_head < THREADLIST_HEAD) {
			bg_write(w, 'E', "", 0);
			talloc_free(ctx);
			return 0;
		}
	}
	if (threadlist_cursor_rows(&o, idx, a, head, n_head, 0, delay_us) != TRAWL_OK) {
		const char *e = index_last_error(idx);

		bg_write(w, 'X', e, strlen(e));
		talloc_free(ctx);
		return 0;
	}
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

/*
 * Counter, after each of trawl's commits: the list's first rows at the new
 * commit for the head cache, so that opening the list again shows them at
 * once.  Nothing when the cache has them or the list cannot be kept.
 */
static void
threadlist_refresh_head(index_t *idx, TALLOC_CTX *ctx, const struct loader_arg *a, char *stamp,
			size_t stamp_len)
{
	struct rows_out o = {.ctx = ctx, .a = a};
	char **head = NULL;
	size_t n_head = 0;

	if (threadlist_head_cached(&o, idx, stamp, stamp_len, &head, &n_head) || !o.key)
		return;
	/* The rows are stored as soon as a head's worth is kept or the list ends. */
	threadlist_head(&o, idx, ctx, a, 0, &head, &n_head);
	threadlist_cursor_rows(&o, idx, a, head, n_head, 1, 0);
}

/*
 * Offers row, read in tail order (the list's order reversed), to keep[], the
 * last rows so far (keep[0] is the very last row).  For a newest-first list
 * the last rows are the threads whose newest date is smallest; reading
 * oldest first, a thread whose oldest date is past the largest newest date
 * kept cannot be among them, nor can any after it: then 1 is returned.
 */
static int
threadlist_tail_offer(struct index_thread *keep, size_t *n, size_t limit, int newest_first_list,
		      const struct index_thread *row)
{
	time_t key = newest_first_list ? row->newest : row->oldest, bound;
	size_t at;

	if (*n == limit) {
		bound = newest_first_list ? keep[*n - 1].newest : keep[*n - 1].oldest;
		if (newest_first_list ? row->oldest > bound : row->newest < bound)
			return 1;
	}
	/* Insert in tail order: last row of the list first. */
	for (at = *n; at > 0; at--) {
		time_t k = newest_first_list ? keep[at - 1].newest : keep[at - 1].oldest;

		if (newest_first_list ? k <= key : k >= key)
			break;
	}
	if (at == limit)
		return 0;
	memmove(&keep[at + 1], &keep[at], (*n - at) * sizeof(*keep));
	keep[at] = *row;
	if (*n < limit)
		(*n)++;
	return 0;
}

/* Threads the tail reads from its date window, per row wanted. */
#define THREADLIST_TAIL_READ 4

/*
 * The tail through a date window at the other end of the database, as the
 * head (threadlist_head): the window's threads in tail order are the exact
 * start of that order, and when the bound that ends the search lies inside
 * the window, every thread outside it ends the search too.  Returns 1 when
 * keep[] is exact, 0 to read with the cursor instead.
 */
static int
threadlist_tail_window(index_t *idx, TALLOC_CTX *ctx, const struct loader_arg *a,
		       struct index_thread *keep, size_t *n)
{
	int newest_first_list = a->sort == INDEX_SORT_OLDEST_FIRST; /* a->sort is reversed */
	enum index_sort list_sort = newest_first_list ? INDEX_SORT_NEWEST_FIRST
						      : INDEX_SORT_OLDEST_FIRST;
	size_t want = a->limit * THREADLIST_TAIL_READ, n_ids = 0;
	long long hint, count, edge = 0, days = threadlist_window_days();
	char **ids = NULL, *q;

	*n = 0;
	if (!a->limit || !hints_get(a->hint_path, newest_first_list ? "oldest" : "newest", &hint))
		return 0;
	q = hints_count_key(ctx, a->query);
	if (q && hints_get(a->hint_path, q, &count) && count < threadlist_window_min())
		return 0;
	/* A second, wider window when the first was too sparse (see threadlist_head). */
	for (int k = 0; k < 2; k++) {
		char *win;

		edge = newest_first_list ? hint + days * 86400 : hint - days * 86400;
		win = newest_first_list ? talloc_asprintf(ctx, "date:..@%lld", edge)
					: talloc_asprintf(ctx, "date:@%lld..", edge);
		q = win ? index_query_and(ctx, a->query, win) : NULL;
		if (!q || index_first_thread_ids(idx, ctx, q, a->sort, want, &ids, &n_ids) != TRAWL_OK)
			return 0;
		if (n_ids >= a->limit || k == 1)
			break;
		days = n_ids ? days * 2 * (long long)a->limit / (long long)n_ids : days * 16;
		if (days > THREADLIST_WINDOW_MAX_DAYS)
			return 0;
	}
	for (size_t i = 0; i < n_ids; i++) {
		struct index_thread row;

		/* Built as the main loader builds it: in the list's order. */
		if (index_thread_row(idx, ctx, ids[i], a->query, list_sort, &row) != TRAWL_OK)
			return 0;
		if (threadlist_tail_offer(keep, n, a->limit, newest_first_list, &row))
			return 1;
	}
	if (n_ids == want || *n < a->limit)
		return 0; /* more threads in the window, or too few to know */
	/* Every thread outside the window starts past the edge. */
	return newest_first_list ? keep[*n - 1].newest <= edge : keep[*n - 1].oldest >= edge;
}

/* Child: the last a->limit rows of the list in list order, found from the other end. */
static int
threadlist_tail_loader(bg_writer_t *w, void *arg)
{
	struct loader_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	int newest_first_list = a->sort == INDEX_SORT_OLDEST_FIRST; /* a->sort is reversed */
	struct index_thread *keep = talloc_array(ctx, struct index_thread, a->limit + 1);
	size_t n = 0;
	index_t *idx;
	index_cursor_t *cur;
	char *err = NULL;
	struct rows_out o = {.w = w, .ctx = ctx, .a = a};

	if (!keep || index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK) {
		talloc_free(ctx);
		return 0; /* the main loader reports errors */
	}
	if (!threadlist_tail_window(idx, ctx, a, keep, &n)) {
		n = 0;
		if (index_cursor_open(idx, ctx, a->query, a->sort, 0, &cur) != TRAWL_OK) {
			talloc_free(ctx);
			return 0;
		}
		for (int first = 1;; first = 0) {
			struct index_thread row;

			if (index_cursor_next(cur, ctx, &row) != TRAWL_OK)
				break;
			/* Read from the other end, the first row of `*` is the other bound. */
			if (first && index_is_all(a->query))
				hints_set(a->hint_path, newest_first_list ? "oldest" : "newest",
					  newest_first_list ? row.oldest : row.newest);
			if (threadlist_tail_offer(keep, &n, a->limit, newest_first_list, &row))
				break;
		}
		/*
		 * Read in the other order, a row's subject is its oldest matching
		 * message's (newest's): build the rows kept as the list shows them.
		 */
		for (size_t i = 0; i < n; i++) {
			struct index_thread row;

			if (index_thread_row(idx, ctx, keep[i].thread_id, a->query,
					     newest_first_list ? INDEX_SORT_NEWEST_FIRST
							       : INDEX_SORT_OLDEST_FIRST,
					     &row) == TRAWL_OK)
				keep[i] = row;
		}
	} else if (getenv("TRAWL_TEST_TAIL_TRACE")) {
		fprintf(stderr, "tail window\n");
	}
	for (size_t i = 0; i < n; i++)
		threadlist_send_row(&o, &keep[i]);
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

/* Child: counts messages, reviewed messages and threads of the query. */
static int
threadlist_counter(bg_writer_t *w, void *arg)
{
	struct loader_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, *q, num[32], *stamp = NULL;
	unsigned n;
	size_t stamp_len = 0;

	/* Before the opening: see threadlist_head_cached. */
	if (a->cache_path)
		stamp = headcache_stamp(ctx, index_db_path(a->idx), &stamp_len);
	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK) {
		bg_write(w, 'X', err, strlen(err));
		talloc_free(ctx);
		return 0;
	}
	if (index_count_messages(idx, a->query, &n) != TRAWL_OK) {
		bg_write(w, 'X', index_last_error(idx), strlen(index_last_error(idx)));
		talloc_free(ctx);
		return 0;
	}
	snprintf(num, sizeof(num), "%u", n);
	bg_write(w, 'M', num, strlen(num));
	q = hints_count_key(ctx, a->query);
	if (q)
		hints_set(a->hint_path, q, n);
	q = index_query_and(ctx, a->query, index_quote_term(ctx, "tag", index_reviewed_tag(idx)));
	if (q && index_count_messages(idx, q, &n) == TRAWL_OK) {
		snprintf(num, sizeof(num), "%u", n);
		bg_write(w, 'R', num, strlen(num));
	}
	/* Before the thread count, which takes seconds on a large cache and may be cut short. */
	threadlist_refresh_head(idx, ctx, a, stamp, stamp_len);
	if (index_count_threads(idx, a->query, &n) == TRAWL_OK) {
		snprintf(num, sizeof(num), "%u", n);
		bg_write(w, 'H', num, strlen(num));
	}
	/*
	 * The database's date bounds, once: without them the first list (G,
	 * for "oldest") of a database is sorted whole.  The loaders keep them
	 * current from the rows they read.
	 */
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "oldest" : "newest";
		long long d;

		if (!hints_get(a->hint_path, key, &d) &&
		    index_edge_date(idx, "*", k ? INDEX_SORT_OLDEST_FIRST : INDEX_SORT_NEWEST_FIRST,
				    &d) == TRAWL_OK)
			hints_set(a->hint_path, key, d);
	}
	talloc_free(ctx);
	return 0;
}

/*
 * Following commits.  The updater reads the threads of the messages changed
 * since the list's revision (lastmod:), the ones on screen first, each as
 * a row exactly as the loader would send it ('T') or, when the thread no
 * longer matches, its id ('G'); 'V' first says which revision it reads.
 */
struct updater_arg {
	index_t *idx;
	const char *query;
	enum index_sort sort;
	unsigned long from;
	char **priority;
	size_t n_priority;
	/*
	 * Threads an updater stopped for a newer commit already sent, read at
	 * revision skip_at or later: not read again unless they changed since.
	 */
	char **skip;
	size_t n_skip;
	unsigned long skip_at;
	unsigned long recent; /* the first revision the stopped updater had not seen, or 0 */
};

static int
threadlist_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sends thread id's row, or 'G' when it no longer matches; 0 on a read error. */
static int
threadlist_update_one(struct rows_out *o, index_t *idx, const char *id)
{
	const char *delay = getenv("TRAWL_TEST_UPDATER_DELAY_US"); /* test hook: a slow read */
	TALLOC_CTX *row_ctx = talloc_new(NULL);
	struct index_thread row;
	trawl_status_t ts = index_thread_row(idx, row_ctx, id, o->a->query, o->a->sort, &row);

	if (delay)
		usleep((useconds_t)strtoul(delay, NULL, 10));
	if (ts == TRAWL_OK)
		threadlist_send_row(o, &row);
	else if (ts == TRAWL_NOT_FOUND)
		bg_write(o->w, 'G', id, strlen(id));
	talloc_free(row_ctx);
	return ts == TRAWL_OK || ts == TRAWL_NOT_FOUND;
}

static int
threadlist_updater(bg_writer_t *w, void *arg)
{
	struct updater_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct loader_arg la = {.query = a->query, .sort = a->sort};
	struct rows_out o = {.w = w, .ctx = ctx, .a = &la};
	index_t *idx;
	char *err = NULL, num[32], **ids = NULL, *done;
	size_t n = 0;
	unsigned long to;

	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK) {
		bg_write(w, 'X', err, strlen(err));
		talloc_free(ctx);
		return 0;
	}
	la.idx = idx;
	to = index_revision(idx, NULL);
	snprintf(num, sizeof(num), "%lu", to);
	bg_write(w, 'V', num, strlen(num));
	/*
	 * The rows on screen first, whether or not lastmod: names them (a
	 * message removed by notmuch new leaves no trace there): finding the
	 * threads of a commit of every message takes seconds on a large
	 * cache, and the reader looks at these.
	 */
	if (a->n_priority) {
		/*
		 * Of those, the ones the newest commits changed first (an R just
		 * made, while an earlier commit of every message is still being
		 * followed), then the ones any of them changed, then the rest:
		 * each found with one narrow query, in screen order.
		 */
		char *within = talloc_strdup(ctx, "");
		char *rank = talloc_zero_array(ctx, char, a->n_priority);
		unsigned long starts[2] = {a->recent > a->from ? a->recent : 0, a->from};

		for (size_t i = 0; within && i < a->n_priority; i++)
			within = talloc_asprintf_append_buffer(
				within, "%s%s", i ? " or " : "",
				index_quote_term(ctx, "thread", a->priority[i]));
		for (int pass = 0; pass < 2 && within && rank; pass++) {
			char **hot = NULL;
			size_t n_hot = 0;

			if (!starts[pass] || to < starts[pass] ||
			    index_changed_threads_within(idx, ctx, starts[pass], to, within, &hot,
							 &n_hot) != TRAWL_OK)
				continue;
			for (size_t i = 0; i < a->n_priority; i++)
				for (size_t k = 0; !rank[i] && k < n_hot; k++)
					if (!strcmp(hot[k], a->priority[i])) {
						if (!threadlist_update_one(&o, idx, a->priority[i]))
							goto failed;
						rank[i] = 1;
					}
		}
		for (size_t i = 0; i < a->n_priority; i++)
			if (!(rank && rank[i]) && !threadlist_update_one(&o, idx, a->priority[i]))
				goto failed;
	}
	if (to >= a->from && index_changed_threads(idx, ctx, a->from, to, &ids, &n) != TRAWL_OK) {
		bg_write(w, 'X', index_last_error(idx), strlen(index_last_error(idx)));
		talloc_free(ctx);
		return 0;
	}
	done = talloc_zero_array(ctx, char, n ? n : 1);
	if (!done)
		_exit(4);
	if (n > 1)
		qsort(ids, n, sizeof(*ids), threadlist_strcmp_p);
	for (size_t i = 0; i < a->n_priority; i++) {
		char **hit = n ? bsearch(&a->priority[i], ids, n, sizeof(*ids), threadlist_strcmp_p)
			       : NULL;

		if (hit)
			done[hit - ids] = 1;
	}
	/* What a stopped updater sent stands, unless its thread changed after it read it. */
	if (a->n_skip && n) {
		char **moved = NULL;
		size_t n_moved = 0;

		if (to > a->skip_at &&
		    index_changed_threads(idx, ctx, a->skip_at + 1, to, &moved, &n_moved) != TRAWL_OK)
			goto failed;
		if (n_moved > 1)
			qsort(moved, n_moved, sizeof(*moved), threadlist_strcmp_p);
		for (size_t i = 0; i < a->n_skip; i++) {
			char **hit = bsearch(&a->skip[i], ids, n, sizeof(*ids), threadlist_strcmp_p);

			if (hit && !(n_moved && bsearch(&a->skip[i], moved, n_moved, sizeof(*moved),
							 threadlist_strcmp_p)))
				done[hit - ids] = 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!done[i] && !threadlist_update_one(&o, idx, ids[i]))
			goto failed;
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
failed:
	bg_write(w, 'X', index_last_error(idx), strlen(index_last_error(idx)));
	talloc_free(ctx);
	return 0;
}

/* Rows a restarted loader reads again, in case other programs' changes moved them. */
#define THREADLIST_RESTART_OVERLAP 64

static uint64_t
threadlist_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Adds id to the set of thread ids seen; returns 0 if it was already there. */
static int
threadlist_seen_add(struct threadlist *tl, const char *id)
{
	size_t mask, i;

	if ((tl->n_seen + 1) * 2 > tl->cap_seen) {
		size_t cap = tl->cap_seen ? tl->cap_seen * 2 : 1024;
		const char **old = tl->seen;
		size_t old_cap = tl->cap_seen;

		tl->seen = talloc_zero_array(tl, const char *, cap);
		if (!tl->seen)
			abort();
		tl->cap_seen = cap;
		tl->n_seen = 0;
		for (size_t k = 0; k < old_cap; k++)
			if (old[k])
				threadlist_seen_add(tl, old[k]);
		talloc_free(old);
	}
	mask = tl->cap_seen - 1;
	for (i = threadlist_hash(id) & mask; tl->seen[i]; i = (i + 1) & mask)
		if (!strcmp(tl->seen[i], id))
			return 0;
	tl->seen[i] = id;
	tl->n_seen++;
	return 1;
}

/* Starts the set of thread ids seen with every row listed so far. */
static void
threadlist_seen_init(struct threadlist *tl)
{
	if (tl->seen)
		return;
	for (size_t i = 0; i < tl->n_rows; i++)
		threadlist_seen_add(tl, tl->rows[i].thread_id);
	if (!tl->seen) /* no rows yet: an empty set all the same */
		tl->seen = talloc_zero_array(tl, const char *, tl->cap_seen = 1024);
	if (!tl->seen)
		abort();
}

/* Adds a copy of id to the set seen (the updater's rows can go, the id stays). */
static void
threadlist_seen_note(struct threadlist *tl, const char *id)
{
	char *copy = talloc_strdup(tl, id);

	if (!copy)
		abort();
	if (!threadlist_seen_add(tl, copy))
		talloc_free(copy);
}

static void
threadlist_start_loader(struct threadlist *tl)
{
	size_t skip = tl->loaded;
	struct loader_arg a;

	/*
	 * After a restart, read a few rows again and drop the ones already
	 * here: commits by other programs may have moved threads meanwhile.
	 */
	if (tl->loaded) {
		threadlist_seen_init(tl);
		skip = tl->loaded > THREADLIST_RESTART_OVERLAP ? tl->loaded - THREADLIST_RESTART_OVERLAP
							       : 0;
	}
	a = (struct loader_arg){tl->idx, tl->query, tl->sort, skip, 0, tl->hint_path,
				tl->cache_path};
	tl->loaded = skip;
	tl->loader_skip = skip;
	if (bg_start(tl, "loader", threadlist_loader, &a, &tl->loader) != TRAWL_OK) {
		tl->state = THREADLIST_ERROR;
		tl->error = talloc_asprintf(tl, "cannot start the loader: %s", strerror(errno));
	}
}

static int
threadlist_destructor(struct threadlist *tl)
{
	/* Kill the jobs before the rows go. */
	talloc_free(tl->loader);
	talloc_free(tl->counter);
	talloc_free(tl->tail_loader);
	talloc_free(tl->updater);
	tl->loader = tl->counter = tl->tail_loader = tl->updater = NULL;
	return 0;
}

struct threadlist *
threadlist_new(TALLOC_CTX *ctx, index_t *idx, const char *query, enum index_sort sort,
	       unsigned flags)
{
	struct threadlist *tl = talloc_zero(ctx, struct threadlist);

	if (!tl)
		return NULL;
	talloc_set_destructor(tl, threadlist_destructor);
	tl->idx = idx;
	tl->query = talloc_strdup(tl, query && *query ? query : "*");
	tl->sort = sort;
	tl->by_count = (flags & THREADLIST_BY_COUNT) != 0;
	if (tl->by_count)
		tl->sort = INDEX_SORT_NEWEST_FIRST; /* the rows' order; the list's is the permutation */
	tl->error = talloc_strdup(tl, "");
	tl->notice = talloc_strdup(tl, "");
	tl->count_error = talloc_strdup(tl, "");
	tl->n_messages = tl->n_reviewed = tl->n_threads = -1;
	tl->state = THREADLIST_LOADING;
	tl->hint_path = hints_path_for(tl, index_db_path(idx));
	if (flags & THREADLIST_HEAD_CACHE)
		tl->cache_path = headcache_path_for(tl, index_db_path(idx));
	/* The loader's handle opens after this: its rows are of this revision or newer. */
	index_refresh(idx, NULL);
	tl->rev = index_revision(idx, NULL);
	threadlist_start_loader(tl);
	/* Counting waits for the first rows: on 2 cores it would slow the first screen. */
	tl->count_pending = 1;
	clock_gettime(CLOCK_MONOTONIC, &tl->started);
	return tl;
}

void
threadlist_recount(struct threadlist *tl)
{
	struct loader_arg a = {tl->idx, tl->query, tl->sort, 0, 0, tl->hint_path, tl->cache_path};

	TALLOC_FREE(tl->counter);
	if (bg_start(tl, "counter", threadlist_counter, &a, &tl->counter) != TRAWL_OK)
		tl->count_error = talloc_strdup(tl, "cannot start counting");
}

/* Parses a 'T' record into a new row at the end of *rows (strings children of the array). */
static struct index_thread *
threadlist_parse_row(TALLOC_CTX *ctx, struct index_thread **rows, size_t *n, size_t *cap,
		     const char *p, size_t len)
{
	const char *end = p + len, *f[5];
	struct index_thread *row;
	long long newest = 0, oldest = 0;

	for (int i = 0; i < 5; i++) {
		f[i] = p;
		p = memchr(p, '\0', (size_t)(end - p));
		if (!p)
			return NULL; /* malformed record: ignore */
		p++;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct index_thread *r = talloc_realloc(ctx, *rows, struct index_thread, c);

		if (!r)
			return NULL;
		*rows = r;
		*cap = c;
	}
	row = &(*rows)[*n];
	memset(row, 0, sizeof(*row));
	/*
	 * The four strings are consecutive in the record: one allocation holds
	 * them (a talloc chunk costs about 100 bytes, and a list of 10^5 or
	 * 10^6 rows is what this is for).
	 */
	row->thread_id = talloc_memdup(*rows, f[0], (size_t)(f[4] - f[0]));
	if (!row->thread_id)
		return NULL;
	row->authors = row->thread_id + (f[1] - f[0]);
	row->subject = row->thread_id + (f[2] - f[0]);
	row->tags = row->thread_id + (f[3] - f[0]);
	if (sscanf(f[4], "%lld %lld %d %d %d", &newest, &oldest, &row->matched, &row->total,
		   &row->unreviewed) != 5)
		return NULL;
	row->newest = (time_t)newest;
	row->oldest = (time_t)oldest;
	(*n)++;
	return row;
}

/* Row i of a tail array found by thread id; -1 if absent. */
static long
threadlist_tail_find(const struct threadlist *tl, const char *id)
{
	for (size_t k = tl->n_tail; k > 0; k--)
		if (!strcmp(tl->tail[k - 1].thread_id, id))
			return (long)(k - 1);
	return -1;
}

static void
threadlist_add_row(struct threadlist *tl, const char *p, size_t len)
{
	struct index_thread *row;
	long k;

	if (tl->state != THREADLIST_LOADING)
		return;
	tl->loaded++;
	row = threadlist_parse_row(tl, &tl->rows, &tl->n_rows, &tl->cap_rows, p, len);
	if (!row)
		return;
	/*
	 * A row of the tail arrived in order: it leaves the tail, so no thread
	 * shows twice.  The list is exact when the loader ends; the tail only
	 * stands in for rows not loaded yet.  An update may have read the
	 * tail's row at a newer revision than the loader's: that one stays.
	 */
	k = tl->n_tail ? threadlist_tail_find(tl, row->thread_id) : -1;
	if (k >= 0) {
		if (tl->seen && !threadlist_seen_add(tl, row->thread_id)) {
			*row = tl->tail[k];
			talloc_steal(tl->rows, row->thread_id);
		}
		memmove(&tl->tail[k], &tl->tail[k + 1], (tl->n_tail - (size_t)k - 1) * sizeof(*tl->tail));
		tl->n_tail--;
		return;
	}
	/* Read again after a restart, or read already at a newer revision by an update. */
	if (tl->seen && !threadlist_seen_add(tl, row->thread_id))
		tl->n_rows--;
}

/* Whether row a comes before row b in the list's order (ties: a does not). */
static int
threadlist_before(const struct threadlist *tl, const struct index_thread *a,
		  const struct index_thread *b)
{
	return tl->sort == INDEX_SORT_OLDEST_FIRST ? a->oldest < b->oldest : a->newest > b->newest;
}

static int
threadlist_cmp_newest(const void *x, const void *y)
{
	const struct index_thread *a = x, *b = y;

	return (a->newest < b->newest) - (a->newest > b->newest);
}

static int
threadlist_cmp_oldest(const void *x, const void *y)
{
	const struct index_thread *a = x, *b = y;

	return (a->oldest > b->oldest) - (a->oldest < b->oldest);
}

/*
 * Merges the rows add[0..n) into the list at their places, in one pass
 * from the end (the rows array keeps its strings as children, so it grows
 * in place); their strings move to the rows array.
 */
static void
threadlist_merge(struct threadlist *tl, struct index_thread *add, size_t n)
{
	size_t i, j, out;

	if (!n)
		return;
	qsort(add, n, sizeof(*add),
	      tl->sort == INDEX_SORT_OLDEST_FIRST ? threadlist_cmp_oldest : threadlist_cmp_newest);
	if (tl->n_rows + n > tl->cap_rows) {
		size_t cap = (tl->n_rows + n) * 2;
		struct index_thread *r = talloc_realloc(tl, tl->rows, struct index_thread, cap);

		if (!r)
			abort();
		tl->rows = r;
		tl->cap_rows = cap;
	}
	for (i = 0; i < n; i++)
		talloc_steal(tl->rows, add[i].thread_id);
	tl->order_stale = 1;
	i = tl->n_rows, j = n, out = tl->n_rows + n;
	while (j > 0) {
		/* An added row goes after the rows with the same date. */
		if (i > 0 && threadlist_before(tl, &add[j - 1], &tl->rows[i - 1]))
			tl->rows[--out] = tl->rows[--i];
		else
			tl->rows[--out] = add[--j];
	}
	tl->n_rows += n;
}

/*
 * Rows waiting for the loader to pass their place join the list once it
 * has (or the list is complete): before, the rows between would be missing.
 */
static void
threadlist_flush_pending(struct threadlist *tl)
{
	size_t keep = 0, n = 0;
	struct index_thread *ready;

	if (!tl->n_pending)
		return;
	ready = talloc_array(NULL, struct index_thread, tl->n_pending);
	if (!ready)
		abort();
	for (size_t i = 0; i < tl->n_pending; i++) {
		struct index_thread *p = &tl->pending[i];

		if (tl->state != THREADLIST_LOADING ||
		    (tl->n_rows && !threadlist_before(tl, &tl->rows[tl->n_rows - 1], p)))
			ready[n++] = *p;
		else
			tl->pending[keep++] = *p;
	}
	tl->n_pending = keep;
	threadlist_merge(tl, ready, n);
	talloc_free(ready);
}

/* Drops id from the pending rows. */
static void
threadlist_pending_drop(struct threadlist *tl, const char *id)
{
	for (size_t i = 0; i < tl->n_pending; i++)
		if (!strcmp(tl->pending[i].thread_id, id)) {
			memmove(&tl->pending[i], &tl->pending[i + 1],
				(tl->n_pending - i - 1) * sizeof(*tl->pending));
			tl->n_pending--;
			return;
		}
}

/* A map from thread id to row, for applying a batch of updates. */
struct threadlist_map {
	long *slot; /* row index + 1, 0 empty */
	size_t mask;
};

static void
threadlist_map_build(TALLOC_CTX *ctx, const struct threadlist *tl, struct threadlist_map *m)
{
	size_t cap = 1024;

	while (cap < tl->n_rows * 2)
		cap *= 2;
	m->slot = talloc_zero_array(ctx, long, cap);
	if (!m->slot)
		abort();
	m->mask = cap - 1;
	for (size_t r = 0; r < tl->n_rows; r++) {
		size_t h = threadlist_hash(tl->rows[r].thread_id) & m->mask;

		while (m->slot[h])
			h = (h + 1) & m->mask;
		m->slot[h] = (long)r + 1;
	}
}

static long
threadlist_map_find(const struct threadlist *tl, const struct threadlist_map *m, const char *id)
{
	for (size_t h = threadlist_hash(id) & m->mask; m->slot[h]; h = (h + 1) & m->mask)
		if (!strcmp(tl->rows[m->slot[h] - 1].thread_id, id))
			return m->slot[h] - 1;
	return -1;
}

/*
 * Applies what the updater sent since the last poll: rows in place, rows
 * dropped, rows joining (at their place, or pending).  One pass over the
 * rows at most, however many updates came.
 */
static void
threadlist_apply_updates(struct threadlist *tl)
{
	TALLOC_CTX *tmp;
	struct threadlist_map map;
	char *drop;
	struct index_thread *join;
	size_t n_join = 0, n_drop = 0;

	if (!tl->n_upd && !tl->n_gone)
		return;
	tmp = talloc_new(NULL);
	threadlist_seen_init(tl);
	threadlist_map_build(tmp, tl, &map);
	drop = talloc_zero_array(tmp, char, tl->n_rows ? tl->n_rows : 1);
	join = talloc_array(tmp, struct index_thread, tl->n_upd ? tl->n_upd : 1);
	if (!drop || !join)
		abort();
	for (size_t i = 0; i < tl->n_upd; i++) {
		struct index_thread *u = &tl->upd[i];
		long r = threadlist_map_find(tl, &map, u->thread_id), k;

		threadlist_seen_note(tl, u->thread_id);
		threadlist_pending_drop(tl, u->thread_id);
		if (r >= 0 && !drop[r] && !threadlist_before(tl, u, &tl->rows[r]) &&
		    !threadlist_before(tl, &tl->rows[r], u)) {
			/* Same place: in place (the old strings stay with the array). */
			talloc_steal(tl->rows, u->thread_id);
			if (u->total != tl->rows[r].total || u->matched != tl->rows[r].matched)
				tl->order_stale = 1;
			tl->rows[r] = *u;
		} else if (r >= 0 || (k = threadlist_tail_find(tl, u->thread_id)) < 0) {
			/* Moved (a new message), or new to the list. */
			if (r >= 0 && !drop[r]) {
				drop[r] = 1;
				n_drop++;
			}
			talloc_steal(tmp, u->thread_id);
			join[n_join++] = *u;
		} else {
			talloc_steal(tl->tail, u->thread_id);
			tl->tail[k] = *u;
		}
	}
	for (size_t i = 0; i < tl->n_gone; i++) {
		long r = threadlist_map_find(tl, &map, tl->gone[i]), k;

		threadlist_seen_note(tl, tl->gone[i]);
		threadlist_pending_drop(tl, tl->gone[i]);
		for (size_t j = 0; j < n_join; j++)
			if (!strcmp(join[j].thread_id, tl->gone[i]))
				join[j--] = join[--n_join];
		if (r >= 0 && !drop[r]) {
			drop[r] = 1;
			n_drop++;
		} else if (r < 0 && (k = threadlist_tail_find(tl, tl->gone[i])) >= 0) {
			memmove(&tl->tail[k], &tl->tail[k + 1],
				(tl->n_tail - (size_t)k - 1) * sizeof(*tl->tail));
			tl->n_tail--;
		}
	}
	if (n_drop) {
		size_t out = 0;

		for (size_t r = 0; r < tl->n_rows; r++)
			if (!drop[r])
				tl->rows[out++] = tl->rows[r];
		tl->n_rows = out;
		tl->order_stale = 1;
	}
	/* Joining rows beyond the rows loaded so far wait for the loader to get there. */
	if (n_join) {
		if (tl->n_pending + n_join > tl->cap_pending) {
			tl->cap_pending = (tl->n_pending + n_join) * 2;
			tl->pending = talloc_realloc(tl, tl->pending, struct index_thread,
						     tl->cap_pending);
			if (!tl->pending)
				abort();
		}
		for (size_t j = 0; j < n_join; j++) {
			talloc_steal(tl->pending, join[j].thread_id);
			tl->pending[tl->n_pending++] = join[j];
		}
		threadlist_flush_pending(tl);
	}
	TALLOC_FREE(tl->upd);
	tl->n_upd = tl->cap_upd = 0;
	TALLOC_FREE(tl->gone);
	tl->n_gone = 0;
	talloc_free(tmp);
}

static void
threadlist_start_update(struct threadlist *tl)
{
	struct updater_arg a = {tl->idx,	  tl->query, tl->sort,	   tl->rev + 1,
				tl->priority,	  tl->n_priority, tl->sent, tl->n_sent,
				tl->sent_at,	  tl->update_to ? tl->update_to + 1 : 0};

	tl->update_again = 0;
	tl->update_to = 0;
	if (bg_start(tl, "updater", threadlist_updater, &a, &tl->updater) != TRAWL_OK)
		tl->updater = NULL;
}

/* Remembers a thread the running updater sent (read at tl->update_to). */
static void
threadlist_note_sent(struct threadlist *tl, const char *id, size_t len)
{
	if (!tl->update_to)
		return;
	if (tl->n_sent == tl->cap_sent) {
		tl->cap_sent = tl->cap_sent ? tl->cap_sent * 2 : 256;
		tl->sent = talloc_realloc(tl, tl->sent, char *, tl->cap_sent);
		if (!tl->sent)
			abort();
	}
	tl->sent[tl->n_sent] = talloc_strndup(tl->sent, id, len);
	if (tl->sent[tl->n_sent])
		tl->n_sent++;
}

static void
threadlist_on_updater(void *ud, char type, const char *payload, size_t len)
{
	struct threadlist *tl = ud;

	switch (type) {
	case 'V': {
		char num[32];

		snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), payload);
		tl->update_to = strtoul(num, NULL, 10);
		/* What earlier stopped updaters sent counts from the oldest of their reads. */
		if (!tl->n_sent || tl->sent_at > tl->update_to)
			tl->sent_at = tl->update_to;
		break;
	}
	case 'T':
		threadlist_parse_row(tl, &tl->upd, &tl->n_upd, &tl->cap_upd, payload, len);
		threadlist_note_sent(tl, payload, strnlen(payload, len));
		break;
	case 'G': {
		threadlist_note_sent(tl, payload, len);
		char **g = talloc_realloc(tl, tl->gone, char *, tl->n_gone + 1);

		if (!g)
			abort();
		tl->gone = g;
		g[tl->n_gone] = talloc_strndup(g, payload, len);
		if (g[tl->n_gone])
			tl->n_gone++;
		break;
	}
	case 'E':
		if (tl->update_to > tl->rev)
			tl->rev = tl->update_to;
		TALLOC_FREE(tl->sent);
		tl->n_sent = tl->cap_sent = 0;
		break;
	}
}

void
threadlist_update(struct threadlist *tl, char *const *priority, size_t n)
{
	TALLOC_FREE(tl->priority);
	tl->n_priority = 0;
	if (n) {
		tl->priority = talloc_array(tl, char *, n);
		for (size_t i = 0; tl->priority && i < n; i++)
			tl->priority[tl->n_priority++] = talloc_strdup(tl->priority, priority[i]);
	}
	/*
	 * A commit while an updater reads (it may be re-reading every row of a
	 * commit of every message): it is stopped and a new one starts at once
	 * with the rows on screen, so they never wait for the rows off
	 * screen; what the stopped one sent is not read again unless its
	 * thread changed since.  Without a revision yet ('V') it had sent
	 * nothing: it just starts again.
	 */
	if (tl->updater) {
		TALLOC_FREE(tl->updater);
		if (!tl->update_to) {
			TALLOC_FREE(tl->sent);
			tl->n_sent = tl->cap_sent = 0;
		}
	}
	threadlist_start_update(tl);
	threadlist_recount(tl);
}

static void
threadlist_on_commit(void *ud, const struct feed_event *ev)
{
	struct threadlist *tl = ud;
	char **ids;
	size_t n = 0;

	/* A new database is read again whole, by whoever owns the list. */
	if (ev->new_database)
		return;
	ids = talloc_array(NULL, char *, tl->n_visible + 1);
	/* The cursor's row first: it is the one just tagged, as a rule. */
	if (ids && tl->cursor_row < threadlist_len(tl) && threadlist_row(tl, tl->cursor_row))
		ids[n++] = threadlist_row(tl, tl->cursor_row)->thread_id;
	for (size_t i = 0; ids && i < tl->n_visible; i++) {
		const struct index_thread *r = threadlist_row(tl, tl->visible_first + i);

		if (r && tl->visible_first + i != tl->cursor_row)
			ids[n++] = r->thread_id;
	}
	threadlist_update(tl, ids, n);
	talloc_free(ids);
}

void
threadlist_follow(struct threadlist *tl, struct feed *feed)
{
	feed_subscribe(feed, tl, threadlist_on_commit, tl);
}

void
threadlist_set_visible(struct threadlist *tl, size_t first, size_t n, size_t cursor)
{
	tl->visible_first = first;
	tl->n_visible = n;
	tl->cursor_row = cursor;
}

int
threadlist_updating(const struct threadlist *tl)
{
	return tl->updater != NULL || tl->update_again;
}

static void
threadlist_on_loader(void *ud, char type, const char *payload, size_t len)
{
	struct threadlist *tl = ud;

	switch (type) {
	case 'T':
		threadlist_add_row(tl, payload, len);
		break;
	case 'H': {
		char num[32];

		snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), payload);
		tl->head_rows = strtoul(num, NULL, 10);
		tl->head_cached = strstr(num, " cached") != NULL;
		break;
	}
	case 'E':
		tl->state = THREADLIST_DONE;
		TALLOC_FREE(tl->tail);
		tl->n_tail = tl->cap_tail = 0;
		threadlist_flush_pending(tl);
		break;
	case 'X':
		tl->state = THREADLIST_ERROR;
		talloc_free(tl->error);
		tl->error = talloc_strndup(tl, payload, len);
		break;
	}
}

static void
threadlist_on_tail(void *ud, char type, const char *payload, size_t len)
{
	struct threadlist *tl = ud;

	if (type == 'T' && tl->state == THREADLIST_LOADING)
		threadlist_parse_row(tl, &tl->tail, &tl->n_tail, &tl->cap_tail, payload, len);
	else if (type == 'E')
		tl->tail_done = 1;
}

static void
threadlist_on_counter(void *ud, char type, const char *payload, size_t len)
{
	struct threadlist *tl = ud;
	char num[32];
	long v;

	if (type == 'X') {
		talloc_free(tl->count_error);
		tl->count_error = talloc_strndup(tl, payload, len);
		return;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(len < 31 ? len : 31), payload);
	v = strtol(num, NULL, 10);
	if (type == 'M')
		tl->n_messages = v;
	else if (type == 'R')
		tl->n_reviewed = v;
	else if (type == 'H')
		tl->n_threads = v;
}

/* Starts the deferred count once a screenful of rows is in, the load ends, or 0.3 s pass. */
static void
threadlist_maybe_count(struct threadlist *tl)
{
	struct timespec now;

	if (!tl->count_pending)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tl->n_rows >= THREADLIST_FIRST_SCREEN || tl->state != THREADLIST_LOADING ||
	    (now.tv_sec - tl->started.tv_sec) * 1000 + (now.tv_nsec - tl->started.tv_nsec) / 1000000 >=
		    300) {
		tl->count_pending = 0;
		threadlist_recount(tl);
	}
}

/* Most messages first, then most matched, then newest; the thread id breaks ties. */
static int
threadlist_cmp_count(const void *x, const void *y, void *ud)
{
	const struct threadlist *tl = ud;
	const struct index_thread *a = &tl->rows[*(const size_t *)x];
	const struct index_thread *b = &tl->rows[*(const size_t *)y];

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->matched != b->matched)
		return a->matched > b->matched ? -1 : 1;
	if (a->newest != b->newest)
		return a->newest > b->newest ? -1 : 1;
	return strcmp(a->thread_id, b->thread_id);
}

/* Rows up to which a list by count is sorted again whenever rows arrive. */
#define THREADLIST_SORT_ALWAYS 20000

/*
 * A list by count: sorts the permutation again when rows moved or changed
 * count (at once: the old permutation is wrong), or when rows arrived.
 * While a large list loads, arrivals are sorted in only once it has grown
 * by a quarter or a second has passed, so that sorting costs a few times
 * the final sort in all instead of one sort per batch.
 */
static int
threadlist_sort_order(struct threadlist *tl)
{
	struct timespec now;
	long ms;

	if (!tl->by_count || (!tl->order_stale && tl->n_order == tl->n_rows))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - tl->order_at.tv_sec) * 1000 +
	     (now.tv_nsec - tl->order_at.tv_nsec) / 1000000;
	if (!tl->order_stale && tl->state == THREADLIST_LOADING &&
	    tl->n_rows > THREADLIST_SORT_ALWAYS && tl->n_rows < tl->n_order + tl->n_order / 4 &&
	    ms < 1000)
		return 0;
	if (talloc_get_size(tl->order) < tl->n_rows * sizeof(size_t) || !tl->order) {
		size_t *o = talloc_realloc(tl, tl->order, size_t, tl->n_rows * 2 + 16);

		if (!o)
			abort();
		tl->order = o;
	}
	for (size_t i = 0; i < tl->n_rows; i++)
		tl->order[i] = i;
	qsort_r(tl->order, tl->n_rows, sizeof(*tl->order), threadlist_cmp_count, tl);
	tl->n_order = tl->n_rows;
	tl->order_stale = 0;
	tl->order_at = now;
	return 1;
}

int
threadlist_poll(struct threadlist *tl, size_t budget)
{
	size_t before = tl->n_rows;
	enum threadlist_state state = tl->state;
	long counts = tl->n_messages + tl->n_reviewed + tl->n_threads;
	int changed = 0;

	if (tl->counter) {
		enum bg_state st = bg_poll(tl->counter, budget, threadlist_on_counter, tl);

		if (st != BG_RUNNING) {
			if (st == BG_DIED && tl->n_threads < 0)
				tl->count_error = talloc_asprintf(tl, "counting stopped: %s",
								  bg_how_died(tl->counter));
			TALLOC_FREE(tl->counter);
			changed = 1;
		}
	}
	if (tl->tail_loader) {
		size_t before_tail = tl->n_tail;
		enum bg_state st = bg_poll(tl->tail_loader, budget, threadlist_on_tail, tl);

		changed |= before_tail != tl->n_tail;
		if (st != BG_RUNNING)
			TALLOC_FREE(tl->tail_loader);
	}
	if (tl->updater) {
		enum bg_state st = bg_poll(tl->updater, budget, threadlist_on_updater, tl);

		changed |= tl->n_upd || tl->n_gone;
		threadlist_apply_updates(tl);
		if (st != BG_RUNNING) {
			/* A failed update is tried again from the same revision with the next commit. */
			TALLOC_FREE(tl->updater);
			changed = 1;
			if (tl->update_again)
				threadlist_start_update(tl);
		}
	}
	if (tl->loader) {
		enum bg_state st = bg_poll(tl->loader, budget, threadlist_on_loader, tl);

		if (st != BG_RUNNING) {
			char *how = talloc_strdup(tl, bg_how_died(tl->loader));

			TALLOC_FREE(tl->loader);
			changed = 1;
			if (tl->state == THREADLIST_LOADING) {
				/* Died before its end record: resume after the last row we have. */
				tl->restarts = tl->loaded > tl->loader_skip ? 0 : tl->restarts + 1;
				if (tl->restarts > THREADLIST_MAX_FRUITLESS_RESTARTS) {
					tl->state = THREADLIST_ERROR;
					tl->error = talloc_asprintf(tl, "the loader keeps failing (%s)",
								    how);
				} else {
					talloc_free(tl->notice);
					tl->notice = talloc_asprintf(tl, "loader %s; resumed at row %zu",
								     how, tl->n_rows);
					threadlist_start_loader(tl);
				}
			}
			talloc_free(how);
		}
	}
	if (tl->n_pending && tl->n_rows != before)
		threadlist_flush_pending(tl);
	changed |= threadlist_sort_order(tl);
	threadlist_maybe_count(tl);
	return changed || before != tl->n_rows || state != tl->state ||
	       counts != tl->n_messages + tl->n_reviewed + tl->n_threads;
}

void
threadlist_load_tail(struct threadlist *tl, size_t n)
{
	struct loader_arg a = {tl->idx, tl->query,
			       tl->sort == INDEX_SORT_OLDEST_FIRST ? INDEX_SORT_NEWEST_FIRST
								   : INDEX_SORT_OLDEST_FIRST,
			       0, n, tl->hint_path, NULL};

	/*
	 * Once per list: the tail shrinks as the rows before it arrive.  A
	 * list by count has no tail: its last rows are known only at the end.
	 */
	if (tl->state != THREADLIST_LOADING || tl->tail_limit || tl->by_count)
		return;
	tl->tail_limit = n;
	tl->tail_done = 0;
	if (bg_start(tl, "tail", threadlist_tail_loader, &a, &tl->tail_loader) != TRAWL_OK)
		tl->tail_loader = NULL;
}

int
threadlist_has_gap(const struct threadlist *tl)
{
	return tl->n_tail > 0 && tl->state == THREADLIST_LOADING;
}

size_t
threadlist_len(const struct threadlist *tl)
{
	if (tl->by_count)
		return tl->n_order;
	return threadlist_has_gap(tl) ? tl->n_rows + 1 + tl->n_tail : tl->n_rows;
}

struct index_thread *
threadlist_row(const struct threadlist *tl, size_t i)
{
	if (tl->by_count)
		return i < tl->n_order ? &tl->rows[tl->order[i]] : NULL;
	if (i < tl->n_rows)
		return &tl->rows[i];
	if (!threadlist_has_gap(tl) || i == tl->n_rows || i > tl->n_rows + tl->n_tail)
		return NULL;
	return &tl->tail[tl->n_tail - (i - tl->n_rows)];
}

int
threadlist_fds(const struct threadlist *tl, int *fds)
{
	int n = 0;

	if (bg_fd(tl->loader) >= 0)
		fds[n++] = bg_fd(tl->loader);
	if (bg_fd(tl->counter) >= 0)
		fds[n++] = bg_fd(tl->counter);
	if (bg_fd(tl->tail_loader) >= 0)
		fds[n++] = bg_fd(tl->tail_loader);
	if (bg_fd(tl->updater) >= 0)
		fds[n++] = bg_fd(tl->updater);
	return n;
}

pid_t
threadlist_loader_pid(const struct threadlist *tl)
{
	return tl->loader ? bg_pid(tl->loader) : -1;
}

void
threadlist_wait(struct threadlist *tl)
{
	for (;;) {
		struct pollfd pfd[4];
		int fds[4], n = threadlist_fds(tl, fds);

		if (n == 0 && !tl->loader && !tl->counter && !tl->count_pending && !tl->tail_loader &&
		    !tl->updater)
			return;
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (n)
			poll(pfd, (nfds_t)n, tl->count_pending ? 50 : 1000);
		threadlist_poll(tl, 1 << 20);
	}
}

long
threadlist_find(const struct threadlist *tl, const char *thread_id)
{
	size_t n = threadlist_len(tl);

	for (size_t i = 0; i < n; i++) {
		const struct index_thread *r = threadlist_row(tl, i);

		if (r && strcmp(r->thread_id, thread_id) == 0)
			return (long)i;
	}
	return -1;
}

/* tags (space separated, sorted) with tag added or removed, on ctx; NULL when tag has a space. */
static char *
threadlist_tags_with(TALLOC_CTX *ctx, const char *tags, const char *tag, int add)
{
	char *copy = talloc_strdup(ctx, tags), *out = talloc_strdup(ctx, ""), *save = NULL;
	int placed = !add;

	if (!copy || !out || strchr(tag, ' '))
		return NULL;
	for (char *t = strtok_r(copy, " ", &save); t && out; t = strtok_r(NULL, " ", &save)) {
		int c = strcmp(t, tag);

		if (!placed && c > 0) {
			out = talloc_asprintf_append_buffer(out, "%s%s", *out ? " " : "", tag);
			placed = 1;
		}
		if (c == 0) {
			placed = 1;
			if (!add)
				continue;
		}
		out = talloc_asprintf_append_buffer(out, "%s%s", *out ? " " : "", t);
	}
	if (out && !placed)
		out = talloc_asprintf_append_buffer(out, "%s%s", *out ? " " : "", tag);
	talloc_free(copy);
	return out;
}

int
threadlist_apply_committed(struct threadlist *tl, const char *thread_id, size_t n_messages,
			   const struct tagops *ops)
{
	const char *reviewed_tag = index_reviewed_tag(tl->idx);
	long i = threadlist_find(tl, thread_id);
	struct index_thread *row = i >= 0 ? threadlist_row(tl, (size_t)i) : NULL;
	char *tags;

	/* Exact only when the change reached every message the row counts. */
	if (!row || !ops || row->total < 0 || (size_t)row->total != n_messages)
		return 0;
	tags = talloc_strdup(tl, row->tags);
	for (size_t k = 0; tags && k < ops->n; k++) {
		char *next = threadlist_tags_with(tl, tags, ops->ops[k].tag, ops->ops[k].add);

		talloc_free(tags); /* ours: made just above */
		tags = next;
		if (reviewed_tag && !strcmp(ops->ops[k].tag, reviewed_tag))
			row->unreviewed = ops->ops[k].add ? 0 : row->total;
	}
	if (!tags)
		return 0;
	/* The old string may live inside the row's record: it goes with the list. */
	row->tags = tags;
	return 1;
}
