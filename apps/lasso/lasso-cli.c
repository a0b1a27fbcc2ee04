/*
 * lasso-cli.c -- the Lasso app's command-line face, shared by `strads
 * run` (one process), `strads coordinator` and `strads node` (a
 * cluster): its options, loading its data, the job options and the
 * model file.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h"

void
lasso_cli_usage(FILE *f)
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
	    "  --tol T             stop at relative duality gap <= T (default 1e-6)\n"
	    "  --max-iter N        stop after N rounds (default: no limit)\n"
	    "  --time-limit S      stop after S seconds (default: no limit)\n"
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
	    "                      FILE.1 ... FILE.N\n"
	    "  --metrics FILE      one JSON object per check; with --path,\n"
	    "                      FILE.1 ... FILE.N\n"
	    "  --quiet             no progress lines\n");
}

void
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
	ro->out = "lasso.model";
}

enum {
	O_FORMAT = 256, O_TARGET, O_IGNORE, O_MISSING, O_RESPONSE, O_LAMBDA,
	O_RATIO, O_PATH, O_MINRATIO, O_INTERCEPT, O_NOINTERCEPT, O_STD, O_TOL,
	O_MAXITER, O_TIMELIMIT, O_THREADS, O_WORKERS, O_BLOCK, O_RHO, O_SEED,
	O_OUT, O_METRICS, O_QUIET, O_SCHEDULE, O_BLOCKWORK, O_DATA, O_PATHJOBS,
	O_LAST
};

static const struct option lasso_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"format", required_argument, NULL, O_FORMAT},
    {"target", required_argument, NULL, O_TARGET},
    {"ignore", required_argument, NULL, O_IGNORE},
    {"missing", required_argument, NULL, O_MISSING},
    {"response", required_argument, NULL, O_RESPONSE},
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
	case O_LAMBDA:
		bad = cli_parse_double(cmd, "--lambda", arg, &ro->lambda) || ro->lambda < 0;
		ro->have_lambda = 1;
		break;
	case O_RATIO:
		bad = cli_parse_double(cmd, "--lambda-ratio", arg, &ro->ratio) || ro->ratio < 0;
		break;
	case O_PATH: bad = cli_parse_long(cmd, "--path", arg, 1, &ro->path); break;
	case O_PATHJOBS:
		bad = cli_parse_long(cmd, "--path-jobs", arg, 1, &ro->path_jobs);
		break;
	case O_MINRATIO:
		bad = cli_parse_double(cmd, "--min-ratio", arg, &ro->min_ratio) ||
		    !(ro->min_ratio > 0 && ro->min_ratio <= 1);
		break;
	case O_INTERCEPT: ro->intercept = 1; break;
	case O_NOINTERCEPT: ro->intercept = 0; break;
	case O_STD: ro->standardize = 1; break;
	case O_TOL: bad = cli_parse_double(cmd, "--tol", arg, &ro->tol) || ro->tol < 0; break;
	case O_MAXITER: bad = cli_parse_long(cmd, "--max-iter", arg, 1, &ro->max_iter); break;
	case O_TIMELIMIT:
		bad = cli_parse_double(cmd, "--time-limit", arg, &ro->time_limit) ||
		    ro->time_limit <= 0;
		break;
	case O_THREADS: bad = cli_parse_long(cmd, "--threads", arg, 1, &ro->threads); break;
	case O_WORKERS: bad = cli_parse_long(cmd, "--workers", arg, 1, &ro->workers); break;
	case O_BLOCK: bad = cli_parse_long(cmd, "--block", arg, 1, &ro->block); break;
	case O_RHO: bad = cli_parse_double(cmd, "--rho", arg, &ro->rho) || ro->rho < 0; break;
	case O_BLOCKWORK:
		if (cli_parse_double(cmd, "--block-work", arg, &ro->block_work) != 0) {
			bad = 1;
		} else if (ro->block_work < 0) {
			fprintf(stderr, "strads %s: --block-work: expected a number >= 0, "
			    "got '%s'\n", cmd, arg);
			bad = 1;
		}
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

int
lasso_cli_parse(const char *cmd, int argc, char **argv, lasso_cli_t *ro,
    const struct option *extra, cli_host_cb host, void *arg, cJSON *appv)
{
	struct option opts[NLASSO + 32];
	size_t n = 0, i;
	int c, idx, bad = 0, shotgun = 0;

	for (i = 0; i < NLASSO; i++)
		opts[n++] = lasso_opts[i];
	for (i = 0; extra != NULL && extra[i].name != NULL && n < NLASSO + 30; i++)
		opts[n++] = extra[i];
	opts[n].name = "help";
	opts[n].has_arg = no_argument;
	opts[n].flag = NULL;
	opts[n++].val = 'h';
	memset(&opts[n], 0, sizeof(opts[n]));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		int r;

		if (c == 'h')
			return CLI_HELP;
		if (c == '?')
			return CLI_USAGE;
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
			if (opts[idx].has_arg)
				cJSON_AddItemToArray(appv, cJSON_CreateString(optarg));
		}
	}
	if (bad)
		return CLI_USAGE;
	if (shotgun)
		ro->rho = -1; /* the engine: no dependency filter */
	if (optind < argc) {
		fprintf(stderr, "strads %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return CLI_USAGE;
	}
	if (ro->data == NULL) {
		fprintf(stderr, "strads %s lasso: --data FILE is required\n", cmd);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
lasso_cli_load(const char *cmd, const lasso_cli_t *ro, data_matrix_t *X, lasso_t *l,
    int verbose, double *lmax)
{
	data_opts_t dopts;
	char err[1024];
	uint64_t t0;

	memset(l, 0, sizeof(*l));
	memset(X, 0, sizeof(*X));
	data_opts_init(&dopts);
	dopts.target = ro->target;
	dopts.ignore = ro->ignore;
	dopts.response = ro->response;
	if (ro->missing != NULL) {
		if (strcmp(ro->missing, "drop") == 0)
			dopts.missing = DATA_MISSING_DROP;
		else if (strcmp(ro->missing, "mean") == 0)
			dopts.missing = DATA_MISSING_MEAN;
		else if (strcmp(ro->missing, "error") != 0) {
			fprintf(stderr, "strads %s: --missing: expected error, drop or mean\n", cmd);
			return CLI_USAGE;
		}
	}
	t0 = strads_now_ns();
	if (data_load(ro->data, ro->format, &dopts, X, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return CLI_FAIL;
	}
	if (lasso_setup(l, X, ro->intercept, ro->standardize, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s: %s\n", cmd, ro->data, err);
		data_matrix_free(X);
		return CLI_FAIL;
	}
	l->tol = ro->tol;
	*lmax = lasso_lambda_max(l);
	if (verbose)
		fprintf(stderr, "loaded %s: %u rows, %u columns, %llu non-zeros in %.3fs; "
		                "lambda_max %.10g\n",
		    ro->data, X->n, X->p, (unsigned long long)X->nnz,
		    (double)(strads_now_ns() - t0) / 1e9, *lmax);
	return CLI_OK;
}

const strads_app_t *
lasso_cli_app(const lasso_cli_t *ro)
{
	return ro->schedule == STRADS_SCHEDULE_WORKSET ? &lasso_ws_app : &lasso_app;
}

void
lasso_cli_job_opts(const lasso_cli_t *ro, const lasso_t *l, strads_job_opts_t *o)
{
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
	o->metrics_path = ro->metrics;
	o->progress = !ro->quiet;
}

int
lasso_cli_save(const char *cmd, const lasso_t *l, const char *path,
    const strads_job_result_t *res, double lambda)
{
	model_t m;
	char err[512];
	int rc;

	memset(&m, 0, sizeof(m));
	snprintf(m.app, sizeof(m.app), "lasso");
	m.lambda = lambda;
	m.n = l->n;
	m.p = l->p;
	m.index_base = 1;
	m.objective = res->progress.objective;
	m.coef = malloc((size_t)l->p * sizeof(double));
	if (m.coef == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return -1;
	}
	m.intercept = lasso_unscale(l, res->params, m.coef);
	rc = model_write(path, &m, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "strads %s: %s\n", cmd, err);
	free(m.coef);
	return rc;
}

long
lasso_cli_steps(const lasso_cli_t *ro)
{
	return ro->path > 0 ? ro->path : 1;
}

double
lasso_cli_lambda(const lasso_cli_t *ro, double lmax, long k)
{
	long n = lasso_cli_steps(ro);

	if (ro->path > 0)
		return n == 1 ? lmax : lmax * pow(ro->min_ratio, (double)k / (double)(n - 1));
	return ro->have_lambda ? ro->lambda : ro->ratio * lmax;
}

const char *
lasso_cli_metrics(const lasso_cli_t *ro, long k, char *buf, size_t len)
{
	if (ro->metrics == NULL || ro->path <= 0)
		return ro->metrics;
	snprintf(buf, len, "%s.%ld", ro->metrics, k + 1);
	return buf;
}

void
lasso_cli_out(const lasso_cli_t *ro, long k, char *buf, size_t len)
{
	if (ro->path > 0)
		snprintf(buf, len, "%s.%ld", ro->out, k + 1);
	else
		snprintf(buf, len, "%s", ro->out);
}

int
lasso_cli_result(const char *cmd, double lambda, const strads_job_result_t *res,
    char *line, size_t len)
{
	if (!isfinite(res->progress.objective) || !isfinite(res->progress.criterion)) {
		fprintf(stderr, "strads %s: lambda %.10g: the solve diverged "
		    "(objective %g); no model written. Updates without the "
		    "dependency filter (--schedule shotgun) or a large --rho can "
		    "do this on correlated columns.\n", cmd, lambda, res->progress.objective);
		return -1;
	}
	snprintf(line, len,
	    "lambda %.10g: objective %.12g, gap %.3e, nnz %llu, %llu rounds, "
	    "%llu updates, %.3fs%s\n",
	    lambda, res->progress.objective, res->progress.criterion,
	    (unsigned long long)res->progress.support, (unsigned long long)res->rounds,
	    (unsigned long long)res->updates, res->solve_s,
	    res->converged ? "" : " (not converged: a limit stopped it)");
	return 0;
}

int
lasso_cli_report(const char *cmd, const lasso_cli_t *ro, double lambda,
    const strads_job_result_t *res)
{
	char line[256];

	if (lasso_cli_result(cmd, lambda, res, line, sizeof(line)) != 0)
		return -1;
	if (!ro->quiet)
		fputs(line, stderr);
	return 0;
}

void
lasso_cli_path_report(const lasso_cli_t *ro, long steps, long jobs, double jobs_s,
    double solve_s)
{
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
