/*
 * mf-sgd.c -- SGD for MF on the rotation's blocks, in floats (mf.h,
 * doc/mf.md "SGD on the rotation's blocks").
 *
 * The tables are those of CCD++ with float rows: W a worker table, H the
 * rotate table, both kp floats a row (kc padded to a multiple of 8 with
 * zeros, so a row is whole 8-float vectors). Holding a part, a worker
 * owns its users' rows and the part's item rows alone for the round, so
 * it steps both factors of every rating of that block without a lock or
 * a lost update (the blocks of DSGD, Gemulla et al. 2011, in the
 * rotation's order).
 *
 * The inner loop is the whole cost of an epoch (9 M ratings at rank 40
 * are 9 M dot products and 18 M row updates), so it does nothing but
 * that: the block's ratings are one packed array of (local user, item,
 * rating - mu), built once per part, ordered by chunks of users and by
 * item inside a chunk, so the chunk's user rows and the part's item rows
 * stay in the core's cache while the chunk is visited, and each item's
 * row is reused by the ratings that follow; the dot product and the
 * updates run on 8-float vectors (GCC vector extensions), compiled twice,
 * for AVX2 with FMA and for the build's own target, chosen once a part
 * from what the CPU says.
 *
 * An epoch is two sweeps: the updates (the training error a rating had
 * before its update is added up as the pass goes, as LIBMF reports its
 * training RMSE), then a pass that measures the model as the epoch left
 * it on the test ratings, with the penalties. The step size of epoch e
 * (from 0) is eta / (1 + decay e).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mf.h"

/* Users a chunk of a block: 8. Their rows stay in L1 while the chunk's
 * ratings go by in item order, and consecutive ratings seldom share a
 * row (one that does waits for the last update of it). Measured on one
 * thread with a block of 2.25 M ratings, 35000 users and 2500 items at
 * 48 floats (/tmp kernel harness, CPU time): chunks of 1024 users 19.1
 * ns an update, 256 17.1, 16 12.5, 8 11.7, 4 12.3, 1 (by user) 20.0,
 * no chunks (by item) 24.1. */
#define CHUNK_BITS 3

typedef float v8_t __attribute__((vector_size(32)));

/* A training rating of a block: the worker's user, the item, r - mu. */
typedef struct {
	uint32_t u, j;
	float r;
} rt_t;

/* A part's block of this worker's ratings, built the first time the part
 * is held with these rows (the cut is fixed: mf_setup_sgd). */
typedef struct {
	uint64_t j0, j1; /* the part's rows it was built for (j1 0: none) */
	rt_t *r;         /* owned: n */
	uint64_t n;
} blk_t;

typedef struct {
	const mf_t *m;
	uint32_t index, count;
	uint64_t u0, nu;   /* users [u0, u0 + nu) */
	float *Wt;         /* the engine's: nu x kp (not 32-byte aligned) */
	float *W;          /* owned: nu x kp, 64-byte aligned: the rows the
	                      steps work on (copied to Wt after an update
	                      sweep) */
	float *hbuf;       /* owned: 64-byte aligned room for a part's rows,
	                      hcap floats: the steps work on an aligned copy */
	uint64_t hcap;
	uint64_t *iptr;    /* owned: nitems + 1 offsets into ru, rr */
	uint32_t *ru;      /* owned: the local user of each training rating, by item */
	float *rr;         /* owned: r - mu */
	uint64_t *tptr;    /* owned: the same for the test ratings */
	uint32_t *tu;
	float *tr;
	float *lu;         /* owned: nu: each user's penalty a step (mf_t.lstep) */
	blk_t *blk;        /* owned: nparts, by part index */
	uint32_t nblk;
	uint64_t sweep;    /* the sweep under way + 1 (0: none yet) */
	uint32_t parts;    /* parts held in it */
	int eval;          /* the sweep measures (1) or updates (0) */
	float eta;         /* this sweep's step size */
	double sse, tsse, hreg;
	/* SGD on the SSP table (mf_t.ssp): the worker's ratings packed once
	 * (blk[0] over every item, cut into nparts slices), the first item
	 * factors, the view the steps work on (H0 + what the table read),
	 * and strads run's read and increments (the app's own table). */
	float *H0;         /* owned: nitems x kp */
	float *Hv;         /* owned: nitems x kp, 64-byte aligned */
	double *rd, *dl;   /* owned (strads run): nitems x kp */
	uint64_t clock;    /* rounds done */
	uint64_t wait_ns;  /* time in the table's reads */
	double last[MF_NSTATS];
	uint64_t ntrain, ntest, sweeps, update_ns, updates;
	uint64_t update_cpu_ns; /* the update sweeps' CPU time on this thread */
} sw_t;

static void
sw_free(void *arg)
{
	sw_t *w = arg;
	uint32_t b;

	if (w == NULL)
		return;
	for (b = 0; b < w->nblk && w->blk != NULL; b++)
		free(w->blk[b].r);
	free(w->blk);
	free(w->iptr);
	free(w->ru);
	free(w->rr);
	free(w->tptr);
	free(w->tu);
	free(w->tr);
	free(w->lu);
	free(w->W);
	free(w->hbuf);
	free(w->H0);
	free(w->Hv);
	free(w->rd);
	free(w->dl);
	free(w);
}


/* n zeroed floats at a 64-byte boundary (aligned vector loads, and no
 * vector across two cache lines), or NULL. */
static float *
aligned_floats(uint64_t n)
{
	void *p = NULL;
	size_t bytes = (size_t)(n ? n : 1) * sizeof(float);

	if (posix_memalign(&p, 64, (bytes + 63) / 64 * 64) != 0)
		return NULL;
	memset(p, 0, bytes);
	return p;
}

static int blk_build(sw_t *w, blk_t *b, uint64_t j0, uint64_t j1);

static int
winit(void *shared, const strads_shard_t *sh, void **out)
{
	const mf_t *m = shared;
	sw_t *w;
	uint64_t i;
	uint32_t t;

	*out = NULL;
	if (sh->tables == NULL || sh->tables[MF_T_W] == NULL)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->m = m;
	w->index = sh->index;
	w->count = sh->count;
	w->u0 = sh->row_begin;
	w->nu = sh->row_end - sh->row_begin;
	w->Wt = sh->tables[MF_T_W];
	w->nblk = m->nparts;
	if ((w->W = aligned_floats((w->nu ? w->nu : 1) * m->kp)) == NULL)
		goto fail;
	if ((w->blk = calloc(w->nblk, sizeof(blk_t))) == NULL ||
	    (w->lu = malloc((w->nu ? w->nu : 1) * sizeof(float))) == NULL)
		goto fail;
	for (i = 0; i < w->nu; i++)
		w->lu[i] = mf_step_lambda(m, m->ucount[w->u0 + i]);
	if (mf_index_ratings(m, m->train, w->u0, sh->row_end, &w->iptr, &w->ru, NULL, &w->rr,
	        &w->ntrain) != 0 ||
	    mf_index_ratings(m, m->test, w->u0, sh->row_end, &w->tptr, &w->tu, NULL, &w->tr,
	        &w->ntest) != 0)
		goto fail;
	/* Small normal entries from the user's own stream (the start does
	 * not depend on the shards); b 0 and the column of ones. */
	for (i = 0; i < w->nu; i++) {
		float *row = w->W + i * m->kp;
		app_rng_t r;

		app_rng_seed(&r, m->seed, (w->u0 + i + 1) << 20);
		for (t = 0; t < m->rank; t++)
			row[t] = (float)(m->init_sd * app_rng_normal(&r));
		if (m->biases)
			row[m->rank + 1] = 1;
	}
	/* A cluster's job laid out again (a member joined, left or was
	 * lost) gets its tables from the last snapshot: W goes on from
	 * there. A new job's W table is zero (a factor of 0.1 spread is
	 * never all zero). */
	for (i = 0; i < w->nu * m->kp; i++)
		if (w->Wt[i] != 0)
			break;
	if (i < w->nu * m->kp)
		memcpy(w->W, w->Wt, w->nu * m->kp * sizeof(float));
	else
		memcpy(w->Wt, w->W, w->nu * m->kp * sizeof(float));
	if (m->ssp) {
		uint64_t nh = (uint64_t)m->nitems * m->kp, j;

		if ((w->H0 = aligned_floats(nh)) == NULL || (w->Hv = aligned_floats(nh)) == NULL)
			goto fail;
		for (j = 0; j < m->nitems; j++)
			mf_sgd_h0(m, j, w->H0 + j * m->kp);
		if (!m->cluster && ((w->rd = malloc(nh * sizeof(double))) == NULL ||
		        (w->dl = malloc(nh * sizeof(double))) == NULL))
			goto fail;
		if (blk_build(w, &w->blk[0], 0, m->nitems) != 0)
			goto fail;
	}
	/* Before the first epoch: a model near mu (the stats of mu itself;
	 * the first check reports the first epoch's). */
	for (i = 0; i < w->ntrain; i++)
		w->last[MF_S_SSE] += (double)w->rr[i] * w->rr[i];
	for (i = 0; i < w->ntest; i++)
		w->last[MF_S_TSSE] += (double)w->tr[i] * w->tr[i];
	*out = w;
	return 0;
fail:
	sw_free(w);
	return -1;
}

/* Builds the block of part [j0, j1): the worker's ratings of its items,
 * by chunk of users, by item inside a chunk (a counting sort of the
 * item-ordered ratings). */
static int
blk_build(sw_t *w, blk_t *b, uint64_t j0, uint64_t j1)
{
	uint64_t a = w->iptr[j0], z = w->iptr[j1], q, j, nc = (w->nu >> CHUNK_BITS) + 1, c;
	uint64_t *at = calloc(nc + 1, sizeof(uint64_t));
	rt_t *r = malloc((z > a ? z - a : 1) * sizeof(rt_t));

	if (at == NULL || r == NULL) {
		free(at);
		free(r);
		return -1;
	}
	for (q = a; q < z; q++)
		at[(w->ru[q] >> CHUNK_BITS) + 1]++;
	for (c = 0; c < nc; c++)
		at[c + 1] += at[c];
	for (j = j0; j < j1; j++)
		for (q = w->iptr[j]; q < w->iptr[j + 1]; q++)
			r[at[w->ru[q] >> CHUNK_BITS]++] = (rt_t){w->ru[q], (uint32_t)j, w->rr[q]};
	free(at);
	free(b->r);
	b->r = r;
	b->n = z - a;
	b->j0 = j0;
	b->j1 = j1;
	return 0;
}

/* A vector from 8 floats anywhere (the tables' rows are not 32-byte
 * aligned), and back: macros, as a function returning a vector would
 * change the ABI between the two compiled forms. */
#define LD(v, p) memcpy(&(v), (p), sizeof(v8_t))
#define ST(p, v) memcpy((p), &(v), sizeof(v8_t))

/*
 * The SGD steps of n ratings: for each, e = r - w . h, then w += eta (e
 * h - lambda w) and h += eta (e w - lambda h) from the old w and h (the
 * biases are entries of the rows: W's column k is b against H's column
 * of ones, H's k + 1 is c against W's; a step moves the ones, which are
 * put back). H is the part's rows from item j0. Returns the sum of the
 * squared errors before the steps.
 */
static inline __attribute__((always_inline)) double
sgd_steps(const rt_t *restrict rt, uint64_t n, float *restrict W, float *restrict H,
    uint64_t j0, uint32_t kp, uint32_t k, int biases, float eta, const float *lu,
    const float *li)
{
	double sse = 0;
	uint64_t q;
	uint32_t t;

	for (q = 0; q < n; q++) {
		float *restrict wu = W + (size_t)rt[q].u * kp;
		float *restrict h = H + (size_t)(rt[q].j - j0) * kp;
		v8_t acc = {0}, a, b;
		float e, su, si;

		for (t = 0; t < kp; t += 8) {
			LD(a, wu + t);
			LD(b, h + t);
			acc += a * b;
		}
		e = rt[q].r - (((acc[0] + acc[4]) + (acc[1] + acc[5])) +
		                  ((acc[2] + acc[6]) + (acc[3] + acc[7])));
		sse += (double)e * e;
		su = 1 - eta * lu[rt[q].u];
		si = 1 - eta * li[rt[q].j];
		e *= eta;
		for (t = 0; t < kp; t += 8) {
			v8_t na, nb;

			LD(a, wu + t);
			LD(b, h + t);
			na = a * su + b * e;
			nb = b * si + a * e;
			ST(wu + t, na);
			ST(h + t, nb);
		}
		if (biases) {
			wu[k + 1] = 1;
			h[k] = 1;
		}
	}
	return sse;
}

typedef double sgd_fn(const rt_t *restrict, uint64_t, float *restrict, float *restrict,
    uint64_t, uint32_t, uint32_t, int, float, const float *, const float *);

static double
sgd_plain(const rt_t *restrict rt, uint64_t n, float *restrict W, float *restrict H,
    uint64_t j0, uint32_t kp, uint32_t k, int biases, float eta, const float *lu,
    const float *li)
{
	return sgd_steps(rt, n, W, H, j0, kp, k, biases, eta, lu, li);
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx2,fma"))) static double
sgd_avx2(const rt_t *restrict rt, uint64_t n, float *restrict W, float *restrict H,
    uint64_t j0, uint32_t kp, uint32_t k, int biases, float eta, const float *lu,
    const float *li)
{
	return sgd_steps(rt, n, W, H, j0, kp, k, biases, eta, lu, li);
}
#endif

/* The compiled steps this CPU runs best. */
static sgd_fn *
sgd_pick(const mf_t *m)
{
	if (m != NULL && m->sgd_plain)
		return sgd_plain;
#if defined(__GNUC__) && defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return sgd_avx2;
#endif
	return sgd_plain;
}

const char *
mf_sgd_kernel(const mf_t *m)
{
	return sgd_pick(m) == sgd_plain ? "plain" : "avx2+fma";
}

/* w . h over kp floats, by 8-float vectors (the measuring pass visits
 * the test ratings, a ninth of an epoch's). */
static double
dot(const float *w, const float *h, uint32_t kp)
{
	v8_t acc = {0}, a, b;
	uint32_t t;

	for (t = 0; t < kp; t += 8) {
		LD(a, w + t);
		LD(b, h + t);
		acc += a * b;
	}
	return (double)(((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7])));
}

/* The penalty of a row, without its weight: its free entries squared
 * (the columns of ones are not parameters, the padding is zero). */
static double
row_sq(const mf_t *m, const float *row, int user)
{
	double s = 0;
	uint32_t t;

	for (t = 0; t < m->kc; t++)
		if (!m->biases || t != (user ? m->rank + 1 : m->rank))
			s += (double)row[t] * row[t];
	return s;
}

static void
sweep_begin(sw_t *w, uint64_t sweep)
{
	const mf_t *m = w->m;
	double e = (double)(sweep / m->nsteps);

	w->sweep = sweep + 1;
	w->parts = 0;
	w->eval = m->steps[sweep % m->nsteps].side == MF_SIDE_EVAL;
	w->eta = (float)(m->eta / (1 + m->eta_decay * e));
	w->sse = w->tsse = w->hreg = 0;
}

static void
sweep_end(sw_t *w)
{
	const mf_t *m = w->m;
	uint64_t i;

	if (w->eval) {
		double reg = 0;

		for (i = 0; i < w->nu; i++)
			reg += mf_row_lambda(m, m->ucount[w->u0 + i]) * row_sq(m, w->W + i * m->kp, 1);
		w->last[MF_S_TSSE] = w->tsse;
		w->last[MF_S_REG] = reg + w->hreg;
	} else {
		memcpy(w->Wt, w->W, w->nu * m->kp * sizeof(float));
		w->last[MF_S_SSE] = w->sse;
	}
	w->sweeps++;
}

/* This thread's CPU time: the rate of updates a CPU second is what a
 * loaded machine distorts least. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A round of SGD on the SSP table: the view of H is H0 plus the table as
 * read at this round's clock (the engine's read, p->ssp, in a cluster;
 * the app's own table under strads run); an update sweep's round steps
 * the worker's slice p->index of its ratings (all items) on it and adds
 * what the view moved to the table; an evaluating sweep measures the
 * test ratings on its first round (worker 0 adds the items' penalties).
 */
static void
rotate_ssp(sw_t *w, const strads_part_t *p)
{
	const mf_t *m = w->m;
	uint64_t nh = (uint64_t)m->nitems * m->kp, i, t0 = strads_now_ns(), c0;
	const double *src;
	double *delta;

	if (m->cluster) {
		if (p->ssp == NULL || p->ssp_delta == NULL || p->ssp_rows * p->ssp_width != nh)
			return; /* a shape not ours: a bug the engine's tests catch */
		src = p->ssp;
		delta = p->ssp_delta;
	} else {
		mf_ssp_read(m->ssp_own, w->index, w->clock, w->rd);
		src = w->rd;
		delta = w->dl;
	}
	w->wait_ns += strads_now_ns() - t0;
	for (i = 0; i < nh; i++)
		w->Hv[i] = w->H0[i] + (float)src[i];
	c0 = cpu_ns();
	t0 = strads_now_ns();
	if (!w->eval) {
		const blk_t *b = &w->blk[0];
		uint64_t a = b->n * p->index / p->nparts, z = b->n * (p->index + 1) / p->nparts;

		w->sse += sgd_pick(m)(b->r + a, z - a, w->W, w->Hv, 0, m->kp, m->rank, m->biases,
		    w->eta, w->lu, m->lstep);
		w->updates += z - a;
		for (i = 0; i < nh; i++)
			delta[i] = (double)w->Hv[i] - ((double)w->H0[i] + src[i]);
		w->update_ns += strads_now_ns() - t0;
		w->update_cpu_ns += cpu_ns() - c0;
	} else {
		if (w->parts == 0) {
			uint64_t j, e;

			for (j = 0; j < m->nitems; j++) {
				const float *h = w->Hv + j * m->kp;

				for (e = w->tptr[j]; e < w->tptr[j + 1]; e++) {
					double d = w->tr[e] -
					    dot(w->W + (size_t)w->tu[e] * m->kp, h, m->kp);

					w->tsse += d * d;
				}
				if (w->index == 0)
					w->hreg += mf_row_lambda(m, m->icount[j]) * row_sq(m, h, 0);
			}
		}
		if (!m->cluster)
			memset(delta, 0, nh * sizeof(double));
	}
	if (!m->cluster)
		mf_ssp_publish(m->ssp_own, w->index, delta);
	w->clock++;
}

static void
rotate(void *wstate, const strads_part_t *p)
{
	sw_t *w = wstate;
	const mf_t *m = w->m;
	float *H = p->rows;
	uint64_t t0 = strads_now_ns(), c0 = cpu_ns(), j, e;

	if (w->sweep != p->sweep + 1)
		sweep_begin(w, p->sweep);
	if (m->ssp) {
		rotate_ssp(w, p);
	} else if (!w->eval) {
		sgd_fn *fn = sgd_pick(m);
		blk_t *b = p->index < w->nblk ? &w->blk[p->index] : NULL;
		uint64_t nh = (p->row_end - p->row_begin) * m->kp;
		float *Hp = H;

		if (b != NULL && (b->j0 != p->row_begin || b->j1 != p->row_end) &&
		    blk_build(w, b, p->row_begin, p->row_end) != 0)
			b = NULL;
		/* The steps on an aligned copy of the part's rows: a copy in
		 * and out is some 2 x 0.5 MB against millions of updates. */
		if (nh > w->hcap) {
			free(w->hbuf);
			w->hcap = 0;
			if ((w->hbuf = aligned_floats(nh)) != NULL)
				w->hcap = nh;
		}
		if (w->hbuf != NULL) {
			memcpy(w->hbuf, H, nh * sizeof(float));
			Hp = w->hbuf;
		}
		if (b != NULL) {
			w->sse += fn(b->r, b->n, w->W, Hp, p->row_begin, m->kp, m->rank, m->biases,
			    w->eta, w->lu, m->lstep);
			w->updates += b->n;
		} else {
			/* Out of memory for the block: the same steps, in the
			 * item order, one item at a time. */
			for (j = p->row_begin; j < p->row_end; j++)
				for (e = w->iptr[j]; e < w->iptr[j + 1]; e++) {
					rt_t one = {w->ru[e], (uint32_t)j, w->rr[e]};

					w->sse += fn(&one, 1, w->W, Hp, p->row_begin, m->kp, m->rank,
					    m->biases, w->eta, w->lu, m->lstep);
					w->updates++;
				}
		}
		if (Hp != H)
			memcpy(H, Hp, nh * sizeof(float));
		w->update_ns += strads_now_ns() - t0;
		w->update_cpu_ns += cpu_ns() - c0;
	} else {
		for (j = p->row_begin; j < p->row_end; j++) {
			const float *h = H + (j - p->row_begin) * m->kp;

			for (e = w->tptr[j]; e < w->tptr[j + 1]; e++) {
				double d = w->tr[e] - dot(w->W + (size_t)w->tu[e] * m->kp, h, m->kp);

				w->tsse += d * d;
			}
			/* Each part meets every worker once a sweep: worker 0
			 * adds up its rows' penalties. */
			if (w->index == 0)
				w->hreg += mf_row_lambda(m, m->icount[j]) * row_sq(m, h, 0);
		}
	}
	if (++w->parts == p->nparts)
		sweep_end(w);
}

static void
stats(void *wstate, double *out)
{
	sw_t *w = wstate;

	out[MF_S_SSE] = w->last[MF_S_SSE];
	out[MF_S_REG] = w->last[MF_S_REG];
	out[MF_S_TSSE] = w->last[MF_S_TSSE];
	out[MF_S_NTRAIN] = (double)w->ntrain;
	out[MF_S_NTEST] = (double)w->ntest;
	out[MF_S_SWEEPS] = (double)w->sweeps;
	out[MF_S_WORKERS] = 1;
	out[MF_S_UPDATE_NS] = (double)w->update_ns;
	out[MF_S_VISITS] = (double)w->updates;
	out[MF_S_CPU_NS] = (double)w->update_cpu_ns;
	out[MF_S_WAIT_NS] = (double)w->wait_ns;
}

/* The first H: small normal entries from the row's own stream, the
 * biases' columns 1 and 0, the padding 0. */
void
mf_sgd_h0(const mf_t *m, uint64_t j, float *row)
{
	app_rng_t r;
	uint32_t c;

	app_rng_seed(&r, m->seed, j + 1);
	memset(row, 0, m->kp * sizeof(float));
	for (c = 0; c < m->rank; c++)
		row[c] = (float)(m->init_sd * app_rng_normal(&r));
	if (m->biases)
		row[m->rank] = 1;
}

static void
table_init(void *shared, uint32_t t, uint64_t begin, uint64_t end, void *rows)
{
	const mf_t *m = shared;
	float *h = rows;
	uint64_t j;

	/* With --staleness MF_T_H is the rounds' clock, one float a part. */
	if (t != MF_T_H || m->ssp)
		return;
	for (j = begin; j < end; j++)
		mf_sgd_h0(m, j, h + (j - begin) * m->kp);
}

double
mf_row_lambda(const mf_t *m, uint64_t n)
{
	return m->weighted ? m->lambda * (double)n : m->lambda;
}

float
mf_step_lambda(const mf_t *m, uint64_t n)
{
	/* A row of n ratings takes n steps an epoch, each shrinking it by
	 * eta lam: n lam is its penalty's weight. */
	return (float)(n > 0 ? mf_row_lambda(m, n) / (double)n : 0);
}

int
mf_setup_sgd(mf_t *m, double eta, double decay)
{
	uint32_t j;

	m->sgd = 1;
	m->eta = eta;
	m->eta_decay = decay;
	m->kp = (m->kc + 7) / 8 * 8;
	m->nsteps = 2;
	m->steps[0] = (mf_step_t){MF_SIDE_SGD, 0};
	m->steps[1] = (mf_step_t){MF_SIDE_EVAL, 0};
	m->decl[MF_T_W].value = STRADS_VALUE_F32;
	m->decl[MF_T_W].width = m->kp;
	m->decl[MF_T_H].value = STRADS_VALUE_F32;
	m->decl[MF_T_H].width = m->kp;
	m->app.worker_init = winit;
	m->app.rotate = rotate;
	m->app.stats = stats;
	m->app.worker_fini = sw_free;
	m->app.table_init = table_init;
	if ((m->lstep = malloc((m->nitems ? m->nitems : 1) * sizeof(float))) == NULL)
		return -1;
	for (j = 0; j < m->nitems; j++)
		m->lstep[j] = mf_step_lambda(m, m->icount[j]);
	return 0;
}

int
mf_setup_ssp(mf_t *m, uint32_t staleness, int inf)
{
	m->ssp = 1;
	m->staleness = staleness;
	m->stale_inf = inf;
	/* MF_T_H: one float a part, the rounds' clock; the item factors
	 * are the ssp table, doubles (the table's own type). */
	m->decl[MF_T_H] = (strads_table_decl_t){.name = "clock_parts",
	    .home = STRADS_HOME_ROTATE, .value = STRADS_VALUE_F32, .width = 1,
	    .rows = m->nparts};
	m->table_rows[MF_T_H] = m->nparts;
	m->decl[MF_T_SSP] = (strads_table_decl_t){.name = "item_factors",
	    .home = STRADS_HOME_SSP, .value = STRADS_VALUE_F64, .width = m->kp,
	    .rows = m->nitems};
	m->table_rows[MF_T_SSP] = m->nitems;
	m->app.row_cost = NULL;
	m->app.ntables = MF_NTABLES;
	if (m->cluster) {
		m->app.ntables = MF_NTABLES + 1;
		return 0;
	}
	mf_ssp_free(m->ssp_own);
	m->ssp_own = mf_ssp_new(m->nworkers, (uint64_t)m->nitems * m->kp, staleness, inf);
	return m->ssp_own != NULL ? 0 : -1;
}

void
mf_setup_cluster(mf_t *m)
{
	m->cluster = 1;
	m->nworkers = 0;
	if (m->ssp) {
		mf_ssp_free(m->ssp_own);
		m->ssp_own = NULL;
		m->app.ntables = MF_NTABLES + 1;
	}
}
