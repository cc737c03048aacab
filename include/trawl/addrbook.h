/*
 * addrbook: the recipients (To, Cc, Bcc) of each message, kept beside the
 * database for statistics (stats.h).
 *
 * notmuch 0.37 keeps a message's date, From and Message-ID in value
 * slots, cheap to read, but its recipients only as search terms (to:
 * finds them; nothing lists them): notmuch_message_get_header("to")
 * parses the message file, some 150 us a message, which puts the
 * correspondents of a 100,000-message cache at 15 s.  So the recipients
 * of a message are read once, from its header block (render.h), the first
 * time a statistic needs them, and kept here by Message-ID; later ones
 * find them in a mapped file, without touching the mail.  Headers of a
 * Message-ID do not change, so an entry never goes stale (a message
 * removed from the database leaves an entry nobody asks for).
 *
 * The file (paths_for(PATHS_RECIPIENTS), beside the journal) is
 * binary, in the writer's byte order, mapped read-only and checked on
 * every access, so a damaged or foreign file reads as partly or wholly
 * empty, never out of bounds.  It belongs to one database (its UUID): a
 * new database starts a new file.  Layout: a header (magic "TRWLRCP1", a
 * byte-order mark, the counts, the length of the string bytes, the UUID),
 * then the messages (key = FNV-1a of the Message-ID, the Message-ID's
 * string, the first and the number of its recipients) sorted by key, the
 * recipients (string of the address, string of the name), the string
 * table (offset, length) and the strings, each ending in a NUL.
 *
 * Writes (addrbook_save) merge what was added into the file as it is
 * then, through a temporary file renamed over it, so concurrent trawls
 * lose at most each other's latest additions, which are read again.
 *
 * Ownership: the book is a talloc object (its destructor unmaps the
 * file); strings it returns stay valid until it is freed.
 */
#ifndef TRAWL_ADDRBOOK_H
#define TRAWL_ADDRBOOK_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/render.h"
#include "trawl/status.h"

/* Recipients kept per message at most (a hostile header may name thousands). */
#define ADDRBOOK_MAX_RCPTS 256
/* The file is never written beyond this size: what does not fit is read again next time. */
#define ADDRBOOK_MAX_FILE (1ull << 31)

struct addrbook;

struct addrbook_rcpt {
	const char *addr;
	const char *name;
};

/* The file of the database at db_path. */
char *addrbook_path_for(TALLOC_CTX *ctx, const char *db_path);

/*
 * Maps the file at path for the database whose UUID is uuid; a missing,
 * damaged or foreign file gives an empty book.  NULL only on
 * out-of-memory.
 */
struct addrbook *addrbook_open(TALLOC_CTX *ctx, const char *path, const char *uuid);

/* The same over a copy of len bytes of buf (tests, fuzzing); path NULL: cannot be saved. */
struct addrbook *addrbook_open_buffer(TALLOC_CTX *ctx, const void *buf, size_t len,
				      const char *uuid);

/*
 * Whether message_id is in the book (the file or what was added); if so
 * *v receives its recipients (*n of them; v valid until the next lookup).
 */
int addrbook_lookup(struct addrbook *ab, const char *message_id, const struct addrbook_rcpt **v,
		    size_t *n);

/* Adds message_id's recipients (at most ADDRBOOK_MAX_RCPTS are kept). */
trawl_status_t addrbook_add(struct addrbook *ab, const char *message_id,
			    const struct render_address *v, size_t n);

/* Messages added since the book was opened or last saved. */
size_t addrbook_added(const struct addrbook *ab);

/* Messages in the file as mapped. */
size_t addrbook_size(const struct addrbook *ab);

/*
 * The i-th message of the file as mapped (i < addrbook_size()): its
 * Message-ID and recipients; 0 for an entry a damaged file cannot give.
 */
int addrbook_entry(struct addrbook *ab, size_t i, const char **message_id,
		   const struct addrbook_rcpt **v, size_t *n);

/*
 * Merges what was added into the file at the book's path as it is now
 * (another trawl may have written it since it was opened) and replaces it
 * atomically.  Nothing is written when nothing was added.
 */
trawl_status_t addrbook_save(struct addrbook *ab);

/* The file's bytes for the book's own entries and additions (tests and fuzzing). */
trawl_status_t addrbook_format(TALLOC_CTX *ctx, struct addrbook *ab, char **out, size_t *len);

#endif
