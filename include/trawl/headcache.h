/*
 * headcache: the first rows of lists as loaders sent them, kept per
 * database together with the commit they were read at, so that a list
 * opened again on a database nobody has written to since shows its first
 * screen without libnotmuch reading anything.  Finding those rows costs a
 * scan of every message's date (threadlist.c), which grows with the cache;
 * reading them back does not.
 *
 * The commit is the content of Xapian's version file (xapian/iamglass),
 * which every commit replaces with one naming a higher revision: equal
 * bytes mean the same committed database.  Rows are stored only when that
 * file was the same before their handle was opened and after they were
 * built, so an entry holds exactly what libnotmuch showed at its commit.
 * Any commit (a tag change by trawl or by anyone, notmuch new) leaves every
 * entry unusable; the counter, which runs after each of trawl's own
 * commits, stores the open list's new first rows.
 *
 * A key names everything else that decides the rows (the caller builds it
 * from index_query_fingerprint() and the sort).  The file is read and
 * written whole, replaced atomically (rename), holds at most
 * HEADCACHE_MAX_ENTRIES entries, all of one commit; a damaged or foreign
 * file reads as empty.
 *
 * Ownership: everything returned is a talloc child of the ctx passed.
 */
#ifndef TRAWL_HEADCACHE_H
#define TRAWL_HEADCACHE_H

#include <stddef.h>
#include <talloc.h>

#define HEADCACHE_MAX_ENTRIES 32
#define HEADCACHE_MAX_ROWS 256
#define HEADCACHE_MAX_FILE (8u << 20)

/* Rows as records of the loader's pipe (see threadlist.c), in list order. */
struct headcache_rows {
	char **rec;
	size_t *len;
	size_t n;
};

struct headcache_entry {
	char *key;
	size_t key_len;
	struct headcache_rows rows;
};

/* A parsed cache file. */
struct headcache_file {
	char *stamp;
	size_t stamp_len;
	struct headcache_entry *entries;
	size_t n;
};

/* The cache file of the database at db_path, beside its hints. */
char *headcache_path_for(TALLOC_CTX *ctx, const char *db_path);

/*
 * The commit stamp of the database at db_path (the bytes of its version
 * file; *len set), or NULL when it has no file we know (another Xapian
 * backend): then nothing is cached.
 */
char *headcache_stamp(TALLOC_CTX *ctx, const char *db_path, size_t *len);

/* Appends a copy of the record rec[0..len) to rows (children of ctx); 0 on out-of-memory. */
int headcache_rows_add(TALLOC_CTX *ctx, struct headcache_rows *rows, const char *rec, size_t len);

/* Sets *out to key's rows stored at stamp; returns 0 when there are none. */
int headcache_get(TALLOC_CTX *ctx, const char *path, const char *stamp, size_t stamp_len,
		  const char *key, struct headcache_rows *out);

/* Stores rows as key's at stamp, dropping the entries of any other stamp and the oldest. */
void headcache_put(const char *path, const char *stamp, size_t stamp_len, const char *key,
		   const struct headcache_rows *rows);

/* Parses a cache file's bytes; returns 0 (and *out empty) when they are not one. */
int headcache_parse(TALLOC_CTX *ctx, const char *buf, size_t len, struct headcache_file *out);

/* The bytes of f as a cache file (talloc size = length), or NULL on out-of-memory. */
char *headcache_format(TALLOC_CTX *ctx, const struct headcache_file *f);

#endif
