/*
 * accel.c -- Anderson extrapolation weights (accel.h).
 *
 * With U the m x K matrix of differences u_k = x_{k+1} - x_k, the
 * weights minimise ||U c|| subject to sum c = 1: c = z / sum z where
 * (U'U) z = 1. U'U is K x K, solved by Cholesky with a small ridge
 * (its columns are nearly parallel when the iteration converges
 * linearly, which is exactly when extrapolation pays).
 */
#include "accel.h"

#include <math.h>

int
accel_weights(const double *x, size_t stride, size_t m, int K, double *c)
{
	double M[ACCEL_K][ACCEL_K], L[ACCEL_K][ACCEL_K], z[ACCEL_K], trace = 0, sum = 0;
	int a, b, k;
	size_t i;

	if (K < 1 || K > ACCEL_K)
		return -1;
	for (a = 0; a < K; a++)
		for (b = 0; b < K; b++)
			M[a][b] = 0;
	for (i = 0; i < m; i++) {
		double u[ACCEL_K];

		for (k = 0; k < K; k++)
			u[k] = x[(size_t)(k + 1) * stride + i] - x[(size_t)k * stride + i];
		for (a = 0; a < K; a++)
			for (b = 0; b <= a; b++)
				M[a][b] += u[a] * u[b];
	}
	for (a = 0; a < K; a++)
		trace += M[a][a];
	if (!(trace > 0) || !isfinite(trace))
		return -1;
	for (a = 0; a < K; a++)
		M[a][a] += 1e-10 * trace / K;

	/* M = L L' (lower triangle of M is filled). */
	for (a = 0; a < K; a++) {
		for (b = 0; b <= a; b++) {
			double s = M[a][b];

			for (k = 0; k < b; k++)
				s -= L[a][k] * L[b][k];
			if (a == b) {
				if (!(s > 0))
					return -1;
				L[a][a] = sqrt(s);
			} else {
				L[a][b] = s / L[b][b];
			}
		}
	}
	/* L y = 1, then L' z = y. */
	for (a = 0; a < K; a++) {
		double s = 1;

		for (k = 0; k < a; k++)
			s -= L[a][k] * z[k];
		z[a] = s / L[a][a];
	}
	for (a = K - 1; a >= 0; a--) {
		double s = z[a];

		for (k = a + 1; k < K; k++)
			s -= L[k][a] * z[k];
		z[a] = s / L[a][a];
	}
	for (k = 0; k < K; k++)
		sum += z[k];
	if (!(fabs(sum) > 0) || !isfinite(sum))
		return -1;
	for (k = 0; k < K; k++)
		c[k] = z[k] / sum;
	return 0;
}
