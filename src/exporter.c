/*
 * exporter: a query's messages out as mbox or .eml files with a CSV
 * index.  See include/trawl/exporter.h.
 *
 * The message ids are taken first (a snapshot, oldest first), then each
 * message is looked up on its own: no notmuch iterator stays open while
 * files are written, so a long export does not hold one across another
 * process's commits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/exporter.h"
#include "trawl/importer.h"
#include "trawl/sha256.h"
#include "trawl/text.h"
#include "trawl/util.h"

static const char *const exporter_wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const exporter_mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static const char exporter_csv_header[] =
        "\"date\",\"from\",\"to\",\"cc\",\"subject\",\"tags\",\"message_id\",\"folder\","
        "\"source\",\"sha256\",\"path\",\"offset\",\"note\"\r\n";

/* An output file written under a temporary name and renamed when complete. */
struct exporter_out {
	char *path;
	char *tmp;
	FILE *f;
};

struct exporter {
	TALLOC_CTX *ctx;
	index_t *idx;
	const struct exporter_opts *o;
	struct exporter_out mbox, csv;
	char *mbox_base; /* the mbox file's name, for the CSV */
	off_t mbox_off;
	char *error;
};

static void exporter_warn(struct exporter *ex, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
exporter_warn(struct exporter *ex, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!ex->o->warn)
		return;
	va_start(ap, fmt);
	s = talloc_vasprintf(ex->ctx, fmt, ap);
	va_end(ap);
	if (s)
		ex->o->warn(ex->o->ud, s);
	talloc_free(s);
}

static bool
exporter_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Whether dir is absent or holds nothing. */
static bool
exporter_dir_free(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

trawl_status_t
exporter_check(TALLOC_CTX *ctx, const struct exporter_opts *o, char **error)
{
	*error = NULL;
	if (!o->mbox == !o->dir) {
		*error = talloc_strdup(ctx, "export: give one of --mbox FILE and --dir DIR");
		return TRAWL_USAGE;
	}
	if ((o->mbox && !*o->mbox) || (o->dir && !*o->dir) || (o->csv && !*o->csv)) {
		*error = talloc_strdup(ctx, "export: an empty file name");
		return TRAWL_USAGE;
	}
	if (o->csv && o->mbox && !strcmp(o->csv, o->mbox)) {
		*error = talloc_strdup(ctx, "export: --csv and --mbox name the same file");
		return TRAWL_USAGE;
	}
	if (o->force)
		return TRAWL_OK;
	if (o->mbox && exporter_exists(o->mbox)) {
		*error = talloc_asprintf(ctx, "%s exists (use --force to overwrite it)", o->mbox);
		return TRAWL_EXISTS;
	}
	if (o->dir && !exporter_dir_free(o->dir)) {
		*error = talloc_asprintf(ctx,
		                         "%s exists and is not empty (use --force to write "
		                         "into it, overwriting files of the same names)",
		                         o->dir);
		return TRAWL_EXISTS;
	}
	if (o->csv && exporter_exists(o->csv)) {
		*error = talloc_asprintf(ctx, "%s exists (use --force to overwrite it)", o->csv);
		return TRAWL_EXISTS;
	}
	return TRAWL_OK;
}

/* Opens out->path's temporary sibling for writing. */
static trawl_status_t
exporter_open(struct exporter *ex, struct exporter_out *out, const char *path)
{
	int fd;

	out->path = talloc_strdup(ex->ctx, path);
	out->tmp = talloc_asprintf(ex->ctx, "%s.partial-XXXXXX", path);
	if (!out->path || !out->tmp)
		return TRAWL_NOMEM;
	fd = mkstemp(out->tmp);
	if (fd < 0 || !(out->f = fdopen(fd, "w"))) {
		ex->error = talloc_asprintf(ex->ctx, "%s: %s", out->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		TALLOC_FREE(out->tmp);
		return TRAWL_IO;
	}
	return TRAWL_OK;
}

/* Closes out and renames it into place (ok), or removes it. */
static trawl_status_t
exporter_close(struct exporter *ex, struct exporter_out *out, bool ok)
{
	bool failed = false;

	if (!out->tmp)
		return TRAWL_OK;
	if (out->f) {
		failed = fflush(out->f) != 0 || ferror(out->f) || fsync(fileno(out->f)) != 0;
		failed |= fclose(out->f) != 0;
		out->f = NULL;
	}
	if (ok && failed && !ex->error)
		ex->error = talloc_asprintf(ex->ctx, "%s: %s", out->path, strerror(errno));
	/* Without --force, a file that appeared meanwhile is not replaced. */
	if (ok && !failed && !ex->o->force && exporter_exists(out->path)) {
		ex->error = talloc_asprintf(ex->ctx,
		                            "%s appeared during the export; the export "
		                            "is left in %s",
		                            out->path, out->tmp);
		TALLOC_FREE(out->tmp);
		return TRAWL_EXISTS;
	}
	if (ok && !failed && rename(out->tmp, out->path) != 0) {
		ex->error = talloc_asprintf(ex->ctx, "%s: %s", out->path, strerror(errno));
		failed = true;
	}
	if (!ok || failed)
		unlink(out->tmp);
	TALLOC_FREE(out->tmp);
	return ok && failed ? TRAWL_IO : TRAWL_OK;
}

/* Appends one CSV field, quoted (RFC 4180), with a separator before all but the first. */
static void
exporter_csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * A header value for the CSV: neutralised, and with a leading ' when a
 * spreadsheet would take it for a formula.
 */
static const char *
exporter_csv_text(TALLOC_CTX *ctx, const char *s)
{
	char *safe = text_sanitize(ctx, s, strlen(s));

	if (safe && (*safe == '=' || *safe == '+' || *safe == '-' || *safe == '@'))
		safe = talloc_asprintf(ctx, "'%s", safe);
	return safe ? safe : "";
}

/* The folders of origin: each file's folder in the cache (cur/ and new/ dropped), one a line. */
static char *
exporter_folders(TALLOC_CTX *ctx, const char *db_path, const struct index_message_info *m)
{
	char *out = talloc_strdup(ctx, "");
	char **seen = talloc_array(ctx, char *, m->n_filenames);
	size_t dl = strlen(db_path), n_seen = 0;

	for (size_t i = 0; out && seen && i < m->n_filenames; i++) {
		const char *f = m->filenames[i];
		char *dir, *slash;
		bool dup = false;

		if (!strncmp(f, db_path, dl) && f[dl] == '/')
			f += dl + 1;
		dir = talloc_strdup(seen, f);
		if (!dir)
			return NULL;
		slash = strrchr(dir, '/');
		*(slash ? slash : dir) = '\0';
		slash = strrchr(dir, '/');
		if (!strcmp(slash ? slash + 1 : dir, "cur") ||
		    !strcmp(slash ? slash + 1 : dir, "new"))
			*(slash ? slash : dir) = '\0';
		for (size_t k = 0; k < n_seen && !dup; k++)
			dup = !strcmp(seen[k], dir);
		if (dup)
			continue;
		seen[n_seen++] = dir;
		out = talloc_asprintf_append_buffer(out, "%s%s", *out ? "\n" : "", dir);
	}
	talloc_free(seen);
	return out;
}

/* The values of the trawl.source properties, one a line. */
static char *
exporter_sources(TALLOC_CTX *ctx, const struct index_message_info *m)
{
	char *out = talloc_strdup(ctx, "");
	static const char key[] = "trawl.source=";

	for (size_t i = 0; out && i < m->n_properties; i++)
		if (!strncmp(m->properties[i], key, sizeof(key) - 1))
			out = talloc_asprintf_append_buffer(out, "%s%s", *out ? "\n" : "",
			                                    m->properties[i] + sizeof(key) - 1);
	return out;
}

/* The envelope sender for an mbox "From " line: the From address, without spaces. */
static char *
exporter_sender(TALLOC_CTX *ctx, const char *from)
{
	const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	char *s = lt && gt ? talloc_strndup(ctx, lt + 1, (size_t)(gt - lt - 1)) : NULL;

	if (!s) {
		const char *at = strchr(from, '@');
		const char *b = at, *e = at;

		while (b && b > from && b[-1] != ' ' && b[-1] != '<' && b[-1] != '"')
			b--;
		while (e && *e && *e != ' ' && *e != '>' && *e != '"')
			e++;
		s = at ? talloc_strndup(ctx, b, (size_t)(e - b)) : NULL;
	}
	for (char *p = s; p && *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			*p = '_';
	return s && *s ? s : talloc_strdup(ctx, "MAILER-DAEMON");
}

/*
 * The calendar time of t, UTC; the epoch for a t no struct tm holds (a
 * Date header's year past 2^31), which gmtime_r() leaves unset: its fields
 * index the day and month names.
 */
static void
exporter_gmtime(time_t t, struct tm *tm)
{
	time_t zero = 0;

	if (!gmtime_r(&t, tm))
		gmtime_r(&zero, tm);
}

int
exporter_mbox_write(FILE *f, const char *sender, time_t date, const char *d, size_t len)
{
	struct tm tm;
	size_t p = 0;

	exporter_gmtime(date, &tm);
	fprintf(f, "From %s %s %s %2d %02d:%02d:%02d %d\n", sender, exporter_wday[tm.tm_wday % 7],
	        exporter_mon[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	        tm.tm_year + 1900);
	while (p < len) {
		const char *nl = memchr(d + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - d) + 1 : len, q = p;

		while (q < e && d[q] == '>')
			q++;
		if (e - q >= 5 && !memcmp(d + q, "From ", 5))
			fputc('>', f);
		fwrite(d + p, 1, e - p, f);
		p = e;
	}
	if (len && d[len - 1] != '\n')
		fputc('\n', f);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* Writes the message as an mboxrd entry. */
static int
exporter_mbox_entry(struct exporter *ex, const struct index_message_info *m, const char *d,
                    size_t len)
{
	ex->mbox_off = ftello(ex->mbox.f);
	return exporter_mbox_write(ex->mbox.f, exporter_sender(ex->ctx, m->from), m->date, d, len);
}

/* The .eml name of a message: its date and a hash of its Message-ID. */
static char *
exporter_eml_name(TALLOC_CTX *ctx, const struct index_message_info *m)
{
	time_t t = m->date;
	struct tm tm;
	char *hash = sha256_hex(ctx, m->message_id, strlen(m->message_id));
	char *name;

	exporter_gmtime(t, &tm);
	name = talloc_asprintf(ctx, "%04d%02d%02d-%02d%02d%02d-%.12s.eml", tm.tm_year + 1900,
	                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                       hash ? hash : "000000000000");
	talloc_free(hash);
	return name;
}

/* Writes d[0..len) as path (no overwriting without force). */
static int
exporter_write_file(struct exporter *ex, const char *path, const char *d, size_t len)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (ex->o->force ? O_TRUNC : O_EXCL);
	int fd = open(path, flags, 0600);

	if (fd < 0)
		return -1;
	if (util_write_all(fd, d, len) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* Reads the first readable file of m, mapped read-only; NULL data for an empty file. */
static const char *
exporter_read(struct exporter *ex, const struct index_message_info *m, size_t *len, int *ok)
{
	*ok = 0;
	for (size_t i = 0; i < m->n_filenames; i++) {
		int fd = open(m->filenames[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		void *p = NULL;

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			*len = (size_t)st.st_size;
			p = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
			*ok = p != MAP_FAILED;
		}
		close(fd);
		if (*ok)
			return p;
	}
	exporter_warn(ex, "id:%s: no readable file (%s)", m->message_id,
	              m->n_filenames ? m->filenames[0] : "none indexed");
	return NULL;
}

/* Exports one message; 1 if its file could not be read, -1 on a write failure. */
static int
exporter_message(struct exporter *ex, const char *id)
{
	TALLOC_CTX *tmp = talloc_new(ex->ctx);
	struct index_message_info m;
	const char *d;
	char *sha, *path = NULL, date[64], offset[32] = "";
	size_t len = 0;
	int ok, rc = 0;
	struct tm tm;
	time_t t;

	if (index_message_info(ex->idx, tmp, id, "trawl.", &m) != TRAWL_OK) {
		exporter_warn(ex, "id:%s: %s", id, index_last_error(ex->idx));
		talloc_free(tmp);
		return 1;
	}
	d = exporter_read(ex, &m, &len, &ok);
	if (!ok) {
		talloc_free(tmp);
		return 1;
	}
	sha = sha256_hex(tmp, d ? d : "", len);
	if (!sha)
		sha = talloc_strdup(tmp, "");
	if (ex->mbox.f) {
		rc = exporter_mbox_entry(ex, &m, d, len);
		path = ex->mbox_base;
		snprintf(offset, sizeof(offset), "%lld", (long long)ex->mbox_off);
		if (rc)
			ex->error =
			        talloc_asprintf(ex->ctx, "%s: %s", ex->mbox.tmp, strerror(errno));
	} else {
		char *name = exporter_eml_name(tmp, &m);
		char *full = name ? talloc_asprintf(tmp, "%s/%s", ex->o->dir, name) : NULL;

		rc = full ? exporter_write_file(ex, full, d ? d : "", len) : -1;
		if (rc)
			ex->error = talloc_asprintf(ex->ctx, "%s: %s", full ? full : ex->o->dir,
			                            strerror(errno));
		path = name;
	}
	if (d)
		munmap((void *)d, len);
	if (!rc && ex->csv.f) {
		FILE *f = ex->csv.f;

		t = m.date;
		exporter_gmtime(t, &tm);
		snprintf(date, sizeof(date), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		exporter_csv_field(f, date, true);
		exporter_csv_field(f, exporter_csv_text(tmp, m.from), false);
		exporter_csv_field(f, exporter_csv_text(tmp, m.to), false);
		exporter_csv_field(f, exporter_csv_text(tmp, m.cc), false);
		exporter_csv_field(f, exporter_csv_text(tmp, m.subject), false);
		exporter_csv_field(f, m.tags, false);
		exporter_csv_field(f, m.message_id, false);
		exporter_csv_field(f, exporter_folders(tmp, index_db_path(ex->idx), &m), false);
		exporter_csv_field(f, exporter_sources(tmp, &m), false);
		exporter_csv_field(f, sha, false);
		exporter_csv_field(f, path, false);
		exporter_csv_field(f, offset, false);
		exporter_csv_field(f, exporter_csv_text(tmp, m.note), false);
		fputs("\r\n", f);
		if (ferror(f)) {
			ex->error =
			        talloc_asprintf(ex->ctx, "%s: %s", ex->csv.tmp, strerror(errno));
			rc = -1;
		}
	}
	talloc_free(tmp);
	return rc;
}

trawl_status_t
exporter_run(TALLOC_CTX *ctx, index_t *idx, const struct exporter_opts *o,
             struct exporter_result *res, char **error)
{
	struct exporter ex = {.idx = idx, .o = o};
	char **ids = NULL;
	size_t n = 0;
	trawl_status_t ts;
	bool ok;

	memset(res, 0, sizeof(*res));
	*error = NULL;
	ts = exporter_check(ctx, o, error);
	if (ts != TRAWL_OK)
		return ts;
	ex.ctx = talloc_new(ctx);
	if (!ex.ctx)
		return TRAWL_NOMEM;
	ts = index_message_ids_sorted(idx, ex.ctx, o->query, INDEX_SORT_OLDEST_FIRST, &ids, &n);
	if (ts != TRAWL_OK) {
		*error = talloc_strdup(ctx, index_last_error(idx));
		talloc_free(ex.ctx);
		return ts;
	}
	if (o->dir && mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		ex.error = talloc_asprintf(ex.ctx, "%s: %s", o->dir, strerror(errno));
		ts = TRAWL_IO;
	}
	if (ts == TRAWL_OK && o->mbox) {
		const char *slash = strrchr(o->mbox, '/');

		ex.mbox_base = talloc_strdup(ex.ctx, slash ? slash + 1 : o->mbox);
		ts = exporter_open(&ex, &ex.mbox, o->mbox);
	}
	if (ts == TRAWL_OK && o->csv) {
		ts = exporter_open(&ex, &ex.csv, o->csv);
		if (ts == TRAWL_OK)
			fputs(exporter_csv_header, ex.csv.f);
	}
	for (size_t i = 0; ts == TRAWL_OK && i < n; i++) {
		int rc = exporter_message(&ex, ids[i]);

		if (rc < 0)
			ts = TRAWL_IO;
		else if (rc > 0)
			res->failed++;
		else
			res->exported++;
		if (o->progress)
			o->progress(o->ud, i + 1, n);
	}
	ok = ts == TRAWL_OK;
	if (exporter_close(&ex, &ex.mbox, ok) != TRAWL_OK && ok)
		ts = TRAWL_IO;
	ok = ts == TRAWL_OK;
	if (exporter_close(&ex, &ex.csv, ok) != TRAWL_OK && ok)
		ts = TRAWL_IO;
	if (ts != TRAWL_OK)
		*error = talloc_strdup(ctx, ex.error ? ex.error : trawl_status_str(ts));
	talloc_free(ex.ctx);
	return ts;
}

/* ------------------------------------------------------------ the subcommand */

struct exporter_cli {
	struct importer_progress *progress;
};

static void
exporter_cli_progress(void *ud, size_t done, size_t total)
{
	struct exporter_cli *cli = ud;

	importer_progress_update(cli->progress, (unsigned long)done, 0, (unsigned long)done);
	(void)total;
}

/* Prints one line on stderr, neutralised: ids and paths come from the mail. */
static void exporter_say(struct exporter_cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
exporter_say(struct exporter_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli)
		importer_progress_end(cli->progress);
	va_start(ap, fmt);
	text_vwarn(fmt, ap);
	va_end(ap);
}

static void
exporter_cli_warn(void *ud, const char *message)
{
	exporter_say(ud, "%s", message);
}

static int
exporter_usage(FILE *f, int status)
{
	fputs("usage: trawl export [--cache DIR] QUERY... (--mbox FILE | --dir DIR) [--csv FILE]\n"
	      "                    [--force]\n"
	      "\n"
	      "Writes the messages matching QUERY, oldest first, byte for byte: into one mbox\n"
	      "file (mboxrd), or as one .eml file each in DIR; with --csv, an index of them\n"
	      "(date, from, to, cc, subject, tags, Message-ID, folder of origin, source,\n"
	      "SHA-256, path).  Existing files are left alone unless --force.  The database\n"
	      "is the cache's with --cache, else the one NOTMUCH_CONFIG names.\n",
	      f);
	return status;
}

int
exporter_main(TALLOC_CTX *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"mbox", required_argument, NULL, 'm'},
	        {"dir", required_argument, NULL, 'd'},
	        {"csv", required_argument, NULL, 'c'},
	        {"force", no_argument, NULL, 'f'},
	        {"cache", required_argument, NULL, 'C'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct exporter_opts o = {0};
	struct exporter_result res;
	struct exporter_cli cli = {0};
	const char *cache = NULL;
	char *query, *err = NULL;
	index_t *idx = NULL;
	trawl_status_t ts;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mbox = optarg;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'c':
			o.csv = optarg;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'C':
			cache = optarg;
			break;
		case 'h':
			return exporter_usage(stdout, 0);
		default:
			return exporter_usage(stderr, 2);
		}
	}
	if (optind >= argc) {
		exporter_say(NULL, "export: a QUERY is needed");
		return exporter_usage(stderr, 2);
	}
	query = talloc_strdup(ctx, "");
	for (int i = optind; query && i < argc; i++)
		query = talloc_asprintf_append(query, "%s%s", i > optind ? " " : "", argv[i]);
	if (!query)
		return 1;
	o.query = query;
	ts = exporter_check(ctx, &o, &err);
	if (ts != TRAWL_OK) {
		exporter_say(NULL, "%s", err);
		return ts == TRAWL_USAGE ? exporter_usage(stderr, 2) : 1;
	}
	if (index_open_case(ctx, cache, &idx, &err) != TRAWL_OK) {
		exporter_say(NULL, "%s", err ? err : "cannot open the notmuch database");
		return 1;
	}
	if (index_check_query(idx, query) != TRAWL_OK) {
		exporter_say(NULL, "%s", index_last_error(idx));
		talloc_free(idx);
		return 1;
	}
	{
		unsigned total = 0;

		index_count_messages(idx, query, &total);
		cli.progress = importer_progress_new(ctx, "exporting: messages", total, 0,
		                                     getenv("TRAWL_TEST_PROGRESS") != NULL);
	}
	o.progress = exporter_cli_progress;
	o.warn = exporter_cli_warn;
	o.ud = &cli;
	ts = exporter_run(ctx, idx, &o, &res, &err);
	importer_progress_end(cli.progress);
	talloc_free(idx);
	if (ts != TRAWL_OK) {
		exporter_say(NULL, "%s", err ? err : trawl_status_str(ts));
		return 1;
	}
	printf("%zu messages exported to %s%s%s%s\n", res.exported, o.mbox ? o.mbox : o.dir,
	       o.csv ? " (index: " : "", o.csv ? o.csv : "", o.csv ? ")" : "");
	if (res.failed) {
		exporter_say(NULL, "%zu messages could not be read", res.failed);
		return 1;
	}
	return 0;
}
