/*
 * stats-cli: `trawl stats [--json] [--by day|week|month|year] [--top N]
 * [--cache DIR] QUERY...` prints what the timeline and correspondents
 * panes show (stats.h) for QUERY: the messages per period with a bar, the
 * peak, then the top senders, recipients, sender domains, pairs, tags,
 * attachment types, folders and years, as aligned tables a journalist can
 * paste into a story, or as one JSON object for a notebook.  Every string
 * from mail is neutralised (text_sanitize) in tables and \u-escaped ASCII
 * in JSON.
 */
#ifndef TRAWL_STATS_CLI_H
#define TRAWL_STATS_CLI_H

#include <talloc.h>

/* The `trawl stats` subcommand; argv[0] is "stats".  Returns the exit status. */
int stats_cli_main(TALLOC_CTX *ctx, int argc, char **argv);

#endif
