/*
 * lasso-int.h -- what the two Lasso programs share: lasso.c (SchMP with
 * Jacobi blocks, lasso_app) and lasso_ws.c (working sets, lasso_ws_app).
 */
#ifndef STRADS_APPS_LASSO_INT_H
#define STRADS_APPS_LASSO_INT_H

#include "lasso.h"

typedef struct {
	const lasso_t *l;
	uint64_t a, b;   /* rows [a, b) */
	uint64_t *lo;    /* p: first CSC entry of column j in the shard */
	uint64_t *hi;    /* p: one past the last */
	double *r;       /* b - a: r' */
	double o;        /* residual offset */
	double sum_r;    /* sum of r' */
	uint64_t sa, sb; /* the shard's rows, which stats sums over */

	/* Working sets (lasso_ws_app): r covers every row ([a, b) is all of
	 * them), the gradient of [own_begin, own_end) is this worker's part
	 * of a check, and a large block is solved by one worker. */
	uint32_t own_begin, own_end;
	uint32_t index, count;       /* shard index among count */
	double *beta;         /* p: its copy of the parameters */
	double *sent;         /* p: changes it made in its last push */
	int checked;          /* it has made a check in this job */
	unsigned stage;       /* l->stage at its last check (or start) */

	/* Anderson extrapolation of a large block's solve: the last
	 * ACCEL_K + 1 states (block coefficients, residual, o, sum_r). */
	double *acc;
	size_t acc_cap;
} lasso_worker_t;

/*
 * sum over k in [lo, hi) of val[k] * v[row[k]]: the inner loop of every
 * gradient. Four partial sums, so the additions do not wait on each
 * other (one running sum makes the loop as slow as the add's latency).
 */
static inline double
lasso__sparse_dot(const double *val, const uint32_t *row, uint64_t lo, uint64_t hi,
    const double *v)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	uint64_t k = lo;

	for (; k + 4 <= hi; k += 4) {
		s0 += val[k] * v[row[k]];
		s1 += val[k + 1] * v[row[k + 1]];
		s2 += val[k + 2] * v[row[k + 2]];
		s3 += val[k + 3] * v[row[k + 3]];
	}
	for (; k < hi; k++)
		s0 += val[k] * v[row[k]];
	return (s0 + s1) + (s2 + s3);
}

/* S(z, t): the soft threshold. */
double lasso__soft(double z, double t);
/* First index of row[lo, hi) (ascending) at or above v. */
uint64_t lasso__lower_bound(const uint32_t *row, uint64_t lo, uint64_t hi,
    uint64_t v);
void lasso__worker_fini(void *ws);
/* Worker stats: ||r||^2 and ytilde . r over the shard's rows. */
void lasso__stats(void *ws, double *out);

/* The parameter tables both programs declare: "beta", the store table
 * of the coefficients. */
extern const strads_table_decl_t lasso__tables[1];

/* Store and coordinator callbacks both programs use. */
void lasso__check(void *shared, strads_range_t r, const double *g,
    const double *beta, double *out);
void lasso__objective(void *shared, const double *st, const double *ck,
    int nstores, strads_progress_t *out);
void lasso__screen(void *shared, strads_range_t r, const double *g,
    const double *beta, const double *st, const double *ck, int nstores,
    uint8_t *active);
double lasso__cost(void *shared, uint32_t j);
void lasso__score(void *shared, strads_range_t r, const double *g,
    const double *beta, const double *st, const double *ck, int nstores,
    double *out);

#endif
