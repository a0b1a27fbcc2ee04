/*
 * lasso_ws.c -- Lasso with working sets (lasso_ws_app, what `strads run
 * lasso` uses by default; doc/schmp.md, "Working sets").
 *
 * Every worker keeps the residual of every row (r = r' + o over all n
 * rows) and its own copy of the coefficients. A check splits the full
 * gradient among the workers by column ranges balanced by non-zeros. A
 * block of at most LASSO_PAIRS_MAX columns comes with pair terms over
 * each worker's rows, and the store's pull solves it exactly; a larger
 * one is solved by one worker (rotating with the round) by cyclic
 * coordinate descent on its residual, and the others apply its changes.
 */
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
	double dot = 0, rsum = w->sum_r + (double)l->n * w->o;
	uint64_t k;

	for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
		dot += x->val[k] * w->r[x->row[k]];
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
	w->own_begin = sh->index == 0 ? 0 : col_at(x, l->p, nnz * sh->index / sh->count);
	w->own_end = sh->index + 1 == sh->count ? l->p
	    : col_at(x, l->p, nnz * (sh->index + 1) / sh->count);
	w->r = malloc((size_t)(l->n + 1) * sizeof(double));
	w->beta = calloc(l->p, sizeof(double));
	w->sent = calloc(l->p, sizeof(double));
	w->slo = malloc((size_t)l->p * sizeof(uint64_t));
	w->shi = malloc((size_t)l->p * sizeof(uint64_t));
	if (w->r == NULL || w->beta == NULL || w->sent == NULL || w->slo == NULL ||
	    w->shi == NULL) {
		lasso__worker_fini(w);
		return -1;
	}
	for (j = 0; j < l->p; j++) {
		w->slo[j] = lasso__lower_bound(x->row, x->colptr[j], x->colptr[j + 1], w->sa);
		w->shi[j] = lasso__lower_bound(x->row, w->slo[j], x->colptr[j + 1], w->sb);
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

/* Blocks up to this size are solved exactly at the store from pair
 * terms; larger ones by one worker. */
#define LASSO_PAIRS_MAX 512

/* x_j . x_k over [sa, sb), x_j scattered in w->dense. */
static double
dot_dense(const lasso_worker_t *w, uint32_t k)
{
	const data_csc_t *x = &w->l->csc;
	double d = 0;
	uint64_t e;

	for (e = w->slo[k]; e < w->shi[k]; e++)
		d += x->val[e] * w->dense[x->row[e]];
	return d;
}

/*
 * The pair terms of a block over the shard's rows, G_jk = xhat_j . xhat_k:
 *   s_j s_k (x_j.x_k - mu_k cs_j - mu_j cs_k + n_w mu_j mu_k)
 * with cs_j the shard's column sums. Dot products of pairs already in
 * the last block are reused; a new column is scattered once and dotted
 * with every column of the block.
 */
static int
pair_terms(lasso_worker_t *w, const strads_block_t *b, const double *cs, double *G)
{
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	uint32_t n = b->n, t, u, q = 0;
	double nw = (double)(w->sb - w->sa);
	int32_t *pos = malloc((size_t)n * sizeof(int32_t));
	double *raw = malloc((size_t)n * n * sizeof(double));

	if (pos == NULL || raw == NULL || (w->dense == NULL &&
	    (w->dense = calloc(l->n + 1, sizeof(double))) == NULL)) {
		free(pos);
		free(raw);
		return -1;
	}
	for (t = 0; t < n; t++) {
		while (q < w->gn && w->gidx[q] < b->idx[t])
			q++;
		pos[t] = q < w->gn && w->gidx[q] == b->idx[t] ? (int32_t)q : -1;
	}
	for (t = 0; t < n; t++) {
		uint64_t e;

		if (pos[t] >= 0) {
			for (u = 0; u < n; u++)
				if (pos[u] >= 0)
					raw[(size_t)t * n + u] =
					    w->graw[(size_t)pos[t] * w->gn + (uint32_t)pos[u]];
			continue;
		}
		for (e = w->slo[b->idx[t]]; e < w->shi[b->idx[t]]; e++)
			w->dense[x->row[e]] = x->val[e];
		for (u = 0; u < n; u++) {
			if (pos[u] < 0 && u < t)
				continue; /* done when u was scattered */
			raw[(size_t)t * n + u] = raw[(size_t)u * n + t] = dot_dense(w, b->idx[u]);
		}
		for (e = w->slo[b->idx[t]]; e < w->shi[b->idx[t]]; e++)
			w->dense[x->row[e]] = 0;
	}
	for (t = 0; t < n; t++) {
		uint32_t j = b->idx[t];

		for (u = 0; u < n; u++) {
			uint32_t k = b->idx[u];

			G[(size_t)t * n + u] = l->s[j] * l->s[k] *
			    (raw[(size_t)t * n + u] - l->mu[k] * cs[t] - l->mu[j] * cs[u] +
			        nw * l->mu[j] * l->mu[k]);
		}
	}
	free(pos);
	free(w->graw);
	free(w->gidx);
	w->graw = raw;
	w->gidx = malloc((size_t)n * 4);
	w->gn = w->gidx != NULL ? n : 0;
	if (w->gidx != NULL)
		memcpy(w->gidx, b->idx, (size_t)n * 4);
	return 0;
}

/* A small block: the gradient and pair terms over the shard's rows. */
static void
ws_push_pairs(lasso_worker_t *w, const strads_block_t *b, double *g)
{
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	double rsum = 0, nw = (double)(w->sb - w->sa);
	double *cs = malloc((size_t)(b->n ? b->n : 1) * sizeof(double));
	uint64_t i;
	uint32_t t;

	for (i = w->sa; i < w->sb; i++)
		rsum += w->r[i];
	rsum += nw * w->o;
	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];
		double dot = 0, c = 0;
		uint64_t k;

		for (k = w->slo[j]; k < w->shi[j]; k++) {
			dot += x->val[k] * w->r[x->row[k]];
			c += x->val[k];
		}
		g[t] = l->s[j] * (dot + w->o * c - l->mu[j] * rsum);
		if (cs != NULL)
			cs[t] = c;
	}
	if (cs == NULL || pair_terms(w, b, cs, g + b->n) != 0) {
		/* Out of memory: NaN terms make the pull change nothing. */
		size_t q;

		for (q = 0; q < (size_t)b->n * b->n; q++)
			g[b->n + q] = NAN;
	}
	free(cs);
}

/*
 * The block solved exactly at the store: with the pair terms G,
 * changing beta_t by d changes every g_u by -G_ut d, so coordinate
 * descent runs on the summed partials alone, with the same sweeps and
 * stopping rule (lasso__settled) as a worker's solve (ws_push).
 */
static void
pull_exact(const lasso_t *l, const strads_block_t *b, const double *g0,
    double *beta, double *delta)
{
	uint32_t n = b->n, t, u, sweeps = 0;
	const double *G = g0 + n;
	double *g = malloc((size_t)(n ? n : 1) * sizeof(double));
	double *start = malloc((size_t)(n ? n : 1) * sizeof(double));
	double eps = lasso__settle_eps(l);
	int full = 1;

	if (g == NULL || start == NULL) {
		free(g);
		free(start);
		memset(delta, 0, (size_t)n * sizeof(double));
		return;
	}
	memcpy(g, g0, (size_t)n * sizeof(double));
	memcpy(start, beta, (size_t)n * sizeof(double));
	while (sweeps++ < LASSO_WS_SWEEPS) {
		double worst = 0;

		for (t = 0; t < n; t++) {
			double cj = l->c[b->idx[t]], nb, d;
			const double *row = G + (size_t)t * n;

			if (!(cj > 0) || (!full && beta[t] == 0))
				continue;
			nb = lasso__soft(g[t] / l->n + cj * beta[t], l->lambda) / cj;
			d = nb - beta[t];
			if (d == 0 || !isfinite(nb))
				continue;
			beta[t] = nb;
			for (u = 0; u < n; u++)
				g[u] -= row[u] * d;
			worst = fmax(worst, cj * d * d);
		}
		if (lasso__settled(worst, eps, &full))
			break;
	}
	for (t = 0; t < n; t++)
		delta[t] = beta[t] - start[t];
	free(g);
	free(start);
}

static void
ws_push(void *ws, const strads_block_t *b, double *out)
{
	lasso_worker_t *w = ws;
	const lasso_t *l = w->l;
	double eps = lasso__settle_eps(l);
	uint32_t t, sweeps = 0;
	int full = 1;

	if (b->pairs) {
		ws_push_pairs(w, b, out);
		return;
	}
	if (b->check) {
		for (t = 0; t < b->n; t++) {
			uint32_t j = b->idx[t];

			if (j >= w->own_begin && j < w->own_end)
				out[t] = ws_grad(w, j);
		}
		return;
	}
	/* One worker solves the whole block: the others' sweeps would
	 * move coupled columns at once (block Jacobi), which on correlated
	 * supports costs far more rounds than the second core saves. The
	 * owner rotates with the round. Cyclic coordinate descent: the
	 * non-zeros until they settle, then all of the block (glmnet's
	 * scheme), until no coordinate moves the objective by more than a
	 * 1e-15 fraction of the null model's. */
	if (b->round % w->count != w->index)
		return;
	while (sweeps++ < LASSO_WS_SWEEPS) {
		double worst = 0;

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
			w->sent[j] += d;
			worst = fmax(worst, cj * d * d);
		}
		if (lasso__settled(worst, eps, &full))
			break;
	}
	for (t = 0; t < b->n; t++)
		out[t] = w->sent[b->idx[t]];
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

/* Small blocks: solve them from the pair terms. Others: the owner
 * computed the change; add it. */
static void
ws_pull(void *shared, const strads_block_t *b, const double *g, double *beta,
    double *delta)
{
	uint32_t t;

	if (b->pairs) {
		pull_exact(shared, b, g, beta, delta);
		return;
	}
	for (t = 0; t < b->n; t++) {
		delta[t] = g[t];
		beta[t] += g[t];
	}
}

const strads_app_t lasso_ws_app = {
    .name = "lasso",
    .width = 1,
    .nstats = 2,
    .ncheck = 3,
    .pairs = LASSO_PAIRS_MAX,
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
