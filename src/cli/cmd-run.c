/*
 * cmd-run.c -- `strads run APP [options]`: single-process mode. Every role
 * runs in this process, on all cores by default, through the same actors
 * and messages as a cluster.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "lasso.h"
#include "model.h"

static void
run_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads run lasso --data FILE [options]\n"
	    "\n"
	    "Lasso: minimise (1/2n) ||y - X b - b0||^2 + lambda ||b||_1\n"
	    "(the glmnet and scikit-learn convention) in one process.\n"
	    "\n"
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
	    "  --intercept         fit an intercept (default)\n"
	    "  --no-intercept      do not\n"
	    "  --standardize       scale columns to unit variance (glmnet's option;\n"
	    "                      coefficients are reported on the original scale)\n"
	    "solver:\n"
	    "  --tol T             stop at relative duality gap <= T (default 1e-6)\n"
	    "  --max-iter N        stop after N rounds (default: no limit)\n"
	    "  --time-limit S      stop after S seconds (default: no limit)\n"
	    "  --threads N         loops and compute threads (default: cores)\n"
	    "  --workers N         workers (default: one per loop)\n"
	    "  --schedule S        how blocks are chosen (default workset):\n"
	    "                        workset   after each check, the coordinates\n"
	    "                                  that matter most (non-zeros, then\n"
	    "                                  the largest KKT ratio), solved\n"
	    "                                  exactly by coordinate descent\n"
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
	    "  --metrics FILE      one JSON object per check\n"
	    "  --quiet             no progress lines\n");
}

typedef struct {
	const char *data, *format, *target, *ignore, *missing, *response;
	const char *out, *metrics;
	double lambda, ratio, min_ratio, tol, time_limit, rho, block_work;
	long path, max_iter, threads, workers, block;
	strads_schedule_t schedule;
	int intercept, standardize, quiet, have_lambda;
	unsigned long long seed;
} run_opts_t;

static int
parse_double(const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(*out)) {
		fprintf(stderr, "strads run: %s: expected a number, got '%s'\n", opt, s);
		return -1;
	}
	return 0;
}

static int
parse_long(const char *opt, const char *s, long lo, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || *out < lo) {
		fprintf(stderr, "strads run: %s: expected an integer >= %ld, got '%s'\n",
		    opt, lo, s);
		return -1;
	}
	return 0;
}

static int
solve(strads_runtime_t *rt, lasso_t *l, const run_opts_t *ro, double lambda,
    const double *warm, strads_job_result_t *res)
{
	strads_job_opts_t o;

	strads_job_opts_init(&o);
	o.nparams = l->p;
	o.nrows = l->n;
	o.nworkers = (int)ro->workers;
	o.block = (uint32_t)ro->block;
	o.rho = ro->rho;
	o.block_work = ro->block_work;
	o.schedule = ro->schedule;
	o.tol = ro->tol;
	o.max_rounds = (uint64_t)ro->max_iter;
	o.time_limit_s = ro->time_limit;
	o.seed = ro->seed;
	o.metrics_path = ro->metrics;
	o.progress = !ro->quiet;
	o.init = warm;
	l->lambda = lambda;
	l->beta0 = warm;
	return strads_job_run(rt, o.schedule == STRADS_SCHEDULE_WORKSET ? &lasso_ws_app
	    : &lasso_app, l, &o, res);
}

static int
save(const lasso_t *l, const char *path, const strads_job_result_t *res,
    double lambda)
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
		fprintf(stderr, "strads run: out of memory\n");
		return -1;
	}
	m.intercept = lasso_unscale(l, res->params, m.coef);
	rc = model_write(path, &m, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "strads run: %s\n", err);
	free(m.coef);
	return rc;
}

static int
run_lasso(const run_opts_t *ro)
{
	data_matrix_t X;
	data_opts_t dopts;
	strads_runtime_t *rt = NULL;
	strads_config_t cfg;
	strads_job_result_t res;
	lasso_t l;
	char err[1024];
	double lmax, *warm = NULL;
	uint64_t t0;
	long k, n;
	int rc = CLI_FAIL;

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
			fprintf(stderr, "strads run: --missing: expected error, drop or mean\n");
			return CLI_USAGE;
		}
	}
	t0 = strads_now_ns();
	if (data_load(ro->data, ro->format, &dopts, &X, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads run: %s\n", err);
		return CLI_FAIL;
	}
	if (lasso_setup(&l, &X, ro->intercept, ro->standardize, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads run: %s: %s\n", ro->data, err);
		data_matrix_free(&X);
		return CLI_FAIL;
	}
	lmax = lasso_lambda_max(&l);
	if (!ro->quiet)
		fprintf(stderr, "loaded %s: %u rows, %u columns, %llu non-zeros in %.3fs; "
		                "lambda_max %.10g\n",
		    ro->data, X.n, X.p, (unsigned long long)X.nnz,
		    (double)(strads_now_ns() - t0) / 1e9, lmax);
	strads_config_init(&cfg);
	cfg.nloops = (int)ro->threads;
	cfg.ncompute = (int)ro->threads;
	if (strads_runtime_new(&rt, &cfg) != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "strads run: cannot start the runtime\n");
		goto out;
	}
	n = ro->path > 0 ? ro->path : 1;
	for (k = 0; k < n; k++) {
		double lambda;
		char path[4096];
		int err2;

		if (ro->path > 0)
			lambda = n == 1 ? lmax
			                : lmax * pow(ro->min_ratio, (double)k / (double)(n - 1));
		else
			lambda = ro->have_lambda ? ro->lambda : ro->ratio * lmax;
		if ((err2 = solve(rt, &l, ro, lambda, warm, &res)) != 0) {
			fprintf(stderr, "strads run: solve failed: %s\n", strads_strerror(err2));
			goto out;
		}
		if (!isfinite(res.progress.objective) || !isfinite(res.progress.gap)) {
			fprintf(stderr, "strads run: lambda %.10g: the solve diverged "
			    "(objective %g); no model written. Updates without the "
			    "dependency filter (--schedule shotgun) or a large --rho can "
			    "do this on correlated columns.\n", lambda, res.progress.objective);
			free(res.params);
			goto out;
		}
		if (ro->path > 0)
			snprintf(path, sizeof(path), "%s.%ld", ro->out, k + 1);
		else
			snprintf(path, sizeof(path), "%s", ro->out);
		if (!ro->quiet)
			fprintf(stderr,
		    "lambda %.10g: objective %.12g, gap %.3e, nnz %llu, %llu rounds, "
		    "%llu updates, %.3fs%s\n",
		    lambda, res.progress.objective, res.progress.gap,
		    (unsigned long long)res.progress.nnz, (unsigned long long)res.rounds,
		    (unsigned long long)res.updates, res.solve_s,
		    res.converged ? "" : " (not converged: a limit stopped it)");
		if (save(&l, path, &res, lambda) != 0) {
			free(res.params);
			goto out;
		}
		free(warm);
		warm = res.params;
	}
	rc = CLI_OK;
out:
	free(warm);
	if (rt != NULL) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
		strads_runtime_free(rt);
	}
	lasso_free(&l);
	data_matrix_free(&X);
	return rc;
}

static int
run_main(int argc, char **argv)
{
	enum {
		O_FORMAT = 256, O_TARGET, O_IGNORE, O_MISSING, O_RESPONSE, O_LAMBDA,
		O_RATIO, O_PATH, O_MINRATIO, O_INTERCEPT, O_NOINTERCEPT, O_STD, O_TOL,
		O_MAXITER, O_TIMELIMIT, O_THREADS, O_WORKERS, O_BLOCK, O_RHO, O_SEED,
		O_OUT, O_METRICS, O_QUIET, O_SCHEDULE, O_BLOCKWORK, O_DATA
	};
	static const struct option opts[] = {
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
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	run_opts_t ro;
	int c, bad = 0, shotgun = 0;
	long v;

	memset(&ro, 0, sizeof(ro));
	ro.ratio = 0.1;
	ro.min_ratio = 0.01;
	ro.tol = 1e-6;
	ro.rho = 0.1;
	ro.block = 0; /* the engine's default for the schedule */
	ro.schedule = STRADS_SCHEDULE_WORKSET;
	ro.intercept = 1;
	ro.seed = 1;
	ro.out = "lasso.model";
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			run_usage(stdout);
			return CLI_OK;
		}
		run_usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "lasso") != 0) {
		fprintf(stderr, "strads run: unknown app '%s' (available: lasso)\n", argv[1]);
		return CLI_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_DATA: ro.data = optarg; break;
		case O_FORMAT: ro.format = optarg; break;
		case O_TARGET: ro.target = optarg; break;
		case O_IGNORE: ro.ignore = optarg; break;
		case O_MISSING: ro.missing = optarg; break;
		case O_RESPONSE: ro.response = optarg; break;
		case O_LAMBDA:
			bad |= parse_double("--lambda", optarg, &ro.lambda) || ro.lambda < 0;
			ro.have_lambda = 1;
			break;
		case O_RATIO:
			bad |= parse_double("--lambda-ratio", optarg, &ro.ratio) || ro.ratio < 0;
			break;
		case O_PATH: bad |= parse_long("--path", optarg, 1, &ro.path); break;
		case O_MINRATIO:
			bad |= parse_double("--min-ratio", optarg, &ro.min_ratio) ||
			    !(ro.min_ratio > 0 && ro.min_ratio <= 1);
			break;
		case O_INTERCEPT: ro.intercept = 1; break;
		case O_NOINTERCEPT: ro.intercept = 0; break;
		case O_STD: ro.standardize = 1; break;
		case O_TOL: bad |= parse_double("--tol", optarg, &ro.tol) || ro.tol < 0; break;
		case O_MAXITER: bad |= parse_long("--max-iter", optarg, 1, &ro.max_iter); break;
		case O_TIMELIMIT:
			bad |= parse_double("--time-limit", optarg, &ro.time_limit) ||
			    ro.time_limit <= 0;
			break;
		case O_THREADS: bad |= parse_long("--threads", optarg, 1, &ro.threads); break;
		case O_WORKERS: bad |= parse_long("--workers", optarg, 1, &ro.workers); break;
		case O_BLOCK: bad |= parse_long("--block", optarg, 1, &ro.block); break;
		case O_RHO:
			bad |= parse_double("--rho", optarg, &ro.rho) || ro.rho < 0;
			break;
		case O_BLOCKWORK:
			if (parse_double("--block-work", optarg, &ro.block_work) != 0) {
				bad = 1;
			} else if (ro.block_work < 0) {
				fprintf(stderr, "strads run: --block-work: expected a number "
				    ">= 0, got '%s'\n", optarg);
				bad = 1;
			}
			break;
		case O_SCHEDULE:
			if (strcmp(optarg, "workset") == 0)
				ro.schedule = STRADS_SCHEDULE_WORKSET;
			else if (strcmp(optarg, "priority") == 0)
				ro.schedule = STRADS_SCHEDULE_PRIORITY;
			else if (strcmp(optarg, "cyclic") == 0)
				ro.schedule = STRADS_SCHEDULE_CYCLIC;
			else if (strcmp(optarg, "random") == 0)
				ro.schedule = STRADS_SCHEDULE_RANDOM;
			else if (strcmp(optarg, "shotgun") == 0) {
				ro.schedule = STRADS_SCHEDULE_RANDOM;
				shotgun = 1;
			} else {
				fprintf(stderr, "strads run: --schedule: expected workset, "
				    "priority, cyclic, random or shotgun, got '%s'\n", optarg);
				bad = 1;
			}
			break;
		case O_SEED:
			bad |= parse_long("--seed", optarg, 0, &v);
			ro.seed = (unsigned long long)v;
			break;
		case O_OUT: ro.out = optarg; break;
		case O_METRICS: ro.metrics = optarg; break;
		case O_QUIET: ro.quiet = 1; break;
		case 'h': run_usage(stdout); return CLI_OK;
		default: return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (shotgun)
		ro.rho = -1; /* the engine: no dependency filter */
	if (optind < argc) {
		fprintf(stderr, "strads run: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (ro.data == NULL) {
		fprintf(stderr, "strads run lasso: --data FILE is required\n");
		return CLI_USAGE;
	}
	return run_lasso(&ro);
}

const strads_cmd_t strads_cmd_run = {
    "run", "train an app in one process (single-process mode)", run_main};
