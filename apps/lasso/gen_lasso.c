/*
 * gen_lasso.c -- sparse regression data with a planted sparse truth:
 * the generator behind `strads gen lasso`. gen.h says exactly what is
 * drawn; this file says how.
 *
 * Randomness comes in independent streams, each a xoshiro256** seeded
 * from (seed, stream, index) through splitmix64: one for the row
 * lengths, one for the column permutation, one per row for its pattern
 * and one per row for its values, one for beta, one for the noise. A
 * row therefore does not depend on how the rows before it were drawn,
 * and changing an option touches only the streams that use it.
 *
 * Drawing a row's columns by weight without replacement is the costly
 * part (tens of millions of draws). Ranks are drawn from an alias table
 * (O(1) a draw) and a rank already in the row is drawn again; when the
 * ranks taken hold over half the weight, so that more than half of the
 * draws would be wasted, the row goes on from a Fenwick sum tree with
 * its taken ranks removed (O(log p) a draw), then puts them back. Both
 * draw each next rank with probability proportional to its weight among
 * the ranks not yet taken, so the switch changes speed, not the
 * distribution. Weights are integers, so removing and restoring them
 * leaves the tree exactly as it was, row after row.
 */
#include "config.h"

#include "gen_lasso.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long ull;

/* Stream numbers: fixed forever, or seeds would change meaning. */
enum {
	STREAM_LENGTH = 1,
	STREAM_PERM = 2,
	STREAM_PATTERN = 3,
	STREAM_VALUES = 4,
	STREAM_BETA = 5,
	STREAM_NOISE = 6
};

#define SORT_SMALL 16	/* insertion sort below this many */
#define TFIDF_SIGMA 0.5 /* sd of the log-values (gen.h) */
#define SUPPORT_POOL 4	/* support drawn among this many x k columns */


/* ---- PRNG ---- */

typedef struct {
	uint64_t s[4];
	double spare; /* the second normal of a pair */
	int has_spare;
} rng_t;

/* splitmix64's output function: a bijection on 64 bits. */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t
splitmix64(uint64_t *x)
{
	*x += 0x9e3779b97f4a7c15ull;
	return mix64(*x);
}

/* Stream (stream, index) of seed. For a fixed seed and stream, distinct
 * indices give distinct splitmix64 states, hence unrelated streams. */
static void
rng_seed(rng_t *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t x = mix64(mix64(seed + 0x9e3779b97f4a7c15ull) ^ stream);
	int i;

	x = mix64(x + 0x9e3779b97f4a7c15ull) ^ index;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x); /* never all zero: a bijection */
	r->has_spare = 0;
	r->spare = 0;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static inline uint64_t
rng_next(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform on [0, 1), 53 bits. */
static inline double
rng_u01(rng_t *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform on [0, n), n > 0, unbiased (Lemire's method). */
static inline uint64_t
rng_below(rng_t *r, uint64_t n)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;

	if ((uint64_t)m < n) {
		uint64_t t = (0 - n) % n;

		while ((uint64_t)m < t)
			m = (unsigned __int128)rng_next(r) * n;
	}
	return (uint64_t)(m >> 64);
#else
	uint64_t x, lim = UINT64_MAX - UINT64_MAX % n;

	do
		x = rng_next(r);
	while (x >= lim);
	return x % n;
#endif
}

/* N(0, 1), Marsaglia's polar method. */
static double
rng_normal(rng_t *r)
{
	double u, v, s;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	do {
		u = 2 * rng_u01(r) - 1;
		v = 2 * rng_u01(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	s = sqrt(-2 * log(s) / s);
	r->spare = v * s;
	r->has_spare = 1;
	return u * s;
}

/* ---- weighted sampling of ranks without replacement ---- */

/* Everything about one rank, together: a draw touches one cache line
 * (two when the alias answers, and aliases are mostly the few heavy
 * ranks, which stay cached). */
typedef struct {
	uint64_t cut; /* slot r answers r when below cut, else alias */
	uint64_t q;   /* integer weight, >= 1 */
	uint32_t alias;
	uint32_t stamp; /* the mark of the last row that took this rank */
	uint32_t col;	/* the column of this rank */
	uint32_t pad_;
} rank_t;

typedef struct {
	uint32_t p;
	uint64_t total; /* sum of q */
	rank_t *rk;	/* p (owned) */
	uint64_t *tree; /* p + 1, Fenwick over q; NULL until needed (owned) */
	uint64_t top;	/* highest power of two <= p */
} sampler_t;

static void
sampler_free(sampler_t *s)
{
	free(s->rk);
	free(s->tree);
	memset(s, 0, sizeof(*s));
}

/*
 * Weights q_r ~ 1 / (r + 1)^skew for ranks r = 0..p-1, scaled so the
 * largest is floor(2^62 / p): the total stays below 2^62 and q_r * p
 * fits in 64 bits. Tail weights that would round to 0 are 1, so every
 * column can be drawn (a row may need all p). The alias table is Vose's,
 * in exact integer arithmetic. perm[r] is the column of rank r.
 */
static int
sampler_init(sampler_t *s, uint32_t p, double skew, const uint32_t *perm)
{
	uint64_t unit = ((uint64_t)1 << 62) / p, total = 0;
	uint32_t *work, r, ns = 0, nl = 0, l, g;
	rank_t *rk;

	memset(s, 0, sizeof(*s));
	s->p = p;
	s->rk = rk = calloc(p, sizeof(*rk));
	work = malloc((size_t)p * sizeof(*work));
	if (rk == NULL || work == NULL) {
		free(work);
		sampler_free(s);
		return -1;
	}
	for (r = 0; r < p; r++) {
		double w = skew == 0 ? 1.0 : pow((double)r + 1, -skew);
		uint64_t q = (uint64_t)(w * (double)unit + 0.5);

		if (q > unit)
			q = unit;
		rk[r].q = q > 0 ? q : 1;
		rk[r].col = perm[r];
		total += rk[r].q;
	}
	s->total = total;
	for (s->top = 1; s->top <= p / 2; s->top <<= 1)
		;
	/* Slot weights q * p against the mean, total: small ones stack up
	 * from the front of work, large ones from the back. */
	for (r = 0; r < p; r++) {
		rk[r].cut = rk[r].q * p;
		rk[r].alias = r;
		if (rk[r].cut < total)
			work[ns++] = r;
		else
			work[p - ++nl] = r;
	}
	while (ns > 0 && nl > 0) {
		l = work[--ns];
		g = work[p - nl];
		rk[l].alias = g;
		rk[g].cut -= total - rk[l].cut;
		if (rk[g].cut < total) {
			nl--;
			work[ns++] = g;
		}
	}
	/* What is left is exactly full (integers); say so anyway. */
	while (ns > 0)
		rk[work[--ns]].cut = total;
	while (nl > 0)
		rk[work[p - nl--]].cut = total;
	free(work);
	return 0;
}

static inline uint32_t
alias_draw(const sampler_t *s, rng_t *r)
{
	uint32_t i = (uint32_t)rng_below(r, s->p);

	return rng_below(r, s->total) < s->rk[i].cut ? i : s->rk[i].alias;
}

static int
tree_build(sampler_t *s)
{
	uint64_t i, j;

	s->tree = malloc(((size_t)s->p + 1) * sizeof(*s->tree));
	if (s->tree == NULL)
		return -1;
	s->tree[0] = 0;
	for (i = 1; i <= s->p; i++)
		s->tree[i] = s->rk[i - 1].q;
	for (i = 1; i <= s->p; i++) {
		j = i + (i & (0 - i));
		if (j <= s->p)
			s->tree[j] += s->tree[i];
	}
	return 0;
}

/* Adds delta (mod 2^64: pass 0 - q to subtract) to rank r's weight. */
static inline void
tree_add(sampler_t *s, uint32_t r, uint64_t delta)
{
	uint64_t i;

	for (i = (uint64_t)r + 1; i <= s->p; i += i & (0 - i))
		s->tree[i] += delta;
}

/* The rank whose weight interval holds target (< the current total). */
static inline uint32_t
tree_find(const sampler_t *s, uint64_t target)
{
	uint64_t pos = 0, step;

	for (step = s->top; step > 0; step >>= 1)
		if (pos + step <= s->p && s->tree[pos + step] <= target) {
			pos += step;
			target -= s->tree[pos];
		}
	return (uint32_t)pos;
}

/* m distinct ranks (1 <= m <= p) into out, in draw order; mark is this
 * row's stamp, different from every earlier row's. */
static int
sample_row(sampler_t *s, rng_t *r, uint32_t m, uint32_t mark, uint32_t *out)
{
	uint64_t taken_w = 0, rem;
	uint32_t k = 0, i, x;

	while (k < m && taken_w <= s->total - taken_w) {
		x = alias_draw(s, r);
		if (s->rk[x].stamp == mark)
			continue;
		s->rk[x].stamp = mark;
		out[k++] = x;
		taken_w += s->rk[x].q;
	}
	if (k == m)
		return 0;
	if (s->tree == NULL && tree_build(s) != 0)
		return -1;
	for (i = 0; i < k; i++)
		tree_add(s, out[i], 0 - s->rk[out[i]].q);
	for (rem = s->total - taken_w; k < m; k++) {
		x = tree_find(s, rng_below(r, rem));
		tree_add(s, x, 0 - s->rk[x].q);
		rem -= s->rk[x].q;
		out[k] = x;
	}
	for (i = 0; i < m; i++)
		tree_add(s, out[i], s->rk[out[i]].q);
	return 0;
}

/* ---- helpers ---- */

static void
insertion_sort_u32(uint32_t *a, size_t n)
{
	size_t i, j;
	uint32_t v;

	for (i = 1; i < n; i++) {
		v = a[i];
		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Quicksort (median of three, Hoare partition; recursion on the smaller
 * side only, so the depth is O(log n)). */
static void
sort_u32(uint32_t *a, size_t n)
{
	while (n > SORT_SMALL) {
		uint32_t x = a[0], y = a[n / 2], z = a[n - 1], piv, t;
		size_t i = 0, j = n - 1;

		piv = x < y ? (y < z ? y : (x < z ? z : x))
			    : (x < z ? x : (y < z ? z : y));
		/* Ends with a[0..j] <= piv <= a[j+1..n) and 0 <= j <= n - 2:
		 * piv <= max(a[0], a[n/2]), so the first scan from the left
		 * stops by n/2, and either j is already there or it moves. */
		for (;;) {
			while (a[i] < piv)
				i++;
			while (a[j] > piv)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		if (j + 1 < n - j - 1) {
			sort_u32(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_u32(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort_u32(a, n);
}

/* A (key, column) pair of the support draw; max-heap on (key, col). */
typedef struct {
	double key;
	uint32_t col;
} keyed_t;

static inline int
keyed_less(const keyed_t *a, const keyed_t *b)
{
	return a->key < b->key || (a->key == b->key && a->col < b->col);
}

static void
heap_sift_down(keyed_t *h, size_t n, size_t i)
{
	keyed_t t;
	size_t c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && keyed_less(&h[c], &h[c + 1]))
			c++;
		if (!keyed_less(&h[i], &h[c]))
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
	}
}

/* Adds e to the heap h of n entries (room for one more). */
static void
heap_push(keyed_t *h, size_t n, keyed_t e)
{
	size_t up;

	for (; n > 0 && keyed_less(&h[up = (n - 1) / 2], &e); n = up)
		h[n] = h[up];
	h[n] = e;
}

/* ---- the generator ---- */

void
gen_lasso_opts_init(gen_lasso_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->n = 10000;
	o->p = 100000;
	o->nnz_per_row = 50;
	o->support = 100;
	o->noise = 0.1;
	o->snr = 0;
	o->rho = 0;
	o->block = 10;
	o->skew = 1.0;
	o->values = GEN_VALUES_TFIDF;
	o->scale = 1.0;
	o->seed = 1;
}

int
gen_lasso_check(const gen_lasso_opts_t *o, char *err, size_t errlen)
{
	if (o->n < 1)
		return data_errf(err, errlen, "--n: expected at least 1 row");
	if (o->p < 1)
		return data_errf(err, errlen, "--p: expected at least 1 column");
	if (o->nnz_per_row < 1 || o->nnz_per_row > o->p)
		return data_errf(err, errlen,
		    "--nnz-per-row: expected 1 to --p (%u), found %u", o->p,
		    o->nnz_per_row);
	if (o->support > o->p)
		return data_errf(err, errlen,
		    "--support: expected 0 to --p (%u), found %u", o->p,
		    o->support);
	if (!isfinite(o->noise) || o->noise < 0)
		return data_errf(err, errlen,
		    "--noise: expected a number >= 0, found %g", o->noise);
	if (!isfinite(o->snr) || o->snr < 0)
		return data_errf(err, errlen,
		    "--snr: expected a number >= 0, found %g", o->snr);
	if (!(o->rho >= 0 && o->rho <= 1))
		return data_errf(err, errlen,
		    "--rho: expected a number in [0, 1], found %g", o->rho);
	if (o->block < 1)
		return data_errf(err, errlen, "--block: expected at least 1");
	if (!isfinite(o->skew) || o->skew < 0)
		return data_errf(err, errlen,
		    "--skew: expected a number >= 0, found %g", o->skew);
	if (o->values != GEN_VALUES_TFIDF && o->values != GEN_VALUES_GAUSSIAN)
		return data_errf(
		    err, errlen, "--values: expected tfidf or gaussian");
	if (!isfinite(o->scale) || o->scale <= 0)
		return data_errf(err, errlen,
		    "--scale: expected a number > 0, found %g", o->scale);
	return 0;
}

/* Row lengths into rowptr (n + 1), as gen.h says. */
static void
draw_lengths(const gen_lasso_opts_t *o, uint64_t *rowptr)
{
	uint32_t k = o->nnz_per_row, h = k / 2, i;
	rng_t r;

	if (h > o->p - k)
		h = o->p - k;
	rng_seed(&r, o->seed, STREAM_LENGTH, 0);
	rowptr[0] = 0;
	for (i = 0; i < o->n; i++)
		rowptr[i + 1] =
		    rowptr[i] + (k - h) + rng_below(&r, 2 * (uint64_t)h + 1);
}

/* perm[rank] = column: a uniform permutation (Fisher-Yates). */
static void
draw_perm(const gen_lasso_opts_t *o, uint32_t *perm)
{
	uint32_t i, j, t;
	rng_t r;

	rng_seed(&r, o->seed, STREAM_PERM, 0);
	for (i = 0; i < o->p; i++)
		perm[i] = i;
	for (i = o->p - 1; i > 0; i--) {
		j = (uint32_t)rng_below(&r, (uint64_t)i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
}

/* Every row's sorted columns into m->col; column counts into df. */
static int
draw_pattern(const gen_lasso_opts_t *o, data_matrix_t *m, uint32_t *df)
{
	sampler_t s;
	uint32_t *perm, i;
	uint64_t k;
	rng_t r;
	int rc;

	perm = malloc((size_t)o->p * sizeof(*perm));
	if (perm == NULL)
		return -1;
	draw_perm(o, perm);
	rc = sampler_init(&s, o->p, o->skew, perm);
	free(perm);
	if (rc != 0)
		return -1;
	for (i = 0; i < o->n; i++) {
		uint32_t *c = m->col + m->rowptr[i];
		uint32_t len = (uint32_t)(m->rowptr[i + 1] - m->rowptr[i]);

		rng_seed(&r, o->seed, STREAM_PATTERN, i);
		if (sample_row(&s, &r, len, i + 1, c) != 0) {
			sampler_free(&s);
			return -1;
		}
		for (k = 0; k < len; k++)
			c[k] = s.rk[c[k]].col;
		sort_u32(c, len);
	}
	for (k = 0; k < m->nnz; k++)
		df[m->col[k]]++;
	sampler_free(&s);
	return 0;
}

/* Every row's values, as gen.h says. */
static int
draw_values(const gen_lasso_opts_t *o, data_matrix_t *m, const uint32_t *df)
{
	double a = sqrt(o->rho), b = sqrt(1 - o->rho), *idf = NULL;
	uint32_t i, j;
	uint64_t k;
	rng_t r;

	if (o->values == GEN_VALUES_TFIDF) {
		idf = malloc((size_t)o->p * sizeof(*idf));
		if (idf == NULL)
			return -1;
		for (j = 0; j < o->p; j++)
			idf[j] = df[j] > 0 ? 1 + log((double)o->n / df[j]) : 0;
	}
	for (i = 0; i < o->n; i++) {
		uint64_t lo = m->rowptr[i], hi = m->rowptr[i + 1];
		uint32_t blk = 0;
		double f = 0, ss = 0, z;

		rng_seed(&r, o->seed, STREAM_VALUES, i);
		for (k = lo; k < hi; k++) {
			j = m->col[k];
			if (o->rho > 0 && (k == lo || j / o->block != blk)) {
				blk = j / o->block;
				f = rng_normal(&r);
			}
			z = a * f + b * rng_normal(&r);
			if (idf != NULL) {
				m->val[k] = idf[j] * exp(TFIDF_SIGMA * z);
				ss += m->val[k] * m->val[k];
			} else
				m->val[k] = z;
		}
		if (idf != NULL && ss > 0) {
			ss = 1 / sqrt(ss);
			for (k = lo; k < hi; k++)
				m->val[k] *= ss;
		}
	}
	free(idf);
	return 0;
}

/* Orders pool entries by column. */
static int
cmp_col(const void *a, const void *b)
{
	uint32_t x = ((const keyed_t *)a)->col, y = ((const keyed_t *)b)->col;

	return x < y ? -1 : x > y;
}

/*
 * beta: `support` columns drawn uniformly from the pool of the
 * SUPPORT_POOL * support most frequent columns (all occurring columns
 * when fewer), frequency ties broken at random. A max-heap on the key
 * -(df + u), u uniform on [0, 1), keeps the pool; a partial
 * Fisher-Yates over the pool in column order picks the support. Values
 * are drawn in column order.
 */
static int
draw_beta(const gen_lasso_opts_t *o, const uint32_t *df, double *beta,
    char *err, size_t errlen)
{
	uint32_t kk = o->support, j, nocc = 0;
	size_t npool, nh = 0, i, c;
	keyed_t *h, e;
	rng_t r;

	memset(beta, 0, (size_t)o->p * sizeof(*beta));
	if (kk == 0)
		return 0;
	npool = (size_t)kk * SUPPORT_POOL;
	if (npool > o->p)
		npool = o->p;
	h = malloc(npool * sizeof(*h));
	if (h == NULL)
		return data_errf(err, errlen, "out of memory");
	rng_seed(&r, o->seed, STREAM_BETA, 0);
	for (j = 0; j < o->p; j++) {
		if (df[j] == 0)
			continue;
		nocc++;
		e.key = -((double)df[j] + rng_u01(&r));
		e.col = j;
		if (nh < npool)
			heap_push(h, nh++, e);
		else if (keyed_less(&e, &h[0])) {
			h[0] = e;
			heap_sift_down(h, nh, 0);
		}
	}
	if (nocc < kk) {
		free(h);
		return data_errf(err, errlen,
		    "--support %u: only %u columns occur in the rows drawn; "
		    "lower --support or raise --n or --nnz-per-row",
		    kk, nocc);
	}
	qsort(h, nh, sizeof(*h), cmp_col);
	for (i = 0; i < kk; i++) {
		c = i + (size_t)rng_below(&r, nh - i);
		e = h[c];
		h[c] = h[i];
		h[i] = e;
		beta[e.col] = 1; /* placeholder: values below, by column */
	}
	free(h);
	for (j = 0; j < o->p; j++)
		if (beta[j] != 0) {
			double v = (0.5 + rng_u01(&r)) * o->scale;

			beta[j] = (rng_next(&r) >> 63) ? -v : v;
		}
	return 0;
}

/* y = X beta + noise; the signal's variance and the sd used into info. */
static void
draw_response(const gen_lasso_opts_t *o, data_matrix_t *m, const double *beta,
    gen_lasso_info_t *info)
{
	double mean = 0, var = 0, sd, d;
	uint32_t i;
	uint64_t k;
	rng_t r;

	for (i = 0; i < o->n; i++) {
		double dot = 0;

		for (k = m->rowptr[i]; k < m->rowptr[i + 1]; k++)
			dot += m->val[k] * beta[m->col[k]];
		m->y[i] = dot;
		mean += dot;
	}
	mean /= o->n;
	for (i = 0; i < o->n; i++) {
		d = m->y[i] - mean;
		var += d * d;
	}
	var /= o->n;
	sd = o->snr > 0 ? sqrt(var / o->snr) : o->noise;
	if (sd > 0) {
		rng_seed(&r, o->seed, STREAM_NOISE, 0);
		for (i = 0; i < o->n; i++)
			m->y[i] += sd * rng_normal(&r);
	}
	info->noise_sd = sd;
	info->signal_var = var;
}

int
gen_lasso_ex(const gen_lasso_opts_t *o, data_matrix_t *X_out, double *beta_out,
    gen_lasso_info_t *info, char *err, size_t errlen)
{
	data_matrix_t m;
	gen_lasso_info_t dummy;
	uint32_t *df = NULL;
	double *beta = beta_out;

	memset(X_out, 0, sizeof(*X_out));
	memset(&m, 0, sizeof(m));
	if (gen_lasso_check(o, err, errlen) != 0)
		return -1;
	if (info == NULL)
		info = &dummy;
	m.n = o->n;
	m.p = o->p;
	m.rowptr = malloc(((size_t)o->n + 1) * sizeof(*m.rowptr));
	if (m.rowptr == NULL)
		goto nomem;
	draw_lengths(o, m.rowptr);
	m.nnz = m.rowptr[o->n];
	if (m.nnz > SIZE_MAX / sizeof(double))
		goto nomem;
	m.col = malloc((size_t)m.nnz * sizeof(*m.col));
	m.val = malloc((size_t)m.nnz * sizeof(*m.val));
	m.y = malloc((size_t)o->n * sizeof(*m.y));
	df = calloc(o->p, sizeof(*df));
	if (beta == NULL)
		beta = malloc((size_t)o->p * sizeof(*beta));
	if (m.col == NULL || m.val == NULL || m.y == NULL || df == NULL ||
	    beta == NULL)
		goto nomem;
	if (draw_pattern(o, &m, df) != 0 || draw_values(o, &m, df) != 0)
		goto nomem;
	if (draw_beta(o, df, beta, err, errlen) != 0)
		goto bad;
	draw_response(o, &m, beta, info);
	free(df);
	if (beta != beta_out)
		free(beta);
	*X_out = m;
	return 0;
nomem:
	data_errf(err, errlen,
	    "out of memory generating %u x %u with %llu non-zeros", o->n, o->p,
	    (ull)m.nnz);
bad:
	data_matrix_free(&m);
	free(df);
	if (beta != beta_out)
		free(beta);
	return -1;
}

int
gen_lasso(const gen_lasso_opts_t *o, data_matrix_t *X_out, double *beta_out,
    char *err, size_t errlen)
{
	return gen_lasso_ex(o, X_out, beta_out, NULL, err, errlen);
}
