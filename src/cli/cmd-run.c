/*
 * cmd-run.c -- `strads run APP [options]`: single-process mode. Every role
 * runs in this process, on all cores by default, through the same actors
 * and messages as a cluster.
 */
#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cli.h"

static void
run_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads run lasso --data FILE [options]\n"
	    "\n"
	    "Lasso: minimise (1/2n) ||y - X b - b0||^2 + lambda ||b||_1\n"
	    "(the glmnet and scikit-learn convention) in one process.\n"
	    "\n");
	lasso_cli_usage(f);
}

/*
 * A path is solved by J chains at once: chain c solves penalties c, c + J,
 * c + 2J, ..., each warm-started from its own last one, on a copy of the
 * app's shared state (its own penalty, warm start and gradient; the data
 * is shared, read-only). A Lasso working-set job solves its blocks on one
 * worker, so chains are what keeps every core busy. Chains are fixed, so
 * results do not depend on timing. The result lines are printed in
 * penalty order.
 */
typedef struct run_path_s run_path_t;

typedef struct {
	run_path_t *rp;
	lasso_t l;
	long first;
	double jobs_s, solve_s; /* this chain's jobs, from set-up to result */
	uv_thread_t tid;
} run_chain_t;

struct run_path_s {
	const lasso_cli_t *ro;
	strads_runtime_t *rt;
	double lmax;
	long n, jobs;
	int nworkers;
	uv_mutex_t lock;
	char (*line)[256];   /* step k's result line once solved, "" before
	                        (both under lock) */
	long shown;          /* lines printed */
	atomic_int failed;
};

/* Step k solved with result line: prints the lines now in order. */
static void
path_done(run_path_t *rp, long k, const char *line)
{
	uv_mutex_lock(&rp->lock);
	snprintf(rp->line[k], sizeof(rp->line[k]), "%s", line);
	while (rp->shown < rp->n && rp->line[rp->shown][0] != '\0') {
		if (!rp->ro->quiet)
			fputs(rp->line[rp->shown], stderr);
		rp->shown++;
	}
	uv_mutex_unlock(&rp->lock);
}

static void
chain_main(void *arg)
{
	run_chain_t *ch = arg;
	run_path_t *rp = ch->rp;
	const lasso_cli_t *ro = rp->ro;
	lasso_t *l = &ch->l;
	double *warm = NULL;
	long k;

	for (k = ch->first; k < rp->n && atomic_load(&rp->failed) == 0; k += rp->jobs) {
		strads_job_opts_t o;
		strads_job_result_t res;
		double lambda = lasso_cli_lambda(ro, rp->lmax, k);
		char path[4096], mpath[4096], line[sizeof(rp->line[0])];
		uint64_t t0;
		int err;

		lasso_cli_job_opts(ro, l, &o);
		o.nworkers = rp->nworkers;
		o.metrics_path = lasso_cli_metrics(ro, k, mpath, sizeof(mpath));
		if (rp->jobs > 1)
			o.progress = 0; /* the chains' check lines would interleave */
		o.init = warm;
		l->lambda = lambda;
		l->beta0 = warm;
		/* The chain's last job's last check was made at warm. */
		l->grad_warm = warm != NULL && l->grad != NULL;
		t0 = strads_now_ns();
		if ((err = strads_job_run(rp->rt, lasso_cli_app(ro), l, &o, &res)) != 0) {
			fprintf(stderr, "strads run: solve failed: %s\n", strads_strerror(err));
			break;
		}
		ch->jobs_s += (double)(strads_now_ns() - t0) / 1e9;
		ch->solve_s += res.solve_s;
		lasso_cli_out(ro, k, path, sizeof(path));
		if (lasso_cli_result("run", lambda, &res, line, sizeof(line)) != 0 ||
		    lasso_cli_save("run", l, path, &res, lambda) != 0) {
			free(res.params);
			break;
		}
		free(warm);
		warm = res.params;
		path_done(rp, k, line);
	}
	if (k < rp->n)
		atomic_store(&rp->failed, 1);
	free(warm);
}

static int
run_lasso(const lasso_cli_t *ro)
{
	data_matrix_t X;
	strads_runtime_t *rt = NULL;
	strads_config_t cfg;
	run_path_t rp;
	run_chain_t *ch = NULL;
	lasso_t l;
	double lmax;
	long c, started = 0, slow = 0;
	int rc, nloops;

	memset(&rp, 0, sizeof(rp));
	if ((rc = lasso_cli_load("run", ro, &X, &l, !ro->quiet, &lmax)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	strads_config_init(&cfg);
	cfg.nloops = (int)ro->threads;
	cfg.ncompute = (int)ro->threads;
	if (strads_runtime_new(&rt, &cfg) != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "strads run: cannot start the runtime\n");
		goto out;
	}
	nloops = strads_runtime_nloops(rt);
	rp.ro = ro;
	rp.rt = rt;
	rp.lmax = lmax;
	rp.n = lasso_cli_steps(ro);
	rp.jobs = ro->path_jobs > 0 ? ro->path_jobs : 2;
	if (rp.jobs > nloops)
		rp.jobs = nloops; /* a chain keeps a thread busy: more only wait */
	if (rp.jobs > rp.n)
		rp.jobs = rp.n;
	/* The loops shared among the chains, unless --workers says. */
	rp.nworkers = ro->workers > 0 ? (int)ro->workers
	    : nloops / rp.jobs > 1 ? (int)(nloops / rp.jobs) : 1;
	rp.line = calloc((size_t)rp.n, sizeof(*rp.line));
	ch = calloc((size_t)rp.jobs, sizeof(*ch));
	if (rp.line == NULL || ch == NULL || uv_mutex_init(&rp.lock) != 0) {
		fprintf(stderr, "strads run: out of memory\n");
		goto out;
	}
	for (c = 0; c < rp.jobs; c++) {
		ch[c].rp = &rp;
		ch[c].l = l; /* the data's arrays are shared, read-only */
		ch[c].l.grad = NULL;
		ch[c].first = c;
		if (ro->path > 0 && lasso_cli_app(ro) == &lasso_ws_app &&
		    (ch[c].l.grad = malloc((size_t)l.p * sizeof(double))) == NULL) {
			fprintf(stderr, "strads run: out of memory\n");
			goto out_chains;
		}
	}
	for (started = 0; started < rp.jobs; started++)
		if (uv_thread_create(&ch[started].tid, chain_main, &ch[started]) != 0) {
			fprintf(stderr, "strads run: cannot start a thread\n");
			atomic_store(&rp.failed, 1);
			break;
		}
out_chains:
	for (c = 0; c < started; c++)
		uv_thread_join(&ch[c].tid);
	if (started == rp.jobs && atomic_load(&rp.failed) == 0) {
		/* The chains ran side by side: the path took its slowest. */
		for (c = 1; c < rp.jobs; c++)
			if (ch[c].jobs_s > ch[slow].jobs_s)
				slow = c;
		lasso_cli_path_report(ro, rp.n, rp.jobs, ch[slow].jobs_s, ch[slow].solve_s);
		rc = CLI_OK;
	}
	for (c = 0; c < rp.jobs; c++)
		free(ch[c].l.grad);
	uv_mutex_destroy(&rp.lock);
out:
	free(ch);
	free(rp.line);
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
	lasso_cli_t ro;
	int rc;

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
	lasso_cli_init(&ro);
	rc = lasso_cli_parse("run", argc - 1, argv + 1, &ro, NULL, NULL, NULL, NULL);
	if (rc == CLI_HELP) {
		run_usage(stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	return run_lasso(&ro);
}

const strads_cmd_t strads_cmd_run = {
    "run", "train an app in one process (single-process mode)", run_main};
