/*
 * journal: the append-only review journal.  See include/trawl/journal.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/journal.h"
#include "trawl/text.h"
#include "trawl/util.h"

static char *
journal_escape(TALLOC_CTX *ctx, const char *s, int space)
{
	char *out = talloc_array(ctx, char, strlen(s) * 3 + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* Controls too: a note read from the database may hold any (note.h). */
		if (*p == '%' || *p < 0x20 || *p == 0x7f || (space && *p == ' ')) {
			snprintf(out + n, 4, "%%%02X", *p);
			n += 3;
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return out;
}

static char *
journal_unescape(TALLOC_CTX *ctx, const char *s)
{
	char *out = talloc_strdup(ctx, s);
	size_t n = 0;

	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		unsigned v;

		if (*p == '%' && p[1] && p[2] && sscanf(p + 1, "%2x", &v) == 1) {
			out[n++] = (char)v;
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------ sessions */

static char journal_token[64];
static int journal_token_fd = -1;

static char *
journal_session_file(TALLOC_CTX *ctx, const char *path, const char *token)
{
	return talloc_asprintf(ctx, "%s.sessions/%s", path, token);
}

const char *
journal_session(const char *path)
{
	if (!*journal_token) {
		uint32_t r = 0;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
			r = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 8;
		snprintf(journal_token, sizeof(journal_token), "%ld-%lld-%08x", (long)getpid(),
			 (long long)time(NULL), r);
	}
	if (journal_token_fd < 0 && path) {
		char *f = journal_session_file(NULL, path, journal_token);

		util_mkdirs_for(f);
		/* Kept for the process's life (children share it): its lock says "open". */
		journal_token_fd = f ? open(f, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
		if (journal_token_fd >= 0 && flock(journal_token_fd, LOCK_EX | LOCK_NB) != 0) {
			close(journal_token_fd);
			journal_token_fd = -1;
		}
		talloc_free(f);
	}
	return journal_token;
}

/*
 * Whether token has the form journal_session() gives ("PID-TIME-XXXXXXXX"):
 * a token read from a journal names a file of the sessions directory only
 * then.  A journal travels with its case and may have been altered: a
 * session "../../x" must never name, let alone unlink, a file elsewhere.
 */
static int
journal_token_valid(const char *token)
{
	const char *p = token;

	for (int part = 0; part < 3; part++) {
		const char *start = p;

		while (part < 2 ? (*p >= '0' && *p <= '9') : isxdigit((unsigned char)*p))
			p++;
		if (p == start || p - start > 20 || (part == 2 && p - start != 8))
			return 0;
		if (part < 2 && *p++ != '-')
			return 0;
	}
	return *p == '\0';
}

int
journal_session_alive(const char *path, const char *token)
{
	char *f;
	int fd, alive = 0;

	if (!token || !*token)
		return 0;
	if (!strcmp(token, journal_token))
		return 1;
	if (!journal_token_valid(token))
		return 0;
	f = journal_session_file(NULL, path, token);
	fd = f ? open(f, O_RDWR | O_CLOEXEC) : -1;
	if (fd >= 0) {
		if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
			alive = 1;
		} else {
			/* Nobody holds it: that session ended; its file goes. */
			unlink(f);
		}
		close(fd);
	}
	talloc_free(f);
	return alive;
}

/* ------------------------------------------------------------ lines */

static uint32_t
journal_sum(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Appends the checksum field and the newline to line (a talloc string). */
static char *
journal_seal(char *line)
{
	return line ? talloc_asprintf_append_buffer(line, "\t~%08x\n",
						    journal_sum(line, strlen(line)))
		    : NULL;
}

/*
 * Checks and strips a line's checksum in place.  1: sealed and intact;
 * 0: no checksum (an older line); -1: damaged.
 */
static int
journal_unseal(char *line, size_t len)
{
	char *tab;
	unsigned long sum;
	char *end;

	if (len == 0 || line[len - 1] != '\n')
		return -1; /* torn: the end of the file without its newline */
	/*
	 * A NUL is never written (fields are C strings): it is a block a
	 * crash left zeroed, and the checks below would stop at it.
	 */
	if (memchr(line, '\0', len))
		return -1;
	line[--len] = '\0';
	tab = strrchr(line, '\t');
	if (!tab || tab[1] != '~')
		return 0;
	sum = strtoul(tab + 2, &end, 16);
	if (*end || end - (tab + 2) != 8 || sum != journal_sum(line, (size_t)(tab - line)))
		return -1;
	*tab = '\0';
	return 1;
}

/* Splits a line into at most max tab-separated fields (in place). */
static int
journal_fields(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

/*
 * Reads the journal's good lines, calling fn(ud, fields, n) for each;
 * counts the damaged ones.  Lines without a checksum are taken only
 * before the first line that has one (they predate it).
 */
static trawl_status_t
journal_scan(const char *path, void (*fn)(void *ud, char **f, int nf), void *ud,
	     size_t *damaged)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, bad = 0;
	ssize_t len;
	int sealed_seen = 0;

	if (damaged)
		*damaged = 0;
	if (!f)
		return errno == ENOENT ? TRAWL_OK : TRAWL_IO;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *fl[12];
		int st = journal_unseal(line, (size_t)len), nf;

		if (st < 0 || (st == 0 && sealed_seen)) {
			bad++;
			continue;
		}
		sealed_seen |= st > 0;
		nf = journal_fields(line, fl, 12);
		fn(ud, fl, nf);
	}
	free(line);
	fclose(f);
	if (damaged)
		*damaged = bad;
	return TRAWL_OK;
}

static int
journal_number(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return 0;
	*out = strtoul(s, &end, 10);
	return *end == '\0';
}

static struct journal_entry *
journal_find(struct journal_entry *e, size_t n, unsigned long id)
{
	for (size_t i = n; i > 0; i--)
		if (e[i - 1].id == id)
			return &e[i - 1];
	return NULL;
}

struct journal_read_state {
	TALLOC_CTX *ctx;
	struct journal_entry *e;
	size_t n;
	int failed;
};

static void
journal_read_line(void *ud, char **fl, int nf)
{
	struct journal_read_state *r = ud;
	struct journal_entry *x;
	unsigned long id, v;

	if (nf < 2 || !journal_number(fl[1], &id))
		return;
	if (nf >= 9 && !strcmp(fl[0], "E")) {
		struct journal_entry *e = talloc_realloc(r->ctx, r->e, struct journal_entry, r->n + 1);

		if (!e) {
			r->failed = 1;
			return;
		}
		r->e = e;
		x = &e[r->n++];
		memset(x, 0, sizeof(*x));
		x->id = id;
		x->time = (time_t)strtoll(fl[2], NULL, 10);
		x->reviewer = journal_unescape(e, fl[3]);
		x->kind = journal_unescape(e, fl[4]);
		x->undoes = strtoul(fl[5], NULL, 10);
		x->query = journal_unescape(e, fl[6]);
		x->ops = journal_unescape(e, fl[7]);
		x->count = strtoul(fl[8], NULL, 10);
		x->session = journal_unescape(e, nf >= 10 ? fl[9] : "");
		x->note = journal_unescape(e, nf >= 11 ? fl[10] : "");
		x->end = talloc_strdup(e, "");
	} else if (nf >= 4 && !strcmp(fl[0], "C") && journal_number(fl[3], &v) &&
		   (x = journal_find(r->e, r->n, id))) {
		x->committed += v;
	} else if (nf >= 4 && !strcmp(fl[0], "X") && (x = journal_find(r->e, r->n, id))) {
		talloc_free(x->end);
		x->end = journal_unescape(r->e, fl[3]);
	} else if (nf >= 3 && !strcmp(fl[0], "Q") && (x = journal_find(r->e, r->n, id))) {
		x->handed_over++;
	} else if (nf >= 3 && !strcmp(fl[0], "R") && (x = journal_find(r->e, r->n, id))) {
		/* Taken over: the entry is the new session's, to write and to undo. */
		talloc_free(x->session);
		x->session = journal_unescape(r->e, fl[2]);
	}
}

trawl_status_t
journal_read_checked(TALLOC_CTX *ctx, const char *path, struct journal_entry **out,
		     size_t *n_out, size_t *damaged)
{
	struct journal_read_state r = {ctx, NULL, 0, 0};
	trawl_status_t ts = journal_scan(path, journal_read_line, &r, damaged);

	*out = r.e;
	*n_out = r.e ? r.n : 0;
	return ts == TRAWL_OK && r.failed ? TRAWL_NOMEM : ts;
}

trawl_status_t
journal_read(TALLOC_CTX *ctx, const char *path, struct journal_entry **out, size_t *n_out)
{
	return journal_read_checked(ctx, path, out, n_out, NULL);
}

/* A delta field ("+a -b", escaped) as tag operations; NULL when absent or unreadable. */
static struct tagops *
journal_parse_delta(TALLOC_CTX *ctx, const char *field)
{
	struct tagops *ops = talloc_zero(ctx, struct tagops);
	char *copy = talloc_strdup(ctx, field);

	if (!ops || !copy)
		return NULL;
	for (char *t = strtok(copy, " "); t; t = strtok(NULL, " ")) {
		char *tag;

		if ((t[0] != '+' && t[0] != '-') || !t[1])
			continue;
		tag = journal_unescape(ops, t + 1);
		ops->ops = talloc_realloc(ops, ops->ops, struct tagop, ops->n + 1);
		if (!tag || !ops->ops)
			return NULL;
		ops->ops[ops->n].tag = tag;
		ops->ops[ops->n].add = t[0] == '+';
		ops->n++;
	}
	talloc_free(copy);
	return ops;
}

struct journal_batches_state {
	TALLOC_CTX *ctx;
	unsigned long id;
	struct journal_batch *b;
	size_t n;
	char ***old;   /* per batch, per message: old tags (for load_changes) */
	size_t **n_old;
};

static struct journal_batch *
journal_batch_get(struct journal_batches_state *s, size_t batch)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->b[i].batch == batch)
			return &s->b[i];
	s->b = talloc_realloc(s->ctx, s->b, struct journal_batch, s->n + 1);
	s->old = talloc_realloc(s->ctx, s->old, char **, s->n + 1);
	s->n_old = talloc_realloc(s->ctx, s->n_old, size_t *, s->n + 1);
	if (!s->b || !s->old || !s->n_old)
		return NULL;
	memset(&s->b[s->n], 0, sizeof(s->b[s->n]));
	s->b[s->n].batch = batch;
	s->old[s->n] = NULL;
	s->n_old[s->n] = NULL;
	return &s->b[s->n++];
}

static void
journal_batches_line(void *ud, char **fl, int nf)
{
	struct journal_batches_state *s = ud;
	struct journal_batch *b;
	unsigned long id, batch;
	size_t k, i;
	char *mid;

	if (nf < 4 || !journal_number(fl[1], &id) || id != s->id || !journal_number(fl[2], &batch))
		return;
	if (!strcmp(fl[0], "C")) {
		if ((b = journal_batch_get(s, batch)))
			b->committed = 1;
		return;
	}
	if (strcmp(fl[0], "M") || nf < 5 || !(b = journal_batch_get(s, batch)))
		return;
	k = (size_t)(b - s->b);
	mid = journal_unescape(s->ctx, fl[3]);
	/* A batch written again (after a crash before its commit) says the same: last wins. */
	for (i = 0; i < b->n; i++)
		if (!strcmp(b->message_ids[i], mid))
			break;
	if (i == b->n) {
		b->message_ids = talloc_realloc(s->ctx, b->message_ids, char *, b->n + 1);
		b->delta = talloc_realloc(s->ctx, b->delta, struct tagops *, b->n + 1);
		b->note_old = talloc_realloc(s->ctx, b->note_old, char *, b->n + 1);
		b->note_new = talloc_realloc(s->ctx, b->note_new, char *, b->n + 1);
		s->old[k] = talloc_realloc(s->ctx, s->old[k], char *, b->n + 1);
		if (!b->message_ids || !b->delta || !b->note_old || !b->note_new || !s->old[k])
			return;
		b->n++;
	}
	b->message_ids[i] = mid;
	b->delta[i] = nf >= 6 ? journal_parse_delta(s->ctx, fl[5]) : NULL;
	b->note_old[i] = nf >= 8 ? journal_unescape(s->ctx, fl[6]) : NULL;
	b->note_new[i] = nf >= 8 ? journal_unescape(s->ctx, fl[7]) : NULL;
	s->old[k][i] = talloc_strdup(s->ctx, fl[4]);
}

trawl_status_t
journal_batches(TALLOC_CTX *ctx, const char *path, unsigned long id, struct journal_batch **out,
		size_t *n)
{
	struct journal_batches_state s = {.ctx = ctx, .id = id};
	trawl_status_t ts = journal_scan(path, journal_batches_line, &s, NULL);

	*out = s.b;
	*n = s.n;
	return ts;
}

trawl_status_t
journal_load_changes(TALLOC_CTX *ctx, const char *path, struct journal_entry *entry)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct journal_batches_state s = {.ctx = tmp, .id = entry->id};
	trawl_status_t ts = journal_scan(path, journal_batches_line, &s, NULL);
	size_t len = 0, total = 0;

	if (ts != TRAWL_OK) {
		talloc_free(tmp);
		return ts;
	}
	/* Only committed batches are in the database: only their changes are reversed. */
	for (size_t i = 0; i < s.n; i++)
		if (s.b[i].committed)
			total += s.b[i].n;
	entry->message_ids = talloc_array(ctx, char *, total ? total : 1);
	entry->old_tags = talloc_array(ctx, char **, total ? total : 1);
	entry->n_old = talloc_array(ctx, size_t, total ? total : 1);
	entry->delta = talloc_zero_array(ctx, struct tagops *, total ? total : 1);
	entry->note_old = talloc_zero_array(ctx, char *, total ? total : 1);
	entry->note_new = talloc_zero_array(ctx, char *, total ? total : 1);
	if (!entry->message_ids || !entry->old_tags || !entry->n_old || !entry->delta ||
	    !entry->note_old || !entry->note_new) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (!s.b[i].committed)
			continue;
		for (size_t k = 0; k < s.b[i].n; k++, len++) {
			char *copy = talloc_strdup(tmp, s.old[i][k]);

			entry->message_ids[len] = talloc_strdup(entry->message_ids,
								s.b[i].message_ids[k]);
			entry->delta[len] = s.b[i].delta[k]
						    ? talloc_steal(entry->delta, s.b[i].delta[k])
						    : NULL;
			if (s.b[i].note_new[k]) {
				entry->note_old[len] = talloc_strdup(entry->note_old,
								     s.b[i].note_old[k]);
				entry->note_new[len] = talloc_strdup(entry->note_new,
								     s.b[i].note_new[k]);
			}
			entry->old_tags[len] = talloc_array(entry->old_tags, char *, 1);
			entry->n_old[len] = 0;
			entry->old_tags[len][0] = NULL;
			for (char *t = strtok(copy, " "); t; t = strtok(NULL, " ")) {
				size_t m = entry->n_old[len];

				entry->old_tags[len] = talloc_realloc(entry->old_tags,
								      entry->old_tags[len], char *,
								      m + 2);
				entry->old_tags[len][m] = journal_unescape(entry->old_tags[len], t);
				entry->old_tags[len][m + 1] = NULL;
				entry->n_old[len] = m + 1;
			}
		}
	}
	entry->n_changes = len;
	talloc_free(tmp);
	return TRAWL_OK;
}

size_t
journal_undoable(const struct journal_entry *e, size_t n, size_t max, size_t *out)
{
	size_t k = 0;

	/* Walk back: an undo cancels the entry it undoes; a redo brings it back as itself. */
	for (size_t i = n; i > 0 && k < max; i--) {
		const struct journal_entry *x = &e[i - 1];
		int undone = 0;

		if (!strcmp(x->kind, "undo") || x->committed == 0)
			continue;
		for (size_t j = i; j < n; j++)
			undone |= !strcmp(e[j].kind, "undo") && e[j].undoes == x->id &&
				  e[j].committed > 0;
		if (!undone)
			out[k++] = i - 1;
	}
	/* Newest last. */
	for (size_t a = 0, b = k ? k - 1 : 0; a < b; a++, b--) {
		size_t t = out[a];

		out[a] = out[b];
		out[b] = t;
	}
	return k;
}

/* ------------------------------------------------------------ appending */

/* Opens the journal for appending and takes its lock; -1 with errno on failure. */
static int
journal_lock(const char *path)
{
	int fd;

	util_mkdirs_for(path);
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
	return fd;
}

/*
 * Writes text (whole lines) at the end of the locked journal and syncs.
 * A torn last line (a crash, a full disk) is closed first, so the new
 * lines are never glued to it, with a checksum field that cannot be
 * right: torn before its own checksum, it would otherwise read as a line
 * of an older version, which has none (journal_unseal()).
 */
static int
journal_write_locked(int fd, const char *text)
{
	struct stat st;
	char last = '\n';

	if (fstat(fd, &st) != 0)
		return -1;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return -1;
	if (last != '\n' && util_write_all(fd, "\t~torn\n", 7) < 0)
		return -1;
	if (util_write_all(fd, text, strlen(text)) < 0)
		return -1;
	return fsync(fd);
}

/* Appends text under the journal's lock; -1 with errno on failure. */
static int
journal_append(const char *path, const char *text)
{
	int fd = journal_lock(path), rc, e;

	if (fd < 0)
		return -1;
	rc = journal_write_locked(fd, text);
	e = errno;
	close(fd); /* releases the lock */
	errno = e;
	return rc;
}

static void
journal_max_id_line(void *ud, char **fl, int nf)
{
	unsigned long *max = ud, id;

	if (nf >= 2 && !strcmp(fl[0], "E") && journal_number(fl[1], &id) && id > *max)
		*max = id;
}

/*
 * The next id, from the counter file beside the journal (the journal is
 * read only when the counter is missing); the counter moves before the E
 * line is written, so a crash between them skips an id, never reuses one.
 * Called with the journal's lock held.
 */
static unsigned long
journal_take_id(const char *path)
{
	char *counter = talloc_asprintf(NULL, "%s.next", path), buf[32];
	unsigned long id = 0, max = 0;
	int fd = counter ? open(counter, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	ssize_t r;

	if (fd >= 0 && (r = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[r] = '\0';
		id = strtoul(buf, NULL, 10);
	}
	/* No counter yet (a new, moved or older journal): the journal says. */
	if (id == 0) {
		journal_scan(path, journal_max_id_line, &max, NULL);
		id = max + 1;
	}
	if (fd >= 0) {
		int n = snprintf(buf, sizeof(buf), "%lu\n", id + 1);

		if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
			fsync(fd);
		close(fd);
	}
	talloc_free(counter);
	return id;
}

int
journal_begin(const char *path, struct journal_entry *x)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	int fd = journal_lock(path), rc = -1, e;
	char *line;

	if (fd < 0) {
		talloc_free(tmp);
		return -1;
	}
	x->id = journal_take_id(path);
	line = journal_seal(talloc_asprintf(
		tmp, "E\t%lu\t%lld\t%s\t%s\t%lu\t%s\t%s\t%zu\t%s%s%s", x->id, (long long)x->time,
		journal_escape(tmp, x->reviewer, 0), journal_escape(tmp, x->kind, 0), x->undoes,
		journal_escape(tmp, x->query, 0), journal_escape(tmp, x->ops, 0), x->count,
		journal_escape(tmp, x->session ? x->session : "", 0),
		x->note && *x->note ? "\t" : "",
		x->note && *x->note ? journal_escape(tmp, x->note, 0) : ""));
	if (line)
		rc = journal_write_locked(fd, line);
	e = errno;
	close(fd);
	talloc_free(tmp);
	errno = e;
	return rc;
}

/* What change did to a message that had old's tags, as a delta field ("+a -b", escaped). */
static char *
journal_delta(TALLOC_CTX *ctx, const struct index_change *ch, const struct index_old_tags *old)
{
	char *d = talloc_strdup(ctx, "");

	if (old->skipped) /* nothing was changed */
		return d;
	if (ch->ops) {
		for (size_t k = 0; d && k < ch->ops->n; k++) {
			const struct tagop *op = &ch->ops->ops[k];

			if (op->add != tagops_has(old->tags, old->n, op->tag))
				d = talloc_asprintf_append_buffer(d, "%s%c%s", *d ? " " : "",
								  op->add ? '+' : '-',
								  journal_escape(ctx, op->tag, 1));
		}
	} else {
		for (size_t k = 0; d && k < ch->n_exact; k++)
			if (!tagops_has(old->tags, old->n, ch->exact[k]))
				d = talloc_asprintf_append_buffer(d, "%s+%s", *d ? " " : "",
								  journal_escape(ctx, ch->exact[k], 1));
		for (size_t k = 0; d && k < old->n; k++)
			if (!tagops_has(ch->exact, ch->n_exact, old->tags[k]))
				d = talloc_asprintf_append_buffer(d, "%s-%s", *d ? " " : "",
								  journal_escape(ctx, old->tags[k], 1));
	}
	return d;
}

int
journal_batch_old(const char *path, unsigned long id, size_t batch,
		  const struct index_change *changes, const struct index_old_tags *old, size_t n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *text = talloc_strdup(tmp, "");
	int rc;

	for (size_t i = 0; text && i < n; i++) {
		char *line;

		if (!old[i].found)
			continue;
		line = talloc_asprintf(tmp, "M\t%lu\t%zu\t%s\t", id, batch,
				       journal_escape(tmp, old[i].message_id, 0));
		for (size_t k = 0; line && k < old[i].n; k++)
			line = talloc_asprintf_append_buffer(line, "%s%s", k ? " " : "",
							     journal_escape(tmp, old[i].tags[k], 1));
		if (line)
			line = talloc_asprintf_append_buffer(line, "\t%s",
							     journal_delta(tmp, &changes[i], &old[i]));
		if (line && changes[i].note && !old[i].skipped)
			line = talloc_asprintf_append_buffer(line, "\t%s\t%s",
							     journal_escape(tmp, old[i].note, 0),
							     journal_escape(tmp, changes[i].note, 0));
		line = journal_seal(line);
		text = line ? talloc_strdup_append_buffer(text, line) : NULL;
	}
	rc = text ? journal_append(path, text) : -1;
	talloc_free(tmp);
	return rc;
}

int
journal_batch_committed(const char *path, unsigned long id, size_t batch, size_t messages)
{
	char *line = journal_seal(talloc_asprintf(NULL, "C\t%lu\t%zu\t%zu\t%lld", id, batch,
						  messages, (long long)time(NULL)));
	int rc = line ? journal_append(path, line) : -1;

	talloc_free(line);
	return rc;
}

int
journal_end(const char *path, unsigned long id, const char *how)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *line = journal_seal(talloc_asprintf(tmp, "X\t%lu\t%lld\t%s", id,
						  (long long)time(NULL),
						  journal_escape(tmp, how, 0)));
	int rc = line ? journal_append(path, line) : -1;

	talloc_free(tmp);
	return rc;
}

/* A note change of an entry, as journal_print() shows it. */
struct journal_note_change {
	unsigned long id;
	char *message_id, *old, *new;
};

struct journal_notes_state {
	TALLOC_CTX *ctx;
	struct journal_note_change *v;
	size_t n;
};

static void
journal_notes_line(void *ud, char **fl, int nf)
{
	struct journal_notes_state *s = ud;
	struct journal_note_change *c = NULL, *v;
	unsigned long id;

	if (nf < 8 || strcmp(fl[0], "M") || !journal_number(fl[1], &id))
		return;
	/* A batch written again (after a crash before its commit) says the same: last wins. */
	for (size_t i = s->n; i > 0 && !c; i--)
		if (s->v[i - 1].id == id && !strcmp(s->v[i - 1].message_id, fl[3]))
			c = &s->v[i - 1];
	if (!c) {
		v = talloc_realloc(s->ctx, s->v, struct journal_note_change, s->n + 1);
		if (!v)
			return;
		s->v = v;
		c = &v[s->n++];
		c->id = id;
		c->message_id = talloc_strdup(v, fl[3]);
	}
	c->old = journal_unescape(s->v, fl[6]);
	c->new = journal_unescape(s->v, fl[7]);
}

/*
 * A note for the CSV: neutralised, and with a leading ' when a
 * spreadsheet would take it for a formula (as the export's CSV does).
 */
static const char *
journal_csv_text(TALLOC_CTX *ctx, const char *s)
{
	char *safe = text_sanitize(ctx, s, strlen(s));

	if (safe && (*safe == '=' || *safe == '+' || *safe == '-' || *safe == '@'))
		safe = talloc_asprintf(ctx, "'%s", safe);
	return safe ? safe : "";
}

/* A delta field ("+a -b", each tag escaped) for ops. */
static char *
journal_ops_field(TALLOC_CTX *ctx, const struct tagops *ops)
{
	char *d = talloc_strdup(ctx, "");

	for (size_t k = 0; d && k < ops->n; k++)
		d = talloc_asprintf_append_buffer(d, "%s%c%s", *d ? " " : "",
						  ops->ops[k].add ? '+' : '-',
						  journal_escape(ctx, ops->ops[k].tag, 1));
	return d;
}

int
journal_hand_over(const char *path, unsigned long id, char *const *ids,
		  struct tagops *const *ops, size_t n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *text = talloc_strdup(tmp, "");
	int rc;

	for (size_t i = 0; text && i < n; i++) {
		TALLOC_CTX *l = talloc_new(tmp);
		char *line = talloc_asprintf(l, "Q\t%lu\t%s", id, journal_escape(l, ids[i], 0));

		if (line && ops && ops[i])
			line = talloc_asprintf_append_buffer(line, "\t%s",
							     journal_ops_field(l, ops[i]));
		line = journal_seal(line);
		text = line ? talloc_strdup_append_buffer(text, line) : NULL;
		talloc_free(l);
		/* One append a few thousand lines at a time: a huge change is not held in memory twice. */
		if (text && (i + 1) % 4096 == 0 && i + 1 < n) {
			if (journal_append(path, text) != 0) {
				talloc_free(tmp);
				return -1;
			}
			text[0] = '\0';
		}
	}
	rc = !text ? -1 : *text ? journal_append(path, text) : 0;
	talloc_free(tmp);
	return rc;
}

struct journal_owner_state {
	unsigned long id;
	char *session; /* the entry's session now, NULL until its E line */
	int ended;
};

static void
journal_owner_line(void *ud, char **fl, int nf)
{
	struct journal_owner_state *s = ud;
	unsigned long id;

	if (nf < 3 || !journal_number(fl[1], &id) || id != s->id)
		return;
	if ((!strcmp(fl[0], "E") && nf >= 10) || !strcmp(fl[0], "R")) {
		talloc_free(s->session);
		s->session = journal_unescape(NULL, fl[!strcmp(fl[0], "E") ? 9 : 2]);
	} else if (!strcmp(fl[0], "X")) {
		s->ended = 1;
	}
}

int
journal_take_over(const char *path, unsigned long id, const char *from, const char *to)
{
	struct journal_owner_state s = {.id = id};
	int fd = journal_lock(path), rc = -1, e = EBUSY;
	char *line;

	if (fd < 0)
		return -1;
	/* Read again under the lock: another session may have taken it meanwhile. */
	if (journal_scan(path, journal_owner_line, &s, NULL) != TRAWL_OK) {
		e = errno;
	} else if (s.session && !s.ended && !strcmp(s.session, from)) {
		TALLOC_CTX *tmp = talloc_new(NULL);

		line = journal_seal(talloc_asprintf(tmp, "R\t%lu\t%s", id, journal_escape(tmp, to, 0)));
		rc = line ? journal_write_locked(fd, line) : -1;
		e = errno;
		talloc_free(tmp);
	}
	talloc_free(s.session);
	close(fd);
	errno = e;
	return rc;
}

struct journal_q_state {
	TALLOC_CTX *ctx;
	unsigned long id;
	char **ids;
	struct tagops **ops;
	size_t n;
	int failed;
};

static void
journal_q_line(void *ud, char **fl, int nf)
{
	struct journal_q_state *s = ud;
	unsigned long id;

	if (nf < 3 || strcmp(fl[0], "Q") || !journal_number(fl[1], &id) || id != s->id)
		return;
	s->ids = talloc_realloc(s->ctx, s->ids, char *, s->n + 1);
	s->ops = talloc_realloc(s->ctx, s->ops, struct tagops *, s->n + 1);
	if (!s->ids || !s->ops) {
		s->failed = 1;
		return;
	}
	s->ids[s->n] = journal_unescape(s->ids, fl[2]);
	s->ops[s->n] = nf >= 4 ? journal_parse_delta(s->ops, fl[3]) : NULL;
	s->n++;
}

trawl_status_t
journal_handed_over(TALLOC_CTX *ctx, const char *path, unsigned long id, char ***ids,
		    struct tagops ***ops, size_t *n)
{
	struct journal_q_state s = {.ctx = ctx, .id = id};
	trawl_status_t ts = journal_scan(path, journal_q_line, &s, NULL);

	*ids = s.ids;
	*ops = s.ops;
	*n = s.failed ? 0 : s.n;
	return ts == TRAWL_OK && s.failed ? TRAWL_NOMEM : ts;
}

static void
journal_csv_field(FILE *f, const char *s, int last)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
}

trawl_status_t
journal_print(const char *path, FILE *f, int csv, const char *filter)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct journal_entry *e;
	size_t n;
	trawl_status_t ts = journal_read(tmp, path, &e, &n);
	struct journal_notes_state notes = {.ctx = tmp};

	if (ts == TRAWL_OK)
		ts = journal_scan(path, journal_notes_line, &notes, NULL);
	if (ts != TRAWL_OK) {
		talloc_free(tmp);
		return ts;
	}
	if (csv)
		fputs("id,time,reviewer,kind,undoes,query,changes,messages,committed,end,confirmed,"
		      "note_before,note_after\r\n",
		      f);
	for (size_t i = 0; i < n; i++) {
		char when[64], num[5][32];
		struct tm tm;

		if (filter && *filter && !strstr(e[i].query, filter))
			continue;
		/* A time no calendar holds (an altered line) is shown as the number it is. */
		if (gmtime_r(&e[i].time, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		else
			snprintf(when, sizeof(when), "%lld", (long long)e[i].time);
		snprintf(num[0], sizeof(num[0]), "%lu", e[i].id);
		snprintf(num[1], sizeof(num[1]), "%lu", e[i].undoes);
		snprintf(num[2], sizeof(num[2]), "%zu", e[i].count);
		snprintf(num[3], sizeof(num[3]), "%zu", e[i].committed);
		if (csv) {
			char *before = talloc_strdup(tmp, ""), *after = talloc_strdup(tmp, "");
			int lines = 0;
			const char *fields[] = {num[0], when, e[i].reviewer, e[i].kind, num[1],
						e[i].query, e[i].ops, num[2], num[3],
						*e[i].end ? e[i].end : "open", e[i].note};

			for (int k = 0; k < 11; k++)
				journal_csv_field(f, fields[k], 0);
			/* One message a line when an entry changed several notes. */
			for (size_t k = 0; before && after && k < notes.n; k++) {
				if (notes.v[k].id != e[i].id)
					continue;
				before = talloc_asprintf_append_buffer(
					before, "%s%s", lines ? "\n" : "",
					journal_csv_text(tmp, notes.v[k].old));
				after = talloc_asprintf_append_buffer(
					after, "%s%s", lines ? "\n" : "",
					journal_csv_text(tmp, notes.v[k].new));
				lines++;
			}
			journal_csv_field(f, before ? before : "", 0);
			journal_csv_field(f, after ? after : "", 1);
		} else {
			/*
			 * Every field read from the file is neutralised for a
			 * terminal: queries and tags are typed text, and a line
			 * may have been altered (with its checksum made right).
			 */
			fprintf(f, "%s  #%lu  %s  %s%s%s  %s  on '%s'  %zu/%zu messages  %s%s%s\n", when,
				e[i].id, text_sanitize(tmp, e[i].reviewer, strlen(e[i].reviewer)),
				text_sanitize(tmp, e[i].kind, strlen(e[i].kind)),
				e[i].undoes ? " of #" : "", e[i].undoes ? num[1] : "",
				text_sanitize(tmp, e[i].ops, strlen(e[i].ops)),
				text_sanitize(tmp, e[i].query, strlen(e[i].query)), e[i].committed,
				e[i].count, text_sanitize(tmp, e[i].end, strlen(e[i].end)),
				*e[i].note ? "  " : "", text_sanitize(tmp, e[i].note, strlen(e[i].note)));
			/* Notes are typed, maybe pasted from mail: neutralised too. */
			for (size_t k = 0; k < notes.n; k++)
				if (notes.v[k].id == e[i].id)
					fprintf(f, "    note of %s: \"%s\" -> \"%s\"\n",
						text_sanitize(tmp, notes.v[k].message_id,
							      strlen(notes.v[k].message_id)),
						text_sanitize(tmp, notes.v[k].old, strlen(notes.v[k].old)),
						text_sanitize(tmp, notes.v[k].new, strlen(notes.v[k].new)));
		}
	}
	talloc_free(tmp);
	return ferror(f) ? TRAWL_IO : TRAWL_OK;
}
