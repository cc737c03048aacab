/*
 * render: the only module that uses GMime.  A message file (or buffer) in,
 * display lines out: decoded headers, body lines in display order with a
 * kind for colouring, the MIME parts and the list of attachments.
 *
 * Every email is treated as hostile.  The MIME tree is walked without
 * recursion and with the limits below; text parts are decoded through
 * GMime's filter chain (transfer encoding, CRLF, charset -> UTF-8 with a
 * windows-1252 fallback for undeclared or mislabelled 8-bit text); HTML is
 * turned into text in-process by libxml2 with no network access.
 * Exceeding a limit is said in a RENDER_LINE_NOTE line, never a crash.
 *
 * Strings in the result are valid UTF-8 but NOT neutralised: they may
 * still contain controls, escapes or bidi overrides, and every consumer
 * must pass them through the text module before they reach a terminal.
 *
 * Ownership: the result and everything in it is a talloc child of the
 * ctx passed in; free it with talloc_free() on the result.  Line texts
 * live in blocks shared by many lines: never free or steal one alone.
 * GMime and libxml2 objects never escape this module.
 *
 * Threads: the functions are reentrant (GMime is initialised once, under
 * pthread_once); libxml2's error handlers are silenced per thread.
 */
#ifndef TRAWL_RENDER_H
#define TRAWL_RENDER_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

/* Limits; exceeding one is said on screen, never a crash. */
#define RENDER_MAX_DEPTH 64       /* MIME nesting */
#define RENDER_MAX_PARTS 1000     /* parts walked per message */
#define RENDER_MAX_LINE 16384     /* bytes per body line before it is cut */
#define RENDER_MAX_HEADER 8192    /* bytes per header value */
#define RENDER_MAX_HEADERS 1000   /* headers kept per message (or nested message) */
#define RENDER_MAX_BODY (8 << 20) /* decoded bytes per text part */
#define RENDER_MAX_LINES 500000   /* lines per message, trawl's own notes not counted */
#define RENDER_MAX_RAW (32 << 20) /* bytes shown in RENDER_MODE_RAW */

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
	RENDER_LINE_LINK,      /* the URL list after an HTML part: "[N] URL" */
};

struct render_line {
	char *text; /* UTF-8 without newline, not neutralised; shared block, see above */
	enum render_line_kind kind;
	int depth;       /* message/rfc822 nesting level, for indentation */
	int quote_level; /* number of leading '>' for quotes (1 in Original Message blocks) */
	int part;        /* id of the MIME part it comes from (struct render_part), 0 if none */
	int wrapped;     /* 1: the source line goes on in the next line (cut at RENDER_MAX_LINE) */
};

struct render_attachment {
	char *filename;  /* as declared (RFC 2231/2047 decoded), may be hostile or "" */
	char *safe_name; /* base name safe to create in a directory */
	char *mime_type;
	size_t size; /* decoded size in bytes */
	int index;   /* 1-based, as in the body note; for render_save_attachment() */
	int part;    /* id of its MIME part */
};

struct render_header {
	char *name;
	char *value; /* RFC 2047 decoded, unfolded, cut at RENDER_MAX_HEADER with a note */
};

/*
 * A node of the MIME tree.  Ids are numbered depth first from 1 (the
 * message's top-level part), exactly as notmuch numbers them for
 * `notmuch show --part=N`: a message/rfc822 part has an id and the
 * top-level part of the message inside it the next one.
 */
struct render_part {
	int id;
	int parent;       /* id of the enclosing part, 0 for the top level */
	int depth;        /* MIME nesting depth, 1 for the top level */
	char *mime_type;  /* "text/plain", ... (lower case) */
	char *charset;    /* declared charset parameter, "" if none */
	char *decoded_as; /* charset the text was read as ("windows-1252"...), "" if not shown */
	int shown;        /* its text is in lines[] */
	int attachment;   /* its index in attachments (1-based, as in the note), 0 if none */
};

struct render_message {
	char *from, *to, *cc, *date, *subject, *message_id; /* decoded, "" if absent */
	struct render_header *headers; /* every top-level header, in file order (any mode) */
	size_t n_headers;
	struct render_line *lines;
	size_t n_lines;
	struct render_attachment *attachments;
	size_t n_attachments;
	struct render_part *parts; /* every part walked, in id order */
	size_t n_parts;
	int has_html;     /* an HTML body part (or alternative) exists */
	int has_plain;    /* a text/plain body part (or alternative) exists */
	int parse_failed; /* GMime could not parse it: lines are the raw text after a note */
};

struct render_opts {
	enum render_mode mode;
};

/*
 * Initialises GMime once per process, with every crypto protocol
 * (OpenPGP, S/MIME) unsupported: nothing trawl parses, and nothing
 * libnotmuch indexes in a process that called this, runs gpg, gpgsm or
 * their daemons.  The functions below call it; index-build calls it
 * before libnotmuch indexes anything.
 */
void render_init(void);

/*
 * Parses and renders the message file at path (opened read-only; it must
 * be a regular file).  opts may be NULL (RENDER_MODE_TEXT).  Returns
 * TRAWL_IO if the file cannot be read; a file that is not a message still
 * renders (parse_failed, raw lines).
 */
trawl_status_t render_file(TALLOC_CTX *ctx, const char *path, const struct render_opts *opts,
			   struct render_message **out);

/* The same for a message held in memory (fuzzing, tests); buf is copied. */
trawl_status_t render_buffer(TALLOC_CTX *ctx, const char *buf, size_t len,
			     const struct render_opts *opts, struct render_message **out);

/*
 * Writes the decoded content of attachment index (1-based, as in
 * struct render_attachment) of the message at path into directory dir
 * under its safe name, never overwriting and never following a symlink:
 * an existing name gets a numeric suffix ("report (1).pdf").  *saved
 * receives the path written, a child of ctx.  TRAWL_NOT_FOUND if there is
 * no such attachment, TRAWL_IO on a write error (nothing is left behind).
 */
trawl_status_t render_save_attachment(TALLOC_CTX *ctx, const char *path, int index, const char *dir,
				      char **saved);

/*
 * The decoded content of attachment index (as render_save_attachment()
 * would write it) in memory: *data (*len bytes, NUL-terminated) is a
 * child of ctx.  TRAWL_NOT_FOUND if there is no such attachment,
 * TRAWL_LIMIT if it decodes to more than max bytes (nothing is returned).
 */
trawl_status_t render_attachment_bytes(TALLOC_CTX *ctx, const char *path, int index, size_t max,
				       char **data, size_t *len);

/*
 * The SHA-256 of the decoded content of each attachment of the message at
 * path (what render_save_attachment() would write), as hex: (*hex)[i] is
 * attachment i + 1's.  *hex is a talloc array of *n strings, a child of
 * ctx (NULL when there is none).  TRAWL_IO if the file cannot be read.
 */
trawl_status_t render_attachment_hashes(TALLOC_CTX *ctx, const char *path, char ***hex,
					size_t *n);

/*
 * The safe base name for a declared attachment file name (NULL allowed):
 * no directory part, no control, C1 or bidi characters, no "..", no
 * leading dot, space or dash, valid UTF-8, at most 255 bytes with the
 * extension kept; "attachment" if nothing is left.  A child of ctx.
 */
char *render_safe_filename(TALLOC_CTX *ctx, const char *declared);

/*
 * HTML to text, used for text/html parts and exposed for tests: html
 * (UTF-8, len bytes; ill-formed bytes become U+FFFD) becomes lines
 * separated by '\n' in text (no trailing newline), with links written
 * "text [N]" numbered from first_link and their URLs in links[].  Scripts, styles and the head are
 * dropped; nothing is fetched.  The output is bounded (2 * RENDER_MAX_BODY;
 * cut is set if it was reached).  Children of ctx.
 */
struct render_html {
	char *text;
	size_t len;
	char **links;
	size_t n_links;
	int cut;
};

trawl_status_t render_html_to_text(TALLOC_CTX *ctx, const char *html, size_t len, int first_link,
				   struct render_html **out);

/*
 * Text in a declared charset (NULL or "" when none is declared) to
 * well-formed UTF-8, as text parts are decoded: GMime's charset filter,
 * windows-1252 for undeclared or mislabelled 8-bit text, each ill-formed
 * sequence and NUL made U+FFFD.  Not neutralised.  *out (len bytes in
 * *outlen, NUL-terminated) is a child of ctx; *decoded_as, if not NULL,
 * receives the charset the bytes were read as (static or a child of ctx).
 * For the extract module, which decodes text attachments.
 */
trawl_status_t render_text_to_utf8(TALLOC_CTX *ctx, const char *bytes, size_t len,
				   const char *charset, char **out, size_t *outlen,
				   const char **decoded_as);

/*
 * Addresses (render-addr.c), for statistics: who wrote to whom.  A mailbox
 * of an address header: its address and display name, valid UTF-8 (each
 * ill-formed sequence and NUL made U+FFFD) but NOT neutralised.  Groups
 * are flattened; a list gives at most max mailboxes (the rest are
 * dropped: a hostile header may name a million).
 */
struct render_address {
	char *addr; /* "local@domain" as written, "" if none */
	char *name; /* display name, RFC 2047 decoded, "" if none */
};

/* The bytes of a message file's header block read at most (the rest of the headers is ignored). */
#define RENDER_MAX_HEADER_BLOCK (256 << 10)

/* Parses an address list such as a From value (raw, or decoded as notmuch stores it). */
trawl_status_t render_parse_addresses(TALLOC_CTX *ctx, const char *text, size_t max,
				      struct render_address **out, size_t *n);

/*
 * The mailboxes of the To, Cc and Bcc headers (the recipients notmuch's
 * to: prefix searches) of the message file at path, from its header block
 * alone: the body is never read.  TRAWL_IO if the file cannot be read.
 */
trawl_status_t render_file_recipients(TALLOC_CTX *ctx, const char *path, size_t max,
				      struct render_address **out, size_t *n);

/* The same for a header block (or whole message) in memory, for tests and fuzzing. */
trawl_status_t render_buffer_recipients(TALLOC_CTX *ctx, const char *buf, size_t len, size_t max,
					struct render_address **out, size_t *n);

/*
 * For tests: the number of GLib warnings and criticals GMime raised so
 * far.  They are counted rather than printed, since stderr is the
 * terminal the UI draws on; any non-zero count means this module misused
 * GMime.
 */
unsigned long render_gmime_warnings(void);

#endif
