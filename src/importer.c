/*
 * importer: raw mail caches into a trawl cache.  See include/trawl/importer.h.
 *
 * Two walks over the sources: the first counts files and bytes for the
 * progress meter, the second imports, in a fixed order (sources as given,
 * directory entries sorted by name), so that every run makes the same
 * decisions in the same order.
 *
 * The second walk runs in a thread of its own, the walker: it reads,
 * hashes and copies messages into the cache up to IMPORTER_AHEAD ahead of
 * the main thread, the indexer, which alone calls libnotmuch and writes
 * the manifest; so copying overlaps indexing.  The walker's items reach
 * the indexer through a bounded queue in walk order, so the decisions and
 * the manifest are those of a single thread.
 *
 * Each source message is copied to DIR/mail/<folder>/cur/<sha256>:2,
 * (written to tmp/ and renamed, so a cache file is always complete, and
 * named by its content, so writing it again is a no-op), then indexed.
 * Messages go to the database in atomic batches of IMPORTER_BATCH, and the
 * manifest rows of a batch follow the batch:
 *
 *   1. the rows are written to DIR/.import-pending, with the number of the
 *      batch and the manifest's length before it;
 *   2. the batch number is stored in the database config and the batch is
 *      committed (one atomic commit: the number is there iff the batch is);
 *   3. the rows are appended to the manifest, and the pending file removed.
 *
 * A run that starts after a crash (kill -9 anywhere) looks at the pending
 * file: if its batch number is the database's, the batch was committed and
 * the rows are (re)appended to the manifest cut back to its old length;
 * otherwise the batch was lost and so are its rows.  Source messages
 * already in the manifest are passed over, so the next run redoes exactly
 * the lost batch, with the same decisions, and converges on the cache an
 * uninterrupted run makes.
 *
 * Duplicates: a message whose Message-ID is already indexed is recorded as
 * another file of it (notmuch keeps both files).  A message with a new
 * Message-ID is given a content hash: SHA-256 over the From and Subject
 * notmuch decoded, the date notmuch parsed, and the SHA-256 of the body
 * (the bytes after the first empty line) with every run of white space
 * made one space.  The
 * first message with a given hash keeps it as trawl.content; a later one
 * is tagged duplicate with trawl.duplicate-of=<first id>, so
 * `not tag:duplicate` leaves one copy of each.  MIME boundaries and
 * transfer encodings are part of the body bytes: re-encoded copies are not
 * found, which is the price of not parsing MIME here (GMime belongs to
 * render.c).
 *
 * mbox files: a separator is a line "From " + a word + nothing or text
 * holding a digit (the sender and date of an envelope), so a body line
 * such as "From Russia with love" does not split a message; a UTF-8 BOM is
 * allowed before the first.  A Content-Length header is followed when the
 * body it gives spans a separator and ends on another (after blank lines)
 * or at the end of the file: an unquoted "From " line in a body then does
 * not split the message (mboxcl2); otherwise the separators decide.  It
 * is never followed past a separator that a header follows: that is a
 * message of its own, which a message's Content-Length (written by its
 * sender) must not hide.  The
 * blank line before a separator is the separator's, not the message's;
 * ">From " lines (any number of '>') lose one '>' (mboxrd).  The message
 * stored is what remains, without the envelope line, which is kept in the
 * property trawl.mbox-from.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/importer.h"
#include "trawl/index-build.h"
#include "trawl/index.h"
#include "trawl/sha256.h"
#include "trawl/text.h"
#include "trawl/util.h"
#include "trawl/versions.h"
#include "import-int.h"

/*
 * Source messages per atomic batch (and per manifest append): a killed
 * import redoes at most this many.  Each commit costs a Xapian sync (about
 * 0.3 s here), but libnotmuch's work per message grows with what is not
 * yet committed (indexing 2,000 gen-corpus messages took 4.3 s of CPU in
 * batches of 100, 6.3 s in batches of 500, 7.3 s in one batch); 500 gave
 * the best times on 10,000.  Tests set TRAWL_TEST_IMPORT_BATCH to make
 * many small batches.
 */
#define IMPORTER_BATCH 500

/* Messages the walker may copy ahead of the indexer. */
#define IMPORTER_AHEAD 256

/* Directories deeper than this below a source are skipped. */
#define IMPORTER_MAX_DEPTH 64

/* The database config key holding the number of the last committed batch. */
#define IMPORTER_BATCH_KEY "trawl.import-batch"

/*
 * The database config key saying how far the manifest was looked at for
 * versions (importer_versions()): "RULE OFFSET", the version rule and the
 * manifest's length then.
 */
#define IMPORTER_VERSIONS_KEY "trawl.versions-refreshed"

#define IMPORTER_PENDING_MAGIC "trawl-import-pending"

static const char importer_manifest_header[] =
        "source\toffset\tsize\tsha256\tcache_file\tmessage_id\tstatus\tdetail\tcontent\tmember"
        "\tbytes\tsource_sha256\n";

/* The header of the manifests written before the last three columns. */
static const char importer_manifest_header_1[] =
        "source\toffset\tsize\tsha256\tcache_file\tmessage_id\tstatus\tdetail\tcontent\n";

/* Columns of a manifest row. */
#define IMPORTER_COLUMNS 12

enum importer_kind {
	IMPORTER_LOOSE,       /* a file anywhere: an mbox, a message, or not mail */
	IMPORTER_IN_MAILDIR,  /* a file in a maildir's cur/ or new/: one message */
	IMPORTER_MAILDIR_TMP, /* a file in a maildir's tmp/: a delivery in progress */
	IMPORTER_MOZMSGS,     /* a file in Thunderbird's .mozmsgs/: a copy for desktop search */
};

enum importer_item_kind {
	IMPORTER_ITEM_INDEX, /* a message copied to the cache, to index */
	IMPORTER_ITEM_ROW,   /* a manifest row decided without the database (skipped, error) */
	IMPORTER_ITEM_SAY,   /* only a line for stderr */
	IMPORTER_ITEM_FATAL, /* the walk cannot go on (say holds why) */
	IMPORTER_ITEM_END,   /* the walk is over */
};

/*
 * What the walker hands the indexer for one source message (or file), in
 * walk order.  Each item is a talloc root of its own, so that the two
 * threads never share a talloc hierarchy.
 */
struct importer_item {
	struct importer_item *next;
	enum importer_item_kind kind;
	bool message; /* a source message (counted in messages/s) */
	char *say;    /* printed on stderr first */
	char *source, *source_esc;
	long long offset; /* in the mbox, or -1 */
	char *envelope;   /* the mbox "From " line's rest, or NULL */
	char *member;     /* the path inside the archive(s), or NULL */
	char *source_sha; /* of the whole source file, or NULL */
	bool reconstructed;
	char *note;       /* added to the row's detail (the converter that made it), or NULL */
	size_t size;
	char *sha, *rel, *abs; /* the cache file: hash, path in DIR, absolute path */
	bool written;          /* this run wrote the cache file */
	char *body_hash;       /* of the white-space-folded body (content hashes) */
	const char *status;    /* ROW: "skipped" or "error" */
	char *detail;
	unsigned long files_done; /* progress when the walker made the item */
	unsigned long long bytes_done;
};

/* The walker's items, waiting for the indexer; at most IMPORTER_AHEAD. */
struct importer_queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, nonfull;
	struct importer_item *head, *tail;
	size_t n;
	bool stop; /* the indexer wants no more */
};

/*
 * The walker (a thread of its own) reads the sources, hashes and copies
 * each message into the cache; the indexer (the main thread) does all the
 * libnotmuch work and writes the manifest.  Fields are marked with the
 * side that owns them once the walker runs; the rest are set before.
 */
struct importer {
	TALLOC_CTX *ctx;     /* indexer */
	char *dir;           /* the cache, absolute */
	char *mail;          /* dir/mail: database.path */
	char *config;        /* dir/notmuch-config */
	char *manifest_path; /* dir/manifest.tsv */
	char *pending_path;  /* dir/.import-pending */
	dev_t cache_dev;
	ino_t cache_ino;
	struct import_set done;  /* source messages the manifest settles; read-only */
	unsigned delay_us;         /* TRAWL_TEST_IMPORT_DELAY_US: slows each message */
	size_t member_max;         /* IMPORT_ARCHIVE_MEMBER_MAX, or TRAWL_TEST_IMPORT_MEMBER_MAX */
	unsigned batch;            /* IMPORTER_BATCH, or TRAWL_TEST_IMPORT_BATCH */
	unsigned long die_after;   /* TRAWL_TEST_IMPORT_KILL_AFTER: SIGKILL after that commit */
	unsigned long files_total; /* from the counting walk */
	unsigned long long bytes_total;
	bool counting; /* the counting walk: count only */
	struct importer_queue q;
	/* The indexer's. */
	index_build_t *b;
	int manifest_fd;
	int mail_fd;                  /* for syncfs before each commit */
	struct import_set contents; /* content hashes known, to skip most database lookups */
	struct import_set rejected; /* cache files notmuch could not parse, in this run */
	char *rows;                   /* manifest rows of the batch in progress */
	unsigned batch_n;
	unsigned long serial; /* the last committed batch */
	struct importer_progress *progress;
	unsigned long n_imported, n_duplicates, n_skipped, n_errors;
	unsigned long n_messages; /* source messages handled by this run */
	char *fatal;              /* why the run must stop */
	/* The walker's. */
	TALLOC_CTX *wctx;
	struct import_set seen;    /* source messages met in this run */
	struct import_set folders; /* cache folders whose tmp/ was cleaned */
	char *folder_made;           /* the folder whose cur/, new/ and tmp/ exist */
	char *readpst_version;       /* `readpst -V`, once asked */
	unsigned long files_done, n_already;
	unsigned long long bytes_done;
};

static volatile sig_atomic_t importer_stop;

static void
importer_on_signal(int sig)
{
	(void)sig;
	importer_stop = 1;
}

/* ------------------------------------------------------------ manifest */

static void importer_fail(struct importer *im, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Records why the run must stop; the first reason wins. */
static void
importer_fail(struct importer *im, const char *fmt, ...)
{
	va_list ap;

	if (im->fatal)
		return;
	va_start(ap, fmt);
	im->fatal = talloc_vasprintf(im->ctx, fmt, ap);
	va_end(ap);
	if (!im->fatal)
		im->fatal = talloc_strdup(im->ctx, "out of memory");
}

/*
 * Adds a manifest row for the source message (or file) of it to the batch
 * in progress and counts it; cache_rel is NULL when no copy was kept.
 */
static void
importer_row(struct importer *im, const struct importer_item *it, const char *cache_rel,
             const char *id, const char *status, const char *detail, const char *content)
{
	TALLOC_CTX *tmp = talloc_new(im->ctx);
	char off[32] = "";
	char *cache_esc = import_escape(tmp, cache_rel ? cache_rel : "");
	char *id_esc = import_escape(tmp, id ? id : "");
	char *full = !it->note             ? (char *)(detail ? detail : "")
	             : detail && *detail ? talloc_asprintf(tmp, "%s; %s", detail, it->note)
	                                 : it->note;
	char *detail_esc = full ? import_escape(tmp, full) : NULL;
	char *member_esc = import_escape(tmp, it->member ? it->member : "");
	const char *bytes = !cache_rel ? "" : it->reconstructed ? "reconstructed" : "copied";

	if (it->offset >= 0)
		snprintf(off, sizeof(off), "%lld", it->offset);
	if (cache_esc && id_esc && detail_esc && member_esc)
		im->rows = talloc_asprintf_append_buffer(
		        im->rows, "%s\t%s\t%zu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		        it->source_esc, off, it->size, it->sha ? it->sha : "", cache_esc, id_esc,
		        status, detail_esc, content ? content : "", member_esc, bytes,
		        it->source_sha ? it->source_sha : "");
	talloc_free(tmp);
	if (!cache_esc || !id_esc || !detail_esc || !member_esc || !im->rows) {
		importer_fail(im, "out of memory");
		return;
	}
	im->batch_n++;
	if (!strcmp(status, "imported"))
		im->n_imported++;
	else if (!strcmp(status, "duplicate"))
		im->n_duplicates++;
	else if (!strcmp(status, "skipped"))
		im->n_skipped++;
	else
		im->n_errors++;
	if (content && *content &&
	    import_set_add(im->ctx, &im->contents, import_hex_key(content)) < 0)
		importer_fail(im, "out of memory");
}

/* Reads a whole (small) file; NULL with errno set on failure. */
static char *
importer_slurp(TALLOC_CTX *ctx, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t off = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return NULL;
	}
	buf = talloc_size(ctx, (size_t)st.st_size + 1);
	while (buf && off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[off] = '\0';
	*len = off;
	return buf;
}

/*
 * Gives a manifest of the first form (9 columns) the header of the
 * current one, so that its new rows match their header; its old rows
 * read as rows with the last columns empty.  The file is copied under
 * the new header and renamed over the old one, and the offset that the
 * versions pass reached (IMPORTER_VERSIONS_KEY) moves with the rows;
 * should the run die between the two, the pass starts a few bytes early,
 * on a line it does not use.
 */
static trawl_status_t
importer_upgrade_manifest(struct importer *im)
{
	size_t old = strlen(importer_manifest_header_1), now = strlen(importer_manifest_header);
	char head[sizeof(importer_manifest_header_1)], buf[65536], *tmp_path, *value = NULL;
	int fd = -1;
	ssize_t r;
	int rule;
	long long at;

	if (pread(im->manifest_fd, head, old, 0) != (ssize_t)old || memcmp(head, importer_manifest_header_1, old))
		return TRAWL_OK;
	tmp_path = talloc_asprintf(im->ctx, "%s.new", im->manifest_path);
	if (tmp_path)
		fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, importer_manifest_header, now) != 0)
		goto failed;
	for (off_t at_old = (off_t)old; (r = pread(im->manifest_fd, buf, sizeof(buf), at_old)) > 0;
	     at_old += r)
		if (util_write_all(fd, buf, (size_t)r) != 0)
			goto failed;
	if (r < 0 || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto failed;
	}
	fd = -1;
	if (rename(tmp_path, im->manifest_path) != 0)
		goto failed;
	close(im->manifest_fd);
	im->manifest_fd = open(im->manifest_path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (im->manifest_fd < 0)
		goto failed;
	if (index_build_get_config(im->b, im->ctx, IMPORTER_VERSIONS_KEY, &value) != TRAWL_OK)
		goto db_failed;
	if (sscanf(value, "%d %lld", &rule, &at) == 2 && at > 0) {
		char moved[64];

		snprintf(moved, sizeof(moved), "%d %lld", rule, at + (long long)(now - old));
		if (index_build_set_config(im->b, IMPORTER_VERSIONS_KEY, moved) != TRAWL_OK ||
		    index_build_commit(im->b) != TRAWL_OK)
			goto db_failed;
	}
	return TRAWL_OK;

failed:
	importer_fail(im, "%s: %s", tmp_path ? tmp_path : im->manifest_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp_path)
		unlink(tmp_path);
	return TRAWL_IO;
db_failed:
	importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
	return TRAWL_IO;
}

/*
 * Completes or drops the batch a killed run left in the pending file (see
 * the top of this file), then opens the manifest for appending, creating
 * it with its header row (or giving an old one the current header).
 */
static trawl_status_t
importer_recover(struct importer *im)
{
	char *value = NULL, *pending;
	size_t len = 0;
	trawl_status_t ts;

	ts = index_build_get_config(im->b, im->ctx, IMPORTER_BATCH_KEY, &value);
	if (ts != TRAWL_OK) {
		importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
		return ts;
	}
	im->serial = strtoul(value, NULL, 10);
	im->manifest_fd = open(im->manifest_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (im->manifest_fd < 0) {
		importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
		return TRAWL_IO;
	}
	pending = importer_slurp(im->ctx, im->pending_path, &len);
	if (pending) {
		unsigned long serial = 0;
		long long size = -1;
		char *nl = strchr(pending, '\n');

		if (nl &&
		    sscanf(pending, IMPORTER_PENDING_MAGIC " %lu %lld", &serial, &size) == 2 &&
		    serial == im->serial && size >= 0) {
			/* The batch was committed: its rows belong in the manifest, once. */
			if (ftruncate(im->manifest_fd, (off_t)size) != 0 ||
			    util_write_all(im->manifest_fd, nl + 1,
			                       len - (size_t)(nl + 1 - pending)) != 0 ||
			    fsync(im->manifest_fd) != 0) {
				importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
				return TRAWL_IO;
			}
		}
		talloc_free(pending);
		if (unlink(im->pending_path) != 0) {
			importer_fail(im, "%s: %s", im->pending_path, strerror(errno));
			return TRAWL_IO;
		}
	} else if (errno != ENOENT) {
		importer_fail(im, "%s: %s", im->pending_path, strerror(errno));
		return TRAWL_IO;
	}
	if (lseek(im->manifest_fd, 0, SEEK_END) == 0 &&
	    util_write_all(im->manifest_fd, importer_manifest_header,
	                       strlen(importer_manifest_header)) != 0) {
		importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
		return TRAWL_IO;
	}
	return importer_upgrade_manifest(im);
}

/* Fills the set of settled source messages from the manifest. */
static trawl_status_t
importer_load_manifest(struct importer *im)
{
	FILE *f = fopen(im->manifest_path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool first = true;

	if (!f) {
		importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
		return TRAWL_IO;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		char *fields[IMPORTER_COLUMNS];
		int nf = 0;
		char *p = line;

		if (first && !strncmp(line, "source\t", 7)) {
			first = false;
			continue;
		}
		first = false;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		while (nf < IMPORTER_COLUMNS) {
			fields[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf < 7 || !strcmp(fields[6], "error"))
			continue;
		/* Rows of the first form have 9 columns: no member. */
		if (import_set_add(im->ctx, &im->done,
		                     import_key(fields[0],
		                                  *fields[1] ? strtoll(fields[1], NULL, 10) : -1,
		                                  nf >= 10 ? fields[9] : NULL)) < 0 ||
		    (nf >= 9 && *fields[8] &&
		     import_set_add(im->ctx, &im->contents, import_hex_key(fields[8])) < 0)) {
			free(line);
			fclose(f);
			importer_fail(im, "out of memory");
			return TRAWL_NOMEM;
		}
	}
	free(line);
	fclose(f);
	return TRAWL_OK;
}

/*
 * Commits the batch in progress with its manifest rows (the protocol at the
 * top of this file).
 */
static trawl_status_t
importer_flush(struct importer *im)
{
	unsigned long serial = im->serial + 1;
	char num[32];
	char *head;
	off_t size;
	int fd;
	trawl_status_t ts;

	if (!im->batch_n || im->fatal)
		return im->fatal ? TRAWL_IO : TRAWL_OK;
	/* The database must never name a file that a power cut could lose. */
	if (syncfs(im->mail_fd) != 0) {
		importer_fail(im, "%s: %s", im->mail, strerror(errno));
		return TRAWL_IO;
	}
	size = lseek(im->manifest_fd, 0, SEEK_END);
	head = talloc_asprintf(im->ctx, IMPORTER_PENDING_MAGIC " %lu %lld\n", serial,
	                       (long long)size);
	fd = open(im->pending_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!head || size < 0 || fd < 0 || util_write_all(fd, head, strlen(head)) != 0 ||
	    util_write_all(fd, im->rows, strlen(im->rows)) != 0 || fsync(fd) != 0) {
		importer_fail(im, "%s: %s", im->pending_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		talloc_free(head);
		return TRAWL_IO;
	}
	talloc_free(head);
	if (close(fd) != 0) {
		importer_fail(im, "%s: %s", im->pending_path, strerror(errno));
		return TRAWL_IO;
	}
	snprintf(num, sizeof(num), "%lu", serial);
	ts = index_build_set_config(im->b, IMPORTER_BATCH_KEY, num);
	if (ts == TRAWL_OK)
		ts = index_build_commit(im->b);
	if (ts != TRAWL_OK) {
		importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
		return ts;
	}
	im->serial = serial;
	/* Tests kill the import at its worst moment: committed, but not in the manifest. */
	if (im->die_after && serial == im->die_after)
		raise(SIGKILL);
	if (util_write_all(im->manifest_fd, im->rows, strlen(im->rows)) != 0 ||
	    fdatasync(im->manifest_fd) != 0 || unlink(im->pending_path) != 0) {
		importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
		return TRAWL_IO;
	}
	talloc_free(im->rows);
	im->rows = talloc_strdup(im, "");
	im->batch_n = 0;
	if (!im->rows) {
		importer_fail(im, "out of memory");
		return TRAWL_NOMEM;
	}
	return TRAWL_OK;
}

/* ------------------------------------------------------------ the queue */

static void
importer_push(struct importer *im, struct importer_item *it)
{
	struct importer_queue *q = &im->q;

	pthread_mutex_lock(&q->lock);
	while (q->n >= IMPORTER_AHEAD && !q->stop && it->kind != IMPORTER_ITEM_END)
		pthread_cond_wait(&q->nonfull, &q->lock);
	if (q->stop && it->kind != IMPORTER_ITEM_END) {
		pthread_mutex_unlock(&q->lock);
		talloc_free(it);
		return;
	}
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->n++;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

static struct importer_item *
importer_pop(struct importer *im)
{
	struct importer_queue *q = &im->q;
	struct importer_item *it;

	pthread_mutex_lock(&q->lock);
	while (!q->head)
		pthread_cond_wait(&q->nonempty, &q->lock);
	it = q->head;
	q->head = it->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	pthread_cond_signal(&q->nonfull);
	pthread_mutex_unlock(&q->lock);
	return it;
}

/* Tells the walker to stop (it still sends its END item). */
static void
importer_halt(struct importer *im)
{
	pthread_mutex_lock(&im->q.lock);
	im->q.stop = true;
	pthread_cond_broadcast(&im->q.nonfull);
	pthread_mutex_unlock(&im->q.lock);
}

static bool
importer_halted(struct importer *im)
{
	bool stop;

	pthread_mutex_lock(&im->q.lock);
	stop = im->q.stop;
	pthread_mutex_unlock(&im->q.lock);
	return stop || importer_stop;
}

/* A new item stamped with the walker's progress; NULL on out-of-memory. */
static struct importer_item *
importer_item_new(struct importer *im, enum importer_item_kind kind)
{
	struct importer_item *it = talloc_zero(NULL, struct importer_item);

	if (!it)
		return NULL;
	it->kind = kind;
	it->offset = -1;
	it->files_done = im->files_done;
	it->bytes_done = im->bytes_done;
	return it;
}

static void importer_item_say(struct importer_item *it, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
importer_item_say(struct importer_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	it->say = talloc_vasprintf(it, fmt, ap);
	va_end(ap);
}

/* Sends a line for stderr (and nothing else). */
static void importer_walk_say(struct importer *im, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
importer_walk_say(struct importer *im, const char *fmt, ...)
{
	struct importer_item *it = importer_item_new(im, IMPORTER_ITEM_SAY);
	va_list ap;

	if (!it)
		return;
	va_start(ap, fmt);
	it->say = talloc_vasprintf(it, fmt, ap);
	va_end(ap);
	importer_push(im, it);
}

/* Stops the walk: the indexer stops at this item, after what came before. */
static void importer_walk_fail(struct importer *im, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
importer_walk_fail(struct importer *im, const char *fmt, ...)
{
	struct importer_item *it = importer_item_new(im, IMPORTER_ITEM_FATAL);
	va_list ap;

	if (it) {
		va_start(ap, fmt);
		it->say = talloc_vasprintf(it, fmt, ap);
		va_end(ap);
		importer_push(im, it);
	}
	importer_halt(im);
}

/*
 * Sends a manifest row decided by the walker (a message or file skipped,
 * or an error), with the reason also printed.
 */
static void
importer_walk_row(struct importer *im, const struct import_where *w, size_t size, const char *sha,
                  const char *status, const char *why, bool message)
{
	struct importer_item *it = importer_item_new(im, IMPORTER_ITEM_ROW);
	const char *bang = w->member ? "!" : "", *member = w->member ? w->member : "";

	if (!it) {
		importer_walk_fail(im, "out of memory");
		return;
	}
	it->message = message;
	it->source_esc = talloc_strdup(it, w->source_esc);
	it->offset = w->offset;
	it->member = w->member ? talloc_strdup(it, w->member) : NULL;
	it->source_sha = w->source_sha ? talloc_strdup(it, w->source_sha) : NULL;
	it->note = w->note ? talloc_strdup(it, w->note) : NULL;
	it->size = size;
	it->sha = sha ? talloc_strdup(it, sha) : NULL;
	it->status = status;
	it->detail = talloc_strdup(it, why);
	/* The index files of mail clients are listed, not shouted about. */
	if (!strncmp(why, "ignored: ", 9))
		it->say = NULL;
	else if (w->offset >= 0)
		importer_item_say(it, "%s %s%s%s at %lld: %s", status, w->source, bang, member,
		                  w->offset, why);
	else
		importer_item_say(it, "%s %s%s%s: %s", status, w->source, bang, member, why);
	if (!it->source_esc || !it->detail || (!it->say && strncmp(why, "ignored: ", 9)) ||
	    (w->member && !it->member) ||
	    (w->source_sha && !it->source_sha)) {
		talloc_free(it);
		importer_walk_fail(im, "out of memory");
		return;
	}
	importer_push(im, it);
}

/*
 * Whether the walker should pass over a source message: settled by the
 * manifest, or met already in this run (a source named twice).
 */
static bool
importer_walk_settled(struct importer *im, const struct import_where *w)
{
	TALLOC_CTX *tmp = w->member ? talloc_new(im->wctx) : NULL;
	char *member_esc = w->member ? import_escape(tmp, w->member) : NULL;
	struct import_key k = import_key(w->source_esc, w->offset, member_esc);

	talloc_free(tmp);
	if (w->member && !member_esc) {
		importer_walk_fail(im, "out of memory");
		return true;
	}

	if (import_set_has(&im->done, k) || import_set_has(&im->seen, k)) {
		im->n_already++;
		return true;
	}
	if (import_set_add(im->wctx, &im->seen, k) < 0)
		importer_walk_fail(im, "out of memory");
	return false;
}

/* ------------------------------------------------------------ the cache */

/*
 * Removes what a killed import left in a cache folder's tmp/: copies
 * being written (<sha256>.<pid>).  No other import can be running, since
 * this one holds the database's write lock.
 */
static void
importer_clean_tmp(struct importer *im, const char *folder)
{
	char *dir = talloc_asprintf(im->wctx, "%s/%s/tmp", im->mail, folder);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strspn(e->d_name, "0123456789abcdef");

		if (n == 64 && e->d_name[64] == '.' && e->d_name[65] &&
		    strspn(e->d_name + 65, "0123456789") == strlen(e->d_name + 65))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	talloc_free(dir);
}

/* Makes the maildir of folder in the cache (cur/, new/, tmp/), once per folder in a row. */
static int
importer_make_folder(struct importer *im, const char *folder)
{
	static const char *const subs[] = {"cur", "new", "tmp"};

	if (im->folder_made && !strcmp(im->folder_made, folder))
		return 0;
	for (size_t i = 0; i < 3; i++) {
		char *p = talloc_asprintf(im->wctx, "%s/%s/%s", im->mail, folder, subs[i]);

		if (p)
			util_mkdirs_for(p);
		if (!p || (mkdir(p, 0700) != 0 && errno != EEXIST)) {
			importer_walk_fail(im, "%s: %s", p ? p : folder, strerror(errno));
			talloc_free(p);
			return -1;
		}
		talloc_free(p);
	}
	talloc_free(im->folder_made);
	im->folder_made = talloc_strdup(im->wctx, folder);
	if (!import_set_has(&im->folders, import_key(folder, -1, NULL))) {
		if (import_set_add(im->wctx, &im->folders, import_key(folder, -1, NULL)) < 0)
			return -1;
		importer_clean_tmp(im, folder);
	}
	return 0;
}

/*
 * Writes data as the cache file path, through the folder's tmp/ and a
 * rename, unless a complete copy is already there (its name is its hash).
 * Returns 1 if it wrote the file, 0 if it was there, -1 on failure.
 */
static int
importer_store(struct importer *im, const char *folder, const char *path, const char *sha,
               const char *data, size_t len)
{
	struct stat st;
	char *tmp;
	int fd;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return 0;
	tmp = talloc_asprintf(im->wctx, "%s/%s/tmp/%s.%ld", im->mail, folder, sha, (long)getpid());
	if (!tmp) {
		importer_walk_fail(im, "out of memory");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	/*
	 * Start writing it out now, without waiting: the syncfs() before the
	 * batch commits then finds little left to do.
	 */
	if (fd < 0 || util_write_all(fd, data, len) != 0 ||
	    sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) != 0 || close(fd) != 0) {
		importer_walk_fail(im, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		talloc_free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		importer_walk_fail(im, "%s: %s", path, strerror(errno));
		unlink(tmp);
		talloc_free(tmp);
		return -1;
	}
	talloc_free(tmp);
	return 1;
}

/* ------------------------------------------------------------ messages */

/*
 * The SHA-256 of the body (the bytes after the first empty line) with
 * every run of white space made one space and none at the ends, as 64 hex
 * digits (a child of ctx).
 */
static char *
importer_body_hash(TALLOC_CTX *ctx, const char *d, size_t len)
{
	sha256_t *cs = sha256_new(NULL);
	char buf[4096], *hex;
	size_t n = 0;
	bool started = false, space = false;

	if (!cs)
		return NULL;

	for (size_t i = import_body_start(d, len); i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = started;
			continue;
		}
		/* Room for a space and the byte. */
		if (n + 2 > sizeof(buf)) {
			sha256_update(cs, buf, n);
			n = 0;
		}
		if (space)
			buf[n++] = ' ';
		buf[n++] = (char)c;
		started = true;
		space = false;
	}
	sha256_update(cs, buf, n);
	hex = sha256_finish(cs, ctx);
	talloc_free(cs);
	return hex;
}

/*
 * The content hash of a message (see the top of this file): its decoded
 * From and Subject, its date and its folded body's hash, as 64 hex digits
 * (a child of ctx).
 */
static char *
importer_content_key(TALLOC_CTX *ctx, const struct index_build_message *m, const char *body_hash)
{
	sha256_t *cs = sha256_new(NULL);
	char date[32], *hex;

	if (!cs)
		return NULL;
	snprintf(date, sizeof(date), "%lld", (long long)m->date);
	/* The bytes of version 1 of the content hash, NULs included: caches keep them. */
	sha256_update(cs, "trawl-content-1", 16);
	sha256_update(cs, m->from, strlen(m->from) + 1);
	sha256_update(cs, date, strlen(date) + 1);
	sha256_update(cs, m->subject, strlen(m->subject) + 1);
	sha256_update(cs, body_hash, strlen(body_hash));
	hex = sha256_finish(cs, ctx);
	talloc_free(cs);
	return hex;
}

/* Adds the provenance properties of one source message to its message. */
static trawl_status_t
importer_provenance(struct importer *im, const char *id, const struct importer_item *it)
{
	trawl_status_t ts = index_build_add_property(im->b, id, "trawl.source", it->source);

	if (ts == TRAWL_OK && it->member)
		ts = index_build_add_property(im->b, id, "trawl.member", it->member);
	if (ts == TRAWL_OK && it->offset >= 0) {
		char num[32];

		snprintf(num, sizeof(num), "%lld", it->offset);
		ts = index_build_add_property(im->b, id, "trawl.mbox-offset", num);
		if (ts == TRAWL_OK)
			ts = index_build_add_property(im->b, id, "trawl.mbox-from", it->envelope);
	}
	return ts;
}

/*
 * Indexes the cache file of a source message and decides its status.  A
 * file that was not there before this run wrote it cannot be indexed yet,
 * which saves a lookup per message.
 */
static void
importer_index(struct importer *im, TALLOC_CTX *tmp, const struct importer_item *it)
{
	struct index_build_message m;
	char *id = NULL, *key, *first = NULL, *detail;
	trawl_status_t ts;

	/*
	 * The walker copies ahead: a later message with the same bytes may
	 * have found the copy before an earlier one's rejection removed it.
	 * The same bytes get the same verdict.
	 */
	if (import_set_has(&im->rejected, import_key(it->abs, -1, NULL))) {
		ts = TRAWL_PARSE;
		goto rejected;
	}
	ts = it->written ? TRAWL_NOT_FOUND : index_build_find_file(im->b, tmp, it->abs, &id);
	if (ts == TRAWL_OK) {
		/* The same bytes from the same folder: one file, one more source. */
		if (importer_provenance(im, id, it) != TRAWL_OK)
			goto db_failed;
		importer_row(im, it, it->rel, id,
		             "duplicate",
		             "same bytes as a message already imported into this folder", NULL);
		return;
	}
	if (ts != TRAWL_NOT_FOUND)
		goto db_failed;
	ts = index_build_add_message(im->b, tmp, it->abs, &m);
rejected:
	if (ts == TRAWL_PARSE || ts == TRAWL_IO) {
		const char *why = ts == TRAWL_PARSE ? "not mail: notmuch cannot parse it"
		                                    : "notmuch cannot read the copy";

		unlink(it->abs);
		if (ts == TRAWL_PARSE &&
		    import_set_add(im->ctx, &im->rejected, import_key(it->abs, -1, NULL)) < 0)
			importer_fail(im, "out of memory");
		if (it->offset >= 0)
			importer_say(im->progress, "skipped %s at %lld: %s", it->source, it->offset,
			             why);
		else
			importer_say(im->progress, "skipped %s: %s", it->source, why);
		importer_row(im, it, NULL, NULL,
		             ts == TRAWL_PARSE ? "skipped" : "error", why, NULL);
		return;
	}
	if (ts != TRAWL_OK)
		goto db_failed;
	if (importer_provenance(im, m.message_id, it) != TRAWL_OK)
		goto db_failed;
	if (m.duplicate) {
		importer_row(im, it, it->rel,
		             m.message_id, "duplicate",
		             "same Message-ID as a message already imported: another file of it",
		             NULL);
		return;
	}
	key = importer_content_key(tmp, &m, it->body_hash);
	if (!key) {
		importer_fail(im, "out of memory");
		return;
	}
	/* Most contents are new: the set of known hashes spares the database the question. */
	ts = !import_set_has(&im->contents, import_hex_key(key))
	             ? TRAWL_NOT_FOUND
	             : index_build_find_property(im->b, tmp, "trawl.content", key, &first);
	if (ts == TRAWL_OK && strcmp(first, m.message_id) != 0) {
		if (index_build_add_tag(im->b, m.message_id, "duplicate") != TRAWL_OK ||
		    index_build_add_property(im->b, m.message_id, "trawl.duplicate-of", first) !=
		            TRAWL_OK)
			goto db_failed;
		detail = talloc_asprintf(tmp, "same From, Date, Subject and body as <%s>", first);
		importer_row(im, it, it->rel,
		             m.message_id, "duplicate", detail ? detail : "same content", key);
		return;
	}
	if (ts != TRAWL_OK && ts != TRAWL_NOT_FOUND)
		goto db_failed;
	if (index_build_add_property(im->b, m.message_id, "trawl.content", key) != TRAWL_OK)
		goto db_failed;
	importer_row(im, it, it->rel, m.message_id,
	             "imported", "", key);
	return;

db_failed:
	importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
}

/*
 * The indexer: takes the walker's items in order until the end, a fatal
 * item or a failure of its own, committing a batch every im->batch rows.
 */
static void
importer_consume(struct importer *im)
{
	struct importer_item *it;

	while ((it = importer_pop(im))->kind != IMPORTER_ITEM_END) {
		if (it->kind == IMPORTER_ITEM_FATAL) {
			importer_fail(im, "%s", it->say ? it->say : "out of memory");
		} else if (!im->fatal && !importer_stop) {
			if (it->say)
				importer_say(im->progress, "%s", it->say);
			if (it->message && im->delay_us)
				usleep(im->delay_us);
			im->n_messages += it->message;
			if (it->kind == IMPORTER_ITEM_ROW)
				importer_row(im, it, NULL, NULL, it->status, it->detail, NULL);
			else if (it->kind == IMPORTER_ITEM_INDEX)
				importer_index(im, it, it);
			if (!im->fatal && im->batch_n >= im->batch)
				importer_flush(im);
			importer_progress_update(im->progress, it->files_done, it->bytes_done,
			                         im->n_messages);
		}
		talloc_free(it);
		/* Stop the walker, then take what it sends until its END item. */
		if (im->fatal || importer_stop)
			importer_halt(im);
	}
	talloc_free(it);
}

/*
 * Walks one source message: data[0..len) as it goes in the cache, from
 * where w says.  Hashes it, copies it into the cache and hands it to the
 * indexer.  A file of its own was checked against the manifest as a file.
 */
static void
importer_message(struct importer *im, const struct import_where *w, const char *folder,
                 const char *data, size_t len)
{
	struct importer_item *it;
	int stored;

	if ((w->offset >= 0 || w->member) && importer_walk_settled(im, w))
		return;
	it = importer_item_new(im, IMPORTER_ITEM_INDEX);
	if (!it) {
		importer_walk_fail(im, "out of memory");
		return;
	}
	it->message = true;
	it->source = talloc_strdup(it, w->source);
	it->source_esc = talloc_strdup(it, w->source_esc);
	it->offset = w->offset;
	it->envelope = w->envelope ? talloc_strdup(it, w->envelope) : NULL;
	it->member = w->member ? talloc_strdup(it, w->member) : NULL;
	it->source_sha = w->source_sha ? talloc_strdup(it, w->source_sha) : NULL;
	it->reconstructed = w->reconstructed;
	it->note = w->note ? talloc_strdup(it, w->note) : NULL;
	it->size = len;
	it->sha = sha256_hex(it, data, len);
	it->rel = it->sha ? talloc_asprintf(it, "mail/%s/cur/%s:2,", folder, it->sha) : NULL;
	it->abs = it->rel ? talloc_asprintf(it, "%s/%s", im->dir, it->rel) : NULL;
	if (!it->source || !it->source_esc || (w->envelope && !it->envelope) ||
	    (w->member && !it->member) || (w->source_sha && !it->source_sha) ||
	    (w->note && !it->note) || !it->abs) {
		talloc_free(it);
		importer_walk_fail(im, "out of memory");
		return;
	}
	if (len == 0) {
		importer_walk_row(im, w, 0, it->sha, "skipped", "empty message", true);
		talloc_free(it);
		return;
	}
	if (importer_make_folder(im, folder) != 0 ||
	    (stored = importer_store(im, folder, it->abs, it->sha, data, len)) < 0) {
		talloc_free(it);
		return;
	}
	it->written = stored == 1;
	it->body_hash = importer_body_hash(it, data, len);
	if (!it->body_hash) {
		talloc_free(it);
		importer_walk_fail(im, "out of memory");
		return;
	}
	importer_push(im, it);
}

/*
 * Walks every message of an mbox at d[0..len) (a mapped file, or an
 * archive member: w->member), whose folder in the cache is folder.
 */
static void
importer_mbox(struct importer *im, const struct import_where *w, const char *folder, const char *d,
              size_t len)
{
	unsigned long long base = im->bytes_done;
	struct importer_mbox_message m;
	size_t pos = 0;

	while (!importer_halted(im) && importer_mbox_next(d, len, &pos, &m)) {
		TALLOC_CTX *tmp = talloc_new(im->wctx);
		char *envelope = talloc_strndup(tmp, d + m.envelope, m.envelope_len);
		size_t ulen = 0;
		char *unquoted = importer_mbox_unquote(tmp, d + m.start, m.end - m.start, &ulen);
		struct import_where mw = *w;

		/* The progress meter counts the bytes of files. */
		if (!w->member)
			im->bytes_done = base + pos;
		mw.offset = (long long)m.offset;
		mw.envelope = envelope;
		mw.reconstructed = unquoted != NULL;
		if (!envelope)
			importer_walk_fail(im, "out of memory");
		else
			importer_message(im, &mw, folder, unquoted ? unquoted : d + m.start,
			                 unquoted ? ulen : m.end - m.start);
		talloc_free(tmp);
	}
	im->bytes_done = base;
}

/* ------------------------------------------------------------ files */

/* Maps a source file read-only, never following a link and never touching its atime. */
static int
importer_map(const char *path, const char **data, size_t *len, const char **why)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	int fd = open(path, flags | O_NOATIME);
	struct stat st;
	void *m;

	if (fd < 0 && errno == EPERM)
		fd = open(path, flags); /* O_NOATIME is for the file's owner only */
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file";
		close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	*data = NULL;
	if (*len) {
		m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		*data = m;
	}
	close(fd);
	return 0;
}

/*
 * The folder of an entry name: ".notmuch" would clash with the database,
 * and mail in a top folder named INDEX_DERIVED_DIR would be taken for
 * derived files (index.h) and never shown.
 */
static char *
importer_folder_join(TALLOC_CTX *ctx, const char *folder, const char *name)
{
	const char *n = !strcmp(name, ".notmuch")                   ? "_notmuch"
	                : !*folder && !strcmp(name, INDEX_DERIVED_DIR) ? "_trawl-derived"
	                                                               : name;

	return *folder ? talloc_asprintf(ctx, "%s/%s", folder, n) : talloc_strdup(ctx, n);
}

static void importer_archive(struct importer *im, const struct import_where *w, const char *folder,
                             const char *name, const char *data, size_t len);
static void importer_pst(struct importer *im, const struct import_where *w, const char *folder,
                         const char *name);

/*
 * Walks the bytes of a source file or of an archive member, whose last
 * path element is name and whose folder in the cache is folder: one
 * message, an mbox (a folder of its own), or not mail.  Returns why the
 * bytes are not mail, or NULL when they were walked.
 */
static const char *
importer_bytes(struct importer *im, const struct import_where *w, const char *folder,
               const char *name, enum importer_kind kind, const char *data, size_t len)
{
	char *mbox_folder;
	const char *why = import_ignored(name);

	if (why)
		return why;
	if (kind == IMPORTER_MOZMSGS)
		return "ignored: in Thunderbird's .mozmsgs/ (copies for desktop search)";
	if (len == 0)
		return "empty file";
	/* Apple Mail: exactly the counted bytes, not the property list after them. */
	if (import_named_emlx(name)) {
		size_t start, count;

		if (import_emlx(data, len, &start, &count, &why) != 0)
			return why;
		importer_message(im, w, folder, data + start, count);
		return NULL;
	}
	if (kind == IMPORTER_IN_MAILDIR || import_named_message(name) ||
	    import_starts_with_header(data, len)) {
		importer_message(im, w, folder, data, len);
		return NULL;
	}
	if (!w->member && import_pst_is(data, len)) {
		importer_pst(im, w, folder, name);
		return NULL;
	}
	/* Archives inside archives are opened by the archive's reader. */
	if (!w->member && import_archive_is(data, len)) {
		importer_archive(im, w, folder, name, data, len);
		return NULL;
	}
	if (!importer_is_mbox(data, len))
		return import_not_mail((const unsigned char *)data, len);
	mbox_folder = importer_folder_join(im->wctx, folder, name);
	if (mbox_folder)
		importer_mbox(im, w, mbox_folder, data, len);
	else
		importer_walk_fail(im, "out of memory");
	talloc_free(mbox_folder);
	return NULL;
}

/* ------------------------------------------------------------ archives */

/* What the archive reader's callbacks need. */
struct importer_archive {
	struct importer *im;
	const struct import_where *w; /* the archive file's */
	const char *folder, *name;    /* of the archive file */
	char *archive_folder;         /* folder/name: the archive as a folder */
};

static bool
importer_archive_stop(void *arg)
{
	struct importer_archive *ar = arg;

	return importer_halted(ar->im);
}

/* A member not read, or the rest of a damaged archive: a row, once. */
static void
importer_archive_row(void *arg, const char *member, const char *why, unsigned long long size)
{
	struct importer_archive *ar = arg;
	struct import_where w = *ar->w;

	w.member = member;
	if (!importer_walk_settled(ar->im, &w))
		importer_walk_row(ar->im, &w, (size_t)size, NULL, "skipped", why, false);
}

/*
 * A member's bytes: a message, an mbox or not mail, as a file would be;
 * its folder is the archive's folder and the member's directory, with a
 * maildir's cur/ and new/ dropped.  A single compressed stream (.mbox.gz)
 * stands where its file is: an mbox is the folder the file's name makes.
 */
static void
importer_archive_member(void *arg, const char *member, const char *folder, const char *name,
                        bool whole, const char *data, size_t len)
{
	struct importer_archive *ar = arg;
	TALLOC_CTX *tmp = talloc_new(ar->im->wctx);
	struct import_where w = *ar->w;
	enum importer_kind kind = IMPORTER_LOOSE;
	const char *last = strrchr(folder, '/');
	char *dir = talloc_strdup(tmp, folder), *full;
	const char *why;

	w.member = member;
	last = last ? last + 1 : folder;
	if (dir && (!strcmp(last, "cur") || !strcmp(last, "new") || !strcmp(last, "tmp"))) {
		kind = !strcmp(last, "tmp") ? IMPORTER_MAILDIR_TMP : IMPORTER_IN_MAILDIR;
		dir[last > folder ? (size_t)(last - folder) - 1 : 0] = '\0';
	}
	full = !dir ? NULL : *dir ? talloc_asprintf(tmp, "%s/%s", ar->archive_folder, dir)
	                          : talloc_strdup(tmp, ar->archive_folder);
	if (!full) {
		importer_walk_fail(ar->im, "out of memory");
		goto done;
	}
	if (kind == IMPORTER_MAILDIR_TMP) {
		importer_archive_row(ar, member, "in a maildir's tmp/ (a delivery that never finished)",
		                     len);
		goto done;
	}
	why = whole ? importer_bytes(ar->im, &w, ar->folder, ar->name, kind, data, len)
	            : importer_bytes(ar->im, &w, full, name, kind, data, len);
	if (why && !importer_walk_settled(ar->im, &w))
		importer_walk_row(ar->im, &w, len, sha256_hex(tmp, data, len), "skipped", why, false);
done:
	talloc_free(tmp);
}

/*
 * Walks an archive file (or a compressed one) as a folder named by the
 * file, through the archive reader in its child process.  Only the
 * archive's own failure to open settles the file as a whole.
 */
static void
importer_archive(struct importer *im, const struct import_where *w, const char *folder,
                 const char *name, const char *data, size_t len)
{
	struct importer_archive ar = {im, w, folder, name, NULL};
	struct import_archive_ops ops = {&ar, importer_archive_member, importer_archive_row};
	char why[512];

	ar.archive_folder = importer_folder_join(im->wctx, folder, name);
	if (!ar.archive_folder) {
		importer_walk_fail(im, "out of memory");
		return;
	}
	if (import_archive_read(data, len, name, im->member_max, &ops, importer_archive_stop, why,
	                        sizeof(why)) != 0) {
		struct import_where rest = *w;

		/* Opened but cut short: the rest has a row of its own, after what was read. */
		if (!strstr(why, "cannot be opened"))
			rest.member = "#rest";
		/* A reader that could not start is this run's failure: the next run retries. */
		if (!rest.member || !importer_walk_settled(im, &rest))
			importer_walk_row(im, &rest, len, rest.member ? NULL : w->source_sha,
			                  strstr(why, "cannot start") ? "error" : "skipped", why, false);
	}
	talloc_free(ar.archive_folder);
}

/* ------------------------------------------------------------ Outlook */

static char **importer_list(TALLOC_CTX *ctx, const char *path, size_t *n);
static int importer_strcmp(const void *a, const void *b);

/* What the walk of readpst's output counts, for the line it prints. */
struct importer_pst_counts {
	unsigned long messages, contacts, calendar, other;
};

/*
 * Walks what readpst wrote for a store (dir, rel below the output's top),
 * whose folder in the cache is folder: each .eml is a message
 * (reconstructed: readpst wrote it from the store's properties), each
 * other item a row saying what it is.
 */
static void
importer_pst_walk(struct importer *im, const struct import_where *w, const char *dir,
                  const char *rel, const char *folder, struct importer_pst_counts *n, int depth)
{
	TALLOC_CTX *tmp = talloc_new(im->wctx);
	size_t count;
	char **names = importer_list(tmp, dir, &count);

	for (size_t i = 0; names && i < count && !importer_halted(im); i++) {
		char *path = talloc_asprintf(tmp, "%s/%s", dir, names[i]);
		char *member = *rel ? talloc_asprintf(tmp, "%s/%s", rel, names[i])
		                    : talloc_strdup(tmp, names[i]);
		const char *dot = strrchr(names[i], '.'), *why = NULL, *data = NULL;
		struct import_where mw = *w;
		struct stat st;
		size_t len = 0;

		if (!path || !member) {
			importer_walk_fail(im, "out of memory");
			break;
		}
		mw.member = member;
		mw.reconstructed = true;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char *sub = importer_folder_join(tmp, folder, names[i]);

			if (sub && depth < IMPORTER_MAX_DEPTH)
				importer_pst_walk(im, w, path, member, sub, n, depth + 1);
			continue;
		}
		if (dot && !strcmp(dot, ".eml")) {
			if (importer_map(path, &data, &len, &why) == 0) {
				n->messages++;
				importer_message(im, &mw, folder, data, len);
				if (data)
					munmap((void *)data, len);
				continue;
			}
		} else if (dot && !strcmp(dot, ".vcf")) {
			why = "not mail: contact";
			n->contacts++;
		} else if (dot && !strcmp(dot, ".ics")) {
			why = "not mail: calendar item, task or journal entry";
			n->calendar++;
		} else {
			why = "not mail: an item readpst wrote as neither a message, a contact nor a "
			      "calendar item";
			n->other++;
		}
		if (!importer_walk_settled(im, &mw))
			importer_walk_row(im, &mw, (size_t)st.st_size, NULL, "skipped", why, false);
	}
	talloc_free(tmp);
}

/* Removes what a killed import left of its conversions in the cache. */
static void
importer_pst_clean(struct importer *im)
{
	DIR *d = opendir(im->dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strncmp(e->d_name, ".import-pst.", 12)) {
			char *p = talloc_asprintf(im->ctx, "%s/%s", im->dir, e->d_name);

			if (p)
				util_remove_tree(p);
			talloc_free(p);
		}
	}
	if (d)
		closedir(d);
}

static bool
importer_pst_stop(void *arg)
{
	return importer_halted(arg);
}

/*
 * Walks an Outlook store as a folder named by its file: readpst converts
 * it into a directory inside the cache (never beside the source), which
 * is walked, then removed.  Each row's detail names readpst's version;
 * the folders whose items readpst skipped get a row each.  A store that
 * cannot be converted is an error, so the next run tries again.
 */
static void
importer_pst(struct importer *im, const struct import_where *w, const char *folder,
             const char *name)
{
	TALLOC_CTX *tmp = talloc_new(im->wctx);
	char *base = talloc_asprintf(tmp, "%s/.import-pst.%ld", im->dir, (long)getpid());
	char *out = base ? talloc_asprintf(tmp, "%s/out", base) : NULL;
	char *log = base ? talloc_asprintf(tmp, "%s/log", base) : NULL;
	char *pst_folder = importer_folder_join(tmp, folder, name), *version = NULL;
	struct importer_pst_counts n = {0, 0, 0, 0};
	struct import_where pw = *w;
	char why[512], *line = NULL;
	size_t cap = 0;
	unsigned long seq = 0;
	char **lines = NULL;
	size_t n_lines = 0;
	FILE *f;

	if (!out || !log || !pst_folder) {
		importer_walk_fail(im, "out of memory");
		goto done;
	}
	util_remove_tree(base);
	if (mkdir(base, 0700) != 0 || mkdir(out, 0700) != 0) {
		importer_walk_fail(im, "%s: %s", out, strerror(errno));
		goto done;
	}
	if (!im->readpst_version) {
		char *scratch = talloc_asprintf(tmp, "%s/version", base);

		version = scratch ? import_pst_version(im->wctx, scratch) : NULL;
		im->readpst_version = version ? version : talloc_strdup(im->wctx, "");
	}
	pw.note = talloc_asprintf(tmp, "converted by %s (readpst -D -e)",
	                          *im->readpst_version ? im->readpst_version : "readpst");
	if (!pw.note) {
		importer_walk_fail(im, "out of memory");
		goto done;
	}
	if (import_pst_convert(w->source, out, log, importer_pst_stop, im, why, sizeof(why)) != 0) {
		if (!importer_halted(im))
			importer_walk_row(im, w, 0, w->source_sha, "error", why, false);
		goto done;
	}
	importer_pst_walk(im, &pw, out, "", pst_folder, &n, 0);
	/*
	 * readpst counts what it skipped per folder, without naming the items
	 * nor the folder's path, and in no fixed order: the lines are sorted,
	 * and a folder name met again is numbered ("#skipped/Inbox#2").
	 */
	f = fopen(log, "re");
	while (f && getline(&line, &cap, f) > 0) {
		char name_buf[256], *entry;
		unsigned long k;

		if (!import_pst_skipped(line, name_buf, sizeof(name_buf), &k))
			continue;
		entry = talloc_asprintf(tmp, "%s\t%020lu", name_buf, k);
		lines = entry ? talloc_realloc(tmp, lines, char *, n_lines + 1) : NULL;
		if (!lines) {
			importer_walk_fail(im, "out of memory");
			break;
		}
		lines[n_lines++] = entry;
	}
	free(line);
	if (f)
		fclose(f);
	if (n_lines)
		qsort(lines, n_lines, sizeof(*lines), importer_strcmp);
	for (size_t i = 0; i < n_lines && !importer_halted(im); i++) {
		char *tab = strrchr(lines[i], '\t'), *member, *skipped;
		unsigned long k = strtoul(tab + 1, NULL, 10);

		*tab = '\0';
		seq = i && !strcmp(lines[i - 1], lines[i]) ? seq + 1 : 1;
		member = seq > 1 ? talloc_asprintf(tmp, "#skipped/%s#%lu", lines[i], seq)
		                 : talloc_asprintf(tmp, "#skipped/%s", lines[i]);
		skipped = talloc_asprintf(tmp, "not read: readpst skipped %lu item%s of the folder "
		                               "\"%s\" (it does not say which, nor why)",
		                          k, k == 1 ? "" : "s", lines[i]);
		if (member && skipped) {
			struct import_where sw = pw;

			sw.member = member;
			if (!importer_walk_settled(im, &sw))
				importer_walk_row(im, &sw, 0, NULL, "skipped", skipped, false);
		}
	}
	importer_walk_say(im, "%s: %lu message%s, %lu contact%s, %lu calendar item%s, %lu other",
	                  w->source, n.messages, n.messages == 1 ? "" : "s", n.contacts,
	                  n.contacts == 1 ? "" : "s", n.calendar, n.calendar == 1 ? "" : "s",
	                  n.other);
done:
	if (base)
		util_remove_tree(base);
	talloc_free(tmp);
}

/* Walks one source file. */
static void
importer_file(struct importer *im, const char *path, const char *folder, enum importer_kind kind,
              size_t size)
{
	TALLOC_CTX *tmp = talloc_new(im->wctx);
	struct import_where w = {.source = path, .offset = -1};
	const char *data = NULL, *why = NULL, *base = strrchr(path, '/');
	size_t len = 0;

	w.source_esc = import_escape(tmp, path);
	if (!w.source_esc) {
		importer_walk_fail(im, "out of memory");
		goto done;
	}
	if (importer_walk_settled(im, &w))
		goto done;
	if (kind == IMPORTER_MAILDIR_TMP) {
		importer_walk_row(im, &w, size, NULL, "skipped",
		                  "in a maildir's tmp/ (a delivery that never finished)", false);
		goto done;
	}
	if (importer_map(path, &data, &len, &why) != 0) {
		importer_walk_row(im, &w, size, NULL, "error", why, false);
		goto done;
	}
	/* The chain of custody: every row names the source file by its hash. */
	w.source_sha = sha256_hex(tmp, data ? data : "", len);
	if (!w.source_sha) {
		importer_walk_fail(im, "out of memory");
		goto unmap;
	}
	why = importer_bytes(im, &w, folder, base ? base + 1 : path, kind, data, len);
	if (why)
		importer_walk_row(im, &w, len, w.source_sha, "skipped", why, false);
unmap:
	if (data)
		munmap((void *)data, len);
done:
	talloc_free(tmp);
}

/* One entry of a source: counted in the first walk, walked in the second. */
static void
importer_entry(struct importer *im, const char *path, const char *folder, enum importer_kind kind,
               const struct stat *st)
{
	if (im->counting) {
		im->files_total++;
		im->bytes_total += S_ISREG(st->st_mode) ? (unsigned long long)st->st_size : 0;
		return;
	}
	if (S_ISREG(st->st_mode)) {
		importer_file(im, path, folder, kind, (size_t)st->st_size);
	} else {
		TALLOC_CTX *tmp = talloc_new(im->wctx);
		struct import_where w = {.source = path, .offset = -1};

		w.source_esc = import_escape(tmp, path);
		if (!w.source_esc)
			importer_walk_fail(im, "out of memory");
		else if (!importer_walk_settled(im, &w))
			importer_walk_row(im, &w, 0, NULL, "skipped",
			                  S_ISLNK(st->st_mode) ? "a symbolic link (not followed)"
			                                       : "not a regular file",
			                  false);
		talloc_free(tmp);
	}
	im->files_done++;
	im->bytes_done += S_ISREG(st->st_mode) ? (unsigned long long)st->st_size : 0;
}

static int
importer_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
/* The names in directory path, sorted, as a talloc array (NULL with errno on failure). */
static char **
importer_list(TALLOC_CTX *ctx, const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char **names = talloc_array(ctx, char *, 0);

	*n = 0;
	if (!d) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		talloc_free(names);
		errno = err;
		return NULL;
	}
	while (names && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names = talloc_realloc(ctx, names, char *, *n + 1);
		if (names && !(names[*n] = talloc_strdup(names, e->d_name)))
			names = NULL;
		if (names)
			(*n)++;
	}
	closedir(d);
	if (!names) {
		errno = ENOMEM;
		return NULL;
	}
	qsort(names, *n, sizeof(*names), importer_strcmp);
	return names;
}

/* Whether dir/name is a directory (not a link to one). */
static bool
importer_is_dir(const char *dir, const char *name)
{
	struct stat st;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Walks directory path (whose folder in the cache is folder); kind says
 * what its files are (a maildir's cur/ and new/ hold messages).
 */
static void
importer_walk(struct importer *im, const char *path, const char *folder, enum importer_kind kind,
              int depth)
{
	TALLOC_CTX *tmp = talloc_new(im->counting ? im->ctx : im->wctx);
	size_t n;
	char **names = importer_list(tmp, path, &n);
	bool maildir = false;

	if (!names) {
		int err = errno;
		struct import_where w = {.source = path, .offset = -1};

		w.source_esc = im->counting ? NULL : import_escape(tmp, path);
		if (w.source_esc)
			importer_walk_row(im, &w, 0, NULL, "error", strerror(err), false);
		talloc_free(tmp);
		return;
	}
	if (kind == IMPORTER_LOOSE)
		maildir = importer_is_dir(path, "cur") || importer_is_dir(path, "new");
	for (size_t i = 0; i < n && (im->counting || !importer_halted(im)); i++) {
		char *child = talloc_asprintf(tmp, "%s/%s", path, names[i]);
		struct stat st;

		if (!child)
			break;
		if (lstat(child, &st) != 0) {
			if (!im->counting)
				importer_walk_say(im, "%s: %s", child, strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			importer_entry(im, child, folder, kind, &st);
		} else if (st.st_dev == im->cache_dev && st.st_ino == im->cache_ino) {
			/* The cache itself, inside a source: never import our own output. */
		} else if (depth >= IMPORTER_MAX_DEPTH) {
			if (!im->counting)
				importer_walk_say(im, "skipped %s: folders nested too deep", child);
		} else if (maildir && (!strcmp(names[i], "cur") || !strcmp(names[i], "new"))) {
			importer_walk(im, child, folder, IMPORTER_IN_MAILDIR, depth + 1);
		} else if (maildir && !strcmp(names[i], "tmp")) {
			importer_walk(im, child, folder, IMPORTER_MAILDIR_TMP, depth + 1);
		} else {
			size_t nl = strlen(names[i]);
			bool sbd = nl > 4 && !strcmp(names[i] + nl - 4, ".sbd");
			bool mozmsgs = kind == IMPORTER_MOZMSGS ||
			               (nl >= 8 && !strcmp(names[i] + nl - 8, ".mozmsgs"));
			char *name = sbd ? talloc_strndup(tmp, names[i], nl - 4) : names[i];
			/*
			 * Thunderbird keeps the subfolders of the mbox "Inbox" in
			 * "Inbox.sbd/": their folder is below Inbox's.
			 */
			char *sub = name ? importer_folder_join(tmp, folder, name) : NULL;

			if (sub)
				importer_walk(im, child, sub,
				              mozmsgs ? IMPORTER_MOZMSGS : IMPORTER_LOOSE, depth + 1);
		}
		talloc_free(child);
	}
	talloc_free(tmp);
}

/* The base name of an absolute path ("root" for "/"). */
static const char *
importer_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : "root";
}

/* Walks one source (an absolute, resolved path). */
static void
importer_source(struct importer *im, const char *path)
{
	struct stat st;
	TALLOC_CTX *tmp = talloc_new(im->counting ? im->ctx : im->wctx);

	if (lstat(path, &st) != 0) {
		if (!im->counting)
			importer_walk_fail(im, "%s: %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		importer_walk(im, path, importer_folder_join(tmp, "", importer_base(path)),
		              IMPORTER_LOOSE, 0);
	} else {
		/* A lone file: its folder is its directory's (a maildir's, for cur/ and new/). */
		char *dir = talloc_strndup(tmp, path, (size_t)(strrchr(path, '/') - path));
		const char *parent = importer_base(dir);
		enum importer_kind kind = IMPORTER_LOOSE;

		if (!strcmp(parent, "cur") || !strcmp(parent, "new")) {
			kind = IMPORTER_IN_MAILDIR;
			*strrchr(dir, '/') = '\0';
			parent = *dir ? importer_base(dir) : "root";
		}
		importer_entry(im, path, importer_folder_join(tmp, "", parent), kind, &st);
	}
	talloc_free(tmp);
}

struct importer_walker {
	struct importer *im;
	char **sources;
	int n;
};

/* The walker thread: every source in order, then the END item. */
static void *
importer_walker(void *arg)
{
	struct importer_walker *w = arg;
	struct importer_item *end;

	for (int i = 0; i < w->n && !importer_halted(w->im); i++)
		importer_source(w->im, w->sources[i]);
	end = importer_item_new(w->im, IMPORTER_ITEM_END);
	if (!end)
		abort(); /* the indexer would wait for it forever */
	importer_push(w->im, end);
	return NULL;
}

/* ------------------------------------------------------------ main */

/* The absolute form of path, without trailing slashes (a child of ctx). */
static char *
importer_abs(TALLOC_CTX *ctx, const char *path)
{
	char *abs;
	size_t n;

	if (path[0] == '/') {
		abs = talloc_strdup(ctx, path);
	} else {
		char *cwd = getcwd(NULL, 0);

		abs = cwd ? talloc_asprintf(ctx, "%s/%s", cwd, path) : NULL;
		free(cwd);
	}
	n = abs ? strlen(abs) : 0;
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	return abs;
}

/* Whether directory dir holds nothing. */
static bool
importer_dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/*
 * Makes or opens the cache at im->dir: its config, its maildir root and
 * its database (opened read-write: the write lock keeps a second import
 * out while this one runs).
 */
static trawl_status_t
importer_open_cache(struct importer *im)
{
	struct stat st;
	char *err = NULL, *db;
	trawl_status_t ts;

	if (stat(im->config, &st) != 0) {
		if (errno != ENOENT) {
			importer_fail(im, "%s: %s", im->config, strerror(errno));
			return TRAWL_IO;
		}
		util_mkdirs_for(im->dir);
		if (mkdir(im->dir, 0700) != 0 && errno != EEXIST) {
			importer_fail(im, "%s: %s", im->dir, strerror(errno));
			return TRAWL_IO;
		}
		if (!importer_dir_empty(im->dir)) {
			importer_fail(im, "%s exists and is not a trawl cache (no notmuch-config)",
			              im->dir);
			return TRAWL_EXISTS;
		}
		ts = index_build_write_config(im->ctx, im->config, im->mail, "cache", &err);
		if (ts != TRAWL_OK) {
			importer_fail(im, "%s", err ? err : trawl_status_str(ts));
			return ts;
		}
	}
	if (mkdir(im->mail, 0700) != 0 && errno != EEXIST) {
		importer_fail(im, "%s: %s", im->mail, strerror(errno));
		return TRAWL_IO;
	}
	/* A run killed while the database was being made leaves .notmuch without xapian/. */
	db = talloc_asprintf(im->ctx, "%s/.notmuch/xapian", im->mail);
	if (db && stat(db, &st) == 0)
		ts = index_build_open(im->ctx, im->mail, im->config, &im->b, &err);
	else
		ts = index_build_create(im->ctx, im->mail, im->config, &im->b, &err);
	if (ts != TRAWL_OK) {
		importer_fail(im, "%s%s", err ? err : trawl_status_str(ts),
		              ts == TRAWL_LOCKED ? " (is another import running?)" : "");
		return ts;
	}
	/* The importer ends its batches itself, with the manifest protocol. */
	index_build_set_batch(im->b, 0);
	im->mail_fd = open(im->mail, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (im->mail_fd < 0 || stat(im->dir, &st) != 0) {
		importer_fail(im, "%s: %s", im->mail, strerror(errno));
		return TRAWL_IO;
	}
	im->cache_dev = st.st_dev;
	im->cache_ino = st.st_ino;
	return TRAWL_OK;
}

/* ------------------------------------------------------------ versions */

/* The tag of messages whose files make several versions (versions.h). */
#define IMPORTER_VERSIONS_TAG "versions"

static int
importer_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The Message-IDs of the manifest's "duplicate" rows from byte offset on
 * (those that may have got another file), each once, sorted.
 */
static trawl_status_t
importer_duplicate_ids(struct importer *im, TALLOC_CTX *ctx, off_t offset, char ***out, size_t *n)
{
	FILE *f = fopen(im->manifest_path, "re");
	char *line = NULL, **ids = NULL;
	size_t cap = 0, len = 0, room = 0, k = 0;
	ssize_t got;
	bool nomem = false;

	*out = NULL;
	*n = 0;
	if (!f || fseeko(f, offset, SEEK_SET) != 0) {
		importer_fail(im, "%s: %s", im->manifest_path, strerror(errno));
		if (f)
			fclose(f);
		return TRAWL_IO;
	}
	while (!nomem && (got = getline(&line, &cap, f)) > 0) {
		char *fields[IMPORTER_COLUMNS], *p = line;
		int nf = 0;

		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		while (nf < IMPORTER_COLUMNS) {
			fields[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf < 7 || strcmp(fields[6], "duplicate") != 0 || !*fields[5])
			continue;
		if (len == room) {
			char **nv = talloc_realloc(ctx, ids, char *, room ? room * 2 : 256);

			nomem = !nv;
			ids = nv ? nv : ids;
			room = nv ? (room ? room * 2 : 256) : room;
		}
		if (!nomem) {
			import_unescape(fields[5]);
			nomem = !(ids[len] = talloc_strdup(ids, fields[5]));
			len += !nomem;
		}
	}
	free(line);
	fclose(f);
	if (nomem) {
		importer_fail(im, "out of memory");
		return TRAWL_NOMEM;
	}
	if (len)
		qsort(ids, len, sizeof(ids[0]), importer_cmp_str);
	for (size_t i = 0; i < len; i++)
		if (!k || strcmp(ids[i], ids[k - 1]) != 0)
			ids[k++] = ids[i];
	*out = ids;
	*n = k;
	return TRAWL_OK;
}

/*
 * Tags the messages whose files make several versions "versions", and
 * untags those that no longer do: the messages of the manifest rows
 * written since the last time (all of them when the version rule changed,
 * or in a cache made before versions were tagged).  A message gets
 * another file only through a "duplicate" row, so nothing else needs
 * looking at.  Committed in batches with the offset reached, so an
 * interrupted run is finished by the next.
 */
static void
importer_versions(struct importer *im)
{
	TALLOC_CTX *tmp = talloc_new(im->ctx);
	char *done = NULL, **ids, value[64];
	off_t size = lseek(im->manifest_fd, 0, SEEK_END), offset = 0;
	size_t n = 0;
	unsigned long several = 0, changes = 0;
	int rule = 0;
	long long at = 0;

	if (!tmp || size < 0 ||
	    index_build_get_config(im->b, tmp, IMPORTER_VERSIONS_KEY, &done) != TRAWL_OK) {
		importer_fail(im, "%s: %s", im->mail,
		              size < 0 ? strerror(errno) : index_build_last_error(im->b));
		goto out;
	}
	if (sscanf(done, "%d %lld", &rule, &at) == 2 && rule == VERSIONS_RULE && at >= 0 &&
	    at <= (long long)size)
		offset = (off_t)at;
	if (offset == size)
		goto out;
	if (importer_duplicate_ids(im, tmp, offset, &ids, &n) != TRAWL_OK)
		goto out;
	for (size_t i = 0; i < n && !importer_stop; i++) {
		TALLOC_CTX *one = talloc_new(tmp);
		char **paths;
		size_t np;
		struct versions *v = NULL;
		bool changed, differ = false;
		trawl_status_t ts = index_build_message_files(im->b, one, ids[i], &paths, &np);

		if (ts == TRAWL_OK && np >= 2 &&
		    versions_compare(one, ids[i], im->mail, paths, np, NULL, NULL, &v) != TRAWL_OK)
			ts = TRAWL_NOMEM;
		differ = v && v->n_versions >= 2;
		if (ts == TRAWL_OK)
			ts = index_build_set_tag(im->b, ids[i], IMPORTER_VERSIONS_TAG, differ, &changed);
		talloc_free(one);
		if (ts == TRAWL_NOT_FOUND)
			continue;
		if (ts != TRAWL_OK) {
			importer_fail(im, "%s: %s", im->mail,
			              ts == TRAWL_NOMEM ? "out of memory"
			                                : index_build_last_error(im->b));
			goto out;
		}
		several += differ;
		if (changed && ++changes % im->batch == 0 && index_build_commit(im->b) != TRAWL_OK) {
			importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
			goto out;
		}
	}
	if (importer_stop)
		goto out;
	snprintf(value, sizeof(value), "%d %lld", VERSIONS_RULE, (long long)size);
	if (index_build_set_config(im->b, IMPORTER_VERSIONS_KEY, value) != TRAWL_OK ||
	    index_build_commit(im->b) != TRAWL_OK) {
		importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
		goto out;
	}
	if (several)
		printf("%lu message%s with several versions (files with other contents under one "
		       "Message-ID): tag:%s\n",
		       several, several == 1 ? "" : "s", IMPORTER_VERSIONS_TAG);
out:
	talloc_free(tmp);
}

static int
importer_usage(FILE *f, int status)
{
	fputs("usage: trawl import [--into DIR] SOURCE...\n"
	      "\n"
	      "Copies every message of the SOURCEs (maildirs, MH and Thunderbird folders,\n"
	      "mbox files, .eml and Apple Mail .emlx files, archives (zip, tar, tar.gz...,\n"
	      "7z, .mbox.gz), Outlook PST/OST stores (with readpst, from pst-utils) and\n"
	      "folders mixing them) into the trawl cache DIR (default ./trawl-cache), indexes\n"
	      "them, and lists every source message in DIR/manifest.tsv.  The sources are\n"
	      "only read.  Running it again adds only what is new, and finishes an\n"
	      "interrupted import.  Open the cache with: trawl --cache DIR\n",
	      f);
	return status;
}

int
importer_main(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"into", required_argument, NULL, 'i'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct importer *im;
	const char *into = "trawl-cache", *env;
	char **sources;
	int c, nsrc, rc = 0;
	struct timespec t0, t1;
	struct sigaction sa, old_int, old_term;
	double secs;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			into = optarg;
			break;
		case 'h':
			return importer_usage(stdout, 0);
		default:
			return importer_usage(stderr, 2);
		}
	}
	nsrc = argc - optind;
	if (nsrc < 1 || !*into) {
		importer_say(NULL, "import: %s", nsrc < 1 ? "a SOURCE is needed" : "--into: empty");
		return importer_usage(stderr, 2);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	im = talloc_zero(ctx, struct importer);
	if (!im)
		return 1;
	im->ctx = im;
	im->manifest_fd = im->mail_fd = -1;
	pthread_mutex_init(&im->q.lock, NULL);
	pthread_cond_init(&im->q.nonempty, NULL);
	pthread_cond_init(&im->q.nonfull, NULL);
	im->rows = talloc_strdup(im, "");
	im->dir = importer_abs(im, into);
	/* Test hooks: slow each message down, make small batches, die after a commit. */
	env = getenv("TRAWL_TEST_IMPORT_DELAY_US");
	im->delay_us = env ? (unsigned)strtoul(env, NULL, 10) : 0;
	env = getenv("TRAWL_TEST_IMPORT_BATCH");
	im->batch = env && atoi(env) > 0 ? (unsigned)atoi(env) : IMPORTER_BATCH;
	env = getenv("TRAWL_TEST_IMPORT_MEMBER_MAX");
	im->member_max = env && atol(env) > 0 ? (size_t)atol(env) : IMPORT_ARCHIVE_MEMBER_MAX;
	env = getenv("TRAWL_TEST_IMPORT_KILL_AFTER");
	im->die_after = env ? strtoul(env, NULL, 10) : 0;
	sources = talloc_array(im, char *, nsrc);
	if (!im->rows || !im->dir || !sources) {
		talloc_free(im);
		return 1;
	}
	/* Resolve every source first: a typo must not leave a half-made cache. */
	for (int i = 0; i < nsrc; i++) {
		char *real = realpath(argv[optind + i], NULL);

		if (!real) {
			importer_say(NULL, "%s: %s", argv[optind + i], strerror(errno));
			talloc_free(im);
			return 1;
		}
		sources[i] = talloc_strdup(sources, real);
		free(real);
		if (!sources[i]) {
			talloc_free(im);
			return 1;
		}
	}
	im->mail = talloc_asprintf(im, "%s/mail", im->dir);
	im->config = talloc_asprintf(im, "%s/notmuch-config", im->dir);
	im->manifest_path = talloc_asprintf(im, "%s/manifest.tsv", im->dir);
	im->pending_path = talloc_asprintf(im, "%s/.import-pending", im->dir);
	if (!im->mail || !im->config || !im->manifest_path || !im->pending_path) {
		talloc_free(im);
		return 1;
	}
	for (int i = 0; i < nsrc; i++) {
		size_t dl = strlen(im->dir);

		/* A source holding the cache is fine (the cache is passed over); the reverse is
		 * not. */
		if (!strncmp(sources[i], im->dir, dl) &&
		    (sources[i][dl] == '/' || !sources[i][dl])) {
			importer_say(NULL, "%s: a source cannot be inside the cache %s", sources[i],
			             im->dir);
			talloc_free(im);
			return 1;
		}
	}

	if (importer_open_cache(im) == TRAWL_OK && importer_recover(im) == TRAWL_OK)
		importer_load_manifest(im);
	if (!im->fatal)
		importer_pst_clean(im);
	if (!im->fatal) {
		im->counting = true;
		for (int i = 0; i < nsrc && !im->fatal; i++)
			importer_source(im, sources[i]);
		im->counting = false;
	}
	if (!im->fatal) {
		struct importer_walker w = {im, sources, nsrc};
		pthread_t walker;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = importer_on_signal;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		im->progress = importer_progress_new(im, "importing: files", im->files_total,
		                                     im->bytes_total,
		                                     getenv("TRAWL_TEST_PROGRESS") != NULL);
		im->wctx = talloc_new(NULL);
		if (!im->wctx || pthread_create(&walker, NULL, importer_walker, &w) != 0) {
			importer_fail(im, "cannot start the walker thread");
		} else {
			importer_consume(im);
			pthread_join(walker, NULL);
			importer_progress_update(im->progress, im->files_total, im->bytes_total,
			                         im->n_messages);
		}
		TALLOC_FREE(im->wctx);
		importer_flush(im);
		if (im->b && !im->fatal && !importer_stop)
			importer_versions(im);
		importer_progress_end(im->progress);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (im->b && !im->fatal && index_build_close(im->b) != TRAWL_OK)
		importer_fail(im, "%s: %s", im->mail, index_build_last_error(im->b));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = import_seconds(&t0, &t1);
	if (im->fatal) {
		/* Xapian says "Error writing block 7": the reason comes first, and what to do. */
		char *full = util_disk_full(im->ctx, im->dir);

		if (full && !strstr(im->fatal, "the disk is full"))
			importer_say(NULL, "import stopped: %s: %s; free some space and run the same "
			             "command again to resume", full, im->fatal);
		else
			importer_say(NULL, "import stopped: %s; run the same command again to resume",
			             im->fatal);
		rc = 1;
	} else if (importer_stop) {
		importer_say(NULL, "import interrupted; run the same command again to resume");
		rc = 130;
	}
	if (!im->n_imported && !im->n_duplicates && !im->n_skipped && !im->n_errors && !im->fatal &&
	    !importer_stop) {
		char g[32];

		printf("nothing new: every source message (%s) is already in the cache %s\n",
		       util_group_digits(g, sizeof(g), im->n_already), im->dir);
	} else {
		char g[6][32];

		printf("%s imported, %s duplicates, %s skipped, %s errors, %s already in the "
		       "cache; %s messages in %.1f s (%.0f messages/s)\n",
		       util_group_digits(g[0], 32, im->n_imported),
		       util_group_digits(g[1], 32, im->n_duplicates),
		       util_group_digits(g[2], 32, im->n_skipped),
		       util_group_digits(g[3], 32, im->n_errors),
		       util_group_digits(g[4], 32, im->n_already),
		       util_group_digits(g[5], 32, im->n_messages), secs,
		       secs > 0 ? (double)im->n_messages / secs : 0.0);
		if (!rc)
			printf("open it with: trawl --cache %s\n", im->dir);
	}
	if (!rc && im->n_errors)
		rc = 1;
	if (im->manifest_fd >= 0)
		close(im->manifest_fd);
	if (im->mail_fd >= 0)
		close(im->mail_fd);
	importer_stop = 0;
	pthread_cond_destroy(&im->q.nonfull);
	pthread_cond_destroy(&im->q.nonempty);
	pthread_mutex_destroy(&im->q.lock);
	talloc_free(im);
	return rc;
}
