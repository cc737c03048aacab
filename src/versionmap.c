/*
 * versionmap: the versions of the messages the panes show, read in the
 * background.  See include/trawl/versionmap.h.
 *
 * Three tables, keyed by strings the entries own: threads (the messages
 * with several files of each thread read), messages (their versions and
 * the files seen), and files (the hashes of every file read, with the
 * identity they were made from).  A child reads up to VERSIONMAP_BATCH
 * threads: it sees the tables as they were when it was forked, so it
 * takes hashes from the file cache without asking, and sends back
 *
 *   'M'  a message's versions (versions_pack());
 *   'T'  a thread read: its id, then the ids of its messages with several
 *        files, NUL-terminated each;
 *   'X'  why the index could not be read;
 *   'E'  the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "trawl/bg.h"
#include "trawl/versionmap.h"

struct vm_message;

struct vm_thread {
	char *id;
	struct vm_message **mm;       /* its messages with several files, most versions first */
	const struct versions **msgs; /* their versions, in the same order */
	size_t n;
	char *mark;
	int stale;    /* not read since the last commit (or ever) */
	int queued;   /* in pending or in flight */
	int failures; /* children that died reading it since the last commit */
};

struct vm_message {
	char *id;
	struct versions *v;
	struct vm_thread *thread; /* once a thread record named it */
	char **seen;              /* paths on screen */
	size_t n_seen;
};

/* Children that may die reading a thread before it is left alone until the next commit. */
#define VERSIONMAP_MAX_FAILURES 2

/*
 * A child starts once no thread was asked for during this long: forking a
 * UI process holding a large list costs milliseconds, which a key held
 * down (pages of rows going by) should not pay on every page.
 */
#define VERSIONMAP_SETTLE_NS 120000000LL

struct versionmap {
	index_t *idx;
	GHashTable *threads, *messages, *files;
	char **pending; /* thread ids asked for, in order */
	size_t n_pending;
	bg_job_t *job;
	char **flight; /* the threads the child reads */
	size_t n_flight;
	unsigned serial;
	long long asked_ns; /* when a thread was last added to pending */
};

static long long
versionmap_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
versionmap_destructor(struct versionmap *vm)
{
	TALLOC_FREE(vm->job);
	g_hash_table_destroy(vm->threads);
	g_hash_table_destroy(vm->messages);
	g_hash_table_destroy(vm->files);
	return 0;
}

struct versionmap *
versionmap_new(TALLOC_CTX *ctx, index_t *idx)
{
	struct versionmap *vm = talloc_zero(ctx, struct versionmap);

	if (!vm)
		return NULL;
	vm->idx = idx;
	/* Keys and values are talloc children of vm: the tables own nothing. */
	vm->threads = g_hash_table_new(g_str_hash, g_str_equal);
	vm->messages = g_hash_table_new(g_str_hash, g_str_equal);
	vm->files = g_hash_table_new(g_str_hash, g_str_equal);
	talloc_set_destructor(vm, versionmap_destructor);
	return vm;
}

static void
versionmap_on_commit(void *ud, const struct feed_event *ev)
{
	struct versionmap *vm = ud;
	GHashTableIter it;
	gpointer key, value;

	if (ev->from > ev->to && !ev->new_database)
		return;
	g_hash_table_iter_init(&it, vm->threads);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		((struct vm_thread *)value)->stale = 1;
		((struct vm_thread *)value)->failures = 0;
	}
}

void
versionmap_follow(struct versionmap *vm, struct feed *feed)
{
	feed_subscribe(feed, vm, versionmap_on_commit, vm);
}

static struct vm_thread *
versionmap_thread_entry(struct versionmap *vm, const char *id)
{
	struct vm_thread *t = g_hash_table_lookup(vm->threads, id);

	if (t)
		return t;
	t = talloc_zero(vm, struct vm_thread);
	if (!t || !(t->id = talloc_strdup(t, id)))
		abort();
	t->stale = 1; /* not read yet */
	g_hash_table_insert(vm->threads, t->id, t);
	return t;
}

static struct vm_message *
versionmap_message_entry(struct versionmap *vm, const char *id)
{
	struct vm_message *m = g_hash_table_lookup(vm->messages, id);

	if (m)
		return m;
	m = talloc_zero(vm, struct vm_message);
	if (!m || !(m->id = talloc_strdup(m, id)))
		abort();
	g_hash_table_insert(vm->messages, m->id, m);
	return m;
}

void
versionmap_want(struct versionmap *vm, char *const *thread_ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vm_thread *t = versionmap_thread_entry(vm, thread_ids[i]);

		if (!t->stale || t->queued || t->failures >= VERSIONMAP_MAX_FAILURES)
			continue;
		vm->pending = talloc_realloc(vm, vm->pending, char *, vm->n_pending + 1);
		if (!vm->pending)
			abort();
		vm->pending[vm->n_pending++] = t->id;
		t->queued = 1;
		vm->asked_ns = versionmap_now_ns();
	}
}

/* ------------------------------------------------------------ the child */

static const struct versions_file *
versionmap_cached(void *ud, const char *path, const struct stat *st)
{
	const struct versionmap *vm = ud;
	const struct versions_file *f = g_hash_table_lookup(vm->files, path);

	if (f && f->size == (long long)st->st_size && f->dev == (unsigned long long)st->st_dev &&
	    f->ino == (unsigned long long)st->st_ino &&
	    f->mtime_ns == (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec &&
	    f->ctime_ns == (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec)
		return f;
	return NULL;
}

/* "thread:A or thread:B ..." for the threads ids[0..n). */
static char *
versionmap_query(TALLOC_CTX *ctx, char *const *ids, size_t n)
{
	char *q = talloc_strdup(ctx, "");

	for (size_t i = 0; q && i < n; i++)
		q = talloc_asprintf_append(q, "%s%s", i ? " or " : "",
		                           index_quote_term(q, "thread", ids[i]));
	return q;
}

/*
 * Reads the threads ids[0..n) on idx: calls fn with each message's packed
 * versions ('M'), then with each thread's record ('T').
 */
static trawl_status_t
versionmap_read(const struct versionmap *vm, index_t *idx, char *const *ids, size_t n,
                void (*fn)(void *ud, char type, const char *payload, size_t len), void *ud)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct index_files *mf;
	size_t nm;
	trawl_status_t ts =
	        index_messages_files(idx, tmp, versionmap_query(tmp, ids, n), 2, &mf, &nm);

	for (size_t i = 0; ts == TRAWL_OK && i < nm; i++) {
		TALLOC_CTX *one = talloc_new(tmp);
		struct versions *v;
		char *rec;
		size_t len;

		ts = versions_compare(one, mf[i].message_id, index_db_path(idx), mf[i].paths,
		                      mf[i].n, versionmap_cached, (void *)vm, &v);
		rec = ts == TRAWL_OK ? versions_pack(one, v, &len) : NULL;
		if (ts == TRAWL_OK && !rec)
			ts = TRAWL_NOMEM;
		if (rec)
			fn(ud, 'M', rec, len);
		talloc_free(one);
	}
	for (size_t k = 0; ts == TRAWL_OK && k < n; k++) {
		size_t len = strlen(ids[k]) + 1;
		char *rec = talloc_memdup(tmp, ids[k], len);

		for (size_t i = 0; rec && i < nm; i++) {
			size_t l = strlen(mf[i].message_id) + 1;

			if (strcmp(mf[i].thread_id, ids[k]) != 0)
				continue;
			rec = talloc_realloc(tmp, rec, char, len + l);
			if (rec)
				memcpy(rec + len, mf[i].message_id, l);
			len += l;
		}
		if (!rec)
			ts = TRAWL_NOMEM;
		else
			fn(ud, 'T', rec, len);
	}
	talloc_free(tmp);
	return ts;
}

static void
versionmap_child_write(void *ud, char type, const char *payload, size_t len)
{
	bg_write(ud, type, payload, len);
}

static int
versionmap_child(bg_writer_t *w, void *arg)
{
	const struct versionmap *vm = arg;
	TALLOC_CTX *ctx = talloc_new(NULL);
	index_t *idx;
	char *err = NULL;
	trawl_status_t ts;

	if (index_open_like(ctx, vm->idx, &idx, &err) != TRAWL_OK) {
		bg_write(w, 'X', err ? err : "", err ? strlen(err) : 0);
		return 0;
	}
	ts = versionmap_read(vm, idx, vm->flight, vm->n_flight, versionmap_child_write, w);
	if (ts != TRAWL_OK) {
		const char *e = ts == TRAWL_NOMEM ? "out of memory" : index_last_error(idx);

		bg_write(w, 'X', e, strlen(e));
		return 0;
	}
	bg_write(w, 'E', "", 0);
	talloc_free(ctx);
	return 0;
}

/* ------------------------------------------------------------ results */

static int
versionmap_cmp_messages(const void *a, const void *b)
{
	const struct versions *x = (*(struct vm_message *const *)a)->v;
	const struct versions *y = (*(struct vm_message *const *)b)->v;

	if (x->n_versions != y->n_versions)
		return x->n_versions > y->n_versions ? -1 : 1;
	return x->n_files > y->n_files ? -1 : x->n_files < y->n_files;
}

/* Sorts t's messages, most versions first, and makes its versions array and mark again. */
static void
versionmap_thread_refresh(struct vm_thread *t)
{
	TALLOC_FREE(t->msgs);
	TALLOC_FREE(t->mark);
	if (!t->n)
		return;
	qsort(t->mm, t->n, sizeof(t->mm[0]), versionmap_cmp_messages);
	t->msgs = talloc_array(t, const struct versions *, t->n);
	if (!t->msgs)
		abort();
	for (size_t i = 0; i < t->n; i++)
		t->msgs[i] = t->mm[i]->v;
	t->mark = versions_summary(t, t->msgs[0]);
	if (t->mark && t->n > 1)
		t->mark = talloc_asprintf_append(t->mark, " (+%zu)", t->n - 1);
}

/* Takes one message's versions: its entry, its thread's and the file cache. */
static void
versionmap_take_message(struct versionmap *vm, const char *payload, size_t len)
{
	struct versions *v;
	struct vm_message *m;

	if (versions_unpack(vm, payload, len, &v) != TRAWL_OK)
		return;
	m = versionmap_message_entry(vm, v->message_id);
	talloc_free(m->v);
	m->v = talloc_steal(m, v);
	if (m->thread)
		versionmap_thread_refresh(m->thread);
	for (size_t i = 0; i < v->n_files; i++) {
		struct versions_file *f = &v->files[i], *c;

		if (f->size < 0)
			continue;
		c = g_hash_table_lookup(vm->files, f->path);
		if (!c) {
			c = talloc_zero(vm, struct versions_file);
			if (!c || !(c->path = talloc_strdup(c, f->path)))
				abort();
			g_hash_table_insert(vm->files, c->path, c);
		}
		talloc_free(c->sha256);
		talloc_free(c->version_hash);
		c->size = f->size;
		c->mtime = f->mtime;
		c->sha256 = talloc_strdup(c, f->sha256);
		c->version_hash = talloc_strdup(c, f->version_hash);
		c->dev = f->dev;
		c->ino = f->ino;
		c->mtime_ns = f->mtime_ns;
		c->ctime_ns = f->ctime_ns;
		if (!c->sha256 || !c->version_hash)
			abort();
	}
}

/* Takes one thread's record: its messages with several files, and its mark. */
static void
versionmap_take_thread(struct versionmap *vm, const char *payload, size_t len)
{
	const char *end = payload + len, *p;
	struct vm_thread *t;
	struct vm_message **old;
	size_t n = 0, n_old;

	if (!len || payload[len - 1] != '\0')
		return;
	t = versionmap_thread_entry(vm, payload);
	old = t->mm;
	n_old = t->n;
	for (size_t i = 0; i < n_old; i++)
		old[i]->thread = NULL;
	t->mm = NULL;
	t->n = 0;
	for (p = payload + strlen(payload) + 1; p < end; p += strlen(p) + 1)
		n++;
	t->mm = talloc_array(t, struct vm_message *, n + 1);
	if (!t->mm)
		abort();
	for (p = payload + strlen(payload) + 1; p < end; p += strlen(p) + 1) {
		struct vm_message *m = g_hash_table_lookup(vm->messages, p);

		if (!m || !m->v)
			continue;
		m->thread = t;
		t->mm[t->n++] = m;
	}
	/* A message no longer named has one file again (or left the thread). */
	for (size_t i = 0; i < n_old; i++)
		if (!old[i]->thread)
			TALLOC_FREE(old[i]->v);
	talloc_free(old);
	t->stale = 0;
	t->queued = 0;
	t->failures = 0;
	versionmap_thread_refresh(t);
}

static void
versionmap_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct versionmap *vm = ud;

	if (type == 'M')
		versionmap_take_message(vm, payload, len);
	else if (type == 'T')
		versionmap_take_thread(vm, payload, len);
}

/*
 * The child ended: the threads it did not read are asked for again when
 * next wanted, unless children keep dying on them.
 */
static void
versionmap_land(struct versionmap *vm)
{
	for (size_t i = 0; i < vm->n_flight; i++) {
		struct vm_thread *t = g_hash_table_lookup(vm->threads, vm->flight[i]);

		if (t && t->queued) {
			t->queued = 0;
			t->failures++;
		}
	}
	TALLOC_FREE(vm->flight);
	vm->n_flight = 0;
}

static void
versionmap_start(struct versionmap *vm)
{
	size_t n = vm->n_pending < VERSIONMAP_BATCH ? vm->n_pending : VERSIONMAP_BATCH;

	if (vm->job || !n || versionmap_now_ns() - vm->asked_ns < VERSIONMAP_SETTLE_NS)
		return;
	vm->flight = talloc_array(vm, char *, n);
	if (!vm->flight)
		abort();
	for (size_t i = 0; i < n; i++)
		vm->flight[i] = talloc_strdup(vm->flight, vm->pending[i]);
	vm->n_flight = n;
	memmove(vm->pending, vm->pending + n, (vm->n_pending - n) * sizeof(char *));
	vm->n_pending -= n;
	if (bg_start(vm, "versions", versionmap_child, vm, &vm->job) != TRAWL_OK) {
		/* No child: these threads stay unread until asked for again. */
		vm->job = NULL;
		versionmap_land(vm);
	}
}

int
versionmap_poll(struct versionmap *vm)
{
	unsigned before = vm->serial;

	if (vm->job) {
		enum bg_state st = bg_poll(vm->job, 1 << 20, versionmap_on_record, vm);

		if (st != BG_RUNNING) {
			TALLOC_FREE(vm->job);
			versionmap_land(vm);
			vm->serial++;
		}
	}
	versionmap_start(vm);
	return vm->serial != before;
}

int
versionmap_fd(const struct versionmap *vm)
{
	return bg_fd(vm->job);
}

size_t
versionmap_pending(const struct versionmap *vm)
{
	return vm->n_pending + vm->n_flight;
}

unsigned
versionmap_serial(const struct versionmap *vm)
{
	return vm->serial;
}

static void
versionmap_now_record(void *ud, char type, const char *payload, size_t len)
{
	versionmap_on_record(ud, type, payload, len);
}

trawl_status_t
versionmap_read_now(struct versionmap *vm, const char *thread_id)
{
	char *ids[1] = {(char *)thread_id};
	trawl_status_t ts = versionmap_read(vm, vm->idx, ids, 1, versionmap_now_record, vm);

	vm->serial++;
	return ts;
}

/* ------------------------------------------------------------ questions */

int
versionmap_known(const struct versionmap *vm, const char *thread_id)
{
	const struct vm_thread *t = g_hash_table_lookup(vm->threads, thread_id);

	return t && (!t->stale || t->mm);
}

const struct versions *
versionmap_message(const struct versionmap *vm, const char *message_id)
{
	const struct vm_message *m =
	        message_id ? g_hash_table_lookup(vm->messages, message_id) : NULL;

	return m && m->v && m->v->n_files > 1 ? m->v : NULL;
}

const struct versions *const *
versionmap_thread(const struct versionmap *vm, const char *thread_id, size_t *n)
{
	const struct vm_thread *t = g_hash_table_lookup(vm->threads, thread_id);

	*n = t && t->msgs ? t->n : 0;
	return t && t->msgs ? t->msgs : NULL;
}

const char *
versionmap_thread_mark(const struct versionmap *vm, const char *thread_id)
{
	const struct vm_thread *t = g_hash_table_lookup(vm->threads, thread_id);

	return t ? t->mark : NULL;
}

void
versionmap_seen(struct versionmap *vm, const char *message_id, const char *path)
{
	struct vm_message *m = versionmap_message_entry(vm, message_id);

	for (size_t i = 0; i < m->n_seen; i++)
		if (!strcmp(m->seen[i], path))
			return;
	m->seen = talloc_realloc(m, m->seen, char *, m->n_seen + 1);
	if (!m->seen || !(m->seen[m->n_seen] = talloc_strdup(m->seen, path)))
		abort();
	m->n_seen++;
}

int
versionmap_version_seen(const struct versionmap *vm, const struct versions *v, int version)
{
	const struct vm_message *m = g_hash_table_lookup(vm->messages, v->message_id);

	for (size_t i = 0; m && i < m->n_seen; i++) {
		long at = versions_find(v, m->seen[i]);

		if (at >= 0 && v->files[at].version == version)
			return 1;
	}
	return 0;
}
