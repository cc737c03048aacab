/*
 * main: argument parsing, subcommands and the event loop.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "config.h"
#include "trawl/index.h"

static const char usage_text[] =
	"usage: trawl [--cache DIR] [QUERY]\n"
	"       trawl --demo\n"
	"       trawl --help | --version\n";

static int
main_usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return main_usage(stdout, 0);
		case 'V':
			printf("trawl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return main_usage(stderr, 2);
		}
	}
	return 0;
}
