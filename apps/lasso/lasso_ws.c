/*
 * lasso_ws.c -- Lasso with working sets (lasso_ws_app, what `strads run
 * lasso` uses by default; doc/schmp.md, "Working sets").
 *
 * Every worker keeps the residual of every row (r = r' + o over all n
 * rows) and its own copy of the coefficients. A check splits the full
 * gradient among the workers by column ranges balanced by non-zeros. A
 * block is solved by one worker (rotating with the round) by cyclic
 * coordinate descent on its residual, Anderson-extrapolated (accel.h),
 * and the others apply its changes.
 */
#include "accel.h"
#include "lasso-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* xhat_j . r over every row. */
static double
ws_grad(const lasso_worker_t *w, uint32_t j)
{
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	double rsum = w->sum_r + (double)l->n * w->o;
	double dot = lasso__sparse_dot(x->val, x->row, x->colptr[j], x->colptr[j + 1], w->r);

	return l->s[j] * (dot + w->o * l->csum[j] - l->mu[j] * rsum);
}

/* beta_j += d in the worker's copy and its residual. */
static void
ws_move(lasso_worker_t *w, uint32_t j, double d)
{
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	double f = l->s[j] * d;
	uint64_t k;

	w->beta[j] += d;
	for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
		w->r[x->row[k]] -= f * x->val[k];
	w->sum_r -= f * l->csum[j];
	w->o += f * l->mu[j];
}

static int
ws_worker_init(void *shared, const strads_shard_t *sh, void **out)
{
	const lasso_t *l = shared;
	const data_csc_t *x = &l->csc;
	uint64_t nnz = x->colptr[l->p], i;
	lasso_worker_t *w = calloc(1, sizeof(*w));
	uint32_t j;

	if (w == NULL)
		return -1;
	w->l = l;
	w->a = 0; /* the residual of every row */
	w->b = l->n;
	w->sa = sh->row_begin;
	w->sb = sh->row_end;
	w->index = sh->index;
	w->count = sh->count;
	w->stage = l->stage;
	w->own_begin = sh->index == 0 ? 0 : col_at(x, l->p, nnz * sh->index / sh->count);
	w->own_end = sh->index + 1 == sh->count ? l->p
	    : col_at(x, l->p, nnz * (sh->index + 1) / sh->count);
	/* In huge pages where the system has them (strads_large_alloc):
	 * the first check sweeps all of beta, sent and r. */
	w->r = strads_large_alloc((size_t)(l->n + 1) * sizeof(double));
	w->beta = strads_large_alloc((size_t)l->p * sizeof(double));
	w->sent = strads_large_alloc((size_t)l->p * sizeof(double));
	if (w->r == NULL || w->beta == NULL || w->sent == NULL) {
		lasso__worker_fini(w);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		w->r[i] = l->X->y[i] - l->ybar;
		w->sum_r += w->r[i];
	}
	if (l->beta0 != NULL) {
		/* r = ytilde - Xhat beta0 */
		for (j = 0; j < l->p; j++)
			if (l->beta0[j] != 0)
				ws_move(w, j, l->beta0[j]);
	}
	*out = w;
	return 0;
}

#define LASSO_WS_SWEEPS 1000

/* f restricted to what a block's solve changes: the loss and the
 * block's penalty, from a state laid out as in ws_accel. */
static double
ws_state_obj(const lasso_t *l, const double *x, uint32_t W)
{
	const double *r = x + W;
	double o = x[W + l->n], rr = 0, l1 = 0;
	uint32_t i;

	for (i = 0; i < l->n; i++)
		rr += (r[i] + o) * (r[i] + o);
	for (i = 0; i < W; i++)
		l1 += fabs(x[i]);
	return rr / (2.0 * l->n) + l->lambda * l1;
}

/*
 * Records the state after a sweep of a large block: its coefficients,
 * the residual, o and sum_r, all affine in the coefficients. Every
 * ACCEL_K + 1 records, the Anderson extrapolation of the coefficients
 * (accel.h) with the same weights applied to the rest is kept if it
 * lowers the objective. *kept counts the records held.
 */
static void
ws_accel(lasso_worker_t *w, const strads_block_t *b, int *kept)
{
	const lasso_t *l = w->l;
	size_t W = b->n, n = l->n, stride = W + n + 2, i;
	double *x = w->acc + (size_t)*kept * stride, *last, c[ACCEL_K];
	uint32_t t;
	int k;

	for (t = 0; t < b->n; t++)
		x[t] = w->beta[b->idx[t]];
	memcpy(x + W, w->r, n * sizeof(double));
	x[W + n] = w->o;
	x[W + n + 1] = w->sum_r;
	if (++*kept < ACCEL_K + 1)
		return;
	last = x;
	*kept = 1;
	if (accel_weights(w->acc, stride, W, ACCEL_K, c) != 0) {
		memcpy(w->acc, last, stride * sizeof(double));
		return;
	}
	/* The extrapolation overwrites the first record, which only the
	 * differences needed. */
	for (i = 0; i < stride; i++) {
		double s = 0;

		for (k = 0; k < ACCEL_K; k++)
			s += c[k] * w->acc[(size_t)(k + 1) * stride + i];
		w->acc[i] = s;
	}
	if (!(ws_state_obj(l, w->acc, b->n) < ws_state_obj(l, last, b->n))) {
		memcpy(w->acc, last, stride * sizeof(double));
		return;
	}
	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];

		w->beta[j] = w->acc[t];
	}
	memcpy(w->r, w->acc + W, n * sizeof(double));
	w->o = w->acc[W + n];
	w->sum_r = w->acc[W + n + 1];
	/* A coefficient the last sweep's soft threshold left at 0 stays
	 * exactly 0: extrapolating from earlier non-zeros would leave dust
	 * of 1e-17 that no later sweep need touch. */
	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];

		if (last[t] == 0 && w->beta[j] != 0)
			ws_move(w, j, -w->beta[j]);
	}
}

/* Coordinate descent's stopping rule. A sweep is small when no
 * coordinate stepped by more than tol x lambda in gradient units
 * (c_j |d|, what the duality gap's dual point feels) or moved the
 * objective (c_j d^2) by more than 1e-15 of the null model's. A small
 * full sweep ends the solve. A full sweep that is not small starts
 * sweeps of the non-zeros alone, until one is small or has steps under
 * WS_BAR of the full sweep's: converging them finer while full sweeps
 * still change them is work the next full sweep undoes. (Converging
 * them all the way, as glmnet does, took 37% more column visits on the
 * finance-shaped path.) */
#define WS_BAR 0.1

typedef struct {
	int full;   /* the next sweep is of the whole block */
	double bar; /* step that ends the non-zeros' sweeps early */
} ws_settle_t;

static int
ws_settled(const lasso_t *l, ws_settle_t *st, double step, double sq)
{
	int small = step <= l->tol * l->lambda || sq <= 1e-15 * l->yy / l->n;

	if (st->full) {
		if (small)
			return 1;
		st->full = 0;
		st->bar = WS_BAR * step;
		return 0;
	}
	if (small || step <= st->bar)
		st->full = 1;
	return 0;
}

static void
ws_push(void *ws, const strads_block_t *b, double *out)
{
	lasso_worker_t *w = ws;
	const lasso_t *l = w->l;
	ws_settle_t st = {1, 0};
	uint32_t t, sweeps = 0;
	int kept = 0;
	size_t need;

	if (b->check) {
		/* The first check of a warm-started path step, in a job of
		 * its own or as the next stage of this one: the last step's
		 * last gradient (lasso.h, grad), made at the coefficients
		 * this step starts from. */
		const double *g0 = l->grad == NULL ? NULL
		    : !w->checked ? (l->grad_warm ? l->grad : NULL)
		    : w->stage != l->stage ? l->grad : NULL;

		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];

			if (j < w->own_begin || j >= w->own_end)
				continue;
			out[t] = g0 != NULL ? g0[j] : ws_grad(w, j);
			if (l->grad != NULL && g0 == NULL)
				l->grad[j] = out[t];
		}
		w->checked = 1;
		w->stage = l->stage;
		return;
	}
	/* One worker solves the whole block: the others' sweeps would
	 * move coupled columns at once (block Jacobi), which on correlated
	 * supports costs far more rounds than the second core saves. The
	 * owner rotates with the round. Cyclic coordinate descent: the
	 * non-zeros until they settle, then all of the block (glmnet's
	 * scheme), until a full sweep settles (ws_settled); every
	 * ACCEL_K + 1 sweeps of one kind, an Anderson extrapolation. */
	if (b->round % w->count != w->index)
		return;
	need = (ACCEL_K + 1) * ((size_t)b->n + l->n + 2);
	if (w->acc_cap < need) {
		strads_large_free(w->acc);
		w->acc = strads_large_alloc(need * sizeof(double));
		w->acc_cap = w->acc != NULL ? need : 0;
	}
	/* The block's starting values: the change pushed is new - old,
	 * computed once, so that a coefficient that ends at 0 is 0 at the
	 * store too (old + (0 - old) is exactly 0; a sum of the sweeps'
	 * moves is not). */
	for (t = 0; t < b->n; t++)
		w->sent[b->idx[t]] = w->beta[b->idx[t]];
	while (sweeps++ < LASSO_WS_SWEEPS) {
		double step = 0, sq = 0;
		int full = st.full;

		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];
			double cj = l->c[j], nb, d;

			if (!(cj > 0) || (!full && w->beta[j] == 0))
				continue;
			nb = lasso__soft(ws_grad(w, j) / l->n + cj * w->beta[j], l->lambda) / cj;
			d = nb - w->beta[j];
			if (d == 0)
				continue;
			ws_move(w, j, d);
			step = fmax(step, cj * fabs(d));
			sq = fmax(sq, cj * d * d);
		}
		if (ws_settled(l, &st, step, sq))
			break;
		if (st.full != full)
			kept = 0; /* another map: a new history */
		if (w->acc != NULL)
			ws_accel(w, b, &kept);
	}
	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];

		out[t] = w->beta[j] - w->sent[j];
		w->sent[j] = out[t];
	}
}

static void
ws_apply(void *ws, const strads_block_t *b, const double *delta)
{
	lasso_worker_t *w = ws;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];
		double d = delta[t];

		/* What this worker moved is applied already, unless the
		 * store changed it (screened out in flight: held at 0). */
		d -= w->sent[j];
		w->sent[j] = 0;
		if (d != 0)
			ws_move(w, j, d);
	}
}

/* The owner computed the change; the others pushed 0: add it up. */
static void
ws_pull(void *shared, const strads_block_t *b, const double *g, double *beta,
    double *delta)
{
	uint32_t t;

	(void)shared;
	for (t = 0; t < b->n; t++) {
		delta[t] = g[t];
		beta[t] += g[t];
	}
}


const strads_app_t lasso_ws_app = {
    .name = "lasso",
    .tables = lasso__tables,
    .ntables = 1,
    .width = 1,
    .nstats = 2,
    .ncheck = 3,
    .worker_init = ws_worker_init,
    .push = ws_push,
    .apply = ws_apply,
    .stats = lasso__stats,
    .worker_fini = lasso__worker_fini,
    .pull = ws_pull,
    .check = lasso__check,
    .screen = lasso__screen,
    .score = lasso__score,
    .cost = lasso__cost,
    .objective = lasso__objective,
};
