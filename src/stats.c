/*
 * stats: a query seen whole.  See include/trawl/stats.h.
 *
 * The child (stats_child) counts and sends snapshots over its pipe:
 *
 *   B  "PHASE DONE OF MESSAGES REVIEWED SCANNED UNDATED MISSING": a snapshot begins
 *   D  the days: an array of struct stats_wire_day
 *   I  one item: a list byte, "TOTAL UNREVIEWED", then five NUL-terminated
 *      strings: key, name, key2, name2, query
 *   E  the snapshot is complete
 *   X  an error that ends the count (a bad query): its text
 *
 * The parent builds the snapshot it receives apart and swaps it in on E,
 * so the panes never show half of one.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trawl/addrbook.h"
#include "trawl/bg.h"
#include "trawl/render.h"
#include "trawl/stats.h"
#include "trawl/util.h"

/* Seconds between two snapshots the child sends, and before the first. */
#define STATS_SNAPSHOT_INTERVAL 0.25
#define STATS_FIRST_SNAPSHOT 0.1
/* Seconds between two counts started by commits. */
#define STATS_RESTART_INTERVAL 1.0
/* Seconds between two saves of the address book while recipients are read. */
#define STATS_SAVE_INTERVAL 10.0
/* Display names remembered per address (the most frequent wins). */
#define STATS_MAX_NAMES 8
/* Tags and folders counted at most. */
#define STATS_MAX_FACETS 1000
/* Periods a timeline holds at most (days over centuries of hostile dates do not fit). */
#define STATS_MAX_PERIODS 200000

/*
 * Attachment types counted: notmuch indexes each part's type as words of
 * the mimetype: prefix, which libnotmuch cannot list, so the common types
 * of documents, archives, images and mail are asked for one by one.
 */
static const char *const stats_mimetypes[] = {
	"application/pdf",
	"application/msword",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/rtf",
	"text/csv",
	"text/calendar",
	"text/vcard",
	"text/x-vcard",
	"application/zip",
	"application/x-zip-compressed",
	"application/x-rar-compressed",
	"application/x-7z-compressed",
	"application/gzip",
	"application/x-tar",
	"application/octet-stream",
	"application/vnd.ms-outlook",
	"application/ms-tnef",
	"application/pkcs7-signature",
	"application/pkcs7-mime",
	"application/pgp-signature",
	"application/pgp-encrypted",
	"message/rfc822",
	"image/jpeg",
	"image/png",
	"image/gif",
	"image/tiff",
	"image/bmp",
	"image/svg+xml",
	"audio/mpeg",
	"audio/wav",
	"video/mp4",
	"video/quicktime",
};

struct stats_wire_day {
	int64_t day;
	uint64_t total, reviewed;
};

static const char *const stats_list_keys[] = {
#define STATS_LIST_KEY(id, key, title) [STATS_##id] = key,
	STATS_LIST_LIST(STATS_LIST_KEY)
#undef STATS_LIST_KEY
};

static const char *const stats_list_titles[] = {
#define STATS_LIST_TITLE(id, key, title) [STATS_##id] = title,
	STATS_LIST_LIST(STATS_LIST_TITLE)
#undef STATS_LIST_TITLE
};

const char *
stats_list_key(enum stats_list l)
{
	return l < STATS_LIST_COUNT ? stats_list_keys[l] : "";
}

const char *
stats_list_title(enum stats_list l)
{
	return l < STATS_LIST_COUNT ? stats_list_titles[l] : "";
}

static double
stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
stats_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* s cut to at most max bytes on a UTF-8 character boundary (a child of ctx). */
static char *
stats_cut(TALLOC_CTX *ctx, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return talloc_strdup(ctx, s);
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return talloc_strndup(ctx, s, n);
}

/* ------------------------------------------------------------ days */

long
stats_day_of(int y, int m, int d)
{
	long yy = (long)y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
stats_civil(long day, int *y, int *m, int *d)
{
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static long
stats_floor_mod(long a, long b)
{
	long r = a % b;

	return r < 0 ? r + b : r;
}

/* The first day of the period holding day. */
static long
stats_period_start(enum stats_by by, long day)
{
	int y, m, d;

	switch (by) {
	case STATS_BY_DAY:
		return day;
	case STATS_BY_WEEK: /* 1970-01-01 was a Thursday: Monday is 0 */
		return day - stats_floor_mod(day + 3, 7);
	case STATS_BY_MONTH:
		stats_civil(day, &y, &m, &d);
		return stats_day_of(y, m, 1);
	case STATS_BY_YEAR:
	default:
		stats_civil(day, &y, &m, &d);
		return stats_day_of(y, 1, 1);
	}
}

/* The first day of the period after the one starting on first. */
static long
stats_period_next(enum stats_by by, long first)
{
	int y, m, d;

	switch (by) {
	case STATS_BY_DAY:
		return first + 1;
	case STATS_BY_WEEK:
		return first + 7;
	case STATS_BY_MONTH:
		stats_civil(first, &y, &m, &d);
		return m == 12 ? stats_day_of(y + 1, 1, 1) : stats_day_of(y, m + 1, 1);
	case STATS_BY_YEAR:
	default:
		stats_civil(first, &y, &m, &d);
		return stats_day_of(y + 1, 1, 1);
	}
}

/* How many periods lie between the first and last days (inclusive), without listing them. */
static long
stats_period_count(enum stats_by by, long first, long last)
{
	int y0, m0, d0, y1, m1, d1;

	stats_civil(first, &y0, &m0, &d0);
	stats_civil(last, &y1, &m1, &d1);
	switch (by) {
	case STATS_BY_DAY:
		return last - first + 1;
	case STATS_BY_WEEK:
		return (stats_period_start(by, last) - stats_period_start(by, first)) / 7 + 1;
	case STATS_BY_MONTH:
		return ((long)y1 * 12 + m1) - ((long)y0 * 12 + m0) + 1;
	case STATS_BY_YEAR:
	default:
		return (long)y1 - y0 + 1;
	}
}

static const char *const stats_by_names[] = {"day", "week", "month", "year"};

const char *
stats_by_name(enum stats_by by)
{
	return (unsigned)by < 4 ? stats_by_names[by] : "month";
}

int
stats_by_parse(const char *word)
{
	for (int i = 0; i < 4; i++)
		if (word && !strcmp(word, stats_by_names[i]))
			return i;
	return -1;
}

struct stats_period *
stats_periods(TALLOC_CTX *ctx, const struct stats *st, enum stats_by by, size_t *n, size_t *peak)
{
	struct stats_period *v;
	long count;
	size_t k = 0, best = 0;

	*n = 0;
	if (peak)
		*peak = 0;
	if (!st->n_days)
		return NULL;
	count = stats_period_count(by, st->days[0].day, st->days[st->n_days - 1].day);
	if (count <= 0 || count > STATS_MAX_PERIODS)
		return NULL;
	v = talloc_zero_array(ctx, struct stats_period, (size_t)count);
	if (!v)
		return NULL;
	v[0].first = stats_period_start(by, st->days[0].day);
	for (size_t i = 0; i < st->n_days; i++) {
		long start = stats_period_start(by, st->days[i].day);

		while (v[k].first < start && k + 1 < (size_t)count) {
			v[k + 1].first = stats_period_next(by, v[k].first);
			k++;
		}
		v[k].total += st->days[i].total;
		v[k].reviewed += st->days[i].reviewed;
	}
	*n = k + 1;
	for (size_t i = 0; i < *n; i++)
		if (v[i].total > v[best].total)
			best = i;
	if (peak)
		*peak = best;
	return v;
}

char *
stats_period_label(TALLOC_CTX *ctx, enum stats_by by, long first)
{
	int y, m, d;

	stats_civil(first, &y, &m, &d);
	switch (by) {
	case STATS_BY_DAY:
		return talloc_asprintf(ctx, "%04d-%02d-%02d", y, m, d);
	case STATS_BY_WEEK: {
		/* ISO 8601: the week belongs to the year of its Thursday. */
		int ty, tm, td;
		long thursday = first + 3;

		stats_civil(thursday, &ty, &tm, &td);
		return talloc_asprintf(ctx, "%04d-W%02ld", ty,
				       (thursday - stats_day_of(ty, 1, 1)) / 7 + 1);
	}
	case STATS_BY_MONTH:
		return talloc_asprintf(ctx, "%04d-%02d", y, m);
	case STATS_BY_YEAR:
	default:
		return talloc_asprintf(ctx, "%04d", y);
	}
}

char *
stats_period_query(TALLOC_CTX *ctx, enum stats_by by, long first)
{
	int y, m, d, y2, m2, d2;

	stats_civil(first, &y, &m, &d);
	switch (by) {
	case STATS_BY_DAY:
		return talloc_asprintf(ctx, "date:%04d-%02d-%02d..%04d-%02d-%02d", y, m, d, y, m, d);
	case STATS_BY_WEEK:
		stats_civil(first + 6, &y2, &m2, &d2);
		return talloc_asprintf(ctx, "date:%04d-%02d-%02d..%04d-%02d-%02d", y, m, d, y2, m2,
				       d2);
	case STATS_BY_MONTH:
		return talloc_asprintf(ctx, "date:%04d-%02d..%04d-%02d", y, m, y, m);
	case STATS_BY_YEAR:
	default:
		return talloc_asprintf(ctx, "date:%04d..%04d", y, y);
	}
}

enum stats_by
stats_by_fit(const struct stats *st, int width)
{
	if (!st->n_days)
		return STATS_BY_MONTH;
	for (int by = STATS_BY_DAY; by < STATS_BY_YEAR; by++)
		if (stats_period_count(by, st->days[0].day, st->days[st->n_days - 1].day) <= width)
			return by;
	return STATS_BY_YEAR;
}

/* ------------------------------------------------------------ child: tables */

/* An open-addressing table from a 64-bit hash (and, for strings, the string) to an index. */
struct stats_map {
	struct stats_slot {
		uint64_t hash;
		uint32_t val; /* index + 1; 0: empty */
	} *slots;
	size_t n_slots, n;
};

/* The slot for hash among the used ones matching eq(ud, val), or the empty one to fill. */
static struct stats_slot *
stats_map_slot(struct stats_map *m, uint64_t hash, int (*eq)(void *ud, uint32_t val, const void *key),
	       void *ud, const void *key)
{
	size_t mask = m->n_slots - 1;

	for (size_t s = hash & mask;; s = (s + 1) & mask) {
		struct stats_slot *sl = &m->slots[s];

		if (!sl->val || (sl->hash == hash && (!eq || eq(ud, sl->val - 1, key))))
			return sl;
	}
}

static void
stats_map_grow(TALLOC_CTX *ctx, struct stats_map *m)
{
	size_t n = m->n_slots ? m->n_slots * 2 : 1024;
	struct stats_slot *slots;

	if ((m->n + 1) * 2 <= m->n_slots)
		return;
	slots = talloc_zero_array(ctx, struct stats_slot, n);
	if (!slots)
		abort(); /* the child: nothing to save */
	for (size_t i = 0; i < m->n_slots; i++) {
		size_t s;

		if (!m->slots[i].val)
			continue;
		for (s = m->slots[i].hash & (n - 1); slots[s].val; s = (s + 1) & (n - 1))
			;
		slots[s] = m->slots[i];
	}
	talloc_free(m->slots);
	m->slots = slots;
	m->n_slots = n;
}

struct stats_name {
	char *name;
	const char *src; /* the string it was last counted from */
	unsigned long count;
};

struct stats_addr {
	char *addr;                 /* lower case */
	uint32_t domain;            /* index + 1 in domains, 0 none */
	unsigned long s_total, s_unrev, r_total, r_unrev;
	struct stats_name names[STATS_MAX_NAMES];
	unsigned n_names;
	uint64_t stamp;             /* the message that last counted it */
};

struct stats_domain {
	char *domain;
	unsigned long total, unrev;
	uint64_t stamp;
};

struct stats_pair {
	uint32_t s, r;
	unsigned long total, unrev;
};

struct stats_cday {
	long day;
	unsigned long total, reviewed;
};

/* A From value, parsed once: the addresses it names. */
struct stats_from {
	char *text;
	uint32_t *ids;
	size_t n;
};

/* A message whose recipients are not in the address book yet. */
struct stats_missing {
	char *id;
	uint32_t *senders;
	size_t n_senders;
	int reviewed;
};

/* A facet item, counted once per run. */
struct stats_facet {
	enum stats_list list;
	char *key, *query;
	unsigned long total, unrev;
};

struct stats_child {
	TALLOC_CTX *ctx;
	bg_writer_t *w;
	index_t *idx;
	struct addrbook *ab;
	const char *query;
	size_t top;
	double next_snapshot, last_save;
	int reviewed_pass;            /* the set being scanned: 1 the reviewed messages, 0 the others */
	uint32_t *from_of[2];         /* per set, each message's From (index in froms), by position */
	size_t n_from_of[2], cap_from_of[2];
	uint64_t stamp;
	/* progress */
	const char *phase;
	unsigned long done, of;
	long messages, reviewed;
	unsigned long scanned, undated;
	/* tables */
	struct stats_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct stats_map addr_map;
	struct stats_domain *domains;
	size_t n_domains, cap_domains;
	struct stats_map domain_map;
	struct stats_pair *pairs;
	size_t n_pairs, cap_pairs;
	struct stats_map pair_map;
	struct stats_cday *days;
	size_t n_days, cap_days;
	struct stats_map day_map;
	struct stats_from *froms;
	size_t n_froms, cap_froms;
	struct stats_map from_map;
	struct stats_missing *missing;
	size_t n_missing, cap_missing;
	struct stats_facet *facets;
	size_t n_facets, cap_facets;
	const char **ptr_keys; /* recipients' address strings seen, by pointer (stats_rcpt_id) */
	uint32_t *ptr_ids;
	size_t n_ptrs, cap_ptrs;
	struct stats_map ptr_map;
	uint32_t rcpt_buf[ADDRBOOK_MAX_RCPTS];
	useconds_t delay_us;
};

/* Grows a child array to hold one more element (aborting on out-of-memory: it is the child). */
#define STATS_PUSH(sc, arr, n, cap)                                                       \
	do {                                                                              \
		if ((n) == (cap)) {                                                       \
			(cap) = (cap) ? (cap) * 2 : 256;                                  \
			(arr) = talloc_realloc_size((sc)->ctx, (arr), (cap) * sizeof(*(arr))); \
			if (!(arr))                                                       \
				abort();                                                  \
		}                                                                         \
	} while (0)

static int
stats_addr_eq(void *ud, uint32_t val, const void *key)
{
	return !strcmp(((struct stats_child *)ud)->addrs[val].addr, key);
}

static int
stats_domain_eq(void *ud, uint32_t val, const void *key)
{
	return !strcmp(((struct stats_child *)ud)->domains[val].domain, key);
}

static int
stats_from_eq(void *ud, uint32_t val, const void *key)
{
	return !strcmp(((struct stats_child *)ud)->froms[val].text, key);
}

static int
stats_pair_eq(void *ud, uint32_t val, const void *key)
{
	const struct stats_pair *p = &((struct stats_child *)ud)->pairs[val];
	const uint32_t *k = key;

	return p->s == k[0] && p->r == k[1];
}

static int
stats_day_eq(void *ud, uint32_t val, const void *key)
{
	return ((struct stats_child *)ud)->days[val].day == *(const long *)key;
}

static uint32_t
stats_domain_id(struct stats_child *sc, const char *addr)
{
	const char *at = strrchr(addr, '@');
	struct stats_slot *sl;
	uint64_t h;

	if (!at || !at[1])
		return 0;
	at++;
	h = util_hash(at, strlen(at));
	stats_map_grow(sc->ctx, &sc->domain_map);
	sl = stats_map_slot(&sc->domain_map, h, stats_domain_eq, sc, at);
	if (!sl->val) {
		STATS_PUSH(sc, sc->domains, sc->n_domains, sc->cap_domains);
		memset(&sc->domains[sc->n_domains], 0, sizeof(sc->domains[0]));
		sc->domains[sc->n_domains].domain = talloc_strdup(sc->ctx, at);
		sl->hash = h;
		sl->val = (uint32_t)++sc->n_domains;
		sc->domain_map.n++;
	}
	return sl->val;
}

/* Counts one more use of name (if not empty) for the address. */
static void
stats_addr_name(struct stats_child *sc, struct stats_addr *a, const char *name)
{
	unsigned k;

	if (!name || !*name)
		return;
	/* The address book interns its strings: the same name is mostly the same pointer. */
	for (k = 0; k < a->n_names; k++)
		if (a->names[k].src == name || !strcmp(a->names[k].name, name))
			break;
	if (k == a->n_names && k < STATS_MAX_NAMES) {
		a->names[k].name = stats_cut(sc->ctx, name, STATS_MAX_STRING);
		a->names[k].count = 0;
		a->n_names++;
	}
	if (k < a->n_names) {
		a->names[k].src = name;
		a->names[k].count++;
	}
}

/* The address's index (made on first sight), its display name counted when name is not empty. */
static uint32_t
stats_addr_id(struct stats_child *sc, const char *raw, const char *name)
{
	char addr[STATS_MAX_STRING + 1];
	struct stats_slot *sl;
	struct stats_addr *a;
	size_t len = strnlen(raw, STATS_MAX_STRING);
	uint64_t h;

	/* Cut on a character boundary, lower case (ASCII: what mail systems fold). */
	if (raw[len])
		while (len > 0 && ((unsigned char)raw[len] & 0xc0) == 0x80)
			len--;
	for (size_t i = 0; i < len; i++)
		addr[i] = (char)tolower((unsigned char)raw[i]);
	addr[len] = '\0';
	h = util_hash(addr, len);
	stats_map_grow(sc->ctx, &sc->addr_map);
	sl = stats_map_slot(&sc->addr_map, h, stats_addr_eq, sc, addr);
	if (!sl->val) {
		STATS_PUSH(sc, sc->addrs, sc->n_addrs, sc->cap_addrs);
		a = &sc->addrs[sc->n_addrs];
		memset(a, 0, sizeof(*a));
		a->addr = talloc_strndup(sc->ctx, addr, len);
		if (!a->addr)
			abort();
		a->domain = stats_domain_id(sc, a->addr);
		sl->hash = h;
		sl->val = (uint32_t)++sc->n_addrs;
		sc->addr_map.n++;
	}
	a = &sc->addrs[sl->val - 1];
	stats_addr_name(sc, a, name);
	return sl->val - 1;
}

static int
stats_ptr_eq(void *ud, uint32_t val, const void *key)
{
	return ((struct stats_child *)ud)->ptr_keys[val] == key;
}

/*
 * A recipient's address index.  The address book's strings stay put while
 * it is open, so each is lowered and hashed once, then found by pointer.
 */
static uint32_t
stats_rcpt_id(struct stats_child *sc, const struct addrbook_rcpt *r)
{
	uint64_t h = stats_mix((uint64_t)(uintptr_t)r->addr);
	struct stats_slot *sl;
	uint32_t id;

	stats_map_grow(sc->ctx, &sc->ptr_map);
	sl = stats_map_slot(&sc->ptr_map, h, stats_ptr_eq, sc, r->addr);
	if (sl->val) {
		id = sc->ptr_ids[sl->val - 1];
		stats_addr_name(sc, &sc->addrs[id], r->name);
		return id;
	}
	id = stats_addr_id(sc, r->addr, r->name);
	STATS_PUSH(sc, sc->ptr_keys, sc->n_ptrs, sc->cap_ptrs);
	sc->ptr_ids = talloc_realloc(sc->ctx, sc->ptr_ids, uint32_t, sc->cap_ptrs);
	if (!sc->ptr_ids)
		abort();
	sc->ptr_keys[sc->n_ptrs] = r->addr;
	sc->ptr_ids[sc->n_ptrs] = id;
	sl->hash = h;
	sl->val = (uint32_t)++sc->n_ptrs;
	sc->ptr_map.n++;
	return id;
}

/* The senders of a From value (parsed once per distinct value). */
static const struct stats_from *
stats_from_of(struct stats_child *sc, const char *text)
{
	uint64_t h = util_hash(text, strlen(text));
	struct stats_slot *sl;
	struct stats_from *f;
	struct render_address *v;
	size_t n;

	stats_map_grow(sc->ctx, &sc->from_map);
	sl = stats_map_slot(&sc->from_map, h, stats_from_eq, sc, text);
	if (sl->val)
		return &sc->froms[sl->val - 1];
	STATS_PUSH(sc, sc->froms, sc->n_froms, sc->cap_froms);
	f = &sc->froms[sc->n_froms];
	memset(f, 0, sizeof(*f));
	f->text = talloc_strdup(sc->ctx, text);
	if (render_parse_addresses(sc->ctx, text, 16, &v, &n) == TRAWL_OK && n) {
		f->ids = talloc_array(sc->ctx, uint32_t, n);
		for (size_t i = 0; f->ids && i < n; i++) {
			uint32_t id;
			size_t k;

			if (!*v[i].addr)
				continue;
			id = stats_addr_id(sc, v[i].addr, v[i].name);
			/* The same address twice in one From counts once. */
			for (k = 0; k < f->n && f->ids[k] != id; k++)
				;
			if (k == f->n)
				f->ids[f->n++] = id;
		}
		talloc_free(v);
	}
	sl->hash = h;
	sl->val = (uint32_t)++sc->n_froms;
	sc->from_map.n++;
	return f;
}

static void
stats_count_day(struct stats_child *sc, time_t date)
{
	struct tm tm;
	long day;
	struct stats_slot *sl;
	uint64_t h;

	if (date == 0 || !localtime_r(&date, &tm)) {
		sc->undated++;
		return;
	}
	day = stats_day_of(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	h = stats_mix((uint64_t)day);
	stats_map_grow(sc->ctx, &sc->day_map);
	sl = stats_map_slot(&sc->day_map, h, stats_day_eq, sc, &day);
	if (!sl->val) {
		STATS_PUSH(sc, sc->days, sc->n_days, sc->cap_days);
		sc->days[sc->n_days] = (struct stats_cday){.day = day};
		sl->hash = h;
		sl->val = (uint32_t)++sc->n_days;
		sc->day_map.n++;
	}
	sc->days[sl->val - 1].total++;
	if (sc->reviewed_pass)
		sc->days[sl->val - 1].reviewed++;
}

static void
stats_count_senders(struct stats_child *sc, const uint32_t *ids, size_t n, int reviewed)
{
	sc->stamp++;
	for (size_t i = 0; i < n; i++) {
		struct stats_addr *a = &sc->addrs[ids[i]];

		a->s_total++;
		a->s_unrev += !reviewed;
		if (a->domain && sc->domains[a->domain - 1].stamp != sc->stamp) {
			struct stats_domain *d = &sc->domains[a->domain - 1];

			d->stamp = sc->stamp;
			d->total++;
			d->unrev += !reviewed;
		}
	}
}

static void
stats_count_pair(struct stats_child *sc, uint32_t s, uint32_t r, int reviewed)
{
	uint32_t key[2] = {s, r};
	uint64_t h = stats_mix(((uint64_t)s << 32) | r);
	struct stats_slot *sl;

	stats_map_grow(sc->ctx, &sc->pair_map);
	sl = stats_map_slot(&sc->pair_map, h, stats_pair_eq, sc, key);
	if (!sl->val) {
		STATS_PUSH(sc, sc->pairs, sc->n_pairs, sc->cap_pairs);
		sc->pairs[sc->n_pairs] = (struct stats_pair){.s = s, .r = r};
		sl->hash = h;
		sl->val = (uint32_t)++sc->n_pairs;
		sc->pair_map.n++;
	}
	sc->pairs[sl->val - 1].total++;
	sc->pairs[sl->val - 1].unrev += !reviewed;
}

/* Counts a message's recipients, each address once, and its sender -> recipient pairs. */
static void
stats_count_rcpts(struct stats_child *sc, const uint32_t *senders, size_t n_senders,
		  const struct addrbook_rcpt *v, size_t n, int reviewed)
{
	size_t k = 0;

	sc->stamp++;
	for (size_t i = 0; i < n && k < ADDRBOOK_MAX_RCPTS; i++) {
		uint32_t id;

		if (!*v[i].addr)
			continue;
		id = stats_rcpt_id(sc, &v[i]);
		if (sc->addrs[id].stamp == sc->stamp)
			continue;
		sc->addrs[id].stamp = sc->stamp;
		sc->addrs[id].r_total++;
		sc->addrs[id].r_unrev += !reviewed;
		sc->rcpt_buf[k++] = id;
	}
	for (size_t s = 0; s < n_senders; s++)
		for (size_t r = 0; r < k; r++)
			stats_count_pair(sc, senders[s], sc->rcpt_buf[r], reviewed);
}

/* ------------------------------------------------------------ child: snapshots */

static void
stats_send_item(struct stats_child *sc, enum stats_list l, unsigned long total,
		unsigned long unrev, const char *key, const char *name, const char *key2,
		const char *name2, const char *query)
{
	char *rec = talloc_asprintf(NULL, "%c%lu %lu", (char)('0' + l), total, unrev);
	size_t len;
	const char *parts[5] = {key, name, key2, name2, query};

	if (!rec)
		abort();
	len = strlen(rec) + 1;
	for (int i = 0; i < 5; i++) {
		size_t pl = strlen(parts[i] ? parts[i] : "") + 1;

		rec = talloc_realloc(NULL, rec, char, len + pl);
		if (!rec)
			abort();
		memcpy(rec + len, parts[i] ? parts[i] : "", pl);
		len += pl;
	}
	bg_write(sc->w, 'I', rec, len);
	talloc_free(rec);
}

/* The most frequent display name of an address ("" if none). */
static const char *
stats_best_name(const struct stats_addr *a)
{
	const struct stats_name *best = NULL;

	for (unsigned k = 0; k < a->n_names; k++)
		if (!best || a->names[k].count > best->count)
			best = &a->names[k];
	return best ? best->name : "";
}

struct stats_rank {
	unsigned long total;
	const char *key, *key2;
	size_t i;
};

/* Whether a ranks before b: more messages, then by key (and second key). */
static int
stats_rank_before(const struct stats_rank *a, const struct stats_rank *b)
{
	int c;

	if (a->total != b->total)
		return a->total > b->total;
	c = strcmp(a->key, b->key);
	return c ? c < 0 : strcmp(a->key2, b->key2) < 0;
}

static int
stats_rank_cmp(const void *x, const void *y)
{
	return stats_rank_before(x, y) ? -1 : stats_rank_before(y, x) ? 1 : 0;
}

/* Sifts v[i] down the heap v[0..n) whose root ranks last. */
static void
stats_heap_down(struct stats_rank *v, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, last = i;
		struct stats_rank t;

		if (l < n && stats_rank_before(&v[last], &v[l]))
			last = l;
		if (r < n && stats_rank_before(&v[last], &v[r]))
			last = r;
		if (last == i)
			return;
		t = v[i];
		v[i] = v[last];
		v[last] = t;
		i = last;
	}
}

/*
 * The best top entries of v[0..n) with a nonzero count, best first, in
 * v[0..*out): a heap of the top, so a snapshot of a table of a million
 * pairs costs a pass, not a sort.
 */
static void
stats_select(struct stats_rank *v, size_t n, size_t top, size_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].total)
			v[k++] = v[i];
	if (k > top && top) {
		for (size_t i = top / 2; i-- > 0;)
			stats_heap_down(v, top, i);
		for (size_t i = top; i < k; i++)
			if (stats_rank_before(&v[i], &v[0])) {
				v[0] = v[i];
				stats_heap_down(v, top, 0);
			}
		k = top;
	}
	qsort(v, k, sizeof(*v), stats_rank_cmp);
	*out = k;
}

static void
stats_send_addrs(struct stats_child *sc, TALLOC_CTX *tmp, int as_sender)
{
	struct stats_rank *v = talloc_array(tmp, struct stats_rank, sc->n_addrs + 1);
	size_t n;

	if (!v)
		abort();
	for (size_t i = 0; i < sc->n_addrs; i++)
		v[i] = (struct stats_rank){as_sender ? sc->addrs[i].s_total : sc->addrs[i].r_total,
					   sc->addrs[i].addr, "", i};
	stats_select(v, sc->n_addrs, sc->top, &n);
	for (size_t k = 0; k < n; k++) {
		const struct stats_addr *a = &sc->addrs[v[k].i];

		stats_send_item(sc, as_sender ? STATS_SENDERS : STATS_RECIPIENTS, v[k].total,
				as_sender ? a->s_unrev : a->r_unrev, a->addr, stats_best_name(a), "",
				"", index_quote_term(tmp, as_sender ? "from" : "to", a->addr));
	}
}

static void
stats_send_domains(struct stats_child *sc, TALLOC_CTX *tmp)
{
	struct stats_rank *v = talloc_array(tmp, struct stats_rank, sc->n_domains + 1);
	size_t n;

	if (!v)
		abort();
	for (size_t i = 0; i < sc->n_domains; i++)
		v[i] = (struct stats_rank){sc->domains[i].total, sc->domains[i].domain, "", i};
	stats_select(v, sc->n_domains, sc->top, &n);
	for (size_t k = 0; k < n; k++) {
		const struct stats_domain *d = &sc->domains[v[k].i];

		stats_send_item(sc, STATS_DOMAINS, d->total, d->unrev, d->domain, "", "", "",
				index_quote_term(tmp, "from", d->domain));
	}
}

static void
stats_send_pairs(struct stats_child *sc, TALLOC_CTX *tmp)
{
	struct stats_rank *v = talloc_array(tmp, struct stats_rank, sc->n_pairs + 1);
	size_t n;

	if (!v)
		abort();
	for (size_t i = 0; i < sc->n_pairs; i++)
		v[i] = (struct stats_rank){sc->pairs[i].total, sc->addrs[sc->pairs[i].s].addr,
					   sc->addrs[sc->pairs[i].r].addr, i};
	stats_select(v, sc->n_pairs, sc->top, &n);
	for (size_t k = 0; k < n; k++) {
		const struct stats_pair *p = &sc->pairs[v[k].i];
		const struct stats_addr *s = &sc->addrs[p->s], *r = &sc->addrs[p->r];
		char *q = talloc_asprintf(tmp, "%s and %s", index_quote_term(tmp, "from", s->addr),
					  index_quote_term(tmp, "to", r->addr));

		stats_send_item(sc, STATS_PAIRS, p->total, p->unrev, s->addr, stats_best_name(s),
				r->addr, stats_best_name(r), q);
	}
}

static int
stats_day_cmp(const void *x, const void *y)
{
	const struct stats_wire_day *a = x, *b = y;

	return a->day < b->day ? -1 : a->day > b->day;
}

/* Sends the whole state as one snapshot, and schedules the next. */
static void
stats_snapshot(struct stats_child *sc)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct stats_wire_day *days = talloc_array(tmp, struct stats_wire_day, sc->n_days + 1);
	char *head;
	double t0 = stats_now();

	if (!days)
		abort();
	head = talloc_asprintf(tmp, "%s %lu %lu %ld %ld %lu %lu %zu", sc->phase, sc->done, sc->of,
			       sc->messages, sc->reviewed, sc->scanned, sc->undated, sc->n_missing);
	bg_write(sc->w, 'B', head, strlen(head));
	for (size_t i = 0; i < sc->n_days; i++)
		days[i] = (struct stats_wire_day){sc->days[i].day, sc->days[i].total,
						  sc->days[i].reviewed};
	if (sc->n_days > 1)
		qsort(days, sc->n_days, sizeof(*days), stats_day_cmp);
	bg_write(sc->w, 'D', days, sc->n_days * sizeof(*days));
	stats_send_addrs(sc, tmp, 1);
	stats_send_addrs(sc, tmp, 0);
	stats_send_domains(sc, tmp);
	stats_send_pairs(sc, tmp);
	for (size_t i = 0; i < sc->n_facets; i++) {
		const struct stats_facet *f = &sc->facets[i];

		if (f->total)
			stats_send_item(sc, f->list, f->total, f->unrev, f->key, "", "", "", f->query);
	}
	bg_write(sc->w, 'E', "", 0);
	talloc_free(tmp);
	/* A snapshot of a big table costs: never spend more than a tenth of the time on them. */
	{
		double cost = stats_now() - t0, wait = STATS_SNAPSHOT_INTERVAL;

		if (cost * 10 > wait)
			wait = cost * 10;
		sc->next_snapshot = stats_now() + wait;
	}
}

static void
stats_maybe_snapshot(struct stats_child *sc)
{
	if (stats_now() >= sc->next_snapshot)
		stats_snapshot(sc);
}

/* ------------------------------------------------------------ child: passes */

/* Scan steps between two looks at the clock for a snapshot. */
#define STATS_CLOCK_EVERY 256

static void
stats_step(struct stats_child *sc)
{
	if (sc->delay_us) /* test hook: a slow scan, to be killed in the middle */
		usleep(sc->delay_us);
	if ((++sc->done % STATS_CLOCK_EVERY) == 0)
		stats_maybe_snapshot(sc);
}

static int
stats_on_date(void *ud, const struct index_scan_item *it)
{
	struct stats_child *sc = ud;

	sc->scanned++;
	stats_count_day(sc, it->date);
	stats_step(sc);
	return 0;
}

static int
stats_on_from(void *ud, const struct index_scan_item *it)
{
	struct stats_child *sc = ud;
	const struct stats_from *f = stats_from_of(sc, it->value);
	int set = sc->reviewed_pass;

	stats_count_senders(sc, f->ids, f->n, set);
	STATS_PUSH(sc, sc->from_of[set], sc->n_from_of[set], sc->cap_from_of[set]);
	sc->from_of[set][sc->n_from_of[set]++] = (uint32_t)(f - sc->froms);
	stats_step(sc);
	return 0;
}

static int
stats_on_id(void *ud, const struct index_scan_item *it)
{
	struct stats_child *sc = ud;
	int set = sc->reviewed_pass;
	const struct stats_from *f;
	const struct addrbook_rcpt *v;
	size_t n;

	/* The From scan of this set gave as many messages, in this order. */
	if (it->pos >= sc->n_from_of[set])
		return 1;
	f = &sc->froms[sc->from_of[set][it->pos]];
	if (addrbook_lookup(sc->ab, it->value, &v, &n)) {
		stats_count_rcpts(sc, f->ids, f->n, v, n, set);
	} else {
		/* Read after the rest is shown; its file is looked up then (that reads its terms). */
		struct stats_missing *m;

		STATS_PUSH(sc, sc->missing, sc->n_missing, sc->cap_missing);
		m = &sc->missing[sc->n_missing++];
		m->id = talloc_strdup(sc->ctx, it->value);
		m->senders = f->n ? talloc_memdup(sc->ctx, f->ids, f->n * sizeof(uint32_t)) : NULL;
		m->n_senders = f->n;
		m->reviewed = set;
		if (!m->id || (f->n && !m->senders))
			abort();
	}
	stats_step(sc);
	return 0;
}

/*
 * Scans both sets (the reviewed messages, then the others: each message
 * once) for one value; 0 when a scan failed.  The queries ran already,
 * so a failure met a commit (see stats_child).
 */
static int
stats_scan(struct stats_child *sc, const char *phase, enum index_scan_value what,
	   index_scan_fn fn, const char *const q[2], const unsigned n[2])
{
	sc->phase = phase;
	sc->done = 0;
	sc->of = n[0] + n[1];
	for (int set = 1; set >= 0; set--) {
		sc->reviewed_pass = set;
		if (n[set] && index_scan(sc->idx, q[set], what, fn, sc) != TRAWL_OK)
			return 0;
	}
	/* A scan that gave another count than the others saw another revision. */
	if (what != INDEX_SCAN_DATE && (sc->n_from_of[0] != n[0] || sc->n_from_of[1] != n[1]))
		return 0;
	stats_snapshot(sc);
	return 1;
}

static void
stats_add_facet(struct stats_child *sc, enum stats_list l, const char *key, const char *query,
		const char *unrev_query)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *q = index_query_and(tmp, sc->query, query);
	unsigned total = 0, un = 0;
	struct stats_facet *f;

	if (index_count_messages(sc->idx, q, &total) != TRAWL_OK || total == 0 ||
	    index_count_messages(sc->idx, index_query_and(tmp, q, unrev_query), &un) != TRAWL_OK) {
		talloc_free(tmp);
		return;
	}
	STATS_PUSH(sc, sc->facets, sc->n_facets, sc->cap_facets);
	f = &sc->facets[sc->n_facets++];
	f->list = l;
	f->key = talloc_strdup(sc->ctx, key);
	f->query = talloc_strdup(sc->ctx, query);
	f->total = total;
	f->unrev = un;
	talloc_free(tmp);
}

static void
stats_facets(struct stats_child *sc, const char *unrev)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char **tags, **folders;
	size_t n_tags = 0, n_folders = 0;
	size_t n_mime = sizeof(stats_mimetypes) / sizeof(stats_mimetypes[0]);

	if (index_all_tags(sc->idx, tmp, &tags, &n_tags) != TRAWL_OK)
		n_tags = 0;
	if (n_tags > STATS_MAX_FACETS)
		n_tags = STATS_MAX_FACETS;
	if (index_folders(sc->idx, tmp, STATS_MAX_FACETS, &folders, &n_folders) != TRAWL_OK)
		n_folders = 0;
	sc->phase = "facets";
	sc->done = 0;
	sc->of = n_tags + n_mime + n_folders;
	for (size_t i = 0; i < n_tags; i++, sc->done++) {
		stats_add_facet(sc, STATS_TAGS, tags[i], index_quote_term(tmp, "tag", tags[i]),
				unrev);
		stats_maybe_snapshot(sc);
	}
	for (size_t i = 0; i < n_mime; i++, sc->done++) {
		stats_add_facet(sc, STATS_MIMETYPES, stats_mimetypes[i],
				index_quote_term(tmp, "mimetype", stats_mimetypes[i]), unrev);
		stats_maybe_snapshot(sc);
	}
	for (size_t i = 0; i < n_folders; i++, sc->done++) {
		stats_add_facet(sc, STATS_FOLDERS, folders[i],
				index_quote_term(tmp, "folder", folders[i]), unrev);
		stats_maybe_snapshot(sc);
	}
	/* Facets in the order of their counts, as the other lists. */
	talloc_free(tmp);
}

static int
stats_facet_cmp(const void *x, const void *y)
{
	const struct stats_facet *a = x, *b = y;

	if (a->list != b->list)
		return a->list < b->list ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Reads the recipients of the messages the address book did not know, saving as it goes. */
static void
stats_read_missing(struct stats_child *sc)
{
	sc->phase = "headers";
	sc->done = 0;
	sc->of = sc->n_missing;
	sc->last_save = stats_now();
	for (size_t i = 0; i < sc->n_missing; i++) {
		TALLOC_CTX *tmp = talloc_new(NULL);
		struct stats_missing *m = &sc->missing[i];
		struct render_address *v = NULL;
		size_t n = 0;
		const struct addrbook_rcpt *got;
		size_t n_got;
		char *file;

		/* A file that cannot be read counts as no recipients, and is not remembered. */
		if (index_message_file(sc->idx, tmp, m->id, &file) == TRAWL_OK &&
		    render_file_recipients(tmp, file, ADDRBOOK_MAX_RCPTS, &v, &n) == TRAWL_OK)
			addrbook_add(sc->ab, m->id, v, n);
		if (addrbook_lookup(sc->ab, m->id, &got, &n_got))
			stats_count_rcpts(sc, m->senders, m->n_senders, got, n_got, m->reviewed);
		talloc_free(tmp);
		sc->done++;
		if ((i & 63) == 0) {
			stats_maybe_snapshot(sc);
			if (stats_now() - sc->last_save >= STATS_SAVE_INTERVAL) {
				addrbook_save(sc->ab);
				sc->last_save = stats_now();
			}
		}
	}
	sc->n_missing = 0;
	addrbook_save(sc->ab);
}

struct stats_child_arg {
	index_t *idx;
	const char *query;
	size_t top;
};

static int
stats_child_fail(struct stats_child *sc, const char *what)
{
	char *msg = talloc_asprintf(sc->ctx, "%s", what);

	bg_write(sc->w, 'X', msg, strlen(msg));
	talloc_free(sc->ctx);
	return 0;
}

/* Child: counts the query and streams snapshots. */
static int
stats_child(bg_writer_t *w, void *arg)
{
	struct stats_child_arg *a = arg;
	struct stats_child sc = {0};
	char *err = NULL, *unrev, *reviewed, *q;
	const char *uuid = NULL;
	unsigned total = 0, rev = 0;

	sc.ctx = talloc_new(NULL);
	sc.w = w;
	sc.query = a->query;
	sc.top = a->top;
	sc.messages = sc.reviewed = -1;
	sc.phase = "dates";
	if (getenv("TRAWL_TEST_STATS_DELAY_US"))
		sc.delay_us = (useconds_t)strtoul(getenv("TRAWL_TEST_STATS_DELAY_US"), NULL, 10);
	if (index_open_like(sc.ctx, a->idx, &sc.idx, &err) != TRAWL_OK)
		return stats_child_fail(&sc, err ? err : "cannot open the database");
	reviewed = index_quote_term(sc.ctx, "tag", index_reviewed_tag(sc.idx));
	unrev = talloc_asprintf(sc.ctx, "not %s", reviewed);
	if (index_count_messages(sc.idx, sc.query, &total) != TRAWL_OK)
		return stats_child_fail(&sc, index_last_error(sc.idx));
	q = index_query_and(sc.ctx, sc.query, reviewed);
	if (index_count_messages(sc.idx, q, &rev) != TRAWL_OK)
		return stats_child_fail(&sc, index_last_error(sc.idx));
	sc.messages = total;
	sc.reviewed = rev;
	sc.of = total;
	index_revision(sc.idx, &uuid);
	sc.ab = addrbook_open(sc.ctx, addrbook_path_for(sc.ctx, index_db_path(sc.idx)), uuid);
	if (!sc.ab)
		abort();
	stats_snapshot(&sc);
	sc.next_snapshot = stats_now() + STATS_FIRST_SNAPSHOT;
	/*
	 * Three scans, one value each (see index.h): the dates (the timeline
	 * is complete first), the senders, the Message-IDs (recipients from
	 * the address book), each over the reviewed messages then the others.
	 * The queries ran already, so a scan that fails met a commit: the
	 * child ends as one libnotmuch aborted would, and the parent starts it
	 * again.
	 */
	{
		const char *sets[2] = {index_query_and(sc.ctx, sc.query, unrev), q};
		const unsigned n[2] = {total - rev, rev};

		if (!stats_scan(&sc, "dates", INDEX_SCAN_DATE, stats_on_date, sets, n) ||
		    !stats_scan(&sc, "senders", INDEX_SCAN_FROM, stats_on_from, sets, n) ||
		    !stats_scan(&sc, "recipients", INDEX_SCAN_ID, stats_on_id, sets, n))
			return 1;
	}
	stats_facets(&sc, unrev);
	if (sc.n_facets > 1)
		qsort(sc.facets, sc.n_facets, sizeof(*sc.facets), stats_facet_cmp);
	stats_snapshot(&sc);
	if (sc.n_missing)
		stats_read_missing(&sc);
	sc.phase = "done";
	sc.done = sc.of = 0;
	stats_snapshot(&sc);
	talloc_free(sc.ctx);
	return 0;
}

/* ------------------------------------------------------------ parent */

struct stats_snap {
	char *phase;
	unsigned long done, of, scanned, undated, missing;
	long messages, reviewed;
	struct stats_day *days;
	size_t n_days;
	struct stats_item *items[STATS_LIST_COUNT];
	size_t n_items[STATS_LIST_COUNT], cap_items[STATS_LIST_COUNT];
};

struct stats_run {
	bg_job_t *job;
	size_t top;
	int restarts;
	int restart_due;
	double started;
	struct stats_snap *pending; /* being received */
	void *shown;                /* owns the snapshot the model points into */
	int done_seen;              /* the child's last snapshot said "done" */
	int have_complete;          /* a "done" snapshot was shown */
};

static void
stats_start(struct stats *st)
{
	struct stats_child_arg arg = {st->idx, st->query, st->run->top};

	TALLOC_FREE(st->run->job);
	TALLOC_FREE(st->run->pending);
	st->run->done_seen = 0;
	st->run->restart_due = 0;
	st->run->started = stats_now();
	st->state = STATS_COUNTING;
	if (bg_start(st->run, "stats", stats_child, &arg, &st->run->job) != TRAWL_OK) {
		st->state = STATS_ERROR;
		talloc_free(st->error);
		st->error = talloc_strdup(st, "cannot start counting");
	}
}

struct stats *
stats_new(TALLOC_CTX *ctx, index_t *idx, const char *query, size_t top)
{
	struct stats *st = talloc_zero(ctx, struct stats);

	if (!st)
		abort();
	st->run = talloc_zero(st, struct stats_run);
	st->idx = idx;
	st->query = talloc_strdup(st, query && *query ? query : "*");
	st->phase = talloc_strdup(st, "starting");
	st->notice = talloc_strdup(st, "");
	st->messages = st->reviewed = -1;
	if (!st->run || !st->query || !st->phase || !st->notice)
		abort();
	st->run->top = top ? top : STATS_TOP;
	stats_start(st);
	return st;
}

static void
stats_on_commit(void *ud, const struct feed_event *ev)
{
	struct stats *st = ud;

	(void)ev;
	st->stale = 1;
	st->run->restart_due = 1;
}

void
stats_follow(struct stats *st, struct feed *feed)
{
	feed_subscribe(feed, st, stats_on_commit, st);
}

static void
stats_snap_item(struct stats_snap *sn, const char *payload, size_t len)
{
	const char *end = payload + len, *p;
	const char *str[5];
	unsigned long total, unrev;
	unsigned l;
	struct stats_item *it;
	char *e;

	if (len < 2 || (unsigned char)payload[0] < '0')
		return;
	l = (unsigned)(payload[0] - '0');
	if (l >= STATS_LIST_COUNT || !memchr(payload, '\0', len))
		return;
	total = strtoul(payload + 1, &e, 10);
	unrev = strtoul(e, &e, 10);
	if (*e)
		return;
	p = e + 1;
	for (int i = 0; i < 5; i++) {
		const char *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;

		if (!nul)
			return;
		str[i] = p;
		p = nul + 1;
	}
	if (sn->n_items[l] == sn->cap_items[l]) {
		size_t cap = sn->cap_items[l] ? sn->cap_items[l] * 2 : 16;
		struct stats_item *v = talloc_realloc(sn, sn->items[l], struct stats_item, cap);

		if (!v)
			abort();
		sn->items[l] = v;
		sn->cap_items[l] = cap;
	}
	it = &sn->items[l][sn->n_items[l]++];
	it->total = total;
	it->unreviewed = unrev;
	it->key = talloc_strdup(sn->items[l], str[0]);
	it->name = talloc_strdup(sn->items[l], str[1]);
	it->key2 = talloc_strdup(sn->items[l], str[2]);
	it->name2 = talloc_strdup(sn->items[l], str[3]);
	it->query = talloc_strdup(sn->items[l], str[4]);
	if (!it->key || !it->name || !it->key2 || !it->name2 || !it->query)
		abort();
}

/* The years with messages, from the days, in order: a facet like the others. */
static void
stats_make_years(struct stats *st, struct stats_snap *sn)
{
	size_t n, k = 0;
	struct stats_period *v = stats_periods(sn, st, STATS_BY_YEAR, &n, NULL);

	sn->items[STATS_YEARS] = talloc_zero_array(sn, struct stats_item, n ? n : 1);
	if (!sn->items[STATS_YEARS])
		abort();
	for (size_t i = 0; i < n; i++) {
		struct stats_item *it = &sn->items[STATS_YEARS][k];

		if (!v[i].total)
			continue;
		it->key = stats_period_label(sn, STATS_BY_YEAR, v[i].first);
		it->name = talloc_strdup(sn, "");
		it->key2 = talloc_strdup(sn, "");
		it->name2 = talloc_strdup(sn, "");
		it->total = v[i].total;
		it->unreviewed = v[i].total - v[i].reviewed;
		it->query = stats_period_query(sn, STATS_BY_YEAR, v[i].first);
		k++;
	}
	sn->n_items[STATS_YEARS] = k;
	talloc_free(v);
}

/* A complete snapshot replaces the one shown. */
static void
stats_swap(struct stats *st)
{
	struct stats_snap *sn = st->run->pending;

	st->run->pending = NULL;
	talloc_free(st->run->shown);
	st->run->shown = sn;
	talloc_free(st->phase);
	st->phase = talloc_strdup(st, sn->phase);
	if (!st->phase)
		abort();
	st->progress = sn->of ? (double)sn->done / (double)sn->of : 1.0;
	st->messages = sn->messages;
	st->reviewed = sn->reviewed;
	st->scanned = sn->scanned;
	st->undated = sn->undated;
	st->rcpt_missing = sn->missing;
	st->days = sn->days;
	st->n_days = sn->n_days;
	stats_make_years(st, sn);
	for (int l = 0; l < STATS_LIST_COUNT; l++) {
		st->items[l] = sn->items[l];
		st->n_items[l] = sn->n_items[l];
	}
	st->serial++;
	st->run->done_seen = !strcmp(sn->phase, "done");
	st->run->have_complete |= st->run->done_seen;
	if (st->run->done_seen && !st->run->restart_due)
		st->stale = 0;
}

static void
stats_on_record(void *ud, char type, const char *payload, size_t len)
{
	struct stats *st = ud;
	struct stats_snap *sn = st->run->pending;
	char *head;

	switch (type) {
	case 'B':
		TALLOC_FREE(st->run->pending);
		sn = st->run->pending = talloc_zero(st->run, struct stats_snap);
		head = talloc_strndup(sn, payload, len);
		if (!sn || !head)
			abort();
		sn->phase = talloc_strndup(sn, head, strcspn(head, " "));
		if (sscanf(head + strlen(sn->phase), "%lu %lu %ld %ld %lu %lu %lu", &sn->done,
			   &sn->of, &sn->messages, &sn->reviewed, &sn->scanned, &sn->undated,
			   &sn->missing) != 7)
			TALLOC_FREE(st->run->pending);
		break;
	case 'D':
		if (!sn || len % sizeof(struct stats_wire_day))
			break;
		sn->n_days = len / sizeof(struct stats_wire_day);
		sn->days = talloc_array(sn, struct stats_day, sn->n_days ? sn->n_days : 1);
		if (!sn->days)
			abort();
		for (size_t i = 0; i < sn->n_days; i++) {
			struct stats_wire_day d;

			memcpy(&d, payload + i * sizeof(d), sizeof(d));
			sn->days[i] = (struct stats_day){(long)d.day, (unsigned long)d.total,
							 (unsigned long)d.reviewed};
		}
		break;
	case 'I':
		if (sn)
			stats_snap_item(sn, payload, len);
		break;
	case 'E':
		if (!sn)
			break;
		/*
		 * Counting again after a commit: the complete counts stay on
		 * screen until the new ones are complete too, rather than bars
		 * shrinking and growing back on every tag change.
		 */
		if (st->stale && st->run->have_complete && strcmp(sn->phase, "done") != 0) {
			st->progress = sn->of ? (double)sn->done / (double)sn->of : 1.0;
			talloc_free(st->phase);
			st->phase = talloc_strdup(st, sn->phase);
			TALLOC_FREE(st->run->pending);
			st->serial++;
			break;
		}
		stats_swap(st);
		break;
	case 'X':
		talloc_free(st->error);
		st->error = talloc_strndup(st, payload, len);
		st->state = STATS_ERROR;
		break;
	}
}

int
stats_poll(struct stats *st, size_t max_bytes)
{
	struct stats_run *r = st->run;
	unsigned serial = st->serial;
	enum stats_state state = st->state;
	enum bg_state bs;

	if (r->restart_due && stats_now() - r->started >= STATS_RESTART_INTERVAL) {
		stats_start(st);
		return 1;
	}
	if (!r->job)
		return 0;
	bs = bg_poll(r->job, max_bytes, stats_on_record, st);
	if (bs == BG_RUNNING)
		return st->serial != serial || st->state != state;
	if (st->state == STATS_ERROR) {
		TALLOC_FREE(r->job);
	} else if (bs == BG_DONE && r->done_seen) {
		TALLOC_FREE(r->job);
		r->restarts = 0;
		st->state = STATS_DONE;
	} else if (++r->restarts <= STATS_MAX_RESTARTS) {
		/* libnotmuch aborted it (a commit during the scan), or worse: once more. */
		talloc_free(st->notice);
		st->notice = talloc_asprintf(st, "the counter %s; counting again",
					     bs == BG_DIED ? bg_how_died(r->job) : "stopped");
		stats_start(st);
	} else {
		talloc_free(st->error);
		st->error = talloc_asprintf(st, "counting failed: the counter %s, %d times",
					    bs == BG_DIED ? bg_how_died(r->job) : "stopped",
					    r->restarts);
		TALLOC_FREE(r->job);
		st->state = STATS_ERROR;
	}
	return 1;
}

int
stats_fd(const struct stats *st)
{
	return st->run->job ? bg_fd(st->run->job) : -1;
}

pid_t
stats_child_pid(const struct stats *st)
{
	return st->run->job ? bg_pid(st->run->job) : -1;
}
