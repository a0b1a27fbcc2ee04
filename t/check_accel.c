/*
 * check_accel.c -- Anderson extrapolation weights (apps/common/accel.c).
 *
 * On a linear iteration x <- A x + b of dimension below K, some
 * combination of K differences with weights summing to 1 is zero, so
 * the extrapolation lands on the fixed point up to the ridge; in higher
 * dimension it still beats the last iterate by a wide margin.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <string.h>

#include "accel.h"
#include "testutil.h"

#define DIM_MAX 40

/* x_{k+1} = A x_k + b from x_0 = 0 with A = diag(a), K + 1 iterates
 * into xs (stride m). Returns the fixed point in star. (The weights do
 * not change under a rotation of the space, so a diagonal A stands for
 * every symmetric one.) */
static void
iterate(size_t m, const double *a, int K, double *xs, double *star)
{
	double b[DIM_MAX];
	size_t i;
	int k;

	for (i = 0; i < m; i++) {
		b[i] = 1.0 + 0.5 * (double)i;
		star[i] = b[i] / (1 - a[i]);
		xs[i] = 0;
	}
	for (k = 1; k <= K; k++)
		for (i = 0; i < m; i++)
			xs[(size_t)k * m + i] = a[i] * xs[(size_t)(k - 1) * m + i] + b[i];
}

static double
dist(const double *x, const double *y, size_t m)
{
	double s = 0;
	size_t i;

	for (i = 0; i < m; i++)
		s += (x[i] - y[i]) * (x[i] - y[i]);
	return sqrt(s);
}

static void
extrapolate(const double *xs, size_t m, int K, const double *c, double *out)
{
	size_t i;
	int k;

	for (i = 0; i < m; i++) {
		out[i] = 0;
		for (k = 0; k < K; k++)
			out[i] += c[k] * xs[(size_t)(k + 1) * m + i];
	}
}

/* An iteration of dimension K - 1 with rates from 0.95 down: exact up
 * to the ridge. (Rates all close to 1 would need weights of 1e5 that the
 * ridge, rightly, does not allow.) */
START_TEST(exact_in_low_dimension)
{
	enum { M = ACCEL_K - 1 };
	double a[8] = {0.95, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005};
	double xs[(ACCEL_K + 1) * M], star[M], c[ACCEL_K], e[M];
	double sum = 0, before, after;
	int k;

	ck_assert_int_le(M, 8); /* the rates above */
	iterate(M, a, ACCEL_K, xs, star);
	ck_assert_int_eq(accel_weights(xs, M, M, ACCEL_K, c), 0);
	for (k = 0; k < ACCEL_K; k++)
		sum += c[k];
	ck_assert_double_eq_tol(sum, 1.0, 1e-12);
	extrapolate(xs, M, ACCEL_K, c, e);
	before = dist(xs + (size_t)ACCEL_K * M, star, M);
	after = dist(e, star, M);
	ck_assert_msg(after < 1e-4 * before, "extrapolated %g, last iterate %g", after, before);
}
END_TEST

/* Forty slow directions with rates from 0.9 to 0.99: well ahead of
 * the last iterate, though not exact. */
START_TEST(better_in_high_dimension)
{
	double a[DIM_MAX], xs[(ACCEL_K + 1) * DIM_MAX], star[DIM_MAX], c[ACCEL_K], e[DIM_MAX];
	double before, after;
	size_t i;

	for (i = 0; i < DIM_MAX; i++)
		a[i] = 0.9 + 0.09 * (double)i / DIM_MAX;
	iterate(DIM_MAX, a, ACCEL_K, xs, star);
	ck_assert_int_eq(accel_weights(xs, DIM_MAX, DIM_MAX, ACCEL_K, c), 0);
	extrapolate(xs, DIM_MAX, ACCEL_K, c, e);
	before = dist(xs + (size_t)ACCEL_K * DIM_MAX, star, DIM_MAX);
	after = dist(e, star, DIM_MAX);
	ck_assert_msg(after < 0.3 * before, "extrapolated %g, last iterate %g", after, before);
}
END_TEST

/* Fewer differences than ACCEL_K (2, on a 1-dimensional iteration),
 * and a stride wider than the vector. */
START_TEST(short_history_and_stride)
{
	double a[1] = {0.9}, xs[3], star[1], wide[3 * 5], c[ACCEL_K], e[1];
	int k;

	ck_assert_int_ge(ACCEL_K, 2);
	iterate(1, a, 2, xs, star);
	memset(wide, 0, sizeof(wide));
	for (k = 0; k < 3; k++) {
		wide[k * 5] = xs[k];
		wide[k * 5 + 1] = 1e300; /* beyond m: never read */
	}
	ck_assert_int_eq(accel_weights(wide, 5, 1, 2, c), 0);
	extrapolate(xs, 1, 2, c, e);
	ck_assert_msg(dist(e, star, 1) < 1e-4 * dist(xs + 2, star, 1), "not extrapolated");
}
END_TEST

/* An iteration that stopped moving, a NaN, or a K out of range: no
 * weights. */
START_TEST(degenerate_refused)
{
	double xs[(ACCEL_K + 1) * 3], c[ACCEL_K];
	size_t i;

	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		xs[i] = 2.5;
	ck_assert_int_eq(accel_weights(xs, 3, 3, ACCEL_K, c), -1);
	xs[4] = NAN;
	ck_assert_int_eq(accel_weights(xs, 3, 3, ACCEL_K, c), -1);
	xs[4] = 1;
	ck_assert_int_eq(accel_weights(xs, 3, 3, 0, c), -1);
	ck_assert_int_eq(accel_weights(xs, 3, 3, ACCEL_K + 1, c), -1);
}
END_TEST

static Suite *
accel_suite(void)
{
	Suite *s = suite_create("accel");
	TCase *tc = tcase_create("weights");

	tcase_add_test(tc, exact_in_low_dimension);
	tcase_add_test(tc, better_in_high_dimension);
	tcase_add_test(tc, short_history_and_stride);
	tcase_add_test(tc, degenerate_refused);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(accel_suite)
