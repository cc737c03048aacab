/*
 * extract-zip: the zip containers of the extract module.  libarchive
 * reads the zip from memory, libxml2's streaming reader the XML members:
 * DOCX (word/document.xml), XLSX (shared strings and the sheets in the
 * workbook's order), PPTX (ppt/slides/slideN.xml), ODF (content.xml);
 * any other zip is listed member by member, each member extracted in
 * turn down to EXTRACT_MAX_DEPTH.
 *
 * Bounds, each said in one line when reached: EXTRACT_MAX_MEMBERS
 * members, EXTRACT_MAX_MEMBER bytes inflated per member (declared or
 * read), and bytes inflated in all, at every depth, at most
 * EXTRACT_MAX_INFLATE_FLOOR + EXTRACT_MAX_RATIO times the attachment's
 * size: a zip bomb stops after a few megabytes of work.  The XML parser
 * loads no DTD, substitutes no entity and fetches nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/xmlreader.h>

#include "trawl/extract.h"
#include "trawl/text.h"
#include "extract-int.h"

struct zip {
	struct extract_out *o;
	const char *data;
	size_t len;
};

/* ------------------------------------------------------------ the archive */

static struct archive *
zip_open(struct zip *z)
{
	struct archive *a = archive_read_new();

	if (!a) {
		z->o->failed = 1;
		return NULL;
	}
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, z->data, z->len) != ARCHIVE_OK) {
		const char *e = archive_error_string(a);

		extract_stop(z->o, "damaged zip: %s", e ? e : "libarchive cannot open it");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static const char *
zip_entry_name(struct archive_entry *e)
{
	const char *n = archive_entry_pathname_utf8(e);

	if (!n)
		n = archive_entry_pathname(e);
	return n ? n : "";
}

/* The name for a message: one neutralised line. */
static const char *
zip_shown(struct zip *z, const char *name)
{
	char *s = text_sanitize(z->o->ctx, name, strlen(name));

	return s ? s : "?";
}

/*
 * The current member's bytes, NUL-terminated, a child of ctx; NULL with
 * a reason when a bound is reached or the data is damaged.
 */
static char *
zip_read_data(struct zip *z, struct archive *a, struct archive_entry *e, TALLOC_CTX *ctx,
	      size_t *n)
{
	struct extract_out *o = z->o;
	const char *name = zip_entry_name(e);
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (archive_entry_size_is_set(e) && archive_entry_size(e) > EXTRACT_MAX_MEMBER) {
		extract_stop(o, "stopped: zip bomb: %s would inflate to %lld bytes (limit %d MiB)",
			     zip_shown(z, name), (long long)archive_entry_size(e),
			     EXTRACT_MAX_MEMBER >> 20);
		return NULL;
	}
	for (;;) {
		la_ssize_t r;

		if (cap - len < 65536 + 1) {
			size_t ncap = cap ? cap * 2 : 131072;
			char *nb = talloc_realloc(ctx, buf, char, ncap);

			if (!nb) {
				o->failed = 1;
				talloc_free(buf);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		r = archive_read_data(a, buf + len, cap - len - 1);
		if (r == 0)
			break;
		if (r < 0) {
			const char *err = archive_error_string(a);

			extract_stop(o, "damaged zip: %s: %s", zip_shown(z, name),
				     err ? err : "unreadable");
			talloc_free(buf);
			return NULL;
		}
		len += (size_t)r;
		o->inflated += (size_t)r;
		if (o->inflated > o->inflate_max) {
			extract_stop(o,
				     "stopped: zip bomb: %s inflates past %d times the attachment's size",
				     zip_shown(z, name), EXTRACT_MAX_RATIO);
			talloc_free(buf);
			return NULL;
		}
		if (len > EXTRACT_MAX_MEMBER) {
			extract_stop(o, "stopped: zip bomb: %s inflates past %d MiB",
				     zip_shown(z, name), EXTRACT_MAX_MEMBER >> 20);
			talloc_free(buf);
			return NULL;
		}
	}
	buf[len] = '\0';
	*n = len;
	return buf;
}

/* Whether the header loop may go on: bounded member count, no error. */
static int
zip_next(struct zip *z, struct archive *a, struct archive_entry **e, size_t *count)
{
	int r;

	if (!extract_more(z->o))
		return 0;
	r = archive_read_next_header(a, e);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		const char *err = archive_error_string(a);

		extract_stop(z->o, "damaged zip: %s", err ? err : "a bad member header");
		return 0;
	}
	if (++*count > EXTRACT_MAX_MEMBERS) {
		extract_stop(z->o, "stopped: more than %d members in the zip", EXTRACT_MAX_MEMBERS);
		return 0;
	}
	return 1;
}

/* The names of the regular members, in archive order (children of ctx). */
static char **
zip_names(struct zip *z, TALLOC_CTX *ctx, size_t *n)
{
	struct archive *a = zip_open(z);
	struct archive_entry *e;
	char **names = NULL;
	size_t count = 0;

	*n = 0;
	if (!a)
		return NULL;
	while (zip_next(z, a, &e, &count)) {
		char **more;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		more = talloc_realloc(ctx, names, char *, *n + 1);
		if (!more || !(more[*n] = talloc_strdup(more, zip_entry_name(e)))) {
			z->o->failed = 1;
			break;
		}
		names = more;
		(*n)++;
	}
	archive_read_free(a);
	return names;
}

static int
zip_has(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* Member name's bytes (a child of ctx), NULL when absent or stopped. */
static char *
zip_get(struct zip *z, TALLOC_CTX *ctx, const char *name, size_t *n)
{
	struct archive *a = zip_open(z);
	struct archive_entry *e;
	size_t count = 0;
	char *buf = NULL;

	if (!a)
		return NULL;
	while (zip_next(z, a, &e, &count))
		if (archive_entry_filetype(e) == AE_IFREG && strcmp(zip_entry_name(e), name) == 0) {
			buf = zip_read_data(z, a, e, ctx, n);
			break;
		}
	archive_read_free(a);
	return buf;
}

/* ------------------------------------------------------------ XML */

typedef void (*xml_event_fn)(void *st, xmlTextReaderPtr rd, int type, const char *local,
			     const char *value);

static void
xml_silent(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

/* The value of the attribute with this local name (any namespace), xmlFree it; NULL if none. */
static char *
xml_attr(xmlTextReaderPtr rd, const char *local)
{
	char *v = NULL;

	if (xmlTextReaderMoveToFirstAttribute(rd) == 1) {
		do {
			const char *ln = (const char *)xmlTextReaderConstLocalName(rd);

			if (ln && strcmp(ln, local) == 0) {
				v = (char *)xmlTextReaderValue(rd);
				break;
			}
		} while (xmlTextReaderMoveToNextAttribute(rd) == 1);
		xmlTextReaderMoveToElement(rd);
	}
	return v;
}

/*
 * Streams the XML in buf to fn: elements (an empty one gives its end
 * too, with type XML_READER_TYPE_END_ELEMENT) and text.
 */
static void
xml_walk(struct zip *z, const char *buf, size_t n, const char *member, xml_event_fn fn, void *st)
{
	xmlTextReaderPtr rd;
	int r = 1;

	rd = xmlReaderForMemory(buf, (int)n, member, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!rd) {
		z->o->failed = 1;
		return;
	}
	xmlTextReaderSetStructuredErrorHandler(rd, xml_silent, NULL);
	while (extract_more(z->o) && (r = xmlTextReaderRead(rd)) == 1) {
		int type = xmlTextReaderNodeType(rd);
		const char *local = (const char *)xmlTextReaderConstLocalName(rd);

		if (!local)
			local = "";
		if (type == XML_READER_TYPE_ELEMENT) {
			int empty = xmlTextReaderIsEmptyElement(rd);

			fn(st, rd, type, local, NULL);
			if (empty)
				fn(st, rd, XML_READER_TYPE_END_ELEMENT, local, NULL);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			fn(st, rd, type, local, NULL);
		} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
			   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			const char *v = (const char *)xmlTextReaderConstValue(rd);

			fn(st, rd, type, local, v ? v : "");
		}
	}
	if (r < 0)
		extract_note(z->o, "%s is damaged: its XML stops here", zip_shown(z, member));
	xmlFreeTextReader(rd);
}

/* ------------------------------------------------------------ documents */

/*
 * The text of a WordprocessingML, DrawingML (slides) or ODF document:
 * paragraphs on lines, table cells separated by tabs, tabs and breaks
 * kept; ODF sheets and slides marked.
 */
struct doc_walk {
	struct extract_out *o;
	int odf;
	int ods, odp; /* mark table:table as sheets, draw:page as slides */
	int in_text;  /* inside w:t / a:t, or text:p / text:h */
	int in_cell;
	int in_tabs; /* w:tabs holds tab stops, not tabs */
	int slide;
};

static void
doc_event(void *st, xmlTextReaderPtr rd, int type, const char *local, const char *value)
{
	struct doc_walk *w = st;
	struct extract_out *o = w->o;
	int start = type == XML_READER_TYPE_ELEMENT;

	if (value) {
		if (w->in_text > 0)
			extract_puts(o, value);
		return;
	}
	if (type != XML_READER_TYPE_ELEMENT && type != XML_READER_TYPE_END_ELEMENT)
		return;
	if (!w->odf) {
		if (strcmp(local, "t") == 0)
			w->in_text += start ? 1 : -1;
		else if (strcmp(local, "tabs") == 0)
			w->in_tabs += start ? 1 : -1;
		else if (strcmp(local, "tab") == 0 && start && !w->in_tabs)
			extract_puts(o, "\t");
		else if ((strcmp(local, "br") == 0 || strcmp(local, "cr") == 0) && start)
			extract_puts(o, "\n");
		else if (strcmp(local, "p") == 0 && !start)
			w->in_cell ? (void)extract_puts(o, " ") : extract_newline(o);
		else if (strcmp(local, "tc") == 0) {
			w->in_cell += start ? 1 : -1;
			if (!start)
				extract_puts(o, "\t");
		} else if (strcmp(local, "tr") == 0 && !start)
			extract_newline(o);
		return;
	}
	if (strcmp(local, "p") == 0 || strcmp(local, "h") == 0) {
		w->in_text += start ? 1 : -1;
		if (!start)
			w->in_cell ? (void)extract_puts(o, " ") : extract_newline(o);
	} else if (strcmp(local, "s") == 0 && start && w->in_text > 0) {
		char *c = xml_attr(rd, "c");
		long k = c ? strtol(c, NULL, 10) : 1;

		for (long i = 0; i < (k < 1 ? 1 : k > 64 ? 64 : k); i++)
			extract_puts(o, " ");
		xmlFree(c);
	} else if (strcmp(local, "tab") == 0 && start && w->in_text > 0) {
		extract_puts(o, "\t");
	} else if (strcmp(local, "line-break") == 0 && start && w->in_text > 0) {
		extract_puts(o, "\n");
	} else if (strcmp(local, "table-cell") == 0 || strcmp(local, "covered-table-cell") == 0) {
		w->in_cell += start ? 1 : -1;
		if (!start)
			extract_puts(o, "\t");
	} else if (strcmp(local, "table-row") == 0 && !start) {
		extract_newline(o);
	} else if (strcmp(local, "table") == 0 && start && w->ods) {
		char *name = xml_attr(rd, "name");

		extract_newline(o);
		extract_putf(o, "— sheet \"%s\" —\n", name ? name : "");
		xmlFree(name);
	} else if (strcmp(local, "page") == 0 && start && w->odp) {
		extract_newline(o);
		extract_putf(o, "— slide %d —\n", ++w->slide);
	}
}

/* Walks member name (if present) as a document. */
static int
zip_document(struct zip *z, const char *name, struct doc_walk *w)
{
	TALLOC_CTX *tmp = talloc_new(z->o->ctx);
	size_t n = 0;
	char *buf = tmp ? zip_get(z, tmp, name, &n) : NULL;

	if (!tmp)
		z->o->failed = 1;
	if (buf)
		xml_walk(z, buf, n, name, doc_event, w);
	talloc_free(tmp);
	return buf != NULL;
}

/* ppt/slides/slideN.xml in slide-number order, each after "— slide N —". */
static int
zip_slide_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void
zip_pptx(struct zip *z, char **names, size_t n)
{
	unsigned *nums = talloc_array(z->o->ctx, unsigned, n + 1);
	size_t k = 0;

	if (!nums) {
		z->o->failed = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned num;
		int end = 0;

		if (sscanf(names[i], "ppt/slides/slide%u.xml%n", &num, &end) == 1 &&
		    end > 0 && names[i][end] == '\0')
			nums[k++] = num;
	}
	qsort(nums, k, sizeof(*nums), zip_slide_cmp);
	for (size_t i = 0; i < k && extract_more(z->o); i++) {
		struct doc_walk w = {.o = z->o};
		char name[64];

		snprintf(name, sizeof(name), "ppt/slides/slide%u.xml", nums[i]);
		extract_newline(z->o);
		extract_putf(z->o, "— slide %u —\n", nums[i]);
		zip_document(z, name, &w);
	}
	talloc_free(nums);
}

/* ------------------------------------------------------------ XLSX */

struct xlsx_pair {
	char *a, *b;
};

struct xlsx {
	struct extract_out *o;
	char **strings; /* shared strings */
	size_t n_strings;
	struct xlsx_pair *sheets; /* name, relationship id */
	struct xlsx_pair *rels;   /* relationship id, target */
	size_t n_sheets, n_rels;
	/* parsing state */
	int in_si, in_t, in_rph, in_v, in_is;
	char *cur; /* the string or cell value being read */
	char type[16];
	size_t cells, row_cells;
};

static int
xlsx_append(struct xlsx *x, const char *v)
{
	char *s = talloc_strdup_append_buffer(x->cur, v);

	if (!s) {
		x->o->failed = 1;
		return 0;
	}
	x->cur = s;
	return 1;
}

static int
xlsx_push(struct extract_out *o, TALLOC_CTX *ctx, char ***arr, size_t *n, char *s)
{
	char **more = talloc_realloc(ctx, *arr, char *, *n + 1);

	if (!more || !s) {
		o->failed = 1;
		return 0;
	}
	*arr = more;
	more[(*n)++] = talloc_steal(more, s);
	return 1;
}

/* Appends (a, b), copied, to *arr; a and b are xmlFree'd. */
static void
xlsx_push_pair(struct extract_out *o, struct xlsx_pair **arr, size_t *n, char *a, char *b)
{
	struct xlsx_pair *more = talloc_realloc(o->ctx, *arr, struct xlsx_pair, *n + 1);

	if (more) {
		*arr = more;
		more[*n].a = talloc_strdup(more, a ? a : "");
		more[*n].b = talloc_strdup(more, b ? b : "");
		if (more[*n].a && more[*n].b)
			(*n)++;
		else
			o->failed = 1;
	} else {
		o->failed = 1;
	}
	xmlFree(a);
	xmlFree(b);
}

static void
xlsx_strings_event(void *st, xmlTextReaderPtr rd, int type, const char *local,
		   const char *value)
{
	struct xlsx *x = st;
	int start = type == XML_READER_TYPE_ELEMENT;

	(void)rd;
	if (value) {
		if (x->in_si && x->in_t && !x->in_rph)
			xlsx_append(x, value);
		return;
	}
	if (strcmp(local, "si") == 0) {
		x->in_si = start;
		if (start) {
			x->cur = talloc_strdup(x->o->ctx, "");
		} else if (x->n_strings >= EXTRACT_MAX_CELLS) {
			extract_stop(x->o, "stopped: more than %d shared strings", EXTRACT_MAX_CELLS);
		} else {
			xlsx_push(x->o, x->o->ctx, &x->strings, &x->n_strings, x->cur);
			x->cur = NULL;
		}
	} else if (strcmp(local, "t") == 0) {
		x->in_t = start;
	} else if (strcmp(local, "rPh") == 0) {
		x->in_rph = start; /* phonetic hints repeat the text */
	}
}

static void
xlsx_workbook_event(void *st, xmlTextReaderPtr rd, int type, const char *local,
		    const char *value)
{
	struct xlsx *x = st;

	if (value || type != XML_READER_TYPE_ELEMENT)
		return;
	/* r:id: the local name "id" in the relationships namespace, whatever its prefix. */
	if (strcmp(local, "sheet") == 0 && x->n_sheets < EXTRACT_MAX_MEMBERS)
		xlsx_push_pair(x->o, &x->sheets, &x->n_sheets, xml_attr(rd, "name"),
			       xml_attr(rd, "id"));
	else if (strcmp(local, "Relationship") == 0 && x->n_rels < EXTRACT_MAX_MEMBERS)
		xlsx_push_pair(x->o, &x->rels, &x->n_rels, xml_attr(rd, "Id"),
			       xml_attr(rd, "Target"));
}

static void
xlsx_sheet_event(void *st, xmlTextReaderPtr rd, int type, const char *local, const char *value)
{
	struct xlsx *x = st;
	struct extract_out *o = x->o;
	int start = type == XML_READER_TYPE_ELEMENT;

	if (value) {
		if (x->cur && (x->in_v || (x->in_is && x->in_t)))
			xlsx_append(x, value);
		return;
	}
	if (strcmp(local, "row") == 0 && start) {
		extract_newline(o);
		x->row_cells = 0;
	} else if (strcmp(local, "c") == 0 && start) {
		char *t = xml_attr(rd, "t");

		snprintf(x->type, sizeof(x->type), "%s", t ? t : "n");
		xmlFree(t);
		x->cur = talloc_strdup(o->ctx, "");
		if (!x->cur)
			o->failed = 1;
	} else if (strcmp(local, "c") == 0 && x->cur) {
		const char *v = x->cur;

		if (++x->cells > EXTRACT_MAX_CELLS) {
			extract_stop(o, "stopped: more than %d cells", EXTRACT_MAX_CELLS);
			return;
		}
		if (strcmp(x->type, "s") == 0) {
			char *end;
			unsigned long i = strtoul(x->cur, &end, 10);

			v = *x->cur && !*end && i < x->n_strings ? x->strings[i] : "";
		} else if (strcmp(x->type, "b") == 0) {
			v = strcmp(x->cur, "1") == 0 ? "TRUE" : "FALSE";
		}
		if (*v) {
			if (x->row_cells++)
				extract_puts(o, "\t");
			extract_puts(o, v);
		}
		TALLOC_FREE(x->cur);
	} else if (strcmp(local, "v") == 0) {
		x->in_v = start;
	} else if (strcmp(local, "is") == 0) {
		x->in_is = start;
	} else if (strcmp(local, "t") == 0) {
		x->in_t = start;
	}
}

static void
zip_xlsx_walk(struct zip *z, const char *name, xml_event_fn fn, struct xlsx *x)
{
	TALLOC_CTX *tmp = talloc_new(z->o->ctx);
	size_t n = 0;
	char *buf = tmp ? zip_get(z, tmp, name, &n) : NULL;

	if (buf)
		xml_walk(z, buf, n, name, fn, x);
	talloc_free(tmp);
}

static void
zip_xlsx(struct zip *z)
{
	struct xlsx x = {.o = z->o};

	zip_xlsx_walk(z, "xl/sharedStrings.xml", xlsx_strings_event, &x);
	zip_xlsx_walk(z, "xl/workbook.xml", xlsx_workbook_event, &x);
	zip_xlsx_walk(z, "xl/_rels/workbook.xml.rels", xlsx_workbook_event, &x);
	for (size_t i = 0; i < x.n_sheets && extract_more(z->o); i++) {
		const char *target = NULL;
		char *path;

		for (size_t k = 0; k < x.n_rels && !target; k++)
			if (strcmp(x.rels[k].a, x.sheets[i].b) == 0)
				target = x.rels[k].b;
		if (!target)
			continue;
		/* Targets are relative to xl/, or absolute in the package. */
		path = target[0] == '/' ? talloc_strdup(z->o->ctx, target + 1)
					: talloc_asprintf(z->o->ctx, "xl/%s", target);
		if (!path) {
			z->o->failed = 1;
			return;
		}
		extract_newline(z->o);
		extract_putf(z->o, "— sheet \"%s\" —\n", x.sheets[i].a);
		zip_xlsx_walk(z, path, xlsx_sheet_event, &x);
		TALLOC_FREE(x.cur);
	}
	/* No sheet found through the workbook: the shared strings are the text. */
	if (x.n_sheets == 0)
		for (size_t i = 0; i < x.n_strings && extract_more(z->o); i++) {
			extract_puts(z->o, x.strings[i]);
			extract_puts(z->o, "\n");
		}
}

/* ------------------------------------------------------------ any zip */

static void
zip_listing(struct zip *z)
{
	struct extract_out *o = z->o;
	struct archive *a = zip_open(z);
	struct archive_entry *e;
	size_t count = 0;

	if (!a)
		return;
	while (zip_next(z, a, &e, &count)) {
		const char *name = zip_entry_name(e);
		TALLOC_CTX *tmp;
		char *buf;
		size_t n = 0;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		extract_newline(o);
		extract_putf(o, "— member \"%s\" —\n", zip_shown(z, name));
		if (o->depth + 1 >= EXTRACT_MAX_DEPTH) {
			extract_putf(o, "[not extracted: zips nested more than %d deep]\n",
				     EXTRACT_MAX_DEPTH);
			continue;
		}
		tmp = talloc_new(o->ctx);
		buf = tmp ? zip_read_data(z, a, e, tmp, &n) : NULL;
		if (buf) {
			o->depth++;
			extract_any(o, buf, n, NULL, NULL, name);
			o->depth--;
		}
		talloc_free(tmp);
	}
	archive_read_free(a);
}

void
extract_zip(struct extract_out *o, const char *data, size_t len)
{
	struct zip z = {.o = o, .data = data, .len = len};
	TALLOC_CTX *tmp = talloc_new(o->ctx);
	size_t n = 0;
	char **names = tmp ? zip_names(&z, tmp, &n) : NULL;
	const char *kind = "zip";

	if (!tmp) {
		o->failed = 1;
		return;
	}
	if (!extract_more(o)) {
		talloc_free(tmp);
		return;
	}
	if (zip_has(names, n, "word/document.xml")) {
		struct doc_walk w = {.o = o};

		kind = "docx";
		zip_document(&z, "word/document.xml", &w);
	} else if (zip_has(names, n, "xl/workbook.xml")) {
		kind = "xlsx";
		zip_xlsx(&z);
	} else if (zip_has(names, n, "ppt/presentation.xml")) {
		kind = "pptx";
		zip_pptx(&z, names, n);
	} else if (zip_has(names, n, "content.xml") && zip_has(names, n, "mimetype")) {
		size_t mn = 0;
		char *mt = zip_get(&z, tmp, "mimetype", &mn);
		struct doc_walk w = {.o = o, .odf = 1};

		kind = "odt";
		if (mt && strstr(mt, "opendocument.spreadsheet"))
			kind = "ods", w.ods = 1;
		else if (mt && strstr(mt, "opendocument.presentation"))
			kind = "odp", w.odp = 1;
		zip_document(&z, "content.xml", &w);
	} else {
		if (o->depth == 0)
			o->kind = kind;
		zip_listing(&z);
	}
	if (o->depth == 0)
		o->kind = kind;
	talloc_free(tmp);
}
