/*
 * sha256: SHA-256 digests through GLib's GChecksum.  See include/trawl/sha256.h.
 */
#include <glib.h>

#include "trawl/sha256.h"

struct sha256 {
	GChecksum *cs;
};

static int
sha256_destructor(sha256_t *h)
{
	if (h->cs)
		g_checksum_free(h->cs);
	return 0;
}

sha256_t *
sha256_new(TALLOC_CTX *ctx)
{
	sha256_t *h = talloc_zero(ctx, sha256_t);

	if (!h)
		return NULL;
	h->cs = g_checksum_new(G_CHECKSUM_SHA256);
	if (!h->cs) {
		talloc_free(h);
		return NULL;
	}
	talloc_set_destructor(h, sha256_destructor);
	return h;
}

void
sha256_update(sha256_t *h, const void *data, size_t len)
{
	/* g_checksum_update takes a gssize: feed huge inputs in slices. */
	for (size_t off = 0; off < len;) {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;

		g_checksum_update(h->cs, (const guchar *)data + off, (gssize)n);
		off += n;
	}
}

char *
sha256_finish(sha256_t *h, TALLOC_CTX *ctx)
{
	return talloc_strdup(ctx, g_checksum_get_string(h->cs));
}

void
sha256_digest(sha256_t *h, unsigned char out[32])
{
	gsize len = 32;

	g_checksum_get_digest(h->cs, out, &len);
}

char *
sha256_hex(TALLOC_CTX *ctx, const void *data, size_t len)
{
	sha256_t *h = sha256_new(NULL);
	char *hex;

	if (!h)
		return NULL;
	sha256_update(h, data, len);
	hex = sha256_finish(h, ctx);
	talloc_free(h);
	return hex;
}
