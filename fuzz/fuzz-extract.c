/*
 * libFuzzer target for the extract module (extract.h: extract_buffer()),
 * the entry point of every extractor: the bytes choose the reader, as
 * they do for an attachment.  Invariants beyond not crashing: the call
 * succeeds; the text is strict UTF-8 of the length given, with no C0 or
 * C1 control but newline and tab, no DEL and no bidi control; it is
 * bounded by EXTRACT_MAX_TEXT (and its cut line); kind and detected are
 * set; a reason is one neutralised line.
 *
 * Input: byte 0 picks the declared type (and charset) from the table
 * below; the rest is the attachment.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/extract.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const fuzz_declared[][2] = {
	{NULL, NULL},
	{"application/pdf", NULL},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", NULL},
	{"application/zip", NULL},
	{"text/plain", "iso-8859-1"},
	{"text/html", "utf-8"},
	{"message/rfc822", NULL},
	{"image/png", NULL},
};

/* Checks s[0..len) is strict UTF-8 with no forbidden code point but '\n' and '\t'. */
static FUZZ_NOT_TRACED void
fuzz_check_text(const char *str, size_t len, int newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fuzz_check(str != NULL && strlen(str) == len);
	while (i < len) {
		size_t n = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3
					 : (s[i] & 0xF8) == 0xF0			? 4
											: 0;
		uint32_t c;

		fuzz_check(n != 0 && i + n <= len);
		c = n == 1 ? s[i] : (uint32_t)(s[i] & (0x7F >> n));
		for (size_t k = 1; k < n; k++) {
			fuzz_check((s[i + k] & 0xC0) == 0x80);
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		fuzz_check(!((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000)));
		fuzz_check(!fuzz_forbidden(c) || (newlines && c == '\n') || c == '\t');
		i += n;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Placeholders depend on the locale (text.h): fuzz what the reader runs under. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_result *r;
	size_t pick;

	if (size < 1 || size > (1 << 20))
		return 0;
	pick = data[0] % (sizeof(fuzz_declared) / sizeof(fuzz_declared[0]));
	fuzz_check(extract_buffer(NULL, data + 1, size - 1, fuzz_declared[pick][0],
				  fuzz_declared[pick][1], "fuzz", &r) == TRAWL_OK);
	fuzz_check_text(r->text, r->len, 1);
	fuzz_check(r->len <= EXTRACT_MAX_TEXT + 4096 + 64);
	fuzz_check(r->cut || r->len <= EXTRACT_MAX_TEXT + 1);
	fuzz_check(r->kind && *r->kind && r->detected);
	fuzz_check_text(r->detected, strlen(r->detected), 0);
	if (r->reason)
		fuzz_check_text(r->reason, strlen(r->reason), 0);
	talloc_free(r);
	return 0;
}
