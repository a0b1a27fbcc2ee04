/*
 * cli-util.c -- helpers every command and app shares: number options,
 * data files, the files of a run's steps and the cluster secret.
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
cli_parse_missing(const char *cmd, const char *s, data_missing_t *out)
{
	if (strcmp(s, "drop") == 0)
		*out = DATA_MISSING_DROP;
	else if (strcmp(s, "mean") == 0)
		*out = DATA_MISSING_MEAN;
	else if (strcmp(s, "error") == 0)
		*out = DATA_MISSING_ERROR;
	else {
		fprintf(stderr, "strads %s: --missing: expected error, drop or mean\n", cmd);
		return -1;
	}
	return 0;
}

int
cli_load_data(const char *cmd, const char *path, const char *format,
    const data_opts_t *opts, data_matrix_t *X)
{
	char err[1024];

	if (data_load(path, format, opts, X, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

const char *
cli_step_file(const char *base, int numbered, long k, char *buf, size_t len)
{
	if (base == NULL || !numbered)
		return base;
	snprintf(buf, len, "%s.%ld", base, k + 1);
	return buf;
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
