/*
 * cmd-plot.c -- `strads plot METRICS... --out FILE.svg`: the runs'
 * metrics files (one JSON object per check, as --metrics writes them)
 * drawn as one chart of two panels, a value against time and against
 * iterations, one curve a run. The SVG is written here, by hand: no
 * plotting library, and it renders in any browser or rsvg-convert.
 */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

/* Chart geometry, in SVG user units (pixels). */
#define W 1020
#define H 430
#define PW 400 /* a panel's plot area */
#define PH 280
#define TOP 80
#define LEFT1 90
#define LEFT2 (LEFT1 + PW + 100) /* the second panel ends 30 before W */

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
#define NCOLORS (sizeof(colors) / sizeof(colors[0]))

typedef struct {
	const char *path; /* borrowed from argv */
	double *t, *it, *y;
	size_t n, cap;
} series_t;

typedef struct {
	double lo, hi; /* the axis' range (log10 of it on a log axis) */
	int log;
} axis_t;

static void
plot_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads plot METRICS... --out FILE.svg [--y KEY] [--log | --linear]\n"
	    "                   [--title TEXT]\n"
	    "\n"
	    "Draws the metrics files of runs (--metrics of strads run or strads\n"
	    "coordinator) as one SVG chart: KEY against time (time_s) and against\n"
	    "iterations (iter), one curve a file, in its own colour, with a legend\n"
	    "of the file names.\n"
	    "\n"
	    "  --out FILE     the SVG file to write (required; written whole or not\n"
	    "                 at all)\n"
	    "  --y KEY        the value drawn: objective (default) or any value of\n"
	    "                 the records, such as gap, nnz or test_rmse\n"
	    "  --log          a log scale for KEY (the default for gap and kkt);\n"
	    "                 records whose value is not > 0 are left out\n"
	    "  --linear       a linear scale\n"
	    "  --title TEXT   the chart's title (default: KEY)\n");
}

static int
push(series_t *s, double t, double it, double y)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *a = realloc(s->t, cap * sizeof(double));

		if (a == NULL)
			return -1;
		s->t = a;
		if ((a = realloc(s->it, cap * sizeof(double))) == NULL)
			return -1;
		s->it = a;
		if ((a = realloc(s->y, cap * sizeof(double))) == NULL)
			return -1;
		s->y = a;
		s->cap = cap;
	}
	s->t[s->n] = t;
	s->it[s->n] = it;
	s->y[s->n] = y;
	s->n++;
	return 0;
}

/* Reads path's records into s: -1, reported, on a malformed line, a
 * record without the key, or no record at all. */
static int
read_series(const char *path, const char *key, int logy, series_t *s)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0, skipped = 0;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "strads plot: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		cJSON *o, *jt, *ji, *jy, *end;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if ((o = cJSON_Parse(line)) == NULL || !cJSON_IsObject(o)) {
			fprintf(stderr, "strads plot: %s:%lu: expected a JSON object a "
			    "line (a metrics file)\n", path, lineno);
			cJSON_Delete(o);
			goto out;
		}
		end = cJSON_GetObjectItemCaseSensitive(o, "end");
		if (cJSON_IsTrue(end)) { /* the run's end record */
			cJSON_Delete(o);
			continue;
		}
		jt = cJSON_GetObjectItemCaseSensitive(o, "time_s");
		ji = cJSON_GetObjectItemCaseSensitive(o, "iter");
		jy = cJSON_GetObjectItemCaseSensitive(o, key);
		if (!cJSON_IsNumber(jt) || !cJSON_IsNumber(ji)) {
			fprintf(stderr, "strads plot: %s:%lu: expected \"time_s\" and "
			    "\"iter\" numbers (a metrics file)\n", path, lineno);
			cJSON_Delete(o);
			goto out;
		}
		if (jy == NULL) {
			fprintf(stderr, "strads plot: %s:%lu: no \"%s\" in the record\n",
			    path, lineno, key);
			cJSON_Delete(o);
			goto out;
		}
		/* null is a non-finite value (a diverged run): left out. */
		if (!cJSON_IsNumber(jy) || !isfinite(jy->valuedouble) ||
		    (logy && !(jy->valuedouble > 0))) {
			skipped++;
			cJSON_Delete(o);
			continue;
		}
		if (push(s, jt->valuedouble, ji->valuedouble, jy->valuedouble) != 0) {
			fprintf(stderr, "strads plot: out of memory\n");
			cJSON_Delete(o);
			goto out;
		}
		cJSON_Delete(o);
	}
	if (ferror(f)) {
		fprintf(stderr, "strads plot: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (s->n == 0) {
		fprintf(stderr, "strads plot: %s: no record with a%s \"%s\" to draw\n",
		    path, logy ? " positive" : " finite", key);
		goto out;
	}
	if (skipped > 0)
		fprintf(stderr, "strads plot: %s: %lu record%s without a%s %s left "
		    "out\n", path, skipped, skipped == 1 ? "" : "s",
		    logy ? " positive" : " finite", key);
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

/* The range of v over every series, as an axis. */
static void
axis_of(const series_t *s, int ns, int which, int logy, axis_t *a)
{
	double lo = DBL_MAX, hi = -DBL_MAX;
	int k;
	size_t i;

	for (k = 0; k < ns; k++)
		for (i = 0; i < s[k].n; i++) {
			double v = which == 0 ? s[k].t[i] : which == 1 ? s[k].it[i] : s[k].y[i];

			if (logy)
				v = log10(v);
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	a->log = logy;
	if (logy) {
		lo = floor(lo);
		hi = ceil(hi);
	}
	if (!(hi > lo)) { /* one value: a range around it */
		double pad = lo != 0 ? fabs(lo) * 0.05 : 1;

		lo -= pad;
		hi += pad;
	}
	if (!logy && which != 2 && lo > 0)
		lo = 0; /* time and iterations from 0 */
	a->lo = lo;
	a->hi = hi;
}

static double
pos(const axis_t *a, double v, double len)
{
	if (a->log)
		v = log10(v);
	return (v - a->lo) / (a->hi - a->lo) * len;
}

/* A step of 1, 2 or 5 x 10^k giving about five ticks over span. */
static double
nice_step(double span)
{
	double raw = span / 5, p = pow(10, floor(log10(raw))), m = raw / p;

	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void
ticks_x(FILE *f, const axis_t *a, int left)
{
	double step = nice_step(a->hi - a->lo), v;

	for (v = ceil(a->lo / step) * step; v <= a->hi + step * 1e-9; v += step) {
		double x = left + (v - a->lo) / (a->hi - a->lo) * PW;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#ddd\"/>\n", x, TOP, x, TOP + PH);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
		    x, TOP + PH + 18, fabs(v) < step * 1e-9 ? 0 : v);
	}
}

static void
ticks_y(FILE *f, const axis_t *a, int left)
{
	double v, step = a->log ? (a->hi - a->lo > 8 ? 2 : 1) : nice_step(a->hi - a->lo);

	for (v = ceil(a->lo / step) * step; v <= a->hi + step * 1e-9; v += step) {
		double y = TOP + PH - (v - a->lo) / (a->hi - a->lo) * PH;

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/>\n", left, y, left + PW, y);
		if (a->log)
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">1e%g</text>\n",
			    left - 6, y + 4, v);
		else
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.6g</text>\n",
			    left - 6, y + 4, fabs(v) < step * 1e-9 ? 0 : v);
	}
}

/* Text for SVG: the XML specials escaped. */
static void
put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

typedef struct {
	const series_t *s;
	int ns;
	const char *key, *title;
	int logy;
} chart_t;

static void
panel(FILE *f, const chart_t *c, int which, int left)
{
	axis_t ax, ay;
	int k;
	size_t i;

	axis_of(c->s, c->ns, which, 0, &ax);
	axis_of(c->s, c->ns, 2, c->logy, &ay);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" "
	    "stroke=\"#888\"/>\n", left, TOP, PW, PH);
	ticks_x(f, &ax, left);
	ticks_y(f, &ay, left);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
	    left + PW / 2, TOP + PH + 40, which == 0 ? "time (s)" : "iterations");
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 "
	    "%d %d)\">", left - 62, TOP + PH / 2, left - 62, TOP + PH / 2);
	put_text(f, c->key);
	fprintf(f, "%s</text>\n", c->logy ? " (log)" : "");
	for (k = 0; k < c->ns; k++) {
		const series_t *s = &c->s[k];

		fprintf(f, "<polyline class=\"run\" data-run=\"%d\" fill=\"none\" "
		    "stroke=\"%s\" stroke-width=\"2\" points=\"", k, colors[k % NCOLORS]);
		for (i = 0; i < s->n; i++)
			fprintf(f, "%s%.1f,%.1f", i ? " " : "",
			    left + pos(&ax, which == 0 ? s->t[i] : s->it[i], PW),
			    TOP + PH - pos(&ay, s->y[i], PH));
		fprintf(f, "\"/>\n");
	}
}

static int
chart_put(FILE *f, void *arg)
{
	const chart_t *c = arg;
	int k;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	           "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	           "font-size=\"12\">\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
	    W, H + 20 * (c->ns / 3), W, H + 20 * (c->ns / 3), W, H + 20 * (c->ns / 3));
	fprintf(f, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">",
	    W / 2);
	put_text(f, c->title);
	fprintf(f, "</text>\n");
	/* The legend: three runs a row, above the panels. */
	for (k = 0; k < c->ns; k++) {
		int x = LEFT1 + (k % 3) * 290, y = 46 + 18 * (k / 3);

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"3\"/>\n<text x=\"%d\" y=\"%d\">", x, y, x + 24, y,
		    colors[k % NCOLORS], x + 30, y + 4);
		put_text(f, c->s[k].path);
		fprintf(f, "</text>\n");
	}
	if (c->ns > 3)
		fprintf(f, "<g transform=\"translate(0 %d)\">\n", 18 * ((c->ns - 1) / 3));
	panel(f, c, 0, LEFT1);
	panel(f, c, 1, LEFT2);
	if (c->ns > 3)
		fprintf(f, "</g>\n");
	fprintf(f, "</svg>\n");
	return ferror(f) != 0;
}

static int
plot_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"y", required_argument, NULL, 'y'},
	    {"log", no_argument, NULL, 'l'},
	    {"linear", no_argument, NULL, 'L'},
	    {"title", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *out = NULL, *key = "objective", *title = NULL;
	series_t *s = NULL;
	chart_t ch;
	char err[512];
	int c, i, ns, logy = -1, rc = CLI_FAIL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'y': key = optarg; break;
		case 'l':
		case 'L':
			if (logy >= 0) {
				fprintf(stderr, "strads plot: --log and --linear: give one\n");
				return CLI_USAGE;
			}
			logy = c == 'l';
			break;
		case 't': title = optarg; break;
		case 'h': plot_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads plot: %s '%s'\nTry 'strads plot --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	ns = argc - optind;
	if (out == NULL || ns < 1) {
		fprintf(stderr, "strads plot: %s\n", out == NULL ? "--out FILE.svg is required"
		    : "expected at least one METRICS file");
		plot_usage(stderr);
		return CLI_USAGE;
	}
	if (logy < 0)
		logy = strcmp(key, "gap") == 0 || strcmp(key, "kkt") == 0;
	for (i = 0; i < ns; i++)
		if (cli_same_file(argv[optind + i], out)) {
			fprintf(stderr, "strads plot: --out names the metrics file %s: it "
			    "would be written over\n", out);
			return CLI_USAGE;
		}
	if (cli_writable("plot", out) != 0)
		return CLI_FAIL;
	if ((s = calloc((size_t)ns, sizeof(*s))) == NULL) {
		fprintf(stderr, "strads plot: out of memory\n");
		return CLI_FAIL;
	}
	for (i = 0; i < ns; i++) {
		s[i].path = argv[optind + i];
		if (read_series(s[i].path, key, logy, &s[i]) != 0)
			goto out;
	}
	ch.s = s;
	ch.ns = ns;
	ch.key = key;
	ch.title = title != NULL ? title : key;
	ch.logy = logy;
	if (strads_file_write_atomic(out, 0644, chart_put, &ch, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads plot: %s\n", err);
		goto out;
	}
	rc = CLI_OK;
out:
	for (i = 0; i < ns; i++) {
		free(s[i].t);
		free(s[i].it);
		free(s[i].y);
	}
	free(s);
	return rc;
}

const strads_cmd_t strads_cmd_plot = {
    "plot", "draw metrics files as an SVG chart", plot_main};
