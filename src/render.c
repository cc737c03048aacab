/*
 * render: message file -> display lines, with GMime.  See render.h.
 *
 * The MIME tree is walked with an explicit stack: a hostile message may
 * nest parts as deep as GMime allows, and recursion would put that on our
 * stack.  Every GMime object is owned by a struct render_state whose
 * talloc destructor unrefs it, so every exit path releases them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <libxml/parser.h>

#include "trawl/render.h"
#include "render-int.h"

/* Line texts are copied into blocks of this size rather than one allocation each. */
#define RENDER_ARENA_BLOCK (64 * 1024)
/* Encoded bytes read from a text part: enough for RENDER_MAX_BODY decoded base64. */
#define RENDER_MAX_ENCODED ((size_t)RENDER_MAX_BODY / 2 * 3)
/* Longest safe file name, in bytes (NAME_MAX on Linux). */
#define RENDER_MAX_NAME 255
/* Raw header bytes decoded at most (RENDER_MAX_HEADER are shown). */
#define RENDER_MAX_RAW_HEADER (8 * RENDER_MAX_HEADER)
/* Extensions longer than this are not worth keeping when a name is cut. */
#define RENDER_MAX_EXT 16

struct render_arena {
	char *block;
	size_t used, size;
};

struct render_frame {
	GMimeObject *obj; /* borrowed from the message tree */
	int depth;        /* MIME nesting, 1 for the message's top-level part */
	int msg_depth;    /* message/rfc822 nesting */
	int parent;       /* id of the enclosing part */
	int display;      /* RENDER_SHOW_*: the modes whose body shows its text */
	int count_only;   /* beyond the depth limit: numbered, nothing else */
};

/*
 * Whether a part is shown is worked out for the text and the HTML
 * preference at once, so that what counts as an attachment (text shown
 * in neither) and so the attachment numbers are the same in every mode.
 */
enum {
	RENDER_SHOW_TEXT = 1 << 0, /* RENDER_MODE_TEXT, _HEADERS */
	RENDER_SHOW_HTML = 1 << 1, /* RENDER_MODE_HTML */
	RENDER_SHOW_ALL = RENDER_SHOW_TEXT | RENDER_SHOW_HTML,
};

/* Quote and signature classification, per text part. */
struct render_quote {
	int outlook;   /* after an "-----Original Message-----" line */
	int signature; /* after a "-- " line */
};

struct render_state {
	struct render_message *msg;
	enum render_mode mode;
	int show;   /* the RENDER_SHOW_* bit of mode */
	int emit;   /* body lines wanted (not in RAW mode, nor when saving) */
	int saving; /* render_save_attachment(): only the attachment list matters */
	int hash_attachments; /* render_attachment_hashes(): each one's SHA-256 in att_hashes */
	char **att_hashes;

	GMimeParserOptions *options;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *message;

	/* The source for RAW mode and unparseable files, read when needed. */
	const char *raw;
	size_t raw_len;
	int raw_fd; /* render_file(): where to read it from, -1 once read */
	off_t raw_size;

	struct render_arena arena;
	size_t lines_cap, parts_cap, atts_cap;
	struct render_frame *stack;
	size_t n_stack, stack_cap;
	int next_id;
	int walked;
	int next_link;
	int lines_capped;
	int parts_capped;
	int failed; /* out of memory somewhere: the result is not returned */

	/* render_save_attachment(): the attachment wanted, once found (a reference). */
	int want_index;
	GMimeObject *want_obj;

	/* Header lines GMime would not take (an invalid name): shown, not dropped. */
	char **bad_headers;
	size_t n_bad_headers;
};

/* Bad header lines kept for display; more only count. */
#define RENDER_MAX_BAD_HEADERS 32

static void
render_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer ud)
{
	struct render_state *st = ud;
	size_t len;
	char *line;

	(void)offset;
	if (code != GMIME_CRIT_INVALID_HEADER_NAME || !item ||
	    st->n_bad_headers >= RENDER_MAX_BAD_HEADERS)
		return;
	len = strlen(item);
	while (len > 0 && (item[len - 1] == '\n' || item[len - 1] == '\r'))
		len--;
	if (len > RENDER_MAX_HEADER)
		len = RENDER_MAX_HEADER;
	line = render_utf8_sanitize(st, item, len, NULL);
	if (!line)
		return;
	st->bad_headers = talloc_realloc(st, st->bad_headers, char *, st->n_bad_headers + 1);
	if (st->bad_headers)
		st->bad_headers[st->n_bad_headers++] = line;
	else
		st->n_bad_headers = 0;
}

/*
 * Adds the header lines GMime refused (an invalid name, say with an ESC in
 * it) to the message's headers, so the headers view shows that they are
 * there; the text module makes their bytes harmless on screen.
 */
static int
render_add_bad_headers(struct render_state *st)
{
	struct render_message *m = st->msg;
	struct render_header *h;

	if (!st->n_bad_headers)
		return 0;
	h = talloc_realloc(m, m->headers, struct render_header, m->n_headers + st->n_bad_headers);
	if (!h)
		return -1;
	m->headers = h;
	for (size_t i = 0; i < st->n_bad_headers; i++) {
		h[m->n_headers].name = talloc_strdup(h, "X-Trawl-Invalid-Header");
		h[m->n_headers].value = talloc_strdup(h, st->bad_headers[i]);
		if (!h[m->n_headers].name || !h[m->n_headers].value)
			return -1;
		m->n_headers++;
	}
	return 0;
}

static pthread_once_t render_once = PTHREAD_ONCE_INIT;
static unsigned long render_warning_count;

/* Code points 0x80-0x9F of windows-1252, as the WHATWG Encoding Standard maps them. */
static const uint16_t render_cp1252[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static const char *const render_ascii_names[] = {
	"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "646",
	"iso-ir-6", "cp367", "ibm367",         "csascii",   NULL,
};

static const char *const render_latin1_names[] = {
	"iso-8859-1", "iso8859-1",  "iso_8859-1", "iso_8859-1:1987", "latin1",      "latin-1", "l1",
	"8859-1",     "iso-ir-100", "ibm819",     "cp819",           "csisolatin1", NULL,
};

static const char *const render_cp1252_names[] = {
	"windows-1252", "cp1252", "x-cp1252", "win-1252", "windows-cp1252", "cp-1252", NULL,
};

static const char *const render_utf8_names[] = {
	"utf-8", "utf8", "x-utf-8", "unicode-1-1-utf-8", NULL,
};

/* ------------------------------------------------------------ set-up */

/*
 * GMime reports misuse through GLib's log, which prints to stderr: the
 * very terminal the UI draws on.  Count instead, so tests can insist on
 * zero.
 */
static void
render_log_handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
	(void)domain;
	(void)level;
	(void)message;
	(void)data;
	__atomic_add_fetch(&render_warning_count, 1, __ATOMIC_RELAXED);
}

/*
 * No crypto: GMime registers gpgme-backed contexts for OpenPGP and S/MIME,
 * and libnotmuch 0.37 verifies an S/MIME signed-data part while indexing
 * it, so a planted message made `trawl import` run gpgsm, start a
 * gpg-agent and a dirmngr (which fetches CRLs over the network) and leave
 * both running.  trawl verifies and decrypts nothing: every protocol gets
 * a context of none, which GMime and libnotmuch report as an unsupported
 * protocol (the part's content is then not indexed; its headers are).
 */
static GMimeCryptoContext *
render_no_crypto(void)
{
	return NULL;
}

static void
render_init_once(void)
{
	static const char *const protocols[] = {
	    "application/pgp-signature",   "application/x-pgp-signature",
	    "application/pgp-encrypted",   "application/x-pgp-encrypted",
	    "application/pgp-keys",	   "application/x-pgp-keys",
	    "application/pkcs7-signature", "application/x-pkcs7-signature",
	    "application/pkcs7-mime",	   "application/x-pkcs7-mime",
	    "application/pkcs7-keys",	   "application/x-pkcs7-keys",
	};

	g_mime_init();
	for (size_t i = 0; i < sizeof(protocols) / sizeof(*protocols); i++)
		g_mime_crypto_context_register(protocols[i], render_no_crypto);
	g_log_set_handler("gmime", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
			  render_log_handler, NULL);
	xmlInitParser();
}

void
render_init(void)
{
	pthread_once(&render_once, render_init_once);
}

static int
render_state_destroy(struct render_state *st)
{
	if (st->raw_fd >= 0)
		close(st->raw_fd);
	if (st->want_obj)
		g_object_unref(st->want_obj);
	if (st->message)
		g_object_unref(st->message);
	if (st->parser)
		g_object_unref(st->parser);
	if (st->stream)
		g_object_unref(st->stream);
	/* The options last: headers of the message keep a pointer to them. */
	if (st->options)
		g_mime_parser_options_free(st->options);
	return 0;
}

/* ------------------------------------------------------------ UTF-8 */

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available), or 0
 * with *bad set to the length of its maximal ill-formed prefix (at least
 * 1), so that each such prefix becomes one U+FFFD as Unicode recommends.
 */
static size_t
render_utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c == 0xE0) {
		need = 2;
		lo = 0xA0;
	} else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
		need = 2;
	} else if (c == 0xED) {
		need = 2;
		hi = 0x9F;
	} else if (c == 0xF0) {
		need = 3;
		lo = 0x90;
	} else if (c >= 0xF1 && c <= 0xF3) {
		need = 3;
	} else if (c == 0xF4) {
		need = 3;
		hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

/* Whether s is well-formed UTF-8 without NUL. */
static int
render_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, bad;

	while (i < n) {
		if (p[i] >= 0x01 && p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] == 0)
			return 0;
		k = render_utf8_seq(p + i, n - i, &bad);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * Copies s into dst (NULL: only measures) as well-formed UTF-8: each
 * ill-formed sequence and each NUL becomes U+FFFD.  Returns the length
 * written, without the terminating NUL it also writes.
 */
static size_t
render_utf8_clean_into(char *dst, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k, bad, run;

	while (i < n) {
		run = i;
		while (run < n && p[run] >= 0x01 && p[run] < 0x80)
			run++;
		if (run > i) {
			if (dst)
				memcpy(dst + o, p + i, run - i);
			o += run - i;
			i = run;
			continue;
		}
		if (p[i] == 0) {
			k = 0;
			bad = 1;
		} else {
			k = render_utf8_seq(p + i, n - i, &bad);
		}
		if (k) {
			if (dst)
				memcpy(dst + o, p + i, k);
			o += k;
			i += k;
		} else {
			if (dst)
				memcpy(dst + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += bad;
		}
	}
	if (dst)
		dst[o] = '\0';
	return o;
}

char *
render_utf8_sanitize(TALLOC_CTX *ctx, const char *s, size_t n, size_t *outlen)
{
	int valid;
	size_t len;
	char *out;

	if (!s)
		n = 0;
	/* Validity, not length, decides: 3 bad bytes and their U+FFFD are both 3 long. */
	valid = render_utf8_valid(s, n);
	len = valid ? n : render_utf8_clean_into(NULL, s, n);
	out = talloc_size(ctx, len + 1);
	if (!out)
		return NULL;
	if (valid) {
		if (n)
			memcpy(out, s, n);
		out[n] = '\0';
	} else {
		render_utf8_clean_into(out, s, n);
	}
	if (outlen)
		*outlen = len;
	return out;
}

/* The largest cut point <= max that does not split a UTF-8 sequence of s. */
static size_t
render_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t cut, back;

	if (len <= max)
		return len;
	cut = max;
	for (back = 0; back < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; back++)
		cut--;
	/* Not UTF-8 after all: any cut will do, the copy is cleaned. */
	if (cut == 0 || ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut = max;
	return cut;
}

static size_t
render_put_utf8(char *dst, uint32_t cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xC0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	dst[0] = (char)(0xE0 | (cp >> 12));
	dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	dst[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* windows-1252 (a superset of ISO-8859-1's printable range) to UTF-8. */
static char *
render_cp1252_to_utf8(TALLOC_CTX *ctx, const char *s, size_t n, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = talloc_size(ctx, n * 3 + 1);
	size_t i, o = 0;
	uint32_t cp;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		cp = p[i];
		if (cp >= 0x80 && cp < 0xA0)
			cp = render_cp1252[cp - 0x80];
		else if (cp == 0)
			cp = 0xFFFD;
		o += render_put_utf8(out + o, cp);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* ------------------------------------------------------------ output */

static char *
render_arena_copy(struct render_state *st, const char *s, size_t n)
{
	struct render_arena *a = &st->arena;
	int valid = render_utf8_valid(s, n);
	size_t need = valid ? n : render_utf8_clean_into(NULL, s, n);
	char *dst;

	if (need + 1 > a->size - a->used) {
		size_t size = need + 1 > RENDER_ARENA_BLOCK / 4 ? need + 1 : RENDER_ARENA_BLOCK;
		char *block = talloc_size(st->msg, size);

		if (!block) {
			st->failed = 1;
			return NULL;
		}
		/* A large line gets a block of its own; the current block stays in use. */
		if (size != RENDER_ARENA_BLOCK) {
			dst = block;
			goto copy;
		}
		a->block = block;
		a->size = size;
		a->used = 0;
	}
	dst = a->block + a->used;
	a->used += need + 1;
copy:
	if (valid) {
		memcpy(dst, s, n);
		dst[n] = '\0';
	} else {
		render_utf8_clean_into(dst, s, n);
	}
	return dst;
}

static struct render_line *
render_new_line(struct render_state *st, int force)
{
	struct render_message *m = st->msg;

	if (st->failed)
		return NULL;
	if (!force && m->n_lines >= RENDER_MAX_LINES) {
		st->lines_capped = 1;
		return NULL;
	}
	if (m->n_lines == st->lines_cap) {
		size_t cap = st->lines_cap ? st->lines_cap * 2 : 64;
		struct render_line *l = talloc_realloc(m, m->lines, struct render_line, cap);

		if (!l) {
			st->failed = 1;
			return NULL;
		}
		m->lines = l;
		st->lines_cap = cap;
	}
	return memset(&m->lines[m->n_lines++], 0, sizeof(struct render_line));
}

/* One display line, cut into pieces of at most RENDER_MAX_LINE bytes. */
static void
render_push(struct render_state *st, enum render_line_kind kind, const char *s, size_t n, int part,
	    int depth, int quote_level)
{
	struct render_line *l;
	char *clean = NULL;
	size_t piece;

	/* Cleaned first, so that cuts fall on UTF-8 boundaries of what is shown. */
	if (!render_utf8_valid(s, n)) {
		clean = render_utf8_sanitize(st, s, n, &n);
		if (!clean) {
			st->failed = 1;
			return;
		}
		s = clean;
	}
	do {
		piece = render_utf8_cut(s, n, RENDER_MAX_LINE);
		l = render_new_line(st, 0);
		if (!l)
			break;
		l->text = render_arena_copy(st, s, piece);
		if (!l->text) {
			st->msg->n_lines--;
			break;
		}
		l->kind = kind;
		l->part = part;
		l->depth = depth;
		l->quote_level = quote_level;
		l->wrapped = piece < n;
		s += piece;
		n -= piece;
	} while (n > 0);
	talloc_free(clean);
}

static void __attribute__((format(printf, 5, 6)))
render_note_force(struct render_state *st, int force, int part, int depth, const char *fmt, ...)
{
	struct render_line *l;
	va_list ap;
	char *text;

	if (!st->emit || st->failed)
		return;
	va_start(ap, fmt);
	text = talloc_vasprintf(st, fmt, ap);
	va_end(ap);
	if (!text) {
		st->failed = 1;
		return;
	}
	l = render_new_line(st, force);
	if (l) {
		l->text = render_arena_copy(st, text, strlen(text));
		l->kind = RENDER_LINE_NOTE;
		l->part = part;
		l->depth = depth;
		if (!l->text)
			st->msg->n_lines--;
	}
	talloc_free(text);
}

/*
 * Notes get past the RENDER_MAX_LINES cap: there are a few per part at
 * most, and an attachment or a skipped part must never go unsaid.
 */
#define render_note(st, part, depth, ...) render_note_force(st, 1, part, depth, __VA_ARGS__)

static int
render_quote_level(const char *s, size_t n)
{
	size_t i = 0;
	int level = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < n && s[i] == '>') {
		level++;
		i++;
		while (i < n && s[i] == ' ')
			i++;
	}
	return level;
}

/* "-----Original Message-----" and its Outlook Express form "----- Original Message -----". */
static int
render_is_outlook_separator(const char *s, size_t n)
{
	static const char words[] = "original message";
	size_t i = 0, dashes;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (dashes = 0; i < n && s[i] == '-'; i++)
		dashes++;
	if (dashes < 2)
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	if (n - i < sizeof(words) - 1 || strncasecmp(s + i, words, sizeof(words) - 1) != 0)
		return 0;
	i += sizeof(words) - 1;
	while (i < n && s[i] == ' ')
		i++;
	for (dashes = 0; i < n && s[i] == '-'; i++)
		dashes++;
	if (dashes < 2)
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i == n;
}

static void
render_emit_line(struct render_state *st, const char *s, size_t n, int part, int depth,
		 struct render_quote *q)
{
	int level = render_quote_level(s, n);

	if (level > 0) {
		render_push(st, RENDER_LINE_QUOTE, s, n, part, depth, level);
	} else if (q->outlook || render_is_outlook_separator(s, n)) {
		q->outlook = 1;
		render_push(st, RENDER_LINE_QUOTE, s, n, part, depth, 1);
	} else if (q->signature || (n == 3 && memcmp(s, "-- ", 3) == 0)) {
		q->signature = 1;
		render_push(st, RENDER_LINE_SIGNATURE, s, n, part, depth, 0);
	} else {
		render_push(st, RENDER_LINE_BODY, s, n, part, depth, 0);
	}
}

/* Text split at '\n' (a final newline ends the last line, it does not start one). */
static void
render_emit_text(struct render_state *st, const char *text, size_t len, int part, int depth)
{
	struct render_quote q = {0, 0};
	const char *p = text, *end = text + len, *nl;

	while (p < end && !st->lines_capped && !st->failed) {
		nl = memchr(p, '\n', (size_t)(end - p));
		render_emit_line(st, p, (size_t)((nl ? nl : end) - p), part, depth, &q);
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* The raw source as lines: CRLF or LF ends a line. */
static void
render_emit_raw(struct render_state *st, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n;

	while (p < end && !st->lines_capped && !st->failed) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (nl && n > 0 && p[n - 1] == '\r')
			n--;
		render_push(st, RENDER_LINE_BODY, p, n, 0, 0, 0);
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* ------------------------------------------------------------ names */

static int
render_name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (g_ascii_strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

/* "12 KB": sizes in the attachment notes. */
static char *
render_size_str(TALLOC_CTX *ctx, size_t size)
{
	if (size < 1024)
		return talloc_asprintf(ctx, "%zu bytes", size);
	if (size < 1024 * 1024)
		return talloc_asprintf(ctx, "%zu KB", (size + 1023) / 1024);
	return talloc_asprintf(ctx, "%.1f MB", (double)size / (1024.0 * 1024.0));
}

/* The lower-case MIME type of obj, a child of ctx. */
static char *
render_mime_type(TALLOC_CTX *ctx, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *out, *p;

	out = render_utf8_sanitize(ctx, type ? type : "application/octet-stream",
				   strlen(type ? type : "application/octet-stream"), NULL);
	g_free(type);
	for (p = out; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

static int
render_is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, type, subtype);
}

static int
render_disposition_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d && g_mime_content_disposition_is_attachment(d);
}

/* ------------------------------------------------------------ headers */

/*
 * A header value, decoded, well-formed and bounded, a child of ctx.  A
 * huge raw value is decoded from its start only: decoding all of a
 * hostile 1 MB header of encoded words costs GMime far more than the
 * RENDER_MAX_HEADER bytes shown are worth.
 */
static char *
render_header_value(TALLOC_CTX *ctx, GMimeParserOptions *options, GMimeHeader *h)
{
	const char *raw = g_mime_header_get_raw_value(h), *v;
	size_t raw_len = raw ? strlen(raw) : 0, len, cut;
	char *prefix = NULL, *unfolded = NULL, *decoded = NULL, *clean, *out;

	if (raw_len > RENDER_MAX_RAW_HEADER) {
		/* Cut at a space, so that no encoded word is split. */
		cut = RENDER_MAX_RAW_HEADER;
		while (cut > RENDER_MAX_RAW_HEADER / 2 && raw[cut] != ' ' && raw[cut] != '\t')
			cut--;
		prefix = g_strndup(raw, cut);
		unfolded = g_mime_utils_header_unfold(prefix);
		decoded = g_mime_utils_header_decode_text(options, unfolded);
		v = decoded;
	} else {
		v = g_mime_header_get_value(h);
	}
	if (!v)
		v = "";
	while (*v == ' ' || *v == '\t')
		v++;
	clean = render_utf8_sanitize(ctx, v, strlen(v), &len);
	g_free(prefix);
	g_free(unfolded);
	g_free(decoded);
	if (!clean)
		return NULL;
	while (len > 0 && (clean[len - 1] == ' ' || clean[len - 1] == '\t' ||
			   clean[len - 1] == '\r' || clean[len - 1] == '\n'))
		clean[--len] = '\0';
	if (len <= RENDER_MAX_HEADER && raw_len <= RENDER_MAX_RAW_HEADER)
		return clean;
	cut = render_utf8_cut(clean, len, RENDER_MAX_HEADER);
	out = talloc_asprintf(ctx, "%.*s [header cut: %zu bytes in all]", (int)cut, clean,
			      raw_len > len ? raw_len : len);
	talloc_free(clean);
	return out;
}

struct render_hdr_ref {
	GMimeHeader *h;
	gint64 offset;
	int order;
};

static int
render_hdr_cmp(const void *a, const void *b)
{
	const struct render_hdr_ref *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->order - y->order;
}

/*
 * The headers of a message in file order.  GMime keeps the Content-*
 * headers with the message's top-level part and the others with the
 * message; their offsets put them back together.
 */
static int
render_collect_headers(TALLOC_CTX *ctx, GMimeParserOptions *options, GMimeMessage *m,
		       struct render_header **out, size_t *n_out)
{
	GMimeHeaderList *lists[2];
	GMimeObject *body = g_mime_message_get_mime_part(m);
	struct render_hdr_ref *refs;
	struct render_header *hdrs;
	size_t n = 0, total = 0, i;
	int l, k, count;

	lists[0] = g_mime_object_get_header_list(GMIME_OBJECT(m));
	lists[1] = body ? g_mime_object_get_header_list(body) : NULL;
	for (l = 0; l < 2; l++)
		if (lists[l])
			total += (size_t)g_mime_header_list_get_count(lists[l]);
	refs = talloc_array(ctx, struct render_hdr_ref, total ? total : 1);
	if (!refs)
		return -1;
	for (l = 0; l < 2; l++) {
		if (!lists[l])
			continue;
		count = g_mime_header_list_get_count(lists[l]);
		for (k = 0; k < count; k++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(lists[l], k);

			if (!h)
				continue;
			refs[n].h = h;
			refs[n].offset = g_mime_header_get_offset(h);
			refs[n].order = (int)n;
			n++;
		}
	}
	qsort(refs, n, sizeof(*refs), render_hdr_cmp);
	if (n > RENDER_MAX_HEADERS)
		n = RENDER_MAX_HEADERS;
	hdrs = talloc_zero_array(ctx, struct render_header, n ? n : 1);
	if (!hdrs)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name = g_mime_header_get_name(refs[i].h);

		hdrs[i].name =
			render_utf8_sanitize(hdrs, name ? name : "", name ? strlen(name) : 0, NULL);
		hdrs[i].value = render_header_value(hdrs, options, refs[i].h);
		if (!hdrs[i].name || !hdrs[i].value)
			return -1;
	}
	*out = hdrs;
	*n_out = n;
	/* Said once, in the list itself, so that every view shows it. */
	if (total > RENDER_MAX_HEADERS) {
		hdrs[n - 1].name = talloc_strdup(hdrs, "X-Trawl-Note");
		hdrs[n - 1].value =
			talloc_asprintf(hdrs, "[headers skipped: %zu headers in all, %d shown]",
					total, RENDER_MAX_HEADERS - 1);
		if (!hdrs[n - 1].name || !hdrs[n - 1].value)
			return -1;
	}
	return 0;
}

static const char *
render_find_header(const struct render_header *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (g_ascii_strcasecmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}

static void
render_header_lines(struct render_state *st, const struct render_header *h, size_t n, int all,
		    int part, int depth)
{
	static const char *const brief[] = {"From", "To", "Cc", "Date", "Subject", NULL};
	const char *v;
	char *line;
	size_t i;
	int b;

	if (!st->emit)
		return;
	for (i = 0; all && i < n; i++) {
		line = talloc_asprintf(st, "%s: %s", h[i].name, h[i].value);
		if (!line) {
			st->failed = 1;
			return;
		}
		render_push(st, RENDER_LINE_HEADER, line, strlen(line), part, depth, 0);
		talloc_free(line);
	}
	for (b = 0; !all && brief[b]; b++) {
		v = render_find_header(h, n, brief[b]);
		if (!v)
			continue;
		line = talloc_asprintf(st, "%s: %s", brief[b], v);
		if (!line) {
			st->failed = 1;
			return;
		}
		render_push(st, RENDER_LINE_HEADER, line, strlen(line), part, depth, 0);
		talloc_free(line);
	}
}

/* ------------------------------------------------------------ content */

/*
 * The content of a leaf part with its transfer encoding undone
 * (base64, quoted-printable, uuencode) and CRLF made LF, through GMime's
 * filters as notmuch-show does.  At most max bytes; *cut says whether
 * there was more.  Encoded input is bounded too, so a huge part costs no
 * more than max.
 */
static char *
render_part_bytes(TALLOC_CTX *ctx, GMimePart *part, size_t max, size_t *len, int *cut)
{
	GMimeDataWrapper *wrapper = g_mime_part_get_content(part);
	GMimeDataWrapper *bounded = NULL;
	GMimeStream *src, *sub = NULL, *mem, *filtered;
	GMimeFilter *filter;
	GByteArray *bytes;
	gint64 length;
	char *out;

	*len = 0;
	*cut = 0;
	src = wrapper ? g_mime_data_wrapper_get_stream(wrapper) : NULL;
	if (!src)
		return talloc_strdup(ctx, "");
	length = g_mime_stream_length(src);
	if (length > (gint64)RENDER_MAX_ENCODED) {
		sub = g_mime_stream_substream(src, src->bound_start,
					      src->bound_start + (gint64)RENDER_MAX_ENCODED);
		bounded = g_mime_data_wrapper_new_with_stream(
			sub, g_mime_data_wrapper_get_encoding(wrapper));
		g_object_unref(sub);
		wrapper = bounded;
		*cut = 1;
	}
	mem = g_mime_stream_mem_new();
	filtered = g_mime_stream_filter_new(mem);
	filter = g_mime_filter_dos2unix_new(FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
	g_object_unref(filter);
	g_mime_data_wrapper_write_to_stream(wrapper, filtered);
	g_mime_stream_flush(filtered);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*len = bytes ? bytes->len : 0;
	if (*len > max) {
		*len = max;
		*cut = 1;
	}
	out = talloc_size(ctx, *len + 1);
	if (out) {
		if (*len)
			memcpy(out, bytes->data, *len);
		out[*len] = '\0';
	}
	g_object_unref(filtered);
	g_object_unref(mem);
	if (bounded)
		g_object_unref(bounded);
	return out;
}

/* Decoded size of a leaf part, or the size of a message part's message. */
static size_t
render_part_size(GMimeObject *obj)
{
	GMimeStream *null = g_mime_stream_null_new();
	size_t size;

	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));

		if (w)
			g_mime_data_wrapper_write_to_stream(w, null);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, null);
	}
	size = GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return size;
}

/* The charset an HTML document names in a <meta> tag, if its part declares none. */
static char *
render_html_meta_charset(TALLOC_CTX *ctx, const char *s, size_t n)
{
	const char *p, *end;
	size_t i, k;

	if (n > 4096)
		n = 4096;
	end = s + n;
	for (i = 0; i + 8 <= n; i++) {
		if (g_ascii_strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		p = s + i + 8;
		while (p < end && (*p == '"' || *p == '\'' || *p == ' '))
			p++;
		for (k = 0; p + k < end && k < 40; k++)
			if (!(g_ascii_isalnum(p[k]) || p[k] == '-' || p[k] == '_' || p[k] == '.' ||
			      p[k] == ':'))
				break;
		return k ? talloc_strndup(ctx, p, k) : NULL;
	}
	return NULL;
}

/*
 * Converts decoded bytes in the declared charset to well-formed UTF-8.
 * Undeclared, US-ASCII and ISO-8859-1 text that is not valid UTF-8 is
 * read as windows-1252 (a superset of ISO-8859-1's printable range, and
 * what such mail almost always is); other ISO-8859 charsets with bytes in
 * 0x80-0x9F become their windows counterpart, as notmuch does; charsets
 * iconv does not know fall back the same way instead of failing.
 */
static char *
render_to_utf8(TALLOC_CTX *ctx, char *bytes, size_t len, const char *declared,
	       const char **decoded_as, size_t *outlen)
{
	const char *canon = declared && *declared ? g_mime_charset_canon_name(declared) : NULL;
	const char *conv = NULL;
	GMimeFilter *filter;
	char *out, *res;
	size_t reslen, prespace, i;

	if (!canon || render_name_in(canon, render_ascii_names) ||
	    render_name_in(canon, render_latin1_names) ||
	    render_name_in(declared, render_latin1_names)) {
		conv = NULL;
	} else if (render_name_in(canon, render_utf8_names)) {
		*decoded_as = "utf-8";
		return render_utf8_sanitize(ctx, bytes, len, outlen);
	} else if (render_name_in(canon, render_cp1252_names) ||
		   render_name_in(declared, render_cp1252_names)) {
		*decoded_as = "windows-1252";
		return render_cp1252_to_utf8(ctx, bytes, len, outlen);
	} else {
		conv = canon;
		if (g_ascii_strncasecmp(canon, "iso-8859-", 9) == 0) {
			for (i = 0; i < len; i++)
				if ((unsigned char)bytes[i] >= 0x80 &&
				    (unsigned char)bytes[i] < 0xA0)
					break;
			if (i < len)
				conv = g_mime_charset_iso_to_windows(canon);
		}
	}
	if (conv && (filter = g_mime_filter_charset_new(conv, "UTF-8"))) {
		res = NULL;
		reslen = 0;
		prespace = 0;
		g_mime_filter_complete(filter, bytes, len, 0, &res, &reslen, &prespace);
		out = render_utf8_sanitize(ctx, res, reslen, outlen);
		g_object_unref(filter);
		*decoded_as = talloc_strdup(ctx, conv);
		return out;
	}
	if (render_utf8_valid(bytes, len)) {
		*decoded_as = "utf-8";
		return render_utf8_sanitize(ctx, bytes, len, outlen);
	}
	*decoded_as = "windows-1252";
	return render_cp1252_to_utf8(ctx, bytes, len, outlen);
}

trawl_status_t
render_text_to_utf8(TALLOC_CTX *ctx, const char *bytes, size_t len, const char *charset,
		    char **out, size_t *outlen, const char **decoded_as)
{
	const char *as = "";
	size_t n = 0;

	render_init();
	/* Nothing writes to the bytes: GMime's filter API merely lacks the const. */
	*out = render_to_utf8(ctx, (char *)bytes, len, charset, &as, &n);
	if (outlen)
		*outlen = *out ? n : 0;
	if (decoded_as)
		*decoded_as = as;
	return *out ? TRAWL_OK : TRAWL_NOMEM;
}

/* ------------------------------------------------------------ the walk */

static struct render_part *
render_add_part(struct render_state *st, const struct render_frame *f, int id)
{
	struct render_message *m = st->msg;
	struct render_part *p;

	if (m->n_parts == st->parts_cap) {
		size_t cap = st->parts_cap ? st->parts_cap * 2 : 8;
		struct render_part *a = talloc_realloc(m, m->parts, struct render_part, cap);

		if (!a) {
			st->failed = 1;
			return NULL;
		}
		m->parts = a;
		st->parts_cap = cap;
	}
	p = memset(&m->parts[m->n_parts], 0, sizeof(*p));
	p->id = id;
	p->parent = f->parent;
	p->depth = f->depth;
	p->mime_type = render_mime_type(m, f->obj);
	p->charset = talloc_strdup(m, "");
	p->decoded_as = talloc_strdup(m, "");
	if (!p->mime_type || !p->charset || !p->decoded_as) {
		st->failed = 1;
		return NULL;
	}
	if (GMIME_IS_PART(f->obj)) {
		const char *cs = g_mime_object_get_content_type_parameter(f->obj, "charset");

		if (cs) {
			talloc_free(p->charset);
			p->charset = render_utf8_sanitize(m, cs, strlen(cs), NULL);
			if (!p->charset) {
				st->failed = 1;
				return NULL;
			}
		}
	}
	m->n_parts++;
	return p;
}

static ssize_t render_object_content(GMimeObject *obj, GMimeStream *stream);

/*
 * The SHA-256 of an attachment's decoded content (what saving it writes),
 * through GMime's checksum filter into a null stream: nothing is kept.
 */
static char *
render_object_sha256(TALLOC_CTX *ctx, GMimeObject *obj)
{
	GMimeStream *null = g_mime_stream_null_new();
	GMimeStream *filtered = g_mime_stream_filter_new(null);
	GMimeFilter *sum = g_mime_filter_checksum_new(G_CHECKSUM_SHA256);
	char *hex = NULL;

	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), sum);
	if (render_object_content(obj, filtered) >= 0) {
		gchar *s = g_mime_filter_checksum_get_string(GMIME_FILTER_CHECKSUM(sum));

		hex = talloc_strdup(ctx, s ? s : "");
		g_free(s);
	} else {
		hex = talloc_strdup(ctx, "");
	}
	g_object_unref(sum);
	g_object_unref(filtered);
	g_object_unref(null);
	return hex;
}

static void
render_add_attachment(struct render_state *st, const struct render_frame *f, int id,
		      struct render_part *part, const char *filename)
{
	struct render_message *m = st->msg;
	struct render_attachment *a;
	char *size;

	if (m->n_attachments == st->atts_cap) {
		size_t cap = st->atts_cap ? st->atts_cap * 2 : 4;
		struct render_attachment *arr =
			talloc_realloc(m, m->attachments, struct render_attachment, cap);

		if (!arr) {
			st->failed = 1;
			return;
		}
		m->attachments = arr;
		st->atts_cap = cap;
	}
	a = memset(&m->attachments[m->n_attachments], 0, sizeof(*a));
	a->filename = render_utf8_sanitize(m, filename ? filename : "",
					   filename ? strlen(filename) : 0, NULL);
	a->safe_name = render_safe_filename(m, filename);
	a->mime_type = part ? talloc_strdup(m, part->mime_type) : render_mime_type(m, f->obj);
	if (!a->filename || !a->safe_name || !a->mime_type) {
		st->failed = 1;
		return;
	}
	a->index = (int)++m->n_attachments;
	a->part = id;
	if (part)
		part->attachment = a->index;
	if (st->want_index == a->index && !st->want_obj)
		st->want_obj = g_object_ref(f->obj);
	if (st->hash_attachments) {
		char **h = talloc_realloc(st, st->att_hashes, char *, m->n_attachments);

		if (!h || !(h[m->n_attachments - 1] = render_object_sha256(h, f->obj))) {
			st->failed = 1;
			return;
		}
		st->att_hashes = h;
	}
	if (st->saving)
		return;
	a->size = render_part_size(f->obj);
	if (!st->emit)
		return;
	size = render_size_str(st, a->size);
	if (!size) {
		st->failed = 1;
		return;
	}
	render_note(st, id, f->msg_depth, "[attachment %d: %s, %s, %s]", a->index,
		    *a->filename ? a->filename : "(no name)", a->mime_type, size);
	talloc_free(size);
}

static void
render_text_part(struct render_state *st, const struct render_frame *f, int id,
		 struct render_part *part, int html)
{
	TALLOC_CTX *tmp = talloc_new(st);
	const char *declared = part->charset, *decoded_as = "";
	char *bytes, *text, *meta = NULL;
	struct render_html *h = NULL;
	size_t len, tlen, i;
	int cut;

	if (!tmp) {
		st->failed = 1;
		return;
	}
	bytes = render_part_bytes(tmp, GMIME_PART(f->obj), RENDER_MAX_BODY, &len, &cut);
	if (!bytes)
		goto fail;
	if (html && !*declared) {
		meta = render_html_meta_charset(tmp, bytes, len);
		if (meta)
			declared = meta;
	}
	text = render_to_utf8(tmp, bytes, len, declared, &decoded_as, &tlen);
	if (!text)
		goto fail;
	talloc_free(part->decoded_as);
	part->decoded_as = render_utf8_sanitize(st->msg, decoded_as, strlen(decoded_as), NULL);
	if (!part->decoded_as)
		goto fail;
	part->shown = 1;
	if (html) {
		if (render_html_to_text(tmp, text, tlen, st->next_link, &h) != TRAWL_OK)
			goto fail;
		render_emit_text(st, h->text, h->len, id, f->msg_depth);
		if (h->cut)
			render_note(st, id, f->msg_depth, "[HTML part cut: its text is too long]");
		for (i = 0; i < h->n_links; i++) {
			char *line = talloc_asprintf(tmp, "[%d] %s", st->next_link + (int)i,
						     h->links[i]);

			if (!line)
				goto fail;
			render_push(st, RENDER_LINE_LINK, line, strlen(line), id, f->msg_depth, 0);
		}
		st->next_link += (int)h->n_links;
	} else {
		render_emit_text(st, text, tlen, id, f->msg_depth);
	}
	if (cut)
		render_note(st, id, f->msg_depth, "[part cut: more than %d MB of text]",
			    RENDER_MAX_BODY >> 20);
	talloc_free(tmp);
	return;
fail:
	st->failed = 1;
	talloc_free(tmp);
}

static void
render_leaf(struct render_state *st, const struct render_frame *f, int id, struct render_part *part)
{
	GMimeObject *obj = f->obj;
	int is_text = render_is_type(obj, "text", "*");
	int attach_disp = render_disposition_is_attachment(obj);
	const char *filename = g_mime_part_get_filename(GMIME_PART(obj));
	int html = render_is_type(obj, "text", "html");
	const char *smime;

	if (is_text && !attach_disp) {
		if (html)
			st->msg->has_html = 1;
		else if (render_is_type(obj, "text", "plain"))
			st->msg->has_plain = 1;
	}
	if (render_is_type(obj, "application", "pkcs7-mime") ||
	    render_is_type(obj, "application", "x-pkcs7-mime")) {
		smime = g_mime_object_get_content_type_parameter(obj, "smime-type");
		if (smime && g_ascii_strcasecmp(smime, "signed-data") == 0)
			render_note(st, id, f->msg_depth,
				    "[signed part: signature not verified, content not shown]");
		else
			render_note(st, id, f->msg_depth, "[encrypted part: not decrypted]");
	}
	/*
	 * Attachments: what has a name or says it is one, what is not text,
	 * and text no mode shows (a text/calendar alternative, the odd part
	 * of a multipart/related), so that nothing vanishes.
	 */
	if (filename || attach_disp || !is_text || !f->display)
		render_add_attachment(st, f, id, part, filename);
	if (is_text && !attach_disp && (f->display & st->show) && st->emit && !st->failed)
		render_text_part(st, f, id, part, html);
}

/* What a subtree offers as a body: 'p' for text/plain, 'h' for HTML, 0 otherwise. */
static int
render_body_kind(GMimeObject *obj)
{
	int hops;

	for (hops = 0; obj && hops < RENDER_MAX_DEPTH; hops++) {
		if (GMIME_IS_MULTIPART(obj)) {
			if (g_mime_multipart_get_count(GMIME_MULTIPART(obj)) < 1)
				return 0;
			obj = g_mime_multipart_get_part(GMIME_MULTIPART(obj), 0);
			continue;
		}
		if (!GMIME_IS_PART(obj) || render_disposition_is_attachment(obj))
			return 0;
		if (render_is_type(obj, "text", "plain"))
			return 'p';
		if (render_is_type(obj, "text", "html"))
			return 'h';
		return 0;
	}
	return 0;
}

/*
 * The kind of alternative to show (see render_body_kind()): text/plain,
 * or HTML for html_first, else the other one, else 0 to show them all
 * rather than hide something.  Every alternative of the chosen kind is
 * shown: when a sender offers two plain texts, which one a reader would
 * see is not ours to decide.
 */
static int
render_choose_alternative(GMimeMultipart *mp, int html_first)
{
	int n = g_mime_multipart_get_count(mp), i, plain = 0, html = 0, kind;

	for (i = 0; i < n; i++) {
		kind = render_body_kind(g_mime_multipart_get_part(mp, i));
		plain |= kind == 'p';
		html |= kind == 'h';
	}
	if (html_first)
		return html ? 'h' : plain ? 'p' : 0;
	return plain ? 'p' : html ? 'h' : 0;
}

/* The root of a multipart/related: the part its start parameter names, else the first. */
static int
render_related_root(GMimeMultipart *mp)
{
	const char *start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "start");
	int n = g_mime_multipart_get_count(mp), i;
	const char *cid;
	size_t len;

	if (!start)
		return 0;
	if (*start == '<')
		start++;
	len = strcspn(start, ">");
	for (i = 0; i < n; i++) {
		cid = g_mime_object_get_content_id(g_mime_multipart_get_part(mp, i));
		if (cid && strlen(cid) == len && strncmp(cid, start, len) == 0)
			return i;
	}
	return 0;
}

static int
render_push_frame(struct render_state *st, const struct render_frame *f)
{
	if (st->n_stack == st->stack_cap) {
		size_t cap = st->stack_cap ? st->stack_cap * 2 : 16;
		struct render_frame *s = talloc_realloc(st, st->stack, struct render_frame, cap);

		if (!s) {
			st->failed = 1;
			return -1;
		}
		st->stack = s;
		st->stack_cap = cap;
	}
	st->stack[st->n_stack++] = *f;
	return 0;
}

/*
 * Pushes the children of a multipart, last first so that they pop in
 * order.  show says which to display: the index of the only one, -1 for
 * all, -2 for none.  For a multipart/alternative (alternative set) it is
 * the alternatives of the kind render_choose_alternative() picks for
 * each mode instead.  Only as many as the part budget allows are pushed.
 */
static void
render_push_children(struct render_state *st, const struct render_frame *f, int id, int show,
		     int alternative)
{
	GMimeMultipart *mp = GMIME_MULTIPART(f->obj);
	int n = g_mime_multipart_get_count(mp), budget, i, kind;
	int text_kind = alternative ? render_choose_alternative(mp, 0) : 0;
	int html_kind = alternative ? render_choose_alternative(mp, 1) : 0;
	struct render_frame c;

	budget = RENDER_MAX_PARTS - st->walked - (int)st->n_stack;
	if (budget < 0)
		budget = 0;
	if (n > budget) {
		n = budget;
		st->parts_capped = 1;
	}
	for (i = n - 1; i >= 0; i--) {
		c.obj = g_mime_multipart_get_part(mp, i);
		if (!c.obj)
			continue;
		c.depth = f->depth + 1;
		c.msg_depth = f->msg_depth;
		c.parent = id;
		if (alternative) {
			kind = render_body_kind(c.obj);
			c.display = f->display &
				    ((!text_kind || kind == text_kind ? RENDER_SHOW_TEXT : 0) |
				     (!html_kind || kind == html_kind ? RENDER_SHOW_HTML : 0));
		} else {
			c.display = show == -1 || show == i ? f->display : 0;
		}
		c.count_only = f->count_only;
		if (render_push_frame(st, &c) < 0)
			return;
	}
}

static void
render_message_part(struct render_state *st, const struct render_frame *f, int id,
		    struct render_part *part)
{
	GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(f->obj));
	GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;
	const char *filename;
	struct render_header *hdrs;
	struct render_frame c;
	size_t n;

	if (!f->count_only) {
		filename = g_mime_object_get_content_disposition_parameter(f->obj, "filename");
		if (!filename)
			filename = g_mime_object_get_content_type_parameter(f->obj, "name");
		if (filename || render_disposition_is_attachment(f->obj))
			render_add_attachment(st, f, id, part, filename);
		if ((f->display & st->show) && m && st->emit) {
			if (render_collect_headers(st, st->options, m, &hdrs, &n) < 0) {
				st->failed = 1;
				return;
			}
			render_header_lines(st, hdrs, n, st->mode == RENDER_MODE_HEADERS, id,
					    f->msg_depth + 1);
			talloc_free(hdrs);
		}
		if (!body && (f->display & st->show))
			render_note(st, id, f->msg_depth + 1, "[empty message]");
	}
	if (!body)
		return;
	if (st->walked + (int)st->n_stack >= RENDER_MAX_PARTS) {
		st->parts_capped = 1;
		return;
	}
	c.obj = body;
	c.depth = f->depth + 1;
	c.msg_depth = f->msg_depth + 1;
	c.parent = id;
	c.display = f->display;
	c.count_only = f->count_only;
	render_push_frame(st, &c);
}

static void
render_multipart(struct render_state *st, const struct render_frame *f, int id)
{
	GMimeMultipart *mp = GMIME_MULTIPART(f->obj);
	int show = -1, alternative = 0;

	if (f->count_only) {
		render_push_children(st, f, id, -2, 0);
		return;
	}
	if (GMIME_IS_MULTIPART_ENCRYPTED(f->obj) ||
	    render_is_type(f->obj, "multipart", "encrypted")) {
		if (f->display & st->show)
			render_note(st, id, f->msg_depth, "[encrypted part: not decrypted]");
		show = -2;
	} else if (GMIME_IS_MULTIPART_SIGNED(f->obj) ||
		   render_is_type(f->obj, "multipart", "signed")) {
		if (f->display & st->show)
			render_note(st, id, f->msg_depth, "[signed part: signature not verified]");
		show = 0;
	} else if (render_is_type(f->obj, "multipart", "alternative")) {
		alternative = 1;
	} else if (render_is_type(f->obj, "multipart", "related")) {
		show = render_related_root(mp);
	}
	render_push_children(st, f, id, show, alternative);
}

static void
render_walk(struct render_state *st, GMimeObject *top)
{
	struct render_frame f = {top, 1, 0, 0, RENDER_SHOW_ALL, 0};
	struct render_part *part;
	int id;

	if (render_push_frame(st, &f) < 0)
		return;
	while (st->n_stack > 0 && !st->failed) {
		f = st->stack[--st->n_stack];
		id = st->next_id++;
		st->walked++;
		if (!f.count_only && f.depth > RENDER_MAX_DEPTH) {
			/* Numbered all the same, so that later ids still match notmuch's. */
			render_note(st, id, f.msg_depth, "[part skipped: nesting deeper than %d]",
				    RENDER_MAX_DEPTH);
			f.count_only = 1;
		}
		part = NULL;
		if (!f.count_only) {
			part = render_add_part(st, &f, id);
			if (!part)
				return;
		}
		if (GMIME_IS_MESSAGE_PART(f.obj))
			render_message_part(st, &f, id, part);
		else if (GMIME_IS_MULTIPART(f.obj))
			render_multipart(st, &f, id);
		else if (GMIME_IS_PART(f.obj) && !f.count_only)
			render_leaf(st, &f, id, part);
	}
	if (st->parts_capped)
		render_note_force(st, 1, 0, 0, "[parts skipped: more than %d parts]",
				  RENDER_MAX_PARTS);
}

/* ------------------------------------------------------------ driver */

static struct render_state *
render_state_new(TALLOC_CTX *ctx, enum render_mode mode)
{
	struct render_state *st = talloc_zero(ctx, struct render_state);
	static const char *fallback[] = {"utf-8", "windows-1252", NULL};

	if (!st)
		return NULL;
	st->raw_fd = -1;
	talloc_set_destructor(st, render_state_destroy);
	st->mode = mode;
	st->show = mode == RENDER_MODE_HTML ? RENDER_SHOW_HTML : RENDER_SHOW_TEXT;
	st->emit = mode != RENDER_MODE_RAW;
	st->next_id = 1;
	st->next_link = 1;
	st->msg = talloc_zero(st, struct render_message);
	if (!st->msg) {
		talloc_free(st);
		return NULL;
	}
	st->options = g_mime_parser_options_new();
	/* Raw 8-bit headers: UTF-8 if they are, else windows-1252. */
	g_mime_parser_options_set_fallback_charsets(st->options, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(st->options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(st->options,
							    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(st->options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_warning_callback(st->options, render_parser_warning, st);
	return st;
}

static int
render_set_summary(struct render_state *st)
{
	struct render_message *m = st->msg;
	struct {
		char **field;
		const char *name;
	} map[] = {
		{&m->from, "From"}, {&m->to, "To"},           {&m->cc, "Cc"},
		{&m->date, "Date"}, {&m->subject, "Subject"}, {&m->message_id, "Message-ID"},
	};
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		v = render_find_header(m->headers, m->n_headers, map[i].name);
		*map[i].field = talloc_strdup(m, v ? v : "");
		if (!*map[i].field)
			return -1;
	}
	return 0;
}

/*
 * The raw source: the first RENDER_MAX_RAW bytes of the file, read only
 * now that RAW mode or an unparseable file needs them.
 */
static void
render_emit_source(struct render_state *st)
{
	size_t want, got = 0;
	char *buf;
	ssize_t n;

	if (!st->raw && st->raw_fd >= 0) {
		want = st->raw_size > (off_t)RENDER_MAX_RAW ? (size_t)RENDER_MAX_RAW
							    : (size_t)st->raw_size;
		buf = talloc_size(st, want + 1);
		if (!buf) {
			st->failed = 1;
			return;
		}
		while (got < want) {
			n = pread(st->raw_fd, buf + got, want - got, (off_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(st->raw_fd);
		st->raw_fd = -1;
		st->raw = buf;
		st->raw_len = got;
	}
	if (st->raw)
		render_emit_raw(st, st->raw, st->raw_len);
}

/* Parses st->stream and fills st->msg. */
static trawl_status_t
render_run(struct render_state *st)
{
	struct render_message *m = st->msg;
	GMimeObject *body;

	st->parser = g_mime_parser_new_with_stream(st->stream);
	g_mime_parser_set_format(st->parser, GMIME_FORMAT_MESSAGE);
	st->message = g_mime_parser_construct_message(st->parser, st->options);
	if (!st->message) {
		m->parse_failed = 1;
		if (render_set_summary(st) < 0)
			return TRAWL_NOMEM;
		if (st->want_index)
			return TRAWL_NOT_FOUND;
		st->emit = 1;
		render_note_force(st, 1, 0, 0, "[not a parseable message: shown as raw text]");
		render_emit_source(st);
		goto done;
	}
	if (render_collect_headers(m, st->options, st->message, &m->headers, &m->n_headers) < 0 ||
	    render_add_bad_headers(st) < 0 || render_set_summary(st) < 0)
		return TRAWL_NOMEM;
	if (st->mode == RENDER_MODE_HEADERS)
		render_header_lines(st, m->headers, m->n_headers, 1, 0, 0);
	body = g_mime_message_get_mime_part(st->message);
	if (body)
		render_walk(st, body);
	else
		render_note(st, 0, 0, "[empty message body]");
	if (st->mode == RENDER_MODE_RAW && !st->want_index) {
		st->emit = 1;
		render_emit_source(st);
	}
done:
	if (st->lines_capped) {
		st->emit = 1;
		render_note_force(st, 1, 0, 0, "[lines skipped: more than %d lines]",
				  RENDER_MAX_LINES);
	}
	if (st->failed)
		return TRAWL_NOMEM;
	if (!m->lines)
		m->lines = talloc_array(m, struct render_line, 1);
	return m->lines ? TRAWL_OK : TRAWL_NOMEM;
}

/* Opens a regular file read-only; -1 with errno set otherwise. */
static int
render_open_file(const char *path, struct stat *sb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * Sets up st for the file at path: st->stream over a duplicate of the
 * descriptor (GMime owns and closes it), the descriptor itself kept for
 * the raw bytes.
 */
static trawl_status_t
render_open(struct render_state *st, const char *path)
{
	struct stat sb;
	int fd, gfd;

	fd = render_open_file(path, &sb);
	if (fd < 0)
		return TRAWL_IO;
	gfd = dup(fd);
	if (gfd < 0) {
		close(fd);
		return TRAWL_IO;
	}
	st->stream = g_mime_stream_fs_new(gfd);
	st->raw_fd = fd;
	st->raw_size = sb.st_size;
	return TRAWL_OK;
}

trawl_status_t
render_file(TALLOC_CTX *ctx, const char *path, const struct render_opts *opts,
	    struct render_message **out)
{
	struct render_state *st;
	trawl_status_t rc;

	if (!path || !out)
		return TRAWL_USAGE;
	*out = NULL;
	render_init();
	st = render_state_new(NULL, opts ? opts->mode : RENDER_MODE_TEXT);
	if (!st)
		return TRAWL_NOMEM;
	rc = render_open(st, path);
	if (rc == TRAWL_OK)
		rc = render_run(st);
	if (rc == TRAWL_OK)
		*out = talloc_steal(ctx, st->msg);
	talloc_free(st);
	return rc;
}

trawl_status_t
render_buffer(TALLOC_CTX *ctx, const char *buf, size_t len, const struct render_opts *opts,
	      struct render_message **out)
{
	struct render_state *st;
	trawl_status_t rc;

	if (!out || (!buf && len))
		return TRAWL_USAGE;
	*out = NULL;
	render_init();
	st = render_state_new(NULL, opts ? opts->mode : RENDER_MODE_TEXT);
	if (!st)
		return TRAWL_NOMEM;
	st->stream = g_mime_stream_mem_new_with_buffer(buf ? buf : "", len);
	st->raw = buf ? buf : "";
	st->raw_len = len > RENDER_MAX_RAW ? RENDER_MAX_RAW : len;
	rc = render_run(st);
	if (rc == TRAWL_OK)
		*out = talloc_steal(ctx, st->msg);
	talloc_free(st);
	return rc;
}

/* ------------------------------------------------------------ saving */

/* "name (n).ext", bounded to RENDER_MAX_NAME bytes. */
static char *
render_numbered_name(TALLOC_CTX *ctx, const char *name, int n)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name && strlen(dot) <= RENDER_MAX_EXT ? (size_t)(dot - name)
									  : strlen(name);
	char suffix[32];
	size_t slen = (size_t)snprintf(suffix, sizeof(suffix), " (%d)", n);
	const char *ext = name + stem; /* where the extension starts, before any cut */

	if (stem + slen + strlen(ext) > RENDER_MAX_NAME)
		stem = render_utf8_cut(name, stem, RENDER_MAX_NAME - slen - strlen(ext));
	return talloc_asprintf(ctx, "%.*s%s%s", (int)stem, name, suffix, ext);
}

/* Writes an attachment's decoded content to stream; -1 on a write error. */
static ssize_t
render_object_content(GMimeObject *obj, GMimeStream *stream)
{
	ssize_t written = -1;

	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));

		written = w ? g_mime_data_wrapper_write_to_stream(w, stream) : 0;
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		written = m ? g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, stream) : 0;
	}
	if (written >= 0 && g_mime_stream_flush(stream) < 0)
		written = -1;
	return written;
}

static trawl_status_t
render_write_object(GMimeObject *obj, int fd)
{
	GMimeStream *stream = g_mime_stream_fs_new(fd);
	ssize_t written;

	/* The stream does not own fd: the caller closes it and sees the error. */
	g_mime_stream_fs_set_owner(GMIME_STREAM_FS(stream), FALSE);
	written = render_object_content(obj, stream);
	g_object_unref(stream);
	return written < 0 ? TRAWL_IO : TRAWL_OK;
}

/*
 * Walks the message at path without drawing it, keeping attachment index:
 * its entry in *a and its MIME object in (*out)->want_obj.  *out (free it)
 * is set even on failure; TRAWL_NOT_FOUND when there is no such attachment.
 */
static trawl_status_t
render_find_attachment(const char *path, int index, struct render_state **out,
		       struct render_attachment **a)
{
	struct render_state *st;
	trawl_status_t rc;

	*a = NULL;
	render_init();
	*out = st = render_state_new(NULL, RENDER_MODE_TEXT);
	if (!st)
		return TRAWL_NOMEM;
	st->emit = 0;
	st->saving = 1;
	st->want_index = index;
	rc = render_open(st, path);
	if (rc == TRAWL_OK)
		rc = render_run(st);
	if (rc != TRAWL_OK)
		return rc;
	for (size_t i = 0; i < st->msg->n_attachments; i++)
		if (st->msg->attachments[i].index == index)
			*a = &st->msg->attachments[i];
	return *a && st->want_obj ? TRAWL_OK : TRAWL_NOT_FOUND;
}

trawl_status_t
render_save_attachment(TALLOC_CTX *ctx, const char *path, int index, const char *dir, char **saved)
{
	struct render_state *st;
	struct render_attachment *a;
	trawl_status_t rc;
	char *name = NULL;
	int dfd = -1, fd = -1, n;

	if (!path || !dir || !saved || index < 1)
		return TRAWL_USAGE;
	*saved = NULL;
	rc = render_find_attachment(path, index, &st, &a);
	if (rc != TRAWL_OK)
		goto out;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = TRAWL_IO;
		goto out;
	}
	/* The safe name has no '/', so openat() cannot leave dir; O_EXCL never overwrites. */
	for (n = 0; n < 10000; n++) {
		talloc_free(name);
		name = n ? render_numbered_name(st, a->safe_name, n)
			 : talloc_strdup(st, a->safe_name);
		if (!name) {
			rc = TRAWL_NOMEM;
			goto out;
		}
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = errno == EEXIST ? TRAWL_EXISTS : TRAWL_IO;
		goto out;
	}
	rc = render_write_object(st->want_obj, fd);
	if (close(fd) < 0 && rc == TRAWL_OK)
		rc = TRAWL_IO;
	if (rc != TRAWL_OK) {
		unlinkat(dfd, name, 0);
		goto out;
	}
	*saved = talloc_asprintf(ctx, "%s/%s", dir, name);
	if (!*saved)
		rc = TRAWL_NOMEM;
out:
	if (dfd >= 0)
		close(dfd);
	talloc_free(st);
	return rc;
}

trawl_status_t
render_attachment_bytes(TALLOC_CTX *ctx, const char *path, int index, size_t max, char **data,
			size_t *len)
{
	struct render_state *st;
	struct render_attachment *a;
	trawl_status_t rc;
	GMimeStream *mem;
	GByteArray *bytes;

	if (!path || !data || !len || index < 1)
		return TRAWL_USAGE;
	*data = NULL;
	*len = 0;
	rc = render_find_attachment(path, index, &st, &a);
	if (rc == TRAWL_OK && a->size > max)
		rc = TRAWL_LIMIT; /* its decoded size is known before decoding it */
	if (rc != TRAWL_OK) {
		talloc_free(st);
		return rc;
	}
	mem = g_mime_stream_mem_new();
	if (render_object_content(st->want_obj, mem) < 0) {
		rc = TRAWL_IO;
	} else {
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		if (bytes->len > max)
			rc = TRAWL_LIMIT;
		else if (!(*data = talloc_size(ctx, (size_t)bytes->len + 1)))
			rc = TRAWL_NOMEM;
		else {
			if (bytes->len)
				memcpy(*data, bytes->data, bytes->len);
			(*data)[bytes->len] = '\0';
			*len = bytes->len;
		}
	}
	g_object_unref(mem);
	talloc_free(st);
	return rc;
}

trawl_status_t
render_attachment_hashes(TALLOC_CTX *ctx, const char *path, char ***hex, size_t *n)
{
	struct render_state *st;
	trawl_status_t rc;

	if (!path || !hex || !n)
		return TRAWL_USAGE;
	*hex = NULL;
	*n = 0;
	render_init();
	st = render_state_new(NULL, RENDER_MODE_TEXT);
	if (!st)
		return TRAWL_NOMEM;
	st->emit = 0;
	st->saving = 1;
	st->hash_attachments = 1;
	rc = render_open(st, path);
	if (rc == TRAWL_OK)
		rc = render_run(st);
	if (rc == TRAWL_OK && st->msg->n_attachments) {
		*hex = talloc_steal(ctx, st->att_hashes);
		*n = st->msg->n_attachments;
	}
	talloc_free(st);
	return rc;
}

/* ------------------------------------------------------------ names */

/* Characters a file name must not keep: controls, C1, bidi and line separators. */
static int
render_name_char_banned(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x061C ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

static uint32_t
render_decode_cp(const unsigned char *s, size_t k)
{
	switch (k) {
	case 1:
		return s[0];
	case 2:
		return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	case 3:
		return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		       (s[2] & 0x3F);
	default:
		return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
}

char *
render_safe_filename(TALLOC_CTX *ctx, const char *declared)
{
	const unsigned char *s;
	const char *base, *dot;
	size_t n, i, k, bad, o = 0, ext, stem;
	char *out, *res;

	if (!declared)
		declared = "";
	/* The base name only: both separators, since the sender may be on Windows. */
	base = declared;
	for (i = 0; declared[i]; i++)
		if (declared[i] == '/' || declared[i] == '\\')
			base = declared + i + 1;
	s = (const unsigned char *)base;
	n = strlen(base);
	out = talloc_size(ctx, n + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = render_utf8_seq(s + i, n - i, &bad);
		if (!k) {
			/* Bytes that are not UTF-8 are replaced, not dropped: the name stays
			 * readable. */
			out[o++] = '_';
			k = bad;
			continue;
		}
		if (render_name_char_banned(render_decode_cp(s + i, k)))
			continue;
		/* ".." anywhere collapses to ".": no parent references, however spelt. */
		if (s[i] == '.' && o > 0 && out[o - 1] == '.')
			continue;
		memcpy(out + o, s + i, k);
		o += k;
	}
	out[o] = '\0';
	/* No leading dash either: "-rf x" in a directory is an option to a shell glob's command. */
	i = 0;
	while (out[i] == '.' || out[i] == ' ' || out[i] == '-')
		i++;
	while (o > i && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	memmove(out, out + i, o - i + 1);
	o -= i;
	if (o == 0) {
		talloc_free(out);
		return talloc_strdup(ctx, "attachment");
	}
	if (o <= RENDER_MAX_NAME)
		return out;
	/* Too long: cut the stem, keep a short extension. */
	dot = strrchr(out, '.');
	ext = dot && strlen(dot) <= RENDER_MAX_EXT ? strlen(dot) : 0;
	stem = render_utf8_cut(out, o - ext, RENDER_MAX_NAME - ext);
	res = talloc_asprintf(ctx, "%.*s%s", (int)stem, out, out + o - ext);
	talloc_free(out);
	return res;
}

unsigned long
render_gmime_warnings(void)
{
	return __atomic_load_n(&render_warning_count, __ATOMIC_RELAXED);
}
