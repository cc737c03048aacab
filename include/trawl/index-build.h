/*
 * index-build: creating a new notmuch database and indexing files into it.
 *
 * This is the write side used to make caches (the demo cache, imports); it
 * lives beside index.c because only src/index*.c may call libnotmuch.  A
 * builder owns one read-write database handle for its lifetime.  Files are
 * indexed in atomic batches of INDEX_BUILD_BATCH; every notmuch status is
 * checked, and a failed call leaves the builder unusable (close it, or
 * free it to discard the batch in progress).
 *
 * Ownership: the builder is a talloc child of the ctx passed to
 * index_build_create(); freeing it without index_build_close() destroys the
 * handle and discards the uncommitted batch.  Error strings are owned by
 * the builder (index_build_last_error) or are children of the ctx passed.
 */
#ifndef TRAWL_INDEX_BUILD_H
#define TRAWL_INDEX_BUILD_H

#include <stdbool.h>
#include <talloc.h>

#include "trawl/status.h"

typedef struct index_build index_build_t;

/* Files indexed per begin_atomic/end_atomic section. */
#define INDEX_BUILD_BATCH 500

/*
 * Creates a new database for the mail under db_path (the database goes in
 * db_path/.notmuch), reading the rest of the configuration from
 * config_path (which must exist; NULL or "" means none).  db_path wins over
 * the config's database.path, so a cache can be built in one place and
 * renamed to the path its config names.
 *
 * Returns TRAWL_OK and *out; TRAWL_EXISTS if a database is already there;
 * TRAWL_IO, TRAWL_DB... with the detail in *error (a child of ctx).
 */
trawl_status_t index_build_create(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
				  index_build_t **out, char **error);

/*
 * Indexes one file (an absolute path under db_path, or relative to it).
 * *is_duplicate (may be NULL) is set when the file's Message-ID was
 * already in the database: the file is then recorded as another copy of
 * that message.  A file that is not mail gives TRAWL_PARSE.  No tags are
 * added, and maildir flags are not read.
 */
trawl_status_t index_build_add_file(index_build_t *b, const char *path, bool *is_duplicate);

/* Ends the batch in progress, if any, so that what was added is durable. */
trawl_status_t index_build_commit(index_build_t *b);

/*
 * Commits and closes the database.  The builder stays allocated (free it
 * with talloc_free) but accepts no more files.
 */
trawl_status_t index_build_close(index_build_t *b);

/* Files added and how many of them were duplicates. */
unsigned index_build_files(const index_build_t *b);
unsigned index_build_duplicates(const index_build_t *b);

/* The detail of the last failure ("" if none). */
const char *index_build_last_error(const index_build_t *b);

#endif
