/*
 * cmd-gen.c -- `strads gen APP`: synthetic training data with a planted
 * ground truth, so a solver's answer can be checked at any size.
 *
 * One generator an app (its registry entry's gen); each parses its own
 * options and writes its data (and, on request, its truth) atomically:
 * temp file, fsync, rename. The helpers here are theirs (cli.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "registry.h"

static void
gen_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: strads gen APP --out FILE [options]\n"
		   "       strads gen APP --help\n\n"
		   "Writes synthetic data with a planted ground truth.\n\n"
		   "apps:\n");
	for (i = 0; app_registry[i] != NULL; i++)
		if (app_registry[i]->gen != NULL)
			fprintf(f, "  %-10s %s\n", app_registry[i]->name,
			    app_registry[i]->gen_summary);
}

static int
gen_main(int argc, char **argv)
{
	const app_entry_t *app;

	if (argc < 2) {
		gen_usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		gen_usage(stdout);
		return CLI_OK;
	}
	if ((app = app_find(argv[1], app_gens)) != NULL)
		return app->gen(argc - 1, argv + 1);
	fprintf(stderr, "strads gen: unknown app '%s'\n\n", argv[1]);
	gen_usage(stderr);
	return CLI_USAGE;
}

const strads_cmd_t strads_cmd_gen = {
    "gen", "write synthetic data with a planted ground truth", gen_main};
