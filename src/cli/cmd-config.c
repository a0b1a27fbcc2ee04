/*
 * cmd-config.c -- `strads config --dump CMD [APP] [options]`: the settings
 * a run, coordinator or node would run with (its --config file and its
 * options merged, the command line winning, checked as the command checks
 * them), printed in the format of strads.conf(5), so that the dump given
 * back with --config makes the same run.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
config_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads config --dump run APP [options]\n"
	    "       strads config --dump coordinator [options]\n"
	    "       strads config --dump node [options]\n"
	    "\n"
	    "Prints the settings the command would run with: the options of its\n"
	    "--config file and of its command line (which wins), checked as the\n"
	    "command checks them, file names made absolute, as KEY = VALUE lines\n"
	    "(strads.conf(5)). Nothing is loaded or run. Given back with --config\n"
	    "FILE, the dump makes the same run.\n"
	    "\n"
	    "options:\n"
	    "  --dump              print the settings (the only action)\n");
}

static int
config_main(int argc, char **argv)
{
	static const strads_cmd_t *const cmds[] = {
	    &strads_cmd_run, &strads_cmd_coordinator, &strads_cmd_node};
	size_t i;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		config_usage(stdout);
		return CLI_OK;
	}
	if (argc < 3 || strcmp(argv[1], "--dump") != 0) {
		config_usage(stderr);
		return CLI_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[2], cmds[i]->name) == 0) {
			cli_conf_dump_mode();
			return cmds[i]->main(argc - 2, argv + 2);
		}
	fprintf(stderr, "strads config: --dump: expected run, coordinator or node, "
	    "got '%s'\n", argv[2]);
	return CLI_USAGE;
}

const strads_cmd_t strads_cmd_config = {
    "config", "print the settings of a run, coordinator or node (--dump)", config_main};
