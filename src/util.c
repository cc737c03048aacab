/*
 * util: small shared helpers.  See include/trawl/util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/util.h"

int
util_mkdirs_for(const char *path)
{
	char *dir = talloc_strdup(NULL, path);
	int rc = dir ? 0 : -1;

	/* Existing directories fail with EEXIST, which is what we want to ignore. */
	for (char *s = dir ? strchr(dir + 1, '/') : NULL; s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = '/';
	}
	if (rc == 0)
		errno = 0;
	else if (!dir)
		errno = ENOMEM;
	{
		int saved = errno;

		talloc_free(dir);
		errno = saved;
	}
	return rc;
}

char *
util_group_digits(char *buf, size_t len, unsigned long long n)
{
	char tmp[32];
	size_t digits, out = 0;

	if (!len)
		return buf;
	snprintf(tmp, sizeof(tmp), "%llu", n);
	digits = strlen(tmp);
	for (size_t i = 0; i < digits && out + 2 < len; i++) {
		if (i && (digits - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = tmp[i];
	}
	buf[out] = '\0';
	return buf;
}

int
util_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO; /* a write that takes nothing: a full device, said as an error */
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

char *
util_tmp_name(void *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? talloc_strndup(NULL, path, (size_t)(slash - path))
			  : talloc_strdup(NULL, ".");
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, base, blen) != 0 || e->d_name[blen] != '.' ||
		    !e->d_name[blen + 1])
			continue;
		pid = strtol(e->d_name + blen + 1, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			char *stale = talloc_asprintf(dir, "%s/%s", dir, e->d_name);

			if (stale)
				unlink(stale);
		}
	}
	if (d)
		closedir(d);
	talloc_free(dir);
	return talloc_asprintf(ctx, "%s.%d", path, (int)getpid());
}

uint64_t
util_hash(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* The code point at p (n bytes left), its length in *len; -1 when ill-formed. */
static long
util_utf8_next(const unsigned char *p, size_t n, size_t *len)
{
	unsigned long c = p[0], min;
	size_t k;

	*len = 1;
	if (c < 0x80)
		return (long)c;
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		k = 2, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, c &= 0x07, min = 0x10000;
	else
		return -1;
	if (n < k + 1)
		return -1;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*len = k + 1;
	return (long)c;
}

void
util_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	fputc('"', f);
	while (left) {
		size_t len;
		long c = util_utf8_next(p, left, &len);

		if (c < 0)
			c = 0xfffd;
		p += len;
		left -= len;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", (int)c);
		else if (c >= 0x20 && c < 0x7f)
			fputc((int)c, f);
		else if (c < 0x10000)
			fprintf(f, "\\u%04lx", (unsigned long)c);
		else
			fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + ((unsigned long)(c - 0x10000) >> 10),
				0xdc00 + ((unsigned long)(c - 0x10000) & 0x3ff));
	}
	fputc('"', f);
}

char *
util_disk_full(void *ctx, const char *path)
{
	struct statvfs fs;
	unsigned long long kib;

	if (statvfs(path, &fs) != 0)
		return NULL;
	kib = (unsigned long long)fs.f_bavail * fs.f_frsize / 1024;
	if (kib >= 256)
		return NULL;
	return talloc_asprintf(ctx, "the disk is full (%llu KiB free for %s)", kib, path);
}

static int
util_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int
util_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, util_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int
util_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str), len;

	while (left) {
		if (util_utf8_next(s, left, &len) < 0)
			return 0;
		s += len;
		left -= len;
	}
	return 1;
}

char *
util_join(void *ctx, int argc, char **argv, int from)
{
	char *s = talloc_strdup(ctx, "");

	for (int i = from; s && i < argc; i++)
		s = talloc_asprintf_append(s, "%s%s", i > from ? " " : "", argv[i]);
	return s;
}

/* ------------------------------------------------------------ words */

/*
 * Reads the word at *p (blanks before it skipped): its text into *word
 * (NULL: not kept), *start and *end where it is written.  0 at the end of
 * the line or a comment, 1 for a word, -1 on an unterminated quote.
 */
static int
util_scan_word(TALLOC_CTX *ctx, const char **p, char **word, const char **start, const char **end)
{
	const char *s = *p;
	char quote = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	if (!*s || *s == '#' || *s == '\n' || *s == '\r') {
		*p = s;
		return 0;
	}
	if (word && !(*word = talloc_strdup(ctx, "")))
		return -1;
	while (*s && (quote || (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r'))) {
		const char *c = s;

		if (*s == '\\' && s[1]) {
			c = s + 1;
			s += 2;
		} else if (!quote && (*s == '"' || *s == '\'')) {
			quote = *s++;
			continue;
		} else if (quote && *s == quote) {
			quote = 0;
			s++;
			continue;
		} else {
			s++;
		}
		if (word && !(*word = talloc_strndup_append_buffer(*word, c, 1)))
			return -1;
	}
	*p = *end = s;
	return quote ? -1 : 1;
}

char **
util_split_words(void *ctx, const char *line, int *argc, char **error)
{
	char **argv = talloc_array(ctx, char *, 1);
	int n = 0, r = 1;
	const char *p = line, *start, *end;

	*error = NULL;
	while (argv) {
		char *word = NULL;

		r = util_scan_word(argv, &p, &word, &start, &end);
		if (r <= 0)
			break;
		argv = talloc_realloc(ctx, argv, char *, (size_t)n + 2);
		if (argv)
			argv[n++] = word;
	}
	if (argv && r < 0) {
		*error = talloc_strdup(ctx, "unterminated quote");
		TALLOC_FREE(argv);
	}
	if (!argv)
		return NULL;
	argv[n] = NULL;
	*argc = n;
	return argv;
}

char *
util_rest_words(void *ctx, const char *line, int from, char **error)
{
	const char *p = line, *start, *end, *first = NULL, *last = NULL;
	int r, n = 0;

	*error = NULL;
	while ((r = util_scan_word(NULL, &p, NULL, &start, &end)) > 0) {
		if (n++ == from)
			first = start;
		last = end;
	}
	if (r < 0) {
		*error = talloc_strdup(ctx, "unterminated quote");
		return NULL;
	}
	return first ? talloc_strndup(ctx, first, (size_t)(last - first)) : talloc_strdup(ctx, "");
}

char *
util_quote_word(void *ctx, const char *word)
{
	char *s;

	/* A word of plain characters (but for a leading '#') reads back as it is. */
	if (*word && *word != '#' && !strpbrk(word, " \t\n\r\"'\\"))
		return talloc_strdup(ctx, word);
	s = talloc_strdup(ctx, "\"");
	for (const char *p = word; s && *p; p++)
		s = *p == '"' || *p == '\\' ? talloc_asprintf_append_buffer(s, "\\%c", *p)
					   : talloc_strndup_append_buffer(s, p, 1);
	return s ? talloc_strdup_append_buffer(s, "\"") : NULL;
}
