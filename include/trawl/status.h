/*
 * status: the status codes every fallible trawl function returns, and
 * their messages.  The list is an X-macro so the enum and the strings
 * cannot drift apart.  Strings returned are static; nobody frees them.
 */
#ifndef TRAWL_STATUS_H
#define TRAWL_STATUS_H

#define TRAWL_STATUS_LIST(X)                                            \
	X(OK, "success")                                                \
	X(NOMEM, "out of memory")                                       \
	X(IO, "input/output error")                                     \
	X(USAGE, "invalid argument")                                    \
	X(NOT_FOUND, "not found")                                       \
	X(NO_DATABASE, "no notmuch database")                           \
	X(DB, "database error")                                         \
	X(QUERY, "invalid query")                                       \
	X(LOCKED, "database locked by another process")                 \
	X(READ_ONLY, "database is read-only")                           \
	X(PARSE, "parse error")                                         \
	X(LIMIT, "limit exceeded")                                      \
	X(CANCELLED, "cancelled")                                       \
	X(EXISTS, "already exists")

typedef enum {
#define TRAWL_STATUS_ENUM(name, msg) TRAWL_##name,
	TRAWL_STATUS_LIST(TRAWL_STATUS_ENUM)
#undef TRAWL_STATUS_ENUM
	TRAWL_STATUS_COUNT
} trawl_status_t;

/* The message for a status; never NULL. */
const char *trawl_status_str(trawl_status_t status);

#endif
