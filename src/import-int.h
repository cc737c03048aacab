/*
 * import-int: what importer.c and the readers of source formats
 * (import-mbox.c, import-kind.c, import-archive.c) share, and nothing
 * else includes.  A reader turns a source's bytes into messages, each
 * handed on with where it came from (struct import_where); importer.c
 * alone hashes, copies, indexes and writes the manifest.
 *
 * Ownership: the strings of a struct import_where belong to the caller
 * and live as long as the call it is passed to; nothing here allocates
 * but import_archive_read() (scratch, freed before it returns).
 */
#ifndef TRAWL_IMPORT_INT_H
#define TRAWL_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where a source message (or a manifest row) came from: the manifest key
 * is (source, offset, member), so a member of an archive is told apart
 * from its archive and from the other members.
 */
struct import_where {
	const char *source;     /* the source file, absolute */
	const char *source_esc; /* the same, escaped for the manifest */
	const char *source_sha; /* SHA-256 of the whole source file, or NULL */
	long long offset;       /* of the "From " line in the mbox (or member), or -1 */
	const char *member;     /* the path inside the archive(s), nested ones joined by
	                           '!' ("a.tar!x/y.eml"), or NULL outside archives */
	const char *envelope;   /* the mbox "From " line's rest, or NULL */
	bool reconstructed;     /* the bytes stored are not a byte range of the source
	                           (or of an archive member): mboxrd-unquoted... */
};

/* ------------------------------------------------------------ import-kind.c */

/* The offset of the body: just after the first empty line, or len if there is none. */
size_t import_body_start(const char *d, size_t len);

/*
 * Whether d starts (after an optional UTF-8 BOM) with a header field
 * "Name:", or "Name :" as the obsolete syntax allows.
 */
bool import_starts_with_header(const char *d, size_t len);

/*
 * Whether a file's name says it holds one message (.eml, .msg): such a
 * file is indexed as it is even when it starts with an envelope "From "
 * line, as the files `trawl export --dir` writes may.
 */
bool import_named_message(const char *path);

/* Why bytes that are neither a message nor an mbox are skipped (a static string). */
const char *import_not_mail(const unsigned char *d, size_t len);

#endif
