/*
 * importer: `trawl import [--into DIR] SOURCE...` turns raw caches
 * (maildirs, mbox files, .eml trees, mixtures) into a trawl cache: a
 * maildir copy of every message, a notmuch database indexing it, a notmuch
 * config and a manifest, without ever writing to the sources.
 */
#ifndef TRAWL_IMPORTER_H
#define TRAWL_IMPORTER_H

#include <talloc.h>

/* The `trawl import` subcommand; argv[0] is "import".  Returns the exit status. */
int importer_main(TALLOC_CTX *ctx, int argc, char **argv);

#endif
