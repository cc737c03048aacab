#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <talloc.h>

#include "fixture.h"

const char *
fixture_srcpath(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");

	snprintf(buf, sizeof(buf), "%s/%s", top ? top : TRAWL_SRCDIR, rel);
	return buf;
}

int
fixture_sh(const struct fixture *f, const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = talloc_vasprintf(NULL, fmt, ap);
	va_end(ap);
	if (!cmd)
		abort();
	rc = system(cmd);
	talloc_free(cmd);
	(void)f;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static int
fixture_destructor(struct fixture *f)
{
	if (f->dir && !getenv("FIXTURE_KEEP"))
		fixture_sh(f, "rm -rf '%s'", f->dir);
	return 0;
}

struct fixture *
fixture_new(TALLOC_CTX *ctx, const char *src)
{
	struct fixture *f = talloc_zero(ctx, struct fixture);
	char tmpl[] = "/tmp/trawl-unit.XXXXXX";
	FILE *cfg;

	if (!f || !mkdtemp(tmpl))
		abort();
	f->dir = talloc_strdup(f, tmpl);
	talloc_set_destructor(f, fixture_destructor);
	f->mail = talloc_asprintf(f, "%s/mail", f->dir);
	f->config_path = talloc_asprintf(f, "%s/notmuch-config", f->dir);
	setenv("HOME", f->dir, 1);
	setenv("XDG_CONFIG_HOME", talloc_asprintf(f, "%s/.config", f->dir), 1);
	setenv("XDG_CACHE_HOME", talloc_asprintf(f, "%s/.cache", f->dir), 1);
	setenv("XDG_STATE_HOME", talloc_asprintf(f, "%s/.state", f->dir), 1);
	setenv("NOTMUCH_CONFIG", f->config_path, 1);
	unsetenv("NOTMUCH_PROFILE");
	if (!src)
		src = fixture_srcpath("tests/corpus/mail");
	if (fixture_sh(f, "mkdir -p '%s' && cp -R '%s/.' '%s/' && chmod -R u+w '%s' && mkdir -p '%s/cur' '%s/new' '%s/tmp'",
		       f->mail, src, f->mail, f->mail, f->mail, f->mail, f->mail) != 0)
		abort();
	cfg = fopen(f->config_path, "w");
	if (!cfg)
		abort();
	fprintf(cfg, "[database]\npath=%s\n[new]\ntags=unread;inbox\nignore=.keep\n"
		     "[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n", f->mail);
	fclose(cfg);
	if (fixture_sh(f, "notmuch new --quiet >/dev/null") != 0)
		abort();
	return f;
}

index_t *
fixture_index(TALLOC_CTX *ctx, const char *src, struct fixture **f)
{
	index_t *idx = NULL;
	char *err = NULL;

	*f = fixture_new(ctx, src);
	if (index_open(ctx, NULL, NULL, &idx, &err) != TRAWL_OK) {
		fprintf(stderr, "fixture: %s\n", err ? err : "cannot open the index");
		abort();
	}
	return idx;
}

double
fixture_time_factor(void)
{
	const char *s = getenv("TRAWL_TEST_TIME_FACTOR");
	double f = s ? strtod(s, NULL) : 1.0;

	return f >= 1.0 ? f : 1.0;
}

int
fixture_teardown(void **state)
{
	talloc_free(*state);
	*state = NULL;
	return 0;
}
