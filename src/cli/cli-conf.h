/*
 * cli-conf.h -- reading a --config file (strads.conf(5)) into its
 * entries, in either form: KEY = VALUE lines with [sections], or a JSON
 * object. cli-conf.c merges the entries with the command line.
 */
#ifndef STRADS_CLI_CONF_H
#define STRADS_CLI_CONF_H

#include <stddef.h>

/* A KEY = VALUE setting of the file that applies to the command. */
typedef struct {
	char *key, *val; /* owned */
	int line;
	int sect; /* from the command's own section, not the top */
} conf_ent_t;

/* Reads path for command cmd ("run", "coordinator" or "node"): the
 * settings of the top and of cmd's own section, in order, a key of the
 * section replacing the top's (other sections are skipped). 0 with
 * *out (owned by the caller: cli_conf_ents_free) and *nout; -1, reported
 * on stderr with the file and line, on a file that cannot be read, is
 * too large or is malformed. */
int cli_conf_read(const char *cmd, const char *path, conf_ent_t **out, size_t *nout);

/* Frees n entries at e and the array. */
void cli_conf_ents_free(conf_ent_t *e, size_t n);

#endif /* STRADS_CLI_CONF_H */
