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

/* "strads gen APP: message\n" on stderr. */
void
cli_gen_error(const char *app, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strads gen %s: ", app);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A whole decimal number in [0, UINT32_MAX], nothing else. */
int
cli_gen_u32(const char *app, const char *opt, const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v > UINT32_MAX) {
		cli_gen_error(app,
		    "--%s: expected a whole number from 0 to %u, "
		    "found '%s'",
		    opt, UINT32_MAX, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
cli_gen_u64(const char *app, const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0) {
		cli_gen_error(app,
		    "--%s: expected a whole number from 0 to %llu, "
		    "found '%s'",
		    opt, (unsigned long long)UINT64_MAX, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A finite real number, nothing else. */
int
cli_gen_double(const char *app, const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
		cli_gen_error(app, "--%s: expected a number, found '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* The directory holding path (malloc'd), or NULL when out of memory. */
static char *
parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* fsync the directory holding path, so a rename into it is durable. */
void
cli_sync_parent(const char *path)
{
	char *dir = parent_dir(path);
	int fd;

	if (dir == NULL)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Fails early, before minutes of generating, when the directory of path
 * cannot take a new file. */
int
cli_gen_writable(const char *app, const char *path)
{
	char *dir = parent_dir(path);
	int ok;

	if (dir == NULL)
		return 0;
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		cli_gen_error(app, "%s: cannot write into %s: %s", path, dir,
		    strerror(errno));
	free(dir);
	return ok ? 0 : -1;
}

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
