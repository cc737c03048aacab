/*
 * hints: small per-database facts earlier runs left.  See include/trawl/hints.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trawl/hints.h"
#include "trawl/paths.h"
#include "trawl/util.h"

/* Lines kept; the oldest go first. */
#define HINTS_MAX 256

int
hints_get(const char *path, const char *key, long long *out)
{
	char line[4096], *tab;
	int found = 0;
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (tab && !strcmp(tab + 1, key)) {
			*out = strtoll(line, NULL, 10);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

void
hints_set(const char *path, const char *key, long long value)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **lines = NULL, line[4096], *tab, *name;
	size_t n = 0;
	int unchanged = 0;
	FILE *f;

	if (!path || !tmp || strpbrk(key, "\t\n") || strlen(key) > 2000) {
		talloc_free(tmp);
		return;
	}
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		if (!strcmp(tab + 1, key)) {
			unchanged = strtoll(line, NULL, 10) == value;
			continue;
		}
		char **more = talloc_realloc(tmp, lines, char *, n + 1);

		if (!more)
			break;
		lines = more;
		lines[n++] = talloc_strdup(lines, line);
	}
	if (f)
		fclose(f);
	if (unchanged) {
		talloc_free(tmp);
		return;
	}
	name = util_tmp_name(tmp, path);
	util_mkdirs_for(path);
	f = name ? fopen(name, "w") : NULL;
	if (f) {
		/* When full, the oldest cache lines (keys with a space) go first. */
		size_t drop = n >= HINTS_MAX ? n - HINTS_MAX + 1 : 0;

		for (size_t i = 0; i < n; i++) {
			if (!lines[i])
				continue;
			if (drop && strchr(strchr(lines[i], '\t') + 1, ' ')) {
				drop--;
				continue;
			}
			fprintf(f, "%s\n", lines[i]);
		}
		fprintf(f, "%lld\t%s\n", value, key);
		if (fclose(f) == 0)
			rename(name, path);
		else
			unlink(name);
	}
	talloc_free(tmp);
}


char *
hints_path_for(TALLOC_CTX *ctx, const char *db_path)
{
	return paths_for(ctx, db_path, PATHS_HINTS);
}

char *
hints_count_key(TALLOC_CTX *ctx, const char *query)
{
	return talloc_asprintf(ctx, "count %s", query ? query : "*");
}
