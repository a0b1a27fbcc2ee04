/*
 * cli-util.c -- helpers every command and app shares: number options,
 * data files, the files of a run's steps, the cluster secret, and the
 * option and file checks of the generators (`strads gen APP`). It calls
 * no command and no app, so the apps' front ends may call it
 * (t/modgraph.sh: module cliutil).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/*
 * Where the option strings that a --config file made came from
 * (cli-conf.c registers them): a value's error names the file and line
 * instead of the command line. Set up on the command's thread before
 * its parse; read only after.
 */
static struct {
	const char *start; /* borrowed: kept by cli-conf.c until exit */
	size_t len;
	char where[256];   /* FILE:LINE */
} *origins;
static size_t norigins;
static int origin_named; /* a message named an origin */

int
cli_origin_add(const char *s, size_t len, const char *where)
{
	void *m = realloc(origins, (norigins + 1) * sizeof(*origins));

	if (m == NULL)
		return -1;
	origins = m;
	origins[norigins].start = s;
	origins[norigins].len = len;
	snprintf(origins[norigins].where, sizeof(origins[norigins].where), "%s", where);
	norigins++;
	return 0;
}

void
cli_origin_clear(void)
{
	free(origins);
	origins = NULL;
	norigins = 0;
}

const char *
cli_origin(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < norigins; i++)
		if (s >= origins[i].start && s < origins[i].start + origins[i].len) {
			origin_named = 1;
			return origins[i].where;
		}
	return NULL;
}

int
cli_origin_named(void)
{
	return origin_named;
}

/* "strads CMD: " and, for a value from a --config file, "FILE:LINE: ". */
static void
opt_error_head(const char *cmd, const char *s)
{
	const char *w = cli_origin(s);

	fprintf(stderr, "strads %s: %s%s", cmd, w != NULL ? w : "", w != NULL ? ": " : "");
}

int
cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(*out)) {
		opt_error_head(cmd, s);
		fprintf(stderr, "%s: expected a number, got '%s'\n", opt, s);
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
		opt_error_head(cmd, s);
		if (errno == ERANGE)
			fprintf(stderr, "%s: expected an integer from %ld to %ld, got '%s'\n",
			    opt, lo, LONG_MAX, s);
		else
			fprintf(stderr, "%s: expected an integer >= %ld, got '%s'\n", opt, lo, s);
		return -1;
	}
	return 0;
}

int
cli_parse_double_in(const char *cmd, const char *opt, const char *s, double lo,
    int strict, double hi, double *out)
{
	if (cli_parse_double(cmd, opt, s, out) != 0)
		return -1;
	if ((strict ? *out > lo : *out >= lo) && *out <= hi)
		return 0;
	opt_error_head(cmd, s);
	if (isinf(hi))
		fprintf(stderr, "%s: expected a number %s %g, got '%s'\n", opt,
		    strict ? ">" : ">=", lo, s);
	else
		fprintf(stderr, "%s: expected a number in %c%g, %g], got '%s'\n", opt,
		    strict ? '(' : '[', lo, hi, s);
	return -1;
}

int
cli_parse_long_in(const char *cmd, const char *opt, const char *s, long lo, long hi,
    long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || *out < lo || *out > hi) {
		opt_error_head(cmd, s);
		fprintf(stderr, "%s: expected an integer from %ld to %ld, got '%s'\n", opt,
		    lo, hi, s);
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
		opt_error_head(cmd, s);
		fprintf(stderr, "--missing: expected error, drop or mean, got '%s'\n", s);
		return -1;
	}
	return 0;
}

int
cli_load_data(const char *cmd, const char *path, const char *format,
    const data_opts_t *opts, data_matrix_t *X)
{
	char err[1024];
	int in = strcmp(path, "-") == 0;

	/* "-": the standard input, read through /dev/stdin (the loaders
	 * read a file once, front to back, so a pipe serves), and named "-"
	 * in messages. Without a name there is no format to guess. */
	if (in && format == NULL) {
		fprintf(stderr, "strads %s: -: the standard input has no file name to tell "
		    "its format by; pass --format libsvm|mm|csv\n", cmd);
		memset(X, 0, sizeof(*X));
		return -1;
	}
	if (data_load(in ? "/dev/stdin" : path, format, opts, X, err, sizeof(err)) != 0) {
		const char *at = in ? strstr(err, "/dev/stdin") : NULL;

		if (at != NULL)
			fprintf(stderr, "strads %s: %.*s-%s\n", cmd, (int)(at - err), err,
			    at + strlen("/dev/stdin"));
		else
			fprintf(stderr, "strads %s: %s\n", cmd, err);
		return -1;
	}
	/* Loaded, but a file cut short (a copy or download stopped) ends
	 * in a line without its newline, maybe mid-number: say so. */
	if (X->unterminated > 0)
		fprintf(stderr, "strads %s: warning: %s:%llu: the last line has no "
		    "newline; if the file was cut short, that line is incomplete\n",
		    cmd, path, (unsigned long long)X->unterminated);
	return 0;
}

const char *
cli_step_file(const char *base, int numbered, long k, long nsteps, char *buf, size_t len)
{
	int width = 1;

	if (base == NULL || !numbered)
		return base;
	for (; nsteps >= 10 && width < 19; nsteps /= 10)
		width++;
	snprintf(buf, len, "%s.%0*ld", base, width & 31, k + 1);
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
		/* opt may be given with its dashes or without. */
		cli_gen_error(app,
		    "%s%s: expected a whole number from 0 to %llu, "
		    "found '%s'",
		    strncmp(opt, "--", 2) == 0 ? "" : "--", opt,
		    (unsigned long long)UINT64_MAX, s);
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

/* Whether dir takes a new file: one is made there and removed (access()
 * says yes to root on a read-only mount, /proc or /sys). errno set when
 * not. */
static int
dir_takes_files(const char *dir)
{
	size_t n = strlen(dir);
	char *probe = malloc(n + 32);
	int fd, e;

	if (probe == NULL)
		return 1; /* the write itself will tell */
	snprintf(probe, n + 32, "%s/.strads-probe-XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		e = errno;
		free(probe);
		errno = e;
		return 0;
	}
	close(fd);
	unlink(probe);
	free(probe);
	return 1;
}

int
cli_writable(const char *cmd, const char *path)
{
	char *dir = parent_dir(path);
	struct stat st;
	int ok;

	if (dir == NULL)
		return 0;
	ok = dir_takes_files(dir);
	if (!ok)
		fprintf(stderr, "strads %s: %s: cannot write into %s: %s\n", cmd, path, dir,
		    strerror(errno));
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "strads %s: %s: is a directory\n", cmd, path);
		ok = 0;
	}
	free(dir);
	return ok ? 0 : -1;
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
	ok = dir_takes_files(dir);
	if (!ok)
		cli_gen_error(app, "%s: cannot write into %s: %s", path, dir,
		    strerror(errno));
	free(dir);
	return ok ? 0 : -1;
}

void
cli_metrics_end(const char *cmd, const char *path, const strads_job_result_t *res)
{
	FILE *f;

	if (path == NULL)
		return;
	if ((f = fopen(path, "a")) == NULL) {
		fprintf(stderr, "strads %s: %s: %s\n", cmd, path, strerror(errno));
		return;
	}
	fprintf(f, "{\"end\": true, \"iter\": %llu, \"time_s\": %.6f, \"objective\": ",
	    (unsigned long long)res->progress.iter, res->solve_s);
	if (isfinite(res->progress.objective))
		fprintf(f, "%.17g", res->progress.objective);
	else
		fputs("null", f);
	fprintf(f, ", \"converged\": %s, \"stopped_by\": \"%s\"}\n",
	    res->converged ? "true" : "false",
	    res->converged ? "tolerance" : cli_stop ? "interrupt" : "limit");
	if (fclose(f) != 0)
		fprintf(stderr, "strads %s: %s: %s\n", cmd, path, strerror(errno));
}

volatile sig_atomic_t cli_stop;

static void
on_stop_signal(int sig)
{
	/* Said at once (write(2) is safe here): a round can take seconds. */
	static const char msg[] = "strads: stopping at the next round boundary "
	                          "(a second signal stops at once)\n";
	ssize_t w;

	cli_stop = sig;
	w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
}

void
cli_interrupt_arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND; /* a second ^C ends the program */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
cli_result_tables_free(strads_job_result_t *res)
{
	uint32_t t;

	if (res->tables == NULL)
		return;
	for (t = 0; t < res->ntables; t++)
		free(res->tables[t]);
	free(res->tables);
	res->tables = NULL;
	res->ntables = 0;
}

int
cli_url_ok(const char *cmd, const char *opt, const char *url)
{
	static const char *const schemes[] = {"tcp://", "tcp4://", "tcp6://", "tls+tcp://",
	    "ipc://", "inproc://"};
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(url, schemes[i], strlen(schemes[i])) == 0 &&
		    url[strlen(schemes[i])] != '\0')
			return 0;
	fprintf(stderr, "strads %s: %s: expected tcp://HOST:PORT, tls+tcp://HOST:PORT or "
	    "ipc://PATH, got '%.200s'\n", cmd, opt, url);
	return -1;
}

int
cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

int
cli_files_distinct(const char *cmd, const char *data, const char *out,
    const char *metrics)
{
	const char *what = NULL, *a = NULL;

	if (data != NULL && out != NULL && cli_same_file(data, out))
		what = "--out names the training data", a = out;
	else if (data != NULL && metrics != NULL && cli_same_file(data, metrics))
		what = "--metrics names the training data", a = metrics;
	else if (out != NULL && metrics != NULL && cli_same_file(out, metrics))
		what = "--out and --metrics name one file", a = out;
	if (what == NULL)
		return 0;
	fprintf(stderr, "strads %s: %s (%s): it would be written over\n", cmd, what, a);
	return -1;
}

cJSON *
cli_spec_path(const char *path)
{
	char buf[PATH_MAX];

	return cJSON_CreateString(realpath(path, buf) != NULL ? buf : path);
}

void
cli_path_row(cli_path_row_t *row, const strads_job_result_t *res)
{
	row->have = 1;
	row->converged = res->converged;
	row->p = res->progress;
	row->p.node = NULL; /* not kept */
	row->p.node_updates = NULL;
	row->p.nnodes = 0;
	row->rounds = res->rounds;
	row->solve_s = res->solve_s;
}

/* The path's summary table: a header line, then a line a step with its
 * last record's objective and the app's values (the penalty, nnz, ...),
 * whether it converged, its rounds and its solve time; tab-separated. */
typedef struct {
	const cli_path_row_t *row;
	long n;
} path_table_t;

static int
write_path_table(FILE *f, void *arg)
{
	const path_table_t *rp = arg;
	const strads_progress_t *h = NULL;
	long k;
	int i;

	for (k = 0; k < rp->n && h == NULL; k++)
		if (rp->row[k].have)
			h = &rp->row[k].p;
	fputs("step\tobjective", f);
	for (i = 0; h != NULL && i < h->nvalues && i < STRADS_PROGRESS_VALUES; i++)
		fprintf(f, "\t%s", h->values[i].name);
	fputs("\tconverged\trounds\tsolve_s\n", f);
	for (k = 0; k < rp->n; k++) {
		const strads_progress_t *p = &rp->row[k].p;

		if (!rp->row[k].have)
			continue;
		fprintf(f, "%ld\t%.17g", k + 1, p->objective);
		for (i = 0; h != NULL && i < h->nvalues && i < STRADS_PROGRESS_VALUES; i++)
			fprintf(f, "\t%.10g", i < p->nvalues ? p->values[i].value : NAN);
		fprintf(f, "\t%d\t%llu\t%.6f\n", rp->row[k].converged,
		    (unsigned long long)rp->row[k].rounds, rp->row[k].solve_s);
	}
	return ferror(f) ? -1 : 0;
}

int
cli_path_table(const char *cmd, const char *out, const cli_path_row_t *rows, long n)
{
	path_table_t t = {rows, n};
	char path[4200], err[512];

	if (out == NULL || strcmp(out, "-") == 0)
		return 0;
	snprintf(path, sizeof(path), "%s.path", out);
	if (strads_file_write_atomic(path, 0644, write_path_table, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

int
cli_step_base_ok(const char *cmd, const char *opt, const char *base)
{
	const char *slash, *name;

	if (base == NULL || strcmp(base, "-") == 0)
		return 0;
	slash = strrchr(base, '/');
	name = slash != NULL ? slash + 1 : base;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		fprintf(stderr, "strads %s: %s: expected a file name (its steps are NAME.1, "
		    "NAME.2, ...), got '%s'\n", cmd, opt, base);
		return -1;
	}
	return 0;
}
