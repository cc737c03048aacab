/*
 * cmd-export: the reader's export command.  It asks where to write the
 * messages of the current query (NAME.mbox for an mbox, anything else for
 * a folder of .eml files; the CSV index goes beside it as NAME.csv), asks
 * before overwriting, and runs the export (exporter_run) in a child
 * process, so the reader stays responsive and survives a crash of the
 * export.  One export runs at a time; its state is owned by the app (a
 * talloc child), polled as an app job, and ends with it.
 */
#ifndef TRAWL_CMD_EXPORT_H
#define TRAWL_CMD_EXPORT_H

#include "trawl/app.h"

/* The "export" command: prompts for the destination (or takes it as argv[1]). */
void cmd_export(struct app *app, int argc, char **argv);
/* The same for another query (the marked rows). */
void cmd_export_query(struct app *app, const char *query, int argc, char **argv);

#endif
