/*
 * versions: the files of one message, hashed and grouped into versions.
 * See include/trawl/versions.h, which states the version rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/sha256.h"
#include "trawl/versions.h"

const char *const versions_transport_headers[] = {
        "Received",    "Return-Path", "Delivered-To",     "X-Original-To",
        "Envelope-To", "X-Folder",    "Status",           "X-Status",
        "X-Keywords",  "X-UID",       "X-Mozilla-Status", "X-Mozilla-Status2",
        "X-IMAP",      "X-IMAPbase",  "Content-Length",   "Lines",
        NULL,
};

/* The first bytes hashed under the rule: a new rule gets new hashes. */
static const char versions_domain[] = "trawl-version-1\n";

int
versions_is_transport_header(const char *name, size_t len)
{
	for (size_t i = 0; versions_transport_headers[i]; i++)
		if (strlen(versions_transport_headers[i]) == len &&
		    !strncasecmp(versions_transport_headers[i], name, len))
			return 1;
	return 0;
}

/* Feeds d[0..len) with every CRLF made LF. */
static void
versions_feed_lf(sha256_t *h, const char *d, size_t len)
{
	size_t p = 0;

	while (p < len) {
		const char *cr = memchr(d + p, '\r', len - p);
		size_t q;

		if (!cr) {
			sha256_update(h, d + p, len - p);
			return;
		}
		q = (size_t)(cr - d);
		if (q + 1 < len && d[q + 1] == '\n') {
			sha256_update(h, d + p, q - p);
			p = q + 1; /* the LF goes with the next slice */
		} else {
			sha256_update(h, d + p, q + 1 - p);
			p = q + 1;
		}
	}
}

/* Feeds what the rule keeps of the message d[0..len) (see versions.h). */
static void
versions_feed_rule(sha256_t *h, const char *d, size_t len)
{
	size_t p = 0, end = len;
	int drop = 0;

	sha256_update(h, versions_domain, sizeof(versions_domain) - 1);
	/* Line breaks at the very end are left out first: a body's, or a header's. */
	while (end > 0 && (d[end - 1] == '\n' || d[end - 1] == '\r'))
		end--;
	/* The header: fields start at lines not opening with a space or tab. */
	while (p < end) {
		const char *nl = memchr(d + p, '\n', end - p);
		size_t eol = nl ? (size_t)(nl - d) : end, ce = eol, next = nl ? eol + 1 : end;

		if (ce > p && d[ce - 1] == '\r')
			ce--;
		if (ce == p) {
			/* The empty line: the body follows. */
			sha256_update(h, "\n", 1);
			p = next;
			break;
		}
		if (d[p] != ' ' && d[p] != '\t') {
			const char *colon = memchr(d + p, ':', ce - p);

			if (p == 0 && ce - p >= 5 && !memcmp(d, "From ", 5)) {
				drop = 1; /* an mbox envelope line */
			} else if (colon) {
				size_t n = (size_t)(colon - (d + p));

				while (n > 0 && (d[p + n - 1] == ' ' || d[p + n - 1] == '\t'))
					n--;
				drop = versions_is_transport_header(d + p, n);
			} else {
				drop = 0; /* not a field: kept, as any byte that is not transport */
			}
		}
		if (!drop) {
			sha256_update(h, d + p, ce - p);
			sha256_update(h, "\n", 1);
		}
		p = next;
	}
	if (end > p)
		versions_feed_lf(h, d + p, end - p);
}

char *
versions_hash_buffer(TALLOC_CTX *ctx, const char *data, size_t len)
{
	sha256_t *h = sha256_new(NULL);
	char *hex;

	if (!h)
		return NULL;
	versions_feed_rule(h, data, len);
	hex = sha256_finish(h, ctx);
	talloc_free(h);
	return hex;
}

static long long
versions_ns(struct timespec ts)
{
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
versions_identity(struct versions_file *f, const struct stat *st)
{
	f->dev = (unsigned long long)st->st_dev;
	f->ino = (unsigned long long)st->st_ino;
	f->mtime = (long long)st->st_mtim.tv_sec;
	f->mtime_ns = versions_ns(st->st_mtim);
	f->ctime_ns = versions_ns(st->st_ctim);
}

trawl_status_t
versions_hash_file(TALLOC_CTX *ctx, const char *path, struct versions_file *out)
{
	struct stat st;
	const char *d = "";
	void *map = NULL;
	int fd, e;
	sha256_t *raw;

	out->size = -1;
	out->sha256 = talloc_strdup(ctx, "");
	out->version_hash = talloc_strdup(ctx, "");
	out->error = NULL;
	if (!out->sha256 || !out->version_hash)
		return TRAWL_NOMEM;
	/* O_NONBLOCK: a FIFO put where a message was must not hang the reader. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		out->error = talloc_strdup(ctx, strerror(errno));
		return out->error ? TRAWL_OK : TRAWL_NOMEM;
	}
	if ((e = fstat(fd, &st) != 0 ? errno : 0) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		out->error = talloc_strdup(ctx, e ? strerror(e) : "not a regular file");
		return out->error ? TRAWL_OK : TRAWL_NOMEM;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			e = errno;
			close(fd);
			out->error = talloc_strdup(ctx, strerror(e));
			return out->error ? TRAWL_OK : TRAWL_NOMEM;
		}
		d = map;
	}
	close(fd);
	versions_identity(out, &st);
	raw = sha256_new(NULL);
	if (raw) {
		sha256_update(raw, d, (size_t)st.st_size);
		talloc_free(out->sha256);
		out->sha256 = sha256_finish(raw, ctx);
		talloc_free(raw);
		talloc_free(out->version_hash);
		out->version_hash = versions_hash_buffer(ctx, d, (size_t)st.st_size);
	}
	if (map)
		munmap(map, (size_t)st.st_size);
	if (!raw || !out->sha256 || !out->version_hash)
		return TRAWL_NOMEM;
	out->size = (long long)st.st_size;
	return TRAWL_OK;
}

/* rel's folder: its directory, without a last "cur" or "new" (a maildir's). */
static char *
versions_folder(TALLOC_CTX *ctx, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;
	const char *last;

	if (n >= 3) {
		last = rel + n - 3;
		if ((last == rel || last[-1] == '/') &&
		    (!strncmp(last, "cur", 3) || !strncmp(last, "new", 3)))
			n = last == rel ? 0 : (size_t)(last - 1 - rel);
	}
	return talloc_strndup(ctx, rel, n);
}

static int
versions_cmp_rel(const void *a, const void *b)
{
	const struct versions_file *x = a, *y = b;

	return strcmp(x->rel, y->rel);
}

void
versions_group(struct versions *v)
{
	int next = 0;

	if (v->n_files > 1)
		qsort(v->files, v->n_files, sizeof(v->files[0]), versions_cmp_rel);
	v->unreadable = 0;
	v->identical = v->n_files > 1;
	for (size_t i = 0; i < v->n_files; i++) {
		struct versions_file *f = &v->files[i];

		f->version = 0;
		if (f->size < 0 || !*f->version_hash) {
			v->unreadable++;
			v->identical = 0;
			continue;
		}
		if (strcmp(f->sha256, v->files[0].sha256) != 0)
			v->identical = 0;
		for (size_t k = 0; k < i && !f->version; k++)
			if (v->files[k].version &&
			    !strcmp(v->files[k].version_hash, f->version_hash))
				f->version = v->files[k].version;
		if (!f->version)
			f->version = ++next;
	}
	v->n_versions = next;
}

trawl_status_t
versions_compare(TALLOC_CTX *ctx, const char *message_id, const char *db_path, char *const *paths,
                 size_t n, versions_cached_fn cached, void *ud, struct versions **out)
{
	struct versions *v = talloc_zero(ctx, struct versions);
	size_t dl = db_path ? strlen(db_path) : 0;

	*out = NULL;
	if (!v)
		return TRAWL_NOMEM;
	v->message_id = talloc_strdup(v, message_id);
	v->files = talloc_zero_array(v, struct versions_file, n ? n : 1);
	if (!v->message_id || !v->files)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		struct versions_file *f = &v->files[v->n_files];
		const struct versions_file *c = NULL;
		struct stat st;

		f->path = talloc_strdup(v->files, paths[i]);
		if (!f->path)
			goto nomem;
		f->rel = dl && !strncmp(paths[i], db_path, dl) && paths[i][dl] == '/'
		                 ? talloc_strdup(v->files, paths[i] + dl + 1)
		                 : talloc_strdup(v->files, paths[i]);
		f->folder = f->rel ? versions_folder(v->files, f->rel) : NULL;
		if (!f->rel || !f->folder)
			goto nomem;
		if (cached && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			c = cached(ud, paths[i], &st);
		if (c) {
			f->size = c->size;
			f->mtime = c->mtime;
			f->sha256 = talloc_strdup(v->files, c->sha256);
			f->version_hash = talloc_strdup(v->files, c->version_hash);
			f->dev = c->dev;
			f->ino = c->ino;
			f->mtime_ns = c->mtime_ns;
			f->ctime_ns = c->ctime_ns;
			if (!f->sha256 || !f->version_hash)
				goto nomem;
		} else if (versions_hash_file(v->files, paths[i], f) != TRAWL_OK) {
			goto nomem;
		}
		v->n_files++;
	}
	versions_group(v);
	*out = v;
	return TRAWL_OK;
nomem:
	talloc_free(v);
	return TRAWL_NOMEM;
}

char *
versions_summary(TALLOC_CTX *ctx, const struct versions *v)
{
	char *s;

	if (!v || v->n_files < 2)
		return NULL;
	if (v->identical)
		s = talloc_asprintf(ctx, "%zu files, identical", v->n_files);
	else
		s = talloc_asprintf(ctx, "%zu files, %d version%s", v->n_files, v->n_versions,
		                    v->n_versions == 1 ? "" : "s");
	if (s && v->unreadable)
		s = talloc_asprintf_append(s, ", %zu unreadable", v->unreadable);
	return s;
}

long
versions_find(const struct versions *v, const char *path)
{
	for (size_t i = 0; v && path && i < v->n_files; i++)
		if (!strcmp(v->files[i].path, path))
			return (long)i;
	return -1;
}

long
versions_other(const struct versions *v, const char *path)
{
	long at = versions_find(v, path);
	int version = at >= 0 ? v->files[at].version : 0;

	if (!v || v->n_files < 2)
		return -1;
	for (size_t i = 0; i < v->n_files; i++)
		if ((long)i != at && v->files[i].version && v->files[i].version != version)
			return (long)i;
	for (size_t i = 0; i < v->n_files; i++)
		if ((long)i != at)
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------ records */

#define VERSIONS_MAGIC "versions-1"
/* Fields per file in a record. */
#define VERSIONS_FILE_FIELDS 12

struct versions_buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void
versions_put(TALLOC_CTX *ctx, struct versions_buf *b, const char *s)
{
	size_t n = strlen(s) + 1;

	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = talloc_realloc(ctx, b->p, char, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
versions_put_num(TALLOC_CTX *ctx, struct versions_buf *b, long long n)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", n);
	versions_put(ctx, b, num);
}

char *
versions_pack(TALLOC_CTX *ctx, const struct versions *v, size_t *len)
{
	struct versions_buf b = {0};

	versions_put(ctx, &b, VERSIONS_MAGIC);
	versions_put(ctx, &b, v->message_id);
	versions_put_num(ctx, &b, (long long)v->n_files);
	for (size_t i = 0; i < v->n_files; i++) {
		const struct versions_file *f = &v->files[i];

		versions_put(ctx, &b, f->path);
		versions_put(ctx, &b, f->rel);
		versions_put(ctx, &b, f->folder);
		versions_put_num(ctx, &b, f->size);
		versions_put_num(ctx, &b, f->mtime);
		versions_put(ctx, &b, f->sha256);
		versions_put(ctx, &b, f->version_hash);
		versions_put(ctx, &b, f->error ? f->error : "");
		versions_put_num(ctx, &b, (long long)f->dev);
		versions_put_num(ctx, &b, (long long)f->ino);
		versions_put_num(ctx, &b, f->mtime_ns);
		versions_put_num(ctx, &b, f->ctime_ns);
	}
	if (b.failed) {
		talloc_free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* The next NUL-terminated field of buf[*p..len), or NULL at the end. */
static const char *
versions_field(const char *buf, size_t len, size_t *p)
{
	const char *s, *nul;

	if (*p >= len)
		return NULL;
	s = buf + *p;
	nul = memchr(s, '\0', len - *p);
	if (!nul)
		return NULL;
	*p = (size_t)(nul - buf) + 1;
	return s;
}

static int
versions_number(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *end == '\0' && errno == 0;
}

trawl_status_t
versions_unpack(TALLOC_CTX *ctx, const char *buf, size_t len, struct versions **out)
{
	struct versions *v = talloc_zero(ctx, struct versions);
	size_t p = 0;
	long long n;
	const char *s;

	*out = NULL;
	if (!v)
		return TRAWL_NOMEM;
	s = versions_field(buf, len, &p);
	if (!s || strcmp(s, VERSIONS_MAGIC) != 0)
		goto damaged;
	s = versions_field(buf, len, &p);
	if (!s || !versions_number(versions_field(buf, len, &p), &n) || n < 0 ||
	    (size_t)n > len / VERSIONS_FILE_FIELDS)
		goto damaged;
	v->message_id = talloc_strdup(v, s);
	v->files = talloc_zero_array(v, struct versions_file, n ? (size_t)n : 1);
	if (!v->message_id || !v->files) {
		talloc_free(v);
		return TRAWL_NOMEM;
	}
	for (long long i = 0; i < n; i++) {
		struct versions_file *f = &v->files[i];
		const char *fl[VERSIONS_FILE_FIELDS];
		long long num[4];

		for (int k = 0; k < VERSIONS_FILE_FIELDS; k++)
			if (!(fl[k] = versions_field(buf, len, &p)))
				goto damaged;
		if (!versions_number(fl[3], &f->size) || !versions_number(fl[4], &f->mtime) ||
		    !versions_number(fl[8], &num[0]) || !versions_number(fl[9], &num[1]) ||
		    !versions_number(fl[10], &num[2]) || !versions_number(fl[11], &num[3]))
			goto damaged;
		f->path = talloc_strdup(v->files, fl[0]);
		f->rel = talloc_strdup(v->files, fl[1]);
		f->folder = talloc_strdup(v->files, fl[2]);
		f->sha256 = talloc_strdup(v->files, fl[5]);
		f->version_hash = talloc_strdup(v->files, fl[6]);
		f->error = *fl[7] ? talloc_strdup(v->files, fl[7]) : NULL;
		f->dev = (unsigned long long)num[0];
		f->ino = (unsigned long long)num[1];
		f->mtime_ns = num[2];
		f->ctime_ns = num[3];
		if (!f->path || !f->rel || !f->folder || !f->sha256 || !f->version_hash ||
		    (*fl[7] && !f->error)) {
			talloc_free(v);
			return TRAWL_NOMEM;
		}
		v->n_files++;
	}
	if (p != len)
		goto damaged;
	versions_group(v);
	*out = v;
	return TRAWL_OK;
damaged:
	talloc_free(v);
	return TRAWL_PARSE;
}
