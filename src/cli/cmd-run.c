/*
 * cmd-run.c -- `strads run APP [options]`: single-process mode. Every role
 * runs in this process, on all cores by default, through the same actors
 * and messages as a cluster.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
run_lasso(const lasso_cli_t *ro)
{
	data_matrix_t X;
	strads_runtime_t *rt = NULL;
	strads_config_t cfg;
	strads_job_result_t res;
	lasso_t l;
	double lmax, *warm = NULL, jobs_s = 0, solve_s = 0;
	long k, n;
	int rc;

	if ((rc = lasso_cli_load("run", ro, &X, &l, !ro->quiet, &lmax)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	if (ro->path > 0 && lasso_cli_app(ro) == &lasso_ws_app &&
	    (l.grad = malloc((size_t)l.p * sizeof(double))) == NULL) {
		fprintf(stderr, "strads run: out of memory\n");
		goto out;
	}
	strads_config_init(&cfg);
	cfg.nloops = (int)ro->threads;
	cfg.ncompute = (int)ro->threads;
	if (strads_runtime_new(&rt, &cfg) != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "strads run: cannot start the runtime\n");
		goto out;
	}
	n = lasso_cli_steps(ro);
	for (k = 0; k < n; k++) {
		strads_job_opts_t o;
		double lambda = lasso_cli_lambda(ro, lmax, k);
		char path[4096];
		int err;

		lasso_cli_job_opts(ro, &l, &o);
		o.init = warm;
		l.lambda = lambda;
		l.beta0 = warm;
		/* The last job's last check was made at warm. */
		l.grad_warm = warm != NULL && l.grad != NULL;
		uint64_t t0 = strads_now_ns();

		if ((err = strads_job_run(rt, lasso_cli_app(ro), &l, &o, &res)) != 0) {
			fprintf(stderr, "strads run: solve failed: %s\n", strads_strerror(err));
			goto out;
		}
		jobs_s += (double)(strads_now_ns() - t0) / 1e9;
		solve_s += res.solve_s;
		if (lasso_cli_report("run", ro, lambda, &res) != 0) {
			free(res.params);
			goto out;
		}
		lasso_cli_out(ro, k, path, sizeof(path));
		if (lasso_cli_save("run", &l, path, &res, lambda) != 0) {
			free(res.params);
			goto out;
		}
		free(warm);
		warm = res.params;
	}
	lasso_cli_path_report(ro, n, jobs_s, solve_s);
	rc = CLI_OK;
out:
	free(warm);
	free(l.grad);
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
