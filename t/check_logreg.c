/*
 * check_logreg.c -- the logistic regression app (apps/logreg) solves what
 * it claims, without any reference solver: on small problems built here
 * (dense and sparse, with and without an intercept, C from just above the
 * zero model's bound to a large one) a job run through strads_job_run on
 * two workers ends with the optimality conditions met at the returned
 * parameters, computed here from X, y and the parameters alone:
 *
 *   g_j = -C sum_i x_ij y_i / (1 + exp(y_i z_i)),  z_i = w . x_i + b,
 *   g_j = -sign(w_j) where w_j != 0,  |g_j| <= 1 where w_j = 0,
 *   g_b = 0 (the intercept's column is all ones),
 *
 * each within eps = tol x C g0 (g0 = max_j |sum_i x_ij y_i| / 2, the
 * criterion's scale: doc/logreg.md) plus rounding. The reported objective
 * is the one recomputed here; a parameter moved off the solution breaks a
 * condition (the check can fail); labels other than +1/-1 or 0/1 are
 * refused, naming the row.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logreg.h"
#include "testutil.h"

typedef struct {
	uint32_t n, p, nnz_row; /* nnz_row 0: dense */
	uint64_t seed;
} shape_t;

static const shape_t dense = {300, 40, 0, 7};
static const shape_t sparse = {200, 500, 10, 19}; /* p > n */
static const shape_t wide = {500, 2000, 20, 5};    /* p >> n: separable */

/* C as multiples of the smallest C with a non-zero weight. */
static const double mults[] = {1.2, 5, 100};
#define NMULTS (sizeof(mults) / sizeof(mults[0]))

static double
unif(uint64_t *s)
{
	return ((double)(test_rand(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(uint64_t *s)
{
	return sqrt(-2 * log(unif(s))) * cos(6.283185307179586 * unif(s));
}

/* X with columns of different scales and means, labels drawn from a
 * logistic model with 6 planted weights and an offset of 0.7 (so the
 * intercept matters), as 0/1 when zero_one. */
static void
make_problem(const shape_t *sh, int zero_one, data_matrix_t *X)
{
	uint64_t s = sh->seed, k = 0;
	uint32_t i, j, t, per = sh->nnz_row > 0 ? sh->nnz_row : sh->p;
	double *w = calloc(sh->p, sizeof(double));
	double *scale = malloc(sh->p * sizeof(double));
	uint8_t *taken = calloc(sh->p, 1);

	ck_assert(w != NULL && scale != NULL && taken != NULL);
	memset(X, 0, sizeof(*X));
	X->n = sh->n;
	X->p = sh->p;
	X->nnz = (uint64_t)sh->n * per;
	X->rowptr = malloc(((size_t)sh->n + 1) * sizeof(uint64_t));
	X->col = malloc(X->nnz * sizeof(uint32_t));
	X->val = malloc(X->nnz * sizeof(double));
	X->y = malloc(sh->n * sizeof(double));
	ck_assert(X->rowptr != NULL && X->col != NULL && X->val != NULL && X->y != NULL);
	for (j = 0; j < sh->p; j++)
		scale[j] = 0.5 + 1.5 * unif(&s);
	for (t = 0; t < 6; t++)
		w[(t * 7919u) % sh->p] = (unif(&s) < 0.5 ? -1 : 1) * (0.5 + unif(&s));
	for (i = 0; i < sh->n; i++) {
		double f = 0.7;

		X->rowptr[i] = k;
		for (t = 0; t < per && sh->nnz_row > 0;) {
			j = (uint32_t)(test_rand(&s) % sh->p);
			if (!taken[j]) {
				taken[j] = 1;
				t++;
			}
		}
		for (j = 0; j < sh->p; j++) {
			if (sh->nnz_row > 0 && !taken[j])
				continue;
			taken[j] = 0;
			X->col[k] = j;
			X->val[k] = scale[j] * (gauss(&s) + 0.3);
			f += X->val[k] * w[j];
			k++;
		}
		X->y[i] = unif(&s) < 1 / (1 + exp(-f)) ? 1 : zero_one ? 0 : -1;
	}
	X->rowptr[sh->n] = k;
	ck_assert_uint_eq(k, X->nnz);
	free(w);
	free(scale);
	free(taken);
}

/* The conditions at beta (p weights, then b), from X and y alone. */
typedef struct {
	double F;      /* the objective */
	double eps;    /* the tolerance the conditions are checked to */
	uint32_t bad;  /* conditions broken by more than eps */
	uint32_t nnz;
	double worst;  /* the largest violation, over C g0 */
} kkt_t;

static void
kkt_check(const data_matrix_t *X, int intercept, double C, const double *beta,
    double tol, kkt_t *k)
{
	double *u = malloc(X->n * sizeof(double)), *g = calloc(X->p + 1, sizeof(double));
	double *ys = calloc(X->p + 1, sizeof(double)), g0 = 0, loss = 0, l1 = 0;
	uint32_t i, j;
	uint64_t e;

	ck_assert(u != NULL && g != NULL && ys != NULL);
	memset(k, 0, sizeof(*k));
	for (i = 0; i < X->n; i++) {
		double y = X->y[i] > 0 ? 1 : -1, z = intercept ? beta[X->p] : 0, t;

		for (e = X->rowptr[i]; e < X->rowptr[i + 1]; e++) {
			z += X->val[e] * beta[X->col[e]];
			ys[X->col[e]] += X->val[e] * y;
		}
		ys[X->p] += y;
		t = y * z;
		loss += t > 0 ? log1p(exp(-t)) : -t + log1p(exp(t));
		u[i] = -C * y / (1 + exp(t));
		for (e = X->rowptr[i]; e < X->rowptr[i + 1]; e++)
			g[X->col[e]] += X->val[e] * u[i];
		g[X->p] += u[i];
	}
	for (j = 0; j < X->p + (uint32_t)intercept; j++)
		g0 = fmax(g0, fabs(ys[j]) / 2);
	k->eps = tol * C * g0 + 1e-9 * C * g0;
	for (j = 0; j <= X->p; j++) {
		double v;

		if (j == X->p) {
			if (!intercept)
				break;
			v = fabs(g[j]);
		} else if (beta[j] != 0) {
			v = fabs(g[j] + (beta[j] > 0 ? 1 : -1));
			l1 += fabs(beta[j]);
			k->nnz++;
		} else {
			v = fmax(0, fabs(g[j]) - 1);
		}
		k->bad += v > k->eps;
		k->worst = fmax(k->worst, v / (C * g0));
	}
	k->F = C * loss + l1;
	free(u);
	free(g);
	free(ys);
}

static strads_runtime_t *
runtime_up(void)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	return rt;
}

static void
runtime_down(strads_runtime_t *rt)
{
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
}

/* Solves at C to tol as `strads run` sets a job up, over two workers. */
static void
solve(strads_runtime_t *rt, logreg_t *m, double C, double tol, const double *warm,
    strads_job_result_t *res)
{
	strads_job_opts_t o;

	m->C = C;
	m->obj_scale = 1;
	m->tol = tol;
	m->beta0 = warm;
	strads_job_opts_init(&o);
	o.nparams = m->np;
	o.nrows = m->n;
	o.nworkers = 2;
	o.schedule = STRADS_SCHEDULE_WORKSET;
	o.tol = tol;
	o.init = warm;
	o.time_limit_s = 100; /* a bound, so a regression fails, not hangs */
	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(strads_job_run(rt, &logreg_ws_app, m, &o, res), 0);
	ck_assert_ptr_nonnull(res->params);
}

static void
check_shape(const shape_t *sh, int intercept, int zero_one)
{
	const double tol = 1e-8;
	strads_runtime_t *rt = runtime_up();
	data_matrix_t X;
	logreg_t m;
	char err[256], what[160];
	uint32_t bad_row, nnz_first = 0, nnz_last = 0;
	size_t c;

	make_problem(sh, zero_one, &X);
	ck_assert_msg(logreg_setup(&m, &X, intercept, &bad_row, err, sizeof(err)) == 0,
	    "%s", err);
	for (c = 0; c < NMULTS; c++) {
		double C = mults[c] / (m.n * logreg_lambda_max(&m));
		strads_job_result_t res;
		kkt_t k;

		snprintf(what, sizeof(what), "%ux%u %s, %s, C %.4g (%.1f x the bound)",
		    sh->n, sh->p, sh->nnz_row ? "sparse" : "dense",
		    intercept ? "intercept" : "no intercept", C, mults[c]);
		solve(rt, &m, C, tol, NULL, &res);
		ck_assert_msg(res.converged && res.progress.criterion <= tol,
		    "%s: the job reports kkt %.3e, converged %d", what,
		    res.progress.criterion, res.converged);
		kkt_check(&X, intercept, C, res.params, tol, &k);
		ck_assert_msg(k.bad == 0, "%s: %u conditions broken by more than eps "
		    "%.3e (worst %.3e of C g0)", what, k.bad, k.eps, k.worst);
		ck_assert_msg(fabs(k.F - res.progress.objective) <= 1e-9 * k.F,
		    "%s: objective %.15g here, %.15g reported", what, k.F,
		    res.progress.objective);
		/* The app's own recomputation agrees with this one. */
		ck_assert(fabs(logreg_objective(&m, res.params) - k.F) <= 1e-12 * k.F);
		ck_assert(logreg_kkt(&m, res.params) <= tol * (1 + 1e-6));
		if (c == 0)
			nnz_first = k.nnz;
		nnz_last = k.nnz;
		free(res.params);
	}
	/* Near the bound few weights enter, at a large C many: both sides
	 * of the conditions are tested. */
	ck_assert_msg(nnz_first >= 1 && nnz_first <= 8 && nnz_last >= 10,
	    "non-zeros %u near the bound, %u at a large C", nnz_first, nnz_last);
	logreg_free(&m);
	data_matrix_free(&X);
	runtime_down(rt);
}

START_TEST(dense_intercept) { check_shape(&dense, 1, 0); }
END_TEST

START_TEST(dense_no_intercept) { check_shape(&dense, 0, 1); }
END_TEST

START_TEST(sparse_intercept) { check_shape(&sparse, 1, 1); }
END_TEST

START_TEST(sparse_no_intercept) { check_shape(&sparse, 0, 0); }
END_TEST

/* Below the bound the model is zero (with the intercept, only b moves),
 * and a job warm-started at a solution stops at its first check. */
START_TEST(zero_model_and_warm_start)
{
	strads_runtime_t *rt = runtime_up();
	strads_job_result_t res, again;
	data_matrix_t X;
	logreg_t m;
	kkt_t k;
	char err[256];
	uint32_t bad_row, j;
	double bound;

	make_problem(&sparse, 0, &X);
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) == 0);
	bound = 1 / (m.n * logreg_lambda_max(&m));
	solve(rt, &m, 0.95 * bound, 1e-9, NULL, &res);
	for (j = 0; j < m.p; j++)
		ck_assert_msg(res.params[j] == 0, "w_%u = %g below the bound", j, res.params[j]);
	ck_assert(res.params[m.p] != 0);
	free(res.params);
	solve(rt, &m, 3 * bound, 1e-9, NULL, &res);
	solve(rt, &m, 3 * bound, 1e-9, res.params, &again);
	ck_assert_msg(again.rounds == 0, "warm start at a solution: %llu rounds",
	    (unsigned long long)again.rounds);
	kkt_check(&X, 1, 3 * bound, again.params, 1e-9, &k);
	ck_assert_uint_eq(k.bad, 0);
	free(res.params);
	free(again.params);
	logreg_free(&m);
	data_matrix_free(&X);
	runtime_down(rt);
}
END_TEST

/*
 * Nearly separable data at a large C: rows fitted far out give columns
 * with p (1 - p) ~ 0 on every row, where the quadratic model has no
 * curvature. Without a bound on a coordinate's step the model's
 * minimiser went to 1e11 and the line search along the block's
 * direction failed every round: the job stalled (this shape at C 1000
 * stalled at kkt 0.5 with no change a round before the bound; max_rounds
 * makes a stall a failure, not a hang).
 */
START_TEST(flat_curvature)
{
	strads_runtime_t *rt = runtime_up();
	strads_job_result_t res;
	data_matrix_t X;
	logreg_t m;
	strads_job_opts_t o;
	kkt_t k;
	char err[256];
	uint32_t bad_row;
	const double tol = 1e-6;
	const double C = 1000;

	make_problem(&wide, 0, &X);
	ck_assert(logreg_setup(&m, &X, 0, &bad_row, err, sizeof(err)) == 0);
	m.C = C;
	m.obj_scale = 1;
	m.tol = tol;
	strads_job_opts_init(&o);
	o.nparams = m.np;
	o.nrows = m.n;
	o.nworkers = 2;
	o.schedule = STRADS_SCHEDULE_WORKSET;
	o.tol = tol;
	o.block = 0; /* the whole working set, as strads run sets it */
	o.max_rounds = 300; /* it takes 15; stalled, it ran to the limit */
	o.time_limit_s = 30;
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(strads_job_run(rt, &logreg_ws_app, &m, &o, &res), 0);
	ck_assert_msg(res.converged && res.progress.criterion <= tol,
	    "C %g: kkt %.3e after %llu rounds, converged %d", C, res.progress.criterion,
	    (unsigned long long)res.rounds, res.converged);
	kkt_check(&X, 0, C, res.params, tol, &k);
	ck_assert_msg(k.bad == 0, "%u conditions broken (worst %.3e)", k.bad, k.worst);
	free(res.params);
	logreg_free(&m);
	data_matrix_free(&X);
	runtime_down(rt);
}
END_TEST

/* The check can fail: the largest weight moved by 1% breaks its
 * condition, and so does the intercept moved by 0.01. */
START_TEST(perturbed_fails)
{
	strads_runtime_t *rt = runtime_up();
	strads_job_result_t res;
	data_matrix_t X;
	logreg_t m;
	kkt_t k;
	char err[256];
	uint32_t bad_row, j, big = 0;
	double C, keep;

	make_problem(&dense, 0, &X);
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) == 0);
	C = 5 / (m.n * logreg_lambda_max(&m));
	solve(rt, &m, C, 1e-8, NULL, &res);
	kkt_check(&X, 1, C, res.params, 1e-8, &k);
	ck_assert_uint_eq(k.bad, 0);
	for (j = 1; j < m.p; j++)
		if (fabs(res.params[j]) > fabs(res.params[big]))
			big = j;
	ck_assert(res.params[big] != 0);
	keep = res.params[big];
	res.params[big] *= 1.01;
	kkt_check(&X, 1, C, res.params, 1e-8, &k);
	ck_assert_msg(k.bad >= 1, "a weight moved by 1%% passed");
	res.params[big] = keep;
	res.params[m.p] += 0.01;
	kkt_check(&X, 1, C, res.params, 1e-8, &k);
	ck_assert_msg(k.bad >= 1, "an intercept moved by 0.01 passed");
	free(res.params);
	logreg_free(&m);
	data_matrix_free(&X);
	runtime_down(rt);
}
END_TEST

/* Labels: +1/-1 and 0/1 are read alike; 2, or 0 after -1, is refused
 * naming its row; one class alone is refused. */
START_TEST(labels)
{
	data_matrix_t X;
	logreg_t m;
	char err[256];
	uint32_t bad_row;

	make_problem(&dense, 1, &X);
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) == 0);
	ck_assert(m.y[0] == 1 || m.y[0] == -1);
	logreg_free(&m);
	X.y[5] = 2;
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) != 0);
	ck_assert_uint_eq(bad_row, 5);
	ck_assert_msg(strstr(err, "got 2") != NULL, "%s", err);
	X.y[5] = 0;
	X.y[9] = -1; /* 0/1 labels before it */
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) != 0);
	ck_assert_uint_le(bad_row, 9);
	for (uint32_t i = 0; i < X.n; i++)
		X.y[i] = 1;
	ck_assert(logreg_setup(&m, &X, 1, &bad_row, err, sizeof(err)) != 0);
	ck_assert_uint_eq(bad_row, UINT32_MAX);
	data_matrix_free(&X);
}
END_TEST

/* Set by the LIBSVM loader's parse by runs (apps/common). */
extern int data__libsvm_last_runs;

/* Loads path with the parse by runs off (runs 0) or forced into runs. */
static int
load_runs(const char *path, int runs, data_matrix_t *X, char *err, size_t errlen)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", runs);
	setenv("STRADS_TEST_LIBSVM_RUN_BYTES", runs > 0 ? "1" : "99999999999", 1);
	setenv("STRADS_TEST_LIBSVM_RUNS", v, 1);
	data__libsvm_last_runs = 0;
	return data_load_libsvm(path, NULL, X, err, errlen);
}

/*
 * The LIBSVM loader's parse by runs (a file of 8 MiB a core or more is
 * cut into runs of whole lines, one a thread) gives the one-thread
 * parse's matrix bit for bit, on a file with comments, blank and CRLF
 * lines, a line longer than a run and no newline at its end, for 2 to
 * 16 runs; a bad entry in a late run is named at its line in the file.
 */
START_TEST(libsvm_runs)
{
	char path[] = "/tmp/check_logreg_runsXXXXXX", err[512], err1[512];
	data_matrix_t A, B;
	FILE *f;
	int fd = mkstemp(path), runs, i, j;
	uint64_t seed = 7;

	ck_assert(fd >= 0);
	f = fdopen(fd, "w");
	ck_assert(f != NULL);
	for (i = 0; i < 3000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i % 97 == 5)
			fprintf(f, "# a comment\n");
		if (i % 89 == 3)
			fprintf(f, "\n");
		fprintf(f, "%d", (int)(seed >> 62) % 2 ? 1 : -1);
		for (j = 0; j < (int)((seed >> 33) % 12) + (i == 1500 ? 4000 : 0); j++)
			fprintf(f, " %d:%.17g", 1 + j * 7 + (int)((seed >> 20) % 7),
			    (double)((seed >> (j % 40)) % 1000) / 7.0);
		fprintf(f, i % 50 == 7 ? "\r\n" : i == 2999 ? "" : "\n");
	}
	ck_assert(fclose(f) == 0);
	ck_assert_msg(load_runs(path, 0, &A, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(data__libsvm_last_runs, 0);
	ck_assert_uint_eq(A.n, 3000);
	ck_assert_uint_ne(A.unterminated, 0);
	for (runs = 2; runs <= 16; runs += runs < 5 ? 1 : 11) {
		ck_assert_msg(load_runs(path, runs, &B, err, sizeof(err)) == 0, "%s", err);
		ck_assert_int_ge(data__libsvm_last_runs, 2);
		ck_assert_uint_eq(B.n, A.n);
		ck_assert_uint_eq(B.p, A.p);
		ck_assert_uint_eq(B.nnz, A.nnz);
		ck_assert_uint_eq(B.unterminated, A.unterminated);
		ck_assert(memcmp(B.rowptr, A.rowptr, (A.n + 1) * sizeof(uint64_t)) == 0);
		ck_assert(memcmp(B.col, A.col, A.nnz * sizeof(uint32_t)) == 0);
		ck_assert(memcmp(B.val, A.val, A.nnz * sizeof(double)) == 0);
		ck_assert(memcmp(B.y, A.y, A.n * sizeof(double)) == 0);
		data_matrix_free(&B);
	}
	data_matrix_free(&A);
	/* A bad value near the end: the same message, naming its line. */
	f = fopen(path, "a");
	ck_assert(f != NULL);
	fprintf(f, "\n1 3:0.5\n-1 2:x\n");
	ck_assert(fclose(f) == 0);
	ck_assert(load_runs(path, 0, &A, err1, sizeof(err1)) != 0);
	ck_assert(load_runs(path, 3, &B, err, sizeof(err)) != 0);
	ck_assert_str_eq(err, err1);
	/* 3000 rows, 31 comments, 34 blank lines, then the two added. */
	ck_assert_msg(strstr(err, ":3067:") != NULL, "%s", err);
	unsetenv("STRADS_TEST_LIBSVM_RUN_BYTES");
	unsetenv("STRADS_TEST_LIBSVM_RUNS");
	unlink(path);
}
END_TEST

static Suite *
logreg_suite(void)
{
	Suite *s = suite_create("logreg");
	TCase *tc = tcase_create("kkt");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, dense_intercept);
	tcase_add_test(tc, dense_no_intercept);
	tcase_add_test(tc, sparse_intercept);
	tcase_add_test(tc, sparse_no_intercept);
	tcase_add_test(tc, zero_model_and_warm_start);
	tcase_add_test(tc, perturbed_fails);
	tcase_add_test(tc, flat_curvature);
	tcase_add_test(tc, labels);
	tcase_add_test(tc, libsvm_runs);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(logreg_suite)
