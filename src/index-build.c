/*
 * index-build: creates a notmuch database and indexes files into it.
 * See include/trawl/index-build.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <notmuch.h>

#include "trawl/index-build.h"
#include "trawl/index.h"
#include "trawl/render.h"
#include "trawl/util.h"
#include "index-int.h"

struct index_build {
	notmuch_database_t *db; /* read-write; NULL once closed */
	char *db_path;
	char *config_path;      /* "" for none */
	char *last_error;
	unsigned batch;         /* files per atomic section; 0: the caller commits */
	unsigned in_batch;      /* files added in the open atomic section */
	bool atomic;            /* inside begin_atomic/end_atomic */
	bool reopen_to_commit;  /* database.autocommit is not 1: end_atomic does not commit */
	bool failed;            /* a notmuch call failed: refuse further work */
	notmuch_message_t *held; /* the message add_message indexed, frozen until released */
	char *held_id;
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
	if (b->held)
		notmuch_message_destroy(b->held);
	b->held = NULL;
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

/* Records a failed notmuch call, with the database's own explanation. */
static trawl_status_t
index_build_fail(index_build_t *b, notmuch_status_t st, const char *what)
{
	const char *detail = b->db ? notmuch_database_status_string(b->db) : NULL;

	b->failed = true;
	index_build_set_error(b, "%s: %s%s%s", what, notmuch_status_to_string(st),
			      detail && *detail ? ": " : "", detail ? detail : "");
	if (b->last_error) {
		char *clean = index_chomp(b, b->last_error);

		if (clean) {
			talloc_free(b->last_error);
			b->last_error = clean;
		}
	}
	return index_status(st);
}

/* Whether this notmuch status leaves the database untouched, so the builder stays usable. */
static bool
index_build_file_problem(notmuch_status_t st)
{
	return st == NOTMUCH_STATUS_FILE_NOT_EMAIL || st == NOTMUCH_STATUS_FILE_ERROR;
}

/*
 * Reads database.autocommit: unless it is 1, ending an atomic section does
 * not commit it, and index_build_commit() must reopen the handle instead.
 */
static void
index_build_check_autocommit(index_build_t *b)
{
	const char *ac = notmuch_config_get(b->db, NOTMUCH_CONFIG_AUTOCOMMIT);

	b->reopen_to_commit = !ac || strcmp(ac, "1") != 0;
}

/* The builder shell both create and open fill in. */
static index_build_t *
index_build_new(TALLOC_CTX *ctx, const char *db_path, const char *config_path)
{
	index_build_t *b = talloc_zero(ctx, index_build_t);

	/* GMime without crypto before libnotmuch indexes: no gpgsm on S/MIME (render.h). */
	render_init();
	if (!b)
		return NULL;
	b->db_path = talloc_strdup(b, db_path);
	b->config_path = talloc_strdup(b, config_path ? config_path : "");
	b->last_error = talloc_strdup(b, "");
	b->batch = INDEX_BUILD_BATCH;
	if (!b->db_path || !b->config_path || !b->last_error) {
		talloc_free(b);
		return NULL;
	}
	talloc_set_destructor(b, index_build_destructor);
	return b;
}

/* Opens db_path read-write with the builder's config; the detail of a failure in *msg (malloc'd). */
static notmuch_status_t
index_build_open_handle(index_build_t *b, char **msg)
{
	/* An empty config path makes notmuch ignore config files entirely. */
	return notmuch_database_open_with_config(b->db_path, NOTMUCH_DATABASE_MODE_READ_WRITE,
						 b->config_path, NULL, &b->db, msg);
}

/* Maps a failed open to our status: libnotmuch reports a held lock only in its message. */
static trawl_status_t
index_build_open_status(notmuch_status_t st, const char *msg)
{
	if (msg && (strstr(msg, "lock") || strstr(msg, "Lock")))
		return TRAWL_LOCKED;
	if (msg && (strstr(msg, "ermission") || strstr(msg, "ead-only")))
		return TRAWL_READ_ONLY;
	return index_status(st);
}

trawl_status_t
index_build_write_config(TALLOC_CTX *ctx, const char *path, const char *db_path, const char *title,
			 char **error)
{
	char *text;
	int fd;
	size_t len;

	/* Key files strip blanks at the ends of values and give backslashes a meaning. */
	for (const unsigned char *u = (const unsigned char *)db_path; *u; u++) {
		if (*u < 0x20 || *u == 0x7F || *u == '\\') {
			*error = talloc_asprintf(ctx, "%s: a notmuch config cannot name this path",
						 db_path);
			return TRAWL_USAGE;
		}
	}
	text = talloc_asprintf(ctx,
			       "# notmuch configuration of the trawl %s, written by trawl.\n"
			       "# The database is in database.path/.notmuch.\n"
			       "\n[database]\npath=%s\nautocommit=1\n"
			       "\n[new]\ntags=\nignore=\n"
			       "\n[search]\nexclude_tags=\n"
			       "\n[maildir]\nsynchronize_flags=false\n",
			       title, db_path);
	if (!text)
		return TRAWL_NOMEM;
	len = strlen(text);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*error = talloc_asprintf(ctx, "%s: %s", path, strerror(errno));
		talloc_free(text);
		return TRAWL_IO;
	}
	if (util_write_all(fd, text, len) != 0) {
		*error = talloc_asprintf(ctx, "%s: %s", path, strerror(errno));
		close(fd);
		talloc_free(text);
		return TRAWL_IO;
	}
	talloc_free(text);
	if (close(fd) != 0) {
		*error = talloc_asprintf(ctx, "%s: %s", path, strerror(errno));
		return TRAWL_IO;
	}
	return TRAWL_OK;
}

/*
 * Child of index_build_create(): makes the database under staging and
 * closes it.  libnotmuch 0.37 lets a Xapian exception escape from
 * notmuch_database_upgrade() (a full disk while the new database is
 * written): that aborts this process, never the caller.  A failure's
 * detail goes to fd.
 */
static int
index_build_create_child(const char *staging, const char *config_path, int fd)
{
	notmuch_database_t *db = NULL;
	char *msg = NULL;
	notmuch_status_t st;

	st = notmuch_database_create_with_config(staging, config_path, NULL, &db, &msg);
	if (st == NOTMUCH_STATUS_SUCCESS)
		st = notmuch_database_close(db);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		const char *detail = msg ? msg : notmuch_status_to_string(st);

		if (write(fd, detail, strlen(detail)) < 0)
			return 2;
		return st == NOTMUCH_STATUS_DATABASE_EXISTS ? 3 : 1;
	}
	notmuch_database_destroy(db);
	return 0;
}

trawl_status_t
index_build_create(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
		   index_build_t **out, char **error)
{
	TALLOC_CTX *tmp;
	char *staging, *made, *dot, *xapian, buf[1024], *detail, *full;
	int pipefd[2], status = 0;
	size_t len = 0;
	ssize_t r;
	pid_t pid;
	struct stat st;
	trawl_status_t ts = TRAWL_DB;

	*out = NULL;
	*error = NULL;
	if (!db_path || !*db_path) {
		*error = talloc_strdup(ctx, "index_build_create: no database path");
		return TRAWL_USAGE;
	}
	tmp = talloc_new(NULL);
	dot = talloc_asprintf(tmp, "%s/.notmuch", db_path);
	xapian = talloc_asprintf(tmp, "%s/.notmuch/xapian", db_path);
	staging = talloc_asprintf(tmp, "%s.trawl-new", db_path);
	made = talloc_asprintf(tmp, "%s.trawl-new/.notmuch/xapian", db_path);
	if (!dot || !xapian || !staging || !made) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	if (stat(xapian, &st) == 0) {
		*error = talloc_asprintf(ctx, "%s: cannot create notmuch database: %s", db_path,
					 notmuch_status_to_string(NOTMUCH_STATUS_DATABASE_EXISTS));
		talloc_free(tmp);
		return TRAWL_EXISTS;
	}
	/*
	 * The database is made beside db_path and renamed into place once
	 * complete: a full disk or a kill while it is made leaves nothing
	 * half-made at db_path (which every later open would refuse with
	 * "requires a database upgrade"), only the staging directory, which
	 * the next try removes first.
	 */
	if (util_remove_tree(staging) != 0 || mkdir(staging, 0700) != 0) {
		*error = talloc_asprintf(ctx, "%s: %s", staging, strerror(errno));
		talloc_free(tmp);
		return TRAWL_IO;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		*error = talloc_asprintf(ctx, "%s: cannot create notmuch database: %s", db_path,
					 strerror(errno));
		util_remove_tree(staging);
		talloc_free(tmp);
		return TRAWL_IO;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* What the C++ runtime says when it aborts ("terminate called...") is the detail. */
		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		_exit(index_build_create_child(staging, config_path, pipefd[1]));
	}
	close(pipefd[1]);
	while (pid > 0 && len < sizeof(buf) - 1 &&
	       ((r = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
		(r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	buf[len] = '\0';
	close(pipefd[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* Only xapian/ is made there: .notmuch may hold trawl's state already. */
		if ((mkdir(dot, 0755) == 0 || errno == EEXIST) && rename(made, xapian) == 0) {
			util_remove_tree(staging);
			talloc_free(tmp);
			return index_build_open(ctx, db_path, config_path, out, error);
		}
		detail = talloc_asprintf(tmp, "%s: %s", xapian, strerror(errno));
		ts = TRAWL_IO;
	} else if (pid > 0 && WIFEXITED(status)) {
		detail = index_chomp(tmp, buf);
		ts = WEXITSTATUS(status) == 3 ? TRAWL_EXISTS : TRAWL_DB;
	} else if (pid > 0) {
		/* The C++ runtime's words, "terminate called after throwing an instance of 'X'". */
		const char *what = strstr(buf, "instance of '");
		int n = what ? (int)strcspn(what + 13, "'\n") : 0;

		detail = what ? talloc_asprintf(tmp, "libnotmuch aborted on an uncaught %.*s", n,
						what + 13)
			      : talloc_asprintf(tmp, "libnotmuch was killed by signal %d",
						WTERMSIG(status));
	} else {
		detail = talloc_strdup(tmp, strerror(errno));
		ts = TRAWL_IO;
	}
	full = util_disk_full(tmp, db_path);
	*error = talloc_asprintf(ctx, "%s: cannot create notmuch database: %s%s%s", db_path,
				 full ? full : "", full ? ": " : "", detail ? detail : "");
	util_remove_tree(staging);
	talloc_free(tmp);
	return ts;
}

trawl_status_t
index_build_open(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
		 index_build_t **out, char **error)
{
	index_build_t *b;
	notmuch_status_t st;
	char *msg = NULL, *xapian;
	struct stat sb;

	*out = NULL;
	*error = NULL;
	if (!db_path || !*db_path) {
		*error = talloc_strdup(ctx, "index_build_open: no database path");
		return TRAWL_USAGE;
	}
	/* libnotmuch reports a missing database as a file error; say what it is. */
	xapian = talloc_asprintf(ctx, "%s/.notmuch/xapian", db_path);
	if (!xapian)
		return TRAWL_NOMEM;
	if (stat(xapian, &sb) != 0) {
		*error = talloc_asprintf(ctx, "%s: no notmuch database (%s)", db_path,
					 strerror(errno));
		talloc_free(xapian);
		return TRAWL_NO_DATABASE;
	}
	talloc_free(xapian);
	b = index_build_new(ctx, db_path, config_path);
	if (!b)
		return TRAWL_NOMEM;
	st = index_build_open_handle(b, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		trawl_status_t ts = index_build_open_status(st, msg);
		char *detail = index_chomp(ctx, msg ? msg : notmuch_status_to_string(st));

		*error = talloc_asprintf(ctx, "%s: cannot open notmuch database for writing: %s",
					 db_path, detail ? detail : "");
		talloc_free(detail);
		free(msg);
		b->db = NULL;
		talloc_free(b);
		return ts;
	}
	free(msg);
	index_build_check_autocommit(b);
	*out = b;
	return TRAWL_OK;
}

void
index_build_set_batch(index_build_t *b, unsigned files)
{
	b->batch = files;
}

/* Refuses work on a closed or failed builder. */
static trawl_status_t
index_build_usable(index_build_t *b, const char *what)
{
	if (b->db && !b->failed)
		return TRAWL_OK;
	index_build_set_error(b, "%s: database already closed or failed", what);
	return TRAWL_USAGE;
}

/* Opens the atomic section writes go into, if none is open. */
static trawl_status_t
index_build_begin(index_build_t *b)
{
	notmuch_status_t st;

	if (b->atomic)
		return TRAWL_OK;
	st = notmuch_database_begin_atomic(b->db);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, "begin_atomic");
	b->atomic = true;
	b->in_batch = 0;
	return TRAWL_OK;
}

/*
 * Applies the changes made to the held message in one write (thaw), and
 * lets it go.  Freezing it saves a rewrite of its document per change,
 * which costs as much as indexing it again.
 */
static trawl_status_t
index_build_release(index_build_t *b)
{
	notmuch_status_t st;

	if (!b->held)
		return TRAWL_OK;
	st = notmuch_message_thaw(b->held);
	notmuch_message_destroy(b->held);
	b->held = NULL;
	TALLOC_FREE(b->held_id);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, "thaw");
}

/* Indexes path; *m (may be NULL) receives the message, which the caller destroys. */
static trawl_status_t
index_build_index(index_build_t *b, const char *path, bool *is_duplicate, notmuch_message_t **m)
{
	notmuch_status_t st;
	trawl_status_t ts;

	if (is_duplicate)
		*is_duplicate = false;
	ts = index_build_usable(b, path);
	if (ts == TRAWL_OK)
		ts = index_build_release(b);
	if (ts == TRAWL_OK)
		ts = index_build_begin(b);
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_database_index_file(b->db, path, NULL, m);
	if (index_build_file_problem(st)) {
		index_build_set_error(b, "%s: %s", path,
				      st == NOTMUCH_STATUS_FILE_NOT_EMAIL
					      ? "not an email message (notmuch cannot parse it)"
					      : "cannot read the file");
		return index_status(st);
	}
	if (st != NOTMUCH_STATUS_SUCCESS && st != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
		return index_build_fail(b, st, path);
	b->files++;
	b->in_batch++;
	if (st == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		b->duplicates++;
		if (is_duplicate)
			*is_duplicate = true;
	}
	return TRAWL_OK;
}

/* Ends the batch when it is full (with automatic batches). */
static trawl_status_t
index_build_maybe_commit(index_build_t *b)
{
	if (b->batch && b->in_batch >= b->batch)
		return index_build_commit(b);
	return TRAWL_OK;
}

trawl_status_t
index_build_add_file(index_build_t *b, const char *path, bool *is_duplicate)
{
	trawl_status_t ts = index_build_index(b, path, is_duplicate, NULL);

	return ts == TRAWL_OK ? index_build_maybe_commit(b) : ts;
}

trawl_status_t
index_build_add_message(index_build_t *b, TALLOC_CTX *ctx, const char *path,
			struct index_build_message *out)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st;
	trawl_status_t ts;
	const char *from, *subject;

	memset(out, 0, sizeof(*out));
	ts = index_build_index(b, path, &out->duplicate, &m);
	if (ts != TRAWL_OK)
		return ts;
	from = notmuch_message_get_header(m, "from");
	subject = notmuch_message_get_header(m, "subject");
	out->message_id = talloc_strdup(ctx, notmuch_message_get_message_id(m));
	out->from = talloc_strdup(ctx, from ? from : "");
	out->subject = talloc_strdup(ctx, subject ? subject : "");
	out->date = notmuch_message_get_date(m);
	b->held_id = talloc_strdup(b, out->message_id ? out->message_id : "");
	if (!out->message_id || !out->from || !out->subject || !b->held_id) {
		notmuch_message_destroy(m);
		return TRAWL_NOMEM;
	}
	st = notmuch_message_freeze(m);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		notmuch_message_destroy(m);
		return index_build_fail(b, st, "freeze");
	}
	b->held = m;
	return index_build_maybe_commit(b);
}

trawl_status_t
index_build_find_file(index_build_t *b, TALLOC_CTX *ctx, const char *path, char **message_id)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, path);

	*message_id = NULL;
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_database_find_message_by_filename(b->db, path, &m);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, path);
	if (!m)
		return TRAWL_NOT_FOUND;
	*message_id = talloc_strdup(ctx, notmuch_message_get_message_id(m));
	notmuch_message_destroy(m);
	return *message_id ? TRAWL_OK : TRAWL_NOMEM;
}

trawl_status_t
index_build_find_property(index_build_t *b, TALLOC_CTX *ctx, const char *key, const char *value,
			  char **message_id)
{
	notmuch_query_t *q = NULL;
	notmuch_messages_t *msgs = NULL;
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, key);
	char *kv, *qs;

	*message_id = NULL;
	if (ts != TRAWL_OK)
		return ts;
	kv = talloc_asprintf(b, "%s=%s", key, value);
	qs = kv ? index_quote_term(b, "property", kv) : NULL;
	talloc_free(kv);
	if (!qs)
		return TRAWL_NOMEM;
	st = notmuch_query_create_with_syntax(b->db, qs, NOTMUCH_QUERY_SYNTAX_XAPIAN, &q);
	if (st == NOTMUCH_STATUS_SUCCESS) {
		/* Unsorted is document order: the first indexed comes first. */
		notmuch_query_set_sort(q, NOTMUCH_SORT_UNSORTED);
		notmuch_query_set_omit_excluded(q, NOTMUCH_EXCLUDE_FALSE);
		st = notmuch_query_search_messages(q, &msgs);
	}
	if (st != NOTMUCH_STATUS_SUCCESS) {
		ts = index_build_fail(b, st, qs);
		notmuch_query_destroy(q);
		talloc_free(qs);
		return ts;
	}
	talloc_free(qs);
	ts = TRAWL_NOT_FOUND;
	if (notmuch_messages_valid(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);

		*message_id = talloc_strdup(ctx, notmuch_message_get_message_id(m));
		ts = *message_id ? TRAWL_OK : TRAWL_NOMEM;
	}
	notmuch_query_destroy(q);
	return ts;
}

/* Finds message_id for a change, inside the batch in progress. */
static trawl_status_t
index_build_message_for_change(index_build_t *b, const char *message_id, notmuch_message_t **m)
{
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, message_id);

	*m = NULL;
	if (ts == TRAWL_OK)
		ts = index_build_begin(b);
	if (ts != TRAWL_OK)
		return ts;
	if (b->held && !strcmp(b->held_id, message_id)) {
		*m = b->held;
		return TRAWL_OK;
	}
	st = notmuch_database_find_message(b->db, message_id, m);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, message_id);
	if (!*m) {
		index_build_set_error(b, "id:%s: no such message", message_id);
		return TRAWL_NOT_FOUND;
	}
	return TRAWL_OK;
}

trawl_status_t
index_build_add_property(index_build_t *b, const char *message_id, const char *key,
			 const char *value)
{
	notmuch_message_t *m;
	notmuch_status_t st;
	trawl_status_t ts = index_build_message_for_change(b, message_id, &m);

	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_message_add_property(m, key, value);
	if (m != b->held)
		notmuch_message_destroy(m);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, key);
}

trawl_status_t
index_build_add_tag(index_build_t *b, const char *message_id, const char *tag)
{
	notmuch_message_t *m;
	notmuch_status_t st;
	trawl_status_t ts = index_build_message_for_change(b, message_id, &m);

	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_message_add_tag(m, tag);
	if (m != b->held)
		notmuch_message_destroy(m);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, tag);
}

trawl_status_t
index_build_message_files(index_build_t *b, TALLOC_CTX *ctx, const char *message_id,
			  char ***paths, size_t *n)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, message_id);
	char **v = NULL;
	size_t len = 0;

	*paths = NULL;
	*n = 0;
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_database_find_message(b->db, message_id, &m);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, message_id);
	if (!m)
		return TRAWL_NOT_FOUND;
	/* Derived files are not the message's: the importer must never take one for a copy. */
	if (index_message_originals(ctx, m, index_build_mail_root(b), &v, &len) < 0)
		ts = TRAWL_NOMEM;
	notmuch_message_destroy(m);
	if (ts != TRAWL_OK) {
		talloc_free(v);
		return ts;
	}
	*paths = v;
	*n = len;
	return TRAWL_OK;
}

const char *
index_build_mail_root(const index_build_t *b)
{
	const char *root = b->db ? notmuch_config_get(b->db, NOTMUCH_CONFIG_MAIL_ROOT) : NULL;

	return root && *root ? root : b->db_path;
}

trawl_status_t
index_build_remove_file(index_build_t *b, const char *path)
{
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, path);

	if (ts == TRAWL_OK)
		ts = index_build_release(b);
	if (ts == TRAWL_OK)
		ts = index_build_begin(b);
	if (ts != TRAWL_OK)
		return ts;
	/* DUPLICATE_MESSAGE_ID: the message keeps its other files, as wanted. */
	st = notmuch_database_remove_message(b->db, path);
	if (st == NOTMUCH_STATUS_SUCCESS || st == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID)
		return TRAWL_OK;
	return index_build_fail(b, st, path);
}

trawl_status_t
index_build_reindex(index_build_t *b, const char *message_id)
{
	notmuch_message_t *m;
	notmuch_status_t st;
	trawl_status_t ts = index_build_release(b);

	if (ts == TRAWL_OK)
		ts = index_build_message_for_change(b, message_id, &m);
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_message_reindex(m, notmuch_database_get_default_indexopts(b->db));
	notmuch_message_destroy(m);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, message_id);
}

trawl_status_t
index_build_set_tag(index_build_t *b, const char *message_id, const char *tag, bool on,
		    bool *changed)
{
	notmuch_message_t *m;
	notmuch_tags_t *tags;
	notmuch_status_t st = NOTMUCH_STATUS_SUCCESS;
	trawl_status_t ts = index_build_message_for_change(b, message_id, &m);
	bool has = false;

	if (changed)
		*changed = false;
	if (ts != TRAWL_OK)
		return ts;
	for (tags = notmuch_message_get_tags(m); tags && notmuch_tags_valid(tags);
	     notmuch_tags_move_to_next(tags))
		has |= !strcmp(notmuch_tags_get(tags), tag);
	if (tags)
		notmuch_tags_destroy(tags);
	if (has != on) {
		st = on ? notmuch_message_add_tag(m, tag) : notmuch_message_remove_tag(m, tag);
		if (changed && st == NOTMUCH_STATUS_SUCCESS)
			*changed = true;
	}
	if (m != b->held)
		notmuch_message_destroy(m);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, tag);
}

trawl_status_t
index_build_get_config(index_build_t *b, TALLOC_CTX *ctx, const char *key, char **value)
{
	char *v = NULL;
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, key);

	*value = NULL;
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_database_get_config(b->db, key, &v);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, key);
	*value = talloc_strdup(ctx, v ? v : "");
	free(v);
	return *value ? TRAWL_OK : TRAWL_NOMEM;
}

trawl_status_t
index_build_set_config(index_build_t *b, const char *key, const char *value)
{
	notmuch_status_t st;
	trawl_status_t ts = index_build_usable(b, key);

	if (ts == TRAWL_OK)
		ts = index_build_release(b);
	if (ts == TRAWL_OK)
		ts = index_build_begin(b);
	if (ts != TRAWL_OK)
		return ts;
	st = notmuch_database_set_config(b->db, key, value);
	return st == NOTMUCH_STATUS_SUCCESS ? TRAWL_OK : index_build_fail(b, st, key);
}

trawl_status_t
index_build_commit(index_build_t *b)
{
	notmuch_status_t st;
	char *msg = NULL;

	if (!b->db || b->failed) {
		index_build_set_error(b, "commit: database already closed or failed");
		return TRAWL_USAGE;
	}
	if (index_build_release(b) != TRAWL_OK)
		return TRAWL_DB;
	if (!b->atomic)
		return TRAWL_OK;
	st = notmuch_database_end_atomic(b->db);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, "end_atomic");
	b->atomic = false;
	b->in_batch = 0;
	if (!b->reopen_to_commit)
		return TRAWL_OK;
	/* Closing is the only other way to make libnotmuch commit what has ended. */
	st = notmuch_database_close(b->db);
	if (st != NOTMUCH_STATUS_SUCCESS)
		return index_build_fail(b, st, "committing (closing the database)");
	notmuch_database_destroy(b->db);
	b->db = NULL;
	st = index_build_open_handle(b, &msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		b->failed = true;
		b->db = NULL;
		index_build_set_error(b, "reopening %s after a commit: %s", b->db_path,
				      msg ? msg : notmuch_status_to_string(st));
		free(msg);
		return index_build_open_status(st, b->last_error);
	}
	free(msg);
	return TRAWL_OK;
}

trawl_status_t
index_build_close(index_build_t *b)
{
	notmuch_status_t st;
	trawl_status_t ts = TRAWL_OK;

	if (!b->db)
		return b->failed ? TRAWL_DB : TRAWL_OK;
	if (!b->failed && b->atomic) {
		/* Closing commits: no need to reopen just to close again. */
		b->reopen_to_commit = false;
		ts = index_build_commit(b);
	}
	if (ts != TRAWL_OK || b->failed) {
		/* Destroying without end_atomic discards the failed batch. */
		if (b->held)
			notmuch_message_destroy(b->held);
		b->held = NULL;
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
