/*
 * review: the write queue and its writer process.  See include/trawl/review.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trawl/bg.h"
#include "trawl/paths.h"
#include "trawl/review.h"
#include "trawl/text.h"
#include "trawl/util.h"

/* Consecutive writer deaths without progress before the queue stops retrying. */
#define REVIEW_MAX_RESTARTS 5

struct review_writer_arg {
	struct review *rv;
	struct review_job *job;
	int begun;
};

static double
review_elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (now.tv_nsec - since->tv_nsec) / 1e9;
}

struct review_batch_ud {
	const char *path;
	unsigned long id;
	size_t batch;
	const struct index_change *changes;
	const struct stat *journal; /* the journal file the entry began in, or NULL */
	int replaced;               /* ... is no longer at path */
};

/*
 * Whether the journal at path is still the file the entry began in: a
 * database replaced or deleted takes its case directory along, and a
 * batch recorded in a new journal under the old entry's id would be read
 * as another entry's.
 */
static int
review_same_journal(const char *path, const struct stat *began)
{
	struct stat st;

	return !began || (stat(path, &st) == 0 && st.st_dev == began->st_dev &&
			  st.st_ino == began->st_ino);
}

static int
review_before_commit(void *ud, const struct index_old_tags *old, size_t n)
{
	struct review_batch_ud *b = ud;

	if (!review_same_journal(b->path, b->journal)) {
		b->replaced = 1;
		errno = ESTALE;
		return -1;
	}
	return journal_batch_old(b->path, b->id, b->batch, b->changes, old, n);
}

/*
 * Whether a batch written to the journal (M lines) but with no C line is
 * in the database: the writer may have been stopped between the commit
 * and the C line.  Its messages show their deltas (or not) all together,
 * the batch being one transaction; another program's change to a few of
 * them is outvoted.  -1 when it cannot tell (older lines without deltas).
 */
static int
review_batch_in_database(index_t *idx, const struct journal_batch *b)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	size_t shown = 0, not_shown = 0;

	for (size_t i = 0; i < b->n; i++) {
		char **tags, *note;
		size_t n;
		int all = 1;

		if (!b->delta[i]) {
			talloc_free(tmp);
			return -1;
		}
		if (b->delta[i]->n == 0 && !b->note_new[i])
			continue;
		if (b->delta[i]->n > 0) {
			if (index_message_tags(idx, tmp, b->message_ids[i], &tags, &n) != TRAWL_OK)
				continue;
			for (size_t k = 0; k < b->delta[i]->n; k++)
				all &= b->delta[i]->ops[k].add ==
				       tagops_has(tags, n, b->delta[i]->ops[k].tag);
		}
		/* A note edited with its tag already there shows only in the note. */
		if (b->note_new[i]) {
			if (index_message_note(idx, tmp, b->message_ids[i], &note) != TRAWL_OK)
				continue;
			all &= strcmp(note, b->note_new[i]) == 0;
		}
		if (all)
			shown++;
		else
			not_shown++;
	}
	talloc_free(tmp);
	return shown >= not_shown;
}

/*
 * Settles the batches of entry id that have M lines and no C line: those
 * in the database get their C line (so undo reverses them), the others
 * stay uncommitted.  Returns the messages of the batches found committed.
 */
static size_t
review_settle(index_t *idx, const char *path, unsigned long id)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct journal_batch *b;
	size_t n, settled = 0;

	if (journal_batches(tmp, path, id, &b, &n) == TRAWL_OK)
		for (size_t i = 0; i < n; i++)
			if (!b[i].committed && b[i].n && review_batch_in_database(idx, &b[i]) == 1 &&
			    journal_batch_committed(path, id, b[i].batch, b[i].n) == 0)
				settled += b[i].n;
	talloc_free(tmp);
	return settled;
}

/*
 * Child: sends why the job stopped, the full disk first when it is the
 * reason (Xapian only says "Error writing block 7").
 */
static void
review_fail(bg_writer_t *w, TALLOC_CTX *ctx, const struct review *rv, const char *why)
{
	char *dir = talloc_strndup(ctx, rv->journal_path, strrchr(rv->journal_path, '/') -
							       rv->journal_path);
	char *full = util_disk_full(ctx, index_db_path(rv->idx));
	char *msg;

	if (!full && dir)
		full = util_disk_full(ctx, dir);
	msg = full ? talloc_asprintf(ctx, "%s: %s", full, why) : talloc_strdup(ctx, why);
	if (msg)
		bg_write(w, 'X', msg, strlen(msg));
}

/* Child: applies the job from its first uncommitted batch. */
static int
review_writer(bg_writer_t *w, void *arg)
{
	struct review_writer_arg *a = arg;
	struct review_job *job = a->job;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL, num[32];
	unsigned backoff_ms = 50;

	if (index_open_like(ctx, a->rv->idx, &idx, &err) != TRAWL_OK) {
		bg_write(w, 'X', err, strlen(err));
		return 0;
	}
	if (!a->begun) {
		struct journal_entry e = {
			.time = time(NULL),
			.reviewer = job->reviewer,
			.session = a->rv->session,
			.kind = job->kind,
			.undoes = job->undoes,
			.query = job->query,
			.ops = job->ops_text,
			.note = job->note,
			.count = job->n,
		};

		if (journal_begin(a->rv->journal_path, &e) != 0) {
			review_fail(w, ctx, a->rv,
				    talloc_asprintf(ctx, "cannot write the journal %s: %s",
						    a->rv->journal_path, strerror(errno)));
			return 0;
		}
		job->id = e.id;
		snprintf(num, sizeof(num), "%lu", e.id);
		bg_write(w, 'B', num, strlen(num));
	} else {
		/*
		 * Resumed after the writer was stopped: a batch it wrote to the
		 * journal may be in the database without its C line.  Settled
		 * first, it is not applied (and recorded) a second time.
		 */
		size_t settled = review_settle(idx, a->rv->journal_path, job->id);

		if (settled) {
			job->done += settled;
			snprintf(num, sizeof(num), "%zu", job->done);
			bg_write(w, 'P', num, strlen(num));
		}
	}
	size_t batch = a->rv->batch;
	struct stat began;
	int have_began = stat(a->rv->journal_path, &began) == 0;

	for (size_t start = job->done; start < job->n; start += batch) {
		size_t n = job->n - start < batch ? job->n - start : batch;
		TALLOC_CTX *bctx = talloc_new(ctx);
		struct index_change *ch = talloc_array(bctx, struct index_change, n);
		struct index_old_tags *old;
		struct review_batch_ud ud = {a->rv->journal_path, job->id, start / batch, ch,
					     have_began ? &began : NULL, 0};
		trawl_status_t ts;

		for (size_t i = 0; i < n; i++)
			ch[i] = (struct index_change){
				.message_id = job->ids[start + i],
				.ops = job->msg_ops ? job->msg_ops[start + i] : job->ops,
				.exact = job->exact ? job->exact[start + i] : NULL,
				.n_exact = job->exact ? job->n_exact[start + i] : 0,
				.note = job->note_new ? job->note_new[start + i] : NULL,
				.note_was = job->note_was ? job->note_was[start + i] : NULL,
			};
		for (;;) {
			bg_write(w, 'W', "", 0);
			ts = index_apply(idx, bctx, ch, n, a->rv->sync_maildir_flags,
					 review_before_commit, &ud, &old);
			if (ud.replaced) {
				/* The parent begins the change again in the journal there now. */
				bg_write(w, 'J', "", 0);
				return 0;
			}
			if (ts != TRAWL_LOCKED)
				break;
			bg_write(w, 'L', "", 0);
			usleep(backoff_ms * 1000);
			backoff_ms = backoff_ms < 2000 ? backoff_ms * 2 : 2000;
		}
		if (ts != TRAWL_OK) {
			review_fail(w, ctx, a->rv, index_last_error(idx));
			return 0;
		}
		{
			size_t skipped = 0;

			for (size_t i = 0; i < n; i++)
				skipped += old[i].skipped;
			if (skipped) {
				snprintf(num, sizeof(num), "%zu", skipped);
				bg_write(w, 'S', num, strlen(num));
			}
		}
		if (getenv("TRAWL_TEST_STOP_AFTER_COMMIT") && /* test hook: a kill right here */
		    strtoul(getenv("TRAWL_TEST_STOP_AFTER_COMMIT"), NULL, 10) == start / batch + 1)
			_exit(9);
		if (journal_batch_committed(a->rv->journal_path, job->id, start / batch, n) != 0) {
			/* Committed, not recorded: the next writer settles it from the M lines. */
			review_fail(w, ctx, a->rv,
				    talloc_asprintf(ctx, "cannot write the journal %s: %s",
						    a->rv->journal_path, strerror(errno)));
			return 0;
		}
		snprintf(num, sizeof(num), "%zu", start + n);
		bg_write(w, 'P', num, strlen(num));
		talloc_free(bctx);
		if (getenv("TRAWL_TEST_WRITER_DELAY_US")) /* test hook, as above */
			usleep((useconds_t)strtoul(getenv("TRAWL_TEST_WRITER_DELAY_US"), NULL, 10));
	}
	if (journal_end(a->rv->journal_path, job->id, "done") != 0) {
		review_fail(w, ctx, a->rv,
			    talloc_asprintf(ctx, "cannot write the journal %s: %s", a->rv->journal_path,
					    strerror(errno)));
		return 0;
	}
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

static void review_push(struct review *rv, struct review_job *job);
static struct review_job *review_job_new(struct review *rv, const char *kind, const char *query,
					 const char *thread_id, char *const *ids, size_t n);

/* Notes the journal file a job's entry is in, to tell it from another after a move. */
static void
review_note_journal(struct review *rv, struct review_job *job)
{
	struct stat st;

	if (stat(rv->journal_path, &st) == 0) {
		job->journal_dev = st.st_dev;
		job->journal_ino = st.st_ino;
	}
}

/* Whether job's entry is in the journal file at rv->journal_path (not one left at another place). */
static int
review_job_in_journal(const struct review *rv, const struct review_job *job)
{
	struct stat st;

	return job->begun && stat(rv->journal_path, &st) == 0 && st.st_dev == job->journal_dev &&
	       st.st_ino == job->journal_ino;
}

/*
 * Takes over entry e, handed over by a session that ended, and queues
 * what is left of it.  NULL with errno set when it cannot (EBUSY:
 * another session took it first).
 */
static struct review_job *
review_resume(struct review *rv, const struct journal_entry *e)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct review_job *job;
	struct tagops **ops, *entry_ops = NULL;
	char **ids, *err = NULL;
	size_t n;
	int per_message = 0;

	if (journal_handed_over(tmp, rv->journal_path, e->id, &ids, &ops, &n) != TRAWL_OK ||
	    n == 0 || e->committed > n) {
		talloc_free(tmp);
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		per_message |= ops[i] != NULL;
	if (!per_message && tagops_parse(tmp, e->ops, &entry_ops, &err) != TRAWL_OK) {
		talloc_free(tmp);
		errno = EINVAL;
		return NULL;
	}
	if (journal_take_over(rv->journal_path, e->id, e->session, rv->session) != 0) {
		talloc_free(tmp);
		return NULL;
	}
	job = review_job_new(rv, e->kind, e->query, NULL, ids, n);
	talloc_free(job->reviewer);
	job->reviewer = talloc_strdup(job, e->reviewer);
	job->id = e->id;
	job->begun = 1;
	job->undoes = e->undoes;
	job->ops_text = talloc_strdup(job, e->ops);
	if (per_message) {
		job->msg_ops = talloc_zero_array(job, struct tagops *, n);
		for (size_t i = 0; job->msg_ops && i < n; i++)
			job->msg_ops[i] = ops[i] ? talloc_steal(job->msg_ops, ops[i])
						 : talloc_zero(job->msg_ops, struct tagops);
	} else {
		job->ops = talloc_steal(job, entry_ops);
	}
	job->done = e->committed;
	job->label = talloc_asprintf(job, "%s on %zu message%s (left by a session that ended)",
				     job->ops_text, n, n == 1 ? "" : "s");
	job->bulk = n > rv->batch;
	review_note_journal(rv, job);
	job->kept = talloc_strdup(job, rv->journal_path);
	clock_gettime(CLOCK_MONOTONIC, &job->started);
	talloc_free(tmp);
	review_push(rv, job);
	return job;
}

struct review *
review_new(TALLOC_CTX *ctx, index_t *idx, const char *reviewer, int sync_maildir_flags)
{
	struct review *rv = talloc_zero(ctx, struct review);
	struct journal_entry *e;
	size_t n;

	if (!rv)
		return NULL;
	rv->idx = idx;
	rv->reviewer = talloc_strdup(rv, reviewer);
	if (!rv->reviewer)
		return NULL;
	rv->sync_maildir_flags = sync_maildir_flags;
	rv->journal_path = paths_for(rv, index_db_path(idx), PATHS_JOURNAL);
	rv->error = talloc_strdup(rv, "");
	rv->notice = talloc_strdup(rv, "");
	rv->batch = REVIEW_BATCH;
	/* Test hook: small batches make a bulk change long enough to interrupt. */
	if (getenv("TRAWL_TEST_BATCH"))
		rv->batch = strtoul(getenv("TRAWL_TEST_BATCH"), NULL, 10) ? strtoul(getenv("TRAWL_TEST_BATCH"), NULL, 10) : REVIEW_BATCH;
	rv->session = talloc_strdup(rv, journal_session(rv->journal_path));
	{
		const char *uuid = NULL;

		index_revision(idx, &uuid);
		paths_note_uuid(rv->journal_path, uuid);
	}
	rv->case_journal = paths_is_in_case(rv->journal_path);
	/*
	 * Entries left open by sessions that ended: those handed over (a
	 * SIGTERM, a lost database) are taken over and written; the others
	 * (killed, crashed) have their batches settled against the database
	 * and are closed, so undo sees what really happened to them.
	 */
	if (journal_read(rv, rv->journal_path, &e, &n) == TRAWL_OK) {
		size_t resumed = 0, messages = 0;

		for (size_t i = 0; i < n; i++) {
			char *how;

			if (*e[i].end || journal_session_alive(rv->journal_path, e[i].session))
				continue;
			if (e[i].handed_over) {
				struct review_job *job = review_resume(rv, &e[i]);

				if (job) {
					resumed++;
					messages += job->n - job->done;
					continue;
				}
				if (errno == EBUSY)
					continue; /* another session took it */
			}
			how = talloc_asprintf(e, "interrupted after %zu of %zu",
					      e[i].committed +
						      review_settle(idx, rv->journal_path, e[i].id),
					      e[i].count);
			journal_end(rv->journal_path, e[i].id, how);
		}
		if (resumed)
			rv->notice = talloc_asprintf(
				rv, "writing %zu change%s (%zu message%s) left by a trawl session that ended",
				resumed, resumed == 1 ? "" : "s", messages, messages == 1 ? "" : "s");
		talloc_free(e);
	}
	return rv;
}

static void
review_start(struct review *rv)
{
	struct review_writer_arg a;

	if (rv->writer || rv->n_queue == 0 || rv->held || time(NULL) < rv->retry_at)
		return;
	talloc_free(rv->error);
	rv->error = talloc_strdup(rv, "");
	if (rv->queue[0]->begun && !review_job_in_journal(rv, rv->queue[0])) {
		/*
		 * Its entry is in a journal left at another place (the database
		 * went and came back another way): ended there, it begins again
		 * here, so that nobody takes it over there later.
		 */
		struct review_job *job = rv->queue[0];

		if (job->kept)
			journal_end(job->kept, job->id, "moved to another journal");
		TALLOC_FREE(job->kept);
		job->begun = 0;
		job->done = 0;
	}
	a = (struct review_writer_arg){rv, rv->queue[0], rv->queue[0]->begun};
	if (!rv->queue[0]->begun)
		clock_gettime(CLOCK_MONOTONIC, &rv->queue[0]->started);
	if (bg_start(rv, "writer", review_writer, &a, &rv->writer) != TRAWL_OK) {
		talloc_free(rv->error);
		rv->error = talloc_asprintf(rv, "cannot start the writer: %s", strerror(errno));
	}
}

static void
review_push(struct review *rv, struct review_job *job)
{
	rv->queue = talloc_realloc(rv, rv->queue, struct review_job *, rv->n_queue + 1);
	if (!rv->queue)
		abort();
	rv->queue[rv->n_queue++] = job;
	/* Nothing is written meanwhile (the database is gone): kept in the journal at once. */
	if (rv->held)
		review_keep(rv);
	review_start(rv);
}

static struct review_job *
review_job_new(struct review *rv, const char *kind, const char *query, const char *thread_id,
	       char *const *ids, size_t n)
{
	struct review_job *job = talloc_zero(rv, struct review_job);

	if (!job)
		abort();
	job->kind = talloc_strdup(job, kind);
	job->reviewer = talloc_strdup(job, rv->reviewer);
	job->query = talloc_strdup(job, query ? query : "");
	job->thread_id = thread_id ? talloc_strdup(job, thread_id) : NULL;
	job->ids = talloc_array(job, char *, n ? n : 1);
	for (size_t i = 0; job->ids && i < n; i++)
		job->ids[i] = talloc_strdup(job->ids, ids[i]);
	job->n = n;
	return job;
}

struct review_job *
review_tag(struct review *rv, const char *query, const char *thread_id, char *const *ids,
	   size_t n, const struct tagops *ops, int bulk)
{
	return review_tag_noted(rv, query, thread_id, ids, n, ops, bulk, NULL);
}

struct review_job *
review_tag_noted(struct review *rv, const char *query, const char *thread_id, char *const *ids,
		 size_t n, const struct tagops *ops, int bulk, const char *note)
{
	struct review_job *job = review_job_new(rv, "tag", query, thread_id, ids, n);
	char *err = NULL, num[32];

	job->note = talloc_strdup(job, note ? note : "");
	if (!job->note)
		abort();
	job->ops_text = tagops_format(job, ops);
	if (tagops_parse(job, job->ops_text, &job->ops, &err) != TRAWL_OK)
		abort(); /* a formatted list always parses */
	job->bulk = bulk;
	job->label = talloc_asprintf(job, "%s on %s message%s", job->ops_text,
				     util_group_digits(num, sizeof(num), n), n == 1 ? "" : "s");
	review_push(rv, job);
	return job;
}

struct review_job *
review_note(struct review *rv, const char *thread_id, const char *message_id, const char *note,
	    const char *tag)
{
	char *id = (char *)message_id, *query = index_quote_term(NULL, "id", message_id);
	struct review_job *job = review_job_new(rv, "note", query, thread_id, &id, 1);
	char *shown;

	talloc_free(query);
	/* The tag that finds notes comes and goes with the note; "" keeps none. */
	job->ops = talloc_zero(job, struct tagops);
	if (!job->ops)
		abort();
	if (*tag) {
		job->ops->ops = talloc_array(job->ops, struct tagop, 1);
		if (!job->ops->ops)
			abort();
		job->ops->ops[0] = (struct tagop){.tag = talloc_strdup(job->ops, tag), .add = !!*note};
		job->ops->n = 1;
	}
	job->note_new = talloc_array(job, char *, 1);
	if (!job->note_new)
		abort();
	job->note_new[0] = talloc_strdup(job->note_new, note);
	shown = text_truncate(job, note, 40);
	job->ops_text = *note ? talloc_asprintf(job, "note \"%s\"", note)
			      : talloc_strdup(job, "note removed");
	job->label = *note ? talloc_asprintf(job, "note \"%s\" on 1 message", shown)
			   : talloc_strdup(job, "note removed from 1 message");
	review_push(rv, job);
	return job;
}

/* Whether a queued job already reverses entry id. */
static int
review_queued_undo_of(const struct review *rv, unsigned long id)
{
	for (size_t i = 0; i < rv->n_queue; i++)
		if (rv->queue[i]->undoes == id)
			return 1;
	return 0;
}

struct review_job *
review_undo(struct review *rv, int redo, const char **why)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct journal_entry *e, *target = NULL;
	size_t n, *idx;
	struct review_job *job;
	char num[32];

	*why = NULL;
	if (rv->n_queue > 0) {
		*why = "wait until the changes being written are done";
		talloc_free(tmp);
		return NULL;
	}
	if (journal_read(tmp, rv->journal_path, &e, &n) != TRAWL_OK) {
		*why = "cannot read the journal";
		talloc_free(tmp);
		return NULL;
	}
	if (!redo) {
		struct journal_entry *theirs = NULL;

		idx = talloc_array(tmp, size_t, n ? n : 1);
		/*
		 * The newest change of this session, or of one that has ended;
		 * another open session's changes are its reviewer's to undo.
		 */
		for (size_t k = journal_undoable(e, n, n, idx); k > 0; k--) {
			struct journal_entry *x = &e[idx[k - 1]];

			if (review_queued_undo_of(rv, x->id))
				continue;
			if (strcmp(x->session, rv->session) != 0 &&
			    journal_session_alive(rv->journal_path, x->session)) {
				if (!theirs)
					theirs = x;
				continue;
			}
			target = x;
			break;
		}
		if (!target && theirs) {
			static char msg[512];

			snprintf(msg, sizeof(msg),
				 "not undone: the newest change (#%lu, %s on %zu messages) is %s's, "
				 "in a trawl session still open",
				 theirs->id, theirs->ops, theirs->committed, theirs->reviewer);
			*why = msg;
			talloc_free(tmp);
			return NULL;
		}
	} else {
		/* The newest undo, unless a redo reversed it or a new change came after it. */
		for (size_t i = n; i > 0 && !target; i--) {
			struct journal_entry *x = &e[i - 1];
			int reversed = 0;

			if (!strcmp(x->kind, "tag") || !strcmp(x->kind, "note"))
				break;
			if (strcmp(x->kind, "undo") != 0 || x->committed == 0)
				continue;
			for (size_t j = i; j < n; j++)
				reversed |= !strcmp(e[j].kind, "redo") && e[j].undoes == x->id;
			if (!reversed)
				target = x;
			else
				break;
		}
	}
	if (!target) {
		*why = redo ? "nothing to redo" : "nothing to undo";
		talloc_free(tmp);
		return NULL;
	}
	if (journal_load_changes(tmp, rv->journal_path, target) != TRAWL_OK) {
		*why = "cannot read the journal";
		talloc_free(tmp);
		return NULL;
	}
	job = review_job_new(rv, redo ? "redo" : "undo", target->query, NULL, target->message_ids,
			     target->n_changes);
	job->undoes = target->id;
	/*
	 * Each message gets its own change reversed: what the entry added
	 * goes, what it removed comes back, and tags anybody else changed
	 * since are left alone.  Lines of an older journal have no delta: a
	 * tag entry's is found from its ops and the old tags; an older undo
	 * or redo restores the whole old tag set, as it did then.
	 */
	{
		struct tagops *entry_ops = NULL;
		char *err = NULL;
		int legacy = 0;

		if (!strcmp(target->kind, "tag"))
			tagops_parse(tmp, target->ops, &entry_ops, &err);
		job->msg_ops = talloc_zero_array(job, struct tagops *, job->n ? job->n : 1);
		for (size_t i = 0; job->msg_ops && i < job->n; i++) {
			struct tagops *d = target->delta ? target->delta[i] : NULL;
			struct tagops *rev = talloc_zero(job->msg_ops, struct tagops);

			if (!d && entry_ops) {
				/* Older line: what the ops really changed, from the old tags. */
				d = talloc_zero(tmp, struct tagops);
				d->ops = talloc_array(d, struct tagop, entry_ops->n ? entry_ops->n : 1);
				for (size_t k = 0; k < entry_ops->n; k++)
					if (entry_ops->ops[k].add !=
					    tagops_has(target->old_tags[i], target->n_old[i],
						       entry_ops->ops[k].tag))
						d->ops[d->n++] = entry_ops->ops[k];
			}
			if (!d) {
				legacy = 1;
				break;
			}
			rev->ops = talloc_array(rev, struct tagop, d->n ? d->n : 1);
			for (size_t k = 0; k < d->n; k++)
				rev->ops[rev->n++] = (struct tagop){
					.tag = talloc_strdup(rev, d->ops[k].tag), .add = !d->ops[k].add};
			job->msg_ops[i] = rev;
		}
		if (legacy) {
			TALLOC_FREE(job->msg_ops);
			job->exact = talloc_steal(job, target->old_tags);
			job->n_exact = talloc_steal(job, target->n_old);
		}
		/*
		 * A note goes back to what it was, only where it is still what
		 * the entry made it: a note somebody changed since stays.
		 */
		for (size_t i = 0; i < job->n; i++) {
			if (!target->note_new || !target->note_new[i])
				continue;
			if (!job->note_new) {
				job->note_new = talloc_zero_array(job, char *, job->n);
				job->note_was = talloc_zero_array(job, char *, job->n);
				if (!job->note_new || !job->note_was)
					abort();
			}
			job->note_new[i] = talloc_strdup(job->note_new, target->note_old[i]);
			job->note_was[i] = talloc_strdup(job->note_was, target->note_new[i]);
		}
	}
	job->ops_text = talloc_asprintf(job, "%s of #%lu (%s)", redo ? "redo" : "undo",
					target->id, target->ops);
	job->label = talloc_asprintf(job, "%s %s on %s message%s", redo ? "redo" : "undo",
				     target->ops, util_group_digits(num, sizeof(num), target->n_changes),
				     target->n_changes == 1 ? "" : "s");
	job->bulk = target->n_changes > rv->batch;
	review_push(rv, job);
	talloc_free(tmp);
	return job;
}

static void
review_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct review *rv = ud;
	struct review_job *job = rv->n_queue ? rv->queue[0] : NULL;
	char buf[32];

	if (!job)
		return;
	switch (type) {
	case 'B':
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31), payload);
		job->id = strtoul(buf, NULL, 10);
		job->begun = 1;
		review_note_journal(rv, job);
		break;
	case 'W':
		break;
	case 'L':
		rv->locked = 1;
		break;
	case 'P':
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31), payload);
		job->done = strtoul(buf, NULL, 10);
		rv->locked = 0;
		rv->restarts = 0;
		talloc_free(rv->error);
		rv->error = talloc_strdup(rv, "");
		break;
	case 'S':
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31), payload);
		job->skipped += strtoul(buf, NULL, 10);
		break;
	case 'E':
		job->done = job->n;
		break;
	case 'X':
		talloc_free(rv->error);
		rv->error = talloc_strndup(rv, payload, len);
		break;
	case 'J':
		/*
		 * Its journal was replaced (with the database): what it
		 * committed went with the old database; it begins again, whole,
		 * in the new journal, when the writer restarts.
		 */
		job->begun = 0;
		job->done = 0;
		TALLOC_FREE(job->kept);
		break;
	}
}

static void
review_pop(struct review *rv)
{
	if (rv->queue[0]->skipped) {
		size_t k = rv->queue[0]->skipped;

		talloc_free(rv->notice);
		rv->notice = talloc_asprintf(rv, "%s: %zu message%s left as %s (%s note was "
						 "changed since)",
					     rv->queue[0]->label, k, k == 1 ? "" : "s",
					     k == 1 ? "it is" : "they are", k == 1 ? "its" : "their");
		if (!rv->notice)
			abort();
	}
	talloc_free(rv->finished);
	rv->finished = rv->queue[0];
	memmove(rv->queue, rv->queue + 1, (rv->n_queue - 1) * sizeof(*rv->queue));
	rv->n_queue--;
	rv->serial++;
	rv->locked = 0;
}

int
review_poll(struct review *rv)
{
	enum bg_state st;

	if (!rv->writer) {
		/* A failed write stays queued and is retried every few seconds. */
		if (rv->n_queue && !rv->held && time(NULL) - rv->retry_at >= 0) {
			review_start(rv);
			return 1;
		}
		return 0;
	}
	st = bg_poll(rv->writer, 1 << 16, review_on_record, rv);
	if (st == BG_RUNNING)
		return 1;
	if (rv->n_queue && rv->queue[0]->done >= rv->queue[0]->n && !*rv->error) {
		TALLOC_FREE(rv->writer);
		review_pop(rv);
		review_start(rv);
		return 1;
	}
	if (rv->n_queue && !*rv->error) {
		/* The writer died (a crash, a kill): resume after the last committed batch. */
		talloc_free(rv->error);
		if (++rv->restarts <= REVIEW_MAX_RESTARTS)
			rv->error = talloc_strdup(rv, "");
		else
			rv->error = talloc_asprintf(rv, "the writer keeps failing (%s)",
						    bg_how_died(rv->writer));
	}
	TALLOC_FREE(rv->writer);
	rv->retry_at = *rv->error ? time(NULL) + 3 : 0;
	review_start(rv);
	return 1;
}

void
review_set_reviewer(struct review *rv, const char *reviewer)
{
	char *r = talloc_strdup(rv, reviewer);

	if (r) {
		talloc_free(rv->reviewer);
		rv->reviewer = r;
	}
}

int
review_fd(const struct review *rv)
{
	return bg_fd(rv->writer);
}

int
review_queued_tag(const struct review *rv, const char *query, const char *thread_id,
		  const char *tag)
{
	char *whole = thread_id ? talloc_asprintf(NULL, "thread:%s", thread_id) : NULL;
	int said = -1;

	for (size_t i = 0; i < rv->n_queue; i++) {
		const struct review_job *j = rv->queue[i];

		if (!j->ops || !j->query ||
		    !((query && !strcmp(j->query, query)) || (whole && !strcmp(j->query, whole))))
			continue;
		for (size_t k = 0; k < j->ops->n; k++)
			if (!strcmp(j->ops->ops[k].tag, tag))
				said = j->ops->ops[k].add;
	}
	talloc_free(whole);
	return said;
}

const char *
review_queued_note(const struct review *rv, const char *message_id)
{
	const char *said = NULL;

	for (size_t i = 0; i < rv->n_queue; i++) {
		const struct review_job *j = rv->queue[i];

		for (size_t k = 0; j->note_new && k < j->n; k++)
			if (j->note_new[k] && !strcmp(j->ids[k], message_id))
				said = j->note_new[k];
	}
	return said;
}

size_t
review_pending(const struct review *rv)
{
	size_t n = 0;

	for (size_t i = 0; i < rv->n_queue; i++)
		n += rv->queue[i]->n - rv->queue[i]->done;
	return n;
}

char *
review_status(TALLOC_CTX *ctx, const struct review *rv)
{
	const struct review_job *job;
	char done[32], total[32];
	double secs;

	if (rv->n_queue == 0)
		return talloc_strdup(ctx, *rv->error ? rv->error : "");
	job = rv->queue[0];
	secs = review_elapsed(&job->started);
	if (rv->held) {
		size_t kept = 0;

		for (size_t i = 0; i < rv->n_queue; i++)
			kept += rv->queue[i]->kept != NULL;
		return talloc_asprintf(ctx, "%zu change%s %s: %s", rv->n_queue,
				       rv->n_queue == 1 ? "" : "s",
				       kept == rv->n_queue ? "kept in the journal" : "not written",
				       rv->held);
	}
	if (*rv->error)
		return talloc_asprintf(ctx, "%zu change%s waiting: %s", rv->n_queue,
				       rv->n_queue == 1 ? "" : "s", rv->error);
	/* Only when the writer found the lock held (index_apply asks the lock itself). */
	if (rv->locked)
		return talloc_asprintf(ctx, "%zu change%s waiting for the database lock", rv->n_queue,
				       rv->n_queue == 1 ? "" : "s");
	if (job->bulk) {
		double rate = secs > 0 ? job->done / secs : 0;
		size_t left = rate > 0 ? (size_t)((job->n - job->done) / rate) : 0;
		char bar[21];
		size_t fill = job->n ? job->done * 20 / job->n : 0;

		for (size_t i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = '\0';
		util_group_digits(done, sizeof(done), job->done);
		util_group_digits(total, sizeof(total), job->n);
		return talloc_asprintf(ctx, "[%s] %s %s/%s  %.0f/s  %zu:%02zu left  (C-c cancels)", bar,
				       job->ops_text, done, total, rate, left / 60, left % 60);
	}
	return talloc_asprintf(ctx, "writing %s%s", job->label,
			       rv->n_queue > 1 ? talloc_asprintf(ctx, " (+%zu queued)",
								 rv->n_queue - 1)
					       : "");
}

/* Ends job's entry as how says ("%zu of %zu" get what was committed), settling its batches first. */
static void
review_end_job(struct review *rv, struct review_job *job, const char *how)
{
	if (!job->begun)
		return;
	/* Killed between a commit and its C line, the batch is in: the journal says so. */
	job->done += review_settle(rv->idx, rv->journal_path, job->id);
	journal_end(rv->journal_path, job->id,
		    talloc_asprintf(job, "%s after %zu of %zu", how, job->done, job->n));
}

int
review_cancel(struct review *rv)
{
	struct review_job *job;

	if (!rv->n_queue || !rv->queue[0]->bulk)
		return 0;
	job = rv->queue[0];
	/* Killing the writer abandons its open transaction: committed batches stay. */
	TALLOC_FREE(rv->writer);
	review_end_job(rv, job, "cancelled");
	job->n = job->done;
	review_pop(rv);
	review_start(rv);
	return 1;
}

/* Stops the writer, after taking what it sent (its entry's id, say: not to begin it twice). */
static void
review_stop_writer(struct review *rv)
{
	if (rv->writer)
		bg_poll(rv->writer, 1 << 20, review_on_record, rv);
	/* Killing the writer abandons its open transaction: committed batches stay. */
	TALLOC_FREE(rv->writer);
}

long
review_keep(struct review *rv)
{
	long kept = 0;

	review_stop_writer(rv);
	if (!rv->held)
		rv->held = talloc_strdup(rv, "kept in the journal for the next session");
	for (size_t i = 0; i < rv->n_queue; i++) {
		struct review_job *job = rv->queue[i];

		if (job->kept && !strcmp(job->kept, rv->journal_path) && review_job_in_journal(rv, job)) {
			kept += (long)(job->n - job->done);
			continue;
		}
		if (job->exact || job->done >= job->n) {
			/* Written already; or an undo of an entry from before deltas, which Q lines cannot say. */
			continue;
		}
		if (review_job_in_journal(rv, job)) {
			job->done += review_settle(rv->idx, rv->journal_path, job->id);
		} else {
			/* Not begun, or begun in a journal that is gone: a new entry, all of it to do. */
			struct journal_entry e = {
				.time = time(NULL),
				.reviewer = job->reviewer,
				.session = rv->session,
				.kind = job->kind,
				.undoes = job->undoes,
				.query = job->query,
				.ops = job->ops_text,
				.count = job->n,
			};

			if (journal_begin(rv->journal_path, &e) != 0)
				goto fail;
			job->id = e.id;
			job->begun = 1;
			job->done = 0;
			review_note_journal(rv, job);
		}
		if (journal_hand_over(rv->journal_path, job->id, job->ids, job->msg_ops, job->n) != 0)
			goto fail;
		talloc_free(job->kept);
		job->kept = talloc_strdup(job, rv->journal_path);
		kept += (long)(job->n - job->done);
	}
	return kept;
fail:
	talloc_free(rv->error);
	rv->error = talloc_asprintf(rv, "cannot write the journal %s: %s", rv->journal_path,
				    strerror(errno));
	return -1;
}

void
review_hold(struct review *rv, const char *why)
{
	TALLOC_FREE(rv->held);
	if (why) {
		rv->held = talloc_strdup(rv, why);
		review_stop_writer(rv);
		return;
	}
	rv->retry_at = 0;
	review_start(rv);
}

void
review_relocate(struct review *rv, const char *db_now)
{
	const char *db = index_db_path(rv->idx);
	char *path;

	if (db_now && strcmp(db_now, db) != 0) {
		/* The case directory moved with the database: so did the journal. */
		if (!rv->case_journal)
			return;
		path = paths_in_case(rv, db_now, PATHS_JOURNAL);
	} else {
		/* Gone (the XDG state directory then), or back at its place. */
		path = paths_for(rv, db, PATHS_JOURNAL);
	}
	if (path) {
		talloc_free(rv->journal_path);
		rv->journal_path = path;
	}
}

void
review_drop(struct review *rv)
{
	review_stop_writer(rv);
	while (rv->n_queue) {
		struct review_job *job = rv->queue[0];

		if (review_job_in_journal(rv, job))
			review_end_job(rv, job, "dropped at quit");
		review_pop(rv);
	}
}

void
review_wait(struct review *rv)
{
	while (rv->n_queue > 0) {
		struct pollfd pfd = {.fd = review_fd(rv), .events = POLLIN};

		if (*rv->error && !rv->writer)
			return;
		/* Sleep until the writer says something, as the UI's event loop does. */
		if (pfd.fd >= 0)
			poll(&pfd, 1, 200);
		else
			usleep(2000);
		review_poll(rv);
	}
}
