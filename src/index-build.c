/*
 * index-build: creates a notmuch database and indexes files into it.
 * See include/trawl/index-build.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <notmuch.h>

#include "trawl/index-build.h"

struct index_build {
	notmuch_database_t *db; /* read-write; NULL once closed */
	char *db_path;
	char *last_error;
	unsigned in_batch;      /* files added in the open atomic section */
	bool atomic;            /* inside begin_atomic/end_atomic */
	bool failed;            /* a notmuch call failed: refuse further work */
	unsigned files;
	unsigned duplicates;
};

/*
 * Destroying a handle inside an atomic section discards the batch, which is
 * what a builder freed without index_build_close() should do.
 */
static int
index_build_destructor(index_build_t *b)
{
	if (b->db)
		notmuch_database_destroy(b->db);
	b->db = NULL;
	return 0;
}

static void
index_build_set_error(index_build_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
index_build_set_error(index_build_t *b, const char *fmt, ...)
{
	va_list ap;

	talloc_free(b->last_error);
	va_start(ap, fmt);
	b->last_error = talloc_vasprintf(b, fmt, ap);
	va_end(ap);
}

static trawl_status_t
index_build_status(notmuch_status_t st)
{
	switch (st) {
	case NOTMUCH_STATUS_SUCCESS:
	case NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID:
		return TRAWL_OK;
	case NOTMUCH_STATUS_OUT_OF_MEMORY:
		return TRAWL_NOMEM;
	case NOTMUCH_STATUS_READ_ONLY_DATABASE:
		return TRAWL_READ_ONLY;
	case NOTMUCH_STATUS_FILE_ERROR:
	case NOTMUCH_STATUS_PATH_ERROR:
		return TRAWL_IO;
	case NOTMUCH_STATUS_FILE_NOT_EMAIL:
		return TRAWL_PARSE;
	case NOTMUCH_STATUS_DATABASE_EXISTS:
		return TRAWL_EXISTS;
	case NOTMUCH_STATUS_NO_CONFIG:
	case NOTMUCH_STATUS_NO_DATABASE:
		return TRAWL_NO_DATABASE;
	default:
		return TRAWL_DB;
	}
}

/* A notmuch message (malloc'd or static) without its trailing newline. */
static char *
index_build_chomp(TALLOC_CTX *ctx, const char *msg)
{
	char *s = talloc_strdup(ctx, msg ? msg : "");
	size_t n = s ? strlen(s) : 0;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *p = s; p && *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

/* Records a failed notmuch call, with the database's own explanation. */
static trawl_status_t
index_build_fail(index_build_t *b, notmuch_status_t st, const char *what)
{
	const char *detail = b->db ? notmuch_database_status_string(b->db) : NULL;

	b->failed = true;
	index_build_set_error(b, "%s: %s%s%s", what, notmuch_status_to_string(st),
			      detail && *detail ? ": " : "", detail ? detail : "");
	if (b->last_error) {
		char *clean = index_build_chomp(b, b->last_error);

		if (clean) {
			talloc_free(b->last_error);
			b->last_error = clean;
		}
	}
	return index_build_status(st);
}

trawl_status_t
index_build_create(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
		   index_build_t **out, char **error)
{
	index_build_t *b;
	notmuch_status_t st;
	char *msg = NULL;

	*out = NULL;
	*error = NULL;
	if (!db_path || !*db_path) {
		*error = talloc_strdup(ctx, "index_build_create: no database path");
		return TRAWL_USAGE;
	}
	b = talloc_zero(ctx, index_build_t);
	if (!b)
		return TRAWL_NOMEM;
	b->db_path = talloc_strdup(b, db_path);
	b->last_error = talloc_strdup(b, "");
	if (!b->db_path || !b->last_error) {
		talloc_free(b);
		return TRAWL_NOMEM;
	}
	talloc_set_destructor(b, index_build_destructor);

	/* An empty config path makes notmuch ignore config files entirely. */
	st = notmuch_database_create_with_config(db_path, config_path ? config_path : "", NULL,
						 &b->db, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		char *detail = index_build_chomp(ctx, msg ? msg : notmuch_status_to_string(st));

		*error = talloc_asprintf(ctx, "%s: cannot create notmuch database: %s", db_path,
					 detail ? detail : "");
		talloc_free(detail);
		free(msg);
		b->db = NULL;
		talloc_free(b);
		return index_build_status(st);
	}
	free(msg);
	*out = b;
	return TRAWL_OK;
}

trawl_status_t
index_build_add_file(index_build_t *b, const char *path, bool *is_duplicate)
{
	notmuch_status_t st;

	if (is_duplicate)
		*is_duplicate = false;
	if (!b->db || b->failed) {
		index_build_set_error(b, "%s: database already closed or failed", path);
		return TRAWL_USAGE;
	}
	if (!b->atomic) {
		st = notmuch_database_begin_atomic(b->db);
		if (st != NOTMUCH_STATUS_SUCCESS)
			return index_build_fail(b, st, "begin_atomic");
		b->atomic = true;
		b->in_batch = 0;
	}
	st = notmuch_database_index_file(b->db, path, NULL, NULL);
	if (st != NOTMUCH_STATUS_SUCCESS && st != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
		return index_build_fail(b, st, path);
	b->files++;
	if (st == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		b->duplicates++;
		if (is_duplicate)
			*is_duplicate = true;
	}
	if (++b->in_batch >= INDEX_BUILD_BATCH)
		return index_build_commit(b);
	return TRAWL_OK;
}

trawl_status_t
index_build_commit(index_build_t *b)
{
	notmuch_status_t st;

	if (!b->db || b->failed) {
		index_build_set_error(b, "commit: database already closed or failed");
		return TRAWL_USAGE;
	}
	if (!b->atomic)
		return TRAWL_OK;
	st = notmuch_database_end_atomic(b->db);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, "end_atomic");
	b->atomic = false;
	b->in_batch = 0;
	return TRAWL_OK;
}

trawl_status_t
index_build_close(index_build_t *b)
{
	notmuch_status_t st;
	trawl_status_t ts = TRAWL_OK;

	if (!b->db)
		return b->failed ? TRAWL_DB : TRAWL_OK;
	if (!b->failed)
		ts = index_build_commit(b);
	if (ts != TRAWL_OK || b->failed) {
		/* Destroying without end_atomic discards the failed batch. */
		notmuch_database_destroy(b->db);
		b->db = NULL;
		return ts != TRAWL_OK ? ts : TRAWL_DB;
	}
	st = notmuch_database_close(b->db);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		ts = index_build_fail(b, st, "closing the database");
		notmuch_database_destroy(b->db);
		b->db = NULL;
		return ts;
	}
	st = notmuch_database_destroy(b->db);
	b->db = NULL;
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, "destroying the database handle");
	return TRAWL_OK;
}

unsigned
index_build_files(const index_build_t *b)
{
	return b->files;
}

unsigned
index_build_duplicates(const index_build_t *b)
{
	return b->duplicates;
}

const char *
index_build_last_error(const index_build_t *b)
{
	return b->last_error ? b->last_error : "";
}
