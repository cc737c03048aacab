/*
 * demo: the demo corpus `trawl --demo` opens.
 *
 * The generator writes a deterministic maildir of synthetic, leak-like mail
 * from a fictional organisation (the Régie des Eaux du Val-de-Brenne, a
 * municipal water utility, with its staff, board, suppliers, lawyers and
 * journalists; every person, company and domain is invented, and all
 * domains end in .example).  It has threads with quoting and forwards,
 * several charsets and transfer encodings, HTML, attachments, mailing
 * lists, a few large messages, a few duplicate Message-IDs and a few
 * deliberately hostile messages (terminal escapes, bidi overrides, invalid
 * UTF-8, path traversal in file names) so the demo shows trawl's safety.
 * The same count and seed always give byte-identical files; no clock, no
 * rand(), no locale is consulted.
 *
 * The hostile messages have fixed Message-IDs of the form
 * hostile-<what>@factures-express.example (see DEMO_HOSTILE_ID_DOMAIN), so
 * tests can find them with `id:`.
 *
 * Ownership: nothing is returned but status codes; error details are
 * talloc children of the ctx passed, and the caller frees them.
 */
#ifndef TRAWL_DEMO_H
#define TRAWL_DEMO_H

#include <talloc.h>

#include "trawl/status.h"

/* The number of files `trawl --demo` writes. */
#define DEMO_DEFAULT_COUNT 3000

/* The seed demo_make_cache() uses, so every demo cache is the same. */
#define DEMO_DEFAULT_SEED 20140317u

/* The domain of the hostile messages' Message-IDs. */
#define DEMO_HOSTILE_ID_DOMAIN "factures-express.example"

/*
 * Writes the demo corpus as a maildir at maildir_path (creating it and its
 * cur/, new/ and tmp/ if needed): count files in cur/, named
 * <seq>.<hash>.demo:2, and deterministic for a given count and seed.  The
 * count includes the few duplicate copies (same Message-ID, another file).
 * No tags or maildir flags are written.
 *
 * Existing files are never overwritten (O_EXCL): writing into a maildir
 * that already holds the same corpus fails with EEXIST.
 *
 * Returns TRAWL_OK, or TRAWL_IO with the file and the errno text in
 * *error (a talloc child of ctx; NULL on success), or TRAWL_NOMEM.
 */
trawl_status_t demo_write_maildir(TALLOC_CTX *ctx, const char *maildir_path, unsigned count,
				  unsigned seed, char **error);

/*
 * Makes (once) the demo cache at dir:
 *
 *   dir/mail            the maildir (demo_write_maildir, DEMO_DEFAULT_SEED)
 *   dir/mail/.notmuch   the notmuch database, indexed through libnotmuch
 *   dir/notmuch-config  database.path=dir/mail, new.tags empty,
 *                       maildir.synchronize_flags=false
 *
 * Open it with index_open(ctx, NULL, "dir/notmuch-config", ...).
 *
 * If dir/notmuch-config exists and its database opens, nothing is done.
 * The cache is built in a sibling dir.tmp-XXXXXX that is renamed to dir
 * only when complete, and removed on failure, so an interrupted attempt
 * never leaves a half-made dir; build directories more than an hour old
 * (left by a killed attempt) are removed on the next call.  The parent of
 * dir is created if needed; a relative dir is taken from the current
 * directory.  dir must not hold control characters or backslashes, which
 * a notmuch config file cannot carry as such.
 *
 * Returns TRAWL_OK; TRAWL_EXISTS when dir exists but is not a usable demo
 * cache (it is left alone: remove it by hand); TRAWL_IO, TRAWL_DB,
 * TRAWL_NOMEM... otherwise.  *error (a talloc child of ctx, NULL on
 * success) names the path and the reason.
 *
 * Indexing takes a few seconds for DEMO_DEFAULT_COUNT messages; the caller
 * should say so before calling.
 */
trawl_status_t demo_make_cache(TALLOC_CTX *ctx, const char *dir, unsigned count, char **error);

#endif
