/*
 * Unit-test fixture: a throwaway notmuch database built from
 * tests/corpus/mail in a temp dir, with HOME, NOTMUCH_CONFIG and the XDG
 * directories pinned inside it.
 */
#ifndef TRAWL_TEST_FIXTURE_H
#define TRAWL_TEST_FIXTURE_H

#include <talloc.h>

#include "trawl/index.h"

struct fixture {
	char *dir;         /* the temp dir; removed by fixture_free() */
	char *mail;        /* the maildir indexed */
	char *config_path; /* NOTMUCH_CONFIG */
};

/*
 * Builds the database from the maildir src (NULL: tests/corpus/mail);
 * aborts on failure.  The fixture is a talloc child of ctx: freeing it (or
 * ctx) removes the temp dir, unless FIXTURE_KEEP is set.
 */
struct fixture *fixture_new(TALLOC_CTX *ctx, const char *src);

/* fixture_new(ctx, src) and a read-only index on it, also owned by ctx; aborts on failure. */
index_t *fixture_index(TALLOC_CTX *ctx, const char *src, struct fixture **f);

/* A cmocka group teardown for a state owning everything it holds: frees *state. */
int fixture_teardown(void **state);

/*
 * What a time budget is multiplied by: $TRAWL_TEST_TIME_FACTOR (make
 * check-valgrind sets it, valgrind runs code 20-50 times slower), else 1.
 */
double fixture_time_factor(void);

/* Path of a file under the source tree (static buffer). */
const char *fixture_srcpath(const char *rel);

/* Runs a shell command inside the fixture's environment; returns its exit status. */
int fixture_sh(const struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
