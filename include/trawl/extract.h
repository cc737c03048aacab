/*
 * extract: the text of one attachment, for reading it inside trawl and
 * (later) for indexing it.  Bytes in, neutralised UTF-8 text out:
 *
 *   PDF                       poppler-glib, a line "— page N —" before each page
 *   DOCX, PPTX                libarchive (the zip) + libxml2 (word/document.xml;
 *                             ppt/slides/slideN.xml, each after "— slide N —")
 *   XLSX                      the sheets in workbook order, each after
 *                             "— sheet "NAME" —", cells by tab, rows by newline
 *   ODT, ODS, ODP             content.xml (sheets and slides marked as above)
 *   other zip archives        each member after "— member "NAME" —", extracted
 *                             in turn down to EXTRACT_MAX_DEPTH
 *   TNEF (winmail.dat)        libytnef: "From:" and "Subject:" of its MAPI
 *                             properties, the body (plain, else HTML), then
 *                             each attachment after "— member "NAME" —",
 *                             extracted like a zip member (same depth and
 *                             size bounds).  A body only in compressed RTF
 *                             is decompressed by libytnef and shown as one
 *                             line "[RTF body, N bytes, not shown]": Debian
 *                             has no RTF-to-text library and we write no
 *                             RTF parser
 *   text/html                 the renderer's HTML to text
 *   message/rfc822            the renderer's text of the message
 *   other text types          GMime's charset conversion (render.h)
 *   anything else             one line: the type libmagic finds in the bytes,
 *                             the size, the SHA-256 and, for images, the size
 *                             in pixels when libmagic tells it
 *
 * The type comes from the bytes (libmagic); the declared type only breaks
 * ties (text/html declared, text found).  Every document is hostile: no
 * parser follows a link or loads an external entity, zip members are
 * read with bounds on their number, their size and the inflation ratio,
 * and the output stops at EXTRACT_MAX_TEXT with a line saying so.  A
 * limit reached or a damaged document is said in one line (reason), with
 * whatever text came before it.
 *
 * The text has passed text_sanitize() line by line (text.h): no control
 * but '\n', no escape, no bidi override, valid UTF-8; placeholders depend
 * on LC_CTYPE as text.h says, so set a UTF-8 locale first.
 *
 * Containment: extract_buffer() parses in the calling process, and
 * poppler may print to stderr.  The reader must use extract_job_start()
 * or extract_in_child(), which parse in a child process (bg.h) with
 * limits on CPU time (RLIMIT_CPU), memory (RLIMIT_AS) and output, so that
 * a PDF that loops or a zip bomb costs one child and a line of text.
 *
 * Ownership: results are talloc children of the ctx passed in.
 */
#ifndef TRAWL_EXTRACT_H
#define TRAWL_EXTRACT_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/status.h"

#define EXTRACT_MAX_TEXT (4 << 20)     /* bytes of text, then a line saying it was cut */
#define EXTRACT_MAX_MEMBERS 10000      /* zip members (TNEF attachments) looked at */
#define EXTRACT_MAX_MEMBER (64 << 20)  /* uncompressed bytes of one zip member or TNEF attachment */
#define EXTRACT_MAX_INFLATE_FLOOR (16 << 20) /* inflated bytes always allowed, */
#define EXTRACT_MAX_RATIO 200          /* then at most RATIO times the attachment's size */
#define EXTRACT_MAX_DEPTH 3            /* zips and TNEF streams in zips and TNEF streams */
#define EXTRACT_MAX_CELLS 1000000      /* spreadsheet cells and shared strings */
#define EXTRACT_MAX_PAGES 100000       /* PDF pages */
#define EXTRACT_CPU_SECONDS 10         /* the child's RLIMIT_CPU */
#define EXTRACT_WALL_SECONDS 30        /* extract_in_child() kills it after this */
#define EXTRACT_MEMORY (1UL << 30)     /* the child's RLIMIT_AS */
#define EXTRACT_MAX_ATTACHMENT ((size_t)256 << 20) /* decoded bytes of one attachment read */

struct extract_result {
	char *text;     /* neutralised UTF-8, lines separated by '\n', "" if none */
	size_t len;     /* strlen(text) */
	char *kind;     /* what was extracted: "pdf", "docx", "xlsx", "pptx", "odt",
			   "ods", "odp", "zip", "tnef", "html", "message", "text" or
			   "summary" */
	char *detected; /* MIME type libmagic found in the bytes */
	char *reason;   /* NULL, or one neutralised line: why extraction stopped
			   ("stopped: zip bomb: ...", "damaged PDF: ...") */
	int cut;        /* the text reached EXTRACT_MAX_TEXT */
};

/*
 * Extracts in this process (tests, fuzzing, the child).  declared_type
 * ("application/pdf"), charset (the part's charset parameter) and
 * filename may be NULL.  Returns TRAWL_OK with a result even for damaged
 * documents (reason says why); TRAWL_NOMEM only when memory ran out.
 */
trawl_status_t extract_buffer(TALLOC_CTX *ctx, const void *data, size_t len,
			      const char *declared_type, const char *charset,
			      const char *filename, struct extract_result **out);

/* --------------------------------------------------- in a child process */

struct extract_job;

/*
 * Starts extracting in a child; the bytes are the child's copy of the
 * parent's memory (fork), so the caller may free them once this returns.
 */
trawl_status_t extract_job_start(TALLOC_CTX *ctx, const void *data, size_t len,
				 const char *declared_type, const char *charset,
				 const char *filename, struct extract_job **out);

/*
 * The same for attachment index (1-based, as in struct render_attachment)
 * of the message file at path: the child decodes it (at most
 * EXTRACT_MAX_ATTACHMENT bytes) as well, so the caller parses nothing.
 */
trawl_status_t extract_job_start_attachment(TALLOC_CTX *ctx, const char *path, int index,
					    const char *declared_type, const char *filename,
					    struct extract_job **out);

/* The fd to poll for the child's records, -1 once it has ended. */
int extract_job_fd(const struct extract_job *job);

enum extract_job_state {
	EXTRACT_JOB_RUNNING,
	EXTRACT_JOB_DONE,   /* *out is the result; its reason may still be set */
	EXTRACT_JOB_FAILED, /* the child died: *reason says why in one line */
};

/*
 * Takes what the child sent, at most about max_bytes.  On DONE, *out is
 * the result (a child of the ctx given to extract_job_start()); on
 * FAILED, *reason is a one-line message ("stopped: more than 10 s of
 * CPU", "stopped: out of memory"), a child of the job.
 */
enum extract_job_state extract_job_poll(struct extract_job *job, size_t max_bytes,
					struct extract_result **out, const char **reason);

/* Kills the child now; the next poll says FAILED with "stopped: took more than N s". */
void extract_job_stop(struct extract_job *job, int seconds);

/*
 * extract_job_start() and wait (at most EXTRACT_WALL_SECONDS): *out is
 * always a result, whose reason says why when the child failed (then the
 * text is empty and the kind "failed").  TRAWL_NOMEM or TRAWL_IO (no
 * fork) only when no child could run.
 */
trawl_status_t extract_in_child(TALLOC_CTX *ctx, const void *data, size_t len,
				const char *declared_type, const char *charset,
				const char *filename, struct extract_result **out);

/*
 * Whether the child's address space is limited (RLIMIT_AS): not in an
 * AddressSanitizer build, which reserves terabytes of it at start.
 */
int extract_memory_limited(void);

#endif
