/*
 * libFuzzer target for the render module: the input is a message, parsed
 * with render_buffer() in every mode.  Beyond not crashing, it checks what
 * the views rely on: every string is well-formed UTF-8 without NUL, lines
 * are bounded, safe names have no '/' and are not "." or "..", part ids
 * increase, and the HTML converter's output is well-formed as well.  And
 * what the views draw of it (headers, lines, attachment names, links) holds
 * no control or bidi character on the screen: render.h leaves the
 * neutralising to the text module, and this checks that it does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-screen.h"
#include "fuzz.h"
#include "trawl/render.h"

/*
 * Checks s is strict UTF-8.  Written differently from render.c on
 * purpose: the value is computed first and judged afterwards.
 */
static void
fuzz_check_utf8(const char *str)
{
	static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t c;

	fuzz_check(str != NULL);
	while (s[i]) {
		if (s[i] < 0x80)
			n = 1;
		else if ((s[i] & 0xE0) == 0xC0)
			n = 2;
		else if ((s[i] & 0xF0) == 0xE0)
			n = 3;
		else if ((s[i] & 0xF8) == 0xF0)
			n = 4;
		else
			abort();
		c = n == 1 ? s[i] : n == 2 ? s[i] & 0x1F : n == 3 ? s[i] & 0x0F : s[i] & 0x07;
		for (k = 1; k < n; k++) {
			fuzz_check((s[i + k] & 0xC0) == 0x80);
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		fuzz_check(c >= min_for_len[n] && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF));
		i += n;
	}
}

static void
fuzz_check_message(const struct render_message *m)
{
	size_t i;

	fuzz_check_utf8(m->from);
	fuzz_check_utf8(m->to);
	fuzz_check_utf8(m->cc);
	fuzz_check_utf8(m->date);
	fuzz_check_utf8(m->subject);
	fuzz_check_utf8(m->message_id);
	fuzz_check_drawn(m->from, strlen(m->from));
	fuzz_check_drawn(m->subject, strlen(m->subject));
	fuzz_check(m->n_headers <= RENDER_MAX_HEADERS);
	for (i = 0; i < m->n_headers; i++) {
		fuzz_check_utf8(m->headers[i].name);
		fuzz_check_utf8(m->headers[i].value);
		fuzz_check_drawn(m->headers[i].value, strlen(m->headers[i].value));
		fuzz_check(strlen(m->headers[i].value) <= RENDER_MAX_HEADER + 64);
	}
	fuzz_check(m->n_lines <= RENDER_MAX_LINES + 4 * RENDER_MAX_PARTS + 8);
	for (i = 0; i < m->n_lines; i++) {
		fuzz_check_utf8(m->lines[i].text);
		fuzz_check(strlen(m->lines[i].text) <= RENDER_MAX_LINE + 64);
		fuzz_check_drawn(m->lines[i].text, strlen(m->lines[i].text));
		fuzz_check(m->lines[i].kind <= RENDER_LINE_LINK);
		fuzz_check(m->lines[i].depth >= 0 && m->lines[i].quote_level >= 0);
	}
	for (i = 0; i < m->n_attachments; i++) {
		const char *s = m->attachments[i].safe_name;

		fuzz_check_utf8(m->attachments[i].filename);
		fuzz_check_drawn(m->attachments[i].filename, strlen(m->attachments[i].filename));
		fuzz_check_utf8(m->attachments[i].mime_type);
		fuzz_check_utf8(s);
		fuzz_check(*s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
		fuzz_check(strlen(s) <= 255);
		fuzz_check(m->attachments[i].index == (int)i + 1);
	}
	fuzz_check(m->n_parts <= RENDER_MAX_PARTS);
	for (i = 0; i < m->n_parts; i++) {
		fuzz_check_utf8(m->parts[i].mime_type);
		fuzz_check_utf8(m->parts[i].charset);
		fuzz_check_utf8(m->parts[i].decoded_as);
		fuzz_check(i == 0 || m->parts[i].id > m->parts[i - 1].id);
		fuzz_check(m->parts[i].parent < m->parts[i].id);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_message *m;
	struct render_html *h;
	char *name;
	int mode;

	for (mode = RENDER_MODE_TEXT; mode <= RENDER_MODE_RAW; mode++) {
		struct render_opts opts = {(enum render_mode)mode};

		fuzz_check(render_buffer(NULL, (const char *)data, size, &opts, &m) == TRAWL_OK);
		fuzz_check_message(m);
		talloc_free(m);
	}
	/* The input as an HTML document and as a declared file name too. */
	if (render_html_to_text(NULL, (const char *)data, size, 1, &h) == TRAWL_OK) {
		size_t i;

		fuzz_check_utf8(h->text);
		fuzz_check(strlen(h->text) == h->len);
		fuzz_check_drawn(h->text, h->len);
		for (i = 0; i < h->n_links; i++) {
			fuzz_check(h->links[i] != NULL);
			fuzz_check_drawn(h->links[i], strlen(h->links[i]));
		}
		talloc_free(h);
	}
	if (size < 4096) {
		char *declared = malloc(size + 1);

		fuzz_check(declared != NULL);
		memcpy(declared, data, size);
		declared[size] = '\0';
		name = render_safe_filename(NULL, declared);
		fuzz_check_utf8(name);
		fuzz_check(*name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
			   strcmp(name, "..") != 0 && strlen(name) <= 255);
		talloc_free(name);
		free(declared);
	}
	fuzz_check(render_gmime_warnings() == 0);
	return 0;
}
