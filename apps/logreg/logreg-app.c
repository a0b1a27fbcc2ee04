/*
 * logreg-app.c -- the logistic regression app's entry in the registry
 * (apps/registry.h): its options, loading its data (labels checked), its
 * jobs for `strads run` and for a cluster, its model file and
 * predictions (probabilities or labels, with accuracy, log-loss and AUC
 * for labelled data). Its generator is logreg-gen.c.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logreg-gen.h"
#include "logreg.h"
#include "registry.h"

/* Listed in apps/registry.c. */
extern const app_entry_t logreg_entry;

typedef struct logreg_cli_s {
	const char *data, *format, *target, *ignore, *missing, *response;
	const char *out, *metrics;
	double C, lambda, min_ratio, tol, time_limit;
	long path, path_jobs, max_iter, threads, workers, block;
	int intercept, quiet, have_lambda, have_C;
	unsigned long long seed, max_features;
	long index_base;
	int argc;    /* the command line, for the model file */
	char **argv; /* borrowed from main's */
} logreg_cli_t;

typedef struct logreg_state_s {
	app_state_t base; /* first: the commands read it */
	logreg_cli_t ro;
	data_matrix_t X; /* owned once loaded */
	logreg_t m;      /* owned once loaded; borrows X */
	double lmax;     /* the (1/n) form's lambda_max */
} logreg_state_t;

static void
logreg_options(FILE *f)
{
	fprintf(f,
	    "data:\n"
	    "  --data FILE         training data (required); labels +1/-1 or 0/1\n"
	    "  --format F          libsvm, mm or csv (default: from the file name)\n"
	    "  --target COL        CSV: label column, by name or 1-based index\n"
	    "  --ignore COLS       CSV: columns that are not features\n"
	    "  --missing M         CSV: error (default), drop or mean\n"
	    "  --response FILE     MatrixMarket: the labels, one a line\n"
	    "  --index-base B      LIBSVM: the index of the first column, 1\n"
	    "                      (default) or 0\n"
	    "  --max-features N    LIBSVM, MatrixMarket: refuse data implying more\n"
	    "                      than N features (default 33554432)\n"
	    "model:\n"
	    "  --C C               weight of the loss (default 1): minimise\n"
	    "                      C sum log(1 + exp(-y (w.x + b))) + ||w||_1\n"
	    "  --lambda L          instead: (1/n) sum log-loss + L ||w||_1\n"
	    "                      (glmnet's binomial convention; C = 1/(n L))\n"
	    "  --path N            N penalties from lambda_max (the smallest with\n"
	    "                      w = 0) down to lambda_max x --min-ratio,\n"
	    "                      log-spaced, each warm-started from the last\n"
	    "  --min-ratio R       end of the path (default 0.01)\n"
	    "  --path-jobs J       chains of a path solved side by side (strads\n"
	    "                      run only; default 2, 1 with one thread)\n"
	    "  --intercept         fit an unpenalised intercept b (default)\n"
	    "  --no-intercept      do not (b = 0: LIBLINEAR's -s 6 without -B)\n"
	    "solver:\n"
	    "  --tol T             stop when the largest violation of the\n"
	    "                      optimality conditions is at most T times the\n"
	    "                      loss's gradient at zero (default 1e-6)\n"
	    "  --max-iter N        stop after N rounds (default: no limit)\n"
	    "  --time-limit S      stop at the first round boundary after S seconds\n"
	    "                      (default: no limit; a working-set round on a\n"
	    "                      large problem can take seconds)\n"
	    "  --threads N         loops and compute threads (default: cores)\n"
	    "  --workers N         workers (default: one per loop)\n"
	    "  --block B           most coordinates a round (default: the whole\n"
	    "                      working set)\n"
	    "  --seed S            scheduler seed (default 1)\n"
	    "output:\n"
	    "  --out FILE          model file (default: logreg.model); with --path,\n"
	    "                      FILE.1 ... FILE.N and a table of them,\n"
	    "                      FILE.path\n"
	    "  --metrics FILE      one JSON object per check; with --path,\n"
	    "                      FILE.1 ... FILE.N\n"
	    "  --quiet             no progress lines\n");
}

static void
logreg_usage(const char *cmd, FILE *f)
{
	if (strcmp(cmd, "coordinator") == 0)
		fprintf(f, "Logistic regression options, as for strads run (but --workers:\n"
		           "each node offers its own; and --path-jobs):\n");
	else
		fprintf(f,
		    "Logistic regression with an L1 penalty: minimise\n"
		    "C sum_i log(1 + exp(-y_i (w.x_i + b))) + ||w||_1 (LIBLINEAR's -s 6,\n"
		    "with an unpenalised intercept b) by coordinate descent with a Newton\n"
		    "step a coordinate on working sets, in one process.\n"
		    "\n");
	logreg_options(f);
}

static void
logreg_cli_init(logreg_cli_t *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->C = 1;
	ro->min_ratio = 0.01;
	ro->tol = 1e-6;
	ro->intercept = 1;
	ro->seed = 1;
	ro->index_base = 1;
	ro->out = "logreg.model";
}

enum {
	O_FORMAT = 256, O_TARGET, O_IGNORE, O_MISSING, O_RESPONSE, O_C, O_LAMBDA,
	O_PATH, O_MINRATIO, O_INTERCEPT, O_NOINTERCEPT, O_TOL, O_MAXITER,
	O_TIMELIMIT, O_THREADS, O_WORKERS, O_BLOCK, O_SEED, O_OUT, O_METRICS,
	O_QUIET, O_DATA, O_PATHJOBS, O_INDEXBASE, O_MAXFEAT, O_LAST
};

static const struct option logreg_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"format", required_argument, NULL, O_FORMAT},
    {"target", required_argument, NULL, O_TARGET},
    {"ignore", required_argument, NULL, O_IGNORE},
    {"missing", required_argument, NULL, O_MISSING},
    {"response", required_argument, NULL, O_RESPONSE},
    {"index-base", required_argument, NULL, O_INDEXBASE},
    {"max-features", required_argument, NULL, O_MAXFEAT},
    {"C", required_argument, NULL, O_C},
    {"lambda", required_argument, NULL, O_LAMBDA},
    {"path", required_argument, NULL, O_PATH},
    {"min-ratio", required_argument, NULL, O_MINRATIO},
    {"path-jobs", required_argument, NULL, O_PATHJOBS},
    {"intercept", no_argument, NULL, O_INTERCEPT},
    {"no-intercept", no_argument, NULL, O_NOINTERCEPT},
    {"tol", required_argument, NULL, O_TOL},
    {"max-iter", required_argument, NULL, O_MAXITER},
    {"time-limit", required_argument, NULL, O_TIMELIMIT},
    {"threads", required_argument, NULL, O_THREADS},
    {"workers", required_argument, NULL, O_WORKERS},
    {"block", required_argument, NULL, O_BLOCK},
    {"seed", required_argument, NULL, O_SEED},
    {"out", required_argument, NULL, O_OUT},
    {"metrics", required_argument, NULL, O_METRICS},
    {"quiet", no_argument, NULL, O_QUIET},
};

#define NLOGREG (sizeof(logreg_opts) / sizeof(logreg_opts[0]))
#define NHOST 64 /* host options checked for repeats */

/* One option of the app's; 0, -1 (bad value) or 1 (not the app's). */
static int
logreg_opt(const char *cmd, logreg_cli_t *ro, int c, const char *arg)
{
	int bad = 0;
	long v;

	switch (c) {
	case O_DATA: ro->data = arg; break;
	case O_FORMAT: ro->format = arg; break;
	case O_TARGET: ro->target = arg; break;
	case O_IGNORE: ro->ignore = arg; break;
	case O_MISSING: ro->missing = arg; break;
	case O_RESPONSE: ro->response = arg; break;
	case O_INDEXBASE:
		bad = cli_parse_long_in(cmd, "--index-base", arg, 0, 1, &ro->index_base);
		break;
	case O_MAXFEAT:
		bad = cli_parse_long(cmd, "--max-features", arg, 1, &v);
		ro->max_features = (unsigned long long)v;
		break;
	case O_C:
		bad = cli_parse_double_in(cmd, "--C", arg, 0, 1, INFINITY, &ro->C);
		ro->have_C = 1;
		break;
	case O_LAMBDA:
		bad = cli_parse_double_in(cmd, "--lambda", arg, 0, 1, INFINITY, &ro->lambda);
		ro->have_lambda = 1;
		break;
	case O_PATH: /* a bound before allocating a row of results each */
		bad = cli_parse_long_in(cmd, "--path", arg, 1, 100000, &ro->path);
		break;
	case O_PATHJOBS:
		bad = cli_parse_long(cmd, "--path-jobs", arg, 1, &ro->path_jobs);
		break;
	case O_MINRATIO:
		bad = cli_parse_double_in(cmd, "--min-ratio", arg, 0, 1, 1, &ro->min_ratio);
		break;
	case O_INTERCEPT: ro->intercept = 1; break;
	case O_NOINTERCEPT: ro->intercept = 0; break;
	case O_TOL: bad = cli_parse_double_in(cmd, "--tol", arg, 0, 1, INFINITY, &ro->tol); break;
	case O_MAXITER: bad = cli_parse_long(cmd, "--max-iter", arg, 1, &ro->max_iter); break;
	case O_TIMELIMIT:
		bad = cli_parse_double_in(cmd, "--time-limit", arg, 0, 1, INFINITY,
		    &ro->time_limit);
		break;
	case O_THREADS:
		bad = cli_parse_long_in(cmd, "--threads", arg, 1, STRADS_MAX_LOOPS, &ro->threads);
		break;
	case O_WORKERS: /* each an actor with its shard; beyond this only cost */
		bad = cli_parse_long_in(cmd, "--workers", arg, 1, 4096, &ro->workers);
		break;
	case O_BLOCK:
		bad = cli_parse_long_in(cmd, "--block", arg, 1, UINT32_MAX, &ro->block);
		break;
	case O_SEED:
		bad = cli_parse_long(cmd, "--seed", arg, 0, &v);
		ro->seed = (unsigned long long)v;
		break;
	case O_OUT: ro->out = arg; break;
	case O_METRICS: ro->metrics = arg; break;
	case O_QUIET: ro->quiet = 1; break;
	default: return 1;
	}
	return bad ? -1 : 0;
}

static void
logreg_try_help(const char *cmd)
{
	if (strcmp(cmd, "coordinator") == 0)
		fprintf(stderr, "Try 'strads coordinator --app logreg --help'.\n");
	else
		fprintf(stderr, "Try 'strads %s logreg --help'.\n", cmd);
}

static int
logreg_parse(const char *cmd, int argc, char **argv, const struct option *extra,
    cli_host_cb host, void *arg, cJSON *appv, app_state_t **out)
{
	struct option opts[NLOGREG + 32];
	unsigned char seen[O_LAST - 256 + NHOST];
	logreg_state_t *s;
	logreg_cli_t *ro;
	size_t n = 0, i;
	int c, idx, bad = 0, rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	ro = &s->ro;
	logreg_cli_init(ro);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NLOGREG; i++)
		opts[n++] = logreg_opts[i];
	for (i = 0; extra != NULL && extra[i].name != NULL && n < NLOGREG + 30; i++)
		opts[n++] = extra[i];
	opts[n].name = "help";
	opts[n].has_arg = no_argument;
	opts[n].flag = NULL;
	opts[n++].val = 'h';
	memset(&opts[n], 0, sizeof(opts[n]));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		int r;

		if (c == 'h') {
			rc = CLI_HELP;
			goto fail;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "strads %s: %s '%s'\n", cmd,
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			logreg_try_help(cmd);
			rc = CLI_USAGE;
			goto fail;
		}
		/* A second value would silently replace the first. */
		if ((c >= 256 && c < O_LAST) ||
		    (c >= CLI_HOST_OPT && c < CLI_HOST_OPT + NHOST)) {
			int slot = c == O_NOINTERCEPT ? O_INTERCEPT
			    : c >= CLI_HOST_OPT ? O_LAST + (c - CLI_HOST_OPT) : c;

			if (seen[slot - 256]) {
				if (slot == O_INTERCEPT)
					fprintf(stderr, "strads %s: --intercept and "
					    "--no-intercept: give one, once\n", cmd);
				else
					fprintf(stderr, "strads %s: --%s given twice\n", cmd,
					    opts[idx].name);
				bad = 1;
			}
			seen[slot - 256] = 1;
		}
		r = logreg_opt(cmd, ro, c, optarg);
		if (r == 1) {
			if (host == NULL || host(arg, c, optarg) != 0)
				bad = 1;
			continue;
		}
		if (r < 0)
			bad = 1;
		if (appv != NULL && c != O_OUT && c != O_METRICS && c != O_QUIET &&
		    c != O_THREADS && c != O_WORKERS && c != O_PATHJOBS) {
			char name[64];

			snprintf(name, sizeof(name), "--%s", opts[idx].name);
			cJSON_AddItemToArray(appv, cJSON_CreateString(name));
			if (c == O_DATA || c == O_RESPONSE)
				cJSON_AddItemToArray(appv, cli_spec_path(optarg));
			else if (opts[idx].has_arg)
				cJSON_AddItemToArray(appv, cJSON_CreateString(optarg));
		}
	}
	rc = CLI_USAGE;
	if (bad)
		goto fail;
	if (optind < argc) {
		fprintf(stderr, "strads %s: unexpected argument '%s'\n", cmd, argv[optind]);
		goto fail;
	}
	if (ro->data == NULL) {
		fprintf(stderr, "strads %s logreg: --data FILE is required\n", cmd);
		goto fail;
	}
	if ((seen[O_PATHJOBS - 256] || seen[O_MINRATIO - 256]) && !seen[O_PATH - 256]) {
		fprintf(stderr, "strads %s logreg: --%s belongs to a --path; without "
		    "--path it does nothing\n", cmd,
		    seen[O_PATHJOBS - 256] ? "path-jobs" : "min-ratio");
		goto fail;
	}
	if (ro->have_C + ro->have_lambda + (ro->path > 0) > 1) {
		fprintf(stderr, "strads %s logreg: --C, --lambda and --path each set the "
		    "penalty: give one\n", cmd);
		goto fail;
	}
	ro->argc = argc - 1;
	ro->argv = argv + 1;
	s->base.entry = &logreg_entry;
	s->base.threads = ro->threads;
	s->base.workers = ro->workers;
	s->base.jobs = ro->path_jobs;
	s->base.steps = ro->path > 0 ? ro->path : 1;
	s->base.numbered = ro->path > 0;
	s->base.quiet = ro->quiet;
	s->base.out = ro->out;
	s->base.metrics = ro->metrics;
	s->base.data = ro->data;
	*out = &s->base;
	return CLI_OK;
fail:
	free(s);
	return rc;
}

/* Whether path is read as LIBSVM (format given, or its extension). */
static int
is_libsvm(const char *path, const char *format)
{
	const char *f = format != NULL ? format : data_format_of(path);

	return f != NULL && (strcmp(f, "libsvm") == 0 || strcmp(f, "svmlight") == 0);
}

/* The line of a LIBSVM file that holds row (0-based): rows are the
 * lines that are neither blank nor comments (data.h); 0 when not
 * found. Read again only to name the line of a bad label. */
static unsigned long
libsvm_line_of(const char *path, uint32_t row)
{
	FILE *f = fopen(path, "r");
	unsigned long line = 0, found = 0;
	uint32_t rows = 0;
	int c, at_start = 1, counted = 0;

	if (f == NULL)
		return 0;
	while ((c = getc(f)) != EOF) {
		if (at_start) {
			line++;
			at_start = 0;
			counted = 0;
		}
		if (c == '\n') {
			at_start = 1;
			continue;
		}
		if (!counted && c != ' ' && c != '\t' && c != '\r') {
			counted = 1;
			if (c != '#' && rows++ == row) {
				found = line;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

static int
logreg_load(const char *cmd, app_state_t *st, int verbose)
{
	logreg_state_t *s = (logreg_state_t *)st;
	const logreg_cli_t *ro = &s->ro;
	data_opts_t dopts;
	char err[1024];
	uint32_t bad;
	uint64_t t0;

	data_opts_init(&dopts);
	dopts.target = ro->target;
	dopts.ignore = ro->ignore;
	dopts.response = ro->response;
	dopts.index_base = (int)ro->index_base;
	dopts.max_features = ro->max_features;
	dopts.feature_bytes = 72; /* measured: data.h */
	if (ro->missing != NULL && cli_parse_missing(cmd, ro->missing, &dopts.missing) != 0)
		return CLI_USAGE;
	t0 = strads_now_ns();
	if (cli_load_data(cmd, ro->data, ro->format, &dopts, &s->X) != 0)
		return CLI_FAIL;
	if (logreg_setup(&s->m, &s->X, ro->intercept, &bad, err, sizeof(err)) != 0) {
		unsigned long line = bad != UINT32_MAX && is_libsvm(ro->data, ro->format)
		    ? libsvm_line_of(ro->data, bad) : 0;

		if (line > 0)
			fprintf(stderr, "strads %s: %s:%lu: %s\n", cmd, ro->data, line, err);
		else if (bad != UINT32_MAX)
			fprintf(stderr, "strads %s: %s: row %lu: %s\n", cmd, ro->data,
			    (unsigned long)bad + 1, err);
		else
			fprintf(stderr, "strads %s: %s: %s\n", cmd, ro->data, err);
		data_matrix_free(&s->X);
		memset(&s->X, 0, sizeof(s->X));
		return CLI_FAIL;
	}
	s->m.tol = ro->tol;
	s->lmax = logreg_lambda_max(&s->m);
	st->nparams = s->m.np;
	if (verbose)
		fprintf(stderr, "loaded %s: %u rows, %u columns, %llu non-zeros in %.3fs; "
		                "lambda_max %.10g (C %.10g)\n",
		    ro->data, s->X.n, s->X.p, (unsigned long long)s->X.nnz,
		    (double)(strads_now_ns() - t0) / 1e9, s->lmax,
		    s->lmax > 0 ? 1 / (s->X.n * s->lmax) : INFINITY);
	return CLI_OK;
}

static void
logreg_free_state(app_state_t *st)
{
	logreg_state_t *s = (logreg_state_t *)st;

	if (s == NULL)
		return;
	logreg_free(&s->m);
	data_matrix_free(&s->X);
	free(s);
}

/* The (1/n) form's penalty of step k, or 0 in the C form. */
static double
logreg_cli_lambda(const logreg_state_t *s, long k)
{
	const logreg_cli_t *ro = &s->ro;
	long n = s->base.steps;

	if (ro->path > 0)
		return n == 1 ? s->lmax
		              : s->lmax * pow(ro->min_ratio, (double)k / (double)(n - 1));
	return ro->have_lambda ? ro->lambda : 0;
}

/* C and the objective's scale of step k into m. */
static void
logreg_step(const logreg_state_t *s, long k, logreg_t *m)
{
	double lambda = logreg_cli_lambda(s, k);

	if (lambda > 0) {
		m->C = 1 / ((double)m->n * lambda);
		m->obj_scale = lambda;
	} else {
		m->C = s->ro.C;
		m->obj_scale = 1;
	}
}

/* A chain of a path solves on its own copy of the shared state (its
 * own C and warm start); the data's arrays are shared, read-only. */
static void *
logreg_chain_new(app_state_t *st)
{
	logreg_state_t *s = (logreg_state_t *)st;
	logreg_t *m = malloc(sizeof(*m));

	if (m != NULL)
		*m = s->m;
	return m;
}

static void
logreg_chain_free(app_state_t *st, void *chain)
{
	(void)st;
	free(chain);
}

static void
logreg_job(app_state_t *st, void *chain, long k, const double *warm,
    strads_job_opts_t *o, const strads_app_t **app, void **shared)
{
	logreg_state_t *s = (logreg_state_t *)st;
	const logreg_cli_t *ro = &s->ro;
	logreg_t *m = chain != NULL ? chain : &s->m;

	strads_job_opts_init(o);
	o->nparams = m->np;
	o->nrows = m->n;
	o->nworkers = (int)ro->workers;
	o->block = (uint32_t)ro->block;
	o->schedule = STRADS_SCHEDULE_WORKSET;
	o->tol = ro->tol;
	o->max_rounds = (uint64_t)ro->max_iter;
	o->time_limit_s = ro->time_limit;
	o->seed = ro->seed;
	logreg_step(s, k, m);
	m->beta0 = warm;
	*app = &logreg_ws_app;
	*shared = m;
}

static int
logreg_spec(app_state_t *st, long k, cJSON *spec)
{
	logreg_t m = ((logreg_state_t *)st)->m;

	logreg_step((logreg_state_t *)st, k, &m);
	return cJSON_AddNumberToObject(spec, "C", m.C) != NULL &&
	    cJSON_AddNumberToObject(spec, "obj_scale", m.obj_scale) != NULL ? 0 : -1;
}

static int
logreg_node_job(app_state_t *st, const cJSON *spec, const double *init,
    const strads_app_t **app, void **shared, char *err, size_t errlen)
{
	logreg_state_t *s = (logreg_state_t *)st;
	const cJSON *C = cJSON_GetObjectItem(spec, "C");
	const cJSON *scale = cJSON_GetObjectItem(spec, "obj_scale");

	if (!cJSON_IsNumber(C) || !cJSON_IsNumber(scale)) {
		snprintf(err, errlen, "a job for an app this node does not have");
		return -1;
	}
	/* The penalty the coordinator chose, not recomputed here. */
	s->m.C = cJSON_GetNumberValue(C);
	s->m.obj_scale = cJSON_GetNumberValue(scale);
	s->m.beta0 = init;
	*app = &logreg_ws_app;
	*shared = &s->m;
	return 0;
}

static void
logreg_node_job_end(app_state_t *st)
{
	((logreg_state_t *)st)->m.beta0 = NULL;
}

static int
logreg_save(const char *cmd, app_state_t *st, long k, const char *path,
    const strads_job_result_t *res)
{
	logreg_state_t *s = (logreg_state_t *)st;
	logreg_t m = s->m;
	model_t mod;
	char err[512];
	int rc;

	logreg_step(s, k, &m);
	memset(&mod, 0, sizeof(mod));
	snprintf(mod.app, sizeof(mod.app), "logreg");
	/* Both conventions' penalty: lambda = 1 / (n C). */
	mod.lambda = 1 / ((double)m.n * m.C);
	mod.n = m.n;
	mod.p = m.p;
	mod.index_base = (int)s->ro.index_base;
	mod.objective = res->progress.objective;
	mod.intercept = m.intercept ? res->params[m.p] : 0;
	mod.converged = res->converged;
	mod.criterion = res->progress.criterion;
	mod.train_s = res->solve_s;
	mod.rounds = res->rounds;
	snprintf(mod.labels, sizeof(mod.labels), "%s", m.labels01 ? "0/1" : "-1/+1");
	if (model_set_schema(&mod, s->ro.format, s->ro.ignore, &s->X) != 0 ||
	    model_set_options(&mod, s->ro.argc, s->ro.argv) != 0) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		mod.coef = NULL; /* borrowed: res->params */
		model_free(&mod);
		return -1;
	}
	mod.coef = res->params; /* the first p are the weights; borrowed */
	rc = model_write(path, &mod, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "strads %s: %s\n", cmd, err);
	mod.coef = NULL;
	model_free(&mod);
	return rc;
}

static int
logreg_result(const char *cmd, app_state_t *st, long k, const strads_job_result_t *res,
    char *line, size_t len)
{
	logreg_state_t *s = (logreg_state_t *)st;
	double lambda = logreg_cli_lambda(s, k);
	char pen[64];

	if (lambda > 0)
		snprintf(pen, sizeof(pen), "lambda %.10g", lambda);
	else
		snprintf(pen, sizeof(pen), "C %.10g", s->ro.C);
	if (!isfinite(res->progress.objective) || !isfinite(res->progress.criterion)) {
		fprintf(stderr, "strads %s: %s: the solve diverged (objective %g); no "
		    "model written\n", cmd, pen, res->progress.objective);
		return -1;
	}
	snprintf(line, len,
	    "%s: objective %.12g, kkt %.3e, nnz %llu, %llu rounds, %llu updates, "
	    "%.3fs%s\n",
	    pen, res->progress.objective, res->progress.criterion,
	    (unsigned long long)(res->progress.support - (uint64_t)s->m.intercept),
	    (unsigned long long)res->rounds, (unsigned long long)res->updates,
	    res->solve_s, res->converged ? "" : " (not converged: a limit stopped it)");
	return 0;
}

static void
logreg_done(app_state_t *st, long steps, long jobs, double jobs_s, double solve_s)
{
	const logreg_cli_t *ro = &((logreg_state_t *)st)->ro;

	if (ro->path <= 0 || ro->quiet)
		return;
	fprintf(stderr, "path: %ld penalties in %.3fs (%ld chain%s side by side; "
	                "%.3fs of it solving)\n",
	    steps, jobs_s, jobs, jobs == 1 ? "" : "s", solve_s);
}

/* Orders scores descending, for the AUC. */
typedef struct {
	double f;
	int pos;
} scored_t;

static int
scored_cmp(const void *a, const void *b)
{
	double x = ((const scored_t *)a)->f, y = ((const scored_t *)b)->f;

	return x > y ? -1 : x < y ? 1 : 0;
}

/* The area under the ROC curve: the chance that a positive scores above
 * a negative, ties counted half. */
static double
auc(scored_t *s, uint32_t n)
{
	double npos = 0, nneg = 0, area = 0, pos_above = 0;
	uint32_t i = 0;

	qsort(s, n, sizeof(*s), scored_cmp);
	while (i < n) {
		uint32_t j = i;
		double tp = 0, tn = 0;

		while (j < n && s[j].f == s[i].f) {
			tp += s[j].pos;
			tn += !s[j].pos;
			j++;
		}
		area += tn * (pos_above + tp / 2);
		pos_above += tp;
		npos += tp;
		nneg += tn;
		i = j;
	}
	return npos > 0 && nneg > 0 ? area / (npos * nneg) : NAN;
}

/* P(y = +1 | x) = 1 / (1 + exp(-(b + w.x))) a row, or its label with
 * labels; columns past the model's p have no weight. */
static int
logreg_predict(const model_t *mod, const data_matrix_t *X, int quiet, int labels)
{
	double ll = 0, right = 0;
	scored_t *sc = NULL;
	uint64_t i, k;
	int extra = 0, have_y = X->y != NULL;
	/* Labels of the kind the model was trained on. */
	const char *neg = strcmp(mod->labels, "0/1") == 0 ? "0" : "-1";

	if (have_y && (sc = malloc(((size_t)X->n + 1) * sizeof(*sc))) == NULL) {
		fprintf(stderr, "strads predict: out of memory\n");
		return CLI_FAIL;
	}
	for (i = 0; have_y && i < X->n; i++) {
		if (X->y[i] != 1 && X->y[i] != -1 && X->y[i] != 0) {
			fprintf(stderr, "strads predict: row %llu: expected a label +1/-1 or "
			    "0/1, got %.17g\n", (unsigned long long)i + 1, X->y[i]);
			free(sc);
			return CLI_FAIL;
		}
	}
	for (i = 0; i < X->n; i++) {
		double f = mod->intercept, pr;

		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++) {
			if (X->col[k] < mod->p)
				f += X->val[k] * mod->coef[X->col[k]];
			else
				extra++;
		}
		pr = 1 / (1 + exp(-f));
		if (labels)
			printf("%s\n", f > 0 ? "1" : neg);
		else
			printf("%.10g\n", pr);
		if (have_y) {
			int pos = X->y[i] == 1;

			/* -log P(label): log(1 + exp(-y f)), computed stably. */
			double t = pos ? f : -f;

			ll += t > 0 ? log1p(exp(-t)) : -t + log1p(exp(t));
			right += (f > 0) == pos;
			sc[i].f = f;
			sc[i].pos = pos;
		}
	}
	if (extra > 0 && !quiet)
		fprintf(stderr, "strads predict: %d values in columns the model has no "
		                "weight for were ignored\n", extra);
	if (have_y && X->n > 0 && !quiet)
		fprintf(stderr, "rows %u  accuracy %.6f  logloss %.10g  auc %.10g\n", X->n,
		    right / X->n, ll / X->n, auc(sc, X->n));
	free(sc);
	return CLI_OK;
}

const app_entry_t logreg_entry = {
    .name = "logreg",
    .summary = "sparse logistic regression: log-loss with an L1 penalty",
    .synopsis = "--data FILE [options]",
    .usage = logreg_usage,
    .parse = logreg_parse,
    .load = logreg_load,
    .free = logreg_free_state,
    .chain_new = logreg_chain_new,
    .chain_free = logreg_chain_free,
    .job = logreg_job,
    .spec = logreg_spec,
    .node_job = logreg_node_job,
    .node_job_end = logreg_node_job_end,
    .result = logreg_result,
    .save = logreg_save,
    .done = logreg_done,
    .predict = logreg_predict,
    .gen = logreg_gen_main,
    .gen_summary = "sparse logistic regression, labels from a planted sparse w",
    .demo = NULL,
    .demo_help = NULL,
    .cmds = NULL,
    /* A path's chain is one job of stages: between penalties only C
     * and the objective's scale change (logreg_step), which the roles
     * read afresh each round; the workers' margins and copies stay. */
    .stages = 1,
};
