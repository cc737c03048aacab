/*
 * sha256: SHA-256 digests as 64 lower-case hex digits, of memory or fed
 * piece by piece.  The importer names cache files and writes the manifest
 * with them, the exporter its CSV index, the versions module tells copies
 * of a message apart: one module, so the hex form (and the slicing that
 * GLib's gssize lengths need) is written once.  GLib's GChecksum does the
 * hashing and never leaves this module.
 *
 * Ownership: a sha256_t is a talloc object (its destructor frees the
 * GChecksum); hex strings are talloc children of the ctx passed.
 */
#ifndef TRAWL_SHA256_H
#define TRAWL_SHA256_H

#include <stddef.h>
#include <talloc.h>

#define SHA256_HEX_LEN 64

typedef struct sha256 sha256_t;

/* A digest in progress; NULL on out-of-memory. */
sha256_t *sha256_new(TALLOC_CTX *ctx);

/* Adds len bytes (any length: fed to GLib in slices). */
void sha256_update(sha256_t *h, const void *data, size_t len);

/* The digest so far as hex (a child of ctx), NULL on out-of-memory; h takes no more bytes. */
char *sha256_finish(sha256_t *h, TALLOC_CTX *ctx);

/* The digest so far as 32 bytes; h takes no more bytes. */
void sha256_digest(sha256_t *h, unsigned char out[32]);

/* The digest of data[0..len) as hex (a child of ctx); NULL on out-of-memory. */
char *sha256_hex(TALLOC_CTX *ctx, const void *data, size_t len);

#endif
