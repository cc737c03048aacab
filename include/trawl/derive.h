/*
 * derive: making the text of attachments searchable (`trawl extract`).
 *
 * notmuch indexes only a message's text parts, so a word that appears only
 * in a PDF or DOCX attachment cannot be found.  notmuch does index every
 * file that carries a message's Message-ID into that one message; so for
 * each message with attachments this module writes a derived file, an
 * RFC 5322 message with the original's Message-ID and the extracted text
 * as its UTF-8 text/plain body, and indexes it.  Any notmuch client then
 * finds the original message by a word of its attachments.
 *
 * Where: MAIL_ROOT/.trawl-derived/XX/SHA.eml (index.h: INDEX_DERIVED_DIR),
 * SHA the SHA-256 of the Message-ID as notmuch stores it and XX its first
 * two digits.  notmuch_database_index_file() accepts only files under the
 * mail root; a name made from a hash is fixed-length and safe whatever the
 * Message-ID holds, and found again without asking the database; two hex
 * digits keep each directory under ~4,000 files for a million messages.
 * The index module never takes such a file for the message's own.
 *
 * The file: the original's From, To, Cc, Date, Subject, Message-ID,
 * In-Reply-To and References header lines, byte for byte (so the message's
 * header terms and thread do not change, whichever of its files notmuch
 * reads first), then
 *
 *   X-Trawl-Derived: attachment-text
 *   X-Trawl-Extractor: DERIVE_EXTRACTOR
 *   X-Trawl-Source: SHA256 PATH      one per original file (PATH relative
 *                                    to the mail root)
 *   X-Trawl-Attachment: NAME; NAME   every attachment's name, in one field
 *                                    (notmuch indexes the first field only)
 *
 * and the text of each attachment (each original file's attachments,
 * those with the same content once) after a line naming it.  A derived
 * file is up to date when its extractor and sources are the current ones
 * and it is indexed: then it is left alone, so a second run does nothing.
 * Otherwise it is removed from its message, written again (a temporary
 * file renamed over it), indexed, and the message reindexed (libnotmuch
 * 0.37 keeps a removed file's terms until then).
 *
 * Attachments are decoded by the renderer and parsed only in a child
 * process with limits (extract_in_child()).  Original files are opened
 * read-only; the derived directory and the log are the only places
 * written.  Each file written is recorded in the log (derived.tsv), one
 * row per original file: when, status, Message-ID, original path and
 * SHA-256, derived path and SHA-256, attachment names, extractor.
 *
 * Ownership: strings returned are children of the ctx passed.
 */
#ifndef TRAWL_DERIVE_H
#define TRAWL_DERIVE_H

#include <stdbool.h>
#include <talloc.h>

#include "trawl/index.h"
#include "trawl/status.h"

/* Changes whenever the text extracted from the same bytes may change. */
#define DERIVE_EXTRACTOR "trawl-extract 1"

/* The notmuch prefix that searches the attachment names (index.header.NAME). */
#define DERIVE_NAME_PREFIX "AttachmentText"

struct derive_opts {
	const char *query;    /* messages to look at ("*" for all); tag:attachment is added */
	const char *log_path; /* derived.tsv, appended to */
	bool progress;        /* a progress line on stderr */
};

struct derive_result {
	unsigned extracted;      /* derived files written (new or replacing an older one) */
	unsigned up_to_date;     /* left alone */
	unsigned failed;         /* no derived file could be written or indexed */
	unsigned no_attachments; /* tagged attachment, yet no attachment found */
	unsigned attachments;    /* attachments extracted */
};

/* The derived file of message_id under mail_root (a child of ctx). */
char *derive_path(TALLOC_CTX *ctx, const char *mail_root, const char *message_id);

/*
 * Writes and indexes the derived files of the messages of o->query.  What
 * each message needs, and the text, are found on idx (read-only); the
 * writes of a batch (at most 25 messages, or what a second of extraction
 * gave) go through a read-write handle opened for that batch only, so the
 * write lock is never held while documents are parsed, and a reviewer's
 * tag changes wait at most one batch's indexing.  Failures of single
 * messages are counted and said on stderr; the return is not TRAWL_OK only
 * when the run could not go on (database, log), with *error (child of ctx).
 */
trawl_status_t derive_run(index_t *idx, TALLOC_CTX *ctx, const struct derive_opts *o,
                          struct derive_result *res, char **error);

/* trawl extract [--cache DIR] [QUERY...]: returns the exit status. */
int derive_main(TALLOC_CTX *ctx, int argc, char **argv);

#endif
