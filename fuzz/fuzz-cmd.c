/*
 * libFuzzer target for what parses text the user types: the ':' command
 * line (cmd_parse(), the table lookup, util_split_words()/util_rest_words()/
 * util_quote_word()) and the prompt's line editor (prompt.h) with its
 * history file and Tab completion.
 *
 * Input: byte 0 selects the part (even: command line, odd: prompt).
 *
 * Command line: the rest is the line.  A line that parses names a table
 * command (argv[0] is its name) or a config directive; a QUERY command
 * gets the rest of the line as written, which splits into the words after
 * the name; other commands get the words.  A line that fails has an
 * unterminated quote or an unknown name.  Every word, quoted with
 * util_quote_word(), splits back to itself, and the quoted words joined
 * with blanks split back to the words.
 *
 * Prompt: the rest is "history\0keys": the history file's text, then the
 * keys, one a byte (see fuzz_key()).  After every key the text typed is
 * valid UTF-8 (every key types valid UTF-8) and the cursor is inside it,
 * on a character boundary when the text is valid; drawn on a screen, the prompt leaves the cursor on
 * the screen and no forbidden code point in any cell.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trawl/cmd.h"
#include "trawl/config.h"
#include "trawl/prompt.h"
#include "trawl/screen.h"
#include "trawl/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void
fuzz_same_words(char **a, int na, char **b, int nb)
{
	fuzz_check(a && b && na == nb);
	for (int i = 0; i < na; i++)
		fuzz_check(!strcmp(a[i], b[i]));
}

static void
fuzz_command(TALLOC_CTX *ctx, const char *line)
{
	const struct cmd_entry *cmd;
	char **argv, **words, **again, *err = NULL, *parse_err = NULL, *joined;
	int argc = 0, n = 0, m = 0;
	trawl_status_t ts = cmd_parse(ctx, line, &cmd, &argc, &argv, &parse_err);

	words = util_split_words(ctx, line, &n, &err);
	if (ts != TRAWL_OK) {
		fuzz_check(parse_err != NULL);
		/* Only an unterminated quote or an unknown name fails. */
		fuzz_check(!words || (n > 0 && !cmd_find(words[0])));
		return;
	}
	fuzz_check(words != NULL);
	if (argc == 0) {
		fuzz_check(n == 0 && cmd == NULL);
		return;
	}
	if (!cmd) {
		fuzz_check(!strcmp(words[0], "set") || !strcmp(words[0], "bind") ||
			   !strcmp(words[0], "unbind") || !strcmp(words[0], "color") ||
			   !strcmp(words[0], "colour"));
	} else {
		fuzz_check(cmd == cmd_find(words[0]) && !strcmp(argv[0], cmd->name));
		fuzz_check(cmd >= cmd_table && cmd < cmd_table + cmd_count);
		if (strstr(cmd->args, "QUERY")) {
			/* The query as written: it splits into the words typed after the name. */
			fuzz_check(argc == (n > 1 ? 2 : 1));
			if (argc == 2) {
				again = util_split_words(ctx, argv[1], &m, &err);
				fuzz_same_words(again, m, words + 1, n - 1);
				fuzz_check(argv[1][0] != ' ' && argv[1][0] != '\t');
			}
		} else {
			fuzz_same_words(argv, argc, words, n);
		}
	}
	/* Quoting: each word reads back as itself, and so do all of them joined. */
	joined = talloc_strdup(ctx, "");
	for (int i = 0; i < n; i++) {
		char *q = util_quote_word(ctx, words[i]);

		fuzz_check(q != NULL);
		again = util_split_words(ctx, q, &m, &err);
		fuzz_same_words(again, m, words + i, 1);
		joined = talloc_asprintf_append(joined, "%s%s", i ? " " : "", q);
		fuzz_check(joined != NULL);
	}
	again = util_split_words(ctx, joined, &m, &err);
	fuzz_same_words(again, m, words, n);
	/* The rest from any word splits into the words from there. */
	for (int k = 0; k <= n; k++) {
		char *rest = util_rest_words(ctx, line, k, &err);

		fuzz_check(rest != NULL);
		again = util_split_words(ctx, rest, &m, &err);
		fuzz_same_words(again, m, words + k, n - k);
	}
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t
fuzz_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
					: (s[0] & 0xF8) == 0xF0			? 4
										: 0;
	uint32_t c;

	if (!len || len > n)
		return 0;
	c = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7F >> len));
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

static int
fuzz_valid_utf8(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t k = fuzz_utf8_len((const unsigned char *)s + i, n - i);

		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * The key for input byte b (and what follows it, *used bytes in all), as
 * ui_key() names keys: editing keys by name, a printable ASCII character,
 * or a character made of the next bytes when they are valid UTF-8.
 */
static const char *
fuzz_key(const unsigned char *p, size_t n, size_t *used, char *buf)
{
	static const char *const names[] = {
		"Enter", "Escape", "C-g",   "C-c", "BSpace", "C-h",	"Delete", "C-d", "Left",
		"C-b",	 "Right",  "C-f",   "Home", "C-a",   "End",	"C-e",	  "C-u", "C-k",
		"C-w",	 "Up",	   "Down",  "Tab",  "Space", "PageDown", "F5",	  "Key410",
	};
	size_t k;

	*used = 1;
	if (p[0] < 0x20)
		return names[p[0] % (sizeof(names) / sizeof(names[0]))];
	if (p[0] < 0x80) {
		buf[0] = (char)p[0];
		buf[1] = '\0';
		return buf;
	}
	k = fuzz_utf8_len(p, n);
	if (!k || k == 1)
		return "Tab";
	memcpy(buf, p, k);
	buf[k] = '\0';
	*used = k;
	return buf;
}

static void
fuzz_prompt(TALLOC_CTX *ctx, const uint8_t *data, size_t size)
{
	/* Candidates as the search prompt offers them: prefixes, then tags. */
	static const char *const words[] = {
		"from:",      "to:",	     "tag:", "tag:inbox", "tag:\"under review\"", "tag:été",
		"tag:éte",    "tag:è",	     "tag:é", "tag:日本", "tag:日本語",	     "query:",
		"subject:",   "not",	     "and",  "tag:a\"b",  "tag:xé",		     "tag:xè",
		"",
	};
	const uint8_t *nul = memchr(data, '\0', size);
	size_t hist = nul ? (size_t)(nul - data) : 0, i;
	const uint8_t *keys = nul ? nul + 1 : data;
	size_t n_keys = size - (size_t)(keys - data);
	struct prompt *p;
	struct screen *scr;
	char buf[8];

	p = prompt_new(ctx, "search: ", "", fuzz_file(data, hist));
	fuzz_check(p != NULL);
	prompt_set_completions(p, (char **)words, sizeof(words) / sizeof(words[0]));
	scr = screen_new(ctx, 30, 2);
	fuzz_check(scr != NULL);
	for (i = 0; i < n_keys;) {
		size_t used, len;
		const char *key = fuzz_key(keys + i, n_keys - i, &used, buf);
		enum prompt_result r;

		i += used;
		r = prompt_key(p, key);
		len = strlen(p->text);
		fuzz_check(p->cursor <= len);
		/*
		 * History lines are the file's and may be anything; the line
		 * typed (or edited back to valid UTF-8) has the cursor on a
		 * character.
		 */
		if (p->history_pos == p->n_history)
			fuzz_check(fuzz_valid_utf8(p->text));
		if (fuzz_valid_utf8(p->text))
			fuzz_check(p->cursor == len || (p->text[p->cursor] & 0xC0) != 0x80);
		if (r != PROMPT_EDITING)
			break;
	}
	prompt_draw(p, scr, 1);
	fuzz_check(scr->cursor_x >= 0 && scr->cursor_x < scr->w && scr->cursor_y == 1);
	for (int c = 0; c < scr->w * scr->h; c++)
		for (int k = 0; k <= TEXT_MAX_COMBINING; k++)
			fuzz_check(scr->cells[c].wc[k] == 0 ||
				   !fuzz_forbidden((uint32_t)scr->cells[c].wc[k]));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The terminal's locale, as trawl runs (main_locale()). */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;

	if (size < 1 || size > 4096)
		return 0;
	ctx = talloc_new(NULL);
	if (data[0] & 1) {
		fuzz_prompt(ctx, data + 1, size - 1);
	} else {
		char *line = talloc_strndup(ctx, (const char *)data + 1, size - 1);

		fuzz_check(line != NULL);
		fuzz_command(ctx, line);
	}
	talloc_free(ctx);
	return 0;
}
