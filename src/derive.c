/*
 * derive: the text of attachments made searchable.  See include/trawl/derive.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trawl/derive.h"
#include "trawl/extract.h"
#include "trawl/index-build.h"
#include "trawl/render.h"
#include "trawl/sha256.h"
#include "trawl/text.h"
#include "trawl/util.h"

/*
 * The write lock is taken only to index what was extracted, and let go
 * after this many messages or milliseconds, whichever comes first: a
 * reviewer's tag changes (queued by the reader while the lock is held)
 * wait at most that long, and a crash loses at most that, which the next
 * run redoes.
 */
#define DERIVE_COMMIT_EVERY 25
#define DERIVE_COMMIT_MS 1000
/*
 * Bytes of text in one derived file, then each attachment left is only
 * named (a message with hundreds of attachments of EXTRACT_MAX_TEXT each);
 * and bytes of derived files prepared before a batch is indexed.
 */
#define DERIVE_MAX_BODY (64 << 20)
#define DERIVE_MAX_BATCH (128 << 20)
/* Bytes of an original's header block copied at most (a hostile one may have no end). */
#define DERIVE_MAX_HEAD (256 << 10)

/* The original header fields copied into a derived file, so its terms are the message's. */
static const char *const derive_copied[] = {
        "From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
};

struct derive {
	index_t *idx;     /* read-only: what to do is decided without the write lock */
	index_build_t *b; /* read-write, open only while indexing (derive_builder) */
	TALLOC_CTX *ctx;
	char **error;     /* why the builder could not be opened or closed */
	const char *root; /* the mail root */
	FILE *log;
	struct derive_result *res;
	bool progress;
	size_t done, total;
	struct timespec shown; /* when the progress line was last drawn */
};

char *
derive_path(TALLOC_CTX *ctx, const char *mail_root, const char *message_id)
{
	char *sum = sha256_hex(ctx, message_id, strlen(message_id));
	char *path;

	if (!sum)
		return NULL;
	path = talloc_asprintf(ctx, "%s/%s/%.2s/%s.eml", mail_root, INDEX_DERIVED_DIR, sum, sum);
	talloc_free(sum);
	return path;
}

/* path relative to root when under it, neutralised to one line (for headers and the log). */
static char *
derive_rel(TALLOC_CTX *ctx, const char *root, const char *path)
{
	size_t len = strlen(root);

	if (!strncmp(path, root, len) && path[len] == '/')
		path += len + 1;
	return text_sanitize(ctx, path, strlen(path));
}

/* The SHA-256 of the file at path (read-only, never through a symlink), or NULL. */
static char *
derive_file_sha256(TALLOC_CTX *ctx, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	sha256_t *h;
	char buf[65536], *hex = NULL;
	ssize_t got;

	if (fd < 0)
		return NULL;
	h = sha256_new(ctx);
	while (h && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			talloc_free(h);
			h = NULL;
			break;
		}
		sha256_update(h, buf, (size_t)got);
	}
	close(fd);
	if (h) {
		hex = sha256_finish(h, ctx);
		talloc_free(h);
	}
	return hex;
}

/* Up to max bytes of the file at path (NUL-terminated, child of ctx), or NULL. */
static char *
derive_read_head(TALLOC_CTX *ctx, const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *buf;
	size_t have = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	buf = talloc_array(ctx, char, max + 1);
	while (buf && have < max) {
		ssize_t got = read(fd, buf + have, max - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	if (buf) {
		buf[have] = '\0';
		*len = have;
	}
	return buf;
}

/*
 * Calls fn for each header field of the header block at the start of buf
 * (an mbox "From " line first is passed over), with the field's name and
 * the whole field as in the file (continuation lines included, without
 * the final line break); stops at the blank line ending the block.
 */
typedef void (*derive_field_fn)(void *ud, const char *name, size_t name_len, const char *field,
                                size_t field_len);

static void
derive_fields(const char *buf, size_t len, derive_field_fn fn, void *ud)
{
	const char *p = buf, *end = buf + len;

	if (len >= 5 && !strncmp(p, "From ", 5)) {
		const char *nl = memchr(p, '\n', len);

		p = nl ? nl + 1 : end;
	}
	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		const char *start = p, *colon, *stop;

		/* The field goes on while the next line starts with a space or a tab. */
		do {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			p = nl ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		stop = p;
		while (stop > start && (stop[-1] == '\n' || stop[-1] == '\r'))
			stop--;
		colon = memchr(start, ':', (size_t)(stop - start));
		if (colon && colon > start)
			fn(ud, start, (size_t)(colon - start), start, (size_t)(stop - start));
	}
}

struct derive_copy {
	TALLOC_CTX *ctx;
	char *out; /* the copied fields, each ending in "\n" */
	int have_id;
};

static void
derive_copy_field(void *ud, const char *name, size_t name_len, const char *field, size_t field_len)
{
	struct derive_copy *c = ud;

	for (size_t i = 0; i < sizeof(derive_copied) / sizeof(*derive_copied); i++) {
		if (strlen(derive_copied[i]) != name_len ||
		    strncasecmp(derive_copied[i], name, name_len))
			continue;
		/*
		 * Every occurrence, in order: the copy then parses as the original
		 * does, whichever occurrence GMime and notmuch take.
		 */
		c->have_id |= i == 5;
		/* Byte for byte but for CR, NUL and a bare line break, which would end the block.
		 */
		char *line = talloc_array(c->ctx, char, field_len + 1);
		size_t o = 0;

		if (!line) {
			TALLOC_FREE(c->out);
			return;
		}
		for (size_t k = 0; k < field_len; k++) {
			char ch = field[k];

			if (ch == '\r' || ch == '\0')
				continue;
			if (ch == '\n' &&
			    (k + 1 >= field_len || (field[k + 1] != ' ' && field[k + 1] != '\t')))
				continue;
			line[o++] = ch;
		}
		line[o] = '\0';
		if (c->out)
			c->out = talloc_asprintf_append_buffer(c->out, "%s", line);
		talloc_free(line);
		if (c->out)
			c->out = talloc_asprintf_append_buffer(c->out, "\n");
		return;
	}
}

/* What a derived file's header says about how it was made. */
struct derive_stamp {
	char *extractor;
	char *sources; /* the X-Trawl-Source values, each ending in "\n" */
};

static void
derive_stamp_field(void *ud, const char *name, size_t name_len, const char *field, size_t field_len)
{
	struct derive_stamp *s = ud;
	const char *v = field + name_len + 1;
	size_t vl = field_len - name_len - 1;

	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	if (name_len == 17 && !strncasecmp(name, "X-Trawl-Extractor", 17) && s->extractor)
		s->extractor = talloc_strndup_append(s->extractor, v, vl);
	else if (name_len == 14 && !strncasecmp(name, "X-Trawl-Source", 14) && s->sources)
		s->sources = talloc_asprintf_append(s->sources, "%.*s\n", (int)vl, v);
}

/* A TSV field: backslash, tab and line breaks escaped as \\ \t \n \r. */
static void
derive_tsv(FILE *f, const char *s, int last)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else
			fputc(*s, f);
	}
	fputc(last ? '\n' : '\t', f);
}

static void
derive_log(struct derive *d, const char *status, const char *id, char **rels, char **sums, size_t n,
           const char *derived_rel, const char *derived_sum, const char *names)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!d->log)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < (n ? n : 1); i++) {
		derive_tsv(d->log, when, 0);
		derive_tsv(d->log, status, 0);
		derive_tsv(d->log, id, 0);
		derive_tsv(d->log, n ? rels[i] : "", 0);
		derive_tsv(d->log, n ? sums[i] : "", 0);
		derive_tsv(d->log, derived_rel, 0);
		derive_tsv(d->log, derived_sum, 0);
		derive_tsv(d->log, names, 0);
		derive_tsv(d->log, DERIVE_EXTRACTOR, 1);
	}
	fflush(d->log);
}

static void
derive_progress(struct derive *d, int last)
{
	struct timespec now;

	if (!d->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last &&
	    (now.tv_sec - d->shown.tv_sec) * 1000 + (now.tv_nsec - d->shown.tv_nsec) / 1000000 <
	            200)
		return;
	d->shown = now;
	fprintf(stderr, "\rtrawl extract: %zu/%zu messages, %u extracted, %u attachments%s",
	        d->done, d->total, d->res->extracted, d->res->attachments, last ? "\n" : "");
	fflush(stderr);
}

/*
 * Appends the text of the attachments of the original at path to *body and
 * their names to *names, skipping those whose content (SHA-256) is in
 * *seen already.  Returns the number appended, -1 when the file cannot be
 * read.
 */
static int
derive_attachments(struct derive *d, TALLOC_CTX *ctx, const char *path, char **body, char **names,
                   char **seen, char **headers)
{
	TALLOC_CTX *rctx = talloc_new(ctx);
	struct render_message *r;
	int added = 0;

	if (!rctx || render_file(rctx, path, NULL, &r) != TRAWL_OK) {
		talloc_free(rctx);
		return -1;
	}
	for (size_t a = 0; a < r->n_attachments; a++) {
		const struct render_attachment *at = &r->attachments[a];
		TALLOC_CTX *tmp = talloc_new(rctx);
		struct extract_result *x = NULL;
		char *data = NULL, *sum, *name;
		size_t len = 0;
		trawl_status_t ts;

		ts = render_attachment_bytes(tmp, path, at->index, EXTRACT_MAX_ATTACHMENT, &data,
		                             &len);
		sum = ts == TRAWL_OK ? sha256_hex(tmp, data, len) : NULL;
		if (sum && strstr(*seen, sum)) {
			talloc_free(tmp);
			continue;
		}
		if (sum)
			*seen = talloc_asprintf_append(*seen, "%s\n", sum);
		name = *at->filename ? text_sanitize(tmp, at->filename, strlen(at->filename))
		                     : talloc_strdup(tmp, at->safe_name);
		if (name && strlen(name) > 200)
			name[200] = '\0'; /* may cut a character: it is a search term, not a name */
		if (name && !util_utf8_valid(name))
			name = talloc_strdup(tmp, at->safe_name);
		*body = talloc_asprintf_append_buffer(
		        *body, "%s\u2014 attachment: %s (%s, %zu bytes, SHA-256 %s) \u2014\n",
		        **body ? "\n" : "", name ? name : "", at->mime_type, at->size,
		        sum ? sum : "unknown");
		/*
		 * One field for all names: notmuch indexes only the first field of
		 * a name for index.header (GMime's get_header), so a second
		 * X-Trawl-Attachment would not be searchable.
		 */
		*headers = talloc_asprintf_append_buffer(*headers, "%s%s", **headers ? "; " : "",
		                                         name ? name : "");
		*names = talloc_asprintf_append_buffer(*names, "%s%s", **names ? "/" : "",
		                                       at->safe_name);
		if (ts == TRAWL_OK && strlen(*body) > DERIVE_MAX_BODY)
			*body = talloc_asprintf_append_buffer(
			        *body, "(not read: the derived file has %d MiB of text already)\n",
			        DERIVE_MAX_BODY >> 20);
		else if (ts == TRAWL_LIMIT)
			*body = talloc_asprintf_append_buffer(*body,
			                                      "(not read: larger than %zu MiB)\n",
			                                      EXTRACT_MAX_ATTACHMENT >> 20);
		else if (ts != TRAWL_OK)
			*body = talloc_asprintf_append_buffer(*body, "(not read: %s)\n",
			                                      trawl_status_str(ts));
		else if (extract_in_child(tmp, data, len, at->mime_type, NULL, at->filename, &x) !=
		         TRAWL_OK)
			*body = talloc_asprintf_append_buffer(
			        *body, "(not read: no process could be started)\n");
		else {
			/* Neutralised already: only '\n' among the controls, valid UTF-8. */
			*body = talloc_asprintf_append_buffer(
			        *body, "%s%s", x->text,
			        x->len && x->text[x->len - 1] != '\n' ? "\n" : "");
			if (x->reason)
				*body = talloc_asprintf_append_buffer(*body, "(%s)\n", x->reason);
			d->res->attachments++;
		}
		added++;
		talloc_free(tmp);
	}
	talloc_free(rctx);
	return added;
}

/* Writes content to path through a temporary file renamed over it; 0 or -1 (errno). */
static int
derive_write(TALLOC_CTX *ctx, const char *path, const char *content, size_t len)
{
	char *tmp;
	int fd, err;

	if (util_mkdirs_for(path) < 0)
		return -1;
	tmp = util_tmp_name(ctx, path);
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, content, len) < 0 || fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

static long
derive_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The read-write handle, opened (waiting for the write lock) when there is none. */
static trawl_status_t
derive_builder(struct derive *d)
{
	trawl_status_t ts;

	if (d->b)
		return TRAWL_OK;
	ts = index_build_open(d->ctx, index_db_path(d->idx), index_config_path(d->idx), &d->b,
	                      d->error);
	if (ts != TRAWL_OK)
		return ts;
	index_build_set_batch(d->b, 0);
	return TRAWL_OK;
}

/* Commits, closes the read-write handle and so lets the write lock go. */
static trawl_status_t
derive_release(struct derive *d)
{
	trawl_status_t ts;

	if (!d->b)
		return TRAWL_OK;
	ts = index_build_close(d->b);
	if (ts != TRAWL_OK && !*d->error)
		*d->error = talloc_strdup(d->ctx, index_build_last_error(d->b));
	talloc_free(d->b);
	d->b = NULL;
	return ts;
}

/* What derive_prepare() found a message needs, for derive_apply(). */
struct derive_prep {
	const char *id;
	char **rels, **sums; /* the originals, relative to the mail root, and their SHA-256 */
	size_t n;
	const char *dpath, *drel; /* the derived file, absolute and relative */
	const char *names;        /* the attachments' safe names, for the log */
	const char *status;       /* "extracted" or "replaced" */
	const char *content;      /* the derived file; NULL when there is nothing to derive */
	const char *dsum;
	bool had_file; /* a derived file was there */
	int found;     /* attachments found */
};

/*
 * One message, without the write lock: *out NULL when its derived file is
 * up to date (or it failed, counted and said), else what to write.  The
 * text is extracted here, so the lock is never held while a document is
 * parsed.
 */
static trawl_status_t
derive_prepare(struct derive *d, TALLOC_CTX *ctx, const char *id, struct derive_prep **out)
{
	char **paths = NULL, **sums, **rels, *dpath, *drel, *sources, *indexed = NULL;
	struct index_message_info info;
	bool had_file;
	char *body, *names, *seen, *headers, *content = NULL, *dsum = NULL, *head;
	struct derive_prep *p;
	struct derive_copy copy = {.ctx = ctx};
	struct derive_stamp stamp = {0};
	const char *status = "extracted";
	size_t n = 0, hlen;
	trawl_status_t ts;
	int found = 0;

	*out = NULL;

	/*
	 * The originals only (index.h): a derived file is never a source.  By
	 * id, so search.exclude_tags cannot hide a message asked for by name.
	 */
	ts = index_message_info(d->idx, ctx, id, NULL, &info);
	if (ts != TRAWL_OK && ts != TRAWL_NOT_FOUND) {
		text_warn("%s", index_last_error(d->idx));
		return ts == TRAWL_NOMEM ? ts : TRAWL_DB;
	}
	if (ts == TRAWL_OK) {
		paths = info.filenames;
		n = info.n_filenames;
	}
	if (!n) {
		text_warn("id:%s: no original file to extract from", id);
		d->res->failed++;
		return TRAWL_OK;
	}
	sums = talloc_array(ctx, char *, n);
	rels = talloc_array(ctx, char *, n);
	sources = talloc_strdup(ctx, "");
	if (!sums || !rels || !sources)
		return TRAWL_NOMEM;
	for (size_t i = 0; i < n; i++) {
		sums[i] = derive_file_sha256(ctx, paths[i]);
		rels[i] = derive_rel(ctx, d->root, paths[i]);
		if (!sums[i]) {
			text_warn("%s: cannot read: %s", paths[i], strerror(errno));
			d->res->failed++;
			return TRAWL_OK;
		}
		sources = talloc_asprintf_append(sources, "%s %s\n", sums[i], rels[i]);
	}
	dpath = derive_path(ctx, d->root, id);
	drel = dpath ? derive_rel(ctx, d->root, dpath) : NULL;
	if (!sources || !drel)
		return TRAWL_NOMEM;

	/* Up to date: made by this extractor from these very files, and indexed. */
	ts = index_file_message(d->idx, ctx, dpath, &indexed);
	if (ts != TRAWL_OK && ts != TRAWL_NOT_FOUND)
		return TRAWL_DB;
	head = derive_read_head(ctx, dpath, 1 << 16, &hlen);
	had_file = head != NULL;
	if (head) {
		stamp.extractor = talloc_strdup(ctx, "");
		stamp.sources = talloc_strdup(ctx, "");
		derive_fields(head, hlen, derive_stamp_field, &stamp);
		if (indexed && !strcmp(indexed, id) && stamp.extractor &&
		    !strcmp(stamp.extractor, DERIVE_EXTRACTOR) && stamp.sources &&
		    !strcmp(stamp.sources, sources)) {
			d->res->up_to_date++;
			return TRAWL_OK;
		}
		status = "replaced";
	}
	talloc_free(head);

	/* The text of every original's attachments, each content once. */
	body = talloc_strdup(ctx, "");
	names = talloc_strdup(ctx, "");
	seen = talloc_strdup(ctx, "");
	headers = talloc_strdup(ctx, "");
	for (size_t i = 0; i < n && body && names && seen && headers; i++) {
		int got = derive_attachments(d, ctx, paths[i], &body, &names, &seen, &headers);

		found += got > 0 ? got : 0;
	}
	if (!body || !names || !seen || !headers)
		return TRAWL_NOMEM;

	/* The original's own header lines, so the message's terms and thread stay as they are. */
	head = derive_read_head(ctx, paths[0], DERIVE_MAX_HEAD, &hlen);
	copy.out = talloc_strdup(ctx, "");
	if (head)
		derive_fields(head, hlen, derive_copy_field, &copy);
	talloc_free(head);
	if (!copy.out)
		return TRAWL_NOMEM;
	if (!copy.have_id)
		copy.out = talloc_asprintf_append(copy.out, "Message-ID: <%s>\n", id);
	if (!found && !had_file && !indexed) {
		/* Nothing to derive and nothing from before: no need of the write lock. */
		d->res->no_attachments++;
		return TRAWL_OK;
	}

	if (found) {
		content = talloc_asprintf(ctx,
		                          "%sMIME-Version: 1.0\n"
		                          "Content-Type: text/plain; charset=utf-8\n"
		                          "Content-Transfer-Encoding: 8bit\n"
		                          "X-Trawl-Derived: attachment-text\n"
		                          "X-Trawl-Extractor: %s\n",
		                          copy.out, DERIVE_EXTRACTOR);
		for (size_t i = 0; content && i < n; i++)
			content = talloc_asprintf_append_buffer(content, "X-Trawl-Source: %s %s\n",
			                                        sums[i], rels[i]);
		if (content)
			content = talloc_asprintf_append_buffer(
			        content, "X-Trawl-Attachment: %s\n\n%s", headers, body);
		if (!content)
			return TRAWL_NOMEM;
		dsum = sha256_hex(ctx, content, strlen(content));
	}
	p = talloc_zero(ctx, struct derive_prep);
	if (!p)
		return TRAWL_NOMEM;
	*p = (struct derive_prep){
	        .id = id,
	        .rels = rels,
	        .sums = sums,
	        .n = n,
	        .dpath = dpath,
	        .drel = drel,
	        .names = names,
	        .status = status,
	        .content = content,
	        .dsum = dsum,
	        .had_file = had_file,
	        .found = found,
	};
	*out = p;
	return TRAWL_OK;
}

/* The writes of one message prepared, under the write lock.  TRAWL_DB stops the run. */
static trawl_status_t
derive_apply(struct derive *d, TALLOC_CTX *ctx, const struct derive_prep *p)
{
	const char *id = p->id, *dpath = p->dpath, *drel = p->drel, *names = p->names;
	const char *content = p->content;
	char **rels = p->rels, **sums = p->sums, *indexed = NULL;
	struct index_build_message info;
	size_t n = p->n;
	bool was_indexed;
	trawl_status_t ts;

	/* The holder of the write lock says whether the file is indexed. */
	ts = index_build_find_file(d->b, ctx, dpath, &indexed);
	if (ts != TRAWL_OK && ts != TRAWL_NOT_FOUND)
		return TRAWL_DB;
	was_indexed = indexed != NULL;
	if (was_indexed) {
		/* Out of the message first: its terms go with the reindex below. */
		if (index_build_remove_file(d->b, dpath) != TRAWL_OK)
			return TRAWL_DB;
	}
	if (!p->found) {
		/* Nothing to derive (any more): no file, and none left from before. */
		if (p->had_file && unlink(dpath) < 0 && errno != ENOENT)
			text_warn("%s: cannot remove: %s", dpath, strerror(errno));
		if (was_indexed && index_build_reindex(d->b, id) != TRAWL_OK)
			return TRAWL_DB;
		d->res->no_attachments++;
		return TRAWL_OK;
	}
	if (derive_write(ctx, dpath, content, strlen(content)) < 0) {
		text_warn("%s: cannot write: %s", dpath, strerror(errno));
		derive_log(d, "failed: cannot write", id, rels, sums, n, drel, "", names);
		d->res->failed++;
		return was_indexed && index_build_reindex(d->b, id) != TRAWL_OK ? TRAWL_DB
		                                                                : TRAWL_OK;
	}
	ts = index_build_add_message(d->b, ctx, dpath, &info);
	if (ts == TRAWL_OK && (!info.duplicate || strcmp(info.message_id, id))) {
		/*
		 * notmuch read another Message-ID from it: the file made a message
		 * of its own (or joined another).  Take it out again, whole.
		 */
		text_warn("id:%s: the derived file was read as id:%s; removed", id,
		          info.message_id);
		if (index_build_remove_file(d->b, dpath) != TRAWL_OK)
			return TRAWL_DB;
		unlink(dpath);
		derive_log(d, "failed: Message-ID not kept", id, rels, sums, n, drel, "", names);
		d->res->failed++;
		return was_indexed && index_build_reindex(d->b, id) != TRAWL_OK ? TRAWL_DB
		                                                                : TRAWL_OK;
	}
	if (ts == TRAWL_PARSE || ts == TRAWL_IO) {
		text_warn("%s", index_build_last_error(d->b));
		unlink(dpath);
		derive_log(d, "failed: not indexed", id, rels, sums, n, drel, "", names);
		d->res->failed++;
		return TRAWL_OK;
	}
	if (ts != TRAWL_OK)
		return TRAWL_DB;
	if (was_indexed && index_build_reindex(d->b, id) != TRAWL_OK)
		return TRAWL_DB;
	derive_log(d, p->status, id, rels, sums, n, drel, p->dsum ? p->dsum : "", names);
	d->res->extracted++;
	return TRAWL_OK;
}

/*
 * Makes the attachment names searchable as AttachmentText:WORD by any
 * client of the database: index.header.AttachmentText=X-Trawl-Attachment
 * in the database's own config, when that key is unset.  libnotmuch reads
 * user headers when a handle opens, so the builder is reopened after.
 */
static trawl_status_t
derive_name_prefix(struct derive *d)
{
	char *value = NULL;
	trawl_status_t ts = derive_builder(d);

	if (ts == TRAWL_OK)
		ts = index_build_get_config(d->b, d->ctx, "index.header." DERIVE_NAME_PREFIX,
		                            &value);
	if (ts == TRAWL_OK && !*value)
		ts = index_build_set_config(d->b, "index.header." DERIVE_NAME_PREFIX,
		                            "X-Trawl-Attachment");
	if (ts != TRAWL_OK && !*d->error && d->b)
		*d->error = talloc_strdup(d->ctx, index_build_last_error(d->b));
	if (ts == TRAWL_OK)
		return derive_release(d);
	derive_release(d);
	return ts;
}

trawl_status_t
derive_run(index_t *idx, TALLOC_CTX *ctx, const struct derive_opts *o, struct derive_result *res,
           char **error)
{
	struct derive d = {
	        .idx = idx, .ctx = ctx, .error = error, .res = res, .progress = o->progress};
	char **ids = NULL, *query;
	size_t n = 0;
	trawl_status_t ts;
	struct stat st;
	int fd;

	memset(res, 0, sizeof(*res));
	*error = NULL;
	query = index_query_and(ctx, o->query, "tag:attachment");
	if (!query)
		return TRAWL_NOMEM;
	ts = index_message_ids(idx, ctx, query, &ids, &n);
	if (ts != TRAWL_OK) {
		*error = talloc_strdup(ctx, index_last_error(idx));
		return ts;
	}
	if (util_mkdirs_for(o->log_path) < 0) {
		*error = talloc_asprintf(ctx, "%s: %s", o->log_path, strerror(errno));
		return TRAWL_IO;
	}
	/* Mode 0600: it names the evidence's files and attachments. */
	fd = open(o->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	d.log = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!d.log) {
		if (fd >= 0)
			close(fd);
		*error = talloc_asprintf(ctx, "%s: %s", o->log_path, strerror(errno));
		return TRAWL_IO;
	}
	if (fstat(fileno(d.log), &st) == 0 && st.st_size == 0)
		fputs("time\tstatus\tmessage_id\toriginal_path\toriginal_sha256\tderived_path\t"
		      "derived_sha256\tattachments\textractor\n",
		      d.log);
	ts = derive_name_prefix(&d);
	if (ts != TRAWL_OK) {
		fclose(d.log);
		return ts;
	}
	d.root = index_mail_root(idx);
	d.total = n;
	for (size_t i = 0; i < n && ts == TRAWL_OK;) {
		TALLOC_CTX *batch = talloc_new(ctx);
		struct derive_prep *preps[DERIVE_COMMIT_EVERY];
		size_t np = 0, bytes = 0;
		struct timespec began;

		/* Extract a batch without the lock, then index it under the lock. */
		clock_gettime(CLOCK_MONOTONIC, &began);
		while (i < n && np < DERIVE_COMMIT_EVERY && ts == TRAWL_OK) {
			struct derive_prep *p = NULL;

			ts = batch ? derive_prepare(&d, batch, ids[i], &p) : TRAWL_NOMEM;
			d.done = ++i;
			if (p) {
				preps[np++] = p;
				bytes += p->content ? strlen(p->content) : 0;
			}
			derive_progress(&d, 0);
			if (np && (derive_ms_since(&began) >= DERIVE_COMMIT_MS ||
			           bytes >= DERIVE_MAX_BATCH))
				break;
		}
		if (ts == TRAWL_OK && np)
			ts = derive_builder(&d);
		for (size_t k = 0; k < np && ts == TRAWL_OK; k++)
			ts = derive_apply(&d, batch, preps[k]);
		if (d.b) {
			trawl_status_t closed = derive_release(&d);

			ts = ts == TRAWL_OK ? closed : ts;
		}
		talloc_free(batch);
	}
	if (ts != TRAWL_OK && !*error)
		*error = talloc_strdup(ctx, trawl_status_str(ts));
	derive_progress(&d, 1);
	if (fclose(d.log) != 0 && ts == TRAWL_OK) {
		*error = talloc_asprintf(ctx, "%s: %s", o->log_path, strerror(errno));
		ts = TRAWL_IO;
	}
	return ts;
}

static int
derive_usage(FILE *f, int status)
{
	fputs("usage: trawl extract [--cache DIR] [QUERY...]\n"
	      "\n"
	      "Makes the text of the attachments (PDF, office documents, zips, text) of\n"
	      "the messages of QUERY (default: all) searchable by notmuch: for each\n"
	      "message with attachments, a derived file with its Message-ID and that\n"
	      "text goes in MAIL_ROOT/" INDEX_DERIVED_DIR "/ and is indexed into the message;\n"
	      "each is listed in derived.tsv (DIR/derived.tsv with --cache, else\n"
	      "DATABASE/.notmuch/trawl/derived.tsv).  Mail files are never changed.\n"
	      "Messages whose derived file is up to date are left alone.  Attachment\n"
	      "names are searchable as " DERIVE_NAME_PREFIX ":WORD.\n",
	      f);
	return status;
}

int
derive_main(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"cache", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct derive_opts o = {.progress = isatty(STDERR_FILENO)};
	struct derive_result res;
	const char *cache = NULL;
	char *err = NULL, *query;
	index_t *idx = NULL;
	trawl_status_t ts;
	struct timespec t0, t1;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			cache = optarg;
		else if (c == 'h')
			return derive_usage(stdout, 0);
		else
			return derive_usage(stderr, 2);
	}
	query = optind < argc ? util_join(ctx, argc, argv, optind) : talloc_strdup(ctx, "*");
	if (index_open_case(ctx, cache, &idx, &err) != TRAWL_OK) {
		text_warn("%s", err ? err : "cannot open the notmuch database");
		return 1;
	}
	if (index_check_query(idx, query) != TRAWL_OK) {
		text_warn("%s", index_last_error(idx));
		return 1;
	}
	o.query = query;
	o.log_path =
	        cache ? talloc_asprintf(ctx, "%s/derived.tsv", cache)
	              : talloc_asprintf(ctx, "%s/.notmuch/trawl/derived.tsv", index_db_path(idx));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts = derive_run(idx, ctx, &o, &res, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%u extracted, %u up to date", res.extracted, res.up_to_date);
	if (res.failed)
		printf(", %u failed", res.failed);
	if (res.no_attachments)
		printf(", %u without attachments", res.no_attachments);
	printf(" (%u attachments read, %.1f s)\n", res.attachments,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (ts != TRAWL_OK) {
		text_warn("%s", err ? err : trawl_status_str(ts));
		return 1;
	}
	return res.failed ? 1 : 0;
}
