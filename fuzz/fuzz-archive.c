/*
 * libFuzzer target for the archive reader of `trawl import`
 * (import-int.h: import_archive_walk(), the walk import_archive_read()
 * runs in its child): zip, tar and its compressed forms, 7z, rar, cpio
 * and single compressed streams, nested down to IMPORT_ARCHIVE_MAX_DEPTH.
 *
 * Input: the archive's bytes (a file named "fuzz.zip"; the name matters
 * only to a single compressed stream).
 *
 * Checks, beyond not crashing:
 *  - a walk that fails says why;
 *  - every member handed on has a name: its member path is not empty; its
 *    folder, which
 *    becomes a directory of the cache, has no empty, ".", ".." or
 *    ".notmuch" element and does not start with '/'; its last element is
 *    not empty and holds no '/'; its bytes are within the member limit;
 *  - every row has a member and a reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../src/import-int.h"

/* Small, so that a fuzz run stays in memory however the archive inflates. */
#define FUZZ_MEMBER_MAX ((size_t)1 << 20)

/* Whether a folder path is harmless as a directory below the cache's mail/. */
static FUZZ_NOT_TRACED int
fuzz_folder_ok(const char *f)
{
	const char *p = f;

	if (!*f)
		return 1;
	if (*f == '/')
		return 0;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)) ||
		    (n == 8 && !memcmp(p, ".notmuch", 8)) || n > 200)
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

static void
fuzz_member(void *arg, const char *member, const char *folder, const char *name, bool whole,
            const char *data, size_t len)
{
	(void)arg;
	(void)whole;
	/* Not a count of '!': a member's own name may hold one (regress-bang-in-name). */
	fuzz_check(*member);
	fuzz_check(fuzz_folder_ok(folder));
	fuzz_check(*name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, ".."));
	fuzz_check(len <= FUZZ_MEMBER_MAX);
	fuzz_check(len == 0 || data != NULL);
	/* The bytes are there to be read: touch the last one. */
	if (len)
		fuzz_check(data[len - 1] == data[len - 1]);
}

static void
fuzz_row(void *arg, const char *member, const char *why, unsigned long long size)
{
	(void)arg;
	(void)size;
	fuzz_check(member && *member);
	fuzz_check(why && *why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_archive_ops ops = {NULL, fuzz_member, fuzz_row};
	char why[512] = "";

	if (import_archive_walk((const char *)data, size, "fuzz.zip", FUZZ_MEMBER_MAX, &ops, why,
	                        sizeof(why)) != 0)
		fuzz_check(*why);
	return 0;
}
