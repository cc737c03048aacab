/*
 * prefs: the reader's choices kept with a case, such as the order each
 * saved search was last shown in, in a small file beside the journal
 * (<database>/.notmuch/trawl/prefs; see paths.h), so that a
 * copied or moved case keeps them and nothing about the evidence goes to
 * the home directory.  Unlike the hints (hints.h), a pref is what the user
 * chose: it is never dropped to make room.
 *
 * The file holds "KEY<TAB>VALUE" lines; keys and values hold no tab or
 * newline.  Writes are whole-file and atomic (rename).  Strings returned
 * are talloc children of the ctx passed in.
 */
#ifndef TRAWL_PREFS_H
#define TRAWL_PREFS_H

#include <talloc.h>

/* The prefs file of the database at db_path. */
char *prefs_path_for(TALLOC_CTX *ctx, const char *db_path);

/* The value of key, or NULL when path or key is absent. */
char *prefs_get(TALLOC_CTX *ctx, const char *path, const char *key);

/* Sets key to value, or with value NULL removes it; 0, or -1 when it cannot be written. */
int prefs_set(const char *path, const char *key, const char *value);

#endif
