/*
 * hints: a small per-database file of facts that earlier runs left, each a
 * "VALUE<TAB>KEY" line: the thread list keeps "newest" and "oldest" (the
 * dates of the first row of `*` in each order) and "count QUERY" (the
 * messages of a query when it was last counted).  A hint may be stale or
 * missing: it may decide how something is found, never what is found.
 * Reads and writes are whole-file and atomic (rename); keys hold no tab or
 * newline.  Writes come from background children, so the UI never waits.
 */
#ifndef TRAWL_HINTS_H
#define TRAWL_HINTS_H

#include <talloc.h>

/* The hints file of the database at db_path, beside its journal. */
char *hints_path_for(TALLOC_CTX *ctx, const char *db_path);

/* Sets *out to the value of key; returns 0 when path or key is absent. */
int hints_get(const char *path, const char *key, long long *out);

/*
 * Sets key to value (nothing is written when it already has that value).
 * Keys with a space, such as hints_count_key()'s, make a bounded cache: the
 * least recently written go first when the file is full.  Keys without one
 * ("newest", "oldest") are kept.
 */
void hints_set(const char *path, const char *key, long long value);

/* The key of a query's message count: "count QUERY". */
char *hints_count_key(TALLOC_CTX *ctx, const char *query);

#endif
