/*
 * view-thread: one thread as a reply tree.  Each message has a summary
 * line (indented by reply depth); expanded messages show their headers,
 * rendered body and attachments.  Messages already reviewed start
 * collapsed.  Bodies are rendered (render module) when first expanded and
 * wrapped to the pane width; the display lines are rebuilt on resize or
 * when a message is toggled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wctype.h>

#include "trawl/bg.h"
#include "trawl/render-job.h"
#include "trawl/render.h"
#include "trawl/thread.h"
#include "trawl/versionmap.h"
#include "trawl/view.h"

#define THREAD_MAX_INDENT 16 /* columns of reply-depth indentation at most */
#define THREAD_QUOTE_KEEP 3  /* quoted lines kept visible when quotes are folded */

/*
 * A display row.  Rows of trawl's own text (summaries, headers, notes)
 * hold their glyphs in run; a body row holds only where it is (render line
 * src, glyphs from..to) and is decoded again when drawn: a 30 MB raw source
 * lays out as 500,000 small rows, not as 24 bytes of glyph per byte.
 */
struct tv_line {
	size_t msg;
	int indent;
	enum screen_attr attr;
	const struct text_run *run; /* NULL for a body row */
	size_t src;                 /* body row: index in the message's render lines */
	size_t from, to;
	int summary; /* the message's summary line */
	int pending; /* placeholder for a body not rendered yet */
};

struct tv_rows {
	struct tv_line *v;
	size_t n, cap;
};

/*
 * A message's rows are its head (title for the first message, summary,
 * headers, tags: rebuilt by every layout), its body (laid out in slices
 * and kept while the width, quote folding and rendering stay the same)
 * and one tail row: a blank line, or while the body is being laid out,
 * how far that has got.
 */
struct tv_message {
	const struct index_message *m; /* the model's message */
	unsigned char *conn; /* its reply-tree connectors, one per level below the top (TREE_*) */
	char *tree;          /* the prefix drawn from them at the current width ("│ ├─") */
	int expanded;
	enum render_mode mode;
	struct render_message *r; /* NULL until first expanded */
	char *render_error;
	struct render_job *rj; /* rendering in a child */
	int render_queued;     /* waiting for a render job slot */
	TALLOC_CTX *mem;       /* owns r and rj */
	struct tv_rows head, body;
	TALLOC_CTX *body_mem; /* the note runs of body rows */
	int body_width, body_fold;
	const struct render_message *body_r; /* what body was laid out from */
	size_t next_src;                     /* the next render line to lay out */
	int body_done;
	struct tv_line tail;
	int has_tail;
	int show_body; /* the body rows are shown (expanded and rendered) */
	int marked;    /* marked for a command (`;`) */
	TALLOC_CTX *tail_mem;
	char *file; /* another file of the message shown instead of the first (versions), or NULL */
};

struct threadview {
	struct thread *th; /* the model */
	unsigned serial;   /* the model's serial the lines were laid out for */
	struct tv_message *msgs;
	size_t n_msgs;
	size_t *starts; /* starts[i]: the first row of message i; starts[n_msgs]: the row count */
	size_t n_lines;
	TALLOC_CTX *line_mem; /* the head rows' runs, rebuilt with them */
	int width;
	size_t cursor, top;
	int fold_quotes;
	unsigned render_budget; /* bodies a layout may still render */
	struct app_job *job;
	char status[80]; /* the job's status line text while it works */
	/* Highlighted text: the query's terms when the thread opened, or a find. */
	wchar_t **pats; /* lower case */
	size_t n_pats;
	char *find;    /* the find's text, NULL when the highlights are the query's */
	int highlight; /* draw the highlights */
	/*
	 * Toggled since the rows were laid out: they are laid out again when
	 * next drawn or moved on, not by each toggle, so that toggles typed
	 * ahead of a slow render (h H V o, then q q q) cost one layout.
	 */
	int stale;
	unsigned versions_serial; /* the versions map's serial the summaries show */
};

static const struct text_run *thread_row_run(const struct threadview *tv, TALLOC_CTX *tmp,
					     const struct tv_line *line, const struct tv_line **last,
					     struct text_run **last_run);
static int thread_find_row(struct threadview *tv, size_t from, size_t end, int forward,
			   int *stopped);

/* Message bodies rendered per layout; the rest as they come into view. */
#define THREAD_RENDER_BUDGET 12
/* Layout time per slice: a long body goes on in the next poll, keys in between. */
#define THREAD_SLICE_NS 8000000L

static void
rows_add(struct threadview *tv, struct tv_rows *rows, const struct tv_line *line)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 16;
		rows->v = talloc_realloc(tv, rows->v, struct tv_line, rows->cap);
		if (!rows->v)
			abort();
	}
	rows->v[rows->n++] = *line;
}

/* The file message tm is read from: its first, or the one chosen among its versions. */
static const char *
msg_file(const struct tv_message *tm)
{
	return tm->file ? tm->file : tm->m->filename;
}

static size_t
body_rows(const struct tv_message *tm)
{
	return tm->show_body ? tm->body.n : 0;
}

static size_t
msg_rows(const struct tv_message *tm)
{
	return tm->head.n + body_rows(tm) + (size_t)tm->has_tail;
}

/* Recounts where each message's rows start. */
static void
thread_count(struct threadview *tv)
{
	size_t n = 0;

	for (size_t i = 0; i < tv->n_msgs; i++) {
		tv->starts[i] = n;
		n += msg_rows(&tv->msgs[i]);
	}
	tv->starts[tv->n_msgs] = n;
	tv->n_lines = n;
}

/* The message that row l belongs to. */
static size_t
row_msg(const struct threadview *tv, size_t l)
{
	size_t lo = 0, hi = tv->n_msgs;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tv->starts[mid] <= l)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static const struct tv_line *
row_at(const struct threadview *tv, size_t l)
{
	const struct tv_message *tm = &tv->msgs[row_msg(tv, l)];
	size_t k = l - tv->starts[row_msg(tv, l)];

	if (k < tm->head.n)
		return &tm->head.v[k];
	k -= tm->head.n;
	if (k < body_rows(tm))
		return &tm->body.v[k];
	return &tm->tail;
}

/* ------------------------------------------------------------ reply tree */

enum { TREE_SPACE, TREE_VERT, TREE_TEE, TREE_ELBOW };

/*
 * Works out each message's connectors from depths in reply-tree order: a
 * message has a next sibling if a later message of the same depth comes
 * before any shallower one (one backward pass, O(messages + depth)).
 */
static void
thread_tree(struct threadview *tv)
{
	size_t n = tv->n_msgs;
	int max_depth = 0, top = -1;
	unsigned char *next_sib, *seen, *cont;

	for (size_t i = 0; i < n; i++)
		if (tv->msgs[i].m->depth > max_depth)
			max_depth = tv->msgs[i].m->depth;
	next_sib = talloc_zero_array(tv, unsigned char, n + 1);
	seen = talloc_zero_array(tv, unsigned char, (size_t)max_depth + 2);
	cont = talloc_zero_array(tv, unsigned char, (size_t)max_depth + 2);
	if (!next_sib || !seen || !cont)
		abort();
	for (size_t i = n; i-- > 0;) {
		int d = tv->msgs[i].m->depth;

		for (; top > d; top--)
			seen[top] = 0;
		next_sib[i] = seen[d];
		seen[d] = 1;
		if (d > top)
			top = d;
	}
	for (size_t i = 0; i < n; i++) {
		struct tv_message *tm = &tv->msgs[i];
		int d = tm->m->depth;

		cont[d] = next_sib[i];
		tm->conn = talloc_zero_array(tv, unsigned char, d > 0 ? (size_t)d : 1);
		if (!tm->conn)
			abort();
		/* Level k (1..d-1): a line goes on where that ancestor has a later sibling. */
		for (int k = 1; k < d; k++)
			tm->conn[k - 1] = cont[k] ? TREE_VERT : TREE_SPACE;
		if (d > 0)
			tm->conn[d - 1] = next_sib[i] ? TREE_TEE : TREE_ELBOW;
	}
	talloc_free(next_sib);
	talloc_free(seen);
	talloc_free(cont);
}

/*
 * The prefix of a message at most max_cols wide: two columns a level; a
 * deeper reply keeps its last levels and says how many it left out
 * ("⋯12 "), so no structure is dropped, only drawn shorter.
 */
static char *
thread_tree_prefix(TALLOC_CTX *ctx, const struct tv_message *tm, int max_cols)
{
	static const char *const utf8[] = {"  ", "\u2502 ", "\u251c\u2500", "\u2514\u2500"};
	static const char *const ascii[] = {"  ", "| ", "|-", "`-"};
	const char *const *pieces = text_locale_is_utf8() ? utf8 : ascii;
	int d = tm->m->depth, from = 0;
	char *out = talloc_strdup(ctx, "");

	if (d > 0 && 2 * d > max_cols) {
		char mark[32];
		int keep;

		snprintf(mark, sizeof(mark), "%s%d ", text_locale_is_utf8() ? "\u22ef" : "...", d);
		keep = (max_cols - (int)text_width(mark, strlen(mark))) / 2;
		if (keep < 1)
			keep = 1;
		from = d - keep;
		out = talloc_asprintf_append(out, "%s", mark);
	}
	for (int k = from; k < d && out; k++)
		out = talloc_asprintf_append(out, "%s", pieces[tm->conn[k]]);
	return out;
}

/* A run of prefix (trawl's own text) followed by run; NULL on out-of-memory. */
static struct text_run *
thread_prefix_run(TALLOC_CTX *ctx, const char *prefix, const struct text_run *run)
{
	struct text_run *p, *out;

	if (!prefix || !*prefix)
		return (struct text_run *)run;
	if (text_decode(ctx, prefix, strlen(prefix), 0, &p) != TRAWL_OK)
		return NULL;
	out = talloc_zero(ctx, struct text_run);
	if (!out)
		return NULL;
	out->glyphs = talloc_array(out, struct text_glyph, p->len + run->len + 1);
	if (!out->glyphs)
		return NULL;
	memcpy(out->glyphs, p->glyphs, p->len * sizeof(*p->glyphs));
	memcpy(out->glyphs + p->len, run->glyphs, run->len * sizeof(*run->glyphs));
	out->len = p->len + run->len;
	out->cols = p->cols + run->cols;
	return out;
}

/* ------------------------------------------------------------ highlights */

/* Lower-case wide copy of UTF-8 s (invalid bytes skipped); NULL if empty. */
static wchar_t *
thread_pattern(TALLOC_CTX *ctx, const char *s)
{
	size_t len = strlen(s), n = 0;
	wchar_t *w = talloc_array(ctx, wchar_t, len + 1);
	mbstate_t st;

	if (!w)
		return NULL;
	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, len, &st);

		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			memset(&st, 0, sizeof(st));
			s++;
			len--;
			continue;
		}
		w[n++] = (wchar_t)towlower((wint_t)wc);
		s += r;
		len -= r;
	}
	w[n] = L'\0';
	if (n == 0) {
		talloc_free(w);
		return NULL;
	}
	return w;
}

static void
thread_add_pattern(struct threadview *tv, const char *text)
{
	wchar_t *w = thread_pattern(tv, text);

	if (!w)
		return;
	tv->pats = talloc_realloc(tv, tv->pats, wchar_t *, tv->n_pats + 1);
	if (!tv->pats)
		abort();
	tv->pats[tv->n_pats++] = w;
}

static void
thread_clear_patterns(struct threadview *tv)
{
	for (size_t i = 0; i < tv->n_pats; i++)
		talloc_free(tv->pats[i]);
	TALLOC_FREE(tv->pats);
	tv->n_pats = 0;
	TALLOC_FREE(tv->find);
}

/*
 * The words a notmuch query looks for, to highlight them: free terms,
 * subject: and body: terms and "quoted phrases" (a phrase is one pattern);
 * operators, parentheses, other prefixes (from:, tag:, date:...) and
 * wildcards' '*' are left out.
 */
static void
thread_query_patterns(struct threadview *tv, const char *query)
{
	const char *p = query ? query : "";
	TALLOC_CTX *tmp = talloc_new(NULL);

	while (*p) {
		const char *start;
		char *word, *colon;
		int quoted = 0;

		while (*p == ' ' || *p == '\t' || *p == '(' || *p == ')')
			p++;
		if (!*p)
			break;
		start = p;
		/* A term: up to a space or parenthesis outside quotes. */
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '(' && *p != ')'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		word = talloc_strndup(tmp, start, (size_t)(p - start));
		if (!word)
			break;
		if (!strcasecmp(word, "and") || !strcasecmp(word, "or") || !strcasecmp(word, "not") ||
		    !strcasecmp(word, "xor") || !strcasecmp(word, "near") || !strcmp(word, "*") ||
		    *word == '-' || *word == '+')
			continue;
		colon = strchr(word, ':');
		if (colon && (colon > strchr(word, '"') && strchr(word, '"')))
			colon = NULL; /* a colon inside a phrase */
		if (colon) {
			*colon = '\0';
			if (strcmp(word, "subject") && strcmp(word, "body"))
				continue;
			word = colon + 1;
		}
		/* Phrases lose their quotes, wildcards their star. */
		{
			char *q = word, *o = word;

			for (; *q; q++)
				if (*q != '"')
					*o++ = *q;
			*o = '\0';
			if (o > word && o[-1] == '*')
				o[-1] = '\0';
		}
		if (strlen(word) >= 2)
			thread_add_pattern(tv, word);
	}
	talloc_free(tmp);
}

/* Marks in hit[] (run->len entries) the glyphs inside a match of any pattern. */
static int
thread_hits(const struct threadview *tv, const struct text_run *run, unsigned char *hit)
{
	int any = 0;

	memset(hit, 0, run->len);
	for (size_t g = 0; g < run->len; g++)
		for (size_t k = 0; k < tv->n_pats; k++) {
			const wchar_t *pat = tv->pats[k];
			size_t n = 0;

			while (pat[n] && g + n < run->len &&
			       (wchar_t)towlower((wint_t)run->glyphs[g + n].wc[0]) == pat[n] &&
			       !(run->glyphs[g + n].flags & TEXT_GLYPH_SPECIAL))
				n++;
			if (!pat[n]) {
				memset(hit + g, 1, n);
				any = 1;
			}
		}
	return any;
}


/* Adds text (untrusted) as wrapped lines of at most width columns. */
static void
thread_add_text(struct threadview *tv, struct tv_rows *rows, TALLOC_CTX *mem, size_t msg,
		int indent, enum screen_attr attr, const char *text, int width)
{
	struct text_run *run;
	size_t *breaks, n;

	if (width < 1)
		width = 1;
	if (text_decode(mem, text, strlen(text), 0, &run) != TRAWL_OK ||
	    text_wrap(mem, run, (size_t)width, &breaks, &n) != TRAWL_OK) {
		/* Only out-of-memory gets here (render bounds line length): say so, go on. */
		static const char note[] = "[line not shown: out of memory]";

		if (text_decode(mem, note, sizeof(note) - 1, 0, &run) != TRAWL_OK)
			return;
		rows_add(tv, rows, &(struct tv_line){.msg = msg, .indent = indent, .attr = SCREEN_ERROR, .run = run,
					   .to = run->len});
		return;
	}
	for (size_t i = 0; i < n; i++)
		rows_add(tv, rows,
			 &(struct tv_line){.msg = msg, .indent = indent, .attr = attr, .run = run,
					   .from = breaks[i],
					   .to = i + 1 < n ? breaks[i + 1] : run->len});
}

static enum screen_attr
thread_line_attr(enum render_line_kind kind)
{
	switch (kind) {
	case RENDER_LINE_QUOTE:
		return SCREEN_QUOTE;
	case RENDER_LINE_SIGNATURE:
		return SCREEN_SIGNATURE;
	case RENDER_LINE_HEADER:
		return SCREEN_HEADER;
	case RENDER_LINE_NOTE:
		return SCREEN_NOTE;
	case RENDER_LINE_LINK:
		return SCREEN_LINK;
	case RENDER_LINE_BODY:
	default:
		return SCREEN_NORMAL;
	}
}

/*
 * A message file this long renders in a child (render-job): keys go on
 * while GMime parses it, and a crash on a hostile message stays there.
 * Shorter ones render here at once (a few ms, no fork).
 */
#define THREAD_RENDER_INLINE (256 << 10)
#define THREAD_RENDER_JOBS 4    /* render children at once */
#define THREAD_RENDER_TAKE (1 << 20) /* bytes of their results taken per poll */

static size_t
thread_render_jobs(const struct threadview *tv)
{
	size_t n = 0;

	for (size_t i = 0; i < tv->n_msgs; i++)
		n += tv->msgs[i].rj != NULL;
	return n;
}

static void
thread_render(struct app *app, struct tv_message *tm)
{
	struct render_opts opts = {.mode = tm->mode};
	struct stat st;

	if (tm->r || tm->render_error || tm->rj)
		return;
	if (!tm->mem)
		tm->mem = talloc_new(app->thread);
	if (stat(msg_file(tm), &st) == 0 && st.st_size >= THREAD_RENDER_INLINE) {
		tm->render_queued = thread_render_jobs(app->thread) >= THREAD_RENDER_JOBS;
		if (tm->render_queued ||
		    render_job_start(tm->mem, msg_file(tm), &opts, &tm->rj) == TRAWL_OK)
			return;
		/* No child (fork failed): render here, slow but shown. */
		tm->rj = NULL;
	}
	tm->render_queued = 0;
	if (render_file(tm->mem, msg_file(tm), &opts, &tm->r) != TRAWL_OK)
		tm->render_error = talloc_asprintf(tm->mem, "[cannot read the message file %s]",
						   msg_file(tm));
}

/* Forgets message i's rendering (and stops its child): its mode changed. */
static void
thread_unrender(struct tv_message *tm)
{
	TALLOC_FREE(tm->mem);
	tm->r = NULL;
	tm->rj = NULL;
	tm->render_queued = 0;
	tm->render_error = NULL;
}

static int
msg_indent(const struct tv_message *tm)
{
	return tm->m->depth * 2 > THREAD_MAX_INDENT ? THREAD_MAX_INDENT : tm->m->depth * 2;
}

static long
elapsed_ns(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

/* Sets the tail row: a blank line, or how far the body's layout has got. */
static void
thread_set_tail(struct threadview *tv, size_t i, int width)
{
	struct tv_message *tm = &tv->msgs[i];
	struct tv_rows rows = {0};
	char *note;

	TALLOC_FREE(tm->tail_mem);
	tm->has_tail = 0;
	if (!tm->expanded || (!tm->r && !tm->render_error && !tm->rj && !tm->render_queued))
		return;
	tm->tail_mem = talloc_new(tv);
	if (tm->rj || tm->render_queued)
		note = talloc_strdup(tm->tail_mem, "[rendering a long message…]");
	else if (tm->body_done || !tm->r)
		note = talloc_strdup(tm->tail_mem, "");
	else
		note = talloc_asprintf(tm->tail_mem, "[laying out: %zu of %zu lines]", tm->next_src,
				       tm->r->n_lines);
	thread_add_text(tv, &rows, tm->tail_mem, i, msg_indent(tm) + 2, SCREEN_DIM, note,
			width - msg_indent(tm) - 2);
	if (rows.n) {
		tm->tail = rows.v[0];
		tm->has_tail = 1;
	}
	talloc_free(rows.v);
}

/*
 * Lays out more of message i's body: until it is done, or it has at least
 * min_rows rows and budget_ns have passed since t0.
 */
static void
thread_body_slice(struct threadview *tv, size_t i, int width, const struct timespec *t0,
		  size_t min_rows, long budget_ns)
{
	struct tv_message *tm = &tv->msgs[i];
	const struct render_message *r = tm->r;
	int indent = msg_indent(tm), w = width - indent;
	size_t k = tm->next_src, steps = 0;
	TALLOC_CTX *tmp = talloc_new(NULL);

	while (k < r->n_lines) {
		const struct render_line *rl = &r->lines[k];
		int li = indent + 2 + (rl->depth > 4 ? 8 : rl->depth * 2);
		int lw = w - (li - indent) < 1 ? 1 : w - (li - indent);
		struct text_run *run;
		size_t *breaks, n;

		if ((++steps & 63) == 0) {
			if (tm->body.n >= min_rows && elapsed_ns(t0) > budget_ns)
				break;
			talloc_free_children(tmp);
		}
		if (rl->kind == RENDER_LINE_QUOTE && tm->body_fold) {
			size_t end = k, run_len;

			while (end < r->n_lines && r->lines[end].kind == RENDER_LINE_QUOTE)
				end++;
			run_len = end - k;
			if (run_len > THREAD_QUOTE_KEEP + 1) {
				size_t q;

				for (q = k; q < k + THREAD_QUOTE_KEEP; q++) {
					const char *t = r->lines[q].text;

					if (text_decode(tmp, t, strlen(t), 0, &run) != TRAWL_OK ||
					    text_wrap(tmp, run, (size_t)lw, &breaks, &n) != TRAWL_OK) {
						thread_add_text(tv, &tm->body, tm->body_mem, i, li,
								SCREEN_ERROR,
								"[line not shown: out of memory]", lw);
						continue;
					}
					for (size_t b = 0; b < n; b++)
						rows_add(tv, &tm->body,
							 &(struct tv_line){
								 .msg = i, .indent = li, .attr = SCREEN_QUOTE,
								 .src = q, .from = breaks[b],
								 .to = b + 1 < n ? breaks[b + 1] : run->len});
				}
				thread_add_text(tv, &tm->body, tm->body_mem, i, li, SCREEN_NOTE,
						talloc_asprintf(tmp, "[%zu quoted lines folded: z unfolds]",
								run_len - THREAD_QUOTE_KEEP),
						lw);
				k = end;
				continue;
			}
		}
		if (text_decode(tmp, rl->text, strlen(rl->text), 0, &run) != TRAWL_OK ||
		    text_wrap(tmp, run, (size_t)lw, &breaks, &n) != TRAWL_OK) {
			thread_add_text(tv, &tm->body, tm->body_mem, i, li, SCREEN_ERROR,
					"[line not shown: out of memory]", lw);
		} else {
			for (size_t b = 0; b < n; b++)
				rows_add(tv, &tm->body,
					 &(struct tv_line){.msg = i, .indent = li,
							   .attr = thread_line_attr(rl->kind), .src = k,
							   .from = breaks[b],
							   .to = b + 1 < n ? breaks[b + 1] : run->len});
		}
		k++;
	}
	talloc_free(tmp);
	tm->next_src = k;
	tm->body_done = k >= r->n_lines;
	thread_set_tail(tv, i, width);
}

/* Forgets message i's body rows (its width, folding or rendering changed). */
static void
thread_body_reset(struct threadview *tv, size_t i)
{
	struct tv_message *tm = &tv->msgs[i];

	TALLOC_FREE(tm->body.v);
	tm->body = (struct tv_rows){0};
	TALLOC_FREE(tm->body_mem);
	tm->body_r = NULL;
	tm->next_src = 0;
	tm->body_done = 0;
}

/* Rebuilds message i's head rows; its body is kept if still valid, else started again. */
static void
thread_layout_msg(struct app *app, size_t i, int width)
{
	struct threadview *tv = app->thread;
	struct tv_message *tm = &tv->msgs[i];
	int indent = msg_indent(tm);
	int w = width - indent;
	char date[64], *summary;
	struct tm lt;
	int unreviewed = !tm->m->reviewed;
	struct text_run *run;

	TALLOC_FREE(tm->head.v);
	tm->head = (struct tv_rows){0};
	tm->show_body = 0;
	tm->tree = thread_tree_prefix(tv->line_mem, tm, width / 3 > 8 ? width / 3 : 8);
	if (i == 0) {
		/* A title line: the thread's subject and how much of it is left to review. */
		size_t unrev = tv->th->n_unreviewed;
		char *title;

		title = talloc_asprintf(tv->line_mem, "%s  (%zu message%s, %zu not reviewed)",
					*tm->m->subject ? tm->m->subject : "(no subject)", tv->n_msgs,
					tv->n_msgs == 1 ? "" : "s", unrev);
		thread_add_text(tv, &tm->head, tv->line_mem, 0, 0, SCREEN_TITLE, title, width);
	}
	localtime_r(&tm->m->date, &lt);
	strftime(date, sizeof(date), "%a %d %b %Y %H:%M", &lt);
	summary = talloc_asprintf(tv->line_mem, "%s%s %s  %s%s%s%s%s",
				  tm->expanded ? (text_locale_is_utf8() ? "\u25be" : "-")
					       : (text_locale_is_utf8() ? "\u25b8" : "+"),
				  tm->marked ? " *" : "",
				  tm->m->from, date, *tm->m->tags ? "  (" : "", tm->m->tags,
				  *tm->m->tags ? ")" : "",
				  versionsview_mark(tv->line_mem, app, tm->m->message_id, msg_file(tm)));
	/* The tree prefix is trawl's own text; the summary, from the message, is neutralised. */
	if (text_decode(tv->line_mem, summary, strlen(summary), 0, &run) != TRAWL_OK ||
	    !(run = thread_prefix_run(tv->line_mem, tm->tree, run)))
		abort();
	rows_add(tv, &tm->head,
		 &(struct tv_line){.msg = i, .indent = 0,
				   .attr = unreviewed ? SCREEN_UNREVIEWED : SCREEN_DIM, .run = run,
				   .to = run->len, .summary = 1});
	tm->has_tail = 0;
	if (!tm->expanded)
		return;
	/*
	 * Bodies far from what the reader looks at wait: a 500-message thread
	 * must open at once.  A placeholder line stands in until it is drawn.
	 */
	if (!tm->r && !tm->render_error && !tm->rj && !tm->render_queued) {
		if (tv->render_budget == 0) {
			struct tv_rows rows = {0};

			thread_add_text(tv, &rows, tv->line_mem, i, indent + 2, SCREEN_DIM, "…", w - 2);
			tm->tail = rows.v[0];
			tm->tail.pending = 1;
			tm->has_tail = 1;
			talloc_free(rows.v);
			return;
		}
		tv->render_budget--;
	}
	thread_render(app, tm);
	if (tm->render_error || !tm->r) {
		if (tm->render_error)
			thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_ERROR,
					tm->render_error, w - 2);
		thread_set_tail(tv, i, width);
		return;
	}
	/* What the reviewer has read, for the question when several versions are marked reviewed. */
	versionmap_seen(app->versions, tm->m->message_id, msg_file(tm));
	{
		const char *names[] = {"From", "To", "Cc", "Date", "Subject"};
		const char *values[] = {tm->r->from, tm->r->to, tm->r->cc, tm->r->date,
					tm->r->subject};

		for (int k = 0; k < 5; k++) {
			char *h;

			if (!*values[k] || tm->mode == RENDER_MODE_HEADERS)
				continue;
			h = talloc_asprintf(tv->line_mem, "%s: %s", names[k], values[k]);
			thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_HEADER, h,
					w - 2);
		}
		thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_TAGS,
				talloc_asprintf(tv->line_mem, "Tags: %s", tm->m->tags), w - 2);
		/* The reviewer's note: typed, maybe pasted from mail, so neutralised like mail. */
		if (*tm->m->note)
			thread_add_text(tv, &tm->head, tv->line_mem, i, indent + 2, SCREEN_NOTE,
					talloc_asprintf(tv->line_mem, "Note: %s", tm->m->note),
					w - 2);
		thread_add_text(tv, &tm->head, tv->line_mem, i, indent, SCREEN_NORMAL, "", w);
	}
	if (tm->body_r != tm->r || tm->body_width != width || tm->body_fold != tv->fold_quotes) {
		thread_body_reset(tv, i);
		tm->body_r = tm->r;
		tm->body_width = width;
		tm->body_fold = tv->fold_quotes;
		tm->body_mem = talloc_new(tv);
	}
	tm->show_body = 1;
	thread_set_tail(tv, i, width);
}

static void thread_job_status(struct threadview *tv);

/* The time a layout may spend on bodies before the rest goes to slices. */
#define THREAD_LAYOUT_NS 20000000L

/* Rebuilds the display lines, keeping the cursor on the same message. */
static void
thread_layout(struct app *app, int width)
{
	struct threadview *tv = app->thread;
	size_t cur_msg = tv->n_lines ? row_msg(tv, tv->cursor) : 0;
	size_t offset = tv->n_lines ? tv->cursor - tv->starts[cur_msg] : 0;
	struct timespec t0;
	int rows = app->scr->h > 0 ? app->scr->h : 1;

	talloc_free(tv->line_mem);
	tv->line_mem = talloc_new(tv);
	tv->stale = 0;
	tv->width = width;
	tv->render_budget = THREAD_RENDER_BUDGET;
	for (size_t i = 0; i < tv->n_msgs; i++)
		thread_layout_msg(app, i, width);
	/*
	 * Bodies: each at least a screenful now (the message at the cursor
	 * first); all of them if that fits in the layout's time, else the
	 * rest in slices (threadview_poll).
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t pass = 0; pass <= tv->n_msgs; pass++) {
		size_t i = pass == 0 ? cur_msg : pass - 1;
		struct tv_message *tm;

		if (i >= tv->n_msgs || (pass > 0 && i == cur_msg))
			continue;
		tm = &tv->msgs[i];
		if (tm->expanded && tm->r && !tm->body_done)
			thread_body_slice(tv, i, width, &t0, (size_t)rows * 2, THREAD_LAYOUT_NS);
	}
	thread_count(tv);
	tv->cursor = tv->starts[cur_msg < tv->n_msgs ? cur_msg : 0] + offset;
	if (cur_msg + 1 <= tv->n_msgs && tv->cursor >= tv->starts[cur_msg + 1])
		tv->cursor = tv->starts[cur_msg + 1] ? tv->starts[cur_msg + 1] - 1 : 0;
	if (tv->cursor >= tv->n_lines)
		tv->cursor = tv->n_lines ? tv->n_lines - 1 : 0;
	thread_job_status(tv);
}

/* Says on the status line what is being rendered or laid out; sets busy. */
static void
thread_job_status(struct threadview *tv)
{
	size_t done = 0, total = 0, rendering = 0;

	if (!tv->job)
		return;
	for (size_t i = 0; i < tv->n_msgs; i++) {
		const struct tv_message *tm = &tv->msgs[i];

		rendering += tm->rj || tm->render_queued;
		if (tm->expanded && tm->r && !tm->body_done) {
			done += tm->next_src;
			total += tm->r->n_lines;
		}
	}
	tv->job->busy = total > 0;
	if (rendering)
		snprintf(tv->status, sizeof(tv->status), "rendering %zu long message%s", rendering,
			 rendering == 1 ? "" : "s");
	else if (total)
		snprintf(tv->status, sizeof(tv->status), "laying out: %zu%%",
			 (size_t)(100.0 * (double)done / (double)total));
	tv->job->status = rendering || total ? tv->status : NULL;
}

/*
 * One slice of the bodies still being laid out, those in view first.
 * Rows added above the cursor or the top move them, so what the reader
 * looks at stays put.  Returns nonzero if rows were added.
 */
static int
thread_layout_more(struct app *app, int h)
{
	struct threadview *tv = app->thread;
	struct timespec t0;
	size_t first = tv->n_lines ? row_msg(tv, tv->top) : 0;
	int added = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t pass = 0; pass < 2 && elapsed_ns(&t0) < THREAD_SLICE_NS; pass++)
		for (size_t i = pass ? 0 : first; i < tv->n_msgs && elapsed_ns(&t0) < THREAD_SLICE_NS;
		     i++) {
			struct tv_message *tm = &tv->msgs[i];
			size_t cur_msg, top_msg, grown;

			if (!tm->expanded || !tm->r || tm->body_done)
				continue;
			/* First pass: only what the screen shows. */
			if (!pass && tv->starts[i] >= tv->top + (size_t)h)
				break;
			cur_msg = row_msg(tv, tv->cursor);
			top_msg = row_msg(tv, tv->top);
			grown = tm->body.n;
			thread_body_slice(tv, i, tv->width, &t0, 0, THREAD_SLICE_NS);
			grown = tm->body.n - grown;
			thread_count(tv);
			if (cur_msg > i)
				tv->cursor += grown;
			if (top_msg > i)
				tv->top += grown;
			added = 1;
		}
	thread_job_status(tv);
	return added;
}

static int thread_height(const struct app *app);

/* The summary row of message msg. */
static size_t
thread_msg_line(const struct threadview *tv, size_t msg)
{
	const struct tv_message *tm = &tv->msgs[msg];

	for (size_t k = 0; k < tm->head.n; k++)
		if (tm->head.v[k].summary)
			return tv->starts[msg] + k;
	return tv->starts[msg];
}

/*
 * Takes what the render children sent (a bounded amount per poll) and
 * starts the queued ones as slots free.  Returns nonzero when a message's
 * rendering ended (done or failed).
 */
static int
thread_take_renders(struct app *app)
{
	struct threadview *tv = app->thread;
	size_t budget = THREAD_RENDER_TAKE;
	int ended = 0;

	for (size_t i = 0; i < tv->n_msgs; i++) {
		struct tv_message *tm = &tv->msgs[i];
		struct render_message *r = NULL;
		const char *error = NULL;
		enum render_job_state st;

		if (!tm->rj || budget == 0)
			continue;
		st = render_job_poll(tm->rj, budget, &r, &error);
		budget = budget > RENDER_JOB_BATCH ? budget - RENDER_JOB_BATCH : 0;
		if (st == RENDER_JOB_RUNNING)
			continue;
		if (st == RENDER_JOB_DONE)
			tm->r = r;
		else
			tm->render_error = talloc_asprintf(tm->mem, "[cannot render the message file %s: %s]",
							   msg_file(tm), error ? error : "");
		TALLOC_FREE(tm->rj);
		ended = 1;
	}
	for (size_t i = 0; i < tv->n_msgs; i++)
		if (tv->msgs[i].render_queued && thread_render_jobs(tv) < THREAD_RENDER_JOBS)
			thread_render(app, &tv->msgs[i]);
	thread_job_status(tv);
	return ended;
}

/* The fds to wait on: the model's reader, the render children. */
static int
threadview_fds(const struct app *app, void *ud, int *fds, int max)
{
	const struct threadview *tv = ud;
	int n = 0;

	(void)app;
	if (n < max && bg_fd(tv->th->reader) >= 0)
		fds[n++] = bg_fd(tv->th->reader);
	for (size_t i = 0; i < tv->n_msgs && n < max; i++)
		if (render_job_fd(tv->msgs[i].rj) >= 0)
			fds[n++] = render_job_fd(tv->msgs[i].rj);
	return n;
}

/* The app job: takes the thread model's news (tags a commit changed) and lays out again. */
/* Lays the rows out again if a toggle left them out of date. */
static void
thread_fresh(struct app *app)
{
	if (app->thread && app->thread->stale)
		thread_layout(app, app->thread->width);
}

static int
threadview_poll(struct app *app, void *ud)
{
	struct threadview *tv = ud;
	int frame = 0;

	if (tv != app->thread)
		return 0;
	thread_poll(tv->th);
	frame = thread_take_renders(app);
	if (tv->serial != tv->th->serial || frame ||
	    tv->versions_serial != versionmap_serial(app->versions)) {
		tv->serial = tv->th->serial;
		tv->versions_serial = versionmap_serial(app->versions);
		thread_layout(app, tv->width);
		frame = 1;
	}
	if (tv->job && tv->job->busy && !tv->stale)
		frame |= thread_layout_more(app, thread_height(app) > 0 ? thread_height(app) : 1);
	return frame;
}

trawl_status_t
threadview_open(struct app *app, const char *thread_id)
{
	struct threadview *tv;
	const struct index_message *msgs;
	size_t n;
	trawl_status_t ts;
	size_t first_unreviewed = (size_t)-1;
	char *err = NULL;

	threadview_close(app);
	tv = talloc_zero(app, struct threadview);
	if (!tv)
		abort();
	ts = thread_open(tv, app->idx, thread_id, view_query(app), &tv->th, &err);
	if (ts != TRAWL_OK) {
		app_message(app, 1, "%s", err ? err : trawl_status_str(ts));
		talloc_free(tv);
		return ts;
	}
	msgs = tv->th->msgs;
	n = tv->th->n;
	tv->serial = tv->th->serial;
	tv->msgs = talloc_zero_array(tv, struct tv_message, n ? n : 1);
	tv->starts = talloc_zero_array(tv, size_t, n + 1);
	if (!tv->msgs || !tv->starts)
		abort();
	tv->n_msgs = n;
	tv->fold_quotes = 0;
	for (size_t i = 0; i < n; i++) {
		tv->msgs[i].m = &msgs[i];
		tv->msgs[i].expanded = !msgs[i].reviewed;
		tv->msgs[i].mode = RENDER_MODE_TEXT;
		if (tv->msgs[i].expanded && first_unreviewed == (size_t)-1)
			first_unreviewed = i;
	}
	/* Everything reviewed: open the last message so there is something to read. */
	if (first_unreviewed == (size_t)-1 && n) {
		tv->msgs[n - 1].expanded = 1;
		first_unreviewed = n - 1;
	}
	app->thread = tv;
	thread_follow(tv->th, app->feed);
	versionmap_want(app->versions, &tv->th->thread_id, 1);
	tv->versions_serial = versionmap_serial(app->versions);
	tv->job = app_add_job(app, tv, threadview_poll, threadview_fds, tv);
	thread_tree(tv);
	thread_query_patterns(tv, view_query(app));
	tv->highlight = tv->n_pats > 0;
	thread_layout(app, app->scr->w);
	if (first_unreviewed != (size_t)-1) {
		tv->cursor = thread_msg_line(tv, first_unreviewed);
		/* Keep the title in view when reading starts at the first message. */
		tv->top = first_unreviewed == 0 ? 0 : tv->cursor;
	}
	/* The query's first match in that message comes into view (not past its end). */
	if (tv->highlight && first_unreviewed != (size_t)-1) {
		size_t from = tv->cursor, end = tv->starts[first_unreviewed + 1];

		if (thread_find_row(tv, from, end, 1, NULL) && tv->cursor >= tv->top + (size_t)thread_height(app))
			tv->top = tv->cursor;
		else
			tv->cursor = from;
	}
	return TRAWL_OK;
}

void
threadview_close(struct app *app)
{
	TALLOC_FREE(app->thread);
	if (app->focus == APP_FOCUS_THREAD)
		app->focus = APP_FOCUS_LIST;
}

static void
thread_goto_msg(struct app *app, size_t msg)
{
	struct threadview *tv = app->thread;

	/* A message jumped to is shown from its top, as a pager does. */
	tv->cursor = thread_msg_line(tv, msg);
	tv->top = tv->cursor;
}

/* The next (or previous) reply to the same message as message cur; cur if none. */
static size_t
thread_sibling(const struct threadview *tv, size_t cur, int next)
{
	int d = tv->msgs[cur].m->depth;

	if (next) {
		for (size_t j = cur + 1; j < tv->n_msgs; j++) {
			if (tv->msgs[j].m->depth < d)
				break;
			if (tv->msgs[j].m->depth == d)
				return j;
		}
	} else {
		for (size_t j = cur; j-- > 0;) {
			if (tv->msgs[j].m->depth < d)
				break;
			if (tv->msgs[j].m->depth == d)
				return j;
		}
	}
	return cur;
}

/* Time a find may take at once; it goes on from there at the next n. */
#define THREAD_FIND_NS 200000000L

/*
 * Looks for a row with a highlight from row from (included) towards end
 * (excluded; from > end searches backwards from from - 1 down to end).
 * On a match moves the cursor there and returns 1.  *stopped (if given)
 * is set when time ran out first, with the cursor moved to where it got.
 */
static int
thread_find_row(struct threadview *tv, size_t from, size_t end, int forward, int *stopped)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const struct tv_line *last = NULL;
	struct text_run *last_run = NULL;
	struct timespec t0;
	size_t steps = 0;
	int found = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (stopped)
		*stopped = 0;
	for (size_t l = from; forward ? l < end : l > end;) {
		size_t row = forward ? l : l - 1;
		const struct tv_line *line = row_at(tv, row);
		const struct text_run *run = thread_row_run(tv, tmp, line, &last, &last_run);

		if (run && run->len) {
			unsigned char *hit = talloc_array(tmp, unsigned char, run->len + 1);

			if (hit && thread_hits(tv, run, hit))
				for (size_t g = line->from; g < line->to; g++)
					if (hit[g]) {
						found = 1;
						break;
					}
			talloc_free(hit);
		}
		if (found) {
			tv->cursor = row;
			break;
		}
		if ((++steps & 255) == 0) {
			talloc_free_children(tmp);
			last = NULL;
			if (stopped && elapsed_ns(&t0) > THREAD_FIND_NS) {
				*stopped = 1;
				tv->cursor = row;
				break;
			}
		}
		l = forward ? l + 1 : l - 1;
	}
	talloc_free(tmp);
	return found;
}

/* n / N: the next or previous row with a match, wrapping around the thread once. */
static void
thread_find_step(struct app *app, int forward)
{
	struct threadview *tv = app->thread;
	size_t start = tv->cursor;
	int stopped = 0;

	if (!tv->n_pats) {
		app_message(app, 0, "nothing to find: / finds text in the thread");
		return;
	}
	tv->highlight = 1;
	/* Expanded messages not rendered yet (far from view) are rendered first, for a while. */
	{
		struct timespec t0;
		int rendered = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (size_t i = 0; i < tv->n_msgs && elapsed_ns(&t0) < THREAD_FIND_NS; i++) {
			struct tv_message *tm = &tv->msgs[i];

			if (tm->expanded && !tm->r && !tm->render_error && !tm->rj &&
			    !tm->render_queued) {
				thread_render(app, tm);
				rendered = 1;
			}
		}
		if (rendered) {
			size_t msg = row_msg(tv, start), off = start - tv->starts[msg];

			thread_layout(app, tv->width);
			start = tv->starts[msg] + off;
			if (start >= tv->n_lines)
				start = tv->n_lines ? tv->n_lines - 1 : 0;
			tv->cursor = start;
		}
	}
	if (forward ? thread_find_row(tv, start + 1, tv->n_lines, 1, &stopped)
		    : thread_find_row(tv, start, 0, 0, &stopped))
		goto found;
	if (stopped) {
		app_message(app, 0, "still looking (%zu%% of the thread): n goes on",
			    tv->n_lines ? tv->cursor * 100 / tv->n_lines : 0);
		return;
	}
	if (forward ? thread_find_row(tv, 0, start + 1, 1, &stopped)
		    : thread_find_row(tv, tv->n_lines, start, 0, &stopped)) {
		app_message(app, 0, forward ? "search went past the end: from the top"
					    : "search went past the top: from the end");
		view_scroll_to(tv->cursor, &tv->top, tv->n_lines, thread_height(app));
		return;
	}
	tv->cursor = start;
	app_message(app, 0, stopped ? "still looking: n goes on"
				    : "not found in the messages shown (O opens them all)");
	return;
found:
	if (tv->find)
		app_message(app, 0, "find '%s': n next, N previous, Escape ends the find", tv->find);
}

/* The find prompt's answer: its text is the only highlight, then the first match. */
static void
thread_find_done(struct app *app, const char *line, void *data)
{
	struct threadview *tv = app->thread;

	(void)data;
	if (!tv || !*line)
		return;
	thread_clear_patterns(tv);
	tv->find = talloc_strdup(tv, line);
	thread_add_pattern(tv, line);
	thread_find_step(app, 1);
}

int
threadview_end_find(struct app *app)
{
	struct threadview *tv = app->thread;

	if (!tv || !tv->find)
		return 0;
	thread_clear_patterns(tv);
	tv->highlight = 0;
	app_message(app, 0, "find ended");
	return 1;
}

int
threadview_command(struct app *app, const char *name)
{
	struct threadview *tv = app->thread;
	size_t cur;

	if (!tv || !tv->n_lines)
		return 0;
	/*
	 * Toggles need only the current message, which rows out of date still
	 * give (a layout keeps the cursor on its message); the other commands
	 * move by row, so the rows must be fresh.
	 */
	if (strncmp(name, "toggle", 6) != 0)
		thread_fresh(app);
	cur = row_msg(tv, tv->cursor);
	if (!strcmp(name, "toggle")) {
		tv->msgs[cur].expanded = !tv->msgs[cur].expanded;
	} else if (!strcmp(name, "toggle-all")) {
		int any_collapsed = 0;

		for (size_t i = 0; i < tv->n_msgs; i++)
			any_collapsed |= !tv->msgs[i].expanded;
		for (size_t i = 0; i < tv->n_msgs; i++)
			tv->msgs[i].expanded = any_collapsed;
	} else if (!strcmp(name, "next-message") || !strcmp(name, "prev-message")) {
		int next = name[0] == 'n';

		if (next ? cur + 1 >= tv->n_msgs : cur == 0) {
			app_message(app, 0, next ? "last message" : "first message");
			return 1;
		}
		/* prev-message from inside a message goes to its own start first. */
		if (!next && tv->cursor != thread_msg_line(tv, cur))
			thread_goto_msg(app, cur);
		else
			thread_goto_msg(app, next ? cur + 1 : cur - 1);
		return 1;
	} else if (!strcmp(name, "next-unreviewed")) {
		if (tv->find) {
			thread_find_step(app, 1);
			return 1;
		}
		for (size_t i = cur + 1; i < tv->n_msgs; i++)
			if (!tv->msgs[i].m->reviewed) {
				tv->msgs[i].expanded = 1;
				thread_layout(app, tv->width);
				thread_goto_msg(app, i);
				return 1;
			}
		app_message(app, 0, "no unreviewed message below in this thread");
		return 1;
	} else if (!strcmp(name, "toggle-headers") || !strcmp(name, "toggle-html") ||
		   !strcmp(name, "toggle-raw")) {
		struct tv_message *tm = &tv->msgs[cur];
		enum render_mode want = name[7] == 'h' && name[8] == 'e' ? RENDER_MODE_HEADERS
					: name[7] == 'h'		  ? RENDER_MODE_HTML
									  : RENDER_MODE_RAW;

		tm->mode = tm->mode == want ? RENDER_MODE_TEXT : want;
		tm->expanded = 1;
		thread_body_reset(tv, cur);
		thread_unrender(tm);
	} else if (!strcmp(name, "toggle-quotes")) {
		tv->fold_quotes = !tv->fold_quotes;
	} else if (!strcmp(name, "parent-message")) {
		if (tv->msgs[cur].m->parent < 0)
			app_message(app, 0, "a message at the top of the thread has no parent");
		else
			thread_goto_msg(app, (size_t)tv->msgs[cur].m->parent);
		return 1;
	} else if (!strcmp(name, "next-sibling") || !strcmp(name, "prev-sibling")) {
		size_t j = thread_sibling(tv, cur, name[0] == 'n');

		if (j == cur)
			app_message(app, 0, name[0] == 'n' ? "no later reply to the same message"
							    : "no earlier reply to the same message");
		else
			thread_goto_msg(app, j);
		return 1;
	} else if (!strcmp(name, "find")) {
		app_prompt(app, "find in thread: ", tv->find ? tv->find : "", NULL, thread_find_done,
			   NULL);
		return 1;
	} else if (!strcmp(name, "find-next") || !strcmp(name, "find-prev")) {
		thread_find_step(app, name[5] == 'n');
		return 1;
	} else if (!strcmp(name, "toggle-highlight")) {
		tv->highlight = !tv->highlight && tv->n_pats;
		app_message(app, 0, tv->n_pats ? (tv->highlight ? "highlights on" : "highlights off")
					       : "nothing to highlight (/ finds text)");
		return 1;
	} else {
		return 0;
	}
	/* Only toggles get here: the rows are laid out when next drawn or moved on. */
	tv->stale = 1;
	return 1;
}

/*
 * The glyphs of a row: its own run, or for a body row its render line
 * decoded again (once for consecutive rows of one line: *last, *last_run).
 */
static const struct text_run *
thread_row_run(const struct threadview *tv, TALLOC_CTX *tmp, const struct tv_line *line,
	       const struct tv_line **last, struct text_run **last_run)
{
	const struct tv_message *tm;
	const char *t;

	if (line->run)
		return line->run;
	tm = &tv->msgs[line->msg];
	if (!tm->r || line->src >= tm->r->n_lines)
		return NULL;
	t = tm->r->lines[line->src].text;
	if (!*last || (*last)->msg != line->msg || (*last)->src != line->src) {
		if (text_decode(tmp, t, strlen(t), 0, last_run) != TRAWL_OK)
			*last_run = NULL;
		*last = line;
	}
	return *last_run;
}

static void
thread_draw(struct app *app, int x, int y, int w, int h)
{
	struct threadview *tv = app->thread;
	TALLOC_CTX *tmp;
	const struct tv_line *last = NULL;
	struct text_run *last_run = NULL;

	if (tv->width != w || tv->stale)
		thread_layout(app, w);
	view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	/* Render the bodies that came into view (bounded: each pass renders some). */
	for (int pass = 0; pass < 8; pass++) {
		int pending = 0;

		for (size_t l = tv->top; l < tv->top + (size_t)h && l < tv->n_lines; l++) {
			const struct tv_line *line = row_at(tv, l);

			if (line->pending) {
				thread_render(app, &tv->msgs[line->msg]);
				pending = 1;
			}
		}
		if (!pending)
			break;
		thread_layout(app, w);
		view_scroll_to(tv->cursor, &tv->top, tv->n_lines, h);
	}
	tmp = talloc_new(NULL);
	for (int i = 0; i < h; i++) {
		size_t l = tv->top + (size_t)i;
		const struct tv_line *line;
		const struct text_run *run;
		enum screen_attr attr;
		unsigned char *hit = NULL;

		if (l >= tv->n_lines)
			break;
		line = row_at(tv, l);
		run = thread_row_run(tv, tmp, line, &last, &last_run);
		attr = l == tv->cursor ? SCREEN_SELECTED : line->attr;
		screen_fill(app->scr, x, y + i, w, l == tv->cursor ? SCREEN_SELECTED : SCREEN_NORMAL);
		if (!run)
			continue;
		if (tv->highlight && tv->n_pats && (hit = talloc_array(tmp, unsigned char, run->len + 1)) &&
		    !thread_hits(tv, run, hit))
			hit = NULL;
		/* Runs of glyphs with or without a match, each in its own attribute. */
		for (size_t g = line->from, col = 0; g < line->to && (int)col < w - line->indent;) {
			size_t e = g + 1;

			while (e < line->to && (hit ? hit[e] == hit[g] : 1))
				e++;
			col += (size_t)screen_put_run(app->scr, x + line->indent + (int)col, y + i,
						      w - line->indent - (int)col, run, g, e,
						      hit && hit[g] ? SCREEN_MATCH : attr);
			g = e;
		}
	}
	talloc_free(tmp);
	app->scr->cursor_x = x;
	app->scr->cursor_y = y + (int)(tv->cursor - tv->top);
}

static void
thread_move(struct app *app, long delta)
{
	thread_fresh(app);
	view_move_cursor(&app->thread->cursor, app->thread->n_lines, delta);
}

static int
thread_height(const struct app *app)
{
	return app->scr->h - 2;
}

static int
thread_click(struct app *app, int y)
{
	struct threadview *tv = app->thread;
	size_t r;

	thread_fresh(app);
	r = tv->top + (size_t)y;
	if (r >= tv->n_lines)
		return 0;
	tv->cursor = r;
	return 1;
}

const struct view_ops view_thread_ops = {
	.name = "thread",
	.context = CONFIG_THREAD,
	.draw = thread_draw,
	.move = thread_move,
	.height = thread_height,
	.click = thread_click,
};

const char *
threadview_thread_id(const struct app *app)
{
	return app->thread ? app->thread->th->thread_id : NULL;
}

static const struct tv_message *
thread_current(const struct app *app)
{
	const struct threadview *tv = app->thread;

	if (!tv || !tv->n_lines)
		return NULL;
	return &tv->msgs[row_msg(tv, tv->cursor)];
}

const char *
threadview_current_message(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? tm->m->message_id : NULL;
}

int
threadview_current_reviewed(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? tm->m->reviewed : 0;
}

int
threadview_next_unreviewed(struct app *app)
{
	struct threadview *tv = app->thread;
	size_t cur;

	thread_fresh(app);
	if (!tv || !tv->n_lines)
		return 0;
	cur = row_msg(tv, tv->cursor);
	for (size_t i = cur + 1; i < tv->n_msgs; i++)
		if (!tv->msgs[i].m->reviewed) {
			tv->msgs[i].expanded = 1;
			thread_layout(app, tv->width);
			thread_goto_msg(app, i);
			return 1;
		}
	return 0;
}

const struct render_message *
threadview_current_render(struct app *app)
{
	struct threadview *tv = app->thread;
	struct tv_message *tm;

	if (!tv || !tv->n_lines)
		return NULL;
	tm = &tv->msgs[row_msg(tv, tv->cursor)];
	thread_render(app, tm);
	return tm->r;
}

int
threadview_current_rendering(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm && (tm->rj || tm->render_queued);
}

int
threadview_toggle_mark(struct app *app)
{
	struct threadview *tv = app->thread;
	size_t cur;
	int now;

	thread_fresh(app);
	if (!tv || !tv->n_lines)
		return -1;
	cur = row_msg(tv, tv->cursor);
	now = tv->msgs[cur].marked = !tv->msgs[cur].marked;
	thread_layout(app, tv->width);
	if (cur + 1 < tv->n_msgs)
		thread_goto_msg(app, cur + 1);
	return now;
}

char **
threadview_marked(TALLOC_CTX *ctx, const struct app *app, int files, size_t *n)
{
	const struct threadview *tv = app->thread;
	char **out;

	*n = 0;
	if (!tv)
		return NULL;
	out = talloc_zero_array(ctx, char *, tv->n_msgs + 1);
	for (size_t i = 0; out && i < tv->n_msgs; i++)
		if (tv->msgs[i].marked)
			out[(*n)++] = talloc_strdup(out, files ? tv->msgs[i].m->filename
							       : tv->msgs[i].m->message_id);
	return out;
}

const char *
threadview_current_file(const struct app *app)
{
	const struct tv_message *tm = thread_current(app);

	return tm ? msg_file(tm) : NULL;
}

int
threadview_show_file(struct app *app, const char *message_id, const char *path)
{
	struct threadview *tv = app->thread;
	long i = tv ? thread_find(tv->th, message_id) : -1;
	struct tv_message *tm;

	if (i < 0)
		return 0;
	tm = &tv->msgs[i];
	talloc_free(tm->file);
	tm->file = strcmp(path, tm->m->filename) ? talloc_strdup(tv, path) : NULL;
	tm->expanded = 1;
	thread_body_reset(tv, (size_t)i);
	thread_unrender(tm);
	thread_layout(app, tv->width);
	thread_goto_msg(app, (size_t)i);
	return 1;
}
