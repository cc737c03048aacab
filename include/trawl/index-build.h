/*
 * index-build: creating or opening a notmuch database read-write and
 * indexing files into it.
 *
 * This is the write side used to make caches (the demo cache, imports); it
 * lives beside index.c because only src/index*.c may call libnotmuch.  A
 * builder owns one read-write database handle for its lifetime.  Files are
 * indexed in atomic batches of INDEX_BUILD_BATCH (or of the size set with
 * index_build_set_batch()); every notmuch status is checked, and a failed
 * call leaves the builder unusable (close it, or free it to discard the
 * batch in progress).  A batch that has ended is durable: when the
 * config's database.autocommit is not 1, the handle is closed and reopened
 * to commit it, since libnotmuch otherwise keeps ended atomic sections in
 * memory until thousands have accumulated.
 *
 * Ownership: the builder is a talloc child of the ctx passed to
 * index_build_create() or index_build_open(); freeing it without
 * index_build_close() destroys the handle and discards the uncommitted
 * batch.  Strings returned through out-parameters are children of the ctx
 * passed to the call; error strings are owned by the builder
 * (index_build_last_error) or are children of the ctx passed.
 */
#ifndef TRAWL_INDEX_BUILD_H
#define TRAWL_INDEX_BUILD_H

#include <stdbool.h>
#include <time.h>
#include <talloc.h>

#include "trawl/status.h"

typedef struct index_build index_build_t;

/* Files indexed per begin_atomic/end_atomic section. */
#define INDEX_BUILD_BATCH 500

/*
 * Writes a notmuch config for a cache at path (which must not exist):
 * database.path=db_path, no tags on new mail, nothing excluded from
 * searches, maildir flags left alone (so files are never renamed), and
 * database.autocommit=1 (each atomic section is committed when it ends).
 * title names the cache in the file's first comment ("demo cache").
 * db_path must not hold control characters or backslashes, which a key
 * file cannot carry as such.  Returns TRAWL_OK, TRAWL_IO with the path
 * and reason in *error (a child of ctx), or TRAWL_NOMEM.
 */
trawl_status_t index_build_write_config(TALLOC_CTX *ctx, const char *path, const char *db_path,
					const char *title, char **error);

/*
 * Creates a new database for the mail under db_path (the database goes in
 * db_path/.notmuch), reading the rest of the configuration from
 * config_path (which must exist; NULL or "" means none).  db_path wins over
 * the config's database.path, so a cache can be built in one place and
 * renamed to the path its config names.
 *
 * Returns TRAWL_OK and *out; TRAWL_EXISTS if a database is already there;
 * TRAWL_IO, TRAWL_DB... with the detail in *error (a child of ctx).
 */
trawl_status_t index_build_create(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
				  index_build_t **out, char **error);

/*
 * Opens the existing database under db_path read-write, to add to it
 * (config_path as for index_build_create).  libnotmuch 0.37 waits for
 * the write lock while another handle holds it (even one of this
 * process: never open a second builder on a database from the thread
 * holding the first).  Returns TRAWL_OK and *out; TRAWL_NO_DATABASE if
 * there is none; TRAWL_LOCKED if the lock cannot be had; TRAWL_READ_ONLY,
 * TRAWL_DB... with the detail in *error (a child of ctx).
 */
trawl_status_t index_build_open(TALLOC_CTX *ctx, const char *db_path, const char *config_path,
				index_build_t **out, char **error);

/*
 * Sets how many files make a batch; 0 means batches end only when
 * index_build_commit() is called, so the caller can make other writes
 * (tags, properties, config) part of the same atomic section.
 */
void index_build_set_batch(index_build_t *b, unsigned files);

/*
 * Indexes one file (an absolute path under db_path, or relative to it).
 * *is_duplicate (may be NULL) is set when the file's Message-ID was
 * already in the database: the file is then recorded as another copy of
 * that message.  A file that is not mail gives TRAWL_PARSE.  No tags are
 * added, and maildir flags are not read.
 */
trawl_status_t index_build_add_file(index_build_t *b, const char *path, bool *is_duplicate);

/* What notmuch made of a file just indexed (strings are children of the ctx passed). */
struct index_build_message {
	char *message_id; /* as notmuch stores it: without <>, or notmuch-sha1-... */
	char *from;       /* the From header, decoded ("" if none) */
	char *subject;    /* decoded ("" if none) */
	time_t date;      /* 0 if none or unparsable */
	bool duplicate;   /* the Message-ID was already indexed: the file is another copy */
};

/*
 * Like index_build_add_file(), and copies out what notmuch parsed.  A
 * file that is not mail gives TRAWL_PARSE and leaves the builder usable.
 */
trawl_status_t index_build_add_message(index_build_t *b, TALLOC_CTX *ctx, const char *path,
				       struct index_build_message *out);

/*
 * The id of the message one of whose files is path (absolute, or relative
 * to db_path), in *message_id; TRAWL_NOT_FOUND if the file is not indexed.
 * Sees the batch in progress.
 */
trawl_status_t index_build_find_file(index_build_t *b, TALLOC_CTX *ctx, const char *path,
				     char **message_id);

/*
 * The id of a message carrying the property key=value (the one with the
 * smallest document id, that is the first indexed, when several do);
 * TRAWL_NOT_FOUND if none.  Sees the batch in progress.
 */
trawl_status_t index_build_find_property(index_build_t *b, TALLOC_CTX *ctx, const char *key,
					 const char *value, char **message_id);

/* Adds a property value or a tag to the message message_id (part of the batch in progress). */
trawl_status_t index_build_add_property(index_build_t *b, const char *message_id, const char *key,
					const char *value);
trawl_status_t index_build_add_tag(index_build_t *b, const char *message_id, const char *tag);

/*
 * The files of message_id but its derived ones (index.h), in notmuch's order (a talloc array of paths,
 * children of ctx); TRAWL_NOT_FOUND if there is no such message.  Sees
 * the batch in progress.
 */
trawl_status_t index_build_message_files(index_build_t *b, TALLOC_CTX *ctx, const char *message_id,
					 char ***paths, size_t *n);

/*
 * The database's mail root (database.mail_root): derived files
 * (index.h) lie under MAIL_ROOT/INDEX_DERIVED_DIR.  Owned by the builder.
 */
const char *index_build_mail_root(const index_build_t *b);

/*
 * Removes the file path (absolute, or relative to the mail root) from its
 * message, as part of the batch in progress; the message stays while it
 * has other files.  libnotmuch 0.37 keeps the terms the file brought
 * until the message is indexed again: call index_build_reindex() after.
 * The file itself is not touched.
 */
trawl_status_t index_build_remove_file(index_build_t *b, const char *path);

/*
 * Indexes every file of message_id again (notmuch_message_reindex):
 * terms of files removed go, tags and properties stay.
 */
trawl_status_t index_build_reindex(index_build_t *b, const char *message_id);

/*
 * Gives message_id the tag (on) or takes it away (!on), as part of the
 * batch in progress; a message that already is so is not written.
 * *changed (may be NULL) says whether it was.
 */
trawl_status_t index_build_set_tag(index_build_t *b, const char *message_id, const char *tag,
				   bool on, bool *changed);

/*
 * The database config value key ("" if unset), in *value; and setting it
 * (part of the batch in progress, so it commits atomically with it).
 */
trawl_status_t index_build_get_config(index_build_t *b, TALLOC_CTX *ctx, const char *key,
				      char **value);
trawl_status_t index_build_set_config(index_build_t *b, const char *key, const char *value);

/* Ends the batch in progress, if any, so that what was added is durable. */
trawl_status_t index_build_commit(index_build_t *b);

/*
 * Commits and closes the database.  The builder stays allocated (free it
 * with talloc_free) but accepts no more files.
 */
trawl_status_t index_build_close(index_build_t *b);

/* Files added and how many of them were duplicates. */
unsigned index_build_files(const index_build_t *b);
unsigned index_build_duplicates(const index_build_t *b);

/* The detail of the last failure ("" if none). */
const char *index_build_last_error(const index_build_t *b);

#endif
