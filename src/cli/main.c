/*
 * main.c -- `strads COMMAND [options]`: dispatch through one table of the
 * built-in commands, then through the apps' own commands (their registry
 * entries' cmds).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "registry.h"

static const strads_cmd_t *const commands[] = {
    &strads_cmd_run,
    &strads_cmd_coordinator,
    &strads_cmd_node,
    &strads_cmd_predict,
    &strads_cmd_gen,
    &strads_cmd_demo,
    &strads_cmd_plot,
    &strads_cmd_config,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: strads [--log-level L] COMMAND [options]\n"
	    "       strads COMMAND --help\n"
	    "       strads --version\n\n"
	    "  --log-level L  what the log on stderr shows: error, warn (the\n"
	    "                 default, or $STRADS_LOG), info or debug\n\n"
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

/* A log level's number, or -1. */
static int
log_level(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
main(int argc, char **argv)
{
	const char *env = getenv("STRADS_LOG");
	size_t i;
	int level;

	if (env != NULL && env[0] != '\0') {
		if ((level = log_level(env)) < 0) {
			fprintf(stderr, "strads: STRADS_LOG: expected error, warn, info or "
			    "debug, got '%s'\n", env);
			return CLI_USAGE;
		}
		strads_log_set_level(level);
	}
	/* Options of the program, before the command. */
	while (argc >= 2 && strncmp(argv[1], "--log-level", 11) == 0 &&
	    (argv[1][11] == '\0' || argv[1][11] == '=')) {
		const char *v = argv[1][11] == '=' ? argv[1] + 12 : argc >= 3 ? argv[2] : NULL;

		if (v == NULL) {
			fprintf(stderr, "strads: a value is needed after '--log-level'\n");
			return CLI_USAGE;
		}
		if ((level = log_level(v)) < 0) {
			fprintf(stderr, "strads: --log-level: expected error, warn, info or "
			    "debug, got '%s'\n", v);
			return CLI_USAGE;
		}
		strads_log_set_level(level);
		i = argv[1][11] == '=' ? 1 : 2;
		argv[i] = argv[0];
		argv += i;
		argc -= (int)i;
	}
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
		if (strcmp(argv[1], commands[i]->name) == 0) {
			int rc = commands[i]->main(argc - 1, argv + 1);

			/* The options a --config file made, kept while the
			 * command ran (its parsed options point into them). */
			cli_conf_release();
			cli_origin_clear();
			return rc;
		}
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
