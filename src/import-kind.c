/*
 * import-kind: what a source's bytes are (a message, an mbox, or why they
 * are not mail), decided from the first bytes and the name alone.  See
 * import-int.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "import-int.h"

size_t
import_body_start(const char *d, size_t len)
{
	size_t p = 0;

	while (p < len) {
		const char *nl;

		if (d[p] == '\n')
			return p + 1;
		if (d[p] == '\r' && p + 1 < len && d[p + 1] == '\n')
			return p + 2;
		nl = memchr(d + p, '\n', len - p);
		if (!nl)
			break;
		p = (size_t)(nl - d) + 1;
	}
	return len;
}

/* Why a file that is neither a message nor an mbox is skipped. */
const char *
import_not_mail(const unsigned char *d, size_t len)
{
	static const struct {
		const char *magic;
		size_t n;
		const char *why;
	} kinds[] = {
	        {"\x1f\x8b", 2, "not mail: a gzip file (decompress it first)"},
	        {"PK\x03\x04", 4, "not mail: a zip archive (extract it first)"},
	        {"BZh", 3, "not mail: a bzip2 file (decompress it first)"},
	        {"\xfd"
	         "7zXZ",
	         5, "not mail: an xz file (decompress it first)"},
	        {"7z\xbc\xaf", 4, "not mail: a 7-Zip archive (extract it first)"},
	        {"%PDF", 4, "not mail: a PDF document"},
	        {"\xd0\xcf\x11\xe0", 4, "not mail: an OLE file (an Outlook .msg is not RFC 822)"},
	        /* Outside archives, Outlook stores are converted (import-pst.c). */
	        {"!BDN", 4,
	         "not mail: an Outlook PST/OST store inside an archive (extract it first)"},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].n && !memcmp(d, kinds[i].magic, kinds[i].n))
			return kinds[i].why;
	return "not mail: no header field at the start";
}

/*
 * Whether d starts (after an optional UTF-8 BOM) with a header field
 * "Name:", or "Name :" as the obsolete syntax allows.
 */
bool
import_starts_with_header(const char *d, size_t len)
{
	size_t i = len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3) ? 3 : 0, start = i, end;

	while (i < len && (unsigned char)d[i] > 32 && (unsigned char)d[i] < 127 && d[i] != ':')
		i++;
	end = i;
	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	return end > start && i < len && d[i] == ':';
}

/*
 * Whether the file's name says it holds one message (.eml, .msg): such a
 * file is indexed as it is even when it starts with an envelope "From "
 * line, as the files `trawl export --dir` writes may.
 */
bool
import_named_message(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && !strchr(dot, '/') && (!strcasecmp(dot, ".eml") || !strcasecmp(dot, ".msg"));
}

const char *
import_ignored(const char *name)
{
	static const struct {
		const char *name; /* the whole name, or a suffix when it starts with '*' */
		const char *why;
	} kinds[] = {
	        {"*.msf", "ignored: a Thunderbird summary file (.msf), an index of its mbox"},
	        {".mh_sequences", "ignored: MH sequences (.mh_sequences), not mail"},
	        {".xmhcache", "ignored: an MH folder cache (.xmhcache), not mail"},
	        {".claws_cache", "ignored: a Claws Mail folder cache (.claws_cache), not mail"},
	        {".claws_mark", "ignored: Claws Mail flags (.claws_mark), not mail"},
	        {"table_of_contents", "ignored: an Apple Mail index (table_of_contents)"},
	        {".mboxCache.plist", "ignored: an Apple Mail index (.mboxCache.plist)"},
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *k = kinds[i].name;
		size_t kn = strlen(k);

		if (k[0] == '*' ? n >= kn && !strcasecmp(name + n - (kn - 1), k + 1)
		                : !strcmp(name, k))
			return kinds[i].why;
	}
	return NULL;
}

bool
import_named_emlx(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && !strcasecmp(name + n - 5, ".emlx");
}

int
import_emlx(const char *d, size_t len, size_t *start, size_t *count, const char **why)
{
	size_t i = 0;
	unsigned long long v = 0;
	bool any = false;

	while (i < len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	for (; i < len && d[i] >= '0' && d[i] <= '9' && v < (1ULL << 50); i++, any = true)
		v = v * 10 + (unsigned)(d[i] - '0');
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r'))
		i++;
	if (!any || i >= len || d[i] != '\n') {
		*why = "not mail: an .emlx file without its byte count line";
		return -1;
	}
	i++;
	if (v > len - i) {
		*why = "damaged: an .emlx file shorter than its byte count says";
		return -1;
	}
	*start = i;
	*count = (size_t)v;
	return 0;
}
