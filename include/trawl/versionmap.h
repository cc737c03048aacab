/*
 * versionmap: the versions of the messages the panes show, read in the
 * background.  For each thread asked for, a child process (bg.h) asks
 * the index which of its messages have several files and hashes those
 * files (versions.h: the files themselves, never the database, say what
 * differs); the UI never waits for it.  Results stay for the session: on
 * each commit the feed reports (one may add a file: notmuch new, trawl
 * import) they are marked stale, still shown, and read again when next
 * asked for, taking the hashes of files whose identity (device, inode,
 * size, times) has not changed from the cache instead of reading them.
 * A child starts once the panes have stopped asking for a moment (a page
 * key held down does not fork a child a page).
 *
 * It also keeps which files of each message the reviewer has had on
 * screen in this session (versionmap_seen()), for the question asked
 * when a message with several versions is marked reviewed.
 *
 * Ownership: a talloc object; what it returns is its own, valid until
 * the next versionmap_poll() or versionmap_read_now().
 */
#ifndef TRAWL_VERSIONMAP_H
#define TRAWL_VERSIONMAP_H

#include <stddef.h>

#include "trawl/feed.h"
#include "trawl/index.h"
#include "trawl/versions.h"

/* Threads one child reads at most. */
#define VERSIONMAP_BATCH 64

struct versionmap;

/* A map reading idx; NULL on out-of-memory. */
struct versionmap *versionmap_new(TALLOC_CTX *ctx, index_t *idx);

/* Marks every result stale on each commit the feed reports (until vm is freed). */
void versionmap_follow(struct versionmap *vm, struct feed *feed);

/* Asks for the threads: those not read yet, or stale, are read in the background. */
void versionmap_want(struct versionmap *vm, char *const *thread_ids, size_t n);

/* Takes what the child sent and starts the next; nonzero when results arrived. */
int versionmap_poll(struct versionmap *vm);

/* The child's fd, or -1. */
int versionmap_fd(const struct versionmap *vm);

/* Threads asked for and not read yet (being read or waiting). */
size_t versionmap_pending(const struct versionmap *vm);

/* Changes whenever results arrive. */
unsigned versionmap_serial(const struct versionmap *vm);

/*
 * Reads thread_id in this process, now (for a command that cannot wait
 * for the child); the detail of a failure in index_last_error().
 */
trawl_status_t versionmap_read_now(struct versionmap *vm, const char *thread_id);

/* Whether thread_id was read (it may be stale since). */
int versionmap_known(const struct versionmap *vm, const char *thread_id);

/* The versions of message_id if it has several files and was read; NULL otherwise. */
const struct versions *versionmap_message(const struct versionmap *vm, const char *message_id);

/*
 * The messages of thread_id with several files, as read (*n of them; the
 * array is the map's own).  NULL with *n 0 when none or not read.
 */
const struct versions *const *versionmap_thread(const struct versionmap *vm, const char *thread_id,
                                                size_t *n);

/*
 * The thread list's mark for thread_id: the summary of its message with
 * the most versions ("3 files, 2 versions"), with " (+N)" when N more of
 * its messages have several files; NULL when none has or it was not read.
 */
const char *versionmap_thread_mark(const struct versionmap *vm, const char *thread_id);

/* The reviewer had path (a file of message_id) on screen. */
void versionmap_seen(struct versionmap *vm, const char *message_id, const char *path);

/* Whether a file of version (1-based) of v was on screen. */
int versionmap_version_seen(const struct versionmap *vm, const struct versions *v, int version);

#endif
