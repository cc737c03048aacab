/*
 * cmd-stats: the commands of the timeline and correspondents panes
 * (view-stats.c): showing them, narrowing the query to what is under the
 * cursor, stepping back out, the timeline's unit, the sections.
 */
#include <string.h>

#include "trawl/cmd.h"
#include "trawl/view.h"

void
cmd_timeline(struct app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	statsview_toggle(app, STATSVIEW_TIMELINE);
}

void
cmd_correspondents(struct app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	statsview_toggle(app, STATSVIEW_PEOPLE);
}

void
cmd_narrow(struct app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char *term = NULL;

	if (!statsview_narrow(app, app, &term))
		app_message(app, 0, "nothing to narrow to yet");
	else if (term)
		cmd_query_limit(app, term);
	talloc_free(term);
}

void
cmd_widen(struct app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!cmd_query_unlimit(app))
		app_message(app, 0, "no earlier query to step back to");
}

void
cmd_timeline_by(struct app *app, int argc, char **argv)
{
	statsview_set_by(app, argc > 1 ? argv[1] : NULL);
}

void
cmd_next_section(struct app *app, int argc, char **argv)
{
	(void)argc;
	statsview_section(app, !strcmp(argv[0], "prev-section") ? -1 : 1);
}
