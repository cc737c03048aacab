/*
 * index-int.h: what index.c shares with index-build.c, the index module's
 * write side for caches (both are libnotmuch callers; nothing else is).
 */
#ifndef TRAWL_INDEX_INT_H
#define TRAWL_INDEX_INT_H

#include <notmuch.h>
#include <talloc.h>

#include "trawl/status.h"

/* Turns a notmuch status into ours (a duplicate Message-ID is not an error). */
trawl_status_t index_status(notmuch_status_t st);

/* A notmuch message (malloc'd or static) as one line, without its trailing newline. */
char *index_chomp(TALLOC_CTX *ctx, const char *msg);

#endif
