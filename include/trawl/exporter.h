/*
 * exporter: `trawl export QUERY (--mbox FILE | --dir DIR) [--csv FILE]`
 * writes the messages of a query byte for byte, with a CSV index, for a
 * report.  The reader's export command uses the same code (exporter_run)
 * in a child process.
 *
 * Formats:
 *   --mbox FILE  mboxrd, oldest first: "From <sender> <asctime date, UTC>",
 *                the message with ">From " lines (any number of '>')
 *                quoted with one more '>', then an empty line; a message
 *                that does not end in a newline gets one.
 *   --dir DIR    one file per message, its bytes unchanged, named
 *                YYYYMMDD-HHMMSS-<first 12 hex digits of the SHA-256 of
 *                the Message-ID>.eml (UTC), so names are stable.
 *   --csv FILE   RFC 4180 (every field quoted, CRLF line ends), a header
 *                row then one row a message: date (ISO 8601, UTC), from,
 *                to, cc, subject (neutralised, and prefixed with ' when
 *                they start with = + - @ so that a spreadsheet does not
 *                run them), tags, message_id, folder (the folders of
 *                origin: the message's folders in the cache, one a line),
 *                source (the trawl.source properties, one a line),
 *                sha256 (of the message's bytes, before mbox quoting),
 *                path (the .eml file's name in DIR, or the mbox file's
 *                name), offset (of the "From " line, mbox only) and note
 *                (the reviewer's note, note.h, neutralised like the
 *                headers; last, so that readers of the older columns by
 *                position still work).
 *
 * Existing files are not overwritten unless force is set: the mbox and
 * CSV files must not exist, and DIR must be absent or empty.  The mbox
 * and CSV files are written under a temporary name and renamed when
 * complete.
 *
 * Ownership: error strings are talloc children of the ctx passed.
 */
#ifndef TRAWL_EXPORTER_H
#define TRAWL_EXPORTER_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <talloc.h>

#include "trawl/index.h"
#include "trawl/status.h"

struct exporter_opts {
	const char *query;
	const char *mbox; /* one of mbox and dir */
	const char *dir;
	const char *csv; /* NULL: no index */
	int force;       /* overwrite existing files */
	/* Both may be NULL: after each message, and for a message that cannot be exported. */
	void (*progress)(void *ud, size_t done, size_t total);
	void (*warn)(void *ud, const char *message);
	void *ud;
};

struct exporter_result {
	size_t exported; /* messages written */
	size_t failed;   /* messages whose file could not be read */
};

/*
 * Checks the destinations before any work: TRAWL_EXISTS (unless
 * o->force) naming the first file in the way, TRAWL_USAGE for options
 * that do not go together; the reason in *error.
 */
trawl_status_t exporter_check(TALLOC_CTX *ctx, const struct exporter_opts *o, char **error);

/*
 * Exports the messages matching o->query in idx.  Returns TRAWL_OK (even
 * if some messages failed: see res->failed), or the status of the
 * failure that stopped it with the reason in *error; then nothing is left
 * under the mbox and CSV names (files already written in DIR stay).
 */
trawl_status_t exporter_run(TALLOC_CTX *ctx, index_t *idx, const struct exporter_opts *o,
                            struct exporter_result *res, char **error);

/* The `trawl export` subcommand; argv[0] is "export".  Returns the exit status. */
int exporter_main(TALLOC_CTX *ctx, int argc, char **argv);

/*
 * Writes one mboxrd entry to f, as --mbox does: the "From " line of
 * sender (no blanks in it) and date, the message d[0..len) with its
 * ">From " lines quoted, a newline if it has none at its end, and an
 * empty line.  0, or -1 when f has an error.
 */
int exporter_mbox_write(FILE *f, const char *sender, time_t date, const char *d, size_t len);

#endif
