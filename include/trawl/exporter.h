/*
 * exporter: `trawl export QUERY (--mbox FILE | --dir DIR) [--csv FILE]`
 * writes the messages of a query byte for byte, with a CSV index, for a
 * report.  The reader's export command uses the same code.
 */
#ifndef TRAWL_EXPORTER_H
#define TRAWL_EXPORTER_H

#include <talloc.h>

/* The `trawl export` subcommand; argv[0] is "export".  Returns the exit status. */
int exporter_main(TALLOC_CTX *ctx, int argc, char **argv);

#endif
