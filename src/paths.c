/*
 * paths: where trawl keeps what it knows about a database.  See
 * include/trawl/paths.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/paths.h"
#include "trawl/util.h"

enum paths_kind { PATHS_STATE, PATHS_CACHE };

static const struct {
	const char *name; /* in the case directory; the XDG file ends in "." name */
	enum paths_kind kind;
} paths_files[PATHS_FILE_COUNT] = {
	[PATHS_JOURNAL] = {"journal.log", PATHS_STATE},
	[PATHS_HINTS] = {"hints", PATHS_STATE},
	[PATHS_PREFS] = {"prefs", PATHS_STATE},
	[PATHS_HISTORY] = {"history", PATHS_STATE},
	[PATHS_PIPE_HISTORY] = {"pipe-history", PATHS_STATE},
	[PATHS_HEADS] = {"heads", PATHS_CACHE},
	[PATHS_RECIPIENTS] = {"recipients", PATHS_CACHE},
};

static char *paths_notice;

const char *
paths_take_notice(void)
{
	static char said[1024];

	if (!paths_notice)
		return NULL;
	snprintf(said, sizeof(said), "%s", paths_notice);
	talloc_free(paths_notice);
	paths_notice = NULL;
	return said;
}

enum { PATHS_SAID_FALLBACK, PATHS_SAID_MOVED };

/* Keeps msg (a talloc string, taken) as the notice, unless one of its kind was said already. */
static void
paths_say(int kind, char *msg)
{
	static int said[2];

	if (said[kind]++ || !msg) {
		talloc_free(msg);
		return;
	}
	talloc_free(paths_notice);
	paths_notice = msg;
}

/*
 * The old place of db_path's file ending in ext: $<var>/trawl/sub (else
 * ~/fallback/trawl/sub), named after the database's folder (controls,
 * blanks, '%' and '/' written as _XX or _) and a hash of its path.
 */
static char *
paths_xdg_file(TALLOC_CTX *ctx, const char *var, const char *fallback, const char *sub,
	       const char *db_path, const char *ext)
{
	const char *xdg = getenv(var);
	const char *home = getenv("HOME");
	const char *base = strrchr(db_path, '/');
	uint64_t h = 1469598103934665603ULL;
	char *dir, *name;

	/* FNV-1a of the path tells databases with the same folder name apart. */
	for (const unsigned char *p = (const unsigned char *)db_path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	base = base && base[1] ? base + 1 : db_path;
	dir = xdg && *xdg == '/'
		      ? talloc_asprintf(ctx, "%s/trawl/%s", xdg, sub)
		      : talloc_asprintf(ctx, "%s/%s/trawl/%s", home ? home : ".", fallback, sub);
	name = talloc_strdup(ctx, "");
	for (const unsigned char *p = (const unsigned char *)base; name && *p; p++) {
		if (*p == '%' || *p < 0x20 || *p == 0x7f || *p == ' ')
			name = talloc_asprintf_append_buffer(name, "_%02X", *p);
		else
			name = talloc_asprintf_append_buffer(name, "%c", *p == '/' ? '_' : *p);
	}
	return talloc_asprintf(ctx, "%s/%s-%016llx%s", dir, name ? name : "db",
			       (unsigned long long)h, ext);
}

/*
 * The case's state directory, <db>/.notmuch/trawl, made if needed; NULL
 * when the database has no .notmuch directory or it cannot be written.
 */
static char *
paths_case_dir(TALLOC_CTX *ctx, const char *db_path)
{
	char *nm = talloc_asprintf(ctx, "%s/.notmuch", db_path), *dir, *why = NULL;
	struct stat st;

	if (!nm || stat(nm, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	dir = talloc_asprintf(ctx, "%s/trawl", nm);
	if (!dir)
		return NULL;
	/* Said with the directory at fault and why: a read-only mount is not a permission. */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		why = talloc_asprintf(ctx, "cannot make %s: %s", dir, strerror(errno));
	else if (stat(dir, &st) != 0)
		why = talloc_asprintf(ctx, "%s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		why = talloc_asprintf(ctx, "%s is not a directory", dir);
	else if (access(dir, W_OK) != 0)
		why = talloc_asprintf(ctx, "the journal is read-only: %s: %s", dir,
				      strerror(errno));
	if (why) {
		paths_say(PATHS_SAID_FALLBACK,
			  talloc_asprintf(NULL, "%s; trawl keeps its journal and caches in the XDG "
						"state and cache directories",
					  why));
		return NULL;
	}
	return dir;
}

/* Copies from to to (whole, synced, then renamed into place); 0 on success. */
static int
paths_copy_file(const char *from, const char *to)
{
	char *tmp = talloc_asprintf(NULL, "%s.tmp", to), buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t r = 0;

	if (in >= 0 && tmp)
		out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	while (out >= 0 && (r = read(in, buf, sizeof(buf))) > 0)
		if (util_write_all(out, buf, (size_t)r) < 0) {
			r = -1;
			break;
		}
	if (out >= 0 && r == 0 && fsync(out) == 0 && close(out) == 0) {
		out = -1;
		rc = rename(tmp, to);
	}
	if (out >= 0)
		close(out);
	if (rc != 0 && tmp)
		unlink(tmp);
	if (in >= 0)
		close(in);
	talloc_free(tmp);
	return rc;
}

/* The journal beside the database, moved there from its old place the first time. */
static char *
paths_journal(TALLOC_CTX *ctx, const char *dir, const char *old)
{
	char *path = talloc_asprintf(ctx, "%s/%s", dir, paths_files[PATHS_JOURNAL].name);

	/* A journal from before the move: it comes along, once, whole. */
	if (path && access(path, F_OK) != 0 && access(old, F_OK) == 0) {
		if (paths_copy_file(old, path) == 0) {
			unlink(old);
			paths_say(PATHS_SAID_MOVED,
				  talloc_asprintf(NULL,
						  "the review journal moved beside the database: "
						  "%s (was %s)",
						  path, old));
		} else {
			paths_say(PATHS_SAID_MOVED,
				  talloc_asprintf(NULL,
						  "cannot move the review journal %s beside the "
						  "database: %s",
						  old, strerror(errno)));
			talloc_free(path);
			path = talloc_strdup(ctx, old);
		}
	}
	return path;
}

char *
paths_for(TALLOC_CTX *ctx, const char *db_path, enum paths_file file)
{
	TALLOC_CTX *tmp;
	char *dir, *ext, *old, *path;
	int cache;

	if ((unsigned)file >= PATHS_FILE_COUNT)
		return NULL;
	tmp = talloc_new(NULL);
	cache = paths_files[file].kind == PATHS_CACHE;
	/* The old XDG names: journal.log was NAME-HASH.log, the others NAME-HASH.hints... */
	ext = talloc_asprintf(tmp, ".%s", file == PATHS_JOURNAL ? "log" : paths_files[file].name);
	old = ext ? cache ? paths_xdg_file(tmp, "XDG_CACHE_HOME", ".cache", "heads", db_path, ext)
			  : paths_xdg_file(tmp, "XDG_STATE_HOME", ".local/state", "journal",
					   db_path, ext)
		  : NULL;
	dir = old ? paths_case_dir(tmp, db_path) : NULL;
	if (!old)
		path = NULL;
	else if (!dir)
		path = talloc_strdup(ctx, old);
	else if (file == PATHS_JOURNAL)
		path = paths_journal(ctx, dir, old);
	else
		path = talloc_asprintf(ctx, "%s/%s", dir, paths_files[file].name);
	/* An old cache holds subjects and authors of the evidence: it goes. */
	if (dir && cache)
		unlink(old);
	talloc_free(tmp);
	return path;
}

char *
paths_in_case(TALLOC_CTX *ctx, const char *db_path, enum paths_file file)
{
	if ((unsigned)file >= PATHS_FILE_COUNT)
		return NULL;
	return talloc_asprintf(ctx, "%s/.notmuch/trawl/%s", db_path, paths_files[file].name);
}

int
paths_is_in_case(const char *path)
{
	return strstr(path, "/.notmuch/trawl/") != NULL;
}

void
paths_note_uuid(const char *journal_path, const char *uuid)
{
	char *file, buf[128] = "";
	const char *slash = strrchr(journal_path, '/');
	int fd;
	ssize_t r;

	if (!slash || !uuid || !*uuid || !paths_is_in_case(journal_path))
		return;
	file = talloc_asprintf(NULL, "%.*s/uuid", (int)(slash - journal_path), journal_path);
	fd = file ? open(file, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[r > 0 ? r : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, uuid) != 0)
			paths_say(PATHS_SAID_FALLBACK,
				  talloc_asprintf(NULL, "this case's journal was written for "
							"database %s; this database is %s (rebuilt?)",
						  buf, uuid));
	} else if (file) {
		char *text = talloc_asprintf(file, "%s\n", uuid);

		fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (text)
				util_write_all(fd, text, strlen(text));
			close(fd);
		}
	}
	talloc_free(file);
}
