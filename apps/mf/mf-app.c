/*
 * mf-app.c -- the MF app's entry in the registry (apps/registry.h): its
 * options, loading the ratings, its job for `strads run`, its model
 * file, `strads predict` on an mf model and `strads recommend`; the
 * same job over a coordinator and nodes (doc/mf.md, "Across
 * processes").
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mf.h"
#include "registry.h"

/* Listed in apps/registry.c. */
extern const app_entry_t mf_entry;

typedef struct mf_state_s {
	app_state_t base; /* first: the commands read it */
	const char *data, *test_path, *solver; /* borrowed from argv */
	long rank, iters, threads, staleness, parts;
	int biases, weighted, quiet, stale_set, stale_inf;
	int cluster; /* 1: strads coordinator or node */
	double lambda, test_frac, eta, decay;
	unsigned long long seed;
	mf_ids_t users, items; /* owned once loaded */
	mf_ratings_t all;      /* owned: what --data held */
	mf_ratings_t train, test; /* owned when split or --test */
	const mf_ratings_t *tr, *te; /* borrowed: what is trained and tested on */
	mf_t m;                /* owned once loaded */
} mf_state_t;

static void
mf_usage(const char *cmd, FILE *f)
{
	(void)cmd;
	fprintf(f,
	    "MF: matrix factorization for recommendation, r ~ mu + b_u + c_i + w_u . h_i,\n"
	    "by CCD++ rank-one updates or SGD, model-parallel by item rotation, or\n"
	    "data-parallel SGD on an SSP table (--staleness) (doc/mf.md), in one\n"
	    "process or over a coordinator and nodes.\n"
	    "\n"
	    "data:\n"
	    "  --data FILE         ratings (required): MovieLens u.data (tab-separated),\n"
	    "                      a CSV with a header (ratings.csv), MatrixMarket\n"
	    "                      coordinate, or 'user item rating' triples; ids may\n"
	    "                      be numbers or strings (mapped to dense indices,\n"
	    "                      saved with the model)\n"
	    "  --test FILE         held-out ratings, in the same forms\n"
	    "  --test-fraction F   hold out this fraction of --data instead (default 0)\n"
	    "  --seed S            seed of the split and of the first factors (default 1)\n"
	    "model:\n"
	    "  --rank K            factors (default 10)\n"
	    "  --lambda L          penalty of the squared factors and biases (default 0.05)\n"
	    "  --weighted-lambda   lambda times each user's and item's ratings\n"
	    "  --biases            fit user and item biases b_u and c_i\n"
	    "solver:\n"
	    "  --solver S          sgd: SGD on the blocks the rotation makes, in floats\n"
	    "                      (default: the faster, doc/mf.md); ccd: CCD++ rank-one\n"
	    "                      updates (exact steps, the objective never rises)\n"
	    "  --eta E             SGD's step size in the first epoch (default 0.05)\n"
	    "  --eta-decay D       SGD's step in epoch e (from 0) is E / (1 + D e)\n"
	    "                      (default 0.3)\n"
	    "  --staleness S       SGD on an SSP table of the item factors: data-parallel,\n"
	    "                      reads lagging at most S rounds (a round is a\n"
	    "                      worker's --parts-th of its ratings), or inf\n"
	    "  --parts P           parts a sweep is cut into (default: 2 x workers;\n"
	    "                      in a cluster 8, which must be at least its workers)\n"
	    "  --iters N           epochs: every column of W and H updated once (CCD++),\n"
	    "                      every rating visited once (SGD) (default 10)\n"
	    "  --threads N         loops, compute threads and workers (default: cores)\n"
	    "output:\n"
	    "  --out FILE          model file (default: mf.model)\n"
	    "  --metrics FILE      one JSON object per check (epoch): objective,\n"
	    "                      train_rmse, test_rmse, epochs, visits_per_s\n"
	    "  --quiet             no progress lines\n");
}

enum { O_DATA = 256, O_TEST, O_TESTFRAC, O_SEED, O_RANK, O_LAMBDA, O_WEIGHTED, O_BIASES,
	O_SOLVER, O_ETA, O_DECAY, O_ITERS, O_THREADS, O_OUT, O_METRICS, O_QUIET, O_STALE,
	O_PARTS, O_LAST };

static const struct option mf_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"test", required_argument, NULL, O_TEST},
    {"test-fraction", required_argument, NULL, O_TESTFRAC},
    {"seed", required_argument, NULL, O_SEED},
    {"rank", required_argument, NULL, O_RANK},
    {"lambda", required_argument, NULL, O_LAMBDA},
    {"weighted-lambda", no_argument, NULL, O_WEIGHTED},
    {"biases", no_argument, NULL, O_BIASES},
    {"solver", required_argument, NULL, O_SOLVER},
    {"eta", required_argument, NULL, O_ETA},
    {"eta-decay", required_argument, NULL, O_DECAY},
    {"iters", required_argument, NULL, O_ITERS},
    {"threads", required_argument, NULL, O_THREADS},
    {"out", required_argument, NULL, O_OUT},
    {"metrics", required_argument, NULL, O_METRICS},
    {"quiet", no_argument, NULL, O_QUIET},
    {"staleness", required_argument, NULL, O_STALE},
    {"parts", required_argument, NULL, O_PARTS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
mf_opt(const char *cmd, mf_state_t *s, int c, const char *arg)
{
	long v;
	int bad = 0;

	switch (c) {
	case O_DATA: s->data = s->base.data = arg; break;
	case O_TEST: s->test_path = arg; break;
	case O_TESTFRAC:
		bad = cli_parse_double_in(cmd, "--test-fraction", arg, 0, 0, 1, &s->test_frac);
		break;
	case O_SEED:
		bad = cli_parse_long(cmd, "--seed", arg, 0, &v);
		s->seed = (unsigned long long)v;
		break;
	case O_RANK: bad = cli_parse_long_in(cmd, "--rank", arg, 1, MF_MAX_RANK, &s->rank); break;
	case O_LAMBDA:
		bad = cli_parse_double_in(cmd, "--lambda", arg, 0, 0, INFINITY, &s->lambda);
		break;
	case O_WEIGHTED: s->weighted = 1; break;
	case O_BIASES: s->biases = 1; break;
	case O_SOLVER:
		if (strcmp(arg, "ccd") != 0 && strcmp(arg, "sgd") != 0) {
			fprintf(stderr, "strads %s: --solver: expected ccd or sgd, got '%s'\n", cmd,
			    arg);
			bad = 1;
		}
		s->solver = arg;
		break;
	case O_ETA: bad = cli_parse_double_in(cmd, "--eta", arg, 0, 1, 10, &s->eta); break;
	case O_DECAY:
		bad = cli_parse_double_in(cmd, "--eta-decay", arg, 0, 0, 1e6, &s->decay);
		break;
	case O_ITERS: bad = cli_parse_long_in(cmd, "--iters", arg, 1, 100000000, &s->iters); break;
	case O_THREADS:
		bad = cli_parse_long_in(cmd, "--threads", arg, 1, STRADS_MAX_LOOPS, &s->threads);
		break;
	case O_STALE:
		s->stale_set = 1;
		if (strcmp(arg, "inf") == 0)
			s->stale_inf = 1;
		else
			bad = cli_parse_long_in(cmd, "--staleness", arg, 0, 1000000, &s->staleness);
		break;
	case O_PARTS: bad = cli_parse_long_in(cmd, "--parts", arg, 1, 1000000, &s->parts); break;
	case O_OUT: s->base.out = arg; break;
	case O_METRICS: s->base.metrics = arg; break;
	case O_QUIET: s->quiet = 1; break;
	default: return 1;
	}
	return bad ? -1 : 0;
}

static int
mf_parse(const char *cmd, int argc, char **argv, const struct option *extra,
    cli_host_cb host, void *arg, cJSON *spec, app_state_t **out)
{
	unsigned char seen[O_LAST - 256];
	struct option opts[128];
	mf_state_t *s;
	size_t n = 0, i;
	int c, idx, bad = 0, rc = CLI_USAGE;

	for (i = 0; mf_opts[i].name != NULL && n < 100; i++)
		opts[n++] = mf_opts[i];
	for (i = 0; extra != NULL && extra[i].name != NULL && n < 126; i++)
		opts[n++] = extra[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	s->rank = 10;
	s->iters = 10;
	s->lambda = 0.05;
	s->eta = 0.05;
	s->decay = 0.3;
	s->solver = "sgd";
	s->seed = 1;
	s->base.out = "mf.model";
	s->cluster = strcmp(cmd, "run") != 0;
	memset(seen, 0, sizeof(seen));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		if (c == 'h') {
			rc = CLI_HELP;
			goto fail;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "strads %s: %s '%s'\n", cmd,
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			fprintf(stderr, "Try 'strads %s mf --help'.\n", cmd);
			goto fail;
		}
		if (c >= CLI_HOST_OPT) {
			if (host == NULL || host(arg, c, optarg) != 0)
				bad = 1;
			continue;
		}
		if (c >= 256 && c < O_LAST) {
			if (seen[c - 256]) {
				fprintf(stderr, "strads %s: --%s given twice\n", cmd, opts[idx].name);
				bad = 1;
			}
			seen[c - 256] = 1;
		}
		if (mf_opt(cmd, s, c, optarg) != 0)
			bad = 1;
		/* What a node needs to load the same ratings and build the
		 * same solver: not the outputs, the threads or --quiet. */
		if (spec != NULL && c != O_OUT && c != O_METRICS && c != O_QUIET &&
		    c != O_THREADS && c >= 256 && c < O_LAST) {
			char name[64];

			snprintf(name, sizeof(name), "--%s", opts[idx].name);
			cJSON_AddItemToArray(spec, cJSON_CreateString(name));
			if (c == O_DATA || c == O_TEST)
				cJSON_AddItemToArray(spec, cli_spec_path(optarg));
			else if (opts[idx].has_arg)
				cJSON_AddItemToArray(spec, cJSON_CreateString(optarg));
		}
	}
	if (bad)
		goto fail;
	if (optind < argc) {
		fprintf(stderr, "strads %s: unexpected argument '%s'\n", cmd, argv[optind]);
		goto fail;
	}
	if (s->data == NULL) {
		fprintf(stderr, "strads %s mf: --data FILE is required\n", cmd);
		goto fail;
	}
	if (s->test_frac >= 1) {
		fprintf(stderr, "strads %s: --test-fraction: expected a number in [0, 1), "
		    "got %g\n", cmd, s->test_frac);
		goto fail;
	}
	if (s->test_frac > 0 && s->test_path != NULL) {
		fprintf(stderr, "strads %s: --test and --test-fraction: give one of them\n", cmd);
		goto fail;
	}
	if (s->stale_set && s->solver != NULL && strcmp(s->solver, "sgd") != 0) {
		fprintf(stderr, "strads %s: --staleness is SGD's (on the SSP table), not "
		    "--solver %s's\n", cmd, s->solver);
		goto fail;
	}
	s->base.entry = &mf_entry;
	/* One worker a loop: a read of strads run's SSP table waits on the
	 * worker's compute thread. A cluster's workers are its nodes'. */
	s->base.threads = s->threads;
	s->base.workers = s->cluster ? 0 : s->threads > 0 ? s->threads : strads_ncores();
	s->base.jobs = s->cluster ? 0 : 1;
	s->base.steps = 1;
	s->base.quiet = s->quiet;
	*out = &s->base;
	return CLI_OK;
fail:
	free(s);
	return rc;
}

static int
mf_load_state(const char *cmd, app_state_t *st, int verbose)
{
	mf_state_t *s = (mf_state_t *)st;
	char err[1024];
	uint64_t t0 = strads_now_ns(), unknown = 0;
	uint32_t W = s->cluster ? 1 : (uint32_t)st->workers, P;
	int nthreads = s->threads > 0 ? (int)s->threads : strads_ncores();

	if (mf_load(s->data, nthreads, &s->users, &s->items, &s->all, NULL, err,
	        sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return CLI_FAIL;
	}
	/* A pair rated twice is two observations of one cell: both are
	 * terms of the sum, which is least squares' answer to repeated
	 * measurements; a file that repeats pairs by mistake should know. */
	if (verbose) {
		uint64_t first, ndup = mf_duplicates(&s->all, s->users.n, s->items.n, &first);

		if (ndup > 0 && ndup != UINT64_MAX)
			fprintf(stderr, "%s: warning: %llu rating(s) repeat a (user, item) pair "
			    "rated before them, the first user '%s' item '%s' (rating %llu of the "
			    "file); each is kept as an observation of its own\n", s->data,
			    (unsigned long long)ndup, s->users.names[s->all.u[first]],
			    s->items.names[s->all.i[first]], (unsigned long long)first + 1);
	}
	s->tr = &s->all;
	s->te = NULL;
	if (s->test_frac > 0) {
		if (mf_split(&s->all, s->test_frac, s->seed, &s->train, &s->test) != 0) {
			fprintf(stderr, "strads %s: out of memory\n", cmd);
			return CLI_FAIL;
		}
		s->tr = &s->train;
		s->te = &s->test;
	} else if (s->test_path != NULL) {
		if (mf_load(s->test_path, nthreads, &s->users, &s->items, &s->test, &unknown, err,
		        sizeof(err)) != 0) {
			fprintf(stderr, "strads %s: %s\n", cmd, err);
			return CLI_FAIL;
		}
		if (unknown > 0 && verbose)
			fprintf(stderr, "%s: %llu rating(s) name a user or item absent from %s: "
			    "left out of the test\n", s->test_path, (unsigned long long)unknown,
			    s->data);
		s->te = &s->test;
	}
	if (s->tr->n == 0 || s->users.n < W || s->items.n < W) {
		fprintf(stderr, "strads %s: %s: %u users, %u items and %llu ratings to train on: "
		    "expected at least one user and one item a worker (%u) and a rating%s\n",
		    cmd, s->data, s->users.n, s->items.n, (unsigned long long)s->tr->n, W,
		    W > 1 ? " (fewer workers: --threads)" : "");
		return CLI_FAIL;
	}
	P = s->parts > 0 ? (uint32_t)s->parts : s->cluster ? 8 : 2 * W;
	if (P < W) {
		fprintf(stderr, "strads %s: --parts %u: expected at least one a worker (%u)\n",
		    cmd, P, W);
		return CLI_USAGE;
	}
	if (mf_setup(&s->m, s->tr, s->te, s->users.n, s->items.n, (uint32_t)s->rank, s->biases,
	        s->weighted, s->lambda, s->seed, W, P) != 0) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	if (s->cluster)
		s->m.cluster = 1;
	if (s->solver != NULL && strcmp(s->solver, "sgd") == 0 &&
	    (mf_setup_sgd(&s->m, s->eta, s->decay) != 0 ||
	        (s->stale_set && mf_setup_ssp(&s->m, (uint32_t)s->staleness, s->stale_inf) != 0))) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	if (s->cluster)
		mf_setup_cluster(&s->m);
	st->nparams = 1;
	if (verbose)
		fprintf(stderr, "loaded %s: %u users, %u items, %llu ratings (%llu to train on, "
		                "%llu to test) in %.3fs\n",
		    s->data, s->users.n, s->items.n, (unsigned long long)s->all.n,
		    (unsigned long long)s->tr->n, (unsigned long long)(s->te ? s->te->n : 0),
		    (double)(strads_now_ns() - t0) / 1e9);
	return CLI_OK;
}

static void
mf_free_state(app_state_t *st)
{
	mf_state_t *s = (mf_state_t *)st;

	if (s == NULL)
		return;
	mf_free(&s->m);
	mf_ratings_free(&s->all);
	mf_ratings_free(&s->train);
	mf_ratings_free(&s->test);
	mf_ids_free(&s->users);
	mf_ids_free(&s->items);
	free(s);
}

static void *
mf_chain_new(app_state_t *st)
{
	return &((mf_state_t *)st)->m;
}

static void
mf_chain_free(app_state_t *st, void *chain)
{
	(void)st;
	(void)chain;
}

static void
mf_job(app_state_t *st, void *chain, long k, const double *warm, strads_job_opts_t *o,
    const strads_app_t **app, void **shared)
{
	mf_state_t *s = (mf_state_t *)st;

	(void)chain;
	(void)k;
	(void)warm;
	strads_job_opts_init(o);
	mf_job_opts(&s->m, (uint64_t)s->iters, o);
	*app = &s->m.app;
	*shared = &s->m;
}

static int
mf_node_job(app_state_t *st, const cJSON *spec, const double *init,
    const strads_app_t **app, void **shared, char *err, size_t errlen)
{
	mf_state_t *s = (mf_state_t *)st;

	(void)spec;
	(void)init;
	(void)err;
	(void)errlen;
	*app = &s->m.app;
	*shared = &s->m;
	return 0;
}

static int
mf_result(const char *cmd, app_state_t *st, long k, const strads_job_result_t *res,
    char *line, size_t len)
{
	mf_state_t *s = (mf_state_t *)st;
	double te = strads_progress_value(&res->progress, "test_rmse");

	(void)k;
	if (!isfinite(res->progress.objective)) {
		fprintf(stderr, "strads %s: the solve diverged (objective %g); no model "
		    "written. A smaller --eta (sgd) or a larger --lambda may help.\n", cmd,
		    res->progress.objective);
		return -1;
	}
	if (res->tables == NULL || res->ntables < MF_NTABLES || res->tables[MF_T_W] == NULL ||
	    res->tables[MF_T_H] == NULL) {
		fprintf(stderr, "strads %s: the job returned no factor tables\n", cmd);
		return -1;
	}
	char tl[64] = "";

	if (!isnan(te))
		snprintf(tl, sizeof(tl), ", test_rmse %.6f", te);
	snprintf(line, len, "mf: %s%s, rank %u%s, %.0f epochs, objective %.6g, train_rmse %.6f%s, %.3fs\n",
	    s->m.sgd ? "sgd" : "ccd", s->m.ssp ? " (ssp table)" : "", s->m.rank, s->biases ? " with biases" : "",
	    strads_progress_value(&res->progress, "epochs"), res->progress.objective,
	    strads_progress_value(&res->progress, "train_rmse"), tl, res->solve_s);
	return 0;
}

static int
mf_save(const char *cmd, app_state_t *st, long k, const char *path,
    const strads_job_result_t *res)
{
	mf_state_t *s = (mf_state_t *)st;
	const mf_t *mm = &s->m;
	uint32_t j;
	mf_model_t m;
	char err[1024];
	uint64_t q;
	int rc;

	(void)k;
	memset(&m, 0, sizeof(m));
	m.nusers = mm->nusers;
	m.nitems = mm->nitems;
	m.rank = mm->rank;
	m.kc = mm->kc;
	m.biases = mm->biases;
	m.mu = mm->mu;
	m.lambda = mm->lambda;
	m.ntrain = s->tr->n;
	m.epochs = (uint64_t)strads_progress_value(&res->progress, "epochs");
	m.objective = res->progress.objective;
	m.train_rmse = strads_progress_value(&res->progress, "train_rmse");
	m.test_rmse = strads_progress_value(&res->progress, "test_rmse");
	m.W = mf_factors(mm, res->tables, 0);
	m.H = mf_factors(mm, res->tables, 1);
	m.rptr = calloc((size_t)mm->nusers + 1, sizeof(uint64_t));
	m.ritem = malloc((s->tr->n ? s->tr->n : 1) * sizeof(uint32_t));
	if (m.W == NULL || m.H == NULL || m.rptr == NULL || m.ritem == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		rc = -1;
		goto out;
	}
	/* The rated items, by user (a counting sort). */
	for (q = 0; q < s->tr->n; q++)
		m.rptr[s->tr->u[q] + 1]++;
	for (j = 0; j < mm->nusers; j++)
		m.rptr[j + 1] += m.rptr[j];
	for (q = 0; q < s->tr->n; q++)
		m.ritem[m.rptr[s->tr->u[q]]++] = s->tr->i[q];
	for (j = mm->nusers; j > 0; j--)
		m.rptr[j] = m.rptr[j - 1];
	m.rptr[0] = 0;
	m.users = s->users;
	m.items = s->items;
	rc = mf_model_write(path, &m, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "strads %s: %s\n", cmd, err);
out:
	free(m.W);
	free(m.H);
	free(m.rptr);
	free(m.ritem);
	return rc;
}

static const strads_cmd_t mf_cmd_recommend = {
    "recommend", "the top items for a user of an mf model", mf_recommend_main};
static const strads_cmd_t *const mf_cmds[] = {&mf_cmd_recommend, NULL};

const app_entry_t mf_entry = {
    .name = "mf",
    .summary = "recommendation: matrix factorization by CCD++ or SGD (item rotation)",
    .synopsis = "--data FILE [--test FILE | --test-fraction F] [options]",
    .usage = mf_usage,
    .parse = mf_parse,
    .load = mf_load_state,
    .free = mf_free_state,
    .chain_new = mf_chain_new,
    .chain_free = mf_chain_free,
    .job = mf_job,
    .node_job = mf_node_job,
    .result = mf_result,
    .save = mf_save,
    .gen = mf_gen_main,
    .gen_summary = "ratings from a planted low-rank model with biases and noise",
    .cmds = mf_cmds,
    .planned_iters = 1,
    .predict_file = mf_predict_main,
    .owns_model = mf_model_sniff,
};
