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
