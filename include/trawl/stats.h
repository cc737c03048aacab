/*
 * stats: what a query holds, seen whole: messages per day (and how many
 * of them are reviewed), the top senders, recipients, sender domains and
 * sender -> recipient pairs (each with its unreviewed count and its most
 * frequent display name), and facets: tags, attachment types, folders.
 * The timeline and correspondents panes (view-timeline.c, view-people.c)
 * and `trawl stats` (stats-cli.c) show it; each item carries the query
 * term that narrows to it.
 *
 * Everything comes from the index, counted in a background child (bg.h)
 * that streams snapshots, so the panes show partial results at once and
 * nobody waits: dates and senders from notmuch's value slots (index_scan),
 * recipients from the address book beside the database (addrbook.h; a
 * message not in it yet has its header block read once, after everything
 * else is shown), facets from counts.  The child scans the query three
 * times, one value each (the dates, so the timeline is complete first,
 * then the senders, then the Message-IDs that find the recipients), each
 * time the reviewed messages then the others, so no message is read twice
 * for one value.
 * A child that dies (libnotmuch 0.37 aborts readers when another process
 * commits during a long iteration) is started again, keeping the last
 * snapshot on screen meanwhile.  Following the change feed, a commit
 * starts the count again, at most once a second.
 *
 * Addresses are grouped case-insensitively (shown in lower case); days are
 * local days, as notmuch's date: prefix reads them.  Strings from mail are
 * cut to STATS_MAX_STRING bytes (on a character boundary) but NOT
 * neutralised: views and the CLI pass them through the text module.
 *
 * Ownership: the model is a talloc object; a snapshot (days, items) is
 * replaced as a whole when the next one is complete, so pointers into it
 * are valid until the next stats_poll().
 */
#ifndef TRAWL_STATS_H
#define TRAWL_STATS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "trawl/feed.h"
#include "trawl/index.h"

/* Items kept per list by default. */
#define STATS_TOP 100
/* Bytes kept of a name or address from mail. */
#define STATS_MAX_STRING 512
/* Restarts of a child that died before the count may give up. */
#define STATS_MAX_RESTARTS 5

#define STATS_LIST_LIST(X)                                        \
	X(SENDERS, "senders", "Senders")                          \
	X(RECIPIENTS, "recipients", "Recipients (To/Cc/Bcc)")     \
	X(DOMAINS, "domains", "Sender domains")                   \
	X(PAIRS, "pairs", "Sender \u2192 recipient")              \
	X(TAGS, "tags", "Tags")                                   \
	X(MIMETYPES, "mimetypes", "Attachment types")             \
	X(FOLDERS, "folders", "Folders")                          \
	X(YEARS, "years", "Years")

enum stats_list {
#define STATS_LIST_ENUM(id, key, title) STATS_##id,
	STATS_LIST_LIST(STATS_LIST_ENUM)
#undef STATS_LIST_ENUM
	STATS_LIST_COUNT
};

/* "senders", ... (JSON keys) and "Senders", ... (titles). */
const char *stats_list_key(enum stats_list l);
const char *stats_list_title(enum stats_list l);

struct stats_item {
	char *key;    /* address (lower case), domain, tag, MIME type, folder ("" the top), year */
	char *name;   /* the most frequent display name, "" if none */
	char *key2;   /* pairs: the recipient's address; else "" */
	char *name2;  /* pairs: the recipient's name; else "" */
	unsigned long total, unreviewed;
	char *query;  /* the term that narrows to it: from:"a@b", to:..., tag:..., date:Y..Y */
};

/* Messages of one local day; day counts days since 1970-01-01. */
struct stats_day {
	long day;
	unsigned long total, reviewed;
};

enum stats_state {
	STATS_COUNTING,
	STATS_DONE,
	STATS_ERROR,
};

struct stats {
	index_t *idx;
	char *query;
	enum stats_state state;
	/* The last complete snapshot: */
	char *phase;              /* what the child was doing: "dates", "senders", "recipients",
				   * "facets", "headers" (reading recipients from files), "done" */
	double progress;          /* 0 to 1 over the whole count */
	long messages;            /* the query's messages, -1 until known */
	long reviewed;            /* of them reviewed, -1 until known */
	unsigned long scanned;    /* messages counted so far */
	unsigned long undated;    /* messages without a date (date 0), in no day */
	unsigned long rcpt_missing; /* messages whose recipients are still to read */
	struct stats_day *days;   /* sorted by day, days without messages left out */
	size_t n_days;
	struct stats_item *items[STATS_LIST_COUNT];
	size_t n_items[STATS_LIST_COUNT];
	unsigned serial;          /* changes with every snapshot taken */
	int stale;                /* a commit came: counting again (the snapshot is older) */
	char *error;              /* STATS_ERROR: why */
	char *notice;             /* "" or a note such as "restarted after a crash" */
	struct stats_run *run;    /* stats.c's: the child, restarts, the snapshot being received */
};

/*
 * Starts counting query (top items per list, 0 for STATS_TOP).  Aborts on
 * out-of-memory; a child that cannot start sets STATS_ERROR.
 */
struct stats *stats_new(TALLOC_CTX *ctx, index_t *idx, const char *query, size_t top);

/* Counts again on every commit the feed reports (at most once a second). */
void stats_follow(struct stats *st, struct feed *feed);

/* Takes what the child sent (at most max_bytes); nonzero when the model changed. */
int stats_poll(struct stats *st, size_t max_bytes);

/* The child's fd, or -1 when none runs. */
int stats_fd(const struct stats *st);

/* The child's pid, or -1 (tests kill it; TRAWL_TEST_STATS_DELAY_US slows its scan per message). */
pid_t stats_child_pid(const struct stats *st);

/* ------------------------------------------------------------ periods */

enum stats_by {
	STATS_BY_DAY,
	STATS_BY_WEEK, /* ISO weeks, from Monday */
	STATS_BY_MONTH,
	STATS_BY_YEAR,
};

/* "day", "week", "month", "year"; parsing returns -1 for another word. */
const char *stats_by_name(enum stats_by by);
int stats_by_parse(const char *word);

/* A period of the timeline: its first day and its counts. */
struct stats_period {
	long first;  /* its first day (days since 1970-01-01) */
	unsigned long total, reviewed;
};

/*
 * The periods from the first message's to the last one's, every one of
 * them, empty ones included (silence is evidence too); a talloc array
 * (child of ctx).  *peak (may be NULL) receives the index of the fullest.
 */
struct stats_period *stats_periods(TALLOC_CTX *ctx, const struct stats *st, enum stats_by by,
				   size_t *n, size_t *peak);

/* The label of the period starting on day: "2016-03-07", "2016-W10", "2016-03", "2016". */
char *stats_period_label(TALLOC_CTX *ctx, enum stats_by by, long first);

/* The query term of that period: date:2016-03..2016-03 and so on. */
char *stats_period_query(TALLOC_CTX *ctx, enum stats_by by, long first);

/* The finest of day, week, month, year whose periods number at most width (year if none). */
enum stats_by stats_by_fit(const struct stats *st, int width);

/* Civil date of a day number, and back (proleptic Gregorian). */
void stats_civil(long day, int *y, int *m, int *d);
long stats_day_of(int y, int m, int d);

#endif
