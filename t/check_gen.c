/*
 * check_gen.c -- the synthetic data generators (`strads gen`).
 *
 * Every test runs the generator with a fixed seed, so what it measures
 * (frequencies, correlations) is one fixed number; the margins are set
 * several standard errors wide so that a change of seed or of the
 * stream layout would not make them flaky either.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_lasso.h"
#include "testutil.h"

/* Small problem, fast to generate, with every feature switched on. */
static void
small_opts(gen_lasso_opts_t *o)
{
	gen_lasso_opts_init(o);
	o->n = 500;
	o->p = 2000;
	o->nnz_per_row = 20;
	o->support = 30;
	o->rho = 0.3;
	o->seed = 42;
}

static void
gen_ok(const gen_lasso_opts_t *o, data_matrix_t *X, double *beta,
    gen_lasso_info_t *info)
{
	char err[256] = "";

	ck_assert_msg(gen_lasso_ex(o, X, beta, info, err, sizeof(err)) == 0,
	    "gen_lasso: %s", err);
}

static double *
new_beta(uint32_t p)
{
	double *b = malloc((size_t)p * sizeof(*b));

	ck_assert_ptr_nonnull(b);
	return b;
}

static int
same_matrix(const data_matrix_t *a, const data_matrix_t *b)
{
	return a->n == b->n && a->p == b->p && a->nnz == b->nnz &&
	       memcmp(a->rowptr, b->rowptr, ((size_t)a->n + 1) * 8) == 0 &&
	       memcmp(a->col, b->col, (size_t)a->nnz * 4) == 0 &&
	       memcmp(a->val, b->val, (size_t)a->nnz * 8) == 0 &&
	       memcmp(a->y, b->y, (size_t)a->n * 8) == 0;
}

/* The structure every generated matrix must have; K is the mean row
 * length asked for. */
static void
check_shape(const gen_lasso_opts_t *o, const data_matrix_t *X)
{
	uint32_t k = o->nnz_per_row, h = k / 2, i;
	uint64_t j;

	if (h > o->p - k)
		h = o->p - k;
	ck_assert_uint_eq(X->n, o->n);
	ck_assert_uint_eq(X->p, o->p);
	ck_assert_ptr_nonnull(X->y);
	ck_assert_ptr_null(X->colnames);
	ck_assert_uint_eq(X->rowptr[0], 0);
	ck_assert_uint_eq(X->rowptr[X->n], X->nnz);
	for (i = 0; i < X->n; i++) {
		uint64_t lo = X->rowptr[i], hi = X->rowptr[i + 1];
		double ss = 0;

		TEST_REQUIRE(hi - lo >= 1 && hi - lo <= o->p);
		TEST_REQUIRE(hi - lo >= k - h && hi - lo <= k + h);
		for (j = lo; j < hi; j++) {
			TEST_REQUIRE(X->col[j] < o->p);
			TEST_REQUIRE(j == lo || X->col[j] > X->col[j - 1]);
			TEST_REQUIRE(isfinite(X->val[j]));
			ss += X->val[j] * X->val[j];
		}
		TEST_REQUIRE(isfinite(X->y[i]));
		if (o->values == GEN_VALUES_TFIDF) {
			for (j = lo; j < hi; j++)
				TEST_REQUIRE(X->val[j] > 0);
			TEST_REQUIRE(fabs(ss - 1) < 1e-12);
		}
	}
}

static uint32_t
count_nonzero(const double *beta, uint32_t p)
{
	uint32_t j, c = 0;

	for (j = 0; j < p; j++)
		c += beta[j] != 0;
	return c;
}

START_TEST(reproducible)
{
	gen_lasso_opts_t o;
	data_matrix_t a, b;
	double *ba, *bb;
	int v;

	for (v = 0; v < 2; v++) {
		small_opts(&o);
		o.values = v ? GEN_VALUES_GAUSSIAN : GEN_VALUES_TFIDF;
		ba = new_beta(o.p);
		bb = new_beta(o.p);
		gen_ok(&o, &a, ba, NULL);
		gen_ok(&o, &b, bb, NULL);
		ck_assert(same_matrix(&a, &b));
		ck_assert(memcmp(ba, bb, o.p * sizeof(*ba)) == 0);
		data_matrix_free(&b);

		o.seed = 43;
		gen_ok(&o, &b, bb, NULL);
		ck_assert(!same_matrix(&a, &b));
		ck_assert(a.nnz != b.nnz ||
			  memcmp(a.col, b.col, a.nnz * sizeof(*a.col)) != 0);
		ck_assert(memcmp(ba, bb, o.p * sizeof(*ba)) != 0);
		data_matrix_free(&a);
		data_matrix_free(&b);
		free(ba);
		free(bb);
	}
}
END_TEST

/* The pattern depends on n, p, nnz_per_row, skew and seed only; the
 * support also on `support`. */
START_TEST(pattern_kept)
{
	gen_lasso_opts_t o;
	data_matrix_t a, b;
	double *ba, *bb;
	uint32_t j;

	small_opts(&o);
	ba = new_beta(o.p);
	bb = new_beta(o.p);
	gen_ok(&o, &a, ba, NULL);
	o.rho = 0.9;
	o.values = GEN_VALUES_GAUSSIAN;
	o.noise = 3;
	o.scale = 7;
	gen_ok(&o, &b, bb, NULL);
	ck_assert_uint_eq(a.nnz, b.nnz);
	ck_assert(
	    memcmp(a.rowptr, b.rowptr, (a.n + 1) * sizeof(uint64_t)) == 0);
	ck_assert(memcmp(a.col, b.col, a.nnz * sizeof(uint32_t)) == 0);
	ck_assert(memcmp(a.val, b.val, a.nnz * sizeof(double)) != 0);
	for (j = 0; j < o.p; j++)
		ck_assert((ba[j] != 0) == (bb[j] != 0));
	data_matrix_free(&a);
	data_matrix_free(&b);
	free(ba);
	free(bb);
}
END_TEST

START_TEST(shapes)
{
	static const struct {
		uint32_t n, p, k, support;
		double skew;
		int gaussian;
	} cases[] = {
	    {500, 2000, 20, 30, 1.0, 0}, {300, 1000, 40, 10, 0.0, 1},
	    {200, 1, 1, 1, 1.0, 0},	    /* one column */
	    {50, 30, 30, 30, 1.0, 0},	    /* dense: every row holds all */
	    {100, 50, 1, 5, 2.0, 1},	    /* exactly one a row */
	    {200, 50, 40, 20, 3.0, 0},	    /* heavy skew, rows near p */
	    {100, 60, 45, 10, 50.0, 1},	    /* extreme skew: flat tail */
	    {20, 10000, 5000, 100, 0.5, 0}, /* long rows: the quicksort */
	};
	gen_lasso_opts_t o;
	data_matrix_t X;
	double *beta;
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		gen_lasso_opts_init(&o);
		o.n = cases[c].n;
		o.p = cases[c].p;
		o.nnz_per_row = cases[c].k;
		o.support = cases[c].support;
		o.skew = cases[c].skew;
		o.values =
		    cases[c].gaussian ? GEN_VALUES_GAUSSIAN : GEN_VALUES_TFIDF;
		o.rho = 0.5;
		o.block = 3;
		beta = new_beta(o.p);
		gen_ok(&o, &X, beta, NULL);
		check_shape(&o, &X);
		ck_assert_uint_eq(count_nonzero(beta, o.p), o.support);
		if (o.nnz_per_row == o.p)
			ck_assert_uint_eq(X.nnz, (uint64_t)o.n * o.p);
		if (o.nnz_per_row == 1)
			ck_assert_uint_eq(X.nnz, o.n);
		data_matrix_free(&X);
		free(beta);
	}
}
END_TEST

/* The mean row length is nnz_per_row: rows are uniform on [K-h, K+h]. */
START_TEST(row_lengths)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	double mean, sd;

	gen_lasso_opts_init(&o);
	o.n = 20000;
	o.p = 5000;
	o.nnz_per_row = 100;
	o.support = 10;
	gen_ok(&o, &X, NULL, NULL);
	mean = (double)X.nnz / X.n;
	sd = sqrt((101.0 * 101 - 1) / 12 / X.n); /* of the mean */
	ck_assert_msg(fabs(mean - 100) < 5 * sd, "mean row length %g", mean);
	data_matrix_free(&X);
}
END_TEST

START_TEST(support)
{
	static const uint32_t ks[] = {0, 1, 30, 500};
	gen_lasso_opts_t o;
	data_matrix_t X;
	uint32_t *df, j;
	uint64_t k;
	double *beta;
	size_t c;

	for (c = 0; c < sizeof(ks) / sizeof(ks[0]); c++) {
		small_opts(&o);
		o.support = ks[c];
		o.scale = 2;
		beta = new_beta(o.p);
		df = calloc(o.p, sizeof(*df));
		ck_assert_ptr_nonnull(df);
		gen_ok(&o, &X, beta, NULL);
		ck_assert_uint_eq(count_nonzero(beta, o.p), ks[c]);
		for (k = 0; k < X.nnz; k++)
			df[X.col[k]]++;
		for (j = 0; j < o.p; j++) {
			double a = fabs(beta[j]);

			if (beta[j] == 0)
				continue;
			ck_assert_uint_gt(df[j], 0); /* occurs */
			ck_assert(a >= 0.5 * 2 && a < 1.5 * 2);
		}
		data_matrix_free(&X);
		free(beta);
		free(df);
	}
}
END_TEST

static int
cmp_u32_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The support lies among the 4 k most frequent columns: every support
 * column is at least as frequent as the (4 k)-th most frequent one. With
 * skew 1 that is far above the mean frequency of the occurring columns.
 * With 4 k above the number of occurring columns, any may be chosen.
 */
START_TEST(support_frequent)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	uint32_t *df, *sorted, j, nocc = 0, nsup = 0;
	double *beta, all = 0, sup = 0;
	uint64_t k;

	gen_lasso_opts_init(&o);
	o.n = 2000;
	o.p = 20000;
	o.nnz_per_row = 20;
	o.support = 50;
	beta = new_beta(o.p);
	df = calloc(o.p, sizeof(*df));
	sorted = calloc(o.p, sizeof(*sorted));
	ck_assert_ptr_nonnull(df);
	ck_assert_ptr_nonnull(sorted);
	gen_ok(&o, &X, beta, NULL);
	for (k = 0; k < X.nnz; k++)
		df[X.col[k]]++;
	memcpy(sorted, df, o.p * sizeof(*df));
	qsort(sorted, o.p, sizeof(*sorted), cmp_u32_desc);
	ck_assert_uint_gt(sorted[4 * o.support - 1], sorted[o.p - 1]);
	for (j = 0; j < o.p; j++) {
		nocc += df[j] > 0;
		all += df[j];
		if (beta[j] != 0) {
			ck_assert_uint_ge(df[j], sorted[4 * o.support - 1]);
			sup += df[j];
			nsup++;
		}
	}
	ck_assert_uint_eq(nsup, o.support);
	all /= nocc;
	sup /= o.support;
	ck_assert_msg(sup > 10 * all, "support df %g, all %g", sup, all);
	data_matrix_free(&X);

	/* 30 rows of one column each: fewer than 4 x 10 columns occur, so
	 * the support is any 10 of them. */
	o.n = 30;
	o.nnz_per_row = 1;
	o.support = 10;
	memset(df, 0, o.p * sizeof(*df));
	gen_ok(&o, &X, beta, NULL);
	for (k = 0; k < X.nnz; k++)
		df[X.col[k]]++;
	for (j = 0, nsup = 0; j < o.p; j++)
		if (beta[j] != 0) {
			ck_assert_uint_gt(df[j], 0);
			nsup++;
		}
	ck_assert_uint_eq(nsup, o.support);
	data_matrix_free(&X);
	free(beta);
	free(df);
	free(sorted);
}
END_TEST

START_TEST(too_few_columns)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	char err[256] = "";

	gen_lasso_opts_init(&o);
	o.n = 3;
	o.p = 1000;
	o.nnz_per_row = 1;
	o.support = 10;
	ck_assert_int_eq(gen_lasso(&o, &X, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "--support") != NULL, "%s", err);
	ck_assert_ptr_null(X.rowptr);
	ck_assert_uint_eq(X.nnz, 0);
}
END_TEST

static void
check_exact_response(const data_matrix_t *X, const double *beta)
{
	uint32_t i;
	uint64_t k;

	for (i = 0; i < X->n; i++) {
		double dot = 0;

		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++)
			dot += X->val[k] * beta[X->col[k]];
		TEST_REQUIRE(fabs(X->y[i] - dot) <= 1e-12);
	}
}

START_TEST(noise)
{
	gen_lasso_opts_t o;
	gen_lasso_info_t info;
	data_matrix_t a, b;
	double *beta, ss = 0, d;
	uint32_t i;
	uint64_t k;

	small_opts(&o);
	o.n = 4000;
	o.noise = 0;
	beta = new_beta(o.p);
	gen_ok(&o, &a, beta, &info);
	ck_assert(info.noise_sd == 0);
	ck_assert(info.signal_var > 0);
	check_exact_response(&a, beta);

	/* Same X and beta with noise: the residual's sd is the noise's. */
	o.noise = 0.5;
	gen_ok(&o, &b, beta, &info);
	ck_assert(memcmp(a.val, b.val, a.nnz * sizeof(double)) == 0);
	ck_assert(info.noise_sd == 0.5);
	for (i = 0; i < b.n; i++) {
		double dot = 0;

		for (k = b.rowptr[i]; k < b.rowptr[i + 1]; k++)
			dot += b.val[k] * beta[b.col[k]];
		d = b.y[i] - dot;
		ss += d * d;
	}
	/* sd of the sample sd is about 0.5 / sqrt(2 n) = 0.0056 */
	ck_assert_msg(
	    fabs(sqrt(ss / b.n) - 0.5) < 0.03, "noise sd %g", sqrt(ss / b.n));
	data_matrix_free(&a);
	data_matrix_free(&b);

	/* snr: sd^2 = var(X beta) / snr, by definition. */
	o.noise = 0.1;
	o.snr = 4;
	gen_ok(&o, &a, beta, &info);
	ck_assert(info.noise_sd > 0);
	ck_assert(
	    fabs(info.signal_var / (info.noise_sd * info.noise_sd) - 4) < 1e-9);
	data_matrix_free(&a);

	/* No support: y is the noise alone, or exactly 0 without it. */
	o.snr = 0;
	o.noise = 0;
	o.support = 0;
	gen_ok(&o, &a, beta, &info);
	ck_assert_uint_eq(count_nonzero(beta, o.p), 0);
	for (i = 0; i < a.n; i++)
		TEST_REQUIRE(a.y[i] == 0);
	data_matrix_free(&a);
	free(beta);
}
END_TEST

/* Column document frequencies, largest first is df[argmax]. */
static uint32_t
top_df(const data_matrix_t *X)
{
	uint32_t *df = calloc(X->p, sizeof(*df)), j, top = 0;
	uint64_t k;

	ck_assert_ptr_nonnull(df);
	for (k = 0; k < X->nnz; k++)
		df[X->col[k]]++;
	for (j = 0; j < X->p; j++)
		if (df[j] > top)
			top = df[j];
	free(df);
	return top;
}

START_TEST(skew)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	uint32_t top0, top1;

	gen_lasso_opts_init(&o);
	o.n = 2000;
	o.p = 1000;
	o.nnz_per_row = 10;
	o.support = 10;
	o.skew = 0;
	gen_ok(&o, &X, NULL, NULL);
	top0 = top_df(&X);
	data_matrix_free(&X);
	o.skew = 1;
	gen_ok(&o, &X, NULL, NULL);
	top1 = top_df(&X);
	data_matrix_free(&X);
	/* Uniform: each column is in 2000 * 10 / 1000 = 20 rows on
	 * average, the busiest in about 35. Zipf 1: the top column's
	 * weight is 1 / H_1000 = 0.13 of the total, so it is in about
	 * 1 - (1 - 0.13)^10 = 75% of the rows. */
	ck_assert_msg(top0 < 60, "skew 0: top column in %u rows", top0);
	ck_assert_msg(top1 > 1000, "skew 1: top column in %u rows", top1);
}
END_TEST

/* Exact inclusion probabilities of successive sampling of m out of p
 * ranks with weights w, by enumerating every draw sequence. */
static void
inclusion(
    const double *w, int p, int m, unsigned taken, double prob, double *pi)
{
	double rem = 0;
	int r;

	if (m == 0) {
		for (r = 0; r < p; r++)
			if (taken & (1u << r))
				pi[r] += prob;
		return;
	}
	for (r = 0; r < p; r++)
		if (!(taken & (1u << r)))
			rem += w[r];
	for (r = 0; r < p; r++)
		if (!(taken & (1u << r)))
			inclusion(w, p, m - 1, taken | (1u << r),
			    prob * w[r] / rem, pi);
}

static int
cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The sampler draws by weight without replacement, on both of its
 * paths: with skew 3 the top rank holds 83% of the weight, so a row
 * that draws it first goes on from the sum tree, the others from the
 * alias table. Rows of 1, 2 or 3 columns (nnz_per_row 2) out of 10;
 * the frequencies of the columns, sorted, must match the exact
 * inclusion probabilities, sorted (sorting moves no value further from
 * its match than the largest error), within 5 standard errors.
 */
START_TEST(sampler_distribution)
{
	static const double skews[] = {0.0, 1.0, 3.0};
	enum { P = 10 };
	gen_lasso_opts_t o;
	data_matrix_t X;
	double w[P], pi[P], freq[P], se;
	uint32_t df[P];
	uint64_t k;
	size_t s;
	int r, m;

	for (s = 0; s < sizeof(skews) / sizeof(skews[0]); s++) {
		gen_lasso_opts_init(&o);
		o.n = test_quick() ? 30000 : 200000;
		o.p = P;
		o.nnz_per_row = 2;
		o.support = 1;
		o.skew = skews[s];
		gen_ok(&o, &X, NULL, NULL);
		memset(df, 0, sizeof(df));
		for (k = 0; k < X.nnz; k++)
			df[X.col[k]]++;
		memset(pi, 0, sizeof(pi));
		for (r = 0; r < P; r++)
			w[r] = pow(r + 1, -skews[s]);
		for (m = 1; m <= 3; m++)
			inclusion(w, P, m, 0, 1.0 / 3, pi);
		for (r = 0; r < P; r++)
			freq[r] = (double)df[r] / o.n;
		qsort(pi, P, sizeof(double), cmp_desc);
		qsort(freq, P, sizeof(double), cmp_desc);
		for (r = 0; r < P; r++) {
			se = sqrt(pi[r] * (1 - pi[r]) / o.n);
			ck_assert_msg(fabs(freq[r] - pi[r]) < 5 * se + 1e-9,
			    "skew %g, rank %d: frequency %g, expected %g "
			    "(se %g)",
			    skews[s], r + 1, freq[r], pi[r], se);
		}
		data_matrix_free(&X);
	}
}
END_TEST

/*
 * Mean Pearson correlation of the neighbours (j, j + 1) over the rows
 * holding both, over the pairs with at least 30 such rows; pairs in one
 * block into *in, pairs across a block boundary into *across.
 */
static void
neighbour_corr(
    const data_matrix_t *X, uint32_t block, double *in, double *across)
{
	data_csc_t c;
	double sum[2] = {0, 0};
	uint32_t j, npairs[2] = {0, 0};

	ck_assert_int_eq(data_csc(X, &c), 0);
	for (j = 0; j + 1 < c.p; j++) {
		uint64_t a = c.colptr[j], ae = c.colptr[j + 1];
		uint64_t b = c.colptr[j + 1], be = c.colptr[j + 2];
		double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, cnt = 0, r;
		int kind = (j + 1) % block == 0;

		while (a < ae && b < be) {
			if (c.row[a] < c.row[b])
				a++;
			else if (c.row[a] > c.row[b])
				b++;
			else {
				double x = c.val[a++], y = c.val[b++];

				sx += x;
				sy += y;
				sxx += x * x;
				syy += y * y;
				sxy += x * y;
				cnt++;
			}
		}
		if (cnt < 30)
			continue;
		r = (sxy - sx * sy / cnt) /
		    sqrt((sxx - sx * sx / cnt) * (syy - sy * sy / cnt));
		sum[kind] += r;
		npairs[kind]++;
	}
	data_csc_free(&c);
	ck_assert_uint_gt(npairs[0], 0);
	ck_assert_uint_gt(npairs[1], 0);
	*in = sum[0] / npairs[0];
	*across = sum[1] / npairs[1];
}

/*
 * 4000 rows of 20 out of 100 columns: a neighbour pair shares about 150
 * rows, so one pair's correlation has a standard error near 0.08 and
 * the mean over the 90 in-block pairs near 0.01.
 */
START_TEST(correlation)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	double in0, in6, across, tf0, tf8;

	gen_lasso_opts_init(&o);
	o.n = 4000;
	o.p = 100;
	o.nnz_per_row = 20;
	o.support = 10;
	o.skew = 0;
	o.block = 10;
	o.values = GEN_VALUES_GAUSSIAN;
	o.rho = 0;
	gen_ok(&o, &X, NULL, NULL);
	neighbour_corr(&X, o.block, &in0, &across);
	data_matrix_free(&X);
	ck_assert_msg(fabs(in0) < 0.05, "gaussian rho 0: %g", in0);
	ck_assert_msg(fabs(across) < 0.15, "gaussian rho 0 across: %g", across);

	/* In gaussian mode rho is the correlation itself; blocks are
	 * independent. */
	o.rho = 0.6;
	gen_ok(&o, &X, NULL, NULL);
	neighbour_corr(&X, o.block, &in6, &across);
	data_matrix_free(&X);
	ck_assert_msg(fabs(in6 - 0.6) < 0.05, "gaussian rho 0.6: %g", in6);
	ck_assert_msg(
	    fabs(across) < 0.15, "gaussian rho 0.6 across: %g", across);

	/* tf-idf: rho 0.8 gives log-values correlated 0.8, values about
	 * 0.78 before the rows are normalised. */
	o.values = GEN_VALUES_TFIDF;
	o.rho = 0;
	gen_ok(&o, &X, NULL, NULL);
	neighbour_corr(&X, o.block, &tf0, &across);
	data_matrix_free(&X);
	o.rho = 0.8;
	gen_ok(&o, &X, NULL, NULL);
	neighbour_corr(&X, o.block, &tf8, &across);
	data_matrix_free(&X);
	ck_assert_msg(
	    tf8 > tf0 + 0.4, "tfidf rho 0.8: %g, rho 0: %g", tf8, tf0);
}
END_TEST

START_TEST(bad_options)
{
	gen_lasso_opts_t o;
	data_matrix_t X;
	char err[256];
	int c;

	for (c = 0; c < 17; c++) {
		const char *want = NULL;

		gen_lasso_opts_init(&o);
		o.n = 100;
		o.p = 100;
		o.nnz_per_row = 10;
		o.support = 5;
		switch (c) {
		case 0:
			o.n = 0, want = "--n";
			break;
		case 1:
			o.p = 0, want = "--p";
			break;
		case 2:
			o.nnz_per_row = 0, want = "--nnz-per-row";
			break;
		case 3:
			o.nnz_per_row = 101, want = "--nnz-per-row";
			break;
		case 4:
			o.support = 101, want = "--support";
			break;
		case 5:
			o.noise = -1, want = "--noise";
			break;
		case 6:
			o.noise = NAN, want = "--noise";
			break;
		case 7:
			o.snr = -1, want = "--snr";
			break;
		case 8:
			o.rho = -0.1, want = "--rho";
			break;
		case 9:
			o.rho = 1.1, want = "--rho";
			break;
		case 10:
			o.rho = NAN, want = "--rho";
			break;
		case 11:
			o.block = 0, want = "--block";
			break;
		case 12:
			o.skew = -1, want = "--skew";
			break;
		case 13:
			o.skew = INFINITY, want = "--skew";
			break;
		case 14:
			o.values = (gen_values_t)7, want = "--values";
			break;
		case 15:
			o.scale = 0, want = "--scale";
			break;
		case 16:
			o.scale = NAN, want = "--scale";
			break;
		}
		err[0] = '\0';
		ck_assert_int_eq(gen_lasso_check(&o, err, sizeof(err)), -1);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0 &&
				  err[strlen(want)] == ':',
		    "case %d: '%s'", c, err);
		ck_assert_int_eq(gen_lasso(&o, &X, NULL, NULL, 0), -1);
		ck_assert_ptr_null(X.rowptr);
	}
	gen_lasso_opts_init(&o);
	ck_assert_int_eq(gen_lasso_check(&o, NULL, 0), 0);
	o.rho = 1;
	o.support = o.p;
	o.nnz_per_row = o.p;
	ck_assert_int_eq(gen_lasso_check(&o, NULL, 0), 0);
}
END_TEST

static Suite *
gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("lasso");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, reproducible);
	tcase_add_test(tc, pattern_kept);
	tcase_add_test(tc, shapes);
	tcase_add_test(tc, row_lengths);
	tcase_add_test(tc, support);
	tcase_add_test(tc, support_frequent);
	tcase_add_test(tc, too_few_columns);
	tcase_add_test(tc, noise);
	tcase_add_test(tc, skew);
	tcase_add_test(tc, sampler_distribution);
	tcase_add_test(tc, correlation);
	tcase_add_test(tc, bad_options);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(gen_suite)
