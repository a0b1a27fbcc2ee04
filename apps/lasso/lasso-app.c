/*
 * lasso-app.c -- the Lasso app's entry in the registry (apps/registry.h):
 * its options, loading its data, its jobs for `strads run` (one process)
 * and for `strads coordinator` and `strads node` (a cluster), its model
 * file and predictions. Its generator and demo are in lasso-cmds.c.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lasso-cmds.h"
#include "lasso.h"
#include "registry.h"

/* Listed in apps/registry.c. */
extern const app_entry_t lasso_entry;

/* The Lasso's options. */
typedef struct lasso_cli_s {
	const char *data, *format, *target, *ignore, *missing, *response;
	const char *out, *metrics;
	double lambda, ratio, min_ratio, tol, time_limit, rho, block_work;
	long path, path_jobs, max_iter, threads, workers, block;
	strads_schedule_t schedule;
	int intercept, standardize, quiet, have_lambda;
	long index_base;
	unsigned long long seed, max_features;
	int argc;   /* the command line, for the model file */
	char **argv; /* borrowed from main's */
} lasso_cli_t;

/* A command's Lasso: the options, then the data and the shared state. */
typedef struct lasso_state_s {
	app_state_t base; /* first: the commands read it */
	lasso_cli_t ro;
	data_matrix_t X; /* owned once loaded */
	lasso_t l;       /* owned once loaded; borrows X */
	double lmax;
} lasso_state_t;

static void
lasso_options(FILE *f)
{
	fprintf(f,
	    "data:\n"
	    "  --data FILE         training data (required)\n"
	    "  --format F          libsvm, mm or csv (default: from the file name)\n"
	    "  --target COL        CSV: response column, by name or 1-based index\n"
	    "                      (required for CSV)\n"
	    "  --ignore COLS       CSV: columns that are not features, e.g. 1-5,name\n"
	    "  --missing M         CSV: error (default), drop or mean\n"
	    "  --response FILE     MatrixMarket: the responses, one a line\n"
	    "  --index-base B      LIBSVM: the index of the first column, 1\n"
	    "                      (default) or 0\n"
	    "  --max-features N    LIBSVM, MatrixMarket: refuse data implying more\n"
	    "                      than N features (default 33554432)\n"
	    "model:\n"
	    "  --lambda L          absolute penalty\n"
	    "  --lambda-ratio R    penalty as R x lambda_max (default 0.1)\n"
	    "  --path N            N penalties from lambda_max down to\n"
	    "                      lambda_max x --min-ratio, warm-started\n"
	    "  --min-ratio R       end of the path (default 0.01)\n"
	    "  --path-jobs J       penalties of a path solved at once (strads run\n"
	    "                      only; default 2, 1 with one thread; at most\n"
	    "                      one a thread): J chains, each warm-started\n"
	    "                      from its own last penalty\n"
	    "  --intercept         fit an intercept (default)\n"
	    "  --no-intercept      do not\n"
	    "  --standardize       scale columns to unit variance (glmnet's option;\n"
	    "                      coefficients are reported on the original scale)\n"
	    "solver:\n"
	    "  --tol T             stop at relative duality gap <= T (default 1e-6);\n"
	    "                      with --lambda 0 (least squares), at\n"
	    "                      max_j |x_j . r| / n <= T x lambda_max\n"
	    "  --max-iter N        stop after N rounds (default: no limit)\n"
	    "  --time-limit S      stop at the first round boundary after S seconds\n"
	    "                      (default: no limit; a working-set round on a\n"
	    "                      large problem can take seconds)\n"
	    "  --threads N         loops and compute threads (default: cores)\n"
	    "  --workers N         workers (default: one per loop; strads run only:\n"
	    "                      in a cluster each node offers its own)\n"
	    "  --schedule S        how blocks are chosen (default workset):\n"
	    "                        workset   after each check, the coordinates\n"
	    "                                  that matter most (non-zeros, then\n"
	    "                                  the largest KKT ratio), solved\n"
	    "                                  by coordinate descent\n"
	    "                        priority  SchMP: sampled by recent change,\n"
	    "                                  then the dependency filter\n"
	    "                        cyclic    a sweep, then the filter\n"
	    "                        random    uniform draws, then the filter\n"
	    "                        shotgun   uniform draws, no filter\n"
	    "  --block B           most coordinates per round (default: the whole\n"
	    "                      working set for workset, 64 otherwise)\n"
	    "  --block-work W      most non-zeros the columns of a block hold\n"
	    "                      (blocks balanced by work; default: no bound)\n"
	    "  --rho R             dependency threshold |corr| (default 0.1)\n"
	    "  --seed S            scheduler seed (default 1)\n"
	    "output:\n"
	    "  --out FILE          model file (default: lasso.model); with --path,\n"
	    "                      FILE.1 ... FILE.N and a table of them,\n"
	    "                      FILE.path\n"
	    "  --metrics FILE      one JSON object per check; with --path,\n"
	    "                      FILE.1 ... FILE.N\n"
	    "  --quiet             no progress lines\n");
}

static void
lasso_usage(const char *cmd, FILE *f)
{
	if (strcmp(cmd, "coordinator") == 0)
		fprintf(f,
		    "With --path N the cluster solves N penalties in turn, each from\n"
		    "the last one's solution, and writes OUT.1 .. OUT.N; --resume goes\n"
		    "on from the penalty its checkpoint was taken in.\n"
		    "\n"
		    "Lasso options, as for strads run (but --workers: each node offers\n"
		    "its own workers; and --path-jobs):\n");
	else
		fprintf(f,
		    "Lasso: minimise (1/2n) ||y - X b - b0||^2 + lambda ||b||_1\n"
		    "(the glmnet and scikit-learn convention) in one process.\n"
		    "\n");
	lasso_options(f);
}

static void
lasso_cli_init(lasso_cli_t *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->ratio = 0.1;
	ro->min_ratio = 0.01;
	ro->tol = 1e-6;
	ro->rho = 0.1;
	ro->block = 0; /* the engine's default for the schedule */
	ro->schedule = STRADS_SCHEDULE_WORKSET;
	ro->intercept = 1;
	ro->seed = 1;
	ro->index_base = 1;
	ro->out = "lasso.model";
}

enum {
	O_FORMAT = 256, O_TARGET, O_IGNORE, O_MISSING, O_RESPONSE, O_LAMBDA,
	O_RATIO, O_PATH, O_MINRATIO, O_INTERCEPT, O_NOINTERCEPT, O_STD, O_TOL,
	O_MAXITER, O_TIMELIMIT, O_THREADS, O_WORKERS, O_BLOCK, O_RHO, O_SEED,
	O_OUT, O_METRICS, O_QUIET, O_SCHEDULE, O_BLOCKWORK, O_DATA, O_PATHJOBS,
	O_INDEXBASE, O_MAXFEAT, O_LAST
};

static const struct option lasso_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"format", required_argument, NULL, O_FORMAT},
    {"target", required_argument, NULL, O_TARGET},
    {"ignore", required_argument, NULL, O_IGNORE},
    {"missing", required_argument, NULL, O_MISSING},
    {"response", required_argument, NULL, O_RESPONSE},
    {"index-base", required_argument, NULL, O_INDEXBASE},
    {"max-features", required_argument, NULL, O_MAXFEAT},
    {"lambda", required_argument, NULL, O_LAMBDA},
    {"lambda-ratio", required_argument, NULL, O_RATIO},
    {"path", required_argument, NULL, O_PATH},
    {"min-ratio", required_argument, NULL, O_MINRATIO},
    {"path-jobs", required_argument, NULL, O_PATHJOBS},
    {"intercept", no_argument, NULL, O_INTERCEPT},
    {"no-intercept", no_argument, NULL, O_NOINTERCEPT},
    {"standardize", no_argument, NULL, O_STD},
    {"tol", required_argument, NULL, O_TOL},
    {"max-iter", required_argument, NULL, O_MAXITER},
    {"time-limit", required_argument, NULL, O_TIMELIMIT},
    {"threads", required_argument, NULL, O_THREADS},
    {"workers", required_argument, NULL, O_WORKERS},
    {"block", required_argument, NULL, O_BLOCK},
    {"rho", required_argument, NULL, O_RHO},
    {"schedule", required_argument, NULL, O_SCHEDULE},
    {"block-work", required_argument, NULL, O_BLOCKWORK},
    {"seed", required_argument, NULL, O_SEED},
    {"out", required_argument, NULL, O_OUT},
    {"metrics", required_argument, NULL, O_METRICS},
    {"quiet", no_argument, NULL, O_QUIET},
};

#define NLASSO (sizeof(lasso_opts) / sizeof(lasso_opts[0]))
#define NHOST 64 /* host options checked for repeats */

/* One lasso option; 0, -1 (bad value) or 1 (not a lasso option). */
static int
lasso_opt(const char *cmd, lasso_cli_t *ro, int c, const char *arg, int *shotgun)
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
	case O_LAMBDA:
		bad = cli_parse_double_in(cmd, "--lambda", arg, 0, 0, INFINITY, &ro->lambda);
		ro->have_lambda = 1;
		break;
	case O_RATIO:
		bad = cli_parse_double_in(cmd, "--lambda-ratio", arg, 0, 0, INFINITY, &ro->ratio);
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
	case O_STD: ro->standardize = 1; break;
	case O_TOL: bad = cli_parse_double_in(cmd, "--tol", arg, 0, 1, INFINITY, &ro->tol); break;
	case O_MAXITER: bad = cli_parse_long(cmd, "--max-iter", arg, 1, &ro->max_iter); break;
	case O_TIMELIMIT:
		bad = cli_parse_double_in(cmd, "--time-limit", arg, 0, 1, INFINITY,
		    &ro->time_limit);
		break;
	case O_THREADS:
		/* The runtime's limit on loops. */
		bad = cli_parse_long_in(cmd, "--threads", arg, 1, STRADS_MAX_LOOPS, &ro->threads);
		break;
	case O_WORKERS: /* each an actor with its shard; beyond this only cost */
		bad = cli_parse_long_in(cmd, "--workers", arg, 1, 4096, &ro->workers);
		break;
	case O_BLOCK:
		/* A job's block is 32-bit: a larger one must not wrap. */
		bad = cli_parse_long_in(cmd, "--block", arg, 1, UINT32_MAX, &ro->block);
		break;
	case O_RHO: bad = cli_parse_double_in(cmd, "--rho", arg, 0, 0, INFINITY, &ro->rho); break;
	case O_BLOCKWORK:
		bad = cli_parse_double_in(cmd, "--block-work", arg, 0, 0, INFINITY,
		    &ro->block_work);
		break;
	case O_SCHEDULE:
		if (strcmp(arg, "workset") == 0)
			ro->schedule = STRADS_SCHEDULE_WORKSET;
		else if (strcmp(arg, "priority") == 0)
			ro->schedule = STRADS_SCHEDULE_PRIORITY;
		else if (strcmp(arg, "cyclic") == 0)
			ro->schedule = STRADS_SCHEDULE_CYCLIC;
		else if (strcmp(arg, "random") == 0)
			ro->schedule = STRADS_SCHEDULE_RANDOM;
		else if (strcmp(arg, "shotgun") == 0) {
			ro->schedule = STRADS_SCHEDULE_RANDOM;
			*shotgun = 1;
		} else {
			fprintf(stderr, "strads %s: --schedule: expected workset, priority, "
			    "cyclic, random or shotgun, got '%s'\n", cmd, arg);
			bad = 1;
		}
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

/* Where the options are told, after a usage error. */
static void
lasso_try_help(const char *cmd)
{
	if (strcmp(cmd, "coordinator") == 0)
		fprintf(stderr, "Try 'strads coordinator --app lasso --help'.\n");
	else
		fprintf(stderr, "Try 'strads %s lasso --help'.\n", cmd);
}

static int
lasso_parse(const char *cmd, int argc, char **argv, const struct option *extra,
    cli_host_cb host, void *arg, cJSON *appv, app_state_t **out)
{
	struct option opts[NLASSO + 32];
	unsigned char seen[O_LAST - 256 + NHOST];
	lasso_state_t *s;
	lasso_cli_t *ro;
	size_t n = 0, i;
	int c, idx, bad = 0, shotgun = 0, rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	ro = &s->ro;
	lasso_cli_init(ro);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NLASSO; i++)
		opts[n++] = lasso_opts[i];
	for (i = 0; extra != NULL && extra[i].name != NULL && n < NLASSO + 30; i++)
		opts[n++] = extra[i];
	opts[n].name = "help";
	opts[n].has_arg = no_argument;
	opts[n].flag = NULL;
	opts[n++].val = 'h';
	memset(&opts[n], 0, sizeof(opts[n]));
	/* getopt's own messages would name argv[0] ("lasso: ..."). */
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
			lasso_try_help(cmd);
			rc = CLI_USAGE;
			goto fail;
		}
		/* A second value would silently replace the first. The
		 * host's options (from CLI_HOST_OPT) are counted after the
		 * app's. */
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
		r = lasso_opt(cmd, ro, c, optarg, &shotgun);
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
	if (seen[O_LAMBDA - 256] && (seen[O_RATIO - 256] || seen[O_PATH - 256])) {
		fprintf(stderr, "strads %s: --lambda sets the penalty; --%s sets it "
		    "too: give one\n", cmd, seen[O_RATIO - 256] ? "lambda-ratio" : "path");
		goto fail;
	}
	if (seen[O_RATIO - 256] && seen[O_PATH - 256]) {
		fprintf(stderr, "strads %s: --path runs from lambda_max down to lambda_max x "
		    "--min-ratio; --lambda-ratio would be ignored: give one\n", cmd);
		goto fail;
	}
	if (seen[O_PATHJOBS - 256] && !seen[O_PATH - 256]) {
		fprintf(stderr, "strads %s: --path-jobs is how many penalties of a "
		    "--path are solved at once; without --path it does nothing\n", cmd);
		goto fail;
	}
	if (seen[O_MINRATIO - 256] && !seen[O_PATH - 256]) {
		fprintf(stderr, "strads %s: --min-ratio is the end of a --path; "
		    "without --path it does nothing\n", cmd);
		goto fail;
	}
	if (shotgun)
		ro->rho = -1; /* the engine: no dependency filter */
	if (optind < argc) {
		fprintf(stderr, "strads %s: unexpected argument '%s'\n", cmd, argv[optind]);
		goto fail;
	}
	if (ro->data == NULL) {
		fprintf(stderr, "strads %s lasso: --data FILE is required\n", cmd);
		goto fail;
	}
	ro->argc = argc - 1;
	ro->argv = argv + 1;
	s->base.entry = &lasso_entry;
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

static int
lasso_load(const char *cmd, app_state_t *st, int verbose)
{
	lasso_state_t *s = (lasso_state_t *)st;
	const lasso_cli_t *ro = &s->ro;
	data_opts_t dopts;
	char err[1024];
	uint64_t t0;

	data_opts_init(&dopts);
	dopts.target = ro->target;
	dopts.ignore = ro->ignore;
	dopts.response = ro->response;
	dopts.index_base = (int)ro->index_base;
	dopts.max_features = ro->max_features;
	dopts.feature_bytes = 116; /* measured: data.h */
	if (ro->missing != NULL && cli_parse_missing(cmd, ro->missing, &dopts.missing) != 0)
		return CLI_USAGE;
	t0 = strads_now_ns();
	if (cli_load_data(cmd, ro->data, ro->format, &dopts, &s->X) != 0)
		return CLI_FAIL;
	if (lasso_setup(&s->l, &s->X, ro->intercept, ro->standardize, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s: %s\n", cmd, ro->data, err);
		data_matrix_free(&s->X);
		memset(&s->X, 0, sizeof(s->X));
		return CLI_FAIL;
	}
	s->l.tol = ro->tol;
	s->lmax = lasso_lambda_max(&s->l);
	st->nparams = s->l.p;
	if (verbose)
		fprintf(stderr, "loaded %s: %u rows, %u columns, %llu non-zeros in %.3fs; "
		                "lambda_max %.10g\n",
		    ro->data, s->X.n, s->X.p, (unsigned long long)s->X.nnz,
		    (double)(strads_now_ns() - t0) / 1e9, s->lmax);
	return CLI_OK;
}

static void
lasso_free_state(app_state_t *st)
{
	lasso_state_t *s = (lasso_state_t *)st;

	if (s == NULL)
		return;
	lasso_free(&s->l);
	data_matrix_free(&s->X);
	free(s);
}

static const strads_app_t *
lasso_cli_app(const lasso_cli_t *ro)
{
	return ro->schedule == STRADS_SCHEDULE_WORKSET ? &lasso_ws_app : &lasso_app;
}

/* The penalty of step k: a path runs from lambda_max down to
 * --min-ratio of it, log-spaced. */
static double
lasso_cli_lambda(const lasso_state_t *s, long k)
{
	const lasso_cli_t *ro = &s->ro;
	long n = s->base.steps;

	if (ro->path > 0)
		return n == 1 ? s->lmax
		              : s->lmax * pow(ro->min_ratio, (double)k / (double)(n - 1));
	return ro->have_lambda ? ro->lambda : ro->ratio * s->lmax;
}

/*
 * A chain of a path (strads run --path-jobs) solves on its own copy of
 * the shared state: its own penalty, warm start and gradient; the data's
 * arrays are shared, read-only. A working-set path carries the gradient
 * from one penalty to the next (lasso.h).
 */
static void *
lasso_chain_new(app_state_t *st)
{
	lasso_state_t *s = (lasso_state_t *)st;
	lasso_t *l = malloc(sizeof(*l));

	if (l == NULL)
		return NULL;
	*l = s->l;
	l->grad = NULL;
	if (s->ro.path > 0 && lasso_cli_app(&s->ro) == &lasso_ws_app &&
	    (l->grad = strads_large_alloc((size_t)l->p * sizeof(double))) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

static void
lasso_chain_free(app_state_t *st, void *chain)
{
	lasso_t *l = chain;

	(void)st;
	if (l != NULL)
		strads_large_free(l->grad);
	free(l);
}

static void
lasso_job(app_state_t *st, void *chain, long k, const double *warm,
    strads_job_opts_t *o, const strads_app_t **app, void **shared)
{
	lasso_state_t *s = (lasso_state_t *)st;
	const lasso_cli_t *ro = &s->ro;
	lasso_t *l = chain != NULL ? chain : &s->l;

	strads_job_opts_init(o);
	o->nparams = l->p;
	o->nrows = l->n;
	o->nworkers = (int)ro->workers;
	o->block = (uint32_t)ro->block;
	o->rho = ro->rho;
	o->block_work = ro->block_work;
	o->schedule = ro->schedule;
	o->tol = ro->tol;
	o->max_rounds = (uint64_t)ro->max_iter;
	o->time_limit_s = ro->time_limit;
	o->seed = ro->seed;
	/* The priority schedule's floor, in the Lasso priority's units (a
	 * step of 1% of lambda, squared; apps/lasso/lasso.c): below it a change
	 * counts as settled, and such coordinates are drawn alike. The
	 * engine's 1e-12 left the draws on the few that moved last: on
	 * bench_ablation.sh's correlated design, seeds 1-3, 34380, 28175
	 * and 26172 updates to 1e-4 at this floor, against a median of
	 * 69425 at 1e-12. */
	o->eta = 1e-4;
	l->lambda = lasso_cli_lambda(s, k);
	l->stage++;
	l->beta0 = warm;
	/* The chain's last job's last check was made at warm. */
	l->grad_warm = warm != NULL && l->grad != NULL;
	*app = lasso_cli_app(ro);
	*shared = l;
}

static int
lasso_spec(app_state_t *st, long k, cJSON *spec)
{
	return cJSON_AddNumberToObject(spec, "lambda",
	           lasso_cli_lambda((lasso_state_t *)st, k)) != NULL ? 0 : -1;
}

static int
lasso_node_job(app_state_t *st, const cJSON *spec, const double *init,
    const strads_app_t **app, void **shared, char *err, size_t errlen)
{
	lasso_state_t *s = (lasso_state_t *)st;
	const cJSON *lambda = cJSON_GetObjectItem(spec, "lambda");

	if (!cJSON_IsNumber(lambda)) {
		snprintf(err, errlen, "a job for an app this node does not have");
		return -1;
	}
	/* The lambda the coordinator chose, not recomputed here. */
	s->l.lambda = cJSON_GetNumberValue(lambda);
	s->l.beta0 = init;
	*app = lasso_cli_app(&s->ro);
	*shared = &s->l;
	return 0;
}

static void
lasso_node_job_end(app_state_t *st)
{
	/* The data stays loaded for the next job; the starting values go
	 * with this one. */
	((lasso_state_t *)st)->l.beta0 = NULL;
}

static int
lasso_save(const char *cmd, app_state_t *st, long k, const char *path,
    const strads_job_result_t *res)
{
	lasso_state_t *s = (lasso_state_t *)st;
	const lasso_t *l = &s->l;
	model_t m;
	char err[512];
	int rc;

	memset(&m, 0, sizeof(m));
	snprintf(m.app, sizeof(m.app), "lasso");
	m.lambda = lasso_cli_lambda(s, k);
	m.n = l->n;
	m.p = l->p;
	m.objective = res->progress.objective;
	m.coef = malloc((size_t)l->p * sizeof(double));
	if (m.coef == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return -1;
	}
	m.intercept = lasso_unscale(l, res->params, m.coef);
	m.index_base = (int)s->ro.index_base;
	m.converged = res->converged;
	m.criterion = res->progress.criterion;
	m.train_s = res->solve_s;
	m.rounds = res->rounds;
	if (model_set_schema(&m, s->ro.format, s->ro.ignore, &s->X) != 0 ||
	    model_set_options(&m, s->ro.argc, s->ro.argv) != 0) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		model_free(&m);
		return -1;
	}
	rc = model_write(path, &m, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "strads %s: %s\n", cmd, err);
	model_free(&m);
	return rc;
}

static int
lasso_result(const char *cmd, app_state_t *st, long k, const strads_job_result_t *res,
    char *line, size_t len)
{
	double lambda = lasso_cli_lambda((lasso_state_t *)st, k);

	if (!isfinite(res->progress.objective) || !isfinite(res->progress.criterion)) {
		fprintf(stderr, "strads %s: lambda %.10g: the solve diverged "
		    "(objective %g); no model written. Updates without the "
		    "dependency filter (--schedule shotgun) or a large --rho can "
		    "do this on correlated columns.\n", cmd, lambda, res->progress.objective);
		return -1;
	}
	snprintf(line, len,
	    "lambda %.10g: objective %.12g, %s %.3e, nnz %llu, %llu rounds, "
	    "%llu updates, %.3fs%s\n",
	    lambda, res->progress.objective, lambda > 0 ? "gap" : "kkt",
	    res->progress.criterion,
	    (unsigned long long)res->progress.support, (unsigned long long)res->rounds,
	    (unsigned long long)res->updates, res->solve_s,
	    res->converged ? "" : " (not converged: a limit stopped it)");
	return 0;
}

/* With --path, the closing line. */
static void
lasso_done(app_state_t *st, long steps, long jobs, double jobs_s, double solve_s)
{
	const lasso_cli_t *ro = &((lasso_state_t *)st)->ro;

	if (ro->path <= 0 || ro->quiet)
		return;
	if (jobs > 1)
		fprintf(stderr, "path: %ld penalties in %.3fs (%ld chains side by side; "
		                "the slowest chain's jobs from set-up to result, %.3fs of "
		                "it solving)\n",
		    steps, jobs_s, jobs, solve_s);
	else
		fprintf(stderr, "path: %ld penalties in %.3fs (jobs from set-up to result; "
		                "%.3fs of it solving)\n",
		    steps, jobs_s, solve_s);
}

/* b0 + x.b a row; columns past the model's p have no coefficient. */
static int
lasso_predict(const model_t *m, const data_matrix_t *X, int quiet, int labels)
{
	double sse = 0, sum = 0, sst = 0, mean;
	uint64_t i, k;
	int extra = 0;

	if (labels) {
		fprintf(stderr, "strads predict: --labels: a Lasso model predicts values, "
		    "not labels\n");
		return CLI_USAGE;
	}

	for (i = 0; i < X->n; i++) {
		double f = m->intercept;

		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++) {
			if (X->col[k] < m->p)
				f += X->val[k] * m->coef[X->col[k]];
			else
				extra++;
		}
		printf("%.17g\n", f);
		if (X->y != NULL) {
			sse += (X->y[i] - f) * (X->y[i] - f);
			sum += X->y[i];
		}
	}
	if (extra > 0 && !quiet)
		fprintf(stderr, "strads predict: %d values in columns the model has no "
		                "coefficient for were ignored\n", extra);
	if (X->y != NULL && X->n > 0 && !quiet) {
		mean = sum / X->n;
		for (i = 0; i < X->n; i++)
			sst += (X->y[i] - mean) * (X->y[i] - mean);
		fprintf(stderr, "rows %u  rmse %.10g  r2 %.10g\n", X->n, sqrt(sse / X->n),
		    sst > 0 ? 1 - sse / sst : 0);
	}
	return CLI_OK;
}

const app_entry_t lasso_entry = {
    .name = "lasso",
    .summary = "sparse linear regression: least squares with an L1 penalty",
    .synopsis = "--data FILE [options]",
    .usage = lasso_usage,
    .parse = lasso_parse,
    .load = lasso_load,
    .free = lasso_free_state,
    .chain_new = lasso_chain_new,
    .chain_free = lasso_chain_free,
    .job = lasso_job,
    .spec = lasso_spec,
    .node_job = lasso_node_job,
    .node_job_end = lasso_node_job_end,
    .result = lasso_result,
    .save = lasso_save,
    .done = lasso_done,
    .predict = lasso_predict,
    .gen = lasso_gen_main,
    .gen_summary = "sparse regression y = X beta + noise, beta k-sparse",
    .demo = lasso_demo_main,
    .demo_help = lasso_demo_help,
    .cmds = NULL,
    .stages = 1,
};
