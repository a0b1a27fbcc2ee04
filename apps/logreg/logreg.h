/*
 * logreg.h -- sparse L1-regularised logistic regression as a SchMP
 * program:
 *   minimise C sum_i log(1 + exp(-y_i (w . x_i + b))) + ||w||_1
 * (LIBLINEAR's -s 6 objective, with an unpenalised intercept b when
 * intercept is set), labels y_i in {-1, +1}. The (1/n) convention,
 * (1/n) sum_i log-loss + lambda ||w||_1, is the same problem with
 * C = 1 / (n lambda), its objective lambda times this one (obj_scale).
 *
 * The parameters are w_0 .. w_{p-1} and, with intercept, b as parameter
 * p: one store table of p + intercept rows.
 */
#ifndef STRADS_APPS_LOGREG_H
#define STRADS_APPS_LOGREG_H

#include "data.h"
#include "strads.h"

typedef struct logreg_s {
	const data_matrix_t *X; /* borrowed: rows */
	data_csc_t csc;         /* column-major copy, shared read-only */
	double *y;              /* n labels in {-1, +1} (owned) */
	uint32_t n, p;
	uint32_t np;            /* parameters: p + intercept */
	int intercept;
	int labels01;           /* the data's labels were 0/1, not -1/+1 */
	double C;
	double obj_scale;       /* objective reported = obj_scale x this
	                           one: 1, or lambda for the (1/n) form */
	double tol;             /* stop at kkt <= tol (relative) */
	double g0;              /* max_j |sum_i x_ij y_i| / 2: the loss's
	                           gradient at zero is C g0 */
	const double *beta0;    /* warm start (np values) or NULL */
} logreg_t;

/* Coordinate descent with a Newton step a coordinate (newGLMNET) on
 * working sets (STRADS_SCHEDULE_WORKSET). */
extern const strads_app_t logreg_ws_app;

/* Prepares the shared state from X, whose responses must be +1/-1 or
 * 0/1 (-1 with a message naming the first other row, 0-based, in
 * *bad_row; UINT32_MAX when the error is not a row's). */
int logreg_setup(logreg_t *m, const data_matrix_t *X, int intercept,
    uint32_t *bad_row, char *err, size_t errlen);
void logreg_free(logreg_t *m);
/* The smallest lambda (the (1/n) form) whose model is w = 0. */
double logreg_lambda_max(const logreg_t *m);
/* C sum_i log(1 + exp(-y_i (w . x_i + b))) + ||w||_1 at beta (np
 * values), straight from the rows: what tests compare. */
double logreg_objective(const logreg_t *m, const double *beta);
/* The largest violation of the optimality conditions at beta (the
 * minimum-norm subgradient's largest entry), relative to C g0. */
double logreg_kkt(const logreg_t *m, const double *beta);

#endif
