/*
 * render-int: what render.c and render-html.c share, and nothing else
 * includes.  Returned strings are talloc children of the ctx passed in.
 */
#ifndef TRAWL_RENDER_INT_H
#define TRAWL_RENDER_INT_H

#include <stddef.h>
#include <talloc.h>

/*
 * A well-formed UTF-8 copy of s (n bytes, s may be NULL when n is 0):
 * each ill-formed sequence and each NUL becomes U+FFFD.  *outlen (if not
 * NULL) receives its length.  NULL when out of memory.
 */
char *render_utf8_sanitize(TALLOC_CTX *ctx, const char *s, size_t n, size_t *outlen);


#endif
