/*
 * addrbook: the recipients of each message, kept beside the database.
 * See include/trawl/addrbook.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/addrbook.h"
#include "trawl/paths.h"
#include "trawl/util.h"

#define ADDRBOOK_MAGIC "TRWLRCP1"
#define ADDRBOOK_BOM 0x01020304u
#define ADDRBOOK_UUID_LEN 40
/* Counts beyond these are a damaged file (and would overflow the arithmetic below). */
#define ADDRBOOK_MAX_COUNT (1u << 28)

struct ab_hdr {
	char magic[8];
	uint32_t bom;
	uint32_t n_msgs, n_pairs, n_strings;
	uint64_t strings_len;
	char uuid[ADDRBOOK_UUID_LEN];
};

struct ab_msg {
	uint64_t key;
	uint32_t id, first, count, pad;
};

struct ab_pair {
	uint32_t addr, name;
};

struct ab_str {
	uint32_t off, len;
};

/* A message added since the book was opened. */
struct ab_added {
	uint64_t key;
	char *id;
	size_t first, count; /* in added_rcpts */
};

struct addrbook {
	char *path;
	char *uuid;
	/* The file as mapped (or copied): */
	void *map;
	size_t map_len;
	int mapped;
	const struct ab_msg *msgs;
	const struct ab_pair *pairs;
	const struct ab_str *strtab;
	const char *strings;
	uint64_t strings_len;
	uint32_t n_msgs, n_pairs, n_strings;
	/* Additions, with a hash of their keys (slot = index + 1, 0 empty): */
	struct ab_added *added;
	size_t n_added, cap_added;
	size_t n_saved; /* additions already in the file */
	struct addrbook_rcpt *added_rcpts;
	size_t n_added_rcpts, cap_added_rcpts;
	size_t *slots;
	size_t n_slots;
	/* What the last lookup returned: */
	struct addrbook_rcpt *scratch;
	size_t cap_scratch;
};

static uint64_t
ab_key(const char *s)
{
	return util_hash(s, strlen(s));
}

static int
ab_destructor(struct addrbook *ab)
{
	if (ab->mapped && ab->map)
		munmap(ab->map, ab->map_len);
	ab->map = NULL;
	return 0;
}

/* Checks the header and sets the section pointers; an unusable file leaves the book empty. */
static void
ab_attach(struct addrbook *ab, void *base, size_t len)
{
	const struct ab_hdr *h = base;
	uint64_t need;
	const char *p = base;

	if (len < sizeof(*h) || memcmp(h->magic, ADDRBOOK_MAGIC, 8) != 0 ||
	    h->bom != ADDRBOOK_BOM || h->n_msgs > ADDRBOOK_MAX_COUNT ||
	    h->n_pairs > ADDRBOOK_MAX_COUNT || h->n_strings > ADDRBOOK_MAX_COUNT ||
	    h->strings_len > ADDRBOOK_MAX_FILE)
		return;
	if (!ab->uuid || strncmp(h->uuid, ab->uuid, ADDRBOOK_UUID_LEN) != 0 ||
	    memchr(h->uuid, '\0', ADDRBOOK_UUID_LEN) == NULL)
		return;
	need = sizeof(*h) + (uint64_t)h->n_msgs * sizeof(struct ab_msg) +
	       (uint64_t)h->n_pairs * sizeof(struct ab_pair) +
	       (uint64_t)h->n_strings * sizeof(struct ab_str) + h->strings_len;
	if (need != len)
		return;
	p += sizeof(*h);
	ab->msgs = (const struct ab_msg *)p;
	p += (size_t)h->n_msgs * sizeof(struct ab_msg);
	ab->pairs = (const struct ab_pair *)p;
	p += (size_t)h->n_pairs * sizeof(struct ab_pair);
	ab->strtab = (const struct ab_str *)p;
	p += (size_t)h->n_strings * sizeof(struct ab_str);
	ab->strings = p;
	ab->strings_len = h->strings_len;
	ab->n_msgs = h->n_msgs;
	ab->n_pairs = h->n_pairs;
	ab->n_strings = h->n_strings;
}

static struct addrbook *
ab_new(TALLOC_CTX *ctx, const char *path, const char *uuid)
{
	struct addrbook *ab = talloc_zero(ctx, struct addrbook);

	if (!ab)
		return NULL;
	ab->path = path ? talloc_strdup(ab, path) : NULL;
	ab->uuid = talloc_strndup(ab, uuid ? uuid : "", ADDRBOOK_UUID_LEN - 1);
	if ((path && !ab->path) || !ab->uuid) {
		talloc_free(ab);
		return NULL;
	}
	talloc_set_destructor(ab, ab_destructor);
	return ab;
}

char *
addrbook_path_for(TALLOC_CTX *ctx, const char *db_path)
{
	return paths_for(ctx, db_path, PATHS_RECIPIENTS);
}

struct addrbook *
addrbook_open(TALLOC_CTX *ctx, const char *path, const char *uuid)
{
	struct addrbook *ab = ab_new(ctx, path, uuid);
	struct stat st;
	int fd;

	if (!ab || !path)
		return ab;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ab;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= ADDRBOOK_MAX_FILE) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			ab->map = m;
			ab->map_len = (size_t)st.st_size;
			ab->mapped = 1;
			ab_attach(ab, m, ab->map_len);
		}
	}
	close(fd);
	return ab;
}

struct addrbook *
addrbook_open_buffer(TALLOC_CTX *ctx, const void *buf, size_t len, const char *uuid)
{
	struct addrbook *ab = ab_new(ctx, NULL, uuid);

	if (!ab || !len)
		return ab;
	/* A copy, so the sections are aligned as they are in a mapping. */
	ab->map = talloc_memdup(ab, buf, len);
	if (!ab->map) {
		talloc_free(ab);
		return NULL;
	}
	ab->map_len = len;
	ab_attach(ab, ab->map, len);
	return ab;
}

/* String i of the file, or NULL when the file cannot give it. */
static const char *
ab_str(const struct addrbook *ab, uint32_t i)
{
	uint64_t off, len;

	if (i >= ab->n_strings)
		return NULL;
	off = ab->strtab[i].off;
	len = ab->strtab[i].len;
	if (off + len >= ab->strings_len || ab->strings[off + len] != '\0')
		return NULL;
	return ab->strings + off;
}

static int
ab_scratch(struct addrbook *ab, size_t n)
{
	if (n <= ab->cap_scratch)
		return 0;
	talloc_free(ab->scratch);
	ab->scratch = talloc_array(ab, struct addrbook_rcpt, n);
	ab->cap_scratch = ab->scratch ? n : 0;
	return ab->scratch ? 0 : -1;
}

/* The recipients of file entry m into the scratch array; 0 if the file cannot give them. */
static int
ab_file_entry(struct addrbook *ab, const struct ab_msg *m, const struct addrbook_rcpt **v,
	      size_t *n)
{
	if (m->count > ADDRBOOK_MAX_RCPTS || (uint64_t)m->first + m->count > ab->n_pairs ||
	    ab_scratch(ab, m->count ? m->count : 1) < 0)
		return 0;
	for (uint32_t k = 0; k < m->count; k++) {
		const struct ab_pair *p = &ab->pairs[m->first + k];

		ab->scratch[k].addr = ab_str(ab, p->addr);
		ab->scratch[k].name = ab_str(ab, p->name);
		if (!ab->scratch[k].addr || !ab->scratch[k].name)
			return 0;
	}
	*v = ab->scratch;
	*n = m->count;
	return 1;
}

static long
ab_find_added(const struct addrbook *ab, uint64_t key, const char *id)
{
	if (!ab->n_slots)
		return -1;
	for (size_t s = key & (ab->n_slots - 1);; s = (s + 1) & (ab->n_slots - 1)) {
		size_t i = ab->slots[s];

		if (!i)
			return -1;
		if (ab->added[i - 1].key == key && !strcmp(ab->added[i - 1].id, id))
			return (long)(i - 1);
	}
}

int
addrbook_lookup(struct addrbook *ab, const char *message_id, const struct addrbook_rcpt **v,
		size_t *n)
{
	uint64_t key = ab_key(message_id);
	size_t lo = 0, hi = ab->n_msgs;
	long a;

	*v = NULL;
	*n = 0;
	a = ab_find_added(ab, key, message_id);
	if (a >= 0) {
		*n = ab->added[a].count;
		*v = *n ? &ab->added_rcpts[ab->added[a].first] : NULL;
		return 1;
	}
	/*
	 * The first entry with this key, then each with it.  Keys are hashes,
	 * spread evenly: a first guess in proportion lands within a few
	 * entries, so most lookups touch two pages of the file, not twenty.
	 */
	if (hi > 64) {
		size_t guess = (size_t)(((unsigned __int128)key * hi) >> 64), step = 16;

		if (guess >= hi)
			guess = hi - 1;
		/* Widen a window around the guess until it holds the key's place. */
		for (;;) {
			size_t from = guess > step ? guess - step : 0, to = guess + step < hi ? guess + step : hi;

			if ((from == 0 || ab->msgs[from - 1].key < key) && (to == hi || ab->msgs[to].key >= key)) {
				lo = from;
				hi = to;
				break;
			}
			if (from == 0 && to == hi)
				break;
			step *= 4;
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ab->msgs[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ab->n_msgs && ab->msgs[lo].key == key; lo++) {
		const char *id = ab_str(ab, ab->msgs[lo].id);

		if (id && !strcmp(id, message_id))
			return ab_file_entry(ab, &ab->msgs[lo], v, n);
	}
	return 0;
}

static int
ab_rehash(struct addrbook *ab)
{
	size_t n = ab->n_slots ? ab->n_slots * 2 : 1024;
	size_t *slots = talloc_zero_array(ab, size_t, n);

	if (!slots)
		return -1;
	for (size_t i = 0; i < ab->n_added; i++) {
		size_t s = ab->added[i].key & (n - 1);

		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = i + 1;
	}
	talloc_free(ab->slots);
	ab->slots = slots;
	ab->n_slots = n;
	return 0;
}

trawl_status_t
addrbook_add(struct addrbook *ab, const char *message_id, const struct render_address *v, size_t n)
{
	const struct addrbook_rcpt *old;
	size_t old_n;
	struct ab_added *e;

	if (addrbook_lookup(ab, message_id, &old, &old_n))
		return TRAWL_OK;
	if (n > ADDRBOOK_MAX_RCPTS)
		n = ADDRBOOK_MAX_RCPTS;
	if ((ab->n_added + 1) * 2 > ab->n_slots && ab_rehash(ab) < 0)
		return TRAWL_NOMEM;
	if (ab->n_added == ab->cap_added) {
		size_t cap = ab->cap_added ? ab->cap_added * 2 : 256;
		struct ab_added *a = talloc_realloc(ab, ab->added, struct ab_added, cap);

		if (!a)
			return TRAWL_NOMEM;
		ab->added = a;
		ab->cap_added = cap;
	}
	if (ab->n_added_rcpts + n > ab->cap_added_rcpts) {
		size_t cap = ab->cap_added_rcpts ? ab->cap_added_rcpts * 2 : 1024;
		struct addrbook_rcpt *r;

		while (cap < ab->n_added_rcpts + n)
			cap *= 2;
		r = talloc_realloc(ab, ab->added_rcpts, struct addrbook_rcpt, cap);
		if (!r)
			return TRAWL_NOMEM;
		ab->added_rcpts = r;
		ab->cap_added_rcpts = cap;
	}
	e = &ab->added[ab->n_added];
	e->key = ab_key(message_id);
	e->id = talloc_strdup(ab->added, message_id);
	e->first = ab->n_added_rcpts;
	e->count = n;
	if (!e->id)
		return TRAWL_NOMEM;
	for (size_t k = 0; k < n; k++) {
		struct addrbook_rcpt *r = &ab->added_rcpts[ab->n_added_rcpts + k];

		r->addr = talloc_strdup(ab->added, v[k].addr ? v[k].addr : "");
		r->name = talloc_strdup(ab->added, v[k].name ? v[k].name : "");
		if (!r->addr || !r->name)
			return TRAWL_NOMEM;
	}
	ab->n_added_rcpts += n;
	ab->n_added++;
	{
		size_t s = e->key & (ab->n_slots - 1);

		while (ab->slots[s])
			s = (s + 1) & (ab->n_slots - 1);
		ab->slots[s] = ab->n_added;
	}
	return TRAWL_OK;
}

size_t
addrbook_added(const struct addrbook *ab)
{
	return ab->n_added - ab->n_saved;
}

size_t
addrbook_size(const struct addrbook *ab)
{
	return ab->n_msgs;
}

int
addrbook_entry(struct addrbook *ab, size_t i, const char **message_id,
	       const struct addrbook_rcpt **v, size_t *n)
{
	if (i >= ab->n_msgs)
		return 0;
	*message_id = ab_str(ab, ab->msgs[i].id);
	return *message_id && ab_file_entry(ab, &ab->msgs[i], v, n);
}

/* ------------------------------------------------------------ writing */

/* A file being built: strings interned through an open-addressing hash. */
struct ab_builder {
	struct ab_msg *msgs;
	size_t n_msgs, cap_msgs;
	struct ab_pair *pairs;
	size_t n_pairs, cap_pairs;
	struct ab_str *strtab;
	size_t n_strings, cap_strings;
	char *strings;
	size_t strings_len, cap_strings_len;
	uint32_t *slots; /* string index + 1 */
	size_t n_slots;
	unsigned char *is_id; /* per string: already a message's id (each id is kept once) */
	size_t cap_is_id, n_is_id;
	int fail;
};

static int
ab_grow(TALLOC_CTX *ctx, void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *nv;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	nv = talloc_realloc_size(ctx, *v, c * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = c;
	return 0;
}

static int
ab_builder_rehash(TALLOC_CTX *ctx, struct ab_builder *b)
{
	size_t n = b->n_slots ? b->n_slots * 2 : 4096;
	uint32_t *slots = talloc_zero_array(ctx, uint32_t, n);

	if (!slots)
		return -1;
	for (size_t i = 0; i < b->n_strings; i++) {
		size_t s = ab_key(b->strings + b->strtab[i].off) & (n - 1);

		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = (uint32_t)i + 1;
	}
	talloc_free(b->slots);
	b->slots = slots;
	b->n_slots = n;
	return 0;
}

static uint32_t
ab_intern(TALLOC_CTX *ctx, struct ab_builder *b, const char *s)
{
	size_t len = strlen(s), at;
	uint64_t h = ab_key(s);

	if (b->fail)
		return 0;
	if ((b->n_strings + 1) * 2 > b->n_slots && ab_builder_rehash(ctx, b) < 0)
		goto fail;
	for (at = h & (b->n_slots - 1); b->slots[at]; at = (at + 1) & (b->n_slots - 1)) {
		const struct ab_str *e = &b->strtab[b->slots[at] - 1];

		if (e->len == len && !memcmp(b->strings + e->off, s, len))
			return b->slots[at] - 1;
	}
	if (b->n_strings >= ADDRBOOK_MAX_COUNT ||
	    ab_grow(ctx, (void **)&b->strtab, &b->cap_strings, b->n_strings + 1,
		    sizeof(*b->strtab)) < 0 ||
	    ab_grow(ctx, (void **)&b->strings, &b->cap_strings_len, b->strings_len + len + 1, 1) < 0)
		goto fail;
	memcpy(b->strings + b->strings_len, s, len + 1);
	b->strtab[b->n_strings] = (struct ab_str){(uint32_t)b->strings_len, (uint32_t)len};
	b->strings_len += len + 1;
	b->slots[at] = (uint32_t)++b->n_strings;
	return (uint32_t)(b->n_strings - 1);
fail:
	b->fail = 1;
	return 0;
}

static void
ab_builder_add(TALLOC_CTX *ctx, struct ab_builder *b, const char *id,
	       const struct addrbook_rcpt *v, size_t n)
{
	struct ab_msg *m;

	if (b->fail || b->n_msgs >= ADDRBOOK_MAX_COUNT || b->n_pairs + n >= ADDRBOOK_MAX_COUNT ||
	    ab_grow(ctx, (void **)&b->msgs, &b->cap_msgs, b->n_msgs + 1, sizeof(*b->msgs)) < 0 ||
	    ab_grow(ctx, (void **)&b->pairs, &b->cap_pairs, b->n_pairs + n, sizeof(*b->pairs)) < 0) {
		b->fail = 1;
		return;
	}
	m = &b->msgs[b->n_msgs];
	memset(m, 0, sizeof(*m));
	m->key = ab_key(id);
	m->id = ab_intern(ctx, b, id);
	/* A damaged file may hold an id twice: the first entry is kept, as lookups find it. */
	if (b->fail || ab_grow(ctx, (void **)&b->is_id, &b->cap_is_id, b->n_strings, 1) < 0) {
		b->fail = 1;
		return;
	}
	if (b->n_is_id < b->n_strings) {
		memset(b->is_id + b->n_is_id, 0, b->n_strings - b->n_is_id);
		b->n_is_id = b->n_strings;
	}
	if (b->is_id[m->id])
		return;
	b->is_id[m->id] = 1;
	m->first = (uint32_t)b->n_pairs;
	m->count = (uint32_t)n;
	for (size_t k = 0; k < n; k++) {
		b->pairs[b->n_pairs + k].addr = ab_intern(ctx, b, v[k].addr);
		b->pairs[b->n_pairs + k].name = ab_intern(ctx, b, v[k].name);
	}
	b->n_pairs += n;
	b->n_msgs++;
}

static int
ab_msg_cmp(const void *x, const void *y, void *arg)
{
	const struct ab_msg *a = x, *b = y;
	const struct ab_builder *bl = arg;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return strcmp(bl->strings + bl->strtab[a->id].off, bl->strings + bl->strtab[b->id].off);
}

/*
 * The bytes of a file holding the entries of from (the file as mapped;
 * NULL for none) and the additions of ab, each Message-ID once.
 */
static trawl_status_t
ab_build(TALLOC_CTX *ctx, struct addrbook *from, struct addrbook *ab, char **out, size_t *len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct ab_builder b = {0};
	struct ab_hdr h;
	size_t total;
	char *buf, *p;

	*out = NULL;
	*len = 0;
	if (!tmp)
		return TRAWL_NOMEM;
	for (size_t i = 0; from && i < from->n_msgs && !b.fail; i++) {
		const char *id;
		const struct addrbook_rcpt *v;
		size_t n;

		if (addrbook_entry(from, i, &id, &v, &n))
			ab_builder_add(tmp, &b, id, v, n);
	}
	for (size_t i = 0; i < ab->n_added && !b.fail; i++) {
		const struct addrbook_rcpt *v;
		size_t n;

		/* An entry the file got meanwhile (another trawl) is kept as it is. */
		if (from && from != ab && addrbook_lookup(from, ab->added[i].id, &v, &n))
			continue;
		/* A message with no recipient has none in added_rcpts, which may be NULL. */
		ab_builder_add(tmp, &b, ab->added[i].id,
			       ab->added[i].count ? &ab->added_rcpts[ab->added[i].first] : NULL,
			       ab->added[i].count);
	}
	if (b.fail) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	if (b.n_msgs > 1)
		qsort_r(b.msgs, b.n_msgs, sizeof(*b.msgs), ab_msg_cmp, &b);
	total = sizeof(h) + b.n_msgs * sizeof(struct ab_msg) + b.n_pairs * sizeof(struct ab_pair) +
		b.n_strings * sizeof(struct ab_str) + b.strings_len;
	if (total > ADDRBOOK_MAX_FILE) {
		talloc_free(tmp);
		return TRAWL_LIMIT;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, ADDRBOOK_MAGIC, 8);
	h.bom = ADDRBOOK_BOM;
	h.n_msgs = (uint32_t)b.n_msgs;
	h.n_pairs = (uint32_t)b.n_pairs;
	h.n_strings = (uint32_t)b.n_strings;
	h.strings_len = b.strings_len;
	snprintf(h.uuid, sizeof(h.uuid), "%s", ab->uuid);
	buf = p = talloc_size(ctx, total ? total : 1);
	if (!buf) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
#define AB_PUT(src, size)                          \
	do {                                       \
		size_t n_ = (size);                \
		if (n_ != 0)                       \
			memcpy(p, (src), n_);      \
		p += n_;                           \
	} while (0)
	AB_PUT(&h, sizeof(h));
	AB_PUT(b.msgs, b.n_msgs * sizeof(struct ab_msg));
	AB_PUT(b.pairs, b.n_pairs * sizeof(struct ab_pair));
	AB_PUT(b.strtab, b.n_strings * sizeof(struct ab_str));
	AB_PUT(b.strings, b.strings_len);
#undef AB_PUT
	talloc_free(tmp);
	*out = buf;
	*len = total;
	return TRAWL_OK;
}

trawl_status_t
addrbook_format(TALLOC_CTX *ctx, struct addrbook *ab, char **out, size_t *len)
{
	return ab_build(ctx, ab, ab, out, len);
}

trawl_status_t
addrbook_save(struct addrbook *ab)
{
	TALLOC_CTX *tmp;
	struct addrbook *now;
	trawl_status_t ts;
	char *buf, *tmpname;
	size_t len;
	int fd;

	if (!ab->path)
		return TRAWL_USAGE;
	if (ab->n_added == ab->n_saved)
		return TRAWL_OK;
	tmp = talloc_new(NULL);
	now = tmp ? addrbook_open(tmp, ab->path, ab->uuid) : NULL;
	if (!now) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	ts = ab_build(tmp, now, ab, &buf, &len);
	if (ts != TRAWL_OK) {
		talloc_free(tmp);
		return ts;
	}
	util_mkdirs_for(ab->path);
	tmpname = util_tmp_name(tmp, ab->path);
	fd = tmpname ? open(tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)
		     : -1;
	if (fd < 0) {
		talloc_free(tmp);
		return TRAWL_IO;
	}
	if (util_write_all(fd, buf, len) < 0) {
		close(fd);
		unlink(tmpname);
		talloc_free(tmp);
		return TRAWL_IO;
	}
	if (close(fd) < 0 || rename(tmpname, ab->path) < 0) {
		unlink(tmpname);
		talloc_free(tmp);
		return TRAWL_IO;
	}
	ab->n_saved = ab->n_added;
	talloc_free(tmp);
	return TRAWL_OK;
}
