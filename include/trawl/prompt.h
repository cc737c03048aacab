/*
 * prompt: the one-line editor at the bottom of the screen, for queries
 * (with history kept across runs and Tab completion of tags and field
 * prefixes) and for ':' commands.
 *
 * Ownership: a prompt is a talloc object; its strings are its children.
 */
#ifndef TRAWL_PROMPT_H
#define TRAWL_PROMPT_H

#include <stddef.h>
#include <talloc.h>

#include "trawl/screen.h"

enum prompt_result {
	PROMPT_EDITING,
	PROMPT_SUBMIT,
	PROMPT_CANCEL,
};

struct prompt {
	char *label;    /* e.g. "search: " */
	char *text;     /* the line being edited, UTF-8 */
	size_t cursor;  /* byte offset, on a character boundary */
	char **history; /* oldest first */
	size_t n_history, history_pos;
	char *history_path; /* "" for none */
	char **completions; /* words Tab completes (tags, prefixes) */
	size_t n_completions;
	char *saved; /* the line being typed while browsing history */
	/*
	 * A yes/no question (prompt_new_confirm): y or n answers at once,
	 * with no Enter; the line submitted is "y" or "n" (Escape, C-g and
	 * C-c answer n); other keys are ignored.  The label ends with " y/n"
	 * and is always shown whole when it fits; detail follows it, cut.
	 */
	int confirm;
	char *detail;
};

/*
 * A prompt with label and initial text; history is read from
 * history_path (NULL for none) and new entries appended there.
 */
struct prompt *prompt_new(TALLOC_CTX *ctx, const char *label, const char *initial,
			  const char *history_path);

/* A yes/no question: the label is question plus " y/n"; detail (may be NULL) follows it. */
struct prompt *prompt_new_confirm(TALLOC_CTX *ctx, const char *question, const char *detail);

/* Words completed by Tab (copied). */
void prompt_set_completions(struct prompt *p, char **words, size_t n);

/* Handles one key by name ("a", "Space", "BSpace", "Left", "Enter"...). */
enum prompt_result prompt_key(struct prompt *p, const char *key);

/* Appends the submitted line to the history file (skipping repeats). */
void prompt_remember(struct prompt *p);

/* Draws the prompt on row y; places the screen cursor. */
void prompt_draw(const struct prompt *p, struct screen *s, int y);

#endif
