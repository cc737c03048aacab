/*
 * extract: the text of one attachment.  See include/trawl/extract.h.
 *
 * This file detects the type (libmagic), reads PDF (poppler-glib), text,
 * HTML and messages (through render.h), writes the one-line summary of
 * everything else, and neutralises the result.  The zip containers are
 * in extract-zip.c, TNEF (winmail.dat) in extract-tnef.c, the child
 * process in extract-job.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <magic.h>
#include <poppler.h>

#include "trawl/extract.h"
#include "trawl/render.h"
#include "trawl/sha256.h"
#include "trawl/text.h"
#include "extract-int.h"

/* Bytes libmagic looks at: enough for every format we route on. */
#define EXTRACT_MAGIC_BYTES (1 << 20)

/* ------------------------------------------------------------ the output */

int
extract_more(const struct extract_out *o)
{
	return !o->cut && !o->failed && !o->reason;
}

int
extract_put(struct extract_out *o, const char *s, size_t n)
{
	if (o->cut || o->failed)
		return 0;
	if (o->len + n > EXTRACT_MAX_TEXT) {
		n = EXTRACT_MAX_TEXT - o->len;
		o->cut = 1;
	}
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *nb;

		while (cap < o->len + n + 1)
			cap *= 2;
		nb = talloc_realloc(o->ctx, o->buf, char, cap);
		if (!nb) {
			o->failed = 1;
			return 0;
		}
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return extract_more(o);
}

int
extract_puts(struct extract_out *o, const char *s)
{
	return extract_put(o, s, strlen(s));
}

int
extract_putf(struct extract_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int more;

	va_start(ap, fmt);
	s = talloc_vasprintf(o->ctx, fmt, ap);
	va_end(ap);
	if (!s) {
		o->failed = 1;
		return 0;
	}
	more = extract_puts(o, s);
	talloc_free(s);
	return more;
}

void
extract_newline(struct extract_out *o)
{
	while (o->len > 0 && (o->buf[o->len - 1] == ' ' || o->buf[o->len - 1] == '\t'))
		o->buf[--o->len] = '\0';
	if (o->len > 0 && o->buf[o->len - 1] != '\n')
		extract_put(o, "\n", 1);
}

static void extract_vreason(struct extract_out *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
extract_vreason(struct extract_out *o, const char *fmt, va_list ap)
{
	if (o->reason)
		return;
	o->reason = talloc_vasprintf(o->ctx, fmt, ap);
	if (!o->reason)
		o->failed = 1;
}

void
extract_stop(struct extract_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	extract_vreason(o, fmt, ap);
	va_end(ap);
}

void
extract_note(struct extract_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = talloc_vasprintf(o->ctx, fmt, ap);
	va_end(ap);
	if (!s) {
		o->failed = 1;
		return;
	}
	extract_newline(o);
	extract_putf(o, "[%s]\n", s);
	talloc_free(s);
}

/* ------------------------------------------------------------ detection */

/* libmagic's answer for the bytes under flags, copied; "" when it has none. */
static char *
extract_magic(struct extract_out *o, const char *data, size_t len, int flags)
{
	const char *r;

	if (!o->magic)
		return talloc_strdup(o->ctx, "");
	magic_setflags(o->magic, flags);
	r = magic_buffer(o->magic, data, len < EXTRACT_MAGIC_BYTES ? len : EXTRACT_MAGIC_BYTES);
	return talloc_strdup(o->ctx, r ? r : "");
}

/*
 * The checks libmagic skips: decompressing (it would inflate a bomb to
 * name it) and the ELF and CDF parsers, the part of libmagic with the
 * most security fixes; the type of those bytes is still named by the
 * plain magic entries ("application/x-executable", "application/CDFV2").
 */
#define EXTRACT_MAGIC_SKIP (MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF)

static void
extract_magic_open(struct extract_out *o)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | EXTRACT_MAGIC_SKIP);
	size_t bytes = EXTRACT_MAGIC_BYTES;

	if (!m)
		return;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return;
	}
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes);
	o->magic = m;
}

/* Lower-case copy of a MIME type without its parameters. */
static char *
extract_bare_type(TALLOC_CTX *ctx, const char *t)
{
	size_t n = 0;
	char *s;

	if (!t)
		return talloc_strdup(ctx, "");
	while (t[n] && t[n] != ';' && t[n] != ' ')
		n++;
	s = talloc_strndup(ctx, t, n);
	for (char *p = s; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

static int
extract_is_zip(const char *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\3\4", 4) == 0;
}

/* ------------------------------------------------------------ readers */

static void
extract_pdf(struct extract_out *o, const char *data, size_t len)
{
	GBytes *bytes = g_bytes_new_static(data, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	int n;

	if (!doc) {
		if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
			extract_stop(o, "encrypted PDF: it needs a password");
		else
			extract_stop(o, "damaged PDF: %s", err ? err->message : "poppler cannot read it");
		g_clear_error(&err);
		g_bytes_unref(bytes);
		return;
	}
	n = poppler_document_get_n_pages(doc);
	if (n > EXTRACT_MAX_PAGES)
		n = EXTRACT_MAX_PAGES;
	for (int i = 0; i < n && extract_more(o); i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		char *text;

		extract_newline(o);
		extract_putf(o, "— page %d —\n", i + 1);
		if (!page) {
			extract_puts(o, "[this page cannot be read]\n");
			continue;
		}
		text = poppler_page_get_text(page);
		if (text)
			extract_puts(o, text);
		g_free(text);
		g_object_unref(page);
	}
	if (extract_more(o) && poppler_document_get_n_pages(doc) > EXTRACT_MAX_PAGES)
		extract_stop(o, "stopped: more than %d pages", EXTRACT_MAX_PAGES);
	g_object_unref(doc);
	g_bytes_unref(bytes);
}

static void
extract_text(struct extract_out *o, const char *data, size_t len, const char *charset)
{
	char *text;
	size_t n;

	if (render_text_to_utf8(o->ctx, data, len, charset, &text, &n, NULL) != TRAWL_OK) {
		o->failed = 1;
		return;
	}
	extract_put(o, text, n);
	talloc_free(text);
}

static void
extract_html(struct extract_out *o, const char *data, size_t len, const char *charset)
{
	struct render_html *h;
	char *text;
	size_t n;

	/* The converter wants UTF-8: the charset is decoded first, as for a text part. */
	if (render_text_to_utf8(o->ctx, data, len, charset, &text, &n, NULL) != TRAWL_OK ||
	    render_html_to_text(o->ctx, text, n, 1, &h) != TRAWL_OK) {
		o->failed = 1;
		return;
	}
	extract_put(o, h->text, h->len);
	for (size_t i = 0; i < h->n_links && extract_more(o); i++) {
		extract_newline(o);
		extract_putf(o, "[%zu] %s", i + 1, h->links[i]);
	}
	talloc_free(h);
	talloc_free(text);
}

static void
extract_message(struct extract_out *o, const char *data, size_t len)
{
	struct render_message *m;
	static const char *const names[] = {"From", "To", "Cc", "Date", "Subject"};

	if (render_buffer(o->ctx, data, len, NULL, &m) != TRAWL_OK) {
		o->failed = 1;
		return;
	}
	{
		const char *values[] = {m->from, m->to, m->cc, m->date, m->subject};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (values[i] && *values[i])
				extract_putf(o, "%s: %s\n", names[i], values[i]);
	}
	extract_newline(o);
	extract_puts(o, "\n");
	for (size_t i = 0; i < m->n_lines && extract_more(o); i++) {
		extract_puts(o, m->lines[i].text);
		if (!m->lines[i].wrapped)
			extract_puts(o, "\n");
	}
	talloc_free(m);
}

/*
 * "640 x 480" (or "640x480") in libmagic's description of an image, as
 * two numbers; 0 when it gives none.
 */
static int
extract_dimensions(const char *desc, unsigned long *w, unsigned long *h)
{
	for (const char *p = desc; *p; p++) {
		char *end;
		unsigned long a, b;

		if (*p < '1' || *p > '9' || (p > desc && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		a = strtoul(p, &end, 10);
		while (*end == ' ')
			end++;
		if (*end != 'x')
			continue;
		end++;
		while (*end == ' ')
			end++;
		if (*end < '1' || *end > '9')
			continue;
		b = strtoul(end, &end, 10);
		if (a > 0 && b > 0 && a < 1000000 && b < 1000000) {
			*w = a;
			*h = b;
			return 1;
		}
	}
	return 0;
}

static void
extract_summary(struct extract_out *o, const char *data, size_t len, const char *detected,
		const char *declared)
{
	char *desc = extract_magic(o, data, len, EXTRACT_MAGIC_SKIP);
	char *hex = sha256_hex(o->ctx, data, len);
	unsigned long w, h;

	if (!hex) {
		o->failed = 1;
		return;
	}
	extract_newline(o);
	extract_putf(o, "%s", *detected ? detected : "application/octet-stream");
	if (strncmp(detected, "image/", 6) == 0 && extract_dimensions(desc, &w, &h))
		extract_putf(o, ", %lu x %lu pixels", w, h);
	extract_putf(o, ", %zu bytes, SHA-256 %s", len, hex);
	if (*desc)
		extract_putf(o, " (%s)", desc);
	if (declared && *declared && strcmp(declared, detected) != 0)
		extract_putf(o, ", declared %s", declared);
	extract_puts(o, "\n");
}

/* ------------------------------------------------------------ dispatch */

static int
extract_is_texty(const char *t)
{
	return strncmp(t, "text/", 5) == 0 || strcmp(t, "application/json") == 0 ||
	       strcmp(t, "application/xml") == 0 || strcmp(t, "application/javascript") == 0;
}

void
extract_any(struct extract_out *o, const char *data, size_t len, const char *declared_type,
	    const char *charset, const char *filename)
{
	char *detected = extract_magic(o, data, len, MAGIC_MIME_TYPE | EXTRACT_MAGIC_SKIP);
	char *declared = extract_bare_type(o->ctx, declared_type);
	const char *kind;

	(void)filename;
	if (!detected || !declared) {
		o->failed = 1;
		return;
	}
	/* The charset a text part declares wins; else what libmagic reads in the bytes. */
	if (!charset || !*charset) {
		char *enc = extract_magic(o, data, len, MAGIC_MIME_ENCODING | EXTRACT_MAGIC_SKIP);

		charset = enc && strcmp(enc, "binary") != 0 && strcmp(enc, "unknown-8bit") != 0 ? enc
											      : NULL;
	}
	if (len == 0) {
		kind = "summary";
		extract_puts(o, "empty (0 bytes)\n");
	} else if (strcmp(detected, "application/pdf") == 0) {
		kind = "pdf";
		extract_pdf(o, data, len);
	} else if (extract_is_tnef(data, len)) {
		kind = "tnef";
		extract_tnef(o, data, len);
	} else if (extract_is_zip(data, len)) {
		kind = "zip"; /* extract_zip() names the container it finds */
		if (o->depth == 0)
			o->kind = kind;
		extract_zip(o, data, len);
		return;
	} else if (strcmp(detected, "text/html") == 0 ||
		   (extract_is_texty(detected) && strcmp(declared, "text/html") == 0)) {
		kind = "html";
		extract_html(o, data, len, charset);
	} else if (strcmp(detected, "message/rfc822") == 0 ||
		   (extract_is_texty(detected) && strcmp(declared, "message/rfc822") == 0)) {
		kind = "message";
		extract_message(o, data, len);
	} else if (extract_is_texty(detected)) {
		kind = "text";
		extract_text(o, data, len, charset);
	} else {
		kind = "summary";
		extract_summary(o, data, len, detected, declared);
	}
	if (o->depth == 0)
		o->kind = kind;
}

/* ------------------------------------------------------------ neutralising */

char *
extract_neutralise(TALLOC_CTX *ctx, const char *s, size_t len, size_t max, int *cut,
		   size_t *outlen)
{
	char *out = talloc_strdup(ctx, "");
	size_t n = 0, i = 0;

	while (out && i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, e = end;
		char *line;
		size_t ln;

		if (e > i && s[e - 1] == '\r')
			e--;
		line = text_sanitize(ctx, s + i, e - i);
		if (!line) {
			talloc_free(out);
			return NULL;
		}
		ln = strlen(line);
		if (n + ln + 1 > max) {
			*cut = 1;
			talloc_free(line);
			break;
		}
		out = talloc_realloc(ctx, out, char, n + ln + 2);
		if (out) {
			memcpy(out + n, line, ln);
			n += ln;
			out[n++] = '\n';
			out[n] = '\0';
		}
		talloc_free(line);
		i = end + 1;
	}
	if (!out)
		return NULL;
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	*outlen = n;
	return out;
}

trawl_status_t
extract_buffer(TALLOC_CTX *ctx, const void *data, size_t len, const char *declared_type,
	       const char *charset, const char *filename, struct extract_result **out)
{
	struct extract_out o = {0};
	struct extract_result *r;
	trawl_status_t ts = TRAWL_NOMEM;
	int cut = 0;

	*out = NULL;
	o.ctx = talloc_new(NULL);
	r = talloc_zero(ctx, struct extract_result);
	if (!o.ctx || !r)
		goto done;
	o.inflate_max = EXTRACT_MAX_INFLATE_FLOOR;
	if (len < (SIZE_MAX - EXTRACT_MAX_INFLATE_FLOOR) / EXTRACT_MAX_RATIO)
		o.inflate_max += len * EXTRACT_MAX_RATIO;
	extract_magic_open(&o);
	extract_any(&o, data ? data : "", len, declared_type, charset, filename);
	r->detected = talloc_strdup(r, "");
	if (o.magic) {
		/* The top-level type again: extract_any() kept only its own copy. */
		char *d = extract_magic(&o, data ? data : "", len,
					MAGIC_MIME_TYPE | EXTRACT_MAGIC_SKIP);

		talloc_free(r->detected);
		r->detected = text_sanitize(r, d ? d : "", d ? strlen(d) : 0);
		magic_close(o.magic);
	}
	if (o.failed)
		goto done;
	r->kind = talloc_strdup(r, o.kind ? o.kind : "summary");
	r->text = extract_neutralise(r, o.buf ? o.buf : "", o.len, EXTRACT_MAX_TEXT + 4096, &cut,
				     &r->len);
	r->cut = o.cut || cut;
	if (r->text && r->cut) {
		char *t = talloc_asprintf_append(r->text, "%s— cut: more than %d MiB of text —",
						 r->len ? "\n" : "", EXTRACT_MAX_TEXT >> 20);

		if (t) {
			r->text = t;
			r->len = strlen(t);
		}
	}
	if (o.reason)
		r->reason = text_sanitize(r, o.reason, strlen(o.reason));
	if (!r->text || !r->kind || !r->detected || (o.reason && !r->reason))
		goto done;
	*out = r;
	r = NULL;
	ts = TRAWL_OK;
done:
	talloc_free(r);
	talloc_free(o.ctx);
	return ts;
}
