/*
 * lasso.c -- the Lasso SchMP program with Jacobi blocks (lasso_app: the
 * priority, cyclic, random and Shotgun schedules), what both Lasso
 * programs share (convergence check, duality gap, Gap Safe screening,
 * working-set scores) and the set-up of the shared state; the
 * working-set program is lasso_ws.c.
 *
 * Columns are used as xhat_j = s_j (x_j - mu_j), never formed: X stays
 * sparse. A worker keeps, for its rows, r' with the residual r = r' + o
 * (o is one number: centring adds the same amount to every row), and the
 * sum of its r'. Then
 *   push:  g_j = sum_i xhat_ij r_i
 *              = s_j (x_j.r' + o sum x_j - mu_j (sum r' + n_w o))
 *   pull:  beta_j <- S(g_j / n + c_j beta_j, lambda) / c_j
 *   apply: r' -= s_j d x_j (sparse), o += s_j d mu_j
 * A worker's rows of column j are a contiguous run of the shared CSC
 * column (rows are sorted), found once: a view, not a copy.
 */
#include "lasso-int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
lasso__lower_bound(const uint32_t *row, uint64_t lo, uint64_t hi, uint64_t v)
{
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (row[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
worker_init(void *shared, const strads_shard_t *sh, void **out)
{
	const lasso_t *l = shared;
	const data_csc_t *x = &l->csc;
	lasso_worker_t *w = calloc(1, sizeof(*w));
	uint64_t i;
	uint32_t j;

	if (w == NULL)
		return -1;
	w->l = l;
	w->a = w->sa = sh->row_begin;
	w->b = w->sb = sh->row_end;
	/* p- and n-sized: in huge pages where the system has them
	 * (strads_large_alloc), so the first check does not pay a page
	 * fault every 4 KiB of them. */
	w->lo = strads_large_alloc((size_t)l->p * sizeof(uint64_t));
	w->hi = strads_large_alloc((size_t)l->p * sizeof(uint64_t));
	w->r = strads_large_alloc((size_t)(w->b - w->a + 1) * sizeof(double));
	if (w->lo == NULL || w->hi == NULL || w->r == NULL) {
		lasso__worker_fini(w);
		return -1;
	}
	for (j = 0; j < l->p; j++) {
		w->lo[j] = lasso__lower_bound(x->row, x->colptr[j], x->colptr[j + 1], w->a);
		w->hi[j] = lasso__lower_bound(x->row, w->lo[j], x->colptr[j + 1], w->b);
	}
	for (i = w->a; i < w->b; i++) {
		double r = l->X->y[i] - l->ybar;

		w->r[i - w->a] = r;
		w->sum_r += r;
	}
	if (l->beta0 != NULL) {
		/* r = ytilde - Xhat beta0 */
		for (j = 0; j < l->p; j++) {
			double d = l->beta0[j];
			uint64_t k;

			if (d == 0)
				continue;
			for (k = w->lo[j]; k < w->hi[j]; k++) {
				w->r[x->row[k] - w->a] -= l->s[j] * d * x->val[k];
				w->sum_r -= l->s[j] * d * x->val[k];
			}
			w->o += l->s[j] * d * l->mu[j];
		}
	}
	*out = w;
	return 0;
}

static void
push(void *ws, const strads_block_t *b, double *g)
{
	lasso_worker_t *w = ws;
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	double rsum = w->sum_r + (double)(w->b - w->a) * w->o;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];
		double dot = 0, cs = 0;
		uint64_t k;

		for (k = w->lo[j]; k < w->hi[j]; k++) {
			dot += x->val[k] * w->r[x->row[k] - w->a];
			cs += x->val[k];
		}
		g[t] = l->s[j] * (dot + w->o * cs - l->mu[j] * rsum);
	}
}

static void
apply(void *ws, const strads_block_t *b, const double *delta)
{
	lasso_worker_t *w = ws;
	const lasso_t *l = w->l;
	const data_csc_t *x = &l->csc;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];
		double f = l->s[j] * delta[t];
		uint64_t k;

		if (f == 0)
			continue;
		for (k = w->lo[j]; k < w->hi[j]; k++) {
			w->r[x->row[k] - w->a] -= f * x->val[k];
			w->sum_r -= f * x->val[k];
		}
		w->o += f * l->mu[j];
	}
}

/* stats: ||r||^2 and ytilde . r over the shard */
void
lasso__stats(void *ws, double *out)
{
	lasso_worker_t *w = ws;
	const lasso_t *l = w->l;
	double rr = 0, yr = 0;
	uint64_t i;

	/* A working-set worker has every row's residual: each row must be
	 * counted by one worker, so only the shard's. */
	for (i = w->sa; i < w->sb; i++) {
		double r = w->r[i - w->a] + w->o;

		rr += r * r;
		yr += (l->X->y[i] - l->ybar) * r;
	}
	out[0] = rr;
	out[1] = yr;
}

void
lasso__worker_fini(void *ws)
{
	lasso_worker_t *w = ws;

	strads_large_free(w->lo);
	strads_large_free(w->hi);
	strads_large_free(w->r);
	strads_large_free(w->beta);
	strads_large_free(w->sent);
	strads_large_free(w->acc);
	free(w);
}

double
lasso__soft(double z, double t)
{
	return z > t ? z - t : z < -t ? z + t : 0;
}

static void
pull(void *shared, const strads_block_t *b, const double *g, double *beta,
    double *delta)
{
	const lasso_t *l = shared;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		uint32_t j = b->idx[t];
		double cj = l->c[j], nb;

		if (!(cj > 0)) {
			delta[t] = 0;
			continue;
		}
		nb = lasso__soft(g[t] / l->n + cj * beta[t], l->lambda) / cj;
		delta[t] = nb - beta[t];
		beta[t] = nb;
	}
}

/* glmnet's dev.ratio: the share of the null model's squared error
 * explained, 1 - ||r||^2 / ||y - ybar||^2, from rr = ||r||^2. With no
 * non-zero the model is the null model: exactly 0, where the sums would
 * leave rounding of either sign. */
static double
dev_ratio(const lasso_t *l, double nnz, double rr)
{
	return nnz > 0 && l->yy > 0 ? 1 - rr / l->yy : 0;
}

/* check: sum |beta|, max |g_j| and the non-zeros of a range */
void
lasso__check(void *shared, strads_range_t r, const double *g, const double *beta,
    double *out)
{
	uint32_t j;
	double l1 = 0, gmax = 0, nnz = 0;

	(void)shared;
	for (j = 0; j < r.end - r.begin; j++) {
		l1 += fabs(beta[j]);
		nnz += beta[j] != 0;
		if (fabs(g[j]) > gmax)
			gmax = fabs(g[j]);
	}
	out[0] = l1;
	out[1] = gmax;
	out[2] = nnz;
}

/*
 * Primal P = ||r||^2 / 2n + lambda ||beta||_1. Dual point theta = k r with
 * k = min(1, n lambda / max_j |xhat_j . r|) is feasible, and
 * D = (||yt||^2 - ||yt - theta||^2) / 2n; the relative gap is (P - D) / P.
 */
void
lasso__objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	const lasso_t *l = shared;
	double l1 = 0, gmax = 0, nnz = 0, n = l->n, k, primal, dual, d2;
	int i;

	for (i = 0; i < nstores; i++) {
		l1 += ck[i * 3];
		gmax = fmax(gmax, ck[i * 3 + 1]);
		nnz += ck[i * 3 + 2];
	}
	primal = st[0] / (2 * n) + l->lambda * l1;
	k = gmax > n * l->lambda ? n * l->lambda / gmax : 1.0;
	d2 = l->yy - 2 * k * st[1] + k * k * st[0]; /* ||yt - k r||^2 */
	dual = (l->yy - d2) / (2 * n);
	out->objective = primal;
	out->support = (uint64_t)nnz;
	if (l->lambda == 0) {
		/* Least squares: no feasible dual point but 0, so the gap
		 * would stay at 1. The measure is then the KKT residual,
		 * max_j |xhat_j . r| / n relative to its value at b = 0
		 * (lambda_max). */
		out->criterion = l->lmax > 0 ? gmax / (n * l->lmax) : 0;
		strads_progress_add(out, "kkt", out->criterion, 0);
		strads_progress_add(out, "nnz", nnz, 1);
		strads_progress_add(out, "lambda", 0, 0);
		strads_progress_add(out, "dev_ratio", dev_ratio(l, nnz, st[0]), 0);
		return;
	}
	out->criterion = primal > 0 ? fmax(primal - dual, 0) / primal : 0;
	/* The progress line's order: "gap G  nnz N  lambda L" (the
	 * penalty: on a path, each record says which). */
	strads_progress_add(out, "gap", out->criterion, 0);
	strads_progress_add(out, "nnz", nnz, 1);
	strads_progress_add(out, "lambda", l->lambda, 0);
	strads_progress_add(out, "dev_ratio", dev_ratio(l, nnz, st[0]), 0);
}

/*
 * Gap Safe screening (Fercoq, Gramfort, Salmon 2015). In the n-scaled
 * problem 1/2 ||yt - Xhat b||^2 + n lambda ||b||_1 the dual is 1-strongly
 * concave, so the optimal dual point lies within sqrt(2 n G) of theta =
 * k r (G the gap of our scaling). Then |xhat_j . theta*| < n lambda, so
 * beta_j* = 0, whenever k |g_j| + |xhat_j| sqrt(2 n G) < n lambda.
 */
void
lasso__screen(void *shared, strads_range_t r, const double *g, const double *beta,
    const double *st, const double *ck, int nstores, uint8_t *active)
{
	const lasso_t *l = shared;
	double l1 = 0, gmax = 0, n = l->n, k, primal, dual, radius, bound;
	uint32_t j;
	int i;

	for (i = 0; i < nstores; i++) {
		l1 += ck[i * 3];
		gmax = fmax(gmax, ck[i * 3 + 1]);
	}
	primal = st[0] / (2 * n) + l->lambda * l1;
	k = gmax > n * l->lambda ? n * l->lambda / gmax : 1.0;
	dual = (l->yy - (l->yy - 2 * k * st[1] + k * k * st[0])) / (2 * n);
	radius = sqrt(2 * n * fmax(primal - dual, 0));
	bound = n * l->lambda * (1 - 1e-9); /* a margin for rounding */
	for (j = 0; j < r.end - r.begin; j++) {
		uint32_t col = r.begin + j;

		if (beta[j] != 0 || !active[j])
			continue;
		if (!(l->c[col] > 0) || k * fabs(g[j]) + sqrt(n * l->c[col]) * radius < bound)
			active[j] = 0;
	}
}

/*
 * Working-set priority: non-zeros first (they always belong), then by
 * |xhat_j . r| / (n lambda), the KKT ratio: above 1 the zero is wrong,
 * just below it the coefficient is about to enter.
 */
void
lasso__score(void *shared, strads_range_t r, const double *g, const double *beta,
    const double *st, const double *ck, int nstores, double *out)
{
	const lasso_t *l = shared;
	uint32_t j;

	/* Least squares (lambda 0) has no penalty to compare with: the
	 * gradient is measured against its largest value at b = 0. */
	double scale = l->n * (l->lambda > 0 ? l->lambda : l->lmax > 0 ? l->lmax : 1);

	(void)st;
	(void)ck;
	(void)nstores;
	for (j = 0; j < r.end - r.begin; j++) {
		if (!(l->c[r.begin + j] > 0))
			out[j] = 0; /* a constant column never moves */
		else if (beta[j] != 0)
			out[j] = 2 + fabs(g[j]) / scale;
		else
			out[j] = fmin(fabs(g[j]) / scale, 1.999);
	}
}

/* The priority of a change: the step in gradient units (c_j |d|, what
 * the dual point feels) over lambda, squared. Scale-free, so one eta
 * suits every problem: the CLI's 1e-4 is a step of 1% of lambda. */
static double
priority(void *shared, uint32_t j, double d)
{
	const lasso_t *l = shared;
	double v = l->c[j] * d;

	if (l->lambda > 0)
		v /= l->lambda; /* lambda 0 (least squares): the step alone */
	return v * v;
}

/* A coordinate's work: its column's non-zeros (plus one for the
 * update itself). */
double
lasso__cost(void *shared, uint32_t j)
{
	const lasso_t *l = shared;

	return (double)(l->csc.colptr[j + 1] - l->csc.colptr[j]) + 1;
}

/* |corr(xhat_j, xhat_k)| from a merge of the two sparse columns. */
static double
dependency(void *shared, uint32_t j, uint32_t k)
{
	const lasso_t *l = shared;
	const data_csc_t *x = &l->csc;
	uint64_t a = x->colptr[j], ae = x->colptr[j + 1];
	uint64_t b = x->colptr[k], be = x->colptr[k + 1];
	double dot = 0, nj, nk;

	if (!(l->c[j] > 0) || !(l->c[k] > 0))
		return 0;
	while (a < ae && b < be) {
		if (x->row[a] < x->row[b])
			a++;
		else if (x->row[a] > x->row[b])
			b++;
		else
			dot += x->val[a++] * x->val[b++];
	}
	dot = l->s[j] * l->s[k] * (dot - (double)l->n * l->mu[j] * l->mu[k]);
	nj = sqrt(l->c[j] * l->n);
	nk = sqrt(l->c[k] * l->n);
	return fabs(dot) / (nj * nk);
}

/*
 * The dependency filter for a whole round at once. Kept columns are
 * threaded through their rows (head[row] -> entries of kept columns in
 * that row), so one walk down a candidate's rows sums its dot products
 * with every kept column it shares a row with; the cost follows actual
 * overlap, not block^2. Kept columns it shares no row with still
 * correlate through centring: |n mu_j mu_k s_j s_k| / (|xhat_j| |xhat_k|)
 * = n a_j a_k with a_j = |mu_j s_j| / |xhat_j|.
 *
 * Pairwise |corr| <= rho is not enough for a block updated at once: many
 * small correlations add up and the block overshoots and oscillates. So
 * the block is also kept diagonally dominant: for every kept column the
 * sum of its |corr| with the others stays at most 1/2, which makes the
 * simultaneous (Jacobi) update a contraction.
 */
#define LASSO_DOMINANCE 0.5

typedef struct {
	uint32_t n, cap;
	uint32_t *head, *stamp; /* per row: first entry, round stamp */
	uint32_t *next, *kcol;  /* per entry: next in the row, kept index */
	double *kval;           /* per entry: the value */
	double *acc;            /* per kept column: dot with the candidate */
	double *rowsum;         /* per kept column: sum of its |corr| */
	double *a;              /* per kept column: a_k */
	uint32_t *touched, ntouched;
	uint32_t round;
} lasso_filter_t;

static uint32_t
filter(void *shared, void **scratch, const uint32_t *cand, uint32_t ncand,
    uint32_t max, double rho, uint32_t *out)
{
	const lasso_t *l = shared;
	const data_csc_t *x = &l->csc;
	lasso_filter_t *f = *scratch;
	uint32_t i, kept = 0, used = 0, t, q, misses = 0;
	double asum = 0; /* sum of a_k over kept */

	if (f == NULL) {
		/* One allocation for the header and the per-row arrays. */
		size_t rows = l->n;
		char *mem = calloc(1, sizeof(*f) + 2 * rows * sizeof(uint32_t));

		if (mem == NULL)
			return 0;
		f = (lasso_filter_t *)mem;
		f->n = l->n;
		f->head = (uint32_t *)(mem + sizeof(*f));
		f->stamp = f->head + rows;
		*scratch = f;
	}
	if (f->acc == NULL) {
		/* Per kept column; max is the same every round. */
		f->acc = calloc(max, sizeof(double));
		f->rowsum = calloc(max, sizeof(double));
		f->a = calloc(max, sizeof(double));
		f->touched = malloc((size_t)max * 4);
		if (f->acc == NULL || f->rowsum == NULL || f->a == NULL || f->touched == NULL)
			return 0; /* out of memory: an empty block */
	}
	if (++f->round == 0) {
		memset(f->stamp, 0, (size_t)f->n * sizeof(uint32_t));
		f->round = 1;
	}
	for (i = 0; i < ncand && kept < max; i++) {
		uint32_t j = cand[i];
		uint64_t k, nnz = x->colptr[j + 1] - x->colptr[j];
		double nj, aj, worst = 0, sum;
		int ok;

		if (!(l->c[j] > 0)) {
			out[kept++] = j; /* never changes: depends on nothing */
			continue;
		}
		nj = sqrt(l->c[j] * l->n);
		aj = fabs(l->mu[j] * l->s[j]) / nj;
		/* Shared rows: exact dot products with the kept columns. */
		f->ntouched = 0;
		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++) {
			uint32_t row = x->row[k], e;

			if (f->stamp[row] != f->round)
				continue;
			for (e = f->head[row]; e != UINT32_MAX; e = f->next[e]) {
				uint32_t kk = f->kcol[e];

				if (f->acc[kk] == 0)
					f->touched[f->ntouched++] = kk;
				f->acc[kk] += x->val[k] * f->kval[e];
			}
		}
		/* acc[kk] becomes |corr| with kept column kk (touched). */
		sum = (double)l->n * aj * asum;
		for (t = 0; t < f->ntouched; t++) {
			uint32_t kk = f->touched[t], c = out[kk];
			double d = fabs(l->s[j] * l->s[c] *
			               (f->acc[kk] - (double)l->n * l->mu[j] * l->mu[c])) /
			    (nj * sqrt(l->c[c] * l->n));

			sum += d - (double)l->n * aj * f->a[kk];
			f->acc[kk] = d > 0 ? d : 1e-300; /* stays marked touched */
			worst = fmax(worst, d);
		}
		ok = !(fmax(worst, (double)l->n * aj * (kept ? asum : 0)) > rho) &&
		    !(sum > LASSO_DOMINANCE);
		/* Every kept column must stay dominant too. */
		for (q = 0; q < kept && ok; q++) {
			double d = f->acc[q] != 0 ? f->acc[q] : (double)l->n * aj * f->a[q];

			ok = !(f->rowsum[q] + d > LASSO_DOMINANCE);
		}
		if (ok) {
			for (q = 0; q < kept; q++)
				f->rowsum[q] += f->acc[q] != 0 ? f->acc[q] : (double)l->n * aj * f->a[q];
		}
		for (t = 0; t < f->ntouched; t++)
			f->acc[f->touched[t]] = 0;
		if (!ok) {
			/* On dense or correlated data most candidates fail and
			 * each costs a walk over its rows: stop after a run of
			 * misses; the next round draws others. */
			if (++misses >= 16)
				break;
			continue;
		}
		misses = 0;
		/* Keep j: thread its rows. */
		if (used + nnz > f->cap) {
			uint32_t cap = (uint32_t)((used + nnz) * 2 + 64);
			uint32_t *nx = realloc(f->next, (size_t)cap * 4);
			uint32_t *kc = nx ? realloc(f->kcol, (size_t)cap * 4) : NULL;
			double *kv = kc ? realloc(f->kval, (size_t)cap * 8) : NULL;

			if (nx != NULL)
				f->next = nx;
			if (kc != NULL)
				f->kcol = kc;
			if (kv == NULL)
				return kept; /* out of memory: a smaller block */
			f->kval = kv;
			f->cap = cap;
		}
		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++) {
			uint32_t row = x->row[k];

			if (f->stamp[row] != f->round) {
				f->stamp[row] = f->round;
				f->head[row] = UINT32_MAX;
			}
			f->next[used] = f->head[row];
			f->kcol[used] = kept;
			f->kval[used] = x->val[k];
			f->head[row] = used++;
		}
		f->rowsum[kept] = sum;
		f->a[kept] = aj;
		asum += aj;
		out[kept++] = j;
	}
	return kept;
}

static void
filter_free(void *scratch)
{
	lasso_filter_t *f = scratch;

	free(f->next);
	free(f->kcol);
	free(f->kval);
	free(f->acc);
	free(f->rowsum);
	free(f->a);
	free(f->touched);
	free(f); /* head and stamp share its allocation */
}

/* The coefficients: one store table of p rows (the job's nparams),
 * declared once for both programs (lasso-int.h). */
const strads_table_decl_t lasso__tables[1] = {
    {.name = "beta", .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1},
};

const strads_app_t lasso_app = {
    .name = "lasso",
    .tables = lasso__tables,
    .ntables = 1,
    .width = 1,
    .nstats = 2,
    .ncheck = 3,
    .worker_init = worker_init,
    .push = push,
    .apply = apply,
    .stats = lasso__stats,
    .worker_fini = lasso__worker_fini,
    .pull = pull,
    .check = lasso__check,
    .dependency = dependency,
    .cost = lasso__cost,
    .priority = priority,
    .filter = filter,
    .filter_free = filter_free,
    .screen = lasso__screen,
    .objective = lasso__objective,
};

int
lasso_setup(lasso_t *l, const data_matrix_t *X, int intercept, int standardize,
    char *err, size_t errlen)
{
	uint32_t j;
	uint64_t i, k;

	memset(l, 0, sizeof(*l));
	l->tol = 1e-6;
	if (X->y == NULL) {
		snprintf(err, errlen, "the data has no response (for CSV, name the response column with --target)");
		return -1;
	}
	if (X->n == 0 || X->p == 0) {
		snprintf(err, errlen, "the data is empty (%u rows, %u columns)", X->n, X->p);
		return -1;
	}
	l->X = X;
	l->n = X->n;
	l->p = X->p;
	l->intercept = intercept;
	l->standardize = standardize;
	if (data_csc(X, &l->csc) != 0) {
		snprintf(err, errlen, "out of memory building the column-major copy");
		return -1;
	}
	l->mu = calloc(l->p, sizeof(double));
	l->s = malloc(l->p * sizeof(double));
	l->c = calloc(l->p, sizeof(double));
	l->csum = calloc(l->p, sizeof(double));
	if (l->mu == NULL || l->s == NULL || l->c == NULL || l->csum == NULL) {
		lasso_free(l);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (intercept) {
		for (i = 0; i < l->n; i++)
			l->ybar += X->y[i];
		l->ybar /= l->n;
	}
	for (i = 0; i < l->n; i++)
		l->yy += (X->y[i] - l->ybar) * (X->y[i] - l->ybar);
	for (j = 0; j < l->p; j++) {
		double sum = 0, sq = 0, var;

		for (k = l->csc.colptr[j]; k < l->csc.colptr[j + 1]; k++) {
			sum += l->csc.val[k];
			sq += l->csc.val[k] * l->csc.val[k];
		}
		l->csum[j] = sum;
		l->mu[j] = intercept ? sum / l->n : 0;
		/* (1/n) ||x_j - mu_j||^2 = sq/n - mu^2 */
		var = sq / l->n - l->mu[j] * l->mu[j];
		if (var < 0)
			var = 0;
		l->s[j] = standardize && var > 0 ? 1 / sqrt(var) : 1;
		l->c[j] = l->s[j] * l->s[j] * var;
		if (!(var > 1e-300))
			l->c[j] = 0; /* a constant column never enters */
	}
	l->lmax = lasso_lambda_max(l);
	return 0;
}

void
lasso_free(lasso_t *l)
{
	data_csc_free(&l->csc);
	free(l->mu);
	free(l->s);
	free(l->c);
	free(l->csum);
	memset(l, 0, sizeof(*l));
}

double
lasso_lambda_max(const lasso_t *l)
{
	const data_csc_t *x = &l->csc;
	double best = 0, ysum = 0;
	uint64_t i, k;
	uint32_t j;

	for (i = 0; i < l->n; i++)
		ysum += l->X->y[i] - l->ybar;
	for (j = 0; j < l->p; j++) {
		double dot = 0;

		if (!(l->c[j] > 0))
			continue;
		for (k = x->colptr[j]; k < x->colptr[j + 1]; k++)
			dot += x->val[k] * (l->X->y[x->row[k]] - l->ybar);
		dot = fabs(l->s[j] * (dot - l->mu[j] * ysum));
		if (dot > best)
			best = dot;
	}
	return best / l->n;
}

double
lasso_unscale(const lasso_t *l, const double *beta, double *b)
{
	double b0 = l->ybar;
	uint32_t j;

	for (j = 0; j < l->p; j++) {
		b[j] = l->s[j] * beta[j];
		b0 -= l->mu[j] * b[j];
	}
	return l->intercept ? b0 : 0;
}
