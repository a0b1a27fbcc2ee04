/*
 * cli-util.c -- helpers every command shares: number options and the
 * cluster secret.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int
cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(*out)) {
		fprintf(stderr, "strads %s: %s: expected a number, got '%s'\n", cmd, opt, s);
		return -1;
	}
	return 0;
}

int
cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || *out < lo) {
		fprintf(stderr, "strads %s: %s: expected an integer >= %ld, got '%s'\n",
		    cmd, opt, lo, s);
		return -1;
	}
	return 0;
}

int
cli_secret(const char *cmd, const char *file, strads_config_t *cfg, uint8_t **secret,
    size_t *len)
{
	char err[512];
	int rc = strads_secret_load(file, "STRADS_SECRET", secret, len, err, sizeof(err));

	if (rc != 0) {
		if (file == NULL && rc == STRADS_ENOENT)
			fprintf(stderr, "strads %s: no cluster secret: give --secret-file FILE "
			    "or set STRADS_SECRET (every process of the cluster needs the "
			    "same one)\n", cmd);
		else
			fprintf(stderr, "strads %s: %s\n", cmd, err);
		return -1;
	}
	cfg->secret = *secret;
	cfg->secret_len = *len;
	return 0;
}

void
cli_bound_url(const char *url, int port, char *out, size_t len)
{
	const char *colon = strrchr(url, ':');

	if (port > 0 && colon != NULL && strcmp(colon, ":0") == 0)
		snprintf(out, len, "%.*s:%d", (int)(colon - url), url, port);
	else
		snprintf(out, len, "%s", url);
}
