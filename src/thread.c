/*
 * thread: the model of one thread.  See include/trawl/thread.h.
 */
#include <stdlib.h>
#include <string.h>

#include "trawl/bg.h"
#include "trawl/thread.h"

static void
thread_count(struct thread *th)
{
	th->n_unreviewed = 0;
	for (size_t i = 0; i < th->n; i++)
		th->n_unreviewed += !th->msgs[i].reviewed;
}

trawl_status_t
thread_open(TALLOC_CTX *ctx, index_t *idx, const char *thread_id, const char *query,
	    struct thread **out, char **error)
{
	struct thread *th = talloc_zero(ctx, struct thread);
	trawl_status_t ts;

	if (!th)
		return TRAWL_NOMEM;
	th->idx = idx;
	th->thread_id = talloc_strdup(th, thread_id);
	th->query = talloc_strdup(th, query ? query : "");
	th->rev = index_revision(idx, NULL);
	ts = index_thread_messages(idx, th, thread_id, query, &th->msgs, &th->n);
	if (ts != TRAWL_OK) {
		*error = talloc_strdup(ctx, index_last_error(idx));
		talloc_free(th);
		return ts;
	}
	thread_count(th);
	*out = th;
	return TRAWL_OK;
}

struct thread_read_arg {
	index_t *idx;
	const char *thread_id, *query;
	unsigned long from, to;
};

/*
 * Child: when the thread has messages changed in from..to, sends each
 * message as "message-id NUL tags NUL reviewed NUL note" ('M'); nothing otherwise.
 */
static int
thread_reader(bg_writer_t *w, void *arg)
{
	struct thread_read_arg *a = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct index_message *msgs;
	char *err = NULL, *q;
	unsigned changed = 1;
	index_t *idx;
	size_t n;

	if (index_open_like(ctx, a->idx, &idx, &err) != TRAWL_OK)
		return 1;
	if (a->from > 1) {
		q = talloc_asprintf(ctx, "%s and lastmod:%lu..%lu",
				    index_quote_term(ctx, "thread", a->thread_id), a->from, a->to);
		if (index_count_messages(idx, q, &changed) != TRAWL_OK)
			return 1;
	}
	if (changed && index_thread_messages(idx, ctx, a->thread_id, a->query, &msgs, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++) {
			char *rec = talloc_asprintf(ctx, "%s%c%s%c%d%c%s", msgs[i].message_id, 0,
						    msgs[i].tags, 0, msgs[i].reviewed, 0, msgs[i].note);

			bg_write(w, 'M', rec, talloc_get_size(rec) - 1);
		}
	talloc_free(ctx);
	return 0;
}

static void
thread_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct thread *th = ud;
	const char *id = payload, *tags, *rev, *note = NULL;
	long i;

	if (type != 'M' || !memchr(payload, 0, len))
		return;
	tags = id + strlen(id) + 1;
	if (tags >= payload + len || !memchr(tags, 0, (size_t)(payload + len - tags)))
		return;
	rev = tags + strlen(tags) + 1;
	if (rev < payload + len && memchr(rev, 0, (size_t)(payload + len - rev)))
		note = rev + strlen(rev) + 1;
	i = thread_find(th, id);
	if (i < 0) /* a reply that arrived since: shown when the thread is opened again */
		return;
	if (strcmp(th->msgs[i].tags, tags) != 0) {
		talloc_free(th->msgs[i].tags);
		th->msgs[i].tags = talloc_strdup(th->msgs, tags);
		th->serial++;
	}
	if (th->msgs[i].reviewed != (rev < payload + len && *rev == '1')) {
		th->msgs[i].reviewed = !th->msgs[i].reviewed;
		th->serial++;
	}
	if (note && note <= payload + len) {
		/* The note runs to the end of the record (no NUL after it). */
		size_t nl = (size_t)(payload + len - note);

		if (strlen(th->msgs[i].note) != nl || memcmp(th->msgs[i].note, note, nl) != 0) {
			talloc_free(th->msgs[i].note);
			th->msgs[i].note = talloc_strndup(th->msgs, note, nl);
			th->serial++;
		}
	}
}

static void
thread_read(struct thread *th)
{
	struct thread_read_arg arg = {th->idx, th->thread_id, th->query, th->rev + 1, th->want_to};

	th->read_to = th->want_to;
	if (bg_start(th, "thread", thread_reader, &arg, &th->reader) != TRAWL_OK)
		th->reader = NULL; /* tried again on the next commit */
}

static void
thread_on_commit(void *ud, const struct feed_event *ev)
{
	struct thread *th = ud;

	th->want_to = ev->to;
	if (ev->new_database) /* revisions start again: read it whole */
		th->rev = 0;
	if (!th->reader)
		thread_read(th);
}

void
thread_follow(struct thread *th, struct feed *feed)
{
	feed_subscribe(feed, th, thread_on_commit, th);
}

int
thread_poll(struct thread *th)
{
	unsigned before = th->serial;
	enum bg_state st;

	if (!th->reader)
		return 0;
	st = bg_poll(th->reader, 1 << 20, thread_on_record, th);
	if (th->serial != before)
		thread_count(th);
	if (st == BG_RUNNING)
		return th->serial != before;
	TALLOC_FREE(th->reader);
	if (st == BG_DONE)
		th->rev = th->read_to;
	/* Commits came while it read: read what they changed (a failed read waits for one). */
	if (th->want_to > th->read_to)
		thread_read(th);
	return th->serial != before;
}

int
thread_fd(const struct thread *th)
{
	return th->reader ? bg_fd(th->reader) : -1;
}

long
thread_find(const struct thread *th, const char *message_id)
{
	for (size_t i = 0; i < th->n; i++)
		if (strcmp(th->msgs[i].message_id, message_id) == 0)
			return (long)i;
	return -1;
}
