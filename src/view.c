/*
 * view: what the panes share: cursor movement and date formatting.
 */
#include <stdio.h>
#include <string.h>

#include "trawl/view.h"

const struct view_ops *
view_focused(const struct app *app)
{
	if (app->help)
		return &view_help_ops;
	switch (app->focus) {
	case APP_FOCUS_SIDEBAR:
		return &view_sidebar_ops;
	case APP_FOCUS_THREAD:
		return &view_thread_ops;
	case APP_FOCUS_LIST:
	default:
		return &view_list_ops;
	}
}

void
view_move_cursor(size_t *cursor, size_t n, long delta)
{
	if (n == 0) {
		*cursor = 0;
		return;
	}
	if (delta == VIEW_FIRST)
		*cursor = 0;
	else if (delta == VIEW_LAST)
		*cursor = n - 1;
	else if (delta < 0)
		*cursor = (size_t)-delta > *cursor ? 0 : *cursor - (size_t)-delta;
	else
		*cursor = *cursor + (size_t)delta >= n ? n - 1 : *cursor + (size_t)delta;
}

void
view_scroll_to(size_t cursor, size_t *top, size_t n, int h)
{
	size_t rows = h > 0 ? (size_t)h : 1;

	if (cursor < *top)
		*top = cursor;
	else if (cursor >= *top + rows)
		*top = cursor - rows + 1;
	/* Do not leave empty rows at the bottom when the list could fill them. */
	if (n >= rows && *top > n - rows)
		*top = n - rows;
	else if (n < rows)
		*top = 0;
}

const char *
view_format_date(time_t t, time_t now, char *buf, size_t len)
{
	struct tm tm, tn;
	long days;

	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (t <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	days = (long)((now - t) / 86400);
	if (t <= now && tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, len, "%H:%M", &tm);
	else if (t <= now && days < 1)
		snprintf(buf, len, "yesterday");
	else if (t <= now && days < 6)
		strftime(buf, len, "%a %H:%M", &tm);
	else if (t <= now && tm.tm_year == tn.tm_year)
		strftime(buf, len, "%b %d", &tm);
	else
		strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}
