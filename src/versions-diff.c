/*
 * versions-diff: two renders of a message compared section by section.
 * See include/trawl/versions-diff.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/versions-diff.h"
#include "trawl/versions.h"

const char *
versions_diff_mark(enum versions_diff_kind kind)
{
	switch (kind) {
	case VERSIONS_DIFF_SAME:
		return "  ";
	case VERSIONS_DIFF_DEL:
		return "- ";
	case VERSIONS_DIFF_ADD:
		return "+ ";
	default:
		return "";
	}
}

static uint64_t
diff_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct diff_seq {
	const char *const *s;
	const uint64_t *h;
};

static int
diff_eq(const struct diff_seq *a, size_t i, const struct diff_seq *b, size_t j)
{
	return a->h[i] == b->h[j] && !strcmp(a->s[i], b->s[j]);
}

/*
 * The furthest x a path of d edits reaches on diagonal k (x - y = k) before
 * its snake, from the furthest points of round d - 1 in prev (indexed
 * k + d - 1): down from diagonal k + 1 (an insertion) or right from k - 1
 * (a deletion), whichever goes further, never past the end of a or b.
 * -1 when neither can.  *down says which.
 */
static long
diff_step(const long *prev, long d, long k, size_t n, size_t m, int *down)
{
	long ins = -1, del = -1;

	if (k + 1 <= d - 1 && prev[k + 1 + d - 1] >= 0 && prev[k + 1 + d - 1] - (k + 1) < (long)m)
		ins = prev[k + 1 + d - 1];
	if (k - 1 >= -(d - 1) && prev[k - 1 + d - 1] >= 0 && prev[k - 1 + d - 1] < (long)n)
		del = prev[k - 1 + d - 1] + 1;
	*down = ins >= del;
	return ins >= del ? ins : del;
}

/*
 * Myers' greedy algorithm on a[0..n) and b[0..m) (the middle, after the
 * common start and end): writes the edit script at ops (at most n + m
 * steps) and returns its length, or -1 when more than max edits are
 * needed (or on out-of-memory).  Round d keeps the furthest point each
 * diagonal reaches with d edits; the rounds are kept to trace the script
 * back from (n, m).
 */
static long
diff_myers(const struct diff_seq *a, size_t n, const struct diff_seq *b, size_t m, long max,
           char *ops)
{
	long **trace = calloc((size_t)max + 1, sizeof(long *));
	long d, k, x, y, len = 0;
	char *rev = NULL;
	int down, found = 0;

	if (!trace)
		return -1;
	for (d = 0; d <= max && !found; d++) {
		long *v = trace[d] = malloc((size_t)(2 * d + 1) * sizeof(long));

		if (!v)
			goto fail;
		for (k = -d; k <= d; k++) {
			v[k + d] = -1;
			if ((k + d) % 2)
				continue;
			x = d == 0 ? 0 : diff_step(trace[d - 1], d, k, n, m, &down);
			if (x < 0)
				continue;
			y = x - k;
			while ((size_t)x < n && (size_t)y < m &&
			       diff_eq(a, (size_t)x, b, (size_t)y))
				x++, y++;
			v[k + d] = x;
			found |= (size_t)x == n && (size_t)y == m;
		}
	}
	if (!found)
		goto fail;
	/* Back from (n, m): each round gives one edit and the snake after it. */
	rev = malloc(n + m + 1);
	if (!rev)
		goto fail;
	x = (long)n;
	y = (long)m;
	for (long e = d - 1; e > 0; e--) {
		long kk = x - y, px = diff_step(trace[e - 1], e, kk, n, m, &down);
		long after_x = px, after_y = px - kk;

		/* px is where the edit of round e lands; the snake goes from there to (x, y). */
		while (x > after_x && y > after_y)
			rev[len++] = '=', x--, y--;
		rev[len++] = down ? '+' : '-';
		if (down)
			y--;
		else
			x--;
	}
	while (x > 0 && y > 0)
		rev[len++] = '=', x--, y--;
	for (long i = 0; i < len; i++)
		ops[i] = rev[len - 1 - i];
	free(rev);
	for (long i = 0; i <= max && trace[i]; i++)
		free(trace[i]);
	free(trace);
	return len;
fail:
	free(rev);
	for (long i = 0; i <= max && trace[i]; i++)
		free(trace[i]);
	free(trace);
	return -1;
}

trawl_status_t
versions_diff_lines(TALLOC_CTX *ctx, const char *const *a, size_t na, const char *const *b,
                    size_t nb, char **out, size_t *n_out, int *exact)
{
	uint64_t *ha = talloc_array(ctx, uint64_t, na + 1),
	         *hb = talloc_array(ctx, uint64_t, nb + 1);
	char *ops = talloc_array(ctx, char, na + nb + 1);
	size_t pre = 0, suf = 0, len = 0;
	struct diff_seq sa = {a, ha}, sb = {b, hb}, ma, mb;
	long mid;

	*out = NULL;
	*n_out = 0;
	*exact = 1;
	if (!ha || !hb || !ops) {
		talloc_free(ha);
		talloc_free(hb);
		talloc_free(ops);
		return TRAWL_NOMEM;
	}
	for (size_t i = 0; i < na; i++)
		ha[i] = diff_hash(a[i]);
	for (size_t i = 0; i < nb; i++)
		hb[i] = diff_hash(b[i]);
	while (pre < na && pre < nb && diff_eq(&sa, pre, &sb, pre))
		pre++;
	while (suf < na - pre && suf < nb - pre && diff_eq(&sa, na - 1 - suf, &sb, nb - 1 - suf))
		suf++;
	memset(ops, '=', pre);
	len = pre;
	ma = (struct diff_seq){a + pre, ha + pre};
	mb = (struct diff_seq){b + pre, hb + pre};
	{
		size_t n = na - pre - suf, m = nb - pre - suf;
		long max = (long)(n + m) < VERSIONS_DIFF_MAX_EDITS ? (long)(n + m)
		                                                   : VERSIONS_DIFF_MAX_EDITS;

		mid = n + m ? diff_myers(&ma, n, &mb, m, max, ops + len) : 0;
		if (mid < 0) {
			/* Too different for a line diff (or no memory for one): all out, all in. */
			memset(ops + len, '-', n);
			memset(ops + len + n, '+', m);
			mid = (long)(n + m);
			*exact = 0;
		}
	}
	len += (size_t)mid;
	memset(ops + len, '=', suf);
	len += suf;
	talloc_free(ha);
	talloc_free(hb);
	*out = ops;
	*n_out = len;
	return TRAWL_OK;
}

/* ------------------------------------------------------------ the result */

struct diff_out {
	struct versions_diff *d;
	size_t cap;
	int failed;
};

static void
diff_add(struct diff_out *o, enum versions_diff_kind kind, const char *text)
{
	struct versions_diff *d = o->d;

	if (o->failed)
		return;
	if (d->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct versions_diff_line *v =
		        talloc_realloc(d, d->lines, struct versions_diff_line, cap);

		if (!v) {
			o->failed = 1;
			return;
		}
		d->lines = v;
		o->cap = cap;
	}
	d->lines[d->n].kind = kind;
	d->lines[d->n].text = talloc_strdup(d->lines, text);
	if (!d->lines[d->n].text) {
		o->failed = 1;
		return;
	}
	d->n++;
}

/*
 * Adds one section: its title, then its lines with VERSIONS_DIFF_CONTEXT
 * lines of context around each change; "the same" when nothing changed.
 * Returns the section's part of the summary ("1 removed, 2 added").
 */
static char *
diff_section(struct diff_out *o, TALLOC_CTX *tmp, const char *title, const char *const *a,
             size_t na, const char *const *b, size_t nb, const char *empty)
{
	char *ops, *said;
	size_t n_ops, ia = 0, ib = 0, removed = 0, added = 0;
	int exact;

	diff_add(o, VERSIONS_DIFF_SECTION, title);
	if (versions_diff_lines(tmp, a, na, b, nb, &ops, &n_ops, &exact) != TRAWL_OK) {
		o->failed = 1;
		return NULL;
	}
	for (size_t i = 0; i < n_ops; i++) {
		removed += ops[i] == '-';
		added += ops[i] == '+';
	}
	if (!removed && !added) {
		diff_add(o, VERSIONS_DIFF_NOTE, na ? "the same" : empty);
		return talloc_strdup(tmp, "the same");
	}
	if (!exact)
		diff_add(o, VERSIONS_DIFF_NOTE,
		         "too many changes for a line diff: the differing part is shown removed, "
		         "then added");
	for (size_t i = 0; i < n_ops;) {
		if (ops[i] != '=') {
			diff_add(o, ops[i] == '-' ? VERSIONS_DIFF_DEL : VERSIONS_DIFF_ADD,
			         ops[i] == '-' ? a[ia++] : b[ib++]);
			i++;
			continue;
		}
		/* A run of equal lines: context after the change before it, before the next. */
		size_t end = i, keep_head, keep_tail;

		while (end < n_ops && ops[end] == '=')
			end++;
		keep_head = i == 0 ? 0 : VERSIONS_DIFF_CONTEXT;
		keep_tail = end == n_ops ? 0 : VERSIONS_DIFF_CONTEXT;
		if (end - i < keep_head + keep_tail + 3) {
			for (; i < end; i++, ia++, ib++)
				diff_add(o, VERSIONS_DIFF_SAME, a[ia]);
			continue;
		}
		for (size_t k = 0; k < keep_head; k++, i++, ia++, ib++)
			diff_add(o, VERSIONS_DIFF_SAME, a[ia]);
		{
			size_t skipped = end - i - keep_tail;
			char *note = talloc_asprintf(tmp, "… %zu line%s the same …", skipped,
			                             skipped == 1 ? "" : "s");

			diff_add(o, VERSIONS_DIFF_SKIP, note ? note : "…");
			i += skipped;
			ia += skipped;
			ib += skipped;
		}
		for (; i < end; i++, ia++, ib++)
			diff_add(o, VERSIONS_DIFF_SAME, a[ia]);
	}
	o->d->removed += removed;
	o->d->added += added;
	said = removed ? talloc_asprintf(tmp, "%zu removed", removed) : talloc_strdup(tmp, "");
	if (said && added)
		said = talloc_asprintf_append(said, "%s%zu added", removed ? ", " : "", added);
	return said;
}

/* The lines a section compares, from one render. */
struct diff_text {
	const char **headers, **body, **atts;
	size_t n_headers, n_body, n_atts;
};

static int
diff_text_of(TALLOC_CTX *ctx, const struct render_message *r, char *const *hashes, size_t n_hashes,
             struct diff_text *t)
{
	t->headers = talloc_array(ctx, const char *, r->n_headers + 1);
	t->body = talloc_array(ctx, const char *, r->n_lines + 1);
	t->atts = talloc_array(ctx, const char *, r->n_attachments + 1);
	t->n_headers = t->n_body = t->n_atts = 0;
	if (!t->headers || !t->body || !t->atts)
		return -1;
	for (size_t i = 0; i < r->n_headers; i++) {
		const struct render_header *h = &r->headers[i];

		if (versions_is_transport_header(h->name, strlen(h->name)))
			continue;
		if (!(t->headers[t->n_headers++] =
		              talloc_asprintf(t->headers, "%s: %s", h->name, h->value)))
			return -1;
	}
	for (size_t i = 0; i < r->n_lines; i++)
		t->body[t->n_body++] = r->lines[i].text;
	/* Empty lines at the very end are line breaks the rule leaves out (versions.h). */
	while (t->n_body > 0 && !*t->body[t->n_body - 1])
		t->n_body--;
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct render_attachment *a = &r->attachments[i];

		if (!(t->atts[t->n_atts++] = talloc_asprintf(
		              t->atts, "%s  %s  %zu bytes  sha256 %s",
		              *a->filename ? a->filename : "(no name)", a->mime_type, a->size,
		              a->index >= 1 && (size_t)a->index <= n_hashes ? hashes[a->index - 1]
		                                                            : "(not hashed)")))
			return -1;
	}
	return 0;
}

trawl_status_t
versions_diff_renders(TALLOC_CTX *ctx, const struct render_message *a, char *const *ha, size_t nha,
                      const struct render_message *b, char *const *hb, size_t nhb,
                      struct versions_diff **out)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct versions_diff *d = talloc_zero(ctx, struct versions_diff);
	struct diff_out o = {d, 0, 0};
	struct diff_text ta, tb;
	char *h, *body, *att;

	*out = NULL;
	if (!tmp || !d || diff_text_of(tmp, a, ha, nha, &ta) < 0 ||
	    diff_text_of(tmp, b, hb, nhb, &tb) < 0)
		goto nomem;
	h = diff_section(&o, tmp, "Headers", ta.headers, ta.n_headers, tb.headers, tb.n_headers,
	                 "no header");
	body = diff_section(&o, tmp, "Body", ta.body, ta.n_body, tb.body, tb.n_body, "empty");
	att = diff_section(&o, tmp, "Attachments", ta.atts, ta.n_atts, tb.atts, tb.n_atts, "none");
	if (o.failed || !h || !body || !att)
		goto nomem;
	d->summary = talloc_asprintf(d, "headers: %s; body: %s; attachments: %s", h, body, att);
	if (!d->summary)
		goto nomem;
	talloc_free(tmp);
	*out = d;
	return TRAWL_OK;
nomem:
	talloc_free(tmp);
	talloc_free(d);
	return TRAWL_NOMEM;
}

trawl_status_t
versions_diff_files(TALLOC_CTX *ctx, const char *a, const char *b, struct versions_diff **out,
                    char **error)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *path[2] = {a, b};
	struct render_message *r[2];
	char **h[2];
	size_t nh[2];
	trawl_status_t ts = TRAWL_OK;

	*out = NULL;
	*error = NULL;
	if (!tmp)
		return TRAWL_NOMEM;
	for (int i = 0; i < 2 && ts == TRAWL_OK; i++) {
		ts = render_file(tmp, path[i], NULL, &r[i]);
		if (ts == TRAWL_OK)
			ts = render_attachment_hashes(tmp, path[i], &h[i], &nh[i]);
		if (ts == TRAWL_IO)
			*error = talloc_asprintf(ctx, "cannot read the message file %s", path[i]);
	}
	if (ts == TRAWL_OK)
		ts = versions_diff_renders(ctx, r[0], h[0], nh[0], r[1], h[1], nh[1], out);
	talloc_free(tmp);
	return ts;
}
