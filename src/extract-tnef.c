/*
 * extract-tnef: TNEF streams (application/ms-tnef, "winmail.dat"), the
 * container Outlook and Exchange wrap a message's body and attachments
 * in.  libytnef parses the stream; nothing here reads TNEF bytes by
 * hand.  The text is:
 *
 *   From: / Subject:   the sender and subject of the MAPI properties (or
 *                      the TNEF subject attribute), when present
 *   the body           the plain body (the TNEF attribute or PR_BODY);
 *                      else the HTML body (PR_BODY_HTML) as HTML is read;
 *                      else, for a body only in compressed RTF, libytnef
 *                      decompresses it and one line "[RTF body, N bytes,
 *                      not shown]" stands for it: Debian has no RTF to
 *                      text library and we write no RTF parser
 *   each attachment    after a line "— member "NAME" —" as in a zip, and
 *                      extracted in turn (extract_any()): an attached
 *                      message (PR_ATTACH_DATA_OBJ) is its own TNEF
 *                      stream after a 16-byte interface id, read the
 *                      same way one level deeper
 *
 * Bounds: the nesting depth is the zips' (o->depth, EXTRACT_MAX_DEPTH),
 * at most EXTRACT_MAX_MEMBERS attachments, each at most
 * EXTRACT_MAX_MEMBER bytes; the decompressed RTF counts in o->inflated
 * against the same ratio as zip members.  libytnef itself refuses any
 * allocation above 50 MB.  It may print to stdout: the extract child's
 * stdout is /dev/null (bg.c).
 */
#include <stdint.h>
#include <stdio.h> /* before ytnef.h, whose types name FILE */
#include <stdlib.h>
#include <string.h>

#include <tnef-errors.h>
#include <ytnef.h>

#include "trawl/extract.h"
#include "trawl/text.h"
#include "extract-int.h"

/* The bytes of a MAPI property (first value), or NULL when absent or empty. */
static const variableLength *
tnef_prop(MAPIProps *p, unsigned int type, unsigned int id)
{
	variableLength *v = MAPIFindProperty(p, PROP_TAG(type, id));

	if (v == MAPI_UNDEFINED || !v || !v->data || v->size <= 0)
		return NULL;
	return v;
}

/*
 * A string property, raw (neutralised with the rest of the text), up to
 * its first NUL, a child of ctx; NULL when absent.  libytnef has already
 * converted PT_UNICODE (UTF-16LE) to UTF-8; PT_STRING8 is in the
 * stream's code page.
 */
static char *
tnef_string(TALLOC_CTX *ctx, MAPIProps *p, unsigned int id)
{
	const variableLength *v = tnef_prop(p, PT_UNICODE, id);

	if (!v)
		v = tnef_prop(p, PT_STRING8, id);
	return v ? talloc_strndup(ctx, (const char *)v->data, (size_t)v->size) : NULL;
}

/* A variableLength attribute as a string up to its first NUL; NULL when empty. */
static char *
tnef_attr_string(TALLOC_CTX *ctx, const variableLength *v)
{
	if (!v->data || v->size <= 0 || !v->data[0])
		return NULL;
	return talloc_strndup(ctx, (const char *)v->data, (size_t)v->size);
}

/* One line of s: text_sanitize() spells a newline "^J", so no field forges a marker line. */
static char *
tnef_line(TALLOC_CTX *ctx, const char *s)
{
	return s && *s ? text_sanitize(ctx, s, strlen(s)) : NULL;
}

/*
 * The body, like an attachment one level deeper: a body that is itself a
 * TNEF stream (or a zip) then nests under the same bound instead of
 * recursing at the same depth.
 */
static void
tnef_part(struct extract_out *o, const char *data, size_t len, const char *type,
	  const char *charset)
{
	if (o->depth + 1 >= EXTRACT_MAX_DEPTH) {
		extract_putf(o, "[not extracted: containers nested more than %d deep]\n",
			     EXTRACT_MAX_DEPTH);
		return;
	}
	o->depth++;
	extract_any(o, data, len, type, charset, NULL);
	o->depth--;
}

static const char *
tnef_error(int rc)
{
	switch (rc) {
	case YTNEF_NOT_TNEF_STREAM:
		return "not a TNEF stream";
	case YTNEF_ERROR_READING_DATA:
		return "it stops before its end";
	case YTNEF_NO_KEY:
		return "no key";
	case YTNEF_BAD_CHECKSUM:
		return "a bad checksum";
	case YTNEF_ERROR_IN_HANDLER:
		return "an attribute that cannot be read";
	case YTNEF_UNKNOWN_PROPERTY:
		return "an unknown property";
	default:
		return "libytnef cannot read it (a length past its bounds?)";
	}
}

/* An iconv name for a Windows code page; NULL for none (the text is guessed). */
static const char *
tnef_cp_charset(TALLOC_CTX *ctx, unsigned int cp)
{
	if (cp == 0)
		return NULL;
	if (cp == 65001)
		return "UTF-8";
	if (cp == 20866)
		return "KOI8-R";
	if (cp == 21866)
		return "KOI8-U";
	if (cp >= 28591 && cp <= 28606)
		return talloc_asprintf(ctx, "ISO-8859-%u", cp - 28590);
	if (cp >= 50220 && cp <= 50222)
		return "ISO-2022-JP";
	if (cp == 51932)
		return "EUC-JP";
	if (cp == 54936)
		return "GB18030";
	return talloc_asprintf(ctx, "CP%u", cp);
}

/* A PT_LONG property, 0 when absent. */
static unsigned int
tnef_long(MAPIProps *p, unsigned int id)
{
	const variableLength *v = tnef_prop(p, PT_LONG, id);

	return v && v->size >= 4 ? SwapDWord(v->data, 4) : 0;
}

/*
 * The charset of the 8-bit text: the MAPI code page of the message, else
 * the OEM code page attribute; the HTML body has its own (the Internet
 * code page), which wins.
 */
static const char *
tnef_charset(TALLOC_CTX *ctx, TNEFStruct *t, int html)
{
	unsigned int cp = html ? tnef_long(&t->MapiProperties, PR_INTERNET_CPID) : 0;

	if (!cp)
		cp = tnef_long(&t->MapiProperties, PR_MESSAGE_CODEPAGE);
	if (!cp && t->CodePage.data && t->CodePage.size >= 4)
		cp = SwapDWord(t->CodePage.data, 4);
	return tnef_cp_charset(ctx, cp);
}

static void
tnef_body(struct extract_out *o, TALLOC_CTX *tmp, TNEFStruct *t)
{
	const char *charset = tnef_charset(tmp, t, 0);
	MAPIProps *m = &t->MapiProperties;
	const variableLength *v;
	char *s;

	if (t->body.data && t->body.size > 0) {
		tnef_part(o, (const char *)t->body.data,
			  strnlen((const char *)t->body.data, (size_t)t->body.size), "text/plain",
			  charset);
		return;
	}
	if ((s = tnef_string(tmp, m, PR_BODY)) && *s) {
		/* PT_UNICODE is UTF-8 by now (libytnef); PT_STRING8 is in the code page. */
		tnef_part(o, s, strlen(s), "text/plain",
			  tnef_prop(m, PT_UNICODE, PR_BODY) ? "UTF-8" : charset);
		return;
	}
	if ((v = tnef_prop(m, PT_BINARY, PR_BODY_HTML)) ||
	    (v = tnef_prop(m, PT_STRING8, PR_BODY_HTML))) {
		tnef_part(o, (const char *)v->data, (size_t)v->size, "text/html",
			  tnef_charset(tmp, t, 1));
		return;
	}
	if ((v = tnef_prop(m, PT_BINARY, PR_RTF_COMPRESSED))) {
		variableLength copy = *v;
		int n = 0;
		BYTE *rtf = DecompressRTF(&copy, &n);

		if (!rtf || n <= 0) {
			extract_note(o, "RTF body, damaged: it does not decompress");
		} else {
			o->inflated += (size_t)n;
			if (o->inflated > o->inflate_max)
				extract_stop(o, "stopped: the RTF body inflates past %d times "
						"the attachment's size",
					     EXTRACT_MAX_RATIO);
			else
				extract_note(o, "RTF body, %d bytes, not shown", n);
		}
		free(rtf);
	}
}

static void
tnef_attachments(struct extract_out *o, TALLOC_CTX *tmp, TNEFStruct *t)
{
	size_t count = 0;

	for (Attachment *a = t->starting_attach.next; a && extract_more(o); a = a->next) {
		const variableLength *obj = tnef_prop(&a->MAPI, PT_OBJECT, PR_ATTACH_DATA_OBJ);
		const variableLength *data = obj ? obj : &a->FileData;
		char *name = tnef_string(tmp, &a->MAPI, PR_ATTACH_LONG_FILENAME);
		const char *bytes;
		size_t n;

		if (++count > EXTRACT_MAX_MEMBERS) {
			extract_stop(o, "stopped: more than %d attachments in the TNEF stream",
				     EXTRACT_MAX_MEMBERS);
			return;
		}
		if (!name || !*name)
			name = tnef_attr_string(tmp, &a->Title);
		if (!name || !*name)
			name = talloc_asprintf(tmp, "attachment %zu", count);
		else
			name = tnef_line(tmp, name);
		if (!name) {
			o->failed = 1;
			return;
		}
		extract_newline(o);
		extract_putf(o, "— member \"%s\" —\n", name);
		if (!data->data || data->size <= 0) {
			extract_puts(o, "[no data]\n");
			continue;
		}
		bytes = (const char *)data->data;
		n = (size_t)data->size;
		/* An attached message: an interface id (16 bytes), then its own TNEF stream. */
		if (obj && n > 16) {
			bytes += 16;
			n -= 16;
		}
		if (n > EXTRACT_MAX_MEMBER) {
			extract_putf(o, "[not extracted: %zu bytes, more than %d MiB]\n", n,
				     EXTRACT_MAX_MEMBER >> 20);
			continue;
		}
		if (o->depth + 1 >= EXTRACT_MAX_DEPTH) {
			extract_putf(o, "[not extracted: containers nested more than %d deep]\n",
				     EXTRACT_MAX_DEPTH);
			continue;
		}
		o->depth++;
		extract_any(o, bytes, n, NULL, NULL, name);
		o->depth--;
	}
}

int
extract_is_tnef(const char *data, size_t len)
{
	return len >= 4 && TNEFCheckForSignature(SwapDWord((BYTE *)(uintptr_t)data, 4)) == 0;
}

void
extract_tnef(struct extract_out *o, const char *data, size_t len)
{
	TALLOC_CTX *tmp = talloc_new(o->ctx);
	TNEFStruct t;
	char *from, *addr, *subject;
	int rc;

	if (!tmp) {
		o->failed = 1;
		return;
	}
	if (len > (size_t)0x7FFFFFFF) {
		extract_stop(o, "stopped: a TNEF stream of more than 2 GiB");
		talloc_free(tmp);
		return;
	}
	TNEFInitialize(&t);
	t.Debug = 0;
	/* libytnef reads the memory only; its prototype lacks the const. */
	rc = TNEFParseMemory((BYTE *)data, (long)len, &t);
	from = tnef_string(tmp, &t.MapiProperties, PR_SENDER_NAME);
	addr = tnef_string(tmp, &t.MapiProperties, PR_SENDER_EMAIL_ADDRESS);
	subject = tnef_string(tmp, &t.MapiProperties, PR_SUBJECT);
	if (!subject || !*subject)
		subject = tnef_attr_string(tmp, &t.subject);
	from = tnef_line(tmp, from);
	addr = tnef_line(tmp, addr);
	subject = tnef_line(tmp, subject);
	if ((from && *from) || (addr && *addr))
		extract_putf(o, "From: %s%s%s%s\n", from ? from : "",
			     from && *from && addr && *addr ? " <" : "", addr ? addr : "",
			     from && *from && addr && *addr ? ">" : "");
	if (subject && *subject)
		extract_putf(o, "Subject: %s\n", subject);
	if (o->len > 0)
		extract_puts(o, "\n");
	tnef_body(o, tmp, &t);
	tnef_attachments(o, tmp, &t);
	if (rc != 0)
		extract_stop(o, "damaged TNEF: %s", tnef_error(rc));
	TNEFFree(&t);
	talloc_free(tmp);
}
