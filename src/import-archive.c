/*
 * import-archive: the members of archives (zip, tar and its compressed
 * forms, 7z, rar) and single compressed files (.mbox.gz...) for `trawl
 * import`, read in place through libarchive.  See import-int.h.
 *
 * Nothing is unpacked to disk: each member is read into memory (up to a
 * bound), and an archive member is opened from there, down to
 * IMPORT_ARCHIVE_MAX_DEPTH archives.  A member that cannot be read (a bad
 * CRC, a truncated stream, an encrypted entry) is reported with why and
 * the walk goes on with the next when libarchive can; when it cannot
 * (the stream is cut), the rest is reported as one row.
 *
 * libarchive parses hostile bytes in the importer's process (see
 * import_archive_read() for why not in a child): the walk's bounds on
 * members, depth and sizes are what limits it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <talloc.h>

#include "import-int.h"

struct import_archive_walk {
	const struct import_archive_ops *ops;
	size_t member_max;
};

bool
import_archive_is(const char *d, size_t len)
{
	static const struct {
		const char *magic;
		size_t n;
	} kinds[] = {
	        {"PK\x03\x04", 4},         /* zip */
	        {"PK\x05\x06", 4},         /* an empty zip */
	        {"7z\xbc\xaf\x27\x1c", 6}, /* 7-Zip */
	        {"Rar!\x1a\x07", 6},       /* rar */
	        {"\x1f\x8b", 2},           /* gzip */
	        {"BZh", 3},                /* bzip2 */
	        {"\xfd"
	         "7zXZ\x00",
	         6},                     /* xz */
	        {"\x28\xb5\x2f\xfd", 4}, /* zstd */
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].n && !memcmp(d, kinds[i].magic, kinds[i].n))
			return true;
	/* A POSIX or GNU tar: "ustar" in its first header. */
	return len >= 512 && !memcmp(d + 257, "ustar", 5);
}

/*
 * Appends the path element e[0..n) to the folder buf as a harmless
 * folder name: "." and empty ones are dropped, ".." and ".notmuch" are
 * renamed, and a long one is cut.
 */
static char *
import_archive_element(char *buf, const char *e, size_t n)
{
	char name[201];

	if (n == 0 || (n == 1 && e[0] == '.'))
		return buf;
	if (n > 200)
		n = 200;
	memcpy(name, e, n);
	name[n] = '\0';
	if (!strcmp(name, ".."))
		strcpy(name, "_..");
	else if (!strcmp(name, ".notmuch"))
		strcpy(name, "_notmuch");
	return *buf ? talloc_asprintf_append(buf, "/%s", name) : talloc_strdup_append(buf, name);
}

/* The folder of path's directory below prefix, and its last element in *leaf. */
static char *
import_archive_folder(TALLOC_CTX *ctx, const char *prefix, const char *path, char **leaf)
{
	char *buf = talloc_strdup(ctx, prefix);
	const char *p = path, *slash;

	*leaf = NULL;
	while (buf && (slash = strchr(p, '/'))) {
		buf = import_archive_element(buf, p, (size_t)(slash - p));
		p = slash + 1;
	}
	if (buf) {
		char *l = import_archive_element(talloc_strdup(ctx, ""), p, strlen(p));

		*leaf = l && *l ? l : talloc_strdup(ctx, "_");
	}
	return *leaf ? buf : NULL;
}

/* The name of a single compressed file once decompressed: without its last suffix. */
static char *
import_archive_inner_name(TALLOC_CTX *ctx, const char *name)
{
	static const char *const suffixes[] = {".gz", ".bz2", ".xz", ".zst", ".lzma", ".z"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t s = strlen(suffixes[i]);

		if (n > s && !strcasecmp(name + n - s, suffixes[i]))
			return talloc_strndup(ctx, name, n - s);
	}
	return talloc_strdup(ctx, name);
}

static void import_archive_walk_one(struct import_archive_walk *wk, TALLOC_CTX *ctx, const char *d,
                                    size_t len, const char *name, const char *member_prefix,
                                    const char *folder_prefix, int depth);

/*
 * Reads the data of the current entry into a buffer (a child of ctx) of
 * at most wk->member_max bytes.  Returns 0, 1 when the member is larger
 * (not read further), or the libarchive status of a failure.
 */
static int
import_archive_data(struct import_archive_walk *wk, struct archive *a, TALLOC_CTX *ctx, char **out,
                    size_t *out_len)
{
	size_t cap = 65536, n = 0;
	char *buf = talloc_size(ctx, cap);

	while (buf) {
		la_ssize_t r;

		if (n == cap) {
			if (cap > wk->member_max)
				return 1;
			cap = cap * 2 > wk->member_max + 1 ? wk->member_max + 1 : cap * 2;
			buf = talloc_realloc_size(ctx, buf, cap);
			if (!buf)
				break;
		}
		r = archive_read_data(a, buf + n, cap - n);
		if (r == 0)
			break;
		if (r < 0)
			return (int)r;
		n += (size_t)r;
	}
	if (!buf)
		return ARCHIVE_FATAL;
	if (n > wk->member_max)
		return 1;
	*out = buf;
	*out_len = n;
	return 0;
}

/* Walks the entries of an open archive (see import_archive_walk_one()). */
static void
import_archive_entries(struct import_archive_walk *wk, TALLOC_CTX *ctx, struct archive *a,
                       const char *name, const char *member_prefix, const char *folder_prefix,
                       int depth)
{
	int failures = 0;

	for (unsigned long k = 1;; k++) {
		TALLOC_CTX *tmp = talloc_new(ctx);
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		const char *path;
		char *member, *folder, *leaf, *data = NULL;
		size_t len = 0;
		bool raw;

		if (r == ARCHIVE_EOF) {
			talloc_free(tmp);
			break;
		}
		if (r < ARCHIVE_WARN) {
			char *m = talloc_asprintf(tmp, "%s#%lu", member_prefix, k);
			char *why = talloc_asprintf(
			        tmp, "damaged: %s%s",
			        archive_error_string(a) ? archive_error_string(a)
			                                : "unreadable entry",
			        r == ARCHIVE_FATAL ? " (the rest is unreadable)" : "");

			if (m && why)
				wk->ops->row(wk->ops->arg, m, why, 0);
			talloc_free(tmp);
			if (r == ARCHIVE_FATAL || ++failures > 16)
				break;
			continue;
		}
		raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		path = raw ? NULL : archive_entry_pathname(e);
		if (raw)
			path = import_archive_inner_name(tmp, name);
		else if (!path || !*path)
			path = talloc_asprintf(tmp, "#%lu", k);
		member = talloc_asprintf(tmp, "%s%s", member_prefix, path);
		folder = path ? import_archive_folder(tmp, folder_prefix, path, &leaf) : NULL;
		if (!member || !folder) {
			talloc_free(tmp);
			break;
		}
		if (archive_entry_filetype(e) == AE_IFDIR) {
			talloc_free(tmp);
			continue;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			wk->ops->row(wk->ops->arg, member,
			             archive_entry_filetype(e) == AE_IFLNK
			                     ? "a symbolic link (not followed)"
			                     : "not a regular file",
			             0);
			talloc_free(tmp);
			continue;
		}
		if (archive_entry_is_encrypted(e)) {
			wk->ops->row(wk->ops->arg, member,
			             "not read: encrypted (no password given)",
			             (unsigned long long)archive_entry_size(e));
			talloc_free(tmp);
			continue;
		}
		if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
		    (unsigned long long)archive_entry_size(e) > wk->member_max)
			r = 1;
		else
			r = import_archive_data(wk, a, tmp, &data, &len);
		if (r == 1) {
			char *why = talloc_asprintf(
			        tmp,
			        "not read: larger than %zu bytes, the limit for a member held in "
			        "memory (extract the archive to import it)",
			        wk->member_max);

			wk->ops->row(wk->ops->arg, member, why ? why : "not read: too large",
			             archive_entry_size_is_set(e)
			                     ? (unsigned long long)archive_entry_size(e)
			                     : 0);
		} else if (r != 0) {
			char *why = talloc_asprintf(
			        tmp, "damaged: %s%s",
			        archive_error_string(a) ? archive_error_string(a)
			                                : "unreadable data",
			        r == ARCHIVE_FATAL ? " (the rest is unreadable)" : "");

			wk->ops->row(wk->ops->arg, member, why ? why : "damaged",
			             archive_entry_size_is_set(e)
			                     ? (unsigned long long)archive_entry_size(e)
			                     : 0);
			if (r == ARCHIVE_FATAL) {
				talloc_free(tmp);
				break;
			}
		} else if (import_archive_is(data, len) && depth < IMPORT_ARCHIVE_MAX_DEPTH) {
			char *mp = talloc_asprintf(tmp, "%s!", member);
			char *fp = *folder ? talloc_asprintf(tmp, "%s/%s", folder, leaf)
			                   : talloc_strdup(tmp, leaf);

			if (mp && fp)
				import_archive_walk_one(wk, tmp, data, len, leaf, mp, fp,
				                        depth + 1);
		} else if (import_archive_is(data, len)) {
			wk->ops->row(wk->ops->arg, member,
			             "not read: an archive inside more archives than trawl opens "
			             "(extract it first)",
			             len);
		} else {
			wk->ops->member(wk->ops->arg, member, folder, leaf, raw, data, len);
		}
		talloc_free(tmp);
	}
}

/*
 * Opens the archive d[0..len) (a file named name, at depth: 1 for the top
 * one) and walks its members; members of a nested archive are named
 * member_prefix + their path, and their folders start at folder_prefix.
 * Returns what made it unopenable through a row, except at the top.
 */
static int
import_archive_open_walk(struct import_archive_walk *wk, TALLOC_CTX *ctx, const char *d, size_t len,
                         const char *name, const char *member_prefix, const char *folder_prefix,
                         int depth, char *why, size_t why_len)
{
	struct archive *a = archive_read_new();
	int rc = 0;

	if (!a) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	archive_read_support_filter_all(a);
	/*
	 * The formats leaks come in, not all of libarchive's: fewer parsers of
	 * hostile bytes, and no bidder that reads far ahead (ISO 9660 looks
	 * 32 KiB in) and so fails on a truncated stream before its first
	 * member.
	 */
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_cpio(a);
	/* A single compressed file (an .mbox.gz): one stream, no entries. */
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
		snprintf(why, why_len, "damaged: cannot be opened as an archive: %s",
		         archive_error_string(a) ? archive_error_string(a) : "unknown format");
		rc = -1;
	} else {
		import_archive_entries(wk, ctx, a, name, member_prefix, folder_prefix, depth);
	}
	archive_read_free(a);
	return rc;
}

static void
import_archive_walk_one(struct import_archive_walk *wk, TALLOC_CTX *ctx, const char *d, size_t len,
                        const char *name, const char *member_prefix, const char *folder_prefix,
                        int depth)
{
	char why[512];

	if (import_archive_open_walk(wk, ctx, d, len, name, member_prefix, folder_prefix, depth,
	                             why, sizeof(why)) != 0) {
		/* The nested archive is its member: "x/inner.tar!" names "x/inner.tar". */
		char *m = talloc_strndup(ctx, member_prefix, strlen(member_prefix) - 1);

		wk->ops->row(wk->ops->arg, m ? m : member_prefix, why, len);
		talloc_free(m);
	}
}

int
import_archive_walk(const char *d, size_t len, const char *name, size_t member_max,
                    const struct import_archive_ops *ops, char *why, size_t why_len)
{
	struct import_archive_walk wk = {ops, member_max};
	TALLOC_CTX *ctx = talloc_new(NULL);
	int rc;

	rc = import_archive_open_walk(&wk, ctx, d, len, name, "", "", 1, why, why_len);
	talloc_free(ctx);
	return rc;
}

/* ------------------------------------------------------------ the reader */

/*
 * In this process, on the importer's walker thread.  It ran in a forked
 * child with limits, but the importer has two threads, and a fork while
 * the indexer thread held a lock (ASan's allocator, glibc's tzset lock)
 * left the child waiting for it for ever: the import hung (CI, ASan,
 * import-archives.sh).  A fork needs an exec in a threaded process; until
 * the reader is a program of its own, the member, depth and inflation
 * bounds of the walk are the limits.
 */
int
import_archive_read(const char *d, size_t len, const char *name, size_t member_max,
                    const struct import_archive_ops *ops, bool (*stop)(void *arg), char *why,
                    size_t why_len)
{
	(void)stop;
	return import_archive_walk(d, len, name, member_max, ops, why, why_len);
}
