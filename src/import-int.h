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
#include <stdint.h>
#include <time.h>

#include <talloc.h>

#include "trawl/importer.h"

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
	const char *note;       /* added to the manifest row's detail, or NULL */
};

/* ------------------------------------------------------------ import-manifest.c */

/*
 * A 128-bit digest of a manifest key (source, offset and member); zero
 * marks an empty slot.
 */
struct import_key {
	uint64_t a, b;
};

/* An open-addressing set of keys: 16 bytes a message, for millions of them. */
struct import_set {
	struct import_key *slots;
	size_t cap, n;
};

/*
 * The key of a source message: its source and offset (-1 outside mbox
 * files) and its member (NULL or "" outside archives) as the manifest
 * writes them (escaped).  Without a member, the key the manifests of
 * the first form gave.
 */
struct import_key import_key(const char *source_esc, long long offset, const char *member_esc);

/* The set key of a content hash (64 hex digits): its first 128 bits. */
struct import_key import_hex_key(const char *hex);

bool import_set_has(const struct import_set *s, struct import_key k);

/* Adds k (its slots are children of ctx); -1 when out of memory. */
int import_set_add(TALLOC_CTX *ctx, struct import_set *s, struct import_key k);

/* A manifest field (a child of ctx): backslash, tab, newline and other controls escaped. */
char *import_escape(TALLOC_CTX *ctx, const char *s);

/* Undoes import_escape() in place. */
void import_unescape(char *s);

/* ------------------------------------------------------------ import-progress.c */

/* Prints one line on stderr, neutralised (paths and reasons come from anywhere), over p. */
void importer_say(struct importer_progress *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Seconds from a to b. */
double import_seconds(const struct timespec *a, const struct timespec *b);

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

/*
 * Whether a file's name says it is the index or state file of a mail
 * client (Thunderbird's .msf, MH's .mh_sequences, Claws' .claws_cache
 * and .claws_mark, Apple Mail's table_of_contents...): the reason it is
 * passed over ("ignored: ..."), or NULL.
 */
const char *import_ignored(const char *name);

/*
 * Apple Mail's .emlx: a line with the byte count of the message, the
 * message, then an XML property list.  Sets *start and *count to the
 * message's bytes and returns 0, or returns -1 with why.
 */
int import_emlx(const char *d, size_t len, size_t *start, size_t *count, const char **why);

/* Whether a file's name ends with .emlx (.partial.emlx included). */
bool import_named_emlx(const char *name);

/* Why bytes that are neither a message nor an mbox are skipped (a static string). */
const char *import_not_mail(const unsigned char *d, size_t len);

/* ------------------------------------------------------------ import-archive.c */

/* Archives inside archives deeper than this are not opened (the top one is 1). */
#define IMPORT_ARCHIVE_MAX_DEPTH 4

/*
 * Members larger than this are not read: a member is held whole in
 * memory (an mbox must be, to be split), so this bounds the memory of an
 * import at about IMPORT_ARCHIVE_MAX_DEPTH + 1 members.
 */
#define IMPORT_ARCHIVE_MEMBER_MAX ((size_t)256 << 20)

/*
 * Whether d starts like what import_archive_walk() opens: zip, tar, 7z,
 * rar, or a gzip, bzip2, xz or zstd stream (a compressed tar, or a single
 * compressed file such as an .mbox.gz).
 */
bool import_archive_is(const char *d, size_t len);

/*
 * What an archive walk hands on, in the order of the archive.  member is
 * the path inside the archive(s), nested archives joined by '!'
 * ("x/inner.tar.gz!c/y.eml"); a member whose name could not be read is
 * "#N", the Nth entry.
 */
struct import_archive_ops {
	void *arg;
	/*
	 * A member that is not an archive to open: folder is its directory as
	 * a folder of the cache ("" at the top; a nested archive is a folder;
	 * "", "." and ".." elements dropped or made harmless), name its last
	 * element, and whole is set when the member is the archive's only
	 * stream (a compressed single file, such as an .mbox.gz).
	 */
	void (*member)(void *arg, const char *member, const char *folder, const char *name,
	               bool whole, const char *data, size_t len);
	/* A member not read, or the rest of a damaged archive: why ("damaged: ..."). */
	void (*row)(void *arg, const char *member, const char *why, unsigned long long size);
};

/*
 * Walks the archive d[0..len) (name is its file name) in this process:
 * for fuzzing and for import_archive_read().  Returns 0, or
 * -1 when it cannot be opened at all, with why (a static string or one
 * that lives as long as the call's archive: copy it) in *why.
 */
int import_archive_walk(const char *d, size_t len, const char *name, size_t member_max,
                        const struct import_archive_ops *ops, char *why, size_t why_len);

/*
 * The walk for the importer: today import_archive_walk() in this process
 * (a fork of the threaded importer could deadlock: see import-archive.c);
 * stop is not polled.  Returns 0, or -1 with why (into why[0..why_len)):
 * the archive could not be opened.
 */
int import_archive_read(const char *d, size_t len, const char *name, size_t member_max,
                        const struct import_archive_ops *ops, bool (*stop)(void *arg), char *why,
                        size_t why_len);

/* ------------------------------------------------------------ import-pst.c */

/* Whether d starts like an Outlook PST or OST store ("!BDN"). */
bool import_pst_is(const char *d, size_t len);

/*
 * The first line of `readpst -V` (its version) as a child of ctx, or NULL
 * when readpst cannot be run; scratch is a file it may write and removes.
 */
char *import_pst_version(void *ctx, const char *scratch);

/*
 * Converts the store pst into out_dir (which exists, empty) with readpst:
 * one file per item, in folders as in the store; its output goes to
 * log_path.  Returns 0, or -1 with why.  stop is polled while it runs;
 * when it returns true readpst is killed.
 */
int import_pst_convert(const char *pst, const char *out_dir, const char *log_path,
                       bool (*stop)(void *), void *arg, char *why, size_t why_len);

/*
 * Whether a line of readpst's log says a folder had items it skipped:
 * then the folder's name into folder and the number into *skipped.
 */
int import_pst_skipped(const char *line, char *folder, size_t folder_len, unsigned long *skipped);

#endif
