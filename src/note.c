/*
 * note: a reviewer's note as notmuch properties.  See include/trawl/note.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/note.h"

/* The length of the valid UTF-8 sequence at s (of at most len bytes) and its code point; 0 if invalid. */
static size_t
note_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, c = s[0] & 0x1F, min = 0x80;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, c = s[0] & 0x0F, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

trawl_status_t
note_clean(TALLOC_CTX *ctx, const char *text, char **out, char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), start = 0, end = len;

	*out = NULL;
	*why = NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = note_utf8(s + i, len - i, &cp);

		if (!n) {
			*why = talloc_asprintf(ctx, "a note must be UTF-8 (byte %zu is not)", i + 1);
			return TRAWL_PARSE;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			*why = talloc_asprintf(ctx, "a note cannot hold control characters (U+%04X)",
					       (unsigned)cp);
			return TRAWL_PARSE;
		}
		i += n;
	}
	while (start < end && s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	if (end - start > NOTE_MAX) {
		*why = talloc_asprintf(ctx, "a note holds at most %d bytes (this one has %zu)",
				       NOTE_MAX, end - start);
		return TRAWL_PARSE;
	}
	*out = talloc_strndup(ctx, text + start, end - start);
	return *out ? TRAWL_OK : TRAWL_NOMEM;
}

char **
note_split(TALLOC_CTX *ctx, const char *text, size_t *n)
{
	size_t len = strlen(text), at = 0;
	char **v = talloc_array(ctx, char *, len / (NOTE_PIECE - 3) + 1);

	*n = 0;
	if (!v)
		return NULL;
	while (at < len) {
		size_t take = len - at < NOTE_PIECE ? len - at : NOTE_PIECE;

		/* Back up to the start of a character (a continuation byte is 10xxxxxx). */
		while (take < len - at && take > 0 && ((unsigned char)text[at + take] & 0xC0) == 0x80)
			take--;
		if (take == 0) /* not UTF-8 (note_clean refuses it): cut anywhere */
			take = len - at < NOTE_PIECE ? len - at : NOTE_PIECE;
		v[(*n)++] = talloc_strndup(v, text + at, take);
		if (!v[*n - 1]) {
			talloc_free(v);
			*n = 0;
			return NULL;
		}
		at += take;
	}
	return v;
}

char *
note_key(TALLOC_CTX *ctx, size_t i)
{
	return i == 0 ? talloc_strdup(ctx, NOTE_KEY) : talloc_asprintf(ctx, NOTE_KEY ".%zu", i + 1);
}

long
note_key_piece(const char *key)
{
	size_t kl = sizeof(NOTE_KEY) - 1;
	char *end;
	unsigned long i;

	if (strncmp(key, NOTE_KEY, kl) != 0)
		return -1;
	if (key[kl] == '\0')
		return 0;
	/* ".2" to ".64", written as note_key() writes them (no sign, no leading zero). */
	if (key[kl] != '.' || key[kl + 1] < '1' || key[kl + 1] > '9')
		return -1;
	i = strtoul(key + kl + 1, &end, 10);
	if (*end || i < 2 || i > NOTE_MAX_PIECES)
		return -1;
	return (long)i - 1;
}

char *
note_join(TALLOC_CTX *ctx, const char *const *keys, const char *const *values, size_t n)
{
	char *out = talloc_strdup(ctx, "");

	for (long piece = 0; out && piece < NOTE_MAX_PIECES; piece++) {
		int first = 1;

		for (size_t k = 0; out && k < n; k++) {
			if (note_key_piece(keys[k]) != piece)
				continue;
			out = talloc_asprintf_append_buffer(out, "%s%s", first ? "" : " ", values[k]);
			first = 0;
		}
	}
	return out;
}
