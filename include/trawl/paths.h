/*
 * paths: where trawl keeps what it knows about a database.  Every file
 * trawl writes for one database has its path from here, so the places are
 * decided in one module (SECURITY.md lists the files and what they hold).
 *
 * Where: beside the database, in <database>/.notmuch/trawl/ (made mode
 * 0700), so that a case copied or moved keeps its audit trail and no text
 * of the evidence goes to the user's home.  Only when that directory
 * cannot be written are the XDG directories used: state files (the
 * journal, hints, prefs, histories) in $XDG_STATE_HOME/trawl/journal/,
 * caches (heads, recipients) in $XDG_CACHE_HOME/trawl/heads/, each named
 * after the database's folder and a hash of its path; paths_take_notice()
 * says so once.  A journal found at the old XDG place is moved beside the
 * database on first use; a cache found there is deleted (it holds text of
 * the evidence and can be made again).
 *
 * The journal's own companions (journal.log.next, the sessions directory)
 * are named by journal.c from the journal's path; the uuid file sits
 * beside the journal (paths_note_uuid()).
 *
 * paths knows nothing of notmuch: it takes the database's path.
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_PATHS_H
#define TRAWL_PATHS_H

#include <talloc.h>

enum paths_file {
	PATHS_JOURNAL,      /* journal.log: the review journal (journal.h) */
	PATHS_HINTS,        /* hints: per-database facts (hints.h) */
	PATHS_PREFS,        /* prefs: the reader's choices per saved search (prefs.h) */
	PATHS_HISTORY,      /* history: queries typed at the search prompt */
	PATHS_PIPE_HISTORY, /* pipe-history: command lines typed at | */
	PATHS_HEADS,        /* heads: the first rows of lists (cache, headcache.h) */
	PATHS_RECIPIENTS,   /* recipients: each message's recipients (cache, addrbook.h) */
	PATHS_FILE_COUNT
};

/*
 * The path of file for the database at db_path (see above for where);
 * NULL only when out of memory.  Makes the case directory when it is
 * missing; for PATHS_JOURNAL moves a journal from the old XDG place.
 */
char *paths_for(TALLOC_CTX *ctx, const char *db_path, enum paths_file file);

/*
 * The place of file in the case directory of a database at db_path, with
 * nothing checked or made: for a database whose case directory moved
 * with it.
 */
char *paths_in_case(TALLOC_CTX *ctx, const char *db_path, enum paths_file file);

/* Whether path (from paths_for()) is in a case directory, not an XDG fallback. */
int paths_is_in_case(const char *path);

/*
 * Records the database's UUID in the uuid file beside the journal at
 * journal_path (the first time), or, when another one is recorded there,
 * says so once (the notice).  Nothing when the journal is not in a case
 * directory.
 */
void paths_note_uuid(const char *journal_path, const char *uuid);

/* A line to show once about where the state went (a fallback, a migration), or NULL. */
const char *paths_take_notice(void);

#endif
