/*
 * render-addr: address headers for statistics (who wrote to whom).  See
 * the "Addresses" part of include/trawl/render.h.
 *
 * Recipients are read from the header block alone: the file is read up to
 * the first empty line (at most RENDER_MAX_HEADER_BLOCK bytes) and only
 * that is handed to GMime, so a 50 MB message costs what a short one
 * does.  GMime does the RFC 5322 and RFC 2047 work (folding, quoting,
 * comments, groups, encoded words, raw 8-bit names in UTF-8 or
 * windows-1252), with the same lenient options as render.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "render-int.h"
#include "trawl/render.h"

/* Groups inside groups (RFC 5322 forbids them; GMime may build them anyway). */
#define RENDER_ADDR_MAX_DEPTH 8

struct render_addr_acc {
	TALLOC_CTX *ctx;
	struct render_address *v;
	size_t n, cap, max;
	int nomem;
};

static GMimeParserOptions *
render_addr_options(void)
{
	static const char *fallback[] = {"utf-8", "windows-1252", NULL};
	GMimeParserOptions *o = g_mime_parser_options_new();

	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	return o;
}

static char *
render_addr_clean(TALLOC_CTX *ctx, const char *s)
{
	return render_utf8_sanitize(ctx, s ? s : "", s ? strlen(s) : 0, NULL);
}

static void
render_addr_add(struct render_addr_acc *acc, InternetAddressList *list, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && acc->n < acc->max && !acc->nomem; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(a)) {
			if (depth < RENDER_ADDR_MAX_DEPTH)
				render_addr_add(acc,
						internet_address_group_get_members(
							INTERNET_ADDRESS_GROUP(a)),
						depth + 1);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		if (acc->n == acc->cap) {
			size_t cap = acc->cap ? acc->cap * 2 : 8;
			struct render_address *v =
				talloc_realloc(acc->ctx, acc->v, struct render_address, cap);

			if (!v) {
				acc->nomem = 1;
				return;
			}
			acc->v = v;
			acc->cap = cap;
		}
		acc->v[acc->n].addr = render_addr_clean(
			acc->v, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
		acc->v[acc->n].name = render_addr_clean(acc->v, internet_address_get_name(a));
		if (!acc->v[acc->n].addr || !acc->v[acc->n].name) {
			acc->nomem = 1;
			return;
		}
		acc->n++;
	}
}

static trawl_status_t
render_addr_finish(struct render_addr_acc *acc, struct render_address **out, size_t *n)
{
	if (acc->nomem) {
		talloc_free(acc->v);
		return TRAWL_NOMEM;
	}
	*out = acc->v;
	*n = acc->n;
	return TRAWL_OK;
}

trawl_status_t
render_parse_addresses(TALLOC_CTX *ctx, const char *text, size_t max, struct render_address **out,
		       size_t *n)
{
	struct render_addr_acc acc = {.ctx = ctx, .max = max};
	GMimeParserOptions *o;
	InternetAddressList *list;

	*out = NULL;
	*n = 0;
	if (!text || !*text || !max)
		return TRAWL_OK;
	render_init();
	o = render_addr_options();
	list = internet_address_list_parse(o, text);
	render_addr_add(&acc, list, 0);
	if (list)
		g_object_unref(list);
	g_mime_parser_options_free(o);
	return render_addr_finish(&acc, out, n);
}

/* The length of the header block at the start of buf: up to and including its empty line. */
static size_t
render_addr_header_len(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

trawl_status_t
render_buffer_recipients(TALLOC_CTX *ctx, const char *buf, size_t len, size_t max,
			 struct render_address **out, size_t *n)
{
	static const GMimeAddressType types[] = {GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC,
						 GMIME_ADDRESS_TYPE_BCC};
	struct render_addr_acc acc = {.ctx = ctx, .max = max};
	GMimeParserOptions *o;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	size_t skip = 0, hlen;
	char *block;

	*out = NULL;
	*n = 0;
	if ((!buf && len) || !max)
		return buf || !len ? TRAWL_OK : TRAWL_USAGE;
	/* An mbox envelope line is not a header. */
	if (len >= 5 && !memcmp(buf, "From ", 5)) {
		const char *nl = memchr(buf, '\n', len);

		skip = nl ? (size_t)(nl - buf) + 1 : len;
	}
	if (len > skip + RENDER_MAX_HEADER_BLOCK)
		len = skip + RENDER_MAX_HEADER_BLOCK;
	hlen = render_addr_header_len(buf + skip, len - skip);
	/* GMime gets the headers and an empty body, whatever followed them. */
	block = talloc_size(NULL, hlen + 2);
	if (!block)
		return TRAWL_NOMEM;
	memcpy(block, buf + skip, hlen);
	memcpy(block + hlen, "\n\n", 2);
	render_init();
	o = render_addr_options();
	stream = g_mime_stream_mem_new_with_buffer(block, hlen + 2);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, o);
	for (size_t t = 0; msg && t < sizeof(types) / sizeof(types[0]); t++)
		render_addr_add(&acc, g_mime_message_get_addresses(msg, types[t]), 0);
	if (msg)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	/* The options last: the message's headers point at them. */
	g_mime_parser_options_free(o);
	talloc_free(block);
	return render_addr_finish(&acc, out, n);
}

trawl_status_t
render_file_recipients(TALLOC_CTX *ctx, const char *path, size_t max, struct render_address **out,
		       size_t *n)
{
	size_t cap = 16384, len = 0;
	char *buf = NULL;
	trawl_status_t ts;
	struct stat sb;
	int fd;

	*out = NULL;
	*n = 0;
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) : -1;
	if (fd < 0)
		return TRAWL_IO;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return TRAWL_IO;
	}
	/* Only the head is wanted: no read-ahead into a large attachment. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	/* Read until the header block ends: most messages need one read. */
	for (;;) {
		ssize_t r;

		if (!buf || len == cap) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > RENDER_MAX_HEADER_BLOCK + 4096)
				break;
			nb = talloc_realloc(NULL, buf, char, cap);
			if (!nb) {
				talloc_free(buf);
				close(fd);
				return TRAWL_NOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			talloc_free(buf);
			close(fd);
			return TRAWL_IO;
		}
		if (r == 0)
			break;
		/* Look for the empty line in what came, with the byte before it. */
		{
			size_t from = len > 2 ? len - 2 : 0;

			len += (size_t)r;
			if (render_addr_header_len(buf + from, len - from) < len - from)
				break;
		}
	}
	close(fd);
	ts = render_buffer_recipients(ctx, buf, len, max, out, n);
	talloc_free(buf);
	return ts;
}
