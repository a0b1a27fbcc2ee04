/*
 * main.c -- `strads COMMAND [options]`: dispatch through one table of the
 * built-in commands, then through the apps' own commands (their registry
 * entries' cmds).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "registry.h"

static const strads_cmd_t *const commands[] = {
    &strads_cmd_run,
    &strads_cmd_coordinator,
    &strads_cmd_node,
    &strads_cmd_predict,
    &strads_cmd_gen,
    &strads_cmd_demo,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: strads COMMAND [options]\n"
	    "       strads COMMAND --help\n"
	    "       strads --version\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	for (i = 0; app_registry[i] != NULL; i++) {
		const strads_cmd_t *const *c;

		for (c = app_registry[i]->cmds; c != NULL && *c != NULL; c++)
			fprintf(f, "  %-12s %s\n", (*c)->name, (*c)->summary);
	}
	fprintf(f, "\nSee strads(1).\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("strads %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->main(argc - 1, argv + 1);
	for (i = 0; app_registry[i] != NULL; i++) {
		const strads_cmd_t *const *c;

		for (c = app_registry[i]->cmds; c != NULL && *c != NULL; c++)
			if (strcmp(argv[1], (*c)->name) == 0)
				return (*c)->main(argc - 1, argv + 1);
	}
	fprintf(stderr, "strads: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
