/*
 * prefs: the reader's choices kept with a case.  See include/trawl/prefs.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trawl/paths.h"
#include "trawl/prefs.h"
#include "trawl/util.h"

/* Longest line kept: keys are saved search names, values short words. */
#define PREFS_MAX_LINE 4096

char *
prefs_path_for(TALLOC_CTX *ctx, const char *db_path)
{
	return paths_for(ctx, db_path, PATHS_PREFS);
}

char *
prefs_get(TALLOC_CTX *ctx, const char *path, const char *key)
{
	char line[PREFS_MAX_LINE], *tab, *value = NULL;
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (tab && (size_t)(tab - line) == strlen(key) && !strncmp(line, key, strlen(key))) {
			talloc_free(value);
			value = talloc_strdup(ctx, tab + 1);
		}
	}
	fclose(f);
	return value;
}

int
prefs_set(const char *path, const char *key, const char *value)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char line[PREFS_MAX_LINE], *name;
	FILE *in, *out;
	int rc = -1, fd;

	if (!path || !tmp || strpbrk(key, "\t\n") || (value && strpbrk(value, "\t\n")) ||
	    strlen(key) + (value ? strlen(value) : 0) + 2 >= PREFS_MAX_LINE) {
		talloc_free(tmp);
		return -1;
	}
	name = util_tmp_name(tmp, path);
	util_mkdirs_for(path);
	fd = name ? open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		if (fd >= 0) {
			close(fd);
			unlink(name);
		}
		talloc_free(tmp);
		return -1;
	}
	/* Every other line as it was, in its place; this key's last. */
	in = fopen(path, "r");
	while (in && fgets(line, sizeof(line), in)) {
		char *tab = strchr(line, '\t');

		if (!tab || strchr(line, '\n') == NULL)
			continue; /* not a line of ours, or cut */
		if ((size_t)(tab - line) == strlen(key) && !strncmp(line, key, strlen(key)))
			continue;
		fputs(line, out);
	}
	if (in)
		fclose(in);
	if (value)
		fprintf(out, "%s\t%s\n", key, value);
	if (fclose(out) == 0 && rename(name, path) == 0)
		rc = 0;
	else
		unlink(name);
	talloc_free(tmp);
	return rc;
}
