/*
 * Unit-test fixture: a throwaway notmuch database built from
 * tests/corpus/mail in a temp dir, with HOME, NOTMUCH_CONFIG and the XDG
 * directories pinned inside it.
 */
#ifndef TRAWL_TEST_FIXTURE_H
#define TRAWL_TEST_FIXTURE_H

struct fixture {
	char *dir;         /* the temp dir; removed by fixture_free() */
	char *mail;        /* the maildir indexed */
	char *config_path; /* NOTMUCH_CONFIG */
};

/* Builds the database from the maildir src (NULL: tests/corpus/mail); aborts on failure. */
struct fixture *fixture_new(const char *src);
void fixture_free(struct fixture *f);

/* Path of a file under the source tree (static buffer). */
const char *fixture_srcpath(const char *rel);

/* Runs a shell command inside the fixture's environment; returns its exit status. */
int fixture_sh(const struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
