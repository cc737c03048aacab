/*
 * import-manifest: what identifies and encodes a row of the import's
 * manifest: its fields escaped and unescaped, the 128-bit keys of source
 * messages and content hashes, and an open-addressing set of keys.  See
 * import-int.h.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "trawl/sha256.h"
#include "import-int.h"

struct import_key
import_key(const char *source_esc, long long offset, const char *member_esc)
{
	sha256_t *cs = sha256_new(NULL);
	unsigned char d[32];
	char off[32] = "";
	struct import_key k;

	if (!cs)
		abort(); /* as GLib itself does when it runs out of memory */
	if (offset >= 0)
		snprintf(off, sizeof(off), "%lld", offset);
	sha256_update(cs, source_esc, strlen(source_esc));
	sha256_update(cs, "\t", 1);
	sha256_update(cs, off, strlen(off));
	/* Without a member, the key of the manifests written before members. */
	if (member_esc && *member_esc) {
		sha256_update(cs, "\t", 1);
		sha256_update(cs, member_esc, strlen(member_esc));
	}
	sha256_digest(cs, d);
	talloc_free(cs);
	memcpy(&k.a, d, 8);
	memcpy(&k.b, d + 8, 8);
	k.a |= 1; /* never the empty slot */
	return k;
}

/* The set key of a content hash: its first 128 bits. */
struct import_key
import_hex_key(const char *hex)
{
	struct import_key k = {0, 0};

	for (int i = 0; i < 32 && isxdigit((unsigned char)hex[i]); i++) {
		unsigned v = isdigit((unsigned char)hex[i])
		                     ? (unsigned)(hex[i] - '0')
		                     : (unsigned)(tolower(hex[i]) - 'a' + 10);

		if (i < 16)
			k.a = k.a << 4 | v;
		else
			k.b = k.b << 4 | v;
	}
	k.a |= 1; /* never the empty slot */
	return k;
}

bool
import_set_has(const struct import_set *s, struct import_key k)
{
	if (!s->cap)
		return false;
	for (size_t i = (size_t)k.b & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i].a)
			return false;
		if (s->slots[i].a == k.a && s->slots[i].b == k.b)
			return true;
	}
}

int
import_set_add(TALLOC_CTX *ctx, struct import_set *s, struct import_key k)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct import_key *old = s->slots;
		size_t old_cap = s->cap;

		s->slots = talloc_zero_array(ctx, struct import_key, cap);
		if (!s->slots) {
			s->slots = old;
			return -1;
		}
		s->cap = cap;
		s->n = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].a)
				import_set_add(ctx, s, old[i]);
		talloc_free(old);
	}
	if (import_set_has(s, k))
		return 0;
	for (size_t i = (size_t)k.b & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slots[i].a) {
			s->slots[i] = k;
			s->n++;
			return 0;
		}
	}
}

char *
import_escape(TALLOC_CTX *ctx, const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += *p == '\\' || *p == '\t' || *p == '\n' || *p == '\r' ? 2
		     : *p < 0x20 || *p == 0x7f                            ? 4
		                                                          : 1;
	out = o = talloc_size(ctx, n + 1);
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r') {
			*o++ = '\\';
			*o++ = *p == '\\' ? '\\' : *p == '\t' ? 't' : *p == '\n' ? 'n' : 'r';
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(o, 5, "\\x%02x", *p);
			o += 4;
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

/* Undoes import_escape() in place. */
void
import_unescape(char *s)
{
	char *o = s;

	for (const char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 't')
			*o++ = '\t';
		else if (*p == 'n')
			*o++ = '\n';
		else if (*p == 'r')
			*o++ = '\r';
		else if (*p == 'x' && isxdigit((unsigned char)p[1]) &&
		         isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], '\0'};

			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
}
