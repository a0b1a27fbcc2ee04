/*
 * check_lasso.c -- the Lasso app (apps/lasso) solves what it claims, without
 * R: on small problems built here (dense and sparse, with and without an
 * intercept, penalties from near lambda_max down to a small one) a job run
 * through strads_job_run in this process ends at a relative duality gap of
 * at most the tol asked for, and the KKT conditions hold at the returned
 * coefficients. Both are computed here from X, y and the coefficients on
 * the original scale, never from the app's own sums.
 *
 * The problem: minimise F(b, b0) = (1/2n) ||r||^2 + lambda ||b||_1 with
 * r = y - X b - b0 (b0 = 0 without an intercept). With g_j = x_j . r / n,
 * the KKT conditions are g_j = lambda sign(b_j) where b_j != 0,
 * |g_j| <= lambda where b_j = 0, and mean(r) = 0 with an intercept.
 *
 * The eps they are checked to. The smooth part of F has a gradient whose
 * Lipschitz constant is at most L, the trace of its Hessian (sum_j
 * ||x_j||^2 / n, plus 1 for the intercept). The proximal gradient step of
 * length 1/L decreases F by at least ||G||^2 / (2L), where G is the
 * gradient mapping, so ||G||^2 <= 2L (F - F*) <= 2L (P - D) <= 2L tol P
 * once the relative duality gap (P - D) / P is at most tol. Coordinate by
 * coordinate: where b_j = 0, |G_j| = max(|g_j| - lambda, 0); where
 * b_j != 0, |G_j| = |g_j - lambda sign(b_j)| unless the step takes b_j to
 * zero or past it, and then L |b_j| <= |G_j| and |g_j| <= lambda + |G_j|;
 * for the intercept, |G_0| = |mean(r)|. So with eps = sqrt(2 L tol P)
 * every condition holds within eps, but for a coefficient with
 * |b_j| <= eps / L, which may instead meet the condition of a zero,
 * |g_j| <= lambda + eps. Such tiny coefficients are counted, and dust
 * among them (0 < |b_j| <= 1e-12 max |b|): the working sets can leave a
 * coefficient of 1e-17 where one went to zero, when the worker's copy
 * and the store's value differ in the last bit (a known defect; the
 * conditions hold either way).
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lasso.h"
#include "testutil.h"

/* A problem to build: n x p, dense or nnz_row non-zeros a row. */
typedef struct {
	uint32_t n, p, nnz_row; /* nnz_row 0: dense */
	uint64_t seed;
} shape_t;

static const shape_t dense = {200, 60, 0, 11};
static const shape_t sparse = {150, 400, 12, 23}; /* p > n */

/* Penalties as fractions of lambda_max: near it, middling, small. */
static const double ratios[] = {0.99, 0.3, 0.01};
#define NRATIOS (sizeof(ratios) / sizeof(ratios[0]))

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

/*
 * X with columns of non-zero mean and of different scales (so the
 * intercept and the curvatures matter), y = X beta + 3 + N(0, 1) noise
 * with 8 planted coefficients, noisy enough that a small penalty keeps
 * many more. Sparse rows hold nnz_row distinct columns.
 */
static void
make_problem(const shape_t *sh, data_matrix_t *X)
{
	uint64_t s = sh->seed, k = 0;
	uint32_t i, j, t, per = sh->nnz_row > 0 ? sh->nnz_row : sh->p;
	double *beta = calloc(sh->p, sizeof(double));
	double *scale = malloc(sh->p * sizeof(double));
	uint8_t *taken = calloc(sh->p, 1);

	ck_assert(beta != NULL && scale != NULL && taken != NULL);
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
		scale[j] = 0.5 + 2.5 * unif(&s);
	for (t = 0; t < 8; t++)
		beta[(t * 7919u) % sh->p] = (unif(&s) < 0.5 ? -1 : 1) * (0.5 + unif(&s));
	for (i = 0; i < sh->n; i++) {
		double f = 3;

		X->rowptr[i] = k;
		if (sh->nnz_row == 0) {
			for (j = 0; j < sh->p; j++)
				taken[j] = 1;
		} else {
			for (t = 0; t < per;) {
				j = (uint32_t)(test_rand(&s) % sh->p);
				if (!taken[j]) {
					taken[j] = 1;
					t++;
				}
			}
		}
		for (j = 0; j < sh->p; j++) {
			if (!taken[j])
				continue;
			taken[j] = 0;
			X->col[k] = j;
			X->val[k] = scale[j] * (gauss(&s) + 0.5);
			f += X->val[k] * beta[j];
			k++;
		}
		X->y[i] = f + gauss(&s);
	}
	X->rowptr[sh->n] = k;
	ck_assert_uint_eq(k, X->nnz);
	free(beta);
	free(scale);
	free(taken);
}

/* What the conditions give at (b, b0), computed from X and y alone. */
typedef struct {
	double P, D, gap; /* primal, dual, (P - D) / P */
	double L;         /* trace of the Hessian: at least the Lipschitz
	                     constant of the smooth part's gradient */
	double eps;       /* sqrt(2 L tol P) */
	double mean_r;
	uint32_t bad;     /* conditions broken by more than eps */
	uint32_t tiny;    /* |b_j| <= eps / L held to the zero condition */
	uint32_t dust;    /* 0 < |b_j| <= 1e-12 max |b| */
	uint32_t nnz;
} kkt_t;

static void
kkt_check(const data_matrix_t *X, int intercept, double lambda, const double *b,
    double b0, double tol, kkt_t *out)
{
	uint32_t n = X->n, p = X->p, i, j;
	double *r = malloc(n * sizeof(double)), *g = calloc(p, sizeof(double));
	double *sq = calloc(p, sizeof(double)), *csum = calloc(p, sizeof(double));
	double rr = 0, l1 = 0, c = 0, gmax = 0, sc, nuy = 0, nunu = 0, bmax;
	uint64_t k;

	ck_assert(r != NULL && g != NULL && sq != NULL && csum != NULL);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		double f = b0;

		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++)
			f += X->val[k] * b[X->col[k]];
		r[i] = X->y[i] - f;
		rr += r[i] * r[i];
		out->mean_r += r[i] / n;
	}
	for (i = 0; i < n; i++)
		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++) {
			j = X->col[k];
			g[j] += X->val[k] * r[i];
			sq[j] += X->val[k] * X->val[k];
			csum[j] += X->val[k];
		}
	for (j = 0; j < p; j++) {
		g[j] /= n;
		l1 += fabs(b[j]);
		out->L += sq[j] / n;
		out->nnz += b[j] != 0;
	}
	if (intercept)
		out->L += 1;
	out->P = rr / (2.0 * n) + lambda * l1;
	/* The dual point nu = sc (r - c): with an intercept it must sum to
	 * zero, and |x_j . nu| <= n lambda; then
	 * D = (nu . y) / n - ||nu||^2 / (2n). */
	if (intercept)
		c = out->mean_r;
	for (j = 0; j < p; j++)
		gmax = fmax(gmax, fabs(n * g[j] - c * csum[j]));
	sc = gmax > n * lambda ? n * lambda / gmax : 1;
	for (i = 0; i < n; i++) {
		double nu = sc * (r[i] - c);

		nuy += nu * X->y[i];
		nunu += nu * nu;
	}
	out->D = nuy / n - nunu / (2.0 * n);
	out->gap = (out->P - out->D) / out->P;
	out->eps = sqrt(2 * out->L * tol * out->P);
	for (j = 0, bmax = 0; j < p; j++)
		bmax = fmax(bmax, fabs(b[j]));
	for (j = 0; j < p; j++)
		out->dust += b[j] != 0 && fabs(b[j]) <= 1e-12 * bmax;
	for (j = 0; j < p; j++) {
		double zero = fabs(g[j]) - lambda;
		double equal = fabs(g[j] - lambda * (b[j] > 0 ? 1 : -1));

		if (b[j] == 0) {
			out->bad += zero > out->eps;
		} else if (fabs(b[j]) <= out->eps / out->L && equal > out->eps) {
			out->tiny++;
			out->bad += zero > out->eps;
		} else {
			out->bad += equal > out->eps;
		}
	}
	if (intercept)
		out->bad += fabs(out->mean_r) > out->eps;
	free(r);
	free(g);
	free(sq);
	free(csum);
}

/* A job's coefficients on the original scale. */
typedef struct {
	double lambda, b0, *b; /* b: p, owned */
	strads_job_result_t res;
} fit_t;

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

/* Solves at ratio x lambda_max to tol, as `strads run` sets a job up
 * (apps/lasso/lasso-app.c), over two workers so partials are summed. */
static void
solve_warm(strads_runtime_t *rt, lasso_t *l, double ratio, strads_schedule_t schedule,
    double tol, const double *warm, fit_t *f)
{
	strads_job_opts_t o;

	l->lambda = ratio * lasso_lambda_max(l);
	l->tol = tol;
	l->beta0 = warm;
	strads_job_opts_init(&o);
	o.nparams = l->p;
	o.nrows = l->n;
	o.nworkers = 2;
	o.schedule = schedule;
	o.tol = tol;
	o.eta = 1e-4;
	o.time_limit_s = 100; /* a bound, so a regression fails, not hangs */
	o.init = warm;
	memset(f, 0, sizeof(*f));
	f->lambda = l->lambda;
	ck_assert_int_eq(strads_job_run(rt,
	    schedule == STRADS_SCHEDULE_WORKSET ? &lasso_ws_app : &lasso_app, l, &o,
	    &f->res), 0);
	ck_assert_ptr_nonnull(f->res.params);
	f->b = malloc(l->p * sizeof(double));
	ck_assert_ptr_nonnull(f->b);
	f->b0 = lasso_unscale(l, f->res.params, f->b);
}

static void
solve(strads_runtime_t *rt, lasso_t *l, double ratio, strads_schedule_t schedule,
    double tol, fit_t *f)
{
	solve_warm(rt, l, ratio, schedule, tol, NULL, f);
}

static void
fit_free(fit_t *f)
{
	free(f->b);
	free(f->res.params);
}

/* The gap and KKT conditions of f, asserted. */
static void
assert_optimal(const data_matrix_t *X, int intercept, const fit_t *f, double tol,
    const char *what)
{
	kkt_t k;

	if (!intercept)
		ck_assert_msg(f->b0 == 0, "%s: b0 %g without an intercept", what, f->b0);
	kkt_check(X, intercept, f->lambda, f->b, f->b0, tol, &k);
	ck_assert_msg(f->res.converged && f->res.progress.criterion <= tol,
	    "%s: the job reports gap %.3e (tol %.0e), converged %d", what,
	    f->res.progress.criterion, tol, f->res.converged);
	/* The gap of the coefficients returned, computed here: the same
	 * dual point as the app's, so equal but for rounding (1e-12). */
	ck_assert_msg(k.gap <= tol + 1e-12, "%s: relative duality gap %.3e > tol %.0e",
	    what, k.gap, tol);
	ck_assert_msg(fabs(k.P - f->res.progress.objective) <= 1e-9 * k.P,
	    "%s: objective %.15g here, %.15g reported", what, k.P,
	    f->res.progress.objective);
	ck_assert_msg(k.bad == 0,
	    "%s: %u KKT conditions broken by more than eps %.3e (lambda %.4g, "
	    "%u non-zeros, mean(r) %.3e; %u tiny coefficients, %u of them dust)",
	    what, k.bad, k.eps, f->lambda, k.nnz, k.mean_r, k.tiny, k.dust);
	/* Near lambda_max few coefficients are non-zero, at a small penalty
	 * many: the cases cover both sides of the conditions. */
	ck_assert_msg(k.eps < 0.05 * f->lambda, "%s: eps %.3e is too loose for "
	    "lambda %.4g to test anything", what, k.eps, f->lambda);
}

static void
check_shape(const shape_t *sh, int intercept, strads_schedule_t schedule, double tol)
{
	strads_runtime_t *rt = runtime_up();
	data_matrix_t X;
	lasso_t l;
	char err[256], what[128];
	size_t c;
	uint32_t nnz_first = 0, nnz_last = 0, j;

	make_problem(sh, &X);
	ck_assert_msg(lasso_setup(&l, &X, intercept, 0, err, sizeof(err)) == 0, "%s", err);
	for (c = 0; c < NRATIOS; c++) {
		fit_t f;

		snprintf(what, sizeof(what), "%ux%u %s, %s, lambda %.2f x lambda_max",
		    sh->n, sh->p, sh->nnz_row ? "sparse" : "dense",
		    intercept ? "intercept" : "no intercept", ratios[c]);
		solve(rt, &l, ratios[c], schedule, tol, &f);
		assert_optimal(&X, intercept, &f, tol, what);
		for (j = 0; j < sh->p; j++) {
			nnz_first += c == 0 && f.b[j] != 0;
			nnz_last += c == NRATIOS - 1 && f.b[j] != 0;
		}
		fit_free(&f);
	}
	ck_assert_msg(nnz_first >= 1 && nnz_first <= 5 && nnz_last > 15,
	    "non-zeros %u near lambda_max, %u at the small penalty", nnz_first,
	    nnz_last);
	lasso_free(&l);
	data_matrix_free(&X);
	runtime_down(rt);
}

/* Working sets (lasso_ws_app, strads run's default) to a tight tol, so
 * that eps stays far below the small penalty. */
START_TEST(dense_intercept)
{
	check_shape(&dense, 1, STRADS_SCHEDULE_WORKSET, 1e-9);
}
END_TEST

START_TEST(dense_no_intercept)
{
	check_shape(&dense, 0, STRADS_SCHEDULE_WORKSET, 1e-9);
}
END_TEST

START_TEST(sparse_intercept)
{
	check_shape(&sparse, 1, STRADS_SCHEDULE_WORKSET, 1e-9);
}
END_TEST

START_TEST(sparse_no_intercept)
{
	check_shape(&sparse, 0, STRADS_SCHEDULE_WORKSET, 1e-9);
}
END_TEST

/* SchMP's Jacobi blocks (lasso_app): the priority schedule with its
 * dependency filter. */
START_TEST(priority_schedule)
{
	check_shape(&dense, 1, STRADS_SCHEDULE_PRIORITY, 1e-9);
}
END_TEST

/* Least squares (--lambda 0): the duality gap is no measure there (the
 * only feasible dual point is 0), so the job stops on the KKT residual
 * max_j |x_j . r| / n relative to lambda_max. It must end, converged,
 * with the residual computed here from the coefficients it returns
 * within that tolerance, under working sets and cyclic CD. */
static void
check_least_squares(strads_schedule_t schedule)
{
	strads_runtime_t *rt = runtime_up();
	data_matrix_t X;
	lasso_t l;
	fit_t f;
	char err[256];
	double *r, gmax = 0, lmax, tol = 1e-9;
	uint64_t i, k;
	uint32_t j;

	make_problem(&dense, &X);
	ck_assert_msg(lasso_setup(&l, &X, 1, 0, err, sizeof(err)) == 0, "%s", err);
	lmax = lasso_lambda_max(&l);
	solve(rt, &l, 0, schedule, tol, &f);
	ck_assert_msg(f.res.converged && f.res.progress.criterion <= tol,
	    "least squares: criterion %.3e, converged %d", f.res.progress.criterion,
	    f.res.converged);
	r = malloc(X.n * sizeof(double));
	ck_assert_ptr_nonnull(r);
	for (i = 0; i < X.n; i++) {
		r[i] = X.y[i] - f.b0;
		for (k = X.rowptr[i]; k < X.rowptr[i + 1]; k++)
			r[i] -= X.val[k] * f.b[X.col[k]];
	}
	for (j = 0; j < X.p; j++) {
		double g = 0;

		for (i = 0; i < X.n; i++)
			for (k = X.rowptr[i]; k < X.rowptr[i + 1]; k++)
				if (X.col[k] == j)
					g += X.val[k] * r[i];
		if (fabs(g) / X.n > gmax)
			gmax = fabs(g) / X.n;
	}
	/* Rounding in r: a little above tol is allowed, not more. */
	ck_assert_msg(gmax <= 10 * tol * lmax, "least squares: max |x_j . r| / n "
	    "= %.3e, above %.0e x lambda_max %.3e", gmax, tol, lmax);
	free(r);
	fit_free(&f);
	lasso_free(&l);
	data_matrix_free(&X);
	runtime_down(rt);
}

START_TEST(least_squares_workset)
{
	check_least_squares(STRADS_SCHEDULE_WORKSET);
}
END_TEST

START_TEST(least_squares_cyclic)
{
	check_least_squares(STRADS_SCHEDULE_CYCLIC);
}
END_TEST

/* The check can fail: one coefficient moved by 3 eps / c_j off the
 * solution breaks its condition by at least 2 eps (g_j moves by exactly
 * 3 eps), and so does the intercept moved by 3 eps (mean(r) does). */
START_TEST(perturbed_fails)
{
	strads_runtime_t *rt = runtime_up();
	data_matrix_t X;
	lasso_t l;
	fit_t f;
	kkt_t k;
	char err[256];
	uint32_t j, big = 0;
	uint64_t i;
	double cj = 0, keep;

	make_problem(&dense, &X);
	ck_assert_msg(lasso_setup(&l, &X, 1, 0, err, sizeof(err)) == 0, "%s", err);
	solve(rt, &l, 0.3, STRADS_SCHEDULE_WORKSET, 1e-9, &f);
	assert_optimal(&X, 1, &f, 1e-9, "unperturbed");
	kkt_check(&X, 1, f.lambda, f.b, f.b0, 1e-9, &k);
	for (j = 1; j < X.p; j++)
		if (fabs(f.b[j]) > fabs(f.b[big]))
			big = j;
	ck_assert(f.b[big] != 0);
	for (i = 0; i < X.nnz; i++)
		if (X.col[i] == big)
			cj += X.val[i] * X.val[i] / X.n;
	keep = f.b[big];
	f.b[big] += (keep > 0 ? 3 : -3) * k.eps / cj;
	kkt_check(&X, 1, f.lambda, f.b, f.b0, 1e-9, &k);
	ck_assert_msg(k.bad >= 1, "a coefficient moved by 3 eps / c_j passed");
	f.b[big] = keep;
	f.b0 += 3 * k.eps;
	kkt_check(&X, 1, f.lambda, f.b, f.b0, 1e-9, &k);
	ck_assert_msg(k.bad >= 1, "an intercept moved by 3 eps passed");
	fit_free(&f);
	lasso_free(&l);
	data_matrix_free(&X);
	runtime_down(rt);
}
END_TEST

/*
 * A path as one job of stages (strads_job_opts_t.next, what `strads
 * run --path` does): the penalties of ratios[] follow one another in one
 * running job. Each stage must be optimal at its own penalty (so the
 * penalty changed, and what screening proved zero near lambda_max came
 * back for the small one), reach the objective of a separate
 * warm-started job at that penalty, and start its counts again; the
 * workers must have been set up once for the whole path (not respawned
 * per penalty), and each stage's records go to its own metrics file.
 */
static atomic_int path_inits;
static int (*path_init_real)(void *, const strads_shard_t *, void **);

static int
path_count_init(void *shared, const strads_shard_t *sh, void **out)
{
	atomic_fetch_add(&path_inits, 1);
	return path_init_real(shared, sh, out);
}

typedef struct {
	lasso_t *l;
	const data_matrix_t *X;
	int intercept;
	size_t stage;       /* the penalty being solved: ratios[stage] */
	double obj[NRATIOS];
	uint64_t rounds[NRATIOS], iter0[NRATIOS];
	double tol;
	char metrics[NRATIOS][64];
	size_t end_at;      /* next returns 0 after this stage */
} path_t;

static void
path_keep(path_t *pt, const strads_job_result_t *res)
{
	fit_t f;
	char what[96];

	memset(&f, 0, sizeof(f));
	f.lambda = pt->l->lambda;
	f.res = *res;
	f.b = malloc(pt->l->p * sizeof(double));
	ck_assert_ptr_nonnull(f.b);
	f.b0 = lasso_unscale(pt->l, res->params, f.b);
	snprintf(what, sizeof(what), "path stage %zu, lambda %.2f x lambda_max",
	    pt->stage, ratios[pt->stage]);
	assert_optimal(pt->X, pt->intercept, &f, pt->tol, what);
	pt->obj[pt->stage] = res->progress.objective;
	pt->rounds[pt->stage] = res->rounds;
	free(f.b);
}

static int
path_next(void *arg, strads_job_result_t *res, strads_job_next_t *nx)
{
	path_t *pt = arg;

	ck_assert_ptr_nonnull(res->params);
	ck_assert_str_eq(nx->metrics_path, pt->metrics[pt->stage]);
	path_keep(pt, res);
	if (pt->stage == pt->end_at)
		return 0;
	/* The roles wait: the shared state is the callback's to change. */
	pt->stage++;
	pt->l->lambda = ratios[pt->stage] * pt->l->lmax;
	pt->l->stage++;
	nx->metrics_path = pt->metrics[pt->stage];
	return 1;
}

static void
check_path(strads_schedule_t schedule, size_t end_at)
{
	strads_runtime_t *rt = runtime_up();
	data_matrix_t X;
	lasso_t l;
	strads_app_t app;
	strads_job_opts_t o;
	strads_job_result_t res;
	path_t pt;
	char err[256], dir[] = "/tmp/strads-check-path-XXXXXX";
	size_t c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_problem(&sparse, &X);
	ck_assert_msg(lasso_setup(&l, &X, 1, 0, err, sizeof(err)) == 0, "%s", err);
	l.tol = 1e-9;
	l.beta0 = NULL;
	l.lambda = ratios[0] * l.lmax;
	if (schedule == STRADS_SCHEDULE_WORKSET) {
		/* As strads run: the gradient carried across penalties. */
		l.grad = calloc(l.p, sizeof(double));
		ck_assert_ptr_nonnull(l.grad);
	}
	memset(&pt, 0, sizeof(pt));
	pt.l = &l;
	pt.X = &X;
	pt.intercept = 1;
	pt.tol = 1e-9;
	pt.end_at = end_at;
	for (c = 0; c < NRATIOS; c++)
		snprintf(pt.metrics[c], sizeof(pt.metrics[c]), "%s/m.%zu", dir, c + 1);
	app = schedule == STRADS_SCHEDULE_WORKSET ? lasso_ws_app : lasso_app;
	path_init_real = app.worker_init;
	app.worker_init = path_count_init;
	atomic_store(&path_inits, 0);
	strads_job_opts_init(&o);
	o.nparams = l.p;
	o.nrows = l.n;
	o.nworkers = 2;
	o.schedule = schedule;
	o.tol = 1e-9;
	o.eta = 1e-4;
	o.time_limit_s = 100;
	o.metrics_path = pt.metrics[0];
	o.next = path_next;
	o.next_arg = &pt;
	ck_assert_int_eq(strads_job_run(rt, &app, &l, &o, &res), 0);
	/* The last stage's result is the job's. */
	ck_assert_uint_eq(pt.stage, end_at);
	path_keep(&pt, &res);
	free(res.params);
	ck_assert_int_eq(atomic_load(&path_inits), 2);

	/* Each stage against a job of its own, warm-started from the
	 * stage before as strads run's chains of jobs are; and its records
	 * in its own metrics file, counted from iteration 0. */
	{
		double *warm = NULL;

		for (c = 0; c <= end_at; c++) {
			fit_t f;
			FILE *mf;
			char line[512];
			unsigned long long iter = 99;

			l.beta0 = warm;
			l.grad_warm = 0;
			solve_warm(rt, &l, ratios[c], schedule, 1e-9, warm, &f);
			ck_assert_msg(fabs(f.res.progress.objective - pt.obj[c]) <=
			    2e-9 * fabs(f.res.progress.objective),
			    "stage %zu: objective %.15g as a stage, %.15g as a job", c,
			    pt.obj[c], f.res.progress.objective);
			mf = fopen(pt.metrics[c], "r");
			ck_assert_msg(mf != NULL, "no metrics file for stage %zu", c);
			ck_assert_ptr_nonnull(fgets(line, sizeof(line), mf));
			ck_assert_int_eq(sscanf(line, "{\"iter\": %llu", &iter), 1);
			/* Its counts start again: a working-set stage opens with
			 * a check, a priority one checks after its first sweep. */
			ck_assert_msg(schedule == STRADS_SCHEDULE_WORKSET ? iter == 0
			    : iter <= pt.rounds[c], "stage %zu: first record at "
			    "iteration %llu (the stage took %llu rounds)", c, iter,
			    (unsigned long long)pt.rounds[c]);
			fclose(mf);
			remove(pt.metrics[c]);
			free(warm);
			warm = f.res.params;
			f.res.params = NULL;
			fit_free(&f);
		}
		free(warm);
		l.beta0 = NULL;
	}
	for (c = end_at + 1; c < NRATIOS; c++)
		ck_assert_msg(access(pt.metrics[c], F_OK) != 0,
		    "a metrics file for stage %zu, after the job ended", c);
	rmdir(dir);
	free(l.grad);
	l.grad = NULL;
	lasso_free(&l);
	data_matrix_free(&X);
	runtime_down(rt);
}

START_TEST(path_one_job_workset)
{
	check_path(STRADS_SCHEDULE_WORKSET, NRATIOS - 1);
}
END_TEST

START_TEST(path_one_job_priority)
{
	check_path(STRADS_SCHEDULE_PRIORITY, NRATIOS - 1);
}
END_TEST

/* next ending the job after the first stage: that stage's result is the
 * job's, and no later stage runs. */
START_TEST(path_one_job_ends_early)
{
	check_path(STRADS_SCHEDULE_WORKSET, 0);
}
END_TEST

static Suite *
lasso_suite(void)
{
	Suite *s = suite_create("lasso");
	TCase *tc = tcase_create("kkt");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, dense_intercept);
	tcase_add_test(tc, dense_no_intercept);
	tcase_add_test(tc, sparse_intercept);
	tcase_add_test(tc, sparse_no_intercept);
	tcase_add_test(tc, priority_schedule);
	tcase_add_test(tc, perturbed_fails);
	tcase_add_test(tc, least_squares_workset);
	tcase_add_test(tc, least_squares_cyclic);
	tcase_add_test(tc, path_one_job_workset);
	tcase_add_test(tc, path_one_job_priority);
	tcase_add_test(tc, path_one_job_ends_early);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(lasso_suite)
