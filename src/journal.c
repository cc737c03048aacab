/*
 * journal: the append-only review journal.  See include/trawl/journal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		if (*p == '%' || *p == '\t' || *p == '\n' || *p == '\r' || (space && *p == ' ')) {
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

char *
journal_path_for(TALLOC_CTX *ctx, const char *db_path)
{
	return journal_state_path(ctx, db_path, ".log");
}

/* The file of db_path ending in ext, in $<var>/trawl/sub (else ~/fallback/trawl/sub). */
static char *
journal_db_file(TALLOC_CTX *ctx, const char *var, const char *fallback, const char *sub,
		const char *db_path, const char *ext)
{
	const char *xdg = getenv(var);
	const char *home = getenv("HOME");
	const char *base = strrchr(db_path, '/');
	uint64_t h = 1469598103934665603ULL;
	char *dir, *name;

	/* FNV-1a of the path tells databases with the same folder name apart. */
	for (const unsigned char *p = (const unsigned char *)db_path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	base = base && base[1] ? base + 1 : db_path;
	dir = xdg && *xdg == '/'
		      ? talloc_asprintf(ctx, "%s/trawl/%s", xdg, sub)
		      : talloc_asprintf(ctx, "%s/%s/trawl/%s", home ? home : ".", fallback, sub);
	name = journal_escape(ctx, base, 1);
	for (char *p = name; p && *p; p++)
		if (*p == '/' || *p == '%')
			*p = '_';
	return talloc_asprintf(ctx, "%s/%s-%016llx%s", dir, name ? name : "db",
			       (unsigned long long)h, ext);
}

char *
journal_state_path(TALLOC_CTX *ctx, const char *db_path, const char *ext)
{
	return journal_db_file(ctx, "XDG_STATE_HOME", ".local/state", "journal", db_path, ext);
}

char *
journal_cache_path(TALLOC_CTX *ctx, const char *db_path, const char *ext)
{
	return journal_db_file(ctx, "XDG_CACHE_HOME", ".cache", "heads", db_path, ext);
}

/* Splits a line into at most max tab-separated fields (in place). */
static int
journal_fields(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static struct journal_entry *
journal_find(struct journal_entry *e, size_t n, unsigned long id)
{
	for (size_t i = n; i > 0; i--)
		if (e[i - 1].id == id)
			return &e[i - 1];
	return NULL;
}

trawl_status_t
journal_read(TALLOC_CTX *ctx, const char *path, struct journal_entry **out, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	struct journal_entry *e = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;

	*out = NULL;
	*n_out = 0;
	if (!f)
		return errno == ENOENT ? TRAWL_OK : TRAWL_IO;
	while (getline(&line, &cap, f) > 0) {
		char *fl[10];
		int nf = journal_fields(line, fl, 10);
		struct journal_entry *x;

		if (nf >= 9 && !strcmp(fl[0], "E")) {
			e = talloc_realloc(ctx, e, struct journal_entry, n + 1);
			if (!e)
				break;
			x = &e[n++];
			memset(x, 0, sizeof(*x));
			x->id = strtoul(fl[1], NULL, 10);
			x->time = (time_t)strtoll(fl[2], NULL, 10);
			x->reviewer = journal_unescape(e, fl[3]);
			x->kind = journal_unescape(e, fl[4]);
			x->undoes = strtoul(fl[5], NULL, 10);
			x->query = journal_unescape(e, fl[6]);
			x->ops = journal_unescape(e, fl[7]);
			x->count = strtoul(fl[8], NULL, 10);
			x->end = talloc_strdup(e, "");
		} else if (nf >= 4 && !strcmp(fl[0], "C") &&
			   (x = journal_find(e, n, strtoul(fl[1], NULL, 10)))) {
			x->committed += strtoul(fl[3], NULL, 10);
		} else if (nf >= 4 && !strcmp(fl[0], "X") &&
			   (x = journal_find(e, n, strtoul(fl[1], NULL, 10)))) {
			talloc_free(x->end);
			x->end = journal_unescape(e, fl[3]);
		}
	}
	free(line);
	fclose(f);
	*out = e;
	*n_out = e ? n : 0;
	return TRAWL_OK;
}

trawl_status_t
journal_load_changes(TALLOC_CTX *ctx, const char *path, struct journal_entry *entry)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, len = 0, room = 0;
	/* Batches committed: only their old tags are replayed. */
	size_t *batches = NULL, n_batches = 0;
	TALLOC_CTX *tmp;

	if (!f)
		return TRAWL_IO;
	tmp = talloc_new(NULL);
	while (getline(&line, &cap, f) > 0) {
		char *fl[6];
		int nf;

		if (line[0] != 'C' || line[1] != '\t')
			continue;
		nf = journal_fields(line, fl, 6);
		if (nf >= 4 && strtoul(fl[1], NULL, 10) == entry->id) {
			batches = talloc_realloc(tmp, batches, size_t, n_batches + 1);
			batches[n_batches++] = strtoul(fl[2], NULL, 10);
		}
	}
	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		char *fl[6];
		int nf, committed = 0;
		size_t batch;

		if (line[0] != 'M' || line[1] != '\t')
			continue;
		nf = journal_fields(line, fl, 6);
		if (nf < 5 || strtoul(fl[1], NULL, 10) != entry->id)
			continue;
		batch = strtoul(fl[2], NULL, 10);
		for (size_t i = 0; i < n_batches; i++)
			committed |= batches[i] == batch;
		if (!committed)
			continue;
		if (len == room) {
			room = room ? room * 2 : 256;
			entry->message_ids = talloc_realloc(ctx, entry->message_ids, char *, room);
			entry->old_tags = talloc_realloc(ctx, entry->old_tags, char **, room);
			entry->n_old = talloc_realloc(ctx, entry->n_old, size_t, room);
			if (!entry->message_ids || !entry->old_tags || !entry->n_old)
				break;
		}
		entry->message_ids[len] = journal_unescape(entry->message_ids, fl[3]);
		entry->old_tags[len] = talloc_array(entry->old_tags, char *, 1);
		entry->n_old[len] = 0;
		for (char *t = strtok(fl[4], " "); t; t = strtok(NULL, " ")) {
			size_t k = entry->n_old[len];

			entry->old_tags[len] = talloc_realloc(entry->old_tags, entry->old_tags[len],
							      char *, k + 2);
			entry->old_tags[len][k] = journal_unescape(entry->old_tags[len], t);
			entry->old_tags[len][k + 1] = NULL;
			entry->n_old[len] = k + 1;
		}
		len++;
	}
	entry->n_changes = len;
	free(line);
	fclose(f);
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

unsigned long
journal_next_id(const struct journal_entry *e, size_t n)
{
	unsigned long id = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].id > id)
			id = e[i].id;
	return id + 1;
}

/* Appends text and syncs it to disk before returning. */
static int
journal_append(const char *path, const char *text)
{
	int fd;
	size_t len = strlen(text), off = 0;

	util_mkdirs_for(path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
journal_begin(const char *path, const struct journal_entry *x)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *line = talloc_asprintf(tmp, "E\t%lu\t%lld\t%s\t%s\t%lu\t%s\t%s\t%zu\n", x->id,
				     (long long)x->time, journal_escape(tmp, x->reviewer, 0),
				     journal_escape(tmp, x->kind, 0), x->undoes,
				     journal_escape(tmp, x->query, 0), journal_escape(tmp, x->ops, 0),
				     x->count);
	int rc = line ? journal_append(path, line) : -1;

	talloc_free(tmp);
	return rc;
}

int
journal_batch_old(const char *path, unsigned long id, size_t batch,
		  const struct index_old_tags *old, size_t n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *text = talloc_strdup(tmp, "");
	int rc;

	for (size_t i = 0; text && i < n; i++) {
		if (!old[i].found)
			continue;
		text = talloc_asprintf_append_buffer(text, "M\t%lu\t%zu\t%s\t", id, batch,
						     journal_escape(tmp, old[i].message_id, 0));
		for (size_t k = 0; text && k < old[i].n; k++)
			text = talloc_asprintf_append_buffer(text, "%s%s", k ? " " : "",
							     journal_escape(tmp, old[i].tags[k], 1));
		if (text)
			text = talloc_strdup_append_buffer(text, "\n");
	}
	rc = text ? journal_append(path, text) : -1;
	talloc_free(tmp);
	return rc;
}

int
journal_batch_committed(const char *path, unsigned long id, size_t batch, size_t messages)
{
	char line[128];

	snprintf(line, sizeof(line), "C\t%lu\t%zu\t%zu\t%lld\n", id, batch, messages,
		 (long long)time(NULL));
	return journal_append(path, line);
}

int
journal_end(const char *path, unsigned long id, const char *how)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *line = talloc_asprintf(tmp, "X\t%lu\t%lld\t%s\n", id, (long long)time(NULL),
				     journal_escape(tmp, how, 0));
	int rc = line ? journal_append(path, line) : -1;

	talloc_free(tmp);
	return rc;
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

	if (ts != TRAWL_OK) {
		talloc_free(tmp);
		return ts;
	}
	if (csv)
		fputs("id,time,reviewer,kind,undoes,query,changes,messages,committed,end\r\n", f);
	for (size_t i = 0; i < n; i++) {
		char when[64], num[5][32];
		struct tm tm;

		if (filter && *filter && !strstr(e[i].query, filter))
			continue;
		gmtime_r(&e[i].time, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(num[0], sizeof(num[0]), "%lu", e[i].id);
		snprintf(num[1], sizeof(num[1]), "%lu", e[i].undoes);
		snprintf(num[2], sizeof(num[2]), "%zu", e[i].count);
		snprintf(num[3], sizeof(num[3]), "%zu", e[i].committed);
		if (csv) {
			const char *fields[] = {num[0], when, e[i].reviewer, e[i].kind, num[1],
						e[i].query, e[i].ops, num[2], num[3],
						*e[i].end ? e[i].end : "open"};

			for (int k = 0; k < 10; k++)
				journal_csv_field(f, fields[k], k == 9);
		} else {
			/* Queries and tags are typed text: neutralise them for a terminal. */
			fprintf(f, "%s  #%lu  %s  %s%s%s  %s  on '%s'  %zu/%zu messages  %s\n", when,
				e[i].id, text_sanitize(tmp, e[i].reviewer, strlen(e[i].reviewer)),
				e[i].kind, e[i].undoes ? " of #" : "", e[i].undoes ? num[1] : "",
				text_sanitize(tmp, e[i].ops, strlen(e[i].ops)),
				text_sanitize(tmp, e[i].query, strlen(e[i].query)), e[i].committed,
				e[i].count, text_sanitize(tmp, e[i].end, strlen(e[i].end)));
		}
	}
	talloc_free(tmp);
	return ferror(f) ? TRAWL_IO : TRAWL_OK;
}
