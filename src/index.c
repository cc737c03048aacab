/*
 * index: the only caller of libnotmuch.  See include/trawl/index.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <notmuch.h>

#include "trawl/index.h"
#include "trawl/note.h"
#include "index-int.h"

struct index {
	notmuch_database_t *db; /* read-only browsing handle */
	char *db_path;
	char *mail_root;        /* database.mail_root: derived files lie under it */
	char *config_path;
	char *last_error;
	char *reviewed_tag;
	char *version_path;     /* Xapian's version file, replaced by every commit; NULL if unknown */
	struct stat version;    /* ... as it was when db was opened */
	int have_version;
	struct stat config;     /* the config file (saved searches live there too) when db was opened */
	int have_config;
	int xapian_fd;          /* O_PATH of the Xapian directory the handle opened, or -1 */
	unsigned open_cursors;  /* cursors hold notmuch objects of db: no reopening meanwhile */
	int child;              /* opened by index_open_like(): a background child's handle */
};

struct index_cursor {
	index_t *idx;
	notmuch_query_t *query; /* owns the threads iterator */
	notmuch_threads_t *threads;
};

static int
index_destructor(index_t *idx)
{
	if (idx->db)
		notmuch_database_destroy(idx->db);
	idx->db = NULL;
	if (idx->xapian_fd >= 0)
		close(idx->xapian_fd);
	idx->xapian_fd = -1;
	return 0;
}

/*
 * Holds the Xapian directory the handle reads (O_PATH: no access to it,
 * just the name the kernel keeps up to date), so that index_gone() can
 * tell where the database went.
 */
static void
index_hold_dir(index_t *idx)
{
	char *dir;

	if (idx->xapian_fd >= 0)
		close(idx->xapian_fd);
	idx->xapian_fd = -1;
	if (!idx->version_path)
		return;
	dir = talloc_strndup(NULL, idx->version_path,
			     (size_t)(strrchr(idx->version_path, '/') - idx->version_path));
	if (dir)
		idx->xapian_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	talloc_free(dir);
}

int
index_gone(const index_t *idx, TALLOC_CTX *ctx, char **now)
{
	static const char suffix[] = "/.notmuch/xapian";
	char link[64], where[PATH_MAX];
	struct stat st;
	ssize_t len;

	*now = NULL;
	if (!idx->version_path || stat(idx->version_path, &st) == 0 || errno != ENOENT)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", idx->xapian_fd);
	len = idx->xapian_fd >= 0 ? readlink(link, where, sizeof(where) - 1) : -1;
	if (len > 0) {
		size_t n = (size_t)len, s = sizeof(suffix) - 1;

		where[n] = '\0';
		/* A directory deleted is named "... (deleted)"; one moved, by its new name. */
		if (where[0] == '/' && !strstr(where, " (deleted)") && n > s &&
		    !strcmp(where + n - s, suffix) && stat(where, &st) == 0)
			*now = talloc_strndup(ctx, where, n - s);
		if (*now && !strcmp(*now, idx->db_path))
			TALLOC_FREE(*now); /* still there, its version file not (yet): being replaced */
	}
	return 1;
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

/*
 * Records the failure of a libnotmuch call: what failed (printf style),
 * the status, and libnotmuch's own detail for the statuses whose detail it
 * logs just then (Xapian's exception text, a query's syntax error), never
 * a bare "A Xapian exception occurred".  Returns our status.
 */
static trawl_status_t
index_fail(index_t *idx, notmuch_status_t st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static trawl_status_t
index_fail(index_t *idx, notmuch_status_t st, const char *fmt, ...)
{
	const char *detail = NULL;
	char *what, *d = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = talloc_vasprintf(NULL, fmt, ap);
	va_end(ap);
	if ((st == NOTMUCH_STATUS_XAPIAN_EXCEPTION || st == NOTMUCH_STATUS_BAD_QUERY_SYNTAX) &&
	    idx->db)
		detail = notmuch_database_status_string(idx->db);
	if (detail && *detail)
		d = index_chomp(what, detail);
	index_set_error(idx, "%s: %s", what ? what : "reading the database",
			d && *d ? d : notmuch_status_to_string(st));
	talloc_free(what);
	return index_status(st);
}

trawl_status_t
index_status(notmuch_status_t st)
{
	switch (st) {
	case NOTMUCH_STATUS_SUCCESS:
	case NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID: /* indexed already: nothing lost */
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
	case NOTMUCH_STATUS_PATH_ERROR:
		return TRAWL_IO;
	case NOTMUCH_STATUS_FILE_NOT_EMAIL:
		return TRAWL_PARSE;
	case NOTMUCH_STATUS_DATABASE_EXISTS:
		return TRAWL_EXISTS;
	default:
		return TRAWL_DB;
	}
}

char *
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

/*
 * Xapian's version file of the database: every commit replaces it (a new
 * file renamed over the old), so a stat tells whether the handle still
 * sees the newest commit.  notmuch's layouts: PATH/.notmuch/xapian,
 * PATH/xapian, and the XDG data directory of a split configuration.
 */
static void
index_version_find(index_t *idx)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	const char *profile = getenv("NOTMUCH_PROFILE");
	char *cand[3];

	cand[0] = talloc_asprintf(idx, "%s/.notmuch/xapian/iamglass", idx->db_path);
	cand[1] = talloc_asprintf(idx, "%s/xapian/iamglass", idx->db_path);
	if (data && *data == '/')
		cand[2] = talloc_asprintf(idx, "%s/notmuch/%s/xapian/iamglass", data,
					  profile && *profile ? profile : "default");
	else
		cand[2] = talloc_asprintf(idx, "%s/.local/share/notmuch/%s/xapian/iamglass",
					  home ? home : "", profile && *profile ? profile : "default");
	for (int i = 0; i < 3; i++) {
		if (!idx->version_path && cand[i] && stat(cand[i], &idx->version) == 0) {
			idx->version_path = cand[i];
			idx->have_version = 1;
		} else {
			talloc_free(cand[i]);
		}
	}
}

/* Whether the version file differs from the one the handle was opened after. */
static int
index_stat_moved(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/*
 * Whether a commit replaced Xapian's version file, or someone rewrote the
 * config file (notmuch config set query.NAME writes saved searches there),
 * since the handle opened.
 */
static int
index_version_moved(const index_t *idx)
{
	struct stat st;
	int have_config = idx->config_path && *idx->config_path && stat(idx->config_path, &st) == 0;

	if (have_config != idx->have_config || (have_config && index_stat_moved(&st, &idx->config)))
		return 1;
	if (!idx->version_path || stat(idx->version_path, &st) != 0)
		return 0;
	return !idx->have_version || index_stat_moved(&st, &idx->version);
}

/* Remembers the config file as the handle about to open reads it. */
static void
index_config_seen(index_t *idx)
{
	idx->have_config = idx->config_path && *idx->config_path &&
			   stat(idx->config_path, &idx->config) == 0;
}

trawl_status_t
index_open_case(TALLOC_CTX *ctx, const char *cache, index_t **out, char **error)
{
	const char *env = getenv("NOTMUCH_CONFIG");
	char *config = NULL;
	struct stat st;

	*out = NULL;
	*error = NULL;
	if (cache) {
		config = talloc_asprintf(ctx, "%s/notmuch-config", cache);
		if (!config)
			return TRAWL_NOMEM;
		if (stat(config, &st) != 0) {
			*error = talloc_asprintf(ctx, "%s: not a trawl cache (no notmuch-config): %s",
						 cache, strerror(errno));
			talloc_free(config);
			return TRAWL_USAGE;
		}
	} else if (env && *env && stat(env, &st) != 0) {
		/* libnotmuch quietly falls back to defaults when the named file is missing. */
		*error = talloc_asprintf(ctx, "%s: cannot read the notmuch config (NOTMUCH_CONFIG): %s",
					 env, strerror(errno));
		return TRAWL_USAGE;
	}
	return index_open(ctx, NULL, config, out, error);
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
	idx->xapian_fd = -1;
	talloc_set_destructor(idx, index_destructor);

	st = notmuch_database_open_with_config(db_path, NOTMUCH_DATABASE_MODE_READ_ONLY,
					       config_path, NULL, &idx->db, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		const char *where = db_path ? db_path
				    : config_path ? config_path
				    : getenv("NOTMUCH_CONFIG") ? getenv("NOTMUCH_CONFIG")
							      : "the default notmuch config";
		char *detail = index_chomp(NULL, msg ? msg : notmuch_status_to_string(st));

		*error = talloc_asprintf(ctx, "%s: cannot open notmuch database: %s", where,
					 detail);
		talloc_free(detail);
		free(msg);
		talloc_free(idx);
		return index_status(st);
	}
	free(msg);
	path = notmuch_database_get_path(idx->db);
	idx->db_path = talloc_strdup(idx, path ? path : "");
	path = notmuch_config_get(idx->db, NOTMUCH_CONFIG_MAIL_ROOT);
	idx->mail_root = talloc_strdup(idx, path && *path ? path : idx->db_path);
	path = notmuch_config_path(idx->db);
	idx->config_path = talloc_strdup(idx, path ? path : "");
	idx->last_error = talloc_strdup(idx, "");
	idx->reviewed_tag = talloc_strdup(idx, "reviewed");
	index_version_find(idx);
	index_config_seen(idx);
	index_hold_dir(idx);
	*out = idx;
	return TRAWL_OK;
}

trawl_status_t
index_open_like(TALLOC_CTX *ctx, const index_t *idx, index_t **out, char **error)
{
	trawl_status_t ts = index_open(ctx, idx->db_path, idx->config_path, out, error);

	if (ts == TRAWL_OK) {
		index_set_reviewed_tag(*out, idx->reviewed_tag);
		(*out)->child = 1;
	}
	return ts;
}

char *
index_quote_term(TALLOC_CTX *ctx, const char *prefix, const char *value)
{
	static const char *const regex_prefixes[] = {"tag", "is", "mid", "path", "folder"};
	char *s = talloc_asprintf(ctx, "%s:\"", prefix), *re = NULL;

	size_t len = strlen(value);

	/*
	 * For these prefixes notmuch reads a value starting with '/' as a
	 * regex (and one without its closing '/' as an error), and drops a
	 * '/' at the end of another: such a value is written as the regex
	 * that matches exactly it.
	 */
	for (size_t i = 0; len && (value[0] == '/' || value[len - 1] == '/') &&
			   i < sizeof(regex_prefixes) / sizeof(regex_prefixes[0]);
	     i++) {
		if (strcmp(prefix, regex_prefixes[i]) != 0)
			continue;
		re = talloc_strdup(NULL, "/^");
		for (const char *p = value; re && *p; p++)
			re = talloc_asprintf_append_buffer(re, "%s%c",
							   strchr(".[]()*+?{}|^$\\", *p) ? "\\" : "",
							   *p);
		re = re ? talloc_strdup_append_buffer(re, "$/") : NULL;
		if (!re)
			TALLOC_FREE(s);
		value = re;
		break;
	}
	for (const char *p = value; s && *p; p++)
		s = *p == '"' ? talloc_strdup_append_buffer(s, "\"\"")
			      : talloc_strndup_append_buffer(s, p, 1);
	s = s ? talloc_strdup_append_buffer(s, "\"") : NULL;
	talloc_free(re);
	return s;
}

int
index_is_all(const char *q)
{
	while (q && *q == ' ')
		q++;
	return !q || !*q || strcmp(q, "*") == 0;
}

/* The length of the double quote Xapian sees at p ('"', U+201C or U+201D), else 0. */
static size_t
index_double_quote(const char *p)
{
	if (*p == '"')
		return 1;
	if (!strncmp(p, "\xe2\x80\x9c", 3) || !strncmp(p, "\xe2\x80\x9d", 3))
		return 3;
	return 0;
}

/* notmuch's boolean prefixes: their value runs to a blank or ')', quotes and all. */
static int
index_boolean_prefix(const char *p, size_t n)
{
	static const char *const names[] = {"tag",    "is",   "id",   "mid",	 "thread",
					    "path",   "folder", "property", "query", "date",
					    "lastmod"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(p, names[i], n))
			return 1;
	return 0;
}

char *
index_query_balance(TALLOC_CTX *ctx, const char *q)
{
	size_t open = 0, stray = 0, n;
	const char *p = q, *close = "";
	char *s;

	/*
	 * A walk with Xapian's lexer's eyes: blanks, parentheses, phrases
	 * in double quotes, and terms; a boolean prefix's value ("tag:x")
	 * runs to a blank, a control character or ')', or is quoted, with
	 * "" for a quote in it.
	 */
	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '(') {
			open++;
			p++;
		} else if (*p == ')') {
			open > 0 ? open-- : stray++;
			p++;
		} else if ((n = index_double_quote(p))) {
			/* A phrase, to the next quote. */
			for (p += n; *p && !index_double_quote(p); p++)
				;
			if (!*p)
				close = "\"";
			else
				p += index_double_quote(p);
		} else {
			const char *w = p;

			while (isalnum((unsigned char)*p) || *p == '_' || *p == '-')
				p++;
			if (*p == ':' && index_boolean_prefix(w, (size_t)(p - w)) && p[1] &&
			    !isspace((unsigned char)p[1])) {
				p++;
				if ((n = index_double_quote(p))) {
					for (p += n; *p; p++) {
						if ((n = index_double_quote(p)) &&
						    index_double_quote(p + n))
							p += n + index_double_quote(p + n) - 1;
						else if (n)
							break;
					}
					if (!*p)
						close = "\"";
					else
						p += index_double_quote(p);
				} else {
					while ((unsigned char)*p > ' ' && *p != ')')
						p++;
				}
			} else {
				/* Free text (or another prefix): to a blank, bracket or quote. */
				while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ')' &&
				       !index_double_quote(p))
					p++;
			}
		}
	}
	n = strlen(q);
	s = talloc_array(ctx, char, stray + n + strlen(close) + open + 1);
	if (!s)
		return NULL;
	memset(s, '(', stray);
	memcpy(s + stray, q, n);
	strcpy(s + stray + n, close);
	n = stray + n + strlen(close);
	memset(s + n, ')', open);
	s[n + open] = '\0';
	return s;
}

/*
 * Whether q holds no term: no letter, digit or other character a word is
 * made of.  Alone, such a query matches nothing; in "(a) and (b)" Xapian
 * drops it and the whole matches what b matches.
 */
static int
index_query_termless(const char *q)
{
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (isalnum(*p) || *p == '_' || *p >= 0x80)
			return 0;
	return 1;
}

char *
index_query_and(TALLOC_CTX *ctx, const char *a, const char *b)
{
	TALLOC_CTX *tmp;
	char *q;

	if (index_is_all(a) && index_is_all(b))
		return talloc_strdup(ctx, "*");
	if (index_is_all(a))
		return index_query_balance(ctx, b);
	if (index_is_all(b) || index_query_termless(a))
		return index_query_balance(ctx, a);
	if (index_query_termless(b))
		return index_query_balance(ctx, b);
	tmp = talloc_new(NULL);
	a = index_query_balance(tmp, a);
	b = index_query_balance(tmp, b);
	q = a && b ? talloc_asprintf(ctx, "(%s) and (%s)", a, b) : NULL;
	talloc_free(tmp);
	return q;
}

trawl_status_t
index_reopen(index_t *idx)
{
	notmuch_database_t *db = NULL;
	char *msg = NULL;
	notmuch_status_t st;
	struct stat before;
	int have = 0;

	/* A cursor's query and threads are notmuch objects of the handle. */
	if (idx->open_cursors) {
		index_set_error(idx, "reopening %s: a list is being read", idx->db_path);
		return TRAWL_DB;
	}
	/* Before the opening: a commit in between leaves the file moved, so we reopen again. */
	if (idx->version_path && stat(idx->version_path, &before) == 0)
		have = 1;
	index_config_seen(idx);
	/*
	 * A new handle rather than notmuch_database_reopen(): the config
	 * (saved searches among it) is cached when a handle opens.
	 */
	st = notmuch_database_open_with_config(idx->db_path, NOTMUCH_DATABASE_MODE_READ_ONLY,
					       idx->config_path, NULL, &db, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_set_error(idx, "reopening %s: %s", idx->db_path,
				msg ? msg : notmuch_status_to_string(st));
		free(msg);
		return index_status(st);
	}
	free(msg);
	notmuch_database_destroy(idx->db);
	idx->db = db;
	idx->have_version = have;
	if (have)
		idx->version = before;
	index_hold_dir(idx); /* a replaced database is another directory */
	return TRAWL_OK;
}

trawl_status_t
index_refresh(index_t *idx, int *reopened)
{
	trawl_status_t ts = TRAWL_OK;

	if (reopened)
		*reopened = 0;
	if (!idx->open_cursors && index_version_moved(idx)) {
		ts = index_reopen(idx);
		if (ts == TRAWL_OK && reopened)
			*reopened = 1;
	}
	return ts;
}

unsigned long
index_revision(const index_t *idx, const char **uuid)
{
	const char *u = NULL;
	unsigned long rev = notmuch_database_get_revision(idx->db, &u);

	if (uuid)
		*uuid = u ? u : "";
	return rev;
}

/*
 * After a read failed with a database error: reopens the handle when no
 * cursor holds on to it; 1 when the read may be tried again.
 */
static int
index_recover(index_t *idx)
{
	char *why = talloc_strdup(NULL, idx->last_error);
	int ok = !idx->open_cursors && index_reopen(idx) == TRAWL_OK;

	/* The first failure's detail, should the second fail too. */
	if (!ok && why)
		index_set_error(idx, "%s", why);
	talloc_free(why);
	return ok;
}

#define INDEX_READ(idx, call)                                        \
	({                                                           \
		trawl_status_t ts_;                                  \
		index_refresh((idx), NULL);                          \
		ts_ = (call);                                        \
		if (ts_ == TRAWL_DB && index_recover(idx))           \
			ts_ = (call);                                \
		ts_;                                                 \
	})

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

#define INDEX_MAX_QUERY_NESTING 32

/* The value of saved search name, or NULL. */
static const char *
index_named_query(index_t *idx, const char *name, TALLOC_CTX *ctx)
{
	char *key = talloc_asprintf(ctx, "query.%s", name);
	const char *v;
	notmuch_config_values_t *vals;

	if (!key)
		return NULL;
	vals = notmuch_config_get_values_string(idx->db, key);
	if (!vals || !notmuch_config_values_valid(vals)) {
		if (vals)
			notmuch_config_values_destroy(vals);
		return NULL;
	}
	v = talloc_strdup(ctx, notmuch_config_values_get(vals));
	notmuch_config_values_destroy(vals);
	return v;
}

/*
 * The name of the next query:NAME reference in *p (quoted or not), moving
 * *p past it; NULL when there is none.  An empty name is "".
 */
static char *
index_next_reference(const char **p, TALLOC_CTX *ctx)
{
	const char *q;
	char *name;
	size_t n;

	for (q = strstr(*p, "query:"); q; q = strstr(q + 1, "query:"))
		if (q == *p || !(isalnum((unsigned char)q[-1]) || q[-1] == '_'))
			break; /* not part of a longer word */
	if (!q)
		return NULL;
	q += 6;
	/*
	 * The next search starts inside this name: a name that is not one
	 * to Xapian (a "query:" or a bracket in it) may hold a reference
	 * that is.  Seeing one too many costs a look-up; one too few, a crash.
	 */
	*p = q;
	if ((n = index_double_quote(q))) {
		/*
		 * Quoted as Xapian 1.4 reads a boolean term: an ASCII '"' ends
		 * it unless another follows ("" is one in the name); a curly
		 * quote ends it only when it opened with a curly one.
		 */
		int fancy = *q != '"';

		name = talloc_strdup(ctx, "");
		for (q += n; *q && name; q++) {
			if (*q == '"') {
				if (q[1] != '"')
					break;
				name = talloc_strndup_append(name, q, 1);
				q++;
			} else if (fancy && (n = index_double_quote(q))) {
				break;
			} else {
				name = talloc_strndup_append(name, q, 1);
			}
		}
	} else {
		/* As Xapian reads a boolean term: to a blank or control character, or ')'. */
		const char *e = q;

		while ((unsigned char)*e > ' ' && *e != ')')
			e++;
		name = talloc_strndup(ctx, q, (size_t)(e - q));
	}
	return name ? name : talloc_strdup(ctx, "");
}

static int index_empty_thread_term(const char *query);

/*
 * libnotmuch 0.37 recurses without end (and crashes) on saved searches
 * that refer to each other in a cycle: follow every query:NAME reference
 * first and refuse a cycle with a message naming it.
 */
/*
 * Whether query holds a date range whose value does not parse.  Debian
 * 12's libnotmuch 0.37 with Xapian 1.4 frees a block it never allocated
 * while reporting that error for a signed term: `notmuch count -date:foo`
 * ends in SIGSEGV (found by fuzz-query).  Where the sign may sit is
 * Xapian's business ("+\277date:", "\001+date:", fuzz-query found both),
 * so the sign is not looked for: every date: term that starts a word is
 * parsed alone first, which reports the error safely.  The parse is
 * joined to a term no message has, so that it costs no match.  Quoted
 * text is text (tag:"a:date:b"), unless the quotes do not pair up.
 */
static int
index_bad_date(index_t *idx, const char *query)
{
	int quoted = 0, balanced = 1;

	/* Unbalanced, Xapian parses again without the quotes: all of it then counts. */
	for (const char *q = query; *q; q++)
		balanced ^= *q == '"';
	for (const char *q = query; *q; q++) {
		const char *v = q + 5, *e = v;
		notmuch_query_t *alone = NULL;
		unsigned n;
		char *term;
		int bad;

		/* Inside quotes (a phrase, tag:"a:date:b") it is text. */
		if (*q == '"' && balanced)
			quoted = !quoted;
		if (quoted || strncmp(q, "date:", 5))
			continue;
		/* "update:" and "candidate:" are not dates. */
		if (q > query && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
			continue;
		if (*e == '"')
			for (e++; *e && (*e != '"' || e[1] == '"'); e += *e == '"' ? 2 : 1)
				;
		/* As Xapian reads a range: to a blank or control character, or ')'. */
		while ((unsigned char)*e > ' ' && *e != ')')
			e++;
		term = talloc_asprintf(NULL, "id:trawl-date-check@invalid and date:%.*s",
				       (int)(e - v), v);
		bad = !term ||
		      notmuch_query_create_with_syntax(idx->db, term, NOTMUCH_QUERY_SYNTAX_XAPIAN,
						       &alone) != NOTMUCH_STATUS_SUCCESS ||
		      notmuch_query_count_messages(alone, &n) != NOTMUCH_STATUS_SUCCESS;
		if (alone)
			notmuch_query_destroy(alone);
		talloc_free(term);
		if (bad)
			return 1;
	}
	return 0;
}

static trawl_status_t
index_check_references(index_t *idx, const char *query, const char **chain, int depth,
		       TALLOC_CTX *ctx)
{
	const char *p = query;
	char *name;

	while ((name = index_next_reference(&p, ctx))) {
		const char *v;

		if (!*name)
			continue;
		for (int i = 0; i < depth; i++)
			if (!strcmp(chain[i], name)) {
				char *cycle = talloc_strdup(ctx, "");

				for (int k = i; k < depth; k++)
					cycle = talloc_asprintf_append(cycle, "%s -> ", chain[k]);
				index_set_error(idx, "saved searches refer to each other in a cycle: %s%s",
						cycle, name);
				return TRAWL_QUERY;
			}
		if (depth >= INDEX_MAX_QUERY_NESTING) {
			index_set_error(idx, "saved searches nested deeper than %d",
					INDEX_MAX_QUERY_NESTING);
			return TRAWL_QUERY;
		}
		v = index_named_query(idx, name, ctx);
		if (!v)
			continue; /* notmuch reports unknown names itself */
		if (index_bad_date(idx, v)) {
			index_set_error(idx, "saved search %s: a date range that does not parse", name);
			return TRAWL_QUERY;
		}
		if (index_empty_thread_term(v)) {
			index_set_error(idx, "saved search %s: thread: needs a thread id", name);
			return TRAWL_QUERY;
		}
		chain[depth] = name;
		if (index_check_references(idx, v, chain, depth + 1, ctx) != TRAWL_OK)
			return TRAWL_QUERY;
	}
	return TRAWL_OK;
}

/* Appends query and the saved searches it uses to *acc; 0 when it depends on the clock. */
static int
index_fingerprint_add(index_t *idx, const char *query, int depth, TALLOC_CTX *ctx, char **acc)
{
	const char *p = query;
	char *name;

	/* date:1w.. and date:today move with the clock (any "date" is taken for one). */
	if (strcasestr(query, "date") || depth > INDEX_MAX_QUERY_NESTING)
		return 0;
	*acc = talloc_asprintf_append(*acc, "%s\x1f", query);
	while (*acc && (name = index_next_reference(&p, ctx))) {
		const char *v = *name ? index_named_query(idx, name, ctx) : NULL;

		*acc = talloc_asprintf_append(*acc, "query:%s=", name);
		if (v && !index_fingerprint_add(idx, v, depth + 1, ctx, acc))
			return 0;
	}
	return *acc != NULL;
}

char *
index_query_fingerprint(index_t *idx, TALLOC_CTX *ctx, const char *query)
{
	char *acc = talloc_strdup(ctx, "");
	notmuch_config_values_t *ex;

	if (!acc || !index_fingerprint_add(idx, query && *query ? query : "*", 0, ctx, &acc)) {
		talloc_free(acc);
		return NULL;
	}
	acc = talloc_asprintf_append(acc, "reviewed=%s\x1f" "exclude=", idx->reviewed_tag);
	for (ex = notmuch_config_get_values(idx->db, NOTMUCH_CONFIG_EXCLUDE_TAGS);
	     acc && ex && notmuch_config_values_valid(ex); notmuch_config_values_move_to_next(ex))
		acc = talloc_asprintf_append(acc, "%s\x1f", notmuch_config_values_get(ex));
	if (ex)
		notmuch_config_values_destroy(ex);
	return acc;
}

/*
 * Whether query holds thread:"" (an empty quoted value, or a quote left
 * open at the end): libnotmuch 0.37's thread: processor then reads past
 * the empty string, and the std::out_of_range it throws ends the process.
 */
static int
index_empty_thread_term(const char *query)
{
	for (const char *q = strstr(query, "thread:"); q; q = strstr(q + 1, "thread:")) {
		const char *v = q + 7;
		size_t n = index_double_quote(v), m;

		if ((q != query && (isalnum((unsigned char)q[-1]) || q[-1] == '_')) || !n)
			continue;
		/*
		 * Empty as Xapian 1.4 reads it: an ASCII quote closes at once
		 * unless a second one follows ("""" is a quote); a curly one
		 * opened may also close at a curly one (thread:""“, fuzz-query).
		 */
		m = index_double_quote(v + n);
		if (!v[n] || (v[n] == '"' && v[n + 1] != '"') || (*v != '"' && v[n] != '"' && m))
			return 1;
	}
	return 0;
}

/* Creates a query honouring the configured excluded tags, as notmuch search does. */
static trawl_status_t
index_query(index_t *idx, const char *query, notmuch_query_t **out)
{
	notmuch_status_t st;
	notmuch_config_values_t *ex;

	if (query && index_empty_thread_term(query)) {
		index_set_error(idx, "query '%s': thread: needs a thread id", query);
		return TRAWL_QUERY;
	}
	/* Cycles first: the date check parses part of the query too. */
	if (query && strstr(query, "query:")) {
		TALLOC_CTX *tmp = talloc_new(NULL);
		const char *chain[INDEX_MAX_QUERY_NESTING + 1];
		trawl_status_t ts = index_check_references(idx, query, chain, 0, tmp);

		talloc_free(tmp);
		if (ts != TRAWL_OK)
			return ts;
	}
	if (query && index_bad_date(idx, query)) {
		index_set_error(idx, "query '%s': a date range that does not parse", query);
		return TRAWL_QUERY;
	}

	st = notmuch_query_create_with_syntax(idx->db, query && *query ? query : "*",
					      NOTMUCH_QUERY_SYNTAX_XAPIAN, out);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_fail(idx, st, "query '%s'", query);
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

/*
 * Runs query's message search in notmuch's order sort; on success the
 * caller iterates *msgs and destroys *q (which owns them).
 */
static trawl_status_t
index_search_messages(index_t *idx, const char *query, notmuch_sort_t sort, notmuch_query_t **q,
		      notmuch_messages_t **msgs)
{
	notmuch_status_t st;
	trawl_status_t ts = index_query(idx, query, q);

	if (ts != TRAWL_OK)
		return ts;
	notmuch_query_set_sort(*q, sort);
	st = notmuch_query_search_messages(*q, msgs);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_fail(idx, st, "query '%s'", query);
		notmuch_query_destroy(*q);
		*q = NULL;
		return index_status(st);
	}
	return TRAWL_OK;
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
		index_fail(idx, st, "query '%s'", query);
		return index_status(st);
	}
	return TRAWL_OK;
}

static trawl_status_t
index_count_messages_once(index_t *idx, const char *query, unsigned *count)
{
	return index_count(idx, query, count, 0);
}

/* A thread id as notmuch makes them (16 hex digits), plus one; 0 for any other. */
static uint64_t
index_thread_key(const char *tid)
{
	uint64_t v = 0;

	if (!tid || strlen(tid) != 16)
		return 0;
	for (size_t i = 0; i < 16; i++) {
		char c = tid[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (d < 0)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return v != UINT64_MAX ? v + 1 : 0;
}

/* Adds key (non-zero) to the open-addressed set; 1 when it was new, -1 out of memory. */
static int
index_set_add(TALLOC_CTX *ctx, uint64_t **set, size_t *cap, size_t *n, uint64_t key)
{
	size_t h;

	if (2 * (*n + 1) > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		uint64_t *ns = talloc_zero_array(ctx, uint64_t, ncap);

		if (!ns)
			return -1;
		for (size_t i = 0; i < *cap; i++) {
			if (!(*set)[i])
				continue;
			h = (size_t)(((*set)[i] * 0x9E3779B97F4A7C15ULL) >> 17) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = (*set)[i];
		}
		talloc_free(*set);
		*set = ns;
		*cap = ncap;
	}
	h = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (*cap - 1);
	while ((*set)[h] && (*set)[h] != key)
		h = (h + 1) & (*cap - 1);
	if ((*set)[h])
		return 0;
	(*set)[h] = key;
	(*n)++;
	return 1;
}

/*
 * notmuch_query_count_threads keeps every thread id as a string in a hash
 * table: on a million messages it peaks at 236 MB (19 s).  notmuch's thread
 * ids are 16 hex digits, so a set of numbers does the same in 107 MB (the
 * match itself) and the same time.  Any other id: the library's count.
 */
static trawl_status_t
index_count_threads_once(index_t *idx, const char *query, unsigned *count)
{
	TALLOC_CTX *tmp;
	notmuch_query_t *q;
	notmuch_messages_t *msgs;
	trawl_status_t ts;
	uint64_t *set = NULL;
	size_t cap = 0, n = 0;
	int other = 0;

	*count = 0;
	ts = index_search_messages(idx, query, NOTMUCH_SORT_UNSORTED, &q, &msgs);
	if (ts != TRAWL_OK)
		return ts;
	tmp = talloc_new(NULL);
	if (!tmp)
		ts = TRAWL_NOMEM;
	for (; !other && ts == TRAWL_OK && notmuch_messages_valid(msgs);
	     notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		uint64_t key = m ? index_thread_key(notmuch_message_get_thread_id(m)) : 0;

		if (!key)
			other = 1;
		else if (index_set_add(tmp, &set, &cap, &n, key) < 0)
			ts = TRAWL_NOMEM;
		if (m)
			notmuch_message_destroy(m);
	}
	notmuch_query_destroy(q);
	talloc_free(tmp);
	if (other)
		return index_count(idx, query, count, 1);
	if (ts == TRAWL_OK)
		*count = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	return ts;
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

/* The note of m (note.h): its pieces joined; "" when none, NULL on out-of-memory. */
static char *
index_get_note(TALLOC_CTX *ctx, notmuch_message_t *m)
{
	notmuch_message_properties_t *props = notmuch_message_get_properties(m, NOTE_KEY, FALSE);
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **keys = NULL, **values = NULL, *note;
	size_t n = 0, cap = 0;
	int bad = !tmp;

	for (; !bad && props && notmuch_message_properties_valid(props);
	     notmuch_message_properties_move_to_next(props)) {
		const char *key = notmuch_message_properties_key(props);

		if (note_key_piece(key) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			keys = talloc_realloc(tmp, keys, char *, cap);
			values = talloc_realloc(tmp, values, char *, cap);
			bad = !keys || !values;
			if (bad)
				break;
		}
		keys[n] = talloc_strdup(tmp, key);
		values[n] = talloc_strdup(tmp, notmuch_message_properties_value(props));
		bad = !keys[n] || !values[n];
		n++;
	}
	if (props)
		notmuch_message_properties_destroy(props);
	note = bad ? NULL
		   : note_join(ctx, (const char *const *)keys, (const char *const *)values, n);
	talloc_free(tmp);
	return note;
}

static int
index_message_has_tag(notmuch_message_t *m, const char *tag)
{
	notmuch_tags_t *tags = notmuch_message_get_tags(m);
	int found = 0;

	for (; !found && tags && notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags))
		found = strcmp(notmuch_tags_get(tags), tag) == 0;
	if (tags)
		notmuch_tags_destroy(tags);
	return found;
}

/* Counts the messages of t without the reviewed tag. */
static int
index_thread_unreviewed(notmuch_thread_t *t, const char *reviewed)
{
	notmuch_messages_t *msgs = notmuch_thread_get_messages(t);
	int n = 0;

	for (; msgs && notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);

		n += !index_message_has_tag(m, reviewed);
		notmuch_message_destroy(m);
	}
	if (msgs)
		notmuch_messages_destroy(msgs);
	return n;
}

/* The text between b and e without blanks and quotes around it. */
static char *
index_trimmed(TALLOC_CTX *ctx, const char *b, const char *e)
{
	while (b < e && strchr(" \t\"'", *b))
		b++;
	while (e > b && strchr(" \t\"'", e[-1]))
		e--;
	return talloc_strndup(ctx, b, (size_t)(e - b));
}

/*
 * The name to show for a From header value: the display name of
 * "Name <addr>", the comment of "addr (Name)" (mailman archives write
 * "alice at example.org (Alice)", which notmuch finds no author in),
 * else the address itself.  "" when from is empty.
 */
static char *
index_from_name(TALLOC_CTX *ctx, const char *from)
{
	const char *lt = strchr(from, '<'), *open = strchr(from, '(');
	const char *close = open ? strrchr(open, ')') : NULL;
	char *name = NULL;

	if (lt && lt > from)
		name = index_trimmed(ctx, from, lt);
	if ((!name || !*name) && close) {
		talloc_free(name);
		name = index_trimmed(ctx, open + 1, close);
	}
	if (name && *name)
		return name;
	talloc_free(name);
	if (lt)
		return index_trimmed(ctx, lt + 1, strchr(lt, '>') ? strchr(lt, '>') : lt + strlen(lt));
	return index_trimmed(ctx, from, open ? open : from + strlen(from));
}

/*
 * Authors as notmuch lists them ("matched, ... | unmatched, ..."), made
 * from the From headers when notmuch has none for the thread: it parses
 * authors from addresses, and finds none in "alice at example.org
 * (Alice)"; the list must not show an empty column for such a thread.
 */
static char *
index_authors_from_headers(TALLOC_CTX *ctx, notmuch_thread_t *t)
{
	notmuch_messages_t *msgs = notmuch_thread_get_messages(t);
	char *matched = talloc_strdup(ctx, ""), *others = talloc_strdup(ctx, ""), *out;

	for (; msgs && matched && others && notmuch_messages_valid(msgs);
	     notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		const char *from = notmuch_message_get_header(m, "from");
		notmuch_bool_t is_match = FALSE;
		char *name = index_from_name(ctx, from ? from : "");
		char **list;

		if (notmuch_message_get_flag_st(m, NOTMUCH_MESSAGE_FLAG_MATCH, &is_match) !=
		    NOTMUCH_STATUS_SUCCESS)
			is_match = FALSE;
		list = is_match ? &matched : &others;
		/* Each name once, as notmuch does. */
		if (name && *name) {
			char *pat = talloc_asprintf(ctx, ", %s, ", name), *in;

			in = talloc_asprintf(ctx, ", %s, %s, ", matched, others);
			if (pat && in && !strstr(in, pat))
				*list = talloc_asprintf_append(*list, "%s%s", **list ? ", " : "", name);
			talloc_free(pat);
			talloc_free(in);
		}
		talloc_free(name);
		/* The thread owns its messages: they are not destroyed one by one. */
	}
	if (msgs)
		notmuch_messages_destroy(msgs);
	if (!matched || !others)
		return NULL;
	out = *others ? talloc_asprintf(ctx, "%s| %s", matched, others) : talloc_strdup(ctx, matched);
	talloc_free(matched);
	talloc_free(others);
	return out;
}

/*
 * notmuch_threads_get(), or NULL when building the thread failed.
 * libnotmuch 0.37's _notmuch_thread_create() frees the thread it was
 * building when its message search fails (another process committed:
 * Xapian's DatabaseModifiedError) and returns the freed pointer all the
 * same; the only sign is the error it logged.  So a thread is used only
 * if nothing was logged while it was built (the stress test's loader read
 * a freed thread id under ASan).  A background child then ends as
 * libnotmuch itself ends it in the same race (abort), which its parent
 * already handles (the loader resumes after the rows it has); the UI's
 * own handle gets NULL, which the caller treats as a read error.
 */
static notmuch_thread_t *
index_threads_get(index_t *idx, notmuch_threads_t *threads)
{
	const char *before = notmuch_database_status_string(idx->db), *after;
	/* A new message may reuse the old one's block: its text is compared too. */
	char *was = before ? talloc_strdup(NULL, before) : NULL;
	notmuch_thread_t *t = notmuch_threads_get(threads);
	int logged;

	after = notmuch_database_status_string(idx->db);
	logged = after != before || (after && (!was || strcmp(after, was) != 0));
	talloc_free(was);
	if (t && logged) {
		/* Possibly freed: not touched, not destroyed. */
		if (idx->child)
			abort();
		return NULL;
	}
	return t;
}

static trawl_status_t
index_copy_thread(TALLOC_CTX *ctx, notmuch_thread_t *t, const char *reviewed,
		  struct index_thread *row)
{
	const char *s;

	memset(row, 0, sizeof(*row));
	row->thread_id = talloc_strdup(ctx, notmuch_thread_get_thread_id(t));
	s = notmuch_thread_get_authors(t);
	if (s && s[strspn(s, " |,")])
		row->authors = talloc_strdup(ctx, s);
	else
		row->authors = index_authors_from_headers(ctx, t);
	s = notmuch_thread_get_subject(t);
	row->subject = talloc_strdup(ctx, s ? s : "");
	row->tags = index_join_tags(ctx, notmuch_thread_get_tags(t));
	row->newest = notmuch_thread_get_newest_date(t);
	row->oldest = notmuch_thread_get_oldest_date(t);
	row->matched = notmuch_thread_get_matched_messages(t);
	row->total = notmuch_thread_get_total_messages(t);
	row->unreviewed = -1;
	if (reviewed) {
		/* Fast path: no message has the tag when the thread's tag union lacks it. */
		notmuch_tags_t *tags = notmuch_thread_get_tags(t);
		int any = 0;

		for (; !any && tags && notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags))
			any = strcmp(notmuch_tags_get(tags), reviewed) == 0;
		if (tags)
			notmuch_tags_destroy(tags);
		row->unreviewed = any ? index_thread_unreviewed(t, reviewed) : row->total;
	}
	if (!row->thread_id || !row->authors || !row->subject || !row->tags)
		return TRAWL_NOMEM;
	return TRAWL_OK;
}

static trawl_status_t
index_threads_once(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
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
		index_fail(idx, st, "query '%s'", query);
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

		t = index_threads_get(idx, threads);
		if (!t) {
			index_set_error(idx, "query '%s': reading a thread failed", query);
			notmuch_query_destroy(q);
			talloc_free(rows);
			return TRAWL_DB;
		}
		if (skipped < offset) {
			/* Built and dropped: see index_cursor_open() on why skipping builds. */
			notmuch_thread_destroy(t);
			skipped++;
			continue;
		}
		ts = index_copy_thread(rows, t, idx->reviewed_tag, &rows[i]);
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

static trawl_status_t
index_all_tags_once(index_t *idx, TALLOC_CTX *ctx, char ***out, size_t *n)
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

void
index_set_reviewed_tag(index_t *idx, const char *tag)
{
	char *copy = talloc_strdup(idx, tag && *tag ? tag : "reviewed");

	if (copy) {
		talloc_free(idx->reviewed_tag);
		idx->reviewed_tag = copy;
	}
}

const char *
index_reviewed_tag(const index_t *idx)
{
	return idx->reviewed_tag;
}

static int
index_cursor_destructor(index_cursor_t *cur)
{
	if (cur->query) {
		notmuch_query_destroy(cur->query);
		cur->idx->open_cursors--;
	}
	cur->query = NULL;
	return 0;
}

static trawl_status_t
index_cursor_open_once(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
		  size_t skip, index_cursor_t **out)
{
	index_cursor_t *cur;
	notmuch_status_t st;
	trawl_status_t ts;

	*out = NULL;
	cur = talloc_zero(ctx, index_cursor_t);
	if (!cur)
		return TRAWL_NOMEM;
	cur->idx = idx;
	ts = index_query(idx, query, &cur->query);
	if (ts != TRAWL_OK) {
		talloc_free(cur);
		return ts;
	}
	idx->open_cursors++;
	talloc_set_destructor(cur, index_cursor_destructor);
	notmuch_query_set_sort(cur->query, sort == INDEX_SORT_OLDEST_FIRST
						   ? NOTMUCH_SORT_OLDEST_FIRST
						   : NOTMUCH_SORT_NEWEST_FIRST);
	st = notmuch_query_search_threads(cur->query, &cur->threads);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_fail(idx, st, "query '%s'", query);
		talloc_free(cur);
		return index_status(st);
	}
	/*
	 * Passing over a thread must build it: building removes the thread's
	 * other matched messages from the iterator's match set, and without
	 * that they would come back later as duplicate threads.
	 */
	for (; skip > 0 && notmuch_threads_valid(cur->threads); skip--) {
		notmuch_thread_t *t = index_threads_get(cur->idx, cur->threads);

		if (!t) {
			/* Its match set is broken: the rows after it would be wrong. */
			index_set_error(idx, "query '%s': reading a thread failed", query);
			talloc_free(cur);
			return TRAWL_DB;
		}
		notmuch_thread_destroy(t);
		notmuch_threads_move_to_next(cur->threads);
	}
	*out = cur;
	return TRAWL_OK;
}

trawl_status_t
index_cursor_next(index_cursor_t *cur, TALLOC_CTX *ctx, struct index_thread *row)
{
	notmuch_thread_t *t;
	trawl_status_t ts;

	if (!notmuch_threads_valid(cur->threads))
		return TRAWL_NOT_FOUND;
	t = index_threads_get(cur->idx, cur->threads);
	if (!t) {
		index_set_error(cur->idx, "reading a thread failed");
		return TRAWL_DB;
	}
	ts = index_copy_thread(ctx, t, cur->idx->reviewed_tag, row);
	notmuch_thread_destroy(t);
	notmuch_threads_move_to_next(cur->threads);
	return ts;
}

static notmuch_sort_t
index_notmuch_sort(enum index_sort sort)
{
	return sort == INDEX_SORT_OLDEST_FIRST ? NOTMUCH_SORT_OLDEST_FIRST : NOTMUCH_SORT_NEWEST_FIRST;
}

static trawl_status_t
index_first_thread_ids_once(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
		       size_t want, char ***out, size_t *n)
{
	notmuch_query_t *q;
	notmuch_messages_t *msgs;
	trawl_status_t ts;
	char **ids;

	*out = NULL;
	*n = 0;
	ids = talloc_zero_array(ctx, char *, want + 1);
	if (!ids)
		return TRAWL_NOMEM;
	ts = index_search_messages(idx, query, index_notmuch_sort(sort), &q, &msgs);
	if (ts != TRAWL_OK) {
		talloc_free(ids);
		return ts;
	}
	for (; *n < want && notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		const char *tid = m ? notmuch_message_get_thread_id(m) : NULL;
		size_t k = 0;

		/* A screenful of ids: a linear search is cheaper than a set. */
		while (tid && k < *n && strcmp(ids[k], tid) != 0)
			k++;
		if (tid && k == *n && !(ids[(*n)++] = talloc_strdup(ids, tid)))
			ts = TRAWL_NOMEM;
		if (m)
			notmuch_message_destroy(m);
		if (ts != TRAWL_OK)
			break;
	}
	notmuch_query_destroy(q);
	if (ts != TRAWL_OK) {
		talloc_free(ids);
		*n = 0;
		return ts;
	}
	*out = ids;
	return TRAWL_OK;
}

static trawl_status_t
index_edge_date_once(index_t *idx, const char *query, enum index_sort sort, long long *out)
{
	notmuch_query_t *q;
	notmuch_messages_t *msgs;
	notmuch_message_t *m;
	trawl_status_t ts;

	*out = 0;
	ts = index_search_messages(idx, query, index_notmuch_sort(sort), &q, &msgs);
	if (ts != TRAWL_OK)
		return ts;
	ts = TRAWL_NOT_FOUND;
	if (notmuch_messages_valid(msgs) && (m = notmuch_messages_get(msgs))) {
		*out = (long long)notmuch_message_get_date(m);
		notmuch_message_destroy(m);
		ts = TRAWL_OK;
	}
	notmuch_query_destroy(q);
	return ts;
}

static trawl_status_t
index_thread_row_once(index_t *idx, TALLOC_CTX *ctx, const char *thread_id, const char *query,
		 enum index_sort sort, struct index_thread *row)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	index_cursor_t *cur;
	char *q = tmp ? index_query_and(tmp, index_quote_term(tmp, "thread", thread_id), query)
		      : NULL;
	trawl_status_t ts;

	if (!q) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	ts = index_cursor_open(idx, tmp, q, sort, 0, &cur);
	if (ts == TRAWL_OK)
		ts = index_cursor_next(cur, ctx, row);
	talloc_free(tmp);
	return ts;
}

static char *
index_header(TALLOC_CTX *ctx, notmuch_message_t *m, const char *name)
{
	const char *v = notmuch_message_get_header(m, name);

	return talloc_strdup(ctx, v ? v : "");
}

/* Appends m and, depth first, its replies to the array; an explicit stack bounds nothing but memory. */
static trawl_status_t
index_walk_replies(TALLOC_CTX *ctx, notmuch_messages_t *top, const char *reviewed,
		   const char *mail_root, struct index_message **arr, size_t *n, size_t *cap)
{
	struct frame {
		notmuch_messages_t *msgs;
		long parent; /* index in *arr of the message these reply to, -1 at the top */
	} *stack = NULL;
	size_t depth = 0, stack_cap = 0;
	trawl_status_t ts = TRAWL_OK;

	stack = talloc_array(ctx, struct frame, 16);
	if (!stack)
		return TRAWL_NOMEM;
	stack_cap = 16;
	stack[0].msgs = top;
	stack[0].parent = -1;
	depth = 1;
	while (depth > 0) {
		notmuch_messages_t *msgs = stack[depth - 1].msgs;
		notmuch_message_t *m;
		struct index_message *im;

		if (!msgs || !notmuch_messages_valid(msgs)) {
			depth--;
			continue;
		}
		m = notmuch_messages_get(msgs);
		notmuch_messages_move_to_next(msgs);
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*arr = talloc_realloc(ctx, *arr, struct index_message, *cap);
			if (!*arr) {
				ts = TRAWL_NOMEM;
				break;
			}
		}
		im = &(*arr)[(*n)++];
		memset(im, 0, sizeof(*im));
		im->message_id = talloc_strdup(*arr, notmuch_message_get_message_id(m));
		{
			char **files = NULL;
			size_t nf = 0;

			/* The first file that is not derived: the one the reader shows. */
			if (index_message_originals(*arr, m, mail_root, &files, &nf) < 0) {
				ts = TRAWL_NOMEM;
				break;
			}
			im->filename = nf ? talloc_steal(*arr, files[0]) : talloc_strdup(*arr, "");
			talloc_free(files);
		}
		im->from = index_header(*arr, m, "from");
		/* No To or Cc: they are not in the index, and reading them parses the file. */
		im->subject = index_header(*arr, m, "subject");
		im->tags = index_join_tags(*arr, notmuch_message_get_tags(m));
		im->reviewed = index_message_has_tag(m, reviewed);
		im->note = index_get_note(*arr, m);
		if (!im->note) {
			ts = TRAWL_NOMEM;
			break;
		}
		im->date = notmuch_message_get_date(m);
		im->depth = (int)depth - 1;
		im->parent = stack[depth - 1].parent;
		{
			notmuch_bool_t is_set = FALSE;

			im->matched = notmuch_message_get_flag_st(m, NOTMUCH_MESSAGE_FLAG_MATCH,
								  &is_set) == NOTMUCH_STATUS_SUCCESS &&
				      is_set;
		}
		if (depth == stack_cap) {
			stack_cap *= 2;
			stack = talloc_realloc(ctx, stack, struct frame, stack_cap);
			if (!stack)
				return TRAWL_NOMEM;
		}
		stack[depth].parent = (long)(*n - 1);
		stack[depth++].msgs = notmuch_message_get_replies(m);
	}
	talloc_free(stack);
	return ts;
}

static trawl_status_t
index_thread_messages_once(index_t *idx, TALLOC_CTX *ctx, const char *thread_id, const char *query,
		      struct index_message **out, size_t *n)
{
	notmuch_query_t *q;
	notmuch_threads_t *threads = NULL;
	notmuch_thread_t *t;
	notmuch_status_t st;
	trawl_status_t ts;
	char *qs;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	qs = index_query_and(ctx, talloc_asprintf(ctx, "thread:%s", thread_id), query);
	if (!qs)
		return TRAWL_NOMEM;
	ts = index_query(idx, qs, &q);
	if (ts != TRAWL_OK)
		return ts;
	/* Excluded messages are still part of the thread being read. */
	notmuch_query_set_omit_excluded(q, NOTMUCH_EXCLUDE_FALSE);
	st = notmuch_query_search_threads(q, &threads);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		index_fail(idx, st, "thread %s", thread_id);
		notmuch_query_destroy(q);
		return index_status(st);
	}
	if (!notmuch_threads_valid(threads) || !(t = index_threads_get(idx, threads))) {
		notmuch_query_destroy(q);
		index_set_error(idx, "thread %s: not found", thread_id);
		return TRAWL_NOT_FOUND;
	}
	ts = index_walk_replies(ctx, notmuch_thread_get_toplevel_messages(t), idx->reviewed_tag,
				idx->mail_root, out, n, &cap);
	notmuch_query_destroy(q);
	talloc_free(qs);
	return ts;
}

static int
index_search_cmp(const void *a, const void *b)
{
	return strcmp(((const struct index_search *)a)->name,
		      ((const struct index_search *)b)->name);
}

/* Whether key=val is in the database's own config (not only in the config file). */
static int
index_in_database_config(index_t *idx, const char *key, const char *val)
{
	notmuch_config_list_t *list = NULL;
	int found = 0;

	/* The config list reads the database itself; config values merge in the file. */
	if (notmuch_database_get_config_list(idx->db, key, &list) != NOTMUCH_STATUS_SUCCESS)
		return 0;
	for (; notmuch_config_list_valid(list); notmuch_config_list_move_to_next(list))
		found |= !strcmp(notmuch_config_list_key(list), key) &&
			 !strcmp(notmuch_config_list_value(list), val);
	notmuch_config_list_destroy(list);
	return found;
}

static trawl_status_t
index_saved_searches_once(index_t *idx, TALLOC_CTX *ctx, struct index_search **out, size_t *n)
{
	notmuch_config_pairs_t *pairs;
	struct index_search *v = NULL;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	/* Pairs merge the database's config with the config file's, as the CLI sees them. */
	pairs = notmuch_config_get_pairs(idx->db, "query.");
	if (!pairs) {
		index_set_error(idx, "reading saved searches of %s failed", idx->db_path);
		return TRAWL_DB;
	}
	for (; notmuch_config_pairs_valid(pairs); notmuch_config_pairs_move_to_next(pairs)) {
		const char *key = notmuch_config_pairs_key(pairs);
		const char *val = notmuch_config_pairs_value(pairs);

		/* An empty value is what deleting leaves behind. */
		if (!key || strncmp(key, "query.", 6) != 0 || !key[6] || !val || !*val)
			continue;
		v = talloc_realloc(ctx, v, struct index_search, len + 1);
		if (!v) {
			notmuch_config_pairs_destroy(pairs);
			return TRAWL_NOMEM;
		}
		v[len].name = talloc_strdup(v, key + 6);
		v[len].query = talloc_strdup(v, val);
		v[len].in_file = !index_in_database_config(idx, key, val);
		len++;
	}
	notmuch_config_pairs_destroy(pairs);
	if (len)
		qsort(v, len, sizeof(*v), index_search_cmp);
	*out = v;
	*n = len;
	return TRAWL_OK;
}

/*
 * Whether another process holds the database's write lock.  libnotmuch
 * 0.37 has no status for it (opening fails with a Xapian exception), so
 * the lock itself is asked: Xapian takes it with fcntl() on the xapian
 * directory's flintlock file, which F_GETLK reports without taking it.
 */
static int
index_lock_held(const index_t *idx)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char *path;
	int fd, held = 0;

	if (!idx->version_path)
		return 0;
	path = talloc_asprintf(NULL, "%.*s/flintlock",
			       (int)(strrchr(idx->version_path, '/') - idx->version_path),
			       idx->version_path);
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
		close(fd);
	}
	talloc_free(path);
	return held;
}

/* Opens a read-write handle; tells a held lock and a read-only database from other failures. */
static trawl_status_t
index_open_rw(index_t *idx, notmuch_database_t **db)
{
	char *msg = NULL, *dir;
	notmuch_status_t st;
	trawl_status_t ts;

	*db = NULL;
	/*
	 * libnotmuch opens with Xapian's DB_RETRY_LOCK: it would block until
	 * the holder lets go.  Asked first, a held lock is said at once, so
	 * the caller can queue, retry and tell the user.
	 */
	if (index_lock_held(idx)) {
		index_set_error(idx, "opening %s for writing: another program holds the write lock",
				idx->db_path);
		return TRAWL_LOCKED;
	}
	st = notmuch_database_open_with_config(idx->db_path, NOTMUCH_DATABASE_MODE_READ_WRITE,
					       idx->config_path, NULL, db, &msg);
	if (st == NOTMUCH_STATUS_SUCCESS) {
		free(msg);
		return TRAWL_OK;
	}
	dir = idx->version_path ? talloc_strndup(NULL, idx->version_path,
						   (size_t)(strrchr(idx->version_path, '/') -
							    idx->version_path))
				: NULL;
	if (index_lock_held(idx))
		ts = TRAWL_LOCKED;
	else if ((dir && access(dir, W_OK) != 0 && (errno == EACCES || errno == EROFS)) ||
		 (msg && (strstr(msg, "ermission denied") || strstr(msg, "ead-only file"))))
		ts = TRAWL_READ_ONLY;
	else
		ts = index_status(st);
	talloc_free(dir);
	index_set_error(idx, "opening %s for writing: %s", idx->db_path,
			msg ? msg : notmuch_status_to_string(st));
	free(msg);
	return ts;
}

static trawl_status_t
index_check(index_t *idx, notmuch_status_t st, const char *what)
{
	if (st == NOTMUCH_STATUS_SUCCESS)
		return TRAWL_OK;
	index_set_error(idx, "%s: %s", what, notmuch_status_to_string(st));
	return index_status(st);
}

/* Copies the tags of m into *old. */
static trawl_status_t
index_copy_tags(TALLOC_CTX *ctx, notmuch_message_t *m, struct index_old_tags *old)
{
	notmuch_tags_t *tags = notmuch_message_get_tags(m);

	old->n = 0;
	old->tags = talloc_array(ctx, char *, 1);
	for (; old->tags && tags && notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags)) {
		old->tags = talloc_realloc(ctx, old->tags, char *, old->n + 2);
		if (old->tags)
			old->tags[old->n++] = talloc_strdup(old->tags, notmuch_tags_get(tags));
	}
	if (tags)
		notmuch_tags_destroy(tags);
	if (!old->tags)
		return TRAWL_NOMEM;
	old->tags[old->n] = NULL;
	old->note = index_get_note(ctx, m);
	if (!old->note)
		return TRAWL_NOMEM;
	old->found = 1;
	return TRAWL_OK;
}

/*
 * Replaces m's note with note ("" removes it), in pieces no longer than a
 * Xapian term allows: libnotmuch exits the process on a longer one.
 */
static trawl_status_t
index_set_note(index_t *idx, notmuch_message_t *m, const char *note)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **pieces;
	size_t n = 0;
	trawl_status_t ts;

	if (!tmp)
		return TRAWL_NOMEM;
	if (strlen(note) > NOTE_MAX) {
		index_set_error(idx, "a note holds at most %d bytes", NOTE_MAX);
		talloc_free(tmp);
		return TRAWL_PARSE;
	}
	pieces = note_split(tmp, note, &n);
	ts = pieces ? TRAWL_OK : TRAWL_NOMEM;
	if (ts == TRAWL_OK)
		ts = index_check(idx, notmuch_message_remove_all_properties(m, NOTE_KEY),
				 "removing the note");
	if (ts == TRAWL_OK)
		ts = index_check(idx,
				 notmuch_message_remove_all_properties_with_prefix(m, NOTE_KEY "."),
				 "removing the note");
	for (size_t i = 0; ts == TRAWL_OK && i < n; i++) {
		char *key = note_key(tmp, i);

		ts = key ? index_check(idx, notmuch_message_add_property(m, key, pieces[i]),
				       "writing the note")
			 : TRAWL_NOMEM;
	}
	talloc_free(tmp);
	return ts;
}

/* Applies one change to m inside freeze/thaw, checking every status. */
static trawl_status_t
index_change_message(index_t *idx, notmuch_message_t *m, const struct index_change *c,
		     const struct index_old_tags *old)
{
	trawl_status_t ts;

	ts = index_check(idx, notmuch_message_freeze(m), "freeze");
	if (ts != TRAWL_OK)
		return ts;
	if (c->ops) {
		for (size_t k = 0; ts == TRAWL_OK && k < c->ops->n; k++) {
			const struct tagop *op = &c->ops->ops[k];

			ts = index_check(idx,
					 op->add ? notmuch_message_add_tag(m, op->tag)
						 : notmuch_message_remove_tag(m, op->tag),
					 op->tag);
		}
	} else {
		/* Restore an exact set: remove what is not in it, add what is missing. */
		for (size_t k = 0; ts == TRAWL_OK && k < old->n; k++) {
			int keep = 0;

			for (size_t j = 0; j < c->n_exact; j++)
				keep |= !strcmp(old->tags[k], c->exact[j]);
			if (!keep)
				ts = index_check(idx, notmuch_message_remove_tag(m, old->tags[k]),
						 old->tags[k]);
		}
		for (size_t j = 0; ts == TRAWL_OK && j < c->n_exact; j++)
			ts = index_check(idx, notmuch_message_add_tag(m, c->exact[j]), c->exact[j]);
	}
	if (ts == TRAWL_OK && c->note)
		ts = index_set_note(idx, m, c->note);
	if (ts != TRAWL_OK)
		return ts; /* the transaction is abandoned: no thaw needed */
	return index_check(idx, notmuch_message_thaw(m), "thaw");
}

trawl_status_t
index_apply(index_t *idx, TALLOC_CTX *ctx, const struct index_change *changes, size_t n,
	    int sync_maildir_flags, index_before_commit_fn before_commit, void *ud,
	    struct index_old_tags **out)
{
	notmuch_database_t *db;
	struct index_old_tags *old;
	trawl_status_t ts;

	*out = NULL;
	old = talloc_zero_array(ctx, struct index_old_tags, n ? n : 1);
	if (!old)
		return TRAWL_NOMEM;
	ts = index_open_rw(idx, &db);
	if (ts != TRAWL_OK) {
		talloc_free(old);
		return ts;
	}
	ts = index_check(idx, notmuch_database_begin_atomic(db), "begin_atomic");
	for (size_t i = 0; ts == TRAWL_OK && i < n; i++) {
		notmuch_message_t *m = NULL;

		old[i].message_id = talloc_strdup(old, changes[i].message_id);
		ts = index_check(idx, notmuch_database_find_message(db, changes[i].message_id, &m),
				 changes[i].message_id);
		if (ts != TRAWL_OK || !m)
			continue; /* gone since the snapshot: nothing to change */
		ts = index_copy_tags(old, m, &old[i]);
		/* An undo's note changed by somebody since: theirs stays, with the tags. */
		if (ts == TRAWL_OK && changes[i].note_was &&
		    strcmp(old[i].note, changes[i].note_was) != 0) {
			old[i].skipped = 1;
			notmuch_message_destroy(m);
			continue;
		}
		if (ts == TRAWL_OK)
			ts = index_change_message(idx, m, &changes[i], &old[i]);
		if (ts == TRAWL_OK && sync_maildir_flags)
			ts = index_check(idx, notmuch_message_tags_to_maildir_flags(m),
					 "maildir flags");
		notmuch_message_destroy(m);
	}
	if (ts == TRAWL_OK && before_commit && before_commit(ud, old, n) != 0) {
		int e = errno;

		index_set_error(idx, "the change was not written to the journal: %s", strerror(e));
		ts = TRAWL_CANCELLED;
	}
	if (ts == TRAWL_OK)
		ts = index_check(idx, notmuch_database_end_atomic(db), "end_atomic");
	if (ts == TRAWL_OK) {
		/* Closing commits; a failure here means nothing was written. */
		ts = index_check(idx, notmuch_database_close(db), "commit");
	}
	/* Xapian's own words ("Error writing block 7"), which index_check() has not. */
	if (ts != TRAWL_OK) {
		const char *detail = notmuch_database_status_string(db);
		char *what = talloc_strdup(NULL, idx->last_error);
		char *d = detail ? index_chomp(what, detail) : NULL;

		if (what && d && *d && !strstr(what, d))
			index_set_error(idx, "%s (%s)", what, d);
		talloc_free(what);
	}
	/* On failure destroy without a successful end_atomic: the transaction is dropped. */
	notmuch_database_destroy(db);
	if (ts != TRAWL_OK) {
		talloc_free(old);
		return ts;
	}
	index_reopen(idx);
	*out = old;
	return TRAWL_OK;
}

static int
index_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The ids of the messages matching query, in notmuch's sort order sort;
 * or (threads) the ids of their threads, sorted, each once.
 */
static trawl_status_t
index_ids_of(index_t *idx, TALLOC_CTX *ctx, const char *query, notmuch_sort_t sort, int threads,
	     char ***out, size_t *n)
{
	notmuch_query_t *q;
	notmuch_messages_t *msgs = NULL;
	trawl_status_t ts;
	char **ids = NULL;
	size_t len = 0, cap = 0;

	*out = NULL;
	*n = 0;
	ts = index_search_messages(idx, query, sort, &q, &msgs);
	if (ts != TRAWL_OK)
		return ts;
	for (; notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);

		if (!m) {
			notmuch_query_destroy(q);
			index_set_error(idx, "query '%s': reading a message failed", query);
			return TRAWL_DB;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = talloc_realloc(ctx, ids, char *, cap);
			if (!ids) {
				notmuch_query_destroy(q);
				return TRAWL_NOMEM;
			}
		}
		ids[len++] = talloc_strdup(ids, threads ? notmuch_message_get_thread_id(m)
							: notmuch_message_get_message_id(m));
		notmuch_message_destroy(m);
	}
	notmuch_query_destroy(q);
	if (threads && len > 1) {
		size_t u = 1;

		qsort(ids, len, sizeof(*ids), index_cmp_str);
		for (size_t i = 1; i < len; i++)
			if (strcmp(ids[i], ids[u - 1]) != 0)
				ids[u++] = ids[i];
			else
				talloc_free(ids[i]);
		len = u;
	}
	*out = ids;
	*n = len;
	return TRAWL_OK;
}

static trawl_status_t
index_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, notmuch_sort_t sort, char ***out,
	  size_t *n)
{
	return index_ids_of(idx, ctx, query, sort, 0, out, n);
}

static trawl_status_t
index_thread_ids_once(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***out, size_t *n)
{
	return index_ids_of(idx, ctx, query, NOTMUCH_SORT_UNSORTED, 1, out, n);
}

static trawl_status_t
index_message_ids_once(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***out, size_t *n)
{
	return index_ids(idx, ctx, query, NOTMUCH_SORT_UNSORTED, out, n);
}

trawl_status_t
index_save_search(index_t *idx, const char *name, const char *query)
{
	notmuch_database_t *db;
	char *key = talloc_asprintf(idx, "query.%s", name);
	trawl_status_t ts;

	if (!key)
		return TRAWL_NOMEM;
	/*
	 * notmuch expands query:NAME with Xapian's parser, which takes a bare
	 * "*" for nothing: every message is "path:**" there (a message
	 * always has a file below the database path).
	 */
	if (query && index_is_all(query))
		query = "path:**";
	ts = index_open_rw(idx, &db);
	if (ts == TRAWL_OK) {
		ts = index_check(idx, notmuch_database_set_config(db, key, query ? query : ""),
				 key);
		if (ts == TRAWL_OK)
			ts = index_check(idx, notmuch_database_close(db), "commit");
		notmuch_database_destroy(db);
	}
	talloc_free(key);
	if (ts == TRAWL_OK)
		index_reopen(idx);
	return ts;
}

static trawl_status_t
index_message_ids_sorted_once(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
			 char ***ids, size_t *n)
{
	return index_ids(idx, ctx, query,
			 sort == INDEX_SORT_OLDEST_FIRST ? NOTMUCH_SORT_OLDEST_FIRST
							 : NOTMUCH_SORT_NEWEST_FIRST,
			 ids, n);
}

/* Appends s to the talloc array *v of *n strings. */
static int
index_push(TALLOC_CTX *ctx, char ***v, size_t *n, const char *s)
{
	char **nv = talloc_realloc(ctx, *v, char *, *n + 1);

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = talloc_strdup(nv, s ? s : "");
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

int
index_path_is_derived(const char *mail_root, const char *path)
{
	static const char dir[] = INDEX_DERIVED_DIR "/";
	size_t len;

	if (!mail_root || !path)
		return 0;
	len = strlen(mail_root);
	while (len > 1 && mail_root[len - 1] == '/')
		len--;
	return !strncmp(path, mail_root, len) && path[len] == '/' &&
	       !strncmp(path + len + 1, dir, sizeof(dir) - 1);
}

int
index_message_originals(TALLOC_CTX *ctx, notmuch_message_t *m, const char *mail_root,
			char ***paths, size_t *n)
{
	notmuch_filenames_t *files = notmuch_message_get_filenames(m);
	int bad = !files;

	for (; files && notmuch_filenames_valid(files); notmuch_filenames_move_to_next(files)) {
		const char *f = notmuch_filenames_get(files);

		if (!index_path_is_derived(mail_root, f))
			bad |= index_push(ctx, paths, n, f);
	}
	if (files)
		notmuch_filenames_destroy(files);
	return bad ? -1 : 0;
}

const char *
index_mail_root(const index_t *idx)
{
	return idx->mail_root;
}

static trawl_status_t
index_message_info_once(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
		   const char *property_prefix, struct index_message_info *out)
{
	notmuch_message_t *m = NULL;
	notmuch_message_properties_t *props;
	notmuch_status_t st;
	const char *h;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	st = notmuch_database_find_message(idx->db, message_id, &m);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_check(idx, st, message_id);
	if (!m) {
		index_set_error(idx, "id:%s: no such message", message_id);
		return TRAWL_NOT_FOUND;
	}
	out->message_id = talloc_strdup(ctx, notmuch_message_get_message_id(m));
	out->date = notmuch_message_get_date(m);
	h = notmuch_message_get_header(m, "from");
	out->from = talloc_strdup(ctx, h ? h : "");
	h = notmuch_message_get_header(m, "to");
	out->to = talloc_strdup(ctx, h ? h : "");
	h = notmuch_message_get_header(m, "cc");
	out->cc = talloc_strdup(ctx, h ? h : "");
	h = notmuch_message_get_header(m, "subject");
	out->subject = talloc_strdup(ctx, h ? h : "");
	out->tags = index_join_tags(ctx, notmuch_message_get_tags(m));
	bad |= index_message_originals(ctx, m, idx->mail_root, &out->filenames,
				       &out->n_filenames);
	props = property_prefix ? notmuch_message_get_properties(m, property_prefix, FALSE) : NULL;
	for (; props && notmuch_message_properties_valid(props);
	     notmuch_message_properties_move_to_next(props)) {
		char *kv = talloc_asprintf(ctx, "%s=%s", notmuch_message_properties_key(props),
					   notmuch_message_properties_value(props));

		bad |= !kv || index_push(ctx, &out->properties, &out->n_properties, kv);
		talloc_free(kv);
	}
	if (props)
		notmuch_message_properties_destroy(props);
	out->note = index_get_note(ctx, m);
	notmuch_message_destroy(m);
	if (bad || !out->note || !out->message_id || !out->from || !out->to || !out->cc || !out->subject ||
	    !out->tags)
		return TRAWL_NOMEM;
	return TRAWL_OK;
}

/*
 * The public reads: each runs on the newest commit (index_refresh) and,
 * when it fails with a database error, which is what a read of a revision
 * that a later commit has discarded gives (Xapian's DatabaseModifiedError,
 * "A Xapian exception occurred"), once more on a reopened handle.  This is
 * the one place that makes reads survive other revisions: callers never
 * retry.
 */

trawl_status_t
index_count_messages(index_t *idx, const char *query, unsigned *count)
{
	return INDEX_READ(idx, index_count_messages_once(idx, query, count));
}

trawl_status_t
index_count_threads(index_t *idx, const char *query, unsigned *count)
{
	return INDEX_READ(idx, index_count_threads_once(idx, query, count));
}

trawl_status_t
index_threads(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
	      size_t offset, size_t limit, struct index_thread **out, size_t *n)
{
	return INDEX_READ(idx, index_threads_once(idx, ctx, query, sort, offset, limit, out, n));
}

trawl_status_t
index_all_tags(index_t *idx, TALLOC_CTX *ctx, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_all_tags_once(idx, ctx, out, n));
}

trawl_status_t
index_cursor_open(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
		  size_t skip, index_cursor_t **out)
{
	return INDEX_READ(idx, index_cursor_open_once(idx, ctx, query, sort, skip, out));
}

trawl_status_t
index_first_thread_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
		       size_t want, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_first_thread_ids_once(idx, ctx, query, sort, want, out, n));
}

trawl_status_t
index_edge_date(index_t *idx, const char *query, enum index_sort sort, long long *out)
{
	return INDEX_READ(idx, index_edge_date_once(idx, query, sort, out));
}

trawl_status_t
index_thread_row(index_t *idx, TALLOC_CTX *ctx, const char *thread_id, const char *query,
		 enum index_sort sort, struct index_thread *row)
{
	return INDEX_READ(idx, index_thread_row_once(idx, ctx, thread_id, query, sort, row));
}

trawl_status_t
index_thread_messages(index_t *idx, TALLOC_CTX *ctx, const char *thread_id, const char *query,
		      struct index_message **out, size_t *n)
{
	return INDEX_READ(idx, index_thread_messages_once(idx, ctx, thread_id, query, out, n));
}

trawl_status_t
index_saved_searches(index_t *idx, TALLOC_CTX *ctx, struct index_search **out, size_t *n)
{
	return INDEX_READ(idx, index_saved_searches_once(idx, ctx, out, n));
}

static trawl_status_t
index_changed_threads_once(index_t *idx, TALLOC_CTX *ctx, unsigned long from, unsigned long to,
			   const char *within, char ***out, size_t *n)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *query = within && *within
			      ? talloc_asprintf(tmp, "lastmod:%lu..%lu and (%s)", from, to, within)
			      : talloc_asprintf(tmp, "lastmod:%lu..%lu", from, to);
	notmuch_query_t *q;
	notmuch_messages_t *msgs;
	trawl_status_t ts;
	uint64_t *set = NULL;
	size_t cap = 0, n_set = 0, len = 0;
	char **ids = NULL;

	*out = NULL;
	*n = 0;
	if (!query) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	ts = index_search_messages(idx, query, NOTMUCH_SORT_UNSORTED, &q, &msgs);
	if (ts != TRAWL_OK) {
		talloc_free(tmp);
		return ts;
	}
	for (; ts == TRAWL_OK && notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		const char *tid = m ? notmuch_message_get_thread_id(m) : NULL;
		uint64_t key = tid ? index_thread_key(tid) : 0;
		int fresh = 1;

		if (!m) {
			index_set_error(idx, "%s: reading a message failed", query);
			ts = TRAWL_DB;
			break;
		}
		if (key) {
			fresh = index_set_add(tmp, &set, &cap, &n_set, key);
		} else if (tid) {
			/* An id notmuch did not make: a linear look, as rare as such ids. */
			for (size_t k = 0; fresh && k < len; k++)
				fresh = strcmp(ids[k], tid) != 0;
		}
		if (fresh < 0) {
			ts = TRAWL_NOMEM;
		} else if (fresh && tid) {
			char **v = talloc_realloc(ctx, ids, char *, len + 1);

			if (!v || !(v[len] = talloc_strdup(v, tid)))
				ts = TRAWL_NOMEM;
			if (v)
				ids = v;
			if (ts == TRAWL_OK)
				len++;
		}
		notmuch_message_destroy(m);
	}
	notmuch_query_destroy(q);
	talloc_free(tmp);
	if (ts != TRAWL_OK) {
		talloc_free(ids);
		return ts;
	}
	*out = ids;
	*n = len;
	return TRAWL_OK;
}

trawl_status_t
index_message_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_message_ids_once(idx, ctx, query, out, n));
}

trawl_status_t
index_thread_ids(index_t *idx, TALLOC_CTX *ctx, const char *query, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_thread_ids_once(idx, ctx, query, out, n));
}

trawl_status_t
index_message_ids_sorted(index_t *idx, TALLOC_CTX *ctx, const char *query, enum index_sort sort,
			 char ***ids, size_t *n)
{
	return INDEX_READ(idx, index_message_ids_sorted_once(idx, ctx, query, sort, ids, n));
}

trawl_status_t
index_message_info(index_t *idx, TALLOC_CTX *ctx, const char *message_id,
		   const char *property_prefix, struct index_message_info *out)
{
	return INDEX_READ(idx, index_message_info_once(idx, ctx, message_id, property_prefix, out));
}

static trawl_status_t
index_message_tags_once(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char ***tags,
			size_t *n)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_find_message(idx->db, message_id, &m);
	notmuch_tags_t *t;
	int bad = 0;

	*tags = NULL;
	*n = 0;
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_check(idx, st, message_id);
	if (!m) {
		index_set_error(idx, "id:%s: no such message", message_id);
		return TRAWL_NOT_FOUND;
	}
	for (t = notmuch_message_get_tags(m); t && notmuch_tags_valid(t);
	     notmuch_tags_move_to_next(t))
		bad |= index_push(ctx, tags, n, notmuch_tags_get(t));
	if (t)
		notmuch_tags_destroy(t);
	notmuch_message_destroy(m);
	return bad ? TRAWL_NOMEM : TRAWL_OK;
}

static trawl_status_t
index_message_note_once(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char **note)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_find_message(idx->db, message_id, &m);

	*note = NULL;
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_check(idx, st, message_id);
	if (!m) {
		index_set_error(idx, "id:%s: no such message", message_id);
		return TRAWL_NOT_FOUND;
	}
	*note = index_get_note(ctx, m);
	notmuch_message_destroy(m);
	return *note ? TRAWL_OK : TRAWL_NOMEM;
}

trawl_status_t
index_message_note(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char **note)
{
	return INDEX_READ(idx, index_message_note_once(idx, ctx, message_id, note));
}

trawl_status_t
index_message_tags(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char ***tags,
		   size_t *n)
{
	return INDEX_READ(idx, index_message_tags_once(idx, ctx, message_id, tags, n));
}

trawl_status_t
index_changed_threads(index_t *idx, TALLOC_CTX *ctx, unsigned long from, unsigned long to,
		      char ***out, size_t *n)
{
	return INDEX_READ(idx, index_changed_threads_once(idx, ctx, from, to, NULL, out, n));
}

trawl_status_t
index_changed_threads_within(index_t *idx, TALLOC_CTX *ctx, unsigned long from, unsigned long to,
			     const char *within, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_changed_threads_once(idx, ctx, from, to, within, out, n));
}

static trawl_status_t
index_messages_files_once(index_t *idx, TALLOC_CTX *ctx, const char *query, size_t min_files,
			  struct index_files **out, size_t *n)
{
	notmuch_query_t *q;
	notmuch_messages_t *msgs = NULL;
	struct index_files *v = NULL;
	size_t len = 0, cap = 0;
	trawl_status_t ts;
	int bad = 0;

	*out = NULL;
	*n = 0;
	ts = index_search_messages(idx, query, NOTMUCH_SORT_OLDEST_FIRST, &q, &msgs);
	if (ts != TRAWL_OK)
		return ts;
	for (; !bad && notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		struct index_files f = {0};

		if (!m) {
			notmuch_query_destroy(q);
			talloc_free(v);
			index_set_error(idx, "query '%s': reading a message failed", query);
			return TRAWL_DB;
		}
		/* Derived files are not versions: min_files counts the originals. */
		bad |= index_message_originals(ctx, m, idx->mail_root, &f.paths, &f.n);
		if (!bad && f.n >= min_files) {
			if (len == cap) {
				struct index_files *nv;

				cap = cap ? cap * 2 : 64;
				nv = talloc_realloc(ctx, v, struct index_files, cap);
				bad |= !nv;
				v = nv ? nv : v;
			}
			if (!bad) {
				f.message_id = talloc_strdup(v, notmuch_message_get_message_id(m));
				f.thread_id = talloc_strdup(v, notmuch_message_get_thread_id(m));
				bad |= !f.message_id || !f.thread_id;
				if (f.paths)
					talloc_steal(v, f.paths);
				v[len++] = f;
			}
		} else {
			talloc_free(f.paths);
		}
		notmuch_message_destroy(m);
	}
	notmuch_query_destroy(q);
	if (bad) {
		talloc_free(v);
		return TRAWL_NOMEM;
	}
	*out = v;
	*n = len;
	return TRAWL_OK;
}

trawl_status_t
index_messages_files(index_t *idx, TALLOC_CTX *ctx, const char *query, size_t min_files,
		     struct index_files **out, size_t *n)
{
	return INDEX_READ(idx, index_messages_files_once(idx, ctx, query, min_files, out, n));
}

/*
 * Scans for statistics: one value only (see index.h).
 * notmuch_message_get_header() answers "from" and "message-id" from the
 * message's value slots on every database made since notmuch 0.18
 * (NOTMUCH_FEATURE_FROM_SUBJECT_ID_VALUES); notmuch_message_get_message_id()
 * would read the message's terms first.
 */
trawl_status_t
index_scan(index_t *idx, const char *query, enum index_scan_value what, index_scan_fn fn,
	   void *ud)
{
	notmuch_query_t *q;
	notmuch_messages_t *msgs = NULL;
	trawl_status_t ts;
	size_t pos = 0;

	ts = index_search_messages(idx, query, NOTMUCH_SORT_UNSORTED, &q, &msgs);
	if (ts != TRAWL_OK)
		return ts;
	for (; notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs), pos++) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		struct index_scan_item it = {.pos = pos, .value = ""};
		const char *v;
		int stop;

		if (!m) {
			index_set_error(idx, "query '%s': reading a message failed", query);
			ts = TRAWL_DB;
			break;
		}
		if (what == INDEX_SCAN_DATE) {
			it.date = notmuch_message_get_date(m);
		} else {
			v = notmuch_message_get_header(m, what == INDEX_SCAN_FROM ? "from"
										  : "message-id");
			it.value = v ? v : "";
		}
		stop = fn(ud, &it);
		notmuch_message_destroy(m);
		if (stop) {
			ts = TRAWL_CANCELLED;
			break;
		}
	}
	notmuch_query_destroy(q);
	return ts;
}

static int
index_folder_skip(const char *name)
{
	return !strcmp(name, "cur") || !strcmp(name, "new") || !strcmp(name, "tmp");
}

static trawl_status_t
index_folders_once(index_t *idx, TALLOC_CTX *ctx, size_t max, char ***out, size_t *n)
{
	char **v = talloc_array(ctx, char *, 1);
	size_t len = 0;
	trawl_status_t ts = TRAWL_OK;

	*out = NULL;
	*n = 0;
	if (!v || !(v[len++] = talloc_strdup(v, "")))
		return TRAWL_NOMEM;
	/* Breadth first over the directory documents; v is also the queue. */
	for (size_t at = 0; at < len && ts == TRAWL_OK; at++) {
		/* Relative to the mail root, which may differ from the database's path. */
		notmuch_directory_t *dir = NULL;
		notmuch_filenames_t *kids;
		notmuch_status_t st = notmuch_database_get_directory(idx->db, v[at], &dir);

		if (st != NOTMUCH_STATUS_SUCCESS) {
			ts = index_fail(idx, st, "listing the folders of %s", idx->db_path);
			break;
		}
		if (!dir)
			continue;
		kids = notmuch_directory_get_child_directories(dir);
		for (; kids && notmuch_filenames_valid(kids); notmuch_filenames_move_to_next(kids)) {
			const char *name = notmuch_filenames_get(kids);

			if (index_folder_skip(name) || len >= max ||
			    (!*v[at] && !strcmp(name, INDEX_DERIVED_DIR)))
				continue;
			v = talloc_realloc(ctx, v, char *, len + 1);
			if (!v || !(v[len] = *v[at] ? talloc_asprintf(v, "%s/%s", v[at], name)
						    : talloc_strdup(v, name))) {
				ts = TRAWL_NOMEM;
				break;
			}
			len++;
		}
		if (kids)
			notmuch_filenames_destroy(kids);
		notmuch_directory_destroy(dir);
	}
	if (ts != TRAWL_OK) {
		talloc_free(v);
		return ts;
	}
	qsort(v, len, sizeof(*v), index_strcmp);
	*out = v;
	*n = len;
	return TRAWL_OK;
}

trawl_status_t
index_folders(index_t *idx, TALLOC_CTX *ctx, size_t max, char ***out, size_t *n)
{
	return INDEX_READ(idx, index_folders_once(idx, ctx, max ? max : 1, out, n));
}

static trawl_status_t
index_message_file_once(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char **path)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_find_message(idx->db, message_id, &m);
	char **files = NULL;
	size_t n = 0;

	*path = NULL;
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_check(idx, st, message_id);
	if (!m) {
		index_set_error(idx, "id:%s: no such message", message_id);
		return TRAWL_NOT_FOUND;
	}
	if (index_message_originals(ctx, m, idx->mail_root, &files, &n) < 0) {
		notmuch_message_destroy(m);
		return TRAWL_NOMEM;
	}
	notmuch_message_destroy(m);
	if (!n) {
		talloc_free(files);
		index_set_error(idx, "id:%s: no file but derived ones", message_id);
		return TRAWL_NOT_FOUND;
	}
	*path = talloc_steal(ctx, files[0]);
	talloc_free(files);
	return TRAWL_OK;
}

trawl_status_t
index_message_file(index_t *idx, TALLOC_CTX *ctx, const char *message_id, char **path)
{
	return INDEX_READ(idx, index_message_file_once(idx, ctx, message_id, path));
}

static trawl_status_t
index_file_message_once(index_t *idx, TALLOC_CTX *ctx, const char *path, char **message_id)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_find_message_by_filename(idx->db, path, &m);

	*message_id = NULL;
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_fail(idx, st, "looking up the file %s", path);
	if (!m) {
		index_set_error(idx, "%s: not indexed", path);
		return TRAWL_NOT_FOUND;
	}
	*message_id = talloc_strdup(ctx, notmuch_message_get_message_id(m));
	notmuch_message_destroy(m);
	return *message_id ? TRAWL_OK : TRAWL_NOMEM;
}

trawl_status_t
index_file_message(index_t *idx, TALLOC_CTX *ctx, const char *path, char **message_id)
{
	return INDEX_READ(idx, index_file_message_once(idx, ctx, path, message_id));
}
