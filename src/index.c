/*
 * index: the only caller of libnotmuch.  See include/trawl/index.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <notmuch.h>

#include "trawl/index.h"

struct index {
	notmuch_database_t *db; /* read-only browsing handle */
	char *db_path;
	char *config_path;
	char *last_error;
};

static int
index_destructor(index_t *idx)
{
	if (idx->db)
		notmuch_database_destroy(idx->db);
	idx->db = NULL;
	return 0;
}

static void
index_set_error(index_t *idx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
index_set_error(index_t *idx, const char *fmt, ...)
{
	va_list ap;

	talloc_free(idx->last_error);
	va_start(ap, fmt);
	idx->last_error = talloc_vasprintf(idx, fmt, ap);
	va_end(ap);
}

/* Turns a notmuch status (and its malloc'd message) into ours. */
static trawl_status_t
index_status(notmuch_status_t st)
{
	switch (st) {
	case NOTMUCH_STATUS_SUCCESS:
		return TRAWL_OK;
	case NOTMUCH_STATUS_OUT_OF_MEMORY:
		return TRAWL_NOMEM;
	case NOTMUCH_STATUS_READ_ONLY_DATABASE:
		return TRAWL_READ_ONLY;
	case NOTMUCH_STATUS_BAD_QUERY_SYNTAX:
		return TRAWL_QUERY;
	case NOTMUCH_STATUS_NO_CONFIG:
	case NOTMUCH_STATUS_NO_DATABASE:
		return TRAWL_NO_DATABASE;
	case NOTMUCH_STATUS_FILE_ERROR:
		return TRAWL_IO;
	default:
		return TRAWL_DB;
	}
}

/* Strips the trailing newline notmuch puts on its messages. */
static char *
index_chomp(TALLOC_CTX *ctx, const char *msg)
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

trawl_status_t
index_open(TALLOC_CTX *ctx, const char *db_path, const char *config_path, index_t **out,
	   char **error)
{
	index_t *idx;
	notmuch_status_t st;
	char *msg = NULL;
	const char *path;

	*out = NULL;
	*error = NULL;
	idx = talloc_zero(ctx, index_t);
	if (!idx)
		return TRAWL_NOMEM;
	talloc_set_destructor(idx, index_destructor);

	st = notmuch_database_open_with_config(db_path, NOTMUCH_DATABASE_MODE_READ_ONLY,
					       config_path, NULL, &idx->db, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		const char *where = db_path ? db_path
				    : config_path ? config_path
				    : getenv("NOTMUCH_CONFIG") ? getenv("NOTMUCH_CONFIG")
							      : "the default notmuch config";
		char *detail = index_chomp(ctx, msg ? msg : notmuch_status_to_string(st));

		*error = talloc_asprintf(ctx, "%s: cannot open notmuch database: %s", where,
					 detail);
		free(msg);
		talloc_free(idx);
		return index_status(st);
	}
	free(msg);
	path = notmuch_database_get_path(idx->db);
	idx->db_path = talloc_strdup(idx, path ? path : "");
	path = notmuch_config_path(idx->db);
	idx->config_path = talloc_strdup(idx, path ? path : "");
	idx->last_error = talloc_strdup(idx, "");
	*out = idx;
	return TRAWL_OK;
}

trawl_status_t
index_reopen(index_t *idx)
{
	notmuch_status_t st = notmuch_database_reopen(idx->db, NOTMUCH_DATABASE_MODE_READ_ONLY);

	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_set_error(idx, "reopening %s: %s", idx->db_path,
				notmuch_status_to_string(st));
		return index_status(st);
	}
	return TRAWL_OK;
}

const char *
index_db_path(const index_t *idx)
{
	return idx->db_path;
}

const char *
index_config_path(const index_t *idx)
{
	return idx->config_path;
}

const char *
index_last_error(const index_t *idx)
{
	return idx->last_error;
}

/* Creates a query honouring the configured excluded tags, as notmuch search does. */
static trawl_status_t
index_query(index_t *idx, const char *query, notmuch_query_t **out)
{
	notmuch_status_t st;
	notmuch_config_values_t *ex;

	st = notmuch_query_create_with_syntax(idx->db, query && *query ? query : "*",
					      NOTMUCH_QUERY_SYNTAX_XAPIAN, out);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_set_error(idx, "query '%s': %s", query, notmuch_status_to_string(st));
		return index_status(st);
	}
	for (ex = notmuch_config_get_values(idx->db, NOTMUCH_CONFIG_EXCLUDE_TAGS);
	     ex && notmuch_config_values_valid(ex); notmuch_config_values_move_to_next(ex))
		notmuch_query_add_tag_exclude(*out, notmuch_config_values_get(ex));
	if (ex)
		notmuch_config_values_destroy(ex);
	notmuch_query_set_omit_excluded(*out, NOTMUCH_EXCLUDE_TRUE);
	return TRAWL_OK;
}

trawl_status_t
index_check_query(index_t *idx, const char *query)
{
	unsigned n;

	/* Xapian reports syntax errors only when the query runs. */
	return index_count_messages(idx, query, &n);
}

static trawl_status_t
index_count(index_t *idx, const char *query, unsigned *count, int threads)
{
	notmuch_query_t *q;
	notmuch_status_t st;
	trawl_status_t ts;

	*count = 0;
	ts = index_query(idx, query, &q);
	if (ts != TRAWL_OK)
		return ts;
	st = threads ? notmuch_query_count_threads(q, count)
		     : notmuch_query_count_messages(q, count);
	notmuch_query_destroy(q);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_set_error(idx, "query '%s': %s", query, notmuch_status_to_string(st));
		return index_status(st);
	}
	return TRAWL_OK;
}

trawl_status_t
index_count_messages(index_t *idx, const char *query, unsigned *count)
{
	return index_count(idx, query, count, 0);
}

trawl_status_t
index_count_threads(index_t *idx, const char *query, unsigned *count)
{
	return index_count(idx, query, count, 1);
}

/* Joins an iterator of tags with single spaces. */
static char *
index_join_tags(TALLOC_CTX *ctx, notmuch_tags_t *tags)
{
	char *s = talloc_strdup(ctx, "");

	for (; s && notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags))
		s = talloc_asprintf_append_buffer(s, "%s%s", *s ? " " : "",
						  notmuch_tags_get(tags));
	notmuch_tags_destroy(tags);
	return s;
}

static trawl_status_t
index_copy_thread(TALLOC_CTX *ctx, notmuch_thread_t *t, struct index_thread *row)
{
	const char *s;

	memset(row, 0, sizeof(*row));
	row->thread_id = talloc_strdup(ctx, notmuch_thread_get_thread_id(t));
	s = notmuch_thread_get_authors(t);
	row->authors = talloc_strdup(ctx, s ? s : "");
	s = notmuch_thread_get_subject(t);
	row->subject = talloc_strdup(ctx, s ? s : "");
	row->tags = index_join_tags(ctx, notmuch_thread_get_tags(t));
	row->newest = notmuch_thread_get_newest_date(t);
	row->oldest = notmuch_thread_get_oldest_date(t);
	row->matched = notmuch_thread_get_matched_messages(t);
	row->total = notmuch_thread_get_total_messages(t);
	row->unreviewed = -1;
	if (!row->thread_id || !row->authors || !row->subject || !row->tags)
		return TRAWL_NOMEM;
	return TRAWL_OK;
}

trawl_status_t
index_threads(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
	      size_t offset, size_t limit, struct index_thread **out, size_t *n)
{
	notmuch_query_t *q;
	notmuch_threads_t *threads = NULL;
	notmuch_status_t st;
	trawl_status_t ts;
	struct index_thread *rows;
	size_t i = 0, skipped = 0;

	*out = NULL;
	*n = 0;
	ts = index_query(idx, query, &q);
	if (ts != TRAWL_OK)
		return ts;
	notmuch_query_set_sort(q, sort == INDEX_SORT_OLDEST_FIRST ? NOTMUCH_SORT_OLDEST_FIRST
								   : NOTMUCH_SORT_NEWEST_FIRST);
	st = notmuch_query_search_threads(q, &threads);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_set_error(idx, "query '%s': %s", query, notmuch_status_to_string(st));
		notmuch_query_destroy(q);
		return index_status(st);
	}
	rows = talloc_zero_array(ctx, struct index_thread, limit ? limit : 1);
	if (!rows) {
		notmuch_query_destroy(q);
		return TRAWL_NOMEM;
	}
	for (; notmuch_threads_valid(threads) && i < limit; notmuch_threads_move_to_next(threads)) {
		notmuch_thread_t *t;

		if (skipped < offset) {
			skipped++;
			continue;
		}
		t = notmuch_threads_get(threads);
		if (!t)
			break;
		ts = index_copy_thread(rows, t, &rows[i]);
		notmuch_thread_destroy(t);
		if (ts != TRAWL_OK) {
			notmuch_query_destroy(q);
			talloc_free(rows);
			return ts;
		}
		i++;
	}
	notmuch_query_destroy(q);
	*out = rows;
	*n = i;
	return TRAWL_OK;
}

static int
index_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

trawl_status_t
index_all_tags(index_t *idx, TALLOC_CTX *ctx, char ***out, size_t *n)
{
	notmuch_tags_t *tags = notmuch_database_get_all_tags(idx->db);
	char **v = NULL;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	if (!tags) {
		index_set_error(idx, "cannot list tags of %s", idx->db_path);
		return TRAWL_DB;
	}
	for (; notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags)) {
		v = talloc_realloc(ctx, v, char *, len + 1);
		if (!v || !(v[len] = talloc_strdup(v, notmuch_tags_get(tags)))) {
			notmuch_tags_destroy(tags);
			return TRAWL_NOMEM;
		}
		len++;
	}
	notmuch_tags_destroy(tags);
	if (len)
		qsort(v, len, sizeof(*v), index_strcmp);
	*out = v;
	*n = len;
	return TRAWL_OK;
}
