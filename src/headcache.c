/*
 * headcache: first rows of lists kept with the commit they were read at.
 * See include/trawl/headcache.h.
 *
 * The file: the line "trawl-heads 1", then records, each a letter, a
 * space, a decimal length, a newline, that many bytes and a newline:
 * S (the stamp, first and once), K (an entry's key), R (a row of the
 * entry the last K began).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/headcache.h"
#include "trawl/paths.h"
#include "trawl/util.h"

#define HEADCACHE_MAGIC "trawl-heads 1\n"
#define HEADCACHE_MAX_STAMP 4096

char *
headcache_path_for(TALLOC_CTX *ctx, const char *db_path)
{
	return paths_for(ctx, db_path, PATHS_HEADS);
}

/* Reads path into a talloc buffer (size = length); NULL if over max bytes or unreadable. */
static char *
headcache_slurp(TALLOC_CTX *ctx, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		goto out;
	buf = talloc_array(ctx, char, (size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size + 1) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	/* A file that changed size while read is not one version of it. */
	if (buf && got != (size_t)st.st_size)
		TALLOC_FREE(buf);
	if (buf)
		buf = talloc_realloc(ctx, buf, char, got ? got : 1);
	if (buf && !got)
		TALLOC_FREE(buf);
out:
	close(fd);
	return buf;
}

char *
headcache_stamp(TALLOC_CTX *ctx, const char *db_path, size_t *len)
{
	/* notmuch's layouts: PATH/.notmuch/xapian, or PATH/xapian (database.path apart). */
	static const char *const where[] = {"/.notmuch/xapian/iamglass", "/xapian/iamglass"};

	if (!db_path || !*db_path)
		return NULL;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		char *path = talloc_asprintf(ctx, "%s%s", db_path, where[i]);
		char *buf = path ? headcache_slurp(ctx, path, HEADCACHE_MAX_STAMP) : NULL;

		talloc_free(path);
		if (buf) {
			*len = talloc_get_size(buf);
			return buf;
		}
	}
	return NULL;
}

int
headcache_rows_add(TALLOC_CTX *ctx, struct headcache_rows *rows, const char *rec, size_t len)
{
	char **r = talloc_realloc(ctx, rows->rec, char *, rows->n + 1);
	size_t *l;

	if (!r)
		return 0;
	rows->rec = r;
	l = talloc_realloc(ctx, rows->len, size_t, rows->n + 1);
	if (!l)
		return 0;
	rows->len = l;
	rows->rec[rows->n] = talloc_memdup(rows->rec, rec, len ? len : 1);
	if (!rows->rec[rows->n])
		return 0;
	rows->len[rows->n++] = len;
	return 1;
}

/* Reads one record at *p: its letter, and its bytes (not copied). */
static int
headcache_record(const char **p, const char *end, char *type, const char **data, size_t *len)
{
	const char *s = *p;
	size_t n = 0;

	if (end - s < 4 || s[1] != ' ' || s[2] < '0' || s[2] > '9')
		return 0;
	*type = s[0];
	for (s += 2; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > HEADCACHE_MAX_FILE)
			return 0;
		n = n * 10 + (size_t)(*s - '0');
	}
	if (s >= end || *s != '\n' || (size_t)(end - s - 1) < n + 1 || s[1 + n] != '\n')
		return 0;
	*data = s + 1;
	*len = n;
	*p = s + 1 + n + 1;
	return 1;
}

int
headcache_parse(TALLOC_CTX *ctx, const char *buf, size_t len, struct headcache_file *out)
{
	const char *p = buf, *end = buf + len, *data;
	size_t n;
	char type;
	struct headcache_entry *e = NULL;
	TALLOC_CTX *tmp = talloc_new(ctx);

	memset(out, 0, sizeof(*out));
	if (!tmp || len < sizeof(HEADCACHE_MAGIC) - 1 ||
	    memcmp(buf, HEADCACHE_MAGIC, sizeof(HEADCACHE_MAGIC) - 1))
		goto bad;
	p += sizeof(HEADCACHE_MAGIC) - 1;
	if (!headcache_record(&p, end, &type, &data, &n) || type != 'S' || !n ||
	    n > HEADCACHE_MAX_STAMP)
		goto bad;
	out->stamp = talloc_memdup(tmp, data, n);
	out->stamp_len = n;
	while (p < end) {
		if (!headcache_record(&p, end, &type, &data, &n))
			goto bad;
		if (type == 'K') {
			struct headcache_entry *more;

			if (out->n == HEADCACHE_MAX_ENTRIES)
				goto bad;
			more = talloc_realloc(tmp, out->entries, struct headcache_entry,
					      out->n + 1);
			if (!more)
				goto bad;
			out->entries = more;
			e = &out->entries[out->n++];
			memset(e, 0, sizeof(*e));
			e->key = talloc_strndup(out->entries, data, n);
			e->key_len = n;
			if (!e->key || strlen(e->key) != n)
				goto bad;
		} else if (type == 'R') {
			if (!e || e->rows.n == HEADCACHE_MAX_ROWS ||
			    !headcache_rows_add(out->entries, &e->rows, data, n))
				goto bad;
		} else {
			goto bad;
		}
	}
	talloc_steal(ctx, out->stamp);
	talloc_steal(ctx, out->entries);
	talloc_free(tmp);
	return 1;
bad:
	talloc_free(tmp);
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Appends a record to the buffer *buf (talloc size = length). */
static int
headcache_put_record(char **buf, char type, const char *data, size_t len)
{
	char head[32];
	int h = snprintf(head, sizeof(head), "%c %zu\n", type, len);
	size_t old = talloc_get_size(*buf);
	char *nb = talloc_realloc(talloc_parent(*buf), *buf, char, old + (size_t)h + len + 1);

	if (!nb)
		return 0;
	memcpy(nb + old, head, (size_t)h);
	memcpy(nb + old + h, data, len);
	nb[old + h + len] = '\n';
	*buf = nb;
	return 1;
}

char *
headcache_format(TALLOC_CTX *ctx, const struct headcache_file *f)
{
	char *buf = talloc_memdup(ctx, HEADCACHE_MAGIC, sizeof(HEADCACHE_MAGIC) - 1);
	int ok = buf && headcache_put_record(&buf, 'S', f->stamp, f->stamp_len);

	for (size_t i = 0; ok && i < f->n; i++) {
		const struct headcache_entry *e = &f->entries[i];

		ok = headcache_put_record(&buf, 'K', e->key, e->key_len);
		for (size_t k = 0; ok && k < e->rows.n; k++)
			ok = headcache_put_record(&buf, 'R', e->rows.rec[k], e->rows.len[k]);
	}
	if (!ok)
		TALLOC_FREE(buf);
	return buf;
}

/* Reads and parses the file at path; 0 when it is absent or not a cache file. */
static int
headcache_read(TALLOC_CTX *ctx, const char *path, struct headcache_file *out)
{
	char *buf = path ? headcache_slurp(ctx, path, HEADCACHE_MAX_FILE) : NULL;
	int ok = buf && headcache_parse(ctx, buf, talloc_get_size(buf), out);

	talloc_free(buf);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

int
headcache_get(TALLOC_CTX *ctx, const char *path, const char *stamp, size_t stamp_len,
	      const char *key, struct headcache_rows *out)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct headcache_file f;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (tmp && stamp && key && headcache_read(tmp, path, &f) && f.stamp_len == stamp_len &&
	    !memcmp(f.stamp, stamp, stamp_len))
		for (size_t i = f.n; i > 0 && !found; i--)
			if (!strcmp(f.entries[i - 1].key, key) && f.entries[i - 1].rows.n) {
				*out = f.entries[i - 1].rows;
				talloc_steal(ctx, out->rec);
				talloc_steal(ctx, out->len);
				found = 1;
			}
	talloc_free(tmp);
	return found;
}

void
headcache_put(const char *path, const char *stamp, size_t stamp_len, const char *key,
	      const struct headcache_rows *rows)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct headcache_file old, f = {0};
	char *buf, *name;
	size_t first = 0;
	int fd;

	if (!tmp || !path || !stamp || !key || !rows->n || rows->n > HEADCACHE_MAX_ROWS)
		goto out;
	f.stamp = (char *)stamp;
	f.stamp_len = stamp_len;
	f.entries = talloc_array(tmp, struct headcache_entry, HEADCACHE_MAX_ENTRIES);
	if (!f.entries)
		goto out;
	/* Entries of another commit can never be used again: only this commit's are kept. */
	if (headcache_read(tmp, path, &old) && old.stamp_len == stamp_len &&
	    !memcmp(old.stamp, stamp, stamp_len)) {
		if (old.n >= HEADCACHE_MAX_ENTRIES)
			first = old.n - HEADCACHE_MAX_ENTRIES + 1;
		for (size_t i = first; i < old.n; i++)
			if (strcmp(old.entries[i].key, key))
				f.entries[f.n++] = old.entries[i];
	}
	f.entries[f.n].key = (char *)key;
	f.entries[f.n].key_len = strlen(key);
	f.entries[f.n++].rows = *rows;
	buf = headcache_format(tmp, &f);
	name = util_tmp_name(tmp, path);
	if (!buf || !name)
		goto out;
	util_mkdirs_for(path);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (util_write_all(fd, buf, talloc_get_size(buf)) != 0) {
		close(fd);
		unlink(name);
	} else if (close(fd) != 0 || rename(name, path) != 0) {
		unlink(name);
	}
out:
	talloc_free(tmp);
}
