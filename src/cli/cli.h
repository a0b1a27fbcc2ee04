/* cli.h -- the strads program's commands: one file each, one table. */
#ifndef STRADS_CLI_H
#define STRADS_CLI_H

#include "strads.h"

typedef struct strads_cmd_s {
	const char *name;
	const char *summary; /* one line for `strads --help` */
	int (*main)(int argc, char **argv); /* argv[0] is the command name */
} strads_cmd_t;

extern const strads_cmd_t strads_cmd_demo;
extern const strads_cmd_t strads_cmd_run;
extern const strads_cmd_t strads_cmd_predict;
extern const strads_cmd_t strads_cmd_gen;

/* Exit codes shared by every command. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

#endif
