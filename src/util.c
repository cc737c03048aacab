/*
 * util: small shared helpers.  See include/trawl/util.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <talloc.h>

#include "trawl/util.h"

void
util_mkdirs_for(const char *path)
{
	char *dir = talloc_strdup(NULL, path);

	/* Existing directories fail with EEXIST, which is what we want to ignore. */
	for (char *s = dir ? strchr(dir + 1, '/') : NULL; s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(dir, 0700);
		*s = '/';
	}
	talloc_free(dir);
}

char *
util_group_digits(char *buf, size_t len, unsigned long long n)
{
	char tmp[32];
	size_t digits, out = 0;

	if (!len)
		return buf;
	snprintf(tmp, sizeof(tmp), "%llu", n);
	digits = strlen(tmp);
	for (size_t i = 0; i < digits && out + 2 < len; i++) {
		if (i && (digits - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = tmp[i];
	}
	buf[out] = '\0';
	return buf;
}
