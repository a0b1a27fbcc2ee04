/*
 * cli-load.c -- loading an app's data for strads run and strads
 * coordinator, with the load's progress on a terminal: one live line
 * (the file, the share read, the rate), shown from the first second of a
 * file on and erased when the load ends, so a small file shows nothing
 * and a pipe or a log gets no progress lines at all.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli-load.h"
#include "data.h"

static struct {
	uint64_t t0_ns;
	int shown; /* a line is on the terminal */
} load;

/* The progress line, rewritten in place and cut to the terminal's
 * width; erased when path is NULL (the file is read). */
static void
load_line(const char *path, uint64_t done, uint64_t size)
{
	double s = (double)(strads_now_ns() - load.t0_ns) / 1e9;
	double mb = (double)done / 1e6;
	char line[512];
	struct winsize ws;
	size_t width = sizeof(line) - 1;

	if (path == NULL) {
		if (load.shown)
			fputs("\r\033[K", stderr);
		load.shown = 0;
		return;
	}
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    (size_t)ws.ws_col - 1 < width)
		width = (size_t)ws.ws_col - 1;
	if (size > 0)
		snprintf(line, sizeof(line), "loading %s: %.0f%% of %.1f MB, %.0f MB/s", path,
		    100.0 * (double)done / (double)size, (double)size / 1e6, s > 0 ? mb / s : 0);
	else
		snprintf(line, sizeof(line), "loading %s: %.1f MB, %.0f MB/s", path, mb,
		    s > 0 ? mb / s : 0);
	line[width] = '\0';
	fprintf(stderr, "\r%s\033[K", line);
	load.shown = 1;
}

int
cli_load(const app_entry_t *app, const char *cmd, app_state_t *st, int verbose)
{
	int rc, tty = verbose && isatty(STDERR_FILENO);

	if (st->data != NULL && strcmp(st->data, "-") == 0 && cli_conf_from_stdin()) {
		fprintf(stderr, "strads %s: --data - and --config - both name the standard "
		    "input; give one of them a file\n", cmd);
		return CLI_USAGE;
	}
	load.t0_ns = strads_now_ns();
	load.shown = 0;
	if (tty)
		data_set_progress(load_line);
	rc = app->load(cmd, st, verbose);
	data_set_progress(NULL);
	if (load.shown)
		fputs("\r\033[K", stderr);
	return rc;
}
