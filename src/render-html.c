/*
 * render-html: HTML to text for the render module, with libxml2's HTML
 * parser.  The document comes from a hostile sender, so the parser runs
 * with no network and no error output, the tree is walked with parent
 * pointers instead of recursion, and the output is bounded whatever the
 * markup (nested lists and quotes add bounded prefixes).
 */
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "trawl/render.h"
#include "render-int.h"

/* Prefixes stop growing past these levels, so the output stays linear. */
#define HTML_MAX_QUOTE_PREFIX 8
#define HTML_MAX_LIST_INDENT 8

struct html_out {
	TALLOC_CTX *ctx;
	char *buf;
	size_t len, cap, max;
	int cut;
	int failed;        /* out of memory */
	int at_line_start; /* nothing (not even the prefix) written on this line yet */
	int pending_space; /* collapsed whitespace waiting for the next word */
	int newlines;      /* newlines just written, to keep at most one blank line */
	int quote;         /* blockquote depth */
	int pre;           /* pre depth */
	int lists;         /* ul/ol depth */
	char **links;
	size_t n_links, links_cap;
	int first_link;
	int *anchors; /* link number of each open <a> (0: not numbered) */
	size_t n_anchors, anchors_cap;
};

enum html_block {
	HTML_INLINE,
	HTML_LINE, /* starts and ends on a line of its own */
	HTML_PARA, /* set off by a blank line */
};

static const char *const html_skipped[] = {
	"script", "style", "head", "title", "template", "noembed", "frameset", NULL,
};

static const char *const html_para[] = {
	"p",   "h1",    "h2", "h3", "h4", "h5",   "h6",  "blockquote",
	"pre", "table", "dl", "ul", "ol", "menu", "dir", NULL,
};

static const char *const html_line[] = {
	"div",      "li",     "tr",      "dd",      "dt",       "address", "section",    "article",
	"header",   "footer", "nav",     "aside",   "main",     "figure",  "figcaption", "form",
	"fieldset", "center", "caption", "details", "summary",  "legend",  "tbody",      "thead",
	"tfoot",    "body",   "html",    "option",  "noscript", NULL,
};

/* The callbacks libxml2 would otherwise use to print parse errors. */
static void
html_silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
html_silent_structured(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

static size_t html_restore_controls(char *s, size_t len);

static int
html_in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

static int
html_reserve(struct html_out *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->cut || o->failed)
		return 0;
	if (o->len + n > o->max) {
		o->cut = 1;
		return 0;
	}
	if (o->len + n + 1 <= o->cap)
		return 1;
	cap = o->cap ? o->cap : 4096;
	while (cap < o->len + n + 1)
		cap *= 2;
	p = talloc_realloc_size(o->ctx, o->buf, cap);
	if (!p) {
		o->failed = 1;
		return 0;
	}
	o->buf = p;
	o->cap = cap;
	return 1;
}

static void
html_put(struct html_out *o, const char *s, size_t n)
{
	if (!html_reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
html_newline(struct html_out *o)
{
	html_put(o, "\n", 1);
	o->at_line_start = 1;
	o->pending_space = 0;
	o->newlines++;
}

static void
html_ensure_newline(struct html_out *o)
{
	if (!o->at_line_start)
		html_newline(o);
}

/* A blank line, unless one is already there (or nothing was written yet). */
static void
html_ensure_blank(struct html_out *o)
{
	html_ensure_newline(o);
	if (o->newlines < 2)
		html_newline(o);
}

/* Starts a line's content: the quote prefix of the enclosing blockquotes. */
static void
html_begin_content(struct html_out *o)
{
	int i, n;

	if (!o->at_line_start)
		return;
	n = o->quote < HTML_MAX_QUOTE_PREFIX ? o->quote : HTML_MAX_QUOTE_PREFIX;
	for (i = 0; i < n; i++)
		html_put(o, "> ", 2);
	o->at_line_start = 0;
	o->newlines = 0;
}

/* Text that is not whitespace-collapsed (a word, a marker). */
static void
html_word(struct html_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (o->pending_space && !o->at_line_start)
		html_put(o, " ", 1);
	o->pending_space = 0;
	html_begin_content(o);
	html_put(o, s, n);
}

/* Character data outside <pre>: runs of whitespace become one space. */
static void
html_text(struct html_out *o, const char *s)
{
	const char *p = s, *start;

	while (*p) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
		    *p == '\v') {
			o->pending_space = 1;
			p++;
			continue;
		}
		start = p;
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
			       *p == '\v'))
			p++;
		html_word(o, start, (size_t)(p - start));
	}
}

/* Character data inside <pre>: kept as it is, line by line. */
static void
html_pre_text(struct html_out *o, const char *s)
{
	const char *p = s, *start;

	while (*p) {
		if (*p == '\n') {
			html_begin_content(o);
			html_newline(o);
			p++;
			continue;
		}
		if (*p == '\r') {
			p++;
			continue;
		}
		start = p;
		while (*p && *p != '\n' && *p != '\r')
			p++;
		o->pending_space = 0;
		html_begin_content(o);
		html_put(o, start, (size_t)(p - start));
	}
}

static int
html_push_anchor(struct html_out *o, int number)
{
	if (o->n_anchors == o->anchors_cap) {
		size_t cap = o->anchors_cap ? o->anchors_cap * 2 : 16;
		int *p = talloc_realloc(o->ctx, o->anchors, int, cap);

		if (!p) {
			o->failed = 1;
			return -1;
		}
		o->anchors = p;
		o->anchors_cap = cap;
	}
	o->anchors[o->n_anchors++] = number;
	return 0;
}

static int
html_add_link(struct html_out *o, const char *url)
{
	if (o->n_links == o->links_cap) {
		size_t cap = o->links_cap ? o->links_cap * 2 : 16;
		char **p = talloc_realloc(o->ctx, o->links, char *, cap);

		if (!p) {
			o->failed = 1;
			return 0;
		}
		o->links = p;
		o->links_cap = cap;
	}
	o->links[o->n_links] = talloc_strdup(o->ctx, url);
	if (o->links[o->n_links])
		o->links[o->n_links][html_restore_controls(o->links[o->n_links],
							   strlen(o->links[o->n_links]))] = '\0';
	if (!o->links[o->n_links]) {
		o->failed = 1;
		return 0;
	}
	o->n_links++;
	return o->first_link + (int)o->n_links - 1;
}

static void
html_image(struct html_out *o, xmlNodePtr node)
{
	xmlChar *alt = xmlGetProp(node, (const xmlChar *)"alt");
	int empty = 1;
	const char *p;

	for (p = (const char *)alt; p && *p; p++)
		if (!(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			empty = 0;
	if (empty) {
		html_word(o, "[image]", 7);
	} else {
		html_word(o, "[image:", 7);
		o->pending_space = 1;
		html_text(o, (const char *)alt);
		o->pending_space = 0;
		html_word(o, "]", 1);
	}
	xmlFree(alt);
}

static void
html_list_item(struct html_out *o)
{
	int i, n = o->lists - 1;

	html_ensure_newline(o);
	html_begin_content(o);
	if (n > HTML_MAX_LIST_INDENT)
		n = HTML_MAX_LIST_INDENT;
	for (i = 0; i < n; i++)
		html_put(o, "  ", 2);
	html_put(o, "* ", 2);
	o->pending_space = 0;
}

/* Opens a node; returns whether its children are to be walked. */
static int
html_enter(struct html_out *o, xmlNodePtr node)
{
	const char *name;
	enum html_block block;

	if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
		if (node->content) {
			if (o->pre)
				html_pre_text(o, (const char *)node->content);
			else
				html_text(o, (const char *)node->content);
		}
		return 0;
	}
	if (node->type == XML_DOCUMENT_NODE || node->type == XML_HTML_DOCUMENT_NODE)
		return 1;
	if (node->type != XML_ELEMENT_NODE || !node->name)
		return 0;
	name = (const char *)node->name;
	if (html_in_list(name, html_skipped))
		return 0;
	block = html_in_list(name, html_para)   ? HTML_PARA
		: html_in_list(name, html_line) ? HTML_LINE
						: HTML_INLINE;
	if (block == HTML_PARA && !((strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0 ||
				     strcmp(name, "menu") == 0 || strcmp(name, "dir") == 0) &&
				    o->lists > 0))
		html_ensure_blank(o);
	else if (block != HTML_INLINE)
		html_ensure_newline(o);

	if (strcmp(name, "br") == 0) {
		html_begin_content(o);
		html_newline(o);
	} else if (strcmp(name, "hr") == 0) {
		html_ensure_newline(o);
		html_word(o, "----------", 10);
		html_newline(o);
	} else if (strcmp(name, "img") == 0) {
		html_image(o, node);
	} else if (strcmp(name, "li") == 0) {
		html_list_item(o);
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		o->pending_space = 1;
	} else if (strcmp(name, "blockquote") == 0) {
		o->quote++;
	} else if (strcmp(name, "pre") == 0) {
		o->pre++;
	} else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0 ||
		   strcmp(name, "menu") == 0 || strcmp(name, "dir") == 0) {
		o->lists++;
	} else if (strcmp(name, "a") == 0) {
		xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
		int number = 0;

		/* Links within the page itself say nothing about where they lead. */
		if (href && href[0] && href[0] != '#')
			number = html_add_link(o, (const char *)href);
		xmlFree(href);
		if (html_push_anchor(o, number) < 0)
			return 0;
	}
	return 1;
}

/* Closes a node whose children (if walked) are done. */
static void
html_leave(struct html_out *o, xmlNodePtr node)
{
	const char *name;
	char mark[32];
	int n;

	if (node->type != XML_ELEMENT_NODE || !node->name)
		return;
	name = (const char *)node->name;
	if (html_in_list(name, html_skipped))
		return;
	if (strcmp(name, "blockquote") == 0 && o->quote > 0) {
		html_ensure_blank(o);
		o->quote--;
	} else if (strcmp(name, "pre") == 0 && o->pre > 0) {
		o->pre--;
	} else if ((strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0 ||
		    strcmp(name, "menu") == 0 || strcmp(name, "dir") == 0) &&
		   o->lists > 0) {
		o->lists--;
	} else if (strcmp(name, "a") == 0 && o->n_anchors > 0) {
		int number = o->anchors[--o->n_anchors];

		if (number > 0) {
			n = snprintf(mark, sizeof(mark), "[%d]", number);
			o->pending_space = 1;
			html_word(o, mark, (size_t)n);
		}
	}
	if (html_in_list(name, html_para) && o->lists == 0)
		html_ensure_blank(o);
	else if (html_in_list(name, html_para) || html_in_list(name, html_line))
		html_ensure_newline(o);
}

/*
 * Walks the tree depth first with the nodes' own parent and sibling
 * pointers: a hostile document may nest as deep as the parser allows,
 * and recursion would put that depth on our stack.
 */
static void
html_walk(struct html_out *o, xmlNodePtr top)
{
	xmlNodePtr cur = top;

	for (;;) {
		if (html_enter(o, cur) && cur->children) {
			cur = cur->children;
			continue;
		}
		for (;;) {
			html_leave(o, cur);
			if (cur == top)
				return;
			if (cur->next) {
				cur = cur->next;
				break;
			}
			cur = cur->parent;
			if (!cur)
				return;
		}
		if (o->cut || o->failed)
			return;
	}
}

/*
 * libxml2 drops the C0 controls XML forbids (ESC among them) without a
 * trace, so a sequence planted in HTML would reach the reader as harmless
 * looking text ("[2J") instead of a visible ESC.  Before parsing, each
 * such control becomes a private-use character (U+F700 + the byte) that
 * the parser keeps; afterwards it becomes the control again, which the
 * text module then shows neutralised, as in a plain-text part.
 */
#define HTML_CTRL_BASE 0xf700

static int
html_is_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static char *
html_protect_controls(TALLOC_CTX *ctx, const char *s, size_t len, size_t *out_len)
{
	size_t n = 0, k = 0;
	char *out;

	for (size_t i = 0; i < len; i++)
		n += html_is_ctrl((unsigned char)s[i]);
	out = talloc_array(ctx, char, len + 2 * n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = HTML_CTRL_BASE + c;

		if (!html_is_ctrl(c)) {
			out[k++] = (char)c;
			continue;
		}
		out[k++] = (char)(0xe0 | (cp >> 12));
		out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[k++] = (char)(0x80 | (cp & 0x3f));
	}
	out[k] = '\0';
	*out_len = k;
	return out;
}

/* Turns the private-use stand-ins back into their controls, in place; returns the new length. */
static size_t
html_restore_controls(char *s, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		const unsigned char *p = (const unsigned char *)s + i;

		if (p[0] == 0xef && i + 2 < len && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
			unsigned cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);

			if (cp >= HTML_CTRL_BASE && cp <= HTML_CTRL_BASE + 0x7f &&
			    html_is_ctrl((unsigned char)(cp - HTML_CTRL_BASE))) {
				s[k++] = (char)(cp - HTML_CTRL_BASE);
				i += 2;
				continue;
			}
		}
		s[k++] = s[i];
	}
	return k;
}

trawl_status_t
render_html_to_text(TALLOC_CTX *ctx, const char *html, size_t len, int first_link,
		    struct render_html **out)
{
	struct render_html *r;
	struct html_out o;
	htmlDocPtr doc;
	char *clean = NULL;
	int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		      HTML_PARSE_RECOVER | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT;

	if (!out || (!html && len))
		return TRAWL_USAGE;
	*out = NULL;
	r = talloc_zero(ctx, struct render_html);
	if (!r)
		return TRAWL_NOMEM;
	memset(&o, 0, sizeof(o));
	o.ctx = r;
	o.max = 2 * (size_t)RENDER_MAX_BODY;
	o.at_line_start = 1;
	o.newlines = 2;
	o.first_link = first_link;

	if (len > 0 && len <= (size_t)RENDER_MAX_BODY * 2) {
		/* libxml2 stops at the first ill-formed byte: give it none. */
		clean = render_utf8_sanitize(r, html, len, &len);
		if (clean) {
			char *safe = html_protect_controls(r, clean, len, &len);

			talloc_free(clean);
			clean = safe;
		}
		if (!clean) {
			talloc_free(r);
			return TRAWL_NOMEM;
		}
		xmlSetGenericErrorFunc(NULL, html_silent_generic);
		xmlSetStructuredErrorFunc(NULL, html_silent_structured);
		doc = htmlReadMemory(clean, (int)len, NULL, "UTF-8", options);
		if (doc) {
			html_walk(&o, (xmlNodePtr)doc);
			xmlFreeDoc(doc);
		}
	} else if (len > 0) {
		o.cut = 1;
	}
	if (o.failed) {
		talloc_free(r);
		return TRAWL_NOMEM;
	}
	/* Trailing blank lines carry nothing. */
	while (o.len > 0 && (o.buf[o.len - 1] == '\n' || o.buf[o.len - 1] == ' '))
		o.len--;
	if (!o.buf) {
		o.buf = talloc_strdup(r, "");
		if (!o.buf) {
			talloc_free(r);
			return TRAWL_NOMEM;
		}
	} else {
		o.len = html_restore_controls(o.buf, o.len);
		o.buf[o.len] = '\0';
	}
	r->text = o.buf;
	r->len = o.len;
	r->links = o.links;
	r->n_links = o.n_links;
	r->cut = o.cut;
	talloc_free(o.anchors);
	talloc_free(clean);
	*out = r;
	return TRAWL_OK;
}
