/*
 * render: the only module that uses GMime.  A message file (or buffer) in,
 * display lines out: decoded headers, body lines in display order with a
 * kind for colouring, and the list of attachments.
 *
 * Strings in the result are valid UTF-8 but NOT neutralised: they may
 * still contain controls, escapes or bidi overrides, and every consumer
 * must pass them through the text module before they reach a terminal.
 *
 * Ownership: the result and everything in it is a talloc child of the
 * ctx passed in; GMime objects never escape this module.
 */
#ifndef TRAWL_RENDER_H
#define TRAWL_RENDER_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

/* Limits; exceeding one is said on screen, never a crash. */
#define RENDER_MAX_DEPTH 64        /* MIME nesting */
#define RENDER_MAX_PARTS 1000      /* parts walked per message */
#define RENDER_MAX_LINE 16384      /* bytes per body line before it is cut */
#define RENDER_MAX_HEADER 8192     /* bytes per header value */
#define RENDER_MAX_BODY (8 << 20)  /* decoded bytes per text part */

enum render_mode {
	RENDER_MODE_TEXT,    /* text/plain preferred in multipart/alternative */
	RENDER_MODE_HTML,    /* HTML (as text) preferred */
	RENDER_MODE_HEADERS, /* every header, then the body as in TEXT */
	RENDER_MODE_RAW,     /* the raw source, line by line */
};

enum render_line_kind {
	RENDER_LINE_BODY,
	RENDER_LINE_QUOTE,     /* quoted reply text ("> ", Original Message blocks) */
	RENDER_LINE_SIGNATURE, /* after "-- " */
	RENDER_LINE_HEADER,    /* a header line (nested message, headers mode) */
	RENDER_LINE_NOTE,      /* trawl's own note: "[part skipped: ...]", part markers */
	RENDER_LINE_LINK,      /* the URL list after an HTML part */
};

struct render_line {
	char *text; /* UTF-8 without newline, not neutralised */
	enum render_line_kind kind;
	int depth;       /* message/rfc822 nesting level, for indentation */
	int quote_level; /* number of leading '>' for quotes */
};

struct render_attachment {
	char *filename;  /* as declared (RFC 2231/2047 decoded), may be hostile or empty */
	char *safe_name; /* base name safe to create in a directory */
	char *mime_type;
	size_t size; /* decoded size in bytes */
	int index;   /* stable index for render_save_attachment() */
};

struct render_header {
	char *name;
	char *value; /* RFC 2047 decoded, unfolded */
};

struct render_message {
	char *from, *to, *cc, *date, *subject, *message_id; /* decoded, "" if absent */
	struct render_header *headers; /* every header, in order (mode HEADERS) */
	size_t n_headers;
	struct render_line *lines;
	size_t n_lines;
	struct render_attachment *attachments;
	size_t n_attachments;
	int has_html;  /* an HTML alternative exists */
	int has_plain; /* a text/plain alternative exists */
};

struct render_opts {
	enum render_mode mode;
};

/* Parses and renders the message file at path. */
trawl_status_t render_file(TALLOC_CTX *ctx, const char *path, const struct render_opts *opts,
			   struct render_message **out);

/* The same for a message held in memory (fuzzing, tests). */
trawl_status_t render_buffer(TALLOC_CTX *ctx, const char *buf, size_t len,
			     const struct render_opts *opts, struct render_message **out);

/*
 * Writes the decoded content of attachment index of the message at path
 * into directory dir under its safe name, never overwriting: an existing
 * name gets a numeric suffix ("report (1).pdf").  *saved receives the path
 * written, a child of ctx.
 */
trawl_status_t render_save_attachment(TALLOC_CTX *ctx, const char *path, int index,
				      const char *dir, char **saved);

/* The safe base name for a declared attachment file name. */
char *render_safe_filename(TALLOC_CTX *ctx, const char *declared);

#endif
