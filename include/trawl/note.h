/*
 * note: a reviewer's free-text note on a message ("why it matters"), as
 * it is kept in the notmuch database.
 *
 * Where: notmuch message properties, so the note stays with the case and
 * other notmuch tools see it (`notmuch dump --include=properties`,
 * `notmuch search property:trawl-note=TEXT`).  A property is one Xapian
 * term, and a term holds at most 245 bytes: libnotmuch 0.37 exits the
 * process ("Internal error: Unhandled error modifying message property")
 * when asked for a longer one, so a note is cut into pieces of at most
 * NOTE_PIECE bytes, on character boundaries: the first under the key
 * "trawl-note" (so a short note is the whole value there), the next under
 * "trawl-note.2", "trawl-note.3" and so on.  Joining them in that order
 * gives the note back.
 *
 * Finding notes: notmuch's query parser has no wildcard for property
 * values (`property:trawl-note=*` matches nothing), so the writer also
 * keeps a tag on every message with a note ("noted" by default, the
 * note_tag option): `tag:noted` works in trawl, in `notmuch search` and
 * in every other client.  Notmuch built with sexp queries also finds them
 * with `--query=sexp '(property (starts-with "trawl-note="))'`.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_NOTE_H
#define TRAWL_NOTE_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

#define NOTE_KEY "trawl-note" /* the property of the first piece */
#define NOTE_PIECE 200        /* bytes of a note per property value */
#define NOTE_MAX 4000         /* bytes of a note at most */
#define NOTE_MAX_PIECES 64    /* pieces read back at most (NOTE_MAX needs fewer) */
#define NOTE_TAG "noted"      /* the default tag of messages with a note */

/*
 * The note as stored: white space around it removed.  Returns TRAWL_PARSE
 * with *why set (a child of ctx) when it is not valid UTF-8, holds a
 * control character (C0, DEL, C1) or is longer than NOTE_MAX bytes.  ""
 * is a valid note: no note.
 */
trawl_status_t note_clean(TALLOC_CTX *ctx, const char *text, char **out, char **why);

/*
 * Cuts text into pieces of at most NOTE_PIECE bytes, never inside a UTF-8
 * sequence; "" gives none.  A talloc array of *n strings.
 */
char **note_split(TALLOC_CTX *ctx, const char *text, size_t *n);

/* The property key of piece i (from 0): "trawl-note", "trawl-note.2"... */
char *note_key(TALLOC_CTX *ctx, size_t i);

/* Which piece key holds (from 0), or -1 when it is not a note key. */
long note_key_piece(const char *key);

/*
 * The note from the properties keys[k] = values[k] (k < n, any order, other
 * keys ignored): the pieces joined in order.  Several values under one key
 * (another program's) are joined with a space, in the order given.
 */
char *note_join(TALLOC_CTX *ctx, const char *const *keys, const char *const *values, size_t n);

#endif
