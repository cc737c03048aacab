/*
 * versions: the files of one message, hashed and grouped into versions.
 *
 * notmuch keeps one message per Message-ID however many files carry it,
 * and a tampered copy hides exactly there: the same Message-ID in three
 * folders, one copy with a changed sentence or an added recipient.  This
 * module reads each file of a message (never through the database) and
 * hashes it twice:
 *
 *   sha256         the SHA-256 of the file's bytes: equal means identical;
 *   version_hash   the SHA-256 of what is left under the version rule
 *                  below: equal means the same version.
 *
 * The version rule (VERSIONS_RULE, recorded by `trawl import` so that a
 * change of rule refreshes its tags): two files are one version when they
 * differ only in what a mail system adds or changes when it delivers or
 * stores a message:
 *
 *   - the header fields named in versions_transport_headers[] (Received,
 *     Return-Path, Delivered-To, X-Original-To, Envelope-To, X-Folder,
 *     Status, X-Status, X-Keywords, X-UID, X-Mozilla-Status,
 *     X-Mozilla-Status2, X-IMAP, X-IMAPbase, Content-Length, Lines), with
 *     their continuation lines, wherever they are in the header;
 *   - an mbox envelope line ("From sender date") opening the file;
 *   - line endings (CRLF or LF) and line breaks at the very end of the file;
 *   - the file's name and place (maildir flags such as ":2,S", folders),
 *     which are not part of its bytes at all.
 *
 * Anything else counts: another header field, a header in another order
 * or with other spacing, a byte of the body, a re-encoded attachment.  The
 * header is read only to find where fields begin (a line not starting
 * with a space or tab, up to the first empty line); nothing is decoded.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_VERSIONS_H
#define TRAWL_VERSIONS_H

#include <stddef.h>
#include <sys/stat.h>
#include <talloc.h>

#include "trawl/status.h"

#define VERSIONS_RULE 1

/* Digits of a hash shown where a whole one does not fit (journal notes, lists). */
#define VERSIONS_SHORT 12

/* The header fields the rule leaves out, NULL-terminated. */
extern const char *const versions_transport_headers[];

/* Whether the header field name[0..len) is one of them (case-insensitive). */
int versions_is_transport_header(const char *name, size_t len);

struct versions_file {
	char *path;         /* as notmuch gives it */
	char *rel;          /* relative to the database path (path when outside it) */
	char *folder;       /* rel's directory without a last cur/ or new/ ("" at the top) */
	long long size;     /* bytes; -1 when the file cannot be read */
	long long mtime;    /* the file's date (modification time, seconds) */
	char *sha256;       /* of the bytes; "" when unreadable */
	char *version_hash; /* of the bytes the rule keeps; "" when unreadable */
	int version;        /* 1-based version number; 0 when unreadable */
	char *error;        /* why the file cannot be read, or NULL */
	/* What the hashes were made from, so that a cache can tell they still hold. */
	unsigned long long dev, ino;
	long long mtime_ns, ctime_ns;
};

struct versions {
	char *message_id;
	struct versions_file *files; /* sorted by rel */
	size_t n_files;
	int n_versions;    /* distinct version hashes among the readable files */
	int identical;     /* at least two files, all readable, all the same bytes */
	size_t unreadable; /* files that cannot be read */
};

/*
 * Hashes the file at path (opened read-only, never written; it must be a
 * regular file) into *out: size, date, sha256, version_hash and the
 * identity fields; path, rel, folder and version are left to the caller.
 * A file that cannot be read is not an error: out->error says why and
 * size is -1.  Returns TRAWL_NOMEM only.
 */
trawl_status_t versions_hash_file(TALLOC_CTX *ctx, const char *path, struct versions_file *out);

/* The version hash of a message held in memory (as versions_hash_file computes it). */
char *versions_hash_buffer(TALLOC_CTX *ctx, const char *data, size_t len);

/*
 * A cache of hashes: returns the file hashed before whose identity (st's
 * device, inode, size, modification and change times) is still the
 * file's, or NULL.
 */
typedef const struct versions_file *(*versions_cached_fn)(void *ud, const char *path,
                                                          const struct stat *st);

/*
 * Compares the files paths[0..n) of message_id: hashes each (or takes
 * what cached, which may be NULL, still holds), sorts them by path
 * relative to db_path and numbers the versions in that order.
 */
trawl_status_t versions_compare(TALLOC_CTX *ctx, const char *message_id, const char *db_path,
                                char *const *paths, size_t n, versions_cached_fn cached, void *ud,
                                struct versions **out);

/*
 * Sorts v's files and numbers their versions again (after they were
 * filled in by hand or unpacked), and counts n_versions, identical and
 * unreadable.
 */
void versions_group(struct versions *v);

/*
 * The mark for a message with several files: "2 files, identical", "3
 * files, 1 version" (differing in transport headers only), "3 files, 2
 * versions", with ", 1 unreadable" when so; NULL for fewer than two files.
 * A child of ctx.
 */
char *versions_summary(TALLOC_CTX *ctx, const struct versions *v);

/* The index in v->files of path; -1 when it is not one of them. */
long versions_find(const struct versions *v, const char *path);

/*
 * The file to compare path with: the first file of another version, else
 * (one version) the first other file; -1 when v has a single file.
 */
long versions_other(const struct versions *v, const char *path);

/*
 * v as one record for a pipe (NUL-separated fields; *len bytes, a child of
 * ctx), and back: versions_unpack() checks every field and gives
 * TRAWL_PARSE for a damaged record.
 */
char *versions_pack(TALLOC_CTX *ctx, const struct versions *v, size_t *len);
trawl_status_t versions_unpack(TALLOC_CTX *ctx, const char *buf, size_t len, struct versions **out);

#endif
