/*
 * extract-int: what extract.c, extract-zip.c, extract-tnef.c and
 * extract-job.c share, and nothing else includes.  The text is gathered
 * raw (UTF-8 from the libraries, not yet neutralised) in a bounded
 * buffer; extract.c neutralises it line by line at the end.
 */
#ifndef TRAWL_EXTRACT_INT_H
#define TRAWL_EXTRACT_INT_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

struct extract_out {
	TALLOC_CTX *ctx; /* scratch memory of one extraction */
	char *buf;       /* the raw text so far */
	size_t len, cap;
	int cut;          /* EXTRACT_MAX_TEXT was reached */
	int failed;       /* out of memory */
	char *reason;     /* the first reason to stop (raw), NULL if none */
	int depth;        /* zip or TNEF nesting of the document being read, 0 at the top */
	size_t inflated;  /* bytes inflated from zip members so far, at every depth */
	size_t inflate_max;
	const char *kind; /* of the top-level document */
	void *magic;      /* the libmagic cookie (magic_t), opened once per extraction */
};

/* Whether extraction goes on: no limit reached, no stop, memory left. */
int extract_more(const struct extract_out *o);

/* Appends n bytes; returns extract_more(). At EXTRACT_MAX_TEXT, keeps what fits and sets cut. */
int extract_put(struct extract_out *o, const char *s, size_t n);
int extract_puts(struct extract_out *o, const char *s);
int extract_putf(struct extract_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ends the current line (dropping its trailing blanks) unless the text is empty or at a line start. */
void extract_newline(struct extract_out *o);

/* Records why extraction stops (the first reason wins) and stops it. */
void extract_stop(struct extract_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A note that does not stop extraction: a line "[...]" in the text. */
void extract_note(struct extract_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Extracts one document (the top level, or a zip member at o->depth > 0)
 * into o: detects its type and calls the reader for it.
 */
void extract_any(struct extract_out *o, const char *data, size_t len, const char *declared_type,
		 const char *charset, const char *filename);

/* The zip readers (extract-zip.c): OOXML, ODF, or a listing of the members. */
void extract_zip(struct extract_out *o, const char *data, size_t len);

/*
 * TNEF (extract-tnef.c, libytnef): whether the bytes start with the TNEF
 * signature; the body and each attachment of the stream, extracted.
 */
int extract_is_tnef(const char *data, size_t len);
void extract_tnef(struct extract_out *o, const char *data, size_t len);

/*
 * The text neutralised line by line (text_sanitize()), '\r' before a
 * newline dropped, trailing newlines dropped; a child of ctx, NULL when
 * out of memory.  Used on the child's side and again on the parent's,
 * which does not trust what a child sends.
 */
char *extract_neutralise(TALLOC_CTX *ctx, const char *s, size_t len, size_t max, int *cut,
			 size_t *outlen);

#endif
