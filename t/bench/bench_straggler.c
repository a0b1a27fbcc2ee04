/*
 * bench_straggler.c -- `make bench`: the rotation's straggler rule
 * (doc/schmp.md, "The straggler rule") against the same job without it.
 *
 * The test app of t/rotapp.c on three workers (48 data rows, 24 rotate
 * rows in 6 parts) does busy work a data row a round; the worker of
 * shard 1 does --factor times as much (default 4), as a slower machine
 * would. Three cases, each run --repeat times (default 5), alternating:
 *   even      no slow worker (the rule on: nothing to move);
 *   slow-off  the slow worker, the app without reshard (shards stay);
 *   slow-on   the slow worker, the rule on (shards move).
 * Each run is --sweeps sweeps (default 10); printed: the median solve
 * time with its range, the slow shard's rows in the last sweep, and the
 * ratio slow-off / slow-on. The compute pool has a thread a worker, so
 * on a machine with fewer cores than workers the cores, not the rule,
 * bound the gain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rotapp.h"

#define NW 3
#define NP 6

typedef struct {
	double secs;
	uint64_t slow_rows;
} run_t;

static int
one_run(int slow, int rule, uint64_t sweeps, int factor, run_t *out)
{
	static rotapp_t a;
	strads_app_t app = rotapp_app;
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_table_opts_t to;
	strads_table_t *ssp, *ssp_of[ROTAPP_NTABLES] = {0};
	uint64_t rows[ROTAPP_NTABLES] = {0}, last;
	strads_job_opts_t o;
	strads_job_result_t res;
	char err[256];
	uint32_t t;
	int rc;

	if (!rule)
		app.reshard = NULL;
	rotapp_init(&a, 48, 24);
	a.exact = 1;
	a.spin = 20000;
	a.slow_shard = slow ? 1 : -1;
	a.slow_factor = factor;
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = NW;
	if (strads_runtime_new(&rt, &cfg) != 0 || strads_runtime_start(rt) != 0)
		return -1;
	strads_table_opts_init(&to);
	to.name = "moved";
	to.nrows = ROTAPP_K;
	to.width = 1;
	to.staleness = 1;
	to.nclients = NW;
	to.nshards = 1;
	if (strads_table_create(rt, &to, &ssp, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_straggler: %s\n", err);
		return -1;
	}
	ssp_of[ROTAPP_SSP] = ssp;
	rows[ROTAPP_ROTATE] = a.vrows;
	rows[ROTAPP_SSP] = ROTAPP_K;
	strads_job_opts_init(&o);
	o.nparams = 1;
	o.nrows = a.nrows;
	o.nworkers = NW;
	o.schedule = STRADS_SCHEDULE_ROTATION;
	o.nparts = NP;
	o.table_rows = rows;
	o.ssp = ssp_of;
	o.depth = 2;
	o.max_rounds = sweeps * NP;
	rc = strads_job_run(rt, &app, &a, &o, &res);
	if (rc == 0) {
		out->secs = res.solve_s;
		last = (sweeps - 1) * NP;
		out->slow_rows = last < ROTAPP_MAX_ROUNDS ?
		    (uint64_t)atomic_load(&a.shard_rows[last][1]) : 0;
		for (t = 0; t < res.ntables; t++)
			free(res.tables[t]);
		free(res.tables);
		free(res.params);
	}
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	strads_table_free(ssp);
	return rc;
}

static int
cmp_run(const void *x, const void *y)
{
	double a = ((const run_t *)x)->secs, b = ((const run_t *)y)->secs;

	return a < b ? -1 : a > b;
}

int
main(int argc, char **argv)
{
	static const char *name[3] = {"even", "slow-off", "slow-on"};
	int repeat = 5, factor = 4, i, k;
	uint64_t sweeps = 10;
	run_t *r[3];
	double med[3];

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--sweeps") == 0)
			sweeps = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--factor") == 0)
			factor = atoi(argv[i + 1]);
		else
			break;
	}
	if (i < argc || repeat < 1 || sweeps < 1 || factor < 1) {
		fprintf(stderr, "usage: bench_straggler [--repeat N] [--sweeps N] "
		    "[--factor N]\n");
		return 2;
	}
	for (k = 0; k < 3; k++)
		if ((r[k] = calloc((size_t)repeat, sizeof(run_t))) == NULL)
			return 1;
	for (i = 0; i < repeat; i++)
		for (k = 0; k < 3; k++)
			if (one_run(k > 0, k != 1, sweeps, factor, &r[k][i]) != 0) {
				fprintf(stderr, "bench_straggler: the %s run failed\n", name[k]);
				return 1;
			}
	printf("straggler rule: 3 workers, 48 rows, shard 1 %dx slower a row, "
	    "%llu sweeps, %d repeats\n", factor, (unsigned long long)sweeps, repeat);
	printf("%-10s %12s %22s %16s\n", "case", "median s", "range s", "slow rows at end");
	for (k = 0; k < 3; k++) {
		run_t mid;

		qsort(r[k], (size_t)repeat, sizeof(run_t), cmp_run);
		mid = r[k][repeat / 2];
		med[k] = mid.secs;
		printf("%-10s %12.4f %10.4f - %-10.4f %16llu\n", name[k], mid.secs,
		    r[k][0].secs, r[k][repeat - 1].secs, (unsigned long long)mid.slow_rows);
	}
	printf("slow-off / slow-on: %.2f x; slow-on / even: %.2f x\n", med[1] / med[2],
	    med[2] / med[0]);
	for (k = 0; k < 3; k++)
		free(r[k]);
	return 0;
}
