/*
 * index-int.h: what index.c shares with index-build.c, the index module's
 * write side for caches (both are libnotmuch callers; nothing else is).
 */
#ifndef TRAWL_INDEX_INT_H
#define TRAWL_INDEX_INT_H

#include <notmuch.h>
#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

/* Turns a notmuch status into ours (a duplicate Message-ID is not an error). */
trawl_status_t index_status(notmuch_status_t st);

/* A notmuch message (malloc'd or static) as one line, without its trailing newline. */
char *index_chomp(TALLOC_CTX *ctx, const char *msg);

/*
 * The files of m that are not derived (index_path_is_derived()), in
 * notmuch's order, appended to *paths (a talloc array, child of ctx) and
 * counted in *n: the one place trawl chooses a message's files.  Returns
 * 0, or -1 when memory ran out or notmuch could not list them.
 */
int index_message_originals(TALLOC_CTX *ctx, notmuch_message_t *m, const char *mail_root,
			    char ***paths, size_t *n);

#endif
