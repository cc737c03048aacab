/*
 * hold-lock: opens the notmuch database of NOTMUCH_CONFIG read-write (so
 * holding its write lock), prints "locked", and keeps it until its
 * standard input closes or SECONDS pass; then it closes the database and
 * prints "released" or "timed out", so that a test can tell its own
 * release from the timeout.  Tests use it to play another writer such as
 * `notmuch new`.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <notmuch.h>

int
main(int argc, char **argv)
{
	notmuch_database_t *db = NULL;
	char *msg = NULL;
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	int ready;

	if (notmuch_database_open_with_config(NULL, NOTMUCH_DATABASE_MODE_READ_WRITE, NULL, NULL,
					      &db, &msg) != NOTMUCH_STATUS_SUCCESS) {
		fprintf(stderr, "hold-lock: %s\n", msg ? msg : "cannot open the database");
		return 1;
	}
	printf("locked\n");
	fflush(stdout);
	ready = poll(&pfd, 1, seconds * 1000);
	notmuch_database_destroy(db);
	printf("%s\n", ready > 0 ? "released" : "timed out");
	return 0;
}
