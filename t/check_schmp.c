/*
 * check_schmp.c -- the SchMP engine with a small app: the column-means
 * program of strads(3)'s example, on several workers, stores and
 * schedulers; a worker whose init fails ends the job with an error.
 */
#include "strads-int.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

typedef struct {
	const double *x;
	uint64_t n;
	uint32_t p;
	int fail_init;
} data_t;

typedef struct {
	const data_t *d;
	strads_shard_t sh;
} shard_t;

static int
mean_init(void *shared, const strads_shard_t *sh, void **ws)
{
	const data_t *d = shared;
	shard_t *s;

	if (d->fail_init && sh->index == 1)
		return -1;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return -1;
	s->d = d;
	s->sh = *sh;
	*ws = s;
	return 0;
}

static void
mean_push(void *ws, const strads_block_t *b, double *part)
{
	shard_t *s = ws;
	uint64_t i;
	uint32_t t;

	for (t = 0; t < b->n; t++)
		for (i = s->sh.row_begin; i < s->sh.row_end; i++)
			part[t] += s->d->x[i * s->d->p + b->idx[t]];
}

static void
mean_apply(void *ws, const strads_block_t *b, const double *delta)
{
	(void)ws;
	(void)b;
	(void)delta; /* no local state */
}

static void
mean_pull(void *shared, const strads_block_t *b, const double *sum, double *val,
    double *delta)
{
	const data_t *d = shared;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		double v = sum[t] / (double)d->n;

		delta[t] = v - val[t];
		val[t] = v;
	}
}

static void
mean_check(void *shared, strads_range_t r, const double *sum, const double *val,
    double *out)
{
	const data_t *d = shared;
	uint32_t j;

	out[0] = 0; /* largest error of the range */
	for (j = 0; j < r.end - r.begin; j++)
		out[0] = fmax(out[0], fabs(sum[j] / (double)d->n - val[j]));
}

static void
mean_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	int k;

	(void)shared;
	(void)st;
	out->gap = 0;
	for (k = 0; k < nstores; k++)
		out->gap = fmax(out->gap, ck[k]);
	out->objective = out->gap;
}

static const strads_app_t mean_app = {
    .name = "mean",
    .width = 1,
    .nstats = 0,
    .ncheck = 1,
    .worker_init = mean_init,
    .push = mean_push,
    .apply = mean_apply,
    .worker_fini = free,
    .pull = mean_pull,
    .check = mean_check,
    .objective = mean_objective,
};

static void
run_means(int nloops, int nworkers, int nstores, int nscheds, uint32_t block)
{
	const uint64_t n = 301;
	const uint32_t p = 97;
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_job_opts_t o;
	strads_job_result_t res;
	data_t d;
	double *x = malloc(n * p * sizeof(double));
	uint64_t i;
	uint32_t j;

	ck_assert_ptr_nonnull(x);
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++)
			x[i * p + j] = (double)((i * 31 + j * 17) % 101) / 7.0;
	d.x = x;
	d.n = n;
	d.p = p;
	d.fail_init = 0;
	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = nworkers;
	o.nstores = nstores;
	o.nschedulers = nscheds;
	o.block = block;
	o.tol = 1e-12;
	ck_assert_int_eq(strads_job_run(rt, &mean_app, &d, &o, &res), 0);
	ck_assert(res.converged);
	ck_assert_ptr_nonnull(res.params);
	for (j = 0; j < p; j++) {
		double want = 0;

		for (i = 0; i < n; i++)
			want += x[i * p + j];
		want /= (double)n;
		ck_assert_double_eq_tol(res.params[j], want, 1e-12 * fmax(1, fabs(want)));
	}
	ck_assert_uint_gt(res.rounds, 0);
	free(res.params);
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads_runtime_free(rt);
	free(x);
}

START_TEST(means_one_of_each)
{
	run_means(1, 1, 1, 1, 8);
}
END_TEST

START_TEST(means_many_roles)
{
	/* Ranges of stores and schedulers that do not line up, blocks
	 * spanning several stores, shards of unequal size. */
	run_means(2, 3, 4, 3, 20);
}
END_TEST

START_TEST(worker_init_failure)
{
	const uint64_t n = 10;
	double x[10 * 4];
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_job_opts_t o;
	strads_job_result_t res;
	data_t d;
	int i;

	for (i = 0; i < 40; i++)
		x[i] = i;
	d.x = x;
	d.n = n;
	d.p = 4;
	d.fail_init = 1;
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	strads_job_opts_init(&o);
	o.nparams = 4;
	o.nrows = n;
	o.nworkers = 2;
	/* Returns (no hang) with an error and no parameters. */
	ck_assert_int_eq(strads_job_run(rt, &mean_app, &d, &o, &res), STRADS_EIO);
	ck_assert_ptr_null(res.params);
	o.nparams = 0;
	ck_assert_int_eq(strads_job_run(rt, &mean_app, &d, &o, &res), STRADS_EINVAL);
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads_runtime_free(rt);
}
END_TEST

static Suite *
schmp_suite(void)
{
	Suite *s = suite_create("schmp");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, means_one_of_each);
	tcase_add_test(tc, means_many_roles);
	tcase_add_test(tc, worker_init_failure);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(schmp_suite)
