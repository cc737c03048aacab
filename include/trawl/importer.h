/*
 * importer: `trawl import [--into DIR] SOURCE...` turns raw caches
 * (maildirs, mbox files, .eml trees, mixtures) into a trawl cache: a
 * maildir copy of every message, a notmuch database indexing it, a notmuch
 * config and a manifest, without ever writing to the sources.
 *
 * The cache at DIR:
 *
 *   DIR/notmuch-config   database.path=DIR/mail, no new tags, no excluded
 *                        tags, maildir.synchronize_flags=false, autocommit=1
 *   DIR/mail/.notmuch    the notmuch database
 *   DIR/mail/F/cur/H:2,  each message, where F is the folder it came from
 *                        (the source's base name, then the path below it,
 *                        with a maildir's cur/ or new/ dropped, and an mbox
 *                        file counting as a folder; a lone file source's
 *                        folder is its directory's name, and ".notmuch"
 *                        becomes "_notmuch") and H the SHA-256 of its
 *                        bytes; so notmuch's folder: and path: find the
 *                        folders of origin
 *   DIR/manifest.tsv     one row per source message (see below)
 *
 * Each message carries the properties trawl.source=<source file>,
 * trawl.member=<path inside the archive> for archive members (and
 * trawl.mbox-offset, trawl.mbox-from for messages taken from an mbox);
 * the first message of each content gets trawl.content=<content hash>,
 * and later messages with the same content but another Message-ID are
 * tagged "duplicate" with trawl.duplicate-of=<first Message-ID>.  A
 * message whose files make several versions (versions.h: they differ in
 * more than transport headers) is tagged "versions", and untagged when
 * they no longer do; each run looks at the messages of the manifest rows
 * written since the last (the database config key
 * trawl.versions-refreshed holds "RULE OFFSET"), and at all of them when
 * the version rule has changed or the cache predates the tag.
 *
 * The manifest is tab-separated with a header row: source, offset (of
 * the "From " line, mbox only), size, sha256 (of the message's bytes as
 * stored in the cache: for an mbox, without the "From " line and with
 * ">From " unquoted), cache_file (relative to DIR), message_id, status
 * (imported, duplicate, skipped, error), detail (why), content (the
 * content hash, for messages that were compared), then the chain of
 * custody: member (the path inside an archive, nested archives joined by
 * "!", empty outside archives), bytes ("copied" when the cache file is a
 * byte range of the source or of its archive member, "reconstructed" when
 * it is not, such as an mbox message whose ">From " lines were unquoted;
 * empty when no copy was kept) and source_sha256 (of the whole source
 * file).  A manifest of the first form (the first nine columns) is given
 * the current header when an import resumes it; its rows keep nine
 * columns.  A source message is known by (source, offset, member).  In fields, backslash,
 * tab, newline, carriage return and other control bytes are written as
 * \\, \t, \n, \r and \xHH.  The last row for a source message wins (an
 * error is retried by the next run).
 *
 * What a file is: one message when it is in a maildir's cur/ or new/, is
 * named *.eml or *.msg, or starts with a header field; an archive (zip,
 * tar, compressed tar, 7z, rar) or a single compressed file (.mbox.gz,
 * .xz, .bz2, .zst) when it starts like one; an mbox when it starts with
 * an envelope "From " line; otherwise not mail (skipped, with the
 * reason: empty, an Outlook OLE file, no header...).  An archive is read
 * in place (import-archive.c, in a child process) as a folder named by
 * the file: its members are files of that folder, by the same rules, and
 * archives inside it are folders too, down to four archives deep.  A
 * member larger than 256 MiB is not read (a row says so), nor is what a
 * damaged archive makes unreadable: a corrupt member, or the rest of a
 * truncated one (a row "#rest" or the member where it broke, with
 * "damaged: why").  A single compressed file stands where its file is:
 * leak.mbox.gz is the folder leak.mbox.gz, as leak.mbox would be.
 * An Outlook PST or OST store (it starts with "!BDN") is converted by
 * pst-utils' readpst, run with a fixed argv into a directory inside the
 * cache that is removed afterwards (import-pst.c); the store is a folder
 * named by its file, with the store's folders below it; each message is
 * "reconstructed", each other item a row ("not mail: contact", "not
 * mail: calendar item..."), the items readpst skipped a row per folder
 * ("#skipped/Folder", "#skipped/Folder#2" for a second folder of
 * that name), and every row's detail names readpst's version.
 * Without readpst, a store is an error row, retried by the next run.
 * Mail clients' files: an Apple Mail .emlx (or .partial.emlx) is the
 * number of bytes its first line gives, without the property list after
 * them; an MH or Claws folder's numbered files are messages; Thunderbird's
 * "Inbox.sbd/" holds the subfolders of the mbox "Inbox", so its folder is
 * Inbox's; the index and state files of clients (.msf, .mh_sequences,
 * .xmhcache, .claws_cache, .claws_mark, table_of_contents,
 * .mboxCache.plist) and the search copies in Thunderbird's .mozmsgs/ are
 * listed as skipped, "ignored: what", without a line on stderr.
 * notmuch has the last word: a message it cannot parse is skipped too.
 * Symbolic links are not followed, and a maildir's tmp/ is skipped.
 *
 * An import holds the database's write lock from start to end: a second
 * import into the same cache waits for it (libnotmuch waits for the lock).
 *
 * Ownership: nothing is returned but exit statuses; the progress meter is
 * a talloc child of the ctx passed, and so is an unquoted message.
 */
#ifndef TRAWL_IMPORTER_H
#define TRAWL_IMPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

/* The `trawl import` subcommand; argv[0] is "import".  Returns the exit status. */
int importer_main(TALLOC_CTX *ctx, int argc, char **argv);

/*
 * The mbox splitter the import uses (the rules are at the top of
 * importer.c), on a buffer d[0..len), so that it can be tested alone.
 * Offsets are into d.
 */
struct importer_mbox_message {
	size_t offset;                 /* of the "From " line */
	size_t envelope, envelope_len; /* the rest of that line, without a CR */
	size_t start, end;             /* the message, still mboxrd-quoted */
};

/* Whether d is an mbox: it starts (after a UTF-8 BOM) with a "From " separator. */
bool importer_is_mbox(const char *d, size_t len);

/*
 * The message at *pos (0 for the first) into *m, moving *pos to the next
 * separator (or len); 0 when there is none: at the end, or when *pos is
 * not at a separator.
 */
int importer_mbox_next(const char *d, size_t len, size_t *pos, struct importer_mbox_message *m);

/*
 * The message d[0..len) with one '>' taken off each ">From " line (any
 * number of '>'), as a child of ctx with its length in *out_len; NULL
 * when no line needs it (the message is d as it is).
 */
char *importer_mbox_unquote(TALLOC_CTX *ctx, const char *d, size_t len, size_t *out_len);

/*
 * A progress meter on stderr for long jobs (import, export): "what
 * done/total, items per second, time left", redrawn at most ten times a
 * second.  importer_progress_new() returns NULL when stderr is not a
 * terminal (unless force is set); the other functions accept NULL and then
 * do nothing.  The time left is estimated from units (bytes, say) when
 * total_units is nonzero, else from the items.
 */
struct importer_progress;

struct importer_progress *importer_progress_new(TALLOC_CTX *ctx, const char *what,
                                                unsigned long total, unsigned long long total_units,
                                                int force);
void importer_progress_update(struct importer_progress *p, unsigned long done,
                              unsigned long long units_done, unsigned long messages);
/* Clears the meter's line. */
void importer_progress_end(struct importer_progress *p);

#endif
