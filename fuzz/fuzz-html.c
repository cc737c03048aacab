/*
 * libFuzzer target for the HTML-to-text converter (render.h:
 * render_html_to_text()), with a dictionary of HTML: fuzz-render reaches
 * it only through a MIME message.  Invariants, beyond not crashing:
 * the text is valid UTF-8 of the length given, without NUL and without
 * a trailing newline; every link has its URL and, unless the output was
 * cut, its "[N]" mark in the text, numbered from first_link; and the
 * text and the URLs, drawn as the thread view draws them, put no control
 * or bidi character on the screen.
 *
 * Input: byte 0 is first_link (1 to 256); the rest is the HTML.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-screen.h"
#include "fuzz.h"
#include "trawl/render.h"

/* Whether s is strict UTF-8. */
static int
fuzz_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3
					 : (*s & 0xF8) == 0xF0			? 4
										: 0;
		uint32_t c;

		if (!n)
			return 0;
		c = n == 1 ? *s : (uint32_t)(*s & (0x7F >> n));
		for (size_t k = 1; k < n; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[k] & 0x3F);
		}
		if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		s += n;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_html *h;
	int first;

	if (size < 1 || size > 65536)
		return 0;
	first = data[0] + 1;
	fuzz_check(render_html_to_text(NULL, (const char *)data + 1, size - 1, first, &h) ==
		   TRAWL_OK);
	fuzz_check(fuzz_utf8(h->text) && strlen(h->text) == h->len);
	fuzz_check(h->len == 0 || h->text[h->len - 1] != '\n');
	fuzz_check_drawn(h->text, h->len);
	for (size_t i = 0; i < h->n_links; i++) {
		char mark[32];

		fuzz_check(h->links[i] != NULL && fuzz_utf8(h->links[i]));
		fuzz_check_drawn(h->links[i], strlen(h->links[i]));
		snprintf(mark, sizeof(mark), "[%d]", first + (int)i);
		fuzz_check(h->cut || strstr(h->text, mark) != NULL);
	}
	fuzz_check(render_gmime_warnings() == 0);
	talloc_free(h);
	return 0;
}
