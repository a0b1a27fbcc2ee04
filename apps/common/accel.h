/*
 * accel.h -- Anderson extrapolation of a converging iteration, as
 * Bertrand and Massias apply it to coordinate descent ("Anderson
 * acceleration of coordinate descent", AISTATS 2021).
 *
 * From iterates x_0 .. x_K of a fixed-point map, the weights c (summing
 * to 1) that make sum_k c_k (x_{k+1} - x_k) smallest; the extrapolated
 * point is sum_k c_k x_{k+1}. Near a solution where the map is affine
 * (coordinate descent once the support is fixed) that point is much
 * closer to the fixed point than x_K. The caller keeps it only if it
 * lowers the objective, so a bad extrapolation costs one evaluation.
 */
#ifndef STRADS_APPS_ACCEL_H
#define STRADS_APPS_ACCEL_H

#include <stddef.h>

#define ACCEL_K 5 /* differences per extrapolation */

/*
 * x holds K + 1 iterates of length m, iterate k at x + k * stride
 * (1 <= K <= ACCEL_K). Writes K weights to c. Returns 0, or -1 when the
 * differences are degenerate (the iteration has stopped moving) and no
 * extrapolation should be tried.
 */
int accel_weights(const double *x, size_t stride, size_t m, int K, double *c);

#endif
