/*
 * view-stats.h: what view-stats.c, view-timeline.c and view-people.c share,
 * and nothing else includes.
 */
#ifndef TRAWL_VIEW_STATS_H
#define TRAWL_VIEW_STATS_H

#include "trawl/view.h"

/* The title line of a pane: "WHAT of QUERY", the count and the progress mark. */
void statsview_title(struct app *app, int x, int y, int w, const char *what);

/* Enter in each pane. */
int timeline_narrow(struct app *app, TALLOC_CTX *ctx, char **term);
int people_narrow(struct app *app, TALLOC_CTX *ctx, char **term);

#endif
