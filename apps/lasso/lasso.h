/*
 * lasso.h -- Lasso as a SchMP program:
 *   minimise (1/2n) ||y - X b - b0||^2 + lambda ||b||_1
 * (the glmnet and scikit-learn convention), by coordinate updates on
 * implicitly centred (and, with standardize, scaled) columns.
 */
#ifndef STRADS_APPS_LASSO_H
#define STRADS_APPS_LASSO_H

#include "data.h"
#include "strads.h"

typedef struct lasso_s {
	const data_matrix_t *X; /* borrowed: rows and responses */
	data_csc_t csc;         /* column-major copy, shared read-only */
	uint32_t n, p;
	int intercept, standardize;
	double lambda;
	double tol;    /* the run's gap target: how finely blocks are solved
	                * (lasso_ws.c; lasso_setup sets 1e-6) */
	double ybar;   /* mean response (0 without intercept) */
	double yy;     /* ||y - ybar||^2 */
	double lmax;   /* lambda_max (lasso_setup; no warm start needed) */
	double *mu;    /* column means (0 without intercept) */
	double *s;     /* column scale: 1/sd with standardize, else 1 */
	double *c;     /* curvature (1/n) ||xhat_j||^2 */
	double *csum;  /* column sums sum_i x_ij */
	const double *beta0; /* warm start on the internal scale, or NULL */

	/* The gradient carried from one penalty to the next of a path
	 * (lasso_ws_app, one process): when grad (p) is set, workers write
	 * their columns' gradient into it at every check, and a job whose
	 * beta0 is the coefficients of the last job's last check (the
	 * caller sets grad_warm) reads it at its first check instead of
	 * computing it: the gradient does not depend on lambda. Jobs may
	 * run side by side on copies of one lasso_t (strads run
	 * --path-jobs): everything else is read-only during a job, but
	 * each copy needs its own grad. */
	double *grad;
	int grad_warm;
	/* The step of the path this copy is at, bumped by each job set up
	 * on it (lasso-app.c). A path run as one job of stages
	 * (strads_job_opts_t.next) changes lambda between stages with the
	 * workers in place: a worker whose last check was of an earlier
	 * step reads that check's gradient from grad at its next one, as
	 * a warm-started job's first check does. */
	unsigned stage;
} lasso_t;

/* SchMP with Jacobi blocks: push gives gradients, pull soft-thresholds
 * (the priority, cyclic and random schedules). */
extern const strads_app_t lasso_app;
/* Working sets (STRADS_SCHEDULE_WORKSET): each block solved by one
 * worker's coordinate descent on its copy of the whole residual. */
extern const strads_app_t lasso_ws_app;

/* Prepares the shared state from X (which must have y). */
int lasso_setup(lasso_t *l, const data_matrix_t *X, int intercept,
    int standardize, char *err, size_t errlen);
void lasso_free(lasso_t *l);
/* max_j |xhat_j . (y - ybar)| / n: the smallest lambda with b = 0. */
double lasso_lambda_max(const lasso_t *l);
/* Internal-scale coefficients to the original scale: b_j = s_j beta_j,
 * b0 = ybar - sum_j mu_j b_j. */
double lasso_unscale(const lasso_t *l, const double *beta, double *b);

#endif
