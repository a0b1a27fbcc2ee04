/*
 * logreg.c -- L1-regularised logistic regression as a SchMP program on
 * working sets (logreg_ws_app; doc/logreg.md), and the set-up of its
 * shared state.
 *
 * Every worker keeps, for every row, the margin z_i = w . x_i + b and
 * e_i = exp(y_i z_i), and its own copy of the parameters, as Lasso's
 * working-set workers keep the residual (apps/lasso/lasso_ws.c). A check
 * splits the full gradient among the workers by column ranges balanced
 * by non-zeros; each worker sums the loss over its own shard of rows. A
 * block (a working set) is solved by worker 0 (lr_push says why) by
 * newGLMNET (Yuan, Ho and Lin 2012): a quadratic model of the
 * loss at the current point, minimised with the L1 term by cyclic
 * coordinate descent (a Newton step a coordinate, the CDN update), then
 * a backtracking line search on the true objective along the result.
 * The others apply its changes to their margins.
 */
#include "config.h"

#include "logreg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const logreg_t *m;
	uint64_t sa, sb;             /* the shard's rows, which stats sums */
	uint32_t own_begin, own_end; /* its columns of a check */
	uint32_t index, count;       /* shard index among count */
	double *z;    /* n: margins */
	double *e;    /* n: exp(y_i z_i) */
	double *u;    /* n: the loss's derivative in z_i, -C y_i p_i */
	double *D;    /* n: its second derivative, C p_i (1 - p_i) */
	double *ud;   /* 2n: u_i and D_i side by side, so the solve's pass
	                 over a column's rows misses the cache once a row */
	double *q;    /* n: X d, the direction's change of the margins */
	double *en;   /* n: exp(y_i (z_i + s q_i)), a line search's trial */
	double *beta; /* np: its copy of the parameters (exact at the
	                 owner, worker 0, which solves every block) */
	double *g, *h, *d; /* a block's gradient, curvature, direction */
	double *rad;       /* the largest |d| each coordinate may take */
	uint32_t *act;     /* positions in the block of a Newton step's model */
	uint32_t *qact;    /* of those, the ones an inner sweep visits */
	uint32_t cap;      /* their length */
	uint64_t rng;      /* lr_rand's state, never 0 */
	int e_stale;       /* z moved since e was made from it (lr_move) */
} lr_worker_t;

/* sum over k in [lo, hi) of val[k] * v[row[k]], four partial sums so
 * the additions do not wait on each other. */
static double
sparse_dot(const double *val, const uint32_t *row, uint64_t lo, uint64_t hi,
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

/* x_j . v; the intercept's column (j == p) is all ones. */
static double
col_dot(const logreg_t *m, uint32_t j, const double *v)
{
	const data_csc_t *x = &m->csc;
	double s = 0;
	uint32_t i;

	if (j < m->p)
		return sparse_dot(x->val, x->row, x->colptr[j], x->colptr[j + 1], v);
	for (i = 0; i < m->n; i++)
		s += v[i];
	return s;
}

/* The larger of a and b, inline: fmax is a call into libm (its NaN
 * rules), 4% of a solve's time when it was in the loops below. */
static inline double
dmax(double a, double b)
{
	return a > b ? a : b;
}

/* log(1 + exp(-t)) given e = exp(t), without overflow either way. */
static inline double
loss_of(double t, double e)
{
	return t > 0 ? log1p(1 / e) : -t + log1p(e);
}

/* The minimum-norm subgradient of C loss + |w_j| in coordinate j, given
 * the loss's gradient g and w_j (the intercept is not penalised). */
static inline double
viol(double g, double w, int free_)
{
	if (free_)
		return fabs(g);
	if (w > 0)
		return fabs(g + 1);
	if (w < 0)
		return fabs(g - 1);
	return dmax(0, fabs(g) - 1);
}

/* First column whose CSC entries start at or after entry v. */
static uint32_t
col_at(const data_csc_t *x, uint32_t p, uint64_t v)
{
	uint32_t lo = 0, hi = p;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (x->colptr[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* beta_j += d in the worker's copy and its margins z, not e: a worker
 * that applies the owner's changes reads e only after the next check has
 * made it afresh from z (lr_push), and an exp a non-zero of every changed
 * column, where a row has many, was most of an apply's time (e_stale
 * says it is to be made again). */
static void
lr_move(lr_worker_t *w, uint32_t j, double d)
{
	const logreg_t *m = w->m;
	const data_csc_t *x = &m->csc;
	uint64_t k;

	w->beta[j] += d;
	w->e_stale = 1;
	if (j == m->p) {
		uint32_t i;

		for (i = 0; i < m->n; i++)
			w->z[i] += d;
		return;
	}
	for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
		w->z[x->row[k]] += d * x->val[k];
}

static void
lr_worker_fini(void *ws)
{
	lr_worker_t *w = ws;

	free(w->z);
	free(w->e);
	free(w->u);
	free(w->D);
	free(w->ud);
	free(w->q);
	free(w->en);
	free(w->beta);
	free(w->g);
	free(w->h);
	free(w->d);
	free(w->rad);
	free(w->act);
	free(w->qact);
	free(w);
}

static int
lr_worker_init(void *shared, const strads_shard_t *sh, void **out)
{
	const logreg_t *m = shared;
	const data_csc_t *x = &m->csc;
	uint64_t nnz = x->colptr[m->p];
	lr_worker_t *w = calloc(1, sizeof(*w));
	size_t n = (size_t)m->n + 1;
	uint32_t i, j;

	if (w == NULL)
		return -1;
	w->m = m;
	w->sa = sh->row_begin;
	w->sb = sh->row_end;
	w->index = sh->index;
	w->count = sh->count;
	w->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)sh->index + 1);
	/* The intercept (column p, n entries) goes with the last range. */
	w->own_begin = sh->index == 0 ? 0 : col_at(x, m->p, nnz * sh->index / sh->count);
	w->own_end = sh->index + 1 == sh->count ? m->np
	    : col_at(x, m->p, nnz * (sh->index + 1) / sh->count);
	w->z = calloc(n, sizeof(double));
	w->e = malloc(n * sizeof(double));
	w->u = malloc(n * sizeof(double));
	w->D = malloc(n * sizeof(double));
	w->ud = malloc(2 * n * sizeof(double));
	w->q = calloc(n, sizeof(double));
	w->en = malloc(n * sizeof(double));
	w->beta = calloc(m->np, sizeof(double));
	if (w->z == NULL || w->e == NULL || w->u == NULL || w->D == NULL ||
	    w->ud == NULL || w->q == NULL || w->en == NULL || w->beta == NULL) {
		lr_worker_fini(w);
		return -1;
	}
	if (m->beta0 != NULL) {
		for (j = 0; j < m->p; j++) {
			uint64_t k;

			if ((w->beta[j] = m->beta0[j]) == 0)
				continue;
			for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
				w->z[x->row[k]] += w->beta[j] * x->val[k];
		}
		if (m->intercept) {
			w->beta[m->p] = m->beta0[m->p];
			for (i = 0; i < m->n; i++)
				w->z[i] += w->beta[m->p];
		}
	}
	for (i = 0; i < m->n; i++)
		w->e[i] = exp(m->y[i] * w->z[i]);
	*out = w;
	return 0;
}

/* u and D from the margins (e refreshed from z when fresh is set). */
static void
lr_derivs(lr_worker_t *w, int fresh)
{
	const logreg_t *m = w->m;
	double C = m->C;
	uint32_t i;

	for (i = 0; i < m->n; i++) {
		double p, r;

		if (fresh)
			w->e[i] = exp(m->y[i] * w->z[i]);
		p = 1 / (1 + w->e[i]); /* the probability of the wrong label */
		r = 1 / (1 + 1 / w->e[i]); /* 1 - p, also where p rounds to 1 */
		w->u[i] = w->ud[2 * i] = -C * m->y[i] * p;
		w->D[i] = w->ud[2 * i + 1] = C * p * r;
	}
}

#define LR_OUTER 100  /* Newton steps a block's solve takes at most */
#define LR_INNER 1000 /* coordinate sweeps of one quadratic model */
#define LR_SIGMA 0.01 /* Armijo's sufficient decrease */
#define LR_MOVE 10    /* margins a coordinate's Newton step may move */
#define LR_REL 0.1    /* a block is solved to this share of its first
                         largest violation (or to the tolerance) */

static int
lr_block_grow(lr_worker_t *w, uint32_t n)
{
	if (w->cap >= n)
		return 0;
	free(w->g);
	free(w->h);
	free(w->d);
	free(w->rad);
	free(w->act);
	free(w->qact);
	w->g = malloc(n * sizeof(double));
	w->h = malloc(n * sizeof(double));
	w->d = malloc(n * sizeof(double));
	w->rad = malloc(n * sizeof(double));
	w->act = malloc(n * sizeof(uint32_t));
	w->qact = malloc(n * sizeof(uint32_t));
	if (w->g == NULL || w->h == NULL || w->d == NULL || w->rad == NULL ||
	    w->act == NULL || w->qact == NULL) {
		w->cap = 0;
		return -1;
	}
	w->cap = n;
	return 0;
}

/* xorshift64*: the worker's own generator for the sweeps' order. */
static uint64_t
lr_rand(lr_worker_t *w)
{
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* x_j . (D o q), the quadratic model's change of coordinate j's
 * gradient along the direction so far. */
static double
dq_dot(const lr_worker_t *w, uint32_t j)
{
	const logreg_t *m = w->m;
	const data_csc_t *x = &m->csc;
	double G = 0;
	uint64_t k;
	uint32_t i;

	if (j < m->p) {
		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++) {
			uint32_t r = x->row[k];

			G += x->val[k] * w->D[r] * w->q[r];
		}
		return G;
	}
	for (i = 0; i < m->n; i++)
		G += w->D[i] * w->q[i];
	return G;
}

/* q += step x_j. */
static void
q_move(lr_worker_t *w, uint32_t j, double step)
{
	const logreg_t *m = w->m;
	const data_csc_t *x = &m->csc;
	uint64_t k;
	uint32_t i;

	if (j < m->p) {
		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
			w->q[x->row[k]] += step * x->val[k];
		return;
	}
	for (i = 0; i < m->n; i++)
		w->q[i] += step;
}

/*
 * The quadratic model's minimiser over the active coordinates by cyclic
 * coordinate descent (CDN's step in closed form), as newGLMNET solves
 * it: a coordinate at zero whose model gradient stays inside (-1 + M,
 * 1 - M), M the last sweep's largest violation over n, sits out the
 * following sweeps; the solve stops when the violations' sum is at most
 * eps x the block's first (then, if some sat out, goes on with all of
 * them). Returns the sweeps made.
 */
static uint32_t
lr_inner(lr_worker_t *w, const strads_block_t *b, uint32_t nact, double eps)
{
	const logreg_t *m = w->m;
	double gmax_old = INFINITY;
	uint32_t sweep, nq = nact, a;

	memcpy(w->qact, w->act, nact * sizeof(uint32_t));
	memset(w->q, 0, (size_t)m->n * sizeof(double));
	for (sweep = 0; sweep < LR_INNER; sweep++) {
		double gmax = 0, norm1 = 0, bar = gmax_old / m->n;

		/* A random order each sweep, as LIBLINEAR's: on coupled
		 * columns (one-hot groups) a fixed order crawls. */
		for (a = 0; a + 1 < nq; a++) {
			uint32_t r = a + (uint32_t)(lr_rand(w) % (nq - a)), tmp = w->qact[a];

			w->qact[a] = w->qact[r];
			w->qact[r] = tmp;
		}
		for (a = 0; a < nq; a++) {
			uint32_t t = w->qact[a], j = b->idx[t];
			double G = w->g[t] + dq_dot(w, j), H = w->h[t];
			double wj = w->beta[j] + w->d[t], v, step, dn;

			if (j != m->p && wj == 0 && fabs(G) < 1 - bar) {
				w->qact[a--] = w->qact[--nq]; /* sits out */
				continue;
			}
			v = viol(G, wj, j == m->p);
			gmax = dmax(gmax, v);
			norm1 += v;
			if (j == m->p)
				step = -G / H;
			else if (G + 1 <= H * wj)
				step = -(G + 1) / H;
			else if (G - 1 >= H * wj)
				step = -(G - 1) / H;
			else
				step = -wj;
			/* To zero exactly, so the zero is seen as one. */
			dn = step == -wj ? -w->beta[j] : w->d[t] + step;
			/* Within the coordinate's radius: the model's
			 * minimiser on the interval, the function being
			 * convex in d_t. */
			if (fabs(dn) > w->rad[t])
				dn = copysign(w->rad[t], dn);
			step = dn - w->d[t];
			if (step == 0)
				continue;
			w->d[t] = dn;
			q_move(w, j, step);
		}
		if (norm1 <= eps) {
			if (nq == nact)
				break;
			nq = nact; /* everyone again, before stopping */
			memcpy(w->qact, w->act, nact * sizeof(uint32_t));
			gmax_old = INFINITY;
			continue;
		}
		gmax_old = gmax;
	}
	return sweep;
}

/*
 * One worker's solve of a block by newGLMNET, to a largest violation of
 * the block's optimality conditions of tol / 2 (in the criterion's
 * units) or LR_REL of the block's first, whichever is larger, or
 * LR_OUTER Newton steps. As in Blitz and celer, a working set is solved
 * only as far as the check after it can tell: solving an early, too
 * small set to the final tolerance was wasted (about 20% of the CPU
 * time on the generated 20000 x 50000 and 50000 x 250000 sets); the
 * next working set holds the same coordinates and goes on from there. Shrinking as newGLMNET's: a zero
 * coordinate whose gradient is inside (-1 + M, 1 - M), M the last
 * step's largest violation over n, is left out of the step's model; the
 * inner tolerance starts loose and is cut by 4 whenever a model is
 * solved in one sweep. Each coordinate's step is bounded: |d_j| is at
 * most max(LR_MOVE / max_i |x_ij|, |w_j|). Where every row of a column
 * is fitted (or misfitted) far out, p (1 - p) ~ 0 and the model has no
 * curvature: its step was unbounded (1e11 on a generated set), and one
 * such entry made the line search along the whole block's direction
 * fail, so the solve stalled for good. The bound keeps the direction a
 * descent one (d = 0 is inside it) and is inactive near the optimum.
 */
static void
lr_solve(lr_worker_t *w, const strads_block_t *b)
{
	const logreg_t *m = w->m;
	const data_csc_t *x = &m->csc;
	double target = 0.5 * m->tol * m->C * m->g0, M = INFINITY, norm1_init = -1;
	double inner_eps = 1;
	uint32_t t, i, outer;

	for (outer = 0; outer < LR_OUTER; outer++) {
		double vmax = 0, norm1 = 0, delta = 0, s = 1;
		uint32_t trial, nact = 0, sweeps;

		lr_derivs(w, 0);
		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];
			double hh = 0, xm = 1, v;
			uint64_t k;

			/* The gradient and the curvature in one pass over
			 * the column: the curvature is wasted on a coordinate
			 * that sits out, but a second pass over u's and D's
			 * scattered rows cost more. */
			if (j < m->p) {
				double gg = 0;

				xm = 0;
				for (k = x->colptr[j]; k < x->colptr[j + 1]; k++) {
					uint32_t r = x->row[k];
					double xv = x->val[k];

					gg += xv * w->ud[2 * r];
					hh += xv * xv * w->ud[2 * r + 1];
					xm = dmax(xm, fabs(xv));
				}
				w->g[t] = gg;
			} else {
				w->g[t] = col_dot(m, j, w->u);
				for (i = 0; i < m->n; i++)
					hh += w->D[i];
			}
			w->d[t] = 0;
			v = viol(w->g[t], w->beta[j], j == m->p);
			vmax = dmax(vmax, v);
			norm1 += v;
			if (j != m->p && w->beta[j] == 0 && fabs(w->g[t]) < 1 - M / m->n)
				continue;
			w->h[t] = hh + 1e-12;
			w->rad[t] = dmax(LR_MOVE / xm, fabs(w->beta[j]));
			w->act[nact++] = t;
		}
		if (norm1_init < 0) {
			norm1_init = norm1;
			target = dmax(target, LR_REL * vmax);
		}
		if (vmax <= target)
			break;
		M = vmax;
		sweeps = lr_inner(w, b, nact, inner_eps * norm1_init);
		if (sweeps == 0)
			inner_eps *= 0.25;
		/* The predicted decrease: the loss's first order and the
		 * penalty's change. */
		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];

			if (w->d[t] == 0)
				continue;
			delta += w->g[t] * w->d[t];
			if (j < m->p)
				delta += fabs(w->beta[j] + w->d[t]) - fabs(w->beta[j]);
		}
		if (!(delta < 0)) {
			inner_eps *= 0.25; /* no descent: solve the next model finer */
			continue;
		}
		for (trial = 0; trial < 30; trial++, s *= 0.5) {
			double dl = 0, dr = 0;

			/* Each row's change of loss without cancellation (near
			 * the optimum the changes are far below the loss's
			 * rounding): with t = y z moving by a, p = 1 / (1 +
			 * e^t), the change is log1p(p expm1(-a)), and e^t
			 * becomes e^t / (1 + expm1(-a)). */
			for (i = 0; i < m->n; i++) {
				double em;

				if (w->q[i] == 0)
					continue;
				em = expm1(-s * m->y[i] * w->q[i]);
				dl += log1p(em / (1 + w->e[i]));
				w->en[i] = w->e[i] / (1 + em);
			}
			for (t = 0; t < b->n; t++) {
				uint32_t j = b->idx[t];

				if (j < m->p && w->d[t] != 0)
					dr += fabs(w->beta[j] + s * w->d[t]) - fabs(w->beta[j]);
			}
			if (m->C * dl + dr <= LR_SIGMA * s * delta)
				break;
		}
		if (trial == 30)
			break; /* no decrease along d: as far as rounding allows */
		for (i = 0; i < m->n; i++) {
			if (w->q[i] == 0)
				continue;
			w->z[i] += s * w->q[i];
			w->e[i] = w->en[i];
		}
		for (t = 0; t < b->n; t++)
			w->beta[b->idx[t]] += s * w->d[t];
	}
}

static void
lr_push(void *ws, const strads_block_t *b, double *out)
{
	lr_worker_t *w = ws;
	const logreg_t *m = w->m;
	uint32_t t;

	if (b->check) {
		/* e afresh from z: what the incremental updates drifted,
		 * and what lr_move left stale. */
		lr_derivs(w, 1);
		w->e_stale = 0;
		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];

			if (j >= w->own_begin && j < w->own_end)
				out[t] = col_dot(m, j, w->u);
		}
		return;
	}
	/* One worker, the first, solves the whole block, as Lasso's
	 * working sets do: splitting a block between workers moves coupled
	 * coordinates at once. It pushes the block's new values, the
	 * others zeros, so the store gets its values bit for bit: a zero
	 * that is one at the owner is one at the store, and the check's
	 * optimality conditions see it as such (a sum of changes would
	 * leave 1e-17 where the owner has 0). */
	if (w->index != 0)
		return;
	if (w->e_stale) {
		lr_derivs(w, 1); /* a block with no check before it */
		w->e_stale = 0;
	}
	if (lr_block_grow(w, b->n) == 0)
		lr_solve(w, b); /* out of memory: no change this round */
	for (t = 0; t < b->n; t++)
		out[t] = w->beta[b->idx[t]];
}

static void
lr_apply(void *ws, const strads_block_t *b, const double *delta)
{
	lr_worker_t *w = ws;
	uint32_t t;

	/* The owner's copy and margins are where the changes came from. */
	if (w->index == 0)
		return;
	for (t = 0; t < b->n; t++)
		if (delta[t] != 0)
			lr_move(w, b->idx[t], delta[t]);
}

/* The loss over the shard's rows (each row counted by one worker). */
static void
lr_stats(void *ws, double *out)
{
	lr_worker_t *w = ws;
	const logreg_t *m = w->m;
	double s = 0;
	uint64_t i;

	for (i = w->sa; i < w->sb; i++) {
		double t = m->y[i] * w->z[i];

		s += loss_of(t, exp(t));
	}
	out[0] = m->C * s;
}

/* The owner pushed the new values, the others zeros: the sum is the
 * owner's values exactly. */
static void
lr_pull(void *shared, const strads_block_t *b, const double *g, double *beta,
    double *delta)
{
	uint32_t t;

	(void)shared;
	for (t = 0; t < b->n; t++) {
		delta[t] = g[t] - beta[t];
		beta[t] = g[t];
	}
}

/* check: sum |w|, the largest violation and the non-zeros of a range
 * (the intercept is neither penalised nor counted). */
static void
lr_check(void *shared, strads_range_t r, const double *g, const double *beta,
    double *out)
{
	const logreg_t *m = shared;
	double l1 = 0, vmax = 0, nnz = 0;
	uint32_t j;

	for (j = 0; j < r.end - r.begin; j++) {
		int b = r.begin + j == m->p;

		vmax = dmax(vmax, viol(g[j], beta[j], b));
		if (b)
			continue;
		l1 += fabs(beta[j]);
		nnz += beta[j] != 0;
	}
	out[0] = l1;
	out[1] = vmax;
	out[2] = nnz;
}

/*
 * The objective is the loss the workers summed plus the penalty. The
 * criterion is the largest violation of the optimality conditions (the
 * minimum-norm subgradient's largest entry) relative to the loss's
 * gradient at zero, C g0: scale-free, and 0 exactly at the optimum.
 */
static void
lr_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	const logreg_t *m = shared;
	double l1 = 0, vmax = 0, nnz = 0;
	int i;

	for (i = 0; i < nstores; i++) {
		l1 += ck[i * 3];
		vmax = fmax(vmax, ck[i * 3 + 1]);
		nnz += ck[i * 3 + 2];
	}
	out->objective = m->obj_scale * (st[0] + l1);
	out->criterion = vmax / (m->C * m->g0);
	out->support = (uint64_t)nnz + (uint64_t)m->intercept;
	/* The progress line's order: "kkt K  nnz N  C C" (the penalty: on
	 * a path, each record says which). */
	strads_progress_add(out, "kkt", out->criterion, 0);
	strads_progress_add(out, "nnz", nnz, 1);
	strads_progress_add(out, "C", m->C, 0);
	/* The same penalty in glmnet's convention, lambda = 1 / (n C): a
	 * path's (and --lambda's) objective is in that one, (1/n) sum
	 * log-loss + lambda ||w||_1, so its table says both. */
	strads_progress_add(out, "lambda", 1 / ((double)m->n * m->C), 0);
}

/*
 * Working-set priority: the intercept always, then the non-zeros, then
 * the zeros by |g_j|, the KKT ratio (the penalty's weight is 1): above
 * 1 the zero is wrong, just below it the coefficient is about to enter.
 */
static void
lr_score(void *shared, strads_range_t r, const double *g, const double *beta,
    const double *st, const double *ck, int nstores, double *out)
{
	const logreg_t *m = shared;
	uint32_t j;

	(void)st;
	(void)ck;
	(void)nstores;
	for (j = 0; j < r.end - r.begin; j++) {
		uint32_t col = r.begin + j;

		if (col == m->p)
			out[j] = 1e300;
		else if (m->csc.colptr[col + 1] == m->csc.colptr[col])
			out[j] = 0; /* an empty column never moves */
		else if (beta[j] != 0)
			out[j] = 2 + fabs(g[j]);
		else
			out[j] = fmin(fabs(g[j]), 1.999);
	}
}

/* A coordinate's work: its column's non-zeros, plus one. */
static double
lr_cost(void *shared, uint32_t j)
{
	const logreg_t *m = shared;

	if (j == m->p)
		return (double)m->n + 1;
	return (double)(m->csc.colptr[j + 1] - m->csc.colptr[j]) + 1;
}

static const strads_table_decl_t lr_tables[1] = {
    {.name = "beta", .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1},
};

const strads_app_t logreg_ws_app = {
    .name = "logreg",
    .tables = lr_tables,
    .ntables = 1,
    .width = 1,
    .nstats = 1,
    .ncheck = 3,
    .worker_init = lr_worker_init,
    .push = lr_push,
    .apply = lr_apply,
    .stats = lr_stats,
    .worker_fini = lr_worker_fini,
    .pull = lr_pull,
    .check = lr_check,
    .score = lr_score,
    .cost = lr_cost,
    .objective = lr_objective,
};

int
logreg_setup(logreg_t *m, const data_matrix_t *X, int intercept, uint32_t *bad_row,
    char *err, size_t errlen)
{
	int has_zero = 0, has_neg = 0;
	uint32_t i, j, npos = 0;
	double g0 = 0, sy = 0;

	memset(m, 0, sizeof(*m));
	*bad_row = UINT32_MAX;
	m->tol = 1e-6;
	m->C = 1;
	m->obj_scale = 1;
	if (X->y == NULL) {
		snprintf(err, errlen, "the data has no labels (for CSV, name the label column with --target)");
		return -1;
	}
	if (X->n == 0 || X->p == 0) {
		snprintf(err, errlen, "the data is empty (%u rows, %u columns)", X->n, X->p);
		return -1;
	}
	m->y = malloc((size_t)X->n * sizeof(double));
	if (m->y == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Labels +1/-1 or 0/1; a file may not mix 0 and -1. */
	for (i = 0; i < X->n; i++) {
		double v = X->y[i];

		if (v == 0)
			has_zero = 1;
		else if (v == -1)
			has_neg = 1;
		if ((v != 1 && v != -1 && v != 0) || (has_zero && has_neg)) {
			*bad_row = i;
			snprintf(err, errlen, "expected a label +1/-1 or 0/1, got %.17g%s", v,
			    v == 0 || v == -1 ? " (the labels before it were of the other kind)" : "");
			free(m->y);
			m->y = NULL;
			return -1;
		}
		m->y[i] = v == 1 ? 1 : -1;
		npos += v == 1;
		sy += m->y[i];
	}
	if (npos == 0 || npos == X->n) {
		snprintf(err, errlen, "every label is %s: a logistic model needs both classes",
		    npos == 0 ? "negative" : "positive");
		free(m->y);
		m->y = NULL;
		return -1;
	}
	m->labels01 = has_zero;
	m->X = X;
	m->n = X->n;
	m->p = X->p;
	m->intercept = intercept != 0;
	m->np = m->p + (uint32_t)m->intercept;
	if (data_csc(X, &m->csc) != 0) {
		snprintf(err, errlen, "out of memory building the column-major copy");
		free(m->y);
		m->y = NULL;
		return -1;
	}
	for (j = 0; j < m->p; j++)
		g0 = fmax(g0, fabs(col_dot(m, j, m->y)));
	if (intercept)
		g0 = fmax(g0, fabs(sy));
	m->g0 = g0 > 0 ? g0 / 2 : 1;
	return 0;
}

void
logreg_free(logreg_t *m)
{
	data_csc_free(&m->csc);
	free(m->y);
	memset(m, 0, sizeof(*m));
}

/* The gradient of (1/n) sum log-loss at w = 0 with the best intercept
 * (the positives' share pbar; 1/2 without one) is (1/n) x_j . (pbar -
 * y01): its largest entry is the smallest lambda with w = 0. */
double
logreg_lambda_max(const logreg_t *m)
{
	const data_csc_t *x = &m->csc;
	double pbar = 0.5, best = 0;
	uint32_t i, j;

	if (m->intercept) {
		pbar = 0;
		for (i = 0; i < m->n; i++)
			pbar += m->y[i] > 0;
		pbar /= m->n;
	}
	for (j = 0; j < m->p; j++) {
		double s = 0;
		uint64_t k;

		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
			s += x->val[k] * (pbar - (m->y[x->row[k]] > 0));
		best = fmax(best, fabs(s));
	}
	return best / m->n;
}

/* The margins of beta, into z (n). */
static void
margins(const logreg_t *m, const double *beta, double *z)
{
	const data_matrix_t *X = m->X;
	uint32_t i;

	for (i = 0; i < m->n; i++) {
		double s = m->intercept ? beta[m->p] : 0;
		uint64_t k;

		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++)
			s += X->val[k] * beta[X->col[k]];
		z[i] = s;
	}
}

double
logreg_objective(const logreg_t *m, const double *beta)
{
	double *z = malloc((size_t)m->n * sizeof(double) + 1), loss = 0, l1 = 0;
	uint32_t i, j;

	if (z == NULL)
		return NAN;
	margins(m, beta, z);
	for (i = 0; i < m->n; i++) {
		double t = m->y[i] * z[i];

		loss += loss_of(t, exp(t));
	}
	for (j = 0; j < m->p; j++)
		l1 += fabs(beta[j]);
	free(z);
	return m->C * loss + l1;
}

double
logreg_kkt(const logreg_t *m, const double *beta)
{
	double *z = malloc((size_t)m->n * sizeof(double) + 1), vmax = 0;
	uint32_t i, j;

	if (z == NULL)
		return NAN;
	margins(m, beta, z);
	for (i = 0; i < m->n; i++)
		z[i] = -m->C * m->y[i] / (1 + exp(m->y[i] * z[i]));
	for (j = 0; j < m->np; j++)
		vmax = fmax(vmax, viol(col_dot(m, j, z), beta[j], j == m->p));
	free(z);
	return vmax / (m->C * m->g0);
}
