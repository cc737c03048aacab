/*
 * util: small shared helpers.  See include/trawl/util.h.
 */
#include <errno.h>
#include <unistd.h>
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

int
util_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
