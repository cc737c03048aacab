/*
 * tagops: tag change lists ("+urgent -inbox") and the review journal.
 *
 * A tag change list is parsed once into struct tagops and applied to tag
 * sets (sorted, space separated strings, as the index copies them out).
 * Tags may hold spaces or non-ASCII characters when quoted:
 * +"under review" -"à relire".  Tags are UTF-8 without control characters.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_TAGOPS_H
#define TRAWL_TAGOPS_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

struct tagop {
	char *tag;
	int add; /* 1: +tag, 0: -tag */
};

struct tagops {
	struct tagop *ops;
	size_t n;
};

/*
 * Parses "+a -b +\"c d\"".  An empty list, a bare word, an empty tag or a
 * tag with a control character is an error (TRAWL_PARSE, *error says
 * which).  Later operations on the same tag win.
 */
trawl_status_t tagops_parse(TALLOC_CTX *ctx, const char *s, struct tagops **out, char **error);

/*
 * Whether tag can be in a change list: not empty, without control
 * characters and, to be added (add nonzero), valid UTF-8 not starting
 * with '-'.
 */
int tagops_valid_tag(const char *tag, int add);

/* The list written back in the syntax tagops_parse() reads. */
char *tagops_format(TALLOC_CTX *ctx, const struct tagops *ops);

/*
 * Applies ops to the tag array tags (n entries) and returns the sorted
 * result (a NULL-terminated array, child of ctx) with its length in *out_n.
 */
char **tagops_apply(TALLOC_CTX *ctx, const struct tagops *ops, char *const *tags, size_t n,
		    size_t *out_n);

/* Whether applying ops to tags would change nothing. */
int tagops_noop(const struct tagops *ops, char *const *tags, size_t n);

/* Inverse for undo is not derivable from ops alone: the journal stores old tags. */

/* Whether tag is one of tags[0..n). */
int tagops_has(char *const *tags, size_t n, const char *tag);

#endif
