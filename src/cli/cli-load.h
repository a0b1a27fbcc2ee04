/*
 * cli-load.h -- loading an app's data with its progress on a terminal
 * (cli-load.c).
 */
#ifndef STRADS_CLI_LOAD_H
#define STRADS_CLI_LOAD_H

#include "registry.h"

/* app->load(cmd, st, verbose), showing the load's progress on stderr
 * when verbose and stderr is a terminal. Returns what load returns. */
int cli_load(const app_entry_t *app, const char *cmd, app_state_t *st, int verbose);

#endif /* STRADS_CLI_LOAD_H */
