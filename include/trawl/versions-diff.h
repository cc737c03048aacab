/*
 * versions-diff: what differs between two versions of a message, as the
 * reader renders them (render.h, RENDER_MODE_TEXT), in three sections
 * each compared line by line:
 *
 *   Headers      every header field as "Name: value" (decoded), in file
 *                order, except the transport fields the version rule
 *                leaves out (versions.h);
 *   Body         the body lines as the thread view shows them, notes on
 *                attachments and skipped parts included (empty lines at
 *                the very end left out, as the rule leaves them out);
 *   Attachments  one line each: name, type, size and SHA-256 of the
 *                decoded content.
 *
 * Lines in both are kept around each change as context
 * (VERSIONS_DIFF_CONTEXT lines); longer runs of equal lines become one
 * VERSIONS_DIFF_SKIP line.  The line diff is Myers' (the shortest edit
 * script) up to VERSIONS_DIFF_MAX_EDITS edits; beyond, the part between
 * the common start and end is shown removed and then added, and a note
 * says so.
 *
 * Texts are copied from the renders and are NOT neutralised: a hostile
 * version's escapes are still in them, and whoever draws or prints them
 * passes them through the text module (as it does for both sides).
 *
 * Ownership: the result is a talloc child of the ctx passed in.
 */
#ifndef TRAWL_VERSIONS_DIFF_H
#define TRAWL_VERSIONS_DIFF_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/render.h"
#include "trawl/status.h"

#define VERSIONS_DIFF_CONTEXT 3
#define VERSIONS_DIFF_MAX_EDITS 2000

enum versions_diff_kind {
	VERSIONS_DIFF_SECTION, /* "Headers", "Body", "Attachments" */
	VERSIONS_DIFF_SAME,    /* in both versions */
	VERSIONS_DIFF_DEL,     /* only in the first ("-") */
	VERSIONS_DIFF_ADD,     /* only in the second ("+") */
	VERSIONS_DIFF_SKIP,    /* "… 12 lines the same …" between changes */
	VERSIONS_DIFF_NOTE,    /* trawl's own words: "the same", a diff too large */
};

struct versions_diff_line {
	enum versions_diff_kind kind;
	char *text; /* without the "+ "/"- " mark; not neutralised */
};

struct versions_diff {
	struct versions_diff_line *lines;
	size_t n;
	size_t removed, added; /* lines, all sections */
	char *summary; /* "headers: 1 added; body: 1 removed, 1 added; attachments: the same" */
};

/* The mark a line is shown with: "  ", "- ", "+ " (or "" for sections and notes). */
const char *versions_diff_mark(enum versions_diff_kind kind);

/*
 * Compares two renders; ha[0..nha) and hb[0..nhb) are their attachments'
 * hashes (render_attachment_hashes()).
 */
trawl_status_t versions_diff_renders(TALLOC_CTX *ctx, const struct render_message *a,
                                     char *const *ha, size_t nha, const struct render_message *b,
                                     char *const *hb, size_t nhb, struct versions_diff **out);

/*
 * Renders the message files a and b (read-only) and compares them.
 * TRAWL_IO when one cannot be read; *error (a child of ctx) names it.
 */
trawl_status_t versions_diff_files(TALLOC_CTX *ctx, const char *a, const char *b,
                                   struct versions_diff **out, char **error);

/*
 * The line diff itself, exposed for tests: the edit script turning
 * a[0..na) into b[0..nb) as one op a step ('=', '-', '+'), *n_ops steps
 * (a talloc array, child of ctx).  *exact is 0 when the edit limit was
 * reached and the middle was given as removed, then added.
 */
trawl_status_t versions_diff_lines(TALLOC_CTX *ctx, const char *const *a, size_t na,
                                   const char *const *b, size_t nb, char **ops, size_t *n_ops,
                                   int *exact);

#endif
