/*
 * check_schmp.c -- the SchMP engine with small apps: the column-means
 * program of strads(3)'s example on several workers, stores and
 * schedulers and under every schedule; least squares with pair terms and
 * working sets against the normal equations; a worker whose init fails
 * ends the job with an error. Rotations and the other homes are in
 * check_homes.c.
 */
#include "strads-int.h"

#include <check.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapps.h"
#include "testutil.h"

/* got[j] is the mean of column j of the n x p row-major x, within 1e-12
 * relative. */
static void
assert_means(const double *got, const double *x, uint64_t n, uint32_t p)
{
	uint64_t i;
	uint32_t j;

	ck_assert_ptr_nonnull(got);
	for (j = 0; j < p; j++) {
		double want = 0;

		for (i = 0; i < n; i++)
			want += x[i * p + j];
		want /= (double)n;
		ck_assert_double_eq_tol(got[j], want, 1e-12 * fmax(1, fabs(want)));
	}
}

static strads_schedule_t schedule = STRADS_SCHEDULE_PRIORITY;

static void
run_means(int nloops, int nworkers, int nstores, int nscheds, uint32_t block)
{
	const uint64_t n = 301;
	const uint32_t p = 97;
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	double *x = malloc(n * p * sizeof(double));
	uint64_t i;
	uint32_t j;

	ck_assert_ptr_nonnull(x);
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++)
			x[i * p + j] = (double)((i * 31 + j * 17) % 101) / 7.0;
	d = testapp_means_of(x, n, p);
	rt = testapp_engine_up(nloops);
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = nworkers;
	o.nstores = nstores;
	o.nschedulers = nscheds;
	o.block = block;
	o.tol = 1e-12;
	o.schedule = schedule;
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), 0);
	ck_assert(res.converged);
	assert_means(res.params, x, n, p);
	ck_assert_uint_gt(res.rounds, 0);
	free(res.params);
	testapp_engine_down(rt);
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

/* Jobs side by side on one runtime (strads run --path-jobs): each on its
 * own data, started from its own thread, gets its own answer. */
typedef struct {
	strads_runtime_t *rt;
	testapp_means_t d;
	strads_job_result_t res;
	int rc;
} side_t;

static void
side_main(void *arg)
{
	side_t *sd = arg;
	strads_job_opts_t o;

	strads_job_opts_init(&o);
	o.nparams = sd->d.p;
	o.nrows = sd->d.n;
	o.nworkers = 2;
	o.tol = 1e-12;
	o.schedule = STRADS_SCHEDULE_PRIORITY;
	sd->rc = strads_job_run(sd->rt, &testapp_means, &sd->d, &o, &sd->res);
}

START_TEST(jobs_side_by_side)
{
	const uint64_t n = 211;
	const uint32_t p = 53;
	side_t sd[3];
	uv_thread_t tid[3];
	strads_runtime_t *rt = testapp_engine_up(2);
	uint64_t i;
	uint32_t j;
	int k;

	for (k = 0; k < 3; k++) {
		double *x = malloc(n * p * sizeof(double));

		ck_assert_ptr_nonnull(x);
		for (i = 0; i < n; i++)
			for (j = 0; j < p; j++)
				x[i * p + j] = (double)((i * 31 + j * 17 + (uint64_t)k * 7) % 101) *
				    (k + 1);
		memset(&sd[k], 0, sizeof(sd[k]));
		sd[k].rt = rt;
		sd[k].d.x = x;
		sd[k].d.n = n;
		sd[k].d.p = p;
	}
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(uv_thread_create(&tid[k], side_main, &sd[k]), 0);
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(uv_thread_join(&tid[k]), 0);
	for (k = 0; k < 3; k++) {
		ck_assert_int_eq(sd[k].rc, 0);
		ck_assert(sd[k].res.converged);
		assert_means(sd[k].res.params, sd[k].d.x, n, p);
		free(sd[k].res.params);
		free((void *)sd[k].d.x);
	}
	testapp_engine_down(rt);
}
END_TEST

/* Blocks balanced by work: parameter j costs 1 + j % 5, a block at most
 * 10 (or one parameter). */
static atomic_int work_over, work_blocks;

static double
mean_cost(void *shared, uint32_t j)
{
	(void)shared;
	return 1 + j % 5;
}

static void
mean_push_work(void *ws, const strads_block_t *b, double *part)
{
	double w = 0;
	uint32_t t;

	if (!b->check) {
		for (t = 0; t < b->n; t++)
			w += mean_cost(NULL, b->idx[t]);
		if (w > 10 && b->n > 1)
			atomic_fetch_add(&work_over, 1);
		atomic_fetch_add(&work_blocks, 1);
	}
	testapp_means.push(ws, b, part);
}

START_TEST(means_blocks_by_work)
{
	strads_app_t app = testapp_means;
	const uint64_t n = 50;
	const uint32_t p = 40;
	double x[50 * 40];
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	uint64_t i;

	app.cost = mean_cost;
	app.push = mean_push_work;
	for (i = 0; i < n * p; i++)
		x[i] = (double)(i % 17);
	d = testapp_means_of(x, n, p);
	atomic_init(&work_over, 0);
	atomic_init(&work_blocks, 0);
	rt = testapp_engine_up(2);
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = 2;
	o.block = 16; /* by count alone up to 16 x 3 on average */
	o.block_work = 10;
	o.tol = 1e-12;
	ck_assert_int_eq(strads_job_run(rt, &app, &d, &o, &res), 0);
	ck_assert(res.converged);
	ck_assert_int_gt(atomic_load(&work_blocks), 0);
	ck_assert_int_eq(atomic_load(&work_over), 0);
	assert_means(res.params, x, n, p);
	free(res.params);
	testapp_engine_down(rt);
}
END_TEST

/* The priority schedule weighs changes with app->priority when set: it
 * is called with each changed parameter and its change, and the answer
 * is the same. */
static atomic_int prio_calls, prio_bad;

static double
mean_priority(void *shared, uint32_t j, double delta)
{
	const testapp_means_t *d = shared;

	if (j >= d->p || !isfinite(delta))
		atomic_fetch_add(&prio_bad, 1);
	atomic_fetch_add(&prio_calls, 1);
	return fabs(delta); /* any non-negative weight */
}

START_TEST(means_app_priority)
{
	strads_app_t app = testapp_means;
	const uint64_t n = 60;
	const uint32_t p = 70;
	double x[60 * 70];
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	uint64_t i;

	app.priority = mean_priority;
	for (i = 0; i < n * p; i++)
		x[i] = (double)((i * 7) % 23);
	d = testapp_means_of(x, n, p);
	atomic_init(&prio_calls, 0);
	atomic_init(&prio_bad, 0);
	rt = testapp_engine_up(2);
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = 2;
	o.block = 8;
	o.tol = 1e-12;
	o.schedule = STRADS_SCHEDULE_PRIORITY;
	ck_assert_int_eq(strads_job_run(rt, &app, &d, &o, &res), 0);
	ck_assert(res.converged);
	ck_assert_int_gt(atomic_load(&prio_calls), 0);
	ck_assert_int_eq(atomic_load(&prio_bad), 0);
	assert_means(res.params, x, n, p);
	free(res.params);
	testapp_engine_down(rt);
}
END_TEST

START_TEST(means_other_schedules)
{
	strads_schedule_t mode[] = {STRADS_SCHEDULE_CYCLIC, STRADS_SCHEDULE_RANDOM};
	size_t i;

	for (i = 0; i < sizeof(mode) / sizeof(mode[0]); i++) {
		schedule = mode[i];
		run_means(2, 2, 2, 2, 16);
	}
	schedule = STRADS_SCHEDULE_PRIORITY;
}
END_TEST

/* ------------------------------------------------------------------ */
/* Least squares with pair terms and working sets: min 1/2 ||y - X b||^2
 * on a dense X. push gives x_j . r and x_j . x_k over the shard, pull
 * solves its block exactly with them, and the answer must match the
 * normal equations solved here directly. */

typedef struct {
	const double *x, *y;
	uint64_t n;
	uint32_t p;
} lsq_t;

typedef struct {
	const lsq_t *d;
	uint64_t a, b;
	double *r;
} lsq_shard_t;

static int
lsq_init(void *shared, const strads_shard_t *sh, void **ws)
{
	const lsq_t *d = shared;
	lsq_shard_t *s = malloc(sizeof(*s));
	uint64_t i;

	if (s == NULL || (s->r = malloc((sh->row_end - sh->row_begin + 1) * 8)) == NULL) {
		free(s);
		return -1;
	}
	s->d = d;
	s->a = sh->row_begin;
	s->b = sh->row_end;
	for (i = s->a; i < s->b; i++)
		s->r[i - s->a] = d->y[i];
	*ws = s;
	return 0;
}

static void
lsq_fini(void *ws)
{
	lsq_shard_t *s = ws;

	free(s->r);
	free(s);
}

static void
lsq_push(void *ws, const strads_block_t *b, double *part)
{
	lsq_shard_t *s = ws;
	const lsq_t *d = s->d;
	uint64_t i;
	uint32_t t, u;

	for (i = s->a; i < s->b; i++) {
		const double *row = d->x + i * d->p;

		for (t = 0; t < b->n; t++) {
			part[t] += row[b->idx[t]] * s->r[i - s->a];
			if (b->pairs)
				for (u = 0; u < b->n; u++)
					part[b->n + (size_t)t * b->n + u] +=
					    row[b->idx[t]] * row[b->idx[u]];
		}
	}
}

static void
lsq_apply(void *ws, const strads_block_t *b, const double *delta)
{
	lsq_shard_t *s = ws;
	uint64_t i;
	uint32_t t;

	for (i = s->a; i < s->b; i++)
		for (t = 0; t < b->n; t++)
			s->r[i - s->a] -= s->d->x[i * s->d->p + b->idx[t]] * delta[t];
}

static void
lsq_stats(void *ws, double *out)
{
	lsq_shard_t *s = ws;
	uint64_t i;

	out[0] = 0;
	for (i = s->a; i < s->b; i++)
		out[0] += s->r[i - s->a] * s->r[i - s->a];
}

static void
lsq_pull(void *shared, const strads_block_t *b, const double *part, double *val,
    double *delta)
{
	const double *G = part + b->n;
	double *g = malloc(b->n * sizeof(double));
	uint32_t t, u, sweep;

	(void)shared;
	ck_assert_uint_eq(b->pairs, 1);
	ck_assert_ptr_nonnull(g);
	memcpy(g, part, b->n * sizeof(double));
	memset(delta, 0, b->n * sizeof(double));
	for (sweep = 0; sweep < 500; sweep++) {
		for (t = 0; t < b->n; t++) {
			double d = g[t] / G[(size_t)t * b->n + t];

			val[t] += d;
			delta[t] += d;
			for (u = 0; u < b->n; u++)
				g[u] -= G[(size_t)u * b->n + t] * d;
		}
	}
	free(g);
}

static void
lsq_check(void *shared, strads_range_t r, const double *g, const double *val,
    double *out)
{
	uint32_t j;

	(void)shared;
	(void)val;
	out[0] = 0;
	for (j = 0; j < r.end - r.begin; j++)
		out[0] = fmax(out[0], fabs(g[j]));
}

static void
lsq_score(void *shared, strads_range_t r, const double *g, const double *val,
    const double *st, const double *ck, int nstores, double *out)
{
	uint32_t j;

	(void)shared;
	(void)val;
	(void)st;
	(void)ck;
	(void)nstores;
	for (j = 0; j < r.end - r.begin; j++)
		out[j] = fabs(g[j]) + 1e-300;
}

static void
lsq_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	int k;

	(void)shared;
	out->objective = st[0] / 2;
	out->criterion = 0;
	for (k = 0; k < nstores; k++)
		out->criterion = fmax(out->criterion, ck[k]);
}

static const strads_app_t lsq_app = {
    .name = "lsq",
    .width = 1,
    .nstats = 1,
    .ncheck = 1,
    .pairs = UINT32_MAX,
    .worker_init = lsq_init,
    .push = lsq_push,
    .apply = lsq_apply,
    .stats = lsq_stats,
    .worker_fini = lsq_fini,
    .pull = lsq_pull,
    .check = lsq_check,
    .score = lsq_score,
    .objective = lsq_objective,
};

/* Solves the p x p system A b = c in place (Gaussian elimination with
 * partial pivoting). */
static void
solve_dense(double *A, double *c, uint32_t p)
{
	uint32_t i, j, k;

	for (k = 0; k < p; k++) {
		uint32_t piv = k;

		for (i = k + 1; i < p; i++)
			if (fabs(A[i * p + k]) > fabs(A[piv * p + k]))
				piv = i;
		for (j = 0; j < p; j++) {
			double t = A[k * p + j];

			A[k * p + j] = A[piv * p + j];
			A[piv * p + j] = t;
		}
		{
			double t = c[k];

			c[k] = c[piv];
			c[piv] = t;
		}
		for (i = k + 1; i < p; i++) {
			double f = A[i * p + k] / A[k * p + k];

			for (j = k; j < p; j++)
				A[i * p + j] -= f * A[k * p + j];
			c[i] -= f * c[k];
		}
	}
	for (k = p; k-- > 0;) {
		for (j = k + 1; j < p; j++)
			c[k] -= A[k * p + j] * c[j];
		c[k] /= A[k * p + k];
	}
}

static void
run_lsq(int nworkers, int nstores, int nscheds, uint32_t block)
{
	const uint64_t n = 200;
	const uint32_t p = 24;
	double *x = malloc(n * p * sizeof(double)), *y = malloc(n * sizeof(double));
	double *A = calloc((size_t)p * p, sizeof(double)), *c = calloc(p, sizeof(double));
	uint64_t i, seed = 7;
	uint32_t j, k;
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	lsq_t d;

	ck_assert(x != NULL && y != NULL && A != NULL && c != NULL);
	/* Correlated columns (a shared factor): exact block solves matter. */
	for (i = 0; i < n; i++) {
		double f;

		seed = seed * 6364136223846793005ull + 1;
		f = (double)(seed >> 11) * 0x1.0p-53 - 0.5;
		for (j = 0; j < p; j++) {
			seed = seed * 6364136223846793005ull + 1;
			x[i * p + j] = (double)(seed >> 11) * 0x1.0p-53 - 0.5 + 0.8 * f;
		}
		seed = seed * 6364136223846793005ull + 1;
		y[i] = (double)(seed >> 11) * 0x1.0p-53 + f;
	}
	for (j = 0; j < p; j++) {
		for (k = 0; k < p; k++)
			for (i = 0; i < n; i++)
				A[j * p + k] += x[i * p + j] * x[i * p + k];
		for (i = 0; i < n; i++)
			c[j] += x[i * p + j] * y[i];
	}
	solve_dense(A, c, p);
	d.x = x;
	d.y = y;
	d.n = n;
	d.p = p;
	rt = testapp_engine_up(2);
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = nworkers;
	o.nstores = nstores;
	o.nschedulers = nscheds;
	o.schedule = STRADS_SCHEDULE_WORKSET;
	o.block = block;
	o.tol = 1e-10;
	o.max_rounds = 500;
	ck_assert_int_eq(strads_job_run(rt, &lsq_app, &d, &o, &res), 0);
	ck_assert(res.converged);
	for (j = 0; j < p; j++)
		ck_assert_double_eq_tol(res.params[j], c[j], 1e-8 * fmax(1, fabs(c[j])));
	free(res.params);
	/* Working sets need scores; a rotation takes no pair terms. */
	o.schedule = STRADS_SCHEDULE_WORKSET;
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), STRADS_EINVAL);
	o.schedule = STRADS_SCHEDULE_ROTATION;
	ck_assert_int_eq(strads_job_run(rt, &lsq_app, &d, &o, &res), STRADS_EINVAL);
	testapp_engine_down(rt);
	free(x);
	free(y);
	free(A);
	free(c);
}

START_TEST(workset_exact_blocks)
{
	/* One store: every block is solved exactly in one piece. A block
	 * smaller than p makes the working set matter. */
	run_lsq(2, 1, 1, 64);
	run_lsq(3, 1, 2, 10);
}
END_TEST

START_TEST(workset_several_stores)
{
	/* Each store solves only its own part of a block exactly, so a
	 * block never spans two stores; the set is swept again until it
	 * settles (block Gauss-Seidel over the stores' parts), and the
	 * correlated columns still reach the exact solution. */
	run_lsq(2, 3, 2, 64);
	run_lsq(3, 2, 1, 10);
}
END_TEST

START_TEST(worker_init_failure)
{
	const uint64_t n = 10;
	double x[10 * 4];
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	int i;

	for (i = 0; i < 40; i++)
		x[i] = i;
	d = testapp_means_of(x, n, 4);
	d.fail_init = 1;
	rt = testapp_engine_up(2);
	strads_job_opts_init(&o);
	o.nparams = 4;
	o.nrows = n;
	o.nworkers = 2;
	/* Returns (no hang) with an error and no parameters. */
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), STRADS_EIO);
	ck_assert_ptr_null(res.params);
	o.nparams = 0;
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), STRADS_EINVAL);
	testapp_engine_down(rt);
}
END_TEST

/* A role that cannot set itself up (out of memory; here the test hook
 * STRADS_TEST_FAIL_INIT) ends its job with an error instead of leaving
 * it waiting: each kind in turn, two of each role on two loops; the
 * runtime then runs the same job. */
static const char *const role_kinds[] = {
    "worker", "store", "scheduler", "coordinator"};

START_TEST(role_init_failure)
{
	const uint64_t n = 10;
	double x[10 * 4];
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	int i, rc;

	for (i = 0; i < 40; i++)
		x[i] = i % 5;
	d = testapp_means_of(x, n, 4);
	rt = testapp_engine_up(2);
	strads_job_opts_init(&o);
	o.nparams = 4;
	o.nrows = n;
	o.nworkers = 2;
	o.nstores = 2;
	o.nschedulers = 2;
	o.tol = 1e-12;
	ck_assert_int_eq(setenv("STRADS_TEST_FAIL_INIT", role_kinds[_i], 1), 0);
	rc = strads_job_run(rt, &testapp_means, &d, &o, &res);
	ck_assert_int_eq(unsetenv("STRADS_TEST_FAIL_INIT"), 0);
	ck_assert_msg(rc == STRADS_EIO || rc == STRADS_ENOMEM,
	    "%s: job returned %d", role_kinds[_i], rc);
	ck_assert_ptr_null(res.params);
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), 0);
	ck_assert(res.converged);
	assert_means(res.params, x, n, 4);
	free(res.params);
	testapp_engine_down(rt);
}
END_TEST

/* An engine message that cannot be made (out of memory; the test hook
 * STRADS_TEST_FAIL_ENG fails the Nth encoding of the job) ends the job
 * with an error instead of leaving a round open: for every N up to past
 * the job's last message, the job returns within a deadline, either
 * with STRADS_ENOMEM and no parameters or (N past its messages) with the
 * right answer. The job runs on a side thread so a hang fails the test
 * at the deadline instead of at Check's timeout. */
typedef struct {
	strads_runtime_t *rt;
	testapp_means_t *d;
	strads_job_opts_t o;
	strads_job_result_t res;
	int rc;
	atomic_int done;
} oom_job_t;

static void
oom_main(void *arg)
{
	oom_job_t *j = arg;

	j->rc = strads_job_run(j->rt, &testapp_means, j->d, &j->o, &j->res);
	atomic_store(&j->done, 1);
}

START_TEST(engine_message_oom)
{
	const uint64_t n = 40;
	const uint32_t p = 12;
	double x[40 * 12];
	strads_runtime_t *rt;
	testapp_means_t d;
	int i, failed = 0, passed = 0;
	char v[16];

	for (i = 0; i < (int)(n * p); i++)
		x[i] = (double)(i % 11) / 3.0;
	d = testapp_means_of(x, n, p);
	rt = testapp_engine_up(2);
	for (i = 1; passed < 3; i++) {
		oom_job_t j;
		uv_thread_t t;

		memset(&j, 0, sizeof(j));
		j.rt = rt;
		j.d = &d;
		strads_job_opts_init(&j.o);
		j.o.nparams = p;
		j.o.nrows = n;
		j.o.nworkers = 2;
		j.o.nstores = 2;
		j.o.nschedulers = 2;
		j.o.block = 4;
		j.o.tol = 1e-12;
		atomic_init(&j.done, 0);
		snprintf(v, sizeof(v), "%d", i);
		ck_assert_int_eq(setenv("STRADS_TEST_FAIL_ENG", v, 1), 0);
		ck_assert_int_eq(uv_thread_create(&t, oom_main, &j), 0);
		WAIT_UNTIL(atomic_load(&j.done) == 1, 20000);
		ck_assert_int_eq(uv_thread_join(&t), 0);
		if (j.rc == 0) {
			ck_assert(j.res.converged);
			assert_means(j.res.params, x, n, p);
			free(j.res.params);
			passed++;
		} else {
			ck_assert_msg(j.rc == STRADS_ENOMEM, "N = %d: job returned %s", i,
			    strads_errname(j.rc));
			ck_assert_ptr_null(j.res.params);
			failed++;
			passed = 0;
		}
	}
	ck_assert_int_eq(unsetenv("STRADS_TEST_FAIL_ENG"), 0);
	/* Every message of the job failed once: there were some. */
	ck_assert_int_gt(failed, 10);
	testapp_engine_down(rt);
}
END_TEST

/* A job whose roles cannot all be spawned (the loop's actor slots run
 * out part way) returns the error after stopping the roles it did
 * spawn; the runtime goes on and runs the next job. */
static atomic_int fillers_gone;

static void
filler_recv(strads_actor_t *self, const strads_msg_t *m)
{
	(void)m;
	strads_actor_stop(self);
}

static void
filler_stop(strads_actor_t *self)
{
	(void)self;
	atomic_fetch_add(&fillers_gone, 1);
}

static const strads_actor_type_t filler_type = {
    "filler", 0, NULL, filler_recv, filler_stop};

START_TEST(job_spawn_failure)
{
	const uint64_t n = 10;
	strads_addr_t *fill = malloc((STRADS_MAX_ACTORS_PER_LOOP + 1) *
	    sizeof(*fill));
	double x[10 * 4];
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	testapp_means_t d;
	int i, nfill = 0, rc = 0;

	ck_assert_ptr_nonnull(fill);
	for (i = 0; i < 40; i++)
		x[i] = i % 7;
	d = testapp_means_of(x, n, 4);
	atomic_store(&fillers_gone, 0);
	rt = testapp_engine_up(1);
	while (nfill <= STRADS_MAX_ACTORS_PER_LOOP &&
	    (rc = strads_spawn(rt, &filler_type, 0, NULL, &fill[nfill])) == 0)
		nfill++;
	ck_assert_int_eq(rc, STRADS_ELIMIT);
	/* Two slots free: the job gets a store and a scheduler, not its
	 * worker. */
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(strads_post(rt, fill[i],
		    strads_msg_new(STRADS_MSG_USER, 0)), 0);
	WAIT_UNTIL(atomic_load(&fillers_gone) == 2, 10000);
	strads_job_opts_init(&o);
	o.nparams = 4;
	o.nrows = n;
	o.nworkers = 1;
	o.nstores = 1;
	o.nschedulers = 1;
	o.tol = 1e-12;
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res),
	    STRADS_ELIMIT);
	ck_assert_ptr_null(res.params);
	/* Its two roles are gone again (a slot is freed just after the
	 * role's stop_cb): two slots free, no more. */
	WAIT_UNTIL(strads_spawn(rt, &filler_type, 0, NULL, &fill[0]) == 0, 10000);
	WAIT_UNTIL(strads_spawn(rt, &filler_type, 0, NULL, &fill[1]) == 0, 10000);
	ck_assert_int_eq(strads_spawn(rt, &filler_type, 0, NULL, &fill[nfill]),
	    STRADS_ELIMIT);
	for (i = 0; i < nfill; i++)
		ck_assert_int_eq(strads_post(rt, fill[i],
		    strads_msg_new(STRADS_MSG_USER, 0)), 0);
	WAIT_UNTIL(atomic_load(&fillers_gone) == nfill + 2, 30000);
	/* The runtime was not stopped: the same job runs now. */
	ck_assert_int_eq(strads_job_run(rt, &testapp_means, &d, &o, &res), 0);
	ck_assert(res.converged);
	assert_means(res.params, x, n, 4);
	free(res.params);
	testapp_engine_down(rt);
	free(fill);
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
	tcase_add_test(tc, jobs_side_by_side);
	tcase_add_test(tc, means_other_schedules);
	tcase_add_test(tc, means_blocks_by_work);
	tcase_add_test(tc, means_app_priority);
	tcase_add_test(tc, workset_exact_blocks);
	tcase_add_test(tc, workset_several_stores);
	tcase_add_test(tc, worker_init_failure);
	tcase_add_test(tc, job_spawn_failure);
	tcase_add_test(tc, engine_message_oom);
	tcase_add_loop_test(tc, role_init_failure, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(schmp_suite)
