/*
 * fuzz-screen: untrusted text drawn as the views draw it (text_decode(),
 * text_wrap(), screen_put_run(), as view-thread.c's thread_add_text()
 * does), then every cell checked: the neutraliser's contract is that
 * nothing from a message reaches the terminal unfiltered, so no cell may
 * hold a C0 or C1 control, ESC, DEL or a bidi control.
 */
#ifndef TRAWL_FUZZ_SCREEN_H
#define TRAWL_FUZZ_SCREEN_H

#include <talloc.h>

#include "fuzz.h"
#include "trawl/screen.h"
#include "trawl/text.h"

static inline FUZZ_NOT_TRACED void
fuzz_check_cells(const struct screen *scr)
{
	for (int c = 0; c < scr->w * scr->h; c++)
		for (int k = 0; k <= TEXT_MAX_COMBINING; k++)
			fuzz_check(scr->cells[c].wc[k] == 0 ||
				   !fuzz_forbidden((uint32_t)scr->cells[c].wc[k]));
}

/* Draws text[0..len) wrapped at 40 columns and checks every cell of every line. */
static inline FUZZ_NOT_TRACED void
fuzz_check_drawn(const char *text, size_t len)
{
	static struct screen *scr;
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct text_run *run;
	size_t *breaks, n;

	if (!scr)
		scr = screen_new(NULL, 40, 1);
	fuzz_check(scr && tmp);
	fuzz_check(text_decode(tmp, text, len, 0, &run) == TRAWL_OK);
	fuzz_check(text_wrap(tmp, run, 40, &breaks, &n) == TRAWL_OK);
	for (size_t i = 0; i < n; i++) {
		screen_clear(scr);
		screen_put_run(scr, 0, 0, 40, run, breaks[i], i + 1 < n ? breaks[i + 1] : run->len,
			       SCREEN_NORMAL);
		fuzz_check_cells(scr);
	}
	/* And as a one-line field (a subject, a file name), cut with "…". */
	screen_clear(scr);
	screen_puts(scr, 0, 0, 40, talloc_strndup(tmp, text, len), SCREEN_NORMAL);
	fuzz_check_cells(scr);
	talloc_free(tmp);
}

#endif
