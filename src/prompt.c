/*
 * prompt: the one-line editor.  See include/trawl/prompt.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trawl/prompt.h"
#include "trawl/util.h"

#define PROMPT_MAX_HISTORY 1000

static int
prompt_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

static void
prompt_load_history(struct prompt *p)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!*p->history_path || !(f = fopen(p->history_path, "r")))
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		if (p->n_history == PROMPT_MAX_HISTORY) {
			talloc_free(p->history[0]);
			memmove(p->history, p->history + 1, (p->n_history - 1) * sizeof(char *));
			p->n_history--;
		}
		p->history = talloc_realloc(p, p->history, char *, p->n_history + 1);
		if (!p->history)
			break;
		p->history[p->n_history++] = talloc_strdup(p->history, line);
	}
	free(line);
	fclose(f);
}

struct prompt *
prompt_new(TALLOC_CTX *ctx, const char *label, const char *initial, const char *history_path)
{
	struct prompt *p = talloc_zero(ctx, struct prompt);

	if (!p)
		return NULL;
	p->label = talloc_strdup(p, label);
	p->text = talloc_strdup(p, initial ? initial : "");
	p->cursor = strlen(p->text);
	p->history_path = talloc_strdup(p, history_path ? history_path : "");
	prompt_load_history(p);
	p->history_pos = p->n_history;
	return p;
}

struct prompt *
prompt_new_confirm(TALLOC_CTX *ctx, const char *question, const char *detail)
{
	struct prompt *p = talloc_zero(ctx, struct prompt);

	if (!p)
		return NULL;
	p->label = talloc_asprintf(p, "%s y/n", question);
	p->text = talloc_strdup(p, "");
	p->history_path = talloc_strdup(p, "");
	p->detail = talloc_strdup(p, detail ? detail : "");
	p->confirm = 1;
	if (!p->label || !p->text || !p->history_path || !p->detail) {
		talloc_free(p);
		return NULL;
	}
	return p;
}

void
prompt_set_completions(struct prompt *p, char **words, size_t n)
{
	p->completions = talloc_array(p, char *, n ? n : 1);
	for (size_t i = 0; p->completions && i < n; i++)
		p->completions[i] = talloc_strdup(p->completions, words[i]);
	p->n_completions = p->completions ? n : 0;
}

void
prompt_remember(struct prompt *p)
{
	FILE *f;

	if (!*p->text || !*p->history_path || strchr(p->text, '\n'))
		return;
	if (p->n_history && strcmp(p->history[p->n_history - 1], p->text) == 0)
		return;
	util_mkdirs_for(p->history_path);
	f = fopen(p->history_path, "a");
	if (!f)
		return;
	fprintf(f, "%s\n", p->text);
	fclose(f);
}

static void
prompt_insert(struct prompt *p, const char *s)
{
	size_t n = strlen(s), len = strlen(p->text);
	char *t = talloc_realloc(p, p->text, char, len + n + 1);

	if (!t)
		return;
	memmove(t + p->cursor + n, t + p->cursor, len - p->cursor + 1);
	memcpy(t + p->cursor, s, n);
	p->text = t;
	p->cursor += n;
}

static void
prompt_delete(struct prompt *p, size_t from, size_t to)
{
	size_t len = strlen(p->text);

	memmove(p->text + from, p->text + to, len - to + 1);
	if (p->cursor > to)
		p->cursor -= to - from;
	else if (p->cursor > from)
		p->cursor = from;
}

static size_t
prompt_prev_char(const struct prompt *p, size_t at)
{
	while (at > 0 && prompt_is_cont((unsigned char)p->text[--at]))
		;
	return at;
}

static size_t
prompt_next_char(const struct prompt *p, size_t at)
{
	if (!p->text[at])
		return at;
	at++;
	while (p->text[at] && prompt_is_cont((unsigned char)p->text[at]))
		at++;
	return at;
}

static void
prompt_set_text(struct prompt *p, const char *s)
{
	talloc_free(p->text);
	p->text = talloc_strdup(p, s);
	p->cursor = strlen(p->text);
}

static void
prompt_history(struct prompt *p, int dir)
{
	if (dir < 0 && p->history_pos > 0) {
		if (p->history_pos == p->n_history) {
			talloc_free(p->saved);
			p->saved = talloc_strdup(p, p->text);
		}
		p->history_pos--;
		prompt_set_text(p, p->history[p->history_pos]);
	} else if (dir > 0 && p->history_pos < p->n_history) {
		p->history_pos++;
		prompt_set_text(p, p->history_pos == p->n_history ? (p->saved ? p->saved : "")
								  : p->history[p->history_pos]);
	}
}

/* Completes the word before the cursor with the longest common prefix of the candidates. */
static void
prompt_complete(struct prompt *p)
{
	size_t start = p->cursor, wlen, common = 0, matches = 0;
	const char *first = NULL;

	while (start > 0 && !strchr(" (", p->text[start - 1]))
		start--;
	wlen = p->cursor - start;
	for (size_t i = 0; i < p->n_completions; i++) {
		const char *c = p->completions[i];

		if (strncmp(c, p->text + start, wlen) != 0)
			continue;
		if (!first) {
			first = c;
			common = strlen(c);
		} else {
			size_t k = 0;

			while (k < common && first[k] == c[k])
				k++;
			common = k;
		}
		matches++;
	}
	/* Candidates may part inside a character ("é" and "è"): stop before it. */
	while (first && common > wlen && prompt_is_cont((unsigned char)first[common]))
		common--;
	if (!first || common <= wlen)
		return;
	{
		char *add = talloc_strndup(p, first + wlen, common - wlen);

		if (add)
			prompt_insert(p, add);
		talloc_free(add);
	}
	/* One match: finish the word, unless it is a prefix waiting for its value. */
	if (matches == 1 && first[strlen(first) - 1] != ':')
		prompt_insert(p, " ");
}

enum prompt_result
prompt_key(struct prompt *p, const char *key)
{
	size_t len = strlen(p->text);

	if (p->confirm) {
		/* One key answers, as the question says: no Enter, no other key taken as yes. */
		int yes = !strcmp(key, "y") || !strcmp(key, "Y");
		int no = !strcmp(key, "n") || !strcmp(key, "N") || !strcmp(key, "Escape") ||
			 !strcmp(key, "C-g") || !strcmp(key, "C-c");

		if (!yes && !no)
			return PROMPT_EDITING;
		prompt_set_text(p, yes ? "y" : "n");
		return PROMPT_SUBMIT;
	}
	if (!strcmp(key, "Enter"))
		return PROMPT_SUBMIT;
	if (!strcmp(key, "Escape") || !strcmp(key, "C-g") || !strcmp(key, "C-c"))
		return PROMPT_CANCEL;
	if (!strcmp(key, "BSpace") || !strcmp(key, "C-h")) {
		if (p->cursor == 0 && len == 0)
			return PROMPT_CANCEL;
		if (p->cursor > 0)
			prompt_delete(p, prompt_prev_char(p, p->cursor), p->cursor);
	} else if (!strcmp(key, "Delete") || !strcmp(key, "C-d")) {
		prompt_delete(p, p->cursor, prompt_next_char(p, p->cursor));
	} else if (!strcmp(key, "Left") || !strcmp(key, "C-b")) {
		p->cursor = prompt_prev_char(p, p->cursor);
	} else if (!strcmp(key, "Right") || !strcmp(key, "C-f")) {
		p->cursor = prompt_next_char(p, p->cursor);
	} else if (!strcmp(key, "Home") || !strcmp(key, "C-a")) {
		p->cursor = 0;
	} else if (!strcmp(key, "End") || !strcmp(key, "C-e")) {
		p->cursor = len;
	} else if (!strcmp(key, "C-u")) {
		prompt_delete(p, 0, p->cursor);
	} else if (!strcmp(key, "C-k")) {
		p->text[p->cursor] = '\0';
	} else if (!strcmp(key, "C-w")) {
		size_t at = p->cursor;

		while (at > 0 && p->text[at - 1] == ' ')
			at--;
		while (at > 0 && p->text[at - 1] != ' ')
			at--;
		prompt_delete(p, at, p->cursor);
	} else if (!strcmp(key, "Up")) {
		prompt_history(p, -1);
	} else if (!strcmp(key, "Down")) {
		prompt_history(p, 1);
	} else if (!strcmp(key, "Tab")) {
		prompt_complete(p);
	} else if (!strcmp(key, "Space")) {
		prompt_insert(p, " ");
	} else if ((unsigned char)key[0] >= 0x20 && key[0] != 0x7f &&
		   (key[1] == '\0' || (unsigned char)key[0] >= 0xC0)) {
		/* A printable character (a key name is never a single multibyte char). */
		prompt_insert(p, key);
	}
	return PROMPT_EDITING;
}

void
prompt_draw(const struct prompt *p, struct screen *s, int y)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct text_run *run;
	int x, avail;
	size_t before_cols = 0, cursor_glyph = 0, start = 0, cols = 0;

	screen_fill(s, 0, y, s->w, SCREEN_PROMPT);
	if (p->confirm) {
		/* The question whole (it ends in y/n), then as much of the detail as fits. */
		x = screen_puts(s, 0, y, s->w, p->label, SCREEN_PROMPT);
		s->cursor_x = x < s->w ? x : s->w - 1;
		s->cursor_y = y;
		if (*p->detail && x + 3 < s->w)
			screen_puts(s, x + 2, y, s->w - x - 2, p->detail, SCREEN_DIM);
		talloc_free(tmp);
		return;
	}
	/* Labels may be long (a query); keep a few columns for the answer. */
	x = screen_puts(s, 0, y, s->w > 12 ? s->w - 8 : s->w / 2, p->label, SCREEN_PROMPT);
	avail = s->w - x - 1;
	if (avail < 1 || text_decode(tmp, p->text, strlen(p->text), 0, &run) != TRAWL_OK) {
		talloc_free(tmp);
		return;
	}
	/* Find the glyph under the cursor: decode the prefix to count its glyphs. */
	{
		struct text_run *pre;

		if (text_decode(tmp, p->text, p->cursor, 0, &pre) == TRAWL_OK) {
			cursor_glyph = pre->len;
			before_cols = pre->cols;
		}
	}
	/* Scroll horizontally so the cursor stays visible. */
	if (before_cols >= (size_t)avail) {
		for (start = 0; start < cursor_glyph && before_cols - cols >= (size_t)avail; start++)
			cols += run->glyphs[start].width;
	}
	screen_put_run(s, x, y, avail, run, start, run->len, SCREEN_PROMPT);
	s->cursor_x = x + (int)(before_cols - cols);
	s->cursor_y = y;
	talloc_free(tmp);
}
