/*
 * render-dump: a driver for the render module, for tests and for looking
 * at what render makes of a message.
 *
 *   render-dump [-m text|html|headers|raw] FILE...
 *	prints each line as "KIND depth part|text" (KIND: B body,
 *	Qn quote level n, S signature, H header, N note, L link; "+" after
 *	the kind: the line goes on in the next one), then the parts and
 *	the attachments.
 *   render-dump --corpus [--limit-ms N] < LIST
 *	renders every file named in LIST (one path a line) in every mode and
 *	prints one JSON object a line: the time each mode took, any broken
 *	invariant, and the body text of each text/plain part shown, for
 *	tests/corpora-compare.py.  A file that takes more than DUMP_TIMEOUT s (10; 120 under ASan) kills the
 *	run (SIGALRM), naming it on stderr first.
 *   render-dump --save INDEX DIR FILE
 *	saves an attachment and prints the path written.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "trawl/render.h"

/* Whether AddressSanitizer is in: its allocator slows GMime's parser down a lot. */
#if defined(__SANITIZE_ADDRESS__)
#define DUMP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DUMP_SANITIZED 1
#endif
#endif
#ifndef DUMP_SANITIZED
#define DUMP_SANITIZED 0
#endif

static const char *const dump_modes[] = {"text", "html", "headers", "raw"};

static int
dump_mode(const char *name, enum render_mode *mode)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(name, dump_modes[i]) == 0) {
			*mode = (enum render_mode)i;
			return 0;
		}
	}
	return -1;
}

static const char *
dump_kind(const struct render_line *l)
{
	static char buf[16];

	switch (l->kind) {
	case RENDER_LINE_BODY:
		return "B";
	case RENDER_LINE_QUOTE:
		snprintf(buf, sizeof(buf), "Q%d", l->quote_level);
		return buf;
	case RENDER_LINE_SIGNATURE:
		return "S";
	case RENDER_LINE_HEADER:
		return "H";
	case RENDER_LINE_NOTE:
		return "N";
	case RENDER_LINE_LINK:
		return "L";
	}
	return "?";
}

static int
dump_one(const char *path, enum render_mode mode)
{
	struct render_opts opts = {mode};
	struct render_message *m;
	trawl_status_t rc;
	size_t i;

	rc = render_file(NULL, path, &opts, &m);
	if (rc != TRAWL_OK) {
		fprintf(stderr, "render-dump: %s: %s\n", path, trawl_status_str(rc));
		return 1;
	}
	printf("# %s\n# from: %s\n# to: %s\n# cc: %s\n# date: %s\n# subject: %s\n# id: %s\n", path,
	       m->from, m->to, m->cc, m->date, m->subject, m->message_id);
	printf("# has_plain=%d has_html=%d parse_failed=%d\n", m->has_plain, m->has_html,
	       m->parse_failed);
	for (i = 0; i < m->n_lines; i++) {
		const struct render_line *l = &m->lines[i];

		printf("%s%s %d %d|%s\n", dump_kind(l), l->wrapped ? "+" : "", l->depth, l->part,
		       l->text);
	}
	for (i = 0; i < m->n_parts; i++) {
		const struct render_part *p = &m->parts[i];

		printf("# part %d parent=%d depth=%d %s charset=%s as=%s shown=%d attachment=%d\n",
		       p->id, p->parent, p->depth, p->mime_type, p->charset, p->decoded_as,
		       p->shown, p->attachment);
	}
	for (i = 0; i < m->n_attachments; i++) {
		const struct render_attachment *a = &m->attachments[i];

		printf("# attachment %d part=%d [%s] safe=[%s] %s %zu\n", a->index, a->part,
		       a->filename, a->safe_name, a->mime_type, a->size);
	}
	talloc_free(m);
	return 0;
}

/* ------------------------------------------------------------ corpus */

static void
json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Well-formed UTF-8 without NUL, checked independently of render.c. */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c, lo, hi;
	int need, i;

	if (!s)
		return 0;
	while (*p) {
		c = *p;
		lo = 0x80;
		hi = 0xBF;
		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else {
			return 0;
		}
		for (i = 1; i <= need; i++) {
			if (p[i] < lo || p[i] > hi)
				return 0;
			lo = 0x80;
			hi = 0xBF;
		}
		p += need + 1;
	}
	return 1;
}

/* Broken invariants of a result, as a short description, or NULL. */
static const char *
check_message(const struct render_message *m)
{
	size_t i;

	if (!utf8_ok(m->from) || !utf8_ok(m->to) || !utf8_ok(m->cc) || !utf8_ok(m->date) ||
	    !utf8_ok(m->subject) || !utf8_ok(m->message_id))
		return "summary field not UTF-8";
	for (i = 0; i < m->n_headers; i++)
		if (!utf8_ok(m->headers[i].name) || !utf8_ok(m->headers[i].value))
			return "header not UTF-8";
	for (i = 0; i < m->n_lines; i++) {
		if (!utf8_ok(m->lines[i].text))
			return "line not UTF-8";
		if (strlen(m->lines[i].text) > RENDER_MAX_LINE + 64)
			return "line too long";
	}
	if (m->n_lines > RENDER_MAX_LINES + 4 * RENDER_MAX_PARTS + 8)
		return "too many lines";
	for (i = 0; i < m->n_attachments; i++) {
		const char *s = m->attachments[i].safe_name;

		if (!utf8_ok(m->attachments[i].filename) || !utf8_ok(s) ||
		    !utf8_ok(m->attachments[i].mime_type))
			return "attachment not UTF-8";
		if (!*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
		    strlen(s) > 255)
			return "unsafe attachment name";
	}
	for (i = 0; i < m->n_parts; i++)
		if (!utf8_ok(m->parts[i].mime_type) || !utf8_ok(m->parts[i].charset) ||
		    !utf8_ok(m->parts[i].decoded_as))
			return "part not UTF-8";
	return NULL;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The body lines of one part, rejoined where they were cut. */
static void
json_part_text(FILE *out, const struct render_message *m, int part)
{
	size_t i;
	int first = 1;

	fputc('"', out);
	for (i = 0; i < m->n_lines; i++) {
		const struct render_line *l = &m->lines[i];
		const unsigned char *p;

		if (l->part != part ||
		    (l->kind != RENDER_LINE_BODY && l->kind != RENDER_LINE_QUOTE &&
		     l->kind != RENDER_LINE_SIGNATURE))
			continue;
		if (!first)
			fputs("\\n", out);
		first = 0;
		for (p = (const unsigned char *)l->text; *p; p++) {
			if (*p == '"' || *p == '\\')
				fprintf(out, "\\%c", *p);
			else if (*p < 0x20 || *p == 0x7F)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
		/* A wrapped line goes on in the next one: no newline between them. */
		while (l->wrapped && i + 1 < m->n_lines) {
			l = &m->lines[++i];
			for (p = (const unsigned char *)l->text; *p; p++) {
				if (*p == '"' || *p == '\\')
					fprintf(out, "\\%c", *p);
				else if (*p < 0x20 || *p == 0x7F)
					fprintf(out, "\\u%04x", *p);
				else
					fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

static const char *dump_current;

/*
 * Seconds one message may take in all four modes before it counts as a
 * hang.  Under the sanitizers, with full allocation stacks
 * (fast_unwind_on_malloc=0) and a loaded machine, a long-header message
 * takes seconds: a 10 s alarm cut the output of a healthy run.
 */
#if defined(__SANITIZE_ADDRESS__)
#define DUMP_TIMEOUT 120
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DUMP_TIMEOUT 120
#endif
#endif
#ifndef DUMP_TIMEOUT
#define DUMP_TIMEOUT 10
#endif

static void
dump_alarm(int sig)
{
	static const char msg[] = "render-dump: timeout rendering ";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, dump_current, strlen(dump_current)) < 0 || write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

static int
dump_corpus(void)
{
	char line[8192];
	int failures = 0;

	signal(SIGALRM, dump_alarm);
	while (fgets(line, sizeof(line), stdin)) {
		struct render_message *m[4] = {NULL, NULL, NULL, NULL};
		const char *bad = NULL;
		double ms[4], max = 0;
		trawl_status_t rc[4];
		size_t i;
		int mode;

		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		dump_current = line;
		alarm(DUMP_TIMEOUT);
		for (mode = 0; mode < 4; mode++) {
			struct render_opts opts = {(enum render_mode)mode};
			double t0 = now_ms();

			rc[mode] = render_file(NULL, line, &opts, &m[mode]);
			ms[mode] = now_ms() - t0;
			if (ms[mode] > max)
				max = ms[mode];
			if (rc[mode] == TRAWL_OK && !bad)
				bad = check_message(m[mode]);
			else if (rc[mode] != TRAWL_OK && !bad)
				bad = trawl_status_str(rc[mode]);
		}
		alarm(0);
		if (bad)
			failures++;
		printf("{\"file\":");
		json_str(stdout, line);
		printf(",\"ms\":[%.2f,%.2f,%.2f,%.2f],\"max_ms\":%.2f", ms[0], ms[1], ms[2], ms[3],
		       max);
		printf(",\"lines\":[%zu,%zu,%zu,%zu]", m[0] ? m[0]->n_lines : 0,
		       m[1] ? m[1]->n_lines : 0, m[2] ? m[2]->n_lines : 0,
		       m[3] ? m[3]->n_lines : 0);
		printf(",\"bad\":");
		if (bad)
			json_str(stdout, bad);
		else
			printf("null");
		if (m[0]) {
			printf(",\"parse_failed\":%d,\"attachments\":%zu,\"parts\":[",
			       m[0]->parse_failed, m[0]->n_attachments);
			for (i = 0; i < m[0]->n_parts; i++) {
				const struct render_part *p = &m[0]->parts[i];

				printf("%s{\"id\":%d,\"type\":", i ? "," : "", p->id);
				json_str(stdout, p->mime_type);
				printf(",\"charset\":");
				json_str(stdout, p->charset);
				printf(",\"as\":");
				json_str(stdout, p->decoded_as);
				printf(",\"shown\":%d,\"attachment\":%d", p->shown, p->attachment);
				if (p->shown && strcmp(p->mime_type, "text/plain") == 0) {
					printf(",\"text\":");
					json_part_text(stdout, m[0], p->id);
				}
				printf("}");
			}
			printf("]");
		}
		printf("}\n");
		for (mode = 0; mode < 4; mode++)
			talloc_free(m[mode]);
	}
	printf("{\"gmime_warnings\":%lu,\"sanitized\":%d}\n", render_gmime_warnings(),
	       DUMP_SANITIZED);
	return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
	enum render_mode mode = RENDER_MODE_TEXT;
	int i = 1, rc = 0;

	if (argc > 1 && strcmp(argv[1], "--corpus") == 0)
		return dump_corpus();
	if (argc == 5 && strcmp(argv[1], "--save") == 0) {
		char *saved;
		trawl_status_t st =
			render_save_attachment(NULL, argv[4], atoi(argv[2]), argv[3], &saved);

		if (st != TRAWL_OK) {
			fprintf(stderr, "render-dump: %s\n", trawl_status_str(st));
			return 1;
		}
		printf("%s\n", saved);
		talloc_free(saved);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		if (dump_mode(argv[2], &mode) < 0) {
			fprintf(stderr, "render-dump: unknown mode %s\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: render-dump [-m text|html|headers|raw] FILE...\n"
				"       render-dump --corpus < LIST\n"
				"       render-dump --save INDEX DIR FILE\n");
		return 2;
	}
	for (; i < argc; i++)
		rc |= dump_one(argv[i], mode);
	return rc;
}
